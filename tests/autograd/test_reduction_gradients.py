"""Gradients of the scans, the stable reductions (logsumexp, softmax, log_softmax, norm, ...)
and the order statistics against torch: outputs, grad_fn names and input gradients in float64
and float32, float64 gradcheck and gradgradcheck."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
from tests.autograd.grad_oracle import GradTable

TABLE = GradTable("reduction")
case, v, p = TABLE.case, TABLE.v, TABLE.p

# --- scans ------------------------------------------------------------------------------------

case("cumsum", lambda L, a: L.cumsum(a, 1), v(2, 3))
case("cumsum_dim0", lambda L, a: a.cumsum(0), v(3, 2))
case("cumsum_0dim", lambda L, a: a.cumsum(0), v())
case("cumsum_dtype", lambda L, a: a.cumsum(-1, dtype=L.float64), v(2, 3))
case("cumsum_inplace", lambda L, a: (a * 1).cumsum_(1), v(2, 3))
case("cumprod", lambda L, a: L.cumprod(a, 1), v(2, 4))
case("cumprod_dim0", lambda L, a: a.cumprod(0), v(3, 2))
case("cumprod_zeros", lambda L, a: a.cumprod(1),
     np.array([[1.5, 0.0, -2.0, 0.7], [0.0, 0.0, 3.0, 1.1], [1.0, 2.0, 0.5, 0.0]]))
case("cumprod_inplace", lambda L, a: (a * 1).cumprod_(0), v(3, 2))
case("cummax", lambda L, a: L.cummax(a, 1), v(2, 4))
case("cummax_ties", lambda L, a: a.cummax(0)[0],
     np.array([[1.0, 2.0], [1.0, 0.5], [3.0, 2.0]]), gradcheck=False)
case("cummin", lambda L, a: L.cummin(a, 0)[0], v(4, 2))
case("logcumsumexp", lambda L, a: L.logcumsumexp(a, 1), v(2, 4))
case("logcumsumexp_large", lambda L, a: a.logcumsumexp(0), v(4, 2) * 300)
case("diff", lambda L, a: L.diff(a), v(2, 4))
case("diff_n0", lambda L, a: a.diff(0), v(2, 3))
case("diff_n2_prepend", lambda L, a, b: L.diff(a, 2, 0, prepend=b), v(3, 2), v(1, 2))
case("trapezoid", lambda L, a: L.trapezoid(a), v(2, 4))
case("trapezoid_dx", lambda L, a: L.trapezoid(a, dx=0.5, dim=0), v(3, 2))
case("trapezoid_x", lambda L, a, b: L.trapezoid(a, b), v(2, 4), v(4))
case("trapz_x", lambda L, a, b: L.trapz(a, b, dim=0), v(3, 2), v(3, 2))
case("cumulative_trapezoid", lambda L, a: L.cumulative_trapezoid(a, dx=2.0), v(2, 4))
case("cumulative_trapezoid_x", lambda L, a, b: L.cumulative_trapezoid(a, b), v(2, 4), v(4))

# --- stable reductions, norms, several results ---------------------------------------------

case("logsumexp", lambda L, a: L.logsumexp(a, 1), v(2, 3))
case("logsumexp_dims_keepdim", lambda L, a: a.logsumexp((0, 2), keepdim=True), v(2, 3, 2))
case("logsumexp_large", lambda L, a: a.logsumexp(0), v(3, 2) * 400)
case("softmax", lambda L, a: L.softmax(a, 1), v(2, 3))
case("softmax_dim0", lambda L, a: a.softmax(0), v(3, 2))
case("softmax_dtype", lambda L, a: L.softmax(a, -1, dtype=L.float64), v(2, 3))
case("log_softmax", lambda L, a: L.log_softmax(a, 1), v(2, 3))
case("log_softmax_large", lambda L, a: a.log_softmax(0), v(3, 2) * 400)
case("log_softmax_0dim", lambda L, a: a.log_softmax(0), v())
case("norm", lambda L, a: L.norm(a), v(2, 3))
case("norm_dim", lambda L, a: a.norm(dim=1), v(2, 3))
case("norm_p1", lambda L, a: L.norm(a, 1, 0, True), v(2, 3))
case("norm_p3", lambda L, a: L.norm(a, 3, (0, 1)), v(2, 3))
case("norm_p0.5", lambda L, a: L.norm(a, 0.5, 1), v(2, 3))
case("norm_p1.5", lambda L, a: L.norm(a, 1.5), v(2, 3))
case("norm_p0", lambda L, a: L.norm(a, 0), v(2, 3))
case("norm_inf", lambda L, a: L.norm(a, float("inf"), 1), v(2, 3))
case("norm_inf_ties", lambda L, a: L.norm(a, float("inf")), np.array([1.0, -2.0, 2.0]),
     gradcheck=False)
case("norm_neg_inf", lambda L, a: L.norm(a, float("-inf")), v(2, 3))
case("norm_zero_input", lambda L, a: L.norm(a * 0), v(2, 3), gradcheck=False)
case("norm_nuc", lambda L, a: L.norm(a, "nuc"), v(3, 2), gradcheck=False)
case("renorm", lambda L, a: L.renorm(a, 2, 0, 1.0), v(3, 4))
case("renorm_p1_dim1", lambda L, a: a.renorm(1, 1, 2.0), v(3, 4))
case("renorm_p3_some_below", lambda L, a: L.renorm(a, 3, 0, 1.3), v(4, 2))
case("renorm_inplace", lambda L, a: (a * 1).renorm_(2, -1, 0.5), v(2, 3))
case("dist", lambda L, a, b: L.dist(a, b), v(2, 3), v(3))
case("dist_p1", lambda L, a, b: a.dist(b, 1), v(2, 3), v(2, 3))
case("dist_inf", lambda L, a, b: L.dist(a, b, float("inf")), v(2, 3), v(2, 3))
case("var_mean", lambda L, a: L.var_mean(a, 1), v(2, 3))
case("var_mean_all", lambda L, a: L.var_mean(a, correction=0), v(2, 3))
case("std_mean", lambda L, a: L.std_mean(a, 0, keepdim=True), v(3, 2))
case("std_mean_std_only", lambda L, a: L.std_mean(a)[0], v(2, 3))
case("var_mean_mean_only", lambda L, a: L.var_mean(a, 1)[1], v(2, 3))
case("aminmax", lambda L, a: L.aminmax(a), v(2, 3))
case("aminmax_dim", lambda L, a: a.aminmax(dim=1, keepdim=True), v(2, 3))
case("aminmax_ties", lambda L, a: L.aminmax(a, dim=0),
     np.array([[1.0, 2.0], [1.0, 0.5], [0.0, 2.0]]), gradcheck=False)
case("aminmax_max_only", lambda L, a: L.aminmax(a, dim=0).max, v(3, 2))

# --- order statistics ---------------------------------------------------------------------

case("median", lambda L, a: L.median(a), v(3, 3))
case("median_even_ties", lambda L, a: a.median(), np.array([1.0, 2.0, 2.0, 3.0, 2.0, 0.5]),
     gradcheck=False)
case("median_nan", lambda L, a: a.median(), np.array([1.0, np.nan, 2.0, np.nan]),
     gradcheck=False)
case("median_dim", lambda L, a: L.median(a, 1), v(2, 5))
case("median_dim_keepdim", lambda L, a: a.median(0, keepdim=True)[0], v(4, 3))
case("median_dim_ties", lambda L, a: a.median(1).values,
     np.array([[3.0, 1.0, 2.0, 1.0], [2.0, 2.0, 1.0, 1.0]]), gradcheck=False)
case("median_0dim", lambda L, a: L.median(a, 0), v())
case("nanmedian", lambda L, a: L.nanmedian(a), np.array([1.0, np.nan, 2.0, 0.5, -1.0]),
     gradcheck=False)
case("nanmedian_dim", lambda L, a: a.nanmedian(1),
     np.array([[3.0, np.nan, 2.0, 1.0], [np.nan, np.nan, 1.0, 5.0]]), gradcheck=False)
case("nanmedian_dim_plain", lambda L, a: L.nanmedian(a, 0), v(3, 2))
case("mode", lambda L, a: L.mode(a).values,
     np.array([[1.0, 2.0, 1.0, 3.0], [0.5, 0.5, 2.0, 2.0]]), gradcheck=False)
case("mode_dim0_keepdim", lambda L, a: a.mode(0, True), v(3, 2))
case("quantile", lambda L, a: L.quantile(a, 0.3), v(3, 4))
case("quantile_dim", lambda L, a: a.quantile(0.6, 1, keepdim=True), v(3, 4))
case("quantile_q_tensor", lambda L, a: L.quantile(a, L.tensor([0.1, 0.5, 0.9],
                                                              dtype=a.dtype), dim=0), v(5, 2))
for _interpolation in ("lower", "higher", "midpoint", "nearest"):
    case(f"quantile_{_interpolation}", lambda L, a, i=_interpolation: L.quantile(
        a, 0.35, 1, interpolation=i), v(2, 5))
case("nanquantile", lambda L, a: L.nanquantile(a, 0.4, 1),
     np.array([[3.0, np.nan, 2.0, 1.0], [0.5, -1.0, 1.5, 5.0]]), gradcheck=False)
case("nanquantile_plain", lambda L, a: a.nanquantile(0.75), v(2, 3))

test_matches_torch, test_gradcheck, test_gradgradcheck = TABLE.tests()


# --- complex inputs (the table builds real ones) -------------------------------------------

_COMPLEX = np.array([[1 + 2j, 0.5 - 1j, 2 + 0.3j, -0.4j], [1j, -1 + 1j, 0.7, 0.2 + 0.9j]])
_OTHER = np.array([[0.3 - 2j, 1.5 - 1j, 2j, 1.0], [1 + 1j, -1 - 1j, 0.2, -0.5j]])

COMPLEX_CASES = {
    "cumsum": lambda L, a: L.cumsum(a, 1),
    "cumprod": lambda L, a: a.cumprod(0),
    "logcumsumexp": lambda L, a: L.logcumsumexp(a, 1),
    "logsumexp": lambda L, a: L.logsumexp(a, 0),
    "norm": lambda L, a: L.norm(a),
    "norm_p1_dim": lambda L, a: a.norm(1, 1),
    "norm_p3": lambda L, a: L.norm(a, 3),
    "norm_inf": lambda L, a: L.norm(a, float("inf"), 0),
    "norm_nuc": lambda L, a: L.norm(a, "nuc"),
    "dist": lambda L, a: L.dist(a, L.tensor(_OTHER), 3),
    "renorm": lambda L, a: L.renorm(a, 2, 0, 1.0),
    "renorm_p1": lambda L, a: a.renorm(1, 1, 1.0),
    "var_mean": lambda L, a: L.var_mean(a, 1),
    "std_mean": lambda L, a: L.std_mean(a),
    "diff": lambda L, a: L.diff(a, 1, 0),
}


@pytest.mark.parametrize("name", COMPLEX_CASES)
def test_complex_matches_torch(name):
    """Gradients of complex inputs follow PyTorch's conjugate Wirtinger convention."""
    grads = []
    for lib in (torch, ember):
        tensor = lib.tensor(_COMPLEX, requires_grad=True)
        outputs = COMPLEX_CASES[name](lib, tensor)
        outputs = outputs if isinstance(outputs, tuple) else (outputs,)
        rng = np.random.default_rng(len(name))
        seeds = []
        for output in outputs:
            values = rng.standard_normal(tuple(output.shape))
            if output.dtype.is_complex:
                values = values + 1j * rng.standard_normal(tuple(output.shape))
            seeds.append(lib.tensor(values, dtype=output.dtype))
        lib.autograd.backward(list(outputs), seeds)
        grad = tensor.grad
        grads.append(grad.resolve_conj().numpy() if lib is torch else grad.numpy())
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-7, atol=1e-9)
