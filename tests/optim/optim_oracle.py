"""Optimizers against torch: the same small model, seed, data and options in both
libraries; parameters after every step must agree to float32 rounding."""

from __future__ import annotations

import numpy as np
import torch

import ember

INPUTS = np.random.default_rng(0).standard_normal((8, 4)).astype(np.float32)
TARGETS = np.random.default_rng(1).standard_normal((8, 2)).astype(np.float32)


def small_model(lib):
    """Two linear layers with tanh between, seeded: the same weights in both libraries."""
    nn = lib.nn

    class TwoLayers(nn.Module):
        def __init__(self):
            super().__init__()
            self.hidden = nn.Linear(4, 3)
            self.output = nn.Linear(3, 2)

        def forward(self, x):
            return self.output(lib.tanh(self.hidden(x)))

    lib.manual_seed(0)
    return TwoLayers()


def loss_of(lib, model, dtype=None):
    return ((model(lib.tensor(INPUTS, dtype=dtype)) - lib.tensor(TARGETS, dtype=dtype)) ** 2
            ).mean()


def trajectory(lib, make_optimizer, steps: int = 20, closure: bool = False,
               float64: bool = False):
    """The parameters (NumPy) after each of ``steps`` optimizer steps, and the optimizer."""
    model = small_model(lib)
    dtype = lib.float64 if float64 else lib.float32
    optimizer = make_optimizer(lib, model)
    history = []
    for _ in range(steps):
        def evaluate():
            optimizer.zero_grad()
            loss = loss_of(lib, model, dtype)
            loss.backward()
            return loss
        if closure:
            optimizer.step(evaluate)
        else:
            evaluate()
            optimizer.step()
        history.append([p.detach().numpy().copy() for p in model.parameters()])
    return history, optimizer


def assert_same_trajectory(make_optimizer, steps: int = 20, closure: bool = False,
                           rtol: float | None = None, atol: float | None = None,
                           float64: bool = False):
    mine, optimizer = trajectory(ember, make_optimizer, steps, closure, float64)
    theirs, expected_optimizer = trajectory(torch, make_optimizer, steps, closure, float64)
    default_rtol, default_atol = (1e-10, 1e-12) if float64 else (1e-5, 1e-6)
    rtol = default_rtol if rtol is None else rtol
    atol = default_atol if atol is None else atol
    for step, (a, e) in enumerate(zip(mine, theirs)):
        for i, (x, y) in enumerate(zip(a, e)):
            np.testing.assert_allclose(x, y, rtol=rtol, atol=atol,
                                       err_msg=f"step {step + 1}, parameter {i}")
    return optimizer, expected_optimizer


def normalized_state_dict(state_dict):
    """A state dict with tensors as (dtype, shape, values) for comparison."""
    def norm(value):
        if isinstance(value, torch.Tensor | ember.Tensor):
            return (str(value.dtype).rsplit(".")[-1], tuple(value.shape),
                    np.round(value.detach().numpy().astype(np.float64), 4).tolist())
        if isinstance(value, dict):
            return {k: norm(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(norm(v) for v in value)
        return value
    return norm(state_dict)
