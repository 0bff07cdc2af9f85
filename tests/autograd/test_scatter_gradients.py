"""Gradients of the gather / scatter ops (ember/ops/scatter.py and ember/ops/indexed.py)
against torch: outputs, grad_fn names and input gradients in float64 and float32, float64
gradcheck and gradgradcheck; repeated indices, ties and zeros, the in-place forms, and
scatter's reduce= which has no derivative."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import ember
from tests.autograd.grad_oracle import GradTable

TABLE = GradTable("scatter")
case, v, p = TABLE.case, TABLE.v, TABLE.p

# index_reduce warns once per process, in both libraries: warned here, before the cases run.
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    for _lib in (torch, ember):
        _lib.index_reduce(_lib.zeros(2), 0, _lib.tensor([0]), _lib.ones(1), "prod")


def _index(L, values):
    return L.tensor(values, dtype=L.int64)


ROWS = [[0, 2, 1, 0], [2, 1, 0, 1]]  # an index into 3 rows, a permutation per column
REPEATS = [[0, 2, 0, 0], [2, 2, 0, 0]]

# --- gather / scatter along a dim ---------------------------------------------------------

case("gather", lambda L, a: L.gather(a, 0, _index(L, REPEATS)), v(3, 4))
case("gather_dim_1", lambda L, a: a.gather(-1, _index(L, [[3, 3], [0, 1], [2, 2]])), v(3, 4))
case("gather_int32_index", lambda L, a: L.gather(
    a, 1, L.tensor([[1], [0], [3]], dtype=L.int32), sparse_grad=False), v(3, 4))
case("scatter_add_int32_index", lambda L, a, b: L.scatter_add(
    a, 0, L.tensor(REPEATS, dtype=L.int32), b), v(3, 4), v(2, 4))
case("index_select_int32_index", lambda L, a: L.index_select(
    a, 0, L.tensor([2, 2], dtype=L.int32)), v(3, 4))
case("gather_0dim", lambda L, a: L.gather(a, 0, _index(L, 0)), v())
case("scatter", lambda L, a, b: L.scatter(a, 0, _index(L, ROWS[:1]), b), v(3, 4), v(1, 4))
case("scatter_dim_1", lambda L, a, b: a.scatter(1, _index(L, [[3, 0], [1, 2], [0, 3]]), b),
     v(3, 4), v(3, 2))
case("scatter_repeats", lambda L, a, b: L.scatter(a, 0, _index(L, REPEATS), b), v(3, 4),
     v(2, 4), gradcheck=False)  # an overwritten src element gets torch's gradient anyway
case("scatter_value", lambda L, a: L.scatter(a, 0, _index(L, ROWS), 2.5), v(3, 4))
case("scatter_src_only", lambda L, a, b: L.scatter(a, 1, _index(L, [[1], [0], [2]]), b),
     v(3, 4), v(3, 1), requires_grad=(1,))
case("scatter_add", lambda L, a, b: L.scatter_add(a, 0, _index(L, REPEATS), b), v(3, 4),
     v(2, 4))
case("scatter_add_dim_1", lambda L, a, b: a.scatter_add(1, _index(L, [[0, 0, 0]] * 3), b),
     v(3, 4), v(3, 3))

for _reduce in ("sum", "prod", "mean", "amax", "amin"):
    for _include_self in (True, False):
        _name = f"scatter_reduce_{_reduce}{'' if _include_self else '_exclude_self'}"
        case(_name, lambda L, a, b, r=_reduce, s=_include_self: L.scatter_reduce(
            a, 0, _index(L, REPEATS), b, r, include_self=s), v(3, 4), v(2, 4))
        case(_name + "_dim_1", lambda L, a, b, r=_reduce, s=_include_self: a.scatter_reduce(
            -1, _index(L, [[1, 1, 3], [0, 0, 0], [2, 1, 2]]), b, r, include_self=s),
            v(3, 4), v(3, 3))
case("scatter_reduce_prod_zeros", lambda L, a, b: L.scatter_reduce(
    a, 0, _index(L, REPEATS), b, "prod"), np.array([[0.0, 1, 2, 3], [4, 0, 6, 7],
                                                      [8, 9, 0, 0]]),
     np.array([[1.0, 0, 2, 3], [1, 2, 0.5, 0]]))
case("scatter_reduce_amax_ties", lambda L, a, b: L.scatter_reduce(
    a, 0, _index(L, REPEATS), b, "amax"), np.array([[1.0, 1, 2, 3], [4, 5, 6, 7],
                                                      [8, 9, 1, 1]]),
     np.array([[1.0, 0, 2, 3], [8, 9, 1, 3]]), gradcheck=False)
case("scatter_reduce_amin_ties", lambda L, a, b: L.scatter_reduce(
    a, 0, _index(L, REPEATS), b, "amin", include_self=False),
     np.array([[1.0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 1, 1]]),
     np.array([[1.0, 0, 2, 3], [8, 9, 1, 3]]), gradcheck=False)

# --- the index_* ops ------------------------------------------------------------------------

case("index_select", lambda L, a: L.index_select(a, 0, _index(L, [2, 0, 2])), v(3, 4))
case("index_select_dim_1", lambda L, a: a.index_select(-1, _index(L, 3)), v(3, 4))
case("index_add", lambda L, a, b: L.index_add(a, 0, _index(L, [2, 0, 2]), b), v(3, 4),
     v(3, 4))
case("index_add_alpha", lambda L, a, b: a.index_add(1, _index(L, [1, 1]), b, alpha=-2.5),
     v(3, 4), v(3, 2))
case("index_add_0dim", lambda L, a, b: L.index_add(a, 0, _index(L, [0]), b), v(), v())
case("index_copy", lambda L, a, b: L.index_copy(a, 0, _index(L, [2, 0]), b), v(3, 4),
     v(2, 4))
case("index_copy_dim_1", lambda L, a, b: a.index_copy(1, _index(L, [3]), b), v(3, 4), v(3, 1))
case("index_fill", lambda L, a: L.index_fill(a, 1, _index(L, [3, 0, -1]), -1.5), v(3, 4))
case("index_fill_tensor", lambda L, a, b: a.index_fill(0, _index(L, [2, 0]), b), v(3, 4),
     v())
for _reduce in ("prod", "mean", "amax", "amin"):
    for _include_self in (True, False):
        _name = f"index_reduce_{_reduce}{'' if _include_self else '_exclude_self'}"
        case(_name, lambda L, a, b, r=_reduce, s=_include_self: L.index_reduce(
            a, 0, _index(L, [2, 0, 2]), b, r, include_self=s), v(3, 4), v(3, 4))
case("index_reduce_prod_zeros", lambda L, a, b: L.index_reduce(
    a, 1, _index(L, [1, 1, 0]), b, "prod"), np.array([[0.0, 1], [2, 0], [3, 4]]),
     np.array([[1.0, 0, 2], [0, 0, 1], [5, 2, 0]]), gradcheck=False)

# --- index_put ------------------------------------------------------------------------------

case("index_put", lambda L, a, b: L.index_put(a, (_index(L, [2, 0]),), b), v(3, 4), v(2, 4))
case("index_put_broadcast", lambda L, a, b: a.index_put(
    (_index(L, [1, 2]), _index(L, [[3], [0]])), b), v(3, 4), v(2))
case("index_put_accumulate", lambda L, a, b: L.index_put(
    a, (_index(L, [2, 0, 2]),), b, accumulate=True), v(3, 4), v(3, 4))
case("index_put_accumulate_broadcast", lambda L, a, b: a.index_put(
    (_index(L, [1, 1]), _index(L, [0, 0])), b, True), v(3, 4), v())
case("index_put_mask", lambda L, a, b: L.index_put(a, (a > 0,), b), v(3, 4), v())

# --- masks ----------------------------------------------------------------------------------

case("masked_fill", lambda L, a: L.masked_fill(a, a > 0, 2.0), v(3, 4))
case("masked_fill_broadcast", lambda L, a: a.masked_fill(L.tensor([True, False, True, False]),
                                                        -1.0), v(3, 4))
case("masked_fill_input_broadcasts", lambda L, a: L.masked_fill(
    a, L.tensor([[True], [False]]), 0.5), v(3))
case("masked_fill_tensor", lambda L, a, b: L.masked_fill(a, a < 0, b), v(3, 4), v())
case("masked_scatter", lambda L, a, b: L.masked_scatter(a, a > 0, b), v(3, 4), v(14))
case("masked_scatter_broadcast", lambda L, a, b: a.masked_scatter(
    L.tensor([[True], [False], [True]]), b), v(4), v(3, 5))

# --- take, put, take_along_dim --------------------------------------------------------------

case("take", lambda L, a: L.take(a, _index(L, [[0, 11], [-1, 5]])), v(3, 4))
case("take_0dim", lambda L, a: a.take(_index(L, [0, 0])), v())
case("put", lambda L, a, b: L.put(a, _index(L, [0, -1, 5]), b), v(3, 4), v(3))
case("put_accumulate", lambda L, a, b: a.put(_index(L, [[0, 0], [7, 0]]), b, True), v(3, 4),
     v(2, 2))
case("take_along_dim", lambda L, a: L.take_along_dim(a, _index(L, [[0, -1, 2, 1]]), 0),
     v(3, 4))
case("take_along_dim_broadcast", lambda L, a: a.take_along_dim(_index(L, [[1], [3], [0]]), 1),
     v(1, 4))
case("take_along_dim_flattened", lambda L, a: L.take_along_dim(a, _index(L, [11, 0, 0])),
     v(3, 4))

# --- in-place forms -------------------------------------------------------------------------

case("scatter_inplace", lambda L, a, b: (a * 1).scatter_(0, _index(L, ROWS[:1]), b), v(3, 4),
     v(1, 4))
case("scatter_value_inplace", lambda L, a: (a * 1).scatter_(1, _index(L, [[1], [2], [0]]),
                                                           value=-1.0), v(3, 4))
case("scatter_add_inplace", lambda L, a, b: (a * 1).scatter_add_(0, _index(L, REPEATS), b),
     v(3, 4), v(2, 4))
case("scatter_reduce_inplace", lambda L, a, b: (a * 1).scatter_reduce_(
    0, _index(L, REPEATS), b, "amax", include_self=False), v(3, 4), v(2, 4))
case("index_add_inplace", lambda L, a, b: (a * 1).index_add_(0, _index(L, [1, 1]), b, alpha=2),
     v(3, 4), v(2, 4))
case("index_copy_inplace", lambda L, a, b: (a * 1).index_copy_(1, _index(L, [2]), b), v(3, 4),
     v(3, 1))
case("index_fill_inplace", lambda L, a, b: (a * 1).index_fill_(0, _index(L, [1]), b), v(3, 4),
     v())
case("index_put_inplace", lambda L, a, b: (a * 1).index_put_((_index(L, [1, 1]),), b, True),
     v(3, 4), v(4))
case("index_reduce_inplace", lambda L, a, b: (a * 1).index_reduce_(
    0, _index(L, [1, 1]), b, "mean"), v(3, 4), v(2, 4))
case("masked_fill_inplace", lambda L, a, b: (a * 1).masked_fill_(a > 0, b), v(3, 4), v())
case("masked_scatter_inplace", lambda L, a, b: (a * 1).masked_scatter_(a > 0, b), v(3, 4),
     v(12))
case("put_inplace", lambda L, a, b: (a * 1).put_(_index(L, [3, 1]), b), v(3, 4), v(2))
case("scatter_inplace_on_view", lambda L, a, b: (a * 1)[1:].scatter_(
    1, _index(L, [[0], [3]]), b), v(3, 4), v(2, 1))
case("masked_fill_inplace_on_view", lambda L, a: (a * 1).t().masked_fill_(
    L.tensor([True, False, False]), 0.0), v(3, 4))

# --- composite: gradients through gather then scatter ---------------------------------------

case("gather_scatter_add", lambda L, a, b: L.zeros(3, 4, dtype=a.dtype).scatter_add(
    0, _index(L, REPEATS), L.gather(a * b, 0, _index(L, REPEATS)) ** 2), v(3, 4), v(3, 4))

test_matches_torch, test_gradcheck, test_gradgradcheck = TABLE.tests()


@pytest.mark.parametrize("reduce", ["add", "multiply"])
def test_scatter_reduce_argument_has_no_derivative(reduce):
    """scatter with reduce= records a node whose backward raises, as torch's does."""
    outcomes = []
    for lib in (torch, ember):
        a = lib.ones(3, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = lib.scatter(a, 0, lib.tensor([0, 0]), 2.0, reduce=reduce)
        assert result.requires_grad
        with pytest.raises(RuntimeError, match="derivative for aten::scatter is not "
                                               "implemented"):
            result.sum().backward()
        outcomes.append(result.grad_fn.name())
    assert outcomes[0] == outcomes[1]


@pytest.mark.parametrize("op", ["scatter", "scatter_add"])
def test_src_larger_than_index(op):
    """A src larger than the index gets a gradient of the index's shape, which the engine
    refuses in torch's words."""
    messages = []
    for lib in (torch, ember):
        a = lib.ones(3, 4, requires_grad=True)
        src = lib.ones(2, 5, requires_grad=True)
        result = getattr(lib, op)(a, 0, lib.tensor([[0, 1]]), src)
        with pytest.raises(RuntimeError) as caught:
            result.sum().backward()
        messages.append(str(caught.value))
    assert messages[1] == messages[0]


def test_out_refused_when_an_input_requires_grad():
    a = ember.ones(3, 4, requires_grad=True)
    index = ember.tensor([[0, 1]])
    for call in (lambda out: ember.gather(a, 0, index, out=out),
                 lambda out: ember.scatter_add(a, 0, index, a, out=out),
                 lambda out: ember.index_select(a, 0, index[0], out=out),
                 lambda out: ember.take(a, index, out=out),
                 lambda out: ember.take_along_dim(a, index, 0, out=out)):
        with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
            call(ember.empty(0))


def test_inplace_on_leaf_refused():
    a = ember.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        a.index_fill_(0, ember.tensor([0]), 2.0)


def test_gather_sparse_grad_values():
    """``sparse_grad=True`` gives torch's gradient values; ember has no sparse layout, so
    the gradient is dense."""
    values = np.arange(12.0).reshape(3, 4)
    grads = []
    for lib in (torch, ember):
        a = lib.tensor(values, requires_grad=True)
        lib.gather(a, 0, lib.tensor(REPEATS), sparse_grad=True).sum().backward()
        grads.append(a.grad)
    np.testing.assert_array_equal(grads[1].numpy(), grads[0].to_dense().numpy())


def _random_grad_calls(rng, trial):
    """The input values and (name, function, other operand) for one random shape, dim and
    index (repeats, negative dims): ``function(lib, input, other)`` is the same in either
    library."""
    ndim = int(rng.integers(1, 4))
    shape = tuple(int(n) for n in rng.integers(1, 4, ndim))
    d = int(rng.integers(0, ndim))
    dim = d - ndim * int(rng.integers(0, 2))
    index_shape = tuple(int(rng.integers(1, n + 1)) if k != d else int(rng.integers(1, 5))
                        for k, n in enumerate(shape))
    positions = rng.integers(0, shape[d], index_shape)
    vector = rng.integers(0, shape[d], int(rng.integers(1, 4)))
    source_shape = list(shape)
    source_shape[d] = len(vector)
    numel = int(np.prod(shape))
    flat = rng.integers(-numel, numel, 4)
    reduce = ("sum", "prod", "mean", "amax", "amin")[trial % 5]
    index_reduce = ("prod", "mean", "amax", "amin")[trial % 4]
    include_self = bool(trial % 2)
    src, source = rng.standard_normal(index_shape), rng.standard_normal(source_shape)
    return rng.standard_normal(shape), [
        ("gather", lambda L, a, b: L.gather(a, dim, _index(L, positions)) * b, src),
        ("scatter_add", lambda L, a, b: L.scatter_add(a, dim, _index(L, positions), b), src),
        ("scatter_reduce", lambda L, a, b: L.scatter_reduce(
            a, dim, _index(L, positions), b, reduce, include_self=include_self), src),
        ("index_add", lambda L, a, b: L.index_add(a, dim, _index(L, vector), b, alpha=0.5),
         source),
        ("index_reduce", lambda L, a, b: L.index_reduce(
            a, dim, _index(L, vector), b, index_reduce, include_self=include_self), source),
        ("put", lambda L, a, b: L.put(a, _index(L, flat), b, True), rng.standard_normal(4)),
        ("masked_scatter", lambda L, a, b: L.masked_scatter(a, a > 0, b),
         rng.standard_normal(numel)),
    ]


def test_random_shapes_gradients_match_torch():
    """Random shapes, dims and indices: the same outputs, grad_fn names and gradients."""
    rng = np.random.default_rng(11)
    for trial in range(30):
        values, calls = _random_grad_calls(rng, trial)
        for name, function, other in calls:
            outcomes = []
            for lib in (torch, ember):
                a = lib.tensor(values, requires_grad=True)
                b = lib.tensor(other, requires_grad=True)
                result = function(lib, a, b)
                result.backward(lib.tensor(np.linspace(-1.0, 2.0, result.numel()).reshape(
                    tuple(result.shape))))
                outcomes.append((result.grad_fn.name(), result.detach().numpy(),
                                 a.grad.numpy(), b.grad.numpy()))
            (torch_name, *expected), (ember_name, *actual) = outcomes
            assert ember_name == torch_name, name
            for ours, theirs in zip(actual, expected):
                np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12, err_msg=name)


_SAVING_OPS = {
    "gather": lambda x, s, i, j: x.gather(0, i),
    "scatter": lambda x, s, i, j: x.scatter(0, i, s),
    "scatter_add": lambda x, s, i, j: x.scatter_add(0, i, s),
    "scatter_reduce": lambda x, s, i, j: x.scatter_reduce(0, i, s, "sum"),
    "index_select": lambda x, s, i, j: x.index_select(0, j),
    "index_add": lambda x, s, i, j: x.index_add(0, j, s),
    "index_copy": lambda x, s, i, j: x.index_copy(0, j, s),
    "index_fill": lambda x, s, i, j: x.index_fill(0, j, 2.0),
    "masked_fill": lambda x, s, i, j: x.masked_fill(x > 0, 1.0),
    "take": lambda x, s, i, j: x.take(j),
    "put": lambda x, s, i, j: x.put(j, s[0, :2]),
}


@pytest.mark.parametrize("name", list(_SAVING_OPS))
@pytest.mark.parametrize("modified", ["input", "src", "index"])
def test_saved_tensors_modified_in_place(name, modified):
    """backward refuses the tensors the op saved (input, src, index: those torch saves)
    once modified in place, and only those."""
    outcomes = []
    for lib in (torch, ember):
        a = lib.ones(3, 4, dtype=lib.float64, requires_grad=True)
        b = lib.ones(2, 4, dtype=lib.float64, requires_grad=True)
        x, s = a * 1, b * 1
        i, j = lib.tensor([[0, 1, 2, 0], [1, 0, 0, 2]]), lib.tensor([0, 2])
        result = _SAVING_OPS[name](x, s, i, j)
        if modified == "input":
            x.add_(1)
        elif modified == "src":
            s.add_(1)
        else:
            i.zero_()
            j.zero_()
        try:
            result.sum().backward()
            outcomes.append(None)
        except RuntimeError as error:
            outcomes.append(str(error).split(":")[0])
    assert outcomes[1] == outcomes[0]
