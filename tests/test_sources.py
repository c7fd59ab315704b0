"""core.sources: real files load exactly, other layouts map themselves, units are normalised, problems are listed."""
from __future__ import annotations

import csv
import pickle
import re
import time
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core import schema
from core.sources import (DataError, DataFileNotFoundError, Dataset, frame_fingerprint, load_csv, normalise_header,
                          suggest_mapping, twin_dataset)
from core.twin import TWIN_LABEL, generate_twin

ROOT = Path(__file__).resolve().parents[1]
HEAD = "kaggle_april2019_head.csv"
TOPHITS = "tophits_2000_2019_songs_normalize.csv"
EXPORTIFY = "exportify_genre_disco.csv"


def _csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


def _rewrite(path: Path, out: Path, *, delimiter: str = ",", encoding: str = "utf-8", newline: str = "\n") -> Path:
    """The same records with another delimiter / encoding / line ending, quoted only where needed."""
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    with out.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter, lineterminator=newline).writerows(rows)
    return out


# ---- the report's own file -------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def head(shared_data) -> Dataset:
    return load_csv(shared_data / HEAD)


def test_real_head_loads_with_canonical_columns_and_dtypes(head):
    assert len(head.frame) == 25
    assert list(head.frame.columns) == list(schema.CANONICAL_COLUMNS)
    assert {c: str(t) for c, t in head.frame.dtypes.items()} == schema.CANONICAL_DTYPES
    report = head.report
    assert (report.source, report.name, report.encoding, report.delimiter) == ("file", HEAD, "utf-8", ",")
    assert report.has_target and report.missing_features == [] and report.extra_columns == []
    assert report.row_problems.empty and report.conversions == [] and report.warnings == []
    assert report.column_mapping == {c: c for c in schema.CANONICAL_COLUMNS}
    assert re.fullmatch(r"[0-9a-f]{16}", head.fingerprint)
    assert head.feature_names == schema.FEATURE_NAMES and not head.is_twin


def test_real_head_text_is_intact(head):
    names = set(head.frame[schema.TRACK_NAME])
    assert "Bon appétit" in names  # UTF-8 read as UTF-8, never latin-1 mojibake ("BÃ©n")
    assert "BAND DRUM (feat. A$AP Rocky)" in names
    assert "Big Bank feat. 2 Chainz, Big Sean, Nicki Minaj" in names  # quoted commas stay inside the title
    assert not any("Ã" in name for name in names)


def test_every_value_equals_the_files_text(head, shared_data):
    rows = list(csv.reader((shared_data / HEAD).open(encoding="utf-8", newline="")))
    header, body = rows[0], rows[1:]
    first = head.frame.iloc[0]
    assert first["acousticness"] == float("0.0058200000000000005")
    assert first["tempo"] == 203.92700000000002 and first["duration_ms"] == 238373
    for i, row in enumerate(body):
        for column, text in zip(header, row):
            value = head.frame.at[i, column]
            if column in schema.ID_COLUMNS:
                assert value == text
            elif column in schema.INTEGER_FEATURES or column == schema.TARGET:
                assert value == int(text), (i, column)
            else:
                assert value == float(text), (i, column, text)


@pytest.mark.parametrize("variant", ["cp1252", "semicolon", "tab", "utf-8 BOM + CRLF", "latin-1 + pipe"])
def test_reencoded_or_redelimited_copies_give_the_same_frame_and_fingerprint(head, shared_data, tmp_path, variant):
    options = {"cp1252": dict(encoding="cp1252"), "semicolon": dict(delimiter=";"), "tab": dict(delimiter="\t"),
               "utf-8 BOM + CRLF": dict(encoding="utf-8-sig", newline="\r\n"),
               "latin-1 + pipe": dict(encoding="latin-1", delimiter="|")}[variant]
    copy = _rewrite(shared_data / HEAD, tmp_path / "copy.csv", **options)
    loaded = load_csv(copy)
    pd.testing.assert_frame_equal(loaded.frame, head.frame)
    assert loaded.fingerprint == head.fingerprint
    assert loaded.report.delimiter == options.get("delimiter", ",")
    assert loaded.report.encoding == {"cp1252": "cp1252", "utf-8-sig": "utf-8-sig", "latin-1": "cp1252"}.get(
        options.get("encoding"), "utf-8")  # latin-1 bytes of these titles are valid cp1252 (same characters)


def test_uploaded_bytes_load_like_the_path(head, shared_data):
    uploaded = load_csv((shared_data / HEAD).read_bytes(), name="mine.csv", source_kind="upload")
    assert uploaded.fingerprint == head.fingerprint
    assert (uploaded.report.source, uploaded.report.name) == ("upload", "mine.csv")


def test_the_careful_parser_agrees_with_the_fast_one(head, shared_data):
    """A row with too many fields sends the file to the csv-module parser: the other rows must not change."""
    data = (shared_data / HEAD).read_bytes() + b"X,id,too,many,fields,1,2,3,4,5,6,7,8,9,10,11,12,13,14\n"
    loaded = load_csv(data)
    pd.testing.assert_frame_equal(loaded.frame, head.frame)
    assert loaded.fingerprint == head.fingerprint
    problems = loaded.report.row_problems
    assert problems["row"].tolist() == [26] and "19 fields" in problems["problem"].iloc[0]


# ---- other real layouts ----------------------------------------------------------------------------------------------

def test_tophits_loads_without_a_mapping(shared_data):
    raw = pd.read_csv(shared_data / TOPHITS)
    dataset = load_csv(shared_data / TOPHITS)
    frame, report = dataset.frame, dataset.report
    assert len(frame) == 2000 and report.has_target
    assert report.column_mapping["artist"] == schema.ARTIST and report.column_mapping["song"] == schema.TRACK_NAME
    assert report.missing_features == ["time_signature"]
    assert report.extra_columns == ["explicit", "year", "genre"]
    assert list(frame.columns[-3:]) == ["explicit", "year", "genre"]
    assert frame["explicit"].dtype == bool and frame["year"].dtype == "int64"
    assert frame["danceability"].between(0, 1).all() and frame["duration_ms"].median() > 100_000
    assert (frame[schema.TARGET].to_numpy() == raw["popularity"].to_numpy()).all()
    assert report.duplicate_rows == 59 == raw.duplicated().sum()
    assert len(frame) == len(raw), "duplicates are reported, never dropped"
    assert report.filled_columns == [schema.TRACK_ID] and frame[schema.TRACK_ID].is_unique
    assert any("no track id" in w for w in report.warnings)
    assert any("59 rows are exact copies" in w for w in report.warnings)


def test_exportify_loads_without_a_mapping(shared_data):
    raw = pd.read_csv(shared_data / EXPORTIFY)
    dataset = load_csv(shared_data / EXPORTIFY)
    frame, report = dataset.frame, dataset.report
    assert "\t\t\t\tDanceability" in raw.columns  # the file really has the tabs
    assert report.column_mapping["Danceability"] == "danceability"
    assert report.column_mapping["Artist Name(s)"] == schema.ARTIST
    assert report.column_mapping["Duration (ms)"] == "duration_ms"
    assert report.missing_features == [] and report.has_target
    assert frame["danceability"].tolist() == raw["\t\t\t\tDanceability"].tolist()
    assert frame["duration_ms"].tolist() == raw["Duration (ms)"].tolist()
    assert frame[schema.TARGET].tolist() == raw["Popularity"].tolist()
    assert {"Album Name", "Genres", "Record Label", "Added At"} <= set(report.extra_columns)
    assert list(frame.columns[:17]) == list(schema.CANONICAL_COLUMNS)
    assert report.null_counts["Genres"] == raw["Genres"].isna().sum() > 0


# ---- the twin and fingerprints ---------------------------------------------------------------------------------------

def test_twin_dataset_is_labelled_and_round_trips_through_csv(tmp_path):
    twin = twin_dataset(n_rows=3_000, seed=5)
    assert twin.is_twin and twin.report.source == "twin" and twin.report.name == TWIN_LABEL
    pd.testing.assert_frame_equal(twin.frame, generate_twin(n_rows=3_000, seed=5))
    assert twin.fingerprint == twin_dataset(n_rows=3_000, seed=5).fingerprint
    assert twin.fingerprint != twin_dataset(n_rows=3_000, seed=6).fingerprint
    assert twin.report.row_problems.empty
    path = tmp_path / "twin.csv"
    twin.frame.to_csv(path, index=False)
    assert load_csv(path).fingerprint == twin.fingerprint


def test_fingerprint_follows_content_not_index(twin_small):
    frame = twin_small.iloc[:200].reset_index(drop=True)
    fingerprint = frame_fingerprint(frame)
    assert re.fullmatch(r"[0-9a-f]{16}", fingerprint)
    assert frame_fingerprint(frame.set_axis(range(100, 300))) == fingerprint
    changed = frame.copy()
    changed.loc[17, "energy"] += 0.001
    assert frame_fingerprint(changed) != fingerprint
    assert frame_fingerprint(frame.rename(columns={"energy": "Energy"})) != fingerprint


@pytest.mark.slow  # the full 130,663-row twin
def test_a_full_size_file_loads_fast(twin_full, tmp_path):
    """The bench holds the 1 s budget (median of 3); this guards against falling off the fast path."""
    path = tmp_path / "full.csv"
    twin_full.to_csv(path, index=False)
    start = time.perf_counter()
    dataset = load_csv(path)
    seconds = time.perf_counter() - start
    assert len(dataset.frame) == len(twin_full)
    assert dataset.fingerprint == frame_fingerprint(twin_full)
    assert dataset.report.duplicate_rows == twin_full.duplicated().sum()
    assert seconds < 3.0


# ---- column mapping --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("header, key", [
    ("\t\t\t\tDanceability", "danceability"), ("\ufeffartist_name", "artist_name"), ("Duration (ms)", "duration_ms"),
    ("track.name", "track_name"), ("Artist Name(s)", "artist_name_s"), ("danceability_%", "danceability_pct"),
    ("  Time  Signature ", "time_signature"),
])
def test_normalise_header(header, key):
    assert normalise_header(header) == key


def test_suggest_mapping_knows_common_layouts():
    assert suggest_mapping(["Track ID", "Track Name", "Artist Name(s)", "Duration (ms)", "Popularity",
                            "\tDanceability", "Time Signature"]) == {
        "Track ID": "track_id", "Track Name": "track_name", "Artist Name(s)": "artist_name",
        "Duration (ms)": "duration_ms", "Popularity": "popularity", "Danceability": "danceability",
        "Time Signature": "time_signature"}
    assert suggest_mapping(["track.name", "track.popularity", "track.id", "track.duration_ms", "track.artists"]) == {
        "track.name": "track_name", "track.popularity": "popularity", "track.id": "track_id",
        "track.duration_ms": "duration_ms", "track.artists": "artist_name"}
    assert suggest_mapping(["title", "artist", "bpm", "nrgy", "dnce", "dB", "live", "val", "dur", "acous", "spch",
                            "pop", "top genre"]) == {
        "title": "track_name", "artist": "artist_name", "bpm": "tempo", "nrgy": "energy", "dnce": "danceability",
        "dB": "loudness", "live": "liveness", "val": "valence", "dur": "duration_ms", "acous": "acousticness",
        "spch": "speechiness", "pop": "popularity"}
    assert suggest_mapping(["artist(s)_name", "danceability_%", "Instrumental", "speech", "Track URI"]) == {
        "artist(s)_name": "artist_name", "danceability_%": "danceability", "Instrumental": "instrumentalness",
        "speech": "speechiness", "Track URI": "track_id"}


def test_suggest_mapping_offers_close_spellings_but_not_lookalike_words():
    suggestion = suggest_mapping(["Dancibility", "accousticness", "model", "name_of_album", "colour"])
    assert suggestion == {"Dancibility": "danceability", "accousticness": "acousticness"}


HEADER = ",".join(schema.CANONICAL_COLUMNS)
ROW = "Artist,{id},Title,0.1,0.5,200000,0.5,0.0,5,0.1,-7.0,1,0.05,120.0,4,0.5,{pop}"


def _songs(n: int = 6, header: str = HEADER, row: str = ROW) -> str:
    return header + "\n" + "\n".join(row.format(id=f"id{i:03d}", pop=10 + i) for i in range(n)) + "\n"


def test_a_mapping_overrides_the_loaders_guess():
    text = _songs().replace("valence", "feel").replace(",energy,", ",vibe,")
    with pytest.raises(DataError) as raised:  # None: "do not use this column"
        load_csv(text.encode(), mapping={"vibe": "energy", "feel": "valence", "popularity": None},
                 require_target=True)
    assert raised.value.missing_columns == ["popularity"]
    dataset = load_csv(text.encode(), mapping={"vibe": "energy", "feel": "valence"})
    assert dataset.report.column_mapping["vibe"] == "energy" and dataset.report.column_mapping["feel"] == "valence"
    assert dataset.feature_names == schema.FEATURE_NAMES


def test_a_mapping_can_steal_a_column_from_the_loaders_choice():
    text = _songs(header=HEADER + ",other_pop", row=ROW + ",77")
    dataset = load_csv(text.encode(), mapping={"other_pop": "popularity"})
    assert (dataset.frame[schema.TARGET] == 77).all()
    assert "popularity (unused)" in dataset.frame.columns  # the file's own column is kept, renamed
    assert any("`popularity` also looks like" in w for w in dataset.report.warnings)


def test_bad_mappings_are_data_errors_naming_the_column():
    with pytest.raises(DataError, match="not one of the columns"):
        load_csv(_songs().encode(), mapping={"energy": "vibes"})
    with pytest.raises(DataError, match="both `energy` and `valence`"):
        load_csv(_songs().encode(), mapping={"energy": "tempo", "valence": "tempo"})
    dataset = load_csv(_songs().encode(), mapping={"not_in_this_file": "energy"})
    assert any("not_in_this_file" in w for w in dataset.report.warnings)


def test_no_audio_features_gives_the_mapping_ui_what_it_needs():
    with pytest.raises(DataError) as raised:
        load_csv(b"Song,Singer,Feel,Speed\na,b,0.5,120\n")
    error = raised.value
    assert error.source_columns == ["Song", "Singer", "Feel", "Speed"]
    assert set(schema.FEATURE_NAMES) <= set(error.missing_columns)
    assert "No audio-feature columns" in str(error)
    mapped = load_csv(b"Song,Singer,Feel,Speed\na,b,0.5,120\n",
                      mapping={"Feel": "valence", "Speed": "tempo", "Song": "track_name", "Singer": "artist_name"})
    assert mapped.frame.loc[0, ["track_name", "artist_name", "valence", "tempo"]].tolist() == ["a", "b", 0.5, 120.0]


# ---- units -----------------------------------------------------------------------------------------------------------

def test_top_songs_layout_is_converted_to_canonical_units():
    text = ("title,artist,top genre,year,bpm,nrgy,dnce,dB,live,val,dur,acous,spch,pop\n"
            "Hey,Train,neo mellow,2010,97,89,67,-4,8,80,217,19,4,83\n"
            "Love,Eminem,detroit hip hop,2010,87,93,75,-5,52,64,263,24,23,82\n")
    dataset = load_csv(text.encode())
    frame, report = dataset.frame, dataset.report
    assert frame["energy"].tolist() == [0.89, 0.93] and frame["danceability"].tolist() == [0.67, 0.75]
    assert frame["duration_ms"].tolist() == [217_000, 263_000] and frame["duration_ms"].dtype == "int64"
    assert frame["loudness"].tolist() == [-4.0, -5.0] and frame["tempo"].tolist() == [97.0, 87.0]
    assert frame[schema.TARGET].tolist() == [83, 82]
    assert any("divided by 100" in c and "energy" in c for c in report.conversions)
    assert any("seconds" in c and "duration_ms" in c for c in report.conversions)
    assert report.extra_columns == ["top genre", "year"]


def test_spotify_2023_charts_layout(tmp_path):
    text = ("track_name,artist(s)_name,released_year,streams,in_deezer_playlists,bpm,key,mode,danceability_%,"
            "valence_%,energy_%,acousticness_%,instrumentalness_%,liveness_%,speechiness_%\n"
            'Seven (feat. Latto),"Latto, Jung Kook",2023,141381703,"1,412",125,B,Major,80,89,83,31,0,8,4\n'
            "Tá OK,Myke Towers,2023,133716286,45,92,C#,Minor,71,61,74,7,0,10,4\n"
            "Flowers,Miley Cyrus,2023,1316855716,110,118,F♯/G♭,Major,71,65,68,6,0,3,7\n")
    path = tmp_path / "spotify-2023.csv"
    path.write_bytes(text.encode("cp1252", errors="replace").replace(b"?", b"#"))
    dataset = load_csv(path)
    frame, report = dataset.frame, dataset.report
    assert report.encoding == "cp1252" and frame[schema.TRACK_NAME].tolist()[1] == "Tá OK"
    assert not report.has_target and any("no `popularity`" in w for w in report.warnings)
    assert frame["key"].tolist() == [11, 1, 6] and frame["mode"].tolist() == [1, 0, 1]
    assert frame["danceability"].tolist() == [0.8, 0.71, 0.71]
    assert frame["in_deezer_playlists"].tolist() == [1412, 45, 110]
    assert set(report.missing_features) == {"duration_ms", "loudness", "time_signature"}
    assert any("note names" in c for c in report.conversions) and any("1 = major" in c for c in report.conversions)
    assert any("thousands separators" in c for c in report.conversions)


def test_clock_durations_uris_time_signatures_and_decimal_commas():
    text = ("Track URI;Song;Length;Time Signature;Energy;Popularity\n"
            "spotify:track:4uLU6hMCjMI75M1A2tKUQC;Never;3:33;4/4;0,94;80\n"
            "https://open.spotify.com/track/7GhIk7Il098yCjg4BQjzvb?si=x;Gangnam;1:04:05;3/4;0,5;70\n")
    frame = load_csv(text.encode()).frame
    assert frame[schema.TRACK_ID].tolist() == ["4uLU6hMCjMI75M1A2tKUQC", "7GhIk7Il098yCjg4BQjzvb"]
    assert frame["duration_ms"].tolist() == [213_000, 3_845_000]
    assert frame["time_signature"].tolist() == [4, 3] and frame["energy"].tolist() == [0.94, 0.5]


def test_values_already_in_canonical_units_are_left_alone(twin_small):
    dataset = load_csv(_csv_bytes(twin_small.iloc[:300]))
    assert dataset.report.conversions == []
    assert dataset.fingerprint == frame_fingerprint(twin_small.iloc[:300].reset_index(drop=True))


# ---- problems --------------------------------------------------------------------------------------------------------

def test_problem_rows_are_listed_by_data_row_and_dropped_on_request():
    lines = _songs(10).splitlines()
    lines[3] = lines[3].replace(",0.5,200000,", ",loud,200000,")           # data row 3: text in a number column
    lines[5] = lines[5].replace(",Title,", ',"Two\nline title",')           # a quoted line break: still one row
    lines[7] = lines[7].replace(",-7.0,", ",inf,")                          # data row 7: infinite
    lines[9] = lines[9].replace(",4,0.5,", ",9,0.5,")                        # data row 9: time_signature outside
    dataset = load_csv(("\n".join(lines) + "\n").encode())
    problems = dataset.report.row_problems
    assert list(problems.columns) == ["row", "line", "column", "value", "problem"]
    assert problems["line"].tolist() == [4, 9, 11]  # data row 5 takes two lines of the file
    assert problems[["row", "column", "value"]].values.tolist() == [
        [3, "danceability", "loud"], [7, "loudness", "inf"], [9, "time_signature", "9"]]
    assert problems["problem"].tolist() == ["is not a number", "is infinite", "is outside 0–5"]
    frame = dataset.frame
    assert len(frame) == 10 and np.isnan(frame.loc[2, "danceability"]) and frame["time_signature"].dtype == "float64"
    assert frame.loc[4, schema.TRACK_NAME] == "Two\nline title"
    assert any("3 data rows have empty or unusable values" in w for w in dataset.report.warnings)

    dropped = load_csv(("\n".join(lines) + "\n").encode(), drop_problem_rows=True)
    assert len(dropped.frame) == 7 and dropped.report.row_problems.empty and dropped.report.dropped_rows == 3
    assert dropped.report.dropped_problems["row"].tolist() == [3, 7, 9]
    assert {c: str(t) for c, t in dropped.frame.dtypes.items()} == schema.CANONICAL_DTYPES
    assert dropped.fingerprint != dataset.fingerprint


def test_a_mostly_unusable_column_is_an_error_naming_it_and_counting():
    lines = _songs(10).splitlines()
    for i in range(1, 8):
        lines[i] = lines[i].replace(",120.0,", ",fast,")
    with pytest.raises(DataError) as raised:
        load_csv(("\n".join(lines) + "\n").encode())
    assert "`tempo`" in str(raised.value) and "7 of 10" in str(raised.value)


def test_duplicates_and_nulls_are_counted_never_dropped():
    text = _songs(4) + ROW.format(id="id000", pop=10) + "\n" + ROW.format(id="id001", pop=99) + "\n"
    text += ROW.format(id="id009", pop=30).replace("Title", "") + "\n"
    dataset = load_csv(text.encode())
    assert len(dataset.frame) == 7
    assert dataset.report.duplicate_rows == 1 and dataset.report.duplicate_track_ids == 2
    assert dataset.report.null_counts[schema.TRACK_NAME] == 1
    assert any("`track_name` is empty in 1 row" in w for w in dataset.report.warnings)


def test_missing_target_loads_for_exploring_unless_required():
    text = "\n".join(line.rsplit(",", 1)[0] for line in _songs().splitlines()) + "\n"
    dataset = load_csv(text.encode())
    assert not dataset.report.has_target and schema.TARGET not in dataset.frame
    with pytest.raises(DataError) as raised:
        load_csv(text.encode(), require_target=True)
    assert raised.value.missing_columns == [schema.TARGET] and "popularity" in str(raised.value)


def test_missing_optional_features_are_reported():
    frame = generate_twin(n_rows=50, seed=3).drop(columns=["key", "time_signature"])
    dataset = load_csv(_csv_bytes(frame))
    assert dataset.report.missing_features == ["key", "time_signature"]
    assert "key" not in dataset.feature_names and len(dataset.feature_names) == 11


def test_a_missing_path_is_both_a_data_error_and_file_not_found(tmp_path):
    with pytest.raises(DataError) as raised:
        load_csv(tmp_path / "nope.csv")
    assert isinstance(raised.value, FileNotFoundError) and isinstance(raised.value, DataFileNotFoundError)
    assert "does not exist" in str(raised.value)


def test_data_errors_survive_pickling():
    error = DataError(["a", "b"], missing_columns=["energy"], source_columns=["x"])
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.problems, copy.missing_columns, copy.source_columns, str(copy)) == (
        ["a", "b"], ["energy"], ["x"], "- a\n- b")


def test_upload_limit_matches_the_streamlit_config():
    from core import sources

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert sources.MAX_UPLOAD_MB == config["server"]["maxUploadSize"] == 200


def test_unusable_and_ambiguous_columns_are_offered_for_mapping():
    """The app shows its mapping form for `missing_columns`; a mapping (or None = ignore) then resolves the error."""
    text = _songs().replace(",120.0,", ",fast,")
    with pytest.raises(DataError) as raised:
        load_csv(text.encode())
    assert raised.value.missing_columns == ["tempo"] and "`tempo` cannot be used" in str(raised.value)
    ignored = load_csv(text.encode(), mapping={"tempo": None})
    assert "tempo" not in ignored.feature_names and "tempo" in ignored.report.missing_features
    assert "tempo (unused)" in ignored.report.extra_columns  # kept, but never mistaken for the feature

    twice = _songs().replace(",valence,", ",Energy,")
    with pytest.raises(DataError) as raised:
        load_csv(twice.encode())
    assert raised.value.missing_columns == ["energy"]
    chosen = load_csv(twice.encode(), mapping={"Energy": "energy"})
    assert chosen.report.column_mapping["Energy"] == "energy" and "energy (unused)" in chosen.frame


def test_an_empty_feature_column_counts_as_absent():
    text = "\n".join(line.replace(",0.1,-7.0,", ",,-7.0,") for line in _songs().splitlines()) + "\n"
    dataset = load_csv(text.encode())
    assert "liveness" not in dataset.frame and dataset.report.missing_features == ["liveness"]
    assert any("`liveness` (liveness) has no values" in w for w in dataset.report.warnings)
    with pytest.raises(DataError, match="Every audio-feature column in the file is empty"):
        load_csv(b"Track Name,Energy,Tempo\nLocal file,,\nPodcast,,\n")


def test_one_typo_above_one_is_a_problem_not_a_rescale():
    text = _songs(2).replace("0.1,0.5,200000", "0.1,7,200000", 1)
    dataset = load_csv(text.encode())
    assert dataset.report.conversions == []
    assert dataset.report.row_problems[["row", "column", "value"]].values.tolist() == [[1, "danceability", "7"]]
