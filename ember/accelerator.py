"""ember.accelerator: the current accelerator, if any (none: ember computes on the CPU)."""

__all__ = ["is_available", "current_accelerator", "device_count", "current_device_index",
           "synchronize"]

_NO_ACCELERATOR = "Cannot access accelerator device when none is available."


def is_available() -> bool:
    return False


def current_accelerator(check_available: bool = False):
    return None


def device_count() -> int:
    return 0


def current_device_index() -> int:
    raise RuntimeError(_NO_ACCELERATOR)


def synchronize(device=None) -> None:
    raise RuntimeError(_NO_ACCELERATOR)
