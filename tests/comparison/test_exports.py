"""core.comparison.exports: tables round-trip through CSV and JSON; the report's published tables."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from core.comparison.exports import export_name, manifest_to_json, published_tables, table_to_csv, table_to_json
from core.comparison.tables import honest_view


def test_exports_round_trip(cls_table):
    view = honest_view(cls_table)
    csv = table_to_csv(view).decode()
    assert csv.splitlines()[0].startswith("model,suite,ROC-AUC")
    records = json.loads(table_to_json(view))
    assert records["EXTRA TREES CLASSIFIER"]["PR-AUC"] == 0.2
    assert records["Majority baseline"]["F1-best threshold"] is None  # NaN -> null
    assert json.loads(manifest_to_json({"a": 1, "when": pd.Timestamp("2024-01-01")}))["a"] == 1
    assert export_name("honest table", "abc", "k1", "csv") == "honest_table_abc_k1.csv"


def test_published_tables_carry_the_report_numbers_and_its_ann_lines():
    tables = published_tables()
    assert tables["regression figures"].loc["XGBoost", "R2 Score"] == pytest.approx(0.144489)
    assert tables["classification figures"].loc["ANN", "accuracy_score"] == pytest.approx(0.9667)
    assert tables["class-weighted figures"].loc["ANN (class-weighted)", "f1_score"] == pytest.approx(0.9745)
    assert len(tables["classification figures"]) == 9
