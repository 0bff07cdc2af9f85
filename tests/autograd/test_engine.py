"""Tensor.backward, autograd.backward and autograd.grad against torch: arguments, errors,
freed saved tensors and retain_graph."""

from __future__ import annotations

import pytest

import ember
from tests.autograd.oracle import check


def _leaf(lib, values=(1.0, 2.0, 3.0)):
    return lib.tensor(list(values), requires_grad=True)


def backward_gradient_argument(lib):
    x = _leaf(lib)
    (x * x).backward(lib.tensor([1.0, 0.5, 2.0]))
    return x.grad


def backward_non_scalar(lib):
    (_leaf(lib) * 2).backward()


def backward_integer_output(lib):
    x = _leaf(lib)
    (x * 2).sum().long().backward()


def backward_no_grad_output(lib):
    lib.tensor([1.0]).sum().backward()


def backward_gradient_shape_mismatch(lib):
    x = _leaf(lib)
    (x * 2).backward(lib.ones(2))


def backward_gradient_broadcastable_shape(lib):
    x = _leaf(lib)
    (x * 2).backward(lib.ones(1, 3))


def backward_scalar_gradient_for_0dim(lib):
    x = _leaf(lib)
    (x * 2).sum().backward(lib.tensor(3.0))
    return x.grad


def backward_gradient_dtype(lib):
    x = _leaf(lib)
    (x * 2).backward(lib.ones(3, dtype=lib.float64))
    return x.grad


def backward_inputs(lib):
    x = _leaf(lib)
    w = _leaf(lib, (4.0, 5.0, 6.0))
    (x * w).sum().backward(inputs=[w])
    return [x.grad, w.grad]


def backward_inputs_single_tensor(lib):
    x = _leaf(lib)
    w = _leaf(lib, (4.0, 5.0, 6.0))
    (x * w).sum().backward(inputs=x)
    return [x.grad, w.grad]


def backward_inputs_nonleaf(lib):
    x = _leaf(lib)
    y = x * 2
    (y * y).sum().backward(inputs=[y])
    return [x.grad, y.retains_grad]


def backward_inputs_empty(lib):
    (_leaf(lib) * 2).sum().backward(inputs=[])


def backward_inputs_unused(lib):
    x = _leaf(lib)
    w = _leaf(lib)
    (x * 2).sum().backward(inputs=[w])
    return [x.grad, w.grad]


def backward_create_graph(lib):
    x = _leaf(lib)
    (x ** 3).sum().backward(create_graph=True)
    first = x.grad
    grad_fn = first.grad_fn.name() if first.grad_fn is not None else None
    x.grad.sum().backward()
    return [first.requires_grad, grad_fn, x.grad]


def autograd_backward_several_roots(lib):
    x = _leaf(lib)
    a = (x * 2).sum()
    b = x * x
    lib.autograd.backward([a, b], [None, lib.ones(3)])
    return x.grad


def autograd_backward_tensor_grad_list(lib):
    x = _leaf(lib)
    lib.autograd.backward(x * 3, lib.ones(3))
    return x.grad


def grad_basic(lib):
    x = _leaf(lib)
    w = _leaf(lib, (4.0, 5.0, 6.0))
    result = lib.autograd.grad((x * w).sum(), [x, w])
    return [result, x.grad, w.grad]


def grad_single_input_returns_tuple(lib):
    x = _leaf(lib)
    result = lib.autograd.grad((x * x).sum(), x)
    return [type(result).__name__, result]


def grad_outputs_argument(lib):
    x = _leaf(lib)
    return lib.autograd.grad(x * x, x, grad_outputs=lib.tensor([1.0, 2.0, 3.0]))


def grad_outputs_shape_mismatch(lib):
    x = _leaf(lib)
    lib.autograd.grad(x * x, x, grad_outputs=lib.ones(2))


def grad_outputs_count_mismatch(lib):
    x = _leaf(lib)
    lib.autograd.grad([x * x], x, grad_outputs=[lib.ones(3), lib.ones(3)])


def grad_non_scalar(lib):
    x = _leaf(lib)
    lib.autograd.grad(x * x, x)


def grad_unused(lib):
    x = _leaf(lib)
    w = _leaf(lib)
    lib.autograd.grad((x * 2).sum(), [x, w])


def grad_allow_unused(lib):
    x = _leaf(lib)
    w = _leaf(lib)
    return lib.autograd.grad((x * 2).sum(), [x, w], allow_unused=True)


def grad_materialize(lib):
    x = _leaf(lib)
    w = _leaf(lib)
    return lib.autograd.grad((x * 2).sum(), [x, w], materialize_grads=True)


def grad_materialize_with_allow_unused_false(lib):
    x = _leaf(lib)
    lib.autograd.grad((x * 2).sum(), [x], allow_unused=False, materialize_grads=True)


def grad_input_not_requiring(lib):
    x = _leaf(lib)
    c = lib.ones(3)
    lib.autograd.grad((x * c).sum(), [c])


def grad_output_not_requiring(lib):
    lib.autograd.grad(lib.ones(3).sum(), [_leaf(lib)])


def grad_nonleaf_input(lib):
    x = _leaf(lib)
    y = x * 2
    return lib.autograd.grad((y * y).sum(), y)


def grad_create_graph_second_order(lib):
    x = _leaf(lib)
    (first,) = lib.autograd.grad((x ** 3).sum(), x, create_graph=True)
    (second,) = lib.autograd.grad(first.sum(), x)
    return [first, second]


def grad_does_not_accumulate(lib):
    x = _leaf(lib)
    y = x * 2
    y.retain_grad()
    lib.autograd.grad((y * y).sum(), x)
    return [x.grad, y.grad]


def grad_is_grads_batched_off_by_default(lib):
    x = _leaf(lib)
    return lib.autograd.grad([(x * 2).sum(), (x * 3).sum()], x)


def grad_of_input_itself(lib):
    x = _leaf(lib)
    return lib.autograd.grad(x, x, grad_outputs=lib.ones(3))


def second_backward_saved_tensor(lib):
    x = _leaf(lib)
    y = (x * x).sum()
    y.backward()
    y.backward()


def second_backward_exp(lib):
    x = _leaf(lib)
    y = x.exp().sum()
    y.backward()
    y.backward()


def second_backward_no_saved_tensors(lib):
    x = _leaf(lib)
    y = (x + 2).sum()
    y.backward()
    y.backward()
    return x.grad


def second_backward_scalar_mul(lib):
    x = _leaf(lib)
    y = (x * 2).sum()
    y.backward()
    y.backward()
    return x.grad


def second_backward_retain_graph(lib):
    x = _leaf(lib)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    return x.grad


def second_grad_after_grad(lib):
    x = _leaf(lib)
    y = (x * x).sum()
    lib.autograd.grad(y, x)
    lib.autograd.grad(y, x)


def backward_partial_graph_then_rest(lib):
    x = _leaf(lib)
    y = x * x
    a = y.sum()
    b = (y * 3).sum()
    a.backward()
    b.backward()
    return x.grad


def saved_tensors_after_backward(lib):
    x = _leaf(lib)
    y = x * x
    y.sum().backward()
    return y.grad_fn._saved_self


def diamond_graph(lib):
    x = _leaf(lib)
    a = x * 2
    b = a.exp()
    c = a.sin()
    (b * c).sum().backward()
    return x.grad


def same_tensor_twice(lib):
    x = _leaf(lib)
    (x * x + x).sum().backward()
    return x.grad


def complex_leaf(lib):
    x = lib.tensor([1 + 2j, 3 - 1j], requires_grad=True)
    (x * x).abs().sum().backward()
    return x.grad


def complex_output_backward(lib):
    x = lib.tensor([1 + 2j], requires_grad=True)
    (x * 2).sum().backward()


def backward_in_no_grad(lib):
    x = _leaf(lib)
    y = (x * x).sum()
    with lib.no_grad():
        y.backward()
    return x.grad


def reentrant_backward_from_hook(lib):
    x = _leaf(lib)
    seen = []

    def hook(grad):
        z = _leaf(lib, (1.0,))
        (z * 2).sum().backward()
        seen.append(z.grad)

    y = x * 3
    y.register_hook(hook)
    y.sum().backward()
    return [x.grad, seen]


def execution_order(lib):
    x = _leaf(lib)
    w = _leaf(lib, (4.0, 5.0, 6.0))
    a = x * w
    b = a.exp()
    c = a.sin()
    d = x.cos()
    out = (b + c * d).sum()
    order = []
    for name, tensor in (("a", a), ("b", b), ("c", c), ("d", d), ("out", out)):
        tensor.grad_fn.register_prehook(lambda grads, name=name: order.append(name))
    for name, leaf in (("x", x), ("w", w)):
        leaf.register_hook(lambda grad, name=name: order.append(name))
    out.backward()
    return [order, x.grad, w.grad]


def create_graph_inside_no_grad(lib):
    x = _leaf(lib)
    y = (x ** 3).sum()
    with lib.no_grad():
        (first,) = lib.autograd.grad(y, x, create_graph=True)
    return [first, first.requires_grad, lib.is_grad_enabled()]


def backward_on_leaf(lib):
    x = _leaf(lib)
    x.backward(lib.tensor([1.0, 2.0, 3.0]))
    x.sum().backward()
    return x.grad


def grad_outputs_none_for_scalar(lib):
    x = _leaf(lib)
    return lib.autograd.grad([(x * 2).sum(), (x * x).sum()], x, grad_outputs=[None, None])


def leaf_grad_layout(lib):
    x = lib.ones(2, 3).t().requires_grad_()
    (x * 2).sum().backward()
    return [x.grad.stride(), x.grad.is_contiguous(), x.grad]


def grad_of_expanded_leaf_values(lib):
    x = lib.ones(1, 3).expand(2, 3).requires_grad_()
    (x * x).sum().backward()
    return x.grad


PROGRAMS = [
    backward_gradient_argument, backward_non_scalar, backward_integer_output,
    backward_no_grad_output, backward_gradient_shape_mismatch,
    backward_gradient_broadcastable_shape, backward_scalar_gradient_for_0dim,
    backward_gradient_dtype, backward_inputs, backward_inputs_single_tensor,
    backward_inputs_nonleaf, backward_inputs_empty, backward_inputs_unused,
    backward_create_graph, autograd_backward_several_roots, autograd_backward_tensor_grad_list,
    grad_basic, grad_single_input_returns_tuple, grad_outputs_argument,
    grad_outputs_shape_mismatch, grad_outputs_count_mismatch, grad_non_scalar, grad_unused,
    grad_allow_unused, grad_materialize, grad_materialize_with_allow_unused_false,
    grad_input_not_requiring, grad_output_not_requiring, grad_nonleaf_input,
    grad_create_graph_second_order, grad_does_not_accumulate,
    grad_is_grads_batched_off_by_default, grad_of_input_itself, second_backward_saved_tensor,
    second_backward_exp, second_backward_no_saved_tensors, second_backward_scalar_mul,
    second_backward_retain_graph, second_grad_after_grad, backward_partial_graph_then_rest,
    diamond_graph, same_tensor_twice,
    complex_leaf,
    complex_output_backward,
    backward_in_no_grad, reentrant_backward_from_hook, execution_order, leaf_grad_layout,
    create_graph_inside_no_grad, backward_on_leaf, grad_outputs_none_for_scalar,
    grad_of_expanded_leaf_values,
]


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.__name__)
def test_engine(program):
    check(program)


def test_create_graph_backward_warns_once():
    from ember.autograd import engine

    engine._create_graph_warned = False
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    with pytest.warns(UserWarning, match="Using backward\\(\\) with create_graph=True will "
                      "create a reference cycle"):
        (x * x).sum().backward(create_graph=True)
    (x * x).sum().backward(create_graph=True)  # warnings are errors: a second one would fail


# Which ops free something on backward: a second backward through each one alone must fail
# exactly where torch's does.
_SECOND_BACKWARD_OPS = {
    "add": lambda L, x: x + x, "add_scalar": lambda L, x: x + 2,
    "add_alpha": lambda L, x: L.add(x, x, alpha=2), "sub_scalar": lambda L, x: x - 1,
    "rsub_scalar": lambda L, x: 1 - x, "mul": lambda L, x: x * x,
    "mul_scalar": lambda L, x: x * 2, "mul_constant_tensor": lambda L, x: x * L.ones(3),
    "div_scalar": lambda L, x: x / 2, "rdiv_scalar": lambda L, x: 2 / x,
    "neg": lambda L, x: -x, "exp": lambda L, x: x.exp(), "log": lambda L, x: x.log(),
    "sqrt": lambda L, x: x.sqrt(), "sin": lambda L, x: x.sin(), "tanh": lambda L, x: x.tanh(),
    "sigmoid": lambda L, x: x.sigmoid(), "relu": lambda L, x: x.relu(),
    "abs": lambda L, x: x.abs(), "pow": lambda L, x: x ** 2, "clamp": lambda L, x: x.clamp(0, 2),
    "sum": lambda L, x: x.sum(), "sum_dim": lambda L, x: x.sum(0), "mean": lambda L, x: x.mean(),
    "prod": lambda L, x: x.prod(), "amax": lambda L, x: x.amax(), "max": lambda L, x: x.max(),
    "std": lambda L, x: x.std(), "view": lambda L, x: x.view(3, 1),
    "reshape": lambda L, x: x.reshape(1, 3), "expand": lambda L, x: x.expand(2, 3),
    "unsqueeze": lambda L, x: x.unsqueeze(0), "getitem_slice": lambda L, x: x[1:],
    "getitem_int": lambda L, x: x[1], "getitem_index": lambda L, x: x[L.tensor([0, 2])],
    "getitem_mask": lambda L, x: x[x > 1], "clone": lambda L, x: x.clone(),
    "to_double": lambda L, x: x.double(), "cat": lambda L, x: L.cat([x, x]),
    "stack": lambda L, x: L.stack([x, x]), "matmul": lambda L, x: x @ x,
    "split": lambda L, x: x.split(2)[0], "where": lambda L, x: L.where(x > 1, x, 0.0),
    "maximum": lambda L, x: L.maximum(x, L.ones(3)),
}


@pytest.mark.parametrize("name", list(_SECOND_BACKWARD_OPS))
def test_second_backward_through_one_op(name):
    operation = _SECOND_BACKWARD_OPS[name]

    def program(lib):
        x = _leaf(lib)
        y = operation(lib, x).sum()
        y.backward()
        y.backward()
        return x.grad

    check(program)
