"""Normalization layers against torch (see module_oracle): batch, instance, layer, group,
RMS and local response norm; their functionals' gradients (GradTable) and errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
from tests.autograd.grad_oracle import GradTable
from tests.nn.module_oracle import assert_same_error, check_module

RNG = np.random.default_rng(0)
DTYPES = ["float32", "float64"]


def x(*shape):
    return RNG.standard_normal(shape) * 2 + 0.5


def train_then_eval(module, input):
    """Three training passes (the running statistics move), then one in evaluation."""
    outputs = [module(input * scale + shift) for scale, shift in ((1, 0), (2, 1), (0.5, -1))]
    module.eval()
    outputs.append(module(input))
    return outputs


BATCH_NORMS = {
    "1d_2d_input": (lambda nn, **o: nn.BatchNorm1d(3, **o), (6, 3)),
    "1d_3d_input": (lambda nn, **o: nn.BatchNorm1d(3, **o), (4, 3, 5)),
    "2d": (lambda nn, **o: nn.BatchNorm2d(3, **o), (2, 3, 4, 5)),
    "3d": (lambda nn, **o: nn.BatchNorm3d(3, **o), (2, 3, 2, 3, 2)),
    "sync": (lambda nn, **o: nn.SyncBatchNorm(3, **o), (2, 3, 2, 2)),
}
BATCH_NORM_OPTIONS = {
    "default": {},
    "momentum_none": {"momentum": None},
    "no_affine": {"affine": False, "eps": 1e-3},
    "no_bias": {"bias": False, "momentum": 0.3},
    "no_running_stats": {"track_running_stats": False},
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("options", BATCH_NORM_OPTIONS.values(), ids=BATCH_NORM_OPTIONS)
@pytest.mark.parametrize("layer", BATCH_NORMS, ids=BATCH_NORMS)
def test_batch_norm(layer, options, dtype):
    make, shape = BATCH_NORMS[layer]
    actual, expected = check_module(lambda nn: make(nn, **options), x(*shape), dtype=dtype,
                                    forward=train_then_eval)
    if actual.num_batches_tracked is not None:
        assert actual.num_batches_tracked.dtype == ember.int64
        assert actual.num_batches_tracked.item() == expected.num_batches_tracked.item() == 3


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_single_pass(training, dtype):
    check_module(lambda nn: nn.BatchNorm2d(4), x(3, 4, 2, 3), training=training, dtype=dtype)


INSTANCE_NORMS = {
    "1d": (lambda nn, **o: nn.InstanceNorm1d(3, **o), (2, 3, 5)),
    "1d_unbatched": (lambda nn, **o: nn.InstanceNorm1d(3, **o), (3, 5)),
    "2d": (lambda nn, **o: nn.InstanceNorm2d(3, **o), (2, 3, 2, 3)),
    "2d_unbatched": (lambda nn, **o: nn.InstanceNorm2d(3, **o), (3, 2, 3)),
    "3d": (lambda nn, **o: nn.InstanceNorm3d(3, **o), (2, 3, 2, 2, 2)),
}
INSTANCE_NORM_OPTIONS = {
    "default": {},
    "affine": {"affine": True},
    "running_stats": {"track_running_stats": True, "momentum": 0.2},
    "all": {"affine": True, "track_running_stats": True, "momentum": None},
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("options", INSTANCE_NORM_OPTIONS.values(), ids=INSTANCE_NORM_OPTIONS)
@pytest.mark.parametrize("layer", INSTANCE_NORMS, ids=INSTANCE_NORMS)
def test_instance_norm(layer, options, dtype):
    make, shape = INSTANCE_NORMS[layer]
    check_module(lambda nn: make(nn, **options), x(*shape), dtype=dtype,
                 forward=train_then_eval)


def test_instance_norm_num_features_warning():
    for L in (torch, ember):
        with pytest.warns(UserWarning, match="input's size at dim=1 does not match "
                                             "num_features"):
            L.nn.InstanceNorm1d(4)(L.ones(2, 3, 5))


LAYERS = {
    "layer_norm": (lambda nn: nn.LayerNorm(5), (2, 3, 5)),
    "layer_norm_2d_shape": (lambda nn: nn.LayerNorm([3, 5], eps=1e-3), (2, 3, 5)),
    "layer_norm_no_affine": (lambda nn: nn.LayerNorm(5, elementwise_affine=False), (4, 5)),
    "layer_norm_no_bias": (lambda nn: nn.LayerNorm(5, bias=False), (5,)),
    "group_norm": (lambda nn: nn.GroupNorm(2, 4), (3, 4, 3)),
    "group_norm_4d": (lambda nn: nn.GroupNorm(3, 6, eps=1e-3), (2, 6, 2, 3)),
    "group_norm_no_affine": (lambda nn: nn.GroupNorm(1, 4, affine=False), (2, 4)),
    "group_norm_no_bias": (lambda nn: nn.GroupNorm(4, 4, bias=False), (2, 4, 5)),
    "rms_norm": (lambda nn: nn.RMSNorm(5), (2, 3, 5)),
    "rms_norm_eps": (lambda nn: nn.RMSNorm([3, 5], eps=1e-3), (2, 3, 5)),
    "rms_norm_no_affine": (lambda nn: nn.RMSNorm(5, elementwise_affine=False), (4, 5)),
    "lrn": (lambda nn: nn.LocalResponseNorm(3), (2, 5, 4)),
    "lrn_even": (lambda nn: nn.LocalResponseNorm(2, 1e-2, 0.5, 2.0), (2, 4, 3, 3)),
    "lrn_wide": (lambda nn: nn.LocalResponseNorm(7, alpha=0.5), (1, 4, 2, 2, 2)),
    "lrn_one": (lambda nn: nn.LocalResponseNorm(1, alpha=0.3, beta=1.5), (2, 3, 4)),
    "cross_map_lrn": (lambda nn: nn.CrossMapLRN2d(3, 1e-1, 0.75, 2), (2, 7, 4, 5)),
    "cross_map_lrn_even": (lambda nn: nn.CrossMapLRN2d(4, 0.3, 0.5), (2, 5, 3, 3)),
    "cross_map_lrn_wide": (lambda nn: nn.CrossMapLRN2d(7, alpha=0.5), (2, 9, 2, 3)),
    "cross_map_lrn_two": (lambda nn: nn.CrossMapLRN2d(2, 1.0, 1.2, 0.5), (1, 3, 2, 2)),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("layer", LAYERS, ids=LAYERS)
def test_per_sample_layers(layer, training, dtype):
    make, shape = LAYERS[layer]
    check_module(make, x(*shape), training=training, dtype=dtype)


def test_rms_norm_default_eps_is_the_dtypes():
    check_module(lambda nn: nn.RMSNorm(3), RNG.standard_normal((2, 3)) * 1e-5, rtol=1e-4)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_rms_norm_half_computes_in_float32(dtype):
    """The default eps is float32's and the result rounds once to the input's dtype."""
    data = np.array([[1e-2, 2e-2, -1e-2], [3.0, -1.0, 0.5]])
    results = []
    for L in (torch, ember):
        weight = L.tensor([1.0, 2.0, 0.5], dtype=getattr(L, dtype))
        result = L.nn.functional.rms_norm(L.tensor(data, dtype=getattr(L, dtype)), (3,), weight)
        assert str(result.dtype).endswith(dtype)
        results.append(result.float().numpy())
    np.testing.assert_array_equal(results[1], results[0])


def test_grad_fn_names():
    def names(L):
        x = L.ones(2, 3, 4, requires_grad=True)
        f = L.nn.functional
        return [f.rms_norm(x, [4]).grad_fn.name(), f.rms_norm(x.mT, [3]).grad_fn.name(),
                f.batch_norm(x, None, None, training=True).grad_fn.name(),
                f.layer_norm(x, (4,)).grad_fn.name(), f.group_norm(x, 3).grad_fn.name(),
                f.instance_norm(x).grad_fn.name(), f.local_response_norm(x, 2).grad_fn.name(),
                L.nn.CrossMapLRN2d(3)(x.unsqueeze(0)).grad_fn.name()]
    assert names(ember) == names(torch)


NORM = GradTable("nn.normalization")
case, v, p = NORM.case, NORM.v, NORM.p
case("batch_norm_4d", lambda L, x, w, b: L.nn.functional.batch_norm(
    x, None, None, w, b, True), v(2, 2, 2, 2), v(2), v(2))
case("batch_norm_4d_eval", lambda L, x, w, m, var: L.nn.functional.batch_norm(
    x, m, var, w), v(2, 2, 1, 2), v(2), v(2), p(2), requires_grad=(0, 1))
case("instance_norm", lambda L, x, w, b: L.nn.functional.instance_norm(x, weight=w, bias=b),
     v(2, 2, 3), v(2), v(2))
case("instance_norm_running", lambda L, x: L.nn.functional.instance_norm(
    x, L.zeros(2, dtype=x.dtype), L.ones(2, dtype=x.dtype)), v(2, 2, 3))
case("layer_norm_weight_only", lambda L, x, w: L.nn.functional.layer_norm(x, (2, 2), w),
     v(2, 2, 2), v(2, 2))
case("layer_norm_bias_only", lambda L, x, b: L.nn.functional.layer_norm(x, (3,), None, b),
     v(2, 3), v(3))
case("group_norm_4d", lambda L, x, w: L.nn.functional.group_norm(x, 2, w), v(2, 4, 1, 2), v(4))
case("local_response_norm", lambda L, x: L.nn.functional.local_response_norm(
    x, 3, 0.5, 0.75, 1.0), v(2, 4, 2))
case("local_response_norm_even", lambda L, x: L.nn.functional.local_response_norm(
    x, 2, 0.3, 0.5, 2.0), v(1, 3, 2, 2))
test_matches_torch, test_gradcheck, test_gradgradcheck = NORM.tests()


def test_double_backward_through_batch_norm_module():
    """The composite backward (create_graph) agrees with the fused one."""
    rng = np.random.default_rng(1)
    data = rng.standard_normal((4, 3, 2))
    results = []
    for L in (torch, ember):
        bn = L.nn.BatchNorm1d(3).double()
        x = L.tensor(data, requires_grad=True)
        (grad,) = L.autograd.grad((bn(x) ** 3).sum(), x, create_graph=True)
        (grad * grad).sum().backward()
        results.append((grad.detach().numpy(), x.grad.numpy(), bn.weight.grad.numpy()))
    for ours, theirs in zip(results[1], results[0]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-7, atol=1e-9)


ERRORS = [
    ("batch_norm_1d_rank", lambda L: L.nn.BatchNorm1d(3)(L.ones(2, 3, 4, 5))),
    ("batch_norm_2d_rank", lambda L: L.nn.BatchNorm2d(3)(L.ones(2, 3, 4))),
    ("batch_norm_3d_rank", lambda L: L.nn.BatchNorm3d(3)(L.ones(2, 3, 4))),
    ("sync_batch_norm_rank", lambda L: L.nn.SyncBatchNorm(3)(L.ones(3))),
    ("batch_norm_one_value", lambda L: L.nn.BatchNorm1d(3)(L.ones(1, 3))),
    ("batch_norm_features", lambda L: L.nn.BatchNorm1d(3)(L.ones(2, 4))),
    ("batch_norm_weight_size", lambda L: L.nn.functional.batch_norm(
        L.ones(2, 3), L.zeros(3), L.ones(3), L.ones(4))),
    ("batch_norm_eval_no_stats", lambda L: L.nn.functional.batch_norm(L.ones(2, 3), None,
                                                                       None)),
    ("instance_norm_rank", lambda L: L.nn.InstanceNorm2d(3)(L.ones(3, 4))),
    ("instance_norm_affine_features", lambda L: L.nn.InstanceNorm1d(3, affine=True)(
        L.ones(2, 4, 5))),
    ("instance_norm_one_value", lambda L: L.nn.InstanceNorm1d(3)(L.ones(2, 3, 1))),
    ("layer_norm_empty_shape", lambda L: L.nn.functional.layer_norm(L.ones(2, 3), ())),
    ("layer_norm_weight_shape", lambda L: L.nn.functional.layer_norm(L.ones(2, 3), (3,),
                                                                      L.ones(2))),
    ("layer_norm_input_shape", lambda L: L.nn.LayerNorm(4)(L.ones(2, 3))),
    ("layer_norm_integer", lambda L: L.nn.functional.layer_norm(L.ones(2, 3, dtype=L.long),
                                                                 (3,))),
    ("group_norm_divisible", lambda L: L.nn.GroupNorm(3, 4)),
    ("group_norm_weight", lambda L: L.nn.functional.group_norm(L.ones(2, 4), 2, L.ones(2))),
    ("instance_norm_no_stats", lambda L: L.nn.functional.instance_norm(
        L.ones(2, 3, 4), use_input_stats=False)),
    ("batch_norm_1d_input", lambda L: L.nn.functional.batch_norm(L.ones(3), None, None,
                                                                  training=True)),
    ("layer_norm_int_shape", lambda L: L.nn.functional.layer_norm(L.ones(2, 3), 3)),
    ("group_norm_integer", lambda L: L.nn.functional.group_norm(L.ones(2, 4, dtype=L.long),
                                                                 2)),
    ("instance_norm_old_checkpoint", lambda L: L.nn.InstanceNorm1d(3).load_state_dict(
        {"running_mean": L.zeros(3), "running_var": L.ones(3)})),
    ("group_norm_one_value", lambda L: L.nn.functional.group_norm(L.ones(1, 4, 1), 4)),
    ("group_norm_zero_groups", lambda L: L.nn.functional.group_norm(L.ones(2, 4), 0)),
    ("rms_norm_input_shape", lambda L: L.nn.functional.rms_norm(L.ones(2, 3, 4), (2, 3))),
    ("rms_norm_weight_shape", lambda L: L.nn.functional.rms_norm(L.ones(2, 3), (3,),
                                                                  L.ones(2))),
    ("rms_norm_int_shape", lambda L: L.nn.functional.rms_norm(L.ones(2, 3), 3)),
    ("rms_norm_integer", lambda L: L.nn.functional.rms_norm(L.ones(2, 3, dtype=L.long), (3,))),
    ("rms_norm_empty_shape", lambda L: L.nn.functional.rms_norm(L.ones(2, 3), [])),
    ("lrn_rank", lambda L: L.nn.LocalResponseNorm(2)(L.ones(3, 4))),
    ("cross_map_lrn_rank", lambda L: L.nn.CrossMapLRN2d(3)(L.ones(2, 3, 4))),
]


@pytest.mark.parametrize("name, function", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors(name, function):
    assert_same_error(function)


def _top_level(name):
    """torch's top-level function ``name`` in ember (its op module until ember exports it)."""
    return getattr(ember, name, None) or getattr(ember.ops.normalization, name)


def test_top_level_functions():
    rng = np.random.default_rng(2)
    data, weight, bias = rng.standard_normal((3, 4, 2)), rng.standard_normal(4), rng.standard_normal(4)
    calls = {
        "batch_norm": lambda f, L, x, w, b: f(x, w, b, L.zeros(4, dtype=x.dtype),
                                              L.ones(4, dtype=x.dtype), True, 0.1, 1e-5, False),
        "instance_norm": lambda f, L, x, w, b: f(x, w, b, None, None, True, 0.1, 1e-5, False),
        "layer_norm": lambda f, L, x, w, b: f(x, (2,), w[:2], b[:2]),
        "group_norm": lambda f, L, x, w, b: f(x, 2, w, b),
        "rms_norm": lambda f, L, x, w, b: f(x, [2], b[1:3], 1e-3),
    }
    for name, call in calls.items():
        results = [call(function, L, *(L.tensor(a) for a in (data, weight, bias))).numpy()
                   for function, L in ((getattr(torch, name), torch), (_top_level(name), ember))]
        np.testing.assert_allclose(results[1], results[0], rtol=1e-7, atol=1e-9, err_msg=name)


def test_convert_sync_batchnorm():
    results = []
    for L in (torch, ember):
        L.manual_seed(0)
        model = L.nn.Sequential(L.nn.Linear(3, 4), L.nn.BatchNorm1d(4, bias=False))
        model[1].running_mean.fill_(0.5)
        converted = L.nn.SyncBatchNorm.convert_sync_batchnorm(model)
        assert converted[1].weight is model[1].weight
        results.append(repr(converted))
        assert list(converted.state_dict()) == list(model.state_dict())
    assert results[0] == results[1]


NON_CONTIGUOUS = {
    "batch_norm_channels_last": (lambda nn: nn.BatchNorm2d(3), (2, 4, 5, 3), (0, 3, 1, 2)),
    "layer_norm_transposed": (lambda nn: nn.LayerNorm(4), (4, 3, 2), (2, 1, 0)),
    "group_norm_transposed": (lambda nn: nn.GroupNorm(2, 4), (3, 4, 2), (2, 1, 0)),
    "instance_norm_transposed": (lambda nn: nn.InstanceNorm1d(3, affine=True), (5, 3, 2),
                                 (2, 1, 0)),
}


@pytest.mark.parametrize("layer", NON_CONTIGUOUS, ids=NON_CONTIGUOUS)
def test_non_contiguous_input(layer):
    make, shape, order = NON_CONTIGUOUS[layer]
    check_module(make, x(*shape), dtype="float64",
                 forward=lambda module, input: module(input.permute(*order)))


@pytest.mark.parametrize("make", [
    lambda nn, L: nn.BatchNorm1d(3, dtype=L.float64),
    lambda nn, L: nn.InstanceNorm2d(3, affine=True, track_running_stats=True, dtype=L.float64),
    lambda nn, L: nn.LayerNorm(3, dtype=L.float64),
    lambda nn, L: nn.GroupNorm(1, 3, dtype=L.float64),
    lambda nn, L: nn.RMSNorm(3, dtype=L.float64),
], ids=["batch_norm", "instance_norm", "layer_norm", "group_norm", "rms_norm"])
def test_factory_dtype(make):
    dtypes = [[str(t.dtype) for t in make(L.nn, L).state_dict().values()] for L in (torch, ember)]
    assert dtypes[0] == dtypes[1]
