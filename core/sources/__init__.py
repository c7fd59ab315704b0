"""The data layer: a CSV path or uploaded bytes (or the twin) → a canonical, validated frame + report + fingerprint.

    dataset = load_csv("SpotifyAudioFeaturesApril2019.csv")      # DataError (only) when it cannot be used
    dataset.frame, dataset.report, dataset.fingerprint

Modules: `reading` (encoding, file type, delimiter, parsing), `mapping` (headers → canonical columns), `cleaning`
(text → numbers, units, unusable cells), `dataset` (Dataset, LoadReport, fingerprint), `loading` (the pipeline).
"""
from __future__ import annotations

from core.sources.dataset import ROW_PROBLEM_COLUMNS, Dataset, LoadReport, frame_fingerprint
from core.sources.errors import DataError, DataFileNotFoundError
from core.sources.loading import MAX_UPLOAD_MB, load_csv, twin_dataset
from core.sources.mapping import ALIASES, MAPPABLE_COLUMNS, clean_header, normalise_header, suggest_mapping

__all__ = [
    "ALIASES", "DataError", "DataFileNotFoundError", "Dataset", "LoadReport", "MAPPABLE_COLUMNS", "MAX_UPLOAD_MB",
    "ROW_PROBLEM_COLUMNS", "clean_header", "frame_fingerprint", "load_csv", "normalise_header", "suggest_mapping",
    "twin_dataset",
]
