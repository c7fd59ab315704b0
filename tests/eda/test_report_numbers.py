"""The report's headline numbers (correlations, the popular cut, the alerts) reproduced on the full twin (slow)."""
from __future__ import annotations

import pytest

from core import report_figures as rf
from core import schema
from core.eda.alerts import duplicate_track_ids, quality_alerts
from core.eda.correlations import correlation_matrix, target_correlations
from core.eda.popularity import popular_threshold, quantile_table


@pytest.mark.slow
def test_full_twin_reproduces_the_reports_headline_numbers(twin_full):
    corr = correlation_matrix(twin_full)
    assert corr.loc["loudness", "popularity"] == pytest.approx(0.244, abs=0.03)
    assert target_correlations(corr).index[-1] == "loudness"          # the highest, as the report says
    assert popular_threshold(twin_full[schema.TARGET]) == 73
    quantiles = quantile_table(twin_full[schema.TARGET]).set_index("quantile")
    assert quantiles.loc[0.99, "popularity"] == 73 and quantiles.loc[0.95, "popularity"] == 60
    kinds = {(a.kind, a.columns) for a in quality_alerts(twin_full, corr)}
    assert ("zero_inflated", ("instrumentalness",)) in kinds and ("zero_inflated", ("popularity",)) in kinds
    assert ("near_constant", ("time_signature",)) in kinds and ("imbalance", ("popularity",)) in kinds
    assert ("high_correlation", ("energy", "loudness")) in kinds
    assert ("high_correlation", ("acousticness", "energy")) in kinds
    assert duplicate_track_ids(twin_full) == rf.N_ROWS - rf.NUNIQUE[schema.TRACK_ID]
