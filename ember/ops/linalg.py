"""Linear algebra: decompositions, solvers, inverses and norms, as ``torch.linalg``.

The public functions of ``torch.linalg`` (re-exported by ``ember.linalg``), the linear algebra
functions of the ``torch.`` namespace (exported by ``ember``; ``torch.slogdet``,
``torch.cholesky``, ``torch.qr``, ``torch.svd`` and ``torch.lu`` differ from their ``linalg``
namesakes and are defined here as ``_torch_<name>``) and their Tensor methods. Their
kernels over NumPy arrays are in ember/ops/_linalg_kernels.py, their backward formulas in
ember/ops/_linalg_grad.py, the checks and result layouts they share in
ember/ops/_linalg_common.py."""

from __future__ import annotations

import math

from ember import _dtype, return_types
from ember.autograd import grad_mode
from ember.backends import cpu as _cpu
from ember.ops._autograd import check_out_allowed, record
from ember.ops._common import Tensor, _wrap_dim, finish, method, reduction_dims, write_out
from ember.ops._linalg_common import (
    _HALF,
    _batch_prefix,
    _broadcast_shape,
    _check_cross,
    _check_eig,
    _check_eigh,
    _check_float,
    _check_floating,
    _check_input,
    _check_lstsq,
    _check_matrix,
    _check_matrix_norm,
    _check_matrix_rank,
    _check_pinv,
    _check_same_dtype,
    _check_solve,
    _check_solve_triangular,
    _check_uplo,
    _check_vector_norm,
    _complex_of,
    _finish_out,
    _no_kernel,
    _ord_text,
    _tensor,
    _warn_once,
    _write_castable,
)
from ember.ops._linalg_grad import (
    _cholesky_grad,
    _cholesky_inverse_grad,
    _cholesky_solve_grads,
    _conj,
    _det_grad,
    _eig_backward,
    _eigh_backward,
    _inv_grad,
    _lstsq_backward,
    _lu_backward,
    _lu_factor_backward,
    _matrix_exp_grad,
    _needs,
    _pinv_grad,
    _qr_backward,
    _record_op,
    _slogdet_backward,
    _solve_backward,
    _solve_triangular_backward,
    _svd_backward,
    _svdvals_backward,
    _triangular_solve_backward,
    _vector_norm_grad,
)
from ember.ops._linalg_kernels import (
    _cholesky_data,
    _det_data,
    _eig_data,
    _eigh_data,
    _first_failure,
    _inv_data,
    _lstsq_data,
    _lu_kernel,
    _lu_solve_batch,
    _matrix_exp_kernel,
    _matrix_rank_data,
    _pinv_data,
    _qr_data,
    _rowmajor,
    _slogdet_data,
    _solve_data,
    _solve_triangular_data,
    _svd_data,
    _unpack,
    _vector_norm_data,
)
from ember.ops.matmul import matrix_power, multi_dot


class LinAlgError(RuntimeError):
    """A matrix that the requested factorization or solve cannot handle (singular, not
    positive-definite), as ``torch.linalg.LinAlgError``."""


# --- inverses and determinants ----------------------------------------------------------------


def _inverse(name, A, check_errors=True):
    """(inverse, info) of ``A``, recorded as LinalgInvExBackward0."""
    _check_input("linalg.inv", A)
    data, info = _inv_data(A._data)
    if check_errors:
        failure = _first_failure(info)
        if failure is not None:
            raise LinAlgError(f"{name}: {_batch_prefix(A._data.ndim, failure[0])}The diagonal "
                              f"element {failure[1]} is zero, the inversion could not be "
                              "completed because the input matrix is singular.")
    inverse = _tensor(data, A._dtype, A._device, colmajor=True)
    info = finish(info, _dtype.int32, A._device)
    if _needs(A):
        _record_op("LinalgInvExBackward0", (_inv_grad,), (A,), (inverse,),
                   {"inverse": inverse})
    return inverse, info


def inv_ex(A: Tensor, *, check_errors: bool = False, out=None):
    """The inverse of square matrices and a LAPACK ``info`` per matrix (0: invertible; k:
    the k-th pivot of its LU factorization is zero)."""
    inverse, info = _inverse("linalg.inv_ex", A, check_errors)
    if out is not None:
        return _finish_out("linalg_inv_ex", out, (inverse, info), (A,), "linalg_inv_ex")
    return return_types.linalg_inv_ex((inverse, info))


def inv(A: Tensor, *, out=None) -> Tensor:
    """The inverse of square matrices; raises LinAlgError on a singular one."""
    inverse, _ = _inverse("linalg.inv", A)
    return inverse if out is None else _finish_out("linalg_inv", out, inverse, (A,))


@method("inverse")
def inverse(input: Tensor, *, out=None) -> Tensor:
    """``torch.inverse``: an alias of ``linalg.inv``."""
    return inv(input, out=out)


@method("det")
def det(A: Tensor, *, out=None) -> Tensor:
    """The determinant of square matrices."""
    _check_input("linalg.det", A, "lu_cpu")
    result = finish(_det_data(A._data), A._dtype, A._device)
    if out is not None:
        return _finish_out("linalg_det", out, result, (A,))
    if _needs(A):
        _record_op("LinalgDetBackward0", (_det_grad,), (A,), (result,),
                   {"A": A, "result": result})
    return result


def _slogdet(A, out, tuple_type):
    _check_input("linalg.slogdet", A)
    sign, logabsdet = _slogdet_data(A._data)
    sign = finish(sign, A._dtype, A._device)
    logabsdet = finish(logabsdet, A._dtype.to_real(), A._device)
    if out is not None:
        return _finish_out(tuple_type, out, (sign, logabsdet), (A,), tuple_type)
    if _needs(A):
        # The sign of a real determinant is locally constant: its gradient is not used.
        record("LinalgSlogdetBackward0", _slogdet_backward, (A,), (sign, logabsdet), (A, sign),
               _materialize_grads=False)
    return getattr(return_types, tuple_type)((sign, logabsdet))


def slogdet(A: Tensor, *, out=None):
    """The sign (phase) and the log of the absolute value of the determinant."""
    return _slogdet(A, out, "linalg_slogdet")


@method("slogdet")
def _torch_slogdet(input: Tensor, *, out=None):
    """``torch.slogdet``: ``linalg.slogdet`` returning ``torch.return_types.slogdet``."""
    return _slogdet(input, out, "slogdet")


@method("logdet")
def logdet(input: Tensor) -> Tensor:
    """The log of the determinant: NaN for a negative one, -inf for a singular one."""
    import ember

    sign, logabsdet = slogdet(input)
    if input._dtype.is_complex:
        return logabsdet + ember.log(sign)
    return ember.where(sign == -1, math.nan, logabsdet)


# --- solvers ----------------------------------------------------------------------------------


def _solve(A, B, left, check_errors):
    """(result, info) of AX = B (XA = B if not ``left``), recorded as LinalgSolveExBackward0."""
    vector = _check_solve(A, B, left)
    b = B._data[..., None] if vector else B._data
    a = A._data if left else _cpu.swapaxes(A._data, -1, -2)
    if not left:
        b = _cpu.swapaxes(b, -1, -2)
    info = _cpu.zeros(a.shape[:-2], _cpu.int32)
    batch = _broadcast_shape(a.shape[:-2], b.shape[:-2])
    wide_a = _cpu.broadcast_to(a, batch + a.shape[-2:])
    b = _cpu.broadcast_to(b, batch + b.shape[-2:])
    data = _solve_data(wide_a, b)
    failure = None
    if data is None:  # LAPACK's gesv fails exactly where getrf meets a zero pivot
        lu, pivots, info = _lu_kernel(a)
        failure = _first_failure(info)
    if failure is not None and check_errors:
        raise LinAlgError(f"torch.linalg.solve: {_batch_prefix(a.ndim, failure[0])}"
                          "The solver failed because the input matrix is singular.")
    if failure is not None:
        data = _lu_solve_batch(lu, pivots, b)
    if not left:
        data = _cpu.swapaxes(data, -1, -2)
    if vector:  # a batch of vectors is laid out as the columns of one matrix
        result = _tensor(data[..., 0], A._dtype, A._device, colmajor=True)
    else:  # XA = B is solved as A^T X^T = B^T: X^T is column-major
        result = _tensor(data, A._dtype, A._device, colmajor=left)
    info = finish(info, _dtype.int32, A._device)
    if _needs(A, B):
        record("LinalgSolveExBackward0", _solve_backward, (A, B), (result,), (A, result),
               left=left, vector=vector)
    return result, info


def solve(A: Tensor, B: Tensor, *, left: bool = True, out=None) -> Tensor:
    """The solution X of AX = B (XA = B when ``left`` is False) for square invertible A."""
    result, _ = _solve(A, B, left, True)
    return result if out is None else _finish_out("linalg_solve", out, result, (A, B))


def solve_ex(A: Tensor, B: Tensor, *, left: bool = True, check_errors: bool = False,
             out=None):
    """``solve`` and LAPACK's ``info`` per matrix (0: solved; k: pivot k of A is zero)."""
    result, info = _solve(A, B, left, check_errors)
    if out is not None:
        return _finish_out("linalg_solve_ex", out, (result, info), (A, B), "linalg_solve_ex")
    return return_types.linalg_solve_ex((result, info))


def solve_triangular(A: Tensor, B: Tensor, *, upper: bool, left: bool = True,
                     unitriangular: bool = False, out=None) -> Tensor:
    """The solution of AX = B (XA = B when not ``left``) for triangular A (only its
    ``upper`` or lower triangle is read; its diagonal is taken as ones if
    ``unitriangular``)."""
    _check_solve_triangular(A, B, left)
    a, b = A._data, B._data
    batch = _broadcast_shape(a.shape[:-2], b.shape[:-2])
    a = _cpu.broadcast_to(a, batch + a.shape[-2:])
    b = _cpu.broadcast_to(b, batch + b.shape[-2:])
    data = _solve_triangular_data(a, b, upper, left, unitriangular)
    result = _tensor(data, A._dtype, A._device, colmajor=True)
    if out is not None:
        return _finish_out("linalg_solve_triangular", out, result, (A, B))
    if _needs(A, B):
        record("LinalgSolveTriangularBackward0", _solve_triangular_backward, (A, B),
               (result,), (A, result), upper=upper, left=left, unitriangular=unitriangular)
    return result


def lstsq(A: Tensor, B: Tensor, rcond: float | None = None, *, driver: str | None = None):
    """The least-squares solution of AX = B, with residuals, rank and singular values as
    PyTorch's CPU drivers give them (``gelsy`` by default)."""
    driver = "gelsy" if driver is None else driver
    vector = _check_lstsq(A, B, driver)
    b = B._data[..., None] if vector else B._data
    m, n = A._data.shape[-2:]
    batch = _broadcast_shape(A._data.shape[:-2], b.shape[:-2])
    a = _cpu.broadcast_to(A._data, batch + (m, n))
    b = _cpu.broadcast_to(b, batch + b.shape[-2:])
    solution, residuals, rank, singular = _lstsq_data(a, b, rcond, driver, vector)
    real, device = A._dtype.to_real(), A._device
    solution = finish(solution, A._dtype, device)
    result = (solution, finish(residuals, real, device), finish(rank, _dtype.int64, device),
              finish(singular, real, device))
    if _needs(A, B):
        record("LinalgLstsqBackward0", _lstsq_backward, (A, B), (solution,), (A, B),
               vector=vector)
    return return_types.linalg_lstsq(result)


# --- Cholesky ---------------------------------------------------------------------------------


def _cholesky(name, A, upper, check_errors, node_name):
    _check_input(name, A, "cholesky_cpu")
    data, info = _cholesky_data(A._data, upper)
    if check_errors:
        failure = _first_failure(info)
        if failure is not None:
            raise LinAlgError(f"{name}: {_batch_prefix(A._data.ndim, failure[0])}The "
                              "factorization could not be completed because the input is not "
                              f"positive-definite (the leading minor of order {failure[1]} is "
                              "not positive-definite).")
    factor = _tensor(data, A._dtype, A._device, colmajor=True)
    info = finish(info, _dtype.int32, A._device)
    if _needs(A):
        _record_op(node_name, (lambda grad, factor: _cholesky_grad(grad, factor, upper),),
                   (A,), (factor,), {"factor": factor})
    return factor, info


def cholesky_ex(A: Tensor, *, upper: bool = False, check_errors: bool = False, out=None):
    """The Cholesky factor of Hermitian positive-definite matrices and a LAPACK ``info``
    per matrix (0: success; k: the leading minor of order k is not positive-definite)."""
    factor, info = _cholesky("linalg.cholesky_ex", A, upper, check_errors,
                             "LinalgCholeskyExBackward0")
    if out is not None:
        return _finish_out("linalg_cholesky_ex", out, (factor, info), (A,),
                           "linalg_cholesky_ex")
    return return_types.linalg_cholesky_ex((factor, info))


def cholesky(A: Tensor, *, upper: bool = False, out=None) -> Tensor:
    """The lower (or ``upper``) Cholesky factor of Hermitian positive-definite matrices."""
    factor, _ = _cholesky("linalg.cholesky", A, upper, True, "LinalgCholeskyExBackward0")
    return factor if out is None else _finish_out("linalg_cholesky", out, factor, (A,))


@method("cholesky")
def _torch_cholesky(input: Tensor, upper: bool = False, *, out=None) -> Tensor:
    """``torch.cholesky`` (deprecated in favour of ``linalg.cholesky``)."""
    _warn_once("cholesky", "torch.cholesky is deprecated in favor of torch.linalg.cholesky "
               "and will be removed in a future PyTorch release.")
    if input._data.size == 0 and input._data.ndim >= 2:  # returned as is, row-major
        return finish(_rowmajor(input._data), input._dtype, input._device)
    if not (input._dtype.is_floating_point or input._dtype.is_complex):
        _no_kernel("cholesky_cpu", input)
    factor, _ = _cholesky("linalg.cholesky", input, upper, True, "CholeskyBackward0")
    return factor if out is None else _finish_out("cholesky", out, factor, (input,))


@method("cholesky_solve")
def cholesky_solve(input: Tensor, input2: Tensor, upper: bool = False, *, out=None) -> Tensor:
    """The solution X of AX = B given B (``input``) and A's Cholesky factor (``input2``)."""
    _check_matrix("cholesky_solve", input, square=False, arg="input")
    _check_same_dtype("cholesky_solve", input, input2, "self", "A")
    factor = input2.mH if upper else input2
    with grad_mode.no_grad():
        y = solve_triangular(factor, input, upper=False)
        x = solve_triangular(factor.mH, y, upper=True)
    result = _tensor(x._data, input._dtype, input._device, colmajor=True)
    if out is not None:
        return _finish_out("cholesky_solve", out, result, (input, input2))
    if _needs(input, input2):
        _record_op("CholeskySolveBackward0", _cholesky_solve_grads(upper), (input, input2),
                   (result,), {"factor_saved": input2, "result": result})
    return result


@method("cholesky_inverse")
def cholesky_inverse(input: Tensor, upper: bool = False, *, out=None) -> Tensor:
    """The inverse of A from its Cholesky factor ``input``."""
    _check_matrix("cholesky_inverse", input)
    eye = _cpu.broadcast_to(_cpu.eye(input._data.shape[-1], dtype=input._dtype._np),
                            input._data.shape)
    with grad_mode.no_grad():
        result = cholesky_solve(finish(eye.copy(), input._dtype, input._device), input, upper)
    if out is not None:
        return _finish_out("cholesky_inverse", out, result, (input,))
    if _needs(input):
        _record_op("CholeskyInverseBackward0", (_cholesky_inverse_grad(upper),), (input,),
                   (result,), {"factor": input, "result": result})
    return result


# --- QR ---------------------------------------------------------------------------------------


def _qr(A, mode):
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    _check_input("linalg.qr", A, "geqrf_cpu", square=False)
    q, r = _qr_data(A._data, mode)
    Q = _tensor(q, A._dtype, A._device, colmajor=True)
    R = _tensor(r, A._dtype, A._device, colmajor=True)
    if _needs(A):  # saves A: see Note [Recomputed factors] in _linalg_grad.py
        record("LinalgQrBackward0", _qr_backward, (A,), (Q, R), (A,), mode=mode,
               _materialize_grads=False)
    return Q, R


def qr(A: Tensor, mode: str = "reduced", *, out=None):
    """The QR decomposition: ``mode`` "reduced" (Q m x k), "complete" (Q m x m) or "r"
    (R only, Q empty)."""
    Q, R = _qr(A, mode)
    if out is not None:
        return _finish_out("linalg_qr", out, (Q, R), (A,), "linalg_qr")
    return return_types.linalg_qr((Q, R))


@method("qr")
def _torch_qr(input: Tensor, some: bool = True, *, out=None):
    """``torch.qr`` (deprecated in favour of ``linalg.qr``)."""
    _warn_once("qr", "torch.qr is deprecated in favor of torch.linalg.qr and will be "
               "removed in a future PyTorch release.")
    Q, R = _qr(input, "reduced" if some else "complete")
    if out is not None:
        return _finish_out("qr", out, (Q, R), (input,), "qr")
    return return_types.qr((Q, R))


# --- singular values --------------------------------------------------------------------------


def svd(A: Tensor, full_matrices: bool = True, *, driver: str | None = None, out=None):
    """The singular value decomposition A = U diag(S) Vh, S in descending order."""
    _check_input("linalg.svd", A, "linalg_svd_cpu", square=False)
    if driver is not None:
        raise RuntimeError("torch.linalg.svd: keyword argument `driver=` is only supported on "
                           "CUDA inputs with cuSOLVER backend.")
    u, s, vh = _svd_data(A._data, full_matrices)
    U = _tensor(u, A._dtype, A._device, colmajor=True)
    S = finish(s, A._dtype.to_real(), A._device)
    Vh = _tensor(vh, A._dtype, A._device, colmajor=True)
    if out is not None:
        return _finish_out("linalg_svd", out, (U, S, Vh), (A,), "linalg_svd")
    if _needs(A):
        record("LinalgSvdBackward0", _svd_backward, (A,), (U, S, Vh), (A,),
               full_matrices=full_matrices, _materialize_grads=False)
    return return_types.linalg_svd((U, S, Vh))


def svdvals(A: Tensor, *, driver: str | None = None, out=None) -> Tensor:
    """The singular values of A, in descending order."""
    _check_input("linalg.svd", A, "linalg_svd_cpu", square=False)
    _, s, _ = _svd_data(A._data, False, compute_uv=False)
    S = finish(s, A._dtype.to_real(), A._device)
    if out is not None:
        return _finish_out("linalg_svdvals", out, S, (A,))
    if _needs(A):
        record("LinalgSvdBackward0", _svdvals_backward, (A,), (S,), (A,),
               _materialize_grads=False)
    return S


@method("svd")
def _torch_svd(input: Tensor, some: bool = True, compute_uv: bool = True, *, out=None):
    """``torch.svd``: U, S and V (not Vh); ``some`` for the reduced decomposition."""
    if not compute_uv:
        S = svdvals(input)
        m, n = input._data.shape[-2:]
        batch = input._data.shape[:-2]
        U = finish(_cpu.zeros(batch + (m, m), input._dtype._np), input._dtype, input._device)
        V = finish(_cpu.zeros(batch + (n, n), input._dtype._np), input._dtype, input._device)
        result = (U, S, V)
    else:
        U, S, Vh = svd(input, full_matrices=not some)
        result = (U, S, Vh.mH)
    if out is not None:
        return _finish_out("svd", out, result, (input,), "svd")
    return return_types.svd(result)


def _tolerance(value):
    """A tolerance as the kernels take it: a number, or a tensor's array."""
    return value._data if isinstance(value, Tensor) else value


def pinv(A: Tensor, rcond=None, hermitian: bool = False, *, atol=None, rtol=None,
         out=None) -> Tensor:
    """The Moore-Penrose pseudo-inverse; singular values at or under
    max(atol, rtol * largest) are treated as zero (``rcond``, the older spelling, is
    rtol)."""
    if rcond is not None:
        atol, rtol = 0.0, rcond
    _check_pinv(A)
    if hermitian:
        _check_matrix("linalg.eigh", A)
    data = _pinv_data(A._data, hermitian, _tolerance(atol), _tolerance(rtol))
    result = finish(data, A._dtype, A._device)
    if out is not None:
        check_out_allowed("linalg_pinv", A)
        return _write_castable("linalg.pinv", out, result)
    if _needs(A):
        _record_op("LinalgPinvBackward0", (_pinv_grad,), (A,), (result,),
                   {"pinvA": result, "A": A})
    return result


@method("pinverse")
def pinverse(input: Tensor, rcond: float = 1e-15) -> Tensor:
    """``torch.pinverse``: ``linalg.pinv`` with ``rtol=rcond``."""
    return pinv(input, rtol=rcond)


def matrix_rank(A: Tensor, tol=None, hermitian: bool = False, *, atol=None, rtol=None,
                out=None) -> Tensor:
    """The number of singular values over max(atol, rtol * largest singular value)."""
    if tol is not None:
        atol, rtol = tol, 0.0
    _check_matrix_rank(A, rtol)
    rank = _matrix_rank_data(A._data, hermitian, _tolerance(atol), _tolerance(rtol))
    result = finish(rank, _dtype.int64, A._device)
    if out is not None:
        return _write_castable("linalg.matrix_rank", out, result)
    return result


# --- eigenvalues ------------------------------------------------------------------------------


def eigh(A: Tensor, UPLO: str = "L", *, out=None):
    """Eigenvalues (ascending) and orthonormal eigenvectors of Hermitian matrices, read
    from their lower (``UPLO`` "L") or upper triangle."""
    UPLO = _check_uplo(UPLO)
    _check_eigh(A)
    values, vectors = _eigh_data(A._data, UPLO)
    L = finish(values, A._dtype.to_real(), A._device)
    V = _tensor(vectors, A._dtype, A._device, colmajor=True)
    if out is not None:
        return _finish_out("linalg_eigh", out, (L, V), (A,), "linalg_eigh")
    if _needs(A):
        record("LinalgEighBackward0", _eigh_backward, (A,), (L, V), (A,), UPLO=UPLO,
               _materialize_grads=False)
    return return_types.linalg_eigh((L, V))


def eigvalsh(A: Tensor, UPLO: str = "L", *, out=None) -> Tensor:
    """The eigenvalues (ascending) of Hermitian matrices."""
    UPLO = _check_uplo(UPLO)
    if _needs(A):
        L, V = eigh(A, UPLO)
        return L
    _check_eigh(A)
    values = _eigh_data(A._data, UPLO, eigenvectors=False)
    L = finish(values, A._dtype.to_real(), A._device)
    return L if out is None else _finish_out("linalg_eigvalsh", out, L, (A,))


def eig(A: Tensor, *, out=None):
    """Eigenvalues and eigenvectors (each of unit norm, its largest component real) of
    square matrices, complex even for real input."""
    _check_eig(A)
    dtype = _complex_of(A._dtype)
    values, vectors = _eig_data(A._data, dtype._np)
    L = finish(values, dtype, A._device)
    V = _tensor(vectors, dtype, A._device, colmajor=True)
    if out is not None:
        return _finish_out("linalg_eig", out, (L, V), (A,), "linalg_eig")
    if _needs(A):
        record("LinalgEigBackward0", _eig_backward, (A,), (L, V), (A,),
               input_complex=A._dtype.is_complex, _materialize_grads=False)
    return return_types.linalg_eig((L, V))


def eigvals(A: Tensor, *, out=None) -> Tensor:
    """The eigenvalues of square matrices (complex)."""
    _check_eig(A)
    if _needs(A):
        return eig(A)[0]
    dtype = _complex_of(A._dtype)
    L = finish(_eig_data(A._data, dtype._np, eigenvectors=False), dtype, A._device)
    if out is not None:
        check_out_allowed("linalg_eigvals", A)
        return _write_castable("torch.linalg.eigvals", out, L, "eigenvalues")
    return L


# --- norms ------------------------------------------------------------------------------------


def vector_norm(x: Tensor, ord=2, dim=None, keepdim: bool = False, *, dtype=None,
                out=None) -> Tensor:
    """The vector ``ord``-norm over ``dim`` (all elements when None)."""
    _check_vector_norm(x, ord, dtype)
    if dtype is not None and dtype is not x._dtype:
        x = x.to(dtype)
    ndim = x._data.ndim
    dims = reduction_dims(dim, max(ndim, 1)) if ndim else (
        None if dim is None else reduction_dims(dim, 1))
    if ndim == 0:
        dims = None
    axes = dims if dims is not None else tuple(range(ndim))
    if (ord < 0 or math.isinf(ord)) and not math.prod(x._data.shape[axis] for axis in axes):
        raise RuntimeError(f"linalg.vector_norm cannot compute the {_ord_text(ord)} norm on an "
                           "empty tensor because the operation does not have an identity")
    result_dtype = x._dtype.to_real()
    data = x._data.astype(_cpu.float32) if x._dtype in _HALF else x._data
    result = finish(_vector_norm_data(data, ord, axes, keepdim), result_dtype, x._device)
    if out is not None:
        return _finish_out("linalg_vector_norm", out, result, (x,), check_overlap=False)
    if _needs(x):
        _record_op("LinalgVectorNormBackward0",
                   (_vector_norm_grad(ord, dims, keepdim, ndim),),
                   (x,), (result,), {"input": x, "result": result})
    return result


def _matrix_norm_value(A, ord, dim, keepdim):
    """The matrix norm as a composition of ember ops (so its gradient is theirs)."""
    dim0, dim1 = dim
    if ord == "fro":
        return vector_norm(A, 2, dim, keepdim)
    if ord in ("nuc", 2, -2):
        ndim = A._data.ndim
        permutation = [d for d in range(ndim) if d not in (dim0, dim1)] + [dim0, dim1]
        values = svdvals(A.permute(permutation))
        if ord == "nuc":
            result = values.sum(-1, keepdim=keepdim)
        elif ord == 2:
            result = values.amax(-1, keepdim=keepdim)
        else:
            result = values.amin(-1, keepdim=keepdim)
        if keepdim:
            reverse = [permutation.index(d) for d in range(ndim)]
            result = result.unsqueeze(-1).permute(reverse)
        return result
    if math.isinf(ord):
        dim0, dim1 = dim1, dim0
    if not keepdim and dim0 < dim1:
        dim1 -= 1
    summed = vector_norm(A, 1, dim0, keepdim)
    return summed.amax(dim1, keepdim=keepdim) if ord > 0 else summed.amin(dim1,
                                                                         keepdim=keepdim)


def matrix_norm(A: Tensor, ord="fro", dim=(-2, -1), keepdim: bool = False, *, dtype=None,
                out=None) -> Tensor:
    """The matrix norm ``ord`` ("fro", "nuc", ±1, ±2, ±inf) over the two dims ``dim``."""
    name = "linalg.matrix_norm"
    wrapped = _check_matrix_norm(A, ord, dim)
    if dtype is not None and dtype is not A._dtype:
        A = A.to(dtype)
    if ord not in ("fro",) and ord not in (1, -1, math.inf, -math.inf):
        _check_float(name, A)
    result = _matrix_norm_value(A, ord, wrapped, keepdim)
    if out is not None:
        check_out_allowed("linalg_matrix_norm", A)
        if out._dtype is not result._dtype:
            raise RuntimeError(f"{name} expected out tensor dtype {result._dtype._legacy_name} "
                               f"but got: {out._dtype._legacy_name}")
        return write_out(out, result)
    return result


def norm(A: Tensor, ord=None, dim=None, keepdim: bool = False, *, out=None,
         dtype=None) -> Tensor:
    """A vector or a matrix norm, chosen by ``ord`` and ``dim`` as ``torch.linalg.norm``."""
    if dim is not None and isinstance(dim, int):
        dim = (dim,)
    if ord is not None:
        if dim is None and A._data.ndim not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input "
                               f"must be 1D or 2D. Got {A._data.ndim}D.")
        if isinstance(ord, str) or (len(dim) == 2 if dim is not None else A._data.ndim == 2):
            return matrix_norm(A, ord, (-2, -1) if dim is None else dim, keepdim, dtype=dtype,
                               out=out)
        return vector_norm(A, ord, dim, keepdim, dtype=dtype, out=out)
    return vector_norm(A, 2, dim, keepdim, dtype=dtype, out=out)


def cond(A: Tensor, p=None, *, out=None) -> Tensor:
    """The condition number of A in the norm ``p`` (the 2-norm by default)."""
    import ember

    if p in (None, 2, -2):
        _check_matrix("linalg.cond", A, square=False)
        values = svdvals(A)
        if values._data.shape[-1] == 0:
            result = values.sum(-1)
        elif p == -2:
            result = (values[..., -1:] / values[..., :1]).squeeze(-1)
        else:
            result = (values[..., :1] / values[..., -1:]).squeeze(-1)
    else:
        if A._data.ndim < 2:
            raise RuntimeError("linalg.cond: The input tensor A must have at least 2 "
                               "dimensions.")
        if A._data.shape[-1] != A._data.shape[-2]:
            raise RuntimeError(f"linalg.cond(ord={_ord_text(p)}): A must be batches of square "
                               f"matrices, but they are {A._data.shape[-2]} by "
                               f"{A._data.shape[-1]} matrices")
        inverse, info = inv_ex(A)
        singular = finish(info._data > 0, _dtype.bool, A._device)
        if singular._data.any():
            inverse = ember.where(singular.unsqueeze(-1).unsqueeze(-1), math.inf, inverse)
        result = ember.nan_to_num(matrix_norm(A, p) * matrix_norm(inverse, p), math.inf, math.inf)
    if out is not None:
        check_out_allowed("linalg_cond", A)
        return _write_castable("linalg.cond", out, result)
    return result


# --- products and the rest --------------------------------------------------------------------


def vecdot(x: Tensor, y: Tensor, *, dim: int = -1, out=None) -> Tensor:
    """The dot product of vectors along ``dim``: sum(conj(x) * y)."""
    name = "linalg.vecdot"
    _check_floating(name, x)
    _check_same_dtype(name, x, y, "x", "y")
    shape = _broadcast_shape(x._data.shape, y._data.shape)
    _wrap_dim(dim, len(shape))
    result = (_conj(x) * y).sum(dim)
    if out is not None:
        check_out_allowed("linalg_vecdot", x, y)
        if out._dtype is not result._dtype:
            raise RuntimeError(f"{name}: Expected out of dtype{result._dtype._legacy_name} "
                               f"but found {out._dtype._legacy_name}")
        return write_out(out, result)
    return result


def cross(input: Tensor, other: Tensor, *, dim: int = -1, out=None) -> Tensor:
    """The cross product of 3-vectors along ``dim`` (broadcast)."""
    axis = _check_cross(input, other, dim)
    shape = _broadcast_shape(input._data.shape, other._data.shape)
    if input._dtype is _dtype.bool:
        raise NotImplementedError("\"cross\" not implemented for 'Bool'")
    a = _cpu.broadcast_to(input._data, shape)
    b = _cpu.broadcast_to(other._data, shape)
    data = _cpu.cross(a, b, axisa=axis, axisb=axis, axisc=axis)
    result = finish(_cpu.ascontiguousarray(data), input._dtype, input._device)
    if out is not None:
        return _finish_out("linalg_cross", out, result, (input, other))
    if _needs(input, other):
        _record_op("LinalgCrossBackward0",
                   (lambda grad, other: cross(_conj(other), grad, dim=dim),
                    lambda grad, input: cross(grad, _conj(input), dim=dim)),
                   (input, other), (result,), {"input": input, "other": other})
    return result


@method("matrix_exp")
def matrix_exp(A: Tensor) -> Tensor:
    """The matrix exponential of square matrices."""
    _check_matrix("linalg.matrix_exp", A)
    _check_floating("linalg.matrix_exp", A)
    data = A._data.astype(_cpu.float32) if A._dtype in _HALF else A._data
    result = _tensor(_matrix_exp_kernel(data), A._dtype, A._device)
    if _needs(A):
        _record_op("LinalgMatrixExpBackward0", (_matrix_exp_grad,), (A,), (result,), {"A": A})
    return result


def diagonal(A: Tensor, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """The diagonal of the matrices (a view), as ``torch.diagonal`` with matrix defaults."""
    return A.diagonal(offset, dim1, dim2)


# --- LU ---------------------------------------------------------------------------------------


def _lu_factor(name, A, pivot, node_name="LinalgLuFactorExBackward0"):
    _check_matrix(name, A, square=False)
    if not pivot:
        raise RuntimeError(f"{name}: LU without pivoting is not implemented on the CPU")
    if not (A._dtype.is_floating_point or A._dtype.is_complex) or A._dtype in _HALF:
        _no_kernel("lu_cpu", A)
    lu, pivots, info = _lu_kernel(A._data)
    LU = _tensor(lu, A._dtype, A._device, colmajor=True)
    if node_name is not None and _needs(A):
        record(node_name, _lu_factor_backward, (A,), (LU,), (A,))
    return LU, finish(pivots, _dtype.int32, A._device), finish(info, _dtype.int32, A._device)


def lu_factor_ex(A: Tensor, *, pivot: bool = True, check_errors: bool = False, out=None):
    """LAPACK's compact LU factorization with partial pivoting, and ``info``."""
    LU, pivots, info = _lu_factor("torch.linalg.lu_factor_ex", A, pivot)
    if check_errors:
        failure = _first_failure(info._data)
        if failure is not None:
            raise LinAlgError(f"torch.linalg.lu_factor_ex: "
                              f"{_batch_prefix(A._data.ndim, failure[0])}U[{failure[1]},"
                              f"{failure[1]}] is zero and using it on lu_solve would result "
                              "in a division by zero.")
    result = (LU, pivots, info)
    if out is not None:
        return _finish_out("linalg_lu_factor_ex", out, result, (A,), "linalg_lu_factor_ex")
    return return_types.linalg_lu_factor_ex(result)


def lu_factor(A: Tensor, *, pivot: bool = True, out=None):
    """The compact LU factorization (LU, pivots) of A, with partial pivoting."""
    LU, pivots, info = _lu_factor("torch.linalg.lu_factor", A, pivot)
    failure = _first_failure(info._data)
    if failure is not None:
        raise RuntimeError(f"torch.linalg.lu_factor: "
                           f"{_batch_prefix(A._data.ndim, failure[0])}U[{failure[1]},"
                           f"{failure[1]}] is zero and using it on lu_solve would result in a "
                           "division by zero. If you still want to perform the factorization, "
                           "consider calling linalg.lu(A, pivot) or linalg.lu_factor_ex(A, "
                           "pivot)")
    if out is not None:
        return _finish_out("linalg_lu_factor", out, (LU, pivots), (A,), "linalg_lu_factor")
    return return_types.linalg_lu_factor((LU, pivots))


def lu(A: Tensor, *, pivot: bool = True, out=None):
    """The LU decomposition with partial pivoting A = P L U."""
    LU, pivots, _ = _lu_factor("linalg.lu", A, pivot, node_name=None)
    P, L, U = _unpack(LU._data, pivots._data)
    result = tuple(_tensor(x, A._dtype, A._device) for x in (P, L, U))
    if out is not None:
        return _finish_out("linalg_lu", out, result, (A,), "linalg_lu")
    if _needs(A):
        record("LinalgLuBackward0", _lu_backward, (A,), result, (A,), _materialize_grads=False)
    return return_types.linalg_lu(result)


def _torch_lu(A: Tensor, pivot: bool = True, get_infos: bool = False, out=None):
    """``torch.lu`` (deprecated): the compact LU factorization (LU, pivots), and the
    ``info`` of each matrix if ``get_infos`` (else a singular matrix is an error)."""
    _warn_once("lu", "torch.lu is deprecated in favor of torch.linalg.lu_factor / "
               "torch.linalg.lu_factor_ex and will be removed in a future PyTorch release.")
    LU, pivots, info = lu_factor_ex(A, pivot=pivot, check_errors=not get_infos)
    result = (LU, pivots, info) if get_infos else (LU, pivots)
    if out is not None:
        result = tuple(_finish_out("lu", o, r, (A,)) for o, r in zip(out, result))
    return _LU_WITH_INFO(result) if get_infos else result


_LU_WITH_INFO = return_types._return_type("_lu_with_info", ("LU", "pivots", "info"))


@method("lu")
def _tensor_lu(self: Tensor, pivot: bool = True, get_infos: bool = False):
    """``Tensor.lu``: ``torch.lu`` returning a plain tuple."""
    return tuple(_torch_lu(self, pivot, get_infos))


@method("triangular_solve")
def triangular_solve(input: Tensor, A: Tensor, upper: bool = True, transpose: bool = False,
                     unitriangular: bool = False, *, out=None):
    """``torch.triangular_solve`` (deprecated): the solution X of op(A) X = b (op(A) = A or
    A^T) and a copy of A."""
    _warn_once("triangular_solve", "torch.triangular_solve is deprecated in favor of "
               "torch.linalg.solve_triangularand will be removed in a future PyTorch release.")
    with grad_mode.no_grad():
        coefficient = A.mT if transpose else A
        solution = solve_triangular(coefficient, input, upper=upper != transpose,
                                    unitriangular=unitriangular)
    batch = _broadcast_shape(input._data.shape[:-2], A._data.shape[:-2])
    cloned = _tensor(_cpu.broadcast_to(A._data, batch + A._data.shape[-2:]), A._dtype,
                     A._device, colmajor=True)
    if out is not None:
        return _finish_out("triangular_solve", out, (solution, cloned), (input, A),
                           "triangular_solve")
    if _needs(input, A):
        record("TriangularSolveBackward0", _triangular_solve_backward, (input, A),
               (solution, cloned), (A, solution), upper=upper, transpose=transpose,
               unitriangular=unitriangular, _materialize_grads=False)
    return return_types.triangular_solve((solution, cloned))


__all__ = [
    "LinAlgError", "cholesky", "cholesky_ex", "cond", "cross", "det", "diagonal", "eig",
    "eigh", "eigvals", "eigvalsh", "inv", "inv_ex", "lstsq", "lu", "lu_factor", "lu_factor_ex",
    "matrix_exp", "matrix_norm", "matrix_power", "matrix_rank", "multi_dot", "norm", "pinv",
    "qr", "slogdet", "solve", "solve_ex", "solve_triangular", "svd", "svdvals", "vecdot",
    "vector_norm",
]
