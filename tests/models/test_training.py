"""Training on small twin samples: the tables, the threshold rule, weights, progress, failures and odd data."""
from __future__ import annotations

import argparse
import json
import threading

import numpy as np
import pandas as pd
import pytest
from sklearn.utils.class_weight import compute_class_weight

from core import schema
from core.models import metrics, suites as S
from core.models.cli import main_train
from core.models.config import SuiteConfig, TrainedSuite
from core.models.training import CLASSIFICATION_COLUMNS, REGRESSION_COLUMNS, train_suite

ROWS = 3_000
CONFIG = SuiteConfig(include_ann=False)


@pytest.fixture(scope="module")
def frame(twin_small):
    return twin_small.iloc[:ROWS]


@pytest.fixture(scope="module")
def run(frame):
    """The three report suites without networks, on 2 threads, with every progress event recorded."""
    events, threads = [], set()

    def record(event):
        events.append(event)
        threads.add(threading.current_thread() is threading.main_thread())

    suite = train_suite(frame, CONFIG, "training-test", progress=record, n_jobs=2)
    return suite, events, threads


def test_tables_have_the_contract_columns_and_a_row_per_model(run):
    suite, _, _ = run
    assert isinstance(suite, TrainedSuite)
    assert list(suite.regression_table.columns) == [c for c in REGRESSION_COLUMNS if not c.startswith("cv_")]
    assert list(suite.classification_table.columns) == [c for c in CLASSIFICATION_COLUMNS if not c.startswith("cv_")]
    expected = [s.name for s in S.select_specs(CONFIG.suites, include_ann=False)]
    assert list(suite.regression_table.index) + list(suite.classification_table.index) == expected
    assert (suite.regression_table["status"] == "ok").all() and (suite.classification_table["status"] == "ok").all()
    assert set(suite.models) == set(expected)


def test_dummy_baselines_are_rows_of_each_table(run):
    suite, _, _ = run
    reg, cls = suite.regression_table, suite.classification_table
    assert reg.loc["Dummy (mean)", "group"] == "baseline"
    assert reg.loc["Dummy (mean)", "R2 Score"] == pytest.approx(0.0, abs=0.02)
    majority = 1 - suite.test_predictions["y_class"].mean()
    assert cls.loc["DUMMY CLASSIFIER (most frequent)", "accuracy_score"] == pytest.approx(majority)
    assert cls.loc["DUMMY CLASSIFIER (most frequent)", "roc_auc"] == pytest.approx(0.5)


def test_popular_means_the_99th_percentile_of_the_training_popularity(run, frame):
    suite, _, _ = run
    predictions = suite.test_predictions
    train = frame.loc[frame.index.difference(predictions.index), schema.TARGET]
    assert len(train) == ROWS - len(predictions) == int(ROWS * 0.8)
    assert suite.popular_threshold == np.percentile(train, 99)
    assert (predictions["y_class"] == (predictions["y_true"] >= suite.popular_threshold)).all()
    assert (predictions["y_true"] == frame.loc[predictions.index, schema.TARGET]).all()
    assert (predictions["artist"] == frame.loc[predictions.index, schema.ARTIST]).all()


def test_class_weights_are_balanced_on_the_training_split(run, frame):
    suite, _, _ = run
    train_labels = (frame.loc[frame.index.difference(suite.test_predictions.index), schema.TARGET]
                    >= suite.popular_threshold).astype(int).to_numpy()
    expected = compute_class_weight("balanced", classes=np.array([0, 1]), y=train_labels)
    for name in ("LOGISTIC REGRESSION (class-weighted)", "RANDOM FOREST CLASSIFIER (class-weighted)"):
        weights = suite.models[name].class_weight
        assert weights[0] == pytest.approx(expected[0]) and weights[1] == pytest.approx(expected[1])
        assert weights[1] * train_labels.sum() == pytest.approx(weights[0] * (1 - train_labels).sum())
    assert suite.models["LOGISTIC REGRESSION"].class_weight is None


def test_as_the_report_the_boosters_and_extra_trees_run_unweighted_and_the_corrections_take_the_weights(run):
    suite, _, _ = run
    table = suite.classification_table[list(metrics.REPORT_CLASSIFICATION_METRICS)]
    plain = table.loc["GRADIENT BOOSTING CLASSIFIER"]
    pd.testing.assert_series_equal(table.loc["GRADIENT BOOSTING CLASSIFIER (class-weighted)"], plain, check_names=False)
    pd.testing.assert_series_equal(table.loc["EXTRA TREES CLASSIFIER (class-weighted)"],
                                   table.loc["EXTRA TREES CLASSIFIER"], check_names=False)
    assert suite.models["EXTRA TREES CLASSIFIER (class-weighted)"].class_weight is None
    assert suite.models["EXTRA TREES CLASSIFIER (balanced weights applied)"].class_weight[1] > 10
    # Balanced sample weights make the boosters find more of the popular songs than their unweighted runs.
    recall = suite.classification_table["minority_recall"]
    for model in ("GRADIENT BOOSTING CLASSIFIER", "ADABOOST CLASSIFIER"):
        assert recall[model + S.WEIGHTS_APPLIED_SUFFIX] > recall[model + S.WEIGHTED_SUFFIX], model


def test_a_spec_scored_at_the_f1_best_threshold_fills_the_report_columns_at_that_cut(frame):
    from dataclasses import replace

    logistic = S.SPECS_BY_NAME["LOGISTIC REGRESSION"]
    tuned = replace(logistic, name="LOGISTIC REGRESSION (F1-best)", report_threshold=S.THRESHOLD_F1_BEST)
    suite = train_suite(frame, CONFIG, "threshold", n_jobs=1, specs=[logistic, tuned])
    table, predictions = suite.classification_table, suite.test_predictions
    best = table.loc[tuned.name, "best_threshold"]
    called = (predictions["cls::" + tuned.name] >= best).astype(int)
    assert 0 < called.sum() < len(called)
    assert table.loc[tuned.name, "accuracy_score"] == pytest.approx((called == predictions["y_class"]).mean())
    assert table.loc[tuned.name, "accuracy_score"] != table.loc[logistic.name, "accuracy_score"]
    # the honest "popular at 0.5" columns still score 0.5
    for column in ("minority_recall", "minority_precision", "best_threshold", "roc_auc"):
        assert table.loc[tuned.name, column] == pytest.approx(table.loc[logistic.name, column])


def test_test_predictions_hold_every_model_and_match_predicting_again(run, frame, engine_predictions):
    suite, _, _ = run
    predictions = suite.test_predictions
    rows = frame.loc[predictions.index[:40], suite.feature_names]
    popularity, hit = engine_predictions(suite, rows)
    assert list(popularity.columns) == list(suite.regressors()) and list(hit.columns) == list(suite.classifiers())
    for name in popularity.columns:
        np.testing.assert_allclose(popularity[name], predictions.loc[rows.index, "reg::" + name], rtol=1e-9)
    for name in hit.columns:
        np.testing.assert_allclose(hit[name], predictions.loc[rows.index, "cls::" + name], rtol=1e-9, atol=1e-12)
    assert ((hit >= 0) & (hit <= 1)).all().all()


def test_one_row_scoring_works_on_a_plain_frame(run, frame, engine_predictions):
    suite, _, _ = run
    one = frame.iloc[[0]][suite.feature_names]
    popularity, _ = engine_predictions(suite, one)
    assert popularity.shape == (1, len(suite.regressors()))
    with pytest.raises(ValueError, match="lack the feature"):
        engine_predictions(suite, one.drop(columns=["tempo"]))


def test_progress_reaches_the_callers_thread_once_started_and_once_finished_per_model(run):
    suite, events, threads = run
    assert threads == {True}
    total = len(suite.specs)
    assert all(e.total == total for e in events)
    for name in suite.specs:
        statuses = [e.status for e in events if e.model == name]
        assert statuses == ["started", "finished"], (name, statuses)
    assert [e.done for e in events if e.status != "started"] == list(range(1, total + 1))
    assert events[0].model in ("AdaBoost", "Gradient Boosting"), "slowest models start first"


def test_timings_are_recorded_for_every_model(run):
    suite, _, _ = run
    for table in (suite.regression_table, suite.classification_table):
        assert (table["fit_s"] >= 0).all() and (table["predict_us_per_row"] > 0).all()
        assert (table["n_train"] == int(ROWS * 0.8)).all()


def _explode(**_):
    raise RuntimeError("injected failure for the test")


def test_a_failing_model_is_reported_and_the_others_finish(frame):
    broken = S.ModelSpec("BROKEN MODEL", S.REGRESSION, S.GROUP_REPORT, S.SUITE_REGRESSION, _explode)
    specs = [S.SPECS_BY_NAME["Linear Regression"], broken, S.SPECS_BY_NAME["LOGISTIC REGRESSION"]]
    events = []
    suite = train_suite(frame, CONFIG, "broken", progress=events.append, n_jobs=2, specs=specs)
    row = suite.regression_table.loc["BROKEN MODEL"]
    assert row["status"] == "failed" and "injected failure" in row["error"]
    assert suite.regression_table.loc["Linear Regression", "status"] == "ok"
    assert suite.classification_table.loc["LOGISTIC REGRESSION", "status"] == "ok"
    assert "BROKEN MODEL" not in suite.models and "reg::BROKEN MODEL" not in suite.test_predictions
    failed = [e for e in events if e.status == "failed"]
    assert [e.model for e in failed] == ["BROKEN MODEL"] and "injected failure" in failed[0].error


def test_no_popular_song_in_training_is_a_sentence_per_classifier(frame):
    tiny = frame.iloc[:400].copy()
    tiny[schema.TARGET] = 10
    tiny.iloc[[3, 250], tiny.columns.get_loc(schema.TARGET)] = 90  # 2 positives in 400 rows
    specs = S.select_specs(("regression", "classification"), include_ann=False)
    suite = train_suite(tiny, CONFIG, "tiny", n_jobs=1, specs=specs)
    cls = suite.classification_table
    assert (cls["status"] == "failed").all()
    assert cls["error"].str.contains("training split holds").all()
    assert (suite.regression_table["status"] == "ok").all()
    assert any("training split holds" in w for w in suite.manifest["warnings"])
    assert suite.classifiers() == {}


def test_a_handful_of_positives_trains_or_says_why(frame):
    tiny = frame.iloc[:400].copy()
    rng = np.random.default_rng(0)
    tiny[schema.TARGET] = rng.integers(0, 50, len(tiny))
    tiny.iloc[[5, 80, 160, 390], tiny.columns.get_loc(schema.TARGET)] = [91, 92, 93, 94]
    suite = train_suite(tiny, CONFIG, "few", n_jobs=1)
    cls = suite.classification_table
    assert len(cls) == len(S.select_specs(("classification", "weighted"), include_ann=False))
    assert cls["status"].isin(["ok", "failed"]).all()
    failed = cls[cls["status"] == "failed"]
    assert failed["error"].str.len().gt(10).all()
    assert (cls["status"] == "ok").sum() >= 10


def test_grouped_split_keeps_each_artist_on_one_side(frame):
    config = SuiteConfig(suites=("regression",), include_ann=False, grouped=True)
    suite = train_suite(frame, config, "grouped", n_jobs=1, specs=[S.SPECS_BY_NAME["Linear Regression"]])
    test_artists = set(suite.test_predictions["artist"])
    train_artists = set(frame.loc[frame.index.difference(suite.test_predictions.index), schema.ARTIST])
    assert not test_artists & train_artists
    assert suite.manifest["split"]["kind"] == "grouped" and suite.manifest["split"]["artists_in_both"] == 0
    random_suite = train_suite(frame, SuiteConfig(suites=("regression",), include_ann=False), "random", n_jobs=1,
                               specs=[S.SPECS_BY_NAME["Linear Regression"]])
    assert random_suite.manifest["split"]["kind"] == "random"
    assert random_suite.manifest["split"]["artists_in_both"] > 0


def test_cross_validation_adds_mean_and_sd_columns(frame):
    config = SuiteConfig(include_ann=False, cv_folds=3)
    specs = [S.SPECS_BY_NAME[n] for n in ("Linear Regression", "LOGISTIC REGRESSION")]
    events = []
    suite = train_suite(frame, config, "cv", progress=events.append, n_jobs=2, specs=specs)
    reg = suite.regression_table.loc["Linear Regression"]
    assert {"cv_R2_mean", "cv_R2_sd", "cv_RMSE_mean", "cv_RMSE_sd"} <= set(suite.regression_table.columns)
    assert 0 < reg["cv_R2_mean"] < 0.3 and reg["cv_R2_sd"] > 0
    assert np.isfinite(suite.classification_table.loc["LOGISTIC REGRESSION", "cv_pr_auc_mean"])
    assert len([e for e in events if e.status == "finished"]) == 2 + 2 * 3


def test_three_quantile_bins(frame, engine_predictions):
    config = SuiteConfig(suites=("classification",), include_ann=False, binning="3bin")
    specs = [S.SPECS_BY_NAME[n] for n in ("LOGISTIC REGRESSION", "DUMMY CLASSIFIER (most frequent)")]
    suite = train_suite(frame, config, "bins", n_jobs=1, specs=specs)
    assert suite.manifest["classes"] == [0, 1, 2] and len(suite.manifest["bin_edges"]) == 2
    assert set(suite.test_predictions["y_class"]) == {0, 1, 2}
    assert suite.popular_threshold == suite.manifest["bin_edges"][-1]
    row = suite.classification_table.loc["LOGISTIC REGRESSION"]
    assert row["status"] == "ok" and 0.5 < row["roc_auc"] < 1
    _, proba = engine_predictions(suite, frame.iloc[:5])
    assert ((proba >= 0) & (proba <= 1)).all().all()


def test_config_key_is_stable_and_validated():
    assert SuiteConfig().key() == SuiteConfig().key() and len(SuiteConfig().key()) == 12
    assert SuiteConfig(grouped=True).key() != SuiteConfig().key()
    assert SuiteConfig.from_dict(SuiteConfig(suites=["regression"], cv_folds=5).to_dict()) == \
        SuiteConfig(suites=("regression",), cv_folds=5)
    for bad in ({"binning": "5bin"}, {"cv_folds": 1}, {"suites": ("nope",)}, {"test_size": 1.5}):
        with pytest.raises(ValueError):
            SuiteConfig(**bad)


def test_missing_target_is_a_clear_error(frame):
    with pytest.raises(ValueError, match="popularity"):
        train_suite(frame.drop(columns=[schema.TARGET]), CONFIG, "x")


def test_rows_with_missing_values_are_dropped_and_counted(frame):
    holes = frame.iloc[:500].copy()
    holes.loc[holes.index[:7], "tempo"] = np.nan
    suite = train_suite(holes, SuiteConfig(suites=("regression",), include_ann=False), "holes", n_jobs=1,
                        specs=[S.SPECS_BY_NAME["Linear Regression"]])
    assert suite.manifest["split"]["dropped_rows"] == 7
    assert suite.manifest["split"]["n_rows"] == 493


@pytest.mark.slow  # trains the whole regression suite through the CLI
def test_cli_trains_prints_and_stores(tmp_path, capsys):
    args = argparse.Namespace(data=None, suite="regression", cv=0, grouped=False, extras=False, no_ann=True,
                              max_rows=800, store=tmp_path / "store")
    assert main_train(args) == 0
    out = capsys.readouterr().out
    assert "finished Linear Regression" in out and "R2 Score" in out and "saved to" in out
    assert list((tmp_path / "store").rglob("manifest.json"))


@pytest.mark.slow  # trains the whole classification suite through the CLI
def test_cli_trains_the_reports_three_bin_variant(tmp_path, capsys):
    args = argparse.Namespace(data=None, suite="classification", cv=0, grouped=False, extras=False, no_ann=True,
                              max_rows=1_500, store=tmp_path / "store", binning="3bin")
    assert main_train(args) == 0
    assert "saved to" in capsys.readouterr().out
    manifest = json.loads(next((tmp_path / "store").rglob("manifest.json")).read_text())
    assert manifest["config"]["binning"] == "3bin" and manifest["classes"] == [0, 1, 2]


def test_cli_refuses_a_missing_file(tmp_path, capsys):
    args = argparse.Namespace(data=tmp_path / "nope.csv", suite="all", cv=0, grouped=False, extras=False,
                              no_ann=True, max_rows=None, store=tmp_path / "store")
    assert main_train(args) == 2
    assert "nope.csv" in capsys.readouterr().err


def test_extras_train_within_their_budget(frame):
    config = SuiteConfig(suites=("regression",), include_ann=False, extras=True)
    suite = train_suite(frame, config, "extras", n_jobs=2, specs=list(S.EXTRA_SPECS))
    assert (suite.regression_table["status"] == "ok").all(), suite.regression_table["error"]
    assert (suite.regression_table["fit_s"] < 20).all()


def test_dataframe_without_artist_still_trains(frame):
    plain = frame.drop(columns=[schema.ARTIST]).iloc[:600]
    suite = train_suite(plain, SuiteConfig(suites=("regression",), include_ann=False), "plain", n_jobs=1,
                        specs=[S.SPECS_BY_NAME["Linear Regression"]])
    assert (suite.test_predictions["artist"] == "").all()
    with pytest.raises(ValueError, match="artist"):
        train_suite(plain, SuiteConfig(suites=("regression",), grouped=True), "plain")
    assert isinstance(suite.test_predictions, pd.DataFrame)


@pytest.mark.parametrize("name, rows", [("tophits_2000_2019_songs_normalize.csv", 2_000),
                                        ("exportify_genre_disco.csv", 413)])
@pytest.mark.slow  # trains every suite on real files
def test_the_suites_run_on_small_real_files_and_say_when_popular_songs_are_few(shared_data, name, rows):
    from core import sources

    dataset = sources.load_csv(shared_data / name)
    assert len(dataset.frame) == rows
    suite = train_suite(dataset.frame, SuiteConfig(include_ann=False), dataset.fingerprint, n_jobs=2)
    tables = (suite.regression_table, suite.classification_table)
    assert all((table["status"] == "ok").all() for table in tables), [t[t.status != "ok"]["error"] for t in tables]
    few = [w for w in suite.manifest["warnings"] if w.startswith("only ")]
    assert bool(few) == (rows < 1_000), suite.manifest["warnings"]   # 413 rows → ~3 popular songs in training
