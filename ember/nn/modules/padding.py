"""Padding layers: zero, constant, reflection, replication and circular."""

__all__ = []
