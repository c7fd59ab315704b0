"""core.comparison on synthetic predictions and tables: thresholds, curves, notes, gaps, URL state, exports."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import confusion_matrix, f1_score, precision_score, recall_score

from core import comparison as cmp


@pytest.fixture(scope="module")
def scores():
    """2,000 songs, ~1 % popular, probabilities that rank popular songs higher but not perfectly."""
    rng = np.random.default_rng(3)
    y = (rng.random(2_000) < 0.01).astype(int)
    y[:5] = 1  # at least a few positives whatever the seed
    proba = np.clip(rng.beta(1, 30, size=2_000) + 0.25 * y * rng.random(2_000), 0, 1)
    return y, proba


@pytest.fixture
def cls_table():
    rows = {
        "Majority baseline": dict(group="baseline", accuracy_score=0.99, precision_score=0.9801, f1_score=0.985,
                                  recall_score=0.99, roc_auc=0.5, pr_auc=0.01, balanced_accuracy=0.5, mcc=0.0,
                                  minority_precision=0.0, minority_recall=0.0, minority_f1=0.0),
        "LOGISTIC REGRESSION": dict(group="report", accuracy_score=0.9895, precision_score=0.98, f1_score=0.984,
                                    recall_score=0.9895, roc_auc=0.80, pr_auc=0.05, balanced_accuracy=0.5, mcc=0.0,
                                    minority_precision=0.0, minority_recall=0.0, minority_f1=0.0,
                                    best_threshold=0.04, minority_precision_best=0.08, minority_recall_best=0.2,
                                    minority_f1_best=0.11),
        "EXTRA TREES CLASSIFIER": dict(group="report", accuracy_score=0.9905, precision_score=0.987, f1_score=0.986,
                                       recall_score=0.9905, roc_auc=0.85, pr_auc=0.20, balanced_accuracy=0.55,
                                       mcc=0.25, minority_precision=0.6, minority_recall=0.1, minority_f1=0.17,
                                       best_threshold=0.2, minority_precision_best=0.3, minority_recall_best=0.3,
                                       minority_f1_best=0.3),
        "LOGISTIC REGRESSION (class-weighted)": dict(group="weighted", accuracy_score=0.65, precision_score=0.986,
                                                     f1_score=0.77, recall_score=0.65, roc_auc=0.80, pr_auc=0.05,
                                                     balanced_accuracy=0.72, mcc=0.08, minority_precision=0.02,
                                                     minority_recall=0.8, minority_f1=0.04),
        "BROKEN": dict(group="report", status="failed", error="out of memory"),
    }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table["status"] = table["status"].fillna("ok") if "status" in table else "ok"
    return table


def test_threshold_metrics_match_sklearn(scores):
    y, proba = scores
    for threshold in (0.02, 0.1, 0.5):
        result = cmp.threshold_metrics(y, proba, threshold)
        predicted = (proba >= threshold).astype(int)
        tn, fp, fn, tp = confusion_matrix(y, predicted, labels=[0, 1]).ravel()
        assert (result.tn, result.fp, result.fn, result.tp) == (tn, fp, fn, tp)
        assert result.precision == pytest.approx(precision_score(y, predicted, zero_division=0))
        assert result.recall == pytest.approx(recall_score(y, predicted))
        assert result.f1 == pytest.approx(f1_score(y, predicted, zero_division=0))
        assert result.confusion_frame().to_numpy().sum() == len(y)


def test_raising_the_threshold_never_adds_predicted_positives(scores):
    y, proba = scores
    positives = [cmp.threshold_metrics(y, proba, t) for t in np.linspace(0, 1, 21)]
    flagged = [r.tp + r.fp for r in positives]
    assert flagged == sorted(flagged, reverse=True)
    assert flagged[0] == len(y) and positives[-1].tp + positives[-1].fp <= 1


def test_f1_optimal_threshold_beats_every_other_cut(scores):
    y, proba = scores
    best = cmp.f1_optimal_threshold(y, proba)
    best_f1 = cmp.threshold_metrics(y, proba, best).f1
    assert all(cmp.threshold_metrics(y, proba, t).f1 <= best_f1 + 1e-9 for t in np.unique(proba)[::7])
    assert cmp.f1_optimal_threshold(np.zeros(10), np.linspace(0, 1, 10)) == 0.5  # one class: undefined -> default


def test_curves_are_thinned_and_keep_their_ends(scores):
    y, proba = scores
    roc = cmp.roc_points(y, proba, max_points=50)
    pr = cmp.pr_points(y, proba, max_points=50)
    assert len(roc) <= 50 and len(pr) <= 50
    assert (roc["fpr"].iloc[0], roc["tpr"].iloc[0]) == (0.0, 0.0)
    assert (roc["fpr"].iloc[-1], roc["tpr"].iloc[-1]) == (1.0, 1.0)
    assert roc["fpr"].is_monotonic_increasing and roc["threshold"].max() <= 1.0
    assert pr["recall"].iloc[0] == 1.0 and pr["recall"].iloc[-1] == 0.0
    assert cmp.roc_points(np.zeros(5), np.linspace(0, 1, 5)).empty


def test_mismatched_lengths_are_an_error():
    with pytest.raises(ValueError, match="3 labels but 2"):
        cmp.threshold_metrics([0, 1, 0], [0.1, 0.2], 0.5)


def test_views_drop_failed_models_and_pair_suites(cls_table):
    assert cmp.failed_models(cls_table) == {"BROKEN": "out of memory"}
    report = cmp.classification_report_view(cls_table)
    assert "BROKEN" not in report.index
    assert list(report.columns) == ["suite", "accuracy_score", "precision_score", "f1_score", "recall_score"]
    assert report.index[0] == "Majority baseline"
    honest = cmp.honest_view(cls_table)
    names = list(honest.index)
    # the plain and class-weighted logistic regression sit next to each other, plain first
    i = names.index("LOGISTIC REGRESSION")
    assert names[i + 1] == "LOGISTIC REGRESSION (class-weighted)"
    assert honest.loc[names[i + 1], "suite"] == "class-weighted"
    assert "ROC-AUC" in honest and "popular recall" in honest


def test_best_flags_follow_the_metric_direction():
    view = pd.DataFrame({"MSE": [3.0, 1.0, 2.0], "R²": [0.1, 0.3, 0.3], "CV R² sd": [0.5, 0.1, 0.2]},
                        index=["a", "b", "c"])
    flags = cmp.best_flags(view)
    assert flags["MSE"].tolist() == [False, True, False]
    assert flags["R²"].tolist() == [False, True, True]  # ties are all flagged
    assert not flags["CV R² sd"].any()  # a spread is not a score
    styles = cmp.style_best(view)._compute().ctx
    assert sorted(cell for cell, css in styles.items() if any("background-color" in p for p, _ in css)) == [
        (1, 0), (1, 1), (2, 1)]


def test_regression_view_renames_and_keeps_cv_only_when_run():
    table = pd.DataFrame({"MSE": [355.0, 390.0], "MAE": [15.5, 17.0], "R2 Score": [0.09, 0.0], "RMSE": [18.8, 19.7],
                          "cv_R2_mean": [np.nan, np.nan], "fit_s": [0.1, 0.0], "predict_us_per_row": [0.2, 0.1],
                          "status": ["ok", "ok"], "error": [None, None]},
                         index=["Linear Regression", "Dummy (mean)"])
    view = cmp.regression_view(table)
    assert list(view.columns) == ["MSE", "MAE", "R²", "RMSE", "fit (s)", "predict (µs/row)"]


def test_accuracy_note_is_written_from_the_numbers(cls_table):
    note = cmp.accuracy_note(cls_table, n_test=26_133, n_positive=261)
    assert "0.990 accuracy" in note and "26,133" in note and "1.0 %" in note
    assert "EXTRA TREES CLASSIFIER" in note and "0.200" in note  # best PR-AUC named with its value
    assert "1 of them flags no popular song" in note  # only the plain logistic regression has recall 0
    other = cmp.accuracy_note(cls_table, n_test=1_000, n_positive=50)
    assert "0.950 accuracy" in other


def test_split_gap_table_and_sentence():
    random_view = pd.DataFrame({"R²": [0.145, 0.09]}, index=["XGBoost", "Linear Regression"])
    grouped_view = pd.DataFrame({"R²": [0.07, 0.06]}, index=["XGBoost", "Linear Regression"])
    gap = cmp.split_gap_table(random_view, grouped_view, "R²")
    assert gap.loc["XGBoost", "gap"] == pytest.approx(-0.075)
    sentence = cmp.split_gap_sentence(gap, "R²")
    assert "XGBoost" in sentence and "0.145" in sentence and "0.070" in sentence and "same artist" in sentence
    agree = cmp.split_gap_sentence(cmp.split_gap_table(random_view, random_view, "R²"), "R²")
    assert "agree closely" in agree
    assert "no gap" in cmp.split_gap_sentence(cmp.split_gap_table(random_view, grouped_view, "MSE"), "MSE")


@pytest.mark.parametrize("params, expected", [
    ({"tab": "classification", "model": "XGB", "threshold": "0.25"}, cmp.ViewState("classification", "XGB", 0.25)),
    ({"tab": "nope", "model": "<script>", "threshold": "1.5"}, cmp.ViewState()),
    ({"threshold": "nan"}, cmp.ViewState()),
    ({"threshold": "abc"}, cmp.ViewState()),
    ({"threshold": ["0.1234"]}, cmp.ViewState(threshold=0.125)),
    ({}, cmp.ViewState()),
])
def test_parse_view_state_keeps_only_valid_values(params, expected):
    assert cmp.parse_view_state(params, tabs=["regression", "classification"], models=["XGB"]) == expected


def test_density_residuals_and_histogram_shapes():
    rng = np.random.default_rng(0)
    actual = rng.integers(0, 101, 5_000)
    predicted = np.clip(actual * 0.3 + 20 + rng.normal(0, 5, 5_000), 0, 100)
    grid = cmp.density_grid(actual, predicted, bins=20)
    assert grid.shape == (20, 20) and grid.to_numpy().sum() == 5_000
    profile = cmp.residual_profile(actual, predicted)
    assert profile["count"].sum() == 5_000
    # a shrunk model under-predicts popular songs and over-predicts unpopular ones
    assert profile["median"].iloc[-1] > 0 > profile["median"].iloc[0]
    hist = cmp.probability_histogram(rng.random(100), np.r_[np.ones(10), np.zeros(90)], bins=10)
    assert hist["popular"].sum() == 10 and hist["not popular"].sum() == 90


def test_xgboost_contributions_and_permutation_importance_find_the_signal():
    from sklearn.linear_model import LinearRegression
    from xgboost import XGBRegressor

    rng = np.random.default_rng(1)
    X = rng.normal(size=(600, 3))
    y = 5 * X[:, 1] + rng.normal(0, 0.1, 600)
    names = ["noise_a", "signal", "noise_b"]
    shap = cmp.xgboost_contribution_importance(XGBRegressor(n_estimators=20, max_depth=2).fit(X, y), X, names)
    assert shap.index[0] == "signal" and shap["signal"] > 10 * shap["noise_a"]
    table = cmp.permutation_importance_table(LinearRegression().fit(X, y).predict, X, y, names, n_repeats=2,
                                             max_rows=300)
    assert table.index[0] == "signal" and table.loc["signal", "mean"] > 1


def test_exports_round_trip(cls_table):
    view = cmp.honest_view(cls_table)
    csv = cmp.table_to_csv(view).decode()
    assert csv.splitlines()[0].startswith("model,suite,ROC-AUC")
    records = json.loads(cmp.table_to_json(view))
    assert records["EXTRA TREES CLASSIFIER"]["PR-AUC"] == 0.2
    assert records["Majority baseline"]["F1-best threshold"] is None  # NaN -> null
    assert json.loads(cmp.manifest_to_json({"a": 1, "when": pd.Timestamp("2024-01-01")}))["a"] == 1
    assert cmp.export_name("honest table", "abc", "k1", "csv") == "honest_table_abc_k1.csv"


def test_describe_config_names_every_setting_that_differs_from_the_report():
    from types import SimpleNamespace

    report = SimpleNamespace(suites=("regression", "classification", "weighted"), include_ann=True, extras=False,
                             grouped=False, cv_folds=0, max_rows=None, binning="top1")
    assert cmp.describe_config(report) == ("regression + classification + class-weighted · with ANNs · "
                                           "random 80/20 split · all rows")
    quick = SimpleNamespace(suites=("regression",), include_ann=False, extras=True, grouped=True, cv_folds=5,
                            max_rows=5_000, binning="top1")
    assert cmp.describe_config(quick) == ("regression · no ANNs · extra models · split by artist · 5-fold CV · "
                                          "5,000-row sample")


def test_baselines_are_not_ranked(cls_table):
    view = cmp.honest_view(cls_table)
    flags = cmp.best_flags(view)
    assert not flags.loc["Majority baseline"].any()
    reg = pd.DataFrame({"fit (s)": [0.0, 1.0, 2.0]}, index=["Dummy (mean)", "A", "B"])
    assert cmp.best_flags(reg, skip_rows=["Dummy (mean)"])["fit (s)"].tolist() == [False, True, False]


def test_preferred_order_puts_the_report_settings_then_random_splits_first():
    from types import SimpleNamespace

    def config(key, grouped):
        return SimpleNamespace(key=lambda: key, grouped=grouped)

    newest_first = [config("g-new", True), config("r-new", False), config("report", False), config("r-old", False)]
    assert cmp.preferred_order(newest_first, config("report", False)) == ["report", "r-new", "r-old", "g-new"]


def test_probability_histogram_zooms_to_the_probabilities():
    hist = cmp.probability_histogram(np.linspace(0, 0.2, 100), np.zeros(100), bins=10)
    assert hist["right"].iloc[-1] == pytest.approx(0.204)
    assert cmp.probability_histogram([0.001], [0], bins=5)["right"].iloc[-1] == 0.05  # never narrower than 0.05


@pytest.fixture
def stored_like(cls_table):
    """An object shaped like config.SuiteTables: tables, test predictions indexed by the frame's rows, manifest."""
    from types import SimpleNamespace

    rng = np.random.default_rng(5)
    n = 400
    y_class = (rng.random(n) < 0.05).astype(int)
    predictions = pd.DataFrame({
        "y_true": rng.integers(0, 100, n), "y_class": y_class, "artist": "a",
        "reg::XGBoost": rng.uniform(0, 100, n), "reg::Dummy (mean)": 24.0,
        "cls::EXTRA TREES CLASSIFIER": np.clip(0.3 * y_class + rng.random(n) * 0.5, 0, 1),
    }, index=pd.Index(rng.choice(10_000, n, replace=False), name="row"))
    regression = pd.DataFrame({"group": ["baseline", "report"], "R2 Score": [0.0, 0.14], "status": "ok"},
                              index=["Dummy (mean)", "XGBoost"])
    return SimpleNamespace(regression_table=regression, classification_table=cls_table,
                           test_predictions=predictions, popular_threshold=73.0,
                           manifest={"created_at": "2024-05-01T10:11:12+00:00", "classes": [0, 1]})


def test_suite_summary_and_curves_from_stored_tables(stored_like):
    summary = cmp.suite_summary(stored_like)
    assert summary.n_test == 400 and summary.n_positive == int(stored_like.test_predictions["y_class"].sum())
    assert summary.best_regressor == "XGBoost" and summary.regression_baselines == ["Dummy (mean)"]
    assert summary.best_classifier == "EXTRA TREES CLASSIFIER"  # highest PR-AUC among real models
    assert summary.classifiers_by_pr_auc[-1] == "Majority baseline"
    assert summary.trained_at == "2024-05-01 10:11"
    assert cmp.prediction_models(stored_like.test_predictions) == (["XGBoost", "Dummy (mean)"],
                                                                   ["EXTRA TREES CLASSIFIER"])
    curves = cmp.classification_curves(stored_like.test_predictions, "EXTRA TREES CLASSIFIER", stored_like.manifest)
    assert curves.base_rate == pytest.approx(summary.positive_rate)
    assert 0.5 < curves.roc_auc <= 1 and curves.pr_auc > curves.base_rate
    grid, profile = cmp.regression_diagnostics(stored_like.test_predictions, "XGBoost")
    assert grid.to_numpy().sum() == 400 and profile["count"].sum() == 400


def test_split_gaps_leave_baselines_out(stored_like):
    from types import SimpleNamespace

    grouped = SimpleNamespace(regression_table=stored_like.regression_table.assign(**{"R2 Score": [0.0, 0.07]}),
                              classification_table=stored_like.classification_table)
    gaps = cmp.split_gaps(stored_like, grouped)
    (_, metric, regression_gap), (_, cls_metric, _) = gaps
    assert metric == "R²" and cls_metric == "PR-AUC"
    assert list(regression_gap.index) == ["XGBoost"] and regression_gap.loc["XGBoost", "gap"] == pytest.approx(-0.07)


def test_held_out_features_rebuild_the_scaled_test_rows(stored_like):
    from types import SimpleNamespace

    frame = pd.DataFrame({"a": np.arange(10_000.0), "b": np.arange(10_000.0) * 2})
    suite = SimpleNamespace(feature_names=["a", "b"], scaled=lambda raw: raw.to_numpy() / 10)
    X, y = cmp.held_out_features(suite, frame, stored_like.test_predictions, max_rows=50)
    assert X.shape == (50, 2) and np.allclose(X[:, 1], 2 * X[:, 0])
    assert set(X[:, 0] * 10) <= set(stored_like.test_predictions.index.astype(float))
    assert cmp.held_out_features(suite, frame.head(10), stored_like.test_predictions) is None  # other data


def test_published_tables_carry_the_report_numbers_and_its_ann_lines():
    tables = cmp.published_tables()
    assert tables["regression figures"].loc["XGBoost", "R2 Score"] == pytest.approx(0.144489)
    assert tables["classification figures"].loc["ANN", "accuracy_score"] == pytest.approx(0.9667)
    assert tables["class-weighted figures"].loc["ANN (class-weighted)", "f1_score"] == pytest.approx(0.9745)
    assert len(tables["classification figures"]) == 9
