"""The backward formulas of the linear algebra ops in ember/ops/linalg.py.

They follow PyTorch's (``FunctionsManual.cpp``) and are written in ember ops, so that they can
be differentiated again. Eigen- and singular vectors are defined up to a sign (a phase for
complex inputs): their gradients are those of PyTorch's gauge. Here too: ``_record_op``,
which records a node whose formulas take PyTorch's convention for complex gradients, and the
small differentiable helpers the formulas share."""

from __future__ import annotations

import math

from ember import _dtype
from ember.autograd import grad_mode
from ember.backends import cpu as _cpu
from ember.ops import linalg
from ember.ops._autograd import record
from ember.ops._common import finish
from ember.ops._linalg_kernels import _unpack
from ember.ops.matmul import matmul

_grad_state = grad_mode.state


# --- recording --------------------------------------------------------------------------------


def _record_op(name, formulas, inputs, outputs, values=None):
    """``record_op`` for formulas in PyTorch's own convention for complex gradients.

    Note [Complex gradients of linalg]
    ``record_op`` applies a formula conjugated (``conj(f(conj(grad)))``) to a complex
    gradient, for the elementwise ops written as holomorphic derivatives. The formulas here
    are PyTorch's (``FunctionsManual.cpp``), which already take the adjoint (A^{-H}, not
    A^{-T}): they are applied to the gradient as it is, like the multi-output backwards
    recorded with ``record``."""
    needs = [getattr(x, "_requires_grad", False) for x in inputs]
    names = []
    for formula, needed in zip(formulas, needs):
        if formula is not None and needed:
            names.extend(n for n in _formula_parameters(formula) if n not in names)
    return record(name, _apply_adjoint_formulas, inputs, outputs,
                  [values[n] for n in names] if values else (), formulas=formulas,
                  value_names=tuple(names))


def _formula_parameters(formula):
    code = formula.__code__
    return code.co_varnames[1:code.co_argcount]


def _apply_adjoint_formulas(ctx, grad):
    values = dict(zip(ctx.value_names, ctx.saved_tensors))
    return tuple(
        None if formula is None or not needed
        else formula(grad, *[values[n] for n in _formula_parameters(formula)])
        for formula, needed in zip(ctx.formulas, ctx.needs_input_grad))


def _needs(*inputs):
    return _grad_state.enabled and any(getattr(x, "_requires_grad", False) for x in inputs)


# --- small differentiable helpers -------------------------------------------------------------


def _conj(t):
    """The complex conjugate (a real tensor is its own), differentiable."""
    if not t._dtype.is_complex:
        return t
    result = finish(_cpu.conj(t._data), t._dtype, t._device)
    if _needs(t):
        _record_op("ConjBackward0", (_conj,), (t,), (result,))
    return result


def _mask(t, kind, k=0):
    """The 0/1 matrix keeping ``t``'s lower (``kind`` "tril") or upper part from diagonal k."""
    rows, columns = t._data.shape[-2:]
    ones = _cpu.ones((rows, columns), t._dtype._np)
    return finish(_cpu.tril(ones, k) if kind == "tril" else _cpu.triu(ones, k), t._dtype,
                  t._device)


def _tril(t, k=0):
    return t * _mask(t, "tril", k)


def _triu(t, k=0):
    return t * _mask(t, "triu", k)


def _eye(n, like):
    return finish(_cpu.eye(n, dtype=like._dtype._np), like._dtype, like._device)


def _diag_embed(v):
    return v.unsqueeze(-1) * _eye(v._data.shape[-1], v)


def _diag(t):
    return t.diagonal(0, -2, -1)


def _real(t):
    if not t._dtype.is_complex:
        return t
    return (t + _conj(t)) * 0.5


def _sgn(t):
    """``t / |t|`` (0 at 0), differentiable where ``t`` is not 0."""
    import ember

    if not t._dtype.is_complex:
        return t.sign()
    magnitude = t.abs()
    return ember.where(magnitude == 0, 0.0, t / ember.where(magnitude == 0, 1.0, magnitude))


# --- inverses and determinants ----------------------------------------------------------------


def _inv_grad(grad, inverse):
    inverse_h = inverse.mH
    return -matmul(inverse_h, matmul(grad, inverse_h))


def _det_grad(grad, A, result):
    """d det(A) = det(A) tr(A^{-1} dA): the gradient is conj(g det) A^{-H}. As PyTorch,
    a singular A gets 0 (its zero pivots nudged to eps) in first-order backward, and the
    cofactor matrix from an SVD where higher-order gradients are wanted (|det| under
    100 eps)."""
    import ember

    eps = float(_cpu.finfo(A._dtype.to_real()._np).eps)
    small = _cpu.abs(result._data) < (100 * eps if _grad_state.enabled else eps / 2)
    scale = (grad * _conj(result)).unsqueeze(-1).unsqueeze(-1)
    if not small.any():
        return scale * linalg.inv(A).mH
    mask = finish(small[..., None, None], _dtype.bool, A._device)
    eye = _eye(A._data.shape[-1], A)
    if not _grad_state.enabled:
        return ember.where(mask, 0.0, scale * linalg.inv(ember.where(mask, eye, A)).mH)
    U, S, Vh = linalg.svd(A)
    alpha = _conj(linalg.det(U) * linalg.det(Vh))
    n = S._data.shape[-1]
    others = ember.stack([S[..., :i].prod(-1) * S[..., i + 1:].prod(-1) for i in range(n)], -1)
    cofactor_grad = matmul(U * (others * (grad * alpha).unsqueeze(-1)).unsqueeze(-2), Vh)
    if small.all():
        return cofactor_grad
    return ember.where(mask, cofactor_grad, scale * linalg.inv(ember.where(mask, eye, A)).mH)


def _slogdet_backward(ctx, grad_sign, grad_logabsdet):
    A, sign = ctx.saved_tensors
    if grad_logabsdet is None:
        return (None,)
    if A._dtype.is_complex:
        # g = grad_logabsdet - i Im(conj(sign) grad_sign), spread as g A^{-H}.
        if grad_sign is not None:
            product = _conj(sign) * grad_sign
            grad_logabsdet = grad_logabsdet - (product - _conj(product)) * 0.5
    return (grad_logabsdet.unsqueeze(-1).unsqueeze(-1) * linalg.inv(A).mH,)


# --- solvers ----------------------------------------------------------------------------------


def _solve_backward(ctx, grad):
    A, result = ctx.saved_tensors
    left, vector = ctx.left, ctx.vector
    needs_a, needs_b = ctx.needs_input_grad
    if vector:
        grad, result = grad.unsqueeze(-1), result.unsqueeze(-1)
    grad_b = linalg.solve(A.mH, grad, left=left)
    grad_a = None
    if needs_a:
        grad_a = -matmul(grad_b, result.mH) if left else -matmul(result.mH, grad_b)
    if vector:
        grad_b = grad_b.squeeze(-1)
    return grad_a, grad_b if needs_b else None


def _solve_triangular_backward(ctx, grad):
    A, result = ctx.saved_tensors
    upper, left, unitriangular = ctx.upper, ctx.left, ctx.unitriangular
    needs_a, needs_b = ctx.needs_input_grad
    grad_b = linalg.solve_triangular(A.mH, grad, upper=not upper, left=left,
                                     unitriangular=unitriangular)
    grad_a = None
    if needs_a:
        grad_a = -matmul(grad_b, result.mH) if left else -matmul(result.mH, grad_b)
        grad_a = _triu(grad_a, 1 if unitriangular else 0) if upper else _tril(
            grad_a, -1 if unitriangular else 0)
    return grad_a, grad_b if needs_b else None


def _lstsq_backward(ctx, grad_solution, *_):
    if grad_solution is None:
        return None, None
    A, B = ctx.saved_tensors
    pinv_a = linalg.pinv(A)
    needs_a, needs_b = ctx.needs_input_grad
    vector = ctx.vector
    if vector:
        grad_solution = grad_solution.unsqueeze(-1)
        B = B.unsqueeze(-1)
    grad_a = grad_b = None
    if needs_a:
        # X = pinv(A) B: differentiate through pinv with X's cotangent.
        grad_a = _pinv_grad(matmul(grad_solution, B.mH), pinv_a, A)
    if needs_b:
        grad_b = matmul(pinv_a.mH, grad_solution)
        if vector:
            grad_b = grad_b.squeeze(-1)
    return grad_a, grad_b


def _triangular_solve_backward(ctx, grad_solution, grad_coefficient):
    A, solution = ctx.saved_tensors
    upper, transpose, unitriangular = ctx.upper, ctx.transpose, ctx.unitriangular
    needs_b, needs_a = ctx.needs_input_grad
    grad_b = grad_a = None
    if grad_solution is not None:
        # solve op(A)^H grad_b = grad_solution
        adjoint = _conj(A) if transpose else A.mH
        grad_b = linalg.solve_triangular(adjoint, grad_solution, upper=upper == transpose,
                                         unitriangular=unitriangular)
        if needs_a:
            grad_a = (-matmul(_conj(solution), grad_b.mT) if transpose
                      else -matmul(grad_b, solution.mH))
            grad_a = _triu(grad_a, int(unitriangular)) if upper else _tril(
                grad_a, -int(unitriangular))
    if grad_coefficient is not None and needs_a:
        grad_a = grad_coefficient if grad_a is None else grad_a + grad_coefficient
    return grad_b if needs_b else None, grad_a


# --- Cholesky ---------------------------------------------------------------------------------


def _cholesky_grad(grad, L, upper):
    if upper:
        L, grad = L.mH, grad.mH
    gA = _tril(matmul(L.mH, grad))
    gA = 0.5 * (gA + _tril(gA, -1).mH)
    gA = linalg.solve_triangular(L.mH, gA, upper=True, left=True)
    return linalg.solve_triangular(L, gA, upper=False, left=False)


def _cholesky_solve_grads(upper):
    """The formulas of cholesky_solve for B (``input``) and A's factor (``input2``)."""

    def grad_b(grad, factor_saved, result):
        return linalg.cholesky_solve(grad, factor_saved, upper)

    def grad_l(grad, factor_saved, result):
        grad_b_value = linalg.cholesky_solve(grad, factor_saved, upper)
        common = -matmul(grad_b_value, result.mH)
        common = common + common.mH
        low = factor_saved.mH if upper else factor_saved
        grad_low = matmul(common, low)
        return grad_low.mH if upper else grad_low

    return grad_b, grad_l


def _cholesky_inverse_grad(upper):
    """The formula of cholesky_inverse for its factor."""

    def grad_l(grad, factor, result):
        common = -matmul(matmul(result, grad + grad.mH), result)
        low = factor.mH if upper else factor
        grad_low = matmul(common, low)
        return grad_low.mH if upper else grad_low

    return grad_l


# --- decompositions ---------------------------------------------------------------------------


# Note [Recomputed factors]
# The backward of a decomposition with several outputs (qr, svd, eigh, eig) needs those
# outputs, but a saved output comes back as output 0 of its node whatever its position,
# which would send second-order gradients to the wrong output. These nodes save their input
# instead and recompute the factors in backward: under create_graph the recomputation is a
# node of its own, through which double backward flows; LAPACK's results are deterministic,
# so the recomputed factors (signs included) are the forward's.


def _copyltu(M):
    """The Hermitian matrix with ``M``'s lower triangle (and the real part of its diagonal)."""
    low = _tril(M, -1)
    return low + low.mH + _diag_embed(_real(_diag(M)))


def _qr_square_grad(gQ, gR, Q, R):
    """The gradient for A = QR with m >= n (reduced): (gQ + Q copyltu(M)) R^{-H},
    M = R gR^H - gQ^H Q."""
    M = matmul(R, gR.mH) - matmul(gQ.mH, Q)
    b = gQ + matmul(Q, _copyltu(M))
    return linalg.solve_triangular(R.mH, b, upper=False, left=False)


def _qr_backward(ctx, gQ, gR):
    (A,) = ctx.saved_tensors
    Q, R = linalg._qr(A, ctx.mode)  # see Note [Recomputed factors]
    if ctx.mode == "r":
        raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed "
                           "when mode='r'. Please use linalg.qr(A, mode='reduced') if you "
                           "are going to differentiate through linalg.qr.")
    m, n = Q._data.shape[-2], R._data.shape[-1]
    if ctx.mode == "complete" and m > n:
        raise RuntimeError("The QR decomposition is not differentiable when mode='complete' "
                           "and nrows > ncols.")
    import ember

    gQ = ember.zeros_like(Q) if gQ is None else gQ
    gR = ember.zeros_like(R) if gR is None else gR
    if m >= n:
        return (_qr_square_grad(gQ, gR, Q, R),)
    # A = [X | Y] with X square: X = Q U, Y = Q V.
    U, V = R[..., :, :m], R[..., :, m:]
    gU, gV = gR[..., :, :m], gR[..., :, m:]
    Y_grad = matmul(Q, gV)
    X_grad = _qr_square_grad(gQ + matmul(matmul(Q, V), gV.mH), gU, Q, U)
    return (ember.cat([X_grad, Y_grad], -1),)


def _svd_grad(gU, gS, gVh, U, S, Vh):
    """PyTorch's svd_backward for the reduced decomposition (distinct singular values)."""
    m, n = U._data.shape[-2], Vh._data.shape[-1]
    if gU is None and gVh is None:
        if gS is None:
            return None
        return matmul(U * gS.unsqueeze(-2), Vh)
    import ember

    gU = ember.zeros_like(U) if gU is None else gU
    gVh = ember.zeros_like(Vh) if gVh is None else gVh
    V, gV = Vh.mH, gVh.mH
    UhgU = matmul(U.mH, gU)
    VhgV = matmul(Vh, gV)
    UhgU_skew = UhgU - UhgU.mH
    VhgV_skew = VhgV - VhgV.mH
    S2 = S * S
    E = S2.unsqueeze(-2) - S2.unsqueeze(-1)
    E = E + _eye(S._data.shape[-1], E)  # the diagonal, not used, is made 1
    gA = (UhgU_skew * S.unsqueeze(-2) + S.unsqueeze(-1) * VhgV_skew) / E
    if gS is not None:
        gA = gA + _diag_embed(gS)
    if U._dtype.is_complex:
        imaginary = _diag(UhgU)
        gA = gA + _diag_embed((imaginary - _real(imaginary)) / (2 * S))
    if m > n:
        gA = matmul(U, gA)
        gUSinv = gU / S.unsqueeze(-2)
        gA = gA + gUSinv - matmul(U, matmul(U.mH, gUSinv))
        return matmul(gA, Vh)
    if m < n:
        gA = matmul(gA, Vh)
        SinvgVh = gVh / S.unsqueeze(-1)
        gA = gA + SinvgVh - matmul(matmul(SinvgVh, V), Vh)
        return matmul(U, gA)
    return matmul(U, matmul(gA, Vh))


def _svd_backward(ctx, gU, gS, gVh):
    (A,) = ctx.saved_tensors
    U, S, Vh = linalg.svd(A, ctx.full_matrices)  # see Note [Recomputed factors]
    if ctx.full_matrices:
        k = S._data.shape[-1]
        U, Vh = U[..., :, :k], Vh[..., :k, :]
        gU = None if gU is None else gU[..., :, :k]
        gVh = None if gVh is None else gVh[..., :k, :]
    return (_svd_grad(gU, gS, gVh, U, S, Vh),)


def _svdvals_backward(ctx, gS):
    (A,) = ctx.saved_tensors
    U, S, Vh = linalg.svd(A, False)  # see Note [Recomputed factors]
    return (_svd_grad(None, gS, None, U, S, Vh),)


def _pinv_grad(grad, pinvA, A):
    m, n = A._data.shape[-2:]
    pinvAh = pinvA.mH
    gradh = grad.mH
    if m <= n:
        K = matmul(gradh, pinvA)
        KpinvAh = matmul(K, pinvAh)
        return (-matmul(pinvA, K).mH + KpinvAh - matmul(matmul(A, pinvA), KpinvAh)
                + matmul(matmul(pinvAh, pinvA), gradh - matmul(K, A)))
    K = matmul(pinvA, gradh)
    pinvAhK = matmul(pinvAh, K)
    return (-matmul(K, pinvA).mH + pinvAhK - matmul(matmul(pinvAhK, pinvA), A)
            + matmul(matmul(gradh - matmul(A, K), pinvA), pinvAh))


def _eigh_grad(gL, gV, L, V):
    """PyTorch's linalg_eig_backward for Hermitian matrices."""
    if gV is None:
        if gL is None:
            return None
        return matmul(V * gL.unsqueeze(-2), V.mH)
    VhgV = matmul(V.mH, gV)
    VhgV = 0.5 * (VhgV - VhgV.mH)
    E = L.unsqueeze(-2) - L.unsqueeze(-1)
    E = E + _eye(L._data.shape[-1], E)
    gA = VhgV / E
    off_diagonal = 1 - _eye(L._data.shape[-1], E)
    gA = gA * off_diagonal
    if gL is not None:
        gA = gA + _diag_embed(gL)
    return matmul(V, matmul(gA, V.mH))


def _eigh_backward(ctx, gL, gV):
    (A,) = ctx.saved_tensors
    L, V = linalg.eigh(A, ctx.UPLO)  # see Note [Recomputed factors]
    return (_eigh_grad(gL, gV, L, V),)


def _eig_backward(ctx, gL, gV):
    (A,) = ctx.saved_tensors
    L, V = linalg.eig(A)  # see Note [Recomputed factors]
    if gV is None:
        if gL is None:
            return (None,)
        gA = _diag_embed(gL)
    else:
        VhgV = matmul(V.mH, gV)
        VhgV = VhgV - matmul(V.mH, V * _real(_diag(VhgV)).unsqueeze(-2))
        Lc = _conj(L)
        E = Lc.unsqueeze(-2) - Lc.unsqueeze(-1)
        E = E + _eye(L._data.shape[-1], E)
        gA = VhgV / E * (1 - _eye(L._data.shape[-1], E))
        if gL is not None:
            gA = gA + _diag_embed(gL)
    result = linalg.solve(V.mH, matmul(gA, V.mH))
    if not ctx.input_complex:
        result = result.real
    return (result,)


def _lu_grad(gL, gU, A):
    """PyTorch's linalg_lu_backward for square A = P L U:
    gA = P L^{-H} (tril(L^H gL, -1) + triu(gU U^H)) U^{-H}."""
    m, n = A._data.shape[-2:]
    if m != n:
        raise NotImplementedError("ember: the gradient of an LU factorization of non-square "
                                  "matrices is not implemented")
    P, L, U = _differentiable_lu(A)
    middle = _tril(matmul(L.mH, gL), -1) + _triu(matmul(gU, U.mH))
    gR = linalg.solve_triangular(L.mH, middle, upper=True, unitriangular=True)
    return matmul(P, linalg.solve_triangular(U.mH, gR, upper=False, left=False))


def _differentiable_lu(A):
    """P, L, U of A, recomputed with A's history (see Note [Recomputed factors])."""
    LU, pivots, _ = linalg._lu_factor("linalg.lu", A, True)
    k = min(A._data.shape[-2:])
    P, _, _ = _unpack(LU._data, pivots._data)
    L = _tril(LU[..., :, :k], -1) + finish(_cpu.eye(LU._data.shape[-2], k, dtype=LU._dtype._np),
                                           LU._dtype, LU._device)
    U = _triu(LU[..., :k, :])
    return finish(P, A._dtype, A._device), L, U


def _lu_factor_backward(ctx, grad):
    (A,) = ctx.saved_tensors
    return (_lu_grad(_tril(grad, -1), _triu(grad), A),)


def _lu_backward(ctx, gP, gL, gU):
    (A,) = ctx.saved_tensors
    import ember

    gL = ember.zeros_like(A) if gL is None else gL
    gU = ember.zeros_like(A) if gU is None else gU
    return (_lu_grad(gL, gU, A),)


# --- norms and the rest -----------------------------------------------------------------------


def _unsqueeze_dims(t, dims):
    for d in dims:
        t = t.unsqueeze(d)
    return t


def _vector_norm_grad(ord, dims, keepdim, ndim):
    """The formula of vector_norm over ``dims`` (all ``ndim`` dims when None)."""
    import ember

    def formula(grad, input, result):
        if not keepdim and dims is not None:
            grad = _unsqueeze_dims(grad, dims)
            result = _unsqueeze_dims(result, dims)
        elif not keepdim:
            grad = grad.reshape((1,) * ndim)
            result = result.reshape((1,) * ndim)
        if ord == 0:
            return None
        if ord == 1:
            return _sgn(input) * grad
        if ord == 2:
            safe = ember.where(result == 0, 1.0, result)
            return ember.where(result == 0, 0.0, input * (grad / safe))
        if math.isinf(ord):
            magnitude = input.abs()
            hit = (magnitude == result).to(input._dtype.to_real())
            count = hit.sum(dims, keepdim=True) if dims is not None else (
                hit.sum().reshape((1,) * ndim))
            return _sgn(input) * hit * (grad / count)
        magnitude = input.abs()
        safe = ember.where(result == 0, 1.0, result)
        scale = magnitude ** (ord - 2) * (grad / safe ** (ord - 1))
        return ember.where(result == 0, 0.0, input * scale)

    return formula


def _matrix_exp_grad(grad, A):
    import ember

    n = A._data.shape[-1]
    Ah = A.mH
    top = ember.cat([Ah, grad], -1)
    bottom = ember.cat([ember.zeros_like(Ah), Ah], -1)
    return linalg.matrix_exp(ember.cat([top, bottom], -2))[..., :n, n:]

