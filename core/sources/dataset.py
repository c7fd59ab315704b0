"""What a load produces: the canonical frame, a report of everything the loader saw or changed, and a fingerprint."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from core import schema

ROW_PROBLEM_COLUMNS = ("row", "line", "column", "value", "problem")


def empty_row_problems() -> pd.DataFrame:
    return pd.DataFrame({"row": pd.Series(dtype="int64"), "line": pd.Series(dtype="int64"),
                         "column": pd.Series(dtype="str"), "value": pd.Series(dtype="str"),
                         "problem": pd.Series(dtype="str")})


def non_data_lines_frame(lines: list[tuple[int, str]] | None = None) -> pd.DataFrame:
    lines = lines or []
    return pd.DataFrame({"line": pd.Series([n for n, _ in lines], dtype="int64"),
                         "what": pd.Series([w for _, w in lines], dtype="str")})


@dataclass
class LoadReport:
    """Everything a person should know about how a file became the canonical frame.

    `row_problems` lists unusable cells: `row` is the 1-based number of the data record in the file (the header is
    not counted and blank lines are skipped, so data row 1 is the line right under the header — line 2 of a
    spreadsheet), `line` the file line it starts on, `column` the file's own header, `value` the cell as written,
    `problem` a short phrase. A line that could not be read as a row at all has an empty `column`.
    Unusable cells are empty (NaN) in the frame until the rows are dropped (`drop_problem_rows=True`).

    Every line under the header is accounted for: `data_lines` = `loaded_lines` (lines of the rows loaded; more
    than one per row only for quoted line breaks) + lines skipped (listed in `row_problems`) + `non_data_lines`
    (blank lines, repeated header lines, each named).
    """

    source: str                                   # "twin" | "file" | "upload"
    name: str
    encoding: str | None = None
    delimiter: str | None = None
    n_rows: int = 0
    n_columns: int = 0
    column_mapping: dict[str, str] = field(default_factory=dict)     # source header -> canonical name
    conversions: list[str] = field(default_factory=list)
    missing_features: list[str] = field(default_factory=list)
    extra_columns: list[str] = field(default_factory=list)
    null_counts: dict[str, int] = field(default_factory=dict)
    duplicate_track_ids: int = 0
    duplicate_rows: int = 0
    row_problems: pd.DataFrame = field(default_factory=empty_row_problems)
    warnings: list[str] = field(default_factory=list)
    has_target: bool = True
    # Beyond the contract, for the mapping UI and the engine:
    source_columns: list[str] = field(default_factory=list)          # the file's headers (cleaned), file order
    filled_columns: list[str] = field(default_factory=list)          # canonical id columns the loader made up
    dropped_rows: int = 0                                            # rows removed by drop_problem_rows=True
    dropped_problems: pd.DataFrame = field(default_factory=empty_row_problems)  # what those rows had
    data_lines: int = 0                                              # physical lines under the header line
    loaded_lines: int = 0                                            # of them, lines of rows loaded (before drops)
    non_data_lines: pd.DataFrame = field(default_factory=non_data_lines_frame)  # blank / repeated-header lines

    @property
    def skipped_lines(self) -> int:
        problems = pd.concat([self.row_problems, self.dropped_problems])
        return int((problems["column"] == "").sum())

    @property
    def lines_accounted(self) -> bool:
        """The loader's promise: each line under the header is a row, a listed skipped line or a named non-data line."""
        return self.data_lines == self.loaded_lines + self.skipped_lines + len(self.non_data_lines)

    @property
    def problem_row_count(self) -> int:
        return int(self.row_problems["row"].nunique()) if len(self.row_problems) else 0


@dataclass(frozen=True, eq=False)
class Dataset:
    """A canonical frame (canonical columns in the report's order, then extras), its report and fingerprint."""

    frame: pd.DataFrame
    report: LoadReport
    fingerprint: str

    @property
    def is_twin(self) -> bool:
        return self.report.source == "twin"

    @property
    def feature_names(self) -> tuple[str, ...]:
        """The canonical audio features present, in the report's order."""
        return tuple(name for name in schema.FEATURE_NAMES if name in self.frame.columns)

    @property
    def has_target(self) -> bool:
        return self.report.has_target


def row_hashes(frame: pd.DataFrame) -> np.ndarray:
    """One uint64 per row over every column's value (not the index)."""
    return pd.util.hash_pandas_object(frame, index=False).to_numpy()


def fingerprint_from_hashes(columns, hashes: np.ndarray) -> str:
    digest = hashlib.sha256()
    digest.update("\x1f".join(map(str, columns)).encode("utf-8"))
    digest.update(np.ascontiguousarray(hashes, dtype=np.uint64).tobytes())
    return digest.hexdigest()[:16]


def frame_fingerprint(frame: pd.DataFrame) -> str:
    """16 hex chars identifying a frame's content: column names and every value, in order; not the index.

    The same songs loaded from a UTF-8 or cp1252 file, with commas or semicolons, give the same fingerprint.
    """
    return fingerprint_from_hashes(frame.columns, row_hashes(frame))
