"""Run a script written for PyTorch on ember, unmodified: ``ember script.py [args]``.

``python -m ember.run script.py [args]`` and ``ember -m module [args]`` work too. Inside the
script ``import torch``, ``import torch.nn as nn``, ``from torch.utils.data import DataLoader``
and so on give ember's modules (see Note [torch alias] in ``ember/_torch_alias.py``); the script
runs as ``__main__`` with ``sys.argv`` and ``sys.path[0]`` set as ``python`` sets them, and a
failing script prints Python's traceback and exits with status 1. DataLoader workers and other
child processes, forked or spawned, see the same alias.
"""

from __future__ import annotations

import builtins
import contextlib
import importlib.machinery
import io
import os
import runpy
import sys
import types
from collections.abc import Iterator, Sequence

from ember import _torch_alias
from ember._torch_alias import torch_alias

__all__ = ["main", "run_module", "run_script", "torch_alias"]

_USAGE = "usage: ember [-h] (script | -m module) [args ...]"
_HELP = f"""{_USAGE}

Run a Python script written for PyTorch with ember in torch's place, unmodified:
`import torch` and every `torch.<submodule>` resolve to ember. A name ember lacks
raises "ember does not implement torch.<name>".

arguments:
  script      path of the script to run as __main__ (its folder becomes sys.path[0])
  -m module   run a module as __main__, as `python -m` does (torch.<sub> means ember.<sub>)
  args        passed to the script as sys.argv[1:]
  -h, --help  show this help message and exit
"""

# Frames of the runner itself, hidden from a failing script's traceback as python hides its own.
_RUNNER_FILES = frozenset(
    [os.path.normcase(os.path.abspath(path))
     for path in (runpy.__file__, _torch_alias.__file__, __file__)] + ["<frozen runpy>"]
)


def _is_runner_frame(frame) -> bool:
    filename = frame.f_code.co_filename
    if not filename.startswith("<"):
        filename = os.path.normcase(os.path.abspath(filename))
    return filename in _RUNNER_FILES


@contextlib.contextmanager
def _as_main(argv: list[str], path0: str, main_module=None, restore=True) -> Iterator[None]:
    """Turns the torch alias on and sets sys.argv, sys.path[0] and (optionally) ``__main__``.

    With ``restore``, puts everything back afterwards; without, leaves it for the rest of the
    process, as python does for its script.
    """
    saved_argv, saved_path, saved_main = sys.argv, sys.path[:], sys.modules["__main__"]
    _torch_alias._activate()
    sys.argv = argv
    sys.path[0] = path0
    if main_module is not None:
        sys.modules["__main__"] = main_module
    try:
        yield
    finally:
        if restore:
            sys.argv, sys.path[:] = saved_argv, saved_path
            sys.modules["__main__"] = saved_main
            _torch_alias._deactivate()


def run_script(path: str, argv: Sequence[str] = (), *, restore: bool = True) -> dict:
    """Runs the script at ``path`` as ``__main__`` with torch resolved to ember.

    Like ``python path *argv``: ``sys.argv`` is ``[path, *argv]``, ``sys.path[0]`` the script's
    folder and ``__file__`` its absolute path. A folder or zip file with a ``__main__.py``
    works as well. Returns the script's globals. Exceptions propagate. ``sys.argv``,
    ``sys.path``, ``__main__`` and the alias are restored afterwards unless ``restore`` is
    False (the ``ember`` command: threads and atexit handlers the script leaves behind still
    run under them).
    """
    full_path = os.path.abspath(path)
    if not os.path.isfile(full_path):
        with _as_main([path, *argv], full_path, restore=restore):
            return runpy.run_path(full_path, run_name="__main__")
    with io.open_code(full_path) as source_file:
        code = compile(source_file.read(), full_path, "exec", dont_inherit=True)
    main_module = types.ModuleType("__main__")
    main_module.__file__ = full_path
    main_module.__loader__ = importlib.machinery.SourceFileLoader("__main__", full_path)
    main_module.__builtins__ = builtins
    script_folder = os.path.dirname(os.path.realpath(full_path))
    with _as_main([path, *argv], script_folder, main_module, restore):
        exec(code, vars(main_module))
    return vars(main_module)


def run_module(name: str, argv: Sequence[str] = (), *, restore: bool = True) -> dict:
    """Runs module ``name`` as ``__main__`` like ``python -m name *argv``, torch being ember.

    Returns the module's globals; ``restore`` as for :func:`run_script`, except that runpy
    always puts ``__main__`` back.
    """
    if name == "torch" or name.startswith("torch."):
        name = "ember" + name[len("torch"):]
    with _as_main([name, *argv], os.getcwd(), restore=restore):
        return runpy.run_module(name, run_name="__main__", alter_sys=True)


def _script_frames(tb) -> list:
    """The entries of traceback ``tb`` that are not the runner's: those of ``main`` and its
    callers, runpy's and this package's."""
    entries = []
    while tb is not None:
        if tb.tb_frame.f_code is main.__code__:
            entries.clear()  # the callers of main run the ember command
        elif not _is_runner_frame(tb.tb_frame):
            entries.append(tb)
        tb = tb.tb_next
    return entries


def _without_runner_frames(error: BaseException) -> None:
    """Drops the runner's frames from the tracebacks of ``error`` and its chain."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        kept = None
        for tb in reversed(_script_frames(error.__traceback__)):
            kept = types.TracebackType(kept, tb.tb_frame, tb.tb_lasti, tb.tb_lineno)
        error.__traceback__ = kept
        error = error.__cause__ or error.__context__


def _hiding_runner_frames(excepthook):
    """Wraps ``excepthook`` to print an exception without the runner's frames."""

    def hook(kind, error, traceback):
        _without_runner_frames(error)
        excepthook(kind, error, error.__traceback__)

    return hook


def main(argv: Sequence[str] | None = None) -> int:
    """The ``ember`` command: parses the command line, runs the script, returns the exit code.

    Once the script runs, its ``__main__``, ``sys.argv`` and the torch alias stay for the rest
    of the process, and an exception it raises leaves ``main`` for python to print and exit on.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        print(_USAGE, file=sys.stderr)
        return 2
    if args[0] in ("-h", "--help"):
        print(_HELP, end="")
        return 0
    if args[0] == "-m":
        if len(args) < 2:
            print(f"{_USAGE}\nember: error: argument -m: expected one argument", file=sys.stderr)
            return 2
        run, target, script_args = run_module, args[1], args[2:]
    elif args[0].startswith("-"):
        print(f"{_USAGE}\nember: error: unknown option {args[0]}", file=sys.stderr)
        return 2
    else:
        run, target, script_args = run_script, args[0], args[1:]
        if not os.path.exists(target):
            print(f"ember: can't open file {os.path.abspath(target)!r}: "
                  f"[Errno 2] No such file or directory", file=sys.stderr)
            return 2
    try:
        run(target, script_args, restore=False)
    except SystemExit:
        raise
    except BaseException as error:
        if (run is run_module and isinstance(error, ImportError)
                and not _script_frames(error.__traceback__)):
            # runpy could not find the module: python -m says so in one line.
            print(f"ember: {error}", file=sys.stderr)
            return 1
        # Python prints it, finishes the process and exits with status 1 (by SIGINT after a
        # KeyboardInterrupt), as for its own scripts.
        sys.excepthook = _hiding_runner_frames(sys.excepthook)
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main())
