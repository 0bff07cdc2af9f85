"""Tensor contractions written in index notation: einsum and tensordot, contracted pairwise
through the matrix-product kernels."""

from __future__ import annotations

__all__ = []
