"""Clipping gradients by norm or value."""

__all__ = []
