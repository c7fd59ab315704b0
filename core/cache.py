"""The only module in core that imports Streamlit: cached wrappers over the pure core functions.

Cache on a key, not on a frame: cached calls take the data fingerprint (hashed) plus the frame or dataset as an
underscore argument (not hashed), so a 130k-row frame is never re-hashed on a rerun.
"""
from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from core import sources

DATASET_KEY = "dataset"


# ---- data sources (lead) ---------------------------------------------------------------------------------------------

@st.cache_resource(show_spinner="Generating the twin of the report's dataset…")
def twin_dataset() -> sources.Dataset:
    return sources.twin_dataset()


@st.cache_resource(show_spinner="Loading the data file…", max_entries=4)
def dataset_from_path(path: str, modified_ns: int) -> sources.Dataset:
    """A CSV on the server's disk; `modified_ns` makes an edited file load afresh."""
    return sources.load_csv(Path(path), name=Path(path).name, source_kind="file")


def configured_data_path(argv: list[str]) -> str | None:
    """`streamlit run app.py -- --data PATH` wins over the SPOTIFY_DATA environment variable."""
    if "--data" in argv:
        index = argv.index("--data")
        if index + 1 < len(argv):
            return argv[index + 1]
    return os.environ.get("SPOTIFY_DATA") or None


def active_dataset() -> sources.Dataset:
    """The dataset the sidebar picked for this session (app.py sets it before any page runs)."""
    dataset = st.session_state.get(DATASET_KEY)
    if dataset is None:
        dataset = twin_dataset()
        st.session_state[DATASET_KEY] = dataset
    return dataset
