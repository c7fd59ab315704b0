"""Overview: which data is in use and how it was loaded, data-quality alerts, and the report's tables (head, info(),
describe(), null counts, nunique()) computed on this data, beside the report's published ones."""
from __future__ import annotations

import streamlit as st

from core import cache, safe_csv
from core import report_figures as rf
from core.eda.alerts import (IMBALANCE_MINORITY_SHARE, NEAR_CONSTANT_SHARE, SKEW_THRESHOLD, ZERO_INFLATED_SHARE,
                             alert_lines, alerts_table)
from core.eda.correlations import HIGH_CORRELATION
from core.eda.overview import GLANCE_BINS, load_report_lines
from core.eda.tables import HEAD_ROWS
from core.twin import TWIN_LABEL
from core.ui import data_picker


ORIGINAL_ORDER = "(file order)"

st.title("Overview")
dataset = data_picker.active_dataset()
frame, report, fingerprint = dataset.frame, dataset.report, dataset.fingerprint
tables = cache.eda_overview(fingerprint, tuple(getattr(report, "filled_columns", ())), frame)


def download(table, name: str, key: str, index: bool = False) -> None:
    st.download_button(f"Download {name} (CSV)", safe_csv.to_csv_bytes(table, index=index), file_name=f"{name}.csv",
                       mime="text/csv", key=f"ov_download_{key}", icon=":material/download:")


# ---- source card -----------------------------------------------------------------------------------------------------

with st.container(border=True):
    if dataset.is_twin:
        source = TWIN_LABEL
    elif report.source == "upload":
        source = f"uploaded file `{report.name}`"
    else:
        source = f"file `{report.name}`"
    name, rows, columns, hash_ = st.columns([3, 1.2, 0.8, 1.4])
    name.markdown(f"**Data in use**  \n{source[0].upper() + source[1:]}")
    rows.metric("Rows", f"{len(frame):,}")
    columns.metric("Columns", f"{frame.shape[1]}")
    hash_.caption("Fingerprint", help="A hash of every value: the same songs always give the same fingerprint, and "
                  "trained models are stored under it.")
    hash_.code(fingerprint, language=None)
    if dataset.is_twin:
        st.caption("Generated in memory and calibrated to every figure the report publishes (describe(), the "
                   "correlation matrix, popularity quantiles, null and unique counts). It is not the real Kaggle file; "
                   "load that file from the sidebar to analyse the real songs.")
    with st.expander("Load report", expanded=bool(report.warnings) and not dataset.is_twin):
        st.markdown("\n".join(f"- **{label}:** {text}" for label, text in load_report_lines(report)))
        if len(report.row_problems):
            st.dataframe(report.row_problems.head(HEAD_ROWS), hide_index=True, width="stretch", height=200)
        for warning in report.warnings:
            st.warning(warning, icon=":material/warning:")

# ---- data-quality alerts ---------------------------------------------------------------------------------------------

st.subheader("Data-quality alerts")
warnings = [a for a in tables.alerts if a.severity == "warning"]
notes = [a for a in tables.alerts if a.severity != "warning"]
st.caption(f"{len(warnings)} to act on, {len(notes)} worth knowing. Thresholds: zero-inflated ≥ "
           f"{ZERO_INFLATED_SHARE:.0%} zeros · skewed |skewness| ≥ {SKEW_THRESHOLD:g} · near-constant ≥ "
           f"{NEAR_CONSTANT_SHARE:.0%} one value · highly correlated |r| ≥ {HIGH_CORRELATION:g} · "
           f"imbalanced: popular class < {IMBALANCE_MINORITY_SHARE:.0%}.")
if not tables.alerts:
    st.success("No alerts: no duplicates, no missing values, no skewed, constant or redundant columns.")
for alert in warnings:
    st.warning(f"**{alert.title}.** {alert.meaning}", icon=":material/warning:")
if notes:
    with st.container(border=True):
        st.markdown("\n".join(f"- {line}" for line in alert_lines(notes)))
download(alerts_table(tables.alerts), "data-quality alerts", "alerts")

st.subheader("Every column at a glance")
# A sparkline table rather than 14 Plotly panels: the first page a person sees is drawn ~2 s sooner on a cold start
# (no Plotly bundle to fetch); the Distributions page has each histogram full size, with hover.
GLANCE_ROW_PX = 44
st.dataframe(tables.glance, hide_index=True, width="stretch", row_height=GLANCE_ROW_PX,
             height=GLANCE_ROW_PX * len(tables.glance) + 38,  # header + every column in view: no inner scrolling
             column_config={
                 "distribution": st.column_config.BarChartColumn(
                     "distribution", help=f"Songs per bin: {GLANCE_BINS} equal-width bins (one per value for key, mode "
                     "and time signature); a column stretched by a few outliers is shown over its 0.1–99.9th "
                     "percentiles", y_min=0, width="large"),
                 **{stat: st.column_config.NumberColumn(format="%.4g") for stat in ("min", "median", "mean", "max")},
                 "zeros %": st.column_config.NumberColumn(format="%.2f %%", help="Share of songs at exactly 0"),
             })

# ---- the report's tables ---------------------------------------------------------------------------------------------

st.subheader("The report's tables, on this data")
# Only the open table is drawn (a rerun redraws every table on the page, and the head alone is 1,000 rows).
head_tab, info_tab, describe_tab, nulls_tab, nunique_tab = st.tabs(
    ["Head", "info()", "describe()", "Null counts", "nunique()"], key="ov_table", on_change="rerun")

if head_tab.open:
    with head_tab:
        search, sort, order = st.columns([2, 1, 1], vertical_alignment="bottom")
        query = search.text_input("Search artist or title", key="ov_search", placeholder="e.g. Drake, Love")
        sort_by = sort.selectbox("Sort all matching songs by", [ORIGINAL_ORDER, *map(str, frame.columns)],
                                 key="ov_sort")
        descending = order.toggle("Descending", value=True, key="ov_descending")
        head, n_matching = cache.eda_head(fingerprint, query.strip(), None if sort_by == ORIGINAL_ORDER else sort_by,
                                          descending, frame)
        if n_matching == 0:
            st.info(f"No song's artist or title contains “{query.strip()}”.")
        else:
            st.dataframe(head, width="stretch", height=400)
            shown = "all" if len(head) == n_matching else f"the first {len(head):,} of"
            st.caption(f"Showing {shown} {n_matching:,} matching songs; click a column header to sort the rows "
                       "shown.")
            download(head, "head", "head", index=True)

if info_tab.open:
    with info_tab:
        st.caption(tables.info_summary)
        st.dataframe(tables.info, hide_index=True, width="stretch")
        download(tables.info, "info", "info")

if describe_tab.open:
    with describe_tab:
        st.dataframe(tables.describe, width="stretch")
        download(tables.describe, "describe", "describe", index=True)
        compare = st.toggle("Beside the report's published describe()", value=dataset.is_twin, key="ov_compare")
        if compare:
            st.markdown("**The report's describe()** (Kaggle “Spotify Audio Features”, April 2019)")
            st.dataframe(rf.DESCRIBE, width="stretch")
            st.markdown("**Difference: this data − the report**" + (" (the twin is calibrated to be close)"
                                                                     if dataset.is_twin else ""))
            st.dataframe(tables.describe_difference, width="stretch")
            download(tables.describe_difference, "describe difference", "describe_difference", index=True)

if nulls_tab.open:
    with nulls_tab:
        st.dataframe(tables.nulls, hide_index=True, width="stretch",
                     column_config={"share %": st.column_config.NumberColumn(format="%.4f %%"),
                                    "report": st.column_config.NumberColumn("report's count")})
        download(tables.nulls, "null counts", "nulls")

if nunique_tab.open:
    with nunique_tab:
        st.dataframe(tables.nunique, hide_index=True, width="stretch",
                     column_config={"report": st.column_config.NumberColumn("report's count")})
        download(tables.nunique, "nunique", "nunique")
