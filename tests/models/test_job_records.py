"""The job layer's records and files, and its join rule, without a cluster (fast)."""
from __future__ import annotations

import json
import threading
import time

import pytest

from core.models import jobs
from core.models.config import SuiteConfig

CONFIG = SuiteConfig(suites=("regression",), include_ann=False, max_rows=600)


def _record(**changes) -> jobs.JobRecord:
    now = time.time()
    base = dict(fingerprint="fp", config=CONFIG.to_dict(), config_key=CONFIG.key(), status=jobs.RUNNING,
                submitted_at=now - 10, started_at=now - 10, heartbeat_at=now, workers=2, total=4, done=1,
                plan={"a": 20.0, "b": 10.0, "c": 10.0, "d": 4.0})
    return jobs.JobRecord(**{**base, **changes})


def test_records_round_trip_through_their_file(tmp_path):
    files = jobs.JobFiles(tmp_path)
    record = _record(events=[{"model": "a", "status": "started", "seconds": 0.0}])
    files.write(record)
    again = files.read("fp", CONFIG.key())
    assert again == record and again.job_id == f"fp-{CONFIG.key()}"
    assert not list((tmp_path / jobs.JOBS_DIR).rglob("*.part"))  # written whole, then renamed


@pytest.mark.parametrize("text", ["", "{", "[]", '{"fingerprint": 3}', json.dumps({"status": "weird"}),
                                  "[" * 100_000 + "]" * 100_000,
                                  json.dumps({**_record().to_dict(), "events": "not a list"})],
                         ids=["empty", "cut", "list", "wrong-type", "unknown-status", "deep", "bad-events"])
def test_a_damaged_record_reads_as_none_and_never_blocks_a_new_job(tmp_path, text):
    files = jobs.JobFiles(tmp_path)
    path = tmp_path / jobs.JOBS_DIR / "fp" / f"{CONFIG.key()}.json"
    path.parent.mkdir(parents=True)
    path.write_text(text)
    assert files.read("fp", CONFIG.key()) is None
    assert files.all() == []


def test_eta_spreads_the_remaining_work_over_the_workers_but_waits_for_the_longest_task():
    now = time.time()
    record = _record(running={"a": now - 5}, events=[{"model": "d", "status": "finished", "seconds": 4.0}])
    # a has 15 s left; b and c 10 s each: 35 s of work on 2 workers = 17.5 s, longer than a's 15 s
    assert record.eta_s(now) == pytest.approx(17.5, abs=0.01)
    slow = _record(running={"a": now - 5}, events=[{"model": "d", "status": "finished", "seconds": 8.0}])
    # tasks run twice as slowly as estimated: a has 35 s left, b and c 20 s each: 75 s on 2 workers
    assert slow.eta_s(now) == pytest.approx(37.5, abs=0.01)
    assert _record(status=jobs.DONE).eta_s(now) is None


def test_a_record_without_a_heartbeat_is_stale_and_says_so():
    dead = _record(heartbeat_at=time.time() - jobs.STALE_AFTER_S - 1)
    assert dead.stale and not dead.live
    assert "interrupted after 1/4 models" in jobs.describe(dead)
    assert not _record().stale and _record().live
    assert not _record(status=jobs.DONE, heartbeat_at=0).stale  # only a queued or running job can go stale


def test_describe_says_every_status_in_a_sentence():
    assert "1/4 models" in jobs.describe(_record()) and "left" in jobs.describe(_record())
    assert "queued" in jobs.describe(_record(status=jobs.QUEUED))
    done = _record(status=jobs.DONE, finished_at=time.time(), events=[{"model": "a", "status": "failed"}])
    assert "stored the suite" in jobs.describe(done) and "(1 failed)" in jobs.describe(done)
    assert "nothing was stored" in jobs.describe(_record(status=jobs.CANCELLED, finished_at=time.time()))
    assert "boom" in jobs.describe(_record(status=jobs.FAILED, error="boom", finished_at=time.time()))


def test_concurrent_submits_in_one_process_start_one_job(tmp_path, twin_small):
    manager = jobs.JobManager(tmp_path, executor_factory=jobs.in_process_executor)
    results = []
    threads = [threading.Thread(target=lambda: results.append(manager.submit(twin_small, "fp", CONFIG)[1]))
               for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 5 + [True]
    final = manager.wait("fp", CONFIG, timeout=120)
    assert final.status == jobs.DONE and final.suite_path
    assert [e["model"] for e in final.events if e["status"] == "started"].count("Linear Regression") == 1
