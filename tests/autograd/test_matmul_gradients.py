"""Gradients of the matrix-product family and of the Fourier transforms against torch:
outputs, grad_fn names and input gradients in float64 and float32, float64 gradcheck and
gradgradcheck."""

from __future__ import annotations

import warnings

import numpy as np

from tests.autograd.grad_oracle import GradTable

TABLE = GradTable("matmul")
case, v, p = TABLE.case, TABLE.v, TABLE.p


def _einsum(equation):
    return lambda L, *operands: L.einsum(equation, *operands)


# --- einsum ------------------------------------------------------------------------------

case("einsum_matmul", _einsum("ij,jk->ik"), v(2, 3), v(3, 4))
case("einsum_implicit", _einsum("ij,jk"), v(2, 3), v(3, 4))
case("einsum_transposed_output", _einsum("ij,jk->ki"), v(2, 3), v(3, 4))
case("einsum_diagonal", _einsum("ii->i"), v(3, 3))
case("einsum_trace", _einsum("ii"), v(3, 3))
case("einsum_permute", _einsum("ij->ji"), v(2, 3))
case("einsum_sum", _einsum("ij->"), v(2, 3))
case("einsum_sum_dim", _einsum("ij->j"), v(2, 3))
case("einsum_dot", _einsum("i,i->"), v(3), v(3))
case("einsum_outer", _einsum("i,j->ij"), v(3), v(4))
case("einsum_batched", _einsum("bij,bjk->bik"), v(2, 3, 4), v(2, 4, 5))
case("einsum_ellipsis", _einsum("...ij,...jk->...ik"), v(2, 3, 4), v(4, 5))
case("einsum_hadamard", _einsum("ij,ij->ij"), v(2, 3), v(2, 3))
case("einsum_row_dots", _einsum("ij,ij->i"), v(2, 3), v(2, 3))
case("einsum_three", _einsum("ij,jk,kl->il"), v(2, 3), v(3, 4), v(4, 2))
case("einsum_bilinear", _einsum("bn,anm,bm->ba"), v(2, 3), v(4, 3, 2), v(2, 2))
case("einsum_repeated_and_broadcast", _einsum("iij,j->ij"), v(3, 3, 2), v(2))
case("einsum_broadcast_size_one", _einsum("ij,ij->"), v(1, 3), v(2, 3))
case("einsum_sublist", lambda L, a, b: L.einsum(a, [0, 1], b, [1, 2], [2, 0]), v(2, 3),
     v(3, 4))
case("einsum_one_requires_grad", _einsum("ij,jk->ik"), v(2, 3), v(3, 4), requires_grad=(1,))

# --- tensordot, inner, outer, vdot ---------------------------------------------------------

case("tensordot", lambda L, a, b: L.tensordot(a, b), v(2, 3, 4), v(3, 4, 2))
case("tensordot_lists", lambda L, a, b: L.tensordot(a, b, dims=([0, 2], [1, 0])),
     v(2, 3, 4), v(4, 2, 3))
case("tensordot_broadcast_dim", lambda L, a, b: L.tensordot(a, b, dims=([1], [0])),
     v(2, 1), v(3, 4))
case("tensordot_outer", lambda L, a, b: L.tensordot(a, b, dims=0), v(2), v(3))
case("inner", lambda L, a, b: L.inner(a, b), v(2, 3), v(4, 3))
case("inner_vectors", lambda L, a, b: L.inner(a, b), v(3), v(3))
case("inner_scalar", lambda L, a, b: L.inner(a, b), v(), v(2, 3))
case("outer", lambda L, a, b: L.outer(a, b), v(3), v(4))
case("vdot", lambda L, a, b: L.vdot(a, b), v(4), v(4))

# --- beta * input + alpha * product --------------------------------------------------------

case("addmm", lambda L, c, a, b: L.addmm(c, a, b), v(2, 4), v(2, 3), v(3, 4))
case("addmm_scaled", lambda L, c, a, b: L.addmm(c, a, b, beta=0.5, alpha=-2), v(2, 4),
     v(2, 3), v(3, 4))
case("addmm_broadcast", lambda L, c, a, b: L.addmm(c, a, b), v(4), v(2, 3), v(3, 4))
case("addmm_beta_zero", lambda L, c, a, b: L.addmm(c, a, b, beta=0), v(2, 4), v(2, 3),
     v(3, 4))
case("addmm_method", lambda L, c, a, b: c.addmm(a, b, alpha=3), v(2, 4), v(2, 3), v(3, 4))
case("addmm_inplace", lambda L, c, a, b: (c * 1).addmm_(a, b, beta=2), v(2, 4), v(2, 3),
     v(3, 4))
case("addmv", lambda L, c, a, b: L.addmv(c, a, b, beta=2, alpha=0.5), v(2), v(2, 3), v(3))
case("addmv_broadcast", lambda L, c, a, b: L.addmv(c, a, b), v(), v(2, 3), v(3))
case("addr", lambda L, c, a, b: L.addr(c, a, b, beta=-1, alpha=2), v(2, 3), v(2), v(3))
case("baddbmm", lambda L, c, a, b: L.baddbmm(c, a, b, alpha=2), v(2, 3, 4), v(2, 3, 5),
     v(2, 5, 4))
case("baddbmm_broadcast", lambda L, c, a, b: L.baddbmm(c, a, b), v(3, 1), v(2, 3, 5),
     v(2, 5, 4))
case("addbmm", lambda L, c, a, b: L.addbmm(c, a, b, beta=0.5), v(3, 4), v(2, 3, 5),
     v(2, 5, 4))

# --- powers and chains ---------------------------------------------------------------------

_WELL_CONDITIONED = v(3, 3, low=0.1, high=0.4) + 2 * np.eye(3)
for _n in (0, 1, 2, 3, 5, 6):
    case(f"matrix_power_{_n}", lambda L, a, n=_n: L.matrix_power(a, n), v(3, 3, high=1.0))
for _n in (-1, -2, -3):
    case(f"matrix_power_{_n}", lambda L, a, n=_n: L.matrix_power(a, n), _WELL_CONDITIONED)
case("matrix_power_batched", lambda L, a: a.matrix_power(4), v(2, 2, 2, high=1.0))


def _multi_dot(L, *tensors):
    return L.linalg.multi_dot(list(tensors)) if L.__name__ == "torch" else (
        L.ops.matmul.multi_dot(list(tensors)))


def _chain_matmul(L, *tensors):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # deprecated, warned once per process
        return L.chain_matmul(*tensors)


case("multi_dot_two", _multi_dot, v(2, 3), v(3, 4))
case("multi_dot_three", _multi_dot, v(2, 3), v(3, 4), v(4, 5))
case("multi_dot_vectors", _multi_dot, v(3), v(3, 4), v(4, 2), v(2))
case("multi_dot_four", _multi_dot, v(1, 4), v(4, 2), v(2, 5), v(5, 3))
case("chain_matmul", _chain_matmul, v(2, 3), v(3, 4), v(4, 5))
case("chain_matmul_single", _chain_matmul, v(2, 3))

# --- Fourier transforms ------------------------------------------------------------------
# Complex results are compared with torch (gradcheck judges real outputs only); the round
# trips that end real check every primitive's gradient by finite differences too.


def _fft(name, **kwargs):
    return lambda L, a: getattr(L.fft, name)(a, **kwargs)


for _name, _kwargs in [("fft", {}), ("fft", {"n": 7}), ("fft", {"n": 3, "dim": 0}),
                       ("rfft", {}), ("rfft", {"n": 9}),
                       ("rfft", {"norm": "forward", "dim": 0}), ("fft2", {}),
                       ("fftn", {"s": (3, 4)}), ("rfft2", {}), ("rfftn", {"dim": (1, 0)}),
                       ("ihfft2", {})]:
    case(f"{_name}_{_kwargs}", _fft(_name, **_kwargs), v(4, 6), gradcheck=False)
# torch marks these results conjugate (a lazy view); a product reads them
case("ifft_real", lambda L, a: L.fft.ifft(a, norm="ortho") * 2, v(5), gradcheck=False)
case("ihfft", lambda L, a: L.fft.ihfft(a) * 2, v(6), gradcheck=False)
case("irfft_rfft", lambda L, a: L.fft.irfft(L.fft.rfft(a)), v(3, 6))
case("irfft_rfft_odd", lambda L, a: L.fft.irfft(L.fft.rfft(a), n=7, norm="ortho"), v(7))
case("irfft_cut", lambda L, a: L.fft.irfft(L.fft.rfft(a), n=4), v(8))
case("circular_convolution", lambda L, a, b: L.fft.irfft(L.fft.rfft(a) * L.fft.rfft(b), n=6),
     v(6), v(6))
case("ifft_fft", lambda L, a: L.fft.irfft(L.fft.ifft(L.fft.fft(a, norm="forward"))), v(5))
case("hfft_ifft", lambda L, a: L.fft.hfft(L.fft.ifft(a), n=6), v(4))
case("hfft_ihfft", lambda L, a: L.fft.hfft(L.fft.ihfft(a), n=6, norm="forward"), v(6))
case("irfftn_rfftn", lambda L, a: L.fft.irfftn(L.fft.rfftn(a), s=(3, 5)), v(3, 5))
case("irfft2_fft2", lambda L, a: L.fft.irfft2(L.fft.fft2(a, norm="ortho")), v(3, 4))
case("hfft2_ihfft2", lambda L, a: L.fft.hfft2(L.fft.ihfft2(a), s=(3, 4)), v(3, 4))
case("fftshift", lambda L, a: L.fft.fftshift(a), v(3, 4))
case("ifftshift", lambda L, a: L.fft.ifftshift(a, dim=0), v(3, 4))

test_matches_torch, test_gradcheck, test_gradgradcheck = TABLE.tests()
