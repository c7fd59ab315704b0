"""Distributions & correlations: popularity's skew and imbalance (the report's two plots and its 1 % quantiles), any
feature against popularity, and the correlation matrix — all on the songs the sidebar filters keep."""
from __future__ import annotations

import numpy as np
import streamlit as st

from core import cache, safe_csv, schema
from core import report_figures as rf
from core.charts import eda as charts
from core.eda.columns import MIN_ROWS_FOR_STATISTICS
from core.eda.correlations import target_correlations
from core.eda.filters import Filters, select_rows
from core.eda.popularity import REPORT_POPULARITY_NOTES, popularity_notes, quantile_display
from core.ui import data_picker

DEFAULT_FEATURE = "loudness"  # the report's first focused analysis
NO_COLOUR = "(none)"
PLOT_CONFIG = {"displaylogo": False}

st.title("Distributions & correlations")
dataset = data_picker.active_dataset()
frame, fingerprint = dataset.frame, dataset.fingerprint
bounds = cache.eda_filter_bounds(fingerprint, frame)
has_target = schema.TARGET in bounds
features = [name for name in dataset.feature_names if name in bounds]


def label(name: str) -> str:
    return schema.FEATURES_BY_NAME[name].label if name in schema.FEATURES_BY_NAME else name


def download(table, name: str, key: str, index: bool = False, label: str | None = None) -> None:
    st.download_button(f"{label or name} (CSV)", safe_csv.to_csv_bytes(table, index=index), file_name=f"{name}.csv",
                       mime="text/csv", key=f"dist_download_{key}", icon=":material/download:")


def plot(figure, key: str) -> None:
    st.plotly_chart(figure, width="stretch", config=PLOT_CONFIG, key=f"dist_chart_{key}")


# ---- filters: the whole page shows only the songs they keep ----------------------------------------------------------

with st.sidebar:
    st.subheader("Filters")
    st.caption("They apply to everything on this page.")
    popularity = None
    if has_target and bounds[schema.TARGET][0] < bounds[schema.TARGET][1]:
        low, high = (int(v) for v in bounds[schema.TARGET])
        chosen = st.slider("Popularity", low, high, (low, high), key="dist_popularity")
        popularity = None if chosen == (low, high) else (float(chosen[0]), float(chosen[1]))
    limited = st.multiselect("Restrict features", features, format_func=label, key="dist_limit",
                             placeholder="Choose features to restrict")
    ranges = []
    for name in limited:
        spec, (low, high) = schema.FEATURES_BY_NAME[name], bounds[name]
        if spec.integer:
            low, high = int(low), int(high)
        if low == high:
            st.caption(f"{spec.label}: every song has {spec.format_value(low)}.")
            continue
        # The key carries the fingerprint: another dataset has other bounds, so it gets fresh sliders.
        value = st.slider(spec.label, low, high, (low, high), step=1 if spec.integer else None,
                          key=f"dist_range_{name}_{fingerprint}", help=spec.help)
        if value != (low, high):
            ranges.append((name, float(value[0]), float(value[1])))
    artist = st.text_input("Artist contains", key="dist_artist", placeholder="e.g. Drake")

filters = Filters(popularity=popularity, features=tuple(ranges), artist=artist.strip())
mask = cache.eda_filter_mask(fingerprint, filters, frame)
n_kept = len(frame) if mask is None else int(mask.sum())
st.caption(f"**{n_kept:,}** of {len(frame):,} songs ({n_kept / max(len(frame), 1):.1%}) · {filters.describe()}")
# The CSV is written only when the button is clicked (a callable), never on a rerun.
st.download_button("Download the filtered songs (CSV)", lambda: safe_csv.to_csv_bytes(select_rows(frame, mask)),
                   mime="text/csv", file_name="songs filtered.csv", key="dist_download_rows",
                   icon=":material/download:", disabled=n_kept == 0)
if n_kept == 0:
    st.info("No songs match these filters. Widen the popularity range, loosen a feature range or clear the artist "
            "search in the sidebar.", icon=":material/filter_alt_off:")
    st.stop()

threshold = cache.eda_popular_threshold(fingerprint, frame)

profile = cache.eda_popularity(fingerprint, filters, threshold, frame, mask) if has_target else None

# Three sections, one drawn at a time: each holds 2–4 Plotly figures, and a browser pays for every figure on the page
# at each rerun (a filter change, a feature pick), so drawing only the open one keeps the page quick.
SECTIONS = [":material/bar_chart: Popularity", ":material/scatter_plot: A feature against popularity",
            ":material/grid_on: Correlations"]
popularity_tab, feature_tab, correlations_tab = st.tabs(SECTIONS, key="dist_section", on_change="rerun")

# ---- popularity ------------------------------------------------------------------------------------------------------

if popularity_tab.open:
    with popularity_tab:
        if has_target:
            left, right = st.columns(2)
            with left:
                plot(charts.popularity_histogram_chart(profile), "popularity_histogram")
            with right:
                plot(charts.popularity_density_chart(profile), "popularity_density")
            notes, quantiles = st.columns([3, 2])
            with notes:
                st.markdown("**On these songs**\n\n"
                            + "\n".join(f"- {note}" for note in popularity_notes(profile)))
                st.markdown("**The report** (on its 130,663 songs)\n\n"
                            + "\n".join(f"> - {note}" for note in REPORT_POPULARITY_NOTES))
            with quantiles:
                table = profile.quantiles
                st.markdown(f"**Popularity at every 1 %** — the 99th percentile of these songs is "
                            f"**{table.loc[table['is threshold'], 'popularity'].iloc[0]:g}**")
                styled = quantile_display(table).style.apply(
                    lambda row: ["background-color: rgba(29,185,84,0.35)" if row["is threshold"] else ""]
                    * len(row), axis=1).format({"quantile": "{:.0%}", "popularity": "{:g}"})
                st.dataframe(styled, hide_index=True, width="stretch", height=316,
                             column_config={"is threshold": None})
                download(table.drop(columns="is threshold"), "popularity quantiles", "quantiles", label="Quantiles")
        else:
            st.info("This data has no popularity column, so only the features' own distributions and correlations "
                    "are shown.")

# ---- one feature -----------------------------------------------------------------------------------------------------

if feature_tab.open:
    with feature_tab:
        if not features:
            st.info("This data has none of the report's audio features.")
        else:
            pick, colour = st.columns(2)
            feature = pick.selectbox("Feature", features, format_func=label, key="dist_feature",
                                     index=features.index(DEFAULT_FEATURE) if DEFAULT_FEATURE in features else 0)
            groups = cache.eda_colour_columns(fingerprint, frame)
            group = NO_COLOUR
            if groups:
                group = colour.selectbox("Colour the histogram by", [NO_COLOUR, *groups], key="dist_colour")
            feature_profile = cache.eda_feature(fingerprint, filters, feature,
                                                None if group == NO_COLOUR else group, threshold, frame, mask)
            if feature_profile.report_insights:
                said, found = st.columns(2)
                with said:
                    st.markdown(f"**The report on {label(feature).lower()}**\n\n"
                                + "\n".join(f"> - {point}" for point in feature_profile.report_insights))
                with found:
                    st.markdown(f"**On these songs**\n\n{feature_profile.summary}")
            else:
                st.markdown(f"**On these songs:** {feature_profile.summary}")
            left, right = st.columns(2)
            with left:
                plot(charts.feature_histogram_chart(feature_profile), "feature_histogram")
            with right:
                if has_target:
                    plot(charts.band_density_chart(feature_profile), "band_density")
            if has_target:
                left, right = st.columns(2)
                with left:
                    plot(charts.binned_mean_chart(feature_profile, profile.mean), "binned_mean")
                with right:
                    plot(charts.regression_chart(feature_profile), "regression")
            st.caption("Histograms and densities are computed from binned counts; the regression view is a 2-D count "
                       "grid with the least-squares line, so every song counts but none is sent to the browser one "
                       "by one." + (f" {feature_profile.n_outside:,} outlying songs lie beyond the x axis (shown: "
                                    "0.1st–99.9th percentile)." if feature_profile.n_outside else ""))
            downloads = st.columns(3)
            with downloads[0]:
                download(feature_profile.histogram, f"{feature} histogram", "feature_histogram",
                         label="Histogram")
            if has_target:
                with downloads[1]:
                    download(feature_profile.binned_mean, f"{feature} mean popularity by bin", "binned_mean",
                             label="Mean popularity by bin")
                with downloads[2]:
                    download(feature_profile.band_density, f"{feature} density per popularity band",
                             "band_density", label="Density per band")

# ---- correlations ----------------------------------------------------------------------------------------------------

if correlations_tab.open:
    with correlations_tab:
        method = st.radio("Method", ["Pearson", "Spearman"], horizontal=True, key="dist_corr_method",
                          help="Pearson (the report's) measures linear relations; Spearman ranks the values first, "
                               "so it catches any monotonic relation and ignores outliers.").lower()
        corr = cache.eda_correlations(fingerprint, filters, method, frame, mask)
        if n_kept < MIN_ROWS_FOR_STATISTICS or not np.isfinite(corr.to_numpy(dtype=float)).any():
            st.info(f"Correlations need at least {MIN_ROWS_FOR_STATISTICS} songs with varying values.")
        else:
            left, right = st.columns([3, 2]) if has_target else (st.container(), None)
            with left:
                plot(charts.correlation_heatmap_chart(corr, method), "correlation_heatmap")
            if right is not None:
                with right:
                    reference = rf.CORRELATION[schema.TARGET] if method == "pearson" else None
                    plot(charts.target_correlation_chart(target_correlations(corr), reference, method),
                         "target_correlations")
                    if reference is not None:
                        st.caption("White ticks: the report's Pearson correlations on the real data.")
            download(corr, f"{method} correlation matrix", "correlations", index=True, label="Correlation matrix")
