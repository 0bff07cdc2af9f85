"""Complex tensors: their real and imaginary parts, angles, conjugates, and building them.

A complex tensor's memory is pairs of reals, so ``view_as_real`` is a view of it as reals
with one more dim of size 2, and ``real`` / ``imag`` select from that view. ember has no
lazy conjugate bit: ``conj`` of a complex tensor computes the conjugate at once, laid out as
an elementwise result (PyTorch's ``conj().resolve_conj()``); it is not a view, and
``is_conj()`` stays False."""

from __future__ import annotations

import math

from ember import _dtype
from ember._tensor import _make_view
from ember.autograd import grad_mode
from ember.backends import cpu as _cpu
from ember.ops._autograd import check_out_allowed, needs_grad, record_op, record_view
from ember.ops._common import (
    Tensor,
    broadcast_error,
    check_same_device,
    finish,
    method,
    operand,
    write_out,
)
from ember.ops._elementwise import _finish_pointwise, unary
from ember.ops.pointwise import where

_grad_state = grad_mode.state
_REAL_OF = {_dtype.complex64: _dtype.float32, _dtype.complex128: _dtype.float64}
_COMPLEX_OF = {real: complex_ for complex_, real in _REAL_OF.items()}


def _reinterpreted(input: Tensor, dtype, sizes, strides, offset: int) -> Tensor:
    """A view of ``input``'s memory as ``dtype`` elements (sizes, strides and offset in
    those elements)."""
    backend = input._device._backend
    storage = input.untyped_storage()
    empty = 0 in sizes  # an empty view may point past its storage, where NumPy cannot
    data = backend.strided_view(storage._bytes if not empty else backend.empty_bytes(0),
                                dtype._np, tuple(sizes), tuple(strides), 0 if empty else offset)
    view = _make_view(input, data, offset)
    view._dtype = dtype
    return view


def _view_as_real(input):
    if not isinstance(input, Tensor) or not input._dtype.is_complex:
        raise RuntimeError("view_as_real is only supported for complex tensors")
    sizes = (*input._data.shape, 2)
    strides = (*(2 * s for s in input.stride()), 1)
    return _reinterpreted(input, _REAL_OF[input._dtype], sizes, strides,
                          2 * input.storage_offset())


def _view_as_complex(input):
    dtype = _COMPLEX_OF.get(input._dtype)
    if dtype is None:
        raise RuntimeError("view_as_complex is only supported for half, float and double "
                           f"tensors, but got a tensor of scalar type: {input._dtype._legacy_name}")
    sizes, strides = input._data.shape, input.stride()
    if not sizes:
        raise RuntimeError("Input tensor must have one or more dimensions")
    if sizes[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    if strides[-1] != 1:
        raise RuntimeError("Tensor must have a last dimension with stride 1")
    if any(s % 2 for s in strides[:-1]):
        raise RuntimeError("Tensor must have a stride divisible by 2 for all but last dimension")
    if input.storage_offset() % 2:
        raise RuntimeError("Tensor must have a storage_offset divisible by 2")
    return _reinterpreted(input, dtype, sizes[:-1], [s // 2 for s in strides[:-1]],
                          input.storage_offset() // 2)


def view_as_real(input):
    """A view of a complex tensor as reals, with a last dim of size 2 (real, imaginary)."""
    result = _view_as_real(input)
    if input._requires_grad and _grad_state.enabled:
        record_view(result, input, "ViewAsRealBackward0",
                    lambda grad: view_as_complex(grad.contiguous()))
    return result


def view_as_complex(input):
    """A view of a real tensor whose last dim (of size 2, stride 1) holds (real, imaginary)
    pairs as a complex tensor."""
    result = _view_as_complex(input)
    if input._requires_grad and _grad_state.enabled:
        record_view(result, input, "ViewAsComplexBackward0", view_as_real)
    return result


def real(input):
    """The real part: a view for complex tensors, the tensor itself otherwise."""
    if not input._dtype.is_complex:
        return input
    return view_as_real(input).select(-1, 0)


def imag(input):
    """The imaginary part of a complex tensor, as a view."""
    if not input._dtype.is_complex:
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return view_as_real(input).select(-1, 1)


def _set_part(part):
    def setter(self, value):
        target = part(self)
        target.copy_(value) if isinstance(value, Tensor) else target.fill_(value)

    return setter


Tensor.real = property(real, _set_part(real))
Tensor.imag = property(imag, _set_part(imag))


def _conjugate_kernel(data, out=None):
    if data.dtype.kind == "c":
        return _cpu.conjugate(data, out=out)
    return data.copy() if out is None else _cpu.copyto(out, data)


def _conjugate_grad(grad):
    return grad.conj()


_conj = unary(_conjugate_kernel, name="conj", inplace=False, out=False, method=False,
              grad_fn="ConjBackward0", derivative=_conjugate_grad)
_conj_physical = unary(_conjugate_kernel, name="conj_physical", method=False,
                       grad_fn="ConjPhysicalBackward0", derivative=_conjugate_grad)
Tensor.conj_physical_ = _conj_physical.inplace


@method("conj")
def conj(input):
    """The complex conjugate; a real tensor is returned as it is."""
    return _conj(input) if input._dtype.is_complex else input


@method("conj_physical")
def conj_physical(input, *, out=None):
    """The complex conjugate, computed; a real tensor is returned as it is."""
    if out is None and not input._dtype.is_complex:
        return input
    return _conj_physical(input, out=out)


@method("resolve_conj", "resolve_neg")
def resolve_conj(input):
    """The tensor itself: ember's conjugates and negations are never lazy."""
    return input


resolve_neg = resolve_conj


@method("is_conj", "is_neg")
def is_conj(input) -> bool:
    return False


is_neg = is_conj


def _angle_derivative(grad, input):
    """Zero for a real input (a step function); for z = x + iy the conjugate gradient
    grad (-y + ix) / |z|² (0 at z = 0), in real ops so that it differentiates again."""
    if not input._dtype.is_complex:
        return grad * 0
    x, y = input.real, input.imag
    squared = x * x + y * y
    scale = where(squared == 0, 0.0, grad / squared)
    return complex(-y * scale, x * scale)


@method("angle")
def angle(input, *, out=None):
    """The angle of each element in radians: ``atan2(imag, real)``; for real numbers 0 or
    pi (NaN stays NaN)."""
    dtype = input._dtype
    if dtype.is_complex:
        result_dtype = dtype.to_real()
        # PyTorch computes a complex input's angle into a fresh row-major result
        result = finish(_cpu.array(_cpu.angle(input._data), order="C"), result_dtype,
                        input._device)
    else:
        result_dtype = dtype if dtype.is_floating_point else _dtype.get_default_dtype()
        values = operand(input, _cpu.float32 if dtype in (_dtype.float16, _dtype.bfloat16)
                         else result_dtype._np)
        data = _cpu.where(values < 0, values.dtype.type(math.pi), values.dtype.type(0))
        data = _cpu.where(_cpu.isnan(values), values, data)
        result = _finish_pointwise(data, result_dtype, (input,))
    if out is not None:
        check_out_allowed("angle", input)
        return write_out(out, result)
    if input._requires_grad and _grad_state.enabled:
        record_op("AngleBackward0", (_angle_derivative,), (input,), (result,), {"input": input})
    return result


def _check_parts(real, imag):
    check_same_device(real, imag)
    floating = (_dtype.float16, _dtype.float32, _dtype.float64)
    if real._dtype not in floating or imag._dtype not in floating:
        raise RuntimeError(f"Expected both inputs to be Half, Float or Double tensors but got "
                           f"{real._dtype._legacy_name} and {imag._dtype._legacy_name}")
    if real._dtype is not imag._dtype:
        raise RuntimeError(f"Expected object of scalar type {real._dtype._legacy_name} but got "
                           f"scalar type {imag._dtype._legacy_name} for second argument")
    if real._dtype is _dtype.float16:
        raise RuntimeError("ember has no complex32 dtype (PyTorch's ComplexHalf)")
    return _COMPLEX_OF[real._dtype]


def _from_parts(name, names, a, b, kernel, node_name, derivatives, out):
    """The complex tensor ``kernel`` makes of the real tensors ``a`` and ``b`` (whose
    argument names are ``names``), recorded as ``node_name``."""
    for position, (argument, value) in enumerate(zip(names, (a, b)), 1):
        if not isinstance(value, Tensor):
            raise TypeError(f"{name}(): argument '{argument}' (position {position}) must be "
                            f"Tensor, not {type(value).__name__}")
    dtype = _check_parts(a, b)
    try:
        data = kernel(a._data, b._data).astype(dtype._np, copy=False)
    except ValueError:
        raise broadcast_error(a._data.shape, b._data.shape) from None
    result = _finish_pointwise(data, dtype, (a, b))
    if out is not None:
        check_out_allowed(name, a, b)
        if isinstance(out, Tensor) and out._dtype is not dtype:
            raise RuntimeError(f"Expected object of scalar type {dtype._legacy_name} but got "
                               f"scalar type {out._dtype._legacy_name} for argument 'out'")
        return write_out(out, result)
    if needs_grad(a, b):
        record_op(node_name, derivatives, (a, b), (result,),
                  {names[0]: a, names[1]: b, "result": result})
    return result


def _complex_kernel(real_part, imag_part):
    return real_part + 1j * imag_part if real_part.size or imag_part.size else (
        _cpu.zeros(_cpu.broadcast_shapes(real_part.shape, imag_part.shape), _cpu.complex128))


def complex(real, imag, *, out=None):
    """The complex tensor ``real + i imag``."""
    return _from_parts("complex", ("real", "imag"), real, imag, _complex_kernel,
                       "ComplexBackward0",
                       (lambda grad: grad.real if grad._dtype.is_complex else grad,
                        lambda grad: grad.imag if grad._dtype.is_complex else grad * 0),
                       out)


def _polar_kernel(abs_, angle_):
    return abs_ * _cpu.cos(angle_) + 1j * (abs_ * _cpu.sin(angle_))


def _polar_abs_grad(grad, angle):
    return grad.real * angle.cos() + grad.imag * angle.sin()


def _polar_angle_grad(grad, abs, angle):
    return (grad.imag * angle.cos() - grad.real * angle.sin()) * abs


def polar(abs, angle, *, out=None):
    """The complex tensor with absolute value ``abs`` and angle ``angle``."""
    return _from_parts("polar", ("abs", "angle"), abs, angle, _polar_kernel,
                       "PolarBackward0", (_polar_abs_grad, _polar_angle_grad), out)


__all__ = ["angle", "complex", "conj", "conj_physical", "imag", "is_conj", "is_neg", "polar",
           "real", "resolve_conj", "resolve_neg", "view_as_complex", "view_as_real"]
