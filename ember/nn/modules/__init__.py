"""Modules: the Module base class and the layers built on it."""

__all__ = []
