"""Training jobs against a real embedded Dask cluster (a scheduler and 2 single-threaded worker processes)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from core.models import jobs, training
from core.models.config import SuiteConfig
from core.models.store import ArtifactStore

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
FINGERPRINT = "jobs-test"
QUICK = SuiteConfig(suites=("regression",), include_ann=False, max_rows=1_500)


@pytest.fixture(scope="module")
def cluster():
    """One embedded cluster for the module (starting one costs a few seconds); each test gets its own store."""
    shared = jobs.Cluster(n_workers=2)
    shared.client()
    yield shared
    shared.close()


@pytest.fixture
def manager(cluster, tmp_path):
    made = jobs.JobManager(tmp_path / "store")
    made.cluster = cluster
    yield made
    for record in made.jobs():
        if made.owns(record):
            made.cancel(record.fingerprint, record.suite_config)
            made.wait(record.fingerprint, record.suite_config, timeout=60)


def _suite_folders(store: Path, config: SuiteConfig) -> list[Path]:
    return sorted(p.parent for p in store.glob(f"{FINGERPRINT}/{config.key()}-*/manifest.json"))


def _wait_for(predicate, timeout: float = 120, poll: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(poll)
    raise AssertionError("timed out")


def test_two_submits_of_one_key_train_once_and_a_second_manager_joins(manager, twin_small):
    record, started = manager.submit(twin_small, FINGERPRINT, QUICK, "twin")
    again, started_again = manager.submit(twin_small, FINGERPRINT, QUICK, "twin")
    # a second server process on the same store (its own manager, its own cluster) joins too
    other = jobs.JobManager(manager.store_root, scheduler="tcp://127.0.0.1:1")  # never reached: it only joins
    joined, started_other = other.submit(twin_small, FINGERPRINT, QUICK, "twin")
    assert started and not started_again and not started_other
    assert again.submitted_at == record.submitted_at == joined.submitted_at
    final = manager.wait(FINGERPRINT, QUICK, timeout=180)
    assert final.status == jobs.DONE, final.error
    starts = [e["model"] for e in final.events if e["status"] == "started"]
    assert len(starts) == len(set(starts)) == final.total  # every model fitted exactly once
    assert len(_suite_folders(manager.store_root, QUICK)) == 1


def test_progress_events_arrive_in_order_and_end_with_a_final_status(manager, twin_small):
    manager.submit(twin_small, FINGERPRINT, QUICK, "twin")
    seen_done = []
    final = manager.wait(FINGERPRINT, QUICK, timeout=180, poll_s=0.05,
                         on_update=lambda r: seen_done.append(r.done))
    assert final.status == jobs.DONE and final.done == final.total > 0
    assert seen_done == sorted(seen_done)
    for label in final.plan:
        states = [e["status"] for e in final.events if e["model"] == label]
        assert states == ["started", "finished"], (label, states)
    assert final.cpu_s > 0 and final.workers == 2 and final.suite_path
    assert ArtifactStore(manager.store_root).load(Path(final.suite_path)).regression_table.shape[0] == final.total


def test_a_job_has_the_engines_metrics_for_the_deterministic_models(manager, twin_small):
    config = SuiteConfig(suites=("regression", "classification"), include_ann=False, max_rows=2_000)
    manager.submit(twin_small, FINGERPRINT, config, "twin")
    final = manager.wait(FINGERPRINT, config, timeout=240)
    assert final.status == jobs.DONE, final.error
    stored = ArtifactStore(manager.store_root).load_tables(Path(final.suite_path))
    direct = training.train_suite(twin_small, config, FINGERPRINT, n_jobs=1)
    deterministic = ["Linear Regression", "Ridge Regression (α=1.0)", "XGBoost", "Gradient Boosting", "AdaBoost",
                     "LOGISTIC REGRESSION", "DECISION TREE CLASSIFIER", "RANDOM FOREST CLASSIFIER",
                     "GAUSSIAN NAIVE BAYES"]
    for table in ("regression_table", "classification_table"):
        ours, theirs = getattr(stored, table), getattr(direct, table)
        rows = [name for name in deterministic if name in theirs.index]
        numeric = [c for c in theirs.columns if c not in ("group", "status", "error", "fit_s", "predict_us_per_row")]
        pd.testing.assert_frame_equal(ours.loc[rows, numeric], theirs.loc[rows, numeric], check_exact=False,
                                      rtol=1e-9)


def test_cancel_stops_the_job_and_leaves_the_store_unchanged(manager, twin_small):
    manager.submit(twin_small, FINGERPRINT, QUICK, "twin")
    assert manager.wait(FINGERPRINT, QUICK, timeout=180).status == jobs.DONE
    before = _suite_folders(manager.store_root, QUICK)
    slow = SuiteConfig(suites=("regression", "classification"), include_ann=False, max_rows=5_000, cv_folds=3)
    manager.submit(twin_small, FINGERPRINT, slow, "twin")
    _wait_for(lambda: (r := manager.get(FINGERPRINT, slow)) and r.status == jobs.RUNNING)
    assert manager.cancel(FINGERPRINT, slow)
    final = manager.wait(FINGERPRINT, slow, timeout=60)
    assert final.status == jobs.CANCELLED and final.suite_path is None
    assert final.done < final.total
    assert _suite_folders(manager.store_root, slow) == [] and _suite_folders(manager.store_root, QUICK) == before
    assert "cancelled" in jobs.describe(final) and "nothing was stored" in jobs.describe(final)
    # a cancelled job can be submitted again, and then it runs
    record, started = manager.submit(twin_small, FINGERPRINT, slow, "twin")
    assert started
    manager.cancel(FINGERPRINT, slow)
    manager.wait(FINGERPRINT, slow, timeout=60)


def test_a_killed_worker_gives_a_clear_outcome_and_the_previous_suite_stays_loadable(manager, cluster, twin_small):
    manager.submit(twin_small, FINGERPRINT, QUICK, "twin")
    previous = manager.wait(FINGERPRINT, QUICK, timeout=180)
    config = SuiteConfig(suites=("regression",), include_ann=False, max_rows=4_000, cv_folds=5)
    manager.submit(twin_small, FINGERPRINT, config, "twin")
    _wait_for(lambda: (r := manager.get(FINGERPRINT, config)) and r.running)
    pids = cluster.client().run(os.getpid)
    os.kill(next(iter(pids.values())), signal.SIGKILL)
    final = manager.wait(FINGERPRINT, config, timeout=240)
    assert final.status in (jobs.DONE, jobs.FAILED)
    failed = [e for e in final.events if e["status"] == "failed"]
    if final.status == jobs.DONE:  # Dask ran the lost task again on a live worker
        assert all("worker" in e["error"] for e in failed)
    else:
        assert final.error
    ArtifactStore(manager.store_root).load(Path(previous.suite_path))


def test_a_model_that_raises_is_reported_in_its_row_and_the_rest_finish(manager, twin_small):
    frame = twin_small.copy()
    frame["popularity"] = 10  # no popular song: every classifier fails with a sentence, the regressors train
    config = SuiteConfig(suites=("regression", "classification"), include_ann=False, max_rows=1_500)
    manager.submit(frame, FINGERPRINT, config, "twin")
    final = manager.wait(FINGERPRINT, config, timeout=180)
    assert final.status == jobs.DONE
    failed = {e["model"]: e["error"] for e in final.events if e["status"] == "failed"}
    finished = {e["model"] for e in final.events if e["status"] == "finished"}
    assert "LOGISTIC REGRESSION" in failed and "cannot learn the difference" in failed["LOGISTIC REGRESSION"]
    assert "Linear Regression" in finished and "(1 failed)" not in jobs.describe(final)
    assert f"({len(failed)} failed)" in jobs.describe(final)


def test_a_job_whose_owner_died_is_stale_and_runs_again(manager, twin_small, monkeypatch):
    dead = jobs.JobRecord(fingerprint=FINGERPRINT, config=QUICK.to_dict(), config_key=QUICK.key(),
                          status=jobs.RUNNING, submitted_at=time.time() - 600, heartbeat_at=time.time() - 600,
                          owner={"host": "elsewhere", "pid": 1, "token": "gone"}, total=7, done=3)
    manager.files.write(dead)
    assert manager.get(FINGERPRINT, QUICK).stale
    assert "interrupted" in jobs.describe(manager.get(FINGERPRINT, QUICK))
    record, started = manager.submit(twin_small, FINGERPRINT, QUICK, "twin")
    assert started and record.submitted_at > dead.submitted_at
    assert manager.wait(FINGERPRINT, QUICK, timeout=180).status == jobs.DONE


def test_a_server_killed_mid_job_leaves_no_partial_suite_and_the_job_runs_again(tmp_path):
    """The CLI is the owner here: kill -9 it while its job runs, as a crashed server would die."""
    store = tmp_path / "store"
    args = [sys.executable, "-m", "core", "train", "--suite", "regression", "--no-ann", "--max-rows", "6000",
            "--cv", "5", "--store", str(store)]
    owner = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                             start_new_session=True)
    try:
        for line in owner.stdout:
            if "started" in line:
                break
        os.killpg(owner.pid, signal.SIGKILL)  # the owner and its embedded cluster, like a server's container dying
    finally:
        owner.wait(timeout=30)
    manager = jobs.JobManager(store)
    record = _wait_for(lambda: next(iter(manager.jobs()), None), timeout=10)
    assert record.active and not list(store.glob("*/*/manifest.json"))
    # run again at once: the CLI joins the job that still looks alive, sees its heartbeat stop, and takes it over
    result = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "joining the job already" in result.stdout and "starting it again here" in result.stdout
    assert "saved to" in result.stdout and len(list(store.glob("*/*/manifest.json"))) == 1


def test_the_cli_joins_a_job_the_app_already_runs(manager, twin_small, tmp_path):
    from core import sources

    twin = sources.twin_dataset()
    # long enough (~30 s of fits) to still run when the CLI, a fresh process, has imported the engine
    config = SuiteConfig(suites=("regression",), include_ann=False, max_rows=20_000, cv_folds=5)
    manager.submit(twin.frame, twin.fingerprint, config, "twin")
    result = subprocess.run([sys.executable, "-m", "core", "train", "--suite", "regression", "--no-ann",
                             "--max-rows", "20000", "--cv", "5", "--store", str(manager.store_root)],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "joining the job already" in result.stdout and "saved to" in result.stdout
    listing = subprocess.run([sys.executable, "-m", "core", "jobs", "--store", str(manager.store_root)],
                             cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert listing.returncode == 0 and "done" in listing.stdout and "trained" in listing.stdout


def test_an_unreachable_scheduler_fails_the_job_with_a_sentence(tmp_path, twin_small):
    manager = jobs.JobManager(tmp_path / "store", scheduler="tcp://127.0.0.1:9")
    manager.cluster = jobs.Cluster("tcp://127.0.0.1:9")
    monkey_timeout = jobs.CONNECT_TIMEOUT_S
    try:
        jobs.CONNECT_TIMEOUT_S = 2
        manager.submit(twin_small, FINGERPRINT, QUICK, "twin")
        final = manager.wait(FINGERPRINT, QUICK, timeout=60)
    finally:
        jobs.CONNECT_TIMEOUT_S = monkey_timeout
    assert final.status == jobs.FAILED
    assert "could not reach the Dask scheduler at tcp://127.0.0.1:9" in final.error
    assert not list((tmp_path / "store").glob("*/*/manifest.json"))
