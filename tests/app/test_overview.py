"""The Overview page in AppTest on a 5,000-row twin: source card, alerts, the report's tables, the search."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from core import schema
from core.twin import TWIN_LABEL
from tests.app.conftest import open_page_alone


def open_page(dataset) -> AppTest:
    return open_page_alone("overview.py", dataset)


def test_source_card_labels_the_twin_and_shows_size_and_fingerprint(small_twin):
    at = open_page(small_twin)
    assert any(TWIN_LABEL[0].upper() + TWIN_LABEL[1:] in m.value for m in at.markdown)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"Rows": "5,000", "Columns": "17"}
    assert any(c.value == small_twin.fingerprint for c in at.code)
    assert any("Encoding" in m.value and "generated in memory" in m.value for m in at.markdown)


def test_alerts_and_tables_are_computed_from_the_data(small_twin):
    at = open_page(small_twin)
    duplicates = small_twin.report.duplicate_track_ids
    assert any(f"{duplicates} rows repeat a track id" in w.value for w in at.warning)
    assert any("imbalanced" in w.value for w in at.warning)
    notes = " ".join(m.value for m in at.markdown)
    assert "Zero-inflated" in notes or "zero-inflated" in notes
    assert "time_signature" in notes and "near-constant" in notes
    glance, head = (d.value for d in at.dataframe)  # the Head table is open first; the others draw when opened
    assert list(glance["column"]) == [*schema.FEATURE_NAMES, schema.TARGET]
    assert glance.set_index("column").loc["instrumentalness", "zeros %"] > 10
    assert len(head) == 1_000 and list(head.columns[:3]) == ["artist_name", "track_id", "track_name"]
    labels = {b.proto.label for b in at.get("download_button")}
    assert {"Download head (CSV)", "Download data-quality alerts (CSV)"} <= labels
    at.session_state["ov_table"] = "info()"
    at.run()
    assert len(at.dataframe) == 2 and "non-null count" in at.dataframe[1].value.columns
    at.session_state["ov_table"] = "describe()"
    at.run()
    assert "Download describe (CSV)" in {b.proto.label for b in at.get("download_button")}
    assert not at.exception


def test_search_and_sort_change_the_head(small_twin):
    at = open_page(small_twin)
    artist = small_twin.frame["artist_name"].iloc[0]
    at.text_input(key="ov_search").input(artist).run()
    head = at.dataframe[1].value
    assert 0 < len(head) < 1_000 and head["artist_name"].str.contains(artist, regex=False).all()
    at.text_input(key="ov_search").input("").run()
    at.selectbox(key="ov_sort").select("popularity").run()
    head = at.dataframe[1].value
    assert head["popularity"].iloc[0] == small_twin.frame["popularity"].max()
    at.text_input(key="ov_search").input("no such song anywhere").run()
    assert any("No song's artist or title contains" in i.value for i in at.info)
    assert not at.exception


def test_a_loaded_file_is_named_and_its_extras_listed(shared_data):
    from core import sources

    dataset = sources.load_csv(shared_data / "tophits_2000_2019_songs_normalize.csv")
    at = open_page(dataset)
    text = " ".join(m.value for m in at.markdown)
    assert "tophits_2000_2019_songs_normalize.csv" in text and "`genre`" in text and "`time_signature`" in text
    assert any("exact copies" in w.value for w in at.warning)


def test_a_413_song_playlist_gets_its_overview(shared_data):
    from core import sources

    at = open_page(sources.load_csv(shared_data / "exportify_genre_disco.csv"))
    assert {m.label: m.value for m in at.metric}["Rows"] == "413"
    assert at.dataframe and "Every column at a glance" in [h.value for h in at.subheader]
