"""Pooling: max, average, adaptive, power-average and max unpooling (the kernels are the
ops of ``ember/ops/pooling.py``; see Note [Pooling kernels])."""

from __future__ import annotations

import math

import ember
from ember.nn._functional.activation import relu
from ember.ops import pooling as _ops

__all__ = [
    "max_pool1d", "max_pool2d", "max_pool3d", "max_pool1d_with_indices",
    "max_pool2d_with_indices", "max_pool3d_with_indices", "avg_pool1d", "avg_pool2d",
    "avg_pool3d", "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d",
    "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool3d",
    "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices",
    "adaptive_max_pool3d_with_indices", "max_unpool1d", "max_unpool2d", "max_unpool3d",
    "lp_pool1d", "lp_pool2d", "lp_pool3d", "fractional_max_pool2d", "fractional_max_pool3d",
    "fractional_max_pool2d_with_indices", "fractional_max_pool3d_with_indices",
]


# --- max pooling -----------------------------------------------------------------------------

def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    """``max_pool1d`` and the flat position of each maximum in its input row."""
    return _ops._max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    """``max_pool2d`` and the flat position of each maximum in its input plane."""
    return _ops._max_pool(input, 2, kernel_size, stride, padding, dilation, ceil_mode,
                          "max_pool2d")


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    """``max_pool3d`` and the flat position of each maximum in its input volume."""
    return _ops._max_pool(input, 3, kernel_size, stride, padding, dilation, ceil_mode,
                          "max_pool3d")


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """The maximum of each window along the last dimension of a (C, L) or (N, C, L) input.

    Args:
        kernel_size: the window length; stride: its step (default ``kernel_size``);
        padding: implicit negative infinity on both sides (at most half the kernel);
        dilation: the step between a window's elements; ceil_mode: count a last partial
        window; return_indices: also return each maximum's position."""
    values, indices = _ops._max_pool1d(input, kernel_size, stride, padding, dilation,
                                       ceil_mode, return_indices)
    return (values, indices) if return_indices else values


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """The maximum of each window over the last two dimensions (see ``max_pool1d``)."""
    result = _ops._max_pool(input, 2, kernel_size, stride, padding, dilation, ceil_mode,
                            "max_pool2d", return_indices)
    return result if return_indices else result[0]


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """The maximum of each window over the last three dimensions (see ``max_pool1d``)."""
    result = _ops._max_pool(input, 3, kernel_size, stride, padding, dilation, ceil_mode,
                            "max_pool3d", return_indices)
    return result if return_indices else result[0]


# --- average pooling -------------------------------------------------------------------------

def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """The mean of each window along the last dimension.

    Args:
        kernel_size, stride, padding, ceil_mode: as in ``max_pool1d`` (zero padding);
        count_include_pad: whether padded places count in a window's size."""
    return _ops._avg_pool1d(input, kernel_size, stride, padding, ceil_mode, count_include_pad)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """The mean of each window over the last two dimensions (see ``avg_pool1d``);
    ``divisor_override`` divides every window sum by that number instead."""
    return _ops._avg_pool(input, 2, kernel_size, stride, padding, ceil_mode,
                          count_include_pad, divisor_override, "avg_pool2d")


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """The mean of each window over the last three dimensions (see ``avg_pool2d``)."""
    return _ops._avg_pool(input, 3, kernel_size, stride, padding, ceil_mode,
                          count_include_pad, divisor_override, "avg_pool3d")


# --- adaptive pooling ------------------------------------------------------------------------

def adaptive_avg_pool1d(input, output_size):
    """Means over ``output_size`` windows that cover the last dimension: window ``i`` spans
    ``[floor(i * L / out), ceil((i + 1) * L / out))``."""
    return _ops.adaptive_avg_pool1d(input, output_size)


def adaptive_avg_pool2d(input, output_size):
    """Adaptive means over the last two dimensions (None in ``output_size`` keeps a size)."""
    return _ops._adaptive_avg_pool(input, 2, output_size, "adaptive_avg_pool2d")


def adaptive_avg_pool3d(input, output_size):
    """Adaptive means over the last three dimensions."""
    return _ops._adaptive_avg_pool(input, 3, output_size, "adaptive_avg_pool3d")


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    """``adaptive_max_pool1d`` and the position of each maximum."""
    return _ops.adaptive_max_pool1d(input, output_size)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    """``adaptive_max_pool2d`` and the flat position of each maximum in its plane."""
    return _ops._adaptive_max_pool(input, 2, output_size, "adaptive_max_pool2d")


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=False):
    """``adaptive_max_pool3d`` and the flat position of each maximum in its volume."""
    return _ops._adaptive_max_pool(input, 3, output_size, "adaptive_max_pool3d")


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """Maxima over ``output_size`` windows that cover the last dimension (the windows of
    ``adaptive_avg_pool1d``)."""
    result = adaptive_max_pool1d_with_indices(input, output_size)
    return result if return_indices else result[0]


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Adaptive maxima over the last two dimensions."""
    result = adaptive_max_pool2d_with_indices(input, output_size)
    return result if return_indices else result[0]


def adaptive_max_pool3d(input, output_size, return_indices=False):
    """Adaptive maxima over the last three dimensions."""
    result = adaptive_max_pool3d_with_indices(input, output_size)
    return result if return_indices else result[0]


# --- fractional max pooling ----------------------------------------------------------------

def _fractional(input, dims, kernel_size, output_size, output_ratio, random_samples):
    name = f"fractional_max_pool{dims}d"
    if output_size is None and output_ratio is None:
        raise ValueError(f"{name} requires specifying either an output_size or an "
                         "output_ratio")
    if output_size is None:
        if dims == 2 and len(output_ratio) > 2:
            raise ValueError(f"{name} requires output_ratio to either be a single Int or tuple "
                             "of Ints.")
        ratio = _spread(output_ratio, dims)
        output_size = [int(input.size(d - dims) * ratio[d]) for d in range(dims)]
    if random_samples is None:
        batch = 1 if input.dim() == dims + 1 else input.size(0)
        random_samples = ember.rand(batch, input.size(-dims - 1), dims, dtype=input.dtype,
                                    device=input.device)
    return _ops._fractional_max_pool(input, dims, kernel_size, output_size, random_samples,
                                     name)


def fractional_max_pool2d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    """``fractional_max_pool2d`` and the flat position of each maximum in its plane."""
    return _fractional(input, 2, kernel_size, output_size, output_ratio, _random_samples)


def fractional_max_pool3d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    """``fractional_max_pool3d`` and the flat position of each maximum in its volume."""
    return _fractional(input, 3, kernel_size, output_size, output_ratio, _random_samples)


def fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None,
                          return_indices=False, _random_samples=None):
    """Max pooling over the last two dimensions with windows of ``kernel_size`` at
    pseudo-random starts (Graham's fractional max pooling), to ``output_size`` or
    ``output_ratio`` times the input size; ``_random_samples`` (batch, channels, 2) fixes
    the starts (default: drawn with ``rand``)."""
    result = fractional_max_pool2d_with_indices(input, kernel_size, output_size, output_ratio,
                                                _random_samples=_random_samples)
    return result if return_indices else result[0]


def fractional_max_pool3d(input, kernel_size, output_size=None, output_ratio=None,
                          return_indices=False, _random_samples=None):
    """Fractional max pooling over the last three dimensions (see
    ``fractional_max_pool2d``; the samples are (batch, channels, 3))."""
    result = fractional_max_pool3d_with_indices(input, kernel_size, output_size, output_ratio,
                                                _random_samples=_random_samples)
    return result if return_indices else result[0]


# --- unpooling -------------------------------------------------------------------------------

def _spread(value, dims):
    return tuple(value) if isinstance(value, tuple | list) else (value,) * dims


def _unpool_size(input, dims, kernel_size, stride, padding, output_size):
    """The spatial output size of max unpooling: max pooling's input size, or
    ``output_size`` where given (it must be within one stride of the default)."""
    kernel = _spread(kernel_size, dims)
    stride = kernel if stride is None else _spread(stride, dims)
    padding = _spread(padding, dims)
    default = [(input.shape[-dims + d] - 1) * stride[d] + kernel[d] - 2 * padding[d]
               for d in range(dims)]
    if output_size is None:
        return default
    output_size = list(output_size)
    if len(output_size) == dims + 2:
        output_size = output_size[2:]
    if len(output_size) != dims:
        raise ValueError(f"output_size should be a sequence containing {dims} or {dims + 2} "
                         f"elements, but it has a length of '{len(output_size)}'")
    for d in range(dims):
        low, high = default[d] - stride[d], default[d] + stride[d]
        if not low < output_size[d] < high:
            raise ValueError(f'invalid output_size "{tuple(output_size)}" (dim {d} must be '
                             f'between {low} and {high})')
    return output_size


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Puts each value of a ``max_pool1d`` result back at its index, zeros elsewhere."""
    (size,) = _unpool_size(input, 1, kernel_size, stride, padding, output_size)
    return _ops._max_unpool(input.unsqueeze(-1), indices.unsqueeze(-1), 2, (size, 1),
                            "max_unpooling2d").squeeze(-1)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of ``max_pool2d``: values at their indices, zeros elsewhere."""
    size = _unpool_size(input, 2, kernel_size, stride, padding, output_size)
    return _ops._max_unpool(input, indices, 2, size, "max_unpooling2d")


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of ``max_pool3d``."""
    size = _unpool_size(input, 3, kernel_size, stride, padding, output_size)
    return _ops._max_unpool(input, indices, 3, size, "max_unpooling3d")


# --- power-average pooling -------------------------------------------------------------------

def _lp_pool(input, dims, norm_type, kernel_size, stride, ceil_mode):
    """``(sum of x ** p over each window) ** (1 / p)``: the ``p``-norm of each window (the
    maximum of ``|x|`` for p = inf), computed as torch does from an average pooling."""
    max_pool, avg_pool = ((max_pool1d, avg_pool1d), (max_pool2d, avg_pool2d),
                          (max_pool3d, avg_pool3d))[dims - 1]
    if norm_type == math.inf:
        return max_pool(input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    if norm_type == -math.inf:
        return -max_pool(-input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    sums = avg_pool(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    size = math.prod(_spread(kernel_size, dims))
    return (ember.sign(sums) * relu(ember.abs(sums))).mul(size).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """The ``norm_type``-norm of each window along the last dimension."""
    return _lp_pool(input, 1, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """The ``norm_type``-norm of each window over the last two dimensions."""
    return _lp_pool(input, 2, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """The ``norm_type``-norm of each window over the last three dimensions."""
    return _lp_pool(input, 3, norm_type, kernel_size, stride, ceil_mode)
