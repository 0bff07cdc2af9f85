"""Padding layers against torch: repr, outputs and input gradients for every kind, padding
given as one int or per side (negative sides crop), batched and unbatched inputs."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
from tests.nn.module_oracle import check_module

# (layer, padding, input shape): each kind with one int, per-side tuples and unbatched input
LAYERS = [
    ("ZeroPad1d", 2, (2, 3, 4)), ("ZeroPad1d", (1, -1), (3, 4)),
    ("ZeroPad2d", (1, 2, 0, 3), (1, 2, 3, 3)), ("ZeroPad2d", 1, (2, 3, 2)),
    ("ZeroPad3d", (1, 0, 2, 1, 0, 1), (1, 1, 2, 2, 3)), ("ZeroPad3d", 1, (1, 2, 2, 2)),
    ("ReflectionPad1d", (2, 1), (2, 3, 4)), ("ReflectionPad1d", 1, (3, 4)),
    ("ReflectionPad2d", (1, 2, 2, 0), (1, 2, 3, 4)), ("ReflectionPad2d", 1, (2, 3, 3)),
    ("ReflectionPad3d", 1, (1, 1, 2, 3, 3)), ("ReflectionPad3d", (0, 1, 1, 0, 1, 1),
                                               (1, 2, 3, 2)),
    ("ReplicationPad1d", (3, 1), (2, 3, 2)), ("ReplicationPad1d", 2, (3, 4)),
    ("ReplicationPad2d", (1, 0, 2, 3), (1, 2, 3, 3)), ("ReplicationPad2d", 2, (2, 2, 3)),
    ("ReplicationPad3d", 1, (1, 1, 2, 2, 3)), ("ReplicationPad3d", (2, 0, 0, 1, 1, 0),
                                                (1, 2, 2, 2)),
    ("CircularPad1d", (2, 1), (2, 3, 4)), ("CircularPad1d", 1, (3, 4)),
    ("CircularPad2d", (1, 2, 2, 0), (1, 2, 3, 4)), ("CircularPad2d", 1, (2, 3, 3)),
    ("CircularPad3d", 1, (1, 1, 2, 3, 3)), ("CircularPad3d", (0, 1, 1, 0, 1, 1),
                                             (1, 2, 3, 2)),
]


@pytest.mark.parametrize("name, padding, shape", LAYERS,
                         ids=[f"{n}-{p}-{len(s)}d" for n, p, s in LAYERS])
def test_padding_layers(name, padding, shape):
    array = np.random.default_rng(len(shape)).standard_normal(shape)
    check_module(lambda nn: getattr(nn, name)(padding), array)


CONSTANT = [
    ("ConstantPad1d", (1, 2), 3.5, (2, 3, 4)), ("ConstantPad1d", 2, -1, (3, 4)),
    ("ConstantPad2d", (1, 0, 2, 1), 2, (1, 2, 3, 3)), ("ConstantPad2d", 1, 0.25, (2, 3, 2)),
    ("ConstantPad3d", 1, -1.0, (1, 1, 2, 2, 3)), ("ConstantPad3d", (1, 0, 0, 1, 2, 0), 7,
                                                   (1, 2, 2, 2)),
]


@pytest.mark.parametrize("name, padding, value, shape", CONSTANT,
                         ids=[f"{n}-{p}-{v}" for n, p, v, _ in CONSTANT])
def test_constant_padding_layers(name, padding, value, shape):
    array = np.random.default_rng(len(shape)).standard_normal(shape)
    check_module(lambda nn: getattr(nn, name)(padding, value), array, dtype="float64")


def test_padding_attribute_is_a_tuple():
    for name, padding in (("ZeroPad2d", [1, 2, 3, 4]), ("ReflectionPad1d", 3),
                          ("ConstantPad3d", 2)):
        args = (padding, 0.5) if name.startswith("Constant") else (padding,)
        assert getattr(ember.nn, name)(*args).padding == getattr(torch.nn, name)(*args).padding


@pytest.mark.parametrize("name, shape", [("CircularPad1d", (2, 2, 2, 3)),
                                         ("CircularPad2d", (3, 4)),
                                         ("CircularPad3d", (1, 1, 1, 1, 2, 2))])
def test_circular_rank_error(name, shape):
    with pytest.raises(ValueError) as expected:
        getattr(torch.nn, name)(1)(torch.ones(shape))
    with pytest.raises(ValueError) as raised:
        getattr(ember.nn, name)(1)(ember.ones(shape))
    assert str(raised.value) == str(expected.value)


def test_reflection_too_wide():
    with pytest.raises(RuntimeError) as expected:
        torch.nn.ReflectionPad1d(3)(torch.ones(1, 2, 3))
    with pytest.raises(RuntimeError) as raised:
        ember.nn.ReflectionPad1d(3)(ember.ones(1, 2, 3))
    assert str(raised.value) == str(expected.value)
