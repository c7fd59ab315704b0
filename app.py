"""Spotify popularity dashboard — the router: page config, the sidebar data-source picker, sectioned navigation."""
from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

from core import cache, sources
from core.twin import TWIN_LABEL

st.set_page_config(page_title="Spotify popularity", page_icon="🎧", layout="wide")

TWIN_CHOICE = "Twin of the report's dataset (synthetic)"
UPLOAD_CHOICE = "Upload a CSV"
NOT_AVAILABLE = "(not in this file)"


def _load_upload(data: bytes, name: str, mapping: dict[str, str] | None, drop_problem_rows: bool = False) -> None:
    """Parse an upload; on failure keep the previous dataset and remember the error for the sidebar."""
    st.session_state["upload_error"] = None
    try:
        dataset = sources.load_csv(data, name=name, mapping=mapping, drop_problem_rows=drop_problem_rows,
                                   source_kind="upload")
    except sources.DataError as error:
        st.session_state["upload_error"] = error
        return
    st.session_state["uploaded_dataset"] = dataset


def _mapping_form(error: sources.DataError, data: bytes, name: str) -> None:
    """Let the person say which of the file's columns holds each canonical column we could not find."""
    with st.sidebar.form("mapping_form"):
        st.markdown("**Map the missing columns**")
        remembered = st.session_state.setdefault("column_mappings", {}).get(name, {})
        chosen: dict[str, str] = {}
        options = [NOT_AVAILABLE, *error.source_columns]
        for canonical in error.missing_columns:
            previous = next((src for src, dst in remembered.items() if dst == canonical), NOT_AVAILABLE)
            pick = st.selectbox(f"`{canonical}`", options, index=options.index(previous) if previous in options else 0,
                                key=f"map_{canonical}")
            if pick != NOT_AVAILABLE:
                chosen[pick] = canonical
        if st.form_submit_button("Load with this mapping", type="primary"):
            mapping = {**remembered, **chosen}
            st.session_state["column_mappings"][name] = mapping
            _load_upload(data, name, mapping)
            st.rerun()


def _upload_picker() -> sources.Dataset | None:
    upload = st.sidebar.file_uploader("CSV of Spotify tracks", type=["csv", "tsv", "txt"], key="upload")
    if upload is not None and st.session_state.get("upload_id") != upload.file_id:
        st.session_state["upload_id"] = upload.file_id
        st.session_state["upload_bytes"] = (upload.getvalue(), upload.name)
        mapping = st.session_state.get("column_mappings", {}).get(upload.name)
        _load_upload(upload.getvalue(), upload.name, mapping)
    error = st.session_state.get("upload_error")
    if error is not None:
        st.sidebar.error(f"**{st.session_state['upload_bytes'][1]}** was not loaded.\n\n{error}")
        if error.missing_columns:
            _mapping_form(error, *st.session_state["upload_bytes"])
    dataset = st.session_state.get("uploaded_dataset")
    if dataset is not None and len(dataset.report.row_problems):
        count = dataset.report.row_problems["row"].nunique()
        if st.sidebar.button(f"Drop the {count:,} rows with problems", key="drop_problem_rows"):
            data, name = st.session_state["upload_bytes"]
            _load_upload(data, name, st.session_state.get("column_mappings", {}).get(name), drop_problem_rows=True)
            st.rerun()
    return dataset


def pick_dataset() -> sources.Dataset:
    """The sidebar data-source picker; a failed load never replaces the data already in use."""
    st.sidebar.subheader("Data")
    configured = cache.configured_data_path(sys.argv)
    choices = ([f"File: {Path(configured).name}"] if configured else []) + [TWIN_CHOICE, UPLOAD_CHOICE]
    choice = st.sidebar.radio("Source", choices, key="data_source", label_visibility="collapsed")
    previous = st.session_state.get(cache.DATASET_KEY)
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
    st.session_state[cache.DATASET_KEY] = dataset
    label = TWIN_LABEL if dataset.is_twin else dataset.report.name
    st.sidebar.caption(f"In use: **{label}** — {len(dataset.frame):,} rows · fingerprint `{dataset.fingerprint}`")
    return dataset


PAGES = {
    "Data": [
        ("pages/overview.py", "Overview", "📋"),
        ("pages/distributions.py", "Distributions & correlations", "📊"),
    ],
    "Models": [
        ("pages/models.py", "Model comparison", "🏁"),
        ("pages/what_if.py", "What-if", "🎚️"),
    ],
}
HERE = Path(__file__).parent
navigation = st.navigation({
    section: [st.Page(path, title=title, icon=icon) for path, title, icon in pages if (HERE / path).exists()]
    for section, pages in PAGES.items()
})
pick_dataset()
navigation.run()
