"""Leaderboard intervals: every model × 1,000 paired bootstrap resamples of the full twin's test set ≤ 5 s.

Times `core.comparison.uncertainty.suite_intervals` (what training runs once per suite) on the default suite's stored
test predictions (loaded, or trained once, as the scoring bench does). Baseline measured in the same run: scoring the same
resamples one by one with scikit-learn, on 10 resamples, scaled to 1,000.
"""
from __future__ import annotations

import time

import numpy as np

from benchmarks import Measurement, median_seconds

BUDGET_S = 5.0
LOOP_RESAMPLES = 10


def _loop_seconds(inputs: dict, n_resamples: int) -> float:
    """scikit-learn on each resample, every model, every metric the intervals cover (the brute-force way)."""
    from sklearn.metrics import (average_precision_score, balanced_accuracy_score, matthews_corrcoef,
                                 mean_absolute_error, mean_squared_error, r2_score, roc_auc_score)

    from core.comparison import uncertainty
    from core.models import metrics

    start = time.perf_counter()
    for task, data in inputs.items():
        for rows in uncertainty.resample_indices(len(data["y"]), LOOP_RESAMPLES):
            for row in rows:
                y = data["y"][row]
                for j in range(data["scores"].shape[1]):
                    s = data["scores"][row, j]
                    if task == uncertainty.REGRESSION:
                        r2_score(y, s), mean_squared_error(y, s), mean_absolute_error(y, s)
                    else:
                        predicted = data["predicted"][row, j]
                        roc_auc_score(y, s), average_precision_score(y, s), balanced_accuracy_score(y, predicted)
                        matthews_corrcoef(y, predicted)
                        metrics.minority_metrics(y, s, metrics.find_best_threshold_f1(y, s))
    return (time.perf_counter() - start) * n_resamples / LOOP_RESAMPLES


def measurements(quick: bool = False) -> list[Measurement]:
    from core.comparison import uncertainty
    from benchmarks.scoring import _suite

    suite, _, origin = _suite(quick)
    arguments = (suite.test_predictions, suite.manifest, suite.regression_table, suite.classification_table)
    seconds = median_seconds(lambda: uncertainty.suite_intervals(*arguments), repeat=3)
    inputs = uncertainty.suite_inputs(*arguments)
    n_models = sum(len(d["names"]) for d in inputs.values())
    loop_s = _loop_seconds(inputs, uncertainty.N_RESAMPLES)
    n_test = len(suite.test_predictions)
    size = "sample" if quick else "full twin"
    return [
        Measurement(f"intervals: {n_models} models × {uncertainty.N_RESAMPLES:,} paired resamples ({size})", seconds,
                    "s", budget=BUDGET_S,
                    note=f"{n_test:,} test songs; suite {origin}; {loop_s / seconds:.0f}× faster than scikit-learn "
                         f"per resample"),
        Measurement("intervals: scikit-learn per resample, same models (baseline, est. from 10)", loop_s, "s",
                    note=f"{np.round(loop_s / 60, 1)} min"),
    ]
