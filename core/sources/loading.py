"""load_csv and twin_dataset: a path or uploaded bytes (or the twin) → a validated canonical Dataset."""
from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from core import schema
from core.sources import cleaning, reading
from core.sources.dataset import (Dataset, LoadReport, empty_row_problems, fingerprint_from_hashes,
                                  non_data_lines_frame, row_hashes)
from core.sources.errors import DataError, DataFileNotFoundError
from core.sources.mapping import ColumnPlan, plan_columns

MAX_UPLOAD_MB = 200  # matches server.maxUploadSize in .streamlit/config.toml
SOURCE_KINDS = ("file", "upload", "twin")
_INDEX_HEADERS = {"", "unnamed_0", "index", "level_0"}


def _read_source(source, name: str | None) -> tuple[bytes, str]:
    """Bytes and a display name from a path, bytes, or an uploaded-file object; size checked before reading."""
    limit = MAX_UPLOAD_MB * 1024 * 1024
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        name = name or "uploaded file"
    elif isinstance(source, (str, os.PathLike)):
        if isinstance(source, str) and "\n" in source:
            raise DataError("load_csv was given CSV text where a path belongs; pass the file's bytes instead "
                            "(text.encode()).")
        path = Path(source)
        name = name or path.name
        try:
            if path.is_dir():
                raise DataError(f"`{path}` is a folder, not a CSV file.")
            size = path.stat().st_size
            if size > limit:
                raise DataError(_too_large(size, limit))
            data = path.read_bytes()
        except FileNotFoundError:
            raise DataFileNotFoundError(f"The data file `{path}` does not exist.") from None
        except PermissionError:
            raise DataError(f"The data file `{path}` cannot be read (permission denied).") from None
        except OSError as error:
            raise DataError(f"The data file `{path}` cannot be read: {error.strerror or error}.") from None
    elif hasattr(source, "getvalue") or hasattr(source, "read"):
        data = source.getvalue() if hasattr(source, "getvalue") else source.read()
        if isinstance(data, str):
            data = data.encode("utf-8")
        name = name or getattr(source, "name", None) or "uploaded file"
    else:
        raise DataError(f"Cannot read data from a {type(source).__name__}; give a file path or the file's bytes.")
    if len(data) > limit:
        raise DataError(_too_large(len(data), limit))
    return data, name


def _in_report_order(columns) -> list[str]:
    return [c for c in schema.CANONICAL_COLUMNS if c in set(columns)]


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _too_large(size: int, limit: int) -> str:
    return (f"The file is {size / 1024 / 1024:,.0f} MB; the limit is {limit / 1024 / 1024:,.0f} MB. Load a sample "
            "or only the columns you need.")


def load_csv(source: str | os.PathLike | bytes, name: str | None = None, *, mapping: dict[str, str] | None = None,
             drop_problem_rows: bool = False, source_kind: str = "file", require_target: bool = False) -> Dataset:
    """A CSV (path or bytes) as a canonical, validated Dataset; DataError (only) when it cannot be used.

    `mapping` (source header -> canonical column, or None to ignore a column) overrides the loader's own matching.
    `require_target=True` refuses a file without popularity; otherwise it loads for exploring and scoring.
    """
    if source_kind not in ("file", "upload"):
        raise DataError(f"source_kind must be 'file' or 'upload', not {source_kind!r}.")
    data, name = _read_source(source, name)
    try:
        return _load(data, name, mapping, drop_problem_rows, source_kind, require_target)
    except DataError:
        raise
    except MemoryError:
        raise DataError("The file is too large to load into this server's memory.") from None
    except Exception as error:  # noqa: BLE001 — bad input must surface as one readable DataError, never a traceback
        raise DataError(f"The file could not be read as a table of songs ({type(error).__name__}: {error}).") \
            from error


def _looks_like_data(headers: list[str]) -> list[str]:
    numeric = [h for h in headers if re.fullmatch(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*", h)]
    return numeric if len(numeric) >= max(2, len(headers) / 2) else []


def _load(data: bytes, name: str, mapping, drop_problem_rows: bool, source_kind: str,
          require_target: bool) -> Dataset:
    decoded = reading.decode(data)
    reading.check_is_table_text(decoded.sample)
    sample, skip_first_line = decoded.sample, False
    announced = reading.excel_separator_line(sample)
    if announced:
        sample, skip_first_line = sample.split("\n", 1)[1] if "\n" in sample else "", True
    delimiter = announced or reading.sniff_delimiter(sample)
    raw_headers = reading.read_header(sample, delimiter)
    if len(raw_headers) > reading.MAX_COLUMNS:
        raise DataError(f"The header has {len(raw_headers):,} columns; a table of songs has a few dozen at most "
                        f"(limit {reading.MAX_COLUMNS}). Is this the right file?")
    numbers = _looks_like_data(raw_headers)
    if numbers:
        raise DataError(f"The first line looks like data, not column names (it holds "
                        f"{', '.join(f'`{n.strip()}`' for n in numbers[:3])}). Add a header line naming the "
                        "columns (artist_name, track_id, …, popularity) and upload again.")
    plan = plan_columns(raw_headers, mapping)
    headers = plan.headers
    text_columns = {pos for pos in plan.extras} | {plan.chosen[c] for c in schema.ID_COLUMNS if c in plan.chosen}
    table = reading.parse(decoded, delimiter, len(headers), text_columns, skip_first_line, header=raw_headers)

    records = len(table.frame) + len(table.skipped)
    if records == 0:
        raise DataError("The file has a header line but no data rows.", source_columns=headers)
    if len(table.skipped) > records / 2:
        raise DataError(f"{len(table.skipped):,} of {records:,} data rows have a different number of fields than "
                        f"the header ({len(headers)}). Check the delimiter ({reading.DELIMITER_NAMES[delimiter]} "
                        "was used) and that titles containing it are quoted.", source_columns=headers)
    if plan.errors:
        raise DataError(plan.errors, missing_columns=_in_report_order(plan.unresolved), source_columns=headers)

    report = LoadReport(source=source_kind, name=name, encoding=decoded.encoding, delimiter=delimiter,
                        source_columns=list(headers))
    _account_lines(report, decoded, table)
    report.warnings += plan.notes
    columns, problems, unusable, empty = _clean_measures(table, plan, delimiter, report)
    features = [c for c in schema.FEATURE_NAMES if c in plan.chosen]
    if not features and empty:
        raise DataError(f"Every audio-feature column in the file is empty ({', '.join(f'`{h}`' for h in empty)}), "
                        "so there is nothing to analyse or score. (Playlist exports leave them empty for local "
                        "files and podcasts.)", source_columns=headers)
    if not features:
        raise _no_features_error(headers, plan, delimiter)
    if unusable:
        raise DataError([*unusable.values(), "Map the right column below (or ignore it), or fix the file and "
                                             "upload it again."],
                        missing_columns=_in_report_order(unusable), source_columns=headers)
    if schema.TARGET not in plan.chosen:
        if require_target:
            raise DataError("The file has no `popularity` column, which modelling needs as the target. Map the "
                            "column that holds popularity (0–100) below.", missing_columns=[schema.TARGET],
                            source_columns=headers)
        report.has_target = False
        report.warnings.append("There is no `popularity` column: the data can be explored and scored with trained "
                               "models, but not used to train them.")
    report.missing_features = [c for c in schema.FEATURE_NAMES if c not in plan.chosen]
    if report.missing_features:
        absent = len(report.missing_features)
        report.warnings.append(f"{absent} of the report's 13 audio features {'is' if absent == 1 else 'are'} not in "
                               f"the file ({', '.join(report.missing_features)}); models train without "
                               f"{'it' if absent == 1 else 'them'}.")

    frame, filled = _canonical_frame(table, plan, columns, report, delimiter)
    row_problems = _row_problems(table, problems)
    return _finish(frame, report, row_problems, _problem_mask(len(frame), problems), filled, drop_problem_rows)


def _lines(numbers: list[int], limit: int = 10) -> str:
    shown = ", ".join(f"{n:,}" for n in numbers[:limit])
    return f"line{'' if len(numbers) == 1 else 's'} {shown}{' …' if len(numbers) > limit else ''}"


def _account_lines(report: LoadReport, decoded: reading.DecodedText, table: reading.RawTable) -> None:
    """The line accounting and every line the loader read in an unusual way, named in the report."""
    report.data_lines = table.data_lines
    report.loaded_lines = int(table.line_spans.sum())
    report.non_data_lines = non_data_lines_frame(table.non_data)
    if decoded.other_encoding_lines:
        lines = decoded.other_encoding_lines
        report.encoding = f"utf-8 ({len(lines):,} line{'' if len(lines) == 1 else 's'} {decoded.other_encoding})"
        report.warnings.append(f"The file is UTF-8 except {_lines(lines)}, which {'is' if len(lines) == 1 else 'are'} "
                               f"not valid UTF-8 and {'was' if len(lines) == 1 else 'were'} read as "
                               f"{decoded.other_encoding} (probably edited in Excel); check the accents there. "
                               "Every other line was read as UTF-8.")
    if decoded.nul_lines:
        report.warnings.append(f"NUL bytes (invisible, never part of a title or a number) were removed from "
                               f"{_lines(decoded.nul_lines)}.")
    if table.literal_quote_lines:
        lines = table.literal_quote_lines
        report.warnings.append(f"{_lines(lines).capitalize()} {'has' if len(lines) == 1 else 'have'} an unbalanced "
                               "quote; read with the quote as a plain character, so the lines after "
                               f"{'it' if len(lines) == 1 else 'them'} are not swallowed into one cell.")
    headers = [n for n, what in table.non_data if what == reading.NON_DATA_HEADER]
    if headers:
        report.warnings.append(f"The header line is repeated at {_lines(headers)} (files joined together?); "
                               f"{'that line was' if len(headers) == 1 else 'those lines were'} not read as songs.")
    blanks = [n for n, what in table.non_data if what == reading.NON_DATA_BLANK]
    if blanks:  # harmless, so a conversion note rather than a warning
        report.conversions.append(f"{_count(len(blanks), 'blank line')} ({_lines(blanks)}) "
                                  f"{'was' if len(blanks) == 1 else 'were'} skipped.")


def _clean_measures(table: reading.RawTable, plan: ColumnPlan, delimiter: str, report: LoadReport):
    """Canonical values of every feature and the target; empty columns leave the plan, unusable ones are collected."""
    columns: dict[str, np.ndarray] = {}
    problems: list[tuple[str, cleaning.Problem]] = []
    unusable: dict[str, str] = {}
    empty: list[str] = []
    headers = plan.headers
    for canonical in schema.FEATURE_NAMES + (schema.TARGET,):
        if canonical not in plan.chosen:
            continue
        pos = plan.chosen[canonical]
        result = cleaning.clean_numeric(canonical, table.frame[reading.column_id(pos)], headers[pos],
                                        plan.unit_hints.get(canonical), delimiter)
        if result.empty:
            report.warnings.append(f"`{headers[pos]}` ({canonical}) has no values at all, so it is left out and "
                                   "treated as absent.")
            empty.append(headers[pos])
            del plan.chosen[canonical]
        elif result.unusable:
            unusable[canonical] = result.unusable
        else:
            columns[canonical] = result.values
            report.conversions += result.conversions
            problems += [(headers[pos], problem) for problem in result.problems]
    return columns, problems, unusable, empty


def _no_features_error(headers: list[str], plan: ColumnPlan, delimiter: str) -> DataError:
    missing = [c for c in schema.CANONICAL_COLUMNS if c not in plan.chosen]
    looked_for = ", ".join(schema.FEATURE_NAMES)
    problems = [f"No audio-feature columns were found (looked for {looked_for} and their usual aliases)."]
    if len(headers) == 1:
        other = [d for d in reading.DELIMITERS if d != delimiter and d in headers[0]]
        hint = (f" It contains {reading.DELIMITER_NAMES[other[0]]}s: is that the delimiter?" if other else "")
        problems = [f"Only one column was found, headed `{headers[0][:120]}`. Columns must be separated by commas, "
                    f"semicolons, tabs or `|`.{hint}"]
        return DataError(problems, source_columns=headers)
    problems.append(f"The file's columns are: {', '.join(f'`{h}`' for h in headers[:30])}"
                    f"{' …' if len(headers) > 30 else ''}. Map them below if they hold these features.")
    return DataError(problems, missing_columns=missing, source_columns=headers)


def _canonical_frame(table: reading.RawTable, plan: ColumnPlan, columns: dict, report: LoadReport,
                     delimiter: str) -> tuple[pd.DataFrame, list[str]]:
    """Canonical columns in the report's order (ids made up when absent), then the extras in file order."""
    n = len(table.frame)
    headers = plan.headers
    out: dict[str, object] = {}
    filled: list[str] = []
    for canonical in schema.ID_COLUMNS:
        if canonical in plan.chosen:
            pos = plan.chosen[canonical]
            raw = table.frame[reading.column_id(pos)]
            if canonical == schema.TRACK_ID:
                out[canonical], notes = cleaning.clean_track_ids(raw, headers[pos])
                report.conversions += notes
            else:
                out[canonical] = cleaning.as_text_column(raw)
        elif canonical == schema.TRACK_ID:
            out[canonical] = pd.Series([f"row-{r}" for r in table.record_numbers], dtype=object)
            filled.append(canonical)
            report.warnings.append("There is no track id column, so each song got an id from its data row number "
                                   "(`row-1`, `row-2`, …); the same file always gets the same ids.")
        else:
            out[canonical] = pd.Series([""] * n, dtype=object)
            filled.append(canonical)
            what = "artist" if canonical == schema.ARTIST else "track name"
            report.warnings.append(f"There is no {what} column, so `{canonical}` is left blank for every song "
                                   f"(nothing to group or search by {what}). Map a column to it if the file has one.")
    for canonical in schema.FEATURE_NAMES + (schema.TARGET,):
        if canonical in columns:
            out[canonical] = columns[canonical]
    report.column_mapping = plan.column_mapping

    taken = set(out)
    extras: list[str] = []
    for pos in sorted(plan.extras):
        raw = table.frame[reading.column_id(pos)]
        header = headers[pos]
        if _is_written_index(header, raw):
            report.warnings.append(f"Column {pos + 1} (`{header or 'no name'}`) is a row index written by the tool "
                                   "that saved the file; it was left out.")
            continue
        if raw.isna().all() and not header:
            report.warnings.append(f"Column {pos + 1} has no name and no values; it was left out.")
            continue
        values, notes = cleaning.infer_extra(raw, header, delimiter)
        label = header or f"column_{pos + 1}"
        if label in schema.CANONICAL_COLUMNS:
            label = f"{label} (unused)"  # a canonical name on a column not used as that column would mislead
        if label in taken:
            candidate, copy = f"{label} (2)", 3
            while candidate in taken:
                candidate, copy = f"{label} ({copy})", copy + 1
            report.warnings.append(f"The column name `{label}` is used more than once; column {pos + 1} is kept as "
                                   f"`{candidate}`.")
            label = candidate
        taken.add(label)
        out[label] = values
        report.conversions += notes
        extras.append(label)
    report.extra_columns = extras
    frame = pd.DataFrame(out)  # every Series here shares the parser's RangeIndex
    for canonical in schema.ID_COLUMNS:
        frame[canonical] = frame[canonical].astype(object)
    return frame, filled


def _is_written_index(header: str, raw: pd.Series) -> bool:
    """pandas' `to_csv()` with the index on writes an unnamed first column 0, 1, 2 …"""
    if header.strip().lower().replace(":", "").replace(" ", "_") not in _INDEX_HEADERS or len(raw) == 0:
        return False
    values = pd.to_numeric(raw, errors="coerce")
    if values.isna().any():
        return False
    diffs = np.diff(values.to_numpy())
    return bool(values.iloc[0] in (0, 1) and (diffs == 1).all())


def _row_problems(table: reading.RawTable, problems: list[tuple[str, cleaning.Problem]]) -> pd.DataFrame:
    parts = []
    for header, problem in problems:
        where = np.flatnonzero(problem.mask)
        if not len(where):
            continue
        shown = _as_written(problem.original.iloc[where])
        parts.append(pd.DataFrame({"row": table.record_numbers[where], "line": table.line_numbers[where],
                                   "column": header, "value": shown, "problem": problem.problem}))
    if table.skipped:
        parts.append(pd.DataFrame({"row": [r for r, _, _ in table.skipped], "line": [n for _, n, _ in table.skipped],
                                   "column": "", "value": "", "problem": [p for _, _, p in table.skipped]}))
    if not parts:
        return empty_row_problems()
    out = pd.concat(parts, ignore_index=True)
    out = out.sort_values("row", kind="stable", ignore_index=True)
    return out.astype({"row": "int64", "line": "int64", "column": "str", "value": "str", "problem": "str"})


def _as_written(values: pd.Series) -> np.ndarray:
    """Cells as the file wrote them: text verbatim; numbers the parser already read, in their shortest form."""
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        floats = values.to_numpy(dtype="float64", na_value=np.nan)
        return np.array(["" if np.isnan(v) else str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(float(v))
                         for v in floats], dtype=object)
    return values.astype("str").fillna("").to_numpy(dtype=object)


def _problem_mask(n: int, problems: list[tuple[str, cleaning.Problem]]) -> np.ndarray:
    mask = np.zeros(n, dtype=bool)
    for _, problem in problems:
        mask |= problem.mask
    return mask


def _finish(frame: pd.DataFrame, report: LoadReport, row_problems: pd.DataFrame, problem_mask: np.ndarray,
            filled: list[str], drop_problem_rows: bool) -> Dataset:
    """Shared by files and the twin: problems, dropping, canonical dtypes, counts, duplicates, fingerprint."""
    report.filled_columns = filled
    usable = int((~problem_mask).sum())
    if len(frame) and usable == 0:
        counts = row_problems.groupby(["column", "problem"]).size().sort_values(ascending=False)
        listed = "; ".join(f"`{col}` {problem}: {count:,}" for (col, problem), count in counts.head(6).items()
                           if col)
        if drop_problem_rows:
            raise DataError(f"None of the {len(frame):,} rows is complete, so dropping the rows with problems would "
                            f"leave nothing ({listed}). Load the file without dropping them to explore it.",
                            source_columns=report.source_columns)
        report.warnings.append(f"None of the {len(frame):,} rows is complete: every row has an empty or unusable "
                               f"value ({listed}). The data can be explored; models train only on complete rows, "
                               "so fix or map those columns before training.")
    if row_problems.empty and not len(frame):
        raise DataError("No data row could be read.", source_columns=report.source_columns)
    if drop_problem_rows and len(row_problems):
        dropped_numbers = sorted(set(row_problems["row"]))
        report.dropped_rows = len(dropped_numbers)
        report.dropped_problems = row_problems
        shown = ", ".join(f"{r:,}" for r in dropped_numbers[:10]) + (" …" if len(dropped_numbers) > 10 else "")
        report.warnings.append(f"{_count(len(dropped_numbers), 'data row')} with problems "
                               f"{'was' if len(dropped_numbers) == 1 else 'were'} dropped as asked (rows {shown}).")
        frame = frame.loc[~problem_mask].reset_index(drop=True)
        row_problems = empty_row_problems()
    elif len(row_problems):
        cells = row_problems[row_problems["column"] != ""]
        skipped = len(row_problems) - len(cells)
        if len(cells):
            rows = cells["row"].nunique()
            report.warnings.append(f"{_count(rows, 'data row')} {'has' if rows == 1 else 'have'} empty or unusable "
                                   f"values ({_count(len(cells), 'cell')}, listed in the row problems). Those cells "
                                   "are left empty; drop these rows to work with complete rows only.")
        if skipped:
            lines = sorted(row_problems.loc[row_problems["column"] == "", "line"].tolist())
            report.warnings.append(f"{_count(skipped, 'data line')} did not line up with the header (a different "
                                   f"number of fields) and {'was' if skipped == 1 else 'were'} skipped "
                                   f"({_lines(lines)}); see the row problems.")
    for name in schema.FEATURE_NAMES + (schema.TARGET,):
        if name in frame and cleaning.is_integer_column(name) and not frame[name].isna().any():
            frame[name] = frame[name].astype("int64")
    report.row_problems = row_problems
    report.n_rows, report.n_columns = frame.shape
    report.null_counts = {str(c): int(v) for c, v in frame.isna().sum().items()}
    for name in schema.ID_COLUMNS:
        nulls = report.null_counts.get(name, 0)
        if nulls:
            report.warnings.append(f"`{name}` is empty in {_count(nulls, 'row')}.")

    hashes = row_hashes(frame)
    fingerprint = fingerprint_from_hashes(frame.columns, hashes)
    content = hashes if not filled else row_hashes(frame.drop(columns=filled))
    report.duplicate_rows = int(pd.Series(content).duplicated().sum())
    if schema.TRACK_ID in frame and schema.TRACK_ID not in filled:
        ids = frame[schema.TRACK_ID]
        report.duplicate_track_ids = int((ids.duplicated() & ids.notna()).sum())
    if report.duplicate_rows:
        copies = report.duplicate_rows
        report.warnings.append(f"{_count(copies, 'row')} {'is an exact copy' if copies == 1 else 'are exact copies'}"
                               " of an earlier row; kept (a re-listed song counts twice in statistics and models).")
    if report.duplicate_track_ids:
        repeats = report.duplicate_track_ids
        report.warnings.append(f"{_count(repeats, 'row')} {'repeats' if repeats == 1 else 'repeat'} a track id seen "
                               "earlier in the file; kept.")
    return Dataset(frame=frame, report=report, fingerprint=fingerprint)


def twin_dataset(n_rows: int = 130_663, seed: int = 2019, cache_dir: Path | None = None) -> Dataset:
    """The twin of the report's dataset, validated and reported like any file (its report says it is synthetic).

    With `cache_dir`, the generated table is kept there as Parquet and read back next time (core.sources.twin_cache).
    """
    from core.sources.twin_cache import twin_frame
    from core.twin import TWIN_LABEL

    frame = twin_frame(n_rows, seed, cache_dir)
    ordered = [c for c in schema.CANONICAL_COLUMNS if c in frame] + [c for c in frame if c not in
                                                                        schema.CANONICAL_COLUMNS]
    frame = frame[ordered].reset_index(drop=True)
    report = LoadReport(source="twin", name=TWIN_LABEL, source_columns=list(frame.columns),
                        column_mapping={c: c for c in frame.columns if c in schema.CANONICAL_COLUMNS},
                        extra_columns=[c for c in frame.columns if c not in schema.CANONICAL_COLUMNS],
                        missing_features=[c for c in schema.FEATURE_NAMES if c not in frame],
                        has_target=schema.TARGET in frame)
    problems: list[tuple[str, cleaning.Problem]] = []
    for name in schema.FEATURE_NAMES + (schema.TARGET,):
        if name in frame:
            result = cleaning.clean_numeric(name, frame[name], name, None, None, convert_units=False)
            problems += [(name, problem) for problem in result.problems]
            if result.problems:
                frame[name] = result.values
    records = np.arange(1, len(frame) + 1, dtype=np.int64)
    table = reading.RawTable(frame, records)
    report.data_lines = report.loaded_lines = len(frame)
    return _finish(frame, report, _row_problems(table, problems), _problem_mask(len(frame), problems), [],
                   drop_problem_rows=False)
