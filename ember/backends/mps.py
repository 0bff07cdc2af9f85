"""ember.backends.mps: Apple's Metal devices, which ember does not drive."""

__all__ = ["is_available", "is_built"]


def is_available() -> bool:
    return False


def is_built() -> bool:
    return False
