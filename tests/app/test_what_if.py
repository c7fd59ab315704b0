"""The What-if page in AppTest, on the twin with a small suite (3,000 rows, no networks) in a temporary store."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
PAGE = "pages/what_if.py"


def open_page(store: Path, monkeypatch, query: dict | None = None) -> AppTest:
    monkeypatch.setenv("SPOTIFY_STORE", str(store))
    at = AppTest.from_file(APP, default_timeout=300)
    for name, value in (query or {}).items():
        at.query_params[name] = value
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_without_a_trained_suite_the_page_asks_to_train_one(tmp_path, monkeypatch):
    at = open_page(tmp_path / "empty-store", monkeypatch)
    assert any("No models are trained on this data yet" in i.value for i in at.info)
    assert not at.error and not at.slider
    assert any("Model comparison" in link.proto.label and link.proto.page == "models" for link in at.page_link)


def test_moving_a_slider_changes_the_predictions_and_the_url(small_store, monkeypatch):
    at = open_page(small_store, monkeypatch)
    labels = {s.label for s in at.slider} | {s.label for s in at.select_slider}
    assert {"Loudness (dB)", "Tempo (BPM)", "Key", "Mode", "Duration", "Time signature"} <= labels
    assert at.select_slider(key="wi_key").format_func(at.select_slider(key="wi_key").value) in (
        "C", "C♯/D♭", "D", "D♯/E♭", "E", "F", "F♯/G♭", "G", "G♯/A♭", "A", "A♯/B♭", "B")
    before = metric(at, "Popularity (mean)"), metric(at, "Hit votes")
    loudness = at.slider(key="wi_loudness")
    loudness.set_value(loudness.min).run()
    at.slider(key="wi_instrumentalness").set_value(1.0).run()
    assert not at.exception
    after = metric(at, "Popularity (mean)"), metric(at, "Hit votes")
    assert after[0] != before[0]
    table = at.dataframe[0].value  # the open view: popularity by model
    assert f"{table.loc[table['kind'] == 'model', 'popularity'].mean():.1f}" == after[0]
    assert at.query_params["loudness"] == f"{loudness.min:.1f}"
    assert float(at.query_params["instrumentalness"]) == 1.0


def test_starting_from_a_searched_song_sets_the_sliders_to_its_values(small_store, twin, monkeypatch):
    from core import schema
    from core.whatif.sliders import slider_specs, song_title

    frame = twin.frame
    label = frame.index[1234]
    row = frame.loc[label]
    at = open_page(small_store, monkeypatch)
    at.text_input(key="wi_search").input(f"{row['artist_name']} {row['track_name']}").run()
    matches = at.selectbox(key="wi_match")
    assert song_title(frame, label) in " ".join(matches.options)
    matches.set_value(label).run()
    assert not at.exception
    names = [n for n in schema.FEATURE_NAMES if f"wi_{n}" in at.session_state]
    assert len(names) == len(schema.FEATURE_NAMES)
    for spec in slider_specs(frame, names):
        assert at.session_state[f"wi_{spec.name}"] == spec.snap(row[spec.name]), spec.name
    assert at.slider(key="wi_loudness").value == pytest.approx(round(row["loudness"], 1))
    assert any(f"actual popularity **{row['popularity']:g}**" in m.value for m in at.markdown)
    table = at.dataframe[0].value
    assert (table["vs_actual"] == table["popularity"] - row["popularity"]).all()


def test_a_shared_url_restores_the_song_and_bad_values_are_ignored(small_store, monkeypatch):
    at = open_page(small_store, monkeypatch, query={"tempo": "150.5", "key": "9", "loudness": "not-a-number",
                                                    "energy": "7"})
    assert at.slider(key="wi_tempo").value == 150.5
    assert at.select_slider(key="wi_key").value == 9
    assert at.slider(key="wi_energy").value <= 1.0
    assert any("a shared link" in m.value for m in at.markdown)


def test_batch_upload_scores_every_row_and_a_malformed_file_shows_the_loaders_message(small_store, twin,
                                                                                      monkeypatch):
    at = open_page(small_store, monkeypatch)
    songs = twin.frame.iloc[:12].to_csv(index=False).encode()
    at.file_uploader(key="wi_batch_upload").set_value(("songs.csv", songs, "text/csv")).run()
    assert not at.exception and not at.error
    table = at.dataframe[-1].value
    assert len(table) == 12 and "reg::XGBoost" in table.columns
    assert at.get("download_button")
    at.file_uploader(key="wi_batch_upload").set_value(("bad.csv", b"name,colour\nfoo,red\n", "text/csv")).run()
    assert not at.exception
    assert any("bad.csv" in e.value and "could not be scored" in e.value for e in at.error)


def test_each_view_draws_only_itself_and_keeps_up_with_the_sliders(small_store, monkeypatch):
    """The views under the numbers are tabs that draw only when open: one figure per slider move, not five."""
    at = open_page(small_store, monkeypatch)
    wanted = ["Popularity by model", "Hit or not", "Why", "Sweep a feature", "Nearest real songs"]
    views = [tab.label for tab in at.tabs if tab.label.split(": ", 1)[-1] in wanted]
    assert [v.split(": ", 1)[-1] for v in views] == wanted
    for index, label in enumerate(views):
        at.session_state["wi_view"] = label
        at.run()
        for danceability in (None, 0.05 + 0.1 * index):  # as opened, then after a slider move
            if danceability is not None:
                at.slider(key="wi_danceability").set_value(danceability).run()
            assert not at.exception, (label, [e.message for e in at.exception])
            tables = {"Popularity by model": "test_rmse", "Nearest real songs": "distance"}  # the rest are figures
            table_column = tables.get(label.split(": ", 1)[-1])
            assert len(at.get("plotly_chart")) == (0 if table_column else 1), label
            assert not table_column or table_column in at.dataframe[0].value.columns


def test_a_classification_only_suite_scores_hits_and_says_there_is_no_popularity(twin, tmp_path, monkeypatch):
    from core.models import training
    from core.models.config import SuiteConfig
    from core.models.store import ArtifactStore

    config = SuiteConfig(suites=("classification",), include_ann=False, max_rows=3_000)
    ArtifactStore(tmp_path).save(training.train_suite(twin.frame, config, twin.fingerprint, n_jobs=1))
    at = open_page(tmp_path, monkeypatch)
    assert any("no regressor" in i.value for i in at.info)
    assert metric(at, "Hit votes").split(" / ")[1] != "0"
    at.slider(key="wi_energy").set_value(0.9).run()
    assert not at.exception, [e.message for e in at.exception]


@pytest.mark.slow  # a real training job runs to the end
def test_while_the_models_train_the_page_shows_the_job_and_then_scores_without_a_reload(twin, monkeypatch, tmp_path,
                                                                                        in_process_jobs):
    """A newcomer on a fresh store: the job's progress instead of 'train first', then the scored song."""
    from core import cache
    from core.models.config import SuiteConfig

    monkeypatch.setenv("SPOTIFY_STORE", str(tmp_path / "store"))
    config = SuiteConfig(include_ann=False, max_rows=3_000)
    in_process_jobs().submit(twin.frame, twin.fingerprint, config, "the twin (synthetic)")
    at = AppTest.from_file(APP, default_timeout=300).run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.message for e in at.exception]
    if not any("Popularity (mean)" in m.label for m in at.metric):  # the tiny job may already be done
        assert "training on this data now" in " ".join(i.value for i in at.info)
        assert at.get("progress")
    from tests.conftest import rerun_until

    rerun_until(at, lambda at: any("Popularity (mean)" in m.label for m in at.metric))
    assert cache.job_manager().get(twin.fingerprint, config).status == "done"
