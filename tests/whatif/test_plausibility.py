"""The out-of-distribution check: an absurd song is flagged, real ones are not, the nearest songs are real rows."""
from __future__ import annotations

import pytest

from core import schema
from core.whatif.plausibility import build_plausibility_index, check_plausibility
from core.whatif.sliders import median_song


@pytest.fixture(scope="module")
def plausibility_index(twin_small, scorer):
    return build_plausibility_index(twin_small.iloc[:4_000], scorer.feature_names, sample_size=4_000)


def test_ood_badge_fires_on_an_absurd_song(plausibility_index, specs):
    absurd = {s.name: s.snap(s.max) for s in specs}
    absurd.update(loudness=specs[[s.name for s in specs].index("loudness")].min, tempo=0.0)
    check = check_plausibility(plausibility_index, absurd)
    assert check.is_unusual
    assert check.distance > check.threshold and check.percentile == 100


def test_ood_badge_stays_quiet_on_real_twin_rows(plausibility_index, twin_small, specs):
    # Rows the index has never seen: at most a few of them may be as far out as the real songs' top 1%.
    held_out = twin_small.iloc[4_000:4_200]
    flagged = [check_plausibility(plausibility_index, row).is_unusual
               for _, row in held_out[plausibility_index.feature_names].iterrows()]
    assert sum(flagged) <= 6
    median = median_song(twin_small, specs)
    assert not check_plausibility(plausibility_index, median).is_unusual


def test_nearest_songs_are_real_rows_with_their_popularity(plausibility_index, twin_small):
    row = twin_small.iloc[5]
    check = check_plausibility(plausibility_index, row[plausibility_index.feature_names], twin_small)
    assert len(check.nearest) == 5
    assert check.nearest.index[0] == twin_small.index[5] and check.nearest["distance"].iloc[0] == pytest.approx(0)
    assert {schema.ARTIST, schema.TRACK_NAME, schema.TARGET} <= set(check.nearest.columns)
    assert check.nearest["distance"].is_monotonic_increasing
