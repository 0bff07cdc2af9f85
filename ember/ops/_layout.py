"""Where the elements of a new tensor go in memory: the order PyTorch's TensorIterator lays
out an op's output in, from the layouts of its operands."""

from __future__ import annotations

from ember._tensor import _contiguous_strides
from ember.backends import cpu as _cpu


def _layout_order(sizes, *operand_strides) -> list:
    """The dims ordered innermost first as PyTorch's TensorIterator orders them to lay out a
    new output: a dim goes inside another when the first operand that tells them apart
    (neither stride 0) has the smaller stride there, or an equal stride and a smaller size;
    dims no operand tells apart keep their row-major order."""
    ndim = len(sizes)
    order = list(range(ndim - 1, -1, -1))

    def outer_first(dim0, dim1):
        """1: dim0 belongs outside dim1; -1: inside; 0: no operand says."""
        for strides in operand_strides:
            stride0, stride1 = strides[dim0], strides[dim1]
            if stride0 == 0 or stride1 == 0:
                continue
            if stride0 != stride1:
                return 1 if stride0 > stride1 else -1
            if sizes[dim0] > sizes[dim1]:
                return 1
        return 0

    # An insertion sort that walks past pairs no operand orders, so it never needs a total
    # order over the dims.
    for i in range(1, ndim):
        moving = i
        for j in range(i - 1, -1, -1):
            verdict = outer_first(order[j], order[moving])
            if verdict > 0:
                order[j], order[moving] = order[moving], order[j]
                moving = j
            elif verdict < 0:
                break
    return order


def _strides_in_order(sizes, order) -> list:
    """Row-major strides for dims taken innermost first in ``order``."""
    strides = [0] * len(sizes)
    step = 1
    for dim in order:
        strides[dim] = step
        step *= max(sizes[dim], 1)
    return strides


# Note [Output layout]
# PyTorch gives the output of an elementwise op the memory order of its inputs: inputs of one
# shape that are all contiguous, all channels-last (4-D), or all dense with equal strides,
# give that layout; otherwise the dims are sorted by the inputs' strides, the first input
# with an opinion deciding (a broadcast dim has none), and the output is dense in that order.
# NumPy breaks ties between disagreeing inputs towards row-major instead, so where some input
# is not row-major (or the result is empty, whose strides PyTorch still orders), ember
# computes PyTorch's strides and moves the result there. Row-major inputs need nothing.


def _output_strides(shape, arrays, uniform):
    """PyTorch's element strides for the output of shape ``shape`` computed from ``arrays``
    (the tensor operands' backend arrays, before any dtype conversion); None for
    row-major. ``uniform``: every operand (Python numbers too) has the output's shape."""
    ndim = len(shape)
    if uniform:
        if all(a.flags.c_contiguous or not a.size for a in arrays):
            return None
        if ndim == 4 and all(_is_channels_last(a) for a in arrays):
            n, c, h, w = shape
            return (h * w * c, 1, w * c, c)
        first = arrays[0]
        if _is_dense(first) and all(a.strides == first.strides for a in arrays):
            itemsize = first.itemsize
            return tuple(s // itemsize for s in first.strides)
    operand_strides = []
    for a in arrays:
        lead = ndim - a.ndim
        operand_strides.append((0,) * lead + tuple(
            0 if n == 1 and shape[lead + i] != 1 else s
            for i, (n, s) in enumerate(zip(a.shape, a.strides))))

    perm = _layout_order(shape, *operand_strides)  # innermost first
    if perm == list(range(ndim - 1, -1, -1)):
        return None
    strides = [0] * ndim
    step = 1
    for d in perm:
        strides[d] = step
        step *= shape[d]
    return tuple(strides)


def _is_dense(array) -> bool:
    """Whether ``array`` covers a block of memory without gaps or overlaps, in any order."""
    if array.flags.c_contiguous or array.flags.f_contiguous:
        return True
    expected = array.itemsize
    for n, s in sorted(zip(array.shape, array.strides), key=lambda pair: pair[1]):
        if n != 1:
            if s != expected:
                return False
            expected *= n
    return True


def _in_layout(data, tensors, numbers=False):
    """``data``, the result of an elementwise op over ``tensors`` (and Python ``numbers``
    if any), in PyTorch's layout (see Note [Output layout])."""
    if not data.ndim:
        return data
    shape = data.shape
    uniform = not numbers and all(t._data.shape == shape for t in tensors)
    strides = _output_strides(shape, [t._data for t in tensors if t._data.ndim], uniform)
    if strides is None:
        strides = _contiguous_strides(shape)
    itemsize = data.itemsize
    if data.strides == tuple(s * itemsize for s in strides) and data.size:
        return data
    arranged = _cpu.strided_view(_cpu.empty_bytes(data.size * itemsize), data.dtype,
                                 data.shape, strides, 0)
    _cpu.copyto(arranged, data)
    return arranged


def _is_channels_last(array) -> bool:
    """Whether a 4-D ``array`` is dense with the channels (dim 1) innermost, then width,
    height and batch, dims of size 1 aside, as PyTorch's channels-last test has it."""
    expected = array.itemsize
    for d in (1, 3, 2, 0):
        n = array.shape[d]
        if n != 1:
            if array.strides[d] != expected:
                return False
            expected *= n
    return True
