"""The performance budget in one command: `python3 -m benchmarks [--quick] [--only AREA …]`.

Each area module (AREAS) measures one part of the product and returns `Measurement`s; this package runs them and
prints one table with PASS/FAIL against each budget. `server` is the one launcher of the app's server (used by the
browser areas and tests/e2e), `loadtest` drives many browser sessions at once (the `browser` area, tests/e2e/test_load).
Benchmarks live outside `core/`: the product never imports them.
"""
from __future__ import annotations

import importlib
import statistics
import time
from dataclasses import dataclass
from typing import Callable

# Run in this order: cheap data measurements first, model training last.
AREAS = ("data_twin", "data_load", "eda", "engine", "scoring", "uncertainty", "counterfactual", "report", "browser",
         "jobs")


@dataclass
class Measurement:
    name: str
    value: float
    unit: str
    budget: float | None = None
    lower_is_better: bool = True
    note: str = ""

    @property
    def passed(self) -> bool | None:
        if self.budget is None:
            return None
        return self.value <= self.budget if self.lower_is_better else self.value >= self.budget

    def row(self) -> str:
        verdict = {True: "PASS", False: "FAIL", None: "info"}[self.passed]
        op = "≤" if self.lower_is_better else "≥"
        budget = f"{op} {self.budget:g} {self.unit}" if self.budget is not None else ""
        return f"{self.name:<58} {self.value:>10.3f} {self.unit:<6} {budget:<14} {verdict:<5} {self.note}"


def median_seconds(fn: Callable[[], object], repeat: int = 3) -> float:
    """Median wall time of `repeat` calls (these machines are noisy; the median resists one slow run)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run(areas: tuple[str, ...] = AREAS, quick: bool = False) -> list[Measurement]:
    results: list[Measurement] = []
    print(f"{'measurement':<58} {'value':>10} {'unit':<6} {'budget':<14} verdict")
    for area in areas:
        try:
            module = importlib.import_module(f"benchmarks.{area}")
        except ModuleNotFoundError:
            continue
        try:
            measured = module.measurements(quick=quick)
        except Exception as error:  # noqa: BLE001 — one broken area must not hide the others' lines
            measured = [Measurement(f"{area}: could not measure", float("nan"), "", 0.0,
                                    note=f"{type(error).__name__}: {str(error)[:200]}")]
        for m in measured:
            print(m.row(), flush=True)
            results.append(m)
    failed = [m.name for m in results if m.passed is False]
    print(f"\n{len(results) - len(failed)} within budget, {len(failed)} over budget" +
          (f": {', '.join(failed)}" if failed else ""))
    return results
