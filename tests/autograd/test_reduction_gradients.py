"""Gradients of the scans, the stable reductions (logsumexp, softmax, log_softmax, norm, ...)
and the order statistics against torch: outputs, grad_fn names and input gradients in float64
and float32, float64 gradcheck and gradgradcheck."""

from __future__ import annotations

import numpy as np

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
case("diff_n2_prepend", lambda L, a, b: L.diff(a, 2, 0, prepend=b), v(3, 2), v(1, 2))

test_matches_torch, test_gradcheck, test_gradgradcheck = TABLE.tests()
