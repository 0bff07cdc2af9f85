"""The pointwise op table: every binary and unary op, clamp and where, checked against torch
in function, method, in-place and ``out=`` forms, over every dtype, and on error inputs."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import ember

from .op_table import (
    ALL_DTYPES,
    COMPLEX_DTYPES,
    FLOAT_DTYPES,
    INEXACT_DTYPES,
    INT_DTYPES,
    INTEGRAL_DTYPES,
    NON_BOOL,
    REAL_DTYPES,
    Arr,
    ErrorInput,
    OpInfo,
    Sample,
    arr,
    check_aliases,
    check_errors,
    check_function,
    check_inplace,
    check_method,
    check_out,
    compare,
    op_params,
    rng_for,
)

REAL_NON_BOOL = tuple(d for d in REAL_DTYPES if d != "bool")
FLOATING = FLOAT_DTYPES + INTEGRAL_DTYPES  # ops that refuse only complex
SCALARS = (2, -3, 2.5, True)


def _options(spec, dtype):
    return spec(dtype) if spec else {}


def binary_samples(lhs=None, rhs=None, scalars=SCALARS, kwargs=None, promote=True,
                   special=INEXACT_DTYPES, skip_pair=None):
    """Samples for ``op(input, other)``. ``lhs`` / ``rhs`` map a dtype to ``make_values``
    options for the first / second operand (so divisors can avoid zero and exponents be
    non-negative); ``kwargs`` go to every call; ``special`` are the dtypes for which NaN,
    infinities and signed zeros are tried; ``skip_pair(dtype, other)`` leaves out promotion
    samples that a separate test covers."""
    kwargs = kwargs or {}

    def samples(dtype, rng):
        def a(shape, layout="contiguous", d=dtype):
            return arr(shape, d, rng, layout, **_options(lhs, d))

        def b(shape, layout="contiguous", d=dtype):
            return arr(shape, d, rng, layout, **_options(rhs, d))

        structural = [
            ((a((3, 4)), b((3, 4))), "same shape"),
            ((a((3, 1)), b((1, 4))), "broadcast both"),
            ((a((4,)), b((2, 3, 4))), "broadcast rank"),
            ((a((2, 1, 4)), b((3, 1))), "broadcast 3-d"),
            ((a((3, 4), "noncontiguous"), b((3, 4), "noncontiguous")), "non-contiguous"),
            ((a((3, 4), "noncontiguous"), b((4,))), "non-contiguous broadcast"),
            ((a((3, 4), "transposed"), b((3, 4))), "transposed lhs"),
            ((a((3, 4)), b((3, 4), "transposed")), "transposed rhs"),
            ((a((2, 3, 4), "transposed"), b((2, 3, 4), "transposed")), "transposed both"),
            ((a(()), b(())), "0-dim"),
            ((a(()), b((3,))), "0-dim lhs"),
            ((a((3,)), b(())), "0-dim rhs"),
            ((a((0, 3)), b((0, 3))), "zero-size"),
            ((a((0, 3)), b((3,))), "zero-size broadcast"),
            ((a((2, 0)), b((1,))), "zero-size 2"),
        ]
        for args, name in structural:
            yield Sample(args, kwargs, name)
        if dtype in special:
            yield Sample((arr((12,), dtype, rng, special=True, **_options(lhs, dtype)),
                          arr((12,), dtype, rng, special=True, **_options(rhs, dtype))),
                         kwargs, "special values")
        for scalar in scalars:
            yield Sample((a((3, 4)), scalar), kwargs, f"scalar {scalar!r}")
            yield Sample((scalar, b((3, 4))), kwargs, f"scalar first {scalar!r}")
            yield Sample((a(()), scalar), kwargs, f"0-dim and scalar {scalar!r}")
        if promote:
            for other in ALL_DTYPES:
                if skip_pair is not None and skip_pair(dtype, other):
                    continue
                if other != dtype:
                    yield Sample((a((3,)), b((3,), d=other)), kwargs, f"with {other}")
                    if not makes_complex32(dtype, other):
                        yield Sample((a((3,)), b((), d=other)), kwargs, f"with 0-dim {other}")
                    if not makes_complex32(other, dtype):
                        yield Sample((a(()), b((3,), d=other)), kwargs, f"0-dim with {other}")

    return samples


def makes_complex32(dimensioned, zero_dim):
    """Whether a float16 tensor meeting a complex 0-dim tensor promotes to torch.complex32,
    a dtype ember does not have (see test_complex32_promotion)."""
    return dimensioned == "float16" and zero_dim in COMPLEX_DTYPES


def unary_samples(options=None, kwargs=None, special=INEXACT_DTYPES):
    """Samples for ``op(input)``: layouts, ranks, 0-dim and zero-size inputs, special values
    (for the dtypes ``special``) and large magnitudes."""
    kwargs = kwargs or {}

    def samples(dtype, rng):
        def a(shape, layout="contiguous", **extra):
            return arr(shape, dtype, rng, layout, **{**_options(options, dtype), **extra})

        yield Sample((a((3, 4)),), kwargs, "2-d")
        yield Sample((a((3, 4), "noncontiguous"),), kwargs, "non-contiguous")
        yield Sample((a((3, 4), "transposed"),), kwargs, "transposed")
        yield Sample((a((2, 3, 4), "transposed"),), kwargs, "transposed 3-d")
        yield Sample((a(()),), kwargs, "0-dim")
        yield Sample((a((0, 3)),), kwargs, "zero-size")
        yield Sample((a((5,)),), kwargs, "1-d")
        if dtype in special:
            yield Sample((a((12,), special=True),), kwargs, "special values")
        if dtype in INEXACT_DTYPES:
            yield Sample((a((6,), low=-100.0, high=100.0),), kwargs, "large values")

    return samples


def _nonzero_integral(dtype):
    return {"nonzero": dtype in INTEGRAL_DTYPES}


def _small_exponent(dtype):
    return {"low": 0, "high": 3} if dtype in INTEGRAL_DTYPES else {}


def _shift_amount(dtype):
    return {"low": 0, "high": 7}


def _broadcast_error(rng):
    yield ErrorInput(Sample((arr((3,), "float32", rng), arr((4,), "float32", rng))),
                     RuntimeError,
                     r"The size of tensor a \(3\) must match the size of tensor b \(4\) at "
                     r"non-singleton dimension 0")
    yield ErrorInput(Sample((arr((2, 3), "int64", rng), arr((5, 1, 2), "int64", rng))),
                     RuntimeError,
                     r"The size of tensor a \(3\) must match the size of tensor b \(2\) at "
                     r"non-singleton dimension 2")


def _number_input(rng):
    yield ErrorInput(Sample((2.0,)), TypeError)


def _with(*generators):
    def errors(rng):
        for generator in generators:
            yield from generator(rng)

    return errors


def _alpha_errors(rng):
    yield ErrorInput(Sample((arr((3,), "int64", rng), arr((3,), "int64", rng)), {"alpha": 0.5}),
                     RuntimeError, "For integral input tensors, argument alpha must not be a "
                                   "floating point number.")
    yield ErrorInput(Sample((arr((3,), "bool", rng), arr((3,), "bool", rng)), {"alpha": 2.5}),
                     RuntimeError)


def _bool_subtraction(rng):
    yield ErrorInput(Sample((arr((3,), "bool", rng), arr((3,), "bool", rng))), RuntimeError,
                     "Subtraction, the `-` operator, with two bool tensors is not supported")
    yield ErrorInput(Sample((arr((3,), "bool", rng), True)), RuntimeError)


def _zero_division(rng, kwargs=None):
    kwargs = kwargs or {}
    divisor = arr((3,), "int32", rng, nonzero=True)
    divisor.values[1] = 0
    yield ErrorInput(Sample((arr((3,), "int64", rng), divisor), kwargs), RuntimeError,
                     "ZeroDivisionError")
    yield ErrorInput(Sample((arr((3,), "uint8", rng), 0), kwargs), RuntimeError,
                     "ZeroDivisionError")


def _rounding_mode_error(rng):
    yield ErrorInput(Sample((arr((3,), "float32", rng), 2), {"rounding_mode": "up"}),
                     RuntimeError, "div expected rounding_mode to be one of None, 'trunc', or "
                                   "'floor' but found 'up'")


def _power_errors(rng):
    """Negative integer powers are refused for Python exponents only (a tensor of them
    gives 0, or +-1 for bases +-1: see _negative_powers)."""
    message = "Integers to negative integer powers are not allowed."
    yield ErrorInput(Sample((arr((3,), "int64", rng), -2)), RuntimeError, message)
    yield ErrorInput(Sample((arr((), "uint8", rng), -1)), RuntimeError, message)
    yield ErrorInput(Sample((arr((3,), "bool", rng), -1)), RuntimeError, message)
    yield ErrorInput(Sample((arr((3,), "bool", rng), arr((3,), "bool", rng))),
                     NotImplementedError, "\"pow\" not implemented for 'Bool'")


def _bool_negation(rng):
    yield ErrorInput(Sample((arr((3,), "bool", rng),)), RuntimeError,
                     "Negation, the `-` operator, on a bool tensor is not supported.")


def _binary(name, dtypes=ALL_DTYPES, **options):
    samples_options = {k: options.pop(k) for k in ("lhs", "rhs", "scalars", "kwargs", "promote",
                                                   "special", "skip_pair") if k in options}
    errors = options.pop("errors", _broadcast_error)
    return OpInfo(name, binary_samples(**samples_options), dtypes=dtypes, errors=errors,
                  **options)


def _unary(name, dtypes=ALL_DTYPES, **options):
    samples_options = {k: options.pop(k) for k in ("options", "kwargs", "special")
                       if k in options}
    errors = options.pop("errors", _number_input)
    return OpInfo(name, unary_samples(**samples_options), dtypes=dtypes, errors=errors,
                  **options)


def _clamp_samples(dtype, rng):
    def a(shape, layout="contiguous", d=dtype):
        return arr(shape, d, rng, layout)

    x = a((3, 4))
    yield Sample((x,), {"min": -1, "max": 2}, "int bounds")
    yield Sample((x,), {"min": -1.5, "max": 2.5}, "float bounds")
    yield Sample((x,), {"min": None, "max": 0}, "max only")
    yield Sample((x,), {"min": 0}, "min only")
    yield Sample((x,), {"min": 3, "max": -3}, "min > max")
    yield Sample((x,), {"min": True, "max": None}, "bool bound")
    yield Sample((a((3, 4), "noncontiguous"),), {"min": -2, "max": 2}, "non-contiguous")
    yield Sample((a((3, 4), "transposed"),), {"min": a((3, 4)), "max": None}, "transposed")
    yield Sample((x,), {"min": a((3, 4)), "max": a((3, 4))}, "tensor bounds")
    yield Sample((x,), {"min": a((4,)), "max": None}, "tensor min broadcast")
    yield Sample((x,), {"min": None, "max": a((3, 1))}, "tensor max broadcast")
    yield Sample((a((4,)),), {"min": a((3, 4))}, "bound broadcasts input")
    yield Sample((x,), {"min": a(()), "max": a(())}, "0-dim bounds")
    yield Sample((a(()),), {"min": -1, "max": 1}, "0-dim")
    yield Sample((a((0, 3)),), {"min": 0, "max": 1}, "zero-size")
    high = arr((3, 4), dtype, rng, low=6, high=9)
    yield Sample((x,), {"min": high, "max": a((3, 4), d=dtype)}, "tensor min > max")
    if dtype in INEXACT_DTYPES:
        yield Sample((arr((12,), dtype, rng, special=True),), {"min": -1.0, "max": 1.0},
                     "special values")
        yield Sample((x,), {"min": float("nan")}, "nan bound")
    for other in ("int64", "float64", "uint8", "bool", "float16"):
        if other != dtype:
            yield Sample((x,), {"min": a((4,), d=other), "max": None}, f"min of {other}")
            yield Sample((x,), {"min": a((), d=other), "max": a((), d=other)},
                         f"0-dim bounds of {other}")


def _clamp_errors(rng):
    yield ErrorInput(Sample((arr((3,), "float32", rng),)), RuntimeError,
                     "torch.clamp: At least one of 'min' or 'max' must not be None")
    yield ErrorInput(Sample((arr((3,), "float32", rng),), {"min": arr((4,), "float32", rng)}),
                     RuntimeError)


def _where_samples(dtype, rng):
    def a(shape, layout="contiguous", d=dtype):
        return arr(shape, d, rng, layout)

    def cond(shape, layout="contiguous"):
        return arr(shape, "bool", rng, layout)

    yield Sample((cond((3, 4)), a((3, 4)), a((3, 4))), name="same shape")
    yield Sample((cond((3, 1)), a((1, 4)), a((4,))), name="broadcast")
    yield Sample((cond((3, 4)), a((3, 4), "noncontiguous"), a((3, 4), "transposed")),
                 name="layouts")
    yield Sample((cond((3, 4), "transposed"), a((3, 4)), a(())), name="transposed condition")
    yield Sample((cond(()), a(()), a(())), name="0-dim")
    yield Sample((cond((0, 3)), a((0, 3)), a((3,))), name="zero-size")
    yield Sample((cond((3, 4)), a((3, 4)), 0), name="scalar other")
    yield Sample((cond((3, 4)), 1.5, a((3, 4))), name="scalar input")
    yield Sample((cond((3, 4)), a((3, 4)), True), name="bool other")
    yield Sample((cond((3, 4)), 2, 3), name="two scalars")
    for other in ALL_DTYPES:
        if other != dtype:
            yield Sample((cond((3,)), a((3,)), a((3,), d=other)), name=f"with {other}")
            if not makes_complex32(dtype, other):
                yield Sample((cond((3,)), a((3,)), a((), d=other)), name=f"with 0-dim {other}")


def _where_errors(rng):
    yield ErrorInput(Sample((arr((3,), "float32", rng), arr((3,), "float32", rng),
                             arr((3,), "float32", rng))), RuntimeError,
                     "where expected condition to be a boolean tensor")
    yield ErrorInput(Sample((arr((3,), "bool", rng), arr((4,), "float32", rng),
                             arr((3,), "float32", rng))), RuntimeError)


def _where_method(lib, condition, input, other):
    return input.where(condition, other)


def _nan_to_num_samples(dtype, rng):
    yield from unary_samples()(dtype, rng)
    special = arr((12,), dtype, rng, special=True)
    yield Sample((special,), {"nan": 1.5}, "nan=")
    yield Sample((special,), {"nan": 0.0, "posinf": 2.0, "neginf": -3.0}, "all replacements")
    yield Sample((special, -1.0, 1e30, -1e30), name="positional, out of range")


# Note: ``dtypes`` below are what torch 2.13 supports on the CPU; the tests check this table
# against torch as well as ember against the table.
# torch adds alpha * other even for alpha 1, so a complex other with an infinite or NaN part
# gives NaN in the other part: see test_complex_add_of_infinity.
_FINITE_COMPLEX = {"special": FLOAT_DTYPES}
BINARY_OPS = [
    _binary("add", errors=_with(_broadcast_error, _alpha_errors), **_FINITE_COMPLEX),
    _binary("add", variant="alpha", kwargs={"alpha": 2}, **_FINITE_COMPLEX),
    _binary("sub", NON_BOOL, aliases=("subtract",),
            errors=_with(_broadcast_error, _alpha_errors, _bool_subtraction),
            **_FINITE_COMPLEX),
    _binary("sub", NON_BOOL, variant="alpha", kwargs={"alpha": -3}, **_FINITE_COMPLEX),
    _binary("mul", aliases=("multiply",)),
    _binary("div", aliases=("divide",), errors=_with(_broadcast_error, _rounding_mode_error)),
    _binary("div", REAL_NON_BOOL, variant="trunc", kwargs={"rounding_mode": "trunc"},
            rhs=_nonzero_integral,
            errors=lambda rng: _zero_division(rng, {"rounding_mode": "trunc"})),
    _binary("div", REAL_NON_BOOL, variant="floor", kwargs={"rounding_mode": "floor"},
            rhs=_nonzero_integral,
            errors=lambda rng: _zero_division(rng, {"rounding_mode": "floor"})),
    _binary("true_divide"),
    _binary("floor_divide", REAL_NON_BOOL, rhs=_nonzero_integral, errors=_zero_division),
    _binary("remainder", REAL_NON_BOOL, rhs=_nonzero_integral, errors=_zero_division),
    _binary("fmod", REAL_NON_BOOL, rhs=_nonzero_integral, errors=_zero_division),
    # complex powers are exp(b log a) in both, which loses a few digits of either's accuracy
    _binary("pow", NON_BOOL, rhs=_small_exponent, errors=_with(_broadcast_error, _power_errors),
            tolerances={"complex64": (1e-5, 1e-5)}),
    _binary("float_power"),
    _binary("maximum", REAL_DTYPES, inplace=False),
    _binary("minimum", REAL_DTYPES, inplace=False),
    _binary("fmax", REAL_DTYPES, inplace=False),
    _binary("fmin", REAL_DTYPES, inplace=False),
    _binary("atan2", REAL_DTYPES, aliases=("arctan2",)),
    _binary("eq", ALL_DTYPES),
    _binary("ne", ALL_DTYPES, aliases=("not_equal",)),
    _binary("lt", REAL_DTYPES, aliases=("less",)),
    _binary("le", REAL_DTYPES, aliases=("less_equal",)),
    _binary("gt", REAL_DTYPES, aliases=("greater",)),
    _binary("ge", REAL_DTYPES, aliases=("greater_equal",)),
    _binary("logical_and"),
    _binary("logical_or"),
    _binary("logical_xor"),
    _binary("bitwise_and", INTEGRAL_DTYPES),
    _binary("bitwise_or", INTEGRAL_DTYPES),
    _binary("bitwise_xor", INTEGRAL_DTYPES),
    _binary("bitwise_left_shift", INT_DTYPES, rhs=_shift_amount, scalars=(2, True)),
    _binary("bitwise_right_shift", INT_DTYPES, rhs=_shift_amount, scalars=(2, True)),
]

UNARY_OPS = [
    _unary("neg", NON_BOOL, aliases=("negative",), errors=_with(_number_input, _bool_negation)),
    _unary("abs", NON_BOOL, aliases=("absolute",)),
    _unary("sign", REAL_DTYPES),
    _unary("exp"),
    _unary("exp2"),
    _unary("log"),
    _unary("log2"),
    _unary("log10"),
    _unary("log1p"),
    _unary("expm1"),
    _unary("sqrt"),
    _unary("rsqrt"),
    _unary("sin"),
    _unary("cos"),
    _unary("tan"),
    _unary("tanh"),
    _unary("sigmoid"),
    _unary("relu", REAL_NON_BOOL, out=False),
    _unary("floor", REAL_NON_BOOL),
    _unary("ceil", REAL_NON_BOOL),
    _unary("trunc", REAL_NON_BOOL, aliases=("fix",)),
    _unary("round", REAL_NON_BOOL),
    _unary("round", FLOAT_DTYPES, variant="decimals", kwargs={"decimals": 2}),
    _unary("round", FLOAT_DTYPES, variant="negative_decimals", kwargs={"decimals": -1},
           options=lambda d: {"low": -500.0, "high": 500.0}),
    _unary("logical_not"),
    _unary("bitwise_not", INTEGRAL_DTYPES),
    _unary("isnan", inplace=False, out=False),
    _unary("isinf", inplace=False, out=False),
    _unary("isfinite", inplace=False, out=False),
    _unary("isposinf", REAL_DTYPES, inplace=False),
    _unary("isneginf", REAL_DTYPES, inplace=False),
    OpInfo("nan_to_num", _nan_to_num_samples, errors=_number_input),
]

OTHER_OPS = [
    OpInfo("clamp", _clamp_samples, dtypes=REAL_DTYPES, errors=_clamp_errors, aliases=("clip",)),
    OpInfo("where", _where_samples, inplace=False, errors=_where_errors,
           call_method=_where_method),
]

# --- trigonometric, hyperbolic and the rest of PyTorch's pointwise ops -----------------------


def _inside_unit(dtype):
    """asin, acos, atanh: mostly inside their real domain, a few values outside."""
    return {"low": -1.2, "high": 1.2} if dtype not in INTEGRAL_DTYPES else {}


def _at_least_one(dtype):
    return {"low": 0.5, "high": 6.0} if dtype not in INTEGRAL_DTYPES else {"low": 0, "high": 6}


def _positive_values(dtype):
    return {"low": 0.0, "high": 5.0} if dtype not in INTEGRAL_DTYPES else {"low": 0, "high": 9}


def _tensor_only_errors(name):
    def errors(rng):
        yield from _broadcast_error(rng)
        yield ErrorInput(Sample((arr((3,), "float32", rng), 2.0)), TypeError,
                         f"{name}\\(\\): argument 'other' \\(position 2\\) must be Tensor")

    return errors


def _heaviside_errors(rng):
    yield ErrorInput(Sample((arr((3,), "float32", rng), arr((3,), "float64", rng))),
                     RuntimeError, "heaviside is not yet implemented for tensors with different "
                                   "dtypes.")
    yield ErrorInput(Sample((arr((3,), "complex64", rng), arr((3,), "complex64", rng))),
                     RuntimeError, "heaviside is not yet implemented for complex tensors.")


def _gcd_values(dtype):
    return {"low": 0 if dtype == "uint8" else -30, "high": 30}


_BFLOAT16_NAN_SIGN = ("torch rounds a float32 NaN to a bfloat16 NaN with the sign bit set, "
                      "ember's .to(bfloat16) (ml_dtypes) keeps it clear")


def _ldexp_separate_pair(dtype, other):
    """ldexp of a complex tensor by float16 exponents goes through torch's complex32, with
    a once-per-process warning (see test_ldexp_complex_half); float32 by float16 has a
    rounding ember does not follow (see test_ldexp_float32_by_float16)."""
    return other == "float16" and dtype in COMPLEX_DTYPES


MORE_BINARY_OPS = [
    _binary("copysign", REAL_DTYPES, scalars=(2, -3.5, True)),
    _binary("hypot", FLOAT_DTYPES, scalars=(), errors=_tensor_only_errors("hypot")),
    _binary("logaddexp", INEXACT_DTYPES, inplace=False, scalars=(),
            errors=_tensor_only_errors("logaddexp")),
    _binary("logaddexp2", FLOAT_DTYPES, inplace=False, scalars=(),
            errors=_tensor_only_errors("logaddexp2")),
    _binary("heaviside", REAL_DTYPES, scalars=(), errors=_heaviside_errors),
    _binary("nextafter", FLOAT_DTYPES, scalars=(), errors=_tensor_only_errors("nextafter")),
    _binary("ldexp", ALL_DTYPES, scalars=(), rhs=lambda d: {"low": -4, "high": 4},
            errors=_tensor_only_errors("ldexp"), skip_pair=_ldexp_separate_pair),
    _binary("gcd", INT_DTYPES, scalars=(), lhs=_gcd_values, rhs=_gcd_values,
            errors=_tensor_only_errors("gcd")),
    _binary("lcm", INT_DTYPES, scalars=(), lhs=_gcd_values, rhs=_gcd_values,
            errors=_tensor_only_errors("lcm")),
    _binary("xlogy", REAL_DTYPES, rhs=_positive_values, scalars=(2, 0.5, True)),
]

MORE_UNARY_OPS = [
    _unary("asin", aliases=("arcsin",), options=_inside_unit),
    _unary("acos", aliases=("arccos",), options=_inside_unit),
    _unary("atan", aliases=("arctan",)),
    _unary("sinh"),
    _unary("cosh"),
    _unary("asinh", aliases=("arcsinh",)),
    _unary("acosh", aliases=("arccosh",), options=_at_least_one),
    _unary("atanh", aliases=("arctanh",), options=_inside_unit),
    _unary("deg2rad", REAL_DTYPES),
    _unary("rad2deg", REAL_DTYPES),
    _unary("square"),
    _unary("frac", FLOAT_DTYPES),
    _unary("sgn"),
    _unary("signbit", REAL_DTYPES, inplace=False, xfails={
        test: {"bfloat16": _BFLOAT16_NAN_SIGN} for test in ("function", "method", "out")}),
    _unary("positive", NON_BOOL, inplace=False, out=False),
]


def _lerp_samples(dtype, rng):
    def a(shape, layout="contiguous", d=dtype):
        return arr(shape, d, rng, layout)

    yield Sample((a((3, 4)), a((3, 4)), 0.3), name="scalar weight")
    yield Sample((a((3, 4)), a((3, 4)), 0.8), name="scalar weight above 1/2")
    yield Sample((a((3, 4)), a((3, 4)), a((3, 4))), name="tensor weight")
    yield Sample((a((3, 4), "noncontiguous"), a((4,)), a((3, 1))), name="broadcast")
    yield Sample((a((3, 4), "transposed"), a((3, 4)), 2), name="transposed, int weight")
    yield Sample((a((3, 4)), a((3, 4), "transposed"), a(())), name="0-dim weight")
    yield Sample((a(()), a(()), 0.5), name="0-dim")
    yield Sample((a((0, 3)), a((3,)), 0.5), name="zero-size")
    yield Sample((a((3,)), a((3,)), a((), d="float64")), name="0-dim float64 weight")
    if dtype in INEXACT_DTYPES:
        yield Sample((arr((12,), dtype, rng, special=dtype in FLOAT_DTYPES), a((12,)), 0.25),
                     name="special values")


def _lerp_errors(rng):
    yield ErrorInput(Sample((arr((3,), "float32", rng), arr((3,), "float64", rng), 0.5)),
                     RuntimeError, "expected dtype float for `end` but got dtype double")
    yield ErrorInput(Sample((arr((3,), "float32", rng), arr((3,), "float32", rng),
                             arr((3,), "float64", rng))),
                     RuntimeError, "expected dtype float for `weight` but got dtype double")
    yield ErrorInput(Sample((arr((3,), "int64", rng), arr((3,), "int64", rng), 0.5)),
                     NotImplementedError, "\"lerp_kernel_scalar\" not implemented for 'Long'")
    yield ErrorInput(Sample((arr((3,), "float32", rng), arr((4,), "float32", rng), 0.5)),
                     RuntimeError)


def _addc_samples(dtype, rng):
    def a(shape, layout="contiguous", d=dtype):
        return arr(shape, d, rng, layout, nonzero=True)

    yield Sample((a((3, 4)), a((3, 4)), a((3, 4))), name="same shape")
    yield Sample((a((3, 4)), a((3, 4)), a((3, 4))), {"value": 2}, name="value")
    yield Sample((a((3, 1)), a((4,)), a((2, 1, 1))), {"value": -3}, name="broadcast")
    yield Sample((a((3, 4), "noncontiguous"), a((3, 4), "transposed"), a((3, 4))),
                 name="layouts")
    yield Sample((a(()), a(()), a(())), name="0-dim")
    yield Sample((a((0, 3)), a((3,)), a((1, 3))), name="zero-size")
    if dtype in INEXACT_DTYPES:
        yield Sample((a((3, 4)), a((3, 4)), a((3, 4))), {"value": 0.5}, name="float value")
    for other in ("int64", "float64", "uint8", "float32"):
        if other != dtype:
            yield Sample((a((3,)), a((3,), d=other), a((3,))), name=f"with {other}")
            yield Sample((a((3,)), a((3,)), a((), d=other)), name=f"with 0-dim {other}")


def _addcdiv_errors(rng):
    yield ErrorInput(Sample((arr((3,), "float32", rng), arr((3,), "int64", rng),
                             arr((3,), "int64", rng, nonzero=True))), RuntimeError,
                     "Integer division with addcdiv is no longer supported")
    yield ErrorInput(Sample((arr((3,), "float32", rng), arr((4,), "float32", rng),
                             arr((3,), "float32", rng))), RuntimeError)


def _isclose_samples(dtype, rng):
    def a(shape, layout="contiguous", **options):
        return arr(shape, dtype, rng, layout, **options)

    x = a((3, 4))
    near = Arr(x.values, dtype)
    if dtype in INEXACT_DTYPES:
        near = Arr((x.values * (1 + 1e-6)).astype(x.values.dtype), dtype)
    yield Sample((x, near), name="near")
    yield Sample((x, a((3, 4))), name="random")
    yield Sample((a((3, 1)), a((4,))), name="broadcast")
    yield Sample((a((3, 4), "noncontiguous"), a((3, 4), "transposed")), name="layouts")
    yield Sample((x, near), {"rtol": 0.0, "atol": 0.0}, name="exact")
    yield Sample((x, a((3, 4))), {"rtol": 0.5, "atol": 2}, name="loose")
    yield Sample((a(()), a(())), name="0-dim")
    yield Sample((a((0, 3)), a((3,))), name="zero-size")
    if dtype in INEXACT_DTYPES:
        special = a((12,), special=True)
        yield Sample((special, special), name="special values")
        if dtype in FLOAT_DTYPES:
            yield Sample((special, special), {"equal_nan": True}, name="equal_nan")


def _isclose_errors(rng):
    yield ErrorInput(Sample((arr((3,), "float32", rng), arr((3,), "float64", rng))),
                     RuntimeError, "Float did not match Double")
    yield ErrorInput(Sample((arr((3,), "float32", rng), arr((3,), "float32", rng)),
                            {"rtol": -1.0}), RuntimeError,
                     "rtol must be greater than or equal to zero, but got -1.0")
    yield ErrorInput(Sample((arr((3,), "float32", rng), arr((3,), "float32", rng)),
                            {"atol": -1.0}), RuntimeError)
    yield ErrorInput(Sample((arr((3,), "float32", rng), 2.0)), TypeError)


def _equal_samples(dtype, rng):
    x = arr((3, 4), dtype, rng)
    yield Sample((x, Arr(x.values, dtype, "contiguous")), name="equal")
    yield Sample((x, arr((3, 4), dtype, rng)), name="random")
    yield Sample((x, Arr(x.values.T.copy().T, dtype, "transposed")), name="transposed")
    yield Sample((x, arr((4,), dtype, rng)), name="other shape")
    yield Sample((arr((0, 3), dtype, rng), arr((0, 3), dtype, rng)), name="zero-size")
    other = {"bool": "int64", "complex64": "complex128", "complex128": "complex64"}.get(
        dtype, "float64")
    yield Sample((x, Arr(x.values.astype(other), other)), name="other dtype")


def _frexp_samples(dtype, rng):
    yield from unary_samples()(dtype, rng)
    yield Sample((arr((6,), dtype, rng, low=-1e4, high=1e4),), name="wide range")


def _frexp_errors(rng):
    yield ErrorInput(Sample((arr((3,), "int64", rng),)), RuntimeError,
                     r"torch.frexp\(\) only supports floating-point dtypes")


MORE_OTHER_OPS = [
    OpInfo("lerp", _lerp_samples, dtypes=INEXACT_DTYPES, errors=_lerp_errors),
    OpInfo("addcmul", _addc_samples, dtypes=NON_BOOL),
    OpInfo("addcdiv", _addc_samples, dtypes=INEXACT_DTYPES, errors=_addcdiv_errors),
    OpInfo("isclose", _isclose_samples, inplace=False, out=False, errors=_isclose_errors),
    OpInfo("allclose", _isclose_samples, inplace=False, out=False),
    OpInfo("equal", _equal_samples, inplace=False, out=False),
    OpInfo("frexp", _frexp_samples, dtypes=FLOAT_DTYPES, inplace=False, errors=_frexp_errors),
]


OPS = (BINARY_OPS + UNARY_OPS + OTHER_OPS + MORE_BINARY_OPS + MORE_UNARY_OPS
       + MORE_OTHER_OPS)


@pytest.mark.parametrize("op, dtype", op_params(OPS, "function"))
def test_function(op, dtype):
    check_function(op, dtype)


@pytest.mark.parametrize("op, dtype", op_params(OPS, "method"))
def test_method(op, dtype):
    check_method(op, dtype)


@pytest.mark.parametrize("op, dtype", op_params(OPS, "inplace"))
def test_inplace(op, dtype):
    check_inplace(op, dtype)


# allclose and equal return Python bools: no out= to make (see test_bool_results_refuse_out)
@pytest.mark.parametrize("op, dtype", op_params([op for op in OPS if op.name not in (
    "allclose", "equal")], "out"))
def test_out(op, dtype):
    check_out(op, dtype)


@pytest.mark.parametrize("op, dtype", op_params([op for op in OPS if op.aliases], "aliases",
                                                dtypes=("int64", "float32")))
def test_aliases(op, dtype):
    check_aliases(op, dtype)


@pytest.mark.parametrize("op", [op for op in OPS if op.errors], ids=lambda op: op.id)
def test_errors(op):
    check_errors(op)


@pytest.mark.xfail(strict=True, reason="ember has no torch.complex32: a float16 tensor with a "
                                       "complex 0-dim tensor promotes to complex64 instead")
def test_complex32_promotion():
    compare(lambda lib, a, b: lib.add(a, b),
            Sample((arr((3,), "float16", rng_for("complex32")),
                    arr((), "complex64", rng_for("complex32")))))


@pytest.mark.xfail(strict=True, reason="torch computes add/sub as input + alpha * other even "
                                       "for alpha=1, so a complex infinity or NaN in other "
                                       "makes NaN of its other part; ember adds directly")
def test_complex_add_of_infinity():
    inf = arr((3,), "complex64", rng_for("complex add"))
    inf.values[:] = [complex("inf"), complex("nan"), 1 + 1j]
    compare(lambda lib, a, b: lib.add(a, b),
            Sample((arr((3,), "complex64", rng_for("complex add")), inf)))



@pytest.mark.parametrize("name", ["allclose", "equal"])
def test_bool_results_refuse_out(name):
    rng = rng_for(name, "out")
    sample = Sample((arr((3,), "float32", rng), arr((3,), "float32", rng)))
    outcome, _ = compare(lambda lib, a, b: getattr(lib, name)(a, b, out=lib.empty(())), sample)
    assert isinstance(outcome.error, TypeError)


@pytest.mark.parametrize("dtype", COMPLEX_DTYPES)
@pytest.mark.parametrize("shape", [(), (3,)])
def test_ldexp_complex_half(dtype, shape):
    """A float16 exponent makes torch compute in complex32, which has no pow, except with a
    complex128 input and a 0-dim exponent (torch's warning, given once per process, is not
    compared)."""
    rng = rng_for("ldexp", dtype, shape)
    sample = Sample((arr((3,), dtype, rng), arr(shape, "float16", rng)))
    compare(lambda lib, a, b: lib.ldexp(a, b), sample, check_warnings=False)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("layout", ["contiguous", "broadcast input", "broadcast other",
                                    "transposed", "in place", "in place transposed"])
@pytest.mark.parametrize("name", ["add", "sub"])
def test_fractional_alpha_rounds_once(dtype, layout, name):
    """torch computes ``input + alpha * other`` as one fused multiply-add; two roundings
    would differ in the last bit for about 2% of these values. The operands are large
    enough for BLAS to split the work over its threads."""
    rng = np.random.default_rng(7)
    shape = (300, 70)
    input_shape = {"broadcast input": (1, 70)}.get(layout, shape)
    other_shape = {"broadcast other": (70,)}.get(layout, shape)
    input = rng.standard_normal(input_shape).astype(dtype)
    other = rng.standard_normal(other_shape).astype(dtype)
    results = []
    for lib in (ember, torch):
        a, b = lib.tensor(input), lib.tensor(other)
        if "transposed" in layout:
            a, b = a.t().contiguous().t(), b.t().contiguous().t()
        if "in place" in layout:
            result = getattr(a, name + "_")(b, alpha=0.37)
            assert result is a
        else:
            result = getattr(lib, name)(a, b, alpha=0.37)
        results.append((result.numpy().tobytes(), result.stride()))
    assert results[0] == results[1]


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
@pytest.mark.parametrize("weight", [0.1, -0.3, 0.7, 1.5])
@pytest.mark.parametrize("inplace", [False, True])
def test_lerp_with_a_number_weight_rounds_once(dtype, weight, inplace):
    """torch's lerp is one fused multiply-add from the nearer end, ``start + w * (end -
    start)`` or ``end + (w - 1) * (end - start)``: the same bits in ember."""
    rng = np.random.default_rng(11)
    start, end = rng.standard_normal((2, 300, 70)).astype(np.float32)
    results = []
    for lib in (ember, torch):
        a = lib.tensor(start).to(getattr(lib, dtype))
        b = lib.tensor(end).to(getattr(lib, dtype))
        result = a.lerp_(b, weight) if inplace else lib.lerp(a, b, weight)
        results.append(result.to(lib.float64).numpy().tobytes())
    assert results[0] == results[1]
