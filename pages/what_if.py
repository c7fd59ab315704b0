"""What-if: move the sliders of a song's audio features and see what every trained model predicts, why, and whether
such a song exists at all. Also scores an uploaded CSV of songs."""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from core import cache, safe_csv, schema
from core.charts import whatif as charts
from core.models.store import ArtifactError
from core.schema import CLASSIFICATION_PREFIX, REGRESSION_PREFIX
from core.ui import data_picker, jobs_panel, whatif_state
from core.whatif import counterfactual
from core.whatif.plausibility import Plausibility, check_plausibility
from core.whatif.scorer import (POPULARITY_TABLE_COLUMNS, SongScore, ordinal, percentile_rank, popularity_table,
                                score_song)
from core.whatif.sensitivity import default_sweep_models, sensitivity_curve
from core.whatif.sliders import SliderSpec, changed_features, search_songs, song_title


MODELS_PAGE = "pages/models.py"
# The views under the headline numbers; one is open (and drawn) at a time.
VIEWS = [":material/bar_chart: Popularity by model", ":material/star: Hit or not", ":material/waterfall_chart: Why",
         ":material/show_chart: Sweep a feature", ":material/queue_music: Nearest real songs",
         ":material/lightbulb: What would it take?"]

st.title("What-if")
dataset = data_picker.active_dataset()
frame = dataset.frame
load_error = None
try:
    suite = cache.latest_stored_suite(dataset.fingerprint)
except ArtifactError as error:  # a damaged or outdated store is a message, never a traceback
    load_error, suite = error, None

if suite is None:
    jobs_panel.panel(dataset.fingerprint, key="wi")  # reruns the page the moment a job stores the suite
    if jobs_panel.live_jobs(dataset.fingerprint):
        st.info("The report's models are training on this data now (progress above). This page scores your song as "
                "soon as they are stored — no need to press anything or reload.", icon=":material/hourglass_top:")
        st.stop()
    if load_error is not None:
        st.error(f"The stored models for this data could not be loaded: {load_error}")
    else:
        st.info("No models are trained on this data yet, so there is nothing to score with. Train the report's "
                "model suites once (about a minute on the full data); this page uses them as soon as they are "
                "stored.")
    if (Path(__file__).resolve().parent / Path(MODELS_PAGE).name).exists():
        st.page_link(MODELS_PAGE, label="Train the models on the Model comparison page",
                     icon=":material/model_training:")
    else:
        st.caption("Or from a terminal: `python -m core train`")
    st.stop()

suite_key = cache.suite_key(suite)
scorer = cache.whatif_scorer(dataset.fingerprint, suite_key, suite)
specs = cache.whatif_slider_specs(dataset.fingerprint, tuple(scorer.feature_names), frame)
spec_by_name = {spec.name: spec for spec in specs}
n_regressors = len(scorer.regressor_names) - len(scorer.baselines & set(scorer.regressor_names))
n_classifiers = len(scorer.classifier_names) - len(scorer.baselines & set(scorer.classifier_names))
st.caption(f"Every model trained on **{dataset.report.name if not dataset.is_twin else 'the twin'}** "
           f"({len(frame):,} songs): {n_regressors} regressors predict popularity (0–100), {n_classifiers} "
           f"classifiers say whether the song reaches the top 1% (popularity ≥ {suite.popular_threshold:g}). "
           "Move a slider and only this panel recomputes.")


song_state = whatif_state.SongState(frame, specs, suite.popular_threshold)
song_state.start(dataset.fingerprint)

one_song, batch = st.tabs([":material/tune: One song", ":material/upload_file: Score a CSV of songs"])

with one_song:
    start_cols = st.columns([2, 3, 1.2, 1.6, 0.8], vertical_alignment="bottom")
    keys = cache.whatif_search_keys(dataset.fingerprint, frame)
    query = start_cols[0].text_input("Find a song in the data", key="wi_search", placeholder="artist or title",
                                     disabled=keys is None,
                                     help="Every word must appear in the artist or the title (case-insensitive).")
    matches = search_songs(keys, query) if query else []
    start_cols[1].selectbox(f"Start from one of {len(matches)} matches" if query else "Start from a real song",
                            matches, index=None, key=whatif_state.MATCH_KEY, on_change=song_state.start_from_match,
                            format_func=lambda label: song_title(frame, label) + (
                                f" · popularity {frame.at[label, schema.TARGET]}" if schema.TARGET in frame else ""),
                            placeholder="type in the search box first" if not query else "pick a song")
    start_cols[2].button("Median song", on_click=song_state.start_from_median, key="wi_median", width="stretch",
                         help="Every slider at the dataset's median.")
    start_cols[3].button("Random popular song", on_click=song_state.start_from_random_popular, key="wi_random",
                         width="stretch", help=f"A real song with popularity ≥ {suite.popular_threshold:g}.")
    start_cols[4].button("Reset", on_click=song_state.reset_to_origin, key="wi_reset", width="stretch",
                         help="Back to the starting point's values.")
    if notice := song_state.pop_notice():
        st.warning(notice)


def draw_slider(spec: SliderSpec) -> None:
    label = f"{spec.label} ({spec.unit})" if spec.unit not in ("", "0–1") and not spec.is_choice else spec.label
    help_text = spec.help + (f" Unit: {spec.unit}." if spec.unit else "")
    if spec.is_choice:
        st.select_slider(label, options=spec.options, format_func=spec.format_value, key=whatif_state.slider_key(spec.name),
                         help=help_text, persist_state="session")
    else:
        st.slider(label, min_value=float(spec.min), max_value=float(spec.max), step=float(spec.step),
                  format=spec.number_format, key=whatif_state.slider_key(spec.name), help=help_text, persist_state="session")


@st.fragment
def song_panel() -> None:
    sliders, results = st.columns([1, 2], gap="large")
    # The sliders' new values are already in session state when the fragment reruns, so the predictions are computed
    # and sent first and the sliders drawn after them: the numbers reach the browser before 13 widgets do.
    song = song_state.current()
    song_state.sync_url(song)
    score = score_song(scorer, song)
    plausibility = check_plausibility(
        cache.whatif_plausibility_index(dataset.fingerprint, tuple(scorer.feature_names), frame), song, frame)
    ranks = cache.whatif_reference_predictions(dataset.fingerprint, suite_key, scorer, frame)
    reference = score.popularity.get(scorer.reference_model) if scorer.reference_model else None
    percentile = percentile_rank(ranks, reference) if reference is not None else None
    origin = song_state.origin
    unchanged = origin.get("song") is not None and not changed_features(origin["song"], song, specs)
    actual = origin.get("popularity") if unchanged else None
    models = score.model_popularity
    votes, voters = score.hit_votes

    with results:
        st.markdown(song_state.origin_line(song))
        metrics = st.columns(4)
        if len(models):
            versus = (dict(delta=f"{models.mean() - actual:+.1f} vs actual {actual:g}", delta_color="off")
                      if actual is not None else {})
            metrics[0].metric("Popularity (mean)", f"{models.mean():.1f}", **versus,
                              help=f"Mean prediction of {len(models)} regressors (one row each under "
                                   "*Popularity by model*).")
            metrics[1].metric("Model spread", f"{models.max() - models.min():.1f}",
                              help=f"Lowest {models.min():.1f} ({models.idxmin()}), "
                                   f"highest {models.max():.1f} ({models.idxmax()}).")
        if voters:
            metrics[2].metric("Hit votes", f"{votes} / {voters}",
                              help="Classifiers whose P(popular) reaches their own F1-best threshold (a model whose "
                                   "threshold calls every held-out test song a hit, or none, does not vote: it "
                                   "cannot tell songs apart).")
        if percentile is not None:
            metrics[3].metric("Percentile", ordinal(percentile),
                              help=f"Share of the data's {len(ranks):,} songs that {scorer.reference_model} "
                                   "predicts at or below this song.")
        with st.container(horizontal=True):
            if plausibility.is_unusual:
                st.badge("Unusual combination — far from every real song", color="orange",
                         icon=":material/warning:",
                         help=f"Its 5 nearest real songs are on average {plausibility.distance:.2f} standardised "
                              f"units away, farther than for {plausibility.percentile:.1f}% of real songs. "
                              "Predictions here are extrapolations.")
            else:
                st.badge("Plausible — like real songs", color="green", icon=":material/check_circle:",
                         help=f"Nearest-neighbour distance {plausibility.distance:.2f} (real songs: 99% below "
                              f"{plausibility.threshold:.2f}).")
            if voters and 0 < votes < voters:
                st.badge("Classifiers disagree", color="yellow", icon=":material/call_split:")
    with sliders:
        st.subheader("The song")
        for spec in specs:
            draw_slider(spec)
    with results:
        # Only the open view is drawn: every slider move redraws it, and a Plotly figure costs the browser ~0.1 s
        # of CPU each time (measured), so four at once made every move four times heavier than the one in view.
        views = st.tabs(VIEWS, key="wi_view", on_change="rerun")
        if views[0].open:
            with views[0]:
                popularity_view(score, actual)
        if views[1].open:
            with views[1]:
                hits_view(score, voters)
        if views[2].open:
            with views[2]:
                why_view(score, song)
        if views[3].open:
            with views[3]:
                sweep_view(song)
        if views[4].open:
            with views[4]:
                nearest_view(plausibility)
        if views[5].open:
            with views[5]:
                counterfactual_view(song)


def popularity_view(score: SongScore, actual: float | None) -> None:
    # A table, not a figure: it reads exactly, sorts, and costs each browser a fraction of a Plotly redraw on every
    # slider move (and no Plotly download on a first visit).
    if score.popularity.empty:
        st.info("This suite has no regressor (it was trained for classification only), so there is no predicted "
                "popularity to show. *Hit or not* has the classifiers' verdicts.")
        return
    table = popularity_table(score, getattr(suite, "regression_table", None), actual)
    # Five columns fit beside the sliders: the gap to the song's real popularity replaces the gap to the mean when
    # the song is a real one (the metric above still shows the mean's).
    hidden = {"kind", "vs_mean" if actual is not None else "vs_actual"}
    shown = [c for c in POPULARITY_TABLE_COLUMNS if c not in hidden]
    st.dataframe(table, hide_index=True, width="stretch", column_order=shown, column_config={
        "model": st.column_config.TextColumn("Model"),
        "popularity": st.column_config.ProgressColumn("Predicted popularity", min_value=0, max_value=100,
                                                      format="%.1f",
                                                      help="This model's prediction on the 0–100 scale."),
        "vs_mean": st.column_config.NumberColumn("vs mean", format="%+.1f", width="small",
                                                 help="Above (+) or below (−) the mean of the real models."),
        "vs_actual": st.column_config.NumberColumn(f"vs actual {actual:g}" if actual is not None else "vs actual",
                                                   format="%+.1f", width="small",
                                                   help="Prediction minus the song's real popularity."),
        "test_rmse": st.column_config.NumberColumn("Typical error", format="± %.1f", width="small",
                                                   help="Root-mean-square error on the held-out test songs."),
        "test_r2": st.column_config.NumberColumn("Test R²", format="%.3f", width="small",
                                                 help="Share of popularity's variance the model explains on the "
                                                      "held-out test songs."),
    })
    baselines = table.loc[table["kind"] == "baseline", "model"].tolist()
    st.caption("*Typical error* is how far a model's predictions land from the real popularity on songs it never "
               "saw: gaps between models smaller than that are noise, not disagreement."
               + (f" {' and '.join(baselines)} {'ignores' if len(baselines) == 1 else 'ignore'} the song (listed "
                  "last): the bar every model has to beat." if baselines else ""))


def hits_view(score: SongScore, voters: int) -> None:
    if not voters:
        st.info("This suite has no classifier that can tell songs apart, so there are no hit verdicts to show.")
        return
    st.plotly_chart(charts.hit_chart(score), key="wi_chart_hits", config={"displayModeBar": False})
    if silent := score.silent_models:
        st.caption(f"{', '.join(silent)}: at its F1-best threshold this model calls every held-out test song a hit, "
                   "or none, so its verdict says nothing about this song and it does not vote.")
    calibration_note(score)


def calibration_note(score: SongScore) -> None:
    """Whether each P(popular) above reads as a chance (calibrated on the held-out songs) or only as a score."""
    table = cache.whatif_calibration(dataset.fingerprint, suite_key, suite)
    shown = [n for n in score.model_hit_probability.index if n in table.index]
    calibrated = [n for n in shown if table.at[n, "calibrated"]]
    inflated = [f"{n} ({table.at[n, 'short']})" for n in shown if not table.at[n, "calibrated"]]
    with st.container(key="wi_calibration"):
        if calibrated:
            st.caption(f"**Calibrated** on the held-out test songs — a P of 0.3 means about 3 in 10 such songs are "
                       f"popular: {', '.join(calibrated)}.")
        if inflated:
            st.caption("**Not calibrated** — its P is a score that ranks songs, not a chance; compare it only with "
                       f"that model's own threshold: {'; '.join(inflated)}.")


def why_view(score: SongScore, song: dict) -> None:
    if score.contributions is None:
        st.info("Per-feature contributions need the XGBoost regressor, which this suite does not have.")
        return
    st.plotly_chart(charts.contributions_waterfall(score.contributions, song, specs, score.contribution_model),
                    key="wi_chart_why", config={"displayModeBar": False})


def sweep_view(song: dict) -> None:
    controls = st.columns([1, 2])
    names = [spec.name for spec in specs]
    feature = controls[0].selectbox("Sweep feature", names, key="wi_sweep", persist_state="session",
                                    format_func=lambda n: spec_by_name[n].label)
    chosen = controls[1].multiselect("Models", sweep_choices, key="wi_sweep_models", placeholder="all models",
                                     persist_state="session", help="Clear it to sweep every model.")
    curve = sensitivity_curve(scorer, song, spec_by_name[feature], models=chosen or sweep_choices)
    st.plotly_chart(charts.sensitivity_chart(curve, spec_by_name[feature], song[feature], colours),
                    key="wi_chart_sweep", config={"displayModeBar": False})


def nearest_view(plausibility: Plausibility) -> None:
    st.markdown("**The 5 nearest real songs** (distance in standardised audio features)")
    nearest_table(plausibility.nearest)


def nearest_table(nearest) -> None:
    shown = nearest[[c for c in (schema.ARTIST, schema.TRACK_NAME, schema.TARGET, "distance") if c in nearest]]
    st.dataframe(shown, hide_index=True, width="stretch",
                 column_config={schema.ARTIST: "Artist", schema.TRACK_NAME: "Title",
                                schema.TARGET: st.column_config.NumberColumn("Popularity"),
                                "distance": st.column_config.NumberColumn("Distance", format="%.2f")})


def counterfactual_view(song: dict) -> None:
    space = cache.whatif_search_space(dataset.fingerprint, tuple(scorer.feature_names), frame, specs)
    index = cache.whatif_plausibility_index(dataset.fingerprint, tuple(scorer.feature_names), frame)
    goals = ([counterfactual.HIT] if scorer.voters else []) + ([counterfactual.POINTS] if n_regressors else [])
    if not goals:
        st.info("This suite has neither a classifier that votes nor a regressor, so there is no goal to aim for.")
        return
    labels = {counterfactual.HIT: "Make it a hit", counterfactual.POINTS: "Raise predicted popularity"}
    controls = st.columns([2, 2], vertical_alignment="bottom")
    kind = controls[0].segmented_control("Goal", goals, format_func=labels.get, default=goals[0], key="wi_cf_goal",
                                         persist_state="session") or goals[0]
    classifier, points = None, 5.0
    if kind == counterfactual.HIT:
        reference = counterfactual.reference_classifier(scorer)
        classifier = controls[1].selectbox("Classifier", scorer.voters, key="wi_cf_model",
                                           index=scorer.voters.index(reference) if reference in scorer.voters else 0,
                                           help="Whose verdict to aim for: reaching its own F1-best threshold. The "
                                                "default has the best test PR-AUC.")
    else:
        points = float(controls[1].number_input("Points to add to the mean prediction", 1, 50, 5, step=1,
                                                key="wi_cf_points"))
    result = cache.whatif_counterfactual(dataset.fingerprint, suite_key, tuple(song.items()), kind, points, classifier,
                                         scorer, space, index, frame)
    with st.container(key="wi_counterfactual"):
        if not result.found:
            st.info(result.message, icon=":material/block:")
            return
        if not result.steps:
            st.success(result.message)
            return
        st.success(result.message, icon=":material/lightbulb:")
        st.button("Apply this change to the sliders", on_click=song_state.apply_change, args=(result.changed,),
                  key="wi_cf_apply", type="primary", icon=":material/tune:")
        st.markdown(result.agreement_text)
        table = result.predictions
        st.dataframe(table, hide_index=True, width="stretch",
                     column_order=["model", "kind", "before", "after", "change", "verdict"], column_config={
                         "model": "Model", "kind": "Predicts",
                         "before": st.column_config.NumberColumn("Now", format="%.3f"),
                         "after": st.column_config.NumberColumn("After the change", format="%.3f"),
                         "change": st.column_config.NumberColumn("Change", format="%+.3f"),
                         "verdict": st.column_config.TextColumn("Hit?", help="A voting classifier's verdict now → "
                                                                "after the change (at its F1-best threshold).")})
    st.markdown("**The 5 nearest real songs to the changed song** (distance in standardised audio features)")
    nearest_table(result.nearest)
    st.caption("Size of a change: the sum of each feature's move in standard deviations of the data. Key, mode and "
               "time signature are held. An association in this data and these models, not a recipe for a hit.")


sweep_choices = [n for n in [*scorer.regressor_names, *scorer.classifier_names] if n not in scorer.baselines]
colours = charts.model_colours([*scorer.regressor_names, *scorer.classifier_names])
if st.session_state.get("wi_sweep") not in spec_by_name:
    st.session_state["wi_sweep"] = "loudness" if "loudness" in spec_by_name else specs[0].name
if "wi_sweep_models" not in st.session_state or not set(st.session_state["wi_sweep_models"]) <= set(sweep_choices):
    st.session_state["wi_sweep_models"] = default_sweep_models(scorer)

with one_song:
    song_panel()


with batch:
    st.markdown("Upload a CSV of songs (same columns as the data; `popularity` optional) to score every row with every "
                "model. The result can be downloaded.")
    upload = st.file_uploader("CSV of songs to score", type=["csv", "tsv", "txt"], key="wi_batch_upload")
    if upload is not None:
        result = cache.whatif_score_upload(upload.getvalue(), upload.name, suite_key, scorer)
        if result.error:
            st.error(f"**{upload.name}** could not be scored.\n\n{result.error}")
            if result.missing_columns:
                st.caption("Columns are mapped where data is loaded: pick *Upload a CSV* in the sidebar, map them "
                           "there, and the file's songs become the data every page uses.")
        else:
            for warning in result.warnings:
                st.warning(warning)
            st.success(f"Scored {len(result.table):,} songs with {n_regressors} regressors and {n_classifiers} "
                       "classifiers (and the baselines). `reg::` columns are predicted popularity, `cls::` P(popular), "
                       "`hit::` 1 when P(popular) reaches that model's F1-best threshold.")
            st.dataframe(result.table, hide_index=True, width="stretch", column_config={
                **{c: st.column_config.NumberColumn(format="%.1f") for c in result.table.columns
                   if c.startswith((REGRESSION_PREFIX, "predicted_popularity_"))},
                **{c: st.column_config.NumberColumn(format="%.3f") for c in result.table.columns
                   if c.startswith(CLASSIFICATION_PREFIX)}})
            st.download_button("Download the predictions (CSV)", safe_csv.to_csv_bytes(result.table),
                               file_name=f"{Path(upload.name).stem}_scored.csv", mime="text/csv",
                               key="wi_batch_download", icon=":material/download:")
