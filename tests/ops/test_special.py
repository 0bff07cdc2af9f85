"""The special function table: the error and gamma function families, Bessel functions,
sinc, logit and the ``ember.special`` namespace, checked against torch in every form and
dtype, with special values, poles and errors."""

from __future__ import annotations

import ml_dtypes
import numpy as np
import pytest
import torch

import ember

from .op_table import (
    ALL_DTYPES,
    FLOAT_DTYPES,
    INTEGRAL_DTYPES,
    REAL_DTYPES,
    Arr,
    ErrorInput,
    OpInfo,
    Sample,
    arr,
    compare,
    rng_for,
    table_tests,
)
from .test_pointwise import binary_samples, unary_samples

# Poles, the edges of domains and the points where the series of the kernels meet.
_INTERESTING = {
    "erf": [0.46875, -0.46875, 0.5, 4.0, -4.0, 4.5, 26.0, -27.0, 1e-300, 6.0],
    "erfc": [0.46875, -0.46875, 4.0, 4.5, 26.0, 27.0, -6.0, 10.0, 1e-300],
    "erfinv": [0.5, -0.5, 0.999999, -0.9999999999, 1e-300, 0.1, 1.0, -1.0, 1.5],
    "lgamma": [1.0, 2.0, -1.0, -2.5, 0.5, 1e-8, -1e-8, 1e10, 171.5, -100.5],
    "digamma": [1.0, 2.0, -1.0, -2.5, 10.0, 1e-8, -1e-8, 1e18, 1.4616321449683622, -0.5],
    "i0": [30.0, -30.0, 30.5, 100.0, 700.0, -0.0, 1e-300, 12.5],
    "sinc": [1.0, -2.0, 0.5, 1e-20, 1e6, 3.0],
}


def _with_values(name, options=None, kwargs=None):
    """unary_samples, and for float dtypes the op's interesting points as one sample."""
    base = unary_samples(options, kwargs)

    def samples(dtype, rng):
        yield from base(dtype, rng)
        if dtype in FLOAT_DTYPES and name in _INTERESTING:
            values = np.array(_INTERESTING[name], np.float64)
            yield Sample((_exact(values, dtype),), name="interesting points")

    return samples


def _exact(values, dtype):
    """An input holding ``values`` rounded to ``dtype``."""
    if dtype == "bfloat16":
        return Arr(values.astype(ml_dtypes.bfloat16).astype(np.float32), dtype)
    return Arr(values.astype(dtype), dtype)


def _number_input(rng):
    yield ErrorInput(Sample((2.0,)), TypeError)


def _unit_interval(dtype):
    return {"low": -1.0, "high": 1.0} if dtype not in INTEGRAL_DTYPES else {"low": -1, "high": 1}


def _probabilities(dtype):
    return {"low": -0.1, "high": 1.1} if dtype not in INTEGRAL_DTYPES else {"low": 0, "high": 1}


def _unary(name, dtypes=REAL_DTYPES, options=None, sample_kwargs=None, **kwargs):
    return OpInfo(name, _with_values(name, options, sample_kwargs), dtypes=dtypes,
                  errors=_number_input, **kwargs)


# float16 keeps ~3 digits: where torch rounds an intermediate of a composite formula to
# half precision, results can differ by more than the default tolerance.
_HALF_TOLERANCE = {"float16": (2e-3, 1e-3), "bfloat16": (2e-2, 1e-2)}

UNARY_OPS = [
    _unary("erf"),
    _unary("erfc"),
    _unary("erfinv", options=_unit_interval),
    _unary("lgamma", tolerances=_HALF_TOLERANCE),
    _unary("digamma", tolerances=_HALF_TOLERANCE),
    _unary("i0"),
    _unary("sinc", ALL_DTYPES),
    _unary("logit", options=_probabilities),
    _unary("logit", variant="eps", options=_probabilities, sample_kwargs={"eps": 0.05}),
]


def _polygamma_samples(n):
    base = unary_samples()

    def samples(dtype, rng):
        for sample in base(dtype, rng):
            yield Sample((n, *sample.args), name=sample.name)
        if dtype in FLOAT_DTYPES:
            values = np.array([0.0, -1.0, -2.5, 1e9, 0.5, 30.0, -100.5], np.float64)
            yield Sample((n, _exact(values, dtype)), name="poles and large values")

    return samples


def _polygamma_method(lib, n, input):
    return input.polygamma(n)


def _polygamma_inplace_errors(rng):
    yield ErrorInput(Sample((-1, arr((3,), "float32", rng))), RuntimeError,
                     r"polygamma\(n, x\) does not support negative n.")
    yield ErrorInput(Sample((1.5, arr((3,), "float32", rng))), TypeError,
                     "argument 'n' \\(position 1\\) must be int, not float")


POLYGAMMA_OPS = [
    OpInfo("polygamma", _polygamma_samples(n), variant=str(n), dtypes=REAL_DTYPES,
           call_method=_polygamma_method, errors=_polygamma_inplace_errors,
           tolerances={**_HALF_TOLERANCE, "float64": (1e-7, 1e-7 if n < 3 else 1e-5)})
    for n in (0, 1, 2, 3, 5)
]


def _mvlgamma_samples(p):
    def samples(dtype, rng):
        low = (p - 1) / 2 + 0.1
        for sample in unary_samples(lambda d: {"low": low if d not in INTEGRAL_DTYPES
                                               else int(low) + 1, "high": 8})(dtype, rng):
            yield Sample(sample.args, {"p": p}, sample.name)

    return samples


def _mvlgamma_errors(rng):
    yield ErrorInput(Sample((arr((3,), "float32", rng, low=2.0),), {"p": 0}), RuntimeError,
                     "p has to be greater than or equal to 1")


MVLGAMMA_OPS = [
    OpInfo("mvlgamma", _mvlgamma_samples(p), variant=str(p), dtypes=REAL_DTYPES[1:],
           errors=_mvlgamma_errors, tolerances=_HALF_TOLERANCE)
    for p in (1, 3)
]


def _special_call(name):
    def call(lib, *args, **kwargs):
        return getattr(lib.special, name)(*args, **kwargs)

    return call


def _special(name, samples, dtypes=REAL_DTYPES, **kwargs):
    """An op of ``torch.special`` that torch's Tensor has no method for."""
    options = {"method": False, "inplace": False, "errors": _number_input, **kwargs}
    return OpInfo(name, samples, variant="special", dtypes=dtypes, call=_special_call(name),
                  **options)


def _positive(dtype):
    return {"low": 0.0, "high": 5.0} if dtype not in INTEGRAL_DTYPES else {"low": 0, "high": 9}


def _zeta_exponent(dtype):
    return {"low": 0.5, "high": 6.0} if dtype not in INTEGRAL_DTYPES else {"low": 0, "high": 6}


REAL_NO_HALF = tuple(d for d in REAL_DTYPES if d not in ("float16", "bfloat16"))
SPECIAL_OPS = [
    _special("expit", unary_samples(), ALL_DTYPES),
    _special("gammaln", unary_samples(), tolerances=_HALF_TOLERANCE),
    _special("psi", unary_samples(), tolerances=_HALF_TOLERANCE),
    _special("multigammaln", _mvlgamma_samples(2), REAL_DTYPES[1:], errors=_mvlgamma_errors,
             tolerances=_HALF_TOLERANCE),
    _special("i0e", unary_samples(), tolerances=_HALF_TOLERANCE),
    _special("i1", unary_samples(), tolerances=_HALF_TOLERANCE),
    _special("i1e", unary_samples(), tolerances=_HALF_TOLERANCE),
    _special("ndtr", unary_samples(), tolerances=_HALF_TOLERANCE),
    _special("ndtri", unary_samples(_probabilities), REAL_NO_HALF),
    _special("entr", unary_samples(), tolerances=_HALF_TOLERANCE),
    _special("erfcx", unary_samples(), REAL_NO_HALF),
    _special("log_ndtr", unary_samples(), REAL_NO_HALF),
    _special("xlog1py", binary_samples(rhs=_positive, scalars=(2, 0.5, True))),
    _special("xlogy", binary_samples(rhs=_positive, scalars=(2, 0.5, True)), method=True,
             inplace=True),
    _special("zeta", binary_samples(lhs=_zeta_exponent, rhs=_positive, scalars=(2, 3.5)),
             REAL_NO_HALF),
]

OPS = UNARY_OPS + POLYGAMMA_OPS + MVLGAMMA_OPS + SPECIAL_OPS


test_function, test_method, test_inplace, test_out, test_errors = table_tests(
    OPS, max_samples=10)


@pytest.mark.parametrize("dtype", ["float32", "int64"])
def test_polygamma_inplace(dtype):
    """``polygamma_(n)`` takes n after self, unlike the function."""
    rng = rng_for("polygamma_", dtype)
    for n in (0, 1, 3):
        compare(lambda lib, x, n=n: x.polygamma_(n),
                Sample((arr((3, 4), dtype, rng, low=0.5),)))


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_mvlgamma_inplace(dtype):
    rng = rng_for("mvlgamma_", dtype)
    compare(lambda lib, x: x.mvlgamma_(2), Sample((arr((3, 4), dtype, rng, low=1, high=6),)))


def test_special_namespace():
    """ember.special is a pure re-export: every name is torch.special's, and the functions
    that torch also has at the top level are the same objects as ember's."""
    for name in ember.special.__all__:
        assert hasattr(torch.special, name), name
    for special_name, top_name in (("erf", "erf"), ("expit", "sigmoid"), ("gammaln", "lgamma"),
                                   ("psi", "digamma"), ("multigammaln", "mvlgamma"),
                                   ("round", "round"), ("exp2", "exp2"), ("log1p", "log1p"),
                                   ("xlogy", "xlogy"), ("sinc", "sinc"), ("logit", "logit"),
                                   ("softmax", "softmax"), ("log_softmax", "log_softmax"),
                                   ("logsumexp", "logsumexp")):
        assert getattr(ember.special, special_name) is getattr(ember, top_name)


@pytest.mark.parametrize("name", ["erf", "erfc", "erfinv", "lgamma", "digamma", "i0"])
def test_float64_accuracy(name):
    """The float64 kernels agree with torch to a few ulps over a wide range (the op table's
    tolerance is 1e-7)."""
    rng = np.random.default_rng(7)
    if name == "erfinv":
        values = np.concatenate([rng.uniform(-1, 1, 2000), 1 - 10.0 ** -rng.uniform(1, 16, 200)])
    else:
        values = np.concatenate([rng.uniform(-6, 6, 2000), rng.uniform(-60, 60, 200)])
    ours = getattr(ember, name)(ember.tensor(values)).numpy()
    theirs = getattr(torch, name)(torch.tensor(values)).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-13)


def test_aliases_in_special():
    rng = rng_for("special aliases")
    for name in ("erf", "erfc", "erfinv", "i0", "sinc", "round", "exp2", "expm1", "log1p",
                 "digamma"):
        compare(lambda lib, x, name=name: getattr(lib.special, name)(x),
                Sample((arr((3, 4), "float32", rng, low=-0.9, high=0.9),)))
