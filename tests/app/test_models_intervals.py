"""Model comparison in AppTest: 95 % intervals and tie markers on both leaderboards, calibration, the regressors on
the precision–recall chart, and the intervals in the exports."""
from __future__ import annotations

from tests.app.test_models_page import _figure, _page


def _frame_with(at, column: str):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_the_regression_leaderboard_shows_intervals_and_marks_the_best_and_its_ties(small_dataset, trained_store,
                                                                                    monkeypatch):
    at = _page(small_dataset, trained_store, monkeypatch)
    assert not at.exception, [e.message for e in at.exception]
    board = _frame_with(at, "R² 95 %")
    assert {"RMSE 95 %", "MAE 95 %"} <= set(board.columns)
    best = board["R²"].drop(index=[n for n in board.index if "Dummy" in str(n)]).idxmax()
    assert board.loc[best, "R² 95 %"].endswith("★") and (board["R² 95 %"].str.endswith("★")).sum() == 1
    sentence = next(m.value for m in at.markdown if m.value.startswith("On R²,"))
    assert f"**{best}** scores best" in sentence
    tied = [n for n in board["R²"].sort_values(ascending=False).index if board.loc[n, "R² 95 %"].endswith("≈")]
    if tied:
        assert "indistinguishable" in sentence and all(f"**{n}**" in sentence for n in tied[:3])
    else:
        assert "measurably worse" in sentence


def test_the_classification_leaderboard_has_intervals_brier_and_the_regressors_at_the_cut(
        small_dataset, trained_store, monkeypatch):
    at = _page(small_dataset, trained_store, monkeypatch, tab="classification")
    assert not at.exception, [e.message for e in at.exception]
    board = _frame_with(at, "PR-AUC 95 %")
    assert {"ROC-AUC 95 %", "MCC 95 %", "balanced accuracy 95 %", "popular F1 at best 95 %", "Brier"} <= set(
        board.columns)
    assert (board["PR-AUC 95 %"].str.endswith("★")).sum() == 1
    assert (board["suite"] == "regressor at the cut").any()
    assert any(m.value.startswith("On PR-AUC,") for m in at.markdown)
    # the PR chart draws the best regressor's predicted popularity, dashed, beside the classifiers
    figure = _figure(at, "Precision–recall, models compared")
    dashed = [t for t in figure["data"] if t.get("line", {}).get("dash") == "dash"]
    assert dashed and "(popularity ≥" in dashed[0]["name"]
    # calibration: a reliability chart with the diagonal, and a verdict per classifier
    reliability = _figure(at, "Reliability curves")
    assert any(t.get("name") == "calibrated" for t in reliability["data"])
    verdicts = _frame_with(at, "verdict")
    assert set(verdicts["verdict"].str.split().str[0]) <= {"calibrated", "overstates", "understates"}


def test_the_exports_hold_the_intervals(small_dataset, trained_store, monkeypatch):
    at = _page(small_dataset, trained_store, monkeypatch, tab="export")
    assert not at.exception, [e.message for e in at.exception]
    assert any("metric intervals (95 %, paired bootstrap)" in m.value for m in at.markdown)
