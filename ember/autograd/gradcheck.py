"""gradcheck / gradgradcheck: compare autograd's gradients with finite differences."""

from __future__ import annotations

import warnings

from ember.autograd import grad_mode
from ember.autograd.engine import grad as autograd_grad

__all__ = ["GradcheckError", "gradcheck", "gradgradcheck"]


class GradcheckError(RuntimeError):
    """Raised by gradcheck when analytical and numerical gradients differ."""


def _as_tuple(values):
    return tuple(values) if isinstance(values, list | tuple) else (values,)


def _differentiable_outputs(function, inputs):
    outputs = _as_tuple(function(*inputs))
    return [o for o in outputs if hasattr(o, "_requires_grad") and o._requires_grad]


def _float_outputs(function, inputs):
    """The outputs gradcheck compares: those of floating point or complex dtype."""
    return [o for o in _as_tuple(function(*inputs)) if hasattr(o, "_requires_grad")
            and (o._dtype.is_floating_point or o._dtype.is_complex)]


# A complex number counts as its two real parts: a complex output as the real parts of its
# elements followed by their imaginary parts, a complex input as the real and imaginary part
# of each element in turn. Jacobians are those of these real functions of real variables;
# autograd's side of them follows Note [Complex gradients] (ember/ops/_autograd.py).


def _real_parts(array):
    """An output's values as the real variables gradcheck compares."""
    flat = array.reshape(-1)
    if flat.dtype.kind != "c":
        return flat.copy()
    from ember.backends import cpu

    return cpu.concatenate([flat.real, flat.imag])


def _numerical_jacobians(function, inputs, differentiable, eps):
    """For each input needing grad and each output, d output / d input as an array of shape
    (real variables in, real variables out), from central differences."""
    from ember.backends import cpu

    jacobians = []
    with grad_mode.no_grad():
        for tensor in differentiable:
            data = tensor._data  # perturbed in place, so that views of it see the change too
            steps = (eps, eps * 1j) if data.dtype.kind == "c" else (eps,)
            columns = []
            for index in cpu.ndindex(data.shape):
                original = data[index].copy()
                for step in steps:
                    data[index] = original + step
                    plus = [_real_parts(o._data) for o in _float_outputs(function, inputs)]
                    data[index] = original - step
                    minus = [_real_parts(o._data) for o in _float_outputs(function, inputs)]
                    data[index] = original
                    columns.append([(p - m) / (2 * eps) for p, m in zip(plus, minus)])
            outputs = _float_outputs(function, inputs)
            jacobians.append([
                cpu.stack([c[o] for c in columns]) if columns else
                cpu.zeros((0, _real_parts(outputs[o]._data).size))
                for o in range(len(outputs))])
    return jacobians


def _analytical_jacobians(function, inputs, differentiable):
    """The same Jacobians from autograd, one vector-Jacobian product per real output
    variable (a gradient of 1 for a real part, of 1j for an imaginary part)."""
    from ember.backends import cpu
    from ember.ops.creation import zeros

    outputs = _float_outputs(function, inputs)
    jacobians = [[cpu.zeros((t._data.size * (2 if t._dtype.is_complex else 1),
                             _real_parts(o._data).size)) for o in outputs]
                 for t in differentiable]
    for output_index, output in enumerate(outputs):
        if not output._requires_grad:
            continue
        units = (1, 1j) if output._dtype.is_complex else (1,)
        size = output._data.size
        for part, unit in enumerate(units):
            for element in range(size):
                seed = zeros(output.shape, dtype=output.dtype)  # row-major: the write lands
                seed._data.reshape(-1)[element] = unit
                grads = autograd_grad(output, differentiable, seed, retain_graph=True,
                                      allow_unused=True)
                for input_index, grad in enumerate(grads):
                    if grad is not None:
                        values = grad._data.reshape(-1)
                        if values.dtype.kind == "c":  # (real, imaginary) of each element
                            values = cpu.stack([values.real, values.imag], -1).reshape(-1)
                        column = jacobians[input_index][output_index]
                        column[:, part * size + element] = values
    return jacobians, outputs


def _shown(jacobian, output):
    """A Jacobian as a tensor of ``output``'s real dtype, for the error message."""
    from ember._tensor import _make

    dtype = output._dtype.to_real()
    return _make(jacobian.astype(dtype._np), dtype)


def _fail(message, raise_exception):
    if raise_exception:
        raise GradcheckError(message)
    return False


def gradcheck(func, inputs, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, nondet_tol: float = 0.0,
              check_undefined_grad: bool = True, check_grad_dtypes: bool = False,
              check_batched_grad: bool = False, check_batched_forward_grad: bool = False,
              check_forward_ad: bool = False, check_backward_ad: bool = True,
              fast_mode: bool = False, masked=None) -> bool:
    """Check the gradients of ``func`` at ``inputs`` against central finite differences.
    Inputs that require grad should be float64 (or complex128)."""
    inputs = _as_tuple(inputs)
    differentiable = []
    for position, tensor in enumerate(inputs):
        if getattr(tensor, "_requires_grad", False):
            differentiable.append(tensor)
            if tensor._dtype.itemsize < 8 or not (tensor._dtype.is_floating_point
                                                  or tensor._dtype.is_complex):
                warnings.warn(
                    f"Input #{position} requires gradient and is not a double precision "
                    "floating point or complex. This check will likely fail if all the inputs "
                    "are not of double precision floating point or complex. ", UserWarning,
                    stacklevel=2)
    if not differentiable:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, "
                         "but none of them have requires_grad=True.")
    numerical = _numerical_jacobians(func, inputs, differentiable, eps)
    analytical, outputs = _analytical_jacobians(func, inputs, differentiable)
    for output_index, output in enumerate(outputs):
        for input_index in range(len(differentiable)):
            expected = numerical[input_index][output_index]
            actual = analytical[input_index][output_index]
            if not output._requires_grad:
                if expected.any():
                    return _fail("Numerical gradient for function expected to be zero",
                                 raise_exception)
                continue
            if (abs(actual - expected) > atol + rtol * abs(expected)).any():
                return _fail(f"Jacobian mismatch for output {output_index} with respect to "
                             f"input {input_index},\nnumerical:{_shown(expected, output)}\n"
                             f"analytical:{_shown(actual, output)}\n", raise_exception)
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-3, gen_non_contig_grad_outputs: bool = False,
                  raise_exception: bool = True, nondet_tol: float = 0.0,
                  check_undefined_grad: bool = True, check_grad_dtypes: bool = False,
                  check_batched_grad: bool = False, check_fwd_over_rev: bool = False,
                  check_rev_over_rev: bool = True, fast_mode: bool = False,
                  masked: bool = False) -> bool:
    """Check second derivatives: gradcheck of the gradient of ``func``."""
    from ember.ops.random_tensors import randn

    inputs = _as_tuple(inputs)
    outputs = _differentiable_outputs(func, inputs)
    if grad_outputs is None:
        grad_outputs = [randn(o.shape, dtype=o.dtype).requires_grad_() for o in outputs]
    grad_outputs = list(_as_tuple(grad_outputs))
    count = len(inputs)

    def first_derivatives(*values):
        primal, seeds = values[:count], values[count:]
        differentiable = [t for t in primal if getattr(t, "_requires_grad", False)]
        with grad_mode.enable_grad():  # also when finite differences run it without grad
            results = _differentiable_outputs(func, primal)
            grads = autograd_grad(results, differentiable, seeds, create_graph=True,
                                  allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(first_derivatives, inputs + tuple(grad_outputs), eps=eps, atol=atol,
                     rtol=rtol, raise_exception=raise_exception)
