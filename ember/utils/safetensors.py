"""Reading and writing the safetensors format, as the ``safetensors.torch`` package does.

A safetensors file is an 8-byte little-endian header length, a UTF-8 JSON header mapping each
tensor's name to its ``dtype`` code, ``shape`` and ``data_offsets`` (begin and end in the data
area), with an optional ``"__metadata__"`` table of strings, then the tensors' raw
little-endian bytes, back to back. ember writes byte for byte what the reference writer
writes: tensors ordered by decreasing alignment then by name, the header padded with spaces
to a multiple of 8 bytes.
"""

from __future__ import annotations

import io
import json
import os
import secrets
import sys

import numpy

from ember import _dtype
from ember._device import _as_device
from ember._tensor import Tensor, _make

__all__ = ["SafetensorError", "save", "save_file", "load", "load_file"]


class SafetensorError(Exception):
    """A safetensors header or file that cannot be read or written."""


# Each dtype ember has and the format knows, by its code in the header, in the reference
# writer's order: a larger alignment first (so every tensor's data stays aligned).
_CODES = {
    _dtype.int64: "I64",
    _dtype.float64: "F64",
    _dtype.complex64: "C64",
    _dtype.float32: "F32",
    _dtype.int32: "I32",
    _dtype.bfloat16: "BF16",
    _dtype.float16: "F16",
    _dtype.int16: "I16",
    _dtype.int8: "I8",
    _dtype.uint8: "U8",
    _dtype.bool: "BOOL",
}
_DTYPES = {code: dtype for dtype, code in _CODES.items()}
_WRITE_RANK = {code: rank for rank, code in enumerate(_CODES.values())}
# Codes of the format that name dtypes ember lacks: a file holding them is valid but unloadable.
_FOREIGN_CODES = {"U16", "U32", "U64", "F8_E4M3", "F8_E4M3FNUZ", "F8_E5M2", "F8_E5M2FNUZ",
                  "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2"}
_METADATA_KEY = "__metadata__"
_MAX_HEADER_BYTES = 100_000_000  # the reference reader's limit
_BIG_ENDIAN = sys.byteorder == "big"


# --- writing ------------------------------------------------------------------------------


def save(tensors: dict[str, Tensor], metadata: dict[str, str] | None = None) -> bytes:
    """The bytes of a safetensors file holding ``tensors``.

    Args:
        tensors: names to tensors; non-contiguous tensors are written contiguous. Tensors
            must not share memory.
        metadata: optional text-only entries stored in the header.

    Example::

        >>> blob = save({"weight": ember.zeros(2, 3)})
        >>> load(blob)["weight"].shape
        torch.Size([2, 3])
    """
    stream = io.BytesIO()
    _write(stream, *_prepare(tensors, metadata))
    return stream.getvalue()


def save_file(tensors: dict[str, Tensor], filename: str | os.PathLike,
              metadata: dict[str, str] | None = None) -> None:
    """Write ``tensors`` to ``filename`` in the safetensors format (see :func:`save`).

    The file is written next to its destination under a temporary name and moved into place
    once complete, so a crash never leaves a truncated file behind.
    """
    path = os.fspath(filename)
    header, ordered = _prepare(tensors, metadata)  # bad input fails before any file exists
    directory, name = os.path.split(path)
    temporary = os.path.join(directory, f".{name}.{secrets.token_hex(6)}.tmp")
    # os.open applies the umask, so the file gets the permissions any new file would.
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(descriptor, "wb") as file:
            _write(file, header, ordered)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def _write(stream, header: bytes, ordered):
    stream.write(len(header).to_bytes(8, "little"))
    stream.write(header)
    for tensor in ordered:  # one contiguous copy at a time, and only where one is needed
        array = numpy.ascontiguousarray(tensor._data).reshape(-1)
        if _BIG_ENDIAN:
            array = array.byteswap()
        stream.write(array.view(numpy.uint8))


def _prepare(tensors, metadata):
    """The padded header and the tensors in the order their bytes follow it."""
    _check_tensors(tensors)
    entries = {} if metadata is None else {_METADATA_KEY: _checked_metadata(metadata)}
    offset = 0
    order = sorted(tensors, key=lambda name: (_WRITE_RANK[_code(tensors[name])], name))
    for name in order:
        tensor = tensors[name]
        nbytes = tensor.nbytes
        entries[name] = {"dtype": _code(tensor), "shape": list(tensor._data.shape),
                         "data_offsets": [offset, offset + nbytes]}
        offset += nbytes
    header = json.dumps(entries, ensure_ascii=False, separators=(",", ":")).encode()
    return header + b" " * (-len(header) % 8), [tensors[name] for name in order]


def _code(tensor: Tensor) -> str:
    code = _CODES.get(tensor._dtype)
    if code is None:
        supported = ", ".join(str(dtype) for dtype in _CODES)
        raise SafetensorError(f"Unknown dtype {tensor._dtype}: safetensors stores only "
                              f"{supported}")
    return code


def _check_tensors(tensors):
    if not isinstance(tensors, dict):
        raise ValueError(f"Expected a dict of [str, torch.Tensor] but received {type(tensors)}")
    for name, tensor in tensors.items():
        if not isinstance(name, str):
            raise TypeError(f"tensor names must be str, got {type(name).__name__}: {name!r}")
        if name == _METADATA_KEY:
            raise ValueError(f"`{_METADATA_KEY}` is reserved for the metadata and cannot name "
                             "a tensor")
        if not isinstance(tensor, Tensor):
            raise ValueError(f"Key `{name}` is invalid, expected torch.Tensor but received "
                             f"{type(tensor)}")
        _code(tensor)
    shared = _memory_sharing_groups(tensors)
    if shared:
        listed = ", ".join("{" + ", ".join(map(repr, group)) + "}" for group in shared)
        raise RuntimeError(
            "Some tensors share memory, this will lead to duplicate memory on disk and "
            f"potential differences when loading them again: [{listed}]. Save each shared "
            "tensor once and re-slice it after loading, or save .clone()s of the views.")


def _memory_sharing_groups(tensors) -> list[list[str]]:
    """Names of tensors whose memory overlaps, in groups of two or more (sorted)."""
    spans = []
    for name, tensor in tensors.items():
        data = tensor._data
        if data.size:
            start = tensor.data_ptr()
            extent = sum((n - 1) * s for n, s in zip(data.shape, data.strides))
            spans.append((start, start + extent + data.itemsize, name))
    spans.sort()
    groups, group, group_end = [], [], -1
    for start, end, name in spans:
        if start >= group_end:
            groups.append(group)
            group = []
        group.append(name)
        group_end = max(group_end, end)
    groups.append(group)
    return [sorted(group) for group in groups if len(group) > 1]


def _checked_metadata(metadata) -> dict[str, str]:
    if not isinstance(metadata, dict):
        raise TypeError(f"metadata must be a dict of str to str, got {type(metadata).__name__}")
    for key, value in metadata.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise TypeError(f"metadata must map str to str, got {key!r}: {value!r}")
    return metadata


# --- reading ------------------------------------------------------------------------------


def load(data: bytes) -> dict[str, Tensor]:
    """The tensors of a safetensors file given as bytes: writable tensors over one copy of
    the data, in the order of their data.

    Example::

        >>> load(save({"bias": ember.ones(2)}))["bias"]
        tensor([1., 1.])
    """
    entries, data_start = _read_header(io.BytesIO(data), len(data))
    area = numpy.frombuffer(data, numpy.uint8, offset=data_start).copy()
    return _tensors(entries, area)


def load_file(filename: str | os.PathLike, device: str | int = "cpu") -> dict[str, Tensor]:
    """The tensors of the safetensors file ``filename``, in the order of their data.

    The file is mapped copy-on-write, as the package does: each tensor reads its pages when
    first used, and writes to it stay private to the tensor (the file never changes).

    Args:
        filename: the file to read.
        device: where the tensors go; ember computes on the CPU only.
    """
    _as_device(device)  # an unknown or unavailable device fails before reading
    with open(filename, "rb") as file:
        total_size = os.fstat(file.fileno()).st_size
        entries, data_start = _read_header(file, total_size)
        if total_size == data_start:  # nothing to map (mmap refuses an empty range)
            return _tensors(entries, numpy.empty(0, numpy.uint8))
        area = numpy.memmap(file, numpy.uint8, "c", data_start, (total_size - data_start,))
    return _tensors(entries, area.view(numpy.ndarray))  # the mapping outlives the file object


def _tensors(entries, area) -> dict[str, Tensor]:
    """A tensor over each entry's bytes of the writable data ``area``."""
    tensors = {}
    for name, dtype, shape, (begin, end) in entries:
        raw = area[begin:end]
        if begin % dtype.itemsize:  # another writer's misaligned data: into an aligned copy
            raw = raw.copy()
        array = raw.view(dtype._np).reshape(shape)
        if _BIG_ENDIAN:
            array = array.byteswap()  # a copy: the mapped file stays as it is
        tensors[name] = _make(array, dtype)
    return tensors


def _malformed(problem: str) -> SafetensorError:
    return SafetensorError(f"Error while deserializing: {problem}")


def _invalid_header(problem: str) -> SafetensorError:
    return _malformed(f"invalid JSON in header: {problem}")


def _read_header(stream, total_size: int):
    """The entries (name, dtype, shape, data offsets) of the file, ordered by offset, and
    where its data area starts."""
    if total_size < 8:
        raise _malformed("header too small")
    header_size = int.from_bytes(stream.read(8), "little")
    if header_size > _MAX_HEADER_BYTES:
        raise _malformed("header too large")
    data_start = 8 + header_size
    if data_start > total_size:
        raise _malformed("invalid header length")
    try:
        header = json.loads(stream.read(header_size).decode("utf-8"))
    except UnicodeDecodeError as error:
        raise _malformed(f"invalid UTF-8 in header: {error}") from error
    except json.JSONDecodeError as error:
        raise _invalid_header(str(error)) from error
    if not isinstance(header, dict):
        raise _invalid_header(f"expected an object, got {type(header).__name__}")
    _check_read_metadata(header.pop(_METADATA_KEY, None))
    entries = sorted((_entry(name, info) for name, info in header.items()),
                     key=lambda entry: entry[3])
    covered = 0
    for name, dtype, shape, (begin, end) in entries:
        if begin != covered or end < begin:
            raise _malformed(f"invalid offset for tensor `{name}`")
        if _count(shape) * dtype.itemsize != end - begin:
            raise _malformed(f"invalid shape, data type, or offset for tensor `{name}`")
        covered = end
    if data_start + covered != total_size:
        raise _malformed("incomplete metadata, file not fully covered")
    return entries, data_start


def _check_read_metadata(metadata):
    if metadata is None:
        return
    if not isinstance(metadata, dict) or not all(
            isinstance(value, str) for value in metadata.values()):
        raise _invalid_header(f"`{_METADATA_KEY}` must map strings to strings")


def _entry(name: str, info):
    if not isinstance(info, dict) or not {"dtype", "shape", "data_offsets"} <= info.keys():
        raise _invalid_header(f"tensor `{name}` needs dtype, shape and data_offsets")
    code, shape, offsets = info["dtype"], info["shape"], info["data_offsets"]
    if code in _FOREIGN_CODES:
        raise _malformed(f"tensor `{name}` has dtype {code}, which ember does not support")
    if code not in _DTYPES:
        raise _invalid_header(f"unknown dtype {code!r} of tensor `{name}`")
    if not _is_count_list(shape):
        raise _invalid_header(f"shape of tensor `{name}` must be a list of sizes")
    if not _is_count_list(offsets) or len(offsets) != 2:
        raise _invalid_header(f"data_offsets of tensor `{name}` must be [begin, end]")
    return name, _DTYPES[code], tuple(shape), tuple(offsets)


def _is_count_list(value) -> bool:
    return isinstance(value, list) and all(
        type(item) is int and item >= 0 for item in value)  # bool is an int: excluded


def _count(shape) -> int:
    count = 1
    for size in shape:
        count *= size
    return count
