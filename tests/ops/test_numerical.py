"""The numerical routines' table: cov, corrcoef, vander, gradient, isin and unravel_index
against torch, for every dtype, non-contiguous, empty and 0-dim inputs, their method and
``out=`` forms, their warnings and their errors."""

from __future__ import annotations

import numpy as np

from .op_table import (
    ALL_DTYPES,
    INT_DTYPES,
    Arr,
    ErrorInput,
    OpInfo,
    Sample,
    arr,
    table_tests,
)

F32 = "float32"
NO_BOOL = tuple(d for d in ALL_DTYPES if d != "bool")
# Half precision sums of products round differently from torch's kernels.
_HALF_TOLERANCES = {"float16": (4e-3, 4e-3), "bfloat16": (3e-2, 3e-2)}


def _matrices(dtype, rng):
    """(input, description) pairs of variables by observations, over layouts and shapes."""

    def a(shape, layout="contiguous"):
        return arr(shape, dtype, rng, layout)

    yield a((3, 5)), "3 variables"
    yield a((4, 3), "transposed"), "transposed"
    yield a((2, 6), "noncontiguous"), "non-contiguous"
    yield a((6,)), "one variable"
    yield a((7,), "noncontiguous"), "non-contiguous vector"
    yield a(()), "0-dim"
    yield a((2, 0)), "no observations"
    yield a((0, 3)), "no variables"
    yield a((3, 1)), "one observation"


def _weights(rng, count, dtype, layout="contiguous", low=0, high=3):
    return arr((count,), dtype, rng, layout, low=low, high=high)


def _cov_samples(dtype, rng):
    for x, name in _matrices(dtype, rng):
        yield Sample((x,), name=name)
        yield Sample((x,), {"correction": 0}, name=f"{name}, correction 0")
        count = x.values.shape[-1] if x.values.ndim else 0
        if count > 1:  # one observation: below (its rounding noise divided by 0 is noise)
            yield Sample((x,), {"correction": 2}, name=f"{name}, correction 2")
            yield Sample((x,), {"fweights": Arr(np.arange(1, count + 1), "int64")},
                         name=f"{name}, fweights")
            yield Sample((x,), {"aweights": _weights(rng, count, "float64", low=0.1)},
                         name=f"{name}, aweights")
            yield Sample((x,), {"fweights": _weights(rng, count, "int8", low=1),
                                "aweights": _weights(rng, count, "float64", "noncontiguous",
                                                     low=0.5),
                                "correction": 3}, name=f"{name}, both weights")
    one = arr((3, 1), dtype, rng)
    yield Sample((one,), {"aweights": Arr(np.array([0.5]), "float64")},
                 name="one observation, aweights")
    yield Sample((one,), {"fweights": Arr(np.array([4]), "int32")},
                 name="one observation, fweights")
    x = arr((2, 4), dtype, rng)
    yield Sample((x,), {"fweights": Arr(np.array([0, 2, 0, 1]), "uint8"), "correction": 0},
                 name="zero frequencies")
    yield Sample((x,), {"aweights": Arr(np.array([0.0, 0.0, 1.0, 0.0], "float16"), "float16")},
                 name="float16 aweights")


def _cov_errors(rng):
    x = arr((2, 4), F32, rng)

    def weights(values, dtype):
        return Arr(np.array(values, dtype), dtype)

    yield ErrorInput(Sample((arr((2, 2, 2), F32, rng),)), RuntimeError,
                     r"cov\(\): expected input to have two or fewer dimensions but got an input "
                     "with 3 dimensions")
    yield ErrorInput(Sample((arr((2, 4), "bool", rng),)), RuntimeError,
                     r"cov\(\): bool dtype is not supported for input")
    yield ErrorInput(Sample((x,), {"fweights": weights([[1, 2, 1, 1]], "int64")}), RuntimeError,
                     r"cov\(\): expected fweights to have one or fewer dimensions but got "
                     "fweights with 2 dimensions")
    yield ErrorInput(Sample((x,), {"fweights": weights([1, 2, 1, 1], "float32")}), RuntimeError,
                     r"cov\(\): expected fweights to have integral dtype but got fweights with "
                     "Float dtype")
    yield ErrorInput(Sample((x,), {"fweights": weights([1, 0, 1, 1], "bool")}), RuntimeError,
                     "integral dtype but got fweights with Bool dtype")
    yield ErrorInput(Sample((x,), {"fweights": weights([1, 2, 1], "int64")}), RuntimeError,
                     r"cov\(\): expected fweights to have the same numel as there are "
                     "observations in the input but got 3 != 4")
    yield ErrorInput(Sample((x,), {"fweights": weights([1, -2, 1, 1], "int64")}), RuntimeError,
                     r"cov\(\): fweights cannot be negative")
    yield ErrorInput(Sample((x,), {"aweights": weights([1, 2, 1, 1], "int64")}), RuntimeError,
                     r"cov\(\): expected aweights to have floating point dtype but got aweights "
                     "with Long dtype")
    yield ErrorInput(Sample((x,), {"aweights": weights([1, 2, 1, 1], "complex64")}),
                     RuntimeError, "got aweights with ComplexFloat dtype")
    yield ErrorInput(Sample((x,), {"aweights": weights([[1.0] * 4], "float32")}), RuntimeError,
                     "expected aweights to have one or fewer dimensions")
    yield ErrorInput(Sample((x,), {"aweights": weights([1.0] * 5, "float32")}), RuntimeError,
                     "same numel as there are observations in the input but got 5 != 4")
    yield ErrorInput(Sample((x,), {"aweights": weights([1, -0.5, 1, 1], "float32")}),
                     RuntimeError, r"cov\(\): aweights cannot be negative")
    yield ErrorInput(Sample((x,), {"fweights": weights([0, 0, 0, 0], "int64")}), RuntimeError,
                     r"cov\(\): weights sum to zero, can't be normalized")
    yield ErrorInput(Sample((x,), {"fweights": weights([1, 2, 1, 1], "int64"),
                                   "aweights": weights([0.0] * 4, "float64")}), RuntimeError,
                     "weights sum to zero")


def _corrcoef_samples(dtype, rng):
    for x, name in _matrices(dtype, rng):
        yield Sample((x,), name=name)
    constant = np.ones((2, 4))
    constant[1] = [1, 2, 3, 4]
    yield Sample((Arr(constant.astype(np.float32 if dtype == "bfloat16" else dtype), dtype),),
                 name="a constant variable")


_corrcoef_errors = lambda rng: iter([  # noqa: E731
    ErrorInput(Sample((arr((2, 2, 2), F32, rng),)), RuntimeError,
               r"corrcoef\(\): expected input to have two or fewer dimensions but got an input "
               "with 3 dimensions"),
    ErrorInput(Sample((arr((2, 3), "bool", rng),)), RuntimeError,
               r"cov\(\): bool dtype is not supported for input"),
])


def _vander_samples(dtype, rng):
    def a(shape, layout="contiguous"):
        return arr(shape, dtype, rng, layout, low=-3, high=3)

    for x, name in ((a((4,)), "vector"), (a((5,), "noncontiguous"), "non-contiguous"),
                    (a((0,)), "empty"), (a((1,)), "one element")):
        yield Sample((x,), name=name)
        yield Sample((x, 3), name=f"{name}, N 3")
        yield Sample((x,), {"N": 0}, name=f"{name}, N 0")
        yield Sample((x,), {"N": 1, "increasing": True}, name=f"{name}, N 1, increasing")
        yield Sample((x, 5, True), name=f"{name}, N 5, increasing")
        yield Sample((x, None, False), name=f"{name}, N None")


_vander_errors = lambda rng: iter([  # noqa: E731
    ErrorInput(Sample((arr((2, 3), F32, rng),)), RuntimeError,
               "x must be a one-dimensional tensor."),
    ErrorInput(Sample((arr((), F32, rng),)), RuntimeError, "x must be a one-dimensional tensor."),
    ErrorInput(Sample((arr((3,), F32, rng), -1)), RuntimeError, "N must be non-negative."),
])


def _gradient_samples(dtype, rng):
    def a(shape, layout="contiguous"):
        return arr(shape, dtype, rng, layout)

    def coordinates(count, d="float64"):
        # steps of quarters: exact in every dtype, so the divisions by them are torch's
        steps = rng.integers(1, 16, count) / (1 if d in INT_DTYPES else 4)
        return Arr(np.cumsum(steps).astype(d), d)

    x = a((3, 4))
    yield Sample((x,), name="every dim")
    yield Sample((a((4, 3), "transposed"),), {"edge_order": 2}, name="transposed, edge order 2")
    yield Sample((a((3, 6), "noncontiguous"),), {"spacing": 2}, name="non-contiguous, spacing 2")
    yield Sample((x,), {"spacing": 0.5, "dim": 1}, name="spacing 0.5 along dim 1")
    yield Sample((x,), {"spacing": [2, 1.5]}, name="a spacing per dim")
    yield Sample((x,), {"spacing": (3,), "dim": -1, "edge_order": 2}, name="spacings, dim -1")
    yield Sample((x,), {"spacing": 2.0, "dim": [1, 0]}, name="spacing, dims [1, 0]")
    yield Sample((x,), {"dim": (0,)}, name="dims (0,)")
    yield Sample((x,), {"dim": [], "spacing": []}, name="no dims")
    if dtype != "float16":  # torch's float16 / 1j is ComplexHalf, which ember lacks
        yield Sample((x,), {"spacing": 1j, "dim": 0}, name="complex spacing")
    yield Sample((x,), {"spacing": [coordinates(3), coordinates(4, "int64")]},
                 name="coordinates")
    yield Sample((x,), {"spacing": [coordinates(4, F32)], "dim": 1, "edge_order": 2},
                 name="coordinates, edge order 2")
    yield Sample((x,), {"spacing": (coordinates(3, "int32"),), "dim": [0], "edge_order": 2},
                 name="integer coordinates, dims [0]")
    yield Sample((x,), {"spacing": [coordinates(2)], "dim": 0},
                 name="fewer coordinates than samples (broadcast as torch's)")
    yield Sample((x,), {"spacing": [coordinates(4)], "dim": 0}, name="more coordinates")
    yield Sample((a((5,)),), name="vector")
    yield Sample((a((2, 3, 3)),), {"edge_order": 2, "dim": [2, 1]}, name="3-d")
    yield Sample((a((3, 0)),), {"dim": 0}, name="empty")
    yield Sample((a(()),), name="0-dim")


def _gradient_errors(rng):
    x = arr((3, 4), F32, rng)

    def coordinates(*shape):
        return arr(shape, F32, rng)

    yield ErrorInput(Sample((arr((3,), "uint8", rng),)), RuntimeError,
                     "torch.gradient does not support uint8 input.")
    yield ErrorInput(Sample((arr((3,), "bool", rng),)), RuntimeError,
                     "Subtraction, the `-` operator, with two bool tensors is not supported")
    yield ErrorInput(Sample((x,), {"spacing": [1.0]}), RuntimeError,
                     "torch.gradient expected spacing to be unspecified, a scalar, or a list of "
                     "length equal to 'self.dim\\(\\) = 2', since dim argument was not given, "
                     "but got a list of length 1")
    yield ErrorInput(Sample((x,), {"spacing": [1.0, 2.0], "dim": 1}), RuntimeError,
                     "spacing argument of length 2 and a dim argument of length 1.")
    yield ErrorInput(Sample((x,), {"spacing": [coordinates(3)], "dim": [0, 1]}), RuntimeError,
                     "spacing argument of length 1 and a dim argument of length 2.")
    yield ErrorInput(Sample((x,), {"edge_order": 3}), RuntimeError,
                     "torch.gradient only supports edge_order=1 and edge_order=2.")
    yield ErrorInput(Sample((x,), {"dim": 2}), IndexError, "Dimension out of range")
    yield ErrorInput(Sample((x,), {"dim": [1, -1]}), RuntimeError,
                     "dim 1 appears multiple times in the list of dims")
    yield ErrorInput(Sample((arr((2, 4), F32, rng),), {"dim": 0, "edge_order": 2, "spacing": 2}),
                     RuntimeError,
                     "torch.gradient expected each dimension size to be at least edge_order\\+1")
    yield ErrorInput(Sample((arr((1, 4), F32, rng),)), RuntimeError,
                     "expected each dimension size to be at least edge_order\\+1")
    yield ErrorInput(Sample((x,), {"spacing": [coordinates(2, 2)], "dim": 0}), RuntimeError,
                     "torch.gradient expected each element of spacing to have one dimension, "
                     "but got an element with 2 dimensions!")
    yield ErrorInput(Sample((x,), {"spacing": [coordinates(), coordinates()]}), RuntimeError,
                     "but got an element with 0 dimensions!")
    yield ErrorInput(Sample((x,), {"spacing": [coordinates(6)], "dim": 1}), RuntimeError,
                     "must match the size")
    yield ErrorInput(Sample((x,), {"spacing": [2, coordinates(4)]}), TypeError,
                     "expected Tensor as element 0 in argument 1, but got int")
    yield ErrorInput(Sample((x,), {"spacing": coordinates(4), "dim": 1}), TypeError, None)
    yield ErrorInput(Sample((x, 1)), TypeError, None)


def _isin_samples(dtype, rng):
    def a(shape, layout="contiguous", d=dtype, **options):
        return arr(shape, d, rng, layout, **options)

    x = a((3, 4))
    yield Sample((x, a((5,))), name="few test elements")
    yield Sample((a((4, 3), "transposed"), a((2, 3))), name="transposed")
    yield Sample((a((2, 6), "noncontiguous"), a((4,), "noncontiguous")), name="non-contiguous")
    yield Sample((x, a((40,))), name="many test elements")
    yield Sample((x, a((40,))), {"invert": True}, name="many test elements, invert")
    yield Sample((x, a((3,))), {"invert": True}, name="invert")
    yield Sample((a((8,), low=0, high=3), a((30,), low=2, high=5)), {"assume_unique": True},
                 name="repeated values that assume_unique does not expect")
    yield Sample((a((8,), low=0, high=3), a((30,), low=2, high=5)),
                 {"assume_unique": True, "invert": True}, name="assume_unique, invert")
    yield Sample((a((3,)), a((2,))), {"assume_unique": True}, name="assume_unique, few")
    yield Sample((x, a((4,), d="int64")), name="int64 test elements")
    yield Sample((x, a((4,), d="float64")), name="float64 test elements")
    yield Sample((x, a((12,), d="uint8")), name="uint8 test elements")
    yield Sample((x, 2), name="a test number")
    yield Sample((a((4, 3), "transposed"), 1.5), {"invert": True}, name="a float test number")
    yield Sample((3, a((6,))), name="an element number")
    yield Sample((300, a((30,))), {"invert": True}, name="an element number, invert")
    yield Sample((a(()), a(())), name="0-dim")
    yield Sample((a((2, 0)), a((3,))), name="no elements")
    yield Sample((x, a((0,))), name="no test elements")
    yield Sample((a((3,), special=True, d=dtype), a((40,), special=True)), name="special values")


def _isin_errors(rng):
    x = arr((3,), F32, rng)
    yield ErrorInput(Sample((arr((3,), "bool", rng), x)), RuntimeError,
                     r"Unsupported input type encountered for isin\(\): Bool")
    yield ErrorInput(Sample((x, arr((3,), "complex64", rng))), RuntimeError,
                     r"Unsupported input type encountered for isin\(\): ComplexFloat")
    yield ErrorInput(Sample((x, True)), RuntimeError,
                     r"Unsupported input type encountered for isin\(\): Bool")
    yield ErrorInput(Sample((1j, x)), RuntimeError,
                     r"Unsupported input type encountered for isin\(\): ComplexDouble")
    yield ErrorInput(Sample((1, 2)), TypeError, None)


def _unravel_index_samples(dtype, rng):
    def indices(shape, high, layout="contiguous"):
        return arr(shape, dtype, rng, layout, low=0, high=high)

    yield Sample((indices((5,), 11), (3, 4)), name="vector")
    yield Sample((indices((3, 2), 23, "transposed"), [2, 3, 4]), name="transposed, list")
    yield Sample((indices((2, 4), 5, "noncontiguous"), 6), name="non-contiguous, int shape")
    yield Sample((indices((), 11), (4, 3)), name="0-dim")
    yield Sample((indices((0, 2), 5), (2, 3)), name="empty")
    yield Sample((indices((3,), 5), ()), name="no dims")
    yield Sample((indices((3,), 5), (1, 6, 1)), name="dims of size 1")
    if dtype != "uint8":
        yield Sample((Arr(np.array([-1, -7, 3], dtype), dtype), (2, 3)), name="negative")


def _unravel_index_errors(rng):
    def indices(values, dtype="int64"):
        return Arr(np.array(values, dtype), dtype)

    yield ErrorInput(Sample((indices([1.0], "float32"), (3,))), TypeError,
                     "expected 'indices' to be integer dtype, but got torch.float32")
    yield ErrorInput(Sample((indices([True], "bool"), (3,))), TypeError,
                     "expected 'indices' to be integer dtype, but got torch.bool")
    yield ErrorInput(Sample((indices([1]), (3, 2.0))), TypeError,
                     "expected 'shape' sequence to only contain ints, but got <class 'float'>")
    yield ErrorInput(Sample((indices([1]), 3.0)), TypeError,
                     "expected 'shape' to be int or sequence of ints, but got <class 'float'>")
    yield ErrorInput(Sample((indices([1]), None)), TypeError, None)
    yield ErrorInput(Sample((indices([1]), (3, -2))), ValueError,
                     r"'shape' cannot have negative values, but got \(3, -2\)")
    yield ErrorInput(Sample((indices([1]), (3, 0))), RuntimeError, "ZeroDivisionError")
    yield ErrorInput(Sample((indices([1]), (0,))), RuntimeError, "ZeroDivisionError")
    yield ErrorInput(Sample((4, (3, 2))), AttributeError, "has no attribute 'is_complex'")


# --- the table ---------------------------------------------------------------------------

NUMERICAL = [
    OpInfo("cov", _cov_samples, dtypes=NO_BOOL, inplace=False, out=False, errors=_cov_errors,
           tolerances=_HALF_TOLERANCES),
    OpInfo("corrcoef", _corrcoef_samples, dtypes=NO_BOOL, inplace=False, out=False,
           errors=_corrcoef_errors, tolerances=_HALF_TOLERANCES),
    OpInfo("vander", _vander_samples, method=False, inplace=False, out=False,
           errors=_vander_errors),
    OpInfo("gradient", _gradient_samples,
           dtypes=tuple(d for d in NO_BOOL if d != "uint8"), method=False, inplace=False,
           out=False, errors=_gradient_errors),
    OpInfo("isin", _isin_samples, dtypes=tuple(d for d in NO_BOOL if "complex" not in d),
           method=False, inplace=False, errors=_isin_errors),
    OpInfo("unravel_index", _unravel_index_samples, dtypes=INT_DTYPES, method=False,
           inplace=False, out=False, errors=_unravel_index_errors),
]


test_function, test_method, test_inplace, test_out, test_errors = table_tests(
    NUMERICAL, dtypes={"method": ("int64", "bfloat16", "float32", "complex128"),
                       "inplace": ("float64",), "out": ("int32", "float16", "float32")},
    max_samples=8)
