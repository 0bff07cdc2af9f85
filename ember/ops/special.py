"""Special functions: the error and gamma function families and their relatives, with
kernels written over NumPy (which has none of them)."""

from __future__ import annotations

__all__ = []
