"""The twin of the report's dataset (synthetic), generated from the report's published figures.

v0: Gaussian copula over the report's correlation matrix with piecewise-linear marginals through describe().
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

from core import report_figures as rf
from core import schema

TWIN_LABEL = "twin of the report's dataset (synthetic)"
DEFAULT_SEED = 2019


def generate_twin(n_rows: int = rf.N_ROWS, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    cols = list(rf.CORRELATION.columns)
    corr = rf.CORRELATION.loc[cols, cols].to_numpy()
    z = rng.standard_normal((n_rows, len(cols))) @ np.linalg.cholesky(corr).T
    u = norm.cdf(z)
    out = {}
    for i, c in enumerate(cols):
        d = rf.DESCRIBE[c]
        xs = [0, 0.25, 0.5, 0.75, 1]
        ys = [d["min"], d["25%"], d["50%"], d["75%"], d["max"]]
        out[c] = np.interp(u[:, i], xs, ys)
    df = pd.DataFrame(out)
    for c in schema.INTEGER_FEATURES + (schema.TARGET,):
        df[c] = df[c].round().astype("int64")
    alphabet = np.array(list("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"))
    ids = ["".join(row) for row in alphabet[rng.integers(0, 62, (n_rows, 22))]]
    df.insert(0, schema.TRACK_NAME, [f"Track {i}" for i in range(n_rows)])
    df.insert(0, schema.TRACK_ID, ids)
    df.insert(0, schema.ARTIST, [f"Artist {i % 34507}" for i in range(n_rows)])
    return df[list(schema.CANONICAL_COLUMNS)]
