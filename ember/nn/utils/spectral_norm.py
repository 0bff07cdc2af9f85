"""Spectral normalization by hooks (the older interface)."""

__all__ = []
