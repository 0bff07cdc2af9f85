"""Serialization: ember.save / ember.load in PyTorch's file format.

Note [PyTorch's checkpoint format]
A checkpoint is an uncompressed zip archive whose records sit in one folder, named after the
file ("archive" for file objects):
  data.pkl            the object, pickled (protocol 2). A tensor is pickled as a call to
                      ``torch._utils._rebuild_tensor_v2(storage, offset, size, stride,
                      requires_grad, backward_hooks)``; its storage is a persistent id
                      ``('storage', torch.<Dtype>Storage, key, location, numel)``.
  .format_version, .storage_alignment, byteorder, version, .data/serialization_id
  data/<key>          the bytes of one storage, written once however many tensors view it.
The bytes of every record start at a multiple of 64 in the file (a padding field in the
record's local header) so that ``mmap=True`` can map storages where they lie. The pickle
names PyTorch's globals (``torch._utils._rebuild_tensor_v2``, ``torch.FloatStorage``,
``torch.Size``, ``torch.float16``, ...): ember writes them by name, without importing torch,
and maps them back to its own objects when it reads a file. The format before this one is
read and written by ember/_legacy_serialization.py.
"""

from __future__ import annotations

import _compat_pickle
import codecs
import collections
import contextlib
import functools
import io
import os
import pickle
import secrets
import stat
import struct
import sys
import zipfile
import zlib

from ember import _dtype
from ember._device import device
from ember._size import Size
from ember._storage import TypedStorage, UntypedStorage
from ember._tensor import Tensor
from ember.backends import cpu as _cpu

__all__ = ["save", "load"]

_ALIGNMENT = 64
_ZIP64_LIMIT = 0xFFFFFFFF  # sizes and offsets from here on need zip64 fields
_ZIP64_MARKER = 0xFFFFFFFF  # what a header holds where the zip64 field has the value
_ZIP_MAGIC = b"PK\x03\x04"
_LOCAL_HEADER = struct.Struct("<IHHHHHIIIHH")
_CENTRAL_HEADER = struct.Struct("<IHHHHHHIIIHHHHHII")
_DOS_DATE = 0x21  # 1980-01-01, the earliest date a zip header can hold
_DTYPES = {value for value in vars(_dtype).values() if isinstance(value, _dtype.dtype)}


# --- globals that weights-only loading may use ------------------------------------------

_user_safe_globals: set = set()


def add_safe_globals(safe_globals: list) -> None:
    """Let ``load(weights_only=True)`` use these globals (classes or functions). An entry is
    the object itself, found under ``module.qualname``, or a pair ``(object, "module.name")``.
    """
    for entry in safe_globals:
        if isinstance(entry, tuple):
            if len(entry) != 2:
                raise ValueError("Expected tuple of length 2 (global, str of callable full "
                                 f"path), but got tuple of length: {len(entry)}")
            if type(entry[1]) is not str:
                raise TypeError("Expected second item in tuple to be str of callable full "
                                f"path, but got: {type(entry[1])}")
    _user_safe_globals.update(safe_globals)


def get_safe_globals() -> list:
    """The globals added with :func:`add_safe_globals`."""
    return list(_user_safe_globals)


def clear_safe_globals() -> None:
    """Forget every global added with :func:`add_safe_globals`."""
    _user_safe_globals.clear()


class safe_globals:
    """Context manager: ``add_safe_globals(globals)`` for the duration of a ``with`` block."""

    def __init__(self, safe_globals: list):
        self.safe_globals = list(safe_globals)

    def __enter__(self):
        self._added = [entry for entry in self.safe_globals if entry not in _user_safe_globals]
        add_safe_globals(self.safe_globals)

    def __exit__(self, *exc_info):
        _user_safe_globals.difference_update(self._added)


def _user_globals_by_name() -> dict:
    named = {}
    for entry in _user_safe_globals:
        if isinstance(entry, tuple):
            named[entry[1]] = entry[0]
        else:
            named[f"{entry.__module__}.{entry.__qualname__}"] = entry
    return named


class _StorageType:
    """What a pickled ``torch.<Dtype>Storage`` class stands for: the dtype of a storage."""

    __slots__ = ("dtype",)

    def __init__(self, dtype):
        self.dtype = dtype

    def __repr__(self):
        return f"StorageType(dtype={self.dtype})"


@functools.cache
def _torch_globals() -> dict:
    """PyTorch's names that a checkpoint may use, mapped to what ember builds for them: the
    whole of what weights-only loading allows besides the user's safe globals."""
    from ember.nn.parameter import Parameter

    table = {
        "collections.OrderedDict": collections.OrderedDict,
        "collections.Counter": collections.Counter,
        "builtins.set": set,
        "builtins.complex": complex,
        "builtins.bytearray": bytearray,
        "_codecs.encode": codecs.encode,  # how protocol 2 pickles bytes
        "torch.Size": Size,
        "torch.device": device,
        "torch.Tensor": Tensor,
        "torch._tensor.Tensor": Tensor,
        "torch.nn.parameter.Parameter": Parameter,
        "torch._utils._rebuild_tensor": _rebuild_tensor,
        "torch._utils._rebuild_tensor_v2": _rebuild_tensor_v2,
        "torch._utils._rebuild_parameter": _rebuild_parameter,
        "torch._utils._rebuild_parameter_with_state": _rebuild_parameter_with_state,
        "torch._tensor._rebuild_from_type_v2": _rebuild_from_type_v2,
        "torch.UntypedStorage": _StorageType(_dtype.uint8),
        "torch.storage.UntypedStorage": _StorageType(_dtype.uint8),
    }
    for dtype in _DTYPES:
        table[f"torch.{dtype._name}"] = dtype
        table[f"torch.{dtype._legacy_name}Storage"] = _StorageType(dtype)
    return table


# --- rebuilding tensors -------------------------------------------------------------------


def _rebuild_tensor(storage, storage_offset, size, stride):
    """A tensor viewing ``storage`` (a TypedStorage read from the file), checked to fit."""
    from ember.ops.creation import empty

    if not isinstance(storage, TypedStorage):
        raise pickle.UnpicklingError(f"expected a storage to rebuild a tensor from, got "
                                     f"{type(storage).__name__}")
    size, stride = tuple(size), tuple(stride)
    layout = (storage_offset, *size, *stride)
    if len(size) != len(stride) or not all(type(n) is int and n >= 0 for n in layout):
        raise pickle.UnpicklingError(f"invalid tensor layout: size {list(size)}, stride "
                                     f"{list(stride)}, storage offset {storage_offset}")
    dtype, untyped = storage.dtype, storage._untyped_storage
    needed = 0 if 0 in size else (storage_offset + 1 + sum(
        (n - 1) * s for n, s in zip(size, stride))) * dtype.itemsize
    if needed > untyped.nbytes():
        raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, storage "
                           f"offset {storage_offset}, and itemsize {dtype.itemsize} requiring "
                           f"a storage size of {needed} are out of bounds for storage of size "
                           f"{untyped.nbytes()}")
    return empty(0, dtype=dtype, device=untyped.device).set_(untyped, storage_offset, size,
                                                              stride)


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks,
                       metadata=None):
    tensor = _rebuild_tensor(storage, storage_offset, size, stride)
    if requires_grad:
        tensor.requires_grad_(True)
    return tensor


def _rebuild_parameter(data, requires_grad, backward_hooks):
    from ember.nn.parameter import Parameter

    return Parameter(data, requires_grad)


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    return _set_state(_rebuild_parameter(data, requires_grad, backward_hooks), state)


def _rebuild_from_type_v2(func, new_type, args, state):
    """What PyTorch pickles for tensor subclasses and tensors with attributes."""
    from ember.nn.parameter import Parameter

    result = func(*args)
    if new_type is Parameter and not isinstance(result, Parameter):
        result = Parameter(result, result.requires_grad)
    elif not (isinstance(new_type, type) and isinstance(result, new_type)):
        raise pickle.UnpicklingError(f"cannot rebuild a tensor as {new_type}")
    return _set_state(result, state)


def _set_state(obj, state):
    """Give ``obj`` the attributes that PyTorch pickled beside it: a dict, or a pair
    (dict, slots dict)."""
    if not state:
        return obj
    dict_state, slots_state = state if isinstance(state, tuple) else (state, None)
    for name, value in {**(dict_state or {}), **(slots_state or {})}.items():
        setattr(obj, name, value)
    return obj


# --- saving ------------------------------------------------------------------------------


class _TorchName:
    """A global of PyTorch's, written into the pickle by name: ember never imports torch."""

    __slots__ = ("module", "name")

    def __init__(self, module: str, name: str):
        self.module = module
        self.name = name

    def __call__(self, *args):  # the pickler accepts only callables as reduce functions
        raise TypeError(f"{self.module}.{self.name} is PyTorch's, ember cannot call it")


_torch_name = functools.cache(_TorchName)  # one object per name, so the pickle memoizes it


class _CheckpointPickling:
    """Pickler behaviour shared by every pickle module: tensors, storages, sizes, devices
    and dtypes are written under PyTorch's names (see Note [PyTorch's checkpoint format])."""

    def __init__(self, file, protocol):
        super().__init__(file, protocol)
        self.storages = {}  # id(UntypedStorage) -> (key, storage, dtype)

    def persistent_id(self, obj):
        if isinstance(obj, TypedStorage):
            storage, dtype = obj._untyped_storage, obj.dtype
            storage_type = _torch_name("torch", f"{dtype._legacy_name}Storage")
        elif isinstance(obj, UntypedStorage):
            # PyTorch's name for it, the one its weights-only loading allows
            storage, dtype = obj, _dtype.uint8
            storage_type = _torch_name("torch.storage", "UntypedStorage")
        else:
            return None
        entry = self.storages.get(id(storage))
        if entry is None:
            entry = self.storages[id(storage)] = (str(len(self.storages)), storage, dtype)
        elif entry[2] is not dtype:
            raise RuntimeError("Cannot save multiple tensors or storages that view the same "
                               "data as different types")
        return ("storage", storage_type, entry[0], str(storage.device),
                storage.nbytes() // dtype.itemsize)

    def reducer_override(self, obj):
        cls = obj.__class__
        if isinstance(obj, Tensor):
            from ember.nn.parameter import Parameter

            if isinstance(obj, Parameter):
                return (_torch_name("torch._utils", "_rebuild_parameter"),
                        (obj.detach(), obj.requires_grad, collections.OrderedDict()))
            storage = TypedStorage(wrap_storage=obj.untyped_storage(), dtype=obj.dtype,
                                   _internal=True)
            return (_torch_name("torch._utils", "_rebuild_tensor_v2"),
                    (storage, obj.storage_offset(), tuple(obj.shape), obj.stride(),
                     obj.requires_grad, collections.OrderedDict()))
        if cls is Size:
            return _torch_name("torch", "Size"), (tuple(obj),)
        if cls is device:
            location = (obj.type,) if obj.index is None else (obj.type, obj.index)
            return _torch_name("torch", "device"), location
        return NotImplemented

    def save_torch_global(self, module: str, name: str, obj):
        if self.proto >= 4:
            self.save(module)
            self.save(name)
            self.write(pickle.STACK_GLOBAL)
        else:
            self.write(pickle.GLOBAL + f"{module}\n{name}\n".encode())
        self.memoize(obj)


@functools.cache
def _pickler_class(pickle_module, pickling=_CheckpointPickling):
    base = pickle._Pickler if pickle_module is pickle else pickle_module.Pickler
    if not issubclass(base, pickle._Pickler):
        raise TypeError("ember.save needs a pickle module whose Pickler derives from the "
                        "pure-Python pickle._Pickler")
    dispatch = dict(base.dispatch)
    dispatch[_TorchName] = lambda self, obj: self.save_torch_global(obj.module, obj.name, obj)
    dispatch[_dtype.dtype] = lambda self, obj: self.save_torch_global("torch", obj._name, obj)
    return type("CheckpointPickler", (pickling, base), {"dispatch": dispatch})


class _ZipWriter:
    """Writes an uncompressed zip archive record by record, as PyTorch lays it out: each
    record's bytes start on a 64-byte boundary. Needs only ``write`` of the file."""

    def __init__(self, file, archive_name: str):
        self._file = file
        self._prefix = archive_name
        self._offset = 0
        self._entries = []  # (name, crc, size, header offset)

    def _write(self, data):
        self._file.write(data)
        self._offset += memoryview(data).nbytes

    def write_record(self, name: str, data):
        """Write one record, ``data`` being bytes or a contiguous uint8 array."""
        full_name = f"{self._prefix}/{name}".encode()
        view = memoryview(data).cast("B")
        size, crc = view.nbytes, zlib.crc32(view)
        zip64_sizes = size >= _ZIP64_LIMIT
        extra = struct.pack("<HHQQ", 1, 16, size, size) if zip64_sizes else b""
        padding = -(self._offset + _LOCAL_HEADER.size + len(full_name) + len(extra) + 4)
        padding %= _ALIGNMENT
        extra += struct.pack("<HH", 0x4246, padding) + b"Z" * padding  # "FB" padding field
        stored_size = _ZIP64_MARKER if zip64_sizes else size
        header = _LOCAL_HEADER.pack(0x04034B50, 45 if zip64_sizes else 20, 0, 0, 0, _DOS_DATE,
                                    crc, stored_size, stored_size, len(full_name), len(extra))
        self._entries.append((full_name, crc, size, self._offset))
        self._write(header + full_name + extra)
        self._write(view)

    def finish(self):
        """Write the central directory and the end records."""
        directory_start, needs_zip64 = self._offset, False
        for name, crc, size, offset in self._entries:
            # the zip64 field holds just the values too large for their place, in this order
            large = [value for value in (size, size, offset) if value >= _ZIP64_LIMIT]
            extra = struct.pack(f"<HH{len(large)}Q", 1, 8 * len(large), *large) if large else b""
            size = _ZIP64_MARKER if size >= _ZIP64_LIMIT else size
            offset = _ZIP64_MARKER if offset >= _ZIP64_LIMIT else offset
            version = 45 if large else 20
            needs_zip64 = needs_zip64 or bool(large)
            self._write(_CENTRAL_HEADER.pack(0x02014B50, version, version, 0, 0, 0, _DOS_DATE,
                                             crc, size, size, len(name), len(extra), 0, 0, 0,
                                             0, offset) + name + extra)
        count, directory_size = len(self._entries), self._offset - directory_start
        if needs_zip64 or count >= 0xFFFF or directory_start >= _ZIP64_LIMIT:
            zip64_end = self._offset
            self._write(struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, count, count,
                                    directory_size, directory_start))
            self._write(struct.pack("<IIQI", 0x07064B50, 0, zip64_end, 1))
            count, directory_start = min(count, 0xFFFF), _ZIP64_MARKER
        self._write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, directory_size,
                                directory_start, 0))


def _write_checkpoint(obj, file, archive_name: str, pickle_module, protocol: int):
    pickled = io.BytesIO()
    pickler = _pickler_class(pickle_module)(pickled, protocol)
    pickler.dump(obj)
    writer = _ZipWriter(file, archive_name)
    writer.write_record("data.pkl", pickled.getbuffer())
    writer.write_record(".format_version", b"1")
    writer.write_record(".storage_alignment", str(_ALIGNMENT).encode())
    writer.write_record("byteorder", sys.byteorder.encode())
    for key, storage, _ in pickler.storages.values():
        writer.write_record(f"data/{key}", _cpu.ascontiguousarray(storage._bytes))
    writer.write_record("version", b"3\n")
    writer.write_record(".data/serialization_id", f"{secrets.randbits(128):040d}".encode())
    writer.finish()


def _replace_atomically(path: str, write):
    """Run ``write(file)`` on a fresh file beside ``path``, then move it over ``path``: an
    interrupted save leaves the previous file whole and no temporary file behind."""
    path = os.path.realpath(path)  # through a symlink, replace what it points to
    directory, base = os.path.split(path)
    if not os.path.isdir(directory):
        raise RuntimeError(f"Parent directory {directory} does not exist.")
    while True:
        temporary = os.path.join(directory, f".{base}.{secrets.token_hex(6)}.tmp")
        try:
            handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL
                             | getattr(os, "O_BINARY", 0), 0o666)
            break
        except FileExistsError:
            continue
    try:
        with os.fdopen(handle, "wb") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())
        with contextlib.suppress(FileNotFoundError):  # keep the old file's permissions
            os.chmod(temporary, stat.S_IMODE(os.stat(path).st_mode))
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def save(obj, f, pickle_module=pickle, pickle_protocol: int = 2,
         _use_new_zipfile_serialization: bool = True,
         _disable_byteorder_record: bool = False) -> None:
    """Save ``obj`` (tensors, state dicts, containers of them) to ``f`` in PyTorch's format:
    ``torch.load`` reads the file, and so does :func:`load`.

    Args:
        obj: the object to save.
        f: a path, or a file object open for writing bytes. A path is written to a
            temporary file first and moved into place when complete.
        pickle_module: the module that pickles ``obj``; its ``Pickler`` must derive from
            the pure-Python ``pickle._Pickler`` (the standard ``pickle`` qualifies).
        pickle_protocol: the pickle protocol of the object's pickle.
        _use_new_zipfile_serialization: False writes PyTorch's legacy format instead of the
            zip archive (see Note [PyTorch's legacy checkpoint format]).

    Example::

        >>> import io
        >>> buffer = io.BytesIO()
        >>> ember.save({"weight": ember.ones(2)}, buffer)
        >>> _ = buffer.seek(0)
        >>> ember.load(buffer)
        {'weight': tensor([1., 1.])}
    """
    path = os.fsdecode(f) if isinstance(f, (str, bytes, os.PathLike)) else None
    if _use_new_zipfile_serialization:
        archive_name = os.path.splitext(os.path.basename(path or ""))[0] or "archive"
        write = functools.partial(_write_checkpoint, obj, archive_name=archive_name,
                                  pickle_module=pickle_module, protocol=pickle_protocol)
    else:
        from ember._legacy_serialization import save_legacy

        write = functools.partial(save_legacy, obj, pickle_module=pickle_module,
                                  protocol=pickle_protocol)
    if path is None:
        write(f)
    else:
        _replace_atomically(path, write)


# --- loading -----------------------------------------------------------------------------

_BLOCKED_MODULES = ("sys", "os", "posix", "nt")
_WEIGHTS_ONLY_HEADER = (
    "Weights only load failed. This file can still be loaded, to do so you have two "
    "options, do those steps only if you trust the source of the checkpoint.\n"
    "\t(1) Re-running `ember.load` with `weights_only` set to `False` will likely succeed, "
    "but it can result in arbitrary code execution. Do it only if you got the file from a "
    "trusted source.\n"
    "\t(2) Alternatively, to load with `weights_only=True` please check the recommended "
    "steps in the following error message.\n\tWeightsUnpickler error: ")


class _Archive:
    """The records of a checkpoint's zip archive, read (checked against their CRC-32) or,
    with ``mmap``, mapped from the file copy-on-write."""

    def __init__(self, file, mapped_path: str | None):
        self._file = file
        file.seek(0, io.SEEK_END)
        self._file_size = file.tell()
        file.seek(0)
        try:
            self._zip = zipfile.ZipFile(file)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError,
                struct.error, NotImplementedError) as error:
            raise RuntimeError(f"PytorchStreamReader failed reading zip archive: {error}. The "
                               "checkpoint file is likely truncated or corrupted.") from None
        names = self._zip.namelist()
        self._prefix = names[0].split("/")[0] if names else ""
        self._mapped = None
        if mapped_path is not None:
            self._mapped = _cpu.memmap(mapped_path, dtype=_cpu.uint8, mode="c")
        byteorder = "little"
        if f"{self._prefix}/byteorder" in self._zip.NameToInfo:
            byteorder = self.read_record("byteorder").tobytes().decode("ascii", "replace")
        self._foreign_byteorder = byteorder != sys.byteorder

    def read_storage(self, key: str, nbytes: int, dtype):
        """The bytes of storage ``key``, checked to hold the ``nbytes`` it needs."""
        record = f"data/{key}"
        data = self.read_record(record, mapped=self._mapped is not None)
        if len(data) < nbytes:
            raise RuntimeError(f"Record {record} holds {len(data)} bytes but its storage needs "
                               f"{nbytes}: the checkpoint is truncated or corrupted.")
        data = data[:nbytes]
        if self._foreign_byteorder:
            _swap_bytes(data, dtype)
        return data

    def read_record(self, name: str, mapped: bool = False):
        """The bytes of record ``name``, as a uint8 array: mapped from the file, or read and
        checked against the record's CRC-32."""
        try:
            info = self._zip.getinfo(f"{self._prefix}/{name}")
        except KeyError:
            raise RuntimeError(f"The checkpoint has no record {self._prefix}/{name}: the file "
                               "is incomplete or corrupted.") from None
        if info.compress_type != zipfile.ZIP_STORED:
            if mapped:
                raise RuntimeError("mmap can only be used with uncompressed records, as "
                                   f"torch.save writes them; {info.filename} is compressed.")
            try:
                with self._zip.open(info) as stream:
                    return _cpu.frombuffer(bytearray(stream.read()), _cpu.uint8)
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as error:
                raise RuntimeError(f"Corrupted record {info.filename}: {error}") from None
        start = self._data_offset(info)
        if start + info.file_size > self._file_size:
            raise RuntimeError(f"Record {info.filename} runs past the end of the file: the "
                               "checkpoint is truncated.")
        if mapped:
            return self._mapped[start:start + info.file_size]
        data = _cpu.empty(info.file_size, _cpu.uint8)
        self._file.seek(start)
        _read_exactly(self._file, memoryview(data), info.filename)
        if info.CRC and zlib.crc32(data) != info.CRC:  # PyTorch may skip the CRC: it is 0 then
            raise RuntimeError(f"CRC-32 check failed for record {info.filename}: the "
                               "checkpoint is corrupted.")
        return data

    def _data_offset(self, info) -> int:
        self._file.seek(info.header_offset)
        header = self._file.read(_LOCAL_HEADER.size)
        if len(header) != _LOCAL_HEADER.size or not header.startswith(_ZIP_MAGIC):
            raise RuntimeError(f"Bad local header for record {info.filename}: the checkpoint "
                               "is corrupted.")
        name_length, extra_length = _LOCAL_HEADER.unpack(header)[-2:]
        return info.header_offset + _LOCAL_HEADER.size + name_length + extra_length


def _read_exactly(file, buffer: memoryview, name: str):
    filled = 0
    while filled < len(buffer):
        chunk = file.readinto(buffer[filled:])
        if not chunk:
            raise RuntimeError(f"Record {name} is cut short: the checkpoint is truncated.")
        filled += chunk


def _restore_location(storage: UntypedStorage, location: str, map_location):
    """``storage`` (read on the CPU) moved where ``map_location`` says, as torch.load does."""
    if isinstance(map_location, dict):
        location = map_location.get(location, location)
    elif isinstance(map_location, (str, device)):
        location = str(map_location)
    elif map_location is not None:
        moved = map_location(storage, location)
        if isinstance(moved, TypedStorage):
            moved = moved.untyped()
        if isinstance(moved, UntypedStorage):
            return moved
        if moved is not None:
            raise RuntimeError(f"map_location should return a storage or None, but it returned "
                            f"{type(moved).__name__}")
    target = device(location)
    if target.type == "cpu":
        return storage
    if target.type == "cuda":
        from ember import cuda

        if not cuda.is_available():
            raise RuntimeError(
                "Attempting to deserialize object on a CUDA device but "
                "torch.cuda.is_available() is False. If you are running on a CPU-only "
                "machine, please use ember.load with map_location=ember.device('cpu') to map "
                "your storages to the CPU.")
    raise RuntimeError(f"don't know how to restore data location of "
                       f"torch.storage.UntypedStorage (tagged with {location})")


class _Storages:
    """The storages of one load, each read once and shared by every tensor that views it,
    then moved where ``map_location`` says."""

    def __init__(self, map_location, read_storage):
        self.map_location = map_location
        self._read_storage = read_storage  # (key, nbytes) -> uint8 array
        self.loaded = {}  # key -> UntypedStorage

    def persistent_load(self, saved_id):
        """The TypedStorage that a persistent id of data.pkl names: ``('storage',
        storage_type, key, location, numel)``, plus a view field (None) in the legacy
        format."""
        if not (isinstance(saved_id, tuple) and len(saved_id) in (5, 6)
                and _ascii(saved_id[0]) == "storage" and saved_id[5:] in ((), (None,))):
            raise pickle.UnpicklingError(f"Unknown persistent id in data.pkl: {saved_id!r}")
        storage_type, key, location, numel = saved_id[1:5]
        key, location = _ascii(key), _ascii(location)
        if not (isinstance(storage_type, _StorageType) and isinstance(key, str)
                and isinstance(location, str) and type(numel) is int and numel >= 0):
            raise pickle.UnpicklingError(f"Invalid storage in data.pkl: {saved_id!r}")
        dtype = storage_type.dtype
        storage = self.loaded.get(key)
        if storage is None:
            data = self._read_storage(key, numel * dtype.itemsize, dtype)
            storage = UntypedStorage._wrap(data, device("cpu"))
            storage = self.loaded[key] = _restore_location(storage, location,
                                                           self.map_location)
        return TypedStorage(wrap_storage=storage, dtype=dtype, _internal=True)


class _CheckpointUnpickling:
    """Unpickler behaviour of both modes: persistent ids are storages (see _Storages)."""

    def persistent_load(self, saved_id):
        return self.storages.persistent_load(saved_id)


def _ascii(value):
    return value.decode("ascii") if isinstance(value, bytes) else value


class _WeightsOnlyUnpickler(_CheckpointUnpickling, pickle.Unpickler):
    """Builds only tensors, storages, containers, primitive values, sizes, dtypes, devices
    and the user's safe globals: every other global is refused before anything runs.

    Note [Weights-only loading]
    A pickle can call nothing but what its GLOBAL opcodes (and INST, OBJ, the extension
    registry) name, and the unpickler resolves each of those through ``find_class``. So
    answering ``find_class`` from an allowlist (PyTorch's, mapped to ember's objects, plus
    add_safe_globals) bounds what a file can run to these functions and classes, whose
    arguments ember checks (``_rebuild_tensor`` refuses layouts outside their storage).
    Tensors refuse BUILD (``Tensor.__setstate__`` raises).
    """

    def find_class(self, module, name):
        # Python 2 names, as protocols 0-2 write some builtins (what fix_imports does)
        if (module, name) in _compat_pickle.NAME_MAPPING:
            module, name = _compat_pickle.NAME_MAPPING[(module, name)]
        module = _compat_pickle.IMPORT_MAPPING.get(module, module)
        full_name = f"{module}.{name}"
        if module in _BLOCKED_MODULES:
            raise pickle.UnpicklingError(
                f"{_WEIGHTS_ONLY_HEADER}Unsupported global: GLOBAL {full_name} whose module "
                f"{module} is blocked.")
        for allowed in (_torch_globals(), _user_globals_by_name()):
            if full_name in allowed:
                return allowed[full_name]
        raise pickle.UnpicklingError(
            f"{_WEIGHTS_ONLY_HEADER}Unsupported global: GLOBAL {full_name} was not an allowed "
            f"global by default. Please use `ember.serialization.add_safe_globals"
            f"([{name}])` or the `ember.serialization.safe_globals([{name}])` context manager "
            "to allowlist this global if you trust this class/function.")


class _FullUnpickling(_CheckpointUnpickling):
    """Unpickles anything (``weights_only=False``), reading PyTorch's names as ember's."""

    def find_class(self, module, name):
        full_name = f"{module}.{name}"
        if full_name in _torch_globals():
            return _torch_globals()[full_name]
        if module == "torch" or module.startswith("torch."):
            module = "ember" + module[len("torch"):]
        return super().find_class(module, name)


@functools.cache
def _full_unpickler_class(pickle_module):
    return type("CheckpointUnpickler", (_FullUnpickling, pickle_module.Unpickler), {})


def _swap_bytes(data, dtype):
    """Reverse in place the byte order of each element of ``dtype`` in ``data``."""
    if dtype.itemsize > 1:
        data.view(dtype._np).byteswap(inplace=True)


def _load_zip(file, mapped_path, new_unpickler, map_location):
    archive = _Archive(file, mapped_path)
    pickled = io.BytesIO(archive.read_record("data.pkl"))
    return new_unpickler(pickled, _Storages(map_location, archive.read_storage)).load()


def _new_unpickler(weights_only, pickle_module, load_args, stream, storages):
    if weights_only:
        unpickler = _WeightsOnlyUnpickler(stream, **load_args)
    else:
        unpickler = _full_unpickler_class(pickle_module or pickle)(stream, **load_args)
    unpickler.storages = storages
    return unpickler


def _is_zip(file) -> bool:
    start = file.tell()
    magic = file.read(len(_ZIP_MAGIC))
    file.seek(start)
    return magic == _ZIP_MAGIC


def load(f, map_location=None, pickle_module=None, *, weights_only: bool | None = None,
         mmap: bool | None = None, **pickle_load_args):
    """Load an object saved by ``torch.save`` or :func:`save` (the zip format, or the legacy
    one); tensors come back as ember tensors, and views that shared a storage share one.

    Args:
        f: a path, or a seekable file object open for reading bytes.
        map_location: where storages go: ``"cpu"``, a device, a dict from saved location to
            location (``{"cuda:0": "cpu"}``), or ``callable(storage, location)`` returning
            a storage (or None for the default).
        pickle_module: the module that unpickles the file (only with ``weights_only=False``).
        weights_only: True (the default) builds only tensors, containers, primitive values
            and the globals of :func:`add_safe_globals`; False unpickles anything, which can
            run arbitrary code: use it only for files you trust.
        mmap: map the storages from the file (``f`` must be a path) instead of reading them.

    Example::

        >>> import io
        >>> buffer = io.BytesIO()
        >>> ember.save([ember.zeros(1)], buffer)
        >>> _ = buffer.seek(0)
        >>> ember.load(buffer, map_location="cpu")
        [tensor([0.])]
    """
    if weights_only is None:
        weights_only = pickle_module is None
    if weights_only and pickle_module is not None:
        raise RuntimeError("Can not safely load weights when explicit pickle_module is "
                           "specified")
    pickle_load_args.setdefault("encoding", "utf-8")
    new_unpickler = functools.partial(_new_unpickler, weights_only, pickle_module,
                                      pickle_load_args)
    path = os.fsdecode(f) if isinstance(f, (str, bytes, os.PathLike)) else None
    if mmap and path is None:
        raise ValueError("f must be a file path in order to use the mmap argument")
    with open(path, "rb") if path is not None else contextlib.nullcontext(f) as file:
        try:
            if _is_zip(file):
                return _load_zip(file, path if mmap else None, new_unpickler, map_location)
            if mmap:
                raise RuntimeError("mmap can only be used with files saved with "
                                   "`torch.save(_use_new_zipfile_serialization=True)`")
            from ember._legacy_serialization import load_legacy

            return load_legacy(file, new_unpickler, map_location)
        except (EOFError, ValueError, KeyError, IndexError, TypeError, AttributeError,
                struct.error, UnicodeDecodeError) as error:
            if not weights_only:
                raise
            raise pickle.UnpicklingError(
                f"{_WEIGHTS_ONLY_HEADER}The file could not be unpickled ({type(error).__name__}: "
                f"{error}); it may be truncated or corrupted.") from error
