"""AppTest fixtures shared by the page tests."""
from __future__ import annotations

import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import app_test


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
