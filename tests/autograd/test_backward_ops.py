"""The backward ops (ember/ops/backward_ops.py, class nll's in ember/ops/losses.py, GELU's
in ember/ops/special.py): the gradients of relu, log_softmax, softmax, nll_loss over class
targets and GELU against torch's, first and second order, with torch's node names for the
gradient of a gradient."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import ember

RNG = np.random.default_rng(7)
NAN, INF = float("nan"), float("inf")


def _grads_and_names(lib, function, values, grad_values, dtype):
    """The first gradient of ``function`` at ``values`` against ``grad_values`` (itself
    requiring grad), the second-order gradients of its squared sum, and the node names of
    the first gradient's graph, breadth first."""
    x = lib.tensor(values, dtype=getattr(lib, dtype), requires_grad=True)
    grad_output = lib.tensor(grad_values, dtype=getattr(lib, dtype), requires_grad=True)
    (first,) = lib.autograd.grad(function(lib, x), x, grad_output, create_graph=True)
    second = lib.autograd.grad((first * first).sum(), (x, grad_output), allow_unused=True)
    names, level = [], [first.grad_fn]
    while level:
        names.append([node.name() if node is not None else None for node in level])
        level = [child for node in level if node is not None
                 for child, _ in node.next_functions
                 if child is not None and "AccumulateGrad" not in child.name()]
    return first, second, names


def _assert_same(function, values, grad_values, dtype="float64"):
    expected = _grads_and_names(torch, function, values, grad_values, dtype)
    actual = _grads_and_names(ember, function, values, grad_values, dtype)
    tolerance = 1e-12 if dtype == "float64" else 1e-5
    for mine, theirs in zip((actual[0], *actual[1]), (expected[0], *expected[1])):
        assert (mine is None) == (theirs is None)
        if theirs is not None:
            assert mine.dtype == getattr(ember, dtype)
            np.testing.assert_allclose(mine.detach().numpy(), theirs.detach().numpy(),
                                       rtol=tolerance, atol=tolerance)
    assert actual[2] == expected[2]


def test_relu_gradient_is_zero_where_the_result_is_not_positive_whatever_flows_in():
    values = [[-1.0, 0.0, 2.0, NAN], [3.0, -0.0, -2.0, 5.0]]
    incoming = [[NAN, INF, NAN, 2.0], [1.0, -INF, NAN, 4.0]]
    x = ember.tensor(values, requires_grad=True)
    ember.relu(x).backward(ember.tensor(incoming))
    expected = torch.tensor(values, requires_grad=True)
    torch.relu(expected).backward(torch.tensor(incoming))
    np.testing.assert_array_equal(x.grad.numpy(), expected.grad.numpy())


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_relu_double_backward(dtype):
    values = RNG.standard_normal((3, 5))
    _assert_same(lambda lib, x: lib.relu(x) * x, values, RNG.standard_normal((3, 5)), dtype)
    _assert_same(lambda lib, x: lib.relu(x), values, RNG.standard_normal((3, 5)), dtype)


@pytest.mark.parametrize("name", ["log_softmax", "softmax"])
@pytest.mark.parametrize(("shape", "dim"), [((4, 3), 1), ((4, 3), 0), ((2, 3, 4), -1),
                                            ((2, 3, 20), 2), ((5,), 0), ((), 0)])
def test_softmax_family_gradients(name, shape, dim):
    def function(lib, x):
        return getattr(lib, name)(x.sin() * 2, dim)

    _assert_same(function, RNG.standard_normal(shape), RNG.standard_normal(shape))


def test_softmax_family_gradients_in_float32():
    for name in ("log_softmax", "softmax"):
        _assert_same(lambda lib, x, name=name: getattr(lib, name)(x * x, 1),
                     RNG.standard_normal((6, 10)), RNG.standard_normal((6, 10)), "float32")


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_gelu_double_backward(dtype):
    values = RNG.standard_normal((4, 6)) * 3
    _assert_same(lambda lib, x: lib.nn.functional.gelu(x), values,
                 RNG.standard_normal((4, 6)), dtype)
    _assert_same(lambda lib, x: lib.nn.functional.gelu(x * x) * x, values,
                 RNG.standard_normal((4, 6)), dtype)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize(("shape", "target_shape"), [((5,), ()), ((6, 4), (6,)),
                                                     ((2, 3, 4), (2, 4)),
                                                     ((2, 3, 2, 3), (2, 2, 3)),
                                                     ((2, 3, 2, 2, 2), (2, 2, 2, 2))])
def test_cross_entropy_over_class_targets_to_second_order(reduction, shape, target_shape):
    classes = shape[1] if len(shape) > 1 else shape[0]
    targets = RNG.integers(0, classes, target_shape)

    def loss(lib, x):
        return lib.nn.functional.cross_entropy(x * x, lib.tensor(targets),
                                               reduction=reduction)

    grad_shape = target_shape if reduction == "none" else ()
    _assert_same(loss, RNG.standard_normal(shape), RNG.standard_normal(grad_shape))


def test_profiler_names_the_backward_ops_as_torch_does():
    names = {}
    for lib in (torch, ember):
        profiler = lib.profiler
        x = lib.randn(8, 5, requires_grad=True)
        with profiler.profile() as recorded:
            loss = lib.nn.functional.cross_entropy(lib.relu(x), lib.tensor([0, 1, 2, 3] * 2))
            (loss + lib.softmax(x, 1).sum() + lib.nn.functional.gelu(x).sum()).backward()
        names[lib] = {event.key for event in recorded.key_averages()}
    backward_ops = {"aten::threshold_backward", "aten::_log_softmax_backward_data",
                    "aten::_softmax_backward_data", "aten::nll_loss_backward",
                    "aten::gelu_backward"}
    assert backward_ops <= names[torch] and backward_ops <= names[ember]
