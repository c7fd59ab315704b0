"""Things go wrong on a shared machine: training is killed, files are damaged, the disk fills up or refuses writes.

Each case checks the promise the app makes: what was stored before still loads, damage is refused with a sentence that
names the file (never unpickled, never a traceback), and the app keeps working with what it has.
"""
from __future__ import annotations

import errno
import os
import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.models.config import SuiteConfig
from core.models.store import ArtifactError, ArtifactStore

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
SMALL = ["--max-rows", "3000", "--no-ann"]
SMALL_CONFIG = SuiteConfig(include_ann=False, max_rows=3000)

pytestmark = pytest.mark.slow


def _train_cli(store: Path, *extra: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "core", "train", "--store", str(store), *SMALL, *extra], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def twin():
    from core import sources

    return sources.twin_dataset()


@pytest.fixture(scope="module")
def small_suite(twin):
    from core.models import training

    return training.train_suite(twin.frame, SMALL_CONFIG, twin.fingerprint, n_jobs=1)


@pytest.fixture
def store_with_suite(small_suite, tmp_path) -> tuple[ArtifactStore, Path]:
    store = ArtifactStore(tmp_path / "store")
    return store, store.save(small_suite)


def _files(folder: Path) -> list[Path]:
    """The stored suites' files (the job records under .jobs/ change as jobs run: they are not a suite)."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and ".jobs" not in p.relative_to(folder).parts)


def _model_files(folder: Path) -> list[Path]:
    """The stored files that hold fitted models and the scaler (the ones a tamperer would swap for code)."""
    return [p for p in _files(folder) if p.parent.name == "models" or p.suffix == ".skops"]


def _sklearn_files(folder: Path) -> list[Path]:
    return [p for p in _files(folder) if p.suffix == ".skops"]


def _table_files(folder: Path) -> list[Path]:
    return [p for p in _files(folder) if p.parent.name == "tables" and p.suffix == ".parquet"]


def _suite_folders(root: Path) -> list[Path]:
    return sorted(p.parent for p in root.rglob("manifest.json"))


# ---- kill -9 in the middle of training -------------------------------------------------------------------------------

def test_killing_training_mid_run_keeps_the_previous_suite_and_the_next_run_completes(tmp_path, twin):
    store_root = tmp_path / "store"
    first = _train_cli(store_root)
    assert first.returncode == 0, first.stderr[-2000:]
    store = ArtifactStore(store_root)
    path = store.find(twin.fingerprint, SMALL_CONFIG)
    assert path is not None
    before = {p.relative_to(store_root): p.read_bytes() for p in _files(store_root)}

    # Retrain the same settings (it would replace the suite) and kill it without warning once models are fitting.
    process = subprocess.Popen([sys.executable, "-u", "-m", "core", "train", "--store", str(store_root), *SMALL],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 300
        seen = []
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            seen.append(line)
            if len(seen) >= 3:  # a few progress lines in: the run is fitting models, nothing saved yet
                break
        assert process.poll() is None, "the run ended before it could be killed:\n" + "".join(seen)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL

    # The stored suite is byte for byte what it was, and loads.
    after = {p.relative_to(store_root): p.read_bytes() for p in _files(store_root) if
             p.relative_to(store_root) in before}
    assert after == before
    assert store.find(twin.fingerprint, SMALL_CONFIG) == path
    suite = store.load(path)
    assert suite.fingerprint == twin.fingerprint and suite.models
    assert len(store.list_suites()) == 1

    second = _train_cli(store_root)
    assert second.returncode == 0, second.stderr[-2000:]
    assert len(store.list_suites()) == 1
    assert store.load(store.find(twin.fingerprint, SMALL_CONFIG)).models


def test_a_save_that_dies_halfway_leaves_the_previous_suite_loadable(store_with_suite, small_suite, monkeypatch):
    """kill -9 during the save itself, made deterministic: the process 'dies' after writing some files."""
    store, path = store_with_suite
    writes = {"count": 0}
    real_open = open

    class Killed(BaseException):  # not an Exception: nothing in the store may catch it and tidy up, like SIGKILL
        pass

    def dying_open(file, mode="r", *args, **kwargs):
        if any(flag in mode for flag in "wax"):
            writes["count"] += 1
            if writes["count"] == 3:
                raise Killed
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr("builtins.open", dying_open)
    with pytest.raises(Killed):
        store.save(small_suite)
    monkeypatch.undo()

    assert store.find(small_suite.fingerprint, SMALL_CONFIG) == path
    assert store.load(path).models
    assert [m.get("fingerprint") for m in store.list_suites()] == [small_suite.fingerprint]
    again = store.save(small_suite)  # leftovers of the dead save do not block the next one
    assert store.load(again).models


def test_the_leftovers_of_a_save_killed_mid_write_are_ignored(store_with_suite, small_suite):
    """What kill -9 during a save leaves behind: a hidden temporary folder with some files and no manifest, or a
    complete-looking folder whose manifest was never written."""
    store, path = store_with_suite
    fingerprint_dir = path.parent
    dead_tmp = fingerprint_dir / f".tmp-{small_suite.config.key()}-deadbeef"
    (dead_tmp / "models").mkdir(parents=True)
    (dead_tmp / "models" / "00_half.skops").write_bytes(b"\x80\x04half")
    no_manifest = fingerprint_dir / f"{small_suite.config.key()}-99991231T235959000000Z"
    (no_manifest / "models").mkdir(parents=True)
    (no_manifest / "scaler.skops").write_bytes(b"\x80\x04half")

    assert store.find(small_suite.fingerprint, SMALL_CONFIG) == path
    assert [m["path"] for m in store.list_suites()] == [path]
    assert store.load(path).models
    newer = store.save(small_suite)
    assert store.find(small_suite.fingerprint, SMALL_CONFIG) == newer
    assert store.load(newer).models


# ---- damaged files ---------------------------------------------------------------------------------------------------

def _assert_refused(store: ArtifactStore, path: Path, damaged: Path, loader: str = "load") -> ArtifactError:
    with pytest.raises(ArtifactError) as caught:
        getattr(store, loader)(path)
    message = str(caught.value)
    assert damaged.name in message, f"the message should name the damaged file: {message}"
    assert "Traceback" not in message and len(message) < 600
    return caught.value


def test_a_truncated_model_file_is_refused_by_name(store_with_suite):
    store, path = store_with_suite
    victim = max(_model_files(path), key=lambda p: p.stat().st_size)
    victim.write_bytes(victim.read_bytes()[: victim.stat().st_size // 2])
    _assert_refused(store, path, victim)


def test_a_single_flipped_byte_is_refused(store_with_suite):
    store, path = store_with_suite
    victim = _model_files(path)[0]
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0xFF
    victim.write_bytes(bytes(data))
    _assert_refused(store, path, victim)


def test_a_model_file_swapped_for_code_is_refused_before_it_is_unpickled(store_with_suite, tmp_path):
    store, path = store_with_suite
    marker = tmp_path / "pwned"

    class Detonator:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    victims = _sklearn_files(path)
    assert victims, "the suite should hold skops files (scikit-learn models, the scaler)"
    for victim in victims:
        victim.write_bytes(pickle.dumps(Detonator()))
    with pytest.raises(ArtifactError):
        store.load(path)
    assert not marker.exists(), "a tampered model file was unpickled before its hash was checked"


def test_a_missing_model_file_is_refused(store_with_suite):
    store, path = store_with_suite
    victim = _model_files(path)[0]
    victim.unlink()
    _assert_refused(store, path, victim)


def test_a_damaged_table_fails_the_fast_load_too(store_with_suite):
    store, path = store_with_suite
    victim = _table_files(path)[0]
    victim.write_bytes(victim.read_bytes()[:-7])
    _assert_refused(store, path, victim, loader="load_tables")


def test_a_garbled_manifest_is_a_clear_error(store_with_suite):
    store, path = store_with_suite
    manifest = path / "manifest.json"
    manifest.write_text(manifest.read_text()[:40])
    with pytest.raises(ArtifactError) as caught:
        store.load(path)
    assert "manifest" in str(caught.value)
    assert store.list_suites() == [] or all(isinstance(m, dict) for m in store.list_suites())


def test_the_comparison_page_says_failed_verification_and_offers_retraining(store_with_suite, monkeypatch):
    from streamlit.testing.v1 import AppTest

    store, path = store_with_suite
    victim = _table_files(path)[0]
    victim.write_bytes(victim.read_bytes()[:-7])
    monkeypatch.setenv("SPOTIFY_STORE", str(store.root))
    _clear_caches()
    at = AppTest.from_file(APP, default_timeout=300).run()
    at.switch_page("pages/models.py").run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("failed verification" in e.value for e in at.error), [e.value for e in at.error]
    assert any("Retrain" in b.label for b in at.button), [b.label for b in at.button]


def test_the_what_if_page_explains_a_damaged_suite(store_with_suite, monkeypatch):
    from streamlit.testing.v1 import AppTest

    store, path = store_with_suite
    victim = max(_model_files(path), key=lambda p: p.stat().st_size)
    victim.write_bytes(victim.read_bytes()[:100])
    monkeypatch.setenv("SPOTIFY_STORE", str(store.root))
    _clear_caches()
    at = AppTest.from_file(APP, default_timeout=300).run()
    at.switch_page("pages/what_if.py").run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.error, "a damaged suite must be explained on the page"
    assert not at.slider


def _clear_caches() -> None:
    """Stored suites are cached per process; each test points SPOTIFY_STORE at another store."""
    import streamlit as st

    st.cache_resource.clear()
    st.cache_data.clear()


# ---- a store that cannot be written ----------------------------------------------------------------------------------

def test_a_store_under_a_file_is_a_clear_message_from_the_cli(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the store's parent folder should be")
    result = _train_cli(blocker / "store")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    assert str(blocker) in result.stderr + result.stdout


def test_a_store_under_a_file_is_an_artifact_error(small_suite, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises((ArtifactError, OSError)) as caught:
        ArtifactStore(blocker / "store").save(small_suite)
    assert isinstance(caught.value, ArtifactError), f"a bare {type(caught.value).__name__}: {caught.value}"
    assert "store" in str(caught.value).lower()


def _no_space(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("failing", ["rename", "write"])
def test_a_full_disk_keeps_the_previous_suite_and_says_so(store_with_suite, small_suite, monkeypatch, failing):
    store, path = store_with_suite
    before = {p: p.read_bytes() for p in _files(path)}
    if failing == "rename":  # the last step: moving the finished folder into place
        monkeypatch.setattr(os, "rename", _no_space)
        monkeypatch.setattr(os, "replace", _no_space)
    else:  # the disk fills while model files are written
        real_open = open

        def open_full(file, mode="r", *args, **kwargs):
            if any(flag in mode for flag in "wax"):
                _no_space()
            return real_open(file, mode, *args, **kwargs)

        monkeypatch.setattr("builtins.open", open_full)
    with pytest.raises(Exception) as caught:
        store.save(small_suite)
    monkeypatch.undo()
    assert isinstance(caught.value, ArtifactError), f"ENOSPC escaped as {type(caught.value).__name__}: {caught.value}"
    assert "no space left" in str(caught.value)
    assert {p: p.read_bytes() for p in _files(path)} == before
    assert store.load(path).models
    assert _suite_folders(path.parent) == [path], "a half-written suite was left where the store looks"
    assert not list(path.parent.glob(".tmp-*")), "the failed save left its temporary folder behind"


def test_the_comparison_page_keeps_its_suite_when_a_new_one_cannot_be_saved(store_with_suite, twin, monkeypatch,
                                                                          in_process_jobs):
    """Disk full while the page trains new settings: a sentence says so, the stored suite stays on screen."""
    from streamlit.testing.v1 import AppTest

    store, path = store_with_suite
    monkeypatch.setenv("SPOTIFY_STORE", str(store.root))
    _clear_caches()
    # The page on its own, with the data the router would have picked: under app.py's st.navigation, AppTest
    # (Streamlit 1.67) drops widget clicks on reruns after switch_page.
    at = AppTest.from_file(str(ROOT / "pages" / "models.py"), default_timeout=600)
    at.session_state["dataset"] = twin
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    tables_before = len(at.dataframe)
    assert tables_before, "the stored suite's tables should be on the page"

    with monkeypatch.context() as disk_full:
        disk_full.setattr(os, "rename", _no_space)  # the save's last step: the disk is full
        at.selectbox(key="cmp_rows").set_value(5_000)
        at.toggle(key="cmp_ann").set_value(False)
        at.multiselect(key="cmp_suites").set_value(["regression"])
        at.button(key="cmp_train").click().run()
        config = in_process_jobs().jobs(twin.fingerprint)[0].suite_config
        assert in_process_jobs().wait(twin.fingerprint, config, timeout=300).status == "failed"
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    errors = " ".join(e.value for e in at.error)
    assert "no space left" in errors, errors
    assert len(at.dataframe) == tables_before, "the suite already stored must stay on the page"
    assert [m["path"] for m in store.list_suites()] == [path]
