"""F.unfold / F.fold and the Unfold / Fold layers against torch: values, ``grad_fn``,
gradients (gradcheck, gradgradcheck), dtypes and errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
from tests.autograd.grad_oracle import GradTable
from tests.nn.module_oracle import assert_same_error, check_module

TABLE = GradTable("fold")
case, v = TABLE.case, TABLE.v


def F(L):
    return L.nn.functional


case("unfold", lambda L, x: F(L).unfold(x, 2), v(2, 2, 3, 4))
case("unfold_options", lambda L, x: F(L).unfold(x, (2, 1), dilation=(1, 2), padding=1,
                                                stride=(2, 1)), v(1, 2, 3, 4))
case("unfold_unbatched", lambda L, x: F(L).unfold(x, 1), v(2, 2, 3))
case("fold", lambda L, x: F(L).fold(x, (3, 4), 2), v(2, 8, 6))
case("fold_options", lambda L, x: F(L).fold(x, 4, (2, 3), padding=(1, 0), stride=2),
     v(1, 6, 3))
case("fold_unbatched", lambda L, x: F(L).fold(x, (3, 3), 2, dilation=2), v(4, 1))
case("fold_of_unfold", lambda L, x: F(L).fold(F(L).unfold(x, 2, padding=1), (3, 3), 2,
                                               padding=1), v(1, 2, 3, 3))

test_matches_torch, test_gradcheck, test_gradgradcheck = TABLE.tests()


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "bool", "complex64"])
def test_dtypes(dtype):
    values = np.random.default_rng(0).standard_normal((2, 3, 4, 4)) > 0
    results = []
    for L in (torch, ember):
        x = L.tensor(values).to(getattr(L, dtype))
        columns = F(L).unfold(x, 2, stride=1)
        results.append((columns, F(L).fold(columns, (4, 4), 2)))
    for ours, theirs in zip(results[1], results[0]):
        assert ours.dtype == getattr(ember, dtype)
        np.testing.assert_array_equal(ours.to(ember.complex64).numpy(),
                                      theirs.to(torch.complex64).numpy())


def test_unfold_copies():
    x = ember.ones(2, 3, 4, 4)
    columns = F(ember).unfold(x, 1)
    columns.add_(1)
    assert x.sum().item() == 96


def test_grad_fn_names():
    x = ember.ones(1, 2, 3, 3, requires_grad=True)
    columns = F(ember).unfold(x, 2)
    assert columns.grad_fn.name() == "Im2ColBackward0"
    assert F(ember).fold(columns, (3, 3), 2).grad_fn.name() == "Col2ImBackward0"


ERRORS = [
    ("unfold rank 2", lambda L: F(L).unfold(L.ones(5, 5), 2)),
    ("unfold rank 5", lambda L: F(L).unfold(L.ones(2, 3, 5, 5, 5), 2)),
    ("unfold zero channels", lambda L: F(L).unfold(L.ones(2, 0, 5, 5), 2)),
    ("unfold kernel length", lambda L: F(L).unfold(L.ones(2, 3, 5, 5), (2, 2, 2))),
    ("unfold dilation length", lambda L: F(L).unfold(L.ones(2, 3, 5, 5), 2,
                                                     dilation=(1, 1, 1))),
    ("unfold too big", lambda L: F(L).unfold(L.ones(2, 3, 5, 5), 6)),
    ("unfold zero kernel", lambda L: F(L).unfold(L.ones(2, 3, 5, 5), 0)),
    ("unfold zero stride", lambda L: F(L).unfold(L.ones(2, 3, 5, 5), 2, stride=0)),
    ("unfold negative padding", lambda L: F(L).unfold(L.ones(2, 3, 5, 5), 2, padding=-1)),
    ("unfold zero dilation", lambda L: F(L).unfold(L.ones(2, 3, 5, 5), 2, dilation=0)),
    ("unfold long", lambda L: F(L).unfold(L.ones(2, 3, 5, 5, dtype=L.int64), 2)),
    ("fold rank", lambda L: F(L).fold(L.ones(12), (5, 5), 2)),
    ("fold empty blocks", lambda L: F(L).fold(L.ones(2, 12, 0), (5, 5), 2)),
    ("fold blocks", lambda L: F(L).fold(L.ones(2, 12, 16), (5, 5), 2, stride=2)),
    ("fold divisible", lambda L: F(L).fold(L.ones(2, 13, 16), (5, 5), 2)),
    ("fold output length", lambda L: F(L).fold(L.ones(2, 12, 16), (5, 5, 5), 2)),
    ("fold zero kernel", lambda L: F(L).fold(L.ones(2, 12, 16), (5, 5), 0)),
    ("fold small output", lambda L: F(L).fold(L.ones(2, 12, 16), (1, 1), 2)),
    ("fold long", lambda L: F(L).fold(L.ones(2, 12, 16, dtype=L.int64), (5, 5), 2)),
]


@pytest.mark.parametrize("name, function", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors(name, function):
    assert_same_error(function)


def _input(*shape):
    return np.random.default_rng(sum(shape)).standard_normal(shape)


@pytest.mark.parametrize("make, shape", [
    (lambda nn: nn.Unfold(2), (2, 3, 4, 4)),
    (lambda nn: nn.Unfold((2, 3), dilation=2, padding=1, stride=(1, 2)), (1, 2, 5, 5)),
    (lambda nn: nn.Unfold(1), (3, 4, 4)),
    (lambda nn: nn.Fold((5, 5), 2), (2, 12, 16)),
    (lambda nn: nn.Fold(5, (2, 3), 1, 0, 1), (1, 12, 12)),
    (lambda nn: nn.Fold((4, 3), 2, padding=1, stride=2), (8, 6)),
])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_layers(make, shape, dtype):
    check_module(make, _input(*shape), dtype=dtype)
