"""The router: the app starts on the twin, lists only real pages in two sections, every page renders."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")


def test_app_starts_on_the_twin_without_exception():
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception
    dataset = at.session_state["dataset"]
    assert dataset.is_twin and len(dataset.frame) == 130_663
    assert any("twin of the report's dataset" in c.value for c in at.sidebar.caption)


@pytest.mark.parametrize("page", sorted(p.name for p in (ROOT / "pages").glob("*.py")))
def test_every_page_renders_without_exception(page):
    at = AppTest.from_file(APP, default_timeout=300).run()
    at.switch_page(f"pages/{page}").run()
    assert not at.exception, [e.message for e in at.exception]


def _autotrain_app(monkeypatch, tmp_path, small_twin, enabled: str):
    from core import cache

    monkeypatch.setenv("SPOTIFY_STORE", str(tmp_path / "store"))
    monkeypatch.setenv("SPOTIFY_AUTOTRAIN", enabled)
    monkeypatch.setattr(cache, "twin_dataset", lambda: small_twin)  # the router's default data, small
    return AppTest.from_file(APP, default_timeout=120).run()


def test_a_fresh_store_queues_the_default_suite_without_a_click(monkeypatch, tmp_path, small_twin, in_process_jobs):
    import time

    from core.models.config import SuiteConfig

    at = _autotrain_app(monkeypatch, tmp_path, small_twin, "1")
    assert not at.exception
    deadline = time.monotonic() + 60
    while (record := in_process_jobs().get(small_twin.fingerprint, SuiteConfig())) is None:
        assert time.monotonic() < deadline, "no job was queued"
        time.sleep(0.2)
    assert record.config_key == SuiteConfig().key() and record.data_label == "the twin (synthetic)"
    in_process_jobs().cancel(small_twin.fingerprint, SuiteConfig())


def test_autotrain_off_queues_nothing(monkeypatch, tmp_path, small_twin, in_process_jobs):
    from core import cache

    scheduled = []  # the background check is never even started, so there is nothing to wait for
    monkeypatch.setattr(cache, "_autotrain_once", lambda *args: scheduled.append(args))
    at = _autotrain_app(monkeypatch, tmp_path, small_twin, "0")
    assert not at.exception
    assert scheduled == [] and in_process_jobs().jobs() == []
