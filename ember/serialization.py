"""Serialization: ember.save / ember.load in PyTorch's file format."""

__all__ = []
