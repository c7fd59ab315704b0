"""Bytes → text → header and a raw table: encoding, file-type sniffing, delimiter, fast parse with a careful fallback.

The fast path is pandas' pyarrow engine on UTF-8 bytes. Files it cannot parse (rows with the wrong number of fields,
odd quoting) go through the csv module, which reports exactly which data rows do not line up with the header.
"""
from __future__ import annotations

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


@dataclass
class RawTable:
    frame: pd.DataFrame                    # columns c0..cN (positions), numeric where the parser could tell
    record_numbers: np.ndarray             # 1-based data-record number of each frame row (header not counted)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (record, problem): rows that did not line up
    fallback: bool = False


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
    if b"\x00" in data[:SAMPLE_BYTES]:
        raise DataError("This file is binary data (it contains NUL bytes), not a CSV text file.")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        encoding = "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"
        body = data[len(codecs.BOM_UTF8):] if encoding == "utf-8-sig" else data
        head = body[:SAMPLE_BYTES]
        complete = len(body) <= SAMPLE_BYTES
        sample = head.decode("utf-8", errors="ignore")
        return DecodedText(body, _cut_sample(sample, complete), encoding, complete)
    for encoding in ("cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return _decoded_from_text(text, encoding)
    raise DataError("The file's text encoding could not be read; save it again as CSV UTF-8.")  # latin-1 never fails


def _decoded_from_text(text: str, encoding: str) -> DecodedText:
    complete = len(text) <= SAMPLE_BYTES
    return DecodedText(text.encode("utf-8"), _cut_sample(text[:SAMPLE_BYTES], complete), encoding, complete)


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


def _read_fast(body: bytes, delimiter: str, names: list[str], text_columns: set[int]) -> pd.DataFrame:
    frame = pd.read_csv(io.BytesIO(body), sep=delimiter, engine="pyarrow", header=0, names=names,
                        dtype={column_id(i): "str" for i in text_columns}, keep_default_na=False, na_values=[""])
    if frame.shape[1] != len(names):
        raise ValueError("column count changed while parsing")
    return frame


def parse(decoded: DecodedText, delimiter: str, n_columns: int, text_columns: set[int],
          skip_first_line: bool = False) -> RawTable:
    """All data rows under the header: pyarrow first, the csv module when pyarrow refuses the layout."""
    body = decoded.utf8
    if skip_first_line:
        body = body[body.find(b"\n") + 1:]
    leading_blank = _LEADING_BLANK_LINES.match(body)
    if leading_blank:
        body = body[leading_blank.end():]  # pyarrow would take a blank first line for the header
    names = [column_id(i) for i in range(n_columns)]
    try:
        frame = _read_fast(body, delimiter, names, text_columns)
    except Exception:  # noqa: BLE001 — any refusal of the fast parser means "use the careful one"
        return _parse_with_csv_module(body.decode("utf-8"), delimiter, names, text_columns)
    return RawTable(frame, np.arange(1, len(frame) + 1, dtype=np.int64))


def _is_blank(row: list[str], width: int) -> bool:
    """An empty or whitespace-only line (pyarrow skips empty lines; whitespace-only ones count as empty too)."""
    return not row or (width > 1 and len(row) == 1 and not row[0].strip())


def _parse_with_csv_module(text: str, delimiter: str, names: list[str], text_columns: set[int]) -> RawTable:
    """Find the records that do not line up with the header, then parse the rest like the fast path does.

    The good records are rewritten as plain comma-separated CSV and handed back to pyarrow, so values are typed
    exactly as in a clean file (the same file gives the same frame whichever path read it).
    """
    width = len(names)
    clean = io.StringIO()
    writer = csv.writer(clean, lineterminator="\r\n")  # quotes any field holding \r or \n
    writer.writerow(names)
    numbers: list[int] = []
    skipped: list[tuple[int, str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    record = -1  # the header is record 0
    try:
        for row in reader:
            if _is_blank(row, width):
                continue
            record += 1
            if record == 0:
                continue
            if len(row) > width and not any(cell.strip() for cell in row[width:]):
                row = row[:width]  # a trailing delimiter is not a field
            if len(row) != width:
                skipped.append((record, f"has {len(row)} fields where the header has {width}; the row was skipped"))
                continue
            writer.writerow(row)
            numbers.append(record)
    except csv.Error as error:
        raise DataError(f"The file could not be read as CSV after data row {max(record, 0):,}: {error}.") from None
    record_numbers = np.asarray(numbers, dtype=np.int64)
    if not numbers:
        empty = pd.DataFrame({name: pd.Series(dtype="str") for name in names})
        return RawTable(empty, record_numbers, skipped, fallback=True)
    rewritten = clean.getvalue()
    try:
        frame = _read_fast(rewritten.encode("utf-8"), ",", names, text_columns)
        if len(frame) != len(numbers):
            raise ValueError("row count changed while parsing")
    except Exception:  # noqa: BLE001 — last resort: every cell as text, typed later by the cleaning step
        rows = list(csv.reader(io.StringIO(rewritten, newline="")))[1:]
        frame = pd.DataFrame(rows, columns=names, dtype="str").replace("", np.nan)
    return RawTable(frame, record_numbers, skipped, fallback=True)
