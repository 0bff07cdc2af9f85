"""``ember.nn.init`` against ``torch.nn.init``: the same seed gives the same values."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import ember
from tests.nn.module_oracle import assert_same_error

SHAPES = [(3, 5), (4, 2, 3), (6, 3, 2, 2), (1, 7)]
SEEDS = [0, 1, 123]

# (name, args, kwargs, exact): exact False where torch's kernels round differently
INITS = [
    ("uniform_", (), {}, True),
    ("uniform_", (-0.5, 2.0), {}, True),
    ("normal_", (), {}, True),
    ("normal_", (1.0, 0.3), {}, True),
    ("trunc_normal_", (), {}, True),
    ("trunc_normal_", (0.0, 0.02), {}, True),
    ("trunc_normal_", (0.0, 1.0, 0.5, 3.0), {}, True),
    ("constant_", (0.25,), {}, True),
    ("ones_", (), {}, True),
    ("zeros_", (), {}, True),
    ("xavier_uniform_", (), {}, True),
    ("xavier_uniform_", (2.0,), {}, True),
    ("xavier_normal_", (), {}, True),
    ("kaiming_uniform_", (), {}, True),
    ("kaiming_uniform_", (), {"a": 5 ** 0.5}, True),
    ("kaiming_uniform_", (), {"mode": "fan_out", "nonlinearity": "relu"}, True),
    ("kaiming_normal_", (), {}, True),
    ("kaiming_normal_", (), {"mode": "fan_out", "nonlinearity": "tanh"}, True),
    ("orthogonal_", (), {}, False),
    ("orthogonal_", (), {"gain": 2.0}, False),
    ("sparse_", (0.5,), {}, True),
]


def _compare(ours, theirs, exact):
    assert str(ours.dtype) == str(theirs.dtype)
    assert tuple(ours.shape) == tuple(theirs.shape)
    if exact:
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    else:
        rtol = 1e-5 if ours.dtype == ember.float32 else 1e-12
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=rtol, atol=rtol)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name, args, kwargs, exact", INITS,
                         ids=[f"{i[0]}{n}" for n, i in enumerate(INITS)])
def test_same_values_as_torch(name, args, kwargs, exact, shape, seed, dtype):
    if name == "sparse_" and len(shape) != 2:
        shape = shape[:2]
    torch.manual_seed(seed)
    theirs = torch.empty(shape, dtype=getattr(torch, dtype))
    result = getattr(torch.nn.init, name)(theirs, *args, **kwargs)
    ember.manual_seed(seed)
    ours = ember.empty(shape, dtype=getattr(ember, dtype))
    returned = getattr(ember.nn.init, name)(ours, *args, **kwargs)
    assert returned is ours and result is theirs
    _compare(ours, theirs, exact)
    # the generator stream advanced alike
    _compare(ember.rand(3, dtype=ours.dtype), torch.rand(3, dtype=theirs.dtype), True)


@pytest.mark.parametrize("name", ["uniform_", "normal_", "xavier_uniform_", "xavier_normal_",
                                  "kaiming_uniform_", "kaiming_normal_", "trunc_normal_",
                                  "orthogonal_"])
def test_generator(name):
    theirs = torch.empty(4, 6)
    getattr(torch.nn.init, name)(theirs, generator=torch.Generator().manual_seed(7))
    ours = ember.empty(4, 6)
    getattr(ember.nn.init, name)(ours, generator=ember.Generator().manual_seed(7))
    _compare(ours, theirs, name != "orthogonal_")


@pytest.mark.parametrize("shape", [(4, 3, 3), (4, 2, 3, 3), (2, 2, 3, 3, 3), (6, 2, 3)], ids=str)
@pytest.mark.parametrize("groups", [1, 2])
def test_dirac(shape, groups):
    theirs = torch.nn.init.dirac_(torch.empty(shape), groups)
    ours = ember.nn.init.dirac_(ember.empty(shape), groups)
    _compare(ours, theirs, True)


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (4, 4)], ids=str)
def test_eye(shape):
    _compare(ember.nn.init.eye_(ember.empty(shape)), torch.nn.init.eye_(torch.empty(shape)), True)


def test_runs_without_grad():
    for lib in (torch, ember):
        weight = lib.empty(3, 4, requires_grad=True)
        for name in ["uniform_", "normal_", "xavier_uniform_", "kaiming_normal_", "zeros_",
                     "orthogonal_", "trunc_normal_", "eye_"]:
            result = getattr(lib.nn.init, name)(weight)
            assert result.requires_grad and result.grad_fn is None and result.is_leaf


GAINS = [("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None), ("relu", None),
         ("leaky_relu", None), ("leaky_relu", 0.2), ("leaky_relu", 1), ("selu", None)]


@pytest.mark.parametrize("nonlinearity, param", GAINS)
def test_calculate_gain(nonlinearity, param):
    ours = ember.nn.init.calculate_gain(nonlinearity, param)
    theirs = torch.nn.init.calculate_gain(nonlinearity, param)
    assert ours == theirs and type(ours) is type(theirs)


ERRORS = [
    ("calculate_gain", lambda lib: ("softmax",), {}),
    ("calculate_gain", lambda lib: ("leaky_relu", True), {}),
    ("xavier_uniform_", lambda lib: (lib.empty(3),), {}),
    ("xavier_normal_", lambda lib: (lib.empty(()),), {}),
    ("kaiming_uniform_", lambda lib: (lib.empty(3),), {}),
    ("kaiming_normal_", lambda lib: (lib.empty(3, 4),), {"mode": "fan_avg"}),
    ("eye_", lambda lib: (lib.empty(3, 4, 5),), {}),
    ("dirac_", lambda lib: (lib.empty(3, 4),), {}),
    ("dirac_", lambda lib: (lib.empty(3, 4, 5),), {"groups": 2}),
    ("orthogonal_", lambda lib: (lib.empty(3),), {}),
    ("sparse_", lambda lib: (lib.empty(3, 4, 5), 0.1), {}),
]


@pytest.mark.parametrize("name, args, kwargs", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors(name, args, kwargs):
    assert_same_error(lambda lib: getattr(lib.nn.init, name)(*args(lib), **kwargs))


def test_warnings():
    for lib in (torch, ember):
        with pytest.warns(UserWarning, match="zero-element tensors is a no-op"):
            lib.nn.init.kaiming_uniform_(lib.empty(0, 3))
        with pytest.warns(UserWarning, match="mean is more than 2 std"):
            lib.nn.init.trunc_normal_(lib.empty(3), mean=10.0)
        with pytest.warns(FutureWarning, match="deprecated in favor of `nn.init.normal_`"):
            lib.nn.init.normal(lib.empty(3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ember.nn.init.zeros_(ember.empty(0, 3))
