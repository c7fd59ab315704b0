"""core.comparison.summary: one stored suite at a glance, and which configurations are offered first."""
from __future__ import annotations

import pytest

from core.comparison.diagnostics import regression_diagnostics
from core.comparison.summary import prediction_models, preferred_order, suite_summary
from core.comparison.thresholds import classification_curves


def test_preferred_order_puts_the_report_settings_then_random_splits_first():
    from types import SimpleNamespace

    def config(key, grouped):
        return SimpleNamespace(key=lambda: key, grouped=grouped)

    newest_first = [config("g-new", True), config("r-new", False), config("report", False), config("r-old", False)]
    assert preferred_order(newest_first, config("report", False)) == ["report", "r-new", "r-old", "g-new"]


def test_suite_summary_and_curves_from_stored_tables(stored_like):
    summary = suite_summary(stored_like)
    assert summary.n_test == 400 and summary.n_positive == int(stored_like.test_predictions["y_class"].sum())
    assert summary.best_regressor == "XGBoost" and summary.regression_baselines == ["Dummy (mean)"]
    assert summary.best_classifier == "EXTRA TREES CLASSIFIER"  # highest PR-AUC among real models
    assert summary.classifiers_by_pr_auc[-1] == "Majority baseline"
    assert summary.trained_at == "2024-05-01 10:11"
    assert prediction_models(stored_like.test_predictions) == (["XGBoost", "Dummy (mean)"],
                                                                   ["EXTRA TREES CLASSIFIER"])
    curves = classification_curves(stored_like.test_predictions, "EXTRA TREES CLASSIFIER", stored_like.manifest)
    assert curves.base_rate == pytest.approx(summary.positive_rate)
    assert 0.5 < curves.roc_auc <= 1 and curves.pr_auc > curves.base_rate
    grid, profile = regression_diagnostics(stored_like.test_predictions, "XGBoost")
    assert grid.to_numpy().sum() == 400 and profile["count"].sum() == 400
