"""The store: native formats, round trips that predict identically, refusals, atomic replacement."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.models import suites as S
from core.models.config import SuiteConfig
from core.models.store import ArtifactError, ArtifactStore, default_store
from core.models.training import train_suite

CONFIG = SuiteConfig(max_rows=1_200)
CLASSICAL = ("Dummy (mean)", "Linear Regression", "XGBoost", "LOGISTIC REGRESSION", "RANDOM FOREST CLASSIFIER")
NETWORKS = ("ANN", "ANN CLASSIFIER")
VARIANTS = {"classical": CLASSICAL, "with networks": CLASSICAL + NETWORKS}


# Every test runs on both variants; the one with networks imports TensorFlow and fits Keras models, so it is `slow`.
@pytest.fixture(scope="module", params=["classical", pytest.param("with networks", marks=pytest.mark.slow)])
def suite(request, twin_small):
    """One model of every stored kind (sklearn, XGBoost and, in the slow variant, Keras) on a small sample."""
    return train_suite(twin_small, CONFIG, "artifacts-test", n_jobs=1,
                       specs=[S.SPECS_BY_NAME[n] for n in VARIANTS[request.param]])


@pytest.fixture
def stored(suite, tmp_path):
    store = ArtifactStore(tmp_path / "store")
    return store, store.save(suite)


def test_every_model_is_stored_in_its_native_format(stored):
    store, path = stored
    manifest = json.loads((path / "manifest.json").read_text())
    formats = {name: entry["format"] for name, entry in manifest["model_files"].items()}
    assert formats["XGBoost"] == "xgboost-json" and manifest["model_files"]["XGBoost"]["file"].endswith(".json")
    if "ANN" in manifest["model_files"]:
        assert formats["ANN"] == formats["ANN CLASSIFIER"] == "keras"
        assert all(manifest["model_files"][name]["inference_file"].endswith(".npz") for name in NETWORKS)
    assert formats["Linear Regression"] == formats["RANDOM FOREST CLASSIFIER"] == "skops"
    assert not list(path.rglob("*.joblib")) and not list(path.rglob("*.pkl"))  # no pickle anywhere in the suite
    assert set(manifest["files"]) == {p.relative_to(path).as_posix() for p in path.rglob("*")
                                      if p.is_file() and p.name != "manifest.json"}
    for key in ("versions", "config", "seeds", "popular_threshold", "split", "feature_names", "models", "created_at"):
        assert key in manifest, key
    assert {"scikit-learn", "xgboost", "numpy"} <= set(manifest["versions"])
    if "ANN" in manifest["model_files"]:  # the Keras versions are recorded when networks are stored
        assert {"keras", "tensorflow"} <= set(manifest["versions"])
    assert manifest["models"]["XGBoost"]["params"]["n_estimators"] == 100
    assert store.find(suite_fingerprint(manifest), CONFIG) == path


def suite_fingerprint(manifest):
    return manifest["fingerprint"]


def test_round_trip_predicts_identically(stored, suite, twin_small, engine_predictions):
    store, path = stored
    loaded = store.load(path)
    rows = twin_small.iloc[:100]
    loaded_popularity, loaded_hit = engine_predictions(loaded, rows)
    popularity, hit = engine_predictions(suite, rows)
    pd.testing.assert_frame_equal(loaded_popularity, popularity, check_exact=True)
    pd.testing.assert_frame_equal(loaded_hit, hit, check_exact=True)
    pd.testing.assert_frame_equal(loaded.regression_table, suite.regression_table)
    pd.testing.assert_frame_equal(loaded.classification_table, suite.classification_table)
    pd.testing.assert_frame_equal(loaded.test_predictions, suite.test_predictions)
    assert loaded.config == suite.config and loaded.feature_names == suite.feature_names
    assert loaded.popular_threshold == suite.popular_threshold
    assert set(loaded.regressors()) == set(suite.regressors())
    np.testing.assert_array_equal(loaded.scaler.mean_, suite.scaler.mean_)


@pytest.mark.parametrize("suite", ["with networks"], indirect=True)
@pytest.mark.slow
def test_a_suite_with_networks_loads_and_predicts_without_importing_tensorflow(stored, suite, engine_predictions):
    """The app scores stored networks with their numpy inference pass: no ~3 s TensorFlow import, same predictions."""
    import subprocess
    import sys

    from core.twin import generate_twin

    _, path = stored
    script = ("import json, sys\n"
              "from core.models.store import ArtifactStore\n"
              "from core.twin import generate_twin\n"
              "from core.whatif.scorer import Scorer\n"
              f"suite = ArtifactStore({str(path.parent.parent)!r}).load({str(path)!r})\n"
              "rows = generate_twin(n_rows=50, seed=1).iloc[:5]\n"
              "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules, 'TensorFlow was imported'\n"
              "scorer = Scorer(suite)\n"
              "x = scorer.matrix(rows)\n"
              "print(json.dumps([scorer.predict_popularity_one('ANN', x).tolist(),"
              " scorer.predict_proba_one('ANN CLASSIFIER', x).tolist()]))\n"
              "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules, 'TensorFlow was imported'\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr[-2000:]
    popularity, hit = json.loads(done.stdout.strip().splitlines()[-1])
    rows = generate_twin(n_rows=50, seed=1).iloc[:5]
    expected_popularity, expected_hit = engine_predictions(suite, rows)
    np.testing.assert_allclose(popularity, expected_popularity["ANN"], rtol=1e-5)
    np.testing.assert_allclose(hit, expected_hit["ANN CLASSIFIER"], rtol=1e-4, atol=1e-7)


def test_tables_load_fast_without_models(stored, suite):
    import time

    store, path = stored
    start = time.perf_counter()
    tables = store.load_tables(path)
    assert time.perf_counter() - start < 0.5
    pd.testing.assert_frame_equal(tables.classification_table, suite.classification_table)
    assert tables.config == CONFIG and tables.popular_threshold == suite.popular_threshold
    assert tables.manifest["path"] == path


@pytest.mark.parametrize("loader", ["load", "load_tables"])
def test_a_tampered_file_is_refused(stored, loader):
    store, path = stored
    victim = next(path.glob("models/*random_forest*.skops"))
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0x01
    victim.write_bytes(bytes(data))
    with pytest.raises(ArtifactError, match="hash mismatch") as caught:
        getattr(store, loader)(path)
    assert victim.name in str(caught.value)


def test_version_skew_is_refused(stored):
    store, path = stored
    manifest_path = path / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["versions"]["scikit-learn"] = "0.24.2"
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match="scikit-learn 0.24.2"):
        store.load(path)


def test_a_garbled_manifest_is_refused_and_skipped_by_the_listing(stored):
    store, path = stored
    (path / "manifest.json").write_text('{"format_version": 1, "fil')
    with pytest.raises(ArtifactError, match="manifest"):
        store.load_tables(path)
    assert store.list_suites() == []


def test_an_interrupted_save_leaves_the_previous_suite_intact(stored, suite, monkeypatch):
    store, path = stored
    before = {p: p.read_bytes() for p in path.rglob("*") if p.is_file()}
    import pandas

    def crash(*args, **kwargs):
        raise RuntimeError("power cut in the middle of the save")

    monkeypatch.setattr(pandas.DataFrame, "to_parquet", crash)
    with pytest.raises(RuntimeError, match="power cut"):
        store.save(suite)
    monkeypatch.undo()
    assert store.find(suite.fingerprint, CONFIG) == path
    assert {p: p.read_bytes() for p in path.rglob("*") if p.is_file()} == before
    assert [p.name for p in path.parent.iterdir()] == [path.name], "no half-written folder may remain"
    assert store.load(path).models


def test_replacing_a_suite_keeps_one_complete_version(stored, suite):
    store, path = stored
    newer = store.save(suite)
    assert newer != path and not path.exists()
    assert store.find(suite.fingerprint, CONFIG) == newer
    listed = store.list_suites()
    assert len(listed) == 1 and listed[0]["path"] == newer and listed[0]["fingerprint"] == suite.fingerprint


def test_a_full_disk_is_an_artifact_error_and_nothing_is_left(stored, suite, monkeypatch):
    import errno
    import os

    store, path = stored

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "rename", full)
    with pytest.raises(ArtifactError, match="no space left"):
        store.save(suite)
    monkeypatch.undo()
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_an_unwritable_store_is_a_clear_error(suite, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(ArtifactError, match="store folder"):
        ArtifactStore(blocker / "store").save(suite)


def test_default_store_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SPOTIFY_STORE", str(tmp_path / "elsewhere"))
    assert default_store() == tmp_path / "elsewhere"
    monkeypatch.delenv("SPOTIFY_STORE")
    assert default_store().name == ".store"


def test_the_store_says_which_stored_suite_is_newest(small_suite, tmp_path):
    store = ArtifactStore(tmp_path)
    first = store.save(small_suite)
    grouped = dataclasses.replace(small_suite, config=SuiteConfig(include_ann=False, grouped=True))
    second = store.save(grouped)
    fingerprint = small_suite.fingerprint
    assert store.latest_suite_path(fingerprint) == second and store.latest_suite_path() == second
    assert store.stored_configs(fingerprint) == [(grouped.config, second), (small_suite.config, first)]
    again = store.save(small_suite)                  # retraining the first settings makes them the newest
    assert store.stored_configs(fingerprint) == [(small_suite.config, again), (grouped.config, second)]
    assert store.latest_suite(fingerprint).config == small_suite.config
    assert store.latest_suite_path("0" * 16) is None and store.latest_suite("0" * 16) is None
    assert store.stored_configs("0" * 16) == []
