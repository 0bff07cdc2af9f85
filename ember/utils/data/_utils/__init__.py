"""Helpers of the DataLoader: collation, and what a worker process knows about itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ember.utils.data._utils import collate

__all__ = ["WorkerInfo", "collate", "get_worker_info"]


@dataclass(frozen=True, slots=True)
class WorkerInfo:
    """What a DataLoader worker knows about itself: its ``id`` (``0 .. num_workers - 1``),
    ``num_workers``, its random ``seed`` and its own copy of the ``dataset``."""

    id: int
    num_workers: int
    seed: int
    dataset: Any


# Set once in each worker process (worker.py); stays None in the main process.
_worker_info: WorkerInfo | None = None


def get_worker_info() -> WorkerInfo | None:
    """The :class:`WorkerInfo` of the current DataLoader worker, or None in the main
    process. An :class:`IterableDataset` uses it to give each worker its own share."""
    return _worker_info
