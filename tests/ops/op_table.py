"""The op table harness: sample inputs described once as NumPy data, built identically in
ember and in torch (the oracle), and one comparison of what the two libraries do with them.

In the spirit of PyTorch's OpInfo: an ``OpInfo`` names an op, says which forms it has (method,
in-place, ``out=``), which dtypes it supports and how to make its sample and error inputs.
Every check runs the same call in both libraries and compares the *outcome*: the value
(values, dtype, shape, strides), or the exception type, and the warning categories.
"""

from __future__ import annotations

import math
import re
import warnings
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import ml_dtypes
import numpy as np
import pytest
import torch

import ember

ALL_DTYPES = ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16",
              "float32", "float64", "complex64", "complex128")
INT_DTYPES = ("uint8", "int8", "int16", "int32", "int64")
INTEGRAL_DTYPES = ("bool", *INT_DTYPES)
NON_BOOL = tuple(d for d in ALL_DTYPES if d != "bool")
FLOAT_DTYPES = ("float16", "bfloat16", "float32", "float64")
COMPLEX_DTYPES = ("complex64", "complex128")
REAL_DTYPES = INTEGRAL_DTYPES + FLOAT_DTYPES
INEXACT_DTYPES = FLOAT_DTYPES + COMPLEX_DTYPES

# Tolerances per result dtype, as torch.testing uses them: ember computes half precision in
# float32 and rounds once like torch, so differences are the transcendental kernels' ulps.
_TOLERANCES = {
    "float16": (1e-3, 1e-5), "bfloat16": (1.6e-2, 1e-5), "float32": (1.3e-6, 1e-5),
    "float64": (1e-7, 1e-7), "complex64": (1.3e-6, 1e-5), "complex128": (1e-7, 1e-7),
}


# --- describing inputs ------------------------------------------------------------------------


@dataclass(frozen=True)
class Arr:
    """A tensor to build in both libraries: its logical ``values`` (a NumPy array; bfloat16
    values are held as float32), its dtype name, and how it is laid out in memory.

    ``layout`` is "contiguous", "noncontiguous" (a stride-2 view of a buffer twice as long in
    the last dim) or "transposed" (the transpose of a contiguous tensor of swapped shape).
    """

    values: np.ndarray
    dtype: str
    layout: str = "contiguous"

    def __repr__(self):
        layout = "" if self.layout == "contiguous" else f", {self.layout}"
        return f"Arr({list(self.values.shape)}, {self.dtype}{layout})"


def _np_dtype(dtype: str):
    return np.dtype("float32" if dtype == "bfloat16" else dtype)


def make_values(shape, dtype: str, rng: np.random.Generator, *, low=None, high=None,
                nonzero=False, special=False) -> np.ndarray:
    """Random values of ``dtype`` (bfloat16 as exactly representable float32). ``special``
    mixes in NaN, infinities and signed zeros; ``nonzero`` avoids zeros."""
    shape = tuple(shape)
    if dtype == "bool":
        values = rng.integers(0, 2, shape).astype(bool)
        return np.ones(shape, bool) if nonzero else values
    if dtype in INT_DTYPES:
        lo = (0 if dtype == "uint8" else -9) if low is None else low
        hi = 9 if high is None else high
        values = np.asarray(rng.integers(lo, hi + 1, shape))
        if nonzero:
            values[values == 0] = 1
        return values.astype(dtype)
    lo = -5.0 if low is None else low
    hi = 5.0 if high is None else high
    values = np.asarray(rng.uniform(lo, hi, shape))
    if dtype in COMPLEX_DTYPES:
        values = values + 1j * rng.uniform(lo, hi, shape)
    if special and values.size:
        specials = [math.nan, math.inf, -math.inf, 0.0, -0.0]
        flat = values.reshape(-1)
        for position, value in zip(range(0, flat.size, 2), specials):
            flat[position] = value
    values = np.asarray(values)
    if nonzero:
        values[values == 0] = 1
    if dtype == "bfloat16":
        return values.astype(ml_dtypes.bfloat16).astype(np.float32)
    return values.astype(dtype)


def arr(shape, dtype: str, rng, layout="contiguous", **value_options) -> Arr:
    return Arr(make_values(shape, dtype, rng, **value_options), dtype, layout)


def layout_inputs(dtype: str, rng, **value_options):
    """(input, description) pairs of ``dtype`` over the usual layouts and ranks: 2-d,
    transposed 3-d, non-contiguous, 1-d, 0-dim and zero-size."""

    def a(shape, layout="contiguous"):
        return arr(shape, dtype, rng, layout, **value_options)

    yield a((3, 4)), "2-d"
    yield a((2, 3, 4), "transposed"), "transposed 3-d"
    yield a((3, 4), "noncontiguous"), "non-contiguous"
    yield a((5,)), "1-d"
    yield a(()), "0-dim"
    yield a((0, 3)), "zero-size"


@dataclass(frozen=True)
class DType:
    """A dtype argument (``dtype=``), built as each library's own dtype object."""

    name: str

    def __repr__(self):
        return self.name


@dataclass
class Sample:
    """Positional ``args`` (``Arr`` objects, sequences of them, or plain Python values) and
    ``kwargs`` of one call; ``name`` says what the sample exercises."""

    args: tuple
    kwargs: dict = field(default_factory=dict)
    name: str = ""

    def __repr__(self):
        return f"Sample({self.name}: {self.args!r}, {self.kwargs!r})"


@dataclass
class ErrorInput:
    """A sample that must raise ``error`` in both libraries; ``match`` (a regex) is checked
    against ember's message where ember intends to say what torch says."""

    sample: Sample
    error: type
    match: str | None = None


@dataclass
class OpInfo:
    """One op of the table.

    ``samples(dtype, rng)`` yields the samples for inputs of ``dtype``. ``dtypes`` are the
    dtypes torch supports for the op; for the others, both libraries must raise the same
    exception. ``errors(rng)`` yields ``ErrorInput`` objects. ``call`` / ``call_method``
    override how the function / method is called (given the library module and the built
    args); ``method`` / ``inplace`` / ``out`` say which forms the op has. ``tolerances``
    maps a dtype name to the (rtol, atol) of ops less accurate than the dtype's default. ``xfails`` maps a test name to ``{dtype: reason}``
    (dtype None meaning every dtype) for known mismatches.
    """

    name: str
    samples: Callable
    variant: str = ""
    dtypes: Sequence[str] = ALL_DTYPES
    errors: Callable | None = None
    method: bool = True
    inplace: bool = True
    out: bool = True
    aliases: Sequence[str] = ()
    call: Callable | None = None
    call_method: Callable | None = None
    check_stride: bool = True
    tolerances: dict = field(default_factory=dict)
    xfails: dict = field(default_factory=dict)

    def function(self, lib):
        return getattr(lib, self.name)

    @property
    def options(self) -> dict:
        """What comparisons of this op's results take (see ``assert_same``)."""
        return {"check_stride": self.check_stride, "tolerances": self.tolerances}

    @property
    def id(self) -> str:
        return f"{self.name}_{self.variant}" if self.variant else self.name


# --- building inputs in a library ---------------------------------------------------------


def _noncontiguous_buffer(values: np.ndarray, dtype: str) -> np.ndarray:
    shape = values.shape
    buffer = np.empty(shape[:-1] + (2 * shape[-1],), _np_dtype(dtype))
    buffer[...] = True if dtype == "bool" else 7  # a sentinel that writes must not touch
    buffer[..., ::2] = values
    return buffer


def build(lib, value):
    """``value`` (an ``Arr``, a list / tuple of them, or a plain value) built in ``lib``
    (the ember or the torch module)."""
    if isinstance(value, Arr):
        return build_with_base(lib, value)[0]
    if isinstance(value, DType):
        return getattr(lib, value.name)
    if isinstance(value, list | tuple):
        return type(value)(build(lib, v) for v in value)
    return value


def build_with_base(lib, spec: Arr):
    """The tensor for ``spec`` and the base tensor that owns its memory."""
    values = spec.values
    if spec.layout == "contiguous":
        buffer = values
    elif spec.layout == "noncontiguous":
        buffer = _noncontiguous_buffer(values, spec.dtype)
    elif spec.layout == "transposed":
        buffer = np.ascontiguousarray(np.swapaxes(values, -1, -2))
    else:
        raise ValueError(spec.layout)
    if buffer.size:
        base = lib.from_numpy(np.array(buffer, _np_dtype(spec.dtype), copy=True))
    else:  # from_numpy keeps NumPy's all-zero strides of empty arrays; ops never make those
        base = lib.zeros(buffer.shape, dtype=getattr(lib, _np_dtype(spec.dtype).name))
    if spec.dtype == "bfloat16":
        base = base.to(lib.bfloat16)
    if spec.layout == "noncontiguous":
        return base[..., ::2], base
    if spec.layout == "transposed":
        return base.transpose(-1, -2), base
    return base, base


def build_args(lib, sample: Sample):
    args = tuple(build(lib, a) for a in sample.args)
    kwargs = {k: build(lib, v) for k, v in sample.kwargs.items()}
    return args, kwargs


def invoke(call: Callable, lib, sample: Sample):
    """``call(lib, *args, **kwargs)`` with ``sample`` built in ``lib``."""
    args, kwargs = build_args(lib, sample)
    return call(lib, *args, **kwargs)


# --- comparing ------------------------------------------------------------------------------


class Where:
    """Where a comparison is, for failure messages: its parts are formatted only when a
    message is (most comparisons pass, and a sample's repr is not free)."""

    __slots__ = ("parts",)

    def __init__(self, *parts):
        self.parts = parts

    def __add__(self, part):
        return Where(*self.parts, part)

    def __str__(self):
        return "".join(str(part) for part in self.parts) + ": "


_NOWHERE = Where()


def to_numpy(tensor) -> np.ndarray:
    """The values of an ember or torch tensor as a NumPy array (half types widened)."""
    if isinstance(tensor, torch.Tensor):
        tensor = tensor.detach()
        if tensor.dtype in (torch.bfloat16, torch.float16):
            return tensor.float().numpy().astype(np.float64)
        return tensor.numpy()
    if tensor.dtype in (ember.float16, ember.bfloat16):
        return tensor._data.astype(np.float64)
    return tensor._data


def _assert_values(actual: np.ndarray, expected: np.ndarray, dtype: str, where: str,
                   tolerances=None):
    """Values equal, within the tolerance of ``dtype`` where it is inexact."""
    if actual.tobytes() == expected.tobytes():  # the usual case, and the cheapest test
        return
    if dtype in _TOLERANCES:
        rtol, atol = (tolerances or {}).get(dtype, _TOLERANCES[dtype])
        if np.iscomplexobj(expected):
            # Within tolerance of the magnitude where both are finite (as torch.isclose);
            # elsewhere part by part, since |a - b| of infinities is NaN.
            finite = np.isfinite(actual) & np.isfinite(expected)
            with np.errstate(invalid="ignore"):
                near = np.abs(actual - expected) <= atol + rtol * np.abs(expected)
            close = np.where(finite, near, np.isclose(actual.real, expected.real, rtol, atol,
                                                      equal_nan=True)
                             & np.isclose(actual.imag, expected.imag, rtol, atol,
                                          equal_nan=True))
        else:
            close = np.isclose(actual, expected, rtol=rtol, atol=atol, equal_nan=True)
        if not close.all():
            bad = np.argwhere(~close)[:5].tolist()
            raise AssertionError(f"{where}values differ at {bad}:\n ember {actual}\n "
                                 f"torch {expected}")
    elif not np.array_equal(actual, expected):
        raise AssertionError(f"{where}values differ:\n ember {actual}\n torch {expected}")


def assert_same(actual, expected, *, check_stride=True, where=_NOWHERE, precision=None,
                tolerances=None):
    """``actual`` (ember's result) is ``expected`` (torch's): for tensors the same values
    (exact for integral dtypes, within the dtype's tolerance for inexact ones, NaN where
    NaN), dtype, shape and strides; tuples and named tuples element by element; Python
    numbers of the same type and value. ``precision`` names the dtype whose tolerance
    applies when the values were computed in a narrower dtype than they are held in;
    ``tolerances`` overrides the default (rtol, atol) of some dtypes."""
    if isinstance(expected, torch.Tensor):
        assert isinstance(actual, ember.Tensor), f"{where}expected a Tensor, got {actual!r}"
        assert str(actual.dtype) == str(expected.dtype), (
            f"{where}dtype {actual.dtype} != torch's {expected.dtype}")
        assert tuple(actual.shape) == tuple(expected.shape), (
            f"{where}shape {tuple(actual.shape)} != torch's {tuple(expected.shape)}")
        if check_stride:
            assert actual.stride() == expected.stride(), (
                f"{where}stride {actual.stride()} != torch's {expected.stride()} "
                f"(shape {tuple(expected.shape)})")
        dtype = str(expected.dtype)[6:]
        if precision in _TOLERANCES and _TOLERANCES[precision] > _TOLERANCES.get(dtype, ()):
            dtype = precision
        _assert_values(to_numpy(actual), to_numpy(expected), dtype, where, tolerances)
    elif isinstance(expected, tuple | list):
        assert type(actual).__name__ == type(expected).__name__, (
            f"{where}type {type(actual).__name__} != torch's {type(expected).__name__}")
        assert len(actual) == len(expected), f"{where}length {len(actual)} != {len(expected)}"
        if hasattr(expected, "_fields") or hasattr(expected, "n_fields"):
            assert type(actual).__module__ == "torch.return_types"
        for index, (a, e) in enumerate(zip(actual, expected)):
            assert_same(a, e, check_stride=check_stride, where=where + f" [{index}]",
                        precision=precision, tolerances=tolerances)
    elif isinstance(expected, torch.dtype):
        assert str(actual) == str(expected), f"{where}{actual} != torch's {expected}"
    else:
        assert type(actual) is type(expected), (
            f"{where}type {type(actual).__name__} != torch's {type(expected).__name__}")
        if isinstance(expected, float) and math.isnan(expected):
            assert math.isnan(actual), f"{where}{actual} != torch's nan"
        else:
            assert actual == expected, f"{where}{actual!r} != torch's {expected!r}"


@dataclass
class Outcome:
    """What a call did: its ``value`` or its ``error``, and the warning categories."""

    value: object = None
    error: BaseException | None = None
    warned: tuple = ()


# Warnings torch gives only once per process (TORCH_WARN_ONCE), so whether a given call
# shows them depends on test order: they are left out of the comparison.
_ONCE_ONLY_WARNINGS = ("Casting complex values to real discards the imaginary part",)


def _categories(caught) -> tuple:
    return tuple(w.category for w in caught
                 if not str(w.message).startswith(_ONCE_ONLY_WARNINGS))


def run(call: Callable) -> Outcome:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            value = call()
        except Exception as error:  # noqa: BLE001  (any exception is an outcome to compare)
            return Outcome(error=error, warned=_categories(caught))
    return Outcome(value=value, warned=_categories(caught))


def assert_same_outcome(actual: Outcome, expected: Outcome, *, check_stride=True,
                        check_warnings=True, where=_NOWHERE, match=None, precision=None,
                        tolerances=None):
    """ember did what torch did: raised the same exception type (and, if ``match``, a
    message matching it), warned the same categories, or returned the same value."""
    if expected.error is not None:
        if actual.error is None:
            raise AssertionError(f"{where}torch raised {type(expected.error).__name__}: "
                                 f"{expected.error}; ember returned {actual.value!r}")
        if type(actual.error) is not type(expected.error):
            raise AssertionError(
                f"{where}ember raised {type(actual.error).__name__}: {actual.error}; torch "
                f"raised {type(expected.error).__name__}: {expected.error}") from actual.error
    elif actual.error is not None:
        raise AssertionError(f"{where}ember raised {type(actual.error).__name__}: "
                             f"{actual.error}; torch returned {expected.value!r}"
                             ) from actual.error
    else:
        assert_same(actual.value, expected.value, check_stride=check_stride, where=where,
                    precision=precision, tolerances=tolerances)
    if match is not None:
        assert re.search(match, str(actual.error)), (
            f"{where}ember's message {str(actual.error)!r} does not match {match!r}")
    if check_warnings:
        assert set(actual.warned) == set(expected.warned), (
            f"{where}ember warned {actual.warned}, torch warned {expected.warned}")


def compare(call: Callable, sample: Sample, **options):
    """Run ``call(lib, args, kwargs)`` with ``sample`` built in each library and compare."""
    expected = run(lambda: invoke(call, torch, sample))
    actual = run(lambda: invoke(call, ember, sample))
    assert_same_outcome(actual, expected, where=Where(sample), **options)
    return actual, expected


# --- the checks every op of a table goes through --------------------------------------------


def rng_for(*key) -> np.random.Generator:
    """A generator seeded by ``key``, so every test sees the same samples on every run."""
    return np.random.default_rng(zlib.crc32(repr(key).encode()))


def op_params(table, test: str, dtypes=ALL_DTYPES):
    """pytest parameters (op, dtype) for ``test``, with the table's strict xfails."""
    params = []
    for op in table:
        reasons = op.xfails.get(test, {})
        for dtype in dtypes:
            reason = reasons.get(dtype) or reasons.get(None)
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            params.append(pytest.param(op, dtype, id=f"{op.id}-{dtype}", marks=marks))
    return params


def _call_function(op):
    return _call_named(op.name)


def _call_named(name):
    def call(lib, *args, **kwargs):
        return getattr(lib, name)(*args, **kwargs)

    return call


def _call_method(name):
    def call(lib, self, *args, **kwargs):
        return getattr(self, name)(*args, **kwargs)

    return call


def check_function(op: OpInfo, dtype: str):
    """The function form agrees with torch on every sample, and the table's dtypes are the
    ones torch supports (judged on the first sample)."""
    call = op.call or _call_function(op)
    for index, sample in enumerate(op.samples(dtype, rng_for(op.id, dtype))):
        _, expected = compare(call, sample, **op.options)
        if index == 0:
            supported = expected.error is None
            assert supported == (dtype in op.dtypes), (
                f"the table says {op.name} {'supports' if dtype in op.dtypes else 'refuses'} "
                f"{dtype}, torch {'returned' if supported else 'raised ' + repr(expected.error)}")


def check_aliases(op: OpInfo, dtype: str):
    samples = list(op.samples(dtype, rng_for(op.id, dtype)))[:4]
    for alias in op.aliases:
        for sample in samples:
            compare(_call_named(alias), sample, **op.options)
            if op.method and isinstance(sample.args[0], Arr):
                compare(_call_method(alias), sample, **op.options)


def check_method(op: OpInfo, dtype: str):
    assert hasattr(ember.Tensor, op.name) == op.method == hasattr(torch.Tensor, op.name)
    if not op.method:
        return
    call = op.call_method or _call_method(op.name)
    # The method is the function bound to its first argument: a third of the samples (all
    # the structural ones lead the list) show it takes the same path.
    for index, sample in enumerate(op.samples(dtype, rng_for(op.id, dtype))):
        if isinstance(sample.args[0], Arr) and (index < 12 or index % 3 == 0):
            compare(call, sample, **op.options)


def check_inplace(op: OpInfo, dtype: str):
    """``x.name_(...)`` does what torch's does, returns ``x`` itself, and writes only
    through ``x`` (the rest of a non-contiguous input's buffer is untouched)."""
    name = op.name + "_"
    assert hasattr(ember.Tensor, name) == op.inplace == hasattr(torch.Tensor, name)
    if not op.inplace:
        return
    for sample in op.samples(dtype, rng_for(op.id, dtype)):
        if not isinstance(sample.args[0], Arr):
            continue
        built = {}
        for lib in (torch, ember):
            args, kwargs = build_args(lib, Sample(sample.args[1:], sample.kwargs))
            target, base = build_with_base(lib, sample.args[0])
            outcome = run(lambda: getattr(target, name)(*args, **kwargs))  # noqa: B023
            built[lib] = outcome, target, base
        (actual, target, base), (expected, torch_target, torch_base) = built[ember], built[torch]
        where = Where(name, " ", sample)
        assert_same_outcome(actual, expected, where=where, **op.options)
        if expected.error is None:
            assert actual.value is target, f"{where}did not return self"
            assert_same(target, torch_target, where=where, **op.options)
            assert_same(base, torch_base, where=where + " (base)", **op.options)


def _out_like(lib, result, dtype=None, shape=None, layout="contiguous"):
    """An ``out=`` argument for ``result`` (a tensor or a tuple of them)."""
    if isinstance(result, tuple):
        return tuple(_out_like(lib, r, dtype, shape, layout) for r in result)
    dtype = getattr(lib, dtype or str(result.dtype)[6:])
    shape = tuple(result.shape) if shape is None else shape
    if layout == "noncontiguous" and shape:
        base = lib.zeros(shape[:-1] + (2 * shape[-1],), dtype=dtype)
        return base[..., ::2]
    return lib.zeros(shape, dtype=dtype)


def _out_variants(result, first: bool):
    """(description, shape, dtype, layout) of the ``out=`` tensors tried for ``result``."""
    yield "exact", None, None, "contiguous"
    yield "empty", (0,), None, "contiguous"
    if first:
        yield "resized", (7,), None, "contiguous"
        yield "noncontiguous", None, None, "noncontiguous"
        for dtype in ALL_DTYPES:
            yield f"dtype {dtype}", None, dtype, "contiguous"


def check_out(op: OpInfo, dtype: str, max_samples: int = 16):
    """``out=`` into a tensor of the right size, an empty one, a wrongly sized one (torch
    warns on resizing a non-empty out), a non-contiguous one and one of every dtype (a cast
    to a lower kind raises); the op returns ``out`` itself. Ops without ``out=`` refuse it."""
    call = op.call or _call_function(op)
    samples = list(op.samples(dtype, rng_for(op.id, dtype)))[:max_samples]
    for index, sample in enumerate(samples):
        expected = run(lambda: invoke(call, torch, sample))  # noqa: B023
        if expected.error is not None:
            continue
        if not op.out:
            refused, _ = compare(
                lambda lib, *a, **k: call(lib, *a, out=_out_like(lib, expected.value), **k),  # noqa: B023
                sample)
            assert isinstance(refused.error, TypeError), refused
            return
        for description, shape, out_dtype, layout in _out_variants(expected.value, index == 0):
            outs = {}

            def with_out(lib, *args, **kwargs):
                out = outs[lib] = _out_like(lib, expected.value, out_dtype, shape, layout)  # noqa: B023
                return call(lib, *args, out=out, **kwargs)  # noqa: B023

            precision = _precision_of(expected.value)
            actual, torch_result = compare(with_out, sample, precision=precision, **op.options)
            if torch_result.error is None:
                where = Where(f"out={description} ", sample)
                assert _same_objects(actual.value, outs[ember]), f"{where}did not return out"
                assert_same(outs[ember], outs[torch], where=where, precision=precision,
                            **op.options)


def _precision_of(result) -> str:
    """The dtype name whose tolerance applies to ``result`` (a tensor or a tuple) copied
    into an ``out=`` of another dtype."""
    first = result[0] if isinstance(result, tuple) else result
    return str(first.dtype)[6:]


def _same_objects(value, out) -> bool:
    if isinstance(out, tuple):
        return all(v is o for v, o in zip(value, out))
    return value is out


def check_errors(op: OpInfo):
    """Each error input raises the expected exception in torch, and the same in ember."""
    if op.errors is None:
        return
    call = op.call or _call_function(op)
    for error_input in op.errors(rng_for(op.id, "errors")):
        sample = error_input.sample
        expected = run(lambda: invoke(call, torch, sample))  # noqa: B023
        assert type(expected.error) is error_input.error, (
            f"{sample!r}: torch gave {expected.error!r}, the table expects "
            f"{error_input.error.__name__}")
        actual = run(lambda: invoke(call, ember, sample))  # noqa: B023
        assert_same_outcome(actual, expected, where=Where(sample), match=error_input.match)


# --- the tests of a table ---------------------------------------------------------------------

TABLE_FORMS = ("function", "method", "inplace", "out", "errors")


def table_tests(table, forms=TABLE_FORMS, *, ops=None, dtypes=None, max_samples=16):
    """The parametrized tests of an op table, one per entry of ``forms`` and in its order::

        test_function, test_method, test_inplace, test_out, test_errors = table_tests(OPS)

    "function", "method", "inplace" and "out" run check_function / check_method /
    check_inplace / check_out per (op, dtype), with the table's strict xfails (``op_params``);
    "errors" runs check_errors per op (by default the ops that have error inputs);
    "no_method", "no_inplace" and "no_out" check per op, in float32, that a form the op lacks
    is missing alike in both libraries. ``ops`` maps a form to the ops it runs on (default
    the whole table), ``dtypes`` maps a form to its dtypes (default ALL_DTYPES), and
    ``max_samples`` bounds the samples check_out tries.
    """
    ops = ops or {}
    dtypes = dtypes or {}

    def params(form):
        return op_params(ops.get(form, table), form, dtypes.get(form, ALL_DTYPES))

    def per_op(form, default):
        return pytest.mark.parametrize("op", list(ops.get(form, default)), ids=lambda op: op.id)

    checks = {"function": check_function, "method": check_method, "inplace": check_inplace,
              "out": lambda op, dtype: check_out(op, dtype, max_samples=max_samples)}
    missing = {"no_method": check_method, "no_inplace": check_inplace, "no_out": check_out}
    names = {"no_inplace": "test_no_inplace_form"}

    def make(form):
        if form in checks:
            check = checks[form]

            @pytest.mark.parametrize("op, dtype", params(form))
            def test(op, dtype):
                check(op, dtype)
        elif form in missing:
            check = missing[form]

            @per_op(form, table)
            def test(op):
                check(op, "float32")
        elif form == "errors":
            @per_op(form, [op for op in table if op.errors])
            def test(op):
                check_errors(op)
        else:
            raise ValueError(f"unknown table test {form!r}")
        test.__name__ = test.__qualname__ = names.get(form, "test_" + form)
        return test

    unknown = (set(ops) | set(dtypes)) - set(forms)
    if unknown:
        raise ValueError(f"options for tests not made: {sorted(unknown)}")
    return tuple(make(form) for form in forms)
