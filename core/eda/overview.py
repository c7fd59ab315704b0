"""Everything the Overview page shows about one dataset in one call, and the load report as sentences."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from core import report_figures as rf
from core.eda.alerts import Alert, quality_alerts
from core.eda.binning import bin_edges, histogram
from core.eda.columns import analysis_columns, numeric_values
from core.eda.tables import (column_counts, describe_difference, describe_table, info_summary, info_table,
                             null_counts_table, nunique_table)


@dataclass
class OverviewTables:
    """Everything the Overview page shows about one dataset (small tables only)."""

    info: pd.DataFrame
    info_summary: str
    describe: pd.DataFrame
    describe_difference: pd.DataFrame
    nulls: pd.DataFrame
    nunique: pd.DataFrame
    alerts: list[Alert]
    duplicate_track_ids: int
    duplicate_rows: int
    glance: pd.DataFrame = field(default_factory=pd.DataFrame)


GLANCE_BINS = 40
GLANCE_COLUMNS = ("column", "distribution", "min", "median", "mean", "max", "zeros %")


def glance_table(frame: pd.DataFrame, bins: int = GLANCE_BINS) -> pd.DataFrame:
    """Every canonical numeric column in one row: its histogram (bin counts, one bar per value for codes) and the
    figures that read it. ydata-profiling's variables overview, compact: zero spikes, long tails and near-constant
    columns are visible at once."""
    rows = []
    for column in analysis_columns(frame):
        values = numeric_values(frame[column])
        finite = values[np.isfinite(values)]
        if not len(finite):
            continue
        counts = histogram(finite, bin_edges(finite, column, bins))["count"]
        rows.append({"column": column, "distribution": counts.tolist(), "min": finite.min(),
                     "median": float(np.median(finite)), "mean": finite.mean(), "max": finite.max(),
                     "zeros %": 100 * float(np.mean(finite == 0))})
    return pd.DataFrame(rows, columns=list(GLANCE_COLUMNS))


def overview_tables(frame: pd.DataFrame, generated: tuple[str, ...] = ()) -> OverviewTables:
    """Everything the Overview shows; `generated` names columns the loader made up (LoadReport.filled_columns)."""
    describe = describe_table(frame)
    counts_by_column = column_counts(frame)
    nulls = counts_by_column["nulls"]
    alerts = quality_alerts(frame, nulls=nulls, generated=generated)
    counts = {a.kind: int(a.value) for a in alerts if a.kind in ("duplicate_ids", "duplicate_rows")}
    return OverviewTables(
        info=info_table(frame, nulls), info_summary=info_summary(frame), describe=describe,
        describe_difference=describe_difference(describe), nulls=null_counts_table(frame, rf.NULL_COUNTS, nulls),
        nunique=nunique_table(frame, rf.NUNIQUE, counts_by_column["distinct"]), alerts=alerts,
        duplicate_track_ids=counts.get("duplicate_ids", 0), duplicate_rows=counts.get("duplicate_rows", 0),
        glance=glance_table(frame))


def load_report_lines(report) -> list[tuple[str, str]]:
    """The load report (a core.sources.LoadReport) as (label, sentence) pairs for the source card."""
    generated = report.source == "twin"
    renamed = {src: dst for src, dst in report.column_mapping.items() if src != dst}
    problems = report.row_problems
    n_problem_rows = int(problems["row"].nunique()) if len(problems) else 0
    lines = [
        ("Encoding", "generated in memory (no file)" if generated else (report.encoding or "unknown")),
        ("Delimiter", "—" if generated else {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}.get(
            report.delimiter or "", repr(report.delimiter) if report.delimiter else "unknown")),
        ("Columns renamed", ", ".join(f"`{src}` → `{dst}`" for src, dst in renamed.items()) or "none"),
        ("Conversions", "; ".join(report.conversions) or "none"),
        ("Audio features missing", ", ".join(f"`{c}`" for c in report.missing_features) or "none"),
        ("Extra columns kept", ", ".join(f"`{c}`" for c in report.extra_columns) or "none"),
        ("Rows with problems", f"{n_problem_rows:,}" + (f" ({len(problems):,} unusable cells, left empty)"
                                                          if n_problem_rows else "")),
    ]
    if getattr(report, "dropped_rows", 0):
        lines.append(("Rows dropped", f"{report.dropped_rows:,} rows with problems were removed"))
    return lines
