"""Attention against torch: scaled_dot_product_attention (values, node names, gradients twice,
dropout masks, errors), multi_head_attention_forward and MultiheadAttention (every option,
mask kinds, train and eval, torch's fused inference path, warnings, errors)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
from tests.autograd.grad_oracle import GradTable, build
from tests.nn.module_oracle import assert_same_error, assert_tensor_close, check_module


def F(L):
    return L.nn.functional


def lib_of(module):
    return torch if isinstance(module, torch.nn.Module) else ember



# ---------------------------------------------------------------- scaled dot-product attention

SDPA = GradTable("attention.sdpa")
case, v = SDPA.case, SDPA.v


def sdpa(**options):
    return lambda L, q, k, val: F(L).scaled_dot_product_attention(q, k, val, **options)


def bool_mask(L):
    return L.tensor([[True, False, True], [True, True, False]])


# 4-D inputs of one head size go to torch's fused CPU kernel (one node); others to the math
# graph (matmul, softmax)
case("fused", sdpa(), v(2, 2, 2, 3), v(2, 2, 3, 3), v(2, 2, 3, 3))
case("fused_causal_scale", sdpa(is_causal=True, scale=0.7), v(1, 2, 3, 2), v(1, 2, 3, 2),
     v(1, 2, 3, 2))
case("fused_gqa", sdpa(enable_gqa=True), v(1, 4, 2, 2), v(1, 2, 3, 2), v(1, 2, 3, 2))
case("fused_bool_mask", lambda L, q, k, val: F(L).scaled_dot_product_attention(
    q, k, val, attn_mask=bool_mask(L)), v(1, 2, 2, 2), v(1, 2, 3, 2), v(1, 2, 3, 2))
case("fused_mask_and_causal", lambda L, q, k, val: F(L).scaled_dot_product_attention(
    q, k, val, attn_mask=L.tensor(np.linspace(-1, 1, 18).reshape(2, 1, 3, 3)), is_causal=True),
    v(2, 2, 3, 2), v(2, 2, 3, 2), v(2, 2, 3, 2))
case("fused_only_value", sdpa(), v(1, 1, 2, 2), v(1, 1, 3, 2), v(1, 1, 3, 2),
     requires_grad=(2,))
case("math_2d", sdpa(scale=-0.5), v(2, 3), v(4, 3), v(4, 2))
case("math_3d_mask_grad", lambda L, q, k, val, m: F(L).scaled_dot_product_attention(
    q, k, val, attn_mask=m), v(2, 2, 3), v(2, 3, 3), v(2, 3, 3), v(2, 3))
case("math_4d_mask_grad", lambda L, q, k, val, m: F(L).scaled_dot_product_attention(
    q, k, val, attn_mask=m), v(1, 2, 2, 2), v(1, 2, 3, 2), v(1, 2, 3, 2), v(2, 3))
case("math_gqa_uneven", sdpa(enable_gqa=True), v(1, 4, 2, 2), v(1, 2, 3, 2), v(1, 1, 3, 2))
case("math_masked_row", lambda L, q, k, val: F(L).scaled_dot_product_attention(
    q, k, val, attn_mask=L.tensor([[False, False, False], [True, False, True]])),
    v(2, 2, 2), v(2, 3, 2), v(2, 3, 2))
case("fused_masked_row", lambda L, q, k, val: F(L).scaled_dot_product_attention(
    q, k, val, attn_mask=L.tensor([[False, False, False], [True, False, True]])),
    v(1, 2, 2, 2), v(1, 2, 3, 2), v(1, 2, 3, 2))
case("math_5d_causal", sdpa(is_causal=True), v(1, 1, 1, 3, 2), v(1, 1, 1, 2, 2),
     v(1, 1, 1, 2, 2))
for sdpa_case in SDPA.cases:
    sdpa_case.dtypes = ("float64",)  # torch's float32 CPU kernels round differently
test_sdpa_matches_torch, test_sdpa_gradcheck, test_sdpa_gradgradcheck = SDPA.tests()


@pytest.mark.parametrize("shape", [(2, 2, 3, 4), (3, 4)])
def test_sdpa_float32(shape):
    rng = np.random.default_rng(1)
    arrays = [rng.standard_normal(shape) for _ in range(3)]
    results = []
    for L in (torch, ember):
        q, k, val = (L.tensor(a, dtype=L.float32) for a in arrays)
        results.append(F(L).scaled_dot_product_attention(q, k, val, is_causal=True))
    assert_tensor_close(results[1], results[0], "output", 1e-5, 1e-6)


@pytest.mark.parametrize("shape", [(2, 2, 3, 4), (2, 3, 4)])
def test_sdpa_dropout_masks(shape):
    """Dropout on the weights draws torch's masks: same values and gradients."""
    rng = np.random.default_rng(2)
    arrays = [rng.standard_normal(shape) for _ in range(3)]
    grad = rng.standard_normal(shape)
    results = []
    for L in (torch, ember):
        tensors = [L.tensor(a).requires_grad_() for a in arrays]
        L.manual_seed(5)
        out = F(L).scaled_dot_product_attention(*tensors, dropout_p=0.4)
        out.backward(L.tensor(grad))
        results.append([out, *(t.grad for t in tensors)])
    for ours, theirs in zip(results[1], results[0]):
        assert_tensor_close(ours, theirs, "dropout", 1e-10, 1e-12)


SDPA_ERRORS = {
    "dtypes": lambda L: F(L).scaled_dot_product_attention(
        L.ones(2, 3), L.ones(2, 3), L.ones(2, 3, dtype=L.float64)),
    "rank": lambda L: F(L).scaled_dot_product_attention(L.ones(3), L.ones(2, 3), L.ones(2, 3)),
    "mask dtype": lambda L: F(L).scaled_dot_product_attention(
        L.ones(2, 3), L.ones(2, 3), L.ones(2, 3), attn_mask=L.ones(2, 2, dtype=L.int64)),
    "half mask": lambda L: F(L).scaled_dot_product_attention(
        L.ones(2, 3), L.ones(2, 3), L.ones(2, 3), attn_mask=L.ones(2, 2, dtype=L.float16)),
    "causal and mask": lambda L: F(L).scaled_dot_product_attention(
        L.ones(2, 3), L.ones(2, 3), L.ones(2, 3), L.ones(2, 2), is_causal=True),
    "gqa heads": lambda L: F(L).scaled_dot_product_attention(
        L.ones(1, 3, 2, 2), L.ones(1, 2, 2, 2), L.ones(1, 2, 2, 2), enable_gqa=True),
    "gqa 2-d": lambda L: F(L).scaled_dot_product_attention(
        L.ones(2, 2), L.ones(2, 2), L.ones(2, 2), enable_gqa=True),
    "dropout p": lambda L: F(L).scaled_dot_product_attention(
        L.ones(2, 3), L.ones(2, 3), L.ones(2, 3), dropout_p=1.5),
    "mask grows": lambda L: F(L).scaled_dot_product_attention(
        L.ones(2, 3), L.ones(2, 3), L.ones(2, 3), attn_mask=L.ones(2, 2, 2)),
    "1-d mask": lambda L: F(L).scaled_dot_product_attention(
        L.ones(1, 1, 2, 3), L.ones(1, 1, 2, 3), L.ones(1, 1, 2, 3), attn_mask=L.ones(2)),
}


@pytest.mark.parametrize("name", SDPA_ERRORS)
def test_sdpa_errors(name):
    assert_same_error(SDPA_ERRORS[name])


# ---------------------------------------------------------------- multi_head_attention_forward

MHA = GradTable("attention.mha")


def mha(**options):
    """``multi_head_attention_forward`` (output and weights) of self-attention, E=4, 2 heads,
    with a packed projection and the given options; each option value may be a function of
    the library."""
    def function(L, x, w, b, out_w, out_b):
        resolved = {k: (value(L) if callable(value) else value) for k, value in options.items()}
        output, weights = F(L).multi_head_attention_forward(
            x, x, x, 4, 2, w, b, None, None, False, 0.0, out_w, out_b, **resolved)
        return output if weights is None else (output, weights)
    return function


def packed():
    return MHA.v(3, 2, 4), MHA.v(12, 4), MHA.v(12), MHA.v(4, 4), MHA.v(4)


MHA.case("mha", mha(), *packed())
MHA.case("mha_per_head", mha(average_attn_weights=False,
                             key_padding_mask=lambda L: L.tensor([[False, False, True]] * 2)),
         *packed())
MHA.case("mha_no_weights", mha(need_weights=False,
                               attn_mask=lambda L: L.tensor(np.triu(np.ones((3, 3), bool), 1))),
         *packed())
MHA.case("mha_causal_hint", mha(need_weights=False, is_causal=True,
                                attn_mask=lambda L: L.triu(L.full((3, 3), -np.inf), 1)),
         *packed())


def separate_kv(L, q, k, val, wq, wk, wv, bk, bv):
    return F(L).multi_head_attention_forward(
        q, k, val, 4, 2, None, L.zeros(12, dtype=q.dtype), bk, bv, True, 0.0, wq,
        None, use_separate_proj_weight=True, q_proj_weight=wq, k_proj_weight=wk,
        v_proj_weight=wv, key_padding_mask=L.tensor([False, True, False]))


MHA.case("mha_separate_bias_kv_zero_attn_unbatched", separate_kv, MHA.v(2, 4), MHA.v(3, 3),
         MHA.v(3, 5), MHA.v(4, 4), MHA.v(4, 3), MHA.v(4, 5), MHA.v(1, 1, 4), MHA.v(1, 1, 4))


def static_kv(L, x, w, out_w, static_k, static_v):
    return F(L).multi_head_attention_forward(
        x, x, x, 4, 2, w, None, None, None, True, 0.0, out_w, None, static_k=static_k,
        static_v=static_v, attn_mask=L.zeros(4, 3, 3, dtype=x.dtype))


MHA.case("mha_static_kv", static_kv, MHA.v(3, 2, 4), MHA.v(12, 4), MHA.v(4, 4),
         MHA.v(4, 3, 2), MHA.v(4, 3, 2))
for mha_case in MHA.cases:
    mha_case.dtypes = ("float64",)
test_mha_matches_torch, test_mha_gradcheck, _ = MHA.tests()


def test_mha_gradgradcheck():
    """Twice differentiable through projections, heads and the fused attention node (one
    case: the others share those ops and cost seconds each)."""
    mha_case = next(c for c in MHA.cases if c.name == "mha_no_weights")
    ember.manual_seed(0)
    assert ember.autograd.gradgradcheck(lambda *t: mha_case.function(ember, *t),
                                        build(ember, mha_case, "float64"))


# ---------------------------------------------------------------- MultiheadAttention

RNG = np.random.default_rng(0)
X = RNG.standard_normal((4, 2, 8))        # (L, N, E); batch first: (N=4, L=2, E)
KV = RNG.standard_normal((5, 2, 6))       # (S, N, kdim)
KEY_PADDING = np.array([[False, False, True, False, True], [False] * 5])
FLOAT_MASK = RNG.standard_normal((4, 4)).astype(np.float32)
CAUSAL = np.triu(np.ones((4, 4), bool), 1)


def call(mode="self", **options):
    """A forward for check_module: self-attention (one input) or cross (query, key,
    value); NumPy masks become tensors of the module's library."""
    def forward(module, *inputs):
        L = lib_of(module)
        kwargs = {k: (L.tensor(v) if isinstance(v, np.ndarray) else v)
                  for k, v in options.items()}
        return module(*(inputs * 3 if mode == "self" else inputs), **kwargs)
    return forward


MODULE_CASES = {
    "default": (lambda nn: nn.MultiheadAttention(8, 2), (X,), call()),
    "kdim_vdim_padding": (lambda nn: nn.MultiheadAttention(8, 2, kdim=6, vdim=6), (X, KV, KV),
                          call("cross", key_padding_mask=KEY_PADDING)),
    "bias_kv_zero_attn": (lambda nn: nn.MultiheadAttention(8, 2, add_bias_kv=True,
                                                           add_zero_attn=True),
                          (X,), call(attn_mask=CAUSAL)),
    "batch_first_no_bias": (lambda nn: nn.MultiheadAttention(8, 2, batch_first=True,
                                                             bias=False),
                            (X,), call(need_weights=False, attn_mask=CAUSAL[:2, :2])),
    "per_head_weights": (lambda nn: nn.MultiheadAttention(8, 4), (X,),
                         call(average_attn_weights=False, attn_mask=FLOAT_MASK)),
    "float_padding_3d_mask": (lambda nn: nn.MultiheadAttention(8, 2), (X,),
                              call(key_padding_mask=np.where(KEY_PADDING[:, :4], -1e9,
                                                             0).astype(np.float32),
                                   attn_mask=RNG.standard_normal((4, 4, 4)).astype(np.float32))),
    "causal_hint": (lambda nn: nn.MultiheadAttention(8, 2), (X,),
                    call(attn_mask=CAUSAL, is_causal=True, need_weights=False)),
    "unbatched": (lambda nn: nn.MultiheadAttention(8, 2, kdim=6, vdim=6), (X[:, 0], KV[:, 0],
                                                                          KV[:, 0]),
                  call("cross", key_padding_mask=KEY_PADDING[0])),
    "dropout": (lambda nn: nn.MultiheadAttention(8, 2, dropout=0.4), (X,), call()),
    "dropout_no_weights": (lambda nn: nn.MultiheadAttention(8, 2, dropout=0.4, kdim=6, vdim=6),
                           (X, KV, KV), call("cross", need_weights=False)),
}


@pytest.mark.parametrize("training", [True, False], ids=["train", "eval"])
@pytest.mark.parametrize("name", MODULE_CASES)
def test_multihead_attention(name, training):
    make, inputs, forward = MODULE_CASES[name]
    check_module(make, *inputs, forward=forward, training=training)


def test_multihead_attention_float64():
    check_module(lambda nn: nn.MultiheadAttention(8, 2, add_bias_kv=True, dropout=0.2), X,
                 forward=call(key_padding_mask=KEY_PADDING[:, :4]), dtype="float64")


def without_grad(forward):
    def run(module, *inputs):
        with lib_of(module).no_grad():
            return forward(module, *inputs)
    return run


FULLY_MASKED_ROW = np.array([[False, True], [True, True]])
FULLY_PADDED = np.array([[False, True], [False, False], [False, True], [True, True]])


@pytest.mark.parametrize("bias", [True, False], ids=["fused", "general"])
@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("masks", [{"attn_mask": FULLY_MASKED_ROW},
                                   {"key_padding_mask": FULLY_PADDED}],
                         ids=["attn_mask", "key_padding_mask"])
def test_fused_inference_path(masks, need_weights, bias):
    """Eval without grad, torch's fused kernel (which needs biases) leaves fully masked rows
    NaN where the general path gives zeros; ember agrees in both."""
    check_module(lambda nn: nn.MultiheadAttention(8, 2, batch_first=True, bias=bias), X,
                 forward=without_grad(call(need_weights=need_weights, **masks)),
                 training=False)


def test_mismatched_mask_types_warn():
    for L in (torch, ember):
        attention = L.nn.MultiheadAttention(4, 2)
        x = L.ones(3, 1, 4)
        with pytest.warns(UserWarning, match="Support for mismatched key_padding_mask and "
                          "attn_mask is deprecated"):
            attention(x, x, x, key_padding_mask=L.zeros(1, 3, dtype=L.bool),
                      attn_mask=L.zeros(3, 3))


def test_repr_and_state():
    attention, expected = (L.nn.MultiheadAttention(8, 2, add_bias_kv=True, kdim=3)
                           for L in (ember, torch))
    assert repr(attention) == repr(expected)
    assert list(attention.state_dict()) == list(expected.state_dict())
    assert type(attention.out_proj).__name__ == "NonDynamicallyQuantizableLinear"
    assert attention.in_proj_weight is None and attention.head_dim == 4


def two_d(L):
    return L.ones(3, 4)


MHA_ERRORS = {
    "embed_dim": lambda L: L.nn.MultiheadAttention(0, 2),
    "divisible": lambda L: L.nn.MultiheadAttention(6, 4),
    "query rank": lambda L: L.nn.MultiheadAttention(4, 2)(L.ones(4), L.ones(4), L.ones(4)),
    "key rank": lambda L: L.nn.MultiheadAttention(4, 2)(L.ones(3, 1, 4), two_d(L), two_d(L)),
    "padding rank": lambda L: L.nn.MultiheadAttention(4, 2)(
        two_d(L), two_d(L), two_d(L), key_padding_mask=L.ones(1, 3, dtype=L.bool)),
    "mask rank": lambda L: L.nn.MultiheadAttention(4, 2)(
        two_d(L), two_d(L), two_d(L), attn_mask=L.ones(3, dtype=L.bool)),
    "unbatched 3-d mask": lambda L: L.nn.MultiheadAttention(4, 2)(
        two_d(L), two_d(L), two_d(L), attn_mask=L.ones(1, 3, 3, dtype=L.bool)),
    "int mask": lambda L: L.nn.MultiheadAttention(4, 2)(
        two_d(L), two_d(L), two_d(L), attn_mask=L.ones(3, 3, dtype=L.int64)),
    "causal without mask": lambda L: L.nn.MultiheadAttention(4, 2)(
        two_d(L), two_d(L), two_d(L), is_causal=True),
    "2-d mask shape": lambda L: L.nn.MultiheadAttention(4, 2)(
        two_d(L), two_d(L), two_d(L), attn_mask=L.ones(3, 2)),
    "3-d mask shape": lambda L: L.nn.MultiheadAttention(4, 2)(
        L.ones(3, 2, 4), L.ones(3, 2, 4), L.ones(3, 2, 4), attn_mask=L.ones(2, 3, 3)),
    "padding shape": lambda L: L.nn.MultiheadAttention(4, 2)(
        L.ones(3, 2, 4), L.ones(3, 2, 4), L.ones(3, 2, 4), key_padding_mask=L.ones(2, 2)),
    "embed dim": lambda L: L.nn.MultiheadAttention(4, 2)(L.ones(3, 5), L.ones(3, 5),
                                                         L.ones(3, 5)),
    "key value shapes": lambda L: L.nn.MultiheadAttention(4, 2)(two_d(L), L.ones(2, 4),
                                                                two_d(L)),
    "separate weight shape": lambda L: L.nn.MultiheadAttention(4, 2, kdim=3)(
        two_d(L), two_d(L), two_d(L)),
    "static_k size": lambda L: F(L).multi_head_attention_forward(
        two_d(L), two_d(L), two_d(L), 4, 2, L.ones(12, 4), None, None, None, False, 0.0,
        L.ones(4, 4), None, static_k=L.ones(1, 3, 2)),
    "bias_k alone": lambda L: F(L).multi_head_attention_forward(
        two_d(L), two_d(L), two_d(L), 4, 2, L.ones(12, 4), None, L.ones(1, 1, 4), None, False,
        0.0, L.ones(4, 4), None),
}


@pytest.mark.parametrize("name", MHA_ERRORS)
def test_multihead_attention_errors(name):
    assert_same_error(MHA_ERRORS[name])
