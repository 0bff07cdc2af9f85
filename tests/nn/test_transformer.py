"""Transformer layers against torch: initial weights after the same seed (cloned layers),
outputs and gradients in train mode (dropout masks in torch's order) and eval mode, torch's
fused inference paths (without grad), masks, causal hints, warnings and errors."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest
import torch

import ember
from tests.nn.module_oracle import assert_same_error, check_module

# test_nested_tensor_warning checks the warning; torch alone warns about its nested tensors
pytestmark = [pytest.mark.filterwarnings("ignore:enable_nested_tensor is True"),
              pytest.mark.filterwarnings("ignore:The PyTorch API of nested tensors")]

RNG = np.random.default_rng(0)
SRC = RNG.standard_normal((5, 2, 8))       # (S, N, E); batch first: (N, S, E) as (2, 5, 8)
TGT = RNG.standard_normal((3, 2, 8))
SRC_BF, TGT_BF = SRC.transpose(1, 0, 2).copy(), TGT.transpose(1, 0, 2).copy()
SRC_PADDING = np.array([[False] * 5, [False, False, False, True, True]])  # left-aligned
TGT_PADDING = np.array([[False, False, True], [False] * 3])
NOT_LEFT_ALIGNED = np.array([[False, True, False, False, False], [False] * 5])


def causal(size):
    return np.triu(np.full((size, size), -np.inf, np.float32), 1)


def lib_of(module):
    return torch if isinstance(module, torch.nn.Module) else ember


def call(no_grad=False, **options):
    """A check_module forward: NumPy masks become tensors of the module's library."""
    def forward(module, *inputs):
        L = lib_of(module)
        kwargs = {k: (L.tensor(v) if isinstance(v, np.ndarray) else v)
                  for k, v in options.items()}
        with L.no_grad() if no_grad else L.enable_grad():
            return module(*inputs, **kwargs)
    return forward


def encoder(norm_first=False, batch_first=True, activation="relu", layers=2):
    def make(nn):
        layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.3, activation=activation,
                                           batch_first=batch_first, norm_first=norm_first)
        return nn.TransformerEncoder(layer, layers, nn.LayerNorm(8))
    return make


def decoder(norm_first=False, batch_first=False):
    def make(nn):
        layer = nn.TransformerDecoderLayer(8, 2, 16, dropout=0.3, batch_first=batch_first,
                                           norm_first=norm_first)
        return nn.TransformerDecoder(layer, 2, nn.LayerNorm(8))
    return make


CASES = {
    "encoder_layer": (lambda nn: nn.TransformerEncoderLayer(8, 2, 16), (SRC,), call()),
    "encoder_layer_gelu_norm_first": (
        lambda nn: nn.TransformerEncoderLayer(8, 2, 16, activation="gelu", norm_first=True,
                                              batch_first=True, layer_norm_eps=1e-3),
        (SRC_BF,), call(src_key_padding_mask=SRC_PADDING)),
    "encoder_layer_callable_activation": (
        lambda nn: nn.TransformerEncoderLayer(8, 2, 16, activation=nn.functional.silu,
                                              bias=False),
        (SRC,), call(src_mask=causal(5), is_causal=True)),
    "encoder_layer_module_activation_unbatched": (
        lambda nn: nn.TransformerEncoderLayer(8, 2, 16, activation=nn.GELU(), batch_first=True),
        (SRC[:, 0],), call(src_mask=causal(5) < 0)),
    "encoder": (encoder(), (SRC_BF,), call(src_key_padding_mask=SRC_PADDING)),
    "encoder_norm_first_gelu_causal": (encoder(norm_first=True, activation="gelu"), (SRC_BF,),
                                       call(mask=causal(5))),
    "decoder_layer": (lambda nn: nn.TransformerDecoderLayer(8, 2, 16, dropout=0.3), (TGT, SRC),
                      call(tgt_mask=causal(3), tgt_is_causal=True,
                           memory_key_padding_mask=SRC_PADDING)),
    "decoder_layer_norm_first_batch_first": (
        lambda nn: nn.TransformerDecoderLayer(8, 2, 16, norm_first=True, batch_first=True,
                                              activation="gelu"),
        (TGT_BF, SRC_BF), call(tgt_key_padding_mask=TGT_PADDING, memory_mask=causal(5)[:3])),
    "decoder": (decoder(), (TGT, SRC), call(tgt_mask=causal(3))),
    "decoder_memory_causal_hint": (decoder(), (TGT, SRC),
                                   call(memory_mask=causal(5)[:3], memory_is_causal=True)),
    "decoder_norm_first": (decoder(norm_first=True, batch_first=True), (TGT_BF, SRC_BF),
                           call(tgt_key_padding_mask=TGT_PADDING)),
    "transformer": (lambda nn: nn.Transformer(8, 2, 2, 2, 16, dropout=0.3, batch_first=True),
                    (SRC_BF, TGT_BF),
                    call(tgt_mask=causal(3), src_key_padding_mask=SRC_PADDING,
                         memory_key_padding_mask=SRC_PADDING)),
    "transformer_custom_stacks": (
        lambda nn: nn.Transformer(8, 2, dim_feedforward=16, batch_first=True,
                                  custom_encoder=encoder(layers=1)(nn),
                                  custom_decoder=decoder(batch_first=True)(nn)),
        (SRC_BF, TGT_BF), call(src_is_causal=False)),
    "transformer_norm_first_gelu": (
        lambda nn: nn.Transformer(8, 2, 1, 2, 16, activation="gelu", norm_first=True,
                                  batch_first=True),
        (SRC_BF, TGT_BF), call(tgt_is_causal=True, tgt_mask=causal(3))),
}


@pytest.mark.parametrize("training", [True, False], ids=["train", "eval"])
@pytest.mark.parametrize("name", CASES)
def test_layers(name, training):
    make, inputs, forward = CASES[name]
    check_module(make, *inputs, forward=forward, training=training)


def test_transformer_float64_sequence_first():
    check_module(lambda nn: nn.Transformer(8, 2, 1, 1, 16, dropout=0.2), SRC, TGT,
                 forward=call(src_mask=causal(5), tgt_mask=causal(3) < 0), dtype="float64")


FUSED_CASES = {
    # torch runs these through nested tensors: padded positions come out as zeros
    "nested_padding": (encoder(), (SRC_BF,), call(True, src_key_padding_mask=SRC_PADDING)),
    "nested_fully_padded": (encoder(), (SRC_BF,),
                            call(True, src_key_padding_mask=np.array([[False] * 5, [True] * 5]))),
    "nested_float_padding": (encoder(), (SRC_BF,), call(True, src_key_padding_mask=np.where(
        SRC_PADDING, -np.inf, 0).astype(np.float32))),
    # not left-aligned: the fused layers, which leave fully masked rows NaN
    "fused_not_left_aligned": (encoder(), (SRC_BF,),
                               call(True, src_key_padding_mask=NOT_LEFT_ALIGNED)),
    "fused_layer_masked_row": (
        lambda nn: nn.TransformerEncoderLayer(8, 2, 16, batch_first=True, norm_first=True),
        (SRC_BF,), call(True, src_mask=np.array([[True] * 5] + [[False] * 5] * 4))),
    "fused_layer_float_mask_causal_hint": (
        lambda nn: nn.TransformerEncoderLayer(8, 2, 16, batch_first=True),
        (SRC_BF,), call(True, src_mask=causal(5), is_causal=True)),
    "decoder_self_attention": (decoder(batch_first=True), (TGT_BF, SRC_BF),
                               call(True, tgt_key_padding_mask=np.array([[True] * 3] * 2))),
    "general_odd_heads": (
        lambda nn: nn.TransformerEncoderLayer(9, 3, 16, batch_first=True), (SRC_BF[..., :1]
                                                                           .repeat(9, -1),),
        call(True, src_key_padding_mask=np.array([[True] * 5, [False] * 5]))),
}


@pytest.mark.parametrize("name", FUSED_CASES)
def test_inference_paths(name):
    make, inputs, forward = FUSED_CASES[name]
    check_module(make, *inputs, forward=forward, training=False)


def test_layers_are_copies():
    """The stack deep-copies its layer: every layer starts from the same weights."""
    stack = encoder()(ember.nn)
    first, second = stack.layers
    assert first.linear1 is not second.linear1
    assert ember.equal(first.linear1.weight, second.linear1.weight)


def test_pickle_round_trip():
    model = ember.nn.Transformer(8, 2, 1, 1, 16, batch_first=True, activation="gelu")
    copy = pickle.loads(pickle.dumps(model))
    assert copy.encoder.layers[0].activation is ember.nn.functional.gelu
    assert repr(copy) == repr(model)
    for (name, ours), (_, theirs) in zip(copy.state_dict().items(), model.state_dict().items()):
        assert ember.equal(ours, theirs), name


def test_generate_square_subsequent_mask():
    ours = ember.nn.Transformer.generate_square_subsequent_mask(4, dtype=ember.float64)
    theirs = torch.nn.Transformer.generate_square_subsequent_mask(4, dtype=torch.float64)
    assert ours.dtype == ember.float64
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("layer_options, reason", [
    ({"batch_first": False}, "self_attn.batch_first was not True"),
    ({"norm_first": True}, "norm_first was True"),
    ({"bias": False}, "self_attn was passed bias=False"),
    ({"activation": torch.sigmoid}, "activation_relu_or_gelu was not True"),
    ({"nhead": 1}, "num_heads is odd"),
])
def test_nested_tensor_warning(layer_options, reason):
    messages = []
    for L in (torch, ember):
        options = {"d_model": 8, "nhead": 2, "batch_first": True, **layer_options}
        if "activation" in options:
            options["activation"] = L.sigmoid
        layer = L.nn.TransformerEncoderLayer(**options)
        with pytest.warns(UserWarning, match=reason) as record:
            encoder_stack = L.nn.TransformerEncoder(layer, 1)
        messages.append([str(w.message) for w in record])
        assert encoder_stack.use_nested_tensor is False
    assert messages[0] == messages[1]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ember.nn.TransformerEncoder(layer, 1, enable_nested_tensor=False)



def small_transformer(L):
    return L.nn.Transformer(4, 2, 1, 1, 8, batch_first=True)


ERRORS = {
    "activation": lambda L: L.nn.TransformerEncoderLayer(4, 2, activation="tanh"),
    "decoder activation": lambda L: L.nn.TransformerDecoderLayer(4, 2, activation="swish"),
    "batch": lambda L: small_transformer(L)(L.ones(2, 3, 4), L.ones(3, 3, 4)),
    "d_model": lambda L: small_transformer(L)(L.ones(2, 3, 4), L.ones(2, 3, 5)),
    "causal hint without mask": lambda L: L.nn.TransformerDecoderLayer(4, 2, 8)(
        L.ones(3, 1, 4), L.ones(2, 1, 4), tgt_is_causal=True),
}


@pytest.mark.parametrize("name", ERRORS)
def test_errors(name):
    assert_same_error(ERRORS[name])


def test_mismatched_mask_types_warn():
    """Each layer warns as torch does (once: the attention it calls gets canonical masks)."""
    messages = []
    for L in (torch, ember):
        x, float_mask = L.ones(1, 3, 4), L.zeros(3, 3)
        padding = L.zeros(1, 3, dtype=L.bool)
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            L.nn.TransformerEncoderLayer(4, 2, 8, batch_first=True)(
                x, src_mask=float_mask, src_key_padding_mask=padding)
            stack = L.nn.TransformerEncoder(L.nn.TransformerEncoderLayer(4, 2, 8,
                                                                         batch_first=True), 1)
            stack(x, mask=float_mask, src_key_padding_mask=padding)
        messages.append([str(w.message) for w in record])
    assert messages[1] == messages[0]
    assert len(messages[0]) == 2 and "src_key_padding_mask and src_mask" in messages[0][0]
