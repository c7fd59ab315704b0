"""The report's tables (head, info(), describe(), null counts, nunique()) and the searchable head of the data."""
from __future__ import annotations

import numpy as np
import pandas as pd

from core import report_figures as rf
from core import schema
from core.eda.columns import is_numeric


HEAD_ROWS = 1_000                # rows of the searchable head sent to the browser


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
    numeric = [c for c in frame.columns if is_numeric(frame[c])]
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
        if n_matching > limit and is_numeric(matches[sort_by]) and not matches[sort_by].isna().any():
            # Only `limit` rows are shown: pick them with a partial sort instead of sorting a million rows.
            values = matches[sort_by].to_numpy(dtype=float)
            keys = -values if descending else values
            matches = matches.iloc[np.argpartition(keys, limit - 1)[:limit]]
        matches = matches.sort_values(sort_by, ascending=not descending, kind="stable", na_position="last")
    return matches.head(limit), n_matching
