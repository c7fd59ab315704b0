"""core.eda.filters: popularity, feature ranges and artist combine; only kept rows and asked columns are copied."""
from __future__ import annotations

from core.eda.columns import analysis_columns
from core.eda.filters import Filters, apply_filters, filter_bounds, filter_mask, select_rows
from tests.eda.frames import songs


def test_filters_combine_popularity_feature_ranges_and_artist():
    frame = songs(12, artist_name=["Drake", "Adele"] * 6)
    assert apply_filters(frame, Filters()) is frame
    kept = apply_filters(frame, Filters(popularity=(2, 9), features=(("key", 3, 8),), artist="drake"))
    assert kept["popularity"].tolist() == [4, 6, 8]
    assert apply_filters(frame, Filters(artist="nobody")).empty
    text = Filters(popularity=(20, 100), features=(("loudness", -20, -5),), artist="x").describe()
    assert "popularity 20–100" in text and "loudness" in text and "“x”" in text
    assert Filters().describe() == "no filters" and not Filters().active
    assert hash(Filters(popularity=(1.0, 2.0))) == hash(Filters(popularity=(1.0, 2.0)))


def test_select_rows_copies_only_kept_rows_and_asked_columns():
    frame = songs(6)
    mask = filter_mask(frame, Filters(popularity=(1, 3)))
    kept = select_rows(frame, mask, ["popularity", "energy", "popularity", "not a column"])
    assert kept.columns.tolist() == ["popularity", "energy"] and kept["popularity"].tolist() == [1, 2, 3]
    assert select_rows(frame, None) is frame and len(select_rows(frame, mask)) == 3


def test_filter_bounds_are_the_observed_ranges():
    bounds = filter_bounds(songs(5))
    assert bounds["popularity"] == (0, 4) and set(bounds) == set(analysis_columns(songs(5)))
