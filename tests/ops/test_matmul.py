"""The matrix product table: matmul (and ``@``), mm, bmm, mv and dot against torch, for every
dtype, 1-D / 2-D / batched / broadcast shapes, transposed and non-contiguous operands, empty
operands, ``out=`` and the errors for mismatched dtypes and shapes; then the rest of
ember/ops/matmul.py (inner, outer and ger, vdot, matrix_power, multi_dot and chain_matmul)
and ember/ops/added_products.py (addmm, addmv, addr, baddbmm, addbmm). einsum and tensordot are test_einsum.py's."""

from __future__ import annotations

import operator
import warnings

import numpy as np
import pytest

from .op_table import (
    NON_BOOL,
    Arr,
    ErrorInput,
    OpInfo,
    Sample,
    arr,
    compare,
    rng_for,
    table_tests,
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


def _operands(shapes, dtype, rng, layouts=None, **options):
    """Sample operands of ``shapes`` (with ``layouts``), values in [-3, 3]."""
    layouts = layouts or ["contiguous"] * len(shapes)
    return tuple(arr(shape, dtype, rng, layout, low=-3, high=3, **options)
                 for shape, layout in zip(shapes, layouts))


def _samples_of(cases):
    """Samples from ``(shapes, layouts or None, kwargs)`` triples, all operands Arr."""

    def samples(dtype, rng):
        for shapes, layouts, kwargs in cases:
            yield Sample(_operands(shapes, dtype, rng, layouts), dict(kwargs),
                         name=f"{shapes} {layouts or ''} {kwargs}")

    return samples


T, N = "transposed", "noncontiguous"
C = "contiguous"

_INNER = _samples_of([
    (((4,), (4,)), None, {}),
    (((2, 4), (3, 4)), None, {}),
    (((2, 3, 4), (4,)), None, {}),
    (((), (2, 3)), None, {}),
    (((3, 4), (5, 4)), (T, N), {}),
    (((0, 4), (2, 4)), None, {}),
    (((2, 0), (3, 0)), None, {}),
])


def _inner_errors(rng):
    yield ErrorInput(Sample((arr((2, 3), "float32", rng), arr((2,), "float32", rng))),
                     RuntimeError, r"inner\(\) the last dimension must match on both input "
                     r"tensors but got shapes \[2, 3\] and \[2\]")
    yield ErrorInput(Sample((arr((2,), "float32", rng), arr((2,), "float64", rng))),
                     RuntimeError, "both inputs should have same dtype")


_OUTER = _samples_of([
    (((3,), (4,)), None, {}),
    (((3,), (4,)), (N, N), {}),
    (((0,), (4,)), None, {}),
    (((1,), (1,)), None, {}),
])


def _outer_mixed(dtype, rng):
    yield from _OUTER(dtype, rng)
    yield Sample((arr((3,), dtype, rng), arr((2,), "float64", rng)), name="promoted")


def _outer_errors(rng):
    yield ErrorInput(Sample((arr((2,), "float32", rng), 3)), TypeError,
                     r"argument 'vec2' \(position 2\) must be Tensor, not int")
    yield ErrorInput(Sample((arr((2, 1), "float32", rng), arr((3,), "float32", rng))),
                     RuntimeError, "outer: Expected 1-D argument self, but got 2-D")
    yield ErrorInput(Sample((arr((2,), "float32", rng), arr((3, 1), "float32", rng))),
                     RuntimeError, "outer: Expected 1-D argument vec2, but got 2-D")


_VDOT = _samples_of([(((4,), (4,)), None, {}), (((4,), (4,)), (N, N), {}),
                     (((0,), (0,)), None, {})])


def _vdot_errors(rng):
    yield ErrorInput(Sample((arr((2,), "float32", rng), arr((2,), "float64", rng))),
                     RuntimeError, "dot : expected both vectors to have same dtype")
    yield ErrorInput(Sample((arr((2,), "float32", rng), arr((3,), "float32", rng))),
                     RuntimeError, "inconsistent tensor size")
    yield ErrorInput(Sample((arr((2, 1), "float32", rng), arr((2,), "float32", rng))),
                     RuntimeError, "1D tensors expected, but got 2D and 1D tensors")


_SCALARS = [{}, {"beta": 0}, {"alpha": 2, "beta": 3}, {"alpha": 0}]


def _fused_samples(shape_sets):
    """Samples for addmm and its family: the shapes with each (beta, alpha) and layouts,
    and beta=0 with NaN in the input (which must not show)."""

    def samples(dtype, rng):
        for shapes in shape_sets:
            if dtype == "bool" and 0 in shapes[1] and 0 not in shapes[0]:
                continue  # torch's bool kernels then scale the input by an integer beta
            for kwargs in _SCALARS:
                yield Sample(_operands(shapes, dtype, rng), dict(kwargs),
                             name=f"{shapes} {kwargs}")
            yield Sample(_operands(shapes, dtype, rng, [C, T if len(shapes[1]) > 1 else N, N]),
                         name=f"{shapes} strided")
        shapes = shape_sets[0]
        if dtype in ("float32", "float64", "complex64", "complex128"):
            operands = (arr(shapes[0], dtype, rng, special=True),
                        *_operands(shapes[1:], dtype, rng))
            yield Sample(operands, {"beta": 0}, name="beta=0 ignores NaN")
            yield Sample(operands, {"beta": 0.5, "alpha": -1.5}, name="float scalars")
        elif dtype != "bool":  # integer kernels truncate them (addr refuses them)
            yield Sample(_operands(shapes, dtype, rng), {"beta": 2.5, "alpha": -1.5},
                         name="float scalars, integer tensors")

    return samples


_ADDMM = _fused_samples([((2, 4), (2, 3), (3, 4)), ((4,), (2, 3), (3, 4)),
                         ((), (2, 3), (3, 4)), ((0, 4), (0, 3), (3, 4)),
                         ((2, 4), (2, 0), (0, 4))])
_ADDMV = _fused_samples([((2,), (2, 3), (3,)), ((), (2, 3), (3,)), ((1,), (2, 3), (3,)),
                         ((0,), (0, 3), (3,)), ((2,), (2, 0), (0,))])
_ADDR = _fused_samples([((2, 3), (2,), (3,)), ((3,), (2,), (3,)), ((), (2,), (3,)),
                        ((0, 3), (0,), (3,))])
_BADDBMM = _fused_samples([((2, 3, 4), (2, 3, 5), (2, 5, 4)), ((3, 4), (2, 3, 5), (2, 5, 4)),
                           ((0, 3, 4), (0, 3, 5), (0, 5, 4)), ((2, 3, 4), (2, 3, 0), (2, 0, 4))])
_ADDBMM = _fused_samples([((3, 4), (2, 3, 5), (2, 5, 4)), ((4,), (2, 3, 5), (2, 5, 4)),
                          ((3, 4), (0, 3, 5), (0, 5, 4))])


def _addr_mixed(dtype, rng):
    yield from _ADDR(dtype, rng)
    yield Sample((arr((2, 3), "float64", rng), arr((2,), dtype, rng), arr((3,), dtype, rng)),
                 name="promoted input")


def _fused_errors(name, good, bad_dtype, bad_shapes, messages):
    def errors(rng):
        f32 = "float32"
        ops = _operands(good, f32, rng)
        for shapes, match in bad_shapes:
            yield ErrorInput(Sample(_operands(shapes, f32, rng)), RuntimeError, match)
        yield ErrorInput(Sample((ops[0], 2, ops[2])), TypeError, "must be Tensor, not int")
        if bad_dtype is None:  # addr promotes, and casts into a wider out
            return
        yield ErrorInput(Sample((arr(good[0], "float64", rng), *ops[1:])), bad_dtype,
                         messages.get("dtype"))
        out_shape = (2,) if name == "addmv" else ops[0].values.shape
        yield ErrorInput(Sample(ops, {"out": arr(out_shape, "float64", rng)}), RuntimeError,
                         "Expected out tensor to have dtype float, but got double instead")

    return errors


_ADDMM_ERRORS = _fused_errors("addmm", ((2, 4), (2, 3), (3, 4)), RuntimeError, [
    (((2, 4), (3,), (3, 4)), "mat1 must be a matrix, got 1-D tensor"),
    (((2, 4), (2, 3), (2, 4)), r"mat1 and mat2 shapes cannot be multiplied \(2x3 and 2x4\)"),
    (((3, 4), (2, 3), (3, 4)), r"The expanded size of the tensor \(2\) must match the "
                               r"existing size \(3\) at non-singleton dimension 0"),
], {"dtype": "self and mat2 must have the same dtype, but got Double and Float"})
_ADDMV_ERRORS = _fused_errors("addmv", ((2,), (2, 3), (3,)), RuntimeError, [
    (((2,), (2, 3), (4,)), r"size mismatch, got input \(2\), mat \(2x3\), vec \(4\)"),
    (((3,), (2, 3), (3,)), r"size mismatch, got input \(3\)"),
    (((2,), (2, 3, 1), (3,)), r"vector \+ matrix @ vector expected, got 1, 3, 1"),
], {"dtype": "addmv input tensors must have the same dtype, but got Double, Float, and Float"})
_ADDR_ERRORS = _fused_errors("addr", ((2, 3), (2,), (3,)), None, [
    (((2, 3), (2, 1), (3,)), "addr: Expected 1-D argument vec1, but got 2-D"),
    (((2, 4), (2,), (3,)), "The expanded size of the tensor"),
], {})
_BADDBMM_ERRORS = _fused_errors("baddbmm", ((2, 3, 4), (2, 3, 5), (2, 5, 4)), RuntimeError, [
    (((2, 3, 4), (2, 3, 5), (3, 5, 4)), r"Expected size for first two dimensions of batch2 "
                                        r"tensor to be: \[2, 5\] but got: \[3, 5\]"),
    (((2, 3, 4), (2, 3), (2, 5, 4)), None),
    (((2, 2, 4), (2, 3, 5), (2, 5, 4)), "The expanded size of the tensor"),
], {"dtype": "Input dtypes must be the same, got: input double, batch1: float, batch2: float"})
_ADDBMM_ERRORS = _fused_errors("addbmm", ((3, 4), (2, 3, 5), (2, 5, 4)), RuntimeError, [
    (((3, 4), (2, 3, 5), (3, 5, 4)), "batch1 and batch2 must have same number of batches, got "
                                     "2 and 3"),
    (((3, 4), (2, 3, 5), (2, 4, 4)), r"Incompatible matrix sizes for bmm \(3x5 and 4x4\)"),
    (((2, 4), (2, 3, 5), (2, 5, 4)), "The expanded size of the tensor"),
], {"dtype": "self and mat2 must have the same dtype, but got Double and Float"})


def _matrix_power_samples(dtype, rng):
    for n in (0, 1, 2, 3, 4, 7):
        yield Sample((arr((3, 3), dtype, rng, low=-1, high=1), n), name=f"n={n}")
    yield Sample((arr((2, 3, 3), dtype, rng, T, low=-1, high=1), 5), name="batched transposed")
    yield Sample((arr((0, 2, 2), dtype, rng), 3), name="empty batch")
    yield Sample((arr((0, 0), dtype, rng), 2), name="empty matrix")
    yield Sample((arr((2, 2, 2), dtype, rng, N), 0), name="identity of a batch")
    if dtype in ("float32", "float64", "complex64", "complex128"):
        for n in (-1, -2, -5):
            well_conditioned = arr((3, 3), dtype, rng, low=-0.3, high=0.3)
            values = well_conditioned.values + 2 * np.eye(3, dtype=well_conditioned.values.dtype)
            yield Sample((Arr(values, dtype), n), name=f"n={n}")


def _matrix_power_errors(rng):
    f32 = "float32"
    yield ErrorInput(Sample((arr((2, 2), f32, rng), 2.0)), TypeError,
                     r"matrix_power\(\): argument 'n' \(position 2\) must be int, not float")
    yield ErrorInput(Sample((arr((2, 2), f32, rng), True)), TypeError)
    yield ErrorInput(Sample((arr((2, 3), f32, rng), 2)), RuntimeError,
                     "linalg.matrix_power: A must be batches of square matrices, but they are "
                     "2 by 3 matrices")
    yield ErrorInput(Sample((arr((3,), f32, rng), 2)), RuntimeError,
                     "The input tensor A must have at least 2 dimensions.")
    yield ErrorInput(Sample((arr((3, 3), "int64", rng), -1)), RuntimeError,
                     "linalg.inv: Expected a floating point or complex tensor as input. Got Long")
    yield ErrorInput(Sample((arr((3, 3), "float16", rng), -1)), RuntimeError,
                     "linalg.inv: Low precision dtypes not supported. Got Half")


def _multi_dot_samples(dtype, rng):
    chains = [[(2, 3), (3, 4)], [(3,), (3, 4)], [(3,), (3,)], [(2, 3), (3, 4), (4, 5)],
              [(5, 2), (2, 6), (6, 1)], [(2, 3), (3, 4), (4, 5), (5,)],
              [(1, 9), (9, 2), (2, 8), (8, 3), (3, 7)], [(0, 2), (2, 3), (3, 4)],
              [(2, 0), (0, 3), (3, 1)]]
    for shapes in chains:
        yield Sample((list(_operands(shapes, dtype, rng)),), name=str(shapes))
    yield Sample(([arr((3, 2), dtype, rng, T), arr((3, 2), dtype, rng, N),
                   arr((2, 4), dtype, rng, T)],), name="strided")


def _multi_dot_errors(rng):
    f32 = "float32"

    def chain(*shapes, dtypes=None):
        dtypes = dtypes or [f32] * len(shapes)
        return Sample(([arr(s, d, rng) for s, d in zip(shapes, dtypes)],))

    yield ErrorInput(chain((2, 3)), RuntimeError,
                     r"multi_dot\(\): expected at least 2 tensors but got 1")
    yield ErrorInput(chain((2, 3), (3, 2), dtypes=[f32, "float64"]), RuntimeError,
                     r"multi_dot\(\): all tensors must have be the same dtype but tensor 0 is "
                     "float and tensor 1 double")
    yield ErrorInput(chain((2, 3), (2, 2)), RuntimeError,
                     r"multi_dot\(\): tensors 0 and 1 with shapes \[2, 3\] and \[2, 2\] "
                     "cannot be multiplied")
    yield ErrorInput(chain((2, 3, 3), (3, 2)), RuntimeError,
                     r"multi_dot\(\): the first tensor must be 1D or 2D but got 3D")
    yield ErrorInput(chain((2, 3), (3, 2, 1)), RuntimeError,
                     r"multi_dot\(\): the last tensor must be 1D or 2D but got 3D")
    yield ErrorInput(chain((2, 3), (3,), (2,)), RuntimeError,
                     r"multi_dot\(\): tensor 1 must be 2D but got 1D")


def _chain_matmul_samples(dtype, rng):
    for shapes in ([(2, 3)], [(2, 3), (3, 4)], [(2, 3), (3, 4), (4, 5)],
                   [(1, 9), (9, 2), (2, 8), (8, 3)]):
        yield Sample(_operands(shapes, dtype, rng), name=str(shapes))


def _chain_matmul_errors(rng):
    yield ErrorInput(Sample(()), RuntimeError,
                     r"chain_matmul\(\): Expected one or more matrices")
    yield ErrorInput(Sample((arr((2, 3), "float32", rng), arr((3,), "float32", rng))),
                     RuntimeError, "Tensor dimension is 1, expected 2 instead.")


def _linalg_multi_dot(lib, *args, **kwargs):
    return lib.linalg.multi_dot(*args, **kwargs)


def _quiet(name, method=False):
    """Call ``name`` with its deprecation warning (which both libraries give once per
    process, so its presence depends on test order) left out."""

    def call(lib, *args, **kwargs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            if method:
                return getattr(args[0], name)(*args[1:], **kwargs)
            return getattr(lib, name)(*args, **kwargs)

    return call


FLOATING = ("float16", "bfloat16", "float32", "float64", "complex64", "complex128")
INVERTIBLE = ("float32", "float64", "complex64", "complex128")

PRODUCT_FAMILY = [
    OpInfo("inner", _INNER, dtypes=NON_BOOL, inplace=False, errors=_inner_errors),
    OpInfo("outer", _outer_mixed, inplace=False, errors=_outer_errors),
    OpInfo("ger", _OUTER, inplace=False, errors=_outer_errors, call=_quiet("ger"),
           call_method=_quiet("ger", method=True)),
    OpInfo("vdot", _VDOT, dtypes=NON_BOOL, inplace=False, errors=_vdot_errors),
    OpInfo("addmm", _ADDMM, dtypes=NON_BOOL, errors=_ADDMM_ERRORS),
    OpInfo("addmv", _ADDMV, dtypes=NON_BOOL, errors=_ADDMV_ERRORS),
    OpInfo("addr", _addr_mixed, errors=_ADDR_ERRORS),
    OpInfo("baddbmm", _BADDBMM, dtypes=NON_BOOL, errors=_BADDBMM_ERRORS),
    OpInfo("addbmm", _ADDBMM, dtypes=NON_BOOL, errors=_ADDBMM_ERRORS, xfails={"inplace": {
        "bfloat16": "torch's bfloat16 addbmm_ resizes a 1-D self to the 2-D result instead of "
                    "refusing it; ember refuses it as for every other dtype"}}),
    OpInfo("matrix_power", _matrix_power_samples, inplace=False,
           errors=_matrix_power_errors, tolerances={"float32": (1e-5, 1e-5),
                                                    "complex64": (1e-5, 1e-5)}),
    OpInfo("multi_dot", _multi_dot_samples, dtypes=NON_BOOL, method=False, inplace=False,
           call=_linalg_multi_dot, errors=_multi_dot_errors),
    OpInfo("chain_matmul", _chain_matmul_samples, method=False, inplace=False,
           errors=_chain_matmul_errors, call=_quiet("chain_matmul")),
]


ALL_PRODUCTS = PRODUCTS + PRODUCT_FAMILY


test_function, test_method, test_inplace, test_out, test_errors = table_tests(ALL_PRODUCTS)


@pytest.mark.parametrize("dtype", ["int64", "float32", "complex128"])
def test_matmul_operator(dtype):
    """``a @ b`` is matmul, ``b.__rmatmul__(a)`` too, and ``@=`` is refused as in torch."""
    for sample in _matmul_samples(dtype, rng_for("@", dtype)):
        compare(lambda lib, a, b: a @ b, sample)
        compare(lambda lib, a, b: b.__rmatmul__(a), sample)
    square = Sample((arr((3, 3), dtype, rng_for("@=", dtype)),
                     arr((3, 3), dtype, rng_for("@=", dtype))))
    compare(lambda lib, a, b: operator.imatmul(a, b), square)
