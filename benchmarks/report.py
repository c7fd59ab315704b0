"""The regenerated report: building the whole HTML file for the full twin with a stored suite (budget 10 s).

Uses the suite the model comparison page would open on from the default store ($SPOTIFY_STORE or .store); when none
is stored for the full twin, trains a classical (no-ANN) suite on a sample of it into a temporary store first, so
the line always measures a report with every model section (the note says which suite it was). `load + build` is
the CLI's path from the twin's on-disk cache; `build` alone is the app's (data already in memory).
"""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

from benchmarks import Measurement, median_seconds

BUDGET_S = 10.0
BUDGET_MB = 10.0
SAMPLE_ROWS = 20_000


def _suite_store(dataset, quick: bool, scratch: Path):
    from core.comparison.text import describe_config
    from core.models.config import SuiteConfig
    from core.models.store import ArtifactStore
    from core.models.training import train_suite
    from core.report import build as report

    store = ArtifactStore()
    path = report.preferred_suite_path(store, dataset.fingerprint)
    if path is not None:
        tables = store.load_tables(path)
        return store, f"stored suite: {describe_config(tables.config)}"
    config = SuiteConfig(include_ann=False, max_rows=5_000 if quick else SAMPLE_ROWS)
    store = ArtifactStore(scratch)
    store.save(train_suite(dataset.frame, config, dataset.fingerprint))
    return store, f"no suite stored; trained for this line: {describe_config(config)}"


def measurements(quick: bool = False) -> list[Measurement]:
    from core.eda.overview import overview_tables
    from core.report import build as report

    repeat = 1 if quick else 3
    with tempfile.TemporaryDirectory(prefix="bench-report-") as scratch:
        dataset = report.load_dataset(None)  # warms the twin's on-disk cache too
        store, note = _suite_store(dataset, quick, Path(scratch))
        document = report.report_for(dataset, store)  # imports and first-call costs paid once, as in a server
        build_s = median_seconds(lambda: report.report_for(dataset, store), repeat=repeat)
        # The same run's baseline: the Overview page's tables alone (one of the report's many inputs).
        baseline_s = median_seconds(lambda: overview_tables(dataset.frame), repeat=repeat)
        start = time.perf_counter()
        report.report_for(report.load_dataset(None), store)
        cli_s = time.perf_counter() - start
    size_mb = len(document.encode("utf-8")) / 1e6
    charts = document.count("<figure class='chart'")
    return [
        Measurement("report: build the HTML (full twin + stored suite)", build_s, "s", BUDGET_S,
                    note=f"{build_s / baseline_s:.1f}× the Overview's tables ({baseline_s:.2f} s) · {note}"),
        Measurement("report: load the twin + build (the CLI's path)", cli_s, "s", BUDGET_S),
        Measurement("report: file size", size_mb, "MB", BUDGET_MB, note=f"{charts} charts, Plotly embedded once"),
    ]
