"""Sliders, starting points and the shareable query string: ranges clipped to the schema, round trips, hostile
values ignored, search."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core import schema
from core.whatif.sliders import (changed_features, decode_song, encode_song, random_popular_label, search_keys,
                                 search_songs, slider_specs)


def test_slider_ranges_are_the_observed_range_clipped_to_the_schema():
    frame = pd.DataFrame({"loudness": [-75.0, -5.0, 3.21], "tempo": [50.2, 120.0, 180.75], "key": [2, 5, 9],
                          "duration_ms": [61_500, 200_000, 7_000_000], "mode": [0, 1, 1]})
    specs = {s.name: s for s in slider_specs(frame, list(frame.columns))}
    assert (specs["loudness"].min, specs["loudness"].max) == (-60.0, 3.3)
    assert (specs["tempo"].min, specs["tempo"].max) == (50.0, 181.0)
    assert specs["key"].options == tuple(range(2, 10))
    assert specs["mode"].options == (0, 1)
    duration = specs["duration_ms"].options
    assert duration[0] == 61_000 and duration[-1] == 6_000_000
    assert np.all(np.diff(duration)[np.array(duration[:-1]) < 600_000] == 1_000)     # 1-second steps for songs
    assert 240_000 in duration and max(np.diff(duration)) == 60_000                  # coarser in the long tail
    assert specs["duration_ms"].snap(238_373) == 238_000
    assert specs["duration_ms"].format_value(238_373) == "3:58"
    assert specs["key"].format_value(1) == schema.KEY_NAMES[1]
    assert specs["loudness"].snap(-7.678) == pytest.approx(-7.7)


def test_query_string_round_trip_restores_the_song(specs, song):
    encoded = encode_song(song, specs)
    assert all(isinstance(v, str) for v in encoded.values())
    assert decode_song(encoded, specs) == song


def test_bad_query_values_are_ignored(specs, song):
    encoded = encode_song(song, specs)
    spec = {s.name: s for s in specs}
    params = {**encoded, "loudness": "loud", "tempo": "nan", "energy": "inf", "valence": "7",
              "key": "2.5", "danceability": "../../etc/passwd", "acousticness": "1" * 40,
              "liveness": ["0.2", "0.3"], "not_a_feature": "1"}
    decoded = decode_song(params, specs)
    for name in ("loudness", "tempo", "energy", "valence", "key", "danceability", "acousticness"):
        assert name not in decoded, name
    assert decoded["liveness"] == spec["liveness"].snap(0.3)
    assert "not_a_feature" not in decoded
    assert decoded["mode"] == song["mode"]


def test_search_needs_every_word_and_random_popular_respects_the_threshold(twin_small):
    keys = search_keys(twin_small)
    row = twin_small.iloc[10]
    query = f"{row[schema.ARTIST].upper()} {row[schema.TRACK_NAME].split()[0]}"
    labels = search_songs(keys, query, limit=10_000)
    assert twin_small.index[10] in labels
    assert all(word in keys[label] for label in labels for word in query.lower().split())
    assert len(labels) < len(twin_small)
    assert search_songs(keys, "   ") == []
    rng = np.random.default_rng(0)
    for _ in range(5):
        label = random_popular_label(twin_small, 70, rng)
        assert twin_small.at[label, schema.TARGET] >= 70
    assert random_popular_label(twin_small, 101, rng) is None


def test_changed_features_names_the_moved_sliders(specs, song):
    moved = {**song, "tempo": specs[[s.name for s in specs].index("tempo")].snap(song["tempo"] + 10)}
    assert changed_features(song, moved, specs) == ["Tempo"]
    assert changed_features(song, song, specs) == []
