"""The Scorer: every model of the suite, its one-row paths equal to each model's own predictions, contributions that
add up, percentile ranks, who votes, and the per-model table."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.models.kinds import compiled_network
from core.schema import CLASSIFICATION_PREFIX, REGRESSION_PREFIX
from core.whatif.batch import HIT_PREFIX, score_batch, scored_table
from core.whatif.scorer import (BIAS, POPULARITY_TABLE_COLUMNS, Scorer, SongScore, percentile_rank, popularity_table,
                                reference_predictions, score_song, silent_classifiers, song_frame)


def test_scorer_uses_every_model_of_the_suite_and_its_f1_best_thresholds(small_suite, scorer):
    suite = small_suite
    assert set(scorer.regressor_names) == set(suite.regressors())
    assert set(scorer.classifier_names) == set(suite.classifiers())
    assert len(scorer.regressor_names) >= 3 and len(scorer.classifier_names) >= 3
    table = suite.classification_table
    for name in scorer.classifier_names:
        if name in table.index and np.isfinite(table.loc[name, "best_threshold"]):
            assert scorer.thresholds[name] == pytest.approx(float(table.loc[name, "best_threshold"]))


def test_fast_path_predicts_exactly_what_the_engine_predicts(small_suite, scorer, twin_small, engine_predictions):
    rows = twin_small.iloc[:50]
    batch = score_batch(scorer, rows)
    engine_popularity, engine_proba = engine_predictions(small_suite, rows[scorer.feature_names])
    for name in scorer.regressor_names:
        np.testing.assert_allclose(batch[REGRESSION_PREFIX + name], engine_popularity[name], rtol=1e-5,
                                   atol=1e-4, err_msg=name)
    for name in scorer.classifier_names:
        np.testing.assert_allclose(batch[CLASSIFICATION_PREFIX + name], engine_proba[name], rtol=1e-5,
                                   atol=1e-5, err_msg=name)


@pytest.mark.slow  # trains three Keras networks (TensorFlow)
def test_networks_called_as_graphs_predict_what_the_engine_predicts(twin_small, engine_predictions):
    from core.models import suites, training
    from core.models.config import SuiteConfig

    networks = [suites.SPECS_BY_NAME[name] for name in ("ANN", "ANN CLASSIFIER", "ANN CLASSIFIER (class-weighted)")]
    suite = training.train_suite(twin_small, SuiteConfig(max_rows=2_000), "ann-test", n_jobs=1,
                                 specs=networks)
    scorer = Scorer(suite)
    rows = twin_small.iloc[:40]
    batch = score_batch(scorer, rows)
    engine_popularity, engine_proba = engine_predictions(suite, rows)
    np.testing.assert_allclose(batch[REGRESSION_PREFIX + "ANN"], engine_popularity["ANN"], rtol=1e-5, atol=1e-4)
    for name in ("ANN CLASSIFIER", "ANN CLASSIFIER (class-weighted)"):
        np.testing.assert_allclose(batch[CLASSIFICATION_PREFIX + name], engine_proba[name], rtol=1e-4,
                                   atol=1e-6, err_msg=name)


@pytest.mark.slow  # builds a Keras network (TensorFlow)
def test_a_network_numpy_cannot_evaluate_is_called_through_keras():
    from core.models import keras as networks

    keras = networks.keras_module()
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(4), keras.layers.LeakyReLU(),
                              keras.layers.Dense(1)])
    assert networks.inference_pass(model) is None
    x = np.random.default_rng(0).normal(size=(5, 3))
    compiled = compiled_network(model, 3)
    np.testing.assert_allclose(np.asarray(compiled(x.astype("float32"))), np.asarray(model(x, training=False)),
                               rtol=1e-5)


def test_scoring_one_song_equals_batch_scoring_of_the_same_row(scorer, song):
    one = score_song(scorer, song)
    batch = score_batch(scorer, song_frame(song, scorer.feature_names)).iloc[0]
    for name in scorer.regressor_names:
        assert one.popularity[name] == pytest.approx(batch[REGRESSION_PREFIX + name], rel=1e-6, abs=1e-6)
    for name in scorer.classifier_names:
        assert one.hit_probability[name] == pytest.approx(batch[CLASSIFICATION_PREFIX + name], abs=1e-7)
        assert bool(one.is_hit[name]) == bool(batch[HIT_PREFIX + name])


def test_contributions_sum_to_the_xgboost_prediction(scorer, song):
    score = score_song(scorer, song)
    assert score.contribution_model == "XGBoost"
    assert list(score.contributions.index) == [BIAS, *scorer.feature_names]
    assert score.contributions.sum() == pytest.approx(score.popularity["XGBoost"], abs=1e-3)
    assert score.contributions.drop(BIAS).abs().sum() > 0


def test_percentile_rank_places_a_song_among_the_data(scorer, twin_small):
    ranks = reference_predictions(scorer, twin_small)
    assert len(ranks) == len(twin_small) and np.all(np.diff(ranks) >= 0)
    assert percentile_rank(ranks, ranks[0] - 1) == 0
    assert percentile_rank(ranks, ranks[-1] + 1) == 100
    assert percentile_rank(ranks, float(np.median(ranks))) == pytest.approx(50, abs=2)


def test_score_song_is_fast_enough_for_a_slider(scorer, song):
    from benchmarks import median_seconds

    score_song(scorer, song)
    assert median_seconds(lambda: score_song(scorer, song), repeat=5) < 0.25


def test_a_threshold_that_calls_every_test_song_a_hit_or_none_is_silent():
    thresholds = pd.Series({"A": 0.2, "B": 0.0, "Tree": 1.0, "Flat": 1.0, "Untested": 1.0, "Prior": 0.0})
    test = pd.DataFrame({"cls::A": [0.1, 0.3, 0.5], "cls::B": [0.1, 0.3, 0.5],
                         "cls::Tree": [0.0, 1.0, 0.0],      # pure leaves: P = 1 exactly is the tree's own verdict
                         "cls::Flat": [0.2, 0.9, 0.4],      # never reaches 1: no song would ever be a hit
                         "cls::Prior": [0.01, 0.01, 0.01]})
    assert silent_classifiers(thresholds, test) == {"B", "Flat", "Untested", "Prior"}
    assert silent_classifiers(thresholds, None) == {"B", "Tree", "Flat", "Untested", "Prior"}


def test_silent_classifiers_and_baselines_do_not_vote():
    proba = pd.Series({"A": 0.3, "B": 0.0, "C": 0.9, "D": 0.2, "Prior": 0.01})
    threshold = pd.Series({"A": 0.2, "B": 0.0, "C": 1.0, "D": 0.5, "Prior": 0.0})
    score = SongScore(pd.Series(dtype=float), proba, threshold, frozenset({"Prior"}),
                      silent=frozenset({"B", "C", "Prior"}))
    assert score.silent_models == ["B", "C"]
    assert list(score.is_hit) == [True, True, False, False, True]
    assert score.hit_votes == (1, 2)                                   # A hit, D not; B, C and the baseline ignored


def test_the_scorer_counts_the_same_voters_for_a_song_and_for_a_batch(scorer, song, twin_small):
    assert score_song(scorer, song).hit_votes[1] == len(scorer.voters)
    assert not set(scorer.voters) & (scorer.baselines | scorer.silent)
    table = scored_table(scorer, twin_small.iloc[:20])
    assert (table["classifiers"] == len(scorer.voters)).all()


def test_popularity_table_ranks_models_and_says_how_far_off_each_one_is():
    popularity = pd.Series({"Linear Regression": 31.0, "XGBoost": 44.5, "ANN": 38.0, "Dummy (mean)": 24.2})
    metrics = pd.DataFrame({"RMSE": [19.7, 18.8, 18.2], "R2 Score": [0.0, 0.09, 0.14]},
                           index=["Dummy (mean)", "Linear Regression", "XGBoost"])  # no row for the ANN
    score = SongScore(popularity, pd.Series(dtype=float), pd.Series(dtype=float), frozenset({"Dummy (mean)"}))
    table = popularity_table(score, metrics, actual=40.0)
    assert list(table["model"]) == ["XGBoost", "ANN", "Linear Regression", "Dummy (mean)"]  # baselines last
    assert list(table["kind"]) == ["model", "model", "model", "baseline"]
    mean = (31.0 + 44.5 + 38.0) / 3                                                       # of the real models only
    assert table["vs_mean"].tolist() == pytest.approx([44.5 - mean, 38.0 - mean, 31.0 - mean, 24.2 - mean])
    assert table["vs_actual"].tolist() == pytest.approx([4.5, -2.0, -9.0, -15.8])
    assert table.set_index("model").at["XGBoost", "test_rmse"] == 18.2
    assert np.isnan(table.set_index("model").at["ANN", "test_r2"])

    unknown = popularity_table(score)
    assert list(unknown.columns) == POPULARITY_TABLE_COLUMNS
    assert unknown["vs_actual"].isna().all() and unknown["test_rmse"].isna().all()
