"""The private-Streamlit patches in core/ui/workarounds.py still hold on the installed Streamlit."""
from __future__ import annotations


def test_reruns_leave_the_shared_keras_models_and_the_gc_alone(monkeypatch):
    """Streamlit would call keras.backend.clear_session() (a full gc.collect) after every run and fragment run:
    ~0.25 s per slider move with TensorFlow loaded, and a reset under a network training in a worker thread."""
    import sys
    from types import SimpleNamespace

    from streamlit.runtime.scriptrunner import script_runner

    import core.ui.workarounds  # noqa: F401 — importing it is what turns the reset off

    cleared, closed = [], []
    # Streamlit finds Keras in sys.modules, as the cleanup does; a stand-in spares this test TensorFlow's import.
    monkeypatch.setitem(sys.modules, "keras", SimpleNamespace(backend=SimpleNamespace(
        clear_session=lambda *args, **kwargs: cleared.append(True))))
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", SimpleNamespace(close=closed.append))
    script_runner._clean_problem_modules()
    assert cleared == []
    assert closed == ["all"]  # what Streamlit's cleanup is still for: matplotlib's figures are closed


def test_the_legacy_pages_flag_the_router_check_switches_off_still_exists():
    """ensure_router() answers PagesManager.uses_pages_directory; when Streamlit drops the flag, drop the check."""
    from streamlit.runtime.pages_manager import PagesManager

    assert hasattr(PagesManager, "uses_pages_directory")
