"""core.eda.binning: bins, histograms and smoothed densities on values whose counts are known by hand."""
from __future__ import annotations

import numpy as np
import pytest

from core.eda.binning import bin_edges, display_range, histogram, is_discrete, smooth_density


def test_histogram_counts_every_value_in_range():
    values = np.array([0.0, 0.1, 0.1, 0.5, 0.99, np.nan])
    table = histogram(values, np.linspace(0, 1, 11))
    assert table["count"].sum() == 5 and table.loc[1, "count"] == 2
    assert table["share"].sum() == pytest.approx(1.0)


def test_smoothed_density_integrates_to_one_and_keeps_its_mass_inside():
    edges = np.linspace(0, 10, 101)
    counts = np.zeros(100)
    counts[0] = 500                                                     # a spike at the edge (like popularity 0)
    density = smooth_density(counts, edges, bandwidth=0.5)
    assert density.sum() * 0.1 == pytest.approx(1.0)
    assert density[0] == density.max()


def test_discrete_columns_get_one_bin_per_value():
    keys = np.array([0, 1, 1, 5, 11], dtype=float)
    assert is_discrete(keys, "key")
    edges = bin_edges(keys, "key")
    assert edges[0] == -0.5 and edges[-1] == 11.5 and len(edges) == 13
    assert not is_discrete(np.linspace(0, 1, 50), "energy")
    durations = np.array([3_203.0, 200_000.0, 5_610_020.0])                # few values, huge span: bins
    assert not is_discrete(durations, "duration_ms") and len(bin_edges(durations, "duration_ms")) <= 61


def test_whole_numbers_get_bins_of_whole_widths():
    edges = bin_edges(np.arange(101.0), "popularity", bins=40)
    assert edges[0] == -0.5 and set(np.diff(edges)) == {3.0} and edges[-1] >= 100.5


def test_display_range_drops_far_outliers_only():
    rng = np.random.default_rng(1)
    values = np.r_[rng.normal(-8, 3, 10_000), [-60.0]]                  # loudness with one silent track
    low, high = display_range(values)
    assert low > -60 and high < values.max() + 1e-9
    bounded = rng.uniform(0, 1, 10_000)
    assert display_range(bounded) == (bounded.min(), bounded.max())
