"""Ops at listed positions of ``input``: the slices along ``dim`` at the positions an index
vector lists (index_select, index_add, index_copy, index_fill, index_reduce), the elements a
tuple of index tensors picks as ``input[indices]`` does (index_put), a mask's positions
(masked_fill, masked_scatter) and positions in the row-major flattening (take, put).

Kernels and gradients as Note [Gather and scatter kernels] (scatter.py) describes; the
checks, the ``out=`` handling and the reductions are scatter.py's, shared with the ops there.
"""

from __future__ import annotations

import builtins
import warnings

from ember import _dtype
from ember._tensor import _warn_once, _wrap_dim
from ember.backends import cpu as _cpu
from ember.ops import _strided
from ember.ops._autograd import check_out_allowed, inplace_with_grad, needs_grad, record_op
from ember.ops._common import (
    Tensor,
    broadcast_shape,
    check_inplace,
    finish,
    has_internal_overlap,
    method,
)
from ember.ops._layout import _layout_order, _strides_in_order
from ember.ops.copying import clone
from ember.ops.creation import zeros, zeros_like
from ember.ops.indexing import _gather_plan, _index_put, _read_index, _scalar_value, _setitem
from ember.ops.pointwise import where
from ember.ops.scatter import (
    _INT_INDEX,
    _at_least_1d,
    _check_written,
    _fill_value,
    _fresh,
    _index_data,
    _not_implemented_for,
    _out_of_bounds,
    _record_reduce,
    _reduce_into,
    _same_dtype_out,
)
from ember.ops.views import _strided as _strided_view


def _wrapped(indices, size, error):
    """``indices`` in ``[-size, size)`` made non-negative; ``error(bad)`` makes the
    exception for the first one outside."""
    if indices.size and (indices.min() < -size or indices.max() >= size):
        bad = indices[(indices < -size) | (indices >= size)]
        raise error(builtins.int(bad.reshape(-1)[0]))
    return _cpu.where(indices < 0, indices + size, indices) if indices.size else indices


# --- the index_* ops: whole slices along a dim ----------------------------------------------


def _vector_index(name, index, dtypes=_INT_INDEX, dtype_message=None, dtype_error=RuntimeError,
                  ndim_error=None):
    """The index of an ``index_*`` op: a vector or a scalar of one of ``dtypes``."""
    indices = _index_data(index, dtype_message or f"{name}(): Expected dtype int32/int64 for "
                          "index but got: {}", dtypes, dtype_error)
    if indices.ndim > 1:
        raise ndim_error or IndexError(
            f"{name}(): Index is supposed to be a vector, but got dim: {indices.ndim} with "
            f"type: {index._dtype._legacy_name} and size: {list(indices.shape)}")
    return _at_least_1d(indices).astype(_cpu.int64, copy=False)


def _slice_key(dim, indices):
    return (builtins.slice(None),) * dim + (indices,)


def _check_source(name, self, dim, indices, source, dtype_message):
    """torch's checks of index_add / index_reduce's ``source``."""
    if source._dtype is not self._dtype:
        raise RuntimeError(dtype_message)
    self_shape, source_shape = self._data.shape, source._data.shape
    source_size = source_shape[dim] if source_shape else 1
    if indices.size != source_size:
        if not source_shape:  # PyTorch's message reads source.size(dim)
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        raise RuntimeError(f"{name}(): Number of indices ({indices.size}) should be equal to "
                           f"source.size(dim): ({source_size}), for dim: {dim}")
    if len(self_shape) != len(source_shape) or any(
            a != b for d, (a, b) in enumerate(zip(self_shape, source_shape)) if d != dim):
        raise RuntimeError("source tensor shape must match self tensor shape, excluding the "
                           f"specified dimension. Got self.shape = {list(self_shape)} "
                           f"source.shape = {list(source_shape)}")


def _bounds_error(dim, size, error=RuntimeError):
    return lambda bad: error(f"index {bad} is out of bounds for dimension {dim} with size "
                             f"{size}")


@method("index_select")
def index_select(input, dim, index, *, out=None):
    """The slices of ``input`` along ``dim`` at ``index`` (a vector or a scalar)."""
    indices = _index_data(index, "index_select(): Expected dtype int32 or int64 for index")
    data = input._data
    dim = _wrap_dim(dim, data.ndim)
    if indices.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    if data.ndim == 0 and indices.size != 1:
        raise RuntimeError("index_select(): Index to scalar can have only 1 value, got "
                           f"{indices.size} value(s)")
    size = data.shape[dim] if data.ndim else 1
    bad = _out_of_bounds(indices, size)
    if bad is not None:
        if dim == 1:  # PyTorch's kernel for dim 1 words it as Caffe2 did
            raise RuntimeError(f"INDICES element is out of DATA bounds, id={bad} "
                               f"axis_dim={size}")
        raise IndexError("index out of range in self")
    if data.ndim == 0:
        result_data = data.copy()
    else:
        result_data = _cpu.take(data, _at_least_1d(indices), axis=dim)
    result = finish(result_data, input._dtype, input._device)
    if out is not None:
        check_out_allowed("index_select", input)
        return _same_dtype_out(out, result, "index_select(): self and result must have the "
                               "same scalar type", (input, index))
    if needs_grad(input):
        shape = input._data.shape
        record_op("IndexSelectBackward0", (lambda grad, index: zeros(
            shape, dtype=grad._dtype).index_add(dim, index, grad),), (input,), (result,),
            {"index": index})
    return result


def _index_add_into(self, dim, index, source, alpha):
    indices = _vector_index("index_add_", index)
    dim = _wrap_dim(dim, self._data.ndim)
    _check_source("index_add_", self, dim, indices, source,
                  f"index_add_(): self ({self._dtype._legacy_name}) and source "
                  f"({source._dtype._legacy_name}) must have the same scalar type")
    data = _at_least_1d(self._data)
    # Without alpha, PyTorch adds along the first or last dim of an n-d tensor as a
    # scatter_add (half precision summed in float32), else slice by slice; each checks the
    # indices its own way
    as_scatter = alpha == 1 and data.ndim >= 2 and dim in (0, data.ndim - 1)
    bad = _out_of_bounds(indices, data.shape[dim])
    if bad is not None:
        raise (_bounds_error(dim, data.shape[dim])(bad) if as_scatter
               else IndexError("index out of range in self"))
    values = _at_least_1d(source._data)
    if alpha != 1:
        values = values * _scalar_value(self, alpha)
    values = values.astype(data.dtype, copy=False)
    _reduce_into(data, _slice_key(dim, indices), values, "sum", True, as_scatter)


@method("index_add")
def index_add(input, dim, index, source, *, alpha=1, out=None):
    """``input`` with ``alpha * source`` added to its slices along ``dim`` at ``index``
    (repeated indices add up)."""
    result = _fresh(input)
    _index_add_into(result, dim, index, source, alpha)
    if out is not None:
        check_out_allowed("index_add", input, source)
        return _same_dtype_out(out, result)
    if needs_grad(input, source):
        wrapped = _wrap_dim(dim, input._data.ndim)
        record_op("IndexAddBackward0", (
            lambda grad: grad,
            lambda grad, index, source: _maybe_multiply(
                grad.index_select(wrapped, index), alpha).reshape(source._data.shape)),
            (input, source), (result,), {"index": index, "source": source})
    return result


def _maybe_multiply(tensor, factor):
    return tensor if factor == 1 else tensor * factor


@method("index_add_")
def _index_add_inplace(self, dim, index, source, *, alpha=1):
    _check_written(self, source, index)
    if needs_grad(self, source):
        return inplace_with_grad(self, lambda old: index_add(old, dim, index, source,
                                                             alpha=alpha))
    _index_add_into(self, dim, index, source, alpha)
    self._bump_version()
    return self


def _index_copy_into(self, dim, index, source):
    indices = _vector_index("index_copy_", index, (_dtype.int64,),
                            "index_copy_(): Expected a long tensor for index, but got {}")
    dim = _wrap_dim(dim, self._data.ndim)
    if source._dtype is not self._dtype:
        raise RuntimeError("index_copy_(): self and source expected to have the same dtype, "
                           f"but got (self) {self._dtype._legacy_name} and (source) "
                           f"{source._dtype._legacy_name}")
    self_shape, source_shape = self._data.shape, source._data.shape
    if self_shape and source_shape and len(self_shape) != len(source_shape):
        raise IndexError("index_copy_(): When source and destination are not scalars, their "
                         f"dimensionality must match. Source dimensionality "
                         f"({len(source_shape)}), destination dimensionality "
                         f"({len(self_shape)})")
    self_slice = [n for d, n in enumerate(self_shape) if d != dim]
    source_slice = [n for d, n in enumerate(source_shape) if d != dim]
    for d, (a, b) in enumerate(zip(self_slice, source_slice)):
        if a != b:
            raise RuntimeError("index_copy_(): Source/destination tensor must have same slice "
                               f"shapes. Destination slice shape: {a} at dimension {d} and "
                               f"source slice shape: {b} at dimension {d}.")
    source_size = source_shape[dim] if source_shape else 1
    if indices.size != source_size:
        raise IndexError(f"index_copy_(): Number of indices ({indices.size}) should be equal "
                         f"to source.size(dim) ({source_size})")
    data = _at_least_1d(self._data)
    size = data.shape[dim]
    indices = _wrapped(indices, size, lambda bad: IndexError(
        f"index_copy_(): index {bad} is out of bounds for dimension {dim} with size {size}"))
    data[_slice_key(dim, indices)] = _at_least_1d(source._data)


@method("index_copy")
def index_copy(input, dim, index, source, *, out=None):
    """``input`` with its slices along ``dim`` at ``index`` replaced by ``source``'s."""
    result = _fresh(input)
    _index_copy_into(result, dim, index, source)
    if out is not None:
        check_out_allowed("index_copy", input, source)
        return _same_dtype_out(out, result)
    if needs_grad(input, source):
        wrapped = _wrap_dim(dim, input._data.ndim)
        record_op("IndexCopyBackward0", (
            lambda grad, index: grad.index_fill(wrapped, index, 0),
            lambda grad, index, source: grad.index_select(wrapped, index).reshape(
                source._data.shape)), (input, source), (result,),
            {"index": index, "source": source})
    return result


@method("index_copy_")
def _index_copy_inplace(self, dim, index, source):
    _check_written(self, source, index)
    if needs_grad(self, source):
        return inplace_with_grad(self, lambda old: index_copy(old, dim, index, source))
    _index_copy_into(self, dim, index, source)
    self._bump_version()
    return self


def _warn_expanded(self, name):
    if has_internal_overlap(self._data):
        warnings.warn(f"Use of {name} on expanded tensors is deprecated. Please clone() the "
                      "tensor before performing this operation. This also applies to advanced "
                      "indexing e.g. tensor[mask] = scalar", UserWarning, stacklevel=3)


def _index_fill_into(self, dim, index, value):
    indices = _vector_index("index_fill_", index, (_dtype.int64,),
                            "index_fill_(): Expected dtype int64 for index.", IndexError,
                            RuntimeError("Index has to be a vector/scalar"))
    dim = _wrap_dim(dim, self._data.ndim)
    number = value.item() if isinstance(value, Tensor) and not value._data.ndim else value
    if isinstance(number, complex) and not self._dtype.is_complex:
        raise RuntimeError("index_fill_(): Converting complex Scalar to non-complex type is "
                           "not supported")
    number = _fill_value(self, number, "index_fill_")
    data = _at_least_1d(self._data)
    size = data.shape[dim]
    indices = _wrapped(indices, size, _bounds_error(dim, size, error=IndexError))
    data[_slice_key(dim, indices)] = number


@method("index_fill")
def index_fill(input, dim, index, value):
    """``input`` with its slices along ``dim`` at ``index`` filled with ``value`` (a number
    or a 0-dim tensor)."""
    result = clone(input.detach())
    _index_fill_into(result, dim, index, value)
    if needs_grad(input, value):
        wrapped = _wrap_dim(dim, input._data.ndim)
        if isinstance(value, Tensor):
            record_op("IndexFillBackward1", (
                lambda grad, index: grad.index_fill(wrapped, index, 0),
                lambda grad, index: grad.index_select(wrapped, index).sum()), (input, value),
                (result,), {"index": index})
        else:
            record_op("IndexFillBackward0", (
                lambda grad, index: grad.index_fill(wrapped, index, 0),), (input,), (result,),
                {"index": index})
    return result


@method("index_fill_")
def _index_fill_inplace(self, dim, index, value):
    _warn_expanded(self, "index_fill_")
    if needs_grad(self, value):
        return inplace_with_grad(self, lambda old: index_fill(old, dim, index, value))
    _index_fill_into(self, dim, index, value)
    self._bump_version()
    return self


_INDEX_REDUCES = ("prod", "mean", "amax", "amin")


def _index_reduce_into(self, dim, index, source, reduce, include_self):
    _warn_once("index_reduce() is in beta and the API may change at any time.", stacklevel=3)
    if reduce not in _INDEX_REDUCES:
        raise RuntimeError("index_reduce(): Expected reduce to be one of prod, mean, amax or "
                           f"amin but got {reduce}.")
    indices = _vector_index("index_reduce_", index)
    dim = _wrap_dim(dim, self._data.ndim)
    _check_source("index_reduce_", self, dim, indices, source,
                  f"index_reduce_(): self ({self._dtype._legacy_name}) and source "
                  f"({source._dtype._legacy_name}) must have the same scalar type")
    dtype = self._dtype
    if dtype is _dtype.bool or dtype.is_complex:
        if not include_self:
            raise _not_implemented_for("index_reduce_func_exclude_input_init", dtype)
        if self._data.ndim <= 1:
            raise _not_implemented_for("index_func_", dtype)
    data = _at_least_1d(self._data)
    if _out_of_bounds(indices, data.shape[dim]) is not None:
        raise IndexError("index out of range in self")
    if indices.size and (reduce == "mean" and dtype is _dtype.bool or reduce in (
            "amax", "amin") and dtype.is_complex):
        kernels = {"mean": "div_floor_cpu", "amax": "maximum_cpu", "amin": "minimum_cpu"}
        raise _not_implemented_for(kernels[reduce], dtype)
    _reduce_into(data, _slice_key(dim, indices), _at_least_1d(source._data), reduce,
                 include_self)


@method("index_reduce")
def index_reduce(input, dim, index, source, reduce, *, include_self: bool = True, out=None):
    """``input`` with the slices of ``source`` reduced into its slices along ``dim`` at
    ``index``: ``reduce`` is ``"prod"``, ``"mean"``, ``"amax"`` or ``"amin"``."""
    result = _fresh(input)
    _index_reduce_into(result, dim, index, source, reduce, include_self)
    if out is not None:
        check_out_allowed("index_reduce", input, source)
        return _same_dtype_out(out, result)
    if needs_grad(input, source):
        wrapped = _wrap_dim(dim, input._data.ndim)
        _record_reduce(
            "IndexReduceBackward0", result, input, source, index, reduce, include_self,
            lambda t, i: t.index_select(wrapped, i),
            lambda base, t, i: base.index_add(wrapped, i, t),
            lambda t, i: t.index_fill(wrapped, i, 0),
            lambda s, t, i: s.index_reduce(wrapped, i, t, reduce, include_self=include_self))
    return result


@method("index_reduce_")
def _index_reduce_inplace(self, dim, index, source, reduce, *, include_self: bool = True):
    _check_written(self, source, index)
    if needs_grad(self, source):
        return inplace_with_grad(self, lambda old: index_reduce(
            old, dim, index, source, reduce, include_self=include_self))
    _index_reduce_into(self, dim, index, source, reduce, include_self)
    self._bump_version()
    return self


# --- index_put: a tuple of index tensors ----------------------------------------------------


def _index_put_indices(indices, values):
    if not isinstance(indices, tuple | list):
        raise TypeError(f"index_put(): argument 'indices' must be tuple of Tensors, not "
                        f"{type(indices).__name__}")
    for position, item in enumerate(indices):
        if not isinstance(item, Tensor):
            raise TypeError(f"expected Tensor as element {position} in argument 1, but got "
                            f"{type(item).__name__}")
    if not isinstance(values, Tensor):
        raise TypeError("index_put(): argument 'values' (position 3) must be Tensor, not "
                        f"{type(values).__name__}")
    return builtins.tuple(indices)


def _accumulate_into(self, indices, values):
    """``self[indices] += values``, repeated positions adding up."""
    sizes, strides, offset, advanced, _, _ = _read_index(self, indices)
    if not advanced:
        return
    key, result_sizes, _ = _gather_plan(sizes, strides, advanced)
    if values._dtype is not self._dtype:
        raise RuntimeError("Index put requires the source and destination dtypes match, got "
                           f"{self._dtype._legacy_name} for the destination and "
                           f"{values._dtype._legacy_name} for the source.")
    try:
        data = _cpu.broadcast_to(values._data, builtins.tuple(result_sizes))
    except ValueError:
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(values._data.shape)} "
                           "cannot be broadcast to indexing result of shape "
                           f"{result_sizes}") from None
    _cpu.add.at(_strided_view(self, sizes, strides, offset)._data, key, data)


def _check_index_count(self, indices):
    count = builtins.sum(builtins.max(item._data.ndim, 1) if item._dtype in (
        _dtype.bool, _dtype.uint8) else 1 for item in indices)
    if count > self._data.ndim:
        raise IndexError(f"too many indices for tensor of dimension {self._data.ndim} "
                         f"(got {count})")


@method("index_put")
def index_put(input, indices, values, accumulate: bool = False):
    """``input`` with ``values`` written at ``indices`` (a tuple of index tensors, read as
    ``input[indices]``); ``accumulate`` adds them, repeated positions adding up."""
    indices = _index_put_indices(indices, values)
    _check_index_count(input, indices)
    if not accumulate:
        if needs_grad(input, values):
            return _index_put(input, indices, values)
        result = clone(input)
        _setitem(result, indices, values)
        return result
    result = clone(input.detach())
    _accumulate_into(result, indices, values)
    if needs_grad(input, values):
        record_op("IndexPutBackward0", (lambda grad: grad,
                                        lambda grad: grad[indices]),
                  (input, values), (result,))
    return result


@method("index_put_")
def index_put_(input, indices, values, accumulate: bool = False):
    indices = _index_put_indices(indices, values)
    _check_index_count(input, indices)
    if needs_grad(input, values):
        return inplace_with_grad(input, lambda old: index_put(old, indices, values,
                                                              accumulate))
    if accumulate:
        _accumulate_into(input, indices, values)
        input._bump_version()
    else:
        _setitem(input, indices, values)
    return input


# --- masks ----------------------------------------------------------------------------------


def _check_mask(mask, name, legacy=False):
    if not isinstance(mask, Tensor):
        raise TypeError(f"{name}(): argument 'mask' must be Tensor, not {type(mask).__name__}")
    if mask._dtype is not _dtype.bool:
        dtype = mask._dtype._legacy_name if legacy else mask._dtype._cpp_name
        raise RuntimeError(f"{name}_ only supports boolean masks, but got mask with dtype "
                           f"{dtype}")


def _masked_fill_into(self, mask, value):
    _check_mask(mask, "masked_fill")
    number = _fill_value(self, value, "masked_fill_")
    shape = broadcast_shape(self._data.shape, mask._data.shape)
    check_inplace(self, self._dtype, shape, check_overlap=False)  # it warns (_warn_expanded)
    self._data[_cpu.broadcast_to(mask._data, shape)] = number


def _broadcast_input(input, mask):
    """A row-major copy of ``input`` broadcast to ``mask``'s shape too."""
    shape = broadcast_shape(input._data.shape, mask._data.shape)
    data = _cpu.broadcast_to(input._data, shape).copy(order="C")
    return finish(data, input._dtype, input._device)


@method("masked_fill")
def masked_fill(input, mask, value):
    """``input`` with ``value`` (a number or a 0-dim tensor) where the bool ``mask`` (which
    broadcasts with ``input``) is True."""
    _check_mask(mask, "masked_fill")
    result = _broadcast_input(input, mask)
    _masked_fill_into(result, mask, value)
    if needs_grad(input, value):
        if isinstance(value, Tensor):
            record_op("MaskedFillBackward1", (
                lambda grad, mask: grad.masked_fill(mask, 0),
                lambda grad, mask: where(mask, grad, 0).sum()), (input, value), (result,),
                {"mask": mask})
        else:
            record_op("MaskedFillBackward0", (lambda grad, mask: grad.masked_fill(mask, 0),),
                      (input,), (result,), {"mask": mask})
    return result


@method("masked_fill_")
def _masked_fill_inplace(self, mask, value):
    _warn_expanded(self, "masked_fill_")
    if needs_grad(self, value):
        return inplace_with_grad(self, lambda old: masked_fill(old, mask, value),
                                 check_overlap=False)
    _masked_fill_into(self, mask, value)
    self._bump_version()
    return self


def _check_masked_scatter_mask(mask):
    if isinstance(mask, Tensor) and mask._dtype is _dtype.uint8:
        warnings.warn("masked_scatter_ received a mask with dtype torch.uint8, this behavior is "
                      "now deprecated,please use a mask with dtype torch.bool instead.",
                      UserWarning, stacklevel=4)
    _check_mask(mask, "masked_scatter", legacy=True)


def _masked_scatter_into(self, mask, source):
    _check_masked_scatter_mask(mask)
    if source._dtype is not self._dtype:
        raise RuntimeError("masked_scatter: expected self and source to have same dtypes but "
                           f"got{self._dtype._legacy_name} and {source._dtype._legacy_name}")
    shape = broadcast_shape(self._data.shape, mask._data.shape)
    check_inplace(self, self._dtype, shape)
    chosen = _cpu.broadcast_to(mask._data, shape)
    count = builtins.int(_cpu.count_nonzero(chosen))
    if count > source._data.size:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    self._data[chosen] = source._data.reshape(-1)[:count]


@method("masked_scatter")
def masked_scatter(input, mask, source):
    """``input`` with the leading elements of ``source``, in order, where the bool ``mask``
    is True."""
    result = _broadcast_input(input, mask)
    _masked_scatter_into(result, mask, source)
    if needs_grad(input, source):
        positions = _cpu.flatnonzero(_cpu.broadcast_to(mask._data, result._data.shape))
        source_shape = source._data.shape

        def source_grad(grad):
            taken = _strided.gather(grad, positions)
            return _strided.scatter(taken, source_shape, _cpu.arange(positions.size))

        record_op("MaskedScatterBackward0", (lambda grad, mask: grad.masked_fill(mask, 0),
                                             source_grad), (input, source), (result,),
                  {"mask": mask})
    return result


@method("masked_scatter_")
def _masked_scatter_inplace(self, mask, source):
    _check_written(self)
    if needs_grad(self, source):
        return inplace_with_grad(self, lambda old: masked_scatter(old, mask, source))
    _masked_scatter_into(self, mask, source)
    self._bump_version()
    return self


# --- take and put: the row-major flattened input --------------------------------------------


def _flat_indices(shape, index, name):
    """``index`` (int64, into ``shape`` flattened row-major, negatives from the end),
    checked and made non-negative."""
    indices = index._data
    numel = builtins.int(_cpu.prod(shape, dtype=_cpu.int64))
    if indices.size and numel == 0:
        raise IndexError("take(): tried to take from an empty tensor" if name == "take"
                         else "put_(): Tried to put elements into an empty tensor")
    return _wrapped(indices, numel, lambda bad: IndexError(
        f"out of range: tried to access index {bad} on a tensor of {numel} elements."))


def _laid_out_like(result, index):
    """``result`` copied into the layout that follows ``index``'s memory order."""
    sizes = result._data.shape
    order = _layout_order(sizes, index.stride())
    if order == list(range(len(sizes) - 1, -1, -1)):
        return result
    backend = result._device._backend
    data = backend.strided_view(backend.empty_bytes(result._data.nbytes), result._data.dtype,
                                sizes, _strides_in_order(sizes, order), 0)
    data[...] = result._data
    return finish(data, result._dtype, result._device)


@method("take")
def take(input, index, *, out=None):
    """The elements of ``input``, read as a 1-d tensor, at ``index``; the result has
    ``index``'s shape."""
    _index_data(index, "take(): Expected a long tensor for index, but got {}", (_dtype.int64,))
    indices = _flat_indices(input._data.shape, index, "take")
    data = input._data.reshape(-1)[indices]
    result = finish(_cpu.array(data, order="C"), input._dtype, input._device)
    if out is not None:
        check_out_allowed("take", input)
        # a resized out is laid out as TensorIterator lays it out, after the index
        message = ("take(): self and out expected to have the same dtype, but got self.dtype = "
                   f"{input._dtype._legacy_name} and out.dtype = "
                   f"{getattr(out._dtype, '_legacy_name', '')}")
        return _same_dtype_out(out, _laid_out_like(result, index), message, (input, index))
    if needs_grad(input):
        record_op("TakeBackward0", (lambda grad, input, index: zeros(
            input._data.shape, dtype=grad._dtype).put(index, grad, accumulate=True),),
            (input,), (result,), {"input": input, "index": index})
    return result


def _put_into(self, index, source, accumulate):
    _index_data(index, "put_(): Expected a long tensor for index, but got {}", (_dtype.int64,))
    if source._dtype is not self._dtype:
        raise RuntimeError("put_(): self and source expected to have the same dtype, but got "
                           f"self.dtype = {self._dtype._legacy_name} and source.dtype = "
                           f"{source._dtype._legacy_name}")
    if source._data.size != index._data.size:
        raise IndexError("put_(): Expected source and index to have the same number of "
                         f"elements, but got source.numel() = {source._data.size}, "
                         f"index.numel() = {index._data.size}")
    indices = _flat_indices(self._data.shape, index, "put").reshape(-1)
    data = _at_least_1d(self._data)
    key = _cpu.unravel_index(indices, data.shape)  # the layout of ``self`` is kept
    values = source._data.reshape(-1)
    if accumulate:
        _cpu.add.at(data, key, values)
    else:
        data[key] = values


@method("put")
def put(input, index, source, accumulate: bool = False):
    """``input`` with ``source``'s elements written at ``index`` of ``input`` read as a 1-d
    tensor; ``accumulate`` adds them, repeated positions adding up."""
    result = clone(input.detach())
    _put_into(result, index, source, accumulate)
    if needs_grad(input, source):
        record_op("PutBackward0", (
            (lambda grad: grad) if accumulate else
            (lambda grad, index, source: grad.put(index, zeros_like(source), False)),
            lambda grad, index, source: grad.take(index).reshape(source._data.shape)),
            (input, source), (result,), {"index": index, "source": source})
    return result


@method("put_")
def _put_inplace(self, index, source, accumulate: bool = False):
    _check_written(self, source, index)
    if needs_grad(self, source):
        return inplace_with_grad(self, lambda old: put(old, index, source, accumulate))
    _put_into(self, index, source, accumulate)
    self._bump_version()
    return self


__all__ = [
    "index_add", "index_copy", "index_fill", "index_put", "index_put_", "index_reduce",
    "index_select", "masked_fill", "masked_scatter", "put", "take",
]
