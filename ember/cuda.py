"""ember.cuda: what CUDA devices this process can use. ember has no CUDA backend, so it
answers as a CPU-only build of PyTorch does: nothing is available, queries that need a device
raise AssertionError, and seeding or freeing memory quietly does nothing."""

__all__ = ["is_available", "device_count", "is_initialized", "init", "current_device",
           "synchronize", "get_device_name", "get_device_properties", "get_device_capability",
           "is_bf16_supported", "empty_cache", "memory_allocated", "max_memory_allocated",
           "memory_reserved", "manual_seed", "manual_seed_all", "seed", "seed_all",
           "initial_seed"]


def _not_compiled():
    return AssertionError("Torch not compiled with CUDA enabled")


def is_available() -> bool:
    return False


def device_count() -> int:
    return 0


def is_initialized() -> bool:
    return False


def is_bf16_supported(including_emulation: bool = True) -> bool:
    return False


def init() -> None:
    raise _not_compiled()


def current_device() -> int:
    raise _not_compiled()


def synchronize(device=None) -> None:
    raise _not_compiled()


def get_device_name(device=None) -> str:
    raise _not_compiled()


def get_device_properties(device=None):
    raise _not_compiled()


def get_device_capability(device=None):
    raise _not_compiled()


def initial_seed() -> int:
    raise _not_compiled()


def empty_cache() -> None:
    """Frees cached GPU memory; there is none."""


def memory_allocated(device=None) -> int:
    return 0


def max_memory_allocated(device=None) -> int:
    return 0


def memory_reserved(device=None) -> int:
    return 0


def manual_seed(seed: int) -> None:
    """Seeds the current CUDA generator; there is none, so only the seed's type is checked."""
    int(seed)


def manual_seed_all(seed: int) -> None:
    """Seeds every CUDA generator; there are none, so only the seed's type is checked."""
    int(seed)


def seed() -> None:
    """Seeds the current CUDA generator randomly; there is none."""


def seed_all() -> None:
    """Seeds every CUDA generator randomly; there are none."""
