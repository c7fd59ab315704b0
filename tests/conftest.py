"""Shared fixtures: the twin at two sizes, the team's shared sample files, one small trained suite, every model's own
predictions, training jobs run in this process."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session", autouse=True)
def twin_cache_of_this_run(tmp_path_factory):
    """The app's twin cache in a folder of this run (servers started by tests inherit it), not the user's."""
    os.environ["SPOTIFY_CACHE"] = str(tmp_path_factory.mktemp("twin-cache"))
    # no server or page started by a test queues the default suite by itself; the tests that want it say so
    os.environ["SPOTIFY_AUTOTRAIN"] = "0"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not beside this checkout (a fresh user clone); CI has it")
    return SHARED_DATA


@pytest.fixture(scope="session")
def twin_small():
    from core.twin import generate_twin

    return generate_twin(n_rows=5_000, seed=7)


@pytest.fixture(scope="session")
def twin_full():
    from core.twin import generate_twin

    return generate_twin()


@pytest.fixture(scope="session")
def small_suite(twin_small):
    """Every classical model of the report's three suites (no networks), trained once per run on the 5,000-row twin by
    the real engine. Shared by every test that needs a trained suite and not a special one: nobody may modify it."""
    from core.models.config import SuiteConfig
    from core.models.training import train_suite

    return train_suite(twin_small, SuiteConfig(include_ann=False), "small-suite", n_jobs=1)


@pytest.fixture(scope="session")
def engine_predictions():
    """`predict(suite, rows) -> (popularity, P(popular))`: every model of a suite on raw feature rows through its own
    predict / predict_proba (its kind's adapter, as training scores the test split), what the fast paths must equal."""
    import pandas as pd

    from core.models import kinds

    def predict(suite, rows):
        x = suite.scaled(rows)
        index = rows.index if isinstance(rows, pd.DataFrame) else None
        popularity = pd.DataFrame({name: kinds.adapter(suite.specs[name].kind).predict(model, x)
                                   for name, model in suite.regressors().items()}, index=index)
        hit = pd.DataFrame({name: kinds.adapter(suite.specs[name].kind).predict_proba(model, x, suite.classes)[:, -1]
                            for name, model in suite.classifiers().items()}, index=index)
        return popularity, hit

    return predict


@pytest.fixture
def in_process_jobs(monkeypatch):
    """Pages' training jobs run in this process, on tiny data (no Dask cluster to start): one manager per store."""
    from core import cache
    from core.models import jobs

    managers: dict[str, jobs.JobManager] = {}

    def manager() -> jobs.JobManager:
        root = str(cache.suite_store().root)
        if root not in managers:
            managers[root] = jobs.JobManager(Path(root), executor_factory=jobs.in_process_executor)
        return managers[root]

    monkeypatch.setattr(cache, "job_manager", manager)
    yield manager
    for made in managers.values():
        for record in made.jobs():
            if made.owns(record):
                made.cancel(record.fingerprint, record.suite_config)
                made.wait(record.fingerprint, record.suite_config, timeout=120)


def rerun_until(at, done, timeout: float = 180.0):
    """Rerun the script (as the page's polling fragment would) until `done(at)` holds."""
    import time

    deadline = time.monotonic() + timeout
    while not done(at):
        assert time.monotonic() < deadline, "the page never reached the expected state"
        time.sleep(0.3)
        at.run()
        assert not at.exception, [e.message for e in at.exception]
    return at
