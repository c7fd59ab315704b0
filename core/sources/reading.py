"""Bytes → text → header and a raw table: encoding, file-type sniffing, delimiter, fast parse with a careful fallback.

The fast path is pyarrow's CSV reader on UTF-8 bytes. It is kept only when every physical line under the header is
accounted for (one row per non-empty line); otherwise (rows with the wrong number of fields, quoted line breaks, a
stray quote that swallows the lines after it) the csv module reads the file record by record, knowing each record's
lines, and re-reads a bad multi-line record line by line. Every line under the header ends up as a row, a skipped line
(with its problem) or a named non-data line (blank, a repeated header).
"""
from __future__ import annotations

import bisect
import codecs
import csv
import io
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from core.sources.errors import DataError

SAMPLE_BYTES = 256 * 1024
DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
MAX_COLUMNS = 500
# The csv module refuses fields over 128 KB by default; a long title (lyrics pasted into a cell) is still a title.
csv.field_size_limit(2**31 - 1)
# A text file may carry a few stray NUL bytes (a damaged export); more than this share of them means binary data.
MAX_NUL_SHARE = 0.01
FALLBACK_ENCODINGS = ("cp1252", "latin-1")
NON_DATA_BLANK = "blank line"
NON_DATA_HEADER = "repeated header line"
# Cells that mean "no value" in exports (pandas' own list, minus words that are real titles such as "None").
MISSING_TOKENS = frozenset({"", "na", "n/a", "nan", "null", "#n/a", "-nan", "<na>", "nat", "?", "-", "--"})

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a ZIP archive (an Excel .xlsx workbook is one). Save the sheet as CSV (File → Save as → "
                    "CSV UTF-8) or unzip the archive, then upload the CSV"),
    (b"PK\x05\x06", "an empty ZIP archive, not a CSV"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Excel (.xls) workbook. Save the sheet as CSV (File → Save as → "
                                          "CSV UTF-8) and upload that"),
    (b"\x1f\x8b", "gzip-compressed. Decompress it (e.g. `gunzip`) and upload the .csv inside"),
    (b"BZh", "bzip2-compressed. Decompress it and upload the .csv inside"),
    (b"\xfd7zXZ", "xz-compressed. Decompress it and upload the .csv inside"),
    (b"7z\xbc\xaf", "a 7-Zip archive. Extract it and upload the .csv inside"),
    (b"Rar!", "a RAR archive. Extract it and upload the .csv inside"),
    (b"PAR1", "a Parquet file. Export it as CSV (e.g. `pandas.read_parquet(f).to_csv(...)`) and upload that"),
    (b"%PDF", "a PDF document, not a table of songs"),
    (b"\x89PNG", "a PNG image, not a table of songs"),
    (b"\xff\xd8\xff", "a JPEG image, not a table of songs"),
    (b"GIF8", "a GIF image, not a table of songs"),
    (b"SQLite format 3\x00", "an SQLite database. Export the table as CSV and upload that"),
    (b"\x80\x02", "binary data (a Python pickle?), not text; it is never opened as anything but text"),
    (b"\x80\x03", "binary data (a Python pickle?), not text; it is never opened as anything but text"),
    (b"\x80\x04", "binary data (a Python pickle?), not text; it is never opened as anything but text"),
    (b"\x80\x05", "binary data (a Python pickle?), not text; it is never opened as anything but text"),
    (b"\x93NUMPY", "a NumPy array file, not a CSV"),
    (b"\x7fELF", "a program, not a CSV"),
    (b"MZ", "a Windows program, not a CSV"),
)


@dataclass
class DecodedText:
    utf8: bytes            # the whole file as UTF-8 without BOM (what the parser reads)
    sample: str            # the first SAMPLE_BYTES as text, cut at a line end when the file is longer
    encoding: str
    complete: bool         # sample is the whole file
    other_encoding_lines: list[int] = field(default_factory=list)  # file lines of a UTF-8 file that were not UTF-8
    other_encoding: str | None = None                              # what those lines were read as
    nul_lines: list[int] = field(default_factory=list)             # file lines that held NUL bytes (removed)


@dataclass
class RawTable:
    frame: pd.DataFrame                    # columns c0..cN (positions), numeric where the parser could tell
    record_numbers: np.ndarray             # 1-based data-record number of each frame row (header not counted)
    skipped: list[tuple[int, int, str]] = field(default_factory=list)  # (record, file line, problem), one line each
    fallback: bool = False
    line_numbers: np.ndarray | None = None  # file line (1-based) where each frame row starts
    line_spans: np.ndarray | None = None    # physical lines each frame row covers (more than 1: quoted line breaks)
    non_data: list[tuple[int, str]] = field(default_factory=list)  # (file line, what it is): blank, repeated header
    literal_quote_lines: list[int] = field(default_factory=list)   # lines read with an unbalanced quote kept as text
    data_lines: int = 0                    # physical lines under the header line

    def __post_init__(self):
        if self.line_numbers is None:  # a table that never was a file (the twin): line n holds row n
            self.line_numbers = self.record_numbers + 1
        if self.line_spans is None:
            self.line_spans = np.ones(len(self.record_numbers), dtype=np.int64)
            self.data_lines = self.data_lines or len(self.record_numbers)


def column_id(position: int) -> str:
    return f"c{position}"


def _describe_magic(data: bytes) -> str | None:
    for magic, description in _MAGIC:
        if data.startswith(magic):
            return description
    return None


def _utf16_without_bom(head: bytes) -> str | None:
    """UTF-16 text saved without a BOM shows up as every other byte being zero."""
    if len(head) < 8:
        return None
    even, odd = head[0::2], head[1::2]
    even_zero, odd_zero = even.count(0) / len(even), odd.count(0) / len(odd)
    if odd_zero > 0.4 and even_zero < 0.05:
        return "utf-16-le"
    if even_zero > 0.4 and odd_zero < 0.05:
        return "utf-16-be"
    return None


def decode(data: bytes) -> DecodedText:
    """Text from bytes without mojibake: UTF-8 (strict, BOM stripped), then cp1252, then latin-1; UTF-16 by BOM."""
    if not data.strip():
        raise DataError("The file is empty." if not data else "The file holds only blank space, no table.")
    description = _describe_magic(data)
    if description:
        raise DataError(f"This file is {description}.")
    encoding = None
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)) and len(data) % 4 == 0:
        encoding = "utf-32"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = _utf16_without_bom(data[:4096])
    if encoding is not None:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            raise DataError(f"The file starts like {encoding.upper()} text but is not valid {encoding.upper()}; "
                            "save it again as CSV UTF-8.") from None
        return _decoded_from_text(text.lstrip("\ufeff"), encoding)
    if data.count(b"\x00") > MAX_NUL_SHARE * len(data):
        raise DataError("This file is binary data (it contains NUL bytes), not a CSV text file.")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return _decode_per_line(data)
    encoding = "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"
    body = data[len(codecs.BOM_UTF8):] if encoding == "utf-8-sig" else data
    if b"\x00" in body:
        return _decoded_from_text(body.decode("utf-8"), encoding)
    head = body[:SAMPLE_BYTES]
    complete = len(body) <= SAMPLE_BYTES
    sample = head.decode("utf-8", errors="ignore")
    return DecodedText(body, _cut_sample(sample, complete), encoding, complete)


def _decode_per_line(data: bytes) -> DecodedText:
    """A file that is not UTF-8 as a whole: each line UTF-8 if it is, else cp1252 (then latin-1).

    One Excel-edited title must not turn every other accented, CJK or emoji title into mojibake. The lines that
    needed another encoding are named; when no line needed UTF-8, the file simply is cp1252 (or latin-1).
    """
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    parts: list[str] = []
    other: dict[str, list[int]] = {}
    utf8_non_ascii = False
    for number, line in enumerate(data.splitlines(keepends=True), start=1):
        try:
            parts.append(line.decode("utf-8"))
            utf8_non_ascii = utf8_non_ascii or not line.isascii()
            continue
        except UnicodeDecodeError:
            pass
        for encoding in FALLBACK_ENCODINGS:  # latin-1 decodes any byte, so one of them always succeeds
            try:
                parts.append(line.decode(encoding))
            except UnicodeDecodeError:
                continue
            other.setdefault(encoding, []).append(number)
            break
    used = "latin-1" if "latin-1" in other else "cp1252"
    lines = sorted(n for numbers in other.values() for n in numbers)
    decoded = _decoded_from_text("".join(parts), used)
    if utf8_non_ascii:  # a UTF-8 file with a few lines from elsewhere
        decoded.encoding, decoded.other_encoding, decoded.other_encoding_lines = "utf-8", used, lines
    return decoded


def _decoded_from_text(text: str, encoding: str) -> DecodedText:
    text, nul_lines = _without_nuls(text)
    complete = len(text) <= SAMPLE_BYTES
    decoded = DecodedText(text.encode("utf-8"), _cut_sample(text[:SAMPLE_BYTES], complete), encoding, complete)
    decoded.nul_lines = nul_lines
    return decoded


def _without_nuls(text: str) -> tuple[str, list[int]]:
    """NUL bytes removed wherever they sit (they are never part of a title or a number), and their lines named."""
    if "\x00" not in text:
        return text, []
    ends = [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]
    lines = sorted({bisect.bisect_right(ends, m.start()) + 1 for m in re.finditer("\x00", text)})
    return text.replace("\x00", ""), lines


def _cut_sample(sample: str, complete: bool) -> str:
    if complete:
        return sample
    cut = max(sample.rfind("\n"), sample.rfind("\r"))
    if cut <= 0:
        raise DataError(f"The first line is longer than {SAMPLE_BYTES // 1024} KB, which is not a header line. "
                        "A CSV of songs starts with one short line naming its columns.")
    return sample[:cut + 1]


def check_is_table_text(sample: str) -> None:
    """Refuse text that is clearly another format (HTML, JSON, XML) or binary decoded by accident."""
    head = sample.lstrip()[:2000]
    lowered = head.lower()
    if lowered.startswith("<") and any(tag in lowered for tag in ("<html", "<!doctype html", "<head", "<body",
                                                                   "<table", "<div", "<script")):
        raise DataError("This file is an HTML web page, not a CSV. (A download link often saves the page around the "
                        "file; download the raw CSV itself.)")
    if lowered.startswith("<?xml") or lowered.startswith("<"):
        raise DataError("This file is XML/markup, not a CSV.")
    if re.match(r"(\{\s*\"|\[\s*(\{|\[|\"|-?\d|\]))", head):
        raise DataError("This file is JSON, not a CSV. Convert it to CSV (e.g. `pandas.read_json(f).to_csv(...)`) "
                        "and upload that.")
    control = sum(1 for ch in sample[:20000] if (ord(ch) < 32 and ch not in "\t\r\n") or 0x7f <= ord(ch) < 0xa0)
    if control > max(3, 0.01 * min(len(sample), 20000)):
        raise DataError("This file is binary data, not CSV text (it is full of control characters).")


def _records(sample: str, delimiter: str, limit: int = 200) -> list[list[str]]:
    rows = []
    try:
        for row in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter, strict=False):
            if row and any(cell.strip() for cell in row):
                rows.append(row)
            if len(rows) >= limit:
                break
    except csv.Error:
        return rows
    return rows


def excel_separator_line(sample: str) -> str | None:
    """Excel writes `sep=;` as a first line to announce the delimiter."""
    match = re.match(r"\s*sep=(.)\s*(\r\n|\n|\r)", sample)
    return match.group(1) if match else None


def sniff_delimiter(sample: str) -> str:
    """The delimiter giving the most header fields with the data rows agreeing; quoted commas in titles are fine."""
    best, best_score = ",", (-1.0, 0)
    for delimiter in DELIMITERS:
        rows = _records(sample, delimiter)
        if not rows:
            continue
        width = len(rows[0])
        body = rows[1:]
        agreeing = sum(1 for row in body if len(row) == width) / len(body) if body else 1.0
        score = (round(agreeing, 1) if width > 1 else -0.5, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_header(sample: str, delimiter: str) -> list[str]:
    rows = _records(sample, delimiter, limit=1)
    if not rows:
        raise DataError("The file holds no table: no line with column names was found.")
    return rows[0]


_LEADING_BLANK_LINES = re.compile(rb"(?:[ \t]*(?:\r\n|\n|\r))+")
_LINE_END = re.compile(rb"\r\n|\n|\r")


def _read_fast(body: bytes, delimiter: str, names: list[str], text_columns: set[int]) -> pd.DataFrame:
    """pyarrow's CSV reader itself: through pandas, text columns named by us would be typed as numbers first
    (a title `007` would come back as `7`)."""
    import pyarrow as pa
    from pyarrow import csv as pa_csv

    table = pa_csv.read_csv(
        io.BytesIO(body), read_options=pa_csv.ReadOptions(column_names=names, skip_rows_after_names=1),
        parse_options=pa_csv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
        convert_options=pa_csv.ConvertOptions(column_types={column_id(i): pa.large_string() for i in text_columns},
                                              null_values=[""], strings_can_be_null=True))
    frame = table.to_pandas()
    if frame.shape[1] != len(names):
        raise ValueError("column count changed while parsing")
    return frame


def _line_lengths(body: bytes) -> np.ndarray:
    """Length (without its line end) of every physical line; \n, \r\n and a lone \r each end a line, as in csv."""
    raw = np.frombuffer(body, dtype=np.uint8)
    newline = raw == 10
    ends = np.flatnonzero(newline)
    if b"\r" in body:
        after = np.append(newline[1:], False)
        ends = np.flatnonzero(newline | ((raw == 13) & ~after))
    firsts = ends.copy()
    if len(ends):  # a \r\n ends its line at the \r
        crlf = (raw[ends] == 10) & (ends > 0)
        crlf[crlf] = raw[ends[crlf] - 1] == 13
        firsts[crlf] -= 1
    starts = np.concatenate(([0], ends + 1))
    if starts[-1] >= len(raw):  # the file ends with a line end: no line after it
        starts = starts[:-1]
        stops = firsts
    else:
        stops = np.append(firsts, len(raw))
    return (stops - starts).astype(np.int64)


def _header_line_count(body: bytes, delimiter: str) -> int:
    """Physical lines the header record takes (more than one only when a quoted header holds a line break)."""
    reader = csv.reader(io.StringIO(body[:SAMPLE_BYTES].decode("utf-8", errors="ignore"), newline=""),
                        delimiter=delimiter, strict=False)
    for _ in reader:
        return max(reader.line_num, 1)
    return 1


def _header_key(cell: object) -> str:
    from core.sources.mapping import normalise_header

    return normalise_header(cell)


class _HeaderMatcher:
    """Finds data lines that repeat the header (files concatenated by hand), cheaply: one column first."""

    def __init__(self, header: list[str]):
        self.keys = [_header_key(h) for h in header]
        self.probe = next((i for i, key in enumerate(self.keys) if key), None)
        self.probe_text = str(header[self.probe]).replace("\ufeff", "").strip().lower() if self.probe is not None \
            else None

    def row_is_header(self, row: list[str]) -> bool:
        if self.probe is None or len(row) <= self.probe:
            return False
        if row[self.probe].replace("\ufeff", "").strip().lower() != self.probe_text:
            return False
        return [_header_key(cell) for cell in row[:len(self.keys)]] == self.keys and \
            not any(cell.strip() for cell in row[len(self.keys):])

    def frame_mask(self, frame: pd.DataFrame) -> np.ndarray:
        mask = np.zeros(len(frame), dtype=bool)
        if self.probe is None:
            return mask
        column = frame[column_id(self.probe)]
        if pd.api.types.is_numeric_dtype(column.dtype) or pd.api.types.is_bool_dtype(column.dtype):
            return mask  # every cell of it parsed as a number: no row there repeats a word
        cells = column.astype("str")
        probe = (cells.str.replace("\ufeff", "", regex=False).str.strip().str.lower() == self.probe_text)
        for position in np.flatnonzero(probe.fillna(False).to_numpy(dtype=bool)):
            row = ["" if pd.isna(v) else str(v) for v in frame.iloc[position].tolist()]
            mask[position] = self.row_is_header(row)
        return mask


def parse(decoded: DecodedText, delimiter: str, n_columns: int, text_columns: set[int],
          skip_first_line: bool = False, header: list[str] | None = None) -> RawTable:
    """All data rows under the header: pyarrow first, the csv module when pyarrow's rows do not match the lines."""
    body = decoded.utf8
    first_line = 1
    if skip_first_line:
        end = _LINE_END.search(body)
        body = body[end.end():] if end else b""
        first_line += 1
    leading_blank = _LEADING_BLANK_LINES.match(body)
    if leading_blank:
        first_line += len(_LINE_END.findall(leading_blank.group()))
        body = body[leading_blank.end():]  # pyarrow would take a blank first line for the header
    names = [column_id(i) for i in range(n_columns)]
    matcher = _HeaderMatcher(header if header is not None else [])
    header_lines = _header_line_count(body, delimiter)
    first_data_line = first_line + header_lines
    lengths = _line_lengths(body)[header_lines:]
    try:
        frame = _read_fast(body, delimiter, names, text_columns)
    except Exception:  # noqa: BLE001 — any refusal of the fast parser means "use the careful one"
        frame = None
    filled = lengths > 0
    if frame is None or len(frame) != int(filled.sum()):
        # a row per non-empty line is the only layout the fast parser is trusted with
        return _parse_with_csv_module(body.decode("utf-8"), delimiter, names, text_columns, header_lines,
                                      first_data_line, matcher)
    lines = first_data_line + np.flatnonzero(filled)
    non_data = [(int(line), NON_DATA_BLANK) for line in first_data_line + np.flatnonzero(~filled)]
    repeated = matcher.frame_mask(frame)
    if repeated.any():
        non_data += [(int(line), NON_DATA_HEADER) for line in lines[repeated]]
        frame, lines = frame.loc[~repeated].reset_index(drop=True), lines[~repeated]
    return RawTable(frame, np.arange(1, len(frame) + 1, dtype=np.int64), line_numbers=lines,
                    line_spans=np.ones(len(frame), dtype=np.int64), non_data=sorted(non_data), data_lines=len(lengths))


def _is_blank(row: list[str], width: int) -> bool:
    """An empty or whitespace-only line (pyarrow skips empty lines; whitespace-only ones count as empty too)."""
    return not row or (width > 1 and len(row) == 1 and not row[0].strip())


def _fits(row: list[str], width: int) -> list[str] | None:
    """The row cut to the header's width when only empty fields stick out (a trailing delimiter), else None."""
    if len(row) > width and not any(cell.strip() for cell in row[width:]):
        row = row[:width]
    return row if len(row) == width else None


def _swallowed_lines(row: list[str], delimiter: str, width: int) -> bool:
    """A quoted field holding line breaks and a whole row's worth of delimiters: a stray quote ate the next lines."""
    return any(("\n" in cell or "\r" in cell) and cell.count(delimiter) >= max(width - 1, 3) for cell in row)


def _literal_quotes(line: str, delimiter: str, width: int) -> list[str] | None:
    """A line whose quoting does not work out, split with its quotes kept as plain text (None if that fails too)."""
    text = line.rstrip("\r\n")
    return _fits(text.split(delimiter), width) if '"' in text else None


def _parse_with_csv_module(text: str, delimiter: str, names: list[str], text_columns: set[int],
                           header_lines: int, first_data_line: int, matcher: _HeaderMatcher) -> RawTable:
    """Records with the lines each one covers; bad records re-read line by line; the rest parsed like the fast path.

    The good records are rewritten as plain comma-separated CSV and handed back to pyarrow, so values are typed
    exactly as in a clean file (the same file gives the same frame whichever path read it).
    """
    width = len(names)
    clean = io.StringIO()
    writer = csv.writer(clean, lineterminator="\r\n")  # quotes any field holding \r or \n
    writer.writerow(names)
    physical = list(io.StringIO(text, newline=""))[header_lines:]  # the lines csv sees, line ends kept
    numbers: list[int] = []
    line_numbers: list[int] = []
    spans: list[int] = []
    skipped: list[tuple[int, int, str]] = []
    non_data: list[tuple[int, str]] = []
    literal: list[int] = []
    record = 0

    def keep(row: list[str], line: int, span: int) -> None:
        nonlocal record
        record += 1
        writer.writerow(row)
        numbers.append(record)
        line_numbers.append(line)
        spans.append(span)

    def one_line(index: int) -> None:
        """A physical line that has to stand on its own: a bad record, or the line a stray quote opened on."""
        nonlocal record
        line = first_data_line + index
        raw = physical[index]
        parsed = next(csv.reader([raw.rstrip("\r\n")], delimiter=delimiter, strict=False), [])
        if _is_blank(parsed, width):
            non_data.append((line, NON_DATA_BLANK))
            return
        if matcher.row_is_header(parsed):
            non_data.append((line, NON_DATA_HEADER))
            return
        row = _fits(parsed, width)
        if row is None:
            row = _literal_quotes(raw, delimiter, width)
            if row is not None:
                literal.append(line)
        if row is not None:
            keep(row, line, 1)
            return
        record += 1
        skipped.append((record, line, f"has {len(parsed)} fields where the header has {width}; the line was "
                                      "skipped"))

    def lines_from(position: int):
        for index in range(position, len(physical)):
            yield physical[index]

    position = 0
    while position < len(physical):
        # A bad record that took several lines read its first line alone, then reading resumes on the next line:
        # a stray quote swallows lines only up to the next quote, and only the line it sits on is in doubt.
        reader = csv.reader(lines_from(position), delimiter=delimiter, strict=False)
        start, resume = position, None
        try:
            for row in reader:
                end = position + reader.line_num
                span = end - start
                line = first_data_line + start
                if span == 1 and _is_blank(row, width):
                    non_data.append((line, NON_DATA_BLANK))
                elif span == 1 and matcher.row_is_header(row):
                    non_data.append((line, NON_DATA_HEADER))
                else:
                    fitted = _fits(row, width)
                    if fitted is not None and not (span > 1 and _swallowed_lines(fitted, delimiter, width)):
                        keep(fitted, line, span)
                    else:
                        one_line(start)
                        if span > 1:
                            resume = start + 1
                            break
                start = end
        except csv.Error as error:
            raise DataError(f"The file could not be read as CSV at line {first_data_line + start:,}: {error}.") \
                from None
        if resume is None:
            break
        position = resume
    record_numbers = np.asarray(numbers, dtype=np.int64)
    accounting = dict(line_numbers=np.asarray(line_numbers, dtype=np.int64), line_spans=np.asarray(spans, np.int64),
                      non_data=sorted(non_data), literal_quote_lines=literal, data_lines=len(physical))
    if not numbers:
        empty = pd.DataFrame({name: pd.Series(dtype="str") for name in names})
        return RawTable(empty, record_numbers, skipped, fallback=True, **accounting)
    rewritten = clean.getvalue()
    try:
        frame = _read_fast(rewritten.encode("utf-8"), ",", names, text_columns)
        if len(frame) != len(numbers):
            raise ValueError("row count changed while parsing")
    except Exception:  # noqa: BLE001 — last resort: every cell as text, typed later by the cleaning step
        rows = list(csv.reader(io.StringIO(rewritten, newline="")))[1:]
        frame = pd.DataFrame(rows, columns=names, dtype="str").replace("", np.nan)
    return RawTable(frame, record_numbers, skipped, fallback=True, **accounting)
