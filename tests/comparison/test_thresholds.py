"""core.comparison.thresholds: metrics at a threshold match scikit-learn, the F1-best cut, thinned curves, the
probability histogram."""
from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import confusion_matrix, f1_score, precision_score, recall_score

from core.comparison.thresholds import (f1_optimal_threshold, pr_points, probability_histogram, roc_points,
                                        threshold_metrics)


@pytest.fixture(scope="module")
def scores():
    """2,000 songs, ~1 % popular, probabilities that rank popular songs higher but not perfectly."""
    rng = np.random.default_rng(3)
    y = (rng.random(2_000) < 0.01).astype(int)
    y[:5] = 1  # at least a few positives whatever the seed
    proba = np.clip(rng.beta(1, 30, size=2_000) + 0.25 * y * rng.random(2_000), 0, 1)
    return y, proba


def test_threshold_metrics_match_sklearn(scores):
    y, proba = scores
    for threshold in (0.02, 0.1, 0.5):
        result = threshold_metrics(y, proba, threshold)
        predicted = (proba >= threshold).astype(int)
        tn, fp, fn, tp = confusion_matrix(y, predicted, labels=[0, 1]).ravel()
        assert (result.tn, result.fp, result.fn, result.tp) == (tn, fp, fn, tp)
        assert result.precision == pytest.approx(precision_score(y, predicted, zero_division=0))
        assert result.recall == pytest.approx(recall_score(y, predicted))
        assert result.f1 == pytest.approx(f1_score(y, predicted, zero_division=0))
        assert result.confusion_frame().to_numpy().sum() == len(y)


def test_raising_the_threshold_never_adds_predicted_positives(scores):
    y, proba = scores
    positives = [threshold_metrics(y, proba, t) for t in np.linspace(0, 1, 21)]
    flagged = [r.tp + r.fp for r in positives]
    assert flagged == sorted(flagged, reverse=True)
    assert flagged[0] == len(y) and positives[-1].tp + positives[-1].fp <= 1


def test_f1_optimal_threshold_beats_every_other_cut(scores):
    y, proba = scores
    best = f1_optimal_threshold(y, proba)
    best_f1 = threshold_metrics(y, proba, best).f1
    assert all(threshold_metrics(y, proba, t).f1 <= best_f1 + 1e-9 for t in np.unique(proba)[::7])
    assert f1_optimal_threshold(np.zeros(10), np.linspace(0, 1, 10)) == 0.5  # one class: undefined -> default


def test_curves_are_thinned_and_keep_their_ends(scores):
    y, proba = scores
    roc = roc_points(y, proba, max_points=50)
    pr = pr_points(y, proba, max_points=50)
    assert len(roc) <= 50 and len(pr) <= 50
    assert (roc["fpr"].iloc[0], roc["tpr"].iloc[0]) == (0.0, 0.0)
    assert (roc["fpr"].iloc[-1], roc["tpr"].iloc[-1]) == (1.0, 1.0)
    assert roc["fpr"].is_monotonic_increasing and roc["threshold"].max() <= 1.0
    assert pr["recall"].iloc[0] == 1.0 and pr["recall"].iloc[-1] == 0.0
    assert roc_points(np.zeros(5), np.linspace(0, 1, 5)).empty


def test_mismatched_lengths_are_an_error():
    with pytest.raises(ValueError, match="3 labels but 2"):
        threshold_metrics([0, 1, 0], [0.1, 0.2], 0.5)


def test_probability_histogram_zooms_to_the_probabilities():
    hist = probability_histogram(np.linspace(0, 0.2, 100), np.zeros(100), bins=10)
    assert hist["right"].iloc[-1] == pytest.approx(0.204)
    assert probability_histogram([0.001], [0], bins=5)["right"].iloc[-1] == 0.05  # never narrower than 0.05
