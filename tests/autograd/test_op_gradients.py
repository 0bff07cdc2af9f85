"""The gradient table: every differentiable op of ember against torch (outputs, grad_fn
names, input gradients in float64 and float32), float64 gradcheck and gradgradcheck, the
values at non-differentiable points, and double backward through composite expressions."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import ember
from tests.autograd.grad_oracle import (
    GradCase,
    GradTable,
    assert_close,
    build,
    check_against_torch,
    values,
)

TABLE = GradTable()
case, v, p = TABLE.case, TABLE.v, TABLE.p


# --- pointwise binary -------------------------------------------------------------------------

case("add", lambda L, a, b: L.add(a, b), v(2, 3), v(2, 3))
case("add_alpha", lambda L, a, b: L.add(a, b, alpha=2.5), v(2, 3), v(2, 3))
case("add_broadcast", lambda L, a, b: a + b, v(2, 3), v(3))
case("add_broadcast_both", lambda L, a, b: a + b, v(2, 1), v(1, 3))
case("add_0dim", lambda L, a, b: a + b, v(2, 3), v())
case("add_scalar", lambda L, a: a + 2.0, v(2, 3))
case("radd_scalar", lambda L, a: 2.0 + a, v(2, 3))
case("add_one_requires_grad", lambda L, a, b: a + b, v(2, 3), v(3), requires_grad=(1,))
case("sub", lambda L, a, b: L.sub(a, b), v(2, 3), v(2, 3))
case("sub_alpha", lambda L, a, b: L.sub(a, b, alpha=-1.5), v(2, 3), v(3))
case("rsub_scalar", lambda L, a: 2.0 - a, v(2, 3))
case("mul", lambda L, a, b: L.mul(a, b), v(2, 3), v(2, 3))
case("mul_broadcast", lambda L, a, b: a * b, v(3, 1), v(2))
case("mul_scalar", lambda L, a: a * 3.0, v(2, 3))
case("mul_0dim", lambda L, a, b: a * b, v(), v(2, 2))
case("mul_same", lambda L, a: a * a, v(2, 3))
case("div", lambda L, a, b: L.div(a, b), v(2, 3), v(2, 3))
case("div_broadcast", lambda L, a, b: a / b, v(2, 3), v(2, 1))
case("div_scalar", lambda L, a: a / 4.0, v(2, 3))
case("rdiv_scalar", lambda L, a: 4.0 / a, v(2, 3))
case("true_divide", lambda L, a, b: L.true_divide(a, b), v(2, 3), v(3))
case("div_trunc", lambda L, a, b: L.div(a, b, rounding_mode="trunc"), v(2, 3) * 3, v(2, 3),
     gradcheck=False)
case("remainder", lambda L, a, b: L.remainder(a, b), v(2, 3) * 3, p(2, 3) * 1.1)
case("remainder_scalar", lambda L, a: L.remainder(a, 1.5), v(2, 3) * 3)
case("fmod", lambda L, a, b: L.fmod(a, b), v(2, 3) * 3, p(2, 3) * 1.1)
case("fmod_scalar", lambda L, a: L.fmod(a, 1.5), v(2, 3) * 3)
case("pow_scalar", lambda L, a: a ** 3, v(2, 3))
case("pow_scalar_float", lambda L, a: L.pow(a, 2.5), p(2, 3))
case("pow_scalar_negative", lambda L, a: a ** -2, v(2, 3))
case("pow_scalar_zero", lambda L, a: a ** 0, v(2, 3))
case("pow_tensor", lambda L, a, b: L.pow(a, b), p(2, 3), v(2, 3))
case("pow_tensor_broadcast", lambda L, a, b: a ** b, p(2, 3), v(3))
case("rpow_scalar", lambda L, a: 2.0 ** a, v(2, 3))
case("pow_scalar_base", lambda L, a: L.pow(3.0, a), v(2, 3))
case("float_power", lambda L, a, b: L.float_power(a, b), p(2, 3), v(2, 3))
case("float_power_scalar", lambda L, a: L.float_power(a, 2), v(2, 3))
case("maximum", lambda L, a, b: L.maximum(a, b), v(2, 3), v(2, 3))
case("maximum_broadcast", lambda L, a, b: L.maximum(a, b), v(2, 3), v(3))
case("minimum", lambda L, a, b: L.minimum(a, b), v(2, 3), v(2, 3))
case("fmax", lambda L, a, b: L.fmax(a, b), v(2, 3), v(3))
case("fmin", lambda L, a, b: L.fmin(a, b), v(2, 3), v(2, 3))
case("fmax_nan_and_ties", lambda L, a, b: L.fmax(a, b), np.array([1.0, np.nan, 2.0, np.nan]),
     np.array([1.0, 0.5, np.nan, np.nan]), gradcheck=False)
case("fmin_nan_and_ties", lambda L, a, b: L.fmin(a, b), np.array([1.0, np.nan, 2.0, 0.0]),
     np.array([1.0, 0.5, np.nan, 3.0]), gradcheck=False)
case("atan2", lambda L, a, b: L.atan2(a, b), v(2, 3), v(2, 3))
case("atan2_broadcast", lambda L, a, b: L.atan2(a, b), v(2, 3), v(2, 1))

# --- pointwise unary --------------------------------------------------------------------------

for _name in ("neg", "abs", "exp", "exp2", "sin", "cos", "tanh", "sigmoid", "relu", "expm1"):
    case(_name, lambda L, a, _name=_name: getattr(L, _name)(a), v(2, 3))
for _name in ("log", "log2", "log10", "sqrt", "rsqrt"):
    case(_name, lambda L, a, _name=_name: getattr(L, _name)(a), p(2, 3))
case("log1p", lambda L, a: L.log1p(a), p(2, 3) - 0.4)
case("tan", lambda L, a: L.tan(a), v(2, 3, low=0.1, high=1.2))
for _name in ("sign", "floor", "ceil", "trunc", "round"):
    case(_name, lambda L, a, _name=_name: getattr(L, _name)(a), v(2, 3) * 3 + 0.1)
case("round_decimals", lambda L, a: L.round(a, decimals=1), v(2, 3) + 0.01)
case("neg_method", lambda L, a: -a, v(2, 3))
case("abs_method", lambda L, a: abs(a), v(2, 3))
case("sigmoid_method", lambda L, a: a.sigmoid(), v(2, 3))

# --- clamp, where, nan_to_num -----------------------------------------------------------------

case("clamp_both", lambda L, a: L.clamp(a, -0.9, 1.1), v(2, 3))
case("clamp_min", lambda L, a: L.clamp(a, min=0.3), v(2, 3))
case("clamp_max", lambda L, a: L.clamp(a, max=0.3), v(2, 3))
case("clip", lambda L, a: L.clip(a, -0.4, 0.6), v(2, 3))
case("clamp_min_function", lambda L, a: L.clamp_min(a, 0.3), v(2, 3))
case("clamp_max_method", lambda L, a: a.clamp_max(0.3), v(2, 3))
case("clamp_tensor_bounds", lambda L, a, lo, hi: L.clamp(a, lo, hi), v(2, 3), v(2, 3) - 1,
     v(3) + 1)
case("clamp_tensor_min", lambda L, a, lo: L.clamp(a, min=lo), v(2, 3), v(2, 3))
case("clamp_tensor_max", lambda L, a, hi: L.clamp(a, max=hi), v(2, 3), v(3))
case("where", lambda L, a, b: L.where(a > 0, a, b), v(2, 3), v(2, 3))
case("where_broadcast", lambda L, a, b: L.where(a > 0, a, b), v(2, 3), v(3))
case("where_scalar", lambda L, a: L.where(a > 0, a, 0.5), v(2, 3))
case("where_method", lambda L, a, b: a.where(b > 0, b), v(2, 3), v(2, 3))
case("nan_to_num", lambda L, a: L.nan_to_num(a / (a > 0)), v(2, 3), gradcheck=False)
case("nan_to_num_finite", lambda L, a: L.nan_to_num(a, nan=1.0), v(2, 3))

# --- reductions -------------------------------------------------------------------------------

case("sum", lambda L, a: a.sum(), v(2, 3))
case("sum_dim", lambda L, a: a.sum(1), v(2, 3))
case("sum_dims_keepdim", lambda L, a: L.sum(a, (0, 2), keepdim=True), v(2, 3, 2))
case("sum_negative_dim", lambda L, a: a.sum(-1, keepdim=True), v(2, 3))
case("sum_0dim", lambda L, a: a.sum(), v())
case("sum_dtype", lambda L, a: a.sum(dtype=L.float64), v(2, 3))
case("nansum", lambda L, a: L.nansum(a), v(2, 3))
case("nansum_dims_keepdim", lambda L, a: a.nansum((0, 2), keepdim=True), v(2, 3, 2))
case("nansum_with_nan", lambda L, a: a.nansum(1),
     np.array([[1.0, np.nan, -2.0], [np.nan, np.nan, 0.5]]), gradcheck=False)
case("nanmean", lambda L, a: L.nanmean(a), v(2, 3))
case("nanmean_dim_with_nan", lambda L, a: a.nanmean(1, keepdim=True),
     np.array([[1.0, np.nan, -2.0], [np.nan, 0.3, 0.5]]), gradcheck=False)
case("mean", lambda L, a: a.mean(), v(2, 3))
case("mean_dim", lambda L, a: L.mean(a, 0), v(2, 3))
case("mean_dims_keepdim", lambda L, a: a.mean((0, 1), keepdim=True), v(2, 2, 2))
case("prod", lambda L, a: a.prod(), v(2, 3))
case("prod_dim", lambda L, a: L.prod(a, 1), v(2, 3))
case("prod_dim_keepdim", lambda L, a: a.prod(0, keepdim=True), v(2, 3))
case("prod_one_zero", lambda L, a: a.prod(), np.array([1.5, 0.0, -2.0, 0.7]))
case("prod_two_zeros", lambda L, a: a.prod(), np.array([1.5, 0.0, -2.0, 0.0]))
case("prod_dim_zeros", lambda L, a: a.prod(1),
     np.array([[1.5, 0.0, -2.0], [0.0, 0.0, 3.0], [1.0, 2.0, 0.5]]))
case("prod_dim_zeros_keepdim", lambda L, a: a.prod(0, keepdim=True),
     np.array([[1.5, 0.0], [0.0, 0.0], [1.0, 2.0]]))
case("max", lambda L, a: a.max(), v(2, 3))
case("max_dim", lambda L, a: L.max(a, 1), v(2, 3))
case("max_dim_keepdim", lambda L, a: a.max(0, keepdim=True), v(2, 3))
case("max_dim_values", lambda L, a: a.max(dim=-1).values, v(2, 3))
case("min", lambda L, a: a.min(), v(2, 3))
case("min_dim", lambda L, a: L.min(a, 0), v(2, 3))
case("max_binary", lambda L, a, b: L.max(a, b), v(2, 3), v(2, 3))
case("amax", lambda L, a: L.amax(a), v(2, 3))
case("amax_dim", lambda L, a: a.amax(1), v(2, 3))
case("amax_dims_keepdim", lambda L, a: L.amax(a, (0, 2), keepdim=True), v(2, 2, 2))
case("amin_dims", lambda L, a: a.amin((0, 1)), v(2, 2, 2))
case("std", lambda L, a: a.std(), v(2, 3))
case("std_dim", lambda L, a: L.std(a, 1), v(2, 3))
case("std_dims_keepdim", lambda L, a: a.std((0, 2), keepdim=True), v(2, 2, 2))
case("std_correction", lambda L, a: L.std(a, 0, correction=0), v(3, 2))
case("std_unbiased_false", lambda L, a: a.std(unbiased=False), v(2, 3))
case("var", lambda L, a: a.var(), v(2, 3))
case("var_dim", lambda L, a: L.var(a, 1), v(2, 3))
case("var_dims_keepdim", lambda L, a: a.var((0, 1), keepdim=True), v(2, 2, 2))
case("var_correction", lambda L, a: L.var(a, dim=1, correction=2), v(2, 4))

# --- matrix products --------------------------------------------------------------------------

case("matmul_1d_1d", lambda L, a, b: a @ b, v(3), v(3))
case("matmul_1d_2d", lambda L, a, b: a @ b, v(3), v(3, 2))
case("matmul_2d_1d", lambda L, a, b: a @ b, v(2, 3), v(3))
case("matmul_2d_2d", lambda L, a, b: L.matmul(a, b), v(2, 3), v(3, 2))
case("matmul_3d_2d", lambda L, a, b: a @ b, v(2, 2, 3), v(3, 2))
case("matmul_2d_3d", lambda L, a, b: a @ b, v(2, 3), v(2, 3, 2))
case("matmul_3d_1d", lambda L, a, b: a @ b, v(2, 2, 3), v(3))
case("matmul_1d_3d", lambda L, a, b: a @ b, v(2), v(2, 2, 3))
case("matmul_4d_3d", lambda L, a, b: a @ b, v(2, 1, 2, 2), v(2, 2, 1))
case("matmul_3d_3d", lambda L, a, b: a @ b, v(2, 2, 3), v(2, 3, 1))
case("matmul_batch_broadcast", lambda L, a, b: a @ b, v(1, 2, 2), v(2, 2, 2))
case("mm", lambda L, a, b: L.mm(a, b), v(2, 3), v(3, 2))
case("mm_method_transposed", lambda L, a, b: a.t().mm(b), v(3, 2), v(3, 2))
case("bmm", lambda L, a, b: L.bmm(a, b), v(2, 2, 3), v(2, 3, 2))
case("mv", lambda L, a, b: L.mv(a, b), v(2, 3), v(3))
case("dot", lambda L, a, b: L.dot(a, b), v(3), v(3))

# --- views ------------------------------------------------------------------------------------

case("view", lambda L, a: a.view(3, 2), v(2, 3))
case("view_inferred", lambda L, a: a.view(-1), v(2, 3))
case("reshape_view", lambda L, a: a.reshape(3, 2), v(2, 3))
case("reshape_copy", lambda L, a: a.t().reshape(6), v(2, 3))
case("reshape_function", lambda L, a: L.reshape(a, (1, 6)), v(2, 3))
case("flatten", lambda L, a: a.flatten(), v(2, 1, 3))
case("flatten_dims", lambda L, a: L.flatten(a, 1, 2), v(2, 1, 3))
case("flatten_copy", lambda L, a: a.transpose(0, 2).flatten(), v(2, 1, 3))
case("unflatten", lambda L, a: a.unflatten(1, (2, 2)), v(2, 4))
case("squeeze", lambda L, a: a.squeeze(), v(2, 1, 3, 1))
case("squeeze_dim", lambda L, a: a.squeeze(1), v(2, 1, 3))
case("squeeze_dims", lambda L, a: L.squeeze(a, (1, 3)), v(2, 1, 3, 1))
case("squeeze_noop", lambda L, a: a.squeeze(0), v(2, 3))
case("unsqueeze", lambda L, a: a.unsqueeze(1), v(2, 3))
case("unsqueeze_negative", lambda L, a: L.unsqueeze(a, -1), v(2, 3))
case("permute", lambda L, a: a.permute(2, 0, 1), v(2, 3, 1))
case("permute_function", lambda L, a: L.permute(a, (1, 0)), v(2, 3))
case("transpose", lambda L, a: a.transpose(0, 2), v(2, 1, 3))
case("t", lambda L, a: a.t(), v(2, 3))
case("t_1d", lambda L, a: a.t(), v(3))
case("T", lambda L, a: a.T, v(2, 3))
case("mT", lambda L, a: a.mT, v(2, 2, 3))
case("H", lambda L, a: a.H, v(2, 3))
case("mH", lambda L, a: a.mH, v(2, 2, 3))
case("adjoint", lambda L, a: a.adjoint(), v(2, 3))
case("expand", lambda L, a: a.expand(2, 3, 3), v(3, 1))
case("expand_as", lambda L, a, b: a.expand_as(b), v(1, 3), v(2, 3), requires_grad=(0,))
case("narrow", lambda L, a: a.narrow(1, 1, 2), v(2, 4))
case("narrow_function", lambda L, a: L.narrow(a, 0, 1, 1), v(2, 4))
case("select", lambda L, a: a.select(1, 2), v(2, 4))
case("select_negative", lambda L, a: L.select(a, 0, -1), v(2, 4))
case("unbind", lambda L, a: a.unbind(1), v(2, 3))
case("unbind_function", lambda L, a: L.unbind(a), v(2, 3))
case("split", lambda L, a: a.split(2, 1), v(2, 5))
case("split_sections", lambda L, a: L.split(a, [1, 3], dim=1), v(2, 4))
case("chunk", lambda L, a: a.chunk(3, 1), v(2, 5))
case("movedim", lambda L, a: a.movedim(0, 2), v(2, 3, 1))
case("movedim_tuple", lambda L, a: L.movedim(a, (0, 1), (1, 0)), v(2, 3))
case("diagonal", lambda L, a: a.diagonal(), v(3, 3))
case("diagonal_offset", lambda L, a: L.diagonal(a, 1, 1, 0), v(3, 4))
case("unfold", lambda L, a: a.unfold(1, 2, 1), v(2, 4))
case("unfold_step", lambda L, a: a.unfold(0, 2, 2), v(5))
case("as_strided", lambda L, a: a.as_strided((2, 2), (1, 2)), v(6))
case("as_strided_overlap", lambda L, a: a.as_strided((3, 2), (1, 1), 1), v(5))
case("view_chain", lambda L, a: a.t().unsqueeze(0).expand(2, 3, 2).narrow(2, 1, 1), v(2, 3))

# --- indexing ---------------------------------------------------------------------------------

case("getitem_int", lambda L, a: a[1], v(3, 2))
case("getitem_ints", lambda L, a: a[1, -1], v(3, 2))
case("getitem_slice", lambda L, a: a[1:], v(3, 2))
case("getitem_slice_step", lambda L, a: a[::2, 1:], v(5, 3))
case("getitem_none", lambda L, a: a[None, :, None], v(3, 2))
case("getitem_ellipsis", lambda L, a: a[..., 0], v(2, 3, 2))
case("getitem_int_tensor", lambda L, a: a[L.tensor([0, 2, 0])], v(3, 2))
case("getitem_int_tensor_dim1", lambda L, a: a[:, L.tensor([[1, 1], [0, 1]])], v(3, 2))
case("getitem_list", lambda L, a: a[[2, 2, 1]], v(3, 2))
case("getitem_bool_mask", lambda L, a: a[a > 0], v(3, 2))
case("getitem_bool_rows", lambda L, a: a[L.tensor([True, False, True])], v(3, 2))
case("getitem_mixed", lambda L, a: a[1:, L.tensor([1, 0, 1]), None], v(3, 2, 2))
case("getitem_two_tensors", lambda L, a: a[L.tensor([0, 2]), L.tensor([1, 1])], v(3, 2))
case("getitem_full", lambda L, a: a[...], v(3, 2))


def _set(index, value=None):
    def setitem(L, a, *rest):
        result = a * 1
        result[index(L)] = rest[0] if rest else value
        return result

    return setitem


case("setitem_scalar", _set(lambda L: (0, slice(1, None)), 5.0), v(2, 3))
case("setitem_tensor_value", _set(lambda L: 1), v(2, 3), v(3))
case("setitem_broadcast_value", _set(lambda L: (slice(None), 0)), v(2, 3), v())
case("setitem_slice_step", _set(lambda L: (Ellipsis, slice(None, None, 2))), v(2, 3), v(2, 2))
case("setitem_advanced", _set(lambda L: L.tensor([1, 0])), v(3, 2), v(2, 2))
case("setitem_advanced_scalar", _set(lambda L: L.tensor([2, 0]), -1.0), v(3, 2))
case("setitem_mask", _set(lambda L: L.tensor([[True, False], [False, True]])), v(2, 2), v(2))
case("setitem_value_only", _set(lambda L: 0), v(2, 3), v(3), requires_grad=(1,))
case("setitem_slice_and_tensor", _set(lambda L: (slice(1, None), L.tensor([0, 2]))), v(3, 3),
     v(2, 2))
case("setitem_int_and_tensor", _set(lambda L: (1, L.tensor([2, 0]))), v(3, 3), v(2))
case("setitem_none_and_tensor", _set(lambda L: (None, L.tensor([1]))), v(3, 2), v(2))
case("setitem_whole_slice_and_tensor", _set(lambda L: (slice(None), L.tensor([1, 0]))),
     v(2, 3), v(2))
case("setitem_true", _set(lambda L: True), v(2, 3), v(3))
case("setitem_mixed_value_only", _set(lambda L: (slice(0, 1), L.tensor([1]))), v(2, 3), v(1),
     requires_grad=(1,))

# --- joining ----------------------------------------------------------------------------------

case("cat", lambda L, a, b: L.cat([a, b]), v(2, 3), v(1, 3))
case("cat_dim", lambda L, a, b, c: L.cat((a, b, c), dim=-1), v(2, 1), v(2, 3), v(2, 2))
case("cat_partial_grad", lambda L, a, b: L.cat([a, b], 1), v(2, 3), v(2, 1),
     requires_grad=(1,))
case("stack", lambda L, a, b: L.stack([a, b]), v(2, 3), v(2, 3))
case("stack_dim", lambda L, a, b: L.stack([a, b], dim=2), v(2, 3), v(2, 3))
case("hstack", lambda L, a, b: L.hstack([a, b]), v(2, 3), v(2, 1))
case("hstack_1d", lambda L, a, b: L.hstack([a, b]), v(3), v(2))
case("vstack", lambda L, a, b: L.vstack([a, b]), v(3), v(2, 3))

# --- copies and conversions -------------------------------------------------------------------

case("clone", lambda L, a: a.clone(), v(2, 3))
case("clone_function", lambda L, a: L.clone(a), v(2, 3))
case("contiguous", lambda L, a: a.t().contiguous(), v(2, 3))
case("contiguous_noop", lambda L, a: a.contiguous() * 2, v(2, 3))
case("to_float64", lambda L, a: a.to(L.float64), v(2, 3), dtypes=("float32",))
case("to_float32", lambda L, a: a.to(L.float32) * 2, v(2, 3), dtypes=("float64",),
     gradcheck=False)
case("to_same", lambda L, a: a.to(a.dtype), v(2, 3))
case("double", lambda L, a: a.double(), v(2, 3), dtypes=("float32",))
case("float", lambda L, a: a.float(), v(2, 3), dtypes=("float64",), gradcheck=False)
case("legacy_constructor_alias", lambda L, a: L.Tensor(a), v(2, 3))
case("detach", lambda L, a: a.detach() * a, v(2, 3), gradcheck=False)
case("detach_only", lambda L, a: a.detach(), v(2, 3), gradcheck=False)
case("composite", lambda L, a, b: (a.exp() * b.sin()).sum(0) / (1 + b.abs()).mean(),
     v(2, 3), v(2, 3))

# --- in-place ops -----------------------------------------------------------------------------


def _inplace(method, *args, **kwargs):
    def run(L, a, *others):
        result = a * 1
        getattr(result, method)(*others, *args, **kwargs)
        return result

    return run


def _inplace_on_row(method, *args):
    def run(L, a, *others):
        result = a * 1
        getattr(result[0], method)(*others, *args)
        return result

    return run


case("add_inplace", _inplace("add_", alpha=2.0), v(2, 3), v(3))
case("mul_inplace", _inplace("mul_"), v(2, 3), v(2, 3))
case("div_inplace", _inplace("div_"), v(2, 3), v(3))
case("pow_inplace", _inplace("pow_", 2), v(2, 3))
case("exp_inplace", _inplace("exp_"), v(2, 3))
case("sigmoid_inplace", _inplace("sigmoid_"), v(2, 3))
case("clamp_inplace", _inplace("clamp_", -0.9, 0.9), v(2, 3))
case("nan_to_num_inplace", _inplace("nan_to_num_"), v(2, 3))
case("clamp_min_inplace", _inplace("clamp_min_", 0.2), v(2, 3))
case("eq_inplace", _inplace("eq_", 1.0), v(2, 3))
case("gt_inplace_tensor", _inplace("gt_"), v(2, 3), v(3))
case("le_inplace_row", _inplace_on_row("le_"), v(2, 3), v(3))
case("clamp_max_inplace_tensor", _inplace("clamp_max_"), v(2, 3), v(3))
case("mul_inplace_row", _inplace_on_row("mul_"), v(2, 3), v(3))
case("tanh_inplace_row", _inplace_on_row("tanh_"), v(2, 3))
case("copy_inplace_row", _inplace_on_row("copy_"), v(2, 3), v(3))

# --- non-differentiable points: the values PyTorch picks ---------------------------------------

_KINK = {"gradcheck": False}
_TIES = np.array([[1.0, 3.0, 3.0], [0.5, -1.0, 0.5]])
case("relu_at_zero", lambda L, a: L.relu(a), np.array([-1.0, 0.0, 2.0]), **_KINK)
case("abs_at_zero", lambda L, a: a.abs(), np.array([-1.0, 0.0, -0.0, 2.0]), **_KINK)
case("sign_at_zero", lambda L, a: a.sign(), np.array([-1.0, 0.0, 2.0]), **_KINK)
case("sqrt_at_zero", lambda L, a: a.sqrt(), np.array([0.0, 1.0]), **_KINK)
case("rsqrt_at_zero", lambda L, a: a.rsqrt(), np.array([0.0, 1.0]), **_KINK)
case("log_at_zero", lambda L, a: a.log(), np.array([0.0, 1.0]), **_KINK)
case("pow_base_zero", lambda L, a: a ** 2, np.array([0.0, 1.5]), **_KINK)
case("pow_base_zero_fraction", lambda L, a: a ** 0.5, np.array([0.0, 1.5]), **_KINK)
case("pow_base_zero_exponent_zero", lambda L, a: a ** 0, np.array([0.0, 1.5]), **_KINK)
case("pow_base_zero_negative", lambda L, a: a ** -1.0, np.array([0.0, 1.5]), **_KINK)
case("pow_tensor_base_zero", lambda L, a, b: a ** b, np.array([0.0, 0.0, 0.0, 0.0, 2.0]),
     np.array([2.0, 0.0, -1.0, 0.5, 0.0]), **_KINK)
case("pow_number_base_zero", lambda L, a: 0.0 ** a, np.array([2.0, 0.0, 0.5]), **_KINK)
case("max_ties", lambda L, a: a.max(), _TIES, **_KINK)
case("min_ties", lambda L, a: a.min(), _TIES, **_KINK)
case("max_dim_ties", lambda L, a: a.max(1), _TIES, **_KINK)
case("min_dim_ties", lambda L, a: a.min(1, keepdim=True), _TIES, **_KINK)
case("amax_ties", lambda L, a: a.amax(), _TIES, **_KINK)
case("amax_dim_ties", lambda L, a: a.amax(1), _TIES, **_KINK)
case("amax_dims_ties", lambda L, a: L.amax(a, (0, 1), keepdim=True), _TIES, **_KINK)
case("amin_dim_ties", lambda L, a: a.amin(-1, keepdim=True), _TIES, **_KINK)
case("maximum_equal", lambda L, a, b: L.maximum(a, b), np.array([1.0, 2.0, 3.0]),
     np.array([1.0, 0.0, 3.0]), **_KINK)
case("minimum_equal", lambda L, a, b: L.minimum(a, b), np.array([1.0, 2.0, 3.0]),
     np.array([1.0, 0.0, 3.0]), **_KINK)
case("max_binary_equal", lambda L, a, b: L.max(a, b), np.array([1.0, 2.0]),
     np.array([1.0, 0.0]), **_KINK)
case("clamp_at_bounds", lambda L, a: a.clamp(-1.0, 1.0), np.array([-1.0, 0.0, 1.0, 2.0]), **_KINK)
case("clamp_min_at_bound", lambda L, a: a.clamp(min=0.0), np.array([0.0, 1.0, -1.0]), **_KINK)
case("clamp_min_function_at_bound", lambda L, a: L.clamp_min(a, 0.0), np.array([0.0, -1.0]),
     **_KINK)
case("clamp_max_function_at_bound", lambda L, a: L.clamp_max(a, 0.0), np.array([0.0, 1.0]),
     **_KINK)
case("clamp_tensor_at_bounds", lambda L, a, lo, hi: L.clamp(a, lo, hi),
     np.array([-1.0, 0.0, 1.0, 2.0, 0.5, 0.5]), np.array([-1.0, -1.0, 1.0, 1.0, 1.0, 0.5]),
     np.array([1.0, 0.0, 1.0, 1.0, 0.0, 0.5]), **_KINK)
case("clamp_tensor_min_at_bound", lambda L, a, lo: L.clamp_min(a, lo), np.array([0.0, 1.0]),
     np.array([0.0, 2.0]), **_KINK)
case("atan2_at_origin", lambda L, a, b: L.atan2(a, b), np.array([0.0, 1.0]),
     np.array([0.0, 1.0]), **_KINK)
case("std_constant", lambda L, a: a.std(), np.array([2.0, 2.0, 2.0]), **_KINK)


def _quietly(thunk):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # degrees of freedom <= 0
        return thunk()


case("var_correction_equal_count", lambda L, a: _quietly(lambda: a.var(1, correction=2)),
     np.array([[0.7, 0.2], [0.3, 0.1]]), **_KINK)
case("var_correction_above_count", lambda L, a: _quietly(lambda: a.var(1, correction=3)),
     np.array([[0.7, 0.2], [0.3, 0.1]]), **_KINK)
case("std_correction_above_count", lambda L, a: _quietly(lambda: a.std(0, correction=2)),
     np.array([[0.7, 0.2]]), **_KINK)
case("std_dim_constant_row", lambda L, a: a.std(1), np.array([[2.0, 2.0], [1.0, 3.0]]), **_KINK)
case("where_nan_branch", lambda L, a: L.where(a > 0, a.sqrt(), 0.0), np.array([-1.0, 4.0]),
     **_KINK)
case("remainder_at_jump", lambda L, a, b: L.remainder(a, b), np.array([3.0, -3.0]),
     np.array([1.5, 1.5]), **_KINK)
case("div_by_zero", lambda L, a, b: a / b, np.array([1.0, 0.0]), np.array([0.0, 0.0]), **_KINK)

# --- matmul node names by rank and by which operand requires grad -----------------------------

case("matmul_2d_3d_other_only", lambda L, a, b: a @ b, v(2, 3), v(2, 3, 2), requires_grad=(1,))
case("matmul_2d_3d_one_row", lambda L, a, b: a @ b, v(1, 3), v(2, 3, 2))
case("matmul_3d_3d_single_batch", lambda L, a, b: a @ b, v(1, 2, 3), v(2, 3, 1))
case("matmul_2d_4d", lambda L, a, b: a @ b, v(2, 3), v(2, 1, 3, 2))
case("matmul_3d_4d", lambda L, a, b: a @ b, v(1, 2, 3), v(2, 1, 3, 2))
case("reciprocal", lambda L, a: L.reciprocal(a), v(2, 3))
case("div_floor", lambda L, a, b: L.div(a, b, rounding_mode="floor"), v(2, 3) * 3, v(2, 3),
     gradcheck=False)
case("float_power_scalar_base", lambda L, a: L.float_power(2.5, a), v(3))

# --- mixed dtypes, integer operands, 0-dim tensors, non-contiguous inputs ----------------------

case("add_mixed_dtypes", lambda L, a, b: a.float() + b.double(), v(2, 3), v(3), gradcheck=False)
case("mul_int_tensor", lambda L, a: a * L.tensor([1, -2, 3]), v(2, 3))
case("mul_bool_tensor", lambda L, a: a * L.tensor([True, False, True]), v(2, 3))
case("div_int_0dim", lambda L, a: a / L.tensor(2), v(2, 3))
case("add_scalar_alpha", lambda L, a: L.add(a, 2.0, alpha=3), v(2, 3))
case("pow_int_exponent_tensor", lambda L, a: a ** L.tensor([1, 2, 3]), v(2, 3))
case("float_power_int_exponent", lambda L, a: L.float_power(a, L.tensor([1, 2, 3])), v(2, 3))
case("exp_0dim", lambda L, a: a.exp(), v())
case("max_0dim", lambda L, a: a.max(), v())
case("max_0dim_dim", lambda L, a: a.max(0), v())
case("amax_0dim", lambda L, a: a.amax(), v())
case("mean_0dim_dim", lambda L, a: a.mean(0), v())
case("prod_0dim_zero", lambda L, a: a.prod(), np.array(0.0), gradcheck=False)
case("flatten_0dim", lambda L, a: a.flatten(), v())
case("reshape_0dim", lambda L, a: a.reshape(1, 1), v())
case("squeeze_0dim", lambda L, a: a.squeeze(), v())
case("unsqueeze_0dim", lambda L, a: a.unsqueeze(0), v())
case("expand_0dim", lambda L, a: a.expand(2, 3), v())
case("expand_minus_one", lambda L, a: a.expand(2, -1, 3), v(3, 1))
case("mul_transposed", lambda L, a, b: a.t() * b, v(3, 2), v(2, 3))
case("sum_transposed", lambda L, a: a.t().sum(0), v(3, 2))
case("exp_strided", lambda L, a: a[:, ::2].exp(), v(2, 4))
case("max_dim_transposed", lambda L, a: a.t().max(1), v(3, 2))
case("permute_negative", lambda L, a: a.permute(-1, 0, -2), v(2, 3, 1))
case("movedim_negative", lambda L, a: L.movedim(a, -1, 0), v(2, 3, 2))
case("diagonal_3d", lambda L, a: a.diagonal(0, 2, 0), v(2, 3, 2))
case("as_strided_offset", lambda L, a: L.as_strided(a, (2,), (2,), 1), v(2, 3))
case("getitem_0dim_tensor", lambda L, a: a[L.tensor(1)], v(3, 2))
case("getitem_negative", lambda L, a: a[-1, -2:], v(3, 2))
case("getitem_whole_slices", lambda L, a: a[1, :], v(3, 2))
case("getitem_whole_slice_stop", lambda L, a: a[0:9], v(3, 2))
case("getitem_whole_slice", lambda L, a: a[:], v(3, 2))
case("getitem_whole_slices_tuple", lambda L, a: a[0:9, :], v(3, 2))
case("getitem_ellipsis_whole_slice", lambda L, a: a[..., 0:9], v(3, 2))
case("getitem_negative_start_slice", lambda L, a: a[-3:], v(3, 2))
case("getitem_ellipsis_int", lambda L, a: a[..., 1, :], v(2, 3, 2))
case("getitem_none_after_int", lambda L, a: a[1, None], v(3, 2))
case("getitem_step_last", lambda L, a: a[..., 1::2], v(2, 5))
case("getitem_trailing_none", lambda L, a: a[..., None], v(2, 3))
case("getitem_list_dim1", lambda L, a: a[:, [0, 0, 1]], v(2, 3))
case("getitem_mask_2d_of_3d", lambda L, a: a[L.tensor([[True, False], [True, True]])],
     v(2, 2, 3))
case("getitem_tensor_repeats_grad", lambda L, a: a[L.tensor([[0, 0], [0, 1]])] * 2, v(2, 3))
case("t_", lambda L, a: (a * 1).t_(), v(2, 3))
case("transpose_", lambda L, a: (a * 1).transpose_(0, 2), v(2, 3, 2))
case("squeeze_", lambda L, a: (a * 1).squeeze_(), v(2, 1, 3))
case("squeeze_dim_", lambda L, a: (a * 1).squeeze_(1), v(2, 1, 3))
case("squeeze_dims_", lambda L, a: (a * 1).squeeze_((1, 2)), v(2, 1, 1))
case("unsqueeze_", lambda L, a: (a * 2).unsqueeze_(0) * a, v(2, 3))
case("as_strided_", lambda L, a: (a * 1).as_strided_((2,), (2,), 1), v(2, 3))
case("split_with_sizes", lambda L, a: L.split_with_sizes(a, [1, 2], 1), v(2, 3))
case("ravel_transposed", lambda L, a: a.t().ravel(), v(2, 3))
case("select_scatter", lambda L, a, b: L.select_scatter(a, b, 0, 1), v(3, 2), v(2))
case("slice_scatter", lambda L, a, b: L.slice_scatter(a, b, 1, 0, 3, 2), v(2, 4), v(2, 2))
case("diagonal_scatter", lambda L, a, b: a.t().diagonal_scatter(b, 1), v(4, 3), v(3))
case("slice_scatter_src_only", lambda L, a, b: L.slice_scatter(a, b, 0, 1), v(3, 2), v(2, 2),
     requires_grad=(1,))
case("unbind_partial", lambda L, a: a.unbind(0)[1] * 2, v(2, 3))
case("split_partial", lambda L, a: a.split(1, 1)[2].exp(), v(2, 3))
case("cat_empty", lambda L, a, b: L.cat([a, b]), v(2, 3), np.zeros(0))
case("where_condition_broadcast", lambda L, a, b: L.where(L.tensor([True, False, True]), a, b),
     v(2, 3), v(2, 1))
case("var_unbiased_false_keepdim", lambda L, a: a.var(0, unbiased=False, keepdim=True),
     v(3, 2))
case("mean_dtype", lambda L, a: a.mean(dtype=L.float64), v(2, 3))
case("sigmoid_saturated", lambda L, a: a.sigmoid(), np.array([-40.0, 40.0, 0.0]))
case("log1p_near_minus_one", lambda L, a: a.log1p(), np.array([-0.99, 0.5]))

test_matches_torch, test_gradcheck, test_gradgradcheck = TABLE.tests()


# --- double backward through composite expressions --------------------------------------------

_COMPOSITES = {
    "sin_exp": (lambda L, a, b: (a.sin() * b.exp()).sum(), (2, 3), (2, 3)),
    "matmul_tanh": (lambda L, a, b: (a @ b).tanh().sum(), (2, 3), (3, 2)),
    "division_power": (lambda L, a, b: (a / b + a.pow(3)).mean(), (2, 3), (3,)),
    "log_sum_exp": (lambda L, a, b: ((a - a.exp().sum(1, keepdim=True).log()) * b).sum(),
                    (2, 3), (2, 3)),
    "where_square": (lambda L, a, b: L.where(a > 0, a * a, b * a).sum(), (2, 3), (2, 3)),
    "indexing_views": (lambda L, a, b: (a[L.tensor([1, 0, 1])].t().reshape(-1)[1:] ** 2
                                        * b.flatten()[:5]).sum(), (3, 2), (2, 3)),
    "std_sigmoid": (lambda L, a, b: a.std(0).sigmoid().sum() * b.mean(), (3, 2), (2,)),
    "prod_cat": (lambda L, a, b: L.cat([a, b]).prod(0).sum(), (2, 3), (1, 3)),
    "clamp_max_reduce": (lambda L, a, b: (L.clamp(a, -1.0, 1.0) ** 2 * b).amax(1).sum(),
                         (2, 3), (2, 3)),
}


@pytest.mark.parametrize("name", sorted(_COMPOSITES))
def test_double_backward_matches_torch(name):
    function, *shapes = _COMPOSITES[name]
    inputs = tuple(values(name + str(i), *shape) for i, shape in enumerate(shapes))
    grad_case = GradCase(name, function, inputs)
    weights = [values(name + "weights" + str(i), *shape) for i, shape in enumerate(shapes)]
    results = []
    for L in (torch, ember):
        tensors = build(L, grad_case, "float64")
        first = L.autograd.grad(function(L, *tensors), tensors, create_graph=True)
        assert all(g.requires_grad for g in first)
        total = sum((g * L.tensor(w)).sum() for g, w in zip(first, weights))
        second = L.autograd.grad(total, tensors)
        results.append((first, second))
    (torch_first, torch_second), (ember_first, ember_second) = results
    for index, (ours, theirs) in enumerate(zip(ember_first, torch_first)):
        assert_close(ours, theirs, "float64", f"first derivative {index}")
    for index, (ours, theirs) in enumerate(zip(ember_second, torch_second)):
        assert_close(ours, theirs, "float64", f"second derivative {index}")


def test_floor_divide_has_no_derivative():
    for L in (torch, ember):
        a = L.tensor([3.0, -2.5], requires_grad=True)
        result = L.floor_divide(a, 2.0)
        assert result.grad_fn.name() == "torch::autograd::NotImplemented"
        with pytest.raises(RuntimeError, match="derivative for aten::floor_divide is not"):
            result.sum().backward()


def test_third_derivative_matches_torch():
    """create_graph through two backward passes: the third derivative of a composite."""
    results = []
    for L in (torch, ember):
        a = L.tensor(values("third", 4), requires_grad=True)
        y = (a.sin() * a ** 3 + a.exp() / (1 + a * a)).sum()
        (first,) = L.autograd.grad(y, a, create_graph=True)
        (second,) = L.autograd.grad(first.sum(), a, create_graph=True)
        (third,) = L.autograd.grad((second * second).sum(), a)
        results.append((first, second, third))
    for order, (ours, theirs) in enumerate(zip(results[1], results[0]), 1):
        assert_close(ours, theirs, "float64", f"derivative of order {order}")


@pytest.mark.xfail(strict=True, reason="torch's var/std backward reads dim=() as reducing no "
                   "dims (divisor N - correction with N = 1, giving infinities) while its "
                   "forward reduces all dims; ember's gradient is the one of the forward")
def test_var_empty_dims_gradient_matches_torch():
    check_against_torch(GradCase("var_empty_dims", lambda L, a: a.var(()),
                                 (values("var_empty_dims", 2, 3),)), "float64")


@pytest.mark.parametrize("name", ["nan_to_num", "nansum", "float_power", "fmax", "reciprocal"])
def test_out_refused_when_input_requires_grad(name):
    calls = {
        "nan_to_num": lambda L, a: L.nan_to_num(a, out=L.empty(3)),
        "nansum": lambda L, a: L.nansum(a, 0, out=L.empty(())),
        "float_power": lambda L, a: L.float_power(a, 2, out=L.empty(3, dtype=L.float64)),
        "fmax": lambda L, a: L.fmax(a, a, out=L.empty(3)),
        "reciprocal": lambda L, a: L.reciprocal(a, out=L.empty(3)),
    }
    for L in (torch, ember):
        with pytest.raises(RuntimeError, match="out=... arguments don't support automatic"):
            calls[name](L, L.ones(3, requires_grad=True))
