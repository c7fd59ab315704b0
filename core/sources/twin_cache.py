"""The twin's table kept on disk as Parquet, so a newly started server draws its first page without regenerating it.

Generating the full twin costs ~1 s of CPU plus ~0.4 s importing scipy; reading it back costs ~0.1 s. A file is named
by a key over everything that decides its content (the generator's, the report figures' and the schema's source, the
row count and seed, numpy's and pandas' versions) and its sha256 is checked before it is parsed. Any problem (no file,
a damaged or altered one, a folder that cannot be written) falls back to generating: the cache can make the app
faster, never different or broken. Only files this module wrote are read, and Parquet is data (nothing is unpickled).
"""
from __future__ import annotations

import hashlib
import io
import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from core import schema

CACHE_FORMAT = 1
KEPT_FILES = 4  # older twins (other code versions or sizes) are removed beyond this many
_CORE = Path(__file__).resolve().parents[1]
_CONTENT_SOURCES = ("twin.py", "report_figures.py", "schema.py")


def default_cache_dir() -> Path:
    """$SPOTIFY_CACHE, else $XDG_CACHE_HOME/spotify-popularity, else ~/.cache/spotify-popularity."""
    configured = os.environ.get("SPOTIFY_CACHE")
    if configured:
        return Path(configured).expanduser()
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "spotify-popularity"


def cache_key(n_rows: int, seed: int) -> str:
    digest = hashlib.sha256(f"{CACHE_FORMAT}|{n_rows}|{seed}|{np.__version__}|{pd.__version__}".encode())
    for name in _CONTENT_SOURCES:
        digest.update((_CORE / name).read_bytes())
    return digest.hexdigest()[:20]


def cached_path(cache_dir: Path, n_rows: int, seed: int) -> Path:
    return Path(cache_dir) / f"twin-{cache_key(n_rows, seed)}.parquet"


def _checksum_path(path: Path) -> Path:
    return path.with_suffix(".sha256")


def _read(path: Path) -> pd.DataFrame | None:
    try:
        data = path.read_bytes()
        expected = _checksum_path(path).read_text().strip()
    except OSError:
        return None
    if hashlib.sha256(data).hexdigest() != expected:
        return None
    try:
        frame = pd.read_parquet(io.BytesIO(data), engine="pyarrow")
        if list(frame.columns) != list(schema.CANONICAL_COLUMNS):
            return None
        return frame.astype(schema.CANONICAL_DTYPES)  # Parquet strings come back as pandas' str dtype
    except Exception:  # noqa: BLE001  (a file that does not parse is regenerated, whatever the parser says)
        return None


def _replace_atomically(path: Path, data: bytes) -> None:
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _write(frame: pd.DataFrame, path: Path) -> None:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, engine="pyarrow", index=False)
    data = buffer.getvalue()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _replace_atomically(path, data)
        _replace_atomically(_checksum_path(path), hashlib.sha256(data).hexdigest().encode())
        _prune(path.parent)
    except OSError:
        pass  # a read-only or full disk only costs the next start its ~1 s of generating


def _prune(cache_dir: Path) -> None:
    files = sorted(cache_dir.glob("twin-*.parquet"), key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in files[KEPT_FILES:]:
        stale.unlink(missing_ok=True)
        _checksum_path(stale).unlink(missing_ok=True)


def twin_frame(n_rows: int, seed: int, cache_dir: Path | None = None) -> pd.DataFrame:
    """generate_twin(n_rows, seed), read from `cache_dir` when a verified copy is there (and written there if not)."""
    from core.twin import generate_twin

    if cache_dir is None:
        return generate_twin(n_rows=n_rows, seed=seed)
    path = cached_path(cache_dir, n_rows, seed)
    frame = _read(path)
    if frame is None:
        frame = generate_twin(n_rows=n_rows, seed=seed)
        _write(frame, path)
    return frame
