"""select_scatter, slice_scatter and diagonal_scatter: a copy of the input, in its layout,
with ``src`` written where the view would lie; against torch over every dtype."""

from __future__ import annotations

from .op_table import (
    ErrorInput,
    OpInfo,
    Sample,
    arr,
    table_tests,
)


def _select_samples(dtype, rng):
    yield Sample((arr((4, 3), dtype, rng), arr((3,), dtype, rng), 0, 1), name="row")
    yield Sample((arr((4, 3), dtype, rng, "transposed"), arr((4,), dtype, rng), 0, -1),
                 name="transposed input")
    yield Sample((arr((2, 3, 4), dtype, rng), arr((2, 3), dtype, rng, "noncontiguous"), -1, 2),
                 name="last dim, non-contiguous src")
    yield Sample((arr((4, 3), dtype, rng), arr((3,), "float64", rng), 0, 0), name="cast src")


def _slice_samples(dtype, rng):
    yield Sample((arr((4, 3), dtype, rng), arr((2, 3), dtype, rng), 0, 1, 5, 2), name="step")
    yield Sample((arr((4, 3), dtype, rng), arr((4, 1), dtype, rng), -1, -1), name="last")
    yield Sample((arr((4, 3), dtype, rng, "noncontiguous"), arr((4, 3), dtype, rng)),
                 name="whole")
    yield Sample((arr((4, 3), dtype, rng), arr((0, 3), dtype, rng), 0, 5, 9), name="empty")
    yield Sample((arr((4, 3), dtype, rng), arr((4, 2), dtype, rng)),
                 {"dim": 1, "start": 1}, name="keywords")


def _diagonal_samples(dtype, rng):
    yield Sample((arr((3, 3), dtype, rng), arr((3,), dtype, rng)), name="main")
    yield Sample((arr((3, 4), dtype, rng, "transposed"), arr((2,), dtype, rng), 1),
                 name="offset, transposed")
    yield Sample((arr((2, 3, 3), dtype, rng), arr((2, 2), dtype, rng), -1, 1, 2),
                 name="batched")
    yield Sample((arr((2, 3), dtype, rng), arr((3, 1), dtype, rng)),
                 {"offset": 1, "dim1": 1, "dim2": 0}, name="keywords")


def _errors(rng):
    x = arr((4, 3), "float32", rng)
    yield ErrorInput(Sample((x, arr((4,), "float32", rng), 0, 0)), RuntimeError,
                     r"expected src to have a size equal to the slice of self. src size = \[4\]")
    yield ErrorInput(Sample((x, arr((3,), "float32", rng), 0, 9)), IndexError)
    yield ErrorInput(Sample((x, arr((3,), "float32", rng), 3, 0)), IndexError)


def _slice_errors(rng):
    yield ErrorInput(Sample((arr((4, 3), "float32", rng), arr((4, 3), "float32", rng), 1),
                            {"step": 0}), RuntimeError, "slice step must be positive")


SCATTERS = [
    OpInfo("select_scatter", _select_samples, inplace=False, out=False, errors=_errors),
    OpInfo("slice_scatter", _slice_samples, inplace=False, errors=_slice_errors),
    OpInfo("diagonal_scatter", _diagonal_samples, inplace=False, out=False),
]


test_function, test_method, test_out, test_errors = table_tests(
    SCATTERS, ("function", "method", "out", "errors"))
