"""One adapter per model kind — scikit-learn, XGBoost, Keras — and everything that differs between them: predicting
(popularity, class probabilities, classes), the fast one-row path the what-if page takes on every slider move, what a
fitted model is kept as, how it is saved into the store and loaded back, and the library versions it depends on.

Nothing outside this module asks which kind or class a model is: `adapter(spec.kind)` answers for it. The model
libraries are imported only inside the adapters' methods, so importing this module costs nothing.

The one-row paths change no number (tests compare them with `predict` / `predict_proba` on the same rows): XGBoost
predicts on a private single-thread copy of its booster; AdaBoost and forests walk their trees directly instead of
through joblib and per-tree input checks; Keras networks run their inference pass in numpy from their weights (never
`model.predict`, which builds a tf.data pipeline per call).
"""
from __future__ import annotations

import os
import platform
import sys
import threading
from pathlib import Path
from typing import Any

import numpy as np

from core.models.config import KIND_KERAS, KIND_SKLEARN, KIND_XGBOOST

XGBOOST_CLASSES = ("XGBRegressor", "XGBClassifier")
FORMAT_SKOPS, FORMAT_XGBOOST, FORMAT_KERAS = "skops", "xgboost-json", "keras"


class RefusedModel(ValueError):
    """A stored model file the store must not build (the message says why); the store reports it as an ArtifactError."""


class ModelKind:
    """What every kind answers; the scikit-learn behaviour is the default."""

    name = KIND_SKLEARN
    format = FORMAT_SKOPS
    cross_validates = True       # CV folds refit the model k more times
    explains = False             # per-feature contributions that sum to the prediction
    needs_tensorflow = False     # training it imports TensorFlow (its versions are pinned in the manifest)

    # -- predicting, on scaled rows

    def predict(self, model: Any, x: np.ndarray) -> np.ndarray:
        """Predicted popularity, one float per row."""
        return np.asarray(model.predict(x), dtype=float).reshape(-1)

    def predict_proba(self, model: Any, x: np.ndarray, classes: list[int]) -> np.ndarray:
        """(n, len(classes)) probabilities in `classes` order."""
        proba = np.asarray(model.predict_proba(x), dtype=float)
        model_classes = list(getattr(model, "classes_", classes))
        if model_classes == list(classes):
            return proba
        out = np.zeros((len(x), len(classes)))
        for j, c in enumerate(model_classes):
            out[:, list(classes).index(int(c))] = proba[:, j]
        return out

    def predict_classes(self, model: Any, x: np.ndarray, proba: np.ndarray, classes: list[int]) -> np.ndarray:
        """Class predictions as the report scored them: `model.predict`."""
        return np.asarray(model.predict(x)).astype(int)

    def one_row(self, model: Any, classes: list[int], n_features: int) -> "OneRow":
        """The model's fast path for a few rows (the what-if page's song)."""
        return _SklearnOneRow(self, model, classes)

    # -- what training keeps, and what it notes

    def fitted(self, estimator: Any) -> Any:
        """What a trained suite holds of a fitted estimator (and a training worker sends back)."""
        return estimator

    def fit_info(self, estimator: Any) -> dict[str, Any]:
        return {"alpha": float(estimator.alpha_)} if hasattr(estimator, "alpha_") else {}

    # -- the store

    def save(self, model: Any, folder: Path, stem: str) -> dict[str, str]:
        """Write the model as `stem.<ext>` inside the suite folder; the manifest entry (file, format, class, …)."""
        import skops.io

        relative = f"{stem}.skops"
        skops.io.dump(model, folder / relative)
        return {"file": relative, "format": self.format, "class": type(model).__name__}

    def load(self, entry: dict, file: Path, load_skops) -> Any:
        """The model from a file whose sha256 the store has just checked."""
        return load_skops(file, entry.get("class"))

    def loads_tensorflow(self, entry: dict) -> bool:
        """Whether loading this stored model imports TensorFlow."""
        return False


class XGBoostKind(ModelKind):
    name = KIND_XGBOOST
    format = FORMAT_XGBOOST
    explains = True

    def one_row(self, model: Any, classes: list[int], n_features: int) -> "OneRow":
        return _XGBoostOneRow(self, model, classes)

    def save(self, model: Any, folder: Path, stem: str) -> dict[str, str]:
        relative = f"{stem}.json"   # XGBoost's own JSON: native, no pickle
        model.save_model(os.fspath(folder / relative))
        return {"file": relative, "format": self.format, "class": type(model).__name__}

    def load(self, entry: dict, file: Path, load_skops) -> Any:
        import xgboost

        cls_name = entry.get("class")
        if cls_name not in XGBOOST_CLASSES:
            raise RefusedModel(f"stored suite names an unexpected XGBoost class for {file.name}: {cls_name}")
        model = getattr(xgboost, cls_name)()
        model.load_model(os.fspath(file))
        return model


class KerasKind(ModelKind):
    name = KIND_KERAS
    format = FORMAT_KERAS
    cross_validates = False      # k more trainings of the slowest models: the networks' CV cells stay empty
    needs_tensorflow = True

    def predict(self, model: Any, x: np.ndarray) -> np.ndarray:
        from core.models import keras as networks

        return networks.predict_network(model, x).reshape(-1).astype(float)

    def predict_proba(self, model: Any, x: np.ndarray, classes: list[int]) -> np.ndarray:
        from core.models import keras as networks

        return networks.network_probabilities(networks.predict_network(model, x))

    def predict_classes(self, model: Any, x: np.ndarray, proba: np.ndarray, classes: list[int]) -> np.ndarray:
        """P > 0.5 for two classes, the most probable class otherwise (what the report's networks did)."""
        if proba.shape[1] == 2:
            return np.where(proba[:, 1] > 0.5, classes[1], classes[0])
        return np.asarray(classes)[np.argmax(proba, axis=1)]

    def one_row(self, model: Any, classes: list[int], n_features: int) -> "OneRow":
        return _NetworkOneRow(model, n_features)

    def fitted(self, estimator: Any) -> Any:
        # a network travels back as its .keras bytes + numpy pass: whoever stores the suite never imports TensorFlow
        from core.models import keras as networks

        return networks.TrainedNetwork.from_keras(estimator.model_)

    def fit_info(self, estimator: Any) -> dict[str, Any]:
        return {"epochs": estimator.epochs_, "val_loss": (estimator.history_.get("val_loss") or [float("nan")])[-1]}

    def save(self, model: Any, folder: Path, stem: str) -> dict[str, str]:
        from core.models import keras as networks

        entry = {"file": f"{stem}.keras", "format": self.format, "class": type(model).__name__}
        networks.save_network(model, folder / entry["file"])
        inference = networks.inference_pass(model)
        if inference is not None:   # the app scores from these plain arrays without importing TensorFlow
            inference.save(folder / f"{stem}.npz")
            entry["inference_file"] = f"{stem}.npz"
        return entry

    def load(self, entry: dict, file: Path, load_skops) -> Any:
        from core.models import keras as networks

        if entry.get("inference_file"):
            return networks.InferenceNetwork.load(file)  # plain arrays (no pickle), after the sha256 matched
        return networks.load_network(file)

    def loads_tensorflow(self, entry: dict) -> bool:
        return not entry.get("inference_file")


ADAPTERS: dict[str, ModelKind] = {kind.name: kind for kind in (ModelKind(), XGBoostKind(), KerasKind())}
_BY_FORMAT = {kind.format: kind for kind in ADAPTERS.values()}


def adapter(kind: str) -> ModelKind:
    """The adapter of a ModelSpec.kind."""
    return ADAPTERS[kind]


def stored_adapter(entry: dict) -> ModelKind | None:
    """The adapter that reads a stored model entry (by its format), or None for a format this version does not read."""
    return _BY_FORMAT.get(entry.get("format"))


def predict_regression(kind: str, model: Any, x: np.ndarray) -> np.ndarray:
    """Predicted popularity of a model of this kind on scaled rows."""
    return adapter(kind).predict(model, x)


# ---- library versions and the TensorFlow import ----------------------------------------------------------------------

def library_versions(include_keras: bool = False) -> dict[str, str]:
    """Versions a stored suite depends on (the store refuses to load models written by other versions)."""
    import pandas as pd
    import pyarrow
    import scipy
    import sklearn
    import skops
    import xgboost

    versions = {"python": platform.python_version(), "numpy": np.__version__, "pandas": pd.__version__,
                "scikit-learn": sklearn.__version__, "xgboost": xgboost.__version__, "skops": skops.__version__,
                "scipy": scipy.__version__, "pyarrow": pyarrow.__version__}
    if include_keras:
        from core.models import keras as networks

        versions.update(networks.keras_versions())
    return versions


def entry_loads_tensorflow(entry: dict) -> bool:
    kind = stored_adapter(entry)
    return kind is not None and kind.loads_tensorflow(entry)


def needs_keras(manifest: dict) -> bool:
    """Whether loading this suite imports TensorFlow: only for networks stored without their numpy inference pass."""
    return any(entry_loads_tensorflow(entry) for entry in manifest.get("model_files", {}).values())


def tensorflow_imported() -> bool:
    return "keras" in sys.modules


_KERAS_IMPORT: threading.Thread | None = None
_KERAS_IMPORT_LOCK = threading.Lock()


def prefetch_keras() -> threading.Thread:
    """Start importing TensorFlow/Keras in the background (once per process) and return that thread.

    A cold load of a suite with networks is mostly this import (~4 s); an app can call this at start-up so the first
    load only pays the ~1 s of reading models. Join the thread before relying on Keras.
    """
    global _KERAS_IMPORT
    from core.models import keras as networks

    with _KERAS_IMPORT_LOCK:
        if _KERAS_IMPORT is None:
            _KERAS_IMPORT = threading.Thread(target=_import_quietly, args=(networks.keras_module,),
                                             name="keras-import", daemon=True)
            _KERAS_IMPORT.start()
        return _KERAS_IMPORT


def _import_quietly(importer) -> None:
    try:
        importer()
    except ImportError:  # reported (as an ArtifactError) by the version check that follows
        pass


# ---- the one-row paths -----------------------------------------------------------------------------------------------

class OneRow:
    """A model's fast path: `popularity(x)` for a regressor, `hit_proba(x)` — P(top class) — for a classifier."""

    def popularity(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def hit_proba(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class _SklearnOneRow(OneRow):
    def __init__(self, kind: ModelKind, model: Any, classes: list[int]):
        self.kind, self.model, self.classes = kind, model, list(classes)
        name = type(model).__name__
        same_classes = list(getattr(model, "classes_", [])) == self.classes
        self._regression = _adaboost_regression if name == "AdaBoostRegressor" else None
        self._proba = None
        if name == "AdaBoostClassifier" and same_classes:
            self._proba = _adaboost_proba
        elif name in _FORESTS and getattr(model, "n_outputs_", 0) == 1 and same_classes:
            self._proba = _forest_proba

    def popularity(self, x: np.ndarray) -> np.ndarray:
        if self._regression is not None:
            return self._regression(self.model, x)
        from joblib import parallel_config

        # Ensembles fitted with n_jobs=-1 would start a thread pool per call: ~10 ms wasted on a single row.
        with parallel_config(backend="sequential"):
            return self.kind.predict(self.model, x)

    def hit_proba(self, x: np.ndarray) -> np.ndarray:
        if self._proba is not None:
            return self._proba(self.model, x)[:, -1]
        from joblib import parallel_config

        with parallel_config(backend="sequential"):
            return self.kind.predict_proba(self.model, x, self.classes)[:, -1]


class _XGBoostOneRow(_SklearnOneRow):
    def __init__(self, kind: ModelKind, model: Any, classes: list[int]):
        super().__init__(kind, model, classes)
        # A private single-thread copy of the booster: on one row, waking OpenMP's thread pool costs ~25 ms once any
        # other library has used threads, while one thread predicts in ~0.2 ms. The suite's model is not touched.
        self.booster = model.get_booster().copy()
        self.booster.set_param({"nthread": 1})

    def popularity(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(self.booster.inplace_predict(x), dtype=float).reshape(-1)

    def hit_proba(self, x: np.ndarray) -> np.ndarray:
        if len(self.classes) == 2:
            return np.asarray(self.booster.inplace_predict(x), dtype=float).reshape(-1)
        return super().hit_proba(x)

    def contributions(self, x: np.ndarray) -> np.ndarray:
        """Per-row [feature contributions..., bias] (sums to the prediction)."""
        import xgboost

        return self.booster.predict(xgboost.DMatrix(x, feature_names=self.booster.feature_names, nthread=1),
                                    pred_contribs=True)


class _NetworkOneRow(OneRow):
    """A Keras call pays milliseconds of TensorFlow dispatch and thread-pool wake-ups (12 ms each on a busy server) for
    a few small matrix products, so the inference pass runs in numpy with the same weights (tests check it equals
    model(x, training=False)); a network with a layer numpy does not know is called through a traced tf.function."""

    def __init__(self, model: Any, n_features: int):
        from core.models import keras as networks

        self.model, self.n_features = model, n_features
        self.network = networks.inference_pass(model)

    def output(self, x: np.ndarray) -> np.ndarray:
        if self.network is None:
            self.network = compiled_network(self.model, self.n_features)
        return np.asarray(self.network(np.asarray(x, dtype=np.float32)), dtype=float)

    def popularity(self, x: np.ndarray) -> np.ndarray:
        return self.output(x).reshape(-1).astype(float)

    def hit_proba(self, x: np.ndarray) -> np.ndarray:
        from core.models import keras as networks

        return networks.network_probabilities(self.output(x))[:, -1]


def compiled_network(model: Any, n_features: int) -> Any:
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
