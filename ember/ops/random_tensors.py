"""Tensors of random numbers: rand, randn, randint and their _like forms, drawn from the
default generator or a given one (see Note [Matching PyTorch's CPU stream] in ember/random.py)."""

from __future__ import annotations

__all__ = []
