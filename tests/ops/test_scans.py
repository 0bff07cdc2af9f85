"""The scan op table: cumsum, cumprod (with ``dtype=`` and in place), cummax, cummin,
logcumsumexp and diff, checked against torch over every dtype, both ends of ``dim``, every
layout, empty and 0-dim inputs, NaN and ties, in the method, in-place and ``out=`` forms."""

from __future__ import annotations

import numpy as np

from .op_table import (
    ALL_DTYPES,
    INEXACT_DTYPES,
    REAL_DTYPES,
    Arr,
    DType,
    ErrorInput,
    OpInfo,
    Sample,
    arr,
    layout_inputs,
    table_tests,
)


def _inputs(dtype, rng):
    """(input, description) pairs: layouts, ranks, 0-dim, zero-size and special values."""

    yield from layout_inputs(dtype, rng, low=-2, high=2)
    if dtype in INEXACT_DTYPES:
        yield arr((12,), dtype, rng, special=True), "special values"
    if dtype != "bool" and dtype in REAL_DTYPES:
        ties = np.array([[2, 1, 2, 2, 1, 3], [0, 0, 1, 1, 0, 0]]).astype(dtype.replace(
            "bfloat16", "float32"))
        yield Arr(ties, dtype), "ties"


def scan_samples(kwargs=None):
    kwargs = kwargs or {}

    def samples(dtype, rng):
        for x, name in _inputs(dtype, rng):
            for dim in (0, -1):
                yield Sample((x, dim), kwargs, f"{name}, dim {dim}")

    return samples


def _nan_samples(dtype, rng):
    """Where NaNs sit among ties: which index cummax / cummin report."""
    nan = float("nan")
    values = np.array([[1, 3, 3, nan, 2, nan, 5], [nan, 1, 1, 0, nan, 0, 0]])
    yield Sample((Arr(values.astype("float32" if dtype == "bfloat16" else dtype), dtype), 1),
                 name="NaN and ties")


def _scan_errors(rng):
    x = arr((3, 4), "float32", rng)
    yield ErrorInput(Sample((x, 2)), IndexError,
                     r"Dimension out of range \(expected to be in range of \[-2, 1\], but "
                     r"got 2\)")
    yield ErrorInput(Sample((arr((), "float32", rng), 1)), IndexError)
    yield ErrorInput(Sample((x,)), TypeError)


def _diff_samples(dtype, rng):
    def a(shape, layout="contiguous"):
        return arr(shape, dtype, rng, layout)

    yield Sample((a((3, 5)),), name="default")
    yield Sample((a((3, 5), "transposed"),), {"dim": 0}, "transposed, dim 0")
    yield Sample((a((3, 5), "noncontiguous"), 2), name="non-contiguous, n 2")
    yield Sample((a((4,)), 0), name="n 0")
    yield Sample((a((4,)), 5), name="n past the length")
    yield Sample((a((0, 3)),), {"dim": 0}, "zero-size")
    yield Sample((a((3, 4)),), {"prepend": a((3, 2)), "append": a((3, 1))}, "prepend, append")
    yield Sample((a((3, 4)), 2, 0), {"append": a((1, 4))}, "append, dim 0")


def _diff_errors(rng):
    x = arr((3, 4), "float32", rng)
    yield ErrorInput(Sample((arr((), "float32", rng),)), RuntimeError,
                     "diff expects input to be at least one-dimensional")
    yield ErrorInput(Sample((x, -1)), RuntimeError, "order must be non-negative but got -1")
    yield ErrorInput(Sample((x,), {"prepend": arr((3,), "float32", rng)}), RuntimeError)
    yield ErrorInput(Sample((x,), {"dim": 2}), IndexError)


def _trapezoid_samples(dtype, rng):
    def a(shape, layout="contiguous", d=dtype):
        return arr(shape, d, rng, layout)

    yield Sample((a((3, 5)),), name="default")
    yield Sample((a((3, 5), "transposed"),), {"dx": 2.5, "dim": 0}, "transposed, dx, dim 0")
    yield Sample((a((3, 5), "noncontiguous"), a((5,), d="float64")), name="x 1-d")
    yield Sample((a((2, 3, 4)), a((3, 4), d="float32")), {"dim": 1}, "x broadcast")
    yield Sample((a((3, 4)), a((3, 4), d="int64")), {"dim": 0}, "x same shape")
    yield Sample((a((3, 0)),), name="empty dim")
    yield Sample((a((0, 3)),), {"dx": 3}, "empty other dim")
    yield Sample((a((1,)),), name="one sample")


def _trapezoid_errors(rng):
    y = arr((3, 4), "float32", rng)
    yield ErrorInput(Sample((arr((3,), "bool", rng),)), RuntimeError,
                     "received a bool input for `y`, but bool is not supported")
    yield ErrorInput(Sample((y, arr((3,), "float32", rng))), RuntimeError,
                     "There must be one `x` value for each sample point")
    yield ErrorInput(Sample((arr((), "float32", rng),)), IndexError)
    yield ErrorInput(Sample((y,), {"dim": 2}), IndexError)


NON_BOOL = tuple(d for d in ALL_DTYPES if d != "bool")
REAL_NON_COMPLEX = REAL_DTYPES

SCANS = [
    OpInfo("cumsum", scan_samples(), errors=_scan_errors),
    OpInfo("cumsum", scan_samples({"dtype": DType("float64")}), variant="dtype_float64"),
    OpInfo("cumsum", scan_samples({"dtype": DType("int16")}), variant="dtype_int16"),
    OpInfo("cumprod", scan_samples(), errors=_scan_errors),
    OpInfo("cumprod", scan_samples({"dtype": DType("float32")}), variant="dtype_float32"),
    OpInfo("cummax", scan_samples(), dtypes=REAL_DTYPES, inplace=False, errors=_scan_errors),
    OpInfo("cummin", scan_samples(), dtypes=REAL_DTYPES, inplace=False, errors=_scan_errors),
    OpInfo("cummax", _nan_samples, variant="nan", dtypes=REAL_DTYPES, inplace=False),
    OpInfo("cummin", _nan_samples, variant="nan", dtypes=REAL_DTYPES, inplace=False),
    OpInfo("logcumsumexp", scan_samples(), dtypes=INEXACT_DTYPES, inplace=False,
           errors=_scan_errors),
    OpInfo("diff", _diff_samples, inplace=False, errors=_diff_errors),
    *[OpInfo(name, _trapezoid_samples, dtypes=NON_BOOL, method=False, inplace=False, out=False,
             errors=_trapezoid_errors, check_stride=True)
      for name in ("trapezoid", "trapz", "cumulative_trapezoid")],
]


(test_function, test_method, test_inplace, test_no_inplace_form, test_out,
 test_errors) = table_tests(
    SCANS, ("function", "method", "inplace", "no_inplace", "out", "errors"),
    ops={"inplace": [op for op in SCANS if op.inplace],
         "no_inplace": [op for op in SCANS if not op.inplace]},
    max_samples=4)
