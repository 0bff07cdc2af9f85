"""Linear layers: Identity, Linear, Bilinear, LazyLinear."""

from __future__ import annotations

from ember.nn.modules.module import Module

__all__ = ["Identity"]


class Identity(Module):
    """Returns its input; any constructor arguments are ignored."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__()

    def forward(self, input):
        return input
