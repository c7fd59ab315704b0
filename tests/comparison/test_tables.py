"""core.comparison.tables: the leaderboard views, best cells (baselines not ranked) and the split gap."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.comparison.tables import (best_flags, classification_report_view, failed_models, honest_view,
                                    regression_view, split_gap_table, split_gaps, style_best)
from core.comparison.text import split_gap_sentence


def test_views_drop_failed_models_and_pair_suites(cls_table):
    assert failed_models(cls_table) == {"BROKEN": "out of memory"}
    report = classification_report_view(cls_table)
    assert "BROKEN" not in report.index
    assert list(report.columns) == ["suite", "accuracy_score", "precision_score", "f1_score", "recall_score"]
    assert report.index[0] == "Majority baseline"
    honest = honest_view(cls_table)
    names = list(honest.index)
    # the plain and class-weighted logistic regression sit next to each other, plain first
    i = names.index("LOGISTIC REGRESSION")
    assert names[i + 1] == "LOGISTIC REGRESSION (class-weighted)"
    assert honest.loc[names[i + 1], "suite"] == "class-weighted"
    assert "ROC-AUC" in honest and "popular recall" in honest


def test_best_flags_follow_the_metric_direction():
    view = pd.DataFrame({"MSE": [3.0, 1.0, 2.0], "R²": [0.1, 0.3, 0.3], "CV R² sd": [0.5, 0.1, 0.2]},
                        index=["a", "b", "c"])
    flags = best_flags(view)
    assert flags["MSE"].tolist() == [False, True, False]
    assert flags["R²"].tolist() == [False, True, True]  # ties are all flagged
    assert not flags["CV R² sd"].any()  # a spread is not a score
    styles = style_best(view)._compute().ctx
    assert sorted(cell for cell, css in styles.items() if any("background-color" in p for p, _ in css)) == [
        (1, 0), (1, 1), (2, 1)]


def test_regression_view_renames_and_keeps_cv_only_when_run():
    table = pd.DataFrame({"MSE": [355.0, 390.0], "MAE": [15.5, 17.0], "R2 Score": [0.09, 0.0], "RMSE": [18.8, 19.7],
                          "cv_R2_mean": [np.nan, np.nan], "fit_s": [0.1, 0.0], "predict_us_per_row": [0.2, 0.1],
                          "status": ["ok", "ok"], "error": [None, None]},
                         index=["Linear Regression", "Dummy (mean)"])
    view = regression_view(table)
    assert list(view.columns) == ["MSE", "MAE", "R²", "RMSE", "fit (s)", "predict (µs/row)"]


def test_split_gap_table_and_sentence():
    random_view = pd.DataFrame({"R²": [0.145, 0.09]}, index=["XGBoost", "Linear Regression"])
    grouped_view = pd.DataFrame({"R²": [0.07, 0.06]}, index=["XGBoost", "Linear Regression"])
    gap = split_gap_table(random_view, grouped_view, "R²")
    assert gap.loc["XGBoost", "gap"] == pytest.approx(-0.075)
    sentence = split_gap_sentence(gap, "R²")
    assert "XGBoost" in sentence and "0.145" in sentence and "0.070" in sentence and "same artist" in sentence
    agree = split_gap_sentence(split_gap_table(random_view, random_view, "R²"), "R²")
    assert "agree closely" in agree
    assert "no gap" in split_gap_sentence(split_gap_table(random_view, grouped_view, "MSE"), "MSE")


def test_baselines_are_not_ranked(cls_table):
    view = honest_view(cls_table)
    flags = best_flags(view)
    assert not flags.loc["Majority baseline"].any()
    reg = pd.DataFrame({"fit (s)": [0.0, 1.0, 2.0]}, index=["Dummy (mean)", "A", "B"])
    assert best_flags(reg, skip_rows=["Dummy (mean)"])["fit (s)"].tolist() == [False, True, False]


def test_split_gaps_leave_baselines_out(stored_like):
    from types import SimpleNamespace

    grouped = SimpleNamespace(regression_table=stored_like.regression_table.assign(**{"R2 Score": [0.0, 0.07]}),
                              classification_table=stored_like.classification_table)
    gaps = split_gaps(stored_like, grouped)
    (_, metric, regression_gap), (_, cls_metric, _) = gaps
    assert metric == "R²" and cls_metric == "PR-AUC"
    assert list(regression_gap.index) == ["XGBoost"] and regression_gap.loc["XGBoost", "gap"] == pytest.approx(-0.07)
