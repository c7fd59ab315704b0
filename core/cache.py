"""Streamlit's caches (st.cache_data, st.cache_resource) over the pure core functions, and the calls that find
what to pass them. The other Streamlit pieces (the data picker, panels, page state, workarounds) are in core/ui.

Cache on a key, not on a frame: cached calls take the data fingerprint (hashed) plus the frame or dataset as an
underscore argument (not hashed), so a 130k-row frame is never re-hashed on a rerun.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

from core import sources

if TYPE_CHECKING:  # the model stack (scikit-learn, XGBoost) is imported by the first model page, not at start-up
    from core.comparison import thresholds
    from core.models import jobs
    from core.models.config import SuiteConfig, SuiteTables
    from core.models.store import ArtifactStore
    from core.whatif.batch import BatchResult
    from core.whatif.scorer import Scorer
    from core.whatif.sliders import SliderSpec

# ---- data sources (lead) ---------------------------------------------------------------------------------------------

@st.cache_resource(show_spinner="Generating the twin of the report's dataset…")
def twin_dataset() -> sources.Dataset:
    from core.sources.twin_cache import default_cache_dir

    return sources.twin_dataset(cache_dir=default_cache_dir())


@st.cache_resource(show_spinner="Loading the data file…", max_entries=4)
def dataset_from_path(path: str, modified_ns: int) -> sources.Dataset:
    """A CSV on the server's disk; `modified_ns` makes an edited file load afresh."""
    return sources.load_csv(Path(path), name=Path(path).name, source_kind="file")


# ---- what-if page (scoring helper) -----------------------------------------------------------------------------------
# The suite and everything derived from it are shared across sessions: cache_resource, never mutated.


def suite_key(suite) -> str:
    """Identifies one trained suite: its data, its config and when it was trained (a retrained suite is a new key)."""
    from core.models.store import stored_at

    return f"{suite.fingerprint}:{suite.config.key()}:{stored_at(getattr(suite, 'manifest', None) or {})}"


@st.cache_resource(show_spinner=False, max_entries=4)
def whatif_scorer(fingerprint: str, suite_key: str, _suite) -> Scorer:
    from core.whatif.scorer import Scorer

    return Scorer(_suite)


@st.cache_resource(show_spinner=False, max_entries=4)
def whatif_slider_specs(fingerprint: str, feature_names: tuple[str, ...], _frame) -> list[SliderSpec]:
    from core.whatif.sliders import slider_specs

    return slider_specs(_frame, feature_names)


@st.cache_resource(show_spinner=False, max_entries=4)
def whatif_search_keys(fingerprint: str, _frame):
    from core.whatif.sliders import search_keys

    return search_keys(_frame)


@st.cache_resource(show_spinner="Ranking every song of the data…", max_entries=4)
def whatif_reference_predictions(fingerprint: str, suite_key: str, _scorer, _frame):
    from core.whatif.scorer import reference_predictions

    return reference_predictions(_scorer, _frame)


@st.cache_resource(show_spinner="Indexing the real songs…", max_entries=4)
def whatif_plausibility_index(fingerprint: str, feature_names: tuple[str, ...], _frame):
    from core.whatif.plausibility import build_plausibility_index

    return build_plausibility_index(_frame, feature_names)


@st.cache_data(show_spinner="Scoring the file…", max_entries=8)
def whatif_score_upload(data: bytes, name: str, suite_key: str, _scorer) -> BatchResult:
    from core.whatif.batch import score_upload

    return score_upload(_scorer, data, name)


def latest_stored_suite(fingerprint: str):
    """The most recently trained suite for this data in the default store, or None when there is none yet.

    Finding it reads only the small manifests (so a suite trained a minute ago shows up on the next run); loading the
    models is cached per stored folder and shared by every session, so nobody may modify what this returns.
    """
    from core.models.store import ArtifactStore

    store = ArtifactStore()
    path = store.latest_suite_path(fingerprint)
    return None if path is None else _stored_suite_at(str(path), str(store.root))


@st.cache_resource(show_spinner="Loading the trained models…", max_entries=2)
def _stored_suite_at(path: str, root: str):
    from core.models.store import ArtifactStore

    return ArtifactStore(Path(root)).load(Path(path))


# ---- EDA pages: Overview, Distributions & correlations (EDA helper) --------------------------------------------------
# Every table and profile is small, so it is st.cache_data keyed on the fingerprint (+ the page's Filters, a frozen
# dataclass, + the widget choices). What the filters keep is cached as a boolean mask (1 byte a row, cache_resource,
# never modified), not as a copy of the rows: an analysis selects only the columns it reads, and only on a cache miss.

from core import schema  # noqa: E402  (kept with the section that uses them)
from core.eda.columns import analysis_columns  # noqa: E402
from core.eda.correlations import correlation_matrix  # noqa: E402
from core.eda.features import FeatureProfile, feature_profile  # noqa: E402
from core.eda.filters import Filters, filter_bounds, filter_mask, select_rows  # noqa: E402
from core.eda.groups import colour_columns  # noqa: E402
from core.eda.overview import OverviewTables, overview_tables  # noqa: E402
from core.eda.popularity import PopularityProfile, popular_threshold, popularity_profile  # noqa: E402
from core.eda.tables import head_table  # noqa: E402


@st.cache_data(show_spinner="Profiling the data…", max_entries=8)
def eda_overview(fingerprint: str, generated: tuple[str, ...], _frame) -> OverviewTables:
    """`generated`: the columns the loader made up (LoadReport.filled_columns), left out of the duplicate check."""
    return overview_tables(_frame, generated)


@st.cache_data(show_spinner=False, max_entries=64)
def eda_head(fingerprint: str, query: str, sort_by: str | None, descending: bool, _frame):
    return head_table(_frame, query, sort_by, descending)


@st.cache_data(show_spinner=False, max_entries=8)
def eda_filter_bounds(fingerprint: str, _frame) -> dict[str, tuple[float, float]]:
    return filter_bounds(_frame)


@st.cache_data(show_spinner=False, max_entries=8)
def eda_colour_columns(fingerprint: str, _frame) -> list[str]:
    return colour_columns(_frame)


@st.cache_data(show_spinner=False, max_entries=8)
def eda_popular_threshold(fingerprint: str, _frame) -> float:
    """The dataset's 'popular' cut (99th percentile of all songs); filters do not move it."""
    return popular_threshold(_frame[schema.TARGET]) if schema.TARGET in _frame else float("nan")


@st.cache_resource(show_spinner=False, max_entries=16)
def eda_filter_mask(fingerprint: str, filters: Filters, _frame):
    """The rows the filters keep (None: every row)."""
    return filter_mask(_frame, filters) if filters.active else None


@st.cache_data(show_spinner=False, max_entries=32)
def eda_popularity(fingerprint: str, filters: Filters, threshold: float, _frame, _mask) -> PopularityProfile:
    return popularity_profile(select_rows(_frame, _mask, [schema.TARGET])[schema.TARGET], threshold)


@st.cache_data(show_spinner=False, max_entries=64)
def eda_feature(fingerprint: str, filters: Filters, feature: str, group: str | None, threshold: float, _frame,
                _mask) -> FeatureProfile:
    columns = [feature, schema.TARGET] + ([group] if group else [])
    return feature_profile(select_rows(_frame, _mask, columns), feature, threshold, group)


@st.cache_data(show_spinner=False, max_entries=32)
def eda_correlations(fingerprint: str, filters: Filters, method: str, _frame, _mask):
    return correlation_matrix(select_rows(_frame, _mask, analysis_columns(_frame)), method)


# ---- Model comparison page (issue #5) ---------------------------------------------------------------------------------
# Suites are found from their small manifests on every run (a suite trained a minute ago shows up at once) and loaded
# per stored folder: every save is a new folder, so a retrained suite is a new cache entry by construction. Metrics
# and test predictions load without a single model; the models come from `_stored_suite_at` above, shared with the
# what-if page (one copy in memory). Nobody may modify what these return.


def suite_store() -> ArtifactStore:
    """The store the app reads and writes; built per call so SPOTIFY_STORE is honoured (tests point it elsewhere)."""
    from core.models.store import ArtifactStore

    return ArtifactStore()


def stored_suite_configs(fingerprint: str) -> list[SuiteConfig]:
    """Settings of every suite stored for this data, newest first (unreadable manifests are skipped)."""
    return [config for config, _ in suite_store().stored_configs(fingerprint)]


def _suite_folder(store: ArtifactStore, fingerprint: str, config: SuiteConfig) -> Path:
    from core.models.store import ArtifactError

    path = store.find(fingerprint, config)
    if path is None:
        raise ArtifactError("no suite with these settings is stored for this data (it may have just been removed); "
                            "train it again")
    return path


def stored_suite_tables(fingerprint: str, config: SuiteConfig) -> SuiteTables:
    """Metric tables + test predictions of the stored suite (verified); ArtifactError when damaged or gone."""
    store = suite_store()
    return _suite_tables_at(fingerprint, config.key(), str(_suite_folder(store, fingerprint, config)), str(store.root))


@st.cache_data(show_spinner="Loading the stored metrics…", max_entries=8)
def _suite_tables_at(fingerprint: str, config_key: str, path: str, root: str) -> SuiteTables:
    from core.models.store import ArtifactStore

    return ArtifactStore(Path(root)).load_tables(Path(path))


def stored_suite(fingerprint: str, config: SuiteConfig):
    """Every model of the stored suite (verified), loaded once per stored folder for all sessions and pages."""
    store = suite_store()
    return _stored_suite_at(str(_suite_folder(store, fingerprint, config)), str(store.root))


@st.cache_data(show_spinner=False, max_entries=64)
def classification_curves(fingerprint: str, suite_path: str, model: str, _tables) -> thresholds.ClassificationCurves:
    from core.comparison import thresholds

    return thresholds.classification_curves(_tables.test_predictions, model, _tables.manifest)


@st.cache_data(show_spinner=False, max_entries=32)
def regression_diagnostics(fingerprint: str, suite_path: str, model: str, _tables):
    from core.comparison import diagnostics

    return diagnostics.regression_diagnostics(_tables.test_predictions, model)


@st.cache_data(show_spinner="Shuffling each feature through the model…", max_entries=32)
def permutation_importance(fingerprint: str, suite_path: str, model: str, _suite, _frame, _tables):
    """Drop in test R² when a feature is shuffled (2,000 test songs, 5 repeats); None when it cannot be computed."""
    from core.comparison import importance

    return importance.regression_permutation_importance(_suite, model, _frame, _tables.test_predictions)


@st.cache_data(show_spinner="Computing XGBoost's SHAP contributions…", max_entries=8)
def xgboost_importance(fingerprint: str, suite_path: str, _suite, _frame, _tables):
    """(model name, mean |contribution| per feature) for the suite's XGBoost regressor, or None without one."""
    from core.comparison import importance

    return importance.regression_shap_importance(_suite, _frame, _tables.test_predictions)


# ---- training jobs (issue #13) ---------------------------------------------------------------------------------------
# One JobManager per server and store: it holds the Dask client (which cache_resource cannot hold itself: a Client is
# awaitable) and the threads of the jobs this server owns. Jobs themselves live in the store, so every session, every
# server replica on the same store and the CLI see the same ones.

AUTOTRAIN_ENV = "SPOTIFY_AUTOTRAIN"
SCHEDULER_ENV = "SPOTIFY_DASK_SCHEDULER"  # core.models.jobs.SCHEDULER_ENV, named here so start-up needs no model import


def job_manager() -> jobs.JobManager:
    return _job_manager(str(suite_store().root), os.environ.get(SCHEDULER_ENV) or "")


@st.cache_resource(show_spinner=False)
def _job_manager(root: str, scheduler: str) -> jobs.JobManager:
    import atexit

    from core.models import jobs

    manager = jobs.JobManager(Path(root), scheduler=scheduler or None)
    atexit.register(manager.close)  # the embedded cluster's processes end with the server
    return manager


def autotrain_default_suite(dataset: sources.Dataset) -> None:
    """Once per server and data: queue the report's default suite when none is stored (SPOTIFY_AUTOTRAIN=0: never).

    So a newcomer reaches a scored song on What-if without pressing Train."""
    if os.environ.get(AUTOTRAIN_ENV, "1") == "0" or not dataset.report.has_target:
        return
    _autotrain_once(dataset.fingerprint, str(suite_store().root), dataset)


@st.cache_resource(show_spinner=False, max_entries=8)
def _autotrain_once(fingerprint: str, root: str, _dataset: sources.Dataset) -> None:
    """In a background thread: the check imports the model stack (~2 s), which the first page must not wait for."""
    import threading


    def work() -> None:
        from core.models.config import SuiteConfig
        from core.models.store import ArtifactStore

        if ArtifactStore(Path(root)).find(fingerprint, SuiteConfig()) is not None:
            return
        label = "the twin (synthetic)" if _dataset.is_twin else _dataset.report.name
        job_manager().submit(_dataset.frame, fingerprint, SuiteConfig(), label)

    threading.Thread(target=work, name="autotrain", daemon=True).start()


# ---- the report (HTML download, issue #17) ---------------------------------------------------------------------------
# Made when the sidebar button is clicked (st.download_button runs the callable in its own thread) and kept per data
# and stored suite: every save is a new folder, so a retrained suite makes a new report.


def report_html(dataset: sources.Dataset) -> bytes:
    """The report for this data with the suite the model comparison page opens on (data sections only without one)."""
    from core.report import build as report

    store = suite_store()
    try:
        path = report.preferred_suite_path(store, dataset.fingerprint)
        return _report_html(dataset.fingerprint, str(path or ""), str(store.root), dataset)
    except Exception as error:  # a download is a file, never a traceback: the file says what went wrong  # noqa: BLE001
        return report.failure_page(dataset, error).encode("utf-8")


@st.cache_data(show_spinner=False, max_entries=4)
def _report_html(fingerprint: str, suite_path: str, root: str, _dataset: sources.Dataset) -> bytes:
    from core.models.store import ArtifactStore
    from core.report import build as report

    store = ArtifactStore(Path(root))
    suite = report.load_suite(store, Path(suite_path) if suite_path else None)
    return report.build_report(_dataset, suite).encode("utf-8")


# ---- Leaderboard intervals, calibration, "What would it take?" (issue #16) ---------------------------------------------
# Intervals are stored with a suite; one stored before them gets them computed here, once per stored folder.


@st.cache_data(show_spinner="Bootstrapping the test set (once for this suite)…", max_entries=8)
def suite_intervals(fingerprint: str, suite_path: str, _tables):
    from core.comparison import uncertainty

    stored = getattr(_tables, "intervals", None)
    if stored is not None and len(stored):
        return stored
    return uncertainty.suite_intervals(_tables.test_predictions, _tables.manifest, _tables.regression_table,
                                       _tables.classification_table)


@st.cache_data(show_spinner=False, max_entries=8)
def suite_calibration(fingerprint: str, suite_path: str, _tables):
    from core.comparison import calibration

    return calibration.suite_calibration(_tables.test_predictions, _tables.manifest)


@st.cache_data(show_spinner=False, max_entries=64)
def reliability_curve(fingerprint: str, suite_path: str, model: str, n_bins: int, _tables):
    from core.comparison import calibration

    return calibration.suite_reliability(_tables.test_predictions, _tables.manifest, model, n_bins)


@st.cache_data(show_spinner=False, max_entries=64)
def regressor_pr_curve(fingerprint: str, suite_path: str, regressor: str, _tables):
    from core.comparison import thresholds

    return thresholds.regressor_pr_curve(_tables.test_predictions, regressor, _tables.popular_threshold,
                                         _tables.manifest)


@st.cache_resource(show_spinner=False, max_entries=4)
def whatif_calibration(fingerprint: str, suite_key: str, _suite):
    """Which classifiers' probabilities are calibrated on the suite's test songs (shared, never modified)."""
    from core.comparison import calibration

    return calibration.suite_calibration(_suite.test_predictions, _suite.manifest)


@st.cache_resource(show_spinner=False, max_entries=4)
def whatif_search_space(fingerprint: str, feature_names: tuple[str, ...], _frame, _specs):
    from core.whatif import counterfactual

    return counterfactual.search_space(_frame, _specs)


@st.cache_data(show_spinner="Searching for the smallest realistic change…", max_entries=128)
def whatif_counterfactual(fingerprint: str, suite_key: str, song: tuple, goal: str, points: float,
                          classifier: str | None, _scorer, _space, _index, _frame):
    from core.whatif import counterfactual

    return counterfactual.search(_scorer, _space, _index, dict(song), counterfactual.Goal(goal, points, classifier),
                                 _frame)
