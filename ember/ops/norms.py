"""Norms: torch.norm (Tensor.norm) of any order over numbers, inf and -inf included, 'fro'
and the nuclear norm 'nuc' of matrices; dist, the norm of a difference; renorm and renorm_.

They reduce with reduction.py's helpers (dims, result layout, gradient spreading)."""

from __future__ import annotations

import builtins

from ember import _dtype
from ember.autograd import grad_mode
from ember.backends import cpu as _cpu
from ember.ops._autograd import check_out_allowed, inplace_with_grad, needs_grad, record_op
from ember.ops._common import (
    Tensor,
    _wrap_dim,
    check_no_internal_overlap,
    check_out_dtype,
    compute_dtype,
    finish,
    method,
    sum_kept,
    write_out,
)
from ember.ops.pointwise import sign, where
from ember.ops.reduction import _axes, _finish, _inexact, _spread

_grad_state = grad_mode.state


def _number_text(value) -> str:
    """``value`` as PyTorch's messages print it: whole numbers without a fraction."""
    return str(builtins.int(value)) if float(value).is_integer() else str(value)


def _vector_norm(input, ord, dim, keepdim, dtype, out):
    """linalg.vector_norm, which torch.norm is for numbers and 'fro'."""
    name = "linalg.vector_norm"
    if not _inexact(input._dtype):
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. "
                           f"Got {input._dtype._legacy_name}")
    if dtype is not None:
        if not _inexact(dtype):
            raise RuntimeError(f"{name}: dtype should be floating point or complex, but got "
                               f"{dtype._legacy_name}")
        if input._dtype.is_complex != dtype.is_complex:
            kind = "complex" if input._dtype.is_complex else "real"
            raise RuntimeError(f"{name}: dtype should be {kind} for {kind} inputs, but got "
                               f"{dtype._legacy_name}")
        if _dtype.promote_types(input._dtype, dtype) is not dtype:
            raise RuntimeError(f"{name}: the dtype of the input ({input._dtype._legacy_name}) "
                               "should be convertible without narrowing to the specified dtype "
                               f"({dtype._legacy_name})")
    computed = dtype or input._dtype
    result_dtype = computed.to_real()
    check_out_dtype(out, result_dtype)
    axes = _axes(input, dim)
    ord = float(ord)
    if ord < 0 or ord == _cpu.inf:
        _check_identity(input, axes, ord)
    data = _cpu.abs(input._data.astype(computed._np, copy=False).astype(
        compute_dtype(computed)._np, copy=False))
    with _cpu.errstate(over="ignore", divide="ignore", invalid="ignore"):
        if ord == _cpu.inf:
            data = _cpu.maximum.reduce(data, axis=axes, keepdims=keepdim)
        elif ord == -_cpu.inf:
            data = _cpu.minimum.reduce(data, axis=axes, keepdims=keepdim)
        elif ord == 0:
            data = _cpu.add.reduce((data != 0).astype(data.dtype), axis=axes, keepdims=keepdim)
        elif ord == 1:
            data = _cpu.add.reduce(data, axis=axes, keepdims=keepdim)
        elif ord == 2:
            data = _cpu.sqrt(_cpu.add.reduce(data * data, axis=axes, keepdims=keepdim))
        else:
            data = _cpu.add.reduce(data ** ord, axis=axes, keepdims=keepdim) ** (1 / ord)
    result = _finish(data, result_dtype, input)
    if out is not None:
        check_out_allowed("linalg_vector_norm", input)
        return write_out(out, result, check_overlap=False)
    if input._requires_grad and _grad_state.enabled:
        record_op("LinalgVectorNormBackward0", (_vector_norm_grad(ord, axes, keepdim),),
                  (input,), (result,), {"input": input, "result": result})
    return result


def _check_identity(input, axes, ord):
    """The inf and negative norms have no value over nothing."""
    message = f"linalg.vector_norm cannot compute the {_number_text(ord)} norm on "
    if input._data.size == 0 and axes is None:
        raise RuntimeError(message + "an empty tensor because the operation does not have an "
                           "identity")
    for axis in axes or ():
        if input._data.shape[axis] == 0:
            raise RuntimeError(message + f"the dimension {axis}because this dimension is empty "
                               "and the operation does not have an identity")


def _sign_of(input):
    """The sign of real values; z / |z| (0 at 0) of complex ones."""
    if input._dtype.is_complex:
        size = input.abs()
        return where(size == 0, 0.0, input / size)
    return sign(input)


def _vector_norm_grad(ord, axes, keepdim):
    """PyTorch's norm_backward, case by case."""

    def formula(grad, input, result):
        shape = input._data.shape
        grad = _spread(grad, shape, axes, keepdim)
        norm = _spread(result, shape, axes, keepdim)
        size = input.abs()
        if ord == 0:
            return None  # PyTorch's gradient is undefined: the input gets none
        if ord == 1:
            return _sign_of(input) * grad
        if ord == 2:
            return input * where(norm == 0, 0.0, grad / norm)
        if builtins.abs(ord) == _cpu.inf:
            attains = (size == norm).logical_or(size.isnan())
            return _sign_of(input) * (grad / sum_kept(attains, axes) * attains)
        if ord < 1:
            return where(input == 0, 0.0, _sign_of(input) * size ** (ord - 1) * grad
                         * norm ** (1 - ord))
        scaled = where(norm == 0, 0.0, grad / norm ** (ord - 1))
        if ord < 2:
            return _sign_of(input) * size ** (ord - 1) * scaled
        return input * size ** (ord - 2) * scaled

    return formula


def _nuclear_norm(input, dim, keepdim, dtype, out):
    """The sum of the singular values over the two dims ``dim``."""
    name = "linalg.matrix_norm"
    ndim = input._data.ndim
    if ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if not _inexact(input._dtype):
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. "
                           f"Got {input._dtype._legacy_name}")
    if input._dtype in (_dtype.float16, _dtype.bfloat16):
        raise RuntimeError(f"{name}: Low precision dtypes not supported. Got "
                           f"{input._dtype._legacy_name}")
    dims = list(range(ndim)) if dim is None else [dim] if isinstance(dim, int) else list(dim)
    if len(dims) != 2:
        raise RuntimeError(f"{name}: dim must be a 2-tuple. Got {' '.join(map(str, dims))}")
    rows, columns = (_wrap_dim(d, ndim) for d in dims)
    if rows == columns:
        raise RuntimeError(f"{name}: dims must be different. Got ({dims[0]}, {dims[1]})")
    if dtype is not None and dtype is not input._dtype:
        input = input.to(dtype)
    result_dtype = input._dtype.to_real()
    if isinstance(out, Tensor) and out._dtype is not result_dtype:
        raise RuntimeError(f"{name} expected out tensor dtype {result_dtype._legacy_name} but "
                           f"got: {out._dtype._legacy_name}")
    matrices = _cpu.moveaxis(input._data, (rows, columns), (-2, -1))
    if matrices.size:
        left, singular, right = _cpu.linalg.svd(matrices, full_matrices=False)
        data = singular.sum(-1)
    else:
        left = right = None
        data = _cpu.zeros(matrices.shape[:-2], result_dtype._np)
    if keepdim:
        data = _cpu.expand_dims(data, tuple(sorted((rows, columns))))
    result = _finish(_cpu.asarray(data), result_dtype, input)
    if out is not None:
        check_out_allowed("linalg_matrix_norm", input)
        return write_out(out, result)
    if input._requires_grad and _grad_state.enabled and left is not None:
        # d |A|_* / dA = U V^H; PyTorch's graph is svdvals then a sum, whose node shows
        direction = finish(_cpu.moveaxis(left @ right, (-2, -1), (rows, columns)).copy(),
                           input._dtype, input._device)
        kept = sorted((rows, columns))
        record_op("SumBackward1", (lambda grad: _spread(grad, input.shape, kept, keepdim)
                                   * direction,), (input,), (result,))
    return result


def norm(input, p="fro", dim=None, keepdim: bool = False, out=None, dtype=None):
    """The vector norm of order ``p`` over ``dim`` (all dims by default), 'fro' (the 2-norm)
    or the nuclear norm 'nuc' of matrices."""
    if isinstance(p, str):
        count = 1 if dim is None or isinstance(dim, int) else len(dim)
        if p == "fro" and (dim is None or count <= 2):
            return _vector_norm(input, 2, dim, keepdim, dtype, out)
        if p not in ("fro", "nuc"):
            raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
        return _nuclear_norm(input, dim, keepdim, dtype, out)
    return _vector_norm(input, 2.0 if p is None else p, dim, keepdim, dtype, out)


def _norm_method(self, p="fro", dim=None, keepdim: bool = False, dtype=None):
    """Tensor.norm: torch.norm without out=, whose fifth argument is ``dtype``."""
    return norm(self, p, dim, keepdim, dtype=dtype)


Tensor.norm = _norm_method


def _renormed(input, p, dim, maxnorm):
    """renorm's result and the dims its norms reduce, in PyTorch's precisions: the norms
    accumulate in float32 for half types, the factor rounds to the input's dtype."""
    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {_number_text(maxnorm)}")
    ndim = input._data.ndim
    if ndim <= 1:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {ndim} dimensions")
    axis = _wrap_dim(dim, ndim)
    others = tuple(d for d in range(ndim) if d != axis)
    with grad_mode.no_grad():
        wide = compute_dtype(input._dtype)
        norms = _vector_norm(input, p, others, True, None if wide is input._dtype else wide,
                             None)
    data = norms._data
    with _cpu.errstate(divide="ignore", invalid="ignore"):
        factor = _cpu.where(data > maxnorm, maxnorm / (data + 1e-7), 1).astype(data.dtype)
    factor = factor.astype(input._dtype._np).astype(compute_dtype(input._dtype)._np)
    result = input._data.astype(compute_dtype(input._dtype)._np, copy=False) * factor
    return _finish(result, input._dtype, input), others


def _renorm_grad(p, others, maxnorm):
    """PyTorch's renorm_backward: the scaled slices' gradient through their norms."""

    def formula(grad, input):
        norms = _vector_norm(input, p, others, True, None, None)  # differentiable again
        # For complex inputs the node applies this as conj(formula(conj(grad))) (see Note
        # [Complex gradients]): PyTorch's conj(input) * grad becomes input * grad here, and
        # the norm's gradient is taken at conj(input).
        inner = input * grad
        if input._dtype.is_complex:
            inner, input = inner.real, input.conj()
        through_norm = _vector_norm_grad(float(p), others, True)(
            inner.sum(others, keepdim=True), input, norms)
        inverse = 1 / (norms + 1e-7)
        return where(norms > maxnorm, inverse * maxnorm * (grad - inverse * through_norm), grad)

    return formula


@method("renorm")
def renorm(input, p, dim: int, maxnorm, *, out=None):
    """Each slice along ``dim`` whose ``p``-norm exceeds ``maxnorm`` scaled down to norm
    ``maxnorm``."""
    result, others = _renormed(input, p, dim, maxnorm)
    if out is not None:
        check_out_allowed("renorm", input)
        check_out_dtype(out, input._dtype)
        return write_out(out, result)
    if input._requires_grad and _grad_state.enabled:
        record_op("RenormBackward0", (_renorm_grad(p, others, maxnorm),), (input,), (result,),
                  {"input": input})
    return result


def _renorm_inplace(self, p, dim: int, maxnorm):
    """Tensor.renorm_: renorm written into ``self``."""
    if needs_grad(self) or self._base is not None and needs_grad(self._base):
        return inplace_with_grad(self, lambda old: renorm(old, p, dim, maxnorm))
    check_no_internal_overlap(self)
    result = _renormed(self, p, dim, maxnorm)[0]
    _cpu.copyto(self._data, result._data)
    self._bump_version()
    return self


Tensor.renorm_ = _renorm_inplace


@method("dist")
def dist(input, other, p=2):
    """The ``p``-norm of ``input - other`` (broadcast)."""
    if not isinstance(other, Tensor):
        raise TypeError(f"dist(): argument 'other' (position 2) must be Tensor, not "
                        f"{type(other).__name__}")
    promoted = _dtype._result_dtype(input, other)
    if not _inexact(promoted):
        raise RuntimeError("norm(): input dtype should be either floating point or complex. "
                           f"Got {promoted._legacy_name} instead.")
    with grad_mode.no_grad():
        difference = input - other
    result = _vector_norm(difference, p, None, False, None, None)
    if (input._requires_grad or other._requires_grad) and _grad_state.enabled:
        formula = _vector_norm_grad(float(p), None, False)

        def input_grad(grad, input, other, result):
            return formula(grad, input - other, result)

        def other_grad(grad, input, other, result):
            return -formula(grad, input - other, result)

        record_op("DistBackward0", (input_grad, other_grad), (input, other), (result,),
                  {"input": input, "other": other, "result": result})
    return result


__all__ = ["dist", "norm", "renorm"]
