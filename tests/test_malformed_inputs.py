"""A corpus of malformed and awkward inputs: each loads with a stated result or raises DataError with a specific message.

Never another exception type: the app shows DataError as a sentence; anything else would be a traceback.
"""
from __future__ import annotations

import gzip
import io
import pickle
import random
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
import pytest

from core import schema
from core.sources import DataError, Dataset, load_csv

HEADER = ",".join(schema.CANONICAL_COLUMNS)
ROW = "{artist},{id},{title},0.1,0.5,200000,0.5,0.0,5,0.1,-7.0,1,0.05,120.0,4,0.5,{pop}"


def row(i: int, artist: str = "Artist", title: str = "Title") -> str:
    return ROW.format(artist=artist, id=f"id{i:04d}", title=title, pop=10 + i % 80)


def songs(n: int = 8, header: str = HEADER, sep: str = ",", end: str = "\n") -> str:
    lines = [header] + [row(i) for i in range(n)]
    return end.join(line.replace(",", sep) for line in lines) + end


VALID = songs()


def with_cell(column: str, value: str, at: int = 3, n: int = 8) -> bytes:
    """VALID with one cell (data row `at`, 1-based) replaced."""
    frame = pd.read_csv(io.StringIO(songs(n)), dtype=str, keep_default_na=False)
    frame.loc[at - 1, column] = value
    return frame.to_csv(index=False).encode()


def drop_column(column: str) -> bytes:
    return pd.read_csv(io.StringIO(VALID), dtype=str).drop(columns=[column]).to_csv(index=False).encode()


def _zip_of(text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("songs.csv", text)
    return buffer.getvalue()


def _parquet_of(text: str) -> bytes:
    buffer = io.BytesIO()
    pd.read_csv(io.StringIO(text)).to_parquet(buffer)
    return buffer.getvalue()


@dataclass
class Case:
    id: str
    source: Any                                   # bytes, or a callable(tmp_path) -> path/bytes/other
    error: str | None = None                      # a phrase the DataError message must contain
    check: Callable[[Dataset], None] | None = None
    kwargs: dict = field(default_factory=dict)


def _rows(n: int) -> Callable[[Dataset], None]:
    def check(dataset: Dataset) -> None:
        assert len(dataset.frame) == n
        assert list(dataset.frame.columns[:17]) == list(schema.CANONICAL_COLUMNS)
    return check


def _problem(column: str, phrase: str, row_number: int = 3) -> Callable[[Dataset], None]:
    def check(dataset: Dataset) -> None:
        problems = dataset.report.row_problems
        assert problems[["row", "column"]].values.tolist() == [[row_number, column]], problems
        assert phrase in problems["problem"].iloc[0]
        assert np.isnan(dataset.frame.loc[row_number - 1, column])
        assert dataset.frame.drop(index=row_number - 1)[column].notna().all()
    return check


def _same_as_valid(dataset: Dataset) -> None:
    reference = load_csv(VALID.encode())
    pd.testing.assert_frame_equal(dataset.frame, reference.frame)
    assert dataset.fingerprint == reference.fingerprint


def _all(*checks: Callable[[Dataset], None]) -> Callable[[Dataset], None]:
    def check(dataset: Dataset) -> None:
        for one in checks:
            one(dataset)
    return check


def _frame_is(column: str, values: list) -> Callable[[Dataset], None]:
    def check(dataset: Dataset) -> None:
        assert dataset.frame[column].tolist()[:len(values)] == values
    return check


def _warns(phrase: str) -> Callable[[Dataset], None]:
    def check(dataset: Dataset) -> None:
        assert any(phrase in w for w in dataset.report.warnings), dataset.report.warnings
    return check


def _no_target(dataset: Dataset) -> None:
    assert not dataset.report.has_target and schema.TARGET not in dataset.frame
    assert any("no `popularity`" in w for w in dataset.report.warnings)


RANDOM_BYTES = random.Random(7).randbytes(4096)
WIDE = ",".join(f"junk{i}" for i in range(2000)) + "\n" + ",".join("1" for _ in range(2000)) + "\n"


def with_cells(cells: dict[int, tuple[str, str]], n: int = 8) -> bytes:
    """VALID with several cells replaced: {data row (1-based): (column, value)}."""
    frame = pd.read_csv(io.StringIO(songs(n)), dtype=str, keep_default_na=False)
    for at, (column, value) in cells.items():
        frame.loc[at - 1, column] = value
    return frame.to_csv(index=False).encode()


# Every row is bad, yet no single column is mostly bad: four columns, a quarter of the rows each.
SPREAD_BAD = with_cells({i: (["acousticness", "loudness", "tempo", "speechiness"][i % 4], "bad") for i in range(1, 9)})
MOSTLY_JUNK = with_cells({i: ("danceability", "junk") for i in range(1, 6)})


CASES = [
    # ---- not a table at all ----
    Case("empty", b"", error="The file is empty"),
    Case("blank space", b"  \r\n\t\n  ", error="only blank space"),
    Case("header only", (HEADER + "\n").encode(), error="no data rows"),
    Case("header only, no newline", HEADER.encode(), error="no data rows"),
    Case("random binary", RANDOM_BYTES, error="binary"),
    Case("text with NUL bytes", VALID.encode().replace(b"Title", b"Ti\x00tle"), error="binary"),
    Case("control characters", bytes(range(1, 9)) * 200, error="binary"),
    Case("HTML page", b"<!DOCTYPE html>\n<html><head><title>Spotify</title></head><body>404</body></html>",
         error="HTML web page"),
    Case("HTML table", b"  <table><tr><td>artist_name</td></tr></table>", error="HTML web page"),
    Case("XML", b'<?xml version="1.0"?><songs><song/></songs>', error="XML"),
    Case("JSON records", b'[{"artist_name": "YG", "energy": 0.3}]', error="JSON"),
    Case("JSON lines", b'{"artist_name": "YG", "energy": 0.3}\n{"artist_name": "R3HAB"}\n', error="JSON"),
    Case("zip archive", _zip_of(VALID), error="ZIP archive"),
    Case("gzip", gzip.compress(VALID.encode()), error="gzip"),
    Case("pickle", pickle.dumps(pd.DataFrame({"a": [1]})), error="pickle"),
    Case("PDF", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", error="PDF"),
    Case("PNG", b"\x89PNG\r\n\x1a\n" + RANDOM_BYTES[:64], error="PNG"),
    Case("old Excel", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + RANDOM_BYTES[:64], error="Excel"),
    Case("parquet", _parquet_of(VALID), error="Parquet"),
    Case("broken UTF-16", b"\xff\xfe" + b"a\x00,\x00\x00\xd8", error="not valid UTF-16"),
    # ---- a table, but not one we can use ----
    Case("space delimited", VALID.replace(",", " ").encode(), error="Only one column"),
    Case("wrong delimiter hint", VALID.replace(",", ":").encode(), error="Only one column"),
    Case("no header line", "\n".join(row(i) for i in range(5)).encode(), error="looks like data"),
    Case("duplicated column name", VALID.replace("energy", "danceability").encode(), error="appears 2 times"),
    Case("two spellings of one column", VALID.replace(",energy,", ",Energy,").replace(",valence,", ",energy,")
         .encode(), error="could each be `energy`"),
    Case("only ids", b"artist_name,track_id,track_name\nYG,abc,Big Bank\n", error="No audio-feature columns"),
    Case("unrelated columns", b"name,colour\nfoo,red\n", error="No audio-feature columns"),
    Case("thousands of junk columns", WIDE.encode(), error="2,000 columns"),
    Case("first line too long", ("x" * 300_000 + "\n1\n").encode(), error="longer than"),
    Case("missing popularity, target required", drop_column("popularity"), error="no `popularity` column",
         kwargs=dict(require_target=True)),
    Case("text column where numbers belong", VALID.replace(",0.5,200000,", ",high,200000,").encode(),
         error="cannot be used"),
    Case("a column entirely out of range", VALID.replace(",120.0,", ",999.0,").encode(), error="outside 0–250"),
    Case("every row has a problem somewhere, dropping them", SPREAD_BAD, error="None of the 8 rows is complete",
         kwargs=dict(drop_problem_rows=True)),
    Case("five of eight cells junk", MOSTLY_JUNK, error="`danceability` cannot be used: 5 of 8 filled values are unusable (not a number: 5"),
    Case("most rows do not line up", (HEADER + "\n" + "\n".join(row(i) + ",extra" for i in range(6)) + "\n" +
                                      row(9) + "\n").encode(), error="different number of fields"),
    Case("mapping to an unknown column", VALID.encode(), error="not one of the columns",
         kwargs=dict(mapping={"energy": "oomph"})),
    Case("path that does not exist", lambda tmp: tmp / "missing.csv", error="does not exist"),
    Case("path that is a folder", lambda tmp: tmp, error="is a folder"),
    Case("CSV text instead of a path", lambda tmp: VALID, error="CSV text where a path belongs"),
    Case("not a file at all", lambda tmp: 42, error="Cannot read data from a int"),
    # ---- awkward but usable ----
    Case("missing popularity", drop_column("popularity"), check=_all(_no_target, _frame_is("energy", [0.5] * 8))),
    Case("one text cell in a number column", with_cell("danceability", "lots"),
         check=_problem("danceability", "is not a number")),
    Case("NaN cell", with_cell("energy", "NaN"), check=_problem("energy", "is empty")),
    Case("empty cell", with_cell("tempo", ""), check=_problem("tempo", "is empty")),
    Case("infinite cell", with_cell("loudness", "-inf"), check=_problem("loudness", "is infinite")),
    Case("out-of-range popularity", with_cell("popularity", "130"), check=_problem("popularity", "outside 0–100")),
    Case("negative duration", with_cell("duration_ms", "-5"), check=_problem("duration_ms", "outside")),
    Case("key -1 (no key detected)", with_cell("key", "-1"), check=_problem("key", "outside 0–11")),
    Case("fractional mode", with_cell("mode", "0.5"), check=_problem("mode", "not a whole number")),
    Case("UTF-16 with BOM (Excel 'Unicode text')", VALID.replace(",", "\t").encode("utf-16"),
         check=_all(_same_as_valid, lambda d: d.report.encoding == "utf-16" or pytest.fail(d.report.encoding))),
    Case("UTF-16-LE without BOM", VALID.encode("utf-16-le"), check=_same_as_valid),
    Case("UTF-8 BOM", b"\xef\xbb\xbf" + VALID.encode(), check=_same_as_valid),
    Case("CRLF line endings", VALID.replace("\n", "\r\n").encode(), check=_same_as_valid),
    Case("trailing delimiter on every line", VALID.replace("\n", ",\n").encode(),
         check=_all(_same_as_valid, _warns("no name and no values"))),
    Case("blank lines between rows", VALID.replace("\n", "\n\n").encode(), check=_same_as_valid),
    Case("blank lines before the header", ("\n  \r\n" + VALID).encode(), check=_same_as_valid),
    Case("a row of empty fields", (VALID + "," * 16 + "\n").encode(),
         check=_all(_rows(9), lambda d: set(d.report.row_problems["row"]) == {9} or pytest.fail())),
    Case("pandas index column", pd.read_csv(io.StringIO(VALID)).to_csv().encode(),
         check=_all(_same_as_valid, _warns("row index"))),
    Case("Excel sep= line", ("sep=;\n" + songs(sep=";")).encode(), check=_same_as_valid),
    Case("spaces around values", VALID.replace(",0.5,", ", 0.5 ,").encode(), check=_same_as_valid),
    Case("scientific notation and plus signs", VALID.replace(",0.1,0.5,", ",1e-1,+5E-1,").encode(),
         check=_same_as_valid),
    Case("integers written as floats", VALID.replace(",5,0.1,", ",5.0,0.1,").replace(",200000,", ",200000.0,")
         .encode(), check=_same_as_valid),
    Case("fractional popularity", with_cell("popularity", "45.5"),
         check=lambda d: d.frame[schema.TARGET].dtype == "int64" and any("rounded" in c for c in
                                                                        d.report.conversions) or pytest.fail()),
    Case("quoted titles with newlines, quotes and commas",
         (HEADER + "\n" + row(0, title='"He said ""hi"",\nthen left"') + "\n" + row(1) + "\n").encode(),
         check=_frame_is(schema.TRACK_NAME, ['He said "hi",\nthen left', "Title"])),
    Case("names that look like NA", (HEADER + "\n" + row(0, artist="NA", title="None") + "\n" +
                                     row(1, artist="null", title="N/A") + "\n").encode(),
         check=_all(_frame_is(schema.ARTIST, ["NA", "null"]), _frame_is(schema.TRACK_NAME, ["None", "N/A"]))),
    Case("emoji and CJK", (HEADER + "\n" + row(0, artist="米津玄師", title="Lemon 🍋") + "\n").encode(),
         check=_frame_is(schema.TRACK_NAME, ["Lemon 🍋"])),
    Case("spreadsheet formulas in names", (HEADER + "\n" + row(0, artist="=cmd|' /C calc'!A0") + "\n").encode(),
         check=_frame_is(schema.ARTIST, ["=cmd|' /C calc'!A0"])),
    Case("a very long title", (HEADER + "\n" + row(0, title="la" * 20_000) + "\n").encode(),
         check=lambda d: len(d.frame.loc[0, schema.TRACK_NAME]) == 40_000 or pytest.fail()),
    Case("every row has a problem somewhere", SPREAD_BAD,
         check=_all(_rows(8), _warns("None of the 8 rows is complete"), _warns("can be explored"))),
    Case("one data row", songs(1).encode(), check=_rows(1)),
    Case("one ragged row among many", (VALID + row(20) + ",x\n").encode(),
         check=_all(_rows(8), lambda d: d.report.row_problems["row"].tolist() == [9] or pytest.fail())),
    Case("duplicated extra column names",
         (HEADER + ",genre,genre\n" + "\n".join(row(i) + ",pop,rock" for i in range(3)) + "\n").encode(), check=_all(_frame_is("genre (2)", ["rock"] * 3), _warns("used more than once"))),
    Case("duplicate track ids", (VALID + row(0) + "\n").encode(),
         check=lambda d: (d.report.duplicate_track_ids, d.report.duplicate_rows, len(d.frame)) == (1, 1, 9)
         or pytest.fail(str((d.report.duplicate_track_ids, d.report.duplicate_rows)))),
    Case("cp1252 accents", (HEADER + "\n" + row(0, title="Bon appétit") + "\n").encode("cp1252"),
         check=_frame_is(schema.TRACK_NAME, ["Bon appétit"])),
]


def _source(case: Case, tmp_path: Path):
    return case.source(tmp_path) if callable(case.source) else case.source


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 40 and len({c.id for c in CASES}) == len(CASES)
    assert sum(c.error is not None for c in CASES) >= 20 and sum(c.check is not None for c in CASES) >= 20


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_malformed_input(case: Case, tmp_path):
    source = _source(case, tmp_path)
    if case.error is not None:
        with pytest.raises(DataError) as raised:
            load_csv(source, name="input.csv", source_kind="upload", **case.kwargs)
        assert type(raised.value).__mro__[0] is not Exception
        assert case.error in str(raised.value), str(raised.value)
        assert str(raised.value).strip() and "Traceback" not in str(raised.value)
    else:
        dataset = load_csv(source, name="input.csv", source_kind="upload", **case.kwargs)
        case.check(dataset)
        assert len(dataset.fingerprint) == 16


def test_the_upload_limit_is_checked_before_parsing(monkeypatch):
    from core.sources import loading

    monkeypatch.setattr(loading, "MAX_UPLOAD_MB", 0.001)  # about 1 KB
    with pytest.raises(DataError, match="the limit is"):
        load_csv((VALID * 10).encode())
    assert len(load_csv(songs(3).encode()).frame) == 3  # small files still load


def _mutations(seed: int) -> bytes:
    """A valid file damaged the ways transfers and editors damage files."""
    rng = random.Random(seed)
    data = bytearray(songs(12).encode())
    kind = seed % 6
    if kind == 0:
        return bytes(data[:rng.randrange(len(data))])                   # truncated anywhere
    if kind == 1:
        position = rng.randrange(len(data))
        return bytes(data[:position] + rng.randbytes(rng.randrange(1, 40)) + data[position:])   # garbage inserted
    if kind == 2:
        for _ in range(rng.randrange(1, 30)):
            data[rng.randrange(len(data))] = rng.choice(b',;\t|"\n\r x.-')  # delimiters/quotes flipped
        return bytes(data)
    if kind == 3:
        return bytes(data).replace(b",", rng.choice([b";", b"\t", b"|", b", ", b",,"]), rng.randrange(1, 40))
    if kind == 4:
        lines = bytes(data).split(b"\n")
        rng.shuffle(lines)                                              # header somewhere in the middle
        return b"\n".join(lines)
    return bytes(data).replace(b'"', b"").replace(b"Title", b'Ti"tle', rng.randrange(1, 5))  # stray quotes


@pytest.mark.parametrize("seed", range(60))
def test_damaged_files_only_ever_raise_data_error(seed):
    try:
        dataset = load_csv(_mutations(seed), name="damaged.csv", source_kind="upload")
    except DataError as error:
        assert str(error).strip()
    else:
        assert isinstance(dataset.frame, pd.DataFrame) and len(dataset.fingerprint) == 16
        assert set(dataset.report.row_problems.columns) >= {"row", "column", "value", "problem"}
