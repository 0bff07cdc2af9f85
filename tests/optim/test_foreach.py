"""The foreach path of SGD and Adam (ops over lists, Note [Foreach ops]) gives bit for bit
the parameters and states of the single-tensor path, and falls back where it does not
apply."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
from ember.ops import foreach

SGDS = {
    "plain": {"lr": 0.1},
    "momentum": {"lr": 0.1, "momentum": 0.9},
    "dampening_decay": {"lr": 0.1, "momentum": 0.9, "dampening": 0.3, "weight_decay": 0.1},
    "nesterov_maximize": {"lr": 0.1, "momentum": 0.9, "nesterov": True, "maximize": True},
}
ADAMS = {
    "plain": {"lr": 0.1},
    "amsgrad_decay_maximize": {"lr": 0.1, "weight_decay": 0.1, "amsgrad": True,
                               "maximize": True},
    "decoupled": {"lr": 0.1, "weight_decay": 0.1, "decoupled_weight_decay": True},
    "beta1_above_half": {"lr": 0.1, "betas": (0.2, 0.9)},
}
CASES = [(ember.optim.SGD, name, options) for name, options in SGDS.items()] + [
    (ember.optim.Adam, name, options) for name, options in ADAMS.items()]


def _trajectory(optimizer_class, options, foreach_option, dtype, steps=4, late_param=False):
    """Parameters and optimizer state after ``steps`` steps on seeded gradients; with
    ``late_param`` one parameter gets its first gradient only at the second step."""
    ember.manual_seed(0)
    params = [ember.randn(5, 3, dtype=dtype, requires_grad=True),
              ember.randn(4, 5, dtype=dtype).t().requires_grad_(),
              ember.randn(7, dtype=dtype, requires_grad=True)]
    optimizer = optimizer_class(params, foreach=foreach_option, **options)
    for step in range(steps):
        for index, param in enumerate(params):
            grad = ember.randn(param.shape, dtype=dtype)
            param.grad = None if late_param and index == 2 and step == 0 else grad
        optimizer.step()
    state = [value for param in params for value in optimizer.state[param].values()]
    return params + [value for value in state if isinstance(value, ember.Tensor)]


def _assert_identical(actual, expected):
    assert len(actual) == len(expected)
    for a, e in zip(actual, expected):
        assert a.dtype == e.dtype and ember.equal(a, e)


@pytest.mark.parametrize("dtype", [ember.float32, ember.float64])
@pytest.mark.parametrize(("optimizer_class", "name", "options"), CASES,
                         ids=[f"{c.__name__}-{n}" for c, n, _ in CASES])
def test_foreach_gives_the_single_tensor_results(optimizer_class, name, options, dtype):
    expected = _trajectory(optimizer_class, options, False, dtype)
    _assert_identical(_trajectory(optimizer_class, options, True, dtype), expected)
    _assert_identical(_trajectory(optimizer_class, options, None, dtype), expected)


@pytest.mark.parametrize(("optimizer_class", "options"), [
    (ember.optim.SGD, SGDS["momentum"]), (ember.optim.Adam, ADAMS["plain"])])
def test_a_parameter_whose_gradient_comes_late(optimizer_class, options):
    expected = _trajectory(optimizer_class, options, False, ember.float32, late_param=True)
    actual = _trajectory(optimizer_class, options, True, ember.float32, late_param=True)
    _assert_identical(actual, expected)


@pytest.mark.parametrize("optimizer_class", [ember.optim.SGD, ember.optim.Adam])
def test_complex_and_half_parameters_take_the_single_tensor_path(optimizer_class):
    def run(foreach_option):
        ember.manual_seed(0)
        params = [ember.randn(3, dtype=ember.complex64, requires_grad=True),
                  ember.randn(3, dtype=ember.float16, requires_grad=True)]
        optimizer = optimizer_class(params, lr=0.1, foreach=foreach_option)
        for _ in range(3):
            for param in params:
                param.grad = ember.randn(3, dtype=param.dtype)
            optimizer.step()
        return params

    _assert_identical(run(True), run(False))


def test_foreach_ops_bump_versions_and_match_single_ops():
    ember.manual_seed(0)
    tensors = [ember.randn(4, 3), ember.randn(5)]
    others = [ember.rand(4, 3) + 0.5, ember.rand(5) + 0.5]
    expected = [t.clone() for t in tensors]
    for e, o in zip(expected, others):
        e.mul_(0.7).add_(o, alpha=-0.3).lerp_(o, 0.8).addcmul_(o, o, value=0.2)
        e.addcdiv_(o, o.sqrt(), value=-1.5)
    foreach._foreach_mul_(tensors, 0.7)
    foreach._foreach_add_(tensors, others, alpha=-0.3)
    foreach._foreach_lerp_(tensors, others, 0.8)
    foreach._foreach_addcmul_(tensors, others, others, 0.2)
    foreach._foreach_addcdiv_(tensors, others, foreach._foreach_sqrt(others), [-1.5, -1.5])
    _assert_identical(tensors, expected)
    assert [t._version for t in tensors] == [5, 5]


def test_foreach_updates_round_as_torch():
    """add with alpha and lerp round once (fused multiply-adds), as torch's do."""
    rng = np.random.default_rng(5)
    starts = [rng.standard_normal(shape).astype(np.float32) for shape in ((300, 70), (70,))]
    ends = [rng.standard_normal(value.shape).astype(np.float32) for value in starts]
    mine = [ember.tensor(value) for value in starts]
    foreach._foreach_add_(mine, [ember.tensor(value) for value in ends], alpha=-0.013)
    foreach._foreach_lerp_(mine, [ember.tensor(value) for value in ends], 0.1)
    foreach._foreach_lerp_(mine, [ember.tensor(value) for value in ends], 0.8)
    for value, start, end in zip(mine, starts, ends):
        expected = torch.tensor(start).add_(torch.tensor(end), alpha=-0.013)
        expected.lerp_(torch.tensor(end), 0.1).lerp_(torch.tensor(end), 0.8)
        assert value.numpy().tobytes() == expected.numpy().tobytes()


def test_foreach_ops_fall_back_for_other_dtypes():
    ints = [ember.arange(4), ember.arange(3)]
    foreach._foreach_add_(ints, 2)
    foreach._foreach_mul_(ints, 3)
    assert [t.tolist() for t in ints] == [[6, 9, 12, 15], [6, 9, 12]]
    halves = [ember.ones(2, dtype=ember.float16)]
    foreach._foreach_div_(halves, 3.0)
    assert halves[0].equal(ember.ones(2, dtype=ember.float16).div_(3.0))
