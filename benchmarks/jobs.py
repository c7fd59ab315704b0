"""Training jobs on Dask: what a person feels of training, measured.

On the full twin (quick: a 20,000-row sample, shorter browser windows):
1. Dask overhead: starting the embedded cluster (a scheduler and one worker process per core), and the time per task
   beyond its fit on a tiny suite (the second run: workers already import the model stack);
2. the default suite as a job on the embedded cluster: wall time from submit to stored suite, against the CPU floor
   (CPU seconds the tasks used ÷ workers; goal within 1.15×) and the same models without networks as a job against
   the report's sequential loop (goal ≥ 3.5×);
3. while a full training job that one browser session started runs on the server's embedded cluster: slider → panel
   p95 and the page-switch median in another session (goal ≤ 1 s each, on 2 cores);
4. `streamlit run` on a fresh store → the first scored song on What-if with no clicks (goal ≤ 90 s on 2 cores).
"""
from __future__ import annotations

import asyncio
import os
import tempfile
import time
from pathlib import Path

from benchmarks import Measurement, loadtest
from benchmarks.server import CHROMIUM, AppServer, chromium_args

FLOOR_RATIO_BUDGET = 1.15
LOOP_RATIO_BUDGET = 3.5
SLIDER_P95_BUDGET_S = 1.0
SWITCH_MEDIAN_BUDGET_S = 1.0
FIRST_SCORE_BUDGET_S = 90.0
QUICK_ROWS = 20_000


def _run_job(manager, frame, fingerprint, config):
    start = time.perf_counter()
    manager.submit(frame, fingerprint, config, "bench")
    record = manager.wait(fingerprint, config, poll_s=0.1)
    if record is None or record.status != "done":
        raise RuntimeError(f"the job did not finish: {record and record.status} {record and record.error}")
    return time.perf_counter() - start, record


def _cluster_lines(frame, fingerprint, store: Path) -> tuple[list[Measurement], object]:
    from core.models import jobs
    from core.models.config import SuiteConfig

    cores = os.cpu_count() or 1
    cluster = jobs.Cluster(n_workers=cores)
    start = time.perf_counter()
    cluster.client()
    results = [Measurement(f"jobs: start the embedded Dask cluster ({cores} worker processes)",
                           time.perf_counter() - start, "s", note="scheduler + workers as dask subprocesses")]
    manager = jobs.JobManager(store)
    manager.cluster = cluster
    tiny = SuiteConfig(suites=("regression",), include_ann=False, max_rows=600)
    _run_job(manager, frame, fingerprint, tiny)  # the workers import scikit-learn and XGBoost
    tiny_second = SuiteConfig(suites=("regression",), include_ann=False, max_rows=601)
    wall, record = _run_job(manager, frame, fingerprint, tiny_second)
    fits = sum(e["seconds"] for e in record.finished_events())
    per_task = (record.elapsed_s() - fits / record.workers) / (record.total / record.workers)
    results.append(Measurement(f"jobs: Dask overhead per task, tiny suite ({record.total} tasks)", per_task, "s",
                               note=f"job {record.elapsed_s():.2f} s for {fits:.2f} s of fits on {record.workers} "
                                    f"workers; {wall:.2f} s submit → stored"))
    return results, manager


def measurements(quick: bool = False) -> list[Measurement]:
    from core import sources
    from benchmarks import engine
    from core.models.config import SuiteConfig

    dataset = sources.twin_dataset()
    frame = dataset.frame.sample(n=QUICK_ROWS, random_state=1) if quick else dataset.frame
    size = f"{len(frame):,} rows" + (" (sample)" if quick else ", full twin")
    with tempfile.TemporaryDirectory(prefix="bench-jobs-") as folder:
        store = Path(folder)
        results, manager = _cluster_lines(frame, dataset.fingerprint, store)
        try:
            wall, record = _run_job(manager, frame, dataset.fingerprint, SuiteConfig())
            floor = record.cpu_s / record.workers
            results.append(Measurement(f"jobs: default suite as a job, {record.total} models ({size})", wall, "s",
                                       note=f"submit → suite stored; {record.workers} workers"))
            results.append(Measurement("jobs: that job against its CPU floor (CPU s ÷ workers)", wall / floor, "×",
                                       budget=None if quick else FLOOR_RATIO_BUDGET,
                                       note=f"{record.cpu_s:.1f} CPU s on the workers → floor {floor:.1f} s"))
            no_ann = SuiteConfig(include_ann=False)
            job_s, _ = _run_job(manager, frame, dataset.fingerprint, no_ann)
            loop_s = engine.report_loop_seconds(frame, no_ann)
            results.append(Measurement("jobs: the report's sequential loop over the same models, no networks",
                                       loop_s, "s", note=f"the job took {job_s:.1f} s"))
            results.append(Measurement("jobs: speed-up of the job over the report's loop", loop_s / job_s, "×",
                                       budget=None if quick else LOOP_RATIO_BUDGET, lower_is_better=False))
        finally:
            manager.close()
        results += _browser_lines(store, quick)
    return results


# ---- in the browser ------------------------------------------------------------------------------------------------

def _browser_lines(store: Path, quick: bool) -> list[Measurement]:
    if not Path(CHROMIUM).exists():
        return [Measurement("jobs: browser lines", float("nan"), "s", 0.0, note=f"{CHROMIUM} is missing")]
    window_s = 30.0 if quick else 60.0
    lines = []
    try:
        with AppServer(store=store, env={"SPOTIFY_AUTOTRAIN": "0"}) as server:
            result, trained = loadtest.run_in_own_loop(_while_training(server.url, window_s, quick))
        note = (f"{len(result.slider_latencies_s)} moves, {len(result.page_switches_s)} switches in {window_s:.0f} s "
                f"while {trained}; {len(result.errors)} errors")
        lines.append(Measurement("jobs: slider → panel p95 while a full job trains", result.slider_p95_s, "s",
                                 budget=SLIDER_P95_BUDGET_S, note=note))
        lines.append(Measurement("jobs: page-switch median while a full job trains", result.page_switch_p50_s, "s",
                                 budget=SWITCH_MEDIAN_BUDGET_S))
    except Exception as error:  # noqa: BLE001 — one failing line must not hide the others
        lines.append(Measurement("jobs: while a job trains", float("nan"), "s", 0.0,
                                 note=f"could not measure: {type(error).__name__}: {str(error)[:200]}"))
    with tempfile.TemporaryDirectory(prefix="bench-fresh-store-") as fresh:
        try:
            env = {"SPOTIFY_AUTOTRAIN": "1"}
            with AppServer(store=Path(fresh), env=env) as server:
                seconds = loadtest.run_in_own_loop(_first_scored_song(server))
            lines.append(Measurement("jobs: streamlit run → first scored song, no clicks, fresh store", seconds, "s",
                                     budget=None if quick else FIRST_SCORE_BUDGET_S,
                                     note="the server queues the default suite itself; What-if shows its progress"))
        except Exception as error:  # noqa: BLE001
            lines.append(Measurement("jobs: first scored song on a fresh store", float("nan"), "s", 0.0,
                                     note=f"could not measure: {type(error).__name__}: {str(error)[:200]}"))
    return lines


async def _while_training(url: str, window_s: float, quick: bool):
    """One session starts a full job from Model comparison (another split of all rows); another works meanwhile."""
    from playwright.async_api import async_playwright


    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=chromium_args())
        try:
            trainer = await loadtest.new_session_page(browser)
            await loadtest.open_app(trainer, f"{url}/models", 60_000)
            await trainer.get_by_text("Train or retrain a suite").click()
            await trainer.get_by_text("Split by artist").click()
            await loadtest.wait_ready(trainer, 60_000)
            await trainer.get_by_role("button", name="Train with these settings").click()
            await trainer.locator("[class*='st-key-cmp_job_']").first.wait_for(timeout=60_000)
            await asyncio.sleep(5)  # the cluster is up and every worker is fitting
            # a person busy with the sliders (short pauses), so the window holds enough moves for a p95
            result = await loadtest.drive_sessions(browser, url, sessions=1, duration_s=window_s, warm_up=True,
                                                   read_s=2.0, think_s=1.0, moves_per_visit=10)
            text = await trainer.locator("[class*='st-key-cmp_job_']").first.inner_text(timeout=5_000)
            trained = "a job ran throughout (" + text.splitlines()[-1][:60] + ")" if "models" in text else "a job ran"
            await trainer.get_by_role("button", name="Cancel").click()  # free the cores for the next line
            await asyncio.sleep(3)
            return result, trained
        finally:
            await browser.close()


async def _first_scored_song(server) -> float:
    from playwright.async_api import async_playwright


    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=chromium_args())
        try:
            page = await loadtest.new_session_page(browser)
            await page.goto(f"{server.url}/what_if")
            await page.get_by_text("Popularity (mean)").first.wait_for(timeout=600_000)
            return time.perf_counter() - server.started_at
        finally:
            await browser.close()
