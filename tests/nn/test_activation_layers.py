"""Activation layers against torch (see module_oracle): repr, init, outputs, gradients."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from tests.nn.module_oracle import check_module

RNG = np.random.default_rng(0)
X = RNG.standard_normal((2, 3, 4)) * 3  # spans every activation's kinks and saturation

# name -> constructor over ``nn``; the ``inplace=True`` variants run on a non-leaf copy
LAYERS = {
    "Threshold": lambda nn: nn.Threshold(0.1, 20.0),
    "Threshold_inplace": lambda nn: nn.Threshold(-0.5, 2, inplace=True),
    "ReLU": lambda nn: nn.ReLU(),
    "ReLU_inplace": lambda nn: nn.ReLU(inplace=True),
    "RReLU": lambda nn: nn.RReLU(),
    "RReLU_bounds_inplace": lambda nn: nn.RReLU(0.1, 0.4, inplace=True),
    "Hardtanh": lambda nn: nn.Hardtanh(),
    "Hardtanh_bounds_inplace": lambda nn: nn.Hardtanh(-2.0, 3.0, inplace=True),
    "ReLU6": lambda nn: nn.ReLU6(),
    "ReLU6_inplace": lambda nn: nn.ReLU6(inplace=True),
    "Sigmoid": lambda nn: nn.Sigmoid(),
    "Hardsigmoid": lambda nn: nn.Hardsigmoid(),
    "Hardsigmoid_inplace": lambda nn: nn.Hardsigmoid(inplace=True),
    "Tanh": lambda nn: nn.Tanh(),
    "SiLU": lambda nn: nn.SiLU(),
    "SiLU_inplace": lambda nn: nn.SiLU(inplace=True),
    "Mish": lambda nn: nn.Mish(),
    "Mish_inplace": lambda nn: nn.Mish(inplace=True),
    "Hardswish": lambda nn: nn.Hardswish(),
    "Hardswish_inplace": lambda nn: nn.Hardswish(inplace=True),
    "ELU": lambda nn: nn.ELU(),
    "ELU_alpha_inplace": lambda nn: nn.ELU(0.5, inplace=True),
    "CELU": lambda nn: nn.CELU(),
    "CELU_alpha_inplace": lambda nn: nn.CELU(2.0, inplace=True),
    "SELU": lambda nn: nn.SELU(),
    "SELU_inplace": lambda nn: nn.SELU(inplace=True),
    "GLU": lambda nn: nn.GLU(),
    "GLU_dim": lambda nn: nn.GLU(dim=0),
    "GELU": lambda nn: nn.GELU(),
    "GELU_tanh": lambda nn: nn.GELU(approximate="tanh"),
    "Hardshrink": lambda nn: nn.Hardshrink(),
    "Hardshrink_lambd": lambda nn: nn.Hardshrink(1.5),
    "LeakyReLU": lambda nn: nn.LeakyReLU(),
    "LeakyReLU_slope_inplace": lambda nn: nn.LeakyReLU(0.2, inplace=True),
    "LogSigmoid": lambda nn: nn.LogSigmoid(),
    "Softplus": lambda nn: nn.Softplus(),
    "Softplus_beta": lambda nn: nn.Softplus(beta=2.0, threshold=4.0),
    "Softshrink": lambda nn: nn.Softshrink(),
    "Softshrink_lambd": lambda nn: nn.Softshrink(1.5),
    "PReLU": lambda nn: nn.PReLU(),
    "PReLU_channels": lambda nn: nn.PReLU(3, init=0.1),
    "Softsign": lambda nn: nn.Softsign(),
    "Tanhshrink": lambda nn: nn.Tanhshrink(),
    "Softmin": lambda nn: nn.Softmin(dim=1),
    "Softmax": lambda nn: nn.Softmax(dim=-1),
    "Softmax2d": lambda nn: nn.Softmax2d(),
    "LogSoftmax": lambda nn: nn.LogSoftmax(dim=0),
}


def _forward(name):
    if "inplace" in name:
        return lambda module, x: module(x * 1)
    return None


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(LAYERS))
def test_activation_layer(name, dtype):
    check_module(LAYERS[name], X, dtype=dtype, forward=_forward(name))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", ["RReLU", "RReLU_bounds_inplace"])
def test_rrelu_eval(name, dtype):
    """In eval mode RReLU is a leaky ReLU of slope ``(lower + upper) / 2``."""
    check_module(LAYERS[name], X, training=False, dtype=dtype, forward=_forward(name))


@pytest.mark.parametrize("shape", [(3,), (4, 3, 2), ()])
def test_prelu_shapes(shape):
    channels = 3 if len(shape) > 1 else 1
    check_module(lambda nn: nn.PReLU(channels), RNG.standard_normal(shape))


def test_softmax2d_unbatched():
    check_module(lambda nn: nn.Softmax2d(), RNG.standard_normal((3, 2, 2)))


def test_softmax2d_rejects_other_ranks():
    with pytest.raises(ValueError, match="Softmax2d: expected input to be 3D or 4D, got 2D"):
        ember.nn.Softmax2d()(ember.ones(2, 3))


def test_softmax_implicit_dim_warns():
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        out = ember.nn.Softmax()(ember.zeros(2, 4))
    assert out.sum(1).tolist() == [1.0, 1.0]


def test_hardtanh_legacy_arguments():
    with pytest.warns(FutureWarning, match="`min_value` is deprecated"):
        layer = ember.nn.Hardtanh(min_value=-3.0)
    assert layer.min_val == -3.0
    with pytest.raises(AssertionError):
        ember.nn.Hardtanh(2.0, 1.0)


def test_rrelu_eval_is_deterministic():
    layer = ember.nn.RReLU(0.2, 0.4).eval()
    out = layer(ember.tensor([-1.0, 2.0]))
    assert out.tolist() == pytest.approx([-0.3, 2.0])
