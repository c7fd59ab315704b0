"""What-if scoring budget: one slider move = every default model's prediction + the XGBoost contributions ≤ 50 ms.

Times the very function the page's fragment calls (`core.whatif.scorer.score_song`) on the default suite for the full
twin, loaded from the default store (or trained and stored once when it is missing). `--quick` trains the default suite
on a sample instead and stores nothing. A single sklearn predict on the same row is measured beside it as the baseline.
"""
from __future__ import annotations

import time

from benchmarks import Measurement, median_seconds

BUDGET_MS = 50.0
QUICK_ROWS = 5_000
REPEAT = 30


def _suite(quick: bool):
    """(suite, dataset, how it was obtained)."""
    from core import sources
    from core.models import training
    from core.models.config import SuiteConfig
    from core.models.store import ArtifactStore

    dataset = sources.twin_dataset()
    if quick:
        config = SuiteConfig(max_rows=QUICK_ROWS)
        suite = training.train_suite(dataset.frame, config, dataset.fingerprint)
        return suite, dataset, f"trained on {QUICK_ROWS:,} rows"
    config = SuiteConfig()
    store = ArtifactStore()
    path = store.find(dataset.fingerprint, config)
    if path is not None:
        return store.load(path), dataset, "loaded from the store"
    start = time.perf_counter()
    suite = training.train_suite(dataset.frame, config, dataset.fingerprint)
    store.save(suite)
    return suite, dataset, f"trained and stored ({time.perf_counter() - start:.0f} s)"


def measurements(quick: bool = False) -> list[Measurement]:
    from core.whatif.plausibility import build_plausibility_index, check_plausibility
    from core.whatif.scorer import Scorer, reference_predictions, score_song
    from core.whatif.sensitivity import sensitivity_curve
    from core.whatif.sliders import median_song, slider_specs

    suite, dataset, origin = _suite(quick)
    scorer = Scorer(suite)
    frame = dataset.frame
    specs = slider_specs(frame, scorer.feature_names)
    song = median_song(frame, specs)
    n_models = len(scorer.regressor_names) + len(scorer.classifier_names)
    size = "sample" if quick else "full twin"

    def one_move():
        return score_song(scorer, song)

    one_move()  # first calls build Keras/XGBoost call paths; a slider move never pays them
    move_s = median_seconds(one_move, repeat=REPEAT)
    baseline_name = next(n for n in scorer.regressor_names if n not in scorer.baselines)
    x = scorer.song_matrix(song)
    baseline_s = median_seconds(lambda: scorer.predict_popularity_one(baseline_name, x), repeat=REPEAT)
    predictions_s = median_seconds(lambda: score_song(scorer, song, with_contributions=False), repeat=REPEAT)
    loudness = next(s for s in specs if s.name == "loudness")
    sweep_s = median_seconds(lambda: sensitivity_curve(scorer, song, loudness), repeat=5)
    start = time.perf_counter()
    index = build_plausibility_index(frame, scorer.feature_names)
    index_s = time.perf_counter() - start
    check_s = median_seconds(lambda: check_plausibility(index, song, frame), repeat=REPEAT)
    start = time.perf_counter()
    reference_predictions(scorer, frame)
    ranks_s = time.perf_counter() - start

    return [
        Measurement(f"scoring: slider move, {n_models} models + contributions ({size})", move_s * 1000, "ms",
                    budget=BUDGET_MS,
                    note=f"suite {origin}; = {move_s / baseline_s:.0f}× one {baseline_name} predict"),
        Measurement("scoring: one sklearn predict on the same row (baseline)", baseline_s * 1000, "ms"),
        Measurement("scoring: predictions only (no contributions)", predictions_s * 1000, "ms"),
        Measurement("scoring: sensitivity sweep, loudness × every model", sweep_s * 1000, "ms"),
        Measurement("scoring: nearest real songs + OOD check", check_s * 1000, "ms"),
        Measurement("scoring: build the nearest-song index (once per data)", index_s, "s"),
        Measurement("scoring: rank every song of the data (once per suite)", ranks_s, "s"),
    ]
