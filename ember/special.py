"""``ember.special``: special functions, as ``torch.special``."""

__all__ = []
