"""no_grad, enable_grad, set_grad_enabled, inference_mode against torch: as context managers,
decorators and functions, nested, in generators and threads."""

from __future__ import annotations

import threading

import pytest

from tests.autograd.oracle import check


def _leaf(lib):
    return lib.tensor([1.0, 2.0], requires_grad=True)


def no_grad_block(lib):
    x = _leaf(lib)
    with lib.no_grad():
        y = x * 2
        inside = lib.is_grad_enabled()
    return [y.requires_grad, y.grad_fn, inside, lib.is_grad_enabled()]


def no_grad_returns_none_on_enter(lib):
    with lib.no_grad() as value:
        return value


def enable_grad_inside_no_grad(lib):
    x = _leaf(lib)
    with lib.no_grad():
        with lib.enable_grad():
            y = x * 2
        z = x * 2
    return [y.requires_grad, z.requires_grad]


def set_grad_enabled_function(lib):
    x = _leaf(lib)
    lib.set_grad_enabled(False)
    try:
        y = x * 2
        state = lib.is_grad_enabled()
    finally:
        lib.set_grad_enabled(True)
    return [y.requires_grad, state, lib.is_grad_enabled()]


def set_grad_enabled_context(lib):
    x = _leaf(lib)
    with lib.set_grad_enabled(False):
        y = x * 2
        with lib.set_grad_enabled(True):
            z = x * 2
        inner = lib.is_grad_enabled()
    return [y.requires_grad, z.requires_grad, inner, lib.is_grad_enabled()]


def set_grad_enabled_restores_on_error(lib):
    try:
        with lib.set_grad_enabled(False):
            raise ValueError("inside")
    except ValueError:
        pass
    return lib.is_grad_enabled()


def no_grad_decorator(lib):
    x = _leaf(lib)

    @lib.no_grad()
    def double(t):
        return t * 2

    return [double(x).requires_grad, double.__name__, lib.is_grad_enabled()]


def bare_no_grad_decorator(lib):
    x = _leaf(lib)

    @lib.no_grad
    def double(t):
        return t * 2

    return [double(x).requires_grad, double.__name__]


def enable_grad_decorator(lib):
    x = _leaf(lib)

    @lib.enable_grad()
    def double(t):
        return t * 2

    with lib.no_grad():
        result = double(x)
    return result.requires_grad


def set_grad_enabled_decorator(lib):
    x = _leaf(lib)

    @lib.set_grad_enabled(False)
    def double(t):
        return t * 2

    # applying the decorator disables grad at once in torch; restore it
    lib.set_grad_enabled(True)
    return [double(x).requires_grad, lib.is_grad_enabled()]


def generator_decorator(lib):
    x = _leaf(lib)

    @lib.no_grad()
    def gen():
        for _ in range(2):
            received = yield (x * 2).requires_grad, lib.is_grad_enabled()
            yield received

    iterator = gen()
    results = [next(iterator), lib.is_grad_enabled(), iterator.send("sent"), next(iterator)]
    iterator.close()
    return [results, lib.is_grad_enabled()]


def decorate_class(lib):
    @lib.no_grad()
    class Thing:
        def __init__(self):
            self.grad_enabled = lib.is_grad_enabled()

    return [isinstance(Thing, type), Thing().grad_enabled, lib.is_grad_enabled()]


def inference_mode_block(lib):
    x = _leaf(lib)
    with lib.inference_mode():
        y = x * 2
        flags = [lib.is_grad_enabled(), lib.is_inference_mode_enabled(), y.requires_grad]
    return [flags, lib.is_inference_mode_enabled()]


def inference_mode_false(lib):
    x = _leaf(lib)
    with lib.inference_mode(False):
        y = x * 2
    return [y.requires_grad, lib.is_inference_mode_enabled()]


def inference_mode_decorators(lib):
    x = _leaf(lib)

    @lib.inference_mode()
    def double(t):
        return t * 2

    @lib.inference_mode
    def triple(t):
        return t * 3

    return [double(x).requires_grad, triple(x).requires_grad, triple.__name__]


def inference_tensor_in_autograd(lib):
    with lib.inference_mode():
        t = lib.ones(2)
    x = _leaf(lib)
    return (x * t).requires_grad


def inference_tensor_inplace_outside(lib):
    with lib.inference_mode():
        t = lib.ones(2)
    t.add_(1)


def inference_tensor_saved_for_backward(lib):
    with lib.inference_mode():
        t = lib.ones(2)
    x = _leaf(lib)
    (x * t).sum().backward()
    return x.grad


def inference_tensor_kinds(lib):
    """Views of inference tensors are inference tensors; results of ops outside are not."""
    with lib.inference_mode():
        t = lib.ones(2, 3)
        with lib.no_grad():
            nested = lib.ones(2)
        with lib.inference_mode(False):
            normal = lib.ones(2)
    return [t.is_inference(), t[0].is_inference(), t.view(6).is_inference(),
            t.detach().is_inference(), t.clone().is_inference(), (t + 1).is_inference(),
            nested.is_inference(), normal.is_inference(), lib.ones(2).is_inference(),
            [piece.is_inference() for piece in t.unbind()]]


def inference_tensor_version(lib):
    with lib.inference_mode():
        t = lib.ones(2)
    return t._version


def inference_tensor_requires_grad(lib):
    with lib.inference_mode():
        inside = lib.ones(2, requires_grad=True)
        t = lib.ones(2)
    flags = [inside.requires_grad, inside.is_inference(), t.requires_grad_(False).requires_grad]
    try:
        t.requires_grad_()
    except RuntimeError as error:
        flags.append(str(error))
    return flags


def inference_tensor_inplace_inside(lib):
    with lib.inference_mode():
        t = lib.ones(2)
        t.add_(1)
        t[0] = 5.0
    return [t, t.requires_grad]


def normal_tensor_in_inference_mode(lib):
    x = lib.zeros(2)
    leaf = _leaf(lib)
    with lib.inference_mode():
        x.add_(1)
        view = x[:1]
        product = leaf * 2
    view.add_(1)
    return [x, x._version, view.is_inference(), product.requires_grad, product.grad_fn,
            product.is_inference()]


def inference_tensor_writes_outside(lib):
    """Each write is refused; a sum, which saves nothing, may still use it with autograd."""
    with lib.inference_mode():
        t = lib.ones(2)
    refusals = []
    for write in (lambda: t.zero_(), lambda: t.copy_(lib.zeros(2)),
                  lambda: t.__setitem__(0, 3.0), lambda: lib.add(t, 1, out=t)):
        try:
            write()
        except RuntimeError as error:
            refusals.append(str(error))
    leaf = lib.ones(2, requires_grad=True)
    (leaf + t).sum().backward()
    return [refusals, leaf.grad]


def inference_mode_false_enables_grad(lib):
    states = []
    for outer in (lib.no_grad, lib.inference_mode):
        with outer():
            with lib.inference_mode(False):
                x = lib.ones(2, requires_grad=True)
                states.append([lib.is_grad_enabled(), lib.is_inference_mode_enabled(),
                               (x * 2).requires_grad])
    return states


def inference_tensor_views_outside(lib):
    """Outside inference mode a view of an inference tensor neither requires grad nor leads
    to its base (a Linear made in inference mode gets no weight gradient through w.t())."""
    with lib.inference_mode():
        w = lib.ones(2, requires_grad=True)
        linear = lib.nn.Linear(2, 2)
    (w * 2).sum().backward()
    view = w.view(2)
    linear(lib.ones(1, 2)).sum().backward()
    return [w.grad, view.requires_grad, view.grad_fn, view.is_leaf, w[[0, 1]].requires_grad,
            linear.weight.grad, linear.bias.grad, linear.weight.data.is_inference()]


def nesting(lib):
    states = []
    with lib.no_grad():
        states.append(lib.is_grad_enabled())
        with lib.enable_grad():
            states.append(lib.is_grad_enabled())
            with lib.no_grad():
                states.append(lib.is_grad_enabled())
            states.append(lib.is_grad_enabled())
        states.append(lib.is_grad_enabled())
    states.append(lib.is_grad_enabled())
    return states


def thread_starts_with_grad(lib):
    seen = []

    def worker():
        seen.append(lib.is_grad_enabled())
        lib.set_grad_enabled(False)

    with lib.no_grad():
        thread = threading.Thread(target=worker)
        thread.start()
        thread.join()
        inside = lib.is_grad_enabled()
    return [seen, inside, lib.is_grad_enabled()]


def autograd_namespace(lib):
    return [lib.autograd.no_grad is lib.no_grad, lib.autograd.enable_grad is lib.enable_grad,
            lib.autograd.set_grad_enabled is lib.set_grad_enabled,
            lib.autograd.grad_mode.no_grad is lib.no_grad]


def set_grad_enabled_bad_argument(lib):
    lib.set_grad_enabled("yes")


def requires_grad_under_no_grad(lib):
    with lib.no_grad():
        x = lib.ones(2, requires_grad=True)
        y = x * 2
    return [x.requires_grad, y.requires_grad]


def backward_inside_no_grad_block(lib):
    x = _leaf(lib)
    y = (x * x).sum()
    with lib.no_grad():
        y.backward()
    return x.grad


PROGRAMS = [
    no_grad_block, no_grad_returns_none_on_enter, enable_grad_inside_no_grad,
    set_grad_enabled_function, set_grad_enabled_context, set_grad_enabled_restores_on_error,
    no_grad_decorator, bare_no_grad_decorator, enable_grad_decorator,
    set_grad_enabled_decorator, generator_decorator, decorate_class, inference_mode_block,
    inference_mode_false, inference_mode_decorators,
    inference_tensor_in_autograd, inference_tensor_inplace_outside,
    inference_tensor_saved_for_backward, inference_tensor_kinds, inference_tensor_version,
    inference_tensor_requires_grad, inference_tensor_inplace_inside,
    normal_tensor_in_inference_mode, inference_tensor_writes_outside,
    inference_mode_false_enables_grad, inference_tensor_views_outside,
    nesting,
    thread_starts_with_grad, autograd_namespace, set_grad_enabled_bad_argument,
    requires_grad_under_no_grad, backward_inside_no_grad_block,
]


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.__name__)
def test_grad_mode(program):
    check(program)
