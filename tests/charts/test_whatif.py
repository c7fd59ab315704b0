"""What-if figures: every model drawn once, spreads and thresholds where they belong, the waterfall adds up."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.charts import whatif as charts
from core.whatif.scorer import BIAS, SongScore
from core.whatif.sliders import slider_specs


FRAME = pd.DataFrame({"loudness": [-30.0, -8.0, -2.0], "key": [0, 5, 11], "duration_ms": [90_000, 200_000, 420_000],
                      "tempo": [60.0, 120.0, 180.0]})
SPECS = slider_specs(FRAME, list(FRAME.columns))
SONG = {"loudness": -8.0, "key": 5, "duration_ms": 200_000, "tempo": 120.0}


@pytest.fixture
def score() -> SongScore:
    popularity = pd.Series({"Linear Regression": 31.0, "XGBoost": 44.5, "ANN": 38.0, "Mean (baseline)": 24.2})
    proba = pd.Series({"LOGISTIC REGRESSION": 0.04, "RANDOM FOREST CLASSIFIER": 0.3, "Prior (baseline)": 0.01})
    threshold = pd.Series({"LOGISTIC REGRESSION": 0.05, "RANDOM FOREST CLASSIFIER": 0.2, "Prior (baseline)": 0.5})
    contributions = pd.Series({BIAS: 30.0, "loudness": 9.0, "key": -0.5, "duration_ms": 4.0, "tempo": 2.0})
    return SongScore(popularity, proba, threshold, frozenset({"Mean (baseline)", "Prior (baseline)"}),
                     contributions, "XGBoost")


def test_hit_chart_colours_the_verdict_and_marks_each_threshold(score):
    figure = charts.hit_chart(score)
    hit_lines, miss_lines, ticks, dots = figure.data
    assert list(dots.y) == ["LOGISTIC REGRESSION", "RANDOM FOREST CLASSIFIER"]       # no baseline
    assert list(dots.marker.color) == [charts.MISS_COLOUR, charts.HIT_COLOUR]
    assert list(dots.customdata) == [0.04, 0.3] and list(ticks.x) == [0.05, 0.2]
    assert [y for y in hit_lines.y if y] == ["RANDOM FOREST CLASSIFIER"] * 2             # tick -> dot, green
    assert [y for y in miss_lines.y if y] == ["LOGISTIC REGRESSION"] * 2
    assert figure.layout.xaxis.type == "log"
    assert [a.text.endswith("<b>hit</b>") for a in figure.layout.annotations] == [False, True]


def test_hit_chart_greys_out_a_model_that_does_not_vote(score):
    silent = SongScore(score.popularity, score.hit_probability, score.threshold, score.baselines,
                       silent=frozenset({"RANDOM FOREST CLASSIFIER", "Prior (baseline)"}))
    figure = charts.hit_chart(silent)
    assert list(figure.data[3].marker.color) == [charts.MISS_COLOUR, charts.MISS_COLOUR]
    assert [y for y in figure.data[0].y if y] == []                                     # no green line
    assert figure.layout.annotations[1].text.endswith("<b>no vote</b>")


def test_hit_chart_draws_a_zero_probability_at_the_floor_of_its_log_axis(score):
    score.hit_probability["LOGISTIC REGRESSION"] = 0.0
    dots = charts.hit_chart(score).data[3]
    assert dots.x[0] == charts.PROBABILITY_FLOOR and dots.customdata[0] == 0.0


def test_waterfall_starts_at_the_bias_and_ends_at_the_prediction(score):
    figure = charts.contributions_waterfall(score.contributions, SONG, SPECS, "XGBoost")
    trace = figure.data[0]
    assert trace.measure[0] == "absolute" and trace.measure[-1] == "total"
    assert sum(trace.x[:-1]) == pytest.approx(score.contributions.sum())
    assert trace.y[1].startswith("Loudness = -8.0 dB")                       # largest effect first
    assert "Key = F" in trace.y
    assert "44.5" in figure.layout.title.text


def test_sensitivity_chart_draws_every_model_and_marks_the_current_value():
    key = next(s for s in SPECS if s.name == "key")
    grid = np.array(key.options, dtype=float)
    curve = pd.concat([
        pd.DataFrame({"value": grid, "model": "XGBoost", "kind": "popularity", "prediction": grid * 2}),
        pd.DataFrame({"value": grid, "model": "LOGISTIC REGRESSION", "kind": "hit probability",
                      "prediction": grid / 20}),
    ])
    figure = charts.sensitivity_chart(curve, key, SONG["key"], charts.model_colours(["XGBoost", "LOGISTIC REGRESSION"]))
    assert [t.name for t in figure.data] == ["XGBoost", "LOGISTIC REGRESSION"]
    assert figure.data[1].yaxis == "y2" and figure.layout.yaxis2.type == "log"
    assert list(figure.layout.xaxis.ticktext) == [key.format_value(v) for v in key.options]
    assert {s.x0 for s in figure.layout.shapes} == {5.0}


def test_sensitivity_chart_shows_duration_in_minutes():
    duration = next(s for s in SPECS if s.name == "duration_ms")
    grid = np.array([120_000.0, 240_000.0])
    curve = pd.DataFrame({"value": grid, "model": "XGBoost", "kind": "popularity", "prediction": [1.0, 2.0]})
    figure = charts.sensitivity_chart(curve, duration, 180_000, {"XGBoost": "#000"})
    assert list(figure.data[0].x) == [2.0, 4.0]
    assert figure.layout.shapes[0].x0 == 3.0
    assert "minutes" in figure.layout.xaxis.title.text
