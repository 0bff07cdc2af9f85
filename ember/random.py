"""Random number generation: the default generator, seeding, and Generator objects.

Note [Matching PyTorch's CPU stream]
The generator is a Mersenne Twister (mt19937) whose state is initialised from the low 32 bits
of the seed, as PyTorch's CPU generator is, so that the same seed gives the same numbers. A
64-bit draw joins two consecutive 32-bit outputs, the first as the high half. The scalar
normal sampler makes two values at a time and keeps the second for the next call; that spare
value is part of the state.
"""

from __future__ import annotations

import time

from ember.backends import cpu as _cpu

__all__ = ["Generator", "manual_seed", "seed", "initial_seed", "get_rng_state",
           "set_rng_state", "default_generator"]

_DEFAULT_SEED = 67280421310721  # PyTorch's default CPU seed
_WORDS = 624  # mt19937 state size in 32-bit words
_SHIFT = 397  # distance to the word mixed into each twisted one
_MATRIX = 0x9908B0DF
_STATE_BYTES = _WORDS * 4 + 8 + 8 + 9  # words, position, seed, spare normal (flag + value)


def _seeded_words(seed: int):
    """The initial mt19937 state for a 32-bit seed (Knuth's multiplicative recurrence)."""
    words = [seed & 0xFFFFFFFF]
    for index in range(1, _WORDS):
        previous = words[-1]
        words.append((1812433253 * (previous ^ (previous >> 30)) + index) & 0xFFFFFFFF)
    return _cpu.array(words, dtype=_cpu.uint32)


def _twist(words):
    """The next block of 624 state words. Word i mixes words i and i + 1 with word i + 397,
    which is already replaced from i = 227 on; each slice below reads only finished words."""
    new = _cpu.empty(_WORDS, dtype=_cpu.uint32)
    step = _WORDS - _SHIFT  # 227

    def mix(high, low):
        joined = (high & 0x80000000) | (low & 0x7FFFFFFF)
        return (joined >> 1) ^ ((joined & 1) * _cpu.uint32(_MATRIX))

    new[:step] = words[_SHIFT:] ^ mix(words[:step], words[1:step + 1])
    new[step:2 * step] = new[:step] ^ mix(words[step:2 * step], words[step + 1:2 * step + 1])
    last = _WORDS - 1
    new[2 * step:last] = new[step:_SHIFT - 1] ^ mix(words[2 * step:last], words[2 * step + 1:])
    new[last:] = new[_SHIFT - 1:_SHIFT] ^ mix(words[last:], new[:1])
    return new


def _temper(words):
    words = words ^ (words >> 11)
    words = words ^ ((words << 7) & 0x9D2C5680)
    words = words ^ ((words << 15) & 0xEFC60000)
    return words ^ (words >> 18)


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
        self._words = _seeded_words(self._seed)
        self._position = _WORDS  # the first draw twists the seeded block
        self._spare_normal = None
        return self

    def seed(self) -> int:
        self.manual_seed(time.time_ns())
        return self._seed

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self):
        from ember.ops.creation import tensor

        spare = self._spare_normal
        raw = (self._words.astype("<u4").tobytes() + self._position.to_bytes(8, "little") +
               self._seed.to_bytes(8, "little") + bytes([spare is not None]) +
               _cpu.array(spare or 0.0, dtype="<f8").tobytes())
        return tensor(list(raw), dtype=_uint8())

    def set_state(self, new_state) -> Generator:
        raw = bytes(new_state.tolist())
        if len(raw) != _STATE_BYTES:
            raise RuntimeError(f"Expected a state of {_STATE_BYTES} bytes, got {len(raw)}")
        end = _WORDS * 4
        self._words = _cpu.frombuffer(raw[:end], dtype="<u4").astype(_cpu.uint32)
        self._position = int.from_bytes(raw[end:end + 8], "little")
        self._seed = int.from_bytes(raw[end + 8:end + 16], "little")
        spare = float(_cpu.frombuffer(raw[end + 17:], dtype="<f8")[0])
        self._spare_normal = spare if raw[end + 16] else None
        return self

    def _random32(self, count: int):
        """The next ``count`` 32-bit outputs, as uint32."""
        parts = []
        while count > 0:
            if self._position == _WORDS:
                self._words = _twist(self._words)
                self._position = 0
            taken = min(count, _WORDS - self._position)
            parts.append(self._words[self._position:self._position + taken])
            self._position += taken
            count -= taken
        if not parts:
            return _cpu.empty(0, dtype=_cpu.uint32)
        return _temper(_cpu.concatenate(parts))

    def _random64(self, count: int):
        """The next ``count`` 64-bit values, each from two 32-bit outputs, high half first."""
        pairs = self._random32(2 * count).astype(_cpu.uint64).reshape(count, 2)
        return (pairs[:, 0] << _cpu.uint64(32)) | pairs[:, 1]


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


def _generator(generator: Generator | None) -> Generator:
    """``generator``, or the default one when None."""
    return default_generator if generator is None else generator
