"""Which leaderboard differences are real: a seeded, paired bootstrap over the test songs.

Every model is scored on the SAME resamples of the test set (resample b draws n songs with replacement), so the
difference between two models is paired: songs that are hard for one are hard for the other in the same resample.
For each metric a model gets a 95 % percentile interval, and so does its difference from the best model; a model
whose difference interval covers 0 is statistically tied with the best on this test set.

Vectorised: a resample is a vector of counts (how often each song was drawn), so every sum a metric needs is a matrix
product of the (resamples × songs) count matrix with per-song columns. Ranking metrics (ROC-AUC, PR-AUC, F1 at the
best threshold) only need, per positive score value, the weight of the negatives below and tied with it: one sparse
product groups the songs once per model. Identical, up to rounding, to scoring each resample with scikit-learn (the
tests compare them with a brute-force loop).
"""
from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from core.schema import CLASSIFICATION_PREFIX, REGRESSION_PREFIX

N_RESAMPLES = 1_000
SEED = 2019
LEVEL = 0.95
CHUNK = 100                      # resamples per block: bounds memory at CHUNK × n_test counts

REGRESSION = "regression"
CLASSIFICATION = "classification"
REGRESSION_METRICS = ("R2 Score", "RMSE", "MAE")
CLASSIFICATION_METRICS = ("roc_auc", "pr_auc", "balanced_accuracy", "mcc", "minority_f1_best")
LOWER_IS_BETTER = frozenset({"RMSE", "MAE"})
HEADLINE = {REGRESSION: "R2 Score", CLASSIFICATION: "pr_auc"}
COLUMNS = ("task", "model", "metric", "estimate", "low", "high", "best", "diff_low", "diff_high", "tied", "ranked",
           "n_resamples", "seed")
THRESHOLDED_SUFFIX = " (popularity ≥ {cut:g})"


# ---- resamples ------------------------------------------------------------------------------------------------------

def resample_indices(n: int, n_resamples: int = N_RESAMPLES, seed: int = SEED,
                     chunk: int = CHUNK) -> Iterator[np.ndarray]:
    """Blocks of (≤ chunk, n) song positions drawn with replacement; the same seed gives the same resamples."""
    rng = np.random.default_rng(seed)
    for start in range(0, n_resamples, chunk):
        yield rng.integers(0, n, size=(min(chunk, n_resamples - start), n), dtype=np.int32)


def counts_of(indices: np.ndarray, n: int) -> np.ndarray:
    """(b, n) positions -> (b, n) float counts: how often each song is in each resample."""
    b = len(indices)
    flat = (indices + (np.arange(b, dtype=np.int64) * n)[:, None]).ravel()
    return np.bincount(flat, minlength=b * n).reshape(b, n).astype(float)


# ---- regression -----------------------------------------------------------------------------------------------------

class _RegressionSums:
    """Per-song columns whose count-weighted sums give every regressor's R², RMSE and MAE on a resample."""

    def __init__(self, y: np.ndarray, predictions: np.ndarray):
        y = np.asarray(y, dtype=float)
        errors = np.asarray(predictions, dtype=float) - y[:, None]
        self.m = errors.shape[1]
        self.columns = np.column_stack([errors ** 2, np.abs(errors), y, y ** 2])

    def replicates(self, counts: np.ndarray) -> dict[str, np.ndarray]:
        m = self.m
        sums = counts @ self.columns
        total = counts.sum(axis=1)[:, None]
        sse, sae = sums[:, :m], sums[:, m:2 * m]
        sy, syy = sums[:, 2 * m:2 * m + 1], sums[:, 2 * m + 1:]
        sst = syy - sy ** 2 / total
        with np.errstate(divide="ignore", invalid="ignore"):
            r2 = np.where(sst > 0, 1.0 - sse / sst, np.nan)
        return {"R2 Score": r2, "RMSE": np.sqrt(sse / total), "MAE": sae / total}


def regression_replicates(counts: np.ndarray, y: np.ndarray, predictions: np.ndarray) -> dict[str, np.ndarray]:
    """R², RMSE and MAE for every resample (rows of `counts`) × model (columns of `predictions`)."""
    return _RegressionSums(y, predictions).replicates(counts)


# ---- classification -------------------------------------------------------------------------------------------------

@dataclass
class _RankGroups:
    """For one model: the columns of the grouping matrix that hold, per distinct positive score u_k (ascending), the
    weight of the positives at u_k, and of the negatives in each gap (code 2k: below u_k and above u_{k-1}) or tied
    with u_k (code 2k+1)."""

    n_unique: int
    pos_start: int
    neg_start: int


def _rank_grouping(is_top: np.ndarray, scores: np.ndarray, column: int) -> tuple[_RankGroups, np.ndarray]:
    """(groups, the grouping column of every song) for one model, its columns starting at `column`."""
    positive = is_top.astype(bool)
    unique = np.unique(scores[positive])
    k = len(unique)
    position = np.searchsorted(unique, scores, side="left")
    tied = np.zeros(len(scores), dtype=bool)
    inside = position < k
    tied[inside] = scores[inside] == unique[position[inside]]
    cols = np.where(positive, column + position, column + k + 2 * position + tied)
    return _RankGroups(k, column, column + k), cols


class _ClassificationSums:
    """Per-song columns (confusion counts) and a sparse grouping (ranking metrics) of every model, built once; a
    resample's metrics are then a dense and a sparse product with its counts."""

    def __init__(self, is_top: np.ndarray, scores: np.ndarray, predicted: np.ndarray):
        is_top = np.asarray(is_top).astype(int)
        scores = np.asarray(scores, dtype=float)
        hit = np.asarray(predicted).astype(bool).astype(float)
        positive = is_top.astype(float)[:, None]
        n, self.m = scores.shape
        # 0/1 columns and integer counts: float32 sums are exact (below 2**24) and move half the bytes
        self.confusion = np.column_stack([hit * positive, hit * (1 - positive), positive]).astype(np.float32)
        self.groups, columns, column = [], [], 0
        for j in range(self.m):
            group, cols = _rank_grouping(is_top, scores[:, j], column)
            self.groups.append(group)
            columns.append(cols)
            column += 3 * group.n_unique + 1
        songs = np.tile(np.arange(n), self.m)
        self.grouping = sp.csr_matrix((np.ones(n * self.m, dtype=np.float32), (np.concatenate(columns), songs)),
                                      shape=(column, n))

    def replicates(self, counts: np.ndarray) -> dict[str, np.ndarray]:
        m = self.m
        exact = counts.astype(np.float32)
        sums = (exact @ self.confusion).astype(float)
        tp, fp, p = sums[:, :m], sums[:, m:2 * m], sums[:, 2 * m:]
        neg = counts.sum(axis=1)[:, None] - p
        fn, tn = p - tp, neg - fp
        with np.errstate(divide="ignore", invalid="ignore"):
            balanced = np.where((p > 0) & (neg > 0), 0.5 * (tp / p + tn / neg), np.nan)
            denominator = np.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
            mcc = np.where(denominator > 0, (tp * tn - fp * fn) / np.where(denominator > 0, denominator, 1), 0.0)
        grouped = (self.grouping @ exact.T).T.astype(float)   # (b, columns): weights per group, every model at once
        auc = np.full((len(counts), m), np.nan)
        ap, f1 = auc.copy(), auc.copy()
        p_all, n_all = p[:, 0], neg[:, 0]
        for j, group in enumerate(self.groups):
            k = group.n_unique
            if k == 0:
                continue
            weight_pos = grouped[:, group.pos_start:group.pos_start + k]
            weight_neg = grouped[:, group.neg_start:group.neg_start + 2 * k + 1]
            below = np.cumsum(weight_neg, axis=1)[:, 0:2 * k:2]          # negatives with a score < u_k
            tied = weight_neg[:, 1:2 * k:2]                                # negatives with a score = u_k
            at_or_above = np.cumsum(weight_pos[:, ::-1], axis=1)[:, ::-1]  # positives with a score ≥ u_k
            false_above = n_all[:, None] - below                          # negatives with a score ≥ u_k
            with np.errstate(divide="ignore", invalid="ignore"):
                auc[:, j] = np.where((p_all > 0) & (n_all > 0),
                                     (weight_pos * (below + 0.5 * tied)).sum(axis=1) / (p_all * n_all), np.nan)
                flagged = at_or_above + false_above
                precision = np.where(flagged > 0, at_or_above / flagged, 0.0)
                ap[:, j] = np.where(p_all > 0, (weight_pos * precision).sum(axis=1) / p_all, np.nan)
                f1[:, j] = np.where(p_all > 0, (2 * at_or_above / (flagged + p_all[:, None])).max(axis=1), np.nan)
        return {"roc_auc": auc, "pr_auc": ap, "balanced_accuracy": balanced, "mcc": mcc, "minority_f1_best": f1}


def classification_replicates(counts: np.ndarray, is_top: np.ndarray, scores: np.ndarray,
                              predicted: np.ndarray) -> dict[str, np.ndarray]:
    """ROC-AUC, PR-AUC (average precision), balanced accuracy and MCC (of the class predictions `predicted`), and the
    popular class's F1 at the resample's own F1-best threshold, for every resample × model.

    scores: (n, m) P(popular) or any score that ranks songs; predicted: (n, m) 0/1 class predictions."""
    return _ClassificationSums(is_top, scores, predicted).replicates(counts)


# ---- intervals and the paired tie rule ------------------------------------------------------------------------------

def _sums(task: str, data: Mapping[str, np.ndarray]):
    if task == REGRESSION:
        return _RegressionSums(data["y"], data["scores"])
    return _ClassificationSums(data["y"], data["scores"], data["predicted"])


def bootstrap_tasks(data: Mapping[str, Mapping[str, np.ndarray]], n_resamples: int = N_RESAMPLES, seed: int = SEED,
                    chunk: int = CHUNK) -> dict[str, tuple[dict[str, np.ndarray], dict[str, np.ndarray]]]:
    """Per task: (point estimates per metric: (m,), replicates per metric: (n_resamples, m)).

    Every task is scored on the same resamples (drawn once), so they must hold the same songs. data[task]: "y"
    (popularity, or 1 for a popular song), "scores" (n, m) predictions, and for classification "predicted" (n, m)
    class predictions."""
    sizes = {len(d["y"]) for d in data.values()}
    if len(sizes) > 1:
        raise ValueError(f"the tasks hold different numbers of songs ({sorted(sizes)})")
    n = sizes.pop() if sizes else 0
    sums = {task: _sums(task, d) for task, d in data.items()}
    point = {task: {k: v[0] for k, v in s.replicates(np.ones((1, n))).items()} for task, s in sums.items()}
    blocks: dict[str, dict[str, list[np.ndarray]]] = {task: {} for task in sums}
    for indices in resample_indices(n, n_resamples, seed, chunk):
        counts = counts_of(indices, n)
        for task, s in sums.items():
            for metric, values in s.replicates(counts).items():
                blocks[task].setdefault(metric, []).append(values)
    return {task: (point[task], {metric: np.vstack(v) for metric, v in blocks[task].items()}) for task in sums}


def bootstrap(task: str, data: Mapping[str, np.ndarray], n_resamples: int = N_RESAMPLES, seed: int = SEED,
              chunk: int = CHUNK) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """(point estimates, replicates) of one task's models (see bootstrap_tasks)."""
    return bootstrap_tasks({task: data}, n_resamples, seed, chunk)[task]


def interval_table(task: str, names: Sequence[str], point: Mapping[str, np.ndarray],
                   replicates: Mapping[str, np.ndarray], ranked: Sequence[bool], level: float = LEVEL,
                   n_resamples: int = N_RESAMPLES, seed: int = SEED) -> pd.DataFrame:
    """One row per model × metric: estimate, percentile interval, the best ranked model, the paired difference's
    interval (model − best) and whether it covers 0 (tied with the best)."""
    tails = [100 * (1 - level) / 2, 100 * (1 + level) / 2]
    ranked = np.asarray(ranked, dtype=bool)
    rows = []
    for metric, values in replicates.items():
        estimate = np.asarray(point[metric], dtype=float)
        with warnings.catch_warnings():  # a metric undefined on every resample (one class only) stays NaN
            warnings.simplefilter("ignore", RuntimeWarning)
            low, high = np.nanpercentile(values, tails, axis=0) if len(values) else (estimate * np.nan,) * 2
        candidates = np.where(ranked & np.isfinite(estimate))[0]
        best = None
        if len(candidates):
            pick = np.argmin if metric in LOWER_IS_BETTER else np.argmax
            best = int(candidates[pick(estimate[candidates])])
        for j, name in enumerate(names):
            diff_low = diff_high = np.nan
            tied = False
            if best is not None and np.isfinite(estimate[j]):
                difference = values[:, j] - values[:, best]
                if np.isfinite(difference).any():
                    diff_low, diff_high = np.nanpercentile(difference, tails)
                    tied = bool(ranked[j] and diff_low <= 0 <= diff_high)
            rows.append((task, name, metric, estimate[j], low[j], high[j], None if best is None else names[best],
                         diff_low, diff_high, tied, bool(ranked[j]), n_resamples, seed))
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    table["best"] = table["best"].astype("str")
    return table


# ---- a stored suite's test set --------------------------------------------------------------------------------------

def thresholded_name(regressor: str, cut: float) -> str:
    """The classification row of a regressor whose predicted popularity is thresholded at the popular cut."""
    return regressor + THRESHOLDED_SUFFIX.format(cut=cut)


def _top_class(manifest: Mapping, y_class: np.ndarray) -> int:
    classes = manifest.get("classes")
    return int(classes[-1]) if classes else int(np.max(y_class, initial=1))


def _baselines(table: pd.DataFrame | None) -> set[str]:
    if table is None or "group" not in table:
        return set()
    return {str(n) for n, g in table["group"].items() if g == "baseline"}


def suite_inputs(test_predictions: pd.DataFrame, manifest: Mapping, regression_table: pd.DataFrame | None = None,
                 classification_table: pd.DataFrame | None = None) -> dict[str, dict]:
    """Per task: model names, what is ranked (not the baselines), and the arrays `bootstrap` takes.

    Classification holds the classifiers (class prediction: P > 0.5, as their predict does for two classes) and, for
    a two-class target, every real regressor thresholded at the popular cut (predicted popularity ≥ the cut)."""
    out: dict[str, dict] = {}
    y = test_predictions["y_true"].to_numpy(dtype=float)
    regressors = [c[len(REGRESSION_PREFIX):] for c in test_predictions if c.startswith(REGRESSION_PREFIX)]
    classifiers = [c[len(CLASSIFICATION_PREFIX):] for c in test_predictions if c.startswith(CLASSIFICATION_PREFIX)]
    reg_baselines, cls_baselines = _baselines(regression_table), _baselines(classification_table)
    if regressors:
        out[REGRESSION] = {"names": regressors, "ranked": [n not in reg_baselines for n in regressors],
                           "y": y, "scores": test_predictions[[REGRESSION_PREFIX + n for n in regressors]]
                           .to_numpy(dtype=float)}
    y_class = test_predictions["y_class"].to_numpy()
    classes = list(manifest.get("classes") or [0, 1])
    is_top = (y_class == _top_class(manifest, y_class)).astype(int)
    names, scores, predicted, ranked = [], [], [], []
    if len(classes) == 2:  # with more classes a classifier's predict is an argmax over P of every class, not stored
        for name in classifiers:
            p = test_predictions[CLASSIFICATION_PREFIX + name].to_numpy(dtype=float)
            names.append(name)
            scores.append(p)
            predicted.append(p > 0.5)
            ranked.append(name not in cls_baselines)
        cut = manifest.get("popular_threshold")
        if cut is not None and np.isfinite(cut):
            for name in regressors:
                if name in reg_baselines:
                    continue
                popularity = test_predictions[REGRESSION_PREFIX + name].to_numpy(dtype=float)
                names.append(thresholded_name(name, float(cut)))
                scores.append(popularity)
                predicted.append(popularity >= float(cut))
                ranked.append(True)
    if names and 0 < is_top.sum() < len(is_top):
        out[CLASSIFICATION] = {"names": names, "ranked": ranked, "y": is_top,
                               "scores": np.column_stack(scores), "predicted": np.column_stack(predicted)}
    return out


def suite_intervals(test_predictions: pd.DataFrame, manifest: Mapping, regression_table: pd.DataFrame | None = None,
                    classification_table: pd.DataFrame | None = None, n_resamples: int = N_RESAMPLES,
                    seed: int = SEED) -> pd.DataFrame:
    """The interval table of a suite's test set (both tasks), as stored beside its metric tables."""
    inputs = suite_inputs(test_predictions, manifest, regression_table, classification_table)
    # songs every model has a finite prediction for: the same resamples then serve both tasks
    finite = np.ones(len(test_predictions), dtype=bool)
    for data in inputs.values():
        finite &= np.isfinite(data["scores"]).all(axis=1)
    arrays = {task: {k: data[k][finite] for k in ("y", "scores", "predicted") if k in data}
              for task, data in inputs.items()}
    results = bootstrap_tasks(arrays, n_resamples, seed)
    parts = [interval_table(task, inputs[task]["names"], *results[task], inputs[task]["ranked"],
                            n_resamples=n_resamples, seed=seed) for task in inputs]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in COLUMNS})
    return pd.concat(parts, ignore_index=True)


# ---- in words -------------------------------------------------------------------------------------------------------

def _join(names: Sequence[str], limit: int = 5) -> str:
    """"**A**, **B** and **C**"; past `limit` names, the rest are counted ("… and 7 other models")."""
    names = [f"**{n}**" for n in names]
    if len(names) > limit:
        return ", ".join(names[:limit - 1]) + f" and {len(names) - limit + 1} other models"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def tie_sentence(intervals: pd.DataFrame, task: str, label: str, decimals: int = 3) -> str:
    """The leaderboard's verdict in words: which models this test set cannot tell apart on its headline metric."""
    metric = HEADLINE[task]
    rows = intervals[(intervals["task"] == task) & (intervals["metric"] == metric) & intervals["ranked"].astype(bool)]
    rows = rows[np.isfinite(rows["estimate"].astype(float))]
    if rows.empty:
        return ""
    best = str(rows["best"].iloc[0])
    top = rows[rows["model"] == best].iloc[0]
    tied = rows[rows["tied"].astype(bool) & (rows["model"] != best)]
    others = len(rows) - 1 - len(tied)
    n = int(top["n_resamples"])
    head = (f"On {label}, {_join([best])} scores best ({top['estimate']:.{decimals}f}, 95 % interval "
            f"{top['low']:.{decimals}f}–{top['high']:.{decimals}f}).")
    if len(tied):
        order = tied.sort_values("estimate", ascending=metric in LOWER_IS_BETTER)["model"].tolist()
        middle = (f" {_join([best] + order)} are indistinguishable on this test set: the "
                  f"paired difference's 95 % interval over {n:,} bootstrap resamples of the test songs covers 0.")
    else:
        rest = rows[rows["model"] != best]
        middle = f" Every other model is measurably worse on this test set ({n:,} paired bootstrap resamples)"
        if len(rest):
            gap = (rest["estimate"] - top["estimate"]).abs()
            runner = rest.loc[gap.idxmin()]
            low, high = sorted((abs(runner["diff_low"]), abs(runner["diff_high"])))
            middle += (f"; the closest, **{runner['model']}**, by {gap.min():.{decimals + 1}f} (95 % interval "
                       f"{low:.{decimals + 1}f}–{high:.{decimals + 1}f}): real, however small")
        middle += "."
    tail = f" The other {others} {'is' if others == 1 else 'are'} measurably worse." if len(tied) and others else ""
    return head + middle + tail
