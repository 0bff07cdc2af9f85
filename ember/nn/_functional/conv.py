"""Convolution's functions: conv*, conv_transpose*, unfold, fold."""

__all__ = []
