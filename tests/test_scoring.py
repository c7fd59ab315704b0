"""Scoring songs with every model: one song = its batch row, contributions add up, sweeps pass through the point,
the out-of-distribution check, the shareable query string, batch uploads and the CLI."""
from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
import pytest

from core import schema, scoring

TRAIN_ROWS = 3_000


@pytest.fixture(scope="module")
def suite(twin_small):
    """The report's suites (no networks, for speed) trained on a small twin sample by the real engine."""
    from core import training
    config = training.SuiteConfig(include_ann=False, max_rows=TRAIN_ROWS)
    return training.train_suite(twin_small, config, fingerprint="scoring-test", n_jobs=1)


@pytest.fixture(scope="module")
def scorer(suite):
    return scoring.Scorer(suite)


@pytest.fixture(scope="module")
def specs(twin_small, scorer):
    return scoring.slider_specs(twin_small, scorer.feature_names)


@pytest.fixture(scope="module")
def song(twin_small, specs):
    return scoring.song_from_row(twin_small, twin_small.index[17], specs)


# ---- scoring ---------------------------------------------------------------------------------------------------------

def test_scorer_uses_every_model_of_the_suite_and_its_f1_best_thresholds(suite, scorer):
    assert set(scorer.regressor_names) == set(suite.regressors())
    assert set(scorer.classifier_names) == set(suite.classifiers())
    assert len(scorer.regressor_names) >= 3 and len(scorer.classifier_names) >= 3
    table = suite.classification_table
    for name in scorer.classifier_names:
        if name in table.index and np.isfinite(table.loc[name, "best_threshold"]):
            assert scorer.thresholds[name] == pytest.approx(float(table.loc[name, "best_threshold"]))


def test_fast_path_predicts_exactly_what_the_engine_predicts(suite, scorer, twin_small):
    rows = twin_small.iloc[:50]
    batch = scoring.score_batch(scorer, rows)
    engine_popularity = suite.predict_popularity(rows[scorer.feature_names])
    engine_proba = suite.predict_hit_proba(rows[scorer.feature_names])
    for name in scorer.regressor_names:
        np.testing.assert_allclose(batch[scoring.REGRESSION_PREFIX + name], engine_popularity[name], rtol=1e-5,
                                   atol=1e-4, err_msg=name)
    for name in scorer.classifier_names:
        np.testing.assert_allclose(batch[scoring.CLASSIFICATION_PREFIX + name], engine_proba[name], rtol=1e-5,
                                   atol=1e-5, err_msg=name)


@pytest.mark.slow  # trains three Keras networks (TensorFlow)
def test_networks_called_as_graphs_predict_what_the_engine_predicts(twin_small):
    from core import training
    from core import suites

    networks = [suites.SPECS_BY_NAME[name] for name in ("ANN", "ANN CLASSIFIER", "ANN CLASSIFIER (class-weighted)")]
    suite = training.train_suite(twin_small, training.SuiteConfig(max_rows=2_000), "ann-test", n_jobs=1,
                                 specs=networks)
    scorer = scoring.Scorer(suite)
    rows = twin_small.iloc[:40]
    batch = scoring.score_batch(scorer, rows)
    np.testing.assert_allclose(batch[scoring.REGRESSION_PREFIX + "ANN"],
                               suite.predict_popularity(rows)["ANN"], rtol=1e-5, atol=1e-4)
    engine_proba = suite.predict_hit_proba(rows)
    for name in ("ANN CLASSIFIER", "ANN CLASSIFIER (class-weighted)"):
        np.testing.assert_allclose(batch[scoring.CLASSIFICATION_PREFIX + name], engine_proba[name], rtol=1e-4,
                                   atol=1e-6, err_msg=name)


def test_a_network_numpy_cannot_evaluate_is_called_through_keras():
    from core import ann

    keras = ann.keras_module()
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(4), keras.layers.LeakyReLU(),
                              keras.layers.Dense(1)])
    assert ann.inference_pass(model) is None
    x = np.random.default_rng(0).normal(size=(5, 3))
    compiled = scoring._compiled_network(model, 3)
    np.testing.assert_allclose(np.asarray(compiled(x.astype("float32"))), np.asarray(model(x, training=False)),
                               rtol=1e-5)


def test_scoring_one_song_equals_batch_scoring_of_the_same_row(scorer, song):
    one = scoring.score_song(scorer, song)
    batch = scoring.score_batch(scorer, scoring.song_frame(song, scorer.feature_names)).iloc[0]
    for name in scorer.regressor_names:
        assert one.popularity[name] == pytest.approx(batch[scoring.REGRESSION_PREFIX + name], rel=1e-6, abs=1e-6)
    for name in scorer.classifier_names:
        assert one.hit_probability[name] == pytest.approx(batch[scoring.CLASSIFICATION_PREFIX + name], abs=1e-7)
        assert bool(one.is_hit[name]) == bool(batch[scoring.HIT_PREFIX + name])


def test_contributions_sum_to_the_xgboost_prediction(scorer, song):
    score = scoring.score_song(scorer, song)
    assert score.contribution_model == "XGBoost"
    assert list(score.contributions.index) == [scoring.BIAS, *scorer.feature_names]
    assert score.contributions.sum() == pytest.approx(score.popularity["XGBoost"], abs=1e-3)
    assert score.contributions.drop(scoring.BIAS).abs().sum() > 0


def test_sensitivity_curve_at_the_current_value_equals_the_point_prediction(scorer, specs, song):
    score = scoring.score_song(scorer, song)
    for spec in (s for s in specs if s.name in ("loudness", "key", "duration_ms")):
        curve = scoring.sensitivity_curve(scorer, song, spec)
        at_current = curve[np.isclose(curve["value"], song[spec.name])]
        popularity = at_current[at_current["kind"] == "popularity"].set_index("model")["prediction"]
        proba = at_current[at_current["kind"] == "hit probability"].set_index("model")["prediction"]
        pd.testing.assert_series_equal(popularity, score.popularity, check_names=False, rtol=1e-6)
        pd.testing.assert_series_equal(proba, score.hit_probability, check_names=False, rtol=1e-6)
        # The sweep spans the whole slider range.
        assert curve["value"].min() == pytest.approx(spec.min) and curve["value"].max() == pytest.approx(spec.max)


def test_sensitivity_of_the_key_visits_every_note(scorer, specs, song):
    key = next(s for s in specs if s.name == "key")
    curve = scoring.sensitivity_curve(scorer, song, key, models=[scorer.regressor_names[0]])
    assert sorted(curve["value"].unique()) == list(key.options)
    assert set(curve["kind"]) == {"popularity"}


def test_percentile_rank_places_a_song_among_the_data(scorer, twin_small):
    ranks = scoring.reference_predictions(scorer, twin_small)
    assert len(ranks) == len(twin_small) and np.all(np.diff(ranks) >= 0)
    assert scoring.percentile_rank(ranks, ranks[0] - 1) == 0
    assert scoring.percentile_rank(ranks, ranks[-1] + 1) == 100
    assert scoring.percentile_rank(ranks, float(np.median(ranks))) == pytest.approx(50, abs=2)


def test_score_song_is_fast_enough_for_a_slider(scorer, song):
    from benchmarks import median_seconds

    scoring.score_song(scorer, song)
    assert median_seconds(lambda: scoring.score_song(scorer, song), repeat=5) < 0.25


# ---- is this song plausible? ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def plausibility_index(twin_small, scorer):
    return scoring.build_plausibility_index(twin_small.iloc[:4_000], scorer.feature_names, sample_size=4_000)


def test_ood_badge_fires_on_an_absurd_song(plausibility_index, specs):
    absurd = {s.name: s.snap(s.max) for s in specs}
    absurd.update(loudness=specs[[s.name for s in specs].index("loudness")].min, tempo=0.0)
    check = scoring.check_plausibility(plausibility_index, absurd)
    assert check.is_unusual
    assert check.distance > check.threshold and check.percentile == 100


def test_ood_badge_stays_quiet_on_real_twin_rows(plausibility_index, twin_small, specs):
    # Rows the index has never seen: at most a few of them may be as far out as the real songs' top 1%.
    held_out = twin_small.iloc[4_000:4_200]
    flagged = [scoring.check_plausibility(plausibility_index, row).is_unusual
               for _, row in held_out[plausibility_index.feature_names].iterrows()]
    assert sum(flagged) <= 6
    median = scoring.median_song(twin_small, specs)
    assert not scoring.check_plausibility(plausibility_index, median).is_unusual


def test_nearest_songs_are_real_rows_with_their_popularity(plausibility_index, twin_small):
    row = twin_small.iloc[5]
    check = scoring.check_plausibility(plausibility_index, row[plausibility_index.feature_names], twin_small)
    assert len(check.nearest) == 5
    assert check.nearest.index[0] == twin_small.index[5] and check.nearest["distance"].iloc[0] == pytest.approx(0)
    assert {schema.ARTIST, schema.TRACK_NAME, schema.TARGET} <= set(check.nearest.columns)
    assert check.nearest["distance"].is_monotonic_increasing


# ---- sliders, starting points, the query string ----------------------------------------------------------------------

def test_slider_ranges_are_the_observed_range_clipped_to_the_schema():
    frame = pd.DataFrame({"loudness": [-75.0, -5.0, 3.21], "tempo": [50.2, 120.0, 180.75], "key": [2, 5, 9],
                          "duration_ms": [61_500, 200_000, 7_000_000], "mode": [0, 1, 1]})
    specs = {s.name: s for s in scoring.slider_specs(frame, list(frame.columns))}
    assert (specs["loudness"].min, specs["loudness"].max) == (-60.0, 3.3)
    assert (specs["tempo"].min, specs["tempo"].max) == (50.0, 181.0)
    assert specs["key"].options == tuple(range(2, 10))
    assert specs["mode"].options == (0, 1)
    duration = specs["duration_ms"].options
    assert duration[0] == 61_000 and duration[-1] == 6_000_000
    assert np.all(np.diff(duration)[np.array(duration[:-1]) < 600_000] == 1_000)     # 1-second steps for songs
    assert 240_000 in duration and max(np.diff(duration)) == 60_000                  # coarser in the long tail
    assert specs["duration_ms"].snap(238_373) == 238_000
    assert specs["duration_ms"].format_value(238_373) == "3:58"
    assert specs["key"].format_value(1) == schema.KEY_NAMES[1]
    assert specs["loudness"].snap(-7.678) == pytest.approx(-7.7)


def test_query_string_round_trip_restores_the_song(specs, song):
    encoded = scoring.encode_song(song, specs)
    assert all(isinstance(v, str) for v in encoded.values())
    assert scoring.decode_song(encoded, specs) == song


def test_bad_query_values_are_ignored(specs, song):
    encoded = scoring.encode_song(song, specs)
    spec = {s.name: s for s in specs}
    params = {**encoded, "loudness": "loud", "tempo": "nan", "energy": "inf", "valence": "7",
              "key": "2.5", "danceability": "../../etc/passwd", "acousticness": "1" * 40,
              "liveness": ["0.2", "0.3"], "not_a_feature": "1"}
    decoded = scoring.decode_song(params, specs)
    for name in ("loudness", "tempo", "energy", "valence", "key", "danceability", "acousticness"):
        assert name not in decoded, name
    assert decoded["liveness"] == spec["liveness"].snap(0.3)
    assert "not_a_feature" not in decoded
    assert decoded["mode"] == song["mode"]


def test_search_needs_every_word_and_random_popular_respects_the_threshold(twin_small):
    keys = scoring.search_keys(twin_small)
    row = twin_small.iloc[10]
    query = f"{row[schema.ARTIST].upper()} {row[schema.TRACK_NAME].split()[0]}"
    labels = scoring.search_songs(keys, query, limit=10_000)
    assert twin_small.index[10] in labels
    assert all(word in keys[label] for label in labels for word in query.lower().split())
    assert len(labels) < len(twin_small)
    assert scoring.search_songs(keys, "   ") == []
    rng = np.random.default_rng(0)
    for _ in range(5):
        label = scoring.random_popular_label(twin_small, 70, rng)
        assert twin_small.at[label, schema.TARGET] >= 70
    assert scoring.random_popular_label(twin_small, 101, rng) is None


def test_changed_features_names_the_moved_sliders(specs, song):
    moved = {**song, "tempo": specs[[s.name for s in specs].index("tempo")].snap(song["tempo"] + 10)}
    assert scoring.changed_features(song, moved, specs) == ["Tempo"]
    assert scoring.changed_features(song, song, specs) == []


# ---- batch scoring: uploads and the command line ---------------------------------------------------------------------

def test_uploaded_csv_is_scored_with_every_model(scorer, twin_small):
    data = twin_small.iloc[:20].drop(columns=[schema.TARGET]).to_csv(index=False).encode()
    result = scoring.score_upload(scorer, data, "songs.csv")
    assert result.error is None
    table = result.table
    assert len(table) == 20 and schema.TARGET not in table
    for name in scorer.regressor_names:
        assert table[scoring.REGRESSION_PREFIX + name].notna().all()
    for name in scorer.classifier_names:
        assert table[scoring.CLASSIFICATION_PREFIX + name].between(0, 1).all()
    assert (table["predicted_popularity_min"] <= table["predicted_popularity_max"]).all()


def test_a_malformed_csv_gives_the_loaders_message(scorer):
    from core import sources
    data = b"name,colour\nfoo,red\n"
    result = scoring.score_upload(scorer, data, "bad.csv")
    assert result.table is None
    with pytest.raises(sources.DataError) as raised:
        sources.load_csv(data, name="bad.csv", source_kind="upload")
    assert result.error == str(raised.value)


def test_cli_scores_a_csv_with_the_stored_suite(suite, twin_small, tmp_path, capsys):
    from core import artifacts
    store = tmp_path / "store"
    artifacts.ArtifactStore(store).save(suite)
    songs = tmp_path / "songs.csv"
    twin_small.iloc[:30].to_csv(songs, index=False)
    out = tmp_path / "scored.csv"
    code = scoring.main_score(argparse.Namespace(input=songs, out=out, store=store))
    assert code == 0, capsys.readouterr().err
    scored = pd.read_csv(out)
    assert len(scored) == 30
    assert {scoring.REGRESSION_PREFIX + "XGBoost", schema.TARGET, schema.TRACK_ID} <= set(scored.columns)


def test_cli_without_a_stored_suite_says_what_to_do(twin_small, tmp_path, capsys):
    songs = tmp_path / "songs.csv"
    twin_small.iloc[:5].to_csv(songs, index=False)
    code = scoring.main_score(argparse.Namespace(input=songs, out=tmp_path / "o.csv", store=tmp_path / "empty"))
    assert code == 1
    assert "python -m core train" in capsys.readouterr().err


def test_a_threshold_that_calls_every_test_song_a_hit_or_none_is_silent():
    thresholds = pd.Series({"A": 0.2, "B": 0.0, "Tree": 1.0, "Flat": 1.0, "Untested": 1.0, "Prior": 0.0})
    test = pd.DataFrame({"cls::A": [0.1, 0.3, 0.5], "cls::B": [0.1, 0.3, 0.5],
                         "cls::Tree": [0.0, 1.0, 0.0],      # pure leaves: P = 1 exactly is the tree's own verdict
                         "cls::Flat": [0.2, 0.9, 0.4],      # never reaches 1: no song would ever be a hit
                         "cls::Prior": [0.01, 0.01, 0.01]})
    assert scoring.silent_classifiers(thresholds, test) == {"B", "Flat", "Untested", "Prior"}
    assert scoring.silent_classifiers(thresholds, None) == {"B", "Tree", "Flat", "Untested", "Prior"}


def test_silent_classifiers_and_baselines_do_not_vote():
    proba = pd.Series({"A": 0.3, "B": 0.0, "C": 0.9, "D": 0.2, "Prior": 0.01})
    threshold = pd.Series({"A": 0.2, "B": 0.0, "C": 1.0, "D": 0.5, "Prior": 0.0})
    score = scoring.SongScore(pd.Series(dtype=float), proba, threshold, frozenset({"Prior"}),
                              silent=frozenset({"B", "C", "Prior"}))
    assert score.silent_models == ["B", "C"]
    assert list(score.is_hit) == [True, True, False, False, True]
    assert score.hit_votes == (1, 2)                                   # A hit, D not; B, C and the baseline ignored


def test_the_scorer_counts_the_same_voters_for_a_song_and_for_a_batch(scorer, song, twin_small):
    assert scoring.score_song(scorer, song).hit_votes[1] == len(scorer.voters)
    assert not set(scorer.voters) & (scorer.baselines | scorer.silent)
    table = scoring.scored_table(scorer, twin_small.iloc[:20])
    assert (table["classifiers"] == len(scorer.voters)).all()


def test_popularity_table_ranks_models_and_says_how_far_off_each_one_is():
    popularity = pd.Series({"Linear Regression": 31.0, "XGBoost": 44.5, "ANN": 38.0, "Dummy (mean)": 24.2})
    metrics = pd.DataFrame({"RMSE": [19.7, 18.8, 18.2], "R2 Score": [0.0, 0.09, 0.14]},
                           index=["Dummy (mean)", "Linear Regression", "XGBoost"])  # no row for the ANN
    score = scoring.SongScore(popularity, pd.Series(dtype=float), pd.Series(dtype=float), frozenset({"Dummy (mean)"}))
    table = scoring.popularity_table(score, metrics, actual=40.0)
    assert list(table["model"]) == ["XGBoost", "ANN", "Linear Regression", "Dummy (mean)"]  # baselines last
    assert list(table["kind"]) == ["model", "model", "model", "baseline"]
    mean = (31.0 + 44.5 + 38.0) / 3                                                       # of the real models only
    assert table["vs_mean"].tolist() == pytest.approx([44.5 - mean, 38.0 - mean, 31.0 - mean, 24.2 - mean])
    assert table["vs_actual"].tolist() == pytest.approx([4.5, -2.0, -9.0, -15.8])
    assert table.set_index("model").at["XGBoost", "test_rmse"] == 18.2
    assert np.isnan(table.set_index("model").at["ANN", "test_r2"])

    unknown = scoring.popularity_table(score)
    assert list(unknown.columns) == scoring.POPULARITY_TABLE_COLUMNS
    assert unknown["vs_actual"].isna().all() and unknown["test_rmse"].isna().all()
