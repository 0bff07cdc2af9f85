"""Gradients of the sorting and selection ops against torch: sort, msort, topk, kthvalue and
masked_select (outputs, grad_fn names, input gradients, gradcheck and gradgradcheck), and
the ops whose results carry no gradient (argsort, searchsorted, histc, ...) or whose
derivative torch does not implement (unique)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
from tests.autograd.grad_oracle import GradTable

TABLE = GradTable("sorting")
case, v, p = TABLE.case, TABLE.v, TABLE.p

MASK = np.array([[True, False, True, True], [False, False, True, False], [True, True, True,
                                                                          False]])


def _mask(lib, shape=None):
    mask = lib.tensor(MASK)
    return mask if shape is None else mask[..., : shape[-1]]


# --- sort, msort ---------------------------------------------------------------------------

case("sort", lambda L, a: L.sort(a).values, v(3, 4))
case("sort_dim0_descending", lambda L, a: L.sort(a, 0, descending=True), v(3, 4))
case("sort_stable", lambda L, a: a.sort(stable=True, dim=-1).values, v(2, 5))
case("sort_3d_transposed", lambda L, a: a.transpose(0, 2).sort(1).values, v(2, 3, 4))
case("sort_0dim", lambda L, a: L.sort(a).values, v())
case("sort_empty", lambda L, a: L.sort(a, 0).values, np.zeros((0, 3)), gradcheck=False)
case("msort", lambda L, a: L.msort(a), v(4, 3))
case("sort_then_product", lambda L, a: L.sort(a).values * a, v(2, 4))

# --- topk, kthvalue ------------------------------------------------------------------------

case("topk", lambda L, a: L.topk(a, 2).values, v(3, 5))
case("topk_smallest_dim0", lambda L, a: a.topk(2, 0, largest=False), v(4, 3))
case("topk_unsorted", lambda L, a: L.topk(a, 3, sorted=False).values, v(2, 6))
case("topk_all", lambda L, a: L.topk(a, 4).values, v(3, 4))
case("topk_zero", lambda L, a: L.topk(a, 0).values, v(3, 4), gradcheck=False)
case("topk_0dim", lambda L, a: L.topk(a, 1).values, v())
case("topk_partial_sort", lambda L, a: L.topk(a, 1).values, v(2, 70))
case("kthvalue", lambda L, a: L.kthvalue(a, 2).values, v(3, 4))
case("kthvalue_keepdim_dim0", lambda L, a: a.kthvalue(3, 0, keepdim=True), v(4, 3))
case("kthvalue_0dim", lambda L, a: L.kthvalue(a, 1).values, v())
case("kthvalue_3d", lambda L, a: L.kthvalue(a, 1, 1).values, v(2, 3, 2))

# --- masked_select --------------------------------------------------------------------------

case("masked_select", lambda L, a: L.masked_select(a, _mask(L)), v(3, 4))
case("masked_select_broadcast_input", lambda L, a: a.masked_select(_mask(L)), v(4))
case("masked_select_broadcast_both", lambda L, a: L.masked_select(a, _mask(L)[:1]), v(3, 1))
case("masked_select_0dim", lambda L, a: L.masked_select(a, _mask(L)), v())
case("masked_select_twice", lambda L, a: L.masked_select(a, _mask(L)) ** 2, v(3, 4))

test_matches_torch, test_gradcheck, test_gradgradcheck = TABLE.tests()


# --- ops without gradients --------------------------------------------------------------------


NOT_DIFFERENTIABLE = {
    "argsort": lambda L, a: L.argsort(a),
    "sort_indices": lambda L, a: L.sort(a).indices,
    "topk_indices": lambda L, a: L.topk(a, 2).indices,
    "searchsorted": lambda L, a: L.searchsorted(L.tensor([0.0, 1.0]), a),
    "bucketize": lambda L, a: L.bucketize(a, L.tensor([0.0, 1.0])),
    "histc": lambda L, a: L.histc(a, 4),
    "argwhere": lambda L, a: L.argwhere(a),
}


@pytest.mark.parametrize("name", NOT_DIFFERENTIABLE)
def test_results_without_gradient(name):
    function = NOT_DIFFERENTIABLE[name]
    values = np.array([[0.5, -1.0, 2.0], [1.5, 0.0, -0.5]])
    for lib in (torch, ember):
        result = function(lib, lib.tensor(values, requires_grad=True))
        assert not result.requires_grad and result.grad_fn is None, (lib.__name__, name)


def _unique_message(op):
    return f"the derivative for '{op}' is not implemented"


UNIMPLEMENTED = {
    "unique": (lambda L, a: L.unique(a), "Unique2Backward0", _unique_message("_unique2")),
    "unique_dim": (lambda L, a: L.unique(a, dim=0), "UniqueDimBackward0",
                   _unique_message("unique_dim")),
    "unique_consecutive": (lambda L, a: L.unique_consecutive(a), "UniqueConsecutiveBackward0",
                           _unique_message("unique_consecutive")),
    "histogram": (lambda L, a: L.histogram(a, 3).hist, "torch::autograd::NotImplemented",
                  "derivative for aten::histogram is not implemented"),
    "histogram_edges": (lambda L, a: L.histogram(a, 3).bin_edges, "torch::autograd::NotImplemented",
                        "derivative for aten::histogram is not implemented"),
    "histogram_weight": (lambda L, a: L.histogram(a.detach(), 3, weight=a).hist,
                         "torch::autograd::NotImplemented", "derivative for aten::histogram is not implemented"),
}


@pytest.mark.parametrize("name", UNIMPLEMENTED)
def test_unimplemented_derivatives(name):
    """torch records a node for these ops whose backward raises."""
    function, node, message = UNIMPLEMENTED[name]
    for lib in (torch, ember):
        x = lib.tensor([[1.0, 2.0], [1.0, 2.0], [0.0, 3.0]], requires_grad=True)
        result = function(lib, x)
        assert result.grad_fn.name() == node
        with pytest.raises(RuntimeError, match=message):
            result.sum().backward()


def test_out_refused_under_grad():
    for lib in (torch, ember):
        x = lib.tensor([3.0, 1.0, 2.0], requires_grad=True)
        with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
            lib.sort(x, out=(lib.empty(0), lib.empty(0, dtype=lib.int64)))
        with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
            lib.masked_select(x, x > 1, out=lib.empty(0))


def test_gradient_follows_tied_indices():
    """With ties, the gradient goes to the element torch's index picked."""
    values = np.array([[1.0, 2.0, 1.0, 2.0, 1.0] * 4])
    grads = []
    for lib in (torch, ember):
        x = lib.tensor(values, requires_grad=True)
        picked = lib.topk(x, 3).values.sum() + lib.kthvalue(x, 4).values.sum()
        picked = picked + (lib.sort(x).values * lib.arange(20.0)).sum()
        picked.backward()
        grads.append(x.grad.numpy())
    np.testing.assert_array_equal(grads[1], grads[0])
