"""The data picker's state without a page: where the server's data comes from, and an upload's load outcomes."""
from __future__ import annotations

from core.twin import generate_twin
from core.ui.data_picker import UploadState, configured_data_path


def test_the_command_line_data_path_wins_over_the_environment(monkeypatch):
    monkeypatch.setenv("SPOTIFY_DATA", "/env.csv")
    assert configured_data_path(["app.py", "--data", "/cli.csv"]) == "/cli.csv"
    assert configured_data_path(["app.py"]) == "/env.csv"
    assert configured_data_path(["app.py", "--data"]) == "/env.csv"  # a flag without a value is ignored
    monkeypatch.delenv("SPOTIFY_DATA")
    assert configured_data_path(["app.py"]) is None


def test_an_upload_is_loaded_once_and_a_failed_reload_keeps_its_dataset():
    data = generate_twin(n_rows=200, seed=5).to_csv(index=False).encode()
    upload = UploadState(file_id="a", data=data, name="songs.csv")
    assert not upload.loaded
    upload.load(None)
    assert upload.loaded and upload.error is None and len(upload.dataset.frame) == 200
    upload.load({"energy": "nonsense"})  # a mapping the loader refuses
    assert "nonsense" in str(upload.error)
    assert upload.dataset is not None and len(upload.dataset.frame) == 200


def test_a_file_that_is_not_a_csv_is_an_error_not_a_dataset():
    upload = UploadState(file_id="b", data=b"\x89PNG\r\n\x1a\n\x00\x00binary", name="photo.csv")
    upload.load(None)
    assert upload.loaded and upload.dataset is None and "PNG image" in str(upload.error)
