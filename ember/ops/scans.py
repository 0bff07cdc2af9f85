"""Cumulative ops along a dim (cumsum, cumprod, cummax, cummin, logcumsumexp), diff, and
the trapezoid rule (trapezoid / trapz, cumulative_trapezoid).

A scan's result is laid out row-major whatever the input's layout, as PyTorch allocates it.
The gradients that pick elements (cummax, cummin) and reverse a dim are made of the
differentiable gather / scatter pair of _strided.py, so they can be differentiated again."""

from __future__ import annotations

import builtins

from ember import _dtype, return_types
from ember.autograd import grad_mode
from ember.backends import cpu as _cpu
from ember.ops._autograd import check_out_allowed, inplace_with_grad, record_op
from ember.ops._common import (
    Tensor,
    _wrap_dim,
    check_no_internal_overlap,
    check_out_dtype,
    compute_dtype,
    finish,
    method,
    write_out,
)
from ember.ops._strided import gather, scatter

_grad_state = grad_mode.state


# --- helpers shared with statistics.py ----------------------------------------------------


def row_major_strides(shape) -> list:
    """Element strides of a row-major array of ``shape``."""
    strides, step = [], 1
    for size in reversed(shape):
        strides.append(step)
        step *= builtins.max(size, 1)
    return strides[::-1]


def positions_along(shape, axis, indices):
    """Row-major positions, in an array of ``shape``, of the elements that ``indices`` (an
    int array of the shape of ``shape`` with ``axis`` resized) picks along ``axis``."""
    strides = row_major_strides(shape)
    positions = indices.astype(_cpu.int64) * strides[axis]
    for dim, size in enumerate(indices.shape):
        if dim != axis:
            grid = [1] * indices.ndim
            grid[dim] = size
            positions = positions + (_cpu.arange(size, dtype=_cpu.int64) * strides[dim]
                                     ).reshape(grid)
    return positions


def picked_grad(grad, shape, axis, indices, keepdim=True):
    """The gradient of values picked along ``axis`` at ``indices`` (an int64 tensor): each
    grad added where its value came from."""
    index_data = indices._data
    if not keepdim:
        index_data = _cpu.expand_dims(index_data, axis)
        grad = grad.unsqueeze(axis)
    return scatter(grad, shape, positions_along(shape, axis, index_data))


def flip_along(input, axis):
    """``input`` reversed along ``axis``, differentiably."""
    shape = input._data.shape
    numbers = _cpu.arange(input._data.size, dtype=_cpu.int64).reshape(shape)
    return gather(input, _cpu.flip(numbers, axis).copy())


def _scan_axis(input, dim) -> int | None:
    """The backend axis of ``dim``; None for a 0-dim input (a scan of one element)."""
    if not isinstance(dim, int):
        raise TypeError(f"argument 'dim' must be int, not {type(dim).__name__}")
    ndim = input._data.ndim
    axis = _wrap_dim(dim, ndim)
    return axis if ndim else None


def _scan(kernel, data, axis):
    """``kernel.accumulate`` along ``axis`` (a 0-dim array scans as one element), in a new
    row-major array. A complex product starts from one, as PyTorch's does: the first
    element goes through a multiplication too (which turns nan+0j into nan+nanj)."""
    if axis is None:
        return data.copy()
    if kernel is _cpu.multiply and data.dtype.kind == "c" and data.shape[axis]:
        first = _cpu.take(data, [0], axis=axis) * data.dtype.type(1)
        data = _cpu.concatenate([first, _cpu.delete(data, 0, axis=axis)], axis=axis)
    return _cpu.ascontiguousarray(kernel.accumulate(data, axis=axis))


def _check_same_dtype(out, dtype):
    if isinstance(out, Tensor) and out._dtype is not dtype:
        raise RuntimeError(f"expected scalar_type {dtype._legacy_name} but found "
                           f"{out._dtype._legacy_name}")


# --- cumsum and cumprod -------------------------------------------------------------------


def _accumulated_dtype(name, input, dtype, out):
    """What cumsum and cumprod compute in: ``dtype``, else out's dtype, else the input's
    (integers and bools in int64)."""
    if dtype is not None:
        check_out_dtype(out, dtype)
        result = dtype
    elif isinstance(out, Tensor):
        result = out._dtype
    else:
        result = _dtype.int64 if input._dtype._category <= 1 else input._dtype
    if result is _dtype.bool and input._data.ndim and input._data.size:
        raise NotImplementedError(f"\"{name}_out_cpu\" not implemented for 'Bool'")
    return result


def _cast_values(input, dtype):
    data = input._data
    if input._dtype.is_complex and not dtype.is_complex:
        data = data.real
    # through ``dtype`` first: an out= of a narrower dtype rounds the input to it
    return data.astype(dtype._np, copy=False).astype(compute_dtype(dtype)._np, copy=False)


def _reverse_cumsum(grad, axis):
    return flip_along(flip_along(grad, axis).cumsum(axis), axis)


def _cumsum_grad(axis, input_dtype):
    def formula(grad):
        if grad._dtype is not input_dtype:
            grad = grad.to(input_dtype)
        return grad if axis is None else _reverse_cumsum(grad, axis)

    return formula


def _cumprod_grad(axis, input_dtype):
    def formula(grad, input, result):
        if grad._dtype is not input_dtype:
            grad = grad.to(input_dtype)
        if axis is None or input._data.size == 0:
            return grad * 1
        if not (input == 0).any():
            return _reverse_cumsum(grad * result, axis) / input
        if _grad_state.enabled:  # building a graph: the form that differentiates again
            return _cumprod_grad_with_zeros(grad, input, axis)
        return _cumprod_grad_first_order(grad, input, result, axis)

    return formula


def _cumprod_grad_first_order(grad, input, result, axis):
    """The gradient with zeros in O(n), as PyTorch computes it outside double backward:
    before a line's first zero, the usual reversed cumsum over the input; at the first
    zero, the cumprod with that zero taken as one, summed against the grads from there on;
    after it, zero (every product through it still holds the first zero)."""
    values = _cpu.moveaxis(input._data, axis, -1)
    grads = _cpu.moveaxis(grad._data, axis, -1)
    products = _cpu.moveaxis(result._data, axis, -1)
    size = values.shape[-1]
    zeros = values == 0
    first = _cpu.where(zeros.any(-1), zeros.argmax(-1), size)[..., None]
    positions = _cpu.arange(size)

    def reverse_cumsum(data):
        return _cpu.flip(_cpu.cumsum(_cpu.flip(data, -1), -1), -1)

    with _cpu.errstate(divide="ignore", invalid="ignore"):
        before = reverse_cumsum(grads * products) / values
    at_zero = reverse_cumsum(grads * _cpu.cumprod(_cpu.where(positions == first, 1, values), -1))
    data = _cpu.where(positions < first, before, _cpu.where(positions == first, at_zero, 0))
    return finish(_cpu.moveaxis(data, -1, axis).copy(), grad._dtype, grad._device)


def _cumprod_grad_with_zeros(grad, input, axis):
    """d out_k / d x_j is the product of x_i for i <= k, i != j: for each j, the cumprod
    with x_j replaced by one, summed against the grads of k >= j. Without dividing, so it
    holds at zeros and stays differentiable there; O(n^2), as PyTorch's own form."""
    from ember.ops.pointwise import where

    size = input._data.shape[axis]
    moved = input.movedim(axis, -1).unsqueeze(-2)  # (..., 1, k)
    diagonal = finish(_cpu.eye(size, dtype=bool), _dtype.bool)  # (j, k)
    later = finish(_cpu.triu(_cpu.ones((size, size), bool)), _dtype.bool)  # k >= j
    products = where(diagonal, 1.0, moved).cumprod(-1)  # (..., j, k)
    grads = (products * later.to(input._dtype) * grad.movedim(axis, -1).unsqueeze(-2)).sum(-1)
    return grads.movedim(-1, axis)


def _accumulation(name, kernel, node_name, grad_for):
    """cumsum or cumprod: the function, method, in-place method and out= form."""

    def compute(input, dim, dtype, out):
        axis = _scan_axis(input, dim)
        computed = _accumulated_dtype(name, input, dtype, out)
        data = _scan(kernel, _cast_values(input, computed), axis)
        result = finish(data, computed, input._device)
        if out is not None:
            check_out_allowed(name, input)
            return write_out(out, result)
        if input._requires_grad and _grad_state.enabled and computed._category >= 2:
            record_op(node_name, (grad_for(axis, input._dtype),), (input,), (result,),
                      {"input": input, "result": result})
        return result

    def function(input, dim, *, dtype=None, out=None):
        return compute(input, dim, dtype, out)

    def inplace(self, dim, *, dtype=None):
        if dtype is not None and dtype is not self._dtype:
            raise RuntimeError(f"Bad in-place call: input tensor dtype {self._dtype._cpp_name}"
                               f" and output tensor dtype {dtype._cpp_name} should match")
        if self._dtype is _dtype.bool and self._data.ndim and self._data.size:
            raise NotImplementedError(f"\"{name}_out_cpu\" not implemented for 'Bool'")
        if self._requires_grad and _grad_state.enabled or self._base is not None and (
                self._base._requires_grad and _grad_state.enabled):
            return inplace_with_grad(self, lambda old: compute(old, dim, self._dtype, None))
        check_no_internal_overlap(self)
        result = compute(self, dim, self._dtype, None)
        _cpu.copyto(self._data, result._data)
        self._bump_version()
        return self

    function.__name__ = name
    inplace.__name__ = name + "_"
    setattr(Tensor, name, function)
    setattr(Tensor, name + "_", inplace)
    return function


cumsum = _accumulation("cumsum", _cpu.add, "CumsumBackward0", _cumsum_grad)
cumprod = _accumulation("cumprod", _cpu.multiply, "CumprodBackward0", _cumprod_grad)


# --- cummax and cummin --------------------------------------------------------------------


def _running_extreme(name, kernel):
    """cummax or cummin: the running extreme and where it was attained. A tie moves the
    index to the later element, and a NaN, once met, stays (with the index of the latest
    NaN), as PyTorch's kernel does."""
    result_type = getattr(return_types, name)
    out_result_type = getattr(return_types, name + "_out")
    node_name = name.capitalize() + "Backward0"

    def function(input, dim, *, out=None):
        axis = _scan_axis(input, dim)
        if input._dtype.is_complex and axis is not None and input._data.size:
            raise NotImplementedError(f"\"{name}_cpu\" not implemented for "
                                      f"'{input._dtype._legacy_name}'")
        data = input._data
        if axis is None or data.size == 0:
            values = data.copy()
            indices = _cpu.zeros(data.shape, _cpu.int64)
        else:
            wide = data.astype(compute_dtype(input._dtype)._np, copy=False)
            running = kernel.accumulate(wide, axis=axis)
            attained = wide == running
            if input._dtype._category >= 2:
                attained |= _cpu.isnan(wide)
            numbers = _cpu.arange(data.shape[axis], dtype=_cpu.int64).reshape(
                [-1 if d == axis else 1 for d in range(data.ndim)])
            indices = _cpu.maximum.accumulate(_cpu.where(attained, numbers, 0), axis=axis)
            values = _cpu.ascontiguousarray(running)
            indices = _cpu.ascontiguousarray(indices)
        values = finish(values, input._dtype, input._device)
        indices = finish(indices, _dtype.int64, input._device)
        if out is not None:
            if not (isinstance(out, tuple | list) and len(out) == 2
                    and builtins.all(isinstance(tensor, Tensor) for tensor in out)):
                raise TypeError(f"{name}(): argument 'out' must be tuple of Tensors")
            check_out_allowed(name, input)
            _check_same_dtype(out[0], input._dtype)
            _check_same_dtype(out[1], _dtype.int64)
            return out_result_type((write_out(out[0], values, check_overlap=False),
                                    write_out(out[1], indices, check_overlap=False)))
        if input._requires_grad and _grad_state.enabled and input._dtype._category >= 2:
            shape = data.shape
            if axis is None:
                formula = lambda grad: grad * 1  # noqa: E731
            else:
                formula = lambda grad, indices: picked_grad(  # noqa: E731
                    grad, shape, axis, indices)
            record_op(node_name, (formula,), (input,), (values,), {"indices": indices})
        return result_type((values, indices))

    function.__name__ = name
    setattr(Tensor, name, function)
    return function


cummax = _running_extreme("cummax", _cpu.maximum)
cummin = _running_extreme("cummin", _cpu.minimum)


# --- logcumsumexp -------------------------------------------------------------------------


def _logcumsumexp_kernel(data, axis):
    if data.dtype.kind != "c":
        return _cpu.logaddexp.accumulate(data, axis=axis)
    # complex: log(exp(a) + exp(b)) = a + log1p(exp(b - a)), a the one of larger real part
    result = _cpu.moveaxis(data.copy(), axis, 0)
    for k in range(1, result.shape[0]):
        previous, current = result[k - 1], result[k]
        larger = _cpu.where(previous.real >= current.real, previous, current)
        smaller = _cpu.where(previous.real >= current.real, current, previous)
        with _cpu.errstate(invalid="ignore"):
            combined = larger + _cpu.log1p(_cpu.exp(smaller - larger))
        result[k] = _cpu.where(_cpu.isneginf(larger.real), smaller, combined)
    result[_cpu.isnan(result)] = complex(_cpu.nan, _cpu.nan)  # NaN in both parts, as PyTorch
    return _cpu.moveaxis(result, 0, axis)


def _logcumsumexp_grad(axis):
    """PyTorch's formula for real inputs: the positive and the negative grads each summed in
    log space, so nothing overflows."""

    def formula(grad, input, result):
        from ember.ops.pointwise import where

        if axis is None:
            return grad * 1
        if grad._dtype.is_complex:  # holomorphic: sum over k >= j of grad_k exp(x_j - out_k)
            return _reverse_cumsum(grad * (-result).exp(), axis) * input.exp()
        lowest = float(_cpu.finfo(compute_dtype(grad._dtype)._np).min)
        log_grad = grad.abs().log()
        positive = where(grad > 0, log_grad, lowest)
        negative = where(grad < 0, log_grad, lowest)

        def reverse_logcumsumexp(values):
            return flip_along(logcumsumexp(flip_along(values, axis), axis), axis)

        return ((reverse_logcumsumexp(positive - result) + input).exp()
                - (reverse_logcumsumexp(negative - result) + input).exp())

    return formula


@method("logcumsumexp")
def logcumsumexp(input, dim, *, out=None):
    """``log(cumsum(exp(input), dim))``, computed without overflow."""
    axis = _scan_axis(input, dim)
    if not (input._dtype.is_floating_point or input._dtype.is_complex):
        raise NotImplementedError(f"\"logcumsumexp_out_cpu\" not implemented for "
                                  f"'{input._dtype._legacy_name}'")
    _check_same_dtype(out, input._dtype)
    data = input._data.astype(compute_dtype(input._dtype)._np, copy=False)
    if axis is None or data.size == 0:
        data = data.copy()
    else:
        with _cpu.errstate(invalid="ignore", over="ignore"):
            data = _cpu.ascontiguousarray(_logcumsumexp_kernel(data, axis))
    result = finish(data, input._dtype, input._device)
    if out is not None:
        check_out_allowed("logcumsumexp", input)
        return write_out(out, result)
    if input._requires_grad and _grad_state.enabled:
        record_op("LogcumsumexpBackward0", (_logcumsumexp_grad(axis),), (input,), (result,),
                  {"input": input, "result": result})
    return result


# --- diff ---------------------------------------------------------------------------------


@method("diff")
def diff(input, n: int = 1, dim: int = -1, prepend=None, append=None, *, out=None):
    """The ``n``-th forward difference along ``dim`` (logical xor for bools), after
    ``prepend`` and ``append`` are joined on."""
    from ember.ops.joining import cat
    from ember.ops.pointwise import logical_xor, sub

    if input._data.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    axis = _wrap_dim(dim, input._data.ndim)
    pieces = []
    for name, extra in (("prepend", prepend), ("append", append)):
        if extra is not None and extra._data.ndim != input._data.ndim:
            raise RuntimeError(f"diff expects {name} or append to be the same dimension as "
                               "input")
    if prepend is not None:
        pieces.append(prepend)
    pieces.append(input)
    if append is not None:
        pieces.append(append)
    values = cat(pieces, axis) if len(pieces) > 1 else input
    if n == 0 and values is input:  # a copy, made by copy_ as PyTorch does
        values = finish(input._data.copy(), input._dtype, input._device)
        if input._requires_grad and _grad_state.enabled:
            record_op("torch::autograd::CopyBackwards", (lambda grad: grad * 1,), (input,),
                      (values,))
    for _ in range(n):
        length = values._data.shape[axis]
        if length == 0:
            break
        later = values.narrow(axis, 1, length - 1)
        earlier = values.narrow(axis, 0, length - 1)
        values = (logical_xor(later, earlier) if values._dtype is _dtype.bool
                  else sub(later, earlier))
    if out is not None:
        check_out_allowed("sub", input)  # PyTorch names the op that writes out
        return write_out(out, values)
    return values


# --- the trapezoid rule -------------------------------------------------------------------


def _spacing(name, y, x, dx, dim):
    """The sample spacing along ``dim``: ``x``'s differences (shaped to broadcast against
    ``y``) or the number ``dx``; refuses bools as PyTorch does."""
    if y._dtype is _dtype.bool:
        raise RuntimeError(f"{name}: received a bool input for `y`, but bool is not supported")
    if x is None:
        dx = 1 if dx is None else dx
        if isinstance(dx, builtins.bool | complex):
            raise RuntimeError(f"{name}: Currently, we only support dx as a real number.")
        return float(dx)
    if dx is not None:
        raise TypeError(f"{name}() received an invalid combination of arguments - got both x "
                        "and dx")
    if x._dtype is _dtype.bool:
        raise RuntimeError(f"{name}: received a bool input for `x`, but bool is not supported")
    ndim = y._data.ndim
    if x._data.ndim == 1:
        if x._data.shape[0] != y._data.shape[dim]:
            raise RuntimeError(f"{name}: There must be one `x` value for each sample point")
        x = x.reshape([-1 if d == dim else 1 for d in range(ndim)])
    elif x._data.ndim < ndim:
        x = x.reshape([1] * (ndim - x._data.ndim) + list(x._data.shape))
    size = x._data.shape[dim]
    return (x.narrow(dim, builtins.min(size, 1), builtins.max(size - 1, 0))
            - x.narrow(dim, 0, builtins.max(size - 1, 0)))


def _by_number(value, number, divide=False):
    """``value`` times (or over) a number, recorded under the name PyTorch's Scalar
    overloads give (MulBackward1 / DivBackward1), as its C++ composite calls them."""
    with grad_mode.no_grad():
        result = value / number if divide else value * number
    if value._requires_grad and _grad_state.enabled:
        record_op("DivBackward1" if divide else "MulBackward1",
                  (lambda grad: grad / number if divide else grad * number,), (value,), (result,))
    return result


def _empty_except(y, dim):
    from ember.ops.creation import zeros

    shape = [n for d, n in enumerate(y._data.shape) if d != dim]
    return zeros(shape, dtype=y._dtype, device=y._device)


def trapezoid(y, x=None, *, dx=None, dim: int = -1):
    """The integral of ``y`` along ``dim`` by the trapezoid rule, with samples at ``x`` or
    ``dx`` apart (1 by default)."""
    if y._data.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    dim = _wrap_dim(dim, y._data.ndim)
    size = y._data.shape[dim]
    if size == 0:  # no samples: zeros, as NumPy gives
        return _empty_except(y, dim)
    spacing = _spacing("trapezoid", y, x, dx, dim)
    if isinstance(spacing, float):
        ends = _by_number(y.select(dim, 0) + y.select(dim, -1), 0.5)
        return _by_number(y.sum(dim) - ends, spacing)
    pairs = y.narrow(dim, 1, size - 1) + y.narrow(dim, 0, size - 1)
    return _by_number((spacing * pairs).sum(dim), 2.0, divide=True)


def trapz(y, x=None, *, dx=None, dim: int = -1):
    """trapezoid, under its NumPy name."""
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y, x=None, *, dx=None, dim: int = -1):
    """The running integral of ``y`` along ``dim`` by the trapezoid rule."""
    if y._data.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    dim = _wrap_dim(dim, y._data.ndim)
    size = y._data.shape[dim]
    spacing = _spacing("cumulative_trapezoid", y, x, dx, dim)
    pairs = (y.narrow(dim, 0, builtins.max(size - 1, 0))
             + y.narrow(dim, builtins.min(size, 1), builtins.max(size - 1, 0)))
    if isinstance(spacing, float):
        return _by_number(pairs, spacing / 2.0).cumsum(dim)
    return _by_number((pairs * spacing).cumsum(dim), 2.0, divide=True)


__all__ = ["cummax", "cummin", "cumprod", "cumsum", "cumulative_trapezoid", "diff",
           "logcumsumexp", "trapezoid", "trapz"]
