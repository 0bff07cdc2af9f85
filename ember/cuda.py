"""ember.cuda: what CUDA devices this process can use (none until a GPU backend exists)."""

__all__ = ["is_available", "device_count", "manual_seed", "manual_seed_all",
           "current_device", "synchronize"]


def is_available() -> bool:
    return False


def device_count() -> int:
    return 0


def manual_seed(seed: int) -> None:
    """Seeds CUDA generators; there are none, so this does nothing, as in PyTorch."""


def manual_seed_all(seed: int) -> None:
    """Seeds every CUDA generator; there are none, so this does nothing, as in PyTorch."""


def current_device() -> int:
    raise RuntimeError("Torch not compiled with CUDA enabled")


def synchronize(device=None) -> None:
    raise RuntimeError("Torch not compiled with CUDA enabled")
