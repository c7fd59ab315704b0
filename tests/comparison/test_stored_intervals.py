"""Intervals are computed once at training and stored with the suite; a suite stored without them still loads, and
the leaderboards and exports carry them."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from core.comparison import calibration, uncertainty
from core.comparison.exports import export_tables, table_to_csv, table_to_json
from core.comparison.leaderboards import classification_leaderboard, regression_leaderboard
from core.comparison.uncertainty import thresholded_name
from core.models.store import ArtifactStore


@pytest.fixture(scope="module")
def suite(small_suite):
    return small_suite


def test_training_computes_the_intervals_and_the_store_keeps_them(suite, tmp_path):
    intervals = suite.intervals
    assert set(intervals["task"]) == {"regression", "classification"}
    expected = uncertainty.suite_intervals(suite.test_predictions, suite.manifest, suite.regression_table,
                                           suite.classification_table)
    pd.testing.assert_frame_equal(intervals, expected)
    store = ArtifactStore(tmp_path)
    path = store.save(suite)
    pd.testing.assert_frame_equal(store.load_tables(path).intervals, intervals)
    pd.testing.assert_frame_equal(store.load(path).intervals, intervals)


def test_a_suite_stored_without_intervals_loads_and_they_can_be_computed_then(suite, tmp_path):
    store = ArtifactStore(tmp_path)
    path = store.save(suite)
    (path / "tables" / "intervals.parquet").unlink()
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    del manifest["files"]["tables/intervals.parquet"]
    (path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    tables = store.load_tables(path)
    assert tables.intervals.empty and len(tables.regression_table)
    assert store.load(path).intervals.empty
    computed = uncertainty.suite_intervals(tables.test_predictions, tables.manifest, tables.regression_table,
                                           tables.classification_table)
    pd.testing.assert_frame_equal(computed, suite.intervals)


def test_the_leaderboards_carry_intervals_markers_and_the_thresholded_regressors(suite):
    board, tied = regression_leaderboard(suite, suite.intervals)
    assert list(board.columns).index("R² 95 %") == list(board.columns).index("R²") + 1
    r2 = suite.intervals.query("metric == 'R2 Score'").set_index("model")
    best = r2["best"].iloc[0]
    assert board.loc[best, "R² 95 %"].endswith("★")
    for name in board.index:
        marked = board.loc[name, "R² 95 %"].endswith("≈")
        assert marked == (bool(r2.loc[name, "tied"]) and name != best) == bool(tied.loc[name, "R²"])
    low, high = board.loc[best, "R² 95 %"].rstrip(" ★").strip("[]").split(", ")
    assert float(low) == pytest.approx(r2.loc[best, "low"], abs=5e-4)
    assert float(high) == pytest.approx(r2.loc[best, "high"], abs=5e-4)

    classification, _ = classification_leaderboard(suite, suite.intervals,
                                                       calibration.suite_calibration(suite.test_predictions,
                                                                                     suite.manifest))
    cut = suite.popular_threshold
    thresholded = thresholded_name("XGBoost", cut)
    assert classification.loc[thresholded, "suite"] == "regressor at the cut"
    assert "Dummy (mean)" + f" (popularity ≥ {cut:g})" not in classification.index
    assert {"PR-AUC 95 %", "Brier", "MCC 95 %"} <= set(classification.columns)
    assert pd.isna(classification.loc[thresholded, "Brier"])
    assert classification["PR-AUC 95 %"].str.endswith("★").sum() == 1


def test_exports_include_the_intervals(suite):
    exports = export_tables(suite, suite.intervals)
    table = exports["metric intervals (95 %, paired bootstrap)"]
    assert {"R²", "RMSE", "MAE", "PR-AUC", "ROC-AUC"} <= set(table["metric"])
    assert {"estimate", "low", "high", "diff_low", "diff_high", "tied", "best"} <= set(table.columns)
    assert "R² 95 %" in exports["regression metrics"].columns
    assert b"low" in table_to_csv(table) and b'"tied"' in table_to_json(table)
