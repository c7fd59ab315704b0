"""Scoring a table of songs with every model — an uploaded CSV on the what-if page, or `python -m core score IN.csv
--out OUT.csv [--store DIR]` — into one row per song: id columns, a summary across models, every model's columns."""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from core import schema
from core.schema import CLASSIFICATION_PREFIX, REGRESSION_PREFIX
from core.whatif.scorer import Scorer

HIT_PREFIX = "hit::"


def score_batch(scorer: Scorer, frame: pd.DataFrame) -> pd.DataFrame:
    """Every model's prediction for every row: reg::<model> popularity, cls::<model> P(popular), hit::<model> 0/1 at
    that model's F1-best threshold. Rows with a missing feature value get empty predictions."""
    complete = frame[scorer.feature_names].apply(pd.to_numeric, errors="coerce").notna().all(axis=1).to_numpy()
    out = pd.DataFrame(index=frame.index)
    x = scorer.matrix(frame.loc[complete]) if complete.any() else np.empty((0, len(scorer.feature_names)))
    popularity = scorer.popularity(x) if len(x) else np.empty((0, len(scorer.regressor_names)))
    proba = scorer.hit_proba(x) if len(x) else np.empty((0, len(scorer.classifier_names)))
    for i, name in enumerate(scorer.regressor_names):
        column = np.full(len(frame), np.nan)
        column[complete] = popularity[:, i]
        out[REGRESSION_PREFIX + name] = column
    for i, name in enumerate(scorer.classifier_names):
        column = np.full(len(frame), np.nan)
        column[complete] = proba[:, i]
        out[CLASSIFICATION_PREFIX + name] = column
    for name in scorer.classifier_names:
        p = out[CLASSIFICATION_PREFIX + name]
        out[HIT_PREFIX + name] = (p >= scorer.thresholds[name]).astype("Int64").where(p.notna())
    return out


def scored_table(scorer: Scorer, frame: pd.DataFrame) -> pd.DataFrame:
    """The batch-scoring result a person downloads: id columns and actual popularity (when present), a summary across
    models, then every model's columns."""
    predictions = score_batch(scorer, frame)
    keep = [c for c in (*schema.ID_COLUMNS, schema.TARGET) if c in frame]
    out = frame[keep].copy()
    models = [REGRESSION_PREFIX + n for n in scorer.regressor_names if n not in scorer.baselines]
    votes = [HIT_PREFIX + n for n in scorer.voters]
    if models:
        out["predicted_popularity_mean"] = predictions[models].mean(axis=1)
        out["predicted_popularity_min"] = predictions[models].min(axis=1)
        out["predicted_popularity_max"] = predictions[models].max(axis=1)
    if votes:
        out["hit_votes"] = predictions[votes].sum(axis=1, min_count=1).astype("Int64")
        out["classifiers"] = len(votes)
    return pd.concat([out, predictions], axis=1)


@dataclass
class BatchResult:
    """A scored upload, or the loader's message saying why it could not be read."""

    table: pd.DataFrame | None = None
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    missing_columns: list[str] = field(default_factory=list)   # what the loader could not find (mapping needed)


def score_upload(scorer: Scorer, data: bytes, name: str) -> BatchResult:
    """Parse an uploaded CSV with the data loader (same messages as the sidebar) and score every row."""
    from core import sources

    try:
        dataset = sources.load_csv(data, name=name, source_kind="upload")
    except sources.DataError as error:
        return BatchResult(error=str(error), missing_columns=list(getattr(error, "missing_columns", []) or []))
    frame, filled = fill_missing_features(dataset.frame, scorer.feature_names, scorer.suite)
    table = scored_table(scorer, frame)
    incomplete = int(table[REGRESSION_PREFIX + scorer.regressor_names[0]].isna().sum()) if scorer.regressor_names else 0
    notes = list(filled)
    if incomplete:
        notes.append(f"{incomplete:,} rows have a missing or unreadable feature value and were left unscored.")
    return BatchResult(table=table, warnings=notes)


def fill_missing_features(frame: pd.DataFrame, feature_names: Sequence[str], suite: Any) -> tuple[pd.DataFrame, list]:
    """Columns a file lacks get the training data's mean (the scaler's centre), said out loud."""
    missing = [n for n in feature_names if n not in frame]
    if not missing:
        return frame, []
    frame = frame.copy()
    means = dict(zip(suite.feature_names, getattr(suite.scaler, "mean_", np.zeros(len(suite.feature_names)))))
    for name in missing:
        frame[name] = float(means[name])
    labels = ", ".join(f"`{n}`" for n in missing)
    return frame, [f"the file has no {labels}; every song was scored with the training data's average instead, "
                   f"so these predictions ignore {'that feature' if len(missing) == 1 else 'those features'}."]


# ---- command line: python -m core score IN.csv --out OUT.csv [--store DIR] -------------------------------------------

def main_score(args: argparse.Namespace) -> int:
    """Score a CSV of songs with every model of the most recently stored suite; write one row per song."""
    from core import safe_csv, sources
    from core.models.store import ArtifactError, ArtifactStore

    try:
        dataset = sources.load_csv(args.input, name=args.input.name)
    except sources.DataError as error:
        print(f"error: {args.input.name} could not be loaded.\n{error}", file=sys.stderr)
        return 2
    store = ArtifactStore(args.store)
    try:
        suite = store.latest_suite()
    except ArtifactError as error:  # a refused suite is one sentence, never a traceback
        print(f"error: {error}", file=sys.stderr)
        return 1
    if suite is None:
        print(f"error: no trained suite in {store.root}; run `python -m core train` first", file=sys.stderr)
        return 1
    scorer = Scorer(suite)
    frame, filled = fill_missing_features(dataset.frame, scorer.feature_names, suite)
    for sentence in filled:
        print(f"warning: {sentence}", file=sys.stderr)
    table = scored_table(scorer, frame)
    try:
        safe_csv.write_csv(table, args.out)
    except OSError as error:
        print(f"error: cannot write {args.out}: {error.strerror or error}", file=sys.stderr)
        return 1
    n_baselines = len(scorer.baselines)
    n_models = len(scorer.regressor_names) + len(scorer.classifier_names) - n_baselines
    print(f"scored {len(table):,} songs with {n_models} "
          f"models and {n_baselines} baselines (suite {suite.config.key()}, trained {suite.manifest.get('created_at')} "
          f"on data {suite.fingerprint}); wrote {args.out}")
    return 0

