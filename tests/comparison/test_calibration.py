"""Reliability curves and the calibrated / not calibrated verdict."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.comparison import calibration


def _calibrated(n=200_000, seed=0):
    rng = np.random.default_rng(seed)
    p = rng.uniform(0, 1, n)
    return (rng.uniform(size=n) < p).astype(int), p


def test_a_perfectly_calibrated_model_lies_on_the_diagonal():
    y, p = _calibrated()
    curve = calibration.reliability_curve(y, p, n_bins=10)
    assert len(curve) == 10 and curve["count"].sum() == len(p)
    assert np.abs(curve["observed"] - curve["predicted"]).max() < 0.02
    result = calibration.calibration_of(y, p)
    assert result.calibrated and result.verdict() == "calibrated"


def test_counts_follow_the_bins_of_calibration_curve():
    rng = np.random.default_rng(4)
    p = np.round(rng.beta(0.5, 20, 5_000), 3)  # heavy ties near 0, as most classifiers' P(popular) here
    y = (rng.uniform(size=p.size) < p).astype(int)
    curve = calibration.reliability_curve(y, p, n_bins=10)
    assert curve["count"].sum() == len(p)
    weighted = (curve["predicted"] * curve["count"]).sum() / len(p)
    assert weighted == pytest.approx(p.mean())  # every song counted once, in the bin of its own mean P


def test_inflated_probabilities_are_called_overstated():
    y, p = _calibrated()
    result = calibration.calibration_of(y, np.sqrt(p))
    assert not result.calibrated and result.direction == "over"
    assert result.verdict().startswith("overstates the chance")
    assert calibration.calibration_of(y, p ** 2).direction == "under"


def test_suite_calibration_has_a_row_per_classifier_and_brier_beside_the_constant():
    y, p = _calibrated(20_000)
    predictions = pd.DataFrame({"y_class": y, "cls::Good": p, "cls::Inflated": np.sqrt(p)})
    table = calibration.suite_calibration(predictions, {"classes": [0, 1]})
    assert list(table.index) == ["Good", "Inflated"]
    assert table.loc["Good", "calibrated"] and not table.loc["Inflated", "calibrated"]
    assert table.loc["Good", "brier"] < table.loc["Good", "brier_constant"]


def test_a_single_class_test_set_has_no_curve():
    assert calibration.reliability_curve(np.zeros(50), np.linspace(0, 1, 50)).empty
    assert calibration.calibration_of(np.zeros(50), np.linspace(0, 1, 50)) is None
