"""Ops that combine or split tensors into new shapes: block diagonals, cartesian products,
combinations, meshgrids, broadcasting, stacking by columns and depth, splits into views,
Kronecker and cross products, pairwise distances."""

from __future__ import annotations

__all__ = []
