"""The sorting and selection op table: sort, argsort, msort, topk, kthvalue, unique,
unique_consecutive, searchsorted, bucketize, histc, histogram, bincount, argwhere,
masked_select and nonzero(as_tuple=True), checked against torch over every dtype, layouts,
0-dim and empty inputs, NaN, and inputs full of ties (whose index order must be torch's)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import ember

from .op_table import (
    COMPLEX_DTYPES,
    FLOAT_DTYPES,
    INT_DTYPES,
    REAL_DTYPES,
    Arr,
    ErrorInput,
    OpInfo,
    Sample,
    arr,
    compare,
    layout_inputs,
    table_tests,
)

# Both libraries warn once per process about non-contiguous searchsorted arguments: warned
# here, before any comparison, so that no test's outcome depends on which test ran first.
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    for _lib in (torch, ember):
        _strided = _lib.zeros(4)[::2]
        _lib.searchsorted(_strided, _strided, sorter=_lib.zeros(4, dtype=_lib.int64)[::2])

REAL_NON_BOOL = tuple(d for d in REAL_DTYPES if d != "bool")
ORDERED = REAL_DTYPES  # what sort, unique and searchsorted accept (not complex)


def ties(shape, dtype, rng, levels=3, nan=False, layout="contiguous") -> Arr:
    """Values drawn from a few levels, so that most elements have equals (and NaNs)."""
    values = rng.integers(0, levels, shape)
    if dtype == "bool":
        return Arr(values.astype(bool) if levels > 1 else values > 0, dtype, layout)
    values = values.astype(np.float64)
    if nan and dtype in FLOAT_DTYPES:
        values[rng.random(shape) < 0.2] = np.nan
    if dtype in COMPLEX_DTYPES:
        values = values + 0j
    return Arr(values.astype("float32" if dtype == "bfloat16" else dtype), dtype, layout)


def _inputs(dtype, rng):
    """(input, description): layouts, ranks, 0-dim, zero-size, special values, ties."""

    yield from layout_inputs(dtype, rng)
    if dtype in FLOAT_DTYPES:
        yield arr((12,), dtype, rng, special=True), "special values"
    yield ties((3, 40), dtype, rng, nan=True), "ties"
    yield ties((40, 3), dtype, rng, levels=5, layout="transposed"), "transposed ties"


# --- sort, argsort, msort ----------------------------------------------------------------


def _sort_samples(dtype, rng):
    for x, name in _inputs(dtype, rng):
        yield Sample((x,), name=name)
        yield Sample((x, 0), name=f"{name}, dim 0")
        yield Sample((x, -1, True), name=f"{name}, descending")
        yield Sample((x,), {"stable": True, "descending": True}, f"{name}, stable descending")
        yield Sample((x,), {"stable": False, "dim": 0}, f"{name}, unstable dim 0")
    yield Sample((ties((2, 17), dtype, rng, levels=2),), name="ties past the threshold")
    yield Sample((ties((300,), dtype, rng, levels=4, nan=True), 0, True), name="long ties")
    if dtype == "int64":
        # PyTorch's radix sort for long 1-d integer inputs (stable)
        yield Sample((ties((33000,), dtype, rng, levels=7),), name="radix")


def _argsort_samples(dtype, rng):
    for sample in _sort_samples(dtype, rng):
        if sample.name == "radix":
            continue
        yield sample
    yield Sample((ties((3, 40), dtype, rng),), {"stable": True}, "stable")


def _msort_samples(dtype, rng):
    for x, name in _inputs(dtype, rng):
        yield Sample((x,), name=name)


def _dim_errors(rng):
    x = arr((3, 4), "float32", rng)
    yield ErrorInput(Sample((x, 2)), IndexError,
                     r"Dimension out of range \(expected to be in range of \[-2, 1\], but "
                     r"got 2\)")
    yield ErrorInput(Sample((arr((), "float32", rng), 1)), IndexError)


def _sort_errors(rng):
    yield from _dim_errors(rng)
    yield ErrorInput(Sample((arr((3,), "float32", rng), True)), TypeError)
    yield ErrorInput(Sample((arr((3,), "complex64", rng),)), RuntimeError,
                     "Sort does not support complex dtypes on CPU")


# --- topk, kthvalue ------------------------------------------------------------------------


def _topk_samples(dtype, rng):
    for x, name in _inputs(dtype, rng):
        shape = x.values.shape
        size = shape[-1] if shape else 1
        for k in sorted({0, 1, min(2, size), size}):
            yield Sample((x, k), name=f"{name}, k {k}")
        yield Sample((x, min(1, size), 0 if shape else -1, False), name=f"{name}, smallest")
        if size > 2:
            yield Sample((x, size // 2), {"sorted": False}, f"{name}, unsorted")
            yield Sample((x, size // 2), {"largest": False, "sorted": False},
                         f"{name}, smallest unsorted")
    many = ties((40, 130), dtype, rng, levels=3, nan=True)
    yield Sample((many, 2), name="partial sort ties, many rows")
    yield Sample((many, 2, 0, False), name="partial sort ties, many rows, smallest")
    for k in (1, 3, 20):
        row = ties((3, 200), dtype, rng, levels=4, nan=True)
        yield Sample((row, k), name=f"partial sort ties, k {k}")
        yield Sample((row, k), {"largest": False}, f"partial sort ties smallest, k {k}")
    yield Sample((ties((3, 50), dtype, rng, levels=3), 49), name="k near the size")
    yield Sample((arr((3, 0), dtype, rng), 0), name="empty rows")


def _topk_errors(rng):
    x = arr((3, 4), "float32", rng)
    yield ErrorInput(Sample((x, 5)), RuntimeError, "selected index k out of range")
    yield ErrorInput(Sample((x, -1)), RuntimeError)
    yield ErrorInput(Sample((x, 1, 2)), IndexError)
    yield ErrorInput(Sample((arr((3,), "bool", rng), 1)), RuntimeError,
                     "topk does not support bool dtypes on CPU")
    yield ErrorInput(Sample((x, 1.5)), TypeError)


def _kthvalue_samples(dtype, rng):
    for x, name in _inputs(dtype, rng):
        shape = x.values.shape
        size = shape[-1] if shape else 1
        if size == 0:
            continue
        for k in sorted({1, (size + 1) // 2, size}):
            yield Sample((x, k), name=f"{name}, k {k}")
            yield Sample((x, k, -1, True), name=f"{name}, k {k}, keepdim")
    for k in (1, 7, 20, 33, 40):
        yield Sample((ties((4, 40), dtype, rng, levels=3, nan=True), k), name=f"ties, k {k}")
    yield Sample((ties((5, 3), dtype, rng), 2, 0), name="ties along dim 0")


def _kthvalue_errors(rng):
    x = arr((3, 4), "float32", rng)
    yield ErrorInput(Sample((x, 5)), RuntimeError, "kthvalue\\(\\): selected number k out of "
                     "range for dimension 1")
    yield ErrorInput(Sample((x, 0)), RuntimeError)
    yield ErrorInput(Sample((arr((0, 3), "float32", rng), 1, 0)), IndexError)
    yield ErrorInput(Sample((x, 1, 2)), IndexError)


# --- unique, unique_consecutive --------------------------------------------------------------


def _unique_samples(dtype, rng):
    for x, name in _inputs(dtype, rng):
        yield Sample((x,), name=name)
        yield Sample((x,), {"return_inverse": True, "return_counts": True}, f"{name}, all")
        yield Sample((x, False, True), name=f"{name}, unsorted inverse")
        if x.values.ndim:
            yield Sample((x,), {"dim": 0, "return_inverse": True, "return_counts": True},
                         f"{name}, dim 0")
            yield Sample((x,), {"dim": -1}, f"{name}, dim -1")
    repeated = ties((6, 2), dtype, rng, levels=2)
    yield Sample((repeated,), {"dim": 0, "return_inverse": True, "return_counts": True},
                 "repeated rows")
    # Rows with NaNs are compared past their NaNs: torch's std::sort order, replayed
    rows = ties((40, 2), dtype, rng, levels=2, nan=True)
    yield Sample((rows,), {"dim": 0, "return_inverse": True, "return_counts": True},
                 "rows with NaNs")


def _unique_consecutive_samples(dtype, rng):
    for x, name in _inputs(dtype, rng):
        yield Sample((x,), name=name)
        yield Sample((x, True, True), name=f"{name}, inverse and counts")
        if x.values.ndim:
            yield Sample((x,), {"dim": 0, "return_inverse": True, "return_counts": True},
                         f"{name}, dim 0")
    runs = Arr(np.repeat(ties((6, 2), dtype, rng, levels=2).values, 2, axis=0), dtype)
    yield Sample((runs,), {"dim": 0, "return_inverse": True, "return_counts": True},
                 "repeated rows")


def _unique_errors(rng):
    yield ErrorInput(Sample((arr((3,), "complex64", rng),)), NotImplementedError)
    yield ErrorInput(Sample((arr((3, 4), "float32", rng),), {"dim": 2}), IndexError)


# --- searchsorted, bucketize ---------------------------------------------------------------


def _sorted_arr(shape, dtype, rng, layout="contiguous", levels=None):
    values = (ties(shape, dtype, rng, levels=levels).values if levels else
              arr(shape, dtype, rng).values)
    return Arr(np.sort(values, axis=-1), dtype, layout)


def _searchsorted_samples(dtype, rng):
    sequence = _sorted_arr((8,), dtype, rng, levels=4)
    for x, name in _inputs(dtype, rng):
        yield Sample((sequence, x), name=name)
        yield Sample((sequence, x), {"right": True}, f"{name}, right")
    yield Sample((sequence, ties((5,), dtype, rng, levels=4)), {"side": "right"}, "side")
    yield Sample((sequence, ties((5,), dtype, rng, levels=4)), {"out_int32": True}, "int32")
    rows = _sorted_arr((3, 6), dtype, rng, levels=3)
    yield Sample((rows, ties((3, 4), dtype, rng, levels=4)), name="n-d")
    yield Sample((rows, ties((3, 4), dtype, rng, levels=4, layout="transposed")),
                 {"right": True}, "n-d transposed values")
    yield Sample((Arr(np.zeros((0,)), dtype) if dtype != "bool" else sequence,
                  ties((3,), dtype, rng)), name="empty sequence")
    unsorted = ties((7,), dtype, rng, levels=5)
    sorter = Arr(np.argsort(unsorted.values, kind="stable"), "int64")
    yield Sample((unsorted, ties((4,), dtype, rng, levels=5)), {"sorter": sorter}, "sorter")
    if dtype in FLOAT_DTYPES:
        # NaNs send torch's binary search on its own path
        with_nan = ties((3, 9), dtype, rng, levels=4, nan=True)
        values = ties((3, 5), dtype, rng, levels=5, nan=True)
        yield Sample((Arr(np.sort(with_nan.values, -1), dtype), values), name="NaN sorted last")
        yield Sample((with_nan, values), {"right": True}, "NaN anywhere")
        yield Sample((Arr(with_nan.values[0], dtype), values), name="1-d with NaN")
    if dtype != "bool":
        yield Sample((sequence, 1), name="python scalar")
        yield Sample((sequence, ties((4,), "float64", rng, levels=4)), name="mixed dtypes")


def _searchsorted_errors(rng):
    sequence = _sorted_arr((4,), "float32", rng)
    values = arr((3,), "float32", rng)
    yield ErrorInput(Sample((sequence, values), {"side": "middle"}), RuntimeError)
    yield ErrorInput(Sample((sequence, values), {"side": "left", "right": True}),
                     RuntimeError, "side and right can't be set to opposites")
    yield ErrorInput(Sample((_sorted_arr((2, 4), "float32", rng), values)), RuntimeError)
    yield ErrorInput(Sample((arr((), "float32", rng), values)), RuntimeError)
    yield ErrorInput(Sample((sequence, values), {"sorter": Arr(np.arange(3), "int64")}),
                     RuntimeError)
    yield ErrorInput(Sample((sequence, values), {"sorter": Arr(np.arange(4), "int32")}),
                     RuntimeError, "sorter must be a tensor of long dtype")


def _bucketize_samples(dtype, rng):
    boundaries = _sorted_arr((6,), dtype, rng, levels=4)
    for x, name in _inputs(dtype, rng):
        yield Sample((x, boundaries), name=name)
        yield Sample((x, boundaries), {"right": True, "out_int32": True}, f"{name}, right")
    if dtype != "bool":
        yield Sample((2, boundaries), name="python scalar")


def _bucketize_errors(rng):
    yield ErrorInput(Sample((arr((3,), "float32", rng), _sorted_arr((2, 3), "float32", rng))),
                     RuntimeError, "boundaries tensor must be 1 dimension")


# --- histc, histogram, bincount -----------------------------------------------------------


def _histc_samples(dtype, rng):
    for x, name in _inputs(dtype, rng):
        if name == "special values":
            continue
        yield Sample((x,), name=name)
        yield Sample((x, 7), name=f"{name}, 7 bins")
        yield Sample((x, 4, -2, 3), name=f"{name}, range")
    yield Sample((ties((30,), dtype, rng, levels=6), 5, 1, 1), name="equal min and max")
    yield Sample((arr((50,), dtype, rng), 3, 0, 10), name="partly outside")
    yield Sample((Arr(np.full((4,), 2.0), dtype),), name="constant")
    # Counts past what the dtype holds exactly, gathered per thread (Note [Histogram counts])
    crowded = Arr(np.repeat(np.array([0.0, 1.0], np.float32), [4600, 700]), dtype)
    yield Sample((crowded, 2, 0, 1), name="crowded bins")


def _histc_errors(rng):
    x = arr((5,), "float32", rng)
    yield ErrorInput(Sample((x, 3, 2, 1)), RuntimeError, "max must be larger than min")
    yield ErrorInput(Sample((x, 3, 0, float("inf"))), RuntimeError, "is not finite")
    yield ErrorInput(Sample((Arr(np.array([1.0, np.nan]), "float32"),)), RuntimeError,
                     "is not finite")
    yield ErrorInput(Sample((x, -1)), RuntimeError)


def _histogram_samples(dtype, rng):
    for x, name in _inputs(dtype, rng):
        if name == "special values":
            continue
        yield Sample((x,), name=name)
        yield Sample((x, 6), {"range": (-3.0, 4.0)}, f"{name}, range")
        yield Sample((x, 5), {"density": True}, f"{name}, density")
        weight = Arr(np.abs(rng.standard_normal(x.values.shape)).astype(x.values.dtype), dtype)
        yield Sample((x, 4), {"weight": weight}, f"{name}, weight")
    edges = Arr(np.array([-4.0, -1.0, 0.5, 3.0, 5.0]), dtype)
    values = arr((20,), dtype, rng)
    yield Sample((values, edges), name="edges")
    yield Sample((values, edges), {"density": True}, "edges, density")
    weight = Arr(np.linspace(0.0, 2.0, 20).reshape(4, 5).astype(values.values.dtype), dtype)
    yield Sample((values, 3), {"weight": weight}, "weight of another shape")
    crowded = Arr(np.repeat(np.array([0.0, 1.0], np.float32), [4600, 700]), dtype)
    yield Sample((crowded, 2), {"range": (0.0, 1.0)}, "crowded bins")


def _histogram_errors(rng):
    x = arr((5,), "float32", rng)
    yield ErrorInput(Sample((x, 3), {"range": (2.0, 1.0)}), RuntimeError)
    yield ErrorInput(Sample((x, Arr(np.array([0.0, 1.0]), "float64"))), RuntimeError)
    yield ErrorInput(Sample((x, 3), {"weight": arr((4,), "float32", rng)}), RuntimeError)


def _bincount_samples(dtype, rng):
    def counts(shape, layout="contiguous"):
        return arr(shape, dtype, rng, layout, low=0, high=6)

    yield Sample((counts((20,)),), name="1-d")
    yield Sample((counts((20,)), None, 9), name="minlength")
    yield Sample((counts((3, 6), "transposed"),), name="2-d")
    yield Sample((counts((0,)),), name="empty")
    yield Sample((counts((0,)), None, 3), name="empty, minlength")
    yield Sample((counts((0,)), arr((0,), "float32", rng), 2), name="empty, weights")
    for weights_dtype in ("float32", "float64", "int64", "float16"):
        yield Sample((counts((10,)), arr((10,), weights_dtype, rng)),
                     name=f"{weights_dtype} weights")


def _bincount_errors(rng):
    yield ErrorInput(Sample((arr((3, 2), "int64", rng, low=0),)), RuntimeError,
                     "bincount only supports 1-d non-negative integral inputs.")
    yield ErrorInput(Sample((Arr(np.array([1, -1]), "int64"),)), RuntimeError)
    yield ErrorInput(Sample((arr((3,), "int64", rng, low=0), None, -1)), RuntimeError,
                     "minlength should be >= 0")
    yield ErrorInput(Sample((arr((3,), "int64", rng, low=0), arr((4,), "float32", rng))),
                     RuntimeError, "weights should be 1-d and have the same length as input")


# --- argwhere, masked_select, nonzero ---------------------------------------------------------


def _argwhere_samples(dtype, rng):
    for x, name in _inputs(dtype, rng):
        yield Sample((x,), name=name)


def _masked_select_samples(dtype, rng):
    def mask(shape, layout="contiguous"):
        return arr(shape, "bool", rng, layout)

    for x, name in _inputs(dtype, rng):
        yield Sample((x, mask(x.values.shape)), name=name)
    yield Sample((arr((3, 4), dtype, rng), mask((4,))), name="broadcast mask")
    yield Sample((arr((4,), dtype, rng), mask((3, 4), "transposed")), name="broadcast input")
    yield Sample((arr((), dtype, rng), mask((2, 3))), name="0-dim input")


def _masked_select_errors(rng):
    x = arr((3,), "float32", rng)
    yield ErrorInput(Sample((x, arr((3,), "uint8", rng))), RuntimeError,
                     "expected BoolTensor for mask")
    yield ErrorInput(Sample((x, arr((2,), "bool", rng))), RuntimeError)


def _nonzero_tuple(lib, input):
    return lib.nonzero(input, as_tuple=True)


def _nonzero_tuple_method(lib, input):
    return input.nonzero(as_tuple=True)


SORTING = [
    OpInfo("sort", _sort_samples, dtypes=ORDERED, inplace=False, errors=_sort_errors),
    OpInfo("argsort", _argsort_samples, dtypes=ORDERED, inplace=False, errors=_dim_errors),
    OpInfo("msort", _msort_samples, dtypes=ORDERED, inplace=False),
    OpInfo("topk", _topk_samples, dtypes=REAL_NON_BOOL, inplace=False, errors=_topk_errors),
    OpInfo("kthvalue", _kthvalue_samples, dtypes=REAL_NON_BOOL, inplace=False,
           errors=_kthvalue_errors),
    OpInfo("unique", _unique_samples, dtypes=ORDERED, inplace=False, out=False,
           errors=_unique_errors),
    OpInfo("unique_consecutive", _unique_consecutive_samples, dtypes=ORDERED, inplace=False,
           out=False, errors=_unique_errors),
    OpInfo("searchsorted", _searchsorted_samples, dtypes=REAL_NON_BOOL, method=False,
           inplace=False, errors=_searchsorted_errors),
    OpInfo("bucketize", _bucketize_samples, dtypes=REAL_NON_BOOL, method=False, inplace=False,
           errors=_bucketize_errors),
    OpInfo("histc", _histc_samples, dtypes=FLOAT_DTYPES, inplace=False, errors=_histc_errors),
    OpInfo("histogram", _histogram_samples, dtypes=("float32", "float64"), inplace=False,
           errors=_histogram_errors),
    OpInfo("bincount", _bincount_samples, dtypes=INT_DTYPES, inplace=False, out=False,
           errors=_bincount_errors),
    OpInfo("argwhere", _argwhere_samples, inplace=False, out=False),
    OpInfo("masked_select", _masked_select_samples, inplace=False,
           errors=_masked_select_errors),
    OpInfo("nonzero", _argwhere_samples, variant="as_tuple", call=_nonzero_tuple,
           call_method=_nonzero_tuple_method, inplace=False, out=False),
]


test_function, test_method, test_no_inplace_form, test_out, test_errors = table_tests(
    SORTING, ("function", "method", "no_inplace", "out", "errors"),
    ops={"out": [op for op in SORTING if op.out]},
    dtypes={"method": ("float32", "int64"), "out": ("float32", "int64", "bool")},
    max_samples=6)


# --- tie order on larger inputs ----------------------------------------------------------


@pytest.mark.parametrize("seed", range(3))
def test_tie_order_matches_torch(seed):
    """Index order among equal elements is torch's for sort (stable=False), topk (both of
    its algorithms, sorted or not) and kthvalue, over random sizes and tie densities, with
    rows of several kinds replayed together."""
    rng = np.random.default_rng(seed)
    for _ in range(12):
        size = int(rng.choice([17, 33, 100, 257, 1000]))
        dtype = str(rng.choice(["float32", "int64"]))
        values = ties((4, size), dtype, rng, levels=int(rng.choice([2, 5, 50])), nan=True)
        descending = bool(rng.integers(2))
        k = int(rng.integers(1, size + 1))
        compare(lambda lib, x: lib.sort(x, descending=descending), Sample((values,)))  # noqa: B023
        for largest in (True, False):
            for is_sorted in (True, False):
                compare(lambda lib, x: lib.topk(x, k, largest=largest, sorted=is_sorted),  # noqa: B023
                        Sample((values,)))
        compare(lambda lib, x: lib.kthvalue(x, k), Sample((values,)))  # noqa: B023


@pytest.mark.parametrize("dtype", ["float32", "float16", "int64"])
@pytest.mark.parametrize("descending", [False, True])
def test_expanded_input_sorts_in_place_order(dtype, descending):
    """PyTorch leaves a dim of stride 0 unsorted: the indices count up."""
    row = Arr(np.arange(3.0).astype(np.float32 if dtype == "float16" else dtype), dtype)
    compare(lambda lib, x: x.expand(40, 3).sort(0, descending), Sample((row,)))
