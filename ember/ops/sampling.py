"""Sampling from distributions with the default generator or a given one: normal, bernoulli,
multinomial, poisson, randperm and the in-place samplers of Tensor."""

from __future__ import annotations

__all__ = []
