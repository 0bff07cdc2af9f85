"""Sorting and selection: sort, argsort, msort, topk, kthvalue, unique,
unique_consecutive, searchsorted, bucketize, histc, histogram, bincount, argwhere and
masked_select.

Where equal elements (and NaNs) make the result depend on the algorithm, the order comes
from ember/ops/_tie_order.py, which replays PyTorch's C++ kernels (see Note [Tie order of
sort, topk and kthvalue] there).
"""

from __future__ import annotations

import builtins
import math
import operator
import os
import warnings

from ember import _dtype, return_types
from ember._tensor import _make, _warn_once
from ember.autograd import grad_mode
from ember.backends import cpu as _cpu
from ember.ops import _tie_order
from ember.ops._autograd import check_out_allowed, record, record_op
from ember.ops._common import (
    Tensor,
    _wrap_dim,
    as_tensor_operand,
    broadcast_shape,
    check_out_dtype,
    finish,
    method,
    write_out,
)

_grad_state = grad_mode.state


# --- sort keys and results ---------------------------------------------------------------


def _sortable(input, name):
    """``input``'s values as an array NumPy orders as PyTorch does (NaN last)."""
    dtype = input._dtype
    if dtype.is_complex:
        raise RuntimeError(f"{'Sort' if name == 'sort' else name} does not support complex "
                           "dtypes on CPU")
    data = input._data
    if dtype is _dtype.bfloat16 or dtype is _dtype.float16:
        return data.astype(_cpu.float32)
    if dtype is _dtype.bool:
        return data.view(_cpu.uint8)
    return data


def _sort_order(input, axis, descending, stable):
    """The indices that sort ``input`` along ``axis``, in the moved-axis shape."""
    moved = _cpu.moveaxis(_sortable(input, "sort"), axis, -1)
    return _tie_order.sort_order(moved, descending, stable, input._dtype._category == 1,
                                 input._data.strides[axis] == 0)


def _dense(data, dtype, device):
    """A result tensor of ``data`` with row-major strides (PyTorch's, also when empty)."""
    if not data.size:
        return finish(_cpu.zeros(data.shape, dtype._np), dtype, device)
    return finish(data.astype(dtype._np, order="C", copy=True), dtype, device)


# --- gradients ---------------------------------------------------------------------------


def _positions(indices, axis):
    """An index tuple that reads, along ``axis``, the positions in ``indices`` (an int64
    tensor) and every other dim in place."""
    from ember.ops.ranges import arange

    ndim = indices.dim()
    items = []
    for dim, size in enumerate(indices.shape):
        if dim == axis:
            items.append(indices)
        else:
            items.append(arange(size).reshape([-1 if d == dim else 1 for d in range(ndim)]))
    return tuple(items)


def _select_back(grad, indices, shape, axis):
    """The gradient of values read from ``shape``-d input at ``indices`` along ``axis``:
    scattered back to where they were read (written in ember ops, so differentiable)."""
    from ember.ops.creation import zeros

    if not shape:
        return grad.reshape(())
    result = zeros(shape, dtype=grad.dtype)
    if indices.numel():
        result[_positions(indices, axis)] = grad
    return result


def _record_selection(name, input, values, indices, axis, keepdim=True):
    if input._requires_grad and _grad_state.enabled and values._dtype._category >= 2:
        shape = input._data.shape

        def formula(grad, indices):
            if not keepdim and shape:
                grad, indices = grad.unsqueeze(axis), indices.unsqueeze(axis)
            return _select_back(grad, indices, shape, axis)

        record_op(name, (formula,), (input,), (values,), {"indices": indices})


# --- sort, argsort, msort, topk, kthvalue ------------------------------------------------


def _check_pair_out(name, out, values_dtype):
    if not (isinstance(out, tuple | list) and len(out) == 2
            and builtins.all(isinstance(t, Tensor) for t in out)):
        raise TypeError(f"{name}(): argument 'out' must be tuple of Tensors")
    for tensor, dtype in zip(out, (values_dtype, _dtype.int64)):
        check_out_dtype(tensor, dtype)


def _pair_result(name, input, values, indices, out):
    if out is None:
        return getattr(return_types, name)((values, indices))
    check_out_allowed(name, input)
    _check_pair_out(name, out, input._dtype)
    return getattr(return_types, name + "_out")((write_out(out[0], values),
                                                 write_out(out[1], indices)))


def _sorted_pair(input, dim, descending, stable):
    """(values, indices) of ``input`` sorted along ``dim``, laid out like ``input``."""
    from ember.ops.creation import _like_data

    axis = _wrap_dim(dim, input._data.ndim) if input._data.ndim else (_wrap_dim(dim, 0) or 0)
    device = input._device
    if not input._data.ndim:
        _sortable(input, "sort")  # refuses complex inputs, 0-d ones too
        return input.detach().clone(), finish(_cpu.zeros((), _cpu.int64), _dtype.int64,
                                              device), axis
    order = _sort_order(input, axis, descending, stable)
    moved_values = _cpu.take_along_axis(_cpu.moveaxis(input._data, axis, -1), order, -1)
    values = _like_data(input, input._dtype, None)
    values[...] = _cpu.moveaxis(moved_values, -1, axis)
    indices = _like_data(input, _dtype.int64, None)
    indices[...] = _cpu.moveaxis(order, -1, axis)
    return _make(values, input._dtype, device), _make(indices, _dtype.int64, device), axis


def _check_dim_type(name, dim):
    """``dim`` as an int; PyTorch takes anything with ``__index__`` except bools."""
    if not isinstance(dim, builtins.bool):
        try:
            return operator.index(dim)
        except TypeError:
            pass
    raise TypeError(f"{name}() received an invalid combination of arguments - got dim of "
                    f"type {type(dim).__name__}, but expected (Tensor input, int dim = -1, "
                    "bool descending = False)")


@method("sort")
def sort(input, dim: int = -1, descending: bool = False, *, stable=None, out=None):
    """Sorts ``input`` along ``dim``, returning (values, indices); NaN sorts as the largest
    value. Equal elements keep their order when ``stable``."""
    dim = _check_dim_type("sort", dim)
    values, indices, axis = _sorted_pair(input, dim, descending, bool(stable))
    if out is None:
        # PyTorch's overload that takes ``stable`` records the op as SortBackward1
        _record_selection("SortBackward0" if stable is None else "SortBackward1", input,
                          values, indices, axis)
    return _pair_result("sort", input, values, indices, out)


@method("argsort")
def argsort(input, dim: int = -1, descending: bool = False, *, stable=None, out=None):
    """The indices that sort ``input`` along ``dim``."""
    if out is not None and stable is None:
        raise TypeError("argsort() received an invalid combination of arguments - got "
                        "(Tensor, out=Tensor), but expected (Tensor input, *, bool stable, "
                        "int dim = -1, bool descending = False, Tensor out = None)")
    dim = _check_dim_type("argsort", dim)
    indices = _sorted_pair(input, dim, descending, bool(stable))[1]
    return indices if out is None else write_out(out, indices)


@method("msort")
def msort(input, *, out=None):
    """``input`` sorted along its first dim."""
    if out is not None:
        check_out_allowed("msort", input)
        check_out_dtype(out, input._dtype)
        return write_out(out, _sorted_pair(input, 0, False, False)[0])
    return sort(input, 0).values


def _check_k(name, k):
    if not isinstance(k, builtins.bool):
        try:
            return operator.index(k)
        except TypeError:
            pass
    raise TypeError(f"{name}(): argument 'k' (position 2) must be int, not "
                    f"{type(k).__name__}")


@method("topk")
def topk(input, k: int, dim: int = -1, largest: bool = True, sorted: bool = True, *,
         out=None):
    """The ``k`` largest (or smallest) elements along ``dim`` and their indices."""
    k = _check_k("topk", k)
    ndim = input._data.ndim
    axis = _wrap_dim(dim, ndim) if ndim else _wrap_dim(dim, 0)
    size = input._data.shape[axis] if ndim else 1
    if not 0 <= k <= size:
        raise RuntimeError("selected index k out of range")
    if not ndim:
        k = 1  # PyTorch's topk of a 0-dim tensor gives the element, even for k = 0
    if input._dtype is _dtype.bool:
        raise RuntimeError("topk does not support bool dtypes on CPU")
    data = _sortable(input, "topk")
    moved = _cpu.moveaxis(data, axis, -1) if ndim else data.reshape(1)
    rows = moved.reshape(math.prod(moved.shape[:-1]), size)
    order = _tie_order.topk_order(rows, k, largest, sorted)
    shape = moved.shape[:-1] + (k,)
    values = _cpu.take_along_axis(rows, order, -1).reshape(shape)
    indices = order.reshape(shape)
    if ndim:
        values, indices = _cpu.moveaxis(values, -1, axis), _cpu.moveaxis(indices, -1, axis)
    else:
        values, indices = values.reshape(()), indices.reshape(())
    values = _dense(values, input._dtype, input._device)
    indices = _dense(indices, _dtype.int64, input._device)
    if out is None:
        _record_selection("TopkBackward0", input, values, indices, axis)
    return _pair_result("topk", input, values, indices, out)


@method("kthvalue")
def kthvalue(input, k: int, dim: int = -1, keepdim: bool = False, *, out=None):
    """The ``k``-th smallest element along ``dim`` (NaN the largest) and its index."""
    k = _check_k("kthvalue", k)
    ndim = input._data.ndim
    axis = _wrap_dim(dim, ndim) if ndim else _wrap_dim(dim, 0)
    size = input._data.shape[axis] if ndim else 1
    if size == 0:
        raise IndexError(f"kthvalue(): Expected reduction dim {axis} to have non-zero size.")
    if not 1 <= k <= size:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {axis}")
    if ndim and (input._dtype.is_complex or input._dtype is _dtype.bool):
        raise NotImplementedError(f"\"kthvalue_cpu\" not implemented for "
                                  f"'{input._dtype._legacy_name}'")
    data = _sortable(input, "kthvalue") if ndim else input._data
    moved = _cpu.moveaxis(data, axis, -1) if ndim else data.reshape(1)
    rows = moved.reshape(-1, size)
    chosen = _tie_order.kthvalue_positions(rows, k)
    shape = moved.shape[:-1]
    indices = chosen.reshape(shape)
    values = rows[_cpu.arange(len(rows)), chosen].reshape(shape)
    if ndim:
        if keepdim:
            values = _cpu.expand_dims(values, axis)
            indices = _cpu.expand_dims(indices, axis)
    else:
        values, indices = values.reshape(()), indices.reshape(())
    values = _dense(values, input._dtype, input._device)
    indices = _dense(indices, _dtype.int64, input._device)
    if out is None:
        _record_selection("KthvalueBackward0", input, values, indices, axis, keepdim)
    elif isinstance(out, tuple | list) and len(out) == 2 and isinstance(out[0], Tensor) and (
            out[0]._dtype is not input._dtype):
        raise RuntimeError("output values must be of same type as input")
    return _pair_result("kthvalue", input, values, indices, out)


# --- unique --------------------------------------------------------------------------------


def _unique_flat(input):
    """``input``'s values, flattened, as unique and unique_consecutive compare them."""
    if input._dtype.is_complex:
        raise NotImplementedError(f"\"unique\" not implemented for "
                                  f"'{input._dtype._legacy_name}'")
    return _sortable(input, "sort").reshape(-1)


def _record_not_implemented(name, message, inputs, outputs):
    """A node whose backward raises, as PyTorch records ops without a derivative."""
    inputs = tuple(t for t in inputs if isinstance(t, Tensor))
    if _grad_state.enabled and builtins.any(t._requires_grad for t in inputs):
        record(name, _raise_message, inputs, outputs, message=message)


def _raise_message(ctx, *grads):
    raise RuntimeError(ctx.message)


def _record_unique(name, input, result):
    if result._dtype._category >= 2:
        _record_not_implemented(name, f"the derivative for '{_NOT_DIFFERENTIABLE[name]}' is "
                                "not implemented.", (input,), (result,))


_NOT_DIFFERENTIABLE = {"Unique2Backward0": "_unique2", "UniqueDimBackward0": "unique_dim",
                       "UniqueConsecutiveBackward0": "unique_consecutive"}


def _unique_rows(input, axis, consecutive):
    """unique / unique_consecutive along ``axis``: the kept slices (as the positions of one
    slice each), the inverse and the counts."""
    data = input._data
    size = data.shape[axis]
    if data.size == 0 and size:
        raise RuntimeError("Number of zero sized dimensions is more than one, so unique "
                           "cannot be applied")
    rows = _cpu.moveaxis(_sortable(input, "sort"), axis, 0)
    rows = rows.reshape(size, rows[:1].size)
    order = _cpu.arange(size) if consecutive else _tie_order.unique_dim_order(rows)
    ordered = rows[order]
    starts = _cpu.ones(size, bool)
    if size > 1:
        starts[1:] = (ordered[1:] != ordered[:-1]).any(-1)
    group = _cpu.cumsum(starts) - 1
    inverse = _cpu.empty(size, _cpu.int64)
    inverse[order] = group
    kept = order[starts]
    counts = _cpu.diff(_cpu.append(_cpu.flatnonzero(starts), size))
    return kept, inverse, counts


def _unique_result(input, values, inverse, counts, return_inverse, return_counts, name):
    _record_unique(name, input, values)
    if not (return_inverse or return_counts):
        return values
    parts = [values]
    device = input._device
    if return_inverse:
        parts.append(finish(inverse, _dtype.int64, device))
    if return_counts:
        parts.append(finish(counts, _dtype.int64, device))
    return tuple(parts)


def _unique_along(input, dim, return_inverse, return_counts, consecutive):
    axis = _wrap_dim(dim, input._data.ndim)
    if input._dtype.is_complex:
        raise NotImplementedError(f"\"{'unique' if consecutive else 'unique_dim'}\" not "
                                  f"implemented for '{input._dtype._legacy_name}'")
    kept, inverse, counts = _unique_rows(input, axis, consecutive)
    # PyTorch gathers the kept slices dim-first, then moves the dim back
    moved = _dense(_cpu.moveaxis(input._data, axis, 0)[kept], input._dtype, input._device)
    values = _make(_cpu.moveaxis(moved._data, 0, axis), input._dtype, input._device)
    return _unique_result(input, values, inverse, counts, return_inverse, return_counts,
                          "UniqueConsecutiveBackward0" if consecutive else
                          "UniqueDimBackward0")


@method("unique")
def unique(input, sorted: bool = True, return_inverse: bool = False,
           return_counts: bool = False, dim=None):
    """The unique elements of ``input`` (or unique slices along ``dim``), sorted, with the
    inverse indices and counts if asked for. NaNs are each unique."""
    if dim is not None:
        return _unique_along(input, dim, return_inverse, return_counts, False)
    flat = _unique_flat(input)
    # PyTorch sorts with sort(stable=False): its order among NaNs (each unique) shows in the
    # inverse; equal numbers share one entry whatever their order.
    order = _sort_order(_make(input._data.reshape(-1), input._dtype), 0, False,
                        flat.dtype.kind != "f" or _cpu.count_nonzero(flat != flat) < 2)
    ordered = flat[order]
    starts = _cpu.ones(flat.size, bool)
    starts[1:] = ordered[1:] != ordered[:-1]  # NaN != NaN: each NaN its own
    group = _cpu.cumsum(starts) - 1
    inverse = _cpu.empty(flat.size, _cpu.int64)
    inverse[order] = group
    counts = _cpu.diff(_cpu.append(_cpu.flatnonzero(starts), flat.size))
    values = finish(input._data.reshape(-1)[order[starts]], input._dtype, input._device)
    return _unique_result(input, values, inverse.reshape(input._data.shape), counts,
                          return_inverse, return_counts, "Unique2Backward0")


@method("unique_consecutive")
def unique_consecutive(input, return_inverse: bool = False, return_counts: bool = False,
                       dim=None):
    """``input`` with each run of equal consecutive elements (or slices along ``dim``)
    reduced to one."""
    if dim is not None:
        return _unique_along(input, dim, return_inverse, return_counts, True)
    flat = _unique_flat(input)
    starts = _cpu.ones(flat.size, bool)
    starts[1:] = flat[1:] != flat[:-1]
    inverse = _cpu.cumsum(starts) - 1
    counts = _cpu.diff(_cpu.append(_cpu.flatnonzero(starts), flat.size))
    values = finish(input._data.reshape(-1)[starts], input._dtype, input._device)
    return _unique_result(input, values, inverse.reshape(input._data.shape), counts,
                          return_inverse, return_counts, "UniqueConsecutiveBackward0")


# --- searchsorted, bucketize ----------------------------------------------------------------

_WARNED = set()  # PyTorch gives the non-contiguous input warnings once per process


def _search(boundaries, input, right, sorter, out_int32):
    """Insertion positions of ``input``'s values in the last dim of ``boundaries``."""
    scalar = not isinstance(input, Tensor)
    values = as_tensor_operand(input) if scalar else input
    seq_shape, value_shape = boundaries._data.shape, values._data.shape
    if not seq_shape:
        raise RuntimeError("torch.searchsorted(): boundaries tensor should have positive "
                           "dimension, but got 0 dimension")
    if len(seq_shape) > 1 and (scalar or seq_shape[:-1] != value_shape[:-1]):
        raise RuntimeError(
            "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
            "dimensions of boundaries tensor and input value tensor must match, but we got "
            f"boundaries tensor {list(seq_shape)} and input value tensor "
            f"{list(value_shape)}")
    sequence = boundaries._data
    if sorter is not None:
        if sorter._dtype is not _dtype.int64:
            raise RuntimeError("torch.searchsorted(): sorter must be a tensor of long dtype "
                               f"but got dtype {sorter._dtype._cpp_name}")
        if sorter._data.shape != seq_shape:
            raise RuntimeError("torch.searchsorted(): boundary and sorter must have the same "
                               f"size, but got boundary tensor {list(seq_shape)}and got "
                               f"sorter tensor {list(sorter._data.shape)}")
        if sorter._data.size and (sorter._data.min() < 0 or
                                  sorter._data.max() >= seq_shape[-1]):
            raise RuntimeError("torch.searchsorted(): sorter index out of range")
        sequence = _cpu.take_along_axis(sequence, sorter._data, -1)
    dtype = _dtype.int32 if out_int32 else _dtype.int64
    if not values._data.size:
        return finish(_cpu.zeros(value_shape, dtype._np), dtype, values._device)
    for tensor, what in ((values, "input value"), (boundaries, "boundary"), (sorter, "sorter")):
        if tensor is not None and not tensor.is_contiguous() and what not in _WARNED:
            _WARNED.add(what)
            warnings.warn(
                f"torch.searchsorted(): {what} tensor is non-contiguous, this will lower the "
                "performance due to extra data copy when converting non-contiguous tensor to "
                f"contiguous, please use contiguous {what} tensor if possible. This message "
                "will only appear once per program.", UserWarning, stacklevel=4)
    common = _dtype._result_dtype(boundaries, values)
    if common.is_complex or common is _dtype.bool:
        raise NotImplementedError(f"\"searchsorted_out_cpu\" not implemented for "
                                  f"'{common._legacy_name}'")
    compute = (_dtype.float32 if common in (_dtype.float16, _dtype.bfloat16) else common)._np
    sequence = sequence.astype(compute, copy=False)
    points = values._data.astype(compute, copy=False)
    found = _tie_order.searchsorted_positions(sequence, points, right)
    return finish(_cpu.asarray(found), dtype, values._device)


def _check_search_out(out, out_int32):
    if out is not None and isinstance(out, Tensor):
        expected = _dtype.int32 if out_int32 else _dtype.int64
        if out._dtype is not expected:
            raise RuntimeError(
                "torch.searchsorted(): output tensor's dtype is wrong, it can only be Int"
                f"(int32) or Long(int64) depending on whether out_int32 flag is True, but we "
                f"got output tensor's dtype {out._dtype._cpp_name} and out_int32 flag is "
                f"{'True' if out_int32 else 'False'}")


def searchsorted(sorted_sequence, input, *, out_int32: bool = False, right: bool = False,
                 side=None, sorter=None, out=None):
    """For each value of ``input``, the index in the last dim of ``sorted_sequence`` where
    inserting it keeps the order (after equal elements if ``right``)."""
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' "
                               f"but got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to "
                               "opposites, got side of left while right was True")
        right = side == "right"
    _check_search_out(out, out_int32)
    result = _search(sorted_sequence, input, right, sorter, out_int32)
    return result if out is None else write_out(out, result)


def bucketize(input, boundaries, *, out_int32: bool = False, right: bool = False, out=None):
    """The bucket of each value of ``input`` among the 1-d ``boundaries``."""
    if boundaries._data.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim("
                           f"{boundaries._data.ndim})")
    _check_search_out(out, out_int32)
    result = _search(boundaries, input, right, None, out_int32)
    return result if out is None else write_out(out, result)


# --- histograms, bincount ----------------------------------------------------------------


def _bin_positions(data, edges, dtype, local_search):
    """The bin of each element of ``data`` among the sorted ``edges`` (-1 outside),
    computed as PyTorch's histogram kernel: by linear interpolation in the input's dtype,
    corrected by a local search if ``local_search``; or, for explicit edges
    (``local_search`` None), by binary search."""
    count = len(edges) - 1
    left, right = edges[0], edges[-1]
    with _cpu.errstate(all="ignore"):
        inside = (data >= left) & (data <= right)
    values = data[inside]
    if local_search is None:
        positions = _cpu.searchsorted(edges, values, "right") - 1
    else:
        scale = dtype.type(count)
        positions = ((values - left) * scale / (right - left)).astype(_cpu.int64)
        if local_search:
            low = _cpu.maximum(positions - 1, 0)
            # upper_bound over edges[low:min(pos + 2, count + 1)], minus 1
            high = _cpu.minimum(positions + 2, count + 1)
            found = low.copy()
            for step in range(3):
                candidate = low + step
                ok = (candidate < high) & (edges[_cpu.minimum(candidate, count)] <= values)
                found = _cpu.where(ok, candidate + 1, found)
            positions = found - 1
    positions = _cpu.where(positions == count, count - 1, positions)
    result = _cpu.full(data.shape, -1, _cpu.int64)
    result[inside] = positions
    return result


_C_NAMES = {_dtype.uint8: "uint8_t", _dtype.int8: "int8_t", _dtype.int16: "int16_t",
            _dtype.int32: "int", _dtype.int64: "int64_t"}


def _fmt(value):
    """A double as C++ streams print it."""
    if not math.isfinite(value):
        return str(value)
    return f"{value:g}"


def _bin_edges(input, low, high, bins):
    """``bins + 1`` equal-width edges from ``low`` to ``high`` in ``input``'s dtype, as
    PyTorch's linspace makes them (which refuses bool, and integer ends out of range)."""
    from ember.ops.ranges import linspace

    dtype = input._dtype
    if dtype is _dtype.bool:
        raise NotImplementedError("\"linspace_cpu\" not implemented for 'Bool'")
    if dtype._category == 1:
        info = _cpu.iinfo(dtype._np)
        for value in (low, high):
            if not info.min <= value <= info.max:
                raise RuntimeError(f"value cannot be converted to type {_C_NAMES[dtype]} "
                                   "without overflow")
    return linspace(low, high, bins + 1, dtype=dtype)._data


# Note [Histogram counts]
# PyTorch counts into one histogram of the input's dtype per thread, each over an equal
# share of the elements, then adds them up. Counting by ones stalls where the dtype's
# spacing exceeds 1 (at 2048 in float16, 256 in bfloat16), so a half-precision count
# depends on how the elements were shared: ember shares them as PyTorch's default thread
# count does.
_THREADS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
    os.cpu_count() or 1)


def _count_bins(positions, bins, np_dtype):
    """Counts of each bin among ``positions`` (-1: none), as PyTorch sums them."""
    limit = 2 ** (_cpu.finfo(np_dtype).nmant + 1)
    size = len(positions)
    share = -(-size // _THREADS) if size else 1
    hist = _cpu.zeros(bins, np_dtype)
    for start in range(0, size, share):
        part = positions[start:start + share]
        counts = _cpu.bincount(part[part >= 0], minlength=bins)
        hist = (hist + _cpu.minimum(counts, limit).astype(np_dtype)).astype(np_dtype)
    return hist


def _check_histogram_kernel(input):
    if not input._dtype.is_floating_point:
        raise NotImplementedError(f"\"histogram_cpu\" not implemented for "
                                  f"'{input._dtype._legacy_name}'")


def _check_hist_out(out, input):
    if isinstance(out, Tensor) and out._dtype is not input._dtype:
        raise RuntimeError(f"torch.histogram: input tensor and hist tensor should have the "
                           f"same dtype, but got input {input._dtype._cpp_name} and hist "
                           f"{out._dtype._cpp_name}")


def _check_bins(bins):
    if bins <= 0:
        raise RuntimeError("torch.histogramdd: expected bin count to be positive, but got "
                           f"{bins} for dimension 0")


@method("histc")
def histc(input, bins: int = 100, min=0, max=0, *, out=None):
    """A histogram of ``bins`` equal bins between ``min`` and ``max`` (the data's extremes
    when both are equal); elements outside are ignored."""
    low, high = float(min), float(max)
    data = input._data.reshape(-1)
    if low == high and data.size:
        if input._dtype.is_complex:
            raise NotImplementedError(f"\"aminmax_cpu\" not implemented for "
                                      f"'{input._dtype._legacy_name}'")
        values = _sortable(input, "histc").reshape(-1)
        low, high = float(values.min()), float(values.max())
    if low == high:
        low, high = low - 1, high + 1
    if not (math.isfinite(low) and math.isfinite(high)):
        raise RuntimeError(f"torch.histc: range of [{_fmt(low)}, {_fmt(high)}] is not finite")
    if not low < high:
        raise RuntimeError("torch.histc: max must be larger than min")
    if bins <= 0:
        raise RuntimeError("torch.histc(): bins must be > 0, but got "
                           f"{bins} for dimension 0")
    edges = _bin_edges(input, low, high, bins)
    _check_hist_out(out, input)
    _check_histogram_kernel(input)
    positions = _bin_positions(data, edges, input._dtype._np, False)
    result = finish(_count_bins(positions, bins, input._dtype._np), input._dtype,
                    input._device)
    if out is not None:
        check_out_allowed("histc", input)
        return write_out(out, result)
    return result


def _histogram_edges(input, bins, range):
    """The bin edges of histogram and whether they are equal-width (searched locally)."""
    if isinstance(bins, Tensor):
        if bins._data.ndim != 1:
            raise RuntimeError(f"torch.histogramdd: bins tensor should have one dimension, "
                               f"but got {bins._data.ndim} dimensions in the bins tensor for "
                               "dimension 0")
        if bins._dtype is not input._dtype:
            raise RuntimeError(f"torch.histogramdd: input tensor and bins tensors should "
                               f"have the same dtype, but got input {input._dtype._cpp_name} "
                               f"and bins for dimension 0 {bins._dtype._cpp_name}")
        _check_histogram_kernel(input)
        return bins._data, None
    _check_bins(bins)
    data = input._data
    low, high = 0.0, 1.0
    if range is not None:
        low, high = float(range[0]), float(range[1])
    elif data.size:
        if input._dtype not in (_dtype.float32, _dtype.float64):
            raise NotImplementedError(f"\"histogramdd\" not implemented for "
                                      f"'{input._dtype._legacy_name}'")
        low, high = float(data.min()), float(data.max())
    if not (math.isfinite(low) and math.isfinite(high)):
        raise RuntimeError(f"torch.histogramdd: dimension 0's range [{_fmt(low)}, "
                           f"{_fmt(high)}] is not finite")
    if low > high:
        raise RuntimeError(f"torch.histogramdd: min should not exceed max, but got min "
                           f"{_fmt(low)} max {_fmt(high)} for dimension 0")
    if low == high:
        low, high = low - 0.5, high + 0.5
    edges = _bin_edges(input, low, high, bins)
    _check_histogram_kernel(input)
    return edges, True


@method("histogram")
def histogram(input, bins=100, *, range=None, weight=None, density: bool = False, out=None):
    """A histogram of ``input`` over ``bins`` (a count of equal bins or their edges), with
    optional ``weight`` per element; ``density`` normalizes it to integrate to one."""
    edges, local = _histogram_edges(input, bins, range)
    if weight is not None:
        if weight._dtype is not input._dtype:
            raise RuntimeError("torch.histogramdd: if weight tensor is provided, it should "
                               "have the same dtype as the input tensor")
        if weight._data.size != input._data.size:  # both are flattened first
            raise RuntimeError("torch.histogramdd: if weight tensor is provided it should "
                               "have the same shape as the input tensor excluding its "
                               f"innermost dimension, but got input with shape "
                               f"[{input._data.size}, 1] and weight with shape "
                               f"[{weight._data.size}]")
    if out is not None:
        if not (isinstance(out, tuple | list) and len(out) == 2):
            raise TypeError("histogram(): argument 'out' must be tuple of Tensors")
        _check_hist_out(out[0], input)
        if isinstance(out[1], Tensor) and out[1]._dtype is not input._dtype:
            raise RuntimeError(f"torch.histogram: input tensor and bin_edges tensor should "
                               f"have the same dtype, but got input {input._dtype._cpp_name} "
                               f"and bin_edges {out[1]._dtype._cpp_name}")
    np_dtype = input._dtype._np
    data = input._data.reshape(-1)
    positions = _bin_positions(data, edges, np_dtype, local)
    chosen = positions >= 0
    count = len(edges) - 1
    if weight is None:
        hist = _count_bins(positions, count, np_dtype)
    else:
        weights = weight._data.reshape(-1)[chosen].astype(_cpu.float64)
        hist = _cpu.bincount(positions[chosen], weights, minlength=count).astype(np_dtype)
    if density:
        widths = _cpu.diff(edges)
        with _cpu.errstate(all="ignore"):
            hist = (hist / hist.sum(dtype=_cpu.float64).astype(np_dtype)).astype(np_dtype)
            hist = (hist / widths).astype(np_dtype)
    result = (finish(hist, input._dtype, input._device),
              finish(_cpu.array(edges, np_dtype), input._dtype, input._device))
    if out is not None:
        check_out_allowed("histogram", input, weight)
        return return_types.histogram_out((write_out(out[0], result[0]),
                                           write_out(out[1], result[1])))
    _record_not_implemented("torch::autograd::NotImplemented",
                            "derivative for aten::histogram is not implemented",
                            (input, weight, bins), result)
    return return_types.histogram(result)


@method("bincount")
def bincount(input, weights=None, minlength: int = 0):
    """How often each non-negative integer occurs in the 1-d ``input`` (or the sum of
    ``weights`` at its positions)."""
    if input._dtype._category != 1 or input._dtype is _dtype.bool:
        raise NotImplementedError(f"\"bincount_cpu\" not implemented for "
                                  f"'{input._dtype._legacy_name}'")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    data = input._data
    if data.ndim != 1 or (data.size and data.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is not None and (weights._data.ndim != 1 or weights._data.shape != data.shape):
        raise RuntimeError("weights should be 1-d and have the same length as input")
    if weights is None or not data.size:  # PyTorch counts an empty input in int64 always
        counts = _cpu.bincount(data.astype(_cpu.int64), minlength=minlength)
        return finish(counts, _dtype.int64, input._device)
    dtype = _dtype.float32 if weights._dtype is _dtype.float32 else _dtype.float64
    values = weights._data
    if weights._dtype.is_complex:
        _warn_once("Casting complex values to real discards the imaginary part", stacklevel=3)
        values = values.real
    sums = _cpu.bincount(data.astype(_cpu.int64), values.astype(_cpu.float64),
                         minlength=minlength)
    return finish(sums, dtype, input._device)


# --- argwhere, masked_select ---------------------------------------------------------------


@method("argwhere")
def argwhere(input):
    """The indices of the non-zero elements, one row each."""
    from ember.ops.indexing import nonzero

    return nonzero(input)


@method("masked_select")
def masked_select(input, mask, *, out=None):
    """The elements of ``input`` where ``mask`` (broadcast together) is True, as a 1-d
    tensor."""
    if mask._dtype is not _dtype.bool:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    shape = broadcast_shape(input._data.shape, mask._data.shape)
    data = _cpu.broadcast_to(input._data, shape)[_cpu.broadcast_to(mask._data, shape)]
    result = finish(_cpu.ascontiguousarray(data), input._dtype, input._device)
    if out is not None:
        check_out_allowed("masked_select", input)
        if isinstance(out, Tensor) and out._dtype is not input._dtype:
            raise RuntimeError("masked_select(): self and result must have the same scalar "
                               "type")
        return write_out(out, result)
    if input._requires_grad and _grad_state.enabled:
        input_shape = input._data.shape

        def formula(grad, mask):
            from ember.ops.creation import zeros

            spread = zeros(shape, dtype=grad.dtype)
            spread[mask.expand(shape)] = grad
            return _sum_to(spread, input_shape)

        record_op("MaskedSelectBackward0", (formula,), (input,), (result,), {"mask": mask})
    return result


def _sum_to(tensor, shape):
    """``tensor`` summed over the dims that broadcasting added to ``shape``."""
    lead = tensor.dim() - len(shape)
    dims = list(range(lead)) + [lead + d for d, n in enumerate(shape)
                                if n == 1 and tensor.shape[lead + d] != 1]
    if dims:
        tensor = tensor.sum(dims, keepdim=True)
    return tensor.reshape(shape) if lead or dims else tensor


__all__ = [
    "argsort", "argwhere", "bincount", "bucketize", "histc", "histogram", "kthvalue",
    "masked_select", "msort", "searchsorted", "sort", "topk", "unique", "unique_consecutive",
]
