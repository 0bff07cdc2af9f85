"""Resampling as ops: the interpolation plans of ``interpolate`` (which source pixels each
output pixel reads, with which weights) and the pixel / channel shuffles.

Note [Interpolation plans]
Resizing is separable: along each spatial dimension an output position reads a few input
positions. Nearest modes read one, so they are index gathers (``index_select``, whose
transpose is ``index_add``); the other modes are a small dense matrix per dimension,
``(out_size, in_size)``, applied with matmul (its transpose is the backward, and matmul keeps
the backward differentiable), or along long dimensions, where that matrix would be mostly
zeros, a weighted sum of a few gathers (transposed: ``index_add``). The positions follow
PyTorch's CPU kernels to the rounding (see ``nearest_indices``); linear and cubic weights
are computed in the input's "opmath" type (float32 for float32 and the half types, float64
for float64), antialiased ones in float64 (PyTorch uses the input's type there: they differ
in the last bits).
"""

from __future__ import annotations

import numpy as np

from ember import _dtype
from ember._size import contiguous_format
from ember._tensor import _make
from ember.autograd.grad_mode import no_grad
from ember.ops._autograd import needs_grad, record_op

__all__ = ["pixel_shuffle", "pixel_unshuffle", "channel_shuffle"]

_CUBIC_A = -0.75  # the Keys cubic-convolution parameter PyTorch's bicubic uses
_AA_CUBIC_A = -0.5  # and the one its antialiased bicubic uses (Pillow's)


def _opmath(dtype):
    return np.float64 if dtype is _dtype.float64 else np.float32


def _scale(in_size, out_size, align_corners, scale_factor, real):
    """Source pixels per output pixel."""
    if align_corners:
        return real(in_size - 1) / real(out_size - 1) if out_size > 1 else real(0)
    if scale_factor is not None and scale_factor > 0:
        return real(1.0 / scale_factor)
    return real(in_size) / real(out_size)


def nearest_indices(in_size, out_size, scale_factor, exact, dtype, small_2d):
    """The input position each output position copies (int64 tensor of ``out_size``).

    torch has two rules. Its generic kernel (1-d, 3-d, and 2-d when the output's height
    plus width exceeds 128) works in the input's opmath type and rounds the centre of the
    output pixel (nearest-exact) or takes its left edge (nearest). Its small 2-d kernel
    (``small_2d``) works in float32 and, for nearest, copies positions as they are when the
    sizes are equal and halves them when the output is twice the input, whatever the scale
    factor says. Both floor in float32."""
    positions = np.arange(out_size)
    if small_2d:
        if not exact and out_size == in_size:
            return _make(positions, _dtype.int64)
        if not exact and out_size == 2 * in_size:
            return _make(positions >> 1, _dtype.int64)
        scale = _scale(in_size, out_size, False, scale_factor, np.float32)
        if exact:  # the centre in double precision
            source = (positions + 0.5) * np.float64(scale)
        else:
            source = positions.astype(np.float32) * scale
    else:
        real = np.float64 if dtype is _dtype.float64 else np.float32
        scale = _scale(in_size, out_size, False, scale_factor, real)
        if exact:
            centre = _fused_centres(scale, out_size, real)
            source = np.maximum(centre, 0).astype(np.float64) + 0.5
        else:
            source = scale * positions.astype(real)
    indices = np.floor(source.astype(np.float32)).astype(np.int64)
    return _make(np.minimum(indices, in_size - 1), _dtype.int64)


def cubic_weights(t, a=_CUBIC_A):
    """The four Keys weights of the taps at -1, 0, 1, 2 around a position ``t`` past a tap
    (NumPy arrays or tensors alike)."""
    def near(x):  # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):  # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return [far(t + 1), near(t), near(1 - t), far(2 - t)]


def cubic_slopes(t, a=_CUBIC_A):
    """The derivatives of :func:`cubic_weights` by ``t``."""
    def near(x):
        return (3 * (a + 2) * x - 2 * (a + 3)) * x

    def far(x):
        return (3 * a * x - 10 * a) * x + 8 * a
    return [far(t + 1), near(t), -near(1 - t), -far(2 - t)]


def _fused_centres(scale, out_size, real):
    """``scale * (i + 0.5) - 0.5`` rounded once to ``real``, as the fused multiply-add of
    PyTorch's compiled kernels gives it (in extended precision the product is exact)."""
    wide = np.longdouble
    return (wide(scale) * (np.arange(out_size) + wide(0.5)) - wide(0.5)).astype(real)


def _source_positions(scale, out_size, align_corners, real):
    """Where each output position samples the input, in input pixels."""
    if align_corners:
        return scale * np.arange(out_size, dtype=real)
    return _fused_centres(scale, out_size, real)


def _linear_taps(in_size, out_size, align_corners, scale_factor, real, cubic):
    """(indices, weights) of shape (out_size, taps) for linear or cubic interpolation."""
    scale = _scale(in_size, out_size, align_corners, scale_factor, real)
    source = _source_positions(scale, out_size, align_corners, real)
    if cubic:
        floor = np.floor(source)
        weights = np.stack(cubic_weights(source - floor, real(_CUBIC_A)), axis=1)
        indices = floor.astype(np.int64)[:, None] + np.arange(-1, 3)
        return np.clip(indices, 0, in_size - 1), weights
    source = np.maximum(source, 0) if not align_corners else source
    left = np.minimum(np.floor(source).astype(np.int64), in_size - 1)
    right_weight = np.clip(source - left.astype(real), 0, 1).astype(real)
    right = left + (left < in_size - 1)
    return np.stack([left, right], 1), np.stack([real(1) - right_weight, right_weight], 1)


def _lanczos(distance):
    """Pillow's Lanczos-3 window: sinc(x) sinc(x / 3) inside |x| < 3."""
    return np.where(distance < 3, np.sinc(distance) * np.sinc(distance / 3), 0.0)


def _keys(distance):
    """Pillow's cubic (Keys, a = -0.5) filter."""
    a = _AA_CUBIC_A
    near = ((a + 2) * distance - (a + 3)) * distance ** 2 + 1
    far = (((distance - 5) * distance + 8) * distance - 4) * a
    return np.where(distance < 1, near, np.where(distance < 2, far, 0.0))


# mode -> (filter of the distance in input pixels, its support radius)
_AA_FILTERS = {"linear": (lambda distance: np.maximum(1.0 - distance, 0.0), 1.0),
               "bicubic": (_keys, 2.0), "lanczos": (_lanczos, 3.0)}


def _antialias_taps(in_size, out_size, align_corners, scale_factor, real, mode):
    """(indices, weights) of the antialiased filters: when shrinking, the filter widens by
    the scale so every input pixel contributes (Pillow's resampling)."""
    scale = float(_scale(in_size, out_size, align_corners, scale_factor, np.float64))
    window, radius = _AA_FILTERS[mode]
    support = radius * max(scale, 1.0)
    stretch = 1.0 / scale if scale >= 1.0 else 1.0
    centres = scale * (np.arange(out_size) + 0.5)
    starts = np.maximum((centres - support + 0.5).astype(np.int64), 0)
    stops = np.minimum((centres + support + 0.5).astype(np.int64), in_size)
    width = int((stops - starts).max()) if out_size else 0
    indices = starts[:, None] + np.arange(width)
    weights = window(np.abs((indices - centres[:, None] + 0.5) * stretch))
    weights = np.where(indices < stops[:, None], weights, 0.0)
    totals = weights.sum(axis=1, keepdims=True)
    weights = np.divide(weights, totals, out=np.zeros_like(weights), where=totals != 0)
    return np.minimum(indices, in_size - 1), weights.astype(real)


def _taps(in_size, out_size, mode, align_corners, scale_factor, antialias, real):
    if antialias:
        return _antialias_taps(in_size, out_size, align_corners, scale_factor, real, mode)
    return _linear_taps(in_size, out_size, align_corners, scale_factor, real, mode == "bicubic")


def interpolation_taps(in_size, out_size, mode, align_corners, scale_factor, antialias,
                       dtype):
    """The input positions (int64) and weights (``dtype``) that each output position reads
    along one dimension, both ``(taps, out_size)`` (see Note [Interpolation plans]): ``mode``
    ``'linear'``, ``'bicubic'`` or (antialiased only) ``'lanczos'``."""
    indices, weights = _taps(in_size, out_size, mode, align_corners, scale_factor, antialias,
                             _opmath(dtype))
    return (_make(np.ascontiguousarray(indices.T), _dtype.int64),
            _make(np.ascontiguousarray(weights.T, dtype._np), dtype))


def interpolation_matrix(in_size, out_size, mode, align_corners, scale_factor, antialias,
                         dtype):
    """The taps of :func:`interpolation_taps` as a dense ``(out_size, in_size)`` matrix."""
    real = _opmath(dtype)
    indices, weights = _taps(in_size, out_size, mode, align_corners, scale_factor, antialias,
                             real)
    matrix = np.zeros((out_size, in_size), real)
    rows = np.broadcast_to(np.arange(out_size)[:, None], indices.shape)
    np.add.at(matrix, (rows, indices), weights)
    return _make(matrix.astype(dtype._np, copy=False), dtype)


def _shuffled(name, input, shape, order, final_shape, backward):
    """``input`` viewed as ``shape``, permuted by ``order`` and copied as ``final_shape``
    (always a new tensor, as torch's), recorded as node ``name`` with ``backward`` as its
    formula."""
    with no_grad():
        result = input.reshape(shape).permute(order).clone(memory_format=contiguous_format)
        result = result.view(final_shape)
    if needs_grad(input):
        record_op(name, (backward,), (input,), (result,))
    return result


def pixel_shuffle(input, upscale_factor: int):
    """``(*, C r^2, H, W)`` to ``(*, C, H r, W r)``: each group of ``r^2`` channels becomes
    an ``r x r`` block of pixels."""
    r = upscale_factor
    if input.dim() < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but "
                           f"got input with {input.dim()} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    *batch, channels, height, width = input.shape
    if channels % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be "
                           f"divisible by the square of upscale_factor, but input.size(-3)="
                           f"{channels} is not divisible by {r * r}")
    n = len(batch)
    order = (*range(n), n, n + 3, n + 1, n + 4, n + 2)
    return _shuffled("PixelShuffleBackward0", input,
                     (*batch, channels // (r * r), r, r, height, width), order,
                     (*batch, channels // (r * r), height * r, width * r),
                     lambda grad: pixel_unshuffle(grad, r))


def pixel_unshuffle(input, downscale_factor: int):
    """``(*, C, H r, W r)`` to ``(*, C r^2, H, W)``, the inverse of :func:`pixel_shuffle`."""
    r = downscale_factor
    if input.dim() < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but "
                           f"got input with {input.dim()} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    *batch, channels, height, width = input.shape
    for what, size, dim in (("height", height, -2), ("width", width, -1)):
        if size % r:
            raise RuntimeError(f"pixel_unshuffle expects {what} to be divisible by "
                               f"downscale_factor, but input.size({dim})={size} is not "
                               f"divisible by {r}")
    n = len(batch)
    order = (*range(n), n, n + 2, n + 4, n + 1, n + 3)
    return _shuffled("PixelUnshuffleBackward0", input,
                     (*batch, channels, height // r, r, width // r, r), order,
                     (*batch, channels * r * r, height // r, width // r),
                     lambda grad: pixel_shuffle(grad, r))


def channel_shuffle(input, groups: int):
    """Interleave the channels of ``(N, C, *)``: channel ``g * (C / groups) + k`` moves to
    ``k * groups + g``."""
    if input.dim() <= 2:
        raise RuntimeError(f"channel_shuffle expects input with > 2 dims, but got input with "
                           f"sizes {list(input.shape)}")
    if groups <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value "
                           f"of groups:{groups}")
    batch, channels, *rest = input.shape
    if channels % groups:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {channels} "
                           f"channels and {groups} groups.")
    order = (0, 2, 1, *range(3, 3 + len(rest)))
    return _shuffled("ChannelShuffleBackward0", input,
                     (batch, groups, channels // groups, *rest), order, tuple(input.shape),
                     lambda grad: channel_shuffle(grad, channels // groups))


def _uint8_taps(in_size, out_size, mode, align_corners, scale_factor, antialias):
    """torch's uint8 resampling plan along one dimension: (first input index, weights as
    integers scaled by 2**precision, precision). Weights come from the same filters as the
    float kernels, in float64, with taps past the edges folded onto the edge pixels."""
    if antialias:
        indices, weights = _antialias_taps(in_size, out_size, align_corners, scale_factor,
                                           np.float64, mode)
        first = indices[:, 0]
    else:
        cubic = mode == "bicubic"
        taps = 4 if cubic else 2
        scale = _scale(in_size, out_size, align_corners, scale_factor, np.float64)
        source = _source_positions(scale, out_size, align_corners, np.float64)
        if not cubic and not align_corners:
            source = np.maximum(source, 0)
        base = np.minimum(np.floor(source).astype(np.int64), in_size - 1)
        fraction = np.clip(source - base, 0, 1)
        offsets = np.arange(taps) + 1 - taps // 2  # -1, 0, 1, 2 or 0, 1
        filters = (cubic_weights(fraction) if cubic
                   else [1 - fraction, fraction])
        unbounded = base[:, None] + offsets
        first = np.maximum(unbounded[:, 0], 0)
        clipped = np.clip(unbounded, 0, in_size - 1)
        weights = np.zeros((out_size, taps))
        rows = np.broadcast_to(np.arange(out_size)[:, None], clipped.shape)
        np.add.at(weights, (rows, clipped - first[:, None]), np.stack(filters, 1))
    largest = weights.max() if weights.size else 0.0
    precision = 0
    while precision < 22 and int(0.5 + largest * (1 << (precision + 1))) < (1 << 15):
        precision += 1
    scaled = weights * (1 << precision)
    integers = np.where(scaled < 0, np.trunc(scaled - 0.5), np.trunc(scaled + 0.5))
    return first, integers.astype(np.int64), precision


def resample_uint8(input, output_size, scale_factors, mode, align_corners, antialias):
    """Bilinear or bicubic resizing of a uint8 ``(N, C, H, W)`` tensor with torch's integer
    arithmetic: width first, then height, each pass rounded and clamped to 0..255."""
    data = np.asarray(input._data)
    for axis in (3, 2):
        in_size, out_size = data.shape[axis], output_size[axis - 2]
        if in_size == out_size:
            continue
        first, weights, precision = _uint8_taps(in_size, out_size, mode, align_corners,
                                                scale_factors[axis - 2], antialias)
        total = np.full(data.shape[:axis] + (out_size,) + data.shape[axis + 1:],
                        1 << precision >> 1, np.int64)
        shape = [1] * data.ndim
        shape[axis] = out_size
        for tap in range(weights.shape[1]):
            index = np.minimum(first + tap, in_size - 1)
            total += weights[:, tap].reshape(shape) * np.take(data, index, axis).astype(np.int64)
        data = np.clip(total >> precision, 0, 255).astype(np.uint8)
    return _make(np.array(data, order="C"), _dtype.uint8)
