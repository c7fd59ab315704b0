"""Overview and Distributions & correlations in Chromium: both render on the twin (Distributions with its Plotly
charts visible), the feature selector redraws, and screenshots are saved for a person to look at."""
from __future__ import annotations

import pytest

from tests.e2e.conftest import SCREENSHOTS, assert_no_exception, wait_idle

pytestmark = pytest.mark.e2e
PLOT = ".js-plotly-plot"
TALL = {"width": 1400, "height": 2400}  # Streamlit scrolls inside its own container: a tall window shows the page


def visible_plots(page, expected: int) -> int:
    """How many Plotly charts are visible, once the `expected`-th has been drawn (Plotly's code loads lazily on the
    first chart of a session, so the count would race it)."""
    plots = page.locator(PLOT)
    plots.nth(expected - 1).wait_for(state="visible")
    return sum(plots.nth(i).is_visible() for i in range(plots.count()))


def test_overview_shows_the_source_alerts_and_tables(app_url, page):
    page.goto(app_url)                                     # Overview is the default page, served at "/"
    wait_idle(page)
    page.get_by_text("Data-quality alerts", exact=True).wait_for()
    page.get_by_text("Twin of the report's dataset (synthetic)").first.wait_for()
    page.get_by_text("Every column at a glance", exact=True).wait_for()
    tables = page.locator("[data-testid='stDataFrame']")
    tables.nth(1).wait_for(state="visible")                                       # the glance table, then the head
    assert_no_exception(page)
    assert tables.count() == 2 and tables.first.is_visible()
    assert page.get_by_text("A re-listed song can land in both").count() == 1       # the alert, with its meaning
    page.set_viewport_size(TALL)
    page.screenshot(path=str(SCREENSHOTS / "eda_overview.png"), full_page=True)


def open_section(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()
    wait_idle(page)


def test_distributions_draws_every_section_and_follows_the_feature_selector(app_url, page):
    page.goto(app_url)
    wait_idle(page)
    page.get_by_role("link", name="Distributions & correlations").click()
    page.wait_for_url("**/distributions")
    wait_idle(page)
    page.get_by_text("Popularity at every 1 %").first.wait_for()
    assert_no_exception(page)
    assert visible_plots(page, 2) == 2                    # only the open section is drawn
    page.set_viewport_size(TALL)
    page.screenshot(path=str(SCREENSHOTS / "eda_distributions_popularity.png"), full_page=True)

    open_section(page, "Correlations")
    page.get_by_text("Correlation of each feature with popularity").first.wait_for()
    assert_no_exception(page)
    assert visible_plots(page, 2) == 2
    page.screenshot(path=str(SCREENSHOTS / "eda_distributions_correlations.png"), full_page=True)

    open_section(page, "A feature against popularity")
    page.get_by_text("Loudness shows the highest correlation with Popularity").first.wait_for()
    assert visible_plots(page, 4) == 4
    feature = page.locator("[data-testid='stSelectbox']").filter(has=page.get_by_text("Feature", exact=True))
    combobox = feature.get_by_role("combobox")
    combobox.click()
    combobox.fill("Instrumentalness")                      # the list filters as one types
    page.get_by_role("option", name="Instrumentalness", exact=True).click()
    wait_idle(page)
    page.get_by_text("Instrumentalness has the second-highest correlation with Popularity").wait_for()
    page.get_by_text("Instrumentalness: distribution").first.wait_for()
    assert_no_exception(page)
    page.wait_for_timeout(500)
    page.screenshot(path=str(SCREENSHOTS / "eda_distributions.png"), full_page=True)
