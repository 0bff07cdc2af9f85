"""Matrix products, handed to the backend's BLAS: matmul (and ``@``), mm, bmm, mv and dot;
inner, outer (and its alias ger) and vdot; matrix_power, multi_dot and chain_matmul. The
products added to a tensor (addmm, ...) are added_products.py's.

matmul picks one of PyTorch's four kernels by the operands' ranks (see ``_kernel``), and the
errors it raises (dtype and shape mismatches, unsupported dtypes, a wrong ``out=``) are that
kernel's. einsum and tensordot, written over these products, are einsum.py's."""

from __future__ import annotations

import operator
import warnings

from ember import _dtype
from ember._size import contiguous_format
from ember.autograd import grad_mode
from ember.backends import cpu as _cpu
from ember.ops._autograd import check_out_allowed, record_op
from ember.ops._common import (
    Tensor,
    _wrap_dim,
    check_out_dtype,
    compute_dtype,
    finish,
    method,
    write_out,
)
from ember.ops.creation import eye

__all__ = [
    "bmm", "chain_matmul", "dot", "ger", "inner", "matmul", "matrix_power", "mm", "mv", "outer",
    "vdot",
]  # multi_dot is ember.linalg's only

_grad_state = grad_mode.state

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


def _check_tensors(name, *named):
    """PyTorch's argument parser's TypeError for a non-tensor operand."""
    for position, (label, value) in enumerate(named, 1):
        if not isinstance(value, Tensor):
            raise TypeError(f"{name}(): argument '{label}' (position {position}) must be Tensor, "
                            f"not {type(value).__name__}")


_WARNED = set()  # PyTorch gives its deprecation warnings (ger, chain_matmul) once per process


def _warn_once(key, message):
    """Warn with ``message`` unless a warning of ``key`` was given already."""
    if key not in _WARNED:
        _WARNED.add(key)
        warnings.warn(message, UserWarning, stacklevel=3)


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
                               f"{a._dtype._cpp_name} != {b._dtype._cpp_name}")
        check_out_dtype(out, a._dtype)
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


# Note [Gradient layouts of matrix products]
# The gradient of a matrix that is a transposed view (column-major, as ``weight.t()`` in
# linear) is computed transposed, ``(b.T @ a).T``, as PyTorch does: it then reaches the
# leaf already in the leaf's row-major layout, which ``.grad`` needs, and needs no copy.


def _column_major(tensor) -> bool:
    """Whether a matrix is laid out column-major (strides (1, rows)), as a transposed view."""
    data = tensor._data
    return data.ndim == 2 and data.strides == (data.itemsize, data.itemsize * data.shape[0])


def _matmul_input_grad(grad, other, input_column_major):
    """d(input @ other)/d input applied to ``grad``, for every rank combination (the node
    then sums away broadcast batch dims)."""
    if other._data.ndim == 1:
        if grad._data.ndim == 0:  # dot
            return grad * other
        return grad.unsqueeze(-1) * other
    if grad._data.ndim == other._data.ndim - 1:  # a 1-D input, whose dim was squeezed
        grad = grad.unsqueeze(-2)
    if input_column_major:  # see Note [Gradient layouts of matrix products]
        return (other @ grad.mT).mT
    return grad @ other.mT


def _matmul_other_grad(grad, input, other_column_major):
    """d(input @ other)/d other applied to ``grad``."""
    if input._data.ndim == 1:
        if grad._data.ndim == 0:  # dot
            return grad * input
        return input.unsqueeze(-1) * grad.unsqueeze(-2)
    if grad._data.ndim == input._data.ndim - 1:  # a 1-D other, whose dim was squeezed
        return (input.mT @ grad.unsqueeze(-1)).squeeze(-1)
    if other_column_major:
        return (grad.mT @ input).mT
    return input.mT @ grad


_MATMUL_DERIVATIVES = (_matmul_input_grad, _matmul_other_grad)


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
        # PyTorch's bmm and mv write an out whose elements share memory; mm refuses it
        return write_out(out, result, check_overlap=kernel in ("mm", "dot"))
    if (input._requires_grad or other._requires_grad) and _grad_state.enabled:
        record_op(node_name if node_name.__class__ is str else node_name(input, other),
                  _MATMUL_DERIVATIVES, (input, other), (result,),
                  {"input": input, "other": other,
                   "input_column_major": _column_major(input) and b.ndim == 2,
                   "other_column_major": _column_major(other) and a.ndim == 2})
    return result


@method("matmul")
def matmul(input, other, *, out=None):
    """The matrix product, with NumPy's (and PyTorch's) rules for 1-D and batched inputs."""
    if not (isinstance(input, Tensor) and isinstance(other, Tensor)):
        _check_tensors("matmul", ("input", input), ("other", other))
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
    if a_ndim == b_ndim == 2 and out is None:
        return mm(input, other)  # as PyTorch's matmul does (a profile shows aten::mm in it)
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


# --- inner, outer, vdot ------------------------------------------------------------------


def _tensordot(a, b, dims_a, dims_b):
    """``a``'s dims ``dims_a`` contracted with ``b``'s ``dims_b`` through one mm: inner's
    kernel, and tensordot's (einsum.py)."""
    if len(dims_a) != len(dims_b):
        raise RuntimeError("both dimension lists should have same length")
    if a._dtype is not b._dtype:
        raise RuntimeError("both inputs should have same dtype")
    contracted = 1
    first, second = a, b
    for dim_a, dim_b in zip(dims_a, dims_b):
        size_a, size_b = a.shape[dim_a], b.shape[dim_b]
        if size_b == 1:  # broadcast dims are summed right away
            first = first.sum(dim_a, True, dtype=first.dtype)
        elif size_a == 1:
            second = second.sum(dim_b, True, dtype=second.dtype)
        elif size_a != size_b:
            raise RuntimeError(f"contracted dimensions need to match, but first has size "
                               f"{size_a} in dim {dim_a} and second has size {size_b} in dim "
                               f"{dim_b}")
        else:
            contracted *= size_a
    wrapped_a = [_wrap_dim(d, a._data.ndim) for d in dims_a]
    wrapped_b = [_wrap_dim(d, b._data.ndim) for d in dims_b]
    kept_a = [d for d in range(a._data.ndim) if d not in wrapped_a]
    kept_b = [d for d in range(b._data.ndim) if d not in wrapped_b]
    sizes = [first.shape[d] for d in kept_a] + [second.shape[d] for d in kept_b]
    rows = columns = 1
    for d in kept_a:
        rows *= first.shape[d]
    for d in kept_b:
        columns *= second.shape[d]
    first = first.permute(kept_a + wrapped_a).reshape(rows, contracted)
    second = second.permute(wrapped_b + kept_b).reshape(contracted, columns)
    return mm(first, second).reshape(sizes)


def _exact_out(name, result, out):
    """``out=`` for ops that need the out tensor to have the result's dtype."""
    if out._dtype is not result._dtype:
        raise RuntimeError(f"{name}: Expected the output tensor to have dtype "
                           f"{result._dtype._legacy_name}, but got an output tensor with dtype "
                           f"{out._dtype._legacy_name}")
    return write_out(out, result)


@method("inner")
def inner(input, other, *, out=None):
    """Sums of products over the last dim of both operands (a product for a 0-dim one)."""
    _check_tensors("inner", ("input", input), ("other", other))
    if input._data.ndim == 0 or other._data.ndim == 0:
        result = input * other
    else:
        if input.shape[-1] != other.shape[-1]:
            raise RuntimeError(f"inner() the last dimension must match on both input tensors "
                               f"but got shapes {list(input.shape)} and {list(other.shape)}")
        if out is not None:
            check_out_allowed("inner", input, other)
            with grad_mode.no_grad():
                return _exact_out("inner", _tensordot(input, other, [-1], [-1]), out)
        return _tensordot(input, other, [-1], [-1])
    if out is not None:
        check_out_allowed("inner", input, other)
        return write_out(out, result)
    return result


@method("outer")
def outer(input, vec2, *, out=None):
    """The outer product of two vectors."""
    _check_tensors("outer", ("input", input), ("vec2", vec2))
    for name, value in (("self", input), ("vec2", vec2)):
        if value._data.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got "
                               f"{value._data.ndim}-D")
    result = input.reshape(input.shape[0], 1) * vec2
    if out is not None:
        check_out_allowed("outer", input, vec2)
        return write_out(out, result)
    return result


@method("ger")
def ger(input, vec2, *, out=None):
    """Alias of :func:`outer` (deprecated in PyTorch)."""
    _warn_once(("ger", out is None), "torch.ger is deprecated and will be removed in a future "
               "PyTorch release. Use torch.outer instead.")
    return outer(input, vec2, out=out)


def _conj(tensor):
    return tensor.conj() if tensor._dtype.is_complex else tensor


# Formulas are written for real numbers; see Note [Complex gradients] for complex ones.


def _vdot_input_grad(grad, other):
    return _conj(grad * other)  # the first operand enters conjugated


def _vdot_other_grad(grad, input):
    return grad * _conj(input)


@method("vdot")
def vdot(input, other, *, out=None):
    """The dot product of two vectors, the first conjugated."""
    _check_tensors("vdot", ("input", input), ("other", other))
    if input._data.ndim != 1 or other._data.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input._data.ndim}D and "
                           f"{other._data.ndim}D tensors")
    if input._dtype is not other._dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                           f"{input._dtype._legacy_name} and {other._dtype._legacy_name}")
    if not input._dtype.is_complex:
        return _product("dot", input, other, out, "VdotBackward0")
    if input.shape[0] != other.shape[0]:
        _shape_error("dot", input._data, other._data)
    data = _cpu.vdot(input._data, other._data)
    result = finish(_cpu.asarray(data), input._dtype, input._device)
    if out is not None:
        check_out_allowed("vdot", input, other)
        return _exact_out("vdot", result, out)
    if (input._requires_grad or other._requires_grad) and _grad_state.enabled:
        record_op("VdotBackward0", (_vdot_input_grad, _vdot_other_grad), (input, other),
                  (result,), {"input": input, "other": other})
    return result


# --- matrix_power, chain_matmul, multi_dot ---------------------------------------------------


def _inverse_grad(grad, result):
    inverse_t = result.mT
    return -(inverse_t @ grad @ inverse_t)


def _inverse(input):
    """The inverse of (batches of) square matrices, laid out as LAPACK returns it."""
    dtype = input._dtype
    if not (dtype.is_floating_point or dtype.is_complex):
        raise RuntimeError(f"linalg.inv: Expected a floating point or complex tensor as input. "
                           f"Got {dtype._legacy_name}")
    if dtype in (_dtype.float16, _dtype.bfloat16):
        raise RuntimeError(f"linalg.inv: Low precision dtypes not supported. Got "
                           f"{dtype._legacy_name}")
    data = input._data
    if data.size:
        try:
            inverse = _cpu.linalg.inv(data)
        except _cpu.linalg.LinAlgError:
            raise RuntimeError("linalg.inv: The input matrix is singular.") from None
    else:
        inverse = data.copy()
    # LAPACK writes each matrix column-major
    inverse = _cpu.ascontiguousarray(_cpu.swapaxes(inverse, -1, -2)).swapaxes(-1, -2)
    result = finish(inverse, dtype, input._device)
    if input._requires_grad and _grad_state.enabled:
        record_op("LinalgInvExBackward0", (_inverse_grad,), (input,), (result,),
                  {"result": result})
    return result


@method("matrix_power")
def matrix_power(input, n: int, *, out=None):
    """``input`` (a square matrix or a batch of them) to the integer power ``n``; negative
    powers are powers of the inverse."""
    _check_tensors("matrix_power", ("input", input))
    if isinstance(n, bool | float) or not hasattr(n, "__index__"):
        raise TypeError(f"matrix_power(): argument 'n' (position 2) must be int, not "
                        f"{type(n).__name__}")
    n = operator.index(n)
    if input._data.ndim < 2:
        raise RuntimeError("linalg.matrix_power: The input tensor A must have at least 2 "
                           "dimensions.")
    rows, columns = input.shape[-2:]
    if rows != columns:
        raise RuntimeError(f"linalg.matrix_power: A must be batches of square matrices, but "
                           f"they are {rows} by {columns} matrices")
    if out is not None:
        check_out_allowed("matrix_power", input)
        with grad_mode.no_grad():
            return write_out(out, matrix_power(input, n).contiguous())
    if n == 0:
        identity = eye(rows, dtype=input.dtype).expand_as(input)
        return input.clone(memory_format=contiguous_format).copy_(identity)
    base = input
    if n < 0:
        base, n = _inverse(input), -n
    if n == 1:
        return base if base is not input else base.clone(memory_format=contiguous_format)
    if n == 2:
        return matmul(base, base)
    if n == 3:
        return matmul(matmul(base, base), base)
    square = result = None
    while n > 0:
        bit, n = n % 2, n // 2
        square = base if square is None else matmul(square, square)
        if bit:
            result = square if result is None else matmul(result, square)
    return result


def _chain_order(shapes):
    """PyTorch's matrix chain order: the split of each sub-chain that costs least."""
    count = len(shapes)
    sizes = [shapes[0][0]] + [shape[1] for shape in shapes]
    cost = [[0] * count for _ in range(count)]
    split = [[0] * count for _ in range(count)]
    for length in range(1, count):
        for i in range(count - length):
            j = i + length
            cost[i][j] = None
            for k in range(i, j):
                candidate = cost[i][k] + cost[k + 1][j] + sizes[i] * sizes[k + 1] * sizes[j + 1]
                if cost[i][j] is None or candidate < cost[i][j]:
                    cost[i][j], split[i][j] = candidate, k
    return split


def _chain_product(tensors, split, i, j):
    if i == j:
        return tensors[i]
    k = split[i][j]
    return mm(_chain_product(tensors, split, i, k), _chain_product(tensors, split, k + 1, j))


def multi_dot(tensors, *, out=None):
    """The product of a chain of matrices, multiplied in the cheapest order; the first may
    be a row vector and the last a column vector (1-D)."""
    count = len(tensors)
    if count < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {count}")
    first, last = tensors[0], tensors[-1]
    out_shape = []
    if first._data.ndim == 1:
        first = first.unsqueeze(0)
    elif first._data.ndim == 2:
        out_shape.append(first.shape[0])
    else:
        raise RuntimeError(f"multi_dot(): the first tensor must be 1D or 2D but got "
                           f"{first._data.ndim}D")
    if last._data.ndim == 1:
        last = last.unsqueeze(-1)
    elif last._data.ndim == 2:
        out_shape.append(last.shape[1])
    else:
        raise RuntimeError(f"multi_dot(): the last tensor must be 1D or 2D but got "
                           f"{last._data.ndim}D")
    for index in range(1, count - 1):
        if tensors[index]._data.ndim != 2:
            raise RuntimeError(f"multi_dot(): tensor {index} must be 2D but got "
                               f"{tensors[index]._data.ndim}D")
    matrices = [first, *tensors[1:-1], last]
    for index in range(1, count):
        if matrices[index]._dtype is not matrices[0]._dtype:
            raise RuntimeError(f"multi_dot(): all tensors must have be the same dtype but tensor "
                               f"0 is {matrices[0]._dtype._cpp_name} and tensor {index} "
                               f"{matrices[index]._dtype._cpp_name}")
        if matrices[index - 1].shape[-1] != matrices[index].shape[0]:
            raise RuntimeError(f"multi_dot(): tensors {index - 1} and {index} with shapes "
                               f"{list(tensors[index - 1].shape)} and "
                               f"{list(tensors[index].shape)} cannot be multiplied")
    if out is not None:
        check_out_allowed("multi_dot", *tensors)
        dtype = matrices[0]._dtype
        if out._dtype is not dtype:
            raise RuntimeError(f"multi_dot(): expected out tensor to have dtype "
                               f"{dtype._cpp_name} but got {out._dtype._cpp_name}")
        with grad_mode.no_grad():
            return write_out(out, multi_dot(tensors))
    if count == 2:
        result = mm(matrices[0], matrices[1])
    elif count == 3:
        a, b = matrices[0].shape
        c, d = matrices[2].shape
        if a * c * (b + d) > b * d * (a + c):
            result = mm(matrices[0], mm(matrices[1], matrices[2]))
        else:
            result = mm(mm(matrices[0], matrices[1]), matrices[2])
    else:
        result = _chain_product(matrices, _chain_order([m.shape for m in matrices]), 0,
                                count - 1)
    return result.view(out_shape)


def chain_matmul(*matrices, out=None):
    """The product of the matrices (deprecated in PyTorch for :func:`multi_dot`)."""
    _warn_once(("chain_matmul", out is None), "torch.chain_matmul is deprecated and will be "
               "removed in a future PyTorch release. Use torch.linalg.multi_dot instead, which "
               "accepts a list of two or more tensors rather than multiple parameters.")
    if len(matrices) == 1 and isinstance(matrices[0], list | tuple):
        matrices = tuple(matrices[0])
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    for matrix in matrices:
        if matrix._data.ndim != 2:
            raise RuntimeError(f"Tensor dimension is {matrix._data.ndim}, expected 2 instead.")
    if len(matrices) == 1:
        if out is None:
            return matrices[0].clone(memory_format=contiguous_format)
        return write_out(out, matrices[0].to(out.dtype))  # PyTorch copies into any out
    return multi_dot(list(matrices), out=out)
