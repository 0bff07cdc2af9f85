"""Copies: clone and contiguous in a memory format, copy_ between tensors (broadcasting,
converting, refusing overlapping memory), and the layout questions they answer
(non-overlapping and dense, contiguous in a format)."""

from __future__ import annotations

from ember._size import channels_last, channels_last_3d, contiguous_format, preserve_format
from ember._tensor import Tensor, _is_contiguous, _make, _warn_once
from ember.autograd import grad_mode
from ember.ops._autograd import inplace_with_grad, record_op
from ember.ops._common import broadcast_shape, check_no_internal_overlap, method
from ember.ops._layout import _layout_order, _strides_in_order

_grad_state = grad_mode.state


def _pass_through(grad):
    return grad


def _non_overlapping_and_dense(sizes, strides) -> bool:
    """Whether the elements fill a block of memory exactly once, in some order of the dims
    (dims of size 1 take no part; a tensor without elements counts as dense)."""
    if 0 in sizes:
        return True
    expected = 1
    for stride, size in sorted((s, n) for n, s in zip(sizes, strides) if n > 1):
        if stride != expected:
            return False
        expected *= size
    return True


def _memory_format_order(memory_format, ndim: int):
    """The innermost-first dim order of a channels-last format, or None for row-major."""
    if memory_format is None or memory_format is contiguous_format or (
            memory_format is preserve_format):
        return None
    if memory_format is channels_last:
        if ndim != 4:
            raise RuntimeError("required rank 4 tensor to use channels_last format")
        return [1, 3, 2, 0]
    if memory_format is channels_last_3d:
        if ndim != 5:
            raise RuntimeError("required rank 5 tensor to use channels_last_3d format")
        return [1, 4, 3, 2, 0]
    raise TypeError(f"argument 'memory_format' must be torch.memory_format, not "
                    f"{type(memory_format).__name__}")


def _copy_with_strides(input: Tensor, strides) -> Tensor:
    """A copy of ``input`` into fresh memory laid out with ``strides`` (a dense layout)."""
    backend = input._device._backend
    data = input._data
    sizes = data.shape
    buffer = backend.empty_bytes(data.size * data.itemsize)
    copy = backend.strided_view(buffer, data.dtype, sizes, tuple(strides), 0)
    backend.copyto(copy, data)
    result = _make(copy, input._dtype, input._device)
    result._data = copy  # keeps an empty copy's strides, which _make would reset
    return result


@method("clone")
def clone(input, *, memory_format=None):
    """A copy with its own storage. By default it keeps ``input``'s layout: the same strides
    when ``input`` is dense, else dense strides in the order of ``input``'s."""
    result = _clone(input, memory_format)
    if input._requires_grad and _grad_state.enabled:
        record_op("CloneBackward0", (_pass_through,), (input,), (result,))
    return result


def _clone(input, memory_format):
    data = input._data
    if memory_format is None or memory_format is preserve_format:
        copy = data.copy(order="K")
        if copy.strides == data.strides:
            result = _make(copy, input._dtype, input._device)
            result._data = copy  # the source's strides even when empty, which _make resets
            return result
        sizes, strides = data.shape, input.stride()
        if not _non_overlapping_and_dense(sizes, strides):
            strides = _strides_in_order(sizes, _layout_order(sizes, strides))
        return _copy_with_strides(input, strides)
    order = _memory_format_order(memory_format, data.ndim)
    if order is None:
        return _make(data.copy(order="C"), input._dtype, input._device)
    return _copy_with_strides(input, _strides_in_order(data.shape, order))


def _is_contiguous_in_format(input: Tensor, memory_format) -> bool:
    """``input.is_contiguous(memory_format)`` for a format other than row-major."""
    try:
        order = _memory_format_order(memory_format, input._data.ndim)
    except RuntimeError:  # a channels-last format on a tensor of another rank
        return False
    if order is None:
        return _is_contiguous(input._data.shape, input.stride())
    sizes, strides = input._data.shape, input.stride()
    expected = 1
    for dim in order:
        if sizes[dim] != 1:
            if strides[dim] != expected:
                return False
            expected *= sizes[dim]
    return True


@method("contiguous")
def contiguous(input, memory_format=contiguous_format):
    if input.is_contiguous(memory_format):
        return input
    return clone(input, memory_format=memory_format)


def _overlap(a, b) -> str:
    """How the memory of arrays ``a`` and ``b`` overlaps, as PyTorch judges it: "full" (the
    same elements), "partial", "none", or "unknown" when either has gaps or overlaps."""
    if not a.size or not b.size:
        return "none"
    itemsize_a, itemsize_b = a.itemsize, b.itemsize
    strides_a = tuple(s // itemsize_a for s in a.strides)
    strides_b = tuple(s // itemsize_b for s in b.strides)
    if not (_non_overlapping_and_dense(a.shape, strides_a)
            and _non_overlapping_and_dense(b.shape, strides_b)):
        return "unknown"
    start_a = a.__array_interface__["data"][0]
    start_b = b.__array_interface__["data"][0]
    end_a, end_b = start_a + a.size * itemsize_a, start_b + b.size * itemsize_b
    if start_a == start_b and end_a == end_b:
        return "full" if strides_a == strides_b else "partial"
    return "partial" if start_a < end_b and start_b < end_a else "none"


_OVERLAP_MESSAGE = ("unsupported operation: some elements of the input tensor and the "
                    "written-to tensor refer to a single memory location. Please clone() the "
                    "tensor before performing the operation.")


@method("copy_")
def copy_(self, src, non_blocking: bool = False):
    """Copy ``src`` into ``self``, broadcasting it and converting its dtype."""
    if not isinstance(src, Tensor):
        raise TypeError(f"copy_(): argument 'other' (position 1) must be Tensor, not "
                        f"{type(src).__name__}")
    if _grad_state.enabled and (self._requires_grad or src._requires_grad):
        return inplace_with_grad(self, lambda old: _copied(old, src))
    return _copy_into(self, src)


def _copied(old, src):
    """What ``old.copy_(src)`` leaves in ``old``, out of place, recorded in the graph."""
    with grad_mode.no_grad():
        result = _copy_into(_clone(old, None), src)
    record_op("torch::autograd::CopyBackwards", (lambda grad: grad * 0, _pass_through),
              (old, src), (result,))
    return result


def _copy_into(self, src):
    target, source = self._data, src._data
    backend = self._device._backend
    check_no_internal_overlap(self)
    if src is not self:
        if backend.may_share_memory(target, source) and _overlap(target, source) == "partial":
            raise RuntimeError(_OVERLAP_MESSAGE)
        if target.shape != source.shape:
            shape = broadcast_shape(target.shape, source.shape)
            if shape != target.shape:
                raise RuntimeError(f"output with shape {list(target.shape)} doesn't match the "
                                   f"broadcast shape {list(shape)}")
        if src._dtype.is_complex and not self._dtype.is_complex:
            _warn_once("Casting complex values to real discards the imaginary part")
            source = source.real
        backend.copyto(target, source, casting="unsafe")
    self._bump_version()
    return self


__all__ = ["clone"]
