"""The on-disk store of trained suites: one folder per (data fingerprint, suite config), verified before use.

    <root>/<fingerprint>/<config key>-<UTC timestamp>/
        manifest.json            library versions, config, params, seeds, threshold, split, features, sha256 of files
        scaler.skops             the StandardScaler fitted on the training split
        models/NN_<name>.json    XGBoost (save_model JSON)      — native, no pickle
        models/NN_<name>.keras   Keras networks (.keras zip)    — native (loaded with safe_mode when no .npz)
        models/NN_<name>.npz     the networks' inference pass   — plain arrays: the app scores without TensorFlow
        models/NN_<name>.skops   scikit-learn estimators        — skops, with an explicit allow-list of types
        tables/*.parquet, *.csv  metric tables and test-set predictions

Nothing in the store is a pickle, so nothing loaded from it can run code: skops rebuilds only the types it is told
to trust (scikit-learn's estimators and the few helper types in SKOPS_TRUSTED_TYPES), and refuses any other type by
name. Suites written with joblib (store format 1) are refused with "retrain", never opened.

Writes go to a hidden temporary folder beside the suites, which is renamed into place in one step (os.rename never
merges into an existing folder), then older versions of the same suite are removed: at every moment a complete suite
is on disk and `find` returns the newest complete one. A crash leaves at most a hidden `.tmp-*` folder that is
ignored and cleared later. Every load re-hashes every file and compares library versions first; anything off is an
ArtifactError naming the file. Only the app's own store is ever loaded.

A damaged manifest (any JSON shape, size or depth) marks only its own suite as damaged (`damaged_suites`); listing the
store and every other suite keep working.

Which stored suite is newest is decided here and nowhere else (`stored_at`, `suites_of`): the what-if page and the
`core score` command take `latest_suite`, the comparison page and the report choose among `stored_configs`. How each
model kind is written and read is its adapter's business (core.models.kinds); the store hashes, verifies and refuses.
"""
from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import threading
import time
import uuid
import zipfile
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from core.models import kinds, suites as S
from core.models.config import SuiteConfig, SuiteTables, TrainedSuite

FORMAT_VERSION = 2  # 1: scikit-learn models and the scaler as joblib pickles (refused: retrain)
MANIFEST = "manifest.json"
SCALER_FILE = "scaler.skops"
# Types inside our estimators that skops does not trust by itself (it trusts scikit-learn's estimators, numpy and
# scipy containers). Anything else in a stored file is refused by name before it is built.
SKOPS_TRUSTED_TYPES = (
    "sklearn.tree._tree.Tree",                            # every tree, forest and boosting model
    "sklearn.calibration._CalibratedClassifier",          # LINEAR SVC: LinearSVC in sigmoid calibration
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.neighbors._kd_tree.KDTree",                  # KNN Regression (an opt-in extra)
    "sklearn.metrics._dist_metrics.EuclideanDistance64",
)
# What a stored scikit-learn file may hold at its top: the suites' estimators and the scaler (module path, class).
SKOPS_ESTIMATORS = frozenset({
    "sklearn.dummy.DummyRegressor", "sklearn.dummy.DummyClassifier",
    "sklearn.linear_model._base.LinearRegression", "sklearn.linear_model._ridge.Ridge",
    "sklearn.linear_model._ridge.RidgeCV", "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.ensemble._weight_boosting.AdaBoostRegressor", "sklearn.ensemble._weight_boosting.AdaBoostClassifier",
    "sklearn.ensemble._gb.GradientBoostingRegressor", "sklearn.ensemble._gb.GradientBoostingClassifier",
    "sklearn.ensemble._forest.RandomForestRegressor", "sklearn.ensemble._forest.RandomForestClassifier",
    "sklearn.ensemble._forest.ExtraTreesClassifier", "sklearn.tree._classes.DecisionTreeRegressor",
    "sklearn.tree._classes.DecisionTreeClassifier", "sklearn.naive_bayes.GaussianNB", "sklearn.naive_bayes.BernoulliNB",
    "sklearn.calibration.CalibratedClassifierCV", "sklearn.neighbors._regression.KNeighborsRegressor",
    "sklearn.pipeline.Pipeline", "sklearn.preprocessing._data.StandardScaler",
})
MAX_MANIFEST_BYTES = 4 * 1024 * 1024  # ours are a few KB
MAX_MANIFEST_DEPTH = 32               # ours nest 4 deep
_SHA256 = re.compile(r"[0-9a-f]{64}")
TABLE_FILES = {
    "regression_table": "tables/regression.parquet",
    "classification_table": "tables/classification.parquet",
    "test_predictions": "tables/test_predictions.parquet",
    "intervals": "tables/intervals.parquet",   # absent from suites stored before it: the page computes it then
}
CSV_COPIES = {"regression_table": "tables/regression.csv", "classification_table": "tables/classification.csv"}
TMP_PREFIX = ".tmp-"
STALE_TMP_SECONDS = 3600
# Models written by another version of these may not load, or may predict differently: refuse and ask to retrain.
PINNED_LIBRARIES = ("scikit-learn", "xgboost", "numpy", "keras")


class ArtifactError(Exception):
    """A stored suite cannot be used (damaged, tampered with, written by other library versions, or unwritable)."""


def default_store() -> Path:
    """$SPOTIFY_STORE, else <repo>/.store (gitignored)."""
    configured = os.environ.get("SPOTIFY_STORE")
    if configured:
        return Path(configured).expanduser()
    return Path(__file__).resolve().parents[1] / ".store"


def stored_at(manifest: dict) -> str:
    """When a suite was stored, as ISO text: what "newest" means and what tells two trainings of one suite apart. Every
    save writes `saved_at`; a suite trained but not yet stored has only its training's `created_at`."""
    return str(manifest.get("saved_at") or manifest.get("created_at") or "")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _slug(name: str) -> str:
    ascii_name = name.replace("α", "alpha").replace("²", "2")
    return re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_")[:48] or "model"


def _stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")


def _write_failure(error: OSError, where: Path) -> ArtifactError:
    reason = error.strerror or str(error)
    if error.errno == errno.ENOSPC:
        reason = "no space left on the device"
    return ArtifactError(f"could not write the trained suite to the store at {where}: {reason}. "
                         "The previously stored suite (if any) is unchanged.")


class ArtifactStore:
    def __init__(self, root: Path | None = None):
        self.root = Path(root) if root is not None else default_store()

    # ---- finding ------------------------------------------------------------------------------------------------------

    def _versions_of(self, fingerprint: str, config_key: str) -> list[Path]:
        """Complete stored versions of one suite, oldest first."""
        folder = self.root / fingerprint
        if not folder.is_dir():
            return []
        prefix = f"{config_key}-"
        return sorted(p for p in folder.iterdir()
                      if p.is_dir() and p.name.startswith(prefix) and (p / MANIFEST).is_file())

    def find(self, fingerprint: str, config: SuiteConfig) -> Path | None:
        versions = self._versions_of(fingerprint, config.key())
        return versions[-1] if versions else None

    def suites_of(self, fingerprint: str | None = None) -> list[dict]:
        """Manifests of the stored suites for this data (or all data), newest first: the one place that says which
        stored suite is newest. Newest is the latest `saved_at` (every save writes it; a suite stored before it by
        its `created_at`, see `stored_at`)."""
        manifests = [m for m in self.list_suites() if fingerprint is None or m.get("fingerprint") == fingerprint]
        # saved_at counts seconds; the folder's stamp (microseconds) orders two saves within one second
        return sorted(manifests, key=lambda m: (stored_at(m), Path(m["path"]).name.rsplit("-", 1)[-1]), reverse=True)

    def latest_suite_path(self, fingerprint: str | None = None) -> Path | None:
        """The folder of the newest stored suite for this data (or any), or None."""
        manifests = self.suites_of(fingerprint)
        return Path(manifests[0]["path"]) if manifests else None

    def latest_suite(self, fingerprint: str | None = None) -> TrainedSuite | None:
        """The newest stored suite for this data (or any), loaded and verified; None when there is none."""
        path = self.latest_suite_path(fingerprint)
        return None if path is None else self.load(path)

    def stored_configs(self, fingerprint: str) -> list[tuple[SuiteConfig, Path]]:
        """Settings and folder of every suite stored for this data, newest first; a manifest whose settings this
        version cannot read is left out."""
        found: dict[str, tuple[SuiteConfig, Path]] = {}
        for manifest in self.suites_of(fingerprint):
            try:
                config = SuiteConfig.from_dict(manifest.get("config") or {})
            except (TypeError, ValueError):
                continue
            found.setdefault(config.key(), (config, Path(manifest["path"])))
        return list(found.values())

    def list_suites(self) -> list[dict]:
        """Manifests of the stored suites (newest version of each), each with its "path"; damaged ones left out."""
        return self._scan()[0]

    def damaged_suites(self) -> list[dict]:
        """The stored suites that cannot be used, each as {"path", "reason"} (a sentence ending in what to do)."""
        return self._scan()[1]

    def _scan(self) -> tuple[list[dict], list[dict]]:
        """(sound manifests, damaged suites): dot-folders (`.jobs`, `.tmp-*`) are never suites; one damaged suite
        never hides the others."""
        sound: list[dict] = []
        damaged: list[dict] = []
        for fingerprint_dir in _subfolders(self.root):
            newest: dict[str, Path] = {}
            for suite_dir in _subfolders(fingerprint_dir):
                if (suite_dir / MANIFEST).is_file():
                    newest[suite_dir.name.rsplit("-", 1)[0]] = suite_dir
            for suite_dir in newest.values():
                try:
                    manifest = self._read_manifest(suite_dir)
                except ArtifactError as error:
                    damaged.append({"path": suite_dir, "reason": str(error)})
                    continue
                manifest["path"] = suite_dir
                sound.append(manifest)
        return sound, damaged

    # ---- saving -------------------------------------------------------------------------------------------------------

    def save(self, suite: TrainedSuite) -> Path:
        """Write the suite to a temporary folder, then move it into place in one rename; returns its folder."""
        fingerprint_dir = self.root / suite.fingerprint
        try:
            fingerprint_dir.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ArtifactError(f"cannot create the model store folder {fingerprint_dir} "
                                f"({error.strerror or error}); set SPOTIFY_STORE or --store to a writable "
                                "folder") from None
        key = suite.config.key()
        self._clear_stale_temporaries(fingerprint_dir)
        temporary = fingerprint_dir / f"{TMP_PREFIX}{key}-{uuid.uuid4().hex[:8]}"
        final = fingerprint_dir / f"{key}-{_stamp()}"
        try:
            temporary.mkdir()
            self._write(suite, temporary)
            # os.rename refuses to merge into an existing non-empty folder, so a suite is never half-replaced
            os.rename(temporary, final)
        except OSError as error:
            shutil.rmtree(temporary, ignore_errors=True)
            raise _write_failure(error, self.root) from None
        except BaseException:
            shutil.rmtree(temporary, ignore_errors=True)
            raise
        for older in self._versions_of(suite.fingerprint, key):
            if older != final:
                shutil.rmtree(older, ignore_errors=True)
        return final

    def _clear_stale_temporaries(self, fingerprint_dir: Path) -> None:
        """Leftovers of saves that died (kill -9); recent ones may belong to a save still running elsewhere."""
        now = time.time()
        for leftover in fingerprint_dir.glob(f"{TMP_PREFIX}*"):
            try:
                if now - leftover.stat().st_mtime > STALE_TMP_SECONDS:
                    shutil.rmtree(leftover, ignore_errors=True)
            except OSError:
                pass

    def _write(self, suite: TrainedSuite, folder: Path) -> None:
        import skops.io

        (folder / "models").mkdir()
        (folder / "tables").mkdir()
        model_files: dict[str, dict[str, str]] = {}
        for i, (name, model) in enumerate(suite.models.items()):
            stem = f"models/{i:02d}_{_slug(name)}"
            model_files[name] = kinds.adapter(suite.specs[name].kind).save(model, folder, stem)
        skops.io.dump(suite.scaler, folder / SCALER_FILE)
        for attribute, relative in TABLE_FILES.items():
            getattr(suite, attribute).to_parquet(folder / relative)
        for attribute, relative in CSV_COPIES.items():
            getattr(suite, attribute).to_csv(folder / relative)
        files = {p.relative_to(folder).as_posix(): sha256_of(p) for p in sorted(folder.rglob("*")) if p.is_file()}
        manifest = dict(suite.manifest)
        manifest.pop("path", None)
        manifest.update({
            "format_version": FORMAT_VERSION,
            "saved_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "fingerprint": suite.fingerprint,
            "config": suite.config.to_dict(),
            "config_key": suite.config.key(),
            "feature_names": list(suite.feature_names),
            "popular_threshold": float(suite.popular_threshold),
            "model_files": model_files,
            "files": files,
        })
        text = json.dumps(manifest, indent=2, ensure_ascii=False, default=str)
        partial = folder / (MANIFEST + ".part")
        with open(partial, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, folder / MANIFEST)

    # ---- loading ------------------------------------------------------------------------------------------------------

    def _read_manifest(self, path: Path) -> dict:
        manifest_path = Path(path) / MANIFEST
        try:
            with open(manifest_path, "rb") as handle:
                raw = handle.read(MAX_MANIFEST_BYTES + 1)
        except FileNotFoundError:
            raise ArtifactError(f"no stored suite at {path} (its manifest.json is missing)") from None
        except OSError as error:
            raise ArtifactError(f"the stored suite's manifest.json at {path} cannot be read "
                                f"({error.strerror or error}); retrain the suite to replace it") from None
        if len(raw) > MAX_MANIFEST_BYTES:
            raise ArtifactError(f"the stored suite's manifest.json at {path} is damaged (over "
                                f"{MAX_MANIFEST_BYTES // 1024 // 1024} MB, far more than a manifest holds); retrain "
                                "the suite to replace it")
        try:
            manifest = json.loads(raw.decode("utf-8"))
        except (ValueError, RecursionError) as error:  # JSON and UTF-8 errors are ValueErrors; deep nesting recurses
            reason = "nested too deeply" if isinstance(error, RecursionError) else str(error)[:200]
            raise ArtifactError(f"the stored suite's manifest.json at {path} is damaged ({reason}); "
                                "retrain the suite to replace it") from None
        problem = _manifest_problem(manifest)
        if problem == "format":
            raise ArtifactError(f"the stored suite at {path} uses store format {manifest['format_version']!r}, this "
                                f"app reads format {FORMAT_VERSION} (scikit-learn models in skops, no pickle); "
                                "retrain the suite")
        if problem:
            raise ArtifactError(f"the stored suite's manifest.json at {path} is damaged ({problem}); retrain the "
                                "suite")
        return manifest

    def _verify(self, path: Path, manifest: dict, only: set[str] | None = None) -> None:
        """Every listed file (or those in `only`) exists inside the folder and has its recorded sha256."""
        root = Path(path).resolve()
        files: dict[str, str] = manifest["files"]
        targets: dict[str, Path] = {}
        for relative in (only if only is not None else files):
            try:
                target = (root / relative).resolve()
            except (OSError, ValueError):  # a NUL byte or a loop in the name
                target = root
            if files.get(relative) is None or root not in target.parents:
                raise ArtifactError(f"stored suite failed verification: {relative} is not listed in its manifest")
            if not target.is_file():
                raise ArtifactError(f"stored suite failed verification: {Path(relative).name} is missing")
            targets[relative] = target
        # hashlib releases the GIL on large buffers: hash the files side by side, biggest first
        order = sorted(targets, key=lambda rel: -targets[rel].stat().st_size)
        with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1, max(len(order), 1))) as pool:
            digests = dict(zip(order, pool.map(lambda rel: sha256_of(targets[rel]), order)))
        for relative in order:
            if digests[relative] != files[relative]:
                raise ArtifactError(f"stored suite failed verification: {Path(relative).name} hash mismatch (the file "
                                    "changed after it was saved); retrain the suite")

    def _check_versions(self, path: Path, manifest: dict, with_keras: bool) -> None:
        stored = manifest.get("versions", {})
        try:
            current = kinds.library_versions(include_keras=with_keras)
        except ImportError as error:
            raise ArtifactError(f"stored suite holds Keras networks but TensorFlow cannot be imported here "
                                f"({error}); install tensorflow-cpu or retrain without networks") from None
        for library in PINNED_LIBRARIES:
            if library == "keras" and not with_keras:
                continue
            if library in stored and stored[library] != current.get(library):
                raise ArtifactError(f"stored suite was written with {library} {stored[library]}, this app runs "
                                    f"{current.get(library)}: its models may not load or may predict differently; "
                                    "retrain the suite")

    def load_tables(self, path: Path) -> SuiteTables:
        """Manifest, metric tables and test predictions, after checking every file's sha256 (no model is opened)."""
        return _refusing(path, self._load_tables, Path(path))

    def _load_tables(self, path: Path) -> SuiteTables:
        manifest = self._read_manifest(path)
        self._verify(path, manifest)
        try:
            tables = {attr: pd.read_parquet(path / rel) for attr, rel in TABLE_FILES.items()
                      if rel in manifest["files"]}
        except Exception as error:  # noqa: BLE001  (a verified file that still does not parse: say which)
            raise ArtifactError(f"stored suite at {path} has a table that cannot be read ({error})") from None
        manifest["path"] = path
        return SuiteTables(config=SuiteConfig.from_dict(manifest["config"]), fingerprint=manifest["fingerprint"],
                           feature_names=list(manifest.get("feature_names", [])),
                           popular_threshold=float(manifest.get("popular_threshold", float("nan"))),
                           manifest=manifest, path=path, **tables)

    def load(self, path: Path) -> TrainedSuite:
        """Every model of a stored suite, after verifying hashes and library versions."""
        return _refusing(path, self._load, Path(path))

    def _load(self, path: Path) -> TrainedSuite:
        manifest = self._read_manifest(path)
        # TensorFlow's import (~3-4 s) dominates a cold load of networks stored without their numpy inference pass:
        # start it now, beside hashing and unpickling
        importer = (kinds.prefetch_keras() if kinds.needs_keras(manifest) and not kinds.tensorflow_imported()
                    else None)
        try:
            return self._load_verified(path, manifest, importer)
        finally:
            if importer is not None:  # never leave a half-imported TensorFlow behind a refused load
                importer.join()

    def _load_verified(self, path: Path, manifest: dict, importer: threading.Thread | None) -> TrainedSuite:
        model_files: dict[str, dict] = manifest["model_files"]
        self._check_versions(path, manifest, with_keras=False)
        self._verify(path, manifest)
        specs: dict[str, S.ModelSpec] = {}
        for name in manifest.get("models", {}):
            if name not in S.SPECS_BY_NAME:
                raise ArtifactError(f"stored suite has a model this version does not know ({name}); retrain the suite")
            specs[name] = S.SPECS_BY_NAME[name]
        models: dict[str, Any] = {}
        ordered = sorted(model_files.items(), key=lambda item: kinds.entry_loads_tensorflow(item[1]))  # Keras last
        keras_checked = False
        for name, entry in ordered:
            if kinds.entry_loads_tensorflow(entry) and not keras_checked:
                if importer is not None:
                    importer.join()
                self._check_versions(path, manifest, with_keras=True)
                keras_checked = True
            relative = entry.get("inference_file") or entry["file"]
            if relative not in manifest["files"]:  # only files whose sha256 was just checked are ever opened
                raise ArtifactError(f"stored suite failed verification: {relative} is not listed in its manifest")
            file = path / relative
            try:
                models[name] = _load_model(entry, file)
            except ArtifactError:
                raise
            except Exception as error:  # noqa: BLE001
                raise ArtifactError(f"stored suite failed to load {file.name} ({type(error).__name__}: "
                                    f"{str(error)[:200]}); retrain the suite") from None
        if SCALER_FILE not in manifest["files"]:
            raise ArtifactError(f"stored suite failed verification: {SCALER_FILE} is not listed in its manifest")
        scaler = _load_skops(path / SCALER_FILE, "StandardScaler")
        try:
            tables = {attr: pd.read_parquet(path / rel) for attr, rel in TABLE_FILES.items()
                      if rel in manifest["files"]}
        except Exception as error:  # noqa: BLE001
            raise ArtifactError(f"stored suite at {path} could not be read ({error})") from None
        models = {name: models[name] for name in model_files}  # the suite's own order
        manifest["path"] = path
        return TrainedSuite(config=SuiteConfig.from_dict(manifest["config"]), fingerprint=manifest["fingerprint"],
                            feature_names=list(manifest["feature_names"]),
                            popular_threshold=float(manifest["popular_threshold"]), scaler=scaler, models=models,
                            specs=specs, manifest=manifest, **tables)


def _load_model(entry: dict, file: Path) -> Any:
    if entry.get("format") == "joblib":
        raise ArtifactError(f"stored suite has {file.name} as a joblib pickle (an older store format), which this app "
                            "never loads because a pickle can run code; retrain the suite")
    kind = kinds.stored_adapter(entry)
    if kind is None:
        raise ArtifactError(f"stored suite has {file.name} in an unknown format ({entry.get('format')})")
    try:
        return kind.load(entry, file, _load_skops)
    except kinds.RefusedModel as error:
        raise ArtifactError(str(error)) from None


def _load_skops(file: Path, expected_class: str | None) -> Any:
    """A scikit-learn object from a skops file, building only allow-listed types; anything else refused by name."""
    import skops.io
    from skops.io.exceptions import UntrustedTypesFoundException

    try:
        model = skops.io.load(file, trusted=list(SKOPS_TRUSTED_TYPES))  # checks every type before building any
    except UntrustedTypesFoundException:
        refused = [t for t in skops.io.get_untrusted_types(file=file) if t not in SKOPS_TRUSTED_TYPES] or ["?"]
        raise ArtifactError(f"stored suite refused {file.name}: it holds the type {refused[0]}, which this app never "
                            "loads; retrain the suite") from None
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError):  # a pickle renamed, a truncated zip
        raise ArtifactError(f"stored suite failed to load {file.name}: it is not a skops file (it was replaced or "
                            "damaged after it was saved) and is never opened as anything else; retrain the suite") \
            from None
    except Exception as error:  # noqa: BLE001
        raise ArtifactError(f"stored suite failed to load {file.name} ({type(error).__name__}: {str(error)[:200]}); "
                            "retrain the suite") from None
    kind = f"{type(model).__module__}.{type(model).__qualname__}"
    if kind not in SKOPS_ESTIMATORS or (expected_class and type(model).__name__ != expected_class):
        raise ArtifactError(f"stored suite refused {file.name}: it holds a {kind}, not the "
                            f"{expected_class or 'estimator'} its manifest names; retrain the suite")
    if not all(_sound_tree(tree) for tree in _trees(model)):
        raise ArtifactError(f"stored suite refused {file.name}: a decision tree in it points outside itself (it was "
                            "altered after it was saved); retrain the suite")
    return model


def _trees(model: Any) -> list[Any]:
    """Every fitted sklearn Tree inside a tree, forest or boosting model."""
    found, pending = [], [model]
    while pending:
        item = pending.pop()
        if hasattr(item, "tree_"):
            found.append(item.tree_)
        estimators = getattr(item, "estimators_", None)
        if estimators is not None:
            pending.extend(np.ravel(np.asarray(estimators, dtype=object)))
    return found


def _sound_tree(tree: Any) -> bool:
    """Children and features inside the tree, children after their parent: scikit-learn indexes nodes unchecked, so
    a tree altered to point elsewhere could read outside its memory or loop forever."""
    left, right, feature = tree.children_left, tree.children_right, tree.feature
    nodes = np.arange(tree.node_count)
    leaf = left == -1
    inner = ~leaf
    return bool(len(left) == tree.node_count and np.array_equal(leaf, right == -1)
                and (left[inner] > nodes[inner]).all() and (right[inner] > nodes[inner]).all()
                and (left[inner] < tree.node_count).all() and (right[inner] < tree.node_count).all()
                and (feature[inner] >= 0).all() and (feature[inner] < tree.n_features).all())


def _refusing(path: Path, load, *args):
    """Whatever a damaged suite makes the loader trip over is an ArtifactError naming the suite, never a traceback."""
    try:
        return load(*args)
    except ArtifactError:
        raise
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except Exception as error:  # noqa: BLE001
        raise ArtifactError(f"the stored suite at {path} could not be read ({type(error).__name__}: "
                            f"{str(error)[:200]}); retrain the suite") from None


def _subfolders(folder: Path) -> list[Path]:
    """Visible subfolders, sorted; an unreadable folder has none. Dot-folders are the store's (`.jobs`, `.tmp-*`)."""
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return []
    out = []
    for entry in entries:
        try:
            if not entry.name.startswith(".") and entry.is_dir():
                out.append(entry)
        except OSError:
            continue
    return out


def _depth(value: Any) -> int:
    """How deeply JSON containers nest (iteratively: a hostile manifest must not blow the stack here either)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, depth)
            if deepest > MAX_MANIFEST_DEPTH:
                return deepest
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_CONFIG_TYPES = {"suites": list, "include_ann": bool, "extras": bool, "grouped": bool, "cv_folds": int,
                 "binning": str, "seed": int}


def _config_problem(config: Any) -> str | None:
    if not isinstance(config, dict):
        return "its `config` is not an object"
    for key, kind in _CONFIG_TYPES.items():
        value = config.get(key)
        if value is not None and (not isinstance(value, kind) or (kind is int and isinstance(value, bool))):
            return f"its `config.{key}` is not a {kind.__name__}"
    if not all(isinstance(name, str) for name in config.get("suites") or []):
        return "its `config.suites` is not a list of names"
    if config.get("test_size") is not None and not _is_number(config["test_size"]):
        return "its `config.test_size` is not a number"
    if config.get("max_rows") is not None and (not isinstance(config["max_rows"], int)
                                               or isinstance(config["max_rows"], bool)):
        return "its `config.max_rows` is not a whole number"
    try:
        SuiteConfig.from_dict(config)
    except (TypeError, ValueError) as error:
        return f"its `config` is not a suite configuration: {str(error)[:120]}"
    return None


def _manifest_problem(manifest: Any) -> str | None:
    """What is wrong with a manifest's shape ("format" for an older store format), or None when it is sound."""
    if not isinstance(manifest, dict):
        return "it is not a JSON object"
    if _depth(manifest) > MAX_MANIFEST_DEPTH:
        return "it is nested far deeper than a manifest"
    missing = [k for k in ("format_version", "files", "config", "fingerprint", "model_files") if k not in manifest]
    if missing:
        return f"it is incomplete: no `{missing[0]}`"
    if manifest["format_version"] != FORMAT_VERSION or isinstance(manifest["format_version"], bool):
        return "format"
    files = manifest["files"]
    if not isinstance(files, dict) or not all(isinstance(v, str) and _SHA256.fullmatch(v) for v in files.values()):
        return "its `files` are not file names with sha256 hashes"
    models = manifest["model_files"]
    if not isinstance(models, dict) or not all(
            isinstance(entry, dict) and isinstance(entry.get("file"), str) and isinstance(entry.get("format"), str)
            and all(isinstance(entry.get(k, ""), str) for k in ("class", "inference_file"))
            for entry in models.values()):
        return "its `model_files` are not model entries (file, format, class)"
    if not isinstance(manifest["fingerprint"], str):
        return "its `fingerprint` is not text"
    config_problem = _config_problem(manifest["config"])
    if config_problem:
        return config_problem
    names = manifest.get("feature_names", [])
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        return "its `feature_names` are not a list of names"
    if "popular_threshold" in manifest and not _is_number(manifest["popular_threshold"]):
        return "its `popular_threshold` is not a number"
    for key in ("models", "versions", "split", "training"):
        if key in manifest and not isinstance(manifest[key], dict):
            return f"its `{key}` is not an object"
    if not all(isinstance(v, str) for v in manifest.get("versions", {}).values()):
        return "its `versions` are not version numbers"
    for key in ("warnings", "classes"):
        if key in manifest and not (isinstance(manifest[key], list)
                                    and all(isinstance(v, (str, int)) and not isinstance(v, bool)
                                            for v in manifest[key])):
            return f"its `{key}` is not a list"
    for key in ("saved_at", "created_at", "config_key"):
        if key in manifest and not isinstance(manifest[key], str):
            return f"its `{key}` is not text"
    return None
