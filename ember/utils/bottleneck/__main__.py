"""The bottleneck command: environment, cProfile's top functions, the profiler's top ops."""

from __future__ import annotations

import argparse
import cProfile
import os
import platform
import pstats
import sys
import traceback
from collections.abc import Sequence

import numpy

import ember
from ember.run import run_script

_RULE = "-" * 80
_TOP_ROWS = 15


def _section(title: str) -> str:
    return f"{_RULE}\n  {title}\n{_RULE}"


def _blas() -> str:
    blas = numpy.show_config(mode="dicts")["Build Dependencies"]["blas"]
    return f"{blas['name']} {blas.get('version', '')}".strip()


def _blas_threads() -> str:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:  # an optional dependency: without it the count is unknown
        return "unknown (install threadpoolctl to see it)"
    counts = {pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"}
    return ", ".join(str(count) for count in sorted(counts)) or "unknown"


def environment_summary() -> str:
    lines = [f"ember {ember.__version__}, Python {platform.python_version()}, "
             f"NumPy {numpy.__version__}",
             f"BLAS: {_blas()}, threads: {_blas_threads()}, CPU cores: {os.cpu_count()}",
             f"CUDA available: {ember.cuda.is_available()}"]
    return "\n".join(lines)


def _run(script: str, args: Sequence[str]) -> int | None:
    """Run the script; None when it finished, else the exit code to report its failure."""
    try:
        run_script(script, args)
    except SystemExit as exit_request:
        code = exit_request.code
        if code in (None, 0):
            return None
        print(f"The script exited with status {code}.", file=sys.stderr)
        return code if isinstance(code, int) else 1
    except BaseException as error:  # the script's own error: show it, as python would
        traceback.print_exception(type(error), error, _from_script(error.__traceback__, script))
        return 1
    return None


def _from_script(frames, script: str):
    """The traceback from the script's first frame on: the runner's frames say nothing."""
    path = os.path.abspath(script)
    first = frames
    while first is not None and first.tb_frame.f_code.co_filename != path:
        first = first.tb_next
    return first or frames


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ember.utils.bottleneck",
        description="Run a script once under cProfile and once under ember.profiler and "
                    "summarize where its time goes.")
    parser.add_argument("script", help="the script to profile")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="arguments for the script")
    options = parser.parse_args(argv)
    print(_section("Environment Summary"))
    print(environment_summary(), flush=True)

    print(f"\nRunning {options.script} under cProfile...", flush=True)
    python_profiler = cProfile.Profile()
    python_profiler.enable()
    failure = _run(options.script, options.args)
    python_profiler.disable()
    if failure is not None:
        return failure

    print(f"Running {options.script} under ember.profiler...", flush=True)
    with ember.profiler.profile() as op_profiler:
        failure = _run(options.script, options.args)
    if failure is not None:
        return failure

    print("\n" + _section("cProfile: top functions by cumulative time"))
    pstats.Stats(python_profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(
        _TOP_ROWS)
    print(_section("ember.profiler: top ops by self CPU time"))
    averages = op_profiler.key_averages()
    print(averages.table(sort_by="self_cpu_time_total", row_limit=_TOP_ROWS))
    if averages:
        top = max(averages, key=lambda average: average.self_cpu_time_total)
        print(f"Most expensive op: {top.key} ({top.count} calls, self CPU time "
              f"{top.self_cpu_time_total / 1000:.3f}ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
