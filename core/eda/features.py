"""One feature against popularity: densities per popularity band, binned mean popularity with its 95 % band, 2-D
counts, a fitted line, correlations and the generated sentence that sums them up (FeatureProfile).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from core import schema
from core.eda.binning import (HIST_BINS, bin_edges, display_range, histogram, is_discrete, silverman_bandwidth,
                              smooth_density)
from core.eda.columns import (CATEGORICAL_FEATURES, MIN_ROWS_FOR_STATISTICS, feature_label, format_value,
                              numeric_values)
from core.eda.groups import group_labels, grouped_histogram
from core.eda.popularity import popular_threshold


DENSITY_BINS = 120
MEAN_BINS = 30
MIN_BIN_ROWS = 30                # binned means over fewer songs are hidden (their 95 % band would span everything)
HEAT_X_BINS = 60
HEAT_POPULARITY_STEP = 2
POPULARITY_BANDS = (0, 20, 40, 60, 101)  # density per band: 0–19, 20–39, 40–59, 60–100 (the report's "60+")
Z_95 = 1.959964

# Correlation strength words for the data-driven summaries (|r| below each bound).
STRENGTH_WORDS = ((0.1, "negligible"), (0.3, "weak"), (0.5, "moderate"), (0.7, "strong"), (1.01, "very strong"))
# The report's own words beside its loudness and instrumentalness plots (quoted verbatim, bullets in order).
REPORT_INSIGHTS: dict[str, tuple[str, ...]] = {
    "loudness": (
        "**Loudness shows the highest correlation with Popularity**, justifying this focused analysis.",
        "**Severe imbalance in Popularity:** Most songs lie in the 0-50 range, making trend identification "
        "challenging.",
        "**Popular songs (60+) tend to have higher Loudness**, but variance remains high at lower Popularity levels.",
        "**Regression plot suggests a weak linear relationship**, indicating possible non-linear dependencies.",
        "Further feature interactions might refine insights into song popularity trends.",
    ),
    "instrumentalness": (
        "**Instrumentalness has the second-highest correlation with Popularity**, making it a key feature for "
        "analysis.",
        "**Severe Popularity imbalance persists**, with most songs clustered in the 0-50 range, making patterns "
        "harder to interpret.",
        "**Higher Instrumentalness values (closer to 1) are more frequent in less popular songs**, suggesting that "
        "instrumental tracks are generally less popular.",
        "**Negative trend observed in the regression plot**, reinforcing that as Popularity increases, "
        "Instrumentalness decreases.",
        "Despite correlation, **variance remains high at lower Popularity levels**, indicating other influential "
        "factors at play.",
        "Further analysis with interactions or non-linear methods may provide deeper insights.",
    ),
}


def band_labels(bands: tuple[int, ...] = POPULARITY_BANDS) -> list[str]:
    return [f"{low}–{high - 1}" if high <= 100 else f"{low}–100" for low, high in zip(bands[:-1], bands[1:])]


def band_densities(values: np.ndarray, popularity: np.ndarray, edges: np.ndarray, discrete: bool = False,
                   bands: tuple[int, ...] = POPULARITY_BANDS) -> pd.DataFrame:
    """The feature's density within each popularity band (each band integrates to 1, so bands of very different
    sizes compare): smoothed binned counts for continuous features, the share per value for discrete ones.
    Columns: center, then one per band label; a `n <label>` count per band is in `attrs["n"]`."""
    ok = np.isfinite(values) & np.isfinite(popularity)
    values, popularity = values[ok], popularity[ok]
    bandwidth = silverman_bandwidth(values)
    table = pd.DataFrame({"center": (edges[:-1] + edges[1:]) / 2})
    sizes = {}
    for label, low, high in zip(band_labels(bands), bands[:-1], bands[1:]):
        inside = values[(popularity >= low) & (popularity < high)]
        counts, _ = np.histogram(inside, bins=edges)
        sizes[label] = int(len(inside))
        if discrete:
            table[label] = counts / counts.sum() if counts.sum() else np.nan
        else:
            table[label] = smooth_density(counts, edges, bandwidth) if counts.sum() else np.nan
    table.attrs["n"] = sizes
    return table


def binned_mean_popularity(values: np.ndarray, popularity: np.ndarray, edges: np.ndarray,
                           min_rows: int = MIN_BIN_ROWS) -> pd.DataFrame:
    """Mean popularity per feature bin with a 95 % confidence band (mean ± 1.96·sd/√n); bins with fewer than
    `min_rows` songs keep their count but no mean. Values outside the edges join the end bins."""
    ok = np.isfinite(values) & np.isfinite(popularity)
    values, popularity = values[ok], popularity[ok]
    n_bins = len(edges) - 1
    index = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, n_bins - 1)
    n = np.bincount(index, minlength=n_bins).astype(float)
    total = np.bincount(index, weights=popularity, minlength=n_bins)
    squares = np.bincount(index, weights=popularity ** 2, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / n
        variance = (squares - n * mean ** 2) / (n - 1)
        half = Z_95 * np.sqrt(np.clip(variance, 0, None) / n)
    shown = n >= max(min_rows, 2)
    return pd.DataFrame({"left": edges[:-1], "right": edges[1:], "center": (edges[:-1] + edges[1:]) / 2,
                         "n": n.astype(np.int64), "mean": np.where(shown, mean, np.nan),
                         "ci_low": np.where(shown, mean - half, np.nan),
                         "ci_high": np.where(shown, mean + half, np.nan)})


@dataclass(frozen=True)
class LinearFit:
    slope: float
    intercept: float
    r: float
    n: int

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self.intercept + self.slope * np.asarray(x, dtype=float)


def linear_fit(x: np.ndarray, y: np.ndarray) -> LinearFit | None:
    """Least-squares line y = a + b·x and Pearson r; None with too few points or no spread."""
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = np.asarray(x, dtype=float)[ok], np.asarray(y, dtype=float)[ok]
    if len(x) < MIN_ROWS_FOR_STATISTICS:
        return None
    dx, dy = x - x.mean(), y - y.mean()
    sxx, syy = float(dx @ dx), float(dy @ dy)
    if sxx <= 0:
        return None
    slope = float(dx @ dy) / sxx
    r = float(dx @ dy) / np.sqrt(sxx * syy) if syy > 0 else float("nan")
    return LinearFit(slope=slope, intercept=float(y.mean() - slope * x.mean()), r=r, n=len(x))


def popularity_heatmap(values: np.ndarray, popularity: np.ndarray, edges: np.ndarray,
                       step: int = HEAT_POPULARITY_STEP) -> pd.DataFrame:
    """Songs per (feature bin, popularity bin): rows are popularity bin centres, columns feature bin centres.
    The regression view's 2-D density: a few thousand cells instead of one point per song."""
    ok = np.isfinite(values) & np.isfinite(popularity)
    pop_edges = np.arange(-0.5, max(100.0, float(np.nanmax(popularity, initial=100))) + step, step)
    counts, _, _ = np.histogram2d(np.clip(values[ok], edges[0], edges[-1]), popularity[ok], bins=[edges, pop_edges])
    return pd.DataFrame(counts.T.astype(np.int64), index=(pop_edges[:-1] + pop_edges[1:]) / 2,
                        columns=(edges[:-1] + edges[1:]) / 2)


def rank_correlation(x: np.ndarray, y: np.ndarray) -> float:
    ok = np.isfinite(x) & np.isfinite(y)
    if ok.sum() < MIN_ROWS_FOR_STATISTICS:
        return float("nan")
    rx = pd.Series(x[ok]).rank().to_numpy()
    ry = pd.Series(y[ok]).rank().to_numpy()
    fit = linear_fit(rx, ry)
    return fit.r if fit else float("nan")


def strength_word(r: float) -> str:
    for bound, word in STRENGTH_WORDS:
        if abs(r) < bound:
            return word
    return STRENGTH_WORDS[-1][1]


@dataclass
class RelationStats:
    feature: str
    n: int
    pearson: float
    spearman: float
    threshold: float
    popular_mean: float       # mean feature value of songs >= threshold (a share for two-valued codes like mode)
    rest_mean: float
    n_popular: int
    low_group: str            # e.g. "the bottom tenth (≤ −14.1 dB)" or "key D♯/E♭"
    low_mean_popularity: float
    high_group: str
    high_mean_popularity: float


def relation_stats(values: np.ndarray, popularity: np.ndarray, feature: str, threshold: float,
                   discrete: bool = False) -> RelationStats | None:
    """The numbers behind the written summary: correlations, popular-vs-rest means, and the mean popularity at the
    low and high end of the feature (tenths for quantities, the best and worst value for codes)."""
    ok = np.isfinite(values) & np.isfinite(popularity)
    x, y = values[ok], popularity[ok]
    if len(x) < MIN_ROWS_FOR_STATISTICS:
        return None
    fit = linear_fit(x, y)
    popular = y >= threshold if np.isfinite(threshold) else np.zeros(len(y), dtype=bool)
    if discrete:
        means = pd.Series(y).groupby(x).agg(["mean", "size"])
        means = means[means["size"] >= min(MIN_BIN_ROWS, max(len(x) // 20, 1))]
        if means.empty:
            means = pd.Series(y).groupby(x).agg(["mean", "size"])
        low_value, high_value = means["mean"].idxmin(), means["mean"].idxmax()
        low_group, high_group = (f"{feature_label(feature).lower()} {format_value(feature, v)}"
                                 for v in (low_value, high_value))
        low_mean, high_mean = float(means.loc[low_value, "mean"]), float(means.loc[high_value, "mean"])
    else:
        q10, q90 = np.quantile(x, [0.1, 0.9])
        low, high = x <= q10, x >= q90
        low_group = f"the lowest tenth of {feature_label(feature).lower()} (≤ {format_value(feature, q10)})"
        high_group = f"the highest tenth (≥ {format_value(feature, q90)})"
        low_mean, high_mean = float(y[low].mean()), float(y[high].mean())
    return RelationStats(
        feature=feature, n=len(x), pearson=fit.r if fit else float("nan"), spearman=rank_correlation(x, y),
        threshold=threshold, popular_mean=float(x[popular].mean()) if popular.any() else float("nan"),
        rest_mean=float(x[~popular].mean()) if (~popular).any() else float("nan"), n_popular=int(popular.sum()),
        low_group=low_group, low_mean_popularity=low_mean, high_group=high_group, high_mean_popularity=high_mean)


def relation_summary(stats: RelationStats | None) -> str:
    """A short, data-driven sentence on how a feature relates to popularity (direction and strength from r)."""
    if stats is None:
        return "Too few songs to say how this feature relates to popularity."
    label = feature_label(stats.feature)
    if not np.isfinite(stats.pearson):
        return f"{label} does not vary in these songs, so it cannot explain their popularity."
    word = strength_word(stats.pearson)
    direction = "" if word == "negligible" else (" positive" if stats.pearson > 0 else " negative")
    text = (f"{label} has a {word}{direction} relation with popularity (Pearson r = {stats.pearson:+.2f}, "
            f"Spearman ρ = {stats.spearman:+.2f}, {stats.n:,} songs).")
    if stats.n_popular and np.isfinite(stats.rest_mean) and stats.feature == "mode":
        text += (f" {100 * stats.popular_mean:.0f} % of popular songs (popularity ≥ {stats.threshold:g}) are in a "
                 f"major key against {100 * stats.rest_mean:.0f} % of the rest.")
    elif stats.n_popular and np.isfinite(stats.rest_mean) and stats.feature not in CATEGORICAL_FEATURES:
        text += (f" Popular songs (popularity ≥ {stats.threshold:g}, {stats.n_popular:,} of them) average "
                 f"{format_value(stats.feature, stats.popular_mean)} against "
                 f"{format_value(stats.feature, stats.rest_mean)} "
                 "for the rest.")
    text += (f" Mean popularity is {stats.low_mean_popularity:.1f} for {stats.low_group} and "
             f"{stats.high_mean_popularity:.1f} for {stats.high_group}.")
    return text


@dataclass
class FeatureProfile:
    """Everything the Distributions page draws for one feature (aggregates only)."""

    feature: str
    discrete: bool
    n: int
    n_outside: int                       # songs outside the shown x range (outliers folded out of the view)
    histogram: pd.DataFrame              # left, right, center, count, share (+ group when coloured)
    band_density: pd.DataFrame | None    # center + one column per popularity band
    binned_mean: pd.DataFrame | None
    heatmap: pd.DataFrame | None
    fit: LinearFit | None
    stats: RelationStats | None
    summary: str
    report_insights: tuple[str, ...] = field(default_factory=tuple)


def feature_profile(frame: pd.DataFrame, feature: str, threshold: float | None = None,
                    group: str | None = None) -> FeatureProfile:
    """Histogram, density per popularity band, binned mean popularity with its 95 % band, 2-D counts and a fitted
    line for one feature; `group` (an extra column such as genre) splits the histogram by colour."""
    values = numeric_values(frame[feature])
    discrete = is_discrete(values, feature)
    shown = None if discrete else display_range(values)
    edges = bin_edges(values, feature, HIST_BINS, shown)
    finite = values[np.isfinite(values)]
    n_outside = int(np.sum((finite < edges[0]) | (finite > edges[-1])))
    if group is not None and group in frame.columns:
        hist = grouped_histogram(values, group_labels(frame[group]), edges)
    else:
        hist = histogram(values, edges)
    has_target = schema.TARGET in frame.columns and frame[schema.TARGET].notna().any()
    band = mean = heat = fit = stats = None
    if has_target:
        popularity = numeric_values(frame[schema.TARGET])
        if threshold is None:
            threshold = popular_threshold(frame[schema.TARGET])
        band = band_densities(values, popularity,
                              edges if discrete else bin_edges(values, feature, DENSITY_BINS, shown), discrete=discrete)
        mean = binned_mean_popularity(values, popularity,
                                      edges if discrete else bin_edges(values, feature, MEAN_BINS, shown))
        heat = popularity_heatmap(values, popularity,
                                  edges if discrete else bin_edges(values, feature, HEAT_X_BINS, shown))
        fit = linear_fit(values, popularity)
        stats = relation_stats(values, popularity, feature, threshold, discrete=discrete)
        summary = relation_summary(stats)
    else:
        summary = "This data has no popularity column, so only the feature's own distribution is shown."
    return FeatureProfile(feature=feature, discrete=discrete, n=len(finite), n_outside=n_outside, histogram=hist,
                          band_density=band, binned_mean=mean, heatmap=heat, fit=fit, stats=stats, summary=summary,
                          report_insights=REPORT_INSIGHTS.get(feature, ()))
