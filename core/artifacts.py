"""The on-disk store of trained suites: one folder per (data fingerprint, suite config), verified before use.

    <root>/<fingerprint>/<config key>-<UTC timestamp>/
        manifest.json            library versions, config, params, seeds, threshold, split, features, sha256 of files
        scaler.joblib            the StandardScaler fitted on the training split
        models/NN_<name>.json    XGBoost (save_model JSON)      — native, no pickle
        models/NN_<name>.keras   Keras networks (.keras zip)    — native (loaded with safe_mode when no .npz)
        models/NN_<name>.npz     the networks' inference pass   — plain arrays: the app scores without TensorFlow
        models/NN_<name>.joblib  scikit-learn estimators        — joblib, only after the sha256 matched
        tables/*.parquet, *.csv  metric tables and test-set predictions

Writes go to a hidden temporary folder beside the suites, which is renamed into place in one step (os.rename never
merges into an existing folder), then older versions of the same suite are removed: at every moment a complete suite
is on disk and `find` returns the newest complete one. A crash leaves at most a hidden `.tmp-*` folder that is
ignored and cleared later. Every load re-hashes every file and compares library versions first; anything off is an
ArtifactError naming the file, never an unpickled surprise. Only the app's own store is ever loaded.
"""
from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd

from core import suites as S
from core.training import SuiteConfig, TrainedSuite, library_versions

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SCALER_FILE = "scaler.joblib"
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
XGBOOST_CLASSES = ("XGBRegressor", "XGBClassifier")


class ArtifactError(Exception):
    """A stored suite cannot be used (damaged, tampered with, written by other library versions, or unwritable)."""


def default_store() -> Path:
    """$SPOTIFY_STORE, else <repo>/.store (gitignored)."""
    configured = os.environ.get("SPOTIFY_STORE")
    if configured:
        return Path(configured).expanduser()
    return Path(__file__).resolve().parents[1] / ".store"


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

    def list_suites(self) -> list[dict]:
        """Manifests of the stored suites (newest version of each), each with its "path"; damaged ones left out."""
        if not self.root.is_dir():
            return []
        out = []
        for fingerprint_dir in sorted(self.root.iterdir()):
            if not fingerprint_dir.is_dir() or fingerprint_dir.name.startswith("."):
                continue
            newest: dict[str, Path] = {}
            for suite_dir in sorted(fingerprint_dir.iterdir()):
                if suite_dir.name.startswith(".") or not (suite_dir / MANIFEST).is_file():
                    continue
                newest[suite_dir.name.rsplit("-", 1)[0]] = suite_dir
            for suite_dir in newest.values():
                try:
                    manifest = self._read_manifest(suite_dir)
                except ArtifactError:
                    continue
                manifest["path"] = suite_dir
                out.append(manifest)
        return out

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
        import joblib

        (folder / "models").mkdir()
        (folder / "tables").mkdir()
        model_files: dict[str, dict[str, str]] = {}
        for i, (name, model) in enumerate(suite.models.items()):
            spec = suite.specs[name]
            stem = f"models/{i:02d}_{_slug(name)}"
            extra: dict[str, str] = {}
            if spec.kind == S.KIND_XGBOOST:
                relative, fmt = f"{stem}.json", "xgboost-json"
                model.save_model(os.fspath(folder / relative))
            elif spec.kind == S.KIND_KERAS:
                from core import ann

                relative, fmt = f"{stem}.keras", "keras"
                ann.save_network(model, folder / relative)
                inference = ann.inference_pass(model)
                if inference is not None:
                    inference.save(folder / f"{stem}.npz")
                    extra["inference_file"] = f"{stem}.npz"
            else:
                relative, fmt = f"{stem}.joblib", "joblib"
                joblib.dump(model, folder / relative)
            model_files[name] = {"file": relative, "format": fmt, "class": type(model).__name__, **extra}
        joblib.dump(suite.scaler, folder / SCALER_FILE)
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
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ArtifactError(f"no stored suite at {path} (its manifest.json is missing)") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ArtifactError(f"the stored suite's manifest.json at {path} is damaged ({error}); "
                                "retrain the suite to replace it") from None
        required = ("format_version", "files", "config", "fingerprint", "model_files")
        if not isinstance(manifest, dict) or any(k not in manifest for k in required):
            raise ArtifactError(f"the stored suite's manifest.json at {path} is incomplete; retrain the suite")
        if manifest["format_version"] != FORMAT_VERSION:
            raise ArtifactError(f"the stored suite at {path} uses store format {manifest['format_version']}, this app "
                                f"reads format {FORMAT_VERSION}; retrain the suite")
        return manifest

    def _verify(self, path: Path, manifest: dict, only: set[str] | None = None) -> None:
        """Every listed file (or those in `only`) exists inside the folder and has its recorded sha256."""
        root = Path(path).resolve()
        files: dict[str, str] = manifest["files"]
        targets: dict[str, Path] = {}
        for relative in (only if only is not None else files):
            target = (root / relative).resolve()
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
            current = library_versions(include_keras=with_keras)
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
        path = Path(path)
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
        path = Path(path)
        manifest = self._read_manifest(path)
        # TensorFlow's import (~3-4 s) dominates a cold load of networks stored without their numpy inference pass:
        # start it now, beside hashing and unpickling
        importer = prefetch_keras() if needs_keras(manifest) and "keras" not in sys.modules else None
        try:
            return self._load_verified(path, manifest, importer)
        finally:
            if importer is not None:  # never leave a half-imported TensorFlow behind a refused load
                importer.join()

    def _load_verified(self, path: Path, manifest: dict, importer: threading.Thread | None) -> TrainedSuite:
        import joblib

        model_files: dict[str, dict] = manifest["model_files"]
        self._check_versions(path, manifest, with_keras=False)
        self._verify(path, manifest)
        specs: dict[str, S.ModelSpec] = {}
        for name in manifest.get("models", {}):
            if name not in S.SPECS_BY_NAME:
                raise ArtifactError(f"stored suite has a model this version does not know ({name}); retrain the suite")
            specs[name] = S.SPECS_BY_NAME[name]
        models: dict[str, Any] = {}
        ordered = sorted(model_files.items(), key=lambda item: _entry_needs_keras(item[1]))  # Keras loads last
        keras_checked = False
        for name, entry in ordered:
            if _entry_needs_keras(entry) and not keras_checked:
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
        try:
            scaler = joblib.load(path / SCALER_FILE)
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


def _entry_needs_keras(entry: dict) -> bool:
    return entry.get("format") == "keras" and not entry.get("inference_file")


def needs_keras(manifest: dict) -> bool:
    """Whether loading this suite imports TensorFlow: only for networks stored without their numpy inference pass."""
    return any(_entry_needs_keras(entry) for entry in manifest.get("model_files", {}).values())


_KERAS_IMPORT: threading.Thread | None = None
_KERAS_IMPORT_LOCK = threading.Lock()


def prefetch_keras() -> threading.Thread:
    """Start importing TensorFlow/Keras in the background (once per process) and return that thread.

    A cold `load` of a suite with networks is mostly this import (~4 s); an app can call this at start-up so the first
    load only pays the ~1 s of reading models. Join the thread before relying on Keras.
    """
    global _KERAS_IMPORT
    from core import ann

    with _KERAS_IMPORT_LOCK:
        if _KERAS_IMPORT is None:
            _KERAS_IMPORT = threading.Thread(target=_import_quietly, args=(ann.keras_module,), name="keras-import",
                                             daemon=True)
            _KERAS_IMPORT.start()
        return _KERAS_IMPORT


def _import_quietly(importer) -> None:
    try:
        importer()
    except ImportError:  # reported (as an ArtifactError) by the version check that follows
        pass


def _load_model(entry: dict, file: Path) -> Any:
    fmt = entry.get("format")
    if fmt == "xgboost-json":
        import xgboost

        cls_name = entry.get("class")
        if cls_name not in XGBOOST_CLASSES:
            raise ArtifactError(f"stored suite names an unexpected XGBoost class for {file.name}: {cls_name}")
        model = getattr(xgboost, cls_name)()
        model.load_model(os.fspath(file))
        return model
    if fmt == "keras":
        from core import ann

        if entry.get("inference_file"):
            return ann.InferenceNetwork.load(file)  # plain arrays (no pickle), after the sha256 matched
        return ann.load_network(file)
    if fmt == "joblib":
        import joblib

        return joblib.load(file)
    raise ArtifactError(f"stored suite has {file.name} in an unknown format ({fmt})")
