"""Data-quality alerts in the manner of ydata-profiling: duplicates, missing values, zero spikes, long tails,
near-constant columns, correlated pairs and an imbalanced target, each with what it means for modelling.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core import schema
from core.eda.columns import (CATEGORICAL_FEATURES, MIN_ROWS_FOR_STATISTICS, analysis_columns, format_value,
                              numeric_values)
from core.eda.correlations import HIGH_CORRELATION, correlated_pairs, correlation_matrix
from core.eda.popularity import popular_share, popular_threshold
from core.eda.tables import null_counts


ZERO_INFLATED_SHARE = 0.10       # a numeric column with at least this share of exact zeros is zero-inflated
SKEW_THRESHOLD = 1.0             # |sample skewness| at or above this is a long tail
NEAR_CONSTANT_SHARE = 0.80       # the most frequent value covers at least this share of rows
IMBALANCE_MINORITY_SHARE = 0.05  # a "popular" class smaller than this makes accuracy meaningless


def _rows(count: int) -> str:
    return f"{count:,} row" + ("" if count == 1 else "s")


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
    return pd.Series({c: float(np.mean(numeric_values(frame[c]) == 0)) if len(frame) else 0.0 for c in names},
                     dtype=float)


def skewness(frame: pd.DataFrame) -> pd.Series:
    """Sample skewness (pandas' bias-corrected) of each canonical quantity; NaN with fewer than 3 values."""
    names = [c for c in analysis_columns(frame) if c not in CATEGORICAL_FEATURES]
    return pd.Series({c: float(pd.Series(numeric_values(frame[c])).skew()) for c in names}, dtype=float)


def top_value_shares(frame: pd.DataFrame) -> pd.DataFrame:
    """For each canonical numeric column: its most frequent value and the share of rows holding it."""
    rows = []
    for column in analysis_columns(frame):
        counts = frame[column].value_counts(dropna=True)
        if len(counts):
            rows.append({"column": column, "value": counts.index[0], "share": counts.iloc[0] / len(frame)})
    return pd.DataFrame(rows, columns=["column", "value", "share"])


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
        shown = format_value(row.column, float(row.value))
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
