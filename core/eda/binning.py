"""Bins for one column: one bar per value for codes, equal widths over a range that outliers do not stretch,
histograms and kernel densities from binned counts.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from core import schema
from core.eda.columns import CATEGORICAL_FEATURES


DISCRETE_MAX_VALUES = 24         # integer columns with at most this many distinct values get one bar per value …
DISCRETE_MAX_SPAN = 100          # … if they span at most this range
HIST_BINS = 60
ROBUST_QUANTILES = (0.001, 0.999)
ROBUST_SPAN_FACTOR = 1.25        # use the full range unless it is this much wider than the robust one (outliers)


def is_discrete(values: np.ndarray, name: str = "") -> bool:
    """One bar per value for codes and small integer ranges (key, mode, time signature); bins for the rest.

    Whole numbers spread over a wide range (a few durations in ms) are binned, whatever their count, so a bar per
    possible value never means millions of bars."""
    finite = values[np.isfinite(values)]
    if not len(finite) or name == schema.TARGET or not np.all(finite == np.round(finite)):
        return False
    if finite.max() - finite.min() > DISCRETE_MAX_SPAN:
        return False
    return name in CATEGORICAL_FEATURES or len(np.unique(finite)) <= DISCRETE_MAX_VALUES


def display_range(values: np.ndarray) -> tuple[float, float]:
    """The x range to show: the full range, unless a few outliers stretch it (then the 0.1–99.9th percentiles)."""
    finite = values[np.isfinite(values)]
    if not len(finite):
        return 0.0, 1.0
    low, high = float(finite.min()), float(finite.max())
    robust_low, robust_high = (float(q) for q in np.quantile(finite, ROBUST_QUANTILES))
    if robust_high > robust_low and (high - low) > ROBUST_SPAN_FACTOR * (robust_high - robust_low):
        low, high = robust_low, robust_high
    if high <= low:
        low, high = low - 0.5, high + 0.5
    return low, high


def bin_edges(values: np.ndarray, name: str = "", bins: int = HIST_BINS,
              value_range: tuple[float, float] | None = None) -> np.ndarray:
    """Bin edges for a column: unit bins centred on each integer for discrete columns, else `bins` equal widths over
    `value_range` (default: the display range; pass it when binning one column several ways)."""
    finite = values[np.isfinite(values)]
    if is_discrete(values, name) and len(finite):
        return np.arange(finite.min() - 0.5, finite.max() + 1.0, 1.0)
    low, high = value_range or display_range(values)
    if len(finite) and np.all(finite == np.round(finite)):
        # Whole numbers (popularity, duration in ms): each bin holds the same count of possible values, else the
        # bars alternate between holding 2 and 3 of them and the histogram shows a comb that is not in the data.
        step = max(1.0, float(np.ceil((high - low + 1) / bins)))
        n_bins = int(np.ceil((high - low + 1) / step))
        return np.floor(low) - 0.5 + step * np.arange(n_bins + 1)
    return np.linspace(low, high, bins + 1)


def histogram(values: np.ndarray, edges: np.ndarray) -> pd.DataFrame:
    """Counts per bin (numpy), with the share of all finite values and how many fall outside the edges."""
    finite = values[np.isfinite(values)]
    counts, _ = np.histogram(finite, bins=edges)
    return pd.DataFrame({"left": edges[:-1], "right": edges[1:], "center": (edges[:-1] + edges[1:]) / 2,
                         "count": counts.astype(np.int64),
                         "share": counts / max(len(finite), 1)})


def smooth_density(counts: np.ndarray, edges: np.ndarray, bandwidth: float) -> np.ndarray:
    """A kernel density from binned counts: Gaussian smoothing on the bin grid (reflected at the ends so no mass
    leaks out), normalised to integrate to 1 over the grid."""
    counts = np.asarray(counts, dtype=float)
    width = float(edges[1] - edges[0]) if len(edges) > 1 else 1.0
    total = counts.sum()
    if total <= 0:
        return np.zeros_like(counts)
    sigma = bandwidth / width if np.isfinite(bandwidth) else 0.0
    if sigma >= 0.5:
        half = int(min(np.ceil(4 * sigma), len(counts) - 1))
        offsets = np.arange(-half, half + 1)
        kernel = np.exp(-0.5 * (offsets / sigma) ** 2)
        kernel /= kernel.sum()
        padded = np.concatenate([counts[half:0:-1], counts, counts[-2:-half - 2:-1]]) if half else counts
        counts = np.convolve(padded, kernel, mode="valid")
    return counts / (counts.sum() * width)


def silverman_bandwidth(values: np.ndarray) -> float:
    """Silverman's rule of thumb: 0.9 · min(sd, IQR/1.34) · n^(-1/5)."""
    finite = values[np.isfinite(values)]
    if len(finite) < 2:
        return float("nan")
    sd = finite.std(ddof=1)
    q75, q25 = np.quantile(finite, [0.75, 0.25])
    spread = min(sd, (q75 - q25) / 1.34) or sd
    return float(0.9 * spread * len(finite) ** -0.2)
