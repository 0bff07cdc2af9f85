"""Normalization: batch, instance, layer, group, RMS and local response norm (and the
legacy cross-map one of ``nn.CrossMapLRN2d``).

The first four are fused ops of ember/ops/normalization.py (see Note [Fused
normalization]); this module adds torch.nn.functional's signatures and checks."""

from __future__ import annotations

import math

import ember
from ember.autograd.function import Function
from ember.ops import normalization as _ops

__all__ = ["batch_norm", "instance_norm", "layer_norm", "group_norm", "rms_norm",
           "local_response_norm"]


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Normalizes each channel (dim 1) over the batch and the other dims.

    In training, the batch's statistics normalize and update the running statistics in
    place; otherwise the running statistics normalize."""
    if training:
        per_channel = input.numel() // input.size(1)
        if per_channel == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got "
                             f"input size {input.size()}")
    return _ops.batch_norm(input, weight, bias, running_mean, running_var, training, momentum,
                           eps)


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-5):
    """Normalizes each channel of each sample over its own values."""
    if use_input_stats:
        spatial = input.numel() // (input.size(0) * input.size(1))
        if spatial == 1:
            raise ValueError(f"Expected more than 1 spatial element when training, got "
                             f"input size {input.size()}")
    return _ops.instance_norm(input, weight, bias, running_mean, running_var, use_input_stats,
                              momentum, eps)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalizes each sample over its trailing ``normalized_shape`` dims."""
    return _ops.layer_norm(input, normalized_shape, weight, bias, eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normalizes each sample over groups of channels."""
    if input.dim() < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received "
                           f"{input.dim()}")
    # each (sample, group) pair is one "channel" of values: one value alone cannot be
    # normalized
    grouped = [input.size(0) * input.size(1) // num_groups, num_groups, *input.shape[2:]]
    if grouped[0] * math.prod(grouped[2:]) == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input "
                         f"size {grouped}")
    return _ops.group_norm(input, num_groups, weight, bias, eps)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """Divides by the root mean square over the trailing ``normalized_shape`` dims."""
    return _ops.rms_norm(input, normalized_shape, weight, eps)


def local_response_norm(input, size: int, alpha: float = 1e-4, beta: float = 0.75,
                        k: float = 1.0):
    """Divides each value by ``(k + alpha * mean of squares over size channels) ** beta``,
    the window centred on its channel and zero-padded at the ends.

    The windows' sums are differences of a cumulative sum along the channels."""
    if input.dim() < 3:
        raise ValueError(f"Expected 3D or higher dimensionality                          "
                         f"input (got {input.dim()} dimensions)")
    if input.numel() == 0:
        return input
    squares = input * input
    shape = list(squares.shape)
    before, after = size // 2, (size - 1) // 2
    padding = [ember.zeros(shape[:1] + [count] + shape[2:], dtype=input.dtype)
               for count in (before + 1, after)]
    cumulative = ember.cat([padding[0], squares, padding[1]], 1).cumsum(1)
    channels = shape[1]
    window_sums = cumulative[:, size:size + channels] - cumulative[:, :channels]
    div = (window_sums * (alpha / size) + k) ** beta
    return input / div


class CrossMapLRN2d(Function):
    """The legacy local response normalization behind ``nn.CrossMapLRN2d``, as PyTorch
    computes it: each channel's scale is a running sum of squares along the channels (which,
    as PyTorch's, never drops the first channel once it has entered), and the backward is
    the legacy formula rather than the gradient of that forward."""

    @staticmethod
    def forward(ctx, input, size, alpha=1e-4, beta=0.75, k=1):
        if input.dim() != 4:
            raise ValueError(f"CrossMapLRN2d: Expected input to be 4D, got {input.dim()}D "
                             "instead.")
        channels = input.shape[1]
        squares = input * input
        lead = (size - 1) // 2 + 1  # channels summed into the first scale
        running = ember.zeros_like(squares[:, 0])
        for c in range(min(lead, channels)):
            running = running + squares[:, c]
        scales = [running]
        for c in range(1, channels):
            if c + lead - 1 < channels:
                running = running + squares[:, c + lead - 1]
            if c > lead:
                running = running - squares[:, c - lead]
            scales.append(running)
        scale = ember.stack(scales, 1).mul_(alpha / size).add_(k)
        output = scale.pow(-beta).mul_(input)
        ctx.save_for_backward(input, output)
        ctx.scale, ctx.size, ctx.alpha, ctx.beta = scale, size, alpha, beta
        return output

    @staticmethod
    def backward(ctx, grad_output):
        input, output = ctx.saved_tensors
        scale, size = ctx.scale, ctx.size
        channels = input.shape[1]
        grad_input = scale.pow(-ctx.beta).mul_(grad_output)
        # each channel's ratio, placed among size - 1 zero channels as in PyTorch's buffer
        ratio = grad_output * output / scale
        center = (size + 1) // 2
        padded = ember.nn.functional.pad(ratio, (0, 0, 0, 0, center, size - 1 - center))
        weight = -2 * ctx.alpha * ctx.beta / size
        accumulated = padded[:, :size - 1].sum(1)
        pieces = []
        for c in range(channels):
            accumulated = accumulated + padded[:, c + size - 1]
            pieces.append(ember.addcmul(grad_input[:, c], input[:, c], accumulated,
                                        value=weight))
            accumulated = accumulated - padded[:, c]
        return ember.stack(pieces, 1), None, None, None, None
