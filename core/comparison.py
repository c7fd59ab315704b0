"""Page-level computations for the model comparison page: pure functions over stored test predictions and tables.

Everything here works on what a stored suite already holds (metric tables, test-set predictions and probabilities),
so moving a threshold or switching a model never retrains anything.
"""
from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import precision_recall_curve, roc_curve

from core import safe_csv

# ---- column names and which direction is better ----------------------------------------------------------------------

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


def _ok_rows(table: pd.DataFrame) -> pd.DataFrame:
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
    return _select(_ok_rows(table), REGRESSION_COLUMNS)


def _with_suite(table: pd.DataFrame, view: pd.DataFrame) -> pd.DataFrame:
    groups = table.loc[view.index, "group"] if "group" in table.columns else pd.Series("report", index=view.index)
    view.insert(0, "suite", [GROUP_LABELS.get(g, str(g)) for g in groups])
    order = sorted(range(len(view)), key=lambda i: GROUP_ORDER.get(groups.iloc[i], 9))
    return view.iloc[order]


def classification_report_view(table: pd.DataFrame) -> pd.DataFrame:
    """The report's four weighted-average columns, plain then class-weighted suite, baseline first."""
    ok = _ok_rows(table)
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
    ok = _ok_rows(table)
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


# ---- threshold analysis ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ThresholdResult:
    """The confusion matrix and minority-class metrics when P(popular) >= threshold means "popular"."""

    threshold: float
    tn: int
    fp: int
    fn: int
    tp: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def accuracy(self) -> float:
        total = self.tn + self.fp + self.fn + self.tp
        return (self.tn + self.tp) / total if total else 0.0

    @property
    def fpr(self) -> float:
        return self.fp / (self.fp + self.tn) if self.fp + self.tn else 0.0

    def confusion_frame(self) -> pd.DataFrame:
        """Rows: actual class; columns: predicted class (the usual reading order)."""
        return pd.DataFrame([[self.tn, self.fp], [self.fn, self.tp]],
                            index=pd.Index(["not popular", "popular"], name="actual"),
                            columns=pd.Index(["not popular", "popular"], name="predicted"))


def _as_arrays(y_true: Any, proba: Any) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y_true).astype(int).ravel()
    p = np.asarray(proba, dtype=float).ravel()
    if y.shape != p.shape:
        raise ValueError(f"{len(y)} labels but {len(p)} probabilities")
    keep = np.isfinite(p)
    return y[keep], p[keep]


def threshold_metrics(y_true: Any, proba: Any, threshold: float) -> ThresholdResult:
    y, p = _as_arrays(y_true, proba)
    predicted = p >= threshold
    positive = y == 1
    return ThresholdResult(
        threshold=float(threshold),
        tn=int(np.sum(~predicted & ~positive)), fp=int(np.sum(predicted & ~positive)),
        fn=int(np.sum(~predicted & positive)), tp=int(np.sum(predicted & positive)),
    )


def f1_optimal_threshold(y_true: Any, proba: Any) -> float:
    """The report's `find_best_threshold_f1` (core.metrics); 0.5 when undefined (no popular song in the test set)."""
    from core.models.metrics import find_best_threshold_f1

    y, p = _as_arrays(y_true, proba)
    if y.min(initial=0) == y.max(initial=0):
        return 0.5
    best = find_best_threshold_f1(y, p)
    return best if math.isfinite(best) else 0.5


def _thin(frame: pd.DataFrame, max_points: int) -> pd.DataFrame:
    """Keep at most `max_points` curve points (always the ends) so a 26k-row test set draws as a light line."""
    if len(frame) <= max_points:
        return frame.reset_index(drop=True)
    keep = np.unique(np.linspace(0, len(frame) - 1, max_points).round().astype(int))
    return frame.iloc[keep].reset_index(drop=True)


def roc_points(y_true: Any, proba: Any, max_points: int = 400) -> pd.DataFrame:
    """ROC curve as columns fpr, tpr, threshold (empty when the test set has a single class)."""
    y, p = _as_arrays(y_true, proba)
    if y.min(initial=0) == y.max(initial=0):
        return pd.DataFrame(columns=["fpr", "tpr", "threshold"], dtype=float)
    fpr, tpr, thresholds = roc_curve(y, p, drop_intermediate=True)
    frame = pd.DataFrame({"fpr": fpr, "tpr": tpr, "threshold": np.minimum(thresholds, 1.0)})
    return _thin(frame, max_points)


def pr_points(y_true: Any, proba: Any, max_points: int = 400) -> pd.DataFrame:
    """Precision-recall curve as columns recall, precision, threshold, from recall 1 down to recall 0."""
    y, p = _as_arrays(y_true, proba)
    if y.min(initial=0) == y.max(initial=0):
        return pd.DataFrame(columns=["recall", "precision", "threshold"], dtype=float)
    precisions, recalls, thresholds = precision_recall_curve(y, p)
    frame = pd.DataFrame({"recall": recalls, "precision": precisions,
                          "threshold": np.append(thresholds, np.nan)})
    return _thin(frame, max_points)


# ---- regression diagnostics ------------------------------------------------------------------------------------------

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


def probability_histogram(proba: Any, y_class: Any, bins: int = 50) -> pd.DataFrame:
    """Counts of predicted P(popular) per bin, split by the true class (the report's probability histogram).

    The bins span 0 to just past the highest probability (at least 0.05): with ~1 % positives most models never go
    near 0.5, and a 0–1 axis would squeeze every song into the first bar."""
    y, p = _as_arrays(y_class, proba)
    clipped = np.clip(p, 0.0, 1.0)
    upper = min(1.0, max(0.05, float(clipped.max(initial=0.0)) * 1.02))
    edges = np.linspace(0.0, upper, bins + 1)
    return pd.DataFrame({
        "left": edges[:-1], "right": edges[1:],
        "not popular": np.histogram(clipped[y == 0], bins=edges)[0],
        "popular": np.histogram(clipped[y == 1], bins=edges)[0],
    })


def xgboost_contribution_importance(model: Any, features: Any, feature_names: Sequence[str]) -> pd.Series:
    """Mean |SHAP contribution| per feature from XGBoost's own TreeSHAP (pred_contribs=True), largest first."""
    import xgboost

    booster = model.get_booster() if hasattr(model, "get_booster") else model
    matrix = xgboost.DMatrix(np.asarray(features, dtype=float), feature_names=list(feature_names))
    contributions = booster.predict(matrix, pred_contribs=True)
    values = np.abs(contributions[:, : len(feature_names)]).mean(axis=0)  # last column is the bias term
    return pd.Series(values, index=list(feature_names), name="mean |contribution|").sort_values(ascending=False)


class _FittedPredictor:
    """What sklearn's permutation_importance needs from a model: `predict` (any kind: sklearn, XGBoost, Keras)."""

    def __init__(self, predict: Callable[[np.ndarray], np.ndarray]):
        self._predict = predict

    def fit(self, X: Any, y: Any = None) -> "_FittedPredictor":
        return self

    def predict(self, X: Any) -> np.ndarray:
        return np.asarray(self._predict(np.asarray(X, dtype=float)), dtype=float).reshape(-1)


def _r2_scorer(estimator: Any, X: Any, y: Any) -> float:
    from sklearn.metrics import r2_score

    return float(r2_score(y, estimator.predict(X)))


def permutation_importance_table(predict: Callable[[np.ndarray], np.ndarray], features: Any, target: Any,
                                 feature_names: Sequence[str], *, n_repeats: int = 5, max_rows: int = 2_000,
                                 seed: int = 0) -> pd.DataFrame:
    """sklearn's permutation importance on a test subsample: the drop in R² when a feature is shuffled."""
    from sklearn.inspection import permutation_importance

    X, y = np.asarray(features, dtype=float), np.asarray(target, dtype=float)
    if len(X) > max_rows:
        rows = np.random.default_rng(seed).choice(len(X), size=max_rows, replace=False)
        X, y = X[rows], y[rows]
    result = permutation_importance(_FittedPredictor(predict), X, y, scoring=_r2_scorer, n_repeats=n_repeats,
                                    random_state=seed, n_jobs=1)
    table = pd.DataFrame({"mean": result.importances_mean, "sd": result.importances_std}, index=list(feature_names))
    table.index.name = "feature"
    return table.sort_values("mean", ascending=False)


def held_out_features(suite: Any, frame: pd.DataFrame, test_predictions: pd.DataFrame, max_rows: int = 2_000,
                  seed: int = 0) -> tuple[np.ndarray, np.ndarray] | None:
    """The scaled test-set features and popularity of a stored suite, rebuilt from the data it was trained on
    (test_predictions is indexed by the frame's row labels); a seeded subsample of at most `max_rows`.
    None when those rows are not in this frame."""
    index = test_predictions.index
    if len(index) == 0 or not frame.index.is_unique or not index.isin(frame.index).all():
        return None
    if len(index) > max_rows:
        index = index[np.sort(np.random.default_rng(seed).choice(len(index), size=max_rows, replace=False))]
    raw = frame.loc[index, list(suite.feature_names)]
    return suite.scaled(raw), test_predictions.loc[index, "y_true"].to_numpy(dtype=float)


def regression_permutation_importance(suite: Any, model: str, frame: pd.DataFrame,
                                      test_predictions: pd.DataFrame) -> pd.DataFrame | None:
    """Permutation importance of one stored regressor on (a sample of) its own test set."""
    from core.models.kinds import predict_regression

    if model not in suite.models or model not in suite.specs:
        return None
    data = held_out_features(suite, frame, test_predictions)
    if data is None:
        return None
    kind, fitted = suite.specs[model].kind, suite.models[model]
    return permutation_importance_table(lambda x: predict_regression(kind, fitted, x), *data, suite.feature_names)


def regression_shap_importance(suite: Any, frame: pd.DataFrame,
                               test_predictions: pd.DataFrame) -> tuple[str, pd.Series] | None:
    """(name, mean |SHAP contribution|) for the suite's first XGBoost regressor on its test set, or None."""
    names = [n for n, spec in suite.specs.items()
             if spec.kind == "xgboost" and spec.task == "regression" and n in suite.models]
    data = held_out_features(suite, frame, test_predictions) if names else None
    if data is None:
        return None
    return names[0], xgboost_contribution_importance(suite.models[names[0]], data[0], suite.feature_names)


# ---- one stored suite at a glance ------------------------------------------------------------------------------------

from core.schema import CLASSIFICATION_PREFIX, REGRESSION_PREFIX  # noqa: E402  ("reg::<model>" / "cls::<model>")


def prediction_models(test_predictions: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Regressors and classifiers that have test-set predictions stored, in the suite's order."""
    regressors = [c[len(REGRESSION_PREFIX):] for c in test_predictions.columns if c.startswith(REGRESSION_PREFIX)]
    classifiers = [c[len(CLASSIFICATION_PREFIX):] for c in test_predictions.columns
                   if c.startswith(CLASSIFICATION_PREFIX)]
    return regressors, classifiers


def _groups(table: pd.DataFrame) -> pd.Series:
    return table["group"] if "group" in table.columns else pd.Series("report", index=table.index)


@dataclass(frozen=True)
class SuiteSummary:
    n_models: int
    n_test: int
    n_positive: int
    popular_threshold: float
    trained_at: str
    best_regressor: str | None          # highest test R² among real models
    best_classifier: str | None         # highest PR-AUC among real models
    classifiers_by_pr_auc: list[str]    # real models first (best first), baselines last
    regression_baselines: list[str]

    @property
    def positive_rate(self) -> float:
        return self.n_positive / self.n_test if self.n_test else 0.0


def suite_summary(tables: Any) -> SuiteSummary:
    """Counts and picks the page needs from a stored suite's tables (SuiteTables or TrainedSuite)."""
    predictions = tables.test_predictions
    regression = _ok_rows(tables.regression_table)
    classification = _ok_rows(tables.classification_table)
    manifest = getattr(tables, "manifest", None) or {}
    regression_baselines = [str(n) for n, g in _groups(regression).items() if g == "baseline"]
    real_regressors = regression.drop(index=regression_baselines)
    best_regressor = (str(real_regressors["R2 Score"].astype(float).idxmax())
                      if "R2 Score" in real_regressors and real_regressors["R2 Score"].notna().any() else None)
    groups = _groups(classification)
    real = classification[groups != "baseline"]
    ranked: list[str] = []
    if "pr_auc" in classification and len(classification):
        ranked = [str(n) for n in real["pr_auc"].astype(float).sort_values(ascending=False).index]
        ranked += [str(n) for n in classification.index if str(n) not in ranked]
    y_class = predictions["y_class"] if "y_class" in predictions else pd.Series(dtype=int)
    n_positive = int((y_class == top_class(manifest, y_class)).sum()) if len(y_class) else 0
    threshold = getattr(tables, "popular_threshold", None) or manifest.get("popular_threshold") or float("nan")
    trained_at = str(manifest.get("created_at") or manifest.get("saved_at") or manifest.get("trained_at") or "—")
    return SuiteSummary(
        n_models=len(regression) + len(classification), n_test=len(predictions), n_positive=n_positive,
        popular_threshold=float(threshold), trained_at=trained_at.replace("T", " ")[:16],
        best_regressor=best_regressor, best_classifier=ranked[0] if ranked else None,
        classifiers_by_pr_auc=ranked, regression_baselines=regression_baselines,
    )


@dataclass(frozen=True)
class ClassificationCurves:
    """Everything the threshold explorer draws for one classifier, computed once per model."""

    y_class: np.ndarray
    proba: np.ndarray
    roc: pd.DataFrame
    pr: pd.DataFrame
    histogram: pd.DataFrame
    best_threshold: float
    roc_auc: float
    pr_auc: float

    @property
    def base_rate(self) -> float:
        return float(self.y_class.mean()) if len(self.y_class) else 0.0


def top_class(manifest: Mapping[str, Any] | None, y_class: Any) -> int:
    """The 'popular' class: the last of the suite's classes (1 for the report's top-1 % split)."""
    classes = (manifest or {}).get("classes")
    if classes:
        return int(classes[-1])
    values = np.asarray(y_class)
    return int(values.max()) if len(values) else 1


def classification_curves(test_predictions: pd.DataFrame, model: str,
                          manifest: Mapping[str, Any] | None = None) -> ClassificationCurves:
    """Curves, histogram and F1-best threshold of one classifier's stored test probabilities."""
    from sklearn.metrics import average_precision_score, roc_auc_score

    positive = test_predictions["y_class"].to_numpy() == top_class(manifest, test_predictions["y_class"])
    y, p = _as_arrays(positive.astype(int), test_predictions[CLASSIFICATION_PREFIX + model])
    two_classes = y.min(initial=0) != y.max(initial=0)
    return ClassificationCurves(
        y_class=y, proba=p, roc=roc_points(y, p), pr=pr_points(y, p), histogram=probability_histogram(p, y),
        best_threshold=f1_optimal_threshold(y, p),
        roc_auc=float(roc_auc_score(y, p)) if two_classes else float("nan"),
        pr_auc=float(average_precision_score(y, p)) if two_classes else float("nan"),
    )


def regression_diagnostics(test_predictions: pd.DataFrame, model: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Predicted-vs-actual density grid and residual profile for one regressor."""
    actual, predicted = test_predictions["y_true"], test_predictions[REGRESSION_PREFIX + model]
    return density_grid(actual, predicted), residual_profile(actual, predicted)


def _without_baselines(table: pd.DataFrame) -> pd.DataFrame:
    return table[_groups(table) != "baseline"]


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


def export_tables(tables: Any, intervals: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """Every table the page shows for one suite, by title (empty ones left out); with `intervals`, the leaderboards
    carry their 95 % intervals and the interval table itself is exported too."""
    intervals = intervals if intervals is not None else pd.DataFrame()
    candidates = {
        "regression metrics": regression_leaderboard(tables, intervals)[0],
        "classification metrics (report)": classification_report_view(tables.classification_table),
        "classification metrics (honest)": classification_leaderboard(tables, intervals)[0],
        "metric intervals (95 %, paired bootstrap)": export_intervals(intervals),
        "test-set predictions": tables.test_predictions,
        **{f"report {name}": table for name, table in published_tables().items()},
    }
    return {title: table for title, table in candidates.items() if not table.empty}


def published_tables() -> dict[str, pd.DataFrame]:
    """The report's own result tables, its one-line ANN results added as rows of the matching table."""
    from core import report_figures as rf

    def with_ann(table: pd.DataFrame, ann: Mapping[str, float], name: str) -> pd.DataFrame:
        return pd.concat([table, pd.DataFrame([ann], index=[name])[table.columns]])

    return {
        "regression figures": rf.REGRESSION_RESULTS,
        "classification figures": with_ann(rf.CLASSIFICATION_RESULTS, rf.ANN_CLASSIFICATION, "ANN"),
        "class-weighted figures": with_ann(rf.CLASSIFICATION_WEIGHTED_RESULTS, rf.ANN_CLASSIFICATION_WEIGHTED,
                                           "ANN (class-weighted)"),
    }


# ---- generated explanations ------------------------------------------------------------------------------------------

def _pct(value: float) -> str:
    return f"{100 * value:.1f} %" if value >= 0.001 else f"{100 * value:.2f} %"


def accuracy_note(classification_table: pd.DataFrame, n_test: int, n_positive: int) -> str:
    """Why accuracy misleads here, written from this suite's own numbers (markdown)."""
    ok = _ok_rows(classification_table)
    if n_test == 0:
        return "The test set is empty, so there is nothing to explain."
    rate = n_positive / n_test
    baseline_accuracy = 1 - rate
    groups = ok["group"] if "group" in ok.columns else pd.Series("report", index=ok.index)
    models = ok[groups != "baseline"]
    sentences = [
        f"Only {_pct(rate)} of the {n_test:,} test songs are popular ({n_positive:,}). "
        f"The majority baseline already scores **{baseline_accuracy:.3f} accuracy** by predicting "
        f"'not popular' for every song — and finds none of the popular ones."
    ]
    if len(models) and "accuracy_score" in models:
        accuracy = models["accuracy_score"].astype(float)
        close = int(((accuracy - baseline_accuracy).abs() <= 0.002).sum())
        above = int((accuracy > baseline_accuracy + 0.002).sum())
        below = int((accuracy < baseline_accuracy - 0.002).sum())
        counts = [f"{close} of {len(models)} models land within 0.002 of that accuracy"]
        if above:
            counts.append(f"{above} beat{'s' if above == 1 else ''} it by more")
        if below:
            counts.append(f"{below} score{'s' if below == 1 else ''} lower")
        sentences.append(
            ", ".join(counts) + f": accuracy — and the report's weighted precision, recall and F1, which the "
            f"{100 * baseline_accuracy:.0f} % majority dominates — cannot tell a useful model from a constant.")
    if len(models) and "minority_recall" in models and models["minority_recall"].notna().any():
        zero = int((models["minority_recall"].fillna(0) == 0).sum())
        if zero:
            verb = "flags" if zero == 1 else "flag"
            sentences.append(f"At the default 0.5 threshold {zero} of them {verb} no popular song at all.")
    if len(models) and "pr_auc" in models and models["pr_auc"].notna().any():
        best = models["pr_auc"].astype(float).idxmax()
        row = models.loc[best]
        text = (f"The honest columns separate them: **{best}** has the best PR-AUC, "
                f"{row['pr_auc']:.3f} against {rate:.3f} for random guessing")
        if "minority_f1_best" in row and pd.notna(row.get("minority_f1_best")):
            text += (f", and at its F1-best threshold ({row['best_threshold']:.3f}) it finds "
                     f"{_pct(row.get('minority_recall_best', float('nan')))} of popular songs "
                     f"with precision {row.get('minority_precision_best', float('nan')):.2f} "
                     f"(F1 {row['minority_f1_best']:.3f})")
        sentences.append(text + ".")
    return " ".join(sentences)


def split_gap_table(random_view: pd.DataFrame, grouped_view: pd.DataFrame, metric: str) -> pd.DataFrame:
    """One metric per model under the random and the artist-grouped split, and the gap (grouped − random)."""
    if metric not in random_view.columns or metric not in grouped_view.columns:
        return pd.DataFrame(columns=["random split", "grouped split", "gap"], dtype=float)
    joined = pd.concat({"random split": random_view[metric], "grouped split": grouped_view[metric]},
                       axis=1, join="inner").astype(float)
    joined["gap"] = joined["grouped split"] - joined["random split"]
    joined.index.name = "model"
    return joined


def split_gap_sentence(gap: pd.DataFrame, metric: str) -> str:
    """A sentence on what splitting by artist did to `metric`, from the gap table."""
    gap = gap.dropna()
    if gap.empty:
        return f"No model has {metric} under both splits, so there is no gap to compare."
    lower_better = metric in LOWER_IS_BETTER
    worse = -gap["gap"] if not lower_better else gap["gap"]  # positive = the grouped split looks worse
    typical = float(gap["gap"].median())
    best_random = gap["random split"].idxmin() if lower_better else gap["random split"].idxmax()
    row = gap.loc[best_random]
    head = (f"Splitting by artist changes {metric} by a median of {typical:+.3f} across {len(gap)} models; "
            f"the best model under the random split, {best_random}, goes from {row['random split']:.3f} "
            f"to {row['grouped split']:.3f}.")
    scale = max(float(gap["random split"].abs().median()), 1e-9)
    if float(worse.median()) > 0.05 * scale:
        tail = (" Songs by the same artist share much of their popularity, so a random split lets models "
                "recognise artists they have already seen; the grouped figure is the fairer estimate for an "
                "artist the model has never met.")
    elif float(worse.median()) < -0.05 * scale:
        tail = " The grouped split scores better here, so artist leakage does not inflate the random-split figures."
    else:
        tail = " The two splits agree closely, so artist leakage barely inflates the random-split figures."
    return head + tail


# ---- suite settings in words ----------------------------------------------------------------------------------------

SUITE_LABELS = {"regression": "regression", "classification": "classification", "weighted": "class-weighted"}


def describe_config(config: Any) -> str:
    """A suite's settings as a short phrase for selectors and captions (any object with SuiteConfig's fields)."""
    parts = [" + ".join(SUITE_LABELS.get(s, s) for s in config.suites)]
    parts.append("with ANNs" if config.include_ann else "no ANNs")
    if config.extras:
        parts.append("extra models")
    parts.append("split by artist" if config.grouped else "random 80/20 split")
    if config.cv_folds:
        parts.append(f"{config.cv_folds}-fold CV")
    parts.append(f"{config.max_rows:,}-row sample" if config.max_rows else "all rows")
    if getattr(config, "binning", "top1") != "top1":
        parts.append(f"{config.binning} classes")
    return " · ".join(parts)


def preferred_order(configs: Sequence[Any], report_config: Any) -> list[str]:
    """Config keys to offer, best first: the report's own settings, then random splits, then the rest (each newest
    first, as given)."""
    report_key = report_config.key()
    ranked = sorted(range(len(configs)),
                    key=lambda i: (configs[i].key() != report_key, bool(configs[i].grouped), i))
    return [configs[i].key() for i in ranked]


# ---- URL state -------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ViewState:
    tab: str | None = None
    model: str | None = None
    threshold: float | None = None


def _first(value: Any) -> str | None:
    if isinstance(value, (list, tuple)):
        value = value[0] if value else None
    return None if value is None else str(value)


def parse_view_state(params: Mapping[str, Any], tabs: Sequence[str], models: Sequence[str],
                     step: float = 0.005) -> ViewState:
    """Tab, model and threshold from a shared URL; anything unknown or out of range is dropped silently."""
    tab = _first(params.get("tab"))
    model = _first(params.get("model"))
    raw_threshold = _first(params.get("threshold"))
    threshold: float | None = None
    if raw_threshold is not None:
        try:
            value = float(raw_threshold)
        except ValueError:
            value = math.nan
        if math.isfinite(value) and 0.0 <= value <= 1.0:
            threshold = round(round(value / step) * step, 6)
    return ViewState(tab=tab if tab in tabs else None, model=model if model in models else None,
                     threshold=threshold)


# ---- exports ---------------------------------------------------------------------------------------------------------

def table_to_csv(table: pd.DataFrame) -> bytes:
    return safe_csv.to_csv_bytes(table, index=True)


def table_to_json(table: pd.DataFrame) -> bytes:
    """Records keyed by the index (model names); NaN becomes null."""
    frame = table.copy()
    frame.index = frame.index.astype(str)
    return frame.to_json(orient="index", indent=2, force_ascii=False).encode("utf-8")


def manifest_to_json(manifest: Mapping[str, Any]) -> bytes:
    return json.dumps(manifest, indent=2, default=str, ensure_ascii=False).encode("utf-8")


def export_name(kind: str, fingerprint: str, config_key: str, extension: str) -> str:
    """File names that say what they hold and which data/settings produced them."""
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in kind).strip("_")
    return f"{safe}_{fingerprint}_{config_key}.{extension}"


# ---- one target, both kinds of model: regressors thresholded at the popular cut ----------------------------------------

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
    regression = _ok_rows(tables.regression_table)
    if len(classes) != 2 or cut is None or not np.isfinite(cut) or "y_class" not in predictions:
        return pd.DataFrame(columns=tables.classification_table.columns)
    is_top = (predictions["y_class"].to_numpy() == classes[-1]).astype(int)
    rows = {}
    for name, group in _groups(regression).items():
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


def regressor_pr_curve(test_predictions: pd.DataFrame, regressor: str, cut: float,
                       manifest: Mapping[str, Any] | None = None) -> tuple[pd.DataFrame, float, tuple[float, float]]:
    """(precision–recall points, PR-AUC, (recall, precision) at the popular cut — NaN when it flags no song) of a
    regressor's predicted popularity used as the score for 'popular'."""
    from sklearn.metrics import average_precision_score

    positive = test_predictions["y_class"].to_numpy() == top_class(manifest, test_predictions["y_class"])
    y, score = _as_arrays(positive.astype(int), test_predictions[REGRESSION_PREFIX + regressor])
    if y.min(initial=0) == y.max(initial=0):
        return pr_points(y, score), float("nan"), (float("nan"), float("nan"))
    at_cut = threshold_metrics(y, score, cut)
    point = (at_cut.recall, at_cut.precision) if at_cut.tp + at_cut.fp else (float("nan"), float("nan"))
    return pr_points(y, score), float(average_precision_score(y, score)), point


# ---- uncertainty on the leaderboards --------------------------------------------------------------------------------

from core.uncertainty import thresholded_name, tie_sentence  # noqa: E402,F401  (the page reads them as cmp.*)

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
    PR-AUC (when `calibration` is given: core.calibration.suite_calibration) and the intervals, with tie flags."""
    extra = thresholded_regressor_rows(tables)
    table = tables.classification_table
    combined = pd.concat([table, extra]) if len(extra) else table
    view = honest_view(combined)
    if calibration is not None and len(calibration) and "PR-AUC" in view.columns:
        view.insert(view.columns.get_loc("PR-AUC") + 1, "Brier",
                    calibration["brier"].reindex(view.index).astype(float))
    return with_intervals(view, intervals, "classification")


def export_intervals(intervals: pd.DataFrame | None) -> pd.DataFrame:
    """The interval table as exported: one row per model × metric, the metric by its page label."""
    if intervals is None or intervals.empty:
        return pd.DataFrame()
    labels = {**INTERVAL_METRICS["regression"], **INTERVAL_METRICS["classification"]}
    out = intervals.assign(metric=intervals["metric"].map(labels).fillna(intervals["metric"]))
    # one row per model × metric: the JSON export keys records by the index, so it names both
    out.index = pd.Index(out["model"].astype(str) + " — " + out["metric"].astype(str), name="model — metric")
    return out
