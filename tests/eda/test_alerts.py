"""core.eda.alerts: duplicates, missing values, zero spikes, long tails, near-constant columns, correlated pairs
and imbalance, each on a frame whose answer is known by hand."""
from __future__ import annotations

import numpy as np
import pytest

from core import schema
from core.eda.alerts import (IMBALANCE_MINORITY_SHARE, SKEW_THRESHOLD, alerts_table, duplicate_alerts, duplicate_rows,
                             duplicate_track_ids, group_alerts, imbalance_alert, missing_alerts, near_constant_alerts,
                             quality_alerts, skew_alerts, skewness, zero_inflation_alerts, zero_shares)
from core.eda.overview import overview_tables
from core.eda.popularity import popular_share, popular_threshold
from tests.eda.frames import songs


def test_duplicates_count_repeats_of_an_earlier_id_and_exact_copies():
    frame = songs(6)
    frame.loc[5] = frame.loc[0]                                    # an exact copy of row 0
    frame.loc[4, schema.TRACK_ID] = "id1"                          # a re-used id, other values differ
    assert duplicate_track_ids(frame) == 2
    assert duplicate_rows(frame) == 1
    kinds = {a.kind: a for a in duplicate_alerts(frame)}
    assert kinds["duplicate_ids"].value == 2 and kinds["duplicate_rows"].value == 1
    assert all(a.severity == "warning" and a.meaning.endswith(".") for a in kinds.values())
    assert duplicate_alerts(songs(6)) == []


def test_copies_are_found_when_the_loader_made_up_the_track_ids():
    frame = songs(5)
    frame.loc[5] = frame.loc[1]
    frame[schema.TRACK_ID] = [f"row-{i + 1}" for i in range(6)]           # every row got its own id
    assert duplicate_alerts(frame) == []
    alerts = duplicate_alerts(frame, generated=(schema.TRACK_ID,))
    assert [(a.kind, a.value) for a in alerts] == [("duplicate_rows", 1)] and "made-up `track_id`" in alerts[0].title
    assert overview_tables(frame, (schema.TRACK_ID,)).duplicate_rows == 1


def test_missing_track_ids_are_not_duplicates_of_each_other():
    frame = songs(4, track_id=["a", None, None, "a"])
    assert duplicate_track_ids(frame) == 1


def test_duplicate_rows_without_a_track_id_column_compares_whole_rows():
    frame = songs(4).drop(columns=schema.TRACK_ID)
    frame.loc[4] = frame.loc[2]
    assert duplicate_rows(frame) == 1


def test_missing_values_in_an_id_are_harmless_in_a_feature_they_are_not():
    frame = songs(10, track_name=[None] + [f"s{i}" for i in range(9)])
    frame.loc[[2, 3], "tempo"] = np.nan
    alerts = {a.columns[0]: a for a in missing_alerts(frame)}
    assert set(alerts) == {"track_name", "tempo"}
    assert alerts["track_name"].severity == "info" and "1 row " in alerts["track_name"].title
    assert alerts["tempo"].severity == "warning" and alerts["tempo"].value == 2


def test_zero_inflation_uses_the_threshold_and_skips_codes():
    n = 20
    instrumental = np.r_[np.zeros(3), np.linspace(0.1, 1, n - 3)]    # 15 % zeros
    frame = songs(n, instrumentalness=instrumental, key=np.zeros(n, dtype=int))
    shares = zero_shares(frame)
    assert shares["instrumentalness"] == pytest.approx(0.15)
    assert "key" not in shares.index                                  # key 0 is the note C, not "nothing"
    flagged = {a.columns[0] for a in zero_inflation_alerts(frame)}
    assert "instrumentalness" in flagged and "key" not in flagged
    assert "instrumentalness" not in {a.columns[0] for a in zero_inflation_alerts(frame, threshold=0.2)}


def test_skew_alert_fires_on_a_long_tail_only():
    n = 200
    tail = np.r_[np.full(n - 5, 0.05), np.full(5, 0.95)]            # a few large values: strong right skew
    frame = songs(n, speechiness=tail)
    skews = skewness(frame)
    assert skews["speechiness"] > SKEW_THRESHOLD
    alerts = {a.columns[0]: a for a in skew_alerts(frame)}
    assert "speechiness" in alerts and "right" in alerts["speechiness"].title
    assert "danceability" not in alerts                              # uniform: no tail


def test_near_constant_alert_reports_the_value_and_its_share():
    frame = songs(10, time_signature=[4] * 9 + [3])
    alerts = [a for a in near_constant_alerts(frame) if a.columns == ("time_signature",)]
    assert len(alerts) == 1 and alerts[0].value == pytest.approx(0.9) and "4/4" in alerts[0].title
    assert not [a for a in near_constant_alerts(songs(10)) if a.columns == ("time_signature",)]


def test_imbalance_alert_counts_songs_at_or_above_the_99th_percentile():
    popularity = np.r_[np.arange(990) % 60, np.full(10, 90)]       # 10 hits of 1,000 above a spread of 0..59
    frame = songs(1000, popularity=popularity)
    threshold = popular_threshold(frame[schema.TARGET])
    assert threshold == pytest.approx(np.quantile(popularity, 0.99))
    alerts = imbalance_alert(frame)
    assert len(alerts) == 1 and alerts[0].value == pytest.approx(popular_share(frame[schema.TARGET], threshold))
    assert alerts[0].value < IMBALANCE_MINORITY_SHARE and "accuracy" in alerts[0].meaning
    assert imbalance_alert(frame.drop(columns=schema.TARGET)) == []


def test_quality_alerts_put_warnings_first_and_table_has_one_row_each():
    frame = songs(30, instrumentalness=np.r_[np.zeros(10), np.linspace(0.1, 1, 20)])
    frame.loc[30] = frame.loc[0]
    alerts = quality_alerts(frame)
    severities = [a.severity for a in alerts]
    assert severities == sorted(severities, key=lambda s: s != "warning")
    table = alerts_table(alerts)
    assert len(table) == len(alerts) and {"finding", "meaning for modelling"} <= set(table.columns)
    grouped = group_alerts(alerts)
    assert sum(len(g) for g in grouped) == len(alerts)
    assert all(len({(a.kind, a.meaning) for a in g}) == 1 for g in grouped)
