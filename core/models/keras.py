"""The report's three Keras networks, built from their printed summaries, and a small sklearn-style trainer.

TensorFlow is imported lazily (inside functions), so importing this module costs nothing; only training or loading a
network pays the ~4 s import.

What the report prints (model.summary()) fixes the layers and their sizes; it does not print activations, dropout
rate, optimiser settings or epochs. Those are chosen here and recorded in every spec:

* ReLU hidden layers; linear output for regression, sigmoid (softmax for the multi-bin option) for classification;
* Dropout 0.3; Adam (lr 1e-3; the report's "Optimizer params" = 2 × trainable + 2 is Adam's two moment slots);
* the output bias starts at the training mean (regression) / the class log-odds (classification), so a short run
  does not spend its epochs walking a zero bias up to popularity ≈ 24;
* batch 1024, at most 12 epochs, early stopping on a 10 % validation split (patience 2, best weights restored):
  ~1 s per epoch on 104k rows, so a network costs ~10 s instead of minutes.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from typing import Any

import numpy as np

# layer kinds: ("dense", units) | ("batchnorm",) | ("dropout",)
ARCHITECTURES: dict[str, tuple[tuple, ...]] = {
    # "Regression using Artificial Neural Networks": sequential_1
    "regression": (("dense", 64), ("batchnorm",), ("dropout",), ("dense", 32), ("dense", 16), ("dense", 8)),
    # "Classification using ANNs": sequential_4
    "classification": (("dense", 128), ("batchnorm",), ("dropout",), ("dense", 64), ("batchnorm",), ("dropout",),
                       ("dense", 32), ("batchnorm",), ("dense", 16)),
    # "Classification using ANNs (Revised Approach)": sequential_5
    "classification_weighted": (("dense", 128), ("batchnorm",), ("dropout",), ("dense", 64), ("batchnorm",),
                                ("dropout",), ("dense", 32), ("batchnorm",), ("dense", 16), ("dense", 8)),
}

# Param # column of the report's summaries (13 input features), output layer last.
REPORT_PARAM_COUNTS: dict[str, tuple[int, ...]] = {
    "regression": (896, 256, 0, 2_080, 528, 136, 9),
    "classification": (1_792, 512, 0, 8_256, 256, 0, 2_080, 128, 528, 17),
    "classification_weighted": (1_792, 512, 0, 8_256, 256, 0, 2_080, 128, 528, 136, 9),
}
REPORT_TOTALS: dict[str, tuple[int, int]] = {  # (trainable, non-trainable)
    "regression": (3_777, 128),
    "classification": (13_121, 448),
    "classification_weighted": (13_249, 448),
}

TRAINING_DEFAULTS: dict[str, Any] = {
    "dropout": 0.3,
    "learning_rate": 1e-3,
    "batch_size": 1024,
    "max_epochs": 12,
    "patience": 2,
    "validation_split": 0.1,
}
ESTIMATED_COST_S = 9.0  # fit seconds per 100k rows, one core busy beside it
NOTE = ("Layers as the report's model.summary(); ReLU, dropout 0.3, Adam 1e-3 (not printed in the report); batch 1024, "
        "≤ 12 epochs with early stopping on a 10 % validation split (patience 2).")

# Batches run per call into TensorFlow's compiled graph: the same updates in the same order, a third less time on these
# small networks, whose steps cost more in per-call overhead than in arithmetic (measured: 6.0 s → 4.1 s per fit).
STEPS_PER_EXECUTION = 32

# Keras names layers from process-wide counters; building two networks at once in two threads could race on them.
_BUILD_LOCK = threading.Lock()


def keras_module():
    """Import Keras (TensorFlow backend) on first use, quietly."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    import keras

    return keras


def build_network(architecture: str, n_features: int, *, n_outputs: int = 1, task: str = "regression",
                  dropout: float = 0.3, output_bias: np.ndarray | float | None = None, seed: int = 0):
    """An uncompiled keras.Sequential with the report's layer stack for `architecture`."""
    if architecture not in ARCHITECTURES:
        raise ValueError(f"unknown network {architecture!r}; choose from {list(ARCHITECTURES)}")
    keras = keras_module()
    layers = keras.layers
    stack: list = [keras.Input(shape=(n_features,), name="features")]
    for i, layer in enumerate(ARCHITECTURES[architecture]):
        kind = layer[0]
        if kind == "dense":
            stack.append(layers.Dense(layer[1], activation="relu", name=f"dense_{i}",
                                      kernel_initializer=keras.initializers.GlorotUniform(seed=seed + i)))
        elif kind == "batchnorm":
            stack.append(layers.BatchNormalization(name=f"batch_normalization_{i}"))
        elif kind == "dropout":
            stack.append(layers.Dropout(dropout, seed=seed + i, name=f"dropout_{i}"))
    if task == "regression":
        activation = None
    else:
        activation = "sigmoid" if n_outputs == 1 else "softmax"
    bias = "zeros" if output_bias is None else keras.initializers.Constant(np.asarray(output_bias, dtype=float))
    stack.append(layers.Dense(n_outputs, activation=activation, name="output", bias_initializer=bias,
                              kernel_initializer=keras.initializers.GlorotUniform(seed=seed + 99)))
    with _BUILD_LOCK:
        return keras.Sequential(stack, name=f"ann_{architecture}")


def layer_param_counts(model) -> list[int]:
    """Param # per layer, as model.summary() prints it."""
    return [int(layer.count_params()) for layer in model.layers]


def trainable_counts(model) -> tuple[int, int]:
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    frozen = sum(int(np.prod(w.shape)) for w in model.non_trainable_weights)
    return trainable, frozen


def predict_network(model, X: np.ndarray, batch_rows: int = 65_536) -> np.ndarray:
    """Outputs of a network (a keras.Model or its InferenceNetwork) for X.

    Through the numpy inference pass whenever the layers allow it, so a freshly trained suite and the same suite
    loaded from disk (which holds only that pass) predict bit for bit alike; otherwise the model is called directly
    (no model.predict: that builds a tf.data pipeline per call)."""
    call = inference_pass(model) or (lambda x: model(x, training=False))
    X = np.asarray(X, dtype=np.float32)
    if len(X) <= batch_rows:
        return np.asarray(call(X))
    return np.concatenate([np.asarray(call(X[i:i + batch_rows])) for i in range(0, len(X), batch_rows)])


class KerasNetwork:
    """A sklearn-style trainer for one of the report's networks; `model_` is the fitted keras.Model.

    Only the keras.Model is kept in a trained suite (saved as .keras); this wrapper exists so training treats every
    spec alike (`spec.build(...).fit(X, y)`).
    """

    def __init__(self, architecture: str, *, dropout: float = 0.3, learning_rate: float = 1e-3,
                 batch_size: int = 1024, max_epochs: int = 12, patience: int = 2, validation_split: float = 0.1,
                 class_weight: Mapping[int, float] | None = None, random_state: int | None = None):
        self.architecture = architecture
        self.dropout = dropout
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.patience = patience
        self.validation_split = validation_split
        self.class_weight = class_weight
        self.random_state = random_state

    @property
    def task(self) -> str:
        return "regression" if self.architecture == "regression" else "classification"

    def get_params(self, deep: bool = False) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("architecture", "dropout", "learning_rate", "batch_size", "max_epochs",
                                             "patience", "validation_split", "class_weight", "random_state")}

    def fit(self, X: np.ndarray, y: np.ndarray) -> "KerasNetwork":
        keras = keras_module()
        seed = 0 if self.random_state is None else int(self.random_state)
        keras.utils.set_random_seed(seed)
        X = np.asarray(X, dtype=np.float32)
        y = np.asarray(y)
        if self.task == "regression":
            n_outputs, loss, target = 1, "mse", y.astype(np.float32)
            bias: Any = float(np.mean(target))
            self.classes_ = None
        else:
            classes = np.unique(y)
            if len(classes) < 2:
                raise ValueError("the training split holds a single class; a classifier needs both")
            self.classes_ = classes
            target = np.searchsorted(classes, y).astype(np.int32)
            n_outputs = 1 if len(classes) == 2 else len(classes)
            loss = "binary_crossentropy" if n_outputs == 1 else "sparse_categorical_crossentropy"
            prior = np.bincount(target, minlength=len(classes)) / len(target)
            if self.class_weight:  # balanced weights make the effective prior uniform
                bias = 0.0 if n_outputs == 1 else np.zeros(n_outputs)
            elif n_outputs == 1:
                bias = float(np.log(prior[1] / prior[0]))
            else:
                bias = np.log(np.clip(prior, 1e-12, None))
        model = build_network(self.architecture, X.shape[1], n_outputs=n_outputs, task=self.task,
                              dropout=self.dropout, output_bias=bias, seed=seed)
        model.compile(optimizer=keras.optimizers.Adam(learning_rate=self.learning_rate), loss=loss,
                      steps_per_execution=STEPS_PER_EXECUTION)
        stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=self.patience, restore_best_weights=True)
        class_weight = None
        if self.class_weight and self.task == "classification":
            class_weight = {int(np.searchsorted(self.classes_, c)): float(w) for c, w in self.class_weight.items()}
        history = model.fit(X, target, batch_size=self.batch_size, epochs=self.max_epochs,
                            validation_split=self.validation_split, callbacks=[stop], class_weight=class_weight,
                            shuffle=True, verbose=0)
        self.history_ = {k: [float(v) for v in values] for k, values in history.history.items()}
        self.epochs_ = len(history.history.get("loss", []))
        self.model_ = model
        return self


def network_probabilities(output: np.ndarray) -> np.ndarray:
    """(n, n_classes) probabilities from a classifier network's raw output (sigmoid column or softmax rows)."""
    output = np.asarray(output, dtype=float)
    if output.ndim == 1 or output.shape[1] == 1:
        p = output.reshape(-1)
        return np.column_stack([1.0 - p, p])
    return output


_ACTIVATIONS: dict[str, Any] = {
    "linear": lambda z: z,
    "relu": lambda z: np.maximum(z, 0),
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "softmax": lambda z: np.exp(z - z.max(axis=1, keepdims=True)) / np.exp(z - z.max(axis=1, keepdims=True)).sum(
        axis=1, keepdims=True),
}
_DENSE, _SCALE = "dense", "scale"


class InferenceNetwork:
    """A trained network's inference pass in float32 numpy, with the same weights: Dense layers (linear, ReLU, sigmoid,
    softmax), BatchNormalization folded into a scale and shift by its moving statistics, Dropout as the identity.

    Stored beside the .keras file as plain arrays (.npz, no pickle), so the app loads and evaluates the report's
    networks without importing TensorFlow (~3 s and ~400 MB), and one song is scored in microseconds instead of a
    TensorFlow call's milliseconds. Called like a Keras model: `network(x, training=False)`.
    """

    def __init__(self, steps: list[tuple[str, np.ndarray, np.ndarray, str]]):
        width = None
        for kind, a, b, activation in steps:
            if kind not in (_DENSE, _SCALE) or (kind == _DENSE) != (activation in _ACTIVATIONS):
                raise ValueError(f"unknown network step ({kind}, {activation})")
            inputs = a.shape[0]
            outputs = a.shape[1] if kind == _DENSE and a.ndim == 2 else inputs
            if a.ndim != (2 if kind == _DENSE else 1) or b.shape != (outputs,) or width not in (None, inputs):
                raise ValueError("the network's weight shapes do not chain")
            width = outputs
        self.steps = [(kind, np.asarray(a, np.float32), np.asarray(b, np.float32), activation)
                      for kind, a, b, activation in steps]

    @classmethod
    def from_keras(cls, model) -> "InferenceNetwork | None":
        """The network's inference pass, or None when it has a layer (or activation) this class does not evaluate."""
        steps = []
        for layer in model.layers:
            kind = type(layer).__name__
            if kind in ("InputLayer", "Dropout"):          # dropout is the identity at inference
                continue
            if kind == "Dense":
                activation = getattr(layer.activation, "__name__", "")
                if activation not in _ACTIVATIONS:
                    return None
                weights = [np.asarray(w, dtype=np.float32) for w in layer.get_weights()]
                bias = weights[1] if layer.use_bias else np.zeros(weights[0].shape[1], dtype=np.float32)
                steps.append((_DENSE, weights[0], bias, activation))
            elif kind == "BatchNormalization" and layer.axis in (-1, 1, [-1], [1]):
                mean = np.asarray(layer.moving_mean, dtype=np.float32)
                variance = np.asarray(layer.moving_variance, dtype=np.float32)
                gamma = np.asarray(layer.gamma, dtype=np.float32) if layer.scale else np.ones_like(mean)
                beta = np.asarray(layer.beta, dtype=np.float32) if layer.center else np.zeros_like(mean)
                inverse = gamma / np.sqrt(variance + np.float32(layer.epsilon))
                steps.append((_SCALE, inverse, beta - mean * inverse, ""))
            else:
                return None
        return cls(steps)

    def __call__(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        out = np.asarray(x, dtype=np.float32)
        for kind, a, b, activation in self.steps:
            out = _ACTIVATIONS[activation](out @ a + b) if kind == _DENSE else out * a + b
        return out

    def save(self, path: os.PathLike | str) -> None:
        arrays = {"kinds": np.array([step[0] for step in self.steps]),
                  "activations": np.array([step[3] for step in self.steps])}
        for i, (_, a, b, _) in enumerate(self.steps):
            arrays[f"a{i}"], arrays[f"b{i}"] = a, b
        with open(path, "wb") as handle:  # a handle, so numpy does not append its own .npz suffix
            np.savez(handle, **arrays)

    @classmethod
    def load(cls, path: os.PathLike | str) -> "InferenceNetwork":
        """Plain arrays only (allow_pickle=False); a file that does not describe a chain of layers is a ValueError."""
        with np.load(path, allow_pickle=False) as data:
            kinds, activations = [str(k) for k in data["kinds"]], [str(a) for a in data["activations"]]
            return cls([(kind, data[f"a{i}"], data[f"b{i}"], activation)
                        for i, (kind, activation) in enumerate(zip(kinds, activations))])


class TrainedNetwork:
    """A network fitted in a training worker, as it travels back to the process that stores the suite: the .keras
    file's bytes and its numpy inference pass. The receiving process (the web server) never imports TensorFlow."""

    def __init__(self, keras_bytes: bytes, inference: InferenceNetwork | None):
        self.keras_bytes = keras_bytes
        self.inference = inference

    @classmethod
    def from_keras(cls, model) -> "TrainedNetwork":
        import tempfile

        with tempfile.TemporaryDirectory() as folder:  # Keras saves only to a path ending in .keras
            path = os.path.join(folder, "network.keras")
            model.save(path)
            with open(path, "rb") as handle:
                data = handle.read()
        return cls(data, InferenceNetwork.from_keras(model))

    def keras_model(self):
        """The full Keras model (imports TensorFlow); only needed when numpy cannot evaluate a layer."""
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "network.keras")
            with open(path, "wb") as handle:
                handle.write(self.keras_bytes)
            return load_network(path)

    def __call__(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        return (self.inference or self.keras_model())(x, training=False)


def inference_pass(model) -> InferenceNetwork | None:
    """The network's numpy inference pass (a loaded suite already holds one), or None when numpy cannot evaluate one
    of its layers."""
    if isinstance(model, TrainedNetwork):
        return model.inference
    return model if isinstance(model, InferenceNetwork) else InferenceNetwork.from_keras(model)


def save_network(model, path: os.PathLike | str) -> None:
    if isinstance(model, TrainedNetwork):
        with open(path, "wb") as handle:
            handle.write(model.keras_bytes)
        return
    model.save(os.fspath(path))


def load_network(path: os.PathLike | str):
    """A stored .keras network; safe_mode refuses embedded Python code (lambda layers) in the file."""
    keras = keras_module()
    return keras.saving.load_model(os.fspath(path), compile=False, safe_mode=True)


def keras_versions() -> dict[str, str]:
    keras = keras_module()
    import tensorflow as tf

    return {"keras": keras.__version__, "tensorflow": tf.__version__}
