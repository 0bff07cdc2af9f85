"""Pooling as ops: max, fractional max and average pooling, adaptive pooling and max
unpooling over any number of spatial dimensions (the last ``dims`` dimensions of the input).

Note [Pooling kernels]
Max pooling views the input, padded with the lowest value, as windows (``as_strided``:
leading dims, output positions, kernel positions) and keeps a running maximum over the
kernel positions: a Python loop over kernel positions whose every step is vectorized over
all windows. Its picks are kept as torch's indices (flat positions in the unpadded input
plane); the gradient scatters ``grad`` to them and the gradient of that gathers, so any
order of derivatives works. Average pooling, plain and adaptive, is separable: per spatial
dimension a table of the places each window reads (padding and the ends of shorter windows
read an appended zero) gathers and sums the windows along that axis, and the sums are
divided by a divisor that is a product of per-dimension counts. Its gradient is the same
gather and sum with the transposed tables (for each place, the windows that read it), and
the gradient of that is the forward again. (A 0/1
matrix product would sum faster but turns an infinity into NaN for every window: 0 * inf.)"""

from __future__ import annotations

import functools
import math

from ember import _dtype
from ember._tensor import _make
from ember.backends import cpu as _cpu
from ember.ops._autograd import needs_grad, record_op

__all__ = ["adaptive_avg_pool1d", "adaptive_max_pool1d", "avg_pool1d", "max_pool1d",
           "max_pool1d_with_indices", "max_pool2d", "max_pool3d"]

_WORDS = {1: "one", 2: "two", 3: "three"}


# --- arguments and geometry ------------------------------------------------------------------

def _spatial(value, dims, message):
    """``value`` (an int, or a sequence of one or ``dims`` ints) as a tuple of ``dims``."""
    if hasattr(value, "__index__"):
        return (value.__index__(),) * dims
    value = tuple(value)
    if len(value) == 1:
        return value * dims
    if len(value) != dims:
        raise RuntimeError(message)
    return value


def _omitted(stride):
    """Whether a pooling's stride was left out (None or empty): it is the kernel size."""
    return stride is None or (not isinstance(stride, int) and len(stride) == 0)


def _output_size(size, kernel, stride, padding, dilation, ceil_mode):
    """The number of windows along one dimension; in ceil mode a last window must start
    inside the input or its left padding."""
    if stride == 0:
        raise RuntimeError("stride should not be zero")
    if padding < 0:
        raise RuntimeError(f"pad must be non-negative, but got pad: {padding}")
    if padding > ((kernel - 1) * dilation + 1) // 2:
        raise RuntimeError(f"pad should be at most half of effective kernel size, but got "
                           f"pad={padding}, kernel_size={kernel} and dilation={dilation}")
    span = size + 2 * padding - dilation * (kernel - 1) - 1 + (stride - 1 if ceil_mode else 0)
    count = span // stride + 1
    if ceil_mode and (count - 1) * stride >= size + padding:
        count -= 1
    return count


class _Windows:
    """Where the windows of a pooling lie: per spatial dimension the input size, kernel,
    stride, padding and dilation, and the number of windows (``outputs``)."""

    __slots__ = ("sizes", "kernel", "stride", "padding", "dilation", "outputs", "_picks")

    def __init__(self, sizes, kernel, stride, padding, dilation, ceil_mode):
        self.sizes, self.kernel, self.stride = sizes, kernel, stride
        self.padding, self.dilation = padding, dilation
        self.outputs = tuple(_output_size(*args, ceil_mode)
                             for args in zip(sizes, kernel, stride, padding, dilation))
        self._picks = None

    def extents(self):
        """The padded length per dimension that holds the input and every window."""
        return tuple(max(p + n, (o - 1) * s + (k - 1) * d + 1)
                     for n, k, s, p, d, o in zip(self.sizes, self.kernel, self.stride,
                                                 self.padding, self.dilation, self.outputs))

    def starts(self, dim):
        """The input position where each window of dimension ``dim`` starts (may be < 0)."""
        return _cpu.arange(self.outputs[dim]) * self.stride[dim] - self.padding[dim]

    def picks(self):
        """What max pooling reads torch's indices from (computed once per windows): the
        kernel offsets in scan order, the flat plane offset of each from its window's
        corner, and the flat plane position of each window's corner."""
        if self._picks is None:
            dims, plane = len(self.sizes), _plane_strides(self.sizes)
            offsets = list(_cpu.ndindex(*self.kernel))
            table = _cpu.array([sum((k * d - p) * t for k, d, p, t in zip(
                offset, self.dilation, self.padding, plane)) for offset in offsets], _cpu.intp)
            corners = sum(_broadcast_along(self.starts(dim) + self.padding[dim], dim, dims)
                          * plane[dim] for dim in range(dims))
            self._picks = offsets, table, corners
        return self._picks


def _pool_windows(input, dims, name, kernel_size, stride, padding, dilation, ceil_mode):
    """Check a max or average pooling's arguments as torch does; their windows."""
    words = _WORDS[dims]
    kernel = _spatial(kernel_size, dims, f"{name}: kernel_size must either be a single int, "
                                         f"or a tuple of {words} ints")
    stride = kernel if _omitted(stride) else _spatial(
        stride, dims, f"{name}: stride must either be omitted, a single int, or a tuple of "
                      f"{words} ints")
    padding = _spatial(padding, dims, f"{name}: padding must either be a single int, or a "
                                      f"tuple of {words} ints")
    dilation = _spatial(dilation, dims, f"{name}: dilation must be either a single int, or a "
                                        f"tuple of {words} ints")
    if input.dim() not in (dims + 1, dims + 2):
        raise RuntimeError(f"non-empty {dims + 1}D or {dims + 2}D (batch mode) tensor expected "
                           "for input")
    return _checked_windows(tuple(input.shape), dims, name, kernel, stride, padding, dilation,
                            bool(ceil_mode))


@functools.lru_cache(maxsize=128)
def _checked_windows(shape, dims, name, kernel, stride, padding, dilation, ceil_mode):
    """The windows of a pooling over an input of ``shape``, checked as torch does (once per
    shape and arguments: a training loop asks again and again)."""
    windows = _Windows(tuple(shape[-dims:]), kernel, stride, padding, dilation, ceil_mode)
    axes = "THW"[3 - dims:]
    for what, prefix, values in (("kernel size", "k", kernel), ("stride", "d", stride)):
        if min(values) <= 0:
            got = " ".join(f"{prefix}{axis}: {v}" for axis, v in zip(axes, values))
            raise RuntimeError(f"{what} should be greater than zero, but got {got}")
    if min(dilation) <= 0:
        got = " ".join(f"dilation{axis}: {v}" for axis, v in zip(axes, dilation))
        raise RuntimeError(f"dilation should be greater than zero, but got {got}")
    if 0 in shape[-dims - 1:]:
        raise RuntimeError(f"Expected {dims + 1}D or {dims + 2}D (batch mode) tensor with "
                           f"optional 0 dim batch size for input, but got:{list(shape)}")
    if any(p > k // 2 for p, k in zip(padding, kernel)):
        if dims == 2:
            got = (f"padW = {padding[1]}, padH = {padding[0]}, kW = {kernel[1]}, "
                   f"kH = {kernel[0]}")
        else:
            got = (f"kT: {kernel[0]} kW: {kernel[2]} kH: {kernel[1]} padT: {padding[0]} "
                   f"padW: {padding[2]} padH: {padding[1]}")
        raise RuntimeError(f"pad should be smaller than or equal to half of kernel size, but "
                           f"got {got}")
    if name == "avg_pool3d" and any(n < k for n, k in zip(windows.sizes, kernel)):
        raise RuntimeError("input image (T: {} H: {} W: {}) smaller than kernel size (kT: {} "
                           "kH: {} kW: {})".format(*windows.sizes, *kernel))
    if min(windows.outputs) < 1:
        channels = shape[-dims - 1]
        raise RuntimeError(
            f"Given input size: ({'x'.join(map(str, shape[-dims - 1:]))}). Calculated output "
            f"size: ({'x'.join(map(str, (channels, *windows.outputs)))}). Output size is "
            "too small")
    return windows


def _adaptive_sizes(input, dims, name, output_size):
    """The output size of an adaptive pooling (None keeps the input's size), checked with
    torch's messages, which differ between average and max."""
    is_max = "max" in name
    shape = input.shape
    if input.dim() not in (dims + 1, dims + 2):
        raise RuntimeError(f"{name}(): Expected {dims + 1}D or {dims + 2}D tensor, but got"
                           f"{':' if is_max else ''} {list(shape)}")
    for axis in range(1, input.dim()):
        if shape[axis] == 0:
            raise RuntimeError(f"{name}(): Expected input to have non-zero size for non-batch "
                               f"dimensions, but input has sizes {list(shape)} with dimension "
                               f"{axis} being empty")
    sizes = (output_size,) * dims if isinstance(output_size, int) else tuple(output_size)
    if len(sizes) != dims:
        raise RuntimeError(f"{name}(): internal error: output_size.size() must be {dims}"
                           if is_max else f"{name}: output_size must be {dims}")
    sizes = tuple(n if s is None else s for s, n in zip(sizes, shape[-dims:]))
    if min(sizes) < 0:
        if is_max:
            negative = min(sizes)
            raise RuntimeError(f"Trying to create tensor with negative dimension {negative}: "
                               f"{list(shape[:-dims]) + list(sizes)}")
        received = ", ".join(map(str, sizes[:2])) + "".join(f",{n}" for n in sizes[2:])
        raise RuntimeError(f"{name}: elements of output_size must be greater than or equal "
                           f"to 0 but received {{{received}}}")
    return sizes


def _adaptive_bounds(size, outputs):
    """torch's adaptive windows: [floor(i * size / outputs), ceil((i + 1) * size / outputs))."""
    positions = _cpu.arange(outputs)
    starts = positions * size // outputs
    ends = -((positions + 1) * size // -outputs)
    return starts, ends - starts


def _window_table(starts, lengths, size):
    """The input places each window reads, one row per window (as long as the longest):
    places past a window's end or outside the input read place ``size``, a neutral value
    appended to the dimension (zero for sums, the lowest value for maxima)."""
    offsets = _cpu.arange(max(int(lengths.max(initial=0)), 1))
    places = starts[:, None] + offsets
    inside = (offsets < lengths[:, None]) & (places >= 0) & (places < size)
    return _cpu.where(inside, places, size)


# --- max pooling -----------------------------------------------------------------------------

def _padded(data, dims, padding, extents, fill):
    """``data`` placed at ``padding`` in an array of ``extents`` (spatial) filled with
    ``fill``; ``data`` itself where nothing is added."""
    sizes = data.shape[-dims:]
    if extents == sizes:
        return data
    padded = _cpu.full(data.shape[:-dims] + extents, fill, data.dtype)
    padded[(..., *(slice(p, p + n) for p, n in zip(padding, sizes)))] = data
    return padded


def _running_max(window_at, count, floating):
    """The maximum over ``window_at(0..count-1)`` (arrays of one shape) and, in each place,
    the position of the first maximum, or of the last NaN where there is one: torch's
    picks."""
    best = _cpu.array(window_at(0), order="C")
    position = _cpu.zeros(best.shape, _cpu.min_scalar_type(count - 1))
    step = position.dtype.type
    for j in range(1, count):
        window = _cpu.ascontiguousarray(window_at(j))
        better = window > best
        _cpu.maximum(best, window, out=best)  # NaN wins, as in torch
        # positions only grow, so "j where better" is a maximum (cheaper than a masked write)
        _cpu.maximum(position, better * step(j), out=position)
    if floating and _cpu.isnan(best).any():
        for j in range(count):
            _cpu.copyto(position, step(j), where=_cpu.isnan(window_at(j)))
    return best, position


def _plane_strides(sizes):
    strides, step = [], 1
    for size in reversed(sizes):
        strides.insert(0, step)
        step *= size
    return strides


def _broadcast_along(values, dim, dims):
    """A vector of dimension ``dim``'s positions, shaped to broadcast over ``dims`` axes."""
    return values.reshape((-1,) + (1,) * (dims - 1 - dim))


def _max_pool_kernel(data, windows, floating, with_indices):
    """The maxima and torch's indices (None unless ``with_indices``) of max pooling ``data``
    (NumPy) over ``windows``."""
    dims = len(windows.sizes)
    fill = -math.inf if floating else _cpu.iinfo(data.dtype).min
    padded = _padded(data, dims, windows.padding, windows.extents(), fill)
    strides = padded.strides
    view = _cpu.as_strided(
        padded, padded.shape[:-dims] + windows.outputs + windows.kernel,
        strides[:-dims] + tuple(t * s for t, s in zip(strides[-dims:], windows.stride))
        + tuple(t * d for t, d in zip(strides[-dims:], windows.dilation)), writeable=False)
    offsets, offset_table, corners = windows.picks()
    best, position = _running_max(lambda j: view[(..., *offsets[j])], len(offsets), floating)
    if not with_indices:
        return best, None
    indices = corners + offset_table.take(position.astype(_cpu.intp))
    if padded is not data and (best == fill).any():
        # every value of such a window is the lowest: torch picks its first in-bounds place
        plane = _plane_strides(windows.sizes)
        first = sum(_broadcast_along(_first_inside(windows, dim), dim, dims) * plane[dim]
                    for dim in range(dims))
        indices = _cpu.where(best == fill, first, indices)
    return best, indices


def _first_inside(windows, dim):
    """The first input position inside each window of dimension ``dim``."""
    starts, dilation = windows.starts(dim), windows.dilation[dim]
    return _cpu.where(starts < 0, starts + (-starts + dilation - 1) // dilation * dilation,
                      starts)


def _max_pool(input, dims, kernel_size, stride, padding, dilation, ceil_mode, name,
              with_indices=True):
    """``(values, indices)`` of max pooling ``input`` over its last ``dims`` dimensions;
    indices None when neither asked for nor needed for the gradient."""
    windows = _pool_windows(input, dims, name, kernel_size, stride, padding, dilation,
                            ceil_mode)
    dtype = input._dtype
    differentiable = needs_grad(input)
    best, indices = _max_pool_kernel(input._data, windows, dtype.is_floating_point,
                                     with_indices or differentiable)
    values = _make(best, dtype)
    if indices is not None:
        indices = _make(indices, _dtype.int64)
    if differentiable:
        _record_pick(f"MaxPool{dims}DWithIndices", input, values, indices, dims)
    return values, indices


def _record_pick(kind, input, values, indices, dims):
    """Record ``values``, picked from ``input`` at ``indices``, as node ``kind`` + Backward0:
    the gradient goes to the picked places."""
    plane = tuple(input.shape[-dims:])
    names = (f"{kind}BackwardBackward0", f"{kind}Backward0")
    record_op(names[1], (lambda grad: _scatter(grad, indices, plane, True, names),),
              (input,), (values,))


def _rows(array, dims):
    """``array`` as (leading positions, flat spatial positions)."""
    lead = array.shape[:array.ndim - dims]
    return array.reshape(math.prod(lead), math.prod(array.shape[-dims:])), lead


def _scatter(values, indices, plane, accumulate, names):
    """Zeros of spatial size ``plane`` with each of ``values`` written (or, with
    ``accumulate``, added) at its flat spatial position in ``indices``, recorded as node
    ``names[0]``; its gradient gathers (node ``names[1]``)."""
    dims = len(plane)
    data, lead = _rows(values._data, dims)
    positions, _ = _rows(indices._data, dims)
    size = math.prod(plane)
    flat = (positions + _cpu.arange(0, data.shape[0] * size, size)[:, None]).ravel()
    result = _cpu.zeros(data.shape[0] * size, data.dtype)
    if accumulate:  # repeated places add up
        _cpu.add.at(result, flat, data.ravel())
    else:
        result[flat] = data.ravel()
    result = _make(result.reshape(lead + plane), values._dtype)
    if needs_grad(values):
        swapped = names[::-1]
        record_op(names[0], (lambda grad: _gather(grad, indices, dims, swapped),), (values,),
                  (result,))
    return result


def _gather(data, indices, dims, names):
    """The values of ``data`` at the flat positions ``indices`` in its last ``dims``
    dimensions (the result has the shape of ``indices``), recorded as node ``names[0]``;
    its gradient scatters (node ``names[1]``)."""
    rows, _ = _rows(data._data, dims)
    positions, _ = _rows(indices._data, dims)
    result = _make(_cpu.take_along_axis(rows, positions, 1).reshape(indices.shape),
                   data._dtype)
    if needs_grad(data):
        plane, swapped = tuple(data.shape[-dims:]), names[::-1]
        record_op(names[0], (lambda grad: _scatter(grad, indices, plane, True, swapped),),
                  (data,), (result,))
    return result


def _adaptive_max_pool(input, dims, output_size, name):
    """``(values, indices)`` of adaptive max pooling over the last ``dims`` dimensions."""
    outputs = _adaptive_sizes(input, dims, name, output_size)
    dtype = input._dtype
    if not dtype.is_floating_point:
        raise NotImplementedError(f'"{name}" not implemented for \'{dtype._legacy_name}\'')
    data = input._data
    sizes = data.shape[-dims:]
    # windows of (window, offset) per dimension, read at once with broadcast tables
    tables, gathers = [], []
    for dim, (size, count) in enumerate(zip(sizes, outputs)):
        table = _window_table(*_adaptive_bounds(size, count), size)
        shape = [1] * (2 * dims)
        shape[dim], shape[dims + dim] = table.shape
        tables.append(table)
        gathers.append(table.reshape(shape))
    padded = _padded(data, dims, (0,) * dims, tuple(n + 1 for n in sizes), -math.inf)
    windows = padded[(..., *gathers)]
    offsets = list(_cpu.ndindex(*windows.shape[-dims:]))
    best, position = _running_max(lambda j: windows[(..., *offsets[j])], len(offsets), True)
    offset_of = _cpu.array(offsets, dtype=_cpu.int64).reshape(len(offsets), dims)
    plane = _plane_strides(sizes)
    indices = sum(
        table[_broadcast_along(_cpu.arange(table.shape[0]), dim, dims),
              offset_of[:, dim].take(position)] * plane[dim]
        for dim, table in enumerate(tables))
    values = _make(best, dtype)
    indices = _make(_cpu.asarray(indices, _cpu.int64), _dtype.int64)
    if needs_grad(input):
        _record_pick(f"AdaptiveMaxPool{dims}D", input, values, indices, dims)
    return values, indices


def _fractional_starts(samples, size, outputs, kernel):
    """torch's pseudo-random window starts of fractional max pooling along one dimension,
    one row per sample, computed in the samples' type as torch does: window ``i`` starts at
    ``int((i + u) * alpha) - int(u * alpha)``, ``alpha = (size - kernel) / (outputs - 1)``,
    and the last window ends at the input's end."""
    starts = _cpu.full(samples.shape + (outputs,), size - kernel, _cpu.int64)
    if outputs > 1:
        kind = samples.dtype.type
        alpha = kind(size - kernel) / kind(outputs - 1)
        steps = _cpu.arange(outputs - 1).astype(samples.dtype) + samples[..., None]
        starts[..., :-1] = ((steps * alpha).astype(_cpu.int64)
                            - (samples * alpha).astype(_cpu.int64)[..., None])
    return starts


# torch's sample order per plane: width then height in 2-d, time, height, width in 3-d
_SAMPLE_OF_DIM = {2: (1, 0), 3: (0, 1, 2)}
_AXIS_NAMES = {2: ("height", "width"), 3: ("time", "height", "width")}


def _fractional_max_pool(input, dims, kernel_size, output_size, samples, name):
    """``(values, indices)`` of fractional max pooling: windows of ``kernel_size`` at starts
    drawn from ``samples`` (one in [0, 1) per batch entry, channel and dimension)."""
    kernel = _spatial(kernel_size, dims, f"{name}: kernel_size must either be a single Int "
                                         "or tuple of Ints")
    outputs = _spatial(output_size, dims, f"{name}: output_size must either be a single Int "
                                          "or tuple of Ints")
    data = input._data if input.dim() == dims + 2 else input._data[None]
    sizes = data.shape[-dims:]
    prefix = name + ("()" if dims == 2 else "_out()")
    for axis, size, count, length in zip(_AXIS_NAMES[dims], sizes, outputs, kernel):
        if count + length - 1 >= size + (dims == 2):  # torch's 3-d form leaves a place over
            raise RuntimeError(f"{prefix}: pool {axis} {length} too large relative to input "
                               f"{axis} {size}")
    if samples.shape[0] < data.shape[0]:
        raise RuntimeError("Expect _random_samples.size(0) no less then input batch size.")
    if samples.shape[2] != dims:
        raise RuntimeError(f"Expect _random_samples.size(2) equals to {dims}; got "
                           f"{samples.shape[2]}.")
    drawn = samples._data[:data.shape[0]]
    # the windows as one gather: (batch, channel, windows per dim..., offsets per dim...)
    batch, channels = data.shape[:2]
    rank = 2 + 2 * dims
    places, starts = [], []
    for dim, (size, count, length) in enumerate(zip(sizes, outputs, kernel)):
        first = _fractional_starts(drawn[..., _SAMPLE_OF_DIM[dims][dim]], size, count, length)
        shape = [batch, channels] + [1] * (rank - 2)
        shape[2 + dim] = count
        starts.append(first.reshape(shape[:2 + dims]))
        shape[2 + dims + dim] = length
        places.append((first[..., None] + _cpu.arange(length)).reshape(shape))
    leading = (_cpu.arange(batch).reshape((-1,) + (1,) * (rank - 1)),
               _cpu.arange(channels).reshape((1, -1) + (1,) * (rank - 2)))
    windows = data[(*leading, *places)]
    offsets = list(_cpu.ndindex(*kernel))
    best, position = _running_max(lambda j: windows[(..., *offsets[j])], len(offsets), True)
    offset_of = _cpu.array(offsets, dtype=_cpu.int64).reshape(len(offsets), dims)
    plane = _plane_strides(sizes)
    indices = sum((first + offset_of[:, dim].take(position)) * plane[dim]
                  for dim, first in enumerate(starts))
    if input.dim() == dims + 1:
        best, indices = best[0], indices[0]
    dtype = input._dtype
    values = _make(best, dtype)
    indices = _make(_cpu.ascontiguousarray(indices, _cpu.int64), _dtype.int64)
    if needs_grad(input):
        _record_pick(f"FractionalMaxPool{dims}D", input, values, indices, dims)
    return values, indices


# --- average pooling -------------------------------------------------------------------------

def _sum_along(data, axis, table):
    """The sums of ``data`` over the windows of ``table`` along ``axis``."""
    zero = _cpu.zeros_like(data, shape=data.shape[:axis] + (1,) + data.shape[axis + 1:])
    extended = _cpu.concatenate((data, zero), axis)
    total = extended.take(table[:, 0], axis)
    for offset in range(1, table.shape[1]):  # adding slices beats a sum over a short axis
        total += extended.take(table[:, offset], axis)
    return total


def _transposed_table(table, size):
    """The windows table of the adjoint: for each input place, the windows that read it
    (padded with ``len(table)``, a zero appended to the windows)."""
    windows, inside = _cpu.nonzero(table < size)
    places = table[windows, inside]
    order = _cpu.argsort(places, kind="stable")
    places, windows = places[order], windows[order]
    counts = _cpu.bincount(places, minlength=size)
    rank = _cpu.arange(len(places)) - _cpu.repeat(_cpu.cumsum(counts) - counts, counts)
    transposed = _cpu.full((size, max(int(counts.max(initial=0)), 1)), len(table))
    transposed[places, rank] = windows
    return transposed


def _compute_type(dtype):
    """The NumPy type averages are computed in: float32 for the half types."""
    return _cpu.float32 if dtype.is_floating_point and dtype.itemsize == 2 else dtype._np


def _average(input, tables, divisor, kind, transposed=False):
    """Window sums along each of the last ``len(tables)`` dimensions (``tables`` holds the
    windows table and its transpose per dimension) divided by ``divisor`` (torch's
    truncating division for integers), recorded as node ``kind`` + Backward0; with
    ``transposed``, the adjoint (the gradient), as ``kind`` + BackwardBackward0. The
    gradient of each is the other."""
    dtype = input._dtype
    compute = _compute_type(dtype)
    data = input._data.astype(compute, copy=False)
    if transposed:
        data = data / divisor
    for offset, pair in enumerate(tables):
        data = _sum_along(data, data.ndim - len(tables) + offset, pair[transposed])
    if not transposed:
        data = data / divisor if dtype.is_floating_point else _cpu.trunc(data / divisor)
    result = _make(data.astype(dtype._np, copy=False), dtype)
    if needs_grad(input):
        name = kind + ("BackwardBackward0" if transposed else "Backward0")
        record_op(name, (lambda grad: _average(grad, tables, divisor, kind, not transposed),),
                  (input,), (result,))
    return result


def _counts_product(counts, dtype):
    """The product of per-dimension count vectors, broadcast over the output positions."""
    dims = len(counts)
    product = _cpu.ones((), dtype)
    for dim, count in enumerate(counts):
        product = product * _broadcast_along(count.astype(dtype), dim, dims)
    return product


def _avg_pool(input, dims, kernel_size, stride, padding, ceil_mode, count_include_pad,
              divisor_override, name):
    """Average pooling over the last ``dims`` dimensions."""
    dtype = input._dtype
    if not dtype.is_floating_point and dtype is not _dtype.int64:
        raise NotImplementedError(f'"{name}" not implemented for \'{dtype._legacy_name}\'')
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    if input.dim() not in (dims + 1, dims + 2) and dims == 2:
        raise IndexError(f"Dimension out of range (expected to be in range of "
                         f"[{-input.dim()}, {input.dim() - 1}], but got {-dims - 1})")
    windows = _pool_windows(input, dims, name, kernel_size, stride, padding, 1, ceil_mode)
    compute = _compute_type(dtype)
    tables, counts = [], []
    for dim, (size, kernel) in enumerate(zip(windows.sizes, windows.kernel)):
        starts = windows.starts(dim)
        table = _window_table(starts, _cpu.full_like(starts, kernel), size)
        tables.append((table, _transposed_table(table, size)))
        ends = _cpu.minimum(starts + kernel, size + windows.padding[dim])
        counts.append(ends - starts if count_include_pad else
                      _cpu.minimum(ends, size) - _cpu.maximum(starts, 0))
    divisor = (_cpu.asarray(divisor_override, compute) if divisor_override is not None
               else _counts_product(counts, compute))
    return _average(input, tables, divisor, f"AvgPool{dims}D")


def _adaptive_avg_pool(input, dims, output_size, name):
    """Adaptive average pooling over the last ``dims`` dimensions."""
    outputs = _adaptive_sizes(input, dims, name, output_size)
    dtype = input._dtype
    if not dtype.is_floating_point:
        raise NotImplementedError(f'"{name}" not implemented for \'{dtype._legacy_name}\'')
    if all(size == 1 for size in outputs):  # torch takes the mean there
        return input.mean(tuple(range(-dims, 0)), keepdim=True)
    tables, counts = [], []
    for size, count in zip(input.shape[-dims:], outputs):
        starts, lengths = _adaptive_bounds(size, count)
        table = _window_table(starts, lengths, size)
        tables.append((table, _transposed_table(table, size)))
        counts.append(lengths)
    return _average(input, tables, _counts_product(counts, _compute_type(dtype)),
                    f"AdaptiveAvgPool{dims}D")


# --- unpooling -------------------------------------------------------------------------------

def _max_unpool(input, indices, dims, output_size, name):
    """Max pooling's values put back at their ``indices`` in zeros of spatial size
    ``output_size``."""
    if indices._dtype is not _dtype.int64:
        raise RuntimeError(f"elements in indices should be type int64 but got: "
                           f"{indices._dtype._legacy_name}")
    if input.shape != indices.shape:
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor "
                           f"({list(input.shape)}) but got indices tensor with shape: "
                           f"{list(indices.shape)}")
    if input.dim() not in (dims + 1, dims + 2):
        raise RuntimeError(f"Input to {name} should be a {dims + 1}d or {dims + 2}d Tensor, "
                           f"but got a tensor with {input.dim()} dimensions.")
    plane = tuple(output_size)
    positions = indices._data
    invalid = (positions < 0) | (positions >= math.prod(plane))
    if invalid.any():
        raise RuntimeError(f"Found an invalid max index: {positions[invalid].flat[0]} (output "
                           f"volumes are of size {'x'.join(map(str, plane))})")
    return _scatter(input, indices, plane, False,
                    (f"MaxUnpool{dims}DBackward0", f"MaxPool{dims}DWithIndicesBackwardBackward0"))


# --- the 1-d forms, which torch runs as 2-d poolings of height 1 -------------------------------

def _single(value, message):
    """A 1-d pooling's argument (an int or a sequence of one int) as an int."""
    if isinstance(value, int):
        return value
    value = tuple(value)
    if len(value) != 1:
        raise RuntimeError(message.format(len(value)))
    return value[0]


def _check_1d_rank(input, function):
    if input.dim() not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.dim()}-dimensional "
                           f"tensor for argument #1 'self' (while checking arguments for "
                           f"{function})")


def _max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, with_indices):
    if input.dim() not in (2, 3):
        raise RuntimeError(f"max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 "
                           f"dim batch size for input, but got:{list(input.shape)}")
    message = "max_pool1d() {} must be an int, list of ints or tuple of ints of size 1 but got " \
              "size {{}}"
    kernel = _single(kernel_size, message.format("kernel_size"))
    stride = kernel if _omitted(stride) else _single(stride, message.format("stride"))
    padding = _single(padding, message.format("padding"))
    dilation = _single(dilation, message.format("dilation"))
    if not with_indices and not needs_grad(input):  # torch's kernel without indices checks
        for what, value in (("kernel_size", kernel), ("stride", stride),
                            ("dilation", dilation)):
            if value <= 0:
                raise RuntimeError(f"max_pool1d() {what} must be greater than zero, but got "
                                   f"{value}")
        if padding < 0:
            raise RuntimeError(f"max_pool1d() padding must be non-negative, but got {padding}")
        if padding > kernel // 2:
            raise RuntimeError(f"max_pool1d() padding should be at most half of kernel size, "
                               f"but got padding={padding} and kernel_size={kernel}")
        size = _output_size(input.shape[-1], kernel, stride, padding, dilation, ceil_mode)
        if size <= 0:
            raise RuntimeError(f"max_pool1d() Invalid computed output size: {size}")
    values, indices = _max_pool(input.unsqueeze(-2), 2, (1, kernel), (1, stride),
                                (0, padding), (1, dilation), ceil_mode, "max_pool2d",
                                with_indices)
    return values.squeeze(-2), None if indices is None else indices.squeeze(-2)


def _avg_pool1d(input, kernel_size, stride, padding, ceil_mode, count_include_pad):
    _check_1d_rank(input, "avg_pool1d")
    message = "avg_pool1d() argument '{}' should contain one int (got {{}})"
    kernel = _single(kernel_size, message.format("kernel_size"))
    stride = kernel if _omitted(stride) else _single(stride, message.format("stride"))
    padding = _single(padding, message.format("padding"))
    return _avg_pool(input.unsqueeze(-2), 2, (1, kernel), (1, stride), (0, padding), ceil_mode,
                     count_include_pad, None, "avg_pool2d").squeeze(-2)


def _adaptive_1d(input, output_size, name):
    """An adaptive 1-d pooling as its 2-d form; ``(values, indices)`` for max pooling."""
    _check_1d_rank(input, f"{name}1d")
    size = _single(output_size, f"{name}1d() argument 'output_size' should contain one int "
                                "(got {})")
    if name == "adaptive_avg_pool":
        return _adaptive_avg_pool(input.unsqueeze(-2), 2, (1, size),
                                  "adaptive_avg_pool2d").squeeze(-2)
    values, indices = _adaptive_max_pool(input.unsqueeze(-2), 2, (1, size),
                                         "adaptive_max_pool2d")
    return values.squeeze(-2), indices.squeeze(-2)


# --- torch's top-level forms -----------------------------------------------------------------

def max_pool1d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """Max pooling over the last dimension of a (C, L) or (N, C, L) input."""
    return _max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, False)[0]


def max_pool1d_with_indices(input, kernel_size, stride=(), padding=0, dilation=1,
                            ceil_mode=False):
    """Max pooling over the last dimension, with the position of each maximum."""
    return _max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """Max pooling over the last two dimensions of a (C, H, W) or (N, C, H, W) input."""
    return _max_pool(input, 2, kernel_size, stride, padding, dilation, ceil_mode,
                     "max_pool2d", False)[0]


def max_pool3d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """Max pooling over the last three dimensions of a 4-d or 5-d input."""
    return _max_pool(input, 3, kernel_size, stride, padding, dilation, ceil_mode,
                     "max_pool3d", False)[0]


def avg_pool1d(input, kernel_size, stride=(), padding=0, ceil_mode=False,
               count_include_pad=True):
    """Average pooling over the last dimension of a (C, L) or (N, C, L) input."""
    return _avg_pool1d(input, kernel_size, stride, padding, ceil_mode, count_include_pad)


def adaptive_avg_pool1d(input, output_size):
    """Average pooling of the last dimension into ``output_size`` windows."""
    return _adaptive_1d(input, output_size, "adaptive_avg_pool")


def adaptive_max_pool1d(input, output_size):
    """Max pooling of the last dimension into ``output_size`` windows, with indices."""
    return _adaptive_1d(input, output_size, "adaptive_max_pool")

