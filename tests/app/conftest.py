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

