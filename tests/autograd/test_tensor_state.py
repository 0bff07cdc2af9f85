"""requires_grad, leaves, grad_fn structure, .grad accumulation and retain_grad against torch."""

from __future__ import annotations

import pytest

from tests.autograd.oracle import check


def _leaf(lib, values=(1.0, 2.0, 3.0), **kwargs):
    return lib.tensor(list(values), requires_grad=True, **kwargs)


def int_requires_grad(lib):
    return lib.tensor([1, 2]).requires_grad_()


def int_factory_requires_grad(lib):
    return lib.tensor([1, 2], requires_grad=True)


def bool_requires_grad_attribute(lib):
    x = lib.tensor([True])
    x.requires_grad = True
    return x


def int_requires_grad_false_allowed(lib):
    return lib.tensor([1, 2]).requires_grad_(False)


def nonleaf_requires_grad_false(lib):
    y = _leaf(lib) * 2
    y.requires_grad_(False)
    return y


def nonleaf_requires_grad_true(lib):
    y = _leaf(lib) * 2
    return y.requires_grad_(True)


def leaf_flags(lib):
    x = _leaf(lib)
    y = x * 2
    z = lib.tensor([1.0])
    return [x.is_leaf, y.is_leaf, z.is_leaf, x.grad_fn, y.grad_fn.name(), z.requires_grad,
            y.requires_grad, y.detach().is_leaf, y.detach().requires_grad]


def leaf_toggle(lib):
    x = _leaf(lib)
    x.requires_grad_(False)
    return [x.requires_grad, x.is_leaf, (x * 2).requires_grad]


def next_functions_structure(lib):
    x = _leaf(lib)
    c = lib.tensor([4.0, 5.0, 6.0])
    y = x * c
    z = y + x
    functions = z.grad_fn.next_functions
    return [z.grad_fn.name(), [(f.name() if f is not None else None, n) for f, n in functions],
            [(f.name() if f is not None else None, n)
             for f, n in y.grad_fn.next_functions]]


def shared_accumulate_grad(lib):
    x = _leaf(lib)
    y = x * 2
    z = x * 3
    first = y.grad_fn.next_functions[0][0]
    second = z.grad_fn.next_functions[0][0]
    return [first is second, first.name(), first.variable is x]


def accumulate_over_backwards(lib):
    x = _leaf(lib)
    (x * x).sum().backward()
    first = x.grad.clone()
    (x * 3).sum().backward()
    return [first, x.grad]


def grad_zeroing(lib):
    x = _leaf(lib)
    (x * x).sum().backward()
    x.grad.zero_()
    (x * 2).sum().backward()
    after_zero = x.grad.clone()
    x.grad = None
    (x * 4).sum().backward()
    return [after_zero, x.grad]


def grad_is_same_object_after_accumulation(lib):
    x = _leaf(lib)
    x.sum().backward()
    grad = x.grad
    x.sum().backward()
    return [grad is x.grad, grad]


def grad_none_before_backward(lib):
    return _leaf(lib).grad


def nonleaf_grad_warns(lib):
    y = _leaf(lib) * 2
    return y.grad


def retain_grad(lib):
    x = _leaf(lib)
    y = x * 2
    y.retain_grad()
    z = (y * y).sum()
    z.backward(retain_graph=True)
    first = y.grad.clone()
    z.backward()
    return [y.retains_grad, x.retains_grad, first, y.grad, x.grad]


def retain_grad_on_leaf_is_noop(lib):
    x = _leaf(lib)
    x.retain_grad()
    x.sum().backward()
    return [x.retains_grad, x.grad]


def retain_grad_without_requires_grad(lib):
    lib.tensor([1.0]).retain_grad()


def propagation(lib):
    x = _leaf(lib)
    c = lib.tensor([1.0, 2.0, 3.0])
    return [(x > 1).requires_grad, (x == c).requires_grad, x.argmax().requires_grad,
            x.long().requires_grad, (x + c).requires_grad, (c + c).requires_grad,
            x.to(lib.float64).requires_grad, x.to(lib.float64).grad_fn.name(),
            x.sum().grad_fn.name(), x[0].grad_fn.name(), x.view(3, 1).grad_fn.name()]


def int_output_has_no_grad_fn(lib):
    x = _leaf(lib)
    y = x.long()
    return [y.grad_fn, y.is_leaf, x.floor().grad_fn.name()]


def detach(lib):
    x = _leaf(lib)
    y = x * 2
    d = y.detach()
    d2 = y.detach()
    d2.requires_grad_()
    return [d.requires_grad, d.is_leaf, d.grad_fn, d2.is_leaf, d2.requires_grad,
            d._version, d.data_ptr() == y.data_ptr()]


def detach_in_place(lib):
    x = _leaf(lib)
    y = x * 2
    result = y.detach_()
    return [result is y, y.requires_grad, y.is_leaf, y.grad_fn]


def detach_in_place_on_view(lib):
    x = _leaf(lib)
    y = (x * 2)[1:]
    y.detach_()


def detach_shares_version(lib):
    x = _leaf(lib)
    d = x.detach()
    d.add_(1)
    return [x._version, d._version, x]


def data_attribute(lib):
    x = _leaf(lib)
    d = x.data
    d.mul_(2)
    return [d.requires_grad, x._version, x]


def grad_setter_wrong_shape(lib):
    x = _leaf(lib)
    x.grad = lib.zeros(2)


def grad_setter_wrong_dtype(lib):
    x = _leaf(lib)
    x.grad = lib.zeros(3, dtype=lib.float64)


def grad_setter_non_tensor(lib):
    x = _leaf(lib)
    x.grad = [1.0, 2.0, 3.0]


def grad_setter_ok(lib):
    x = _leaf(lib)
    x.grad = lib.ones(3)
    (x * 2).sum().backward()
    return x.grad


def output_nr(lib):
    x = _leaf(lib, (1.0, 2.0, 3.0, 4.0))
    a, b = x.split(2)
    return [a.output_nr, b.output_nr, x.output_nr, a.grad_fn.name(), a.grad_fn is b.grad_fn]


def repr_requires_grad(lib):
    x = _leaf(lib)
    return [repr(x), repr(x * 2), repr((x * 2).sum()), repr(x[0]), repr(x.detach()),
            repr(x.view(3, 1)), repr(x.t() if x.ndim == 2 else x.exp()),
            repr(lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True) + 1),
            repr(x.split(1)[1])]


def repr_nonleaf_without_grad_mode(lib):
    x = _leaf(lib)
    with lib.no_grad():
        y = x * 2
    return repr(y)


def repr_custom_function(lib):
    class Twice(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return grad * 2

    return repr(Twice.apply(_leaf(lib)))


def node_is_graph_node(lib):
    x = _leaf(lib)
    y = x * 2
    accumulator = y.grad_fn.next_functions[0][0]
    return [isinstance(y.grad_fn, lib.autograd.graph.Node),
            isinstance(accumulator, lib.autograd.graph.Node), y.grad_fn.next_functions[0][1]]


def retain_grad_on_view_then_inplace(lib):
    x = _leaf(lib)
    y = x * 2
    v = y[1:]
    v.retain_grad()
    v.mul_(3)
    (y * 1.0).sum().backward()
    return [v.grad, x.grad, v.retains_grad]


def hook_on_tensor_used_twice(lib):
    x = _leaf(lib)
    y = x * 2
    seen = []
    y.register_hook(lambda grad: seen.append(grad.tolist()))
    (y * y + y).sum().backward()
    return [seen, x.grad]


PROGRAMS = [
    int_requires_grad, int_factory_requires_grad, bool_requires_grad_attribute,
    int_requires_grad_false_allowed, nonleaf_requires_grad_false, nonleaf_requires_grad_true,
    leaf_flags, leaf_toggle, next_functions_structure, shared_accumulate_grad,
    accumulate_over_backwards, grad_zeroing, grad_is_same_object_after_accumulation,
    grad_none_before_backward, nonleaf_grad_warns, retain_grad, retain_grad_on_leaf_is_noop,
    retain_grad_without_requires_grad, propagation, int_output_has_no_grad_fn, detach,
    detach_in_place, detach_in_place_on_view, detach_shares_version, data_attribute,
    grad_setter_wrong_shape, grad_setter_wrong_dtype, grad_setter_non_tensor, grad_setter_ok,
    output_nr, repr_requires_grad, repr_nonleaf_without_grad_mode, repr_custom_function,
    node_is_graph_node, retain_grad_on_view_then_inplace, hook_on_tensor_used_twice,
]


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.__name__)
def test_tensor_state(program):
    check(program)
