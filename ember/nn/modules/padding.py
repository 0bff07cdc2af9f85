"""Padding layers: zero, constant, reflection, replication and circular, over ``F.pad``."""

from __future__ import annotations

from collections.abc import Sequence

from ember.nn import functional as F
from ember.nn.modules.module import Module

__all__ = ["CircularPad1d", "CircularPad2d", "CircularPad3d", "ConstantPad1d", "ConstantPad2d",
           "ConstantPad3d", "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d",
           "ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d", "ZeroPad1d",
           "ZeroPad2d", "ZeroPad3d"]


def _expanded(padding: int | Sequence[int], dims: int) -> tuple:
    """``padding`` as (left, right, top, bottom, front, back) for ``dims`` dimensions: one
    int pads every side."""
    if isinstance(padding, Sequence):
        return tuple(padding)
    return (padding,) * (2 * dims)


class _PadNd(Module):
    """A padding layer: ``padding`` (one int, or two ints per padded dimension, the last
    dimension first) applied by ``F.pad`` in ``mode``."""

    __constants__ = ["padding"]
    mode = "constant"
    dims = 1

    def __init__(self, padding: int | Sequence[int]) -> None:
        super().__init__()
        self.padding = _expanded(padding, self.dims)

    def forward(self, input):
        return F.pad(input, self.padding, self.mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    __constants__ = ["padding", "value"]

    def __init__(self, padding: int | Sequence[int], value: float) -> None:
        super().__init__(padding)
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pad the last dimension of ``(C, W)`` or ``(N, C, W)`` with ``value``."""

    dims = 1


class ConstantPad2d(_ConstantPadNd):
    """Pad the last two dimensions of ``(C, H, W)`` or ``(N, C, H, W)`` with ``value``."""

    dims = 2


class ConstantPad3d(_ConstantPadNd):
    """Pad the last three dimensions of ``(C, D, H, W)`` or ``(N, C, D, H, W)`` with
    ``value``."""

    dims = 3


class _ZeroPad:
    """A constant padding with zeros, printed without its value."""

    def __init__(self, padding: int | Sequence[int]) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad1d(_ZeroPad, ConstantPad1d):
    """Pad the last dimension with zeros."""


class ZeroPad2d(_ZeroPad, ConstantPad2d):
    """Pad the last two dimensions with zeros."""


class ZeroPad3d(_ZeroPad, ConstantPad3d):
    """Pad the last three dimensions with zeros."""


class ReflectionPad1d(_PadNd):
    """Pad the last dimension with its reflection (the edge not repeated)."""

    mode, dims = "reflect", 1


class ReflectionPad2d(_PadNd):
    """Pad the last two dimensions with their reflection."""

    mode, dims = "reflect", 2


class ReflectionPad3d(_PadNd):
    """Pad the last three dimensions with their reflection."""

    mode, dims = "reflect", 3


class ReplicationPad1d(_PadNd):
    """Pad the last dimension by repeating its edge values."""

    mode, dims = "replicate", 1


class ReplicationPad2d(_PadNd):
    """Pad the last two dimensions by repeating their edge values."""

    mode, dims = "replicate", 2


class ReplicationPad3d(_PadNd):
    """Pad the last three dimensions by repeating their edge values."""

    mode, dims = "replicate", 3


class _CircularPadNd(_PadNd):
    mode = "circular"

    def forward(self, input):
        if input.dim() not in (self.dims + 1, self.dims + 2):
            raise ValueError(f"expected {self.dims + 1}D or {self.dims + 2}D input (got "
                             f"{input.dim()}D input)")
        return super().forward(input)


class CircularPad1d(_CircularPadNd):
    """Pad the last dimension with values from its other end (periodic)."""

    dims = 1


class CircularPad2d(_CircularPadNd):
    """Pad the last two dimensions with values from their other ends (periodic)."""

    dims = 2


class CircularPad3d(_CircularPadNd):
    """Pad the last three dimensions with values from their other ends (periodic)."""

    dims = 3
