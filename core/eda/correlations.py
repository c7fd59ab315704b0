"""Correlation matrices (Pearson, Spearman) over the canonical numeric columns, each feature against popularity,
and the strongly correlated pairs.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from core import schema
from core.eda.columns import MIN_ROWS_FOR_STATISTICS, analysis_columns, numeric_values


HIGH_CORRELATION = 0.65          # |Pearson r| between two features at or above this is redundancy


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


CORRELATION_METHODS = ("pearson", "spearman")


def correlation_matrix(frame: pd.DataFrame, method: str = "pearson") -> pd.DataFrame:
    """Correlation of every canonical numeric column with every other (the report's Pearson matrix; Spearman = Pearson
    on ranks). NaN for a column without spread or with fewer than 3 rows. Fast path without missing values."""
    if method not in CORRELATION_METHODS:
        raise ValueError(f"method must be one of {CORRELATION_METHODS}, not {method!r}")
    names = analysis_columns(frame)
    if len(frame) < MIN_ROWS_FOR_STATISTICS or not names:
        return pd.DataFrame(np.nan, index=names, columns=names)
    data = pd.DataFrame({c: numeric_values(frame[c]) for c in names})
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
