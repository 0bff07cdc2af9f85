"""Random number generation: the default generator, seeding, and Generator objects."""

from __future__ import annotations

import time

from ember.backends import cpu as _cpu

__all__ = ["Generator", "manual_seed", "seed", "initial_seed", "get_rng_state",
           "set_rng_state", "default_generator"]

_DEFAULT_SEED = 67280421310721  # PyTorch's default CPU seed


class Generator:
    """A source of random numbers with its own seed and state."""

    def __init__(self, device="cpu"):
        from ember._device import _CPU
        from ember._device import device as _device

        if _device(device).type != "cpu":
            raise RuntimeError(f"ember has no random generator for device '{device}'")
        self.device = _CPU
        self.manual_seed(_DEFAULT_SEED)

    def manual_seed(self, seed: int) -> Generator:
        if isinstance(seed, bool) or not hasattr(seed, "__index__"):
            raise RuntimeError(f"manual_seed expected a long, but got {type(seed).__name__}")
        seed = seed.__index__()
        if not -0x8000_0000_0000_0000 <= seed <= 0xFFFF_FFFF_FFFF_FFFF:
            raise ValueError("Overflow when unpacking long long")
        self._seed = seed % (1 << 64)
        self._bits = _cpu.random.Generator(_cpu.random.PCG64(self._seed))
        return self

    def seed(self) -> int:
        self.manual_seed(time.time_ns())
        return self._seed

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self):
        from ember.ops.creation import tensor

        state = self._bits.bit_generator.state["state"]
        return tensor(list(int(state["state"]).to_bytes(16, "little")) +
                      list(int(state["inc"]).to_bytes(16, "little")), dtype=_uint8())

    def set_state(self, new_state) -> Generator:
        raw = bytes(new_state.tolist())
        bit_generator = self._bits.bit_generator
        state = bit_generator.state
        state["state"] = {"state": int.from_bytes(raw[:16], "little"),
                          "inc": int.from_bytes(raw[16:32], "little")}
        bit_generator.state = state
        return self


def _uint8():
    from ember._dtype import uint8

    return uint8


default_generator = Generator()


def manual_seed(seed) -> Generator:
    """Seed the default generator with ``int(seed)``; returns it."""
    return default_generator.manual_seed(int(seed))


def seed() -> int:
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(new_state) -> None:
    default_generator.set_state(new_state)


def _bits(generator: Generator | None):
    """The backend bit source of ``generator`` (the default one when None)."""
    return (default_generator if generator is None else generator)._bits
