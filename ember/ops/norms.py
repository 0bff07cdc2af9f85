"""Norms: torch.norm over numbers, 'fro' and 'nuc', dist between tensors, and renorm."""

from __future__ import annotations

__all__ = []
