"""What if one feature changed: every chosen model's prediction as that feature sweeps its slider's range."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from core.whatif.scorer import Scorer
from core.whatif.sliders import SliderSpec


def sensitivity_grid(spec: SliderSpec, current: float, n_points: int = 41) -> np.ndarray:
    """The values a sensitivity curve visits: the whole slider range plus the current value itself."""
    if spec.is_choice and len(spec.options) <= 2 * n_points:
        values = np.asarray(spec.options, dtype=float)
    else:
        values = np.array([spec.snap(v) for v in np.linspace(spec.min, spec.max, n_points)], dtype=float)
    return np.unique(np.r_[values, spec.snap(current)])


def sensitivity_curve(scorer: Scorer, song: Mapping[str, float], spec: SliderSpec,
                      models: Sequence[str] | None = None, n_points: int = 41) -> pd.DataFrame:
    """Every chosen model's prediction as one feature sweeps its range, the others held at the song's values.

    Long format: value, model, kind ("popularity" | "hit probability"), prediction."""
    grid = sensitivity_grid(spec, song[spec.name], n_points)
    rows = np.repeat(scorer.song_matrix(song), len(grid), axis=0)
    column = scorer.feature_names.index(spec.name)
    rows[:, column] = (grid - scorer.mean[column]) / scorer.scale[column]
    regressors = [m for m in (models or scorer.regressor_names) if m in scorer.regressors]
    classifiers = [m for m in (models or scorer.classifier_names) if m in scorer.classifiers]
    parts = []
    if regressors:
        predicted = scorer.popularity(rows, regressors)
        parts.append(pd.DataFrame({"value": np.tile(grid, len(regressors)), "model": np.repeat(regressors, len(grid)),
                                   "kind": "popularity", "prediction": predicted.T.reshape(-1)}))
    if classifiers:
        proba = scorer.hit_proba(rows, classifiers)
        parts.append(pd.DataFrame({"value": np.tile(grid, len(classifiers)),
                                   "model": np.repeat(classifiers, len(grid)),
                                   "kind": "hit probability", "prediction": proba.T.reshape(-1)}))
    if not parts:
        return pd.DataFrame(columns=["value", "model", "kind", "prediction"])
    return pd.concat(parts, ignore_index=True)


def default_sweep_models(scorer: Scorer, n_classifiers: int = 2) -> list[str]:
    """A readable default for the sweep: every regressor and the classifiers that best find popular songs (PR-AUC)."""
    regressors = [n for n in scorer.regressor_names if n not in scorer.baselines]
    table = getattr(scorer.suite, "classification_table", None)
    candidates = [n for n in scorer.classifier_names if n not in scorer.baselines]
    if table is not None and "pr_auc" in table and len(candidates):
        ranked = table.loc[[n for n in candidates if n in table.index], "pr_auc"].dropna()
        candidates = list(ranked.sort_values(ascending=False).index) or candidates
    return regressors + candidates[:n_classifiers]

