"""Is this song plausible? Its distance to the nearest real songs in standardised feature space, against how far
real songs usually are from theirs (the "unusual song" badge), and which real songs those are."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from core import schema


@dataclass
class PlausibilityIndex:
    """Nearest-neighbour index over (a sample of) the real songs in standardised feature space, and how far real
    songs usually are from their own nearest neighbours."""

    feature_names: list[str]
    mean: np.ndarray
    scale: np.ndarray
    neighbours: Any                      # sklearn NearestNeighbors
    labels: np.ndarray                   # index labels of the indexed rows
    reference_distances: np.ndarray      # sorted mean distance of real songs to their k nearest (others)
    threshold: float
    k: int
    quantile: float


@dataclass
class Plausibility:
    distance: float
    threshold: float
    percentile: float            # share of real songs that sit closer to their neighbours than this song does
    is_unusual: bool
    nearest: pd.DataFrame = field(default_factory=pd.DataFrame)   # ids, popularity, distance, feature values


def build_plausibility_index(frame: pd.DataFrame, feature_names: Sequence[str], sample_size: int = 50_000,
                             reference_size: int = 2_000, k: int = 5, quantile: float = 0.99,
                             seed: int = 0) -> PlausibilityIndex:
    from sklearn.neighbors import NearestNeighbors

    names = list(feature_names)
    data = frame[names].apply(pd.to_numeric, errors="coerce").dropna()
    rng = np.random.default_rng(seed)
    if len(data) > sample_size:
        data = data.iloc[np.sort(rng.choice(len(data), sample_size, replace=False))]
    values = data.to_numpy(dtype=float)
    mean = values.mean(axis=0)
    scale = values.std(axis=0)
    scale[scale == 0] = 1.0
    scaled = (values - mean) / scale
    neighbours = NearestNeighbors(n_neighbors=k).fit(scaled)
    probe = rng.choice(len(scaled), min(reference_size, len(scaled)), replace=False)
    # k+1 neighbours and drop the first: a real song's nearest neighbour in the index is itself.
    distances, _ = neighbours.kneighbors(scaled[probe], n_neighbors=min(k + 1, len(scaled)))
    reference = np.sort(distances[:, 1:].mean(axis=1))
    return PlausibilityIndex(names, mean, scale, neighbours, data.index.to_numpy(), reference,
                             float(np.quantile(reference, quantile)), k, quantile)


def check_plausibility(index: PlausibilityIndex, song: Mapping[str, float], frame: pd.DataFrame | None = None,
                       n_nearest: int = 5) -> Plausibility:
    """How far the song is from real songs, whether that is beyond the usual (the badge), and its nearest real songs."""
    x = (np.array([[float(song[n]) for n in index.feature_names]]) - index.mean) / index.scale
    distances, positions = index.neighbours.kneighbors(x, n_neighbors=max(index.k, n_nearest))
    distance = float(distances[0, :index.k].mean())
    percentile = 100.0 * np.searchsorted(index.reference_distances, distance, side="right") / len(
        index.reference_distances)
    nearest = pd.DataFrame({"distance": distances[0, :n_nearest]}, index=index.labels[positions[0, :n_nearest]])
    if frame is not None:
        columns = [c for c in (schema.ARTIST, schema.TRACK_NAME, schema.TARGET) if c in frame]
        nearest = frame.loc[nearest.index, columns + index.feature_names].assign(distance=nearest["distance"])
    return Plausibility(distance, index.threshold, float(percentile), distance > index.threshold, nearest)

