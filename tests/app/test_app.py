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
