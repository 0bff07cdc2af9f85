"""examples/train_mnist.py: its command line, a short run's checkpoint and plot, and the same
training losses under ember as under real PyTorch."""

import importlib.util
import pathlib
import subprocess
import sys

import numpy as np
import pytest
import torch

import ember

EXAMPLES = pathlib.Path(__file__).parents[2] / "examples"
SCRIPT = EXAMPLES / "train_mnist.py"
# One epoch over a slice of the data: a few steps, enough to compare and to check the outputs.
SHORT_RUN = ["--epochs", "1", "--limit", "192", "--batch-size", "32", "--seed", "3"]


def load_script(use_torch: bool):
    """A fresh copy of the script as a module; it picks its library from ``sys.argv`` when
    imported, as it does when run."""
    name = "train_mnist_torch" if use_torch else "train_mnist_ember"
    spec = importlib.util.spec_from_file_location(name, SCRIPT)
    module = importlib.util.module_from_spec(spec)
    saved_argv, saved_path = sys.argv, sys.path[:]
    sys.argv = [str(SCRIPT)] + (["--torch"] if use_torch else [])
    sys.path.insert(0, str(EXAMPLES))  # where the script finds mnist_data, as when it runs
    try:
        spec.loader.exec_module(module)
    finally:
        sys.argv, sys.path[:] = saved_argv, saved_path
    return module


@pytest.fixture(scope="module")
def scripts():
    return {"ember": load_script(use_torch=False), "torch": load_script(use_torch=True)}


@pytest.fixture(scope="module")
def short_runs(scripts, tmp_path_factory):
    """(history, output folder) of the short run under each library."""
    runs = {}
    for library, script in scripts.items():
        out = tmp_path_factory.mktemp(library)
        runs[library] = script.main(SHORT_RUN + ["--out", str(out)]), out
    return runs


def test_help_describes_the_options():
    result = subprocess.run([sys.executable, str(SCRIPT), "--help"], capture_output=True,
                            text=True, check=True, timeout=60)
    for option in ("--epochs", "--batch-size", "--lr", "--out", "--seed", "--torch"):
        assert option in result.stdout


def test_picks_the_library_from_the_command_line(scripts):
    assert scripts["ember"].torch is ember
    assert scripts["torch"].torch is torch


def test_training_losses_equal_torchs(short_runs):
    ember_history, torch_history = short_runs["ember"][0], short_runs["torch"][0]
    assert len(ember_history["step_losses"]) == 192 // 32
    np.testing.assert_allclose(ember_history["step_losses"], torch_history["step_losses"],
                               rtol=1e-5)
    assert ember_history["accuracies"] == torch_history["accuracies"]


def test_same_seed_same_numbers(scripts, short_runs, tmp_path):
    assert scripts["ember"].main(SHORT_RUN + ["--out", str(tmp_path)]) == short_runs["ember"][0]


@pytest.mark.parametrize("library", ["ember", "torch"])
def test_checkpoint_loads_in_both_libraries(scripts, short_runs, library):
    history, out = short_runs[library]
    for loader in (ember, torch):
        checkpoint = loader.load(out / "model.pt")
        assert checkpoint["epochs"] == 1
        assert checkpoint["history"] == history
        assert "state" in checkpoint["optimizer"]
    # The weights trained by one library drive the other library's network.
    other = "torch" if library == "ember" else "ember"
    model = scripts[other].Net()
    model.load_state_dict(scripts[other].torch.load(out / "model.pt")["model"])
    trained = scripts[library].Net()
    trained.load_state_dict(scripts[library].torch.load(out / "model.pt")["model"])
    images = np.random.default_rng(0).standard_normal((2, 1, 28, 28), dtype=np.float32)
    np.testing.assert_allclose(model(scripts[other].torch.from_numpy(images)).detach().numpy(),
                               trained(scripts[library].torch.from_numpy(images)).detach()
                               .numpy(), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("library", ["ember", "torch"])
def test_plot_is_a_png(short_runs, library):
    with open(short_runs[library][1] / "curves.png", "rb") as plot:
        assert plot.read(8) == b"\x89PNG\r\n\x1a\n"
