"""``ember script.py``: unmodified PyTorch scripts print what they print under real torch.

Each script in ``scripts/`` runs under real torch (in a fork of one process that imported torch,
see ``torch_reference.py``: torch's import costs seconds) and as ``python -m ember.run script``.
All processes start together in one module fixture, so the file costs about as much as its
slowest run.
"""

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import ember
from ember import _torch_alias
from ember.run import main, run_script, torch_alias

HERE = Path(__file__).parent
SCRIPTS = HERE / "scripts"
# script name -> its arguments
MATCHING_SCRIPTS = {"tensors": [], "autograd_basics": [], "nn_training": [],
                    "optim_scheduler": [], "data_loading": [], "save_load": ["first", "--second"]}
EMBER_COMMAND = os.path.join(os.path.dirname(sys.executable), "ember")

MISSING_NAMES = textwrap.dedent("""\
    import torch
    import torch.nn.functional as F

    print(hasattr(torch, "nosuch"), getattr(F, "nosuch", "default"))
    try:
        import torch.distributed
    except ModuleNotFoundError as error:
        print(error)
    try:
        F.nosuch
    except AttributeError as error:
        print(error)


    def use():
        return torch.nosuch(1)


    use()
""")

INTERRUPTED = textwrap.dedent("""\
    import atexit

    atexit.register(print, "atexit handlers run first")


    def wait():
        raise KeyboardInterrupt


    wait()
""")

ALONE = textwrap.dedent("""\
    import sys

    import ember

    print("torch" in sys.modules, "__getattr__" in vars(ember))
    print(any("Alias" in type(finder).__name__ for finder in sys.meta_path))
    try:
        ember.nosuch
    except AttributeError as error:
        print(error)
""")


def _ember_commands(tmp_folder):
    """name -> (argv, cwd) of every subprocess run under ember, plus real-python references."""
    (tmp_folder / "missing_names.py").write_text(MISSING_NAMES)
    (tmp_folder / "alone.py").write_text(ALONE)
    (tmp_folder / "interrupted.py").write_text(INTERRUPTED)
    python, runner = [sys.executable], [sys.executable, "-m", "ember.run"]
    commands = {name: (runner + [str(SCRIPTS / f"{name}.py"), *args], None)
                for name, args in MATCHING_SCRIPTS.items()}
    commands["data_loading spawn"] = (runner + [str(SCRIPTS / "data_loading.py"), "spawn"], None)
    failing = str(SCRIPTS / "failing.py")
    commands["failing"] = ([EMBER_COMMAND, failing], None)
    commands["failing under python"] = (python + [failing], None)
    commands["module_form"] = ([EMBER_COMMAND, "-m", "exit_code", "4"], SCRIPTS)
    commands["missing_module"] = ([EMBER_COMMAND, "-m", "torch.no_such_module"], None)
    commands["missing_names"] = (runner + [str(tmp_folder / "missing_names.py")], None)
    commands["alone"] = (python + [str(tmp_folder / "alone.py")], None)
    commands["interrupted"] = (runner + [str(tmp_folder / "interrupted.py")], None)
    commands["interrupted under python"] = (python + [str(tmp_folder / "interrupted.py")], None)
    return commands


def _start(argv, cwd=None):
    environment = {**os.environ, "PYTHONHASHSEED": "0", "OMP_NUM_THREADS": "1"}
    return subprocess.Popen(argv, cwd=cwd, env=environment, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _finish(argv, process):
    stdout, stderr = process.communicate(timeout=120)
    return subprocess.CompletedProcess(argv, process.returncode, stdout, stderr)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Starts every process at once; returns name -> CompletedProcess, and
    ("torch", name) -> CompletedProcess for each matching script run under real torch."""
    reference_folder = tmp_path_factory.mktemp("torch")
    reference_argv = [sys.executable, str(HERE / "torch_reference.py"), str(reference_folder)]
    reference_argv += [json.dumps([str(SCRIPTS / f"{name}.py"), *args])
                       for name, args in MATCHING_SCRIPTS.items()]
    started = {"torch_reference": (reference_argv, _start(reference_argv))}
    for name, (argv, cwd) in _ember_commands(tmp_path_factory.mktemp("ember")).items():
        started[name] = (argv, _start(argv, cwd))
    finished = {name: _finish(*run) for name, run in started.items()}
    assert finished["torch_reference"].returncode == 0, finished["torch_reference"].stderr
    for index, name in enumerate(MATCHING_SCRIPTS):
        status = int((reference_folder / f"{index}.status").read_text())
        stdout, stderr = ((reference_folder / f"{index}{suffix}").read_text()
                          for suffix in (".out", ".err"))
        finished["torch", name] = subprocess.CompletedProcess(name, status, stdout, stderr)
    return finished


@pytest.mark.parametrize("name", [*MATCHING_SCRIPTS, "data_loading spawn"])
def test_script_prints_what_torch_prints(runs, name):
    under_torch, under_ember = runs["torch", name.split()[0]], runs[name]
    assert under_torch.returncode == 0, under_torch.stderr
    assert under_ember.returncode == 0, under_ember.stderr
    assert under_ember.stdout == under_torch.stdout
    assert under_ember.stderr == under_torch.stderr  # warnings included


def test_failing_script_has_pythons_traceback_and_exit_code(runs):
    under_torch, under_ember = runs["failing under python"], runs["failing"]
    assert under_torch.returncode == under_ember.returncode == 1
    assert under_ember.stdout == under_torch.stdout
    # The runner's own frames are hidden, so the traceback is python's, line for line.
    assert under_ember.stderr == under_torch.stderr
    assert "The above exception was the direct cause" in under_ember.stderr


def test_uncaught_keyboard_interrupt_ends_the_process_by_sigint(runs):
    under_python, under_ember = runs["interrupted under python"], runs["interrupted"]
    assert under_python.returncode == under_ember.returncode == -signal.SIGINT
    assert under_ember.stderr == under_python.stderr
    assert under_ember.stdout == under_python.stdout == "atexit handlers run first\n"


def test_module_form_runs_module_as_main_and_keeps_its_exit_code(runs):
    assert runs["module_form"].returncode == 4, runs["module_form"].stderr
    assert runs["module_form"].stdout == "tensor([0.])\n"


def test_module_form_with_a_missing_module_says_so_in_one_line(runs):
    # torch.<sub> means ember.<sub>
    assert runs["missing_module"].returncode == 1
    assert runs["missing_module"].stderr == "ember: No module named ember.no_such_module\n"


def test_missing_names_say_ember_lacks_them(runs):
    result = runs["missing_names"]
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "False default",
        "ember does not implement torch.distributed",
        "ember does not implement torch.nn.functional.nosuch",
    ]
    # The traceback ends in the script's own line, with no frame of the alias machinery.
    traceback_lines = result.stderr.splitlines()
    assert traceback_lines[-1] == "AttributeError: ember does not implement torch.nosuch"
    assert f'  File "{result.args[-1]}", line 16, in use' in traceback_lines
    assert "    return torch.nosuch(1)" in traceback_lines
    assert "_torch_alias" not in result.stderr and "runpy" not in result.stderr


def test_import_ember_alone_is_unaffected(runs):
    assert runs["alone"].stdout.splitlines() == [
        "False False", "False", "module 'ember' has no attribute 'nosuch'"]


def test_alias_is_the_ember_module_and_is_undone():
    real_torch = sys.modules.get("torch")
    with torch_alias():
        import torch
        import torch.nn.functional as F
        from torch.utils.data import DataLoader

        assert torch is ember and F is ember.nn.functional
        assert DataLoader is ember.utils.data.DataLoader
        assert isinstance(torch.ones(1), ember.Tensor)
        assert torch.__spec__.name == "ember"  # ember keeps its own spec
        with torch_alias():  # nesting is harmless
            assert sys.modules["torch.nn"] is ember.nn
        with pytest.raises(AttributeError, match="ember does not implement torch.linalg.nosuch"):
            torch.linalg.nosuch  # noqa: B018
        # A submodule its package has not imported (torch imports its own eagerly) is imported
        # on first attribute access.
        runner = sys.modules["ember.run"]
        del ember.run
        try:
            assert torch.run is runner
        finally:
            ember.run = runner
    assert sys.modules.get("torch") is real_torch
    assert "__getattr__" not in vars(ember) and "__getattr__" not in vars(ember.linalg)
    assert _torch_alias._finder not in sys.meta_path
    with pytest.raises(AttributeError, match="module 'ember' has no attribute 'nosuch'"):
        ember.nosuch  # noqa: B018


def test_run_script_sets_and_restores_main_argv_and_path(tmp_path):
    script = tmp_path / "probe.py"
    script.write_text(textwrap.dedent("""\
        import sys
        import torch
        argv, path0 = sys.argv[:], sys.path[0]
        is_main = sys.modules["__main__"].__dict__ is globals()
    """))
    argv, path, main_module = sys.argv, sys.path[:], sys.modules["__main__"]
    result = run_script(str(script), ["--flag", "1"])
    assert result["argv"] == [str(script), "--flag", "1"] and result["path0"] == str(tmp_path)
    assert result["__name__"] == "__main__" and result["__file__"] == str(script)
    assert result["is_main"] and result["torch"] is ember
    assert sys.argv is argv and sys.path == path and sys.modules["__main__"] is main_module


def test_usage(capsys):
    # Only command lines that stop before running anything: running leaves the alias on.
    assert main(["--help"]) == 0
    assert capsys.readouterr().out.startswith("usage: ember [-h] (script | -m module) [args")
    assert main([]) == 2
    assert capsys.readouterr().err.startswith("usage: ember")
    assert main(["--bogus"]) == 2
    assert "unknown option --bogus" in capsys.readouterr().err
    assert main(["-m"]) == 2
    assert "argument -m: expected one argument" in capsys.readouterr().err
    assert main(["no/such/script.py"]) == 2
    assert "can't open file" in capsys.readouterr().err
