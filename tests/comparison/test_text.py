"""core.comparison.text: the accuracy note and a suite's settings in words, written from the numbers."""
from __future__ import annotations

from core.comparison.text import accuracy_note, describe_config


def test_accuracy_note_is_written_from_the_numbers(cls_table):
    note = accuracy_note(cls_table, n_test=26_133, n_positive=261)
    assert "0.990 accuracy" in note and "26,133" in note and "1.0 %" in note
    assert "EXTRA TREES CLASSIFIER" in note and "0.200" in note  # best PR-AUC named with its value
    assert "1 of them flags no popular song" in note  # only the plain logistic regression has recall 0
    other = accuracy_note(cls_table, n_test=1_000, n_positive=50)
    assert "0.950 accuracy" in other


def test_describe_config_names_every_setting_that_differs_from_the_report():
    from types import SimpleNamespace

    report = SimpleNamespace(suites=("regression", "classification", "weighted"), include_ann=True, extras=False,
                             grouped=False, cv_folds=0, max_rows=None, binning="top1")
    assert describe_config(report) == ("regression + classification + class-weighted · with ANNs · "
                                           "random 80/20 split · all rows")
    quick = SimpleNamespace(suites=("regression",), include_ann=False, extras=True, grouped=True, cv_folds=5,
                            max_rows=5_000, binning="top1")
    assert describe_config(quick) == ("regression · no ANNs · extra models · split by artist · 5-fold CV · "
                                          "5,000-row sample")
