"""Pooling against torch: layers (repr, outputs, gradients), indices (ties, NaN, padding),
the functional forms' gradient nodes with gradcheck and gradgradcheck, and errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import ember
from tests.autograd.grad_oracle import GradTable
from tests.nn.module_oracle import assert_same_error, check_module

RNG = np.random.default_rng(0)


def F(L):
    return L.nn.functional


def randn(*shape):
    return RNG.standard_normal(shape)


def ties(*shape, levels=3):
    """Values from a few levels, so that windows hold repeated maxima."""
    return RNG.integers(0, levels, shape).astype(np.float64)


def spatial(dims, batched=True, size=(7, 6, 5)):
    return randn(*((2,) if batched else ()), 3, *size[:dims])


# ---------------------------------------------------------------- layers against torch
MAX_POOLS = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=2, stride=1, dilation=2, ceil_mode=True),
    dict(kernel_size=3, stride=2, ceil_mode=True, return_indices=True),
    dict(kernel_size=(2, 3, 2), stride=(1, 2, 3), padding=(1, 0, 1)),
]


def per_dims(options, dims):
    """``options`` with tuples cut to ``dims`` entries."""
    return {k: v[:dims] if isinstance(v, tuple) else v for k, v in options.items()}


@pytest.mark.parametrize("dims", [1, 2, 3])
@pytest.mark.parametrize("options", MAX_POOLS, ids=str)
@pytest.mark.parametrize("batched", [True, False])
def test_max_pool_layer(dims, options, batched):
    check_module(lambda nn: getattr(nn, f"MaxPool{dims}d")(**per_dims(options, dims)),
                 spatial(dims, batched))


AVG_POOLS = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=3, stride=2, padding=1, count_include_pad=False, ceil_mode=True),
    dict(kernel_size=2, stride=3, padding=1, ceil_mode=True),
    dict(kernel_size=(2, 3, 2), stride=(1, 2, 3), padding=(1, 1, 0), divisor_override=5),
]


@pytest.mark.parametrize("dims", [1, 2, 3])
@pytest.mark.parametrize("options", AVG_POOLS, ids=str)
@pytest.mark.parametrize("batched", [True, False])
def test_avg_pool_layer(dims, options, batched):
    options = per_dims(options, dims)
    if dims == 1:
        options.pop("divisor_override", None)
    check_module(lambda nn: getattr(nn, f"AvgPool{dims}d")(**options), spatial(dims, batched))


@pytest.mark.parametrize("dims", [1, 2, 3])
@pytest.mark.parametrize("kind", ["Avg", "Max"])
@pytest.mark.parametrize("output_size", [1, 3, 4, (2, None, 3), (5, 2, 4)], ids=str)
@pytest.mark.parametrize("batched", [True, False])
def test_adaptive_pool_layer(dims, kind, output_size, batched):
    if isinstance(output_size, tuple):
        output_size = output_size[:dims] if dims > 1 else output_size[0]
        if output_size is None:
            return
    options = {"return_indices": True} if kind == "Max" and batched else {}
    check_module(lambda nn: getattr(nn, f"Adaptive{kind}Pool{dims}d")(output_size, **options),
                 spatial(dims, batched))


# sizes that max pooling covers whole, so that the default output size holds every index
UNPOOLS = [(dict(kernel_size=2), (6, 4, 4)),
           (dict(kernel_size=3, stride=2, padding=1), (5, 5, 3))]


@pytest.mark.parametrize("dims", [1, 2, 3])
@pytest.mark.parametrize("options, size", UNPOOLS, ids=str)
@pytest.mark.parametrize("output_size", [False, True])
def test_max_unpool_layer(dims, options, size, output_size):
    def forward(module, x):
        lib = torch if isinstance(module, torch.nn.Module) else ember
        pool = getattr(F(lib), f"max_pool{dims}d")
        values, indices = pool(x, **options, return_indices=True)
        size = x.shape[-dims:] if output_size else None
        return module(values, indices, size)

    check_module(lambda nn: getattr(nn, f"MaxUnpool{dims}d")(**options),
                 spatial(dims, size=size), forward=forward)


@pytest.mark.parametrize("dims", [1, 2, 3])
@pytest.mark.parametrize("options", [dict(norm_type=2, kernel_size=2),
                                     dict(norm_type=1.5, kernel_size=3, stride=2,
                                          ceil_mode=True),
                                     dict(norm_type=math.inf, kernel_size=2, stride=1)],
                         ids=str)
def test_lp_pool_layer(dims, options):
    check_module(lambda nn: getattr(nn, f"LPPool{dims}d")(**options),
                 np.abs(spatial(dims)) + 0.5, dtype="float64")


FRACTIONALS = [(2, dict(kernel_size=2, output_size=4), (7, 9)),
               (2, dict(kernel_size=(2, 3), output_ratio=(0.5, 0.6)), (8, 9)),
               (3, dict(kernel_size=2, output_size=(3, 2, 4)), (5, 4, 6)),
               (3, dict(kernel_size=(1, 2, 3), output_ratio=0.5, return_indices=True),
                (4, 6, 8))]


@pytest.mark.parametrize("dims, options, size", FRACTIONALS, ids=str)
@pytest.mark.parametrize("batched", [True, False])
def test_fractional_max_pool_layer(dims, options, size, batched):
    """The windows' starts come from ``rand``, whose numbers are torch's after a seed."""
    check_module(lambda nn: getattr(nn, f"FractionalMaxPool{dims}d")(**options),
                 randn(*((2,) if batched else ()), 3, *size))


def test_fractional_ties_and_given_samples():
    samples = RNG.random((2, 3, 3))
    assert_same(*both(lambda L, x: F(L).fractional_max_pool2d(
        x, (2, 3), (4, 3), return_indices=True,
        _random_samples=L.tensor(samples[..., :2], dtype=x.dtype)), ties(2, 3, 7, 9)))
    assert_same(*both(lambda L, x: F(L).fractional_max_pool3d(
        x, 2, output_ratio=(0.6, 0.5, 0.5), return_indices=True,
        _random_samples=L.tensor(samples, dtype=x.dtype)), ties(2, 3, 5, 6, 7)))


def test_reprs():
    for make in (lambda nn: nn.MaxPool2d((2, 3), 1, 1, 2, True, True),
                 lambda nn: nn.AvgPool1d(3, 2, 1, True, False),
                 lambda nn: nn.AvgPool2d((2, 3), 1, 1, True, False, 3),
                 lambda nn: nn.AdaptiveAvgPool2d((3, None)),
                 lambda nn: nn.AdaptiveMaxPool3d((2, 3, None), True),
                 lambda nn: nn.MaxUnpool2d((2, 3), 1, 1), lambda nn: nn.MaxUnpool1d(2),
                 lambda nn: nn.LPPool2d(1.5, (2, 3), 1, True),
                 lambda nn: nn.FractionalMaxPool2d(3, output_ratio=0.5),
                 lambda nn: nn.FractionalMaxPool3d(2, (3, 4, 5), return_indices=True)):
        assert repr(make(ember.nn)) == repr(make(torch.nn))


# ---------------------------------------------------------------- indices exactly as torch's
def assert_same(ours, theirs):
    for a, b in zip(ours, theirs):
        assert str(a.dtype).rsplit(".")[-1] == str(b.dtype).rsplit(".")[-1]
        np.testing.assert_array_equal(a.detach().double().numpy(), b.detach().double().numpy())


def both(function, array, dtype="float32"):
    return [function(lib, lib.tensor(array, dtype=getattr(lib, dtype))) for lib in (ember, torch)]


@pytest.mark.parametrize("dims", [1, 2, 3])
@pytest.mark.parametrize("options", MAX_POOLS, ids=str)
def test_max_pool_ties(dims, options):
    options = {**per_dims(options, dims), "return_indices": True}
    ours, theirs = both(lambda L, x: getattr(F(L), f"max_pool{dims}d")(x, **options),
                        ties(2, 3, *(7, 6, 5)[:dims]))
    assert_same(ours, theirs)


@pytest.mark.parametrize("dims", [1, 2, 3])
@pytest.mark.parametrize("output_size", [2, 3, 5, 9])
def test_adaptive_max_pool_ties(dims, output_size):
    ours, theirs = both(lambda L, x: getattr(F(L), f"adaptive_max_pool{dims}d")(
        x, output_size, return_indices=True), ties(2, 3, *(7, 6, 5)[:dims]))
    assert_same(ours, theirs)


def test_nan_and_lowest_picks():
    nan, inf = math.nan, math.inf
    row = np.array([[[1.0, nan, 3.0, nan, 2.0, 5.0, nan, nan, -inf]]])
    for function in (lambda L, x: F(L).max_pool1d(x, 4, return_indices=True, ceil_mode=True),
                     lambda L, x: F(L).max_pool1d(x, 3, 1, 1, return_indices=True),
                     lambda L, x: F(L).adaptive_max_pool1d(x, 4, return_indices=True)):
        assert_same(*both(function, row))
    lowest = np.full((1, 1, 3, 3), -inf)
    assert_same(*both(lambda L, x: F(L).max_pool2d(x, 2, 1, 1, return_indices=True), lowest))
    assert_same(*both(lambda L, x: F(L).max_pool2d(x, 3, 2, 1, 2, return_indices=True),
                      np.full((1, 1, 5, 5), -inf)))


def test_non_finite_averages_stay_in_their_windows():
    row = np.array([[[1.0, math.inf, 3.0, 2.0, math.nan, 5.0, 1.0, -math.inf, 2.0]]])
    for function in (lambda L, x: [F(L).avg_pool1d(x, 3, 2, 1)],
                     lambda L, x: [F(L).adaptive_avg_pool1d(x, 4)],
                     lambda L, x: [F(L).avg_pool2d(x, (1, 2), ceil_mode=True)]):
        assert_same(*both(function, row))


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "float16", "bfloat16"])
def test_max_pool_dtypes(dtype):
    assert_same(*both(lambda L, x: F(L).max_pool2d(x, 3, 2, 1, return_indices=True),
                      ties(2, 3, 6, 5, levels=5), dtype))


@pytest.mark.parametrize("options", [dict(), dict(divisor_override=3),
                                     dict(padding=1, ceil_mode=True)], ids=str)
def test_avg_pool_integers_truncate(options):
    values = np.array([[[[1, 2, 0], [4, 8, -30]]]])
    assert_same(*both(lambda L, x: [F(L).avg_pool2d(x, 2, **options)], values, "int64"))


SPECIAL = [
    ("transposed", lambda L, x: F(L).max_pool2d(x.transpose(-1, -2), 2, return_indices=True),
     (2, 3, 6, 5)),
    ("strided avg", lambda L, x: F(L).avg_pool2d(x.transpose(-1, -2)[..., ::2], 2, 1, 1),
     (2, 3, 6, 5)),
    ("strided adaptive", lambda L, x: F(L).adaptive_max_pool2d(x[:, ::2], 4, True),
     (2, 3, 6, 5)),
    ("empty batch max", lambda L, x: F(L).max_pool2d(x, 2), (0, 3, 4, 4)),
    ("empty batch avg", lambda L, x: F(L).avg_pool2d(x, 2), (0, 3, 4, 4)),
    ("empty batch adaptive", lambda L, x: F(L).adaptive_avg_pool2d(x, 3), (0, 3, 4, 4)),
]


@pytest.mark.parametrize("name, function, shape", SPECIAL, ids=[s[0] for s in SPECIAL])
def test_special_inputs(name, function, shape):
    """Non-contiguous and empty inputs: the same values and gradients as torch's."""
    results = []
    array = randn(*shape)
    for L in (torch, ember):
        x = L.tensor(array, requires_grad=True)
        outputs = function(L, x)
        outputs = outputs if isinstance(outputs, tuple) else (outputs,)
        outputs[0].backward(L.ones_like(outputs[0]))
        results.append([*outputs, x.grad])
    for ours, theirs in zip(*results[::-1]):  # sums may round in another order
        assert ours.dtype == getattr(ember, str(theirs.dtype).rsplit(".")[-1])
        np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-12)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("function", [lambda L, x: F(L).avg_pool2d(x, 3, 2, 1),
                                      lambda L, x: F(L).adaptive_avg_pool2d(x, 4)])
def test_average_half_types(dtype, function):
    ours, theirs = both(lambda L, x: [function(L, x)], spatial(2), dtype)
    np.testing.assert_allclose(ours[0].double().numpy(), theirs[0].double().numpy(), rtol=1e-2)


def test_third_derivative():
    """Max pooling's gradient is a scatter whose gradient gathers: any order works."""
    array = spaced(1, 2, 4, 4)
    for L in (torch, ember):
        x = L.tensor(array, requires_grad=True)
        first, = L.autograd.grad((F(L).max_pool2d(x, 2) ** 3).sum(), x, create_graph=True)
        second, = L.autograd.grad(first.sum(), x, create_graph=True)
        third, = L.autograd.grad(second.sum(), x)
        assert third.sum().item() == pytest.approx(6.0 * 8)


def test_top_level_forms():
    x = ties(2, 3, 9)
    for function in (lambda L, t: L.max_pool1d_with_indices(t, 3, 2, 1),
                     lambda L, t: L.adaptive_max_pool1d(t, 4),
                     lambda L, t: [L.max_pool1d(t, 2), L.avg_pool1d(t, 3, 2, 1, True, False),
                                   L.adaptive_avg_pool1d(t, 4)],
                     lambda L, t: [L.max_pool2d(t, 2, 1), L.max_pool3d(t[None], 1)]):
        assert_same(*both(function, x, "float64"))


# ---------------------------------------------------------------- gradients, node names
TABLE = GradTable("nn.functional pooling")
case, v = TABLE.case, TABLE.v


def spaced(*shape):
    """Distinct values (no ties: gradcheck cannot judge a tie) in random order."""
    values = np.linspace(-2.0, 2.0, math.prod(shape))
    return RNG.permutation(values).reshape(shape)


case("max_pool1d", lambda L, x: F(L).max_pool1d(x, 2, 1, 1), spaced(2, 5))
case("max_pool1d_indices", lambda L, x: F(L).max_pool1d(x, 3, 2, 1, 1, True, True),
     spaced(1, 2, 6))
case("max_pool2d", lambda L, x: F(L).max_pool2d(x, 2), spaced(1, 2, 4, 4))
case("max_pool2d_overlap", lambda L, x: F(L).max_pool2d(x, 3, 1, 1, ceil_mode=True),
     spaced(2, 4, 3))
case("max_pool2d_dilation", lambda L, x: F(L).max_pool2d(x, 2, 2, 1, 2, True),
     spaced(1, 1, 5, 5))
case("max_pool3d", lambda L, x: F(L).max_pool3d(x, 2, 1, 1), spaced(1, 1, 3, 3, 2))
case("avg_pool1d", lambda L, x: F(L).avg_pool1d(x, 3, 2, 1, True, False), v(2, 6))
case("avg_pool2d", lambda L, x: F(L).avg_pool2d(x, 3, 2, 1, True), v(1, 2, 5, 4))
case("avg_pool2d_divisor", lambda L, x: F(L).avg_pool2d(x, 2, 1, 1, divisor_override=3),
     v(2, 3, 3))
case("avg_pool3d", lambda L, x: F(L).avg_pool3d(x, 2, 1, 1, False, False), v(1, 1, 3, 2, 3))
case("adaptive_avg_pool1d", lambda L, x: F(L).adaptive_avg_pool1d(x, 3), v(2, 7))
case("adaptive_avg_pool2d", lambda L, x: F(L).adaptive_avg_pool2d(x, (3, 2)), v(1, 2, 5, 3))
case("adaptive_avg_pool2d_global", lambda L, x: F(L).adaptive_avg_pool2d(x, 1), v(2, 3, 3))
case("adaptive_avg_pool3d", lambda L, x: F(L).adaptive_avg_pool3d(x, (2, 3, 1)),
     v(1, 3, 3, 4))
case("adaptive_max_pool1d", lambda L, x: F(L).adaptive_max_pool1d(x, 3, True), spaced(2, 7))
case("adaptive_max_pool2d", lambda L, x: F(L).adaptive_max_pool2d(x, (4, 2)),
     spaced(1, 2, 3, 5))
case("adaptive_max_pool3d", lambda L, x: F(L).adaptive_max_pool3d(x, 2), spaced(1, 3, 3, 4))
case("max_unpool2d", lambda L, x: F(L).max_unpool2d(
    *F(L).max_pool2d(x, 2, return_indices=True), 2), spaced(1, 2, 4, 4))
case("max_unpool1d", lambda L, x: F(L).max_unpool1d(
    *F(L).max_pool1d(x, 2, return_indices=True), 2, output_size=(7,)), spaced(2, 6))
case("max_unpool3d", lambda L, x: F(L).max_unpool3d(
    *F(L).max_pool3d(x, 2, return_indices=True), 2), spaced(1, 2, 2, 4))
case("fractional_max_pool2d", lambda L, x: F(L).fractional_max_pool2d(
    x, 2, 3, _random_samples=L.tensor([[[0.3, 0.8], [0.6, 0.1]]], dtype=x.dtype)),
     spaced(1, 2, 5, 4))
case("fractional_max_pool3d", lambda L, x: F(L).fractional_max_pool3d(
    x, (1, 2, 2), 2, _random_samples=L.tensor([[[0.3, 0.8, 0.5]]], dtype=x.dtype)),
     spaced(1, 3, 4, 4))
case("lp_pool2d", lambda L, x: F(L).lp_pool2d(x.abs() + 0.5, 2, 2, 1), v(1, 3, 3))
case("lp_pool1d", lambda L, x: F(L).lp_pool1d(x.abs() + 0.5, 1.5, 2), v(2, 4))
case("lp_pool3d", lambda L, x: F(L).lp_pool3d(x.abs() + 0.5, 3, 2), v(1, 2, 2, 2))

test_matches_torch, test_gradcheck, test_gradgradcheck = TABLE.tests()


# ---------------------------------------------------------------- errors
X4 = (2, 3, 4, 4)
ERRORS = [
    ("max rank", lambda L: F(L).max_pool2d(L.ones(4, 4), 2)),
    ("max pad", lambda L: F(L).max_pool2d(L.ones(X4), 2, padding=2)),
    ("max pad dilated", lambda L: F(L).max_pool2d(L.ones(X4), 3, padding=2, dilation=2)),
    ("max too small", lambda L: F(L).max_pool2d(L.ones(X4), 5)),
    ("max kernel zero", lambda L: F(L).max_pool2d(L.ones(X4), 0, 1)),
    ("max stride zero", lambda L: F(L).max_pool2d(L.ones(X4), 2, 0)),
    ("max stride negative", lambda L: F(L).max_pool2d(L.ones(X4), 2, -1)),
    ("max dilation", lambda L: F(L).max_pool2d(L.ones(X4), 2, dilation=0)),
    ("max pad negative", lambda L: F(L).max_pool2d(L.ones(X4), 2, padding=-1)),
    ("max kernel tuple", lambda L: F(L).max_pool2d(L.ones(X4), (2, 2, 2))),
    ("max stride tuple", lambda L: F(L).max_pool2d(L.ones(X4), 2, (1, 1, 1))),
    ("max empty channels", lambda L: F(L).max_pool2d(L.ones(2, 0, 4, 4), 2)),
    ("max3d rank", lambda L: F(L).max_pool3d(L.ones(2, 4, 4), 2)),
    ("max3d too small", lambda L: F(L).max_pool3d(L.ones(1, 2, 2, 4, 4), 3)),
    ("max1d rank", lambda L: F(L).max_pool1d(L.ones(4), 2)),
    ("max1d too small", lambda L: F(L).max_pool1d(L.ones(1, 2, 3), 5)),
    ("max1d pad", lambda L: F(L).max_pool1d(L.ones(1, 2, 4), 2, padding=2)),
    ("max1d pad indices", lambda L: F(L).max_pool1d(L.ones(1, 2, 4), 2, padding=2,
                                                    return_indices=True)),
    ("max1d kernel", lambda L: F(L).max_pool1d(L.ones(1, 2, 4), (2, 2))),
    ("max1d kernel zero", lambda L: F(L).max_pool1d(L.ones(1, 2, 4), 0)),
    ("avg rank", lambda L: F(L).avg_pool2d(L.ones(4, 4), 2)),
    ("avg too small", lambda L: F(L).avg_pool2d(L.ones(X4), 5)),
    ("avg pad", lambda L: F(L).avg_pool2d(L.ones(X4), 2, padding=2)),
    ("avg divisor", lambda L: F(L).avg_pool2d(L.ones(X4), 2, divisor_override=0)),
    ("avg kernel tuple", lambda L: F(L).avg_pool2d(L.ones(X4), (2, 2, 2))),
    ("avg int32", lambda L: F(L).avg_pool2d(L.ones(X4, dtype=L.int32), 2)),
    ("avg1d rank", lambda L: F(L).avg_pool1d(L.ones(4), 2)),
    ("avg1d kernel", lambda L: F(L).avg_pool1d(L.ones(1, 2, 4), (2, 2))),
    ("avg1d too small", lambda L: F(L).avg_pool1d(L.ones(1, 2, 3), 5)),
    ("avg3d rank", lambda L: F(L).avg_pool3d(L.ones(2, 4, 4), 2)),
    ("avg3d kernel", lambda L: F(L).avg_pool3d(L.ones(1, 1, 6, 3, 4), (1, 4, 4), 1, (0, 2, 1))),
    ("adaptive avg rank", lambda L: F(L).adaptive_avg_pool2d(L.ones(4, 4), 2)),
    ("adaptive avg empty", lambda L: F(L).adaptive_avg_pool2d(L.ones(1, 2, 0, 4), 2)),
    ("adaptive avg size", lambda L: F(L).adaptive_avg_pool2d(L.ones(X4), (2, 2, 2))),
    ("adaptive avg negative", lambda L: F(L).adaptive_avg_pool2d(L.ones(X4), -1)),
    ("adaptive avg 3d negative", lambda L: F(L).adaptive_avg_pool3d(L.ones(1, 2, 2, 2), -1)),
    ("adaptive avg1d rank", lambda L: F(L).adaptive_avg_pool1d(L.ones(4), 2)),
    ("adaptive avg1d size", lambda L: F(L).adaptive_avg_pool1d(L.ones(2, 4), (2, 2))),
    ("adaptive avg long", lambda L: F(L).adaptive_avg_pool2d(L.ones(X4, dtype=L.int64), 2)),
    ("adaptive max rank", lambda L: F(L).adaptive_max_pool2d(L.ones(4, 4), 2)),
    ("adaptive max size", lambda L: F(L).adaptive_max_pool3d(L.ones(1, 2, 2, 2), (1, 1))),
    ("adaptive max negative", lambda L: F(L).adaptive_max_pool2d(L.ones(X4), -1)),
    ("adaptive max long", lambda L: F(L).adaptive_max_pool2d(L.ones(X4, dtype=L.int64), 2)),
    ("fractional no size", lambda L: F(L).fractional_max_pool2d(L.ones(X4), 2)),
    ("fractional too large", lambda L: F(L).fractional_max_pool2d(L.ones(X4), 2, 4)),
    ("fractional 3d too large", lambda L: F(L).fractional_max_pool3d(L.ones(1, 1, 4, 5, 5),
                                                                     2, (3, 2, 2))),
    ("fractional kernel", lambda L: F(L).fractional_max_pool2d(L.ones(X4), (2, 2, 2), 2)),
    ("fractional ratio", lambda L: F(L).fractional_max_pool2d(L.ones(X4), 2,
                                                              output_ratio=(0.5,) * 3)),
    ("fractional samples", lambda L: F(L).fractional_max_pool2d(
        L.ones(X4), 2, 2, _random_samples=L.ones(1, 3, 2))),
    ("fractional sample count", lambda L: F(L).fractional_max_pool2d(
        L.ones(X4), 2, 2, _random_samples=L.ones(2, 3, 3))),
    ("fractional layer ratio", lambda L: L.nn.FractionalMaxPool2d(2, output_ratio=1.5)),
    ("fractional layer both", lambda L: L.nn.FractionalMaxPool3d(2, 3, 0.5)),
    ("fractional layer kernel", lambda L: L.nn.FractionalMaxPool3d(0, 3)),
    ("unpool size", lambda L: F(L).max_unpool2d(*F(L).max_pool2d(
        L.ones(X4), 2, return_indices=True), 2, output_size=(9, 9))),
    ("unpool size length", lambda L: F(L).max_unpool2d(*F(L).max_pool2d(
        L.ones(X4), 2, return_indices=True), 2, output_size=(1, 2, 3))),
    ("unpool index dtype", lambda L: F(L).max_unpool2d(L.ones(1, 2, 2), L.ones(1, 2, 2), 2)),
    ("unpool shapes", lambda L: F(L).max_unpool2d(L.ones(1, 2, 2), L.zeros(
        1, 1, 2, dtype=L.int64), 2)),
    ("unpool index range", lambda L: F(L).max_unpool2d(L.ones(1, 2, 2), L.full(
        (1, 2, 2), 16, dtype=L.int64), 2)),
    ("unpool1d index range", lambda L: F(L).max_unpool1d(L.ones(1, 2), L.full(
        (1, 2), 5, dtype=L.int64), 2)),
    ("unpool rank", lambda L: F(L).max_unpool3d(L.ones(2, 2, 2), L.zeros(
        2, 2, 2, dtype=L.int64), 2)),
]


@pytest.mark.parametrize("name, function", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors(name, function):
    assert_same_error(function)
