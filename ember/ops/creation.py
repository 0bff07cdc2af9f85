"""Making tensors: from Python data and NumPy arrays, filled ones (zeros, ones, empty, full,
eye and their _like forms), the legacy typed constructors (FloatTensor, ...) and the Tensor
methods that make or fill tensors (new_*, fill_, zero_). Random tensors are made in
ember/ops/random_tensors.py, ranges in ember/ops/ranges.py."""

from __future__ import annotations

import builtins
import math
import warnings

from ember import _dtype
from ember._device import _as_device, _factory_device
from ember._size import preserve_format
from ember._tensor import Tensor, _contiguous_strides, _make, _product
from ember.autograd import grad_mode
from ember.backends import cpu as _cpu
from ember.ops._autograd import inplace_with_grad, needs_grad, record_op
from ember.ops._common import check_no_internal_overlap, finish
from ember.ops._layout import _layout_order, _strides_in_order
from ember.ops.copying import _memory_format_order, _non_overlapping_and_dense

_PYTHON_NUMBERS = (builtins.bool, builtins.int, builtins.float, builtins.complex)

# The C++ type names PyTorch's overflow messages use.
_C_NAMES = {
    _dtype.bool: "bool", _dtype.uint8: "uint8_t", _dtype.int8: "int8_t",
    _dtype.int16: "int16_t", _dtype.int32: "int", _dtype.int64: "int64_t",
    _dtype.float16: "c10::Half", _dtype.bfloat16: "c10::BFloat16", _dtype.float32: "float",
    _dtype.float64: "double", _dtype.complex64: "c10::complex<float>",
    _dtype.complex128: "c10::complex<double>",
}


def _finish_factory(data, dtype, device, requires_grad):
    result = _make(data, dtype, device)
    if requires_grad:
        result._set_requires_grad(True, "factory")
    return result


def _check_dtype_argument(function, dtype):
    if dtype is not None and not isinstance(dtype, _dtype.dtype):
        raise TypeError(f"{function}(): argument 'dtype' must be torch.dtype, not "
                        f"{type(dtype).__name__}")


# --- numbers into dtypes ----------------------------------------------------------------------
# Note [Checked conversion]: a Python number given where PyTorch takes a Scalar (a fill value,
# an end point) or an element of nested data is converted with a range check: an integer
# dtype refuses values outside [min, max], except that an unsigned dtype takes a negative int
# down to -max and wraps it (-1 becomes 255); float32 / float64 / complex refuse finite values
# beyond their largest (as do float16 and bfloat16, unless the value fills a one-element
# tensor: then they round to inf). Elements of nested data skip the floating-point check:
# only integer dtypes are checked there.


def _overflow(dtype, name=None) -> RuntimeError:
    return RuntimeError(f"value cannot be converted to type {name or _C_NAMES[dtype]} without "
                        "overflow")


def _fits_integer(value, dtype) -> builtins.bool:
    """Whether the Python number ``value`` may be stored in the integer ``dtype``."""
    info = _cpu.iinfo(dtype._np)
    if isinstance(value, builtins.float):
        # Compared as PyTorch compares doubles: int64's maximum rounds up to 2 ** 63.
        return info.min <= value <= builtins.float(info.max)
    low = -info.max if info.min == 0 else info.min
    return low <= value <= info.max


def _wrap_integer(value: builtins.int, dtype) -> builtins.int:
    """``value`` reduced modulo 2 ** bits into ``dtype``'s range, as a C cast does."""
    bits = dtype.itemsize * 8
    value &= (1 << bits) - 1
    if dtype.is_signed and value >= 1 << (bits - 1):
        value -= 1 << bits
    return value


def _as_number(value):
    """A fill value (a Python number, a NumPy scalar or a one-element tensor) as a Python
    number."""
    if isinstance(value, Tensor):
        return value.item()
    if isinstance(value, _cpu.generic):
        return value.item()
    return value


def _checked_scalar(value, dtype, single=False):
    """``value`` converted as a Scalar argument to ``dtype``; see Note [Checked conversion].
    ``single``: the value fills a one-element tensor, where PyTorch lets float16 and
    bfloat16 overflow to inf unchecked."""
    value = _as_number(value)
    if value.__class__ is builtins.int and not -(1 << 63) <= value < 1 << 64:
        raise OverflowError("int too big to convert")
    if dtype is _dtype.bool:
        return builtins.bool(value)
    if dtype.is_complex:
        value = builtins.complex(value)
        largest = builtins.float(_cpu.finfo(dtype.to_real()._np).max)
        if any(math.isfinite(part) and abs(part) > largest
               for part in (value.real, value.imag)):
            raise _overflow(dtype)
        return value
    if isinstance(value, builtins.complex):
        if value.imag:
            raise _overflow(dtype)
        value = value.real
    if dtype.is_floating_point:
        value = builtins.float(value)
        if (not single or dtype.itemsize >= 4) and math.isfinite(value) and (
                abs(value) > builtins.float(_cpu.finfo(dtype._np).max)):
            raise _overflow(dtype)
        return value
    if not _fits_integer(value, dtype):
        raise _overflow(dtype)
    return _wrap_integer(builtins.int(value), dtype)


def _scalar_array(value, dtype):
    """A 0-dim backend array of ``dtype`` holding the checked Python number ``value``."""
    if dtype.itemsize == 2 and dtype.is_floating_point:
        # PyTorch rounds a double to float first, then to the 16-bit type.
        return _cpu.array(_cpu.float32(value)).astype(dtype._np)
    return _cpu.array(value, dtype=dtype._np)


def _cast_array(array, dtype):
    """``array`` converted to ``dtype`` as PyTorch's copy kernels convert (16-bit floats are
    reached through float32; complex to real keeps the real part)."""
    target = dtype._np
    if array.dtype == target:
        return array
    if array.dtype.kind == "c" and not dtype.is_complex:
        array = array.real
    if dtype.itemsize == 2 and dtype.is_floating_point and array.dtype.itemsize != 2:
        array = array.astype(_cpu.float32)
    elif array.dtype.kind == "f" and dtype._category == 1 and dtype is not _dtype.int64:
        # Truncate toward zero, then wrap into the narrower type (-2.7 becomes 254 as uint8).
        array = array.astype(_cpu.int64)
    return array.astype(target)


# --- nested Python data -----------------------------------------------------------------------


def _is_sequence(obj) -> builtins.bool:
    """Whether PyTorch's data parser descends into ``obj`` as a sequence."""
    if isinstance(obj, list | tuple | _cpu.ndarray | range):
        return True
    if isinstance(obj, (Tensor, str, bytes, dict, _cpu.generic, *_PYTHON_NUMBERS)):
        return False
    kind = type(obj)
    return hasattr(kind, "__len__") and hasattr(kind, "__getitem__")


def _python_number_dtype(kind):
    if issubclass(kind, builtins.bool):
        return _dtype.bool
    if issubclass(kind, builtins.int):
        return _dtype.int64
    if issubclass(kind, builtins.float):
        return _dtype.get_default_dtype()
    default = _dtype.get_default_dtype()
    if default is _dtype.bfloat16:
        raise RuntimeError("invalid default scalar type for complex")
    return _dtype.complex128 if default is _dtype.float64 else _dtype.complex64


def _array_dtype(array) -> _dtype.dtype:
    """The dtype of a NumPy array or scalar given as data. (ember also takes ml_dtypes'
    bfloat16 arrays, which PyTorch cannot see.)"""
    if not array.dtype.isnative:
        raise ValueError("given numpy array has byte order different from the native byte "
                         "order. Conversion between byte orders is currently not supported.")
    return _dtype._from_np(array.dtype)


class _Scan:
    """What a walk over nested data found: the promoted dtype of its leaves, and whether
    any leaf is something other than a plain Python number."""

    __slots__ = ("dtype", "mixed")

    def __init__(self):
        self.dtype = None
        self.mixed = False

    def add(self, dtype):
        self.dtype = dtype if self.dtype is None else _dtype.promote_types(self.dtype, dtype)


def _leaf_dtype(item, scan):
    """Add the dtype of ``item``, found where a number is expected, to ``scan``."""
    if isinstance(item, _PYTHON_NUMBERS) and not isinstance(item, _cpu.generic):
        return _python_number_dtype(type(item))
    scan.mixed = True
    if isinstance(item, Tensor):
        if item._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an "
                            "index")
        if item._requires_grad:
            warnings.warn("Converting a tensor with requires_grad=True to a scalar may lead to "
                          "unexpected behavior. Consider using tensor.detach() first.",
                          UserWarning, stacklevel=5)
        return item._dtype
    if isinstance(item, _cpu.ndarray):
        raise TypeError("len() of unsized object")
    if isinstance(item, _cpu.generic):
        return _array_dtype(item)
    if isinstance(item, str | bytes):
        raise ValueError(f"too many dimensions '{type(item).__name__}'")
    if _is_sequence(item):
        raise TypeError(f"'{type(item).__name__}' object cannot be interpreted as an integer")
    raise RuntimeError(f"Could not infer dtype of {type(item).__name__}")


def _scan_level(data, sizes, dim, scan):
    """Check that ``data`` has the shape ``sizes[dim:]`` and add its leaves' dtypes."""
    if isinstance(data, _cpu.ndarray):
        if data.shape != tuple(sizes[dim:]):
            got = data.shape[0] if data.ndim else 0
            raise ValueError(f"expected sequence of length {sizes[dim]} at dim {dim} (got "
                             f"{got})")
        scan.mixed = True
        scan.add(_array_dtype(data))
        return
    length = len(data)
    if length != sizes[dim]:
        raise ValueError(f"expected sequence of length {sizes[dim]} at dim {dim} (got "
                         f"{length})")
    if dim + 1 == len(sizes):
        kinds = set(map(type, data))
        if kinds.issubset(_PYTHON_NUMBERS):
            for kind in kinds:
                scan.add(_python_number_dtype(kind))
        else:
            for item in data:
                scan.add(_leaf_dtype(item, scan))
        return
    if not isinstance(data, list | tuple):
        scan.mixed = True
    for item in data:
        if not _is_sequence(item):
            raise TypeError("not a sequence")
        _scan_level(item, sizes, dim + 1, scan)


def _sizes_of(data) -> list:
    """The shape of nested data, read along its first elements."""
    sizes = []
    while _is_sequence(data):
        if isinstance(data, _cpu.ndarray):
            sizes.extend(data.shape)
            break
        sizes.append(len(data))
        if not sizes[-1]:
            break
        data = data[0]
    return sizes


def _plain(data):
    """Nested data with every leaf a Python number and every level a list."""
    if isinstance(data, Tensor | _cpu.generic):
        return data.item()
    if isinstance(data, _cpu.ndarray):
        return data.tolist()
    if _is_sequence(data):
        return [_plain(item) for item in data]
    return data


def _values_array(data, dtype):
    """A backend array of ``dtype`` from nested Python numbers, converted and checked as
    PyTorch stores elements (see Note [Checked conversion])."""
    array = _cpu.array(data)
    kind = array.dtype.kind
    if kind == "c" and not dtype.is_complex:
        if dtype.is_floating_point:
            raise TypeError("must be real number, not complex")
        if dtype is not _dtype.bool:
            raise TypeError("'complex' object cannot be interpreted as an integer")
    if dtype.is_floating_point or dtype.is_complex or dtype is _dtype.bool:
        if kind in "uiO":  # Python ints reach floats through double, as in PyTorch
            array = array.astype(_cpu.float64) if dtype is not _dtype.bool else array
        return _cast_array(array, dtype)
    if kind == "O" or array.dtype == _cpu.uint64:
        raise ValueError("Overflow when unpacking long long")
    if kind in "fi" and array.size:
        info = _cpu.iinfo(dtype._np)
        if kind == "f":
            inside = (array >= info.min) & (array <= builtins.float(info.max))
        else:
            inside = (array >= (-info.max if info.min == 0 else info.min)) & (
                array <= info.max)
        if not inside.all():
            raise _overflow(dtype, dtype._name)
    if kind == "f":
        array = _cpu.trunc(array).astype(_cpu.int64)
    return array.astype(dtype._np)


_warned_list_of_arrays = False


def _warn_list_of_arrays():
    global _warned_list_of_arrays
    if not _warned_list_of_arrays:
        _warned_list_of_arrays = True
        warnings.warn("Creating a tensor from a list of numpy.ndarrays is extremely slow. "
                      "Please consider converting the list to a single numpy.ndarray with "
                      "numpy.array() before converting to a tensor.", UserWarning, stacklevel=4)


def _array_from_data(data, dtype):
    """A fresh backend array holding ``data`` (Python numbers, nested sequences, NumPy
    arrays or tensors), with PyTorch's dtype inference when ``dtype`` is None."""
    if isinstance(data, Tensor):
        return _cast_array(data._data, dtype or data._dtype).copy(order="K"), (
            dtype or data._dtype)
    if isinstance(data, _cpu.ndarray | _cpu.generic):
        source = _array_dtype(data)
        if isinstance(data, _cpu.ndarray):
            _check_numpy_strides(data)
        dtype = dtype or source
        if source.is_complex and not dtype.is_complex:
            _warn_complex_to_real(3)
        return _cast_array(_cpu.array(data, copy=True, order="K"), dtype), dtype
    if isinstance(data, str | bytes):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    scan = _Scan()
    if _is_sequence(data):
        sizes = _sizes_of(data)
        if isinstance(data, list) and data and isinstance(data[0], _cpu.ndarray):
            _warn_list_of_arrays()
        _scan_level(data, sizes, 0, scan)
    else:
        scan.add(_leaf_dtype(data, scan))
    dtype = dtype or scan.dtype or _dtype.get_default_dtype()
    values = _plain(data) if scan.mixed else data
    if isinstance(values, Tensor | _cpu.generic):
        values = values.item()
    return _values_array(values, dtype), dtype


def tensor(data, *, dtype=None, device=None, requires_grad: bool = False,
           pin_memory: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data``, dtype inferred as PyTorch does."""
    _check_dtype_argument("tensor", dtype)
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
    _check_dtype_argument("as_tensor", dtype)
    if isinstance(data, Tensor):
        return data.to(device=device, dtype=dtype)
    if isinstance(data, _cpu.ndarray) and (dtype is None or dtype._np == data.dtype):
        _factory_device(device)
        return from_numpy(data)
    array, dtype = _array_from_data(data, dtype)
    return _make(array, dtype, _factory_device(device))


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad: bool = False):
    result = as_tensor(obj, dtype=dtype, device=device)
    if copy:
        result = result.clone()
    return result._set_requires_grad(True, "factory") if requires_grad else result


def _check_numpy_strides(ndarray):
    if any(s < 0 for s in ndarray.strides):
        raise ValueError(
            "At least one stride in the given numpy array is negative, and tensors with "
            "negative strides are not currently supported. (You can probably work around this "
            "by making a copy of your array  with array.copy().) ")
    if any(s % ndarray.itemsize for s in ndarray.strides):
        raise ValueError("given numpy array strides not a multiple of the element byte size. "
                         "Copy the numpy array to reallocate the memory.")


# PyTorch gives each of these warnings once per process.
_warned_read_only = False
_warned_complex_to_real = False


def _warn_complex_to_real(stacklevel):
    global _warned_complex_to_real
    if not _warned_complex_to_real:
        _warned_complex_to_real = True
        warnings.warn("Casting complex values to real discards the imaginary part",
                      UserWarning, stacklevel=stacklevel + 1)


def from_numpy(ndarray) -> Tensor:
    """A tensor sharing memory with ``ndarray``: writes to either show in both."""
    if not isinstance(ndarray, _cpu.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__module__}."
                        f"{type(ndarray).__name__})".replace("builtins.", ""))
    dtype = _array_dtype(ndarray)
    _check_numpy_strides(ndarray)
    global _warned_read_only
    if not ndarray.flags.writeable and not _warned_read_only:
        _warned_read_only = True
        warnings.warn("The given NumPy array is not writable, and PyTorch does not support "
                      "non-writable tensors. This means writing to this tensor will result in "
                      "undefined behavior. You may want to copy the array to protect its data "
                      "or make it writable before converting it to a tensor. This type of "
                      "warning will be suppressed for the rest of this program.",
                      UserWarning, stacklevel=2)
    result = _make(ndarray.view(), dtype)
    if not ndarray.size:
        # PyTorch gives a tensor made from an empty array all-zero strides.
        result._data = _cpu.as_strided(ndarray, ndarray.shape, (0,) * ndarray.ndim)
    return result


def _rebuild_from_array(array, dtype_name):
    return _make(array, getattr(_dtype, dtype_name))


def _converted(source: Tensor, dtype, device) -> Tensor:
    """A copy of ``source`` with another dtype or on another device."""
    _as_device(device)
    if source._dtype.is_complex and not dtype.is_complex:
        _warn_complex_to_real(3)
    result = _make(_cast_array(source._data, dtype).copy(order="K"), dtype, device)
    if source._requires_grad and grad_mode.state.enabled:
        record_op("ToCopyBackward0", (lambda grad: grad,), (source,), (result,))
    return result


# --- filled tensors --------------------------------------------------------------------------


def _size_argument(function, args, size):
    """The shape given to a factory as ``f(2, 3)``, ``f((2, 3))``, ``f([2, 3])`` or
    ``f(size=(2, 3))``, checked as PyTorch checks it."""
    if size is not None:
        if args:
            raise TypeError(f"{function}() got multiple values for argument 'size'")
        if not isinstance(size, tuple | list):
            raise TypeError(f"{function}(): argument 'size' must be tuple of ints, not "
                            f"{type(size).__name__}")
        args = (size,)
    if not args:
        raise TypeError(f'{function}() missing 1 required positional arguments: "size"')
    if len(args) == 1 and isinstance(args[0], tuple | list):
        items = args[0]
    else:
        if any(isinstance(a, tuple | list) for a in args):
            raise TypeError(f"{function}() takes 1 positional argument but {len(args)} were "
                            "given")
        items = args
    shape = []
    for item in items:
        if isinstance(item, builtins.bool) or not (
                isinstance(item, builtins.int | _cpu.integer)
                or isinstance(item, Tensor) and item._data.ndim == 0
                and item._dtype._category == 1):
            raise TypeError(f"{function}(): argument 'size' must be tuple of ints, not "
                            f"{type(item).__name__}")
        shape.append(builtins.int(item))
    for n in shape:
        if n < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {n}: "
                               f"{shape}")
    return tuple(shape)


def _size_keyword(function, kwargs):
    """The ``size=`` keyword of a factory that also takes sizes as varargs."""
    size = kwargs.pop("size", None)
    if kwargs:
        raise TypeError(f"{function}() got an unexpected keyword argument "
                        f"'{next(iter(kwargs))}'")
    return size


def _check_out_dtype(out, dtype):
    if dtype is not None and out is not None and dtype is not out._dtype:
        raise RuntimeError(f"dtype {dtype._legacy_name} does not match dtype of out parameter "
                           f"({out._dtype._legacy_name})")


def _filled(array, shape, dtype, device, requires_grad, out):
    """A new tensor of ``shape`` filled with the 0-dim ``array``, or ``out`` refilled."""
    if out is not None:
        _check_out_dtype(out, dtype)
        if out._data.shape != shape:
            out.resize_(shape)
        out._data[...] = array.astype(out._data.dtype)
        out._bump_version()
        return out
    data = _cpu.empty(shape, dtype._np)
    data[...] = array
    return _finish_factory(data, dtype, _factory_device(device), requires_grad)


def _constant(name, make, value, size, out, dtype, device, requires_grad, kwargs):
    """zeros / ones: a tensor of ``value`` of the given size (made by the backend's
    ``make``), or ``out`` filled with it."""
    shape = _size_argument(name, size, _size_keyword(name, kwargs))
    _check_dtype_argument(name, dtype)
    if out is None:
        dtype = dtype or _dtype.get_default_dtype()
        return _finish_factory(make(shape, dtype._np), dtype, _factory_device(device),
                               requires_grad)
    return _filled(_cpu.array(value), shape, dtype, device, requires_grad, out)


def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, **kwargs) -> Tensor:
    """A tensor of zeros of the given size."""
    return _constant("zeros", _cpu.zeros, 0, size, out, dtype, device, requires_grad, kwargs)


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False, **kwargs) -> Tensor:
    """A tensor of ones of the given size."""
    return _constant("ones", _cpu.ones, 1, size, out, dtype, device, requires_grad, kwargs)


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, memory_format=None, **kwargs) -> Tensor:
    """An uninitialized tensor of the given size (here: zero-filled memory)."""
    shape = _size_argument("empty", size, _size_keyword("empty", kwargs))
    _check_dtype_argument("empty", dtype)
    if out is not None:
        _check_out_dtype(out, dtype)
        return out.resize_(shape) if out._data.shape != shape else out
    dtype = dtype or _dtype.get_default_dtype()
    return _finish_factory(_cpu.zeros(shape, dtype._np), dtype, _factory_device(device),
                           requires_grad)


def _fill_dtype(value):
    """The dtype ``full`` infers from its fill value, a number or a one-element tensor."""
    return _dtype._scalar_dtype(value.item() if isinstance(value, Tensor) else value)


def _check_fill_value(function, value):
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise TypeError(f"{function}(): argument 'fill_value' (position 2) must be Number, "
                            "not Tensor")
    elif not isinstance(value, _PYTHON_NUMBERS + (_cpu.generic,)) or isinstance(
            value, str | bytes):
        raise TypeError(f"{function}(): argument 'fill_value' (position 2) must be Number, not "
                        f"{type(value).__name__}")


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None,
         requires_grad=False) -> Tensor:
    """A tensor of ``size`` filled with ``fill_value``; dtype inferred from the value."""
    _check_dtype_argument("full", dtype)
    if not isinstance(size, tuple | list):
        raise TypeError(f"full(): argument 'size' (position 1) must be tuple of ints, not "
                        f"{type(size).__name__}")
    _check_fill_value("full", fill_value)
    shape = _size_argument("full", (size,), None)
    target = dtype or (out._dtype if out is not None else _fill_dtype(fill_value))
    single = _product(shape) == 1
    array = _scalar_array(_checked_scalar(fill_value, target, single), target)
    return _filled(array, shape, dtype or (None if out is not None else target), device,
                   requires_grad, out)


def _like_data(input, dtype, memory_format):
    """A zero-filled backend array shaped like ``input``, laid out as PyTorch lays out the
    result of a ``*_like`` factory: ``input``'s strides when it is dense, else dense strides
    in the order of ``input``'s."""
    data = input._data
    sizes = data.shape
    if memory_format is None or memory_format is preserve_format:
        strides = input.stride()
        if strides == _contiguous_strides(sizes):
            return _cpu.zeros(sizes, dtype._np)
        if not _non_overlapping_and_dense(sizes, strides):
            strides = _strides_in_order(sizes, _layout_order(sizes, strides))
    else:
        order = _memory_format_order(memory_format, data.ndim)
        if order is None:
            return _cpu.zeros(sizes, dtype._np)
        strides = _strides_in_order(sizes, order)
    if not data.size:
        return _cpu.zeros(sizes, dtype._np)
    span = 1 + builtins.sum((n - 1) * s for n, s in zip(sizes, strides))
    itemsize = dtype.itemsize
    return _cpu.as_strided(_cpu.zeros(span, dtype._np), sizes,
                           tuple(s * itemsize for s in strides))


def _like(function, input, dtype, device, requires_grad, memory_format):
    if not isinstance(input, Tensor):
        raise TypeError(f"{function}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    _check_dtype_argument(function, dtype)
    dtype = dtype or input._dtype
    device = input._device if device is None else _as_device(device)
    result = _make(_like_data(input, dtype, memory_format), dtype, device)
    if requires_grad:
        result._set_requires_grad(True, "factory")
    return result


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None) -> Tensor:
    return _like("zeros_like", input, dtype, device, requires_grad, memory_format)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None) -> Tensor:
    return _like("empty_like", input, dtype, device, requires_grad, memory_format)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None) -> Tensor:
    result = _like("ones_like", input, dtype, device, requires_grad, memory_format)
    result._data[...] = 1
    return result


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None) -> Tensor:
    _check_fill_value("full_like", fill_value)
    result = _like("full_like", input, dtype, device, requires_grad, memory_format)
    value = _checked_scalar(fill_value, result._dtype, result._data.size == 1)
    result._data[...] = _scalar_array(value, result._dtype)
    return result


def eye(n: int, m: int | None = None, *, out=None, dtype=None, layout=None, device=None,
        requires_grad=False) -> Tensor:
    """A 2-D tensor with ones on the diagonal."""
    _check_dtype_argument("eye", dtype)
    m = n if m is None else m
    for value in (n, m):
        if isinstance(value, builtins.bool) or not isinstance(value, builtins.int | _cpu.integer):
            raise TypeError(f"eye(): argument 'n' must be int, not {type(value).__name__}")
    if n < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    if m < 0:
        raise RuntimeError(f"m must be greater or equal to 0, got {m}")
    if out is not None:
        _check_out_dtype(out, dtype)
        out.resize_((n, m))
        out._data[...] = _cpu.eye(n, m, dtype=out._data.dtype)
        out._bump_version()
        return out
    dtype = dtype or _dtype.get_default_dtype()
    return _finish_factory(_cpu.eye(n, m, dtype=dtype._np), dtype, _factory_device(device),
                           requires_grad)


# --- legacy constructors -----------------------------------------------------------------------


def _legacy_new(cls, dtype, args, device):
    """``Tensor(...)`` / ``FloatTensor(...)``: data from a sequence, an existing tensor, or
    an uninitialized tensor from sizes. ``Tensor`` itself returns a tensor argument as it
    is; a typed constructor refuses a tensor of another dtype."""
    if not args:
        return empty(0, dtype=dtype, device=device)
    first = args[0]
    sizes_given = builtins.all(
        isinstance(a, builtins.int | _cpu.integer) and not isinstance(a, builtins.bool)
        for a in args) or (len(args) == 1 and first.__class__.__name__ == "Size")
    if sizes_given:
        return empty(*args, dtype=dtype, device=device)
    if len(args) > 1:
        raise TypeError("new(): argument 'size' failed to unpack the object: expected sizes "
                        "(ints) or a single sequence of data")
    if isinstance(first, Tensor):
        if cls is not Tensor and first._dtype is not dtype:
            raise TypeError(f"expected {dtype._legacy_name} (got {first._dtype._legacy_name})")
        return first[...]  # an alias, as PyTorch's
    if not _is_sequence(first):
        raise TypeError(f"new(): data must be a sequence (got {type(first).__name__})")
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


def _new_tensor(self, data, *, dtype=None, device=None, requires_grad=False):
    """A new tensor from ``data``, of this tensor's dtype and device unless told."""
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use "
            "sourceTensor.detach().clone() or sourceTensor.detach().clone()."
            "requires_grad_(True), rather than tensor.new_tensor(sourceTensor).",
            UserWarning, stacklevel=2)
    array, dtype = _array_from_data(data, dtype or self._dtype)
    device = self._device if device is None else _as_device(device)
    return _finish_factory(array, dtype, device, requires_grad)


Tensor.new_zeros = _new_factory(zeros)
Tensor.new_ones = _new_factory(ones)
Tensor.new_empty = _new_factory(empty)
Tensor.new_full = _new_factory(full)
Tensor.new_tensor = _new_tensor


def _fill(self, value, grad_fn=None):
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor "
                               f"with {value._data.ndim} dimensions.")
    # PyTorch fills through a tensor value as an elementwise op, which refuses a target whose
    # elements share memory; a number it writes into any
    by_tensor = isinstance(value, Tensor)
    if needs_grad(self, value):
        return inplace_with_grad(self, lambda old: _filled_copy(old, value, grad_fn),
                                 check_overlap=by_tensor)
    if by_tensor:
        check_no_internal_overlap(self)
    value = _checked_scalar(value, self._dtype, self._data.size == 1)
    self._data[...] = _scalar_array(value, self._dtype)
    self._bump_version()
    return self


def _filled_copy(old, value, grad_fn):
    """What ``old.fill_(value)`` leaves, out of place, recorded in the graph."""
    with grad_mode.no_grad():
        result = _fill(old.clone(), value.detach() if isinstance(value, Tensor) else value)
    if isinstance(value, Tensor):
        record_op("FillBackward3", (_no_grad_through, lambda grad: grad.sum()), (old, value),
                  (result,))
    else:
        record_op(grad_fn or "FillBackward2", (_no_grad_through,), (old,), (result,))
    return result


def _no_grad_through(grad):
    return zeros_like(grad)


Tensor.fill_ = _fill
Tensor.zero_ = lambda self: _fill(self, 0, "ZeroBackward0")
