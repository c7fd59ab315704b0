"""core.eda.groups: extra columns as colour groups."""
from __future__ import annotations

import numpy as np

from core.eda.groups import colour_columns, group_labels, grouped_histogram
from tests.eda.frames import songs


def test_colour_groups_from_extra_columns():
    frame = songs(10, explicit=[True, False] * 5, year=[1999, 2001, 2005, 2010, 2012] * 2,
                  genre=["pop", "rock", "pop", "jazz", "pop", "a", "b", "c", "d", "e"],
                  note=[f"x{i}" for i in range(10)])
    assert set(colour_columns(frame)) >= {"explicit", "year", "genre"}
    assert group_labels(frame["year"]).tolist()[:3] == ["1990s", "2000s", "2000s"]
    genres = group_labels(frame["genre"], max_groups=3)
    assert set(genres) == {"pop", "other", genres[genres != "pop"].iloc[0]} and (genres == "pop").sum() == 3
    hist = grouped_histogram(frame["energy"].to_numpy(), group_labels(frame["explicit"]),
                                 np.linspace(0, 1, 5))
    assert set(hist["group"]) == {"True", "False"} and hist["count"].sum() == 10
