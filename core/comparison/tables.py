"""The leaderboard tables the Models page shows: the report's columns, the honest minority-class columns, which cell
is best (and shaded), failed models, and the random-vs-grouped split gap.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd


# Engine column -> the label the page shows. Order is the display order.
REGRESSION_COLUMNS: dict[str, str] = {
    "MSE": "MSE",
    "MAE": "MAE",
    "R2 Score": "R²",
    "RMSE": "RMSE",
    "cv_R2_mean": "CV R² mean",
    "cv_R2_sd": "CV R² sd",
    "cv_RMSE_mean": "CV RMSE mean",
    "cv_RMSE_sd": "CV RMSE sd",
    "fit_s": "fit (s)",
    "predict_us_per_row": "predict (µs/row)",
}
REPORT_CLASSIFICATION_COLUMNS: dict[str, str] = {
    "accuracy_score": "accuracy_score",
    "precision_score": "precision_score",
    "f1_score": "f1_score",
    "recall_score": "recall_score",
}
HONEST_CLASSIFICATION_COLUMNS: dict[str, str] = {
    "roc_auc": "ROC-AUC",
    "pr_auc": "PR-AUC",
    "balanced_accuracy": "balanced accuracy",
    "mcc": "MCC",
    "minority_precision": "popular precision",
    "minority_recall": "popular recall",
    "minority_f1": "popular F1",
    "best_threshold": "F1-best threshold",
    "minority_f1_best": "popular F1 at best",
    "fit_s": "fit (s)",
}
# "min" = lower is better; everything not listed is higher-is-better. Spreads are neither: they are not flagged.
LOWER_IS_BETTER = {"MSE", "MAE", "RMSE", "CV RMSE mean", "fit (s)", "predict (µs/row)", "Brier"}
NOT_RANKED = {"CV R² sd", "CV RMSE sd", "F1-best threshold", "suite", "group", "status"}

GROUP_LABELS = {"report": "plain", "weighted": "class-weighted", "baseline": "baseline", "extra": "extra",
                "regressor": "regressor at the cut"}
GROUP_ORDER = {"baseline": 0, "report": 1, "weighted": 2, "extra": 3, "regressor": 4}


def ok_rows(table: pd.DataFrame) -> pd.DataFrame:
    if "status" in table.columns:
        return table[table["status"].fillna("ok") == "ok"]
    return table


def failed_models(table: pd.DataFrame) -> dict[str, str]:
    """Models that failed to train or evaluate, with their error message (so the page can say so)."""
    if "status" not in table.columns:
        return {}
    failed = table[table["status"].fillna("ok") != "ok"]
    errors = failed["error"] if "error" in failed.columns else pd.Series("", index=failed.index)
    return {str(name): str(error or "unknown error") for name, error in errors.items()}


def _select(table: pd.DataFrame, columns: Mapping[str, str]) -> pd.DataFrame:
    present = [c for c in columns if c in table.columns and table[c].notna().any()]
    out = table[present].rename(columns=dict(columns)).astype(float)
    out.index.name = "model"
    return out


def regression_view(table: pd.DataFrame) -> pd.DataFrame:
    """The report's MSE/MAE/R² plus RMSE, CV spread (when run) and timings; failed models left out."""
    return _select(ok_rows(table), REGRESSION_COLUMNS)


def _with_suite(table: pd.DataFrame, view: pd.DataFrame) -> pd.DataFrame:
    groups = table.loc[view.index, "group"] if "group" in table.columns else pd.Series("report", index=view.index)
    view.insert(0, "suite", [GROUP_LABELS.get(g, str(g)) for g in groups])
    order = sorted(range(len(view)), key=lambda i: GROUP_ORDER.get(groups.iloc[i], 9))
    return view.iloc[order]


def classification_report_view(table: pd.DataFrame) -> pd.DataFrame:
    """The report's four weighted-average columns, plain then class-weighted suite, baseline first."""
    ok = ok_rows(table)
    return _with_suite(ok, _select(ok, REPORT_CLASSIFICATION_COLUMNS))


def base_model_name(name: str) -> str:
    """The model a row belongs to, whichever suite it was trained in ("X (class-weighted)" -> "X")."""
    for suffix in (" (class-weighted)", " (balanced weights applied)", " (weighted)", " [weighted]", " — weighted",
                   " (balanced)"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def honest_view(table: pd.DataFrame) -> pd.DataFrame:
    """Metrics that notice the popular minority, with a model's plain and class-weighted rows next to each other."""
    ok = ok_rows(table)
    view = _with_suite(ok, _select(ok, HONEST_CLASSIFICATION_COLUMNS))
    groups = ok.loc[view.index, "group"] if "group" in ok.columns else pd.Series("report", index=view.index)
    first_seen: dict[str, int] = {}
    for position, name in enumerate(view.index):
        first_seen.setdefault(base_model_name(str(name)), position)
    keys = [(0 if groups.iloc[i] == "baseline" else 1, first_seen[base_model_name(str(name))],
             GROUP_ORDER.get(groups.iloc[i], 9)) for i, name in enumerate(view.index)]
    return view.iloc[sorted(range(len(view)), key=lambda i: keys[i])]


def best_flags(view: pd.DataFrame, skip_rows: Sequence[str] = ()) -> pd.DataFrame:
    """True where a cell holds its column's best value (ties all flagged); labels decide the direction.

    Baselines are not ranked (rows in `skip_rows`, or whose "suite" is baseline): a constant is always fastest, and
    the point of its row is to be the floor, not a contender."""
    flags = pd.DataFrame(False, index=view.index, columns=view.columns)
    skipped = view.index.isin(list(skip_rows))
    if "suite" in view.columns:
        skipped |= (view["suite"] == GROUP_LABELS["baseline"]).to_numpy()
    for column in view.columns:
        if column in NOT_RANKED or not pd.api.types.is_numeric_dtype(view[column]):
            continue
        values = view[column].astype(float).where(~skipped)
        if values.notna().sum() < 2:
            continue
        best = values.min() if column in LOWER_IS_BETTER else values.max()
        flags[column] = np.isclose(values, best, rtol=0, atol=1e-12) & values.notna()
    return flags


def style_best(view: pd.DataFrame, skip_rows: Sequence[str] = (), decimals: int = 4,
               colour: str = "rgba(29, 185, 84, 0.35)", tied: pd.DataFrame | None = None,
               tied_colour: str = "rgba(29, 185, 84, 0.14)"):
    """A pandas Styler that fills each column's best cell (for st.dataframe) and formats numbers; `tied` (same shape,
    True where a model is statistically tied with the best) gets a lighter fill."""
    flags = best_flags(view, skip_rows)
    tied = tied.reindex(index=view.index, columns=view.columns, fill_value=False).astype(bool) if tied is not None \
        else pd.DataFrame(False, index=view.index, columns=view.columns)
    numeric = [c for c in view.columns if pd.api.types.is_numeric_dtype(view[c])]
    formats = {c: _format_for(c, decimals) for c in numeric}
    fills = np.where(flags, f"background-color: {colour}; font-weight: 600",
                     np.where(tied, f"background-color: {tied_colour}", ""))
    return view.style.apply(lambda _: fills, axis=None).format(formats, na_rep="—")


def _format_for(column: str, decimals: int) -> str:
    if column in {"MSE", "MAE", "RMSE", "CV RMSE mean", "CV RMSE sd"}:
        return "{:.3f}"
    if column == "fit (s)":
        return "{:.2f}"
    if column == "predict (µs/row)":
        return "{:.1f}"
    return "{:.%df}" % decimals


def model_groups(table: pd.DataFrame) -> pd.Series:
    return table["group"] if "group" in table.columns else pd.Series("report", index=table.index)


def _without_baselines(table: pd.DataFrame) -> pd.DataFrame:
    return table[model_groups(table) != "baseline"]


def split_gaps(random_tables: Any, grouped_tables: Any) -> list[tuple[str, str, pd.DataFrame]]:
    """(title, metric, gap table) for the headline metric of each task both suites share; baselines left out."""
    out = []
    random_reg = regression_view(_without_baselines(random_tables.regression_table))
    grouped_reg = regression_view(_without_baselines(grouped_tables.regression_table))
    if not random_reg.empty and not grouped_reg.empty:
        out.append(("Regression: R² on the test set", "R²", split_gap_table(random_reg, grouped_reg, "R²")))
    random_cls = honest_view(_without_baselines(random_tables.classification_table))
    grouped_cls = honest_view(_without_baselines(grouped_tables.classification_table))
    if not random_cls.empty and not grouped_cls.empty:
        out.append(("Classification: PR-AUC for the popular class", "PR-AUC",
                    split_gap_table(random_cls, grouped_cls, "PR-AUC")))
    return out


def split_gap_table(random_view: pd.DataFrame, grouped_view: pd.DataFrame, metric: str) -> pd.DataFrame:
    """One metric per model under the random and the artist-grouped split, and the gap (grouped − random)."""
    if metric not in random_view.columns or metric not in grouped_view.columns:
        return pd.DataFrame(columns=["random split", "grouped split", "gap"], dtype=float)
    joined = pd.concat({"random split": random_view[metric], "grouped split": grouped_view[metric]},
                       axis=1, join="inner").astype(float)
    joined["gap"] = joined["grouped split"] - joined["random split"]
    joined.index.name = "model"
    return joined
