"""Sorting and selection: sort, topk, kthvalue, unique, searchsorted, histograms."""

from __future__ import annotations

__all__ = []
