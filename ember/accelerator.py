"""ember.accelerator: the current accelerator, if any (none: ember computes on the CPU)."""

__all__ = ["is_available", "current_accelerator", "device_count"]


def is_available() -> bool:
    return False


def current_accelerator(check_available: bool = False):
    return None


def device_count() -> int:
    return 0
