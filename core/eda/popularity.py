"""The popularity column: the report's "popular" cut (99th percentile), its quantile table, the histogram and
smoothed density of the report's two popularity plots, and their skew and imbalance in words.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core import report_figures as rf
from core.eda.binning import histogram, silverman_bandwidth, smooth_density
from core.eda.columns import MIN_ROWS_FOR_STATISTICS, numeric_values


POPULAR_QUANTILE = 0.99          # the report's rule: popular = popularity >= its 99th percentile

# The report's own words next to its plots (quoted verbatim, bullets in order).
REPORT_POPULARITY_NOTES = (
    "The target_col = Popularity_index is heavily imbalanced towards the lower values, with its peak at "
    "pop_index = 0.",
    "As we go up the popularity_index, the frequency of the observations decrease/ fall rapidly. This may create an "
    "inherent bias for the regressor / classifier model while training as it MAY IGNORE THE MINORITY CLASS "
    "correlations.",
    "This may lead to predictions being made excessively in favour of the majority class (towards 0)",
)


def popular_threshold(popularity: pd.Series, quantile: float = POPULAR_QUANTILE) -> float:
    """The popularity at the given quantile (pandas' linear interpolation, as the report computed 73)."""
    values = pd.Series(numeric_values(popularity)).dropna()
    return float(values.quantile(quantile)) if len(values) else float("nan")


def popular_share(popularity: pd.Series, threshold: float) -> float:
    """Share of songs at or above the threshold ("popular" in the report's binary classification)."""
    values = pd.Series(numeric_values(popularity)).dropna()
    return float((values >= threshold).mean()) if len(values) else float("nan")


def quantile_table(popularity: pd.Series, reference: dict[float, float] | None = rf.POPULARITY_QUANTILES,
                   ) -> pd.DataFrame:
    """Popularity at every 1 % from 1 % to 99 % (as the report printed), the report's value where it printed one.
    Highest quantile first, so the 99th percentile (the "popular" cut) leads the table."""
    qs = [i / 100 for i in range(99, 0, -1)]
    values = pd.Series(numeric_values(popularity)).dropna()
    table = pd.DataFrame({"quantile": qs,
                          "popularity": values.quantile(qs).to_numpy() if len(values) else np.full(99, np.nan)})
    table["is threshold"] = np.isclose(table["quantile"], POPULAR_QUANTILE)
    if reference is not None:
        table["report"] = [reference.get(q, np.nan) for q in qs]
    return table


def quantile_display(table: pd.DataFrame) -> pd.DataFrame:
    """The quantile table for the screen: the report's column as text, blank where the report elided the value."""
    if "report" not in table.columns:
        return table
    return table.assign(report=[f"{v:g}" if np.isfinite(v) else "" for v in table["report"].astype(float)])


@dataclass
class PopularityProfile:
    n: int
    mean: float
    median: float
    skew: float
    zero_share: float
    threshold: float          # the "popular" cut: the dataset's 99th percentile
    popular_share: float      # share >= threshold
    share_below_50: float
    histogram: pd.DataFrame   # one row per popularity value: left, right, center, count, share, density (smoothed)
    quantiles: pd.DataFrame


def popularity_profile(popularity: pd.Series, threshold: float | None = None) -> PopularityProfile:
    """The report's two popularity plots as numbers (counts per value, smoothed density) plus skew and imbalance.

    `threshold` is the dataset's "popular" cut (its 99th percentile); pass it when `popularity` is a filtered subset
    so the definition of popular does not move with the filters. Default: this data's own 99th percentile."""
    values = numeric_values(popularity)
    finite = values[np.isfinite(values)]
    low = min(0.0, float(finite.min())) if len(finite) else 0.0
    high = max(100.0, float(finite.max())) if len(finite) else 100.0
    edges = np.arange(np.floor(low) - 0.5, np.ceil(high) + 1.0, 1.0)
    table = histogram(values, edges)
    table["density"] = smooth_density(table["count"].to_numpy(), edges, silverman_bandwidth(finite))
    if threshold is None or not np.isfinite(threshold):
        threshold = popular_threshold(popularity)
    return PopularityProfile(
        n=len(finite), mean=float(finite.mean()) if len(finite) else float("nan"),
        median=float(np.median(finite)) if len(finite) else float("nan"),
        skew=float(pd.Series(finite).skew()) if len(finite) >= MIN_ROWS_FOR_STATISTICS else float("nan"),
        zero_share=float(np.mean(finite == 0)) if len(finite) else float("nan"),
        threshold=threshold, popular_share=popular_share(popularity, threshold),
        share_below_50=float(np.mean(finite < 50)) if len(finite) else float("nan"),
        histogram=table, quantiles=quantile_table(popularity))


def popularity_notes(profile: PopularityProfile) -> list[str]:
    """Skew and imbalance in words, from this data's numbers."""
    if not profile.n:
        return []
    shape = ("right-skewed (a long tail of rarer, more popular songs)" if profile.skew >= 0.5 else
             "left-skewed" if profile.skew <= -0.5 else "roughly symmetric")
    notes = [f"Popularity is {shape}: skewness {profile.skew:+.2f}, mean {profile.mean:.1f} against median "
             f"{profile.median:g}; {100 * profile.zero_share:.1f} % of songs have popularity 0 and "
             f"{100 * profile.share_below_50:.1f} % are below 50."]
    if np.isfinite(profile.threshold):
        notes.append(f"Imbalance: 'popular' means popularity ≥ {profile.threshold:g} (the data's 99th percentile, "
                     f"the report's rule), which only {100 * profile.popular_share:.2f} % of these songs reach; a "
                     f"model that always answers 'not popular' is right {100 * (1 - profile.popular_share):.1f} % of "
                     "the time.")
    return notes
