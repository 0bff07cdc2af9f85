"""Pickling that sends tensors and storages between processes as shared memory.

Registered with ``multiprocessing.reduction.ForkingPickler`` (what Queue, Pipe and a spawned
Process's arguments go through): a storage is moved to shared memory and travels, as the
sharing strategy says, as a duplicate of its memory file's descriptor ("file_descriptor") or
as the name of its file in /dev/shm ("file_system"); a tensor travels as its storage plus
its view (offset, sizes, strides, dtype, requires_grad). See Note [Shared memory lifetime] in
ember/_storage.py.
"""

from __future__ import annotations

import os
import threading
import weakref
from multiprocessing.reduction import DupFd, ForkingPickler

from ember import _dtype
from ember._storage import TypedStorage, UntypedStorage
from ember._tensor import Tensor
from ember.multiprocessing import _shm_tracker
from ember.nn.parameter import Parameter
from ember.ops.creation import empty

__all__ = ["init_reductions", "reduce_storage", "reduce_typed_storage", "reduce_tensor",
           "rebuild_storage_fd", "rebuild_storage_filename", "rebuild_typed_storage",
           "rebuild_tensor"]

_SHARING_STRATEGIES = ("file_descriptor", "file_system")
_sharing_strategy = "file_descriptor"


def get_all_sharing_strategies() -> set[str]:
    return set(_SHARING_STRATEGIES)


def get_sharing_strategy() -> str:
    return _sharing_strategy


def set_sharing_strategy(new_strategy: str):
    """Choose how this process shares storages from now on: "file_descriptor" (the default:
    memory files passed as descriptors) or "file_system" (named files in /dev/shm passed by
    name, so that no process keeps a descriptor per storage). It decides what
    ``share_memory_()`` makes and how storages are sent; a received storage is rebuilt the
    way it was sent, whatever the receiver's strategy."""
    global _sharing_strategy
    if new_strategy not in _SHARING_STRATEGIES:  # PyTorch raises AssertionError too
        raise AssertionError(f"invalid sharing strategy {new_strategy!r}, expected one of "
                             f"{set(_SHARING_STRATEGIES)}")
    _sharing_strategy = new_strategy


# The shared storages this process sent or received, by their file's identity, so that a
# storage sent twice arrives as one storage object (while the first is alive). Queue feeder
# threads pickle concurrently, hence the lock; a child forked while it is held gets a new one.
_known_storages = weakref.WeakValueDictionary()
_known_storages_lock = threading.Lock()


def _new_lock_after_fork():
    global _known_storages_lock
    _known_storages_lock = threading.Lock()


os.register_at_fork(after_in_child=_new_lock_after_fork)


def _file_identity(file: int | str):
    """(device, inode) of a descriptor's or a path's file."""
    stat = os.stat(file)
    return stat.st_dev, stat.st_ino


def rebuild_storage_fd(cls, duplicate, nbytes):
    fd = duplicate.detach()
    key = _file_identity(fd)
    with _known_storages_lock:
        storage = _known_storages.get(key)
        if storage is None:
            storage = _known_storages[key] = cls._from_shared_fd(fd, nbytes)
            return storage
    os.close(fd)  # a duplicate of a file this process already maps
    return storage


def rebuild_storage_filename(cls, tracker, name, nbytes):
    """The storage over the named file ``name``: the message's reference to the file becomes
    this process's (see Note [Shared memory lifetime])."""
    fd = _shm_tracker.open_received(name)
    key = _file_identity(fd)
    with _known_storages_lock:
        storage = _known_storages.get(key)
        if storage is None:
            storage = _known_storages[key] = cls._from_shared_file(tracker, name, fd, nbytes)
            _shm_tracker.adopt(tracker, name)
            return storage
        os.close(fd)
        shared = storage._shared
        if shared.file is None:  # known through a descriptor: hold the name too, to pass on
            shared.file = (tracker, name)
            _shm_tracker.adopt(tracker, name)
        else:
            _shm_tracker.drop(tracker, name)
    return storage


def reduce_storage(storage: UntypedStorage):
    if storage.device.type != "cpu":
        raise RuntimeError(f"ember cannot share {storage.device.type} storages between "
                           "processes")
    if _sharing_strategy == "file_system":
        storage._share_filename_cpu_()
        tracker, name = storage._shared.file
        _shm_tracker.send(tracker, name)
        _remember(storage, _shm_tracker.path_of(name))
        return rebuild_storage_filename, (type(storage), tracker, name, storage.nbytes())
    fd, nbytes = storage._share_fd_cpu_()
    _remember(storage, fd)
    return rebuild_storage_fd, (type(storage), DupFd(fd), nbytes)


def _remember(storage: UntypedStorage, file: int | str):
    """Make ``storage`` the one over ``file`` here, so that it arrives as itself if it is sent
    back to this process."""
    with _known_storages_lock:
        _known_storages[_file_identity(file)] = storage


def rebuild_typed_storage(untyped, dtype_name):
    return TypedStorage(wrap_storage=untyped, dtype=getattr(_dtype, dtype_name), _internal=True)


def reduce_typed_storage(storage: TypedStorage):
    return rebuild_typed_storage, (storage.untyped(), storage.dtype._name)


def rebuild_tensor(cls, storage, offset, size, stride, dtype_name, requires_grad):
    tensor = empty(0, dtype=getattr(_dtype, dtype_name))
    tensor._set_layout(storage, offset, size, stride)
    if cls is Parameter:
        return Parameter(tensor, requires_grad)
    return tensor.requires_grad_(requires_grad)


def reduce_tensor(tensor: Tensor):
    if tensor.requires_grad and not tensor.is_leaf:
        raise RuntimeError(
            "Cowardly refusing to serialize non-leaf tensor which requires_grad, since "
            "autograd does not support crossing process boundaries.  If you just want to "
            "transfer the data, call detach() on the tensor before serializing (e.g., "
            "putting it on the queue).")
    return rebuild_tensor, (type(tensor), tensor.untyped_storage(), tensor.storage_offset(),
                            tuple(tensor.shape), tensor.stride(), tensor.dtype._name,
                            tensor.requires_grad)


def init_reductions():
    """Register the shared-memory pickling of tensors and storages with ForkingPickler."""
    ForkingPickler.register(UntypedStorage, reduce_storage)
    ForkingPickler.register(TypedStorage, reduce_typed_storage)
    for cls in (Tensor, Parameter):
        ForkingPickler.register(cls, reduce_tensor)
