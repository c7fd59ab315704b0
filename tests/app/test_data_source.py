"""The sidebar data-source picker: uploads, the column-mapping form, failed loads that keep the data in use."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.twin import generate_twin
from core.ui.data_picker import UPLOAD_KEY, UploadState

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
UPLOAD = "Upload a CSV"


def _app_with_upload(data: bytes, name: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["data_source"] = UPLOAD
    at.session_state[UPLOAD_KEY] = UploadState(file_id=name, data=data, name=name)
    return at.run()


@pytest.fixture(scope="module")
def songs_csv() -> bytes:
    return generate_twin(n_rows=400, seed=3).to_csv(index=False).encode()


def test_an_upload_becomes_the_dataset(songs_csv):
    at = _app_with_upload(songs_csv, "songs.csv")
    assert not at.exception
    dataset = at.session_state["dataset"]
    assert dataset.report.name == "songs.csv" and len(dataset.frame) == 400
    assert any("songs.csv" in c.value for c in at.sidebar.caption)


def test_a_failed_upload_says_why_and_keeps_the_data_in_use():
    at = AppTest.from_file(APP, default_timeout=120).run()
    twin_fingerprint = at.session_state["dataset"].fingerprint
    at.session_state["data_source"] = UPLOAD
    at.session_state[UPLOAD_KEY] = UploadState(file_id="photo", data=b"\x89PNG\r\n\x1a\n\x00\x00binary",
                                               name="photo.csv")
    at.run()
    assert not at.exception
    assert at.sidebar.error and "photo.csv" in at.sidebar.error[0].value
    assert at.session_state["dataset"].fingerprint == twin_fingerprint


def test_mapping_form_appears_for_a_file_without_popularity_and_mapping_loads_it(songs_csv):
    renamed = songs_csv.replace(b"popularity", b"Chart score", 1)
    at = _app_with_upload(renamed, "charts.csv")
    assert not at.exception
    assert not at.session_state["dataset"].report.has_target
    mapping = at.sidebar.selectbox(key="map_popularity")
    assert "Chart score" in mapping.options
    mapping.select("Chart score")
    at.sidebar.button[0].click().run()
    assert not at.exception
    dataset = at.session_state["dataset"]
    assert dataset.report.has_target
    assert dataset.frame["popularity"].tolist() == generate_twin(n_rows=400, seed=3)["popularity"].tolist()


def test_data_path_from_the_environment(songs_csv, tmp_path, monkeypatch):
    path = tmp_path / "mine.csv"
    path.write_bytes(songs_csv)
    monkeypatch.setenv("SPOTIFY_DATA", str(path))
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception
    assert at.session_state["dataset"].report.name == "mine.csv"
