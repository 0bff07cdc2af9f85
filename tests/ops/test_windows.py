"""Window functions against torch: every length class (empty, one, even, odd, long), periodic
and symmetric, each dtype (integral ones refused; complex ones only for lengths 0 and 1),
and errors."""

from __future__ import annotations

import ember

from .op_table import (
    INEXACT_DTYPES,
    DType,
    ErrorInput,
    OpInfo,
    Sample,
    table_tests,
)


def _window_samples(extra=None):
    def samples(dtype, rng):
        for length in (0, 1, 2, 5, 8, 17, 100):
            for periodic in (True, False):
                yield Sample((length, periodic, *(extra or ())), {"dtype": DType(dtype)},
                             f"length {length}, periodic {periodic}")
        yield Sample((6,), {"dtype": DType(dtype), "requires_grad": dtype != "bfloat16"},
                     "requires_grad")

    return samples


def _errors(rng):
    yield ErrorInput(Sample((-1,)), RuntimeError, "requires non-negative window_length")
    yield ErrorInput(Sample((3,), {"dtype": DType("int64")}), RuntimeError,
                     "expects floating point dtypes")


WINDOWS = [
    OpInfo(name, _window_samples(extra), dtypes=INEXACT_DTYPES, method=False, inplace=False,
           out=False, errors=_errors, variant=variant)
    for name, extra, variant in [
        ("hann_window", None, ""),
        ("hamming_window", None, ""),
        ("hamming_window", (0.5, 0.5), "alpha_beta"),
        ("blackman_window", None, ""),
        ("bartlett_window", None, ""),
        ("kaiser_window", None, ""),
        ("kaiser_window", (5.0,), "beta"),
    ]
]


test_function, test_errors = table_tests(WINDOWS, ("function", "errors"))


def test_default_dtype_and_leaf():
    window = ember.hann_window(4, requires_grad=True)
    assert window.dtype is ember.float32 and window.is_leaf and window.requires_grad
