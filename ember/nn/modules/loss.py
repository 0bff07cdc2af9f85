"""Loss layers, each over its function in ``ember.nn.functional``."""

__all__ = []
