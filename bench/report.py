"""The suite's results as a terminal table, JSON, a Markdown table for the README and a bar
chart of the ratios.

A report is a dict: ``created``, ``machine`` (see :func:`machine`), ``repeats``,
``seconds``, ``script_repeats``, ``load_average`` (the system's 1-minute load average at the
start and the end of the first run), ``openblas_variables`` (those set, name to value),
``blas_kernel`` (as the environment stands), ``blas_kernel_unset`` (with the OpenBLAS
variables unset; None when they were not set, so the suite ran once) and ``rows`` (see
``bench.suite.run``; with a second run each row also has ``ratio_openblas_unset``).
"""

import json
import os
import platform
import textwrap
from pathlib import Path

import numpy as np
import torch

RESULTS = Path(__file__).resolve().parent / "results"


def machine() -> dict:
    """CPU model, core count, the versions that the figures depend on and PyTorch's thread
    count (NumPy's BLAS threads are in the BLAS kernel line)."""
    cpu_model = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.partition(":")[2].strip()
                break
    return {"cpu": cpu_model, "cores": len(os.sched_getaffinity(0)),
            "python": platform.python_version(), "numpy": np.__version__,
            "torch": torch.__version__.split("+")[0], "torch_threads": torch.get_num_threads(),
            "platform": platform.platform()}


def format_duration(seconds: float | None) -> str:
    """``seconds`` in the unit that reads best: "2.10 us", "72.7 ms", "612 s"."""
    if seconds is None:
        return "-"
    if seconds >= 1:
        unit, value = "s", seconds
    elif seconds >= 1e-3:
        unit, value = "ms", seconds * 1e3
    else:
        unit, value = "us", seconds * 1e6
    decimals = 0 if value >= 100 else 1 if value >= 10 else 2
    return f"{value:.{decimals}f} {unit}"


def _format_ratio(ratio: float | None) -> str:
    return "-" if ratio is None else f"{ratio:.2f}"


def _format_range(ratios: list[float] | None) -> str:
    return "-" if ratios is None else f"{ratios[0]:.2f}–{ratios[1]:.2f}"


def _two_runs(report: dict) -> bool:
    return report["blas_kernel_unset"] is not None


def _header(report: dict) -> list[str]:
    columns = ["benchmark", "ember median", "torch median", "ratio", "paired rounds",
               "target"]
    if _two_runs(report):
        columns.append("ratio, OpenBLAS vars unset")
    return columns


def _cells(report: dict, row: dict) -> list[str]:
    # a failure's note may hold the last lines of a script's error output: one line here
    name = row["benchmark"] + (f" ({' '.join(row['note'].split())})" if row["note"] else "")
    cells = [name, format_duration(row["ember_seconds"]), format_duration(row["torch_seconds"]),
             _format_ratio(row["ratio"]), _format_range(row["round_ratios"]),
             f"{row['target']:.2f}"]
    if _two_runs(report):
        cells.append(_format_ratio(row.get("ratio_openblas_unset")))
    return cells


def _table(report: dict) -> list[list[str]]:
    """The header and one line of cells per row."""
    return [_header(report)] + [_cells(report, row) for row in report["rows"]]


def _missed_targets(report: dict) -> list[str]:
    missed = []
    for row in report["rows"]:
        ratios = [row["ratio"]]
        if _two_runs(report):
            ratios.append(row.get("ratio_openblas_unset"))
        if any(ratio is not None and ratio > row["target"] for ratio in ratios):
            shown = " / ".join(_format_ratio(ratio) for ratio in ratios)
            missed.append(f"{row['benchmark']}: {shown} > {row['target']:.2f}")
    return missed


def _description(report: dict) -> list[str]:
    """What the figures mean and where they come from, as sentences."""
    about, script_runs = report["machine"], report["script_repeats"]
    lines = [
        f"Measured by `python -m bench` on {report['created'][:10]}: {about['cpu']}, "
        f"{about['cores']} cores, Python {about['python']}, NumPy {about['numpy']}, "
        f"PyTorch {about['torch']} ({about['torch_threads']} threads). Medians of "
        f"{report['repeats']} rounds of about {report['seconds']} s (scripts: {script_runs} "
        f"run{'s' * (script_runs != 1)} each), ember and PyTorch alternating; times are per op "
        "for the overhead rows, per step or batch otherwise; ratio = ember time / PyTorch "
        "time, lower is better; paired rounds: the lowest and highest ratio of an ember round "
        "to the PyTorch round after it."
    ]
    start, end = report["load_average"]
    lines.append(f"Load average {start:.1f} at the start, {end:.1f} at the end (on "
                 f"{about['cores']} cores: more means other work competed for the CPUs).")
    variables = report["openblas_variables"]
    if variables:
        settings = ", ".join(f"{name}={value}" for name, value in variables.items())
        lines.append(f"BLAS kernel: {report['blas_kernel']} with {settings} from the "
                     f"environment; {report['blas_kernel_unset']} in the last column's run, "
                     "without them.")
    else:
        lines.append(f"BLAS kernel: {report['blas_kernel']}; OPENBLAS_CORETYPE and "
                     "OPENBLAS_L2_SIZE are not set, so the suite ran once.")
    return lines


def text_table(report: dict) -> str:
    """The table for a terminal: aligned columns, the description and missed targets."""
    table = _table(report)
    widths = [max(len(line[column]) for line in table) for column in range(len(table[0]))]
    lines = ["  ".join(cell.ljust(width) if column == 0 else cell.rjust(width)
                       for column, (cell, width) in enumerate(zip(line, widths)))
             for line in table]
    lines.insert(1, "-" * len(lines[0]))
    lines += ["", *_description(report)]
    missed = _missed_targets(report)
    if missed:
        lines += ["Targets missed:", *(f"  {line}" for line in missed)]
    return "\n".join(lines)


def markdown(report: dict) -> str:
    """The description and a Markdown table, ready to paste into the README."""
    header, *table = _table(report)
    lines = [" ".join(_description(report)), "", "| " + " | ".join(header) + " |",
             "| --- " * len(header) + "|"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"
              for cells in table]
    missed = _missed_targets(report)
    if missed:
        lines += ["", "Targets missed: " + "; ".join(missed) + "."]
    return "\n".join(lines) + "\n"


def bar_chart(report: dict, path: Path) -> None:
    """A PNG of horizontal bars, one per benchmark and run, with each target marked."""
    from matplotlib.figure import Figure  # no pyplot: no global figure state, no GUI backend

    rows = report["rows"]
    runs = [("ratio", f"ratio ({report['blas_kernel']})")]
    if _two_runs(report):
        runs.append(("ratio_openblas_unset",
                     f"ratio, OpenBLAS vars unset ({report['blas_kernel_unset']})"))
    figure = Figure(figsize=(10, 0.6 * len(rows) + 1.6), layout="constrained")
    axes = figure.add_subplot()
    positions = np.arange(len(rows))[::-1]  # first benchmark on top
    bar_height = 0.8 / len(runs)
    for index, (field, label) in enumerate(runs):
        ratios = [row.get(field) or 0.0 for row in rows]
        offsets = positions + (len(runs) - 1) / 2 * bar_height - index * bar_height
        bars = axes.barh(offsets, ratios, height=bar_height, label=label)
        axes.bar_label(bars, [_format_ratio(row.get(field)) if row.get(field) else ""
                              for row in rows], padding=2, fontsize=7)
    axes.scatter([row["target"] for row in rows], positions, marker="|", s=600,
                 color="red", zorder=3, label="target")
    for position, row in zip(positions, rows):
        if row["ratio"] is None:
            axes.text(0.02, position, row["note"], va="center", fontsize=8)
    axes.axvline(1.0, color="gray", linestyle=":", linewidth=1)
    axes.set_yticks(positions, [textwrap.fill(row["benchmark"], 45) for row in rows],
                    fontsize=8)
    axes.set_xlabel("ember time / PyTorch time (lower is better)")
    axes.set_title(f"ember vs PyTorch, {report['created'][:10]}, {report['machine']['cpu']}, "
                   f"{report['machine']['cores']} cores")
    figure.legend(loc="outside lower center", ncols=len(runs) + 1, fontsize=8)
    figure.savefig(path, dpi=100)


def write(report: dict, folder: Path = RESULTS) -> list[Path]:
    """latest.json, latest.md and latest.png in ``folder``; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / "latest.json", folder / "latest.md", folder / "latest.png"]
    paths[0].write_text(json.dumps(report, indent=2) + "\n")
    paths[1].write_text(markdown(report))
    bar_chart(report, paths[2])
    return paths
