"""Downloads: every table the Models page shows as CSV or JSON, the manifest, and file names that say what they hold."""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pandas as pd

from core import safe_csv
from core.comparison.leaderboards import INTERVAL_METRICS, classification_leaderboard, regression_leaderboard
from core.comparison.tables import classification_report_view


def export_tables(tables: Any, intervals: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """Every table the page shows for one suite, by title (empty ones left out); with `intervals`, the leaderboards
    carry their 95 % intervals and the interval table itself is exported too."""
    intervals = intervals if intervals is not None else pd.DataFrame()
    candidates = {
        "regression metrics": regression_leaderboard(tables, intervals)[0],
        "classification metrics (report)": classification_report_view(tables.classification_table),
        "classification metrics (honest)": classification_leaderboard(tables, intervals)[0],
        "metric intervals (95 %, paired bootstrap)": export_intervals(intervals),
        "test-set predictions": tables.test_predictions,
        **{f"report {name}": table for name, table in published_tables().items()},
    }
    return {title: table for title, table in candidates.items() if not table.empty}


def published_tables() -> dict[str, pd.DataFrame]:
    """The report's own result tables, its one-line ANN results added as rows of the matching table."""
    from core import report_figures as rf

    def with_ann(table: pd.DataFrame, ann: Mapping[str, float], name: str) -> pd.DataFrame:
        return pd.concat([table, pd.DataFrame([ann], index=[name])[table.columns]])

    return {
        "regression figures": rf.REGRESSION_RESULTS,
        "classification figures": with_ann(rf.CLASSIFICATION_RESULTS, rf.ANN_CLASSIFICATION, "ANN"),
        "class-weighted figures": with_ann(rf.CLASSIFICATION_WEIGHTED_RESULTS, rf.ANN_CLASSIFICATION_WEIGHTED,
                                           "ANN (class-weighted)"),
    }


def table_to_csv(table: pd.DataFrame) -> bytes:
    return safe_csv.to_csv_bytes(table, index=True)


def table_to_json(table: pd.DataFrame) -> bytes:
    """Records keyed by the index (model names); NaN becomes null."""
    frame = table.copy()
    frame.index = frame.index.astype(str)
    return frame.to_json(orient="index", indent=2, force_ascii=False).encode("utf-8")


def manifest_to_json(manifest: Mapping[str, Any]) -> bytes:
    return json.dumps(manifest, indent=2, default=str, ensure_ascii=False).encode("utf-8")


def export_name(kind: str, fingerprint: str, config_key: str, extension: str) -> str:
    """File names that say what they hold and which data/settings produced them."""
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in kind).strip("_")
    return f"{safe}_{fingerprint}_{config_key}.{extension}"


def export_intervals(intervals: pd.DataFrame | None) -> pd.DataFrame:
    """The interval table as exported: one row per model × metric, the metric by its page label."""
    if intervals is None or intervals.empty:
        return pd.DataFrame()
    labels = {**INTERVAL_METRICS["regression"], **INTERVAL_METRICS["classification"]}
    out = intervals.assign(metric=intervals["metric"].map(labels).fillna(intervals["metric"]))
    # one row per model × metric: the JSON export keys records by the index, so it names both
    out.index = pd.Index(out["model"].astype(str) + " — " + out["metric"].astype(str), name="model — metric")
    return out
