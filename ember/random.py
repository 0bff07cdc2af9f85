"""Random number generation: the default generator, seeding, and Generator objects.

Note [Matching PyTorch's CPU stream]
The generator is a Mersenne Twister (mt19937) whose state is initialised from the low 32 bits
of the seed, as PyTorch's CPU generator is, so that the same seed gives the same numbers. A
64-bit draw joins two consecutive 32-bit outputs, the first as the high half. A uniform
double takes the low 53 bits of a 64-bit draw, a uniform float (also for float16 and
bfloat16) the low 24 bits of a 32-bit one. The scalar normal sampler makes two values at a
time from two uniform doubles and keeps the second for the next call; that spare value is part
of the state. Which sampler a kernel uses, and in which order it visits elements, is
PyTorch's: see ember/ops/sampling.py, and Note [Bit-exact sampling arithmetic] below for
the arithmetic.
"""

from __future__ import annotations

import contextlib
import math
import time

from ember.backends import cpu as _cpu

__all__ = ["Generator", "manual_seed", "seed", "initial_seed", "get_rng_state",
           "set_rng_state", "default_generator", "fork_rng"]

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


# --- exact arithmetic of PyTorch's sampling kernels -------------------------------------------
# Note [Bit-exact sampling arithmetic]
# PyTorch's CPU sampling kernels are compiled with fused multiply-adds (x * scale + shift is
# one rounding), call the C library for log, log1p, exp, sin, cos and tan in double precision,
# and fill contiguous float32 normals through avx_mathfun's Cephes polynomials (log256_ps,
# sincos256_ps) over blocks of 16. NumPy has no fma, and its SIMD log/sin/cos differ from the C
# library in the last bit, so the helpers below emulate each step exactly: a product of two
# doubles is split error-free (Dekker) and the sum rounded to odd before the final rounding
# (Boldo and Melquiond), and libm is reached through ``math`` mapped over a list (one C call
# per element, no Python-level arithmetic).

_F32 = _cpu.float32
_F64 = _cpu.float64


def _two_sum(a, b):
    total = a + b
    rounded_b = total - a
    return total, (a - (total - rounded_b)) + (b - rounded_b)


def _round_to_odd_sum(a, b):
    """``a + b`` rounded to odd: the exact sum truncated, its last bit set when inexact."""
    total, error = _two_sum(a, b)
    bits = _cpu.array(total, dtype=_F64).view(_cpu.int64).copy()
    inexact_even = (error != 0) & ((bits & 1) == 0)
    away = (error > 0) == (total > 0)
    bits += _cpu.where(inexact_even, _cpu.where(away, 1, -1), 0)
    return bits.view(_F64)


def _fma64(a, b, c):
    """``a * b + c`` with one rounding, for float64 arrays (or numbers)."""
    a, b, c = _cpu.broadcast_arrays(*(_cpu.asarray(v, dtype=_F64) for v in (a, b, c)))
    product = a * b
    split_a, split_b = 134217729.0 * a, 134217729.0 * b  # 2**27 + 1
    a_high = split_a - (split_a - a)
    b_high = split_b - (split_b - b)
    a_low, b_low = a - a_high, b - b_high
    product_error = (((a_high * b_high - product) + a_high * b_low) + a_low * b_high) + \
        a_low * b_low
    high, low = _two_sum(c, product)
    return high + _round_to_odd_sum(low, product_error)


def _fma32(a, b, c):
    """``a * b + c`` with one rounding, for float32 values. The product is exact in double,
    so the double sum is off only where its rounding lands exactly halfway between two floats
    (29 low bits 1000...0), or in float32's subnormal range: those few are redone with the
    sum rounded to odd, whose rounding to float32 is correct."""
    a, b, c = (_cpu.asarray(v, dtype=_F32).astype(_F64) for v in (a, b, c))
    product = a * b
    total = product + c
    result = total.astype(_F32)
    halfway = (total.view(_cpu.int64) & 0x1FFFFFFF) == 0x10000000
    suspect = _cpu.flatnonzero(halfway | (_cpu.abs(total) < 2.0 ** -126))
    if suspect.size:
        product, c = _cpu.broadcast_arrays(product, c)
        result.reshape(-1)[suspect] = _round_to_odd_sum(product.reshape(-1)[suspect],
                                                        c.reshape(-1)[suspect]).astype(_F32)
    return result


def _libm(function, values):
    """``function`` (from ``math``) of each float64 value, through the C library."""
    values = _cpu.asarray(values, dtype=_F64)
    return _cpu.fromiter(map(function, values.ravel().tolist()), _F64,
                         values.size).reshape(values.shape)


_LOG_POLYNOMIAL = (7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1,
                   1.4249322787e-1, -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1,
                   3.3333331174e-1)


def _log256_ps(x):
    """avx_mathfun's float32 log (Cephes) as PyTorch's build computes it, fmas included."""
    x = _cpu.maximum(x, _F32(1.1754943508222875e-38))  # smallest normal
    bits = x.view(_cpu.uint32)
    exponent = ((bits >> 23).astype(_cpu.int32) - 0x7F).astype(_F32) + _F32(1)
    x = ((bits & _cpu.uint32(0x807FFFFF)) | _cpu.uint32(0x3F000000)).view(_F32)  # [0.5, 1)
    small = x < _F32(0.707106781186547524)
    exponent = exponent - small.astype(_F32)
    x = (x - _F32(1)) + _cpu.where(small, x, _F32(0))
    square = x * x
    y = _cpu.full_like(x, _F32(_LOG_POLYNOMIAL[0]))
    for coefficient in _LOG_POLYNOMIAL[1:]:
        y = _fma32(y, x, coefficient)
    y = _fma32(y * x, square, exponent * _F32(-2.12194440e-4))
    y = _fma32(square, _F32(-0.5), y)
    return _fma32(exponent, _F32(0.693359375), x + y)


def _sincos256_ps(x):
    """avx_mathfun's float32 sin and cos (Cephes) as PyTorch's build computes them."""
    bits = x.view(_cpu.uint32)
    sin_sign = bits & _cpu.uint32(0x80000000)
    x = (bits & _cpu.uint32(0x7FFFFFFF)).view(_F32)
    octant = (x * _F32(1.27323954473516)).astype(_cpu.int32)  # x * 4 / pi, truncated
    octant = (octant + 1) & ~1
    y = octant.astype(_F32)
    sin_sign = sin_sign ^ ((octant & 4).astype(_cpu.uint32) << 29)
    cos_sign = (~(octant - 2) & 4).astype(_cpu.uint32) << 29
    use_sin_polynomial = (octant & 2) == 0
    for part in (-0.78515625, -2.4187564849853515625e-4, -3.77489497744594108e-8):
        x = _fma32(y, _F32(part), x)
    square = x * x
    cosine = _fma32(_F32(2.443315711809948e-5), square, _F32(-1.388731625493765e-3))
    cosine = _fma32(cosine, square, _F32(4.166664568298827e-2)) * square
    cosine = _fma32(cosine, square, -(square * _F32(0.5))) + _F32(1)
    sine = _fma32(_F32(-1.9515295891e-4), square, _F32(8.3321608736e-3))
    sine = _fma32(sine, square, _F32(-1.6666654611e-1)) * square
    sine = _fma32(sine, x, x)
    sin = _cpu.where(use_sin_polynomial, sine, cosine).view(_cpu.uint32) ^ sin_sign
    cos = _cpu.where(use_sin_polynomial, cosine, sine).view(_cpu.uint32) ^ cos_sign
    return sin.view(_F32), cos.view(_F32)


def _uniform_float64(generator: Generator, count: int):
    """``count`` doubles of [0, 1) from the low 53 bits of 64-bit draws."""
    drawn = generator._random64(count) & _cpu.uint64((1 << 53) - 1)
    return drawn.astype(_F64) * (1.0 / (1 << 53))


def _uniform_float32(generator: Generator, count: int):
    """``count`` floats of [0, 1) from the low 24 bits of 32-bit draws."""
    drawn = generator._random32(count) & _cpu.uint32((1 << 24) - 1)
    return drawn.astype(_F32) * _F32(1.0 / (1 << 24))


def _box_muller_16(uniforms, mean, std, float32):
    """PyTorch's normal_fill_16 over rows of 16 uniforms: the first 8 give radii, the last 8
    angles. float32 follows normal_fill_16_AVX2, float64 the scalar loop."""
    blocks = uniforms.reshape(-1, 16)
    if float32:
        radius = _cpu.sqrt(_F32(-2) * _log256_ps(_F32(1) - blocks[:, :8]))
        sin, cos = _sincos256_ps(_F32(2.0 * math.pi) * blocks[:, 8:])
        normals = _cpu.concatenate([radius * cos, radius * sin], axis=1)
        return _fma32(normals, _F32(std), _F32(mean)).reshape(-1)
    radius = _cpu.sqrt(-2.0 * _libm(math.log, 1.0 - blocks[:, :8]))
    theta = 2.0 * math.pi * blocks[:, 8:]
    cos = _fma64(radius * _libm(math.cos, theta), std, mean)
    sin = _fma64(radius * _libm(math.sin, theta), std, mean)
    return _cpu.concatenate([cos, sin], axis=1).reshape(-1)


def _normal_fill(generator: Generator, count: int, mean: float, std: float, kind: str):
    """PyTorch's normal fill of a contiguous tensor of ``count`` >= 16 elements: Box-Muller
    over blocks of 16 uniforms, a ragged end filled by one more block that overlaps the
    previous one. ``kind`` "float64" and "float32" draw every element's uniform first, then
    the 16 of the last block; "reduced" (float16, bfloat16) draws 16 per block as it goes,
    and computes as float32 does."""
    float32 = kind != "float64"
    draw = _uniform_float32 if float32 else _uniform_float64
    whole = count // 16 * 16
    data = draw(generator, whole if kind == "reduced" else count)
    data[:whole] = _box_muller_16(data[:whole], mean, std, float32)
    if count % 16:
        data = data[:count] if kind != "reduced" else _cpu.concatenate(
            [data, _cpu.empty(count - whole, dtype=data.dtype)])
        data[-16:] = _box_muller_16(draw(generator, 16), mean, std, float32)
    return data


def _scalar_normals(generator: Generator, count: int, mean: float = 0.0, std: float = 1.0):
    """``count`` draws of PyTorch's scalar normal sampler, as doubles: pairs of uniforms make
    two values, the second kept for the next draw (see Note [Matching PyTorch's CPU stream])."""
    result = _cpu.empty(count, dtype=_F64)
    start = 0
    if count and generator._spare_normal is not None:
        result[0] = generator._spare_normal
        generator._spare_normal = None
        start = 1
    pairs = (count - start + 1) // 2
    if pairs:
        uniforms = _uniform_float64(generator, 2 * pairs).reshape(pairs, 2)
        radius = _cpu.sqrt(-2.0 * _libm(math.log1p, -uniforms[:, 1]))
        theta = 2.0 * math.pi * uniforms[:, 0]
        made = _cpu.stack([radius * _libm(math.cos, theta), radius * _libm(math.sin, theta)],
                          axis=1).reshape(-1)
        result[start:] = made[:count - start]
        if (count - start) % 2:
            generator._spare_normal = float(made[-1])
    return _fma64(result, std, mean)


class _Uniforms:
    """Doubles of [0, 1) for a sampler that reads them one at a time and cannot know in
    advance how many it needs: they are drawn in chunks, and ``close()`` leaves the generator
    just past the ones read, as if they had been drawn singly."""

    def __init__(self, generator: Generator, chunk: int = 4096):
        self._generator = generator
        self._start = (generator._words, generator._position)  # _twist makes new arrays
        self._chunk = chunk
        self._values: list = []
        self._index = 0
        self._read = 0

    def next(self) -> float:
        if self._index == len(self._values):
            self._values = _uniform_float64(self._generator, self._chunk).tolist()
            self._index = 0
        self._index += 1
        self._read += 1
        return self._values[self._index - 1]

    def close(self) -> None:
        generator = self._generator
        generator._words, generator._position = self._start
        generator._random32(2 * self._read)


@contextlib.contextmanager
def fork_rng(devices=None, enabled: bool = True, _caller: str = "fork_rng",
             _devices_kw: str = "devices", device_type: str = "cuda"):
    """Run the block with the default generator's state saved, and restore it after."""
    if not enabled:
        yield
        return
    state = default_generator.get_state()
    try:
        yield
    finally:
        default_generator.set_state(state)
