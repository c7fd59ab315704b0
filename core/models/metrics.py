"""The report's metrics exactly (via sklearn.metrics), and beside them the ones that notice the popular minority.

Report: MSE, MAE, R² for regression; accuracy and weighted precision / recall / F1 for classification (the weighted
average is what its tables show: recall_score equals accuracy in every row) and `find_best_threshold_f1`.
Added: RMSE; ROC-AUC, PR-AUC (average precision), balanced accuracy, MCC, and precision / recall / F1 of the popular
class at 0.5 and at each model's F1-optimal threshold.
"""
from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.metrics import (accuracy_score, average_precision_score, balanced_accuracy_score, f1_score,
                             matthews_corrcoef, mean_absolute_error, mean_squared_error, precision_recall_curve,
                             precision_score, r2_score, recall_score, roc_auc_score)

NAN = float("nan")

REGRESSION_METRICS = ("MSE", "MAE", "R2 Score", "RMSE")
REPORT_CLASSIFICATION_METRICS = ("accuracy_score", "precision_score", "f1_score", "recall_score")
HONEST_CLASSIFICATION_METRICS = ("roc_auc", "pr_auc", "balanced_accuracy", "mcc",
                                 "minority_precision", "minority_recall", "minority_f1",
                                 "best_threshold", "minority_precision_best", "minority_recall_best",
                                 "minority_f1_best")
CLASSIFICATION_METRICS = REPORT_CLASSIFICATION_METRICS + HONEST_CLASSIFICATION_METRICS


def regression_metrics(y_true: Any, y_pred: Any) -> dict[str, float]:
    """The report's MSE / MAE / R2 Score, plus RMSE."""
    mse = float(mean_squared_error(y_true, y_pred))
    return {"MSE": mse, "MAE": float(mean_absolute_error(y_true, y_pred)), "R2 Score": float(r2_score(y_true, y_pred)),
            "RMSE": math.sqrt(mse)}


def report_classification_metrics(y_true: Any, y_pred: Any) -> dict[str, float]:
    """The report's four columns: accuracy and weighted precision / F1 / recall (in the report's column order)."""
    return {
        "accuracy_score": float(accuracy_score(y_true, y_pred)),
        "precision_score": float(precision_score(y_true, y_pred, average="weighted", zero_division=0)),
        "f1_score": float(f1_score(y_true, y_pred, average="weighted", zero_division=0)),
        "recall_score": float(recall_score(y_true, y_pred, average="weighted", zero_division=0)),
    }


def find_best_threshold_f1(y_true: Any, y_pred_probs: Any) -> float:
    """The report's function: the precision-recall-curve threshold with the highest F1.

    Identical to the report's code, with two guards it never needed on its data: NaN when y_true has no positive (the
    curve is undefined), and the last PR point (recall 0, which has no threshold) mapped to the highest threshold.
    """
    y_true = np.asarray(y_true).ravel()
    y_pred_probs = np.asarray(y_pred_probs, dtype=float).ravel()
    if not np.any(y_true == 1):
        return NAN
    precisions, recalls, thresholds = precision_recall_curve(y_true, y_pred_probs)
    f1_scores = (2 * precisions * recalls) / (precisions + recalls + 1e-10)  # avoid division by zero
    best = int(np.argmax(f1_scores))
    return float(thresholds[min(best, len(thresholds) - 1)])


def minority_metrics(y_true: Any, proba: Any, threshold: float) -> tuple[float, float, float]:
    """Precision, recall and F1 of the positive (popular) class when P ≥ threshold means popular."""
    y_true = np.asarray(y_true).ravel().astype(int)
    predicted = (np.asarray(proba, dtype=float).ravel() >= threshold).astype(int)
    return (float(precision_score(y_true, predicted, pos_label=1, zero_division=0)),
            float(recall_score(y_true, predicted, pos_label=1, zero_division=0)),
            float(f1_score(y_true, predicted, pos_label=1, zero_division=0)))


def _two_classes(y: np.ndarray) -> bool:
    return len(np.unique(y)) >= 2


def classification_metrics(y_true: Any, y_pred: Any, proba: Any, classes: Sequence[int] | None = None
                           ) -> dict[str, float]:
    """Every classification column for one model.

    y_pred: the model's own class predictions (the report scored `model.predict`); proba: (n, n_classes)
    probabilities in `classes` order, or P(positive) for binary. The "minority" columns are about the top class (the
    popular songs; the top quantile bin in the multi-bin option); NaN where a metric is undefined (one class only).
    """
    y_true = np.asarray(y_true).ravel().astype(int)
    y_pred = np.asarray(y_pred).ravel().astype(int)
    proba = np.asarray(proba, dtype=float)
    if proba.ndim == 1:
        proba = np.column_stack([1.0 - proba, proba])
    classes = np.arange(proba.shape[1]) if classes is None else np.asarray(classes)
    top = int(classes[-1])
    p_top = proba[:, -1]
    is_top = (y_true == top).astype(int)
    out = report_classification_metrics(y_true, y_pred)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # single-class test sets: the NaN below says it better than a warning
        out["balanced_accuracy"] = float(balanced_accuracy_score(y_true, y_pred)) if _two_classes(y_true) else NAN
        out["mcc"] = float(matthews_corrcoef(y_true, y_pred))
    if _two_classes(y_true):
        if len(classes) == 2:
            out["roc_auc"] = float(roc_auc_score(is_top, p_top))
            out["pr_auc"] = float(average_precision_score(is_top, p_top))
        else:
            present = np.isin(classes, np.unique(y_true))
            out["roc_auc"] = _multiclass_auc(y_true, proba, classes) if present.all() else NAN
            out["pr_auc"] = float(average_precision_score(is_top, p_top))
    else:
        out["roc_auc"] = out["pr_auc"] = NAN
    out["minority_precision"], out["minority_recall"], out["minority_f1"] = minority_metrics(
        is_top, (y_pred == top).astype(float), 0.5)
    best = find_best_threshold_f1(is_top, p_top)
    out["best_threshold"] = best
    if math.isfinite(best):
        (out["minority_precision_best"], out["minority_recall_best"],
         out["minority_f1_best"]) = minority_metrics(is_top, p_top, best)
    else:
        out["minority_precision_best"] = out["minority_recall_best"] = out["minority_f1_best"] = NAN
    return {key: out[key] for key in CLASSIFICATION_METRICS}


def _multiclass_auc(y_true: np.ndarray, proba: np.ndarray, classes: np.ndarray) -> float:
    total = proba.sum(axis=1, keepdims=True)
    normalised = proba / np.where(total > 0, total, 1.0)
    return float(roc_auc_score(y_true, normalised, multi_class="ovr", average="weighted", labels=classes))


def mean_and_sd(scores: Sequence[float]) -> tuple[float, float]:
    """Mean and sample standard deviation (ddof=1) of k-fold scores; NaN where undefined."""
    values = np.asarray([s for s in scores if s is not None and math.isfinite(s)], dtype=float)
    if len(values) == 0:
        return NAN, NAN
    return float(values.mean()), float(values.std(ddof=1)) if len(values) > 1 else NAN


def fold_scores(task: str, y_true: Any, predicted: Any) -> dict[str, float]:
    """What one CV fold contributes: R² and RMSE (regression); PR-AUC and ROC-AUC of the top class (classification:
    `y_true` is 1 for the top class, `predicted` is P(top class))."""
    if task == "regression":
        metrics = regression_metrics(y_true, predicted)
        return {"R2": metrics["R2 Score"], "RMSE": metrics["RMSE"]}
    is_top = np.asarray(y_true).ravel().astype(int)
    p_top = np.asarray(predicted, dtype=float).ravel()
    if not _two_classes(is_top):
        return {"pr_auc": NAN, "roc_auc": NAN}
    return {"pr_auc": float(average_precision_score(is_top, p_top)), "roc_auc": float(roc_auc_score(is_top, p_top))}
