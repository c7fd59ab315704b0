"""The three networks have the report's printed layer sizes and train, predict and reload (TensorFlow imported here)."""
from __future__ import annotations

import numpy as np
import pytest

from core.models import keras as networks

pytestmark = pytest.mark.slow  # TensorFlow's import and real network fits


@pytest.mark.parametrize("architecture", list(networks.ARCHITECTURES))
def test_layers_and_parameter_counts_match_the_reports_summaries(architecture):
    task = "regression" if architecture == "regression" else "classification"
    model = networks.build_network(architecture, 13, task=task)
    assert networks.layer_param_counts(model) == list(networks.REPORT_PARAM_COUNTS[architecture])
    assert networks.trainable_counts(model) == networks.REPORT_TOTALS[architecture]
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds.count("Dropout") == sum(1 for layer in networks.ARCHITECTURES[architecture] if layer[0] == "dropout")
    assert model.layers[-1].units == 1


def _data(n=800, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 13))
    y = 24 + 6 * X[:, 0] - 4 * X[:, 3] + rng.normal(scale=5, size=n)
    return X, y


def test_regression_network_learns_and_starts_from_the_mean():
    X, y = _data()
    net = networks.KerasNetwork("regression", max_epochs=3, batch_size=256, random_state=1).fit(X, y)
    predictions = networks.predict_network(net.model_, X).ravel()
    assert predictions.shape == (len(X),)
    assert abs(predictions.mean() - y.mean()) < 5  # the output bias starts at the training mean
    assert 1 <= net.epochs_ <= 3 and "val_loss" in net.history_


def test_weighted_classifier_outputs_probabilities_and_reloads_identically(tmp_path):
    X, y = _data(seed=1)
    labels = (y > np.percentile(y, 95)).astype(int)
    net = networks.KerasNetwork("classification_weighted", max_epochs=2, batch_size=256, random_state=2,
                                class_weight={0: 0.53, 1: 10.0}).fit(X, labels)
    proba = networks.network_probabilities(networks.predict_network(net.model_, X))
    assert proba.shape == (len(X), 2) and np.allclose(proba.sum(axis=1), 1.0)
    assert ((proba >= 0) & (proba <= 1)).all()
    path = tmp_path / "net.keras"
    networks.save_network(net.model_, path)
    again = networks.load_network(path)
    np.testing.assert_array_equal(networks.predict_network(again, X[:50]), networks.predict_network(net.model_, X[:50]))


def test_a_single_class_is_refused_with_a_sentence():
    X, _ = _data(n=50)
    with pytest.raises(ValueError, match="single class"):
        networks.KerasNetwork("classification", max_epochs=1).fit(X, np.zeros(50, dtype=int))


@pytest.mark.parametrize("architecture", list(networks.ARCHITECTURES))
def test_the_numpy_inference_pass_equals_the_network_and_reloads_identically(architecture, tmp_path):
    X, y = _data(n=600, seed=3)
    target = y if architecture == "regression" else (y > np.percentile(y, 90)).astype(int)
    net = networks.KerasNetwork(architecture, max_epochs=2, batch_size=128, random_state=4).fit(X, target)
    inference = networks.InferenceNetwork.from_keras(net.model_)
    expected = np.asarray(net.model_(X.astype(np.float32), training=False))  # moving statistics, dropout off
    np.testing.assert_allclose(inference(X), expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(networks.predict_network(net.model_, X), inference(X))  # the engine's path
    path = tmp_path / "net.npz"
    inference.save(path)
    again = networks.InferenceNetwork.load(path)
    np.testing.assert_array_equal(again(X), inference(X))


def test_a_network_file_that_does_not_chain_is_refused(tmp_path):
    path = tmp_path / "bad.npz"
    np.savez(path, kinds=np.array(["dense", "dense"]), activations=np.array(["relu", "relu"]),
             a0=np.ones((13, 4)), b0=np.ones(4), a1=np.ones((5, 1)), b1=np.ones(1))
    with pytest.raises(ValueError, match="do not chain"):
        networks.InferenceNetwork.load(path)
    np.savez(path, kinds=np.array(["dense"]), activations=np.array(["gelu"]), a0=np.ones((13, 1)), b0=np.ones(1))
    with pytest.raises(ValueError, match="unknown network step"):
        networks.InferenceNetwork.load(path)
