"""Split, fit, evaluate and time the report's model suites — every model in parallel, with a progress callback.

One generic loop over `core.models.suites` specs:

1. rows with a missing feature or target are dropped (and counted); `max_rows` draws a seeded sample;
2. the split: the report's random 80/20 (seeded) or, with `grouped`, GroupShuffleSplit on artist_name so no artist
   is on both sides; the classification target is popularity ≥ the 99th percentile of the TRAINING popularity (73 on
   the report's data), or 2 / 3 quantile bins of it;
3. one StandardScaler fitted on the training features; every model takes the scaled matrix;
4. models (and CV folds) run through an *executor*, slowest first (longest-processing-time-first), each estimator
   with one thread of its own; results stream back to the caller's thread, where the progress callback is called and
   the metrics are computed. A model that raises becomes a row with status "failed" and the error text; the others
   carry on. The app and the CLI train only as jobs (`core.models.jobs`), whose executor runs every task on Dask
   workers; the default executor here, an in-process joblib pool, is for tests and library use on small data.
"""
from __future__ import annotations

import math
import time
import traceback
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler
from sklearn.utils.class_weight import compute_class_weight

from core import schema
from core.models import kinds, metrics, suites as S
from core.models.config import BINNING_TOP1, BIN_COUNTS, MIN_ROWS, ProgressEvent, SuiteConfig, TrainedSuite

TOP_PERCENTILE = 99.0
DEFAULT_BACKEND = "threading"  # measured against loky in benchmarks/engine.py: no pickling, no TF import per worker
FEW_POSITIVES = 20         # fewer popular songs than this in the training split gets a warning
STATUS_OK, STATUS_FAILED = "ok", "failed"

REGRESSION_COLUMNS = ("group", "MSE", "MAE", "R2 Score", "RMSE", "cv_R2_mean", "cv_R2_sd", "cv_RMSE_mean",
                      "cv_RMSE_sd", "fit_s", "predict_us_per_row", "n_train", "status", "error")
CLASSIFICATION_COLUMNS = ("group",) + metrics.CLASSIFICATION_METRICS + (
    "cv_pr_auc_mean", "cv_pr_auc_sd", "cv_roc_auc_mean", "cv_roc_auc_sd",
    "fit_s", "predict_us_per_row", "n_train", "status", "error")
CV_COLUMNS = {"cv_R2_mean", "cv_R2_sd", "cv_RMSE_mean", "cv_RMSE_sd",
              "cv_pr_auc_mean", "cv_pr_auc_sd", "cv_roc_auc_mean", "cv_roc_auc_sd"}


# ---- data preparation ------------------------------------------------------------------------------------------------

@dataclass
class _Prepared:
    """Everything the workers read (never written after preparation)."""

    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray
    yc_train: np.ndarray
    yc_test: np.ndarray
    classes: list[int]
    seed: int
    can_classify: str | None          # None, or why classifiers cannot be trained on this split
    folds: dict[str, list[tuple[np.ndarray, np.ndarray]]] = field(default_factory=dict)


@dataclass
class _Task:
    spec: S.ModelSpec
    fold: int | None = None           # None = the real fit; k = CV fold k (0-based)
    n_folds: int = 0
    estimate_s: float = 0.0

    @property
    def label(self) -> str:
        if self.fold is None:
            return self.spec.name
        return f"{self.spec.name} — CV fold {self.fold + 1}/{self.n_folds}"


@dataclass
class _Outcome:
    task: _Task
    status: str
    seconds: float
    model: Any = None
    fit_s: float = math.nan
    predict_s: float = math.nan
    n_train: int = 0
    output: np.ndarray | None = None      # regression: predictions; classification: (n, k) probabilities
    y_pred: np.ndarray | None = None      # classification: predicted classes
    fold_scores: dict[str, float] | None = None
    info: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


def _frame_features(frame: pd.DataFrame) -> list[str]:
    return [name for name in schema.FEATURE_NAMES if name in frame.columns]


def _clean(frame: pd.DataFrame, features: list[str]) -> tuple[pd.DataFrame, int]:
    """Numeric features and target; rows missing any of them dropped (counted)."""
    if schema.TARGET not in frame.columns:
        raise ValueError(f"the data has no `{schema.TARGET}` column, so there is nothing to predict")
    if not features:
        raise ValueError(f"the data has none of the audio features ({', '.join(schema.FEATURE_NAMES)})")
    columns = features + [schema.TARGET]
    numeric = frame[columns].apply(pd.to_numeric, errors="coerce")
    keep = numeric.notna().all(axis=1).to_numpy()
    extra = [c for c in (schema.ARTIST,) if c in frame.columns]
    cleaned = pd.concat([numeric.loc[keep], frame.loc[keep, extra]], axis=1)
    return cleaned, int((~keep).sum())


def _split(frame: pd.DataFrame, config: SuiteConfig) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """Positions of the train and test rows, and how they were chosen."""
    from sklearn.model_selection import GroupShuffleSplit, train_test_split

    positions = np.arange(len(frame))
    if config.grouped:
        if schema.ARTIST not in frame.columns:
            raise ValueError(f"a split by artist needs the `{schema.ARTIST}` column, which this data lacks")
        groups = frame[schema.ARTIST].astype(str).fillna("").to_numpy()
        if len(np.unique(groups)) < 2:
            raise ValueError("a split by artist needs at least two different artists")
        splitter = GroupShuffleSplit(n_splits=1, test_size=config.test_size, random_state=config.seed)
        train, test = next(splitter.split(positions, groups=groups))
        # GroupShuffleSplit returns rows in file order; shuffle so the networks' validation tail is a random tenth
        train = np.random.default_rng(config.seed).permutation(train)
        info = {"kind": "grouped", "method": "GroupShuffleSplit(artist_name)",
                "n_artists_train": int(len(np.unique(groups[train]))),
                "n_artists_test": int(len(np.unique(groups[test])))}
    else:
        train, test = train_test_split(positions, test_size=config.test_size, random_state=config.seed, shuffle=True)
        info = {"kind": "random", "method": "train_test_split (the report's random 80/20)"}
    if schema.ARTIST in frame.columns:
        artists = frame[schema.ARTIST].astype(str).to_numpy()
        info["artists_in_both"] = int(len(np.intersect1d(artists[train], artists[test])))
    info.update({"test_size": config.test_size, "seed": config.seed, "n_train": int(len(train)),
                 "n_test": int(len(test))})
    return np.asarray(train), np.asarray(test), info


def _class_target(y_train: np.ndarray, y_test: np.ndarray, binning: str) -> tuple[np.ndarray, np.ndarray, list,
                                                                                   float, list[float]]:
    """(y_class train, test, classes, popular threshold, bin edges). Cuts come from the TRAINING popularity only."""
    if binning == BINNING_TOP1:
        # the report: quantile 0.99 of popularity (73 on its data) and np.digitize(popularity, [73])
        edges = [float(np.percentile(y_train, TOP_PERCENTILE))]
    else:
        n_bins = BIN_COUNTS[binning]
        edges = sorted(set(float(q) for q in np.percentile(y_train, np.linspace(0, 100, n_bins + 1)[1:-1])))
        # np.digitize puts value == edge in the upper bin; an edge at the minimum would leave the lowest bin empty
        edges = [e for e in edges if e > float(np.min(y_train))] or [float(np.percentile(y_train, 50)) + 0.5]
    yc_train = np.digitize(y_train, edges).astype(int)
    yc_test = np.digitize(y_test, edges).astype(int)
    classes = list(range(len(edges) + 1))
    return yc_train, yc_test, classes, edges[-1], edges


def _classification_problem(yc_train: np.ndarray, classes: list[int], threshold: float, binning: str) -> str | None:
    counts = np.bincount(yc_train, minlength=len(classes))
    if (counts == 0).any():
        empty = [c for c in classes if counts[c] == 0]
        if binning == BINNING_TOP1:
            what = (f"no popular song (popularity ≥ {threshold:g})" if 1 in empty
                    else f"only popular songs (popularity ≥ {threshold:g})")
            return (f"the training split holds {what} among its {len(yc_train):,} rows, so a classifier cannot "
                    f"learn the difference; train on more rows or other data")
        return (f"quantile bin(s) {empty} are empty in the training split ({len(yc_train):,} rows); "
                f"popularity has too few distinct values for {binning}")
    return None


def _few_positives_note(yc_train: np.ndarray, threshold: float, binning: str) -> str | None:
    """Small data: the 99th-percentile rule leaves a handful of popular songs, too few for stable metrics."""
    positives = int(np.sum(yc_train == 1)) if binning == BINNING_TOP1 else 0
    if 0 < positives < FEW_POSITIVES:
        return (f"only {positives} popular songs (popularity ≥ {threshold:g}) in the training split: the classifiers "
                "learn from a handful of examples, so their minority-class metrics are rough estimates")
    return None


def _cv_folds(config: SuiteConfig, X: np.ndarray, y: np.ndarray, yc: np.ndarray, groups: np.ndarray | None
              ) -> tuple[dict[str, list], list[str]]:
    from sklearn.model_selection import GroupKFold, KFold, StratifiedGroupKFold, StratifiedKFold

    k, seed, notes = config.cv_folds, config.seed, []
    if config.grouped and groups is not None:
        regression = GroupKFold(n_splits=k, shuffle=True, random_state=seed).split(X, y, groups)
        classification = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
        min_count = np.bincount(yc).min()
        if min_count >= k:
            cls_folds = list(classification.split(X, yc, groups))
        else:
            cls_folds = list(GroupKFold(n_splits=k, shuffle=True, random_state=seed).split(X, yc, groups))
            notes.append(f"the rarest class has {min_count} training rows (< {k} folds): classification CV folds "
                         f"are not stratified")
        return {S.REGRESSION: list(regression), S.CLASSIFICATION: cls_folds}, notes
    regression = list(KFold(n_splits=k, shuffle=True, random_state=seed).split(X))
    min_count = np.bincount(yc).min() if len(yc) else 0
    if min_count >= k:
        cls_folds = list(StratifiedKFold(n_splits=k, shuffle=True, random_state=seed).split(X, yc))
    else:
        cls_folds = regression
        notes.append(f"the rarest class has {min_count} training rows (< {k} folds): classification CV folds are "
                     f"not stratified")
    return {S.REGRESSION: regression, S.CLASSIFICATION: cls_folds}, notes


# ---- one unit of work (runs in a pool worker) ------------------------------------------------------------------------

def _describe_error(error: BaseException) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    text = f"{type(error).__name__}: {text}" if text else type(error).__name__
    return text if len(text) <= 400 else text[:397] + "…"


def _balanced_weights(y: np.ndarray) -> dict[int, float]:
    classes = np.unique(y)
    weights = compute_class_weight("balanced", classes=classes, y=y)
    return {int(c): float(w) for c, w in zip(classes, weights)}


def _run_task(task: _Task, data: _Prepared, inner_jobs: int = 1) -> _Outcome:
    with warnings.catch_warnings():
        # liblinear / lbfgs stop at max_iter on some folds; the metrics show the result, the warning adds nothing
        warnings.filterwarnings("ignore", category=ConvergenceWarning)
        warnings.filterwarnings("ignore", message=".*(?:y_pred contains classes|Precision is ill-defined).*")
        return _fit_and_evaluate(task, data, inner_jobs)


def _fit_and_evaluate(task: _Task, data: _Prepared, inner_jobs: int) -> _Outcome:
    start = time.perf_counter()
    spec = task.spec
    try:
        if spec.task == S.CLASSIFICATION and data.can_classify is not None:
            raise _CannotClassify(data.can_classify)
        target = data.y_train if spec.task == S.REGRESSION else data.yc_train
        if task.fold is None:
            X_fit, y_fit, X_eval = data.X_train, target, data.X_test
        else:
            fit_rows, eval_rows = data.folds[spec.task][task.fold]
            X_fit, y_fit, X_eval = data.X_train[fit_rows], target[fit_rows], data.X_train[eval_rows]
        rows = spec.train_rows(len(X_fit))
        if rows < len(X_fit):  # an extra over its row cap / time budget: a seeded subsample
            keep = np.sort(np.random.default_rng(data.seed).choice(len(X_fit), size=rows, replace=False))
            X_fit, y_fit = X_fit[keep], y_fit[keep]
        weights = _balanced_weights(y_fit) if spec.weighting and spec.task == S.CLASSIFICATION else None
        if spec.task == S.CLASSIFICATION and len(np.unique(y_fit)) < 2:
            raise _CannotClassify("this training fold holds a single class")
        estimator = spec.build(seed=data.seed, n_jobs=inner_jobs,
                               class_weight=weights if spec.weighting == S.WEIGHT_CLASS else None)
        if isinstance(estimator, CalibratedClassifierCV):
            # calibration folds cannot outnumber the rarest class (tiny samples)
            smallest = int(np.bincount(y_fit).min())
            if smallest < 2:
                raise _CannotClassify(f"only {smallest} song(s) of the rarest class in the training split; "
                                      f"probability calibration needs at least 2")
            if isinstance(estimator.cv, int) and estimator.cv > smallest:
                estimator.set_params(cv=smallest)
        fit_kwargs = {}
        if spec.weighting == S.WEIGHT_SAMPLE and weights is not None:
            fit_kwargs["sample_weight"] = np.array([weights[int(c)] for c in y_fit])
        fit_start = time.perf_counter()
        estimator.fit(X_fit, y_fit, **fit_kwargs)
        fit_s = time.perf_counter() - fit_start
        kind = kinds.adapter(spec.kind)
        model = kind.fitted(estimator)
        info: dict[str, Any] = kind.fit_info(estimator)
        predict_start = time.perf_counter()
        if spec.task == S.REGRESSION:
            output = kind.predict(model, X_eval)
            y_pred = None
        else:
            output = kind.predict_proba(model, X_eval, data.classes)
        predict_s = time.perf_counter() - predict_start
        if spec.task == S.CLASSIFICATION:
            y_pred = kind.predict_classes(model, X_eval, output, data.classes)
        scores = None
        if task.fold is not None:
            _, eval_rows = data.folds[spec.task][task.fold]
            if spec.task == S.REGRESSION:
                scores = metrics.fold_scores(spec.task, data.y_train[eval_rows], output)
            else:
                top = data.classes[-1]
                scores = metrics.fold_scores(spec.task, (data.yc_train[eval_rows] == top).astype(int), output[:, -1])
            model = output = y_pred = None  # a fold only contributes its scores
        if not (output is None or np.all(np.isfinite(output))):
            raise FloatingPointError("the model predicted NaN or infinite values")
        return _Outcome(task, STATUS_OK, time.perf_counter() - start, model=model, fit_s=fit_s, predict_s=predict_s,
                        n_train=len(X_fit), output=output, y_pred=y_pred, fold_scores=scores, info=info)
    except Exception as error:  # noqa: BLE001  (one model's failure must not stop the suite)
        message = _describe_error(error)
        if spec.task == S.CLASSIFICATION and not isinstance(error, _CannotClassify):
            counts = np.bincount(data.yc_train, minlength=len(data.classes))
            message += f" (training split class counts: {dict(zip(data.classes, counts.tolist()))})"
        return _Outcome(task, STATUS_FAILED, time.perf_counter() - start, error=message,
                        info={"traceback": traceback.format_exc(limit=3)})


class _CannotClassify(ValueError):
    """The split makes classification impossible; said in a sentence instead of sklearn's error."""


# ---- running the pool -----------------------------------------------------------------------------------------------

# runs the LPT-ordered tasks, calling on_start / on_done in the caller's thread; returns how many workers ran them
Executor = Callable[[list[_Task], _Prepared, Callable[[_Task], None], Callable[[_Outcome], None]], int]

def _execute(tasks: list[_Task], data: _Prepared, n_jobs: int, backend: str,
             on_start: Callable[[_Task], None], on_done: Callable[[_Outcome], None]) -> None:
    """Run the tasks (already in LPT order) on n_jobs workers; callbacks run in this (the caller's) thread."""
    from joblib import Parallel, delayed

    if n_jobs <= 1 or len(tasks) <= 1:
        for task in tasks:
            on_start(task)
            on_done(_run_task(task, data))
        return
    # pre_dispatch="n_jobs" + batch_size=1: a new task is handed out exactly when one finishes, in list order, so the
    # "started" events emitted here as results come back follow the real dispatch order.
    announced = min(n_jobs, len(tasks))
    for task in tasks[:announced]:
        on_start(task)
    results = Parallel(n_jobs=n_jobs, backend=backend, return_as="generator_unordered", pre_dispatch="n_jobs",
                       batch_size=1)(delayed(_run_task)(task, data) for task in tasks)
    for outcome in results:
        on_done(outcome)
        if announced < len(tasks):
            on_start(tasks[announced])
            announced += 1


def _effective_jobs(n_jobs: int, n_tasks: int) -> int:
    from joblib import effective_n_jobs

    return max(1, min(effective_n_jobs(n_jobs), n_tasks))


# ---- the public entry point ------------------------------------------------------------------------------------------

def train_suite(frame: pd.DataFrame, config: SuiteConfig, fingerprint: str,
                progress: Callable[[ProgressEvent], None] | None = None, n_jobs: int = -1, *,
                backend: str = DEFAULT_BACKEND, specs: list[S.ModelSpec] | None = None,
                executor: Executor | None = None) -> TrainedSuite:
    """Train every model the config selects (or `specs`, for tests) and evaluate it on the held-out split.

    `executor(tasks, data, on_start, on_done) -> workers` runs the tasks somewhere else (core.models.jobs: on Dask) and
    calls the callbacks in this thread; without one, an in-process joblib pool of `n_jobs` runs them. An executor may
    raise to abandon the run (a cancelled job): nothing is returned then."""
    wall_start = time.perf_counter()
    created_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    features = _frame_features(frame)
    cleaned, dropped = _clean(frame, features)
    warnings_list: list[str] = []
    if dropped:
        warnings_list.append(f"{dropped:,} rows with a missing or non-numeric feature or popularity were left out")
    if config.max_rows is not None and len(cleaned) > config.max_rows:
        cleaned = cleaned.sample(n=config.max_rows, random_state=config.seed)
    if len(cleaned) < MIN_ROWS:
        raise ValueError(f"only {len(cleaned)} usable rows; training needs at least {MIN_ROWS}")

    train_pos, test_pos, split_info = _split(cleaned, config)
    split_info["dropped_rows"] = dropped
    split_info["n_rows"] = int(len(cleaned))
    X = cleaned[features].to_numpy(dtype=float)
    y = cleaned[schema.TARGET].to_numpy(dtype=float)
    y_train, y_test = y[train_pos], y[test_pos]
    yc_train, yc_test, classes, threshold, edges = _class_target(y_train, y_test, config.binning)
    scaler = StandardScaler().fit(X[train_pos])
    X_train, X_test = scaler.transform(X[train_pos]), scaler.transform(X[test_pos])

    selected = specs if specs is not None else S.select_specs(config.suites, include_ann=config.include_ann,
                                                              extras=config.extras)
    wants_classifiers = any(s.task == S.CLASSIFICATION for s in selected)
    problem = _classification_problem(yc_train, classes, threshold, config.binning) if wants_classifiers else None
    if problem:
        warnings_list.append(problem)
    elif wants_classifiers and (note := _few_positives_note(yc_train, threshold, config.binning)):
        warnings_list.append(note)
    if wants_classifiers and len(np.unique(yc_test)) < len(classes):
        warnings_list.append("the test split lacks a class (too few popular songs), so ROC-AUC, PR-AUC and the "
                             "F1-best threshold are undefined (empty cells)")
    data = _Prepared(X_train, X_test, y_train, y_test, yc_train, yc_test, classes, config.seed, problem)

    tasks = [_Task(spec, estimate_s=spec.estimated_seconds(len(X_train))) for spec in selected]
    if config.cv_folds:
        groups = cleaned[schema.ARTIST].astype(str).to_numpy()[train_pos] if schema.ARTIST in cleaned else None
        data.folds, cv_notes = _cv_folds(config, X_train, y_train, yc_train, groups)
        warnings_list.extend(cv_notes)
        share = (config.cv_folds - 1) / config.cv_folds
        tasks += [_Task(spec, fold=k, n_folds=config.cv_folds, estimate_s=spec.estimated_seconds(len(X_train)) * share)
                  for spec in selected if kinds.adapter(spec.kind).cross_validates for k in range(config.cv_folds)]
        if not all(kinds.adapter(spec.kind).cross_validates for spec in selected):
            warnings_list.append("cross-validation skips the networks (k more trainings of the slowest models); "
                                 "their CV cells stay empty")
    # Longest processing time first: the two ~30 s boosters start at once instead of finishing last.
    order = sorted(range(len(tasks)), key=lambda i: (-tasks[i].estimate_s, i))
    tasks = [tasks[i] for i in order]

    workers = _effective_jobs(n_jobs, len(tasks))
    total, done = len(tasks), 0
    outcomes: dict[str, _Outcome] = {}
    fold_outcomes: dict[str, list[_Outcome]] = {}

    def emit(event: ProgressEvent) -> None:
        if progress is not None:
            progress(event)

    def on_start(task: _Task) -> None:
        emit(ProgressEvent(task.label, task.spec.suite, "started", 0.0, done, total))

    def on_done(outcome: _Outcome) -> None:
        nonlocal done
        done += 1
        task = outcome.task
        if task.fold is None:
            outcomes[task.spec.name] = outcome
        else:
            fold_outcomes.setdefault(task.spec.name, []).append(outcome)
        status = "finished" if outcome.status == STATUS_OK else "failed"
        emit(ProgressEvent(task.label, task.spec.suite, status, outcome.seconds, done, total, outcome.error,
                           outcome.info.get("cpu_s")))

    if executor is None:
        _execute(tasks, data, workers, backend, on_start, on_done)
    else:
        workers = executor(tasks, data, on_start, on_done)
        backend = getattr(executor, "name", type(executor).__name__)

    return _assemble(config, fingerprint, features, threshold, edges, classes, scaler, selected, outcomes,
                     fold_outcomes, data, cleaned, test_pos, split_info, warnings_list, created_at,
                     wall_s=time.perf_counter() - wall_start, workers=workers, backend=backend)


def _assemble(config, fingerprint, features, threshold, edges, classes, scaler, selected, outcomes, fold_outcomes,
              data, cleaned, test_pos, split_info, warnings_list, created_at, *, wall_s, workers, backend
              ) -> TrainedSuite:
    regression_rows, classification_rows = {}, {}
    predictions: dict[str, Any] = {
        "y_true": data.y_test.astype(int) if np.all(data.y_test == np.round(data.y_test)) else data.y_test,
        "y_class": data.yc_test,
        "artist": (cleaned[schema.ARTIST].astype(str).to_numpy()[test_pos] if schema.ARTIST in cleaned
                   else np.full(len(test_pos), "", dtype=object)),
    }
    models: dict[str, Any] = {}
    model_info: dict[str, dict] = {}
    n_test = max(len(data.y_test), 1)
    for spec in selected:
        outcome = outcomes.get(spec.name)
        row: dict[str, Any] = {"group": spec.group}
        if outcome is None:  # cannot happen unless the pool lost a task; say so rather than guess
            outcome = _Outcome(_Task(spec), STATUS_FAILED, 0.0, error="the model never reported back")
        if outcome.status == STATUS_OK:
            if spec.task == S.REGRESSION:
                row.update(metrics.regression_metrics(data.y_test, outcome.output))
                predictions[schema.REGRESSION_PREFIX + spec.name] = outcome.output
            else:
                row.update(metrics.classification_metrics(data.yc_test, outcome.y_pred, outcome.output, classes))
                if spec.report_threshold == S.THRESHOLD_F1_BEST and len(classes) == 2 and math.isfinite(
                        row["best_threshold"]):  # the report scored its networks at this cut (core.models.suites: why)
                    called = np.where(outcome.output[:, -1] >= row["best_threshold"], classes[-1], classes[0])
                    row.update(metrics.report_classification_metrics(data.yc_test, called))
                predictions[schema.CLASSIFICATION_PREFIX + spec.name] = outcome.output[:, -1]
            models[spec.name] = outcome.model
        row.update(fit_s=outcome.fit_s, predict_us_per_row=outcome.predict_s / n_test * 1e6, n_train=outcome.n_train,
                   status=outcome.status, error=outcome.error)
        folds = fold_outcomes.get(spec.name, [])
        if folds:
            keys = ("R2", "RMSE") if spec.task == S.REGRESSION else ("pr_auc", "roc_auc")
            for key in keys:
                mean, sd = metrics.mean_and_sd([f.fold_scores[key] for f in folds if f.status == STATUS_OK])
                row[f"cv_{key}_mean"], row[f"cv_{key}_sd"] = mean, sd
            failed_folds = [f.error for f in folds if f.status != STATUS_OK]
            if failed_folds:
                warnings_list.append(f"{spec.name}: {len(failed_folds)} CV fold(s) failed ({failed_folds[0]})")
        (regression_rows if spec.task == S.REGRESSION else classification_rows)[spec.name] = row
        model_info[spec.name] = {
            "task": spec.task, "group": spec.group, "suite": spec.suite, "kind": spec.kind,
            "params": _jsonable(dict(spec.params)), "weighting": spec.weighting,
            "seed": config.seed if spec.seeded else None, "n_train": outcome.n_train, "status": outcome.status,
            "error": outcome.error, "fit_s": outcome.fit_s, "note": spec.note,
            **{k: _jsonable(v) for k, v in outcome.info.items() if k != "traceback"},
        }
    regression_table = _table(regression_rows, REGRESSION_COLUMNS, bool(config.cv_folds))
    classification_table = _table(classification_rows, CLASSIFICATION_COLUMNS, bool(config.cv_folds))
    test_predictions = pd.DataFrame(predictions, index=cleaned.index[test_pos])
    test_predictions["artist"] = test_predictions["artist"].astype("str")
    test_predictions.index.name = "row"
    manifest = {
        "created_at": created_at,
        "fingerprint": fingerprint,
        "config": config.to_dict(),
        "config_key": config.key(),
        "feature_names": list(features),
        "target": schema.TARGET,
        "popular_threshold": float(threshold),
        "threshold_rule": ("popularity ≥ the 99th percentile of the training popularity"
                           if config.binning == BINNING_TOP1
                           else f"{config.binning}: quantile cuts of the training popularity"),
        "bin_edges": [float(e) for e in edges],
        "classes": [int(c) for c in classes],
        "class_counts_train": [int(c) for c in np.bincount(data.yc_train, minlength=len(classes))],
        "class_counts_test": [int(c) for c in np.bincount(data.yc_test, minlength=len(classes))],
        "split": split_info,
        "seeds": {"split": config.seed, "models": config.seed,
                  "report_fixed": {"DECISION TREE CLASSIFIER": 40, "RANDOM FOREST CLASSIFIER": 70}},
        "models": model_info,
        "versions": kinds.library_versions(include_keras=any(kinds.adapter(s.kind).needs_tensorflow
                                                             for s in selected)),
        "training": {"wall_s": wall_s, "workers": workers, "backend": backend,
                     "scaler": "StandardScaler fitted on the training split"},
        "warnings": warnings_list,
    }
    from core.comparison import uncertainty  # the leaderboards' bootstrap intervals: computed once, stored with the suite

    return TrainedSuite(config=config, fingerprint=fingerprint, feature_names=list(features),
                        popular_threshold=float(threshold), scaler=scaler, models=models,
                        specs={s.name: s for s in selected}, regression_table=regression_table,
                        classification_table=classification_table, test_predictions=test_predictions,
                        manifest=manifest, intervals=uncertainty.suite_intervals(
                            test_predictions, manifest, regression_table, classification_table))


def _table(rows: dict[str, dict], columns: tuple[str, ...], with_cv: bool) -> pd.DataFrame:
    wanted = [c for c in columns if with_cv or c not in CV_COLUMNS]
    table = pd.DataFrame.from_dict(rows, orient="index") if rows else pd.DataFrame()
    table = table.reindex(columns=wanted)
    for column in wanted:
        if column in ("group", "status", "error"):
            table[column] = table[column].astype("str")  # pandas' string dtype, as parquet reads it back (NaN = none)
        elif column == "n_train":
            table[column] = table[column].fillna(0).astype(int)
        else:
            table[column] = table[column].astype(float)
    table.index.name = "model"
    return table


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if not math.isfinite(float(value)) else float(value)
    if value is None or isinstance(value, (str, int, bool)):
        return value
    return repr(value)
