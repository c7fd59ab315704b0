""""What would it take?": the change found is feasible, reaches the goal, and no smaller single-feature change does."""
from __future__ import annotations

import numpy as np
import pytest

from core.whatif import counterfactual as CF
from core.whatif.plausibility import build_plausibility_index, check_plausibility
from core.whatif.scorer import Scorer, score_song
from core.whatif.sliders import median_song, slider_specs


@pytest.fixture(scope="module")
def world(twin_small, small_suite):
    scorer = Scorer(small_suite)
    specs = slider_specs(twin_small, scorer.feature_names)
    return {"frame": twin_small, "scorer": scorer, "specs": specs, "space": CF.search_space(twin_small, specs),
            "index": build_plausibility_index(twin_small, scorer.feature_names),
            "song": median_song(twin_small, specs)}


def _mean_popularity(scorer, song) -> float:
    return float(score_song(scorer, song, False).model_popularity.mean())


def test_the_change_found_is_feasible_reaches_the_goal_and_no_smaller_single_change_does(world):
    scorer, space, index, song = world["scorer"], world["space"], world["index"], world["song"]
    goal = CF.Goal("points", 3.0)
    result = CF.search(scorer, space, index, song, goal, world["frame"])
    assert result.found, result.message
    changed = result.changed
    moved = [n for n in scorer.feature_names if changed[n] != song[n]]
    # feasible: 1 to 3 movable features, each inside the realistic range and on its slider grid; plausible
    assert 1 <= len(moved) <= 3 and set(moved) <= set(CF.MOVABLE)
    for name in moved:
        assert space.low[name] <= changed[name] <= space.high[name]
        assert space.specs[name].snap(changed[name]) == pytest.approx(changed[name])
    assert not check_plausibility(index, changed, world["frame"]).is_unusual
    # reaches the goal, by the page's own scoring
    before, after = _mean_popularity(scorer, song), _mean_popularity(scorer, changed)
    assert after >= before + goal.points - 1e-9
    assert result.cost == pytest.approx(space.cost(song, changed))
    assert [s.feature for s in result.steps] == moved and "→" in result.steps_text
    # no single-feature change smaller than it reaches the goal (a grid over every movable feature's range)
    regressors = CF.real_regressors(scorer)
    for name in space.names:
        spec = space.specs[name]
        grid = sorted({spec.snap(v) for v in np.linspace(space.low[name], space.high[name], 150)} - {song[name]})
        smaller = [v for v in grid if abs(v - song[name]) / space.scale[name] < result.cost - 1e-9]
        if not smaller:
            continue
        candidates = [{**song, name: v} for v in smaller]
        x = np.vstack([scorer.song_matrix(c) for c in candidates])
        reaching = scorer.popularity(x, regressors).mean(axis=1) >= before + goal.points - 1e-9
        for candidate in np.asarray(candidates)[reaching]:
            assert check_plausibility(index, candidate).is_unusual, (name, candidate[name])


def test_the_result_lists_every_model_before_and_after_and_how_many_agree(world):
    result = CF.search(world["scorer"], world["space"], world["index"], world["song"], CF.Goal("points", 3.0),
                       world["frame"])
    scorer = world["scorer"]
    assert set(result.predictions["model"]) == set(scorer.regressor_names) | set(scorer.classifier_names)
    agree, total = result.agreement
    assert total == len(CF.real_regressors(scorer)) and 0 <= agree <= total
    assert f"{agree} of {total} regressors" in result.agreement_text
    assert len(result.nearest) == 5 and "not a recipe" in result.message


def test_an_unreachable_goal_says_nothing_realistic_gets_there(world):
    result = CF.search(world["scorer"], world["space"], world["index"], world["song"], CF.Goal("points", 80.0),
                       world["frame"])
    assert not result.found and result.changed is None
    assert result.message.startswith("Nothing realistic gets there")


def test_the_hit_goal_aims_at_the_reference_classifiers_threshold(world):
    scorer = world["scorer"]
    reference = CF.reference_classifier(scorer)
    assert reference in scorer.voters
    result = CF.search(scorer, world["space"], world["index"], world["song"], CF.Goal("hit"), world["frame"])
    assert result.model == reference and result.target == pytest.approx(scorer.thresholds[reference])
    if result.found:
        x = scorer.song_matrix(result.changed)
        assert scorer.hit_proba(x, [reference])[0, 0] >= result.target
    else:
        assert result.message.startswith(("Nothing realistic", "Already there"))


def test_the_realistic_range_is_inside_the_data_and_the_slider(world):
    frame, space = world["frame"], world["space"]
    for name in space.names:
        values = frame[name].to_numpy(dtype=float)
        assert np.quantile(values, 0.01) <= space.low[name] < space.high[name] <= np.quantile(values, 0.99)
        assert space.grids[name].min() >= space.low[name] and space.grids[name].max() <= space.high[name]
    assert {"key", "mode", "time_signature"}.isdisjoint(space.names)
