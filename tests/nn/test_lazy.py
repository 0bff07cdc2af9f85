"""Lazy modules and uninitialized parameters against torch: before the first call (repr,
state_dict keys, errors), after it (the class they become, torch's initial values, then
the layer itself through module_oracle) and loading a state dict into them."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

import ember
from tests.nn.module_oracle import build_pair, check_module

RNG = np.random.default_rng(0)
DTYPES = ["float32", "float64"]

LAZY = {
    "linear": (lambda nn: nn.LazyLinear(4), (2, 3), "Linear"),
    "linear_no_bias": (lambda nn: nn.LazyLinear(4, bias=False), (3,), "Linear"),
    "batch_norm_1d": (lambda nn: nn.LazyBatchNorm1d(), (4, 3), "BatchNorm1d"),
    "batch_norm_2d": (lambda nn: nn.LazyBatchNorm2d(eps=1e-3, affine=False), (2, 3, 2, 2),
                      "BatchNorm2d"),
    "batch_norm_3d": (lambda nn: nn.LazyBatchNorm3d(bias=False, momentum=None),
                      (2, 2, 2, 1, 2), "BatchNorm3d"),
    "instance_norm_1d": (lambda nn: nn.LazyInstanceNorm1d(), (2, 3, 4), "InstanceNorm1d"),
    "instance_norm_2d": (lambda nn: nn.LazyInstanceNorm2d(affine=False), (2, 3, 2, 2),
                         "InstanceNorm2d"),
    "instance_norm_3d": (lambda nn: nn.LazyInstanceNorm3d(track_running_stats=False),
                         (1, 2, 2, 2, 2), "InstanceNorm3d"),
}


def materialized(make, shape):
    """``make(nn)`` after one call on zeros of ``shape`` (in evaluation mode, so running
    statistics keep their initial values)."""

    def build(nn):
        module = make(nn)
        lib = torch if nn is torch.nn else ember
        module.eval()
        with lib.no_grad():
            module(lib.zeros(shape))
        return module.train()
    return build


@pytest.mark.parametrize("layer", LAZY, ids=LAZY)
def test_before_first_call(layer):
    make, _, _ = LAZY[layer]
    actual, expected = build_pair(make)
    assert repr(actual) == repr(expected)
    assert list(actual.state_dict()) == list(expected.state_dict())
    assert [repr(t) for t in actual.state_dict().values()] == [
        repr(t) for t in expected.state_dict().values()]
    assert actual.has_uninitialized_params()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("layer", LAZY, ids=LAZY)
def test_after_first_call(layer, dtype):
    make, shape, becomes = LAZY[layer]
    actual, _ = check_module(materialized(make, shape), RNG.standard_normal(shape),
                             dtype=dtype)
    assert type(actual).__name__ == becomes
    assert type(actual) is getattr(ember.nn, becomes)
    assert not hasattr(actual, "_initialize_hook")


def test_lazy_linear_keeps_dtype():
    layer = ember.nn.LazyLinear(2, dtype=ember.float64)
    layer(ember.ones(3, 5, dtype=ember.float64))
    assert layer.weight.dtype == ember.float64
    assert tuple(layer.weight.shape) == (2, 5)
    assert type(layer.weight) is ember.nn.Parameter


def test_load_state_dict_materializes():
    actual, expected = build_pair(lambda nn: nn.LazyLinear(4))
    state = {"weight": np.arange(12.0).reshape(4, 3), "bias": np.ones(4)}
    for module, lib in ((actual, ember), (expected, torch)):
        module.load_state_dict({k: lib.tensor(v, dtype=lib.float32) for k, v in state.items()})
        assert not module.has_uninitialized_params()
        assert tuple(module.weight.shape) == (4, 3)
    assert repr(actual) == repr(expected)
    np.testing.assert_array_equal(actual.weight.detach().numpy(), state["weight"])
    data = RNG.standard_normal((2, 3)).astype(np.float32)
    np.testing.assert_allclose(actual(ember.tensor(data)).detach().numpy(),
                               expected(torch.tensor(data)).detach().numpy(), rtol=1e-6)
    assert type(actual).__name__ == type(expected).__name__ == "Linear"


@pytest.mark.parametrize("kind", ["UninitializedParameter", "UninitializedBuffer"])
def test_uninitialized_tensor(kind):
    made = {}
    for lib in (torch, ember):
        tensor = getattr(lib.nn, kind)()
        with pytest.raises(RuntimeError, match="Can't access the shape of an uninitialized"):
            tensor.shape  # noqa: B018
        made[lib] = tensor
    assert repr(made[ember]) == repr(made[torch]) == f"<{kind}>"
    assert made[ember].requires_grad == made[torch].requires_grad
    assert repr(copy.deepcopy(made[ember])) == f"<{kind}>"
    for lib, tensor in made.items():
        tensor.materialize((2, 3), dtype=lib.float64)
        assert tuple(tensor.shape) == (2, 3) and tensor.dtype == lib.float64
    assert type(made[ember]).__name__ == type(made[torch]).__name__


def test_initialize_parameters_is_required():
    class Incomplete(ember.nn.modules.lazy.LazyModuleMixin, ember.nn.Module):
        pass

    with pytest.raises(NotImplementedError, match="initialize_parameters"):
        Incomplete()(ember.ones(1))


def test_deep_copy_initializes_on_its_own():
    original = ember.nn.LazyLinear(3)
    duplicate = copy.deepcopy(original)
    duplicate(ember.ones(2, 4))
    assert type(duplicate) is ember.nn.Linear and type(original) is ember.nn.LazyLinear
    original(ember.ones(2, 5))
    assert (original.in_features, duplicate.in_features) == (5, 4)


@pytest.mark.parametrize("layer", ["linear", "batch_norm_1d"])
def test_conversion_before_first_call(layer):
    make, shape, _ = LAZY[layer]
    actual, expected = build_pair(lambda nn: make(nn).double())
    assert repr(actual) == repr(expected)
    assert [t.dtype for t in actual.state_dict().values()] == [
        getattr(ember, str(t.dtype).split(".")[-1]) for t in expected.state_dict().values()]
    actual(ember.ones(shape, dtype=ember.float64))
    expected(torch.ones(shape, dtype=torch.float64))
    assert [str(t.dtype) for t in actual.state_dict().values()] == [
        str(t.dtype) for t in expected.state_dict().values()]
