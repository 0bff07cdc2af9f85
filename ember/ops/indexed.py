"""Ops at the positions an index vector lists along a dim (index_select, index_add,
index_copy, index_fill, index_put, index_reduce), at a mask's positions (masked_fill,
masked_scatter) and at flat positions (take, put)."""

from __future__ import annotations

__all__ = []
