"""Plotly figure builders for the Overview and Distributions & correlations pages: core.eda tables in, go.Figure out.

Every figure is drawn from aggregates (counts per bin, binned means, a 2-D count grid, a 14×14 matrix), so the
browser receives kilobytes whatever the number of songs, and hover shows the exact numbers behind each mark.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from core import schema
from core.eda.features import FeatureProfile, LinearFit
from core.eda.popularity import PopularityProfile

ACCENT = "#1DB954"      # Spotify green: the popular class, the thing to look at
BLUE = "#4e79a7"
WARN = "#f28e2b"
MUTED = "#9aa0a6"
PALETTE = ("#1DB954", "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
           "#bab0ac")
FEATURE_ROW_HEIGHT = 400  # the histogram and the band densities sit side by side
BAND_COLOURS = ("#4e79a7", "#76b7b2", "#edc948", "#1DB954", "#e15759")


def axis_title(name: str) -> str:
    """`Loudness (dB)` for a schema feature, the column name otherwise."""
    feature = schema.FEATURES_BY_NAME.get(name)
    if feature is None:
        return name.replace("_", " ").capitalize()
    return f"{feature.label} ({feature.unit})" if feature.unit else feature.label


def _layout(fig: go.Figure, title: str, height: int = 360) -> go.Figure:
    # No plotly template: Streamlit's own chart theme follows the app's (dark) theme, and setting a named template
    # costs ~15 ms per figure on every rerun.
    fig.update_layout(title=dict(text=title, x=0, xanchor="left"), height=height,
                      margin=dict(l=10, r=10, t=56, b=10), bargap=0.02,
                      legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1))
    return fig


# ---- popularity ------------------------------------------------------------------------------------------------------

def popularity_histogram_chart(profile: PopularityProfile) -> go.Figure:
    """The report's 'Frequency' plot: songs per popularity value, the popular class (≥ 99th percentile) in green."""
    table = profile.histogram
    popular = table["center"] >= profile.threshold if np.isfinite(profile.threshold) else table["center"] < -1
    fig = go.Figure()
    for mask, name, colour in ((~popular, "not popular", BLUE), (popular, "popular (top 1 %)", ACCENT)):
        part = table[mask]
        fig.add_trace(go.Bar(x=part["center"], y=part["count"], name=name, marker_color=colour, width=1.0,
                             customdata=100 * part["share"],
                             hovertemplate="popularity %{x:.0f}: %{y:,} songs (%{customdata:.2f} %)<extra></extra>"))
    if np.isfinite(profile.threshold):
        fig.add_vline(x=profile.threshold - 0.5, line=dict(color=ACCENT, dash="dash", width=1),
                      annotation_text=f"99th percentile = {profile.threshold:g}", annotation_position="top right")
    fig.update_layout(barmode="overlay")
    fig.update_xaxes(title="popularity")
    fig.update_yaxes(title="Frequency")
    return _layout(fig, f"Popularity: frequency ({profile.n:,} songs)")


def popularity_density_chart(profile: PopularityProfile) -> go.Figure:
    """The report's 'Density fraction' plot: the share of songs at each popularity and a smoothed density."""
    table = profile.histogram
    fig = go.Figure()
    fig.add_trace(go.Bar(x=table["center"], y=table["share"], name="share of songs", marker_color=BLUE, opacity=0.55,
                         width=1.0, hovertemplate="popularity %{x:.0f}: %{y:.4f} of songs<extra></extra>"))
    fig.add_trace(go.Scatter(x=table["center"], y=table["density"], name="smoothed density", mode="lines",
                             line=dict(color=ACCENT, width=2),
                             hovertemplate="popularity %{x:.0f}: density %{y:.4f}<extra></extra>"))
    # The lower of mean and median is labelled on its left, the higher on its right, so the labels never collide.
    mean_is_higher = profile.mean >= profile.median
    fig.add_vline(x=profile.median, line=dict(color=MUTED, dash="dot", width=1),
                  annotation_text=f"median {profile.median:g}",
                  annotation_position="top left" if mean_is_higher else "top right")
    fig.add_vline(x=profile.mean, line=dict(color=WARN, dash="dot", width=1), annotation_text=f"mean {profile.mean:.1f}",
                  annotation_position="top right" if mean_is_higher else "top left")
    fig.update_xaxes(title="popularity")
    fig.update_yaxes(title="Density fraction")
    return _layout(fig, f"Popularity: density (skewness {profile.skew:+.2f})")


# ---- one feature -----------------------------------------------------------------------------------------------------

def feature_histogram_chart(profile: FeatureProfile) -> go.Figure:
    """Songs per bin of the feature; stacked by colour group when the histogram has a `group` column."""
    table = profile.histogram
    title = axis_title(profile.feature)
    fig = go.Figure()
    width = (table["right"] - table["left"]).to_numpy()
    tick = _tick_labels(profile.feature, table["center"]) if profile.discrete else None
    groups = list(dict.fromkeys(table["group"])) if "group" in table.columns else [None]
    for i, group in enumerate(groups):
        part = table if group is None else table[table["group"] == group]
        fig.add_trace(go.Bar(
            x=part["center"], y=part["count"], width=width[: len(part)], name=str(group or "songs"),
            marker_color=PALETTE[i % len(PALETTE)] if group is not None else BLUE,
            customdata=np.column_stack([part["left"], part["right"]]),
            hovertemplate=("%{x}" if profile.discrete else "%{customdata[0]:.4g} to %{customdata[1]:.4g}")
            + ": %{y:,} songs<extra>" + (str(group) if group is not None else "") + "</extra>"))
    fig.update_layout(barmode="stack", showlegend=len(groups) > 1)
    fig.update_xaxes(title=title, **(tick or {}))
    fig.update_yaxes(title="songs")
    outside = f" · {profile.n_outside:,} outliers beyond the axis" if profile.n_outside else ""
    label = schema.FEATURES_BY_NAME[profile.feature].label if profile.feature in schema.FEATURES_BY_NAME else title
    return _layout(fig, f"{label}: distribution{outside}", height=FEATURE_ROW_HEIGHT)


def _tick_labels(feature: str, centers: pd.Series) -> dict | None:
    """Note names for key, major/minor for mode, 4/4 for time signature on a discrete axis."""
    spec = schema.FEATURES_BY_NAME.get(feature)
    if spec is None or len(centers) > 24:
        return None
    values = [float(v) for v in centers]
    return dict(tickmode="array", tickvals=values, ticktext=[spec.format_value(v) for v in values])


def band_density_chart(profile: FeatureProfile) -> go.Figure:
    """The feature's density within each popularity band (the report's loudness/instrumentalness density plots):
    one curve per band (grouped bars for discrete features), each integrating to 1 so small bands compare."""
    table = profile.band_density
    fig = go.Figure()
    if table is None:
        return _layout(fig, "No popularity column: nothing to compare")
    sizes = table.attrs.get("n", {})
    bands = [c for c in table.columns if c != "center"]
    for colour, band in zip(BAND_COLOURS, bands):
        name = f"{band} ({sizes.get(band, 0):,})"
        if profile.discrete:
            fig.add_trace(go.Bar(x=table["center"], y=table[band], name=name, marker_color=colour,
                                 hovertemplate="%{x}: %{y:.3f} of the band<extra>" + band + "</extra>"))
        else:
            fig.add_trace(go.Scatter(x=table["center"], y=table[band], name=name, mode="lines",
                                     line=dict(color=colour, width=2),
                                     hovertemplate="%{x:.4g}: density %{y:.4g}<extra>" + band + "</extra>"))
    if profile.discrete:
        fig.update_layout(barmode="group")
        fig.update_xaxes(**(_tick_labels(profile.feature, table["center"]) or {}))
    fig.update_xaxes(title=axis_title(profile.feature))
    fig.update_yaxes(title="share of band" if profile.discrete else "density")
    _layout(fig, "Density per popularity band")
    fig.update_layout(legend=dict(title="popularity", orientation="h", yanchor="top", y=-0.2, xanchor="left", x=0),
                      height=FEATURE_ROW_HEIGHT, margin=dict(b=70))
    return fig


def binned_mean_chart(profile: FeatureProfile, overall_mean: float | None = None) -> go.Figure:
    """Mean popularity per feature bin with its 95 % confidence band (bins with too few songs are left out)."""
    table = profile.binned_mean
    fig = go.Figure()
    if table is None:
        return _layout(fig, "No popularity column: nothing to average")
    shown = table.dropna(subset=["mean"])
    fig.add_trace(go.Scatter(
        x=np.concatenate([shown["center"], shown["center"][::-1]]),
        y=np.concatenate([shown["ci_high"], shown["ci_low"][::-1]]),
        fill="toself", fillcolor="rgba(29,185,84,0.22)", line=dict(width=0), hoverinfo="skip", name="95 % CI"))
    fig.add_trace(go.Scatter(
        x=shown["center"], y=shown["mean"], mode="lines+markers", name="mean popularity",
        line=dict(color=ACCENT, width=2), marker=dict(size=5),
        customdata=np.column_stack([shown["n"], shown["ci_low"], shown["ci_high"]]),
        hovertemplate="%{x:.4g}: mean popularity %{y:.2f} (95 % CI %{customdata[1]:.2f}–%{customdata[2]:.2f}, "
                      "%{customdata[0]:,} songs)<extra></extra>"))
    if overall_mean is not None and np.isfinite(overall_mean):
        fig.add_hline(y=overall_mean, line=dict(color=MUTED, dash="dot", width=1),
                      annotation_text=f"mean of these songs {overall_mean:.1f}", annotation_position="top left")
    if profile.discrete:
        fig.update_xaxes(**(_tick_labels(profile.feature, shown["center"]) or {}))
    fig.update_xaxes(title=axis_title(profile.feature))
    fig.update_yaxes(title="mean popularity")
    return _layout(fig, "Mean popularity by value, with 95 % confidence band")


def regression_chart(profile: FeatureProfile) -> go.Figure:
    """The report's regression plot, readable at any size: a 2-D count heatmap (log colour) of popularity against the
    feature, with the least-squares line on top."""
    grid = profile.heatmap
    fig = go.Figure()
    if grid is None:
        return _layout(fig, "No popularity column: nothing to regress")
    counts = grid.to_numpy(dtype=float)
    top = max(float(counts.max()), 1.0)
    ticks = [v for v in (1, 10, 100, 1_000, 10_000, 100_000) if v <= top * 10]
    fig.add_trace(go.Heatmap(
        x=grid.columns.to_numpy(dtype=float), y=grid.index.to_numpy(dtype=float),
        z=np.where(counts > 0, np.round(np.log10(np.maximum(counts, 1)), 3), np.nan), customdata=counts,
        colorscale="Viridis", zmin=0, colorbar=dict(title="songs", tickvals=[np.log10(v) for v in ticks],
                                                    ticktext=[f"{v:,}" for v in ticks]),
        hovertemplate="feature ≈ %{x:.4g}, popularity ≈ %{y:.0f}: %{customdata:,.0f} songs<extra></extra>"))
    fit: LinearFit | None = profile.fit
    if fit is not None:
        x = np.array([grid.columns.min(), grid.columns.max()], dtype=float)
        fig.add_trace(go.Scatter(x=x, y=fit.predict(x), mode="lines", name=f"fit: r = {fit.r:+.3f}",
                                 line=dict(color=WARN, width=3),
                                 hovertemplate=f"popularity = {fit.intercept:.3g} + {fit.slope:.3g} × feature"
                                               "<extra></extra>"))
    if profile.discrete:
        fig.update_xaxes(**(_tick_labels(profile.feature, pd.Series(grid.columns)) or {}))
    fig.update_xaxes(title=axis_title(profile.feature))
    fig.update_yaxes(title="popularity", range=[-1, 101])
    return _layout(fig, "Popularity against the feature: song density and linear fit")


# ---- correlations ----------------------------------------------------------------------------------------------------

def correlation_heatmap_chart(corr: pd.DataFrame, method: str = "pearson") -> go.Figure:
    """The report's correlation heatmap: diverging colours centred on 0, two decimals written in each cell, the exact
    value on hover."""
    names = list(corr.columns)
    values = corr.to_numpy(dtype=float)
    text = np.where(np.isfinite(values), np.char.mod("%.2f", np.nan_to_num(values)), "")
    fig = go.Figure(go.Heatmap(
        x=names, y=names, z=values, zmin=-1, zmax=1, zmid=0, colorscale="RdBu_r", text=text,
        texttemplate="%{text}", textfont=dict(size=10),
        hovertemplate="%{y} × %{x}: r = %{z:.6f}<extra></extra>", colorbar=dict(title="r")))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(tickangle=-45)
    return _layout(fig, f"{method.capitalize()} correlation matrix", height=620)


def target_correlation_chart(correlations: pd.Series, reference: pd.Series | None = None,
                             method: str = "pearson") -> go.Figure:
    """Each feature's correlation with popularity as sorted horizontal bars (green positive, red negative), with the
    report's published value as a marker when given."""
    values = correlations.dropna().sort_values()
    fig = go.Figure(go.Bar(
        x=values.to_numpy(), y=list(values.index), orientation="h", name="this data",
        marker_color=[ACCENT if v >= 0 else "#e15759" for v in values],
        hovertemplate="%{y}: r = %{x:.6f}<extra>this data</extra>"))
    if reference is not None:
        shared = [name for name in values.index if name in reference.index]
        fig.add_trace(go.Scatter(
            x=reference.loc[shared].to_numpy(dtype=float), y=shared, mode="markers", name="the report",
            marker=dict(symbol="line-ns-open", size=16, color="white", line=dict(width=2)),
            hovertemplate="%{y}: r = %{x:.6f}<extra>the report</extra>"))
    fig.update_xaxes(title=f"{method.capitalize()} correlation with popularity", zeroline=True)
    return _layout(fig, "Correlation of each feature with popularity", height=max(300, 30 * len(values) + 110))
