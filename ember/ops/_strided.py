"""The gather/scatter pair that gradients of views and of indexing are made of.

A view, or an indexing result, reads elements of its input; its gradient writes the
incoming gradient back to where they were read, adding where one element was read more
than once (expand, overlapping unfold, repeated indices). The two maps are each other's
adjoint, so each one's backward is the other, and these gradients can be differentiated
again. ``positions`` is an int array, in the shape of what was read, of indices into the
input flattened in row-major order.
"""

from __future__ import annotations

from ember.backends import cpu as _cpu
from ember.ops._autograd import needs_grad, record


def replayed_positions(shape, read):
    """Where ``read`` (a view or indexing op, as a function of a tensor) takes each of
    its elements from, for an input of ``shape``: ``read`` applied to element numbers."""
    from ember._dtype import int64
    from ember.ops._common import finish

    numbers = finish(_cpu.arange(_cpu.prod(shape, dtype=_cpu.int64)).reshape(shape), int64)
    positions = read(numbers)
    return positions if positions.__class__ is _cpu.ndarray else positions._data


def memory_positions(view, base):
    """Where ``view`` takes its elements from in ``base``, found through memory: for
    as_strided and for views of a base that has changed in place (``base`` must not
    overlap itself)."""
    origin = base.storage_offset()
    base_memory = _element_addresses(base._data.shape, base.stride(), 0)
    span = int(base_memory.max(initial=-1)) + 1
    numbers = _cpu.full(max(span, 1), -1, _cpu.int64)
    numbers[base_memory.reshape(-1)] = _cpu.arange(base_memory.size)
    return numbers[_element_addresses(view._data.shape, view.stride(),
                                      view.storage_offset() - origin)]


def _element_addresses(sizes, strides, offset):
    addresses = _cpu.full(tuple(sizes), offset, _cpu.int64)
    for dim, (n, s) in enumerate(zip(sizes, strides)):
        shape = [1] * len(sizes)
        shape[dim] = n
        addresses = addresses + (_cpu.arange(n, dtype=_cpu.int64) * s).reshape(shape)
    return addresses


def scatter(grad, shape, positions):
    """A tensor of ``shape``: zeros, plus ``grad`` added at ``positions``."""
    from ember.ops._common import finish

    buffer = _cpu.zeros(int(_cpu.prod(shape, dtype=_cpu.int64)), grad._dtype._np)
    flat = positions.reshape(-1)
    if _cpu.unique(flat).size == flat.size:
        buffer[flat] = grad._data.reshape(-1)
    else:
        _cpu.add.at(buffer, flat, grad._data.reshape(-1))
    result = finish(buffer.reshape(shape), grad._dtype, grad._device)
    if needs_grad(grad):
        record("AsStridedScatterBackward0", _scatter_backward, (grad,), (result,),
               positions=positions)
    return result


def gather(tensor, positions):
    """The elements of ``tensor`` at ``positions``."""
    from ember.ops._common import finish

    result = finish(tensor._data.reshape(-1)[positions], tensor._dtype, tensor._device)
    if needs_grad(tensor):
        record("AsStridedBackward0", _gather_backward, (tensor,), (result,),
               shape=tensor._data.shape, positions=positions)
    return result


def _scatter_backward(ctx, grad):
    return (gather(grad, ctx.positions),)


def _gather_backward(ctx, grad):
    return (scatter(grad, ctx.shape, ctx.positions),)
