"""The tables of ember/ops/einsum.py. einsum: explicit and implicit outputs, ``...``
broadcasting, diagonals of repeated labels, sums, two and more operands, the sublist format
and a list of operands, and the errors of bad equations. tensordot: dims as a count, as two
lists (negative dims too) and as a broadcast size-one dim, ``out=``, and the errors of bad
dims. All checked against torch (values, dtype, shape and the strides of views) for every
dtype, with transposed, non-contiguous and empty operands."""

from __future__ import annotations

from .op_table import (
    NON_BOOL,
    ErrorInput,
    OpInfo,
    Sample,
    arr,
    table_tests,
)

T, N, C = "transposed", "noncontiguous", "contiguous"

# (equation, operand shapes, layouts or None)
EQUATIONS = [
    ("ij,jk->ik", [(2, 3), (3, 4)], None),
    ("ij,jk", [(2, 3), (3, 4)], None),
    ("ij,jk->ki", [(2, 3), (3, 4)], (T, N)),
    ("ii->i", [(3, 3)], None),
    ("ii", [(3, 3)], (T,)),
    ("ij->ji", [(2, 3)], None),
    ("ij->", [(2, 3)], (N,)),
    ("ij", [(2, 3)], None),
    ("ji", [(2, 3)], None),
    ("ij->j", [(2, 3)], None),
    ("i,i->", [(3,), (3,)], None),
    ("i,i", [(3,), (3,)], (N, N)),
    ("i,j->ij", [(3,), (4,)], None),
    ("i,i->i", [(1,), (3,)], None),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)], (T, C)),
    ("bij,bjk->kbi", [(2, 3, 4), (2, 4, 5)], None),
    ("...ij,...jk->...ik", [(2, 3, 4), (4, 5)], None),
    ("...ij,...jk", [(2, 1, 3, 4), (5, 4, 2)], None),
    ("a...,...b->ba...", [(2, 3), (3, 4)], None),
    ("i...->...", [(2, 3, 4)], (N,)),
    ("...->...", [()], None),
    ("ij,ij->ij", [(2, 3), (2, 3)], None),
    ("ij,ij->i", [(2, 3), (2, 3)], None),
    ("ik,jk->ji", [(2, 3), (4, 3)], None),
    ("iij->ij", [(3, 3, 2)], None),
    ("ii,i->i", [(3, 3), (3,)], None),
    ("ijm,klm->kijl", [(2, 3, 6), (4, 5, 6)], None),
    ("ijm,klm->lkji", [(2, 3, 6), (4, 5, 6)], None),
    ("ij,kl->ijkl", [(2, 3), (4, 5)], None),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)], None),
    ("ij,jk,kl->li", [(2, 3), (3, 4), (4, 5)], None),
    ("bn,anm,bm->ba", [(2, 3), (4, 3, 5), (2, 5)], None),
    ("Ab,bc->cA", [(2, 3), (3, 4)], None),
    (" i j , j k -> i k ", [(2, 3), (3, 4)], None),
    ("ij,ij->", [(1, 3), (2, 3)], None),
    ("ij,jk->ik", [(0, 3), (3, 4)], None),
    ("ij,jk->ik", [(2, 0), (0, 4)], None),
    ("ii->", [(0, 0)], None),
]


def _samples(dtype, rng):
    for equation, shapes, layouts in EQUATIONS:
        layouts = layouts or (C,) * len(shapes)
        operands = [arr(shape, dtype, rng, layout, low=-3, high=3)
                    for shape, layout in zip(shapes, layouts)]
        yield Sample((equation, *operands), name=equation)


def _list_samples(dtype, rng):
    a, b = arr((2, 3), dtype, rng), arr((3, 4), dtype, rng)
    yield Sample(("ij,jk->ik", [a, b]), name="operands as a list")
    yield Sample(("ij,jk", (a, b)), name="operands as a tuple")


def _sublist_samples(dtype, rng):
    a, b, c = arr((2, 3), dtype, rng), arr((3, 4), dtype, rng), arr((2, 3, 3), dtype, rng)
    yield Sample((a, [0, 1], b, [1, 2], [0, 2]), name="explicit output")
    yield Sample((a, [0, 1], b, [1, 2]), name="implicit output")
    yield Sample((a, [30, 1], b, [1, 40]), name="lowercase labels")
    yield Sample((c, [Ellipsis, 0, 0], [Ellipsis, 0]), name="ellipsis and diagonal")


def _errors(rng):
    f32 = "float32"
    m, v = arr((2, 3), f32, rng), arr((3,), f32, rng)
    yield ErrorInput(Sample(("ij",)), ValueError, "must specify the equation string")
    yield ErrorInput(Sample(("ij,jk", m)), RuntimeError,
                     "fewer operands were provided than specified in the equation")
    yield ErrorInput(Sample(("ij", m, m)), RuntimeError,
                     "more operands were provided than specified in the equation")
    yield ErrorInput(Sample(("ijk", m)), RuntimeError,
                     r"the number of subscripts in the equation \(3\) does not match the number "
                     r"of dimensions \(2\) for operand 0 and no ellipsis was given")
    yield ErrorInput(Sample(("i1", m)), RuntimeError,
                     "invalid subscript given at index 1 in the equation string, subscripts "
                     r"must be in \[a-zA-Z\]")
    yield ErrorInput(Sample(("ij->k", m)), RuntimeError,
                     "output subscript k does not appear in the equation for any input operand")
    yield ErrorInput(Sample(("ij->ii", m)), RuntimeError,
                     "output subscript i appears more than once in the output")
    yield ErrorInput(Sample(("ii", m)), RuntimeError,
                     "subscript i is repeated for operand 0 but the sizes don't match, 3 != 2")
    yield ErrorInput(Sample(("ij,j", m, arr((4,), f32, rng))), RuntimeError,
                     "subscript j has size 4 for operand 1 which does not broadcast with "
                     "previously seen size 3")
    yield ErrorInput(Sample(("i.j", m)), RuntimeError,
                     "found '.' for operand 0 that is not part of any ellipsis")
    yield ErrorInput(Sample(("......", m)), RuntimeError,
                     "found '.' for operand 0 for which an ellipsis was already found")
    yield ErrorInput(Sample(("...->......", m)), RuntimeError,
                     r"found '.' for output but an ellipsis \(...\) was already found")
    yield ErrorInput(Sample(("ij->i.", m)), RuntimeError,
                     r"found '.' for output that is not part of any ellipsis \(...\)")
    yield ErrorInput(Sample(("ij->i$", m)), RuntimeError, "invalid subscript given at index 5")
    yield ErrorInput(Sample(("i,i", v, arr((3,), "float64", rng))), RuntimeError)
    yield ErrorInput(Sample((m, [0, 52])), ValueError,
                     r"subscript in subscript list is not within the valid range \[0, 52\)")


# (operand shapes, layouts or None, keyword arguments)
TENSORDOT_CASES = [
    (((2, 3, 4), (3, 4, 5)), None, {}),
    (((2, 3), (3, 4)), None, {"dims": 1}),
    (((2, 3), (4, 5)), None, {"dims": 0}),
    (((2, 3, 4), (4, 3, 5)), None, {"dims": ([1, 2], [1, 0])}),
    (((2, 3, 4), (4, 3, 5)), None, {"dims": [[-1, -2], [0, 1]]}),
    (((2, 1, 4), (3, 4)), None, {"dims": ([1, 2], [0, 1])}),
    (((3, 4), (4, 3)), (T, N), {"dims": 1}),
    (((0, 3), (3, 2)), None, {"dims": 1}),
    (((2, 0), (0, 2)), None, {"dims": 1}),
]


def _tensordot_samples(dtype, rng):
    for shapes, layouts, kwargs in TENSORDOT_CASES:
        layouts = layouts or (C,) * len(shapes)
        operands = tuple(arr(shape, dtype, rng, layout, low=-3, high=3)
                         for shape, layout in zip(shapes, layouts))
        yield Sample(operands, dict(kwargs), name=f"{shapes} {layouts} {kwargs}")


def _tensordot_errors(rng):
    f32 = "float32"
    yield ErrorInput(Sample((arr((2, 3), f32, rng), arr((3, 2), "float64", rng))),
                     RuntimeError, "both inputs should have same dtype")
    yield ErrorInput(Sample((arr((2, 3), f32, rng), arr((3, 2), f32, rng)), {"dims": -1}),
                     RuntimeError, "tensordot expects dims >= 0, but got dims=-1")
    yield ErrorInput(Sample((arr((2, 3), f32, rng), arr((3, 2), f32, rng)), {"dims": 3}),
                     RuntimeError, "tensordot expects dims < ndim_a or ndim_b")
    yield ErrorInput(Sample((arr((2, 3), f32, rng), arr((3, 2), f32, rng)),
                            {"dims": ([0], [0])}), RuntimeError,
                     "contracted dimensions need to match, but first has size 2 in dim 0 and "
                     "second has size 3 in dim 0")
    yield ErrorInput(Sample((arr((2, 3), f32, rng), arr((3, 2), f32, rng)),
                            {"dims": ([0, 1], [0])}), RuntimeError,
                     "both dimension lists should have same length")
    yield ErrorInput(Sample((arr((2, 3), f32, rng), arr((3, 2), f32, rng)), {"dims": 1.5}),
                     RuntimeError)
    yield ErrorInput(Sample((arr((2, 3), f32, rng), 2)), AttributeError)  # torch's Python code


EINSUM = [
    OpInfo("einsum", _samples, dtypes=NON_BOOL, method=False, inplace=False, out=False,
           errors=_errors),
    OpInfo("einsum", _list_samples, variant="list", dtypes=NON_BOOL, method=False,
           inplace=False, out=False),
    OpInfo("einsum", _sublist_samples, variant="sublist", dtypes=NON_BOOL, method=False,
           inplace=False, out=False),
]


TENSORDOT = [
    OpInfo("tensordot", _tensordot_samples, dtypes=NON_BOOL, method=False, inplace=False,
           errors=_tensordot_errors),
]


# tensordot has every form; einsum is a function only (its method and out= must be missing).
(test_function, test_method, test_inplace, test_out, test_no_method, test_no_out,
 test_errors) = table_tests(
    EINSUM + TENSORDOT,
    ("function", "method", "inplace", "out", "no_method", "no_out", "errors"),
    ops={"method": TENSORDOT, "inplace": TENSORDOT, "out": TENSORDOT, "no_method": EINSUM,
         "no_out": EINSUM})
