"""The metrics equal scikit-learn's, and the F1 threshold is the best a brute-force search can find."""
from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.metrics import (accuracy_score, average_precision_score, balanced_accuracy_score, f1_score,
                             matthews_corrcoef, mean_absolute_error, mean_squared_error, precision_score, r2_score,
                             recall_score, roc_auc_score)

from core.models import metrics


@pytest.fixture(scope="module")
def binary_example():
    rng = np.random.default_rng(3)
    y = (rng.random(400) < 0.08).astype(int)
    proba = np.clip(0.25 * y + rng.random(400) * 0.7, 0, 1).round(3)  # rounded: ties on purpose
    return y, proba


def test_regression_metrics_equal_sklearn():
    y = np.array([0, 10, 25, 40, 73, 90, 5, 5])
    pred = np.array([3.5, 12.0, 20.0, 44.0, 60.0, 70.0, 9.0, 1.0])
    got = metrics.regression_metrics(y, pred)
    assert got["MSE"] == pytest.approx(mean_squared_error(y, pred))
    assert got["MAE"] == pytest.approx(mean_absolute_error(y, pred))
    assert got["R2 Score"] == pytest.approx(r2_score(y, pred))
    assert got["RMSE"] == pytest.approx(math.sqrt(mean_squared_error(y, pred)))


def test_report_classification_metrics_are_the_weighted_averages(binary_example):
    y, proba = binary_example
    pred = (proba >= 0.5).astype(int)
    got = metrics.report_classification_metrics(y, pred)
    assert list(got) == ["accuracy_score", "precision_score", "f1_score", "recall_score"]
    assert got["accuracy_score"] == pytest.approx(accuracy_score(y, pred))
    assert got["precision_score"] == pytest.approx(precision_score(y, pred, average="weighted"))
    assert got["f1_score"] == pytest.approx(f1_score(y, pred, average="weighted"))
    assert got["recall_score"] == pytest.approx(recall_score(y, pred, average="weighted"))
    assert got["recall_score"] == pytest.approx(got["accuracy_score"])  # as in every row of the report


def _f1_at(y, proba, threshold):
    return f1_score(y, (proba >= threshold).astype(int), zero_division=0)


def test_f1_threshold_matches_a_brute_force_search(binary_example):
    y, proba = binary_example
    best = metrics.find_best_threshold_f1(y, proba)
    candidates = np.unique(proba)
    brute_scores = np.array([_f1_at(y, proba, t) for t in candidates])
    assert _f1_at(y, proba, best) == pytest.approx(brute_scores.max(), abs=1e-9)
    # the report's argmax takes the first (lowest) of tied thresholds
    assert best == pytest.approx(candidates[int(np.argmax(brute_scores))])


def test_f1_threshold_is_the_reports_code(binary_example):
    from sklearn.metrics import precision_recall_curve

    y, proba = binary_example
    precisions, recalls, thresholds = precision_recall_curve(y, proba)
    f1_scores = (2 * precisions * recalls) / (precisions + recalls + 1e-10)
    assert metrics.find_best_threshold_f1(y, proba) == thresholds[np.argmax(f1_scores)]


def test_f1_threshold_is_nan_without_positives():
    assert math.isnan(metrics.find_best_threshold_f1([0, 0, 0], [0.1, 0.5, 0.9]))


def test_every_classification_column_equals_sklearn(binary_example):
    y, proba = binary_example
    pred = (proba >= 0.5).astype(int)
    got = metrics.classification_metrics(y, pred, proba)
    assert list(got) == list(metrics.CLASSIFICATION_METRICS)
    assert got["roc_auc"] == pytest.approx(roc_auc_score(y, proba))
    assert got["pr_auc"] == pytest.approx(average_precision_score(y, proba))
    assert got["balanced_accuracy"] == pytest.approx(balanced_accuracy_score(y, pred))
    assert got["mcc"] == pytest.approx(matthews_corrcoef(y, pred))
    assert got["minority_precision"] == pytest.approx(precision_score(y, pred, zero_division=0))
    assert got["minority_recall"] == pytest.approx(recall_score(y, pred))
    assert got["minority_f1"] == pytest.approx(f1_score(y, pred))
    best = metrics.find_best_threshold_f1(y, proba)
    at_best = (proba >= best).astype(int)
    assert got["best_threshold"] == best
    assert got["minority_precision_best"] == pytest.approx(precision_score(y, at_best))
    assert got["minority_recall_best"] == pytest.approx(recall_score(y, at_best))
    assert got["minority_f1_best"] == pytest.approx(f1_score(y, at_best))
    assert got["minority_f1_best"] >= got["minority_f1"]


def test_probability_matrix_and_single_column_agree(binary_example):
    y, proba = binary_example
    pred = (proba >= 0.5).astype(int)
    assert metrics.classification_metrics(y, pred, proba) == pytest.approx(
        metrics.classification_metrics(y, pred, np.column_stack([1 - proba, proba])), nan_ok=True)


def test_single_class_test_set_gives_nan_not_an_exception():
    y = np.zeros(50, dtype=int)
    got = metrics.classification_metrics(y, np.zeros(50, dtype=int), np.linspace(0, 0.4, 50))
    assert got["accuracy_score"] == 1.0
    for key in ("roc_auc", "pr_auc", "best_threshold", "minority_f1_best"):
        assert math.isnan(got[key]), key


def test_three_classes_report_the_top_bin():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 300)
    proba = rng.dirichlet([1, 1, 1], 300)
    proba[np.arange(300), y] += 0.5
    proba /= proba.sum(axis=1, keepdims=True)
    pred = proba.argmax(axis=1)
    got = metrics.classification_metrics(y, pred, proba, classes=[0, 1, 2])
    assert got["accuracy_score"] == pytest.approx(accuracy_score(y, pred))
    assert got["roc_auc"] == pytest.approx(roc_auc_score(y, proba, multi_class="ovr", average="weighted"))
    assert got["pr_auc"] == pytest.approx(average_precision_score(y == 2, proba[:, 2]))
    assert got["minority_recall"] == pytest.approx(recall_score(y == 2, pred == 2))


def test_cv_mean_and_sd():
    mean, sd = metrics.mean_and_sd([0.1, 0.2, 0.3, float("nan")])
    assert mean == pytest.approx(0.2) and sd == pytest.approx(np.std([0.1, 0.2, 0.3], ddof=1))
    assert all(math.isnan(v) for v in metrics.mean_and_sd([]))
    scores = metrics.fold_scores("regression", [1.0, 2.0, 3.0], [1.0, 2.5, 2.5])
    assert scores["R2"] == pytest.approx(r2_score([1, 2, 3], [1, 2.5, 2.5]))
