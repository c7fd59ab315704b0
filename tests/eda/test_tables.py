"""core.eda.tables: the report's tables (info, describe, null and distinct counts) and the searchable head."""
from __future__ import annotations

import numpy as np
import pytest

from core import report_figures as rf
from core.eda.tables import (column_counts, describe_difference, describe_table, head_table, info_summary, info_table,
                             null_counts_table, nunique_table, search_mask)
from tests.eda.frames import songs


def test_info_table_counts_non_null_values_and_names_dtypes():
    frame = songs(5, track_name=["a", None, "c", None, "e"])
    info = info_table(frame).set_index("column")
    assert info.loc["track_name", "non-null count"] == 3
    assert info.loc["popularity", "non-null count"] == 5
    assert info.loc["loudness", "dtype"] == "float64" and info.loc["key", "dtype"] == "int64"
    assert "5 entries × 17 columns" in info_summary(frame)


def test_describe_is_pandas_describe_of_numeric_columns_without_booleans():
    frame = songs(6, explicit=[True, False] * 3)
    table = describe_table(frame)
    assert "explicit" not in table.columns and "artist_name" not in table.columns
    assert table.loc["mean", "popularity"] == pytest.approx(2.5)
    assert table.loc["50%", "popularity"] == pytest.approx(2.5)
    assert list(table.index) == ["count", "mean", "std", "min", "25%", "50%", "75%", "max"]


def test_describe_difference_is_ours_minus_the_report():
    ours = rf.DESCRIBE.copy()
    ours.loc["mean", "popularity"] += 1.5
    diff = describe_difference(ours)
    assert diff.loc["mean", "popularity"] == pytest.approx(1.5)
    assert diff.drop(index="mean").abs().to_numpy().max() == 0
    assert describe_difference(ours[["popularity"]]).columns.tolist() == ["popularity"]


def test_null_and_nunique_tables_carry_the_reports_counts():
    frame = songs(4, track_name=["a", None, "a", "b"])
    nulls = null_counts_table(frame, rf.NULL_COUNTS).set_index("column")
    assert nulls.loc["track_name", "nulls"] == 1 and nulls.loc["track_name", "share %"] == 25
    assert nulls.loc["track_name", "report"] == 1 and nulls.loc["energy", "report"] == 0
    nunique = nunique_table(frame, rf.NUNIQUE).set_index("column")
    assert nunique.loc["track_name", "distinct values"] == 2
    assert nunique.loc["key", "report"] == 12


def test_search_matches_artist_or_title_case_insensitively_and_literally():
    frame = songs(4, artist_name=["Drake", "The Weeknd", "drake & co", "A.B"],
                  track_name=["Hotline", "Blinding (Lights)", "x", "y"])
    assert search_mask(frame, "DRAKE").tolist() == [True, False, True, False]
    assert search_mask(frame, "(lights").tolist() == [False, True, False, False]   # not a regex
    assert search_mask(frame, "a.b").tolist() == [False, False, False, True]
    assert search_mask(frame, "  ").all()


def test_head_table_sorts_all_matches_before_cutting():
    frame = songs(50)
    head, n = head_table(frame, "", "popularity", descending=True, limit=5)
    assert n == 50 and head["popularity"].tolist() == [49, 48, 47, 46, 45]
    head, n = head_table(frame, "artist 1", "popularity", descending=False, limit=3)
    assert n == 17 and head["popularity"].tolist() == [1, 4, 7]
    head, n = head_table(frame, "nobody")
    assert n == 0 and head.empty


def test_column_counts_match_pandas_isna_and_nunique():
    frame = songs(6, track_name=["x", None, "x", "y", None, "z"], explicit=[True, False, True, True, False, True])
    frame.loc[2, "tempo"] = np.nan
    counts = column_counts(frame)
    assert counts["nulls"].tolist() == frame.isna().sum().tolist()
    assert counts["distinct"].tolist() == frame.nunique().tolist()
