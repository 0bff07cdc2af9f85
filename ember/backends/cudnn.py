"""ember.backends.cudnn: NVIDIA's cuDNN, which ember does not drive.

The flags exist so that scripts setting them (``torch.backends.cudnn.benchmark = True``,
``deterministic = True`` for reproducibility) run unchanged; ember reads none of them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

__all__ = ["is_available", "is_acceptable", "version", "flags"]

enabled = True
benchmark = False
benchmark_limit = None
deterministic = False
allow_tf32 = True

_FLAG_NAMES = ("enabled", "benchmark", "benchmark_limit", "deterministic", "allow_tf32")


def is_available() -> bool:
    return False


def is_acceptable(tensor) -> bool:
    """Whether cuDNN would take ``tensor``: never, as ember has no cuDNN."""
    return False


def version() -> int | None:
    return None


@contextlib.contextmanager
def flags(enabled=False, benchmark=False, benchmark_limit=10, deterministic=False,
          allow_tf32=True) -> Iterator[None]:
    """Sets the flags within the block and restores them afterwards."""
    saved = {name: globals()[name] for name in _FLAG_NAMES}
    globals().update(enabled=enabled, benchmark=benchmark, benchmark_limit=benchmark_limit,
                     deterministic=deterministic, allow_tf32=allow_tf32)
    try:
        yield
    finally:
        globals().update(saved)
