"""Smaller parts of the autograd API against torch: Function ctx details, checks on
node hooks' results, batched grads, anomaly context values, node metadata, and the autograd
side of training loops (optimizer-style updates, .data, freezing), saved-tensor hooks."""

from __future__ import annotations

import pytest

from tests.autograd.oracle import check


def _leaf(lib):
    return lib.tensor([1.0, 2.0, 3.0], requires_grad=True)


def anomaly_enter_value(lib):
    with lib.autograd.set_detect_anomaly(True) as value:
        return value is None


def save_none(lib):
    class F(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x, None)
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            a, b = ctx.saved_tensors
            return grad * 2 if b is None else grad
    x = _leaf(lib)
    F.apply(x).sum().backward()
    return x.grad


def save_non_tensor(lib):
    class F(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x, 3)
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return grad
    F.apply(_leaf(lib))


def no_backward(lib):
    class F(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2
    F.apply(_leaf(lib)).sum().backward()


def call_grad_fn(lib):
    x = _leaf(lib)
    y = x * x
    return y.grad_fn(lib.ones(3))


def node_hook_wrong_count(lib):
    x = _leaf(lib)
    y = x * 2
    y.grad_fn.register_hook(lambda gi, go: (gi[0], gi[0]))
    y.sum().backward()


def backward_scalar_grad_tensor(lib):
    x = _leaf(lib)
    lib.autograd.backward((x * 2).sum(), 3.0)
    return x.grad


def grad_batched(lib):
    x = _leaf(lib)
    return lib.autograd.grad(x * 2, x, lib.eye(3), is_grads_batched=True)


def function_returns_non_tensor(lib):
    class F(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, 5

        @staticmethod
        def backward(ctx, grad, other):
            return grad * 2
    x = _leaf(lib)
    a, b = F.apply(x)
    a.sum().backward()
    return [b, x.grad]


def function_apply_kwargs(lib):
    class F(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, scale=2.0):
            return x * scale

        @staticmethod
        def backward(ctx, grad):
            return grad
    return F.apply(_leaf(lib), scale=3.0)


def requires_grad_kw(lib):
    return _leaf(lib).requires_grad_(requires_grad=False)


def grad_fn_metadata(lib):
    y = _leaf(lib) * 2
    return y.grad_fn.metadata


def next_functions_of_view(lib):
    x = _leaf(lib)
    y = x[1:]
    return [n.name() for n, _ in y.grad_fn.next_functions]


def retain_graph_false_create_graph(lib):
    x = _leaf(lib)
    y = (x * x).sum()
    y.backward(create_graph=True, retain_graph=False)
    y.backward()


def grad_on_int_output(lib):
    x = _leaf(lib)
    lib.autograd.grad(x.long().sum(), x)


def zero_grad_set_to_none(lib):
    x = _leaf(lib)
    (x * 2).sum().backward()
    x.grad = None
    return x.grad


def retain_grad_then_inplace(lib):
    x = _leaf(lib)
    y = x * 2
    y.retain_grad()
    y.mul_(3)
    (y * y).sum().backward()
    return [y.grad, x.grad]


def hook_then_inplace(lib):
    x = _leaf(lib)
    y = x * 2
    seen = []
    y.register_hook(lambda g: seen.append(g.tolist()))
    y.mul_(3)
    (y * y).sum().backward()
    return [seen, x.grad]


def mark_dirty_view(lib):
    class AddOne(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.add_(1)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, grad):
            return grad * 2
    x = _leaf(lib)
    y = x * 1.0
    v = y[1:]
    AddOne.apply(v)
    y.sum().backward()
    return [x.grad, y.grad_fn.name(), v.grad_fn.name()]


def backward_inputs_view(lib):
    x = _leaf(lib)
    y = x * 2
    v = y[1:]
    (v * v).sum().backward(inputs=[v])
    return [v.grad, x.grad]


def requires_grad_setter_non_leaf(lib):
    y = _leaf(lib) * 2
    y.requires_grad = False


def grad_accumulate_different_layout(lib):
    x = lib.ones(2, 3, requires_grad=True)
    (x * 2).sum().backward()
    g = x.grad
    (x.t() * 3).sum().backward()
    return [g is x.grad, x.grad, x.grad.stride()]


def detach_then_requires_grad_and_inplace(lib):
    x = _leaf(lib)
    d = x.detach()
    d.requires_grad_()
    d.mul_(2)


def backward_through_detach(lib):
    x = _leaf(lib)
    y = (x.detach() * x).sum()
    y.backward()
    return x.grad


def item_on_requires_grad(lib):
    return (_leaf(lib).sum() * 2).item()


def numpy_on_requires_grad(lib):
    _leaf(lib).numpy()


def tolist_on_requires_grad(lib):
    return _leaf(lib).tolist()


def bool_requires_grad(lib):
    return bool((_leaf(lib) > 0).all())


def set_data(lib):
    x = _leaf(lib)
    x.data = lib.zeros(3)
    (x * 2).sum().backward()
    return [x, x.grad, x.requires_grad]


def grad_fn_of_leaf_after_inplace_no_grad(lib):
    x = _leaf(lib)
    with lib.no_grad():
        x.mul_(2)
    return [x.grad_fn, x.is_leaf, x.requires_grad]


def grad_of_sum_of_views(lib):
    x = _leaf(lib)
    y = x * 1.0
    a, b = y[:2], y[1:]
    (a * b).sum().backward()
    return x.grad


def clone_inplace(lib):
    x = _leaf(lib)
    y = x.clone()
    y.mul_(2)
    y.sum().backward()
    return [x.grad, y.grad_fn.name()]


def unused_output_of_multi(lib):
    x = lib.tensor([[1.0, 5.0], [3.0, 2.0]], requires_grad=True)
    values, indices = x.max(1)
    values.sum().backward()
    return [x.grad, indices.requires_grad]


def sgd_like(lib):
    w = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
    history = []
    for _ in range(3):
        loss = ((w * 2 - 1) ** 2).sum()
        loss.backward()
        with lib.no_grad():
            w.add_(w.grad, alpha=-0.1)
            w.grad.detach_()
            w.grad.requires_grad_(False)
            w.grad.zero_()
        history.append(loss.item())
    return [history, w, w.grad, w._version]


def momentum_buffer(lib):
    w = lib.tensor([1.0, 2.0], requires_grad=True)
    buf = None
    for _ in range(2):
        (w * w).sum().backward()
        with lib.no_grad():
            buf = w.grad.clone() if buf is None else buf.mul_(0.9).add_(w.grad)
            w.sub_(buf * 0.1)
        w.grad = None
    return [w, buf]


def clip_grad(lib):
    w = lib.tensor([3.0, 4.0], requires_grad=True)
    (w * w).sum().backward()
    norm = w.grad.norm() if hasattr(w.grad, "norm") else (w.grad * w.grad).sum().sqrt()
    w.grad.mul_(1.0 / norm)
    return w.grad


def create_graph_penalty(lib):
    w = lib.tensor([1.0, 2.0], requires_grad=True)
    loss = (w ** 3).sum()
    (g,) = lib.autograd.grad(loss, w, create_graph=True)
    total = loss + (g * g).sum()
    total.backward()
    return w.grad


def param_data_copy(lib):
    w = lib.tensor([1.0, 2.0], requires_grad=True)
    w.data.copy_(lib.tensor([5.0, 6.0]))
    (w * 2).sum().backward()
    return [w, w.grad, w._version]


def freeze_unfreeze(lib):
    w = lib.tensor([1.0, 2.0], requires_grad=True)
    w.requires_grad_(False)
    y = (w * 2).sum()
    w.requires_grad_(True)
    z = (w * 3).sum()
    z.backward()
    return [y.requires_grad, w.grad]


def hooks_roundtrip(lib):
    packed = []

    def pack(t):
        packed.append(tuple(t.shape))
        return t * 1.0

    def unpack(t):
        return t * 2.0

    x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with lib.autograd.graph.saved_tensors_hooks(pack, unpack):
        y = x.exp().sum()
    y.backward()
    return [len(packed) > 0, x.grad]


def hooks_nested(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    with lib.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t * 10):
        with lib.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t * 3):
            y = (x * x).sum()
        z = (x * x).sum()
    y.backward()
    first = x.grad.clone()
    x.grad = None
    z.backward()
    return [first, x.grad]


def saved_on_cpu(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    with lib.autograd.graph.save_on_cpu():
        y = (x * x).sum()
    y.backward()
    return x.grad


def hooks_skip_version_check(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    with lib.autograd.graph.saved_tensors_hooks(lambda t: t.clone(), lambda t: t):
        y = x * 1.0
        z = (y * y).sum()
    y.add_(1)
    z.backward()
    return x.grad

PROGRAMS = [
    anomaly_enter_value,
    save_none,
    save_non_tensor,
    no_backward,
    call_grad_fn,
    node_hook_wrong_count,
    backward_scalar_grad_tensor,
    grad_batched,
    function_returns_non_tensor,
    function_apply_kwargs,
    requires_grad_kw,
    grad_fn_metadata,
    next_functions_of_view,
    retain_graph_false_create_graph,
    grad_on_int_output,
    zero_grad_set_to_none,
    retain_grad_then_inplace,
    hook_then_inplace,
    mark_dirty_view,
    backward_inputs_view,
    requires_grad_setter_non_leaf,
    grad_accumulate_different_layout,
    detach_then_requires_grad_and_inplace,
    backward_through_detach,
    item_on_requires_grad,
    numpy_on_requires_grad,
    tolist_on_requires_grad,
    bool_requires_grad,
    set_data,
    grad_fn_of_leaf_after_inplace_no_grad,
    grad_of_sum_of_views,
    clone_inplace,
    unused_output_of_multi,
    sgd_like,
    momentum_buffer,
    clip_grad,
    create_graph_penalty,
    param_data_copy,
    freeze_unfreeze,
    hooks_roundtrip,
    hooks_nested,
    saved_on_cpu,
    hooks_skip_version_check,
]


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.__name__)
def test_api(program):
    check(program)
