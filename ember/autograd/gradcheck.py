"""gradcheck / gradgradcheck: compare autograd's gradients with finite differences."""

from __future__ import annotations

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


def _numerical_jacobians(function, inputs, eps):
    """For each input needing grad, a (numel_in, numel_out) list of columns per output,
    from central differences."""
    with grad_mode.no_grad():
        reference = [o.detach().clone() for o in _as_tuple(function(*inputs))
                     if hasattr(o, "_requires_grad")]
        jacobians = []
        for tensor in inputs:
            if not getattr(tensor, "_requires_grad", False):
                continue
            flat = tensor._data.reshape(-1) if tensor._data.flags.c_contiguous else None
            if flat is None:
                raise ValueError("gradcheck expects contiguous inputs")
            rows = []
            for index in range(flat.size):
                original = flat[index].copy()
                flat[index] = original + eps
                plus = [o.detach().clone() for o in _as_tuple(function(*inputs))
                        if hasattr(o, "_requires_grad")]
                flat[index] = original - eps
                minus = [o.detach().clone() for o in _as_tuple(function(*inputs))
                         if hasattr(o, "_requires_grad")]
                flat[index] = original
                rows.append([((p - m) / (2 * eps)).reshape(-1) for p, m in zip(plus, minus)])
            jacobians.append((rows, reference))
    return jacobians


def _analytical_rows(function, inputs, output_index, nondet_tol):
    """Rows of d output / d inputs, one vector-Jacobian product per output element."""
    from ember.ops.creation import zeros, zeros_like

    differentiable = [t for t in inputs if getattr(t, "_requires_grad", False)]
    output = _differentiable_outputs(function, inputs)[output_index]
    rows = []
    for element in range(output._data.size):
        seed = zeros(output.shape, dtype=output.dtype)  # row-major, so that the write lands
        seed._data.reshape(-1)[element] = 1
        grads = autograd_grad(output, differentiable, seed, retain_graph=True,
                              allow_unused=True)
        rows.append([zeros_like(t).reshape(-1) if g is None else g.reshape(-1)
                     for g, t in zip(grads, differentiable)])
    return rows


def gradcheck(func, inputs, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, nondet_tol: float = 0.0,
              check_undefined_grad: bool = True, check_grad_dtypes: bool = False,
              check_batched_grad: bool = False, check_batched_forward_grad: bool = False,
              check_forward_ad: bool = False, check_backward_ad: bool = True,
              fast_mode: bool = False, masked=None) -> bool:
    """Check the gradients of ``func`` at ``inputs`` against central finite differences.
    Inputs that require grad should be float64 (or complex128)."""
    inputs = _as_tuple(inputs)
    numerical = _numerical_jacobians(func, inputs, eps)
    outputs = _differentiable_outputs(func, inputs)
    for output_index in range(len(outputs)):
        analytical = _analytical_rows(func, inputs, output_index, nondet_tol)
        for input_index, (rows, _) in enumerate(numerical):
            for element, row in enumerate(rows):
                expected = row[output_index]
                actual_column = [analytical[o][input_index]._data[element]
                                 for o in range(len(analytical))]
                difference = abs(expected._data - actual_column)
                allowed = atol + rtol * abs(expected._data)
                if (difference > allowed).any():
                    message = (f"Jacobian mismatch for output {output_index} with respect to "
                               f"input {input_index},\nnumerical:{expected}\nanalytical:"
                               f"{actual_column}\n")
                    if raise_exception:
                        raise GradcheckError(message)
                    return False
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-3, gen_non_contig_grad_outputs: bool = False,
                  raise_exception: bool = True, nondet_tol: float = 0.0,
                  check_undefined_grad: bool = True, check_grad_dtypes: bool = False,
                  check_batched_grad: bool = False, check_fwd_over_rev: bool = False,
                  check_rev_over_rev: bool = True, fast_mode: bool = False,
                  masked: bool = False) -> bool:
    """Check second derivatives: gradcheck of the gradient of ``func``."""
    from ember.ops.creation import randn

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
