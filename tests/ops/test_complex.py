"""The complex op table: real / imag and view_as_real / view_as_complex (views with torch's
strides and offsets), angle, conj, conj_physical, complex and polar, against torch."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import ember

from .op_table import (
    COMPLEX_DTYPES,
    ErrorInput,
    OpInfo,
    Sample,
    arr,
    table_tests,
)

PART_DTYPES = ("float32", "float64")


def _unary_samples(dtype, rng):
    def a(shape, layout="contiguous"):
        return arr(shape, dtype, rng, layout)

    yield Sample((a((3, 4)),), name="2-d")
    yield Sample((a((3, 4), "noncontiguous"),), name="non-contiguous")
    yield Sample((a((2, 3, 4), "transposed"),), name="transposed")
    yield Sample((a(()),), name="0-dim")
    yield Sample((a((0, 3)),), name="zero-size")
    if dtype in ("float16", "bfloat16", "float32", "float64", *COMPLEX_DTYPES):
        yield Sample((arr((12,), dtype, rng, special=True),), name="special values")


def _pairs_samples(dtype, rng):
    """Real tensors whose last dim holds (real, imaginary) pairs, in layouts that
    view_as_complex accepts: contiguous, a slice with an even offset, a strided batch."""
    yield Sample((arr((3, 2), dtype, rng),), name="pairs")
    yield Sample((arr((2, 3, 2), dtype, rng),), name="3-d pairs")
    yield Sample((arr((1, 2), dtype, rng),), name="one pair")
    yield Sample((arr((0, 2), dtype, rng),), name="no pairs")


def _parts_samples(dtype, rng):
    def a(shape, layout="contiguous", low=None):
        return arr(shape, dtype, rng, layout, low=low)

    yield Sample((a((3, 4), low=0.0), a((3, 4))), name="same shape")
    yield Sample((a((3, 1), low=0.0), a((4,))), name="broadcast")
    yield Sample((a((3, 4), "noncontiguous", low=0.0), a((3, 4), "transposed")),
                 name="non-contiguous")
    yield Sample((a((), low=0.0), a(())), name="0-dim")
    yield Sample((a((0, 4), low=0.0), a((4,))), name="zero-size")


def _part(name):
    def call_method(lib, x):
        return getattr(x, name)

    return call_method


def _parts_errors(rng):
    f32, f64 = arr((2,), "float32", rng), arr((2,), "float64", rng)
    yield ErrorInput(Sample((f32, f64)), RuntimeError, "Expected object of scalar type Float")
    yield ErrorInput(Sample((arr((2,), "int64", rng), arr((2,), "int64", rng))), RuntimeError,
                     "Expected both inputs to be Half, Float or Double tensors")
    yield ErrorInput(Sample((f32, 1.0)), TypeError)
    yield ErrorInput(Sample((arr((2,), "float32", rng), arr((3,), "float32", rng))),
                     RuntimeError)


def _view_as_complex_errors(rng):
    yield ErrorInput(Sample((arr((3, 3), "float32", rng),)), RuntimeError,
                     "last dimension of size 2")
    yield ErrorInput(Sample((arr((2, 3), "float32", rng, "transposed"),)), RuntimeError,
                     "last dimension of size 2")
    yield ErrorInput(Sample((arr((3, 2), "float32", rng, "transposed"),)), RuntimeError,
                     "last dimension with stride 1")
    yield ErrorInput(Sample((arr((), "float32", rng),)), RuntimeError,
                     "one or more dimensions")
    yield ErrorInput(Sample((arr((2,), "int64", rng),)), RuntimeError,
                     "only supported for half, float and double tensors")


def _view_as_real_errors(rng):
    yield ErrorInput(Sample((arr((3,), "float32", rng),)), RuntimeError,
                     "view_as_real is only supported for complex tensors")


def _imag_errors(rng):
    yield ErrorInput(Sample((arr((3,), "float32", rng),)), RuntimeError,
                     "imag is not implemented for tensors with non-complex dtypes")


COMPLEX_OPS = [
    OpInfo("real", _unary_samples, inplace=False, out=False, call_method=_part("real")),
    OpInfo("imag", _unary_samples, dtypes=COMPLEX_DTYPES, inplace=False, out=False,
           call_method=_part("imag"), errors=_imag_errors),
    OpInfo("view_as_real", _unary_samples, dtypes=COMPLEX_DTYPES, method=False,
           inplace=False, out=False, errors=_view_as_real_errors),
    OpInfo("view_as_complex", _pairs_samples, dtypes=("float32", "float64"), method=False,
           inplace=False, out=False, errors=_view_as_complex_errors,
           xfails={"function": {"float16": "ember has no complex32 dtype"},
                   "out": {"float16": "ember has no complex32 dtype"}}),
    OpInfo("angle", _unary_samples, inplace=False),
    # torch's conj of a complex tensor is lazy (a conjugate bit NumPy cannot read): compared
    # resolved
    OpInfo("conj", _unary_samples, inplace=False, out=False,
           call=lambda lib, x: lib.conj(x).resolve_conj(),
           call_method=lambda lib, x: x.conj().resolve_conj()),
    OpInfo("conj_physical", _unary_samples),
    OpInfo("complex", _parts_samples, dtypes=PART_DTYPES, method=False, inplace=False,
           errors=_parts_errors,
           xfails={"function": {"float16": "ember has no complex32 dtype"},
                   "out": {"float16": "ember has no complex32 dtype"}}),
    OpInfo("polar", _parts_samples, dtypes=PART_DTYPES, method=False, inplace=False,
           errors=_parts_errors,
           xfails={"function": {"float16": "ember has no complex32 dtype"}}),
]


test_function, test_method, test_inplace, test_out, test_errors = table_tests(COMPLEX_OPS)


@pytest.mark.parametrize("dtype", COMPLEX_DTYPES)
def test_parts_are_views_that_write_through(dtype):
    """real / imag / view_as_real share memory: writes reach the complex tensor, and the
    property setters assign a part."""
    results = []
    for L in (torch, ember):
        x = L.tensor(np.array([[1 + 2j, 3 - 4j], [5 + 6j, -7j]]), dtype=getattr(L, dtype))
        view = x.t()[1:]
        assert view.real._base is x and L.view_as_real(view)._base is x
        view.real[0, 1] = 10.0
        view.imag.mul_(2)
        L.view_as_real(x)[0, 0, 1] = -1.0
        x.imag = L.tensor([0.5, 0.25])
        x[1].real = 9
        results.append((x.tolist(), view.real.storage_offset(), view.imag.storage_offset(),
                        view.imag.stride()))
    assert results[0] == results[1]


def test_view_as_complex_of_view_as_real_is_the_same_memory():
    strides = []
    for L in (torch, ember):
        x = L.tensor([[1 + 2j, 3 - 4j]])
        back = L.view_as_complex(L.view_as_real(x.t()))
        back[1, 0] = 7j
        assert x.tolist() == [[1 + 2j, 7j]]
        strides.append(back.stride())
    assert strides[0] == strides[1]


def test_conj_of_a_real_tensor_is_the_tensor_and_nothing_is_lazy():
    for L in (torch, ember):
        x = L.tensor([1.0, 2.0])
        assert L.conj(x) is x and x.resolve_conj() is x and x.real is x
        assert not x.is_conj() and not L.is_conj(x) and not x.is_neg()


def test_conj_of_complex_is_computed_not_lazy():
    """conj of a complex tensor has torch's values, laid out as torch's resolved conjugate
    (ember computes it; see ember/ops/complex.py)."""
    values = [[1 + 2j, 3 - 4j], [5j, 6.0]]
    expected = torch.tensor(values).t().conj().resolve_conj()
    actual = ember.tensor(values).t().conj()
    assert actual.tolist() == expected.tolist() and actual.stride() == expected.stride()
    assert not actual.is_conj()


def test_complex_of_empty_parts():
    for L in (torch, ember):
        result = L.complex(L.zeros(0, 3), L.zeros(3))
        assert tuple(result.shape) == (0, 3) and result.dtype == L.complex64
