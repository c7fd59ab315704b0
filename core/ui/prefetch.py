"""Once the first page is drawn, import the model libraries in the background, so the first visit to a model page
does not wait ~4 s for scikit-learn, XGBoost (and TensorFlow, for networks stored without their numpy pass)."""
from __future__ import annotations

import threading

import streamlit as st

# A few seconds' delay: the first page's drawing, not the import, gets the CPU and the GIL first.
PREFETCH_DELAY_S = 3.0


def import_model_libraries() -> None:
    """Import what loading the stored suites and scoring a song needs; TensorFlow only for networks stored without a
    numpy pass. Nothing to import when the store is empty."""
    try:
        from core.models.kinds import needs_keras, prefetch_keras
        from core.models.store import ArtifactStore

        suites = ArtifactStore().list_suites()
        if suites:
            # what loading a suite and scoring a song import: skops, the scikit-learn estimators, XGBoost
            import skops.io  # noqa: F401
            import sklearn.ensemble  # noqa: F401
            import sklearn.linear_model  # noqa: F401
            import xgboost  # noqa: F401

            from core.whatif import scorer  # noqa: F401
        if any(needs_keras(manifest) for manifest in suites):
            prefetch_keras()
    except Exception:  # noqa: BLE001 — a failed prefetch only means the model page imports them itself
        pass


@st.cache_resource(show_spinner=False)
def prefetch_model_libraries() -> None:
    """Once per server: import the model stack in a background thread, a few seconds after the first page."""
    timer = threading.Timer(PREFETCH_DELAY_S, import_model_libraries)
    timer.daemon = True
    timer.start()
