"""Matrix products, handed to the backend's BLAS.

matmul picks one of PyTorch's four kernels by the operands' ranks (see ``_kernel``), and the
errors it raises (dtype and shape mismatches, unsupported dtypes, a wrong ``out=``) are that
kernel's."""

from __future__ import annotations

import warnings

from ember import _dtype
from ember.autograd import grad_mode
from ember.backends import cpu as _cpu
from ember.ops._autograd import check_out_allowed, record_op
from ember.ops._common import Tensor, compute_dtype, finish, method, write_out

_grad_state = grad_mode.state

# PyTorch's matrix-product errors name dtypes by their C++ scalar type.
_CPP_NAMES = {_dtype.float32: "float", _dtype.float64: "double", _dtype.int64: "long int",
              _dtype.int32: "int", _dtype.int16: "short int", _dtype.int8: "signed char",
              _dtype.uint8: "unsigned char", _dtype.bool: "bool", _dtype.float16: "c10::Half",
              _dtype.bfloat16: "c10::BFloat16", _dtype.complex64: "c10::complex<float>",
              _dtype.complex128: "c10::complex<double>"}

# The kernel each matmul path runs, named as in PyTorch's "not implemented" errors.
_KERNEL_NAMES = {"dot": "dot", "mv": "addmv_impl_cpu", "mm": "addmm_impl_cpu_", "bmm": "bmm"}


def _kernel(a_ndim: int, b_ndim: int) -> str:
    """The kernel PyTorch's matmul runs for operands of these ranks (a 1-D left operand is a
    one-row matrix; batches over a matrix fold into one matrix product)."""
    if b_ndim == 1:
        return "dot" if a_ndim == 1 else "mv"
    return "mm" if b_ndim == 2 else "bmm"


def _shape_text(shape):
    return "x".join(str(n) for n in shape)


def _check_dtypes(kernel, a, b, out):
    """The dtype errors of ``kernel``: operands of two dtypes, an ``out=`` of another
    dtype, and dtypes it has no loop for."""
    if kernel == "dot":
        if a._dtype is not b._dtype:
            raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                               f"{a._dtype._legacy_name} and {b._dtype._legacy_name}")
        if isinstance(out, Tensor) and out._dtype is not a._dtype:
            raise RuntimeError(f"result dtype {out._dtype._legacy_name} does not match input "
                               f"dtype {a._dtype._legacy_name}")
    elif kernel == "mv":
        result = out._dtype if isinstance(out, Tensor) else b._dtype
        if not (a._dtype is b._dtype is result):
            raise RuntimeError(f"addmv input tensors must have the same dtype, but got "
                               f"{result._legacy_name}, {a._dtype._legacy_name}, and "
                               f"{b._dtype._legacy_name}")
    else:
        if a._dtype is not b._dtype:
            if kernel == "bmm":
                raise RuntimeError(f"expected scalar type {a._dtype._legacy_name} but found "
                                   f"{b._dtype._legacy_name}")
            raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                               f"{_CPP_NAMES[a._dtype]} != {_CPP_NAMES[b._dtype]}")
        if isinstance(out, Tensor) and out._dtype is not a._dtype:
            raise RuntimeError(f"Expected out tensor to have dtype {_CPP_NAMES[a._dtype]}, "
                               f"but got {_CPP_NAMES[out._dtype]} instead")
    if a._dtype is _dtype.bool and (kernel == "dot" or a._data.size and b._data.size):
        raise NotImplementedError(f"\"{_KERNEL_NAMES[kernel]}\" not implemented for 'Bool'")


def _shape_error(kernel, a, b):
    """Raise ``kernel``'s error for operands whose inner dims differ."""
    k_a = a.shape[-1]
    k_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if kernel == "dot":
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{k_a}] and src "
                           f"[{k_b}] to have the same number of elements, but got {k_a} and "
                           f"{k_b} elements respectively")
    if kernel == "mv":
        rows = a.size // k_a if k_a else 0
        raise RuntimeError(f"size mismatch, got input ({rows}), mat ({rows}x{k_a}), vec "
                           f"({k_b})")
    if kernel == "mm":
        rows = a.size // k_a if k_a else 0
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{k_a} and "
                           f"{_shape_text(b.shape)})")
    batch = 1
    for n in _broadcast_batches(a, b):
        batch *= n
    raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                       f"[{batch}, {k_a}] but got: [{batch}, {k_b}].")


def _broadcast_batches(a, b):
    """The broadcast batch shape of two stacks of matrices (a 1-D operand has none)."""
    batch_a, batch_b = a.shape[:-2], b.shape[:-2]
    try:
        return _cpu.broadcast_shapes(batch_a, batch_b)
    except ValueError:
        for position in range(1, max(len(batch_a), len(batch_b)) + 1):
            size_a = batch_a[-position] if position <= len(batch_a) else 1
            size_b = batch_b[-position] if position <= len(batch_b) else 1
            if size_a != size_b and 1 not in (size_a, size_b):
                break
        dim = max(len(batch_a), len(batch_b)) - position
        raise RuntimeError(f"The size of tensor a ({size_a}) must match the size of tensor b "
                           f"({size_b}) at non-singleton dimension {dim}") from None


def _input_grad(grad, other):
    """d(input @ other)/d input applied to ``grad``, for every rank combination (the node
    then sums away broadcast batch dims)."""
    if other._data.ndim == 1:
        if grad._data.ndim == 0:  # dot
            return grad * other
        return grad.unsqueeze(-1) * other
    if grad._data.ndim == other._data.ndim - 1:  # a 1-D input, whose dim was squeezed
        grad = grad.unsqueeze(-2)
    return grad @ other.mT


def _other_grad(grad, input):
    """d(input @ other)/d other applied to ``grad``."""
    if input._data.ndim == 1:
        if grad._data.ndim == 0:  # dot
            return grad * input
        return input.unsqueeze(-1) * grad.unsqueeze(-2)
    if grad._data.ndim == input._data.ndim - 1:  # a 1-D other, whose dim was squeezed
        return (input.mT @ grad.unsqueeze(-1)).squeeze(-1)
    return input.mT @ grad


_DERIVATIVES = (_input_grad, _other_grad)


def _node_name(input, other):
    """The node PyTorch's matmul ends with for these operands."""
    a_shape, b_shape = input._data.shape, other._data.shape
    a_ndim, b_ndim = len(a_shape), len(b_shape)
    if a_ndim > 2 or b_ndim > 2:
        if input._requires_grad and b_ndim > 2 and (
                a_ndim == 2 or a_ndim == b_ndim == 3 and a_shape[0] == 1 != b_shape[0]):
            # PyTorch folds other's batch into one matrix product by transposing both sides
            # (a matrix input keeps a smaller gradient so), then copies the result's
            # transpose into a contiguous tensor unless it already is one.
            rows, columns = a_shape[-2], b_shape[-1]
            return "TransposeBackward0" if 1 in (rows, columns) else "CloneBackward0"
        return "UnsafeViewBackward0"
    if a_ndim == 1:
        return "DotBackward0" if b_ndim == 1 else "SqueezeBackward4"
    return "MvBackward0" if b_ndim == 1 else "MmBackward0"


def _product(kernel, input, other, out, node_name):
    """``input @ other`` by ``kernel``, after its checks; the result, or ``out`` filled."""
    a, b = input._data, other._data
    if input._dtype is not other._dtype or out is not None or input._dtype is _dtype.bool:
        _check_dtypes(kernel, input, other, out)
    if kernel == "bmm":
        _broadcast_batches(a, b)
    if a.shape[-1] != (b.shape[0] if b.ndim == 1 else b.shape[-2]):
        _shape_error(kernel, a, b)
    compute = compute_dtype(input._dtype)._np
    data = _cpu.matmul(a.astype(compute, copy=False), b.astype(compute, copy=False))
    result = finish(data, input._dtype, input._device)
    if out is not None:
        check_out_allowed(kernel, input, other)
        return write_out(out, result)
    if (input._requires_grad or other._requires_grad) and _grad_state.enabled:
        record_op(node_name if node_name.__class__ is str else node_name(input, other),
                  _DERIVATIVES, (input, other), (result,),
                  {"input": input, "other": other})
    return result


@method("matmul")
def matmul(input, other, *, out=None):
    """The matrix product, with NumPy's (and PyTorch's) rules for 1-D and batched inputs."""
    for position, (name, value) in enumerate((("input", input), ("other", other)), 1):
        if not isinstance(value, Tensor):
            raise TypeError(f"matmul(): argument '{name}' (position {position}) must be "
                            f"Tensor, not {type(value).__name__}")
    a_ndim, b_ndim = input._data.ndim, other._data.ndim
    if a_ndim == 0 or b_ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{a_ndim}D and {b_ndim}D")
    if a_ndim == 1 and b_ndim == 2 and isinstance(out, Tensor) and out._data.size:
        # PyTorch multiplies a one-row matrix into out and then squeezes it, so it resizes
        # (and warns about) even an out of the right shape.
        columns = other._data.shape[1]
        warnings.warn(f"An output with one or more elements was resized since it had shape "
                      f"{list(out._data.shape)}, which does not match the required output "
                      f"shape [1, {columns}]. This behavior is deprecated, and in a future "
                      "PyTorch release outputs will not be resized unless they have zero "
                      "elements. You can explicitly reuse an out tensor t by resizing it, "
                      "inplace, to zero elements with t.resize_(0).", UserWarning, stacklevel=2)
        out.resize_((columns,))
    return _product(_kernel(a_ndim, b_ndim), input, other, out, _node_name)


@method("mm")
def mm(input, mat2, *, out=None):
    """The product of two matrices."""
    if input._data.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if mat2._data.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    return _product("mm", input, mat2, out, "MmBackward0")


@method("bmm")
def bmm(input, mat2, *, out=None):
    """The products of two batches of matrices, matrix by matrix."""
    if input._data.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if mat2._data.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    batch, _, k = input._data.shape
    if mat2._data.shape[:2] != (batch, k):
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{batch}, {k}] but got: [{mat2._data.shape[0]}, "
                           f"{mat2._data.shape[1]}].")
    return _product("bmm", input, mat2, out, "BmmBackward0")


@method("mv")
def mv(input, vec, *, out=None):
    """The product of a matrix and a vector."""
    if input._data.ndim != 2 or vec._data.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {input._data.ndim}, "
                           f"{vec._data.ndim}")
    return _product("mv", input, vec, out, "MvBackward0")


@method("dot")
def dot(input, tensor, *, out=None):
    """The inner product of two vectors."""
    if input._data.ndim != 1 or tensor._data.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input._data.ndim}D and "
                           f"{tensor._data.ndim}D tensors")
    return _product("dot", input, tensor, out, "DotBackward0")


Tensor.__matmul__ = matmul
Tensor.__rmatmul__ = lambda self, other: matmul(other, self)


__all__ = ["bmm", "dot", "matmul", "mm", "mv"]
