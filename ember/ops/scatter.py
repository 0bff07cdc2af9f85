"""Gather and scatter: ops that read or write a tensor's elements at positions given by an
index tensor or a mask."""

from __future__ import annotations

__all__ = []
