"""Runs scripts under real torch, each as ``python script args`` would, paying torch's import once.

``python torch_reference.py OUT_FOLDER ARGV_JSON...``: each ARGV_JSON is a script's argv, a
JSON list. torch is imported (and an optimizer stepped, whose first step imports more of torch)
once; then every script runs as ``__main__`` in its own fork of this process, all at once, its
stdout, stderr and exit status going to ``OUT_FOLDER/<index>.out``, ``.err`` and ``.status``.
"""

import json
import os
import runpy
import sys
import traceback

import torch


def _warm_up() -> None:
    weight = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([weight], lr=0.1)
    weight.sum().backward()
    optimizer.step()


def _run_forked(argv: list[str], output_prefix: str) -> int:
    """Starts ``argv`` as ``__main__`` in a child process, its stdout and stderr going to
    ``output_prefix`` + ``.out`` / ``.err``; returns its pid."""
    pid = os.fork()
    if pid:
        return pid
    status = 1
    try:
        for stream, suffix in ((sys.stdout, ".out"), (sys.stderr, ".err")):
            with open(output_prefix + suffix, "w") as output:
                os.dup2(output.fileno(), stream.fileno())
        sys.argv = argv
        sys.path[0] = os.path.dirname(os.path.realpath(argv[0]))
        runpy.run_path(argv[0], run_name="__main__")
        status = 0
    except SystemExit as error:
        status = error.code if isinstance(error.code, int) else 1
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)


def main() -> None:
    out_folder, *argvs = sys.argv[1:]
    _warm_up()
    sys.stdout.flush()  # so that no child writes this process's buffered output again
    sys.stderr.flush()
    children = {_run_forked(json.loads(argv), os.path.join(out_folder, str(index))): index
                for index, argv in enumerate(argvs)}
    for pid, index in children.items():
        _, wait_status = os.waitpid(pid, 0)
        with open(os.path.join(out_folder, f"{index}.status"), "w") as status_file:
            status_file.write(str(os.waitstatus_to_exitcode(wait_status)))


if __name__ == "__main__":
    main()
