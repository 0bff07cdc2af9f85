"""Gradients of ``ember.linalg`` (and of the ``torch.``-level linear algebra functions)
against torch: outputs, grad_fn names and input gradients in float64 and float32, then
float64 gradcheck and gradgradcheck (the backward formulas are ember ops).

Inputs are well conditioned (a dominant diagonal), symmetric positive definite for
cholesky and eigh, whose functions symmetrize their argument first so that finite
differences move the matrix they read. Eigen- and singular vectors are defined up to sign,
which LAPACK under torch and NumPy may pick differently: the cases differentiate
sign-invariant functions of them (squares, projections, reconstructions)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import ember

from .grad_oracle import GradTable

TABLE = GradTable("linalg")
case, v, p = TABLE.case, TABLE.v, TABLE.p


def torch_level(L, name):
    """``torch.<name>`` in ``L``, its deprecation warnings (torch gives them once per
    process, so depending on test order) silenced."""
    function = getattr(L, name)

    def call(*args, **kwargs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return function(*args, **kwargs)

    return call


def well(*shape):
    """A matrix (stack) with a dominant diagonal."""
    return v(*shape) + 5 * np.eye(*shape[-2:])


def spd(*shape):
    """A symmetric positive-definite matrix (stack) with distinct eigenvalues."""
    values = v(*shape)
    return values @ np.swapaxes(values, -1, -2) + np.diag(np.arange(1.0, shape[-1] + 1) * 2)


def sym(A):
    return (A + A.mT) / 2


# inverses and determinants
case("inv", lambda L, a: L.linalg.inv(a), well(3, 3))
case("inv batched", lambda L, a: L.linalg.inv(a), well(2, 3, 3))
case("inv_ex", lambda L, a: L.linalg.inv_ex(a).inverse, well(3, 3))
case("inverse", lambda L, a: torch_level(L, "inverse")(a), well(3, 3))
case("det", lambda L, a: L.linalg.det(a), well(3, 3))
case("det batched", lambda L, a: L.linalg.det(a), well(2, 3, 3))
case("det singular", lambda L, a: L.linalg.det(a), [[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.5, 1.0]],
     gradcheck=False)
case("det torch-level", lambda L, a: torch_level(L, "det")(a), well(3, 3))
case("slogdet", lambda L, a: L.linalg.slogdet(a).logabsdet, well(3, 3) - 10 * np.eye(3))
case("slogdet batched", lambda L, a: L.linalg.slogdet(a)[1], well(2, 3, 3))
case("logdet", lambda L, a: torch_level(L, "logdet")(a), spd(3, 3))

# solvers
case("solve", lambda L, a, b: L.linalg.solve(a, b), well(3, 3), v(3, 2))
case("solve vector", lambda L, a, b: L.linalg.solve(a, b), well(3, 3), v(3))
case("solve batched vectors", lambda L, a, b: L.linalg.solve(a, b), well(2, 3, 3), v(2, 3))
case("solve broadcast", lambda L, a, b: L.linalg.solve(a, b), well(3, 3), v(2, 3, 2))
case("solve right", lambda L, a, b: L.linalg.solve(a, b, left=False), well(3, 3), v(2, 3))
case("solve_ex", lambda L, a, b: L.linalg.solve_ex(a, b).result, well(3, 3), v(3, 2))
case("solve only A", lambda L, a, b: L.linalg.solve(a, b), well(3, 3), v(3, 2),
     requires_grad=(0,))
case("solve_triangular upper",
     lambda L, a, b: L.linalg.solve_triangular(a, b, upper=True), well(3, 3), v(3, 2))
case("solve_triangular lower right",
     lambda L, a, b: L.linalg.solve_triangular(a, b, upper=False, left=False),
     well(3, 3), v(2, 3))
case("solve_triangular unitriangular",
     lambda L, a, b: L.linalg.solve_triangular(a, b, upper=True, unitriangular=True),
     well(3, 3), v(3, 2))
case("lstsq", lambda L, a, b: L.linalg.lstsq(a, b).solution, well(4, 3), v(4, 2))
case("lstsq square", lambda L, a, b: L.linalg.lstsq(a, b).solution, well(3, 3), v(3, 2))

# factorizations
case("cholesky", lambda L, a: L.linalg.cholesky(sym(a)), spd(3, 3))
case("cholesky upper", lambda L, a: L.linalg.cholesky(sym(a), upper=True), spd(3, 3))
case("cholesky batched", lambda L, a: L.linalg.cholesky_ex(sym(a)).L, spd(2, 3, 3))
case("cholesky torch-level", lambda L, a: torch_level(L, "cholesky")(sym(a)), spd(3, 3))
case("cholesky_solve", lambda L, b, a: torch_level(L, "cholesky_solve")(
    b, L.linalg.cholesky(sym(a))), v(3, 2), spd(3, 3))
case("cholesky_solve upper", lambda L, b, a: torch_level(L, "cholesky_solve")(
    b, L.linalg.cholesky(sym(a), upper=True), upper=True), v(3, 2), spd(3, 3))
case("cholesky_inverse", lambda L, a: torch_level(L, "cholesky_inverse")(
    L.linalg.cholesky(sym(a))), spd(3, 3))
case("qr square", lambda L, a: tuple(L.linalg.qr(a)), well(3, 3))
case("qr tall", lambda L, a: tuple(L.linalg.qr(a)), well(4, 3))
case("qr wide", lambda L, a: tuple(L.linalg.qr(a)), well(3, 4))
case("qr R only used", lambda L, a: L.linalg.qr(a).R, well(4, 3))
case("qr torch-level", lambda L, a: tuple(torch_level(L, "qr")(a)), well(4, 3))


def _svd_invariants(L, a, full_matrices=False):
    U, S, Vh = L.linalg.svd(a, full_matrices=full_matrices)
    k = S.shape[-1]
    U, Vh = U[..., :, :k], Vh[..., :k, :]
    return S, (U * S.unsqueeze(-2)) @ Vh, U**2, Vh**2


case("svd square", _svd_invariants, v(3, 3))
case("svd tall", _svd_invariants, v(4, 3))
case("svd wide", _svd_invariants, v(2, 3, 4))
case("svd full_matrices", lambda L, a: _svd_invariants(L, a, True), v(4, 3))
case("svd torch-level", lambda L, a: (torch_level(L, "svd")(a)[1],
                                       torch_level(L, "svd")(a)[2] ** 2), v(4, 3))
case("svdvals", lambda L, a: L.linalg.svdvals(a), v(2, 4, 3))


def _eigh_invariants(L, a, UPLO="L"):
    values, vectors = L.linalg.eigh(sym(a), UPLO=UPLO)
    return values, vectors**2


case("eigh", _eigh_invariants, spd(3, 3))
case("eigh upper batched", lambda L, a: _eigh_invariants(L, a, "U"), spd(2, 3, 3))
case("eigvalsh", lambda L, a: L.linalg.eigvalsh(sym(a)), spd(3, 3))
case("lu_factor", lambda L, a: L.linalg.lu_factor(a).LU, well(3, 3))
case("lu_factor_ex batched", lambda L, a: L.linalg.lu_factor_ex(a).LU, well(2, 3, 3))
case("lu", lambda L, a: tuple(L.linalg.lu(a))[1:], well(3, 3))
case("lu torch-level", lambda L, a: torch_level(L, "lu")(a)[0], well(3, 3))
case("triangular_solve", lambda L, b, a: tuple(torch_level(L, "triangular_solve")(b, a)),
     v(3, 2), well(3, 3))
case("triangular_solve transposed lower",
     lambda L, b, a: torch_level(L, "triangular_solve")(b, a, False, True).solution,
     v(2, 3, 2), well(3, 3))
case("eigvals", lambda L, a: L.linalg.eigvals(a).real, spd(3, 3) + np.triu(v(3, 3), 1))
case("pinv wide", lambda L, a: L.linalg.pinv(a), well(3, 4))
case("pinv tall", lambda L, a: L.linalg.pinv(a), well(4, 3))
case("pinv hermitian", lambda L, a: L.linalg.pinv(sym(a), hermitian=True), spd(3, 3))
case("pinverse", lambda L, a: torch_level(L, "pinverse")(a), well(4, 3))
case("matrix_exp", lambda L, a: L.linalg.matrix_exp(a), v(3, 3) / 2)
case("matrix_exp batched", lambda L, a: torch_level(L, "matrix_exp")(a), v(2, 3, 3) / 2)

# norms and products
case("vector_norm", lambda L, a: L.linalg.vector_norm(a), v(3, 4))
case("vector_norm dim", lambda L, a: L.linalg.vector_norm(a, 2, 1), v(3, 4))
case("vector_norm keepdim", lambda L, a: L.linalg.vector_norm(a, 2, (0, 1), True), v(3, 4))
case("vector_norm 1", lambda L, a: L.linalg.vector_norm(a, 1, -1), v(3, 4))
case("vector_norm inf", lambda L, a: L.linalg.vector_norm(a, float("inf"), 0), v(3, 4))
case("vector_norm -inf", lambda L, a: L.linalg.vector_norm(a, float("-inf")), v(3, 4))
case("vector_norm 3", lambda L, a: L.linalg.vector_norm(a, 3, 1), v(3, 4))
case("vector_norm 0.5", lambda L, a: L.linalg.vector_norm(a, 0.5), v(3, 4))
case("vector_norm 0", lambda L, a: L.linalg.vector_norm(a, 0), v(3, 4))
case("matrix_norm fro", lambda L, a: L.linalg.matrix_norm(a), v(2, 3, 4))
case("matrix_norm nuc", lambda L, a: L.linalg.matrix_norm(a, "nuc"), v(3, 4))
case("matrix_norm 2", lambda L, a: L.linalg.matrix_norm(a, 2), v(3, 4))
case("matrix_norm -2", lambda L, a: L.linalg.matrix_norm(a, -2, keepdim=True), v(3, 4))
case("matrix_norm 1", lambda L, a: L.linalg.matrix_norm(a, 1), v(2, 3, 4))
case("matrix_norm inf", lambda L, a: L.linalg.matrix_norm(a, float("inf"), (0, 2)), v(2, 3, 4))
case("norm", lambda L, a: L.linalg.norm(a), v(3, 4))
case("norm ord dim", lambda L, a: L.linalg.norm(a, 3, 1), v(3, 4))
case("cond", lambda L, a: L.linalg.cond(a), well(3, 3))
case("cross", lambda L, a, b: L.linalg.cross(a, b), v(2, 3), v(2, 3))
case("vecdot", lambda L, a, b: L.linalg.vecdot(a, b), v(2, 3), v(2, 3))

# complex inputs (real values, complex dtype): the formulas' conjugates and adjoints
for name, function, inputs in (
        ("inv", lambda L, a: L.linalg.inv(a), (well(3, 3),)),
        ("det", lambda L, a: L.linalg.det(a), (well(3, 3),)),
        ("solve", lambda L, a, b: L.linalg.solve(a, b), (well(3, 3), v(3, 2))),
        ("cholesky", lambda L, a: L.linalg.cholesky(sym(a)), (spd(3, 3),)),
        ("vector_norm", lambda L, a: L.linalg.vector_norm(a), (v(3, 4),)),
        ("pinv", lambda L, a: L.linalg.pinv(a), (well(4, 3),)),
):
    case(f"{name} complex", function, *inputs, dtypes=("complex128",))


def _eig_invariants(L, a):
    """Eigenvalues and |eigenvectors|^2 (invariant under each vector's phase)."""
    values, vectors = L.linalg.eig(a)
    return values.real, (vectors * vectors.conj()).real


case("eig", _eig_invariants, spd(3, 3) + np.triu(v(3, 3), 1))


def _phase_invariants(L, a, name):
    """For complex inputs: values and |vectors|^2 of svd / eigh / qr."""
    if name == "svd":
        U, S, Vh = L.linalg.svd(a, full_matrices=False)
        return S, (U * U.conj()).real, (Vh * Vh.conj()).real
    if name == "eigh":
        values, vectors = L.linalg.eigh(a + a.mH)
        return values, (vectors * vectors.conj()).real
    Q, R = L.linalg.qr(a)
    return (Q * Q.conj()).real, (R * R.conj()).real


for name, values in (("svd", v(4, 3)), ("eigh", spd(3, 3)), ("qr", well(4, 3))):
    case(f"{name} complex", lambda L, a, name=name: _phase_invariants(L, a, name), values,
         dtypes=("complex128",))

test_matches_torch, test_gradcheck, test_gradgradcheck = TABLE.tests()


def _complex_matrix(seed, n=3, spd_matrix=False):
    rng = np.random.default_rng(seed)
    values = rng.uniform(-1, 1, (n, n)) + 1j * rng.uniform(-1, 1, (n, n))
    if spd_matrix:
        return values @ values.conj().T + np.diag(np.arange(1.0, n + 1) * 2)
    return values + 4 * np.eye(n)


COMPLEX_CASES = {
    "inv": (lambda L, a: L.linalg.inv(a), False),
    "det": (lambda L, a: L.linalg.det(a), False),
    "slogdet": (lambda L, a: L.linalg.slogdet(a).logabsdet, False),
    "solve": (lambda L, a: L.linalg.solve(a, a.mT), False),
    "cholesky": (lambda L, a: L.linalg.cholesky((a + a.mH) / 2), True),
    "eigvalsh": (lambda L, a: L.linalg.eigvalsh((a + a.mH) / 2), True),
    "svdvals": (lambda L, a: L.linalg.svdvals(a), False),
    "pinv": (lambda L, a: L.linalg.pinv(a), False),
    "matrix_exp": (lambda L, a: L.linalg.matrix_exp(a / 4), False),
    "vector_norm": (lambda L, a: L.linalg.vector_norm(a, 3), False),
    "svd": (lambda L, a: _phase_invariants(L, a, "svd"), False),
    "eigh": (lambda L, a: _phase_invariants(L, a, "eigh"), True),
    "qr": (lambda L, a: _phase_invariants(L, a, "qr"), False),
    "solve_triangular": (lambda L, a: L.linalg.solve_triangular(a, a.mH, upper=True), False),
    "lstsq": (lambda L, a: L.linalg.lstsq(a, a.mT).solution, False),
    "cholesky_solve": (lambda L, a: torch_level(L, "cholesky_solve")(
        a.mT, L.linalg.cholesky((a + a.mH) / 2)), True),
    "cholesky_inverse": (lambda L, a: torch_level(L, "cholesky_inverse")(
        L.linalg.cholesky((a + a.mH) / 2)), True),
    "matrix_norm nuc": (lambda L, a: L.linalg.matrix_norm(a, "nuc"), False),
    "cross": (lambda L, a: L.linalg.cross(a, a.mT), False),
    "vecdot": (lambda L, a: L.linalg.vecdot(a, a.mT), False),
    "lu_factor": (lambda L, a: L.linalg.lu_factor(a).LU, False),
}


@pytest.mark.parametrize("name", list(COMPLEX_CASES))
def test_complex_valued_gradients(name):
    """Truly complex inputs: the conjugations of each formula (the table's inputs are real)."""
    function, spd_matrix = COMPLEX_CASES[name]
    values = _complex_matrix(len(name), spd_matrix=spd_matrix)
    rng = np.random.default_rng(7)
    grads = []
    for lib in (torch, ember):
        a = lib.tensor(values, dtype=lib.complex128, requires_grad=True)
        results = function(lib, a)
        results = results if isinstance(results, tuple) else (results,)
        seeds = []
        for result in results:
            seed = rng.standard_normal(tuple(result.shape))
            if result.is_complex():
                seed = seed + 1j * rng.standard_normal(tuple(result.shape))
            seeds.append(lib.tensor(seed, dtype=result.dtype))
        lib.autograd.backward(list(results), seeds)
        grads.append(a.grad.detach().numpy())
        rng = np.random.default_rng(7)
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-7, atol=1e-9)
