"""The regenerated report: the data in use and its stored suite as one self-contained HTML file.

It follows the original report's order (problem and data, popularity, correlations, loudness and instrumentalness,
regression, classification, F1-best thresholds, the class-weighted revision) and ends with what the numbers say.
Every number and chart comes from the functions the pages call (core.eda, core.comparison, core.charts); this module
only lays them out. The file needs no network: Plotly's code is embedded once, there are no external fonts, and each
chart is also rendered to a PNG in the browser so that printing shows static images.
Text that comes from the data (titles, artists, column and file names) is HTML-escaped everywhere.
"""
from __future__ import annotations

import html
import json
import re
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from core import report_figures as rf
from core import schema
from core.charts import eda as eda_charts
from core.charts import models as model_charts
from core.comparison.exports import published_tables
from core.comparison.summary import SuiteSummary, prediction_models, preferred_order, suite_summary
from core.comparison.tables import (GROUP_LABELS, base_model_name, classification_report_view, failed_models,
                                    honest_view, regression_view, style_best)
from core.comparison.text import accuracy_note, describe_config
from core.comparison.thresholds import classification_curves, threshold_metrics
from core.eda.alerts import alert_lines
from core.eda.columns import MIN_ROWS_FOR_STATISTICS, analysis_columns
from core.eda.correlations import correlation_matrix, target_correlations
from core.eda.features import feature_profile
from core.eda.filters import select_rows
from core.eda.overview import OverviewTables, overview_tables
from core.eda.popularity import (POPULAR_QUANTILE, PopularityProfile, REPORT_POPULARITY_NOTES, popular_threshold,
                                 popularity_notes, popularity_profile)
from core.eda.tables import head_table


TITLE = "Spotify Song Popularity Prediction Report"
# (anchor, heading) in the original report's order; the model sections need a stored suite.
SECTIONS = (
    ("problem", "Problem statement and data overview"),
    ("popularity", "The popularity distribution"),
    ("correlations", "Correlation matrix and heatmap"),
    ("features", "Loudness, instrumentalness and the other features"),
    ("regression", "Regression: this run beside the report's"),
    ("classification", "Classification: the report's metrics and the honest ones"),
    ("thresholds", "F1-best thresholds and predicted probabilities"),
    ("weighted", "The class-weighted revision"),
    ("closing", "What the data says"),
)
MODEL_SECTIONS = ("regression", "classification", "thresholds", "weighted")
HEADINGS = dict(SECTIONS)
FOCUS_FEATURES = ("loudness", "instrumentalness")  # the report's two focused analyses
HEAD_ROWS = 5                                      # the report shows df.head(5)
PR_MODELS = 4                                      # curves in the precision–recall comparison (as the page)
PLOT_CONFIG = {"displaylogo": False, "responsive": True}
PRINT_IMAGE_WIDTH = 900                            # px of the PNG each chart becomes for printing

PROBLEM_STATEMENT = (
    "Why do some songs go viral while most remain unnoticed? With millions of tracks flooding streaming platforms, "
    "predicting a song's success remains a challenge. This project explores the relationship between song "
    "attributes and popularity, leveraging machine learning to identify key factors and build predictive models.")


# ---- finding the suite -----------------------------------------------------------------------------------------------

@dataclass
class SuiteChoice:
    """The stored suite a report uses (None when there is none or it cannot be read, with the reason)."""

    tables: Any = None            # core.models.config.SuiteTables
    problem: str | None = None    # why there is no suite, in a sentence


def preferred_suite_path(store, fingerprint: str, newest: bool = False) -> Path | None:
    """The folder of the suite the model comparison page opens on for this data (the report's own settings first,
    then random splits, newest first); `newest`: simply the one saved last."""
    from core.models.config import SuiteConfig

    stored = store.stored_configs(fingerprint)   # newest first: the store decides what newest means
    if not stored:
        return None
    by_key = {config.key(): path for config, path in stored}
    return stored[0][1] if newest else by_key[preferred_order([c for c, _ in stored], SuiteConfig())[0]]


def load_suite(store, path: Path | None) -> SuiteChoice:
    """The stored suite's tables (verified), or the reason the report goes without them."""
    from core.models.store import ArtifactError

    if path is None:
        return SuiteChoice(problem="No trained suite is stored for this data yet, so this report has the data "
                                   "sections only. Train one on the Model comparison page or with "
                                   "`python -m core report --train`.")
    try:
        return SuiteChoice(tables=store.load_tables(Path(path)))
    except ArtifactError as error:
        return SuiteChoice(problem=f"The stored suite failed verification and was not used ({error}), so this "
                                   "report has the data sections only. Retrain it to replace it.")


# ---- small HTML helpers -----------------------------------------------------------------------------------------------

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_CODE = re.compile(r"`([^`]+)`")


def text(value: Any) -> str:
    """Any text, escaped for HTML (data may hold markup)."""
    return html.escape(str(value), quote=True)


def inline(markdown: str) -> str:
    """The pages' short markdown sentences (**bold**, `code`) as HTML; everything else is escaped first."""
    escaped = text(markdown)
    return _CODE.sub(r"<code>\1</code>", _BOLD.sub(r"<strong>\1</strong>", escaped))


def _number(value: float, decimals: int = 4) -> str:
    return "—" if value is None or not np.isfinite(value) else f"{value:.{decimals}f}"


def table_html(frame: pd.DataFrame, *, index: bool = True, decimals: int = 4, caption: str = "",
               css: str = "") -> str:
    """A data table: every label and cell escaped, floats to `decimals` places, missing as a dash."""
    body = frame.to_html(index=index, escape=True, na_rep="—", border=0, classes=f"data {css}".strip(),
                         float_format=lambda v: f"{v:.{decimals}f}")
    head = f"<p class='caption'>{inline(caption)}</p>" if caption else ""
    return f"<div class='table-wrap'>{head}{body}</div>"


def styled_html(styler, caption: str = "") -> str:
    """A pandas Styler from core.comparison (best cells shaded, as on the page) with its labels escaped."""
    body = styler.format_index(escape="html", axis=0).format_index(escape="html", axis=1).to_html()
    head = f"<p class='caption'>{inline(caption)}</p>" if caption else ""
    return f"<div class='table-wrap styled'>{head}{body}</div>"


def bullets(items, quoted: bool = False) -> str:
    tag = "ul class='quoted'" if quoted else "ul"
    return f"<{tag}>" + "".join(f"<li>{inline(item)}</li>" for item in items) + "</ul>"


def figure_block(figures: dict[str, dict], figure, note: str = "") -> str:
    """A chart container: the interactive plot on screen, its PNG (made in the browser) in print."""
    chart_id = f"chart-{len(figures) + 1}"
    figures[chart_id] = for_paper(figure.to_plotly_json())
    caption = f"<figcaption>{inline(note)}</figcaption>" if note else ""
    return (f"<figure class='chart' id='{chart_id}'><div class='chart-plot'></div>"
            f"<img class='chart-print' alt='chart'>{caption}</figure>")


def for_paper(figure: dict) -> dict:
    """A page figure (as plain JSON data) for a white page: no template of its own (the page adds one light template
    for every chart, embedded once), and marks drawn in white for the dark app turned grey. Working on the JSON keeps
    the caller's figure as it is and skips Plotly's per-property validation."""
    layout = figure.setdefault("layout", {})
    layout.pop("template", None)
    for shape in layout.get("shapes", ()):
        if shape.get("line", {}).get("color") == "white":
            shape["line"]["color"] = "#444"
    for trace in figure.get("data", ()):
        marker, line = trace.get("marker") or {}, trace.get("line") or {}
        if marker.get("color") == "white":
            marker["color"] = "#222"
        if line.get("color") == "white":
            line["color"] = "#444"
    return figure


def paper_template() -> dict:
    """Plotly's light template, white backgrounds (shared by every chart of the report)."""
    import plotly.io as pio

    template = pio.templates["plotly_white"].to_plotly_json()
    template.setdefault("layout", {}).update(paper_bgcolor="white", plot_bgcolor="white")
    return template


def key_figure(name: str, value: str, label: str) -> str:
    """A headline number, tagged so a reader (or a test) can find it."""
    return (f"<div class='figure-box'><span class='figure-value' data-figure='{name}'>{text(value)}</span>"
            f"<span class='figure-label'>{text(label)}</span></div>")


def side_by_side(*blocks: str) -> str:
    cells = "".join(f"<div class='column'>{block}</div>" for block in blocks)
    return f"<div class='columns n{len(blocks)}'>{cells}</div>"


# ---- the data sections ------------------------------------------------------------------------------------------------

def _label(name: str) -> str:
    return schema.FEATURES_BY_NAME[name].label if name in schema.FEATURES_BY_NAME else name


@dataclass
class DataFacts:
    """The numbers the data sections and the closing section share (each from the pages' functions)."""

    rows: int
    threshold: float
    popularity: PopularityProfile | None
    corr: pd.DataFrame
    target_corr: pd.Series = field(default_factory=pd.Series)


def problem_section(dataset, tables: OverviewTables) -> str:
    frame = dataset.frame
    warnings = [a for a in tables.alerts if a.severity == "warning"]
    notes = [a for a in tables.alerts if a.severity != "warning"]
    head, _ = head_table(frame, limit=HEAD_ROWS)
    # The report's 17 columns (a file's extra columns would squeeze them off a printed page; info() lists those).
    extra = [c for c in head.columns if c not in schema.CANONICAL_COLUMNS]
    head = head[[c for c in head.columns if c in schema.CANONICAL_COLUMNS]]
    head_caption = f"df.head({HEAD_ROWS})" + (f" — the report's columns; {len(extra)} more are listed under info()"
                                               if extra else "")
    parts = [
        "<h3>The problem</h3>", f"<blockquote>{text(PROBLEM_STATEMENT)}</blockquote>",
        "<p>Predict a song's Spotify popularity (0–100) from its 13 audio features — as a number (regression) and "
        "as 'popular or not' (classification, popular = the top 1 %).</p>",
        "<h3>The data</h3>",
        "<div class='figures'>" + key_figure("rows", f"{len(frame):,}", "rows")
        + key_figure("columns", f"{frame.shape[1]}", "columns")
        + key_figure("duplicate-ids", f"{tables.duplicate_track_ids:,}", "rows repeating a track id") + "</div>",
        f"<p>The report's file had {rf.N_ROWS:,} rows × {rf.N_COLUMNS} columns.</p>",
        table_html(head, caption=head_caption, css="wide"),
        "<h3>Data-quality alerts</h3>",
        f"<p class='caption'>{len(warnings)} to act on, {len(notes)} worth knowing.</p>",
    ]
    if not tables.alerts:
        parts.append("<p>No alerts: no duplicates, no missing values, no skewed, constant or redundant columns.</p>")
    parts += [f"<p class='alert warning'>{inline(f'**{a.title}.** {a.meaning}')}</p>" for a in warnings]
    if notes:
        parts.append(bullets(alert_lines(notes)))
    parts += [
    ]
    parts += [
        side_by_side(table_html(tables.info, index=False, caption=f"df.info() — {tables.info_summary}"),
                     table_html(tables.nulls, index=False, caption="df.isnull().sum() (report: its count)"),
                     table_html(tables.nunique, index=False, caption="df.nunique() (report: its count)")),
        table_html(tables.describe, decimals=4, caption="df.describe()", css="wide"),
    ]
    return "".join(parts)


def quantile_grid(quantiles: pd.DataFrame) -> str:
    """The 99 one-percent quantiles as a 10 × 10 grid (row: tens, column: units), the popular cut marked."""
    by_percent = {int(round(100 * q)): v for q, v in zip(quantiles["quantile"], quantiles["popularity"])}
    rows = []
    for tens in range(0, 100, 10):
        cells = []
        for unit in range(10):
            percent = tens + unit
            if percent in by_percent:
                css = " class='cut'" if percent == round(100 * POPULAR_QUANTILE) else ""
                cells.append(f"<td{css} title='{percent} %'>{by_percent[percent]:g}</td>")
            else:
                cells.append("<td></td>")
        rows.append(f"<tr><th>{tens} %</th>{''.join(cells)}</tr>")
    header = "<tr><th></th>" + "".join(f"<th>+{u}</th>" for u in range(10)) + "</tr>"
    return (f"<div class='table-wrap'><p class='caption'>Popularity at every 1 % (row + column = the quantile; "
            f"green: the 99th percentile, the 'popular' cut)</p><table class='data quantiles'>{header}"
            f"{''.join(rows)}</table></div>")


def popularity_section(facts: DataFacts, figures: dict) -> str:
    profile = facts.popularity
    if profile is None:
        return "<p>This data has no popularity column, so there is no target to describe.</p>"
    table = profile.quantiles
    cut = float(table.loc[table["is threshold"], "popularity"].iloc[0])
    return "".join([
        side_by_side(figure_block(figures, eda_charts.popularity_histogram_chart(profile)),
                     figure_block(figures, eda_charts.popularity_density_chart(profile))),
        "<div class='figures'>" + key_figure("popular-cut", f"{cut:g}", "99th percentile: popular ≥ this")
        + key_figure("popular-share", f"{100 * profile.popular_share:.2f} %", "of songs are popular")
        + key_figure("skew", f"{profile.skew:+.2f}", "skewness") + "</div>",
        side_by_side("<h3>On this data</h3>" + bullets(popularity_notes(profile)),
                     f"<h3>The report (on its {rf.N_ROWS:,} songs)</h3>"
                     + bullets(REPORT_POPULARITY_NOTES, quoted=True)),
        quantile_grid(table),
        f"<p>The report's 99th percentile was {rf.POPULAR_THRESHOLD}: 'popular' means popularity ≥ "
        f"{rf.POPULAR_THRESHOLD}.</p>",
    ])


def correlation_section(facts: DataFacts, figures: dict) -> str:
    corr = facts.corr
    if len(corr) < 2 or not np.isfinite(corr.to_numpy(dtype=float)).any():
        return f"<p>Correlations need at least {MIN_ROWS_FOR_STATISTICS} songs with varying values.</p>"
    parts = [figure_block(figures, eda_charts.correlation_heatmap_chart(corr, "pearson"))]
    if schema.TARGET in corr.columns:
        loudness = corr.loc["loudness", schema.TARGET] if "loudness" in corr.index else float("nan")
        parts += [
            figure_block(figures, eda_charts.target_correlation_chart(facts.target_corr, rf.CORRELATION[schema.TARGET]),
                         "Dark ticks: the report's Pearson correlations on the real data."),
            "<div class='figures'>" + key_figure("corr-loudness", _number(loudness), "corr(loudness, popularity)")
            + key_figure("corr-loudness-report", _number(rf.CORRELATION.loc["loudness", schema.TARGET]),
                         "the report's") + "</div>",
        ]
    parts.append(table_html(corr, decimals=3, caption="Pearson correlation matrix", css="wide"))
    return "".join(parts)


def feature_section(dataset, facts: DataFacts, figures: dict) -> str:
    frame, features = dataset.frame, dataset.feature_names
    if not features:
        return "<p>This data has none of the report's audio features.</p>"
    has_target = facts.popularity is not None
    columns = [schema.TARGET] if has_target else []
    parts, others = [], []
    # The report's two focused analyses first, in its order; the other features after them.
    ordered = [f for f in FOCUS_FEATURES if f in features] + [f for f in features if f not in FOCUS_FEATURES]
    for feature in ordered:
        profile = feature_profile(select_rows(frame, None, [feature, *columns]), feature, facts.threshold)
        if feature not in FOCUS_FEATURES:
            others.append(f"**{_label(feature)}.** {profile.summary}")
            continue
        parts.append(f"<h3>{text(_label(feature))}</h3>")
        parts.append(side_by_side(f"<h4>The report on {text(_label(feature).lower())}</h4>"
                                  + bullets(profile.report_insights, quoted=True),
                                  f"<h4>On this data</h4><p>{inline(profile.summary)}</p>"))
        blocks = [figure_block(figures, eda_charts.feature_histogram_chart(profile))]
        if has_target:
            blocks.append(figure_block(figures, eda_charts.band_density_chart(profile)))
        parts.append(side_by_side(*blocks))
        if has_target:
            parts.append(side_by_side(
                figure_block(figures, eda_charts.binned_mean_chart(profile, facts.popularity.mean)),
                figure_block(figures, eda_charts.regression_chart(profile))))
    if others:
        parts.append("<h3>The other features, in a sentence each</h3>" + bullets(others))
    return "".join(parts)


# ---- the model sections -----------------------------------------------------------------------------------------------

def regression_section(tables, summary: SuiteSummary, figures: dict) -> str:
    view = regression_view(tables.regression_table)
    if view.empty:
        return "<p>This suite has no regression models.</p>"
    published = published_tables()["regression figures"]
    best = summary.best_regressor
    parts = [f"<p class='alert warning'>{text(f'{name} failed to train and is left out: {error}')}</p>"
             for name, error in failed_models(tables.regression_table).items()]
    if best is not None:
        parts.append("<div class='figures'>" + key_figure("best-regressor", best, "best regressor (test R²)")
                     + key_figure("best-r2", _number(float(view.loc[best, "R²"])), "its R²")
                     + key_figure("report-best-r2", _number(float(published["R2 Score"].max())),
                                  "the report's best R²") + "</div>")
    shown = view[[c for c in view.columns if c not in ("fit (s)", "predict (µs/row)")]]
    parts.append(side_by_side(
        styled_html(style_best(shown, skip_rows=summary.regression_baselines),
                    "This run (test split). Shaded: the best value in each column"
                    + ("; the dummy row predicts the training mean, the floor any model must beat."
                       if summary.regression_baselines else ".")),
        table_html(published, caption="Published in the report (the real Kaggle file, random 80/20 split)")))
    error_column = "CV R² sd" if "CV R² sd" in view.columns else None
    parts.append(figure_block(figures, model_charts.metric_bar_chart(view, "R²", error_column, highlight=best)))
    return "".join(parts)


def classification_section(tables, summary: SuiteSummary) -> str:
    published = published_tables()
    note = accuracy_note(tables.classification_table, summary.n_test, summary.n_positive)
    parts = [f"<p class='alert'>{inline(note)}</p>"]
    parts += [f"<p class='alert warning'>{text(f'{name} failed to train and is left out: {error}')}</p>"
              for name, error in failed_models(tables.classification_table).items()]
    parts += [
        "<h3>The report's metrics</h3>",
        styled_html(style_best(classification_report_view(tables.classification_table)),
                    "Accuracy and weighted averages over both classes at threshold 0.5, as the report computes them "
                    "— dominated by the majority class."),
        "<h3>Metrics that see the popular songs</h3>",
        styled_html(style_best(honest_view(tables.classification_table)),
                    "ROC-AUC and PR-AUC rank every song by its probability; 'popular' columns score only the "
                    "minority class, at 0.5 and at each model's F1-best threshold."),
        table_html(published["classification figures"], caption="Published in the report (plain suite, real data)"),
    ]
    return "".join(parts)


def threshold_section(tables, summary: SuiteSummary, figures: dict) -> str:
    _, classifiers = prediction_models(tables.test_predictions)
    honest = honest_view(tables.classification_table)
    wanted = [c for c in ("suite", "popular F1", "F1-best threshold", "popular F1 at best", "PR-AUC")
              if c in honest.columns]
    parts = ["<p>The report's rule: the threshold on P(popular) with the highest F1 on the test set "
             "(precision_recall_curve), instead of the default 0.5.</p>"]
    if wanted:
        parts.append(styled_html(style_best(honest[wanted]), "Each classifier at 0.5 and at its F1-best "
                                                                  "threshold"))
    best = summary.best_classifier if summary.best_classifier in classifiers else None
    if best is None:
        return "".join(parts) + "<p>No classifier has stored test probabilities to draw.</p>"
    curves = classification_curves(tables.test_predictions, best, tables.manifest)
    at_best = threshold_metrics(curves.y_class, curves.proba, curves.best_threshold)
    parts.append("<div class='figures'>" + key_figure("best-classifier", best, "best classifier (PR-AUC)")
                 + key_figure("best-threshold", f"{curves.best_threshold:.3f}", "its F1-best threshold")
                 + key_figure("best-f1", f"{at_best.f1:.3f}", "popular F1 there") + "</div>")
    ranked = [m for m in summary.classifiers_by_pr_auc[:PR_MODELS] if m in classifiers]
    compared = {m: classification_curves(tables.test_predictions, m, tables.manifest) for m in ranked}
    parts.append(side_by_side(
        figure_block(figures, model_charts.probability_histogram_chart(curves.histogram, curves.best_threshold),
                     f"{best}: predicted probabilities by true class; dashed: its F1-best threshold."),
        figure_block(figures, model_charts.pr_comparison_chart({m: c.pr for m, c in compared.items()},
                                                               summary.positive_rate,
                                                               {m: c.pr_auc for m, c in compared.items()}))))
    return "".join(parts)


def weighted_section(tables) -> str:
    published = published_tables()["class-weighted figures"]
    honest = honest_view(tables.classification_table)
    report_view = classification_report_view(tables.classification_table)
    weighted = honest.index[honest["suite"] == GROUP_LABELS["weighted"]] if "suite" in honest else []
    parts = ["<p>The report's revision: compute_class_weight('balanced') on the training split, so the rare popular "
             "songs weigh as much as the rest.</p>"]
    if not len(weighted):
        parts.append("<p>This suite has no class-weighted models (train it with the class-weighted suite).</p>")
    else:
        rows = []
        for name in weighted:
            plain = base_model_name(str(name))
            for label, model in (("plain", plain), ("class-weighted", name)):
                if model in honest.index:
                    rows.append({"model": plain, "suite": label,
                                 **{c: report_view.loc[model, c] for c in ("accuracy_score", "f1_score")
                                    if c in report_view},
                                 **{c: honest.loc[model, c] for c in ("popular recall", "popular F1", "PR-AUC")
                                    if c in honest}})
        pairs = pd.DataFrame(rows).set_index(["model", "suite"])
        parts.append(table_html(pairs, caption="Each model plain and class-weighted (test split)"))
    parts.append(table_html(published, caption="Published in the report (class-weighted suite, real data)"))
    return "".join(parts)


# ---- the closing section ----------------------------------------------------------------------------------------------

def closing_points(dataset, facts: DataFacts, tables, summary: SuiteSummary | None) -> list[str]:
    """What the numbers say, one sentence each, written from this data's and this suite's figures."""
    points = []
    profile = facts.popularity
    if profile is not None:
        points.append(f"Popularity is skewed (skewness {profile.skew:+.2f}; {100 * profile.zero_share:.1f} % of the "
                      f"{facts.rows:,} songs sit at 0) and only {100 * profile.popular_share:.2f} % reach the "
                      f"popular cut of {facts.threshold:g}: any model is trained mostly on unpopular songs.")
    ranked = facts.target_corr.dropna().sort_values(key=np.abs, ascending=False)
    if len(ranked) >= 2:
        first, second = ranked.index[:2]
        points.append(f"The features most correlated with popularity are {_label(first).lower()} "
                      f"(r = {ranked.iloc[0]:+.3f}) and {_label(second).lower()} (r = {ranked.iloc[1]:+.3f}); the "
                      "report found loudness and instrumentalness. Every |r| is below "
                      f"{abs(ranked.iloc[0]) + 0.005:.2f}, so no single feature explains much.")
    if tables is None or summary is None:
        points.append("No suite is stored for this data, so nothing is said here about the models.")
    else:
        view = regression_view(tables.regression_table)
        if summary.best_regressor is not None:
            r2 = float(view.loc[summary.best_regressor, "R²"])
            report_best = float(rf.REGRESSION_RESULTS["R2 Score"].max())
            points.append(f"The best regressor, {summary.best_regressor}, explains {100 * r2:.1f} % of the variance "
                          f"of popularity on held-out songs (R² {r2:.4f}; the report's best was {report_best:.4f}): "
                          "audio features alone predict popularity poorly.")
        if summary.best_classifier is not None:
            row = tables.classification_table.loc[summary.best_classifier]
            pr_auc = float(row.get("pr_auc", float("nan")))
            points.append(f"Accuracy says little: predicting 'not popular' for every song scores "
                          f"{1 - summary.positive_rate:.3f}. The best classifier by PR-AUC, "
                          f"{summary.best_classifier}, reaches {pr_auc:.3f} against {summary.positive_rate:.3f} for "
                          "random guessing.")
        honest = honest_view(tables.classification_table)
        if "suite" in honest and "popular recall" in honest:
            weighted = honest[honest["suite"] == GROUP_LABELS["weighted"]]
            gains = [float(weighted.loc[n, "popular recall"] - honest.loc[base_model_name(str(n)),
                                                                          "popular recall"])
                     for n in weighted.index if base_model_name(str(n)) in honest.index]
            gains = [g for g in gains if np.isfinite(g)]
            if gains:
                median = float(np.median(gains))
                effect = ("they trade accuracy for finding more of the rare hits" if median > 0.01 else
                          "they find fewer of the rare hits at that threshold" if median < -0.01 else
                          "at that threshold they barely change which songs are called popular")
                points.append(f"Class weights change the popular songs' recall at 0.5 by a median of {median:+.3f} "
                              f"across {len(gains)} models: {effect}.")
    if dataset.is_twin:
        points.append("These figures describe the twin, a synthetic dataset calibrated to the report's published "
                      "figures; load the real file to describe real songs.")
    return points


# ---- the whole document -----------------------------------------------------------------------------------------------

def data_facts(dataset, corr: pd.DataFrame) -> DataFacts:
    frame = dataset.frame
    has_target = schema.TARGET in frame.columns and frame[schema.TARGET].notna().any()
    threshold = popular_threshold(frame[schema.TARGET]) if has_target else float("nan")
    profile = popularity_profile(frame[schema.TARGET], threshold) if has_target else None
    target_corr = target_correlations(corr) if schema.TARGET in corr.columns else pd.Series(dtype=float)
    return DataFacts(rows=len(frame), threshold=threshold, popularity=profile, corr=corr,
                     target_corr=target_corr)


def header_html(dataset, tables, summary: SuiteSummary | None, problem: str | None, made_at: datetime) -> str:
    report = dataset.report
    if dataset.is_twin:
        data = f"<strong>{text(report.name)}</strong> — generated, not the real Kaggle file"
    else:
        data = f"file <strong>{text(report.name)}</strong>"
    data += f" · {len(dataset.frame):,} rows · fingerprint <code>{text(dataset.fingerprint)}</code>"
    if tables is None or summary is None:
        suite = "none — this report has the data sections only (see below)"
    else:
        versions = (tables.manifest or {}).get("versions") or {}
        suite = (f"{text(describe_config(tables.config))} · settings <code>{text(tables.config.key())}</code> · "
                 f"trained {text(summary.trained_at)} UTC<br><span class='versions'>"
                 + text(" · ".join(f"{name} {version}" for name, version in versions.items())) + "</span>")
    made = made_at.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return (f"<header class='report-header'><h1>{text(TITLE)}</h1><p class='subtitle'>Regenerated from the data in "
            f"use by the Spotify popularity dashboard</p><dl><dt>Data</dt><dd>{data}</dd><dt>Suite</dt><dd>{suite}"
            f"</dd><dt>Made</dt><dd data-made='{made_at.astimezone(timezone.utc).isoformat(timespec='seconds')}'>"
            f"{made}</dd></dl></header>")


def build_report(dataset, suite: SuiteChoice | None = None, made_at: datetime | None = None) -> str:
    """The whole report as one HTML document (str) for `dataset` and, when given, its stored suite."""
    import plotly.offline

    suite = suite or SuiteChoice(problem="No trained suite was given, so this report has the data sections only.")
    tables = suite.tables
    made_at = made_at or datetime.now(timezone.utc)
    frame = dataset.frame
    overview = overview_tables(frame, tuple(getattr(dataset.report, "filled_columns", ())))
    corr = correlation_matrix(select_rows(frame, None, analysis_columns(frame)), "pearson")
    facts = data_facts(dataset, corr)
    figures: dict[str, dict] = {}
    bodies = {
        "problem": problem_section(dataset, overview),
        "popularity": popularity_section(facts, figures),
        "correlations": correlation_section(facts, figures),
        "features": feature_section(dataset, facts, figures),
    }
    summary = None
    if tables is not None:
        summary = suite_summary(tables)
        _, classifiers = prediction_models(tables.test_predictions)
        bodies["regression"] = regression_section(tables, summary, figures)
        if classifiers and len(classification_report_view(tables.classification_table)):
            bodies["classification"] = classification_section(tables, summary)
            bodies["thresholds"] = threshold_section(tables, summary, figures)
            bodies["weighted"] = weighted_section(tables)
        else:
            bodies["classification"] = "<p>This suite has no classification models.</p>"
    bodies["closing"] = bullets(closing_points(dataset, facts, tables, summary))
    shown = [(anchor, heading) for anchor, heading in SECTIONS if anchor in bodies]
    notice = "" if tables is not None else f"<p class='alert warning notice'>{inline(suite.problem or '')}</p>"
    contents = "<nav class='toc'><h2>Contents</h2><ol>" + "".join(
        f"<li><a href='#{anchor}'>{text(heading)}</a></li>" for anchor, heading in shown) + "</ol></nav>"
    sections = "".join(f"<section id='{anchor}'><h2>{number}. {text(heading)}</h2>{bodies[anchor]}</section>"
                       for number, (anchor, heading) in enumerate(shown, start=1))
    # JSON inside <script>: "</" is written as "<\/" so no value can close the element.
    figure_json = json.dumps({"template": paper_template(), "figures": figures}, separators=(",", ":"),
                             default=_json_default).replace("</", "<\\/")
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{text(TITLE)} — {text(dataset.report.name)}</title><style>{STYLE}</style>"
        f"<script id='plotly-js'>{plotly.offline.get_plotlyjs()}</script></head><body>"
        f"{header_html(dataset, tables, summary, suite.problem, made_at)}{notice}{contents}{sections}"
        f"<script type='application/json' id='report-figures'>{figure_json}</script>"
        f"<script>{RENDER_SCRIPT}</script></body></html>")


def failure_page(dataset, error: BaseException) -> str:
    """A small page in place of the report when it could not be made, saying why (never a traceback)."""
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{text(TITLE)}</title>"
            f"<style>{STYLE}</style></head><body><h1>{text(TITLE)}</h1><p class='alert warning'>The report for "
            f"{text(dataset.report.name)} (fingerprint <code>{text(dataset.fingerprint)}</code>) could not be made: "
            f"{text(type(error).__name__)}: {text(error)}. The app itself is unaffected; try again, or make it with "
            "<code>python -m core report</code>.</p></body></html>")


def _json_default(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (np.integer, np.floating)):
        return value.item()
    if isinstance(value, (pd.Timestamp, datetime)):
        return value.isoformat()
    return str(value)


def report_for(dataset, store=None, newest: bool = False, made_at: datetime | None = None) -> str:
    """The report for `dataset` with the suite the comparison page would open on (or the newest) from `store`."""
    from core.models.store import ArtifactStore

    store = store if store is not None else ArtifactStore()
    suite = load_suite(store, preferred_suite_path(store, dataset.fingerprint, newest=newest))
    return build_report(dataset, suite, made_at=made_at)


# ---- command line: python -m core report ------------------------------------------------------------------------------

def load_dataset(path: Path | None):
    """The data a report describes: a CSV through the data layer, or the twin (from its on-disk cache)."""
    from core import sources
    from core.sources.twin_cache import default_cache_dir

    if path is None:
        return sources.twin_dataset(cache_dir=default_cache_dir())
    return sources.load_csv(path, name=path.name, source_kind="file")


def main_report(args) -> int:
    """`python -m core report [--data PATH] --out report.html` (training, with --train, happens before this)."""
    from core import sources
    from core.models.store import ArtifactStore

    try:
        dataset = load_dataset(args.data)
    except FileNotFoundError:  # sources.DataFileNotFoundError is one too
        print(f"error: {args.data} does not exist", file=sys.stderr)
        return 2
    except sources.DataError as error:
        print(f"error: {args.data} could not be loaded.\n{error}", file=sys.stderr)
        return 2
    store = ArtifactStore(args.store)
    suite = load_suite(store, preferred_suite_path(store, dataset.fingerprint, newest=bool(args.train)))
    html_text = build_report(dataset, suite)
    try:
        Path(args.out).write_text(html_text, encoding="utf-8")
    except OSError as error:
        print(f"error: cannot write {args.out} ({error.strerror or error})", file=sys.stderr)
        return 1
    size_mb = len(html_text.encode("utf-8")) / 1e6
    if suite.tables is None:
        print(f"wrote {args.out} ({size_mb:.1f} MB), data sections only: {suite.problem}")
    else:
        print(f"wrote {args.out} ({size_mb:.1f} MB) with the stored suite {describe_config(suite.tables.config)}")
    return 0


# ---- the page's look (screen and print) and the chart renderer ----------------------------------------------------------

STYLE = """
:root { --accent: #1DB954; --ink: #1d1d1f; --muted: #5f6368; --rule: #dadce0; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink);
       max-width: 1280px; margin: 0 auto; padding: 24px 32px 64px; line-height: 1.45; background: white; }
h1 { font-size: 1.9rem; margin: 0 0 4px; } h2 { font-size: 1.45rem; border-bottom: 3px solid var(--accent);
padding-bottom: 4px; margin-top: 2.2rem; } h3 { font-size: 1.15rem; margin: 1.4rem 0 .5rem; } h4 { margin: .6rem 0; }
code { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .9em; background: #f1f3f4;
       padding: 0 3px; border-radius: 3px; }
.report-header { border-bottom: 1px solid var(--rule); padding-bottom: 12px; }
.report-header .subtitle { color: var(--muted); margin: 0 0 10px; }
.report-header dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
.report-header dt { font-weight: 600; } .report-header dd { margin: 0; } .versions { color: var(--muted); font-size: .85em; }
.toc ol { columns: 2; margin: 0; } .toc h2 { border: 0; font-size: 1.1rem; margin-top: 1.2rem; break-before: auto; }
.toc a { color: var(--ink); }
blockquote, ul.quoted { border-left: 3px solid var(--rule); margin: .5rem 0; padding: 2px 12px; color: #3c4043; }
ul.quoted { list-style: none; } ul.quoted li::before { content: "› "; color: var(--muted); }
.alert { background: #e8f0fe; border-radius: 6px; padding: 8px 12px; }
.alert.warning { background: #fef7e0; }
.figures { display: flex; flex-wrap: wrap; gap: 12px; margin: 12px 0; }
.figure-box { border: 1px solid var(--rule); border-radius: 6px; padding: 6px 14px; min-width: 140px; }
.figure-value { display: block; font-size: 1.35rem; font-weight: 650; }
.figure-label { color: var(--muted); font-size: .85rem; }
.columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px; align-items: start; }
.columns.n3 { grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); } .column { min-width: 0; }
.table-wrap { overflow-x: auto; margin: 10px 0; }
.caption, figcaption { color: var(--muted); font-size: .85rem; margin: 2px 0 4px; }
table { border-collapse: collapse; font-size: .82rem; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid var(--rule); padding: 3px 8px; text-align: right; }
th { background: #f8f9fa; } td:first-child, th:first-child { text-align: left; }
table.quantiles td.cut { background: rgba(29, 185, 84, .35); font-weight: 650; }
.chart { margin: 8px 0; break-inside: avoid; } .chart-plot { min-height: 260px; } .chart-print { display: none; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 9.5pt; }
  h2 { break-before: page; margin-top: 0; } section:first-of-type h2 { break-before: auto; }
  h2, h3, h4 { break-after: avoid; }
  .toc { break-inside: avoid; }
  .chart-plot { display: none; } .chart-print { display: block; width: 100%; height: auto; }
  .columns { grid-template-columns: 1fr 1fr; gap: 8px; } .columns.n3 { grid-template-columns: 1.2fr 1fr 1fr; }
  .table-wrap { overflow: visible; } table { font-size: 7pt; max-width: 100%; } table.wide { font-size: 6pt; }
  .styled table { font-size: 6.5pt; } thead th { white-space: normal; overflow-wrap: anywhere; }
  tbody th { white-space: nowrap; }
  th, td { padding: 1px 4px; } tr, .figure-box, .alert { break-inside: avoid; }
  th { background: #f1f3f4 !important; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  td { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  a { color: inherit; text-decoration: none; }
}
"""

# Draw each chart from the embedded JSON, then turn it into a PNG for print; <body data-charts> says when all are done.
RENDER_SCRIPT = """
(function () {
  const {template, figures} = JSON.parse(document.getElementById('report-figures').textContent);
  const config = %s;
  const jobs = Object.entries(figures).map(([id, figure]) => {
    figure.layout.template = template;
    const box = document.getElementById(id);
    const plot = box.querySelector('.chart-plot');
    const image = box.querySelector('.chart-print');
    return Plotly.newPlot(plot, figure.data, figure.layout, config)
      .then((drawn) => Plotly.toImage(drawn, {format: 'png', width: %d, height: figure.layout.height || 400}))
      .then((url) => { image.src = url; });
  });
  Promise.all(jobs).then(
    () => { document.body.dataset.charts = 'ready'; },
    (error) => { document.body.dataset.charts = 'failed'; console.error('a chart could not be drawn', error); });
})();
""" % (json.dumps(PLOT_CONFIG), PRINT_IMAGE_WIDTH)
