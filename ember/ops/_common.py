"""What every op module shares: type promotion kinds, operand preparation, ``out=``
and in-place writing, dim wrapping, and attaching methods to Tensor."""

from __future__ import annotations

import warnings

from ember import _dtype
from ember._device import _CPU
from ember._tensor import Tensor, _make, _wrap_dim
from ember.backends import cpu as _cpu

ndarray = _cpu.ndarray

# Type promotion kinds, as PyTorch names them: how an op's result dtype follows from the
# promoted dtype of its inputs.
DEFAULT = "default"  # the promoted dtype
INT_TO_FLOAT = "int_to_float"  # bool and integer results become the default float dtype
ALWAYS_BOOL = "always_bool"  # comparisons
COMPLEX_TO_FLOAT = "complex_to_float"  # abs: complex gives its real dtype

_HALF_TYPES = (_dtype.float16, _dtype.bfloat16)


def method(*names):
    """Attach the decorated function to Tensor under ``names``."""

    def attach(function):
        for name in names:
            setattr(Tensor, name, function)
        return function

    return attach


def result_dtype(promoted, kind):
    if kind is DEFAULT:
        return promoted
    if kind is INT_TO_FLOAT:
        return promoted if promoted._category >= 2 else _dtype.get_default_dtype()
    if kind is ALWAYS_BOOL:
        return _dtype.bool
    return promoted.to_real()


def compute_dtype(dtype):
    """Half-precision ops compute in float32 and round once, like PyTorch's opmath."""
    return _dtype.float32 if dtype in _HALF_TYPES else dtype


def operand(value, np_dtype):
    """``value`` (a tensor or a Python number) as a backend operand of ``np_dtype``."""
    if isinstance(value, Tensor):
        data = value._data
        return data if data.dtype == np_dtype else data.astype(np_dtype)
    try:
        return np_dtype.type(value)
    except OverflowError:  # out-of-range integers wrap around, as in PyTorch
        return _cpu.array(value).astype(np_dtype)


def compute_operand(tensor):
    """``tensor``'s backend array in its dtype's computation dtype (float32 for half)."""
    return operand(tensor, compute_dtype(tensor._dtype)._np)


def finish(data, dtype, device=_CPU) -> Tensor:
    """Wrap a kernel's result, making sure it is an array of ``dtype``."""
    if data.__class__ is not ndarray:
        data = _cpu.asarray(data)
    if data.dtype != dtype._np:
        data = data.astype(dtype._np)
    return _make(data, dtype, device)


def device_of(*values):
    for value in values:
        if isinstance(value, Tensor):
            return value._device
    return _CPU


def check_same_device(*tensors):
    devices = {t._device for t in tensors if isinstance(t, Tensor)}
    if len(devices) > 1:
        first, second = sorted(devices, key=str)[:2]
        raise RuntimeError("Expected all tensors to be on the same device, but found at "
                           f"least two devices, {first} and {second}!")


def cast_error(result: _dtype.dtype, target: _dtype.dtype) -> RuntimeError:
    return RuntimeError(f"result type {result._legacy_name} can't be cast to the desired "
                        f"output type {target._legacy_name}")


def has_internal_overlap(data) -> bool:
    """Whether two elements of ``data`` surely share memory (a broadcast dim)."""
    strides = data.strides
    return 0 in strides and any(s == 0 and n > 1 for n, s in zip(data.shape, strides))


def check_no_internal_overlap(target: Tensor) -> None:
    """Refuse, as PyTorch's TensorIterator does, to write an op's result into a tensor
    whose elements share memory: which of their values would win is undefined."""
    if has_internal_overlap(target._data):
        raise RuntimeError("unsupported operation: more than one element of the written-to "
                           "tensor refers to a single memory location. Please clone() the "
                           "tensor before performing the operation.")


def write_out(out: Tensor, result: Tensor, check_overlap: bool = True) -> Tensor:
    """Store ``result`` into ``out`` as PyTorch's ``out=`` does: refuse a lossy cast of
    category, resize if needed (warning when a non-empty tensor changes shape), then refuse
    an ``out`` whose elements share memory (unless ``check_overlap`` is false: PyTorch's
    reductions and some products write such an out)."""
    if not isinstance(out, Tensor):
        raise TypeError(f"argument 'out' must be Tensor, not {type(out).__name__}")
    if not _dtype.can_cast(result._dtype, out._dtype):
        raise cast_error(result._dtype, out._dtype)
    shape = result._data.shape
    if out._data.shape != shape:
        if out._data.size:
            warnings.warn(
                f"An output with one or more elements was resized since it had shape "
                f"{list(out._data.shape)}, which does not match the required output shape "
                f"{list(shape)}. This behavior is deprecated, and in a future PyTorch "
                "release outputs will not be resized unless they have zero elements. You "
                "can explicitly reuse an out tensor t by resizing it, inplace, to zero "
                "elements with t.resize_(0).", UserWarning, stacklevel=3)
        out.resize_(shape)
        if result.stride() != out.stride():  # a resized out takes the result's layout
            out._set_layout(out.untyped_storage(), out.storage_offset(), shape, result.stride())
    if check_overlap:
        check_no_internal_overlap(out)
    _cpu.copyto(out._data, result._data, casting="unsafe")
    out._bump_version()
    return out


def check_out_dtype(out, expected, message=None) -> None:
    """Refuse an ``out=`` tensor whose dtype is not exactly ``expected``, as ops that cannot
    cast into their out do (with ``message`` for ops that word it their own way). Anything
    but a tensor passes: None, or a tuple whose tensors are checked one by one."""
    if isinstance(out, Tensor) and out._dtype is not expected:
        raise RuntimeError(message or f"Expected out tensor to have dtype {expected._cpp_name}, "
                           f"but got {out._dtype._cpp_name} instead")


def check_inplace(target: Tensor, result_dtype, result_shape, check_overlap: bool = True):
    """Refuse an in-place op whose result cannot be stored in ``target`` (nor, unless
    ``check_overlap`` is false, a ``target`` whose elements share memory)."""
    if check_overlap:
        check_no_internal_overlap(target)
    if not _dtype.can_cast(result_dtype, target._dtype):
        raise cast_error(result_dtype, target._dtype)
    if result_shape != target._data.shape:
        raise RuntimeError(f"output with shape {list(target._data.shape)} doesn't match the "
                           f"broadcast shape {list(result_shape)}")


def broadcast_error(shape_a, shape_b) -> RuntimeError:
    """PyTorch's message for shapes that do not broadcast."""
    a, b = tuple(shape_a), tuple(shape_b)
    for position in range(1, max(len(a), len(b)) + 1):
        size_a = a[-position] if position <= len(a) else 1
        size_b = b[-position] if position <= len(b) else 1
        if size_a != size_b and 1 not in (size_a, size_b):
            dim = max(len(a), len(b)) - position
            return RuntimeError(f"The size of tensor a ({size_a}) must match the size of "
                                f"tensor b ({size_b}) at non-singleton dimension {dim}")
    return RuntimeError(f"shapes {list(a)} and {list(b)} cannot be broadcast together")


def shape_of(value):
    return value._data.shape if isinstance(value, Tensor) else ()


def broadcast_shape(*shapes):
    first = shapes[0]
    if all(shape == first or shape == () for shape in shapes):  # equal shapes, scalars
        return first
    try:
        return _cpu.broadcast_shapes(*shapes)
    except ValueError:
        raise broadcast_error(*shapes[:2]) from None


def reduction_dims(dim, ndim: int):
    """``dim`` (None, an int, or a sequence) as a sorted tuple of non-negative dims, or
    None for all dims."""
    if dim is None:
        return None
    if isinstance(dim, int):
        return (_wrap_dim(dim, ndim),)
    dims = tuple(_wrap_dim(d, ndim) for d in dim)
    if len(set(dims)) != len(dims):
        repeated = next(d for d in dims if dims.count(d) > 1)
        raise RuntimeError(f"dim {repeated} appears multiple times in the list of dims")
    return tuple(sorted(dims)) if dims else None


def sum_kept(value, axes):
    """``value`` summed over ``axes`` (None: all), keeping them, in ember ops."""
    return value.sum() if axes is None else value.sum(axes, keepdim=True)


def as_tensor_operand(value):
    """A Tensor for ``value``, which may be a Python number (becomes a 0-dim tensor)."""
    if isinstance(value, Tensor):
        return value
    return finish(_cpu.asarray(value), _dtype._scalar_dtype(value))


__all__ = [
    "ALWAYS_BOOL", "COMPLEX_TO_FLOAT", "DEFAULT", "INT_TO_FLOAT", "Tensor", "as_tensor_operand",
    "broadcast_error", "broadcast_shape", "cast_error", "check_inplace", "check_same_device",
    "compute_dtype", "compute_operand", "device_of", "finish", "method", "operand",
    "reduction_dims", "result_dtype", "shape_of", "sum_kept", "write_out", "_wrap_dim",
]
