"""Parameters and buffers: the tensors a Module registers by attribute assignment."""

from __future__ import annotations

__all__ = []
