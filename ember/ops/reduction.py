"""Reductions over all dims or over ``dim`` (an int or a tuple), with ``keepdim``."""

from __future__ import annotations

import builtins
import warnings

from ember import _dtype, return_types
from ember.backends import cpu as _cpu
from ember.ops._common import (
    Tensor,
    _wrap_dim,
    compute_dtype,
    finish,
    method,
    reduction_dims,
    write_out,
)
from ember.ops.pointwise import maximum, minimum


def _axes(input, dim):
    """Backend axes for ``dim``; a 0-dim tensor reduces over nothing."""
    if input._data.ndim == 0:
        if dim is not None:
            for d in (dim,) if isinstance(dim, int) else dim:
                _wrap_dim(d, 0)
        return ()
    return reduction_dims(dim, input._data.ndim)


def _accumulated_dtype(input, dtype):
    """sum and prod of integers and bools accumulate in int64, as in PyTorch."""
    if dtype is not None:
        return dtype
    return _dtype.int64 if input._dtype._category <= 1 else input._dtype


def _reduce(kernel, input, dim, keepdim, dtype, out):
    compute = compute_dtype(dtype)._np
    data = kernel(input._data, axis=_axes(input, dim), keepdims=keepdim, dtype=compute)
    result = finish(data, dtype, input._device)
    return result if out is None else write_out(out, result)


@method("sum")
def sum(input, dim=None, keepdim: bool = False, *, dtype=None, out=None):
    """Sum of the elements, over all dims or over ``dim``."""
    if dim is None and dtype is None and out is None and not keepdim and (
            input._dtype._category >= 2) and input._dtype.itemsize >= 4:
        return finish(_cpu.add.reduce(input._data, axis=None), input._dtype, input._device)
    return _reduce(_cpu.add.reduce, input, dim, keepdim, _accumulated_dtype(input, dtype), out)


@method("nansum")
def nansum(input, dim=None, keepdim: bool = False, *, dtype=None, out=None):
    dtype = _accumulated_dtype(input, dtype)
    cleaned = input._data if input._dtype._category <= 1 else _cpu.where(
        _cpu.isnan(input._data), 0, input._data)
    data = _cpu.add.reduce(cleaned, axis=_axes(input, dim), keepdims=keepdim,
                           dtype=compute_dtype(dtype)._np)
    result = finish(data, dtype, input._device)
    return result if out is None else write_out(out, result)


@method("prod")
def prod(input, dim=None, keepdim: bool = False, *, dtype=None, out=None):
    if dim is not None and not isinstance(dim, int):
        raise TypeError("prod(): argument 'dim' must be int, not " f"{type(dim).__name__}")
    return _reduce(_cpu.multiply.reduce, input, dim, keepdim,
                   _accumulated_dtype(input, dtype), out)


def _reduced_count(input, axes) -> int:
    if axes is None:
        return input._data.size
    count = 1
    for axis in axes:
        count *= input._data.shape[axis]
    return count


def _require_inexact(name, input, dtype):
    if dtype is None and not (input._dtype.is_floating_point or input._dtype.is_complex):
        raise RuntimeError(f"{name}(): could not infer output dtype. Input dtype must be "
                           "either a floating point or complex dtype. Got: "
                           f"{input._dtype._legacy_name}")


@method("mean")
def mean(input, dim=None, keepdim: bool = False, *, dtype=None, out=None):
    """Arithmetic mean, over all dims or over ``dim``."""
    _require_inexact("mean", input, dtype)
    dtype = dtype or input._dtype
    compute = compute_dtype(dtype)._np
    axes = _axes(input, dim)
    total = _cpu.add.reduce(input._data, axis=axes, keepdims=keepdim, dtype=compute)
    result = finish(_cpu.true_divide(total, compute.type(_reduced_count(input, axes))), dtype,
                    input._device)
    return result if out is None else write_out(out, result)


@method("nanmean")
def nanmean(input, dim=None, keepdim: bool = False, *, dtype=None, out=None):
    _require_inexact("nanmean", input, dtype)
    present = ~_cpu.isnan(input._data)
    total = nansum(input, dim, keepdim, dtype=dtype)
    count = _cpu.add.reduce(present, axis=_axes(input, dim), keepdims=keepdim)
    result = finish(_cpu.true_divide(total._data, count), total._dtype, input._device)
    return result if out is None else write_out(out, result)


def _check_nonempty(name, input, axes):
    if input._data.size == 0:
        if axes is None:
            raise RuntimeError(f"{name}(): Expected reduction dim to be specified for "
                               "input.numel() == 0. Specify the reduction dim with the 'dim' "
                               "argument.")
        for axis in axes:
            if input._data.shape[axis] == 0:
                raise IndexError(f"{name}(): Expected reduction dim {axis} to have non-zero "
                                 "size.")


def _extreme(name, kernel, arg_kernel, result_type, binary):
    def reduce(input, dim=None, keepdim=False, *, out=None):
        if isinstance(dim, Tensor):
            return binary(input, dim, out=out)
        if dim is None:
            _check_nonempty(name, input, None)
            result = finish(kernel(input._data, axis=None), input._dtype, input._device)
            return result if out is None else write_out(out, result)
        axes = _axes(input, dim)
        _check_nonempty(name, input, axes)
        axis = axes[0] if axes else None
        values = kernel(input._data, axis=axis, keepdims=keepdim)
        indices = (arg_kernel(input._data, axis=axis, keepdims=keepdim) if axes
                   else _cpu.zeros(input._data.shape, _cpu.int64))
        values = finish(values, input._dtype, input._device)
        indices = finish(indices, _dtype.int64, input._device)
        if out is not None:
            write_out(out[0], values)
            write_out(out[1], indices)
            values, indices = out
        return result_type((values, indices))

    reduce.__name__ = name
    setattr(Tensor, name, reduce)
    return reduce


max = _extreme("max", _cpu.maximum.reduce, _cpu.argmax, return_types.max, maximum)
min = _extreme("min", _cpu.minimum.reduce, _cpu.argmin, return_types.min, minimum)


def _extreme_over_dims(name, kernel):
    def reduce(input, dim=(), keepdim=False, *, out=None):
        axes = _axes(input, None if dim == () or dim == [] else dim)
        _check_nonempty(name, input, axes)
        result = finish(kernel(input._data, axis=axes, keepdims=keepdim), input._dtype,
                        input._device)
        return result if out is None else write_out(out, result)

    reduce.__name__ = name
    setattr(Tensor, name, reduce)
    return reduce


amax = _extreme_over_dims("amax", _cpu.maximum.reduce)
amin = _extreme_over_dims("amin", _cpu.minimum.reduce)


def _arg_extreme(name, kernel):
    def reduce(input, dim=None, keepdim=False, *, out=None):
        if dim is None:
            _check_nonempty(name, input, None)
            data = kernel(input._data, axis=None, keepdims=keepdim)
        else:
            axes = _axes(input, dim)
            _check_nonempty(name, input, axes)
            data = (kernel(input._data, axis=axes[0], keepdims=keepdim) if axes
                    else _cpu.zeros(input._data.shape, _cpu.int64))
        result = finish(data, _dtype.int64, input._device)
        return result if out is None else write_out(out, result)

    reduce.__name__ = name
    setattr(Tensor, name, reduce)
    return reduce


argmax = _arg_extreme("argmax", _cpu.argmax)
argmin = _arg_extreme("argmin", _cpu.argmin)


def _logical_reduction(name, kernel):
    def reduce(input, dim=None, keepdim=False, *, out=None):
        dtype = _dtype.uint8 if input._dtype is _dtype.uint8 else _dtype.bool
        data = kernel(input._data.astype(builtins.bool, copy=False),
                      axis=_axes(input, dim), keepdims=keepdim)
        result = finish(data, dtype, input._device)
        return result if out is None else write_out(out, result)

    reduce.__name__ = name
    setattr(Tensor, name, reduce)
    return reduce


all = _logical_reduction("all", _cpu.logical_and.reduce)
any = _logical_reduction("any", _cpu.logical_or.reduce)


@method("count_nonzero")
def count_nonzero(input, dim=None):
    data = _cpu.count_nonzero(input._data, axis=_axes(input, dim))
    return finish(data, _dtype.int64, input._device)


def _correction(unbiased, correction):
    if correction is not None:
        if unbiased is not None:
            raise RuntimeError("Cannot specify both unbiased and correction")
        return correction
    return 1 if unbiased is None else builtins.int(unbiased)


def _variance(name, input, dim, unbiased, keepdim, correction):
    if isinstance(dim, builtins.bool):  # the legacy form std(unbiased)
        dim, unbiased = None, dim
    if not (input._dtype.is_floating_point or input._dtype.is_complex):
        raise RuntimeError("std and var only support floating point and complex dtypes")
    correction = _correction(unbiased, correction)
    compute = compute_dtype(input._dtype)._np
    data = input._data.astype(compute, copy=False)
    axes = _axes(input, dim)
    count = _reduced_count(input, axes)
    centered = data - _cpu.add.reduce(data, axis=axes, keepdims=True) / count
    squares = (centered * centered.conj()).real if input._dtype.is_complex else (
        centered * centered)
    divisor = builtins.max(count - correction, 0)
    if divisor == 0:
        warnings.warn(f"{name}(): degrees of freedom is <= 0. Correction should be strictly "
                      "less than the reduction factor (input numel divided by output numel).",
                      UserWarning, stacklevel=3)
    variance = _cpu.add.reduce(squares, axis=axes, keepdims=keepdim) / squares.dtype.type(
        divisor)
    return variance, input._dtype.to_real()


@method("var")
def var(input, dim=None, unbiased=None, keepdim: bool = False, *, correction=None, out=None):
    """Variance with Bessel's ``correction`` (default 1), over all dims or ``dim``."""
    variance, dtype = _variance("var", input, dim, unbiased, keepdim, correction)
    result = finish(variance, dtype, input._device)
    return result if out is None else write_out(out, result)


@method("std")
def std(input, dim=None, unbiased=None, keepdim: bool = False, *, correction=None, out=None):
    """Standard deviation with Bessel's ``correction`` (default 1)."""
    variance, dtype = _variance("std", input, dim, unbiased, keepdim, correction)
    result = finish(_cpu.sqrt(variance), dtype, input._device)
    return result if out is None else write_out(out, result)
