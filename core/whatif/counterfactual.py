"""What would it take? The smallest realistic change to a song that makes the models call it a hit, or raises their
mean predicted popularity by a chosen number of points.

Realistic means: one to three audio features change; each changed feature stays inside the range where real songs of
this data lie (its 1st to 99th percentile) and on its slider's grid; and the changed song passes the What-if page's
plausibility check (its nearest real songs are no farther than for 99 % of real songs). Size is the total change in
standard deviations of the data (|Δ energy| / sd(energy) + …), so a change of one feature by 0.5 sd is smaller than
two features by 0.3 sd each.

The search: every single-feature change on the slider grid inside the range (exhaustive, a few thousand rows scored
at once); then, only where they could be smaller than the best single change, pairs and triples of features moved in
their helpful direction on a coarse grid of sd steps, the best of which is shrunk back along its direction as far as it
still reaches the goal. Key, mode and time signature are held: a "smallest" change of a key or a metre means nothing.

What it finds is an association in this data and these models, not a recipe for a hit.
"""
from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from core.whatif.plausibility import PlausibilityIndex, check_plausibility
from core.whatif.scorer import Scorer
from core.whatif.sliders import SliderSpec

MOVABLE = ("acousticness", "danceability", "duration_ms", "energy", "instrumentalness", "liveness", "loudness",
           "speechiness", "tempo", "valence")
RANGE_QUANTILES = (0.01, 0.99)
MAX_FEATURES = 3
MAX_GRID = 2_000                     # slider values per feature in the single-feature pass (more are thinned)
PAIR_STEPS = (0.1, 0.2, 0.3, 0.45, 0.6, 0.8, 1.0, 1.3, 1.7, 2.2, 3.0)     # in sd
TRIPLE_STEPS = (0.15, 0.3, 0.5, 0.8, 1.2, 1.8, 2.6)
TRIPLE_FEATURES = 5                  # triples only among the features that help most on their own
PLAUSIBILITY_BATCH = 256
SHRINK_STEPS = 24
HIT, POINTS = "hit", "points"


@dataclass(frozen=True)
class Goal:
    kind: str                        # "hit": the classifier's P(popular) reaches its threshold; "points": mean + N
    points: float = 5.0
    classifier: str | None = None    # for "hit"; None = the reference classifier

    def __post_init__(self):
        if self.kind not in (HIT, POINTS):
            raise ValueError(f"goal must be {HIT!r} or {POINTS!r}, not {self.kind!r}")


@dataclass(frozen=True)
class SearchSpace:
    """Per movable feature: its slider, the realistic range (on the slider grid), its sd and its grid of values."""

    specs: Mapping[str, SliderSpec]
    low: Mapping[str, float]
    high: Mapping[str, float]
    scale: Mapping[str, float]
    grids: Mapping[str, np.ndarray]

    @property
    def names(self) -> list[str]:
        return list(self.specs)

    def cost(self, before: Mapping[str, float], after: Mapping[str, float]) -> float:
        return float(sum(abs(float(after[n]) - float(before[n])) / self.scale[n] for n in self.names
                         if n in after and float(after[n]) != float(before[n])))


def _inward(spec: SliderSpec, value: float, up: bool) -> float:
    """The slider value nearest `value` that does not leave [value, …) (up) or (…, value] (down)."""
    if spec.is_choice:
        options = np.asarray(spec.options, dtype=float)
        inside = options[options >= value] if up else options[options <= value]
        return float(inside.min() if up else inside.max()) if len(inside) else float(spec.snap(value))
    steps = (value - spec.min) / spec.step
    snapped = spec.min + (math.ceil(steps - 1e-9) if up else math.floor(steps + 1e-9)) * spec.step
    return float(round(min(max(snapped, spec.min), spec.max), spec.decimals))


def _snap_many(spec: SliderSpec, values: np.ndarray) -> np.ndarray:
    """SliderSpec.snap for an array of values (the nearest option of a choice slider, else the step grid)."""
    values = np.clip(np.asarray(values, dtype=float), spec.min, spec.max)
    if spec.is_choice:
        options = np.asarray(spec.options, dtype=float)
        right = np.clip(np.searchsorted(options, values), 1, len(options) - 1) if len(options) > 1 else \
            np.zeros(len(values), dtype=int)
        left = np.maximum(right - 1, 0)
        nearer_left = np.abs(values - options[left]) <= np.abs(options[right] - values)
        return np.where(nearer_left, options[left], options[right])
    snapped = spec.min + np.round((values - spec.min) / spec.step) * spec.step
    return np.round(np.clip(snapped, spec.min, spec.max), spec.decimals)


def search_space(frame: pd.DataFrame, specs: Sequence[SliderSpec]) -> SearchSpace:
    """The realistic range of every movable feature of this data (1st–99th percentile, snapped inward)."""
    chosen = {s.name: s for s in specs if s.name in MOVABLE and s.name in frame}
    low, high, scale, grids = {}, {}, {}, {}
    for name, spec in chosen.items():
        values = pd.to_numeric(frame[name], errors="coerce").dropna().to_numpy(dtype=float)
        if len(values) == 0:
            continue
        q_low, q_high = np.quantile(values, RANGE_QUANTILES)
        low[name], high[name] = _inward(spec, q_low, up=True), _inward(spec, q_high, up=False)
        scale[name] = float(values.std()) or 1.0
        if spec.is_choice:
            grid = np.asarray([o for o in spec.options if low[name] <= o <= high[name]], dtype=float)
        else:
            count = int(round((high[name] - low[name]) / spec.step)) + 1
            grid = np.round(low[name] + np.arange(max(count, 1)) * spec.step, spec.decimals)
        if len(grid) > MAX_GRID:
            grid = np.unique(np.asarray([spec.snap(v) for v in np.linspace(grid[0], grid[-1], MAX_GRID)]))
        grids[name] = grid
    kept = {n: s for n, s in chosen.items() if n in grids}
    return SearchSpace(kept, low, high, scale, grids)


# ---- the goal as a number -------------------------------------------------------------------------------------------

def reference_classifier(scorer: Scorer) -> str | None:
    """The voting classifier with the best test PR-AUC (the one whose verdict the hit goal asks for)."""
    table = getattr(scorer.suite, "classification_table", None)
    voters = list(scorer.voters)
    if not voters:
        return None
    if table is not None and "pr_auc" in table:
        ranked = table.loc[[v for v in voters if v in table.index], "pr_auc"].astype(float).dropna()
        if len(ranked):
            return str(ranked.idxmax())
    return voters[0]


def real_regressors(scorer: Scorer) -> list[str]:
    return [n for n in scorer.regressor_names if n not in scorer.baselines]


class _Objective:
    """The goal's number for many candidate songs at once, and the value it has to reach."""

    def __init__(self, scorer: Scorer, goal: Goal, song: Mapping[str, float]):
        self.scorer, self.goal = scorer, goal
        self.feature_names = list(scorer.feature_names)
        self.base = np.array([float(song[n]) for n in self.feature_names])
        if goal.kind == HIT:
            self.classifier = goal.classifier or reference_classifier(scorer)
            if self.classifier not in scorer.classifiers:
                raise ValueError("this suite has no classifier that votes, so there is no hit to aim for")
            self.target = float(scorer.thresholds[self.classifier])
        else:
            self.regressors = real_regressors(scorer)
            if not self.regressors:
                raise ValueError("this suite has no regressor, so there is no predicted popularity to raise")
        self.before = float(self(self.base[None, :])[0])
        if goal.kind == POINTS:
            self.target = self.before + float(goal.points)

    def __call__(self, raw: np.ndarray) -> np.ndarray:
        x = self.scorer.suite.scaled(raw)
        if self.goal.kind == HIT:
            return self.scorer.hit_proba(x, [self.classifier])[:, 0]
        return self.scorer.popularity(x, self.regressors).mean(axis=1)

    def reached(self, values: np.ndarray) -> np.ndarray:
        return values >= self.target - 1e-12


def _plausible(index: PlausibilityIndex, raw: np.ndarray, feature_names: Sequence[str]) -> np.ndarray:
    """The plausibility check of check_plausibility, for many songs at once."""
    order = [list(feature_names).index(n) for n in index.feature_names]
    x = (raw[:, order] - index.mean) / index.scale
    distances, _ = index.neighbours.kneighbors(x, n_neighbors=index.k)
    return distances.mean(axis=1) <= index.threshold


def _first_plausible(index, raw: np.ndarray, costs: np.ndarray, feature_names) -> int | None:
    """Position (in `raw`) of the cheapest candidate that passes the plausibility check, checked in cost order."""
    order = np.argsort(costs, kind="stable")
    start, size = 0, 4   # the cheapest candidate usually passes: small batches first, larger ones after
    while start < len(order):
        batch = order[start:start + size]
        ok = _plausible(index, raw[batch], feature_names)
        if ok.any():
            return int(batch[np.argmax(ok)])
        start, size = start + size, min(size * 4, PLAUSIBILITY_BATCH)
    return None


# ---- the result -----------------------------------------------------------------------------------------------------

@dataclass
class Step:
    feature: str
    label: str
    before: float
    after: float
    values: str                      # "0.550 → 0.710"
    text: str                        # "energy 0.550 → 0.710"


@dataclass
class Counterfactual:
    goal: Goal
    found: bool
    song: dict
    changed: dict | None
    steps: list[Step]
    cost: float
    target: float
    value_before: float
    value_after: float
    model: str | None                           # the classifier the hit goal asks (None for points)
    message: str
    predictions: pd.DataFrame = field(default_factory=pd.DataFrame)   # model, kind, before, after, change
    agreement: tuple[int, int] = (0, 0)
    agreement_text: str = ""
    nearest: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def steps_text(self) -> str:
        return ", ".join(step.text for step in self.steps)


def _value_text(spec: SliderSpec, value: float) -> str:
    return spec.format_value(value).replace("-", "−")


def _steps(space: SearchSpace, before: Mapping[str, float], after: Mapping[str, float]) -> list[Step]:
    steps = []
    for name in space.names:
        if float(after[name]) != float(before[name]):
            spec = space.specs[name]
            values = f"{_value_text(spec, before[name])} → {_value_text(spec, after[name])}"
            steps.append(Step(name, spec.label, float(before[name]), float(after[name]), values,
                              f"{spec.label.lower()} {values}"))
    return steps


def _predictions(scorer: Scorer, before: Mapping[str, float], after: Mapping[str, float]) -> pd.DataFrame:
    """Every model's prediction for the song and the changed song (both rows scored in one call per model)."""
    x = np.vstack([scorer.song_matrix(before), scorer.song_matrix(after)])
    popularity, proba = scorer.popularity(x), scorer.hit_proba(x)
    rows = []
    for j, name in enumerate(scorer.regressor_names):
        rows.append({"model": name, "kind": "baseline" if name in scorer.baselines else "popularity",
                     "before": popularity[0, j], "after": popularity[1, j]})
    for j, name in enumerate(scorer.classifier_names):
        threshold = float(scorer.thresholds[name])
        rows.append({"model": name, "kind": "baseline" if name in scorer.baselines else "P(popular)",
                     "before": proba[0, j], "after": proba[1, j], "hit_before": bool(proba[0, j] >= threshold),
                     "hit_after": bool(proba[1, j] >= threshold), "votes": name in scorer.voters})
    table = pd.DataFrame(rows, columns=["model", "kind", "before", "after", "hit_before", "hit_after", "votes"])
    table["change"] = table["after"] - table["before"]
    word = {True: "hit", False: "no"}
    table["verdict"] = [f"{word[bool(b)]} → {word[bool(a)]}" if v is True else ""
                        for b, a, v in zip(table["hit_before"], table["hit_after"], table["votes"])]
    return table


def _agreement(table: pd.DataFrame, goal: Goal) -> tuple[tuple[int, int], str]:
    if goal.kind == HIT:
        voters = table[table["votes"].fillna(False).astype(bool)]
        after = int(voters["hit_after"].astype(bool).sum())
        before = int(voters["hit_before"].astype(bool).sum())
        return (after, len(voters)), (f"{after} of {len(voters)} voting classifiers call the changed song a hit "
                                      f"(before: {before}).")
    regressors = table[table["kind"] == "popularity"]
    enough = int((regressors["change"] >= goal.points - 1e-9).sum())
    higher = int((regressors["change"] > 0).sum())
    return (enough, len(regressors)), (f"{enough} of {len(regressors)} regressors predict at least "
                                       f"{goal.points:+g} points for the changed song; {higher} predict higher.")


def _goal_phrase(objective: _Objective) -> str:
    if objective.goal.kind == HIT:
        return (f"lifts {objective.classifier}'s P(popular) from {objective.before:.3f} to its threshold "
                f"{objective.target:.3f}")
    return (f"raises the models' mean predicted popularity by {objective.goal.points:g} points "
            f"(from {objective.before:.1f} to {objective.target:.1f})")


def _found_sentence(objective: _Objective, steps: Sequence[Step], after: float) -> str:
    change = " and ".join([", ".join(s.text for s in steps[:-1]), steps[-1].text] if len(steps) > 1
                          else [steps[0].text])
    if objective.goal.kind == HIT:
        reached = (f"lifts {objective.classifier}'s P(popular) from {objective.before:.3f} to {after:.3f}, over its "
                   f"threshold {objective.target:.3f}")
    else:
        reached = (f"raises the models' mean predicted popularity from {objective.before:.1f} to {after:.1f} "
                   f"(the goal: {objective.target:.1f}, {objective.goal.points:+g} points)")
    return (f"Changing {change} {reached}. This is an association in this data and these models, not a recipe "
            "for a hit.")


# ---- the search -----------------------------------------------------------------------------------------------------

def _candidates(base: np.ndarray, columns: Sequence[int], values: np.ndarray) -> np.ndarray:
    rows = np.repeat(base[None, :], len(values), axis=0)
    rows[:, list(columns)] = values
    return rows


def _multi_grid(space: SearchSpace, song: Mapping[str, float], features: Sequence[str],
                directions: Mapping[str, int], steps: Sequence[float]) -> np.ndarray:
    """(candidates, len(features)) snapped values: each feature moved by steps × sd in its direction, in range."""
    per_feature = []
    for name in features:
        spec, start = space.specs[name], float(song[name])
        wanted = np.clip(start + directions[name] * np.asarray(steps) * space.scale[name], space.low[name],
                         space.high[name])
        moved = np.unique(_snap_many(spec, wanted))
        per_feature.append(moved[(moved != start) & (moved >= space.low[name]) & (moved <= space.high[name])])
    if any(len(values) == 0 for values in per_feature):
        return np.empty((0, len(features)))
    return np.array(list(itertools.product(*per_feature)), dtype=float)


def search(scorer: Scorer, space: SearchSpace, index: PlausibilityIndex, song: Mapping[str, float],
           goal: Goal, frame: pd.DataFrame | None = None, max_features: int = MAX_FEATURES) -> Counterfactual:
    """The smallest realistic change of 1 to `max_features` movable features that reaches the goal (see the module)."""
    song = {n: float(song[n]) for n in scorer.feature_names}
    try:
        objective = _Objective(scorer, goal, song)
    except ValueError as error:
        return Counterfactual(goal, False, song, None, [], math.nan, math.nan, math.nan, math.nan, None,
                              f"Nothing to search for: {error}.")
    names = list(scorer.feature_names)
    base = objective.base
    model = objective.classifier if goal.kind == HIT else None
    if objective.reached(np.array([objective.before]))[0]:
        return _finish(scorer, space, index, song, song, objective, 0.0, frame,
                       f"Already there: {objective.classifier} gives this song P(popular) {objective.before:.3f}, "
                       f"at or over its threshold {objective.target:.3f}. Nothing needs to change.")

    # 1. Every single-feature change on the slider grid inside the realistic range.
    movable = [n for n in space.names if n in names]
    blocks, owners = [], []
    for name in movable:
        grid = space.grids[name][space.grids[name] != song[name]]
        blocks.append(_candidates(base, [names.index(name)], grid[:, None]))
        owners.append(np.full(len(grid), movable.index(name)))
    singles = np.vstack(blocks) if blocks else np.empty((0, len(names)))
    owner = np.concatenate(owners) if owners else np.empty(0, dtype=int)
    values = objective(singles) if len(singles) else np.empty(0)
    scale = np.array([space.scale[n] for n in movable])
    single_cost = (np.abs(singles[:, [names.index(n) for n in movable]] - base[[names.index(n) for n in movable]])
                   / scale).sum(axis=1) if len(singles) else np.empty(0)
    best_raw, best_cost = None, math.inf
    reaching = np.where(objective.reached(values))[0]
    if len(reaching):
        pick = _first_plausible(index, singles[reaching], single_cost[reaching], names)
        if pick is not None:
            best_raw, best_cost = singles[reaching[pick]], float(single_cost[reaching[pick]])

    # 2. Pairs and triples in each feature's helpful direction, only where they could beat the best single change.
    if max_features >= 2 and len(movable) >= 2:
        gain_up, gain_down = {}, {}
        for j, name in enumerate(movable):
            mine = owner == j
            column = singles[mine, names.index(name)]
            near = np.abs(column - song[name]) <= 2.0 * space.scale[name]
            up, down = mine.copy(), mine.copy()
            up[mine] = (column > song[name]) & near
            down[mine] = (column < song[name]) & near
            gain_up[name] = float(values[up].max() - objective.before) if up.any() else -math.inf
            gain_down[name] = float(values[down].max() - objective.before) if down.any() else -math.inf
        directions = {n: 1 if gain_up[n] >= gain_down[n] else -1 for n in movable}
        gains = {n: max(gain_up[n], gain_down[n]) for n in movable}
        ranked = sorted(movable, key=lambda n: -gains[n])
        stages = [[(pair, PAIR_STEPS) for pair in itertools.combinations(movable, 2)]]
        if max_features >= 3:  # triples only need searching below the best pair's size: a stage of their own
            stages.append([(triple, TRIPLE_STEPS) for triple in itertools.combinations(ranked[:TRIPLE_FEATURES], 3)])
        for subsets in stages:
            found = _best_multi(objective, space, index, song, names, base, subsets, directions, best_cost)
            if found is not None:
                best_raw, best_cost = found

    if best_raw is None:
        closest = float(np.max(values)) if len(values) else objective.before
        what = "P(popular)" if goal.kind == HIT else "mean predicted popularity"
        shown = f"{closest:.3f}" if goal.kind == HIT else f"{closest:.1f}"
        message = (f"Nothing realistic gets there: no change of up to {max_features} features, each staying within "
                   f"the range where real songs of this data lie (1st–99th percentile) and leaving the song "
                   f"plausible, {_goal_phrase(objective)}. The most a single feature does is a {what} of {shown}.")
        return Counterfactual(goal, False, song, None, [], math.nan, objective.target, objective.before, closest,
                              model, message)
    changed = {n: float(v) for n, v in zip(names, best_raw)}
    for name in names:  # the integer sliders (duration) keep their type
        if space.specs.get(name) is not None and space.specs[name].is_choice:
            changed[name] = int(round(changed[name]))
    return _finish(scorer, space, index, song, changed, objective, best_cost, frame, "")


def _best_multi(objective: _Objective, space: SearchSpace, index, song: Mapping[str, float], names: Sequence[str],
                base: np.ndarray, subsets, directions: Mapping[str, int], below: float
                ) -> tuple[np.ndarray, float] | None:
    """The cheapest reaching, plausible change among the feature subsets' grids whose size is below `below`, shrunk
    toward the song; None when there is none."""
    rows, costs = [], []
    for features, steps in subsets:
        grid = _multi_grid(space, song, features, directions, steps)
        if not len(grid):
            continue
        cost = (np.abs(grid - np.array([song[n] for n in features]))
                / np.array([space.scale[n] for n in features])).sum(axis=1)
        keep = cost < below
        if keep.any():
            rows.append(_candidates(base, [names.index(n) for n in features], grid[keep]))
            costs.append(cost[keep])
    if not rows:
        return None
    multi, multi_cost = np.vstack(rows), np.concatenate(costs)
    reaching = np.where(objective.reached(objective(multi)))[0]
    pick = _first_plausible(index, multi[reaching], multi_cost[reaching], names) if len(reaching) else None
    if pick is None:
        return None
    raw, cost = _shrink(objective, space, index, song, names, multi[reaching[pick]])
    return (raw, cost) if cost < below else None


def _shrink(objective: _Objective, space: SearchSpace, index, song: Mapping[str, float], names: Sequence[str],
            raw: np.ndarray) -> tuple[np.ndarray, float]:
    """Move a reaching multi-feature change back toward the song as far as it still reaches the goal and passes the
    plausibility check (on the slider grid); returns (row, cost)."""
    base = objective.base
    moved = [n for n in space.names if raw[names.index(n)] != base[names.index(n)]]
    columns = [names.index(n) for n in moved]
    fractions = np.linspace(0.0, 1.0, SHRINK_STEPS + 1)[1:]
    candidates = np.repeat(base[None, :], len(fractions), axis=0)
    for name, column in zip(moved, columns):
        candidates[:, column] = _snap_many(space.specs[name], base[column] + fractions * (raw[column] - base[column]))
    cost = (np.abs(candidates[:, columns] - base[columns]) / np.array([space.scale[n] for n in moved])).sum(axis=1)
    reaching = np.where(objective.reached(objective(candidates)))[0]
    if len(reaching):
        pick = _first_plausible(index, candidates[reaching], cost[reaching], names)
        if pick is not None:
            return candidates[reaching[pick]], float(cost[reaching[pick]])
    return raw, float((np.abs(raw[columns] - base[columns]) / np.array([space.scale[n] for n in moved])).sum())


def _finish(scorer, space, index, song, changed, objective: _Objective, cost: float, frame, message: str
            ) -> Counterfactual:
    after = float(objective(np.array([[float(changed[n]) for n in objective.feature_names]]))[0])
    predictions = _predictions(scorer, song, changed)
    agreement, agreement_text = _agreement(predictions, objective.goal)
    steps = _steps(space, song, changed)
    if not message:
        message = _found_sentence(objective, steps, after)
    nearest = check_plausibility(index, changed, frame).nearest
    return Counterfactual(objective.goal, True, dict(song), dict(changed), steps, cost, objective.target,
                          objective.before, after, objective.classifier if objective.goal.kind == HIT else None,
                          message, predictions, agreement, agreement_text, nearest)


def applied_song(result: Counterfactual, song: Mapping[str, Any]) -> dict:
    """The page's song with the change applied (features the search held keep their values)."""
    return {**song, **(result.changed or {})}
