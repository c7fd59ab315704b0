"""One stored suite at a glance (counts, best models, the popular cut) and which stored configurations to offer
first.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from core.comparison.tables import model_groups, ok_rows
from core.comparison.thresholds import top_class
from core.schema import CLASSIFICATION_PREFIX, REGRESSION_PREFIX


def prediction_models(test_predictions: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Regressors and classifiers that have test-set predictions stored, in the suite's order."""
    regressors = [c[len(REGRESSION_PREFIX):] for c in test_predictions.columns if c.startswith(REGRESSION_PREFIX)]
    classifiers = [c[len(CLASSIFICATION_PREFIX):] for c in test_predictions.columns
                   if c.startswith(CLASSIFICATION_PREFIX)]
    return regressors, classifiers


@dataclass(frozen=True)
class SuiteSummary:
    n_models: int
    n_test: int
    n_positive: int
    popular_threshold: float
    trained_at: str
    best_regressor: str | None          # highest test R² among real models
    best_classifier: str | None         # highest PR-AUC among real models
    classifiers_by_pr_auc: list[str]    # real models first (best first), baselines last
    regression_baselines: list[str]

    @property
    def positive_rate(self) -> float:
        return self.n_positive / self.n_test if self.n_test else 0.0


def suite_summary(tables: Any) -> SuiteSummary:
    """Counts and picks the page needs from a stored suite's tables (SuiteTables or TrainedSuite)."""
    predictions = tables.test_predictions
    regression = ok_rows(tables.regression_table)
    classification = ok_rows(tables.classification_table)
    manifest = getattr(tables, "manifest", None) or {}
    regression_baselines = [str(n) for n, g in model_groups(regression).items() if g == "baseline"]
    real_regressors = regression.drop(index=regression_baselines)
    best_regressor = (str(real_regressors["R2 Score"].astype(float).idxmax())
                      if "R2 Score" in real_regressors and real_regressors["R2 Score"].notna().any() else None)
    groups = model_groups(classification)
    real = classification[groups != "baseline"]
    ranked: list[str] = []
    if "pr_auc" in classification and len(classification):
        ranked = [str(n) for n in real["pr_auc"].astype(float).sort_values(ascending=False).index]
        ranked += [str(n) for n in classification.index if str(n) not in ranked]
    y_class = predictions["y_class"] if "y_class" in predictions else pd.Series(dtype=int)
    n_positive = int((y_class == top_class(manifest, y_class)).sum()) if len(y_class) else 0
    threshold = getattr(tables, "popular_threshold", None) or manifest.get("popular_threshold") or float("nan")
    # training writes created_at, the store adds saved_at on every save
    trained_at = str(manifest.get("created_at") or manifest.get("saved_at") or "—")
    return SuiteSummary(
        n_models=len(regression) + len(classification), n_test=len(predictions), n_positive=n_positive,
        popular_threshold=float(threshold), trained_at=trained_at.replace("T", " ")[:16],
        best_regressor=best_regressor, best_classifier=ranked[0] if ranked else None,
        classifiers_by_pr_auc=ranked, regression_baselines=regression_baselines,
    )


def preferred_order(configs: Sequence[Any], report_config: Any) -> list[str]:
    """Config keys to offer, best first: the report's own settings, then random splits, then the rest (each newest
    first, as given)."""
    report_key = report_config.key()
    ranked = sorted(range(len(configs)),
                    key=lambda i: (configs[i].key() != report_key, bool(configs[i].grouped), i))
    return [configs[i].key() for i in ranked]
