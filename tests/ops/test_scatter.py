"""The gather / scatter op table, for the ops of ember/ops/scatter.py (gather, scatter with
src, value or reduce, scatter_add, scatter_reduce, take_along_dim) and ember/ops/indexed.py
(index_select, index_add, index_copy, index_fill, index_put, index_reduce, masked_fill,
masked_scatter, take and put), checked against torch over every dtype, non-contiguous inputs
and indices, negative dims, empty indices, repeated indices for the accumulating forms, and
in the method, in-place and ``out=`` forms; then their errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import ember

from .op_table import (
    ALL_DTYPES,
    COMPLEX_DTYPES,
    Arr,
    ErrorInput,
    OpInfo,
    Sample,
    Where,
    arr,
    assert_same_outcome,
    check_method,
    check_out,
    run,
    table_tests,
)

# Both libraries warn once per process about these (TORCH_WARN_ONCE): warned here, before
# any comparison, so that no test's outcome depends on which test ran first.
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    for _lib in (torch, ember):
        _x = _lib.zeros(2)
        _lib.index_reduce(_x, 0, _lib.tensor([0]), _lib.ones(1), "prod")
        _lib.scatter(_x, 0, _lib.tensor([0]), _lib.ones(1), reduce="add")

NO_BOOL = tuple(d for d in ALL_DTYPES if d != "bool")
NO_COMPLEX = tuple(d for d in ALL_DTYPES if d not in COMPLEX_DTYPES)
REAL_NON_BOOL = tuple(d for d in NO_COMPLEX if d != "bool")


def index(values, layout="contiguous", dtype="int64") -> Arr:
    """An index tensor of ``values``."""
    return Arr(np.asarray(values, np.int64).astype(dtype), dtype, layout)


def random_index(rng, shape, high, layout="contiguous", low=0) -> Arr:
    return index(rng.integers(low, high, shape), layout)


def mask(rng, shape, layout="contiguous") -> Arr:
    return Arr(rng.integers(0, 2, shape).astype(bool), "bool", layout)


# --- gather / scatter along a dim -------------------------------------------------------------


def _dim_cases(dtype, rng):
    """(input, dim, index, src shape, name): layouts of input and index, negative dims,
    repeated and empty indices, smaller indices, 0-dim and 3-d inputs."""

    def a(shape, layout="contiguous"):
        return arr(shape, dtype, rng, layout)

    yield a((3, 4)), 0, random_index(rng, (2, 4), 3), (2, 4), "dim 0, repeats"
    yield a((3, 4)), 1, random_index(rng, (3, 6), 4), (3, 6), "dim 1, more than the dim"
    yield a((3, 4)), -1, random_index(rng, (2, 3), 4), (3, 5), "dim -1, smaller index"
    yield a((3, 4), "transposed"), 0, random_index(rng, (3, 4), 3), (3, 4), "transposed input"
    yield a((3, 4), "noncontiguous"), 1, random_index(rng, (3, 4), 4, "transposed"), (4, 4), (
        "non-contiguous input, transposed index")
    yield a((3, 4)), -2, random_index(rng, (2, 3), 3, "noncontiguous"), (2, 3), (
        "non-contiguous index")
    yield a((2, 3, 4)), 1, random_index(rng, (2, 5, 4), 3), (2, 5, 4), "3-d"
    yield a((2, 3, 4), "transposed"), 2, random_index(rng, (1, 3, 3), 3), (2, 3, 3), (
        "3-d transposed")
    yield a(()), 0, index(0), (), "0-dim"
    yield a((5,)), 0, index([4, -0, 2, 2]), (4,), "1-d"
    yield a((3, 4)), 0, index(np.zeros((0, 4))), (0, 4), "empty index"
    yield a((0, 3)), 1, index(np.zeros((0, 2))), (0, 2), "empty input"


def _gather_samples(dtype, rng):
    for x, dim, idx, _, name in _dim_cases(dtype, rng):
        yield Sample((x, dim, idx), name=name)
    x = arr((3, 4), dtype, rng)
    yield Sample((x, 1, random_index(rng, (3, 2), 4)), {"sparse_grad": True}, "sparse_grad")
    yield Sample((x, 0, index([[0, 2]], dtype="int32")), name="int32 index")
    yield Sample((arr((5,), dtype, rng), 0, index(3)), name="0-dim index")


def _dim_errors(name, with_src):
    def errors(rng):
        x = arr((3, 4), "float32", rng)
        src = (arr((3, 4), "float32", rng),) if with_src else ()
        yield ErrorInput(Sample((x, 0, index([[3, 0]]), *src)), RuntimeError,
                         "index 3 is out of bounds for dimension 0 with size 3")
        yield ErrorInput(Sample((x, 0, index([[-1, 0]]), *src)), RuntimeError,
                         "index -1 is out of bounds for dimension 0 with size 3")
        yield ErrorInput(Sample((x, 1, Arr(np.zeros((2, 2), np.float32), "float32"), *src)),
                         RuntimeError, f"{name}\\(\\): Expected dtype int32/int64 for index")
        yield ErrorInput(Sample((x, 0, index([0, 1]), *src)), RuntimeError,
                         "Index tensor must have the same number of dimensions as")
        yield ErrorInput(Sample((x, 2, index([[0, 1]]), *src)), IndexError,
                         r"Dimension out of range \(expected to be in range of \[-2, 1\]")
        yield ErrorInput(Sample((x, 0, index(np.zeros((2, 5))), *src)), RuntimeError)

    return errors


def _scatter_errors(rng):
    yield from _dim_errors("scatter", True)(rng)
    x = arr((3, 4), "float32", rng)
    yield ErrorInput(Sample((x, 0, index([[0, 1]]), arr((3, 4), "float64", rng))),
                     RuntimeError, r"scatter\(\): Expected self.dtype to be equal to src.dtype")
    yield ErrorInput(Sample((x, 0, index([[0, 1]]), arr((1, 1), "float32", rng))),
                     RuntimeError, r"Expected index \[1, 2\] to be no larger than self \[3, 4\] "
                     r"apart from dimension 0 and to be no larger size than src \[1, 1\]")
    yield ErrorInput(Sample((x, 0, index([[0, 1]]), arr((3,), "float32", rng))),
                     IndexError, r"Dimension out of range \(expected to be in range of \[-1, 0\], "
                     r"but got 1\)")
    yield ErrorInput(Sample((arr((3,), "float32", rng), 0, index([0, 1]),
                             arr((3, 4), "float32", rng))),
                     RuntimeError, "Index tensor must have the same number of dimensions as src")
    yield ErrorInput(Sample((x, 0, index([[0, 1]]), x), {"reduce": "mean"}), RuntimeError,
                     "reduce argument must be either add or multiply.")
    yield ErrorInput(Sample((arr((3,), "int32", rng), 0, index([0]), 2**40)), RuntimeError,
                     "value cannot be converted to type int without overflow")


def _scatter_samples(reduce=None, value=False):
    kwargs = {} if reduce is None else {"reduce": reduce}

    def samples(dtype, rng):
        for x, dim, idx, src_shape, name in _dim_cases(dtype, rng):
            src = 3 if dtype != "bool" and value else True if value else arr(src_shape, dtype,
                                                                              rng)
            yield Sample((x, dim, idx, src), kwargs, name)
        if value and dtype not in ("bool",) + COMPLEX_DTYPES:
            yield Sample((arr((3, 4), dtype, rng), 0, random_index(rng, (2, 4), 3), 2.5),
                         kwargs, "float value")
        x = arr((3, 4), dtype, rng)
        if value:
            yield Sample((x, 1, index([[0], [3], [1]])), {**kwargs, "value": arr((), dtype, rng)},
                         "value= tensor")
        else:
            yield Sample((x, 1, index([[0], [3], [1]])), {**kwargs, "src": arr((3, 1), dtype,
                                                                              rng)}, "src=")
            yield Sample((x, 1, random_index(rng, (3, 2), 4), arr((4, 5), dtype, rng,
                                                                  "transposed")),
                         kwargs, "transposed src")

    return samples


def _scatter_add_samples(dtype, rng):
    yield from _scatter_samples()(dtype, rng)
    x = arr((2, 3), dtype, rng)
    yield Sample((x, 1, index([[2, 2, 2, 2], [0, 2, 0, 2]]), arr((2, 4), dtype, rng)),
                 name="many repeats")


def _scatter_reduce_samples(reduce, include_self):
    kwargs = {"include_self": include_self}

    def samples(dtype, rng):
        for x, dim, idx, src_shape, name in _dim_cases(dtype, rng):
            yield Sample((x, dim, idx, arr(src_shape, dtype, rng), reduce), kwargs, name)
        x = arr((2, 3), dtype, rng)
        yield Sample((x, 1, index([[2, 2, 2, 2], [0, 2, 0, 2]]), arr((2, 4), dtype, rng),
                      reduce), kwargs, "many repeats")
        if dtype in ("float32", "float64"):
            yield Sample((arr((6,), dtype, rng, special=True), 0, index([0, 0, 2, 2, 4, 5]),
                          arr((6,), dtype, rng, special=True), reduce), kwargs, "special")

    return samples


def _scatter_reduce_errors(rng):
    x = arr((3, 4), "float32", rng)
    yield ErrorInput(Sample((x, 0, index([[0, 1]]), x, "add")), RuntimeError,
                     "reduce argument must be either sum, prod, mean, amax or amin, got add")
    yield ErrorInput(Sample((x, 0, index([[0, 1]]), arr((3, 4), "float64", rng), "sum")),
                     RuntimeError, "Expected self.dtype to be equal to src.dtype")
    yield ErrorInput(Sample((x, 0, index([[3, 1]]), x, "amax")), RuntimeError,
                     "index 3 is out of bounds for dimension 0 with size 3")


# --- the index_* ops --------------------------------------------------------------------------


def _index_cases(dtype, rng, repeats=True):
    """(input, dim, index, name): layouts, negative dims and indices, repeats, empty and
    scalar indices, int32 indices, 0-dim inputs."""

    def a(shape, layout="contiguous"):
        return arr(shape, dtype, rng, layout)

    twice = [2, 0, 2] if repeats else [2, 0]
    yield a((3, 4)), 0, index(twice), "dim 0"
    yield a((3, 4)), -1, index([3, 1, 0] + ([1] if repeats else [])), "dim -1"
    yield a((3, 4), "transposed"), 1, index([1, 3]), "transposed input"
    yield a((3, 4), "noncontiguous"), 0, index(twice), "non-contiguous input"
    yield a((4, 6)), 1, index(twice, "noncontiguous"), "non-contiguous index"
    yield a((2, 3, 4), "transposed"), 1, index([1]), "3-d transposed"
    yield a((3, 4)), 0, index(1), "scalar index"
    yield a((3, 4)), 1, index(np.zeros(0)), "empty index"
    yield a(()), 0, index([0]), "0-dim input"


def _index_select_samples(dtype, rng):
    for x, dim, idx, name in _index_cases(dtype, rng):
        yield Sample((x, dim, idx), name=name)
    yield Sample((arr((3, 4), dtype, rng), 0, index([2, 0], dtype="int32")), name="int32")
    yield Sample((arr((0, 4), dtype, rng), 1, index([3, 3])), name="empty input")


def _source_shape(x: Arr, dim, idx: Arr):
    shape = list(x.values.shape)
    if not shape:
        return ()
    shape[dim] = idx.values.size
    return tuple(shape)


def _index_select_errors(rng):
    x = arr((3, 4), "float32", rng)
    yield ErrorInput(Sample((x, 0, index([0, 3]))), IndexError, "index out of range in self")
    yield ErrorInput(Sample((x, 0, index([-1]))), IndexError, "index out of range in self")
    yield ErrorInput(Sample((x, 1, index([0, 4]))), RuntimeError,
                     "INDICES element is out of DATA bounds, id=4 axis_dim=4")
    yield ErrorInput(Sample((arr((2, 3, 4), "float32", rng), 2, index([-1]))), IndexError,
                     "index out of range in self")
    yield ErrorInput(Sample((x, 0, index([[0], [1]]))), IndexError,
                     r"index_select\(\): Index is supposed to be a vector")
    yield ErrorInput(Sample((x, 0, Arr(np.zeros(2, np.float32), "float32"))), RuntimeError,
                     r"index_select\(\): Expected dtype int32 or int64 for index")
    yield ErrorInput(Sample((x, 2, index([0]))), IndexError)
    yield ErrorInput(Sample((arr((), "float32", rng), 0, index([0, 0]))), RuntimeError,
                     r"index_select\(\): Index to scalar can have only 1 value, got 2 value")


def _index_source_samples(repeats=True, extra=()):
    def samples(dtype, rng):
        for x, dim, idx, name in _index_cases(dtype, rng, repeats):
            source = arr(_source_shape(x, dim, idx), dtype, rng)
            yield Sample((x, dim, idx, source, *extra), name=name)
        x = arr((3, 4), dtype, rng)
        yield Sample((x, 1, index([3, 0]), arr((3, 2), dtype, rng, "transposed"), *extra),
                     name="transposed source")

    return samples


def _index_add_errors(rng):
    yield from _index_errors("index_add")(rng)
    # along a middle dim, or with alpha, torch checks the indices as index_select does
    x = arr((2, 3, 4), "float32", rng)
    yield ErrorInput(Sample((x, 1, index([3]), arr((2, 1, 4), "float32", rng))), IndexError,
                     "index out of range in self")
    yield ErrorInput(Sample((x, 0, index([-1]), arr((1, 3, 4), "float32", rng)), {"alpha": 2}),
                     IndexError, "index out of range in self")
    yield ErrorInput(Sample((x, 0, index([-1]), arr((1, 3, 4), "float32", rng))), RuntimeError,
                     "index -1 is out of bounds for dimension 0 with size 2")


def _index_add_samples(dtype, rng):
    yield from _index_source_samples()(dtype, rng)
    x = arr((3, 4), dtype, rng)
    yield Sample((x, 0, index([1, 1]), arr((2, 4), dtype, rng)), {"alpha": 2}, "alpha")
    yield Sample((x, 1, index([2, 0], dtype="int32"), arr((3, 2), dtype, rng)), name="int32")


def _index_errors(name, source=True, takes_int32=True):
    def errors(rng):
        x = arr((3, 4), "float32", rng)
        rest = (arr((2, 4), "float32", rng),) if source else (1.5,)
        yield ErrorInput(Sample((x, 0, index([0, 3]), *rest)),
                         IndexError if name in ("index_copy", "index_fill") else RuntimeError,
                         "index 3 is out of bounds for dimension 0 with size 3")
        yield ErrorInput(Sample((x, 0, index([0, -4]), *rest)),
                         IndexError if name in ("index_copy", "index_fill") else RuntimeError,
                         "index -4 is out of bounds for dimension 0 with size 3")
        yield ErrorInput(Sample((x, 0, Arr(np.zeros(2, np.float32), "float32"), *rest)),
                         IndexError if name == "index_fill" else RuntimeError)
        if not takes_int32:
            yield ErrorInput(Sample((x, 0, index([0, 1], dtype="int32"), *rest)),
                             IndexError if name == "index_fill" else RuntimeError)
        yield ErrorInput(Sample((x, 0, index([[0], [1]]), *rest)),
                         RuntimeError if name == "index_fill" else IndexError)
        yield ErrorInput(Sample((x, 2, index([0, 1]), *rest)), IndexError)
        if source:
            yield ErrorInput(Sample((x, 0, index([0, 1]), arr((2, 4), "float64", rng))),
                             RuntimeError)
            yield ErrorInput(Sample((x, 0, index([0, 1]), arr((3, 4), "float32", rng))),
                             IndexError if name == "index_copy" else RuntimeError,
                             r"Number of indices \(2\) should be equal to source.size\(dim\)")
            yield ErrorInput(Sample((x, 0, index([0, 1]), arr((2, 3), "float32", rng))),
                             RuntimeError)
        else:
            yield ErrorInput(Sample((x, 0, index([0]), arr((1,), "float32", rng))),
                             RuntimeError, "index_fill_ only supports a 0-dimensional value "
                             "tensor, but got tensor with 1 dimension")
            yield ErrorInput(Sample((x, 0, index([0]), 1j)), RuntimeError,
                             "Converting complex Scalar to non-complex type is not supported")

    return errors


def _index_fill_samples(dtype, rng):
    value = True if dtype == "bool" else 3
    for x, dim, idx, name in _index_cases(dtype, rng):
        yield Sample((x, dim, idx, value), name=name)
    x = arr((3, 4), dtype, rng)
    yield Sample((x, 1, index([-1, 0]), arr((), dtype, rng)), name="0-dim tensor value")
    yield Sample((x, 1, index([-1, 0]), arr((), "float64", rng)), name="float64 tensor value")
    if dtype not in ("bool",) + COMPLEX_DTYPES:
        yield Sample((x, 0, index([1]), -2.5), name="float value")


def _index_reduce_samples(reduce, include_self):
    kwargs = {"include_self": include_self}

    def samples(dtype, rng):
        for sample in _index_source_samples(extra=(reduce,))(dtype, rng):
            yield Sample(sample.args, kwargs, sample.name)

    return samples


def _index_reduce_errors(rng):
    x = arr((3, 4), "float32", rng)
    source = arr((2, 4), "float32", rng)
    yield ErrorInput(Sample((x, 0, index([0, 1]), source, "sum")), RuntimeError,
                     "index_reduce\\(\\): Expected reduce to be one of prod, mean, amax or amin")
    yield ErrorInput(Sample((x, 0, index([0, 3]), source, "prod")), IndexError,
                     "index out of range in self")
    yield ErrorInput(Sample((x, 0, index([0, 1]), arr((2, 4), "float64", rng), "prod")),
                     RuntimeError, "must have the same scalar type")


# --- index_put --------------------------------------------------------------------------------


def _index_put_samples(accumulate):
    kwargs = {"accumulate": True} if accumulate else {}

    def samples(dtype, rng):
        def a(shape, layout="contiguous"):
            return arr(shape, dtype, rng, layout)

        rows = index([2, 0, 2] if accumulate else [2, 0])
        yield Sample((a((3, 4)), (rows,), a((rows.values.size, 4))), kwargs, "rows")
        yield Sample((a((3, 4), "transposed"), (rows,), a((4,))), kwargs, "broadcast values")
        yield Sample((a((3, 4), "noncontiguous"), (index([1, 1, 0]), index([3, 3, -1])),
                      a((3,))), kwargs, "two indices")
        yield Sample((a((3, 4)), (mask(rng, (3, 4)),), a(())), kwargs, "mask")
        yield Sample((a((3, 4)), (index([[0], [2]], "transposed"), index([[1, 3]])),
                      a((2, 2), "transposed")), kwargs, "broadcast indices")
        yield Sample((a((2, 3, 4)), [index([1, 0]), index([2, 2])], a((2, 4))), kwargs,
                     "list of indices")
        yield Sample((a((3, 4)), (index(np.zeros(0)),), a((0, 4))), kwargs, "empty index")

    return samples


def _index_put_errors(rng):
    x = arr((3, 4), "float32", rng)
    yield ErrorInput(Sample((x, (index([3]),), arr((), "float32", rng))), IndexError,
                     "index 3 is out of bounds for dimension 0 with size 3")
    yield ErrorInput(Sample((x, (index([0]),), arr((), "float64", rng))), RuntimeError,
                     "Index put requires the source and destination dtypes match, got Float "
                     "for the destination and Double for the source.")
    yield ErrorInput(Sample((x, (index([0]),), 1.0)), TypeError)
    yield ErrorInput(Sample((x, (None, index([0])), arr((), "float32", rng))), TypeError)
    yield ErrorInput(Sample((x, (index([0]),) * 3, arr((), "float32", rng))), IndexError,
                     "too many indices for tensor of dimension 2")
    yield ErrorInput(Sample((x, (index([0, 1]),), arr((3,), "float32", rng)),
                            {"accumulate": True}), RuntimeError, "shape mismatch")


# --- masks ------------------------------------------------------------------------------------


def _masked_fill_samples(dtype, rng):
    def a(shape, layout="contiguous"):
        return arr(shape, dtype, rng, layout)

    value = True if dtype == "bool" else 2
    yield Sample((a((3, 4)), mask(rng, (3, 4)), value), name="same shape")
    yield Sample((a((3, 4), "transposed"), mask(rng, (4,)), value), name="broadcast mask")
    yield Sample((a((3, 4), "noncontiguous"), mask(rng, (3, 4), "transposed"), a(())),
                 name="tensor value")
    yield Sample((a((4,)), mask(rng, (3, 4)), value), name="mask broadcasts input")
    yield Sample((a((3, 4)), mask(rng, (3, 4)), arr((), "float64", rng)),
                 name="float64 tensor value")
    yield Sample((a(()), mask(rng, ()), value), name="0-dim")
    yield Sample((a((0, 3)), mask(rng, (3,)), value), name="empty")
    if dtype not in ("bool",) + COMPLEX_DTYPES:
        yield Sample((a((2, 3)), mask(rng, (2, 3)), -1.5), name="float value")


def _masked_fill_errors(rng):
    x = arr((3, 4), "float32", rng)
    yield ErrorInput(Sample((x, Arr(np.ones(4, np.uint8), "uint8"), 1.0)), RuntimeError,
                     "masked_fill_ only supports boolean masks, but got mask with dtype "
                     "unsigned char")
    yield ErrorInput(Sample((x, mask(rng, (4,)), arr((1,), "float32", rng))), RuntimeError,
                     "masked_fill_ only supports a 0-dimensional value tensor, but got tensor "
                     "with 1 dimension")
    yield ErrorInput(Sample((x, mask(rng, (5,)), 1.0)), RuntimeError,
                     r"The size of tensor a \(4\) must match the size of tensor b \(5\)")
    yield ErrorInput(Sample((arr((3,), "int64", rng), mask(rng, (3,)), 1 + 1j)), RuntimeError,
                     "value cannot be converted to type int64_t without overflow")
    yield ErrorInput(Sample((arr((3,), "float16", rng), mask(rng, (3,)), 1e6)), RuntimeError,
                     "value cannot be converted to type c10::Half without overflow")


def _masked_scatter_samples(dtype, rng):
    def a(shape, layout="contiguous"):
        return arr(shape, dtype, rng, layout)

    yield Sample((a((3, 4)), mask(rng, (3, 4)), a((3, 4))), name="same shape")
    yield Sample((a((3, 4), "transposed"), mask(rng, (4,)), a((15,))), name="broadcast mask")
    yield Sample((a((3, 4), "noncontiguous"), mask(rng, (3, 4), "transposed"),
                  a((3, 5), "transposed")), name="layouts")
    yield Sample((a((4,)), mask(rng, (2, 4)), a((8,))), name="mask broadcasts input")
    yield Sample((a(()), mask(rng, ()), a((2,))), name="0-dim")
    yield Sample((a((0, 3)), mask(rng, (3,)), a((0,))), name="empty")


def _masked_scatter_errors(rng):
    x = arr((3, 4), "float32", rng)
    yield ErrorInput(Sample((x, Arr(np.ones(4, bool), "bool"), arr((11,), "float32", rng))),
                     RuntimeError, "Number of elements of source < number of ones in mask")
    yield ErrorInput(Sample((x, Arr(np.ones(4, np.uint8), "uint8"), x)), RuntimeError,
                     "masked_scatter_ only supports boolean masks, but got mask with dtype "
                     "Byte")
    yield ErrorInput(Sample((x, mask(rng, (4,)), arr((12,), "float64", rng))), RuntimeError,
                     "masked_scatter: expected self and source to have same dtypes but "
                     "gotFloat and Double")


# --- take, put, take_along_dim ----------------------------------------------------------------


def _take_samples(dtype, rng):
    def a(shape, layout="contiguous"):
        return arr(shape, dtype, rng, layout)

    yield Sample((a((3, 4)), index([[0, 11], [-1, 5]])), name="2-d index, negatives")
    yield Sample((a((3, 4), "transposed"), random_index(rng, (5,), 12)), name="transposed")
    yield Sample((a((3, 4), "noncontiguous"), random_index(rng, (2, 3), 12, "transposed")),
                 name="layouts")
    yield Sample((a(()), index([0, -1, 0])), name="0-dim input")
    yield Sample((a((5,)), index(3)), name="0-dim index")
    yield Sample((a((3, 4)), index(np.zeros((0, 2)))), name="empty index")
    yield Sample((a((0,)), index(np.zeros(0))), name="empty input")


def _take_errors(rng):
    x = arr((3, 4), "float32", rng)
    yield ErrorInput(Sample((x, index([12]))), IndexError,
                     "out of range: tried to access index 12 on a tensor of 12 elements.")
    yield ErrorInput(Sample((x, index([-13]))), IndexError,
                     "out of range: tried to access index -13 on a tensor of 12 elements.")
    yield ErrorInput(Sample((x, index([1], dtype="int32"))), RuntimeError,
                     "take\\(\\): Expected a long tensor for index, but got Int")
    yield ErrorInput(Sample((arr((0,), "float32", rng), index([0]))), IndexError,
                     "take\\(\\): tried to take from an empty tensor")


def _put_samples(accumulate):
    kwargs = {"accumulate": True} if accumulate else {}

    def samples(dtype, rng):
        def a(shape, layout="contiguous"):
            return arr(shape, dtype, rng, layout)

        yield Sample((a((3, 4)), index([0, 11, -1, 5] if accumulate else [0, 11, 5]),
                      a((4 if accumulate else 3,))), kwargs, "negatives")
        yield Sample((a((3, 4), "transposed"), index([[1, 7], [7, 1]]), a((2, 2))), kwargs,
                     "transposed, repeats")
        # without accumulate, which of repeated positions wins follows torch's loop order
        positions = rng.permutation(12)[:6].reshape(2, 3)
        yield Sample((a((3, 4), "noncontiguous"), index(positions, "transposed"),
                      a((3, 2), "transposed")), kwargs, "layouts")
        yield Sample((a((2, 3, 4), "transposed"), index([23, 0, 5]), a((3,))), kwargs,
                     "3-d transposed")
        yield Sample((a(()), index([0]), a((1,))), kwargs, "0-dim input")
        yield Sample((a((3, 4)), index(np.zeros(0)), a((0,))), kwargs, "empty index")

    return samples


def _put_errors(rng):
    x = arr((3, 4), "float32", rng)
    yield ErrorInput(Sample((x, index([12]), arr((1,), "float32", rng))), IndexError,
                     "out of range: tried to access index 12 on a tensor of 12 elements.")
    yield ErrorInput(Sample((x, index([0, 1]), arr((3,), "float32", rng))), IndexError,
                     r"put_\(\): Expected source and index to have the same number of elements")
    yield ErrorInput(Sample((x, index([0]), arr((1,), "float64", rng))), RuntimeError,
                     r"put_\(\): self and source expected to have the same dtype")
    yield ErrorInput(Sample((x, index([0], dtype="int32"), arr((1,), "float32", rng))),
                     RuntimeError, r"put_\(\): Expected a long tensor for index, but got Int")
    yield ErrorInput(Sample((arr((0,), "float32", rng), index([0]), arr((1,), "float32", rng))),
                     IndexError, r"put_\(\): Tried to put elements into an empty tensor")


def _take_along_dim_samples(dtype, rng):
    def a(shape, layout="contiguous"):
        return arr(shape, dtype, rng, layout)

    yield Sample((a((3, 4)), random_index(rng, (5,), 12)), name="flattened")
    yield Sample((a((3, 4), "transposed"), index([[0, -1, 2, 1]]), 0), name="negatives")
    yield Sample((a((3, 4)), random_index(rng, (3, 2), 4, "transposed", low=-4), -1),
                 name="dim -1")
    yield Sample((a((3, 4), "noncontiguous"), random_index(rng, (1, 6), 3), 0),
                 name="index broadcasts")
    yield Sample((a((3, 1)), random_index(rng, (3, 5), 1), 0), name="input broadcasts")
    yield Sample((a((2, 3, 4)), random_index(rng, (2, 3, 1), 4), 2), name="3-d")
    yield Sample((a((3, 4)), index(np.zeros((3, 0))), 1), name="empty index")


def _take_along_dim_errors(rng):
    x = arr((3, 4), "float32", rng)
    yield ErrorInput(Sample((x, index([[0]], dtype="int32"), 0)), RuntimeError,
                     r"torch.take_along_dim\(\): dtype of indices should be Long but got Int")
    yield ErrorInput(Sample((x, index([0, 1]), 0)), RuntimeError,
                     r"input and indices should have the same number of dimensions, but got 2 "
                     r"dimensions for input, and 1 dimensions for indices")
    yield ErrorInput(Sample((x, index([[0], [1]]), 1)), RuntimeError,
                     r"The size of tensor a \(3\) must match the size of tensor b \(2\)")
    yield ErrorInput(Sample((x, index([12]))), RuntimeError,
                     "index 12 is out of bounds for dimension 0 with size 12")
    yield ErrorInput(Sample((x, index([[0]]), 2)), IndexError)


OPS = [
    OpInfo("gather", _gather_samples, inplace=False, errors=_dim_errors("gather", False)),
    OpInfo("scatter", _scatter_samples(), errors=_scatter_errors),
    OpInfo("scatter", _scatter_samples(value=True), variant="value"),
    OpInfo("scatter", _scatter_samples("add"), variant="reduce_add"),
    OpInfo("scatter", _scatter_samples("multiply"), variant="reduce_multiply"),
    OpInfo("scatter", _scatter_samples("add", value=True), variant="value_reduce_add"),
    OpInfo("scatter_add", _scatter_add_samples, errors=_dim_errors("scatter", True)),
    *[OpInfo("scatter_reduce", _scatter_reduce_samples(reduce, include_self),
             variant=f"{reduce}{'' if include_self else '_exclude_self'}",
             dtypes=(NO_BOOL if reduce == "mean" else NO_COMPLEX if reduce in ("amax", "amin")
                     else ALL_DTYPES),
             errors=_scatter_reduce_errors if reduce == "sum" and include_self else None)
      for reduce in ("sum", "prod", "mean", "amax", "amin") for include_self in (True, False)],
    OpInfo("index_select", _index_select_samples, inplace=False, errors=_index_select_errors),
    OpInfo("index_add", _index_add_samples, errors=_index_add_errors),
    OpInfo("index_copy", _index_source_samples(),
           errors=_index_errors("index_copy", takes_int32=False)),
    OpInfo("index_fill", _index_fill_samples, out=False,
           errors=_index_errors("index_fill", source=False, takes_int32=False)),
    OpInfo("index_put", _index_put_samples(False), out=False, errors=_index_put_errors),
    OpInfo("index_put", _index_put_samples(True), variant="accumulate", out=False),
    *[OpInfo("index_reduce", _index_reduce_samples(reduce, include_self),
             variant=f"{reduce}{'' if include_self else '_exclude_self'}",
             dtypes=(REAL_NON_BOOL if not include_self else NO_BOOL if reduce == "mean"
                     else NO_COMPLEX if reduce in ("amax", "amin") else ALL_DTYPES),
             errors=_index_reduce_errors if reduce == "prod" and include_self else None)
      for reduce in ("prod", "mean", "amax", "amin") for include_self in (True, False)],
    OpInfo("masked_fill", _masked_fill_samples, out=False, errors=_masked_fill_errors),
    OpInfo("masked_scatter", _masked_scatter_samples, out=False,
           errors=_masked_scatter_errors),
    OpInfo("take", _take_samples, inplace=False, errors=_take_errors),
    OpInfo("put", _put_samples(False), out=False, errors=_put_errors),
    OpInfo("put", _put_samples(True), variant="accumulate", out=False),
    OpInfo("take_along_dim", _take_along_dim_samples, inplace=False,
           errors=_take_along_dim_errors),
]


test_function, test_inplace, test_errors = table_tests(OPS, ("function", "inplace", "errors"))


@pytest.mark.parametrize("op", OPS, ids=lambda op: op.id)
def test_method(op):
    for dtype in ("float32", "int64", "bool"):
        check_method(op, dtype)


@pytest.mark.parametrize("op", OPS, ids=lambda op: op.id)
def test_out(op):
    for dtype in ("float32", "int64", "complex64"):
        if dtype in op.dtypes:
            check_out(op, dtype, max_samples=6)


def test_functions_and_methods_exist():
    for name in ("scatter_", "scatter_add_", "scatter_reduce_", "index_add_", "index_copy_",
                 "index_fill_", "index_put_", "index_reduce_", "masked_fill_",
                 "masked_scatter_", "put_"):
        assert hasattr(ember.Tensor, name) and hasattr(torch.Tensor, name), name
    assert callable(ember.index_put_)


def _overlapping_writes(lib):
    """In-place and ``out=`` calls that write into memory they also read, or into an
    expanded tensor."""
    x = lib.arange(12.0).reshape(3, 4)
    rows, first = lib.tensor([[0, 1, 2, 0]]), lib.tensor([0, 1])

    def expanded():
        return lib.zeros(4).expand(3, 4)

    yield "scatter_ from itself", lambda: x.clone().scatter_(0, rows, x[:1])
    yield "scatter_ into itself", lambda: (lambda y: y.scatter_(0, rows, y))(x.clone())
    yield "scatter_ expanded", lambda: expanded().scatter_(0, rows, x)
    yield "scatter_add_ expanded", lambda: expanded().scatter_add_(0, rows, x)
    yield "index_add_ expanded", lambda: expanded().index_add_(0, first, x[:2])
    yield "index_add_ itself", lambda: (lambda y: y.index_add_(0, first, y[:2]))(x.clone())
    yield "index_copy_ itself", lambda: (lambda y: y.index_copy_(0, first, y[1:]))(x.clone())
    yield "index_fill_ expanded", lambda: expanded().index_fill_(0, first, 1.0)
    yield "masked_fill_ expanded", lambda: expanded().masked_fill_(x > 3, 1.0)
    yield "masked_scatter_ expanded", lambda: expanded().masked_scatter_(x > 3, x)
    yield "put_ expanded", lambda: expanded().put_(first, x[0, :2])
    yield "put_ itself", lambda: (lambda y: y.put_(first, y[0, :2]))(x.clone())
    yield "gather out=input", lambda: (lambda y: lib.gather(y, 0, rows, out=y[:1]))(x.clone())
    yield "index_select out=input", lambda: (lambda y: lib.index_select(y, 0, first,
                                                                       out=y[:2]))(x.clone())
    yield "take out=input", lambda: (lambda y: lib.take(y, first, out=y[0, :2]))(x.clone())


def test_overlapping_writes():
    for (name, ours), (_, theirs) in zip(_overlapping_writes(ember), _overlapping_writes(torch)):
        expected, actual = run(theirs), run(ours)
        assert_same_outcome(actual, expected, where=Where(name))


def _random_calls(rng, trial):
    """(name, call) pairs for one random shape, dim, dtype and index (repeats, empty
    indices, negative dims), the same call for either library."""
    dtype = ("float64", "float32", "float16", "int64", "uint8", "bool", "complex64")[trial % 7]
    ndim = int(rng.integers(0, 4))
    shape = tuple(int(n) for n in rng.integers(1, 5, ndim))
    values = np.round(rng.standard_normal(shape) * 3)
    d = int(rng.integers(0, max(ndim, 1)))
    dim = d - max(ndim, 1) * int(rng.integers(0, 2))
    size = shape[d] if ndim else 1
    index_shape = tuple(int(rng.integers(0, n + 1)) if k != d else int(rng.integers(0, 5))
                        for k, n in enumerate(shape))
    positions = rng.integers(0, size, index_shape)
    src = np.round(rng.standard_normal(index_shape) * 3)
    vector = rng.integers(0, size, int(rng.integers(0, 5)))
    source_shape = list(shape)
    if ndim:
        source_shape[d] = len(vector)
    source = np.round(rng.standard_normal(source_shape) * 3)
    numel = int(np.prod(shape))
    flat = rng.integers(-numel, numel, int(rng.integers(0, 5)))
    flat_source = np.round(rng.standard_normal(flat.shape) * 3)
    reduce = ("sum", "prod", "mean", "amax", "amin")[trial % 5]
    include_self = bool(trial % 3)

    def make(lib, array):
        return lib.tensor(array).to(getattr(lib, dtype))

    def ints(lib, array):
        return lib.tensor(np.asarray(array, np.int64))

    return [
        ("gather", lambda L: L.gather(make(L, values), dim, ints(L, positions))),
        ("scatter", lambda L: L.scatter(make(L, values), dim, ints(L, positions), 2)),
        ("scatter_add", lambda L: L.scatter_add(make(L, values), dim, ints(L, positions),
                                                make(L, src))),
        ("scatter_reduce", lambda L: L.scatter_reduce(
            make(L, values), dim, ints(L, positions), make(L, src), reduce,
            include_self=include_self)),
        ("index_select", lambda L: L.index_select(make(L, values), dim, ints(L, vector))),
        ("index_add", lambda L: L.index_add(make(L, values), dim, ints(L, vector),
                                            make(L, source))),
        ("index_copy", lambda L: L.index_copy(make(L, values), dim, ints(L, vector),
                                              make(L, source))),
        ("index_fill", lambda L: L.index_fill(make(L, values), dim, ints(L, vector), 1)),
        ("take", lambda L: L.take(make(L, values), ints(L, flat))),
        ("put", lambda L: L.put(make(L, values), ints(L, flat), make(L, flat_source), True)),
        ("masked_fill", lambda L: L.masked_fill(make(L, values), L.tensor(values > 0), 1)),
    ]


def test_random_shapes_match_torch():
    """Random shapes, dims and indices: the same values or the same exception type."""
    rng = np.random.default_rng(7)
    calls = [call for trial in range(60) for call in _random_calls(rng, trial)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, call in calls:
            expected, actual = run(lambda: call(torch)), run(lambda: call(ember))  # noqa: B023
            assert_same_outcome(actual, expected, where=Where(name), check_warnings=False)


def _edge_cases(lib):
    """0-dim operands, scalar indices and expanded or transposed indices."""
    s = lib.tensor(1.5)
    yield "gather 0-dim input", lambda: lib.gather(s, 0, lib.tensor([0, 0]))
    yield "scatter 0-dim src", lambda: lib.scatter(lib.tensor([1.0, 2.0]), 0, lib.tensor(1),
                                                   lib.tensor(5.0))
    yield "scatter_reduce 0-dim", lambda: lib.scatter_reduce(
        s, 0, lib.tensor([0, 0]), lib.tensor([5.0, 6.0]), "amax", include_self=False)
    yield "index_add 0-dim", lambda: lib.index_add(s, 0, lib.tensor(0), lib.tensor(2.0))
    yield "index_add 1-d source", lambda: lib.index_add(s, 0, lib.tensor([0]),
                                                        lib.tensor([2.0]))
    yield "index_add 1-d into 2-d", lambda: lib.index_add(lib.ones(3, 1), 0, lib.tensor([0]),
                                                          lib.ones(1))
    yield "index_copy scalar index", lambda: lib.index_copy(lib.ones(3), 0, lib.tensor(1),
                                                            lib.tensor(2.0))
    yield "index_fill repeats", lambda: lib.index_fill(s, -1, lib.tensor([0, 0]), 2.0)
    yield "take 0-dim", lambda: lib.take(s, lib.tensor([[0, -1]]))
    yield "put 0-dim", lambda: lib.put(s, lib.tensor(0), lib.tensor(3.0))
    yield "masked_scatter 0-dim", lambda: lib.masked_scatter(s, lib.tensor(True),
                                                             lib.tensor([3.0, 4.0]))
    yield "take_along_dim 0-dim", lambda: lib.take_along_dim(s, lib.tensor(0), 0)
    yield "take_along_dim 0-dim flat", lambda: lib.take_along_dim(s, lib.tensor(0))
    yield "index_put 0-dim", lambda: lib.index_put(s, (lib.tensor(True),), lib.tensor(3.0))
    yield "index_put 0-dim mask", lambda: lib.index_put(lib.ones(3), (lib.tensor(True),),
                                                        lib.tensor(3.0))
    yield "gather expanded index", lambda: lib.gather(lib.ones(2, 3), 1,
                                                      lib.tensor([[0, 1]]).expand(2, 2))
    yield "scatter expanded index", lambda: lib.scatter(
        lib.zeros(2, 3), 1, lib.tensor([[0], [1]]).expand(2, 3), lib.ones(2, 3))


def test_edge_cases():
    for (name, ours), (_, theirs) in zip(_edge_cases(ember), _edge_cases(torch)):
        assert_same_outcome(run(ours), run(theirs), where=Where(name))
