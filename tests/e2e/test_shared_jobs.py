"""A training job shared between two people, on a real Dask cluster: a `dask scheduler` and two `dask worker`
processes on 127.0.0.1 (started by .ci/run, or here when it did not), the app pointed at them."""
from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time

import pytest

from benchmarks.server import free_port
from tests.e2e.conftest import ROOT, SCREENSHOTS, assert_no_exception, streamlit_server, wait_idle

pytestmark = pytest.mark.e2e
CI_SCHEDULER = "SPOTIFY_TEST_DASK_SCHEDULER"  # .ci/run's cluster, when it started one


@contextlib.contextmanager
def dask_cluster():
    """A scheduler and two single-threaded workers as the `dask` CLI starts them (cwd = the repo, so workers import
    `core` as a remote cluster's workers would from their own checkout)."""
    if os.environ.get(CI_SCHEDULER):
        yield os.environ[CI_SCHEDULER]
        return
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    processes = [subprocess.Popen([sys.executable, "-m", "dask", "scheduler", "--host", "127.0.0.1", "--port",
                                   str(port), "--no-dashboard"], cwd=ROOT, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)]
    try:
        time.sleep(2)
        processes += [subprocess.Popen([sys.executable, "-m", "dask", "worker", address, "--nthreads", "1",
                                        "--no-dashboard", "--host", "127.0.0.1"], cwd=ROOT,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(2)]
        from distributed import Client

        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=10)


@pytest.fixture(scope="module")
def shared_app(tmp_path_factory):
    store = tmp_path_factory.mktemp("shared-store")
    with dask_cluster() as address:
        os.environ["SPOTIFY_DASK_SCHEDULER"] = address
        try:
            with streamlit_server(store) as url:
                yield url, address, store
        finally:
            os.environ.pop("SPOTIFY_DASK_SCHEDULER", None)


def _job_panel(page):
    return page.locator("[class*='st-key-cmp_job_'], [class*='st-key-wi_job_']").first


def test_one_job_two_people_a_reload_and_the_suite_on_what_if_in_both(shared_app, browser):
    url, address, store = shared_app
    first = browser.new_context(viewport={"width": 1400, "height": 1100}).new_page()
    second = browser.new_context(viewport={"width": 1400, "height": 1100}).new_page()
    for page in (first, second):
        page.set_default_timeout(120_000)

    first.goto(f"{url}/models")
    wait_idle(first)
    first.get_by_text("No suite is trained on this data yet").wait_for()
    first.get_by_text("Neural networks").click()  # the networks off and a 5,000-row sample: a quick job
    wait_idle(first)
    first.locator("[data-testid='stSelectbox']", has_text="Rows to train on").click()
    first.get_by_role("option", name="a 5,000-row sample (quick run)").click()
    wait_idle(first)
    first.get_by_role("button", name="Train with these settings").click()
    _job_panel(first).wait_for(state="visible")
    assert address in _job_panel(first).inner_text()

    second.goto(f"{url}/models")  # another person, another browser: the same job, live
    _job_panel(second).wait_for(state="visible", timeout=30_000)
    text = _job_panel(second).inner_text()
    assert "5,000-row sample" in text and "no ANNs" in text
    second.screenshot(path=str(SCREENSHOTS / "shared_job_second_person.png"), full_page=True)
    assert second.get_by_role("button", name="Cancel").is_visible()

    first.reload()  # a reload finds the same job (or, if it just finished, its suite)
    first.wait_for_function("""() => document.querySelector("[class*='st-key-cmp_job_']")
                                    || document.querySelector(".st-key-cmp_reg_table")""")
    first.goto(f"{url}/what_if")  # the first person waits on What-if: no reload, no click
    first.get_by_text("Popularity (mean)").wait_for(timeout=240_000)
    second.get_by_text("Trained suite").wait_for(timeout=240_000)  # the second's page swapped in the suite itself
    second.goto(f"{url}/what_if")
    second.get_by_text("Popularity (mean)").wait_for(timeout=120_000)
    for page in (first, second):
        wait_idle(page)
        assert_no_exception(page)
    first.screenshot(path=str(SCREENSHOTS / "shared_job_what_if.png"), full_page=True)
    manifests = list(store.glob("*/*/manifest.json"))
    assert len(manifests) == 1  # one training, one suite
    first.context.close()
    second.context.close()
