"""A drop-in for Python's multiprocessing that sends tensors as shared memory.

Everything in ``multiprocessing`` is here too; importing this package registers pickling that
moves a tensor's storage into shared memory when it goes through a Queue, a Pipe or a
spawned Process's arguments, so that both processes see each other's writes.
"""

import multiprocessing
from multiprocessing import *  # noqa: F403

from ember.multiprocessing.reductions import (
    get_all_sharing_strategies,
    get_sharing_strategy,
    init_reductions,
    set_sharing_strategy,
)
from ember.multiprocessing.spawn import (
    ProcessContext,
    ProcessException,
    ProcessExitedException,
    ProcessRaisedException,
    spawn,
    start_processes,
)

__all__ = ["set_sharing_strategy", "get_sharing_strategy", "get_all_sharing_strategies",
           "spawn", "start_processes", "ProcessContext", "ProcessException",
           "ProcessRaisedException", "ProcessExitedException", *multiprocessing.__all__]

init_reductions()
