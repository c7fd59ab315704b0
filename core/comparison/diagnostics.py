"""Regression diagnostics on stored test predictions: predicted-vs-actual density and residuals per popularity bin."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from core.schema import REGRESSION_PREFIX


def density_grid(x: Any, y: Any, bins: int = 50, value_range: tuple[float, float] = (0.0, 100.0)) -> pd.DataFrame:
    """Counts on a bins x bins grid (rows: y bin centres, columns: x bin centres) for a heatmap of many points."""
    x_arr, y_arr = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    keep = np.isfinite(x_arr) & np.isfinite(y_arr)
    edges = np.linspace(value_range[0], value_range[1], bins + 1)
    counts, _, _ = np.histogram2d(np.clip(x_arr[keep], *value_range), np.clip(y_arr[keep], *value_range),
                                  bins=[edges, edges])
    centres = (edges[:-1] + edges[1:]) / 2
    return pd.DataFrame(counts.T.astype(int), index=centres, columns=centres)


def residual_profile(y_true: Any, y_pred: Any, bin_width: int = 5) -> pd.DataFrame:
    """Residual (actual − predicted) quantiles per actual-popularity bin: shows where a model is biased."""
    actual, predicted = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    residual = actual - predicted
    edges = np.arange(0, 100 + bin_width, bin_width)
    bin_index = np.clip(np.digitize(actual, edges[1:-1]), 0, len(edges) - 2)
    frame = pd.DataFrame({"bin": bin_index, "residual": residual})
    grouped = frame.groupby("bin")["residual"]
    out = pd.DataFrame({
        "count": grouped.size(),
        "q10": grouped.quantile(0.10), "median": grouped.median(), "q90": grouped.quantile(0.90),
    })
    out.index = pd.Index((edges[out.index] + edges[out.index + 1]) / 2, name="actual popularity")
    return out


def regression_diagnostics(test_predictions: pd.DataFrame, model: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Predicted-vs-actual density grid and residual profile for one regressor."""
    actual, predicted = test_predictions["y_true"], test_predictions[REGRESSION_PREFIX + model]
    return density_grid(actual, predicted), residual_profile(actual, predicted)
