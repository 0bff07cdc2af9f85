"""Making tensors: from Python data and NumPy arrays, filled, ranges, random."""

from __future__ import annotations

import builtins
import math
import warnings

from ember import _dtype
from ember._device import _as_device, _factory_device
from ember._tensor import Tensor, _make, _sizes_from_args
from ember.backends import cpu as _cpu
from ember.ops._common import finish, write_out
from ember.random import _bits


def _finish_factory(data, dtype, device, requires_grad):
    result = _make(data, dtype, device)
    if requires_grad:
        result.requires_grad_(True)
    return result


def _infer_dtype(array, data):
    """PyTorch's dtype for Python data that NumPy turned into ``array``."""
    kind = array.dtype.kind
    if kind == "b":
        return _dtype.bool
    if kind == "i":
        return _dtype.int64
    if kind == "u":
        if array.dtype == _cpu.uint64:
            raise RuntimeError("Overflow when unpacking long")
        return _dtype.int64
    if kind == "f":
        return _dtype.get_default_dtype()
    if kind == "c":
        default = _dtype.get_default_dtype()
        if default is _dtype.bfloat16:
            raise RuntimeError("invalid default scalar type for complex")
        return _dtype.complex128 if default is _dtype.float64 else _dtype.complex64
    if kind == "O":
        raise RuntimeError("Overflow when unpacking long")
    raise TypeError(f"new(): invalid data type '{type(data).__name__}'")


def _check_elements(data):
    if isinstance(data, list | tuple):
        for item in data:
            if isinstance(item, Tensor) and item._data.size != 1:
                raise ValueError("only one element tensors can be converted to Python scalars")


def _array_from_data(data, dtype):
    """A fresh backend array holding ``data`` (Python numbers, nested sequences, NumPy
    arrays or tensors), with PyTorch's dtype inference when ``dtype`` is None."""
    if isinstance(data, Tensor):
        return data._data.copy(), dtype or data._dtype
    if isinstance(data, _cpu.ndarray | _cpu.generic):
        source_dtype = _dtype._from_np(data.dtype)
        return _cpu.array(data, dtype=(dtype or source_dtype)._np), dtype or source_dtype
    _check_elements(data)
    try:
        array = _cpu.array(data)
    except ValueError as error:
        raise ValueError(f"expected sequence of equal lengths ({error})") from None
    except OverflowError:
        raise RuntimeError("Overflow when unpacking long") from None
    inferred = _infer_dtype(array, data)
    dtype = dtype or inferred
    if array.dtype != dtype._np:
        array = array.astype(dtype._np)
    return array, dtype


def tensor(data, *, dtype=None, device=None, requires_grad: bool = False,
           pin_memory: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data``, dtype inferred as PyTorch does."""
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use "
            "sourceTensor.detach().clone() or sourceTensor.detach().clone()."
            "requires_grad_(True), rather than torch.tensor(sourceTensor).",
            UserWarning, stacklevel=2)
    array, dtype = _array_from_data(data, dtype)
    return _finish_factory(array, dtype, _factory_device(device), requires_grad)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """``data`` as a tensor, sharing memory with a tensor or NumPy array when possible."""
    if isinstance(data, Tensor):
        return data.to(device=device, dtype=dtype)
    if isinstance(data, _cpu.ndarray) and (dtype is None or dtype._np == data.dtype):
        return from_numpy(data)
    array, dtype = _array_from_data(data, dtype)
    return _make(array, dtype, _factory_device(device))


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad: bool = False):
    result = as_tensor(obj, dtype=dtype, device=device)
    if copy:
        result = result.clone()
    return result.requires_grad_(True) if requires_grad else result


def from_numpy(ndarray) -> Tensor:
    """A tensor sharing memory with ``ndarray``: writes to either show in both."""
    if not isinstance(ndarray, _cpu.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    dtype = _dtype._from_np(ndarray.dtype)
    if any(s < 0 for s in ndarray.strides):
        raise ValueError(
            "At least one stride in the given numpy array is negative, and tensors with "
            "negative strides are not currently supported. (You can probably work around this "
            "by making a copy of your array  with array.copy().) ")
    if any(s % ndarray.itemsize for s in ndarray.strides):
        raise ValueError("given numpy array strides not a multiple of the element byte size. "
                         "Copy the numpy array to reallocate the memory.")
    if not ndarray.dtype.isnative:
        raise ValueError("given numpy array has byte order different from the native byte "
                         "order. Conversion between byte orders is currently not supported.")
    if not ndarray.flags.writeable:
        warnings.warn("The given NumPy array is not writable, and PyTorch does not support "
                      "non-writable tensors. This means writing to this tensor will result in "
                      "undefined behavior. You may want to copy the array to protect its data "
                      "or make it writable before converting it to a tensor. This type of "
                      "warning will be suppressed for the rest of this program.",
                      UserWarning, stacklevel=2)
    return _make(ndarray.view(), dtype)


def _rebuild_from_array(array, dtype_name):
    return _make(array, getattr(_dtype, dtype_name))


def _converted(source: Tensor, dtype, device) -> Tensor:
    """A copy of ``source`` with another dtype or on another device."""
    _as_device(device)
    data = source._data
    if source._dtype.is_complex and not dtype.is_complex:
        warnings.warn("Casting complex values to real discards the imaginary part",
                      UserWarning, stacklevel=3)
        data = data.real
    return _make(data.astype(dtype._np, order="K"), dtype, device)


# --- filled tensors --------------------------------------------------------------------------


def _shape(args, size):
    shape = _sizes_from_args(args) if size is None else _sizes_from_args((size,))
    for n in shape:
        if n < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {n}: "
                               f"{list(shape)}")
    return shape


def _filled(fill, shape, dtype, device, requires_grad, out):
    if out is not None:
        out.resize_(shape)
        out._data[...] = fill
        out._bump_version()
        return out
    dtype = dtype or _dtype.get_default_dtype()
    return _finish_factory(_cpu.full(shape, fill, dtype._np), dtype, _factory_device(device),
                           requires_grad)


def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False) -> Tensor:
    """A tensor of zeros of the given size."""
    shape = _shape(size, None)
    if out is None:
        dtype = dtype or _dtype.get_default_dtype()
        return _finish_factory(_cpu.zeros(shape, dtype._np), dtype, _factory_device(device),
                               requires_grad)
    return _filled(0, shape, dtype, device, requires_grad, out)


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False) -> Tensor:
    """A tensor of ones of the given size."""
    return _filled(1, _shape(size, None), dtype, device, requires_grad, out)


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, memory_format=None) -> Tensor:
    """An uninitialized tensor of the given size (here: zero-filled memory)."""
    return zeros(*size, out=out, dtype=dtype, device=device, requires_grad=requires_grad)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None,
         requires_grad=False) -> Tensor:
    """A tensor of ``size`` filled with ``fill_value``; dtype inferred from the value."""
    if dtype is None:
        dtype = _dtype._scalar_dtype(fill_value)
    return _filled(fill_value, _shape((size,), None), dtype, device, requires_grad, out)


def _like(input, dtype, device):
    return dtype or input._dtype, device if device is not None else input._device


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None) -> Tensor:
    dtype, device = _like(input, dtype, device)
    return zeros(input._data.shape, dtype=dtype, device=device, requires_grad=requires_grad)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None) -> Tensor:
    dtype, device = _like(input, dtype, device)
    return ones(input._data.shape, dtype=dtype, device=device, requires_grad=requires_grad)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None) -> Tensor:
    dtype, device = _like(input, dtype, device)
    return empty(input._data.shape, dtype=dtype, device=device, requires_grad=requires_grad)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None) -> Tensor:
    dtype, device = _like(input, dtype, device)
    return full(input._data.shape, fill_value, dtype=dtype, device=device,
                requires_grad=requires_grad)


def eye(n: int, m: int | None = None, *, out=None, dtype=None, layout=None, device=None,
        requires_grad=False) -> Tensor:
    """A 2-D tensor with ones on the diagonal."""
    m = n if m is None else m
    if n < 0 or m < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {min(n, m)}")
    dtype = dtype or _dtype.get_default_dtype()
    result = _finish_factory(_cpu.eye(n, m, dtype=dtype._np), dtype, _factory_device(device),
                             requires_grad)
    return result if out is None else write_out(out, result)


# --- ranges ------------------------------------------------------------------------------------


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False) -> Tensor:
    """Values from ``start`` up to (not including) ``end``, ``step`` apart."""
    if end is None:
        start, end = 0, start
    bounds = [builtins.float(v) if isinstance(v, Tensor) and v._dtype.is_floating_point
              else v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    start, end, step = bounds
    if dtype is None:
        dtype = (_dtype.get_default_dtype()
                 if any(isinstance(v, builtins.float) for v in bounds) else _dtype.int64)
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    length = builtins.max(math.ceil((end - start) / step), 0)
    if dtype._category <= 1:
        data = (start + step * _cpu.arange(length, dtype=_cpu.int64)).astype(dtype._np)
    else:
        data = (start + step * _cpu.arange(length, dtype=_cpu.float64)).astype(dtype._np)
    result = _finish_factory(data, dtype, _factory_device(device), requires_grad)
    return result if out is None else write_out(out, result)


def _symmetric_steps(start, end, steps, np_dtype):
    """``steps`` evenly spaced values computed from both ends, rounding like PyTorch."""
    if steps == 1:
        return _cpu.full(1, start, np_dtype)
    scalar = np_dtype.type
    start, end = scalar(start), scalar(end)
    step = (end - start) / scalar(steps - 1)
    index = _cpu.arange(steps)
    halfway = steps // 2
    head = start + step * index[:halfway].astype(np_dtype)
    tail = end - step * (steps - 1 - index[halfway:]).astype(np_dtype)
    return _cpu.concatenate([head, tail])


def linspace(start, end, steps: int, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive."""
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    dtype = dtype or _dtype.get_default_dtype()
    if dtype._category >= 2:
        compute = _cpu.dtype(_cpu.float32) if dtype.itemsize == 2 else dtype._np
        data = _symmetric_steps(start, end, steps, compute).astype(dtype._np)
    else:
        data = _symmetric_steps(start, end, steps, _cpu.dtype(_cpu.float64))
        data = _cpu.trunc(data).astype(dtype._np)
    result = _finish_factory(data[:steps], dtype, _factory_device(device), requires_grad)
    return result if out is None else write_out(out, result)


def logspace(start, end, steps: int, base: float = 10.0, *, out=None, dtype=None, layout=None,
             device=None, requires_grad=False) -> Tensor:
    """``steps`` values from ``base ** start`` to ``base ** end``, evenly spaced in log."""
    dtype = dtype or _dtype.get_default_dtype()
    compute = _cpu.dtype(_cpu.float64) if dtype._category <= 1 else (
        _cpu.dtype(_cpu.float32) if dtype.itemsize == 2 else dtype._np)
    exponents = _symmetric_steps(start, end, steps, compute)[:steps]
    data = _cpu.power(compute.type(base), exponents).astype(dtype._np)
    result = _finish_factory(data, dtype, _factory_device(device), requires_grad)
    return result if out is None else write_out(out, result)


# --- random ------------------------------------------------------------------------------------


def _random(sample, size, generator, dtype, device, requires_grad, out):
    shape = _shape(size, None)
    dtype = dtype or _dtype.get_default_dtype()
    data = sample(_bits(generator), shape).astype(dtype._np)
    result = _finish_factory(data, dtype, _factory_device(device), requires_grad)
    return result if out is None else write_out(out, result)


def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False) -> Tensor:
    """Uniform samples from [0, 1)."""
    return _random(lambda bits, shape: bits.random(shape, _cpu.float32), size, generator,
                   dtype, device, requires_grad, out)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False) -> Tensor:
    """Samples from the standard normal distribution."""
    return _random(lambda bits, shape: bits.standard_normal(shape, _cpu.float32), size,
                   generator, dtype, device, requires_grad, out)


def randint(low=0, high=None, size=None, *, generator=None, out=None, dtype=None, layout=None,
            device=None, requires_grad=False) -> Tensor:
    """Integers drawn uniformly from [low, high)."""
    if size is None:
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} "
                           f">= to={high}")
    dtype = dtype or _dtype.int64
    return _random(lambda bits, shape: bits.integers(low, high, shape), (tuple(size),),
                   generator, dtype, device, requires_grad, out)


def rand_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None) -> Tensor:
    dtype, device = _like(input, dtype, device)
    return rand(input._data.shape, dtype=dtype, device=device, requires_grad=requires_grad)


def randn_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None) -> Tensor:
    dtype, device = _like(input, dtype, device)
    return randn(input._data.shape, dtype=dtype, device=device, requires_grad=requires_grad)


def randint_like(input, low=0, high=None, *, dtype=None, layout=None, device=None,
                 requires_grad=False, memory_format=None) -> Tensor:
    if high is None:
        low, high = 0, low
    dtype, device = _like(input, dtype, device)
    return randint(low, high, input._data.shape, dtype=dtype, device=device)


# --- legacy constructors -----------------------------------------------------------------------


def _legacy_new(cls, dtype, args, device):
    """``Tensor(...)`` / ``FloatTensor(...)``: data from a sequence, or an uninitialized
    tensor from sizes."""
    if not args:
        return empty(0, dtype=dtype, device=device)
    first = args[0]
    sizes_given = builtins.all(isinstance(a, builtins.int) for a in args) or (
        len(args) == 1 and first.__class__.__name__ == "Size")
    if sizes_given:
        return empty(*args, dtype=dtype, device=device)
    if len(args) > 1:
        raise TypeError("new(): invalid arguments; expected sizes or one sequence of data")
    if isinstance(first, Tensor):
        if first._dtype is not dtype:
            raise TypeError(f"expected {dtype._legacy_name} (got {first._dtype._legacy_name})")
        return first
    array, dtype = _array_from_data(first, dtype)
    return finish(array, dtype, _factory_device(device))


class _LegacyTensorType(type):
    """Makes ``isinstance(t, FloatTensor)`` check the dtype, as in PyTorch."""

    def __instancecheck__(cls, instance):
        return isinstance(instance, Tensor) and instance._dtype is cls._legacy_dtype

    def __repr__(cls):
        return f"<class 'torch.{cls.__name__}'>"


def _legacy_type(name, dtype):
    def new(cls, *args, device=None):
        return _legacy_new(cls, dtype, args, device)

    return _LegacyTensorType(name, (), {"__new__": new, "_legacy_dtype": dtype,
                                        "dtype": dtype})


FloatTensor = _legacy_type("FloatTensor", _dtype.float32)
DoubleTensor = _legacy_type("DoubleTensor", _dtype.float64)
HalfTensor = _legacy_type("HalfTensor", _dtype.float16)
BFloat16Tensor = _legacy_type("BFloat16Tensor", _dtype.bfloat16)
ByteTensor = _legacy_type("ByteTensor", _dtype.uint8)
CharTensor = _legacy_type("CharTensor", _dtype.int8)
ShortTensor = _legacy_type("ShortTensor", _dtype.int16)
IntTensor = _legacy_type("IntTensor", _dtype.int32)
LongTensor = _legacy_type("LongTensor", _dtype.int64)
BoolTensor = _legacy_type("BoolTensor", _dtype.bool)


# --- Tensor methods that make or fill tensors -------------------------------------------------


def _new_factory(factory):
    def new(self, *args, dtype=None, device=None, requires_grad=False, **kwargs):
        return factory(*args, dtype=dtype or self._dtype,
                       device=self._device if device is None else device,
                       requires_grad=requires_grad, **kwargs)

    return new


Tensor.new_zeros = _new_factory(zeros)
Tensor.new_ones = _new_factory(ones)
Tensor.new_empty = _new_factory(empty)
Tensor.new_full = _new_factory(full)
Tensor.new_tensor = _new_factory(tensor)


def _fill(self, value):
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor "
                               f"with {value._data.ndim} dimensions.")
        value = value.item()
    self._data[...] = value
    self._bump_version()
    return self


Tensor.fill_ = _fill
Tensor.zero_ = lambda self: _fill(self, 0)
