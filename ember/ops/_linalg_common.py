"""What the linear algebra ops in ember/ops/linalg.py share: argument checks with PyTorch's
messages, results in the layout PyTorch's LAPACK calls leave, and their ``out=`` forms."""

from __future__ import annotations

import math
import warnings

from ember import _dtype, return_types
from ember.backends import cpu as _cpu
from ember.ops._autograd import check_out_allowed
from ember.ops._common import Tensor, finish, write_out
from ember.ops._linalg_kernels import _colmajor, _rowmajor
from ember.ops.matmul import _CPP_NAMES

_HALF = (_dtype.float16, _dtype.bfloat16)


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


def _is_vector_rhs(A, B):
    """PyTorch treats B as a (batch of) vector when it has one dim less than A and its
    shape is A's without the last dim."""
    return B._data.ndim == 1 or (B._data.ndim == A._data.ndim - 1
                                 and B._data.shape == A._data.shape[:-1])


def _broadcast_batch(a, b):
    try:
        return tuple(_cpu.broadcast_shapes(a, b))
    except ValueError:
        from ember.ops._common import broadcast_error

        raise broadcast_error(a, b) from None


def _check_uplo(UPLO):
    if UPLO not in ("L", "U", "l", "u"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    return UPLO.upper()


def _check_eig(A):
    if not (A._dtype.is_floating_point or A._dtype.is_complex):
        raise RuntimeError(f"Unknown Complex ScalarType for {A._dtype._legacy_name}")
    _check_matrix("linalg.eig", A)
    if A._dtype in _HALF:
        if A._data.size:  # PyTorch makes its complex-half result before refusing the dtype
            _warn_once("complex half", "ComplexHalf support is experimental and many "
                       "operators don't support it yet.")
        _no_kernel("linalg_eig_out_cpu", A)


def _complex_of(dtype):
    return {_dtype.float32: _dtype.complex64, _dtype.float64: _dtype.complex128}.get(
        dtype, dtype)


def _ord_text(ord):
    if isinstance(ord, float) and ord.is_integer():
        return str(int(ord)) if math.isfinite(ord) else str(ord)
    return str(ord)


def _batch_prefix(ndim, index):
    return f"(Batch element {index}): " if ndim > 2 else ""


_warned = set()


def _warn_once(key, message):
    """PyTorch's TORCH_WARN_ONCE: the first call in the process warns."""
    if key not in _warned:
        _warned.add(key)
        warnings.warn(message, UserWarning, stacklevel=3)



# --- results ----------------------------------------------------------------------------------


def _tensor(data, dtype, device, colmajor=False):
    if colmajor and data.ndim >= 2:
        data = _colmajor(data.astype(dtype._np, copy=False))
    elif not colmajor:
        data = _rowmajor(data)
    return finish(data, dtype, device)


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

