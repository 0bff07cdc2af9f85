"""Numerical routines over samples: sample covariance and correlation, numerical gradients,
Vandermonde matrices, set membership and index unravelling."""

from __future__ import annotations

__all__ = []
