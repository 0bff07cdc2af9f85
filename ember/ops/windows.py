"""Window functions for spectral analysis: hann, hamming, blackman, bartlett and kaiser.

Each is computed as PyTorch computes it, step by step in the requested dtype, so that
float32 windows round as PyTorch's do. A periodic window of length N is the symmetric
window of length N + 1 without its last element."""

from __future__ import annotations

import math

from ember import _dtype
from ember.autograd import grad_mode
from ember.ops._common import compute_dtype
from ember.ops.creation import ones
from ember.ops.ranges import arange
from ember.ops.special import i0


def _window(name, window_length, periodic, dtype, device, requires_grad, symmetric):
    """The window of ``window_length`` whose symmetric form of length ``n`` is
    ``symmetric(positions, n)``, ``positions`` being ``arange(n)`` in ``dtype``."""
    dtype = _dtype.get_default_dtype() if dtype is None else dtype
    if not (dtype.is_floating_point or dtype.is_complex):  # complex fails later, in arange
        raise RuntimeError(f"{name} expects floating point dtypes, got: {dtype}")
    if window_length < 0:
        raise RuntimeError(f"{name} requires non-negative window_length, got "
                           f"window_length={window_length}")
    with grad_mode.no_grad():
        if window_length <= 1:
            window = ones(window_length, dtype=dtype, device=device)
        else:
            length = window_length + 1 if periodic else window_length
            window = symmetric(arange(length, dtype=dtype, device=device), length)
            if periodic:
                window = window[:-1].contiguous()
    return window.requires_grad_(requires_grad)


def _scaled(values, factor):
    """``values`` times ``factor`` in place, the factor rounded to their dtype first, as
    PyTorch's window code multiplies."""
    return values.mul_(values.new_tensor(factor))


def _cosine_sum(name, window_length, periodic, alpha, beta, dtype, device, requires_grad):
    def symmetric(positions, n):
        return _scaled(_scaled(positions, 2 * math.pi / (n - 1)).cos_(), -beta).add_(alpha)

    return _window(name, window_length, periodic, dtype, device, requires_grad, symmetric)


def hamming_window(window_length: int, periodic: bool = True, alpha: float = 0.54,
                   beta: float = 0.46, *, dtype=None, layout=None, device=None,
                   requires_grad: bool = False):
    """``alpha - beta cos(2 pi n / (N - 1))``."""
    return _cosine_sum("hamming_window", window_length, periodic, alpha, beta, dtype, device,
                       requires_grad)


def hann_window(window_length: int, periodic: bool = True, *, dtype=None, layout=None,
                device=None, requires_grad: bool = False):
    """The Hamming window with ``alpha = beta = 0.5``."""
    return _cosine_sum("hann_window", window_length, periodic, 0.5, 0.5, dtype, device,
                       requires_grad)


def blackman_window(window_length: int, periodic: bool = True, *, dtype=None, layout=None,
                    device=None, requires_grad: bool = False):
    """``0.42 - 0.5 cos(2 pi n / (N - 1)) + 0.08 cos(4 pi n / (N - 1))``."""
    def symmetric(positions, n):
        phase = _scaled(positions, math.pi / (n - 1))
        return (_scaled(phase.mul(4).cos_(), 0.08) - _scaled(phase.mul(2).cos_(), 0.5)).add_(0.42)

    return _window("blackman_window", window_length, periodic, dtype, device, requires_grad,
                   symmetric)


def bartlett_window(window_length: int, periodic: bool = True, *, dtype=None, layout=None,
                    device=None, requires_grad: bool = False):
    """The triangular window: rising as ``2n / (N - 1)``, then falling to 0."""
    def symmetric(positions, n):
        window = _scaled(positions, 2.0 / (n - 1))
        first_half = ((n - 1) >> 1) + 1
        window[first_half:].mul_(-1).add_(2)
        return window

    return _window("bartlett_window", window_length, periodic, dtype, device, requires_grad,
                   symmetric)


def kaiser_window(window_length: int, periodic: bool = True, beta: float = 12.0, *,
                  dtype=None, layout=None, device=None, requires_grad: bool = False):
    """``I0(beta sqrt(1 - ((n - alpha) / alpha)²)) / I0(beta)`` with ``alpha = (N - 1) / 2``
    and I0 the modified Bessel function of order 0."""
    def symmetric(positions, n):
        # computed in one kernel in PyTorch: half precision rounds once, at the end
        x = positions.to(compute_dtype(positions.dtype))
        alpha = (n - 1) / 2.0
        argument = (1 - ((x - alpha) / alpha) ** 2).abs_().sqrt_().mul_(beta)
        return (i0(argument) / i0(x.new_full((), beta))).to(positions.dtype)

    return _window("kaiser_window", window_length, periodic, dtype, device, requires_grad,
                   symmetric)


__all__ = ["bartlett_window", "blackman_window", "hamming_window", "hann_window",
           "kaiser_window"]
