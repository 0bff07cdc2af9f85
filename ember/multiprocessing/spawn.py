"""spawn(): run a function in several processes and re-raise their failures in the parent."""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import tempfile
import time
import traceback
import warnings

__all__ = ["ProcessException", "ProcessRaisedException", "ProcessExitedException",
           "ProcessContext", "spawn", "start_processes"]


class ProcessException(Exception):
    """A child process failed; ``error_index`` is its index, ``error_pid`` its pid."""

    def __init__(self, msg: str, error_index: int, error_pid: int):
        super().__init__(msg)
        self.msg = msg
        self.error_index = error_index
        self.error_pid = error_pid

    def __reduce__(self):
        return type(self), (self.msg, self.error_index, self.error_pid)


class ProcessRaisedException(ProcessException):
    """A child process raised an exception; the message holds its traceback."""


class ProcessExitedException(ProcessException):
    """A child process was killed by a signal or exited with a non-zero code."""

    def __init__(self, msg: str, error_index: int, error_pid: int, exit_code: int,
                 signal_name: str | None = None):
        super().__init__(msg, error_index, error_pid)
        self.exit_code = exit_code
        self.signal_name = signal_name

    def __reduce__(self):
        return type(self), (self.msg, self.error_index, self.error_pid, self.exit_code,
                            self.signal_name)


def _run_child(fn, index, args, error_file):
    """A child's entry point: run ``fn(index, *args)``, leaving the traceback of an exception
    in ``error_file`` for the parent (a one-shot message that no queue can deadlock on)."""
    try:
        fn(index, *args)
    except KeyboardInterrupt:
        pass  # the parent interrupted us while shutting the others down
    except Exception:
        with open(error_file, "w") as file:
            file.write(traceback.format_exc())
        sys.exit(1)


class ProcessContext:
    """The processes that start_processes() started, with the files they report errors in."""

    def __init__(self, processes, error_files):
        self.processes = processes
        self.error_files = error_files
        self.sentinels = {process.sentinel: index for index, process in enumerate(processes)}

    def pids(self):
        return [int(process.pid) for process in self.processes]

    def join(self, timeout: float | None = None, grace_period: float | None = None) -> bool:
        """Wait up to ``timeout`` seconds for processes to end. True once all have ended
        well; if one failed, give the others ``grace_period`` seconds to end, terminate
        those still running, and raise the failure."""
        if not self.sentinels:
            return True
        failed = None
        for sentinel in multiprocessing.connection.wait(list(self.sentinels), timeout):
            index = self.sentinels.pop(sentinel)
            self.processes[index].join()
            if self.processes[index].exitcode != 0:
                failed = index
                break
        if failed is None:
            return not self.sentinels
        if grace_period is not None:
            deadline = time.monotonic() + grace_period
            for process in self.processes:
                process.join(max(0.0, deadline - time.monotonic()))
        for process in self.processes:
            if process.is_alive():
                process.terminate()
            process.join()
        self._raise_failure(failed)

    def _raise_failure(self, index: int):
        process = self.processes[index]
        error_file = self.error_files[index]
        if not os.path.exists(error_file):  # it died without raising a Python exception
            code = process.exitcode
            if code < 0:
                try:
                    name = signal.Signals(-code).name
                except ValueError:
                    name = f"<Unknown signal {-code}>"
                raise ProcessExitedException(f"process {index} terminated with signal {name}",
                                             index, process.pid, code, name)
            raise ProcessExitedException(f"process {index} terminated with exit code {code}",
                                         index, process.pid, code)
        with open(error_file) as file:
            trace = file.read()
        _remove_error_files(self.error_files)
        raise ProcessRaisedException(
            f"\n\n-- Process {index} terminated with the following error:\n{trace}",
            index, process.pid)


def _remove_error_files(paths):
    for path in paths:
        if os.path.exists(path):
            os.unlink(path)


def _unused_error_file() -> str:
    """A path in the temporary directory that nothing uses yet; the child creates it only
    when it fails."""
    descriptor, path = tempfile.mkstemp(prefix="ember-errorfile-", suffix=".txt")
    os.close(descriptor)
    os.unlink(path)
    return path


def start_processes(fn, args=(), nprocs=1, join=True, daemon=False, start_method="spawn"):
    """Start ``nprocs`` processes running ``fn(i, *args)`` with ``start_method``. With
    ``join``, wait for them all (raising the first failure); otherwise return their
    ProcessContext."""
    context = multiprocessing.get_context(start_method)
    processes, error_files = [], []
    for index in range(nprocs):
        error_file = _unused_error_file()
        process = context.Process(target=_run_child, args=(fn, index, args, error_file),
                                  daemon=daemon)
        process.start()
        processes.append(process)
        error_files.append(error_file)
    process_context = ProcessContext(processes, error_files)
    if not join:
        return process_context
    while not process_context.join():
        pass
    return None


def spawn(fn, args=(), nprocs=1, join=True, daemon=False, start_method="spawn"):
    """Run ``fn(i, *args)`` for i in range(nprocs), each in a new process; see
    start_processes(). A child's exception is re-raised in the parent as
    ProcessRaisedException carrying the child's traceback. Other start methods are
    start_processes()'s: ``start_method`` is deprecated, as in PyTorch."""
    if start_method != "spawn":
        warnings.warn(f"This method only supports start_method=spawn (got: {start_method}).\n"
                      "To use a different start_method use:\n\t\t"
                      " torch.multiprocessing.start_processes(...)", FutureWarning,
                      stacklevel=2)
    return start_processes(fn, args, nprocs, join, daemon, start_method="spawn")
