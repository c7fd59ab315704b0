"""Shared fixtures: the twin at two sizes, the team's shared sample files, training jobs run in this process."""
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


@pytest.fixture
def in_process_jobs(monkeypatch):
    """Pages' training jobs run in this process, on tiny data (no Dask cluster to start): one manager per store."""
    from core import cache, jobs

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
