"""Sweeping one feature: the curve passes through the song's own prediction and spans the slider's range."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.whatif.scorer import score_song
from core.whatif.sensitivity import sensitivity_curve


def test_sensitivity_curve_at_the_current_value_equals_the_point_prediction(scorer, specs, song):
    score = score_song(scorer, song)
    for spec in (s for s in specs if s.name in ("loudness", "key", "duration_ms")):
        curve = sensitivity_curve(scorer, song, spec)
        at_current = curve[np.isclose(curve["value"], song[spec.name])]
        popularity = at_current[at_current["kind"] == "popularity"].set_index("model")["prediction"]
        proba = at_current[at_current["kind"] == "hit probability"].set_index("model")["prediction"]
        pd.testing.assert_series_equal(popularity, score.popularity, check_names=False, rtol=1e-6)
        pd.testing.assert_series_equal(proba, score.hit_probability, check_names=False, rtol=1e-6)
        # The sweep spans the whole slider range.
        assert curve["value"].min() == pytest.approx(spec.min) and curve["value"].max() == pytest.approx(spec.max)


def test_sensitivity_of_the_key_visits_every_note(scorer, specs, song):
    key = next(s for s in specs if s.name == "key")
    curve = sensitivity_curve(scorer, song, key, models=[scorer.regressor_names[0]])
    assert sorted(curve["value"].unique()) == list(key.options)
    assert set(curve["kind"]) == {"popularity"}
