"""Parametrizations: a tensor of a module computed from others on each access."""

__all__ = []
