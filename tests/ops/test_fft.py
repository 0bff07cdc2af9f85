"""The ``torch.fft`` table: every transform against torch over every dtype (half precision
refused as torch refuses it on the CPU), with ``n`` / ``s`` cutting and padding, ``dim``,
the three normalizations, transposed, non-contiguous and empty inputs, ``out=``, the
frequency helpers and the shifts, and the errors for bad sizes, dims and dtypes."""

from __future__ import annotations

import pytest

from .op_table import (
    ALL_DTYPES,
    COMPLEX_DTYPES,
    DType,
    ErrorInput,
    OpInfo,
    Sample,
    arr,
    table_tests,
)

NOT_HALF = tuple(d for d in ALL_DTYPES if d not in ("float16", "bfloat16"))
REAL_NOT_HALF = tuple(d for d in NOT_HALF if d not in COMPLEX_DTYPES)
T, N, C = "transposed", "noncontiguous", "contiguous"
# pocketfft in NumPy and torch's kernels round differently: a few ulps of the largest value
TOLERANCES = {"float32": (1e-5, 2e-5), "complex64": (1e-5, 2e-5), "float64": (1e-7, 1e-9),
              "complex128": (1e-7, 1e-9)}

# (shape, layout, kwargs) of the one-dim transforms
ONE_DIM = [
    ((8,), C, {}),
    ((3, 5), C, {}),
    ((3, 5), T, {"dim": 0}),
    ((4, 6), N, {"dim": -1}),
    ((2, 3, 4), C, {"dim": 1, "n": 5}),
    ((2, 3, 4), C, {"n": 2}),
    ((6,), C, {"norm": "ortho"}),
    ((6,), C, {"norm": "forward"}),
    ((6,), C, {"norm": "backward", "n": 9}),
    ((1,), C, {}),
    ((0,), C, {}),
    ((2, 0), C, {"dim": 0}),
]

N_DIM = [
    ((4, 6), C, {}),
    ((2, 3, 4), C, {}),
    ((2, 3, 4), T, {"dim": (0, 2)}),
    ((3, 4, 5), C, {"dim": (2, 0)}),
    ((3, 4), N, {"s": (5, 3)}),
    ((2, 3, 4), C, {"s": (2, -1), "dim": (0, 1)}),
    ((2, 3, 4), C, {"s": (3,)}),
    ((3, 4), C, {"norm": "ortho"}),
    ((3, 4), C, {"norm": "forward", "dim": 0}),
    ((0, 3), C, {}),
]

TWO_DIM = [
    ((4, 6), C, {}),
    ((2, 3, 4), T, {}),
    ((2, 3, 4), C, {"dim": (0, 2), "s": (3, 3)}),
    ((3, 4), N, {"norm": "ortho"}),
    ((3, 4), C, {"norm": "forward", "s": (2, 6)}),
]


def _samples(cases):
    def samples(dtype, rng):
        for shape, layout, kwargs in cases:
            yield Sample((arr(shape, dtype, rng, layout, low=-2, high=2),), dict(kwargs),
                         name=f"{shape} {layout} {kwargs}")

    return samples


def _errors(name, one_dim):
    def errors(rng):
        f32 = "float32"
        x = arr((4, 3), f32, rng)
        yield ErrorInput(Sample((arr((4, 3), "float16", rng),)), RuntimeError,
                         "Unsupported dtype Half")
        yield ErrorInput(Sample((x,), {"norm": "sideways"}), RuntimeError,
                         'Invalid normalization mode: "sideways"')
        if one_dim:
            yield ErrorInput(Sample((x,), {"n": 0}), RuntimeError,
                             r"Invalid number of data points \(0\) specified")
            yield ErrorInput(Sample((x,), {"dim": 2}), IndexError)
            yield ErrorInput(Sample((arr((), f32, rng),)), IndexError)
        else:
            yield ErrorInput(Sample((x,), {"s": (2, 2, 2)}), RuntimeError,
                             "Got shape with 3 values but input tensor only has 2 dimensions.")
            yield ErrorInput(Sample((x,), {"s": (2, 2), "dim": (0,)}), RuntimeError,
                             "When given, dim and shape arguments must have the same length")
            yield ErrorInput(Sample((x,), {"dim": (0, 0)}), RuntimeError,
                             "FFT dims must be unique")
            yield ErrorInput(Sample((x,), {"s": (0, 2)}), RuntimeError,
                             r"Invalid number of data points \(0\) specified")
        if name in ("rfft", "ihfft", "rfftn", "rfft2", "ihfftn", "ihfft2"):
            yield ErrorInput(Sample((arr((4, 3), "complex64", rng),)), RuntimeError)
        if name in ("irfft", "hfft", "irfftn", "irfft2", "hfftn", "hfft2"):
            yield ErrorInput(Sample((arr((4, 3), "complex64", rng),),
                                    {"out": arr((4, 4), "complex64", rng)}), RuntimeError,
                             "expects a floating point output tensor, but got ComplexFloat")
        elif name not in ("rfftn", "rfft2", "ihfftn", "ihfft2"):
            yield ErrorInput(Sample((x,), {"out": arr((4, 3), f32, rng)}), RuntimeError)

    return errors


def _resolved(name):
    """Call ``lib.fft.name``; torch marks some results conjugate (a lazy view), which
    reading their values resolves."""

    def call(lib, *args, **kwargs):
        return getattr(lib.fft, name)(*args, **kwargs).resolve_conj()

    return call


def _fft_op(name, cases, dtypes, one_dim):
    return OpInfo(name, _samples(cases), dtypes=dtypes, method=False, inplace=False,
                  errors=_errors(name, one_dim), tolerances=TOLERANCES, call=_resolved(name))


TRANSFORMS = [
    *(_fft_op(name, ONE_DIM, NOT_HALF, True) for name in ("fft", "ifft", "irfft", "hfft")),
    *(_fft_op(name, ONE_DIM, REAL_NOT_HALF, True) for name in ("rfft", "ihfft")),
    *(_fft_op(name, N_DIM, NOT_HALF, False) for name in ("fftn", "ifftn", "irfftn", "hfftn")),
    *(_fft_op(name, N_DIM, REAL_NOT_HALF, False) for name in ("rfftn", "ihfftn")),
    *(_fft_op(name, TWO_DIM, NOT_HALF, False) for name in ("fft2", "ifft2", "irfft2", "hfft2")),
    *(_fft_op(name, TWO_DIM, REAL_NOT_HALF, False) for name in ("rfft2", "ihfft2")),
]


def _frequency_samples(dtype, rng):
    for n in (1, 2, 5, 8):
        yield Sample((n,), {"dtype": DType(dtype)}, name=f"n={n}")
        yield Sample((n, 0.3), {"dtype": DType(dtype)}, name=f"n={n}, d=0.3")
    yield Sample((0,), {"dtype": DType(dtype)}, name="n=0")


def _frequency_errors(rng):
    yield ErrorInput(Sample((5,), {"dtype": DType("int64")}), RuntimeError,
                     "requires a floating point or complex dtype")


FLOATING = ("float16", "bfloat16", "float32", "float64")


def _shift_samples(dtype, rng):
    yield Sample((arr((5,), dtype, rng),), name="1-d")
    yield Sample((arr((4, 5), dtype, rng, T),), name="transposed")
    yield Sample((arr((4, 5), dtype, rng),), {"dim": 1}, name="dim=1")
    yield Sample((arr((3, 4, 5), dtype, rng, N),), {"dim": (0, -1)}, name="dims")
    yield Sample((arr((0, 3), dtype, rng),), name="empty")


def _shift_errors(rng):
    yield ErrorInput(Sample((arr((), "float32", rng),)), RuntimeError, "`shifts` required")
    yield ErrorInput(Sample((arr((3,), "float32", rng),), {"dim": 1}), IndexError)


def _fft_module_call(name):
    return lambda lib, *args, **kwargs: getattr(lib.fft, name)(*args, **kwargs)


HELPERS = [
    OpInfo("fftfreq", _frequency_samples, dtypes=FLOATING, method=False, inplace=False,
           out=False, errors=_frequency_errors, call=_fft_module_call("fftfreq")),
    OpInfo("rfftfreq", _frequency_samples, dtypes=FLOATING, method=False, inplace=False,
           out=False, errors=_frequency_errors, call=_fft_module_call("rfftfreq")),
    OpInfo("fftshift", _shift_samples, method=False, inplace=False, out=False,
           errors=_shift_errors, call=_fft_module_call("fftshift")),
    OpInfo("ifftshift", _shift_samples, method=False, inplace=False, out=False,
           errors=_shift_errors, call=_fft_module_call("ifftshift")),
]

TABLE = TRANSFORMS + HELPERS


# Every integer dtype takes the same path (promotion to the default float dtype): one of
# them stands for all, which keeps the table fast.
TESTED_DTYPES = ("bool", "int32", "float16", "bfloat16", "float32", "float64", "complex64",
                 "complex128")


test_function, test_no_method, test_out, test_errors = table_tests(
    TABLE, ("function", "no_method", "out", "errors"), ops={"out": TRANSFORMS},
    dtypes={"function": TESTED_DTYPES, "out": ("float64", "complex64")}, max_samples=4)


@pytest.mark.parametrize("name", ["fftfreq", "rfftfreq"])
def test_frequencies_out(name):
    """``out=`` decides the dtype of the frequencies."""
    import numpy as np
    import torch

    import ember

    for dtype in ("float16", "float32", "float64"):
        torch_out = torch.zeros(0, dtype=getattr(torch, dtype))
        ember_out = ember.zeros(0, dtype=getattr(ember, dtype))
        assert getattr(ember.fft, name)(6, 0.5, out=ember_out) is ember_out
        getattr(torch.fft, name)(6, 0.5, out=torch_out)
        np.testing.assert_allclose(ember_out.numpy(), torch_out.numpy(), rtol=1e-6)
        assert tuple(ember_out.shape) == tuple(torch_out.shape)


def test_functions_live_in_the_fft_module():
    """``ember.fft`` is the module: its functions do not shadow it in ember's namespace."""
    import types

    import ember

    assert isinstance(ember.fft, types.ModuleType)
    assert callable(ember.fft.fft)
