"""The Distributions & correlations page in AppTest on a 5,000-row twin: every chart renders, the feature selector
and the filters change what is shown, an empty selection is a message."""
from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from core.eda.groups import MAX_GROUPS
from tests.app.conftest import open_page_alone


def open_page(dataset) -> AppTest:
    return open_page_alone("distributions.py", dataset)


SECTIONS = ("Popularity", "A feature against popularity", "Correlations")


def open_section(at: AppTest, name: str) -> AppTest:
    """Open one of the page's sections (tabs drawn only when open), by the words of its label."""
    label = next(tab.label for tab in at.tabs if tab.label.split(": ", 1)[-1] == name)
    at.session_state["dist_section"] = label
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def chart_titles(at: AppTest) -> list[str]:
    return [json.loads(chart.proto.spec)["layout"]["title"]["text"] for chart in at.get("plotly_chart")]


def text_of(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown)


def test_every_section_renders_with_the_reports_words_one_section_at_a_time(small_twin):
    at = open_page(small_twin)
    assert [tab.label.split(": ", 1)[-1] for tab in at.tabs] == list(SECTIONS)
    titles = chart_titles(at)  # the first section is open by default
    assert len(titles) == 2 and all(t.startswith("Popularity") for t in titles)
    quantiles = at.dataframe[0].value
    assert quantiles["quantile"].iloc[0] == 0.99 and quantiles["popularity"].iloc[0] == quantiles["popularity"].max()

    titles = chart_titles(open_section(at, "A feature against popularity"))
    assert len(titles) == 4 and any(t.startswith("Loudness: distribution") for t in titles)
    text = text_of(at)
    assert "Loudness shows the highest correlation with Popularity" in text     # the report's bullet, quoted
    assert "Loudness has a" in text and "Pearson r = +" in text                 # … and the data's own summary

    titles = chart_titles(open_section(at, "Correlations"))
    assert len(titles) == 2 and "Pearson correlation matrix" in titles


def test_changing_the_feature_changes_charts_and_words(small_twin):
    at = open_section(open_page(small_twin), "A feature against popularity")
    at.selectbox(key="dist_feature").select("instrumentalness").run()
    assert not at.exception
    assert any(t.startswith("Instrumentalness: distribution") for t in chart_titles(at))
    assert "Higher Instrumentalness values (closer to 1) are more frequent" in text_of(at)
    at.selectbox(key="dist_feature").select("tempo").run()
    text = text_of(at)
    assert "Tempo has a" in text and "The report on" not in text
    open_section(at, "Correlations")
    at.radio(key="dist_corr_method").set_value("Spearman").run()
    assert "Spearman correlation matrix" in chart_titles(at)


def test_filters_narrow_the_whole_page(small_twin):
    at = open_page(small_twin)
    top = int(small_twin.frame["popularity"].max())
    at.slider(key="dist_popularity").set_range(50, top).run()
    assert not at.exception
    expected = int((small_twin.frame["popularity"] >= 50).sum())
    assert at.caption[0].value.startswith(f"**{expected:,}** of 5,000 songs") and f"popularity 50–{top}" in \
        at.caption[0].value
    assert any(t.startswith(f"Popularity: frequency ({expected:,} songs)") for t in chart_titles(at))
    at.multiselect(key="dist_limit").select("energy").run()
    energy = next(s for s in at.slider if s.label == "Energy")
    low, high = energy.value
    energy.set_range(low, (low + high) / 2).run()
    assert not at.exception and "energy" in at.caption[0].value


def test_no_matching_rows_is_a_friendly_message(small_twin):
    at = open_page(small_twin)
    at.text_input(key="dist_artist").input("no artist is called this").run()
    assert not at.exception
    assert any("No songs match these filters" in i.value for i in at.info)
    assert not at.get("plotly_chart")


def test_extra_columns_colour_the_histogram_and_missing_features_are_skipped(shared_data):
    from core import sources

    dataset = sources.load_csv(shared_data / "tophits_2000_2019_songs_normalize.csv")
    at = open_section(open_page(dataset), "A feature against popularity")
    assert "time_signature" not in at.selectbox(key="dist_feature").options
    at.selectbox(key="dist_colour").select("genre").run()
    assert not at.exception
    histogram = next(c for c in at.get("plotly_chart")
                     if json.loads(c.proto.spec)["layout"]["title"]["text"].startswith("Loudness: distribution"))
    assert len(json.loads(histogram.proto.spec)["data"]) == MAX_GROUPS


def test_data_without_popularity_shows_features_only(small_twin):
    from core import sources

    frame = small_twin.frame.drop(columns="popularity")
    dataset = sources.Dataset(frame=frame, report=small_twin.report, fingerprint=sources.frame_fingerprint(frame))
    at = open_page(dataset)
    assert any("no popularity column" in i.value for i in at.info)
    titles = chart_titles(open_section(at, "A feature against popularity"))
    assert titles and not any(t.startswith("Popularity") for t in titles)


def test_a_413_song_playlist_fills_every_section(shared_data):
    from core import sources

    at = open_page(sources.load_csv(shared_data / "exportify_genre_disco.csv"))
    for section in SECTIONS:
        open_section(at, section)
        assert chart_titles(at), section
