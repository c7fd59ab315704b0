""""What would it take?" ≤ 300 ms per search on the full twin, server side.

Times `core.whatif.counterfactual.search` (what the What-if view calls, uncached) with the default suite for the full
twin (loaded, or trained once, as the scoring bench does), from the median song and from real songs drawn with a fixed
seed, for both goals. Baseline in the same run: one slider move's scoring of the same song (`score_song`).
"""
from __future__ import annotations

import statistics
import time

import numpy as np

from benchmarks import Measurement, median_seconds

BUDGET_MS = 300.0
SONGS = 6


def measurements(quick: bool = False) -> list[Measurement]:
    from benchmarks.scoring import _suite
    from core.whatif import counterfactual
    from core.whatif.plausibility import build_plausibility_index
    from core.whatif.scorer import Scorer, score_song
    from core.whatif.sliders import median_song, slider_specs, song_from_row

    suite, dataset, origin = _suite(quick)
    frame = dataset.frame
    scorer = Scorer(suite)
    specs = slider_specs(frame, scorer.feature_names)
    space = counterfactual.search_space(frame, specs)
    index = build_plausibility_index(frame, scorer.feature_names)
    rng = np.random.default_rng(0)
    songs = [median_song(frame, specs)] + [
        song_from_row(frame, label, specs) for label in rng.choice(frame.index, SONGS - 1, replace=False)]
    goals = [counterfactual.Goal(counterfactual.HIT), counterfactual.Goal(counterfactual.POINTS, 5.0)]
    counterfactual.search(scorer, space, index, songs[0], goals[0], frame)  # first calls build the call paths
    times, found = [], 0
    for song in songs:
        for goal in goals:
            start = time.perf_counter()
            result = counterfactual.search(scorer, space, index, song, goal, frame)
            times.append(time.perf_counter() - start)
            found += result.found
    move_s = median_seconds(lambda: score_song(scorer, songs[0]), repeat=10)
    size = "sample" if quick else "full twin"
    p50 = statistics.median(times)
    return [
        Measurement(f"counterfactual: one search, median of {len(times)} ({size})", p50 * 1000, "ms",
                    budget=BUDGET_MS, note=f"suite {origin}; = {p50 / move_s:.0f}× one slider move; "
                                           f"{found}/{len(times)} found a change"),
        Measurement("counterfactual: slowest search of those", max(times) * 1000, "ms", budget=BUDGET_MS),
        Measurement("counterfactual: one slider move, same song (baseline)", move_s * 1000, "ms"),
    ]
