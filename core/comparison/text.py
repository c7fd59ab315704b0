"""Generated sentences: why accuracy misleads on this suite, what splitting by artist did, a suite's settings in
words.
"""
from __future__ import annotations

from typing import Any

import pandas as pd

from core.comparison.tables import LOWER_IS_BETTER, ok_rows
from core.models.config import SUITE_LABELS


def _pct(value: float) -> str:
    return f"{100 * value:.1f} %" if value >= 0.001 else f"{100 * value:.2f} %"


def accuracy_note(classification_table: pd.DataFrame, n_test: int, n_positive: int) -> str:
    """Why accuracy misleads here, written from this suite's own numbers (markdown)."""
    ok = ok_rows(classification_table)
    if n_test == 0:
        return "The test set is empty, so there is nothing to explain."
    rate = n_positive / n_test
    baseline_accuracy = 1 - rate
    groups = ok["group"] if "group" in ok.columns else pd.Series("report", index=ok.index)
    models = ok[groups != "baseline"]
    sentences = [
        f"Only {_pct(rate)} of the {n_test:,} test songs are popular ({n_positive:,}). "
        f"The majority baseline already scores **{baseline_accuracy:.3f} accuracy** by predicting "
        f"'not popular' for every song — and finds none of the popular ones."
    ]
    if len(models) and "accuracy_score" in models:
        accuracy = models["accuracy_score"].astype(float)
        close = int(((accuracy - baseline_accuracy).abs() <= 0.002).sum())
        above = int((accuracy > baseline_accuracy + 0.002).sum())
        below = int((accuracy < baseline_accuracy - 0.002).sum())
        counts = [f"{close} of {len(models)} models land within 0.002 of that accuracy"]
        if above:
            counts.append(f"{above} beat{'s' if above == 1 else ''} it by more")
        if below:
            counts.append(f"{below} score{'s' if below == 1 else ''} lower")
        sentences.append(
            ", ".join(counts) + f": accuracy — and the report's weighted precision, recall and F1, which the "
            f"{100 * baseline_accuracy:.0f} % majority dominates — cannot tell a useful model from a constant.")
    if len(models) and "minority_recall" in models and models["minority_recall"].notna().any():
        zero = int((models["minority_recall"].fillna(0) == 0).sum())
        if zero:
            verb = "flags" if zero == 1 else "flag"
            sentences.append(f"At the default 0.5 threshold {zero} of them {verb} no popular song at all.")
    if len(models) and "pr_auc" in models and models["pr_auc"].notna().any():
        best = models["pr_auc"].astype(float).idxmax()
        row = models.loc[best]
        text = (f"The honest columns separate them: **{best}** has the best PR-AUC, "
                f"{row['pr_auc']:.3f} against {rate:.3f} for random guessing")
        if "minority_f1_best" in row and pd.notna(row.get("minority_f1_best")):
            text += (f", and at its F1-best threshold ({row['best_threshold']:.3f}) it finds "
                     f"{_pct(row.get('minority_recall_best', float('nan')))} of popular songs "
                     f"with precision {row.get('minority_precision_best', float('nan')):.2f} "
                     f"(F1 {row['minority_f1_best']:.3f})")
        sentences.append(text + ".")
    return " ".join(sentences)


def split_gap_sentence(gap: pd.DataFrame, metric: str) -> str:
    """A sentence on what splitting by artist did to `metric`, from the gap table."""
    gap = gap.dropna()
    if gap.empty:
        return f"No model has {metric} under both splits, so there is no gap to compare."
    lower_better = metric in LOWER_IS_BETTER
    worse = -gap["gap"] if not lower_better else gap["gap"]  # positive = the grouped split looks worse
    typical = float(gap["gap"].median())
    best_random = gap["random split"].idxmin() if lower_better else gap["random split"].idxmax()
    row = gap.loc[best_random]
    head = (f"Splitting by artist changes {metric} by a median of {typical:+.3f} across {len(gap)} models; "
            f"the best model under the random split, {best_random}, goes from {row['random split']:.3f} "
            f"to {row['grouped split']:.3f}.")
    scale = max(float(gap["random split"].abs().median()), 1e-9)
    if float(worse.median()) > 0.05 * scale:
        tail = (" Songs by the same artist share much of their popularity, so a random split lets models "
                "recognise artists they have already seen; the grouped figure is the fairer estimate for an "
                "artist the model has never met.")
    elif float(worse.median()) < -0.05 * scale:
        tail = " The grouped split scores better here, so artist leakage does not inflate the random-split figures."
    else:
        tail = " The two splits agree closely, so artist leakage barely inflates the random-split figures."
    return head + tail


def describe_config(config: Any) -> str:
    """A suite's settings as a short phrase for selectors and captions (any object with SuiteConfig's fields)."""
    parts = [" + ".join(SUITE_LABELS.get(s, s) for s in config.suites)]
    parts.append("with ANNs" if config.include_ann else "no ANNs")
    if config.extras:
        parts.append("extra models")
    parts.append("split by artist" if config.grouped else "random 80/20 split")
    if config.cv_folds:
        parts.append(f"{config.cv_folds}-fold CV")
    parts.append(f"{config.max_rows:,}-row sample" if config.max_rows else "all rows")
    if getattr(config, "binning", "top1") != "top1":
        parts.append(f"{config.binning} classes")
    return " · ".join(parts)
