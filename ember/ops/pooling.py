"""Pooling as ops: max and average pooling, adaptive pooling, unpooling."""

__all__ = []
