"""The What-if song of one session: it lives in the sliders' session state, with the point it started from.

A song starts as the data's median (overridden by whatever valid values a shared link carries), or from a real song,
a random popular one, or a "What would it take?" change; Reset goes back to where it started. The song is kept in the
address bar too, so the URL can be shared.
"""
from __future__ import annotations

import numpy as np
import streamlit as st

from core import schema
from core.whatif.sliders import (SliderSpec, changed_features, decode_song, encode_song, median_song,
                                 random_popular_label, song_from_row, song_title)

ORIGIN_KEY = "wi_origin"            # the starting point: {"title", "popularity", "song"}
FINGERPRINT_KEY = "wi_fingerprint"  # the data the slider state belongs to
MATCH_KEY = "wi_match"              # the song picked among the search's matches
NOTICE_KEY = "wi_notice"            # a message for the next run (a start that found no song)
MEDIAN_TITLE = "the dataset's median song"


def slider_key(name: str) -> str:
    return f"wi_{name}"


class SongState:
    """The session's song for one dataset and its slider specs; every method reads and writes st.session_state."""

    def __init__(self, frame, specs: list[SliderSpec], popular_threshold: float):
        self.frame, self.specs, self.popular_threshold = frame, specs, popular_threshold

    @property
    def origin(self) -> dict:
        return st.session_state.get(ORIGIN_KEY) or {}

    def start(self, fingerprint: str) -> None:
        """On the first visit with this data: the median song, overridden by the valid values of a shared link."""
        if st.session_state.get(FINGERPRINT_KEY) == fingerprint and all(
                slider_key(s.name) in st.session_state for s in self.specs):
            return
        median = median_song(self.frame, self.specs)
        shared = decode_song(st.query_params.to_dict(), self.specs)
        self.set({**median, **shared}, {"title": "a shared link" if shared else MEDIAN_TITLE, "popularity": None,
                                        "song": {**median, **shared}})
        st.session_state[FINGERPRINT_KEY] = fingerprint

    def set(self, song: dict, origin: dict | None) -> None:
        for spec in self.specs:
            if spec.name in song:
                st.session_state[slider_key(spec.name)] = spec.snap(song[spec.name])
        st.session_state[ORIGIN_KEY] = origin

    def current(self) -> dict:
        return {spec.name: st.session_state[slider_key(spec.name)] for spec in self.specs}

    # ---- the start buttons (widget callbacks: they run before the page does) ----

    def start_from_median(self) -> None:
        median = median_song(self.frame, self.specs)
        self.set(median, {"title": MEDIAN_TITLE, "popularity": None, "song": dict(median)})

    def start_from_label(self, label) -> None:
        song = song_from_row(self.frame, label, self.specs)
        popularity = self.frame.at[label, schema.TARGET] if schema.TARGET in self.frame else None
        self.set(song, {"title": song_title(self.frame, label),
                        "popularity": None if popularity is None or np.isnan(popularity) else float(popularity),
                        "song": song})

    def start_from_match(self) -> None:
        label = st.session_state.get(MATCH_KEY)
        if label is not None:
            self.start_from_label(label)

    def start_from_random_popular(self) -> None:
        label = random_popular_label(self.frame, self.popular_threshold, np.random.default_rng())
        if label is None:
            st.session_state[NOTICE_KEY] = f"No song in this data reaches popularity {self.popular_threshold:g}."
            return
        self.start_from_label(label)

    def reset_to_origin(self) -> None:
        origin = st.session_state.get(ORIGIN_KEY)
        if origin:
            self.set(origin["song"], origin)
        else:
            self.start_from_median()

    def apply_change(self, changed: dict) -> None:
        """A counterfactual's change moves the sliders; the starting point stays what it was."""
        self.set(changed, st.session_state.get(ORIGIN_KEY))

    def pop_notice(self) -> str | None:
        return st.session_state.pop(NOTICE_KEY, None)

    # ---- what the page shows about the song ----

    def origin_line(self, song: dict) -> str:
        origin = self.origin
        title = origin.get("title", MEDIAN_TITLE)
        moved = changed_features(origin.get("song"), song, self.specs)
        line = f"Started from **{title}**"
        if origin.get("popularity") is not None:
            line += f" — actual popularity **{origin['popularity']:g}**"
        if moved:
            line += f" · moved since: {', '.join(moved)}"
        return line

    def sync_url(self, song: dict) -> None:
        """Keep the song in the address bar so the URL can be shared; only our own parameters are touched."""
        wanted = encode_song(song, self.specs)
        if any(st.query_params.get(name) != value for name, value in wanted.items()):
            st.query_params.update(wanted)
