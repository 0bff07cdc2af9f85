"""Convolution's functions: conv*, conv_transpose*, unfold, fold."""

from __future__ import annotations

import math

import ember
from ember.ops.convolution import (
    col2im,
    conv1d,
    conv2d,
    conv3d,
    conv_transpose1d,
    conv_transpose2d,
    conv_transpose3d,
    im2col,
)

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d", "unfold", "fold"]

_NAMES = {"kernel_size": ("kernel size should be greater than zero", "kernel", 0),
          "dilation": ("dilation should be greater than zero", "dilation", 0),
          "padding": ("padding should be non-negative", "pad", -1),
          "stride": ("stride should be greater than zero", "stride", 0)}


def _pair(name, value):
    """An int or a 2-sequence as a pair, with torch's error for another length."""
    if isinstance(value, int):
        return (value, value)
    value = tuple(value)
    if len(value) != 2:
        raise RuntimeError(f"It is expected {name} equals to 2, but got size {len(value)}")
    return value


def _block_arguments(kernel_size, dilation, padding, stride):
    """The four pairs of unfold / fold, checked in torch's order."""
    pairs = {"kernel_size": _pair("kernel_size", kernel_size),
             "dilation": _pair("dilation", dilation),
             "padding": _pair("padding", padding), "stride": _pair("stride", stride)}
    for name, (height, width) in pairs.items():
        message, label, floor = _NAMES[name]
        if height <= floor or width <= floor:
            raise RuntimeError(f"{message}, but got {label}_height: {height} {label}_width: "
                               f"{width}")
    return pairs


def _blocks(size, pairs):
    """How many sliding blocks fit along each spatial dim of ``size``."""
    return tuple((n + 2 * p - (d * (k - 1) + 1)) // s + 1 for n, k, d, p, s in zip(
        size, pairs["kernel_size"], pairs["dilation"], pairs["padding"], pairs["stride"]))


def _geometry(pairs):
    return (pairs["stride"], tuple((p, p) for p in pairs["padding"]), pairs["dilation"], 1)


def _check_floating(kernel, dtype):
    if not (dtype.is_floating_point or dtype.is_complex or dtype is ember.bool):
        raise NotImplementedError(f'"{kernel}" not implemented for \'{dtype._legacy_name}\'')


def _text(pair):
    return f"({pair[0]}, {pair[1]})"


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """The sliding local blocks of ``input`` (N, C, H, W) as columns (N, C * kH * kW, L),
    L the number of blocks (im2col).

    Shape:
        Input ``(N, C, H, W)`` or ``(C, H, W)``; output ``(N, C * prod(kernel_size), L)``."""
    pairs = _block_arguments(kernel_size, dilation, padding, stride)
    if input.dim() == 2:
        raise IndexError("Dimension out of range (expected to be in range of [-2, 1], but got "
                         "2)")
    if input.dim() not in (3, 4) or 0 in input.shape[-3:]:
        raise RuntimeError("Expected 3D or 4D (batch mode) tensor with possibly 0 batch size "
                           f"and other non-zero dimensions for input, but got: "
                           f"{list(input.shape)}")
    _check_floating("im2col_out_cpu", input.dtype)
    blocks = _blocks(input.shape[-2:], pairs)
    if min(blocks) < 1:
        raise RuntimeError(
            f"Given input with spatial size {_text(input.shape[-2:])}, kernel_size="
            f"{_text(pairs['kernel_size'])}, dilation={_text(pairs['dilation'])}, padding="
            f"{_text(pairs['padding'])}, calculated shape of the array of sliding blocks as "
            f"{_text(blocks)}, but its components must be at least one.")
    return im2col(input, _geometry(pairs), pairs["kernel_size"], blocks)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Columns of sliding blocks (N, C * kH * kW, L) summed back into an image
    (N, C, *output_size) (col2im: the adjoint of :func:`unfold`).

    Shape:
        Input ``(N, C * prod(kernel_size), L)`` or ``(C * prod(kernel_size), L)``; output
        ``(N, C, *output_size)``."""
    size = _pair("output_size", output_size)
    pairs = _block_arguments(kernel_size, dilation, padding, stride)
    if input.dim() not in (2, 3) or 0 in input.shape[-2:]:
        raise RuntimeError("Expected 2D or 3D (batch mode) tensor for input with possibly 0 "
                           "batch size and non-zero dimensions for input, but got: "
                           f"{list(input.shape)}")
    rows, columns = input.shape[-2:]
    taps = math.prod(pairs["kernel_size"])
    if rows % taps:
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product "
                           f"of kernel_size, but got input.size(1)={rows} and kernel_size="
                           f"{_text(pairs['kernel_size'])}.")
    blocks = _blocks(size, pairs)
    if blocks[0] * blocks[1] != columns:
        raise RuntimeError(
            f"Given output_size={_text(size)}, kernel_size={_text(pairs['kernel_size'])}, "
            f"dilation={_text(pairs['dilation'])}, padding={_text(pairs['padding'])}, stride="
            f"{_text(pairs['stride'])}, expected size of input's dimension 2 to match the "
            f"calculated number of sliding blocks {blocks[0]} * {blocks[1]} = "
            f"{blocks[0] * blocks[1]}, but got input.size(2)={columns}.")
    _check_floating("col2im_out_cpu", input.dtype)
    return col2im(input, _geometry(pairs), pairs["kernel_size"], size, blocks)
