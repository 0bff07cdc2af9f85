"""``tensor[index]``, ``tensor[index] = value`` and nonzero against torch: basic indexing
gives views with torch's strides and offsets, advanced indexing gives copies laid out as
torch lays them out, assignment writes the same values and bumps the version once, and bad
indices raise what torch raises."""

import warnings

import numpy as np
import pytest
import torch
from view_oracle import (
    assert_same,
    assert_same_error,
    byte_distance,
    pair,
    shares_memory,
)

import ember


def _long(m, *values):
    return m.tensor(list(values), dtype=m.int64)


def _mask(m, *values):
    return m.tensor(list(values), dtype=m.bool)


# (id, shape, index as a function of the module): basic indices, whose results are views
BASIC = [
    ("int", (2, 3, 4), lambda m: 1),
    ("negative_int", (2, 3, 4), lambda m: -1),
    ("ints", (2, 3, 4), lambda m: (1, -2)),
    ("all_ints", (2, 3, 4), lambda m: (1, 2, 3)),
    ("slice", (2, 3, 4), lambda m: slice(1, None)),
    ("full_slice", (2, 3, 4), lambda m: slice(None)),
    ("slice_step", (2, 3, 4), lambda m: (slice(None), slice(None, None, 2))),
    ("slice_step_3", (5, 7), lambda m: (slice(1, None, 3), slice(6, 0, 1))),
    ("slice_step_negative_bounds", (5, 7), lambda m: (slice(-4, -1, 2), slice(-100, 3))),
    ("slice_clamped", (2, 3, 4), lambda m: (slice(None), slice(1, 100))),
    ("slice_clamped_start", (2, 3, 4), lambda m: slice(-100, 2)),
    ("slice_empty_at_end", (2, 3, 4), lambda m: (slice(None), slice(3, None))),
    ("slice_empty_reversed", (2, 3, 4), lambda m: (slice(None), slice(2, 1))),
    ("slice_empty_past_end", (2, 3, 4), lambda m: (slice(None), slice(5, 9))),
    ("slice_empty_step", (2, 3, 4), lambda m: (Ellipsis, slice(4, None, 2))),
    ("slice_tensor_bounds", (2, 3, 4), lambda m: slice(m.tensor(1), m.tensor(2))),
    ("none", (2, 3, 4), lambda m: None),
    ("none_int_none", (2, 3, 4), lambda m: (None, 0, None)),
    ("none_at_end", (2, 3, 4), lambda m: (Ellipsis, None)),
    ("none_in_middle", (2, 3, 4), lambda m: (slice(None), None)),
    ("nones_around_ellipsis", (2, 3, 4), lambda m: (None, Ellipsis, None)),
    ("none_after_step", (2, 3, 4), lambda m: (slice(None), slice(None, None, 2), None)),
    ("ellipsis", (2, 3, 4), lambda m: Ellipsis),
    ("ellipsis_int", (2, 3, 4), lambda m: (Ellipsis, 1)),
    ("int_ellipsis_int", (2, 3, 4), lambda m: (0, Ellipsis, 1)),
    ("ellipsis_covering_nothing", (2, 3, 4), lambda m: (0, 1, Ellipsis, 2)),
    ("ellipsis_none_int", (2, 3, 4), lambda m: (Ellipsis, None, 1)),
    ("two_ellipses_first_empty", (2, 3, 4), lambda m: (Ellipsis, 0, Ellipsis)),
    ("two_ellipses", (2, 3, 4), lambda m: (0, Ellipsis, 1, Ellipsis)),
    ("combination", (2, 3, 4), lambda m: (None, 1, slice(None, None, 2), None, -1)),
    ("0d_int_tensor", (2, 3, 4), lambda m: m.tensor(1)),
    ("0d_int_tensors", (2, 3, 4), lambda m: (m.tensor(1), slice(None), m.tensor(-1))),
    ("0d_int32_tensor", (2, 3, 4), lambda m: m.tensor(1, dtype=m.int32)),
    ("numpy_integer", (2, 3, 4), lambda m: np.int64(1)),
    ("0d_numpy_array", (2, 3, 4), lambda m: np.array(1)),
    ("0d_ellipsis", (), lambda m: Ellipsis),
    ("0d_none", (), lambda m: None),
    ("0d_empty_tuple", (), lambda m: ()),
    ("empty_tensor_slice", (0, 3), lambda m: (slice(None), 1)),
    ("transposed_source", (3, 4), lambda m: (slice(1, None), 2)),
]


@pytest.mark.parametrize("shape, index", [case[1:] for case in BASIC],
                         ids=[case[0] for case in BASIC])
def test_basic_indexing_gives_views(shape, index):
    t, e = pair(shape)
    expected, actual = t[index(torch)], e[index(ember)]
    assert_same(actual, expected)
    assert shares_memory(actual, e) and shares_memory(expected, t)
    assert actual._base is e and expected._base is t
    if expected.numel():
        assert byte_distance(actual, e) == byte_distance(expected, t)
        actual[(0,) * actual.dim()] = -1
        expected[(0,) * expected.dim()] = -1
        assert e.tolist() == t.tolist()
        assert e._version == t._version == 1


def test_basic_indexing_of_views():
    t, e = pair((4, 6))
    for index in [(slice(1, None), 2), (slice(None, None, 2), None, slice(1, 3)),
                  (Ellipsis, slice(2, None, 3))]:
        assert_same(e.t()[1:][index], t.t()[1:][index])
        assert_same(e[:, ::2].unsqueeze(0)[0][index], t[:, ::2].unsqueeze(0)[0][index])
        assert e.t()[index]._base is e


# (id, shape, index as a function of the module): advanced indices, whose results are copies
ADVANCED = [
    ("long_tensor", (2, 3, 4), lambda m: _long(m, 0, 1, 1)),
    ("long_tensor_2d", (3, 4), lambda m: m.tensor([[0, 2], [1, 0]])),
    ("negative_indices", (2, 3, 4), lambda m: _long(m, -1, -2)),
    ("int32_tensor", (2, 3, 4), lambda m: m.tensor([1, 0], dtype=m.int32)),
    ("list", (2, 3, 4), lambda m: [0, 1, 1]),
    ("list_of_one", (2, 3, 4), lambda m: [1]),
    ("empty_list", (2, 3, 4), lambda m: []),
    ("empty_long_tensor", (2, 3, 4), lambda m: m.tensor([], dtype=m.int64)),
    ("tuple_of_lists", (2, 3, 4), lambda m: ([0, 1], [2, 0])),
    ("nested_tuple", (2, 3, 4), lambda m: ((0, 1),)),
    ("bool_mask", (2, 3, 4), lambda m: _mask(m, True, False)),
    ("bool_list", (2, 3, 4), lambda m: [True, False]),
    ("bool_mask_full", (2, 3, 4), lambda m: m.arange(24).view(2, 3, 4) % 3 == 0),
    ("bool_mask_lower_rank", (2, 3, 4), lambda m: m.arange(6).view(2, 3) % 2 == 0),
    ("bool_mask_after_slice", (2, 3, 4), lambda m: (slice(None), _mask(m, True, False, True))),
    ("bool_mask_then_int", (2, 3, 4), lambda m: (m.ones(2, 3, dtype=m.bool), 1)),
    ("bool_mask_all_false", (2, 3, 4), lambda m: m.zeros(2, 3, dtype=m.bool)),
    ("slice_then_tensor", (2, 3, 4), lambda m: (slice(None), _long(m, 0, 2))),
    ("step_then_tensor", (2, 3, 4), lambda m: (slice(None, None, 2), _long(m, 2, 0))),
    ("adjacent_tensors", (2, 3, 4), lambda m: (slice(None), _long(m, 0, 1), _long(m, 1, 3))),
    ("separated_tensors", (2, 3, 4), lambda m: (_long(m, 0, 1), slice(None), _long(m, 1, 3))),
    ("separated_by_none", (2, 3, 4), lambda m: (_long(m, 0, 1), None, _long(m, 1, 2))),
    ("separated_2d_index", (2, 3, 4), lambda m: (m.tensor([[0]]), slice(None), _long(m, 1, 2))),
    ("tensor_and_int", (2, 3, 4), lambda m: (_long(m, 0, 1), 1, slice(None))),
    ("tensor_slice_int", (2, 3, 4), lambda m: (_long(m, 0, 1), slice(None), 1)),
    ("broadcast_indices", (2, 3, 4), lambda m: (m.tensor([[0], [1]]), _long(m, 1, 2, 0))),
    ("ellipsis_then_tensor", (2, 3, 4), lambda m: (Ellipsis, _long(m, 0, 3))),
    ("none_then_tensor", (2, 3, 4), lambda m: (None, _long(m, 0, 1))),
    ("true", (2, 3, 4), lambda m: True),
    ("false", (2, 3, 4), lambda m: False),
    ("true_and_int", (2, 3, 4), lambda m: (True, 0)),
    ("true_none", (2, 3, 4), lambda m: (True, None)),
    ("true_true", (2, 3, 4), lambda m: (True, True)),
    ("false_int", (2, 3, 4), lambda m: (False, 0)),
    ("0d_bool_tensor", (2, 3, 4), lambda m: m.tensor(True)),
    ("0d_false_tensor", (2, 3, 4), lambda m: m.tensor(False)),
    ("true_of_0d", (), lambda m: True),
    ("0d_uint8_tensor", (2, 3, 4), lambda m: m.tensor(1, dtype=m.uint8)),
    ("0d_uint8_zero_tensor", (2, 3, 4), lambda m: m.tensor(0, dtype=m.uint8)),
    ("numpy_array", (2, 3, 4), lambda m: np.array([1, 0])),
    ("numpy_bool_array", (2, 3, 4), lambda m: np.array([False, True])),
    ("transposed_source", (2, 3, 4), lambda m: _long(m, 1, 0)),
    ("transposed_source_ellipsis", (2, 3, 4), lambda m: (Ellipsis, _long(m, 1, 0))),
    ("transposed_source_both", (2, 3, 4), lambda m: (_long(m, 1, 0), slice(None),
                                                     _long(m, 1, 0))),
    ("transposed_index", (3, 4), lambda m: m.tensor([[0, 1, 2], [2, 1, 0]]).t()),
    ("expanded_index", (3, 4), lambda m: _long(m, 2, 0).expand(3, 2)),
    ("empty_source", (0, 4), lambda m: (slice(None), _long(m, 1, 3))),
    ("size_one_dims", (2, 1, 4), lambda m: (slice(None), slice(None), _long(m, 3))),
]

# Transform applied to the source before indexing (the advanced cases named transposed_*).
_SOURCES = {"transposed_source": lambda x: x.mT, "transposed_source_ellipsis": lambda x: x.mT,
            "transposed_source_both": lambda x: x.permute(2, 0, 1)}


@pytest.mark.parametrize("name, shape, index", ADVANCED, ids=[case[0] for case in ADVANCED])
def test_advanced_indexing_copies(name, shape, index):
    t, e = pair(shape)
    source = _SOURCES.get(name, lambda x: x)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Using a non-tuple sequence")
        expected, actual = source(t)[index(torch)], source(e)[index(ember)]
    assert_same(actual, expected)
    assert actual._base is None and expected._base is None
    assert shares_memory(actual, e) == shares_memory(expected, t)  # empty ones: address 0


def test_transposed_basic_index():
    t, e = pair((3, 4))
    assert_same(e.t()[1:, 2], t.t()[1:, 2])


@pytest.mark.parametrize("index", [
    lambda m: [[0, 1], [1, 0]],
    lambda m: [m.tensor(0), 1],
    lambda m: [slice(None), 1],
    lambda m: [None, 0],
    lambda m: [Ellipsis, 0],
], ids=["nested_list", "list_with_tensor", "list_with_slice", "list_with_none",
        "list_with_ellipsis"])
def test_list_holding_indices_is_read_as_tuple_with_a_warning(index):
    t, e = pair((2, 3, 4))
    with pytest.warns(UserWarning, match="Using a non-tuple sequence for multidimensional"):
        expected = t[index(torch)]
    with pytest.warns(UserWarning, match="Using a non-tuple sequence for multidimensional"):
        actual = e[index(ember)]
    assert_same(actual, expected)
    assert (actual._base is e) == (expected._base is t)


def test_uint8_index_is_a_deprecated_mask():
    t, e = pair((2, 3, 4))
    results = []
    for x, m in ((t, torch), (e, ember)):
        with pytest.warns(UserWarning, match="indexing with dtype torch.uint8 is now "
                                             "deprecated, please use a dtype torch.bool"):
            results.append(x[m.tensor([1, 0], dtype=m.uint8)])
    assert_same(results[1], results[0])


# (id, shape, index, value): both given as functions of the module
SETITEM = [
    ("int_scalar", (2, 3, 4), lambda m: 0, lambda m: 1.5),
    ("negative_int_tensor", (2, 3, 4), lambda m: -1, lambda m: m.tensor([1.0, 2, 3, 4])),
    ("slice_row", (2, 3, 4), lambda m: (slice(None), 1), lambda m: m.tensor([1, 2, 3, 4])),
    ("step_broadcast", (2, 3, 4), lambda m: (slice(None), slice(None, None, 2)),
     lambda m: m.tensor([[[1.0]], [[2.0]]])),
    ("empty_slice", (2, 3, 4), lambda m: (slice(None), slice(3, None)), lambda m: 7),
    ("none", (2, 3, 4), lambda m: None, lambda m: 3),
    ("ellipsis", (2, 3, 4), lambda m: Ellipsis, lambda m: m.tensor([1.0, 2, 3, 4])),
    ("ellipsis_int", (2, 3, 4), lambda m: (Ellipsis, 2), lambda m: m.tensor([-1.0, -2, -3])),
    ("0d_int_tensor_index", (2, 3, 4), lambda m: m.tensor(1), lambda m: 2),
    ("value_leading_ones", (2, 3, 4), lambda m: 0, lambda m: m.ones(1, 1, 3, 4)),
    ("0d_value", (2, 3, 4), lambda m: 1, lambda m: m.tensor(5)),
    ("int_value_dtype", (2, 3, 4), lambda m: 0, lambda m: m.tensor([1, 2, 3, 4],
                                                                   dtype=m.int32)),
    ("double_value", (2, 3, 4), lambda m: 0, lambda m: m.tensor(1.123456789, dtype=m.float64)),
    ("bool_value", (2, 3, 4), lambda m: 0, lambda m: True),
    ("numpy_float64_value", (2, 3, 4), lambda m: 0, lambda m: np.float64(2.5)),
    ("numpy_int_value", (2, 3, 4), lambda m: 0, lambda m: np.int64(3)),
    ("self_disjoint", (2, 3, 4), lambda m: slice(1, None), lambda m: None),
    ("long_tensor", (2, 3, 4), lambda m: _long(m, 1, 0), lambda m: m.tensor([[1.0], [2.0],
                                                                           [3.0]])),
    ("repeated_index_scalar", (2, 3, 4), lambda m: _long(m, 0, 0), lambda m: 5.0),
    ("list", (2, 3, 4), lambda m: [1, 0], lambda m: m.tensor([[[1.0]], [[2.0]]])),
    ("mask_scalar", (2, 3, 4), lambda m: m.arange(24).view(2, 3, 4) > 5, lambda m: 0),
    ("mask_values", (2, 3, 4), lambda m: m.arange(24).view(2, 3, 4) > 20,
     lambda m: m.tensor([7.0, 8.0, 9.0])),
    ("mask_0d_value", (2, 3, 4), lambda m: m.arange(24).view(2, 3, 4) > 20,
     lambda m: m.tensor(7)),
    ("mask_lower_rank", (2, 3, 4), lambda m: _mask(m, False, True),
     lambda m: m.tensor([1.0, 2, 3, 4])),
    ("separated_tensors", (2, 3, 4), lambda m: (_long(m, 0, 1), slice(None), _long(m, 1, 3)),
     lambda m: m.tensor([[1.0], [2.0]])),
    ("adjacent_tensors", (2, 3, 4), lambda m: (slice(None), _long(m, 0, 2), _long(m, 1, 3)),
     lambda m: m.tensor([5.0, 6.0])),
    ("advanced_value_leading_ones", (2, 3, 4), lambda m: [0], lambda m: m.ones(1, 1, 3, 4)),
    ("advanced_int_value", (2, 3, 4), lambda m: _long(m, 1), lambda m: m.ones(4, dtype=m.int64)),
    ("true", (2, 3, 4), lambda m: True, lambda m: 2),
    ("false", (2, 3, 4), lambda m: False, lambda m: 2),
    ("int_target_float_value", (2, 3, 4), lambda m: 0, lambda m: 2.7),
    ("empty_advanced", (2, 3, 4), lambda m: _long(m), lambda m: 1.0),
]


# Cases whose value tensor keeps its own dtype, which assignment converts.
_CONVERTED_VALUES = {"int_value_dtype", "double_value", "0d_value", "mask_0d_value"}


@pytest.mark.parametrize("name, shape, index, value", SETITEM,
                         ids=[case[0] for case in SETITEM])
@pytest.mark.parametrize("dtype", ["float32", "int64", "uint8"])
def test_setitem(name, shape, index, value, dtype):
    t, e = pair(shape, dtype)
    for x, m in ((t, torch), (e, ember)):
        view = x.view(x.shape)
        new = x[:1] if name == "self_disjoint" else value(m)
        if isinstance(new, m.Tensor) and name not in _CONVERTED_VALUES:
            new = new.to(x.dtype)  # advanced assignment wants the target's dtype
        x[index(m)] = new
        assert view._version == x._version
    assert_same(e, t)
    assert e._version == t._version


def test_setitem_into_views_writes_the_base():
    t, e = pair((4, 6))
    for x, m in ((t, torch), (e, ember)):
        x.t()[1:, ::2] = m.tensor([-1.0, -2.0])
        x[1:][_long(m, 0, 2), 3] = m.tensor(9.0)
        x[:, 1:3][x[:, 1:3] > 10] = 0
        x.view(24)[20:] = 5
    assert_same(e, t)
    assert e._version == t._version == 4


@pytest.mark.parametrize("target", ["float32", "float64", "int32", "uint8", "bool",
                                    "complex64"])
def test_setitem_with_other_value_dtypes(target):
    """Basic assignment converts the value; advanced assignment wants the same dtype, except
    for one value through a lone bool mask (a masked fill, which converts it)."""
    for source in ("float64", "int64", "bool", "complex128", "float16", target):
        t, e = pair((2, 3), target)
        value_t, value_e = pair((3,), source, start=1)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Casting complex values to real")
            t[0] = value_t
            e[0] = value_e
        assert_same(e, t)
        for index in (lambda m: [1], lambda m: m.tensor([False, True])):
            assert_same(e, t)
            results = []
            for x, value, m in ((t, value_t, torch), (e, value_e, ember)):
                try:
                    x[index(m)] = value
                    results.append("ok")
                except RuntimeError as error:
                    results.append(str(error))
            assert results[1] == results[0]
        for index, value in ((lambda m: m.tensor([False, True]), lambda x: x[:1]),
                             (lambda m: m.tensor(True), lambda x: x[1]),
                             (lambda m: True, lambda x: x[1]),
                             (lambda m: [1], lambda x: x[:1])):
            outcomes = []
            for x, source_value, m in ((t, value_t, torch), (e, value_e, ember)):
                try:
                    with warnings.catch_warnings():
                        warnings.filterwarnings("ignore", "Casting complex values to real")
                        x[index(m)] = value(source_value)
                    outcomes.append("ok")
                except RuntimeError as error:
                    outcomes.append(str(error))
            assert outcomes[1] == outcomes[0]
        assert_same(e, t)
        assert e._version == t._version


def test_setitem_on_expanded_tensor_warns():
    t, e = pair((2, 1, 4))
    for x in (t, e):
        with pytest.warns(UserWarning, match="Use of index_put_ on expanded tensors is "
                                             "deprecated"):
            x.expand(2, 3, 4)[[0]] = 1.0
    assert_same(e, t)


SCALARS = [300, -1, -255, -256, 2**40, 1e10, float("inf"), float("nan"), 1 + 1j, 2 + 0j,
           1e300 + 0j, 2.7, -1.5,
           255.5, True, np.int32(5), np.uint8(3), 1e300, 1e39, 2**63 - 1, 2**63, -2**63 - 1]


@pytest.mark.parametrize("dtype", ["uint8", "int8", "int16", "int32", "int64", "bool", "float16",
                                   "bfloat16", "float32", "float64", "complex64", "complex128"])
def test_setitem_scalar_conversion(dtype):
    """A Python number is checked against the target dtype as torch checks it."""
    for value in SCALARS:
        for index in (0, [1]):
            results = []
            for m in (torch, ember):
                x = m.zeros(3, dtype=getattr(m, dtype))
                try:
                    x[index] = value
                    results.append(("ok", repr(x.tolist())))
                except Exception as error:  # compared with torch's
                    results.append((type(error).__name__, str(error)))
            assert results[1] == results[0], (value, index)


# (id, shape, function of (tensor, module)) that must raise as torch does
ERRORS = [
    ("int_out_of_range", (2, 3, 4), lambda x, m: x[2]),
    ("negative_int_out_of_range", (2, 3, 4), lambda x, m: x[-3]),
    ("int_out_of_range_later_dim", (2, 3, 4), lambda x, m: x[:, 0, 4]),
    ("0d_int_tensor_out_of_range", (2, 3, 4), lambda x, m: x[m.tensor(5)]),
    ("tensor_out_of_range", (2, 3, 4), lambda x, m: x[_long(m, 0, 5)]),
    ("tensor_negative_out_of_range", (2, 3, 4), lambda x, m: x[_long(m, -3)]),
    ("tensor_out_of_range_later_dim", (2, 3, 4), lambda x, m: x[:, _long(m, 3)]),
    ("float_tensor", (2, 3, 4), lambda x, m: x[m.tensor([0.0])]),
    ("0d_float_tensor", (2, 3, 4), lambda x, m: x[m.tensor(1.0)]),
    ("empty_float_tensor", (2, 3, 4), lambda x, m: x[m.tensor([])]),
    ("int16_tensor", (2, 3, 4), lambda x, m: x[m.tensor([1], dtype=m.int16)]),
    ("int8_tensor", (2, 3, 4), lambda x, m: x[m.tensor([1], dtype=m.int8)]),
    ("float", (2, 3, 4), lambda x, m: x[1.0]),
    ("float_in_tuple", (2, 3, 4), lambda x, m: x[0, 1.5]),
    ("string", (2, 3, 4), lambda x, m: x["a"]),
    ("too_many", (2, 3, 4), lambda x, m: x[0, 0, 0, 0]),
    ("too_many_with_none", (2, 3, 4), lambda x, m: x[0, 0, 0, None, 0]),
    ("too_many_lists", (2, 3, 4), lambda x, m: x[[0, 1], [0, 1], [0, 1], [0]]),
    ("too_many_mask_dims", (2, 3, 4), lambda x, m: x[m.ones(2, 3, 4, 1, dtype=m.bool)]),
    ("int_of_0d", (), lambda x, m: x[0]),
    ("slice_of_0d", (), lambda x, m: x[0:1]),
    ("step_zero", (2, 3, 4), lambda x, m: x[::0]),
    ("step_negative", (2, 3, 4), lambda x, m: x[:, ::-1]),
    ("step_negative_advanced", (2, 3, 4), lambda x, m: x[[0], ::-2]),
    ("indices_do_not_broadcast", (2, 3, 4), lambda x, m: x[_long(m, 0, 1), _long(m, 0, 1, 2)]),
    ("mask_wrong_shape", (2, 3, 4), lambda x, m: x[_mask(m, True, False, True)]),
    ("mask_wrong_shape_later", (2, 3, 4), lambda x, m: x[:, m.ones(3, 3, dtype=m.bool)]),
    ("set_int_out_of_range", (2, 3, 4), lambda x, m: x.__setitem__(2, 1)),
    ("set_tensor_out_of_range", (2, 3, 4), lambda x, m: x.__setitem__([0, 2], 1)),
    ("set_float_tensor", (2, 3, 4), lambda x, m: x.__setitem__(m.tensor([0.0]), 1)),
    ("set_too_many", (2, 3, 4), lambda x, m: x.__setitem__((0, 0, 0, 0), 1)),
    ("set_step_zero", (2, 3, 4), lambda x, m: x.__setitem__(slice(None, None, 0), 1)),
    ("set_step_negative", (2, 3, 4), lambda x, m: x.__setitem__(slice(None, None, -1), 1)),
    ("set_shape_mismatch", (2, 3, 4), lambda x, m: x.__setitem__((slice(None), 1),
                                                                 m.tensor([1.0, 2, 3]))),
    ("set_value_more_dims", (2, 3, 4), lambda x, m: x.__setitem__(0, m.ones(2, 3, 4))),
    ("set_advanced_shape_mismatch", (2, 3, 4),
     lambda x, m: x.__setitem__([0, 1], m.tensor([1.0, 2, 3]))),
    ("set_mask_shape_mismatch", (2, 3, 4),
     lambda x, m: x.__setitem__(x > 5, m.tensor([1.0, 2, 3]))),
    ("set_advanced_value_more_dims", (2, 3, 4),
     lambda x, m: x.__setitem__([0], m.ones(2, 1, 3, 4))),
    ("set_list_value", (2, 3, 4), lambda x, m: x.__setitem__(0, [1, 2, 3, 4])),
    ("set_numpy_array_value", (2, 3, 4), lambda x, m: x.__setitem__(0, np.ones(4))),
    ("set_numpy_float32_value", (2, 3, 4), lambda x, m: x.__setitem__(0, np.float32(1))),
    ("set_string_value", (2, 3, 4), lambda x, m: x.__setitem__(0, "a")),
    ("set_none_value", (2, 3, 4), lambda x, m: x.__setitem__(0, None)),
    ("set_partial_overlap", (2, 3, 4), lambda x, m: x[0].__setitem__(slice(1, None), x[0, :2])),
    ("set_advanced_full_overlap", (2, 3, 4), lambda x, m: x.__setitem__([0, 1], x)),
    ("set_advanced_partial_overlap", (2, 3, 4), lambda x, m: x.__setitem__([0], x[1:])),
    ("set_advanced_same_rows", (2, 3, 4), lambda x, m: x.__setitem__([0], x[:1])),
    ("set_advanced_other_dtype", (2, 3, 4), lambda x, m: x.__setitem__([0], m.ones(4).long())),
    ("set_advanced_complex", (2, 3, 4), lambda x, m: x.__setitem__([0], m.tensor([1j, 2j]))),
    ("set_uint8_mask_one_value", (2, 3, 4),
     lambda x, m: x.__setitem__(m.tensor([1, 0], dtype=m.uint8), m.tensor(1.0))),
    ("set_mask_complex_value", (2, 3, 4), lambda x, m: x.__setitem__(x > 3, m.tensor(1j))),
    ("set_mask_overflowing_value", (2, 3, 4),
     lambda x, m: x.__setitem__(x > 3, m.tensor(1e300, dtype=m.float64))),
    ("0d_with_none_and_list", (), lambda x, m: x[None, [0]]),
    ("0d_with_0d_int_tensor", (), lambda x, m: x[m.tensor(0)]),
    ("0d_with_int_in_tuple", (), lambda x, m: x[0,]),
    ("0d_with_slice_in_tuple", (), lambda x, m: x[0:1,]),
]


@pytest.mark.parametrize("shape, function", [case[1:] for case in ERRORS],
                         ids=[case[0] for case in ERRORS])
def test_error(shape, function):
    t, e = pair(shape)
    before = e.tolist()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Using a non-tuple sequence")
        assert_same_error(function, (t, torch), (e, ember))
    # A refused assignment writes nothing (PyTorch may write some elements before it finds
    # an index out of range; ember checks first).
    assert e.tolist() == before
    assert e._version == 0


def test_second_ellipsis_past_the_end_raises_index_error():
    # PyTorch's message names a dim it computes oddly here; the exception type is what counts
    t, e = pair((2, 3, 4))
    for index in [(Ellipsis, Ellipsis, 1), (Ellipsis, 1, Ellipsis, 2)]:
        assert_same_error(lambda x, m, index=index: x[index], (t, torch), (e, ember),
                          message=False)


# --- nonzero ------------------------------------------------------------------------------


@pytest.mark.parametrize("shape, function", [
    ((2, 3, 4), lambda x: x % 3 == 0),
    ((2, 3, 4), lambda x: x.mT % 5 == 1),
    ((5,), lambda x: x > 2),
    ((2, 3), lambda x: x > 100),
    ((0, 3), lambda x: x),
    ((), lambda x: x),
    ((), lambda x: x - x),
    ((2, 3), lambda x: x.double() - 2),
], ids=["3d", "transposed", "1d", "none_nonzero", "empty", "0d", "0d_zero", "float"])
def test_nonzero(shape, function):
    t, e = pair(shape)
    assert_same(ember.nonzero(function(e)), torch.nonzero(function(t)))
    assert_same(function(e).nonzero(), function(t).nonzero())
    expected = torch.nonzero(function(t), as_tuple=True)
    actual = ember.nonzero(function(e), as_tuple=True)
    assert isinstance(actual, tuple) and len(actual) == len(expected)
    for a, x in zip(actual, expected):
        assert_same(a, x)
    actual = function(e).nonzero(as_tuple=True)
    assert len(actual) == len(expected)


def test_nonzero_out():
    t, e = pair((2, 3))
    out_t, out_e = torch.empty(0, dtype=torch.int64), ember.empty(0, dtype=ember.int64)
    torch.nonzero(t > 2, out=out_t)
    ember.nonzero(e > 2, out=out_e)
    assert_same(out_e, out_t)
