"""core.eda.features: one feature against popularity (binned means, fits, band densities, the written summary)."""
from __future__ import annotations

import numpy as np
import pytest

from core import schema
from core.eda.features import (REPORT_INSIGHTS, band_densities, band_labels, binned_mean_popularity, feature_profile,
                               linear_fit, rank_correlation, relation_stats, relation_summary, strength_word)
from tests.eda.frames import songs


def test_binned_mean_popularity_has_a_95_percent_band():
    x = np.r_[np.zeros(100), np.ones(100)]
    y = np.r_[np.full(50, 10.0), np.full(50, 30.0), np.full(100, 50.0)]
    table = binned_mean_popularity(x, y, np.array([-0.5, 0.5, 1.5]), min_rows=10)
    assert table["mean"].tolist() == [20.0, 50.0]
    sd = np.std(y[:100], ddof=1)
    assert table.loc[0, "ci_high"] - 20 == pytest.approx(1.959964 * sd / 10)
    assert table.loc[1, "ci_low"] == table.loc[1, "ci_high"] == 50.0
    few = binned_mean_popularity(x, y, np.array([-0.5, 0.5, 1.5]), min_rows=101)
    assert few["mean"].isna().all() and few["n"].tolist() == [100, 100]


def test_linear_fit_and_rank_correlation():
    x = np.arange(10, dtype=float)
    fit = linear_fit(x, 3 + 2 * x)
    assert fit.slope == pytest.approx(2) and fit.intercept == pytest.approx(3) and fit.r == pytest.approx(1)
    assert linear_fit(np.ones(10), x) is None and linear_fit(x[:2], x[:2]) is None
    assert rank_correlation(x, np.exp(x)) == pytest.approx(1)


def test_band_densities_are_normalised_within_each_band():
    rng = np.random.default_rng(2)
    popularity = rng.integers(0, 100, 5_000).astype(float)
    loudness = -15 + 0.1 * popularity + rng.normal(0, 2, 5_000)
    edges = np.linspace(loudness.min(), loudness.max(), 81)
    table = band_densities(loudness, popularity, edges)
    width = edges[1] - edges[0]
    for band in band_labels():
        assert table[band].sum() * width == pytest.approx(1.0)
    peaks = [table.loc[table[band].idxmax(), "center"] for band in band_labels()]
    assert peaks == sorted(peaks)                                    # louder songs sit in more popular bands
    assert sum(table.attrs["n"].values()) == 5_000


def test_relation_summary_is_written_from_the_numbers():
    rng = np.random.default_rng(3)
    popularity = rng.integers(0, 100, 2_000).astype(float)
    loudness = -20 + 0.1 * popularity + rng.normal(0, 5, 2_000)
    stats = relation_stats(loudness, popularity, "loudness", threshold=90)
    text = relation_summary(stats)
    assert strength_word(stats.pearson) in text and "positive" in text
    assert f"r = {stats.pearson:+.2f}" in text and "Popular songs (popularity ≥ 90" in text
    negative = relation_summary(relation_stats(-loudness, popularity, "instrumentalness", 90))
    assert "negative" in negative
    mode = relation_summary(relation_stats((popularity > 50).astype(float), popularity, "mode", 90, True))
    assert "major key" in mode
    assert relation_summary(None).startswith("Too few")


def test_feature_profile_bundles_every_view_and_quotes_the_report():
    rng = np.random.default_rng(4)
    n = 3_000
    popularity = rng.integers(0, 100, n)
    frame = songs(n, popularity=popularity, instrumentalness=np.where(rng.random(n) < 0.3, 0.0, rng.random(n)),
                  key=rng.integers(0, 12, n))
    profile = feature_profile(frame, "instrumentalness")
    assert profile.histogram["count"].sum() + profile.n_outside == n
    assert profile.report_insights == REPORT_INSIGHTS["instrumentalness"]
    assert profile.heatmap.to_numpy().sum() == n and profile.fit is not None
    key = feature_profile(frame, "key")
    assert key.discrete and len(key.histogram) == 12 and key.report_insights == ()
    no_target = feature_profile(frame.drop(columns=schema.TARGET), "energy")
    assert no_target.binned_mean is None and "no popularity" in no_target.summary
