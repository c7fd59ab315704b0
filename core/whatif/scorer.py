"""Every model of a trained suite, ready to score raw feature rows fast: the Scorer (the one prediction API), what it
says about one song (SongScore, the per-model table), and where a prediction ranks among the data's songs.

The what-if page calls `score_song` on every slider move for every model (≤ 50 ms budget, `benchmarks/scoring.py`), so
features are scaled with plain numpy and every model runs its kind's one-row path (`core.models.kinds`), which changes
no number.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from core.models import kinds
from core.schema import CLASSIFICATION_PREFIX
from core.whatif.sliders import is_finite

DEFAULT_THRESHOLD = 0.5
CONTRIBUTION_MODEL = "XGBoost"
BIAS = "bias"


def silent_classifiers(thresholds: pd.Series, test_predictions: pd.DataFrame | None) -> frozenset[str]:
    """Classifiers whose F1-best threshold says nothing about a song: on the held-out test songs it calls every one a
    hit, or none. A threshold of 0 always does; 1 does unless the model gives some songs P = 1 exactly (a pure leaf of
    a decision tree does, and then 1 is that tree's own verdict). Without test predictions, 0 and 1 are silent."""
    silent = set()
    for name, threshold in thresholds.items():
        column = CLASSIFICATION_PREFIX + name
        if test_predictions is not None and column in test_predictions:
            share = float(np.mean(test_predictions[column].to_numpy(dtype=float) >= threshold))
            if share in (0.0, 1.0):
                silent.add(name)
        elif threshold <= 0 or threshold >= 1:
            silent.add(name)
    return frozenset(silent)


class Scorer:
    """Every model of a trained suite, ready to score raw feature rows fast. Wraps the suite; never modifies it (the
    suite is shared between sessions by the cache)."""

    def __init__(self, suite: Any):
        self.suite = suite
        self.feature_names: list[str] = list(suite.feature_names)
        self.mean = np.asarray(suite.scaler.mean_, dtype=float)     # what suite.scaled() does, on one row
        self.scale = np.asarray(suite.scaler.scale_, dtype=float)
        specs = suite.specs
        self.baselines = {name for name, spec in specs.items() if spec.group == "baseline"}
        self.classes = list(suite.classes)
        self.regressors: dict[str, Any] = dict(suite.regressors())
        self.classifiers: dict[str, Any] = dict(suite.classifiers())
        self.regressor_names = list(self.regressors)
        self.classifier_names = list(self.classifiers)
        self.thresholds = pd.Series({name: self._threshold(name) for name in self.classifier_names}, dtype=float)
        self.silent = silent_classifiers(self.thresholds, getattr(suite, "test_predictions", None))
        # The classifiers whose verdicts are counted (page and batch alike): real models that tell songs apart.
        self.voters = [n for n in self.classifier_names if n not in self.baselines and n not in self.silent]
        # Each model's one-row path (core.models.kinds): the same numbers as its predict, without what costs
        # milliseconds on one row. Built once per suite; the suite's models are not touched.
        self.models = {**self.regressors, **self.classifiers}
        paths = {name: kinds.adapter(specs[name].kind).one_row(model, self.classes, len(self.feature_names))
                 for name, model in self.models.items()}
        self._popularity = {name: paths[name].popularity for name in self.regressors}
        self._hit_proba = {name: paths[name].hit_proba for name in self.classifiers}
        explaining = [name for name in self.regressors if kinds.adapter(specs[name].kind).explains]
        self.contribution_model: str | None = (CONTRIBUTION_MODEL if CONTRIBUTION_MODEL in explaining
                                               else (explaining[0] if explaining else None))
        self._explainer = paths[self.contribution_model] if self.contribution_model is not None else None
        self.reference_model: str | None = self.contribution_model or next(
            (n for n in self.regressor_names if n not in self.baselines), None)

    def _threshold(self, name: str) -> float:
        table = getattr(self.suite, "classification_table", None)
        if table is None or name not in table.index or "best_threshold" not in table:
            return DEFAULT_THRESHOLD
        value = table.loc[name, "best_threshold"]
        return float(value) if is_finite(value) else DEFAULT_THRESHOLD

    # -- inputs

    def matrix(self, frame: pd.DataFrame) -> np.ndarray:
        """Raw feature columns (in the suite's order) -> the scaled float matrix every model takes."""
        raw = frame[self.feature_names].to_numpy(dtype=float)
        return (raw - self.mean) / self.scale

    def song_matrix(self, song: Mapping[str, float]) -> np.ndarray:
        raw = np.array([[float(song[name]) for name in self.feature_names]])
        return (raw - self.mean) / self.scale

    # -- one model, through its kind's one-row path (tests compare it with the kind's predict on the same rows)

    def predict_popularity_one(self, name: str, x: np.ndarray) -> np.ndarray:
        return self._popularity[name](x)

    def predict_proba_one(self, name: str, x: np.ndarray) -> np.ndarray:
        """P(popular): the probability of the top class (the last one)."""
        return self._hit_proba[name](x)

    # -- every model

    def popularity(self, x: np.ndarray, models: Sequence[str] | None = None) -> np.ndarray:
        names = self.regressor_names if models is None else [m for m in models if m in self.regressors]
        return np.column_stack([self.predict_popularity_one(n, x) for n in names]) if names else np.empty((len(x), 0))

    def hit_proba(self, x: np.ndarray, models: Sequence[str] | None = None) -> np.ndarray:
        names = self.classifier_names if models is None else [m for m in models if m in self.classifiers]
        return np.column_stack([self.predict_proba_one(n, x) for n in names]) if names else np.empty((len(x), 0))

    def contributions(self, x: np.ndarray) -> np.ndarray | None:
        """Per-row [feature contributions..., bias] of the contribution model (sums to its prediction)."""
        if self._explainer is None:
            return None
        return self._explainer.contributions(x)


@dataclass
class SongScore:
    """Everything every model says about one song."""

    popularity: pd.Series                 # regressor -> predicted popularity
    hit_probability: pd.Series            # classifier -> P(popular)
    threshold: pd.Series                  # classifier -> its F1-best threshold
    baselines: frozenset[str] = frozenset()
    contributions: pd.Series | None = None   # "bias" then feature -> contribution; sums to that model's prediction
    contribution_model: str | None = None
    silent: frozenset[str] = frozenset()     # classifiers whose threshold cannot tell songs apart (no vote)

    @property
    def is_hit(self) -> pd.Series:
        return self.hit_probability >= self.threshold.reindex(self.hit_probability.index)

    @property
    def model_popularity(self) -> pd.Series:
        """Predictions of the real models (baselines left out of the spread)."""
        return self.popularity.drop(index=[n for n in self.popularity.index if n in self.baselines])

    @property
    def model_hit_probability(self) -> pd.Series:
        return self.hit_probability.drop(index=[n for n in self.hit_probability.index if n in self.baselines])

    @property
    def hit_votes(self) -> tuple[int, int]:
        """(hits, voters) among the real classifiers that tell songs apart."""
        ignored = set(self.baselines) | self.silent
        hits = self.is_hit.drop(index=[n for n in self.is_hit.index if n in ignored])
        return int(hits.sum()), int(len(hits))

    @property
    def silent_models(self) -> list[str]:
        """Real classifiers left out of the vote (see `silent_classifiers`)."""
        return [n for n in self.threshold.index if n in self.silent and n not in self.baselines]


POPULARITY_TABLE_COLUMNS = ["model", "kind", "popularity", "vs_mean", "vs_actual", "test_rmse", "test_r2"]


def popularity_table(score: SongScore, regression_table: pd.DataFrame | None = None,
                     actual: float | None = None) -> pd.DataFrame:
    """One row per regressor, highest prediction first and baselines last: the prediction, its gap to the models'
    mean (and to the song's actual popularity when known), and how far off that model is on held-out songs (test
    RMSE and R² from the suite's regression table), so a 50 is read as 50 ± its typical error."""
    predictions = score.popularity.astype(float)
    mean = float(score.model_popularity.mean()) if len(score.model_popularity) else np.nan
    metrics = regression_table if regression_table is not None else pd.DataFrame()
    table = pd.DataFrame({
        "model": predictions.index,
        "kind": ["baseline" if name in score.baselines else "model" for name in predictions.index],
        "popularity": predictions.to_numpy(),
        "vs_mean": predictions.to_numpy() - mean,
        "vs_actual": predictions.to_numpy() - actual if actual is not None else np.nan,
        "test_rmse": [float(metrics.at[n, "RMSE"]) if "RMSE" in metrics and n in metrics.index else np.nan
                      for n in predictions.index],
        "test_r2": [float(metrics.at[n, "R2 Score"]) if "R2 Score" in metrics and n in metrics.index else np.nan
                    for n in predictions.index],
    }, columns=POPULARITY_TABLE_COLUMNS)
    order = np.lexsort((-table["popularity"].to_numpy(), (table["kind"] == "baseline").to_numpy()))
    return table.iloc[order].reset_index(drop=True)


def song_frame(song: Mapping[str, float], feature_names: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame([{name: float(song[name]) for name in feature_names}])


def score_song(scorer: Scorer, song: Mapping[str, float], with_contributions: bool = True) -> SongScore:
    """Every model's prediction for one song (the what-if page calls this on every slider move)."""
    x = scorer.song_matrix(song)
    popularity = pd.Series(scorer.popularity(x)[0], index=scorer.regressor_names, dtype=float)
    proba = pd.Series(scorer.hit_proba(x)[0], index=scorer.classifier_names, dtype=float)
    contributions = None
    if with_contributions and scorer.contribution_model is not None:
        values = scorer.contributions(x)[0]
        contributions = pd.Series(np.r_[values[-1], values[:-1]], index=[BIAS, *scorer.feature_names], dtype=float)
    return SongScore(popularity, proba, scorer.thresholds.copy(), frozenset(scorer.baselines), contributions,
                     scorer.contribution_model, scorer.silent)



def reference_predictions(scorer: Scorer, frame: pd.DataFrame) -> np.ndarray:
    """The reference model's predicted popularity for every song of the data, sorted (for percentile ranks)."""
    if scorer.reference_model is None:
        return np.empty(0)
    complete = frame[scorer.feature_names].notna().all(axis=1).to_numpy()
    x = scorer.matrix(frame.loc[complete])
    return np.sort(scorer.predict_popularity_one(scorer.reference_model, x))


def percentile_rank(sorted_predictions: np.ndarray, prediction: float) -> float | None:
    """Share (0–100) of the data's songs the reference model scores at or below this prediction."""
    if len(sorted_predictions) == 0 or not is_finite(prediction):
        return None
    return 100.0 * np.searchsorted(sorted_predictions, prediction, side="right") / len(sorted_predictions)


def ordinal(value: float) -> str:
    """42 -> "42nd" (percentiles read as ranks)."""
    n = int(round(value))
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# ---- is this song plausible? -----------------------------------------------------------------------------------------
