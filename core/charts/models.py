"""Plotly figure builders for the model comparison page: tables and arrays in, go.Figure out.

Large inputs are binned before they reach a figure (a 26k-row test set becomes a 50x50 heatmap, curves are thinned),
so the browser receives kilobytes, never one SVG point per song.
"""
from __future__ import annotations

from collections.abc import Collection, Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from core.comparison.thresholds import ThresholdResult

ACCENT = "#1DB954"
MUTED = "#9aa0a6"
WARN = "#f28e2b"
PALETTE = ("#1DB954", "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
           "#bab0ac")


def _layout(fig: go.Figure, title: str, height: int = 380) -> go.Figure:
    fig.update_layout(title=dict(text=title, x=0, xanchor="left"), height=height,
                      margin=dict(l=10, r=10, t=50, b=10), template="plotly_dark",
                      legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1))
    return fig


def metric_bar_chart(view: pd.DataFrame, metric: str, error: str | None = None, *,
                     highlight: str | None = None) -> go.Figure:
    """One bar per model for `metric`, sorted, with ±sd error bars from cross-validation when available."""
    values = view[metric].astype(float).dropna().sort_values()
    error_values = view.loc[values.index, error].astype(float) if error and error in view.columns else None
    colours = [ACCENT if name == highlight else "#4e79a7" for name in values.index]
    fig = go.Figure(go.Bar(
        x=values.to_numpy(), y=[str(n) for n in values.index], orientation="h", marker_color=colours,
        error_x=dict(type="data", array=error_values.fillna(0).to_numpy(), visible=True)
        if error_values is not None and error_values.notna().any() else None,
        hovertemplate="%{y}: %{x:.4f}<extra></extra>",
    ))
    suffix = " (bars: ± 1 sd over CV folds)" if error_values is not None and error_values.notna().any() else ""
    fig.update_xaxes(title=metric)
    return _layout(fig, f"{metric} by model{suffix}", height=max(260, 32 * len(values) + 90))


def predicted_vs_actual_chart(grid: pd.DataFrame, model: str) -> go.Figure:
    """A density heatmap of predicted against actual popularity (log colour), with the perfect-prediction line."""
    counts = grid.to_numpy(dtype=float)
    fig = go.Figure(go.Heatmap(
        x=grid.columns.to_numpy(), y=grid.index.to_numpy(), z=np.log10(counts + 1),
        customdata=counts, colorscale="Viridis", showscale=True,
        colorbar=dict(title="songs", tickvals=[0, 1, 2, 3, 4], ticktext=["1", "10", "100", "1k", "10k"]),
        hovertemplate="actual %{x:.0f}, predicted %{y:.0f}: %{customdata:.0f} songs<extra></extra>",
    ))
    low, high = float(grid.columns.min()), float(grid.columns.max())
    fig.add_trace(go.Scatter(x=[low, high], y=[low, high], mode="lines", name="perfect prediction",
                             line=dict(color="white", dash="dash", width=1)))
    fig.update_xaxes(title="actual popularity")
    fig.update_yaxes(title="predicted popularity")
    return _layout(fig, f"Predicted vs actual — {model}", height=420)


def residual_chart(profile: pd.DataFrame, model: str) -> go.Figure:
    """Median residual per actual-popularity bin with a 10–90 % band: above zero = the model under-predicts."""
    x = profile.index.to_numpy()
    fig = go.Figure([
        go.Scatter(x=x, y=profile["q90"], mode="lines", line=dict(width=0), showlegend=False, hoverinfo="skip"),
        go.Scatter(x=x, y=profile["q10"], mode="lines", line=dict(width=0), fill="tonexty",
                   fillcolor="rgba(78,121,167,0.35)", name="10–90 % of songs", hoverinfo="skip"),
        go.Scatter(x=x, y=profile["median"], mode="lines+markers", line=dict(color=ACCENT), name="median residual",
                   customdata=profile["count"],
                   hovertemplate="popularity ≈ %{x:.0f}: median %{y:.1f} (%{customdata} songs)<extra></extra>"),
    ])
    fig.add_hline(y=0, line=dict(color=MUTED, dash="dot"))
    fig.update_xaxes(title="actual popularity")
    fig.update_yaxes(title="actual − predicted")
    return _layout(fig, f"Residuals by popularity — {model}", height=420)


def importance_chart(values: pd.Series, title: str, error: pd.Series | None = None) -> go.Figure:
    """Horizontal bars, most important feature on top."""
    ordered = values.sort_values()
    fig = go.Figure(go.Bar(
        x=ordered.to_numpy(), y=[str(i) for i in ordered.index], orientation="h", marker_color="#4e79a7",
        error_x=dict(type="data", array=error.loc[ordered.index].to_numpy(), visible=True)
        if error is not None else None,
        hovertemplate="%{y}: %{x:.4f}<extra></extra>",
    ))
    return _layout(fig, title, height=max(300, 26 * len(ordered) + 90))


def confusion_matrix_chart(result: ThresholdResult) -> go.Figure:
    """2x2 heatmap with counts and row percentages written in each cell."""
    frame = result.confusion_frame()
    counts = frame.to_numpy(dtype=float)
    row_share = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    text = [[f"{int(c):,}<br>{100 * s:.1f} % of actual" for c, s in zip(row, shares)]
            for row, shares in zip(counts, row_share)]
    fig = go.Figure(go.Heatmap(
        z=row_share, x=list(frame.columns), y=list(frame.index), text=text, texttemplate="%{text}",
        colorscale="Greens", zmin=0, zmax=1, showscale=False, hoverinfo="skip",
    ))
    fig.update_xaxes(title="predicted", side="bottom")
    fig.update_yaxes(title="actual", autorange="reversed")
    return _layout(fig, f"Confusion matrix at {result.threshold:.3f}", height=340)


def _mark(fig: go.Figure, x: float, y: float, name: str, colour: str, symbol: str) -> None:
    fig.add_trace(go.Scatter(x=[x], y=[y], mode="markers", name=name,
                             marker=dict(size=13, color=colour, symbol=symbol, line=dict(color="white", width=1)),
                             hovertemplate=f"{name}: (%{{x:.3f}}, %{{y:.3f}})<extra></extra>"))


def roc_chart(points: pd.DataFrame, current: ThresholdResult, best: ThresholdResult,
              auc: float | None = None) -> go.Figure:
    fig = go.Figure(go.Scatter(x=points["fpr"], y=points["tpr"], mode="lines", name="ROC", line=dict(color="#4e79a7"),
                               customdata=points["threshold"],
                               hovertemplate="FPR %{x:.3f}, TPR %{y:.3f} at %{customdata:.3f}<extra></extra>"))
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="random", line=dict(color=MUTED, dash="dot")))
    _mark(fig, current.fpr, current.recall, f"threshold {current.threshold:.3f}", WARN, "circle")
    _mark(fig, best.fpr, best.recall, f"F1-best {best.threshold:.3f}", ACCENT, "star")
    fig.update_xaxes(title="false positive rate", range=[0, 1])
    fig.update_yaxes(title="true positive rate (recall)", range=[0, 1.02])
    title = "ROC curve" + (f" (AUC {auc:.3f})" if auc is not None and np.isfinite(auc) else "")
    return _layout(fig, title)


def pr_chart(points: pd.DataFrame, current: ThresholdResult, best: ThresholdResult, base_rate: float) -> go.Figure:
    fig = go.Figure(go.Scatter(x=points["recall"], y=points["precision"], mode="lines", name="precision–recall",
                               line=dict(color="#4e79a7"), customdata=points["threshold"],
                               hovertemplate="recall %{x:.3f}, precision %{y:.3f} at %{customdata:.3f}<extra></extra>"))
    fig.add_hline(y=base_rate, line=dict(color=MUTED, dash="dot"),
                  annotation_text=f"random guess ({base_rate:.3f})", annotation_position="top right")
    _mark(fig, current.recall, current.precision, f"threshold {current.threshold:.3f}", WARN, "circle")
    _mark(fig, best.recall, best.precision, f"F1-best {best.threshold:.3f}", ACCENT, "star")
    fig.update_xaxes(title="recall (share of popular songs found)", range=[0, 1])
    fig.update_yaxes(title="precision", range=[0, 1.02])
    return _layout(fig, "Precision–recall curve")


def pr_comparison_chart(curves: Mapping[str, pd.DataFrame], base_rate: float,
                        pr_auc: Mapping[str, float] | None = None, dashed: Collection[str] = (),
                        marks: Mapping[str, tuple[float, float]] | None = None) -> go.Figure:
    """Several models' precision–recall curves on one chart; `dashed` curves (regressors' predicted popularity as
    the score) are drawn dashed, with a marker at (recall, precision) from `marks` (where they cross the cut)."""
    fig = go.Figure()
    for index, (name, points) in enumerate(curves.items()):
        label = name + (f" (PR-AUC {pr_auc[name]:.3f})" if pr_auc and name in pr_auc else "")
        colour = PALETTE[index % len(PALETTE)]
        fig.add_trace(go.Scatter(x=points["recall"], y=points["precision"], mode="lines", name=label,
                                 line=dict(color=colour, dash="dash" if name in dashed else "solid"),
                                 hovertemplate=f"{name}: recall %{{x:.3f}}, precision %{{y:.3f}}<extra></extra>"))
        if marks and name in marks and all(np.isfinite(marks[name])):
            recall, precision = marks[name]
            fig.add_trace(go.Scatter(x=[recall], y=[precision], mode="markers", showlegend=False,
                                     marker=dict(size=11, color=colour, symbol="diamond",
                                                 line=dict(color="white", width=1)),
                                     hovertemplate=f"{name} at the cut: recall %{{x:.3f}}, precision %{{y:.3f}}"
                                                   "<extra></extra>"))
    fig.add_hline(y=base_rate, line=dict(color=MUTED, dash="dot"),
                  annotation_text=f"random guess ({base_rate:.3f})", annotation_position="top right")
    fig.update_xaxes(title="recall", range=[0, 1])
    fig.update_yaxes(title="precision", range=[0, 1.02])
    fig = _layout(fig, "Precision–recall, models compared", height=460)
    fig.update_layout(legend=dict(orientation="v", yanchor="top", y=1, xanchor="right", x=1))
    return fig


def probability_histogram_chart(histogram: pd.DataFrame, threshold: float | None = None) -> go.Figure:
    """Predicted P(popular) by true class, log count axis so the rare popular songs stay visible."""
    centres = (histogram["left"] + histogram["right"]) / 2
    width = float((histogram["right"] - histogram["left"]).iloc[0]) if len(histogram) else 0.02
    upper = float(histogram["right"].iloc[-1]) if len(histogram) else 1.0
    fig = go.Figure([
        go.Bar(x=centres, y=histogram["not popular"], width=width, name="actually not popular",
               marker_color="#4e79a7", opacity=0.75),
        go.Bar(x=centres, y=histogram["popular"], width=width, name="actually popular", marker_color=WARN,
               opacity=0.9),
    ])
    fig.update_layout(barmode="overlay")
    title = "Predicted probabilities"
    if threshold is not None and threshold <= upper:
        fig.add_vline(x=threshold, line=dict(color="white", dash="dash"), annotation_text=f"{threshold:.3f}")
    elif threshold is not None:
        title += f" (every song is below the threshold {threshold:.3f})"
    fig.update_xaxes(title="predicted probability of 'popular'", range=[0, upper])
    fig.update_yaxes(title="songs (log scale)", type="log", dtick=1)
    return _layout(fig, title)


def split_gap_chart(gap: pd.DataFrame, metric: str) -> go.Figure:
    """Random vs grouped split per model as paired bars, best random-split model on top."""
    gap = gap.sort_values("random split")
    fig = go.Figure([
        go.Bar(y=[str(i) for i in gap.index], x=gap["random split"], orientation="h", name="random split",
               marker_color="#4e79a7"),
        go.Bar(y=[str(i) for i in gap.index], x=gap["grouped split"], orientation="h", name="grouped by artist",
               marker_color=WARN),
    ])
    fig.update_layout(barmode="group")
    fig.update_xaxes(title=metric)
    return _layout(fig, f"{metric}: random vs artist-grouped split", height=max(300, 44 * len(gap) + 100))


def reliability_chart(curves: Mapping[str, pd.DataFrame]) -> go.Figure:
    """Reliability curves (core.comparison.calibration.reliability_curve): mean predicted P against the observed
    popular rate per bin, marker area by songs in the bin, and the diagonal a calibrated model follows."""
    fig = go.Figure()
    top = 0.0
    for index, (name, curve) in enumerate(curves.items()):
        if curve.empty:
            continue
        top = max(top, float(curve["predicted"].max()), float(curve["observed"].max()))
        sizes = 6 + 18 * np.sqrt(curve["count"] / max(float(curve["count"].max()), 1.0))
        fig.add_trace(go.Scatter(
            x=curve["predicted"], y=curve["observed"], mode="lines+markers", name=name,
            line=dict(color=PALETTE[index % len(PALETTE)]), marker=dict(size=sizes), customdata=curve["count"],
            hovertemplate=f"{name}: mean P %{{x:.3f}}, observed %{{y:.3f}} (%{{customdata:,}} songs)<extra></extra>"))
    upper = min(1.0, max(0.05, top * 1.05))
    fig.add_trace(go.Scatter(x=[0, upper], y=[0, upper], mode="lines", name="calibrated",
                             line=dict(color=MUTED, dash="dot")))
    fig.update_xaxes(title="mean predicted P(popular) in the bin", range=[0, upper])
    fig.update_yaxes(title="observed share of popular songs", range=[0, upper])
    fig = _layout(fig, "Reliability curves (test set)", height=440)
    fig.update_layout(legend=dict(orientation="v", yanchor="top", y=1, xanchor="left", x=0.01))
    return fig
