"""Elementary functions, elementwise: exponentials and logarithms, trigonometric and
hyperbolic functions and their inverses, rounding."""

from __future__ import annotations

__all__ = []
