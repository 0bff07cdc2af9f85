"""Gradients of the shaping ops against torch: outputs, grad_fn names and input gradients
in float64 and float32, float64 gradcheck and gradgradcheck."""

from __future__ import annotations

from tests.autograd.grad_oracle import GradTable

TABLE = GradTable("shaping")
case, v, p = TABLE.case, TABLE.v, TABLE.p

# --- flips and rotations -------------------------------------------------------------------

case("flip", lambda L, a: L.flip(a, (0, -1)), v(2, 3, 4))
case("flip_method", lambda L, a: a.flip(1), v(2, 3))
case("fliplr", lambda L, a: L.fliplr(a), v(3, 4))
case("flipud", lambda L, a: L.flipud(a), v(3))
case("flip_of_transposed", lambda L, a: L.flip(a.t(), (0,)) * 2, v(3, 4))
case("roll", lambda L, a: L.roll(a, 2), v(3, 4))
case("roll_dims", lambda L, a: L.roll(a, (1, -2), (0, 1)), v(3, 4))
case("rot90", lambda L, a: L.rot90(a), v(3, 4))
case("rot90_2", lambda L, a: L.rot90(a, 2, (1, 2)), v(2, 3, 4))
case("rot90_3", lambda L, a: L.rot90(a, -1, (0, 1)), v(3, 4))
case("rot90_0", lambda L, a: L.rot90(a, 4), v(3, 4))

# --- triangles and diagonals ---------------------------------------------------------------

case("tril", lambda L, a: L.tril(a), v(3, 4))
case("tril_offset", lambda L, a: a.tril(-1), v(2, 3, 3))
case("triu", lambda L, a: L.triu(a, 1), v(4, 3))
case("tril_inplace", lambda L, a: (a * 2).tril_(1), v(3, 4))
case("triu_inplace", lambda L, a: (a * 2).triu_(), v(3, 4))
case("tril_inplace_on_view", lambda L, a: _tril_view_in_place(a), v(3, 4))
case("diag_of_transposed", lambda L, a: L.diag(a.t(), -1), v(3, 4))
case("diag_embed_batch", lambda L, a: a.diag_embed(-1, 1, 0), v(2, 3))
case("diag_vector", lambda L, a: L.diag(a), v(3))
case("diag_vector_offset", lambda L, a: L.diag(a, -2), v(3))
case("diag_matrix", lambda L, a: L.diag(a, 1), v(3, 4))
case("diag_embed", lambda L, a: L.diag_embed(a), v(2, 3))
case("diag_embed_dims", lambda L, a: L.diag_embed(a, 1, 0, 2), v(2, 3))
case("diagflat", lambda L, a: L.diagflat(a, -1), v(2, 2))
case("trace", lambda L, a: L.trace(a), v(3, 4))
case("trace_square", lambda L, a: a.trace() * a.sum(), v(3, 3))
case("narrow_copy", lambda L, a: L.narrow_copy(a, 1, 1, 2), v(3, 4))

def _tril_view_in_place(a):
    b = a * 1
    b[:, 1:].tril_(1)
    return b


# --- repeats -----------------------------------------------------------------------------

case("repeat", lambda L, a: a.repeat(2, 3), v(2, 3))
case("repeat_new_dims", lambda L, a: a.repeat(2, 1, 2), v(3))
case("repeat_zero", lambda L, a: a.repeat(0, 2), v(2, 3))
case("tile", lambda L, a: L.tile(a, (2,)), v(2, 3))
case("repeat_interleave", lambda L, a: L.repeat_interleave(a, 2), v(2, 3))
case("repeat_interleave_dim", lambda L, a: L.repeat_interleave(a, 3, dim=-1), v(2, 3))
case("repeat_interleave_counts",
     lambda L, a: L.repeat_interleave(a, L.tensor([2, 0, 1]), dim=1), v(2, 3))
case("repeat_interleave_counts_flat",
     lambda L, a: a.repeat_interleave(L.tensor([3]), output_size=18), v(2, 3))
case("repeat_interleave_counts_empty",
     lambda L, a: L.repeat_interleave(a, L.tensor([], dtype=L.int64), dim=0), v(0, 3))
case("kron", lambda L, a, b: L.kron(a, b), v(2, 3), v(3, 2))
case("kron_ranks", lambda L, a, b: L.kron(a, b), v(2), v(2, 3))
case("kron_one_requires_grad", lambda L, a, b: L.kron(a, b), v(2, 2), v(2, 2),
     requires_grad=(1,))

# --- combining and splitting --------------------------------------------------------------

case("block_diag", lambda L, a, b, c: L.block_diag(a, b, c), v(2, 3), v(2), v())
case("cartesian_prod", lambda L, a, b: L.cartesian_prod(a, b), v(2), v(3))
case("combinations", lambda L, a: L.combinations(a), v(4))
case("combinations_with_replacement", lambda L, a: L.combinations(a, 3, True), v(3))
case("meshgrid_ij", lambda L, a, b: L.meshgrid(a, b, indexing="ij"), v(2), v(3))
case("meshgrid_xy", lambda L, a, b, c: L.meshgrid(a, b, c, indexing="xy"), v(2), v(3), v())
case("broadcast_tensors", lambda L, a, b: L.broadcast_tensors(a, b), v(2, 3), v(3))
case("broadcast_tensors_same", lambda L, a, b: L.broadcast_tensors(a, b)[1] * 2, v(2, 3),
     v(2, 3))
case("atleast_1d", lambda L, a: L.atleast_1d(a), v())
case("atleast_2d", lambda L, a, b: L.atleast_2d(a, b), v(), v(3))
case("atleast_3d", lambda L, a, b: L.atleast_3d([a, b]), v(3), v(2, 3))
case("column_stack", lambda L, a, b: L.column_stack((a, b)), v(3), v(3, 2))
case("dstack", lambda L, a, b: L.dstack((a, b)), v(3), v(1, 3))
case("tensor_split", lambda L, a: L.tensor_split(a, 3, 1), v(2, 4))
case("tensor_split_indices", lambda L, a: a.tensor_split([1, 3]), v(4, 2))
case("tensor_split_partly_used", lambda L, a: L.tensor_split(a, 2)[1] * 3, v(4, 2))
case("hsplit", lambda L, a: L.hsplit(a, 2), v(2, 4))
case("vsplit", lambda L, a: a.vsplit([1]), v(3, 2))
case("dsplit", lambda L, a: L.dsplit(a, 2), v(2, 1, 4))

# --- cross products and distances ----------------------------------------------------------

case("cross", lambda L, a, b: L.cross(a, b, dim=1), v(4, 3), v(4, 3))
case("cross_broadcast", lambda L, a, b: a.cross(b, dim=0), v(3, 4), v(3, 1))
case("cross_one_requires_grad", lambda L, a, b: L.cross(a, b, dim=-1), v(2, 3), v(2, 3),
     requires_grad=(0,))
for _p in (2.0, 1.0, 3.0, 1.5, 0.5, 0.0, float("inf")):
    case(f"cdist_p{_p}", lambda L, a, b, _p=_p: L.cdist(a, b, p=_p), v(3, 4), v(2, 4))
case("cdist_batch", lambda L, a, b: L.cdist(a, b), v(2, 1, 3, 2), v(3, 4, 2))
case("cdist_matrix_product", lambda L, a, b: L.cdist(a, b), v(27, 2), v(3, 2))
case("cdist_matrix_product_batch",
     lambda L, a, b: L.cdist(a, b, compute_mode="use_mm_for_euclid_dist"), v(2, 3, 2),
     v(4, 2))
case("cdist_no_rows", lambda L, a, b: L.cdist(a, b), v(0, 2), v(3, 2))

test_matches_torch, test_gradcheck, test_gradgradcheck = TABLE.tests()
