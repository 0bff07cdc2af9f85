"""Lookups: one_hot, embedding."""

from __future__ import annotations

import ember
from ember.nn._functional._common import (
    _recorded,
)

__all__ = ["one_hot", "embedding"]


def one_hot(tensor, num_classes=-1):
    if tensor.dtype != ember.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if tensor.numel() and (tensor < 0).any():
        raise RuntimeError("Class values must be non-negative.")
    if num_classes == -1:
        num_classes = int(tensor.max().item()) + 1 if tensor.numel() else 0
    elif tensor.numel() and (tensor >= num_classes).any():
        raise RuntimeError("Class values must be smaller than num_classes.")
    return (tensor.unsqueeze(-1) == ember.arange(num_classes)).to(ember.int64)


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """Rows of ``weight`` picked by ``input``; the row ``padding_idx`` gets no gradient."""
    rows = weight.shape[0]
    if padding_idx is not None:
        if padding_idx > 0:
            if padding_idx >= rows:
                raise AssertionError("Padding_idx must be within num_embeddings")
        elif padding_idx < 0:
            if padding_idx < -rows:
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx = rows + padding_idx
    if scale_grad_by_freq or sparse:
        raise NotImplementedError("embedding: scale_grad_by_freq and sparse are not supported")
    if input.numel() and ((input < 0) | (input >= rows)).any():
        raise IndexError("index out of range in self")
    if max_norm is not None:
        with ember.no_grad():
            picked = input.flatten().unique()
            norms = weight[picked].norm(norm_type, 1, keepdim=True)
            scale = ember.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
            weight[picked] = weight[picked] * scale.to(weight.dtype)
    with ember.no_grad():
        result = weight[input]
    flat = input.flatten()
    keep = None if padding_idx is None else (flat != padding_idx).unsqueeze(1)
    shape = weight.shape

    def formula(grad):
        rows_grad = grad.reshape(-1, shape[1])
        if keep is not None:
            rows_grad = rows_grad * keep
        return ember.zeros(shape, dtype=grad.dtype).index_add(0, flat, rows_grad)
    return _recorded("EmbeddingBackward0", result, (weight,), (formula,), None)
