"""Pointwise functions of two operands beyond arithmetic: copysign, hypot, logaddexp and
logaddexp2, heaviside, nextafter, ldexp, gcd and lcm, signbit, xlogy, frexp."""

from __future__ import annotations

import math
import warnings

from ember import _dtype, return_types
from ember.backends import cpu as _cpu
from ember.ops._autograd import check_out_allowed, inplace_with_grad, needs_grad, record_op
from ember.ops._common import (
    ALWAYS_BOOL,
    INT_TO_FLOAT,
    Tensor,
    broadcast_error,
    broadcast_shape,
    check_inplace,
    check_same_device,
    compute_dtype,
    method,
    result_dtype,
    write_out,
)
from ember.ops._elementwise import (
    _finish_pointwise,
    _not_implemented,
    _operand,
    _zero_grad,
    binary,
    unary,
)
from ember.ops.elementary import _BOOL, _COMPLEX, _FLOATING, _INTEGRAL, _REAL, exp, exp2
from ember.ops.pointwise import _by_operands, where

_promote = _dtype._result_dtype


def _require_tensor(function, name, position, value):
    if not isinstance(value, Tensor):
        raise TypeError(f"{function}(): argument '{name}' (position {position}) must be "
                        f"Tensor, not {type(value).__name__}")



copysign = binary(_cpu.copysign, INT_TO_FLOAT, name="copysign", dtypes=_REAL,
                  scalar_input=False,
                  grad_fn=lambda input, other: "CopysignBackward0" if isinstance(other, Tensor)
                  else "CopysignBackward1",
                  derivatives=(lambda grad, input, result: grad * where(input == 0, 0.0,
                                                                        result / input),
                               _zero_grad))
hypot = binary(_cpu.hypot, name="hypot", dtypes=_FLOATING, scalar_input=False,
               scalar_other=False, grad_fn="HypotBackward0",
               derivatives=(lambda grad, input, result: grad * input / result,
                            lambda grad, other, result: grad * other / result))


def _logaddexp_kernel(a, b, out=None):
    if _cpu.result_type(a, b).kind != "c":
        return _cpu.logaddexp(a, b, out=out)
    first = _cpu.real(a) >= _cpu.real(b)
    high, low = _cpu.where(first, a, b), _cpu.where(first, b, a)
    result = high + _cpu.log1p(_cpu.exp(low - high))
    # equal infinite real parts give that infinity, as in PyTorch (not inf - inf)
    same_infinity = _cpu.isinf(_cpu.real(a)) & (_cpu.real(a) == _cpu.real(b))
    result = _cpu.where(same_infinity, _cpu.real(a) + 0j, result)
    if out is None:
        return result.astype(high.dtype, copy=False)
    _cpu.copyto(out, result, casting="unsafe")
    return out


logaddexp = binary(_logaddexp_kernel, name="logaddexp", inplace=False,
                   dtypes=_FLOATING | _COMPLEX, scalar_input=False, scalar_other=False,
                   grad_fn="LogaddexpBackward0",
                   derivatives=(lambda grad, input, other: grad / (1 + exp(other - input)),
                                lambda grad, input, other: grad / (1 + exp(input - other))))
logaddexp2 = binary(_cpu.logaddexp2, name="logaddexp2", inplace=False, dtypes=_FLOATING,
                    scalar_input=False, scalar_other=False, grad_fn="Logaddexp2Backward0",
                    derivatives=(lambda grad, input, other: grad / (1 + exp2(other - input)),
                                 lambda grad, input, other: grad / (1 + exp2(input - other))))


def _heaviside_kernel(x, values, out=None):
    result = _cpu.where(x == 0, values, x > 0).astype(_cpu.result_type(x, values), copy=False)
    if out is None:
        return result
    _cpu.copyto(out, result, casting="unsafe")
    return out


def _same_dtypes(input, values):
    if input._dtype is not values._dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")


def _no_heaviside_derivative(grad):
    raise RuntimeError("derivative for aten::heaviside is not implemented")


_heaviside = binary(_heaviside_kernel, name="heaviside", dtypes=_REAL, scalar_input=False,
                   scalar_other=False, check=_same_dtypes,
                   refuse=_not_implemented("heaviside", "heaviside is not yet implemented for "
                                                        "complex tensors.", RuntimeError),
                   grad_fn="torch::autograd::NotImplemented",
                   derivatives=(_no_heaviside_derivative, _no_heaviside_derivative))


def heaviside(input, values, *, out=None):
    """0 where ``input`` < 0, 1 where it is > 0, ``values`` where it is 0."""
    if isinstance(out, Tensor) and isinstance(input, Tensor) and out._dtype is not input._dtype:
        _same_dtypes(input, out)
    return _heaviside(input, values, out=out)


nextafter = binary(_cpu.nextafter, name="nextafter", dtypes=_FLOATING, scalar_input=False,
                   scalar_other=False, opmath=False, grad_fn="NextafterBackward0",
                   derivatives=(lambda grad: grad, _zero_grad))


def _check_ldexp(input, other):
    """PyTorch's kernel for a float ``input`` and integer exponents resizes its output to
    the broadcast shape (with the warning that gives), and refuses bool exponents;
    a complex ``input`` meets a float16 exponent in complex32, which has no pow."""
    if input._dtype.is_floating_point and other._dtype._category <= 1:
        shape = broadcast_shape(input._data.shape, other._data.shape)
        if shape != input._data.shape and input._data.size:
            warnings.warn(f"An output with one or more elements was resized since it had shape "
                          f"{list(input._data.shape)}, which does not match the required output "
                          f"shape {list(shape)}. This behavior is deprecated, and in a future "
                          "PyTorch release outputs will not be resized unless they have zero "
                          "elements. You can explicitly reuse an out tensor t by resizing it, "
                          "inplace, to zero elements with t.resize_(0).", UserWarning,
                          stacklevel=4)
    if input._dtype.is_floating_point and other._dtype is _dtype.bool:
        raise _not_implemented("ldexp_cpu_exp")(_dtype.bool)
    if input._dtype.is_complex and other._dtype is _dtype.float16 and other._data.ndim:
        raise NotImplementedError("\"pow\" not implemented for 'ComplexHalf'")


def _ldexp(input, other):
    """``input * 2 ** other`` in the dtype the two promote to. As PyTorch computes it, the
    power is rounded before the product: to ``other``'s dtype where both are real floating
    tensors and ``other`` has dimensions or ``input`` is float32, else to the result's."""
    _require_tensor("ldexp", "input", 1, input)
    _require_tensor("ldexp", "other", 2, other)
    check_same_device(input, other)
    _check_ldexp(input, other)
    dtype = result_dtype(_promote(input, other), INT_TO_FLOAT)
    power_dtype = (other._dtype if input._dtype.is_floating_point
                   and other._dtype.is_floating_point
                   and (other._data.ndim or input._dtype is _dtype.float32) else dtype)
    power_compute = compute_dtype(power_dtype)._np
    power = _cpu.power(power_compute.type(2), _operand(other, power_dtype._np, power_compute))
    compute = compute_dtype(dtype)._np
    power = power.astype(power_dtype._np).astype(compute)
    try:
        data = _operand(input, dtype._np, compute) * power
    except ValueError:
        raise broadcast_error(input._data.shape, other._data.shape) from None
    return _finish_pointwise(data, dtype, (input, other))


@method("ldexp")
def ldexp(input, other, *, out=None):
    """``input * 2 ** other``."""
    result = _ldexp(input, other)
    if out is not None:
        check_out_allowed("ldexp", input, other)
        return write_out(out, result)
    if needs_grad(input, other):
        # PyTorch's formulas read pow(2, other): 0 for negative integer exponents
        record_op("LdexpBackward0", (lambda grad, other: grad * pow(2, other),
                                     lambda grad, input, other: grad * input * math.log(2.0)
                                     * pow(2, other)),
                  (input, other), (result,), {"input": input, "other": other})
    return result


@method("ldexp_")
def _ldexp_inplace(self, other):
    if needs_grad(self, other):
        return inplace_with_grad(self, lambda old: ldexp(old, other))
    _require_tensor("ldexp_", "other", 1, other)
    check_inplace(self, self._dtype, broadcast_shape(self._data.shape, other._data.shape))
    result = _ldexp(self, other)
    check_inplace(self, result._dtype, result._data.shape)
    _cpu.copyto(self._data, result._data, casting="unsafe")
    self._bump_version()
    return self


gcd = binary(_cpu.gcd, name="gcd", dtypes=_INTEGRAL - _BOOL, scalar_input=False,
             scalar_other=False)
lcm = binary(_cpu.lcm, name="lcm", dtypes=_INTEGRAL - _BOOL, scalar_input=False,
             scalar_other=False)


def _signbit_kernel(x, out=None):
    if x.dtype.kind == "f":
        return _cpu.signbit(x, out=out)
    return _cpu.less(x, 0, out=out)


signbit = unary(_signbit_kernel, ALWAYS_BOOL, name="signbit", inplace=False, dtypes=_REAL,
                bool_out=True, refuse=_not_implemented("signbit", "signbit is not implemented "
                                                                  "for complex tensors."))


def _xlogy_like(function):
    """The kernel of ``x * function(y)``, 0 where ``x`` is 0 unless ``y`` is NaN."""

    def kernel(x, y, out=None):
        x, y = _cpu.asarray(x), _cpu.asarray(y)
        result = _cpu.where(_cpu.isnan(y), _cpu.nan, _cpu.where(x == 0, 0, x * function(y)))
        result = result.astype(_cpu.result_type(x, y), copy=False)
        if out is None:
            return result
        _cpu.copyto(out, result, casting="unsafe")
        return out

    return kernel


xlogy = binary(_xlogy_like(_cpu.log), INT_TO_FLOAT, name="xlogy", dtypes=_REAL,
               refuse=_not_implemented("xlogy_cpu"), grad_fn=_by_operands("Xlogy"),
               derivatives=(lambda grad, input, other: grad * xlogy(
                   (input != 0).to(grad._dtype), other),
                            lambda grad, input, other: grad * input / other))


@method("frexp")
def frexp(input, *, out=None):
    """The mantissa in [0.5, 1) and the integer exponent with ``input = mantissa * 2 **
    exponent``."""
    if not input._dtype.is_floating_point:
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    if out is not None:
        mantissa_out, exponent_out = out
        if mantissa_out._dtype is not input._dtype:
            raise RuntimeError("torch.frexp() expects mantissa to have dtype "
                               f"{input._dtype._cpp_name} but got "
                               f"{mantissa_out._dtype._cpp_name}")
        if exponent_out._dtype is not _dtype.int32:
            raise RuntimeError("torch.frexp() expects exponent to have int dtype but got "
                               f"{exponent_out._dtype._cpp_name}")
    mantissa, exponent = _cpu.frexp(input._data)
    mantissa = _finish_pointwise(mantissa, input._dtype, (input,))
    exponent = _finish_pointwise(exponent, _dtype.int32, (input,))
    if out is not None:
        check_out_allowed("frexp", input)
        return return_types.frexp_out((write_out(out[0], mantissa),
                                       write_out(out[1], exponent)))
    if needs_grad(input):
        record_op("FrexpBackward0", (lambda grad, exponent: grad / exp2(exponent),),
                  (input,), (mantissa,), {"exponent": exponent})
    return return_types.frexp((mantissa, exponent))


__all__ = [
    "copysign", "hypot", "logaddexp", "logaddexp2", "heaviside", "nextafter", "ldexp", "gcd",
    "lcm", "signbit", "xlogy", "frexp",
]
