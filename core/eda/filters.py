"""What the Distributions page restricts the data to (Filters) and the rows that pass."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core import schema
from core.eda.columns import analysis_columns, feature_label, format_value, numeric_values
from core.eda.tables import search_mask


@dataclass(frozen=True)
class Filters:
    """What the Distributions page restricts the data to; frozen and small, so it is a cache key."""

    popularity: tuple[float, float] | None = None
    features: tuple[tuple[str, float, float], ...] = ()   # (feature, low, high), inclusive
    artist: str = ""

    @property
    def active(self) -> bool:
        return self.popularity is not None or bool(self.features) or bool(self.artist.strip())

    def describe(self) -> str:
        parts = []
        if self.popularity is not None:
            parts.append(f"popularity {self.popularity[0]:g}–{self.popularity[1]:g}")
        for name, low, high in self.features:
            parts.append(f"{feature_label(name).lower()} {format_value(name, low)} to {format_value(name, high)}")
        if self.artist.strip():
            parts.append(f"artist contains “{self.artist.strip()}”")
        return "; ".join(parts) if parts else "no filters"


def filter_mask(frame: pd.DataFrame, filters: Filters) -> np.ndarray:
    mask = np.ones(len(frame), dtype=bool)
    if filters.popularity is not None and schema.TARGET in frame.columns:
        values = numeric_values(frame[schema.TARGET])
        mask &= (values >= filters.popularity[0]) & (values <= filters.popularity[1])
    for name, low, high in filters.features:
        if name in frame.columns:
            values = numeric_values(frame[name])
            mask &= (values >= low) & (values <= high)
    if filters.artist.strip():
        mask &= search_mask(frame, filters.artist, (schema.ARTIST,))
    return mask


def select_rows(frame: pd.DataFrame, mask: np.ndarray | None, columns: list[str] | None = None) -> pd.DataFrame:
    """The rows a filter mask keeps (every row for None), only `columns` when given: an analysis copies just what it
    reads, so a cached mask (1 byte a row) can stand in for a cached copy of the filtered frame."""
    if columns is not None:
        columns = [c for c in dict.fromkeys(columns) if c in frame.columns]
    if mask is None:
        return frame if columns is None else frame[columns]
    return frame.loc[mask] if columns is None else frame.loc[mask, columns]


def apply_filters(frame: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """The rows passing every filter; the frame itself (no copy) when nothing is filtered."""
    if not filters.active:
        return frame
    return frame[filter_mask(frame, filters)]


def filter_bounds(frame: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """Slider bounds for each canonical numeric column: its observed min and max."""
    bounds = {}
    for column in analysis_columns(frame):
        values = numeric_values(frame[column])
        values = values[np.isfinite(values)]
        if len(values):
            bounds[column] = (float(values.min()), float(values.max()))
    return bounds
