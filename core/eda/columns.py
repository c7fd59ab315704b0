"""Which columns an analysis reads and how their values are read and written: shared by every module of core.eda."""
from __future__ import annotations

import numpy as np
import pandas as pd

from core import schema


MIN_ROWS_FOR_STATISTICS = 3      # fewer rows than this: no correlation, skew or fit is reported

# Codes, not quantities: a skew or a share of zeros (key 0 = C, mode 0 = minor) says nothing about them.
CATEGORICAL_FEATURES = ("key", "mode", "time_signature")


def analysis_columns(frame: pd.DataFrame) -> list[str]:
    """The canonical numeric columns present (audio features, then popularity): the report's 14×14 correlation set."""
    names = [name for name in schema.FEATURE_NAMES if name in frame.columns]
    return names + ([schema.TARGET] if schema.TARGET in frame.columns else [])


def numeric_values(series: pd.Series) -> np.ndarray:
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def is_numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def feature_label(name: str) -> str:
    feature = schema.FEATURES_BY_NAME.get(name)
    return feature.label if feature else name.replace("_", " ").capitalize()


def format_value(name: str, value: float) -> str:
    feature = schema.FEATURES_BY_NAME.get(name)
    if feature is None or not np.isfinite(value):
        return f"{value:.3g}"
    if feature.integer and feature.name not in ("duration_ms",):
        return f"{value:.2f}" if abs(value - round(value)) > 1e-9 else feature.format_value(value)
    return feature.format_value(value)
