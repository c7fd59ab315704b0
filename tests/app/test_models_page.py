"""The Model comparison page in AppTest: a small suite trained into a temporary store, then the page driven."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import rerun_until

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "models.py")


def _page(dataset, store: Path, monkeypatch, **query) -> AppTest:
    monkeypatch.setenv("SPOTIFY_STORE", str(store))
    at = AppTest.from_file(PAGE, default_timeout=180)
    at.session_state["dataset"] = dataset
    for name, value in query.items():
        at.query_params[name] = value
    return at.run()


def _figure(at: AppTest, key_fragment: str) -> dict:
    """The plotly figure (as a dict, typed arrays decoded) of the chart whose title contains `key_fragment`."""
    import plotly.io

    for element in at.get("plotly_chart"):
        figure = plotly.io.from_json(element.proto.spec).to_dict()
        if key_fragment in str(figure.get("layout", {}).get("title", {}).get("text", "")):
            return figure
    raise AssertionError(f"no chart titled like {key_fragment!r}")


def _array(value):
    """Plotly writes numpy arrays as base64 typed arrays ({"dtype", "bdata"}); lists pass through."""
    import base64

    import numpy as np

    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).tolist()
    return list(value)


def _messages(elements) -> str:
    return " ".join(str(e.value) for e in elements)


def test_stored_suite_renders_regression_tables_and_charts(small_dataset, trained_store, monkeypatch):
    at = _page(small_dataset, trained_store, monkeypatch)
    assert not at.exception, [e.message for e in at.exception]
    assert at.title[0].value == "Model comparison"
    assert at.selectbox(key="cmp_suite").value is not None
    frames = [d.value for d in at.dataframe]
    ours = next(f for f in frames if "RMSE" in f.columns)
    assert {"XGBoost", "Linear Regression"} <= set(ours.index)
    assert any(any("dummy" in str(n).lower() or "baseline" in str(n).lower() for n in f.index) for f in frames)
    assert any("Ridge Regression (α=1.0)" in f.index and "RMSE" not in f.columns for f in frames)  # the report's
    density = _figure(at, "Predicted vs actual")
    assert density["data"][0]["type"] == "heatmap"
    assert not at.error


def test_classification_tab_from_the_url_and_the_threshold_moves_the_confusion_matrix(
        small_dataset, trained_store, monkeypatch):
    at = _page(small_dataset, trained_store, monkeypatch, tab="classification", threshold="0.5")
    assert not at.exception, [e.message for e in at.exception]
    note = _messages(at.info)
    assert "majority baseline already scores" in note and "accuracy" in note
    frames = [d.value for d in at.dataframe]
    assert any("accuracy_score" in f.columns for f in frames) and any("PR-AUC" in f.columns for f in frames)
    before = _figure(at, "Confusion matrix")["data"][0]["text"]
    flagged_before = at.metric[0].value
    at.slider(key="cmp_threshold").set_value(0.02).run()
    assert not at.exception
    after = _figure(at, "Confusion matrix at 0.020")["data"][0]["text"]
    assert after != before
    assert int(at.metric[0].value.replace(",", "")) >= int(flagged_before.replace(",", ""))
    assert at.query_params["threshold"] == ["0.020"] or at.query_params["threshold"] == "0.020"
    roc = _figure(at, "ROC")
    best = next(t for t in roc["data"] if str(t.get("name", "")).startswith("F1-best"))
    at.button(key="cmp_best").click().run()
    assert at.slider(key="cmp_threshold").value == pytest.approx(float(best["name"].split()[-1]), abs=0.003)


def test_the_reports_published_classification_tables_sit_beside_this_runs(small_dataset, trained_store, monkeypatch):
    from core import report_figures as rf

    at = _page(small_dataset, trained_store, monkeypatch, tab="classification")
    assert not at.exception, [e.message for e in at.exception]
    columns = list(at.columns)
    theirs = next(c for c in columns if any("Published in the report" in h.value for h in c.subheader)
                  and any("accuracy_score" in d.value.columns for d in c.dataframe))
    ours = columns[columns.index(theirs) - 1]  # the column just left of it
    assert any("this run" in h.value for h in ours.subheader)
    (run,) = [d.value for d in ours.dataframe]
    assert "GAUSSIAN NAIVE BAYES" in run.index and "accuracy_score" in run.columns
    published = [d.value for d in theirs.dataframe]
    assert published[0].loc["GAUSSIAN NAIVE BAYES", "accuracy_score"] == rf.CLASSIFICATION_RESULTS.loc[
        "GAUSSIAN NAIVE BAYES", "accuracy_score"]
    assert published[1].loc["LOGISTIC REGRESSION", "accuracy_score"] == rf.CLASSIFICATION_WEIGHTED_RESULTS.loc[
        "LOGISTIC REGRESSION", "accuracy_score"]
    assert "ANN (class-weighted)" in published[1].index


def test_bad_url_values_are_ignored(small_dataset, trained_store, monkeypatch):
    at = _page(small_dataset, trained_store, monkeypatch, tab="classification", model="<script>", threshold="7")
    assert not at.exception
    assert at.slider(key="cmp_threshold").value == 0.5
    assert at.selectbox(key="cmp_model").value in at.selectbox(key="cmp_model").options
    at = _page(small_dataset, trained_store, monkeypatch, tab="nonsense", threshold="abc")
    assert not at.exception and not at.error


def test_tampered_artifact_shows_the_verification_message(small_dataset, small_config, trained_store, monkeypatch,
                                                          tmp_path):
    import shutil

    from core.models.store import ArtifactStore

    store = tmp_path / "store"
    shutil.copytree(trained_store, store)
    folder = ArtifactStore(store).find(small_dataset.fingerprint, small_config)
    victim = max((p for p in folder.rglob("*") if p.is_file() and p.name != "manifest.json"),
                 key=lambda p: p.stat().st_size)
    victim.write_bytes(victim.read_bytes()[:-8] + b"tampered")
    at = _page(small_dataset, store, monkeypatch)
    assert not at.exception
    assert "failed verification" in _messages(at.error)
    assert at.button(key="cmp_retrain_broken").label == "Retrain this suite"


def _has_suite(at: AppTest) -> bool:
    return any(s.key == "cmp_suite" for s in at.selectbox)


@pytest.mark.slow  # a real training job runs to the end
def test_train_button_trains_saves_and_shows_the_suite(small_dataset, monkeypatch, tmp_path, in_process_jobs):
    at = _page(small_dataset, tmp_path / "empty", monkeypatch)
    assert not at.exception
    assert "No suite is trained on this data yet" in _messages(at.info)
    at.multiselect(key="cmp_suites").set_value(["regression", "classification"])
    at.toggle(key="cmp_ann").set_value(False)
    at.run()
    at.button(key="cmp_train").click().run()
    assert not at.exception, [e.message for e in at.exception]
    rerun_until(at, _has_suite)
    assert not at.error, _messages(at.error)
    assert "regression + classification · no ANNs" in at.selectbox(key="cmp_suite").format_func(
        at.selectbox(key="cmp_suite").value)
    assert any("RMSE" in d.value.columns for d in at.dataframe)
    assert list((tmp_path / "empty").iterdir())  # the suite was saved


@pytest.mark.slow  # a real training job runs to the end
def test_the_three_bin_variant_trains_from_the_page_and_every_tab_renders(small_dataset, monkeypatch, tmp_path,
                                                                          in_process_jobs):
    at = _page(small_dataset, tmp_path / "empty", monkeypatch)
    at.multiselect(key="cmp_suites").set_value(["classification"])
    at.toggle(key="cmp_ann").set_value(False)
    at.selectbox(key="cmp_binning").set_value("3bin")
    at.run()
    at.button(key="cmp_train").click().run()
    rerun_until(at, _has_suite)
    assert not at.exception and not at.error, [e.message for e in at.exception] + _messages(at.error)
    assert "3bin classes" in at.selectbox(key="cmp_suite").format_func(at.selectbox(key="cmp_suite").value)
    for tab in [t.label for t in at.tabs]:
        at.session_state["cmp_tab"] = tab
        at.run()
        assert not at.exception and not at.error, (tab, [e.message for e in at.exception], _messages(at.error))


def test_data_without_popularity_gets_a_message(small_dataset, trained_store, monkeypatch):
    from core import sources

    frame = small_dataset.frame.drop(columns=["popularity"]).head(200)
    dataset = sources.load_csv(frame.to_csv(index=False).encode(), name="no_target.csv", source_kind="upload")
    assert not dataset.report.has_target  # explored and scored, not modelled
    at = _page(dataset, trained_store, monkeypatch)
    assert not at.exception
    assert "Modelling needs popularity" in _messages(at.warning)


def test_feature_importance_loads_the_models_and_draws_both_charts(small_dataset, trained_store, monkeypatch):
    at = _page(small_dataset, trained_store, monkeypatch, model="XGBoost")
    assert at.selectbox(key="cmp_reg_model").value == "XGBoost"  # the model came from the URL
    at.toggle(key="cmp_importance").set_value(True).run()
    assert not at.exception, [e.message for e in at.exception]
    permutation = _figure(at, "Permutation importance — XGBoost")
    shap = _figure(at, "XGBoost SHAP")
    assert len(_array(permutation["data"][0]["y"])) == len(_array(shap["data"][0]["y"])) == 13  # per feature


@pytest.mark.slow  # TensorFlow's import dominates: ~15-30 s on a busy 2-core machine
def test_a_suite_with_the_regression_network_renders_and_explains_it(small_dataset, monkeypatch, tmp_path):
    from core.models.config import SuiteConfig
    from core.models.store import ArtifactStore
    from core.models.suites import SPECS_BY_NAME
    from core.models.training import train_suite

    config = SuiteConfig(suites=("regression",), include_ann=True)
    specs = [SPECS_BY_NAME[name] for name in ("Dummy (mean)", "Linear Regression", "ANN")]  # the network + a floor
    ArtifactStore(tmp_path).save(train_suite(small_dataset.frame, config, small_dataset.fingerprint, n_jobs=1,
                                             specs=specs))
    at = _page(small_dataset, tmp_path, monkeypatch, model="ANN")
    assert not at.exception, [e.message for e in at.exception]
    assert "ANN" in next(d.value for d in at.dataframe if "RMSE" in d.value.columns).index
    at.toggle(key="cmp_importance").set_value(True).run()
    assert not at.exception, [e.message for e in at.exception]
    assert len(_array(_figure(at, "Permutation importance — ANN")["data"][0]["x"])) == 13
    assert "No XGBoost regressor" in _messages(at.info)
    at = _page(small_dataset, tmp_path, monkeypatch, tab="classification")
    assert "no classification models" in _messages(at.info)


def test_cross_validated_suite_shows_cv_columns_and_error_bars(small_dataset, monkeypatch, tmp_path):
    from core.models.config import SuiteConfig
    from core.models.store import ArtifactStore
    from core.models.suites import SPECS_BY_NAME
    from core.models.training import train_suite

    config = SuiteConfig(suites=("regression",), include_ann=False, cv_folds=3)
    specs = [SPECS_BY_NAME[name] for name in ("Dummy (mean)", "Linear Regression", "XGBoost")]
    ArtifactStore(tmp_path).save(train_suite(small_dataset.frame, config, small_dataset.fingerprint, n_jobs=1,
                                             specs=specs))
    at = _page(small_dataset, tmp_path, monkeypatch)
    assert not at.exception, [e.message for e in at.exception]
    table = next(d.value for d in at.dataframe if "RMSE" in d.value.columns)
    assert {"CV R² mean", "CV R² sd", "CV RMSE mean", "CV RMSE sd"} <= set(table.columns)
    bars = _figure(at, "by model (bars: ± 1 sd over CV folds)")["data"][0]
    assert any(value > 0 for value in _array(bars["error_x"]["array"]))
    assert "3-fold CV" in at.selectbox(key="cmp_suite").format_func(at.selectbox(key="cmp_suite").value)


@pytest.mark.slow  # trains a suite from the page
def test_a_413_song_playlist_trains_and_the_page_says_popular_songs_are_few(shared_data, monkeypatch, tmp_path):
    from core import sources
    from core.models.config import SuiteConfig
    from core.models.store import ArtifactStore
    from core.models.training import train_suite

    dataset = sources.load_csv(shared_data / "exportify_genre_disco.csv")
    suite = train_suite(dataset.frame, SuiteConfig(include_ann=False), dataset.fingerprint, n_jobs=2)
    ArtifactStore(tmp_path).save(suite)
    at = _page(dataset, tmp_path, monkeypatch)
    assert not at.exception, [e.message for e in at.exception]
    assert any("popular songs" in w.value and "training split" in w.value for w in at.warning)
    assert at.dataframe, "the metric tables are on the page"


def _live_record(dataset, config, **changes):
    import time

    from core.models import jobs

    now = time.time()
    fields = dict(fingerprint=dataset.fingerprint, config=config.to_dict(), config_key=config.key(),
                  data_label="the twin (synthetic)", status=jobs.RUNNING, submitted_at=now - 20, started_at=now - 20,
                  heartbeat_at=now, owner={"host": "another-server", "pid": 4242, "token": "x"}, workers=2, total=7,
                  done=3, plan={m: 5.0 for m in "ABCDEFG"}, running={"D": now - 2},
                  events=[{"model": m, "suite": "regression", "status": "finished", "seconds": 4.0, "error": None}
                          for m in "ABC"])
    return jobs.JobRecord(**{**fields, **changes})


def test_a_job_someone_else_runs_shows_its_progress_and_anyone_can_cancel_it(small_dataset, small_config, monkeypatch,
                                                                             tmp_path):
    from core.models import jobs

    store = tmp_path / "store"
    files = jobs.JobFiles(store)
    files.write(_live_record(small_dataset, small_config))
    at = _page(small_dataset, store, monkeypatch)
    assert not at.exception
    assert any("3/7 models" in p.proto.text for p in at.get("progress"))
    assert "Now: D" in _messages(at.caption)
    assert "the training above stores one" in _messages(at.info)
    assert at.button(key="cmp_train").disabled  # the same settings cannot be started twice
    at.button(key=f"cmp_cancel_{small_config.key()}").click().run()
    assert files.cancel_requested(small_dataset.fingerprint, small_config.key())
    assert at.button(key=f"cmp_cancel_{small_config.key()}").label == "Cancelling…"


def test_a_failed_or_interrupted_job_is_said_in_a_sentence(small_dataset, small_config, monkeypatch, tmp_path):
    import time

    from core.models import jobs

    store = tmp_path / "store"
    jobs.JobFiles(store).write(_live_record(small_dataset, small_config, status=jobs.FAILED, finished_at=time.time(),
                                            error="could not reach the Dask scheduler at tcp://10.1.1.1:8786"))
    at = _page(small_dataset, store, monkeypatch)
    assert "could not reach the Dask scheduler" in _messages(at.error)
    assert not at.button(key="cmp_train").disabled
    jobs.JobFiles(store).write(_live_record(small_dataset, small_config, heartbeat_at=time.time() - 120))
    at.run()
    assert "interrupted after 3/7 models" in _messages(at.error)
