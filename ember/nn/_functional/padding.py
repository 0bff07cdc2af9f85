"""``pad``: constant, reflect, replicate and circular padding."""

from __future__ import annotations

import ember
from ember.nn._functional._common import (
    _recorded,
)

__all__ = ["pad"]


def _pairs(pad, ndim):
    """``pad`` (last dimension first) as ``{dim: (left, right)}``."""
    return {ndim - 1 - i: (pad[2 * i], pad[2 * i + 1]) for i in range(len(pad) // 2)}


def _constant_pad(input, pad, value):
    pairs = _pairs(pad, input.dim())
    shape = list(input.shape)
    for dim, (left, right) in pairs.items():
        shape[dim] += left + right
        if shape[dim] < 0:
            raise RuntimeError("narrow(): length must be non-negative.")
    with ember.no_grad():
        result = ember.full(shape, value, dtype=input.dtype)
        source, target = input, result
        for dim, (left, right) in pairs.items():
            source = source.narrow(dim, max(-left, 0),
                                   input.shape[dim] - max(-left, 0) - max(-right, 0))
            target = target.narrow(dim, max(left, 0), source.shape[dim])
        target.copy_(source)
    negated = [-p for p in pad]
    return _recorded("ConstantPadNdBackward0", result, (input,),
                     (lambda grad: _constant_pad(grad, negated, 0),), None)


def _index_pad(input, pad, mode):
    pairs = _pairs(pad, input.dim())
    indices = {}
    for dim, (left, right) in pairs.items():
        n = input.shape[dim]
        if mode == "reflect" and (left >= n or right >= n):
            raise RuntimeError(f"Argument #4: Padding size should be less than the "
                               f"corresponding input dimension, but got: padding ({left}, "
                               f"{right}) at dimension {dim} of input {list(input.shape)}")
        if mode == "replicate" and n == 0:
            raise RuntimeError("input tensor must have non-zero size in padded dimensions")
        positions = ember.arange(-left, n + right)
        if mode == "reflect":
            positions = positions.abs()
            positions = ember.where(positions > n - 1, 2 * (n - 1) - positions, positions)
        else:
            positions = positions.clamp(0, n - 1)
        indices[dim] = positions
    with ember.no_grad():
        result = input
        for dim, positions in indices.items():
            result = result.index_select(dim, positions)
    shape = input.shape

    def formula(grad):
        for dim in reversed(list(indices)):
            sizes = list(grad.shape)
            sizes[dim] = shape[dim]
            grad = ember.zeros(sizes, dtype=grad.dtype).index_add(dim, indices[dim], grad)
        return grad
    kind = "ReflectionPad" if mode == "reflect" else "ReplicationPad"
    return _recorded(f"{kind}{len(pairs)}DBackward0", result, (input,), (formula,), None)


def _circular_pad(input, pad):
    pairs = _pairs(pad, input.dim())
    out_shape = list(input.shape)
    for dim, (left, right) in pairs.items():
        if left > input.shape[dim] or right > input.shape[dim]:
            raise RuntimeError("Padding value causes wrapping around more than once.")
        out_shape[dim] += left + right
    out = ember.empty(out_shape, dtype=input.dtype)
    out_slice, in_slice = out, input
    for dim, (left, right) in pairs.items():
        out_slice = out_slice.narrow(dim, max(left, 0),
                                     out_shape[dim] - max(left, 0) - max(right, 0))
        in_slice = in_slice.narrow(dim, max(-left, 0),
                                   input.shape[dim] - max(-left, 0) - max(-right, 0))
    out_slice.copy_(in_slice)
    for dim in sorted(pairs, reverse=True):
        left, right = pairs[dim]
        size = out_shape[dim]
        if left > 0:
            out.narrow(dim, 0, left).copy_(
                out.narrow(dim, size - left - max(right, 0), left))
        if right > 0:
            out.narrow(dim, size - right, right).copy_(out.narrow(dim, max(left, 0), right))
    return out


def pad(input, pad, mode="constant", value=None):
    """Pad the last ``len(pad) // 2`` dimensions: constant, reflect, replicate or circular."""
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input.dim():
        raise RuntimeError(f"Padding length should be less than or equal to two times the "
                           f"input dimension but got padding length {len(pad)} and input of "
                           f"dimension {input.dim()}")
    if mode == "constant":
        return _constant_pad(input, list(pad), 0.0 if value is None else value)
    if value is not None and value != 0:
        raise RuntimeError(f"Padding mode \"{mode}\" doesn't take in value argument")
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    count = len(pad) // 2
    if not (1 <= count <= 3 and count + 1 <= input.dim() <= count + 2):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {input.dim()}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    if mode == "circular":
        return _circular_pad(input, list(pad))
    return _index_pad(input, list(pad), mode)
