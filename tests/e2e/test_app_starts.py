"""The app starts on the twin in Chromium: Overview shows the row count, the sidebar shows only our sections."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import SCREENSHOTS, assert_no_exception, wait_idle

pytestmark = pytest.mark.e2e
PAGES = sorted(p.stem for p in (Path(__file__).resolve().parents[2] / "pages").glob("*.py"))


def test_overview_renders_the_twin_and_navigation_has_only_our_pages(app_url, page):
    page.goto(app_url)
    wait_idle(page)
    page.get_by_text("130,663").first.wait_for()
    assert_no_exception(page)
    nav = page.locator("[data-testid='stSidebarNav']")
    links = nav.locator("a")
    assert links.count() == len(PAGES)
    headers = nav.inner_text()
    assert "Data" in headers and "Models" in headers
    page.screenshot(path=str(SCREENSHOTS / "app_start_overview.png"), full_page=True)


def test_deep_link_on_a_fresh_server_goes_through_the_router(page, tmp_path):
    """Opening /distributions before anyone loaded the home page still shows our sections and the data picker."""
    from tests.e2e.conftest import streamlit_server

    with streamlit_server(tmp_path) as url:
        page.goto(f"{url}/distributions")
        wait_idle(page)
        page.get_by_role("heading", name="Distributions & correlations").first.wait_for()
        # The legacy run draws the page's title too, then reruns through app.py: wait for the router's sections.
        page.locator("[data-testid='stSidebarNav']").get_by_text("Models", exact=True).wait_for(timeout=30_000)
        wait_idle(page)
        nav = page.locator("[data-testid='stSidebarNav']").inner_text()
        assert "Models" in nav and "app" not in nav.lower().split()
        assert page.get_by_text("Twin of the report's dataset (synthetic)").count() >= 1
        assert_no_exception(page)
