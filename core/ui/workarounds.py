"""Patches of private Streamlit internals, each answering one Streamlit behaviour, all in one place.

Each says which behaviour it answers and how to tell when it can go. Written against Streamlit 1.67; both are tested
(tests/ui/test_workarounds.py), so an upgrade that moves the private names fails there rather than in a person's page.
"""
from __future__ import annotations

import sys

import streamlit as st


def keep_keras_state_between_runs() -> None:
    """Stop Streamlit from calling keras.backend.clear_session() after every script and fragment run.

    Behaviour: `script_runner._clean_problem_modules()` resets Keras after each run, for apps that build Keras models
    in the script. Ours are loaded once and shared through cache_resource, a network training in a worker thread would
    be disturbed by a reset mid-fit, and the call also runs a full gc.collect(), ~0.25 s holding the GIL with
    TensorFlow loaded, after every slider move of every session (profiled). Matplotlib's
    figures, the other module Streamlit cleans up, are still closed.
    Can go when: Streamlit no longer clears the Keras session after a run (read `_clean_problem_modules` in
    streamlit/runtime/scriptrunner/script_runner.py), or lets an app turn that off.
    """
    from streamlit.runtime.scriptrunner import script_runner

    def close_matplotlib_figures() -> None:
        if "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close("all")

    if hasattr(script_runner, "_clean_problem_modules"):
        script_runner._clean_problem_modules = close_matplotlib_figures


def ensure_router() -> None:
    """Make sure the page runs inside app.py's router.

    Behaviour: on a freshly started server, a deep link (say /models) opened before anyone loaded the home page runs
    the page through Streamlit's legacy `pages/` discovery: no data picker, no sections, no wide layout. That mode
    lasts only until st.navigation has run once, so switch it off and rerun: the rerun goes through app.py to the
    same page.
    Can go when: `PagesManager.uses_pages_directory` is gone from streamlit/runtime/pages_manager.py, or a deep link
    on a fresh server runs app.py (tests/e2e/test_app_starts.py opens /distributions first on a fresh server).
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


# Applied when the ui layer is first imported: app.py and every page import it before their first run ends.
keep_keras_state_between_runs()
