"""The command line of the model layer: `python -m core train` (submit or join a training job and print its
tables) and `python -m core jobs` (list or cancel jobs)."""
from __future__ import annotations

import sys
import time
from pathlib import Path

import pandas as pd

from core.models import metrics, store
from core.models.config import BINNING_TOP1, CLI_SUITES, SuiteConfig, SuiteTables, TrainedSuite
from core.models.jobs import DONE, JobManager, JobRecord, describe
from core.models.training import STATUS_OK


def main_train(args) -> int:
    """`python -m core train`: submit (or join) the job for these settings, print its progress, then its tables."""
    try:
        config = SuiteConfig(suites=CLI_SUITES[args.suite], include_ann=not args.no_ann,
                             extras=args.extras, grouped=args.grouped, cv_folds=args.cv or 0, max_rows=args.max_rows,
                             binning=getattr(args, "binning", BINNING_TOP1))
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        frame, fingerprint, label = load_data(args.data)
    except FileNotFoundError:
        print(f"error: {args.data} does not exist", file=sys.stderr)
        return 2
    except ValueError as error:  # the data layer's DataError is a ValueError with readable sentences
        print(f"error: {args.data} could not be loaded.\n{error}", file=sys.stderr)
        return 2
    manager = JobManager(getattr(args, "store", None), scheduler=getattr(args, "scheduler", None))
    try:
        return _train_and_report(manager, frame, fingerprint, label, config)
    except store.ArtifactError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        manager.close()


def _train_and_report(manager: JobManager, frame, fingerprint: str, label: str, config: SuiteConfig) -> int:
    record, started = manager.submit(frame, fingerprint, config, label)
    if started:
        print(f"training on {label}: {len(frame):,} rows, fingerprint {fingerprint}, settings {config.key()}, "
              f"on {manager.where}", flush=True)
    else:
        owner = record.owner
        print(f"joining the job already {record.status} for these settings (since "
              f"{time.strftime('%H:%M:%S', time.localtime(record.submitted_at))}, run by process {owner.get('pid')} "
              f"on {owner.get('host')}); nothing is trained twice", flush=True)
    printed = finished = 0

    def show(current: JobRecord) -> None:
        nonlocal printed, finished
        for event in current.events[printed:]:
            finished += event["status"] != "started"
            counter = f"[{finished:>3}/{current.total}]"
            name = event["model"]
            if event["status"] == "started":
                print(f"{counter} started  {name}", flush=True)
            elif event["status"] == "finished":
                print(f"{counter} finished {name} in {event['seconds']:.1f} s", flush=True)
            else:
                print(f"{counter} FAILED   {name}: {event['error']}", flush=True)
        printed = len(current.events)

    try:
        final = manager.wait(fingerprint, config, on_update=show)
        if final is not None and final.stale:  # the process we joined died: run it here instead
            print(f"{describe(final)}; starting it again here", flush=True)
            manager.submit(frame, fingerprint, config, label)
            started, printed, finished = True, 0, 0
            final = manager.wait(fingerprint, config, on_update=show)
    except KeyboardInterrupt:
        if started:
            manager.cancel(fingerprint, config)
            manager.wait(fingerprint, config)
            print("\ncancelled; nothing was stored", file=sys.stderr)
        else:
            print("\nstopped watching; the job goes on in the process that runs it", file=sys.stderr)
        return 130
    if final is None:
        print("error: the job's record disappeared from the store", file=sys.stderr)
        return 1
    print(f"\n{describe(final)}")
    if final.status != DONE or not final.suite_path:
        return 1
    try:
        tables = store.ArtifactStore(manager.store_root).load_tables(Path(final.suite_path))
    except store.ArtifactError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"(popular = popularity ≥ {tables.popular_threshold:g}, split: {tables.manifest['split']['kind']})\n")
    print(format_tables(tables))
    for warning in tables.manifest.get("warnings", []):
        print(f"warning: {warning}", file=sys.stderr)
    print(f"\nsaved to {final.suite_path}")
    return 0


def main_jobs(args) -> int:
    """`python -m core jobs`: every job in the store with its status and progress; `--cancel ID` asks one to stop."""
    manager = JobManager(getattr(args, "store", None))
    records = manager.jobs()
    if getattr(args, "cancel", None):
        match = [r for r in records if r.job_id == args.cancel]
        if not match or not manager.cancel(match[0].fingerprint, match[0].suite_config):
            print(f"error: no running job {args.cancel} in {manager.store_root}", file=sys.stderr)
            return 1
        print(f"asked job {args.cancel} to stop; it stops within a few seconds and stores nothing")
        return 0
    if not records:
        print(f"no training jobs in {manager.store_root}")
        return 0
    from core.comparison.text import describe_config

    for record in records:
        status = "interrupted" if record.stale else record.status
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(record.submitted_at))
        print(f"{record.job_id}  {status:<11} {when}  {record.data_label or record.fingerprint}")
        print(f"    {describe_config(record.suite_config)}")
        print(f"    {describe(record)}")
    return 0


def load_data(path: Path | None) -> tuple[pd.DataFrame, str, str]:
    """(frame, fingerprint, label) from a CSV through the data layer, or the twin."""
    from core import sources

    if path is not None:
        dataset = sources.load_csv(path, name=path.name)
    else:
        dataset = sources.twin_dataset()
    return dataset.frame, dataset.fingerprint, dataset.report.name


def format_tables(suite: TrainedSuite | SuiteTables) -> str:
    """The regression and classification tables as the report prints them, plus the honest columns."""
    parts = []
    pd_options = ("display.width", 200, "display.max_columns", 30, "display.float_format", "{:.4f}".format)
    with pd.option_context(*pd_options):
        reg = suite.regression_table
        if len(reg):
            cols = [c for c in ("MSE", "MAE", "R2 Score", "RMSE", "cv_R2_mean", "cv_R2_sd", "fit_s") if c in reg]
            parts.append("Regression (test split)\n" + reg[cols].to_string())
        cls = suite.classification_table
        if len(cls):
            report_cols = list(metrics.REPORT_CLASSIFICATION_METRICS)
            honest = [c for c in ("roc_auc", "pr_auc", "balanced_accuracy", "mcc", "minority_recall",
                                  "best_threshold", "minority_f1_best", "cv_pr_auc_mean", "fit_s") if c in cls]
            parts.append("Classification — the report's metrics\n" + cls[report_cols].to_string())
            parts.append("Classification — metrics that see the popular minority\n" + cls[honest].to_string())
        failed = {n: e for t in (reg, cls) if len(t) for n, e in t.loc[t["status"] != STATUS_OK, "error"].items()}
        if failed:
            parts.append("Failed:\n" + "\n".join(f"  {name}: {error}" for name, error in failed.items()))
    return "\n\n".join(parts)
