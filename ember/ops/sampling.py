"""Sampling from distributions with the default generator or a given one: normal, bernoulli,
multinomial, poisson, randperm and the in-place samplers of Tensor.

Every sampler draws from the generator in the order PyTorch's CPU kernels do, so that the same
seed gives the same numbers and leaves the stream at the same place (see Note [Matching
PyTorch's CPU stream] and Note [Bit-exact sampling arithmetic] in ember/random.py). In-place
samplers fill a tensor in the order TensorIterator walks it: memory order, the dimension with
the largest stride outermost.
"""

from __future__ import annotations

import builtins
import ctypes
import ctypes.util
import math

from ember import _dtype
from ember._tensor import Tensor, _make
from ember.autograd import grad_mode
from ember.backends import cpu as _cpu
from ember.ops._autograd import check_inplace_allowed, inplace_with_grad, needs_grad, record_op
from ember.ops._common import broadcast_shape, check_no_internal_overlap, method, write_out
from ember.ops._tie_order import topk_order
from ember.ops.creation import (
    _C_NAMES,
    _cast_array,
    _check_dtype_argument,
    _factory_device,
    _finish_factory,
    _size_argument,
    zeros_like,
)
from ember.ops.random_tensors import (
    _normal,
    _random_bounds,
    _uniform_integers,
)
from ember.random import (
    _fma32,
    _fma64,
    _generator,
    _libm,
    _scalar_normals,
    _uniform_float32,
    _uniform_float64,
    _Uniforms,
)

__all__ = ["normal", "bernoulli", "multinomial", "poisson", "randperm"]

_F32, _F64 = _cpu.float32, _cpu.float64
_REDUCED = (_dtype.float16, _dtype.bfloat16)


# --- filling a tensor in TensorIterator order --------------------------------------------------


def _iteration_order(data):
    """The dims of ``data`` from outermost to innermost as TensorIterator walks an output:
    by decreasing stride, ties kept in their order."""
    strides = data.strides
    return sorted(range(data.ndim), key=lambda d: -strides[d])


def _arrange(data, values):
    """``values``, drawn one per element in iteration order, laid out as ``data``'s shape."""
    order = _iteration_order(data)
    shaped = values.reshape([data.shape[d] for d in order])
    return shaped.transpose(_cpu.argsort(order))


def _in_iteration_order(data, like=None):
    """The elements of ``data`` (an array) listed in the iteration order of ``like`` (an
    array of the same shape; ``data`` itself when None)."""
    return data.transpose(_iteration_order(data if like is None else like)).reshape(-1)


def _fill(tensor: Tensor, draw, grad_fn: str) -> Tensor:
    """Fill ``tensor`` with ``draw(count)``, one value per element in iteration order. As
    TensorIterator does, refuse first a tensor whose elements share memory."""
    check_no_internal_overlap(tensor)
    data = tensor._data
    values = _arrange(data, _cast_array(draw(data.size), tensor._dtype))
    if needs_grad(tensor):
        return inplace_with_grad(tensor, lambda old: _sampled_copy(old, values, grad_fn))
    tensor._data[...] = values
    tensor._bump_version()
    return tensor


def _expand_error(shape, target) -> RuntimeError:
    """PyTorch's message for a tensor of ``shape`` that cannot expand to ``target``."""
    for position in range(1, len(target) + 1):
        size = shape[-position] if position <= len(shape) else 1
        if size not in (1, target[-position]):
            break
    return RuntimeError(f"The expanded size of the tensor ({target[-position]}) must match "
                        f"the existing size ({size}) at non-singleton dimension "
                        f"{len(target) - position}.  Target sizes: {list(target)}.  Tensor "
                        f"sizes: {list(shape)}")


def _check_writable(tensor: Tensor):
    """Autograd's check of an in-place op, made before anything is drawn (a leaf that
    requires grad refuses it)."""
    if needs_grad(tensor):
        check_inplace_allowed(tensor)


def _sampled_copy(old, values, grad_fn):
    with grad_mode.no_grad():
        result = old.clone()
    result._data[...] = values
    record_op(grad_fn, (_zero_gradient,), (old,), (result,))
    return result


def _zero_gradient(grad):
    return zeros_like(grad)


def _check_floating(tensor: Tensor, kernel: str):
    if not tensor._dtype.is_floating_point:
        raise NotImplementedError(f'"{kernel}" not implemented for '
                                  f"'{tensor._dtype._legacy_name}'")


def _real_view(tensor: Tensor) -> Tensor:
    """A complex tensor's memory as its interleaved real and imaginary parts (the array
    view_as_real gives), wrapped for sampling into it."""
    real = tensor._data.real
    data = _cpu.lib.stride_tricks.as_strided(real, real.shape + (2,),
                                             real.strides + (real.itemsize,))
    return _make(data, tensor._dtype.to_real())


# --- uniform_ and normal_ ---------------------------------------------------------------------


@method("uniform_")
def uniform_(self: Tensor, from_: float = 0, to: float = 1, *, generator=None,
             **kwargs) -> Tensor:
    """Fill with samples of the uniform distribution on [from, to)."""
    _check_writable(self)
    from_ = kwargs.pop("from", from_)
    if self._dtype.is_complex:
        if self._data.size:
            uniform_(_real_view(self), from_, to, generator=generator)
            self._bump_version()
        return self
    _check_floating(self, "check_uniform_bounds")
    info = _cpu.finfo(self._dtype._np)
    low, high = float(info.min), float(info.max)
    for value, name in ((from_, "from"), (to, "to")):
        if not low <= value <= high:
            raise RuntimeError(f"{name} is out of bounds for {self._dtype._cpp_name}")
    if from_ > to:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found "
                           f"from={_number(from_)} > to={_number(to)}")
    if to - from_ > high:
        raise RuntimeError(f"uniform_ expects to-from <= std::numeric_limits<"
                           f"{self._dtype._legacy_name}>::max(), but found to={_number(to)} "
                           f"and from={_number(from_)} which result in to-from to exceed the "
                           "limit")
    if not self._data.size:
        return self
    generator = _generator(generator)
    return _fill(self, lambda count: _uniform_values(generator, count, from_, to, self._dtype),
                 "UniformBackward0")


def _uniform_values(generator, count, from_, to, dtype):
    """``from + u * (to - from)`` in one rounding (float for every dtype but float64, with
    the bounds as floats), rounded to ``dtype``; a value that rounds to ``to`` becomes
    ``from``, keeping the interval half-open."""
    if dtype is _dtype.float64:
        values = _fma64(_uniform_float64(generator, count), to - from_, from_)
    else:
        low, high = _F32(from_), _F32(to)
        values = _fma32(_uniform_float32(generator, count), high - low, low)
    values = _cast_array(values, dtype)
    low, high = _cast_array(_cpu.array([from_, to], dtype=_F64), dtype)
    values[values == high] = low
    return values


def _number(value):
    """A number as PyTorch's messages print a double (C++ stream defaults: %g)."""
    return f"{float(value):g}"


def _normal_values(tensor: Tensor, generator, mean: float, std: float, count: int):
    """What PyTorch's normal kernel draws for ``tensor``, in iteration order: as for randn
    when it is contiguous, else the scalar sampler per element."""
    if tensor.is_contiguous():
        return _normal(generator, count, tensor._dtype, std, mean)
    return _scalar_normals(generator, count, mean, std)


@method("normal_")
def normal_(self: Tensor, mean: float = 0, std: float = 1, *, generator=None) -> Tensor:
    """Fill with samples of the normal distribution N(mean, std**2)."""
    _check_writable(self)
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_number(std)}")
    if not self._data.size:
        return self
    if self._dtype.is_complex:
        normal_(_real_view(self), mean, std / math.sqrt(2), generator=generator)
        self._bump_version()
        return self
    _check_floating(self, "normal_kernel_cpu")
    generator = _generator(generator)
    return _fill(self, lambda count: _normal_values(self, generator, mean, std, count),
                 "NormalBackward0")


def normal(mean, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None,
           device=None, pin_memory=False, requires_grad=False) -> Tensor:
    """Samples of N(mean, std**2): ``mean`` and ``std`` are tensors (broadcast together) or
    numbers, in which case ``size`` gives the shape."""
    mean_is_tensor, std_is_tensor = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not mean_is_tensor and not std_is_tensor:
        if size is None:
            raise TypeError("normal() received an invalid combination of arguments - got "
                            "(float, float), but expected one of: (Tensor mean, Tensor std), "
                            "(Tensor mean, float std), (float mean, Tensor std), "
                            "(float mean, float std, tuple of ints size)")
        _check_dtype_argument("normal", dtype)
        shape = _size_argument("normal", (size,), None)
        if std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {_number(std)}")
        if out is not None:
            out.resize_(shape)
            return normal_(out, mean, std, generator=generator)
        dtype = dtype or _dtype.get_default_dtype()
        result = _finish_factory(_cpu.empty(shape, dtype._np), dtype,
                                 _factory_device(device), False)
        normal_(result, mean, std, generator=generator)
        if requires_grad:
            result._set_requires_grad(True, "factory")
        return result
    if std_is_tensor:
        if std._dtype.is_complex:
            raise RuntimeError("normal expects standard deviation to be non-complex")
        if std._data.size and not (std._data >= 0).all():
            raise RuntimeError("normal expects all elements of std >= 0.0")
    elif std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_number(std)}")
    template = mean if mean_is_tensor else std
    shape = broadcast_shape(mean._data.shape if mean_is_tensor else (),
                            std._data.shape if std_is_tensor else ())
    if mean_is_tensor and not std_is_tensor:
        # PyTorch broadcasts the mean with ``out`` (a tensor standing in for std).
        shape = broadcast_shape(mean._data.shape, out._data.shape) if out is not None else \
            mean._data.shape
    if out is not None and out._data.shape == shape and not needs_grad(mean, std):
        result = out  # PyTorch samples into ``out`` itself, in its dtype and layout
    else:
        result = _finish_factory(_cpu.empty(shape, template._dtype._np), template._dtype,
                                 template._device, False)
    generator = _generator(generator)
    if std_is_tensor:
        normal_(result, 0, 1, generator=generator)
        # PyTorch scales and shifts in two steps (output.mul_(std).add_(mean)).
        data = result._data
        scaled = _cast_array(data * std._data, result._dtype)
        shifted = scaled + (mean._data if mean_is_tensor else _cpu.array(mean, data.dtype))
        result._data[...] = _cast_array(shifted, result._dtype)
    else:
        normal_(result, 0, std, generator=generator)
        result._data[...] = _cast_array(result._data + mean._data, result._dtype)
    result._bump_version()
    inputs = [value for value in (mean, std) if isinstance(value, Tensor)]
    if needs_grad(*inputs):
        name = "NormalBackward3" if len(inputs) == 2 else (
            "NormalBackward1" if mean_is_tensor else "NormalBackward2")
        result = result.detach()
        record_op(name, tuple(_zero_gradient for _ in inputs), tuple(inputs),
                  (result,), {})
    if out is not None and result is not out:
        return write_out(out, result)
    return result


# --- random_ ----------------------------------------------------------------------------------


def _random_values(dtype, generator, count):
    """``random_()`` without bounds: [0, 2**mantissa] for floating dtypes, [0, max] for
    integers, draws of 64 bits for int64 and float64 and of 32 bits otherwise."""
    if dtype is _dtype.bool:
        return (generator._random32(count) & _cpu.uint32(1)).astype(_cpu.bool_)
    if dtype in (_dtype.int64, _dtype.float64):
        drawn = generator._random64(count)
        span = (1 << 53) + 1 if dtype is _dtype.float64 else 1 << 63
    else:
        drawn = generator._random32(count).astype(_cpu.uint64)
        if dtype.is_floating_point:
            span = (1 << _cpu.finfo(dtype._np).nmant + 1) + 1
        else:
            span = int(_cpu.iinfo(dtype._np).max) + 1
    return (drawn % _cpu.uint64(span)).astype(_cpu.int64)


@method("random_")
def random_(self: Tensor, *args, generator=None, **kwargs) -> Tensor:
    """Fill with integers drawn uniformly: ``random_()`` over the dtype's whole range,
    ``random_(to)`` over [0, to), ``random_(from, to)`` over [from, to) (``to=None``: up
    to the dtype's largest value)."""
    _check_writable(self)
    bounds = list(args)
    if "from" in kwargs:
        bounds.insert(0, kwargs.pop("from"))
    if "to" in kwargs:
        bounds.append(kwargs.pop("to"))
    if kwargs or len(bounds) > 2:
        raise TypeError("random_() received an invalid combination of arguments")
    dtype = self._dtype
    if dtype.is_complex:
        raise NotImplementedError(f"\"random_{'from_to_' if bounds else ''}kernel_cpu\" not "
                                  f"implemented for '{dtype._legacy_name}'")
    if not bounds:
        grad_fn = "RandomBackward2"
        if not self._data.size:
            return self
        generator = _generator(generator)
        return _fill(self, lambda count: _random_values(dtype, generator, count), grad_fn)
    if len(bounds) == 1:
        low, high, grad_fn = 0, bounds[0], "RandomBackward1"
    else:
        (low, high), grad_fn = bounds, "RandomBackward0"
    low, high = _random_bounds(low, high, dtype)
    if not self._data.size:
        return self
    generator = _generator(generator)
    return _fill(self, lambda count: _uniform_integers(generator, low, high, count), grad_fn)


# --- bernoulli --------------------------------------------------------------------------------


def _bernoulli_scalar(tensor: Tensor, p: float, generator) -> Tensor:
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={_number(p)}")
    if tensor._dtype.is_complex:
        raise NotImplementedError(f"\"bernoulli_scalar_cpu_\" not implemented for "
                                  f"'{tensor._dtype._legacy_name}'")
    if not tensor._data.size:
        return tensor
    # PyTorch's own kernel: its MKL (VSL) path is compiled out of public builds.
    generator = _generator(generator)
    return _fill(tensor, lambda count: _uniform_float64(generator, count) < p,
                 "BernoulliBackward2")


def _bernoulli_tensor(tensor: Tensor, p: Tensor, generator, grad_fn) -> Tensor:
    dtype = tensor._dtype
    if dtype.is_complex:
        raise NotImplementedError(f"\"bernoulli_tensor_cpu_self_\" not implemented for "
                                  f"'{dtype._legacy_name}'")
    if not p._dtype.is_floating_point:
        raise NotImplementedError(f"\"bernoulli_tensor_cpu_p_\" not implemented for "
                                  f"'{p._dtype._legacy_name}'")
    if not tensor._data.size:
        return tensor
    try:
        probabilities = _cpu.broadcast_to(p._data, tensor._data.shape)
    except ValueError:
        raise _expand_error(p._data.shape, tensor._data.shape) from None
    probabilities = _in_iteration_order(probabilities, like=tensor._data)
    # A double probability compares with a double uniform, any other with a float one.
    uniform = _uniform_float64 if p._dtype is _dtype.float64 else _uniform_float32
    generator = _generator(generator)

    def draw(count):
        valid = (probabilities >= 0) & (probabilities <= 1)
        if not valid.all():
            # PyTorch checks each probability as it reaches it: the ones before were drawn.
            uniform(generator, int(_cpu.argmin(valid)))
            raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  "
                               "(Could this error message be improved?  If so, please report "
                               "an enhancement request to PyTorch.)")
        return uniform(generator, count) < probabilities

    return _fill(tensor, draw, grad_fn)


@method("bernoulli_")
def bernoulli_(self: Tensor, p=0.5, *, generator=None) -> Tensor:
    """Fill with 1 with probability ``p`` (a number or a tensor of probabilities), else 0."""
    _check_writable(self)
    if isinstance(p, Tensor):
        return _bernoulli_tensor(self, p, generator, "BernoulliBackward1")
    return _bernoulli_scalar(self, p, generator)


@method("bernoulli")
def bernoulli(input: Tensor, p=None, *, generator=None, out=None) -> Tensor:
    """Draws of 0 or 1: with probability ``input`` (elementwise), or ``p`` when given."""
    if not isinstance(input, Tensor):
        raise TypeError(f"bernoulli(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    if out is not None:
        # The samples are written into ``out`` directly, whatever its dtype.
        out.resize_(input._data.shape)
        result = out
    else:
        result = _make(_cpu.empty(input._data.shape, input._dtype._np), input._dtype,
                       input._device)
    if p is None:
        _bernoulli_tensor(result, input.detach(), generator, "BernoulliBackward0")
    else:
        _bernoulli_scalar(result, p, generator)
    if needs_grad(input) and out is None:
        record_op("BernoulliBackward0" if p is None else "BernoulliBackward1",
                  (_zero_gradient,), (input,), (result,), {})
    return result


# --- exponential_, geometric_, log_normal_, cauchy_ -----------------------------------------


@method("exponential_")
def exponential_(self: Tensor, lambd: float = 1, *, generator=None) -> Tensor:
    """Fill with samples of the exponential distribution of rate ``lambd``."""
    _check_writable(self)
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found "
                           f"lambda={_number(lambd)}")
    if not self._dtype.is_floating_point:
        raise RuntimeError("Exponential distribution is a continuous probability distribution."
                           f" dtype must be a floating point but you specified "
                           f"{self._dtype._legacy_name}")
    if not self._data.size:
        return self
    generator = _generator(generator)
    return _fill(self, lambda count: (-1.0 / lambd) * _libm(
        math.log1p, -_uniform_float64(generator, count)), "ExponentialBackward0")


@method("geometric_")
def geometric_(self: Tensor, p: float, *, generator=None) -> Tensor:
    """Fill with the number of Bernoulli(p) trials up to the first success."""
    _check_writable(self)
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={_number(p)}")
    if self._dtype is _dtype.bool or self._dtype.is_complex:
        raise NotImplementedError(f"\"geometric_cpu\" not implemented for "
                                  f"'{self._dtype._legacy_name}'")
    if not self._data.size:
        return self
    generator = _generator(generator)

    def draw(count):
        uniforms = _uniform_float64(generator, count)
        logs = _cpu.where(uniforms > 0, _libm(math.log, _cpu.maximum(uniforms, 1e-300)),
                          -_cpu.inf)  # log(0) = -inf, where math.log raises
        return _cpu.ceil(logs / math.log1p(-p))

    return _fill(self, draw, "GeometricBackward0")


@method("log_normal_")
def log_normal_(self: Tensor, mean: float = 1, std: float = 2, *, generator=None) -> Tensor:
    """Fill with exp of samples of N(mean, std**2)."""
    _check_writable(self)
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={_number(std)}")
    _check_floating(self, "log_normal_cpu")
    if not self._data.size:
        return self
    generator = _generator(generator)
    return _fill(self, lambda count: _libm(math.exp, _scalar_normals(generator, count, mean,
                                                                     std)),
                 "LogNormalBackward0")


@method("cauchy_")
def cauchy_(self: Tensor, median: float = 0, sigma: float = 1, *, generator=None) -> Tensor:
    """Fill with samples of the Cauchy distribution."""
    _check_writable(self)
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={_number(sigma)}")
    if not self._dtype.is_floating_point:
        raise RuntimeError("Cauchy distribution is a continuous probability distribution. "
                           f"dtype must be a floating point but you specified "
                           f"{self._dtype._cpp_name}")
    if not self._data.size:
        return self
    generator = _generator(generator)
    return _fill(self, lambda count: _fma64(sigma, _libm(
        math.tan, math.pi * (_uniform_float64(generator, count) - 0.5)), median),
        "CauchyBackward0")


# --- multinomial ------------------------------------------------------------------------------


@method("multinomial")
def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,
                generator=None, out=None) -> Tensor:
    """Indices drawn from the categorical distribution in each row of ``input`` (weights,
    not necessarily normalized)."""
    if input._data.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if not input._dtype.is_floating_point:
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{input._dtype._legacy_name}")
    if out is not None and out._dtype is not _dtype.int64:
        raise RuntimeError(f"multinomial expects Long tensor out, got: "
                           f"{out._dtype._legacy_name}")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    categories = input._data.shape[-1]
    if not replacement and num_samples > categories:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    if categories > 1 << 24:
        raise RuntimeError("number of categories cannot exceed 2^24")
    shape = (num_samples,) if input._data.ndim == 1 else (input._data.shape[0], num_samples)
    if math.prod(shape) == 0:
        return _finish_multinomial(_cpu.empty(shape, _cpu.int64), out)
    weights = input._data
    rows = weights.reshape(-1, categories)
    generator = _generator(generator)
    if not replacement or num_samples == 1:
        if not (_cpu.isfinite(weights).all() and (weights >= 0).all()):
            raise RuntimeError("probability tensor contains either `inf`, `nan` or element "
                               "< 0")
        if (rows.sum(axis=1, dtype=_F64) == 0).any():
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        return _finish_multinomial(_without_replacement(input, generator, num_samples)
                                   .reshape(shape), out)
    # Row by row (a bad row raises after the rows before it have drawn): the running sum in
    # the input's precision (float for 16-bit types) divided by the total, its last entry set
    # to 1; each sample is the first entry >= a uniform double.
    kind = _F32 if input._dtype in _REDUCED else weights.dtype
    result = _cpu.empty((rows.shape[0], num_samples), _cpu.int64)
    for index, row in enumerate(rows.astype(kind)):
        negative, infinite = ~(row >= 0), ~_cpu.isfinite(row)
        if (negative | infinite).any():  # the first bad entry names the error
            first = int(_cpu.argmax(negative | infinite))
            raise RuntimeError("invalid multinomial distribution (encountering probability "
                               "entry " + ("< 0)" if negative[first] else
                                           "= infinity or NaN)"))
        running = _cpu.cumsum(row, dtype=kind)
        if not running[-1] > 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        cumulative = running / running[-1]
        cumulative[-1] = 1
        uniforms = _uniform_float64(generator, num_samples)
        result[index] = _cpu.searchsorted(cumulative.astype(_F64), uniforms, "left")
    return _finish_multinomial(result.reshape(shape), out)


def _without_replacement(input: Tensor, generator, num_samples):
    """The exponential race: the largest ``weight / q`` with q ~ Exp(1), q drawn into a
    tensor laid out as ``input``."""
    data = input._data
    uniforms = _uniform_float64(generator, data.size)
    # q is empty_like(input): dense, its dims in the order of the input's strides.
    q = _arrange(data, (-1.0) * _libm(math.log1p, -uniforms))
    q = _cast_array(q, input._dtype)  # stored in the input's dtype, then divided in float
    compute = _F32 if input._dtype in _REDUCED else q.dtype
    with _cpu.errstate(divide="ignore", invalid="ignore"):
        keys = _cast_array(data.astype(compute) / q.astype(compute), input._dtype)
    keys = keys.reshape(-1, data.shape[-1]).astype(_F64)
    if num_samples == 1:
        return _cpu.argmax(keys, axis=1).reshape(-1, 1)
    # topk of the keys: equal keys in the order its C++ selection leaves them (see Note [Tie
    # order of sort, topk and kthvalue] in ember/ops/_tie_order.py)
    return topk_order(keys, num_samples, True, True)


def _finish_multinomial(indices, out):
    result = _make(_cpu.ascontiguousarray(indices, dtype=_cpu.int64), _dtype.int64)
    if out is not None:
        if out._data.shape != result._data.shape:
            out.resize_(result._data.shape)
        check_no_internal_overlap(out)
        out._data[...] = result._data
        out._bump_version()
        return out
    return result


# --- poisson ----------------------------------------------------------------------------------


def _load_lgamma():
    """The C library's lgamma (Python's math.lgamma is its own approximation)."""
    try:
        library = ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6")
        function = library.lgamma
    except (OSError, AttributeError):
        return math.lgamma
    function.restype = ctypes.c_double
    function.argtypes = (ctypes.c_double,)
    return function


_lgamma = _load_lgamma()


def _as_int64(value) -> int:
    """C++'s conversion of a double to int64 on x86: out of range (or NaN) gives INT64_MIN."""
    return int(value) if -2.0**63 <= value < 2.0**63 else -(1 << 63)


def _sample_poisson(rate: float, uniforms) -> float:
    """One draw of PyTorch's Poisson sampler: Knuth's product of uniforms below 10, the
    transformed rejection of Hoermann (1993) from 10 on."""
    if rate >= 10:
        slam, loglam = math.sqrt(rate), math.log(rate)
        b = 0.931 + 2.53 * slam
        a = -0.059 + 0.02483 * b
        invalpha = 1.1239 + 1.1328 / (b - 3.4)
        vr = 0.9277 - 3.6224 / (b - 2)
        while True:
            u = uniforms.next() - 0.5
            v = uniforms.next()
            us = 0.5 - abs(u)
            k = (2 * a / us + b) * u + rate + 0.43
            k = math.floor(k) if math.isfinite(k) else k
            if us >= 0.07 and v <= vr:
                return _as_int64(k)
            if k < 0 or (us < 0.013 and v > us):
                continue
            if (math.log(v) + math.log(invalpha) - math.log(a / (us * us) + b)
                    <= -rate + k * loglam - _lgamma(k + 1.0)):
                return _as_int64(k)
    if rate == 0:
        return 0
    limit = math.exp(-rate)
    count, product = 0, 1.0
    while True:
        product *= uniforms.next()
        if product > limit:
            count += 1
        else:
            return count


def poisson(input: Tensor, generator=None) -> Tensor:
    """Draws of the Poisson distribution with the rates in ``input``. PyTorch's sampler is
    sequential (each draw takes as many uniforms as its rejection loop needs), so the draws
    are made one element at a time from uniforms read in chunks."""
    if input._dtype not in (_dtype.float32, _dtype.float64):
        raise NotImplementedError(f"\"poisson_cpu\" not implemented for "
                                  f"'{input._dtype._legacy_name}'")
    rates = _cpu.ascontiguousarray(input._data).astype(_F64).reshape(-1)
    if (rates < 0).any() or _cpu.isnan(rates).any():
        # PyTorch checks each rate as it reaches it: the draws before it are made.
        bad = int(_cpu.argmax((rates < 0) | _cpu.isnan(rates)))
        _poisson_draws(rates[:bad], _generator(generator))
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    values = _poisson_draws(rates, _generator(generator))
    result = _make(values.astype(input._dtype._np).reshape(input._data.shape), input._dtype,
                   input._device)
    if needs_grad(input):
        record_op("PoissonBackward0", (_zero_gradient,), (input,), (result,), {})
    return result


def _poisson_draws(rates, generator):
    uniforms = _Uniforms(generator)
    try:
        return _cpu.array([_sample_poisson(rate, uniforms) for rate in rates.tolist()],
                          dtype=_F64)
    finally:
        uniforms.close()


# --- randperm ---------------------------------------------------------------------------------

_SMALL_PERMUTATION = 0xFFFFFFFF // 20  # below it, 32-bit draws and a forward Fisher-Yates


def randperm(n: int, *, generator=None, out=None, dtype=None, layout=None, device=None,
             pin_memory=False, requires_grad=False) -> Tensor:
    """A random permutation of 0 .. n-1."""
    _check_dtype_argument("randperm", dtype)
    if isinstance(n, builtins.bool) or not isinstance(n, builtins.int | _cpu.integer):
        raise TypeError(f"randperm(): argument 'n' (position 1) must be int, not "
                        f"{type(n).__name__}")
    n = int(n)
    if out is None and n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    if n < 0:
        raise RuntimeError(f"n must be non-negative, got{n}")
    dtype = dtype or (out._dtype if out is not None else _dtype.int64)
    if dtype is _dtype.bool or dtype.is_complex:
        raise NotImplementedError(f"\"randperm\" not implemented for '{dtype._legacy_name}'")
    if dtype.is_floating_point:
        digits = _cpu.finfo(dtype._np).nmant + 1
        if n > (1 << digits) + 1 and dtype is not _dtype.bfloat16:  # PyTorch skips bfloat16
            raise RuntimeError(f"n cannot be greater than {(1 << digits) + 1} for "
                               f"{dtype._legacy_name} type.")
    elif n - 1 > int(_cpu.iinfo(dtype._np).max):
        raise RuntimeError(f"value cannot be converted to type {_C_NAMES[dtype]} without "
                           "overflow")
    permutation = _permutation(n, _generator(generator))
    data = _cast_array(permutation, dtype)
    if out is not None:
        return write_out(out, _make(data, dtype))
    return _finish_factory(data, dtype, _factory_device(device), requires_grad)


def _permutation(n, generator):
    """PyTorch's shuffle: below 2**32 / 20, step i swaps positions i and i + r_i % (n - i)
    with 32-bit draws r_i; from there on, an "inside-out" shuffle with 64-bit draws."""
    if n < _SMALL_PERMUTATION:
        if n <= 1:
            return _cpu.arange(n, dtype=_cpu.int64)
        steps = _cpu.arange(n - 1, dtype=_cpu.int64)
        targets = steps + (generator._random32(n - 1).astype(_cpu.int64) %
                           _cpu.arange(n, 1, -1, dtype=_cpu.int64))
        return _swaps_result(n, steps, targets)
    # Never reached by tests (it needs 2**28 elements); sequential, as written in PyTorch.
    values = list(range(n))
    picks = (generator._random64(n) % _cpu.arange(1, n + 1, dtype=_cpu.uint64)).tolist()
    for i, j in enumerate(picks):
        values[i] = values[j]
        values[j] = i
    return _cpu.array(values, dtype=_cpu.int64)


def _swaps_result(n, steps, targets):
    """The array left by swapping positions ``steps[i]`` and ``targets[i] >= steps[i]`` in
    turn, starting from 0 .. n-1, without a sequential loop.

    Position t is final once step t has run, and before it only steps k < t with target t
    wrote there (each such step moved the value then at position k). So the value at
    position t when step t starts, W(t), is W(k) for the last such k, or t if there is none:
    a forest whose roots pointer jumping finds. Step t then takes the value at its target:
    W(t) if the target is t itself, else W(k) for the last earlier step k with the same
    target, or the target's own index if no earlier step wrote there."""
    keys = _cpu.sort(targets * n + steps)  # steps grouped by target, in order
    grouped_targets, grouped_steps = keys // n, keys % n
    same_as_previous = grouped_targets[1:] == grouped_targets[:-1]
    earlier = _cpu.full(n - 1, -1, dtype=_cpu.int64)  # the last earlier step, same target
    earlier[grouped_steps[1:][same_as_previous]] = grouped_steps[:-1][same_as_previous]
    # The last step before t that targets t: the last of t's group, unless that is step t
    # itself (targets are never below their step), in which case the one before it.
    ends = _cpu.flatnonzero(_cpu.append(~same_as_previous, True))
    last_step, group_target = grouped_steps[ends], grouped_targets[ends]
    writer = _cpu.full(n, -1, dtype=_cpu.int64)
    writer[group_target] = _cpu.where(last_step == group_target,
                                      earlier[_cpu.minimum(last_step, n - 2)], last_step)
    positions = _cpu.arange(n, dtype=_cpu.int64)
    root = _cpu.where(writer >= 0, writer, positions)
    while True:
        jumped = root[root]
        if _cpu.array_equal(jumped, root):
            break
        root = jumped
    result = _cpu.empty(n, dtype=_cpu.int64)
    result[-1] = root[-1]
    result[:-1] = _cpu.where(targets == steps, root[steps],
                             _cpu.where(earlier >= 0, root[_cpu.maximum(earlier, 0)],
                                        targets))
    return result
