"""Python's operators on tensors against torch's: binary operators with tensors, 0-dim tensors
and Python numbers on either side (the reflected forms), in-place operators (which keep the
tensor's identity), unary operators, and NumPy arrays meeting tensors."""

from __future__ import annotations

import operator

import numpy as np
import pytest
import torch

import ember

from .op_table import (
    Arr,
    Sample,
    arr,
    assert_same,
    build_with_base,
    compare,
    invoke,
    rng_for,
    run,
)
from .test_pointwise import makes_complex32

DTYPES = ("bool", "uint8", "int8", "int32", "int64", "float16", "bfloat16", "float32",
          "float64", "complex64")
NUMBERS = (3, -2, 2.5, True, False, 1.5j)

BINARY = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
    "//": operator.floordiv, "%": operator.mod, "**": operator.pow, "&": operator.and_,
    "|": operator.or_, "^": operator.xor, "<<": operator.lshift, ">>": operator.rshift,
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
    ">": operator.gt, ">=": operator.ge,
}
INPLACE = {
    "+=": operator.iadd, "-=": operator.isub, "*=": operator.imul, "/=": operator.itruediv,
    "//=": operator.ifloordiv, "%=": operator.imod, "**=": operator.ipow,
    "&=": operator.iand, "|=": operator.ior, "^=": operator.ixor, "<<=": operator.ilshift,
    ">>=": operator.irshift,
}
UNARY = {"-": operator.neg, "+": operator.pos, "abs": operator.abs, "~": operator.invert}

# Operators whose integer operands must keep clear of zero (division) or of negative and
# oversized amounts (shifts, powers), where torch raises or the result is undefined.
_POSITIVE = {"/", "//", "%", "**", "<<", ">>", "/=", "//=", "%=", "**=", "<<=", ">>="}


def _values(symbol, dtype, rng, shape):
    if symbol in _POSITIVE:
        return arr(shape, dtype, rng, low=1, high=3 if dtype != "bool" else None, nonzero=True)
    return arr(shape, dtype, rng)


def _operands(symbol, dtype, rng):
    """(left, right) pairs: tensors of every dtype pairing, 0-dim tensors and numbers."""
    x = _values(symbol, dtype, rng, (2, 3))
    numbers = [n for n in NUMBERS if (symbol not in _POSITIVE or n not in (0, -2)) and not (
        isinstance(n, complex) and (symbol in _POSITIVE or makes_complex32(dtype, "complex64")))]
    for other in DTYPES:
        y = _values(symbol, other, rng, (2, 3))
        yield x, y
        if not makes_complex32(dtype, other):
            yield x, _values(symbol, other, rng, ())
            yield _values(symbol, other, rng, ()), x
    yield _values(symbol, dtype, rng, (2, 1)), x
    for number in numbers:
        yield x, number
        yield number, x
        yield _values(symbol, dtype, rng, ()), number


def _applied(function):
    """A ``compare`` call that applies ``function`` to the built operands."""

    def call(lib, *operands):
        return function(*operands)

    return call


@pytest.mark.parametrize("symbol", BINARY)
def test_binary_operator(symbol):
    """``a op b`` for tensors and numbers on either side: the reflected forms (``2 - t``,
    ``2 ** t``, ``1 / t``) included, with torch's result dtypes and errors."""
    function = BINARY[symbol]
    for dtype in DTYPES:
        for left, right in _operands(symbol, dtype, rng_for(symbol, dtype)):
            compare(_applied(function), Sample((left, right), name=symbol))


@pytest.mark.parametrize("symbol", INPLACE)
def test_inplace_operator(symbol):
    """``t op= x`` updates ``t`` itself, or raises what torch raises (an integer tensor
    cannot hold a float result)."""
    function = INPLACE[symbol]
    for dtype in DTYPES:
        rng = rng_for(symbol, dtype)
        for left, right in _operands(symbol, dtype, rng):
            if not isinstance(left, Arr):
                continue
            outcomes = {}
            for lib in (torch, ember):
                target = build_with_base(lib, left)[0]
                other = build_with_base(lib, right)[0] if isinstance(right, Arr) else right
                outcomes[lib] = _apply_inplace(function, target, other), target
            (torch_error, torch_target), (error, target) = outcomes[torch], outcomes[ember]
            where = f"{left!r} {symbol} {right!r}: "
            assert type(error) is type(torch_error), f"{where}{error!r} vs {torch_error!r}"
            if torch_error is None:
                assert_same(target, torch_target, where=where)


def _apply_inplace(function, target, other):
    """The error of ``target op= other``, or None; the operator must give back ``target``
    itself, so that the name keeps naming the same tensor."""
    try:
        result = function(target, other)
    except Exception as error:  # noqa: BLE001  (compared with torch's)
        return error
    assert result is target, "an in-place operator made a new tensor"
    return None


@pytest.mark.parametrize("symbol", UNARY)
def test_unary_operator(symbol):
    function = UNARY[symbol]
    for dtype in DTYPES:
        rng = rng_for("unary", symbol, dtype)
        for layout in ("contiguous", "transposed"):
            compare(_applied(function), Sample((arr((2, 3), dtype, rng, layout),)))
        compare(_applied(function), Sample((arr((), dtype, rng),)))


@pytest.mark.parametrize("dtype", ["int64", "float32", "float64", "bool"])
def test_numpy_array_meets_tensor(dtype):
    """NumPy defers to tensors (``__array_priority__``), and then torch 2.13 (with NumPy 2)
    refuses most operators with a TypeError; ``array == tensor`` is a bool tensor. Cases
    where torch lets NumPy compute the result in NumPy's dtypes and warns that its own
    ``__array_wrap__`` is deprecated (``/``, for one) are left out."""
    rng = rng_for("numpy", dtype)
    array = arr((2, 3), dtype, rng).values
    for symbol, function in BINARY.items():
        sample = Sample((array, arr((2, 3), dtype, rng)), name=f"array {symbol} tensor")
        if DeprecationWarning in run(lambda: invoke(_applied(function), torch, sample)).warned:  # noqa: B023
            continue
        actual, expected = compare(_applied(function), sample)
        if isinstance(expected.value, torch.Tensor):
            assert isinstance(actual.value, ember.Tensor)


@pytest.mark.parametrize("other", [None, "text", [1, 2, 3], object()],
                         ids=["None", "str", "list", "object"])
def test_comparison_with_non_numbers(other):
    """``==`` and ``!=`` with something that is not a number fall back to identity, as in
    torch; ordering comparisons raise TypeError."""
    sample = Sample((arr((3,), "int64", rng_for("non-numbers")), other))
    for function in (operator.eq, operator.ne, operator.lt, operator.ge):
        compare(_applied(function), sample)


def test_inplace_operator_keeps_identity_and_views():
    """``t += 1`` on a view writes through to the base; the name still names the view."""
    for lib in (torch, ember):
        base = lib.zeros(2, 4)
        view = base[:, ::2]
        alias = view
        view += 1
        assert view is alias
        assert base.tolist() == [[1.0, 0.0, 1.0, 0.0], [1.0, 0.0, 1.0, 0.0]]
    array = np.arange(6.0).reshape(2, 3)
    tensor = ember.from_numpy(array)
    tensor *= 2
    assert array.tolist() == [[0.0, 2.0, 4.0], [6.0, 8.0, 10.0]]


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
@pytest.mark.parametrize("name, function", [
    ("add", lambda x, b: x + b), ("sub", lambda x, b: x - b), ("mul", lambda x, b: x * b),
    ("div", lambda x, b: x / b), ("rdiv", lambda x, b: b / x), ("pow", lambda x, b: x ** b),
    ("mul_", lambda x, b: x.clone().mul_(b)), ("div_", lambda x, b: x.clone().div_(b)),
    ("mul_0dim_double", lambda x, b: x * x.new_tensor(b).double()),
])
def test_half_precision_with_a_number_rounds_as_torch(dtype, name, function):
    """PyTorch's mul and div read a number (or 0-dim) operand unrounded into their float32
    computation; add, sub and pow round it to half precision first."""
    values = np.random.default_rng(0).uniform(-100, 100, 20000).astype(np.float32)
    for number in (0.3, 2.7):
        expected = function(torch.from_numpy(values).to(getattr(torch, dtype)), number)
        actual = function(ember.from_numpy(values).to(getattr(ember, dtype)), number)
        np.testing.assert_array_equal(actual.float().numpy(), expected.float().numpy())
