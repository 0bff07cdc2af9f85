"""The linear algebra op table: ``ember.linalg`` (and the ``torch.``-level linear algebra
functions and methods) against torch, over float32 / float64 / complex inputs, batches,
empty batches and empty matrices, non-contiguous and transposed layouts, ``out=``, and the
refusals of integer and half-precision inputs, of non-square, singular and not
positive-definite matrices.

Eigenvectors and singular vectors are defined only up to sign (a phase for complex
matrices), and LAPACK under torch and under NumPy may pick differently: those results are
compared through sign-invariant forms (the reconstruction U diag(S) Vh, |U|, |V|, the
eigenvalues), never element by element."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch

import ember

from .op_table import (
    ALL_DTYPES,
    COMPLEX_DTYPES,
    Arr,
    DType,
    OpInfo,
    Sample,
    assert_same,
    build,
    build_args,
    compare,
    make_values,
    rng_for,
    table_tests,
)

LINALG_DTYPES = ("float32", "float64", "complex64", "complex128")
NORM_DTYPES = ("float16", "bfloat16", *LINALG_DTYPES)
# LAPACK under torch and NumPy takes different (equally exact) paths: float32 results
# agree to a few ulps of the matrix's norm, not of each element.
TOLERANCES = {"float32": (1e-4, 1e-4), "complex64": (1e-4, 1e-4),
              "float64": (1e-9, 1e-9), "complex128": (1e-9, 1e-9)}
LAYOUTS = ("contiguous", "noncontiguous", "transposed")


# --- inputs -----------------------------------------------------------------------------------


def _values(shape, dtype, rng):
    return make_values(shape, dtype, rng, low=-1.0, high=1.0)


def general(shape, dtype, rng, layout="contiguous"):
    """A matrix (stack) with a dominant diagonal: invertible and well conditioned."""
    values = _values(shape, dtype, rng)
    if dtype not in ("bool",) and shape[-1] == shape[-2] and shape[-1]:
        values = values + (3 * np.eye(shape[-1])).astype(values.dtype)
    return Arr(values, dtype, layout)


def hermitian(shape, dtype, rng, layout="contiguous"):
    """A Hermitian positive-definite matrix (stack) with distinct eigenvalues."""
    values = _values(shape, dtype, rng)
    if dtype in ("bool",) or not shape[-1]:
        return Arr(values, dtype, layout)
    wide = values.astype(np.complex128 if dtype in COMPLEX_DTYPES else np.float64)
    product = wide @ np.conj(np.swapaxes(wide, -1, -2))
    spread = np.diag(np.arange(1, shape[-1] + 1) * 2.0)
    return Arr((product + spread).astype(values.dtype), dtype, layout)


def rectangular(shape, dtype, rng, layout="contiguous"):
    return Arr(_values(shape, dtype, rng), dtype, layout)


SQUARE_SHAPES = ((3, 3), (2, 4, 4), (0, 3, 3), (2, 0, 0), (1, 1))
RECT_SHAPES = ((4, 3), (3, 4), (2, 5, 3), (0, 2, 3))


def square_samples(make=general, kwargs_list=({},), shapes=SQUARE_SHAPES):
    def samples(dtype, rng):
        for shape in shapes:
            for kwargs in kwargs_list:
                yield Sample((make(shape, dtype, rng),), dict(kwargs), f"{shape} {kwargs}")
        for layout in LAYOUTS[1:]:
            yield Sample((make((2, 3, 3), dtype, rng, layout),), dict(kwargs_list[0]), layout)

    return samples


def rect_samples(kwargs_list=({},), shapes=SQUARE_SHAPES[:3] + RECT_SHAPES):
    def samples(dtype, rng):
        for shape in shapes:
            for kwargs in kwargs_list:
                yield Sample((general(shape, dtype, rng),), dict(kwargs), f"{shape} {kwargs}")
        for layout in LAYOUTS[1:]:
            yield Sample((general((2, 4, 3), dtype, rng, layout),), dict(kwargs_list[0]),
                         layout)

    return samples


def solve_samples(dtype, rng):
    A = general((3, 3), dtype, rng)
    yield Sample((A, rectangular((3, 2), dtype, rng)), name="matrix")
    yield Sample((A, rectangular((3,), dtype, rng)), name="vector")
    yield Sample((general((2, 3, 3), dtype, rng), rectangular((2, 3), dtype, rng)),
                 name="batch of vectors")
    yield Sample((general((2, 1, 3, 3), dtype, rng), rectangular((4, 3, 2), dtype, rng)),
                 name="broadcast")
    yield Sample((A, rectangular((2, 3), dtype, rng)), {"left": False}, name="right")
    yield Sample((general((3, 3), dtype, rng, "transposed"),
                  rectangular((3, 2), dtype, rng, "noncontiguous")), name="layouts")
    yield Sample((general((0, 3, 3), dtype, rng), rectangular((0, 3, 1), dtype, rng)),
                 name="empty batch")


def triangular_samples(dtype, rng):
    A = general((3, 3), dtype, rng)
    B = rectangular((3, 2), dtype, rng)
    for upper in (True, False):
        yield Sample((A, B), {"upper": upper}, f"upper={upper}")
    yield Sample((A, B), {"upper": True, "unitriangular": True}, "unitriangular")
    yield Sample((A, rectangular((2, 3), dtype, rng)), {"upper": False, "left": False}, "right")
    yield Sample((general((2, 3, 3), dtype, rng, "transposed"), B), {"upper": True},
                 "broadcast, transposed")
    yield Sample((general((0, 3, 3), dtype, rng), rectangular((0, 3, 2), dtype, rng)),
                 {"upper": True}, "empty batch")


def lstsq_samples(dtype, rng):
    for driver in (None, "gels", "gelsy", "gelsd", "gelss"):
        A = general((5, 3), dtype, rng)
        yield Sample((A, rectangular((5, 2), dtype, rng)), {"driver": driver},
                     f"tall {driver}")
    yield Sample((general((2, 4, 4), dtype, rng), rectangular((2, 4, 2), dtype, rng)),
                 name="batched square")
    yield Sample((general((3, 3), dtype, rng), rectangular((3,), dtype, rng)), name="vector")


def norm_inputs(dtype, rng):
    yield rectangular((3, 4), dtype, rng)
    yield rectangular((2, 3, 4), dtype, rng, "transposed")
    yield rectangular((3, 4), dtype, rng, "noncontiguous")
    yield rectangular((0, 3), dtype, rng)


def vector_norm_samples(dtype, rng):
    for x in norm_inputs(dtype, rng):
        for ord in (2, 1, 0, math.inf, -math.inf, 3.5, -1):
            if x.values.size == 0 and (ord < 0 or math.isinf(ord)):
                continue
            yield Sample((x, ord), name=f"ord {ord}")
        yield Sample((x, 2, (0, 1), True), name="dims keepdim")
        yield Sample((x, 2, -1), name="last dim")
    yield Sample((rectangular((), dtype, rng),), name="0-dim")
    if dtype == "float32":
        yield Sample((rectangular((3,), dtype, rng),), {"dtype": DType("float64")}, "dtype")


def matrix_norm_samples(dtype, rng):
    for x in norm_inputs(dtype, rng):
        for ord in ("fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf):
            if x.values.size == 0 and ord not in ("fro", "nuc"):
                continue
            yield Sample((x, ord), name=f"ord {ord}")
        if x.values.size:
            yield Sample((x, 1, (-1, -2), True), name="dims keepdim")


def norm_samples(dtype, rng):
    yield Sample((rectangular((4,), dtype, rng),), name="vector")
    yield Sample((rectangular((3, 4), dtype, rng),), name="matrix")
    yield Sample((rectangular((3, 4), dtype, rng), "nuc"), name="nuc")
    yield Sample((rectangular((3, 4), dtype, rng), 1), name="matrix 1")
    yield Sample((rectangular((2, 3, 4), dtype, rng), 3, 1), name="vector dim")
    yield Sample((rectangular((2, 3, 4), dtype, rng), math.inf, (0, 2), True), name="mat dims")


def cross_samples(dtype, rng):
    yield Sample((rectangular((4, 3), dtype, rng), rectangular((4, 3), dtype, rng)), name="rows")
    yield Sample((rectangular((3, 2), dtype, rng), rectangular((3, 2), dtype, rng)), {"dim": 0},
                 name="dim 0")
    yield Sample((rectangular((2, 1, 3), dtype, rng), rectangular((1, 4, 3), dtype, rng)),
                 name="broadcast")


def vecdot_samples(dtype, rng):
    yield Sample((rectangular((4, 3), dtype, rng), rectangular((4, 3), dtype, rng)), name="rows")
    yield Sample((rectangular((3, 2), dtype, rng), rectangular((3, 2), dtype, rng, "transposed")),
                 {"dim": 0}, name="dim 0")
    yield Sample((rectangular((2, 1, 3), dtype, rng), rectangular((4, 3), dtype, rng)),
                 name="broadcast")


def power_samples(dtype, rng):
    for n in (2, 0, 1, 3, -1, -2):
        yield Sample((general((2, 3, 3), dtype, rng), n), name=f"n={n}")
    yield Sample((general((3, 3), dtype, rng, "transposed"), 5), name="transposed")


def pinv_samples(dtype, rng):
    yield from rect_samples()(dtype, rng)
    yield Sample((hermitian((3, 3), dtype, rng),), {"hermitian": True}, "hermitian")
    yield Sample((general((4, 3), dtype, rng),), {"rtol": 0.5}, "rtol")
    yield Sample((general((4, 3), dtype, rng),), {"atol": 3.0}, "atol")
    yield Sample((general((4, 3), dtype, rng), 0.5), name="rcond")
    low_rank = np.ones((3, 3)) * (1 + 1j if dtype in COMPLEX_DTYPES else 1)
    yield Sample((Arr(low_rank.astype(_np_type(dtype)), dtype),), name="rank 1")


def _np_type(dtype):
    return np.float32 if dtype == "bfloat16" else np.dtype(dtype)


def rank_samples(dtype, rng):
    yield from pinv_samples(dtype, rng)
    yield Sample((general((4, 3), dtype, rng),), {"tol": 10.0}, "tol")


def _linalg(name, transform=None):
    """Call ``lib.linalg.<name>``, then ``transform`` the result where it is not unique."""

    def call(lib, *args, **kwargs):
        with warnings.catch_warnings():
            # torch warns once per process about complex half results: order-dependent
            warnings.filterwarnings("ignore", "ComplexHalf support")
            result = getattr(lib.linalg, name)(*args, **kwargs)
        return result if transform is None else transform(lib, result)

    return call


def _abs(t):
    return t.abs() if t.numel() else t


def _svd_invariants(lib, result):
    U, S, Vh = result
    k = S.shape[-1]
    reconstruction = (U[..., :, :k] * S.unsqueeze(-2).to(U.dtype)) @ Vh[..., :k, :]
    return S, reconstruction, _abs(U[..., :, :k]), _abs(Vh[..., :k, :])


def _eigh_invariants(lib, result):
    values, vectors = result
    return values, _abs(vectors)


def _eigvals_invariants(lib, values):
    """LAPACK's eigenvalue order may differ between builds: their sum, product and sorted
    magnitudes."""
    return values.sum(-1), values.prod(-1), values.abs().sort(-1).values


def _resolve(lib, result):
    """torch may return a conjugate view, which its numpy() refuses."""
    if lib is torch:
        if isinstance(result, tuple):
            return type(result)(r.resolve_conj() for r in result)
        return result.resolve_conj()
    return result


def _eig_invariants(lib, result):
    values, vectors = result
    return values, _abs(vectors)


def _qr_invariants(lib, result):
    Q, R = result
    if Q.numel() == 0 and R.numel():
        return _abs(R)
    return _abs(Q), _abs(R), Q @ R


def _lu_invariants(lib, result):
    return tuple(result)


MATRIX_EXP_XFAILS = {"function": dict.fromkeys(
    ("float16", "bfloat16"), "torch's half-precision matrix_exp overflows to NaN where "
    "ember's (computed in float32) does not")}


def linalg_op(name, samples, dtypes=LINALG_DTYPES, transform=None, out=True, resolve=False,
              **options):
    options.setdefault("tolerances", TOLERANCES)
    return OpInfo(f"linalg.{name}", samples, dtypes=dtypes, method=False, inplace=False,
                  out=out and transform is None,
                  call=_linalg(name, _resolve if resolve else transform), **options)


def _no_out_check(op):
    return not op.out


LINALG = [
    linalg_op("inv", square_samples()),
    linalg_op("inv_ex", square_samples()),
    linalg_op("det", square_samples()),
    linalg_op("slogdet", square_samples()),
    linalg_op("solve", solve_samples, resolve=True),
    linalg_op("solve_ex", solve_samples, resolve=True),
    linalg_op("solve_triangular", triangular_samples),
    linalg_op("lstsq", lstsq_samples, out=False),
    linalg_op("cholesky", square_samples(hermitian, ({}, {"upper": True}))),
    linalg_op("cholesky_ex", square_samples(hermitian, ({}, {"upper": True}))),
    linalg_op("qr", rect_samples(({}, {"mode": "complete"}, {"mode": "r"})),
              transform=_qr_invariants),
    linalg_op("svd", rect_samples(({}, {"full_matrices": False})), transform=_svd_invariants),
    linalg_op("svdvals", rect_samples()),
    linalg_op("eig", square_samples(hermitian), transform=_eig_invariants),
    linalg_op("eigvals", square_samples(hermitian), transform=_eigvals_invariants),
    linalg_op("eigh", square_samples(hermitian, ({}, {"UPLO": "U"})),
              transform=_eigh_invariants),
    linalg_op("eigvalsh", square_samples(hermitian, ({}, {"UPLO": "U"}))),
    linalg_op("pinv", pinv_samples),
    linalg_op("matrix_rank", rank_samples),
    linalg_op("vector_norm", vector_norm_samples, dtypes=NORM_DTYPES),
    linalg_op("matrix_norm", matrix_norm_samples, dtypes=NORM_DTYPES),
    linalg_op("norm", norm_samples, dtypes=NORM_DTYPES),
    linalg_op("cond", square_samples(kwargs_list=({}, {"p": 1}, {"p": "fro"}, {"p": -2}),
                                     shapes=((3, 3), (2, 4, 4), (1, 1)))),
    linalg_op("cross", cross_samples,
              dtypes=tuple(d for d in ALL_DTYPES if d != "bool")),
    linalg_op("vecdot", vecdot_samples, dtypes=NORM_DTYPES),
    linalg_op("matrix_power", power_samples, dtypes=tuple(d for d in ALL_DTYPES if d != "bool"),
              out=False),
    linalg_op("matrix_exp", square_samples(), dtypes=NORM_DTYPES, out=False,
              xfails=MATRIX_EXP_XFAILS),
    linalg_op("diagonal", square_samples(), dtypes=ALL_DTYPES, out=False),
    linalg_op("lu_factor", rect_samples()),
    linalg_op("lu_factor_ex", rect_samples()),
    linalg_op("lu", rect_samples()),
]


def _torch_level(name, samples, transform=None, method=True, **options):
    def call(lib, *args, **kwargs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch warns once per process: order-dependent
            function = getattr(lib, name)
            result = function(*args, **kwargs)
        return result if transform is None else transform(lib, result)

    def call_method(lib, self, *args, **kwargs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = getattr(self, name)(*args, **kwargs)
        return result if transform is None else transform(lib, result)

    options.setdefault("tolerances", TOLERANCES)
    dtypes = options.pop("dtypes", LINALG_DTYPES)
    return OpInfo(name, samples, dtypes=dtypes, method=method, inplace=False,
                  out=False, call=call, call_method=call_method, **options)


def triangular_solve_samples(dtype, rng):
    A = general((3, 3), dtype, rng)
    B = rectangular((3, 2), dtype, rng)
    yield Sample((B, A), name="upper")
    yield Sample((B, A, False, True), name="lower, transposed")
    yield Sample((B, A), {"unitriangular": True}, "unitriangular")
    yield Sample((rectangular((2, 3, 2), dtype, rng, "transposed"), A), name="broadcast")


def _svd_v_invariants(lib, result):
    U, S, V = result
    k = S.shape[-1]
    reconstruction = (U[..., :, :k] * S.unsqueeze(-2).to(U.dtype)) @ V[..., :, :k].mH
    return _resolve(lib, (S, reconstruction, _abs(U[..., :, :k]), _abs(V[..., :, :k])))


def cholesky_solve_samples(dtype, rng):
    for upper in (False, True):
        factor = np.linalg.cholesky(hermitian((3, 3), "complex128", rng).values)
        if upper:
            factor = np.conj(factor.T)
        factor = factor if dtype in COMPLEX_DTYPES else factor.real
        yield Sample((rectangular((3, 2), dtype, rng), Arr(factor.astype(_np_type(dtype)), dtype)),
                     {"upper": upper},
                     f"upper={upper}")


def cholesky_inverse_samples(dtype, rng):
    for upper in (False, True):
        factor = np.linalg.cholesky(hermitian((2, 3, 3), "complex128", rng).values)
        if upper:
            factor = np.conj(np.swapaxes(factor, -1, -2))
        factor = factor if dtype in COMPLEX_DTYPES else factor.real
        yield Sample((Arr(np.ascontiguousarray(factor).astype(_np_type(dtype)), dtype),),
                     {"upper": upper},
                     f"upper={upper}")


TORCH_LEVEL = [
    _torch_level("det", square_samples()),
    _torch_level("logdet", square_samples()),
    _torch_level("slogdet", square_samples()),
    _torch_level("inverse", square_samples()),
    _torch_level("pinverse", rect_samples()),
    _torch_level("cholesky", square_samples(hermitian, ({}, {"upper": True}))),
    _torch_level("cholesky_solve", cholesky_solve_samples),
    _torch_level("cholesky_inverse", cholesky_inverse_samples),
    _torch_level("qr", rect_samples(({}, {"some": False})), transform=_qr_invariants),
    _torch_level("svd", rect_samples(({}, {"some": False})), transform=_svd_v_invariants),
    _torch_level("matrix_exp", square_samples(), dtypes=NORM_DTYPES, xfails=MATRIX_EXP_XFAILS),
    _torch_level("lu", rect_samples(({}, {"get_infos": True}))),
    _torch_level("triangular_solve", triangular_solve_samples),
]


test_function, test_method, test_out = table_tests(
    LINALG + TORCH_LEVEL, ("function", "method", "out"),
    ops={"method": TORCH_LEVEL, "out": [op for op in LINALG if op.out]},
    dtypes={"method": LINALG_DTYPES, "out": ("float32", "complex128")}, max_samples=2)


# --- errors -----------------------------------------------------------------------------------


def _f32(*shape, rng=None, value=None):
    rng = rng or np.random.default_rng(0)
    values = rng.uniform(-1, 1, shape) if value is None else np.asarray(value, float)
    return Arr(values.astype(np.float32), "float32")


SINGULAR = [[1.0, 2.0], [2.0, 4.0]]
NOT_POSITIVE_DEFINITE = [[1.0, 2.0], [2.0, 1.0]]
BATCH_SINGULAR = [np.eye(2).tolist(), SINGULAR]


def _error_samples():
    """(function name, Sample, error type, message regex) refused by both libraries."""
    square, wide = _f32(3, 3), _f32(2, 3)
    for name in ("inv", "inv_ex", "det", "slogdet", "cholesky", "cholesky_ex", "eigh",
                 "eigvalsh", "eig", "matrix_exp"):
        yield name, Sample((wide,)), RuntimeError, "must be batches of square matrices"
        yield name, Sample((_f32(3),)), RuntimeError, "at least 2 dimensions"
    yield "solve", Sample((square, _f32(4))), RuntimeError, "Incompatible shapes"
    yield "solve", Sample((square, _f32(4, 2))), RuntimeError, r"\(3x3 and 4x2\)"
    yield "solve", Sample((square, Arr(np.ones(3), "float64"))), RuntimeError, "same dtype"
    yield ("solve_triangular", Sample((square, _f32(4, 2)), {"upper": True}), RuntimeError,
           "Incompatible shapes")
    yield "lstsq", Sample((_f32(3, 2), _f32(4, 2))), RuntimeError, "should match"
    yield ("lstsq", Sample((_f32(3, 2), _f32(3, 2)), {"driver": "bad"}), RuntimeError,
           "driver")
    yield "eigh", Sample((square,), {"UPLO": "X"}), RuntimeError, "UPLO"
    yield "qr", Sample((square,), {"mode": "bad"}), RuntimeError, "unrecognized mode"
    yield "cross", Sample((_f32(2, 2), _f32(2, 2))), RuntimeError, "must have length 3"
    yield "vecdot", Sample((_f32(3), Arr(np.ones(3), "float64"))), RuntimeError, "same dtype"
    yield "vector_norm", Sample((_f32(3),), {"ord": "fro"}), TypeError, None
    yield "vector_norm", Sample((_f32(0),), {"ord": math.inf}), RuntimeError, "identity"
    yield ("vector_norm", Sample((_f32(3),), {"dtype": DType("int64")}), RuntimeError,
           "dtype should be floating point")
    yield "matrix_norm", Sample((square, 3)), RuntimeError, "Order 3 not supported"
    yield "matrix_norm", Sample((square, "fro", (0, 0))), RuntimeError, "dims must be different"
    yield "norm", Sample((_f32(2, 2, 2), 2)), RuntimeError, "must be 1D or 2D"
    yield "cond", Sample((wide, 1)), RuntimeError, "square matrices"
    yield "pinv", Sample((_f32(3),)), RuntimeError, "2 or more dimensions"
    yield "lu_factor", Sample((_f32(2, 2, value=SINGULAR),)), RuntimeError, r"U\[2,2\] is zero"
    yield "matrix_rank", Sample((_f32(3),)), RuntimeError, "at least 2 dimensions"


@pytest.mark.parametrize("name, sample, error, match", list(_error_samples()),
                         ids=lambda value: value if isinstance(value, str) else "")
def test_errors(name, sample, error, match):
    _, expected = compare(_linalg(name), sample, match=match)
    assert type(expected.error) is error, expected


def _linalg_error_samples():
    """Singular and not positive-definite inputs: torch.linalg.LinAlgError in torch,
    ember.linalg.LinAlgError (a RuntimeError too) in ember, with the same message."""
    singular, batch = _f32(2, 2, value=SINGULAR), _f32(2, 2, 2, value=BATCH_SINGULAR)
    not_pd = _f32(2, 2, value=NOT_POSITIVE_DEFINITE)
    yield "inv", Sample((singular,))
    yield "inv", Sample((batch,))
    yield "inv_ex", Sample((singular,), {"check_errors": True})
    yield "solve", Sample((singular, _f32(2)))
    yield "solve", Sample((batch, _f32(2, 2)))
    yield "cholesky", Sample((not_pd,))
    yield "cholesky", Sample((_f32(2, 2, 2, value=[np.eye(2).tolist(), NOT_POSITIVE_DEFINITE]),))
    yield "cholesky_ex", Sample((not_pd,), {"check_errors": True})


@pytest.mark.parametrize("name, sample", list(_linalg_error_samples()),
                         ids=lambda value: value if isinstance(value, str) else "")
def test_linalg_errors(name, sample):
    messages = []
    for lib in (torch, ember):
        with pytest.raises(lib.linalg.LinAlgError) as raised:
            _linalg(name)(lib, *(build(lib, a) for a in sample.args), **sample.kwargs)
        assert isinstance(raised.value, RuntimeError)
        messages.append(str(raised.value).splitlines()[0])
    assert messages[1] == messages[0]


def _info_samples():
    """The ``_ex`` forms report what the checked forms raise for, in ``info``."""
    singular, batch = _f32(2, 2, value=SINGULAR), _f32(2, 2, 2, value=BATCH_SINGULAR)
    yield "inv_ex", Sample((batch,)), 1
    yield "solve_ex", Sample((singular, _f32(2))), 1
    yield "solve_ex", Sample((batch, _f32(2, 2, 2))), 1
    yield "cholesky_ex", Sample((_f32(2, 2, value=NOT_POSITIVE_DEFINITE),)), 1
    yield "lu_factor_ex", Sample((batch,)), 2


@pytest.mark.parametrize("name, sample, position", list(_info_samples()),
                         ids=lambda value: value if isinstance(value, str) else "")
def test_info(name, sample, position):
    """info (and the rest that does not depend on LAPACK's scratch values) as torch's."""
    results = [_linalg(name)(lib, *build_args(lib, sample)[0], **sample.kwargs)
               for lib in (torch, ember)]
    expected, actual = results
    assert_same(actual[position], expected[position])
    assert type(actual).__name__ == type(expected).__name__


def test_singular_values_and_determinants():
    """Singular matrices are no error for det, slogdet, matrix_rank, pinv and cond(2)."""
    sample = Sample((_f32(2, 2, 2, value=BATCH_SINGULAR),))
    for name in ("det", "slogdet", "matrix_rank", "pinv", "svdvals"):
        compare(_linalg(name), sample, tolerances=TOLERANCES)
    compare(_linalg("cond"), Sample(sample.args, {"p": 1}))
    compare(_linalg("lu_factor_ex"), sample)


@pytest.mark.parametrize("name, kwargs, transform", [
    ("qr", {}, _qr_invariants),
    ("qr", {"mode": "complete"}, _qr_invariants),
    ("svd", {"full_matrices": False}, _svd_invariants),
    ("eigh", {}, _eigh_invariants),
    ("eig", {}, _eig_invariants),
], ids=lambda value: value if isinstance(value, str) else "")
def test_decomposition_out(name, kwargs, transform):
    """``out=`` of the decompositions whose vectors are compared sign-invariantly: the named
    tuple of the out tensors, resized to torch's shapes and strides."""
    sample = Sample((hermitian((2, 3, 3), "float64", rng_for(name)),), kwargs)
    results, outs = {}, {}
    for lib in (torch, ember):
        (A,), _ = build_args(lib, sample)
        expected = getattr(lib.linalg, name)(A, **kwargs)
        outs[lib] = tuple(lib.empty(0, dtype=r.dtype) for r in expected)
        results[lib] = getattr(lib.linalg, name)(A, **kwargs, out=outs[lib])
        assert all(r is o for r, o in zip(results[lib], outs[lib]))
    assert type(results[ember]).__name__ == type(results[torch]).__name__
    for ours, theirs in zip(outs[ember], outs[torch]):
        assert (tuple(ours.shape), ours.stride()) == (tuple(theirs.shape), theirs.stride())
    assert_same(transform(ember, results[ember]), transform(torch, results[torch]),
                tolerances=TOLERANCES)
