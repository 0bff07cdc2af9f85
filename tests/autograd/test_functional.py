"""gradcheck / gradgradcheck and autograd.functional against torch."""

from __future__ import annotations

import sys

import pytest
import torch

import ember
from tests.autograd.oracle import check


def _cube_sum(lib):
    return lambda x: (x ** 3).sum()


def _pair(x, y):
    return x * y + x.exp(), (x * y).sum()


def _inputs(lib):
    return lib.tensor([0.5, -1.0, 2.0], dtype=lib.float64)


def _second(lib):
    return lib.tensor([1.5, 0.25, -0.5], dtype=lib.float64)


def jacobian_single(lib):
    return lib.autograd.functional.jacobian(lambda x: x.exp() * x, _inputs(lib))


def jacobian_tuple(lib):
    return lib.autograd.functional.jacobian(_pair, (_inputs(lib), _second(lib)))


def jacobian_create_graph(lib):
    x = _inputs(lib).requires_grad_()
    jac = lib.autograd.functional.jacobian(lambda t: t ** 2, x, create_graph=True)
    jac.sum().backward()
    return [jac, x.grad]


def jacobian_matrix_input(lib):
    return lib.autograd.functional.jacobian(lambda m: m.sum(0) * 2,
                                            lib.ones(2, 3, dtype=lib.float64))


def hessian_single(lib):
    return lib.autograd.functional.hessian(lambda x: (x ** 3).sum() + (x[0] * x[1]),
                                           _inputs(lib))


def hessian_tuple(lib):
    return lib.autograd.functional.hessian(lambda x, y: (x * y * y).sum(),
                                           (_inputs(lib), _second(lib)))


def vjp_single(lib):
    return lib.autograd.functional.vjp(lambda x: x.exp(), _inputs(lib), _second(lib))


def vjp_scalar_default(lib):
    return lib.autograd.functional.vjp(_cube_sum(lib), _inputs(lib))


def vjp_tuple(lib):
    v = (lib.ones(3, dtype=lib.float64), lib.tensor(2.0, dtype=lib.float64))
    return lib.autograd.functional.vjp(_pair, (_inputs(lib), _second(lib)), v)


def vjp_needs_v(lib):
    lib.autograd.functional.vjp(lambda x: x * 2, _inputs(lib))


def jvp_single(lib):
    return lib.autograd.functional.jvp(lambda x: x.sin() * x, _inputs(lib), _second(lib))


def jvp_tuple(lib):
    v = (lib.ones(3, dtype=lib.float64), _second(lib))
    return lib.autograd.functional.jvp(_pair, (_inputs(lib), _second(lib)), v)


def hvp_and_vhp(lib):
    function = _cube_sum(lib)
    return [lib.autograd.functional.hvp(function, _inputs(lib), _second(lib)),
            lib.autograd.functional.vhp(function, _inputs(lib), _second(lib))]


def hvp_create_graph(lib):
    x = _inputs(lib).requires_grad_()
    value, product = lib.autograd.functional.hvp(_cube_sum(lib), x, _second(lib),
                                                 create_graph=True)
    product.sum().backward()
    return [value, product, x.grad]


def outputs_detached_without_create_graph(lib):
    x = _inputs(lib).requires_grad_()
    value, grad = lib.autograd.functional.vjp(lambda t: (t * t).sum(), x)
    return [value.requires_grad, grad.requires_grad]


def unrelated_output(lib):
    return lib.autograd.functional.jacobian(lambda x, y: x * 2, (_inputs(lib), _second(lib)))


def jacobian_strict_independent(lib):
    return lib.autograd.functional.jacobian(lambda a, b: a * 2, (lib.ones(2), lib.ones(2)),
                                            strict=True)


def jacobian_strict_constant_output(lib):
    return lib.autograd.functional.jacobian(lambda a: lib.ones(2), lib.ones(2), strict=True)


def jacobian_strict_ok(lib):
    return lib.autograd.functional.jacobian(lambda a, b: a * b, (lib.ones(2), lib.ones(2)),
                                            strict=True)


def vjp_strict_independent(lib):
    return lib.autograd.functional.vjp(lambda a, b: (a * 2).sum(), (lib.ones(2), lib.ones(2)),
                                       strict=True)


def gradcheck_passes(lib):
    x = _inputs(lib).requires_grad_()
    y = _second(lib).requires_grad_()
    return [lib.autograd.gradcheck(_pair, (x, y)),
            lib.autograd.gradgradcheck(lambda a, b: (a * b * a).sin(), (x, y))]


def _wrong_backward(lib):
    class Wrong(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 3 * x

    return Wrong


def gradcheck_wrong_backward(lib):
    x = _inputs(lib).requires_grad_()
    lib.autograd.gradcheck(_wrong_backward(lib).apply, (x,))


def gradcheck_wrong_backward_no_raise(lib):
    x = _inputs(lib).requires_grad_()
    return lib.autograd.gradcheck(_wrong_backward(lib).apply, (x,), raise_exception=False)


def gradgradcheck_wrong_double_backward(lib):
    class WrongSecond(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 3 * x.detach() ** 2  # detached: no second derivative

    x = _inputs(lib).requires_grad_()
    return lib.autograd.gradgradcheck(WrongSecond.apply, (x,), raise_exception=False)


def gradcheck_no_requiring_input(lib):
    x = lib.tensor([1.0, 2.0], dtype=lib.float64)
    return lib.autograd.gradcheck(lambda t: t * 2, (x,))


def gradcheck_fast_mode(lib):
    x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
    return lib.autograd.gradcheck(lambda t: t.exp(), (x,), fast_mode=True)


def gradcheck_noncontiguous(lib):
    x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=lib.float64).t().requires_grad_()
    return lib.autograd.gradcheck(lambda t: (t * t).sum(0), (x,))


def gradcheck_single_tensor(lib):
    x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
    return lib.autograd.gradcheck(lambda t: t.sin(), x)


def _complex_square(lib, conjugate):
    class Square(lib.autograd.Function):
        @staticmethod
        def forward(ctx, z):
            ctx.save_for_backward(z)
            return z * z

        @staticmethod
        def backward(ctx, grad):
            (z,) = ctx.saved_tensors
            derivative = 2 * z
            return grad * (derivative.conj() if conjugate else derivative)

    return Square


def gradcheck_complex(lib):
    """Complex inputs and outputs count as their real parts: PyTorch's convention for the
    gradient (the conjugate derivative) passes, the plain derivative does not."""
    z = lib.tensor([1 + 2j, 0.5 - 1j], dtype=lib.complex128, requires_grad=True)
    a = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
    return [lib.autograd.gradcheck(_complex_square(lib, True).apply, (z,)),
            lib.autograd.gradcheck(_complex_square(lib, False).apply, (z,),
                                   raise_exception=False),
            lib.autograd.gradcheck(lambda t: (t * t).exp(), (z,)),
            lib.autograd.gradgradcheck(lambda t: (t * t).exp(), (z,)),
            lib.autograd.gradcheck(lambda t: lib.complex(t, t * 2), (a,)),
            lib.autograd.gradgradcheck(lambda t: lib.polar(t, t), (a,))]


def gradcheck_multiple_outputs_and_int(lib):
    x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
    return lib.autograd.gradcheck(lambda t: (t.sin(), t.long()), (x,))


def gradcheck_nondifferentiable_output(lib):
    x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
    return lib.autograd.gradcheck(lambda t: t.detach() * 2, (x,))


def gradgradcheck_given_grad_outputs(lib):
    x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
    g = lib.tensor([0.5, -1.0], dtype=lib.float64, requires_grad=True)
    return lib.autograd.gradgradcheck(lambda t: t ** 3, (x,), (g,))


def hessian_non_scalar(lib):
    return lib.autograd.functional.hessian(lambda t: t * 2, lib.ones(2, dtype=lib.float64))


def jvp_non_scalar_v_none(lib):
    return lib.autograd.functional.jvp(lambda t: t * 2, lib.ones(2, dtype=lib.float64))


def vjp_wrong_v_shape(lib):
    return lib.autograd.functional.vjp(lambda t: t * 2, lib.ones(2, dtype=lib.float64),
                                       lib.ones(3, dtype=lib.float64))


def jacobian_nontensor_output(lib):
    return lib.autograd.functional.jacobian(lambda a: 3, lib.ones(2))

PROGRAMS = [
    jacobian_single, jacobian_tuple, jacobian_create_graph, jacobian_matrix_input,
    hessian_single, hessian_tuple, vjp_single, vjp_scalar_default, vjp_tuple, vjp_needs_v,
    jvp_single, jvp_tuple, hvp_and_vhp, hvp_create_graph,
    outputs_detached_without_create_graph, unrelated_output, gradcheck_passes,
    jacobian_strict_independent, jacobian_strict_constant_output, jacobian_strict_ok,
    vjp_strict_independent,
    gradcheck_wrong_backward_no_raise, gradgradcheck_wrong_double_backward,
    gradcheck_no_requiring_input,
    gradcheck_fast_mode,
    gradcheck_noncontiguous,
    gradcheck_single_tensor,
    gradcheck_multiple_outputs_and_int,
    gradcheck_complex,
    gradcheck_nondifferentiable_output,
    gradgradcheck_given_grad_outputs,
    hessian_non_scalar,
    jvp_non_scalar_v_none,
    vjp_wrong_v_shape,
    jacobian_nontensor_output,
]


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.__name__)
def test_functional(program):
    check(program)


def test_gradcheck_float32_warns_and_reports_jacobians():
    def program(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        return lib.autograd.gradcheck(lambda t: t * 2, (x,))

    check(program)


def test_gradcheck_error_type():
    """Both raise their GradcheckError, a RuntimeError subclass, on a wrong backward."""
    for lib in (torch, ember):
        # torch.autograd.gradcheck is the function; the class lives in its module
        error = sys.modules[f"{lib.__name__}.autograd.gradcheck"].GradcheckError
        assert issubclass(error, RuntimeError)
        with pytest.raises(error, match="Jacobian mismatch for output 0 with respect to input 0"):
            gradcheck_wrong_backward(lib)


def _inplace_on_view(x):
    y = x * 1.0
    y[1:].mul_(x[:2])
    y[0] = x[2] ** 2
    return y.exp()


def _base_after_view_inplace(x):
    y = x * 2.0
    view = y[::2]
    y.mul_(x)
    return view * y[1]


def _setitem_index(x):
    y = x * x
    y[x.new_tensor([0, 2]).long()] = x[:2] * 3
    return y


@pytest.mark.parametrize("function", [_inplace_on_view, _base_after_view_inplace,
                                      _setitem_index], ids=lambda f: f.__name__)
def test_gradcheck_through_inplace(function):
    """First and second derivatives through CopySlices and regenerated view histories,
    checked by finite differences, and equal to torch's."""
    x = ember.tensor([0.5, -1.0, 2.0], dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(function, (x,))
    assert ember.autograd.gradgradcheck(function, (x,))

    def program(lib):
        t = lib.tensor([0.5, -1.0, 2.0], dtype=lib.float64, requires_grad=True)
        (first,) = lib.autograd.grad(function(t).sum(), t, create_graph=True)
        (second,) = lib.autograd.grad((first * first).sum(), t)
        return [first, second]

    check(program)
