"""The main job end to end: ``examples/train_mnist.py`` run as a subprocess with its default
options, once under ember and once under PyTorch (``--torch``), timed by wall clock from
start to exit: interpreter start-up, imports, data loading, training and writing its outputs
(to a temporary folder). A run takes seconds on a quiet machine and minutes under load, so by
default each library runs once (``--script-repeats``)."""

import subprocess
import sys
import tempfile
import time
from pathlib import Path

KEY = "main_job"
NAME = "main job end to end (examples/train_mnist.py, wall time)"
TARGET = 1.5

REPOSITORY = Path(__file__).resolve().parent.parent
SCRIPT = REPOSITORY / "examples" / "train_mnist.py"


def skip_reason() -> str | None:
    """Why this benchmark cannot run here, or None."""
    if not SCRIPT.exists():
        return f"skipped: {SCRIPT.relative_to(REPOSITORY)} does not exist yet"
    return None


def run_once(library: str) -> float:
    """Seconds for one whole run of the script under ``library`` ("ember" or "torch")."""
    with tempfile.TemporaryDirectory(prefix="bench-main-job-") as out:
        command = [sys.executable, str(SCRIPT), "--seed", "0", "--out", out]
        if library == "torch":
            command.append("--torch")
        start = time.perf_counter()
        finished = subprocess.run(command, cwd=REPOSITORY, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
    if finished.returncode:
        last_lines = "\n".join(finished.stderr.strip().splitlines()[-5:])
        raise RuntimeError(f"{SCRIPT.name} under {library} exited with "
                           f"{finished.returncode}:\n{last_lines}")
    return elapsed
