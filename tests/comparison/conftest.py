"""Tables shaped like a stored suite's, for the core.comparison tests."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


@pytest.fixture
def cls_table():
    rows = {
        "Majority baseline": dict(group="baseline", accuracy_score=0.99, precision_score=0.9801, f1_score=0.985,
                                  recall_score=0.99, roc_auc=0.5, pr_auc=0.01, balanced_accuracy=0.5, mcc=0.0,
                                  minority_precision=0.0, minority_recall=0.0, minority_f1=0.0),
        "LOGISTIC REGRESSION": dict(group="report", accuracy_score=0.9895, precision_score=0.98, f1_score=0.984,
                                    recall_score=0.9895, roc_auc=0.80, pr_auc=0.05, balanced_accuracy=0.5, mcc=0.0,
                                    minority_precision=0.0, minority_recall=0.0, minority_f1=0.0,
                                    best_threshold=0.04, minority_precision_best=0.08, minority_recall_best=0.2,
                                    minority_f1_best=0.11),
        "EXTRA TREES CLASSIFIER": dict(group="report", accuracy_score=0.9905, precision_score=0.987, f1_score=0.986,
                                       recall_score=0.9905, roc_auc=0.85, pr_auc=0.20, balanced_accuracy=0.55,
                                       mcc=0.25, minority_precision=0.6, minority_recall=0.1, minority_f1=0.17,
                                       best_threshold=0.2, minority_precision_best=0.3, minority_recall_best=0.3,
                                       minority_f1_best=0.3),
        "LOGISTIC REGRESSION (class-weighted)": dict(group="weighted", accuracy_score=0.65, precision_score=0.986,
                                                     f1_score=0.77, recall_score=0.65, roc_auc=0.80, pr_auc=0.05,
                                                     balanced_accuracy=0.72, mcc=0.08, minority_precision=0.02,
                                                     minority_recall=0.8, minority_f1=0.04),
        "BROKEN": dict(group="report", status="failed", error="out of memory"),
    }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table["status"] = table["status"].fillna("ok") if "status" in table else "ok"
    return table


@pytest.fixture
def stored_like(cls_table):
    """An object shaped like config.SuiteTables: tables, test predictions indexed by the frame's rows, manifest."""
    from types import SimpleNamespace

    rng = np.random.default_rng(5)
    n = 400
    y_class = (rng.random(n) < 0.05).astype(int)
    predictions = pd.DataFrame({
        "y_true": rng.integers(0, 100, n), "y_class": y_class, "artist": "a",
        "reg::XGBoost": rng.uniform(0, 100, n), "reg::Dummy (mean)": 24.0,
        "cls::EXTRA TREES CLASSIFIER": np.clip(0.3 * y_class + rng.random(n) * 0.5, 0, 1),
    }, index=pd.Index(rng.choice(10_000, n, replace=False), name="row"))
    regression = pd.DataFrame({"group": ["baseline", "report"], "R2 Score": [0.0, 0.14], "status": "ok"},
                              index=["Dummy (mean)", "XGBoost"])
    return SimpleNamespace(regression_table=regression, classification_table=cls_table,
                           test_predictions=predictions, popular_threshold=73.0,
                           manifest={"created_at": "2024-05-01T10:11:12+00:00", "classes": [0, 1]})
