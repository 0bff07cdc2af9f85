"""The benchmark list, selection by name, and the timing.

A benchmark is a module (or namespace) with ``KEY`` (its name on the command line),
``NAME`` (its line in the table) and ``TARGET`` (the highest acceptable ember / torch time
ratio), and one of two ways to be timed:

- ``make_step(lib)`` and ``OPS_PER_STEP``: the step runs in a process per library (Note
  [One process per library] in bench/rounds.py), ember's and torch's rounds alternating;
  a time is seconds per op.
- ``run_once(library)``: one whole run, e.g. of a script in a subprocess; these are slow,
  so they run ``--script-repeats`` times per library (1 by default), not ``--repeats``; a
  time is seconds per run.

An optional ``skip_reason()`` returns why the benchmark cannot run here (or None).
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from threadpoolctl import threadpool_info

from bench import (
    autograd_overhead,
    cnn_step,
    dataloader_throughput,
    lstm_step,
    main_job,
    mlp_step,
    per_op_overhead,
    transformer_step,
)
from bench.rounds import Rounds

BENCHMARKS = [per_op_overhead, autograd_overhead, mlp_step.SGD_MOMENTUM, mlp_step.ADAM,
              cnn_step, lstm_step, transformer_step, dataloader_throughput.WORKERS_0,
              dataloader_throughput.WORKERS_2, main_job]

LIBRARIES = ("ember", "torch")

# Note [OpenBLAS variables]: the machines this suite runs on may set these two, which pick a
# slower matrix-product kernel for NumPy's OpenBLAS (it reads them once, when it loads).
# ember leaves them alone; the suite reports its figures as the environment stands and, in a
# second column, from a fresh interpreter started without them.
OPENBLAS_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")

REPOSITORY = Path(__file__).resolve().parent.parent


def select(names: list[str]) -> list:
    """The benchmarks whose key starts with one of ``names`` (all of them for none), in the
    suite's order: ``["mlp"]`` picks both MLP steps."""
    if not names:
        return list(BENCHMARKS)
    unknown = [name for name in names
               if not any(benchmark.KEY.startswith(name) for benchmark in BENCHMARKS)]
    if unknown:
        known = ", ".join(benchmark.KEY for benchmark in BENCHMARKS)
        raise ValueError(f"no benchmark named {', '.join(unknown)} (known: {known})")
    return [benchmark for benchmark in BENCHMARKS
            if any(benchmark.KEY.startswith(name) for name in names)]


def _times(benchmark, repeats: int, seconds: float,
           script_repeats: int) -> dict[str, list[float]]:
    """Each library's times, round by round, the libraries alternating so that a slow spell
    of a shared machine falls on both."""
    times = {name: [] for name in LIBRARIES}
    if hasattr(benchmark, "run_once"):
        for _ in range(script_repeats):
            for name in LIBRARIES:
                times[name].append(benchmark.run_once(name))
    else:
        with Rounds(benchmark, LIBRARIES) as rounds:
            for _ in range(repeats):
                for name in LIBRARIES:
                    times[name].append(rounds.time(name, seconds))
    return times


def run(benchmark, repeats: int, seconds: float, script_repeats: int = 1) -> dict:
    """One row of the table. A benchmark that is skipped or fails gets no times and a note
    saying why, so that the rest of a long suite still reports.

    Besides the ratio of the medians, ``round_ratios`` is the lowest and highest ratio of
    an ember round to the PyTorch round after it: how far a slow spell of the machine, which
    lasts seconds and so falls on both rounds of a pair, moved the ratio."""
    row = {"key": benchmark.KEY, "benchmark": benchmark.NAME, "target": benchmark.TARGET,
           "ember_seconds": None, "torch_seconds": None, "ratio": None, "round_ratios": None,
           "note": None}
    skip_reason = getattr(benchmark, "skip_reason", None)
    row["note"] = skip_reason() if skip_reason else None
    if row["note"]:
        return row
    try:
        times = _times(benchmark, repeats, seconds, script_repeats)
    except Exception as error:  # reported in the table; the exit status says it failed
        row["note"] = f"failed: {type(error).__name__}: {error}"
        return row
    ember, torch = statistics.median(times["ember"]), statistics.median(times["torch"])
    paired = [mine / theirs for mine, theirs in zip(times["ember"], times["torch"])]
    row.update(ember_seconds=ember, torch_seconds=torch, ratio=ember / torch,
               round_ratios=[min(paired), max(paired)])
    return row


def blas_kernel() -> str:
    """The kernel NumPy's BLAS runs and its threads, as threadpoolctl reports them, e.g.
    "openblas 0.3.31 SkylakeX, 2 threads"."""
    kernels = [f"{info['internal_api']} {info['version']} {info['architecture']}, "
               f"{info['num_threads']} threads"
               for info in threadpool_info() if info.get("architecture")]
    return ", ".join(kernels) or "unknown"


def openblas_variables() -> dict[str, str]:
    """The OpenBLAS variables of Note [OpenBLAS variables] that this environment sets."""
    return {name: os.environ[name] for name in OPENBLAS_VARIABLES if name in os.environ}


def run_without_openblas_variables(keys: list[str], repeats: int, seconds: float,
                                   script_repeats: int) -> dict:
    """The suite's rows from a fresh ``python -m bench`` whose environment lacks the
    variables of Note [OpenBLAS variables]: ``{"blas_kernel": ..., "rows": [...]}``."""
    environment = {name: value for name, value in os.environ.items()
                   if name not in OPENBLAS_VARIABLES}
    with tempfile.TemporaryDirectory(prefix="bench-") as folder:
        rows_path = Path(folder) / "rows.json"
        command = [sys.executable, "-m", "bench", *keys, "--repeats", str(repeats),
                   "--seconds", str(seconds), "--script-repeats", str(script_repeats),
                   "--rows-json", str(rows_path)]
        subprocess.run(command, env=environment, cwd=REPOSITORY, check=True)
        return json.loads(rows_path.read_text())


def merge_unset_ratios(rows: list[dict], unset_rows: list[dict]) -> None:
    """Give each row ``ratio_openblas_unset``, the ratio of the same benchmark in the run
    without the OpenBLAS variables (None where that run has none)."""
    unset_ratios = {row["key"]: row["ratio"] for row in unset_rows}
    for row in rows:
        row["ratio_openblas_unset"] = unset_ratios.get(row["key"])
