"""Linear layers against torch (see module_oracle)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
from tests.nn.module_oracle import build_pair, check_module, load_torch_state

RNG = np.random.default_rng(0)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("shape", [(4,), (3, 4), (2, 3, 4)])
def test_linear(shape, bias, dtype):
    check_module(lambda nn: nn.Linear(4, 5, bias=bias), RNG.standard_normal(shape), dtype=dtype)


@pytest.mark.parametrize("bias", [True, False])
def test_bilinear(bias):
    check_module(lambda nn: nn.Bilinear(3, 4, 5, bias=bias), RNG.standard_normal((2, 3)),
                 RNG.standard_normal((2, 4)))


def test_identity_ignores_arguments():
    check_module(lambda nn: nn.Identity(54, unused="argument"), RNG.standard_normal((2, 3)))


def test_linear_loads_torch_weights():
    actual, expected = build_pair(lambda nn: nn.Linear(6, 2), seed=3)
    expected.weight.data.mul_(3)
    load_torch_state(actual, expected)
    x = RNG.standard_normal((5, 6)).astype(np.float32)
    np.testing.assert_allclose(actual(ember.tensor(x)).detach().numpy(),
                               expected(torch.tensor(x)).detach().numpy(), rtol=1e-6)
