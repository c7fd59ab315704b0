"""Model engine budget: the whole default suite from scratch, against the report's own sequential loop, and loading.

On the full twin (quick: a 20,000-row sample):
1. the default suite (every model `suites.select_specs` picks for the default config: the three report suites, their
   ANNs, the weighted corrections and the baselines) from scratch through `train_suite`'s in-process pool (the app
   and the CLI train as Dask jobs: benchmarks/jobs.py holds the budget a person feels);
2. the same scikit-learn / XGBoost models (no networks) through the engine, and through the report's plain loop
   (`for name, model in models.items(): model.fit(x_train, y_train); model.predict(x_test)` on the unscaled features,
   each model configured as the report wrote it, ridge_cv as a 5-fold GridSearchCV) — ratio ≥ 2.5;
3. the engine's two joblib backends (threads vs loky processes) on a 20,000-row sample, no networks;
4. saving, loading the tables (≤ 0.5 s) and loading every model (≤ 4 s), in this process and in a fresh one.
The regression and classification tables of run 1 are printed.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

from benchmarks import Measurement, median_seconds
from benchmarks.server import ROOT

RATIO_BUDGET = 2.5
TABLES_BUDGET_S = 0.5
LOAD_BUDGET_S = 4.0
QUICK_ROWS = 20_000
BACKEND_ROWS = 20_000


def report_loop_seconds(frame, config) -> float:
    """The report's plain loop over the same scikit-learn / XGBoost models, one after another, unscaled features."""
    from sklearn.utils.class_weight import compute_class_weight

    from core.models import suites as S, training

    features = training._frame_features(frame)
    cleaned, _ = training._clean(frame, features)
    train, test, _ = training._split(cleaned, config)
    X = cleaned[features].to_numpy(dtype=float)
    y = cleaned["popularity"].to_numpy(dtype=float)
    x_train, x_test, y_train = X[train], X[test], y[train]
    y_class_train = np.digitize(y_train, [np.percentile(y_train, 99)])
    classes = np.unique(y_class_train)
    weights = dict(zip(classes.tolist(), compute_class_weight("balanced", classes=classes, y=y_class_train)))
    specs = [s for s in S.select_specs(config.suites, include_ann=False) if s.group != S.GROUP_BASELINE]
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the report's unscaled lbfgs / liblinear runs stop at max_iter
        _fit_each(specs, x_train, x_test, y_train, y_class_train, weights)
    return time.perf_counter() - start


def _fit_each(specs, x_train, x_test, y_train, y_class_train, weights) -> None:
    from sklearn.linear_model import Ridge
    from sklearn.model_selection import GridSearchCV

    from core.models import suites as S

    for spec in specs:
        params = dict(spec.params)
        if spec.factory is S.RidgeCV:  # the report: ridge_cv = GridSearchCV(Ridge(), grid); Ridge(alpha=best)
            ridge_cv = GridSearchCV(Ridge(), {"alpha": list(S.RIDGE_ALPHAS)}, cv=5).fit(x_train, y_train)
            model = Ridge(alpha=ridge_cv.best_params_["alpha"])
        else:
            if spec.weighting == S.WEIGHT_CLASS:
                params["class_weight"] = weights
            model = spec.factory(**params)
        target = y_train if spec.task == S.REGRESSION else y_class_train
        fit_kwargs = {}
        if spec.weighting == S.WEIGHT_SAMPLE:
            fit_kwargs["sample_weight"] = np.array([weights[c] for c in y_class_train])
        model.fit(x_train, target, **fit_kwargs)
        model.predict(x_test)


def _load() -> str:
    """The 1-minute load average: these 2 cores are shared, so every timing says how busy they were."""
    return f"{os.getloadavg()[0]:.1f}"


def _fresh_process_load_seconds(path: Path) -> tuple[float, float, float, bool]:
    """(seconds to load every model, seconds including the imports, seconds to import Keras alone, whether the load
    imported TensorFlow), each in a new Python process."""
    code = (
        "import json, time, sys; t0 = time.perf_counter()\n"
        "from pathlib import Path\n"
        "from core.models.store import ArtifactStore\n"
        "t1 = time.perf_counter(); store = ArtifactStore(Path(sys.argv[2]))\n"
        "suite = store.load(Path(sys.argv[1])); t2 = time.perf_counter()\n"
        "print(json.dumps({'load': t2 - t1, 'total': t2 - t0, 'tensorflow': 'tensorflow' in sys.modules}))\n"
    )
    result = subprocess.run([sys.executable, "-c", code, str(path), str(path.parents[1])], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-2000:])
    times = json.loads(result.stdout.strip().splitlines()[-1])
    keras = subprocess.run([sys.executable, "-c", "import time; t = time.perf_counter(); "
                            "from core.models import keras; keras.keras_module(); print(time.perf_counter() - t)"], cwd=ROOT, capture_output=True,
                           text=True, timeout=300)
    keras_s = float(keras.stdout.strip().splitlines()[-1]) if keras.returncode == 0 else float("nan")
    return times["load"], times["total"], keras_s, times["tensorflow"]


def measurements(quick: bool = False) -> list[Measurement]:
    from core import sources
    from core.models.cli import format_tables
    from core.models.config import SuiteConfig
    from core.models.store import ArtifactStore
    from core.models.training import train_suite
    from core.whatif.batch import score_batch
    from core.whatif.scorer import Scorer

    dataset = sources.twin_dataset()
    frame = dataset.frame.sample(n=QUICK_ROWS, random_state=1) if quick else dataset.frame
    size = f"{len(frame):,} rows" + (" (sample)" if quick else ", full twin")
    results: list[Measurement] = []

    config = SuiteConfig()
    start, cpu_start, load_before = time.perf_counter(), time.process_time(), _load()
    suite = train_suite(frame, config, dataset.fingerprint)
    suite_s = time.perf_counter() - start
    suite_cpu_s = time.process_time() - cpu_start
    n_models = len(suite.specs)
    results.append(Measurement(f"engine: default suite from scratch, {n_models} models ({size})", suite_s, "s",
                               note="in-process pool (tests, library use); the app trains as a job: see jobs: "
                                    f"lines; {suite.manifest['training']['workers']} workers, "
                                    f"{suite.manifest['training']['backend']}; load avg {load_before}→{_load()}"))

    cores = os.cpu_count() or 1
    longest = max(float(t["fit_s"].max()) for t in (suite.regression_table, suite.classification_table) if len(t))
    results.append(Measurement("engine: CPU time the default suite consumed (all threads)", suite_cpu_s, "s",
                               note=f"so ≥ {suite_cpu_s / cores:.0f} s wall on {cores} cores; longest model "
                                    f"{longest:.0f} s"))

    no_ann = SuiteConfig(include_ann=False)
    load_before = _load()
    start = time.perf_counter()
    train_suite(frame, no_ann, dataset.fingerprint)
    engine_s = time.perf_counter() - start
    load_between = _load()
    sequential_s = report_loop_seconds(frame, no_ann)
    results.append(Measurement("engine: same sklearn/xgboost models, no networks", engine_s, "s",
                               note=f"load avg {load_before}→{load_between}"))
    results.append(Measurement("engine: the report's sequential loop over those models", sequential_s, "s",
                               note=f"load avg {load_between}→{_load()} (other users' jobs skew this ratio)"))
    results.append(Measurement("engine: speed-up over the report's loop", sequential_s / engine_s, "×",
                               budget=None if quick else RATIO_BUDGET, lower_is_better=False,
                               note="same run; LPT-ordered pool vs one model after another"))

    sample = dataset.frame.sample(n=min(BACKEND_ROWS, len(dataset.frame)), random_state=2)
    for backend in ("threading", "loky"):
        start = time.perf_counter()
        train_suite(sample, no_ann, dataset.fingerprint, backend=backend)
        results.append(Measurement(f"engine: backend {backend}, {len(sample):,}-row sample, no networks",
                                   time.perf_counter() - start, "s"))

    with tempfile.TemporaryDirectory() as folder:
        store = ArtifactStore(Path(folder) / "store")
        start = time.perf_counter()
        path = store.save(suite)
        save_s = time.perf_counter() - start
        size_mb = sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6
        results.append(Measurement("artifacts: save the default suite", save_s, "s", note=f"{size_mb:.0f} MB"))
        tables_s = median_seconds(lambda: ArtifactStore(store.root).load_tables(path), repeat=3)
        results.append(Measurement("artifacts: load tables (hash-verified)", tables_s, "s", budget=TABLES_BUDGET_S))
        start = time.perf_counter()
        loaded = ArtifactStore(store.root).load(path)
        load_s = time.perf_counter() - start
        results.append(Measurement("artifacts: load every model (libraries already imported)", load_s, "s",
                                   budget=LOAD_BUDGET_S))
        # Median of 3 fresh processes: one process start on a shared machine is a noisy sample.
        fresh = sorted((_fresh_process_load_seconds(path) for _ in range(3)), key=lambda times: times[0])
        fresh_load_s, fresh_total_s, keras_s, imported_tensorflow = fresh[1]
        results.append(Measurement("artifacts: load every model in a fresh process", fresh_load_s, "s",
                                   budget=LOAD_BUDGET_S,
                                   note=f"{fresh_total_s:.1f} s with importing the engine; TensorFlow "
                                        + ("imported" if imported_tensorflow else "not imported (networks score in "
                                           f"numpy), its import alone takes {keras_s:.1f} s")))
        rows = frame.iloc[:200]
        same = np.allclose(score_batch(Scorer(loaded), rows), score_batch(Scorer(suite), rows), rtol=0, atol=1e-6,
                           equal_nan=True)
        results.append(Measurement("artifacts: loaded suite predicts identically (1 = yes)", float(same), "",
                                   budget=1.0, lower_is_better=False))

    print(f"\n{format_tables(suite)}\n", flush=True)
    return results
