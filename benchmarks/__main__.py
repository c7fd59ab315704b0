"""`python3 -m benchmarks [--quick] [--only AREA …]`: the performance budget, one PASS/FAIL line per figure."""
from __future__ import annotations

import argparse
import sys

import benchmarks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller, faster measurements")
    parser.add_argument("--only", nargs="*", choices=benchmarks.AREAS, metavar="AREA",
                        help=f"areas to run (default: all): {' '.join(benchmarks.AREAS)}")
    args = parser.parse_args(argv)
    results = benchmarks.run(tuple(args.only) if args.only else benchmarks.AREAS, quick=args.quick)
    return 1 if any(m.passed is False for m in results) else 0


if __name__ == "__main__":
    sys.exit(main())
