"""core.eda.popularity: the quantile table and the popularity profile and its notes."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.eda.popularity import popularity_notes, popularity_profile, quantile_display, quantile_table


def test_quantile_table_is_the_reports_with_99_percent_first():
    popularity = pd.Series(np.arange(101))
    table = quantile_table(popularity)
    assert len(table) == 99 and table.loc[0, "quantile"] == pytest.approx(0.99)
    assert table.loc[table["is threshold"], "popularity"].item() == pytest.approx(99)
    assert table.set_index("quantile").loc[0.97, "report"] == 65
    shown = quantile_display(table)
    assert shown.set_index("quantile").loc[0.5, "report"] == ""


def test_popularity_profile_and_notes_use_the_given_threshold():
    popularity = pd.Series(np.r_[np.zeros(50), np.arange(1, 51)])
    profile = popularity_profile(popularity, threshold=40)
    assert profile.threshold == 40 and profile.popular_share == pytest.approx(11 / 100)
    assert profile.zero_share == pytest.approx(0.5) and profile.histogram["count"].sum() == 100
    assert profile.histogram["density"].sum() == pytest.approx(1.0)
    notes = " ".join(popularity_notes(profile))
    assert "≥ 40" in notes and "50.0 % of songs have popularity 0" in notes
