"""Linear layers' functions: linear, bilinear."""

from __future__ import annotations

import ember

__all__ = ["linear", "bilinear"]


def linear(input, weight, bias=None):
    """``input @ weight.T + bias``."""
    if bias is None:
        return ember.matmul(input, weight.t())
    if input.dim() == 2:
        return ember.addmm(bias, input, weight.t())
    flat = input.reshape(-1, input.shape[-1]) if input.dim() else input
    return ember.addmm(bias, flat, weight.t()).view(*input.shape[:-1], weight.shape[0])


def bilinear(input1, input2, weight, bias=None):
    """``x1^T A x2 + b`` for each output feature."""
    result = ember.einsum("...i,oij,...j->...o", input1, weight, input2)
    return result if bias is None else result + bias
