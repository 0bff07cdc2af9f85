"""InstanceNorm1d/2d/3d: normalization over each sample's channel."""

__all__ = []
