"""One classifier at a threshold: the confusion matrix and minority-class metrics, the F1-best threshold, ROC and
precision-recall curves, the probability histogram, and a regressor's predicted popularity used as a score.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import precision_recall_curve, roc_curve

from core.schema import CLASSIFICATION_PREFIX, REGRESSION_PREFIX


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
    """The report's `find_best_threshold_f1` (core.models.metrics); 0.5 when undefined (no popular song in the test set)."""
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
