"""Pointwise ops: one declaration each gives the function, the method, the in-place method,
the Python operator and the ``out=`` form."""

from __future__ import annotations

from numbers import Number

from ember import _dtype
from ember._tensor import _make
from ember.backends import cpu as _cpu
from ember.ops._common import (
    ALWAYS_BOOL,
    COMPLEX_TO_FLOAT,
    DEFAULT,
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

_promote = _dtype._result_dtype
_HALF_TYPES = (_dtype.float16, _dtype.bfloat16)
_ndarray = _cpu.ndarray


def _run_binary(kernel, input, other, kind, inplace=False):
    """Promote ``input`` and ``other`` as PyTorch does, then run ``kernel`` on backend
    arrays; the result tensor (or ``input``, updated, when ``inplace``)."""
    check_same_device(input, other)
    promoted = _promote(input, other)
    dtype = result_dtype(promoted, kind)
    compute = compute_dtype(promoted if kind is ALWAYS_BOOL else dtype)._np
    a = operand(input, compute)
    b = operand(other, compute)
    if inplace:
        check_inplace(input, dtype, broadcast_shape(input._data.shape, shape_of(other)))
        if compute is input._dtype._np:
            kernel(a, b, out=input._data)
        else:
            _cpu.copyto(input._data, kernel(a, b), casting="unsafe")
        input._bump_version()
        return input
    try:
        data = kernel(a, b)
    except ValueError:
        raise broadcast_error(shape_of(input), shape_of(other)) from None
    return finish(data, dtype, input._device if isinstance(input, Tensor) else other._device)


def binary(kernel, kind=DEFAULT, *, name, inplace=True, check=None):
    """Declare a binary op over the backend ufunc ``kernel``: returns the function and
    attaches the method ``name`` and (if ``inplace``) ``name_``. ``check(input, other)``
    raises for operands PyTorch refuses."""

    def op(input, other, *, out=None):
        if (input.__class__ is Tensor and other.__class__ is Tensor and out is None
                and input._dtype is other._dtype and kind is not INT_TO_FLOAT
                and check is None and input._dtype not in _HALF_TYPES):
            try:
                data = kernel(input._data, other._data)
            except ValueError:
                raise broadcast_error(input._data.shape, other._data.shape) from None
            if data.__class__ is not _ndarray:
                data = _cpu.asarray(data)
            return _make(data, _dtype.bool if kind is ALWAYS_BOOL else input._dtype,
                         input._device)
        if check is not None:
            check(input, other)
        result = _run_binary(kernel, input, other, kind)
        return result if out is None else write_out(out, result)

    def op_(self, other):
        if check is not None:
            check(self, other)
        return _run_binary(kernel, self, other, kind, inplace=True)

    op.__name__ = name
    setattr(Tensor, name, op)
    if inplace:
        op_.__name__ = name + "_"
        setattr(Tensor, name + "_", op_)
    return op


def unary(kernel, kind=DEFAULT, *, name, inplace=True, check=None):
    """Declare a unary op over the backend ufunc ``kernel``: returns the function and
    attaches the method ``name`` and (if ``inplace``) ``name_``."""

    def run(input, inplace):
        if check is not None:
            check(input)
        dtype = result_dtype(input._dtype, kind)
        compute = compute_dtype(dtype)._np
        source = operand(input, compute)
        if inplace:
            check_inplace(input, dtype, input._data.shape)
            if compute is input._dtype._np:
                kernel(source, out=input._data)
            else:
                _cpu.copyto(input._data, kernel(source), casting="unsafe")
            input._bump_version()
            return input
        return finish(kernel(source), dtype, input._device)

    def op(input, *, out=None):
        result = run(input, False)
        return result if out is None else write_out(out, result)

    def op_(self):
        return run(self, True)

    op.__name__ = name
    setattr(Tensor, name, op)
    if inplace:
        op_.__name__ = name + "_"
        setattr(Tensor, name + "_", op_)
    return op


def _no_bool_subtraction(input, other):
    if _dtype_of(input) is _dtype.bool and _dtype_of(other) is _dtype.bool:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")


def _no_bool_negation(input):
    if input._dtype is _dtype.bool:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or "
                           "`logical_not()` operator instead.")


def _integral_only(name):
    def check(input, other=None):
        for value in (input, other):
            if isinstance(value, Tensor) and (value._dtype.is_floating_point
                                              or value._dtype.is_complex):
                raise RuntimeError(f'"{name}_cpu" not implemented for '
                                   f"'{value._dtype._legacy_name}'")
            if isinstance(value, float):
                raise TypeError(f"{name}(): argument 'other' must be an integral number")

    return check


def _dtype_of(value):
    return value._dtype if isinstance(value, Tensor) else _dtype._scalar_dtype(value)


def _sigmoid_kernel(x, out=None):
    result = _cpu.exp(-_cpu.logaddexp(0, -x), out=out)
    return result


def _rsqrt_kernel(x, out=None):
    return _cpu.divide(1, _cpu.sqrt(x), out=out)


def _relu_kernel(x, out=None):
    return _cpu.maximum(x, x.dtype.type(0), out=out)


def _sign_kernel(x, out=None):
    if x.dtype == _cpu.bool_:
        return _cpu.copyto(out, x) if out is not None else x.copy()
    return _cpu.sign(x, out=out)


def _true_divide_kernel(a, b, out=None):
    return _cpu.true_divide(a, b, out=out)


def _logical(kernel):
    def logical_kernel(a, b, out=None):
        return kernel(a.astype(bool, copy=False) if hasattr(a, "astype") else bool(a),
                      b.astype(bool, copy=False) if hasattr(b, "astype") else bool(b), out=out)

    return logical_kernel


# --- arithmetic ---------------------------------------------------------------------------

_add = binary(_cpu.add, name="_add_plain", inplace=False)
_sub = binary(_cpu.subtract, name="_sub_plain", inplace=False, check=_no_bool_subtraction)


def _scaled(other, alpha):
    if alpha == 1:
        return other
    if isinstance(other, Tensor):
        if isinstance(alpha, float) and not (other._dtype.is_floating_point
                                             or other._dtype.is_complex):
            raise RuntimeError("For integral input tensors, argument alpha must not be a "
                               "floating point number.")
        return mul(other, alpha)
    return other * alpha


@method("add")
def add(input, other, *, alpha=1, out=None):
    """``input + alpha * other``, with broadcasting and type promotion."""
    if alpha != 1:
        other = _scaled(other, alpha)
    return _add(input, other, out=out)


@method("add_")
def _add_inplace(self, other, *, alpha=1):
    return _run_binary(_cpu.add, self, _scaled(other, alpha), DEFAULT, inplace=True)


@method("sub", "subtract")
def sub(input, other, *, alpha=1, out=None):
    """``input - alpha * other``."""
    if alpha != 1:
        other = _scaled(other, alpha)
    return _sub(input, other, out=out)


@method("sub_", "subtract_")
def _sub_inplace(self, other, *, alpha=1):
    _no_bool_subtraction(self, other)
    return _run_binary(_cpu.subtract, self, _scaled(other, alpha), DEFAULT, inplace=True)


subtract = sub
mul = binary(_cpu.multiply, name="mul")
multiply = mul
Tensor.multiply = Tensor.mul
Tensor.multiply_ = Tensor.mul_
true_divide = binary(_true_divide_kernel, INT_TO_FLOAT, name="true_divide")


def _trunc_divide_kernel(a, b, out=None):
    if a.dtype.kind in "fc" if hasattr(a, "dtype") else isinstance(a, float):
        return _cpu.trunc(_cpu.true_divide(a, b), out=out)
    quotient = _cpu.floor_divide(a, b)
    inexact = (_cpu.remainder(a, b) != 0) & ((_cpu.asarray(a) < 0) != (_cpu.asarray(b) < 0))
    result = quotient + inexact
    if out is None:
        return result
    _cpu.copyto(out, result, casting="unsafe")
    return out


_floor_divide = binary(_cpu.floor_divide, name="floor_divide")
floor_divide = _floor_divide
_trunc_divide = binary(_trunc_divide_kernel, name="_trunc_divide", inplace=False)


@method("div", "divide")
def div(input, other, *, rounding_mode=None, out=None):
    """``input / other``; ``rounding_mode`` None (true division), 'trunc' or 'floor'."""
    if rounding_mode is None:
        return true_divide(input, other, out=out)
    if rounding_mode == "trunc":
        return _trunc_divide(input, other, out=out)
    if rounding_mode == "floor":
        return _floor_divide(input, other, out=out)
    raise RuntimeError("div expected rounding_mode to be one of None, 'trunc', or 'floor' but "
                       f"found '{rounding_mode}'")


@method("div_", "divide_")
def _div_inplace(self, other, *, rounding_mode=None):
    if rounding_mode is None:
        return _run_binary(_true_divide_kernel, self, other, INT_TO_FLOAT, inplace=True)
    kernel = _trunc_divide_kernel if rounding_mode == "trunc" else _cpu.floor_divide
    return _run_binary(kernel, self, other, DEFAULT, inplace=True)


divide = div
remainder = binary(_cpu.remainder, name="remainder")
fmod = binary(_cpu.fmod, name="fmod")


def _check_power(input, exponent):
    if (_dtype_of(input)._category <= 1 and _dtype_of(exponent)._category <= 1):
        negative = (exponent < 0).any() if isinstance(exponent, Tensor) else exponent < 0
        if negative:
            raise RuntimeError("Integers to negative integer powers are not allowed.")


pow = binary(_cpu.power, name="pow", check=_check_power)


@method("float_power")
def float_power(input, exponent, *, out=None):
    """``input ** exponent`` computed in double precision."""
    wide = _dtype.complex128 if (_dtype_of(input).is_complex
                                 or _dtype_of(exponent).is_complex) else _dtype.float64
    result = finish(_cpu.power(operand(input, wide._np), operand(exponent, wide._np)), wide)
    return result if out is None else write_out(out, result)


maximum = binary(_cpu.maximum, name="maximum", inplace=False)
minimum = binary(_cpu.minimum, name="minimum", inplace=False)
fmax = binary(_cpu.fmax, name="fmax", inplace=False)
fmin = binary(_cpu.fmin, name="fmin", inplace=False)
atan2 = binary(_cpu.arctan2, INT_TO_FLOAT, name="atan2")
arctan2 = atan2
Tensor.arctan2 = Tensor.atan2

neg = unary(_cpu.negative, name="neg", check=_no_bool_negation)
negative = neg
Tensor.negative = Tensor.neg
Tensor.negative_ = Tensor.neg_
abs = unary(_cpu.absolute, COMPLEX_TO_FLOAT, name="abs")
absolute = abs
Tensor.absolute = Tensor.abs
Tensor.absolute_ = Tensor.abs_
sign = unary(_sign_kernel, name="sign")
exp = unary(_cpu.exp, INT_TO_FLOAT, name="exp")
exp2 = unary(_cpu.exp2, INT_TO_FLOAT, name="exp2")
log = unary(_cpu.log, INT_TO_FLOAT, name="log")
log2 = unary(_cpu.log2, INT_TO_FLOAT, name="log2")
log10 = unary(_cpu.log10, INT_TO_FLOAT, name="log10")
log1p = unary(_cpu.log1p, INT_TO_FLOAT, name="log1p")
expm1 = unary(_cpu.expm1, INT_TO_FLOAT, name="expm1")
sqrt = unary(_cpu.sqrt, INT_TO_FLOAT, name="sqrt")
rsqrt = unary(_rsqrt_kernel, INT_TO_FLOAT, name="rsqrt")
sin = unary(_cpu.sin, INT_TO_FLOAT, name="sin")
cos = unary(_cpu.cos, INT_TO_FLOAT, name="cos")
tan = unary(_cpu.tan, INT_TO_FLOAT, name="tan")
tanh = unary(_cpu.tanh, INT_TO_FLOAT, name="tanh")
sigmoid = unary(_sigmoid_kernel, INT_TO_FLOAT, name="sigmoid")


def _no_bool_relu(input):
    if input._dtype is _dtype.bool:
        raise RuntimeError("\"clamp_min_cpu\" not implemented for 'Bool'")


relu = unary(_relu_kernel, name="relu", check=_no_bool_relu)


def _integral_passthrough(kernel):
    """Rounding ops leave integer tensors unchanged, as in PyTorch."""

    def rounding_kernel(x, out=None):
        if x.dtype.kind in "biu":
            return x.copy() if out is None else _cpu.copyto(out, x)
        return kernel(x, out=out)

    return rounding_kernel


floor = unary(_integral_passthrough(_cpu.floor), name="floor")
ceil = unary(_integral_passthrough(_cpu.ceil), name="ceil")
trunc = unary(_integral_passthrough(_cpu.trunc), name="trunc")
fix = trunc
Tensor.fix = Tensor.trunc
Tensor.fix_ = Tensor.trunc_
_round_half_even = unary(_integral_passthrough(_cpu.rint), name="_round_plain")


@method("round")
def round(input, *, decimals: int = 0, out=None):
    """Round half to even, to ``decimals`` decimal places."""
    if decimals == 0:
        return _round_half_even(input, out=out)
    scale = 10.0 ** decimals
    compute = compute_dtype(input._dtype)._np
    scaled = _cpu.rint(operand(input, compute) * compute.type(scale)) / compute.type(scale)
    result = finish(scaled, input._dtype, input._device)
    return result if out is None else write_out(out, result)


@method("round_")
def _round_inplace(self, *, decimals: int = 0):
    rounded = round(self, decimals=decimals)
    _cpu.copyto(self._data, rounded._data)
    self._bump_version()
    return self


# --- comparisons and logic ----------------------------------------------------------------

eq = binary(_cpu.equal, ALWAYS_BOOL, name="eq")
ne = binary(_cpu.not_equal, ALWAYS_BOOL, name="ne")
lt = binary(_cpu.less, ALWAYS_BOOL, name="lt")
le = binary(_cpu.less_equal, ALWAYS_BOOL, name="le")
gt = binary(_cpu.greater, ALWAYS_BOOL, name="gt")
ge = binary(_cpu.greater_equal, ALWAYS_BOOL, name="ge")
not_equal, less, less_equal, greater, greater_equal = ne, lt, le, gt, ge
for _alias, _name in (("not_equal", "ne"), ("less", "lt"), ("less_equal", "le"),
                      ("greater", "gt"), ("greater_equal", "ge")):
    setattr(Tensor, _alias, getattr(Tensor, _name))
    setattr(Tensor, _alias + "_", getattr(Tensor, _name + "_"))

logical_and = binary(_logical(_cpu.logical_and), ALWAYS_BOOL, name="logical_and")
logical_or = binary(_logical(_cpu.logical_or), ALWAYS_BOOL, name="logical_or")
logical_xor = binary(_logical(_cpu.logical_xor), ALWAYS_BOOL, name="logical_xor")
logical_not = unary(_cpu.logical_not, ALWAYS_BOOL, name="logical_not")
bitwise_and = binary(_cpu.bitwise_and, name="bitwise_and", check=_integral_only("bitwise_and"))
bitwise_or = binary(_cpu.bitwise_or, name="bitwise_or", check=_integral_only("bitwise_or"))
bitwise_xor = binary(_cpu.bitwise_xor, name="bitwise_xor", check=_integral_only("bitwise_xor"))
bitwise_not = unary(_cpu.invert, name="bitwise_not", check=_integral_only("bitwise_not"))
bitwise_left_shift = binary(_cpu.left_shift, name="bitwise_left_shift",
                            check=_integral_only("lshift"))
bitwise_right_shift = binary(_cpu.right_shift, name="bitwise_right_shift",
                             check=_integral_only("rshift"))

isnan = unary(_cpu.isnan, ALWAYS_BOOL, name="isnan", inplace=False)
isinf = unary(_cpu.isinf, ALWAYS_BOOL, name="isinf", inplace=False)
isfinite = unary(_cpu.isfinite, ALWAYS_BOOL, name="isfinite", inplace=False)
isposinf = unary(_cpu.isposinf, ALWAYS_BOOL, name="isposinf", inplace=False)
isneginf = unary(_cpu.isneginf, ALWAYS_BOOL, name="isneginf", inplace=False)


@method("isreal")
def isreal(input):
    if not input._dtype.is_complex:
        return finish(_cpu.ones(input._data.shape, bool), _dtype.bool, input._device)
    return finish(input._data.imag == 0, _dtype.bool, input._device)


@method("nan_to_num")
def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    """Replace NaN, +inf and -inf with ``nan``, ``posinf``, ``neginf`` (default: the
    dtype's largest and lowest finite values)."""
    if not (input._dtype.is_floating_point or input._dtype.is_complex):
        result = finish(input._data.copy(), input._dtype, input._device)
    else:
        compute = compute_dtype(input._dtype)
        info = _dtype.finfo(input._dtype)
        data = _cpu.nan_to_num(operand(input, compute._np), nan=nan,
                               posinf=info.max if posinf is None else posinf,
                               neginf=info.min if neginf is None else neginf)
        result = finish(data, input._dtype, input._device)
    return result if out is None else write_out(out, result)


@method("nan_to_num_")
def _nan_to_num_inplace(self, nan=0.0, posinf=None, neginf=None):
    _cpu.copyto(self._data, nan_to_num(self, nan, posinf, neginf)._data)
    self._bump_version()
    return self


# --- clamp and where ----------------------------------------------------------------------


def _clamp_dtype(input, low, high):
    bounds = [b for b in (low, high) if b is not None]
    return _promote(input, *bounds)


@method("clamp", "clip")
def clamp(input, min=None, max=None, *, out=None):
    """Limit every element to ``[min, max]``; ``min`` > ``max`` gives ``max`` everywhere."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    dtype = _clamp_dtype(input, min, max)
    compute = compute_dtype(dtype)._np
    data = operand(input, compute)
    if min is not None:
        data = _cpu.maximum(data, operand(min, compute))
    if max is not None:
        data = _cpu.minimum(data, operand(max, compute))
    result = finish(data, dtype, input._device)
    return result if out is None else write_out(out, result)


clip = clamp


@method("clamp_", "clip_")
def _clamp_inplace(self, min=None, max=None):
    result = clamp(self, min, max)
    check_inplace(self, result._dtype, result._data.shape)
    _cpu.copyto(self._data, result._data, casting="unsafe")
    self._bump_version()
    return self


@method("clamp_min")
def clamp_min(input, min):
    return clamp(input, min=min)


@method("clamp_max")
def clamp_max(input, max):
    return clamp(input, max=max)


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
    dtype = _promote(input, other)
    try:
        data = _cpu.where(condition._data, operand(input, dtype._np), operand(other, dtype._np))
    except ValueError:
        raise broadcast_error(condition._data.shape, shape_of(input)) from None
    result = finish(data, dtype, condition._device)
    return result if out is None else write_out(out, result)


Tensor.where = lambda self, condition, other: where(condition, self, other)


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
Tensor.__rtruediv__ = _reflected(true_divide)
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
Tensor.__pos__ = lambda self: self
Tensor.__abs__ = abs
Tensor.__invert__ = bitwise_not
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


def _comparison_operator(op):
    """Comparing with something that is neither a tensor nor a number defers to Python."""

    def operator(self, other):
        if isinstance(other, Tensor | Number):
            return op(self, other)
        return NotImplemented

    return operator


Tensor.__eq__ = _comparison_operator(eq)
Tensor.__ne__ = _comparison_operator(ne)
Tensor.__lt__ = _comparison_operator(lt)
Tensor.__le__ = _comparison_operator(le)
Tensor.__gt__ = _comparison_operator(gt)
Tensor.__ge__ = _comparison_operator(ge)

__all__ = [
    "abs", "absolute", "add", "arctan2", "atan2", "bitwise_and", "bitwise_left_shift",
    "bitwise_not", "bitwise_or", "bitwise_right_shift", "bitwise_xor", "ceil", "clamp",
    "clamp_max", "clamp_min", "clip", "cos", "div", "divide", "eq", "exp", "exp2", "expm1",
    "fix", "float_power", "floor", "floor_divide", "fmax", "fmin", "fmod", "ge", "greater",
    "greater_equal", "gt", "isfinite", "isinf", "isnan", "isneginf", "isposinf", "isreal",
    "le", "less", "less_equal", "log", "log10", "log1p", "log2", "logical_and", "logical_not",
    "logical_or", "logical_xor", "lt", "maximum", "minimum", "mul", "multiply", "nan_to_num",
    "ne", "neg", "negative", "not_equal", "pow", "relu", "remainder", "round", "rsqrt",
    "sigmoid", "sign", "sin", "sqrt", "sub", "subtract", "tan", "tanh", "true_divide", "trunc",
    "where",
]
