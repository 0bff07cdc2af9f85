"""Pointwise ops of three operands (lerp, addcmul, addcdiv) and closeness (isclose,
allclose, equal)."""

from __future__ import annotations

import builtins

from ember import _dtype
from ember.autograd import grad_mode
from ember.backends import cpu as _cpu
from ember.ops._autograd import check_out_allowed, inplace_with_grad, needs_grad, record_op
from ember.ops._common import (
    Tensor,
    broadcast_error,
    broadcast_shape,
    check_inplace,
    check_same_device,
    compute_dtype,
    method,
    operand,
    shape_of,
    write_out,
)
from ember.ops._elementwise import (
    _finish_pointwise,
    _not_implemented,
    _operand,
    _operands,
)
from ember.ops.binary_functions import _require_tensor
from ember.ops.pointwise import eq, isfinite, isnan

_promote = _dtype._result_dtype


def _lerp(input, end, weight, target=None):
    """``input + weight * (end - input)`` in the dtype the operands promote to (a number
    weight takes no part), checked for storing into ``target`` if in place."""
    _require_tensor("lerp", "input", 1, input)
    _require_tensor("lerp", "end", 2, end)
    weight_tensor = isinstance(weight, Tensor)
    check_same_device(input, end, weight)
    if end._dtype is not input._dtype:
        raise RuntimeError(f"expected dtype {input._dtype._cpp_name} for `end` but got dtype "
                           f"{end._dtype._cpp_name}")
    if weight_tensor and weight._data.ndim and weight._dtype is not input._dtype:
        raise RuntimeError(f"expected dtype {input._dtype._cpp_name} for `weight` but got "
                           f"dtype {weight._dtype._cpp_name}")
    dtype = _promote(input, end, weight) if weight_tensor else input._dtype
    if target is not None:
        check_inplace(target, dtype, broadcast_shape(input._data.shape, end._data.shape,
                                                     shape_of(weight)))
    if not (dtype.is_floating_point or dtype.is_complex):
        raise _not_implemented("lerp_kernel_tensor" if weight_tensor else
                               "lerp_kernel_scalar")(dtype)
    common, compute = dtype._np, compute_dtype(dtype)._np
    start, stop = _operands(input, end, common, compute)
    # a number weight stays in the computation dtype, a tensor one is rounded to dtype first
    w = _operand(weight, common, compute) if weight_tensor else operand(weight, compute)
    try:
        # PyTorch's two-sided formula, exact at both ends; a number weight picks its side
        if not weight_tensor:
            data = _cpu.lerp(start, stop, w)
        else:
            data = _cpu.where(_cpu.abs(w) < 0.5, start + w * (stop - start),
                              stop - (stop - start) * (1 - w))
    except ValueError:
        raise broadcast_error(input._data.shape, shape_of(end)) from None
    tensors = [input, end, weight] if weight_tensor else [input, end]
    return _finish_pointwise(data, dtype, tensors)


@method("lerp")
def lerp(input, end, weight, *, out=None):
    """``input + weight * (end - input)``."""
    result = _lerp(input, end, weight)
    if out is not None:
        check_out_allowed("lerp", input, end, weight)
        return write_out(out, result)
    if needs_grad(input, end, weight):
        if isinstance(weight, Tensor):
            record_op("LerpBackward1", (lambda grad, weight: grad * (1 - weight),
                                        lambda grad, weight: grad * weight,
                                        lambda grad, input, end: grad * (end - input)),
                      (input, end, weight), (result,),
                      {"input": input, "end": end, "weight": weight})
        else:
            record_op("LerpBackward0", (lambda grad: grad * (1 - weight),
                                        lambda grad: grad * weight), (input, end), (result,))
    return result


@method("lerp_")
def _lerp_inplace(self, end, weight):
    if needs_grad(self, end, weight):
        return inplace_with_grad(self, lambda old: lerp(old, end, weight))
    result = _lerp(self, end, weight, target=self)
    _cpu.copyto(self._data, result._data, casting="unsafe")
    self._bump_version()
    return self


def _addc(name, input, tensor1, tensor2, value, target=None):
    """``input + value * tensor1 * tensor2`` (addcmul) or ``input + value * tensor1 /
    tensor2`` (addcdiv), in the dtype the three promote to, as PyTorch's kernels compute."""
    _require_tensor(name, "input", 1, input)
    _require_tensor(name, "tensor1", 2, tensor1)
    _require_tensor(name, "tensor2", 3, tensor2)
    check_same_device(input, tensor1, tensor2)
    if name == "addcdiv" and not (tensor1._dtype.is_floating_point or tensor1._dtype.is_complex
                                  or tensor2._dtype.is_floating_point
                                  or tensor2._dtype.is_complex):
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future  release "
            "addcdiv will perform a true division of tensor1 and tensor2. The historic "
            "addcdiv behavior can be implemented as (input + value * torch.trunc(tensor1 / "
            "tensor2)).to(input.dtype) for integer inputs and as (input + value * tensor1 / "
            "tensor2) for float inputs. The future addcdiv behavior is just the latter "
            "implementation: (input + value * tensor1 / tensor2), for all dtypes.")
    dtype = _promote(input, tensor1, tensor2)
    if target is not None:
        check_inplace(target, dtype, broadcast_shape(input._data.shape, tensor1._data.shape,
                                                     tensor2._data.shape))
    if dtype is _dtype.bool:
        raise _not_implemented(f"{name}_cpu_out")(dtype)
    common, compute = dtype._np, compute_dtype(dtype)._np
    if not (dtype.is_floating_point or dtype.is_complex):
        value = builtins.int(value)
    a, b, c = (_operand(t, common, compute) for t in (input, tensor1, tensor2))
    scaled = _operand(value, common, compute) * b
    try:
        data = a + (scaled * c if name == "addcmul" else scaled / c)
    except ValueError:
        raise broadcast_error(input._data.shape, tensor1._data.shape) from None
    return _finish_pointwise(data, dtype, (input, tensor1, tensor2))


def _addc_op(name, node_name, formulas):
    def op(input, tensor1, tensor2, *, value=1, out=None):
        result = _addc(name, input, tensor1, tensor2, value)
        if out is not None:
            check_out_allowed(name, input, tensor1, tensor2)
            return write_out(out, result)
        if needs_grad(input, tensor1, tensor2):
            record_op(node_name, formulas(value), (input, tensor1, tensor2), (result,),
                      {"tensor1": tensor1, "tensor2": tensor2})
        return result

    def op_(self, tensor1, tensor2, *, value=1):
        if needs_grad(self, tensor1, tensor2):
            return inplace_with_grad(self, lambda old: op(old, tensor1, tensor2, value=value))
        result = _addc(name, self, tensor1, tensor2, value, target=self)
        _cpu.copyto(self._data, result._data, casting="unsafe")
        self._bump_version()
        return self

    op.__name__ = name
    setattr(Tensor, name, op)
    setattr(Tensor, name + "_", op_)
    return op


addcmul = _addc_op("addcmul", "AddcmulBackward0", lambda value: (
    lambda grad: grad,
    lambda grad, tensor2: grad * tensor2 * value,
    lambda grad, tensor1: grad * tensor1 * value))
addcdiv = _addc_op("addcdiv", "AddcdivBackward0", lambda value: (
    lambda grad: grad,
    lambda grad, tensor2: grad * value / tensor2,
    lambda grad, tensor1, tensor2: -grad * value * tensor1 / (tensor2 * tensor2)))

# --- closeness ------------------------------------------------------------------------------


@method("isclose")
def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Whether ``|input - other| <= atol + rtol * |other|``, elementwise, as PyTorch
    computes it (in the operands' own dtype)."""
    _require_tensor("isclose", "input", 1, input)
    _require_tensor("isclose", "other", 2, other)
    if input._dtype is not other._dtype:
        raise RuntimeError(f"{input._dtype._legacy_name} did not match "
                           f"{other._dtype._legacy_name}")
    if rtol < 0:
        raise RuntimeError(f"rtol must be greater than or equal to zero, but got {rtol}")
    if atol < 0:
        raise RuntimeError(f"atol must be greater than or equal to zero, but got {atol}")
    with grad_mode.no_grad():
        close = eq(input, other)
        if equal_nan and input._dtype.is_floating_point:
            close = close | (isnan(input) & isnan(other))
        if rtol == 0 and atol == 0:
            return close
        if not (input._dtype.is_floating_point or input._dtype.is_complex):
            input, other = input.to(_dtype.get_default_dtype()), other.to(
                _dtype.get_default_dtype())
        allowed = atol + abs(rtol * other)
        actual = abs(input - other)
        return close | (isfinite(actual) & (actual <= allowed))


@method("allclose")
def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
    """Whether ``isclose`` holds everywhere."""
    return builtins.bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


@method("equal")
def equal(input, other) -> bool:
    """Whether the two tensors have the same shape and elements."""
    _require_tensor("equal", "input", 1, input)
    _require_tensor("equal", "other", 2, other)
    check_same_device(input, other)
    if input._data.shape != other._data.shape:
        return False
    return builtins.bool(eq(input, other)._data.all())


__all__ = [
    "lerp", "addcmul", "addcdiv", "isclose", "allclose", "equal",
]
