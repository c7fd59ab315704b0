"""Browser tests: `streamlit run app.py` on a free localhost port, driven by Playwright in Debian's Chromium."""
from __future__ import annotations

import contextlib
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.server import CHROMIUM, ROOT, AppServer, chromium_args

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"


@pytest.fixture(scope="session")
def trained_store(tmp_path_factory) -> Path:
    """A store holding the default suite for the full twin, trained once per session by the real CLI."""
    store = tmp_path_factory.mktemp("store")
    subprocess.run([sys.executable, "-m", "core", "train", "--store", str(store)], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL, timeout=900)
    return store


@contextlib.contextmanager
def streamlit_server(store: Path):
    """A fresh `streamlit run app.py` on a free localhost port (benchmarks.server), stopped on exit; yields its URL."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    server = AppServer(store=store, health_timeout_s=60)
    try:
        server.start()
    except RuntimeError as error:
        pytest.fail(str(error))
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def app_url(trained_store) -> str:
    with streamlit_server(trained_store) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=chromium_args())
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    SCREENSHOTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()


def wait_idle(page, timeout_ms: int = 60_000) -> None:
    """Wait until Streamlit has finished the current run (no 'running' status widget, app container present)."""
    page.wait_for_selector("[data-testid='stApp']", timeout=timeout_ms)
    page.wait_for_function(
        """() => {
            const app = document.querySelector("[data-testid='stApp']");
            return app && app.getAttribute('data-test-script-state') !== 'running'
                && !document.querySelector("[data-testid='stStatusWidget'] [data-testid='stStatusWidgetRunningIcon']");
        }""",
        timeout=timeout_ms,
    )
    page.wait_for_timeout(300)


def assert_no_exception(page) -> None:
    assert page.locator("[data-testid='stException']").count() == 0, "the page shows a Python exception"
