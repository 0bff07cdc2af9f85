"""weight_norm, spectral_norm and orthogonal as parametrizations."""

__all__ = []
