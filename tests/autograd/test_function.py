"""autograd.Function against torch: both styles of forward, ctx features, node names."""

from __future__ import annotations

import pytest

from tests.autograd.oracle import check


def _leaf(lib, values=(1.0, 2.0, 3.0)):
    return lib.tensor(list(values), requires_grad=True)


def _square(lib):
    class Square(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 2 * x

    return Square


def basic(lib):
    x = _leaf(lib)
    y = _square(lib).apply(x)
    y.sum().backward()
    return [y, y.grad_fn.name(), x.grad, y.is_leaf,
            [(n.name(), i) for n, i in y.grad_fn.next_functions]]


def setup_context_style(lib):
    class Scale(lib.autograd.Function):
        @staticmethod
        def forward(x, factor):
            return x * factor

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.factor = inputs[1]

        @staticmethod
        def backward(ctx, grad):
            return grad * ctx.factor, None

    x = _leaf(lib)
    y = Scale.apply(x, 3.0)
    y.sum().backward()
    return [y, y.grad_fn.name(), x.grad]


def needs_input_grad(lib):
    seen = []

    class Mul(lib.autograd.Function):
        @staticmethod
        def forward(ctx, a, b, scale):
            ctx.save_for_backward(a, b)
            return a * b * scale

        @staticmethod
        def backward(ctx, grad):
            seen.append(ctx.needs_input_grad)
            a, b = ctx.saved_tensors
            return grad * b, grad * a, None

    a = _leaf(lib)
    b = lib.tensor([4.0, 5.0, 6.0])
    Mul.apply(a, b, 2).sum().backward()
    return [seen, a.grad]


def non_tensor_args(lib):
    class Shift(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, amount, label):
            ctx.label = label
            return x + amount

        @staticmethod
        def backward(ctx, grad):
            return grad * 1.0, None, None

    x = _leaf(lib)
    y = Shift.apply(x, 2, "text")
    y.sum().backward()
    return [y, y.grad_fn.label, x.grad]


def multiple_outputs(lib):
    class Both(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, grad_a, grad_b):
            return grad_a * 2 + grad_b * 3

    x = _leaf(lib)
    a, b = Both.apply(x)
    (a.sum() + b.sum() * 2).backward()
    return [a, b, a.grad_fn is b.grad_fn, a.output_nr, b.output_nr, x.grad]


def one_output_used(lib):
    seen = []

    class Both(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, grad_a, grad_b):
            seen.append(grad_b)
            return grad_a * 2 + grad_b * 3

    x = _leaf(lib)
    a, _ = Both.apply(x)
    a.sum().backward()
    return [seen, x.grad]


def materialize_grads_off(lib):
    seen = []

    class Both(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, grad_a, grad_b):
            seen.append(grad_b is None)
            return grad_a * 2

    x = _leaf(lib)
    a, _ = Both.apply(x)
    a.sum().backward()
    return [seen, x.grad]


def returns_input(lib):
    class Identity(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, grad):
            return grad * 5

    x = _leaf(lib)
    y = Identity.apply(x)
    y.sum().backward()
    return [y is x, y.grad_fn.name(), y._is_view(), x.grad]


def mark_dirty(lib):
    class AddOne(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.add_(1)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, grad):
            return grad * 1.0

    x = _leaf(lib)
    y = x * 2
    z = AddOne.apply(y)
    (z * z).sum().backward()
    return [z is y, y.grad_fn.name(), y._version, x.grad]


def mark_dirty_on_leaf(lib):
    class AddOne(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.add_(1)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, grad):
            return grad

    AddOne.apply(_leaf(lib))


def mark_non_differentiable(lib):
    class SortLike(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            index = (x > 1).long()
            doubled = x * 2
            ctx.mark_non_differentiable(index)
            return doubled, index

        @staticmethod
        def backward(ctx, grad, grad_index):
            return grad * 2

    x = _leaf(lib)
    doubled, index = SortLike.apply(x)
    doubled.sum().backward()
    return [index.requires_grad, index.grad_fn, doubled.grad_fn.name(), x.grad]


def mark_non_differentiable_float(lib):
    class Pair(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            a, b = x * 2, x * 3
            ctx.mark_non_differentiable(b)
            return a, b

        @staticmethod
        def backward(ctx, grad_a, grad_b):
            return grad_a * 2 + grad_b

    x = _leaf(lib)
    a, b = Pair.apply(x)
    a.sum().backward()
    return [b.requires_grad, b.is_leaf, x.grad]


def _once_differentiable_cube(lib):
    class Cube(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        @lib.autograd.function.once_differentiable
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 3 * x * x

    return Cube


def once_differentiable(lib):
    x = _leaf(lib)
    y = _once_differentiable_cube(lib).apply(x).sum()
    (g,) = lib.autograd.grad(y, x, create_graph=True)
    return [g, g.requires_grad]


def once_differentiable_double_backward(lib):
    x = _leaf(lib)
    (g,) = lib.autograd.grad(_once_differentiable_cube(lib).apply(x).sum(), x,
                             create_graph=True)
    g.sum().backward()


def double_backward_through_function(lib):
    x = _leaf(lib)
    (g,) = lib.autograd.grad(_square(lib).apply(x).sum(), x, create_graph=True)
    (h,) = lib.autograd.grad(g.sum(), x)
    return [g, h]


def no_grad_apply(lib):
    x = _leaf(lib)
    with lib.no_grad():
        y = _square(lib).apply(x)
    return [y.requires_grad, y.grad_fn]


def inputs_not_requiring(lib):
    y = _square(lib).apply(lib.tensor([1.0, 2.0]))
    return [y.requires_grad, y.grad_fn]


def wrong_number_of_grads(lib):
    class Bad(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x * y

        @staticmethod
        def backward(ctx, grad):
            return grad

    x = _leaf(lib)
    Bad.apply(x, x).sum().backward()


def too_many_grads(lib):
    class Bad(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return grad, grad

    x = _leaf(lib)
    Bad.apply(x).sum().backward()


def wrong_grad_shape(lib):
    class Bad(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return grad[:2]

    x = _leaf(lib)
    Bad.apply(x).sum().backward()


def grad_for_non_requiring_input(lib):
    class Mul(lib.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            return a * b

        @staticmethod
        def backward(ctx, grad):
            return grad * 2, grad * 3

    a = _leaf(lib)
    b = lib.ones(3)
    Mul.apply(a, b).sum().backward()
    return [a.grad, b.grad]


def saved_tensors_freed(lib):
    x = _leaf(lib)
    y = _square(lib).apply(x).sum()
    y.backward()
    y.backward()


def saved_tensors_freed_no_saved(lib):
    class Double(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return grad * 2

    x = _leaf(lib)
    y = Double.apply(x).sum()
    y.backward()
    y.backward()
    return x.grad


def saved_input_modified(lib):
    x = _leaf(lib)
    y = x * 1.0
    z = _square(lib).apply(y)
    y.add_(1)
    z.sum().backward()


def forward_without_ctx_missing_setup(lib):
    class NoCtx(lib.autograd.Function):
        @staticmethod
        def forward(x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return grad

    return NoCtx.apply(_leaf(lib))


def call_forward_directly_via_instance(lib):
    x = _leaf(lib)
    return _square(lib).apply(x=x) if False else _square(lib).apply(x)


def ctx_is_function_ctx(lib):
    captured = []

    class Grab(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            captured.append(isinstance(ctx, lib.autograd.function.FunctionCtx))
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return grad

    Grab.apply(_leaf(lib))
    return captured


def nested_function_names(lib):
    class Outer(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x.exp()

        @staticmethod
        def backward(ctx, grad):
            return grad

    y = Outer.apply(_leaf(lib))
    return [y.grad_fn.name(), type(y.grad_fn).__name__]


PROGRAMS = [
    basic, setup_context_style, needs_input_grad, non_tensor_args, multiple_outputs,
    one_output_used, materialize_grads_off, returns_input, mark_dirty, mark_dirty_on_leaf,
    mark_non_differentiable, mark_non_differentiable_float, once_differentiable,
    once_differentiable_double_backward, double_backward_through_function, no_grad_apply,
    inputs_not_requiring, wrong_number_of_grads, too_many_grads, wrong_grad_shape,
    grad_for_non_requiring_input, saved_tensors_freed, saved_tensors_freed_no_saved,
    saved_input_modified, forward_without_ctx_missing_setup,
    call_forward_directly_via_instance, ctx_is_function_ctx, nested_function_names,
]


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.__name__)
def test_function(program):
    check(program)


def test_saved_second_output_differentiates_to_that_output():
    """A saved output read under create_graph leads back to the output it is, not to the
    node's first one."""

    def program(lib):
        x = _leaf(lib, (3.0, 1.0, 2.0))

        class TwoOutputs(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                doubled, cubed = x * 2, x ** 3
                ctx.save_for_backward(x, cubed)
                return doubled, cubed

            @staticmethod
            def backward(ctx, grad_doubled, grad_cubed):
                x, cubed = ctx.saved_tensors
                return grad_doubled * 2 + grad_cubed * 3 * cubed / x

        doubled, cubed = TwoOutputs.apply(x)
        (first,) = lib.autograd.grad((doubled * cubed).sum(), x, create_graph=True)
        return first, lib.autograd.grad(first.sum(), x)

    check(program)
