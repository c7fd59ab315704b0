"""The suites are the report's models with the report's hyper-parameters, plus labelled baselines and extras."""
from __future__ import annotations

import pytest
from sklearn.calibration import CalibratedClassifierCV
from sklearn.svm import LinearSVC

from core.models import suites as S

# Copied from the report's notebook cells (the `models` and `models_to_be_deployed` dicts).
REPORT_REGRESSION = {
    "Linear Regression": ("LinearRegression", {}),
    "Ridge Regression (α=1.0)": ("Ridge", {"alpha": 1.0}),
    "XGBoost": ("XGBRegressor", {"n_estimators": 100, "learning_rate": 0.1, "max_depth": 3, "verbosity": 0}),
    "AdaBoost": ("AdaBoostRegressor", {"n_estimators": 100, "learning_rate": 0.1}),
    "Gradient Boosting": ("GradientBoostingRegressor", {"n_estimators": 100, "learning_rate": 0.1, "max_depth": 3}),
}
REPORT_CLASSIFICATION = {
    "LOGISTIC REGRESSION": ("LogisticRegression", {}),
    "DECISION TREE CLASSIFIER": ("DecisionTreeClassifier", {"criterion": "entropy", "random_state": 40}),
    "RANDOM FOREST CLASSIFIER": ("RandomForestClassifier",
                                 {"n_estimators": 10, "criterion": "entropy", "random_state": 70}),
    "GAUSSIAN NAIVE BAYES": ("GaussianNB", {}),
    "BERNOULLI NAIVE BAYES": ("BernoulliNB", {"alpha": 1.0, "binarize": 0.0, "fit_prior": True}),
    "GRADIENT BOOSTING CLASSIFIER": ("GradientBoostingClassifier",
                                     {"n_estimators": 50, "learning_rate": 0.1, "max_depth": 3, "subsample": 0.5}),
    "EXTRA TREES CLASSIFIER": ("ExtraTreesClassifier",
                               {"n_estimators": 50, "max_depth": None, "min_samples_split": 2, "n_jobs": -1}),
}
# "Classification using Classical Models (Revised Approach)": the classifiers it lists
REPORT_REVISED = ("LOGISTIC REGRESSION", "DECISION TREE CLASSIFIER", "RANDOM FOREST CLASSIFIER",
                  "GRADIENT BOOSTING CLASSIFIER", "ADABOOST CLASSIFIER", "EXTRA TREES CLASSIFIER")


def _by_name():
    return S.SPECS_BY_NAME


@pytest.mark.parametrize("name", list(REPORT_REGRESSION) + list(REPORT_CLASSIFICATION))
def test_every_report_model_has_the_reports_hyper_parameters(name):
    cls_name, params = {**REPORT_REGRESSION, **REPORT_CLASSIFICATION}[name]
    spec = _by_name()[name]
    assert spec.group == S.GROUP_REPORT
    assert dict(spec.params) == params
    built = spec.build()
    assert type(built).__name__ == cls_name
    for key, value in params.items():
        assert built.get_params()[key] == value, (name, key)


def test_execution_settings_are_added_at_build_time_without_touching_the_report_params():
    extra_trees = _by_name()["EXTRA TREES CLASSIFIER"]
    built = extra_trees.build(seed=5, n_jobs=1)
    assert built.n_jobs == 1 and built.random_state == 5
    assert extra_trees.params["n_jobs"] == -1  # the report's value stays in the spec
    forest = _by_name()["RANDOM FOREST CLASSIFIER"].build(seed=5, n_jobs=1)
    assert forest.random_state == 70, "a seed the report fixed must win over the suite seed"
    with pytest.raises(TypeError):
        extra_trees.params["n_estimators"] = 10  # specs are shared; nobody may edit them


def test_the_ridge_cv_model_searches_a_documented_grid():
    spec = _by_name()["Ridge Regression (α=ridge_cv.best_params_)"]
    model = spec.build()
    assert tuple(model.alphas) == S.RIDGE_ALPHAS and 1.0 in S.RIDGE_ALPHAS
    assert "ridge_cv" in spec.note


def test_linear_svc_is_a_hinge_loss_linear_svm_with_calibrated_probabilities():
    spec = _by_name()["LINEAR SVC"]
    model = spec.build(seed=1)
    assert isinstance(model, CalibratedClassifierCV) and isinstance(model.estimator, LinearSVC)
    assert model.estimator.loss == "hinge" and model.estimator.C == 1.0
    assert "SVC(kernel='linear')" in spec.note and "LinearSVC" in spec.note


def test_the_networks_follow_the_three_printed_summaries():
    archs = {name: _by_name()[name].params["architecture"] for name in
             ("ANN", "ANN CLASSIFIER", "ANN CLASSIFIER" + S.WEIGHTED_SUFFIX)}
    assert archs == {"ANN": "regression", "ANN CLASSIFIER": "classification",
                     "ANN CLASSIFIER (class-weighted)": "classification_weighted"}
    for name in archs:
        spec = _by_name()[name]
        assert spec.kind == S.KIND_KERAS
        assert 512 <= spec.params["batch_size"] <= 1024 and spec.params["max_epochs"] <= 20
        assert "early stopping" in spec.note


def test_the_revised_suite_is_the_reports_list_then_our_corrections():
    weighted = [s for s in S.WEIGHTED_SPECS if s.kind != S.KIND_KERAS]
    as_report = [s for s in weighted if s.name.endswith(S.WEIGHTED_SUFFIX)]
    assert [s.name for s in as_report] == [n + S.WEIGHTED_SUFFIX for n in REPORT_REVISED]
    assert all(s.group == S.GROUP_WEIGHTED for s in weighted)
    by_name = {s.name: s for s in weighted}
    assert by_name["LOGISTIC REGRESSION (class-weighted)"].build(class_weight={0: 0.5, 1: 50.0}).class_weight == \
        {0: 0.5, 1: 50.0}
    plain = _by_name()["GRADIENT BOOSTING CLASSIFIER"]
    assert by_name["GRADIENT BOOSTING CLASSIFIER (class-weighted)"].params == plain.params


# The report's revised rows that equal an unweighted run (its weights never reached the model) vs those that moved.
NOT_REACHED = ("GRADIENT BOOSTING CLASSIFIER", "ADABOOST CLASSIFIER", "EXTRA TREES CLASSIFIER")
REACHED = ("LOGISTIC REGRESSION", "DECISION TREE CLASSIFIER", "RANDOM FOREST CLASSIFIER")


@pytest.mark.parametrize("model", NOT_REACHED)
def test_as_the_report_the_weights_do_not_reach_boosting_adaboost_and_extra_trees(model):
    as_report = _by_name()[model + S.WEIGHTED_SUFFIX]
    assert as_report.weighting is None
    assert "the report's weights did not reach this model" in as_report.note.lower()
    corrected = _by_name()[model + S.WEIGHTS_APPLIED_SUFFIX]
    assert corrected.group == S.GROUP_WEIGHTED and corrected.params == as_report.params
    assert corrected.weighting == (S.WEIGHT_CLASS if model == "EXTRA TREES CLASSIFIER" else S.WEIGHT_SAMPLE)
    assert "correction" in corrected.note.lower()


@pytest.mark.parametrize("model", REACHED)
def test_as_the_report_the_weights_reach_the_models_whose_rows_moved(model):
    assert _by_name()[model + S.WEIGHTED_SUFFIX].weighting == S.WEIGHT_CLASS
    assert model + S.WEIGHTS_APPLIED_SUFFIX not in _by_name()


def test_the_report_scored_its_networks_at_the_f1_best_threshold_and_everything_else_at_half():
    networks = {"ANN CLASSIFIER", "ANN CLASSIFIER" + S.WEIGHTED_SUFFIX}
    for spec in S.ALL_SPECS:
        expected = S.THRESHOLD_F1_BEST if spec.name in networks else S.THRESHOLD_HALF
        assert spec.report_threshold == expected, spec.name
    assert _by_name()["ANN CLASSIFIER" + S.WEIGHTED_SUFFIX].weighting == S.WEIGHT_CLASS


def test_default_selection_is_the_reports_three_suites_plus_baselines():
    specs = S.select_specs(("regression", "classification", "weighted"))
    names = [s.name for s in specs]
    assert len(names) == len(set(names))
    regression = [s for s in specs if s.task == S.REGRESSION]
    classification = [s for s in specs if s.task == S.CLASSIFICATION]
    assert [s.name for s in regression] == ["Dummy (mean)", "Linear Regression", "Ridge Regression (α=1.0)",
                                            "Ridge Regression (α=ridge_cv.best_params_)", "XGBoost", "AdaBoost",
                                            "Gradient Boosting", "ANN"]
    assert classification[0].group == S.GROUP_BASELINE
    assert sum(s.group == S.GROUP_REPORT for s in classification) == 9  # 8 classical + ANN
    assert sum(s.group == S.GROUP_WEIGHTED for s in classification) == 10  # 6 classical as the report, 3 fixed, ANN
    assert not any(s.group == S.GROUP_EXTRA for s in specs)


def test_selection_options():
    no_ann = S.select_specs(("classification",), include_ann=False)
    assert not any(s.kind == S.KIND_KERAS for s in no_ann)
    assert [s.name for s in no_ann][0] == "DUMMY CLASSIFIER (most frequent)"
    assert not any(s.task == S.REGRESSION for s in no_ann)
    weighted_only = S.select_specs(("weighted",), include_ann=False)
    assert weighted_only[0].group == S.GROUP_BASELINE and len(weighted_only) == 10
    extras = S.select_specs(("regression",), extras=True)
    assert {s.name for s in extras if s.group == S.GROUP_EXTRA} == {s.name for s in S.EXTRA_SPECS}
    with pytest.raises(ValueError, match="unknown suite"):
        S.select_specs(("regresion",))


def test_extras_are_made_feasible_by_row_caps_and_time_budgets():
    for spec in S.EXTRA_SPECS:
        assert spec.time_budget_s is not None
        assert spec.estimated_seconds(104_530) <= spec.time_budget_s + 1e-9, spec.name
    knn = _by_name()["KNN Regression"]
    assert knn.train_rows(104_530) == 20_000 and knn.train_rows(5_000) == 5_000
    assert knn.params["algorithm"] == "kd_tree"
