"""The Models page's view in a shared URL: tab, model and threshold, anything unknown dropped."""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ViewState:
    tab: str | None = None
    model: str | None = None
    threshold: float | None = None


def _first(value: Any) -> str | None:
    if isinstance(value, (list, tuple)):
        value = value[0] if value else None
    return None if value is None else str(value)


def parse_view_state(params: Mapping[str, Any], tabs: Sequence[str], models: Sequence[str],
                     step: float = 0.005) -> ViewState:
    """Tab, model and threshold from a shared URL; anything unknown or out of range is dropped silently."""
    tab = _first(params.get("tab"))
    model = _first(params.get("model"))
    raw_threshold = _first(params.get("threshold"))
    threshold: float | None = None
    if raw_threshold is not None:
        try:
            value = float(raw_threshold)
        except ValueError:
            value = math.nan
        if math.isfinite(value) and 0.0 <= value <= 1.0:
            threshold = round(round(value / step) * step, 6)
    return ViewState(tab=tab if tab in tabs else None, model=model if model in models else None,
                     threshold=threshold)
