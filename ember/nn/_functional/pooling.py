"""Pooling: max, average, adaptive, unpooling."""

__all__ = []
