"""View ops: new (offset, sizes, strides) over the same storage, never a copy.

Each view's backend array is built with exactly the strides PyTorch gives that view, so
``stride()`` and ``storage_offset()`` read back PyTorch's numbers. Where NumPy's own view
op gives the same strides it is used, being faster; otherwise the strides are computed
here and the array is built over the storage.
"""

from __future__ import annotations

import builtins

from ember._tensor import (
    Tensor,
    _contiguous_strides,
    _is_contiguous,
    _make,
    _make_view,
    _product,
    _sizes_from_args,
    _warn_deprecated_T,
    _wrap_dim,
)
from ember.ops._common import broadcast_error, method


def _strided(base: Tensor, sizes, strides, offset: int) -> Tensor:
    """A view of ``base`` with explicit sizes, strides and storage offset (elements)."""
    storage = base.untyped_storage()
    data = base._device._backend.strided_view(storage._bytes, base._dtype._np, tuple(sizes),
                                             tuple(strides), offset)
    return _make_view(base, data, offset)


def _view_strides(old_sizes, old_strides, new_sizes):
    """The strides under which ``new_sizes`` views memory laid out as (old_sizes,
    old_strides), or None when no such strides exist (then ``view`` must refuse).
    Dims are grouped into chunks that are contiguous with each other; a view may only
    split or merge dims within a chunk."""
    if not old_sizes:
        return (1,) * len(new_sizes)
    numel = _product(old_sizes)
    if numel == 0:
        return tuple(old_strides) if tuple(old_sizes) == tuple(new_sizes) else (
            _contiguous_strides(new_sizes))
    new_strides = [0] * len(new_sizes)
    view_d = len(new_sizes) - 1
    chunk_stride = old_strides[-1]
    tensor_numel = view_numel = 1
    for tensor_d in range(len(old_sizes) - 1, -1, -1):
        tensor_numel *= old_sizes[tensor_d]
        chunk_ends = tensor_d == 0 or (old_sizes[tensor_d - 1] != 1 and
                                       old_strides[tensor_d - 1] != tensor_numel * chunk_stride)
        if chunk_ends:
            while view_d >= 0 and (view_numel < tensor_numel or new_sizes[view_d] == 1):
                new_strides[view_d] = view_numel * chunk_stride
                view_numel *= new_sizes[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return None
            if tensor_d > 0:
                chunk_stride = old_strides[tensor_d - 1]
                tensor_numel = view_numel = 1
    return tuple(new_strides) if view_d == -1 else None


def _infer_size(sizes, numel: int) -> tuple:
    """``sizes`` with a single -1 replaced so that the product is ``numel``."""
    inferred = None
    known = 1
    for i, n in enumerate(sizes):
        if n == -1:
            if inferred is not None:
                raise RuntimeError("only one dimension can be inferred")
            inferred = i
        elif n < 0:
            raise RuntimeError(f"invalid shape dimension {n}")
        else:
            known *= n
    if inferred is not None:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(sizes)}' is invalid for input of size {numel}")
        sizes = sizes[:inferred] + (numel // known,) + sizes[inferred + 1:]
    elif known != numel:
        raise RuntimeError(f"shape '{list(sizes)}' is invalid for input of size {numel}")
    return sizes


def _reshaped_view(self: Tensor, sizes):
    """The view of ``self`` with ``sizes``, or None when its strides do not allow one."""
    data = self._data
    sizes = _infer_size(sizes, data.size)
    if data.flags.c_contiguous and data.size:
        return _make_view(self, data.reshape(sizes), self._offset)
    strides = _view_strides(data.shape, self.stride(), sizes)
    if strides is None:
        return None
    return _strided(self, sizes, strides, self.storage_offset())


@method("view")
def view(self, *shape):
    """The same data seen with another shape (or, given a dtype, another element type)."""
    if len(shape) == 1 and not isinstance(shape[0], int | tuple | list) and not hasattr(
            shape[0], "__index__"):
        return _view_dtype(self, shape[0])
    result = _reshaped_view(self, _sizes_from_args(shape))
    if result is None:
        raise RuntimeError("view size is not compatible with input tensor's size and stride "
                           "(at least one dimension spans across two contiguous subspaces). "
                           "Use .reshape(...) instead.")
    return result


def _view_dtype(self, dtype):
    if dtype.itemsize != self._dtype.itemsize:
        if self._data.ndim == 0:
            raise RuntimeError("self.dim() cannot be 0 to view " f"{self._dtype} as {dtype} "
                               "(different element sizes)")
        if self.stride(-1) != 1:
            raise RuntimeError(f"self.stride(-1) must be 1 to view {self._dtype} as "
                               f"{dtype} (different element sizes), but got "
                               f"{self.stride(-1)}")
        if (self._data.shape[-1] * self._dtype.itemsize) % dtype.itemsize:
            ratio = dtype.itemsize // self._dtype.itemsize
            raise RuntimeError(f"self.size(-1) must be divisible by {ratio} to view "
                               f"{self._dtype} as {dtype} (different element sizes), but got "
                               f"{self._data.shape[-1]}")
    view_ = _make_view(self, self._data.view(dtype._np))
    view_._dtype = dtype
    return view_


@method("view_as")
def view_as(self, other):
    return view(self, other._data.shape)


@method("reshape")
def reshape(input, *shape):
    """``input`` with ``shape``: a view when the strides allow one, else a copy."""
    sizes = _sizes_from_args(shape)
    result = _reshaped_view(input, sizes)
    if result is not None:
        return result
    copy = clone(input, memory_format="contiguous")
    copy._data = copy._data.reshape(_infer_size(sizes, copy._data.size))
    return copy


@method("reshape_as")
def reshape_as(self, other):
    return reshape(self, other._data.shape)


@method("flatten")
def flatten(input, start_dim: int = 0, end_dim: int = -1):
    ndim = input._data.ndim
    if ndim == 0:
        return reshape(input, (1,))
    start, end = _wrap_dim(start_dim, ndim), _wrap_dim(end_dim, ndim)
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if start == end:
        return input
    shape = input._data.shape
    return reshape(input, shape[:start] + (_product(shape[start:end + 1]),) + shape[end + 1:])


@method("unflatten")
def unflatten(input, dim: int, sizes):
    shape = input._data.shape
    dim = _wrap_dim(dim, input._data.ndim)
    sizes = tuple(sizes)
    if sizes.count(-1) == 0 and _product(sizes) != shape[dim]:
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to "
                           f"the size of dim {dim} ({shape[dim]}) in the input tensor")
    return view(input, shape[:dim] + _infer_size(sizes, shape[dim]) + shape[dim + 1:])


@method("squeeze")
def squeeze(input, dim=None):
    """Drop dims of size one: all of them, or those among ``dim`` (an int or tuple)."""
    data = input._data
    if dim is None:
        dims = tuple(i for i, n in enumerate(data.shape) if n == 1)
    else:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        dims = tuple(d for d in (_wrap_dim(d, data.ndim) for d in dims)
                     if data.ndim and data.shape[d] == 1)
    return _make_view(input, data.squeeze(dims) if dims else data.view(), input._offset)


@method("unsqueeze")
def unsqueeze(input, dim: int):
    """Insert a dim of size one at ``dim``."""
    data = input._data
    dim = _wrap_dim(dim, data.ndim + 1)
    shape = data.shape[:dim] + (1,) + data.shape[dim:]
    if data.flags.c_contiguous and data.size:
        return _make_view(input, data.reshape(shape), input._offset)
    strides = input.stride()
    new_stride = strides[dim] * data.shape[dim] if dim < data.ndim else 1
    return _strided(input, shape, strides[:dim] + (new_stride,) + strides[dim:],
                    input.storage_offset())


@method("permute")
def permute(input, *dims):
    dims = _sizes_from_args(dims)
    ndim = input._data.ndim
    if len(dims) != ndim:
        raise RuntimeError("permute(sparse_coo): number of dimensions in the tensor input does "
                           "not match the length of the desired ordering of dimensions i.e. "
                           f"input.dim() = {ndim} is not equal to len(dims) = {len(dims)}")
    dims = tuple(_wrap_dim(d, ndim) for d in dims)
    if len(set(dims)) != ndim:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return _make_view(input, input._data.transpose(dims), input._offset)


@method("transpose", "swapaxes", "swapdims")
def transpose(input, dim0: int, dim1: int):
    data = input._data
    ndim = data.ndim
    dim0, dim1 = _wrap_dim(dim0, ndim), _wrap_dim(dim1, ndim)
    if ndim < 2:
        return _make_view(input, data.view(), input._offset)
    return _make_view(input, data.swapaxes(dim0, dim1), input._offset)


swapaxes = swapdims = transpose


@method("t")
def t(input):
    ndim = input._data.ndim
    if ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {ndim}D")
    return transpose(input, 0, -1) if ndim == 2 else _make_view(input, input._data.view(),
                                                                input._offset)


def _reverse_dims(self):
    _warn_deprecated_T(self._data.ndim)
    return _make_view(self, self._data.transpose(), self._offset)


def _matrix_transpose(self):
    if self._data.ndim < 2:
        raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices. "
                           f"Got {self._data.ndim}-D tensor.")
    return transpose(self, -2, -1)


Tensor.T = property(_reverse_dims)
Tensor.mT = property(_matrix_transpose)


@method("adjoint")
def adjoint(input):
    result = _matrix_transpose(input)
    return result.conj() if input._dtype.is_complex else result


Tensor.H = property(lambda self: t(self).conj() if self._dtype.is_complex else t(self))
Tensor.mH = property(adjoint)


@method("movedim", "moveaxis")
def movedim(input, source, destination):
    ndim = input._data.ndim
    source = (source,) if isinstance(source, int) else tuple(source)
    destination = (destination,) if isinstance(destination, int) else tuple(destination)
    if len(source) != len(destination):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source "
                           f"({list(source)} dims) should contain the same number of dims as "
                           f"destination ({list(destination)} dims)")
    source = tuple(_wrap_dim(d, ndim) for d in source)
    destination = tuple(_wrap_dim(d, ndim) for d in destination)
    order = [None] * ndim
    for s, d in zip(source, destination):
        order[d] = s
    rest = iter(d for d in range(ndim) if d not in source)
    order = tuple(next(rest) if o is None else o for o in order)
    return permute(input, order)


moveaxis = movedim


@method("expand")
def expand(input, *sizes):
    """Broadcast ``input`` to ``sizes`` without copying: expanded dims get stride 0."""
    sizes = _sizes_from_args(sizes)
    shape, strides = input._data.shape, input.stride()
    if len(sizes) < len(shape):
        raise RuntimeError(f"expand({input.type()}{{{list(shape)}}}, size={list(sizes)}): "
                           "the number of sizes provided "
                           f"({len(sizes)}) must be greater or equal to the number of "
                           f"dimensions in the tensor ({len(shape)})")
    lead = len(sizes) - len(shape)
    new_sizes, new_strides = [], []
    for i, n in enumerate(sizes):
        if i < lead:
            if n < 0:
                raise RuntimeError(f"The expanded size of the tensor ({n}) isn't allowed in a "
                                   "leading, non-existing dimension 0")
            new_sizes.append(n)
            new_strides.append(0)
            continue
        old = shape[i - lead]
        if n == -1 or n == old:
            new_sizes.append(old)
            new_strides.append(strides[i - lead])
        elif old == 1:
            new_sizes.append(n)
            new_strides.append(0)
        else:
            raise RuntimeError(f"The expanded size of the tensor ({n}) must match the existing "
                               f"size ({old}) at non-singleton dimension {i}.  Target sizes: "
                               f"{list(sizes)}.  Tensor sizes: {list(shape)}")
    if tuple(new_sizes) == shape:
        return _make_view(input, input._data.view(), input._offset)
    return _strided(input, new_sizes, new_strides, input.storage_offset())


@method("expand_as")
def expand_as(input, other):
    return expand(input, other._data.shape)


def broadcast_to(input, size):
    return expand(input, size)


Tensor.broadcast_to = broadcast_to


@method("as_strided")
def as_strided(input, size, stride, storage_offset=None):
    size, stride = tuple(size), tuple(stride)
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    offset = input.storage_offset() if storage_offset is None else storage_offset
    from ember._tensor import _check_in_bounds

    _check_in_bounds(input.untyped_storage(), input._dtype, offset, size, stride)
    return _strided(input, size, stride, offset)


@method("narrow")
def narrow(input, dim: int, start, length: int):
    data = input._data
    if data.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    dim = _wrap_dim(dim, data.ndim)
    size = data.shape[dim]
    start = int(start)
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], "
                         f"but got {start})")
    start = start + size if start < 0 else start
    if length < 0 or start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size "
                           f"({size}).")
    index = (builtins.slice(None),) * dim + (builtins.slice(start, start + length),)
    return _make_view(input, data[index])


@method("select")
def select(input, dim: int, index: int):
    data = input._data
    if data.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    dim = _wrap_dim(dim, data.ndim)
    size = data.shape[dim]
    index = int(index)
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(data.shape)} at dimension {dim}")
    return _make_view(input, data[(builtins.slice(None),) * dim + (index,)])


@method("unbind")
def unbind(input, dim: int = 0):
    dim = _wrap_dim(dim, input._data.ndim)
    return tuple(select(input, dim, i) for i in range(input._data.shape[dim]))


@method("split")
def split(tensor, split_size_or_sections, dim: int = 0):
    """Pieces of ``tensor`` along ``dim``: of equal size (the last may be smaller), or of
    the listed sizes."""
    dim = _wrap_dim(dim, tensor._data.ndim)
    size = tensor._data.shape[dim]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step < 0 or (step == 0 and size != 0):
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got "
                               f"dimension size of {size}")
        starts = range(0, size, step) if step else [0]
        return tuple(narrow(tensor, dim, s, min(step, size - s)) for s in starts)
    sections = list(split_size_or_sections)
    if sum(sections) != size:
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {size} "
                           f"(input tensor's size at dimension {dim}), but got split_sizes="
                           f"{sections}")
    pieces, start = [], 0
    for length in sections:
        pieces.append(narrow(tensor, dim, start, length))
        start += length
    return tuple(pieces)


Tensor.split_with_sizes = lambda self, split_sizes, dim=0: split(self, list(split_sizes), dim)


@method("chunk")
def chunk(input, chunks: int, dim: int = 0):
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " f"{chunks}")
    dim = _wrap_dim(dim, input._data.ndim)
    size = input._data.shape[dim]
    return split(input, max(-(-size // chunks), 1) if size else 0, dim) if size else tuple(
        narrow(input, dim, 0, 0) for _ in range(chunks))


@method("diagonal")
def diagonal(input, offset: int = 0, dim1: int = 0, dim2: int = 1):
    ndim = input._data.ndim
    dim1, dim2 = _wrap_dim(dim1, ndim), _wrap_dim(dim2, ndim)
    if dim1 == dim2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    shape, strides = input._data.shape, input.stride()
    start = input.storage_offset()
    if offset >= 0:
        length = max(min(shape[dim1], shape[dim2] - offset), 0)
        start += offset * strides[dim2] if length else 0
    else:
        length = max(min(shape[dim1] + offset, shape[dim2]), 0)
        start -= offset * strides[dim1] if length else 0
    keep = [d for d in range(ndim) if d not in (dim1, dim2)]
    sizes = [shape[d] for d in keep] + [length]
    new_strides = [strides[d] for d in keep] + [strides[dim1] + strides[dim2]]
    return _strided(input, sizes, new_strides, start)


@method("unfold")
def unfold(input, dimension: int, size: int, step: int):
    """All slices of length ``size`` along ``dimension``, ``step`` apart, as a new last dim."""
    ndim = input._data.ndim
    dim = _wrap_dim(dimension, ndim)
    shape, strides = list(input._data.shape) or [1], list(input.stride()) or [1]
    if size > shape[dim]:
        raise RuntimeError(f"maximum size for tensor at dimension {dim} is {shape[dim]} but "
                           f"size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    count = (shape[dim] - size) // step + 1
    sizes = shape[:dim] + [count] + shape[dim + 1:] + [size]
    new_strides = strides[:dim] + [step * strides[dim]] + strides[dim + 1:] + [strides[dim]]
    if ndim == 0:
        sizes, new_strides = [size], [1]
    return _strided(input, sizes, new_strides, input.storage_offset())


@method("detach")
def detach(input):
    """A tensor sharing ``input``'s storage and version counter, outside any graph."""
    result = _make(input._data, input._dtype, input._device)
    result._storage = input if input._storage is None else input._storage
    result._offset = input._offset
    result._version_counter = input._shared_version_counter()
    return result


@method("detach_")
def detach_(input):
    input._grad_fn = None
    input._requires_grad = False
    return input


def _dense_non_overlapping(sizes, strides) -> bool:
    dims = sorted((s, n) for n, s in zip(sizes, strides) if n != 1)
    expected = 1
    for stride, size in dims:
        if stride != expected:
            return False
        expected *= size
    return True


@method("clone")
def clone(input, *, memory_format=None):
    """A copy with its own storage; keeps ``input``'s layout when it is dense."""
    data = input._data
    keep_layout = memory_format != "contiguous" and _dense_non_overlapping(data.shape,
                                                                          input.stride())
    return _make(data.copy(order="K" if keep_layout else "C"), input._dtype, input._device)


@method("contiguous")
def contiguous(input, memory_format=None):
    if _is_contiguous(input._data.shape, input.stride()):
        return input
    return _make(input._data.copy(order="C"), input._dtype, input._device)


@method("copy_")
def copy_(self, src, non_blocking: bool = False):
    """Copy ``src`` into ``self``, broadcasting it and converting its dtype."""
    if not isinstance(src, Tensor):
        raise TypeError(f"copy_(): argument 'other' (position 1) must be Tensor, not "
                        f"{type(src).__name__}")
    try:
        self._device._backend.copyto(self._data, src._data, casting="unsafe")
    except ValueError:
        raise broadcast_error(self._data.shape, src._data.shape) from None
    self._bump_version()
    return self


__all__ = [
    "adjoint", "as_strided", "broadcast_to", "chunk", "clone", "diagonal", "expand", "flatten",
    "movedim", "moveaxis", "narrow", "permute", "reshape", "select", "split", "squeeze",
    "swapaxes", "swapdims", "t", "transpose", "unbind", "unflatten", "unsqueeze", "detach",
]
