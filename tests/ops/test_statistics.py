"""The order statistics table: median, nanmedian, mode, quantile and nanquantile, checked
against torch over every dtype, both ends of ``dim``, ``keepdim``, every layout, empty and
0-dim inputs, NaN and ties (which decide the reported indices), in the method and ``out=``
forms, with each interpolation and with ``q`` as a number and as a tensor."""

from __future__ import annotations

import numpy as np

from .op_table import (
    FLOAT_DTYPES,
    INEXACT_DTYPES,
    REAL_DTYPES,
    Arr,
    ErrorInput,
    OpInfo,
    Sample,
    arr,
    layout_inputs,
    table_tests,
)

REAL_NON_BOOL = tuple(d for d in REAL_DTYPES if d != "bool")
NAN = float("nan")


def _inputs(dtype, rng):
    """(input, description) pairs: layouts, ranks, 0-dim, zero-size, ties and NaN."""

    yield from layout_inputs(dtype, rng)
    values = np.random.default_rng(7).integers(0, 3, (3, 40))
    if dtype in INEXACT_DTYPES:
        values = values.astype(float)
        values[0, ::7] = NAN
        values[1, :3] = NAN
        values[2, :] = NAN
    yield Arr(values.astype("float32" if dtype == "bfloat16" else dtype), dtype), "ties"
    if dtype in INEXACT_DTYPES:
        yield arr((12,), dtype, rng, special=True), "special values"


def _dim_samples(all_elements=True):
    def samples(dtype, rng):
        for x, name in _inputs(dtype, rng):
            if all_elements:
                yield Sample((x,), name=f"{name}, all elements")
            for dim in (0, -1):
                yield Sample((x, dim), name=f"{name}, dim {dim}")
                yield Sample((x, dim, True), name=f"{name}, dim {dim}, keepdim")

    return samples


def _dim_errors(name):
    def errors(rng):
        x = arr((3, 4), "float32", rng)
        yield ErrorInput(Sample((x, 2)), IndexError)
        yield ErrorInput(Sample((arr((0, 3), "float32", rng), 0)), IndexError,
                         rf"{name}\(\): Expected reduction dim 0 to have non-zero size")
        if name == "median":  # the overload without dim takes no keepdim; None is no int
            yield ErrorInput(Sample((x,), {"keepdim": True}), TypeError,
                             'missing 1 required positional arguments: "dim"')
            yield ErrorInput(Sample((x, None)), TypeError, "argument 'dim' must be int")
        yield ErrorInput(Sample((arr((3,), "complex64", rng), 0)), NotImplementedError)

    return errors


def _quantile_samples(q, **kwargs):
    def samples(dtype, rng):
        for x, name in _inputs(dtype, rng):
            if x.values.size == 0:
                continue
            quantiles = (Arr(np.array(q, dtype), dtype) if isinstance(q, list) else q)
            yield Sample((x, quantiles), kwargs, f"{name}, all elements")
            yield Sample((x, quantiles), {**kwargs, "keepdim": True}, f"{name}, keepdim")
            for dim in (0, -1):
                yield Sample((x, quantiles, dim), kwargs, f"{name}, dim {dim}")
                yield Sample((x, quantiles, dim, True), kwargs, f"{name}, dim {dim}, keepdim")

    return samples


def _quantile_errors(rng):
    x = arr((3, 4), "float32", rng)
    yield ErrorInput(Sample((arr((3,), "int64", rng), 0.5)), RuntimeError,
                     "input tensor must be either float or double dtype")
    yield ErrorInput(Sample((x, 1.5)), RuntimeError,
                     r"q must be in the range \[0, 1\] but got 1.5")
    yield ErrorInput(Sample((x, Arr(np.array([0.5, -0.1], "float32"), "float32"))),
                     RuntimeError, r"q values must be in the range \[0, 1\]")
    yield ErrorInput(Sample((x, Arr(np.array([0.5]), "float64"))), RuntimeError,
                     "q tensor must be same dtype as the input tensor")
    yield ErrorInput(Sample((x, Arr(np.full((2, 2), 0.5), "float32"))), RuntimeError,
                     "q must be a scalar or 1D tensor")
    yield ErrorInput(Sample((x, 0.5), {"interpolation": "cubic"}), RuntimeError,
                     "interpolation must be one of linear, lower, higher, midpoint or nearest")
    yield ErrorInput(Sample((arr((0, 3), "float32", rng), 0.5)), RuntimeError,
                     "input tensor must be non-empty")
    yield ErrorInput(Sample((x, 0.5, 2)), IndexError)


QUANTILE_DTYPES = ("float32", "float64")


def _quantiles(name):
    ops = [OpInfo(name, _quantile_samples(0.3), dtypes=QUANTILE_DTYPES, inplace=False,
                  errors=_quantile_errors),
           OpInfo(name, _quantile_samples([0.0, 0.25, 0.5, 1.0]), variant="q_tensor",
                  dtypes=QUANTILE_DTYPES, inplace=False)]
    for interpolation in ("lower", "higher", "midpoint", "nearest"):
        ops.append(OpInfo(name, _quantile_samples([0.1, 0.5, 0.75],
                                                  interpolation=interpolation),
                          variant=interpolation, dtypes=QUANTILE_DTYPES, inplace=False))
    return ops


STATISTICS = [
    OpInfo("median", _dim_samples(), dtypes=REAL_NON_BOOL, inplace=False,
           errors=_dim_errors("median")),
    OpInfo("nanmedian", _dim_samples(), dtypes=REAL_NON_BOOL, inplace=False,
           errors=_dim_errors("median")),
    OpInfo("mode", _dim_samples(False), dtypes=REAL_DTYPES, inplace=False,
           errors=_dim_errors("mode")),
    *_quantiles("quantile"),
    *_quantiles("nanquantile"),
]


test_function, test_method, test_no_inplace_form, test_out, test_errors = table_tests(
    STATISTICS, ("function", "method", "no_inplace", "out", "errors"),
    dtypes={"out": FLOAT_DTYPES + ("int64",)}, max_samples=6)

