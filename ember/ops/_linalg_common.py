"""What the linear algebra ops in ember/ops/linalg.py share: their argument checks, with
PyTorch's messages, and their results, in the layout PyTorch's LAPACK calls leave, with their
``out=`` forms."""

from __future__ import annotations

import math
import warnings

from ember import _dtype, return_types
from ember.backends import cpu as _cpu
from ember.ops._autograd import check_out_allowed
from ember.ops._common import (
    Tensor,
    _wrap_dim,
    broadcast_error,
    check_out_dtype,
    finish,
    write_out,
)
from ember.ops._linalg_kernels import _colmajor, _rowmajor

_HALF = (_dtype.float16, _dtype.bfloat16)
_LAPACK_DTYPES = (_dtype.float32, _dtype.float64, _dtype.complex64, _dtype.complex128)


# --- checks -----------------------------------------------------------------------------------


def _check_matrix(name, A, square=True, arg="A"):
    """``A`` is a (batch of) matrix, square where ``square``."""
    if A._data.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor {arg} must have at least 2 dimensions.")
    if square and A._data.shape[-1] != A._data.shape[-2]:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are "
                           f"{A._data.shape[-2]} by {A._data.shape[-1]} matrices")


def _check_floating(name, A):
    """``A`` is floating point or complex (half precision included)."""
    if not (A._dtype.is_floating_point or A._dtype.is_complex):
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. "
                           f"Got {A._dtype._legacy_name}")


def _check_float(name, A, kernel=None):
    """``A`` is float32/float64/complex: integers are refused by ``name``, half precision
    by ``kernel``'s missing loop (or ``name``'s low-precision check when no kernel)."""
    _check_floating(name, A)
    dtype = A._dtype
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


def _check_uplo(UPLO):
    if UPLO not in ("L", "U", "l", "u"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    return UPLO.upper()


def _is_vector_rhs(A, B):
    """PyTorch treats B as a (batch of) vector when it has one dim less than A and its
    shape is A's without the last dim."""
    return B._data.ndim == 1 or (B._data.ndim == A._data.ndim - 1
                                 and B._data.shape == A._data.shape[:-1])


def _broadcast_shape(a, b):
    """The broadcast of the shapes ``a`` and ``b``, or PyTorch's error."""
    try:
        return tuple(_cpu.broadcast_shapes(a, b))
    except ValueError:
        raise broadcast_error(a, b) from None

def _complex_of(dtype):
    return {_dtype.float32: _dtype.complex64, _dtype.float64: _dtype.complex128}.get(
        dtype, dtype)



# --- messages ---------------------------------------------------------------------------------


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



# --- the checks of single ops -----------------------------------------------------------------


def _check_solve(A, B, left):
    """The checks of linalg.solve; returns whether B is a (batch of) vector."""
    for arg, value in (("A", A), ("B", B)):
        if not isinstance(value, Tensor):
            raise TypeError(f"linalg_solve(): argument '{arg}' must be Tensor, not "
                            f"{type(value).__name__}")
    _check_matrix("linalg.solve", A)
    _check_float("linalg.solve", A, "lu_cpu")
    _check_same_dtype("linalg.solve", A, B)
    vector = left and _is_vector_rhs(A, B)
    shape = B._data.shape + (1,) if vector else B._data.shape
    if len(shape) < 2:
        raise RuntimeError("linalg.solve: The input tensor B must have at least 1 dimensions.")
    _check_equation("linalg.solve", A, shape, left)
    return vector


def _check_equation(name, A, shape, left):
    """B (of ``shape``) has as many rows (columns if not ``left``) as the square A."""
    n = A._data.shape[-1]
    rows, columns = shape[-2:]
    if (rows if left else columns) != n:
        equation = "AX = B" if left else "XA = B"
        raise RuntimeError(f"{name}: Incompatible shapes of A and B for the equation "
                           f"{equation} ({n}x{n} and {rows}x{columns})")


def _check_solve_triangular(A, B, left):
    name = "linalg.solve_triangular"
    _check_matrix(name, A)
    _check_matrix(name, B, square=False, arg="B")
    _check_same_dtype(name, A, B)
    if not (A._dtype.is_floating_point or A._dtype.is_complex) or A._dtype in _HALF:
        _no_kernel("triangular_solve_cpu", A)
    _check_equation(name, A, B._data.shape, left)


_LSTSQ_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


def _check_lstsq(A, B, driver):
    """The checks of linalg.lstsq; returns whether B is a (batch of) vector."""
    name = "torch.linalg.lstsq"
    if A._dtype is not B._dtype:
        raise RuntimeError(f"{name}: Expected input and other to have the same dtype, but "
                           f"got input's dtype {A._dtype._legacy_name} and other's dtype "
                           f"{B._dtype._legacy_name}")
    if A._dtype not in _LAPACK_DTYPES:
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
    rows = B._data.shape[-1] if vector else B._data.shape[-2]
    if rows != A._data.shape[-2]:
        raise RuntimeError(f"{name}: input.size(-2) should match other.size(-2)")
    if driver not in _LSTSQ_DRIVERS:
        raise RuntimeError(f"{name}: parameter `driver` should be one of (gels, gelsy, "
                           "gelsd, gelss)")
    return vector


def _check_pinv(A):
    if not isinstance(A, Tensor) or A._data.ndim < 2 or A._dtype not in _LAPACK_DTYPES:
        kind = A._dtype._legacy_name if isinstance(A, Tensor) else type(A).__name__
        shape = list(A._data.shape) if isinstance(A, Tensor) else []
        raise RuntimeError(f"linalg.pinv({kind}{{{shape}}}): expected a tensor with 2 or more "
                           "dimensions of float, double, cfloat or cdouble types")


def _check_matrix_rank(A, rtol):
    if A._dtype not in _LAPACK_DTYPES:
        if rtol is None:  # the default rtol needs the dtype's eps
            raise RuntimeError("This function doesn't handle types other than float and "
                               "double")
        _check_float("linalg.svd", A, "linalg_svd_cpu")
    if A._data.ndim < 2:
        raise RuntimeError("torch.linalg.matrix_rank: The input tensor input must have at "
                           "least 2 dimensions.")


def _check_eigh(A):
    _check_matrix("linalg.eigh", A)
    if not (A._dtype.is_complex or A._dtype in (_dtype.float32, _dtype.float64)):
        _no_kernel("linalg_eigh_cpu", A)


def _check_eig(A):
    if not (A._dtype.is_floating_point or A._dtype.is_complex):
        raise RuntimeError(f"Unknown Complex ScalarType for {A._dtype._legacy_name}")
    _check_matrix("linalg.eig", A)
    if A._dtype in _HALF:
        if A._data.size:  # PyTorch makes its complex-half result before refusing the dtype
            _warn_once("complex half", "ComplexHalf support is experimental and many "
                       "operators don't support it yet.")
        _no_kernel("linalg_eig_out_cpu", A)


def _check_vector_norm(x, ord, dtype):
    name = "linalg.vector_norm"
    if not isinstance(ord, int | float) or isinstance(ord, bool):
        raise TypeError(f"linalg_vector_norm(): argument 'ord' must be Number, not "
                        f"{type(ord).__name__}")
    _check_floating(name, x)
    if dtype is not None:
        if not (dtype.is_floating_point or dtype.is_complex):
            raise RuntimeError(f"{name}: dtype should be floating point or complex, but got "
                               f"{dtype._legacy_name}")
        if dtype.is_complex != x._dtype.is_complex:
            kind = "complex" if x._dtype.is_complex else "real"
            raise RuntimeError(f"{name}: dtype should be {kind} for {kind} inputs, but got "
                               f"{dtype._legacy_name}")


_MATRIX_ORDS = ("fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf)


def _check_matrix_norm(A, ord, dim):
    """The checks of linalg.matrix_norm; returns the two dims wrapped."""
    name = "linalg.matrix_norm"
    if A._data.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    _check_floating(name, A)
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
    return wrapped


def _check_cross(input, other, dim):
    """The checks of linalg.cross; returns ``dim`` wrapped."""
    if input._dtype is not other._dtype:
        raise RuntimeError(f"expected scalar type {input._dtype._legacy_name} but found "
                           f"{other._dtype._legacy_name}")
    if input._data.ndim != other._data.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    axis = _wrap_dim(dim, input._data.ndim)
    size_a, size_b = input._data.shape[axis], other._data.shape[axis]
    if size_a != 3 or size_b != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{size_a} and {size_b}")
    return axis



# --- results ----------------------------------------------------------------------------------


def _tensor(data, dtype, device, colmajor=False):
    """The result tensor over ``data``: with column-major matrices if ``colmajor``, else
    C-contiguous."""
    if colmajor and data.ndim >= 2:
        data = _colmajor(data.astype(dtype._np, copy=False))
    elif not colmajor:
        data = _rowmajor(data)
    return finish(data, dtype, device)


def _write_exact(out, result, check_overlap=True):
    """``out=`` of a LAPACK-backed op: ``out`` must have the result's dtype
    (``check_overlap``: see write_out)."""
    if not isinstance(out, Tensor):
        raise TypeError(f"argument 'out' must be Tensor, not {type(out).__name__}")
    check_out_dtype(out, result._dtype)
    return write_out(out, result, check_overlap)


def _write_castable(name, out, result, what="result"):
    """``out=`` of a composite op: ``out`` must take the result's dtype without a lossy
    cast of category."""
    if not _dtype.can_cast(result._dtype, out._dtype):
        raise RuntimeError(f"{name}: Expected {what} to be safely castable from "
                           f"{result._dtype._legacy_name} dtype, but got {what} with dtype "
                           f"{out._dtype._legacy_name}")
    return write_out(out, result)


def _finish_out(name, out, results, inputs, tuple_type=None, check_overlap=True):
    """Fill ``out`` (a tensor or a tuple of them) with ``results`` for the op ``name``."""
    check_out_allowed(name, *inputs)
    if tuple_type is None:
        return _write_exact(out, results, check_overlap)
    if len(out) != len(results):
        raise TypeError(f"{name}(): argument 'out' must be tuple of {len(results)} Tensors")
    written = tuple(_write_exact(o, r) for o, r in zip(out, results))
    return getattr(return_types, tuple_type + "_out")(written)

