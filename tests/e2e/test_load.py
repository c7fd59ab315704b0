"""Ten people at once against one `streamlit run` server: no errors, the what-if panel keeps up, memory stays bounded.

The server is started here (not the shared `app_url` one) so its memory is measured on a fresh process doing only
this. LOAD_SECONDS shortens the run when CI time is tight; the bench always runs the full 60 s.
"""
from __future__ import annotations

import os
import warnings
import tomllib
from pathlib import Path

import pytest

from benchmarks import loadtest

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]

SESSIONS = int(os.environ.get("LOAD_SESSIONS", "10"))
SECONDS = float(os.environ.get("LOAD_SECONDS", "60"))
# Slider key press → predictions panel updated: the product's budget is p50 ≤ 0.5 s and p95 ≤ 1 s, with the ten
# Chromium renderers on the server's own 2 cores (they, not the server, take most of the CPU). Wall-clock latency
# follows whatever else the machine runs: alone this test measured p50 0.33 s (page switches 1.21 s); inside CI runs
# p50 0.53 s (page switches 1.54 s) and, with other work on the cores, 1.03 s (page switches 3.64 s). The budgets are
# goals held by the browser bench (measured and quoted) and CI warns when they are missed. What CI asserts holds on
# any machine: a slider move reruns only the what-if fragment, so it stays a fraction of a page switch measured in
# the same run (0.27–0.34 of it above); a move that has lost its fragment costs as much as a switch.
P50_BUDGET_S = 0.5
P95_BUDGET_S = 1.0
SLIDER_TO_PAGE_SWITCH_MAX = 0.6
RSS_BUDGET_MB = 1536         # the whole server process tree, data and every model loaded
# Server CPU per page switch or slider move. Unlike latency it hardly depends on what else loads the machine; 10
# sessions on 2 cores can only stay under a second if each action costs the server a small fraction of one.
CPU_PER_ACTION_BUDGET_S = 0.25


@pytest.fixture(scope="module")
def load_result(trained_store):
    if not os.path.exists(loadtest.CHROMIUM):
        pytest.skip(f"{loadtest.CHROMIUM} is not installed (apt-get install chromium)")
    pytest.importorskip("playwright.async_api")
    with loadtest.AppServer(store=trained_store) as server:
        result = loadtest.run_in_own_loop(loadtest.drive(server.url, sessions=SESSIONS, duration_s=SECONDS,
                                            server_pid=server.pid))
    print("\n" + result.summary())
    return result


def test_ten_sessions_see_no_errors(load_result):
    assert load_result.errors == []


def test_every_session_moved_sliders_and_switched_pages(load_result):
    # A driver that silently did nothing would pass the other checks; demand real work from every session.
    assert len(load_result.slider_latencies_s) + load_result.unchanged_moves >= SESSIONS
    assert len(load_result.slider_latencies_s) >= load_result.unchanged_moves, "most moves must change the panel"
    assert len(load_result.page_switches_s) >= SESSIONS


def test_slider_moves_stay_a_fraction_of_a_page_switch_under_load(load_result):
    assert load_result.slider_p50_s <= SLIDER_TO_PAGE_SWITCH_MAX * load_result.page_switch_p50_s, \
        load_result.summary()
    if load_result.slider_p50_s > P50_BUDGET_S or load_result.slider_p95_s > P95_BUDGET_S:
        warnings.warn(f"slider latency is over its budget (p50 ≤ {P50_BUDGET_S} s, p95 ≤ {P95_BUDGET_S} s): "
                      f"{load_result.summary()}")


def test_each_action_costs_the_server_a_fraction_of_a_second(load_result):
    assert load_result.server_cpu_per_action_s <= CPU_PER_ACTION_BUDGET_S, load_result.summary()


def test_streamlit_does_not_force_a_full_garbage_collection_after_every_run():
    """Streamlit's default runs gc.collect(2) after every script and fragment run; with TensorFlow and the models in
    memory that is ~0.3 s of GIL-holding work per slider move, serialising every session behind it (profiled)."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config.get("runner", {}).get("postScriptGC") is False


def test_server_memory_stays_within_budget(load_result):
    assert load_result.server_peak_rss_mb is not None and load_result.server_peak_rss_mb > 0
    assert max(load_result.server_peak_rss_mb, load_result.server_hwm_mb) <= RSS_BUDGET_MB, load_result.summary()


def test_memory_of_a_process_tree_is_read_from_proc():
    current, peak = loadtest.tree_memory_mb(os.getpid())
    assert 10 < current <= peak


def test_latency_percentiles_are_computed_from_the_samples():
    result = loadtest.LoadResult(sessions=1, duration_s=1, slider_latencies_s=[0.1 * i for i in range(1, 21)])
    assert result.slider_p50_s == pytest.approx(1.05)
    assert result.slider_p95_s == pytest.approx(1.905)
    assert "20 slider moves" in result.summary()
