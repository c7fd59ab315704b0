"""The paired bootstrap: vectorised replicates equal a brute-force loop over the same resamples, and the tie rule."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import (average_precision_score, balanced_accuracy_score, matthews_corrcoef,
                             mean_absolute_error, mean_squared_error, r2_score, roc_auc_score)

from core.comparison import uncertainty as U
from core.models import metrics


N, B, SEED = 600, 40, 5


@pytest.fixture(scope="module")
def regression_case():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 100, N).astype(float)
    predictions = np.column_stack([y + rng.normal(0, s, N) for s in (5, 10, 20)])
    return {"y": y, "scores": predictions}


@pytest.fixture(scope="module")
def classification_case():
    rng = np.random.default_rng(2)
    y = (rng.uniform(size=N) < 0.08).astype(int)
    # rounded scores: ties between positives and negatives, as stored probabilities of tree models have
    scores = np.column_stack([np.round(np.clip(0.3 * y + rng.uniform(0, 0.7, N), 0, 1), 2),
                              rng.uniform(size=N), np.round(rng.uniform(size=N), 1)])
    return {"y": y, "scores": scores, "predicted": scores > 0.5}


def _resamples():
    return np.vstack(list(U.resample_indices(N, B, SEED, chunk=7)))


def test_regression_replicates_match_a_brute_force_loop(regression_case):
    _, replicates = U.bootstrap("regression", regression_case, n_resamples=B, seed=SEED, chunk=7)
    for b, rows in enumerate(_resamples()):
        for j in range(3):
            y, p = regression_case["y"][rows], regression_case["scores"][rows, j]
            assert replicates["R2 Score"][b, j] == pytest.approx(r2_score(y, p), abs=1e-10)
            assert replicates["RMSE"][b, j] == pytest.approx(np.sqrt(mean_squared_error(y, p)), abs=1e-10)
            assert replicates["MAE"][b, j] == pytest.approx(mean_absolute_error(y, p), abs=1e-10)


def test_classification_replicates_match_a_brute_force_loop(classification_case):
    point, replicates = U.bootstrap("classification", classification_case, n_resamples=B, seed=SEED, chunk=7)
    case = classification_case
    for j in range(3):  # with every song once, the point estimates are the metrics themselves
        assert point["roc_auc"][j] == pytest.approx(roc_auc_score(case["y"], case["scores"][:, j]), abs=1e-12)
    for b, rows in enumerate(_resamples()):
        y = case["y"][rows]
        for j in range(3):
            s, predicted = case["scores"][rows, j], case["predicted"][rows, j]
            best = metrics.find_best_threshold_f1(y, s)
            expected = {"roc_auc": roc_auc_score(y, s), "pr_auc": average_precision_score(y, s),
                        "balanced_accuracy": balanced_accuracy_score(y, predicted),
                        "mcc": matthews_corrcoef(y, predicted),
                        "minority_f1_best": metrics.minority_metrics(y, s, best)[2]}
            for metric, value in expected.items():
                assert replicates[metric][b, j] == pytest.approx(value, abs=1e-10), (metric, b, j)


def test_the_interval_is_the_percentile_interval_of_the_replicates(regression_case):
    point, replicates = U.bootstrap("regression", regression_case, n_resamples=B, seed=SEED, chunk=7)
    table = U.interval_table("regression", ["a", "b", "c"], point, replicates, [True] * 3, n_resamples=B, seed=SEED)
    loop = [r2_score(regression_case["y"][rows], regression_case["scores"][rows, 1]) for rows in _resamples()]
    row = table[(table["model"] == "b") & (table["metric"] == "R2 Score")].iloc[0]
    assert row["low"] == pytest.approx(np.percentile(loop, 2.5))
    assert row["high"] == pytest.approx(np.percentile(loop, 97.5))
    assert row["estimate"] == pytest.approx(r2_score(regression_case["y"], regression_case["scores"][:, 1]))


def test_identical_models_are_tied_and_a_clearly_worse_one_is_not(regression_case):
    y = regression_case["y"]
    good = regression_case["scores"][:, 0]
    rng = np.random.default_rng(9)
    data = {"y": y, "scores": np.column_stack([good, good.copy(), y + rng.normal(0, 40, N)])}
    point, replicates = U.bootstrap("regression", data, n_resamples=200, seed=SEED)
    table = U.interval_table("regression", ["good", "twin", "worse"], point, replicates, [True] * 3)
    r2 = table[table["metric"] == "R2 Score"].set_index("model")
    assert r2.loc["good", "best"] == "good"
    assert bool(r2.loc["twin", "tied"]) and r2.loc["twin", "diff_low"] == 0 == r2.loc["twin", "diff_high"]
    assert not bool(r2.loc["worse", "tied"]) and r2.loc["worse", "diff_high"] < 0
    sentence = U.tie_sentence(table, "regression", "R²")
    assert "**good** and **twin** are indistinguishable" in sentence and "The other 1 is measurably worse" in sentence


def test_a_baseline_is_never_the_best_nor_tied(regression_case):
    data = {"y": regression_case["y"], "scores": regression_case["scores"][:, :2]}
    point, replicates = U.bootstrap("regression", data, n_resamples=50)
    table = U.interval_table("regression", ["baseline", "model"], point, replicates, [False, True])
    assert set(table["best"]) == {"model"} and not table.loc[table["model"] == "baseline", "tied"].any()


def test_the_same_seed_gives_the_same_intervals_and_another_seed_others(classification_case):
    first = U.bootstrap("classification", classification_case, n_resamples=60, seed=1)[1]["pr_auc"]
    again = U.bootstrap("classification", classification_case, n_resamples=60, seed=1, chunk=13)[1]["pr_auc"]
    other = U.bootstrap("classification", classification_case, n_resamples=60, seed=2)[1]["pr_auc"]
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_suite_intervals_cover_both_tasks_and_the_thresholded_regressors():
    rng = np.random.default_rng(3)
    y = rng.integers(0, 100, 500)
    predictions = pd.DataFrame({"y_true": y, "y_class": (y >= 90).astype(int),
                                "reg::Good": y + rng.normal(0, 5, 500), "reg::Dummy": np.full(500, 50.0),
                                "cls::Clf": np.clip((y >= 90) * 0.4 + rng.uniform(0, 0.6, 500), 0, 1)})
    regression = pd.DataFrame({"group": ["report", "baseline"]}, index=["Good", "Dummy"])
    table = U.suite_intervals(predictions, {"classes": [0, 1], "popular_threshold": 90.0}, regression, None,
                              n_resamples=100)
    assert set(table["task"]) == {"regression", "classification"}
    models = set(table.loc[table["task"] == "classification", "model"])
    assert models == {"Clf", "Good (popularity ≥ 90)"}  # the baseline regressor is not thresholded
    assert (table["low"] <= table["estimate"] + 1e-12).all() and (table["estimate"] <= table["high"] + 1e-12).all()
