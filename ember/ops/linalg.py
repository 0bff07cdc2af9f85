"""Linear algebra: decompositions, solvers, inverses, norms, with their gradients."""

from __future__ import annotations

__all__ = []
