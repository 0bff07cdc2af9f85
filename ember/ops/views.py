"""View ops: new (offset, sizes, strides) over the same storage, never a copy.

Each view's backend array is built with exactly the strides PyTorch gives that view, so
``stride()`` and ``storage_offset()`` read back PyTorch's numbers. Where NumPy's own view
op gives the same strides it is used, being faster; otherwise the strides are computed
here and the array is built over the storage. Also here: the in-place forms of view ops,
and the scatters that copy a tensor with a view's region replaced (select_scatter, ...).
"""

from __future__ import annotations

import builtins

from ember._dtype import dtype as _dtype_class
from ember._size import contiguous_format
from ember._tensor import (
    Tensor,
    _contiguous_strides,
    _make,
    _make_view,
    _product,
    _sizes_from_args,
    _warn_once,
    _wrap_dim,
)
from ember.autograd import grad_mode
from ember.ops._autograd import (
    check_inplace_allowed,
    check_out_allowed,
    record,
    record_op,
    record_view,
)
from ember.ops._common import check_out_dtype, has_internal_overlap, method, write_out
from ember.ops.copying import _pass_through, clone, contiguous, copy_

_grad_state = grad_mode.state


def _differentiable_view(name, formula_for=None, replay=True):
    """Record the decorated view op in the graph when its input requires grad, as the node
    ``name`` (or the name ``name(*args)`` gives). ``formula_for(input, *args)`` gives the
    backward formula ``grad -> input grad``; without one the gradient is scattered back to
    where the op, replayed on element numbers, read each element (or, unless ``replay``, to
    where the view lies in memory) (see _strided.py)."""

    def decorate(view_op):
        def op(input, *args, **kwargs):
            result = view_op(input, *args, **kwargs)
            if input._requires_grad and _grad_state.enabled:
                node_name = name if name.__class__ is str else name(*args, **kwargs)
                if formula_for is not None:
                    record_view(result, input, node_name, formula_for(input, *args, **kwargs))
                elif replay:
                    record_view(result, input, node_name,
                                read=lambda tensor: view_op(tensor, *args, **kwargs))
                else:
                    record_view(result, input, node_name)
            return result

        op.__name__ = view_op.__name__
        op.__doc__ = view_op.__doc__
        return op

    return decorate


def _reshape_back(input, *args, **kwargs):
    shape = input._data.shape
    return lambda grad: grad.reshape(shape)


def _permute_back(input, *dims):
    order = _sizes_from_args(dims)
    ndim = input._data.ndim
    inverse = [0] * ndim
    for position, dim in enumerate(order):
        inverse[dim % ndim] = position
    return lambda grad: grad.permute(inverse)


def _transpose_back(input, dim0=0, dim1=-1):
    return lambda grad: grad.transpose(dim0, dim1) if grad._data.ndim >= 2 else grad


def _sum_back(input, *args, **kwargs):
    return _pass_through  # the node reduces grad to the input's shape


def _strided(base: Tensor, sizes, strides, offset: int) -> Tensor:
    """A view of ``base`` with explicit sizes, strides and storage offset (elements)."""
    storage = base.untyped_storage()
    backend = base._device._backend
    # An empty view may start past the end of its storage, where NumPy cannot point
    buffer = storage._bytes if 0 not in sizes else backend.empty_bytes(0)
    data = backend.strided_view(buffer, base._dtype._np, tuple(sizes), tuple(strides),
                                offset if 0 not in sizes else 0)
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
            raise RuntimeError(f"invalid shape dimension {n} at index {i} of shape "
                               f"{list(sizes)}")
        else:
            known *= n
    if inferred is not None:
        if known == 0 and numel == 0:
            raise RuntimeError(f"cannot reshape tensor of 0 elements into shape {list(sizes)} "
                               "because the unspecified dimension size -1 can be any value and "
                               "is ambiguous")
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
    # The fast path: NumPy's reshape of row-major data gives PyTorch's strides, unless the
    # last dim has size 1 and another stride (PyTorch scales the new strides by it). To the
    # same shape NumPy keeps the old strides, which dims of size 1 may have odd.
    if data.flags.c_contiguous and data.size and (
            not data.ndim or data.strides[-1] == data.itemsize):
        if sizes == data.shape:
            return _make_view(self, data.reshape(-1).reshape(sizes), self._offset)
        return _make_view(self, data.reshape(sizes), self._offset)
    strides = _view_strides(data.shape, self.stride(), sizes)
    if strides is None:
        return None
    return _strided(self, sizes, strides, self.storage_offset())


@method("view")
def view(self, *shape):
    """The same data seen with another shape (or, given a dtype, another element type)."""
    if len(shape) == 1 and shape[0].__class__ is _dtype_class:
        return _view_dtype(self, shape[0])
    result = _reshaped_view(self, _sizes_from_args(shape))
    if result is None:
        raise RuntimeError("view size is not compatible with input tensor's size and stride "
                           "(at least one dimension spans across two contiguous subspaces). "
                           "Use .reshape(...) instead.")
    if self._requires_grad and _grad_state.enabled:
        record_view(result, self, "ViewBackward0", _reshape_back(self))
    return result


def _view_dtype(self, dtype):
    """``self``'s bytes seen as ``dtype``; with another element size the last dim, which
    must be contiguous, grows or shrinks and the other strides and the offset scale."""
    old_size, new_size = self._dtype.itemsize, dtype.itemsize
    if new_size == old_size:
        view_ = _make_view(self, self._data.view(dtype._np), self._offset)
        view_._dtype = dtype
        view_._base = None  # PyTorch does not count a dtype view as a view of its base
        return view_
    names = f"{self._dtype._legacy_name} as {dtype._legacy_name} (different element sizes)"
    if self._data.ndim == 0:
        raise RuntimeError(f"self.dim() cannot be 0 to view {names}")
    strides = self.stride()
    if strides[-1] != 1:
        raise RuntimeError(f"self.stride(-1) must be 1 to view {names}, but got {strides[-1]}")
    sizes = list(self._data.shape)
    offset = self.storage_offset()
    if new_size < old_size:
        ratio = old_size // new_size
        sizes[-1] *= ratio
        new_strides = [s * ratio for s in strides[:-1]] + [1]
        offset *= ratio
    else:
        ratio = new_size // old_size
        if sizes[-1] % ratio:
            raise RuntimeError(f"self.size(-1) must be divisible by {ratio} to view {names}, "
                               f"but got {sizes[-1]}")
        if offset % ratio:
            raise RuntimeError(f"self.storage_offset() must be divisible by {ratio} to view "
                               f"{names}, but got {offset}")
        for i, stride in enumerate(strides[:-1]):
            if stride % ratio:
                raise RuntimeError(f"self.stride({i}) must be divisible by {ratio} to view "
                                   f"{names}, but got {stride}")
        sizes[-1] //= ratio
        new_strides = [s // ratio for s in strides[:-1]] + [1]
        offset //= ratio
    storage = self.untyped_storage()
    data = self._device._backend.strided_view(storage._bytes, dtype._np, tuple(sizes),
                                             tuple(new_strides), offset)
    view_ = _make_view(self, data, offset)
    view_._dtype = dtype
    view_._base = None
    return view_


@method("view_as")
def view_as(self, other):
    return view(self, other._data.shape)


@method("reshape")
def reshape(input, *shape):
    """``input`` with ``shape``: a view when the strides allow one, else a copy."""
    sizes = _sizes_from_args(shape)
    result = _reshaped_view(input, sizes)
    if result is None:
        input = clone(input, memory_format=contiguous_format)
        result = _make_view(input, input._data.reshape(_infer_size(sizes, input._data.size)),
                            0)
        result._base = None  # a copy's reshape is no view of the caller's tensor
    if input._requires_grad and _grad_state.enabled:
        record_view(result, input, "ViewBackward0" if result._base is not None else
                    "UnsafeViewBackward0", _reshape_back(input))
    return result


@method("reshape_as")
def reshape_as(self, other):
    return reshape(self, other._data.shape)


@method("ravel")
def ravel(input):
    """The elements as one dim: a view of a contiguous tensor, else of a contiguous copy."""
    return view(contiguous(input), -1)


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
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    if sizes.count(-1) == 0 and _product(sizes) != shape[dim]:
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to "
                           f"the size of dim {dim} ({shape[dim]}) in the input tensor")
    return view(input, shape[:dim] + _infer_size(sizes, shape[dim]) + shape[dim + 1:])


@method("squeeze")
@_differentiable_view(lambda dim=None: "SqueezeBackward0" if dim is None else
                      "SqueezeBackward1" if isinstance(dim, int) else "SqueezeBackward2",
                      _reshape_back)
def squeeze(input, dim=None):
    """Drop dims of size one: all of them, or those among ``dim`` (an int or tuple)."""
    data = input._data
    if dim is None:
        dims = tuple(i for i, n in enumerate(data.shape) if n == 1)
    else:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        dims = tuple(_wrap_dim(d, data.ndim) for d in dims)
        for d in dims:
            if dims.count(d) > 1:
                raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
        dims = tuple(d for d in dims if data.ndim and data.shape[d] == 1)
    return _make_view(input, data.squeeze(dims) if dims else data.view(), input._offset)


@method("unsqueeze")
@_differentiable_view("UnsqueezeBackward0", _reshape_back)
def unsqueeze(input, dim: int):
    """Insert a dim of size one at ``dim``."""
    data = input._data
    dim = _wrap_dim(dim, data.ndim + 1)
    shape = data.shape[:dim] + (1,) + data.shape[dim:]
    strides = input.stride()
    new_stride = strides[dim] * data.shape[dim] if dim < data.ndim else 1
    strides = strides[:dim] + (new_stride,) + strides[dim:]
    if data.flags.c_contiguous and data.size:
        # NumPy's reshape gives PyTorch's strides unless a dim of size 1 had another stride
        reshaped = data.reshape(shape)
        itemsize = data.itemsize
        if reshaped.strides == tuple(s * itemsize for s in strides):
            return _make_view(input, reshaped, input._offset)
    return _strided(input, shape, strides, input.storage_offset())


@method("permute")
@_differentiable_view("PermuteBackward0", _permute_back)
def permute(input, *dims):
    if not dims:
        raise TypeError('permute() missing 1 required positional arguments: "dims"')
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
@_differentiable_view("TransposeBackward0", _transpose_back)
def transpose(input, dim0: int, dim1: int):
    data = input._data
    ndim = data.ndim
    dim0, dim1 = _wrap_dim(dim0, ndim), _wrap_dim(dim1, ndim)
    if ndim < 2:
        return _make_view(input, data.view(), input._offset)
    return _make_view(input, data.swapaxes(dim0, dim1), input._offset)


swapaxes = swapdims = transpose


@method("t")
@_differentiable_view("TBackward0", _transpose_back)
def t(input):
    ndim = input._data.ndim
    if ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {ndim}D")
    return _make_view(input, input._data.T, input._offset)


_T_OF_ND_MESSAGE = (
    "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
    "deprecated and it will throw an error in a future release. Consider `x.mT` to transpose "
    "batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the "
    "dimensions of a tensor.")


def _reverse_dims(self):
    ndim = self._data.ndim
    if ndim == 0:
        _warn_once("Tensor.T is deprecated on 0-D tensors. This function is the identity in "
                   "these cases.")
    elif ndim != 2:
        _warn_once(_T_OF_ND_MESSAGE)
    result = _make_view(self, self._data.transpose(), self._offset)
    if self._requires_grad and _grad_state.enabled:
        record_view(result, self, "PermuteBackward0", lambda grad: grad.permute(
            tuple(range(ndim - 1, -1, -1))))
    return result


def _transpose_matrices(input, name: str, conjugate: bool):
    """mT, mH and adjoint: swap the last two dims (conjugating for mH and adjoint); a 0-dim
    tensor is returned as it is, with a warning."""
    ndim = input._data.ndim
    if ndim == 0:
        hint = "Consider using x.conj()." if conjugate else (
            "This function is the identity in these cases.")
        prefix = f"{name} is" if name.endswith(")") else f"Tensor.{name} is"
        _warn_once(f"{prefix} deprecated on 0-D tensors. {hint}", stacklevel=3)
        result = input  # PyTorch returns the tensor itself
    elif ndim == 1:
        raise RuntimeError(f"tensor.{name} is only supported on matrices or batches of matrices."
                           " Got 1-D tensor.")
    else:
        result = transpose(input, -2, -1)
    return result.conj() if conjugate and input._dtype.is_complex else result


Tensor.T = property(_reverse_dims)
Tensor.mT = property(lambda self: _transpose_matrices(self, "mT", False))
Tensor.mH = property(lambda self: _transpose_matrices(self, "mH", True))


@method("adjoint")
def adjoint(input):
    return _transpose_matrices(input, "adjoint()", True)


def _conjugate_transpose(self):
    ndim = self._data.ndim
    if ndim == 0:
        _warn_once("Tensor.H is deprecated on 0-D tensors. Consider using x.conj().")
    elif ndim != 2:
        hint = (" For batches of matrices, consider using tensor.mH" if ndim > 2 else "")
        raise RuntimeError("tensor.H is only supported on matrices (2-D tensors). Got "
                           f"{ndim}-D tensor.{hint}")
    result = transpose(self, 0, 1) if ndim else self  # a 0-D tensor is returned itself
    return result.conj() if self._dtype.is_complex else result


Tensor.H = property(_conjugate_transpose)


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
    for name, dims in (("source", source), ("destination", destination)):
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({list(dims)})")
    order = [None] * ndim
    for s, d in zip(source, destination):
        order[d] = s
    rest = iter(d for d in range(ndim) if d not in source)
    order = tuple(next(rest) if o is None else o for o in order)
    return permute(input, order)


moveaxis = movedim


@method("expand")
@_differentiable_view("ExpandBackward0", _sum_back)
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
    new_sizes, new_strides = list(sizes), [0] * len(sizes)
    # From the last dim back, as PyTorch goes (which decides the error reported): a new
    # leading dim of size 1 gets the stride of one step over the dims after it (0 when there
    # are none).
    for i in range(len(sizes) - 1, -1, -1):
        n = sizes[i]
        if i < lead:
            if n == -1:
                raise RuntimeError(f"The expanded size of the tensor ({n}) isn't allowed in a "
                                   f"leading, non-existing dimension {i}")
            if n == 1:
                new_strides[i] = (new_sizes[i + 1] * new_strides[i + 1]
                                  if i + 1 < len(sizes) else 0)
            continue
        old = shape[i - lead]
        if n == -1 or n == old:
            new_sizes[i] = old
            new_strides[i] = strides[i - lead]
        elif old != 1:
            raise RuntimeError(f"The expanded size of the tensor ({n}) must match the existing "
                               f"size ({old}) at non-singleton dimension {i}.  Target sizes: "
                               f"{list(sizes)}.  Tensor sizes: {list(shape)}")
    if tuple(new_sizes) == shape:
        return _make_view(input, input._data.view(), input._offset)
    if any(n < 0 for n in new_sizes):
        # PyTorch lets other negative sizes through to the element count, which rejects them
        raise RuntimeError("numel: integer multiplication overflow")
    return _strided(input, new_sizes, new_strides, input.storage_offset())


@method("expand_as")
def expand_as(input, other):
    return expand(input, other._data.shape)


def broadcast_to(input, size):
    return expand(input, size)


Tensor.broadcast_to = broadcast_to


@method("as_strided")
@_differentiable_view("AsStridedBackward0", replay=False)
def as_strided(input, size, stride, storage_offset=None):
    size, stride = tuple(size), tuple(stride)
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    if any(s < 0 for s in stride):
        raise RuntimeError("as_strided: Negative strides are not supported at the moment, got "
                           f"strides: {list(stride)}")
    offset = input.storage_offset() if storage_offset is None else storage_offset
    from ember._tensor import _check_in_bounds

    _check_in_bounds(input.untyped_storage(), input._dtype, offset, size, stride)
    return _strided(input, size, stride, offset)


@method("narrow")
@_differentiable_view("SliceBackward0")
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
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size "
                           f"({size}).")
    if not length or not data.size:  # NumPy leaves empty slices at the old address
        strides = input.stride()
        sizes = data.shape[:dim] + (length,) + data.shape[dim + 1:]
        return _strided(input, sizes, strides, input.storage_offset() + start * strides[dim])
    index = (builtins.slice(None),) * dim + (builtins.slice(start, start + length),)
    return _make_view(input, data[index])


@method("select")
@_differentiable_view("SelectBackward0")
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
    if not data.size:  # NumPy does not move an empty view's address; PyTorch does
        strides = input.stride()
        index += size if index < 0 else 0
        return _strided(input, data.shape[:dim] + data.shape[dim + 1:],
                        strides[:dim] + strides[dim + 1:],
                        input.storage_offset() + index * strides[dim])
    return _make_view(input, data[(builtins.slice(None),) * dim + (index, Ellipsis)])


def _record_pieces(name, input, pieces, join):
    """Record ``pieces`` of ``input`` as one node (PyTorch's SplitBackward0 and
    UnbindBackward0): the gradients of the pieces, zeros for unused ones, are joined back."""
    for piece in pieces:  # made under no_grad, they are views of the caller's grad mode
        piece._view_version = (piece._version_counter[0], _grad_state.enabled)
    if input._requires_grad and _grad_state.enabled and pieces:
        record(name, lambda ctx, *grads: join(grads), (input,), pieces)
    return pieces


@method("unbind")
def unbind(input, dim: int = 0):
    dim = _wrap_dim(dim, input._data.ndim)
    with grad_mode.no_grad():
        pieces = tuple(select(input, dim, i) for i in range(input._data.shape[dim]))
    from ember.ops.joining import stack

    return _record_pieces("UnbindBackward0", input, pieces, lambda grads: stack(grads, dim))


@method("split")
def split(tensor, split_size_or_sections, dim: int = 0):
    """Pieces of ``tensor`` along ``dim``: of equal size (the last may be smaller), or of
    the listed sizes."""
    from ember.ops.joining import cat

    with grad_mode.no_grad():
        pieces = _split(tensor, split_size_or_sections, dim)
    dim = _wrap_dim(dim, tensor._data.ndim)
    name = ("SplitBackward0" if isinstance(split_size_or_sections, int)
            else "SplitWithSizesBackward0")
    return _record_pieces(name, tensor, pieces, lambda grads: cat(grads, dim))


def _split(tensor, split_size_or_sections, dim):
    dim = _wrap_dim(dim, tensor._data.ndim)
    size = tensor._data.shape[dim]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step < 0:
            raise RuntimeError(f"split expects split_size be non-negative, but got "
                               f"split_size={step}")
        if step == 0 and size != 0:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got "
                               f"dimension size of {size}")
        starts = range(0, size, step) if size else [0]  # an empty dim still gives one piece
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


@method("split_with_sizes")
def split_with_sizes(input, split_sizes, dim: int = 0):
    """Views of ``input`` along ``dim`` with the sizes ``split_sizes``."""
    return split(input, list(split_sizes), dim)


@method("chunk")
def chunk(input, chunks: int, dim: int = 0):
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " f"{chunks}")
    dim = _wrap_dim(dim, input._data.ndim)
    size = input._data.shape[dim]
    return split(input, max(-(-size // chunks), 1) if size else 0, dim) if size else tuple(
        narrow(input, dim, 0, 0) for _ in range(chunks))


@method("diagonal")
@_differentiable_view("DiagonalBackward0")
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
@_differentiable_view("UnfoldBackward0")
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
    if input._base is not None:
        raise RuntimeError(
            "Can't detach views in-place. Use detach() instead. If you are using "
            "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set as "
            "True, gradients are views of DDP buckets, and hence detach_() cannot be called on "
            "these gradients. To fix this error, please refer to the Optimizer.zero_grad() "
            "function in torch/optim/optimizer.py as the solution.")
    input._grad_fn = None
    input._requires_grad = False
    return input


# --- views scattered back ---------------------------------------------------------------------


def _view_scatter(view_op, node_name):
    """The op that returns a copy of ``input`` (in its layout) with ``src`` written where
    ``view_op(input, *args)`` lies; its gradient is the incoming one with that region
    zeroed for ``input``, and that region for ``src``."""

    def scatter(input, src, *args, **kwargs):
        region = view_op(input.detach(), *args, **kwargs)
        if region._data.shape != src._data.shape:
            raise RuntimeError(f"expected src to have a size equal to the slice of self. src "
                               f"size = {list(src._data.shape)}, slice size = "
                               f"{list(region._data.shape)}")
        with grad_mode.no_grad():
            result = _clone_preserving_strides(input)
            copy_(view_op(result, *args, **kwargs), src)
        if _grad_state.enabled and (input._requires_grad or src._requires_grad):
            record_op(node_name,
                      (lambda grad: scatter(grad, grad.new_zeros(src.shape), *args, **kwargs),
                       lambda grad: view_op(grad, *args, **kwargs)), (input, src), (result,))
        return result

    scatter.__name__ = view_op.__name__ + "_scatter"
    return scatter


def _clone_preserving_strides(input):
    """A copy of ``input`` with its exact strides and offset, over a copy of its whole
    storage (a plain clone where elements overlap)."""
    if has_internal_overlap(input._data):
        return clone(input)
    copy = Tensor().to(input._dtype)
    return copy.set_(input.untyped_storage().clone(), input.storage_offset(),
                     input._data.shape, input.stride())


def _sliced(input, dim: int = 0, start=None, end=None, step: int = 1):
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    dim = _wrap_dim(dim, input._data.ndim)
    return input[(builtins.slice(None),) * dim + (builtins.slice(start, end, step),)]


select_scatter = _view_scatter(select, "SelectScatterBackward0")
diagonal_scatter = _view_scatter(diagonal, "DiagonalScatterBackward0")
_slice_scatter = _view_scatter(_sliced, "SliceScatterBackward0")
Tensor.select_scatter = select_scatter
Tensor.diagonal_scatter = diagonal_scatter


@method("slice_scatter")
def slice_scatter(input, src, dim: int = 0, start=None, end=None, step: int = 1, *, out=None):
    result = _slice_scatter(input, src, dim, start, end, step)
    if out is None:
        return result
    check_out_allowed("slice_scatter", input, src)
    check_out_dtype(out, result._dtype)
    return write_out(out, result.contiguous())  # into a plainly resized out


# --- views in place ---------------------------------------------------------------------------


def _view_in_place(view_op, node_name):
    """The in-place form of ``view_op``: the tensor itself takes the view's sizes, strides
    and offset over the same memory, recorded (when it requires grad) as the node
    ``node_name`` (or the name ``node_name(*args)`` gives)."""

    def view_in_place(self, *args, **kwargs):
        if self._requires_grad and _grad_state.enabled:
            check_inplace_allowed(self)
        result = view_op(self, *args, **kwargs)
        self._data = result._data
        self._offset = result._offset
        self._bump_version()
        if result._grad_fn is not None:
            node = result._grad_fn
            node._name = node_name if node_name.__class__ is str else node_name(*args, **kwargs)
            self._grad_fn = node
            self._output_nr = result._output_nr
        return self

    view_in_place.__name__ = view_op.__name__ + "_"
    return view_in_place


Tensor.t_ = _view_in_place(t, "TBackward1")
Tensor.transpose_ = Tensor.swapaxes_ = Tensor.swapdims_ = _view_in_place(
    transpose, "TransposeBackward1")
Tensor.squeeze_ = _view_in_place(squeeze, lambda dim=None: "SqueezeBackward3" if dim is None
                                 else "SqueezeBackward4" if isinstance(dim, int)
                                 else "SqueezeBackward5")
Tensor.unsqueeze_ = _view_in_place(unsqueeze, "UnsqueezeBackward1")
Tensor.as_strided_ = _view_in_place(as_strided, "AsStridedBackward1")


__all__ = [
    "adjoint", "as_strided", "broadcast_to", "chunk", "diagonal", "flatten",
    "movedim", "moveaxis", "narrow", "permute", "reshape", "select", "split", "squeeze",
    "swapaxes", "swapdims", "t", "transpose", "unbind", "unflatten", "unsqueeze", "detach",
    "ravel", "split_with_sizes", "select_scatter", "slice_scatter", "diagonal_scatter",
]
