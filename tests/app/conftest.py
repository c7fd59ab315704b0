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



# ---- the stored suites the page tests read: trained once per run, never modified (a test that tampers copies) -------

@pytest.fixture(scope="session")
def twin():
    """The full twin, as the app's router picks it by default."""
    from core import sources

    return sources.twin_dataset()


@pytest.fixture(scope="session")
def small_store(twin, tmp_path_factory) -> Path:
    """A store holding a small suite for the full twin (3,000 rows, no networks; keyed on the twin's fingerprint, as
    the app looks it up): What-if and the hostile-input page runs read it."""
    from core.models import training
    from core.models.config import SuiteConfig
    from core.models.store import ArtifactStore

    store = tmp_path_factory.mktemp("store")
    suite = training.train_suite(twin.frame, SuiteConfig(include_ann=False, max_rows=3_000), twin.fingerprint, n_jobs=1)
    ArtifactStore(store).save(suite)
    return store


@pytest.fixture(scope="session")
def small_dataset():
    """A 3,000-row twin of its own (seed 11) for the Model comparison page."""
    from core import sources

    return sources.twin_dataset(n_rows=3_000, seed=11)


@pytest.fixture(scope="session")
def small_config():
    from core.models.config import SuiteConfig

    return SuiteConfig(include_ann=False)


@pytest.fixture(scope="session")
def trained_store(tmp_path_factory, small_dataset, small_config) -> Path:
    """The three report suites without the networks, on small_dataset: a few seconds, once."""
    from core.models.store import ArtifactStore
    from core.models.training import train_suite

    root = tmp_path_factory.mktemp("store")
    ArtifactStore(root).save(train_suite(small_dataset.frame, small_config, small_dataset.fingerprint, n_jobs=1))
    return root
