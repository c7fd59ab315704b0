"""core.eda: the report's tables, the quality alerts, filters and binned statistics on frames whose answers are
known by hand, plus the report's headline numbers on the full twin (slow)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core import eda, schema
from core import report_figures as rf


def songs(n: int = 8, **columns) -> pd.DataFrame:
    """A tiny canonical frame: ids, every feature at a harmless varying value, popularity 0..n-1; overrides apply."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({
        schema.ARTIST: [f"Artist {i % 3}" for i in range(n)],
        schema.TRACK_ID: [f"id{i}" for i in range(n)],
        schema.TRACK_NAME: [f"Song {i}" for i in range(n)],
    })
    for feature in schema.FEATURES:
        if feature.integer:
            frame[feature.name] = (np.arange(n) % 2 if feature.name == "mode" else
                                   3 + np.arange(n) % 3 if feature.name == "time_signature" else
                                   np.arange(n) % 12 if feature.name == "key" else 200_000 + 1_000 * np.arange(n))
        else:
            frame[feature.name] = rng.uniform(0.1, 0.9, n) if feature.max <= 1 else rng.uniform(-20, -5, n) \
                if feature.name == "loudness" else rng.uniform(80, 160, n)
    frame[schema.TARGET] = np.arange(n)
    for name, values in columns.items():
        frame[name] = values
    return frame


# ---- the report's tables ---------------------------------------------------------------------------------------------

def test_info_table_counts_non_null_values_and_names_dtypes():
    frame = songs(5, track_name=["a", None, "c", None, "e"])
    info = eda.info_table(frame).set_index("column")
    assert info.loc["track_name", "non-null count"] == 3
    assert info.loc["popularity", "non-null count"] == 5
    assert info.loc["loudness", "dtype"] == "float64" and info.loc["key", "dtype"] == "int64"
    assert "5 entries × 17 columns" in eda.info_summary(frame)


def test_describe_is_pandas_describe_of_numeric_columns_without_booleans():
    frame = songs(6, explicit=[True, False] * 3)
    table = eda.describe_table(frame)
    assert "explicit" not in table.columns and "artist_name" not in table.columns
    assert table.loc["mean", "popularity"] == pytest.approx(2.5)
    assert table.loc["50%", "popularity"] == pytest.approx(2.5)
    assert list(table.index) == ["count", "mean", "std", "min", "25%", "50%", "75%", "max"]


def test_describe_difference_is_ours_minus_the_report():
    ours = rf.DESCRIBE.copy()
    ours.loc["mean", "popularity"] += 1.5
    diff = eda.describe_difference(ours)
    assert diff.loc["mean", "popularity"] == pytest.approx(1.5)
    assert diff.drop(index="mean").abs().to_numpy().max() == 0
    assert eda.describe_difference(ours[["popularity"]]).columns.tolist() == ["popularity"]


def test_null_and_nunique_tables_carry_the_reports_counts():
    frame = songs(4, track_name=["a", None, "a", "b"])
    nulls = eda.null_counts_table(frame, rf.NULL_COUNTS).set_index("column")
    assert nulls.loc["track_name", "nulls"] == 1 and nulls.loc["track_name", "share %"] == 25
    assert nulls.loc["track_name", "report"] == 1 and nulls.loc["energy", "report"] == 0
    nunique = eda.nunique_table(frame, rf.NUNIQUE).set_index("column")
    assert nunique.loc["track_name", "distinct values"] == 2
    assert nunique.loc["key", "report"] == 12


def test_search_matches_artist_or_title_case_insensitively_and_literally():
    frame = songs(4, artist_name=["Drake", "The Weeknd", "drake & co", "A.B"],
                  track_name=["Hotline", "Blinding (Lights)", "x", "y"])
    assert eda.search_mask(frame, "DRAKE").tolist() == [True, False, True, False]
    assert eda.search_mask(frame, "(lights").tolist() == [False, True, False, False]   # not a regex
    assert eda.search_mask(frame, "a.b").tolist() == [False, False, False, True]
    assert eda.search_mask(frame, "  ").all()


def test_head_table_sorts_all_matches_before_cutting():
    frame = songs(50)
    head, n = eda.head_table(frame, "", "popularity", descending=True, limit=5)
    assert n == 50 and head["popularity"].tolist() == [49, 48, 47, 46, 45]
    head, n = eda.head_table(frame, "artist 1", "popularity", descending=False, limit=3)
    assert n == 17 and head["popularity"].tolist() == [1, 4, 7]
    head, n = eda.head_table(frame, "nobody")
    assert n == 0 and head.empty


# ---- alerts ----------------------------------------------------------------------------------------------------------

def test_duplicates_count_repeats_of_an_earlier_id_and_exact_copies():
    frame = songs(6)
    frame.loc[5] = frame.loc[0]                                    # an exact copy of row 0
    frame.loc[4, schema.TRACK_ID] = "id1"                          # a re-used id, other values differ
    assert eda.duplicate_track_ids(frame) == 2
    assert eda.duplicate_rows(frame) == 1
    kinds = {a.kind: a for a in eda.duplicate_alerts(frame)}
    assert kinds["duplicate_ids"].value == 2 and kinds["duplicate_rows"].value == 1
    assert all(a.severity == "warning" and a.meaning.endswith(".") for a in kinds.values())
    assert eda.duplicate_alerts(songs(6)) == []


def test_copies_are_found_when_the_loader_made_up_the_track_ids():
    frame = songs(5)
    frame.loc[5] = frame.loc[1]
    frame[schema.TRACK_ID] = [f"row-{i + 1}" for i in range(6)]           # every row got its own id
    assert eda.duplicate_alerts(frame) == []
    alerts = eda.duplicate_alerts(frame, generated=(schema.TRACK_ID,))
    assert [(a.kind, a.value) for a in alerts] == [("duplicate_rows", 1)] and "made-up `track_id`" in alerts[0].title
    assert eda.overview_tables(frame, (schema.TRACK_ID,)).duplicate_rows == 1


def test_missing_track_ids_are_not_duplicates_of_each_other():
    frame = songs(4, track_id=["a", None, None, "a"])
    assert eda.duplicate_track_ids(frame) == 1


def test_column_counts_match_pandas_isna_and_nunique():
    frame = songs(6, track_name=["x", None, "x", "y", None, "z"], explicit=[True, False, True, True, False, True])
    frame.loc[2, "tempo"] = np.nan
    counts = eda.column_counts(frame)
    assert counts["nulls"].tolist() == frame.isna().sum().tolist()
    assert counts["distinct"].tolist() == frame.nunique().tolist()


def test_duplicate_rows_without_a_track_id_column_compares_whole_rows():
    frame = songs(4).drop(columns=schema.TRACK_ID)
    frame.loc[4] = frame.loc[2]
    assert eda.duplicate_rows(frame) == 1


def test_missing_values_in_an_id_are_harmless_in_a_feature_they_are_not():
    frame = songs(10, track_name=[None] + [f"s{i}" for i in range(9)])
    frame.loc[[2, 3], "tempo"] = np.nan
    alerts = {a.columns[0]: a for a in eda.missing_alerts(frame)}
    assert set(alerts) == {"track_name", "tempo"}
    assert alerts["track_name"].severity == "info" and "1 row " in alerts["track_name"].title
    assert alerts["tempo"].severity == "warning" and alerts["tempo"].value == 2


def test_zero_inflation_uses_the_threshold_and_skips_codes():
    n = 20
    instrumental = np.r_[np.zeros(3), np.linspace(0.1, 1, n - 3)]    # 15 % zeros
    frame = songs(n, instrumentalness=instrumental, key=np.zeros(n, dtype=int))
    shares = eda.zero_shares(frame)
    assert shares["instrumentalness"] == pytest.approx(0.15)
    assert "key" not in shares.index                                  # key 0 is the note C, not "nothing"
    flagged = {a.columns[0] for a in eda.zero_inflation_alerts(frame)}
    assert "instrumentalness" in flagged and "key" not in flagged
    assert "instrumentalness" not in {a.columns[0] for a in eda.zero_inflation_alerts(frame, threshold=0.2)}


def test_skew_alert_fires_on_a_long_tail_only():
    n = 200
    tail = np.r_[np.full(n - 5, 0.05), np.full(5, 0.95)]            # a few large values: strong right skew
    frame = songs(n, speechiness=tail)
    skews = eda.skewness(frame)
    assert skews["speechiness"] > eda.SKEW_THRESHOLD
    alerts = {a.columns[0]: a for a in eda.skew_alerts(frame)}
    assert "speechiness" in alerts and "right" in alerts["speechiness"].title
    assert "danceability" not in alerts                              # uniform: no tail


def test_near_constant_alert_reports_the_value_and_its_share():
    frame = songs(10, time_signature=[4] * 9 + [3])
    alerts = [a for a in eda.near_constant_alerts(frame) if a.columns == ("time_signature",)]
    assert len(alerts) == 1 and alerts[0].value == pytest.approx(0.9) and "4/4" in alerts[0].title
    assert not [a for a in eda.near_constant_alerts(songs(10)) if a.columns == ("time_signature",)]


def test_correlated_pairs_are_found_once_and_exclude_the_target():
    n = 100
    energy = np.linspace(0, 1, n)
    frame = songs(n, energy=energy, loudness=-30 + 25 * energy + np.sin(np.arange(n)) * 0.5,
                  acousticness=1 - energy, popularity=(100 * energy).astype(int))
    pairs = eda.correlated_pairs(eda.correlation_matrix(frame))
    found = {frozenset((a, b)) for a, b in zip(pairs["a"], pairs["b"])}
    assert frozenset(("energy", "loudness")) in found and frozenset(("acousticness", "energy")) in found
    assert not any(schema.TARGET in pair for pair in found)
    assert len(found) == len(pairs)
    assert pairs["r"].abs().is_monotonic_decreasing
    kinds = {a.kind for a in eda.correlation_alerts(eda.correlation_matrix(frame))}
    assert kinds == {"high_correlation"}


def test_imbalance_alert_counts_songs_at_or_above_the_99th_percentile():
    popularity = np.r_[np.arange(990) % 60, np.full(10, 90)]       # 10 hits of 1,000 above a spread of 0..59
    frame = songs(1000, popularity=popularity)
    threshold = eda.popular_threshold(frame[schema.TARGET])
    assert threshold == pytest.approx(np.quantile(popularity, 0.99))
    alerts = eda.imbalance_alert(frame)
    assert len(alerts) == 1 and alerts[0].value == pytest.approx(eda.popular_share(frame[schema.TARGET], threshold))
    assert alerts[0].value < eda.IMBALANCE_MINORITY_SHARE and "accuracy" in alerts[0].meaning
    assert eda.imbalance_alert(frame.drop(columns=schema.TARGET)) == []


def test_quality_alerts_put_warnings_first_and_table_has_one_row_each():
    frame = songs(30, instrumentalness=np.r_[np.zeros(10), np.linspace(0.1, 1, 20)])
    frame.loc[30] = frame.loc[0]
    alerts = eda.quality_alerts(frame)
    severities = [a.severity for a in alerts]
    assert severities == sorted(severities, key=lambda s: s != "warning")
    table = eda.alerts_table(alerts)
    assert len(table) == len(alerts) and {"finding", "meaning for modelling"} <= set(table.columns)
    grouped = eda.group_alerts(alerts)
    assert sum(len(g) for g in grouped) == len(alerts)
    assert all(len({(a.kind, a.meaning) for a in g}) == 1 for g in grouped)


def test_overview_tables_bundle_the_same_numbers():
    frame = songs(12, track_name=[None] + [f"s{i}" for i in range(11)])
    frame.loc[12] = frame.loc[3]
    tables = eda.overview_tables(frame)
    assert tables.duplicate_rows == 1 and tables.duplicate_track_ids == 1
    assert tables.info.set_index("column").loc["track_name", "non-null count"] == 12  # 13 rows, 1 missing
    assert tables.nulls.set_index("column").loc["track_name", "nulls"] == 1


def test_glance_table_has_each_numeric_columns_histogram_and_figures():
    frame = songs(12)
    frame.loc[:3, "instrumentalness"] = 0.0
    glance = eda.overview_tables(frame).glance.set_index("column")
    assert list(glance.index) == eda.analysis_columns(frame)
    key = glance.loc["key"]
    assert sum(key["distribution"]) == 12 and len(key["distribution"]) == frame["key"].max() - frame["key"].min() + 1
    row = glance.loc["instrumentalness"]
    assert row["zeros %"] == pytest.approx(100 * 4 / 12)
    values = frame["instrumentalness"]
    assert (row["min"], row["median"], row["mean"], row["max"]) == pytest.approx(
        (values.min(), values.median(), values.mean(), values.max()))


# ---- filters ---------------------------------------------------------------------------------------------------------

def test_filters_combine_popularity_feature_ranges_and_artist():
    frame = songs(12, artist_name=["Drake", "Adele"] * 6)
    assert eda.apply_filters(frame, eda.Filters()) is frame
    kept = eda.apply_filters(frame, eda.Filters(popularity=(2, 9), features=(("key", 3, 8),), artist="drake"))
    assert kept["popularity"].tolist() == [4, 6, 8]
    assert eda.apply_filters(frame, eda.Filters(artist="nobody")).empty
    text = eda.Filters(popularity=(20, 100), features=(("loudness", -20, -5),), artist="x").describe()
    assert "popularity 20–100" in text and "loudness" in text and "“x”" in text
    assert eda.Filters().describe() == "no filters" and not eda.Filters().active
    assert hash(eda.Filters(popularity=(1.0, 2.0))) == hash(eda.Filters(popularity=(1.0, 2.0)))


def test_select_rows_copies_only_kept_rows_and_asked_columns():
    frame = songs(6)
    mask = eda.filter_mask(frame, eda.Filters(popularity=(1, 3)))
    kept = eda.select_rows(frame, mask, ["popularity", "energy", "popularity", "not a column"])
    assert kept.columns.tolist() == ["popularity", "energy"] and kept["popularity"].tolist() == [1, 2, 3]
    assert eda.select_rows(frame, None) is frame and len(eda.select_rows(frame, mask)) == 3


def test_filter_bounds_are_the_observed_ranges():
    bounds = eda.filter_bounds(songs(5))
    assert bounds["popularity"] == (0, 4) and set(bounds) == set(eda.analysis_columns(songs(5)))


# ---- binning, popularity, features -----------------------------------------------------------------------------------

def test_histogram_counts_every_value_in_range():
    values = np.array([0.0, 0.1, 0.1, 0.5, 0.99, np.nan])
    table = eda.histogram(values, np.linspace(0, 1, 11))
    assert table["count"].sum() == 5 and table.loc[1, "count"] == 2
    assert table["share"].sum() == pytest.approx(1.0)


def test_smoothed_density_integrates_to_one_and_keeps_its_mass_inside():
    edges = np.linspace(0, 10, 101)
    counts = np.zeros(100)
    counts[0] = 500                                                     # a spike at the edge (like popularity 0)
    density = eda.smooth_density(counts, edges, bandwidth=0.5)
    assert density.sum() * 0.1 == pytest.approx(1.0)
    assert density[0] == density.max()


def test_discrete_columns_get_one_bin_per_value():
    keys = np.array([0, 1, 1, 5, 11], dtype=float)
    assert eda.is_discrete(keys, "key")
    edges = eda.bin_edges(keys, "key")
    assert edges[0] == -0.5 and edges[-1] == 11.5 and len(edges) == 13
    assert not eda.is_discrete(np.linspace(0, 1, 50), "energy")
    durations = np.array([3_203.0, 200_000.0, 5_610_020.0])                # few values, huge span: bins
    assert not eda.is_discrete(durations, "duration_ms") and len(eda.bin_edges(durations, "duration_ms")) <= 61


def test_whole_numbers_get_bins_of_whole_widths():
    edges = eda.bin_edges(np.arange(101.0), "popularity", bins=40)
    assert edges[0] == -0.5 and set(np.diff(edges)) == {3.0} and edges[-1] >= 100.5


def test_display_range_drops_far_outliers_only():
    rng = np.random.default_rng(1)
    values = np.r_[rng.normal(-8, 3, 10_000), [-60.0]]                  # loudness with one silent track
    low, high = eda.display_range(values)
    assert low > -60 and high < values.max() + 1e-9
    bounded = rng.uniform(0, 1, 10_000)
    assert eda.display_range(bounded) == (bounded.min(), bounded.max())


def test_quantile_table_is_the_reports_with_99_percent_first():
    popularity = pd.Series(np.arange(101))
    table = eda.quantile_table(popularity)
    assert len(table) == 99 and table.loc[0, "quantile"] == pytest.approx(0.99)
    assert table.loc[table["is threshold"], "popularity"].item() == pytest.approx(99)
    assert table.set_index("quantile").loc[0.97, "report"] == 65
    shown = eda.quantile_display(table)
    assert shown.set_index("quantile").loc[0.5, "report"] == ""


def test_popularity_profile_and_notes_use_the_given_threshold():
    popularity = pd.Series(np.r_[np.zeros(50), np.arange(1, 51)])
    profile = eda.popularity_profile(popularity, threshold=40)
    assert profile.threshold == 40 and profile.popular_share == pytest.approx(11 / 100)
    assert profile.zero_share == pytest.approx(0.5) and profile.histogram["count"].sum() == 100
    assert profile.histogram["density"].sum() == pytest.approx(1.0)
    notes = " ".join(eda.popularity_notes(profile))
    assert "≥ 40" in notes and "50.0 % of songs have popularity 0" in notes


def test_binned_mean_popularity_has_a_95_percent_band():
    x = np.r_[np.zeros(100), np.ones(100)]
    y = np.r_[np.full(50, 10.0), np.full(50, 30.0), np.full(100, 50.0)]
    table = eda.binned_mean_popularity(x, y, np.array([-0.5, 0.5, 1.5]), min_rows=10)
    assert table["mean"].tolist() == [20.0, 50.0]
    sd = np.std(y[:100], ddof=1)
    assert table.loc[0, "ci_high"] - 20 == pytest.approx(1.959964 * sd / 10)
    assert table.loc[1, "ci_low"] == table.loc[1, "ci_high"] == 50.0
    few = eda.binned_mean_popularity(x, y, np.array([-0.5, 0.5, 1.5]), min_rows=101)
    assert few["mean"].isna().all() and few["n"].tolist() == [100, 100]


def test_linear_fit_and_rank_correlation():
    x = np.arange(10, dtype=float)
    fit = eda.linear_fit(x, 3 + 2 * x)
    assert fit.slope == pytest.approx(2) and fit.intercept == pytest.approx(3) and fit.r == pytest.approx(1)
    assert eda.linear_fit(np.ones(10), x) is None and eda.linear_fit(x[:2], x[:2]) is None
    assert eda.rank_correlation(x, np.exp(x)) == pytest.approx(1)


def test_band_densities_are_normalised_within_each_band():
    rng = np.random.default_rng(2)
    popularity = rng.integers(0, 100, 5_000).astype(float)
    loudness = -15 + 0.1 * popularity + rng.normal(0, 2, 5_000)
    edges = np.linspace(loudness.min(), loudness.max(), 81)
    table = eda.band_densities(loudness, popularity, edges)
    width = edges[1] - edges[0]
    for band in eda.band_labels():
        assert table[band].sum() * width == pytest.approx(1.0)
    peaks = [table.loc[table[band].idxmax(), "center"] for band in eda.band_labels()]
    assert peaks == sorted(peaks)                                    # louder songs sit in more popular bands
    assert sum(table.attrs["n"].values()) == 5_000


def test_relation_summary_is_written_from_the_numbers():
    rng = np.random.default_rng(3)
    popularity = rng.integers(0, 100, 2_000).astype(float)
    loudness = -20 + 0.1 * popularity + rng.normal(0, 5, 2_000)
    stats = eda.relation_stats(loudness, popularity, "loudness", threshold=90)
    text = eda.relation_summary(stats)
    assert eda.strength_word(stats.pearson) in text and "positive" in text
    assert f"r = {stats.pearson:+.2f}" in text and "Popular songs (popularity ≥ 90" in text
    negative = eda.relation_summary(eda.relation_stats(-loudness, popularity, "instrumentalness", 90))
    assert "negative" in negative
    mode = eda.relation_summary(eda.relation_stats((popularity > 50).astype(float), popularity, "mode", 90, True))
    assert "major key" in mode
    assert eda.relation_summary(None).startswith("Too few")


def test_feature_profile_bundles_every_view_and_quotes_the_report():
    rng = np.random.default_rng(4)
    n = 3_000
    popularity = rng.integers(0, 100, n)
    frame = songs(n, popularity=popularity, instrumentalness=np.where(rng.random(n) < 0.3, 0.0, rng.random(n)),
                  key=rng.integers(0, 12, n))
    profile = eda.feature_profile(frame, "instrumentalness")
    assert profile.histogram["count"].sum() + profile.n_outside == n
    assert profile.report_insights == eda.REPORT_INSIGHTS["instrumentalness"]
    assert profile.heatmap.to_numpy().sum() == n and profile.fit is not None
    key = eda.feature_profile(frame, "key")
    assert key.discrete and len(key.histogram) == 12 and key.report_insights == ()
    no_target = eda.feature_profile(frame.drop(columns=schema.TARGET), "energy")
    assert no_target.binned_mean is None and "no popularity" in no_target.summary


def test_colour_groups_from_extra_columns():
    frame = songs(10, explicit=[True, False] * 5, year=[1999, 2001, 2005, 2010, 2012] * 2,
                  genre=["pop", "rock", "pop", "jazz", "pop", "a", "b", "c", "d", "e"],
                  note=[f"x{i}" for i in range(10)])
    assert set(eda.colour_columns(frame)) >= {"explicit", "year", "genre"}
    assert eda.group_labels(frame["year"]).tolist()[:3] == ["1990s", "2000s", "2000s"]
    genres = eda.group_labels(frame["genre"], max_groups=3)
    assert set(genres) == {"pop", "other", genres[genres != "pop"].iloc[0]} and (genres == "pop").sum() == 3
    hist = eda.grouped_histogram(frame["energy"].to_numpy(), eda.group_labels(frame["explicit"]),
                                 np.linspace(0, 1, 5))
    assert set(hist["group"]) == {"True", "False"} and hist["count"].sum() == 10


# ---- correlations ----------------------------------------------------------------------------------------------------

def test_correlation_matrix_pearson_spearman_and_degenerate_cases():
    x = np.arange(1, 21, dtype=float)
    frame = songs(20, energy=x, loudness=x ** 3, popularity=x.astype(int))
    pearson = eda.correlation_matrix(frame)
    spearman = eda.correlation_matrix(frame, "spearman")
    assert pearson.loc["energy", "loudness"] < 0.95 and spearman.loc["energy", "loudness"] == pytest.approx(1)
    assert pearson.loc["energy", "popularity"] == pytest.approx(1)
    flat = songs(20, tempo=np.full(20, 120.0))
    assert np.isnan(eda.correlation_matrix(flat).loc["tempo", "energy"])
    gaps = songs(20, energy=np.r_[np.nan, x[1:]], popularity=x.astype(int))
    assert eda.correlation_matrix(gaps).loc["energy", "popularity"] == pytest.approx(1)
    assert eda.correlation_matrix(songs(2)).isna().all().all()
    with pytest.raises(ValueError):
        eda.correlation_matrix(frame, "kendall")
    ordered = eda.target_correlations(pearson)
    assert schema.TARGET not in ordered.index and ordered.is_monotonic_increasing


# ---- the report's headline numbers on the full twin ------------------------------------------------------------------

@pytest.mark.slow
def test_full_twin_reproduces_the_reports_headline_numbers(twin_full):
    corr = eda.correlation_matrix(twin_full)
    assert corr.loc["loudness", "popularity"] == pytest.approx(0.244, abs=0.03)
    assert eda.target_correlations(corr).index[-1] == "loudness"          # the highest, as the report says
    assert eda.popular_threshold(twin_full[schema.TARGET]) == 73
    quantiles = eda.quantile_table(twin_full[schema.TARGET]).set_index("quantile")
    assert quantiles.loc[0.99, "popularity"] == 73 and quantiles.loc[0.95, "popularity"] == 60
    kinds = {(a.kind, a.columns) for a in eda.quality_alerts(twin_full, corr)}
    assert ("zero_inflated", ("instrumentalness",)) in kinds and ("zero_inflated", ("popularity",)) in kinds
    assert ("near_constant", ("time_signature",)) in kinds and ("imbalance", ("popularity",)) in kinds
    assert ("high_correlation", ("energy", "loudness")) in kinds
    assert ("high_correlation", ("acousticness", "energy")) in kinds
    assert eda.duplicate_track_ids(twin_full) == rf.N_ROWS - rf.NUNIQUE[schema.TRACK_ID]
