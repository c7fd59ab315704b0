"""Spotify popularity dashboard — the router: page config, the sidebar data-source picker, sectioned navigation."""
from __future__ import annotations

from functools import partial
from pathlib import Path

import streamlit as st

from core import cache, sources
from core.ui import data_picker, prefetch

st.set_page_config(page_title="Spotify popularity", page_icon=":material/graphic_eq:", layout="wide")


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
in_use = data_picker.pick_dataset()
report_button(in_use)
if in_use.report.source != "upload":  # the server's own data: the twin or its --data file
    cache.autotrain_default_suite(in_use)
navigation.run()
# The page is drawn: import the model libraries in the background while the person reads, so the first visit to a
# model page does not wait ~4 s for TensorFlow and scikit-learn (once per server, only when a suite is stored).
prefetch.prefetch_model_libraries()
