"""Attention: scaled dot-product attention and the multi-head attention forward."""

from __future__ import annotations

import math
import warnings

import ember
from ember.nn._functional._common import _recorded
from ember.nn._functional.dropout import _dropout
from ember.nn._functional.linear import linear
from ember.nn._functional.padding import pad

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]


# ---------------------------------------------------------------- scaled dot-product attention

def _safe_softmax(x, dim):
    """Softmax whose fully masked rows (all -inf) give zeros instead of NaN."""
    out = ember.softmax(x, dim)
    if not out.isnan().any():  # no row was fully masked (the usual case)
        return out
    masked_rows = (x == -math.inf).all(dim, keepdim=True)
    out = ember.softmax(ember.where(masked_rows, ember.zeros_like(x), x), dim)
    return ember.where(masked_rows, ember.zeros_like(out), out)


def _dtype_name(dtype):
    return dtype._cpp_name


def _check_sdpa_inputs(query, key, value, attn_mask):
    if not query.dtype == key.dtype == value.dtype:
        raise RuntimeError(
            "Expected query, key, and value to have the same dtype, but got query.dtype: "
            f"{_dtype_name(query.dtype)} key.dtype: {_dtype_name(key.dtype)} and value.dtype: "
            f"{_dtype_name(value.dtype)} instead.")
    if query.dim() < 2 or key.dim() < 2 or value.dim() < 2:
        raise RuntimeError(
            "Expected query, key, and value to all be  at least 2 dimensional, but got "
            f"query.dim: {query.dim()} key.dim: {key.dim()} and value.dim: {value.dim()} "
            "instead.")
    if attn_mask is not None and attn_mask.dtype not in (ember.bool, ember.float32,
                                                         query.dtype):
        raise RuntimeError(
            "Expected attn_mask dtype to be bool or float or to match query dtype, but got "
            f"attn_mask.dtype: {_dtype_name(attn_mask.dtype)} and  query.dtype: "
            f"{_dtype_name(query.dtype)} instead.")


def _additive_mask(mask, dtype):
    """A boolean mask (True: may attend) as 0 / -inf of ``dtype``."""
    return ember.where(mask.logical_not(), -math.inf, ember.zeros((), dtype=dtype))


def _causal_mask(query, key):
    return _additive_mask(ember.ones(query.size(-2), key.size(-2), dtype=ember.bool).tril(),
                          query.dtype)


def _repeat_heads(x, heads):
    """``x`` with each head (dim -3) repeated for the group of ``heads`` it serves."""
    return x if x.size(-3) == heads else x.repeat_interleave(heads // x.size(-3), -3)


def _grouped(query, key, value, enable_gqa):
    """Key and value with as many heads as the query (grouped-query attention)."""
    if not enable_gqa:
        return key, value
    heads = query.size(-3)
    if heads % key.size(-3) or heads % value.size(-3):
        # torch's message, cut short as it is
        raise RuntimeError("Number of heads in key and value must divide the number of heads "
                           "in ")
    return _repeat_heads(key, heads), _repeat_heads(value, heads)


def _scaling_factor(query, scale):
    """The square root of the softmax scale, which multiplies both query and key (one
    factor each keeps the products in range); a negative scale flips the query's sign."""
    factor = math.sqrt(1.0 / math.sqrt(query.size(-1)) if scale is None else abs(scale))
    return factor, (-factor if scale is not None and scale < 0 else factor)


def _attention_probs(query, key, attn_mask, scale):
    """``safe_softmax(query key^T * scale + attn_mask)``: the attention weights."""
    key_factor, query_factor = _scaling_factor(query, scale)
    scores = ember.matmul(query * query_factor, key.transpose(-2, -1) * key_factor)
    if attn_mask is not None:
        scores = scores.add_(attn_mask)
    return _safe_softmax(scores, -1)


def _uses_fused_kernel(query, key, value, attn_mask, dropout_p, enable_gqa):
    """Whether torch's CPU dispatcher would pick its fused (flash) kernel, which records one
    ScaledDotProductFlashAttentionForCpuBackward0 node instead of the math graph."""
    if not query.dim() == key.dim() == value.dim() == 4 or dropout_p > 0.0:
        return False
    if attn_mask is not None and attn_mask.dim() < 2:
        attn_mask.size(-2)  # torch's dispatcher reads the mask's rows: its IndexError
    if not query.size(-1) == key.size(-1) == value.size(-1):
        return False
    if not query.size(0) == key.size(0) == value.size(0):
        return False
    heads = query.size(1), key.size(1), value.size(1)
    if heads[1] != heads[2] or heads[0] != heads[1] and not (enable_gqa
                                                             and heads[0] % heads[1] == 0):
        return False
    if attn_mask is not None and (attn_mask.dim() not in (2, 4) or attn_mask.requires_grad):
        return False
    if min(query.size(-2), key.size(-2)) == 0:
        return False
    return all(t.stride(-1) == 1 for t in (query, key, value))


def _group_sum(grad, heads):
    """The gradient of a head repeated by ``_grouped``: summed over its group."""
    if grad.size(-3) == heads:
        return grad
    shape = grad.shape
    return grad.reshape(*shape[:-3], heads, shape[-3] // heads, *shape[-2:]).sum(-3)


def _fused_attention(query, key, value, attn_mask, is_causal, scale, enable_gqa):
    """The fused kernel's result: the math forward, one node whose formulas are the
    attention gradients written in ember ops (differentiable again through ``probs``)."""
    if is_causal:
        causal = _causal_mask(query, key)
        attn_mask = causal if attn_mask is None else attn_mask + causal
    expanded_key, expanded_value = _grouped(query, key, value, enable_gqa)
    # with grad: the formulas read probs, whose own graph makes them differentiable again
    probs = _attention_probs(query, expanded_key, attn_mask, scale)
    with ember.no_grad():
        result = ember.matmul(probs, expanded_value)
    softmax_scale = math.prod(_scaling_factor(query, scale))

    def grad_scores(grad, probs, value):
        grad_probs = ember.matmul(grad, _repeat_heads(value, probs.size(-3)).transpose(-2, -1))
        return probs * (grad_probs - (grad_probs * probs).sum(-1, keepdim=True))

    def query_formula(grad, probs, key, value):
        expanded_key = _repeat_heads(key, probs.size(-3))
        return ember.matmul(grad_scores(grad, probs, value), expanded_key) * softmax_scale

    def key_formula(grad, probs, query, key, value):
        scores = grad_scores(grad, probs, value).transpose(-2, -1)
        return _group_sum(ember.matmul(scores, query) * softmax_scale, key.size(-3))

    def value_formula(grad, probs, value):
        return _group_sum(ember.matmul(probs.transpose(-2, -1), grad), value.size(-3))

    return _recorded("ScaledDotProductFlashAttentionForCpuBackward0", result,
                     (query, key, value), (query_formula, key_formula, value_formula),
                     {"probs": probs, "query": query, "key": key, "value": value})


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, scale=None, enable_gqa=False):
    """``softmax(query key^T * scale + attn_mask) value``, with dropout on the weights.

    Args:
        query: ``(N, ..., Hq, L, E)``; key ``(N, ..., H, S, E)``; value ``(N, ..., H, S, Ev)``
        attn_mask: broadcastable to ``(N, ..., Hq, L, S)``; bool (True: may attend) or
            float (added to the scores)
        dropout_p: dropout probability on the attention weights (masks drawn from the
            global generator as torch's math backend draws them)
        is_causal: attend only to keys at or before the query's position
        scale: softmax scale, ``1 / sqrt(E)`` by default
        enable_gqa: grouped-query attention: each key/value head serves ``Hq / H`` query
            heads

    Rows whose every score is masked give zeros."""
    _check_sdpa_inputs(query, key, value, attn_mask)
    if attn_mask is not None and attn_mask.dtype == ember.bool:
        attn_mask = _additive_mask(attn_mask, query.dtype)
    if _uses_fused_kernel(query, key, value, attn_mask, dropout_p, enable_gqa):
        return _fused_attention(query, key, value, attn_mask, is_causal, scale, enable_gqa)
    if is_causal:
        if attn_mask is not None:
            raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not "
                               "be set when is_causal=True")
        attn_mask = _causal_mask(query, key)
    key, value = _grouped(query, key, value, enable_gqa)
    probs = _attention_probs(query, key, attn_mask, scale)
    if dropout_p > 0.0:
        if dropout_p > 1.0:
            raise RuntimeError(f"dropout probability has to be between 0 and 1, but got "
                               f"{dropout_p:g}")
        probs = _dropout(probs, dropout_p, True, False, False, False)
    return ember.matmul(probs, value)


# ---------------------------------------------------------------- multi-head attention

def _canonical_mask(mask, mask_name, other_type, other_name, target_type, check_other=True):
    """A mask as an additive float mask: bool (True: masked out) becomes 0 / -inf of
    ``target_type``, a float mask stays. Warns, as torch does, when its dtype differs from
    the other mask's (``other_type``)."""
    if mask is None:
        return None
    is_float = ember.is_floating_point(mask)
    if mask.dtype != ember.bool and not is_float:
        raise AssertionError(f"only bool and floating types of {mask_name} are supported")
    if check_other and other_type is not None and mask.dtype != other_type:
        warnings.warn(f"Support for mismatched {mask_name} and {other_name} is deprecated. "
                      "Use same type for both instead.", stacklevel=3)
    if is_float:
        return mask
    return ember.zeros_like(mask, dtype=target_type).masked_fill_(mask, -math.inf)


def _none_or_dtype(mask):
    return None if mask is None else mask.dtype


def _check_mha_shapes(query, key, value, key_padding_mask, attn_mask, num_heads):
    """Whether the inputs are batched (3-D query) or not (2-D); torch's shape errors."""
    if query.dim() not in (2, 3):
        raise AssertionError("query should be unbatched 2D or batched 3D tensor but received "
                             f"{query.dim()}-D query tensor")
    batched = query.dim() == 3
    kind = "batched (3-D)" if batched else "unbatched (2-D)"
    rank = query.dim()
    if key.dim() != rank or value.dim() != rank:
        raise AssertionError(f"For {kind} `query`, expected `key` and `value` to be {rank}-D "
                             f"but found {key.dim()}-D and {value.dim()}-D tensors respectively")
    if key_padding_mask is not None and key_padding_mask.dim() != rank - 1:
        raise AssertionError(f"For {kind} `query`, expected `key_padding_mask` to be `None` or "
                             f"{rank - 1}-D but found {key_padding_mask.dim()}-D tensor instead")
    if attn_mask is not None:
        if attn_mask.dim() not in (2, 3):
            raise AssertionError(f"For {kind} `query`, expected `attn_mask` to be `None`, 2-D "
                                 f"or 3-D but found {attn_mask.dim()}-D tensor instead")
        expected = (num_heads, query.shape[0], key.shape[0])
        if not batched and attn_mask.dim() == 3 and attn_mask.shape != expected:
            raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got "
                                 f"{attn_mask.shape}")
    return batched


def _packed_projections(query, key, value, weight, bias):
    """Query, key and value through the rows of one packed ``(3E, E)`` weight: one matrix
    product for self-attention, two when key is value."""
    embed_dim = query.size(-1)
    if query is key and key is value:
        return linear(query, weight, bias).chunk(3, -1)
    weights = weight.split([embed_dim, 2 * embed_dim])
    biases = (None, None) if bias is None else bias.split([embed_dim, 2 * embed_dim])
    if key is value:
        return (linear(query, weights[0], biases[0]),
                *linear(key, weights[1], biases[1]).chunk(2, -1))
    weights = weight.chunk(3)
    biases = (None,) * 3 if bias is None else bias.chunk(3)
    return tuple(linear(x, w, b) for x, w, b in zip((query, key, value), weights, biases))


def _separate_projections(query, key, value, weights, bias):
    """Query, key and value through their own weights ``(E, E)``, ``(E, kdim)``, ``(E, vdim)``."""
    embed_dim = query.size(-1)
    biases = (None,) * 3 if bias is None else bias.chunk(3)
    names = ("query", "key", "value")
    for name, x, weight in zip(names, (query, key, value), weights):
        expected = (embed_dim, x.size(-1))
        if weight.shape != expected:
            raise AssertionError(f"expecting {name} weights shape of {expected}, but got "
                                 f"{weight.shape}")
    for name, b in zip(names, biases):
        if b is not None and b.shape != (embed_dim,):
            raise AssertionError(f"expecting {name} bias shape of {(embed_dim,)}, but got "
                                 f"{b.shape}")
    return tuple(linear(x, w, b) for x, w, b in zip((query, key, value), weights, biases))


def _checked_attn_mask(attn_mask, size):
    """A 2-D mask ``(L, S)`` as ``(1, L, S)``; a 3-D one must be ``(N * heads, L, S)``."""
    if attn_mask is None:
        return None
    if attn_mask.dim() not in (2, 3):
        raise RuntimeError(f"attn_mask's dimension {attn_mask.dim()} is not supported")
    expected = size[1:] if attn_mask.dim() == 2 else size
    if attn_mask.shape != expected:
        raise RuntimeError(f"The shape of the {attn_mask.dim()}D attn_mask is {attn_mask.shape}, "
                           f"but should be {expected}.")
    return attn_mask.unsqueeze(0) if attn_mask.dim() == 2 else attn_mask


def _split_heads(x, batch_heads, head_dim, static, name):
    """``(S, N, E)`` as ``(N * heads, S, head_dim)``, or the given static tensor."""
    if static is None:
        return x.reshape(x.shape[0], batch_heads, head_dim).transpose(0, 1)
    if static.size(0) != batch_heads:
        raise AssertionError(f"expecting {name}.size(0) of {batch_heads}, but got "
                             f"{static.size(0)}")
    if static.size(2) != head_dim:
        raise AssertionError(f"expecting {name}.size(2) of {head_dim}, but got {static.size(2)}")
    return static


def _padded(mask):
    """A mask with one more (unmasked) key at the end."""
    return None if mask is None else pad(mask, (0, 1))


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads,
                                 in_proj_weight, in_proj_bias, bias_k, bias_v, add_zero_attn,
                                 dropout_p, out_proj_weight, out_proj_bias, training=True,
                                 key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None,
                                 k_proj_weight=None, v_proj_weight=None, static_k=None,
                                 static_v=None, average_attn_weights=True, is_causal=False):
    """The forward of :class:`~ember.nn.MultiheadAttention` (sequence-first layout).

    Shape:
        query ``(L, N, E)`` or ``(L, E)``; key ``(S, N, kdim)``; value ``(S, N, vdim)``;
        key_padding_mask ``(N, S)`` or ``(S)``; attn_mask ``(L, S)`` or ``(N * heads, L, S)``.
        Returns the output ``(L, N, E)`` and, with ``need_weights``, the weights
        ``(N, L, S)`` (averaged over heads) or ``(N, heads, L, S)``; else None."""
    batched = _check_mha_shapes(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask",
                                       _none_or_dtype(attn_mask), "attn_mask", query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the "
                           "Transformer module method `generate_square_subsequent_mask` to "
                           "create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None  # the causal hint replaces the mask in the attention kernel
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype,
                                    check_other=False)
        is_causal = is_causal and key_padding_mask is None
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but "
                             f"got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if key.shape[:2] != value.shape[:2]:
            raise AssertionError(f"key's sequence and batch dims {key.shape[:2]} do not match "
                                 f"value's {value.shape[:2]}")
        for name, weight in (("q", q_proj_weight), ("k", k_proj_weight), ("v", v_proj_weight)):
            if weight is None:
                raise AssertionError(f"use_separate_proj_weight is True but {name}_proj_weight "
                                     "is None")
        q, k, v = _separate_projections(query, key, value,
                                        (q_proj_weight, k_proj_weight, v_proj_weight),
                                        in_proj_bias)
    else:
        if key.shape != value.shape:
            raise AssertionError(f"key shape {key.shape} does not match value shape "
                                 f"{value.shape}")
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        q, k, v = _packed_projections(query, key, value, in_proj_weight, in_proj_bias)
    attn_mask = _checked_attn_mask(attn_mask, (bsz * num_heads, tgt_len, src_len))

    if bias_k is not None and bias_v is not None:
        if static_k is not None:
            raise AssertionError("bias cannot be added to static key.")
        if static_v is not None:
            raise AssertionError("bias cannot be added to static value.")
        k = ember.cat([k, bias_k.repeat(1, bsz, 1)])
        v = ember.cat([v, bias_v.repeat(1, bsz, 1)])
        attn_mask, key_padding_mask = _padded(attn_mask), _padded(key_padding_mask)
    elif bias_k is not None:
        raise AssertionError("bias_k is set but bias_v is None")
    elif bias_v is not None:
        raise AssertionError("bias_v is set but bias_k is None")

    batch_heads = bsz * num_heads
    q = q.reshape(tgt_len, batch_heads, head_dim).transpose(0, 1)
    k = _split_heads(k, batch_heads, head_dim, static_k, "static_k")
    v = _split_heads(v, batch_heads, head_dim, static_v, "static_v")
    if add_zero_attn:
        k = ember.cat([k, k.new_zeros((batch_heads, 1, head_dim))], dim=1)
        v = ember.cat([v, v.new_zeros((batch_heads, 1, head_dim))], dim=1)
        attn_mask, key_padding_mask = _padded(attn_mask), _padded(key_padding_mask)
    src_len = k.size(1)

    if key_padding_mask is not None:
        if key_padding_mask.shape[0] != bsz:
            raise AssertionError(f"Expected key_padded_mask.shape[0] to be {bsz}, but got "
                                 f"{key_padding_mask.shape[0]}")
        if key_padding_mask.shape[1] != src_len:
            raise AssertionError(f"Expected key_padded_mask.shape[1] to be {src_len}, but got "
                                 f"{key_padding_mask.shape[1]}")
        key_padding_mask = (key_padding_mask.view(bsz, 1, 1, src_len)
                            .expand(-1, num_heads, -1, -1).reshape(batch_heads, 1, src_len))
        attn_mask = key_padding_mask if attn_mask is None else attn_mask + key_padding_mask
    if not training:
        dropout_p = 0.0

    if need_weights:
        output, weights = _attention_with_weights(q, k, v, attn_mask, dropout_p, is_causal)
    else:
        output = _attention_without_weights(q, k, v, attn_mask, dropout_p, is_causal, bsz)
        weights = None
    output = linear(output.transpose(0, 1).reshape(tgt_len * bsz, embed_dim), out_proj_weight,
                    out_proj_bias).view(tgt_len, bsz, -1)
    if weights is not None:
        weights = weights.view(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            weights = weights.mean(dim=1)
    if not batched:
        output = output.squeeze(1)
        weights = None if weights is None else weights.squeeze(0)
    return output, weights


def _attention_with_weights(q, k, v, attn_mask, dropout_p, is_causal):
    """Explicit attention over ``(N * heads, L, head_dim)``, keeping the weights (a plain
    softmax: fully masked rows give NaN, as torch's)."""
    scaled = q * math.sqrt(1.0 / float(q.shape[-1]))
    if is_causal and attn_mask is None:
        raise AssertionError("FIXME: is_causal not implemented for need_weights")
    if attn_mask is None:
        scores = ember.bmm(scaled, k.transpose(-2, -1))
    else:
        scores = ember.baddbmm(attn_mask, scaled, k.transpose(-2, -1))
    weights = ember.softmax(scores, -1)
    if dropout_p > 0.0:
        weights = _dropout(weights, dropout_p, True, False, False, False)
    return ember.bmm(weights, v), weights


def _attention_without_weights(q, k, v, attn_mask, dropout_p, is_causal, bsz):
    """Attention by ``scaled_dot_product_attention`` over ``(N, heads, L, head_dim)``;
    returns ``(N * heads, L, head_dim)`` ordered as ``q``."""
    batch_heads, tgt_len, head_dim = q.shape
    heads = batch_heads // bsz
    if attn_mask is not None:
        attn_mask = (attn_mask.unsqueeze(0) if attn_mask.size(0) == 1
                     else attn_mask.view(bsz, heads, -1, attn_mask.size(-1)))
    q, k, v = (x.view(bsz, heads, x.size(1), head_dim) for x in (q, k, v))
    output = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    return output.reshape(batch_heads, tgt_len, head_dim)
