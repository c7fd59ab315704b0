"""Model comparison in Chromium: the stored suite loads fast, both classification tables and the curves show."""
from __future__ import annotations

import statistics
import time

import pytest

from tests.e2e.conftest import SCREENSHOTS, assert_no_exception, wait_idle

pytestmark = pytest.mark.e2e
TABLE_BUDGET_S = 2.0
METRICS_TABLE = ".st-key-cmp_reg_table"  # the regression metrics table (st.dataframe key -> CSS class)


def _seconds_until_table(page, navigate) -> float:
    started = time.monotonic()
    navigate()
    page.locator(METRICS_TABLE).wait_for(state="visible")
    return time.monotonic() - started


def test_models_page_loads_the_stored_suite_within_budget(app_url, page):
    page.goto(app_url)  # a visitor arrives on the Overview: the router and the twin are ready
    wait_idle(page)

    # What a person does: click the page in the sidebar. The first visit loads the stored tables into the cache, and
    # it also pays the app's one-off cost of the session's first page switch (the same ~1 s on any page).
    first_visit = _seconds_until_table(
        page, lambda: page.locator("[data-testid='stSidebarNav'] a", has_text="Model comparison").click())
    wait_idle(page)
    # Opening the page's URL: a whole new page load (frontend, websocket, app.py, this page) up to the table; the
    # median of 3, as one page load on a shared 2-core machine is a noisy sample (0.7-2.1 s seen for the same code).
    openings = []
    for _ in range(3):
        openings.append(_seconds_until_table(page, lambda: page.goto(f"{app_url}/models")))
        wait_idle(page)
    opened = statistics.median(openings)
    print(f"\nmodels page, navigation -> metrics table visible: {opened:.2f} s opening /models (median of "
          f"{', '.join(f'{s:.2f}' for s in openings)}), "
          f"{first_visit:.2f} s for the session's first click to it from the sidebar")
    wait_idle(page)
    assert_no_exception(page)
    assert page.get_by_text("Published in the report").first.is_visible()
    page.set_viewport_size({"width": 1400, "height": 3400})  # Streamlit scrolls inside its own container
    page.screenshot(path=str(SCREENSHOTS / "models_regression.png"), full_page=True)

    page.get_by_role("tab", name="Classification").click()
    wait_idle(page)
    page.get_by_text("The report's metrics").first.wait_for(state="visible")
    page.get_by_text("Metrics that see the popular songs").first.wait_for(state="visible")
    page.get_by_text("majority baseline already scores").first.wait_for(state="visible")
    page.locator(".st-key-cmp_cls_report").wait_for(state="visible")  # both tables; the second draws a moment later
    page.locator(".st-key-cmp_cls_honest").wait_for(state="visible")
    page.locator(".st-key-cmp_roc .js-plotly-plot").wait_for(state="visible")
    page.locator(".st-key-cmp_pr .js-plotly-plot").wait_for(state="visible")
    assert "tab=classification" in page.evaluate("window.location.href")  # page.url misses replaceState
    assert_no_exception(page)
    page.screenshot(path=str(SCREENSHOTS / "models_classification.png"), full_page=True)

    assert opened <= TABLE_BUDGET_S, f"metrics table took {opened:.2f} s after navigation (budget {TABLE_BUDGET_S} s)"


def test_shared_link_opens_the_classification_view_at_its_threshold(app_url, page):
    page.goto(app_url)
    wait_idle(page)
    page.goto(f"{app_url}/models?tab=classification&threshold=0.1&model=not-a-model")
    wait_idle(page)
    page.get_by_text("Threshold explorer").first.wait_for(state="visible")
    page.get_by_text("Confusion matrix at 0.100").first.wait_for(state="visible")
    assert "model=not-a-model" not in page.evaluate("window.location.href")  # replaced by a real model
    assert_no_exception(page)
