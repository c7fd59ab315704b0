"""Bring your own data in the browser: upload a CSV in the sidebar and see it on Overview; a bad file changes nothing."""
from __future__ import annotations

import pytest

from core.twin import generate_twin
from tests.e2e.conftest import SCREENSHOTS, assert_no_exception, wait_idle

pytestmark = pytest.mark.e2e


def test_upload_through_the_sidebar_shows_on_overview(app_url, page, tmp_path):
    songs = tmp_path / "my_playlist.csv"
    generate_twin(n_rows=321, seed=11).to_csv(songs, index=False, sep=";")
    broken = tmp_path / "broken.csv"
    broken.write_bytes(b"<html><body>not a csv</body></html>")

    page.goto(app_url)
    wait_idle(page)
    page.get_by_text("Upload a CSV").click()
    wait_idle(page)
    page.locator("[data-testid='stSidebar'] input[type='file']").set_input_files(str(songs))
    wait_idle(page)
    sidebar = page.locator("[data-testid='stSidebar']")
    sidebar.get_by_text("my_playlist.csv").first.wait_for()
    assert "321 rows" in sidebar.inner_text()
    page.get_by_text("321").first.wait_for()
    assert_no_exception(page)
    page.screenshot(path=str(SCREENSHOTS / "upload_overview.png"))

    page.locator("[data-testid='stSidebar'] input[type='file']").set_input_files(str(broken))
    wait_idle(page)
    sidebar.locator("[data-testid='stAlertContainer']").first.wait_for()
    assert "broken.csv" in sidebar.inner_text() and "was not loaded" in sidebar.inner_text()
    assert "321 rows" in sidebar.inner_text(), "the data already in use must stay in use"
    assert_no_exception(page)
    page.screenshot(path=str(SCREENSHOTS / "upload_rejected.png"))
