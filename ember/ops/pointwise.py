"""Pointwise arithmetic and its Python operators, powers, comparisons, logic and bitwise
ops, clamp and where (the elementary functions are in elementary.py, the other binary
functions in binary_functions.py, lerp / addcmul / addcdiv and closeness in ternary.py). One
declaration each gives the function, the method, the in-place method, the Python operator
and the ``out=`` form."""

from __future__ import annotations

import builtins
import cmath
import math
from numbers import Number

from ember import _dtype
from ember.autograd import grad_mode
from ember.backends import cpu as _cpu
from ember.ops._autograd import check_out_allowed, inplace_with_grad, needs_grad, record_op
from ember.ops._common import (
    ALWAYS_BOOL,
    COMPLEX_TO_FLOAT,
    INT_TO_FLOAT,
    Tensor,
    broadcast_error,
    check_inplace,
    check_no_internal_overlap,
    check_same_device,
    compute_dtype,
    finish,
    method,
    operand,
    shape_of,
    write_out,
)
from ember.ops._elementwise import (
    _FLOAT_PRECISE,
    _finish_pointwise,
    _not_implemented,
    _operand,
    _operands,
    _zero_grad,
    binary,
    unary,
)
from ember.ops._layout import _in_layout

# The dtype sets, and the elementary functions that formulas here call; cos, expm1, log1p,
# round, sigmoid, sin and sqrt only for the modules that import them from pointwise.
from ember.ops.backward_ops import threshold_backward
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
    fused = out is None and _fusable(input, other, alpha)
    if out is None and needs_grad(input, other):
        if fused:
            result = _fused_result(input, other, sign * alpha)
        else:
            with grad_mode.no_grad():
                result = plain(input, _scaled(input, other, alpha))
        record_op(node_name, (lambda grad: grad, lambda grad: grad * (sign * alpha)),
                  (input, other), (result,))
        return result
    if fused:
        return _fused_result(input, other, sign * alpha)
    return plain(input, _scaled(input, other, alpha), out=out)


def _fusable(input, other, alpha) -> bool:
    """Whether ``input + alpha * other`` is one fused multiply-add (Note [Fused multiply-add]
    in the CPU backend), as PyTorch computes it: two tensors of one float32 or float64 dtype
    and a real ``alpha``."""
    return (isinstance(input, Tensor) and isinstance(other, Tensor)
            and input._dtype is other._dtype and input._dtype in _FLOAT_PRECISE
            and alpha.__class__ in (int, float))


def _fused_result(input, other, alpha):
    check_same_device(input, other)
    a, b = input._data, other._data
    try:
        data = _cpu.add_scaled(a, b, alpha)
    except ValueError:
        raise broadcast_error(a.shape, b.shape) from None
    if not (a.flags.c_contiguous and b.flags.c_contiguous) or not data.size:
        data = _in_layout(data, (input, other))
    return finish(data, input._dtype, input._device)


def _fused_inplace(self, other, alpha):
    """``self += alpha * other`` for fusable operands of one shape, outside autograd."""
    check_no_internal_overlap(self)
    _cpu.add_scaled(self._data, other._data, alpha, out=self._data)
    self._bump_version()
    return self


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
    if alpha != 1 and _fusable(self, other, alpha) and self._data.shape == other._data.shape:
        return _fused_inplace(self, other, alpha)
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
    if alpha != 1 and _fusable(self, other, alpha) and self._data.shape == other._data.shape:
        return _fused_inplace(self, other, -alpha)
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


relu = unary(_cpu.relu, name="relu", out=False, dtypes=_NUMBERS - _COMPLEX,
             refuse=_refuse_relu, grad_fn="ReluBackward0",
             derivative=lambda grad, result: threshold_backward(grad, result, 0))


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
    check_no_internal_overlap(self)
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
    "abs", "absolute", "add", "arctan2", "atan2", "bitwise_and", "bitwise_left_shift",
    "bitwise_not", "bitwise_or", "bitwise_right_shift", "bitwise_xor", "clamp", "clamp_max",
    "clamp_min", "clip", "div", "divide", "eq", "float_power", "floor_divide", "fmax", "fmin",
    "fmod", "ge", "greater", "greater_equal", "gt", "isfinite", "isinf", "isnan", "isneginf",
    "isposinf", "isreal", "le", "less", "less_equal", "logical_and", "logical_not",
    "logical_or", "logical_xor", "lt", "maximum", "minimum", "mul", "multiply", "nan_to_num",
    "ne", "neg", "negative", "not_equal", "positive", "pow", "relu", "remainder", "sgn",
    "sign", "square", "sub", "subtract", "true_divide", "where",
]
