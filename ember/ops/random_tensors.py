"""Tensors of random numbers: rand, randn, randint and their _like forms, drawn from the
default generator or a given one (see Note [Matching PyTorch's CPU stream] in ember/random.py);
and the checked integer ranges and integer draws that randint shares with random_ (in
ember/ops/sampling.py)."""

from __future__ import annotations

import builtins
import math
import warnings

from ember import _dtype
from ember._device import _factory_device
from ember._tensor import Tensor, _make
from ember.backends import cpu as _cpu
from ember.ops._common import write_out
from ember.ops.creation import (
    _cast_array,
    _check_dtype_argument,
    _finish_factory,
    _like,
    _size_argument,
    _size_keyword,
)
from ember.random import (
    _generator,
    _normal_fill,
    _scalar_normals,
    _uniform_float32,
    _uniform_float64,
)

__all__ = ["rand", "rand_like", "randint", "randint_like", "randn", "randn_like"]


# --- rand and randn ---------------------------------------------------------------------------


def _random_float(sample, kernel, size, generator, dtype, device, requires_grad, out, name):
    """A tensor of ``size`` filled by ``sample(generator, count, real_dtype, std)``; a complex
    tensor is filled as its interleaved real and imaginary parts (std 1/sqrt(2) each), as
    PyTorch does."""
    _check_dtype_argument(name, dtype)
    shape = _size_argument(name, size, None)
    dtype = dtype or (out._dtype if out is not None else _dtype.get_default_dtype())
    if not (dtype.is_floating_point or dtype.is_complex):
        raise NotImplementedError(f'"{kernel}" not implemented for \'{dtype._legacy_name}\'')
    if out is not None and out._dtype is dtype and out._data.shape == shape:
        # PyTorch fills ``out`` in place, walking its layout (memory order).
        fill = out.uniform_ if name == "rand" else out.normal_
        return fill(0, 1, generator=generator)
    count = math.prod(shape)
    real = dtype.to_real()
    if dtype.is_complex:
        data = sample(_generator(generator), 2 * count, real, 1 / math.sqrt(2))
        data = data.astype(real._np).view(dtype._np).reshape(shape)
    else:
        data = sample(_generator(generator), count, real, 1.0).astype(dtype._np).reshape(shape)
    if out is not None:
        return write_out(out, _make(data, dtype))
    return _finish_factory(data, dtype, _factory_device(device), requires_grad)


def _uniform(generator, count, dtype, std):
    """``count`` uniform samples of [0, 1) (``std`` unused): the low 53 bits of 64-bit draws
    for float64, the low 24 bits of 32-bit draws otherwise (narrower dtypes round from
    float32, as PyTorch)."""
    if dtype is _dtype.float64:
        return _uniform_float64(generator, count)
    values = _uniform_float32(generator, count)
    if dtype in (_dtype.float16, _dtype.bfloat16):
        # A value that rounds up to 1 becomes 0, as in PyTorch: the interval is half-open.
        values = values.astype(dtype._np)
        values[values == 1] = 0
    return values


def _normal(generator, count, dtype, std, mean=0.0):
    """Normal samples as PyTorch's normal kernel makes them for a contiguous tensor (randn's,
    and normal_'s in ember/ops/sampling.py): 16 or more elements are filled by Box-Muller over
    blocks of 16 (float32 with avx_mathfun's polynomials), fewer by the scalar sampler one
    value at a time (see Note [Bit-exact sampling arithmetic] in ember/random.py)."""
    if count < 16:
        return _scalar_normals(generator, count, mean, std)
    kind = "float64" if dtype is _dtype.float64 else "float32" if dtype._np.itemsize == 4 \
        else "reduced"
    return _normal_fill(generator, count, mean, std, kind)


def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False, **kwargs) -> Tensor:
    """Uniform samples from [0, 1); complex dtypes draw both parts so."""
    size = _size_argument_or_keyword("rand", size, kwargs)
    return _random_float(_uniform, "check_uniform_bounds", size, generator, dtype, device,
                         requires_grad, out, "rand")


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False, **kwargs) -> Tensor:
    """Samples from the standard normal distribution; complex dtypes draw each part with
    variance 1/2."""
    size = _size_argument_or_keyword("randn", size, kwargs)
    return _random_float(_normal, "normal_kernel_cpu", size, generator, dtype, device,
                         requires_grad, out, "randn")


def _size_argument_or_keyword(function, size, kwargs):
    keyword = _size_keyword(function, kwargs)
    if keyword is None:
        return size
    if not isinstance(keyword, tuple | list):
        raise TypeError(f"{function}(): argument 'size' must be tuple of ints, not "
                        f"{type(keyword).__name__}")
    if size:
        raise TypeError(f"{function}() got multiple values for argument 'size'")
    return (keyword,)


# --- randint and the integer ranges of random_ ------------------------------------------------


def _integer_bound(value, name):
    if isinstance(value, Tensor) and value._data.ndim == 0:
        value = value.item()
    if isinstance(value, builtins.bool) or not isinstance(value, builtins.int | _cpu.integer):
        raise TypeError(f"randint() received an invalid combination of arguments - got "
                        f"{type(value).__name__} for '{name}'")
    value = builtins.int(value)
    if not -(1 << 63) <= value < 1 << 63:
        raise ValueError("Overflow when unpacking long long")
    return value


_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1


def _digits(dtype):
    return _cpu.finfo(dtype._np).nmant + 1


def _through(value, dtype):
    """``int64(scalar_t(value))``: an integer rounded to a floating dtype and back."""
    rounded = _cpu.array(value, dtype=_cpu.int64).astype(_cpu.float64 if dtype is
                                                         _dtype.float64 else _cpu.float32)
    with _cpu.errstate(over="ignore"):
        rounded = float(rounded.astype(dtype._np))
    # Beyond the dtype's range the C++ cast gives infinity, which converts to INT64_MIN.
    return int(rounded) if math.isfinite(rounded) else _INT64_MIN


def _update_from(low, dtype):
    """The smallest integer >= ``low`` that stays >= it once rounded to ``dtype``."""
    if _through(low + 1, dtype) < low:
        n = abs(low + 1).bit_length() - 1
        low = _through(low + 1, dtype) + (1 << (n - _digits(dtype) + 1))
    return low


def _update_to(high, dtype):
    if _through(high - 1, dtype) >= high:
        n = abs(high - 1).bit_length() - 1
        high = _through(high - 1, dtype) - (1 << (n - _digits(dtype) + 1))
    return high


def _random_bounds(low, high, dtype):
    """The checked range [low, high) of ``random_(low, high)`` / ``randint`` for ``dtype``,
    as PyTorch adjusts and checks it; ``high`` None means up to the dtype's largest value,
    and (-2**63, None) the full 64-bit range (returned as high = 2**63)."""
    if dtype.is_complex:
        raise RuntimeError("check_random_bounds handles only integral, floating-point and "
                           "boolean types")
    if high is None:
        if low == _INT64_MIN:
            return low, 1 << 63
        if dtype.is_floating_point:
            inclusive = min(1 << _digits(dtype), _INT64_MAX)
            low = _update_from(low, dtype)
            if not low < inclusive:
                raise RuntimeError(f"random_ expects 'from' casted to dtype to be less than "
                                   f"or equal to 'to_inc' casted to dtype, but got from={low}"
                                   f" > to_inc={inclusive}")
        else:
            inclusive = 1 if dtype is _dtype.bool else int(_cpu.iinfo(dtype._np).max)
        _check_in_range(low, inclusive, dtype)
        return low, inclusive + 1
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} "
                           f">= to={high}")
    if dtype.is_floating_point:
        low, high = _update_from(low, dtype), _update_to(high, dtype)
        if low >= high:
            raise RuntimeError(f"random_ expects 'from' casted to dtype to be less than 'to' "
                               f"casted to dtype, but got from={low} >= to={high}")
    _check_in_range(low, high - 1, dtype)
    return low, high


def _check_in_range(low, inclusive, dtype):
    name = dtype._cpp_name
    if dtype.is_floating_point:
        info = _cpu.finfo(dtype._np)
        smallest, largest = float(info.min), float(info.max)
    elif dtype is _dtype.bool:
        smallest, largest = 0, 1
    else:
        info = _cpu.iinfo(dtype._np)
        smallest, largest = int(info.min), int(info.max)
    if not smallest <= low <= largest:
        raise RuntimeError(f"from is out of bounds for {name}")
    if not smallest <= inclusive <= largest:
        raise RuntimeError(f"to - 1 is out of bounds for {name}")
    if dtype.is_floating_point:
        digits = _digits(dtype)
        for value, label in ((low, "from"), (inclusive, "to - 1")):
            if not -(1 << digits) <= value <= 1 << digits:
                warnings.warn(f"{label} is out of bounds [-(2^{digits}), 2^{digits}]. Due to "
                              f"precision limitations {name} can support discrete uniform "
                              "distribution only within this range. This warning will become "
                              "an error in version 1.7 release, please fix the code in "
                              "advance", UserWarning, stacklevel=4)


def randint(*args, size=None, low=None, high=None, generator=None, out=None, dtype=None,
            layout=None, device=None, requires_grad=False) -> Tensor:
    """Integers drawn uniformly from [low, high): ``randint(high, size)`` or
    ``randint(low, high, size)``."""
    _check_dtype_argument("randint", dtype)
    positional = list(args)  # filled from the right: size, then high, then low
    if size is None and positional and isinstance(positional[-1], tuple | list):
        size = positional.pop()
    if high is None and positional:
        high = positional.pop()
    if low is None and positional:
        low = positional.pop()
    if positional or high is None or size is None:
        raise TypeError(f"randint() received an invalid combination of arguments - got "
                        f"{len(args)} positional arguments; expected (high, size) or "
                        "(low, high, size)")
    if not isinstance(size, tuple | list):
        raise TypeError(f"randint(): argument 'size' must be tuple of ints, not "
                        f"{type(size).__name__}")
    low = _integer_bound(0 if low is None else low, "low")
    high = _integer_bound(high, "high")
    shape = _size_argument("randint", (size,), None)
    dtype = dtype or (out._dtype if out is not None else _dtype.int64)
    low, high = _random_bounds(low, high, dtype)
    if out is not None and out._dtype is dtype and out._data.shape == shape:
        return out.random_(low, high, generator=generator)  # in place, in out's layout
    data = _cast_array(_uniform_integers(_generator(generator), low, high, math.prod(shape)),
                       dtype).reshape(shape)
    if out is not None:
        return write_out(out, _make(data, dtype))
    return _finish_factory(data, dtype, _factory_device(device), requires_grad)


def _uniform_integers(generator, low, high, count):
    """``count`` integers of [low, high): a draw modulo the range. PyTorch takes 64-bit draws
    from a range of 2**28 on (found by comparing streams), which keeps the modulo bias small."""
    span = high - low
    if span == 1 << 64:  # the full 64-bit range: a draw is the value
        return generator._random64(count).view(_cpu.int64)
    drawn = generator._random64(count) if span >= 1 << 28 else generator._random32(count)
    values = drawn.astype(_cpu.uint64) % _cpu.uint64(span)
    # The sum wraps modulo 2**64 exactly as the signed result needs.
    return (values + _cpu.uint64(low % (1 << 64))).view(_cpu.int64)


# --- the _like forms --------------------------------------------------------------------------


def _sampled_like(function, input, dtype, device, requires_grad, memory_format, sample):
    """A tensor laid out as ``input`` (empty_like), filled in place by ``sample`` as PyTorch's
    _like factories fill it: the in-place sampler walks that layout, so a non-contiguous
    result draws in memory order."""
    result = _like(function, input, dtype, device, False, memory_format)
    sample(result)
    if requires_grad:
        result._set_requires_grad(True, "factory")
    return result


def rand_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None, generator=None) -> Tensor:
    return _sampled_like("rand_like", input, dtype, device, requires_grad, memory_format,
                         lambda result: result.uniform_(0, 1, generator=generator))


def randn_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None, generator=None) -> Tensor:
    return _sampled_like("randn_like", input, dtype, device, requires_grad, memory_format,
                         lambda result: result.normal_(0, 1, generator=generator))


def randint_like(input, *args, low=None, high=None, dtype=None, layout=None, device=None,
                 requires_grad=False, memory_format=None, generator=None) -> Tensor:
    if len(args) == 2:
        low, high = args
    elif len(args) == 1:
        high = args[0]
    if high is None or len(args) > 2:
        raise TypeError("randint_like() received an invalid combination of arguments - "
                        "expected (input, high) or (input, low, high)")
    low = _integer_bound(0 if low is None else low, "low")
    high = _integer_bound(high, "high")
    return _sampled_like("randint_like", input, dtype, device, requires_grad, memory_format,
                         lambda result: result.random_(low, high, generator=generator))
