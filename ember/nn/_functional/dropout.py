"""Dropout in all its forms; masks drawn from the torch-identical generator."""

from __future__ import annotations

import math
import warnings

import ember

__all__ = [
    "dropout", "alpha_dropout", "feature_alpha_dropout", "dropout1d", "dropout2d", "dropout3d",
]


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


_ALPHA = 1.7580993408473766


def _dropout(input, p, train, feature, alpha, inplace):
    """ATen's dropout: a ``bernoulli_(1 - p)`` mask from the global generator (one draw
    per channel for feature dropout), scaled, multiplied in (``alpha``: SELU-preserving)."""
    if p == 0 or not train or input.numel() == 0:
        return input
    if p == 1:
        zero = ember.zeros((), dtype=input.dtype)
        return input.mul_(zero) if inplace else input * zero
    if feature:
        if input.dim() < 2:
            raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
        noise = ember.empty((input.shape[0], input.shape[1]) + (1,) * (input.dim() - 2),
                            dtype=input.dtype)
    else:
        noise = ember.empty_like(input)
    noise.bernoulli_(1 - p)
    if alpha:
        a = 1.0 / math.sqrt((_ALPHA * _ALPHA * p + 1) * (1 - p))
        b = noise.add(-1).mul_(_ALPHA * a).add_(_ALPHA * a * p)
        noise.mul_(a)
        result = input.mul_(noise) if inplace else input * noise
        return result.add_(b)
    noise.div_(1 - p)
    return input.mul_(noise) if inplace else input * noise


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability ``p`` and scale the rest by ``1 / (1 - p)``."""
    _check_p(p)
    return _dropout(input, p, training, False, False, inplace)


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    _check_p(p)
    return _dropout(input, p, training, False, True, inplace)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    _check_p(p)
    return _dropout(input, p, training, True, True, inplace)


def dropout1d(input, p=0.5, training=True, inplace=False):
    _check_p(p)
    inp_dim = input.dim()
    if inp_dim not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {inp_dim}D input. "
            "Note that dropout1d exists to provide channel-wise dropout on inputs with 1 "
            "spatial dimension, a channel dimension, and an optional batch dimension "
            "(i.e. 2D or 3D inputs).")
    return _channel_dropout(input, p, training, inplace, batched=inp_dim == 3)


def _channel_dropout(input, p, training, inplace, batched):
    """Channel-wise dropout of a batch, or of one sample as a batch of one."""
    if batched:
        return _dropout(input, p, training, True, False, inplace)
    input = input.unsqueeze_(0) if inplace else input.unsqueeze(0)
    result = _dropout(input, p, training, True, False, inplace)
    return result.squeeze_(0) if inplace else result.squeeze(0)


def _warn_unexpected_rank(spatial_dims, rank):
    """torch's deprecation warning for a dropout{2,3}d input of another rank."""
    low, high = spatial_dims + 1, spatial_dims + 2
    if rank not in (low, high):
        warnings.warn(
            f"dropout{spatial_dims}d: Received a {rank}-D input to dropout{spatial_dims}d, "
            "which is deprecated and will result in an error in a future release. To retain "
            "the behavior and silence this warning, please use dropout instead. Note that "
            f"dropout{spatial_dims}d exists to provide channel-wise dropout on inputs with "
            f"{spatial_dims} spatial dimensions, a channel dimension, and an optional batch "
            f"dimension (i.e. {low}D or {high}D inputs).", stacklevel=3)


def dropout2d(input, p=0.5, training=True, inplace=False):
    _check_p(p)
    inp_dim = input.dim()
    _warn_unexpected_rank(2, inp_dim)
    if inp_dim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise "
            "1D dropout behavior is desired - input is interpreted as shape (N, C, L), where C "
            "is the channel dim. This behavior will change in a future release to interpret "
            "the input as one without a batch dimension, i.e. shape (C, H, W). To maintain the "
            "1D channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=2)
    return _dropout(input, p, training, True, False, inplace)


def dropout3d(input, p=0.5, training=True, inplace=False):
    _check_p(p)
    inp_dim = input.dim()
    _warn_unexpected_rank(3, inp_dim)
    return _channel_dropout(input, p, training, inplace, batched=inp_dim == 5)
