"""The reduction op table: sum, mean, prod, max / min, amax / amin, argmax / argmin, all / any,
std / var, count_nonzero, nansum, nanmean, logsumexp, softmax / log_softmax, norm, dist,
var_mean / std_mean and aminmax, checked against torch over every dtype, every kind of ``dim``,
``keepdim``, ``dtype=``, empty and 0-dim inputs and in the method and ``out=`` forms."""

from __future__ import annotations

import numpy as np

from .op_table import (
    ALL_DTYPES,
    COMPLEX_DTYPES,
    FLOAT_DTYPES,
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

REAL_NON_BOOL = tuple(d for d in REAL_DTYPES if d != "bool")

# How an op takes ``dim``: a tuple of dims (or an int), or one int only.
TUPLE_DIMS = "tuple"
INT_DIM = "int"


def _inputs(dtype, rng):
    """(input, description) pairs: layouts, ranks, 0-dim, zero-size and special values."""

    yield from layout_inputs(dtype, rng)
    yield arr((2, 0, 3), dtype, rng), "zero-size 3-d"
    if dtype in INEXACT_DTYPES:
        yield arr((12,), dtype, rng, special=True), "special values"


def _dims(ndim, kind):
    """The ``dim`` arguments tried on an input of ``ndim`` dims."""
    dims = [0, -1]
    if kind == TUPLE_DIMS:
        dims.append(())
        if ndim >= 2:
            dims += [(0, -1), (-1, 0)]
        if ndim >= 3:
            dims.append((0, 1, 2))
    return dims


def reduction_samples(dim_kind=TUPLE_DIMS, keepdim=True, kwargs=None):
    """Samples for ``op(input)`` and ``op(input, dim, keepdim=...)``: every input with no
    dim, each dim kind, and keepdim both ways."""
    kwargs = kwargs or {}

    def samples(dtype, rng):
        for x, name in _inputs(dtype, rng):
            yield Sample((x,), kwargs, f"{name}, all dims")
            if keepdim:
                yield Sample((x,), {**kwargs, "keepdim": True}, f"{name}, all dims, keepdim")
            for dim in _dims(x.values.ndim, dim_kind):
                yield Sample((x, dim), kwargs, f"{name}, dim {dim}")
                if keepdim:
                    yield Sample((x, dim), {**kwargs, "keepdim": True},
                                 f"{name}, dim {dim}, keepdim")

    return samples


def _dim_errors(dim_kind):
    def errors(rng):
        x = arr((3, 4), "float32", rng)
        yield ErrorInput(Sample((x, 2)), IndexError,
                         r"Dimension out of range \(expected to be in range of \[-2, 1\], but "
                         r"got 2\)")
        yield ErrorInput(Sample((x, -3)), IndexError)
        yield ErrorInput(Sample((arr((), "float32", rng), 1)), IndexError)
        if dim_kind == TUPLE_DIMS:
            yield ErrorInput(Sample((x, (0, 0))), RuntimeError,
                             "dim 0 appears multiple times in the list of dims")
            yield ErrorInput(Sample((x, (0, 5))), IndexError)
        else:
            yield ErrorInput(Sample((x, (0, 1))), TypeError)

    return errors


def _reduction(name, dtypes=ALL_DTYPES, dim_kind=TUPLE_DIMS, keepdim=True, kwargs=None,
               errors=None, **options):
    return OpInfo(name, reduction_samples(dim_kind, keepdim, kwargs), dtypes=dtypes,
                  inplace=False, errors=errors or _dim_errors(dim_kind), **options)


def _extreme_samples(dtype, rng):
    """max / min: all elements, along a dim (a (values, indices) named tuple), and the
    binary form."""
    for x, name in _inputs(dtype, rng):
        yield Sample((x,), name=f"{name}, all dims")
        for dim in (0, -1):
            yield Sample((x, dim), name=f"{name}, dim {dim}")
            yield Sample((x, dim, True), name=f"{name}, dim {dim}, keepdim")


def _binary_extreme_samples(dtype, rng):
    def a(shape, layout="contiguous", d=dtype):
        return arr(shape, d, rng, layout)

    yield Sample((a((3, 4)), a((3, 4))), name="same shape")
    yield Sample((a((3, 1)), a((4,))), name="broadcast")
    yield Sample((a((3, 4), "transposed"), a((3, 4), "noncontiguous")), name="layouts")
    yield Sample((a(()), a((3,))), name="0-dim")
    yield Sample((a((3,)), a((3,), d="float64")), name="promotion")
    if dtype in FLOAT_DTYPES:
        yield Sample((arr((12,), dtype, rng, special=True), arr((12,), dtype, rng)),
                     name="special values")


def _extreme_errors(rng):
    empty = arr((0, 3), "float32", rng)
    yield ErrorInput(Sample((empty,)), RuntimeError,
                     "Expected reduction dim to be specified for input.numel\\(\\) == 0")
    yield ErrorInput(Sample((empty, 0)), IndexError,
                     "Expected reduction dim 0 to have non-zero size")
    yield from _dim_errors(INT_DIM)(rng)


def _std_var(name):
    """std or var: the default, each correction, and the legacy ``unbiased`` forms."""
    inexact = FLOAT_DTYPES + COMPLEX_DTYPES
    return [
        _reduction(name, inexact),
        _reduction(name, inexact, variant="correction0", kwargs={"correction": 0}),
        _reduction(name, inexact, variant="correction2", kwargs={"correction": 2}),
        OpInfo(name, _unbiased_samples, variant="unbiased", dtypes=inexact, inplace=False,
               errors=_std_var_errors),
    ]


def _unbiased_samples(dtype, rng):
    """The legacy positional forms ``std(input, unbiased)`` and ``std(input, dim, unbiased,
    keepdim)``."""
    for x, name in _inputs(dtype, rng):
        yield Sample((x, False), name=f"{name}, biased")
        yield Sample((x, True), name=f"{name}, unbiased")
        yield Sample((x, -1, False), name=f"{name}, dim -1, biased")
        yield Sample((x, 0, True, True), name=f"{name}, dim 0, unbiased, keepdim")


def _std_var_errors(rng):
    x = arr((3, 4), "float32", rng)
    yield ErrorInput(Sample((x, 0), {"unbiased": True, "correction": 1}), TypeError)
    yield ErrorInput(Sample((arr((3,), "int64", rng),)), RuntimeError,
                     "std and var only support floating point and complex dtypes")
    yield from _dim_errors(TUPLE_DIMS)(rng)


def _mean_errors(rng):
    yield ErrorInput(Sample((arr((3,), "int64", rng),)), RuntimeError,
                     "mean\\(\\): could not infer output dtype. Input dtype must be either a "
                     "floating point or complex dtype. Got: Long")
    yield from _dim_errors(TUPLE_DIMS)(rng)


def _dim_required_samples(dim_kind=TUPLE_DIMS, keepdim=True, kwargs=None):
    """Samples for ops whose ``dim`` is required: each dim kind, keepdim both ways."""
    kwargs = kwargs or {}

    def samples(dtype, rng):
        for x, name in _inputs(dtype, rng):
            for dim in _dims(x.values.ndim, dim_kind):
                yield Sample((x, dim), kwargs, f"{name}, dim {dim}")
                if keepdim:
                    yield Sample((x, dim, True), kwargs, f"{name}, dim {dim}, keepdim")

    return samples


def _large_values(dtype, rng):
    """Values whose exp overflows: the stable kernels must not."""
    if dtype in FLOAT_DTYPES:
        x = arr((3, 4), dtype, rng, low=-60 if dtype == "float16" else -800, high=800)
        yield Sample((x, 1), name="large")
        inf = float("inf")
        yield Sample((Arr(np.array([[-inf, -inf], [inf, 1.0], [inf, inf]], np.float32), dtype),
                      1), name="infinities")


def _stable(name, dtypes, dim_kind, keepdim, kwargs=None, **options):
    def samples(dtype, rng):
        yield from _dim_required_samples(dim_kind, keepdim, kwargs)(dtype, rng)
        yield from _large_values(dtype, rng)

    return OpInfo(name, samples, dtypes=dtypes, inplace=False,
                  errors=_dim_errors(dim_kind), **options)


def _norm_samples(p, dims=(None, 0, -1, (0, 1))):
    def samples(dtype, rng):
        for x, name in _inputs(dtype, rng):
            yield Sample((x, p), name=f"{name}, all dims")
            for dim in dims:
                if x.values.ndim >= (2 if isinstance(dim, tuple) else 1) and dim is not None:
                    yield Sample((x, p, dim), name=f"{name}, dim {dim}")
                    yield Sample((x, p, dim, True), name=f"{name}, dim {dim}, keepdim")

    return samples


def _nuc_samples(dtype, rng):
    yield Sample((arr((3, 4), dtype, rng), "nuc"), name="matrix")
    yield Sample((arr((3, 4), dtype, rng, "transposed"), "nuc"), {"keepdim": True},
                 name="transposed, keepdim")
    yield Sample((arr((2, 3, 4), dtype, rng), "nuc"), {"dim": (2, 0)}, name="batch")
    yield Sample((arr((0, 3), dtype, rng), "nuc"), name="empty")


def _norm_errors(rng):
    x = arr((3, 4), "float32", rng)
    yield ErrorInput(Sample((arr((3,), "int64", rng),)), RuntimeError,
                     "linalg.vector_norm: Expected a floating point or complex tensor as input. "
                     "Got Long")
    yield ErrorInput(Sample((x,), {"dtype": DType("int64")}), RuntimeError)
    yield ErrorInput(Sample((arr((3,), "float64", rng),), {"dtype": DType("float32")}),
                     RuntimeError, "convertible without narrowing")
    yield ErrorInput(Sample((arr((3,), "complex64", rng),), {"dtype": DType("float32")}),
                     RuntimeError, "dtype should be complex for complex inputs")
    yield ErrorInput(Sample((arr((0, 3), "float32", rng), float("inf"))), RuntimeError,
                     "cannot compute the inf norm on an empty tensor")
    yield ErrorInput(Sample((arr((0, 3), "float32", rng), -1, 0)), RuntimeError,
                     "cannot compute the -1 norm on the dimension 0")
    yield ErrorInput(Sample((x, "nuc", 1)), RuntimeError, "dim must be a 2-tuple. Got 1")
    yield ErrorInput(Sample((arr((3,), "float32", rng), "nuc")), RuntimeError)
    yield ErrorInput(Sample((x, "nuc", (0, -2))), RuntimeError, "dims must be different")
    yield ErrorInput(Sample((arr((2, 2), "float16", rng), "nuc")), RuntimeError,
                     "Low precision dtypes not supported. Got Half")
    yield ErrorInput(Sample((arr((2, 2, 2), "float32", rng), "fro", (0, 1, 2))), RuntimeError)
    yield ErrorInput(Sample((x, "abc")), RuntimeError, "Order abc not supported")
    yield ErrorInput(Sample((x, 2, (0, 0))), RuntimeError)


def _dist_samples(dtype, rng):
    def a(shape, layout="contiguous", d=dtype):
        return arr(shape, d, rng, layout)

    yield Sample((a((3, 4)), a((3, 4))), name="same shape")
    for p in (1, 0, 3, 0.5, float("inf"), float("-inf")):
        yield Sample((a((3, 1)), a((4,)), p), name=f"broadcast, p {p}")
    yield Sample((a((3, 4), "transposed"), a((3, 4), "noncontiguous")), name="layouts")
    yield Sample((a(()), a(())), name="0-dim")
    yield Sample((a((0, 3)), a((3,))), name="empty")
    yield Sample((a((3,)), a((3,), d="float64")), name="promotion")


def _with_mean_samples(dtype, rng):
    for x, name in _inputs(dtype, rng):
        yield Sample((x,), name=f"{name}, all dims")
        yield Sample((x, -1), {"keepdim": True}, f"{name}, dim -1, keepdim")
        yield Sample((x, 0), {"correction": 0}, f"{name}, dim 0, correction 0")
        yield Sample((x, False), name=f"{name}, biased")
        yield Sample((x, 0, True, True), name=f"{name}, dim 0, unbiased, keepdim")
        if x.values.ndim >= 2:
            yield Sample((x, (0, -1)), {"correction": 2}, name=f"{name}, dims, correction 2")


def _with_mean_errors(name):
    def errors(rng):
        x = arr((3, 4), "float32", rng)
        yield ErrorInput(Sample((arr((3,), "int64", rng),)), RuntimeError,
                         f"{name} only support floating point and complex dtypes")
        yield ErrorInput(Sample((x, 0, True, False), {"correction": 1}), TypeError)
        yield ErrorInput(Sample((x, (0, 0))), RuntimeError,
                         "dim 0 appears multiple times in the list of dims")
        yield ErrorInput(Sample((x, 2)), IndexError)

    return errors


def _aminmax_samples(dtype, rng):
    for x, name in _inputs(dtype, rng):
        yield Sample((x,), name=f"{name}, all dims")
        yield Sample((x,), {"keepdim": True}, name=f"{name}, all dims, keepdim")
        for dim in (0, -1):
            yield Sample((x,), {"dim": dim}, name=f"{name}, dim {dim}")
            yield Sample((x,), {"dim": dim, "keepdim": True}, name=f"{name}, dim {dim}, keepdim")


def _aminmax_errors(rng):
    empty = arr((0, 3), "float32", rng)
    yield ErrorInput(Sample((empty,)), RuntimeError, "cannot compute aminmax over an empty dim")
    yield ErrorInput(Sample((empty,), {"dim": 0}), IndexError,
                     "Expected reduction dim 0 to have non-zero size")
    yield ErrorInput(Sample((arr((3, 4), "float32", rng),), {"dim": (0, 1)}), TypeError)
    yield ErrorInput(Sample((arr((3, 4), "float32", rng),), {"dim": 2}), IndexError)


def _renorm_samples(dtype, rng):
    for x, name in _inputs(dtype, rng):
        for p, dim, maxnorm in ((2, 0, 1.0), (1, -1, 2.5), (3.5, 1, 100.0),
                                (float("inf"), 0, 0.5)):
            yield Sample((x, p, dim, maxnorm), name=f"{name}, p {p}, dim {dim}, max {maxnorm}")


def _renorm_errors(rng):
    x = arr((3, 4), "float32", rng)
    yield ErrorInput(Sample((x, 0, 0, 1.0)), RuntimeError, "non-positive-norm not supported")
    yield ErrorInput(Sample((x, 2, 0, -1.0)), RuntimeError,
                     "expected maxnorm to be >= 0 but got -1")
    yield ErrorInput(Sample((arr((3,), "float32", rng), 2, 0, 1.0)), RuntimeError,
                     "input needs at least 2 dimensions, got 1 dimensions")
    yield ErrorInput(Sample((arr((3, 4), "int64", rng), 2, 0, 1.0)), RuntimeError)
    yield ErrorInput(Sample((x, 2, 2, 1.0)), IndexError)


REDUCTIONS = [
    _reduction("sum"),
    _reduction("sum", variant="dtype_float64", kwargs={"dtype": DType("float64")}),
    _reduction("sum", variant="dtype_int32", kwargs={"dtype": DType("int32")}),
    _reduction("nansum", REAL_DTYPES),
    _reduction("mean", INEXACT_DTYPES, errors=_mean_errors),
    _reduction("mean", variant="dtype_float64", kwargs={"dtype": DType("float64")}),
    _reduction("nanmean", FLOAT_DTYPES),
    _reduction("prod", dim_kind=INT_DIM),
    _reduction("prod", dim_kind=INT_DIM, variant="dtype_float64",
               kwargs={"dtype": DType("float64")}),
    _reduction("amax", REAL_DTYPES),
    _reduction("amin", REAL_DTYPES),
    _reduction("argmax", REAL_NON_BOOL, dim_kind=INT_DIM),
    _reduction("argmin", REAL_NON_BOOL, dim_kind=INT_DIM),
    _reduction("all"),
    _reduction("any"),
    _reduction("count_nonzero", keepdim=False, out=False),
    *_std_var("std"),
    *_std_var("var"),
    OpInfo("max", _extreme_samples, dtypes=REAL_DTYPES, inplace=False, errors=_extreme_errors),
    OpInfo("min", _extreme_samples, dtypes=REAL_DTYPES, inplace=False, errors=_extreme_errors),
    OpInfo("max", _binary_extreme_samples, variant="binary", dtypes=REAL_DTYPES,
           inplace=False),
    OpInfo("min", _binary_extreme_samples, variant="binary", dtypes=REAL_DTYPES,
           inplace=False),
    _stable("logsumexp", ALL_DTYPES, TUPLE_DIMS, True),
    _stable("softmax", FLOAT_DTYPES, INT_DIM, False),
    _stable("softmax", ALL_DTYPES, INT_DIM, False, variant="dtype_float64",
            kwargs={"dtype": DType("float64")}),
    _stable("log_softmax", FLOAT_DTYPES, INT_DIM, False),
    _stable("log_softmax", ALL_DTYPES, INT_DIM, False, variant="dtype_float32",
            kwargs={"dtype": DType("float32")}),
    OpInfo("norm", _norm_samples("fro"), dtypes=INEXACT_DTYPES, inplace=False,
           errors=_norm_errors),
    *[OpInfo("norm", _norm_samples(p), variant=f"p{p}", dtypes=INEXACT_DTYPES, inplace=False)
      for p in (1, 2, 0, 3, 0.5, -1, float("inf"), float("-inf"))],
    OpInfo("norm", _nuc_samples, variant="nuc", dtypes=("float32", "float64", *COMPLEX_DTYPES),
           inplace=False),
    OpInfo("dist", _dist_samples, dtypes=INEXACT_DTYPES, inplace=False, out=False),
    *[OpInfo(name, _with_mean_samples, dtypes=INEXACT_DTYPES, method=False, inplace=False,
             out=False, errors=_with_mean_errors(name)) for name in ("var_mean", "std_mean")],
    OpInfo("renorm", _renorm_samples, dtypes=INEXACT_DTYPES, errors=_renorm_errors),
    OpInfo("aminmax", _aminmax_samples, dtypes=REAL_DTYPES, inplace=False,
           errors=_aminmax_errors),
]


(test_function, test_method, test_no_inplace_form, test_inplace, test_out,
 test_errors) = table_tests(
    REDUCTIONS, ("function", "method", "no_inplace", "inplace", "out", "errors"),
    ops={"inplace": [op for op in REDUCTIONS if op.inplace]},
    dtypes={"inplace": INEXACT_DTYPES})
