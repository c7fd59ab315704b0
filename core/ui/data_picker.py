"""The sidebar's data choice: the twin, the server's --data file or an upload, and which dataset a session uses.

A session's state is two keys besides the dataset in use: the upload (the file, and what loading it gave) and the
column mappings the person chose, remembered per file name so a re-upload of the same file needs no new mapping.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from core import cache, sources
from core.schema import TARGET
from core.twin import TWIN_LABEL
from core.ui import workarounds

DATASET_KEY = "dataset"       # the Dataset every page uses (a failed load never replaces it)
UPLOAD_KEY = "picked_upload"  # an UploadState
MAPPINGS_KEY = "column_mappings"  # {file name: {source column: canonical column}}
TWIN_CHOICE = "Twin of the report's dataset (synthetic)"
UPLOAD_CHOICE = "Upload a CSV"
NOT_AVAILABLE = "(not in this file)"


@dataclass
class UploadState:
    """The uploaded file and what loading it gave: its dataset, or the error that stopped the last load.

    A load that fails keeps the dataset an earlier load of the same file gave (say, before a mapping that did not
    work); a new file starts a new UploadState."""
    file_id: str
    data: bytes
    name: str
    dataset: sources.Dataset | None = None
    error: sources.DataError | None = None

    @property
    def loaded(self) -> bool:
        return self.dataset is not None or self.error is not None

    def load(self, mapping: dict[str, str | None] | None, drop_problem_rows: bool = False) -> None:
        self.error = None
        try:
            self.dataset = sources.load_csv(self.data, name=self.name, mapping=mapping,
                                            drop_problem_rows=drop_problem_rows, source_kind="upload")
        except sources.DataError as error:
            self.error = error


def configured_data_path(argv: list[str]) -> str | None:
    """`streamlit run app.py -- --data PATH` wins over the SPOTIFY_DATA environment variable."""
    if "--data" in argv:
        index = argv.index("--data")
        if index + 1 < len(argv):
            return argv[index + 1]
    return os.environ.get("SPOTIFY_DATA") or None


def active_dataset() -> sources.Dataset:
    """The dataset the sidebar picked for this session (app.py sets it before any page runs)."""
    workarounds.ensure_router()
    dataset = st.session_state.get(DATASET_KEY)
    if dataset is None:
        dataset = cache.twin_dataset()
        st.session_state[DATASET_KEY] = dataset
    return dataset


def _remembered_mapping(name: str) -> dict[str, str | None] | None:
    return st.session_state.get(MAPPINGS_KEY, {}).get(name)


def _columns_to_map(upload: UploadState) -> tuple[list[str], list[str]]:
    """(canonical columns still missing, the file's own headers) for the mapping form; nothing to map → ([], [])."""
    if upload.error is not None:
        return list(upload.error.missing_columns), list(upload.error.source_columns)
    if upload.dataset is None:
        return [], []
    report = upload.dataset.report
    return ([] if report.has_target else [TARGET]) + list(report.missing_features), list(report.source_columns)


def _mapping_form(upload: UploadState, missing: list[str], source_columns: list[str], expanded: bool) -> None:
    """Let the person say which of the file's columns holds each canonical column the loader could not find."""
    with st.sidebar.expander("Map columns", expanded=expanded), st.form("mapping_form", border=False):
        st.caption("Pick the column of your file that holds each of these, or leave it out. Popularity is needed "
                   "for modelling; a file without it can still be explored and scored.")
        remembered = _remembered_mapping(upload.name) or {}
        suggested = {**sources.suggest_mapping(source_columns), **remembered}
        options = [NOT_AVAILABLE, *source_columns]
        chosen: dict[str, str | None] = {}
        for canonical in missing:
            guess = next((src for src, dst in suggested.items() if dst == canonical and src in options), NOT_AVAILABLE)
            pick = st.selectbox(f"`{canonical}`", options, index=options.index(guess), key=f"map_{canonical}")
            if pick != NOT_AVAILABLE:
                chosen[pick] = canonical
        if st.form_submit_button("Load with this mapping", type="primary"):
            mapping = {**remembered, **chosen}
            st.session_state.setdefault(MAPPINGS_KEY, {})[upload.name] = mapping
            upload.load(mapping)
            st.rerun()


def _upload_picker() -> sources.Dataset | None:
    widget = st.sidebar.file_uploader("CSV of Spotify tracks", type=["csv", "tsv", "txt"], key="upload",
                                      max_upload_size=sources.MAX_UPLOAD_MB)
    upload: UploadState | None = st.session_state.get(UPLOAD_KEY)
    if widget is not None and (upload is None or upload.file_id != widget.file_id):
        upload = st.session_state[UPLOAD_KEY] = UploadState(widget.file_id, widget.getvalue(), widget.name)
    if upload is None:
        return None
    if not upload.loaded:
        upload.load(_remembered_mapping(upload.name))
    if upload.error is not None:
        st.sidebar.error(f"**{upload.name}** was not loaded.\n\n{upload.error}")
    missing, source_columns = _columns_to_map(upload)
    if missing and source_columns:
        _mapping_form(upload, missing, source_columns, expanded=upload.error is not None)
    if upload.dataset is not None and upload.dataset.report.problem_row_count:
        count = upload.dataset.report.problem_row_count
        if st.sidebar.button(f"Drop the {count:,} rows with problems", key="drop_problem_rows"):
            upload.load(_remembered_mapping(upload.name), drop_problem_rows=True)
            st.rerun()
    return upload.dataset


def pick_dataset() -> sources.Dataset:
    """The sidebar data-source picker; a failed load never replaces the data already in use."""
    st.sidebar.subheader("Data")
    configured = configured_data_path(sys.argv)
    choices = ([f"File: {Path(configured).name}"] if configured else []) + [TWIN_CHOICE, UPLOAD_CHOICE]
    choice = st.sidebar.radio("Source", choices, key="data_source", label_visibility="collapsed")
    previous = st.session_state.get(DATASET_KEY)
    dataset: sources.Dataset | None = None
    if choice == TWIN_CHOICE:
        dataset = cache.twin_dataset()
    elif choice == UPLOAD_CHOICE:
        dataset = _upload_picker()
        if dataset is None:
            st.sidebar.info("Until a file loads, the pages keep showing the data used before.")
    else:
        path = Path(configured)
        try:
            dataset = cache.dataset_from_path(str(path), path.stat().st_mtime_ns)
        except FileNotFoundError:
            st.sidebar.error(f"The data file `{configured}` does not exist.")
        except sources.DataError as error:
            st.sidebar.error(f"`{path.name}` could not be loaded.\n\n{error}")
    dataset = dataset or previous or cache.twin_dataset()
    st.session_state[DATASET_KEY] = dataset
    label = TWIN_LABEL if dataset.is_twin else dataset.report.name
    st.sidebar.caption(f"In use: **{label}** — {len(dataset.frame):,} rows · fingerprint `{dataset.fingerprint}`")
    return dataset
