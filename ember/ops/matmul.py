"""Matrix products, handed to the backend's BLAS."""

from __future__ import annotations

from ember import _dtype
from ember.backends import cpu as _cpu
from ember.ops._common import Tensor, compute_dtype, finish, method, write_out

# PyTorch's matrix-product errors name dtypes by their C++ scalar type.
_CPP_NAMES = {_dtype.float32: "float", _dtype.float64: "double", _dtype.int64: "long int",
              _dtype.int32: "int", _dtype.int16: "short int", _dtype.int8: "signed char",
              _dtype.uint8: "unsigned char", _dtype.bool: "bool", _dtype.float16: "c10::Half",
              _dtype.bfloat16: "c10::BFloat16", _dtype.complex64: "c10::complex<float>",
              _dtype.complex128: "c10::complex<double>"}


def _check_same_dtype(a, b):
    if a._dtype is not b._dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                           f"{_CPP_NAMES[a._dtype]} != {_CPP_NAMES[b._dtype]}")
    if a._dtype is _dtype.bool:
        raise RuntimeError("\"addmm_impl_cpu_\" not implemented for 'Bool'")


def _product(a, b, dtype):
    compute = compute_dtype(dtype)._np
    return finish(_cpu.matmul(a._data.astype(compute, copy=False),
                              b._data.astype(compute, copy=False)), dtype, a._device)


def _shape_text(shape):
    return "x".join(str(n) for n in shape)


@method("matmul")
def matmul(input, other, *, out=None):
    """The matrix product, with NumPy's (and PyTorch's) rules for 1-D and batched inputs."""
    if not isinstance(other, Tensor) or not isinstance(input, Tensor):
        raise TypeError("matmul(): argument 'other' (position 2) must be Tensor, not "
                        f"{type(other).__name__}")
    a, b = input._data, other._data
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{a.ndim}D and {b.ndim}D")
    _check_same_dtype(input, other)
    k_a = a.shape[-1]
    k_b = b.shape[-2] if b.ndim > 1 else b.shape[0]
    if k_a != k_b:
        if a.ndim == 1 and b.ndim == 1:
            raise RuntimeError(f"inconsistent tensor size, expected tensor [{a.shape[0]}] and "
                               f"src [{b.shape[0]}] to have the same number of elements, but "
                               "got "f"{a.shape[0]} and {b.shape[0]} elements respectively")
        left = a.shape if a.ndim > 1 else (1, a.shape[0])
        right = b.shape if b.ndim > 1 else (b.shape[0],)
        if a.ndim <= 2 and b.ndim <= 2:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied "
                               f"({_shape_text(left)} and {_shape_text(right)})")
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{a.shape[0] if a.ndim == 3 else 1}, {k_a}] but got: "
                           f"[{b.shape[0] if b.ndim == 3 else 1}, {k_b}].")
    try:
        result = _product(input, other, input._dtype)
    except ValueError:
        raise RuntimeError(f"The size of tensor a ({a.shape[-3]}) must match the size of "
                           f"tensor b ({b.shape[-3]}) at non-singleton dimension 0") from None
    return result if out is None else write_out(out, result)


@method("mm")
def mm(input, mat2, *, out=None):
    if input._data.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if mat2._data.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    return matmul(input, mat2, out=out)


@method("bmm")
def bmm(input, mat2, *, out=None):
    if input._data.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if mat2._data.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if input._data.shape[0] != mat2._data.shape[0]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{input._data.shape[0]}, {input._data.shape[2]}] but got: "
                           f"[{mat2._data.shape[0]}, {mat2._data.shape[1]}].")
    return matmul(input, mat2, out=out)


@method("mv")
def mv(input, vec, *, out=None):
    if input._data.ndim != 2 or vec._data.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {input._data.ndim}, "
                           f"{vec._data.ndim}")
    return matmul(input, vec, out=out)


@method("dot")
def dot(input, tensor, *, out=None):
    if input._data.ndim != 1 or tensor._data.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input._data.ndim}D and "
                           f"{tensor._data.ndim}D tensors")
    if input._dtype is not tensor._dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                           f"{input._dtype._legacy_name} and {tensor._dtype._legacy_name}")
    return matmul(input, tensor, out=out)


Tensor.__matmul__ = matmul
Tensor.__rmatmul__ = lambda self, other: matmul(other, self)
