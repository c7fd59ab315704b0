"""Command line: `python -m core twin|train|jobs|score|report …` for headless use (benchmarks: `python -m benchmarks`)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core.models.config import BINNING_TOP1, BINNINGS, CLI_SUITES


def _twin(args: argparse.Namespace) -> int:
    from core.twin import generate_twin

    from core import safe_csv

    frame = generate_twin(n_rows=args.rows, seed=args.seed)
    safe_csv.write_csv(frame, args.out)
    print(f"wrote {len(frame):,} rows × {frame.shape[1]} columns to {args.out}")
    return 0


def _train(args: argparse.Namespace) -> int:
    from core.models.cli import main_train

    return main_train(args)


def _jobs(args: argparse.Namespace) -> int:
    from core.models.cli import main_jobs

    return main_jobs(args)


def _score(args: argparse.Namespace) -> int:
    from core.whatif.batch import main_score

    return main_score(args)


def _report(args: argparse.Namespace) -> int:
    from core.report.build import main_report

    if args.train:  # exactly `python -m core train` with these options, then the report of what it stored
        train_argv = ["train", *(["--data", str(args.data)] if args.data else []),
                      *(["--store", str(args.store)] if args.store else []),
                      *(["--max-rows", str(args.max_rows)] if args.max_rows else []),
                      *(["--no-ann"] if args.no_ann else [])]
        train_args = build_parser().parse_args(train_argv)
        code = train_args.func(train_args)
        if code:
            return code
    return main_report(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m core", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    twin = sub.add_parser("twin", help="write the twin of the report's dataset as CSV")
    twin.add_argument("--out", type=Path, required=True)
    twin.add_argument("--rows", type=int, default=130_663)
    twin.add_argument("--seed", type=int, default=2019)
    twin.set_defaults(func=_twin)

    train = sub.add_parser("train", help="train the model suites and fill the store the app loads from")
    train.add_argument("--data", type=Path, help="CSV to train on (default: the twin)")
    train.add_argument("--suite", choices=list(CLI_SUITES), default="all")
    train.add_argument("--cv", type=int, default=0, help="k-fold cross-validation folds (0 = off)")
    train.add_argument("--grouped", action="store_true", help="split by artist instead of at random")
    train.add_argument("--extras", action="store_true", help="also train the opt-in costly models")
    train.add_argument("--no-ann", action="store_true", help="skip the Keras networks")
    train.add_argument("--max-rows", type=int, help="train on a random sample of this many rows")
    train.add_argument("--binning", choices=list(BINNINGS), default=BINNING_TOP1,
                       help="classification target: popularity ≥ the 99th percentile (the report's), or 2 / 3 "
                            "quantile bins of popularity (the report's variants)")
    train.add_argument("--store", type=Path, help="store folder (default: $SPOTIFY_STORE or .store)")
    train.add_argument("--scheduler", help="run on this Dask scheduler, e.g. tcp://10.0.0.5:8786 (default: "
                                           "$SPOTIFY_DASK_SCHEDULER, else an embedded cluster, one worker per core)")
    train.set_defaults(func=_train)

    jobs = sub.add_parser("jobs", help="list the training jobs in the store (status, progress), or cancel one")
    jobs.add_argument("--store", type=Path, help="store folder (default: $SPOTIFY_STORE or .store)")
    jobs.add_argument("--cancel", metavar="JOB_ID", help="ask this running job to stop (it stores nothing)")
    jobs.set_defaults(func=_jobs)

    score = sub.add_parser("score", help="score a CSV of songs with every model of the stored suite")
    score.add_argument("input", type=Path)
    score.add_argument("--out", type=Path, required=True)
    score.add_argument("--store", type=Path, help="store folder (default: $SPOTIFY_STORE or .store)")
    score.set_defaults(func=_score)

    report = sub.add_parser("report", help="write the report (self-contained HTML) for the data and its stored suite")
    report.add_argument("--data", type=Path, help="CSV the report describes (default: the twin)")
    report.add_argument("--out", type=Path, required=True, help="the HTML file to write")
    report.add_argument("--train", action="store_true",
                        help="first train the default suite on this data (as `python -m core train` does)")
    report.add_argument("--max-rows", type=int, help="with --train: train on a random sample of this many rows")
    report.add_argument("--no-ann", action="store_true", help="with --train: skip the Keras networks")
    report.add_argument("--store", type=Path, help="store folder (default: $SPOTIFY_STORE or .store)")
    report.set_defaults(func=_report)

    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
