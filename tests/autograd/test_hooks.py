"""Tensor and Node hooks against torch: what they see, replacing gradients, removal, and
their order relative to retain_grad."""

from __future__ import annotations

import pytest

from tests.autograd.oracle import check


def _leaf(lib):
    return lib.tensor([1.0, 2.0, 3.0], requires_grad=True)


def leaf_hook_sees_and_replaces(lib):
    x = _leaf(lib)
    seen = []

    def hook(grad):
        seen.append(grad.clone())
        return grad * 10

    x.register_hook(hook)
    (x * 2).sum().backward()
    return [seen, x.grad]


def nonleaf_hook_replaces_downstream(lib):
    x = _leaf(lib)
    y = x * 2
    y.register_hook(lambda grad: grad + 1)
    (y * y).sum().backward()
    return x.grad


def hook_removed(lib):
    x = _leaf(lib)
    handle = x.register_hook(lambda grad: grad * 100)
    handle.remove()
    (x * 2).sum().backward()
    return x.grad


def hooks_run_in_order(lib):
    x = _leaf(lib)
    y = x * 2
    order = []
    y.register_hook(lambda grad: order.append("first") or grad * 2)
    y.register_hook(lambda grad: order.append(("second", grad.tolist())))
    y.sum().backward()
    return [order, x.grad]


def hook_on_tensor_without_grad(lib):
    lib.ones(2).register_hook(lambda grad: grad)


def retain_grad_then_hook(lib):
    x = _leaf(lib)
    y = x * 2
    y.retain_grad()
    y.register_hook(lambda grad: grad * 3)
    (y * 1.0).sum().backward()
    return [y.grad, x.grad]


def hook_then_retain_grad(lib):
    x = _leaf(lib)
    y = x * 2
    y.register_hook(lambda grad: grad * 3)
    y.retain_grad()
    (y * 1.0).sum().backward()
    return [y.grad, x.grad]


def hook_in_create_graph(lib):
    x = _leaf(lib)
    flags = []
    x.register_hook(lambda grad: flags.append(grad.requires_grad))
    (x * x).sum().backward(create_graph=True)
    return flags


def node_hook_and_prehook(lib):
    x = _leaf(lib)
    w = lib.tensor([4.0, 5.0, 6.0], requires_grad=True)
    y = x * w
    calls = []

    def prehook(grad_outputs):
        calls.append(("pre", len(grad_outputs), grad_outputs[0].tolist()))
        return (grad_outputs[0] * 2,)

    def hook(grad_inputs, grad_outputs):
        calls.append(("post", [g.tolist() for g in grad_inputs],
                      [g.tolist() for g in grad_outputs]))
        return (grad_inputs[0], grad_inputs[1] * 0)

    y.grad_fn.register_prehook(prehook)
    y.grad_fn.register_hook(hook)
    y.sum().backward()
    return [calls, x.grad, w.grad]


def node_hook_with_none_input_grad(lib):
    x = _leaf(lib)
    c = lib.tensor([4.0, 5.0, 6.0])
    y = x * c
    seen = []
    y.grad_fn.register_hook(lambda grad_inputs, grad_outputs: seen.append(
        [g is None for g in grad_inputs]))
    y.sum().backward()
    return seen


def node_hook_removed(lib):
    x = _leaf(lib)
    y = x * 2
    handle = y.grad_fn.register_prehook(lambda grad_outputs: (grad_outputs[0] * 5,))
    handle.remove()
    y.sum().backward()
    return x.grad


def accumulate_grad_node_hooks(lib):
    x = _leaf(lib)
    y = x * 2
    node = y.grad_fn.next_functions[0][0]
    seen = []
    node.register_prehook(lambda grad_outputs: seen.append(("pre", grad_outputs[0].tolist())))
    node.register_hook(lambda grad_inputs, grad_outputs: seen.append(
        ("post", len(grad_inputs), grad_outputs[0].tolist())))
    y.sum().backward()
    return [seen, x.grad]


def tensor_hook_before_node_prehook(lib):
    x = _leaf(lib)
    y = x * 2
    order = []
    y.grad_fn.register_prehook(lambda grad_outputs: order.append("node prehook"))
    y.register_hook(lambda grad: order.append("tensor hook"))
    y.sum().backward()
    return order


def post_accumulate_grad_hook(lib):
    x = _leaf(lib)
    seen = []
    x.register_post_accumulate_grad_hook(lambda tensor: seen.append(tensor.grad.tolist()))
    (x * 2).sum().backward()
    (x * 2).sum().backward()
    return seen


def hook_returning_wrong_shape(lib):
    x = _leaf(lib)
    x.register_hook(lambda grad: grad[:2])
    (x * 2).sum().backward()


def hook_returning_wrong_dtype(lib):
    x = _leaf(lib)
    x.register_hook(lambda grad: grad.double())
    (x * 2).sum().backward()


def post_accumulate_grad_hook_refusals(lib):
    errors = []
    for tensor in (_leaf(lib) * 2, lib.ones(2)):
        try:
            tensor.register_post_accumulate_grad_hook(lambda t: None)
        except RuntimeError as error:
            errors.append(str(error))
    return errors


def post_accumulate_grad_hook_not_for_grad(lib):
    x = _leaf(lib)
    seen = []
    x.register_post_accumulate_grad_hook(lambda tensor: seen.append(tensor.grad.tolist()))
    lib.autograd.grad((x * 2).sum(), x)
    (x * 3).sum().backward(inputs=[x])
    return seen


def leaf_hook_with_grad(lib):
    x = _leaf(lib)
    x.register_hook(lambda grad: grad * 2)
    return lib.autograd.grad((x * 3).sum(), x)


def hook_handle_context_manager(lib):
    x = _leaf(lib)
    with x.register_hook(lambda grad: grad * 7):
        pass
    (x * 2).sum().backward()
    return x.grad


PROGRAMS = [
    leaf_hook_sees_and_replaces, nonleaf_hook_replaces_downstream, hook_removed,
    hooks_run_in_order, hook_on_tensor_without_grad, retain_grad_then_hook,
    hook_then_retain_grad, hook_in_create_graph, node_hook_and_prehook,
    node_hook_with_none_input_grad, node_hook_removed, accumulate_grad_node_hooks,
    tensor_hook_before_node_prehook, post_accumulate_grad_hook, hook_returning_wrong_shape,
    leaf_hook_with_grad, hook_handle_context_manager, hook_returning_wrong_dtype,
    post_accumulate_grad_hook_refusals, post_accumulate_grad_hook_not_for_grad,
]


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.__name__)
def test_hooks(program):
    check(program)
