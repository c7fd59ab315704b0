"""Twin generation time: the app builds the full-size twin on first start, so it must stay well under 1.5 s.

Quoted also as a ratio to a baseline measured in the same run (drawing the twin's latent normals and putting them in a
DataFrame: the least any generator of this table must do), so a busy machine reads as a busy machine.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from core import report_figures as rf
from benchmarks import Measurement, median_seconds
from core.twin import generate_twin

BUDGET_SECONDS = 1.5


def _baseline() -> pd.DataFrame:
    values = np.random.default_rng(0).standard_normal((rf.N_ROWS, 17))
    return pd.DataFrame(values, columns=[f"c{i}" for i in range(17)])


def measurements(quick: bool = False) -> list[Measurement]:
    generate_twin(n_rows=1_000)  # warm-up: imports and the cached quantile tables
    seconds = median_seconds(generate_twin, repeat=3)
    baseline = median_seconds(_baseline, repeat=3)
    results = [
        Measurement(f"twin: generate {rf.N_ROWS:,} rows (median of 3)", seconds, "s", BUDGET_SECONDS,
                    note=f"{seconds / baseline:.0f}× baseline (latent normals → DataFrame, {baseline * 1000:.0f} ms)"),
    ]
    if not quick:
        million = median_seconds(lambda: generate_twin(n_rows=1_000_000), repeat=1)
        results.append(Measurement("twin: generate 1,000,000 rows (EDA benchmark input)", million, "s", None,
                                   note=f"{million / seconds:.1f}× the full-size twin"))
    return results
