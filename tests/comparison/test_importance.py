"""core.comparison.importance: SHAP and permutation importance find the signal; held-out rows are rebuilt."""
from __future__ import annotations

import numpy as np
import pandas as pd

from core.comparison.importance import contribution_importance, held_out_features, permutation_importance_table
from core.models.config import KIND_XGBOOST


def test_xgboost_contributions_and_permutation_importance_find_the_signal():
    from sklearn.linear_model import LinearRegression
    from xgboost import XGBRegressor

    rng = np.random.default_rng(1)
    X = rng.normal(size=(600, 3))
    y = 5 * X[:, 1] + rng.normal(0, 0.1, 600)
    names = ["noise_a", "signal", "noise_b"]
    shap = contribution_importance(KIND_XGBOOST, XGBRegressor(n_estimators=20, max_depth=2).fit(X, y), X, names)
    assert shap.index[0] == "signal" and shap["signal"] > 10 * shap["noise_a"]
    table = permutation_importance_table(LinearRegression().fit(X, y).predict, X, y, names, n_repeats=2,
                                             max_rows=300)
    assert table.index[0] == "signal" and table.loc["signal", "mean"] > 1


def test_held_out_features_rebuild_the_scaled_test_rows(stored_like):
    from types import SimpleNamespace

    frame = pd.DataFrame({"a": np.arange(10_000.0), "b": np.arange(10_000.0) * 2})
    suite = SimpleNamespace(feature_names=["a", "b"], scaled=lambda raw: raw.to_numpy() / 10)
    X, y = held_out_features(suite, frame, stored_like.test_predictions, max_rows=50)
    assert X.shape == (50, 2) and np.allclose(X[:, 1], 2 * X[:, 0])
    assert set(X[:, 0] * 10) <= set(stored_like.test_predictions.index.astype(float))
    assert held_out_features(suite, frame.head(10), stored_like.test_predictions) is None  # other data
