"""core.comparison.view_state: a shared URL keeps only valid values."""
from __future__ import annotations

import pytest

from core.comparison.view_state import ViewState, parse_view_state


@pytest.mark.parametrize("params, expected", [
    ({"tab": "classification", "model": "XGB", "threshold": "0.25"}, ViewState("classification", "XGB", 0.25)),
    ({"tab": "nope", "model": "<script>", "threshold": "1.5"}, ViewState()),
    ({"threshold": "nan"}, ViewState()),
    ({"threshold": "abc"}, ViewState()),
    ({"threshold": ["0.1234"]}, ViewState(threshold=0.125)),
    ({}, ViewState()),
])
def test_parse_view_state_keeps_only_valid_values(params, expected):
    assert parse_view_state(params, tabs=["regression", "classification"], models=["XGB"]) == expected
