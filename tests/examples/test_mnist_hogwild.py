"""examples/mnist_hogwild.py: a short run in a subprocess, whose training processes improve
the model the parent holds in shared memory."""

import pathlib
import re
import subprocess
import sys

SCRIPT = pathlib.Path(__file__).parents[2] / "examples" / "mnist_hogwild.py"
# 1,000 training images in steps of 16: about 60 updates from each of the two processes.
SHORT_RUN = ["--num-processes", "2", "--epochs", "1", "--limit", "1000", "--batch-size", "16",
             "--log-interval", "20", "--seed", "1"]


def test_processes_train_the_shared_model():
    run = subprocess.run([sys.executable, str(SCRIPT), *SHORT_RUN], capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    before = re.search(r"Before training: test loss ([\d.]+), accuracy ([\d.]+)%", run.stdout)
    after = re.search(r"Test set: average loss ([\d.]+), accuracy (\d+)/1000 \(([\d.]+)%\)",
                      run.stdout)
    assert before and after, run.stdout
    # the parent never trained: only the processes' updates to the shared parameters count
    assert float(after[1]) < float(before[1]) - 0.5
    assert float(after[3]) > 50.0  # chance is 10%
    for rank in (0, 1):
        progress = re.findall(rf"process {rank} \(pid \d+\)\tepoch 1 \[(\d+)/1000", run.stdout)
        assert progress == ["0", "320", "640", "960"]
