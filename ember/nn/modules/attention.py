"""MultiheadAttention."""

from __future__ import annotations

import ember
from ember.nn import functional as F
from ember.nn._functional.attention import _canonical_mask, _none_or_dtype
from ember.nn.init import constant_, xavier_normal_, xavier_uniform_
from ember.nn.modules.linear import Linear
from ember.nn.modules.module import Module
from ember.nn.parameter import Parameter

__all__ = ["MultiheadAttention"]


class NonDynamicallyQuantizableLinear(Linear):
    """A Linear under the name torch gives the output projection of attention (which
    its quantization tools skip); it shows in the repr."""


class MultiheadAttention(Module):
    """Attention over ``num_heads`` learned projections of query, key and value.

    Args:
        embed_dim: model dimension (split evenly over the heads)
        num_heads: number of heads
        dropout: dropout probability on the attention weights (training only)
        bias: learn biases for the input and output projections
        add_bias_kv: learn one more key and value appended to the sequence
        add_zero_attn: append a zero key and value to the sequence
        kdim, vdim: feature sizes of key and value (default ``embed_dim``)
        batch_first: inputs and output are ``(N, L, E)`` rather than ``(L, N, E)``

    Shape:
        query ``(L, N, E)``, key ``(S, N, kdim)``, value ``(S, N, vdim)`` (or unbatched
        ``(L, E)``...); output ``(L, N, E)`` and weights ``(N, L, S)`` (averaged over heads)
        or ``(N, num_heads, L, S)``.

    Example::

        >>> attention = ember.nn.MultiheadAttention(8, 2)
        >>> x = ember.randn(5, 3, 8)
        >>> output, weights = attention(x, x, x)
        >>> output.shape, weights.shape
        (torch.Size([5, 3, 8]), torch.Size([3, 5, 5]))
    """

    __constants__ = ["batch_first"]

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False,
                 add_zero_attn=False, kdim=None, vdim=None, batch_first=False, device=None,
                 dtype=None) -> None:
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"embed_dim and num_heads must be greater than 0, got "
                             f"embed_dim={embed_dim} and num_heads={num_heads} instead")
        factory = {"device": device, "dtype": dtype}
        super().__init__()
        self.embed_dim = embed_dim
        self.kdim = embed_dim if kdim is None else kdim
        self.vdim = embed_dim if vdim is None else vdim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != embed_dim:
            raise AssertionError("embed_dim must be divisible by num_heads")
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(ember.empty((3 * embed_dim, embed_dim), **factory))
            for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(name, None)
        else:
            self.q_proj_weight = Parameter(ember.empty((embed_dim, embed_dim), **factory))
            self.k_proj_weight = Parameter(ember.empty((embed_dim, self.kdim), **factory))
            self.v_proj_weight = Parameter(ember.empty((embed_dim, self.vdim), **factory))
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(ember.empty(3 * embed_dim, **factory))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias,
                                                        **factory)
        if add_bias_kv:
            self.bias_k = Parameter(ember.empty((1, 1, embed_dim), **factory))
            self.bias_v = Parameter(ember.empty((1, 1, embed_dim), **factory))
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        if self._qkv_same_embed_dim:
            xavier_uniform_(self.in_proj_weight)
        else:
            for weight in (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
                xavier_uniform_(weight)
        if self.in_proj_bias is not None:
            constant_(self.in_proj_bias, 0.0)
            constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            xavier_normal_(self.bias_k)
        if self.bias_v is not None:
            xavier_normal_(self.bias_v)

    def __setstate__(self, state):
        # modules pickled before kdim/vdim existed had one packed projection
        state.setdefault("_qkv_same_embed_dim", True)
        super().__setstate__(state)

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True,
                attn_mask=None, average_attn_weights=True, is_causal=False):
        """Returns ``(output, weights)``; weights is None unless ``need_weights``.

        Args:
            key_padding_mask: ``(N, S)``: True (or -inf) marks keys to ignore
            attn_mask: ``(L, S)`` or ``(N * num_heads, L, S)``: True (or -inf) marks
                pairs that may not attend; a float mask is added to the scores
            average_attn_weights: average the returned weights over heads
            is_causal: hint that ``attn_mask`` is the causal mask"""
        fused = self._takes_fused_path(query, key, value, key_padding_mask, attn_mask)
        key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask",
                                           _none_or_dtype(attn_mask), "attn_mask", query.dtype)
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype,
                                    check_other=False)
        return self._attend(query, key, value, key_padding_mask, need_weights, attn_mask,
                            average_attn_weights, is_causal, fused)

    # Note [Fused inference paths]
    # In eval mode without autograd, torch runs self-attention (and a whole
    # TransformerEncoderLayer) through fused kernels when the layer allows it. They compute
    # the same math, except that their softmax leaves a fully masked row NaN where the general
    # path (scaled_dot_product_attention) gives zeros. ember takes the general path and, where
    # torch would have fused, the explicit softmax of the weights path, which keeps the NaN.
    def _takes_fused_path(self, query, key, value, key_padding_mask, attn_mask):
        """Whether torch would run this call through its fused attention kernel."""
        if any(mask is not None and ember.is_floating_point(mask)
               for mask in (key_padding_mask, attn_mask)):
            return False
        weight, bias = self.in_proj_weight, self.in_proj_bias
        if (query.dim() != 3 or not (query is key and key is value) or weight is None
                or bias is None or query.dtype != weight.dtype or query.dtype != bias.dtype):
            return False
        if (self.training or self.num_heads % 2 or not self.batch_first
                or self.bias_k is not None or self.add_zero_attn):
            return False
        return not (ember.is_grad_enabled() and any(
            t.requires_grad for t in (query, weight, bias, *self.out_proj.parameters())))

    def _attend(self, query, key, value, key_padding_mask, need_weights, attn_mask,
                average_attn_weights, is_causal, fused):
        """The forward over canonical (additive) masks; ``fused``: keep the NaN of fully
        masked rows (Note [Fused inference paths])."""
        batched = query.dim() == 3
        if self.batch_first and batched:
            query, key, value = _sequence_first(query, key, value)
        if self._qkv_same_embed_dim:
            projections = {"in_proj_weight": self.in_proj_weight}
        else:
            projections = {"use_separate_proj_weight": True, "q_proj_weight": self.q_proj_weight,
                           "k_proj_weight": self.k_proj_weight,
                           "v_proj_weight": self.v_proj_weight, "in_proj_weight": None}
        output, weights = F.multi_head_attention_forward(
            query, key, value, self.embed_dim, self.num_heads, in_proj_bias=self.in_proj_bias,
            bias_k=self.bias_k, bias_v=self.bias_v, add_zero_attn=self.add_zero_attn,
            dropout_p=self.dropout, out_proj_weight=self.out_proj.weight,
            out_proj_bias=self.out_proj.bias, training=self.training,
            key_padding_mask=key_padding_mask, need_weights=need_weights or fused,
            attn_mask=attn_mask, average_attn_weights=average_attn_weights, is_causal=is_causal,
            **projections)
        if self.batch_first and batched:
            output = output.transpose(1, 0)
        return output, weights if need_weights else None

    def merge_masks(self, attn_mask, key_padding_mask, query):
        """One ``(N, num_heads, L, L)`` mask from an attention mask and a key padding mask
        (both already additive) for self-attention, with its type: None when there is no
        mask, 1 for a key padding mask alone, 2 otherwise."""
        if attn_mask is None:
            return key_padding_mask, None if key_padding_mask is None else 1
        batch_size, seq_len, _ = query.shape
        if attn_mask.dim() == 3:
            merged = attn_mask.view(batch_size, -1, seq_len, seq_len)
        else:
            merged = attn_mask.view(1, 1, seq_len, seq_len).expand(batch_size, self.num_heads,
                                                                   -1, -1)
        if key_padding_mask is not None:
            merged = merged + key_padding_mask.view(batch_size, 1, 1, seq_len).expand(
                -1, self.num_heads, -1, -1)
        return merged, 2


def _sequence_first(query, key, value):
    """Batch-first inputs as ``(L, N, E)``, keeping which of them are the same tensor (the
    projection packs the products of shared inputs)."""
    if key is value:
        if query is key:
            query = key = value = query.transpose(1, 0)
        else:
            query, key = query.transpose(1, 0), key.transpose(1, 0)
            value = key
        return query, key, value
    return query.transpose(1, 0), key.transpose(1, 0), value.transpose(1, 0)
