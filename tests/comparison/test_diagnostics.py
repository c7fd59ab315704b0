"""core.comparison.diagnostics: density grid and residual profile shapes."""
from __future__ import annotations

import numpy as np

from core.comparison.diagnostics import density_grid, residual_profile
from core.comparison.thresholds import probability_histogram


def test_density_residuals_and_histogram_shapes():
    rng = np.random.default_rng(0)
    actual = rng.integers(0, 101, 5_000)
    predicted = np.clip(actual * 0.3 + 20 + rng.normal(0, 5, 5_000), 0, 100)
    grid = density_grid(actual, predicted, bins=20)
    assert grid.shape == (20, 20) and grid.to_numpy().sum() == 5_000
    profile = residual_profile(actual, predicted)
    assert profile["count"].sum() == 5_000
    # a shrunk model under-predicts popular songs and over-predicts unpopular ones
    assert profile["median"].iloc[-1] > 0 > profile["median"].iloc[0]
    hist = probability_histogram(rng.random(100), np.r_[np.ones(10), np.zeros(90)], bins=10)
    assert hist["popular"].sum() == 10 and hist["not popular"].sum() == 90
