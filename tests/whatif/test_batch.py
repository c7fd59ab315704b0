"""Batch scoring: uploads scored with every model, the loader's message for a bad file, and `python -m core score`."""
from __future__ import annotations

import argparse

import pandas as pd
import pytest

from core import schema, sources
from core.models.store import ArtifactStore
from core.schema import CLASSIFICATION_PREFIX, REGRESSION_PREFIX
from core.whatif.batch import main_score, score_upload


def test_uploaded_csv_is_scored_with_every_model(scorer, twin_small):
    data = twin_small.iloc[:20].drop(columns=[schema.TARGET]).to_csv(index=False).encode()
    result = score_upload(scorer, data, "songs.csv")
    assert result.error is None
    table = result.table
    assert len(table) == 20 and schema.TARGET not in table
    for name in scorer.regressor_names:
        assert table[REGRESSION_PREFIX + name].notna().all()
    for name in scorer.classifier_names:
        assert table[CLASSIFICATION_PREFIX + name].between(0, 1).all()
    assert (table["predicted_popularity_min"] <= table["predicted_popularity_max"]).all()


def test_a_malformed_csv_gives_the_loaders_message(scorer):
    data = b"name,colour\nfoo,red\n"
    result = score_upload(scorer, data, "bad.csv")
    assert result.table is None
    with pytest.raises(sources.DataError) as raised:
        sources.load_csv(data, name="bad.csv", source_kind="upload")
    assert result.error == str(raised.value)


def test_cli_scores_a_csv_with_the_stored_suite(small_suite, twin_small, tmp_path, capsys):
    store = tmp_path / "store"
    ArtifactStore(store).save(small_suite)
    songs = tmp_path / "songs.csv"
    twin_small.iloc[:30].to_csv(songs, index=False)
    out = tmp_path / "scored.csv"
    code = main_score(argparse.Namespace(input=songs, out=out, store=store))
    assert code == 0, capsys.readouterr().err
    scored = pd.read_csv(out)
    assert len(scored) == 30
    assert {REGRESSION_PREFIX + "XGBoost", schema.TARGET, schema.TRACK_ID} <= set(scored.columns)


def test_cli_without_a_stored_suite_says_what_to_do(twin_small, tmp_path, capsys):
    songs = tmp_path / "songs.csv"
    twin_small.iloc[:5].to_csv(songs, index=False)
    code = main_score(argparse.Namespace(input=songs, out=tmp_path / "o.csv", store=tmp_path / "empty"))
    assert code == 1
    assert "python -m core train" in capsys.readouterr().err
