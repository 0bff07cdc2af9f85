"""Cumulative ops along a dim (cumsum, cumprod, cummax, cummin, logcumsumexp) and diff."""

from __future__ import annotations

__all__ = []
