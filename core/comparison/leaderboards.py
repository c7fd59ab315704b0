"""The leaderboards with their 95 % bootstrap intervals and tie marks, and the regressors thresholded at the popular
cut as extra classification rows.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from core.comparison.tables import honest_view, model_groups, ok_rows, regression_view
from core.comparison.uncertainty import thresholded_name
from core.schema import REGRESSION_PREFIX


def thresholded_regressor_rows(tables: Any) -> pd.DataFrame:
    """Each real regressor's predicted popularity, thresholded at the popular cut (predicted ≥ cut = popular), scored
    in the classification table's columns (group "regressor"); empty unless the target has two classes.

    Ranking metrics (ROC-AUC, PR-AUC) and the F1-best threshold use the predicted popularity as the score, so that
    threshold is on the 0–100 popularity scale."""
    from core.models import metrics

    manifest = getattr(tables, "manifest", None) or {}
    predictions = tables.test_predictions
    cut = getattr(tables, "popular_threshold", None)
    classes = list(manifest.get("classes") or [0, 1])
    regression = ok_rows(tables.regression_table)
    if len(classes) != 2 or cut is None or not np.isfinite(cut) or "y_class" not in predictions:
        return pd.DataFrame(columns=tables.classification_table.columns)
    is_top = (predictions["y_class"].to_numpy() == classes[-1]).astype(int)
    rows = {}
    for name, group in model_groups(regression).items():
        column = REGRESSION_PREFIX + str(name)
        if group == "baseline" or column not in predictions:
            continue
        popularity = predictions[column].to_numpy(dtype=float)
        keep = np.isfinite(popularity)
        row = metrics.classification_metrics(is_top[keep], (popularity[keep] >= cut).astype(int), popularity[keep])
        row.update(group="regressor", status="ok", fit_s=regression.at[name, "fit_s"] if "fit_s" in regression
                   else np.nan)
        rows[thresholded_name(str(name), float(cut))] = row
    table = pd.DataFrame.from_dict(rows, orient="index")
    return table.reindex(columns=tables.classification_table.columns)


INTERVAL_METRICS = {"regression": {"R2 Score": "R²", "RMSE": "RMSE", "MAE": "MAE"},
                    "classification": {"roc_auc": "ROC-AUC", "pr_auc": "PR-AUC", "balanced_accuracy":
                                       "balanced accuracy", "mcc": "MCC", "minority_f1_best": "popular F1 at best"}}
INTERVAL_SUFFIX = " 95 %"
BEST_MARK, TIED_MARK = "★", "≈"


def _interval_rows(intervals: pd.DataFrame | None, task: str) -> pd.DataFrame:
    if intervals is None or intervals.empty or "task" not in intervals:
        return pd.DataFrame(columns=["model", "metric", "estimate", "low", "high", "best", "tied"])
    return intervals[intervals["task"] == task]


def with_intervals(view: pd.DataFrame, intervals: pd.DataFrame | None, task: str,
                   decimals: int = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(view with a "<metric> 95 %" text column after each metric that has intervals, tie flags for style_best).

    The text reads "[0.094, 0.170]", followed by ★ for the best model and ≈ for the models tied with it (the paired
    difference's interval covers 0)."""
    rows = _interval_rows(intervals, task)
    tied = pd.DataFrame(False, index=view.index, columns=view.columns)
    out = view.copy()
    for metric, label in INTERVAL_METRICS[task].items():
        if label not in out.columns:
            continue
        chosen = rows[rows["metric"] == metric].set_index("model").reindex([str(n) for n in out.index])
        if chosen["low"].isna().all():
            continue
        texts = []
        for name, row in chosen.iterrows():
            if not np.isfinite(row["low"]) or not np.isfinite(row["high"]):
                texts.append("—")
                continue
            mark = BEST_MARK if row["best"] == name else (TIED_MARK if bool(row["tied"]) else "")
            texts.append(f"[{row['low']:.{decimals}f}, {row['high']:.{decimals}f}]" + (f" {mark}" if mark else ""))
        flags = (chosen["tied"].fillna(False).astype(bool) & (chosen["best"] != chosen.index)).to_numpy()
        tied[label] = flags
        out.insert(out.columns.get_loc(label) + 1, label + INTERVAL_SUFFIX, texts)
    return out, tied.reindex(columns=out.columns, fill_value=False)


def regression_leaderboard(tables: Any, intervals: pd.DataFrame | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The regression view with its intervals, and the tie flags."""
    return with_intervals(regression_view(tables.regression_table), intervals, "regression")


def classification_leaderboard(tables: Any, intervals: pd.DataFrame | None,
                               calibration: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The honest classification view, the regressors thresholded at the cut as extra rows, the Brier score beside
    PR-AUC (when `calibration` is given: core.comparison.calibration.suite_calibration) and the intervals, with tie
    flags."""
    extra = thresholded_regressor_rows(tables)
    table = tables.classification_table
    combined = pd.concat([table, extra]) if len(extra) else table
    view = honest_view(combined)
    if calibration is not None and len(calibration) and "PR-AUC" in view.columns:
        view.insert(view.columns.get_loc("PR-AUC") + 1, "Brier",
                    calibration["brier"].reindex(view.index).astype(float))
    return with_intervals(view, intervals, "classification")
