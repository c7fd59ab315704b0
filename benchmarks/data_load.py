"""Data-load budget: a 130,663-row CSV (the report's size, ~17 MB) → validated Dataset in ≤ 1 s.

The file is the full twin written with `to_csv` to a temp folder. Plain `pandas.read_csv` of the same file is timed in
the same run as the baseline (these machines are noisy; the ratio travels better than seconds). The full run also
times the careful csv-module parser, which a file with a ragged row falls back to.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd

from benchmarks import Measurement, median_seconds

BUDGET_S = 1.0
REPEAT = 3


def measurements(quick: bool = False) -> list[Measurement]:
    from core import sources
    from core.twin import generate_twin

    twin = generate_twin()
    with tempfile.TemporaryDirectory(prefix="bench-data-load-") as folder:
        path = Path(folder) / "songs.csv"
        twin.to_csv(path, index=False)
        megabytes = path.stat().st_size / 1024 / 1024

        sources.load_csv(path)  # first call pays imports and pyarrow's thread pool start
        load_s = median_seconds(lambda: sources.load_csv(path), repeat=REPEAT)
        baseline_s = median_seconds(lambda: pd.read_csv(path), repeat=REPEAT)
        results = [
            Measurement(f"data load: {len(twin):,}-row CSV → Dataset", load_s, "s", BUDGET_S,
                        note=f"{megabytes:.0f} MB, median of {REPEAT}; {load_s / baseline_s:.1f}× plain read_csv"),
            Measurement("data load: plain pd.read_csv, same file (baseline)", baseline_s, "s"),
        ]
        if not quick:
            ragged = Path(folder) / "ragged.csv"
            ragged.write_bytes(path.read_bytes() + b"one,row,with,too,many,fields" + b",x" * 20 + b"\n")
            careful_s = median_seconds(lambda: sources.load_csv(ragged), repeat=1)
            results.append(Measurement("data load: same + 1 ragged row (careful parser)", careful_s, "s",
                                       note=f"{careful_s / baseline_s:.1f}× plain read_csv"))
    return results
