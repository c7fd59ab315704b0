"""The one launcher of the app's server for benchmarks and browser tests: `streamlit run app.py` on a free localhost
port (AppServer), the Chromium binary and flags, and the server process tree's memory and CPU read from /proc.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
)


def chromium_args() -> list[str]:
    """A fresh list of the flags every headless Chromium here runs with (Playwright may extend what it is given)."""
    return list(CHROMIUM_ARGS)


# ---- the server, its memory and CPU --------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            kids.extend(int(p) for p in task.read_text().split())
        except OSError:
            continue
    return kids


def process_tree(pid: int) -> list[int]:
    """The process and all its descendants (a server that forks workers is measured whole)."""
    tree, pending = [], [pid]
    while pending:
        current = pending.pop()
        tree.append(current)
        pending.extend(_children(current))
    return tree


def _status_kb(pid: int, field_name: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def tree_memory_mb(pid: int) -> tuple[float, float]:
    """(current RSS, peak RSS) of a process tree in MB: psutil when installed, else /proc VmRSS and VmHWM."""
    pids = process_tree(pid)
    try:
        import psutil
    except ImportError:
        psutil = None
    rss_kb = 0
    if psutil is not None:
        for p in pids:
            try:
                rss_kb += psutil.Process(p).memory_info().rss // 1024
            except psutil.Error:
                continue
    else:
        rss_kb = sum(_status_kb(p, "VmRSS") for p in pids)
    # VmHWM is the kernel's own high-water mark; psutil does not expose it portably, /proc does on Linux.
    hwm_kb = sum(_status_kb(p, "VmHWM") for p in pids) or rss_kb
    return rss_kb / 1024, hwm_kb / 1024


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU time consumed so far by a process tree (what the server really spent, whatever the load)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in process_tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
        except (OSError, IndexError, ValueError):
            continue
    return total / ticks


class MemorySampler:
    """Samples a process tree's RSS in a background thread; `peak_mb` is the largest sum seen."""

    def __init__(self, pid: int, interval_s: float = 0.5):
        self.pid, self.interval_s = pid, interval_s
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="memory-sampler", daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_mb = max(self.peak_mb, tree_memory_mb(self.pid)[0])
            self._stop.wait(self.interval_s)

    def __enter__(self) -> "MemorySampler":
        self.cpu_start_s = tree_cpu_seconds(self.pid)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.peak_mb = max(self.peak_mb, tree_memory_mb(self.pid)[0])


class AppServer:
    """`streamlit run app.py` on a free localhost port, as a context manager; `started_at` is its Popen time."""

    def __init__(self, store: Path | None = None, env: dict[str, str] | None = None, health_timeout_s: float = 90,
                 root: Path = ROOT, log: Path | None = None, extra_args: tuple[str, ...] = ()):
        self.store, self.extra_env, self.health_timeout_s, self.root = store, env or {}, health_timeout_s, root
        self.log = log  # the server's stdout+stderr (its tracebacks) go here; None discards them
        self.extra_args = tuple(extra_args)  # more `streamlit run` options, e.g. ("--runner.postScriptGC", "false")
        self.launcher = [sys.executable, "-m", "streamlit"]
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.started_at = 0.0
        self.healthy_s = 0.0  # from Popen to the first answered health check

    @property
    def pid(self) -> int:
        assert self.process is not None, "the server is not running"
        return self.process.pid

    def start(self) -> "AppServer":
        env = {**os.environ, **self.extra_env}
        env.pop("SPOTIFY_DATA", None)
        if self.store is not None:
            env["SPOTIFY_STORE"] = str(self.store)
        output = open(self.log, "ab") if self.log else subprocess.DEVNULL  # noqa: SIM115 — the child owns it
        self.started_at = time.perf_counter()
        self.process = subprocess.Popen(
            [*self.launcher, "run", "app.py", "--server.port", str(self.port), "--server.address", "127.0.0.1",
             "--server.headless", "true", "--browser.gatherUsageStats", "false", *self.extra_args],
            cwd=self.root, env=env, stdout=output, stderr=subprocess.STDOUT)
        if self.log:
            output.close()
        deadline = time.monotonic() + self.health_timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited with code {self.process.returncode} before answering")
            try:
                urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2)
                self.healthy_s = time.perf_counter() - self.started_at
                return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"streamlit did not answer its health check within {self.health_timeout_s:.0f} s")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def __enter__(self) -> "AppServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
