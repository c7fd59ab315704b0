"""The one CSV writer for everything the product hands a person (downloads, `core score`).

A spreadsheet runs a cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return as a formula
(`=HYPERLINK(...)`, `=cmd|' /C calc'!A0`). Following the OWASP rule, such text cells — and header and index labels —
get a leading single quote, which spreadsheets show as plain text. Numbers stay numbers: numeric columns are never
touched, and text that is just a number (`-7.5` in a text column) is left as it is, since it cannot be a formula.
"""
from __future__ import annotations

import os
import re
from typing import Any

import pandas as pd

# The ASCII triggers and their full-width forms (some spreadsheets fold those to ASCII).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_PLAIN_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")


def neutralise(value: Any) -> Any:
    """A text value a spreadsheet would run as a formula, quoted so it stays text; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def _neutralise_column(values: pd.Series) -> pd.Series:
    if isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype(object)
    if pd.api.types.is_string_dtype(values.dtype) or pd.api.types.is_object_dtype(values.dtype):
        return values.map(neutralise)
    return values  # numbers, booleans, dates, intervals: a spreadsheet never runs them


def _neutralise_index(index: pd.Index) -> pd.Index:
    if isinstance(index, pd.MultiIndex):
        return pd.MultiIndex.from_tuples([tuple(neutralise(v) for v in entry) for entry in index],
                                         names=[neutralise(n) for n in index.names])
    if pd.api.types.is_numeric_dtype(index.dtype) or pd.api.types.is_bool_dtype(index.dtype):
        return index.rename(neutralise(index.name))
    return pd.Index([neutralise(v) for v in index], name=neutralise(index.name), dtype=object)


def safe_table(table: pd.DataFrame, index: bool = False) -> pd.DataFrame:
    """A copy of `table` whose text cells, column names (and index, when written) cannot run as formulas."""
    safe = pd.DataFrame({position: _neutralise_column(table.iloc[:, position]) for position in range(table.shape[1])},
                        index=table.index)
    columns = table.columns
    safe.columns = _neutralise_index(columns) if isinstance(columns, pd.MultiIndex) else \
        pd.Index([neutralise(c) for c in columns], dtype=object, name=columns.name)
    if index:
        safe.index = _neutralise_index(table.index)
    return safe


def to_csv_bytes(table: pd.DataFrame, index: bool = False) -> bytes:
    """UTF-8 CSV bytes of `table`, safe to open in a spreadsheet."""
    # CRLF (RFC 4180) ends rows, so a text cell holding a lone \r is quoted instead of breaking its row
    return safe_table(table, index=index).to_csv(index=index, lineterminator="\r\n").encode("utf-8")


def write_csv(table: pd.DataFrame, path: str | os.PathLike, index: bool = False) -> None:
    """`table` as a UTF-8 CSV file at `path`, safe to open in a spreadsheet."""
    with open(path, "wb") as handle:
        handle.write(to_csv_bytes(table, index=index))
