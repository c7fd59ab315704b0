"""Feature importance of stored models: permutation importance (any kind), and the per-feature contributions of the
kinds that explain their predictions (XGBoost's TreeSHAP)."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd


def contribution_importance(kind: str, model: Any, features: Any, feature_names: Sequence[str]) -> pd.Series:
    """Mean |contribution| per feature from a model whose kind explains its predictions (XGBoost's own TreeSHAP,
    through its adapter), largest first."""
    from core.models import kinds

    fast = kinds.adapter(kind).one_row(model, [], len(feature_names))
    contributions = fast.contributions(np.asarray(features, dtype=float))
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
    """(name, mean |SHAP contribution|) for the suite's first regressor whose kind explains
    itself (XGBoost) on its test set, or None."""
    from core.models import kinds

    names = [n for n, spec in suite.specs.items()
             if kinds.adapter(spec.kind).explains and spec.task == "regression" and n in suite.models]
    data = held_out_features(suite, frame, test_predictions) if names else None
    if data is None:
        return None
    name = names[0]
    return name, contribution_importance(suite.specs[name].kind, suite.models[name], data[0], suite.feature_names)
