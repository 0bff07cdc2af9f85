"""The joining table: cat (and its aliases concat, concatenate), stack, hstack and vstack against
torch, for every dtype, mixed dtypes (promotion), every dim, non-contiguous pieces, skipped
empty 1-D pieces, ``out=``, and their errors."""

from __future__ import annotations

import pytest

from .op_table import (
    ErrorInput,
    OpInfo,
    Sample,
    arr,
    check_aliases,
    check_inplace,
    check_method,
    op_params,
    table_tests,
)

# A few partners for promotion: one per kind, so every pair of kinds meets.
_PARTNERS = ("bool", "uint8", "int64", "float16", "float32", "complex64")


def _cat_samples(dtype, rng):
    def a(shape, layout="contiguous", d=dtype):
        return arr(shape, d, rng, layout)

    yield Sample(([a((2, 3)), a((4, 3))],), name="dim 0")
    yield Sample(([a((2, 3)), a((2, 1)), a((2, 4))], 1), name="dim 1")
    yield Sample(([a((2, 3)), a((2, 2))], -1), name="dim -1")
    yield Sample(((a((2, 3)), a((1, 3))),), name="tuple of tensors")
    yield Sample(([a((2, 3, 4), "transposed"), a((2, 4, 4), "noncontiguous")], 1),
                 name="layouts")
    yield Sample(([a((2, 3), "transposed"), a((2, 3), "transposed")], 0),
                 name="transposed pieces")
    yield Sample(([a((3,))],), name="one tensor")
    yield Sample(([a((0, 3)), a((2, 3))],), name="empty piece")
    yield Sample(([a((2, 3)), a((0,)), a((1, 3))],), name="empty 1-d piece is skipped")
    yield Sample(([a((0,)), a((0,))],), name="only empty 1-d pieces")
    yield Sample(([a((2, 0)), a((2, 3))], 1), name="empty columns")
    for other in _PARTNERS:
        if other != dtype:
            yield Sample(([a((2,)), a((3,), d=other)],), name=f"with {other}")
            yield Sample(([a((0,), d=other), a((2,))],), name=f"after empty {other}")


def _stack_samples(dtype, rng):
    def a(shape, layout="contiguous", d=dtype):
        return arr(shape, d, rng, layout)

    yield Sample(([a((2, 3)), a((2, 3))],), name="dim 0")
    yield Sample(([a((2, 3)), a((2, 3)), a((2, 3))], 1), name="dim 1")
    yield Sample(([a((2, 3)), a((2, 3))], 2), name="new last dim")
    yield Sample(([a((2, 3)), a((2, 3))], -1), name="dim -1")
    yield Sample(([a((3, 2), "transposed"), a((2, 3), "noncontiguous")], 1), name="layouts")
    yield Sample(([a(()), a(())],), name="0-dim")
    yield Sample(([a((0, 3)), a((0, 3))], 1), name="empty")
    for other in _PARTNERS:
        if other != dtype:
            yield Sample(([a((2,)), a((2,), d=other)],), name=f"with {other}")


def _hstack_samples(dtype, rng):
    def a(shape, layout="contiguous", d=dtype):
        return arr(shape, d, rng, layout)

    yield Sample(([a((3,)), a((2,))],), name="1-d")
    yield Sample(([a((2, 3)), a((2, 1))],), name="2-d")
    yield Sample(([a(()), a((2,))],), name="0-dim")
    yield Sample(([a((2, 3), "transposed"), a((2, 2), "noncontiguous")],), name="layouts")
    yield Sample(([a((3,)), a((2,), d="float64")],), name="promotion")


def _vstack_samples(dtype, rng):
    def a(shape, layout="contiguous", d=dtype):
        return arr(shape, d, rng, layout)

    yield Sample(([a((3,)), a((3,))],), name="1-d")
    yield Sample(([a((2, 3)), a((1, 3))],), name="2-d")
    yield Sample(([a(()), a(())],), name="0-dim")
    yield Sample(([a((3,)), a((2, 3))],), name="1-d and 2-d")
    yield Sample(([a((2, 3), "transposed"), a((2, 3), "noncontiguous")],), name="layouts")
    yield Sample(([a((3,)), a((3,), d="int8")],), name="promotion")


def _cat_errors(rng):
    f32 = "float32"
    yield ErrorInput(Sample(([arr((), f32, rng), arr((), f32, rng)],)), RuntimeError,
                     r"zero-dimensional tensor \(at position 0\) cannot be concatenated")
    yield ErrorInput(Sample(([arr((2, 3), f32, rng), arr((2, 4), f32, rng)],)), RuntimeError,
                     "Sizes of tensors must match except in dimension 0. Expected size 3 but "
                     "got size 4 for tensor number 1 in the list.")
    yield ErrorInput(Sample(([arr((2, 3), f32, rng), arr((3,), f32, rng)],)), RuntimeError,
                     "Tensors must have same number of dimensions: got 2 and 1")
    yield ErrorInput(Sample(([arr((2, 3), f32, rng), arr((2, 3), f32, rng)], 2)), IndexError,
                     r"Dimension out of range \(expected to be in range of \[-2, 1\], but got "
                     r"2\)")
    yield ErrorInput(Sample(([],)), ValueError, "expected a non-empty list of Tensors")
    yield ErrorInput(Sample((arr((2, 3), f32, rng),)), TypeError)
    yield ErrorInput(Sample(([arr((2,), f32, rng), 3],)), TypeError)


def _stack_errors(rng):
    f32 = "float32"
    yield ErrorInput(Sample(([arr((2, 3), f32, rng), arr((2, 4), f32, rng)],)), RuntimeError,
                     r"stack expects each tensor to be equal size, but got \[2, 3\] at entry 0 "
                     r"and \[2, 4\] at entry 1")
    yield ErrorInput(Sample(([arr((2, 3), f32, rng), arr((2, 3), f32, rng)], 3)), IndexError,
                     r"Dimension out of range \(expected to be in range of \[-3, 2\], but got "
                     r"3\)")
    yield ErrorInput(Sample(([],)), RuntimeError, "stack expects a non-empty TensorList")


def _joining(name, samples, errors=None, **options):
    return OpInfo(name, samples, method=False, inplace=False, errors=errors, **options)


JOINING = [
    _joining("cat", _cat_samples, _cat_errors, aliases=("concat", "concatenate")),
    _joining("stack", _stack_samples, _stack_errors),
    _joining("hstack", _hstack_samples),
    _joining("vstack", _vstack_samples, aliases=("row_stack",)),
]


test_function, test_out, test_errors = table_tests(JOINING, ("function", "out", "errors"))


@pytest.mark.parametrize("op", JOINING, ids=lambda op: op.id)
def test_no_method_or_inplace_form(op):
    check_method(op, "float32")
    check_inplace(op, "float32")


@pytest.mark.parametrize("op, dtype", op_params([op for op in JOINING if op.aliases],
                                                "aliases", dtypes=("int64", "float32")))
def test_aliases(op, dtype):
    check_aliases(op, dtype)
