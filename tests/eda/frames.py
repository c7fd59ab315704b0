"""A tiny canonical frame for the core.eda tests, whose answers are known by hand."""
from __future__ import annotations

import numpy as np
import pandas as pd

from core import schema


def songs(n: int = 8, **columns) -> pd.DataFrame:
    """A tiny canonical frame: ids, every feature at a harmless varying value, popularity 0..n-1; overrides apply."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({
        schema.ARTIST: [f"Artist {i % 3}" for i in range(n)],
        schema.TRACK_ID: [f"id{i}" for i in range(n)],
        schema.TRACK_NAME: [f"Song {i}" for i in range(n)],
    })
    for feature in schema.FEATURES:
        if feature.integer:
            frame[feature.name] = (np.arange(n) % 2 if feature.name == "mode" else
                                   3 + np.arange(n) % 3 if feature.name == "time_signature" else
                                   np.arange(n) % 12 if feature.name == "key" else 200_000 + 1_000 * np.arange(n))
        else:
            frame[feature.name] = rng.uniform(0.1, 0.9, n) if feature.max <= 1 else rng.uniform(-20, -5, n) \
                if feature.name == "loudness" else rng.uniform(80, 160, n)
    frame[schema.TARGET] = np.arange(n)
    for name, values in columns.items():
        frame[name] = values
    return frame
