"""Order statistics: median, mode and quantiles, along a dim or over all elements."""

from __future__ import annotations

__all__ = []
