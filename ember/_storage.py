"""UntypedStorage and TypedStorage: one flat buffer on one device.

Note [Storage and views]
A tensor is a strided view over a storage: (storage, offset, sizes, strides), all in elements.
The storage is a flat uint8 array of the backend. Each tensor also keeps the backend array
that this metadata describes (``Tensor._data``), built with exactly PyTorch's strides, so
arithmetic hands it to the backend directly. A tensor fresh out of a kernel creates its
storage only when asked (its array's memory becomes the storage); a view records the tensor
that owns the storage, so views share one storage and see each other's writes.

Note [Shared memory lifetime]
``share_memory_()`` copies a storage's bytes into memory mapped with ``MAP_SHARED``, which
other processes map too, in the way the sharing strategy of ember.multiprocessing says.
Tensors cache arrays over the storage's bytes, so moving the bytes re-points every tensor
whose storage chain reaches the storage (found with the garbage collector's referrer lists,
as sharing is rare and a registry would cost every view). Arrays handed out earlier
(``numpy()``) and storage slices keep the old memory. ``_new_shared`` makes a storage shared
from birth, with nothing to copy or re-point (what a DataLoader worker collates into).

"file_descriptor": an anonymous memory file (Linux ``memfd_create``) whose descriptor the
storage keeps. Other processes receive a duplicate of it (ember.multiprocessing passes it
over a Unix socket) and map the same file. It has no name anywhere, so it cannot leak: the
kernel frees its memory once every process has closed its descriptors and unmapped it,
however the processes ended. Each process closes its descriptor when its storage is garbage
collected; the mapping (and, before Python 3.13, the mmap object's own duplicate descriptor)
lives as long as any array over it.

"file_system": a file in /dev/shm named ``ember_<pid>_<token>_<n>`` that travels by name, so
that no process needs to keep a descriptor (from Python 3.13 on; before, the mmap object keeps
one). The name must be unlinked exactly when no process can open it any more: when no process
holds a storage over it and no message carrying it is left to read. A tracker process keeps
that count (ember/multiprocessing/_shm_tracker.py): started by the first process that creates
a file, shared with the children it forks, its address travelling with every name. A count
inside the file would leak whenever a holder is killed; the tracker sees every process end
through its socket. A process holds one
reference per storage over the file: taken on creation, on receipt, and at fork for the
storages a child inherits; released by the storage's finalizer. A message holds one from
just before it is sent (a request the tracker answers, so the count cannot touch zero
between a sender letting go and its receiver taking over) until its receiver adopts it, or
drops it when it maps the file already. The tracker unlinks a name when its count reaches
zero. Processes stay connected to the trackers of the files they hold; a closed connection,
however the process ended (SIGKILL included), releases all it held. Once no process is
connected, the tracker waits a grace period for the receiver of a message still in flight,
then unlinks what remains (messages nobody will read: a dropped queue, a killed receiver)
and exits. After the whole process tree is gone, nothing of ember's is left in /dev/shm.

The strategy also decides how a storage travels: under "file_system" a storage in a memory
file moves into a named one first (as in PyTorch; earlier receivers keep the old memory),
under "file_descriptor" a named file goes as a descriptor opened onto it.
"""

from __future__ import annotations

import gc
import mmap
import os
import sys
import warnings
import weakref

from ember import _dtype
from ember._device import _as_device

__all__ = ["UntypedStorage", "TypedStorage"]


class UntypedStorage:
    """A flat, contiguous buffer of bytes on one device."""

    __slots__ = ("_bytes", "device", "_shared", "__weakref__")

    def __init__(self, size: int = 0, *, device=None):
        self._shared = None
        dev = _as_device(device)
        if isinstance(size, int):
            self._bytes = dev._backend.zeros(size, dev._backend.uint8)
        else:  # byte values wrap around, as a C cast to uint8 does
            self._bytes = dev._backend.array([b % 256 for b in size], dev._backend.uint8)
        self.device = dev

    @classmethod
    def _wrap(cls, byte_array, device):
        self = object.__new__(cls)
        self._bytes = byte_array
        self.device = device
        self._shared = None
        return self

    @classmethod
    def _from_shared_fd(cls, fd: int, nbytes: int):
        """A CPU storage over the memory file ``fd`` (of ``nbytes`` bytes), which it owns."""
        cpu = _as_device("cpu")
        self = cls._wrap(_map_shared(cpu._backend, fd, nbytes), cpu)
        self._shared_memory().fd = fd
        return self

    @classmethod
    def _from_shared_file(cls, tracker: str, name: str, fd: int, nbytes: int):
        """A CPU storage over the named file ``name`` (open as ``fd``, closed here), which
        holds a reference to it through ``tracker`` (see Note [Shared memory lifetime])."""
        cpu = _as_device("cpu")
        try:
            self = cls._wrap(_map_shared(cpu._backend, fd, nbytes), cpu)
        finally:
            os.close(fd)
        self._shared_memory().file = (tracker, name)
        return self

    @classmethod
    def _new_shared(cls, size: int, *, device="cpu"):
        """A zero-filled storage of ``size`` bytes, in shared memory from the start (in the
        way the sharing strategy says)."""
        device = _as_device(device)
        if device.type != "cpu":
            return cls(size, device=device)
        self = cls._wrap(None, device)
        self._bytes = self._new_segment(size, _sharing_strategy())
        return self

    def _shared_memory(self) -> _SharedMemory:
        """What this storage shares its bytes through, made (empty) on first use."""
        shared = self._shared
        if shared is None:
            shared = self._shared = _SharedMemory()
            weakref.finalize(self, shared.release)
        return shared

    def _new_segment(self, nbytes: int, strategy: str):
        """A zero-filled array of ``nbytes`` in new shared memory made as ``strategy`` says,
        which this storage now owns, instead of the shared memory it had before."""
        backend = self.device._backend
        if strategy == "file_system":
            tracker, name, fd = _shm_tracker().create(nbytes)
            try:
                array = _map_shared(backend, fd, nbytes)
            except BaseException:
                _shm_tracker().release(tracker, name)
                raise
            finally:
                os.close(fd)  # a named file needs no descriptor kept
            fd, file = None, (tracker, name)
        else:
            fd, file = os.memfd_create("ember_storage", os.MFD_CLOEXEC), None
            try:
                os.ftruncate(fd, nbytes)
                array = _map_shared(backend, fd, nbytes)
            except BaseException:
                os.close(fd)
                raise
        shared = self._shared_memory()
        shared.release()
        shared.fd, shared.file = fd, file
        return array

    def nbytes(self) -> int:
        return self._bytes.shape[0]

    def size(self) -> int:
        return self._bytes.shape[0]

    def __len__(self):
        return self._bytes.shape[0]

    def element_size(self) -> int:
        return 1

    def data_ptr(self) -> int:
        if not len(self._bytes):
            return 0  # PyTorch gives no address for an empty storage
        return self.device._backend.data_pointer(self._bytes)

    def resize_(self, size: int):
        """Grow or shrink to ``size`` bytes, keeping those that remain. Tensors already on
        this storage keep seeing the old memory (unlike PyTorch's)."""
        if self._shared is not None:
            raise RuntimeError("Trying to resize storage that is not resizable")
        resized = self.device._backend.zeros(size, self.device._backend.uint8)
        kept = min(size, len(self._bytes))
        resized[:kept] = self._bytes[:kept]
        self._bytes = resized
        return self

    def is_pinned(self, device="cuda") -> bool:
        return False

    @property
    def dtype(self):
        return _dtype.uint8

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1:
                raise RuntimeError(f"Trying to slice with a step of {step}, but only a step of "
                                   "1 is supported")
            return UntypedStorage._wrap(self._bytes[start:max(start, stop)], self.device)
        if not isinstance(index, int):
            raise TypeError(f"can't index a torch.UntypedStorage with {type(index).__name__}")
        return int(self._bytes[_storage_index(index, len(self))])

    def __setitem__(self, index, value):
        if isinstance(value, int):
            value %= 256  # bytes wrap around, as a C cast to uint8 does
        if isinstance(index, int) and not -len(self) <= index < len(self):
            raise RuntimeError("out of bounds")
        self._bytes[index] = value

    def type(self) -> str:
        return "torch.storage.UntypedStorage"

    def tolist(self):
        return self._bytes.tolist()

    def fill_(self, value):
        self._bytes[...] = value
        return self

    def copy_(self, source):
        if len(source) != len(self):
            raise RuntimeError(f"size does not match, self was {len(self)} bytes but src was "
                               f"{len(source)} bytes")
        self._bytes[...] = source._bytes
        return self

    def clone(self):
        return UntypedStorage._wrap(self._bytes.copy(), self.device)

    def cpu(self):
        return self

    @property
    def is_cuda(self):
        return self.device.type == "cuda"

    def is_shared(self) -> bool:
        return self._shared is not None

    def share_memory_(self):
        """Move the bytes into memory that other processes can map, in place: every tensor
        on this storage follows. See Note [Shared memory lifetime]."""
        _share_storages([self])
        return self

    def _move_to_shared_memory(self, strategy: str | None = None):
        """Copy the bytes into new shared memory (made as ``strategy``, by default the
        current sharing strategy, says); return the byte array they left."""
        old = self._bytes
        self._bytes = self._new_segment(len(old), strategy or _sharing_strategy())
        self._bytes[...] = old
        return old

    def _share_fd_cpu_(self):
        """(descriptor, nbytes) of the file this storage's bytes live in, sharing them through
        a memory file first if they are not shared yet."""
        if self._shared is None:
            _move_storages([self], "file_descriptor")
        shared = self._shared
        if shared.fd is None:  # a named file: keep a descriptor open on it from now on
            shared.fd = os.open(_shm_tracker().path_of(shared.file[1]),
                                os.O_RDWR | os.O_CLOEXEC)
        return shared.fd, len(self._bytes)

    def _share_filename_cpu_(self):
        """(tracker address, "/" + file name, nbytes) of the named file this storage's bytes
        live in, moving them into one first if they are not there (see Note [Shared memory
        lifetime])."""
        if self._shared is None or self._shared.file is None:
            _move_storages([self], "file_system")
        tracker, name = self._shared.file
        return tracker.encode(), f"/{name}".encode(), len(self._bytes)

    def __iter__(self):
        return iter(self.tolist())

    def __repr__(self):
        body = "\n".join(f" {b}" for b in self.tolist()) or " "
        header = f"[torch.storage.UntypedStorage(device={self.device}) of size {len(self)}]"
        return f"{body}\n{header}"

    def _typed_array(self, dtype):
        """The storage's bytes reinterpreted as a flat array of ``dtype``."""
        usable = len(self) - len(self) % dtype.itemsize
        return self._bytes[:usable].view(dtype._np)


# Before Python 3.13 an mmap object holds a duplicate of its file's descriptor while it lives
_UNTRACKED_FD = {"trackfd": False} if sys.version_info >= (3, 13) else {}


def _map_shared(backend, fd: int, nbytes: int):
    """A uint8 array over ``nbytes`` of the memory file ``fd``, mapped shared."""
    if not nbytes:  # mmap cannot map nothing
        return backend.empty_bytes(0)
    return backend.frombuffer(mmap.mmap(fd, nbytes, **_UNTRACKED_FD), backend.uint8)


class _SharedMemory:
    """Where a shared storage's bytes live: a memory file kept open as ``fd``, and/or a named
    file in /dev/shm held through its tracker, ``file = (tracker address, name)``."""

    __slots__ = ("fd", "file")

    def __init__(self):
        self.fd = None
        self.file = None

    def release(self):
        """Close the descriptor and let go of the named file (the storage's finalizer)."""
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
        if self.file is not None:
            _shm_tracker().release(*self.file)
            self.file = None


def _sharing_strategy() -> str:
    from ember.multiprocessing.reductions import get_sharing_strategy

    return get_sharing_strategy()


def _shm_tracker():
    """The module that counts references to named files (imported late: it is part of
    ember.multiprocessing, which needs this module first)."""
    from ember.multiprocessing import _shm_tracker as tracker

    return tracker


def _share_storages(storages):
    """share_memory_() for several storages at once: the search for the tensors over them,
    which walks every object the garbage collector tracks, runs once for all."""
    storages = {id(storage): storage for storage in storages
                if storage._shared is None and storage.device.type == "cpu"}
    _move_storages(list(storages.values()), _sharing_strategy())


def _move_storages(storages, strategy: str):
    """Move the bytes of ``storages`` into new shared memory made as ``strategy`` says."""
    old_bytes = {id(storage): storage._move_to_shared_memory(strategy) for storage in storages}
    if storages:
        _repoint_tensors(storages, old_bytes)


def _repoint_tensors(storages, old_bytes):
    """Re-point every tensor over ``storages`` from their former byte arrays (``old_bytes``,
    by storage id) to their new ones, at the same byte offsets. A tensor refers to its
    storage directly or through the tensor that owns it (see ``_make_view``), so follow
    referrers until no new tensors turn up."""
    from ember._tensor import Tensor

    root_of = {id(storage): storage for storage in storages}
    owners = storages
    while owners:
        owners = [obj for obj in gc.get_referrers(*owners)
                  if isinstance(obj, Tensor) and id(obj._storage) in root_of]
        root_of = {id(tensor): root_of[id(tensor._storage)] for tensor in owners}
        for tensor in owners:
            storage = root_of[id(tensor)]
            old = old_bytes[id(storage)]
            backend = storage.device._backend
            data = tensor._data
            start = backend.data_pointer(data) - backend.data_pointer(old)
            if data.size and 0 <= start < len(old):
                tensor._data = backend.ndarray(data.shape, data.dtype, storage._bytes, start,
                                               data.strides)


def _storage_index(index: int, size: int) -> int:
    if not -size <= index < size:
        raise IndexError(f"index {index} out of range for storage of size {size}")
    return index + size if index < 0 else index


_typed_storage_warned = False


def _warn_typed_storage(stacklevel: int = 3):
    """PyTorch's deprecation warning for TypedStorage, given once per process (a warning
    turned into an error does not count as given)."""
    global _typed_storage_warned
    if _typed_storage_warned:
        return
    warnings.warn(
        "TypedStorage is deprecated. It will be removed in the future and UntypedStorage "
        "will be the only storage class. This should only matter to you if you are using "
        "storages directly.  To access UntypedStorage directly, use "
        "tensor.untyped_storage() instead of tensor.storage()",
        UserWarning,
        stacklevel=stacklevel,
    )
    _typed_storage_warned = True


class TypedStorage:
    """A storage seen as elements of one dtype (what ``Tensor.storage()`` returns)."""

    __slots__ = ("_untyped_storage", "dtype")

    def __init__(self, *args, dtype=None, device=None, wrap_storage=None, _internal=False):
        if not _internal:
            _warn_typed_storage()
        self.dtype = _dtype.get_default_dtype() if dtype is None else dtype
        if wrap_storage is not None:
            self._untyped_storage = wrap_storage
            return
        dev = _as_device(device)
        if len(args) == 1 and isinstance(args[0], int) or not args:
            count = args[0] if args else 0
            self._untyped_storage = UntypedStorage(count * self.dtype.itemsize, device=dev)
        else:
            values = dev._backend.array(list(args[0]), self.dtype._np)
            self._untyped_storage = UntypedStorage._wrap(values.view(dev._backend.uint8),
                                                         dev)

    @property
    def device(self):
        return self._untyped_storage.device

    def untyped(self):
        return self._untyped_storage

    def _array(self):
        return self._untyped_storage._typed_array(self.dtype)

    def size(self) -> int:
        return len(self._untyped_storage) // self.dtype.itemsize

    def __len__(self):
        return self.size()

    def nbytes(self) -> int:
        return self._untyped_storage.nbytes()

    def element_size(self) -> int:
        return self.dtype.itemsize

    def cpu(self):
        return self

    def is_pinned(self, device="cuda") -> bool:
        return False

    def _to(self, dtype):
        """A new storage holding these elements converted to ``dtype``."""
        values = self._array().astype(dtype._np)
        untyped = UntypedStorage._wrap(values.view(self.device._backend.uint8), self.device)
        return TypedStorage(wrap_storage=untyped, dtype=dtype, _internal=True)

    def float(self):
        return self._to(_dtype.float32)

    def double(self):
        return self._to(_dtype.float64)

    def half(self):
        return self._to(_dtype.float16)

    def bfloat16(self):
        return self._to(_dtype.bfloat16)

    def long(self):
        return self._to(_dtype.int64)

    def int(self):
        return self._to(_dtype.int32)

    def short(self):
        return self._to(_dtype.int16)

    def char(self):
        return self._to(_dtype.int8)

    def byte(self):
        return self._to(_dtype.uint8)

    def bool(self):
        return self._to(_dtype.bool)

    def type(self) -> str:
        return f"torch.{self.dtype._legacy_name}Storage"

    @property
    def is_cuda(self) -> bool:
        return self.device.type == "cuda"

    def data_ptr(self) -> int:
        return self._untyped_storage.data_ptr()

    def __getitem__(self, index):
        if isinstance(index, slice):
            raise RuntimeError("slices are only supported in UntypedStorage.__getitem__")
        if index.__class__ is not int:
            error = TypeError if isinstance(index, bool) else RuntimeError
            raise error(f"can't index a <class 'torch.storage.TypedStorage'> with "
                        f"{type(index)}")
        return self._array()[_storage_index(index, self.size())].tolist()

    def __setitem__(self, index, value):
        size = self.size()
        if isinstance(index, int) and not -size <= index < size:
            raise IndexError(f"index {index} is out of bounds for dimension 0 with size {size}")
        self._array()[index] = value

    def tolist(self):
        return self._array().tolist()

    def fill_(self, value):
        self._array()[...] = value
        return self

    def __iter__(self):
        return iter(self.tolist())

    def is_shared(self):
        return self._untyped_storage.is_shared()

    def share_memory_(self):
        self._untyped_storage.share_memory_()
        return self

    def _new_shared(self, size: int, *, device=None):
        """A zero-filled storage of ``size`` elements of this dtype, in shared memory."""
        untyped = UntypedStorage._new_shared(size * self.dtype.itemsize,
                                             device="cpu" if device is None else device)
        return TypedStorage(wrap_storage=untyped, dtype=self.dtype, _internal=True)

    def __repr__(self):
        from ember.ops.creation import tensor  # printing goes through the tensor formatter

        values = tensor(self.tolist(), dtype=self.dtype) if self.size() else None
        header = (f"[torch.storage.TypedStorage(dtype={self.dtype}, device={self.device}) "
                  f"of size {self.size()}]")
        if values is None:
            return f" \n{header}"
        body = "\n".join(" " + line.strip() for line in _element_strings(values))
        return f"{body}\n{header}"


def _element_strings(values):
    from ember._tensor_str import _element_strings as format_elements

    return format_elements(values)
