"""What a suite is, without a model library: its settings (SuiteConfig), a trained suite (TrainedSuite), what the store
gives back without opening a model (SuiteTables), and the names of suites, tasks, model kinds and binnings.

Importing this module imports neither scikit-learn nor XGBoost nor TensorFlow, so the pages, the job records and the
store's listing can speak of suites cheaply.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

# ModelSpec.task
REGRESSION = "regression"
CLASSIFICATION = "classification"
TASKS = (REGRESSION, CLASSIFICATION)

# SuiteConfig.suites entries, and how people read them
SUITE_REGRESSION, SUITE_CLASSIFICATION, SUITE_WEIGHTED = "regression", "classification", "weighted"
SUITES = (SUITE_REGRESSION, SUITE_CLASSIFICATION, SUITE_WEIGHTED)
SUITE_LABELS = {SUITE_REGRESSION: "regression", SUITE_CLASSIFICATION: "classification",
                SUITE_WEIGHTED: "class-weighted"}                       # inside a sentence
SUITE_TITLES = {SUITE_REGRESSION: "Regression", SUITE_CLASSIFICATION: "Classification",
                SUITE_WEIGHTED: "Classification, class-weighted"}      # as a choice on its own
# `python -m core train --suite`: the groups of suites the command line offers
CLI_SUITES = {"regression": (SUITE_REGRESSION,), "classification": (SUITE_CLASSIFICATION, SUITE_WEIGHTED),
              "all": SUITES}

# ModelSpec.kind: which adapter in core.models.kinds predicts, saves and loads the model
KIND_SKLEARN, KIND_XGBOOST, KIND_KERAS = "sklearn", "xgboost", "keras"

# SuiteConfig.binning: the classification target, and its wording on the page
BINNING_TOP1 = "top1"
BINNINGS = {BINNING_TOP1: "popular = top 1 % (the report's)", "2bin": "2 quantile bins", "3bin": "3 quantile bins"}
BIN_COUNTS = {"2bin": 2, "3bin": 3}

MIN_ROWS = 20


@dataclass(frozen=True)
class SuiteConfig:
    suites: tuple[str, ...] = SUITES
    include_ann: bool = True
    extras: bool = False
    grouped: bool = False
    cv_folds: int = 0
    binning: str = BINNING_TOP1
    test_size: float = 0.2
    seed: int = 42
    max_rows: int | None = None

    def __post_init__(self):
        object.__setattr__(self, "suites", tuple(self.suites))
        unknown = [s for s in self.suites if s not in SUITES]
        if unknown or not self.suites:
            raise ValueError(f"suites must be a non-empty subset of {list(SUITES)}, got {list(self.suites)}")
        if self.binning not in BINNINGS:
            raise ValueError(f"binning must be one of {list(BINNINGS)}, got {self.binning!r}")
        if self.cv_folds == 1 or self.cv_folds < 0:
            raise ValueError("cv_folds must be 0 (off) or at least 2")
        if not 0.0 < self.test_size < 1.0:
            raise ValueError("test_size must be between 0 and 1")
        if self.max_rows is not None and self.max_rows < MIN_ROWS:
            raise ValueError(f"max_rows must be at least {MIN_ROWS}")

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["suites"] = list(self.suites)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "SuiteConfig":
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**{**known, "suites": tuple(known.get("suites", cls.suites))})

    def key(self) -> str:
        """Stable short hash of the settings (the store's folder key)."""
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:12]


@dataclass
class ProgressEvent:
    model: str
    suite: str
    status: str            # "started" | "finished" | "failed"
    seconds: float
    done: int
    total: int
    error: str | None = None
    cpu_s: float | None = None     # CPU seconds the task used where it ran (executors that measure it)


@dataclass(eq=False)
class TrainedSuite:
    """Every fitted model of a suite with its scaler, tables and manifest. Predictions go through
    core.whatif.scorer.Scorer (or core.models.kinds on already scaled rows)."""

    config: SuiteConfig
    fingerprint: str
    feature_names: list[str]
    popular_threshold: float
    scaler: Any                      # the StandardScaler fitted on the training split
    models: dict[str, Any]
    specs: dict[str, Any]            # model name -> its core.models.suites.ModelSpec
    regression_table: pd.DataFrame
    classification_table: pd.DataFrame
    test_predictions: pd.DataFrame
    manifest: dict = field(default_factory=dict)
    intervals: pd.DataFrame = field(default_factory=pd.DataFrame)   # core.comparison.uncertainty's table (empty: not computed)

    def regressors(self) -> dict[str, Any]:
        return {n: m for n, m in self.models.items() if self.specs[n].task == REGRESSION}

    def classifiers(self) -> dict[str, Any]:
        return {n: m for n, m in self.models.items() if self.specs[n].task == CLASSIFICATION}

    @property
    def classes(self) -> list[int]:
        return list(self.manifest.get("classes", [0, 1]))

    def scaled(self, X: pd.DataFrame | np.ndarray) -> np.ndarray:
        """Raw feature rows -> the standardised float matrix every model takes (plain numpy: fast on one row)."""
        if isinstance(X, pd.DataFrame):
            missing = [c for c in self.feature_names if c not in X.columns]
            if missing:
                raise ValueError(f"the rows lack the feature column(s) {missing} these models were trained on")
            raw = X[self.feature_names].to_numpy(dtype=float)
        else:
            raw = np.asarray(X, dtype=float)
            if raw.ndim == 1:
                raw = raw.reshape(1, -1)
            if raw.shape[1] != len(self.feature_names):
                raise ValueError(f"expected {len(self.feature_names)} feature columns, got {raw.shape[1]}")
        return (raw - self.scaler.mean_) / self.scaler.scale_


@dataclass(eq=False)
class SuiteTables:
    """What the comparison page needs without loading a single model."""

    config: SuiteConfig
    fingerprint: str
    feature_names: list[str]
    popular_threshold: float
    regression_table: pd.DataFrame
    classification_table: pd.DataFrame
    test_predictions: pd.DataFrame
    manifest: dict = field(default_factory=dict)
    path: Path | None = None
    intervals: pd.DataFrame = field(default_factory=pd.DataFrame)
