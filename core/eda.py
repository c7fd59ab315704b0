"""Exploratory analysis behind the Overview and Distributions & correlations pages.

The report's tables (head, info(), describe(), null counts, nunique()), data-quality alerts in the manner of
ydata-profiling, the popularity quantiles, correlations and binned feature-vs-popularity statistics. Plain
pandas/numpy: everything returned is aggregated (histograms, binned means, 2-D counts), so a page never ships one
point per song to the browser, whatever the size of the data.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from core import report_figures as rf
from core import schema

# ---- thresholds (named, so the alert texts and the tests read the same numbers) ------------------------------------

ZERO_INFLATED_SHARE = 0.10       # a numeric column with at least this share of exact zeros is zero-inflated
SKEW_THRESHOLD = 1.0             # |sample skewness| at or above this is a long tail
NEAR_CONSTANT_SHARE = 0.80       # the most frequent value covers at least this share of rows
HIGH_CORRELATION = 0.65          # |Pearson r| between two features at or above this is redundancy
POPULAR_QUANTILE = 0.99          # the report's rule: popular = popularity >= its 99th percentile
IMBALANCE_MINORITY_SHARE = 0.05  # a "popular" class smaller than this makes accuracy meaningless
MIN_ROWS_FOR_STATISTICS = 3      # fewer rows than this: no correlation, skew or fit is reported

# Codes, not quantities: a skew or a share of zeros (key 0 = C, mode 0 = minor) says nothing about them.
CATEGORICAL_FEATURES = ("key", "mode", "time_signature")
DISCRETE_MAX_VALUES = 24         # integer columns with at most this many distinct values get one bar per value …
DISCRETE_MAX_SPAN = 100          # … if they span at most this range

HEAD_ROWS = 1_000                # rows of the searchable head sent to the browser
HIST_BINS = 60
DENSITY_BINS = 120
MEAN_BINS = 30
MIN_BIN_ROWS = 30                # binned means over fewer songs are hidden (their 95 % band would span everything)
HEAT_X_BINS = 60
HEAT_POPULARITY_STEP = 2
ROBUST_QUANTILES = (0.001, 0.999)
ROBUST_SPAN_FACTOR = 1.25        # use the full range unless it is this much wider than the robust one (outliers)
POPULARITY_BANDS = (0, 20, 40, 60, 101)  # density per band: 0–19, 20–39, 40–59, 60–100 (the report's "60+")
MAX_GROUPS = 7                   # colour groups for extra columns: the most frequent 6 plus "other"
MAX_GROUP_CARDINALITY = 200      # a text column with more distinct values is an identifier, not a group
Z_95 = 1.959964

# Correlation strength words for the data-driven summaries (|r| below each bound).
STRENGTH_WORDS = ((0.1, "negligible"), (0.3, "weak"), (0.5, "moderate"), (0.7, "strong"), (1.01, "very strong"))

# The report's own words next to its plots (quoted verbatim, bullets in order).
REPORT_POPULARITY_NOTES = (
    "The target_col = Popularity_index is heavily imbalanced towards the lower values, with its peak at "
    "pop_index = 0.",
    "As we go up the popularity_index, the frequency of the observations decrease/ fall rapidly. This may create an "
    "inherent bias for the regressor / classifier model while training as it MAY IGNORE THE MINORITY CLASS "
    "correlations.",
    "This may lead to predictions being made excessively in favour of the majority class (towards 0)",
)
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


# ---- columns --------------------------------------------------------------------------------------------------------

def analysis_columns(frame: pd.DataFrame) -> list[str]:
    """The canonical numeric columns present (audio features, then popularity): the report's 14×14 correlation set."""
    names = [name for name in schema.FEATURE_NAMES if name in frame.columns]
    return names + ([schema.TARGET] if schema.TARGET in frame.columns else [])


def _numeric_values(series: pd.Series) -> np.ndarray:
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _is_numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def _rows(count: int) -> str:
    return f"{count:,} row" + ("" if count == 1 else "s")


def _label(name: str) -> str:
    feature = schema.FEATURES_BY_NAME.get(name)
    return feature.label if feature else name.replace("_", " ").capitalize()


def _format(name: str, value: float) -> str:
    feature = schema.FEATURES_BY_NAME.get(name)
    if feature is None or not np.isfinite(value):
        return f"{value:.3g}"
    if feature.integer and feature.name not in ("duration_ms",):
        return f"{value:.2f}" if abs(value - round(value)) > 1e-9 else feature.format_value(value)
    return feature.format_value(value)


# ---- the report's tables ---------------------------------------------------------------------------------------------

def null_counts(frame: pd.DataFrame) -> pd.Series:
    """Missing values per column (the one pass over every cell the Overview's tables share)."""
    return frame.isna().sum()


def column_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Missing and distinct values of every column in one pass (index: column; columns: nulls, distinct).

    Text columns are factorised once and the codes answer both questions: on a million rows that is one hash pass
    per text column instead of three (isna, nunique's unique and its own isna)."""
    nulls, distinct = [], []
    for column in frame.columns:
        series = frame[column]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            nulls.append(int(series.isna().sum()))
            distinct.append(int(series.nunique()))
        else:
            codes, uniques = pd.factorize(series, use_na_sentinel=True)
            nulls.append(int((codes < 0).sum()))
            distinct.append(len(uniques))
    return pd.DataFrame({"nulls": nulls, "distinct": distinct}, index=list(frame.columns))


def info_table(frame: pd.DataFrame, nulls: pd.Series | None = None) -> pd.DataFrame:
    """df.info() as a table: one row per column with its non-null count and dtype."""
    nulls = null_counts(frame) if nulls is None else nulls
    return pd.DataFrame({
        "column": [str(c) for c in frame.columns],
        "non-null count": (len(frame) - nulls).to_numpy(dtype=np.int64),
        "dtype": [str(t) for t in frame.dtypes],
    })


def info_summary(frame: pd.DataFrame) -> str:
    """The lines df.info() prints around its table: entries, dtype counts, memory."""
    counts = pd.Series([str(t) for t in frame.dtypes]).value_counts()
    dtypes = ", ".join(f"{name}({count})" for name, count in sorted(counts.items()))
    memory_mb = frame.memory_usage(index=True, deep=False).sum() / 1024 ** 2
    return (f"{len(frame):,} entries × {frame.shape[1]} columns; dtypes: {dtypes}; "
            f"memory usage: {memory_mb:.1f}+ MB")


def describe_table(frame: pd.DataFrame) -> pd.DataFrame:
    """df.describe(): count, mean, std, min, quartiles, max of every numeric column (booleans excluded)."""
    numeric = [c for c in frame.columns if _is_numeric(frame[c])]
    if not numeric:
        return pd.DataFrame(index=["count", "mean", "std", "min", "25%", "50%", "75%", "max"])
    return frame[numeric].describe()


def describe_difference(ours: pd.DataFrame, reference: pd.DataFrame = rf.DESCRIBE) -> pd.DataFrame:
    """Ours minus the report's describe() on the statistics and columns both have (positive: ours is higher)."""
    rows = [r for r in reference.index if r in ours.index]
    columns = [c for c in reference.columns if c in ours.columns]
    return ours.loc[rows, columns].astype(float) - reference.loc[rows, columns].astype(float)


def null_counts_table(frame: pd.DataFrame, reference: dict[str, int] | None = None,
                      nulls: pd.Series | None = None) -> pd.DataFrame:
    """df.isnull().sum() with the share of rows, and the report's count beside it when a reference is given."""
    nulls = null_counts(frame) if nulls is None else nulls
    table = pd.DataFrame({"column": [str(c) for c in frame.columns], "nulls": nulls.to_numpy(dtype=np.int64),
                          "share %": (100 * nulls / max(len(frame), 1)).to_numpy(dtype=float)})
    if reference is not None:
        table["report"] = [reference.get(c, 0) if c in schema.CANONICAL_COLUMNS else pd.NA for c in frame.columns]
        table["report"] = table["report"].astype("Int64")
    return table


def nunique_table(frame: pd.DataFrame, reference: dict[str, int] | None = None,
                  distinct: pd.Series | None = None) -> pd.DataFrame:
    """df.nunique(), with the report's count beside it when a reference is given."""
    distinct = frame.nunique() if distinct is None else distinct
    table = pd.DataFrame({"column": [str(c) for c in frame.columns],
                          "distinct values": distinct.to_numpy(dtype=np.int64)})
    if reference is not None:
        table["report"] = pd.array([reference.get(c) for c in frame.columns], dtype="Int64")
    return table


def search_mask(frame: pd.DataFrame, query: str, columns: tuple[str, ...] = (schema.ARTIST, schema.TRACK_NAME)
                ) -> np.ndarray:
    """Rows whose artist or title contains `query` (case-insensitive, literal text); every row for an empty query."""
    query = query.strip()
    if not query:
        return np.ones(len(frame), dtype=bool)
    mask = np.zeros(len(frame), dtype=bool)
    for column in columns:
        if column in frame.columns:
            mask |= frame[column].astype("string").str.contains(query, case=False, regex=False).fillna(False) \
                .to_numpy(dtype=bool)
    return mask


def head_table(frame: pd.DataFrame, query: str = "", sort_by: str | None = None, descending: bool = False,
               limit: int = HEAD_ROWS) -> tuple[pd.DataFrame, int]:
    """The first `limit` rows matching the artist/title search, sorted over all matches; and how many matched."""
    matches = frame[search_mask(frame, query)] if query.strip() else frame
    n_matching = len(matches)
    if sort_by is not None and sort_by in matches.columns:
        if n_matching > limit and _is_numeric(matches[sort_by]) and not matches[sort_by].isna().any():
            # Only `limit` rows are shown: pick them with a partial sort instead of sorting a million rows.
            values = matches[sort_by].to_numpy(dtype=float)
            keys = -values if descending else values
            matches = matches.iloc[np.argpartition(keys, limit - 1)[:limit]]
        matches = matches.sort_values(sort_by, ascending=not descending, kind="stable", na_position="last")
    return matches.head(limit), n_matching


# ---- data-quality alerts ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Alert:
    """One finding about the data, and what it means for modelling in one sentence."""

    kind: str                  # duplicate_ids | duplicate_rows | missing | zero_inflated | skewed | near_constant |
    columns: tuple[str, ...]   #   high_correlation | imbalance
    value: float               # the measured number: a count, a share, a skewness or r
    title: str
    meaning: str
    severity: str = "info"     # "warning" needs attention before modelling, "info" is worth knowing
    detail: str = ""           # the finding in a few words, for a list of same-kind alerts ("`liveness` +2.19")


# Headings for alerts of one kind shown together (same meaning, several columns).
ALERT_KIND_TITLES = {
    "missing": "Missing values", "zero_inflated": "Zero-inflated", "skewed": "Skewed",
    "near_constant": "Near-constant", "high_correlation": "Highly correlated pairs",
}


def group_alerts(alerts: list[Alert]) -> list[list[Alert]]:
    """Alerts of one kind and one meaning together (five skewed columns read as one line), first-seen order."""
    groups: dict[tuple[str, str], list[Alert]] = {}
    for alert in alerts:
        groups.setdefault((alert.kind, alert.meaning), []).append(alert)
    return list(groups.values())


def alert_lines(alerts: list[Alert]) -> list[str]:
    """One markdown sentence per group of alerts (group_alerts): a lone alert by its title, a group by its kind."""
    lines = []
    for group in group_alerts(alerts):
        if len(group) == 1:
            lines.append(f"**{group[0].title}.** {group[0].meaning}")
        else:
            heading = ALERT_KIND_TITLES.get(group[0].kind, group[0].kind)
            lines.append(f"**{heading}:** {' · '.join(a.detail for a in group)}. {group[0].meaning}")
    return lines


def _id_codes(frame: pd.DataFrame) -> np.ndarray | None:
    """The track ids as integer codes (-1 for a missing id): fast to test for repeats, computed once."""
    if schema.TRACK_ID not in frame.columns:
        return None
    return pd.factorize(frame[schema.TRACK_ID], use_na_sentinel=True)[0]


def duplicate_track_ids(frame: pd.DataFrame, id_codes: np.ndarray | None = None) -> int:
    """Rows repeating a track id seen earlier (130,663 rows with 130,326 distinct ids → 337); missing ids are not
    duplicates of each other."""
    codes = _id_codes(frame) if id_codes is None else id_codes
    if codes is None:
        return 0
    present = codes[codes >= 0]
    return int(len(present) - len(np.unique(present)))


def duplicate_rows(frame: pd.DataFrame, id_codes: np.ndarray | None = None) -> int:
    """Rows that are exact copies of an earlier row (every column equal).

    An exact copy repeats its track id too, so only rows with a repeated id are compared in full: on a million rows
    that is a few thousand rows instead of hashing every string cell."""
    if frame.empty:
        return 0
    codes = _id_codes(frame) if id_codes is None else id_codes
    if codes is not None:
        frame = frame[pd.Series(codes).duplicated(keep=False).to_numpy()]
    return int(frame.duplicated().sum())


def zero_shares(frame: pd.DataFrame) -> pd.Series:
    """Share of exact zeros in each canonical quantity (features that are codes are left out)."""
    names = [c for c in analysis_columns(frame) if c not in CATEGORICAL_FEATURES]
    return pd.Series({c: float(np.mean(_numeric_values(frame[c]) == 0)) if len(frame) else 0.0 for c in names},
                     dtype=float)


def skewness(frame: pd.DataFrame) -> pd.Series:
    """Sample skewness (pandas' bias-corrected) of each canonical quantity; NaN with fewer than 3 values."""
    names = [c for c in analysis_columns(frame) if c not in CATEGORICAL_FEATURES]
    return pd.Series({c: float(pd.Series(_numeric_values(frame[c])).skew()) for c in names}, dtype=float)


def top_value_shares(frame: pd.DataFrame) -> pd.DataFrame:
    """For each canonical numeric column: its most frequent value and the share of rows holding it."""
    rows = []
    for column in analysis_columns(frame):
        counts = frame[column].value_counts(dropna=True)
        if len(counts):
            rows.append({"column": column, "value": counts.index[0], "share": counts.iloc[0] / len(frame)})
    return pd.DataFrame(rows, columns=["column", "value", "share"])


def correlated_pairs(corr: pd.DataFrame, threshold: float = HIGH_CORRELATION,
                     exclude: tuple[str, ...] = (schema.TARGET,)) -> pd.DataFrame:
    """Pairs of different columns with |r| >= threshold (each pair once), strongest first."""
    names = [c for c in corr.columns if c not in exclude]
    rows = []
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            r = corr.loc[a, b]
            if np.isfinite(r) and abs(r) >= threshold:
                rows.append({"a": a, "b": b, "r": float(r)})
    table = pd.DataFrame(rows, columns=["a", "b", "r"])
    return table.reindex(table["r"].abs().sort_values(ascending=False).index).reset_index(drop=True)


def popular_threshold(popularity: pd.Series, quantile: float = POPULAR_QUANTILE) -> float:
    """The popularity at the given quantile (pandas' linear interpolation, as the report computed 73)."""
    values = pd.Series(_numeric_values(popularity)).dropna()
    return float(values.quantile(quantile)) if len(values) else float("nan")


def popular_share(popularity: pd.Series, threshold: float) -> float:
    """Share of songs at or above the threshold ("popular" in the report's binary classification)."""
    values = pd.Series(_numeric_values(popularity)).dropna()
    return float((values >= threshold).mean()) if len(values) else float("nan")


def duplicate_alerts(frame: pd.DataFrame, generated: tuple[str, ...] = ()) -> list[Alert]:
    """Repeated track ids and exact copies. `generated` names columns the loader made up (a file without track ids
    gets `row-1`, `row-2` …): they cannot repeat, so copies are judged on the file's own columns."""
    alerts = []
    if generated:
        frame = frame.drop(columns=[c for c in generated if c in frame.columns])
    codes = _id_codes(frame)
    ids = duplicate_track_ids(frame, codes)
    if ids:
        alerts.append(Alert(
            "duplicate_ids", (schema.TRACK_ID,), ids,
            f"{_rows(ids)} repeat{'s' if ids == 1 else ''} a track id seen earlier",
            "A re-listed song can land in both the training and the test split, so test scores come out slightly "
            "optimistic; de-duplicate or split by track id before trusting small differences between models.",
            "warning"))
    rows = duplicate_rows(frame, codes)
    if rows:
        alerts.append(Alert(
            "duplicate_rows", tuple(map(str, frame.columns)), rows,
            f"{_rows(rows)} {'is an exact copy' if rows == 1 else 'are exact copies'} of an earlier row"
            + (f" (ignoring the made-up {', '.join(f'`{c}`' for c in generated)})" if generated else ""),
            "Exact copies count a song twice in every statistic and leak between the training and test splits; "
            "drop them unless the repetition is real.",
            "warning"))
    return alerts


def missing_alerts(frame: pd.DataFrame, nulls: pd.Series | None = None) -> list[Alert]:
    alerts = []
    for column, count in (null_counts(frame) if nulls is None else nulls).items():
        if not count:
            continue
        share = count / len(frame)
        if column in schema.ID_COLUMNS:
            meaning = (f"Only an identifier is missing and no model uses `{column}`, so training is unaffected; "
                       "searches just can't find those songs by it.")
            severity = "info"
        elif column in schema.FEATURE_NAMES or column == schema.TARGET:
            which = "that row is" if count == 1 else f"those {count:,} rows are"
            meaning = f"Models cannot take a missing `{column}`: {which} dropped (or must be imputed) before training."
            severity = "warning"
        else:
            meaning = f"`{column}` is not a model input, so this only affects the charts that use it."
            severity = "info"
        alerts.append(Alert("missing", (str(column),), int(count),
                            f"`{column}` is missing in {_rows(count)} ({100 * share:.2g} %)", meaning, severity,
                            f"`{column}` {count:,}"))
    return alerts


def zero_inflation_alerts(frame: pd.DataFrame, threshold: float = ZERO_INFLATED_SHARE) -> list[Alert]:
    alerts = []
    for column, share in zero_shares(frame).items():
        if share < threshold:
            continue
        if column == schema.TARGET:
            meaning = ("Popularity 0 is a group of its own (songs almost nobody streams): a regressor is pulled "
                       "towards 0 and under-predicts hits, which a zero/non-zero split or a classifier handles better.")
        else:
            meaning = ("A spike at exactly 0 beside a continuous tail: one linear slope cannot fit both, so tree "
                       "models or an 'is zero' indicator capture it better.")
        alerts.append(Alert("zero_inflated", (column,), share,
                            f"`{column}` is zero-inflated: {100 * share:.1f} % of rows are exactly 0", meaning,
                            detail=f"`{column}` {100 * share:.1f} % zeros"))
    return alerts


def skew_alerts(frame: pd.DataFrame, threshold: float = SKEW_THRESHOLD) -> list[Alert]:
    alerts = []
    for column, skew in skewness(frame).items():
        if not np.isfinite(skew) or abs(skew) < threshold:
            continue
        side = "right (a few very large values)" if skew > 0 else "left (a few very small values)"
        alerts.append(Alert(
            "skewed", (column,), skew, f"`{column}` is skewed (skewness {skew:+.2f}): long tail to the {side}",
            "A long tail lets a few extreme songs dominate squared-error fits and standard scaling; a log or rank "
            "transform, robust scaling or tree models tame it.", detail=f"`{column}` {skew:+.2f}"))
    return alerts


def near_constant_alerts(frame: pd.DataFrame, threshold: float = NEAR_CONSTANT_SHARE) -> list[Alert]:
    alerts = []
    for row in top_value_shares(frame).itertuples(index=False):
        if row.share < threshold:
            continue
        shown = _format(row.column, float(row.value))
        word = "constant" if row.share >= 1 else "near-constant"
        alerts.append(Alert(
            "near_constant", (row.column,), float(row.share),
            f"`{row.column}` is {word}: {100 * row.share:.1f} % of rows have the value {shown}",
            "Almost every song has the same value, so the column carries little information for any model and its "
            "rare values are estimated from few songs.", detail=f"`{row.column}` {100 * row.share:.1f} % {shown}"))
    return alerts


def correlation_alerts(corr: pd.DataFrame, threshold: float = HIGH_CORRELATION) -> list[Alert]:
    alerts = []
    for row in correlated_pairs(corr, threshold).itertuples(index=False):
        direction = "positively" if row.r > 0 else "negatively"
        alerts.append(Alert(
            "high_correlation", (row.a, row.b), row.r,
            f"`{row.a}` and `{row.b}` are highly {direction} correlated (r = {row.r:+.2f})",
            "The two carry much the same information: linear coefficients become unstable and importance is split "
            "between them, although predictions are unaffected.", detail=f"`{row.a}`–`{row.b}` {row.r:+.2f}"))
    return alerts


def imbalance_alert(frame: pd.DataFrame, max_share: float = IMBALANCE_MINORITY_SHARE) -> list[Alert]:
    if schema.TARGET not in frame.columns or frame[schema.TARGET].notna().sum() < MIN_ROWS_FOR_STATISTICS:
        return []
    threshold = popular_threshold(frame[schema.TARGET])
    share = popular_share(frame[schema.TARGET], threshold)
    if not np.isfinite(share) or share >= max_share:
        return []
    return [Alert(
        "imbalance", (schema.TARGET,), share,
        f"The target is imbalanced: only {100 * share:.2f} % of songs are 'popular' (popularity ≥ {threshold:g}, the "
        "99th percentile)",
        f"A classifier that always answers 'not popular' already scores {100 * (1 - share):.1f} % accuracy, so judge "
        "models by precision, recall and F1 on the popular class (or PR-AUC), or train with class weights.",
        "warning")]


def quality_alerts(frame: pd.DataFrame, corr: pd.DataFrame | None = None, nulls: pd.Series | None = None,
                   generated: tuple[str, ...] = ()) -> list[Alert]:
    """Every alert, warnings first, in the order a person should read them (`generated`: see duplicate_alerts)."""
    if corr is None:
        corr = correlation_matrix(frame)
    alerts = (duplicate_alerts(frame, generated) + missing_alerts(frame, nulls) + imbalance_alert(frame)
              + zero_inflation_alerts(frame) + skew_alerts(frame) + near_constant_alerts(frame)
              + correlation_alerts(corr))
    return sorted(alerts, key=lambda a: a.severity != "warning")  # stable: keeps the order within a severity


def alerts_table(alerts: list[Alert]) -> pd.DataFrame:
    return pd.DataFrame([{"severity": a.severity, "kind": a.kind, "columns": ", ".join(a.columns),
                          "value": a.value, "finding": a.title, "meaning for modelling": a.meaning} for a in alerts],
                        columns=["severity", "kind", "columns", "value", "finding", "meaning for modelling"])


@dataclass
class OverviewTables:
    """Everything the Overview page shows about one dataset (small tables only)."""

    info: pd.DataFrame
    info_summary: str
    describe: pd.DataFrame
    describe_difference: pd.DataFrame
    nulls: pd.DataFrame
    nunique: pd.DataFrame
    alerts: list[Alert]
    duplicate_track_ids: int
    duplicate_rows: int
    glance: pd.DataFrame = field(default_factory=pd.DataFrame)


GLANCE_BINS = 40
GLANCE_COLUMNS = ("column", "distribution", "min", "median", "mean", "max", "zeros %")


def glance_table(frame: pd.DataFrame, bins: int = GLANCE_BINS) -> pd.DataFrame:
    """Every canonical numeric column in one row: its histogram (bin counts, one bar per value for codes) and the
    figures that read it. ydata-profiling's variables overview, compact: zero spikes, long tails and near-constant
    columns are visible at once."""
    rows = []
    for column in analysis_columns(frame):
        values = _numeric_values(frame[column])
        finite = values[np.isfinite(values)]
        if not len(finite):
            continue
        counts = histogram(finite, bin_edges(finite, column, bins))["count"]
        rows.append({"column": column, "distribution": counts.tolist(), "min": finite.min(),
                     "median": float(np.median(finite)), "mean": finite.mean(), "max": finite.max(),
                     "zeros %": 100 * float(np.mean(finite == 0))})
    return pd.DataFrame(rows, columns=list(GLANCE_COLUMNS))


def overview_tables(frame: pd.DataFrame, generated: tuple[str, ...] = ()) -> OverviewTables:
    """Everything the Overview shows; `generated` names columns the loader made up (LoadReport.filled_columns)."""
    describe = describe_table(frame)
    counts_by_column = column_counts(frame)
    nulls = counts_by_column["nulls"]
    alerts = quality_alerts(frame, nulls=nulls, generated=generated)
    counts = {a.kind: int(a.value) for a in alerts if a.kind in ("duplicate_ids", "duplicate_rows")}
    return OverviewTables(
        info=info_table(frame, nulls), info_summary=info_summary(frame), describe=describe,
        describe_difference=describe_difference(describe), nulls=null_counts_table(frame, rf.NULL_COUNTS, nulls),
        nunique=nunique_table(frame, rf.NUNIQUE, counts_by_column["distinct"]), alerts=alerts,
        duplicate_track_ids=counts.get("duplicate_ids", 0), duplicate_rows=counts.get("duplicate_rows", 0),
        glance=glance_table(frame))


def load_report_lines(report) -> list[tuple[str, str]]:
    """The load report (a core.sources.LoadReport) as (label, sentence) pairs for the source card."""
    generated = report.source == "twin"
    renamed = {src: dst for src, dst in report.column_mapping.items() if src != dst}
    problems = report.row_problems
    n_problem_rows = int(problems["row"].nunique()) if len(problems) else 0
    lines = [
        ("Encoding", "generated in memory (no file)" if generated else (report.encoding or "unknown")),
        ("Delimiter", "—" if generated else {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}.get(
            report.delimiter or "", repr(report.delimiter) if report.delimiter else "unknown")),
        ("Columns renamed", ", ".join(f"`{src}` → `{dst}`" for src, dst in renamed.items()) or "none"),
        ("Conversions", "; ".join(report.conversions) or "none"),
        ("Audio features missing", ", ".join(f"`{c}`" for c in report.missing_features) or "none"),
        ("Extra columns kept", ", ".join(f"`{c}`" for c in report.extra_columns) or "none"),
        ("Rows with problems", f"{n_problem_rows:,}" + (f" ({len(problems):,} unusable cells, left empty)"
                                                          if n_problem_rows else "")),
    ]
    if getattr(report, "dropped_rows", 0):
        lines.append(("Rows dropped", f"{report.dropped_rows:,} rows with problems were removed"))
    return lines


# ---- filters ---------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Filters:
    """What the Distributions page restricts the data to; frozen and small, so it is a cache key."""

    popularity: tuple[float, float] | None = None
    features: tuple[tuple[str, float, float], ...] = ()   # (feature, low, high), inclusive
    artist: str = ""

    @property
    def active(self) -> bool:
        return self.popularity is not None or bool(self.features) or bool(self.artist.strip())

    def describe(self) -> str:
        parts = []
        if self.popularity is not None:
            parts.append(f"popularity {self.popularity[0]:g}–{self.popularity[1]:g}")
        for name, low, high in self.features:
            parts.append(f"{_label(name).lower()} {_format(name, low)} to {_format(name, high)}")
        if self.artist.strip():
            parts.append(f"artist contains “{self.artist.strip()}”")
        return "; ".join(parts) if parts else "no filters"


def filter_mask(frame: pd.DataFrame, filters: Filters) -> np.ndarray:
    mask = np.ones(len(frame), dtype=bool)
    if filters.popularity is not None and schema.TARGET in frame.columns:
        values = _numeric_values(frame[schema.TARGET])
        mask &= (values >= filters.popularity[0]) & (values <= filters.popularity[1])
    for name, low, high in filters.features:
        if name in frame.columns:
            values = _numeric_values(frame[name])
            mask &= (values >= low) & (values <= high)
    if filters.artist.strip():
        mask &= search_mask(frame, filters.artist, (schema.ARTIST,))
    return mask


def select_rows(frame: pd.DataFrame, mask: np.ndarray | None, columns: list[str] | None = None) -> pd.DataFrame:
    """The rows a filter mask keeps (every row for None), only `columns` when given: an analysis copies just what it
    reads, so a cached mask (1 byte a row) can stand in for a cached copy of the filtered frame."""
    if columns is not None:
        columns = [c for c in dict.fromkeys(columns) if c in frame.columns]
    if mask is None:
        return frame if columns is None else frame[columns]
    return frame.loc[mask] if columns is None else frame.loc[mask, columns]


def apply_filters(frame: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """The rows passing every filter; the frame itself (no copy) when nothing is filtered."""
    if not filters.active:
        return frame
    return frame[filter_mask(frame, filters)]


def filter_bounds(frame: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """Slider bounds for each canonical numeric column: its observed min and max."""
    bounds = {}
    for column in analysis_columns(frame):
        values = _numeric_values(frame[column])
        values = values[np.isfinite(values)]
        if len(values):
            bounds[column] = (float(values.min()), float(values.max()))
    return bounds


# ---- binning helpers -------------------------------------------------------------------------------------------------

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


# ---- popularity ------------------------------------------------------------------------------------------------------

def quantile_table(popularity: pd.Series, reference: dict[float, float] | None = rf.POPULARITY_QUANTILES,
                   ) -> pd.DataFrame:
    """Popularity at every 1 % from 1 % to 99 % (as the report printed), the report's value where it printed one.
    Highest quantile first, so the 99th percentile (the "popular" cut) leads the table."""
    qs = [i / 100 for i in range(99, 0, -1)]
    values = pd.Series(_numeric_values(popularity)).dropna()
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
    values = _numeric_values(popularity)
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


# ---- one feature against popularity ----------------------------------------------------------------------------------

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
        low_group, high_group = (f"{_label(feature).lower()} {_format(feature, v)}" for v in (low_value, high_value))
        low_mean, high_mean = float(means.loc[low_value, "mean"]), float(means.loc[high_value, "mean"])
    else:
        q10, q90 = np.quantile(x, [0.1, 0.9])
        low, high = x <= q10, x >= q90
        low_group = f"the lowest tenth of {_label(feature).lower()} (≤ {_format(feature, q10)})"
        high_group = f"the highest tenth (≥ {_format(feature, q90)})"
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
    label = _label(stats.feature)
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
                 f"{_format(stats.feature, stats.popular_mean)} against {_format(stats.feature, stats.rest_mean)} "
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
    values = _numeric_values(frame[feature])
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
        popularity = _numeric_values(frame[schema.TARGET])
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


# ---- extra columns as colour ----------------------------------------------------------------------------------------

def colour_columns(frame: pd.DataFrame) -> list[str]:
    """Non-canonical columns that make sensible colour groups: booleans, year-like numbers (as decades) and text
    with a modest number of distinct values (genre, label …)."""
    names = []
    for column in frame.columns:
        if column in schema.CANONICAL_COLUMNS:
            continue
        series = frame[column]
        if pd.api.types.is_bool_dtype(series):
            names.append(column)
        elif _is_numeric(series):
            if _is_year(column, series):
                names.append(column)
        elif 2 <= series.nunique(dropna=True) <= MAX_GROUP_CARDINALITY:
            names.append(column)
    return names


def _is_year(name: str, series: pd.Series) -> bool:
    values = _numeric_values(series)
    finite = values[np.isfinite(values)]
    return bool(re.search(r"year", str(name), re.I)) and len(finite) > 0 and \
        bool(np.all((finite >= 1800) & (finite <= 2100)))


def group_labels(series: pd.Series, max_groups: int = MAX_GROUPS) -> pd.Series:
    """A label per row: decades for year columns, True/False for flags, the most frequent values (+ "other")."""
    if _is_numeric(series) and _is_year(str(series.name), series):
        values = _numeric_values(series)
        decades = np.floor(np.nan_to_num(values, nan=0) / 10).astype(np.int64) * 10
        return pd.Series([f"{d}s" for d in decades], index=series.index).where(np.isfinite(values), "missing")
    labels = series.astype("string").fillna("missing").astype(object)
    top = labels.value_counts().index[: max_groups - 1]
    return labels.where(labels.isin(top), "other")


def grouped_histogram(values: np.ndarray, groups: pd.Series, edges: np.ndarray) -> pd.DataFrame:
    """Counts per bin and group (long form: left, right, center, group, count, share), largest groups first."""
    labels = groups.to_numpy()
    order = pd.Series(labels).value_counts().index
    parts = []
    for label in order:
        part = histogram(values[labels == label], edges)
        part.insert(3, "group", str(label))
        parts.append(part)
    return pd.concat(parts, ignore_index=True) if parts else histogram(values, edges).assign(group="all")


# ---- correlations ----------------------------------------------------------------------------------------------------

CORRELATION_METHODS = ("pearson", "spearman")


def correlation_matrix(frame: pd.DataFrame, method: str = "pearson") -> pd.DataFrame:
    """Correlation of every canonical numeric column with every other (the report's Pearson matrix; Spearman = Pearson
    on ranks). NaN for a column without spread or with fewer than 3 rows. Fast path without missing values."""
    if method not in CORRELATION_METHODS:
        raise ValueError(f"method must be one of {CORRELATION_METHODS}, not {method!r}")
    names = analysis_columns(frame)
    if len(frame) < MIN_ROWS_FOR_STATISTICS or not names:
        return pd.DataFrame(np.nan, index=names, columns=names)
    data = pd.DataFrame({c: _numeric_values(frame[c]) for c in names})
    if method == "spearman":
        data = data.rank()
    if data.isna().any().any():
        return data.corr()  # pairwise complete observations, as pandas does
    values = data.to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        matrix = np.corrcoef(values, rowvar=False)
    matrix = np.atleast_2d(matrix)
    np.fill_diagonal(matrix, np.where(values.std(axis=0) > 0, 1.0, np.nan))
    return pd.DataFrame(matrix, index=names, columns=names)


def target_correlations(corr: pd.DataFrame) -> pd.Series:
    """Each feature's correlation with popularity, sorted from most negative to most positive."""
    if schema.TARGET not in corr.columns:
        return pd.Series(dtype=float)
    return corr[schema.TARGET].drop(schema.TARGET).sort_values()
