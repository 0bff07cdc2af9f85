"""Order statistics: median, mode and quantiles, along a dim or over all elements.

Which index PyTorch reports among equal values is part of its result: median orders the
elements by (value, index) and picks the middle one; mode runs libstdc++'s ``std::sort`` on
(value, index) pairs compared by value alone and takes the last pair of the longest run, so
its index follows that sort's exact sequence of swaps (replayed in ember/ops/_tie_order.py:
see Note [Tie order of sort, topk and kthvalue] there)."""

from __future__ import annotations

import builtins

from ember import _dtype, return_types
from ember.autograd import grad_mode
from ember.backends import cpu as _cpu
from ember.ops import _tie_order
from ember.ops._autograd import check_out_allowed, record_op
from ember.ops._common import Tensor, _wrap_dim, finish, method, write_out
from ember.ops._strided import scatter
from ember.ops.scans import picked_grad, positions_along

_grad_state = grad_mode.state


# --- shared checks and results ------------------------------------------------------------


def _check_kernel(kernel, input, allow_bool=False):
    if input._dtype.is_complex or input._dtype is _dtype.bool and not allow_bool:
        raise NotImplementedError(f"\"{kernel}\" not implemented for "
                                  f"'{input._dtype._legacy_name}'")


def _reduced_axis(name, input, dim):
    """The backend axis of ``dim`` (None for a 0-dim input), refusing an empty one."""
    ndim = input._data.ndim
    axis = _wrap_dim(dim, ndim)
    if ndim and input._data.shape[axis] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {axis} to have non-zero size.")
    return axis if ndim else None


def _values_and_indices(name, input, axis, keepdim, pick, out, node_name):
    """The (values, indices) result of a reduction along ``axis`` that picks, in each line,
    the element at the index ``pick(data)`` gives (data with ``axis`` last)."""
    data = input._data
    if axis is None:
        indices = _cpu.zeros((), _cpu.int64)
    elif data.size == 0:
        shape = list(data.shape)
        shape[axis] = 1
        indices = _cpu.zeros(shape, _cpu.int64)
    else:
        indices = _cpu.expand_dims(pick(_cpu.moveaxis(data, axis, -1)), axis)
    values = _cpu.take_along_axis(data, indices, axis) if axis is not None else data.copy()
    if axis is not None and not keepdim:
        values, indices = values.squeeze(axis), indices.squeeze(axis)
    values = finish(_cpu.array(values, order="C"), input._dtype, input._device)
    indices = finish(_cpu.array(indices, order="C"), _dtype.int64, input._device)
    if out is not None:
        if not (isinstance(out, tuple | list) and len(out) == 2
                and builtins.all(isinstance(tensor, Tensor) for tensor in out)):
            raise TypeError(f"{name}(): argument 'out' must be tuple of Tensors")
        check_out_allowed(name, input)
        _check_outs(name, input, *out)
        result_type = getattr(return_types, name + "_out")
        return result_type((write_out(out[0], values), write_out(out[1], indices)))
    if input._requires_grad and _grad_state.enabled and input._dtype._category >= 2:
        shape = data.shape
        if axis is None:
            formula = lambda grad: grad * 1  # noqa: E731
        else:
            formula = lambda grad, indices: picked_grad(  # noqa: E731
                grad, shape, axis, indices, keepdim)
        record_op(node_name, (formula,), (input,), (values,), {"indices": indices})
    return getattr(return_types, name)((values, indices))


def _check_outs(name, input, values, indices):
    """The out= tensors' dtypes, refused with PyTorch's messages (median checks the indices
    first, mode the values)."""
    if name == "mode":
        for tensor, expected, what in ((values, input._dtype, "values"),
                                       (indices, _dtype.int64, "indices")):
            if tensor._dtype is not expected:
                raise RuntimeError(f"expected scalar type '{expected._legacy_name}' but got "
                                   f"'{tensor._dtype._legacy_name}' for {what} output")
        return
    if indices._dtype is not _dtype.int64:
        raise RuntimeError("Expected tensor for argument #1 'indices' to have scalar type Long; "
                           f"but got torch.{indices._dtype._legacy_name}Tensor instead (while "
                           "checking arguments for median)")
    if values._dtype is not input._dtype:
        raise RuntimeError("Expected tensor for 'values' to have the same type as tensor for "
                           f"argument #2 'self'; but type torch.{values._dtype._legacy_name}Tensor"
                           f" does not equal torch.{input._dtype._legacy_name}Tensor (while "
                           "checking arguments for median)")


def _evenly_shared(grad, input, result):
    """The gradient of a value that several elements may equal (NaN: the NaNs)."""
    attains = input.isnan() if result.isnan().item() else input == result
    return attains * (grad / attains.sum())


# --- median and nanmedian -----------------------------------------------------------------


def _middle_rank(count):
    """(count - 1) // 2 as C++ truncates it: an all-NaN line gives rank 0."""
    return builtins.int((count - 1) / 2)


def _nan_as(dtype):
    """NaN converted to ``dtype`` as the CPU does it (what median of nothing gives)."""
    if dtype._category >= 2:
        return _cpu.array(_cpu.nan, dtype._np)
    if dtype is _dtype.bool:
        return _cpu.array(True)
    if dtype in (_dtype.int32, _dtype.int64):
        return _cpu.array(_cpu.iinfo(dtype._np).min, dtype._np)
    return _cpu.zeros((), dtype._np)


def _sortable(data):
    """``data`` in a dtype NumPy sorts with NaN last (bfloat16 and float16 widened)."""
    if data.dtype.kind not in "biuf" or data.dtype.kind == "f" and data.dtype.itemsize < 4:
        return data.astype(_cpu.float32)
    return data


def _median_of_all(name, input, ignore_nan):
    flat = input._data.reshape(-1)
    if flat.size == 0:
        value = _nan_as(input._dtype)
    else:
        _check_kernel("median_cpu", input)
        ordered = _cpu.sort(_sortable(flat))  # NaN last
        nans = builtins.int(_cpu.isnan(ordered).sum()) if input._dtype._category >= 2 else 0
        if nans and not ignore_nan:
            value = ordered[-1]
        else:
            value = ordered[_middle_rank(flat.size - nans)]
    result = finish(_cpu.asarray(value, input._dtype._np), input._dtype, input._device)
    if input._requires_grad and _grad_state.enabled and input._dtype._category >= 2:
        record_op("NanmedianBackward0" if ignore_nan else "MedianBackward0",
                  (_evenly_shared,), (input,), (result,), {"input": input, "result": result})
    return result


def _median_picker(ignore_nan):
    def pick(lines):
        """Stable order (value, index), NaN last; the middle of the non-NaN elements, or
        for median the first NaN of a line that has one."""
        lines = _sortable(lines)
        order = _cpu.argsort(lines, axis=-1, kind="stable")
        size = lines.shape[-1]
        if lines.dtype.kind != "f":
            return order[..., (size - 1) // 2]
        nans = _cpu.isnan(lines)
        counts = size - nans.sum(-1)
        ranks = _cpu.where(counts > 0, (counts - 1) // 2, 0)
        picked = _cpu.take_along_axis(order, ranks[..., None], -1)[..., 0]
        if not ignore_nan:
            return _cpu.where(nans.any(-1), nans.argmax(-1), picked)
        # NaNs compare equivalent: which one an all-NaN line gives is nth_element's doing
        first_nan = _tie_order.nth_element_positions(_cpu.zeros((1, size)), 0)[0]
        return _cpu.where(counts == 0, first_nan, picked)

    return pick


_OMITTED = object()  # median's overload without dim takes neither keepdim nor out=


def _median(name, ignore_nan):
    node_name = ("Nanmedian" if ignore_nan else "Median") + "Backward1"

    def function(input, dim=_OMITTED, keepdim=_OMITTED, *, out=None):
        if dim is _OMITTED:
            if out is not None or keepdim is not _OMITTED:
                raise TypeError(f"{name}() missing 1 required positional arguments: \"dim\"")
            return _median_of_all(name, input, ignore_nan)
        if not isinstance(dim, int):
            raise TypeError(f"{name}(): argument 'dim' must be int, not {type(dim).__name__}")
        keepdim = keepdim is not _OMITTED and keepdim
        axis = _reduced_axis("median", input, dim)
        _check_kernel("median_out", input)
        return _values_and_indices(name, input, axis, keepdim, _median_picker(ignore_nan),
                                   out, node_name)

    function.__name__ = name
    setattr(Tensor, name, function)
    return function


median = _median("median", False)
nanmedian = _median("nanmedian", True)


# --- mode ---------------------------------------------------------------------------------


def _mode_picker(lines):
    """The index of the last element of the first longest run of equal values, in the order
    std::sort leaves the line (a NaN equals nothing: each is a run of its own)."""
    flat = _sortable(lines.reshape(-1, lines.shape[-1]))
    order = _tie_order.mode_order(flat)
    ordered = _cpu.take_along_axis(flat, order, -1)
    ends = _cpu.ones(flat.shape, bool)
    ends[:, :-1] = ordered[:, 1:] != ordered[:, :-1]
    positions = _cpu.arange(flat.shape[-1])
    starts = _cpu.zeros(flat.shape, _cpu.int64)
    starts[:, 1:] = _cpu.where(ends[:, :-1], positions[1:], 0)
    lengths = _cpu.where(ends, positions - _cpu.maximum.accumulate(starts, -1) + 1, 0)
    last = _cpu.take_along_axis(order, lengths.argmax(-1)[:, None], -1)[:, 0]
    return last.astype(_cpu.int64).reshape(lines.shape[:-1])


@method("mode")
def mode(input, dim: int = -1, keepdim: bool = False, *, out=None):
    """The most frequent value along ``dim`` (the smallest of equally frequent ones) and the
    index PyTorch reports for it."""
    axis = _reduced_axis("mode", input, dim)
    if axis is not None and input._data.size:
        _check_kernel("mode_cpu", input, allow_bool=True)
    return _values_and_indices("mode", input, axis, keepdim, _mode_picker, out,
                               "ModeBackward0")


# --- quantile and nanquantile -------------------------------------------------------------

_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _lerp(start, end, weight):
    """PyTorch's lerp: from the nearer end, so that weight 1 gives ``end`` exactly."""
    return _cpu.where(weight < 0.5, start + weight * (end - start),
                      end - (end - start) * (1 - weight))


def _quantile(name, ignore_nan):
    def function(input, q, dim=None, keepdim: bool = False, *, interpolation: str = "linear",
                 out=None):
        if input._dtype not in (_dtype.float32, _dtype.float64):
            raise RuntimeError("quantile() input tensor must be either float or double dtype")
        if isinstance(q, Tensor):
            if q._data.ndim > 1:
                raise RuntimeError("quantile() q must be a scalar or 1D tensor")
            if q._dtype is not input._dtype:
                raise RuntimeError("quantile() q tensor must be same dtype as the input tensor")
            quantiles = q._data
        else:
            if not 0 <= q <= 1:
                raise RuntimeError(f"quantile() q must be in the range [0, 1] but got {q}")
            quantiles = _cpu.asarray(q, input._dtype._np)
        if isinstance(out, Tensor) and out._dtype is not input._dtype:
            raise RuntimeError("quantile() out tensor must be same dtype as the input tensor")
        if interpolation not in _INTERPOLATIONS:
            raise RuntimeError("quantile() interpolation must be one of linear, lower, higher, "
                               f"midpoint or nearest, but got {interpolation}")
        data = input._data
        if data.size == 0:
            raise RuntimeError("quantile() input tensor must be non-empty")
        if not ((quantiles >= 0) & (quantiles <= 1)).all():
            raise RuntimeError("quantile() q values must be in the range [0, 1]")
        if dim is None:
            lines, shape = data.reshape(-1), [1] * data.ndim if keepdim else []
            axis = None
        else:
            axis = _wrap_dim(dim, data.ndim)
            lines = _cpu.moveaxis(data, axis, -1) if data.ndim else data.reshape(1)
            shape = list(data.shape)
            if data.ndim:
                if keepdim:
                    shape[axis] = 1
                else:
                    del shape[axis]
        # Lines sorted, NaN last; ranks, weights and values are (lines..., quantiles)
        order = _cpu.argsort(lines, axis=-1, kind="stable")
        ordered = _cpu.take_along_axis(lines, order, -1)
        flat_q = quantiles.reshape(-1)
        nans = _cpu.isnan(ordered).sum(-1, keepdims=True)
        if ignore_nan:
            ranks = flat_q * (lines.shape[-1] - nans - 1).astype(lines.dtype)
            ranks = _cpu.where(ranks < 0, 0, ranks)
        else:
            last = lines.shape[-1] - 1
            ranks = _cpu.where(nans > 0, last, flat_q * lines.dtype.type(last))
        ranks = ranks.astype(lines.dtype)
        rounding = {"lower": _cpu.floor, "higher": _cpu.ceil, "nearest": _cpu.rint}
        if interpolation in rounding:
            ranks = rounding[interpolation](ranks)
        below = ranks.astype(_cpu.int64)
        values = _cpu.take_along_axis(ordered, below, -1)
        picks = [(below, None)]
        if interpolation in ("linear", "midpoint"):
            weights = (_cpu.full_like(ranks, 0.5) if interpolation == "midpoint"
                       else ranks - below.astype(ranks.dtype))
            above = _cpu.ceil(ranks).astype(_cpu.int64)
            values = _lerp(values, _cpu.take_along_axis(ordered, above, -1), weights)
            picks = [(below, 1 - weights), (above, weights)]
        # laid out as PyTorch leaves it: the quantiles innermost in memory, moved first
        values = _cpu.ascontiguousarray(values).reshape(shape + [flat_q.size])
        values = values[..., 0] if quantiles.ndim == 0 else _cpu.moveaxis(values, -1, 0)
        if out is not None:  # PyTorch copies into out resized row-major
            check_out_allowed(name, input)
            return write_out(out, finish(_cpu.array(values, order="C"), input._dtype,
                                         input._device))
        result = finish(values, input._dtype, input._device)
        if input._requires_grad and _grad_state.enabled:
            source = _source_positions(data.shape, axis, order)
            picks = [(_cpu.take_along_axis(source, ranks_of, -1), weight)
                     for ranks_of, weight in picks]
            record_op("SqueezeBackward4", (_quantile_grad(
                data.shape, picks, quantiles.ndim, lines.shape[:-1]),), (input,), (result,))
        return result

    function.__name__ = name
    setattr(Tensor, name, function)
    return function


def _source_positions(shape, axis, order):
    """Row-major positions in the input of each sorted element (``order`` has the reduced
    dim last)."""
    if axis is None or not shape:
        return order
    moved = _cpu.moveaxis(order, -1, axis)
    return _cpu.moveaxis(positions_along(shape, axis, moved), axis, -1)


def _quantile_grad(input_shape, picks, q_ndim, line_shape):
    """Each quantile's grad to the one or two sorted elements it was read from."""

    def formula(grad):
        if q_ndim == 0:
            grad = grad.unsqueeze(0)
        grad = grad.reshape([grad.shape[0], *line_shape]).movedim(0, -1)
        total = None
        for positions, weight in picks:
            part = grad if weight is None else grad * finish(_cpu.array(weight, grad._dtype._np),
                                                             grad._dtype)
            spread = scatter(part, input_shape, positions)
            total = spread if total is None else total + spread
        return total

    return formula


quantile = _quantile("quantile", False)
nanquantile = _quantile("nanquantile", True)


__all__ = ["median", "mode", "nanmedian", "nanquantile", "quantile"]
