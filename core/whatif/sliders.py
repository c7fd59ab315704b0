"""The song on the what-if page: one slider per model feature (range, step, choices, how a value reads), where a song
starts (the median song, a real song, a random popular one), finding songs by name, and the song in a URL."""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from core import schema


@dataclass(frozen=True)
class SliderSpec:
    """A slider for one of the schema's features on this data: its range clipped to what the data holds, continuous
    or over named choices."""

    feature: schema.Feature
    min: float
    max: float
    step: float
    options: tuple[int, ...] = ()          # for choice sliders (key, mode, time signature, duration in seconds)
    number_format: str = "%.3f"            # printf format for continuous sliders

    @property
    def name(self) -> str:
        return self.feature.name

    @property
    def label(self) -> str:
        return self.feature.label

    @property
    def help(self) -> str:
        return self.feature.help

    @property
    def unit(self) -> str:
        return "m:ss" if self.name == "duration_ms" else self.feature.unit

    @property
    def is_choice(self) -> bool:
        return bool(self.options)

    @property
    def decimals(self) -> int:
        return max(0, -math.floor(math.log10(self.step) + 1e-9)) if self.step < 1 else 0

    def snap(self, value: float) -> float | int:
        """The nearest value the slider can show (on the step grid, inside the range)."""
        value = min(max(float(value), self.min), self.max)
        if self.is_choice:
            return min(self.options, key=lambda option: abs(option - value))
        snapped = self.min + round((value - self.min) / self.step) * self.step
        return round(min(max(snapped, self.min), self.max), self.decimals)

    def format_value(self, value: float) -> str:
        if self.name == "duration_ms":
            seconds = int(round(value / 1000))
            hours, rest = divmod(seconds, 3600)
            return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"
        if self.name in ("key", "mode", "time_signature"):
            return self.feature.format_value(value)
        text = f"{value:.{self.decimals}f}"
        return f"{text} {self.unit}" if self.unit not in ("", "0–1") else text

    def axis_title(self) -> str:
        return f"{self.label} ({self.unit})" if self.unit else self.label


def slider_specs(frame: pd.DataFrame, feature_names: Sequence[str]) -> list[SliderSpec]:
    """One spec per model feature, ranged over the data's observed min–max clipped to the schema's range."""
    specs = []
    for name in feature_names:
        feature = schema.FEATURES_BY_NAME[name]
        values = pd.to_numeric(frame[name], errors="coerce") if name in frame else pd.Series(dtype=float)
        observed_min = float(values.min()) if values.notna().any() else feature.min
        observed_max = float(values.max()) if values.notna().any() else feature.max
        low = max(feature.min, observed_min)
        high = min(feature.max, observed_max)
        if name == "duration_ms":
            options = duration_options(low, high)
            specs.append(SliderSpec(feature, options[0], options[-1], 1000, options=options))
            continue
        if feature.integer:
            low_i, high_i = int(math.floor(low)), int(math.ceil(high))
            if high_i <= low_i:
                high_i = min(int(feature.max), low_i + 1)
                low_i = high_i - 1
            specs.append(SliderSpec(feature, low_i, high_i, 1, options=tuple(range(low_i, high_i + 1))))
            continue
        step = feature.step
        low = math.floor(low / step) * step
        high = math.ceil(high / step) * step
        if high <= low:
            high = low + step
        decimals = max(0, -math.floor(math.log10(step) + 1e-9))
        unit = f" {feature.unit}" if feature.unit not in ("", "0–1") else ""
        specs.append(SliderSpec(feature, round(low, decimals), round(high, decimals), step,
                                number_format=f"%.{decimals}f{unit}"))
    return specs


# Duration stops, in ms: every second where songs are (up to 10 min), coarser in the long tail (the twin reaches
# 93 min), so the slider spends its width on real songs and does not send thousands of options on every move.
DURATION_STEPS_S = ((0, 600, 1), (600, 1_200, 5), (1_200, 3_600, 30), (3_600, 24 * 3_600, 60))


def duration_options(low_ms: float, high_ms: float) -> tuple[int, ...]:
    low_s = max(1, math.floor(low_ms / 1000))
    high_s = max(low_s + 1, math.ceil(high_ms / 1000))
    grid = {second for start, stop, step in DURATION_STEPS_S for second in range(start, stop + 1, step)}
    stops = sorted({s for s in grid if low_s < s < high_s} | {low_s, high_s})
    return tuple(s * 1000 for s in stops)


def median_song(frame: pd.DataFrame, specs: Sequence[SliderSpec]) -> dict[str, float | int]:
    """The dataset's median value of every feature, on the slider grid."""
    return {spec.name: spec.snap(float(pd.to_numeric(frame[spec.name], errors="coerce").median())) for spec in specs}


def song_from_row(frame: pd.DataFrame, label: Any, specs: Sequence[SliderSpec]) -> dict[str, float | int]:
    """A real song's feature values (by index label), on the slider grid; missing values fall back to the median."""
    row = frame.loc[label]
    median = median_song(frame, specs)
    return {spec.name: spec.snap(float(row[spec.name])) if is_finite(row.get(spec.name)) else median[spec.name]
            for spec in specs}


def song_title(frame: pd.DataFrame, label: Any) -> str:
    row = frame.loc[label]
    artist = row.get(schema.ARTIST)
    title = row.get(schema.TRACK_NAME)
    artist = artist if isinstance(artist, str) and artist else "unknown artist"
    title = title if isinstance(title, str) and title else "untitled"
    return f"{artist} — {title}"


def search_keys(frame: pd.DataFrame) -> pd.Series | None:
    """Lower-case "artist — title" per row, built once per dataset so a search is one vectorised contains()."""
    if schema.ARTIST not in frame and schema.TRACK_NAME not in frame:
        return None
    artist = frame[schema.ARTIST].astype("string").fillna("") if schema.ARTIST in frame else ""
    title = frame[schema.TRACK_NAME].astype("string").fillna("") if schema.TRACK_NAME in frame else ""
    return (artist + " — " + title).str.lower()


def search_songs(keys: pd.Series | None, query: str, limit: int = 50) -> list[Any]:
    """Index labels of songs whose artist or title contains every word of the query (case-insensitive)."""
    words = [w for w in query.lower().split() if w]
    if keys is None or not words:
        return []
    mask = np.ones(len(keys), dtype=bool)
    for word in words:
        mask &= keys.str.contains(word, regex=False).to_numpy(dtype=bool, na_value=False)
    return list(keys.index[mask][:limit])


def random_popular_label(frame: pd.DataFrame, threshold: float, rng: np.random.Generator) -> Any | None:
    """A random song at or above the popularity threshold, or None when the data has none (or no popularity)."""
    if schema.TARGET not in frame:
        return None
    popular = frame.index[pd.to_numeric(frame[schema.TARGET], errors="coerce").to_numpy() >= threshold]
    return popular[rng.integers(len(popular))] if len(popular) else None


def encode_song(song: Mapping[str, float], specs: Sequence[SliderSpec]) -> dict[str, str]:
    """The song as query-string parameters: feature name -> the slider value as text."""
    out = {}
    for spec in specs:
        if spec.name in song:
            value = spec.snap(song[spec.name])
            out[spec.name] = str(int(value)) if spec.is_choice else f"{value:.{spec.decimals}f}"
    return out


def decode_song(params: Mapping[str, Any], specs: Sequence[SliderSpec]) -> dict[str, float | int]:
    """Slider values from query-string parameters. Only known feature names with a finite number inside the slider's
    range are used; everything else is ignored (a URL is user input)."""
    song: dict[str, float | int] = {}
    for spec in specs:
        raw = params.get(spec.name)
        if isinstance(raw, list):
            raw = raw[-1] if raw else None
        if raw is None or len(str(raw)) > 32:
            continue
        try:
            value = float(str(raw).strip())
        except ValueError:
            continue
        if not math.isfinite(value) or value < spec.min or value > spec.max:
            continue
        if spec.is_choice and spec.name != "duration_ms" and value != int(value):
            continue
        song[spec.name] = spec.snap(value)
    return song


def changed_features(before: Mapping[str, float] | None, after: Mapping[str, float],
                     specs: Sequence[SliderSpec]) -> list[str]:
    """Labels of the sliders that moved away from the starting point."""
    if not before:
        return []
    return [spec.label for spec in specs
            if spec.name in before and spec.name in after and spec.snap(before[spec.name]) != after[spec.name]]


def is_finite(value: Any) -> bool:
    try:
        return value is not None and math.isfinite(float(value))
    except (TypeError, ValueError):
        return False

