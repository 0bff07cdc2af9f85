"""How many threads ember's CPU work may use, as torch's ``get_num_threads`` /
``set_num_threads``: those of the BLAS library's matrix products."""

from __future__ import annotations

import os

__all__ = ["get_num_threads", "set_num_threads", "get_num_interop_threads",
           "set_num_interop_threads"]

_num_threads = len(os.sched_getaffinity(0))
_num_interop_threads = None  # set once at most, as in torch


def _positive_int(name: str, value) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise RuntimeError(f"{name} expects an int, but got {type(value).__name__}")
    if value <= 0:
        raise RuntimeError(f"{name} expects a positive integer")
    return value


def get_num_threads() -> int:
    """The number of threads used for work within one op."""
    return _num_threads


def set_num_threads(num: int) -> None:
    """Use at most ``num`` threads within one op: in the BLAS library too."""
    global _num_threads
    _num_threads = _positive_int("set_num_threads", num)
    from threadpoolctl import threadpool_limits  # only needed here: it inspects the process

    threadpool_limits(limits=num, user_api="blas")


def get_num_interop_threads() -> int:
    """The number of threads for running independent ops side by side (ember runs ops one
    after another; the number is kept for what asks)."""
    return _num_threads if _num_interop_threads is None else _num_interop_threads


def set_num_interop_threads(num: int) -> None:
    global _num_interop_threads
    _positive_int("set_num_interop_threads", num)
    if _num_interop_threads is not None:
        raise RuntimeError("Error: cannot set number of interop threads after parallel work "
                           "has started or set_num_interop_threads called")
    _num_interop_threads = num
