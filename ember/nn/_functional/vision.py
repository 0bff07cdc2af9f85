"""Resampling images: interpolate, pixel_shuffle, grid_sample, affine_grid."""

__all__ = []
