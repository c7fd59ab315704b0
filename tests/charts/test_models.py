"""core.charts.models builds light figures: binned data, marked points, one trace per compared model."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd

from core.charts import models as charts
from core.comparison.diagnostics import density_grid, residual_profile
from core.comparison.tables import split_gap_table
from core.comparison.thresholds import (f1_optimal_threshold, pr_points, probability_histogram, roc_points,
                                        threshold_metrics)


def _scores(n=3_000, seed=0):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.02).astype(int)
    return y, np.clip(rng.beta(1, 20, n) + 0.3 * y * rng.random(n), 0, 1)


def test_metric_bar_chart_sorts_and_adds_cv_error_bars():
    view = pd.DataFrame({"R²": [0.14, 0.09, 0.0], "CV R² sd": [0.01, 0.02, np.nan]},
                        index=["XGBoost", "Linear Regression", "Dummy (mean)"])
    fig = charts.metric_bar_chart(view, "R²", "CV R² sd", highlight="XGBoost")
    bar = fig.data[0]
    assert list(bar.y) == ["Dummy (mean)", "Linear Regression", "XGBoost"]
    assert list(bar.error_x.array) == [0.0, 0.02, 0.01]
    assert "CV folds" in fig.layout.title.text
    assert charts.metric_bar_chart(view, "R²").data[0].error_x.array is None


def test_predicted_vs_actual_is_a_heatmap_not_points():
    rng = np.random.default_rng(0)
    actual = rng.integers(0, 101, 26_000)
    grid = density_grid(actual, np.clip(actual + rng.normal(0, 10, 26_000), 0, 100), bins=50)
    fig = charts.predicted_vs_actual_chart(grid, "XGBoost")
    assert fig.data[0].type == "heatmap" and np.asarray(fig.data[0].z).shape == (50, 50)
    assert len(fig.to_json()) < 200_000  # kilobytes, not 26k points


def test_threshold_charts_mark_current_and_best_points():
    y, proba = _scores()
    current = threshold_metrics(y, proba, 0.5)
    best = threshold_metrics(y, proba, f1_optimal_threshold(y, proba))
    roc = charts.roc_chart(roc_points(y, proba), current, best, auc=0.8)
    names = [trace.name for trace in roc.data]
    assert "threshold 0.500" in names and any(n.startswith("F1-best") for n in names)
    star = next(t for t in roc.data if t.name.startswith("F1-best"))
    assert star.x[0] == best.fpr and star.y[0] == best.recall
    pr = charts.pr_chart(pr_points(y, proba), current, best, base_rate=y.mean())
    star = next(t for t in pr.data if t.name.startswith("F1-best"))
    assert (star.x[0], star.y[0]) == (best.recall, best.precision)
    matrix = charts.confusion_matrix_chart(current)
    assert f"{current.tp:,}<br>" in matrix.data[0].text[1][1]


def test_pr_comparison_has_one_trace_per_model_and_histogram_is_log():
    curves = {f"model {i}": pr_points(*_scores(seed=i)) for i in range(3)}
    fig = charts.pr_comparison_chart(curves, base_rate=0.02, pr_auc={"model 0": 0.1})
    assert [t.name for t in fig.data] == ["model 0 (PR-AUC 0.100)", "model 1", "model 2"]
    y, proba = _scores()
    hist = charts.probability_histogram_chart(probability_histogram(proba, y), threshold=0.3)
    assert hist.layout.yaxis.type == "log" and len(hist.data) == 2


def test_residual_importance_and_gap_charts_serialise():
    profile = residual_profile(np.arange(100), np.full(100, 25.0))
    importance = pd.Series([0.3, 0.1], index=["loudness", "key"])
    gap = split_gap_table(pd.DataFrame({"R²": [0.14]}, index=["X"]), pd.DataFrame({"R²": [0.07]}, index=["X"]),
                              "R²")
    for fig in (charts.residual_chart(profile, "M"), charts.importance_chart(importance, "t"),
                charts.split_gap_chart(gap, "R²")):
        json.loads(fig.to_json())
    assert list(charts.importance_chart(importance, "t").data[0].y) == ["key", "loudness"]
