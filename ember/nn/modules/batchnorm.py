"""BatchNorm1d/2d/3d: normalization over the batch, with running statistics."""

__all__ = []
