"""The twin's Parquet cache: read back identical, checked before use, and never in the way when the disk misbehaves."""
from __future__ import annotations

import pandas as pd
import pytest

from core import sources, twin
from core.sources import twin_cache

ROWS, SEED = 2_000, 11


def generated() -> pd.DataFrame:
    return twin.generate_twin(n_rows=ROWS, seed=SEED)


def refuse_to_generate(monkeypatch) -> None:
    def fail(**_):
        raise AssertionError("the twin was generated although a verified copy was on disk")

    monkeypatch.setattr(twin, "generate_twin", fail)


def test_a_cached_twin_reads_back_identical_without_generating(tmp_path, monkeypatch):
    expected = generated()
    twin_cache.twin_frame(ROWS, SEED, tmp_path)
    assert twin_cache.cached_path(tmp_path, ROWS, SEED).is_file()
    refuse_to_generate(monkeypatch)
    again = twin_cache.twin_frame(ROWS, SEED, tmp_path)
    pd.testing.assert_frame_equal(again, expected)     # values, NaN title, column order and dtypes


def test_the_dataset_from_the_cache_has_the_generated_twins_fingerprint(tmp_path):
    fresh = sources.twin_dataset(n_rows=ROWS, seed=SEED)
    sources.twin_dataset(n_rows=ROWS, seed=SEED, cache_dir=tmp_path)
    cached = sources.twin_dataset(n_rows=ROWS, seed=SEED, cache_dir=tmp_path)
    assert cached.fingerprint == fresh.fingerprint
    pd.testing.assert_frame_equal(cached.frame, fresh.frame)


@pytest.mark.parametrize("damage", ["altered", "truncated", "checksum missing"])
def test_a_damaged_cache_file_is_regenerated_not_used(tmp_path, damage):
    expected = twin_cache.twin_frame(ROWS, SEED, tmp_path)
    path = twin_cache.cached_path(tmp_path, ROWS, SEED)
    data = path.read_bytes()
    if damage == "altered":
        path.write_bytes(data[:100] + bytes([data[100] ^ 0xFF]) + data[101:])
    elif damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    else:
        path.with_suffix(".sha256").unlink()
    pd.testing.assert_frame_equal(twin_cache.twin_frame(ROWS, SEED, tmp_path), expected)
    assert path.read_bytes() == data                     # rewritten whole


def test_an_unwritable_cache_folder_only_costs_the_generation(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    pd.testing.assert_frame_equal(twin_cache.twin_frame(ROWS, SEED, blocker / "cache"), generated())


def test_each_size_and_seed_has_its_own_file_and_old_ones_are_pruned(tmp_path):
    assert twin_cache.cached_path(tmp_path, ROWS, SEED) != twin_cache.cached_path(tmp_path, ROWS, SEED + 1)
    assert twin_cache.cached_path(tmp_path, ROWS, SEED) != twin_cache.cached_path(tmp_path, ROWS + 1, SEED)
    for seed in range(twin_cache.KEPT_FILES + 2):
        twin_cache.twin_frame(200, seed, tmp_path)
    assert len(list(tmp_path.glob("twin-*.parquet"))) == twin_cache.KEPT_FILES
    assert len(list(tmp_path.glob("twin-*.sha256"))) == twin_cache.KEPT_FILES


def test_the_cache_folder_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SPOTIFY_CACHE", str(tmp_path / "mine"))
    assert twin_cache.default_cache_dir() == tmp_path / "mine"
    monkeypatch.delenv("SPOTIFY_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert twin_cache.default_cache_dir() == tmp_path / "xdg" / "spotify-popularity"
