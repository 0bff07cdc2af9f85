"""Shape ops that copy one tensor into a new shape: flips, rolls, rotations, repeats,
triangles and diagonals.

Most are compositions of view ops and joins, as in PyTorch, so that their ``grad_fn`` and
``._base`` are PyTorch's; the primitives among them (flip, roll, repeat, tril / triu, the
diagonal embedding) have one backward formula each, written in ember ops."""

from __future__ import annotations

import builtins
import warnings

from ember import _dtype
from ember._size import contiguous_format
from ember._tensor import _make, _sizes_from_args
from ember.autograd import grad_mode
from ember.backends import cpu as _cpu
from ember.ops._autograd import check_out_allowed, inplace_with_grad, needs_grad, record_op
from ember.ops._common import (
    Tensor,
    _wrap_dim,
    check_out_dtype,
    finish,
    method,
    reduction_dims,
    write_out,
)
from ember.ops._layout import _layout_order, _strides_in_order
from ember.ops.copying import _clone, _copy_with_strides, _non_overlapping_and_dense, clone
from ember.ops.joining import cat
from ember.ops.views import diagonal, expand, narrow, reshape, unsqueeze

_grad_state = grad_mode.state


def _fresh(data, like: Tensor, copy=False) -> Tensor:
    """A row-major result with ``like``'s dtype and device (``data`` copied when it may be
    a view of another tensor's memory)."""
    if copy or not data.flags.c_contiguous:
        data = data.copy(order="C")
    return finish(data, like._dtype, like._device)


def _not_implemented(name, dtype) -> NotImplementedError:
    return NotImplementedError(f'"{name}" not implemented for \'{dtype._legacy_name}\'')


def _int_list(value, name, position):
    if isinstance(value, builtins.int):
        return (value,)
    try:
        return tuple(int(v) for v in value)
    except TypeError:
        raise TypeError(f"{name}(): argument '{position}' must be tuple of ints, not "
                        f"{type(value).__name__}") from None


def _write_same_dtype(name, out, result, warn=True, check_overlap=True):
    """``out=`` of an op that refuses an ``out`` of another dtype (``check_overlap``: see
    write_out)."""
    check_out_dtype(out, result._dtype)
    if warn:
        return write_out(out, result, check_overlap)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return write_out(out, result, check_overlap)


# --- flips and rotations -----------------------------------------------------------------


def flip(input, dims) -> Tensor:
    """Reverse the order of elements along ``dims``; the result keeps ``input``'s layout."""
    if isinstance(dims, builtins.int):
        raise TypeError("flip(): argument 'dims' (position 2) must be tuple of ints, not int")
    data = input._data
    axes = reduction_dims(tuple(dims), data.ndim) or ()
    sizes, strides = data.shape, input.stride()
    if not _non_overlapping_and_dense(sizes, strides):
        strides = _strides_in_order(sizes, _layout_order(sizes, strides))
    flipped = _make(_cpu.flip(data, axes) if axes and data.ndim else data, input._dtype,
                    input._device)
    result = _copy_with_strides(flipped, strides)
    if input._requires_grad and _grad_state.enabled:
        record_op("FlipBackward0", (lambda grad: flip(grad, axes),), (input,), (result,))
    return result


def _flip_method(self, *dims, **kwargs):
    return flip(self, _sizes_from_args(dims) if dims else kwargs.pop("dims"), **kwargs)


Tensor.flip = _flip_method


@method("fliplr")
def fliplr(input) -> Tensor:
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, (1,))


@method("flipud")
def flipud(input) -> Tensor:
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, (0,))


@method("roll")
def roll(input, shifts, dims=None) -> Tensor:
    """Shift elements along ``dims`` (of the flattened tensor without dims), wrapping
    around."""
    shifts = _int_list(shifts, "roll", "shifts")
    dims = () if dims is None else _int_list(dims, "roll", "dims")
    if not shifts:
        raise RuntimeError("`shifts` required")
    if len(shifts) != len(dims) and not (len(shifts) == 1 and not dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, "
                           f"dims:{len(dims)}")
    data = input._data
    if dims:
        if data.ndim == 0:
            raise IndexError(f"Dimension specified as {dims[0]} but tensor has no dimensions")
        axes = tuple(_wrap_dim(d, data.ndim) for d in dims)
        rolled = _cpu.roll(data, shifts, axes)
    else:
        axes = None
        rolled = _cpu.roll(data.reshape(-1), shifts[0]).reshape(data.shape)
    result = _fresh(rolled, input)
    if input._requires_grad and _grad_state.enabled:
        back = tuple(-s for s in shifts)
        record_op("RollBackward0", (lambda grad: roll(grad, back, axes),), (input,), (result,))
    return result


@method("rot90")
def rot90(input, k: int = 1, dims=(0, 1)) -> Tensor:
    """Rotate by 90 degrees ``k`` times in the plane of ``dims``, from the first towards
    the second."""
    dims = tuple(dims)
    ndim = input._data.ndim
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {ndim}")
    first, second = _wrap_dim(dims[0], ndim), _wrap_dim(dims[1], ndim)
    if first == second:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = "
                           f"{dims[0]} and dim1 = {dims[1]}")
    turns = k % 4
    with grad_mode.no_grad():
        if turns == 0:
            result = _clone(input, contiguous_format)
        elif turns == 2:
            result = flip(input, (first, second))
        else:  # flipped, then transposed in place as PyTorch does (no view)
            result = flip(input, (second,) if turns == 1 else (first,))
            result = finish(result._data.swapaxes(first, second), input._dtype, input._device)
    if input._requires_grad and _grad_state.enabled:
        record_op("Rot90Backward0", (lambda grad: rot90(grad, -k, (first, second)),),
                  (input,), (result,))
    return result


# --- triangles ---------------------------------------------------------------------------


def _triangle(name, keep_lower):
    node_name = "TrilBackward0" if keep_lower else "TriuBackward0"

    def values(input, diagonal):
        data = input._data
        if data.ndim < 2:
            raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
        rows, columns = data.shape[-2:]
        keep = _cpu.tri(rows, columns, diagonal if keep_lower else diagonal - 1, dtype=bool)
        if not keep_lower:
            keep = ~keep
        return keep

    def op(input, diagonal: int = 0, *, out=None) -> Tensor:
        keep = values(input, diagonal)
        result = _fresh(_cpu.where(keep, input._data, _cpu.zeros((), input._data.dtype)),
                        input)
        if out is not None:
            check_out_allowed(name, input)
            return _write_same_dtype(name, out, result, check_overlap=False)
        if input._requires_grad and _grad_state.enabled:
            record_op(node_name, (lambda grad: op(grad, diagonal),), (input,), (result,))
        return result

    def op_(self, diagonal: int = 0) -> Tensor:
        if needs_grad(self):
            return inplace_with_grad(self, lambda old: op(old, diagonal))
        keep = values(self, diagonal)
        _cpu.copyto(self._data, _cpu.zeros((), self._data.dtype), where=~keep)
        self._bump_version()
        return self

    op.__name__, op_.__name__ = name, name + "_"
    setattr(Tensor, name, op)
    setattr(Tensor, name + "_", op_)
    return op


tril = _triangle("tril", True)
triu = _triangle("triu", False)


def _triangle_indices(name, keep_lower):
    def indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None,
                layout=None, pin_memory=False, requires_grad=False) -> Tensor:
        dtype = _dtype.int64 if dtype is None else dtype
        if dtype not in (_dtype.int32, _dtype.int64):
            raise _not_implemented(name, dtype)
        if row < 0:
            raise RuntimeError(f"row must be non-negative, got{row}")
        if col < 0:
            raise RuntimeError(f"col must be non-negative, got{col}")
        keep = _cpu.tri(row, col, offset if keep_lower else offset - 1, dtype=bool)
        rows, cols = _cpu.nonzero(keep if keep_lower else ~keep)
        result = finish(_cpu.stack([rows, cols]).astype(dtype._np), dtype)
        if requires_grad:
            result.requires_grad_()
        return result

    indices.__name__ = name
    return indices


tril_indices = _triangle_indices("tril_indices", True)
triu_indices = _triangle_indices("triu_indices", False)


# --- diagonals ---------------------------------------------------------------------------


def _embed_diagonal(values, shape, offset, dim1, dim2, name="DiagonalBackwardBackward0"):
    """Zeros of ``shape`` with ``values`` on the diagonal ``diagonal(offset, dim1, dim2)``
    (``values`` shaped as that diagonal: the other dims, then the diagonal's length)."""
    result = finish(_cpu.zeros(shape, values._dtype._np), values._dtype, values._device)
    with grad_mode.no_grad():
        target = diagonal(result, offset, dim1, dim2)
    _cpu.copyto(target._data, values._data)
    if values._requires_grad and _grad_state.enabled:
        record_op(name, (lambda grad: diagonal(grad, offset, dim1, dim2),), (values,),
                  (result,))
    return result


def _diagonal_copy(input, offset, dim1, dim2, name):
    """The diagonal as a new tensor (recorded as ``name``)."""
    with grad_mode.no_grad():
        values = diagonal(input, offset, dim1, dim2)
    result = _fresh(values._data, input, copy=True)
    if input._requires_grad and _grad_state.enabled:
        shape = input._data.shape
        record_op(name, (lambda grad: _embed_diagonal(grad, shape, offset, dim1, dim2),),
                  (input,), (result,))
    return result


@method("diag_embed")
def diag_embed(input, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """A tensor whose diagonals (``offset``, in the planes of ``dim1`` and ``dim2``) are the
    last dim of ``input``."""
    ndim = input._data.ndim + 1
    dim1, dim2 = _wrap_dim(dim1, ndim), _wrap_dim(dim2, ndim)
    if dim1 == dim2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    data = input._data
    size = (data.shape[-1] if data.ndim else 1) + builtins.abs(offset)
    shape = list(data.shape[:-1])
    for dim in sorted((dim1, dim2)):
        shape.insert(dim, size)
    values = input if data.ndim else reshape(input, (1,))
    return _embed_diagonal(values, tuple(shape), offset, dim1, dim2, "DiagEmbedBackward0")


@method("diag")
def diag(input, diagonal: int = 0, *, out=None) -> Tensor:
    """A 1-D tensor's square matrix with it on a diagonal, or a matrix's diagonal."""
    ndim = input._data.ndim
    if ndim == 1:
        result = diag_embed(input, diagonal, 0, 1)
    elif ndim == 2:
        result = _diagonal_copy(input, diagonal, 0, 1, "DiagonalBackward0_copy")
    else:
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {ndim}D")
    if out is not None:
        check_out_allowed("diag", input)
        return _write_same_dtype("diag", out, result)
    return result


@method("diagflat")
def diagflat(input, offset: int = 0) -> Tensor:
    return diag_embed(reshape(input, (-1,)), offset, 0, 1)


@method("trace")
def trace(input) -> Tensor:
    """The sum of the main diagonal of a matrix (integers sum to int64)."""
    data = input._data
    if data.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {data.ndim}")
    dtype = input._dtype
    if dtype is _dtype.bool:
        raise _not_implemented("trace", dtype)
    if not (dtype.is_floating_point or dtype.is_complex):
        dtype = _dtype.int64
    compute = _dtype.float32._np if dtype in (_dtype.float16, _dtype.bfloat16) else dtype._np
    total = _cpu.trace(data, dtype=compute)
    result = finish(_cpu.asarray(total).astype(dtype._np), dtype, input._device)
    if input._requires_grad and _grad_state.enabled:
        shape = data.shape
        length = min(shape)
        record_op("TraceBackward0", (lambda grad: _embed_diagonal(
            expand(grad, (length,)), shape, 0, 0, 1),), (input,), (result,))
    return result


@method("narrow_copy")
def narrow_copy(input, dim: int, start: int, length: int, *, out=None) -> Tensor:
    start = int(start)
    with grad_mode.no_grad():
        piece = narrow(input, dim, start, length)
    result = _fresh(piece._data, input, copy=True)
    if out is not None:
        check_out_allowed("narrow_copy", input)
        return _write_same_dtype("narrow_copy", out, result, warn=False, check_overlap=False)
    if input._requires_grad and _grad_state.enabled:
        dim = _wrap_dim(dim, input._data.ndim)
        size = input._data.shape[dim]
        start = start + size if start < 0 else start
        record_op("NarrowCopyBackward0", (lambda grad: _pad_along(grad, dim, start, size),),
                  (input,), (result,))
    return result


def _pad_along(grad, dim, start, size):
    """``grad`` placed at ``start`` along ``dim`` in zeros of length ``size`` there."""
    shape = list(grad._data.shape)
    pieces = []
    for length in (start, size - start - shape[dim]):  # both read before the loop writes
        shape[dim] = length
        pieces.append(finish(_cpu.zeros(shape, grad._dtype._np), grad._dtype, grad._device))
    return cat([pieces[0], grad, pieces[1]], dim)


# --- repeats -----------------------------------------------------------------------------


@method("repeat")
def repeat(input, *sizes, repeats=None) -> Tensor:
    """``input`` tiled ``sizes`` times along each dim (new leading dims where ``sizes`` is
    longer)."""
    sizes = sizes or (() if repeats is None else (repeats,))
    if not sizes:
        raise TypeError('repeat() missing 1 required positional arguments: "repeats"')
    sizes = _sizes_from_args(sizes)
    data = input._data
    if len(sizes) < data.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than "
                           "number of dimensions of tensor")
    padded = (1,) * (len(sizes) - data.ndim) + data.shape
    target = [n * r for n, r in zip(padded, sizes)]
    for n in target:
        if n < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {n}: "
                               f"{target}")
    result = _fresh(_cpu.tile(data.reshape(padded), sizes), input)
    if input._requires_grad and _grad_state.enabled:
        shape = data.shape
        record_op("RepeatBackward0", (lambda grad: _sum_repeats(grad, sizes, padded, shape),),
                  (input,), (result,))
    return result


def _sum_repeats(grad, sizes, padded, shape):
    """The gradient of ``repeat``: each copy's gradient summed back onto the input."""
    split = []
    for r, n in zip(sizes, padded):
        split += [r, n]
    summed = grad.reshape(split).sum(tuple(range(0, len(split), 2)))
    return summed.reshape(shape)


def tile(input, dims) -> Tensor:
    dims = _int_list(dims, "tile", "dims")
    ndim = input._data.ndim
    return repeat(input, (1,) * (ndim - len(dims)) + dims)


def _tile_method(self, *dims, **kwargs):
    return tile(self, _sizes_from_args(dims) if dims else kwargs.pop("dims"), **kwargs)


Tensor.tile = _tile_method


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None) -> Tensor:
    """Repeat each element ``repeats`` times (an int, or a tensor of counts per element)
    along ``dim`` (of the flattened input without ``dim``). Given one tensor of counts
    only, the indices repeated by them."""
    if repeats is None:
        return _repeated_indices(input, output_size)
    if not isinstance(repeats, Tensor):
        return _repeat_interleave_int(input, int(repeats), dim)
    if dim is None:
        input, dim = reshape(input, (-1,)), 0
    elif input._data.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    dim = _wrap_dim(dim, input._data.ndim)
    size = input._data.shape[dim]
    if repeats._data.ndim == 0 or repeats._data.shape == (1,):
        repeats = expand(reshape(repeats, (1,)), (size,))
    elif repeats._data.ndim == 1:
        if repeats._data.shape[0] != size:
            raise RuntimeError(f"repeats must have the same size as input along dim, but got "
                               f"repeats.size(0) = {repeats._data.shape[0]} and input.size("
                               f"{dim}) = {size}")
    else:
        raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
    counts = _repeated_indices(repeats, output_size)._data
    index = (builtins.slice(None),) * dim + (counts,)
    result = _fresh(input._data[index], input)
    if input._requires_grad and _grad_state.enabled:
        sizes = repeats._data.tolist()
        record_op("IndexSelectBackward0", (lambda grad: _sum_groups(grad, dim, sizes),),
                  (input,), (result,))
    return result


def _repeat_interleave_int(input, repeats, dim):
    """PyTorch's composition: a new dim expanded ``repeats`` times, cloned, flattened."""
    if dim is None:
        source, dim = reshape(input, (-1,)), 0
    else:
        source = input
    dim = _wrap_dim(dim, input._data.ndim)
    if repeats < 0:
        raise RuntimeError("Repeats must be non-negative")
    shape = list(source._data.shape)
    expanded = expand(unsqueeze(source, dim + 1), shape[:dim + 1] + [repeats] + shape[dim + 1:])
    return clone(expanded, memory_format=contiguous_format).flatten(dim, dim + 1)


def _sum_groups(grad, dim, sizes):
    """The gradient of an index selection whose indices are ``i`` repeated ``sizes[i]``
    times, in order: each group of rows summed."""
    if not sizes:  # an input empty along dim: so is its gradient
        return grad
    pieces = grad.split(sizes, dim)
    return cat([piece.sum(dim, keepdim=True) for piece in pieces], dim)


def _repeated_indices(repeats, output_size):
    if not isinstance(repeats, Tensor):
        raise TypeError(f"repeat_interleave(): argument 'repeats' (position 1) must be Tensor, "
                        f"not {type(repeats).__name__}")
    if repeats._data.ndim != 1:
        if repeats._data.ndim == 0:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
    if repeats._dtype not in (_dtype.int32, _dtype.int64):
        raise _not_implemented("repeat_interleave_cpu", repeats._dtype)
    counts = repeats._data
    if counts.size and counts.min() < 0:
        raise RuntimeError("repeats can not be negative")
    if output_size is not None and output_size != int(counts.sum()):
        raise RuntimeError("allocated size does not match required size")
    indices = _cpu.repeat(_cpu.arange(counts.size, dtype=counts.dtype), counts)
    return finish(indices, repeats._dtype, repeats._device)


def _repeat_interleave_method(self, repeats=None, dim=None, *, output_size=None):
    if repeats is None:  # the counts-only form is a function only
        raise TypeError("repeat_interleave() received an invalid combination of arguments - "
                        "got (), but expected one of:\n"
                        " * (Tensor repeats, int dim = None, *, int output_size = None)\n"
                        " * (int repeats, int dim = None, *, int output_size = None)\n")
    return repeat_interleave(self, repeats, dim, output_size=output_size)


Tensor.repeat_interleave = _repeat_interleave_method


__all__ = [
    "diag", "diag_embed", "diagflat", "flip", "fliplr", "flipud", "narrow_copy",
    "repeat_interleave", "roll", "rot90", "tile", "trace", "tril", "tril_indices", "triu",
    "triu_indices",
]
