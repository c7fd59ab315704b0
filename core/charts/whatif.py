"""Plotly figures for the what-if page: the hit verdicts, why (contributions), what if (a sweep).

Figures are built from plain dicts (one go.Figure call each, no make_subplots): they are rebuilt on every slider move.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from core.whatif.scorer import BIAS, SongScore
from core.whatif.sliders import SliderSpec

PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
           "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd", "#e6550d", "#31a354")
# Colours that read on the app's dark theme and on a light one alike (the figures leave backgrounds to the theme).
HIT_COLOUR = "#1DB954"       # Spotify green: this model calls it a hit
MISS_COLOUR = "#8a94a6"
THRESHOLD_COLOUR = "#f4b400"
ACTUAL_COLOUR = "#ff5a5f"
GRID = "rgba(128,128,128,0.25)"
FONT = dict(size=13)
PROBABILITY_FLOOR = 1e-3     # log axis: P(popular) below this is drawn at the floor


def model_colours(names: Sequence[str]) -> dict[str, str]:
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}


def _layout(height: int, **extra) -> dict:
    return {"height": height, "margin": dict(l=10, r=20, t=48, b=40), "font": FONT, "showlegend": False, **extra}


def hit_chart(score: SongScore) -> go.Figure:
    """Each classifier's P(popular) (dot) against its own F1-best threshold (tick) on a log scale, so the plain
    models' ~0.02 and the class-weighted models' ~0.7 both show; a green line from tick to dot = hit. A model that sits
    out of the vote (its threshold cannot tell songs apart) is grey and says "no vote", whatever its comparison."""
    proba = score.model_hit_probability
    threshold = score.threshold.reindex(proba.index)
    names = list(proba.index)
    hit = score.is_hit.reindex(proba.index) & ~proba.index.isin(list(score.silent))
    shown_p = proba.clip(lower=PROBABILITY_FLOOR)
    shown_t = threshold.clip(lower=PROBABILITY_FLOOR)
    traces = []
    for is_hit, colour in ((True, HIT_COLOUR), (False, MISS_COLOUR)):
        xs, ys = [], []
        for name in names:
            if bool(hit[name]) == is_hit:
                xs += [shown_t[name], shown_p[name], None]
                ys += [name, name, None]
        traces.append(go.Scatter(x=xs, y=ys, mode="lines", line=dict(color=colour, width=3), hoverinfo="skip"))
    traces.append(go.Scatter(x=shown_t.to_numpy(), y=names, mode="markers",
                             marker=dict(symbol="line-ns", size=20, line=dict(width=3, color=THRESHOLD_COLOUR)),
                             customdata=threshold.to_numpy(), hovertemplate="%{y}: threshold %{customdata:.3f}"
                                                                            "<extra></extra>"))
    traces.append(go.Scatter(x=shown_p.to_numpy(), y=names, mode="markers",
                             marker=dict(size=12, color=[HIT_COLOUR if h else MISS_COLOUR for h in hit]),
                             customdata=proba.to_numpy(), hovertemplate="%{y}: P(popular) = %{customdata:.4f}"
                                                                        "<extra></extra>"))
    verdicts = [dict(x=1.0, y=name, xref="paper", yref="y", xanchor="right", showarrow=False,
                     text=(f"{p:.3f}, threshold {t:.3f} <b>no vote</b>" if name in score.silent
                           else f"{p:.3f} {'≥' if h else '<'} {t:.3f} <b>{'hit' if h else 'not hit'}</b>"),
                     font=dict(size=12, color=HIT_COLOUR if h else MISS_COLOUR))
                for name, p, t, h in zip(names, proba, threshold, hit)]
    return go.Figure(traces, _layout(
        max(200, 30 * len(names) + 100),
        title=dict(text="P(popular) per classifier · amber tick = its F1-best threshold", x=0, font=dict(size=14)),
        xaxis=dict(type="log", range=[np.log10(PROBABILITY_FLOOR) - 0.1, 0.05], domain=[0, 0.68], gridcolor=GRID,
                   tickvals=[0.001, 0.01, 0.1, 1], ticktext=["≤0.001", "0.01", "0.1", "1"],
                   title="probability of being a hit (log scale)"),
        # rows keep the suite's order whatever the verdicts (the first trace would otherwise decide it)
        yaxis=dict(automargin=True, autorange="reversed", gridcolor=GRID, categoryorder="array",
                   categoryarray=names), annotations=verdicts))


def contributions_waterfall(contributions: pd.Series, song: dict, specs: Sequence[SliderSpec],
                            model: str, top: int | None = None) -> go.Figure:
    """bias (the average prediction) + one step per feature = this model's prediction for the song."""
    by_name = {spec.name: spec for spec in specs}
    features = contributions.drop(BIAS)
    order = features.abs().sort_values(ascending=False).index
    if top is not None and len(order) > top:
        rest = features.drop(order[:top]).sum()
        features = pd.concat([features[order[:top]], pd.Series({f"{len(order) - top} other features": rest})])
    else:
        features = features[order]
    labels = ["average song (bias)"] + [
        f"{by_name[n].label} = {by_name[n].format_value(song[n])}" if n in by_name else n for n in features.index
    ] + ["prediction"]
    values = [float(contributions[BIAS]), *features.to_numpy(dtype=float), 0.0]
    total = float(contributions.sum())
    text = [f"{values[0]:.1f}"] + [f"{v:+.2f}" if abs(v) >= 0.005 else "0" for v in features] + [f"{total:.1f}"]
    trace = go.Waterfall(orientation="h", y=labels, x=values, measure=["absolute"] + ["relative"] * len(features)
                         + ["total"], text=text, textposition="outside", cliponaxis=False,
                         increasing=dict(marker=dict(color=HIT_COLOUR)), decreasing=dict(marker=dict(color="#e8710a")),
                         totals=dict(marker=dict(color="#1f77b4")), connector=dict(line=dict(color=GRID)),
                         hovertemplate="%{y}: %{x:+.2f}<extra></extra>")
    # Zoom on where the steps happen: the bias bar runs off the left edge, the contributions stay readable.
    positions = np.cumsum(values[:-1])
    low, high = float(positions.min()), float(positions.max())
    pad = max(1.0, 0.2 * (high - low))
    return go.Figure(trace, _layout(
        max(260, 30 * len(labels) + 90),
        title=dict(text=f"Why {model} says {total:.1f}: per-feature contributions", x=0, font=dict(size=14)),
        xaxis=dict(range=[low - pad, high + pad], gridcolor=GRID, title="predicted popularity"),
        yaxis=dict(automargin=True, autorange="reversed")))


def _feature_axis(spec: SliderSpec, values: np.ndarray) -> tuple[np.ndarray, dict]:
    """x values and axis settings that read as the feature does (note names, m:ss, 3/4 …)."""
    if spec.name == "duration_ms":
        minutes = values / 60_000
        return minutes, dict(title=f"{spec.label} (minutes)")
    if spec.is_choice:
        ticks = list(spec.options)
        return values, dict(title=spec.label, tickvals=ticks, ticktext=[spec.format_value(v) for v in ticks])
    return values, dict(title=spec.axis_title())


def sensitivity_chart(curve: pd.DataFrame, spec: SliderSpec, current: float, colours: dict[str, str]) -> go.Figure:
    """Predicted popularity (top) and P(popular) on a log scale (bottom) across the feature's whole range; the dashed
    line is the song's current value."""
    kinds = [k for k in ("popularity", "hit probability") if (curve["kind"] == k).any()]
    traces, shapes, annotations = [], [], []
    x_current = _feature_axis(spec, np.array([float(current)]))[0][0]
    domains = {1: [[0, 1]], 2: [[0.56, 1], [0, 0.44]]}[max(1, len(kinds))]
    layout = _layout(300 * max(1, len(kinds)) + 60, showlegend=True,
                     legend=dict(orientation="h", yanchor="top", y=-0.12, x=0, font=dict(size=11)),
                     title=dict(text=f"What if only {spec.label.lower()} changed?", x=0, font=dict(size=14)))
    markers = spec.is_choice and len(spec.options) <= 12
    for i, kind in enumerate(kinds):
        axis = "" if i == 0 else str(i + 1)
        part = curve[curve["kind"] == kind]
        for model, rows in part.groupby("model", sort=False):
            x, _ = _feature_axis(spec, rows["value"].to_numpy(dtype=float))
            y = rows["prediction"].to_numpy(dtype=float)
            if kind == "popularity":
                hover = f"{model}: %{{y:.1f}}<extra></extra>"
            else:
                y = np.clip(y, PROBABILITY_FLOOR, None)
                hover = f"{model}: %{{y:.4f}}<extra></extra>"
            traces.append(go.Scatter(x=x, y=y, mode="lines+markers" if markers else "lines", name=model,
                                     xaxis=f"x{axis}", yaxis=f"y{axis}", hovertemplate=hover,
                                     line=dict(color=colours.get(model), width=2,
                                               dash="solid" if kind == "popularity" else "dot")))
        _, x_settings = _feature_axis(spec, part["value"].to_numpy(dtype=float))
        if i < len(kinds) - 1:
            x_settings = {**x_settings, "title": None}  # one axis title, under the bottom panel
        layout[f"xaxis{axis}"] = dict(x_settings, gridcolor=GRID, anchor=f"y{axis}",
                                      **({} if i == 0 else dict(matches="x")))
        if kind == "popularity":
            layout[f"yaxis{axis}"] = dict(domain=domains[i], gridcolor=GRID, anchor=f"x{axis}",
                                          title="predicted popularity")
        else:
            layout[f"yaxis{axis}"] = dict(domain=domains[i], gridcolor=GRID, anchor=f"x{axis}", type="log",
                                          range=[np.log10(PROBABILITY_FLOOR) - 0.1, 0.05], title="P(popular)",
                                          tickvals=[0.001, 0.01, 0.1, 1], ticktext=["≤0.001", "0.01", "0.1", "1"])
        shapes.append(dict(type="line", xref=f"x{axis}", yref=f"y{axis} domain", x0=x_current, x1=x_current, y0=0,
                           y1=1, line=dict(color=ACTUAL_COLOUR, width=2, dash="dash")))
    if kinds:
        annotations.append(dict(x=x_current, y=1, xref="x", yref="y domain", yanchor="bottom", showarrow=False,
                                text=f"now: {spec.format_value(current)}", font=dict(color=ACTUAL_COLOUR)))
    layout["shapes"] = shapes
    layout["annotations"] = annotations
    return go.Figure(traces, layout)
