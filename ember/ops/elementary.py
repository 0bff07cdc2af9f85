"""Elementary functions, elementwise: exponentials, logarithms and roots (with the
reciprocal and the logistic sigmoid), trigonometric and hyperbolic functions and their
inverses, angle conversion, and rounding.

pointwise.py imports this module (for the derivative formulas that call these functions, and
for the dtype sets below), never the reverse: the formulas here use only the Tensor operators,
which need no import."""

from __future__ import annotations

import math

from ember import _dtype
from ember.backends import cpu as _cpu
from ember.ops._autograd import needs_grad, record_op
from ember.ops._common import (
    INT_TO_FLOAT,
    Tensor,
    compute_dtype,
    method,
    operand,
    write_out,
)
from ember.ops._elementwise import (
    _ALL_DTYPES,
    _check_out_dtype,
    _finish_pointwise,
    _not_implemented,
    _zero_grad,
    unary,
)

# The dtype sets that the declarations accept, here and in pointwise.py
_BOOL = frozenset({_dtype.bool})
_COMPLEX = frozenset({_dtype.complex64, _dtype.complex128})
_FLOATING = frozenset({_dtype.float16, _dtype.bfloat16, _dtype.float32, _dtype.float64})
_INTEGRAL = frozenset(d for d in _dtype.ALL_DTYPES if d._category <= 1)
_REAL = _ALL_DTYPES - _COMPLEX
_NUMBERS = _ALL_DTYPES - _BOOL  # what arithmetic beyond addition and comparison accepts

# --- exponentials, logarithms and roots ---------------------------------------------------


def _sigmoid_kernel(x, out=None):
    if x.dtype.kind == "c":
        return _cpu.divide(1, 1 + _cpu.exp(-x), out=out)
    return _cpu.exp(-_cpu.logaddexp(0, -x), out=out)  # 1 / (1 + exp(-x)) without overflow


def _rsqrt_kernel(x, out=None):
    return _cpu.divide(1, _cpu.sqrt(x), out=out)


def _reciprocal_kernel(x, out=None):
    return _cpu.divide(1, x, out=out)


exp = unary(_cpu.exp, INT_TO_FLOAT, name="exp", grad_fn="ExpBackward0",
            derivative=lambda grad, result: grad * result)
exp2 = unary(_cpu.exp2, INT_TO_FLOAT, name="exp2", grad_fn="Exp2Backward0",
             derivative=lambda grad, result: grad * result * math.log(2.0))
log = unary(_cpu.log, INT_TO_FLOAT, name="log", grad_fn="LogBackward0",
            derivative=lambda grad, input: grad / input)
log2 = unary(_cpu.log2, INT_TO_FLOAT, name="log2", grad_fn="Log2Backward0",
             derivative=lambda grad, input: grad / (input * math.log(2.0)))
log10 = unary(_cpu.log10, INT_TO_FLOAT, name="log10", grad_fn="Log10Backward0",
              derivative=lambda grad, input: grad / (input * math.log(10.0)))
log1p = unary(_cpu.log1p, INT_TO_FLOAT, name="log1p", grad_fn="Log1PBackward0",
              derivative=lambda grad, input: grad / (input + 1))
expm1 = unary(_cpu.expm1, INT_TO_FLOAT, name="expm1", grad_fn="Expm1Backward0",
              derivative=lambda grad, result: grad * (result + 1))
sqrt = unary(_cpu.sqrt, INT_TO_FLOAT, name="sqrt", grad_fn="SqrtBackward0",
             derivative=lambda grad, result: grad / (2 * result))
rsqrt = unary(_rsqrt_kernel, INT_TO_FLOAT, name="rsqrt", grad_fn="RsqrtBackward0",
              derivative=lambda grad, result: -0.5 * grad * result * result * result)
reciprocal = unary(_reciprocal_kernel, INT_TO_FLOAT, name="reciprocal",
                   grad_fn="ReciprocalBackward0",
                   derivative=lambda grad, result: -grad * result * result)
sigmoid = unary(_sigmoid_kernel, INT_TO_FLOAT, name="sigmoid", grad_fn="SigmoidBackward0",
                derivative=lambda grad, result: grad * result * (1 - result))

# --- trigonometric and hyperbolic ---------------------------------------------------------

sin = unary(_cpu.sin, INT_TO_FLOAT, name="sin", grad_fn="SinBackward0",
            derivative=lambda grad, input: grad * cos(input))
cos = unary(_cpu.cos, INT_TO_FLOAT, name="cos", grad_fn="CosBackward0",
            derivative=lambda grad, input: -grad * sin(input))
tan = unary(_cpu.tan, INT_TO_FLOAT, name="tan", grad_fn="TanBackward0",
            derivative=lambda grad, result: grad * (1 + result * result))
tanh = unary(_cpu.tanh, INT_TO_FLOAT, name="tanh", grad_fn="TanhBackward0",
             derivative=lambda grad, result: grad * (1 - result * result))


def _aliases(*pairs):
    """The methods ``alias`` and ``alias_`` as those of ``name``, for each (alias, name)."""
    for alias, name in pairs:
        setattr(Tensor, alias, getattr(Tensor, name))
        setattr(Tensor, alias + "_", getattr(Tensor, name + "_"))


asin = unary(_cpu.arcsin, INT_TO_FLOAT, name="asin", grad_fn="AsinBackward0",
             derivative=lambda grad, input: grad / sqrt(1 - input * input))
acos = unary(_cpu.arccos, INT_TO_FLOAT, name="acos", grad_fn="AcosBackward0",
             derivative=lambda grad, input: -grad / sqrt(1 - input * input))
atan = unary(_cpu.arctan, INT_TO_FLOAT, name="atan", grad_fn="AtanBackward0",
             derivative=lambda grad, input: grad / (1 + input * input))
sinh = unary(_cpu.sinh, INT_TO_FLOAT, name="sinh", grad_fn="SinhBackward0",
             derivative=lambda grad, input: grad * cosh(input))
cosh = unary(_cpu.cosh, INT_TO_FLOAT, name="cosh", grad_fn="CoshBackward0",
             derivative=lambda grad, input: grad * sinh(input))
asinh = unary(_cpu.arcsinh, INT_TO_FLOAT, name="asinh", grad_fn="AsinhBackward0",
              derivative=lambda grad, input: grad / sqrt(input * input + 1))
acosh = unary(_cpu.arccosh, INT_TO_FLOAT, name="acosh", grad_fn="AcoshBackward0",
              derivative=lambda grad, input: grad / sqrt((input - 1) * (input + 1)))
atanh = unary(_cpu.arctanh, INT_TO_FLOAT, name="atanh", grad_fn="AtanhBackward0",
              derivative=lambda grad, input: grad / (1 - input * input))
arcsin, arccos, arctan, arcsinh, arccosh, arctanh = asin, acos, atan, asinh, acosh, atanh
_aliases(("arcsin", "asin"), ("arccos", "acos"), ("arctan", "atan"), ("arcsinh", "asinh"),
         ("arccosh", "acosh"), ("arctanh", "atanh"))


def _scaling(factor):
    def scale(x, out=None):
        return _cpu.multiply(x, x.dtype.type(factor), out=out)

    return scale


def _angle_conversion(name, factor, grad_fn):
    return unary(_scaling(factor), INT_TO_FLOAT, name=name, dtypes=_REAL,
                 refuse=_not_implemented(name, f"{name} is not supported for complex tensors.",
                                         RuntimeError),
                 grad_fn=grad_fn, derivative=lambda grad: grad * factor)


deg2rad = _angle_conversion("deg2rad", math.pi / 180, "Deg2RadBackward0")
rad2deg = _angle_conversion("rad2deg", 180 / math.pi, "Rad2DegBackward0")

# --- rounding -----------------------------------------------------------------------------


def _integral_passthrough(kernel):
    """Rounding ops leave integer tensors unchanged, as in PyTorch."""

    def rounding_kernel(x, out=None):
        if x.dtype.kind in "biu":
            return x.copy() if out is None else _cpu.copyto(out, x)
        return kernel(x, out=out)

    return rounding_kernel


def _rounding(kernel, name, complex_message=True):
    """A rounding op: piecewise constant, so its gradient is zero."""
    message = f"{name} is not supported for complex inputs" if complex_message else None
    return unary(_integral_passthrough(kernel), name=name, dtypes=_NUMBERS - _COMPLEX,
                 refuse=_not_implemented(f"{name}_vml_cpu", message),
                 grad_fn=name.capitalize() + "Backward0", derivative=_zero_grad)


floor = _rounding(_cpu.floor, "floor")
ceil = _rounding(_cpu.ceil, "ceil")
trunc = _rounding(_cpu.trunc, "trunc")
fix = trunc
Tensor.fix = Tensor.trunc
Tensor.fix_ = Tensor.trunc_
_round_half_even = _rounding(_cpu.rint, "round", complex_message=False)


def _round_decimals(input, decimals):
    """Round half to even at ``decimals`` places (tens, hundreds, ... when negative), scaling
    in the computation dtype as PyTorch does."""
    if input._dtype not in _FLOATING:
        raise _not_implemented("round_cpu")(input._dtype)
    compute = compute_dtype(input._dtype)._np
    data = operand(input, compute)
    if decimals > 0:
        scale = compute.type(10.0 ** decimals)
        rounded = _cpu.rint(data * scale) / scale
    else:
        scale = compute.type(10.0 ** -decimals)
        rounded = _cpu.rint(data / scale) * scale
    return _finish_pointwise(rounded, input._dtype, (input,))


@method("round")
def round(input, *, decimals: int = 0, out=None):
    """Round half to even, to ``decimals`` decimal places."""
    if decimals == 0:
        return _round_half_even(input, out=out)
    result = _round_decimals(input, decimals)
    if out is None:
        if needs_grad(input):
            record_op("RoundBackward1", (_zero_grad,), (input,), (result,))
        return result
    if isinstance(out, Tensor):
        _check_out_dtype(out, input._dtype)
    return write_out(out, result)


@method("round_")
def _round_inplace(self, *, decimals: int = 0):
    if decimals == 0:
        return _round_half_even.inplace(self)
    _cpu.copyto(self._data, _round_decimals(self, decimals)._data)
    self._bump_version()
    return self


def _frac_kernel(x, out=None):
    return _cpu.subtract(x, _cpu.trunc(x), out=out)


frac = unary(_frac_kernel, name="frac", dtypes=_FLOATING, grad_fn="FracBackward0",
             derivative=lambda grad: grad)

__all__ = [
    "acos", "acosh", "arccos", "arccosh", "arcsin", "arcsinh", "arctan", "arctanh", "asin",
    "asinh", "atan", "atanh", "ceil", "cos", "cosh", "deg2rad", "exp", "exp2", "expm1", "fix",
    "floor", "frac", "log", "log10", "log1p", "log2", "rad2deg", "reciprocal", "round", "rsqrt",
    "sigmoid", "sin", "sinh", "sqrt", "tan", "tanh", "trunc",
]
