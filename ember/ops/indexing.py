"""``tensor[index]`` and ``tensor[index] = value``, and nonzero.

Basic indices (ints, slices with positive steps, None, Ellipsis) give views; any tensor,
list or bool in the index makes it advanced indexing, which copies (NumPy's rules, which
PyTorch follows)."""

from __future__ import annotations

import builtins

from ember import _dtype
from ember.backends import cpu as _cpu
from ember.ops._common import Tensor, finish, method
from ember.ops.views import _make_view, _strided

_BASIC = (builtins.int, builtins.slice, type(None), type(Ellipsis))


def _is_basic(items) -> bool:
    for item in items:
        cls = item.__class__
        if cls is builtins.bool or not (cls in _BASIC or isinstance(item, _cpu.integer)):
            return False
    return True


def _check_steps(items):
    for item in items:
        if item.__class__ is builtins.slice and item.step is not None and item.step <= 0:
            if item.step == 0:
                raise ValueError("slice step cannot be zero")
            raise ValueError("step must be greater than zero")


def _count_indexed_dims(items) -> int:
    return builtins.sum(1 for item in items if item is not None and item is not Ellipsis)


def _basic_view_with_new_axes(self, items):
    """Apply basic ``items`` one by one as PyTorch does, so that a None inserts a dim with
    PyTorch's stride (that of ``unsqueeze`` at that point)."""
    sizes, strides = list(self._data.shape), list(self.stride())
    offset = self.storage_offset()
    dim = 0
    for item in items:
        if item is Ellipsis:
            dim += len(sizes) - dim - _count_indexed_dims(items[items.index(item) + 1:])
        elif item is None:
            new_stride = sizes[dim] * strides[dim] if dim < len(sizes) else 1
            sizes.insert(dim, 1)
            strides.insert(dim, new_stride)
            dim += 1
        elif item.__class__ is builtins.slice:
            start, stop, step = item.indices(sizes[dim])
            sizes[dim] = builtins.max(0, -(-(stop - start) // step))
            offset += start * strides[dim]
            strides[dim] *= step
            dim += 1
        else:
            index = builtins.int(item)
            if not -sizes[dim] <= index < sizes[dim]:
                raise IndexError(f"index {index} is out of bounds for dimension {dim} with "
                                 f"size {sizes[dim]}")
            offset += (index % sizes[dim]) * strides[dim]
            del sizes[dim], strides[dim]
    return _strided(self, sizes, strides, offset)


def _advanced_item(item):
    if isinstance(item, Tensor):
        if item._dtype.is_floating_point or item._dtype.is_complex:
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        return item._data
    if isinstance(item, list | tuple):
        return [_advanced_item(x) for x in item]
    return item


def _normalize(index):
    items = index if index.__class__ is builtins.tuple else (index,)
    if builtins.sum(item is Ellipsis for item in items) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    return items


def _check_dims(self, items):
    indexed = 0
    for item in items:
        if item is None or item is Ellipsis:
            continue
        if isinstance(item, Tensor) and item._dtype in (_dtype.bool, _dtype.uint8):
            indexed += builtins.max(item._data.ndim, 1) if item._data.ndim else 0
        elif item.__class__ is builtins.bool:
            continue
        else:
            indexed += 1
    if indexed > self._data.ndim:
        raise IndexError(f"too many indices for tensor of dimension {self._data.ndim}")


def _getitem(self, index):
    items = _normalize(index)
    if _is_basic(items):
        _check_dims(self, items)
        _check_steps(items)
        if None in items:
            return _basic_view_with_new_axes(self, items)
        if Ellipsis not in items:
            items = items + (Ellipsis,)  # keeps NumPy from returning a scalar
        return _make_view(self, self._data[items])
    _check_dims(self, items)
    _check_steps(items)
    data = self._data[builtins.tuple(_advanced_item(item) for item in items)]
    return finish(_cpu.ascontiguousarray(data), self._dtype, self._device)


def _setitem(self, index, value):
    items = _normalize(index)
    _check_dims(self, items)
    _check_steps(items)
    key = items if _is_basic(items) else builtins.tuple(_advanced_item(i) for i in items)
    source = value._data if isinstance(value, Tensor) else value
    try:
        self._data[key] = source
    except ValueError:
        value_shape = list(value._data.shape) if isinstance(value, Tensor) else []
        target_shape = list(self._data[key].shape)
        raise RuntimeError(f"shape mismatch: value tensor of shape {value_shape} cannot be "
                           f"broadcast to indexing result of shape {target_shape}") from None
    self._bump_version()


Tensor.__getitem__ = _getitem
Tensor.__setitem__ = _setitem


@method("nonzero")
def nonzero(input, *, out=None, as_tuple: bool = False):
    """Indices of the non-zero elements: an (n, ndim) int64 tensor, or one tensor per dim."""
    data = input._data
    if as_tuple:
        flat = data.reshape(1) if data.ndim == 0 else data
        return builtins.tuple(finish(i, _dtype.int64, input._device)
                              for i in _cpu.nonzero(flat))
    result = finish(_cpu.argwhere(data), _dtype.int64, input._device)
    if out is not None:
        from ember.ops._common import write_out

        return write_out(out, result)
    return result
