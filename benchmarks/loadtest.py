"""Many people at once: a load-test driver for the dashboard, shared by tests/e2e/test_load.py and the bench.

One Chromium, one browser context per simulated person (asyncio, so every session shares one event loop and one
browser process). Each session switches pages through the sidebar and moves the what-if sliders with the keyboard at
a person's pace (THINK_S, READ_S), and the driver records what a person would notice: errors on screen, failed
navigations, and how long the predictions panel takes to show new numbers after a key press. The server's memory and
CPU time are read from /proc while the sessions run (CPU per action is the figure that does not depend on what else
loads the machine).

Timing happens inside the page (performance.now() at the keydown, a MutationObserver on the predictions panel), so
the Python side's own scheduling on a busy machine does not inflate the figures.
"""
from __future__ import annotations

import asyncio
import random
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from benchmarks.server import CHROMIUM, AppServer, MemorySampler, chromium_args, tree_cpu_seconds, tree_memory_mb

# Where the what-if page shows its model outputs, first match wins: a `st.container(key="predictions")` (Streamlit
# turns the key into this class), else the outermost column holding the metrics (the page's results column).
PREDICTIONS_SELECTORS = (".st-key-predictions", "[data-testid='stColumn']:has([data-testid='stMetric'])")
WHAT_IF_PATH = "what_if"
EXCEPTION_SELECTOR = "[data-testid='stException']"
NAV_LINKS = "[data-testid='stSidebarNav'] a"
# A person's pace (each pause drawn at 0.5–1.5× these): a look at the new numbers after a slider move, a moment to
# read a page after switching to it. The browsers share the server's 2 cores, so a driver that clicks as fast as it
# can measures Chromium's rendering queue rather than the app.
THINK_S = 3.0
READ_S = 8.0

# Installed in every page before Streamlit loads. It counts the server's "script finished" messages straight off the
# WebSocket (ForwardMsg field 6; React may batch a fast run so stApp's data-test-script-state never shows "running",
# so the DOM alone cannot count runs) and stamps every keydown, both on the page's own clock.
_PROBE_JS = """
(() => {
  const probe = window.__loadProbe = {finished: 0, finishedAt: 0, keyAt: 0, watch: null};
  const varint = (bytes, at) => {
    let value = 0, scale = 1, byte;
    do { byte = bytes[at++]; value += (byte & 0x7f) * scale; scale *= 128; } while (byte & 0x80 && at < bytes.length);
    return [value, at];
  };
  const scriptFinished = (bytes) => {  // top-level fields of a ForwardMsg; field 6 = ScriptFinishedStatus
    let at = 0, key, value;
    while (at < bytes.length) {
      [key, at] = varint(bytes, at);
      const field = Math.floor(key / 8), wire = key & 7;
      if (wire === 0) { [value, at] = varint(bytes, at); if (field === 6) return value; }
      else if (wire === 2) { [value, at] = varint(bytes, at); at += value; }
      else if (wire === 1) { at += 8; } else if (wire === 5) { at += 4; } else { return null; }
    }
    return null;
  };
  const EARLY_FOR_RERUN = 2;
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (event) => {
        if (!(event.data instanceof ArrayBuffer)) return;
        const status = scriptFinished(new Uint8Array(event.data));
        if (status === null || status === EARLY_FOR_RERUN) return;
        probe.finished += 1;
        probe.finishedAt = performance.now();
      });
    }
  };
  document.addEventListener('keydown', () => { probe.keyAt = performance.now(); }, true);
})();
"""

# Start watching the predictions panel: every change of its text is stamped; the last stamp before the run ends is
# when the person saw the final numbers (a spinner flashing in between does not count as "updated").
_WATCH_JS = """
(selectors) => {
  const probe = window.__loadProbe;
  const selector = selectors.find((s) => document.querySelector(s));
  const text = () => { const el = selector && document.querySelector(selector); return el ? el.textContent : null; };
  const watch = probe.watch = {before: text(), last: text(), changedAt: 0};
  watch.observer = new MutationObserver(() => {
    const now = text();
    if (now !== watch.last) { watch.last = now; watch.changedAt = performance.now(); }
  });
  watch.observer.observe(document.body, {subtree: true, childList: true, characterData: true});
  return watch.before !== null;
}
"""

_RUN_DONE_JS = """
(runs) => {
  const app = document.querySelector("[data-testid='stApp']");
  return window.__loadProbe.finished > runs && app && app.getAttribute('data-test-script-state') === 'notRunning';
}
"""

_IDLE_JS = """
() => {
  const app = document.querySelector("[data-testid='stApp']");
  return app && app.getAttribute('data-test-script-state') === 'notRunning'
      && app.getAttribute('data-test-connection-state') === 'CONNECTED'
      && !document.querySelector("[data-testid='stStatusWidgetRunningIcon']");
}
"""

_STOP_WATCH_JS = """
() => {
  const probe = window.__loadProbe, watch = probe.watch;
  watch.observer.disconnect();
  return {keyAt: probe.keyAt, changedAt: watch.changedAt, finishedAt: probe.finishedAt,
          changed: watch.last !== watch.before};
}
"""


# ---- what the sessions saw -------------------------------------------------------------------------------------------

def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


@dataclass
class LoadResult:
    sessions: int
    duration_s: float
    slider_latencies_s: list[float] = field(default_factory=list)
    page_switches_s: list[float] = field(default_factory=list)
    unchanged_moves: int = 0  # key presses whose rerun left the panel text as it was (value at a displayed rounding)
    opens_s: list[float] = field(default_factory=list)  # each session's first page load, all started at once
    first_visits_s: dict[str, float] = field(default_factory=dict)  # warm-up: each page's first (cold) visit
    errors: list[str] = field(default_factory=list)
    server_peak_rss_mb: float | None = None
    server_hwm_mb: float | None = None
    server_cpu_s: float | None = None  # CPU seconds the server spent while the sessions worked (after opening)

    @property
    def actions(self) -> int:
        return len(self.slider_latencies_s) + self.unchanged_moves + len(self.page_switches_s)

    @property
    def server_cpu_per_action_s(self) -> float:
        """Server CPU per page switch or slider move: what the app costs, whatever else loads the machine."""
        return (self.server_cpu_s or 0.0) / self.actions if self.actions else float("nan")

    @property
    def slider_p50_s(self) -> float:
        return percentile(self.slider_latencies_s, 50)

    @property
    def slider_p95_s(self) -> float:
        return percentile(self.slider_latencies_s, 95)

    @property
    def page_switch_p50_s(self) -> float:
        return percentile(self.page_switches_s, 50)

    @property
    def page_switch_p95_s(self) -> float:
        return percentile(self.page_switches_s, 95)

    def summary(self) -> str:
        memory = (f"server RSS peak {self.server_peak_rss_mb:.0f} MB (VmHWM {self.server_hwm_mb:.0f} MB), "
                  f"server CPU {self.server_cpu_s:.1f} s = {self.server_cpu_per_action_s:.2f} s per action"
                  if self.server_peak_rss_mb is not None else "server RSS not measured")
        opened = f"opened at once in ≤ {max(self.opens_s):.1f} s; " if self.opens_s else ""
        return (f"{self.sessions} sessions × {self.duration_s:.0f} s: {opened}"
                f"{len(self.slider_latencies_s)} slider moves "
                f"p50 {self.slider_p50_s:.3f} s p95 {self.slider_p95_s:.3f} s ({self.unchanged_moves} left the "
                f"panel unchanged); {len(self.page_switches_s)} page switches p50 {self.page_switch_p50_s:.3f} s "
                f"p95 {self.page_switch_p95_s:.3f} s; {len(self.errors)} errors; {memory}")


class SessionError(Exception):
    """Something a person would have seen go wrong (an exception box, a page that did not load, no update)."""


# ---- one simulated person --------------------------------------------------------------------------------------------

async def _wait_run(page, runs_before: int, timeout_ms: float, what: str) -> None:
    try:
        await page.wait_for_function(_RUN_DONE_JS, arg=runs_before, timeout=timeout_ms, polling=20)
    except Exception as error:  # noqa: BLE001 — playwright's TimeoutError, said in a person's words
        raise SessionError(f"{what}: no finished run within {timeout_ms / 1000:.0f} s") from error


async def _finished_runs(page) -> int:
    return await page.evaluate("() => window.__loadProbe.finished")


async def _check_no_exception(page, where: str) -> None:
    if await page.locator(EXCEPTION_SELECTOR).count():
        text = (await page.locator(EXCEPTION_SELECTOR).first.inner_text())[:300]
        raise SessionError(f"exception shown on {where}: {text!r}")


async def open_app(page, url: str, timeout_ms: float) -> None:
    response = await page.goto(url, wait_until="domcontentloaded", timeout=timeout_ms)
    if response is None or not response.ok:
        raise SessionError(f"opening {url} failed: HTTP {response.status if response else 'no response'}")
    await wait_ready(page, timeout_ms)


async def wait_ready(page, timeout_ms: float) -> None:
    """The first run is over, the sidebar navigation is drawn and nothing else is running."""
    await page.wait_for_function(_IDLE_JS, timeout=timeout_ms, polling=50)
    await page.locator(NAV_LINKS).first.wait_for(timeout=timeout_ms)
    await _wait_settled(page, timeout_ms)


async def _wait_settled(page, timeout_ms: float) -> None:
    """Idle and staying idle for a moment (a page may trigger a second run, e.g. after writing query params)."""
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        runs = await _finished_runs(page)
        await page.wait_for_function(_IDLE_JS, timeout=timeout_ms, polling=20)
        await page.wait_for_timeout(150)
        if await _finished_runs(page) == runs and await page.evaluate(_IDLE_JS):
            return
        if time.monotonic() > deadline:
            raise SessionError("the page kept rerunning")


async def page_links(page) -> list[str]:
    """The sidebar's page links (their href attributes, the first one is the default page)."""
    return await page.locator(NAV_LINKS).evaluate_all("(links) => links.map(a => a.getAttribute('href'))")


def is_what_if(href: str) -> bool:
    return href.rstrip("/").rsplit("/", 1)[-1] == WHAT_IF_PATH


async def switch_page(page, href: str, timeout_ms: float) -> float:
    """Click a sidebar link; seconds until the new page's run finished."""
    link = page.locator(f"{NAV_LINKS}[href='{href}']").first
    runs = await _finished_runs(page)
    start = time.perf_counter()
    await link.click(timeout=timeout_ms)
    await _wait_run(page, runs, timeout_ms, f"switching to {href}")
    elapsed = time.perf_counter() - start
    await _wait_settled(page, timeout_ms)
    await _check_no_exception(page, href)
    return elapsed


async def move_slider(page, rng: random.Random, timeout_ms: float) -> tuple[float, bool]:
    """Press ArrowRight/ArrowLeft on a random what-if slider; (seconds until the panel showed its new text, changed)."""
    sliders = page.locator("[data-testid='stSlider']").get_by_role("slider")
    try:  # the slider widget's code is loaded lazily on its first appearance in a session
        await sliders.first.wait_for(state="attached", timeout=timeout_ms)
    except Exception as error:  # noqa: BLE001
        raise SessionError("the what-if page shows no sliders") from error
    count = await sliders.count()
    thumb = sliders.nth(rng.randrange(count))
    now, low, high = (await thumb.evaluate(
        "(el) => [el.getAttribute('aria-valuenow') ?? el.value, el.getAttribute('aria-valuemin') ?? el.min,"
        " el.getAttribute('aria-valuemax') ?? el.max].map(Number)"))
    key = "ArrowLeft" if now >= high else "ArrowRight" if now <= low else rng.choice(("ArrowLeft", "ArrowRight"))
    if not await page.evaluate(_WATCH_JS, list(PREDICTIONS_SELECTORS)):
        raise SessionError(f"the what-if page shows no predictions panel (looked for {PREDICTIONS_SELECTORS})")
    runs = await _finished_runs(page)
    await thumb.press(key, timeout=timeout_ms)
    try:
        await _wait_run(page, runs, timeout_ms, f"{key} on a what-if slider")
        await page.wait_for_timeout(100)  # deltas that land just after the run-finished message
    finally:
        marks = await page.evaluate(_STOP_WATCH_JS)
    await _check_no_exception(page, "what-if after a slider move")
    if marks["changed"]:
        return (marks["changedAt"] - marks["keyAt"]) / 1000, True
    return (marks["finishedAt"] - marks["keyAt"]) / 1000, False


async def new_session_page(browser):
    """A page in its own browser context (its own cookies, so its own Streamlit session), probe installed."""
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, reduced_motion="reduce")
    await context.add_init_script(_PROBE_JS)
    return await context.new_page()


async def _open_session(browser, base_url: str, result: LoadResult, seed: int, timeout_ms: float):
    """A new person opens the app; their page, or None when it did not load (counted as an error)."""
    page = await new_session_page(browser)
    start = time.perf_counter()
    try:
        await open_app(page, base_url, timeout_ms)
        await _check_no_exception(page, "first page")
    except Exception as error:  # noqa: BLE001 — any failure here is a failed navigation to report
        result.errors.append(f"session {seed}: opening the app failed: {type(error).__name__}: {str(error)[:300]}")
        await page.context.close()
        return None
    result.opens_s.append(time.perf_counter() - start)
    return page


async def _session(page, base_url: str, deadline: float, result: LoadResult, seed: int, think_s: float,
                   read_s: float, moves_per_visit: int, timeout_ms: float) -> None:
    """One person until the deadline: to a page and a moment to read it; on what-if, several slider moves with a
    look at the new numbers after each."""
    rng = random.Random(seed)
    try:
        hrefs = await page_links(page)
        what_if = next((h for h in hrefs if is_what_if(h)), None)
        others = [h for h in hrefs if h != what_if]
        current = hrefs[0] if hrefs else None
        # Everyone opened the app at the same moment; people then read the first page for their own while.
        await asyncio.sleep(read_s * rng.uniform(0.0, 1.0))
        while time.monotonic() < deadline:
            elsewhere = [h for h in others if h != current]
            go_what_if = what_if and current != what_if and (rng.random() < 0.6 or not elsewhere)
            target = what_if if go_what_if else rng.choice(elsewhere)
            try:
                result.page_switches_s.append(await switch_page(page, target, timeout_ms))
                current = target
                await asyncio.sleep(read_s * rng.uniform(0.5, 1.5))
                if target == what_if:
                    for _ in range(moves_per_visit):
                        if time.monotonic() >= deadline:
                            break
                        seconds, changed = await move_slider(page, rng, timeout_ms)
                        if changed:
                            result.slider_latencies_s.append(seconds)
                        else:
                            result.unchanged_moves += 1
                        await asyncio.sleep(think_s * rng.uniform(0.5, 1.5))
            except Exception as error:  # noqa: BLE001 — counted, and the session carries on from a fresh load
                result.errors.append(f"session {seed} on {target}: {type(error).__name__}: {str(error)[:300]}")
                current = None
                try:
                    await open_app(page, base_url, timeout_ms)
                    current = (await page_links(page))[0]
                except Exception as reload_error:  # noqa: BLE001
                    result.errors.append(f"session {seed}: reload failed: {str(reload_error)[:200]}")
                    return
            await asyncio.sleep(think_s * rng.uniform(0.5, 1.5))
    finally:
        await page.context.close()


async def _warm_up(browser, base_url: str, timeout_ms: float, result: LoadResult) -> None:
    """Visit every page once so the first person pays for the cold caches, not the measurement."""
    page = await new_session_page(browser)
    try:
        await open_app(page, base_url, timeout_ms)
        hrefs = await page_links(page)
        for href in hrefs[1:] + hrefs[:1]:
            result.first_visits_s[href] = await switch_page(page, href, timeout_ms)
    except Exception as error:  # noqa: BLE001
        result.errors.append(f"warm-up: {type(error).__name__}: {str(error)[:300]}")
    finally:
        await page.context.close()


async def drive_sessions(browser, base_url: str, sessions: int = 10, duration_s: float = 60.0, *,
                         server_pid: int | None = None, warm_up: bool = True, think_s: float = THINK_S,
                         read_s: float = READ_S, moves_per_visit: int = 6,
                         action_timeout_s: float = 30.0) -> LoadResult:
    """Run `sessions` people at once in `browser` against a running app for `duration_s` seconds. Every wait is
    bounded, so this returns within warm-up + duration + 3 action timeouts whatever the app does."""
    result = LoadResult(sessions=sessions, duration_s=duration_s)
    timeout_ms = action_timeout_s * 1000
    if warm_up:
        try:
            await asyncio.wait_for(_warm_up(browser, base_url, timeout_ms, result), timeout=10 * action_timeout_s)
        except asyncio.TimeoutError:
            result.errors.append("warm-up: visiting every page once took longer than 10 action timeouts")
    sampler = MemorySampler(server_pid) if server_pid else None
    cpu_at_start = 0.0
    if sampler:
        sampler.__enter__()
        cpu_at_start = sampler.cpu_start_s
    try:
        # Everybody opens the app at the same moment, then everybody works for the same `duration_s`.
        pages = await asyncio.wait_for(
            asyncio.gather(*[_open_session(browser, base_url, result, seed, timeout_ms) for seed in range(sessions)]),
            timeout=2 * action_timeout_s)
        deadline = time.monotonic() + duration_s
        cpu_at_start = tree_cpu_seconds(server_pid) if server_pid else 0.0
        tasks = [_session(page, base_url, deadline, result, seed, think_s, read_s, moves_per_visit, timeout_ms)
                 for seed, page in enumerate(pages) if page is not None]
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=duration_s + 3 * action_timeout_s)
    except asyncio.TimeoutError:
        result.errors.append("the sessions did not stop within their time bound")
    finally:
        if sampler:
            sampler.__exit__(None, None, None)
            result.server_peak_rss_mb = sampler.peak_mb
            result.server_hwm_mb = tree_memory_mb(server_pid)[1]
            result.server_cpu_s = tree_cpu_seconds(server_pid) - cpu_at_start
    return result


async def drive(base_url: str, sessions: int = 10, duration_s: float = 60.0, **options) -> LoadResult:
    """`drive_sessions` in a Chromium of its own (one browser process, one context per session)."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=chromium_args())
        try:
            return await drive_sessions(browser, base_url, sessions, duration_s, **options)
        finally:
            await browser.close()


def run_in_own_loop(coroutine):
    """Run `coroutine` to completion on a fresh event loop in a thread of its own: the caller's thread may already
    run a loop (pytest with Playwright's sync API does), and asyncio.run refuses to nest."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="load-driver") as pool:
        return pool.submit(asyncio.run, coroutine).result()


def run_load_test(sessions: int = 10, duration_s: float = 60.0, store: Path | None = None, **options) -> LoadResult:
    """Start a fresh server (on `store`, default $SPOTIFY_STORE), drive it, stop it."""
    with AppServer(store=store) as server:
        return run_in_own_loop(drive(server.url, sessions, duration_s, server_pid=server.pid, **options))
