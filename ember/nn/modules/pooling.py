"""Pooling layers: max, average, adaptive, unpooling."""

__all__ = []
