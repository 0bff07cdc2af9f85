"""Dropout layers: active in training mode, the identity in eval mode. Masks come from the
global generator exactly as torch draws them, so a seed gives torch's masks."""

from __future__ import annotations

from ember.nn import functional as F
from ember.nn.modules.module import Module

__all__ = [
    "Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout",
]


class _DropoutNd(Module):
    """Holds the drop probability ``p`` and ``inplace``; ``forward`` applies ``function``
    in training mode."""

    __constants__ = ["p", "inplace"]
    function = None

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input):
        return type(self).function(input, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """Zeroes each element with probability ``p`` and scales the rest by ``1 / (1 - p)``.

    Example::

        >>> ember.nn.Dropout(0.5).eval()(ember.ones(2))
        tensor([1., 1.])
    """

    function = F.dropout


class Dropout1d(_DropoutNd):
    """Zeroes whole channels of ``(N, C, L)`` or ``(C, L)`` inputs."""

    function = F.dropout1d


class Dropout2d(_DropoutNd):
    """Zeroes whole channels of ``(N, C, H, W)`` inputs."""

    function = F.dropout2d


class Dropout3d(_DropoutNd):
    """Zeroes whole channels of ``(N, C, D, H, W)`` or ``(C, D, H, W)`` inputs."""

    function = F.dropout3d


class AlphaDropout(_DropoutNd):
    """Dropout that keeps a SELU network's mean and variance: dropped elements take SELU's
    negative saturation value, then an affine map restores the statistics."""

    function = F.alpha_dropout


class FeatureAlphaDropout(_DropoutNd):
    """Alpha dropout of whole channels."""

    function = F.feature_alpha_dropout
