"""Run the benchmarks, ember's and PyTorch's rounds alternating (each library in a process of
its own), and print one table of median times, their ratio (ember / torch, lower is better)
and the lowest and highest ratio of paired rounds, against each target; write it to
bench/results/latest.json, latest.md and latest.png.

Where the environment sets OPENBLAS_CORETYPE or OPENBLAS_L2_SIZE, the suite runs a second
time in a fresh interpreter without them, for the table's last column (Note [OpenBLAS
variables] in bench/suite.py).

Usage: python -m bench [NAME ...] [--repeats N] [--seconds S] [--script-repeats N]
                       [--out FOLDER]
       (NAME: a benchmark's key or its start, e.g. ``python -m bench mlp transformer``)
"""

import argparse
import datetime
import json
import os
import sys
from pathlib import Path

from bench import report, suite


def _parse_arguments(argv):
    parser = argparse.ArgumentParser(prog="python -m bench",
                                     description=__doc__.split("\n\n")[0])
    keys = ", ".join(benchmark.KEY for benchmark in suite.BENCHMARKS)
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"benchmarks to run, by key or its start (default: all): {keys}")
    parser.add_argument("--repeats", type=int, default=7, help="timed rounds per framework")
    parser.add_argument("--seconds", type=float, default=0.2, help="length of one round")
    parser.add_argument("--script-repeats", type=int, default=1,
                        help="whole runs per framework of the script benchmarks (main_job)")
    parser.add_argument("--out", type=Path, default=report.RESULTS,
                        help="folder for latest.json, latest.md and latest.png")
    # the second run of Note [OpenBLAS variables]: rows to this file, no report, no rerun
    parser.add_argument("--rows-json", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        args.benchmarks = suite.select(args.names)
    except ValueError as error:
        parser.error(str(error))
    return args


def _run_all(args) -> list[dict]:
    rows = []
    for number, benchmark in enumerate(args.benchmarks, 1):
        row = suite.run(benchmark, args.repeats, args.seconds, args.script_repeats)
        outcome = row["note"] or (f"ember {report.format_duration(row['ember_seconds'])}, "
                                  f"torch {report.format_duration(row['torch_seconds'])}, "
                                  f"ratio {row['ratio']:.2f} (target {row['target']:.2f})")
        print(f"[{number}/{len(args.benchmarks)}] {benchmark.NAME}: {outcome}", flush=True)
        rows.append(row)
    return rows


def main(argv=None) -> int:
    """Run the suite; the exit status is 1 when a benchmark failed."""
    args = _parse_arguments(argv)
    load_at_start = os.getloadavg()[0]
    rows = _run_all(args)
    if args.rows_json:
        args.rows_json.write_text(json.dumps({"blas_kernel": suite.blas_kernel(),
                                              "rows": rows}))
        return 0
    results = {"created": datetime.datetime.now(datetime.timezone.utc).isoformat(
                   timespec="seconds"),
               "machine": report.machine(), "repeats": args.repeats, "seconds": args.seconds,
               "script_repeats": args.script_repeats,
               "load_average": [load_at_start, os.getloadavg()[0]],
               "openblas_variables": suite.openblas_variables(),
               "blas_kernel": suite.blas_kernel(), "blas_kernel_unset": None, "rows": rows}
    if results["openblas_variables"]:
        print(f"Again without {', '.join(results['openblas_variables'])}:", flush=True)
        unset = suite.run_without_openblas_variables(
            [benchmark.KEY for benchmark in args.benchmarks], args.repeats, args.seconds,
            args.script_repeats)
        results["blas_kernel_unset"] = unset["blas_kernel"]
        suite.merge_unset_ratios(rows, unset["rows"])
    print()
    print(report.text_table(results))
    for path in report.write(results, args.out):
        print(f"wrote {path}")
    return int(any((row["note"] or "").startswith("failed") for row in rows))


if __name__ == "__main__":
    sys.exit(main())
