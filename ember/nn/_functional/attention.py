"""Scaled dot-product attention."""

from __future__ import annotations

import math

import ember
from ember.nn._functional.dropout import _dropout

__all__ = ["scaled_dot_product_attention"]


def _safe_softmax(x, dim):
    """Softmax whose fully masked rows (all -inf) give zeros instead of NaN."""
    masked_rows = (x == -math.inf).all(dim, keepdim=True)
    out = ember.softmax(ember.where(masked_rows, ember.zeros_like(x), x), dim)
    return ember.where(masked_rows, ember.zeros_like(out), out)


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, scale=None, enable_gqa=False):
    """``softmax(Q K^T * scale + mask) V``, as torch's math backend computes it."""
    if is_causal and attn_mask is not None:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be "
                           "set when is_causal=True")
    if query.dim() < 2 or key.dim() < 2 or value.dim() < 2:
        raise RuntimeError("scaled_dot_product_attention: expected query, key and value to "
                           "have at least 2 dimensions")
    embed = query.shape[-1]
    scaling_factor = math.sqrt(1.0 / math.sqrt(embed) if scale is None else abs(scale))
    query = query * (-scaling_factor if scale is not None and scale < 0 else scaling_factor)
    if is_causal:
        length, source = query.shape[-2], key.shape[-2]
        attn_mask = ember.ones(length, source, dtype=ember.bool).tril()
    if attn_mask is not None and attn_mask.dtype == ember.bool:
        attn_mask = ember.where(attn_mask.logical_not(), -math.inf,
                                ember.zeros((), dtype=query.dtype))
    if enable_gqa and query.dim() >= 3 and key.shape[-3] != query.shape[-3]:
        repeats = query.shape[-3] // key.shape[-3]
        key = key.repeat_interleave(repeats, -3)
        value = value.repeat_interleave(repeats, -3)
    attn = ember.matmul(query, key.transpose(-2, -1) * scaling_factor)
    if attn_mask is not None:
        attn = attn + attn_mask
    attn = _safe_softmax(attn, -1)
    if dropout_p > 0.0:
        attn = _dropout(attn, dropout_p, True, False, False, False)
    return ember.matmul(attn, value)
