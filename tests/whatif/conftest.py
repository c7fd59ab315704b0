"""The what-if tests' song: the shared small suite's Scorer, its sliders on the 5,000-row twin, and one real song."""
from __future__ import annotations

import pytest

from core.whatif.scorer import Scorer
from core.whatif.sliders import slider_specs, song_from_row


@pytest.fixture(scope="module")
def scorer(small_suite):
    return Scorer(small_suite)


@pytest.fixture(scope="module")
def specs(twin_small, scorer):
    return slider_specs(twin_small, scorer.feature_names)


@pytest.fixture(scope="module")
def song(twin_small, specs):
    return song_from_row(twin_small, twin_small.index[17], specs)
