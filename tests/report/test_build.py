"""The regenerated HTML report: its sections, its numbers against the pages' own functions (and independent
recomputation), self-containment, size, hostile text, the CLI (with and without --train)."""
from __future__ import annotations

import html
import io
import re

import numpy as np
import pytest
from sklearn.metrics import r2_score

from core import schema, sources
from core.comparison.summary import suite_summary
from core.comparison.tables import regression_view
from core.comparison.text import describe_config
from core.eda.columns import analysis_columns
from core.eda.correlations import correlation_matrix
from core.eda.filters import select_rows
from core.eda.popularity import popular_threshold, popularity_profile
from core.models import suites as S
from core.models.config import SuiteConfig
from core.models.store import ArtifactStore
from core.models.training import train_suite
from core.report import build as report


MAX_BYTES = 10 * 1024 * 1024


def headings(document: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r"<h2>([^<]*)</h2>", document) if h != "Contents"]


def figures(document: str) -> dict[str, str]:
    """The headline numbers the report tags with data-figure."""
    return {name: html.unescape(value) for name, value in re.findall(r"data-figure='([^']+)'>([^<]*)<", document)}


def without_plotly(document: str) -> str:
    start = document.index("<script id='plotly-js'>")
    return document[:start] + document[document.index("</script>", start):]


@pytest.fixture(scope="module")
def dataset():
    return sources.twin_dataset(n_rows=5_000)


@pytest.fixture(scope="module")
def store(dataset, tmp_path_factory) -> ArtifactStore:
    """A store holding a small suite (every classical model, no networks) for the 5,000-row twin."""
    store = ArtifactStore(tmp_path_factory.mktemp("report-store"))
    store.save(train_suite(dataset.frame, SuiteConfig(include_ann=False), dataset.fingerprint, n_jobs=1))
    return store


@pytest.fixture(scope="module")
def document(dataset, store) -> str:
    return report.report_for(dataset, store)


def test_the_report_has_every_section_in_the_report_order(document):
    assert headings(document) == [f"{n}. {heading}" for n, (_, heading) in enumerate(report.SECTIONS, start=1)]
    assert "twin of the report&#x27;s dataset (synthetic)" in document  # the header names the data as synthetic


def test_headline_numbers_equal_what_the_pages_show(document, dataset, store):
    frame, shown = dataset.frame, figures(document)
    # Overview: st.metric("Rows", f"{len(frame):,}")
    assert shown["rows"] == f"{len(frame):,}" == "5,000"
    # Distributions: cache.eda_popular_threshold and the 99th row of the popularity profile's quantile table
    threshold = popular_threshold(frame[schema.TARGET])
    quantiles = popularity_profile(frame[schema.TARGET], threshold).quantiles
    assert shown["popular-cut"] == f"{threshold:g}" == f"{quantiles.loc[quantiles['is threshold'], 'popularity'].iloc[0]:g}"
    assert float(shown["popular-cut"]) == np.quantile(frame[schema.TARGET], 0.99)
    # Correlations tab: cache.eda_correlations (Pearson, every row), and numpy's own coefficient
    corr = correlation_matrix(select_rows(frame, None, analysis_columns(frame)), "pearson")
    assert shown["corr-loudness"] == f"{corr.loc['loudness', schema.TARGET]:.4f}"
    assert float(shown["corr-loudness"]) == pytest.approx(np.corrcoef(frame["loudness"], frame[schema.TARGET])[0, 1],
                                                          abs=5e-5)
    # Model comparison: cache.stored_suite_tables → suite_summary's best regressor and its R² in regression_view
    tables = store.load_tables(store.find(dataset.fingerprint, SuiteConfig(include_ann=False)))
    summary = suite_summary(tables)
    best = summary.best_regressor
    assert shown["best-regressor"] == best
    assert shown["best-r2"] == f"{regression_view(tables.regression_table).loc[best, 'R²']:.4f}"
    predictions = tables.test_predictions
    assert float(shown["best-r2"]) == pytest.approx(r2_score(predictions["y_true"], predictions[f"reg::{best}"]),
                                                    abs=5e-5)
    assert shown["best-classifier"] == summary.best_classifier


def test_the_header_names_the_suite_and_when_it_was_made(document, dataset):
    header = document[document.index("<header"):document.index("</header>")]
    assert dataset.fingerprint in header
    assert describe_config(SuiteConfig(include_ann=False)).replace("'", "&#x27;") in header
    assert "scikit-learn" in header and "trained 20" in header
    assert re.search(r"data-made='\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00'", header)


def test_the_file_is_self_contained_and_small(document):
    rest = without_plotly(document)
    assert "http://" not in rest and "https://" not in rest
    assert "//" not in "".join(re.findall(r"(?:src|href)\s*=\s*['\"]([^'\"]*)", rest))  # no external resource
    assert "@import" not in rest and "url(" not in rest
    assert document.count("<script id='plotly-js'>") == 1 and document.count("* plotly.js v") == 1  # Plotly once
    assert len(document.encode("utf-8")) <= MAX_BYTES
    chart_count = document.count("<figure class='chart'")
    assert chart_count >= 12 and chart_count == len(re.findall(r'"chart-\d+":', document))


def test_without_a_stored_suite_the_report_says_so_and_keeps_the_data_sections(dataset, tmp_path):
    document = report.report_for(dataset, ArtifactStore(tmp_path / "empty"))
    data_sections = [h for a, h in report.SECTIONS if a not in report.MODEL_SECTIONS]
    assert headings(document) == [f"{n}. {h}" for n, h in enumerate(data_sections, start=1)]
    assert "No trained suite is stored for this data yet" in document
    assert "best-r2" not in document


def test_a_damaged_suite_is_named_and_left_out(dataset, store, tmp_path):
    import shutil

    copy = ArtifactStore(tmp_path / "store")
    shutil.copytree(store.root, copy.root)
    folder = copy.find(dataset.fingerprint, SuiteConfig(include_ann=False))
    (folder / "tables" / "regression.parquet").write_bytes(b"not a table")
    document = report.report_for(dataset, copy)
    assert "failed verification" in document
    shown = {h.split(". ", 1)[1] for h in headings(document)}
    assert not shown & {report.HEADINGS[a] for a in report.MODEL_SECTIONS}


def test_text_from_the_data_is_escaped(twin_small):
    hostile = twin_small.head(300).copy()
    hostile.loc[0, "track_name"] = "<script>alert('title')</script>"
    hostile.loc[0, "artist_name"] = "<img src=x onerror=alert(1)>"
    hostile["<b onmouseover=alert(2)>genre"] = "pop"
    buffer = io.StringIO()
    hostile.to_csv(buffer, index=False)
    dataset = sources.load_csv(buffer.getvalue().encode("utf-8"), name="<i>songs</i>.csv")
    document = report.build_report(dataset)
    assert "<script>alert" not in document and "<img src=x" not in document and "<b onmouseover" not in document
    assert "<i>songs" not in document
    assert "&lt;script&gt;alert('title')&lt;/script&gt;" in document  # shown, as text
    assert "&lt;i&gt;songs&lt;/i&gt;.csv" in document
    blob = document[document.index("id='report-figures'>"):]
    assert "</" not in blob[:blob.index("</script>")]  # the chart data cannot close its <script>
    assert document.count("<script") == 3  # Plotly, the chart data, the renderer: nothing from the data


def test_a_file_without_popularity_gets_the_data_sections_it_can_have(twin_small):
    buffer = io.StringIO()
    twin_small.head(200).drop(columns=[schema.TARGET]).to_csv(buffer, index=False)
    dataset = sources.load_csv(buffer.getvalue().encode("utf-8"), name="no target.csv")
    document = report.build_report(dataset)
    assert "This data has no popularity column" in document
    assert headings(document)[-1].endswith("What the data says")


@pytest.mark.slow
def test_the_cli_writes_the_report_of_the_full_twin(tmp_path, capsys, monkeypatch):
    from core.__main__ import main

    out = tmp_path / "report.html"
    assert main(["report", "--store", str(tmp_path / "empty"), "--out", str(out)]) == 0
    assert "data sections only" in capsys.readouterr().out
    document = out.read_text(encoding="utf-8")
    assert figures(document)["rows"] == "130,663"


def test_the_cli_names_a_missing_or_unusable_file(tmp_path, capsys):
    from core.__main__ import main

    assert main(["report", "--data", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "r.html")]) == 2
    assert "does not exist" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    bad.write_text("just,some\n1,2\n", encoding="utf-8")
    assert main(["report", "--data", str(bad), "--out", str(tmp_path / "r.html")]) == 2
    assert "could not be loaded" in capsys.readouterr().err
    assert not (tmp_path / "r.html").exists()


@pytest.mark.slow
def test_report_train_goes_through_the_train_command(tmp_path, capsys, monkeypatch):
    """--train runs the `python -m core train` subcommand itself (whatever engine it uses), then reports the suite
    it stored."""
    import core.__main__ as cli

    calls = []
    real = cli._train

    def spy(args):
        calls.append(args)
        return real(args)

    monkeypatch.setattr(cli, "_train", spy)
    out = tmp_path / "report.html"
    assert cli.main(["report", "--train", "--max-rows", "3000", "--no-ann", "--store", str(tmp_path / "store"),
                     "--out", str(out)]) == 0
    assert len(calls) == 1 and calls[0].command == "train" and calls[0].max_rows == 3000 and calls[0].no_ann
    assert "with the stored suite" in capsys.readouterr().out
    document = out.read_text(encoding="utf-8")
    assert "3,000-row sample" in document
    assert headings(document)[4] == "5. " + report.HEADINGS["regression"]


def test_data_from_a_file_is_named_with_its_fingerprint(shared_data, tmp_path):
    path = shared_data / "tophits_2000_2019_songs_normalize.csv"
    dataset = sources.load_csv(path, name=path.name, source_kind="file")
    document = report.report_for(dataset, ArtifactStore(tmp_path))
    header = document[document.index("<header"):document.index("</header>")]
    assert "file <strong>tophits_2000_2019_songs_normalize.csv</strong>" in header and dataset.fingerprint in header
    assert "synthetic" not in header
    assert figures(document)["rows"] == f"{len(dataset.frame):,}"


def test_the_report_uses_the_suite_the_comparison_page_opens_on(dataset, tmp_path):
    """The page offers the report's own settings first, then random splits, newest first: a grouped suite saved
    later does not displace the random one; `newest` (after --train) takes the one saved last."""
    store = ArtifactStore(tmp_path)
    random_split = SuiteConfig(suites=("regression",), include_ann=False)
    grouped = SuiteConfig(suites=("regression",), include_ann=False, grouped=True)
    for config in (random_split, grouped):  # one model each: the choice of folder is what is tested
        store.save(train_suite(dataset.frame, config, dataset.fingerprint, n_jobs=1,
                               specs=[S.SPECS_BY_NAME["Linear Regression"]]))
    assert report.preferred_suite_path(store, dataset.fingerprint) == store.find(dataset.fingerprint, random_split)
    assert report.preferred_suite_path(store, dataset.fingerprint, newest=True) == store.find(dataset.fingerprint,
                                                                                              grouped)
    assert report.preferred_suite_path(store, "0" * 16) is None


def test_a_report_that_cannot_be_made_is_a_page_that_says_why(dataset):
    page = report.failure_page(dataset, ValueError("<b>no</b> numbers"))
    assert "could not be made" in page and "ValueError: &lt;b&gt;no&lt;/b&gt; numbers" in page
