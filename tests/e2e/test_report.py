"""The report in Chromium: the file opened from disk with the network off draws every chart without a console error,
prints to a PDF of the expected length (charts as images), and the app's sidebar button downloads the same report."""
from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from core.report import build as report
from tests.e2e.conftest import ROOT, SCREENSHOTS, streamlit_server, wait_idle

pytestmark = pytest.mark.e2e

PDF_PAGES = (8, 30)  # 12 A4 pages for the twin and a classical suite; the bounds catch a blank or a runaway print
VIEWPORT = {"width": 1300, "height": 900}


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("report-store")


@pytest.fixture(scope="module")
def report_file(store, tmp_path_factory) -> Path:
    """`python -m core report --train …`: a small classical suite for the full twin, then its report."""
    out = tmp_path_factory.mktemp("report") / "report.html"
    subprocess.run([sys.executable, "-m", "core", "report", "--train", "--max-rows", "5000", "--no-ann",
                    "--store", str(store), "--out", str(out)], cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
                   timeout=600)
    return out


def headings(document: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r"<h2>([^<]*)</h2>", document) if h != "Contents"]


def test_the_report_opens_offline_draws_every_chart_and_prints(browser, report_file, tmp_path):
    SCREENSHOTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport=VIEWPORT, offline=True)
    requests: list[str] = []
    context.route(re.compile(r"^(https?|wss?|ftp)://"),
                  lambda route: (requests.append(route.request.url), route.abort()))
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(report_file.as_uri())
        page.wait_for_function("document.body.dataset.charts", timeout=60_000)
        assert page.evaluate("document.body.dataset.charts") == "ready", errors
        expected = len(json.loads(page.evaluate("document.getElementById('report-figures').textContent"))["figures"])
        assert expected >= 12
        assert page.locator("figure.chart").count() == expected
        assert page.locator("figure.chart .js-plotly-plot .main-svg").count() >= expected  # each one drawn
        images = "[...document.querySelectorAll('.chart-print')].filter(i => i.complete && i.naturalWidth > 0)"
        assert page.evaluate(f"{images}.length") == expected  # and its print image made
        assert errors == [] and requests == []
        page.screenshot(path=str(SCREENSHOTS / "report_screen.png"))

        page.emulate_media(media="print")  # in print the charts are the static images
        assert page.locator(".chart-print").first.is_visible() and not page.locator(".chart-plot").first.is_visible()
        pdf = page.pdf(format="A4", print_background=True)
    finally:
        context.close()
    pages = len(re.findall(rb"/Type\s*/Page\b", pdf))
    assert PDF_PAGES[0] <= pages <= PDF_PAGES[1], pages
    printed = SCREENSHOTS / "report.pdf"
    printed.write_bytes(pdf)
    if shutil.which("pdftoppm"):  # poppler-utils: PNGs of the first pages, to look at
        subprocess.run(["pdftoppm", "-r", "70", "-png", "-f", "1", "-l", "3", str(printed),
                        str(SCREENSHOTS / "report_page")], check=True, timeout=120)
        assert len(list(SCREENSHOTS.glob("report_page-*.png"))) >= 3


def test_the_sidebar_button_downloads_the_report(browser, store, report_file, tmp_path):
    """The app's button makes the same report (same data, same suite) when clicked."""
    with streamlit_server(store) as url:
        context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(60_000)
        try:
            page.goto(url)
            wait_idle(page)
            button = page.locator("[data-testid='stSidebar']").get_by_role(
                "button", name="Download the report (HTML)", exact=True)
            button.wait_for(state="visible")  # the sidebar may still be drawing after the page first goes idle
            assert button.count() == 1
            page.locator("[data-testid='stSidebar']").screenshot(path=str(SCREENSHOTS / "report_button.png"))
            with page.expect_download(timeout=120_000) as download:
                button.click()
            saved = tmp_path / "downloaded.html"
            download.value.save_as(saved)
            name = download.value.suggested_filename
        finally:
            context.close()
    document = saved.read_text(encoding="utf-8")
    from_cli = report_file.read_text(encoding="utf-8")
    assert headings(document) == headings(from_cli) == [f"{n}. {h}" for n, (_, h) in
                                                        enumerate(report.SECTIONS, start=1)]
    figures = re.compile(r"data-figure='([^']+)'>([^<]*)<")
    assert figures.findall(document) == figures.findall(from_cli)
    fingerprint = re.search(r"fingerprint <code>([0-9a-f]+)</code>", document).group(1)
    assert name == f"spotify-popularity-report-{fingerprint}.html"
