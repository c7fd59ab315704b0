"""Shared fixtures: the twin at two sizes and the team's shared sample files."""
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
