"""Training as a shared job: one run per (data fingerprint, suite settings), on Dask workers, visible to everyone.

    <store>/.jobs/<fingerprint>/<config key>.json     the job's record: status, per-model events, heartbeat, result
    <store>/.jobs/<fingerprint>/<config key>.lock     held while deciding "join or start" (flock, across processes)
    <store>/.jobs/<fingerprint>/<config key>.cancel   a cancel request from anyone (a session, another server, the CLI)

`JobManager.submit` joins the job already queued or running for the same key (in this process or any other process
on the same store) and starts one only when there is none: never a second training. The process that starts a job
owns it: a thread of its own splits and scales the data (cheap), sends every model and CV fold to Dask as one task
each (slowest first, the training arrays scattered once), receives the fitted models, computes the metrics and
writes the suite through `ArtifactStore.save` (manifest, hashes, one atomic rename). No model is fitted in the owner's
process. The owner rewrites the record (atomically: write, then rename) on every event and every HEARTBEAT_S; a
record whose heartbeat is older than STALE_AFTER_S belongs to a process that died and may be run again.

The cluster: `SPOTIFY_DASK_SCHEDULER=tcp://HOST:PORT` (or `scheduler=`) connects to an existing one; otherwise the
first job starts an embedded one — a scheduler and one single-threaded worker process per core, as `dask`
subprocesses (`SubprocessCluster`): a LocalCluster's spawned workers would re-import Streamlit's main module. The
embedded scheduler closes itself after IDLE_TIMEOUT of idleness, and the scheduler and workers close within seconds
of their starter's death (core.models.jobs_watchdog); the next job starts it again.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
import queue
import shutil
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from core.models import jobs_watchdog, training
from core.models.config import ProgressEvent, SuiteConfig

QUEUED, RUNNING, DONE, FAILED, CANCELLED = "queued", "running", "done", "failed", "cancelled"
ACTIVE = (QUEUED, RUNNING)
JOBS_DIR = ".jobs"
HEARTBEAT_S = 2.0
STALE_AFTER_S = 30.0
IDLE_TIMEOUT = "15 minutes"
SCHEDULER_ENV = "SPOTIFY_DASK_SCHEDULER"
CONNECT_TIMEOUT_S = 20
EVENT_TOPIC_PREFIX = "spotify-job-"
OWNER_TOKEN = uuid.uuid4().hex  # tells this process's jobs from those of another process with a reused pid

STATUS_WORDS = {QUEUED: "queued", RUNNING: "running", DONE: "done", FAILED: "failed", CANCELLED: "cancelled"}


class JobCancelled(Exception):
    """The job was cancelled while it ran: its tasks were cancelled and nothing was stored."""


class ClusterUnavailable(Exception):
    """No Dask cluster could be reached or started; the message says which and why."""


# ---- the record ------------------------------------------------------------------------------------------------------

@dataclass
class JobRecord:
    """What everyone reads about one job (the JSON file holds exactly these fields)."""

    fingerprint: str
    config: dict
    config_key: str
    data_label: str = ""
    status: str = QUEUED
    submitted_at: float = 0.0
    started_at: float | None = None
    finished_at: float | None = None
    heartbeat_at: float = 0.0
    owner: dict = field(default_factory=dict)       # host, pid, token of the process running it
    scheduler: str = ""                             # where its tasks run
    workers: int = 0
    total: int = 0
    done: int = 0
    plan: dict = field(default_factory=dict)        # task label -> estimated seconds (the specs' measured costs)
    running: dict = field(default_factory=dict)     # task label -> time.time() it started on a worker
    events: list = field(default_factory=list)      # {"model", "suite", "status", "seconds", "cpu_s", "error", "at"}
    error: str | None = None
    suite_path: str | None = None
    cpu_s: float = 0.0                              # CPU seconds the finished tasks used on the workers

    @property
    def job_id(self) -> str:
        return f"{self.fingerprint}-{self.config_key}"

    @property
    def suite_config(self) -> SuiteConfig:
        return SuiteConfig.from_dict(self.config)

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    @property
    def stale(self) -> bool:
        """Queued or running, but its owner stopped beating: the process died (kill -9, a crash, a restart)."""
        return self.active and time.time() - self.heartbeat_at > STALE_AFTER_S

    @property
    def live(self) -> bool:
        return self.active and not self.stale

    def elapsed_s(self, now: float | None = None) -> float:
        start = self.started_at or self.submitted_at
        end = self.finished_at if self.finished_at is not None else (now or time.time())
        return max(0.0, end - start)

    def eta_s(self, now: float | None = None) -> float | None:
        """Seconds left, from the specs' costs: the work not yet done spread over the workers, but never less than the
        longest single task still to finish. Scaled by how fast the finished tasks ran against their estimates."""
        if not self.live or not self.plan:
            return None
        now = now or time.time()
        finished = {e["model"]: e for e in self.events if e["status"] in ("finished", "failed")}
        ran = [(e["seconds"], self.plan.get(label, 0.0)) for label, e in finished.items()]
        estimated = sum(est for _, est in ran)
        speed = (sum(s for s, _ in ran) / estimated) if estimated > 1.0 else 1.0
        remaining = []
        for label, estimate in self.plan.items():
            if label in finished:
                continue
            left = estimate * speed
            if label in self.running:
                left = max(left - (now - self.running[label]), 0.1 * left)
            remaining.append(left)
        if not remaining:
            return 0.0
        return max(sum(remaining) / max(self.workers, 1), max(remaining))

    def finished_events(self) -> list[dict]:
        return [e for e in self.events if e["status"] in ("finished", "failed")]

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> "JobRecord":
        """A record read back from disk; anything not shaped like one is a ValueError."""
        if not isinstance(data, dict):
            raise ValueError("a job record is a JSON object")
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        record = cls(**known)
        if not (isinstance(record.fingerprint, str) and isinstance(record.config_key, str)
                and isinstance(record.config, dict) and isinstance(record.events, list)
                and isinstance(record.plan, dict) and isinstance(record.running, dict)
                and record.status in STATUS_WORDS):
            raise ValueError("a job record has fields of the wrong type")
        return record


def describe(record: JobRecord, now: float | None = None) -> str:
    """One line a person reads: status, progress, time, and what happens next."""
    now = now or time.time()
    elapsed = record.elapsed_s(now)
    if record.stale:
        return (f"interrupted after {record.done}/{record.total} models: the process running it stopped "
                f"{now - record.heartbeat_at:.0f} s ago; nothing was stored — train again to rerun it")
    if record.status == QUEUED:
        return f"queued {elapsed:.0f} s ago · starting the Dask workers"
    if record.status == RUNNING:
        eta = record.eta_s(now)
        text = f"{record.done}/{record.total} models · {elapsed:.0f} s elapsed"
        return text + (f" · about {eta:.0f} s left" if eta is not None and record.done < record.total else "")
    if record.status == DONE:
        failed = sum(1 for e in record.finished_events() if e["status"] == "failed")
        return (f"trained {record.total} models in {elapsed:.0f} s" + (f" ({failed} failed)" if failed else "")
                + " and stored the suite")
    if record.status == CANCELLED:
        return f"cancelled after {elapsed:.0f} s; nothing was stored"
    return f"failed after {elapsed:.0f} s: {record.error}"


# ---- files -----------------------------------------------------------------------------------------------------------

class JobFiles:
    """Reading and writing the small job files beside the suites (each write is a rename: never half-written)."""

    def __init__(self, store_root: Path):
        self.root = Path(store_root) / JOBS_DIR

    def _stem(self, fingerprint: str, config_key: str) -> Path:
        return self.root / fingerprint / config_key

    def read(self, fingerprint: str, config_key: str) -> JobRecord | None:
        """The record, or None when there is none or it cannot be read (a damaged record never blocks a new run)."""
        path = self._stem(fingerprint, config_key).with_suffix(".json")
        try:
            return JobRecord.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError, RecursionError):
            return None

    def write(self, record: JobRecord) -> None:
        stem = self._stem(record.fingerprint, record.config_key)
        stem.parent.mkdir(parents=True, exist_ok=True)
        partial = stem.parent / f".{stem.name}.{uuid.uuid4().hex[:8]}.part"
        partial.write_text(json.dumps(record.to_dict(), ensure_ascii=False), encoding="utf-8")
        os.replace(partial, stem.with_suffix(".json"))

    def all(self) -> list[JobRecord]:
        if not self.root.is_dir():
            return []
        records = []
        for path in sorted(self.root.glob("*/*.json")):
            record = self.read(path.parent.name, path.stem)
            if record is not None:
                records.append(record)
        return records

    @contextlib.contextmanager
    def lock(self, fingerprint: str, config_key: str) -> Iterator[None]:
        stem = self._stem(fingerprint, config_key)
        stem.parent.mkdir(parents=True, exist_ok=True)
        with open(stem.with_suffix(".lock"), "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def request_cancel(self, fingerprint: str, config_key: str) -> None:
        stem = self._stem(fingerprint, config_key)
        stem.parent.mkdir(parents=True, exist_ok=True)
        stem.with_suffix(".cancel").touch()

    def cancel_requested(self, fingerprint: str, config_key: str) -> bool:
        return self._stem(fingerprint, config_key).with_suffix(".cancel").exists()

    def clear_cancel(self, fingerprint: str, config_key: str) -> None:
        self._stem(fingerprint, config_key).with_suffix(".cancel").unlink(missing_ok=True)


# ---- the cluster -----------------------------------------------------------------------------------------------------

class Cluster:
    """One Dask client for this process: to `address`, or to an embedded cluster it starts (and closes)."""

    def __init__(self, address: str | None = None, n_workers: int | None = None):
        self.address = address
        self.n_workers = n_workers or os.cpu_count() or 1
        self._client = None
        self._embedded = None
        self._scratch: str | None = None
        self._lock = threading.Lock()
        self.started_s: float | None = None    # how long the last start or connection took

    @property
    def embedded(self) -> bool:
        return self.address is None

    def client(self):
        """A connected client, starting the embedded cluster (or reconnecting) when there is none or it closed."""
        with self._lock:
            if self._client is not None and self._client.status == "running" and self._scheduler_alive():
                return self._client
            self._close_quietly()
            start = time.perf_counter()
            try:
                self._client = self._connect()
            except Exception as error:  # noqa: BLE001  (any failure to start or reach a cluster is one sentence)
                self._close_quietly()
                where = f"the Dask scheduler at {self.address}" if self.address else "an embedded Dask cluster"
                raise ClusterUnavailable(f"could not reach {where} ({type(error).__name__}: {error})") from None
            self.started_s = time.perf_counter() - start
            return self._client

    def _scheduler_alive(self) -> bool:
        try:
            self._client.scheduler_info(n_workers=0)
            return True
        except Exception:  # noqa: BLE001
            return False

    def _connect(self):
        from distributed import Client

        if self.address:
            client = Client(self.address, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
            client.wait_for_workers(1, timeout=CONNECT_TIMEOUT_S)
            return client
        from distributed.deploy.subprocess import SubprocessCluster

        # the worker subprocesses must import `core` wherever the server was started from, and get one task at a time
        # each (so the slowest-first order holds across workers)
        root = str(Path(__file__).resolve().parents[1])
        paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
        if root not in paths:
            os.environ["PYTHONPATH"] = os.pathsep.join([root, *paths])
        os.environ.setdefault("DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION", "1.0")
        os.environ[jobs_watchdog.OWNER_ENV] = str(os.getpid())  # they close themselves if this process dies
        self._scratch = tempfile.mkdtemp(prefix="spotify-dask-")  # the scheduler's address file, removed on close
        self._embedded = SubprocessCluster(
            n_workers=self.n_workers, threads_per_worker=1, dashboard_address=None,
            scheduler_kwargs={"idle_timeout": IDLE_TIMEOUT, "preload": [jobs_watchdog.__name__],
                              "scheduler_file": os.path.join(self._scratch, "scheduler.json")},
            worker_kwargs={"preload_nanny": [jobs_watchdog.__name__]})
        client = Client(self._embedded, set_as_default=False)
        client.wait_for_workers(self.n_workers, timeout=60)
        return client

    def _close_quietly(self) -> None:
        for thing in (self._client, self._embedded):
            if thing is not None:
                with contextlib.suppress(Exception):
                    thing.close()
        self._client = self._embedded = None
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    def close(self) -> None:
        with self._lock:
            self._close_quietly()

    def restart_workers(self) -> None:
        """Stop what the embedded workers are running (a cancelled fit would otherwise run on to its end)."""
        with self._lock:
            if self._client is not None and self.embedded:
                with contextlib.suppress(Exception):
                    self._client.restart(wait_for_workers=False)


def _run_on_worker(task, data, topic: str):
    """One model or CV fold on a Dask worker: announce the start, fit, measure the CPU it took."""
    from distributed import get_worker

    with contextlib.suppress(ValueError):  # not on a worker (never in the app): no start event
        get_worker().log_event(topic, {"label": task.label})
    cpu_start = time.process_time()
    outcome = training._run_task(task, data)
    outcome.info["cpu_s"] = time.process_time() - cpu_start
    return outcome


class DaskExecutor:
    """training.train_suite's executor: every task a Dask task, slowest first, results in the caller's thread."""

    name = "dask"

    def __init__(self, client, topic: str, cancelled: Callable[[], bool],
                 on_plan: Callable[[list, int], None] | None = None):
        self.client = client
        self.topic = topic
        self.cancelled = cancelled
        self.on_plan = on_plan

    def __call__(self, tasks, data, on_start, on_done) -> int:
        from distributed import as_completed
        from distributed.client import FutureCancelledError

        workers = max(1, len(self.client.scheduler_info(n_workers=-1).get("workers", {})))
        if self.on_plan is not None:
            self.on_plan(tasks, workers)
        started: queue.SimpleQueue = queue.SimpleQueue()
        self.client.subscribe_topic(self.topic, lambda event: started.put(event[1].get("label")))
        by_label = {task.label: task for task in tasks}
        announced: set[str] = set()

        def announce(label: str | None) -> None:
            if label in by_label and label not in announced:
                announced.add(label)
                on_start(by_label[label])

        shared = self.client.scatter(data, broadcast=True, hash=False)
        futures = {}
        for rank, task in enumerate(tasks):  # already slowest first: the scheduler starts the highest priority first
            future = self.client.submit(_run_on_worker, task, shared, self.topic, priority=len(tasks) - rank,
                                        pure=False, key=f"{self.topic}-{rank:03d}")
            futures[future] = task
        pending = set(futures)
        completed = as_completed(list(futures), loop=self.client.loop)  # this client's loop, not a default client
        try:
            while pending:
                if self.cancelled():
                    raise JobCancelled()
                finished = completed.next_batch(block=False) if completed.has_ready() else []
                while not started.empty():
                    announce(started.get())
                if not finished:
                    time.sleep(0.2)
                for future in finished:
                    pending.discard(future)
                    task = futures[future]
                    announce(task.label)
                    on_done(self._outcome(future, task, FutureCancelledError))
        except BaseException:
            self.client.cancel(list(pending))
            raise
        finally:
            with contextlib.suppress(Exception):
                self.client.unsubscribe_topic(self.topic)
            with contextlib.suppress(Exception):
                self.client.cancel([shared])
        return workers

    @staticmethod
    def _outcome(future, task, cancelled_error) -> training._Outcome:
        """The task's outcome; a task Dask could not finish becomes a failed row that names the model and why."""
        if future.status == "finished":
            return future.result()
        if future.status == "cancelled":
            raise JobCancelled()
        try:
            error = future.exception()
        except cancelled_error:
            raise JobCancelled() from None
        name = type(error).__name__
        if name == "KilledWorker":
            reason = ("the Dask worker running it died (killed, or out of memory) on every retry; the other models "
                      "carried on")
        else:
            reason = f"the Dask task failed ({training._describe_error(error)})"
        return training._Outcome(task, training.STATUS_FAILED, 0.0, error=reason)


# ---- the manager -----------------------------------------------------------------------------------------------------

class JobManager:
    """Submit, join, watch and cancel training jobs over one store; runs the jobs this process owns."""

    def __init__(self, store_root: Path | None = None, scheduler: str | None = None,
                 executor_factory: Callable[..., training.Executor] | None = None):
        """`executor_factory(record, cancelled, on_plan)`: tests on tiny data may run tasks in-process instead of on
        Dask; the app and the CLI never pass one."""
        from core.models.store import default_store

        self.store_root = Path(store_root) if store_root is not None else default_store()
        self.files = JobFiles(self.store_root)
        address = scheduler if scheduler is not None else (os.environ.get(SCHEDULER_ENV) or None)
        self.cluster = Cluster(address)
        self._executor_factory = executor_factory
        self._threads: dict[str, threading.Thread] = {}
        self._lock = threading.Lock()

    @property
    def where(self) -> str:
        return self.cluster.address or f"an embedded Dask cluster ({self.cluster.n_workers} worker processes)"

    # ---- reading -------------------------------------------------------------------------------------------------

    def get(self, fingerprint: str, config: SuiteConfig) -> JobRecord | None:
        return self.files.read(fingerprint, config.key())

    def jobs(self, fingerprint: str | None = None) -> list[JobRecord]:
        """Every job in the store (of this data), most recently submitted first."""
        records = [r for r in self.files.all() if fingerprint is None or r.fingerprint == fingerprint]
        return sorted(records, key=lambda r: r.submitted_at, reverse=True)

    def owns(self, record: JobRecord) -> bool:
        thread = self._threads.get(record.job_id)
        return thread is not None and thread.is_alive()

    # ---- submitting ----------------------------------------------------------------------------------------------

    def submit(self, frame: pd.DataFrame, fingerprint: str, config: SuiteConfig, data_label: str = ""
               ) -> tuple[JobRecord, bool]:
        """(the job, whether this call started it). Joins a live job of the same key instead of training again."""
        key = config.key()
        try:
            with self._lock, self.files.lock(fingerprint, key):
                return self._join_or_start(frame, fingerprint, config, data_label)
        except OSError as error:
            from core.models.store import ArtifactError

            raise ArtifactError(f"cannot write training jobs to the store at {self.store_root} "
                                f"({error.strerror or error}); set SPOTIFY_STORE or --store to a writable folder"
                                ) from None

    def _join_or_start(self, frame: pd.DataFrame, fingerprint: str, config: SuiteConfig, data_label: str
                       ) -> tuple[JobRecord, bool]:
        """Under the key's lock: the live job of this key, or a new one started in a thread of this process."""
        key = config.key()
        existing = self.files.read(fingerprint, key)
        if existing is not None and (existing.live or self.owns(existing)):
            return existing, False
        self.files.clear_cancel(fingerprint, key)
        now = time.time()
        record = JobRecord(fingerprint=fingerprint, config=config.to_dict(), config_key=key,
                           data_label=data_label, status=QUEUED, submitted_at=now, heartbeat_at=now,
                           owner={"host": socket.gethostname(), "pid": os.getpid(), "token": OWNER_TOKEN},
                           scheduler=self.where)
        self.files.write(record)
        thread = threading.Thread(target=self._run, args=(record, frame, config), daemon=True,
                                  name=f"job-{record.job_id}")
        self._threads[record.job_id] = thread
        thread.start()
        return record, True

    def cancel(self, fingerprint: str, config: SuiteConfig) -> bool:
        """Ask the job to stop (whoever runs it sees the request within a heartbeat); False when none is running."""
        record = self.get(fingerprint, config)
        if record is None or not (record.live or self.owns(record)):
            return False
        self.files.request_cancel(fingerprint, config.key())
        return True

    def wait(self, fingerprint: str, config: SuiteConfig, timeout: float | None = None,
             on_update: Callable[[JobRecord], None] | None = None, poll_s: float = 0.5) -> JobRecord | None:
        """Until the job is no longer live (done, failed, cancelled, or interrupted), reading only its record."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            record = self.get(fingerprint, config)
            if on_update is not None and record is not None:
                on_update(record)
            if record is None or not (record.live or self.owns(record)):
                return record
            if deadline is not None and time.monotonic() > deadline:
                return record
            time.sleep(poll_s)

    def close(self) -> None:
        for record in self.jobs():
            if self.owns(record):
                self.files.request_cancel(record.fingerprint, record.config_key)
        for thread in list(self._threads.values()):
            thread.join(timeout=10)
        self.cluster.close()

    # ---- running (the owner's thread) ----------------------------------------------------------------------------

    def _run(self, record: JobRecord, frame: pd.DataFrame, config: SuiteConfig) -> None:
        lock = threading.Lock()
        stop_beating = threading.Event()

        def save() -> None:
            with lock:
                record.heartbeat_at = time.time()
                self.files.write(record)

        def beat() -> None:
            while not stop_beating.wait(HEARTBEAT_S):
                save()

        def cancelled() -> bool:
            return self.files.cancel_requested(record.fingerprint, record.config_key)

        def on_plan(tasks, workers: int) -> None:
            with lock:
                record.status, record.started_at = RUNNING, time.time()
                record.workers, record.total = workers, len(tasks)
                record.plan = {task.label: task.estimate_s for task in tasks}
            save()

        def on_event(event: ProgressEvent) -> None:
            with lock:
                now = time.time()
                record.done, record.total = event.done, event.total
                if event.status == "started":
                    record.running[event.model] = now
                else:
                    record.running.pop(event.model, None)
                    record.cpu_s += event.cpu_s or 0.0
                record.events.append({"model": event.model, "suite": event.suite, "status": event.status,
                                      "seconds": round(event.seconds, 3), "error": event.error,
                                      "cpu_s": None if event.cpu_s is None else round(event.cpu_s, 3),
                                      "at": round(now, 3)})
            save()

        heartbeat = threading.Thread(target=beat, daemon=True, name=f"heartbeat-{record.job_id}")
        heartbeat.start()
        try:
            if self._executor_factory is not None:
                executor = self._executor_factory(record, cancelled, on_plan)
            else:
                client = self.cluster.client()
                record.scheduler = self.cluster.address or f"embedded cluster at {client.scheduler.address}"
                executor = DaskExecutor(client, f"{EVENT_TOPIC_PREFIX}{record.job_id}-{uuid.uuid4().hex[:6]}",
                                        cancelled, on_plan)
            suite = training.train_suite(frame, config, record.fingerprint, progress=on_event, executor=executor)
            if cancelled():
                raise JobCancelled()
            from core.models.store import ArtifactStore

            path = ArtifactStore(self.store_root).save(suite)
            with lock:
                record.status, record.suite_path = DONE, str(path)
        except JobCancelled:
            with lock:
                record.status = CANCELLED
            if self.cluster.embedded and self._executor_factory is None and not self._others_running(record):
                self.cluster.restart_workers()  # free the cores now instead of when the running fits end
        except Exception as error:  # noqa: BLE001  (the job fails with a sentence; the server carries on)
            with lock:
                record.status, record.error = FAILED, _failure_sentence(error)
        finally:
            stop_beating.set()
            with lock:
                record.finished_at = time.time()
                record.running = {}
            save()
            self.files.clear_cancel(record.fingerprint, record.config_key)
            heartbeat.join(timeout=5)

    def _others_running(self, record: JobRecord) -> bool:
        return any(self.owns(other) for other in self.jobs() if other.job_id != record.job_id)


def _failure_sentence(error: BaseException) -> str:
    from core.models.store import ArtifactError

    if isinstance(error, (ClusterUnavailable, ArtifactError, ValueError)):
        return str(error)
    return training._describe_error(error)


def in_process_executor(record: JobRecord, cancelled: Callable[[], bool], on_plan, n_jobs: int = 1):
    """For tests on tiny data only: the engine's in-process pool behind the job layer (no cluster to start)."""

    def execute(tasks, data, on_start, on_done) -> int:
        on_plan(tasks, n_jobs)

        def done(outcome) -> None:
            if cancelled():
                raise JobCancelled()
            on_done(outcome)

        training._execute(tasks, data, n_jobs, "threading", on_start, done)
        return n_jobs

    return execute
