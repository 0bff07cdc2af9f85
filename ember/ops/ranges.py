"""Ranges: arange, linspace and logspace, with PyTorch's CPU values (see Note [Range values])."""

from __future__ import annotations

import builtins
import math
import warnings

from ember import _dtype
from ember._device import _factory_device
from ember._tensor import Tensor, _make
from ember.backends import cpu as _cpu
from ember.ops._common import write_out
from ember.ops.creation import (
    _PYTHON_NUMBERS,
    _as_number,
    _cast_array,
    _check_dtype_argument,
    _check_out_dtype,
    _checked_scalar,
    _finish_factory,
    _python_number_dtype,
    _scalar_array,
)

# Note [Range values]: arange, linspace and logspace give PyTorch's CPU values bit for bit
# (logspace for float64 and integer dtypes; for float32, 16-bit and complex dtypes it is
# within a unit or two in the last place). PyTorch's kernels compute element i on its own:
#   arange:   start + i * step, with one rounding (a fused multiply-add) in double;
#   linspace: start + i * step for the first half, end - (steps - 1 - i) * step for the
#             rest, with step = (end - start) / (steps - 1) and a fused multiply-add in the
#             dtype (float32, float64; double for integer dtypes, then truncated), while
#             float16 and bfloat16 round every operation to the dtype;
#   logspace: base ** exponent with the exponents as linspace's, computed in double
#             without fusing, and the power taken by the C library.
# NumPy has no fused multiply-add, so _fma64 computes one exactly from the rounding error
# of the product and of the sum (Dekker's and Knuth's error-free transformations).


def _split(x):
    scaled = 134217729.0 * x  # 2 ** 27 + 1 splits a double into two 26-bit halves
    high = scaled - (scaled - x)
    return high, x - high


def _fma64(a, b, c):
    """a * b + c with one rounding, elementwise over float64 arrays."""
    a, b, c = (_cpu.asarray(v, dtype=_cpu.float64) for v in (a, b, c))
    product = a * b
    a_high, a_low = _split(a)
    b_high, b_low = _split(b)
    product_error = ((a_high * b_high - product) + a_high * b_low + a_low * b_high) + (
        a_low * b_low)
    total = product + c
    c_part = total - product
    sum_error = (product - (total - c_part)) + (c - c_part)
    return total + (sum_error + product_error)


def _float_to_integer(values, dtype):
    """Doubles truncated into an integer dtype as x86 converts them: an out-of-range value
    (or NaN) becomes the lowest int64, or for narrower dtypes the lowest int32, wrapped."""
    wide = 64 if dtype is _dtype.int64 else 32
    lowest = -(1 << (wide - 1))
    values = _cpu.trunc(values)
    inside = (values >= lowest) & (values < -builtins.float(lowest))
    integers = _cpu.where(inside, values, lowest).astype(_cpu.int64)
    return integers.astype(dtype._np)


def _range_number(value, function):
    value = _as_number(value)
    if isinstance(value, builtins.complex):
        raise RuntimeError(f"{function}: complex start, end or step are not supported")
    if not isinstance(value, _PYTHON_NUMBERS):
        raise TypeError(f"{function}() received an invalid combination of arguments - got "
                        f"{type(value).__name__}")
    return value


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False) -> Tensor:
    """Values from ``start`` up to (not including) ``end``, ``step`` apart; see
    Note [Range values]."""
    _check_dtype_argument("arange", dtype)
    if end is None:
        start, end = 0, start
    start, end, step = (_range_number(v, "arange") for v in (start, end, step))
    if dtype is None:
        dtype = out._dtype if out is not None else (
            _dtype.get_default_dtype() if any(isinstance(v, builtins.float)
                                              for v in (start, end, step)) else _dtype.int64)
    _check_out_dtype(out, dtype)
    if dtype is _dtype.bool or dtype.is_complex:
        raise NotImplementedError(f'"arange_cpu" not implemented for \'{dtype._legacy_name}\'')
    if not step:
        raise RuntimeError("step must be nonzero")
    if not (math.isfinite(start) and math.isfinite(end)):
        raise RuntimeError(f"unsupported range: {start} -> {end}")
    if (step > 0 and end < start) or (step < 0 and end > start):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if dtype is _dtype.int64:
        # int64 counts in integers, from the truncated bounds and step.
        first, last, stride = (builtins.int(v) for v in (start, end, step))
        if not stride:
            raise ValueError("step must be nonzero")
        sign = 1 if stride > 0 else -1
        span = last - first + stride - sign
        length = abs(span) // abs(stride) * (1 if (span >= 0) == (stride > 0) else -1)
    else:
        length = math.ceil((builtins.float(end) - builtins.float(start)) / builtins.float(step))
    if not 0 <= length <= 1 << 63:
        raise RuntimeError("invalid size, possible overflow?")
    if dtype._category == 1:
        first, stride = builtins.int(start), builtins.int(step)
        data = (first + stride * _cpu.arange(length, dtype=_cpu.int64)).astype(dtype._np)
    else:
        data = _arange_values(builtins.float(start), builtins.float(step), length, dtype)
    if out is not None:
        if out._data.shape != data.shape:
            if out._data.size:
                warnings.warn(
                    f"The number of elements in the out tensor of shape "
                    f"{list(out._data.shape)} is {out._data.size} which does not match the "
                    f"computed number of elements {length}. Note that this may occur as a "
                    "result of rounding error. The out tensor will be resized to a tensor of "
                    f"shape ({length},).", UserWarning, stacklevel=2)
            out.resize_(data.shape)
        return write_out(out, _make(data, dtype))
    return _finish_factory(data, dtype, _factory_device(device), requires_grad)


def range(start, end, step=1, *, out=None, dtype=None, layout=None, device=None,
          requires_grad=False) -> Tensor:
    """Deprecated: values from ``start`` to ``end`` inclusive, ``step`` apart, in the default
    dtype unless ``dtype`` says otherwise."""
    warnings.warn("torch.range is deprecated and will be removed in a future release because "
                  "its behavior is inconsistent with Python's range builtin. Instead, use "
                  "torch.arange, which produces values in [start, end).", UserWarning,
                  stacklevel=2)
    _check_dtype_argument("range", dtype)
    start, end, step = (builtins.float(_range_number(v, "range")) for v in (start, end, step))
    dtype = dtype or (out._dtype if out is not None else _dtype.get_default_dtype())
    if not step:
        raise RuntimeError("step must be nonzero")
    if (step > 0 and end < start) or (step < 0 and end > start):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    length = builtins.int((end - start) / step + 1)
    # every value is start + i * step in double precision, then converted
    values = start + _cpu.arange(length, dtype=_cpu.float64) * step
    data = (_float_to_integer(values, dtype) if dtype._category <= 1
            else values.astype(dtype._np))
    return _range_result(data, dtype, device, requires_grad, out)


# PyTorch's arange kernel fills runs of two 32-byte vectors at a time, each vector from a base
# value it computes like a single element; the elements after the last whole run are
# computed one by one. Past 32768 elements the work is split between threads, whose runs
# start elsewhere, so very long float ranges can differ in a few last places.
_VECTOR_BYTES = 32


def _arange_values(start: builtins.float, step: builtins.float, length: builtins.int, dtype):
    """arange's values in a floating dtype; see Note [Range values]."""
    index = _cpu.arange(length, dtype=_cpu.int64)
    lanes = _VECTOR_BYTES // dtype.itemsize
    in_vectors = index < length // (2 * lanes) * (2 * lanes)
    base_index = _cpu.where(in_vectors, index - index % lanes, index)
    lane = index - base_index
    narrow = dtype is not _dtype.float64
    base = _fma64(step, base_index, start)
    if narrow:
        base = _cast_array(base, dtype).astype(_cpu.float64)
    vector = step * lane + base if narrow else _fma64(step, lane, base)
    if dtype.itemsize == 2:
        # One element at a time, 16-bit floats count in float32.
        single = _cpu.float64(_cpu.float32(step)) * index + _cpu.float64(_cpu.float32(start))
    else:
        single = _fma64(step, index, start)
    values = _cpu.where(in_vectors, vector, single)
    if dtype.itemsize == 2:
        values = values.astype(_cpu.float32)
    return _cast_array(values, dtype)


def _linspace_values(start, end, steps, dtype):
    """linspace's values in ``dtype`` for ``steps`` >= 2 checked end points; see
    Note [Range values]."""
    index = _cpu.arange(steps, dtype=_cpu.int64)
    from_start = index < steps // 2
    before_end = steps - 1 - index
    if dtype._category == 1:
        step = (builtins.float(end) - builtins.float(start)) / (steps - 1)
        values = _cpu.where(from_start, _fma64(step, index, start), _fma64(-step, before_end, end))
        return _float_to_integer(values, dtype)
    if dtype.itemsize == 2:
        def rounded(x):
            return _cpu.asarray(x, dtype=_cpu.float32).astype(dtype._np).astype(_cpu.float32)

        first, last = rounded(start), rounded(end)
        step = rounded(rounded(last - first) / rounded(steps - 1))
        head = rounded(first + rounded(step * rounded(index)))
        tail = rounded(last - rounded(step * rounded(before_end)))
        return _cpu.where(from_start, head, tail).astype(dtype._np)
    if dtype is _dtype.float32:
        first, last = _cpu.float32(start), _cpu.float32(end)
        step = _cpu.float64((last - first) / _cpu.float32(steps - 1))
        # step * i is exact in double, so one more rounding to float32 completes the fma.
        values = _cpu.where(from_start, step * index + _cpu.float64(first),
                            -step * before_end + _cpu.float64(last))
        return values.astype(_cpu.float32)
    step = (end - start) / (steps - 1)
    return _cpu.where(from_start, _fma64(step, index, start), _fma64(-step, before_end, end))


def _complex_parts(function, start, end, steps, dtype):
    real = function(start.real, end.real, steps, dtype.to_real())
    imag = function(start.imag, end.imag, steps, dtype.to_real())
    return (real + 1j * imag).astype(dtype._np)


def _check_steps(steps, function):
    if isinstance(steps, builtins.bool) or not isinstance(steps, builtins.int | _cpu.integer):
        raise TypeError(f"{function}(): argument 'steps' must be int, not "
                        f"{type(steps).__name__}")
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")


def _range_dtype(dtype, start, end):
    if dtype is not None:
        return dtype
    if isinstance(start, builtins.complex) or isinstance(end, builtins.complex):
        return _python_number_dtype(builtins.complex)
    return _dtype.get_default_dtype()


def _range_result(data, dtype, device, requires_grad, out):
    if out is not None:
        _check_out_dtype(out, dtype)
        return write_out(out, _make(data, dtype))
    return _finish_factory(data, dtype, _factory_device(device), requires_grad)


def linspace(start, end, steps: int, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive; see
    Note [Range values]."""
    _check_dtype_argument("linspace", dtype)
    _check_steps(steps, "linspace")
    start, end = _as_number(start), _as_number(end)
    dtype = _range_dtype(dtype if out is None or dtype is not None else out._dtype, start, end)
    if steps == 0:
        data = _cpu.empty(0, dtype._np)
    elif steps == 1:
        data = _scalar_array(_checked_scalar(start, dtype), dtype).reshape(1)
    else:
        first, last = _checked_scalar(start, dtype), _checked_scalar(end, dtype)
        if dtype.is_complex:
            data = _complex_parts(_linspace_values, first, last, steps, dtype)
        else:
            data = _linspace_values(first, last, steps, dtype)
    return _range_result(data, dtype, device, requires_grad, out)


def _power(base: builtins.float, exponents):
    """base ** exponents elementwise, by the C library's pow as PyTorch's kernel calls it."""
    def power(exponent):
        try:
            return math.pow(base, exponent)
        except OverflowError:
            return math.inf
        except ValueError:
            return math.nan

    flat = [power(x) for x in exponents.tolist()]
    return _cpu.array(flat, dtype=_cpu.float64).reshape(exponents.shape)


def _logspace_values(start, end, steps, base, dtype):
    index = _cpu.arange(steps, dtype=_cpu.float64)
    step = (builtins.float(end) - builtins.float(start)) / (steps - 1)
    exponents = _cpu.where(index < steps // 2, start + step * index,
                           end - step * (steps - 1 - index))
    values = _power(base, exponents)
    if dtype._category == 1:
        return _float_to_integer(values, dtype)
    return _cast_array(values, dtype)


def logspace(start, end, steps: int, base: float = 10.0, *, out=None, dtype=None, layout=None,
             device=None, requires_grad=False) -> Tensor:
    """``steps`` values from ``base ** start`` to ``base ** end``, evenly spaced in log; see
    Note [Range values]."""
    _check_dtype_argument("logspace", dtype)
    _check_steps(steps, "logspace")
    start, end, base = _as_number(start), _as_number(end), builtins.float(_as_number(base))
    dtype = _range_dtype(dtype if out is None or dtype is not None else out._dtype, start, end)
    if steps == 0:
        data = _cpu.empty(0, dtype._np)
    elif steps == 1:
        data = _scalar_array(_checked_scalar(base ** start, dtype), dtype).reshape(1)
    elif dtype.is_complex:
        first, last = _checked_scalar(start, dtype), _checked_scalar(end, dtype)
        exponents = _complex_parts(_linspace_values, first, last, steps, dtype)
        data = (base ** exponents.astype(_cpu.complex128)).astype(dtype._np)
    else:
        # The end points take the dtype's precision before the exponents are spaced.
        first, last = (_scalar_array(_checked_scalar(v, dtype), dtype).item()
                       for v in (start, end))
        data = _logspace_values(first, last, steps, base, dtype)
    return _range_result(data, dtype, device, requires_grad, out)
