"""Does a classifier's P(popular) mean what it says? Reliability curves and Brier scores on the held-out test songs.

A model is calibrated when, among songs it gives P ≈ 0.3, about 3 in 10 are popular. With ~1 % popular songs, the
class-weighted models push P up by design (they are trained as if popular songs were as common as the rest), so their
probabilities rank songs well but overstate the chance. The What-if page says which kind of number it shows.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss

from core.schema import CLASSIFICATION_PREFIX

N_BINS = 10
# A model is called calibrated when its reliability curve is as close to the diagonal as chance allows (twice the
# binomial noise of a perfectly calibrated model with the same bins) or within a quarter of the popular rate.
NOISE_FACTOR = 2.0
RATE_TOLERANCE = 0.25


def reliability_curve(y_true, proba, n_bins: int = N_BINS) -> pd.DataFrame:
    """Bins of equal song counts (quantiles of P): mean predicted P, observed popular rate and songs per bin.

    The values come from scikit-learn's calibration_curve; the counts use its binning rule (np.percentile edges,
    searchsorted on the inner edges), and empty bins are dropped as it drops them."""
    y = np.asarray(y_true).astype(int).ravel()
    p = np.clip(np.asarray(proba, dtype=float).ravel(), 0.0, 1.0)
    keep = np.isfinite(p)
    y, p = y[keep], p[keep]
    if len(p) == 0 or len(np.unique(y)) < 2:
        return pd.DataFrame(columns=["predicted", "observed", "count"], dtype=float)
    observed, predicted = calibration_curve(y, p, n_bins=n_bins, strategy="quantile")
    edges = np.percentile(p, np.linspace(0, 100, n_bins + 1))
    counts = np.bincount(np.searchsorted(edges[1:-1], p), minlength=n_bins)
    counts = counts[counts > 0]
    return pd.DataFrame({"predicted": predicted, "observed": observed, "count": counts.astype(int)})


@dataclass(frozen=True)
class Calibration:
    """How far one classifier's probabilities are from the observed rates on the test songs."""

    brier: float
    brier_constant: float          # Brier of always predicting the test set's popular rate (the floor to beat)
    error: float                   # count-weighted mean |observed − predicted| over the reliability bins
    noise: float                   # what that error would be by chance alone for a perfectly calibrated model
    mean_predicted: float
    observed_rate: float
    top_predicted: float           # the bin of the songs it gives the highest P: their mean P …
    top_observed: float            # … and the share of them that is popular

    @property
    def calibrated(self) -> bool:
        return bool(self.error <= max(NOISE_FACTOR * self.noise, RATE_TOLERANCE * self.observed_rate))

    @property
    def direction(self) -> str:
        """"over" when the songs it rates most likely get a P above their observed rate, "under" below, "" when
        calibrated (the top bin is where a hit probability is read)."""
        if self.calibrated:
            return ""
        return "over" if self.top_predicted > self.top_observed else "under"

    def verdict(self) -> str:
        """A short phrase for a table cell or a caption."""
        if self.calibrated:
            return "calibrated"
        text = (f"{self.direction}states the chance: its top-rated songs get P {self.top_predicted:.3f}, "
                f"{self.top_observed:.3f} of them are popular")
        if self.direction == "over" and self.top_observed > 0 and self.top_predicted / self.top_observed >= 2:
            text += f" ({self.top_predicted / self.top_observed:.0f}×)"
        return text

    def short(self) -> str:
        """The verdict in a few words ("calibrated", "too high, 23× for its top-rated songs", "too low")."""
        if self.calibrated:
            return "calibrated"
        if self.direction == "under":
            return "too low"
        ratio = self.top_predicted / self.top_observed if self.top_observed > 0 else float("inf")
        return f"too high, {ratio:.0f}× for its top-rated songs" if 2 <= ratio < float("inf") else "too high"


def calibration_of(y_true, proba, n_bins: int = N_BINS) -> Calibration | None:
    """None when the test set has a single class (nothing to compare with)."""
    y = np.asarray(y_true).astype(int).ravel()
    p = np.clip(np.asarray(proba, dtype=float).ravel(), 0.0, 1.0)
    keep = np.isfinite(p)
    y, p = y[keep], p[keep]
    curve = reliability_curve(y, p, n_bins)
    if curve.empty:
        return None
    weights = curve["count"].to_numpy(dtype=float)
    predicted = curve["predicted"].to_numpy()
    error = float(np.average(np.abs(curve["observed"].to_numpy() - predicted), weights=weights))
    # E|Binomial(c, q)/c − q| ≈ sqrt(2/π) · sqrt(q(1−q)/c) for each bin
    noise = float(np.average(np.sqrt(2 / np.pi * predicted * (1 - predicted) / weights), weights=weights))
    rate = float(y.mean())
    return Calibration(brier=float(brier_score_loss(y, p)), brier_constant=float(rate * (1 - rate)), error=error,
                       noise=noise, mean_predicted=float(p.mean()), observed_rate=rate,
                       top_predicted=float(predicted[-1]), top_observed=float(curve["observed"].iloc[-1]))


def _is_top(test_predictions: pd.DataFrame, manifest: Mapping) -> np.ndarray:
    classes = manifest.get("classes") or [0, 1]
    return (test_predictions["y_class"].to_numpy() == int(classes[-1])).astype(int)


def suite_calibration(test_predictions: pd.DataFrame, manifest: Mapping) -> pd.DataFrame:
    """One row per classifier with stored test probabilities: Brier, the constant's Brier, calibration error and the
    verdict (columns: brier, brier_constant, error, mean_predicted, observed_rate, calibrated, verdict, short)."""
    is_top = _is_top(test_predictions, manifest)
    rows = {}
    for column in test_predictions:
        if not column.startswith(CLASSIFICATION_PREFIX):
            continue
        result = calibration_of(is_top, test_predictions[column])
        if result is None:
            continue
        rows[column[len(CLASSIFICATION_PREFIX):]] = {
            "brier": result.brier, "brier_constant": result.brier_constant, "error": result.error,
            "mean_predicted": result.mean_predicted, "observed_rate": result.observed_rate,
            "calibrated": result.calibrated, "verdict": result.verdict(), "short": result.short()}
    table = pd.DataFrame.from_dict(rows, orient="index",
                                   columns=["brier", "brier_constant", "error", "mean_predicted", "observed_rate",
                                            "calibrated", "verdict", "short"])
    table.index.name = "model"
    return table


def suite_reliability(test_predictions: pd.DataFrame, manifest: Mapping, model: str,
                      n_bins: int = N_BINS) -> pd.DataFrame:
    """The reliability curve of one stored classifier."""
    return reliability_curve(_is_top(test_predictions, manifest), test_predictions[CLASSIFICATION_PREFIX + model],
                             n_bins)
