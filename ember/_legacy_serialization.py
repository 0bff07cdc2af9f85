"""PyTorch's checkpoint format before the zip one (``_use_new_zipfile_serialization=False``).

Note [PyTorch's legacy checkpoint format]
The file is a run of pickles, all of the same protocol, then raw storage bytes:
  1. the magic number ``0x1950A86A20F9469CFC6C``;
  2. the format version, 1001;
  3. the system's description: ``{"protocol_version": 1001, "little_endian": bool,
     "type_sizes": {"short": 2, "int": 4, "long": 4}}``;
  4. the object, pickled as in the zip format (see Note [PyTorch's checkpoint format]) except
     that a storage's persistent id carries a sixth field, the storage view (always None):
     ``('storage', storage_type, key, location, numel, None)``;
  5. the list of storage keys;
then, for each key in the order of that list, the storage's element count (8 bytes, in the
byte order of step 3) and its bytes. Nothing is aligned and nothing is checked: a reader
finds each storage by reading everything before it.
"""

from __future__ import annotations

import sys

from ember.backends import cpu as _cpu
from ember.serialization import (
    _ascii,
    _CheckpointPickling,
    _pickler_class,
    _read_exactly,
    _Storages,
    _swap_bytes,
)

_MAGIC = 0x1950A86A20F9469CFC6C
_PROTOCOL_VERSION = 1001
_TYPE_SIZES = {"short": 2, "int": 4, "long": 4}  # what PyTorch records, whatever the system


class _LegacyPickling(_CheckpointPickling):
    """The zip format's pickling, with the storage view field of the legacy persistent id."""

    def persistent_id(self, obj):
        saved_id = super().persistent_id(obj)
        return None if saved_id is None else (*saved_id, None)


def save_legacy(obj, file, pickle_module, protocol: int):
    """Write ``obj`` to ``file`` (needs only ``write``) in the legacy format."""
    for header in (_MAGIC, _PROTOCOL_VERSION, {"protocol_version": _PROTOCOL_VERSION,
                                                "little_endian": sys.byteorder == "little",
                                                "type_sizes": _TYPE_SIZES}):
        pickle_module.dump(header, file, protocol=protocol)
    pickler = _pickler_class(pickle_module, _LegacyPickling)(file, protocol)
    pickler.dump(obj)
    storages = pickler.storages.values()
    pickle_module.dump([key for key, _, _ in storages], file, protocol=protocol)
    for _, storage, dtype in storages:
        file.write((storage.nbytes() // dtype.itemsize).to_bytes(8, sys.byteorder))
        file.write(memoryview(_cpu.ascontiguousarray(storage._bytes)))


def load_legacy(file, new_unpickler, map_location):
    """Read an object written in the legacy format: its storages are read after the object
    is unpickled, so the unpickling makes empty ones that the bytes then fill."""
    magic = new_unpickler(file, None).load()
    if type(magic) is not int or magic != _MAGIC:
        raise RuntimeError("Invalid magic number; corrupt file?")
    version = new_unpickler(file, None).load()
    if version != _PROTOCOL_VERSION:
        raise RuntimeError(f"Invalid protocol version: {version}")
    system = new_unpickler(file, None).load()
    byteorder = "little" if not isinstance(system, dict) or system.get("little_endian",
                                                                        True) else "big"
    dtypes = {}  # key -> dtype of the storages the object names; filled while unpickling

    def empty_storage(key, nbytes, dtype):
        dtypes[key] = dtype
        return _cpu.empty(nbytes, _cpu.uint8)

    storages = _Storages(map_location, empty_storage)
    result = new_unpickler(file, storages).load()
    keys = new_unpickler(file, None).load()
    if not isinstance(keys, list) or sorted(map(_ascii, keys)) != sorted(dtypes):
        raise RuntimeError("The checkpoint's list of storages does not match its object: the "
                           "file is corrupted.")
    for key in map(_ascii, keys):
        data, dtype = storages.loaded[key]._bytes, dtypes[key]
        count = file.read(8)
        if len(count) != 8 or int.from_bytes(count, byteorder) * dtype.itemsize != len(data):
            raise RuntimeError(f"Bad size of storage {key}: the checkpoint is truncated or "
                               "corrupted.")
        _read_exactly(file, memoryview(data), f"storage {key}")
        if byteorder != sys.byteorder:
            _swap_bytes(data, dtype)
    return result

