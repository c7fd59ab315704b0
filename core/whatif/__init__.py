"""Scoring one song — and a file of songs — with every model of a trained suite: the what-if page's engine.

    scorer = Scorer(store.ArtifactStore().latest_suite(fingerprint)); score_song(scorer, song)

Modules: `sliders` (a slider per feature, the song's starting points, its URL format), `scorer` (Scorer: the one
prediction API over a suite, SongScore, the per-model table, percentile ranks), `batch` (scoring a table or an
uploaded CSV, and `python -m core score`), `sensitivity` (one feature swept over its range), `plausibility` (is the
song like real ones: nearest real songs, out-of-distribution check), `counterfactual` (the smallest realistic change
that makes it a hit).
"""
