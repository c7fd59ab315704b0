"""Model comparison: the report's metric tables beside honest ones, a threshold explorer, random vs grouped split.

Reads a trained suite from the artifact store (metrics first, models only when a chart needs them) or queues a training
job whose live progress everyone using the data sees. The URL carries tab, model and threshold so a view can be
shared.
"""
from __future__ import annotations

from dataclasses import replace
from functools import partial

import streamlit as st

from core import cache
from core.charts import models as charts
from core.comparison.exports import (export_name, export_tables, manifest_to_json, published_tables, table_to_csv,
                                     table_to_json)
from core.comparison.leaderboards import classification_leaderboard, regression_leaderboard
from core.comparison.summary import prediction_models, preferred_order, suite_summary
from core.comparison.tables import (GROUP_LABELS, classification_report_view, failed_models, regression_view,
                                    split_gaps, style_best)
from core.comparison.text import accuracy_note, describe_config, split_gap_sentence
from core.comparison.thresholds import threshold_metrics
from core.comparison.uncertainty import thresholded_name, tie_sentence
from core.comparison.view_state import parse_view_state
from core.models.config import BINNINGS, SUITE_TITLES as SUITE_CHOICES, SuiteConfig
from core.models.store import ArtifactError
from core.ui import data_picker, jobs_panel


TABS = {"regression": ":material/show_chart: Regression", "classification": ":material/target: Classification",
        "split": ":material/call_split: Random vs grouped split", "export": ":material/download: Export"}
TAB_IDS = {label: tab_id for tab_id, label in TABS.items()}
SAMPLE_CHOICES = (None, 50_000, 20_000, 5_000)
CV_CHOICES = (0, 3, 5, 10)
THRESHOLD_STEP = 0.005
SUBMIT_ERROR = "cmp_submit_error"    # why the last Train click could not queue a job
PENDING_SUITE = "cmp_pending_suite"  # set when a watched job stored its suite; applied before the selector is drawn


# ---- training (a shared job: core.models.jobs; its live progress: core.ui.jobs_panel) -----------------------------

def submit(config: SuiteConfig) -> None:
    """Queue these settings as a job, or join the one already running: nobody trains the same suite twice."""
    label = "the twin (synthetic)" if dataset.is_twin else dataset.report.name
    try:
        _, started = cache.job_manager().submit(dataset.frame, dataset.fingerprint, config, label)
    except ArtifactError as error:  # the store cannot be written: said on the page, nothing queued
        st.session_state[SUBMIT_ERROR] = str(error)
        return
    if not started:
        st.toast("These settings are already training — showing that job's progress.", icon=":material/group:")


def settings_panel(active: SuiteConfig | None, stored_keys: set[str], expanded: bool) -> None:
    """Every option the engine offers; the button trains (or retrains) exactly these settings."""
    base = active or SuiteConfig()
    samples = [n for n in SAMPLE_CHOICES if n is None or n < len(dataset.frame)]
    with st.expander("Train or retrain a suite", icon=":material/model_training:", expanded=expanded):
        what, rows, target = st.columns([3, 2, 2])
        suites = what.multiselect("Suites to include", list(SUITE_CHOICES), default=list(base.suites),
                                  format_func=SUITE_CHOICES.get, key="cmp_suites")
        max_rows = rows.selectbox("Rows to train on", samples,
                                  index=samples.index(base.max_rows) if base.max_rows in samples else 0,
                                  format_func=lambda n: f"all {len(dataset.frame):,} rows" if n is None
                                  else f"a {n:,}-row sample (quick run)", key="cmp_rows")
        binning = target.selectbox("Classes for the classifiers", list(BINNINGS),
                                   index=list(BINNINGS).index(base.binning), format_func=BINNINGS.get,
                                   key="cmp_binning",
                                   help="The report's target is 'popular' = popularity ≥ the 99th percentile; its "
                                        "variants split popularity into 2 or 3 equally filled quantile bins.")
        ann, extra, split, folds = st.columns([1, 1, 1, 1.3], vertical_alignment="center")
        include_ann = ann.toggle("Neural networks", value=base.include_ann, key="cmp_ann",
                                 help="The report's three Keras networks: the slowest models to train.")
        extras = extra.toggle("Extra models", value=base.extras, key="cmp_extras",
                              help="The regressors the report skipped for their cost (KNN, SVR, decision tree, "
                                   "random forest), made feasible on subsamples.")
        grouped = split.toggle("Split by artist", value=base.grouped, key="cmp_grouped",
                               help="No artist has songs on both sides of the split. The report splits at random, so "
                                    "one artist's songs land in both training and test.")
        cv_folds = folds.select_slider("Cross-validation folds", CV_CHOICES, value=base.cv_folds, key="cmp_cv",
                                       format_func=lambda k: "off" if k == 0 else f"{k} folds")
        if not suites:
            st.warning("Pick at least one suite to train.")
            return
        config = replace(base, suites=tuple(s for s in SUITE_CHOICES if s in suites), include_ann=include_ann,
                         extras=extras, grouped=grouped, cv_folds=cv_folds, max_rows=max_rows, binning=binning)
        exists = config.key() in stored_keys
        running = config.key() in {job.config_key for job in live}
        describe, button = st.columns([3, 2], vertical_alignment="center")
        describe.caption(f"Will train: {describe_config(config)}"
                         + (" — training now (progress above)." if running
                            else " — already stored; retraining replaces it." if exists else "."))
        label = "Retrain these settings" if exists else "Train with these settings"
        button.button(label, type="secondary" if exists else "primary", key="cmp_train", disabled=running,
                      icon=":material/model_training:", width="stretch", on_click=submit, args=(config,),
                      help="Training runs as a job on the Dask workers, not in this page: you can leave and come back, "
                           "and everyone using this data sees its progress.")


# ---- URL state -----------------------------------------------------------------------------------------------------

def sync_url(**values: str | None) -> None:
    """Write only our own parameters, and only when they changed (each write is a browser history entry)."""
    for name, value in values.items():
        if value is None:
            if name in st.query_params:
                del st.query_params[name]
        elif st.query_params.get(name) != value:
            st.query_params[name] = value


# ---- page -----------------------------------------------------------------------------------------------------------

st.title("Model comparison")
dataset = data_picker.active_dataset()
if not dataset.report.has_target:
    st.warning(f"**{dataset.report.name}** has no `popularity` column. Modelling needs popularity as the target, so "
               "there is nothing to train or compare. Load a file that has it, or the twin, in the sidebar.")
    st.stop()

jobs_panel.panel(dataset.fingerprint, key="cmp")
if submit_error := st.session_state.pop(SUBMIT_ERROR, None):
    st.error(f"Training could not be queued: {submit_error}")
live = jobs_panel.live_jobs(dataset.fingerprint)
stored = cache.stored_suite_configs(dataset.fingerprint)
stored_by_key = {config.key(): config for config in stored}
for key, status in jobs_panel.pop_finished().items():
    if status == "done":
        st.session_state[PENDING_SUITE] = key
if (pending := st.session_state.pop(PENDING_SUITE, None)) in stored_by_key:
    st.session_state["cmp_suite"] = pending
if st.session_state.get("cmp_suite") not in stored_by_key:
    st.session_state.pop("cmp_suite", None)

if not stored:
    if live:
        st.info("No suite is stored for this data yet; the training above stores one, and this page shows it as soon "
                "as it is done. You can leave this page meanwhile.")
    else:
        st.info("No suite is trained on this data yet. Training the report's models on all rows takes about a minute "
                "on the Dask workers; a sample trains in seconds. The result is stored, so next time this page opens "
                "instantly.")
    settings_panel(live[0].suite_config if live else None, set(), expanded=not live)
    st.stop()

keys = preferred_order(stored, SuiteConfig())
active_key = st.selectbox(
    "Trained suite", keys, key="cmp_suite",
    format_func=lambda key: describe_config(stored_by_key[key]),
    help="Every suite stored for this data: the report's own settings first, then random splits, newest "
         "first.")
config = stored_by_key[active_key]

try:
    tables = cache.stored_suite_tables(dataset.fingerprint, config)
except ArtifactError as error:
    st.error(f"The stored suite ({describe_config(config)}) failed verification and was not used: {error}. "
             "Its files changed after it was saved. Retrain it to replace it.")
    st.button("Retrain this suite", type="primary", key="cmp_retrain_broken", on_click=submit, args=(config,),
              disabled=config.key() in {job.config_key for job in live})
    st.stop()

settings_panel(config, set(stored_by_key), expanded=False)
suite_path = str(tables.path)
summary = suite_summary(tables)
st.caption(f"{summary.n_models} models · test set {summary.n_test:,} songs, {summary.n_positive:,} popular "
           f"(popularity ≥ {summary.popular_threshold:g}) · trained {summary.trained_at} UTC · "
           f"{'the twin (synthetic)' if dataset.is_twin else dataset.report.name}")
for warning in tables.manifest.get("warnings", []):  # what training noticed about this data (few popular songs …)
    st.warning(f"When this suite was trained: {warning}.", icon=":material/info:")

regressors, classifiers = prediction_models(tables.test_predictions)
url = parse_view_state(st.query_params.to_dict(), tabs=list(TABS), models=regressors + classifiers,
                           step=THRESHOLD_STEP)


def remember_tab() -> None:
    sync_url(tab=TAB_IDS.get(st.session_state.get("cmp_tab")))


tab_containers = st.tabs(list(TABS.values()), key="cmp_tab", on_change=remember_tab,
                         default=TABS[url.tab] if url.tab else None)
regression_tab, classification_tab, split_tab, export_tab = tab_containers


# ---- regression -----------------------------------------------------------------------------------------------------

def regression_section() -> None:
    view = regression_view(tables.regression_table)
    if view.empty:
        st.info("This suite has no regression models. Train one that includes the regression suite.")
        return
    for name, error in failed_models(tables.regression_table).items():
        st.warning(f"{name} failed to train and is left out: {error}")
    intervals = cache.suite_intervals(dataset.fingerprint, suite_path, tables)
    board, tied = regression_leaderboard(tables, intervals)
    with st.container():
        st.subheader("This run")
        if sentence := tie_sentence(intervals, "regression", "R²"):
            st.markdown(sentence)
        st.caption("Sort by clicking a header. Shaded: the best value in each column; lightly shaded, and ≈ beside "
                   "the 95 % interval: statistically tied with the best (★) on this test set. "
                   + ("The dummy row predicts the training mean for every song — the floor any model must beat."
                      if summary.regression_baselines else ""))
        with st.container(key="cmp_reg_table"):  # the key becomes a CSS class the browser test waits for
            st.dataframe(style_best(board, skip_rows=summary.regression_baselines, tied=tied), height="content")
    with st.columns([3, 4])[0]:
        st.subheader("Published in the report")
        st.caption("For reference: the report's own numbers on the real Kaggle file (130,663 rows, random 80/20 "
                   "split). Not recomputed.")
        published = published_tables()["regression figures"]
        st.dataframe(published.style.format({"MSE": "{:.2f}", "MAE": "{:.3f}", "R2 Score": "{:.4f}"}),
                     height="content", column_config={"_index": st.column_config.Column("model", width=125)})

    st.subheader("One metric, every model")
    metric = st.segmented_control("Metric", ["R²", "RMSE", "MAE", "MSE"], default="R²", key="cmp_reg_metric") or "R²"
    error_column = {"R²": "CV R² sd", "RMSE": "CV RMSE sd"}.get(metric)
    chosen = url.model if url.model in regressors else summary.best_regressor
    chart_slot = st.empty()
    st.subheader("Where a model goes wrong")
    model = st.selectbox("Model", regressors, key="cmp_reg_model",
                         index=regressors.index(chosen) if chosen in regressors else 0)
    chart_slot.plotly_chart(charts.metric_bar_chart(view, metric, error_column, highlight=model), key="cmp_reg_bars")
    if model != url.model:
        sync_url(model=model)
    density, residuals = st.columns(2)
    grid, profile = cache.regression_diagnostics(dataset.fingerprint, suite_path, model, tables)
    density.plotly_chart(charts.predicted_vs_actual_chart(grid, model), key="cmp_reg_density")
    residuals.plotly_chart(charts.residual_chart(profile, model), key="cmp_reg_residuals")

    st.subheader("Feature importance")
    if not st.toggle("Compute feature importance (loads the trained models; a few seconds the first time)",
                     key="cmp_importance"):
        return
    try:
        suite = cache.stored_suite(dataset.fingerprint, config)
        permutation = cache.permutation_importance(dataset.fingerprint, suite_path, model, suite, dataset.frame,
                                                   tables)
        contributions = cache.xgboost_importance(dataset.fingerprint, suite_path, suite, dataset.frame, tables)
    except ArtifactError as error:
        st.error(f"The stored models failed verification: {error}. Retrain the suite to replace them.")
        return
    except Exception as error:  # a model that cannot be re-scored is a message, never a traceback  # noqa: BLE001
        st.warning(f"Feature importance could not be computed for {model}: {type(error).__name__}: {error}")
        return
    left, right = st.columns(2)
    if permutation is not None:
        left.plotly_chart(charts.importance_chart(permutation["mean"], f"Permutation importance — {model} "
                                                  "(drop in R² when a feature is shuffled)", permutation["sd"]),
                          key="cmp_perm")
    else:
        left.info(f"{model} has no stored model to shuffle features through.")
    if contributions is not None:
        name, values = contributions
        right.plotly_chart(charts.importance_chart(values, f"XGBoost SHAP — {name} (mean |contribution| to "
                                                   "predicted popularity)"), key="cmp_shap")
    else:
        right.info("No XGBoost regressor in this suite, so there are no SHAP contributions to show.")


# ---- classification -------------------------------------------------------------------------------------------------

def classification_tables() -> None:
    st.info(accuracy_note(tables.classification_table, summary.n_test, summary.n_positive), icon="⚖️")
    for name, error in failed_models(tables.classification_table).items():
        st.warning(f"{name} failed to train and is left out: {error}")
    # The report's four columns, labelled short so this run's table and the published one fit side by side.
    short = {column: st.column_config.Column(label, width="small") for column, label in (
        ("accuracy_score", "accuracy"), ("precision_score", "precision"), ("f1_score", "F1"),
        ("recall_score", "recall"))}
    ours, theirs = st.columns([5, 3])
    with ours:
        st.subheader("The report's metrics — this run")
        st.caption("Accuracy and weighted averages over both classes as the report computes them (at 0.5; its "
                   "networks at the F1-best threshold) — dominated by the majority class. Shaded: the best model per "
                   "column (baselines are not ranked).")
        with st.container(key="cmp_cls_report"):
            st.dataframe(style_best(classification_report_view(tables.classification_table)),
                         height="content", column_config={"_index": st.column_config.Column("model", width="large"),
                                                          "suite": st.column_config.Column(width="small"),
                                                          **short})
    with theirs, st.container(key="cmp_cls_published"):
        st.subheader("Published in the report")
        st.caption("For reference: the report's own numbers on the real Kaggle file. Not recomputed.")
        published = published_tables()
        st.caption("Plain suite (the ANN's line printed separately in the report)")
        published_columns = {"_index": st.column_config.Column("model", width=215), **short}
        st.dataframe(published["classification figures"].style.format("{:.4f}"), height="content",
                     column_config=published_columns)
        st.caption("Class-weighted suite (the revised approach)")
        st.dataframe(published["class-weighted figures"].style.format("{:.4f}"), height="content",
                     column_config=published_columns)
    st.subheader("Metrics that see the popular songs")
    intervals = cache.suite_intervals(dataset.fingerprint, suite_path, tables)
    board, tied = classification_leaderboard(tables, intervals,
                                                 cache.suite_calibration(dataset.fingerprint, suite_path, tables))
    if sentence := tie_sentence(intervals, "classification", "PR-AUC"):
        st.markdown(sentence)
    st.caption("ROC-AUC and PR-AUC rank every song by its probability; 'popular' columns score only the minority "
               "class, at 0.5 and at each model's F1-best threshold. A model's plain and class-weighted runs sit "
               "next to each other. *Regressor at the cut* rows call a song popular when its predicted popularity "
               f"reaches {summary.popular_threshold:g} (their F1-best threshold is on the popularity scale): does a "
               "classifier beat simply thresholding a regressor? Brier: mean squared error of P(popular) (lower is "
               "better; see *Calibration* below; none for regressors, which predict popularity, not a probability). "
               "Lightly shaded, and ≈ beside the 95 % interval: statistically tied with the best (★).")
    regressor_rows = board[board["suite"] == GROUP_LABELS["regressor"]] if "suite" in board else board.iloc[:0]
    if len(regressor_rows) and "popular recall" in board and (regressor_rows["popular recall"] == 0).all():
        st.caption(f"No regressor predicts {summary.popular_threshold:g} or more for any test song (trained on squared "
                   "error, they stay near the mean), so at the cut they flag no song: what competes is how they rank "
                   "songs — ROC-AUC, PR-AUC, and F1 at their own best threshold.")
    with st.container(key="cmp_cls_honest"):
        st.dataframe(style_best(board, tied=tied), height="content")


def use_best_threshold(best: float) -> None:
    st.session_state["cmp_threshold"] = round(round(best / THRESHOLD_STEP) * THRESHOLD_STEP, 6)


@st.fragment
def threshold_explorer() -> None:
    """Moving the slider reruns only this panel: the curves come from cache, the confusion matrix is a count."""
    st.subheader("Threshold explorer")
    if "cmp_threshold" not in st.session_state:
        st.session_state["cmp_threshold"] = url.threshold if url.threshold is not None else 0.5
    chosen = url.model if url.model in classifiers else summary.best_classifier
    pick, slide, jump = st.columns([3, 4, 1.4], vertical_alignment="bottom")
    model = pick.selectbox("Model", classifiers, key="cmp_model",
                           index=classifiers.index(chosen) if chosen in classifiers else 0)
    curves = cache.classification_curves(dataset.fingerprint, suite_path, model, tables)
    threshold = slide.slider("Call a song 'popular' when P(popular) ≥", 0.0, 1.0, step=THRESHOLD_STEP,
                             format="%.3f", key="cmp_threshold")
    jump.button("F1-best", key="cmp_best", on_click=use_best_threshold, args=(curves.best_threshold,),
                help=f"Jump to the threshold with the best F1 on the test set ({curves.best_threshold:.3f}).")
    sync_url(model=model, threshold=f"{threshold:.3f}")
    current = threshold_metrics(curves.y_class, curves.proba, threshold)
    best = threshold_metrics(curves.y_class, curves.proba, curves.best_threshold)
    figures = st.columns(4)
    figures[0].metric("Popular songs flagged", f"{current.tp + current.fp:,}",
                      help="How many test songs this threshold calls popular.")
    figures[1].metric("Precision (popular)", f"{current.precision:.3f}",
                      delta=f"{current.precision - best.precision:+.3f} vs F1-best", delta_color="off")
    figures[2].metric("Recall (popular)", f"{current.recall:.3f}",
                      delta=f"{current.recall - best.recall:+.3f} vs F1-best", delta_color="off")
    figures[3].metric("F1 (popular)", f"{current.f1:.3f}", delta=f"{current.f1 - best.f1:+.3f} vs F1-best",
                      delta_color="off")
    matrix, roc = st.columns(2)
    matrix.plotly_chart(charts.confusion_matrix_chart(current), key="cmp_confusion")
    roc.plotly_chart(charts.roc_chart(curves.roc, current, best, auc=curves.roc_auc), key="cmp_roc")
    pr, histogram = st.columns(2)
    pr.plotly_chart(charts.pr_chart(curves.pr, current, best, base_rate=curves.base_rate), key="cmp_pr")
    histogram.plotly_chart(charts.probability_histogram_chart(curves.histogram, threshold), key="cmp_hist")


def pr_comparison() -> None:
    st.subheader("Precision–recall, several models")
    ranked = summary.classifiers_by_pr_auc
    cut = summary.popular_threshold
    thresholded = {thresholded_name(name, cut): name for name in regressors
                   if name not in summary.regression_baselines} if len(tables.manifest.get("classes", [0, 1])) == 2 \
        else {}
    default = [m for m in ranked[:4] if m in classifiers]
    if summary.best_regressor in regressors and thresholded:
        default.append(thresholded_name(summary.best_regressor, cut))
    chosen = st.multiselect("Models", classifiers + list(thresholded), default=default, key="cmp_pr_models",
                            help="Classifiers, and regressors whose predicted popularity is the score (dashed; the "
                                 f"marker is where it crosses {cut:g}, the popular cut).")
    if not chosen:
        st.caption("Pick models to draw their curves.")
        return
    curves, aucs, marks = {}, {}, {}
    for name in chosen:
        if name in thresholded:
            curves[name], aucs[name], marks[name] = cache.regressor_pr_curve(dataset.fingerprint, suite_path,
                                                                             thresholded[name], tables)
        else:
            found = cache.classification_curves(dataset.fingerprint, suite_path, name, tables)
            curves[name], aucs[name] = found.pr, found.pr_auc
    st.plotly_chart(charts.pr_comparison_chart(curves, summary.positive_rate, aucs, dashed=set(thresholded),
                                               marks=marks), key="cmp_pr_compare")


def calibration_section() -> None:
    st.subheader("Calibration: does P(popular) mean what it says?")
    table = cache.suite_calibration(dataset.fingerprint, suite_path, tables)
    if table.empty:
        st.info("The test set holds a single class, so there is no observed rate to compare probabilities with.")
        return
    real = [m for m in summary.classifiers_by_pr_auc if m in table.index]
    pick, bins = st.columns([4, 1])
    chosen = pick.multiselect("Classifiers", list(table.index), default=real[:3], key="cmp_cal_models")
    n_bins = bins.selectbox("Bins", [5, 10, 20], index=1, key="cmp_cal_bins",
                            help="Bins of equal song counts (quantiles of the predicted probability).")
    if chosen:
        curves = {name: cache.reliability_curve(dataset.fingerprint, suite_path, name, n_bins, tables)
                  for name in chosen}
        st.plotly_chart(charts.reliability_chart(curves), key="cmp_reliability")
    st.caption("Each point is a bin of test songs: the mean predicted P(popular) against the share that really is "
               "popular (marker size: songs in the bin). On the diagonal, a P of 0.3 means 3 in 10 such songs are "
               "popular. Class-weighted models push P up by design: their probabilities rank songs but overstate "
               "the chance. Brier of a constant = always predicting the popular rate.")
    with st.container(key="cmp_calibration"):
        st.dataframe(table[["brier", "brier_constant", "error", "mean_predicted", "observed_rate", "verdict"]],
                     height="content", column_config={
                         "brier": st.column_config.NumberColumn("Brier", format="%.5f"),
                         "brier_constant": st.column_config.NumberColumn("Brier of a constant", format="%.5f"),
                         "error": st.column_config.NumberColumn("mean |observed − predicted|", format="%.4f"),
                         "mean_predicted": st.column_config.NumberColumn("mean P", format="%.4f"),
                         "observed_rate": st.column_config.NumberColumn("popular rate", format="%.4f"),
                         "verdict": st.column_config.TextColumn("verdict", width="large")})


# ---- random vs grouped split ----------------------------------------------------------------------------------------

def split_counterpart_gaps() -> list | None:
    """Gap tables against the same settings with the other split, when that suite is stored; raises ArtifactError."""
    counterpart = replace(config, grouped=not config.grouped)
    if counterpart.key() not in stored_by_key:
        return None
    other = cache.stored_suite_tables(dataset.fingerprint, counterpart)
    random_tables, grouped_tables = (other, tables) if config.grouped else (tables, other)
    return split_gaps(random_tables, grouped_tables)


def split_section() -> None:
    try:
        gaps = split_counterpart_gaps()
    except ArtifactError as error:
        st.error(f"The {'random' if config.grouped else 'grouped'}-split suite failed verification: {error}. "
                 "Retrain it to compare.")
        return
    if gaps is None:
        other = "random-split" if config.grouped else "artist-grouped"
        st.info(f"Only the {'artist-grouped' if config.grouped else 'random'} split is stored for these settings. "
                "Train the same settings with the other split to see how much the models lean on knowing the artist.")
        counterpart = replace(config, grouped=not config.grouped)
        st.button(f"Train the {other} counterpart", key="cmp_train_counterpart", type="primary", on_click=submit,
                  args=(counterpart,), disabled=counterpart.key() in {job.config_key for job in live})
        return
    st.caption("The same settings trained twice: the report's random 80/20 split, and a split where no artist has "
               "songs on both sides (GroupShuffleSplit on artist_name). Baselines are left out.")
    for label, metric, gap in gaps:
        st.subheader(label)
        st.markdown(split_gap_sentence(gap, metric))
        left, right = st.columns(2)
        left.dataframe(gap.style.format("{:+.4f}", subset=["gap"]).format("{:.4f}", subset=["random split",
                                                                                             "grouped split"]),
                       key=f"cmp_gap_{metric}", height="content")
        right.plotly_chart(charts.split_gap_chart(gap, metric), key=f"cmp_gap_chart_{metric}")


# ---- exports --------------------------------------------------------------------------------------------------------

def export_section() -> None:
    st.caption("Every table of this suite, as CSV and JSON (files are made when you click); the manifest records the "
               "data fingerprint, settings, library versions and file hashes.")
    exports = export_tables(tables, cache.suite_intervals(dataset.fingerprint, suite_path, tables))
    try:
        gaps = split_counterpart_gaps() or []
    except ArtifactError:
        gaps = []  # the split tab says what is wrong with the other suite
    exports.update({f"random vs grouped split — {metric}": gap for _, metric, gap in gaps})
    for title, table in exports.items():
        label, csv_button, json_button = st.columns([4, 1, 1], vertical_alignment="center")
        label.markdown(f"**{title}** — {len(table):,} rows")
        csv_button.download_button("CSV", partial(table_to_csv, table), key=f"cmp_csv_{title}", mime="text/csv",
                                   file_name=export_name(title, dataset.fingerprint, config.key(), "csv"),
                                   icon=":material/download:")
        json_button.download_button("JSON", partial(table_to_json, table), key=f"cmp_json_{title}",
                                    mime="application/json", icon=":material/download:",
                                    file_name=export_name(title, dataset.fingerprint, config.key(), "json"))
    st.download_button("Manifest (JSON)", partial(manifest_to_json, tables.manifest), mime="application/json",
                       file_name=export_name("manifest", dataset.fingerprint, config.key(), "json"),
                       key="cmp_manifest_download", icon=":material/download:")
    st.json(manifest_to_json(tables.manifest).decode(), expanded=1)


def draw(container, section) -> None:
    # Only the open tab runs: a closed tab costs nothing on this rerun.
    if container.open is not False:
        with container:
            section()


draw(regression_tab, regression_section)
if classification_tab.open is not False:
    with classification_tab:
        if not classifiers:
            st.info("This suite has no classification models. Train one that includes a classification suite.")
        else:
            classification_tables()
            threshold_explorer()
            pr_comparison()
            calibration_section()
draw(split_tab, split_section)
draw(export_tab, export_section)
