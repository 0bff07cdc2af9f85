"""Linear algebra: decompositions, solvers, inverses, norms, with their gradients.

The kernels are NumPy's LAPACK wrappers (``numpy.linalg``), applied over the leading batch
dims; the few LAPACK routines NumPy does not wrap (getrf's pivoted LU, trsm's triangular
solve, the matrix exponential) are written here over batches of arrays. Results take the
layout PyTorch's LAPACK calls leave: column-major matrices, batch-major stacks.

Gradients follow PyTorch's formulas (``FunctionsManual.cpp``) and are written in ember ops,
so that they can be differentiated again. Eigen- and singular vectors are defined up to a
sign (a phase for complex inputs): their gradients are those of PyTorch's gauge."""

from __future__ import annotations

import math
import warnings

from ember import _dtype, return_types
from ember.autograd import grad_mode
from ember.backends import cpu as _cpu
from ember.ops._autograd import check_out_allowed, record
from ember.ops._common import Tensor, _wrap_dim, finish, method, reduction_dims, write_out
from ember.ops.matmul import _CPP_NAMES, matmul

_grad_state = grad_mode.state
_lapack = _cpu.linalg
_HALF = (_dtype.float16, _dtype.bfloat16)


class LinAlgError(RuntimeError):
    """A matrix that the requested factorization or solve cannot handle (singular, not
    positive-definite), as ``torch.linalg.LinAlgError``."""


# --- checks -----------------------------------------------------------------------------------


def _check_matrix(name, A, square=True, arg="A"):
    """``A`` is a (batch of) matrix, square where ``square``."""
    if A._data.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor {arg} must have at least 2 dimensions.")
    if square and A._data.shape[-1] != A._data.shape[-2]:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are "
                           f"{A._data.shape[-2]} by {A._data.shape[-1]} matrices")


def _check_float(name, A, kernel=None):
    """``A`` is float32/float64/complex: integers are refused by ``name``, half precision
    by ``kernel``'s missing loop (or ``name``'s low-precision check when no kernel)."""
    dtype = A._dtype
    if not (dtype.is_floating_point or dtype.is_complex):
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. "
                           f"Got {dtype._legacy_name}")
    if dtype in _HALF:
        if kernel is None:
            raise RuntimeError(f"{name}: Low precision dtypes not supported. Got "
                               f"{dtype._legacy_name}")
        _no_kernel(kernel, A)


_SKIPPED_WHEN_EMPTY = ("lu_cpu", "cholesky_cpu", "linalg_eigh_cpu", "linalg_svd_cpu")


def _no_kernel(kernel, A):
    """PyTorch's error for a kernel without a loop for A's dtype (some kernels are never
    reached by an empty input)."""
    if A._data.size or kernel not in _SKIPPED_WHEN_EMPTY:
        raise NotImplementedError(f"\"{kernel}\" not implemented for "
                                  f"'{A._dtype._legacy_name}'")


def _check_input(name, A, kernel=None, square=True):
    if not isinstance(A, Tensor):
        raise TypeError(f"{name}(): argument 'A' must be Tensor, not {type(A).__name__}")
    _check_matrix(name, A, square)
    _check_float(name, A, kernel)


def _check_same_dtype(name, A, B, a="A", b="B"):
    if A._dtype is not B._dtype:
        raise RuntimeError(f"{name}: Expected {a} and {b} to have the same dtype, but found "
                           f"{a} of type {A._dtype._legacy_name} and {b} of type "
                           f"{B._dtype._legacy_name} instead")


def _batch_prefix(ndim, index):
    return f"(Batch element {index}): " if ndim > 2 else ""


def _first_failure(info):
    """The flat index and value of the first non-zero ``info``, or None."""
    flat = info.reshape(-1)
    failed = _cpu.flatnonzero(flat)
    if not failed.size:
        return None
    return int(failed[0]), int(flat[failed[0]])


# --- results ----------------------------------------------------------------------------------


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


def _tensor(data, dtype, device, colmajor=False):
    if colmajor and data.ndim >= 2:
        data = _colmajor(data.astype(dtype._np, copy=False))
    elif not colmajor:
        data = _rowmajor(data)
    return finish(data, dtype, device)


def _rowmajor(data):
    """``data`` C-contiguous (an empty array too, whose strides NumPy leaves as they were)."""
    if data.size:
        return _cpu.ascontiguousarray(data)
    return _cpu.empty(data.shape, data.dtype)


def _write_exact(out, result):
    """``out=`` of a LAPACK-backed op: ``out`` must have the result's dtype."""
    if not isinstance(out, Tensor):
        raise TypeError(f"argument 'out' must be Tensor, not {type(out).__name__}")
    if out._dtype is not result._dtype:
        raise RuntimeError(f"Expected out tensor to have dtype {_CPP_NAMES[result._dtype]}, "
                           f"but got {_CPP_NAMES.get(out._dtype, out._dtype._legacy_name)} "
                           "instead")
    return write_out(out, result)


def _write_castable(name, out, result, what="result"):
    """``out=`` of a composite op: ``out`` must take the result's dtype without a lossy
    cast of category."""
    if not _dtype.can_cast(result._dtype, out._dtype):
        raise RuntimeError(f"{name}: Expected {what} to be safely castable from "
                           f"{result._dtype._legacy_name} dtype, but got {what} with dtype "
                           f"{out._dtype._legacy_name}")
    return write_out(out, result)


def _finish_out(name, out, results, inputs, tuple_type=None):
    """Fill ``out`` (a tensor or a tuple of them) with ``results`` for the op ``name``."""
    check_out_allowed(name, *inputs)
    if tuple_type is None:
        return _write_exact(out, results)
    if len(out) != len(results):
        raise TypeError(f"{name}(): argument 'out' must be tuple of {len(results)} Tensors")
    written = tuple(_write_exact(o, r) for o, r in zip(out, results))
    return getattr(return_types, tuple_type + "_out")(written)


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


# --- small differentiable helpers for the gradient formulas -----------------------------------


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


# --- kernels NumPy lacks ----------------------------------------------------------------------


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


# --- inverses and determinants ----------------------------------------------------------------


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


def _lu_solve_data(lu, pivots, b):
    """Solve with one getrf factorization (getrs): permute, then two substitutions."""
    b = b.copy()
    for j, p in enumerate(pivots):
        b[[j, p - 1]] = b[[p - 1, j]]
    y = _triangular_kernel(lu, b, upper=False, unitriangular=True)
    return _triangular_kernel(lu, y, upper=True, unitriangular=False)


def _inv_grad(grad, inverse):
    inverse_h = inverse.mH
    return -matmul(inverse_h, matmul(grad, inverse_h))


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
        return scale * inv(A).mH
    mask = finish(small[..., None, None], _dtype.bool, A._device)
    eye = _eye(A._data.shape[-1], A)
    if not _grad_state.enabled:
        return ember.where(mask, 0.0, scale * inv(ember.where(mask, eye, A)).mH)
    U, S, Vh = svd(A)
    alpha = _conj(det(U) * det(Vh))
    n = S._data.shape[-1]
    others = ember.stack([S[..., :i].prod(-1) * S[..., i + 1:].prod(-1) for i in range(n)], -1)
    cofactor_grad = matmul(U * (others * (grad * alpha).unsqueeze(-1)).unsqueeze(-2), Vh)
    if small.all():
        return cofactor_grad
    return ember.where(mask, cofactor_grad, scale * inv(ember.where(mask, eye, A)).mH)


@method("det")
def det(A: Tensor, *, out=None) -> Tensor:
    """The determinant of square matrices."""
    _check_input("linalg.det", A, "lu_cpu")
    result = finish(_lapack.det(A._data) if A._data.size else _cpu.ones(
        A._data.shape[:-2], A._dtype._np), A._dtype, A._device)
    if out is not None:
        return _finish_out("linalg_det", out, result, (A,))
    if _needs(A):
        _record_op("LinalgDetBackward0", (_det_grad,), (A,), (result,),
                  {"A": A, "result": result})
    return result


def _slogdet_backward(ctx, grad_sign, grad_logabsdet):
    A, sign = ctx.saved_tensors
    if grad_logabsdet is None:
        return (None,)
    if A._dtype.is_complex:
        # g = grad_logabsdet - i Im(conj(sign) grad_sign), spread as g A^{-H}.
        if grad_sign is not None:
            product = _conj(sign) * grad_sign
            grad_logabsdet = grad_logabsdet - (product - _conj(product)) * 0.5
    return (grad_logabsdet.unsqueeze(-1).unsqueeze(-1) * inv(A).mH,)


def _slogdet(name, A, out, tuple_type):
    _check_input(name, A)
    if A._data.size:
        sign, logabsdet = _lapack.slogdet(A._data)
    else:
        sign = _cpu.ones(A._data.shape[:-2], A._dtype._np)
        logabsdet = _cpu.zeros(A._data.shape[:-2], A._dtype.to_real()._np)
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
    return _slogdet("linalg.slogdet", A, out, "linalg_slogdet")


@method("slogdet")
def _torch_slogdet(input: Tensor, *, out=None):
    """``torch.slogdet``: ``linalg.slogdet`` returning ``torch.return_types.slogdet``."""
    return _slogdet("linalg.slogdet", input, out, "slogdet")


@method("logdet")
def logdet(input: Tensor) -> Tensor:
    """The log of the determinant: NaN for a negative one, -inf for a singular one."""
    import ember

    sign, logabsdet = slogdet(input)
    if input._dtype.is_complex:
        return logabsdet + ember.log(sign)
    return ember.where(sign == -1, math.nan, logabsdet)


# --- solvers ----------------------------------------------------------------------------------


def _is_vector_rhs(A, B):
    """PyTorch treats B as a (batch of) vector when it has one dim less than A and its
    shape is A's without the last dim."""
    return B._data.ndim == 1 or (B._data.ndim == A._data.ndim - 1
                                 and B._data.shape == A._data.shape[:-1])


def _solve_backward(ctx, grad):
    A, result = ctx.saved_tensors
    left, vector = ctx.left, ctx.vector
    needs_a, needs_b = ctx.needs_input_grad
    if vector:
        grad, result = grad.unsqueeze(-1), result.unsqueeze(-1)
    grad_b = solve(A.mH, grad, left=left)
    grad_a = None
    if needs_a:
        grad_a = -matmul(grad_b, result.mH) if left else -matmul(result.mH, grad_b)
    if vector:
        grad_b = grad_b.squeeze(-1)
    return grad_a, grad_b if needs_b else None


def _solve(name, A, B, left, check_errors):
    """(result, info) of AX = B (XA = B if not ``left``), recorded as LinalgSolveExBackward0."""
    for arg, value in (("A", A), ("B", B)):
        if not isinstance(value, Tensor):
            raise TypeError(f"linalg_solve(): argument '{arg}' must be Tensor, not "
                            f"{type(value).__name__}")
    _check_matrix("linalg.solve", A)
    _check_float("linalg.solve", A, "lu_cpu")
    _check_same_dtype("linalg.solve", A, B)
    vector = left and _is_vector_rhs(A, B)
    b = B._data[..., None] if vector else B._data
    if b.ndim < 1 or (b.ndim < 2):
        raise RuntimeError("linalg.solve: The input tensor B must have at least 1 dimensions.")
    a = A._data if left else _cpu.swapaxes(A._data, -1, -2)
    if not left:
        b = _cpu.swapaxes(b, -1, -2)
    n = a.shape[-1]
    if b.shape[-2] != n:
        shape = f"{b.shape[-2]}x{b.shape[-1]}" if left else f"{b.shape[-1]}x{b.shape[-2]}"
        equation = "AX = B" if left else "XA = B"
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation "
                           f"{equation} ({n}x{n} and {shape})")
    info = _cpu.zeros(a.shape[:-2], _cpu.int32)
    batch = _broadcast_batch(a.shape[:-2], b.shape[:-2])
    wide_a = _cpu.broadcast_to(a, batch + a.shape[-2:])
    b = _cpu.broadcast_to(b, batch + b.shape[-2:])
    failure = None
    try:  # LAPACK's gesv fails exactly where getrf meets a zero pivot
        data = _lapack.solve(wide_a, b) if b.size else _cpu.zeros(b.shape, a.dtype)
    except _lapack.LinAlgError:
        lu, pivots, info = _lu_kernel(a)
        failure = _first_failure(info)
    if failure is not None and check_errors:
        raise LinAlgError(f"torch.linalg.solve: {_batch_prefix(a.ndim, failure[0])}"
                          "The solver failed because the input matrix is singular.")
    if failure is not None:
        lu = _cpu.broadcast_to(lu, batch + a.shape[-2:])
        pivots = _cpu.broadcast_to(pivots, batch + pivots.shape[-1:])
        data = _cpu.empty(b.shape, a.dtype)
        flat_lu, flat_piv = lu.reshape(-1, n, n), pivots.reshape(-1, n)
        flat_b, flat_out = b.reshape(-1, *b.shape[-2:]), data.reshape(-1, *b.shape[-2:])
        for index in range(flat_b.shape[0]):
            flat_out[index] = _lu_solve_data(flat_lu[index], flat_piv[index], flat_b[index])
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


def _broadcast_batch(a, b):
    try:
        return tuple(_cpu.broadcast_shapes(a, b))
    except ValueError:
        from ember.ops._common import broadcast_error

        raise broadcast_error(a, b) from None


def solve(A: Tensor, B: Tensor, *, left: bool = True, out=None) -> Tensor:
    """The solution X of AX = B (XA = B when ``left`` is False) for square invertible A."""
    result, _ = _solve("linalg.solve", A, B, left, True)
    return result if out is None else _finish_out("linalg_solve", out, result, (A, B))


def solve_ex(A: Tensor, B: Tensor, *, left: bool = True, check_errors: bool = False,
             out=None):
    """``solve`` and LAPACK's ``info`` per matrix (0: solved; k: pivot k of A is zero)."""
    result, info = _solve("linalg.solve_ex", A, B, left, check_errors)
    if out is not None:
        return _finish_out("linalg_solve_ex", out, (result, info), (A, B), "linalg_solve_ex")
    return return_types.linalg_solve_ex((result, info))


def _solve_triangular_backward(ctx, grad):
    A, result = ctx.saved_tensors
    upper, left, unitriangular = ctx.upper, ctx.left, ctx.unitriangular
    needs_a, needs_b = ctx.needs_input_grad
    grad_b = solve_triangular(A.mH, grad, upper=not upper, left=left,
                              unitriangular=unitriangular)
    grad_a = None
    if needs_a:
        grad_a = -matmul(grad_b, result.mH) if left else -matmul(result.mH, grad_b)
        grad_a = _triu(grad_a, 1 if unitriangular else 0) if upper else _tril(
            grad_a, -1 if unitriangular else 0)
    return grad_a, grad_b if needs_b else None


def solve_triangular(A: Tensor, B: Tensor, *, upper: bool, left: bool = True,
                     unitriangular: bool = False, out=None) -> Tensor:
    """The solution of AX = B (XA = B when not ``left``) for triangular A (only its
    ``upper`` or lower triangle is read; its diagonal is taken as ones if
    ``unitriangular``)."""
    name = "linalg.solve_triangular"
    _check_matrix(name, A)
    _check_matrix(name, B, square=False, arg="B")
    _check_same_dtype(name, A, B)
    if not (A._dtype.is_floating_point or A._dtype.is_complex) or A._dtype in _HALF:
        _no_kernel("triangular_solve_cpu", A)
    n = A._data.shape[-1]
    k_b = B._data.shape[-2] if left else B._data.shape[-1]
    if k_b != n:
        equation = "AX = B" if left else "XA = B"
        rows, columns = B._data.shape[-2:]
        raise RuntimeError(f"{name}: Incompatible shapes of A and B for the equation "
                           f"{equation} ({n}x{n} and {rows}x{columns})")
    a, b = A._data, B._data
    batch = _broadcast_batch(a.shape[:-2], b.shape[:-2])
    a = _cpu.broadcast_to(a, batch + a.shape[-2:])
    b = _cpu.broadcast_to(b, batch + b.shape[-2:])
    with _cpu.errstate(all="ignore"):
        if left:
            data = _triangular_kernel(a, b, upper, unitriangular)
        else:
            data = _cpu.swapaxes(_triangular_kernel(
                _cpu.swapaxes(a, -1, -2), _cpu.swapaxes(b, -1, -2), not upper, unitriangular),
                -1, -2)
    result = _tensor(data, A._dtype, A._device, colmajor=True)
    if out is not None:
        return _finish_out("linalg_solve_triangular", out, result, (A, B))
    if _needs(A, B):
        record("LinalgSolveTriangularBackward0", _solve_triangular_backward, (A, B),
               (result,), (A, result), upper=upper, left=left, unitriangular=unitriangular)
    return result


_LSTSQ_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


def _lstsq_backward(ctx, grad_solution, *_):
    A, B = ctx.saved_tensors
    pinv_a = pinv(A)
    needs_a, needs_b = ctx.needs_input_grad
    vector = ctx.vector
    if grad_solution is None:
        return None, None
    if vector:
        grad_solution = grad_solution.unsqueeze(-1)
        B = B.unsqueeze(-1)
    grad_a = grad_b = None
    if needs_a:
        # X = pinv(A) B: differentiate through pinv with X's cotangent.
        with_grad = grad_solution
        grad_a = _pinv_grad(matmul(with_grad, B.mH), pinv_a, A)
    if needs_b:
        grad_b = matmul(pinv_a.mH, grad_solution)
        if vector:
            grad_b = grad_b.squeeze(-1)
    return grad_a, grad_b


def lstsq(A: Tensor, B: Tensor, rcond: float | None = None, *, driver: str | None = None):
    """The least-squares solution of AX = B, with residuals, rank and singular values as
    PyTorch's CPU drivers give them (``gelsy`` by default)."""
    name = "torch.linalg.lstsq"
    if A._dtype is not B._dtype:
        raise RuntimeError(f"{name}: Expected input and other to have the same dtype, but "
                           f"got input's dtype {A._dtype._legacy_name} and other's dtype "
                           f"{B._dtype._legacy_name}")
    if A._dtype not in (_dtype.float32, _dtype.float64, _dtype.complex64, _dtype.complex128):
        raise RuntimeError("This function doesn't handle types other than float and double")
    if A._data.ndim < 2:
        raise RuntimeError(f"{name}: input must have at least 2 dimensions.")
    if B._data.ndim < 1:
        raise RuntimeError(f"{name}: other must have at least 1 dimension.")
    difference = A._data.ndim - B._data.ndim
    if difference not in (0, 1):
        raise RuntimeError(f"{name}: input.dim() must be greater or equal to other.dim() "
                           "and (input.dim() - other.dim()) <= 1")
    vector = difference == 1
    b = B._data[..., None] if vector else B._data
    m, n = A._data.shape[-2:]
    if b.shape[-2] != m:
        raise RuntimeError(f"{name}: input.size(-2) should match other.size(-2)")
    driver = "gelsy" if driver is None else driver
    if driver not in _LSTSQ_DRIVERS:
        raise RuntimeError(f"{name}: parameter `driver` should be one of (gels, gelsy, "
                           "gelsd, gelss)")
    batch = _broadcast_batch(A._data.shape[:-2], b.shape[:-2])
    a = _cpu.broadcast_to(A._data, batch + (m, n))
    b = _cpu.broadcast_to(b, batch + b.shape[-2:])
    real = A._dtype.to_real()
    if rcond is None:
        rcond = float(_cpu.finfo(real._np).eps) * max(m, n)
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
        solution = _cpu.zeros(batch + (n, k), A._dtype._np)
        s = _cpu.zeros(batch + (0,), real._np)
        rank = _cpu.zeros(batch, _cpu.int64)
    device = A._device
    residuals = _cpu.zeros((0,), real._np)
    if driver != "gelsy" and m > n and (driver == "gels" or (rank == n).all()):
        difference = _cpu.matmul(a, solution) - b
        residuals = (_cpu.abs(difference) ** 2).sum(-2).astype(real._np)
    if vector:
        solution = solution[..., 0]
        if residuals.ndim:
            residuals = residuals[..., 0] if residuals.size else residuals
    # PyTorch solves in a buffer of max(m, n) rows, whose column-major layout the solution keeps.
    rows = max(m, n)
    if vector:
        buffer = _cpu.zeros(batch + (rows,), A._dtype._np)
        buffer[..., :n] = solution
        solution_tensor = finish(buffer[..., :n], A._dtype, device)
    else:
        buffer = _colmajor(_cpu.zeros(batch + (rows, k), A._dtype._np))
        buffer[..., :n, :] = solution
        solution_tensor = finish(buffer[..., :n, :], A._dtype, device)
    rank_tensor = finish(rank if driver != "gels" else _cpu.zeros((0,), _cpu.int64),
                         _dtype.int64, device)
    singular = s if driver in ("gelsd", "gelss") else _cpu.zeros((0,), real._np)
    result = (solution_tensor, finish(residuals, real, device), rank_tensor,
              finish(singular, real, device))
    if _needs(A, B):
        record("LinalgLstsqBackward0", _lstsq_backward, (A, B), (solution_tensor,), (A, B),
               vector=vector)
    return return_types.linalg_lstsq(result)


# --- Cholesky ---------------------------------------------------------------------------------


def _cholesky_grad(grad, L, upper):
    if upper:
        L, grad = L.mH, grad.mH
    gA = _tril(matmul(L.mH, grad))
    gA = 0.5 * (gA + _tril(gA, -1).mH)
    gA = solve_triangular(L.mH, gA, upper=True, left=True)
    return solve_triangular(L, gA, upper=False, left=False)


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


_warned = set()


def _warn_once(key, message):
    """PyTorch's TORCH_WARN_ONCE: the first call in the process warns."""
    if key not in _warned:
        _warned.add(key)
        warnings.warn(message, UserWarning, stacklevel=3)


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
        def grad_b(grad, factor_saved, result):
            return cholesky_solve(grad, factor_saved, upper)

        def grad_l(grad, factor_saved, result):
            grad_b_value = cholesky_solve(grad, factor_saved, upper)
            common = -matmul(grad_b_value, result.mH)
            common = common + common.mH
            low = factor_saved.mH if upper else factor_saved
            grad_low = matmul(common, low)
            return grad_low.mH if upper else grad_low

        _record_op("CholeskySolveBackward0", (grad_b, grad_l), (input, input2), (result,),
                  {"factor_saved": input2, "result": result})
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
        def grad_l(grad, factor, result):
            common = -matmul(matmul(result, grad + grad.mH), result)
            low = factor.mH if upper else factor
            grad_low = matmul(common, low)
            return grad_low.mH if upper else grad_low

        _record_op("CholeskyInverseBackward0", (grad_l,), (input,), (result,),
                  {"factor": input, "result": result})
    return result


# --- QR ---------------------------------------------------------------------------------------


def _copyltu(M):
    """The Hermitian matrix with ``M``'s lower triangle (and the real part of its diagonal)."""
    low = _tril(M, -1)
    return low + low.mH + _diag_embed(_real(_diag(M)))


def _qr_square_grad(gQ, gR, Q, R):
    """The gradient for A = QR with m >= n (reduced): (gQ + Q copyltu(M)) R^{-H},
    M = R gR^H - gQ^H Q."""
    M = matmul(R, gR.mH) - matmul(gQ.mH, Q)
    b = gQ + matmul(Q, _copyltu(M))
    return solve_triangular(R.mH, b, upper=False, left=False)


def _qr_backward(ctx, gQ, gR):
    (A,) = ctx.saved_tensors
    Q, R = _qr(A, ctx.mode, "linalg_qr")  # see Note [Recomputed factors]
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


def _qr(A, mode, tuple_type, name="linalg.qr"):
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    _check_input(name, A, "geqrf_cpu", square=False)
    a = A._data
    if mode == "r":
        r = _lapack.qr(a, mode="r") if a.size else _cpu.zeros(
            a.shape[:-2] + (min(a.shape[-2:]), a.shape[-1]), a.dtype)
        q = _cpu.zeros((0,), a.dtype)
    elif a.size:
        q, r = _lapack.qr(a, mode=mode)
    else:
        m, n = a.shape[-2:]
        k = m if mode == "complete" else min(m, n)
        q = _cpu.broadcast_to(_cpu.eye(m, k, dtype=a.dtype), a.shape[:-2] + (m, k)).copy()
        r = _cpu.zeros(a.shape[:-2] + (k, n), a.dtype)
    Q = _tensor(q, A._dtype, A._device, colmajor=True)
    R = _tensor(r, A._dtype, A._device, colmajor=True)
    if _needs(A):
        record("LinalgQrBackward0", _qr_backward, (A,), (Q, R), (A,), mode=mode,
               _materialize_grads=False)
    return Q, R


def qr(A: Tensor, mode: str = "reduced", *, out=None):
    """The QR decomposition: ``mode`` "reduced" (Q m x k), "complete" (Q m x m) or "r"
    (R only, Q empty)."""
    Q, R = _qr(A, mode, "linalg_qr")
    if out is not None:
        return _finish_out("linalg_qr", out, (Q, R), (A,), "linalg_qr")
    return return_types.linalg_qr((Q, R))


@method("qr")
def _torch_qr(input: Tensor, some: bool = True, *, out=None):
    """``torch.qr`` (deprecated in favour of ``linalg.qr``)."""
    _warn_once("qr", "torch.qr is deprecated in favor of torch.linalg.qr and will be "
               "removed in a future PyTorch release.")
    Q, R = _qr(input, "reduced" if some else "complete", "qr")
    if out is not None:
        return _finish_out("qr", out, (Q, R), (input,), "qr")
    return return_types.qr((Q, R))


# Note [Recomputed factors]
# The backward of a decomposition with several outputs (qr, svd, eigh, eig) needs those
# outputs, but a saved output comes back as output 0 of its node whatever its position,
# which would send second-order gradients to the wrong output. These nodes save their input
# instead and recompute the factors in backward: under create_graph the recomputation is a
# node of its own, through which double backward flows; LAPACK's results are deterministic,
# so the recomputed factors (signs included) are the forward's.

# --- singular values --------------------------------------------------------------------------


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
    U, S, Vh = svd(A, ctx.full_matrices)  # see Note [Recomputed factors]
    if ctx.full_matrices:
        k = S._data.shape[-1]
        U, Vh = U[..., :, :k], Vh[..., :k, :]
        gU = None if gU is None else gU[..., :, :k]
        gVh = None if gVh is None else gVh[..., :k, :]
    return (_svd_grad(gU, gS, gVh, U, S, Vh),)


def _svdvals_backward(ctx, gS):
    (A,) = ctx.saved_tensors
    U, S, Vh = svd(A, False)  # see Note [Recomputed factors]
    return (_svd_grad(None, gS, None, U, S, Vh),)


def _svd_data(a, full_matrices, compute_uv=True):
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


def _tolerances(A, atol, rtol, values):
    """The cut-off max(atol, rtol * largest singular value) per matrix, PyTorch's rules:
    rtol defaults to eps * max(m, n), or 0 when a positive atol is given."""
    m, n = A._data.shape[-2:]
    real = A._dtype.to_real()._np
    atol_value = 0.0 if atol is None else (atol._data if isinstance(atol, Tensor) else atol)
    if rtol is None:
        positive_atol = atol is not None and _cpu.all(_cpu.asarray(atol_value) > 0)
        rtol_value = 0.0 if positive_atol else float(_cpu.finfo(real).eps) * max(m, n)
    else:
        rtol_value = rtol._data if isinstance(rtol, Tensor) else rtol
    largest = values.max(-1) if values.shape[-1] else _cpu.zeros(values.shape[:-1], real)
    return _cpu.maximum(_cpu.asarray(atol_value), _cpu.asarray(rtol_value) * largest)


def pinv(A: Tensor, rcond=None, hermitian: bool = False, *, atol=None, rtol=None,
         out=None) -> Tensor:
    """The Moore-Penrose pseudo-inverse; singular values at or under
    max(atol, rtol * largest) are treated as zero (``rcond``, the older spelling, is
    rtol)."""
    if rcond is not None:
        atol, rtol = 0.0, rcond
    if not isinstance(A, Tensor) or A._data.ndim < 2 or A._dtype not in (
            _dtype.float32, _dtype.float64, _dtype.complex64, _dtype.complex128):
        kind = A._dtype._legacy_name if isinstance(A, Tensor) else type(A).__name__
        shape = list(A._data.shape) if isinstance(A, Tensor) else []
        raise RuntimeError(f"linalg.pinv({kind}{{{shape}}}): expected a tensor with 2 or more "
                           "dimensions of float, double, cfloat or cdouble types")
    a = A._data
    if hermitian:
        _check_matrix("linalg.eigh", A)
        values, vectors = _lapack.eigh(a) if a.size else (
            _cpu.zeros(a.shape[:-1], A._dtype.to_real()._np), a.copy())
        magnitude = _cpu.abs(values)
        tol = _tolerances(A, atol, rtol, magnitude)
        keep = magnitude > tol[..., None]
        inverse_values = _cpu.where(keep, 1 / _cpu.where(keep, values, 1), 0)
        data = _cpu.matmul(vectors * inverse_values[..., None, :].astype(a.dtype),
                           _cpu.conj(_cpu.swapaxes(vectors, -1, -2)))
    else:
        u, s, vh = _svd_data(a, False)
        tol = _tolerances(A, atol, rtol, s)
        keep = s > tol[..., None]
        inverse_values = _cpu.where(keep, 1 / _cpu.where(keep, s, 1), 0)
        data = _cpu.matmul(_cpu.conj(_cpu.swapaxes(vh, -1, -2))
                           * inverse_values[..., None, :].astype(a.dtype),
                           _cpu.conj(_cpu.swapaxes(u, -1, -2)))
    result = finish(_cpu.ascontiguousarray(data), A._dtype, A._device)
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
    if A._dtype not in (_dtype.float32, _dtype.float64, _dtype.complex64,
                        _dtype.complex128):
        if rtol is None:  # the default rtol needs the dtype's eps
            raise RuntimeError("This function doesn't handle types other than float and "
                               "double")
        _check_float("linalg.svd", A, "linalg_svd_cpu")
    if A._data.ndim < 2:
        raise RuntimeError("torch.linalg.matrix_rank: The input tensor input must have at "
                           "least 2 dimensions.")
    if tol is not None:
        atol, rtol = tol, 0.0
    a = A._data
    if hermitian:
        values = _cpu.abs(_lapack.eigvalsh(a)) if a.size else _cpu.zeros(a.shape[:-1])
        if a.size:
            values = _cpu.sort(values, -1)[..., ::-1]
    else:
        _, values, _ = _svd_data(a, False, compute_uv=False)
    tolerance = _tolerances(A, atol, rtol, values)
    result = finish((values > tolerance[..., None]).sum(-1).astype(_cpu.int64), _dtype.int64,
                    A._device)
    if out is not None:
        return _write_castable("linalg.matrix_rank", out, result)
    return result


# --- eigenvalues ------------------------------------------------------------------------------


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
    L, V = eigh(A, ctx.UPLO)  # see Note [Recomputed factors]
    return (_eigh_grad(gL, gV, L, V),)


def _check_uplo(UPLO):
    if UPLO not in ("L", "U", "l", "u"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    return UPLO.upper()


def eigh(A: Tensor, UPLO: str = "L", *, out=None):
    """Eigenvalues (ascending) and orthonormal eigenvectors of Hermitian matrices, read
    from their lower (``UPLO`` "L") or upper triangle."""
    UPLO = _check_uplo(UPLO)
    _check_matrix("linalg.eigh", A)
    if not (A._dtype.is_complex or A._dtype in (_dtype.float32, _dtype.float64)):
        _no_kernel("linalg_eigh_cpu", A)
    a = A._data
    values, vectors = _lapack.eigh(a, UPLO) if a.size else (
        _cpu.zeros(a.shape[:-1], A._dtype.to_real()._np), a.copy())
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
    _check_matrix("linalg.eigh", A)
    if not (A._dtype.is_complex or A._dtype in (_dtype.float32, _dtype.float64)):
        _no_kernel("linalg_eigh_cpu", A)
    a = A._data
    values = _lapack.eigvalsh(a, UPLO) if a.size else _cpu.zeros(
        a.shape[:-1], A._dtype.to_real()._np)
    L = finish(values, A._dtype.to_real(), A._device)
    return L if out is None else _finish_out("linalg_eigvalsh", out, L, (A,))


def _complex_of(dtype):
    return {_dtype.float32: _dtype.complex64, _dtype.float64: _dtype.complex128}.get(
        dtype, dtype)


def _check_eig(A):
    if not (A._dtype.is_floating_point or A._dtype.is_complex):
        raise RuntimeError(f"Unknown Complex ScalarType for {A._dtype._legacy_name}")
    _check_matrix("linalg.eig", A)
    if A._dtype in _HALF:
        if A._data.size:  # PyTorch makes its complex-half result before refusing the dtype
            _warn_once("complex half", "ComplexHalf support is experimental and many "
                       "operators don't support it yet.")
        _no_kernel("linalg_eig_out_cpu", A)


def _eig_backward(ctx, gL, gV):
    (A,) = ctx.saved_tensors
    L, V = eig(A)  # see Note [Recomputed factors]
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
    result = solve(V.mH, matmul(gA, V.mH))
    if not ctx.input_complex:
        result = result.real
    return (result,)


def eig(A: Tensor, *, out=None):
    """Eigenvalues and eigenvectors (each of unit norm, its largest component real) of
    square matrices, complex even for real input."""
    _check_eig(A)
    dtype = _complex_of(A._dtype)
    a = A._data
    values, vectors = _lapack.eig(a) if a.size else (
        _cpu.zeros(a.shape[:-1], dtype._np), a.astype(dtype._np))
    L = finish(values.astype(dtype._np), dtype, A._device)
    V = _tensor(vectors.astype(dtype._np), dtype, A._device, colmajor=True)
    if out is not None:
        return _finish_out("linalg_eig", out, (L, V), (A,), "linalg_eig")
    if _needs(A):
        record("LinalgEigBackward0", _eig_backward, (A,), (L, V), (A,),
               input_complex=A._dtype.is_complex,
               _materialize_grads=False)
    return return_types.linalg_eig((L, V))


def eigvals(A: Tensor, *, out=None) -> Tensor:
    """The eigenvalues of square matrices (complex)."""
    _check_eig(A)
    if _needs(A):
        return eig(A)[0]
    dtype = _complex_of(A._dtype)
    values = _lapack.eigvals(A._data) if A._data.size else _cpu.zeros(
        A._data.shape[:-1], dtype._np)
    L = finish(values.astype(dtype._np), dtype, A._device)
    if out is not None:
        check_out_allowed("linalg_eigvals", A)
        if not _dtype.can_cast(L._dtype, out._dtype):
            raise RuntimeError(f"torch.linalg.eigvals: Expected eigenvalues to be safely "
                               f"castable from {L._dtype._legacy_name} dtype, but got "
                               f"eigenvalues with dtype {out._dtype._legacy_name}")
        return write_out(out, L)
    return L


# --- norms ------------------------------------------------------------------------------------


def _ord_text(ord):
    if isinstance(ord, float) and ord.is_integer():
        return str(int(ord)) if math.isfinite(ord) else str(ord)
    return str(ord)


def _unsqueeze_dims(t, dims, ndim):
    for d in dims:
        t = t.unsqueeze(d)
    return t


def _vector_norm_grad(ord, dims, keepdim, ndim):
    import ember

    def formula(grad, input, result):
        if not keepdim and dims is not None:
            grad = _unsqueeze_dims(grad, dims, ndim)
            result = _unsqueeze_dims(result, dims, ndim)
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
            count = hit.sum(dims if dims is not None else None, keepdim=True) if (
                dims is not None) else hit.sum().reshape((1,) * ndim)
            return _sgn(input) * hit * (grad / count)
        magnitude = input.abs()
        safe = ember.where(result == 0, 1.0, result)
        scale = magnitude ** (ord - 2) * (grad / safe ** (ord - 1))
        return ember.where(result == 0, 0.0, input * scale)

    return formula


def vector_norm(x: Tensor, ord=2, dim=None, keepdim: bool = False, *, dtype=None,
                out=None) -> Tensor:
    """The vector ``ord``-norm over ``dim`` (all elements when None)."""
    name = "linalg.vector_norm"
    if not isinstance(ord, int | float) or isinstance(ord, bool):
        raise TypeError(f"linalg_vector_norm(): argument 'ord' must be Number, not "
                        f"{type(ord).__name__}")
    if not (x._dtype.is_floating_point or x._dtype.is_complex):
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. "
                           f"Got {x._dtype._legacy_name}")
    if dtype is not None:
        if not (dtype.is_floating_point or dtype.is_complex):
            raise RuntimeError(f"{name}: dtype should be floating point or complex, but got "
                               f"{dtype._legacy_name}")
        if dtype.is_complex != x._dtype.is_complex:
            kind = "complex" if x._dtype.is_complex else "real"
            raise RuntimeError(f"{name}: dtype should be {kind} for {kind} inputs, but got "
                               f"{dtype._legacy_name}")
        if dtype is not x._dtype:
            x = x.to(dtype)
    ndim = x._data.ndim
    dims = reduction_dims(dim, max(ndim, 1)) if ndim else (
        None if dim is None else reduction_dims(dim, 1))
    if ndim == 0:
        dims = None
    axes = dims if dims is not None else tuple(range(ndim))
    reduced = 1
    for axis in axes:
        reduced *= x._data.shape[axis]
    if reduced == 0 and (ord < 0 or math.isinf(ord)):
        raise RuntimeError(f"{name} cannot compute the {_ord_text(ord)} norm on an empty "
                           "tensor because the operation does not have an identity")
    result_dtype = x._dtype.to_real()
    compute = _dtype.float32._np if x._dtype in _HALF else None
    data = x._data if compute is None else x._data.astype(compute)
    magnitude = _cpu.abs(data)
    axes_arg = tuple(axes)
    if ord == 0:
        value = (magnitude != 0).sum(axes_arg, keepdims=keepdim).astype(magnitude.dtype)
    elif ord == math.inf:
        value = magnitude.max(axes_arg, keepdims=keepdim, initial=0) if reduced else (
            magnitude.sum(axes_arg, keepdims=keepdim))
    elif ord == -math.inf:
        value = magnitude.min(axes_arg, keepdims=keepdim)
    elif ord == 1:
        value = magnitude.sum(axes_arg, keepdims=keepdim)
    elif ord == 2:
        value = _cpu.sqrt((magnitude * magnitude).sum(axes_arg, keepdims=keepdim))
    else:
        value = (magnitude ** ord).sum(axes_arg, keepdims=keepdim) ** (1.0 / ord)
    result = finish(_cpu.asarray(value), result_dtype, x._device)
    if out is not None:
        return _finish_out("linalg_vector_norm", out, result, (x,))
    if _needs(x):
        _record_op("LinalgVectorNormBackward0",
                  (_vector_norm_grad(ord, dims if dims is not None and ndim else None,
                                     keepdim, ndim),),
                  (x,), (result,), {"input": x, "result": result})
    return result


_MATRIX_ORDS = ("fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf)


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
    if A._data.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if not (A._dtype.is_floating_point or A._dtype.is_complex):
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. "
                           f"Got {A._dtype._legacy_name}")
    if isinstance(ord, str):
        if ord not in ("fro", "nuc"):
            raise RuntimeError(f"{name}: Order {ord} not supported.")
    elif ord not in _MATRIX_ORDS:
        raise RuntimeError(f"{name}: Order {_ord_text(ord)} not supported.")
    dim = tuple(dim)
    if len(dim) != 2:
        raise RuntimeError(f"{name}: dim must be a 2-tuple. Got {' '.join(map(str, dim))}")
    wrapped = (_wrap_dim(dim[0], A._data.ndim), _wrap_dim(dim[1], A._data.ndim))
    if wrapped[0] == wrapped[1]:
        raise RuntimeError(f"{name}: dims must be different. Got ({dim[0]}, {dim[1]})")
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
    if not (x._dtype.is_floating_point or x._dtype.is_complex):
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. "
                           f"Got {x._dtype._legacy_name}")
    _check_same_dtype(name, x, y, "x", "y")
    shape = _broadcast_batch(x._data.shape, y._data.shape)
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
    if input._dtype is not other._dtype:
        raise RuntimeError(f"expected scalar type {input._dtype._legacy_name} but found "
                           f"{other._dtype._legacy_name}")
    if input._data.ndim != other._data.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    ndim = input._data.ndim
    axis = _wrap_dim(dim, ndim)
    size_a, size_b = input._data.shape[axis], other._data.shape[axis]
    if size_a != 3 or size_b != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{size_a} and {size_b}")
    shape = _broadcast_batch(input._data.shape, other._data.shape)
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


def _matrix_exp_grad(grad, A):
    import ember

    n = A._data.shape[-1]
    Ah = A.mH
    top = ember.cat([Ah, grad], -1)
    bottom = ember.cat([ember.zeros_like(Ah), Ah], -1)
    return matrix_exp(ember.cat([top, bottom], -2))[..., :n, n:]


@method("matrix_exp")
def matrix_exp(A: Tensor) -> Tensor:
    """The matrix exponential of square matrices."""
    _check_matrix("linalg.matrix_exp", A)
    if not (A._dtype.is_floating_point or A._dtype.is_complex):
        raise RuntimeError(f"linalg.matrix_exp: Expected a floating point or complex tensor "
                           f"as input. Got {A._dtype._legacy_name}")
    data = A._data.astype(_cpu.float32) if A._dtype in _HALF else A._data
    result = _tensor(_matrix_exp_kernel(data), A._dtype, A._device)
    if _needs(A):
        _record_op("LinalgMatrixExpBackward0", (_matrix_exp_grad,), (A,), (result,), {"A": A})
    return result


try:  # matrix products live in matmul.py once written there
    from ember.ops.matmul import matrix_power
except ImportError:

    @method("matrix_power")
    def matrix_power(A: Tensor, n: int, *, out=None) -> Tensor:
        """A square matrix to the integer power ``n`` (negative: of its inverse)."""
        _check_matrix("linalg.matrix_power", A)
        if not isinstance(n, int) or isinstance(n, bool):
            raise TypeError(f"linalg_matrix_power(): argument 'n' must be int, not "
                            f"{type(n).__name__}")
        if n == 0:
            eye = _cpu.broadcast_to(_cpu.eye(A._data.shape[-1], dtype=A._dtype._np),
                                    A._data.shape)
            result = finish(eye.copy(), A._dtype, A._device)
            if _needs(A):
                _record_op("CopyBackwards", (lambda grad: grad * 0,), (A,), (result,))
        else:
            base = inv(A) if n < 0 else A
            n = abs(n)
            if n == 1:
                result = base.clone() if n == 1 and base is A else base
            else:
                result = None
                power = base
                while n:
                    if n & 1:
                        result = power if result is None else matmul(result, power)
                    n >>= 1
                    if n:
                        power = matmul(power, power)
        if out is not None:
            check_out_allowed("linalg_matrix_power", A)
            if _dtype.can_cast(result._dtype, out._dtype):
                return _write_exact(out, result)
            return _write_castable("matrix_power", out, result)
        return result

try:
    from ember.ops.matmul import multi_dot
except ImportError:
    multi_dot = None


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


def _lu_grad(gL, gU, A):
    """PyTorch's linalg_lu_backward for square A = P L U:
    gA = P L^{-H} (tril(L^H gL, -1) + triu(gU U^H)) U^{-H}."""
    m, n = A._data.shape[-2:]
    if m != n:
        raise NotImplementedError("ember: the gradient of an LU factorization of non-square "
                                  "matrices is not implemented")
    P, L, U = _differentiable_lu(A)
    middle = _tril(matmul(L.mH, gL), -1) + _triu(matmul(gU, U.mH))
    gR = solve_triangular(L.mH, middle, upper=True, unitriangular=True)
    return matmul(P, solve_triangular(U.mH, gR, upper=False, left=False))


def _differentiable_lu(A):
    """P, L, U of A, recomputed with A's history (see Note [Recomputed factors])."""
    LU, pivots, _ = _lu_factor("linalg.lu", A, True)
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


def lu(A: Tensor, *, pivot: bool = True, out=None):
    """The LU decomposition with partial pivoting A = P L U."""
    LU, pivots, _ = _lu_factor("linalg.lu", A, pivot, node_name=None)
    P, L, U = _unpack(LU._data, pivots._data)
    result = tuple(_tensor(x, A._dtype, A._device) for x in (P, L, U))
    if out is None and _needs(A):
        record("LinalgLuBackward0", _lu_backward, (A,), result, (A,), _materialize_grads=False)
    if out is not None:
        return _finish_out("linalg_lu", out, result, (A,), "linalg_lu")
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


def _triangular_solve_backward(ctx, grad_solution, grad_coefficient):
    A, solution = ctx.saved_tensors
    upper, transpose, unitriangular = ctx.upper, ctx.transpose, ctx.unitriangular
    needs_b, needs_a = ctx.needs_input_grad
    grad_b = grad_a = None
    if grad_solution is not None:
        # solve op(A)^H grad_b = grad_solution
        adjoint = _conj(A) if transpose else A.mH
        grad_b = solve_triangular(adjoint, grad_solution, upper=upper == transpose,
                                  unitriangular=unitriangular)
        if needs_a:
            grad_a = (-matmul(_conj(solution), grad_b.mT) if transpose
                      else -matmul(grad_b, solution.mH))
            grad_a = _triu(grad_a, int(unitriangular)) if upper else _tril(
                grad_a, -int(unitriangular))
    if grad_coefficient is not None and needs_a:
        grad_a = grad_coefficient if grad_a is None else grad_a + grad_coefficient
    return grad_b if needs_b else None, grad_a


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
    batch = _broadcast_batch(input._data.shape[:-2], A._data.shape[:-2])
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
    "matrix_exp", "matrix_norm", "matrix_power", "matrix_rank", "norm", "pinv", "qr",
    "slogdet", "solve", "solve_ex", "solve_triangular", "svd", "svdvals", "vecdot",
    "vector_norm",
]
if multi_dot is not None:
    __all__.append("multi_dot")

# The linear algebra functions of the ``torch.`` namespace (not of ``torch.linalg``), by the
# name they take there: ``torch.slogdet``, ``torch.cholesky``, ``torch.qr`` and ``torch.svd``
# differ from their ``linalg`` namesakes.
TORCH_FUNCTIONS = {
    "det": det, "logdet": logdet, "slogdet": _torch_slogdet, "inverse": inverse,
    "pinverse": pinverse, "cholesky": _torch_cholesky, "cholesky_solve": cholesky_solve,
    "cholesky_inverse": cholesky_inverse, "qr": _torch_qr, "svd": _torch_svd,
    "matrix_exp": matrix_exp, "matrix_power": matrix_power, "lu": _torch_lu,
    "triangular_solve": triangular_solve,
}
