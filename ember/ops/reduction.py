"""Reductions over all dims or over ``dim`` (an int or a tuple), with ``keepdim``: sum,
nansum, prod, mean, nanmean; max, min, amax, amin, argmax, argmin, all, any, count_nonzero;
var, std, var_mean, std_mean, aminmax; and the stable logsumexp, softmax and log_softmax.
The norms, built on the helpers here, are in norms.py.

PyTorch allocates a reduction's result row-major whatever the input's layout, and an
``out=`` tensor's dtype often decides the dtype the reduction is computed in."""

from __future__ import annotations

import builtins
import warnings

from ember import _dtype, return_types
from ember.autograd import grad_mode
from ember.backends import cpu as _cpu
from ember.ops._autograd import check_out_allowed, record, record_op
from ember.ops._common import (
    Tensor,
    _wrap_dim,
    check_out_dtype,
    compute_dtype,
    finish,
    method,
    reduction_dims,
    sum_kept,
    write_out,
)
from ember.ops.backward_ops import log_softmax_backward_data, softmax_backward_data
from ember.ops.pointwise import maximum, minimum, where

_grad_state = grad_mode.state

_ndarray = _cpu.ndarray


class _AllDims:
    """The default ``dim`` of sum, prod and mean: unlike an explicit ``dim=None``, it
    refuses ``keepdim`` and ``out=``, as PyTorch's overload without dim has neither."""

    def __repr__(self):
        return "None"


_ALL_DIMS = _AllDims()


def _axes(input, dim):
    """Backend axes for ``dim``; a 0-dim tensor reduces over nothing."""
    if input._data.ndim == 0:
        if dim is not None:
            for d in (dim,) if isinstance(dim, int) else dim:
                _wrap_dim(d, 0)
        return ()
    return reduction_dims(dim, input._data.ndim)


def _finish(data, dtype, input) -> Tensor:
    """The result tensor, row-major with PyTorch's strides (which NumPy's reductions do not
    always give dims of size 1)."""
    if data.__class__ is _ndarray and data.ndim > 1 and (
            1 in data.shape or not data.flags.c_contiguous):
        step = data.itemsize
        for n, stride in zip(reversed(data.shape), reversed(data.strides)):
            if stride != step:
                data = data.copy()
                break
            step *= builtins.max(n, 1)
    return finish(data, dtype, input._device)


def _inexact(dtype) -> bool:
    return dtype.is_floating_point or dtype.is_complex


# --- gradients ---------------------------------------------------------------------------


def _spread(grad, shape, axes, keepdim):
    """``grad`` of a reduction over ``axes`` (None: all) brought back to the input's
    ``shape``: the reduced dims restored, then expanded."""
    if not keepdim and axes is not None and grad._data.ndim != len(shape):
        for axis in axes:
            grad = grad.unsqueeze(axis)
    return grad.expand(shape)


def _spread_back(shape, axes, keepdim):
    """The gradient formula of sum over ``axes``."""
    return lambda grad: _spread(grad, shape, axes, keepdim)


def _record(name, formula, input, result, values=None):
    """The node of a one-input reduction, if ``input`` needs grad and the result can take
    one (a floating point or complex result)."""
    if input._requires_grad and _grad_state.enabled and result._dtype._category >= 2:
        record_op(name, (formula,), (input,), (result,), values)


def _even_share(grad, input, result, axes, keepdim):
    """The gradient of max/min/amax/amin over ``axes``, shared evenly among the elements
    that attain the extreme, as PyTorch shares it."""
    shape = input._data.shape
    attains = input == _spread(result, shape, axes, keepdim)
    return _spread(grad, shape, axes, keepdim) * attains / sum_kept(attains, axes)


def _product_grad(grad, input, result, axes, keepdim):
    """The gradient of prod: the product of the other elements. Without zeros that is the
    result over the element; with zeros it is computed without dividing, as the product of
    the elements before times that of the elements after, which stays differentiable in
    the zeros too (for double backward)."""
    shape = input._data.shape
    if not (input == 0).any():
        return _spread(grad * result, shape, axes, keepdim) / input
    if not shape:
        return grad * 1
    values, dim = (input.reshape(-1), 0) if axes is None else (input, axes[0])
    others = _exclusive_products(values, dim, False) * _exclusive_products(values, dim, True)
    return _spread(grad, shape, axes, keepdim) * others.reshape(shape)


def _exclusive_products(input, dim, reverse):
    """Along ``dim``, the product of the elements before each one (after it, if
    ``reverse``): a scan by doubling steps, in differentiable ember ops."""
    from ember.ops.creation import ones
    from ember.ops.joining import cat

    size = input._data.shape[dim]

    def shifted(values, step):
        """``values`` moved ``step`` places along ``dim``, ones moving in."""
        pad_shape = list(values._data.shape)
        pad_shape[dim] = builtins.min(step, size)
        pad = ones(pad_shape, dtype=values._dtype)
        if step >= size:
            return pad
        if reverse:
            return cat([values.narrow(dim, step, size - step), pad], dim)
        return cat([pad, values.narrow(dim, 0, size - step)], dim)

    products = shifted(input, 1)
    step = 1
    while step < size:
        products = products * shifted(products, step)
        step *= 2
    return products


# --- sums, products and means: sum, nansum, prod, mean, nanmean -------------------------------


def _values(input, dtype):
    """``input``'s values in the computation dtype of ``dtype`` (complex values cast to a
    real dtype lose their imaginary part, as in PyTorch)."""
    data = input._data
    if input._dtype.is_complex and not dtype.is_complex:
        data = data.real
    return data.astype(compute_dtype(dtype)._np, copy=False)


def _check_dtype_matches_out(dtype, out):
    """A ``dtype=`` given must be that of ``out=``."""
    if dtype is not None:
        check_out_dtype(out, dtype)


def _summed_dtype(input, dtype, out):
    """What sum and prod accumulate in: ``dtype``, else ``out``'s dtype, else the input's
    (integers and bools in int64)."""
    if dtype is not None:
        return dtype
    if isinstance(out, Tensor):
        return out._dtype
    return _dtype.int64 if input._dtype._category <= 1 else input._dtype


def _given_dim(name, dim, keepdim, out):
    """``dim`` as None for all dims. PyTorch's all-dims overload of sum, prod and mean
    takes no ``keepdim`` or ``out=``; prod's other one takes one int dim, never None."""
    if dim is _ALL_DIMS:
        if keepdim or out is not None:
            got = "keepdim=bool" if keepdim else "out=Tensor"
            raise TypeError(f"{name}() received an invalid combination of arguments - got "
                            f"(Tensor, {got}), but expected (Tensor input, *, torch.dtype "
                            "dtype = None)")
        return None
    if dim is None and name == "prod":
        raise TypeError("prod(): argument 'dim' (position 2) must be int, not NoneType")
    return dim


@method("sum")
def sum(input, dim=_ALL_DIMS, keepdim: bool = False, *, dtype=None, out=None):
    """Sum of the elements, over all dims or over ``dim``."""
    if dim is _ALL_DIMS or out is not None:
        dim = _given_dim("sum", dim, keepdim, out)
        _check_dtype_matches_out(dtype, out)
    if dim is None and dtype is None and out is None and not keepdim and (
            input._dtype._category >= 2) and input._dtype.itemsize >= 4:
        result = finish(_cpu.add.reduce(input._data, axis=None), input._dtype, input._device)
        _record("SumBackward0", _spread_back(input._data.shape, None, False), input, result)
        return result
    dtype = _summed_dtype(input, dtype, out)
    axes = _axes(input, dim)
    data = _cpu.add.reduce(_values(input, dtype), axis=axes, keepdims=keepdim)
    result = _finish(data, dtype, input)
    if out is not None:
        check_out_allowed("sum", input)
        return write_out(out, result, check_overlap=False)
    _record("SumBackward0" if dim is None else "SumBackward1",
            _spread_back(input._data.shape, axes, keepdim), input, result)
    return result


@method("nansum")
def nansum(input, dim=None, keepdim: bool = False, *, dtype=None, out=None):
    """Sum of the elements that are not NaN."""
    if input._dtype._category <= 1:
        return sum(input, dim, keepdim, dtype=dtype, out=out)
    if input._dtype.is_complex:
        raise RuntimeError("nansum on CPU does not support complex inputs")
    if dtype is not None and isinstance(out, Tensor) and out._dtype is not dtype:
        raise RuntimeError(f"nansum: provided dtype must match dtype of result. Got "
                           f"{out._dtype._legacy_name} and {dtype._legacy_name}.")
    result = _nansum(input, dim, keepdim, _summed_dtype(input, dtype, out), dtype is None)
    if out is not None:
        check_out_allowed("nansum", input)
        return write_out(out, result, check_overlap=False)
    axes = _axes(input, dim)
    _record("NansumBackward0", lambda grad, input: where(
        input.isnan(), 0.0, _spread(grad, input.shape, axes, keepdim)), input, result,
        {"input": input})
    return result


def _nansum(input, dim, keepdim, computed, inferred):
    """nansum of a floating point ``input`` in ``computed``; only a ``computed`` dtype
    given as ``dtype=`` (not ``inferred`` from out=) may be another kind."""
    if inferred and not computed.is_floating_point:
        raise NotImplementedError(f"\"nansum_cpu\" not implemented for "
                                  f"'{computed._legacy_name}'")
    data = _cpu.where(_cpu.isnan(input._data), 0, input._data)
    data = _cpu.add.reduce(data.astype(compute_dtype(computed)._np, copy=False),
                           axis=_axes(input, dim), keepdims=keepdim)
    return _finish(data, computed, input)


@method("prod")
def prod(input, dim=_ALL_DIMS, keepdim: bool = False, *, dtype=None, out=None):
    """Product of the elements, over all dims or over the one dim ``dim``."""
    dim = _given_dim("prod", dim, keepdim, out)
    if dim is not None and not isinstance(dim, int):
        raise TypeError(f"prod(): argument 'dim' (position 2) must be int, not "
                        f"{type(dim).__name__}")
    _check_dtype_matches_out(dtype, out)
    dtype = _summed_dtype(input, dtype, out)
    axes = _axes(input, dim)
    data = _cpu.multiply.reduce(_values(input, dtype), axis=axes, keepdims=keepdim)
    result = _finish(data, dtype, input)
    if out is not None:
        check_out_allowed("prod", input)
        return write_out(out, result, check_overlap=False)
    _record("ProdBackward0" if dim is None else "ProdBackward1",
            lambda grad, input, result: _product_grad(grad, input, result, axes, keepdim),
            input, result, {"input": input, "result": result})
    return result


def _reduced_count(input, axes) -> int:
    if axes is None:
        return input._data.size
    count = 1
    for axis in axes:
        count *= input._data.shape[axis]
    return count


@method("mean")
def mean(input, dim=_ALL_DIMS, keepdim: bool = False, *, dtype=None, out=None):
    """Arithmetic mean, over all dims or over ``dim``."""
    dim_omitted = dim is _ALL_DIMS
    if dim_omitted and keepdim:
        _given_dim("mean", dim, keepdim, None)
    if dim_omitted:
        dim = None
    if out is not None:
        _check_dtype_matches_out(dtype, out)
    if dtype is None:
        if not _inexact(input._dtype):
            raise RuntimeError("mean(): could not infer output dtype. Input dtype must be "
                               "either a floating point or complex dtype. Got: "
                               f"{input._dtype._legacy_name}")
        dtype = input._dtype
        if isinstance(out, Tensor) and _inexact(out._dtype):
            dtype = out._dtype
    if dim_omitted and out is not None and input._dtype.is_complex and not dtype.is_complex:
        # PyTorch's overload without dim refuses this; the others drop imaginary parts
        raise RuntimeError("mean.dtype_out(): input types can't be cast to the desired "
                           f"output type {dtype._legacy_name}")
    compute = compute_dtype(dtype)._np
    axes = _axes(input, dim)
    total = _cpu.add.reduce(_values(input, dtype), axis=axes, keepdims=keepdim)
    count = _reduced_count(input, axes)
    result = _finish(_cpu.true_divide(total, compute.type(count)), dtype, input)
    if out is not None:
        check_out_allowed("mean", input)
        return write_out(out, result)
    shape = input._data.shape
    _record("MeanBackward0" if dim is None else "MeanBackward1",
            lambda grad: _spread(grad, shape, axes, keepdim) / count, input, result)
    return result


@method("nanmean")
def nanmean(input, dim=None, keepdim: bool = False, *, dtype=None, out=None):
    """Mean of the elements that are not NaN."""
    if not _inexact(input._dtype):
        raise RuntimeError("nanmean(): expected input to have floating point or complex "
                           f"dtype but got {input._dtype._legacy_name}")
    if input._dtype.is_complex:
        raise RuntimeError("nansum on CPU does not support complex inputs")
    if out is None and input._requires_grad and _grad_state.enabled:
        # PyTorch's nanmean is nansum over the count of non-NaN elements, and records that
        count = input.isnan().logical_not().sum(dim, keepdim)
        return nansum(input, dim, keepdim, dtype=dtype) / count
    total = _nansum(input, dim, keepdim, _summed_dtype(input, dtype, out), dtype is None)
    count = _cpu.add.reduce(~_cpu.isnan(input._data), axis=_axes(input, dim),
                            keepdims=keepdim)
    result = _finish(_cpu.true_divide(total._data, count), total._dtype, input)
    return result if out is None else write_out(out, result)


# --- max, min, amax, amin, argmax, argmin; all, any, count_nonzero ----------------------------


def _check_nonempty(name, input, axes, error=RuntimeError):
    if input._data.size == 0:
        if axes is None:
            raise error(f"{name}(): Expected reduction dim to be specified for input.numel() "
                        "== 0. Specify the reduction dim with the 'dim' argument.")
        for axis in axes:
            if input._data.shape[axis] == 0:
                raise IndexError(f"{name}(): Expected reduction dim {axis} to have non-zero "
                                 "size.")


def _selected(grad, indices, shape, axis, keepdim):
    """The gradient of max/min along ``axis``: to the element each index picked."""
    from ember.ops.ranges import arange

    if not keepdim:
        grad, indices = grad.unsqueeze(axis), indices.unsqueeze(axis)
    positions = arange(shape[axis]).reshape([-1 if d == axis else 1
                                             for d in range(len(shape))])
    return grad * (positions == indices)


def _extreme(name, kernel, arg_kernel, binary):
    """max or min: over everything, along ``dim`` as (values, indices), or of two tensors."""
    result_type = getattr(return_types, name)
    out_result_type = getattr(return_types, name + "_out")
    node_name = name.capitalize() + "Backward"

    def reduce(input, dim=None, keepdim=False, *, out=None):
        if isinstance(dim, Tensor):
            return binary(input, dim, out=out)
        if dim is None:
            _check_nonempty(name, input, None)
            if input._dtype.is_complex:
                raise NotImplementedError(f"\"{name}_all\" not implemented for "
                                          f"'{input._dtype._legacy_name}'")
            result = finish(kernel(input._data, axis=None), input._dtype, input._device)
            if out is not None:
                return write_out(out, result)
            _record(node_name + "1", lambda grad, input, result: _even_share(
                grad, input, result, None, False), input, result,
                {"input": input, "result": result})
            return result
        if not isinstance(dim, int):
            raise TypeError(f"{name}(): argument 'dim' must be int, not {type(dim).__name__}")
        axes = _axes(input, dim)
        _check_nonempty(name, input, axes)
        if input._dtype.is_complex:
            raise RuntimeError(f"{name}(): does not support complex input")
        axis = axes[0] if axes else None
        values = _finish(kernel(input._data, axis=axis, keepdims=keepdim), input._dtype, input)
        indices = finish(arg_kernel(input._data, axis=axis, keepdims=keepdim) if axes
                         else _cpu.zeros(input._data.shape, _cpu.int64), _dtype.int64,
                         input._device)
        if out is None:
            if axes:
                shape = input._data.shape
                _record(node_name + "0", lambda grad, indices: _selected(
                    grad, indices, shape, axis, keepdim), input, values, {"indices": indices})
            else:
                _record(node_name + "0", lambda grad: grad, input, values)
            return result_type((values, indices))
        if not (isinstance(out, tuple | list) and len(out) == 2
                and builtins.all(isinstance(t, Tensor) for t in out)):
            raise TypeError(f"{name}(): argument 'out' must be a tuple of two Tensors")
        check_out_dtype(out[0], input._dtype)
        check_out_dtype(out[1], _dtype.int64)
        return out_result_type((write_out(out[0], values), write_out(out[1], indices)))

    reduce.__name__ = name
    setattr(Tensor, name, reduce)
    return reduce


max = _extreme("max", _cpu.maximum.reduce, _cpu.argmax, maximum)
min = _extreme("min", _cpu.minimum.reduce, _cpu.argmin, minimum)


def _extreme_over_dims(name, kernel, kernel_name):
    def reduce(input, dim=(), keepdim=False, *, out=None):
        axes = _axes(input, None if dim == () or dim == [] else dim)
        _check_nonempty(name, input, axes)
        if input._dtype.is_complex and input._data.size:
            raise NotImplementedError(f"\"{kernel_name}\" not implemented for "
                                      f"'{input._dtype._legacy_name}'")
        result = _finish(kernel(input._data, axis=axes, keepdims=keepdim), input._dtype,
                         input)
        if out is None:
            _record(name.capitalize() + "Backward0", lambda grad, input, result: _even_share(
                grad, input, result, axes, keepdim), input, result,
                {"input": input, "result": result})
            return result
        if isinstance(out, Tensor) and out._dtype is not input._dtype:
            raise RuntimeError(f"Expected the dtype for input and out to match, but got "
                               f"{input._dtype._legacy_name} for input's dtype and "
                               f"{out._dtype._legacy_name} for out's dtype.")
        return write_out(out, result, check_overlap=False)

    reduce.__name__ = name
    setattr(Tensor, name, reduce)
    return reduce


amax = _extreme_over_dims("amax", _cpu.maximum.reduce, "max_values_cpu")
amin = _extreme_over_dims("amin", _cpu.minimum.reduce, "min_values_cpu")


def _arg_extreme(name, kernel):
    def reduce(input, dim=None, keepdim=False, *, out=None):
        if input._dtype is _dtype.bool or input._dtype.is_complex:
            kind = "bool" if input._dtype is _dtype.bool else "complex"
            raise RuntimeError(f"{name}(): does not support {kind} input")
        if dim is None:
            _check_nonempty(name, input, None, IndexError)
            data = kernel(input._data, axis=None, keepdims=keepdim)
        elif not isinstance(dim, int):
            raise TypeError(f"{name}(): argument 'dim' (position 2) must be int, not "
                            f"{type(dim).__name__}")
        else:
            axes = _axes(input, dim)
            _check_nonempty(name, input, axes)
            data = (kernel(input._data, axis=axes[0], keepdims=keepdim) if axes
                    else _cpu.zeros(input._data.shape, _cpu.int64))
        result = _finish(data, _dtype.int64, input)
        if out is None:
            return result
        check_out_dtype(out, _dtype.int64)
        return write_out(out, result, check_overlap=False)

    reduce.__name__ = name
    setattr(Tensor, name, reduce)
    return reduce


argmax = _arg_extreme("argmax", _cpu.argmax)
argmin = _arg_extreme("argmin", _cpu.argmin)


def _logical_reduction(name, kernel):
    """all or any: bool results (uint8 for uint8 inputs); ``dim=()`` reduces nothing. Into
    a uint8 ``out=``, the input is first cast to uint8, as PyTorch computes in out's dtype."""

    def reduce(input, dim=None, keepdim=False, *, out=None):
        dtype = _dtype.uint8 if input._dtype is _dtype.uint8 else _dtype.bool
        data = input._data
        if isinstance(out, Tensor) and out._dtype in (_dtype.bool, _dtype.uint8):
            if out._dtype is _dtype.uint8 and dtype is _dtype.bool:
                data = (data.real if input._dtype.is_complex else data).astype(_cpu.uint8)
            dtype = out._dtype
        truth = data.astype(builtins.bool, copy=False)
        if dim == () or dim == []:
            data = truth.copy()
        else:
            data = kernel(truth, axis=_axes(input, dim), keepdims=keepdim)
        result = _finish(data, dtype, input)
        if out is None:
            return result
        if isinstance(out, Tensor) and out._dtype not in (_dtype.bool, _dtype.uint8):
            raise RuntimeError(f"{name} only supports bool tensor for result, got: "
                               f"{out._dtype._legacy_name}")
        return write_out(out, result, check_overlap=False)

    reduce.__name__ = name
    setattr(Tensor, name, reduce)
    return reduce


all = _logical_reduction("all", _cpu.logical_and.reduce)
any = _logical_reduction("any", _cpu.logical_or.reduce)


@method("count_nonzero")
def count_nonzero(input, dim=None):
    """The number of non-zero elements, over all dims or over ``dim``."""
    data = _cpu.count_nonzero(input._data, axis=_axes(input, dim))
    return _finish(_cpu.asarray(data, _cpu.int64), _dtype.int64, input)


# --- variance and deviation: var, std ---------------------------------------------------------


def _variance(name, input, dim, unbiased, keepdim, correction, out):
    """The variance over ``dim`` with Bessel's ``correction`` and its dtype (real)."""
    if isinstance(dim, builtins.bool):  # the legacy form std(input, unbiased)
        if out is not None:
            raise TypeError(f"{name}() received an invalid combination of arguments - got "
                            "(Tensor, bool, out=Tensor)")
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise TypeError(f"{name}() received an invalid combination of arguments - got both "
                        "unbiased and correction")
    if not _inexact(input._dtype):
        kind = name if name.endswith("_mean") else "std and var"
        raise RuntimeError(f"{kind} only support floating point and complex dtypes")
    if isinstance(out, Tensor) and out._dtype is not input._dtype.to_real():
        # PyTorch's quirks: these outs go through kernels that lack the dtype
        halves = (_dtype.float16, _dtype.bfloat16)
        if dim is None and input._dtype in halves and out._dtype not in halves:
            raise RuntimeError(f"std_var_all: Unsupported dtype {input._dtype._legacy_name}")
        if dim is not None and out._dtype.is_complex and not input._dtype.is_complex:
            raise NotImplementedError(f"\"std_cpu\" not implemented for "
                                      f"'{out._dtype._legacy_name}'")
    if correction is None:
        correction = 1 if unbiased is None else builtins.int(unbiased)
    compute = compute_dtype(input._dtype)._np
    data = input._data.astype(compute, copy=False)
    axes = _axes(input, dim)
    count = _reduced_count(input, axes)
    centered = data - _cpu.add.reduce(data, axis=axes, keepdims=True) / count
    squares = (centered * centered.conj()).real if input._dtype.is_complex else (
        centered * centered)
    divisor = builtins.max(count - correction, 0)
    # PyTorch judges by the input's numel over the output's, 0 when either is empty.
    factor = count if input._data.size else 0
    if factor - correction <= 0:
        warnings.warn(f"{name}(): degrees of freedom is <= 0. Correction should be strictly "
                      "less than the reduction factor (input numel divided by output numel).",
                      UserWarning, stacklevel=3)
    variance = _cpu.add.reduce(squares, axis=axes, keepdims=keepdim) / squares.dtype.type(
        divisor)
    # The gradient divides by count - correction unclamped (negative, or 0 giving 0 / 0 for
    # a constant input), as PyTorch's does.
    return variance, input._dtype.to_real(), axes, count - correction


@method("var")
def var(input, dim=None, unbiased=None, keepdim: bool = False, *, correction=None, out=None):
    """Variance with Bessel's ``correction`` (default 1), over all dims or ``dim``."""
    variance, dtype, axes, divisor = _variance("var", input, dim, unbiased, keepdim,
                                               correction, out)
    result = _finish(variance, dtype, input)
    if out is not None:
        check_out_allowed("var", input)
        return write_out(out, result, check_overlap=False)
    _record("VarBackward0", lambda grad, input: _spread(grad, input.shape, axes, keepdim) * 2
            * _centered(input, axes) / divisor, input, result, {"input": input})
    return result


@method("std")
def std(input, dim=None, unbiased=None, keepdim: bool = False, *, correction=None, out=None):
    """Standard deviation with Bessel's ``correction`` (default 1)."""
    variance, dtype, axes, divisor = _variance("std", input, dim, unbiased, keepdim,
                                               correction, out)
    result = _finish(_cpu.sqrt(variance), dtype, input)
    if out is not None:
        check_out_allowed("std", input)
        return write_out(out, result, check_overlap=False)
    # A zero deviation gets a zero gradient rather than 0 / 0, as in PyTorch.
    _record("StdBackward0", lambda grad, input, result: _spread(
        where(result == 0, 0.0, grad / result), input.shape, axes, keepdim)
        * _centered(input, axes) / divisor,
        input, result, {"input": input, "result": result})
    return result


def _centered(input, axes):
    """``input`` minus its mean over ``axes``, in ember ops (for the gradients)."""
    if axes is None:
        return input - input.mean()
    return input - input.mean(axes, keepdim=True)


# --- stable reductions: logsumexp, softmax, log_softmax --------------------------------------


def _shifted_by_max(data, axes, finite=True):
    """``data`` minus its max over ``axes`` (kept). For logsumexp (``finite``) the max is
    taken as 0 where infinite, so that all -inf (or an inf) gives -inf (inf) rather than NaN;
    softmax subtracts it as it is, NaN following, as PyTorch's kernels do."""
    if data.size == 0:
        return data, _cpu.zeros([1 if axes is None or d in axes else n
                                 for d, n in enumerate(data.shape)], data.dtype)
    maxes = _cpu.max_kept(data.real if data.dtype.kind == "c" else data, axes)
    if finite:
        maxes = _cpu.where(_cpu.isinf(maxes), 0, maxes)
    maxes = maxes.astype(data.dtype)
    return data - maxes, maxes


@method("logsumexp")
def logsumexp(input, dim, keepdim: bool = False, *, out=None):
    """``log(sum(exp(input), dim))``, computed without overflow."""
    ndim = input._data.ndim
    if (dim == () or dim == []) and not keepdim and ndim and input._data.size:
        raise RuntimeError(f"output with shape [] doesn't match the broadcast shape {[1] * ndim}")
    dtype = input._dtype if _inexact(input._dtype) else _dtype.get_default_dtype()
    final = dtype  # what the sum is written in, and the log and add run in
    if isinstance(out, Tensor):
        if not _inexact(out._dtype):
            raise RuntimeError("logsumexp(): Expected floating point type for result tensor, "
                               f"but got: {out._dtype._legacy_name}")
        final = out._dtype
        if not _inexact(input._dtype):
            dtype = final
    axes = _axes(input, dim)
    data = _rounder(dtype)(input._data)
    # PyTorch runs max, subtract, exp, sum, log and add as ops of their own, each rounding
    # (which shows in half precision); from the sum on in the out= tensor's dtype
    rounded, rounded_final = _rounder(dtype), _rounder(final)
    with _cpu.errstate(invalid="ignore", over="ignore", divide="ignore"):
        shifted, maxes = _shifted_by_max(data, axes)
        total = _cpu.add.reduce(rounded(_cpu.exp(rounded(shifted))), axis=axes, keepdims=True)
        if total.dtype.kind == "c" and not final.is_complex:
            total, maxes = total.real, maxes.real
        total = rounded_final(total)
        data = rounded_final(_cpu.log(total)) + rounded_final(maxes)
    if not keepdim:
        data = data.reshape([n for d, n in enumerate(data.shape)
                             if not (axes is None or d in axes)])
    result = _finish(data, final, input)
    if out is not None:
        check_out_allowed("logsumexp", input)
        return write_out(out, result)
    _record("LogsumexpBackward0", lambda grad, input, result: _spread(
        grad, input.shape, axes, keepdim) * (input - _spread(result, input.shape, axes, keepdim)
                                             ).exp(), input, result,
            {"input": input, "result": result})
    return result


def _rounder(dtype):
    """A function that rounds an array to ``dtype`` and holds it in its computation dtype."""
    work = compute_dtype(dtype)._np
    if dtype._np == work:
        return lambda values: values.astype(work, copy=False)
    return lambda values: values.astype(dtype._np).astype(work)


def _normalized(name, input, dim, dtype, out, kernel, node_name, formula):
    """softmax or log_softmax along ``dim``, in ``dtype`` (the input cast first)."""
    if not isinstance(dim, int):
        raise TypeError(f"{name}(): argument 'dim' must be int, not {type(dim).__name__}")
    if dtype is not None and dtype is not input._dtype:
        input = input.to(dtype)
    axis = _wrap_dim(dim, input._data.ndim)
    empty = input._data.size == 0  # PyTorch returns before choosing a kernel
    if not input._dtype.is_floating_point and not empty:
        last = "lastdim_" if axis == builtins.max(input._data.ndim - 1, 0) else ""
        raise NotImplementedError(f"\"{name}_{last}kernel_impl\" not implemented for "
                                  f"'{input._dtype._legacy_name}'")
    check_out_dtype(out, input._dtype)
    data = input._data.astype(compute_dtype(input._dtype)._np, copy=empty)
    axes = (axis,) if data.ndim else None
    if not empty:
        # PyTorch's kernel along the last dim rounds log_softmax's normalizer to the dtype
        rounded = _rounder(input._dtype) if axis == data.ndim - 1 else _unchanged
        with _cpu.errstate(invalid="ignore", over="ignore", divide="ignore"):
            data = kernel(_shifted_by_max(data, axes, False)[0], axes, rounded)
    result = _finish(_cpu.asarray(data), input._dtype, input)
    if out is not None:
        check_out_allowed(name, input)
        return write_out(out, result)
    _record(node_name, lambda grad, result: formula(grad, result, axes), input, result,
            {"result": result})
    return result


def _unchanged(values):
    return values


def _softmax_kernel(shifted, axes, rounded):
    exps = _cpu.exp(shifted)
    return exps / _cpu.add.reduce(exps, axis=axes, keepdims=True)


def _log_softmax_kernel(shifted, axes, rounded):
    total = _cpu.add.reduce(_cpu.exp(shifted), axis=axes, keepdims=True)
    return shifted - rounded(_cpu.log(rounded(total)))


@method("softmax")
def softmax(input, dim, dtype=None, *, out=None):
    """``exp(input)`` normalized to sum to one along ``dim``."""
    return _normalized("softmax", input, dim, dtype, out, _softmax_kernel, "SoftmaxBackward0",
                       softmax_backward_data)


@method("log_softmax")
def log_softmax(input, dim, dtype=None, *, out=None):
    """The log of softmax, computed without its rounding."""
    return _normalized("log_softmax", input, dim, dtype, out, _log_softmax_kernel,
                       "LogSoftmaxBackward0", log_softmax_backward_data)


# --- several results: var_mean, std_mean, aminmax -----------------------------------------


def _with_mean(name, input, dim, unbiased, keepdim, correction, deviation):
    """var_mean or std_mean: one node for both results, as PyTorch records it."""
    variance, dtype, axes, divisor = _variance(name, input, dim, unbiased, keepdim, correction,
                                               None)
    data = _cpu.sqrt(variance) if deviation else variance
    spread = _finish(data, dtype, input)
    count = _reduced_count(input, axes)
    total = _cpu.add.reduce(input._data.astype(compute_dtype(input._dtype)._np, copy=False),
                            axis=axes, keepdims=keepdim)
    if total.dtype.kind == "c":  # by parts: a complex division would spread a NaN part
        mean = total.real / count + 1j * (total.imag / count)
    else:
        mean = total / count
    mean = _finish(_cpu.asarray(mean, total.dtype), input._dtype, input)
    if input._requires_grad and _grad_state.enabled:
        node_name = "StdMeanBackward0" if deviation else "VarMeanBackward0"

        def backward(ctx, spread_grad, mean_grad):
            input, spread = ctx.saved_tensors
            shape = input._data.shape
            total = None
            if spread_grad is not None:
                if deviation:
                    spread_grad = where(spread == 0, 0.0, spread_grad / spread) / 2
                total = _spread(spread_grad, shape, axes, keepdim) * 2 * _centered(
                    input, axes) / divisor
            if mean_grad is not None:
                part = _spread(mean_grad, shape, axes, keepdim) / count
                total = part if total is None else total + part
            return (total,)

        record(node_name, backward, (input,), (spread, mean), saved=(input, spread))
    return spread, mean


def var_mean(input, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    """The variance (with Bessel's ``correction``) and the mean, as a tuple."""
    return _with_mean("var_mean", input, dim, unbiased, keepdim, correction, False)


def std_mean(input, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    """The standard deviation (with Bessel's ``correction``) and the mean, as a tuple."""
    return _with_mean("std_mean", input, dim, unbiased, keepdim, correction, True)


@method("aminmax")
def aminmax(input, *, dim=None, keepdim: bool = False, out=None):
    """The minimum and the maximum, over all elements or along the one dim ``dim``."""
    if dim is not None and not isinstance(dim, int):
        raise TypeError(f"aminmax(): argument 'dim' must be int, not {type(dim).__name__}")
    axes = _axes(input, dim)
    if input._data.size == 0:
        if dim is None:
            raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the "
                               "operation has no identity.")
        if input._data.ndim and input._data.shape[axes[0]] == 0:
            raise IndexError(f"aminmax: Expected reduction dim {axes[0]} to have non-zero size.")
    if input._dtype.is_complex:
        if dim is not None and not input._data.ndim:
            raise RuntimeError(f"aminmax not implemented for {input._dtype._legacy_name}")
        raise NotImplementedError(f"\"aminmax_cpu\" not implemented for "
                                  f"'{input._dtype._legacy_name}'")
    low = _finish(_cpu.minimum.reduce(input._data, axis=axes, keepdims=keepdim), input._dtype,
                  input)
    high = _finish(_cpu.maximum.reduce(input._data, axis=axes, keepdims=keepdim), input._dtype,
                   input)
    if out is not None:
        if not (isinstance(out, tuple | list) and len(out) == 2
                and builtins.all(isinstance(tensor, Tensor) for tensor in out)):
            raise TypeError("aminmax(): argument 'out' must be tuple of Tensors")
        check_out_allowed("aminmax", input)
        for tensor in out:
            check_out_dtype(tensor, input._dtype)
        return return_types.aminmax_out((write_out(out[0], low), write_out(out[1], high)))
    if input._requires_grad and _grad_state.enabled and input._dtype._category >= 2:

        def backward(ctx, low_grad, high_grad):
            input, low, high = ctx.saved_tensors
            total = None
            for grad, extreme in ((low_grad, low), (high_grad, high)):
                if grad is not None:
                    part = _even_share(grad, input, extreme, axes, keepdim)
                    total = part if total is None else total + part
            return (total,)

        record("AminmaxBackward0", backward, (input,), (low, high), saved=(input, low, high))
    return return_types.aminmax((low, high))


__all__ = [
    "all", "amax", "amin", "aminmax", "any", "argmax", "argmin", "count_nonzero",
    "log_softmax", "logsumexp", "max", "mean", "min", "nanmean", "nansum", "prod", "softmax",
    "std", "std_mean", "sum", "var", "var_mean",
]
