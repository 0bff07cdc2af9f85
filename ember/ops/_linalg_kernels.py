"""The kernels of the linear algebra ops in ember/ops/linalg.py, over batches of NumPy arrays.

Most are NumPy's LAPACK wrappers (``numpy.linalg``) applied over the leading batch dims, with
what PyTorch's LAPACK calls give where NumPy's differ (empty inputs, failed factorizations);
the few LAPACK routines NumPy does not wrap (getrf's pivoted LU, trsm's triangular solve, the
matrix exponential) are written here. Results take the layout PyTorch's LAPACK calls leave:
column-major matrices, batch-major stacks."""

from __future__ import annotations

import math

from ember.backends import cpu as _cpu

_lapack = _cpu.linalg


# --- layouts ----------------------------------------------------------------------------------


def _colmajor(data):
    """``data`` with column-major matrices, the layout LAPACK leaves PyTorch's results in."""
    if data.size == 0:  # NumPy gives empty arrays all-zero strides: spell PyTorch's out
        *batch, m, n = data.shape
        strides, step = [1, max(m, 1)], max(m, 1) * max(n, 1)
        for size in reversed(batch):
            strides.insert(0, step)
            step *= max(size, 1)
        item = data.dtype.itemsize
        return _cpu.as_strided(_cpu.empty(1, data.dtype), data.shape,
                               tuple(s * item for s in strides))
    result = _cpu.swapaxes(_cpu.empty(data.shape[:-2] + data.shape[:-3:-1], data.dtype), -1, -2)
    result[...] = data
    return result


def _rowmajor(data):
    """``data`` C-contiguous (an empty array too, whose strides NumPy leaves as they were)."""
    if data.size:
        return _cpu.ascontiguousarray(data)
    return _cpu.empty(data.shape, data.dtype)


def _first_failure(info):
    """The flat index and value of the first non-zero ``info``, or None."""
    flat = info.reshape(-1)
    failed = _cpu.flatnonzero(flat)
    if not failed.size:
        return None
    return int(failed[0]), int(flat[failed[0]])


# --- LU and triangular solves -----------------------------------------------------------------


def _lu_kernel(a):
    """LAPACK getrf over a batch: partial pivoting on the first largest |re| + |im| of each
    column. Returns (LU, pivots (1-based, int32), info (first zero pivot, 1-based))."""
    *batch, m, n = a.shape
    k = min(m, n)
    lu = a.reshape(-1, m, n).copy()
    count = lu.shape[0]
    if lu.size == 0:
        return (a.copy(), _cpu.ones(tuple(batch) + (k,), _cpu.int32) * _cpu.arange(1, k + 1,
                dtype=_cpu.int32), _cpu.zeros(tuple(batch), _cpu.int32))
    pivots = _cpu.zeros((count, k), _cpu.int32)
    info = _cpu.zeros(count, _cpu.int32)
    rows = _cpu.arange(count)
    for j in range(k):
        column = lu[:, j:, j]
        size = _cpu.abs(column.real) + _cpu.abs(column.imag) if lu.dtype.kind == "c" else (
            _cpu.abs(column))
        p = _cpu.argmax(size, axis=1) + j
        pivots[:, j] = p + 1
        row_j = lu[rows, j, :].copy()
        lu[rows, j, :] = lu[rows, p, :]
        lu[rows, p, :] = row_j
        pivot = lu[:, j, j]
        zero = pivot == 0
        info[(info == 0) & zero] = j + 1
        factors = lu[:, j + 1:, j] / _cpu.where(zero, 1, pivot)[:, None]
        lu[:, j + 1:, j] = _cpu.where(zero[:, None], lu[:, j + 1:, j], factors)
        lu[:, j + 1:, j + 1:] -= lu[:, j + 1:, j, None] * lu[:, j, None, j + 1:]
    return (lu.reshape(*batch, m, n), pivots.reshape(*batch, k), info.reshape(batch))


def _unpack(lu, pivots):
    """P, L, U from a compact LU and its pivots."""
    *batch, m, n = lu.shape
    k = min(m, n)
    perm = _cpu.broadcast_to(_cpu.arange(m), tuple(batch) + (m,)).copy().reshape(-1, m)
    flat_pivots = pivots.reshape(-1, k) - 1
    rows = _cpu.arange(perm.shape[0])
    for j in range(k):
        target = flat_pivots[:, j]
        current = perm[rows, j].copy()
        perm[rows, j] = perm[rows, target]
        perm[rows, target] = current
    P = _cpu.zeros((perm.shape[0], m, m), lu.dtype)
    for index in range(perm.shape[0]):
        P[index, perm[index], _cpu.arange(m)] = 1
    L = _cpu.tril(lu[..., :, :k], -1) + _cpu.eye(m, k, dtype=lu.dtype)
    U = _cpu.triu(lu[..., :k, :])
    return P.reshape(*batch, m, m), L, U


def _triangular_kernel(a, b, upper, unitriangular):
    """Solve ``a x = b`` for triangular ``a`` (trsm): substitution row by row, so that a
    zero on the diagonal gives infinities and NaNs as LAPACK's does, not an error."""
    n = a.shape[-1]
    dtype = _cpu.result_type(a, b)
    x = _cpu.zeros(b.shape, dtype)
    order = range(n - 1, -1, -1) if upper else range(n)
    done = []
    for i in order:
        row = b[..., i, :].astype(dtype)
        if done:
            lo, hi = (i + 1, n) if upper else (0, i)
            row = row - _cpu.matmul(a[..., i:i + 1, lo:hi], x[..., lo:hi, :])[..., 0, :]
        x[..., i, :] = row if unitriangular else row / a[..., i, i, None]
        done.append(i)
    return x


def _lu_solve_data(lu, pivots, b):
    """Solve with one getrf factorization (getrs): permute, then two substitutions."""
    b = b.copy()
    for j, p in enumerate(pivots):
        b[[j, p - 1]] = b[[p - 1, j]]
    y = _triangular_kernel(lu, b, upper=False, unitriangular=True)
    return _triangular_kernel(lu, y, upper=True, unitriangular=False)


def _lu_solve_batch(lu, pivots, b):
    """getrs over a batch: solve ``b`` with the factorizations ``lu``, ``pivots`` broadcast
    to its batch, one matrix at a time."""
    n = lu.shape[-1]
    batch = b.shape[:-2]
    lu = _cpu.broadcast_to(lu, batch + lu.shape[-2:])
    pivots = _cpu.broadcast_to(pivots, batch + pivots.shape[-1:])
    data = _cpu.empty(b.shape, lu.dtype)
    flat_lu, flat_piv = lu.reshape(-1, n, n), pivots.reshape(-1, n)
    flat_b, flat_out = b.reshape(-1, *b.shape[-2:]), data.reshape(-1, *b.shape[-2:])
    for index in range(flat_b.shape[0]):
        flat_out[index] = _lu_solve_data(flat_lu[index], flat_piv[index], flat_b[index])
    return data


def _solve_data(a, b):
    """gesv: the solution of a x = b, or None when one of the matrices is singular."""
    try:
        return _lapack.solve(a, b) if b.size else _cpu.zeros(b.shape, a.dtype)
    except _lapack.LinAlgError:
        return None


def _solve_triangular_data(a, b, upper, left, unitriangular):
    """trsm for AX = B, or XA = B (not ``left``) solved as A^T X^T = B^T; a zero on the
    diagonal gives infinities and NaNs without a warning."""
    with _cpu.errstate(all="ignore"):
        if left:
            return _triangular_kernel(a, b, upper, unitriangular)
        return _cpu.swapaxes(_triangular_kernel(
            _cpu.swapaxes(a, -1, -2), _cpu.swapaxes(b, -1, -2), not upper, unitriangular),
            -1, -2)


def _inv_data(data):
    """(inverse, info) of a batch of square matrices; a singular one's inverse holds the
    infinities and NaNs of dividing by its zero pivot."""
    info = _cpu.zeros(data.shape[:-2], _cpu.int32)
    try:  # LAPACK's gesv fails exactly where getrf meets a zero pivot
        return _lapack.inv(data), info
    except _lapack.LinAlgError:
        _, _, info = _lu_kernel(data)
    inverse = _cpu.empty_like(data)
    flat, flat_info = data.reshape(-1, *data.shape[-2:]), info.reshape(-1)
    result = inverse.reshape(-1, *data.shape[-2:])
    eye = _cpu.eye(data.shape[-1], dtype=data.dtype)
    for index in range(flat.shape[0]):
        if flat_info[index]:
            with _cpu.errstate(all="ignore"):
                lu, pivots, _ = _lu_kernel(flat[index])
                result[index] = _lu_solve_data(lu, pivots, eye)
        else:
            result[index] = _lapack.inv(flat[index])
    return inverse, info


# --- determinants and eigenvalues -------------------------------------------------------------


def _det_data(a):
    """The determinant; an empty matrix's is 1."""
    return _lapack.det(a) if a.size else _cpu.ones(a.shape[:-2], a.dtype)


def _slogdet_data(a):
    """(sign, log |det|); an empty matrix's determinant is 1."""
    if a.size:
        return _lapack.slogdet(a)
    return _cpu.ones(a.shape[:-2], a.dtype), _cpu.zeros(a.shape[:-2], a.real.dtype)


def _eigh_data(a, UPLO, eigenvectors=True):
    """The eigenvalues (ascending) of Hermitian matrices read from their ``UPLO`` triangle,
    and their eigenvectors where ``eigenvectors``."""
    if not eigenvectors:
        return _lapack.eigvalsh(a, UPLO) if a.size else _cpu.zeros(a.shape[:-1], a.real.dtype)
    if a.size:
        return _lapack.eigh(a, UPLO)
    return _cpu.zeros(a.shape[:-1], a.real.dtype), a.copy()


def _eig_data(a, dtype, eigenvectors=True):
    """The eigenvalues of square matrices, and their eigenvectors where ``eigenvectors``, as
    the complex ``dtype``."""
    if not eigenvectors:
        values = _lapack.eigvals(a) if a.size else _cpu.zeros(a.shape[:-1], dtype)
        return values.astype(dtype)
    values, vectors = _lapack.eig(a) if a.size else (_cpu.zeros(a.shape[:-1], dtype),
                                                       a.astype(dtype))
    return values.astype(dtype), vectors.astype(dtype)


# --- Cholesky, QR and singular values ---------------------------------------------------------


def _cholesky_data(a, upper):
    """(factor, info): info is the order of the first leading minor that is not positive
    definite, as potrf reports it; the factor of a failed matrix is left partial."""
    info = _cpu.zeros(a.shape[:-2], _cpu.int32)
    if upper:
        a = _cpu.conj(_cpu.swapaxes(a, -1, -2))
    try:
        factor = _lapack.cholesky(a) if a.size else a.copy()
    except _lapack.LinAlgError:
        factor = _cpu.zeros_like(a)
        flat, flat_factor, flat_info = (a.reshape(-1, *a.shape[-2:]),
                                        factor.reshape(-1, *a.shape[-2:]), info.reshape(-1))
        for index in range(flat.shape[0]):
            try:
                flat_factor[index] = _lapack.cholesky(flat[index])
            except _lapack.LinAlgError:
                order = next(k for k in range(1, a.shape[-1] + 1)
                             if not _is_positive_definite(flat[index, :k, :k]))
                flat_info[index] = order
                if order > 1:
                    flat_factor[index, :order - 1, :order - 1] = _lapack.cholesky(
                        flat[index, :order - 1, :order - 1])
    if upper:
        factor = _cpu.conj(_cpu.swapaxes(factor, -1, -2))
    return factor, info


def _is_positive_definite(a):
    try:
        _lapack.cholesky(a)
    except _lapack.LinAlgError:
        return False
    return True


def _qr_data(a, mode):
    """(Q, R) of ``mode`` "reduced", "complete" or "r" (Q empty)."""
    if mode == "r":
        r = _lapack.qr(a, mode="r") if a.size else _cpu.zeros(
            a.shape[:-2] + (min(a.shape[-2:]), a.shape[-1]), a.dtype)
        return _cpu.zeros((0,), a.dtype), r
    if a.size:
        return _lapack.qr(a, mode=mode)
    m, n = a.shape[-2:]
    k = m if mode == "complete" else min(m, n)
    q = _cpu.broadcast_to(_cpu.eye(m, k, dtype=a.dtype), a.shape[:-2] + (m, k)).copy()
    return q, _cpu.zeros(a.shape[:-2] + (k, n), a.dtype)


def _svd_data(a, full_matrices, compute_uv=True):
    """(U, S, Vh) (U and Vh None unless ``compute_uv``); an empty matrix's U and Vh are
    identities, as PyTorch gives them."""
    m, n = a.shape[-2:]
    k = min(m, n)
    real = a.real.dtype
    if a.size:
        if not compute_uv:
            return None, _lapack.svd(a, compute_uv=False).astype(real), None
        u, s, vh = _lapack.svd(a, full_matrices=full_matrices)
        return u, s.astype(real), vh
    batch = a.shape[:-2]
    rows_u, rows_vh = (m, n) if full_matrices else (k, k)
    u = _cpu.broadcast_to(_cpu.eye(m, rows_u, dtype=a.dtype), batch + (m, rows_u)).copy()
    vh = _cpu.broadcast_to(_cpu.eye(rows_vh, n, dtype=a.dtype), batch + (rows_vh, n)).copy()
    return u, _cpu.zeros(batch + (k,), real), vh


# --- least squares, pseudo-inverse and rank ---------------------------------------------------


def _lstsq_data(a, b, rcond, driver, vector):
    """(solution, residuals, rank, singular values) of the least-squares problems a x = b
    (b broadcast to a's batch; a batch of vectors if ``vector``), through an SVD that drops
    the singular values under ``rcond`` times the largest, as the CPU ``driver`` (gels,
    gelsy, gelsd or gelss) reports them: residuals where m > n and (but for gels) A has full
    rank, the rank but for gels, the singular values for gelsd and gelss; empty otherwise."""
    *batch, m, n = a.shape
    batch = tuple(batch)
    real = a.real.dtype
    if rcond is None:
        rcond = float(_cpu.finfo(real).eps) * max(m, n)
    k = b.shape[-1]
    if a.size and b.size:
        u, s, vh = _lapack.svd(a, full_matrices=False)
        threshold = rcond * s[..., :1]
        keep = s > threshold
        s_inv = _cpu.where(keep, 1 / _cpu.where(keep, s, 1), 0)
        uh_b = _cpu.matmul(_cpu.conj(_cpu.swapaxes(u, -1, -2)), b)
        solution = _cpu.matmul(_cpu.conj(_cpu.swapaxes(vh, -1, -2)), s_inv[..., None] * uh_b)
        rank = keep.sum(-1)
    else:
        solution = _cpu.zeros(batch + (n, k), a.dtype)
        s = _cpu.zeros(batch + (0,), real)
        rank = _cpu.zeros(batch, _cpu.int64)
    residuals = _cpu.zeros((0,), real)
    if driver != "gelsy" and m > n and (driver == "gels" or (rank == n).all()):
        difference = _cpu.matmul(a, solution) - b
        residuals = (_cpu.abs(difference) ** 2).sum(-2).astype(real)
    if vector:
        solution = solution[..., 0]
        if residuals.ndim:
            residuals = residuals[..., 0] if residuals.size else residuals
    # PyTorch solves in a buffer of max(m, n) rows, whose column-major layout the solution keeps.
    rows = max(m, n)
    if vector:
        buffer = _cpu.zeros(batch + (rows,), a.dtype)
        buffer[..., :n] = solution
        solution = buffer[..., :n]
    else:
        buffer = _colmajor(_cpu.zeros(batch + (rows, k), a.dtype))
        buffer[..., :n, :] = solution
        solution = buffer[..., :n, :]
    rank = rank if driver != "gels" else _cpu.zeros((0,), _cpu.int64)
    singular = s if driver in ("gelsd", "gelss") else _cpu.zeros((0,), real)
    return solution, residuals, rank, singular


def _tolerances(a, atol, rtol, values):
    """The cut-off max(atol, rtol * largest of ``values``) per matrix, PyTorch's rules:
    rtol defaults to eps * max(m, n), or 0 when a positive atol is given."""
    m, n = a.shape[-2:]
    real = a.real.dtype
    atol_value = 0.0 if atol is None else atol
    if rtol is None:
        positive_atol = atol is not None and _cpu.all(_cpu.asarray(atol_value) > 0)
        rtol_value = 0.0 if positive_atol else float(_cpu.finfo(real).eps) * max(m, n)
    else:
        rtol_value = rtol
    largest = values.max(-1) if values.shape[-1] else _cpu.zeros(values.shape[:-1], real)
    return _cpu.maximum(_cpu.asarray(atol_value), _cpu.asarray(rtol_value) * largest)


def _pinv_data(a, hermitian, atol, rtol):
    """The pseudo-inverse, from the eigendecomposition of Hermitian matrices or else the
    SVD, dropping the values at or under ``_tolerances``' cut-off."""
    if hermitian:
        values, vectors = _eigh_data(a, "L")
        magnitude = _cpu.abs(values)
        tol = _tolerances(a, atol, rtol, magnitude)
        keep = magnitude > tol[..., None]
        inverse_values = _cpu.where(keep, 1 / _cpu.where(keep, values, 1), 0)
        data = _cpu.matmul(vectors * inverse_values[..., None, :].astype(a.dtype),
                           _cpu.conj(_cpu.swapaxes(vectors, -1, -2)))
    else:
        u, s, vh = _svd_data(a, False)
        tol = _tolerances(a, atol, rtol, s)
        keep = s > tol[..., None]
        inverse_values = _cpu.where(keep, 1 / _cpu.where(keep, s, 1), 0)
        data = _cpu.matmul(_cpu.conj(_cpu.swapaxes(vh, -1, -2))
                           * inverse_values[..., None, :].astype(a.dtype),
                           _cpu.conj(_cpu.swapaxes(u, -1, -2)))
    return _cpu.ascontiguousarray(data)


def _matrix_rank_data(a, hermitian, atol, rtol):
    """The number of singular values (|eigenvalues| if ``hermitian``) over
    ``_tolerances``' cut-off."""
    if hermitian:
        values = _cpu.sort(_cpu.abs(_eigh_data(a, "L", eigenvectors=False)), -1)[..., ::-1]
    else:
        _, values, _ = _svd_data(a, False, compute_uv=False)
    tolerance = _tolerances(a, atol, rtol, values)
    return (values > tolerance[..., None]).sum(-1).astype(_cpu.int64)


# --- vector norms -----------------------------------------------------------------------------


def _vector_norm_data(data, ord, axes, keepdim):
    """The ``ord``-norm of ``data`` over ``axes``."""
    magnitude = _cpu.abs(data)
    axes = tuple(axes)
    if ord == 0:
        value = (magnitude != 0).sum(axes, keepdims=keepdim).astype(magnitude.dtype)
    elif ord == math.inf:
        reduced = math.prod(data.shape[axis] for axis in axes)
        value = magnitude.max(axes, keepdims=keepdim, initial=0) if reduced else (
            magnitude.sum(axes, keepdims=keepdim))
    elif ord == -math.inf:
        value = magnitude.min(axes, keepdims=keepdim)
    elif ord == 1:
        value = magnitude.sum(axes, keepdims=keepdim)
    elif ord == 2:
        value = _cpu.sqrt((magnitude * magnitude).sum(axes, keepdims=keepdim))
    else:
        value = (magnitude ** ord).sum(axes, keepdims=keepdim) ** (1.0 / ord)
    return _cpu.asarray(value)


# --- matrix exponential -----------------------------------------------------------------------


def _matrix_exp_kernel(a):
    """exp(a) by scaling and squaring a degree-18 Taylor polynomial."""
    if a.size == 0:
        return a.copy()
    norms = _cpu.abs(a).sum(-2).max(-1)
    squarings = _cpu.maximum(0, _cpu.ceil(_cpu.log2(_cpu.maximum(norms, 1e-300) / 0.25)))
    squarings = _cpu.where(_cpu.isfinite(squarings), squarings, 0).astype(int)
    scaled = a / (2.0 ** squarings)[..., None, None].astype(a.real.dtype)
    eye = _cpu.broadcast_to(_cpu.eye(a.shape[-1], dtype=a.dtype), a.shape)
    result = eye.copy()
    for degree in range(18, 0, -1):
        result = eye + _cpu.matmul(scaled, result) / degree
    for step in range(int(squarings.max()) if squarings.size else 0):
        squared = _cpu.matmul(result, result)
        result = _cpu.where((squarings > step)[..., None, None], squared, result)
    return result

