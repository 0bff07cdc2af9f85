"""Gradients of the pointwise and special ops beyond arithmetic: each against torch (outputs,
grad_fn names, input gradients in float64 and float32), float64 gradcheck and
gradgradcheck."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
from tests.autograd.grad_oracle import GradTable

TABLE = GradTable("pointwise")
case, v, p = TABLE.case, TABLE.v, TABLE.p

# --- trigonometric and hyperbolic -------------------------------------------------------------

for _name in ("asin", "acos", "atanh", "arcsin", "arccos", "arctanh"):
    case(_name, lambda L, a, _name=_name: getattr(L, _name)(a), v(2, 3, low=0.1, high=0.8))
for _name in ("atan", "sinh", "cosh", "asinh", "arctan", "arcsinh"):
    case(_name, lambda L, a, _name=_name: getattr(L, _name)(a), v(2, 3))
case("acosh", lambda L, a: L.acosh(a), p(2, 3, low=1.2, high=3.0))
case("asin_method", lambda L, a: a.asin(), v(2, 3, low=0.1, high=0.8))
case("cosh_inplace", lambda L, a: (a * 1).cosh_(), v(2, 3))
case("deg2rad", lambda L, a: L.deg2rad(a), v(2, 3))
case("rad2deg", lambda L, a: a.rad2deg(), v(2, 3))

# --- more arithmetic --------------------------------------------------------------------------

case("square", lambda L, a: L.square(a), v(2, 3))
case("square_inplace", lambda L, a: (a + 0).square_(), v(2, 3))
case("frac", lambda L, a: L.frac(a), v(2, 3) * 3 + 0.05)
case("positive", lambda L, a: L.positive(a) * 2, v(2, 3))
case("copysign", lambda L, a, b: L.copysign(a, b), v(2, 3), v(2, 3), gradcheck=False)
case("copysign_scalar", lambda L, a: L.copysign(a, -1.0), v(2, 3))
case("copysign_broadcast", lambda L, a, b: L.copysign(a, b), v(2, 3), v(3),
     requires_grad=(0,))
case("hypot", lambda L, a, b: L.hypot(a, b), v(2, 3), v(2, 3))
case("hypot_broadcast", lambda L, a, b: L.hypot(a, b), v(2, 3), v(3))
case("logaddexp", lambda L, a, b: L.logaddexp(a, b), v(2, 3), v(2, 3))
case("logaddexp2", lambda L, a, b: L.logaddexp2(a, b), v(2, 3), v(3))
case("ldexp", lambda L, a, b: L.ldexp(a, b), v(2, 3), v(2, 3))
# torch's formula reads pow(2, other), 0 for a negative integer exponent: its gradient (and
# ember's) is not the derivative there, so finite differences cannot judge it
case("ldexp_integer_exponent", lambda L, a: L.ldexp(a, L.tensor([1, -2, 3])), v(2, 3),
     gradcheck=False)
case("xlogy", lambda L, a, b: L.xlogy(a, b), v(2, 3), p(2, 3))
case("xlogy_number_input", lambda L, b: L.xlogy(2.0, b), p(2, 3))
case("xlogy_number_other", lambda L, a: L.xlogy(a, 3.0), v(2, 3))
case("xlogy_zero", lambda L, a, b: L.xlogy(a * L.tensor([0.0, 1.0, 0.0]), b), v(2, 3), p(2, 3))
case("xlogy_inplace", lambda L, a, b: (a * 1).xlogy_(b), v(2, 3), p(3))
case("lerp_scalar", lambda L, a, b: L.lerp(a, b, 0.3), v(2, 3), v(2, 3))
case("lerp_scalar_high", lambda L, a, b: a.lerp(b, 0.8), v(2, 3), v(3))
case("lerp_tensor", lambda L, a, b, w: L.lerp(a, b, w), v(2, 3), v(2, 3), p(2, 3) / 3)
case("lerp_tensor_broadcast", lambda L, a, b, w: L.lerp(a, b, w), v(2, 3), v(3), p(2, 1) / 3)
case("lerp_inplace", lambda L, a, b: (a * 1).lerp_(b, 0.25), v(2, 3), v(2, 3))
case("addcmul", lambda L, a, b, c: L.addcmul(a, b, c), v(2, 3), v(2, 3), v(2, 3))
case("addcmul_value", lambda L, a, b, c: L.addcmul(a, b, c, value=-1.5), v(2, 3), v(3),
     v(2, 1))
case("addcmul_inplace", lambda L, a, b, c: (a * 1).addcmul_(b, c, value=2), v(2, 3),
     v(2, 3), v(2, 3))
case("addcdiv", lambda L, a, b, c: L.addcdiv(a, b, c), v(2, 3), v(2, 3), v(2, 3))
case("addcdiv_value", lambda L, a, b, c: a.addcdiv(b, c, value=0.5), v(2, 3), v(3), v(2, 3))
case("frexp_mantissa", lambda L, a: L.frexp(a)[0] * 1, v(2, 3) * 10)
case("frexp", lambda L, a: L.frexp(a), v(2, 3) * 10)

# --- special functions ------------------------------------------------------------------------

case("erf", lambda L, a: L.erf(a), v(2, 3))
case("erfc", lambda L, a: L.erfc(a), v(2, 3))
case("erfinv", lambda L, a: L.erfinv(a), v(2, 3, low=0.05, high=0.9))
case("erf_inplace", lambda L, a: (a * 1).erf_(), v(2, 3))
case("lgamma", lambda L, a: L.lgamma(a), v(2, 3, low=0.3, high=3.0))
case("digamma", lambda L, a: L.digamma(a), v(2, 3, low=0.3, high=3.0))
case("digamma_method", lambda L, a: a.digamma(), p(2, 3))
for _n in (0, 1, 2, 3):
    case(f"polygamma_{_n}", lambda L, a, _n=_n: L.polygamma(_n, a), p(2, 3))
case("polygamma_method", lambda L, a: a.polygamma(2), p(2, 3))
case("mvlgamma", lambda L, a: L.mvlgamma(a, 3), p(2, 3, low=1.5, high=4.0))
case("mvlgamma_p1", lambda L, a: L.mvlgamma(a, p=1), p(2, 3))
case("i0", lambda L, a: L.i0(a), v(2, 3))
case("i0_large", lambda L, a: L.i0(a), v(2, 3, low=20.0, high=40.0), gradcheck=False)
case("sinc", lambda L, a: L.sinc(a), v(2, 3))
case("logit", lambda L, a: L.logit(a), p(2, 3, low=0.1, high=0.9))
case("logit_eps", lambda L, a: L.logit(a, eps=0.2), p(2, 3, low=0.05, high=0.95),
     gradcheck=False)
case("logit_outside", lambda L, a: L.logit(a), np.array([-0.5, 0.3, 1.5]), gradcheck=False)
case("special_expit", lambda L, a: L.special.expit(a), v(2, 3))
case("special_gammaln", lambda L, a: L.special.gammaln(a), p(2, 3))
case("special_psi", lambda L, a: L.special.psi(a), p(2, 3))
case("special_multigammaln", lambda L, a: L.special.multigammaln(a, 2), p(2, 3, low=1.0))
case("special_xlog1py", lambda L, a, b: L.special.xlog1py(a, b), v(2, 3), p(2, 3))
case("special_xlog1py_numbers", lambda L, a: L.special.xlog1py(2.0, a) + L.special.xlog1py(
    a, 0.5), p(2, 3))
case("special_i1", lambda L, a: L.special.i1(a), v(2, 3))
case("special_i0e", lambda L, a: L.special.i0e(a), v(2, 3))
case("special_i1e", lambda L, a: L.special.i1e(a), v(2, 3))
case("special_ndtr", lambda L, a: L.special.ndtr(a), v(2, 3))
case("special_ndtri", lambda L, a: L.special.ndtri(a), p(2, 3, low=0.1, high=0.9))
case("special_entr", lambda L, a: L.special.entr(a), p(2, 3))
case("special_erfcx", lambda L, a: L.special.erfcx(a), v(2, 3))
case("special_log_ndtr", lambda L, a: L.special.log_ndtr(a), v(2, 3) * 2)
case("special_zeta", lambda L, b: L.special.zeta(3.0, b), p(2, 3))
case("special_erf_composite", lambda L, a: L.special.erf(a).sum() * L.special.erfc(a),
     v(2, 3))



case("nextafter", lambda L, a, b: L.nextafter(a, b), v(2, 3), v(2, 3), gradcheck=False)

test_matches_torch, test_gradcheck, test_gradgradcheck = TABLE.tests()


def test_heaviside_not_differentiable():
    """heaviside records a node whose backward refuses, as in torch."""
    names = []
    for lib in (torch, ember):
        a = lib.tensor([0.5, -1.0, 2.0], dtype=lib.float64, requires_grad=True)
        result = lib.heaviside(a, lib.ones(3, dtype=lib.float64))
        with pytest.raises(RuntimeError, match="derivative for aten::heaviside is not "
                                               "implemented"):
            result.sum().backward()
        names.append(result.grad_fn.name())
    assert names[0] == names[1]


def test_sgn_gradient_is_zero():
    """torch's gradient of sgn for real inputs is a ZeroTensor (which the table cannot read):
    zeros, and the same node name."""
    a = torch.tensor([0.5, -1.0, 0.0], dtype=torch.float64, requires_grad=True)
    b = ember.tensor([0.5, -1.0, 0.0], dtype=ember.float64, requires_grad=True)
    torch_result, ember_result = torch.sgn(a), ember.sgn(b)
    assert ember_result.grad_fn.name() == torch_result.grad_fn.name()
    ember_result.sum().backward()
    assert b.grad.tolist() == [0.0, 0.0, 0.0]


def test_out_refused_with_grad():
    for lib in (torch, ember):
        a = lib.tensor([0.5, 0.2], requires_grad=True)
        with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
            lib.erf(a, out=lib.empty(2))
        with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
            lib.hypot(a, a, out=lib.empty(2))
