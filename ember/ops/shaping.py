"""Shape ops that copy: flips, rolls, repeats, triangles and diagonals, splits and
combinations of tensors."""

from __future__ import annotations

__all__ = []
