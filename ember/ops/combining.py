"""Ops that combine several tensors or split one into views: block diagonals, cartesian
products, combinations, meshgrids, broadcasting, stacking by columns and depth, splits into
views, Kronecker and cross products, pairwise distances.

Most are compositions of view ops and joins, as in PyTorch, so that their ``grad_fn`` and
``._base`` are PyTorch's; the primitives among them (block_diag, cross, cdist) have one
backward formula each, written in ember ops."""

from __future__ import annotations

import builtins
import itertools
import operator

from ember import _dtype
from ember._size import Size
from ember._tensor import _make, _product, _warn_once
from ember.autograd import grad_mode
from ember.backends import cpu as _cpu
from ember.ops._autograd import check_out_allowed, needs_grad, record_op
from ember.ops._common import (
    Tensor,
    _wrap_dim,
    broadcast_shape,
    check_same_device,
    finish,
    method,
    write_out,
)
from ember.ops.joining import cat, hstack, stack
from ember.ops.shaping import _fresh, _not_implemented, _write_same_dtype
from ember.ops.views import expand, narrow, reshape, unsqueeze, view

_grad_state = grad_mode.state


# --- Kronecker products ------------------------------------------------------------------


def kron(input, other, *, out=None) -> Tensor:
    """The Kronecker product: every element of ``input`` times the whole of ``other``."""
    ndim = max(input._data.ndim, other._data.ndim)
    a_shape = (1,) * (ndim - input._data.ndim) + input._data.shape
    b_shape = (1,) * (ndim - other._data.ndim) + other._data.shape
    a_view, b_view, shape = [], [], []
    for n, m in zip(a_shape, b_shape):
        a_view += [n, 1]
        b_view += [1, m]
        shape.append(n * m)
    if out is not None:
        check_out_allowed("kron", input, other)
    product = reshape(input, a_view) * reshape(other, b_view)
    result = _unsafe_view(product, shape)
    return result if out is None else write_out(out, result)


def _unsafe_view(input, shape):
    """``input`` reshaped as a new tensor rather than a view (PyTorch's _unsafe_view)."""
    with grad_mode.no_grad():
        viewed = view(input, shape)  # refuses as PyTorch does where strides forbid a view
    result = _make(viewed._data, input._dtype, input._device)
    if input._requires_grad and _grad_state.enabled:
        old_shape = input._data.shape
        record_op("UnsafeViewBackward0", (lambda grad: grad.reshape(old_shape),), (input,),
                  (result,))
    return result


Tensor.kron = kron


# --- combining tensors -------------------------------------------------------------------


def _tensor_args(tensors, name):
    for position, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {position} in argument 0, but got "
                            f"{type(t).__name__}")
    check_same_device(*tensors)
    return tensors


def block_diag(*tensors) -> Tensor:
    """A block-diagonal matrix of ``tensors`` (0-dim and 1-D ones count as one row)."""
    tensors = _tensor_args(tensors, "block_diag")
    dtype = _dtype.get_default_dtype() if not tensors else tensors[0]._dtype
    shapes = []
    for position, t in enumerate(tensors):
        dtype = _dtype.promote_types(dtype, t._dtype)
        ndim = t._data.ndim
        if ndim > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer "
                               f"dimensions. Input {position} has {ndim} dimensions")
        shapes.append((1, 1) if ndim == 0 else (1, t._data.shape[0]) if ndim == 1
                      else t._data.shape)
    if not tensors:
        shapes = [(1, 0)]
    rows, columns = builtins.sum(s[0] for s in shapes), builtins.sum(s[1] for s in shapes)
    data = _cpu.zeros((rows, columns), dtype._np)
    formulas, row, column = [], 0, 0
    for t, (height, width) in zip(tensors, shapes):
        data[row:row + height, column:column + width] = t._data.reshape(height, width)
        formulas.append(_block_grad(row, column, height, width, t._data.shape))
        row, column = row + height, column + width
    device = tensors[0]._device if tensors else None
    result = finish(data, dtype) if device is None else finish(data, dtype, device)
    if needs_grad(*tensors):
        record_op("BlockDiagBackward0", formulas, tensors, (result,))
    return result


def _block_grad(row, column, height, width, shape):
    return lambda grad: grad[row:row + height, column:column + width].reshape(shape)


def _check_vectors(tensors):
    for t in tensors:
        if t._data.ndim != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t._data.shape)}")


def cartesian_prod(*tensors) -> Tensor:
    """Every tuple of one element from each 1-D tensor, as the rows of a matrix."""
    _check_vectors(_tensor_args(tensors, "cartesian_prod"))
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return stack([grid.flatten() for grid in grids], 1)


def combinations(input, r: int = 2, with_replacement: bool = False) -> Tensor:
    """The length-``r`` combinations of the elements of a 1-D tensor, as rows."""
    _check_vectors((input,))
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return finish(_cpu.empty(0, input._dtype._np), input._dtype, input._device)
    choose = (itertools.combinations_with_replacement if with_replacement
              else itertools.combinations)
    rows = list(choose(range(input._data.shape[0]), r))
    positions = _cpu.array(rows, _cpu.int64).reshape(len(rows), r)
    return stack([input[finish(positions[:, k].copy(), _dtype.int64)] for k in range(r)], 1)


def meshgrid(*tensors, indexing: str | None = None):
    """Coordinate grids: the ``i``-th tensor expanded along every other tensor's dim
    (views)."""
    if len(tensors) == 1 and isinstance(tensors[0], list | tuple):
        tensors = tuple(tensors[0])
    tensors = _tensor_args(tensors, "meshgrid")
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    if indexing is None:
        _warn_once("torch.meshgrid: in an upcoming release, it will be required to pass the "
                   "indexing argument.", stacklevel=3)
        indexing = "ij"
    elif indexing not in ("ij", "xy"):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but '
                           f"received: {indexing}")
    for t in tensors:
        if t._data.ndim > 1:
            raise RuntimeError("torch.meshgrid: Expected 0D or 1D tensor in the tensor list "
                               f"but got: {t}")
    for t in tensors[1:]:
        if t._dtype is not tensors[0]._dtype:
            raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    swap = indexing == "xy" and len(tensors) >= 2
    if swap:
        tensors = (tensors[1], tensors[0], *tensors[2:])
    shape = [t._data.size for t in tensors]
    grids = []
    for i, t in enumerate(tensors):
        view_shape = [1] * len(tensors)
        view_shape[i] = -1
        grids.append(expand(view(t, view_shape), shape))
    if swap:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


def broadcast_tensors(*tensors):
    """``tensors`` expanded to their common shape (those of that shape returned as they
    are)."""
    tensors = _tensor_args(tensors, "broadcast_tensors")
    shape = broadcast_shape(*(t._data.shape for t in tensors))
    return tuple(t if t._data.shape == shape else expand(t, shape) for t in tensors)


def broadcast_shapes(*shapes) -> Size:
    """The shape that tensors of ``shapes`` broadcast to."""
    shapes = [(s,) if isinstance(s, builtins.int) else s for s in shapes if s is not None]
    if not shapes:
        return Size([])
    for shape in shapes:
        if not hasattr(shape, "__len__"):
            raise RuntimeError(f"Input shapes should be of type ints, a tuple of ints, or a "
                               f"list of ints, got {shape}")
    common = [1] * max(len(shape) for shape in shapes)
    for position, shape in enumerate(shapes):
        for index in range(-1, -1 - len(shape), -1):
            n = shape[index]
            if n == common[index]:
                continue
            if common[index] == 1:
                if n < 0:
                    raise ValueError("Attempting to broadcast a dimension with negative "
                                     "length!")
                common[index] = n
            if n != 1 and common[index] != n:
                raise RuntimeError(f"Attempting to broadcast a dimension of length {n} at "
                                   f"{index}! Mismatching argument at index {position} had "
                                   f"{shape}; but expected shape should be broadcastable to "
                                   f"{common}")
    return Size(common)


def _at_least(ndim, make):
    def at_least(*tensors):
        single = len(tensors) == 1 and isinstance(tensors[0], Tensor)
        if len(tensors) == 1 and not single:
            tensors = tuple(tensors[0])
        results = tuple(t if t._data.ndim >= ndim else make(t)
                        for t in _tensor_args(tensors, f"atleast_{ndim}d"))
        return results[0] if single else results

    at_least.__name__ = f"atleast_{ndim}d"
    return at_least


atleast_1d = _at_least(1, lambda t: reshape(t, (1,)))
atleast_2d = _at_least(2, lambda t: reshape(t, (1, 1)) if t._data.ndim == 0
                       else unsqueeze(t, 0))
atleast_3d = _at_least(3, lambda t: reshape(t, (1, 1, 1)) if t._data.ndim == 0
                       else unsqueeze(unsqueeze(t, 0), -1) if t._data.ndim == 1
                       else unsqueeze(t, -1))


def _tensor_list(tensors, name):
    if isinstance(tensors, Tensor) or not hasattr(tensors, "__iter__"):
        raise TypeError(f"{name}(): argument 'tensors' (position 1) must be tuple of Tensors, "
                        f"not {type(tensors).__name__}")
    tensors = _tensor_args(list(tensors), name)
    if not tensors:
        raise RuntimeError(f"{name} expects a non-empty TensorList")
    return tensors


def column_stack(tensors, *, out=None) -> Tensor:
    """Join tensors as the columns of a matrix (0-dim and 1-D tensors become columns)."""
    tensors = _tensor_list(tensors, "column_stack")
    columns = [reshape(t, (t._data.size, 1)) if t._data.ndim <= 1 else t for t in tensors]
    return hstack(columns, out=out)


def dstack(tensors, *, out=None) -> Tensor:
    """Join tensors along a third dim (made with atleast_3d)."""
    tensors = _tensor_list(tensors, "dstack")
    return cat(atleast_3d(tensors), 2, out=out)


# --- splitting into views ----------------------------------------------------------------


@method("tensor_split")
def tensor_split(input, sections=None, dim: int = 0, *, indices=None,
                 tensor_indices_or_sections=None):
    """Views of ``input`` along ``dim``: ``sections`` nearly equal pieces (the first ones
    one longer), or the pieces between ``indices`` (either may be given as a tensor)."""
    indices_or_sections = next((given for given in (sections, indices,
                                                     tensor_indices_or_sections)
                                if given is not None), None)
    if indices_or_sections is None:
        raise TypeError("tensor_split() missing required argument 'sections' (pos 2)")
    data = input._data
    if data.ndim == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a "
                           "tensor with 0 dims")
    if isinstance(indices_or_sections, Tensor):
        given = indices_or_sections
        if given._dtype is not _dtype.int64:
            raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to have "
                               f"dtype of long, but got {given._dtype._legacy_name}")
        if given._data.ndim > 1:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to be a "
                               "zero-dimensional or one-dimensional tensor, but got a tensor "
                               f"with {given._data.ndim} dims")
        indices_or_sections = given._data.tolist()
    dim = _wrap_dim(dim, data.ndim)
    size = data.shape[dim]
    if isinstance(indices_or_sections, builtins.int):
        sections = indices_or_sections
        if sections <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {sections}")
        shortest, longer = divmod(size, sections)
        pieces, start = [], 0
        for i in range(sections):
            length = shortest + (1 if i < longer else 0)
            pieces.append(narrow(input, dim, start, length))
            start += length
        return tuple(pieces)
    try:
        bounds = [0, *(operator.index(i) for i in indices_or_sections), size]
    except TypeError:
        raise TypeError("tensor_split() received an invalid combination of arguments: "
                        "expected sections as an int, or indices as a sequence of ints or a "
                        "tensor") from None
    return tuple(_slice(input, dim, start, end, size)
                 for start, end in zip(bounds[:-1], bounds[1:]))


def _slice(input, dim, start, end, size):
    """``input[start:end]`` along ``dim``, with Python's clamping of the bounds."""
    start = min(max(start + size if start < 0 else start, 0), size)
    end = min(max(end + size if end < 0 else end, start), size)
    return narrow(input, dim, start, end - start)


def _split_along(name, min_ndim, dim_of):
    def split_op(input, sections=None, *, indices=None):
        indices_or_sections = sections if sections is not None else indices
        ndim = input._data.ndim
        if ndim < min_ndim:
            raise RuntimeError(f"torch.{name} requires a tensor with at least {min_ndim} "
                               f"dimension, but got a tensor with {ndim} dimensions!")
        dim = dim_of(ndim)
        if isinstance(indices_or_sections, builtins.int):
            size = input._data.shape[dim]
            if indices_or_sections == 0 or size % indices_or_sections:
                raise RuntimeError(f"torch.{name} attempted to split along dimension {dim}, "
                                   f"but the size of the dimension {size} is not divisible by "
                                   f"the split_size {indices_or_sections}!")
        return tensor_split(input, indices_or_sections, dim)

    split_op.__name__ = name
    setattr(Tensor, name, split_op)
    return split_op


hsplit = _split_along("hsplit", 1, lambda ndim: 0 if ndim == 1 else 1)
vsplit = _split_along("vsplit", 2, lambda ndim: 0)
dsplit = _split_along("dsplit", 3, lambda ndim: 2)


# --- cross products and distances --------------------------------------------------------

_CROSS_DIM_WARNING = (
    "Using torch.cross without specifying the dim arg is deprecated.\nPlease either pass the "
    "dim explicitly or simply use torch.linalg.cross.\nThe default value of dim will change "
    "to agree with that of linalg.cross in a future release.")


@method("cross")
def cross(input, other, dim=None, *, out=None) -> Tensor:
    """The cross product of 3-vectors along ``dim`` (by default the first dim of size 3),
    broadcasting the other dims."""
    if dim is None:
        _warn_once(_CROSS_DIM_WARNING, stacklevel=3)
        dim = next((d for d, n in enumerate(input._data.shape) if n == 3), None)
        if dim is None:
            raise RuntimeError("no dimension of size 3 in input")
    result = _linalg_cross(input, other, dim)
    if out is not None:
        check_out_allowed("cross", input, other)
        return _write_same_dtype("cross", out, result)
    return result


def _linalg_cross(input, other, dim):
    """PyTorch's linalg.cross: the node both cross forms record."""
    check_same_device(input, other)
    ndim = input._data.ndim
    if ndim != other._data.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    dim = _wrap_dim(dim, ndim)
    length, other_length = (input._data.shape[dim] if ndim else 1,
                            other._data.shape[dim] if ndim else 1)
    if length != 3 or other_length != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{length} and {other_length}")
    shape = broadcast_shape(input._data.shape, other._data.shape)
    if input._dtype is not other._dtype:
        raise RuntimeError(f"expected scalar type {input._dtype._legacy_name} but found "
                           f"{other._dtype._legacy_name}")
    if input._dtype is _dtype.bool:
        raise _not_implemented("cross", input._dtype)
    a = _cpu.moveaxis(_cpu.broadcast_to(input._data, shape), dim, 0)
    b = _cpu.moveaxis(_cpu.broadcast_to(other._data, shape), dim, 0)
    data = _cpu.empty((3, *a.shape[1:]), input._dtype._np)
    data[0], data[1], data[2] = (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2],
                                 a[0] * b[1] - a[1] * b[0])
    result = _fresh(_cpu.moveaxis(data, 0, dim), input)
    if needs_grad(input, other):
        record_op("LinalgCrossBackward0",
                  (lambda grad, other: _linalg_cross(_conj(other), grad, dim),
                   lambda grad, input: _linalg_cross(grad, _conj(input), dim)),
                  (input, other), (result,), {"input": input, "other": other})
    return result


def _conj(tensor):
    return tensor.conj() if tensor._dtype.is_complex else tensor


_CDIST_MODES = {"use_mm_for_euclid_dist_if_necessary": 0, "use_mm_for_euclid_dist": 1,
                "donot_use_mm_for_euclid_dist": 2}


def cdist(x1, x2, p: float = 2.0,
          compute_mode: str = "use_mm_for_euclid_dist_if_necessary") -> Tensor:
    """The p-norm distance between each row of ``x1`` and each row of ``x2`` (in batches).
    For p = 2 with more than 25 rows (or ``use_mm_for_euclid_dist``) the distances come
    from matrix products, as in PyTorch."""
    mode = _CDIST_MODES.get(compute_mode)
    if mode is None:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    for name, x in (("X1", x1), ("X2", x2)):
        if x._data.ndim < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: "
                               f"{x._data.ndim}D")
    columns = x1._data.shape[-1]
    if columns != x2._data.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {columns} "
                           f"X2: {x2._data.shape[-1]}")
    for name, x in (("X1", x1), ("X2", x2)):
        if not x._dtype.is_floating_point:
            raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: "
                               f"{x._dtype._legacy_name}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    check_same_device(x1, x2)
    if x1._dtype is not x2._dtype:
        raise RuntimeError(f"expected scalar type {x1._dtype._legacy_name} but found "
                           f"{x2._dtype._legacy_name}")
    rows1, rows2 = x1._data.shape[-2], x2._data.shape[-2]
    batch = broadcast_shape(x1._data.shape[:-2], x2._data.shape[:-2])
    shape = (*batch, rows1, rows2)
    empty = not (x1._data.size and x2._data.size and _product(batch))
    if not empty and columns and p == 2 and (mode == 1 or (mode == 0 and (rows1 > 25 or
                                                                          rows2 > 25))):
        if _product(batch) != 1:
            x1 = reshape(expand(x1, (*batch, rows1, columns)), (-1, rows1, columns))
            x2 = reshape(expand(x2, (*batch, rows2, columns)), (-1, rows2, columns))
        return view(_euclidean_dist(x1, x2), shape)
    if empty or not columns:  # no kernel runs, whatever the dtype
        result = finish(_cpu.zeros(shape, x1._dtype._np), x1._dtype, x1._device)
    else:
        if x1._dtype not in (_dtype.float32, _dtype.float64):
            raise _not_implemented("cdist", x1._dtype)
        a = _cpu.broadcast_to(x1._data, (*batch, rows1, columns))[..., :, None, :]
        b = _cpu.broadcast_to(x2._data, (*batch, rows2, columns))[..., None, :, :]
        result = _fresh(_p_norm(_cpu.abs(a - b), p), x1)
    if needs_grad(x1, x2):
        record_op("CdistBackward0",
                  (lambda grad, x1, x2, result: _cdist_grad(grad, x1, x2, p, result),
                   lambda grad, x1, x2, result: _cdist_grad(grad.mT, x2, x1, p, result.mT)),
                  (x1, x2), (result,), {"x1": x1, "x2": x2, "result": result})
    return result


def _p_norm(distances, p):
    """The p-norm over the last axis of non-negative ``distances``."""
    if p == 0:
        return (distances != 0).sum(-1).astype(distances.dtype)
    if p == 1:
        return distances.sum(-1)
    if p == 2:
        return _cpu.sqrt((distances * distances).sum(-1))
    if p == float("inf"):
        return distances.max(-1)
    return (distances ** p).sum(-1) ** (1 / p)


def _cdist_grad(grad, x1, x2, p, result):
    """The gradient of cdist for ``x1`` (for ``x2``: the same with the two swapped and
    ``grad`` and ``result`` transposed), as PyTorch's _cdist_backward computes it."""
    if p == 0 or not grad._data.size:
        return x1 * 0
    diff = unsqueeze(x1, -2) - unsqueeze(x2, -3)
    grad, distance = unsqueeze(grad, -1), unsqueeze(result, -1)
    if p == 1:
        terms = grad * diff.sign()
    elif p == float("inf"):
        terms = grad * diff.sign() * (diff.abs() == distance)
    else:
        if p == 2:
            terms = grad * diff / distance
        elif p < 2:
            terms = diff.sign() * diff.abs() ** (p - 1) * grad / distance ** (p - 1)
        else:
            terms = diff * diff.abs() ** (p - 2) * grad / distance ** (p - 1)
        zero = distance == 0
        if p < 1:
            zero = zero | (diff == 0)
        terms = terms.where(~zero, 0.0)
    return terms.sum(-2)


def _euclidean_dist(x1, x2):
    """Euclidean distances through one matrix product (PyTorch's _euclidean_dist):
    |a - b|^2 = |a|^2 + |b|^2 - 2 a.b, clamped at 0."""
    a, b = x1._data, x2._data
    dtype = x1._dtype
    work = dtype._np if dtype not in (_dtype.float16, _dtype.bfloat16) else _cpu.float32

    def rounded(values):  # half precision rounds after each step, as PyTorch's ops do
        return values.astype(dtype._np).astype(work)

    a, b = a.astype(work), b.astype(work)
    a_norm = rounded(rounded(a * a).sum(-1, keepdims=True))
    b_norm = rounded(rounded(b * b).sum(-1, keepdims=True))
    left = _cpu.concatenate([-2 * a, a_norm, _cpu.ones_like(a_norm)], -1)
    right = _cpu.concatenate([b, _cpu.ones_like(b_norm), b_norm], -1)
    squared = rounded(_cpu.matmul(left, _cpu.swapaxes(right, -1, -2)))
    result = _fresh(_cpu.sqrt(_cpu.maximum(squared, 0)).astype(dtype._np), x1)
    if needs_grad(x1, x2):
        record_op("EuclideanDistBackward0",
                  (lambda grad, x1, x2, result: _euclidean_grad(grad, result, x1, x2, True),
                   lambda grad, x1, x2, result: _euclidean_grad(grad, result, x1, x2, False)),
                  (x1, x2), (result,), {"x1": x1, "x2": x2, "result": result})
    return result


def _euclidean_grad(grad, result, x1, x2, first):
    ratio = (grad / result).where(result != 0, 0.0)
    if first:
        return x1 * ratio.sum(-1, keepdim=True) - ratio.matmul(x2)
    return x2 * unsqueeze(ratio.sum(-2), -1) - ratio.mT.matmul(x1)


__all__ = [
    "atleast_1d", "atleast_2d", "atleast_3d", "block_diag", "broadcast_shapes",
    "broadcast_tensors", "cartesian_prod", "cdist", "column_stack", "combinations", "cross",
    "dsplit", "dstack", "hsplit", "kron", "meshgrid", "tensor_split", "vsplit",
]
