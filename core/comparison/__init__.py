"""The Models page's computations: pure functions over what a stored suite already holds (metric tables, test-set
predictions and probabilities), so moving a threshold or switching a model never retrains anything.

    regression_leaderboard(tables, intervals)        # core.comparison.leaderboards: the view, its intervals, ties
    classification_curves(predictions, "XGBoost")   # core.comparison.thresholds: ROC, PR, histogram, best threshold

Modules: `tables` (leaderboard views, best cells, split gaps), `leaderboards` (the views with 95 % intervals, the
regressors thresholded at the popular cut), `thresholds` (threshold metrics and curves), `diagnostics` (regression
residuals), `importance` (permutation and SHAP importance), `summary` (one suite at a glance, which configs to offer),
`text` (generated sentences), `view_state` (the view in a shared URL), `exports` (downloads), `uncertainty` (the
paired bootstrap behind the intervals), `calibration` (reliability curves and Brier scores).
"""
