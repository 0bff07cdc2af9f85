"""``ember.nn.functional``: the functions behind the layers, as ``torch.nn.functional``."""

from __future__ import annotations

__all__ = []
