"""core.charts.eda: each builder returns a go.Figure with the expected traces, drawn from aggregates (never one mark per
song), with exact values on hover."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from core import report_figures as rf
from core import schema
from core.charts import eda as charts
from core.eda.binning import HIST_BINS
from core.eda.correlations import correlation_matrix, target_correlations
from core.eda.features import band_labels, feature_profile
from core.eda.popularity import popularity_profile


@pytest.fixture(scope="module")
def profiles(twin_small):
    return {
        "popularity": popularity_profile(twin_small[schema.TARGET]),
        "loudness": feature_profile(twin_small, "loudness"),
        "key": feature_profile(twin_small, "key"),
        "corr": correlation_matrix(twin_small),
    }


def types(fig: go.Figure) -> list[str]:
    return [trace.type for trace in fig.data]


def test_popularity_histogram_splits_the_popular_class_at_the_threshold(profiles):
    profile = profiles["popularity"]
    fig = charts.popularity_histogram_chart(profile)
    assert isinstance(fig, go.Figure) and types(fig) == ["bar", "bar"]
    rest, popular = fig.data
    assert min(popular.x) >= profile.threshold > max(rest.x)
    assert sum(rest.y) + sum(popular.y) == profile.n
    assert fig.layout.yaxis.title.text == "Frequency"
    assert any(f"{profile.threshold:g}" in a.text for a in fig.layout.annotations)


def test_popularity_density_has_shares_and_a_smoothed_curve(profiles):
    fig = charts.popularity_density_chart(profiles["popularity"])
    assert types(fig) == ["bar", "scatter"]
    assert sum(fig.data[0].y) == pytest.approx(1.0)
    assert fig.layout.yaxis.title.text == "Density fraction"


def test_feature_histogram_bars_and_discrete_tick_names(profiles):
    fig = charts.feature_histogram_chart(profiles["loudness"])
    assert types(fig) == ["bar"] and len(fig.data[0].x) == HIST_BINS
    assert fig.layout.xaxis.title.text == "Loudness (dB)"
    key = charts.feature_histogram_chart(profiles["key"])
    assert list(key.layout.xaxis.ticktext) == list(schema.KEY_NAMES)


def test_feature_histogram_stacks_colour_groups(twin_small):
    frame = twin_small.assign(explicit=np.arange(len(twin_small)) % 3 == 0)
    fig = charts.feature_histogram_chart(feature_profile(frame, "energy", group="explicit"))
    assert types(fig) == ["bar", "bar"] and fig.layout.barmode == "stack"
    assert {t.name for t in fig.data} == {"True", "False"}


def test_band_density_has_one_curve_per_popularity_band(profiles):
    fig = charts.band_density_chart(profiles["loudness"])
    assert types(fig) == ["scatter"] * len(band_labels())
    assert all(trace.mode == "lines" for trace in fig.data)
    key = charts.band_density_chart(profiles["key"])
    assert types(key) == ["bar"] * len(band_labels()) and key.layout.barmode == "group"


def test_binned_mean_has_a_confidence_band_and_the_mean_line(profiles):
    fig = charts.binned_mean_chart(profiles["loudness"], overall_mean=24.2)
    assert types(fig) == ["scatter", "scatter"]
    band, line = fig.data
    assert band.fill == "toself" and "95 % CI" in line.hovertemplate
    assert len(band.x) == 2 * len(line.x)


def test_regression_view_is_a_count_grid_with_a_fitted_line_not_points(profiles):
    profile = profiles["loudness"]
    fig = charts.regression_chart(profile)
    assert types(fig) == ["heatmap", "scatter"]
    assert np.asarray(fig.data[0].customdata).sum() == profile.n
    assert len(fig.data[1].x) == 2 and fig.data[1].name.startswith("fit: r = +")
    assert len(fig.to_json()) < 150_000


def test_charts_without_popularity_say_so(twin_small):
    profile = feature_profile(twin_small.drop(columns=schema.TARGET), "energy")
    for builder in (charts.band_density_chart, charts.binned_mean_chart, charts.regression_chart):
        fig = builder(profile)
        assert fig.data == () and "No popularity" in fig.layout.title.text


def test_correlation_heatmap_shows_two_decimals_and_exact_hover(profiles):
    corr = profiles["corr"]
    fig = charts.correlation_heatmap_chart(corr, "spearman")
    heat = fig.data[0]
    assert types(fig) == ["heatmap"] and list(heat.x) == list(corr.columns)
    assert heat.zmid == 0 and heat.text[0][0] == "1.00"
    assert "%{z:.6f}" in heat.hovertemplate and "Spearman" in fig.layout.title.text


def test_target_correlation_bars_are_sorted_and_carry_the_report(profiles):
    values = target_correlations(profiles["corr"])
    fig = charts.target_correlation_chart(values, rf.CORRELATION[schema.TARGET])
    bars, report = fig.data
    assert types(fig) == ["bar", "scatter"] and list(bars.x) == sorted(bars.x)
    assert bars.y[-1] == "loudness"
    assert dict(zip(report.y, report.x))["loudness"] == pytest.approx(0.244088)
    assert len(charts.target_correlation_chart(values).data) == 1
