"""``tensor[index]`` and ``tensor[index] = value``, and nonzero.

Note [Indexing]
An index is read item by item, left to right, as PyTorch reads it. Ints, slices, None,
Ellipsis and 0-dim integer tensors narrow a view of the tensor (basic indexing: no copy).
Integer and bool tensors, sequences and Python bools are advanced indices: each is recorded
against the dim of that view it falls on (a bool mask of k dims becomes k integer indices,
a Python bool a new dim of size 1 indexed by [0] or []). Without advanced indices the view is
the result. With them, the view is gathered from (a copy): the broadcast index dims replace
the indexed dims where those are adjacent and go first where they are not (NumPy's rule,
which is PyTorch's), and the copy is laid out as PyTorch's TensorIterator would lay it out.
Assignment reads the index the same way, then copies into the view or scatters into it.
"""

from __future__ import annotations

import builtins
import warnings

from ember import _dtype
from ember._tensor import _contiguous_strides, _warn_once
from ember.autograd.grad_mode import no_grad
from ember.autograd.grad_mode import state as _grad_state
from ember.backends import cpu as _cpu
from ember.ops._autograd import inplace_with_grad, record_op, record_view
from ember.ops._common import Tensor, finish, has_internal_overlap, method
from ember.ops._layout import _layout_order, _strides_in_order
from ember.ops.copying import _OVERLAP_MESSAGE, _overlap, clone, copy_
from ember.ops.creation import full_like, ones_like
from ember.ops.views import _make_view, _strided, expand, unbind

_INDEX_DTYPES = (_dtype.int64, _dtype.int32, _dtype.uint8, _dtype.bool)
_MASK_DTYPES = (_dtype.bool, _dtype.uint8)


def _as_items(index) -> tuple:
    """The index as a tuple of items. A short list holding a sequence, slice, tensor, None or
    Ellipsis is read as a tuple (deprecated in PyTorch, which warns)."""
    if index.__class__ is builtins.tuple:
        return index
    if index.__class__ is builtins.list and len(index) < 32:
        for item in index:
            if item is None or item is Ellipsis or isinstance(
                    item, builtins.slice | builtins.list | builtins.tuple | Tensor | _cpu.ndarray):
                warnings.warn(
                    "Using a non-tuple sequence for multidimensional indexing is deprecated "
                    "and will be changed in pytorch 2.9; use x[tuple(seq)] instead of x[seq]. "
                    "In pytorch 2.9 this will be interpreted as tensor index, "
                    "x[torch.tensor(seq)], which will result either in an error or a "
                    "different result", UserWarning, stacklevel=3)
                return builtins.tuple(index)
    return (index,)


def _is_int(item) -> bool:
    """Whether ``item`` indexes like a Python int: ints, NumPy integers, 0-dim integer
    tensors (bools excluded)."""
    if item.__class__ is builtins.int or isinstance(item, _cpu.integer):
        return True
    if isinstance(item, Tensor):
        return item._data.ndim == 0 and item._dtype._category == 1
    return isinstance(item, _cpu.ndarray) and item.ndim == 0 and item.dtype.kind in "iu"


def _count_indexed_dims(items) -> int:
    count = 0
    for item in items:
        if item is None or item is Ellipsis or item.__class__ is builtins.bool:
            continue
        if isinstance(item, Tensor) and item._dtype in _MASK_DTYPES:
            count += item._data.ndim
        else:
            count += 1
    return count


def _index_array(item):
    """An advanced index item as (backend array, dtype), checked to be an index type."""
    if isinstance(item, Tensor):
        array, dtype = item._data, item._dtype
    elif isinstance(item, _cpu.ndarray):
        array, dtype = item, _dtype._from_np(item.dtype)
    else:  # a (nested) sequence of Python numbers: bools make a mask, ints an index
        array = _cpu.asarray(item)
        if array.dtype.kind == "b":
            dtype = _dtype.bool
        elif array.dtype.kind in "iu" or array.size == 0:
            array, dtype = array.astype(_cpu.int64), _dtype.int64
        else:
            dtype = _dtype.float32
    if dtype not in _INDEX_DTYPES:
        raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    return array, dtype


def _warn_uint8_mask():
    warnings.warn("indexing with dtype torch.uint8 is now deprecated, please use a dtype "
                  "torch.bool instead.", UserWarning, stacklevel=3)


def _read_index(self: Tensor, index):
    """Read ``index`` against ``self`` (Note [Indexing]). Returns the basic view's sizes,
    strides and offset; the advanced indices as a list of (dim of that view, int64 array);
    when the only advanced item is a mask (a bool or uint8 tensor of at least one dim), its
    dtype (assignment of one value then becomes a masked fill, as in PyTorch); and whether a
    uint8 mask was used (which PyTorch warns about once it expands the masks)."""
    ndim = self._data.ndim
    if ndim == 0 and index.__class__ is builtins.int:
        raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                         "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
    if ndim == 0 and index.__class__ is builtins.slice:
        raise IndexError("slice() cannot be applied to a 0-dim tensor.")
    items = _as_items(index)
    specified = _count_indexed_dims(items)
    if specified > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    sizes, strides = list(self._data.shape), list(self.stride())
    offset = self.storage_offset()
    advanced = []
    masks = []  # (dim, mask shape) to check once the view is final
    advanced_items = []  # the dtypes of the advanced items, for the masked fill case
    dim = 0
    for position, item in enumerate(items):
        if dim > len(sizes) or dim == len(sizes) and (
                item.__class__ is builtins.slice or _is_int(item)):
            # only a second Ellipsis gets here; PyTorch's own message varies
            raise IndexError(f"index {item} is out of bounds for dimension {dim} with size 0")
        if item is Ellipsis:
            dim += ndim - specified
        elif item is None or item.__class__ is builtins.bool or (
                isinstance(item, Tensor) and item._data.ndim == 0
                and item._dtype in _MASK_DTYPES):
            sizes.insert(dim, 1)
            strides.insert(dim, sizes[dim + 1] * strides[dim] if dim < len(strides) else 1)
            if item is not None:
                advanced.append((dim, _cpu.zeros(1 if item else 0, _cpu.int64)))
                advanced_items.append(None)
            dim += 1
        elif item.__class__ is builtins.slice:
            start, stop, step = item.indices(sizes[dim]) if item.step is None or (
                item.step > 0) else (0, 0, item.step)
            if step <= 0:
                raise ValueError("slice step cannot be zero" if step == 0 else
                                 "step must be greater than zero")
            sizes[dim] = builtins.max(0, -(-(stop - start) // step))
            offset += start * strides[dim]
            strides[dim] *= step
            dim += 1
        elif _is_int(item):
            chosen = builtins.int(item)
            size = sizes[dim]
            if not -size <= chosen < size:
                # PyTorch names the dim by the item's place in the index
                raise IndexError(f"index {chosen} is out of bounds for dimension {position} "
                                 f"with size {size}")
            offset += (chosen + size if chosen < 0 else chosen) * strides[dim]
            del sizes[dim], strides[dim]
        elif isinstance(item, Tensor | builtins.list | builtins.tuple | _cpu.ndarray):
            array, dtype = _index_array(item)
            advanced_items.append(dtype)
            if dtype in _MASK_DTYPES:
                masks.append((dim, array.shape))
                for position in _cpu.nonzero(array):
                    advanced.append((dim, position))
                    dim += 1
            else:
                advanced.append((dim, array.astype(_cpu.int64, copy=False)))
                dim += 1
        elif isinstance(item, builtins.str):  # a sequence to PyTorch, but not of numbers
            raise TypeError("new(): invalid data type 'str'")
        else:
            raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or "
                             f"byte Variables are valid indices (got {type(item).__name__})")
    for dim, shape in masks:
        for j, size in enumerate(shape):
            if dim + j >= len(sizes) or sizes[dim + j] != size:
                raise IndexError(f"The shape of the mask {list(shape)} at index {j} does not "
                                 "match the shape of the indexed tensor "
                                 f"{sizes} at index {dim + j}")
    single_mask = (advanced_items[0] if len(advanced_items) == 1
                   and advanced_items[0] in _MASK_DTYPES else None)
    return sizes, strides, offset, advanced, single_mask, _dtype.uint8 in advanced_items


def _gather_plan(sizes, strides, advanced):
    """For advanced indices on a view: the NumPy key, the result's sizes, and how each
    operand (the view, then each index) strides over the result's dims, which decide the
    result's layout."""
    dims = [dim for dim, _ in advanced]
    arrays = [array for _, array in advanced]
    try:
        arrays = _cpu.broadcast_arrays(*arrays)
    except ValueError:
        shapes = ", ".join(str(list(array.shape)) for array in arrays)
        raise IndexError(f"shape mismatch: indexing tensors could not be broadcast together "
                         f"with shapes {shapes}") from None
    for ordinal, (dim, array) in enumerate(zip(dims, arrays)):
        size = sizes[dim]
        if array.size and (array.max() >= size or array.min() < -size):
            bad = builtins.int(array[(array >= size) | (array < -size)][0])
            # PyTorch names the dim by the index's place among the advanced indices
            raise IndexError(f"index {bad} is out of bounds for dimension {ordinal} with size "
                             f"{size}")
    key = [builtins.slice(None)] * len(sizes)
    for dim, array in zip(dims, arrays):
        key[dim] = array
    index_shape = arrays[0].shape
    kept = [d for d in range(len(sizes)) if d not in dims]
    adjacent = dims == list(range(dims[0], dims[0] + len(dims)))
    before = [d for d in kept if d < dims[0]] if adjacent else []
    after = [d for d in kept if d not in before]
    result_sizes = [sizes[d] for d in before] + list(index_shape) + [sizes[d] for d in after]
    pad_before, pad_after = [0] * len(before), [0] * len(after)
    operands = [[strides[d] for d in before] + [0] * len(index_shape)
                + [strides[d] for d in after]]
    for array in arrays:
        itemsize = array.itemsize
        operands.append(pad_before + [s // itemsize for s in array.strides] + pad_after)
    return builtins.tuple(key), result_sizes, operands


def _getitem(self, index):
    # Fast path: ints and slices with a positive step, which NumPy reads as PyTorch does.
    items = index if index.__class__ is builtins.tuple else (index,)
    for item in items:
        cls = item.__class__
        if not (cls is builtins.int or cls is builtins.slice and (
                item.step is None or item.step.__class__ is builtins.int and item.step > 0)):
            break
    else:
        if len(items) <= self._data.ndim:
            try:
                data = self._data[items + (Ellipsis,)]
            except IndexError:
                pass  # reported below, in PyTorch's words
            else:
                if data.size:  # NumPy does not move an empty slice's address; PyTorch does
                    return _make_view(self, data)
    sizes, strides, offset, advanced, _, uint8_mask = _read_index(self, index)
    if not advanced:
        return _strided(self, sizes, strides, offset)
    if uint8_mask:
        _warn_uint8_mask()
    view = _strided(self, sizes, strides, offset)._data
    key, result_sizes, operands = _gather_plan(sizes, strides, advanced)
    gathered = view[key]
    order = _layout_order(result_sizes, *operands)
    if gathered.size == 0 or order == list(range(len(result_sizes) - 1, -1, -1)):
        data = _cpu.ascontiguousarray(gathered)
        itemsize = data.itemsize
        if data.strides != builtins.tuple(s * itemsize for s in _contiguous_strides(data.shape)):
            data = data.copy()  # NumPy may leave other strides on dims of size 1
        return finish(data, self._dtype, self._device)
    buffer = _cpu.empty(gathered.size * gathered.itemsize, _cpu.uint8)
    data = self._device._backend.strided_view(buffer, gathered.dtype, gathered.shape,
                                              _strides_in_order(result_sizes, order), 0)
    data[...] = gathered
    return finish(data, self._dtype, self._device)


# Ranges of the C types PyTorch converts a Python number to when it is assigned into a tensor
# of an integer dtype (floats and complex numbers are checked separately).
_INT_RANGES = {_dtype.uint8: (0, 255), _dtype.int8: (-128, 127), _dtype.int16: (-2**15, 2**15 - 1),
               _dtype.int32: (-2**31, 2**31 - 1), _dtype.int64: (-2**63, 2**63 - 1)}
_SCALAR_TYPE_NAMES = {_dtype.uint8: "uint8_t", _dtype.int8: "int8_t", _dtype.int16: "int16_t",
                      _dtype.int64: "int64_t"}


def _scalar_value(self: Tensor, value):
    """``value``, a Python number, as PyTorch converts it for ``self``'s dtype: checked for
    overflow, wrapped for unsigned targets."""
    if value.__class__ is not builtins.bool and isinstance(value, builtins.int | _cpu.integer):
        value = builtins.int(value)
        if not -2**63 <= value < 2**63:
            raise ValueError("Overflow when unpacking long long")
    dtype = self._dtype
    if dtype is _dtype.bool:
        return builtins.bool(value)
    name = _SCALAR_TYPE_NAMES.get(dtype) or dtype._cpp_name
    overflow = RuntimeError(f"value cannot be converted to type {name} without overflow")
    if isinstance(value, builtins.complex) and not dtype.is_complex:
        if value.imag != 0:  # only a real value converts to a real dtype
            if dtype in (_dtype.float16, _dtype.bfloat16):
                raise RuntimeError("value cannot be converted to type double without overflow")
            raise overflow
        value = value.real
    parts = (value.real, value.imag) if isinstance(value, builtins.complex) else (value,)
    if dtype._category == 1:
        low, high = _INT_RANGES[dtype]
        if isinstance(value, builtins.float):
            if not low <= value <= high:  # NaN fails too
                raise overflow
            return builtins.int(value)
        if dtype is _dtype.uint8 and -255 <= value < 0:
            return value + 256  # negative ints wrap around into unsigned types
        if not low <= value <= high:
            raise overflow
        return value
    if dtype in (_dtype.float32, _dtype.complex64):
        limit = 3.4028234663852886e38
        for part in parts:
            if part - part == 0 and builtins.abs(part) > limit:  # finite but too large
                raise overflow
    return value


def _setitem_value(self: Tensor, value):
    """The value of an assignment, as a checked Python number or a tensor."""
    if isinstance(value, Tensor):
        return value
    if value.__class__ in (builtins.int, builtins.float, builtins.bool, builtins.complex) or (
            isinstance(value, builtins.float | _cpu.integer)):
        return _scalar_value(self, value)
    cls = type(value)
    name = cls.__name__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__name__}"
    raise TypeError(f"can't assign a {name} to a {self.type()}")


def _without_leading_ones(value: Tensor) -> Tensor:
    """``value`` without its leading dims of size 1, which assignment ignores."""
    shape = value._data.shape
    lead = 0
    while lead < len(shape) and shape[lead] == 1:
        lead += 1
    return value if lead == 0 else _make_view(value, value._data.reshape(shape[lead:]))


def _source_array(self: Tensor, value: Tensor):
    """``value``'s data converted to ``self``'s dtype, as PyTorch's copy converts it."""
    data = value._data
    if value._dtype.is_complex and not self._dtype.is_complex:
        _warn_once("Casting complex values to real discards the imaginary part", stacklevel=3)
        data = data.real
    return data.astype(self._dtype._np, copy=False)


def _setitem(self, index, value):
    value = _setitem_value(self, value)
    if index is False:
        return
    if index is True:  # assigned as through None, not as a bool index
        index = None
    sizes, strides, offset, advanced, single_mask, uint8_mask = _read_index(self, index)
    view = _strided(self, sizes, strides, offset)
    if not advanced:
        if not isinstance(value, Tensor):
            view._data[...] = value
            self._bump_version()
        elif value._data.shape == view._data.shape:
            copy_(view, value)
        elif value._data.ndim == 0:
            view._data[...] = _source_array(view, value)
            self._bump_version()
        else:
            copy_(view, expand(_without_leading_ones(value), view._data.shape))
        return
    key, result_sizes, _ = _gather_plan(sizes, strides, advanced)
    target = view._data
    if has_internal_overlap(target):
        warnings.warn("Use of index_put_ on expanded tensors is deprecated. Please clone() the "
                      "tensor before performing this operation. This also applies to advanced "
                      "indexing e.g. tensor[indices] = tensor", UserWarning, stacklevel=2)
    if isinstance(value, Tensor) and value._data.size == 1 and single_mask is not None:
        # PyTorch fills through a lone bool mask, converting the value as a Python number
        if single_mask is _dtype.uint8:
            raise RuntimeError("masked_fill_ only supports boolean masks, but got mask with "
                               "dtype unsigned char")
        value = _scalar_value(self, value.item())
    if uint8_mask:
        _warn_uint8_mask()
    if not isinstance(value, Tensor):
        target[key] = value
        self._bump_version()
        return
    value = _without_leading_ones(value)
    if _cpu.may_share_memory(target, value._data) and _overlap(target, value._data) in (
            "full", "partial"):
        raise RuntimeError(_OVERLAP_MESSAGE)
    try:
        _cpu.broadcast_shapes(value._data.shape, builtins.tuple(result_sizes))
        if value._data.ndim > len(result_sizes):
            raise ValueError
    except ValueError:
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(value._data.shape)} "
                           "cannot be broadcast to indexing result of shape "
                           f"{result_sizes}") from None
    if value._dtype is not self._dtype:
        raise RuntimeError("Index put requires the source and destination dtypes match, got "
                           f"{self._dtype._legacy_name} for the destination and "
                           f"{value._dtype._legacy_name} for the source.")
    target[key] = value._data
    self._bump_version()


def _node_name(self, index, result) -> str:
    """The name PyTorch gives the last step of an indexing expression (a slice over a whole
    dim is no step, PyTorch skips it, except when it is the whole index)."""
    if result._base is None:
        return "IndexBackward0"
    if index.__class__ is builtins.slice:
        return "SliceBackward0"
    items = _as_items(index)
    shape = self._data.shape
    unconsumed = len(shape) - builtins.sum(1 for item in items
                                           if item is not None and item is not Ellipsis)
    steps, dim = [], 0
    for item in items:
        if item is Ellipsis:
            dim += unconsumed
        elif item is None:
            steps.append(item)
        else:
            if not (item.__class__ is builtins.slice and _is_whole(item, shape[dim])):
                steps.append(item)
            dim += 1
    if not steps:
        return "AliasBackward0"
    last = steps[-1]
    if last is None:
        return "UnsqueezeBackward0"
    return "SliceBackward0" if last.__class__ is builtins.slice else "SelectBackward0"


def _is_whole(item, size) -> bool:
    return (item.start is None or item.start.__class__ is int and item.start == 0) and (
        item.step is None or item.step.__class__ is int and item.step == 1) and (
        item.stop is None or item.stop.__class__ is int and item.stop >= size)


def _getitem_with_grad(self, index):
    result = _getitem(self, index)
    if self._requires_grad and _grad_state.enabled:
        record_view(result, self, _node_name(self, index, result),
                    read=lambda tensor: _getitem(tensor, index))
    return result


def _setitem_with_grad(self, index, value):
    if not (_grad_state.enabled and (self._requires_grad
                                     or getattr(value, "_requires_grad", False))):
        _setitem(self, index, value)
        return
    if index is True:  # assigned through None, as _setitem does
        index = None
    with no_grad():
        target = _getitem(self, index)
    if target._base is None:  # advanced indices: a put, recorded as one op
        split = _basic_steps_first(self, index)
        if split is None:
            inplace_with_grad(self, lambda old: _index_put(old, index, value))
        else:  # a put into a view, which the base records as CopySlices
            basic, advanced = split
            view = _getitem_with_grad(self, basic)
            inplace_with_grad(view, lambda old: _index_put(old, advanced, value))
        return
    # Basic indices: a copy into the view, which PyTorch records as CopySlices on the base
    view = _getitem_with_grad(self, index)
    value = _setitem_value(view, value)
    if not isinstance(value, Tensor):
        value = full_like(view, value)
    if value._data.shape != view._data.shape:
        shape = value._data.shape
        lead = len(shape) - len(_without_leading_ones(value)._data.shape)
        value = expand(value.reshape(shape[lead:]), view._data.shape)
    copy_(view, value)


def _basic_steps_first(self, index):
    """PyTorch applies the basic steps of an index (ints, None, slices short of a whole
    dim) first and puts into that view with the advanced items: for an index that has
    such steps, the basic index of the view and the index of the put into it; else None."""
    items = _as_items(index)
    if builtins.any(item.__class__ is builtins.bool for item in items):
        return None
    shape = self._data.shape
    unconsumed = len(shape) - _count_indexed_dims(items)
    basic, advanced, dim, stepped = [], [], 0, False
    for item in items:
        if item is Ellipsis:
            basic.append(item)
            advanced.append(item)
            dim += unconsumed
        elif item is None:
            basic.append(None)
            advanced.append(builtins.slice(None))
            stepped = True
        elif item.__class__ is builtins.slice:
            basic.append(item)
            advanced.append(builtins.slice(None))
            stepped = stepped or not _is_whole(item, shape[dim])
            dim += 1
        elif _is_int(item):
            basic.append(item)
            stepped = True
            dim += 1
        else:
            covered = _count_indexed_dims((item,))
            basic.extend([builtins.slice(None)] * covered)
            advanced.append(item)
            dim += covered
    return (builtins.tuple(basic), builtins.tuple(advanced)) if stepped else None


def _index_put(old, index, value):
    """``old`` with ``value`` assigned at ``index``, out of place, recorded in the graph:
    the gradient reaches ``old`` outside the indexed elements and ``value`` inside them."""
    with no_grad():
        result = clone(old)
        _setitem(result, index, value.detach() if isinstance(value, Tensor) else value)
        kept = ones_like(old)
        _setitem(kept, index, 0)
    value_ndim = value._data.ndim if isinstance(value, Tensor) else 0

    def value_grad(grad, kept):
        grad = _getitem_with_grad(grad, index)
        while grad._data.ndim < value_ndim:  # assignment ignores a value's leading 1s
            grad = grad.unsqueeze(0)
        return grad

    record_op("IndexPutBackward0", (lambda grad, kept: grad * kept, value_grad), (old, value),
              (result,), {"kept": kept})
    return result


Tensor.__getitem__ = _getitem_with_grad
Tensor.__setitem__ = _setitem_with_grad


def _nonzero_matrix(input: Tensor) -> Tensor:
    """The (n, ndim) int64 matrix of the indices of ``input``'s non-zero elements, laid out
    column by column (strides (1, n)) as PyTorch lays it out."""
    found = _cpu.argwhere(input._data)
    count, ndim = found.shape
    backend = input._device._backend
    matrix = backend.strided_view(backend.empty_bytes(found.size * 8), _cpu.dtype(_cpu.int64),
                                  found.shape, (1, count), 0)
    matrix[...] = found
    return finish(matrix, _dtype.int64, input._device)


@method("nonzero")
def nonzero(input, *, out=None, as_tuple: bool = False):
    """Indices of the non-zero elements: an (n, ndim) int64 tensor, or its columns (views of
    it, as in PyTorch)."""
    if as_tuple:
        if input._data.ndim == 0:
            input = _make_view(input, input._data.reshape(1), input._offset)
        return unbind(_nonzero_matrix(input), 1)
    result = _nonzero_matrix(input)
    if out is not None:
        from ember.ops._common import write_out

        return write_out(out, result)
    return result


__all__ = ["nonzero"]
