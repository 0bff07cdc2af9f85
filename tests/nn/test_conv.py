"""Convolutions against torch: F.conv* and F.conv_transpose* (values, ``grad_fn``, gradients,
gradcheck and gradgradcheck, dtypes, errors) and the Conv / ConvTranspose layers
(initialization, repr, outputs and gradients over a grid of options)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import ember
from ember.ops import convolution
from tests.autograd.grad_oracle import GradTable
from tests.nn.module_oracle import assert_same_error, check_module

TABLE = GradTable("conv")
case, v = TABLE.case, TABLE.v


def F(L):
    return L.nn.functional


EVEN_SAME = "ignore:Using padding='same' with even kernel"

# ---------------------------------------------------------------- functional gradients
case("conv1d", lambda L, x, w, b: F(L).conv1d(x, w, b), v(2, 2, 5), v(3, 2, 2), v(3))
case("conv1d_strided", lambda L, x, w: F(L).conv1d(x, w, stride=2, padding=1, dilation=2),
     v(1, 2, 6), v(2, 2, 2))
case("conv1d_same_even", lambda L, x, w: F(L).conv1d(x, w, padding="same"), v(1, 2, 5),
     v(2, 2, 4))
case("conv1d_unbatched", lambda L, x, w, b: F(L).conv1d(x, w, b, padding="valid"), v(2, 5),
     v(3, 2, 3), v(3))
case("conv2d", lambda L, x, w, b: F(L).conv2d(x, w, b, padding=1), v(2, 2, 3, 4),
     v(3, 2, 2, 2), v(3))
case("conv2d_groups", lambda L, x, w, b: F(L).conv2d(x, w, b, stride=(2, 1), groups=2),
     v(1, 4, 4, 3), v(4, 2, 2, 2), v(4))
case("conv2d_dilated_same", lambda L, x, w: F(L).conv2d(x, w, padding="same", dilation=2),
     v(1, 1, 5, 4), v(2, 1, 2, 3))
case("conv2d_unbatched", lambda L, x, w: F(L).conv2d(x, w, padding=(1, 0)), v(2, 3, 3),
     v(1, 2, 2, 2))
# more output channels than taps: the kernels' batch-outer layout
case("conv2d_many_filters", lambda L, x, w, b: F(L).conv2d(x, w, b, stride=2, padding=1),
     v(2, 1, 3, 3), v(6, 1, 2, 2), v(6))
case("conv_transpose2d_many_filters", lambda L, x, w: F(L).conv_transpose2d(
    x, w, stride=2, dilation=(1, 2), groups=2), v(1, 6, 2, 2), v(6, 1, 2, 1))
case("conv3d", lambda L, x, w, b: F(L).conv3d(x, w, b, stride=(1, 2, 1), padding=(0, 1, 0)),
     v(1, 2, 3, 3, 2), v(2, 2, 2, 2, 1), v(2))
case("conv_transpose1d", lambda L, x, w, b: F(L).conv_transpose1d(
    x, w, b, stride=2, padding=1, output_padding=1), v(2, 2, 3), v(2, 3, 3), v(3))
case("conv_transpose1d_dilated", lambda L, x, w: F(L).conv_transpose1d(
    x, w, stride=1, output_padding=1, dilation=2), v(1, 2, 3), v(2, 2, 2))
case("conv_transpose2d", lambda L, x, w, b: F(L).conv_transpose2d(x, w, b, stride=(2, 1)),
     v(1, 2, 2, 3), v(2, 3, 2, 2), v(3))
case("conv_transpose2d_groups", lambda L, x, w: F(L).conv_transpose2d(
    x, w, padding=1, groups=2), v(1, 4, 3, 3), v(4, 1, 3, 2))
case("conv_transpose2d_unbatched", lambda L, x, w: F(L).conv_transpose2d(x, w), v(2, 2, 2),
     v(2, 1, 2, 2))
case("conv_transpose3d", lambda L, x, w, b: F(L).conv_transpose3d(x, w, b, stride=2),
     v(1, 2, 2, 1, 2), v(2, 2, 1, 2, 2), v(2))
case("convolution", lambda L, x, w: L.convolution(x, w, None, [1], [1], [1], True, [0], 1),
     v(1, 2, 3), v(2, 2, 2))

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    test_matches_torch, test_gradcheck, test_gradgradcheck = TABLE.tests()


@pytest.fixture(autouse=True)
def _quiet_even_same():
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Using padding='same' with even kernel")
        yield


# ---------------------------------------------------------------- values and dtypes
def _pair(shape_x, shape_w, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(shape_x), rng.standard_normal(shape_w)


@pytest.mark.parametrize("dtype, rtol", [("float16", 1e-2), ("bfloat16", 5e-2),
                                         ("float32", 1e-5), ("complex64", 1e-5)])
@pytest.mark.parametrize("transposed", [False, True])
def test_dtypes(dtype, rtol, transposed):
    x, w = _pair((2, 3, 5, 5), (3, 2, 3, 3))
    name = "conv_transpose2d" if transposed else "conv2d"
    results = []
    for L in (torch, ember):
        tx, tw = L.tensor(x).to(getattr(L, dtype)), L.tensor(w).to(getattr(L, dtype))
        if not transposed:
            tw = tw.transpose(0, 1)  # (2, 3, 3, 3): 2 filters over 3 channels
        results.append(getattr(F(L), name)(tx, tw, stride=2, padding=1))
    theirs, ours = results
    assert ours.dtype == getattr(ember, dtype)
    np.testing.assert_allclose(ours.to(ember.complex128 if "complex" in dtype
                                       else ember.float64).numpy(),
                               theirs.to(torch.complex128 if "complex" in dtype
                                         else torch.float64).numpy(), rtol=rtol, atol=rtol)


@pytest.mark.parametrize("name, weight_shape", [("conv1d", (4, 3, 2)),
                                                ("conv_transpose1d", (3, 4, 2))])
def test_int64(name, weight_shape):
    x = np.arange(2 * 3 * 5).reshape(2, 3, 5) % 7 - 3
    w = np.arange(np.prod(weight_shape)).reshape(weight_shape) % 5 - 2
    ours = getattr(F(ember), name)(ember.tensor(x), ember.tensor(w), stride=2)
    theirs = getattr(F(torch), name)(torch.tensor(x), torch.tensor(w), stride=2)
    assert ours.dtype == ember.int64
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_non_contiguous_input_and_contiguous_output():
    x, w = _pair((3, 2, 6, 5), (4, 3, 2, 2))
    results = []
    for L in (torch, ember):
        tx = L.tensor(x).transpose(0, 1)[:, :, ::2]  # (2, 3, 3, 5), strided
        results.append(F(L).conv2d(tx, L.tensor(w), padding=1))
    theirs, ours = results
    assert ours.is_contiguous()
    assert ours.stride() == theirs.stride()
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)


def test_empty_batch_and_channels():
    assert F(ember).conv2d(ember.ones(0, 3, 5, 5), ember.ones(4, 3, 3, 3)).shape == (0, 4, 3, 3)
    result = F(ember).conv2d(ember.ones(2, 0, 5, 5), ember.ones(4, 0, 3, 3), ember.ones(4))
    np.testing.assert_array_equal(result.numpy(), np.ones((2, 4, 3, 3), np.float32))


def test_same_padding_warns_once():
    convolution._WARNED.clear()
    x, w = ember.ones(1, 1, 5), ember.ones(1, 1, 4)
    with pytest.warns(UserWarning, match="Using padding='same' with even kernel lengths"):
        F(ember).conv1d(x, w, padding="same")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F(ember).conv1d(x, w, padding="same")


def test_grad_fn_names():
    x = ember.ones(1, 2, 4, 4, requires_grad=True)
    w = ember.ones(3, 2, 2, 2, requires_grad=True)
    assert F(ember).conv2d(x, w).grad_fn.name() == "ConvolutionBackward0"
    assert F(ember).conv2d(x[0], w).grad_fn.name() == "SqueezeBackward1"
    assert F(ember).conv_transpose2d(x, w.transpose(0, 1)).grad_fn.name() == (
        "ConvolutionBackward0")


# ---------------------------------------------------------------- functional errors
def _t(L, *shape, dtype=None):
    return L.ones(*shape, dtype=dtype)


ERRORS = [
    ("rank", lambda L: F(L).conv2d(_t(L, 5, 5), _t(L, 4, 3, 3, 3))),
    ("rank 5", lambda L: F(L).conv2d(_t(L, 1, 2, 3, 5, 5), _t(L, 4, 3, 3, 3))),
    ("rank 1d", lambda L: F(L).conv1d(_t(L, 2, 3, 5, 5), _t(L, 4, 3, 3))),
    ("rank transposed", lambda L: F(L).conv_transpose3d(_t(L, 5, 5), _t(L, 3, 3, 3, 3, 3))),
    ("channels", lambda L: F(L).conv2d(_t(L, 2, 4, 5, 5), _t(L, 4, 3, 3, 3))),
    ("channels unbatched", lambda L: F(L).conv2d(_t(L, 4, 5, 5), _t(L, 4, 3, 3, 3))),
    ("channels groups", lambda L: F(L).conv2d(_t(L, 2, 3, 5, 5), _t(L, 4, 3, 3, 3), groups=2)),
    ("groups divide", lambda L: F(L).conv2d(_t(L, 2, 4, 5, 5), _t(L, 3, 2, 3, 3), groups=2)),
    ("channels transposed", lambda L: F(L).conv_transpose2d(_t(L, 2, 3, 5, 5),
                                                            _t(L, 4, 2, 3, 3))),
    ("kernel too big", lambda L: F(L).conv2d(_t(L, 2, 3, 5, 5), _t(L, 4, 3, 7, 7))),
    ("dilated kernel too big", lambda L: F(L).conv1d(_t(L, 2, 3, 5), _t(L, 4, 3, 3),
                                                     dilation=3)),
    ("same strided", lambda L: F(L).conv2d(_t(L, 2, 3, 5, 5), _t(L, 4, 3, 3, 3), stride=2,
                                           padding="same")),
    ("padding string", lambda L: F(L).conv2d(_t(L, 2, 3, 5, 5), _t(L, 4, 3, 3, 3),
                                             padding="full")),
    ("padding string transposed", lambda L: F(L).conv_transpose2d(
        _t(L, 2, 3, 5, 5), _t(L, 3, 4, 3, 3), padding="same")),
    ("negative padding", lambda L: F(L).conv2d(_t(L, 2, 3, 5, 5), _t(L, 4, 3, 3, 3),
                                               padding=-1)),
    ("zero stride", lambda L: F(L).conv2d(_t(L, 2, 3, 5, 5), _t(L, 4, 3, 3, 3), stride=0)),
    ("zero dilation", lambda L: F(L).conv2d(_t(L, 2, 3, 5, 5), _t(L, 4, 3, 3, 3), dilation=0)),
    ("zero groups", lambda L: F(L).conv2d(_t(L, 2, 3, 5, 5), _t(L, 4, 3, 3, 3), groups=0)),
    ("stride length", lambda L: F(L).conv2d(_t(L, 2, 3, 5, 5), _t(L, 4, 3, 3, 3),
                                            stride=(1, 1, 1))),
    ("weight rank", lambda L: F(L).conv2d(_t(L, 2, 3, 5, 5), _t(L, 4, 3, 3))),
    ("bias size", lambda L: F(L).conv2d(_t(L, 2, 3, 5, 5), _t(L, 4, 3, 3, 3), _t(L, 3))),
    ("bias size transposed", lambda L: F(L).conv_transpose2d(
        _t(L, 2, 4, 5, 5), _t(L, 4, 3, 3, 3), _t(L, 4), groups=2)),
    ("weight dtype", lambda L: F(L).conv2d(_t(L, 2, 3, 5, 5),
                                           _t(L, 4, 3, 3, 3, dtype=L.float64))),
    ("bias dtype", lambda L: F(L).conv2d(_t(L, 2, 3, 5, 5), _t(L, 4, 3, 3, 3),
                                         _t(L, 4, dtype=L.float64))),
    ("bias dtype transposed", lambda L: F(L).conv_transpose2d(
        _t(L, 2, 3, 5, 5), _t(L, 3, 3, 3, 3), _t(L, 3, dtype=L.float64))),
    ("weight dtype double", lambda L: F(L).conv2d(_t(L, 2, 3, 5, 5, dtype=L.float64),
                                                  _t(L, 4, 3, 3, 3), _t(L, 4, dtype=L.float64))),
    ("bias before weight dtype", lambda L: F(L).conv2d(_t(L, 2, 3, 5, 5, dtype=L.float64),
                                                       _t(L, 4, 3, 3, 3), _t(L, 4))),
    ("weight dtype transposed", lambda L: F(L).conv_transpose2d(
        _t(L, 2, 3, 5, 5, dtype=L.float64), _t(L, 3, 3, 3, 3), _t(L, 3))),
    ("bool", lambda L: F(L).conv2d(_t(L, 2, 3, 5, 5, dtype=L.bool),
                                   _t(L, 4, 3, 3, 3, dtype=L.bool))),
    ("bool 3d", lambda L: F(L).conv3d(_t(L, 1, 3, 5, 5, 5, dtype=L.bool),
                                      _t(L, 4, 3, 3, 3, 3, dtype=L.bool))),
    ("int dilated", lambda L: F(L).conv1d(_t(L, 2, 3, 5, dtype=L.int32),
                                          _t(L, 4, 3, 3, dtype=L.int32), dilation=2)),
    ("int transposed", lambda L: F(L).conv_transpose1d(_t(L, 2, 3, 5, dtype=L.int32),
                                                       _t(L, 3, 4, 3, dtype=L.int32))),
    ("output padding", lambda L: F(L).conv_transpose2d(_t(L, 2, 3, 5, 5), _t(L, 3, 2, 3, 3),
                                                       output_padding=1)),
    ("output padding 1d", lambda L: F(L).conv_transpose1d(_t(L, 2, 3, 5), _t(L, 3, 2, 3),
                                                          stride=2, output_padding=2)),
    ("output padding 3d", lambda L: F(L).conv_transpose3d(_t(L, 1, 3, 4, 4, 4),
                                                          _t(L, 3, 2, 3, 3, 3),
                                                          output_padding=1)),
    ("negative output padding", lambda L: F(L).conv_transpose1d(
        _t(L, 2, 3, 5), _t(L, 3, 2, 3), output_padding=-1)),
    ("output too small", lambda L: F(L).conv_transpose1d(
        _t(L, 2, 3, 5, dtype=L.float64), _t(L, 3, 3, 3, dtype=L.float64), padding=5)),
]


@pytest.mark.parametrize("name, function", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors(name, function):
    assert_same_error(function)


def test_argument_types():
    with pytest.raises(TypeError, match="argument 'stride' must be tuple of ints"):
        F(ember).conv2d(ember.ones(1, 1, 3, 3), ember.ones(1, 1, 2, 2), stride=1.5)
    with pytest.raises(TypeError, match="argument 'groups' must be int, not bool"):
        F(ember).conv2d(ember.ones(1, 1, 3, 3), ember.ones(1, 1, 2, 2), groups=True)
    with pytest.raises(TypeError, match=r"argument 'input' \(position 1\) must be Tensor"):
        F(ember).conv2d(np.ones((1, 1, 3, 3)), ember.ones(1, 1, 2, 2))


# ---------------------------------------------------------------- layers
def _input(*shape):
    return np.random.default_rng(len(shape) + sum(shape)).standard_normal(shape)


LAYERS = [
    ("conv1d", lambda nn: nn.Conv1d(4, 6, 3), (2, 4, 7)),
    ("conv1d_options", lambda nn: nn.Conv1d(4, 6, 2, stride=2, padding=1, dilation=2, groups=2,
                                            bias=False), (2, 4, 9)),
    ("conv1d_same", lambda nn: nn.Conv1d(3, 2, 4, padding="same"), (2, 3, 6)),
    ("conv1d_reflect", lambda nn: nn.Conv1d(3, 2, 3, padding=2, padding_mode="reflect"),
     (2, 3, 6)),
    ("conv1d_unbatched", lambda nn: nn.Conv1d(3, 2, 3, padding="valid"), (3, 6)),
    ("conv2d", lambda nn: nn.Conv2d(3, 4, 3, padding=1), (2, 3, 5, 6)),
    ("conv2d_strided", lambda nn: nn.Conv2d(4, 4, (3, 2), stride=(2, 1), padding=(1, 0),
                                            dilation=(1, 2), groups=4), (2, 4, 7, 6)),
    ("conv2d_same_dilated", lambda nn: nn.Conv2d(2, 3, 3, padding="same", dilation=2),
     (1, 2, 6, 5)),
    ("conv2d_replicate", lambda nn: nn.Conv2d(2, 3, 3, padding=1, padding_mode="replicate"),
     (2, 2, 4, 4)),
    ("conv2d_circular_same", lambda nn: nn.Conv2d(2, 3, 2, padding="same",
                                                  padding_mode="circular", bias=False),
     (2, 2, 4, 5)),
    ("conv2d_unbatched", lambda nn: nn.Conv2d(2, 3, 2, stride=2), (2, 5, 5)),
    ("conv3d", lambda nn: nn.Conv3d(2, 4, (2, 3, 2), padding=(1, 0, 1), groups=2),
     (2, 2, 4, 5, 3)),
    ("conv3d_reflect_unbatched", lambda nn: nn.Conv3d(2, 2, 2, stride=(1, 2, 1), padding=1,
                                                      padding_mode="reflect"), (2, 3, 4, 3)),
    ("conv_transpose1d", lambda nn: nn.ConvTranspose1d(4, 6, 3, stride=2, padding=1,
                                                       output_padding=1, groups=2), (2, 4, 5)),
    ("conv_transpose1d_unbatched", lambda nn: nn.ConvTranspose1d(3, 2, 2, dilation=3,
                                                                 bias=False), (3, 4)),
    ("conv_transpose2d", lambda nn: nn.ConvTranspose2d(3, 4, (3, 2), stride=(2, 1),
                                                       padding=(1, 0)), (2, 3, 4, 4)),
    ("conv_transpose2d_dilated", lambda nn: nn.ConvTranspose2d(2, 2, 2, stride=2, dilation=3,
                                                               output_padding=2), (1, 2, 3, 3)),
    ("conv_transpose3d", lambda nn: nn.ConvTranspose3d(2, 3, 2, stride=(2, 1, 1)),
     (1, 2, 2, 3, 2)),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name, make, shape", LAYERS, ids=[layer[0] for layer in LAYERS])
def test_layer(name, make, shape, dtype):
    check_module(make, _input(*shape), dtype=dtype)


@pytest.mark.parametrize("output_size", [(9, 10), [1, 3, 10, 9], (3, 10, 10)])
def test_transposed_output_size(output_size):
    make = lambda nn: nn.ConvTranspose2d(2, 3, 3, stride=2)  # noqa: E731
    shape = (2, 4, 4) if len(output_size) == 3 else (1, 2, 4, 4)
    check_module(make, _input(*shape),
                 forward=lambda module, x: module(x, output_size=output_size))


LAYER_ERRORS = [
    ("groups", lambda L: L.nn.Conv2d(4, 4, 3, groups=0)),
    ("in channels", lambda L: L.nn.Conv2d(4, 4, 3, groups=3)),
    ("out channels", lambda L: L.nn.Conv2d(4, 3, 3, groups=2)),
    ("same strided", lambda L: L.nn.Conv2d(4, 4, 3, padding="same", stride=2)),
    ("transposed padding mode", lambda L: L.nn.ConvTranspose2d(4, 4, 3, padding_mode="reflect")),
    ("output size range", lambda L: L.nn.ConvTranspose2d(2, 3, 3, stride=2)(
        L.ones(1, 2, 4, 4), output_size=(12, 10))),
    ("output size range 1d", lambda L: L.nn.ConvTranspose1d(2, 3, 3, stride=2)(
        L.ones(2, 4), output_size=[8])),
    ("output size length", lambda L: L.nn.ConvTranspose1d(2, 3, 3)(
        L.ones(1, 2, 4), output_size=(1, 2))),
]


@pytest.mark.parametrize("name, make", LAYER_ERRORS, ids=[e[0] for e in LAYER_ERRORS])
def test_layer_errors(name, make):
    with pytest.raises(ValueError) as expected:
        make(torch)
    with pytest.raises(ValueError) as raised:
        make(ember)
    assert str(raised.value) == str(expected.value)


@pytest.mark.parametrize("make, message", [
    (lambda nn: nn.Conv2d(4, 4, 3, padding="full"), "Invalid padding string 'full', should be "
                                                    "one of"),
    (lambda nn: nn.Conv2d(4, 4, 3, padding_mode="wrap"), "padding_mode must be one of"),
])
def test_layer_string_errors(make, message):
    """torch prints a set there, whose order varies from run to run."""
    for nn in (torch.nn, ember.nn):
        with pytest.raises(ValueError, match=message):
            make(nn)


def test_transposed_bias_of_another_dtype():
    x, w = _pair((1, 2, 3, 3), (2, 3, 2, 2))
    results = [F(L).conv_transpose2d(L.tensor(x), L.tensor(w), L.ones(3, dtype=L.float32))
               for L in (torch, ember)]
    assert results[1].dtype == ember.float64
    np.testing.assert_allclose(results[1].numpy(), results[0].numpy(), rtol=1e-12)


def test_layer_attributes():
    ours, theirs = ember.nn.ConvTranspose2d(2, 4, 3), torch.nn.ConvTranspose2d(2, 4, 3)
    for name in ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation",
                 "transposed", "output_padding", "groups", "padding_mode"):
        assert getattr(ours, name) == getattr(theirs, name), name
    assert ember.nn.Conv2d.__constants__ == torch.nn.Conv2d.__constants__
    assert ember.nn.Conv1d(2, 4, 3).output_padding == (0,)
    assert repr(ember.nn.ConvTranspose1d(2, 4, 3, padding="same")) == repr(
        torch.nn.ConvTranspose1d(2, 4, 3, padding="same"))
