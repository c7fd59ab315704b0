"""The store's promises: nothing it loads can run code, and damage to one suite never takes the others down.

A tamperer who can write the store can also rewrite `manifest.json`, so the sha256 there is no defence against a
planted pickle: these tests update the hash and check that the payload still never runs — through
`ArtifactStore.load`, through `python -m core score`, and through the What-if page.
"""
from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.models import suites as S
from core.models.config import SuiteConfig
from core.models.store import FORMAT_VERSION, MANIFEST, SKOPS_TRUSTED_TYPES, ArtifactError, ArtifactStore, sha256_of
from core.models.training import train_suite

ROOT = Path(__file__).resolve().parents[2]
CONFIG = SuiteConfig(include_ann=False, max_rows=1_500)
NAMES = ("Dummy (mean)", "Linear Regression", "XGBoost", "LOGISTIC REGRESSION", "RANDOM FOREST CLASSIFIER")


class Detonator:
    """Unpickling this creates `marker`."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


@pytest.fixture(scope="module")
def twin():
    from core import sources

    return sources.twin_dataset()  # the data the app opens on, so the What-if page finds this suite


@pytest.fixture(scope="module")
def suite(twin):
    return train_suite(twin.frame, CONFIG, twin.fingerprint, n_jobs=1, specs=[S.SPECS_BY_NAME[n] for n in NAMES])


@pytest.fixture
def stored(suite, tmp_path) -> tuple[ArtifactStore, Path]:
    store = ArtifactStore(tmp_path / "store")
    return store, store.save(suite)


def _manifest(path: Path) -> dict:
    return json.loads((path / MANIFEST).read_text())


def _write_manifest(path: Path, manifest: dict) -> None:
    (path / MANIFEST).write_text(json.dumps(manifest))


def _plant(path: Path, relative: str, payload: bytes) -> None:
    """Replace one stored file and update its hash in the manifest, as a tamperer with write access would."""
    (path / relative).write_bytes(payload)
    manifest = _manifest(path)
    manifest["files"][relative] = sha256_of(path / relative)
    _write_manifest(path, manifest)


def _sklearn_entries(path: Path) -> list[str]:
    return [entry["file"] for entry in _manifest(path)["model_files"].values() if entry["format"] == "skops"]


# ---- no pickle, an allow-list ----------------------------------------------------------------------------------------

def test_no_stored_file_is_a_pickle(stored):
    _, path = stored
    for file in path.rglob("*"):
        if file.is_file():
            assert not file.read_bytes()[:2] in (b"\x80\x02", b"\x80\x03", b"\x80\x04", b"\x80\x05"), file.name
    assert (path / "scaler.skops").is_file() and _sklearn_entries(path)
    assert "skops" in _manifest(path)["versions"] and "joblib" not in _manifest(path)["versions"]


@pytest.mark.parametrize("target", ["model", "scaler"])
def test_a_planted_pickle_with_its_hash_updated_never_runs_through_the_store(stored, tmp_path, target):
    store, path = stored
    marker = tmp_path / "pwned"
    relative = _sklearn_entries(path)[0] if target == "model" else "scaler.skops"
    _plant(path, relative, pickle.dumps(Detonator(marker)))
    with pytest.raises(ArtifactError, match="not a skops file") as caught:
        store.load(path)
    assert Path(relative).name in str(caught.value) and "retrain" in str(caught.value)
    assert not marker.exists(), "a planted pickle ran"


@pytest.mark.slow  # a `python -m core` subprocess imports the model stack
def test_a_planted_pickle_with_its_hash_updated_never_runs_through_the_cli(stored, tmp_path):
    store, path = stored
    marker = tmp_path / "pwned"
    for relative in _sklearn_entries(path) + ["scaler.skops"]:
        _plant(path, relative, pickle.dumps(Detonator(marker)))
    songs = tmp_path / "songs.csv"
    songs.write_text("acousticness,danceability,energy\n0.1,0.5,0.7\n")
    result = subprocess.run([sys.executable, "-m", "core", "score", str(songs), "--out", str(tmp_path / "out.csv"),
                             "--store", str(store.root)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "retrain" in result.stderr
    assert not marker.exists() and not (tmp_path / "out.csv").exists()


def test_an_old_joblib_suite_is_refused_with_retrain_and_never_opened(stored, tmp_path):
    """A store format 1 suite (joblib pickles), even with every hash right, is never unpickled."""
    store, path = stored
    marker = tmp_path / "pwned"
    manifest = _manifest(path)
    for name, entry in manifest["model_files"].items():
        if entry["format"] == "skops":
            joblib_name = entry["file"].replace(".skops", ".joblib")
            (path / joblib_name).write_bytes(pickle.dumps(Detonator(marker)))
            manifest["files"][joblib_name] = sha256_of(path / joblib_name)
            entry.update(file=joblib_name, format="joblib")
    for version in (1, FORMAT_VERSION):  # the old store format, and a manifest that only claims the new one
        manifest["format_version"] = version
        _write_manifest(path, manifest)
        with pytest.raises(ArtifactError, match="retrain"):
            store.load(path)
    assert not marker.exists()
    manifest["format_version"] = 1
    _write_manifest(path, manifest)
    assert store.list_suites() == []
    assert "store format 1" in store.damaged_suites()[0]["reason"]


def test_a_type_outside_the_allow_list_is_refused_by_name(stored):
    """skops itself would build a FunctionTransformer around os.system only when told to trust it: we never do."""
    import skops.io
    from sklearn.preprocessing import FunctionTransformer

    store, path = stored
    relative = _sklearn_entries(path)[0]
    skops.io.dump(FunctionTransformer(func=os.system), path / relative)
    manifest = _manifest(path)
    manifest["files"][relative] = sha256_of(path / relative)
    _write_manifest(path, manifest)
    with pytest.raises(ArtifactError, match=r"holds the type \S*system") as caught:
        store.load(path)
    assert "never loads" in str(caught.value)


def test_an_allowed_type_of_the_wrong_kind_is_refused(stored, suite):
    """A file holding a different estimator than its manifest names (a swapped model) is refused."""
    import skops.io
    from sklearn.preprocessing import StandardScaler

    store, path = stored
    entries = _manifest(path)["model_files"]
    relative = entries["Linear Regression"]["file"]
    skops.io.dump(StandardScaler().fit([[0.0], [1.0]]), path / relative)
    manifest = _manifest(path)
    manifest["files"][relative] = sha256_of(path / relative)
    _write_manifest(path, manifest)
    with pytest.raises(ArtifactError, match="not the LinearRegression its manifest names"):
        store.load(path)


@pytest.mark.parametrize("damage", ["child outside the tree", "child before its parent", "feature out of range"])
def test_a_tree_altered_to_point_outside_itself_is_refused(stored, damage):
    """skops builds a Tree from raw node arrays that scikit-learn indexes unchecked: a tampered one could read
    outside its memory or loop forever at predict time, so it is refused at load."""
    import skops.io

    store, path = stored
    relative = _manifest(path)["model_files"]["RANDOM FOREST CLASSIFIER"]["file"]
    forest = skops.io.load(path / relative, trusted=["sklearn.tree._tree.Tree"])
    tree = forest.estimators_[3].tree_
    state = tree.__getstate__()
    nodes = state["nodes"].copy()
    inner = int(np.flatnonzero(nodes["left_child"] != -1)[-1])
    if damage == "child outside the tree":
        nodes["left_child"][inner] = tree.node_count + 10_000
    elif damage == "child before its parent":
        nodes["right_child"][inner] = 0
    else:
        nodes["feature"][inner] = 99
    state["nodes"] = nodes
    tree.__setstate__(state)
    skops.io.dump(forest, path / relative)
    manifest = _manifest(path)
    manifest["files"][relative] = sha256_of(path / relative)
    _write_manifest(path, manifest)
    with pytest.raises(ArtifactError, match="points outside itself"):
        store.load(path)


def test_the_allow_list_is_exactly_what_the_suites_need(suite, stored):
    """Every stored file loads with the allow-list; none of its untrusted types is left unlisted."""
    import skops.io

    store, path = stored
    for relative in _sklearn_entries(path) + ["scaler.skops"]:
        assert set(skops.io.get_untrusted_types(file=path / relative)) <= set(SKOPS_TRUSTED_TYPES)
    loaded = store.load(path)
    assert list(loaded.models) == list(suite.models) and loaded.feature_names == suite.feature_names


@pytest.mark.slow
def test_a_planted_pickle_never_runs_through_the_what_if_page(stored, twin, tmp_path, monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest, app_test

    from tests.app.conftest import _RouterPagesManager

    monkeypatch.setattr(app_test, "PagesManager", _RouterPagesManager)
    store, path = stored
    marker = tmp_path / "pwned"
    for relative in _sklearn_entries(path):
        _plant(path, relative, pickle.dumps(Detonator(marker)))
    monkeypatch.setenv("SPOTIFY_STORE", str(store.root))
    st.cache_resource.clear()
    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.run()
    at.switch_page("pages/what_if.py").run()
    assert not at.exception, [e.message for e in at.exception]
    assert not marker.exists(), "the What-if page ran a planted pickle"
    errors = [e.value for e in at.error]
    assert any("could not be loaded" in e and "not a skops file" in e for e in errors), errors
    assert not at.slider  # nothing was scored with a refused suite


# ---- damage stays with its suite -------------------------------------------------------------------------------------

def _second_suite(store: ArtifactStore, suite) -> Path:
    """Another stored suite (other data) beside the first, so damage to one can be seen not to hide the other."""
    other = ArtifactStore(store.root)
    original = suite.fingerprint
    try:
        suite.fingerprint = "other-data"
        return other.save(suite)
    finally:
        suite.fingerprint = original


def test_dot_folders_are_never_suites(stored):
    store, path = stored
    jobs = store.root / ".jobs" / "abc"
    jobs.mkdir(parents=True)
    (jobs / MANIFEST).write_text("{ not json")
    (path.parent / ".jobs").mkdir()
    (path.parent / ".jobs" / MANIFEST).write_text("[]")
    (path.parent / ".tmp-x").mkdir()
    (path.parent / ".tmp-x" / MANIFEST).write_text("[]")
    assert [m["path"] for m in store.list_suites()] == [path] and store.damaged_suites() == []


DAMAGE = {
    "deeply nested": "[" * 100_000 + "]" * 100_000,
    "nested object": '{"format_version": 2, "files": {}, "x": ' + "[" * 500 + "]" * 500 + "}",
    "not an object": "[1, 2, 3]",
    "files is a list": None,
    "config is a string": None,
    "model entry is a number": None,
    "huge": None,
    "not UTF-8": None,
    "empty": "",
}


def _damaged_text(kind: str, manifest: dict) -> str | bytes:
    if kind == "files is a list":
        return json.dumps({**manifest, "files": list(manifest["files"])})
    if kind == "config is a string":
        return json.dumps({**manifest, "config": "regression"})
    if kind == "model entry is a number":
        return json.dumps({**manifest, "model_files": {name: 7 for name in manifest["model_files"]}})
    if kind == "huge":
        return json.dumps({**manifest, "padding": "x" * (5 * 1024 * 1024)})
    if kind == "not UTF-8":
        return b"\xff\xfe" + json.dumps(manifest).encode("utf-16-le")
    return DAMAGE[kind]


@pytest.mark.parametrize("kind", list(DAMAGE))
def test_one_damaged_manifest_marks_only_its_suite(stored, suite, kind):
    store, path = stored
    other = _second_suite(store, suite)
    text = _damaged_text(kind, _manifest(path))
    (path / MANIFEST).write_bytes(text if isinstance(text, bytes) else text.encode())
    assert [m["path"] for m in store.list_suites()] == [other]
    damaged = store.damaged_suites()
    assert [d["path"] for d in damaged] == [path] and "retrain" in damaged[0]["reason"]
    for loader in (store.load, store.load_tables):
        with pytest.raises(ArtifactError):
            loader(path)
    assert store.load_tables(other).config == CONFIG


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
                    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children,
                                                                                          max_size=4),
                    max_leaves=30)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(replacements=st.dictionaries(st.sampled_from(["format_version", "files", "config", "fingerprint",
                                                     "model_files", "feature_names", "popular_threshold", "models",
                                                     "versions", "split", "warnings", "created_at", "saved_at"]),
                                    JSON, min_size=1, max_size=4),
       whole=st.none() | JSON)
def test_a_fuzzed_manifest_only_ever_produces_the_stores_own_error(stored, replacements, whole):
    store, path = stored
    manifest = _manifest(path)
    (path / MANIFEST).write_text(json.dumps(whole if whole is not None else {**manifest, **replacements}))
    listed = store.list_suites()  # never raises
    damaged = store.damaged_suites()
    assert len(listed) + len(damaged) == 1
    for loader in (store.load_tables, store.load):
        try:
            loader(path)
        except ArtifactError as error:
            assert str(error).strip() and "\n" not in str(error)
    (path / MANIFEST).write_text(json.dumps(manifest))


@pytest.mark.slow  # a `python -m core` subprocess imports the model stack
def test_the_cli_answers_a_hash_mismatch_in_one_sentence(stored, tmp_path):
    store, path = stored
    victim = path / _sklearn_entries(path)[0]
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0x01
    victim.write_bytes(bytes(data))
    songs = tmp_path / "songs.csv"
    songs.write_text("acousticness,danceability,energy\n0.1,0.5,0.7\n")
    result = subprocess.run([sys.executable, "-m", "core", "score", str(songs), "--out", str(tmp_path / "out.csv"),
                             "--store", str(store.root)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [result.stderr.strip()], result.stderr
    assert "hash mismatch" in result.stderr and victim.name in result.stderr and "Traceback" not in result.stderr


@pytest.mark.slow  # a `python -m core` subprocess imports the model stack
def test_the_cli_answers_an_unwritable_output_in_one_sentence(stored, tmp_path):
    store, _ = stored
    songs = tmp_path / "songs.csv"
    songs.write_text("acousticness,danceability,energy\n0.1,0.5,0.7\n")
    result = subprocess.run([sys.executable, "-m", "core", "score", str(songs), "--out",
                             str(tmp_path / "no-such-folder" / "out.csv"), "--store", str(store.root)], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("error: cannot write"), result.stderr


def test_a_store_folder_that_cannot_be_read_lists_nothing_and_raises_nothing(tmp_path):
    root = tmp_path / "store"
    root.write_text("a file where the store folder belongs")
    assert ArtifactStore(root).list_suites() == [] and ArtifactStore(root).damaged_suites() == []
    assert ArtifactStore(tmp_path / "missing").list_suites() == []
