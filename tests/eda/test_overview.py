"""core.eda.overview: the Overview's tables in one call carry the same numbers as the functions under them."""
from __future__ import annotations

import pytest

from core.eda.columns import analysis_columns
from core.eda.overview import overview_tables
from tests.eda.frames import songs


def test_overview_tables_bundle_the_same_numbers():
    frame = songs(12, track_name=[None] + [f"s{i}" for i in range(11)])
    frame.loc[12] = frame.loc[3]
    tables = overview_tables(frame)
    assert tables.duplicate_rows == 1 and tables.duplicate_track_ids == 1
    assert tables.info.set_index("column").loc["track_name", "non-null count"] == 12  # 13 rows, 1 missing
    assert tables.nulls.set_index("column").loc["track_name", "nulls"] == 1


def test_glance_table_has_each_numeric_columns_histogram_and_figures():
    frame = songs(12)
    frame.loc[:3, "instrumentalness"] = 0.0
    glance = overview_tables(frame).glance.set_index("column")
    assert list(glance.index) == analysis_columns(frame)
    key = glance.loc["key"]
    assert sum(key["distribution"]) == 12 and len(key["distribution"]) == frame["key"].max() - frame["key"].min() + 1
    row = glance.loc["instrumentalness"]
    assert row["zeros %"] == pytest.approx(100 * 4 / 12)
    values = frame["instrumentalness"]
    assert (row["min"], row["median"], row["mean"], row["max"]) == pytest.approx(
        (values.min(), values.median(), values.mean(), values.max()))
