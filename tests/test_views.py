"""View ops against torch: shape, strides, storage offset, contiguity and values; that views
share storage (writes show through) and the version counter; and that bad arguments raise
what torch raises."""

import warnings

import pytest
import torch
from view_oracle import (
    assert_same,
    assert_same_error,
    assert_same_results,
    byte_distance,
    pair,
    shares_memory,
    warnings_in_fresh_process,
)

import ember

# (id, input shape, function of (tensor, module)) -> a tensor or a tuple of tensors that are
# views of the input.
VIEWS = [
    ("view", (2, 3, 4), lambda x, m: x.view(4, 6)),
    ("view_tuple", (2, 3, 4), lambda x, m: x.view((4, 6))),
    ("view_list", (2, 3, 4), lambda x, m: x.view([4, 6])),
    ("view_size", (2, 3, 4), lambda x, m: x.view(m.Size([24]))),
    ("view_infer", (2, 3, 4), lambda x, m: x.view(-1)),
    ("view_infer_mid", (2, 3, 4), lambda x, m: x.view(2, -1, 2)),
    ("view_ones", (2, 3, 4), lambda x, m: x.view(2, 3, 4, 1, 1)),
    ("view_0d", (), lambda x, m: x.view(1, 1)),
    ("view_0d_infer", (), lambda x, m: x.view(-1)),
    ("view_to_0d", (1,), lambda x, m: x.view(())),
    ("view_empty", (2, 0, 4), lambda x, m: x.view(0, 5)),
    ("view_empty_infer", (2, 0, 4), lambda x, m: x.view(2, -1)),
    ("view_transposed_split", (2, 3, 4), lambda x, m: x.transpose(0, 1).view(3, 2, 2, 2)),
    ("view_transposed_merge_inner", (4, 6), lambda x, m: x.t().reshape(3, 2, 4).view(6, 4)),
    ("view_sliced", (4, 6), lambda x, m: x[:, :4].view(4, 2, 2)),
    ("view_stepped", (4, 6), lambda x, m: x[::2].view(2, 2, 3)),
    ("view_size1_dims", (2, 1, 4), lambda x, m: x[:, :, 1:3].view(2, 2)),
    ("view_expanded", (1, 4), lambda x, m: x.expand(3, 4).view(3, 2, 2)),
    ("view_expanded_merge", (3, 1), lambda x, m: x.expand(3, 4).view(3, 4, 1)),
    ("view_as", (2, 3, 4), lambda x, m: x.view_as(m.zeros(6, 4))),
    ("view_dtype_same_size", (2, 3, 4), lambda x, m: x.view(m.int32)),
    ("view_dtype_smaller", (2, 3, 4), lambda x, m: x.view(m.float16)),
    ("view_dtype_bytes", (2, 3), lambda x, m: x.view(m.uint8)),
    ("view_dtype_bigger", (2, 3, 4), lambda x, m: x.view(m.float64)),
    ("view_dtype_complex", (2, 3, 4), lambda x, m: x.view(m.complex64)),
    ("view_dtype_sliced", (2, 3, 4), lambda x, m: x[:, 1:, 2:].view(m.float64)),
    ("view_dtype_strided", (4, 3, 2), lambda x, m: x[::2, :2].view(m.float64)),
    ("view_dtype_offset_smaller", (2, 3, 4), lambda x, m: x[:, :, 1:].view(m.float16)),
    ("view_dtype_transposed_same", (2, 3, 4), lambda x, m: x.mT.view(m.int32)),
    ("view_dtype_empty", (2, 0, 4), lambda x, m: x.view(m.float64)),
    ("reshape_view", (2, 3, 4), lambda x, m: x.reshape(6, 4)),
    ("reshape_function", (2, 3, 4), lambda x, m: m.reshape(x, (4, -1))),
    ("reshape_transposed_view", (2, 3, 4), lambda x, m: x.mT.reshape(2, 2, 2, 3)),
    ("reshape_as", (2, 3, 4), lambda x, m: x.reshape_as(m.zeros(3, 8))),
    ("flatten", (2, 3, 4), lambda x, m: x.flatten()),
    ("flatten_start", (2, 3, 4), lambda x, m: x.flatten(1)),
    ("flatten_range", (2, 3, 4, 1), lambda x, m: m.flatten(x, 0, -2)),
    ("flatten_single", (2, 3, 4), lambda x, m: x.flatten(1, 1)),
    ("flatten_0d", (), lambda x, m: x.flatten()),
    ("unflatten", (2, 12), lambda x, m: x.unflatten(1, (3, 4))),
    ("unflatten_infer", (2, 12), lambda x, m: x.unflatten(-1, (-1, 2))),
    ("unflatten_function", (6, 2), lambda x, m: m.unflatten(x, 0, (2, 1, 3))),
    ("squeeze_all", (1, 2, 1, 3, 1), lambda x, m: x.squeeze()),
    ("squeeze_dim", (1, 2, 1, 3, 1), lambda x, m: x.squeeze(2)),
    ("squeeze_negative_dim", (1, 2, 1, 3, 1), lambda x, m: x.squeeze(-1)),
    ("squeeze_non_one", (1, 2, 1, 3, 1), lambda x, m: x.squeeze(1)),
    ("squeeze_tuple", (1, 2, 1, 3, 1), lambda x, m: x.squeeze((0, -1, 1))),
    ("squeeze_empty_tuple", (1, 2, 1), lambda x, m: x.squeeze(())),
    ("squeeze_0d", (), lambda x, m: x.squeeze()),
    ("squeeze_0d_dim", (), lambda x, m: x.squeeze(0)),
    ("squeeze_function", (1, 3), lambda x, m: m.squeeze(x, 0)),
    ("squeeze_transposed", (3, 1, 4), lambda x, m: x.permute(2, 1, 0).squeeze()),
    ("squeeze_zero_size", (1, 0, 1), lambda x, m: x.squeeze()),
    ("unsqueeze_front", (2, 3, 4), lambda x, m: x.unsqueeze(0)),
    ("unsqueeze_middle", (2, 3, 4), lambda x, m: x.unsqueeze(1)),
    ("unsqueeze_end", (2, 3, 4), lambda x, m: x.unsqueeze(-1)),
    ("unsqueeze_transposed", (2, 3, 4), lambda x, m: x.mT.unsqueeze(2)),
    ("unsqueeze_transposed_end", (2, 3, 4), lambda x, m: x.mT.unsqueeze(3)),
    ("unsqueeze_sliced", (2, 3, 4), lambda x, m: x[:, ::2].unsqueeze(1)),
    ("unsqueeze_0d", (), lambda x, m: m.unsqueeze(x, 0)),
    ("unsqueeze_empty", (2, 0, 4), lambda x, m: x.unsqueeze(2)),
    ("permute", (2, 3, 4), lambda x, m: x.permute(2, 0, 1)),
    ("permute_tuple", (2, 3, 4), lambda x, m: x.permute((1, 2, 0))),
    ("permute_negative", (2, 3, 4), lambda x, m: m.permute(x, (-1, 0, -2))),
    ("permute_0d", (), lambda x, m: x.permute(())),
    ("transpose", (2, 3, 4), lambda x, m: x.transpose(0, 2)),
    ("transpose_same", (2, 3, 4), lambda x, m: x.transpose(1, 1)),
    ("transpose_negative", (2, 3, 4), lambda x, m: m.transpose(x, -1, 0)),
    ("transpose_0d", (), lambda x, m: x.transpose(0, -1)),
    ("transpose_1d", (3,), lambda x, m: x.transpose(0, -1)),
    ("swapaxes", (2, 3, 4), lambda x, m: x.swapaxes(0, 1)),
    ("swapdims", (2, 3, 4), lambda x, m: m.swapdims(x, 1, 2)),
    ("t", (3, 4), lambda x, m: x.t()),
    ("t_function", (3, 4), lambda x, m: m.t(x)),
    ("t_1d", (3,), lambda x, m: x.t()),
    ("t_0d", (), lambda x, m: x.t()),
    ("T", (3, 4), lambda x, m: x.T),
    ("mT", (2, 3, 4), lambda x, m: x.mT),
    ("mT_2d", (3, 4), lambda x, m: x.mT),
    ("mH_real", (2, 3, 4), lambda x, m: x.mH),
    ("H_real", (3, 4), lambda x, m: x.H),
    ("adjoint_real", (2, 3, 4), lambda x, m: x.adjoint()),
    ("expand", (2, 1, 4), lambda x, m: x.expand(2, 5, 4)),
    ("expand_keep", (2, 1, 4), lambda x, m: x.expand(-1, 5, -1)),
    ("expand_new_dims", (2, 1, 4), lambda x, m: x.expand(3, 2, 5, 4)),
    ("expand_new_dims_tuple", (2, 1, 4), lambda x, m: x.expand((3, 2, 5, 4))),
    ("expand_same", (2, 3, 4), lambda x, m: x.expand(2, 3, 4)),
    ("expand_to_zero", (2, 1, 4), lambda x, m: x.expand(2, 0, 4)),
    ("expand_new_zero", (2, 1, 4), lambda x, m: x.expand(0, 2, 1, 4)),
    ("expand_0d", (), lambda x, m: x.expand(3, 2)),
    ("expand_transposed", (4, 1), lambda x, m: x.t().expand(3, 4)),
    ("expand_sliced", (2, 3, 4), lambda x, m: x[:, 1:2, ::2].expand(2, 3, 2)),
    ("expand_as", (1, 4), lambda x, m: x.expand_as(m.zeros(3, 4))),
    ("broadcast_to", (1, 4), lambda x, m: m.broadcast_to(x, (2, 3, 4))),
    ("broadcast_to_method", (3, 1), lambda x, m: x.broadcast_to((3, 5))),
    ("narrow", (2, 3, 4), lambda x, m: x.narrow(1, 1, 2)),
    ("narrow_negative_start", (2, 3, 4), lambda x, m: x.narrow(-1, -3, 2)),
    ("narrow_empty_end", (2, 3, 4), lambda x, m: x.narrow(1, 3, 0)),
    ("narrow_empty_middle", (2, 3, 4), lambda x, m: m.narrow(x, 2, 1, 0)),
    ("narrow_tensor_start", (2, 3, 4), lambda x, m: x.narrow(1, m.tensor(1), 2)),
    ("narrow_transposed", (2, 3, 4), lambda x, m: x.mT.narrow(1, 1, 2)),
    ("select", (2, 3, 4), lambda x, m: x.select(1, -1)),
    ("select_function", (2, 3, 4), lambda x, m: m.select(x, 2, 1)),
    ("select_to_0d", (3,), lambda x, m: x.select(0, 2)),
    ("select_tensor_index", (2, 3, 4), lambda x, m: x.select(1, m.tensor(1))),
    ("unbind", (2, 3, 4), lambda x, m: x.unbind(1)),
    ("unbind_function", (2, 3, 4), lambda x, m: m.unbind(x, -1)),
    ("unbind_empty", (0, 3), lambda x, m: x.unbind(0)),
    ("split_int", (2, 3, 5), lambda x, m: x.split(2, dim=2)),
    ("split_sizes", (2, 3, 5), lambda x, m: x.split([1, 4], dim=-1)),
    ("split_sizes_with_zero", (2, 3, 5), lambda x, m: x.split([2, 0, 3], 2)),
    ("split_function", (5, 2), lambda x, m: m.split(x, 2)),
    ("split_bigger_than_dim", (2, 3, 4), lambda x, m: x.split(10, dim=2)),
    ("split_empty_dim", (2, 0, 4), lambda x, m: x.split(2, 1)),
    ("split_zero_of_empty", (2, 0, 4), lambda x, m: x.split(0, 1)),
    ("split_with_sizes", (6, 2), lambda x, m: x.split_with_sizes([1, 2, 3])),
    ("chunk_even", (2, 6), lambda x, m: x.chunk(3, dim=1)),
    ("chunk_uneven", (2, 5), lambda x, m: x.chunk(3, dim=1)),
    ("chunk_fewer", (5,), lambda x, m: x.chunk(4)),
    ("chunk_more_than_size", (2, 3), lambda x, m: m.chunk(x, 5, 1)),
    ("chunk_empty", (2, 0), lambda x, m: x.chunk(3, 1)),
    ("movedim", (2, 3, 4), lambda x, m: x.movedim(0, 2)),
    ("movedim_tuple", (2, 3, 4, 5), lambda x, m: x.movedim((0, 1), (3, 0))),
    ("movedim_negative", (2, 3, 4), lambda x, m: m.movedim(x, -1, 0)),
    ("moveaxis", (2, 3, 4), lambda x, m: m.moveaxis(x, (0, 2), (1, 0))),
    ("diagonal", (3, 4), lambda x, m: x.diagonal()),
    ("diagonal_above", (3, 4), lambda x, m: x.diagonal(1)),
    ("diagonal_below", (3, 4), lambda x, m: x.diagonal(-1)),
    ("diagonal_dims", (2, 3, 4), lambda x, m: x.diagonal(0, 1, 2)),
    ("diagonal_dims_reversed", (2, 3, 4), lambda x, m: x.diagonal(1, 2, 0)),
    ("diagonal_far_above", (2, 3, 4), lambda x, m: x.diagonal(5, 1, 2)),
    ("diagonal_far_below", (2, 3, 4), lambda x, m: x.diagonal(-5, 1, 2)),
    ("diagonal_keywords", (2, 3, 4), lambda x, m: m.diagonal(x, offset=1, dim1=-1, dim2=-2)),
    ("diagonal_transposed", (3, 4), lambda x, m: x.t().diagonal(1)),
    ("unfold", (2, 3, 4), lambda x, m: x.unfold(2, 2, 1)),
    ("unfold_step", (2, 5), lambda x, m: x.unfold(1, 2, 2)),
    ("unfold_whole", (2, 3), lambda x, m: x.unfold(0, 2, 1)),
    ("unfold_size_zero", (2, 3), lambda x, m: x.unfold(1, 0, 1)),
    ("unfold_0d", (), lambda x, m: x.unfold(0, 1, 1)),
    ("unfold_transposed", (3, 4), lambda x, m: x.t().unfold(1, 2, 1)),
    ("as_strided", (2, 3, 4), lambda x, m: x.as_strided((3, 3), (1, 2), 1)),
    ("as_strided_function", (2, 3, 4), lambda x, m: m.as_strided(x, (3, 3), (1, 2))),
    ("as_strided_keeps_offset", (2, 3, 4), lambda x, m: x[1].as_strided((3, 3), (1, 2))),
    ("as_strided_zero_stride", (2, 3, 4), lambda x, m: x.as_strided((2, 3), (0, 1), 5)),
    ("as_strided_overlapping", (2, 3, 4), lambda x, m: x.as_strided((3, 3), (1, 1))),
    ("as_strided_past_view", (2, 3, 4), lambda x, m: x[:1].as_strided((4,), (5,), 2)),
    ("detach", (2, 3, 4), lambda x, m: x.detach()),
    ("detach_of_view", (2, 3, 4), lambda x, m: x[1:].detach()),
    ("contiguous_already", (2, 3, 4), lambda x, m: x.contiguous()),
    ("contiguous_size_one", (2, 3, 4), lambda x, m: x[:, 1:2].permute(1, 0, 2).contiguous()),
    ("sliced_then_transposed", (2, 3, 4), lambda x, m: x[:, ::2].mT),
    ("chain", (4, 6), lambda x, m: x.t()[1:].unsqueeze(0).expand(2, 5, 4).select(2, 1)),
    ("ravel", (2, 3), lambda x, m: x.ravel()),
    ("ravel_function", (2, 3), lambda x, m: m.ravel(x[1:])),
    ("split_with_sizes", (5, 2), lambda x, m: m.split_with_sizes(x, [2, 3])),
    ("t_", (2, 3), lambda x, m: x.t_()),
    ("t_of_view", (4, 6), lambda x, m: x[1:].t_()),
    ("transpose_", (2, 3, 4), lambda x, m: x.transpose_(0, 2)),
    ("swapaxes_", (2, 3, 4), lambda x, m: x[:, 1:].swapaxes_(1, -1)),
    ("swapdims_", (2, 3), lambda x, m: x.swapdims_(0, 1)),
    ("squeeze_", (2, 1, 3, 1), lambda x, m: x.squeeze_()),
    ("squeeze_dim", (2, 1, 3, 1), lambda x, m: x.squeeze_(1)),
    ("squeeze_dims", (2, 1, 3, 1), lambda x, m: x.squeeze_((1, 3))),
    ("unsqueeze_", (2, 3), lambda x, m: x.unsqueeze_(-1)),
    ("unsqueeze_of_view", (4, 6), lambda x, m: x[:, ::2].unsqueeze_(1)),
    ("as_strided_", (4, 6), lambda x, m: x.as_strided_((2, 3), (1, 4), 2)),
]


def _write_first_element(tensor):
    tensor[(0,) * tensor.dim()] = -1


@pytest.mark.parametrize("shape, function", [case[1:] for case in VIEWS],
                         ids=[case[0] for case in VIEWS])
def test_view(shape, function):
    t, e = pair(shape)
    expected, actual = function(t, torch), function(e, ember)
    assert_same_results(actual, expected)
    results = zip(actual, expected) if isinstance(expected, tuple) else [(actual, expected)]
    for a, x in results:
        assert shares_memory(a, e) == shares_memory(x, t)
        if shares_memory(x, t) and x.numel():
            assert byte_distance(a, e) == byte_distance(x, t)
        if not x.numel():
            assert a.data_ptr() == x.data_ptr() == 0
        assert (a._base is e) == (x._base is t)
        assert (a._version == e._version) == (x._version == t._version)
        if x.numel() and x.dtype is t.dtype:
            # a write through the view shows in the base and bumps the shared version
            _write_first_element(x)
            _write_first_element(a)
            assert e.tolist() == t.tolist()
            assert (a._version, e._version) == (x._version, t._version)


@pytest.mark.parametrize("shape, function", [
    ((2, 3, 4), lambda x, m: x.transpose(0, 1).reshape(-1)),
    ((2, 3, 4), lambda x, m: x[:, ::2].reshape(4, 4)),
    ((2, 3, 4), lambda x, m: x.mT.flatten()),
    ((1, 4), lambda x, m: x.expand(3, 4).reshape(12)),
    ((4, 6), lambda x, m: x.t().reshape_as(m.zeros(24))),
    ((2, 12), lambda x, m: x.t().unflatten(1, (2, 1)).reshape(3, 8)),
], ids=["transposed", "stepped", "flatten_transposed", "expanded", "reshape_as", "chain"])
def test_reshape_copies_when_no_view_exists(shape, function):
    t, e = pair(shape)
    expected, actual = function(t, torch), function(e, ember)
    assert_same(actual, expected)
    assert not shares_memory(actual, e) and not shares_memory(expected, t)
    assert actual._base is None and expected._base is None


@pytest.mark.parametrize("shape, function", [
    ((2, 3, 4), lambda x, m: x),
    ((2, 3, 4), lambda x, m: x.transpose(0, 2)),
    ((2, 3, 4), lambda x, m: x.permute(1, 2, 0)),
    ((2, 3, 4), lambda x, m: x[:, ::2]),
    ((2, 3, 4), lambda x, m: x.transpose(0, 2)[:, ::2]),
    ((2, 3, 4), lambda x, m: x.permute(1, 2, 0)[:, ::2]),
    ((2, 3, 4), lambda x, m: x.mT[:, :, ::2]),
    ((2, 3, 4), lambda x, m: x[:, :1].expand(2, 3, 4)),
    ((2, 3, 4), lambda x, m: x[:, 1:2]),
    ((2, 3, 4), lambda x, m: x.as_strided((3, 3), (1, 1))),
    ((2, 3, 4), lambda x, m: x.as_strided((2, 1, 4), (4, 100, 1))),
    ((2, 3, 4), lambda x, m: x.as_strided((3, 2), (1, 3))),
    ((2, 0, 4), lambda x, m: x.transpose(0, 2)),
    ((2, 0, 4), lambda x, m: x),
    ((), lambda x, m: x),
], ids=["contiguous", "transposed", "permuted", "stepped", "transposed_stepped",
        "permuted_stepped", "mT_stepped", "expanded", "size_one_gap", "overlapping",
        "odd_size_one_stride", "column_major", "empty_transposed", "empty", "0d"])
def test_clone_layout(shape, function):
    """clone keeps the strides of a dense tensor, and otherwise lays the copy out densely in
    the order of the source's strides."""
    t, e = pair(shape)
    expected, actual = function(t, torch).clone(), function(e, ember).clone()
    assert_same(actual, expected)
    assert shares_memory(actual, e) == shares_memory(expected, t)  # empty storages: address 0
    assert actual._base is None
    for memory_format in ("contiguous_format", "preserve_format"):
        assert_same(function(e, ember).clone(memory_format=getattr(ember, memory_format)),
                    function(t, torch).clone(memory_format=getattr(torch, memory_format)))
    assert_same(ember.clone(function(e, ember)), torch.clone(function(t, torch)))


@pytest.mark.parametrize("shape, function", [
    ((2, 3, 4), lambda x, m: x.transpose(0, 2)),
    ((2, 3, 4), lambda x, m: x[:, ::2]),
    ((2, 3, 4), lambda x, m: x[:, :1].expand(2, 3, 4)),
    ((2, 3, 4), lambda x, m: x.mT[:, :, 1:]),
    ((2, 0, 4), lambda x, m: x.transpose(0, 2)),
], ids=["transposed", "stepped", "expanded", "sliced", "empty"])
def test_contiguous_copies(shape, function):
    t, e = pair(shape)
    expected, actual = function(t, torch).contiguous(), function(e, ember).contiguous()
    assert_same(actual, expected)
    assert (actual._base is None) == (expected._base is None)
    assert shares_memory(actual, e) == shares_memory(expected, t)


def test_contiguous_returns_self_when_contiguous():
    t, e = pair((2, 3))
    assert e.contiguous() is e and t.contiguous() is t
    assert e[:, :1].expand(2, 1).contiguous().is_contiguous()


@pytest.mark.parametrize("memory_format", ["channels_last", "contiguous_format",
                                           "preserve_format"])
@pytest.mark.parametrize("function", [
    lambda x: x, lambda x: x.permute(0, 2, 3, 1), lambda x: x[:, :, ::2],
    lambda x: x.permute(0, 3, 1, 2).contiguous().permute(0, 2, 3, 1),
], ids=["contiguous", "permuted", "stepped", "nhwc"])
def test_memory_formats(memory_format, function):
    t, e = pair((2, 3, 4, 5))
    source_t, source_e = function(t), function(e)
    assert_same(source_e.clone(memory_format=getattr(ember, memory_format)),
                source_t.clone(memory_format=getattr(torch, memory_format)))
    if memory_format != "preserve_format":
        assert_same(source_e.contiguous(memory_format=getattr(ember, memory_format)),
                    source_t.contiguous(memory_format=getattr(torch, memory_format)))
        for name in ("channels_last", "contiguous_format"):
            assert (source_e.is_contiguous(memory_format=getattr(ember, name))
                    == source_t.is_contiguous(memory_format=getattr(torch, name)))


def test_memory_format_objects():
    for name in ("contiguous_format", "preserve_format", "channels_last", "channels_last_3d"):
        assert repr(getattr(ember, name)) == repr(getattr(torch, name))
        assert isinstance(getattr(ember, name), ember.memory_format)
    t, e = pair((2, 3))
    assert_same_error(lambda x, m: x.clone(memory_format=m.channels_last), (t, torch),
                      (e, ember))
    assert_same_error(lambda x, m: x.contiguous(memory_format=m.channels_last_3d),
                      (t, torch), (e, ember))
    assert not e.is_contiguous(memory_format=ember.channels_last)
    assert_same(ember.ones(2, 3, 4, 5, 6).contiguous(memory_format=ember.channels_last_3d),
                torch.ones(2, 3, 4, 5, 6).contiguous(memory_format=torch.channels_last_3d))


@pytest.mark.parametrize("shape, function", [
    ((2, 3, 4), lambda x, m: x),
    ((2, 3, 4), lambda x, m: x.mT),
    ((2, 3, 4), lambda x, m: x[:, ::2]),
    ((2, 3, 4), lambda x, m: x[:, 1:2]),
    ((2, 3, 4), lambda x, m: x[:, 1:2].permute(1, 0, 2)),
    ((2, 3, 4), lambda x, m: x[:, :, :1]),
    ((2, 3, 4), lambda x, m: x[:, :, :1].mT),
    ((2, 3, 4), lambda x, m: x[:1].expand(3, 3, 4)),
    ((1, 4), lambda x, m: x.expand(1, 4)),
    ((3, 1), lambda x, m: x.expand(3, 1)),
    ((2, 0, 4), lambda x, m: x[:, :, ::2]),
    ((2, 0, 4), lambda x, m: x.transpose(0, 2)),
    ((), lambda x, m: x),
    ((3,), lambda x, m: x[::2]),
    ((3,), lambda x, m: x[1:2]),
    ((3,), lambda x, m: x[2:]),
], ids=lambda case: "" if callable(case) else str(case))
def test_is_contiguous(shape, function):
    t, e = pair(shape)
    assert function(e, ember).is_contiguous() == function(t, torch).is_contiguous()


# --- detach, copy_ and the version counter ------------------------------------------------


def test_detach_shares_storage_and_version_counter():
    t, e = pair((2, 3))
    for x in (t, e):
        view = x.view(6)
        detached = view.detach()
        assert detached._base is None and not detached.requires_grad
        assert shares_memory(detached, x) and detached.data_ptr() == x.data_ptr()
        detached[0] = 50
        assert x[0, 0].item() == 50
        assert x._version == view._version == detached._version == 1
    assert ember.ones(2, requires_grad=True).detach().requires_grad is False


@pytest.mark.parametrize("target_shape, source_shape, source_dtype", [
    ((2, 3), (2, 3), "float32"),
    ((2, 3), (3,), "float32"),
    ((2, 3), (1, 3), "float64"),
    ((2, 3), (2, 1), "int64"),
    ((2, 3), (), "int32"),
    ((2, 3), (2, 3), "bool"),
    ((0, 3), (3,), "float32"),
])
@pytest.mark.parametrize("target_dtype", ["float32", "int64", "uint8", "bool"])
def test_copy_broadcasts_and_converts(target_shape, source_shape, source_dtype, target_dtype):
    t, e = pair(target_shape, target_dtype)
    source_t, source_e = pair(source_shape, source_dtype, start=3)
    expected, actual = t.copy_(source_t), e.copy_(source_e)
    assert expected is t and actual is e
    assert_same(actual, expected)
    assert e._version == t._version == 1


def test_copy_into_views():
    t, e = pair((3, 4))
    for x, m in ((t, torch), (e, ember)):
        x.t()[1:].copy_(m.arange(9.).view(3, 3))
        x[:, ::2].copy_(m.tensor([[-1.0], [-2.0], [-3.0]]))
        x[0].copy_(x[2])  # disjoint rows of one storage
        x[1].copy_(x[1])  # the very same memory
        x[0, 1:].copy_(x[0, :3].t().t().clone())
    assert_same(e, t)
    assert e._version == t._version


@pytest.mark.parametrize("function", [
    lambda x, m: x.copy_(x.view(6, 4).t()),
    lambda x, m: x[0, 1:].copy_(x[0, :3]),
    lambda x, m: x[:, :1].expand(4, 6).copy_(m.zeros(4, 6)),
    lambda x, m: x.copy_(m.ones(2, 1, 6)),
    lambda x, m: x.copy_(m.ones(1, 4, 6)),
    lambda x, m: x[:1].copy_(m.ones(4, 6)),
    lambda x, m: x.copy_(m.ones(5)),
    lambda x, m: x.copy_([1, 2]),
], ids=["partial_overlap_dense", "partial_overlap_rows", "expanded_target", "broadcast_up",
        "leading_one", "target_too_small", "no_broadcast", "not_a_tensor"])
def test_copy_errors(function):
    t, e = pair((4, 6))
    assert_same_error(function, (t, torch), (e, ember))
    assert e.tolist() == t.tolist()


def test_copy_overlap_that_torch_cannot_see_is_allowed():
    t, e = pair((2, 3, 4))
    for x in (t, e):
        x[0, :, 1:].copy_(x[0, :, :3].clone())  # not dense: PyTorch does not check
    assert_same(e, t)


def test_version_counter_is_shared_by_views():
    t, e = pair((2, 3))
    for x, m in ((t, torch), (e, ember)):
        views = [x.view(6), x.t(), x[1], x.unsqueeze(0), x.expand(1, 2, 3), x.narrow(1, 0, 1)]
        x[0, 0] = 1
        views[1][0, 1] = 2
        views[0].copy_(m.zeros(6))
        assert [v._version for v in views] == [3] * len(views)
        assert x._version == 3
        assert x.clone()._version == 0
    assert [v.tolist() for v in (e.view(6), e.t())] == [v.tolist() for v in (t.view(6), t.t())]


def test_base_is_the_root_of_a_view_chain():
    t, e = pair((2, 3, 4))
    for x in (t, e):
        chain = x.view(6, 4)[1:].t().unsqueeze(0)
        assert chain._base is x
        assert x._base is None and x.view(24)._base is x
        assert x.clone()._base is None and x.contiguous()._base is None


# --- T and its deprecation warnings -------------------------------------------------------


WARNING_ACTIONS = [
    "lib.ones(2, 3, 4).T", "lib.ones(3).T", "lib.ones(2, 3).T", "lib.ones(()).T",
    "lib.ones(4, 5, 6, 7).T", "lib.ones(()).mT", "lib.ones(()).mH", "lib.ones(()).H",
    "lib.ones(()).adjoint()",
    "lib.zeros(2).copy_(lib.tensor([1 + 2j, 3]))",
    "lib.zeros(2, 2).__setitem__(0, lib.tensor([1j, 2]))",
    "lib.zeros(2, 2)[lib.tensor([1, 0], dtype=lib.uint8)]",
    "lib.zeros(2, 2).__setitem__(lib.tensor([1, 0], dtype=lib.uint8), lib.ones(2))",
    "lib.zeros(2, 2)[[[0, 1]]]",
    "lib.zeros(1, 2).expand(2, 2).__setitem__([0], 1.0)",
]


def test_warnings_like_torch():
    """The warnings of views and indexing, with PyTorch's repetition: some once per process
    (``x.T`` on tensors other than 2-D; mT, mH, H and adjoint on 0-D; complex to real
    casts), others every time."""
    assert (warnings_in_fresh_process("ember", WARNING_ACTIONS)
            == warnings_in_fresh_process("torch", WARNING_ACTIONS))


def test_T_warning_text():
    from ember import _tensor

    # forget only these (other once-only warnings are primed by other test modules)
    for given in [m for m in _tensor._WARNINGS_GIVEN if "x.T" in m or "Tensor.T" in m]:
        _tensor._WARNINGS_GIVEN.discard(given)
    with pytest.warns(UserWarning, match=r"The use of `x.T` on tensors of dimension other "
                                         r"than 2 to reverse their shape is deprecated"):
        result = ember.ones(2, 3, 4).T
    assert result.shape == (4, 3, 2) and result.stride() == (1, 4, 12)
    with pytest.warns(UserWarning, match="Tensor.T is deprecated on 0-D tensors"):
        assert ember.ones(()).T.shape == ()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ember.ones(3).T.shape == (3,)  # given already, not again
        assert ember.ones(()).T.shape == ()


def test_H_and_mH_of_complex_are_conjugated():
    values = [[1 + 2j, 3 - 1j], [0.5j, 2 + 0j]]
    for name in ("H", "mH"):
        expected = getattr(torch.tensor(values), name)
        actual = getattr(ember.tensor(values), name)
        assert actual.shape == expected.shape
        assert actual.tolist() == expected.resolve_conj().tolist()


# --- errors -------------------------------------------------------------------------------

# (id, input shape, function): torch raises; ember must raise the same type and message.
ERRORS = [
    ("view_incompatible", (2, 3, 4), lambda x, m: x.transpose(0, 1).view(-1)),
    ("view_incompatible_sliced", (4, 6), lambda x, m: x[::2, :3].view(6)),
    ("view_wrong_numel", (2, 3, 4), lambda x, m: x.view(5, 5)),
    ("view_infer_twice", (2, 3, 4), lambda x, m: x.view(-1, -1)),
    ("view_negative", (2, 3, 4), lambda x, m: x.view(-2, 12)),
    ("view_infer_impossible", (2, 3, 4), lambda x, m: x.view(7, -1)),
    ("view_infer_zero", (2, 3, 4), lambda x, m: x.view(0, -1)),
    ("view_infer_ambiguous", (2, 0, 4), lambda x, m: x.view(-1, 0)),
    ("view_0d_wrong", (), lambda x, m: x.view(2)),
    ("view_dtype_0d", (), lambda x, m: x.view(m.float16)),
    ("view_dtype_stride", (2, 3, 4), lambda x, m: x.mT.view(m.float16)),
    ("view_dtype_size", (2, 3, 4), lambda x, m: x[..., :3].view(m.float64)),
    ("view_dtype_offset", (2, 3, 4), lambda x, m: x[:, :, 1:3].view(m.float64)),
    ("view_dtype_other_stride", (2, 3), lambda x, m: x[:, :2].view(m.float64)),
    ("reshape_wrong_numel", (2, 3, 4), lambda x, m: x.reshape(5, 5)),
    ("reshape_infer_twice", (2, 3, 4), lambda x, m: x.reshape(-1, 2, -1)),
    ("reshape_negative", (2, 3, 4), lambda x, m: x.reshape(4, -3)),
    ("flatten_reversed", (2, 3, 4), lambda x, m: x.flatten(2, 1)),
    ("flatten_bad_dim", (2, 3, 4), lambda x, m: x.flatten(5)),
    ("unflatten_wrong_product", (2, 12), lambda x, m: x.unflatten(1, (5, 2))),
    ("unflatten_empty_sizes", (2, 12), lambda x, m: x.unflatten(1, ())),
    ("squeeze_bad_dim", (2, 3, 4), lambda x, m: x.squeeze(3)),
    ("squeeze_bad_dim_0d", (), lambda x, m: x.squeeze(1)),
    ("squeeze_repeated_dims", (1, 3), lambda x, m: x.squeeze((0, 0))),
    ("unsqueeze_bad_dim", (2, 3, 4), lambda x, m: x.unsqueeze(4)),
    ("unsqueeze_bad_negative_dim", (2, 3, 4), lambda x, m: x.unsqueeze(-5)),
    ("permute_too_few", (2, 3, 4), lambda x, m: x.permute(0, 1)),
    ("permute_nothing", (), lambda x, m: x.permute()),
    ("permute_too_many", (2, 3, 4), lambda x, m: x.permute(0, 1, 2, 3)),
    ("permute_repeated", (2, 3, 4), lambda x, m: x.permute(0, 1, 1)),
    ("permute_repeated_negative", (2, 3, 4), lambda x, m: x.permute(0, 1, -2)),
    ("permute_bad_dim", (2, 3, 4), lambda x, m: x.permute(0, 1, 3)),
    ("transpose_bad_dim", (2, 3, 4), lambda x, m: x.transpose(0, 3)),
    ("t_3d", (2, 3, 4), lambda x, m: x.t()),
    ("mT_1d", (3,), lambda x, m: x.mT),
    ("mH_1d", (3,), lambda x, m: x.mH),
    ("adjoint_1d", (3,), lambda x, m: x.adjoint()),
    ("H_3d", (2, 3, 4), lambda x, m: x.H),
    ("H_1d", (3,), lambda x, m: x.H),
    ("expand_non_singleton", (2, 3, 4), lambda x, m: x.expand(2, 5, 4)),
    ("expand_too_few_sizes", (2, 3, 4), lambda x, m: x.expand(3, 4)),
    ("expand_infer_new_dim", (2, 1, 4), lambda x, m: x.expand(-1, 2, 1, 4)),
    ("expand_infer_second_new_dim", (2, 1, 4), lambda x, m: x.expand(3, -1, 2, 1, 4)),
    ("expand_negative", (2, 1, 4), lambda x, m: x.expand(2, -2, 4)),
    ("expand_negative_new_dim", (2, 1, 4), lambda x, m: x.expand(-2, 2, 1, 4)),
    ("expand_negative_non_singleton", (2, 1, 4), lambda x, m: x.expand(2, 1, -2)),
    ("expand_as_incompatible", (2, 3), lambda x, m: x.expand_as(m.zeros(3, 3))),
    ("broadcast_to_incompatible", (2, 3), lambda x, m: m.broadcast_to(x, (4,))),
    ("narrow_past_end", (2, 3, 4), lambda x, m: x.narrow(1, 2, 2)),
    ("narrow_start_past_end", (2, 3, 4), lambda x, m: x.narrow(1, 4, 0)),
    ("narrow_start_before_begin", (2, 3, 4), lambda x, m: x.narrow(1, -4, 0)),
    ("narrow_negative_length", (2, 3, 4), lambda x, m: x.narrow(1, 0, -1)),
    ("narrow_0d", (), lambda x, m: x.narrow(0, 0, 1)),
    ("narrow_bad_dim", (2, 3, 4), lambda x, m: x.narrow(3, 0, 1)),
    ("select_past_end", (2, 3, 4), lambda x, m: x.select(1, 3)),
    ("select_before_begin", (2, 3, 4), lambda x, m: x.select(1, -4)),
    ("select_0d", (), lambda x, m: x.select(0, 0)),
    ("select_bad_dim", (2, 3, 4), lambda x, m: x.select(3, 0)),
    ("unbind_bad_dim", (2, 3, 4), lambda x, m: x.unbind(3)),
    ("split_negative", (2, 3, 4), lambda x, m: x.split(-1, 1)),
    ("split_zero", (2, 3, 4), lambda x, m: x.split(0, 1)),
    ("split_sizes_wrong_sum", (2, 3, 4), lambda x, m: x.split([1, 2], dim=2)),
    ("split_bad_dim", (2, 3, 4), lambda x, m: x.split(2, 3)),
    ("chunk_zero", (2, 3, 4), lambda x, m: x.chunk(0, 1)),
    ("chunk_bad_dim", (2, 3, 4), lambda x, m: x.chunk(2, 3)),
    ("movedim_lengths", (2, 3, 4), lambda x, m: x.movedim((0, 1), (2,))),
    ("movedim_repeated_source", (2, 3, 4), lambda x, m: x.movedim((0, 0), (1, 2))),
    ("movedim_repeated_destination", (2, 3, 4), lambda x, m: x.movedim((0, 1), (1, 1))),
    ("movedim_bad_dim", (2, 3, 4), lambda x, m: x.movedim(3, 0)),
    ("diagonal_same_dims", (2, 3, 4), lambda x, m: x.diagonal(0, 1, 1)),
    ("diagonal_1d", (3,), lambda x, m: x.diagonal()),
    ("diagonal_bad_dim", (2, 3, 4), lambda x, m: x.diagonal(0, 0, 3)),
    ("unfold_too_big", (2, 3, 4), lambda x, m: x.unfold(1, 4, 1)),
    ("unfold_zero_step", (2, 3, 4), lambda x, m: x.unfold(1, 2, 0)),
    ("unfold_0d_too_big", (), lambda x, m: x.unfold(0, 2, 1)),
    ("as_strided_out_of_bounds", (2, 3, 4), lambda x, m: x.as_strided((30, 3), (1, 2), 1)),
    ("as_strided_lengths", (2, 3, 4), lambda x, m: x.as_strided((3, 3), (1,), 1)),
    ("as_strided_negative_stride", (2, 3, 4), lambda x, m: x.as_strided((3, 3), (-1, 1), 5)),
    ("as_strided_negative_offset", (2, 3, 4), lambda x, m: x.as_strided((2,), (1,), -1)),
    ("size_bad_dim", (2, 3, 4), lambda x, m: x.size(3)),
    ("stride_bad_dim", (2, 3, 4), lambda x, m: x.stride(-4)),
    ("size_of_0d", (), lambda x, m: x.size(0)),
    ("stride_of_0d", (), lambda x, m: x.stride(-1)),
]


@pytest.mark.parametrize("shape, function", [case[1:] for case in ERRORS],
                         ids=[case[0] for case in ERRORS])
def test_error(shape, function):
    t, e = pair(shape)
    assert_same_error(function, (t, torch), (e, ember))


def test_view_error_message_text():
    x = ember.zeros(2, 3).t()
    with pytest.raises(RuntimeError) as caught:
        x.view(6)
    assert str(caught.value) == (
        "view size is not compatible with input tensor's size and stride (at least one "
        "dimension spans across two contiguous subspaces). Use .reshape(...) instead.")

