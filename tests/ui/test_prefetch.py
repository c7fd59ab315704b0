"""The background import of the model libraries once the first page is drawn (core/ui/prefetch.py)."""
from __future__ import annotations

import pytest


NETWORK_WITH_NUMPY_PASS = {"format": "keras", "file": "00_ann.keras", "inference_file": "00_ann.npz"}
NETWORK_KERAS_ONLY = {"format": "keras", "file": "00_ann.keras"}


@pytest.mark.parametrize("stored, keras_expected", [
    ([], False),                                                           # nothing to load: nothing imported
    ([{"model_files": {"ANN": NETWORK_WITH_NUMPY_PASS}}], False),          # networks score in numpy
    ([{"model_files": {"ANN": NETWORK_KERAS_ONLY}}], True),                # an older suite needs TensorFlow
])
def test_tensorflow_is_prefetched_only_for_networks_stored_without_a_numpy_pass(stored, keras_expected, monkeypatch):
    from core.models import kinds, store
    from core.ui import prefetch

    asked = []
    monkeypatch.setattr(kinds, "prefetch_keras", lambda: asked.append(True))
    monkeypatch.setattr(store.ArtifactStore, "list_suites", lambda self: stored)
    prefetch.import_model_libraries()
    assert bool(asked) == keras_expected


def test_the_prefetch_runs_once_per_server_in_the_background(monkeypatch):
    import threading

    from core.ui import prefetch

    ran, scheduled = [], []
    done = threading.Event()

    class CountedTimer(threading.Timer):
        def __init__(self, *args, **kwargs):
            scheduled.append(args)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(prefetch, "PREFETCH_DELAY_S", 0.0)
    monkeypatch.setattr(prefetch.threading, "Timer", CountedTimer)
    monkeypatch.setattr(prefetch, "import_model_libraries", lambda: ran.append(threading.current_thread()) or done.set())
    prefetch.prefetch_model_libraries.clear()
    prefetch.prefetch_model_libraries()
    prefetch.prefetch_model_libraries()  # a second page run: cached, nothing scheduled again
    assert len(scheduled) == 1
    assert done.wait(timeout=30)
    assert len(ran) == 1 and ran[0] is not threading.main_thread()
    prefetch.prefetch_model_libraries.clear()
