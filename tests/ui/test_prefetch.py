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
    import threading

    from core.models import kinds, store
    from core.ui import prefetch

    started, listed = threading.Event(), threading.Event()
    monkeypatch.setattr(prefetch, "PREFETCH_DELAY_S", 0.0)
    monkeypatch.setattr(kinds, "prefetch_keras", started.set)
    monkeypatch.setattr(store.ArtifactStore, "list_suites", lambda self: listed.set() or stored)
    prefetch.prefetch_model_libraries.clear()
    prefetch.prefetch_model_libraries()
    assert listed.wait(timeout=30)
    assert started.wait(timeout=30 if keras_expected else 2) == keras_expected
