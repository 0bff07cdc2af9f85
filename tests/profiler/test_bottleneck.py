"""``python -m ember.utils.bottleneck``: runs a script under cProfile and ember.profiler."""

import re
import subprocess
import sys
import textwrap

import pytest

# Matrix products dominate this training loop: its most expensive op is addmm or mm. The batch is
# four times the layer's width so that the products outweigh the one-off uniform_ initialisation
# many times over, even when parallel test workers slow the products down.
_TRAINING = """
    import {library} as torch
    import {library}.nn as nn

    torch.manual_seed(0)
    model = nn.Linear(384, 384)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    x = torch.linspace(-1, 1, 1536 * 384).reshape(1536, 384)
    for step in range(20):
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(x), x)
        loss.backward()
        optimizer.step()
    print("final loss", round(loss.item(), 4))
"""


def _bottleneck(tmp_path, source, *args):
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent(source))
    return subprocess.run([sys.executable, "-m", "ember.utils.bottleneck", str(script), *args],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("library", ["ember", "torch"])  # torch: through ember's alias
def test_training_script(tmp_path, library):
    result = _bottleneck(tmp_path, _TRAINING.format(library=library))
    assert result.returncode == 0, result.stderr
    output = result.stdout
    assert "ember 0.1.0, Python 3." in output and "NumPy" in output and "BLAS:" in output
    assert "CUDA available: False" in output
    assert output.count("final loss") == 2  # once under each profiler
    assert "Ordered by: cumulative time" in output
    assert "script.py" in output  # cProfile lists the script's own frames
    most_expensive = re.search(r"Most expensive op: (\S+) \((\d+) calls", output)
    assert most_expensive.group(1) in ("aten::addmm", "aten::mm")
    table = output[output.index("top ops by self CPU time"):]
    first_row = table.splitlines()[5].split()
    assert first_row[0] == most_expensive.group(1)


def test_arguments_reach_the_script(tmp_path):
    result = _bottleneck(tmp_path, "import sys\nprint('args', sys.argv[1:])\n", "-x", "7")
    assert result.returncode == 0, result.stderr
    assert "args ['-x', '7']" in result.stdout


def test_failing_script(tmp_path):
    result = _bottleneck(tmp_path, """
        import ember
        ember.ones(2) + ember.ones(3)
    """)
    assert result.returncode == 1
    traceback = result.stderr.splitlines()
    assert traceback[0] == "Traceback (most recent call last):"
    assert "script.py" in traceback[1]  # the script's frames first, not the runner's
    assert "The size of tensor a (2) must match the size of tensor b (3)" in result.stderr
    assert "top ops" not in result.stdout


def test_script_exit_status(tmp_path):
    result = _bottleneck(tmp_path, "import sys\nsys.exit(3)\n")
    assert result.returncode == 3
    assert "exited with status 3" in result.stderr
