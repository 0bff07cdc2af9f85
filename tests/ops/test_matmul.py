"""The matrix product table: matmul (and ``@``), mm, bmm, mv and dot against torch, for every
dtype, 1-D / 2-D / batched / broadcast shapes, transposed and non-contiguous operands, empty
operands, ``out=`` and the errors for mismatched dtypes and shapes."""

from __future__ import annotations

import operator

import pytest

from .op_table import (
    NON_BOOL,
    ErrorInput,
    OpInfo,
    Sample,
    arr,
    check_errors,
    check_function,
    check_inplace,
    check_method,
    check_out,
    compare,
    op_params,
    rng_for,
)


def _operand(dtype, rng):
    def a(shape, layout="contiguous"):
        return arr(shape, dtype, rng, layout, low=-3, high=3)

    return a


def _matmul_samples(dtype, rng):
    a = _operand(dtype, rng)
    shapes = [
        ((4,), (4,), "vector . vector"),
        ((3, 4), (4,), "matrix @ vector"),
        ((4,), (4, 5), "vector @ matrix"),
        ((3, 4), (4, 5), "matrix @ matrix"),
        ((2, 3, 4), (2, 4, 5), "batched"),
        ((2, 1, 3, 4), (5, 4, 2), "batch broadcast"),
        ((2, 3, 4), (4, 5), "batched @ matrix"),
        ((3, 4), (2, 4, 5), "matrix @ batched"),
        ((2, 3, 4), (4,), "batched @ vector"),
        ((4,), (2, 4, 5), "vector @ batched"),
        ((0, 4), (4, 5), "empty rows"),
        ((3, 0), (0, 5), "empty inner dim"),
        ((2, 0, 4), (2, 4, 3), "empty batch rows"),
    ]
    for left, right, name in shapes:
        yield Sample((a(left), a(right)), name=name)
    yield Sample((a((3, 4), "transposed"), a((4, 5))), name="transposed left")
    yield Sample((a((3, 4)), a((4, 5), "transposed")), name="transposed right")
    yield Sample((a((3, 4), "transposed"), a((4, 5), "transposed")), name="both transposed")
    yield Sample((a((3, 4), "noncontiguous"), a((4, 5), "noncontiguous")),
                 name="non-contiguous")
    yield Sample((a((2, 3, 4), "transposed"), a((4,), "noncontiguous")),
                 name="transposed batch @ non-contiguous vector")


def _shape_samples(shapes):
    """Samples for the fixed-rank products (mm, bmm, mv, dot) from (left, right) shapes."""

    def samples(dtype, rng):
        a = _operand(dtype, rng)
        for left, right in shapes:
            yield Sample((a(left), a(right)), name=f"{left} and {right}")
            if len(left) >= 2:
                yield Sample((a(left, "transposed"), a(right)), name=f"{left}ᵀ and {right}")
            if left and left[-1]:
                yield Sample((a(left, "noncontiguous"), a(right, "noncontiguous")),
                             name=f"non-contiguous {left} and {right}")

    return samples


def _matmul_errors(rng):
    f32, f64, i64 = "float32", "float64", "int64"
    yield ErrorInput(Sample((arr((2, 3), f32, rng), arr((3, 2), f64, rng))), RuntimeError,
                     "expected m1 and m2 to have the same dtype, but got: float != double")
    yield ErrorInput(Sample((arr((2, 3), i64, rng), arr((3, 2), f32, rng))), RuntimeError,
                     "expected m1 and m2 to have the same dtype, but got: long int != float")
    yield ErrorInput(Sample((arr((2, 3), f32, rng), arr((4, 5), f32, rng))), RuntimeError,
                     r"mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x5\)")
    yield ErrorInput(Sample((arr((3,), f32, rng), arr((4,), f32, rng))), RuntimeError,
                     r"inconsistent tensor size, expected tensor \[3\] and src \[4\] to have "
                     "the same number of elements, but got 3 and 4 elements respectively")
    yield ErrorInput(Sample((arr((), f32, rng), arr((3,), f32, rng))), RuntimeError,
                     "both arguments to matmul need to be at least 1D, but they are 0D and 1D")
    yield ErrorInput(Sample((arr((2, 3, 4), f32, rng), arr((3, 5, 2), f32, rng))),
                     RuntimeError)
    yield ErrorInput(Sample((arr((2, 3, 4), f32, rng), arr((3, 4, 2), f32, rng))),
                     RuntimeError)
    yield ErrorInput(Sample((arr((3,), f32, rng), 2)), TypeError)


def _mm_errors(rng):
    f32 = "float32"
    yield ErrorInput(Sample((arr((3,), f32, rng), arr((3, 2), f32, rng))), RuntimeError,
                     "self must be a matrix")
    yield ErrorInput(Sample((arr((2, 3), f32, rng), arr((3,), f32, rng))), RuntimeError,
                     "mat2 must be a matrix")
    yield ErrorInput(Sample((arr((2, 3), f32, rng), arr((2, 3), f32, rng))), RuntimeError,
                     r"mat1 and mat2 shapes cannot be multiplied \(2x3 and 2x3\)")
    yield ErrorInput(Sample((arr((2, 3), f32, rng), arr((3, 2), "float64", rng))),
                     RuntimeError, "expected m1 and m2 to have the same dtype")


def _bmm_errors(rng):
    f32 = "float32"
    yield ErrorInput(Sample((arr((2, 3), f32, rng), arr((2, 3, 4), f32, rng))), RuntimeError,
                     "batch1 must be a 3D tensor")
    yield ErrorInput(Sample((arr((2, 2, 3), f32, rng), arr((3, 4), f32, rng))), RuntimeError,
                     "batch2 must be a 3D tensor")
    yield ErrorInput(Sample((arr((2, 2, 3), f32, rng), arr((3, 3, 4), f32, rng))),
                     RuntimeError)
    yield ErrorInput(Sample((arr((2, 2, 3), f32, rng), arr((2, 4, 4), f32, rng))),
                     RuntimeError)
    yield ErrorInput(Sample((arr((2, 2, 3), f32, rng), arr((2, 3, 4), "float64", rng))),
                     RuntimeError)


def _mv_errors(rng):
    f32 = "float32"
    yield ErrorInput(Sample((arr((2, 3), f32, rng), arr((3, 1), f32, rng))), RuntimeError,
                     r"vector \+ matrix @ vector expected, got 1, 2, 2")
    yield ErrorInput(Sample((arr((3,), f32, rng), arr((3,), f32, rng))), RuntimeError)
    yield ErrorInput(Sample((arr((2, 3), f32, rng), arr((4,), f32, rng))), RuntimeError)
    yield ErrorInput(Sample((arr((2, 3), f32, rng), arr((3,), "int64", rng))), RuntimeError)


def _dot_errors(rng):
    f32 = "float32"
    yield ErrorInput(Sample((arr((3,), f32, rng), arr((3,), "float64", rng))), RuntimeError,
                     "dot : expected both vectors to have same dtype, but found Float and "
                     "Double")
    yield ErrorInput(Sample((arr((2, 3), f32, rng), arr((3,), f32, rng))), RuntimeError,
                     "1D tensors expected, but got 2D and 1D tensors")
    yield ErrorInput(Sample((arr((3,), f32, rng), arr((4,), f32, rng))), RuntimeError,
                     "inconsistent tensor size, expected tensor \\[3\\] and src \\[4\\] to have "
                     "the same number of elements, but got 3 and 4 elements respectively")


PRODUCTS = [
    OpInfo("matmul", _matmul_samples, dtypes=NON_BOOL, inplace=False, errors=_matmul_errors),
    OpInfo("mm", _shape_samples([((3, 4), (4, 5)), ((0, 4), (4, 2)), ((3, 0), (0, 2))]),
           dtypes=NON_BOOL, inplace=False, errors=_mm_errors),
    OpInfo("bmm", _shape_samples([((2, 3, 4), (2, 4, 5)), ((0, 3, 4), (0, 4, 2)),
                                  ((2, 3, 0), (2, 0, 1))]),
           dtypes=NON_BOOL, inplace=False, errors=_bmm_errors),
    OpInfo("mv", _shape_samples([((3, 4), (4,)), ((0, 4), (4,)), ((3, 0), (0,))]),
           dtypes=NON_BOOL, inplace=False, errors=_mv_errors),
    OpInfo("dot", _shape_samples([((4,), (4,)), ((0,), (0,))]), dtypes=NON_BOOL,
           inplace=False, errors=_dot_errors),
]


@pytest.mark.parametrize("op, dtype", op_params(PRODUCTS, "function"))
def test_function(op, dtype):
    check_function(op, dtype)


@pytest.mark.parametrize("op, dtype", op_params(PRODUCTS, "method"))
def test_method(op, dtype):
    check_method(op, dtype)


@pytest.mark.parametrize("op", PRODUCTS, ids=lambda op: op.id)
def test_no_inplace_form(op):
    check_inplace(op, "float32")


@pytest.mark.parametrize("op, dtype", op_params(PRODUCTS, "out"))
def test_out(op, dtype):
    check_out(op, dtype)


@pytest.mark.parametrize("op", PRODUCTS, ids=lambda op: op.id)
def test_errors(op):
    check_errors(op)


@pytest.mark.parametrize("dtype", ["int64", "float32", "complex128"])
def test_matmul_operator(dtype):
    """``a @ b`` is matmul, ``b.__rmatmul__(a)`` too, and ``@=`` is refused as in torch."""
    for sample in _matmul_samples(dtype, rng_for("@", dtype)):
        compare(lambda lib, a, b: a @ b, sample)
        compare(lambda lib, a, b: b.__rmatmul__(a), sample)
    square = Sample((arr((3, 3), dtype, rng_for("@=", dtype)),
                     arr((3, 3), dtype, rng_for("@=", dtype))))
    compare(lambda lib, a, b: operator.imatmul(a, b), square)
