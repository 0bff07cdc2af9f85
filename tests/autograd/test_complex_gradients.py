"""Gradients through complex tensors against torch: built from real parts (complex, polar,
view_as_complex), taken apart again (real, imag, view_as_real, angle), conjugated."""

from __future__ import annotations

from tests.autograd.grad_oracle import GradTable

TABLE = GradTable("complex")
case, v, p = TABLE.case, TABLE.v, TABLE.p

case("complex_view_as_real", lambda L, a, b: L.view_as_real(L.complex(a, b)), v(2, 3), v(2, 3))
case("complex_broadcast", lambda L, a, b: L.view_as_real(L.complex(a, b)), v(2, 3), v(3))
case("complex_real", lambda L, a, b: L.complex(a, b).real * 2, v(3), v(3))
case("complex_imag", lambda L, a, b: L.complex(a, b).imag.exp(), v(3), v(3))
case("polar", lambda L, a, b: L.view_as_real(L.polar(a, b)), p(2, 3), v(2, 3))
case("polar_imag", lambda L, a, b: L.polar(a, b).imag, p(4), v(4))
case("view_as_complex_parts", lambda L, a: L.view_as_complex(a).real * L.view_as_complex(a).imag,
     v(3, 2))
case("view_as_complex_back", lambda L, a: L.view_as_real(L.view_as_complex(a) * 2), v(2, 3, 2))
case("angle_real", lambda L, a: L.angle(a), v(2, 3), gradcheck=False)
case("angle_complex", lambda L, a, b: L.angle(L.complex(a, b)), v(2, 3), v(2, 3))
case("conj", lambda L, a, b: L.view_as_real(L.complex(a, b).conj().resolve_conj()), v(3),
     v(3))
case("conj_physical", lambda L, a, b: L.view_as_real(L.conj_physical(L.complex(a, b))), v(3),
     v(3))
case("real_of_real", lambda L, a: a.real * 3, v(3))

test_matches_torch, test_gradcheck, test_gradgradcheck = TABLE.tests()


# Holomorphic ops of complex values (see Note [Complex gradients]): the leaves are real, the
# gradients reach them through complex ones.
COMPLEX = GradTable("holomorphic")
hcase, hv = COMPLEX.case, COMPLEX.v


def _z(L, a, b):
    return L.complex(a, b)


hcase("mul", lambda L, a, b, c, d: L.view_as_real(_z(L, a, b) * _z(L, c, d)), hv(3), hv(3),
      hv(3), hv(3))
hcase("div_exp", lambda L, a, b, c, d: L.view_as_real(_z(L, a, b).exp() / _z(L, c, d)), hv(3),
      hv(3), hv(3), hv(3))
hcase("sin_sum", lambda L, a, b: L.view_as_real(_z(L, a, b).sum() * _z(L, a, b).sin()), hv(3),
      hv(3))
hcase("matmul", lambda L, a, b, c, d: L.view_as_real(_z(L, a, b) @ _z(L, c, d)), hv(2, 3),
      hv(2, 3), hv(3, 2), hv(3, 2))
hcase("real_times_complex", lambda L, a, b, c: L.view_as_real(a * _z(L, b, c)), hv(3), hv(3),
      hv(3))
hcase("pow_log", lambda L, a, b: L.view_as_real((_z(L, a, b) ** 2).log()), hv(3), hv(3))
hcase("abs", lambda L, a, b: _z(L, a, b).abs() ** 3, hv(3), hv(3))
hcase("sgn", lambda L, a, b: L.view_as_real(_z(L, a, b).sgn()) * 2, hv(3), hv(3))
hcase("sgn_times_abs", lambda L, a, b: L.view_as_real(_z(L, a, b).sgn() * _z(L, a, b).abs()),
      hv(2, 2), hv(2, 2))
hcase("reciprocal_conj", lambda L, a, b: L.view_as_real(_z(L, a, b).conj().reciprocal()),
      hv(3), hv(3))

(test_holomorphic_matches_torch, test_holomorphic_gradcheck,
 test_holomorphic_gradgradcheck) = COMPLEX.tests()
