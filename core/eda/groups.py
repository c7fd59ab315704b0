"""Extra columns (genre, year, flags …) as colour groups: which columns qualify, a label per row, grouped histograms."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from core import schema
from core.eda.binning import histogram
from core.eda.columns import is_numeric, numeric_values


MAX_GROUPS = 7                   # colour groups for extra columns: the most frequent 6 plus "other"
MAX_GROUP_CARDINALITY = 200      # a text column with more distinct values is an identifier, not a group


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
        elif is_numeric(series):
            if _is_year(column, series):
                names.append(column)
        elif 2 <= series.nunique(dropna=True) <= MAX_GROUP_CARDINALITY:
            names.append(column)
    return names


def _is_year(name: str, series: pd.Series) -> bool:
    values = numeric_values(series)
    finite = values[np.isfinite(values)]
    return bool(re.search(r"year", str(name), re.I)) and len(finite) > 0 and \
        bool(np.all((finite >= 1800) & (finite <= 2100)))


def group_labels(series: pd.Series, max_groups: int = MAX_GROUPS) -> pd.Series:
    """A label per row: decades for year columns, True/False for flags, the most frequent values (+ "other")."""
    if is_numeric(series) and _is_year(str(series.name), series):
        values = numeric_values(series)
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
