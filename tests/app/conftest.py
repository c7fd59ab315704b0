"""AppTest fixtures shared by the page tests."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest, app_test

PAGES = Path(__file__).resolve().parents[2] / "pages"


class _RouterPagesManager(PagesManager):
    """AppTest resets Streamlit's legacy `pages/` discovery flag before every run, so from the second run on it would
    run the page script alone instead of app.py's router (a real server does that only before its first visit).
    Keep discovery off, as on a server that has served the app once."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        PagesManager.uses_pages_directory = False


@pytest.fixture(autouse=True)
def router_runs_every_time(monkeypatch):
    monkeypatch.setattr(app_test, "PagesManager", _RouterPagesManager)


@pytest.fixture(scope="module")
def small_twin():
    """A 5,000-row twin: every page's logic, at a fraction of the full twin's cost."""
    from core import sources

    return sources.twin_dataset(n_rows=5_000)


def open_page_alone(page: str, dataset) -> AppTest:
    """Run one page script with `dataset` as the data the router would have picked (no sidebar, no navigation)."""
    at = AppTest.from_file(str(PAGES / page), default_timeout=60)
    at.session_state["dataset"] = dataset
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


@pytest.fixture
def in_process_jobs(monkeypatch):
    """Pages' training jobs run in this process, on tiny data (no Dask cluster to start): one manager per store."""
    from core import cache, jobs

    managers: dict[str, jobs.JobManager] = {}

    def manager() -> jobs.JobManager:
        root = str(cache.suite_store().root)
        if root not in managers:
            managers[root] = jobs.JobManager(Path(root), executor_factory=jobs.in_process_executor)
        return managers[root]

    monkeypatch.setattr(cache, "job_manager", manager)
    yield manager
    for made in managers.values():
        for record in made.jobs():
            if made.owns(record):
                made.cancel(record.fingerprint, record.suite_config)
                made.wait(record.fingerprint, record.suite_config, timeout=120)


def rerun_until(at: AppTest, done, timeout: float = 180.0) -> AppTest:
    """Rerun the script (as the page's polling fragment would) until `done(at)` holds."""
    import time

    deadline = time.monotonic() + timeout
    while not done(at):
        assert time.monotonic() < deadline, "the page never reached the expected state"
        time.sleep(0.3)
        at.run()
        assert not at.exception, [e.message for e in at.exception]
    return at
