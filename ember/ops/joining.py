"""Joining tensors: cat, stack and their variants."""

from __future__ import annotations

from ember import _dtype
from ember.backends import cpu as _cpu
from ember.ops._autograd import check_out_allowed, needs_grad, record_op
from ember.ops._common import Tensor, _wrap_dim, check_same_device, finish, write_out


def _tensors(tensors, name):
    if isinstance(tensors, Tensor) or not hasattr(tensors, "__iter__"):
        raise TypeError(f"{name}(): argument 'tensors' (position 1) must be tuple of Tensors, "
                        f"not {type(tensors).__name__}")
    tensors = list(tensors)
    for position, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {position} in argument 0, "
                            f"but got {type(t).__name__}")
    if not tensors:
        if name == "stack":
            raise RuntimeError("stack expects a non-empty TensorList")
        raise ValueError(f"torch.{name}(): expected a non-empty list of Tensors")
    check_same_device(*tensors)
    return tensors


def cat(tensors, dim: int = 0, *, out=None):
    """Join ``tensors`` along the existing dim ``dim``; 1-D empty tensors are skipped."""
    tensors = _tensors(tensors, "cat")
    dtype = _promoted(tensors)
    joined = [t for t in tensors if t._data.shape != (0,)] or tensors[:1]
    reference = joined[0]._data
    if reference.ndim == 0:
        raise RuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
    dim = _wrap_dim(dim, reference.ndim)
    for position, t in enumerate(joined):
        shape = t._data.shape
        if len(shape) != reference.ndim:
            raise RuntimeError(f"Tensors must have same number of dimensions: got "
                               f"{reference.ndim} and {len(shape)}")
        for d, (n, m) in enumerate(zip(reference.shape, shape)):
            if d != dim and n != m:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {dim}. "
                                   f"Expected size {n} but got size {m} for tensor number "
                                   f"{position} in the list.")
    result = _concatenated([t._data for t in joined], dim, dtype, out, tensors[0]._device)
    if out is not None:
        check_out_allowed("cat", *tensors)
        return write_out(out, result)
    if needs_grad(*tensors):
        joined_ids = {id(t) for t in joined}
        formulas, start = [], 0
        for t in tensors:
            if id(t) in joined_ids:  # the skipped empty tensors get no gradient
                length = t._data.shape[dim]
                formulas.append(_piece_grad(dim, start, length))
                start += length
            else:  # a skipped empty tensor gets an empty gradient
                formulas.append(_empty_grad)
        record_op("CatBackward0", formulas, tensors, (result,))
    return result


def _promoted(tensors):
    dtype = tensors[0]._dtype
    for t in tensors[1:]:
        dtype = _dtype.promote_types(dtype, t._dtype)
    return dtype


def _concatenated(arrays, dim, dtype, out, device):
    """The backend ``arrays`` joined along ``dim`` into a new row-major tensor of ``dtype``
    (whatever the pieces' layouts, as PyTorch allocates it)."""
    if isinstance(out, Tensor) and not _dtype.can_cast(dtype, out._dtype):
        raise TypeError(f"torch.cat(): input types can't be cast to the desired output type "
                        f"{out._dtype._legacy_name}")
    if all(a.flags.c_contiguous for a in arrays):
        data = _cpu.concatenate(arrays, axis=dim, dtype=dtype._np)
    else:
        shape = list(arrays[0].shape)
        shape[dim] = sum(a.shape[dim] for a in arrays)
        data = _cpu.empty(shape, dtype._np)
        _cpu.concatenate(arrays, axis=dim, out=data)
    return finish(data, dtype, device)


def _empty_grad(grad):
    return grad.new_zeros(0)


def _piece_grad(dim, start, length):
    return lambda grad: grad.narrow(dim, start, length)


concat = concatenate = cat


def stack(tensors, dim: int = 0, *, out=None):
    """Join equally shaped ``tensors`` along a new dim ``dim``."""
    tensors = _tensors(tensors, "stack")
    shape = tensors[0]._data.shape
    for position, t in enumerate(tensors):
        if t._data.shape != shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{list(shape)} at entry 0 and {list(t._data.shape)} at entry "
                               f"{position}")
    dim = _wrap_dim(dim, len(shape) + 1)
    if out is not None:
        check_out_allowed("stack", *tensors)
    result = _concatenated([_cpu.expand_dims(t._data, dim) for t in tensors], dim,
                           _promoted(tensors), out, tensors[0]._device)
    if out is not None:
        return write_out(out, result)
    if needs_grad(*tensors):
        record_op("StackBackward0", [_slice_grad(dim, i) for i in range(len(tensors))],
                  tensors, (result,))
    return result


def _slice_grad(dim, index):
    return lambda grad: grad.select(dim, index)


def hstack(tensors, *, out=None):
    tensors = [t if t._data.ndim else t.reshape(1) for t in _tensors(tensors, "hstack")]
    return cat(tensors, 0 if tensors[0]._data.ndim == 1 else 1, out=out)


def vstack(tensors, *, out=None):
    tensors = [t.reshape(1, -1) if t._data.ndim < 2 else t
               for t in _tensors(tensors, "vstack")]
    return cat(tensors, 0, out=out)


row_stack = vstack
