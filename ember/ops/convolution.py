"""Convolution as an op: conv1d/2d/3d and conv_transpose1d/2d/3d over im2col and BLAS."""

__all__ = []
