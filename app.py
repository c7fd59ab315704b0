"""Spotify popularity dashboard — the router: page config, the sidebar data-source picker, sectioned navigation."""
from __future__ import annotations

import sys
from functools import partial
from pathlib import Path

import streamlit as st

from core import cache, sources
from core.schema import TARGET
from core.twin import TWIN_LABEL

st.set_page_config(page_title="Spotify popularity", page_icon=":material/graphic_eq:", layout="wide")

TWIN_CHOICE = "Twin of the report's dataset (synthetic)"
UPLOAD_CHOICE = "Upload a CSV"
NOT_AVAILABLE = "(not in this file)"


def _remembered_mapping(name: str) -> dict[str, str | None] | None:
    return st.session_state.get("column_mappings", {}).get(name)


def _load_upload(data: bytes, name: str, mapping: dict[str, str | None] | None,
                 drop_problem_rows: bool = False) -> None:
    """Parse an upload; on failure keep the previous dataset and remember the error for the sidebar."""
    st.session_state["upload_error"] = None
    try:
        dataset = sources.load_csv(data, name=name, mapping=mapping, drop_problem_rows=drop_problem_rows,
                                   source_kind="upload")
    except sources.DataError as error:
        st.session_state["upload_error"] = error
        return
    st.session_state["uploaded_dataset"] = dataset


def _columns_to_map(error: sources.DataError | None, dataset: sources.Dataset | None) -> tuple[list[str], list[str]]:
    """(canonical columns still missing, the file's own headers) for the mapping form; nothing to map → ([], [])."""
    if error is not None:
        return list(error.missing_columns), list(error.source_columns)
    if dataset is None:
        return [], []
    missing = ([] if dataset.report.has_target else [TARGET]) + list(dataset.report.missing_features)
    return missing, list(dataset.report.source_columns)


def _mapping_form(missing: list[str], source_columns: list[str], data: bytes, name: str, expanded: bool) -> None:
    """Let the person say which of the file's columns holds each canonical column the loader could not find."""
    with st.sidebar.expander("Map columns", expanded=expanded), st.form("mapping_form", border=False):
        st.caption("Pick the column of your file that holds each of these, or leave it out. Popularity is needed "
                   "for modelling; a file without it can still be explored and scored.")
        remembered = _remembered_mapping(name) or {}
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
            st.session_state.setdefault("column_mappings", {})[name] = mapping
            _load_upload(data, name, mapping)
            st.rerun()


def _upload_picker() -> sources.Dataset | None:
    upload = st.sidebar.file_uploader("CSV of Spotify tracks", type=["csv", "tsv", "txt"], key="upload",
                                      max_upload_size=sources.MAX_UPLOAD_MB)
    if upload is not None and st.session_state.get("upload_id") != upload.file_id:
        st.session_state["upload_id"] = upload.file_id
        st.session_state["upload_bytes"] = (upload.getvalue(), upload.name)
    if "upload_bytes" not in st.session_state:
        return None
    data, name = st.session_state["upload_bytes"]
    if st.session_state.get("upload_loaded_id") != st.session_state.get("upload_id"):
        st.session_state["upload_loaded_id"] = st.session_state.get("upload_id")
        _load_upload(data, name, _remembered_mapping(name))
    error = st.session_state.get("upload_error")
    dataset = st.session_state.get("uploaded_dataset")
    if error is not None:
        st.sidebar.error(f"**{name}** was not loaded.\n\n{error}")
    missing, source_columns = _columns_to_map(error, dataset)
    if missing and source_columns:
        _mapping_form(missing, source_columns, data, name, expanded=error is not None)
    if dataset is not None and dataset.report.problem_row_count:
        count = dataset.report.problem_row_count
        if st.sidebar.button(f"Drop the {count:,} rows with problems", key="drop_problem_rows"):
            _load_upload(data, name, _remembered_mapping(name), drop_problem_rows=True)
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


def report_button(dataset: sources.Dataset) -> None:
    """The whole report for the data in use as one HTML file, generated only when the button is clicked."""
    st.sidebar.download_button(
        "Download the report (HTML)", partial(cache.report_html, dataset), mime="text/html", on_click="ignore",
        file_name=f"spotify-popularity-report-{dataset.fingerprint}.html", key="report_download",
        icon=":material/description:", width="stretch",
        help="The report's sections regenerated on this data and its stored suite: one self-contained file that "
             "opens without a network and prints cleanly.")


PAGES = {
    "Data": [
        ("pages/overview.py", "Overview", ":material/table_chart:"),
        ("pages/distributions.py", "Distributions & correlations", ":material/bar_chart:"),
    ],
    "Models": [
        ("pages/models.py", "Model comparison", ":material/leaderboard:"),
        ("pages/what_if.py", "What-if", ":material/tune:"),
    ],
}
HERE = Path(__file__).parent
navigation = st.navigation({
    section: [st.Page(path, title=title, icon=icon) for path, title, icon in pages if (HERE / path).exists()]
    for section, pages in PAGES.items()
})
in_use = pick_dataset()
report_button(in_use)
if in_use.report.source != "upload":  # the server's own data: the twin or its --data file
    cache.autotrain_default_suite(in_use)
navigation.run()
# The page is drawn: import the model libraries in the background while the person reads, so the first visit to a
# model page does not wait ~4 s for TensorFlow and scikit-learn (once per server, only when a suite is stored).
cache.prefetch_model_libraries()
