"""The strided gather/scatter pair that gradients of views are made of.

A view reads elements of its base's memory at (sizes, strides, offset); its gradient writes
the incoming gradient back to those places, adding where the view reads one element more
than once (expand, overlapping unfold). The two maps are each other's adjoint, so each one's
backward is the other and gradients of views can be differentiated again.

A geometry is (sizes, strides, offset) in elements of a flat buffer; the base's geometry
and the view's are both measured in the base's own memory.
"""

from __future__ import annotations

from ember.backends import cpu as _cpu
from ember.ops._autograd import needs_grad, record


def _span(geometry) -> int:
    sizes, strides, offset = geometry
    if 0 in sizes:
        return offset
    return offset + 1 + sum((n - 1) * s for n, s in zip(sizes, strides))


def _positions(geometry):
    """The flat buffer index of every element of ``geometry``, in its own shape."""
    sizes, strides, offset = geometry
    positions = _cpu.full(tuple(sizes), offset, _cpu.int64)
    for dim, (n, s) in enumerate(zip(sizes, strides)):
        shape = [1] * len(sizes)
        shape[dim] = n
        positions = positions + (_cpu.arange(n, dtype=_cpu.int64) * s).reshape(shape)
    return positions


def _reads_twice(geometry) -> bool:
    sizes, strides, _ = geometry
    positions = _positions(geometry).reshape(-1)
    return (0 in strides and positions.size > 1) or (
        positions.size != _cpu.unique(positions).size)


def _buffer(dtype, length):
    return _cpu.zeros(length, dtype._np)


def _on(buffer, geometry):
    sizes, strides, offset = geometry
    itemsize = buffer.itemsize
    return _cpu.ndarray(tuple(sizes), buffer.dtype, buffer, offset * itemsize,
                        tuple(s * itemsize for s in strides))


def view_scatter(grad, base_geometry, view_geometry):
    """A tensor of the base's shape: zeros, plus ``grad`` added at the view's elements."""
    from ember.ops._common import finish

    length = max(_span(base_geometry), _span(view_geometry))
    buffer = _buffer(grad._dtype, length)
    if _reads_twice(view_geometry):
        _cpu.add.at(buffer, _positions(view_geometry).reshape(-1), grad._data.reshape(-1))
    else:
        _on(buffer, view_geometry)[...] = grad._data
    result = finish(_on(buffer, base_geometry).copy(), grad._dtype, grad._device)
    if needs_grad(grad):
        record("AsStridedScatterBackward0", _scatter_backward, (grad,), (result,),
               base_geometry=base_geometry, view_geometry=view_geometry)
    return result


def view_gather(tensor, base_geometry, view_geometry):
    """The view's elements read out of ``tensor``, laid out in the base's geometry."""
    from ember.ops._common import finish

    length = max(_span(base_geometry), _span(view_geometry))
    buffer = _buffer(tensor._dtype, length)
    _on(buffer, base_geometry)[...] = tensor._data
    result = finish(_on(buffer, view_geometry).copy(), tensor._dtype, tensor._device)
    if needs_grad(tensor):
        record("AsStridedBackward0", _gather_backward, (tensor,), (result,),
               base_geometry=base_geometry, view_geometry=view_geometry)
    return result


def _scatter_backward(ctx, grad):
    return (view_gather(grad, ctx.base_geometry, ctx.view_geometry),)


def _gather_backward(ctx, grad):
    return (view_scatter(grad, ctx.base_geometry, ctx.view_geometry),)


def geometry_of(tensor, base=None):
    """(sizes, strides, offset) of ``tensor``, the offset counted from ``base``'s first
    element (0 when no base is given)."""
    offset = 0 if base is None else tensor.storage_offset() - base.storage_offset()
    return tuple(tensor._data.shape), tensor.stride(), offset
