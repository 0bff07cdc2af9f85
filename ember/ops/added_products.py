"""Products added to a tensor: addmm, addmv, addr, baddbmm and addbmm, ``beta * input +
alpha * product`` as one op each (``input`` broadcast to the product's shape), with their
in-place forms; the products themselves are matmul.py's kernels.

Note [beta * input + alpha * product]
With beta == 0 the input is ignored (NaN and infinities in it do not show), as in BLAS;
half precision computes in float32 and rounds once."""

from __future__ import annotations

from ember import _dtype
from ember.autograd import grad_mode
from ember.backends import cpu as _cpu
from ember.ops._autograd import check_out_allowed, inplace_with_grad, needs_grad, record_op
from ember.ops._common import (
    check_inplace,
    check_out_dtype,
    compute_dtype,
    finish,
    method,
    write_out,
)
from ember.ops.matmul import _check_tensors, _column_major, outer

__all__ = ["addbmm", "addmm", "addmv", "addr", "baddbmm"]

_grad_state = grad_mode.state


def _scaled_sum(input, product, beta, alpha, dtype):
    """``beta * input + alpha * product`` over backend arrays, in ``dtype``'s compute type;
    ``product`` is a fresh array of the result's shape, which the sum may overwrite, and
    ``input`` broadcasts to it."""
    if dtype is _dtype.bool:
        result = product if alpha else _cpu.zeros_like(product)
        if beta:
            result = result | input
        return result
    compute = product.dtype
    if not dtype.is_floating_point and not dtype.is_complex:
        beta, alpha = int(beta), int(alpha)
    if alpha != 1:
        product = _cpu.multiply(product, compute.type(alpha), out=product)
    if beta == 0:
        return product
    input = input.astype(compute, copy=False)
    return _cpu.add(product, input if beta == 1 else input * compute.type(beta), out=product)


def _half_sum(name, input, a, b, beta, alpha, dtype):
    """The half precision roundings of PyTorch's kernels: addmv rounds ``beta * input``
    first; addbmm adds one matrix product at a time, rounding each sum."""
    half, single = dtype._np, _cpu.float32
    if name == "addmv":
        scaled = (input * half.type(beta)) if beta else _cpu.zeros_like(input)
        product = _cpu.matmul(a.astype(single), b.astype(single)) * single(alpha)
        return (scaled.astype(single) + product).astype(half)
    result = input.astype(single) * single(beta) if beta else None
    for first, second in zip(a, b):
        product = _cpu.matmul(first.astype(single), second.astype(single)) * single(alpha)
        result = product if result is None else result.astype(single) + product
        result = result.astype(half)
    if result is None:
        return _cpu.zeros(input.shape, half)
    return result.astype(half)


def _expand_error(target, shape):
    for dim in range(1, len(shape) + 1):
        if shape[-dim] not in (1, target[-dim]):
            raise RuntimeError(
                f"The expanded size of the tensor ({target[-dim]}) must match the existing size "
                f"({shape[-dim]}) at non-singleton dimension {len(target) - dim}.  Target sizes: "
                f"{list(target)}.  Tensor sizes: {list(shape)}")
    raise RuntimeError(f"expand: the shape {list(shape)} does not fit {list(target)}")


def _check_expandable(input, target):
    shape = input._data.shape
    if len(shape) > len(target):
        _expand_error(target, shape)
    for dim in range(1, len(shape) + 1):
        if shape[-dim] not in (1, target[-dim]):
            _expand_error(target, shape)


def _scaled(grad, factor):
    if factor == 1:
        return grad
    return grad * factor


def _self_grad(grad, beta):
    return _scaled(grad, beta)


def _addmm_mat1_grad(grad, mat2, alpha, mat1_column_major):
    if mat1_column_major:  # see Note [Gradient layouts of matrix products]
        return _scaled(mat2.mm(grad.t()).t(), alpha)
    return _scaled(grad.mm(mat2.t()), alpha)


def _addmm_mat2_grad(grad, mat1, alpha, mat2_column_major):
    if mat2_column_major:
        return _scaled(grad.t().mm(mat1).t(), alpha)
    return _scaled(mat1.t().mm(grad), alpha)


def _addmv_mat_grad(grad, vec, alpha):
    return _scaled(outer(grad, vec), alpha)


def _addmv_vec_grad(grad, mat, alpha):
    return _scaled(mat.t().mv(grad), alpha)


def _addr_vec1_grad(grad, vec2, alpha):
    return _scaled(grad.mv(vec2), alpha)


def _addr_vec2_grad(grad, vec1, alpha):
    return _scaled(grad.t().mv(vec1), alpha)


def _baddbmm_batch1_grad(grad, batch2, alpha):
    return _scaled(grad.bmm(batch2.transpose(1, 2)), alpha)


def _baddbmm_batch2_grad(grad, batch1, alpha):
    return _scaled(batch1.transpose(1, 2).bmm(grad), alpha)


def _addbmm_batch1_grad(grad, batch1, batch2, alpha):
    expanded = grad.unsqueeze(0).expand(batch1.shape[0], *grad.shape)
    return _scaled(expanded.bmm(batch2.transpose(1, 2)), alpha)


def _addbmm_batch2_grad(grad, batch1, alpha):
    expanded = grad.unsqueeze(0).expand(batch1.shape[0], *grad.shape)
    return _scaled(batch1.transpose(1, 2).bmm(expanded), alpha)


_FUSED = {
    "addmm": ("AddmmBackward0", (_self_grad, _addmm_mat1_grad, _addmm_mat2_grad),
              ("input", "mat1", "mat2")),
    "addmv": ("AddmvBackward0", (_self_grad, _addmv_mat_grad, _addmv_vec_grad),
              ("input", "mat", "vec")),
    "addr": ("AddrBackward0", (_self_grad, _addr_vec1_grad, _addr_vec2_grad),
             ("input", "vec1", "vec2")),
    "baddbmm": ("BaddbmmBackward0", (_self_grad, _baddbmm_batch1_grad, _baddbmm_batch2_grad),
                ("input", "batch1", "batch2")),
    "addbmm": ("AddbmmBackward0", (_self_grad, _addbmm_batch1_grad, _addbmm_batch2_grad),
               ("input", "batch1", "batch2")),
}


def _fused_shape(name, input, a, b):
    """Check the operands of ``name`` as PyTorch does; the result's shape and dtype."""
    a_shape, b_shape = a._data.shape, b._data.shape
    a_ndim, b_ndim = len(a_shape), len(b_shape)
    if name == "addmm":
        for label, value in (("mat1", a), ("mat2", b)):
            if value._data.ndim != 2:
                raise RuntimeError(f"{label} must be a matrix, got {value._data.ndim}-D tensor")
        if a._dtype is not b._dtype:
            raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got "
                               f"{a._dtype._legacy_name} and {b._dtype._legacy_name}")
        if input._dtype is not b._dtype:
            raise RuntimeError(f"self and mat2 must have the same dtype, but got "
                               f"{input._dtype._legacy_name} and {b._dtype._legacy_name}")
        if a_shape[1] != b_shape[0]:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({a_shape[0]}x"
                               f"{a_shape[1]} and {b_shape[0]}x{b_shape[1]})")
        shape, kernel = (a_shape[0], b_shape[1]), "addmm_impl_cpu_"
    elif name == "addmv":
        if a_ndim != 2 or b_ndim != 1 or input._data.ndim > 1:
            raise RuntimeError(f"vector + matrix @ vector expected, got {input._data.ndim}, "
                               f"{a_ndim}, {b_ndim}")
        if a_shape[1] != b_shape[0] or input._data.size not in (1, a_shape[0]):
            raise RuntimeError(f"size mismatch, got input ({input._data.size}), mat "
                               f"({a_shape[0]}x{a_shape[1]}), vec ({b_shape[0]})")
        if not (input._dtype is a._dtype is b._dtype):
            raise RuntimeError(f"addmv input tensors must have the same dtype, but got "
                               f"{input._dtype._legacy_name}, {a._dtype._legacy_name}, and "
                               f"{b._dtype._legacy_name}")
        shape, kernel = (a_shape[0],), "addmv_impl_cpu"
    elif name == "addr":
        for label, value in (("vec1", a), ("vec2", b)):
            if value._data.ndim != 1:
                raise RuntimeError(f"addr: Expected 1-D argument {label}, but got "
                                   f"{value._data.ndim}-D")
        shape, kernel = (a_shape[0], b_shape[0]), None
    else:
        for label, value in (("batch1", a), ("batch2", b)):
            if value._data.ndim != 3:
                raise RuntimeError(f"{label} must be a 3D tensor")
        if name == "addbmm":
            if a_shape[0] != b_shape[0]:
                raise RuntimeError(f"batch1 and batch2 must have same number of batches, got "
                                   f"{a_shape[0]} and {b_shape[0]}")
            if a_shape[2] != b_shape[1]:
                raise RuntimeError(f"Incompatible matrix sizes for bmm ({a_shape[1]}x"
                                   f"{a_shape[2]} and {b_shape[1]}x{b_shape[2]})")
            if input._dtype is not b._dtype or a._dtype is not b._dtype:
                raise RuntimeError(f"self and mat2 must have the same dtype, but got "
                                   f"{input._dtype._legacy_name} and {b._dtype._legacy_name}")
            shape = (a_shape[1], b_shape[2])
        else:
            if b_shape[:2] != (a_shape[0], a_shape[2]):
                raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor "
                                   f"to be: [{a_shape[0]}, {a_shape[2]}] but got: "
                                   f"[{b_shape[0]}, {b_shape[1]}].")
            if not (input._dtype is a._dtype is b._dtype):
                raise RuntimeError(f"Input dtypes must be the same, got: input "
                                   f"{_dtype_word(input)}, batch1: {_dtype_word(a)}, batch2: "
                                   f"{_dtype_word(b)}")
            shape = (a_shape[0], a_shape[1], b_shape[2])
        kernel = "addmm_impl_cpu_" if name == "addbmm" else "baddbmm"
    if name != "addmv":
        _check_expandable(input, shape)
    if kernel is None:
        dtype = _dtype._result_dtype(input, a, b)
    else:
        dtype = b._dtype
        if dtype is _dtype.bool and a._data.size and b._data.size:
            raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")
    return shape, dtype


def _dtype_word(tensor):
    return tensor._dtype._cpp_name.split()[-1]


def _check_scalars(dtype, beta, alpha):
    if not (dtype.is_floating_point or dtype.is_complex):
        for label, value in (("beta", beta), ("alpha", alpha)):
            if isinstance(value, float | complex):
                raise RuntimeError(f"For integral input tensors, argument {label} must not be "
                                   "a floating point number.")


def _check_convertible(dtype, *values):
    """PyTorch refuses scalars that do not fit the kernel's type."""
    for value in values:
        if isinstance(value, complex) and not dtype.is_complex or (
                dtype is not _dtype.bool and not dtype.is_floating_point
                and not dtype.is_complex and not _fits(dtype, int(value.real)
                                                        if isinstance(value, complex)
                                                        else int(value))):
            raise RuntimeError(f"value cannot be converted to type {dtype._cpp_name} "
                               "without overflow")


def _fits(dtype, value):
    info = _cpu.iinfo(dtype._np)
    return info.min <= value <= info.max


def _fused_product(name, a, b, compute):
    """The product of ``name``'s operands over backend arrays in ``compute``."""
    a, b = a._data.astype(compute, copy=False), b._data.astype(compute, copy=False)
    if name == "addr":
        if compute == _cpu.bool_:
            return _cpu.logical_and.outer(a, b)
        return _cpu.multiply.outer(a, b)
    product = _cpu.matmul(a, b)
    return product.sum(0) if name == "addbmm" else product


def _fused(name, input, a, b, beta, alpha, out=None):
    """``beta * input + alpha * (a . b)`` for the op ``name`` (see _FUSED)."""
    _check_tensors(name, *zip(("input",) + _FUSED[name][2][1:], (input, a, b)))
    shape, dtype = _fused_shape(name, input, a, b)
    if name == "addr":
        _check_scalars(dtype, beta, alpha)
    _check_convertible(dtype, beta, alpha)
    if dtype in (_dtype.float16, _dtype.bfloat16) and name in ("addmv", "addbmm"):
        data = _half_sum(name, _cpu.broadcast_to(input._data, shape), a._data, b._data, beta,
                         alpha, dtype)
    else:
        # addr is PyTorch's composite, rounding after every step in the result's dtype
        compute = dtype._np if name == "addr" else compute_dtype(dtype)._np
        product = _fused_product(name, a, b, compute)
        data = _scaled_sum(input._data, product, beta, alpha, dtype)
    result = finish(data, dtype, input._device)
    if out is not None:
        check_out_allowed(name, input, a, b)
        if name != "addr":
            check_out_dtype(out, dtype)
        if name == "addbmm" and out._data.shape != result._data.shape:
            out.resize_(result._data.shape)  # addbmm resizes its out without a warning
        return write_out(out, result, check_overlap=name != "addmv")
    if (input._requires_grad or a._requires_grad or b._requires_grad) and _grad_state.enabled:
        node_name, formulas, labels = _FUSED[name]
        values = {labels[1]: a, labels[2]: b, "beta": beta, "alpha": alpha}
        if name == "addmm":
            values["mat1_column_major"] = _column_major(a)
            values["mat2_column_major"] = _column_major(b)
        record_op(node_name, formulas, (input, a, b), (result,), values)
    return result


def _result_shape(name, a, b):
    """The shape ``name`` gives for operands of the right ranks (None otherwise)."""
    shape_a, shape_b = a._data.shape, b._data.shape
    if name in ("addmm", "addbmm") and len(shape_a) == len(shape_b) == (2 if name == "addmm"
                                                                         else 3):
        return (shape_a[-2], shape_b[-1])
    if name == "addmv" and len(shape_a) == 2:
        return (shape_a[0],)
    if name == "addr" and len(shape_a) == len(shape_b) == 1:
        return (shape_a[0], shape_b[0])
    if name == "baddbmm" and len(shape_a) == len(shape_b) == 3:
        return (shape_a[0], shape_a[1], shape_b[2])
    return None


def _fused_inplace(name, input, a, b, beta, alpha):
    """The in-place form of ``name``: ``input`` must already have the result's shape (checked
    first, as PyTorch does), and the operands are checked before autograd's in-place rules."""
    shape = _result_shape(name, a, b)
    if shape is not None and input._data.shape != shape:
        raise RuntimeError(f"Bad in-place call: input tensor size {list(input.shape)} and output "
                           f"tensor size {list(shape)} should match")
    _fused_shape(name, input, a, b)
    # PyTorch's addmv_ and baddbmm_ write into a tensor whose elements share memory
    check_overlap = name not in ("addmv", "baddbmm")
    if needs_grad(input, a, b):
        return inplace_with_grad(input, lambda old: _fused(name, old, a, b, beta, alpha),
                                 check_overlap)
    result = _fused(name, input, a, b, beta, alpha)
    check_inplace(input, result._dtype, result._data.shape, check_overlap)
    _cpu.copyto(input._data, result._data, casting="unsafe")
    input._bump_version()
    return input


def _fused_family(name, product):
    def function(input, a, b, *, beta=1, alpha=1, out=None):
        return _fused(name, input, a, b, beta, alpha, out)

    def inplace(self, a, b, *, beta=1, alpha=1):
        return _fused_inplace(name, self, a, b, beta, alpha)

    function.__name__, inplace.__name__ = name, name + "_"
    function.__doc__ = (f"``beta * input + alpha * {product}``, ``input`` broadcast to the "
                        "product's shape (see Note [beta * input + alpha * product]).")
    inplace.__doc__ = f"In-place :func:`{name}` of ``self``, which must have the result's shape."
    method(name)(function)
    method(name + "_")(inplace)
    return function


addmm = _fused_family("addmm", "mat1 @ mat2")
addmv = _fused_family("addmv", "mat @ vec")
addr = _fused_family("addr", "outer(vec1, vec2)")
baddbmm = _fused_family("baddbmm", "bmm(batch1, batch2)")
addbmm = _fused_family("addbmm", "bmm(batch1, batch2).sum(0)")
