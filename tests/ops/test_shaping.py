"""The shaping table: flips, rolls, rotations, repeats, triangles, diagonals, splits and
combinations against torch, for every dtype, non-contiguous, empty and 0-dim inputs,
negative dims, the method, in-place and ``out=`` forms, and their errors."""

from __future__ import annotations

import numpy as np
import pytest

from .op_table import (
    ALL_DTYPES,
    Arr,
    DType,
    ErrorInput,
    OpInfo,
    Sample,
    arr,
    check_errors,
    check_function,
    check_inplace,
    check_method,
    check_out,
    op_params,
)

NO_BOOL_OR_UINT = tuple(d for d in ALL_DTYPES if d not in ("bool",))
F32 = "float32"


def _inputs(dtype, rng, min_ndim=0):
    """(input, description) pairs over ranks, layouts, empty and 0-dim shapes."""

    def a(shape, layout="contiguous"):
        return arr(shape, dtype, rng, layout)

    yield a((3, 4)), "2-d"
    yield a((3, 4), "transposed"), "transposed"
    yield a((2, 3, 4), "noncontiguous"), "non-contiguous 3-d"
    yield a((2, 0, 3)), "empty"
    if min_ndim <= 1:
        yield a((5,)), "1-d"
    if min_ndim == 0:
        yield a(()), "0-dim"


def _flip_samples(dtype, rng):
    for x, name in _inputs(dtype, rng):
        ndim = x.values.ndim
        yield Sample((x, (0,)), name=f"{name}, dim 0")
        yield Sample((x, (-1,)), name=f"{name}, dim -1")
        yield Sample((x, ()), name=f"{name}, no dims")
        if ndim >= 2:
            yield Sample((x, (0, -1)), name=f"{name}, dims (0, -1)")
            yield Sample((x, [1, 0]), name=f"{name}, list of dims")


def _one_input_samples(min_ndim):
    def samples(dtype, rng):
        for x, name in _inputs(dtype, rng, min_ndim):
            yield Sample((x,), name=name)

    return samples


def _roll_samples(dtype, rng):
    for x, name in _inputs(dtype, rng):
        yield Sample((x, 2), name=f"{name}, flattened")
        yield Sample((x, -7), name=f"{name}, flattened back")
        yield Sample((x, (1,)), name=f"{name}, one shift flattened")
        if x.values.ndim:
            yield Sample((x, 1, 0), name=f"{name}, dim 0")
            yield Sample((x, -4, -1), name=f"{name}, dim -1")
        if x.values.ndim >= 2:
            yield Sample((x, (1, 5), (0, -1)), name=f"{name}, two dims")
            yield Sample((x, [1, 2], [1, 1]), name=f"{name}, one dim twice")


def _rot90_samples(dtype, rng):
    for x, name in _inputs(dtype, rng, 2):
        for k in (1, 2, 3, 0, -1, 6):
            yield Sample((x, k), name=f"{name}, k {k}")
        yield Sample((x, 1, (1, 0)), name=f"{name}, dims (1, 0)")
        yield Sample((x, 3, [-1, 0]), name=f"{name}, dims [-1, 0]")


def _triangle_samples(dtype, rng):
    for x, name in _inputs(dtype, rng, 2):
        for diagonal in (0, 1, -1, 10, -10):
            yield Sample((x, diagonal), name=f"{name}, diagonal {diagonal}")
    yield Sample((arr((4, 4), dtype, rng),), name="square, default")


def _diag_samples(dtype, rng):
    def a(shape, layout="contiguous"):
        return arr(shape, dtype, rng, layout)

    for x, name in ((a((3, 4)), "matrix"), (a((3, 4), "transposed"), "transposed"),
                    (a((4,)), "vector"), (a((6,), "noncontiguous"), "non-contiguous vector"),
                    (a((0,)), "empty vector"), (a((0, 3)), "empty matrix")):
        for offset in (0, 1, -2, 5):
            yield Sample((x, offset), name=f"{name}, diagonal {offset}")
    yield Sample((a((3,)),), name="default")


def _diag_embed_samples(dtype, rng):
    for x, name in _inputs(dtype, rng):
        yield Sample((x,), name=name)
        yield Sample((x, 1), name=f"{name}, offset 1")
        yield Sample((x, -2, 0, -1), name=f"{name}, offset -2, dims 0, -1")
        yield Sample((x, 0, -1, 0), name=f"{name}, dims -1, 0")


def _diagflat_samples(dtype, rng):
    for x, name in _inputs(dtype, rng):
        yield Sample((x,), name=name)
        yield Sample((x, 2), name=f"{name}, offset 2")
        yield Sample((x, -1), name=f"{name}, offset -1")


def _trace_samples(dtype, rng):
    for x, name in _inputs(dtype, rng, 2):
        if x.values.ndim == 2:
            yield Sample((x,), name=name)
    yield Sample((arr((0, 0), dtype, rng),), name="0 x 0")
    yield Sample((arr((5, 2), dtype, rng, "noncontiguous"),), name="tall")


def _narrow_copy_samples(dtype, rng):
    for x, name in _inputs(dtype, rng, 1):
        yield Sample((x, 0, 0, 1), name=f"{name}, first")
        yield Sample((x, -1, 1, 2), name=f"{name}, dim -1")
        yield Sample((x, 0, -1, 1), name=f"{name}, negative start")
        yield Sample((x, 0, 1, 0), name=f"{name}, empty piece")


def _repeat_samples(dtype, rng):
    for x, name in _inputs(dtype, rng):
        ndim = x.values.ndim
        yield Sample((x, *(2,) * ndim), name=f"{name}, twice each")
        yield Sample((x, (3, *(1,) * ndim)), name=f"{name}, new leading dim")
        yield Sample((x, [0] + [2] * ndim), name=f"{name}, zero copies")


def _tile_samples(dtype, rng):
    for x, name in _inputs(dtype, rng):
        yield Sample((x, (2,)), name=f"{name}, one dim")
        yield Sample((x, (2, 1, 3, 1)), name=f"{name}, more dims")
        yield Sample((x, ()), name=f"{name}, none")


def _repeat_interleave_samples(dtype, rng):
    def counts(*values, d="int64"):
        return arr((len(values),), d, rng, low=0, high=0) if not values else Arr(
            np.array(values, d), d)

    for x, name in _inputs(dtype, rng):
        yield Sample((x, 2), name=f"{name}, flattened")
        yield Sample((x, 0), name=f"{name}, no copies")
        if x.values.ndim:
            yield Sample((x, 3, 0), name=f"{name}, dim 0")
            yield Sample((x, 2), {"dim": -1}, name=f"{name}, dim -1")
            yield Sample((x, Arr(np.array(2), "int64"), -1), name=f"{name}, 0-dim counts")
            yield Sample((x, counts(2)), {"dim": 0}, name=f"{name}, one count")
            size = x.values.shape[0]
            values = [i % 3 for i in range(size)]
            yield Sample((x, Arr(np.array(values, "int32"), "int32"), 0),
                         {"output_size": sum(values)}, name=f"{name}, int32 counts")
    yield Sample((arr((3,), dtype, rng), counts(1, 0, 2)), name="counts, flattened")
    yield Sample((arr((), dtype, rng), counts(3)), name="0-dim, counts")


def _repeated_indices_samples(dtype, rng):
    def counts(values):
        return Arr(np.array(values).astype(dtype), dtype)

    yield Sample((counts([1, 0, 3, 2]),), name="counts")
    yield Sample((counts([2, 2]),), {"output_size": 4}, name="output_size")
    yield Sample((counts([]),), name="empty")


def _kron_samples(dtype, rng):
    def a(shape, layout="contiguous", d=dtype):
        return arr(shape, d, rng, layout)

    yield Sample((a((2, 3)), a((3, 2))), name="matrices")
    yield Sample((a((3, 2), "transposed"), a((2, 2), "noncontiguous")), name="layouts")
    yield Sample((a((2, 3)), a((2,))), name="different ranks")
    yield Sample((a(()), a((2, 2))), name="0-dim")
    yield Sample((a((0, 2)), a((2, 3))), name="empty")
    yield Sample((a((2, 2, 2)), a((2, 1))), name="3-d")
    if dtype != "float64":
        yield Sample((a((2,)), a((2,), d="float64")), name="promotion")


def _triangle_indices_samples(dtype, rng):
    for args in ((3, 3), (3, 4, 1), (4, 3, -1), (3, 3, 10), (3, 3, -10), (0, 3), (1, 1)):
        yield Sample(args, {"dtype": DType(dtype)}, name=f"{args}")
    yield Sample((2, 5), name="default dtype")


# --- errors ------------------------------------------------------------------------------


def _errors(*cases):
    """Error inputs from (args, error, match) with arguments made by ``arr`` specs given
    as shapes (tuples of ints inside a one-element list, to tell them from plain tuples)."""

    def errors(rng):
        for args, error, match in cases:
            built = tuple(arr(a[0], F32, rng) if isinstance(a, list) else a for a in args)
            yield ErrorInput(Sample(built), error, match)

    return errors


def _e(*shape):
    return [shape]


_flip_errors = _errors(
    ((_e(3, 4), (0, 0)), RuntimeError, "dim 0 appears multiple times in the list of dims"),
    ((_e(3, 4), (2,)), IndexError, r"Dimension out of range"),
    ((_e(3, 4), 0), TypeError, None),
)
_fliplr_errors = _errors(((_e(3),), RuntimeError, r"Input must be >= 2-d\."))
_flipud_errors = _errors(((_e(),), RuntimeError, r"Input must be >= 1-d\."))
_roll_errors = _errors(
    ((_e(3, 4), (1, 2), (0,)), RuntimeError,
     "shifts and dimensions must align. shifts: 2, dims:1"),
    ((_e(3, 4), (1, 2)), RuntimeError, "shifts and dimensions must align. shifts: 2, dims:0"),
    ((_e(3, 4), 1, 2), IndexError, "Dimension out of range"),
    ((_e(3, 4), (), ()), RuntimeError, "`shifts` required"),
    ((_e(), 1, 0), IndexError, "Dimension specified as 0 but tensor has no dimensions"),
)
_rot90_errors = _errors(
    ((_e(3, 4), 1, (0, 0)), RuntimeError,
     "expected rotation dims to be different, but got dim0 = 0 and dim1 = 0"),
    ((_e(3, 4), 1, (0, -2)), RuntimeError, "expected rotation dims to be different"),
    ((_e(3, 4), 1, (0,)), RuntimeError, "expected total rotation dims == 2, but got dims = 1"),
    ((_e(3,),), RuntimeError, "expected total dims >= 2, but got total dims = 1"),
    ((_e(3, 4), 1, (0, 2)), IndexError, "Dimension out of range"),
)


def _triangle_errors(name):
    return _errors(((_e(3,),), RuntimeError,
                    f"{name}: input tensor must have at least 2 dimensions"))


_diag_errors = _errors(
    ((_e(1, 3, 4),), RuntimeError, r"diag\(\): Supports 1D or 2D tensors. Got 3D"),
    ((_e(),), RuntimeError, r"diag\(\): Supports 1D or 2D tensors. Got 0D"),
)
_diag_embed_errors = _errors(
    ((_e(3, 4), 0, 0, 0), RuntimeError, "diagonal dimensions cannot be identical 0, 0"),
    ((_e(3, 4), 0, 0, 3), IndexError, "Dimension out of range"),
)
_trace_errors = _errors(
    ((_e(3),), RuntimeError, "trace: expected a matrix, but got tensor with dim 1"),
    ((_e(2, 2, 2),), RuntimeError, "trace: expected a matrix, but got tensor with dim 3"),
)
_narrow_copy_errors = _errors(
    ((_e(3, 4), 0, 2, 2), RuntimeError, r"start \(2\) \+ length \(2\) exceeds dimension size"),
    ((_e(), 0, 0, 0), RuntimeError, r"narrow\(\) cannot be applied to a 0-dim tensor\."),
)

_repeat_errors = _errors(
    ((_e(3, 4), (2,)), RuntimeError, "Number of dimensions of repeat dims can not be smaller"),
    ((_e(3, 4), (-1, 1)), RuntimeError,
     r"Trying to create tensor with negative dimension -3: \[-3, 4\]"),
)
_tile_errors = _errors(((_e(3, 4), (-1,)), RuntimeError, "negative dimension"))


def _repeat_interleave_errors(rng):
    x = arr((3, 4), F32, rng)

    def counts(values, d="int64"):
        return Arr(np.array(values, d), d)

    yield ErrorInput(Sample((x, -1)), RuntimeError, "Repeats must be non-negative")
    yield ErrorInput(Sample((x, counts([1, 2]))), RuntimeError,
                     "repeats must have the same size as input along dim")
    yield ErrorInput(Sample((x, counts([1, 2, 3]), 0), {"output_size": 5}), RuntimeError,
                     "allocated size does not match required size")
    yield ErrorInput(Sample((x, counts([[1]]), 0)), RuntimeError,
                     "repeats must be 0-dim or 1-dim tensor")
    yield ErrorInput(Sample((x, counts([1.0, 2, 3], "float32"), 0)), NotImplementedError,
                     "\"repeat_interleave_cpu\" not implemented for 'Float'")
    yield ErrorInput(Sample((x, counts([1, -2, 3]), 0)), RuntimeError,
                     "repeats can not be negative")
    yield ErrorInput(Sample((counts([1.0, 2.0], "float32"),)), NotImplementedError, None)
    yield ErrorInput(Sample((counts(2),)), RuntimeError,
                     "repeat_interleave only accept 1D vector as repeat")
    yield ErrorInput(Sample((x, 2, 2)), IndexError, "Dimension out of range")


def _triangle_indices_errors(rng):
    yield ErrorInput(Sample((-1, 3)), RuntimeError, "row must be non-negative, got-1")
    yield ErrorInput(Sample((3, -1)), RuntimeError, "col must be non-negative, got-1")


# --- the table ---------------------------------------------------------------------------

SHAPING = [
    OpInfo("flip", _flip_samples, inplace=False, out=False, errors=_flip_errors),
    OpInfo("fliplr", _one_input_samples(2), inplace=False, out=False, errors=_fliplr_errors),
    OpInfo("flipud", _one_input_samples(1), inplace=False, out=False, errors=_flipud_errors),
    OpInfo("roll", _roll_samples, inplace=False, out=False, errors=_roll_errors),
    OpInfo("rot90", _rot90_samples, inplace=False, out=False, errors=_rot90_errors),
    OpInfo("tril", _triangle_samples, errors=_triangle_errors("tril")),
    OpInfo("triu", _triangle_samples, errors=_triangle_errors("triu")),
    OpInfo("diag", _diag_samples, inplace=False, errors=_diag_errors),
    OpInfo("diag_embed", _diag_embed_samples, inplace=False, out=False,
           errors=_diag_embed_errors),
    OpInfo("diagflat", _diagflat_samples, inplace=False, out=False),
    OpInfo("trace", _trace_samples, dtypes=NO_BOOL_OR_UINT, inplace=False, out=False,
           errors=_trace_errors),
    OpInfo("repeat", _repeat_samples, inplace=False, out=False, errors=_repeat_errors,
           call=lambda lib, x, *args, **kwargs: x.repeat(*args, **kwargs)),
    OpInfo("tile", _tile_samples, inplace=False, out=False, errors=_tile_errors),
    OpInfo("repeat_interleave", _repeat_interleave_samples, inplace=False, out=False,
           errors=_repeat_interleave_errors),
    OpInfo("repeat_interleave", _repeated_indices_samples, variant="counts_only",
           dtypes=("int32", "int64"), inplace=False, out=False),
    OpInfo("kron", _kron_samples, inplace=False),
    OpInfo("tril_indices", _triangle_indices_samples, dtypes=("int32", "int64"), method=False,
           inplace=False, out=False, errors=_triangle_indices_errors),
    OpInfo("triu_indices", _triangle_indices_samples, dtypes=("int32", "int64"), method=False,
           inplace=False, out=False, errors=_triangle_indices_errors),
    OpInfo("narrow_copy", _narrow_copy_samples, inplace=False, errors=_narrow_copy_errors,
           xfails={"out": {None: "torch's narrow_copy writes a non-contiguous out= as if it "
                                 "were contiguous; ember writes through its strides"}}),
]


@pytest.mark.parametrize("op, dtype", op_params(SHAPING, "function"))
def test_function(op, dtype):
    check_function(op, dtype)


@pytest.mark.parametrize("op, dtype", op_params(SHAPING, "method", ("bool", "int64",
                                                                     "bfloat16", "float32",
                                                                     "complex128")))
def test_method(op, dtype):
    check_method(op, dtype)


@pytest.mark.parametrize("op, dtype", op_params(SHAPING, "inplace", ("bool", "int16",
                                                                      "float16", "float64",
                                                                      "complex64")))
def test_inplace(op, dtype):
    check_inplace(op, dtype)


@pytest.mark.parametrize("op, dtype", op_params(SHAPING, "out", ("bool", "int32", "float32",
                                                                  "complex64")))
def test_out(op, dtype):
    check_out(op, dtype, max_samples=6)


@pytest.mark.parametrize("op", [op for op in SHAPING if op.errors], ids=lambda op: op.id)
def test_errors(op):
    check_errors(op)
