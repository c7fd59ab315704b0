"""Server time of the Overview and Distributions & correlations pages, measured with streamlit's AppTest running the
page script itself (the dataset put in session state, as app.py does), so every cached core call, chart build and
element serialisation the page makes is counted; the browser's drawing is not (benchmarks.browser covers that).

cold = the first run after st.cache_data/st.cache_resource were cleared (imports already loaded: they are paid once
per server, not per page); warm = the median of the following runs (what a rerun or a page switch costs); filter =
one run after a filter changed (new cache keys, data already loaded). Quoted also as a ratio to an AppTest run of an
empty page measured in the same run, so a busy machine reads as a busy machine.
"""
from __future__ import annotations

import statistics
import time

from benchmarks import Measurement
from benchmarks.server import ROOT

PAGES = ROOT / "pages"
COLD_BUDGET_S = 3.0
WARM_BUDGET_S = 1.0
MILLION_WARM_BUDGET_S = 2.0
MILLION = 1_000_000


def _app_test(page: str, dataset):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(PAGES / page), default_timeout=600)
    at.session_state["dataset"] = dataset
    return at


def _timed_run(at) -> float:
    start = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - start
    if at.exception:
        raise RuntimeError(f"the page raised: {[e.message for e in at.exception]}")
    return elapsed


def _tab_label(at, words: str) -> str:
    """The full label (icon included) of the page's tab whose words are `words`."""
    return next(tab.label for tab in at.tabs if tab.label.split(": ", 1)[-1] == words)


def _clear_caches() -> None:
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


def _empty_page_seconds(repeat: int) -> float:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_string("import streamlit as st\nst.title('empty')")
    at.run()
    return statistics.median(_timed_run(at) for _ in range(repeat))


def _measure_page(page: str, title: str, dataset, label: str, baseline: float, repeat: int, cold_budget: float | None,
                  warm_budget: float) -> list[Measurement]:
    _clear_caches()
    at = _app_test(page, dataset)
    cold = _timed_run(at)
    warm = statistics.median(_timed_run(at) for _ in range(repeat))
    results = [
        Measurement(f"eda: {title} cold, {label}", cold, "s", cold_budget,
                    note=f"AppTest, caches cleared; {cold / baseline:.0f}× an empty page ({baseline * 1000:.0f} ms)"),
        Measurement(f"eda: {title} warm, {label} (median of {repeat})", warm, "s", warm_budget,
                    note=f"AppTest rerun; {warm / baseline:.0f}× an empty page"),
    ]
    if page == "distributions.py":
        # The page draws one section at a time: the first opening of each other section computes its views.
        section_budget = warm_budget if cold_budget is None else cold_budget
        for section, short in (("A feature against popularity", "feature tab"), ("Correlations", "correlations tab")):
            at.session_state["dist_section"] = _tab_label(at, section)
            results.append(Measurement(f"eda: {title} {short} opened, {label}", _timed_run(at), "s",
                                       section_budget, note=f"'{section}' first opened: its views computed"))
        at.session_state["dist_section"] = _tab_label(at, "A feature against popularity")
        top = int(dataset.frame["popularity"].max())
        at.slider(key="dist_popularity").set_range(20, top)
        changed = _timed_run(at)
        at.selectbox(key="dist_feature").set_value("instrumentalness")
        switched = _timed_run(at)
        results.append(Measurement(f"eda: {title} filter changed, {label}", changed, "s", section_budget,
                                   note="popularity 20+: new filter, the open section recomputed"))
        results.append(Measurement(f"eda: {title} feature switched, {label}", switched, "s", section_budget,
                                   note="instrumentalness under the same filter"))
    return results


def measurements(quick: bool = False) -> list[Measurement]:
    from core import sources

    repeat = 2 if quick else 3
    baseline = _empty_page_seconds(repeat)
    # Warm-up: imports (plotly, pyarrow, the pages' modules) on a tiny twin, so "cold" is the caches, not Python.
    tiny = sources.twin_dataset(n_rows=2_000)
    for page in ("overview.py", "distributions.py"):
        _timed_run(_app_test(page, tiny))

    results: list[Measurement] = []
    twin = sources.twin_dataset()
    label = f"{len(twin.frame):,} rows"
    results += _measure_page("overview.py", "Overview", twin, label, baseline, repeat, COLD_BUDGET_S, WARM_BUDGET_S)
    results += _measure_page("distributions.py", "Distributions", twin, label, baseline, repeat, COLD_BUDGET_S,
                             WARM_BUDGET_S)
    if not quick:
        start = time.perf_counter()
        million = sources.twin_dataset(n_rows=MILLION)
        generated = time.perf_counter() - start
        label = f"{MILLION:,} rows"
        for page, title in (("overview.py", "Overview"), ("distributions.py", "Distributions")):
            results += _measure_page(page, title, million, label, baseline, repeat, None, MILLION_WARM_BUDGET_S)
        results.append(Measurement(f"eda: build the {MILLION:,}-row twin (input only)", generated, "s",
                                   None, note="generate_twin + validation + fingerprint"))
    return results
