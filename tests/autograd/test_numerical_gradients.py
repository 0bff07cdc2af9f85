"""Gradients of the numerical routines against torch: outputs, grad_fn names and input
gradients in float64 and float32, float64 gradcheck and gradgradcheck."""

from __future__ import annotations

import pytest
import torch

import ember
from tests.autograd.grad_oracle import GradTable

TABLE = GradTable("numerical")
case, v, p = TABLE.case, TABLE.v, TABLE.p

# --- covariance and correlation ------------------------------------------------------------

case("cov", lambda L, a: L.cov(a), v(3, 5))
case("cov_method", lambda L, a: a.cov(correction=0), v(2, 4))
case("cov_vector", lambda L, a: L.cov(a), v(5))
case("cov_transposed", lambda L, a: L.cov(a.t(), correction=2), v(6, 3))
case("cov_fweights", lambda L, a: L.cov(a, fweights=L.tensor([1, 3, 0, 2])), v(3, 4))
case("cov_aweights", lambda L, a, w: L.cov(a, aweights=w), v(3, 4), p(4))
case("cov_both_weights", lambda L, a, w: L.cov(a, fweights=L.tensor([2, 1, 1, 3]),
                                              aweights=w, correction=3), v(2, 4), p(4))
case("cov_aweights_only_input", lambda L, a, w: L.cov(a, aweights=w), v(3, 4), p(4),
     requires_grad=(0,))
# One observation with one kind of weights: torch zeroes the centered input in place.
case("cov_one_observation", lambda L, a: L.cov(a * 1, fweights=L.tensor([2])), v(3, 1))
case("cov_one_observation_aweights", lambda L, a, w: L.cov(a * 1, aweights=w, correction=0),
     v(3, 1), p(1))
case("corrcoef", lambda L, a: L.corrcoef(a), v(3, 5))
case("corrcoef_method", lambda L, a: a.corrcoef(), v(4, 6))
case("corrcoef_vector", lambda L, a: L.corrcoef(a), v(5))
case("corrcoef_transposed", lambda L, a: L.corrcoef(a.t() * 2), v(6, 2))

# --- numerical gradients -------------------------------------------------------------------

case("gradient", lambda L, a: L.gradient(a), v(3, 5))
case("gradient_spacing", lambda L, a: L.gradient(a, spacing=2.5, dim=1), v(3, 5))
case("gradient_spacings", lambda L, a: L.gradient(a, spacing=[2, 0.5]), v(3, 4))
case("gradient_edge_order_2", lambda L, a: L.gradient(a, edge_order=2), v(4, 3))
case("gradient_dims", lambda L, a: L.gradient(a, dim=[-1, 0], edge_order=2), v(3, 4, 3))
case("gradient_vector", lambda L, a: L.gradient(a, spacing=(3,)), v(6))
case("gradient_coordinates",
     lambda L, a: L.gradient(a, spacing=[L.tensor([0.0, 1.0, 3.0]),
                                         L.tensor([0.0, 0.5, 2.0, 2.5])]), v(3, 4))
case("gradient_coordinates_edge_order_2",
     lambda L, a: L.gradient(a, spacing=[L.tensor([0.0, 0.5, 2.0, 2.5])], dim=1, edge_order=2),
     v(3, 4))
case("gradient_through_coordinates",
     lambda L, a, x: L.gradient(a, spacing=(x.cumsum(0),), dim=0, edge_order=2), v(5, 2),
     p(5))
case("gradient_through_coordinates_edge_order_1",
     lambda L, a, x: L.gradient(a, spacing=[x.cumsum(0)], dim=[1]), v(2, 4), p(4))

# --- Vandermonde matrices (no backward: see below) -------------------------------------------

case("vander_one_column", lambda L, a: L.vander(a, N=1) * a.unsqueeze(1), v(3))

test_matches_torch, test_gradcheck, test_gradgradcheck = TABLE.tests()


def _vander_backward(lib, **options):
    x = lib.tensor([1.5, -2.0, 0.5], dtype=lib.float64, requires_grad=True)
    result = lib.vander(x, **options)
    name = result.grad_fn.name()
    try:
        result.sum().backward()
    except RuntimeError as error:
        return name, "modified by an inplace operation" in str(error)
    return name, None


@pytest.mark.parametrize("options", [{}, {"increasing": True}, {"N": 2}, {"N": 5}],
                         ids=["default", "increasing", "N=2", "N=5"])
def test_vander_backward_as_torch(options):
    """torch.vander fills its powers in place with cumprod, which saves the slice that the
    next copy overwrites: its graph has torch's nodes, and its backward raises as torch's."""
    assert _vander_backward(ember, **options) == _vander_backward(torch, **options)


def _cov_of_leaf_one_observation(lib):
    x = lib.tensor([[1.0], [2.0]], requires_grad=True)
    try:
        lib.cov(x, fweights=lib.tensor([2]))
    except RuntimeError as error:
        return str(error)
    return None


def test_cov_one_observation_of_a_leaf_as_torch():
    """cov zeroes a single observation in place: a leaf that requires grad refuses."""
    assert _cov_of_leaf_one_observation(ember) == _cov_of_leaf_one_observation(torch)


def _input_after_cov_of_one_observation(lib):
    x = lib.tensor([1.0, 2.0, 3.0])
    with pytest.warns(UserWarning, match="degrees of freedom is <= 0"):
        lib.cov(x[:1], aweights=lib.tensor([0.5]))
    return x.tolist()


def test_cov_one_observation_zeroes_its_input_as_torch():
    assert (_input_after_cov_of_one_observation(ember)
            == _input_after_cov_of_one_observation(torch) == [0.0, 2.0, 3.0])
