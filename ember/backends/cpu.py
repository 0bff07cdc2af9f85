"""The CPU compute layer: NumPy, with ml_dtypes for bfloat16, plus the few kernels NumPy
lacks. Everything above ``ember/backends`` reaches arithmetic through this namespace."""

import builtins
import ctypes
import sys

import ml_dtypes
import numpy
from numpy import *  # noqa: F403  (the backend *is* a NumPy-like namespace)
from numpy.lib.stride_tricks import as_strided

# PyTorch never warns about floating-point errors (1 / 0 is inf, log(-1) is nan), and ops
# must not either: NumPy's divide / invalid / overflow warnings are turned off once here.
seterr(all="ignore")  # noqa: F405


# Note [Keeping freed memory]
# A training step allocates and frees the same multi-megabyte arrays again and again. glibc
# serves blocks above its mmap threshold with fresh pages and returns freed heap tops to the
# system, so each step pays page faults (zeroing) as costly as the arithmetic: a CNN step ran
# a third slower for it. Keeping blocks up to 32 MiB in the heap, and up to 256 MiB of free
# heap before trimming, lets steps reuse their memory.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3


def _keep_freed_memory() -> None:
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc
        return
    libc.mallopt(_M_MMAP_THRESHOLD, 32 << 20)
    libc.mallopt(_M_TRIM_THRESHOLD, 256 << 20)


_keep_freed_memory()

bfloat16 = dtype(ml_dtypes.bfloat16)  # noqa: F405
finfo = ml_dtypes.finfo
iinfo = ml_dtypes.iinfo
ndarray = numpy.ndarray
as_strided = as_strided


class _Interface:
    """Exposes raw memory to ``numpy.asarray`` while keeping its owner alive."""

    def __init__(self, interface, owner):
        self.__array_interface__ = interface
        self.base = owner


def byte_span(array):
    """A flat uint8 array over all the memory that ``array`` can address, from its first
    element on. ``array`` has no negative strides."""
    if array.flags.c_contiguous:
        return array.reshape(-1).view(uint8)  # noqa: F405
    span = 0 if array.size == 0 else array.itemsize + builtins.sum(
        (n - 1) * s for n, s in zip(array.shape, array.strides)
    )
    pointer = array.__array_interface__["data"][0]
    interface = {"data": (pointer, False), "shape": (span,), "typestr": "|u1", "version": 3}
    return asarray(_Interface(interface, array))  # noqa: F405


def data_pointer(array) -> int:
    return array.__array_interface__["data"][0]


def strided_view(buffer, np_dtype, shape, strides, offset):
    """A view of ``buffer`` (a flat uint8 array) with element ``strides`` and ``offset``."""
    itemsize = np_dtype.itemsize
    return ndarray(shape, np_dtype, buffer, offset * itemsize,
                   tuple(s * itemsize for s in strides))


def empty_bytes(nbytes: int):
    return empty(nbytes, uint8)  # noqa: F405


_UNSIGNED_OF_SIZE = {2: numpy.uint16, 4: numpy.uint32, 8: numpy.uint64}


def _selects_by_bits(condition, x, y) -> bool:
    """Whether ``where(condition, x, y)`` may take the bit-mask path: two arrays of one
    2-, 4- or 8-byte dtype, each of the condition's shape or 0-d, all contiguous, and enough
    elements to pay for the extra passes."""
    if not (type(x) is ndarray and type(y) is ndarray and type(condition) is ndarray):
        return False
    shape = condition.shape
    return (condition.dtype == bool_ and x.dtype == y.dtype  # noqa: F405
            and x.dtype.itemsize in _UNSIGNED_OF_SIZE and condition.size >= 1024
            and condition.flags.c_contiguous
            and all(v.ndim == 0 or (v.shape == shape and v.flags.c_contiguous)
                    for v in (x, y)))


def where(condition, x=None, y=None):
    """``numpy.where``. On random masks NumPy's select loop mispredicts a branch per
    element; where it may, the elements are picked by bit masks instead,
    ``((x ^ y) & mask) ^ y``, which is exact for every value (NaN payloads, -0.0) and
    several times faster."""
    if x is None or y is None or not _selects_by_bits(condition, x, y):
        return numpy.where(condition) if x is None and y is None else numpy.where(
            condition, x, y)
    unsigned = _UNSIGNED_OF_SIZE[x.dtype.itemsize]
    mask = condition.view(uint8).astype(unsigned)  # noqa: F405
    negative(mask, out=mask)  # 0 or all ones  # noqa: F405
    picked = bitwise_xor(x.view(unsigned), y.view(unsigned))  # noqa: F405
    bitwise_and(picked, mask, out=picked)  # noqa: F405
    bitwise_xor(picked, y.view(unsigned), out=picked)  # noqa: F405
    return picked.view(x.dtype)


# NumPy's maximum against a scalar runs an element-at-a-time loop; against an array, its
# vectorized one, three times as fast on float32. relu therefore takes its zeros from a block
# of this many, broadcast over the rows of the input seen as rows of the block's length.
_ZERO_BLOCK = 1 << 14
_zero_blocks = {}


def relu(array, out=None):
    """``maximum(array, 0)``: NaN stays NaN. Arrays below one block take the plain loop."""
    dtype = array.dtype
    if array.size < _ZERO_BLOCK or dtype.kind != "f" or dtype.itemsize < 4 or not (
            array.flags.c_contiguous and (out is None or out.flags.c_contiguous)):
        return maximum(array, dtype.type(0), out=out)  # noqa: F405
    zeros = _zero_blocks.get(dtype)
    if zeros is None:
        zeros = _zero_blocks[dtype] = zeros_like(empty(_ZERO_BLOCK, dtype))  # noqa: F405
    if out is None:
        out = empty_like(array)  # noqa: F405
    flat, flat_out = array.reshape(-1), out.reshape(-1)
    rows, left = divmod(flat.size, _ZERO_BLOCK)
    whole = rows * _ZERO_BLOCK
    maximum(flat[:whole].reshape(rows, _ZERO_BLOCK), zeros,  # noqa: F405
            out=flat_out[:whole].reshape(rows, _ZERO_BLOCK))
    if left:
        maximum(flat[whole:], zeros[:left], out=flat_out[whole:])  # noqa: F405
    return out


def zero_where(condition, values):
    """``where(condition, 0, values)`` for ``values`` of ``condition``'s shape, both
    contiguous, by a bit mask (exact for every value, as ``where`` above)."""
    if not (values.flags.c_contiguous and condition.flags.c_contiguous
            and values.shape == condition.shape and values.dtype.itemsize in _UNSIGNED_OF_SIZE):
        return numpy.where(condition, values.dtype.type(0), values)
    unsigned = _UNSIGNED_OF_SIZE[values.dtype.itemsize]
    keep = condition.view(uint8).astype(unsigned)  # noqa: F405
    subtract(keep, 1, out=keep)  # all ones where values stay, 0 where they are zeroed  # noqa: F405
    bitwise_and(values.view(unsigned), keep, out=keep)  # noqa: F405
    return keep.view(values.dtype)


# Note [Fused multiply-add]
# PyTorch's add and sub with ``alpha`` (and so the updates of its optimizers) compute
# ``input + alpha * other`` as one fused multiply-add, rounded once. NumPy has no such ufunc:
# a product and a sum round twice, and about 2% of float32 results then differ in the last
# bit. BLAS's axpy, ``y += alpha * x``, is that fused multiply-add, and on large arrays it
# runs on BLAS's threads: it serves float32 and float64 operands, other layouts through a
# contiguous copy. (addcmul's ``input + (value * tensor1) * tensor2`` is a fused multiply-add
# in PyTorch too; BLAS has no elementwise form, and computing through float64 made Adam's
# update half as slow again, so ember's addcmul rounds its product and its sum apart.)
_AXPY_NAMES = {  # the BLAS symbols and the C type of their sizes, 64-bit builds first
    "s": (("scipy_cblas_saxpy64_", ctypes.c_int64), ("cblas_saxpy64_", ctypes.c_int64),
          ("cblas_saxpy", ctypes.c_int)),
    "d": (("scipy_cblas_daxpy64_", ctypes.c_int64), ("cblas_daxpy64_", ctypes.c_int64),
          ("cblas_daxpy", ctypes.c_int)),
}
_axpy = None  # {dtype: ctypes function}, found on first use


def _find_axpy() -> dict:
    """saxpy and daxpy of the BLAS that NumPy loaded, by dtype ({} where it has none)."""
    from threadpoolctl import threadpool_info  # inspects the process: only on first use

    for info in threadpool_info():
        if info.get("user_api") != "blas":
            continue
        try:
            library = ctypes.CDLL(info["filepath"])
        except OSError:
            continue
        found = {}
        for letter, value_type, np_type in (("s", ctypes.c_float, float32),  # noqa: F405
                                            ("d", ctypes.c_double, float64)):  # noqa: F405
            for name, size_type in _AXPY_NAMES[letter]:
                function = getattr(library, name, None)
                if function is not None:
                    function.argtypes = (size_type, value_type, ctypes.c_void_p, size_type,
                                         ctypes.c_void_p, size_type)
                    function.restype = None
                    found[dtype(np_type)] = function  # noqa: F405
                    break
        if len(found) == 2:
            return found
    return {}


def add_scaled(input, other, alpha, out=None):
    """``input + alpha * other`` for arrays of one dtype that broadcast together, into
    ``out`` if given (it may be ``input``): rounded once for float32 and float64 (Note [Fused
    multiply-add]), twice for other dtypes."""
    global _axpy
    if _axpy is None:
        _axpy = _find_axpy()
    axpy = _axpy.get(other.dtype)
    if axpy is None:  # a NumPy without a BLAS that has axpy: rounded twice
        return add(input, multiply(other, other.dtype.type(alpha)), out=out)  # noqa: F405
    shape = broadcast_shapes(input.shape, other.shape) if out is None else out.shape  # noqa: F405
    if other.shape != shape or not (other.flags.c_contiguous or other.flags.f_contiguous):
        other = ascontiguousarray(broadcast_to(other, shape))  # noqa: F405
    # axpy runs over memory: the target must have other's layout, element for element
    target = out if _axpy_target(out, input, other) else empty_like(other)  # noqa: F405
    if target is not input:
        copyto(target, input)  # noqa: F405
    itemsize, source, destination = other.itemsize, other.ctypes.data, target.ctypes.data
    for start in range(0, other.size, _AXPY_CHUNK):
        count = builtins.min(_AXPY_CHUNK, other.size - start)
        axpy(count, alpha, source + start * itemsize, 1, destination + start * itemsize, 1)
    if out is None:
        return target
    if target is not out:
        copyto(out, target)  # noqa: F405
    return out


_AXPY_CHUNK = 1 << 30  # elements per call: a size fits a 32-bit BLAS's int


def _axpy_target(out, input, other) -> bool:
    """Whether axpy may write into ``out`` itself: laid out as ``other``, and either apart
    from it or, updating ``input`` in place, ``other`` itself."""
    return out is not None and out.strides == other.strides and (
        not may_share_memory(out, other)  # noqa: F405
        or out is input and out.ctypes.data == other.ctypes.data)


def lerp(start, stop, weight, out=None):
    """PyTorch's ``lerp`` with a number ``weight``: from ``start`` for ``|weight| < 0.5``,
    ``start + weight * (stop - start)``, else from ``stop``, ``stop + (weight - 1) *
    (stop - start)``, each a fused multiply-add (exact at both ends)."""
    difference = asarray(subtract(stop, start))  # 0-d operands make a NumPy scalar  # noqa: F405
    weight = difference.dtype.type(weight)
    if abs(weight) < 0.5:  # noqa: F405
        return add_scaled(start, difference, weight, out=out)
    return add_scaled(stop, difference, weight - 1, out=out)


# NumPy's add.at adds rows of a matrix one at a time (1.5 ms for 1024 rows of 128 float32,
# an embedding's gradient); add_rows adds, at once, the first value for each row, then the
# second, and so on: the same sums in the same order, six times as fast while rows repeat
# only a few times each.
_MOST_REPEATS = 32


def add_rows(data, rows, values):
    """``add.at(data, rows, values)`` for a 1-d index ``rows`` of ``data``'s first axis:
    ``data[rows[i]] += values[i]`` in the order of ``i``."""
    if data.ndim < 2 or rows.size < 64:
        return add.at(data, rows, values)  # noqa: F405
    rows = where(rows < 0, rows + data.shape[0], rows)  # noqa: F405
    order = argsort(rows, kind="stable")  # noqa: F405
    ordered = rows[order]
    starts_group = concatenate(([True], ordered[1:] != ordered[:-1]))  # noqa: F405
    positions = arange(rows.size)  # noqa: F405
    group_start = maximum.accumulate(where(starts_group, positions, 0))  # noqa: F405
    repeat = empty_like(order)  # noqa: F405
    repeat[order] = positions - group_start  # how many earlier values go to the same row
    repeats = int(repeat.max()) + 1
    if repeats > _MOST_REPEATS:
        return add.at(data, rows, values)  # noqa: F405
    for count in range(repeats):
        picked = flatnonzero(repeat == count)  # noqa: F405
        data[rows[picked]] += values[picked]


# Below this length NumPy takes the max of a last axis one short row at a time, several times
# slower than across the rows of the transpose, where its vectorized loop runs. (Sums keep
# NumPy's own order, which rounds closer to PyTorch's kernels.)
_SHORT_AXIS = 16


def max_kept(data, axes):
    """``maximum.reduce(data, axis=axes, keepdims=True)``; a short last axis of a contiguous
    array is reduced across the rows of its transpose (the same values: max is exact)."""
    if (axes == (data.ndim - 1,) and data.ndim > 1 and data.shape[-1] <= _SHORT_AXIS
            and data.flags.c_contiguous):
        last = data.ndim - 1
        columns = ascontiguousarray(data.transpose((last, *range(last))))  # noqa: F405
        return maximum.reduce(columns, axis=0)[..., None]  # noqa: F405
    return maximum.reduce(data, axis=axes, keepdims=True)  # noqa: F405
