"""Parameters flattened into one vector and back."""

__all__ = []
