"""Packed and padded sequences for the recurrent layers."""

__all__ = []
