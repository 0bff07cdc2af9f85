"""Distances between batches of vectors."""

from __future__ import annotations

import math

import ember
from ember.nn._functional._common import (
    _recorded,
)

__all__ = ["pairwise_distance", "cosine_similarity"]


def _norm(input, p, dim, keepdim):
    """``input.norm(p, dim, keepdim)`` recorded as torch's NormBackward1."""
    with ember.no_grad():
        result = input.norm(p, dim, keepdim=keepdim)

    def formula(grad, input, result):
        if not keepdim:
            grad, result = grad.unsqueeze(dim), result.unsqueeze(dim)
        if p == 0:
            return ember.zeros_like(input)
        if p == 1:
            return ember.sign(input) * grad
        if p == math.inf:
            hit = (input.abs() == result).to(input.dtype)
            return ember.sign(input) * hit * grad / hit.sum(dim, keepdim=True)
        if p == 2:
            scale = grad / result
        else:
            scale = input.abs().pow(p - 2) * grad / result.pow(p - 1)
        return ember.where(result == 0, ember.zeros_like(input), input * scale)
    return _recorded("NormBackward1", result, (input,), (formula,),
                     {"input": input, "result": result})


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    dim = max(x1.dim(), x2.dim()) - 1
    return _norm(x1 - x2 + eps, p, dim, keepdim)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    x1, x2 = ember.broadcast_tensors(x1, x2)
    norm1 = ember.linalg.vector_norm(x1, 2, dim, keepdim=True).clone()
    norm2 = ember.linalg.vector_norm(x2, 2, dim, keepdim=True).clone()
    with ember.no_grad():
        norm1.clamp_min_(eps)
        norm2.clamp_min_(eps)
    return ((x1 / norm1) * (x2 / norm2)).sum(dim)
