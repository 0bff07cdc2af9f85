"""The CPU backend's own kernels against the NumPy functions they stand in for."""

from __future__ import annotations

import numpy as np
import pytest

from ember.backends import cpu

RNG = np.random.default_rng(0)
SPECIAL = np.array([np.nan, -np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-40, -1.5])


def _values(shape, dtype):
    values = RNG.standard_normal(shape)
    values.flat[:len(SPECIAL)] = SPECIAL
    return values.astype(dtype)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int16, np.int32,
                                   np.int64, np.uint8, np.complex64, np.bool_])
@pytest.mark.parametrize("shape", [(), (5,), (40, 50), (3, 20, 30)])
@pytest.mark.parametrize("operands", ["arrays", "zero_dim_y", "zero_dim_x", "transposed"])
def test_where_is_numpy_where_bit_for_bit(dtype, shape, operands):
    condition = RNG.random(shape) < 0.5
    x, y = _values(shape, dtype), _values(shape, dtype)
    if operands == "zero_dim_y":
        y = np.asarray(y.flat[0] if y.size else 0, dtype=dtype)
    elif operands == "zero_dim_x":
        x = np.asarray(x.flat[0] if x.size else 0, dtype=dtype)
    elif operands == "transposed":  # a non-contiguous operand of the right shape
        x = _values(shape[::-1], dtype).T
    actual, expected = cpu.where(condition, x, y), np.where(condition, x, y)
    assert actual.dtype == expected.dtype and actual.shape == expected.shape
    assert actual.tobytes() == expected.tobytes()


def test_where_of_mixed_dtypes_promotes_as_numpy():
    condition = RNG.random(2000) < 0.5
    x, y = np.ones(2000, np.float32), np.zeros(2000, np.float64)
    assert cpu.where(condition, x, y).dtype == np.float64
    assert cpu.where(condition, x, 0.5).dtype == np.float32


def test_where_with_condition_only_gives_indices():
    condition = RNG.random((30, 40)) < 0.5
    for actual, expected in zip(cpu.where(condition), np.where(condition)):
        np.testing.assert_array_equal(actual, expected)


BLOCK = cpu._ZERO_BLOCK


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int32])
@pytest.mark.parametrize("size", [0, 7, BLOCK - 1, BLOCK, 3 * BLOCK + 5])
def test_relu_is_maximum_with_zero_bit_for_bit(dtype, size):
    values = _values(size, dtype)
    expected = np.maximum(values, dtype(0))
    assert cpu.relu(values).tobytes() == expected.tobytes()
    in_place = values.copy()
    assert cpu.relu(in_place, out=in_place) is in_place
    assert in_place.tobytes() == expected.tobytes()


def test_relu_of_strided_arrays_keeps_their_shape():
    values = _values((40, 3 * BLOCK // 40 + 1), np.float32)
    for array in (values.T, values[:, ::2], values.reshape(-1)[::3]):
        actual = cpu.relu(array)
        assert actual.shape == array.shape
        np.testing.assert_array_equal(actual, np.maximum(array, np.float32(0)))


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int8])
@pytest.mark.parametrize("layout", ["contiguous", "transposed", "broadcast"])
def test_zero_where_is_numpy_where_bit_for_bit(dtype, layout):
    values = _values((30, 40), dtype)
    condition = RNG.random((30, 40)) < 0.5
    if layout == "transposed":
        values = _values((40, 30), dtype).T
    elif layout == "broadcast":
        condition = condition[:1]
    expected = np.where(condition, dtype(0), values)
    actual = cpu.zero_where(condition, values)
    assert actual.dtype == expected.dtype and actual.tobytes() == expected.tobytes()


@pytest.mark.parametrize("shape", [(50, 3), (4, 5, 16), (6, 17), (9,), (3, 4, 1)])
def test_max_kept_is_numpy_max_bit_for_bit(shape):
    values = _values(shape, np.float32)
    axes = (len(shape) - 1,)
    actual, expected = cpu.max_kept(values, axes), np.maximum.reduce(values, axis=axes,
                                                                      keepdims=True)
    assert actual.shape == expected.shape and actual.tobytes() == expected.tobytes()


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16, np.int64])
@pytest.mark.parametrize(("shape", "count", "spread"), [
    ((256, 128), 1024, 256),  # an embedding's gradient: each row a few times
    ((64, 3, 5), 500, 64),  # rows of matrices
    ((8, 4), 300, 1),  # rows repeated past the limit of the repeat-by-repeat path
    ((10, 7), 3, 10),  # few values
    ((40,), 200, 40),  # a vector
])
def test_add_rows_is_add_at_bit_for_bit(dtype, shape, count, spread):
    rng = np.random.default_rng(0)
    data = (rng.standard_normal(shape) * 100).astype(dtype)
    values = (rng.standard_normal((count, *shape[1:])) * 100).astype(dtype)
    rows = rng.integers(-spread, spread, count)  # negative rows count from the end
    expected = data.copy()
    np.add.at(expected, rows, values)
    cpu.add_rows(data, rows, values)
    np.testing.assert_array_equal(data, expected, strict=True)


def _fused_reference(input, other, alpha):
    """``input + alpha * other`` rounded once: float64 holds a float32 product exactly."""
    exact = input.astype(np.float64) + np.float64(np.float32(alpha)) * other.astype(np.float64)
    return exact.astype(np.float32)


@pytest.mark.parametrize("case", ["contiguous", "column-major", "broadcast input",
                                  "broadcast other", "strided other", "empty"])
def test_add_scaled_rounds_once(case):
    shape = (0, 5) if case == "empty" else (300, 70)
    input, other = _values(shape, np.float32), RNG.standard_normal(shape).astype(np.float32)
    if case == "column-major":
        input, other = np.asfortranarray(input), np.asfortranarray(other)
    elif case == "broadcast input":
        input = input[:1]
    elif case == "broadcast other":
        other = other[0]
    elif case == "strided other":
        other = RNG.standard_normal((300, 140)).astype(np.float32)[:, ::2]
    actual = cpu.add_scaled(input, other, -0.013)
    expected = _fused_reference(input, other, -0.013)
    assert actual.shape == expected.shape and actual.dtype == np.float32
    assert actual.tobytes() == expected.tobytes()
    assert actual.flags.c_contiguous != (case == "column-major")  # other's layout


@pytest.mark.parametrize("case", ["in place", "in place of itself", "strided out",
                                  "out overlapping other"])
def test_add_scaled_into_out(case):
    input = RNG.standard_normal((300, 70)).astype(np.float32)
    other = RNG.standard_normal((300, 70)).astype(np.float32)
    if case == "in place of itself":
        other = input
    expected = _fused_reference(input, other, 0.37)
    if case in ("in place", "in place of itself"):
        out = input
    elif case == "strided out":
        out = np.zeros((300, 140), np.float32)[:, ::2]
    else:  # out is other: other must be read before input is copied over it
        out = other
    result = cpu.add_scaled(input, other, 0.37, out=out)
    assert result is out
    assert np.ascontiguousarray(out).tobytes() == expected.tobytes()
