"""A leaf's first gradient: AccumulateGrad takes over a fresh gradient no one else can reach
(Note [Stealing gradients]) and copies any other, so no two tensors ever share memory that
PyTorch keeps apart. Each aliasing program mutates one side in place and compares with
torch what the other side holds."""

from __future__ import annotations

import pytest

import ember
from tests.autograd.oracle import check


def _address(tensor):
    return tensor._data.__array_interface__["data"][0]


def _incoming_address(leaf):
    """Record where the gradient arriving at ``leaf`` lives, holding no reference to it."""
    seen = []
    leaf.register_hook(lambda grad: seen.append(_address(grad)))
    return seen


def test_fresh_gradients_of_a_linear_layer_are_taken_over():
    x = ember.randn(5, 4)
    weight = ember.randn(3, 4, requires_grad=True)
    bias = ember.randn(3, requires_grad=True)
    arrived = [_incoming_address(weight), _incoming_address(bias)]
    (ember.addmm(bias, x, weight.t()) * 2).sum().backward()
    assert [_address(weight.grad), _address(bias.grad)] == [seen[0] for seen in arrived]
    assert weight.grad._base is None and bias.grad._base is None
    assert weight.grad.grad_fn is None and not weight.grad.requires_grad
    weight.grad.add_(1.0)  # a stolen gradient is as writable as a copied one
    assert weight.grad._version == 1


def test_first_gradient_of_a_differently_laid_out_leaf_is_copied_into_its_layout():
    leaf = ember.randn(4, 3).t().detach().requires_grad_()
    arrived = _incoming_address(leaf)
    (leaf * 2).sum().backward()
    assert _address(leaf.grad) != arrived[0]
    assert leaf.grad.stride() == leaf.stride()


def one_gradient_into_two_leaves(lib):
    a = lib.ones(3, requires_grad=True)
    b = lib.ones(3, requires_grad=True)
    ((a + b) * 2).sum().backward()
    a.grad.add_(100)
    return [a.grad, b.grad]


def one_gradient_tensor_into_two_leaves(lib):
    class Twice(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x + y

        @staticmethod
        def backward(ctx, grad):
            doubled = grad * 2
            return doubled, doubled

    a = lib.ones(3, requires_grad=True)
    b = lib.ones(3, requires_grad=True)
    Twice.apply(a, b).sum().backward()
    a.grad.add_(100)
    return [a.grad, b.grad]


def views_of_one_gradient_into_two_leaves(lib):
    a = lib.ones(2, requires_grad=True)
    b = lib.ones(3, requires_grad=True)
    (lib.cat([a, b]) * 2).sum().backward()
    a.grad.add_(100)
    b.grad.add_(1000)
    return [a.grad, b.grad]


def hook_keeps_the_gradient(lib, keep):
    a = lib.ones(2, 3, requires_grad=True)
    kept = []
    a.register_hook(lambda grad: kept.append(keep(grad)))
    (a * 3).sum().backward()
    a.grad.add_(100)
    return [a.grad, kept[0]]


KEEPERS = {
    "itself": lambda grad: grad,
    "a_view": lambda grad: grad[0],
    "a_reshape": lambda grad: grad.view(-1),
}


@pytest.mark.parametrize("keeper", KEEPERS, ids=list(KEEPERS))
def test_a_gradient_a_hook_kept_is_copied(keeper):
    check(lambda lib: hook_keeps_the_gradient(lib, KEEPERS[keeper]))


# PyTorch counts only references to the gradient tensor itself, so it takes over a gradient
# whose memory a detached alias or a NumPy array still shows; ember copies (the safe side).
ALIASES = {
    "detached": lambda grad: grad.detach(),
    "data": lambda grad: grad.data,
    "numpy": lambda grad: ember.as_tensor(grad.numpy()),
    "storage": lambda grad: ember.tensor([]).set_(grad.untyped_storage()),
}


@pytest.mark.parametrize("alias", ALIASES, ids=list(ALIASES))
def test_a_gradient_whose_memory_a_hook_kept_is_copied(alias):
    leaf_grad, kept = hook_keeps_the_gradient(ember, ALIASES[alias])
    assert leaf_grad.tolist() == [[103.0] * 3] * 2
    assert kept.flatten().tolist() == [3.0] * 6


def retained_gradient_of_the_leaf_alias(lib):
    a = lib.ones(3, requires_grad=True)
    y = a + 0
    y.retain_grad()
    (y * 3).sum().backward()
    a.grad.add_(100)
    return [a.grad, y.grad]


def gradient_kept_by_a_function_context(lib):
    class Stash(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.stash = lib.full_like(x, 5.0)
            return x.clone()

        @staticmethod
        def backward(ctx, grad):
            return ctx.stash

    a = lib.ones(3, requires_grad=True)
    out = Stash.apply(a).sum()
    out.backward(retain_graph=True)
    out.backward()
    return [a.grad, out.grad_fn.next_functions[0][0]]


def second_order_gradients(lib):
    a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (a * a * a).sum().backward(create_graph=True)
    first = a.grad
    first.sum().backward()
    return [first, a.grad]


def gradients_kept_by_autograd_grad(lib):
    a = lib.ones(3, requires_grad=True)
    y = a * 3
    (captured,) = lib.autograd.grad(y.sum(), a, retain_graph=True)
    y.sum().backward()
    a.grad.add_(100)
    return [a.grad, captured]


def accumulation_into_a_taken_over_gradient(lib):
    a = lib.ones(3, requires_grad=True)
    for _ in range(2):
        (a * 3).sum().backward()
    return a.grad


@pytest.mark.parametrize("program", [
    one_gradient_into_two_leaves, one_gradient_tensor_into_two_leaves,
    views_of_one_gradient_into_two_leaves,
    retained_gradient_of_the_leaf_alias, gradient_kept_by_a_function_context,
    second_order_gradients, gradients_kept_by_autograd_grad,
    accumulation_into_a_taken_over_gradient,
])
def test_against_torch(program):
    check(program)
