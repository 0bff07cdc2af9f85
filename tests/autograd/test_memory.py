"""The graph is freed by reference counting alone: no cycles, nothing alive after the last
reference to an output is dropped (see Note [The autograd graph])."""

from __future__ import annotations

import gc
import weakref

import pytest

import ember


@pytest.fixture
def no_gc():
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _live_ember_objects():
    from ember.autograd.graph import Node

    return sum(issubclass(type(o), ember.Tensor | Node) for o in gc.get_objects())


def _training_step(weight, bias, data, target):
    hidden = (data @ weight + bias).tanh()
    loss = ((hidden - target) ** 2).mean()
    loss.backward()
    with ember.no_grad():
        weight -= 0.1 * weight.grad
        bias -= 0.1 * bias.grad
    weight.grad = None
    bias.grad = None
    return loss.item()


def test_output_and_graph_die_with_last_reference(no_gc):
    x = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (x * 2).exp()
    z = y.sum()
    references = [weakref.ref(t) for t in (y, z)]
    nodes = [weakref.ref(z.grad_fn), weakref.ref(y.grad_fn),
             weakref.ref(y.grad_fn.next_functions[0][0])]
    del y, z
    assert all(r() is None for r in references + nodes)


def test_graph_dies_after_backward_and_del(no_gc):
    x = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
    loss = (x * x).sum()
    node = weakref.ref(loss.grad_fn)
    accumulator = weakref.ref(loss.grad_fn.next_functions[0][0].next_functions[0][0])
    loss.backward()
    del loss
    assert node() is None and accumulator() is None


def test_saved_output_makes_no_cycle(no_gc):
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()  # saves its output
    z = x.sigmoid()
    references = [weakref.ref(y), weakref.ref(y.grad_fn), weakref.ref(z.grad_fn)]
    del y, z
    assert all(r() is None for r in references)


def test_views_and_inplace_make_no_cycle(no_gc):
    x = ember.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = x * 1.0
    row = y[0]
    row.mul_(3)
    y[1] = 0.0
    nodes = [weakref.ref(y.grad_fn), weakref.ref(row.grad_fn)]
    tensors = [weakref.ref(y), weakref.ref(row)]
    y.sum().backward()
    del y, row
    assert all(r() is None for r in nodes + tensors)


def test_function_ctx_makes_no_cycle(no_gc):
    class Square(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            result = x * x
            ctx.save_for_backward(x, result)
            return result

        @staticmethod
        def backward(ctx, grad):
            x, _ = ctx.saved_tensors
            return grad * 2 * x

    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = Square.apply(x)
    references = [weakref.ref(y), weakref.ref(y.grad_fn)]
    y.sum().backward()
    del y
    assert all(r() is None for r in references)


def test_retain_grad_and_hooks_make_no_cycle(no_gc):
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    y.register_hook(lambda grad: grad * 2)
    references = [weakref.ref(y), weakref.ref(y.grad_fn)]
    y.sum().backward()
    del y
    assert all(r() is None for r in references)


def test_training_steps_leave_nothing_alive(no_gc):
    weight = ember.randn(4, 3, requires_grad=True)
    bias = ember.zeros(3, requires_grad=True)
    data, target = ember.randn(8, 4), ember.randn(8, 3)
    _training_step(weight, bias, data, target)
    before = _live_ember_objects()
    for _ in range(3):
        _training_step(weight, bias, data, target)
    assert _live_ember_objects() == before
    assert weight.grad is None and weight.is_leaf


def test_no_cycles_found_by_collector():
    gc.collect()
    x = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
    for _ in range(2):
        y = (x * x).exp()[1:]
        y.sum().backward()
        del y
    assert gc.collect() == 0
