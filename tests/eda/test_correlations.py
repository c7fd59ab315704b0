"""core.eda.correlations: Pearson and Spearman matrices, degenerate columns, correlated pairs."""
from __future__ import annotations

import numpy as np
import pytest

from core import schema
from core.eda.alerts import correlation_alerts
from core.eda.correlations import correlated_pairs, correlation_matrix, target_correlations
from tests.eda.frames import songs


def test_correlated_pairs_are_found_once_and_exclude_the_target():
    n = 100
    energy = np.linspace(0, 1, n)
    frame = songs(n, energy=energy, loudness=-30 + 25 * energy + np.sin(np.arange(n)) * 0.5,
                  acousticness=1 - energy, popularity=(100 * energy).astype(int))
    pairs = correlated_pairs(correlation_matrix(frame))
    found = {frozenset((a, b)) for a, b in zip(pairs["a"], pairs["b"])}
    assert frozenset(("energy", "loudness")) in found and frozenset(("acousticness", "energy")) in found
    assert not any(schema.TARGET in pair for pair in found)
    assert len(found) == len(pairs)
    assert pairs["r"].abs().is_monotonic_decreasing
    kinds = {a.kind for a in correlation_alerts(correlation_matrix(frame))}
    assert kinds == {"high_correlation"}


def test_correlation_matrix_pearson_spearman_and_degenerate_cases():
    x = np.arange(1, 21, dtype=float)
    frame = songs(20, energy=x, loudness=x ** 3, popularity=x.astype(int))
    pearson = correlation_matrix(frame)
    spearman = correlation_matrix(frame, "spearman")
    assert pearson.loc["energy", "loudness"] < 0.95 and spearman.loc["energy", "loudness"] == pytest.approx(1)
    assert pearson.loc["energy", "popularity"] == pytest.approx(1)
    flat = songs(20, tempo=np.full(20, 120.0))
    assert np.isnan(correlation_matrix(flat).loc["tempo", "energy"])
    gaps = songs(20, energy=np.r_[np.nan, x[1:]], popularity=x.astype(int))
    assert correlation_matrix(gaps).loc["energy", "popularity"] == pytest.approx(1)
    assert correlation_matrix(songs(2)).isna().all().all()
    with pytest.raises(ValueError):
        correlation_matrix(frame, "kendall")
    ordered = target_correlations(pearson)
    assert schema.TARGET not in ordered.index and ordered.is_monotonic_increasing
