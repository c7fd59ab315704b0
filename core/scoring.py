"""Score songs with every model of a trained suite: one song, a batch, why (contributions), what if (sensitivity), and
whether the song looks like real data at all (nearest real songs, out-of-distribution check).

The what-if page calls `score_song` on every slider move for every model (≤ 50 ms budget, `core/bench/scoring.py`), so
the hot path skips what costs milliseconds on one row and changes no number (tests compare with the engine's own
predictions): features are scaled with plain numpy; XGBoost predicts on a private single-thread copy of its booster;
AdaBoost and forests walk their trees directly instead of through joblib and per-tree input checks; Keras networks run
their inference pass in numpy from their weights (never `model.predict`, which builds a tf.data pipeline per call).
Everything else goes through `core.training`'s predict functions.
"""
from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from core import ann, schema
from core.schema import CLASSIFICATION_PREFIX, REGRESSION_PREFIX  # noqa: F401 (pages read scoring.*_PREFIX)

HIT_PREFIX = "hit::"
DEFAULT_THRESHOLD = 0.5
CONTRIBUTION_MODEL = "XGBoost"
BIAS = "bias"


# ---- the song: slider specifications, starting points, the query string ----------------------------------------------

@dataclass(frozen=True)
class SliderSpec:
    """A slider for one of the schema's features on this data: its range clipped to what the data holds, continuous
    or over named choices."""

    feature: schema.Feature
    min: float
    max: float
    step: float
    options: tuple[int, ...] = ()          # for choice sliders (key, mode, time signature, duration in seconds)
    number_format: str = "%.3f"            # printf format for continuous sliders

    @property
    def name(self) -> str:
        return self.feature.name

    @property
    def label(self) -> str:
        return self.feature.label

    @property
    def help(self) -> str:
        return self.feature.help

    @property
    def unit(self) -> str:
        return "m:ss" if self.name == "duration_ms" else self.feature.unit

    @property
    def is_choice(self) -> bool:
        return bool(self.options)

    @property
    def decimals(self) -> int:
        return max(0, -math.floor(math.log10(self.step) + 1e-9)) if self.step < 1 else 0

    def snap(self, value: float) -> float | int:
        """The nearest value the slider can show (on the step grid, inside the range)."""
        value = min(max(float(value), self.min), self.max)
        if self.is_choice:
            return min(self.options, key=lambda option: abs(option - value))
        snapped = self.min + round((value - self.min) / self.step) * self.step
        return round(min(max(snapped, self.min), self.max), self.decimals)

    def format_value(self, value: float) -> str:
        if self.name == "duration_ms":
            seconds = int(round(value / 1000))
            hours, rest = divmod(seconds, 3600)
            return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"
        if self.name in ("key", "mode", "time_signature"):
            return self.feature.format_value(value)
        text = f"{value:.{self.decimals}f}"
        return f"{text} {self.unit}" if self.unit not in ("", "0–1") else text

    def axis_title(self) -> str:
        return f"{self.label} ({self.unit})" if self.unit else self.label


def slider_specs(frame: pd.DataFrame, feature_names: Sequence[str]) -> list[SliderSpec]:
    """One spec per model feature, ranged over the data's observed min–max clipped to the schema's range."""
    specs = []
    for name in feature_names:
        feature = schema.FEATURES_BY_NAME[name]
        values = pd.to_numeric(frame[name], errors="coerce") if name in frame else pd.Series(dtype=float)
        observed_min = float(values.min()) if values.notna().any() else feature.min
        observed_max = float(values.max()) if values.notna().any() else feature.max
        low = max(feature.min, observed_min)
        high = min(feature.max, observed_max)
        if name == "duration_ms":
            options = duration_options(low, high)
            specs.append(SliderSpec(feature, options[0], options[-1], 1000, options=options))
            continue
        if feature.integer:
            low_i, high_i = int(math.floor(low)), int(math.ceil(high))
            if high_i <= low_i:
                high_i = min(int(feature.max), low_i + 1)
                low_i = high_i - 1
            specs.append(SliderSpec(feature, low_i, high_i, 1, options=tuple(range(low_i, high_i + 1))))
            continue
        step = feature.step
        low = math.floor(low / step) * step
        high = math.ceil(high / step) * step
        if high <= low:
            high = low + step
        decimals = max(0, -math.floor(math.log10(step) + 1e-9))
        unit = f" {feature.unit}" if feature.unit not in ("", "0–1") else ""
        specs.append(SliderSpec(feature, round(low, decimals), round(high, decimals), step,
                                number_format=f"%.{decimals}f{unit}"))
    return specs


# Duration stops, in ms: every second where songs are (up to 10 min), coarser in the long tail (the twin reaches
# 93 min), so the slider spends its width on real songs and does not send thousands of options on every move.
DURATION_STEPS_S = ((0, 600, 1), (600, 1_200, 5), (1_200, 3_600, 30), (3_600, 24 * 3_600, 60))


def duration_options(low_ms: float, high_ms: float) -> tuple[int, ...]:
    low_s = max(1, math.floor(low_ms / 1000))
    high_s = max(low_s + 1, math.ceil(high_ms / 1000))
    grid = {second for start, stop, step in DURATION_STEPS_S for second in range(start, stop + 1, step)}
    stops = sorted({s for s in grid if low_s < s < high_s} | {low_s, high_s})
    return tuple(s * 1000 for s in stops)


def median_song(frame: pd.DataFrame, specs: Sequence[SliderSpec]) -> dict[str, float | int]:
    """The dataset's median value of every feature, on the slider grid."""
    return {spec.name: spec.snap(float(pd.to_numeric(frame[spec.name], errors="coerce").median())) for spec in specs}


def song_from_row(frame: pd.DataFrame, label: Any, specs: Sequence[SliderSpec]) -> dict[str, float | int]:
    """A real song's feature values (by index label), on the slider grid; missing values fall back to the median."""
    row = frame.loc[label]
    median = median_song(frame, specs)
    return {spec.name: spec.snap(float(row[spec.name])) if _finite(row.get(spec.name)) else median[spec.name]
            for spec in specs}


def song_title(frame: pd.DataFrame, label: Any) -> str:
    row = frame.loc[label]
    artist = row.get(schema.ARTIST)
    title = row.get(schema.TRACK_NAME)
    artist = artist if isinstance(artist, str) and artist else "unknown artist"
    title = title if isinstance(title, str) and title else "untitled"
    return f"{artist} — {title}"


def search_keys(frame: pd.DataFrame) -> pd.Series | None:
    """Lower-case "artist — title" per row, built once per dataset so a search is one vectorised contains()."""
    if schema.ARTIST not in frame and schema.TRACK_NAME not in frame:
        return None
    artist = frame[schema.ARTIST].astype("string").fillna("") if schema.ARTIST in frame else ""
    title = frame[schema.TRACK_NAME].astype("string").fillna("") if schema.TRACK_NAME in frame else ""
    return (artist + " — " + title).str.lower()


def search_songs(keys: pd.Series | None, query: str, limit: int = 50) -> list[Any]:
    """Index labels of songs whose artist or title contains every word of the query (case-insensitive)."""
    words = [w for w in query.lower().split() if w]
    if keys is None or not words:
        return []
    mask = np.ones(len(keys), dtype=bool)
    for word in words:
        mask &= keys.str.contains(word, regex=False).to_numpy(dtype=bool, na_value=False)
    return list(keys.index[mask][:limit])


def random_popular_label(frame: pd.DataFrame, threshold: float, rng: np.random.Generator) -> Any | None:
    """A random song at or above the popularity threshold, or None when the data has none (or no popularity)."""
    if schema.TARGET not in frame:
        return None
    popular = frame.index[pd.to_numeric(frame[schema.TARGET], errors="coerce").to_numpy() >= threshold]
    return popular[rng.integers(len(popular))] if len(popular) else None


def encode_song(song: Mapping[str, float], specs: Sequence[SliderSpec]) -> dict[str, str]:
    """The song as query-string parameters: feature name -> the slider value as text."""
    out = {}
    for spec in specs:
        if spec.name in song:
            value = spec.snap(song[spec.name])
            out[spec.name] = str(int(value)) if spec.is_choice else f"{value:.{spec.decimals}f}"
    return out


def decode_song(params: Mapping[str, Any], specs: Sequence[SliderSpec]) -> dict[str, float | int]:
    """Slider values from query-string parameters. Only known feature names with a finite number inside the slider's
    range are used; everything else is ignored (a URL is user input)."""
    song: dict[str, float | int] = {}
    for spec in specs:
        raw = params.get(spec.name)
        if isinstance(raw, list):
            raw = raw[-1] if raw else None
        if raw is None or len(str(raw)) > 32:
            continue
        try:
            value = float(str(raw).strip())
        except ValueError:
            continue
        if not math.isfinite(value) or value < spec.min or value > spec.max:
            continue
        if spec.is_choice and spec.name != "duration_ms" and value != int(value):
            continue
        song[spec.name] = spec.snap(value)
    return song


def changed_features(before: Mapping[str, float] | None, after: Mapping[str, float],
                     specs: Sequence[SliderSpec]) -> list[str]:
    """Labels of the sliders that moved away from the starting point."""
    if not before:
        return []
    return [spec.label for spec in specs
            if spec.name in before and spec.name in after and spec.snap(before[spec.name]) != after[spec.name]]


def _finite(value: Any) -> bool:
    try:
        return value is not None and math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


# ---- scoring with every model ----------------------------------------------------------------------------------------

def _is_xgboost(model: Any) -> bool:
    return type(model).__module__.startswith("xgboost") and hasattr(model, "get_booster")


def _single_thread_booster(model: Any) -> Any:
    booster = model.get_booster().copy()
    booster.set_param({"nthread": 1})
    return booster


def _compiled_network(model: Any, n_features: int) -> Any:
    import tensorflow as tf

    @tf.function(input_signature=[tf.TensorSpec([None, n_features], tf.float32)], reduce_retracing=True)
    def call(x):
        return model(x, training=False)

    return call


def _tree_predictions(model: Any, x: np.ndarray) -> np.ndarray:
    """(n_estimators, n_rows) predictions of a boosted ensemble's trees, skipping per-tree input validation (the
    trees take float32, as their own predict would convert to)."""
    x32 = np.ascontiguousarray(x, dtype=np.float32)
    return np.array([tree.predict(x32, check_input=False) for tree in model.estimators_])


_FORESTS = ("RandomForestClassifier", "ExtraTreesClassifier")


def _forest_proba(model: Any, x: np.ndarray) -> np.ndarray:
    """ForestClassifier.predict_proba — the mean of the trees' leaf class fractions, summed in the same order —
    without a joblib dispatch and input checks per tree."""
    x32 = np.ascontiguousarray(x, dtype=np.float32)
    proba = np.zeros((len(x), model.n_classes_), dtype=np.float64)
    for tree in model.estimators_:
        proba += tree.tree_.predict(x32)[:, :model.n_classes_]
    proba /= len(model.estimators_)
    return proba


def _adaboost_regression(model: Any, x: np.ndarray) -> np.ndarray:
    """AdaBoostRegressor.predict (the weighted median of its trees), as scikit-learn computes it."""
    predictions = _tree_predictions(model, x).T
    sorted_idx = np.argsort(predictions, axis=1)
    weight_cdf = np.cumsum(model.estimator_weights_[sorted_idx], axis=1)
    median_idx = (weight_cdf >= 0.5 * weight_cdf[:, -1][:, np.newaxis]).argmax(axis=1)
    rows = np.arange(len(x))
    return predictions[rows, sorted_idx[rows, median_idx]].astype(float)


def _adaboost_proba(model: Any, x: np.ndarray) -> np.ndarray:
    """AdaBoostClassifier.predict_proba (SAMME), as scikit-learn computes it."""
    n_classes = model.n_classes_
    classes = model.classes_[:, np.newaxis]
    weights = model.estimator_weights_[:len(model.estimators_)]
    pred = sum(np.where((tree_pred == classes).T, w, -1 / (n_classes - 1) * w)
               for tree_pred, w in zip(_tree_predictions(model, x), weights))
    pred /= weights.sum()
    if n_classes == 2:
        pred[:, 0] *= -1
        pred = pred.sum(axis=1)
    return type(model)._compute_proba_from_decision(pred, n_classes)


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
        self._mean = np.asarray(suite.scaler.mean_, dtype=float)     # what suite.scaled() does, on one row
        self._scale = np.asarray(suite.scaler.scale_, dtype=float)
        specs = suite.specs
        self.baselines = {name for name, spec in specs.items() if spec.group == "baseline"}
        self._kinds = {name: spec.kind for name, spec in specs.items()}
        self.classes = list(suite.classes)
        self.regressors: dict[str, Any] = dict(suite.regressors())
        self.classifiers: dict[str, Any] = dict(suite.classifiers())
        self.regressor_names = list(self.regressors)
        self.classifier_names = list(self.classifiers)
        self.thresholds = pd.Series({name: self._threshold(name) for name in self.classifier_names}, dtype=float)
        self.silent = silent_classifiers(self.thresholds, getattr(suite, "test_predictions", None))
        # The classifiers whose verdicts are counted (page and batch alike): real models that tell songs apart.
        self.voters = [n for n in self.classifier_names if n not in self.baselines and n not in self.silent]
        # Private single-thread copies of the XGBoost boosters: on one row, waking OpenMP's thread pool costs ~25 ms
        # once any other library has used threads, while one thread predicts in ~0.2 ms. The suite is not touched.
        self._boosters = {name: _single_thread_booster(model) for name, model in
                          {**self.regressors, **self.classifiers}.items() if _is_xgboost(model)}
        # Keras networks: a call pays milliseconds of TensorFlow dispatch and thread-pool wake-ups (12 ms each on a
        # busy server) for a few small matrix products, so their inference pass runs in numpy with the same weights
        # (tests check it equals model(x, training=False)); a network with a layer numpy does not know is called
        # through a traced tf.function instead.
        self.models = {**self.regressors, **self.classifiers}
        self._networks: dict[str, Any] = {name: ann.inference_pass(self.models[name]) for name in self.models
                                          if self._kinds.get(name) == "keras"}
        xgb = [name for name, model in self.regressors.items() if _is_xgboost(model)]
        self.contribution_model: str | None = (CONTRIBUTION_MODEL if CONTRIBUTION_MODEL in xgb
                                               else (xgb[0] if xgb else None))
        self.reference_model: str | None = self.contribution_model or next(
            (n for n in self.regressor_names if n not in self.baselines), None)

    def _threshold(self, name: str) -> float:
        table = getattr(self.suite, "classification_table", None)
        if table is None or name not in table.index or "best_threshold" not in table:
            return DEFAULT_THRESHOLD
        value = table.loc[name, "best_threshold"]
        return float(value) if _finite(value) else DEFAULT_THRESHOLD

    # -- inputs

    def matrix(self, frame: pd.DataFrame) -> np.ndarray:
        """Raw feature columns (in the suite's order) -> the scaled float matrix every model takes."""
        raw = frame[self.feature_names].to_numpy(dtype=float)
        return (raw - self._mean) / self._scale

    def song_matrix(self, song: Mapping[str, float]) -> np.ndarray:
        raw = np.array([[float(song[name]) for name in self.feature_names]])
        return (raw - self._mean) / self._scale

    # -- one model: the engine's own predict functions, with single-row shortcuts that give the same numbers (the
    # tests compare them with the engine's predictions)

    def predict_popularity_one(self, name: str, x: np.ndarray) -> np.ndarray:
        model = self.regressors[name]
        if name in self._boosters:
            return np.asarray(self._boosters[name].inplace_predict(x), dtype=float).reshape(-1)
        if name in self._networks:
            return self._network_output(name, x).reshape(-1).astype(float)
        if type(model).__name__ == "AdaBoostRegressor":
            return _adaboost_regression(model, x)
        from joblib import parallel_config

        from core import training

        # Ensembles fitted with n_jobs=-1 would start a thread pool per call: ~10 ms wasted on a single row.
        with parallel_config(backend="sequential"):
            return training.predict_regression(self._kinds[name], model, x)

    def predict_proba_one(self, name: str, x: np.ndarray) -> np.ndarray:
        """P(popular): the probability of the top class (the last one)."""
        model = self.classifiers[name]
        if name in self._boosters and len(self.classes) == 2:
            return np.asarray(self._boosters[name].inplace_predict(x), dtype=float).reshape(-1)
        if name in self._networks:
            return ann.network_probabilities(self._network_output(name, x))[:, -1]
        if type(model).__name__ == "AdaBoostClassifier" and list(model.classes_) == self.classes:
            return _adaboost_proba(model, x)[:, -1]
        if type(model).__name__ in _FORESTS and model.n_outputs_ == 1 and list(model.classes_) == self.classes:
            return _forest_proba(model, x)[:, -1]
        from joblib import parallel_config

        from core import training

        with parallel_config(backend="sequential"):
            return training.predict_class_proba(self._kinds[name], model, x, self.classes)[:, -1]

    def _network_output(self, name: str, x: np.ndarray) -> np.ndarray:
        if self._networks[name] is None:
            self._networks[name] = _compiled_network(self.models[name], len(self.feature_names))
        return np.asarray(self._networks[name](np.asarray(x, dtype=np.float32)), dtype=float)

    # -- every model

    def popularity(self, x: np.ndarray, models: Sequence[str] | None = None) -> np.ndarray:
        names = self.regressor_names if models is None else [m for m in models if m in self.regressors]
        return np.column_stack([self.predict_popularity_one(n, x) for n in names]) if names else np.empty((len(x), 0))

    def hit_proba(self, x: np.ndarray, models: Sequence[str] | None = None) -> np.ndarray:
        names = self.classifier_names if models is None else [m for m in models if m in self.classifiers]
        return np.column_stack([self.predict_proba_one(n, x) for n in names]) if names else np.empty((len(x), 0))

    def contributions(self, x: np.ndarray) -> np.ndarray | None:
        """Per-row [feature contributions..., bias] of the contribution model (sums to its prediction)."""
        if self.contribution_model is None:
            return None
        import xgboost

        booster = self._boosters[self.contribution_model]
        return booster.predict(xgboost.DMatrix(x, feature_names=booster.feature_names, nthread=1),
                               pred_contribs=True)


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


def score_batch(scorer: Scorer, frame: pd.DataFrame) -> pd.DataFrame:
    """Every model's prediction for every row: reg::<model> popularity, cls::<model> P(popular), hit::<model> 0/1 at
    that model's F1-best threshold. Rows with a missing feature value get empty predictions."""
    complete = frame[scorer.feature_names].apply(pd.to_numeric, errors="coerce").notna().all(axis=1).to_numpy()
    out = pd.DataFrame(index=frame.index)
    x = scorer.matrix(frame.loc[complete]) if complete.any() else np.empty((0, len(scorer.feature_names)))
    popularity = scorer.popularity(x) if len(x) else np.empty((0, len(scorer.regressor_names)))
    proba = scorer.hit_proba(x) if len(x) else np.empty((0, len(scorer.classifier_names)))
    for i, name in enumerate(scorer.regressor_names):
        column = np.full(len(frame), np.nan)
        column[complete] = popularity[:, i]
        out[REGRESSION_PREFIX + name] = column
    for i, name in enumerate(scorer.classifier_names):
        column = np.full(len(frame), np.nan)
        column[complete] = proba[:, i]
        out[CLASSIFICATION_PREFIX + name] = column
    for name in scorer.classifier_names:
        p = out[CLASSIFICATION_PREFIX + name]
        out[HIT_PREFIX + name] = (p >= scorer.thresholds[name]).astype("Int64").where(p.notna())
    return out


def scored_table(scorer: Scorer, frame: pd.DataFrame) -> pd.DataFrame:
    """The batch-scoring result a person downloads: id columns and actual popularity (when present), a summary across
    models, then every model's columns."""
    predictions = score_batch(scorer, frame)
    keep = [c for c in (*schema.ID_COLUMNS, schema.TARGET) if c in frame]
    out = frame[keep].copy()
    models = [REGRESSION_PREFIX + n for n in scorer.regressor_names if n not in scorer.baselines]
    votes = [HIT_PREFIX + n for n in scorer.voters]
    if models:
        out["predicted_popularity_mean"] = predictions[models].mean(axis=1)
        out["predicted_popularity_min"] = predictions[models].min(axis=1)
        out["predicted_popularity_max"] = predictions[models].max(axis=1)
    if votes:
        out["hit_votes"] = predictions[votes].sum(axis=1, min_count=1).astype("Int64")
        out["classifiers"] = len(votes)
    return pd.concat([out, predictions], axis=1)


@dataclass
class BatchResult:
    """A scored upload, or the loader's message saying why it could not be read."""

    table: pd.DataFrame | None = None
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    missing_columns: list[str] = field(default_factory=list)   # what the loader could not find (mapping needed)


def score_upload(scorer: Scorer, data: bytes, name: str) -> BatchResult:
    """Parse an uploaded CSV with the data loader (same messages as the sidebar) and score every row."""
    from core import sources

    try:
        dataset = sources.load_csv(data, name=name, source_kind="upload")
    except sources.DataError as error:
        return BatchResult(error=str(error), missing_columns=list(getattr(error, "missing_columns", []) or []))
    frame, filled = fill_missing_features(dataset.frame, scorer.feature_names, scorer.suite)
    table = scored_table(scorer, frame)
    incomplete = int(table[REGRESSION_PREFIX + scorer.regressor_names[0]].isna().sum()) if scorer.regressor_names else 0
    notes = list(filled)
    if incomplete:
        notes.append(f"{incomplete:,} rows have a missing or unreadable feature value and were left unscored.")
    return BatchResult(table=table, warnings=notes)


# ---- why and what if -------------------------------------------------------------------------------------------------

def sensitivity_grid(spec: SliderSpec, current: float, n_points: int = 41) -> np.ndarray:
    """The values a sensitivity curve visits: the whole slider range plus the current value itself."""
    if spec.is_choice and len(spec.options) <= 2 * n_points:
        values = np.asarray(spec.options, dtype=float)
    else:
        values = np.array([spec.snap(v) for v in np.linspace(spec.min, spec.max, n_points)], dtype=float)
    return np.unique(np.r_[values, spec.snap(current)])


def sensitivity_curve(scorer: Scorer, song: Mapping[str, float], spec: SliderSpec,
                      models: Sequence[str] | None = None, n_points: int = 41) -> pd.DataFrame:
    """Every chosen model's prediction as one feature sweeps its range, the others held at the song's values.

    Long format: value, model, kind ("popularity" | "hit probability"), prediction."""
    grid = sensitivity_grid(spec, song[spec.name], n_points)
    rows = np.repeat(scorer.song_matrix(song), len(grid), axis=0)
    column = scorer.feature_names.index(spec.name)
    rows[:, column] = (grid - scorer._mean[column]) / scorer._scale[column]
    regressors = [m for m in (models or scorer.regressor_names) if m in scorer.regressors]
    classifiers = [m for m in (models or scorer.classifier_names) if m in scorer.classifiers]
    parts = []
    if regressors:
        predicted = scorer.popularity(rows, regressors)
        parts.append(pd.DataFrame({"value": np.tile(grid, len(regressors)), "model": np.repeat(regressors, len(grid)),
                                   "kind": "popularity", "prediction": predicted.T.reshape(-1)}))
    if classifiers:
        proba = scorer.hit_proba(rows, classifiers)
        parts.append(pd.DataFrame({"value": np.tile(grid, len(classifiers)),
                                   "model": np.repeat(classifiers, len(grid)),
                                   "kind": "hit probability", "prediction": proba.T.reshape(-1)}))
    if not parts:
        return pd.DataFrame(columns=["value", "model", "kind", "prediction"])
    return pd.concat(parts, ignore_index=True)


def default_sweep_models(scorer: Scorer, n_classifiers: int = 2) -> list[str]:
    """A readable default for the sweep: every regressor and the classifiers that best find popular songs (PR-AUC)."""
    regressors = [n for n in scorer.regressor_names if n not in scorer.baselines]
    table = getattr(scorer.suite, "classification_table", None)
    candidates = [n for n in scorer.classifier_names if n not in scorer.baselines]
    if table is not None and "pr_auc" in table and len(candidates):
        ranked = table.loc[[n for n in candidates if n in table.index], "pr_auc"].dropna()
        candidates = list(ranked.sort_values(ascending=False).index) or candidates
    return regressors + candidates[:n_classifiers]


def reference_predictions(scorer: Scorer, frame: pd.DataFrame) -> np.ndarray:
    """The reference model's predicted popularity for every song of the data, sorted (for percentile ranks)."""
    if scorer.reference_model is None:
        return np.empty(0)
    complete = frame[scorer.feature_names].notna().all(axis=1).to_numpy()
    x = scorer.matrix(frame.loc[complete])
    return np.sort(scorer.predict_popularity_one(scorer.reference_model, x))


def percentile_rank(sorted_predictions: np.ndarray, prediction: float) -> float | None:
    """Share (0–100) of the data's songs the reference model scores at or below this prediction."""
    if len(sorted_predictions) == 0 or not _finite(prediction):
        return None
    return 100.0 * np.searchsorted(sorted_predictions, prediction, side="right") / len(sorted_predictions)


def ordinal(value: float) -> str:
    """42 -> "42nd" (percentiles read as ranks)."""
    n = int(round(value))
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# ---- is this song plausible? -----------------------------------------------------------------------------------------

@dataclass
class PlausibilityIndex:
    """Nearest-neighbour index over (a sample of) the real songs in standardised feature space, and how far real
    songs usually are from their own nearest neighbours."""

    feature_names: list[str]
    mean: np.ndarray
    scale: np.ndarray
    neighbours: Any                      # sklearn NearestNeighbors
    labels: np.ndarray                   # index labels of the indexed rows
    reference_distances: np.ndarray      # sorted mean distance of real songs to their k nearest (others)
    threshold: float
    k: int
    quantile: float


@dataclass
class Plausibility:
    distance: float
    threshold: float
    percentile: float            # share of real songs that sit closer to their neighbours than this song does
    is_unusual: bool
    nearest: pd.DataFrame = field(default_factory=pd.DataFrame)   # ids, popularity, distance, feature values


def build_plausibility_index(frame: pd.DataFrame, feature_names: Sequence[str], sample_size: int = 50_000,
                             reference_size: int = 2_000, k: int = 5, quantile: float = 0.99,
                             seed: int = 0) -> PlausibilityIndex:
    from sklearn.neighbors import NearestNeighbors

    names = list(feature_names)
    data = frame[names].apply(pd.to_numeric, errors="coerce").dropna()
    rng = np.random.default_rng(seed)
    if len(data) > sample_size:
        data = data.iloc[np.sort(rng.choice(len(data), sample_size, replace=False))]
    values = data.to_numpy(dtype=float)
    mean = values.mean(axis=0)
    scale = values.std(axis=0)
    scale[scale == 0] = 1.0
    scaled = (values - mean) / scale
    neighbours = NearestNeighbors(n_neighbors=k).fit(scaled)
    probe = rng.choice(len(scaled), min(reference_size, len(scaled)), replace=False)
    # k+1 neighbours and drop the first: a real song's nearest neighbour in the index is itself.
    distances, _ = neighbours.kneighbors(scaled[probe], n_neighbors=min(k + 1, len(scaled)))
    reference = np.sort(distances[:, 1:].mean(axis=1))
    return PlausibilityIndex(names, mean, scale, neighbours, data.index.to_numpy(), reference,
                             float(np.quantile(reference, quantile)), k, quantile)


def check_plausibility(index: PlausibilityIndex, song: Mapping[str, float], frame: pd.DataFrame | None = None,
                       n_nearest: int = 5) -> Plausibility:
    """How far the song is from real songs, whether that is beyond the usual (the badge), and its nearest real songs."""
    x = (np.array([[float(song[n]) for n in index.feature_names]]) - index.mean) / index.scale
    distances, positions = index.neighbours.kneighbors(x, n_neighbors=max(index.k, n_nearest))
    distance = float(distances[0, :index.k].mean())
    percentile = 100.0 * np.searchsorted(index.reference_distances, distance, side="right") / len(
        index.reference_distances)
    nearest = pd.DataFrame({"distance": distances[0, :n_nearest]}, index=index.labels[positions[0, :n_nearest]])
    if frame is not None:
        columns = [c for c in (schema.ARTIST, schema.TRACK_NAME, schema.TARGET) if c in frame]
        nearest = frame.loc[nearest.index, columns + index.feature_names].assign(distance=nearest["distance"])
    return Plausibility(distance, index.threshold, float(percentile), distance > index.threshold, nearest)


# ---- command line: python -m core score IN.csv --out OUT.csv [--store DIR] -------------------------------------------

def main_score(args: argparse.Namespace) -> int:
    """Score a CSV of songs with every model of the most recently stored suite; write one row per song."""
    from core import artifacts, safe_csv, sources

    try:
        dataset = sources.load_csv(args.input, name=args.input.name)
    except sources.DataError as error:
        print(f"error: {args.input.name} could not be loaded.\n{error}", file=sys.stderr)
        return 2
    store = artifacts.ArtifactStore(args.store)
    try:
        suite = latest_suite(store)
    except artifacts.ArtifactError as error:  # a refused suite is one sentence, never a traceback
        print(f"error: {error}", file=sys.stderr)
        return 1
    if suite is None:
        print(f"error: no trained suite in {store.root}; run `python -m core train` first", file=sys.stderr)
        return 1
    scorer = Scorer(suite)
    frame, filled = fill_missing_features(dataset.frame, scorer.feature_names, suite)
    for sentence in filled:
        print(f"warning: {sentence}", file=sys.stderr)
    table = scored_table(scorer, frame)
    try:
        safe_csv.write_csv(table, args.out)
    except OSError as error:
        print(f"error: cannot write {args.out}: {error.strerror or error}", file=sys.stderr)
        return 1
    n_baselines = len(scorer.baselines)
    n_models = len(scorer.regressor_names) + len(scorer.classifier_names) - n_baselines
    print(f"scored {len(table):,} songs with {n_models} "
          f"models and {n_baselines} baselines (suite {suite.config.key()}, trained {suite.manifest.get('created_at')} "
          f"on data {suite.fingerprint}); wrote {args.out}")
    return 0


def latest_suite(store: Any, fingerprint: str | None = None) -> Any | None:
    """The most recently saved suite in the store (for one data fingerprint, or any)."""
    path = latest_suite_path(store, fingerprint)
    return None if path is None else store.load(path)


def latest_suite_path(store: Any, fingerprint: str | None = None):
    manifests = [m for m in store.list_suites() if fingerprint is None or m.get("fingerprint") == fingerprint]
    if not manifests:
        return None
    newest = max(manifests, key=lambda m: str(m.get("created_at", m.get("saved_at", ""))))
    return newest.get("path")


def fill_missing_features(frame: pd.DataFrame, feature_names: Sequence[str], suite: Any) -> tuple[pd.DataFrame, list]:
    """Columns a file lacks get the training data's mean (the scaler's centre), said out loud."""
    missing = [n for n in feature_names if n not in frame]
    if not missing:
        return frame, []
    frame = frame.copy()
    means = dict(zip(suite.feature_names, getattr(suite.scaler, "mean_", np.zeros(len(suite.feature_names)))))
    for name in missing:
        frame[name] = float(means[name])
    labels = ", ".join(f"`{n}`" for n in missing)
    return frame, [f"the file has no {labels}; every song was scored with the training data's average instead, "
                   f"so these predictions ignore {'that feature' if len(missing) == 1 else 'those features'}."]
