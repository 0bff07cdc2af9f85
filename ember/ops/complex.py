"""Complex tensors: their real and imaginary parts, angles, conjugates, and building them."""

from __future__ import annotations

__all__ = []
