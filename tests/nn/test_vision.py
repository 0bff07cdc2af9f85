"""Resampling against torch: ``interpolate`` in every mode, the pixel and channel shuffles,
``grid_sample`` and ``affine_grid`` (values, ``grad_fn`` names, gradients, float64
gradcheck and gradgradcheck, errors, warnings) and their layers."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

import ember
from ember.nn._functional import pooling as ember_pooling
from ember.nn._functional import vision
from tests.autograd.grad_oracle import GradTable
from tests.nn.module_oracle import assert_same_error, check_module

TABLE = GradTable("nn.vision")
case, v, p = TABLE.case, TABLE.v, TABLE.p


def F(L):
    return L.nn.functional


def interpolate(**options):
    return lambda L, x: F(L).interpolate(x, **options)


# ---------------------------------------------------------------- interpolate
case("nearest_1d", interpolate(scale_factor=1.7), v(1, 2, 3))
case("nearest_2d", interpolate(size=(5, 2)), v(1, 2, 3, 4))
case("nearest_3d", interpolate(scale_factor=(2, 0.5, 1.5)), v(1, 1, 2, 4, 2))
case("nearest_exact_1d", interpolate(size=5, mode="nearest-exact"), v(1, 2, 3))
case("nearest_exact_2d", interpolate(scale_factor=0.6, mode="nearest-exact"), v(1, 2, 5, 4))
case("nearest_exact_3d", interpolate(size=(3, 1, 2), mode="nearest-exact"), v(1, 1, 2, 2, 3))
for align in (False, True):
    case(f"linear_{align}", interpolate(size=5, mode="linear", align_corners=align),
         v(1, 2, 3))
    case(f"bilinear_{align}", interpolate(scale_factor=1.5, mode="bilinear",
                                          align_corners=align), v(1, 2, 3, 2))
    case(f"bilinear_down_{align}", interpolate(size=(2, 3), mode="bilinear",
                                               align_corners=align), v(1, 1, 5, 4))
    case(f"bicubic_{align}", interpolate(scale_factor=(1.4, 0.7), mode="bicubic",
                                         align_corners=align), v(1, 2, 3, 4))
    case(f"trilinear_{align}", interpolate(size=(3, 2, 3), mode="trilinear",
                                           align_corners=align), v(1, 1, 2, 3, 2))
    case(f"bilinear_antialias_{align}", interpolate(scale_factor=0.4, mode="bilinear",
                                                    antialias=True, align_corners=align),
         v(1, 2, 5, 6))
    case(f"bicubic_antialias_{align}", interpolate(size=(2, 5), mode="bicubic",
                                                   antialias=True, align_corners=align),
         v(1, 1, 6, 3))
case("lanczos", interpolate(scale_factor=(0.5, 1.5), mode="lanczos", antialias=True),
     v(1, 1, 7, 3))
case("bilinear_recompute", interpolate(scale_factor=1.7, mode="bilinear",
                                       recompute_scale_factor=True), v(1, 1, 3, 3))
case("upsample_bilinear", lambda L, x: F(L).interpolate(x, scale_factor=2, mode="bilinear",
                                                        align_corners=True), v(2, 1, 2, 2))

# ---------------------------------------------------------------- shuffles
case("pixel_shuffle", lambda L, x: F(L).pixel_shuffle(x, 2), v(1, 8, 2, 3))
case("pixel_shuffle_5d", lambda L, x: F(L).pixel_shuffle(x, 3), v(2, 1, 9, 1, 2))
case("pixel_unshuffle", lambda L, x: F(L).pixel_unshuffle(x, 2), v(1, 2, 4, 2))
case("channel_shuffle", lambda L, x: F(L).channel_shuffle(x, 2), v(2, 6, 3))
case("channel_shuffle_4d", lambda L, x: F(L).channel_shuffle(x, 3), v(1, 6, 2, 2))

# ---------------------------------------------------------------- grid_sample, affine_grid
for mode, padding, align in itertools.product(("bilinear", "nearest", "bicubic"),
                                              ("zeros", "border", "reflection"), (False, True)):
    case(f"grid_sample_{mode}_{padding}_{align}",
         lambda L, x, g, mode=mode, padding=padding, align=align: F(L).grid_sample(
             x, g * 0.8, mode=mode, padding_mode=padding, align_corners=align),
         v(1, 2, 3, 3), v(1, 2, 2, 2))
for mode, padding in (("bilinear", "zeros"), ("bilinear", "reflection"), ("nearest", "border")):
    case(f"grid_sample_3d_{mode}_{padding}",
         lambda L, x, g, mode=mode, padding=padding: F(L).grid_sample(
             x, g * 0.8, mode=mode, padding_mode=padding, align_corners=False),
         v(1, 1, 2, 2, 3), v(1, 1, 2, 2, 3))
case("grid_sample_input_only", lambda L, x, g: F(L).grid_sample(x, g, align_corners=True),
     v(2, 1, 2, 3), v(2, 3, 1, 2), requires_grad=(0,))
for align in (False, True):
    case(f"affine_grid_{align}", lambda L, t, align=align: F(L).affine_grid(
        t, (2, 3, 2, 3), align_corners=align), v(2, 2, 3))
    case(f"affine_grid_3d_{align}", lambda L, t, align=align: F(L).affine_grid(
        t, (1, 1, 2, 3, 2), align_corners=align), v(1, 3, 4))
case("affine_grid_then_sample",
     lambda L, x, t: F(L).grid_sample(x, F(L).affine_grid(t, (1, 2, 3, 2), align_corners=False),
                                      align_corners=False),
     v(1, 2, 3, 4), v(1, 2, 3, low=0.2, high=0.9))

test_matches_torch, test_gradcheck, test_gradgradcheck = TABLE.tests()


# ---------------------------------------------------------------- values
def compare(array, function, *args, dtype="float32", exact=False, **options):
    """``F.function(x, *args, **options)`` in both libraries: same shape, dtype and values."""
    expected = getattr(F(torch), function)(torch.tensor(array, dtype=getattr(torch, dtype)),
                                           *args, **options)
    actual = getattr(F(ember), function)(ember.tensor(array, dtype=getattr(ember, dtype)),
                                         *args, **options)
    assert str(actual.dtype) == str(expected.dtype)
    assert tuple(actual.shape) == tuple(expected.shape)
    tolerance = {"rtol": 0, "atol": 0} if exact else {"rtol": 1e-5, "atol": 1e-5}
    np.testing.assert_allclose(actual.float().numpy(), expected.float().numpy(), **tolerance)


MODES = {3: ("nearest", "nearest-exact", "linear"),
         4: ("nearest", "nearest-exact", "bilinear", "bicubic"),
         5: ("nearest", "nearest-exact", "trilinear")}
SIZES = [{"scale_factor": 2}, {"scale_factor": 0.5}, {"scale_factor": 1.7},
         {"scale_factor": 1.3}, {"scale_factor": 2.9999},
         {"scale_factor": 0.6, "recompute_scale_factor": True},
         {"scale_factor": 1.3, "recompute_scale_factor": False},
         {"scale_factor": 1 / 3, "recompute_scale_factor": True}, {"size": 7}, {"size": 1}]
SPATIAL = {3: (5,), 4: (3, 7), 5: (3, 4, 5)}


@pytest.mark.parametrize("ndim, mode", [(n, m) for n, modes in MODES.items() for m in modes])
def test_interpolate_values(ndim, mode):
    """Odd sizes, up and down, integer and fractional scales, with and without recomputing
    the scale from the output size; the nearest modes pick exactly torch's pixels."""
    array = np.random.default_rng(ndim).standard_normal((2, 2, *SPATIAL[ndim]))
    aligns = (None,) if mode.startswith("nearest") else (False, True)
    for options, align, dtype in itertools.product(SIZES, aligns, ("float32", "float64")):
        compare(array, "interpolate", dtype=dtype, exact=mode.startswith("nearest"), mode=mode,
                align_corners=align, **options)


@pytest.mark.parametrize("mode", ["bilinear", "bicubic", "lanczos"])
def test_antialias_values(mode):
    array = np.random.default_rng(1).standard_normal((1, 2, 16, 9))
    for options in ({"scale_factor": 0.3}, {"scale_factor": (0.35, 2.5)}, {"size": (5, 4)},
                    {"scale_factor": 1.7}, {"size": (1, 1)}):
        for align in (False, True) if mode != "lanczos" else (False,):
            compare(array, "interpolate", mode=mode, antialias=True, align_corners=align,
                    **options)


ROUNDING = [(2, {"size": 41}), (2, {"size": 141}), (3, {"size": 61}), (29, {"size": 58}),
            (7, {"scale_factor": 20.5}), (3, {"scale_factor": 20.5}),
            (10, {"scale_factor": 41 / 3}), (130, {"scale_factor": 1.005}),
            (100, {"scale_factor": 1.003}), (13, {"size": 17})]


@pytest.mark.parametrize("ndim", [3, 4, 5])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_nearest_index_rounding(ndim, dtype):
    """Where float32 source positions land next to an integer, and where torch's small 2-d
    kernel and its generic one disagree: torch's choice of pixel in each."""
    for width, options in ROUNDING:
        array = np.arange(float(width)).reshape(1, 1, *(1,) * (ndim - 3), width)
        if "size" in options:
            options = {"size": (*(1,) * (ndim - 3), options["size"])}
        else:
            options = {"scale_factor": (*(1.0,) * (ndim - 3), options["scale_factor"])}
        for mode in ("nearest", "nearest-exact"):
            compare(array, "interpolate", dtype=dtype, exact=True, mode=mode, **options)
    # the 2-d kernel's rule depends on height + width of the output
    for height, width in ((100, 28), (100, 29), (2, 127)):
        array = np.broadcast_to(np.arange(float(height))[:, None], (1, 1, height, width))
        compare(array, "interpolate", dtype=dtype, exact=True, scale_factor=(1.003, 1.0))


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_interpolate_half_dtypes(dtype):
    array = np.random.default_rng(2).uniform(0, 200, (1, 2, 3, 4)).round()
    compare(array, "interpolate", dtype=dtype, exact=True, scale_factor=1.5)
    compare(array, "interpolate", dtype=dtype, size=(5, 2), mode="bilinear")


UINT8 = [{"mode": "nearest", "scale_factor": 1.5}, {"mode": "nearest-exact", "size": (5, 2)},
         {"mode": "bilinear", "size": (7, 3)}, {"mode": "bilinear", "scale_factor": 0.6,
                                                "align_corners": True},
         {"mode": "bicubic", "scale_factor": (1.7, 0.8)},
         {"mode": "bicubic", "size": (4, 9), "align_corners": True},
         {"mode": "bilinear", "scale_factor": 0.3, "antialias": True},
         {"mode": "bicubic", "size": (5, 17), "antialias": True},
         {"mode": "lanczos", "scale_factor": (0.4, 1.3), "antialias": True}]


@pytest.mark.parametrize("options", UINT8, ids=lambda o: "-".join(map(str, o.values())))
def test_interpolate_uint8(options):
    """torch's integer arithmetic for images: weights scaled to int16, each pass rounded."""
    array = np.random.default_rng(6).integers(0, 256, (2, 3, 11, 13))
    compare(array, "interpolate", dtype="uint8", exact=True, **options)
    compare(array[:, :, :4], "interpolate", dtype="uint8", exact=True, **options)


LONG = [{"mode": "bilinear", "scale_factor": 1.5}, {"mode": "bicubic", "size": (4, 421),
                                                    "align_corners": True},
        {"mode": "bilinear", "scale_factor": (1, 0.1), "antialias": True},
        {"mode": "lanczos", "size": (2, 77), "antialias": True}]


@pytest.mark.parametrize("options", LONG, ids=lambda o: "-".join(map(str, o.values())))
def test_long_dimensions(options):
    """Along dimensions longer than a dense matrix pays for, the taps are gathered: values
    and gradients as torch's, float32 positions rounded as its fused kernels round them."""
    array = np.random.default_rng(7).standard_normal((1, 2, 3, 700))
    grad = None
    results = []
    for L in (torch, ember):
        x = L.tensor(array, dtype=L.float32, requires_grad=True)
        out = F(L).interpolate(x, **options)
        if grad is None:
            grad = np.random.default_rng(8).standard_normal(tuple(out.shape))
        out.backward(L.tensor(grad, dtype=L.float32))
        results.append((out.detach().numpy(), x.grad.numpy(), out.grad_fn.name()))
    (mine, my_grad, my_node), (theirs, their_grad, their_node) = results[1], results[0]
    assert my_node == their_node
    np.testing.assert_allclose(mine, theirs, rtol=1e-5, atol=2e-6)
    np.testing.assert_allclose(my_grad, their_grad, rtol=1e-5, atol=2e-6)


SHORT = [{"mode": "bilinear", "scale_factor": 1.5}, {"mode": "bicubic", "size": (2, 4),
                                                     "align_corners": True},
         {"mode": "bilinear", "scale_factor": (1, 0.5), "antialias": True}]


@pytest.mark.parametrize("options", SHORT, ids=lambda o: "-".join(map(str, o.values())))
def test_gathered_taps_gradgradcheck(options, monkeypatch):
    monkeypatch.setattr(vision, "_DENSE_LIMIT", 0)
    x = ember.tensor(np.random.default_rng(9).standard_normal((1, 1, 3, 5)),
                     requires_grad=True)
    function = lambda t: F(ember).interpolate(t, **options)  # noqa: E731
    assert ember.autograd.gradcheck(function, (x,))
    assert ember.autograd.gradgradcheck(function, (x,))


@pytest.mark.xfail(not hasattr(ember_pooling, "adaptive_avg_pool2d"), strict=True,
                   reason="area interpolation is adaptive_avg_pool*d, not in ember yet")
@pytest.mark.parametrize("ndim", [3, 4, 5])
def test_area(ndim):
    array = np.random.default_rng(3).standard_normal((1, 2, *SPATIAL[ndim]))
    compare(array, "interpolate", scale_factor=0.6, mode="area")
    compare(array, "interpolate", size=2, mode="area")


def test_empty_batch():
    for mode in ("nearest", "bilinear", "bicubic"):
        compare(np.zeros((0, 2, 3, 3)), "interpolate", scale_factor=2, mode=mode)
    compare(np.zeros((0, 8, 2, 2)), "pixel_shuffle", 2)
    for image, points in (((0, 2, 3, 3), (0, 2, 2, 2)), ((1, 0, 3, 3), (1, 2, 2, 2)),
                          ((2, 1, 3, 3), (2, 0, 2, 2))):
        for mode in ("bilinear", "bicubic"):
            results = []
            for L in (torch, ember):
                x = L.ones(image, dtype=L.float64, requires_grad=True)
                g = L.zeros(points, dtype=L.float64, requires_grad=True)
                out = F(L).grid_sample(x, g, mode=mode, align_corners=False)
                out.sum().backward()
                results.append((tuple(out.shape), tuple(x.grad.shape), tuple(g.grad.shape)))
            assert results[0] == results[1]


@pytest.mark.parametrize("mode", ["bilinear", "nearest", "bicubic"])
@pytest.mark.parametrize("padding", ["zeros", "border", "reflection"])
def test_grid_sample_far_outside(mode, padding):
    """Points well outside the input, where reflection folds several times."""
    rng = np.random.default_rng(4)
    image, grid = rng.standard_normal((2, 3, 4, 5)), rng.uniform(-4, 4, (2, 3, 6, 2))
    for align in (False, True):
        expected = F(torch).grid_sample(torch.tensor(image), torch.tensor(grid), mode=mode,
                                        padding_mode=padding, align_corners=align)
        actual = F(ember).grid_sample(ember.tensor(image), ember.tensor(grid), mode=mode,
                                      padding_mode=padding, align_corners=align)
        np.testing.assert_allclose(actual.numpy(), expected.numpy(), rtol=1e-10, atol=1e-12)


def test_gradient_nodes():
    x = ember.ones(1, 1, 2, 2, requires_grad=True)
    names = {mode: F(ember).interpolate(x, scale_factor=2, mode=mode).grad_fn.name()
             for mode in ("nearest", "nearest-exact", "bilinear", "bicubic")}
    assert names == {"nearest": "UpsampleNearest2DBackward0",
                     "nearest-exact": "UpsampleNearestExact2DBackward0",
                     "bilinear": "UpsampleBilinear2DBackward0",
                     "bicubic": "UpsampleBicubic2DBackward0"}
    aa = F(ember).interpolate(x, scale_factor=0.5, mode="bilinear", antialias=True)
    assert aa.grad_fn.name() == "UpsampleBilinear2DAaBackward0"


# ---------------------------------------------------------------- errors and warnings
ERRORS = [
    ("too small", lambda L: F(L).interpolate(L.ones(1, 2, 3, 4), scale_factor=0.1)),
    ("zero size", lambda L: F(L).interpolate(L.ones(1, 2, 3, 4), size=(0, 2))),
    ("zero size 1d", lambda L: F(L).interpolate(L.ones(1, 2, 0), scale_factor=2)),
    ("zero size 3d", lambda L: F(L).interpolate(L.ones(1, 2, 0, 2, 2), scale_factor=2)),
    ("negative scale", lambda L: F(L).interpolate(L.ones(1, 2, 3, 4), scale_factor=-1.0)),
    ("negative recompute", lambda L: F(L).interpolate(L.ones(1, 2, 3, 4), scale_factor=-0.5,
                                                      recompute_scale_factor=True)),
    ("no channels", lambda L: F(L).interpolate(L.ones(1, 0, 2, 2), scale_factor=2,
                                               mode="bilinear")),
    ("2d input", lambda L: F(L).interpolate(L.ones(2, 3), scale_factor=2)),
    ("6d input", lambda L: F(L).interpolate(L.ones(1, 1, 1, 1, 1, 1), scale_factor=2)),
    ("unknown mode", lambda L: F(L).interpolate(L.ones(1, 2, 3, 4), scale_factor=2,
                                                mode="cubic")),
    ("nearest align", lambda L: F(L).interpolate(L.ones(1, 2, 3, 4), scale_factor=2,
                                                 align_corners=True)),
    ("area align", lambda L: F(L).interpolate(L.ones(1, 2, 3), size=2, mode="area",
                                              align_corners=False)),
    ("recompute with size", lambda L: F(L).interpolate(L.ones(1, 2, 3, 4), size=(2, 2),
                                                       recompute_scale_factor=True)),
    ("float size", lambda L: F(L).interpolate(L.ones(1, 2, 3, 4), size=(2.0, 2))),
    ("antialias nearest", lambda L: F(L).interpolate(L.ones(1, 2, 3, 4), scale_factor=2,
                                                     antialias=True)),
    ("antialias 3d", lambda L: F(L).interpolate(L.ones(1, 2, 3), scale_factor=2, mode="linear",
                                                antialias=True)),
    ("lanczos align", lambda L: F(L).interpolate(L.ones(1, 2, 3, 4), scale_factor=2,
                                                 mode="lanczos", antialias=True,
                                                 align_corners=True)),
    ("lanczos no antialias", lambda L: F(L).interpolate(L.ones(1, 2, 3, 4), scale_factor=2,
                                                        mode="lanczos")),
    ("lanczos 3d", lambda L: F(L).interpolate(L.ones(1, 2, 3), scale_factor=2,
                                              mode="lanczos")),
    ("scale length", lambda L: F(L).interpolate(L.ones(1, 2, 3, 4), scale_factor=(2,),
                                                mode="bilinear")),
    ("size length", lambda L: F(L).interpolate(L.ones(1, 2, 3, 4), size=(2,))),
    ("neither", lambda L: F(L).interpolate(L.ones(1, 2, 3, 4), mode="bilinear")),
    ("both", lambda L: F(L).interpolate(L.ones(1, 2, 3, 4), size=3, scale_factor=2)),
    ("linear on 4d", lambda L: F(L).interpolate(L.ones(1, 2, 3, 4), scale_factor=2,
                                                mode="linear")),
    ("bilinear on 3d", lambda L: F(L).interpolate(L.ones(1, 2, 3), scale_factor=2,
                                                  mode="bilinear")),
    ("trilinear on 4d", lambda L: F(L).interpolate(L.ones(1, 2, 3, 4), scale_factor=2,
                                                   mode="trilinear")),
    ("bicubic on 5d", lambda L: F(L).interpolate(L.ones(1, 2, 3, 4, 5), scale_factor=2,
                                                 mode="bicubic")),
    ("int bilinear", lambda L: F(L).interpolate(L.ones(1, 2, 3, 4, dtype=L.int64),
                                                scale_factor=2, mode="bilinear")),
    ("int nearest 1d", lambda L: F(L).interpolate(L.ones(1, 2, 3, dtype=L.int32),
                                                  scale_factor=2)),
    ("uint8 linear", lambda L: F(L).interpolate(L.ones(1, 2, 3, dtype=L.uint8),
                                                scale_factor=2, mode="linear")),
    ("uint8 trilinear", lambda L: F(L).interpolate(L.ones(1, 1, 2, 2, 2, dtype=L.uint8),
                                                   scale_factor=2, mode="trilinear")),
    ("int bicubic", lambda L: F(L).interpolate(L.ones(1, 2, 3, 3, dtype=L.int64),
                                               scale_factor=2, mode="bicubic")),
    ("pixel_shuffle rank", lambda L: F(L).pixel_shuffle(L.ones(4, 2), 2)),
    ("pixel_shuffle channels", lambda L: F(L).pixel_shuffle(L.ones(3, 2, 2), 2)),
    ("pixel_shuffle factor", lambda L: F(L).pixel_shuffle(L.ones(4, 2, 2), 0)),
    ("pixel_unshuffle rank", lambda L: F(L).pixel_unshuffle(L.ones(4, 3), 2)),
    ("pixel_unshuffle height", lambda L: F(L).pixel_unshuffle(L.ones(4, 3, 4), 2)),
    ("pixel_unshuffle width", lambda L: F(L).pixel_unshuffle(L.ones(4, 4, 3), 2)),
    ("pixel_unshuffle factor", lambda L: F(L).pixel_unshuffle(L.ones(4, 4, 4), -1)),
    ("channel_shuffle groups", lambda L: F(L).channel_shuffle(L.ones(4, 6, 2), 4)),
    ("channel_shuffle zero", lambda L: F(L).channel_shuffle(L.ones(4, 6, 2), 0)),
    ("channel_shuffle rank", lambda L: F(L).channel_shuffle(L.ones(4, 6), 2)),
    ("grid_sample mode", lambda L: F(L).grid_sample(L.ones(1, 1, 2, 2), L.ones(1, 1, 1, 2),
                                                    mode="linear", align_corners=False)),
    ("grid_sample padding", lambda L: F(L).grid_sample(
        L.ones(1, 1, 2, 2), L.ones(1, 1, 1, 2), padding_mode="wrap", align_corners=False)),
    ("grid_sample batch", lambda L: F(L).grid_sample(L.ones(2, 1, 2, 2), L.ones(1, 1, 1, 2),
                                                     align_corners=False)),
    ("grid_sample last", lambda L: F(L).grid_sample(L.ones(1, 1, 2, 2), L.ones(1, 1, 1, 3),
                                                    align_corners=False)),
    ("grid_sample rank", lambda L: F(L).grid_sample(L.ones(1, 1, 2, 2), L.ones(1, 1, 2),
                                                    align_corners=False)),
    ("grid_sample bicubic 5d", lambda L: F(L).grid_sample(
        L.ones(1, 1, 2, 2, 2), L.ones(1, 1, 1, 1, 3), mode="bicubic", align_corners=False)),
    ("grid_sample dtypes", lambda L: F(L).grid_sample(
        L.ones(1, 1, 2, 2), L.ones(1, 1, 1, 2, dtype=L.float64), align_corners=False)),
    ("grid_sample empty", lambda L: F(L).grid_sample(L.ones(1, 1, 0, 2), L.ones(1, 1, 1, 2),
                                                     align_corners=False)),
    ("grid_sample int", lambda L: F(L).grid_sample(L.ones(1, 1, 2, 2, dtype=L.int64),
                                                   L.ones(1, 1, 1, 2, dtype=L.int64),
                                                   align_corners=False)),
    ("affine_grid int", lambda L: F(L).affine_grid(L.ones(1, 2, 3, dtype=L.int64),
                                                   (1, 1, 2, 2), align_corners=False)),
    ("affine_grid shape", lambda L: F(L).affine_grid(L.ones(2, 3, 3), (2, 3, 4, 5),
                                                     align_corners=False)),
    ("affine_grid 3d shape", lambda L: F(L).affine_grid(L.ones(2, 2, 3), (2, 3, 4, 5, 6),
                                                        align_corners=False)),
    ("affine_grid size", lambda L: F(L).affine_grid(L.ones(2, 2, 3), (2, 3, 4),
                                                    align_corners=False)),
    ("affine_grid empty", lambda L: F(L).affine_grid(L.ones(2, 2, 3), (2, 3, 0, 5),
                                                     align_corners=False)),
    ("affine_grid batch", lambda L: F(L).affine_grid(L.ones(2, 2, 3), (3, 3, 4, 5),
                                                     align_corners=False)),
]


@pytest.mark.parametrize("name, function", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors(name, function):
    assert_same_error(function)


WARNINGS = [
    ("upsample", lambda L, x: F(L).upsample(x, scale_factor=2), "upsample` is deprecated"),
    ("upsample_nearest", lambda L, x: F(L).upsample_nearest(x, scale_factor=2),
     "upsample_nearest` is deprecated"),
    ("upsample_bilinear", lambda L, x: F(L).upsample_bilinear(x, size=(3, 5)),
     "upsample_bilinear` is deprecated"),
    ("grid_sample", lambda L, x: F(L).grid_sample(x, L.zeros(1, 2, 2, 2, dtype=x.dtype)),
     "Default grid_sample and affine_grid behavior has changed"),
    ("affine_grid", lambda L, x: F(L).affine_grid(L.ones(1, 2, 3), (1, 1, 2, 2)),
     "Default grid_sample and affine_grid behavior has changed"),
    ("affine_grid unit", lambda L, x: F(L).affine_grid(L.ones(1, 2, 3), (1, 1, 1, 2),
                                                       align_corners=True),
     "affine_grid behavior has changed for unit-size grids"),
]


@pytest.mark.parametrize("name, function, message", WARNINGS, ids=[w[0] for w in WARNINGS])
def test_warnings(name, function, message):
    array = np.arange(6.0).reshape(1, 1, 2, 3)
    results = []
    for L in (torch, ember):
        with pytest.warns(UserWarning, match=message):
            results.append(function(L, L.tensor(array)).numpy())
    np.testing.assert_allclose(results[1], results[0], rtol=1e-6)


@pytest.mark.parametrize("name", ["pixel_shuffle", "pixel_unshuffle", "channel_shuffle"])
def test_shuffles_by_one_copy(name):
    """A factor of 1 changes nothing but still gives a new tensor, as torch's."""
    x = ember.arange(24.0).reshape(1, 2, 3, 4)
    result = getattr(F(ember), name)(x, 1)
    assert result.equal(x) and result.is_contiguous()
    result.add_(1)
    assert x[0, 0, 0, 0].item() == 0


@pytest.mark.parametrize("dtype", ["float32", "uint8"])
def test_same_size_is_a_new_tensor(dtype):
    x = ember.arange(12.0).reshape(1, 1, 3, 4).to(getattr(ember, dtype))
    result = F(ember).interpolate(x, size=(3, 4), mode="bilinear")
    assert result.equal(x)
    result.add_(1)
    assert x[0, 0, 0, 0].item() == 0
    leaf = ember.ones(1, 1, 2, 2, requires_grad=True)
    assert F(ember).interpolate(leaf, size=2, mode="bilinear").grad_fn is not None
    assert leaf.grad_fn is None


def test_channel_shuffle_aliases():
    x = ember.arange(12.0).reshape(1, 6, 2)
    assert F(ember).native_channel_shuffle(x, 2).equal(F(ember).channel_shuffle(x, 2))
    for name in ("pixel_shuffle", "pixel_unshuffle", "channel_shuffle"):
        assert getattr(ember.ops.resampling, name) is getattr(F(ember), name)


# ---------------------------------------------------------------- layers
LAYERS = [
    ("upsample_nearest", lambda nn: nn.Upsample(scale_factor=2), (1, 2, 3, 2)),
    ("upsample_size", lambda nn: nn.Upsample(size=(3, 5), mode="bilinear"), (1, 2, 2, 3)),
    ("upsample_align", lambda nn: nn.Upsample(scale_factor=1.5, mode="bicubic",
                                              align_corners=True), (1, 1, 3, 3)),
    ("upsample_tuple", lambda nn: nn.Upsample(scale_factor=(2, 0.5), mode="nearest-exact"),
     (1, 2, 3, 4)),
    ("upsample_linear", lambda nn: nn.Upsample(size=7, mode="linear"), (2, 2, 3)),
    ("upsample_trilinear", lambda nn: nn.Upsample(scale_factor=1.6, mode="trilinear",
                                                  recompute_scale_factor=True), (1, 1, 2, 3, 2)),
    ("nearest2d", lambda nn: nn.UpsamplingNearest2d(scale_factor=3), (1, 2, 2, 2)),
    ("nearest2d_size", lambda nn: nn.UpsamplingNearest2d(size=(3, 4)), (1, 2, 2, 2)),
    ("bilinear2d", lambda nn: nn.UpsamplingBilinear2d(scale_factor=2), (1, 2, 2, 3)),
    ("bilinear2d_size", lambda nn: nn.UpsamplingBilinear2d(size=5), (1, 1, 2, 3)),
    ("pixel_shuffle", lambda nn: nn.PixelShuffle(2), (1, 8, 2, 3)),
    ("pixel_unshuffle", lambda nn: nn.PixelUnshuffle(3), (1, 2, 3, 6)),
    ("channel_shuffle", lambda nn: nn.ChannelShuffle(3), (2, 6, 2, 2)),
]


@pytest.mark.parametrize("name, make, shape", LAYERS, ids=[layer[0] for layer in LAYERS])
def test_layers(name, make, shape):
    check_module(make, np.random.default_rng(5).standard_normal(shape))
