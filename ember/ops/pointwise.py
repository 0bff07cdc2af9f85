"""Pointwise ops other than the elementary functions (those are in elementary.py):
arithmetic and its Python operators, powers, comparisons, logic and bitwise ops, clamp and
where, the other binary functions (copysign, hypot, logaddexp, ldexp, xlogy, ...), lerp,
addcmul and addcdiv, closeness. One declaration each gives the function, the method, the
in-place method, the Python operator and the ``out=`` form."""

from __future__ import annotations

import builtins
import cmath
import math
import warnings
from numbers import Number

from ember import _dtype, return_types
from ember.autograd import grad_mode
from ember.backends import cpu as _cpu
from ember.ops._autograd import check_out_allowed, inplace_with_grad, needs_grad, record_op
from ember.ops._common import (
    ALWAYS_BOOL,
    COMPLEX_TO_FLOAT,
    INT_TO_FLOAT,
    Tensor,
    broadcast_error,
    broadcast_shape,
    check_inplace,
    check_same_device,
    compute_dtype,
    finish,
    method,
    operand,
    result_dtype,
    shape_of,
    write_out,
)
from ember.ops._elementwise import (
    _finish_pointwise,
    _not_implemented,
    _operand,
    _operands,
    _zero_grad,
    binary,
    unary,
)

# The dtype sets, and the elementary functions that formulas here call; cos, expm1, log1p,
# round, sigmoid, sin and sqrt only for the modules that import them from pointwise.
from ember.ops.elementary import (  # noqa: F401
    _BOOL,
    _COMPLEX,
    _FLOATING,
    _INTEGRAL,
    _NUMBERS,
    _REAL,
    cos,
    exp,
    exp2,
    expm1,
    log,
    log1p,
    reciprocal,
    round,
    sigmoid,
    sin,
    sqrt,
)

_promote = _dtype._result_dtype
_grad_state = grad_mode.state
_ndarray = _cpu.ndarray



def _no_bool_subtraction(input, other):
    input_bool = _dtype_of(input) is _dtype.bool
    other_bool = _dtype_of(other) is _dtype.bool
    if input_bool and other_bool:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    if input_bool or other_bool:
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not "
                           "supported. If you are trying to invert a mask, use the `~` or "
                           "`logical_not()` operator instead.")


def _no_bool_negation(input):
    if input._dtype is _dtype.bool:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or "
                           "`logical_not()` operator instead.")


def _dtype_of(value):
    return value._dtype if isinstance(value, Tensor) else _dtype._scalar_dtype(value)


def _relu_kernel(x, out=None):
    return _cpu.maximum(x, x.dtype.type(0), out=out)


def _sign_kernel(x, out=None):
    if x.dtype == _cpu.bool_:
        return _cpu.copyto(out, x) if out is not None else x.copy()
    if x.dtype.kind == "f":  # (x > 0) - (x < 0), so that NaN gives 0 as in PyTorch
        return _cpu.subtract(_cpu.greater(x, 0).astype(x.dtype), _cpu.less(x, 0), out=out)
    return _cpu.sign(x, out=out)


def _true_divide_kernel(a, b, out=None):
    return _cpu.true_divide(a, b, out=out)


def _logical(kernel):
    def logical_kernel(a, b, out=None):
        return kernel(a.astype(bool, copy=False) if hasattr(a, "astype") else bool(a),
                      b.astype(bool, copy=False) if hasattr(b, "astype") else bool(b), out=out)

    return logical_kernel


def _integer_division(kernel):
    """PyTorch raises for an integer division by zero, where NumPy gives 0 and warns."""

    def divide(a, b, out=None):
        if b.dtype.kind in "iu" and not b.all():
            raise RuntimeError("ZeroDivisionError")
        return kernel(a, b, out=out)

    return divide


def _trunc_divide_kernel(a, b, out=None):
    if a.dtype.kind not in "biu":
        return _cpu.trunc(_cpu.true_divide(a, b), out=out)
    quotient = _cpu.floor_divide(a, b)
    inexact = (_cpu.remainder(a, b) != 0) & ((_cpu.asarray(a) < 0) != (_cpu.asarray(b) < 0))
    result = quotient + inexact.astype(quotient.dtype)
    if out is None:
        return result
    _cpu.copyto(out, result, casting="unsafe")
    return out


# --- arithmetic ---------------------------------------------------------------------------

_add = binary(_cpu.add, name="add", method=False, grad_fn="AddBackward0",
              derivatives=(lambda grad: grad, lambda grad: grad))
_sub = binary(_cpu.subtract, name="sub", method=False, check=_no_bool_subtraction,
              grad_fn=lambda input, other: "SubBackward0" if isinstance(input, Tensor) else
              "RsubBackward1", derivatives=(lambda grad: grad, lambda grad: -grad))


def _scaled(input, other, alpha):
    """``alpha * other``, computed in the dtype that ``input`` and ``other`` promote to."""
    promoted = _promote(input, other)
    if isinstance(alpha, float) and not (promoted.is_floating_point or promoted.is_complex):
        raise RuntimeError("For integral input tensors, argument alpha must not be a "
                           "floating point number.")
    if isinstance(alpha, builtins.bool) and promoted is not _dtype.bool:
        raise RuntimeError("Boolean alpha only supported for Boolean results.")
    if promoted is _dtype.bool:
        alpha = builtins.bool(alpha)
    if isinstance(other, Tensor):
        return mul(other.to(promoted), alpha)
    scaled = other * alpha
    return builtins.bool(scaled) if promoted is _dtype.bool else scaled


def _with_alpha(plain, node_name, sign, input, other, alpha, out):
    """``input ± alpha * other``, recorded as the one node PyTorch records, whose gradient
    for ``other`` is scaled by ``alpha``."""
    if out is None and needs_grad(input, other):
        with grad_mode.no_grad():
            result = plain(input, _scaled(input, other, alpha))
        record_op(node_name, (lambda grad: grad, lambda grad: grad * (sign * alpha)),
                  (input, other), (result,))
        return result
    return plain(input, _scaled(input, other, alpha), out=out)


@method("add")
def add(input, other, *, alpha=1, out=None):
    """``input + alpha * other``, with broadcasting and type promotion."""
    if alpha == 1:
        return _add(input, other, out=out)
    return _with_alpha(_add, "AddBackward0", 1, input, other, alpha, out)


@method("add_")
def _add_inplace(self, other, *, alpha=1):
    if alpha != 1 and needs_grad(self, other):
        return inplace_with_grad(self, lambda old: add(old, other, alpha=alpha))
    return _add.inplace(self, other if alpha == 1 else _scaled(self, other, alpha))


@method("sub", "subtract")
def sub(input, other, *, alpha=1, out=None):
    """``input - alpha * other``."""
    if alpha == 1:
        return _sub(input, other, out=out)
    _no_bool_subtraction(input, other)
    return _with_alpha(_sub, "SubBackward0", -1, input, other, alpha, out)


@method("sub_", "subtract_")
def _sub_inplace(self, other, *, alpha=1):
    _no_bool_subtraction(self, other)
    if alpha != 1 and needs_grad(self, other):
        return inplace_with_grad(self, lambda old: sub(old, other, alpha=alpha))
    return _sub.inplace(self, other if alpha == 1 else _scaled(self, other, alpha))


subtract = sub
mul = binary(_cpu.multiply, name="mul", unrounded_scalar=True, grad_fn="MulBackward0",
             derivatives=(lambda grad, other: grad * other, lambda grad, input: grad * input))
multiply = mul
Tensor.multiply = Tensor.mul
Tensor.multiply_ = Tensor.mul_
true_divide = binary(_true_divide_kernel, INT_TO_FLOAT, name="true_divide",
                     unrounded_scalar=True, grad_fn="DivBackward0",
                     derivatives=(lambda grad, other: grad / other,
                                  lambda grad, input, other: -grad * input / (other * other)))
def _no_floor_divide_derivative(grad):
    raise RuntimeError("derivative for aten::floor_divide is not implemented")


floor_divide = binary(_integer_division(_cpu.floor_divide), name="floor_divide",
                      dtypes=_NUMBERS - _COMPLEX, refuse=_not_implemented("div_floor_cpu"),
                      grad_fn="torch::autograd::NotImplemented",
                      derivatives=(_no_floor_divide_derivative, _no_floor_divide_derivative))
# A rounded quotient is piecewise constant: its gradient is zero. Unlike floor_divide, div
# with a rounding mode has that derivative (DivBackward2, for numbers as for tensors).
_floor_divide = binary(_integer_division(_cpu.floor_divide), name="div_floor", method=False,
                       dtypes=_NUMBERS - _COMPLEX, refuse=_not_implemented("div_floor_cpu"),
                       grad_fn="DivBackward2", derivatives=(_zero_grad, _zero_grad))
# PyTorch rounds a half-precision quotient to half precision before truncating it.
_trunc_divide = binary(_integer_division(_trunc_divide_kernel), name="div_trunc", method=False,
                       dtypes=_NUMBERS - _COMPLEX, opmath=False,
                       grad_fn="DivBackward2", derivatives=(_zero_grad, _zero_grad))


@method("div", "divide")
def div(input, other, *, rounding_mode=None, out=None):
    """``input / other``; ``rounding_mode`` None (true division), 'trunc' or 'floor'."""
    if rounding_mode is None:
        return true_divide(input, other, out=out)
    if rounding_mode == "trunc":
        return _trunc_divide(input, other, out=out)
    if rounding_mode == "floor":
        return _floor_divide(input, other, out=out)
    raise _rounding_mode_error(rounding_mode)


def _rounding_mode_error(rounding_mode):
    return RuntimeError("div expected rounding_mode to be one of None, 'trunc', or 'floor' "
                        f"but found '{rounding_mode}'")


@method("div_", "divide_")
def _div_inplace(self, other, *, rounding_mode=None):
    if rounding_mode is None:
        return true_divide.inplace(self, other)
    if rounding_mode == "trunc":
        return _trunc_divide.inplace(self, other)
    if rounding_mode == "floor":
        return _floor_divide.inplace(self, other)
    raise _rounding_mode_error(rounding_mode)


divide = div


def _by_other(name):
    """The node name of an op whose overloads for a number and a tensor ``other`` are
    ``name + "Backward0"`` and ``name + "Backward1"``."""
    return lambda input, other: name + ("Backward1" if isinstance(other, Tensor) else
                                        "Backward0")


remainder = binary(_integer_division(_cpu.remainder), name="remainder",
                   dtypes=_NUMBERS - _COMPLEX, grad_fn=_by_other("Remainder"),
                   derivatives=(lambda grad: grad,
                                lambda grad, input, other: -grad * _floor_divide(input, other)))
fmod = binary(_integer_division(_cpu.fmod), name="fmod", dtypes=_NUMBERS - _COMPLEX,
              scalar_input=False, grad_fn=_by_other("Fmod"),
              derivatives=(lambda grad: grad,
                           lambda grad, input, other: -grad * _trunc_divide(input, other)))


def _power_kernel(a, b, out=None):
    """``a ** b`` as PyTorch computes it. ``b`` is a NumPy scalar (not an array) when the
    exponent was a Python number."""
    if a.dtype.kind == "c":  # exp(b log a), which decides what 0 ** z gives
        return _cpu.exp(b * _cpu.log(a), out=out)
    if a.dtype.kind not in "biu":
        return _cpu.power(a, b, out=out)
    if a.dtype == _cpu.bool_:
        if b.__class__ is _ndarray:
            raise _not_implemented("pow")(_dtype.bool)
        return _cpu.logical_or(a, _cpu.logical_not(b), out=out)  # x ** True is x
    negative = b < 0
    if not negative.any():
        return _cpu.power(a, b, out=out)
    # A negative integer power is 1 / a ** -b truncated: 0 except for bases 1 and -1.
    powers = _cpu.power(a, _cpu.where(negative, 0, b))
    reciprocals = _cpu.where(a == 1, 1, _cpu.where(a == -1, 1 - 2 * (b & 1), 0))
    result = _cpu.where(negative, reciprocals, powers).astype(powers.dtype, copy=False)
    if out is None:
        return result
    _cpu.copyto(out, result, casting="unsafe")
    return out


def _check_power(input, exponent):
    if (not isinstance(exponent, Tensor) and _dtype_of(input)._category <= 1
            and _dtype_of(exponent)._category <= 1 and exponent < 0):
        raise RuntimeError("Integers to negative integer powers are not allowed.")


def _power_node(input, exponent):
    if not isinstance(exponent, Tensor):
        return "PowBackward0"
    return "PowBackward1" if isinstance(input, Tensor) else "PowBackward2"


def _power_base_grad(grad, input, other):
    # A zero exponent gives zero, also where the formula reads 0 * inf (a zero base)
    if not isinstance(other, Tensor):
        return grad * 0 if other == 0 else grad * other * input ** (other - 1)
    return grad * where(other == 0, 0.0, other * input ** (other - 1))


def _power_exponent_grad(grad, input, other, result):
    # A zero base gives a non-negative exponent zero gradient (not 0 * log 0), as in PyTorch
    if isinstance(input, Tensor):
        return grad * where((input == 0) & (other >= 0), 0.0, result * log(input))
    if input == 0:
        return grad * where(other >= 0, 0.0, result * -math.inf)
    return grad * (result * _log_number(input))


def _log_number(value):
    if isinstance(value, complex):
        return cmath.log(value)
    return math.log(value) if value > 0 else math.nan


pow = binary(_power_kernel, name="pow", check=_check_power, check_numbers_only=True,
             grad_fn=_power_node, derivatives=(_power_base_grad, _power_exponent_grad))


def _float_power_dtype(input, exponent):
    if _dtype_of(input).is_complex or _dtype_of(exponent).is_complex:
        return _dtype.complex128
    return _dtype.float64


@method("float_power")
def float_power(input, exponent, *, out=None):
    """``input ** exponent`` computed in double precision."""
    wide = _float_power_dtype(input, exponent)
    if out is not None and isinstance(out, Tensor) and out._dtype is not wide:
        raise RuntimeError(f"the output given to float_power has dtype {out._dtype._legacy_name}"
                           f" but the operation's result requires dtype {wide._legacy_name}")
    if out is None and needs_grad(input, exponent):
        # PyTorch's float_power is pow of the operands converted, and records just that.
        return pow(_widened(input, wide), _widened(exponent, wide))
    try:
        data = _power_kernel(operand(input, wide._np), operand(exponent, wide._np))
    except ValueError:
        raise broadcast_error(shape_of(input), shape_of(exponent)) from None
    result = _finish_pointwise(data, wide, [x for x in (input, exponent)
                                            if isinstance(x, Tensor)])
    if out is None:
        return result
    check_out_allowed("pow", input, exponent)
    return write_out(out, result)


def _widened(value, wide):
    if isinstance(value, Tensor):
        return value.to(wide)
    return complex(value) if wide.is_complex else float(value)


@method("float_power_")
def _float_power_inplace(self, exponent):
    wide = _float_power_dtype(self, exponent)
    if self._dtype is not wide:
        raise RuntimeError(f"the base given to float_power_ has dtype {self._dtype._legacy_name}"
                           f" but the operation's result requires dtype {wide._legacy_name}")
    return pow.inplace(self, exponent)


def _no_complex(name):
    return _not_implemented(name, f"{name} not implemented for complex tensors.", RuntimeError)


def _tie_share(grad, mine, theirs, beats):
    """The gradient of maximum/minimum for the operand ``mine``: all of it where it
    ``beats`` the other, half where the two tie, as in PyTorch."""
    return grad * (beats(mine, theirs).to(grad._dtype) + (mine == theirs).to(grad._dtype) * 0.5)


maximum = binary(_cpu.maximum, name="maximum", inplace=False, dtypes=_REAL,
                 refuse=_no_complex("maximum"), scalar_input=False, scalar_other=False,
                 grad_fn="MaximumBackward0",
                 derivatives=(lambda grad, input, other: _tie_share(grad, input, other, gt),
                              lambda grad, input, other: _tie_share(grad, other, input, gt)))
minimum = binary(_cpu.minimum, name="minimum", inplace=False, dtypes=_REAL,
                 refuse=_no_complex("minimum"), scalar_input=False, scalar_other=False,
                 grad_fn="MinimumBackward0",
                 derivatives=(lambda grad, input, other: _tie_share(grad, input, other, lt),
                              lambda grad, input, other: _tie_share(grad, other, input, lt)))


def _nan_ignoring_share(grad, mine, theirs, beats_or_ties):
    """The gradient of fmax/fmin for ``input`` (``mine``): where it beats or ties ``other``
    or ``other`` is NaN, as in PyTorch; ``other`` gets the rest."""
    return grad * (beats_or_ties(mine, theirs) | theirs.isnan())


def _nan_ignoring_rest(grad, mine, theirs, beats_or_ties):
    return grad * (beats_or_ties(mine, theirs) | theirs.isnan()).logical_not()


fmax = binary(_cpu.fmax, name="fmax", inplace=False, dtypes=_REAL, refuse=_no_complex("fmax"),
              scalar_input=False, scalar_other=False, grad_fn="FmaxBackward0",
              derivatives=(lambda grad, input, other: _nan_ignoring_share(grad, input, other, ge),
                           lambda grad, input, other: _nan_ignoring_rest(grad, input, other, ge)))
fmin = binary(_cpu.fmin, name="fmin", inplace=False, dtypes=_REAL, refuse=_no_complex("fmin"),
              scalar_input=False, scalar_other=False, grad_fn="FminBackward0",
              derivatives=(lambda grad, input, other: _nan_ignoring_share(grad, input, other, le),
                           lambda grad, input, other: _nan_ignoring_rest(grad, input, other, le)))
atan2 = binary(_cpu.arctan2, INT_TO_FLOAT, name="atan2", dtypes=_FLOATING, scalar_input=False,
               scalar_other=False, grad_fn="Atan2Backward0",
               derivatives=(lambda grad, input, other: grad * _atan2_share(other, input, other),
                            lambda grad, input, other: -grad * _atan2_share(input, input,
                                                                            other)))
arctan2 = atan2


def _atan2_share(numerator, input, other):
    """``numerator / (input² + other²)``, 0 at the origin as PyTorch has it."""
    squares = input * input + other * other
    return where(squares == 0, 0.0, numerator / squares)

Tensor.arctan2 = Tensor.atan2
Tensor.arctan2_ = Tensor.atan2_

neg = unary(_cpu.negative, name="neg", check=_no_bool_negation, grad_fn="NegBackward0",
            derivative=lambda grad: -grad)
negative = neg
Tensor.negative = Tensor.neg
Tensor.negative_ = Tensor.neg_
abs = unary(_cpu.absolute, COMPLEX_TO_FLOAT, name="abs", dtypes=_NUMBERS,
            grad_fn="AbsBackward0", derivative=lambda grad, input: grad * sgn(input))
absolute = abs


@method("abs_", "absolute_")
def _abs_inplace(self):
    if self._dtype.is_complex:
        raise RuntimeError("In-place abs is not supported for complex tensors.")
    return abs.inplace(self)


Tensor.absolute = Tensor.abs
sign = unary(_sign_kernel, name="sign", dtypes=_REAL, refuse=_not_implemented(
    "sign_cpu", "Unlike NumPy, torch.sign is not intended to support complex numbers. Please "
    "use torch.sgn instead."), grad_fn="SignBackward0", derivative=lambda grad: grad * 0)


def _refuse_relu(dtype):
    if dtype is _dtype.bool:
        return RuntimeError("Boolean inputs not supported for relu")
    return NotImplementedError("clamp is not supported for complex types")


relu = unary(_relu_kernel, name="relu", out=False, dtypes=_NUMBERS - _COMPLEX,
             refuse=_refuse_relu, grad_fn="ReluBackward0",
             derivative=lambda grad, result: grad * (result > 0))


# --- comparisons and logic ----------------------------------------------------------------

eq = binary(_cpu.equal, ALWAYS_BOOL, name="eq", scalar_input=False, grad_fn=_by_other("Eq"))
ne = binary(_cpu.not_equal, ALWAYS_BOOL, name="ne", scalar_input=False, grad_fn=_by_other("Ne"))
lt = binary(_cpu.less, ALWAYS_BOOL, name="lt", dtypes=_REAL, scalar_input=False,
            grad_fn=_by_other("Lt"))
le = binary(_cpu.less_equal, ALWAYS_BOOL, name="le", dtypes=_REAL, scalar_input=False,
            grad_fn=_by_other("Le"))
gt = binary(_cpu.greater, ALWAYS_BOOL, name="gt", dtypes=_REAL, scalar_input=False,
            grad_fn=_by_other("Gt"))
ge = binary(_cpu.greater_equal, ALWAYS_BOOL, name="ge", dtypes=_REAL, scalar_input=False,
            grad_fn=_by_other("Ge"))
not_equal, less, less_equal, greater, greater_equal = ne, lt, le, gt, ge
for _alias, _name in (("not_equal", "ne"), ("less", "lt"), ("less_equal", "le"),
                      ("greater", "gt"), ("greater_equal", "ge")):
    setattr(Tensor, _alias, getattr(Tensor, _name))
    setattr(Tensor, _alias + "_", getattr(Tensor, _name + "_"))

logical_and = binary(_logical(_cpu.logical_and), ALWAYS_BOOL, name="logical_and",
                     scalar_input=False, scalar_other=False)
logical_or = binary(_logical(_cpu.logical_or), ALWAYS_BOOL, name="logical_or",
                     scalar_input=False, scalar_other=False)
logical_xor = binary(_logical(_cpu.logical_xor), ALWAYS_BOOL, name="logical_xor",
                     scalar_input=False, scalar_other=False)
logical_not = unary(_cpu.logical_not, ALWAYS_BOOL, name="logical_not")
bitwise_and = binary(_cpu.bitwise_and, name="bitwise_and", dtypes=_INTEGRAL)
bitwise_or = binary(_cpu.bitwise_or, name="bitwise_or", dtypes=_INTEGRAL)
bitwise_xor = binary(_cpu.bitwise_xor, name="bitwise_xor", dtypes=_INTEGRAL)
bitwise_not = unary(_cpu.invert, name="bitwise_not", dtypes=_INTEGRAL)
bitwise_left_shift = binary(_cpu.left_shift, name="bitwise_left_shift",
                            dtypes=_INTEGRAL - _BOOL, refuse=_not_implemented("lshift_cpu"))
bitwise_right_shift = binary(_cpu.right_shift, name="bitwise_right_shift",
                             dtypes=_INTEGRAL - _BOOL, refuse=_not_implemented("rshift_cpu"))

isnan = unary(_cpu.isnan, ALWAYS_BOOL, name="isnan", inplace=False, out=False)
isinf = unary(_cpu.isinf, ALWAYS_BOOL, name="isinf", inplace=False, out=False)
isfinite = unary(_cpu.isfinite, ALWAYS_BOOL, name="isfinite", inplace=False, out=False)
isposinf = unary(_cpu.isposinf, ALWAYS_BOOL, name="isposinf", inplace=False, dtypes=_REAL,
                 bool_out=True,
                 refuse=_not_implemented("isposinf", "isposinf does not support complex "
                                                     "inputs.", RuntimeError))
isneginf = unary(_cpu.isneginf, ALWAYS_BOOL, name="isneginf", inplace=False, dtypes=_REAL,
                 bool_out=True,
                 refuse=_not_implemented("isneginf", "isneginf does not support complex "
                                                     "inputs.", RuntimeError))


@method("isreal")
def isreal(input):
    if not input._dtype.is_complex:
        return finish(_cpu.ones(input._data.shape, bool), _dtype.bool, input._device)
    return finish(input._data.imag == 0, _dtype.bool, input._device)


@method("nan_to_num")
def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    """Replace NaN, +inf and -inf with ``nan``, ``posinf``, ``neginf`` (default: the
    dtype's largest and lowest finite values)."""
    try:
        dtype = input._dtype
    except AttributeError:
        raise TypeError("nan_to_num(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}") from None
    if isinstance(out, Tensor) and out._dtype is not dtype:
        raise RuntimeError(f"nan_to_num: dtype of out: {out._dtype._legacy_name} should be same "
                           f"as input: {dtype._legacy_name}")
    if not (dtype.is_floating_point or dtype.is_complex):
        if out is not None:  # copied into a plainly resized out
            return write_out(out, finish(input._data.copy(), dtype, input._device))
        data = input._data.copy()
    else:
        info = _dtype.finfo(dtype)
        data = _cpu.nan_to_num(operand(input, compute_dtype(dtype)._np), nan=nan,
                               posinf=info.max if posinf is None else posinf,
                               neginf=info.min if neginf is None else neginf)
    result = _finish_pointwise(data, dtype, (input,))
    if out is not None:
        check_out_allowed("nan_to_num", input)
        return write_out(out, result)
    if input._requires_grad and _grad_state.enabled:
        record_op("NanToNumBackward0", (lambda grad, input: grad * isfinite(input),), (input,),
                  (result,), {"input": input})
    return result


@method("nan_to_num_")
def _nan_to_num_inplace(self, nan=0.0, posinf=None, neginf=None):
    if needs_grad(self):
        return inplace_with_grad(self, lambda old: nan_to_num(old, nan, posinf, neginf))
    _cpu.copyto(self._data, nan_to_num(self, nan, posinf, neginf)._data)
    self._bump_version()
    return self


# --- clamp and where ----------------------------------------------------------------------


def _clamp(input, low, high):
    """``min(max(input, low), high)`` with PyTorch's overloads: bounds are all numbers (0-dim
    tensors count as numbers there) or all tensors, and each overload refuses its own
    dtypes."""
    if low is None and high is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    bounds = [b for b in (low, high) if b is not None]
    tensor_bounds = [b for b in bounds if isinstance(b, Tensor)]
    if tensor_bounds and len(tensor_bounds) < len(bounds):
        if builtins.any(b._data.ndim for b in tensor_bounds):
            raise TypeError("clamp() received an invalid combination of arguments - got a "
                            "Tensor and a number as bounds")
        low, high = (b.item() if isinstance(b, Tensor) else b for b in (low, high))
        bounds = [b for b in (low, high) if b is not None]
        tensor_bounds = []
    if input._dtype.is_complex:
        raise NotImplementedError("clamp is not supported for complex types")
    dtype = _promote(input, *bounds)
    both = low is not None and high is not None
    if tensor_bounds:
        check_same_device(input, *tensor_bounds)
        kernel_name = "clamp_cpu" if both else "maximum_cpu" if high is None else "minimum_cpu"
        refused = dtype.is_complex or (both and dtype is _dtype.bool)
    else:
        if builtins.any(isinstance(b, complex) for b in bounds):
            raise RuntimeError("value cannot be converted to type double without overflow")
        kernel_name = ("clamp_scalar_cpu" if both else "clamp_max_scalar_cpu" if low is None
                       else "clamp_min_scalar_cpu")
        refused = dtype is _dtype.bool
    if refused:
        raise _not_implemented(kernel_name)(dtype)
    common, compute = dtype._np, compute_dtype(dtype)._np
    data = _operand(input, common, compute)
    try:
        if low is not None:
            data = _cpu.maximum(data, _operand(low, common, compute))
        if high is not None:
            data = _cpu.minimum(data, _operand(high, common, compute))
    except ValueError:
        raise broadcast_error(input._data.shape, shape_of(low if high is None else high)
                              ) from None
    return dtype, _finish_pointwise(data, dtype, [input, *tensor_bounds]), not tensor_bounds


def _record_clamp(result, input, low, high, numbers):
    """PyTorch's clamp nodes: the gradient passes where ``input`` lies within the bounds
    (bounds included); tensor bounds get it where they bind."""
    if numbers:
        def within(grad, input):
            if high is None:
                return grad * (input >= low)
            if low is None:
                return grad * (input <= high)
            return grad * ((input >= low) & (input <= high))

        record_op("ClampBackward1", (within,), (input,), (result,), {"input": input})
        return
    low_value = low if low is not None else float("-inf")
    high_value = high if high is not None else float("inf")

    def input_grad(grad, input):
        return grad * ((input >= low_value) & (input <= high_value))

    def low_grad(grad, input):
        if high is None:
            return grad * (input < low)
        return grad * ((input < low) & (low < high))  # a min above max does not bind

    def high_grad(grad, input):
        if low is None:
            return grad * (input > high)
        return grad * ((input > high) | (high < low))

    record_op("ClampBackward0", (input_grad, low_grad, high_grad), (input, low, high),
              (result,), {"input": input})


@method("clamp", "clip")
def clamp(input, min=None, max=None, *, out=None):
    """Limit every element to ``[min, max]``; ``min`` > ``max`` gives ``max`` everywhere."""
    dtype, result, numbers = _clamp(input, min, max)
    if out is None:
        if needs_grad(input, min, max):
            _record_clamp(result, input, min, max, numbers)
        return result
    if numbers and isinstance(out, Tensor) and out._dtype is not dtype:
        # The overload for number bounds wants an out of exactly the result's dtype.
        raise RuntimeError(f"Found dtype {out._dtype._legacy_name} but expected "
                           f"{dtype._legacy_name}")
    return write_out(out, result)


clip = clamp


@method("clamp_", "clip_")
def _clamp_inplace(self, min=None, max=None):
    if needs_grad(self, min, max):
        return inplace_with_grad(self, lambda old: clamp(old, min, max))
    dtype, result, _ = _clamp(self, min, max)
    check_inplace(self, dtype, result._data.shape)
    _cpu.copyto(self._data, result._data, casting="unsafe")
    self._bump_version()
    return self


def _clamp_one_side(input, low, high, name):
    """clamp_min or clamp_max, recorded as their own nodes: the gradient passes to the
    input where it lies within the bound (the bound included), to a tensor bound where
    the bound binds."""
    _, result, numbers = _clamp(input, low, high)
    if needs_grad(input, low, high):
        bound = high if low is None else low
        within = le if low is None else ge
        if numbers:
            record_op(name + "Backward0", (lambda grad, input: grad * within(input, bound),),
                      (input,), (result,), {"input": input})
        else:
            record_op(name + "Backward1",
                      (lambda grad, input: grad * within(input, bound),
                       lambda grad, input: grad * within(input, bound).logical_not()),
                      (input, bound), (result,), {"input": input})
    return result


@method("clamp_min")
def clamp_min(input, min):
    return _clamp_one_side(input, min, None, "ClampMin")


@method("clamp_max")
def clamp_max(input, max):
    return _clamp_one_side(input, None, max, "ClampMax")


@method("clamp_min_")
def _clamp_min_inplace(self, min):
    if needs_grad(self, min):
        return inplace_with_grad(self, lambda old: clamp_min(old, min))
    return _clamp_inplace(self, min=min)


@method("clamp_max_")
def _clamp_max_inplace(self, max):
    if needs_grad(self, max):
        return inplace_with_grad(self, lambda old: clamp_max(old, max))
    return _clamp_inplace(self, max=max)


@method("where")
def where(condition, input=None, other=None, *, out=None):
    """Elements of ``input`` where ``condition`` holds, else of ``other``;
    ``where(condition)`` alone is ``nonzero(condition, as_tuple=True)``."""
    if input is None and other is None:
        from ember.ops.indexing import nonzero

        return nonzero(condition, as_tuple=True)
    if not isinstance(condition, Tensor) or condition._dtype is not _dtype.bool:
        found = condition._dtype._legacy_name if isinstance(condition, Tensor) else "scalar"
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a "
                           f"tensor with dtype {found}")
    check_same_device(condition, input, other)
    if out is not None:
        for position, (name, value) in enumerate((("input", input), ("other", other)), 2):
            if not isinstance(value, Tensor):
                raise TypeError(f"where(): argument '{name}' (position {position}) must be "
                                f"Tensor, not {type(value).__name__}")
    dtype = _promote(input, other)
    if out is not None and isinstance(out, Tensor) and out._dtype is not dtype:
        raise RuntimeError(f"Expected out type to be {dtype._legacy_name} but got "
                           f"{out._dtype._legacy_name}")
    compute = compute_dtype(dtype)._np
    try:
        data = _cpu.where(condition._data, *_operands(input, other, dtype._np, compute))
    except ValueError:
        raise broadcast_error(condition._data.shape, shape_of(input)) from None
    result = _finish_pointwise(data, dtype, [condition, *(x for x in (input, other)
                                                          if isinstance(x, Tensor))])
    if out is not None:
        check_out_allowed("where", input, other)
        return write_out(out, result)
    if needs_grad(input, other):
        record_op("WhereBackward0", (lambda grad, condition: where(condition, grad, 0.0),
                                     lambda grad, condition: where(condition, 0.0, grad)),
                  (input, other), (result,), {"condition": condition})
    return result


Tensor.where = lambda self, condition, other: where(condition, self, other)

# --- more arithmetic ----------------------------------------------------------------------


def _sgn_kernel(x, out=None):
    if x.dtype.kind != "c":
        return _sign_kernel(x, out=out)
    magnitude = _cpu.abs(x)
    magnitude = _cpu.where(magnitude == 0, 1, magnitude)
    if x.dtype == _cpu.complex64:  # PyTorch's vectorized loop: inf + 0j gives nan + nanj
        return _cpu.divide(x, magnitude, out=out)
    # part by part, as PyTorch's complex128 loop divides: inf + 0j gives nan + 0j
    result = _cpu.empty_like(x) if out is None else out
    real, imag = x.real / magnitude, x.imag / magnitude
    result.real, result.imag = real, imag
    return result


def _sgn_derivative(grad, input, result):
    """Zero for real inputs (a step function). For z = |z| sgn(z), in PyTorch's convention
    (see Note [Complex gradients], which takes this formula as it is):
    (grad - sgn(z)² conj(grad)) / 2|z|, and 0 at z = 0."""
    if not input._dtype.is_complex:
        return grad * 0
    magnitude = input.abs()
    share = (grad - result * result * grad.conj()) / (2 * magnitude)
    return where(magnitude == 0, 0.0, share)


sgn = unary(_sgn_kernel, name="sgn", grad_fn="SgnBackward0", derivative=_sgn_derivative)


@method("square")
def square(input, *, out=None):
    """``input * input``: ``pow(input, 2)``, so that bool gives int64 as in PyTorch."""
    if not isinstance(input, Tensor):
        raise TypeError("square(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    return pow(input, 2, out=out)


@method("square_")
def _square_inplace(self):
    return self.pow_(2)


@method("positive")
def positive(input):
    """``input`` itself (refused for bool, like unary ``+``)."""
    if not isinstance(input, Tensor):
        raise TypeError("positive(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    return _positive(input)


def _by_operands(name):
    """The node name of an op with overloads for two tensors (``name + "Backward0"``), a
    number ``input`` (``Backward1``) and a number ``other`` (``Backward2``)."""
    return lambda input, other: name + ("Backward0" if isinstance(input, Tensor) and
                                        isinstance(other, Tensor) else "Backward1"
                                        if isinstance(other, Tensor) else "Backward2")


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



# --- lerp, addcmul, addcdiv -----------------------------------------------------------------


def _require_tensor(function, name, position, value):
    if not isinstance(value, Tensor):
        raise TypeError(f"{function}(): argument '{name}' (position {position}) must be "
                        f"Tensor, not {type(value).__name__}")


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
            data = (start + w * (stop - start) if _cpu.abs(w) < 0.5
                    else stop - (stop - start) * (1 - w))
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


# --- Python operators -----------------------------------------------------------------------


def _reflected(op):
    def reflected(self, other):
        return op(other, self)

    return reflected


def _iop(op_):
    def inplace_operator(self, other):
        return op_(self, other)

    return inplace_operator


Tensor.__add__ = Tensor.__radd__ = _add
Tensor.__iadd__ = _iop(Tensor.add_)
Tensor.__sub__ = _sub
Tensor.__rsub__ = _reflected(_sub)
Tensor.__isub__ = _iop(Tensor.sub_)
Tensor.__mul__ = Tensor.__rmul__ = mul
Tensor.__imul__ = _iop(Tensor.mul_)
Tensor.__truediv__ = true_divide
Tensor.__rtruediv__ = lambda self, other: mul(reciprocal(self), other)  # as PyTorch has it
Tensor.__itruediv__ = _iop(Tensor.true_divide_)
Tensor.__floordiv__ = floor_divide
Tensor.__rfloordiv__ = _reflected(floor_divide)
Tensor.__ifloordiv__ = _iop(Tensor.floor_divide_)
Tensor.__mod__ = remainder
Tensor.__rmod__ = _reflected(remainder)
Tensor.__imod__ = _iop(Tensor.remainder_)
Tensor.__pow__ = pow
Tensor.__rpow__ = _reflected(pow)
Tensor.__ipow__ = _iop(Tensor.pow_)
Tensor.__neg__ = neg


def _positive(self):
    if self._dtype is _dtype.bool:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return self


def _invert(self):
    if self._dtype.is_floating_point or self._dtype.is_complex:
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                        "tensors")
    return bitwise_not(self)


Tensor.__pos__ = _positive
Tensor.__abs__ = abs
Tensor.__invert__ = _invert
Tensor.__and__ = Tensor.__rand__ = bitwise_and
Tensor.__iand__ = _iop(Tensor.bitwise_and_)
Tensor.__or__ = Tensor.__ror__ = bitwise_or
Tensor.__ior__ = _iop(Tensor.bitwise_or_)
Tensor.__xor__ = Tensor.__rxor__ = bitwise_xor
Tensor.__ixor__ = _iop(Tensor.bitwise_xor_)
Tensor.__lshift__ = bitwise_left_shift
Tensor.__rlshift__ = _reflected(bitwise_left_shift)
Tensor.__rshift__ = bitwise_right_shift
Tensor.__rrshift__ = _reflected(bitwise_right_shift)
Tensor.__ilshift__ = _iop(Tensor.bitwise_left_shift_)
Tensor.__irshift__ = _iop(Tensor.bitwise_right_shift_)


def _comparison_operator(op, arrays=False):
    """Comparing with something that is neither a tensor nor a number defers to Python,
    except that ``==`` (``arrays``) reads a NumPy array as a tensor, as PyTorch's does
    (its ``!=`` does not)."""

    def operator(self, other):
        if isinstance(other, Tensor | Number):
            return op(self, other)
        if arrays and isinstance(other, _ndarray):
            return op(self, finish(other, _dtype._from_np(other.dtype), self._device))
        return NotImplemented

    return operator


Tensor.__eq__ = _comparison_operator(eq, arrays=True)
Tensor.__ne__ = _comparison_operator(ne)
Tensor.__lt__ = _comparison_operator(lt)
Tensor.__le__ = _comparison_operator(le)
Tensor.__gt__ = _comparison_operator(gt)
Tensor.__ge__ = _comparison_operator(ge)

__all__ = [
    "abs", "absolute", "add", "addcdiv", "addcmul", "allclose", "arctan2", "atan2", "bitwise_and",
    "bitwise_left_shift", "bitwise_not", "bitwise_or", "bitwise_right_shift", "bitwise_xor",
    "clamp", "clamp_max", "clamp_min", "clip", "copysign", "div", "divide", "eq", "equal",
    "float_power", "floor_divide", "fmax", "fmin", "fmod", "frexp", "gcd", "ge", "greater",
    "greater_equal", "gt", "heaviside", "hypot", "isclose", "isfinite", "isinf", "isnan",
    "isneginf", "isposinf", "isreal", "lcm", "ldexp", "le", "lerp", "less", "less_equal",
    "logaddexp", "logaddexp2", "logical_and", "logical_not", "logical_or", "logical_xor", "lt",
    "maximum", "minimum", "mul", "multiply", "nan_to_num", "ne", "neg", "negative", "nextafter",
    "not_equal", "positive", "pow", "relu", "remainder", "sgn", "sign", "signbit", "square", "sub",
    "subtract", "true_divide", "where", "xlogy",
]
