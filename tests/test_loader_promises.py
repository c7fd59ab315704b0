"""The loader's promises: every line under the header is a song, a listed skipped line or a named non-data line;
text is never garbled; numbers written the ways people write them are read.
"""
from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import schema
from core.sources import DataError, load_csv

HEADER = list(schema.CANONICAL_COLUMNS)
FEATURES = ["0.1", "0.5", "200000", "0.5", "0.0", "5", "0.1", "-7.0", "1", "0.05", "120.0", "4", "0.5"]


def fields(i: int, title: str = "Title", artist: str = "Artist") -> list[str]:
    return [artist, f"id{i:06d}", title, *FEATURES, str(i % 90)]


def line(values: list[str], delimiter: str = ",") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerow(values)  # quotes a lone \r too
    return buffer.getvalue()[:-2]


def csv_text(rows: list[str], end: str = "\n") -> str:
    return end.join([line(HEADER), *rows]) + end


def accounted(report) -> None:
    assert report.lines_accounted, (report.data_lines, report.loaded_lines, report.skipped_lines,
                                    len(report.non_data_lines))


# ---- the property: every line accounted for -------------------------------------------------------------------------

TITLE_CHARS = st.sampled_from(list("abcXYZ 0129éüñ米津🍋,;'=-\"\n\r"))
TITLES = st.text(TITLE_CHARS, min_size=1, max_size=12)
def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# A cp1252 line whose bytes also happen to be valid UTF-8 ("é€€" is E9 80 80, UTF-8 for "退") is read as UTF-8, as
# UTF-8-first decoding promises; no decoder can tell those apart, so the oracle leaves them out.
CP1252_TITLES = st.text(st.sampled_from(list("abé ü€ñ")), min_size=1, max_size=8).map(lambda t: "é" + t).filter(
    lambda t: not _is_utf8(t.encode("cp1252")))
ITEMS = st.one_of(
    st.tuples(st.just("good"), TITLES),
    st.tuples(st.just("good"), TITLES),
    st.tuples(st.just("blank"), st.sampled_from(["", "   "])),
    st.tuples(st.just("header"), st.just("")),
    st.tuples(st.just("stray quote"), st.text(st.sampled_from(list("abcé米")), min_size=1, max_size=6)),
    st.tuples(st.just("ragged"), st.just("x")),
    st.tuples(st.just("nul"), st.text(st.sampled_from(list("abc")), min_size=2, max_size=6)),
    st.tuples(st.just("cp1252"), CP1252_TITLES),
)


def _build(items: list[tuple[str, str]], end: str) -> tuple[bytes, list[dict]]:
    """The file's bytes and, per item, what the loader must make of it (kind, first line, id, title)."""
    chunks = [(line(HEADER) + end).encode()]
    expected = []
    next_line = 2
    for i, (kind, text) in enumerate(items):
        if kind in ("good", "cp1252"):
            body = line(fields(i, title=text))
        elif kind == "blank":
            body = text
        elif kind == "header":
            body = line(HEADER)
        elif kind == "stray quote":
            body = line(fields(i, title="@")).replace("@", '"' + text)  # an opening quote that never closes
        elif kind == "ragged":
            body = line(fields(i) + ["surplus"])
        else:  # one NUL byte inside a title
            body = line(fields(i, title=text)).replace(text, text[0] + "\x00" + text[1:])
        encoded = (body + end).encode("cp1252" if kind == "cp1252" else "utf-8")
        chunks.append(encoded)
        expected.append({"kind": kind, "line": next_line, "id": f"id{i:06d}", "title": text})
        next_line += len(encoded.splitlines())
    return b"".join(chunks), expected


@settings(max_examples=200, deadline=None)
@given(items=st.lists(ITEMS, min_size=1, max_size=30), end=st.sampled_from(["\n", "\r\n"]))
def test_every_line_is_a_row_a_listed_problem_or_named_non_data(items, end):
    data, expected = _build(items, end)
    kinds = [e["kind"] for e in expected]
    songs = sum(k not in ("blank", "header", "ragged") for k in kinds)
    ragged = kinds.count("ragged")
    if data.count(b"\x00") > 0.01 * len(data) or songs + ragged == 0 or ragged > (songs + ragged) / 2:
        with pytest.raises(DataError):  # binary-looking, nothing to load, or mostly misaligned: refused
            load_csv(data)
        return
    dataset = load_csv(data)
    report, frame = dataset.report, dataset.frame

    accounted(report)
    assert report.data_lines == len(data.splitlines()) - 1  # the file's own line count, header excluded
    loaded = dict(zip(frame[schema.TRACK_ID], frame[schema.TRACK_NAME]))
    non_data = dict(zip(report.non_data_lines["line"], report.non_data_lines["what"]))
    skipped = set(report.row_problems.loc[report.row_problems["column"] == "", "line"])
    for item in expected:
        kind = item["kind"]
        if kind in ("good", "cp1252"):
            assert loaded[item["id"]] == item["title"], item  # exact: no mojibake, no swallowed quotes
        elif kind == "stray quote":
            assert loaded[item["id"]] == '"' + item["title"], item
        elif kind == "nul":
            assert loaded[item["id"]] == item["title"], item
        elif kind == "ragged":
            assert item["line"] in skipped and item["id"] not in loaded, item
        else:
            assert non_data.get(item["line"]) == ("blank line" if kind == "blank" else "repeated header line"), item
    assert len(frame) == songs and len(skipped) == ragged


# ---- a stray quote ---------------------------------------------------------------------------------------------------

@pytest.mark.slow  # a 200,000-row file
def test_a_stray_quote_in_a_200k_row_file_loses_no_song(tmp_path):
    rows = [line(fields(i, title="Big, Bang" if i % 9_000 == 0 else "Title")) for i in range(200_000)]
    rows[1_000] = rows[1_000].replace(",Title,", ',"Title,')  # the quote never closes; the next quoted title is far
    path = tmp_path / "large.csv"
    path.write_text(csv_text(rows))
    dataset = load_csv(path)
    report = dataset.report
    accounted(report)
    assert len(dataset.frame) == 200_000 and report.row_problems.empty
    assert dataset.frame[schema.TRACK_ID].tolist() == [f"id{i:06d}" for i in range(200_000)]
    assert dataset.frame.loc[1_000, schema.TRACK_NAME] == '"Title'
    assert (dataset.frame[schema.TRACK_NAME] == "Big, Bang").sum() == 23
    assert any("Line 1,002 has an unbalanced quote" in w for w in report.warnings), report.warnings


def test_a_stray_quote_in_a_small_file_costs_no_row_and_no_value():
    rows = [line(fields(i)) for i in range(20)]
    rows[4] = rows[4].replace(",Title,", ',"Oops,')
    rows[12] = line(fields(12, title="Quoted, with a comma"))
    dataset = load_csv(csv_text(rows).encode())
    clean = load_csv(csv_text([line(fields(i)) for i in range(20)]).encode())
    assert len(dataset.frame) == 20
    pd.testing.assert_frame_equal(dataset.frame[list(schema.FEATURE_NAMES)], clean.frame[list(schema.FEATURE_NAMES)])
    assert dataset.frame[schema.TRACK_NAME].tolist()[4] == '"Oops'
    assert dataset.frame[schema.TRACK_NAME].tolist()[12] == "Quoted, with a comma"


def test_a_skipped_line_is_listed_with_its_own_line_number():
    rows = [line(fields(0)), line(fields(1, title="two\nlines")), line(fields(2) + ["surplus"]), line(fields(3))]
    dataset = load_csv(csv_text(rows).encode())
    problems = dataset.report.row_problems
    assert problems[["row", "line", "column"]].values.tolist() == [[3, 5, ""]]  # row 2 takes lines 3 and 4
    assert "18 fields where the header has 17" in problems["problem"].iloc[0]
    assert any("line 5" in w for w in dataset.report.warnings)
    accounted(dataset.report)


# ---- encodings -------------------------------------------------------------------------------------------------------

def test_one_cp1252_line_keeps_every_utf8_title_exact():
    titles = ["Bon appétit", "米津玄師 Lemon 🍋", "Привет", "Ça va", "Zoë 😀"]
    lines = [(line(fields(i, title=t)) + "\n").encode() for i, t in enumerate(titles)]
    lines.insert(2, (line(fields(9, title="Café Excel")) + "\n").encode("cp1252"))
    dataset = load_csv((line(HEADER) + "\n").encode() + b"".join(lines))
    names = dataset.frame[schema.TRACK_NAME].tolist()
    assert names == titles[:2] + ["Café Excel"] + titles[2:]
    assert dataset.report.encoding == "utf-8 (1 line cp1252)"
    assert any("except line 4" in w and "cp1252" in w for w in dataset.report.warnings), dataset.report.warnings


def test_a_file_that_is_cp1252_throughout_is_just_cp1252():
    dataset = load_csv(csv_text([line(fields(0, title="Bon appétit")), line(fields(1, title="Café"))])
                       .encode("cp1252"))
    assert dataset.frame[schema.TRACK_NAME].tolist() == ["Bon appétit", "Café"]
    assert dataset.report.encoding == "cp1252" and not any("UTF-8 except" in w for w in dataset.report.warnings)


@pytest.mark.parametrize("where", ["first data line", "last line"])
def test_a_few_nul_bytes_are_removed_wherever_they_sit(where):
    rows = [line(fields(i)) for i in range(300)]
    at = 0 if where == "first data line" else 299
    rows[at] = rows[at].replace("Title", "Ti\x00tle")
    dataset = load_csv(csv_text(rows).encode())
    assert dataset.frame[schema.TRACK_NAME].eq("Title").all() and len(dataset.frame) == 300
    assert any(f"removed from line {at + 2}." in w for w in dataset.report.warnings), dataset.report.warnings


def test_nul_bytes_everywhere_mean_binary_wherever_they_start():
    text = csv_text([line(fields(i)) for i in range(300)]).encode()
    for start in (len(text) // 10, len(text) // 2):  # a NUL-padded tail: not only the first 256 KB decide
        damaged = text[:start] + b"\x00" * (len(text) // 50) + text[start:]
        with pytest.raises(DataError, match="binary"):
            load_csv(damaged)


# ---- lines that are not songs ----------------------------------------------------------------------------------------

def _with_repeated_header(ragged: bool) -> bytes:
    first = [line(fields(i)) for i in range(4)]
    second = [line(fields(i + 4)) for i in range(3)] + ([line(fields(99) + ["surplus"])] if ragged else [])
    return (csv_text(first) + "\ufeff" + csv_text(second)).encode()  # a BOM: two UTF-8-sig files joined


@pytest.mark.parametrize("ragged", [False, True], ids=["fast parser", "careful parser"])
def test_a_repeated_header_line_is_dropped_counted_and_named(ragged):
    dataset = load_csv(_with_repeated_header(ragged))
    assert dataset.frame[schema.TRACK_ID].tolist() == [f"id{i:06d}" for i in range(7)]
    assert dataset.frame[schema.ARTIST].eq("Artist").all()
    assert dataset.report.non_data_lines.values.tolist() == [[6, "repeated header line"]]
    assert any("header line is repeated at line 6" in w for w in dataset.report.warnings)
    assert {c: str(t) for c, t in dataset.frame.dtypes.items()} == schema.CANONICAL_DTYPES
    accounted(dataset.report)


def test_blank_lines_are_named_with_their_line_numbers():
    text = csv_text([line(fields(0)), "", line(fields(1)), "  ", line(fields(2))])
    dataset = load_csv(text.encode())
    assert len(dataset.frame) == 3
    assert dataset.report.non_data_lines.values.tolist() == [[3, "blank line"], [5, "blank line"]]
    accounted(dataset.report)


# ---- scales, names and locales ---------------------------------------------------------------------------------------

def _songs_with(column: str, values: list[str], header: str | None = None, delimiter: str = ",") -> bytes:
    position = HEADER.index(column)
    rows = []
    for i, value in enumerate(values):
        row = fields(i)
        row[position] = value
        rows.append(line(row, delimiter))
    names = [header if (header and name == column) else name for name in HEADER]
    return ("\n".join([line(names, delimiter), *rows]) + "\n").encode()


def test_popularity_on_a_0_to_1_scale_becomes_0_to_100_with_a_note():
    dataset = load_csv(_songs_with("popularity", ["0.05", "0.55", "0.73", "1", "0"]))
    assert dataset.frame[schema.TARGET].tolist() == [5, 55, 73, 100, 0]
    conversions = dataset.report.conversions
    assert any("0–1 scale" in c and "multiplied by 100" in c for c in conversions), conversions
    assert not any("rounded" in c for c in conversions), conversions  # 0.55 × 100 is 55, not 55.000…01


def test_popularity_of_only_zeros_and_ones_is_left_alone():
    dataset = load_csv(_songs_with("popularity", ["0", "1", "1", "0"]))
    assert dataset.frame[schema.TARGET].tolist() == [0, 1, 1, 0]
    assert not any("0–1 scale" in c for c in dataset.report.conversions)


@pytest.mark.parametrize("header, values, expected", [
    ("Length (Duration)", ["201", "1,121", "95"], [201_000, 1_121_000, 95_000]),
    ("Length (m:ss)", ["3:21", "18:41", "1:35"], [201_000, 1_121_000, 95_000]),
    ("Song duration (sec)", ["201", "1121", "95.4"], [201_000, 1_121_000, 95_400]),
    ("Runtime", ["3:21", "18:41", "1:35"], [201_000, 1_121_000, 95_000]),
])
def test_duration_is_found_under_other_names_and_units(header, values, expected):
    dataset = load_csv(_songs_with("duration_ms", values, header=header))
    assert dataset.report.column_mapping[header] == "duration_ms"
    assert dataset.frame["duration_ms"].tolist() == expected and "duration_ms" not in dataset.report.missing_features


def test_a_long_header_that_merely_mentions_length_stays_an_extra_column():
    text = csv_text([line(fields(i)) for i in range(3)]).splitlines()
    text = [text[0] + ",Length of the longest silence in the intro"] + [row + ",2" for row in text[1:]]
    dataset = load_csv(("\n".join(text) + "\n").encode())
    assert dataset.report.column_mapping["duration_ms"] == "duration_ms"
    assert dataset.report.extra_columns == ["Length of the longest silence in the intro"]
    assert dataset.frame["duration_ms"].eq(200_000).all()


def test_typographic_minus_and_spaced_thousands_are_numbers():
    loud = _songs_with("loudness", ["−7,5", "−12,25", "-3,5"], delimiter=";")
    dataset = load_csv(loud)
    assert dataset.frame["loudness"].tolist() == [-7.5, -12.25, -3.5] and dataset.report.row_problems.empty
    durations = _songs_with("duration_ms", ["200\u00a0000", "1\u202f234\u202f567", "215 000"], delimiter=";")
    assert load_csv(durations).frame["duration_ms"].tolist() == [200_000, 1_234_567, 215_000]
    swiss = _songs_with("duration_ms", ["200'000", "215'500"])
    assert load_csv(swiss).frame["duration_ms"].tolist() == [200_000, 215_500]


@pytest.mark.parametrize("ragged", [False, True], ids=["fast parser", "careful parser"])
def test_a_title_over_128_kb_is_kept_whole(ragged):
    title = "la " * 100_000
    rows = [line(fields(0, title=title)), line(fields(1))] + ([line(fields(2) + ["surplus"])] if ragged else [])
    dataset = load_csv(csv_text(rows).encode())
    assert dataset.frame.loc[0, schema.TRACK_NAME] == title and len(dataset.frame) == 2


def test_a_file_where_every_row_misses_one_feature_loads_for_exploring():
    rows = []
    for i in range(13):
        row = fields(i)
        row[3 + i] = ""  # each row misses a different feature
        rows.append(line(row))
    dataset = load_csv(csv_text(rows).encode())
    assert len(dataset.frame) == 13 and dataset.frame[list(schema.FEATURE_NAMES)].isna().sum().sum() == 13
    assert any("None of the 13 rows is complete" in w for w in dataset.report.warnings)
    assert np.isnan(dataset.frame.loc[0, "acousticness"])
    with pytest.raises(DataError, match="would leave nothing"):
        load_csv(csv_text(rows).encode(), drop_problem_rows=True)
