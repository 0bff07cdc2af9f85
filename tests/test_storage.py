"""Storage and tensor metadata against torch: untyped and typed storages, storage offsets
and data pointers, set_ / is_set_to / resize_, the version counter and _base, and memory
shared with NumPy through from_numpy and numpy()."""

import warnings

import numpy as np
import pytest
import torch
from view_oracle import assert_same, assert_same_error, outcome, pair, warnings_in_fresh_process

import ember


def _typed(tensor):
    """``tensor.storage()`` without the deprecation warning (tested on its own below)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "TypedStorage is deprecated")
        return tensor.storage()


# --- tensor metadata ----------------------------------------------------------------------


@pytest.mark.parametrize("shape, function", [
    ((2, 3, 4), lambda x: x),
    ((2, 3, 4), lambda x: x[1, 1:]),
    ((2, 3, 4), lambda x: x.mT[:, ::2]),
    ((2, 3, 4), lambda x: x[:, :1].expand(2, 5, 4)),
    ((2, 3, 4), lambda x: x.half()),
    ((2, 3, 4), lambda x: x.double().t() if x.dim() == 2 else x.double().permute(2, 0, 1)),
    ((), lambda x: x),
    ((0, 3), lambda x: x),
    ((5,), lambda x: x[2:].view(3, 1)),
], ids=["plain", "view", "stepped_transposed", "expanded", "half", "double_permuted", "0d",
        "empty", "offset_view"])
def test_metadata(shape, function):
    t, e = pair(shape)
    x, y = function(t), function(e)
    assert y.storage_offset() == x.storage_offset()
    assert (y.element_size(), y.itemsize, y.nbytes) == (x.element_size(), x.itemsize, x.nbytes)
    assert (y.numel(), y.nelement(), y.dim(), y.ndim, y.ndimension()) == (
        x.numel(), x.nelement(), x.dim(), x.ndim, x.ndimension())
    assert y.size() == x.size() and y.shape == x.shape and y.stride() == x.stride()
    assert isinstance(y.size(), ember.Size) and isinstance(y.stride(), tuple)
    for dim in range(-x.dim(), x.dim()):
        assert (y.size(dim), y.stride(dim)) == (x.size(dim), x.stride(dim))
        assert (y.size(dim=dim), y.stride(dim=dim)) == (x.size(dim=dim), x.stride(dim=dim))
    assert len(y.untyped_storage()) == len(x.untyped_storage())
    assert y.untyped_storage().nbytes() == x.untyped_storage().nbytes()
    if x.numel():
        assert y.data_ptr() - e.data_ptr() == x.data_ptr() - t.data_ptr() or (
            x.dtype is not t.dtype)
    else:
        assert y.data_ptr() == x.data_ptr() == 0


@pytest.mark.parametrize("shape, dim", [((2, 3), 2), ((2, 3), -3), ((), 0), ((), -1),
                                        ((), 1)])
def test_size_and_stride_of_bad_dim(shape, dim):
    t, e = pair(shape)
    assert_same_error(lambda x, m: x.size(dim), (t, torch), (e, ember))
    assert_same_error(lambda x, m: x.stride(dim), (t, torch), (e, ember))


def test_data_ptr_of_views():
    t, e = pair((4, 6))
    for x, y in ((t, e), (t.t(), e.t()), (t[1:, 2:], e[1:, 2:]), (t[:, 3], e[:, 3])):
        assert y.data_ptr() - e.data_ptr() == x.data_ptr() - t.data_ptr()
        assert y.untyped_storage().data_ptr() == e.data_ptr()
        assert y.untyped_storage() is e.untyped_storage()
        assert x.untyped_storage() is t.untyped_storage()


def test_base_and_version():
    t, e = pair((2, 3))
    for x, m in ((t, torch), (e, ember)):
        assert x._base is None and x._version == 0
        view = x[1]
        assert view._base is x and view[0]._base is x
        assert x.clone()._base is None and x.detach()._base is None
        view.copy_(m.ones(3))
        x[0, 0] = 5
        assert x._version == view._version == 2
        assert x.clone()._version == 0
    assert e.tolist() == t.tolist()


# --- untyped storages ---------------------------------------------------------------------


def test_untyped_storage_basics():
    t, e = pair((2, 3))
    for x, m in ((t, torch), (e, ember)):
        storage = x.untyped_storage()
        assert isinstance(storage, m.UntypedStorage)
        assert m.is_storage(storage) and not m.is_storage(x)
        assert len(storage) == storage.nbytes() == storage.size() == 24
        assert storage.element_size() == 1
        assert storage.data_ptr() == x.data_ptr()
        assert storage.device == x.device and storage.cpu() is storage
        assert not storage.is_pinned() and not storage.is_shared()
        assert storage.type() == "torch.storage.UntypedStorage"
    u_t, u_e = t.untyped_storage(), e.untyped_storage()
    assert u_e.tolist() == u_t.tolist() and list(u_e) == list(u_t)
    assert [u_e[i] for i in (0, 4, 7, -1, -24)] == [u_t[i] for i in (0, 4, 7, -1, -24)]
    assert u_e[4:8].tolist() == u_t[4:8].tolist() and u_e[-3:].tolist() == u_t[-3:].tolist()
    assert u_e[4:8].data_ptr() - u_e.data_ptr() == u_t[4:8].data_ptr() - u_t.data_ptr() == 4
    assert u_e[30:40].tolist() == u_t[30:40].tolist() == []


def test_untyped_storage_writes_show_in_tensors():
    t, e = pair((2, 3))
    for x in (t, e):
        storage = x.untyped_storage()
        storage[0] = 300  # wraps to 44
        storage[7] = -1
        storage[8:12] = 0x3F
        view_storage = x[1].untyped_storage()
        view_storage[23] = 0x40
    assert e.tolist() == t.tolist()
    for x in (t, e):
        x.untyped_storage().fill_(0)
    assert e.tolist() == t.tolist() == [[0.0] * 3] * 2


def test_untyped_storage_construction_and_copy():
    for m in (torch, ember):
        assert len(m.UntypedStorage(5)) == 5
        assert len(m.UntypedStorage()) == 0 and m.UntypedStorage().data_ptr() == 0
    assert ember.UntypedStorage([1, 2, 300, -1]).tolist() == (
        torch.UntypedStorage([1, 2, 300, -1]).tolist())
    t, e = pair((2, 3))
    for x, m in ((t, torch), (e, ember)):
        copy = m.UntypedStorage(24).copy_(x.untyped_storage())
        assert copy.tolist() == x.untyped_storage().tolist()
        clone = x.untyped_storage().clone()
        assert clone.tolist() == x.untyped_storage().tolist()
        assert clone.data_ptr() != x.untyped_storage().data_ptr()
    assert_same_error(lambda x, m: m.UntypedStorage(4).copy_(x.untyped_storage()),
                      (t, torch), (e, ember))


@pytest.mark.parametrize("function", [
    lambda s: s[24], lambda s: s[-25], lambda s: s[1.0], lambda s: s[::2],
    lambda s: s.__setitem__(24, 1),
], ids=["past_end", "before_start", "float", "step", "set_past_end"])
def test_untyped_storage_errors(function):
    t, e = pair((2, 3))
    expected = outcome(function, t.untyped_storage())
    actual = outcome(function, e.untyped_storage())
    assert expected[0] == actual[0] == "raise"
    assert actual[1] is expected[1]


def test_untyped_storage_error_messages():
    t, e = pair((2, 3))
    for function in (lambda s: s[24], lambda s: s[1.0], lambda s: s[::2]):
        expected = outcome(function, t.untyped_storage())
        actual = outcome(function, e.untyped_storage())
        assert actual[1:] == expected[1:]


# --- typed storages -----------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int16", "uint8", "bool",
                                   "float16"])
def test_typed_storage_basics(dtype):
    t, e = pair((2, 3), dtype)
    s_t, s_e = _typed(t), _typed(e)
    assert isinstance(s_e, ember.TypedStorage) and ember.is_storage(s_e)
    assert str(s_e.dtype) == str(s_t.dtype)
    assert (len(s_e), s_e.size(), s_e.nbytes(), s_e.element_size()) == (
        len(s_t), s_t.size(), s_t.nbytes(), s_t.element_size())
    assert s_e.tolist() == s_t.tolist() and list(s_e) == list(s_t)
    assert [s_e[i] for i in (0, 5, -1, -6)] == [s_t[i] for i in (0, 5, -1, -6)]
    assert s_e.data_ptr() == e.data_ptr() and s_t.data_ptr() == t.data_ptr()
    assert s_e.untyped() is e.untyped_storage()
    assert s_e.type() == s_t.type()
    assert s_e.device == e.device and s_e.cpu() is s_e and not s_e.is_pinned()
    assert not s_e.is_cuda and not s_e.is_shared()


def test_typed_storage_of_a_view_is_the_whole_storage():
    t, e = pair((2, 3))
    for x, y in ((t[1, 1:], e[1, 1:]), (t.t()[2:], e.t()[2:])):
        assert _typed(y).tolist() == _typed(x).tolist() == list(range(6))
        assert _typed(y).data_ptr() == e.data_ptr()


def test_typed_storage_writes_show_in_tensors():
    t, e = pair((2, 3))
    for x in (t, e):
        storage = _typed(x)
        storage[0] = 5
        storage[-1] = -2.5
        storage[1:3] = 7
    assert e.tolist() == t.tolist()
    for x in (t, e):
        _typed(x).fill_(2)
    assert e.tolist() == t.tolist()


def test_typed_storage_conversions():
    t, e = pair((2, 3))
    for name in ("float", "double", "half", "long", "int", "short", "char", "byte", "bool"):
        converted_t, converted_e = getattr(_typed(t), name)(), getattr(_typed(e), name)()
        assert str(converted_e.dtype) == str(converted_t.dtype)
        assert converted_e.tolist() == converted_t.tolist()


def test_typed_storage_construction():
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "TypedStorage is deprecated")
        for m in (torch, ember):
            assert len(m.TypedStorage(3)) == 3 and m.TypedStorage(3).dtype is m.float32
        assert ember.TypedStorage([1, 2, 3]).tolist() == torch.TypedStorage([1, 2, 3]).tolist()
        assert (ember.TypedStorage([1, 2, 3], dtype=ember.int64).tolist()
                == torch.TypedStorage([1, 2, 3], dtype=torch.int64).tolist())
        t, e = pair((2, 3))
        wrapped_t = torch.TypedStorage(wrap_storage=t.untyped_storage(), dtype=torch.float64)
        wrapped_e = ember.TypedStorage(wrap_storage=e.untyped_storage(), dtype=ember.float64)
        assert len(wrapped_e) == len(wrapped_t) == 3
        assert wrapped_e.tolist() == wrapped_t.tolist()
        odd_t = torch.TypedStorage(wrap_storage=torch.UntypedStorage(7), dtype=torch.float32)
        odd_e = ember.TypedStorage(wrap_storage=ember.UntypedStorage(7), dtype=ember.float32)
        assert len(odd_e) == len(odd_t) == 1


@pytest.mark.parametrize("function", [
    lambda s: s[6], lambda s: s[-7], lambda s: s[1:3], lambda s: s[1.0], lambda s: s[True],
    lambda s: s.__setitem__(6, 1.0),
], ids=["past_end", "before_start", "slice", "float", "bool", "set_past_end"])
def test_typed_storage_errors(function):
    t, e = pair((2, 3))
    expected, actual = outcome(function, _typed(t)), outcome(function, _typed(e))
    assert expected[0] == actual[0] == "raise"
    assert actual[1:] == expected[1:]


_WARNING_ACTIONS = [
    "lib.zeros(2).untyped_storage()", "lib.zeros(2).storage()", "lib.TypedStorage(2)",
    "len(lib.zeros(2).storage())",
    "import numpy as np; array = np.zeros(3); array.flags.writeable = False",
    "lib.from_numpy(array)",
]


def test_warnings_like_torch():
    """tensor.storage() and TypedStorage() give the deprecation warning once per process;
    from_numpy of a read-only array warns once per process too."""
    assert (warnings_in_fresh_process("ember", _WARNING_ACTIONS)
            == warnings_in_fresh_process("torch", _WARNING_ACTIONS))


def test_typed_storage_warning_turned_into_error_is_not_given():
    """As in torch, where the warning is marked given only after ``warnings.warn`` returns."""
    from ember import _storage

    _storage._typed_storage_warned = False
    for _ in range(2):
        with pytest.raises(UserWarning, match="TypedStorage is deprecated"):
            ember.zeros(2).storage()
    with pytest.warns(UserWarning, match="TypedStorage is deprecated"):
        ember.zeros(2).storage()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ember.zeros(2).storage()  # given by now


# --- set_, is_set_to, resize_ ---------------------------------------------------------------


def test_set_to_tensor():
    t, e = pair((2, 3))
    results = []
    for x, m in ((t, torch), (e, ember)):
        y = m.zeros(4)
        assert y.set_(x.t()) is y
        assert y.is_set_to(x.t()) and x.t().is_set_to(y) and not y.is_set_to(x)
        assert y.untyped_storage() is x.untyped_storage()
        y[0, 1] = 100  # shares memory with x
        results.append((y, y._version, x._version, y._base))
    assert_same(results[1][0], results[0][0])
    assert results[1][1:] == results[0][1:]
    assert e.tolist() == t.tolist()


@pytest.mark.parametrize("arguments", [
    lambda x, m: (x.untyped_storage(),),
    lambda x, m: (x.untyped_storage(), 2, (2, 2)),
    lambda x, m: (x.untyped_storage(), 1, (2, 2), (1, 2)),
    lambda x, m: (_typed(x), 1, (3,), (1,)),
    lambda x, m: (x, 1, (2,), (2,)),
    lambda x, m: (x.untyped_storage(), 5, (0,)),
    lambda x, m: (x.untyped_storage(), 0, ()),
    lambda x, m: (),
], ids=["storage", "storage_offset_size", "storage_strides", "typed_storage",
        "tensor_offset_size_stride", "empty_past_end", "0d", "nothing"])
def test_set_to_storage(arguments):
    t, e = pair((2, 3))
    results = []
    for x, m in ((t, torch), (e, ember)):
        y = m.zeros(3)
        y.set_(*arguments(x, m))
        results.append(y)
    assert_same(results[1], results[0])
    assert results[1]._version == results[0]._version == 1


def test_set_with_other_dtype_storage():
    t, e = pair((2, 3))
    for x, m in ((t, torch), (e, ember)):
        y = m.zeros(1, dtype=m.int32)
        y.set_(x.untyped_storage())  # an untyped storage takes any dtype
        assert y.shape == (6,) and y.dtype is m.int32
    assert_same(ember.zeros(1, dtype=ember.int32).set_(e.untyped_storage()),
                torch.zeros(1, dtype=torch.int32).set_(t.untyped_storage()))


@pytest.mark.parametrize("function", [
    lambda x, m: m.zeros(2, dtype=m.int64).set_(x),
    lambda x, m: m.zeros(2, dtype=m.float16).set_(x),
    lambda x, m: m.zeros(2, dtype=m.int64).set_(_typed(x)),
    lambda x, m: m.zeros(2).set_(x.untyped_storage(), -1, (1,)),
    lambda x, m: m.zeros(2).set_(x.untyped_storage(), 0, (2,), (1, 2)),
    lambda x, m: m.zeros(2).set_(x.untyped_storage(), 0, (2, -1)),
], ids=["tensor_dtype", "tensor_dtype_half", "typed_storage_dtype", "negative_offset",
        "stride_length", "negative_size"])
def test_set_errors(function):
    t, e = pair((2, 3))
    assert_same_error(function, (t, torch), (e, ember))


def test_set_past_the_end_grows_the_storage():
    t, e = pair((2, 3))
    for x, m in ((t, torch), (e, ember)):
        y = m.zeros(1)
        y.set_(x.untyped_storage(), 4, (2, 2), (1, 2))
        assert len(x.untyped_storage()) == 32
        assert y.storage_offset() == 4 and y.stride() == (1, 2)
        assert y[0, 0].item() == 4 and y[1, 0].item() == 5
        z = m.zeros(1)
        z.set_(m.UntypedStorage(5), 1, (3,))
        assert len(z.untyped_storage()) == 16 and z.storage_offset() == 1


def test_resize():
    for sizes in [(3,), (2, 2), (6,), (2, 3), (10,), (3, 4), (0,), ()]:
        t, e = pair((6,))
        for x in (t, e):
            x.resize_(sizes)
        assert e.shape == t.shape and e.stride() == t.stride()
        assert e.storage_offset() == t.storage_offset() == 0
        assert e._version == t._version
        kept = min(6, e.numel())  # what was there before keeps its value
        assert e.reshape(-1)[:kept].tolist() == t.reshape(-1)[:kept].tolist()
        assert len(e.untyped_storage()) == len(t.untyped_storage())


def test_resize_of_views_and_same_size():
    t, e = pair((6,))
    for x in (t, e):
        x.resize_((2, 3))
    assert_same(e, t)
    t, e = pair((2, 3))
    for x in (t.t(), e.t()):
        x.resize_(3, 2)  # the same sizes: nothing changes, strides included
        assert x.stride() == (1, 3) and x._version == 0
    t, e = pair((6,))
    grown_t, grown_e = t[2:], e[2:]
    for x in (grown_t, grown_e):
        x.resize_(6)
        assert x.storage_offset() == 2 and len(x.untyped_storage()) == 32
    assert grown_e[:4].tolist() == grown_t[:4].tolist()
    t, e = pair((6,))
    assert_same(e[::2].resize_(2), t[::2].resize_(2))
    assert_same(e.resize_as_(ember.zeros(2, 2)), t.resize_as_(torch.zeros(2, 2)))


@pytest.mark.parametrize("sizes", [(-1,), (2, -3)])
def test_resize_errors(sizes):
    t, e = pair((6,))
    assert_same_error(lambda x, m: x.resize_(*sizes), (t, torch), (e, ember))


@pytest.mark.xfail(strict=True, reason="growing a storage (resize_, set_) reallocates it; "
                                       "ember's other tensors on it keep the old memory")
def test_growing_a_storage_keeps_other_tensors_on_it():
    t, e = pair((6,))
    for x in (t, e):
        view = x[1:3]
        x.resize_(100)
        x[1] = 50
        assert view.tolist() == [50.0, 2.0]
        assert view.data_ptr() == x.data_ptr() + 4


@pytest.mark.xfail(strict=True, reason="ember cannot tell a storage over a NumPy array's memory "
                                       "from its own, so it grows it where torch refuses")
def test_storage_from_numpy_cannot_grow():
    t, e = (m.from_numpy(np.zeros(3)) for m in (torch, ember))
    assert_same_error(lambda x, m: x.resize_(10), (t, torch), (e, ember))


def test_is_set_to():
    t, e = pair((2, 3))
    for x, m in ((t, torch), (e, ember)):
        assert x.is_set_to(x) and x.is_set_to(x[:]) and x.is_set_to(x.view(2, 3))
        assert not x.is_set_to(x.view(6)) and not x.is_set_to(x.t())
        assert not x.is_set_to(x.clone()) and not m.zeros(0).is_set_to(m.zeros(0))


# --- NumPy ----------------------------------------------------------------------------------


def test_from_numpy_shares_memory_both_ways():
    array = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    tensor = ember.from_numpy(array)
    assert tensor.data_ptr() == array.ctypes.data and tensor._base is None
    array[0, 0, 0] = 100
    tensor[1, 0, 0] = 200
    assert tensor[0, 0, 0].item() == 100 and array[1, 0, 0] == 200
    assert tensor.stride() == (12, 4, 1) and tensor.is_contiguous()


@pytest.mark.parametrize("function", [
    lambda a: a[:, 1:, ::2],
    lambda a: a.transpose(2, 0, 1),
    lambda a: a[1],
    lambda a: a[:, :, 1:3],
    lambda a: np.broadcast_to(a[:1, :1], (2, 3, 4)),
    lambda a: a.reshape(-1)[3:19].reshape(4, 4),
    lambda a: a[..., 0],
    lambda a: a[1, 2, 3, ...],
], ids=["stepped", "transposed", "row", "sliced", "broadcast", "offset", "column", "0d"])
def test_from_numpy_non_contiguous(function):
    array_t = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    array_e = array_t.copy()
    view_t, view_e = function(array_t), function(array_e)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "The given NumPy array is not writable")
        expected, actual = torch.from_numpy(view_t), ember.from_numpy(view_e)
    assert_same(actual, expected)
    assert actual.data_ptr() == view_e.ctypes.data
    assert len(actual.untyped_storage()) == len(expected.untyped_storage())
    if view_e.flags.writeable and view_e.size:
        view_t[(0,) * view_t.ndim] = -1
        view_e[(0,) * view_e.ndim] = -1
        actual[(-1,) * actual.dim()] = -2
        expected[(-1,) * expected.dim()] = -2
        assert actual.tolist() == expected.tolist()
        assert array_e.tolist() == array_t.tolist()


@pytest.mark.parametrize("dtype", ["int8", "uint8", "int16", "int32", "int64", "float16",
                                   "float32", "float64", "complex64", "complex128", "bool"])
def test_from_numpy_dtypes(dtype):
    array = np.zeros(3, dtype=dtype)
    tensor = ember.from_numpy(array)
    array[1] = 1
    assert str(tensor.dtype) == str(torch.from_numpy(np.zeros(3, dtype=dtype)).dtype)
    assert tensor.tolist() == array.tolist()


def test_from_numpy_empty_keeps_numpy_strides():
    for shape in [(2, 0, 3), (0,), (3, 0)]:
        array = np.zeros(shape, np.float32)
        assert_same(ember.from_numpy(array), torch.from_numpy(array))


@pytest.mark.parametrize("make", [
    lambda: np.arange(4.0)[::-1],
    lambda: np.zeros(3, dtype=">f4"),
    lambda: np.zeros(3, dtype=object),
    lambda: [1, 2],
    lambda: np.zeros(6, np.float32).view(np.uint8)[1:].view(np.int8)[::1],
], ids=["negative_strides", "byte_order", "object", "list", "int8_ok"])
def test_from_numpy_errors(make):
    expected, actual = outcome(torch.from_numpy, make()), outcome(ember.from_numpy, make())
    assert actual[0] == expected[0]
    if expected[0] == "raise":
        assert actual[1] is expected[1]


def test_numpy_shares_memory_both_ways():
    t, e = pair((2, 3, 4))
    for x in (t, e):
        array = x.numpy()
        array[0, 1, 1] = -1
        x[1, 2, 3] = -2
        assert array[1, 2, 3] == -2
        assert array.strides == (48, 16, 4) and array.ctypes.data == x.data_ptr()
    assert e.tolist() == t.tolist()


@pytest.mark.parametrize("function", [
    lambda x: x[:, 1:, ::2], lambda x: x.mT, lambda x: x[1, 1], lambda x: x[:, :1].expand(2, 3, 4),
    lambda x: x[0, 0, 0], lambda x: x[:, :0], lambda x: x.view(4, 6)[1:],
], ids=["stepped", "transposed", "row", "expanded", "0d", "empty", "offset"])
def test_numpy_of_views(function):
    t, e = pair((2, 3, 4))
    expected, actual = function(t).numpy(), function(e).numpy()
    assert isinstance(actual, np.ndarray) and actual.dtype == expected.dtype
    assert actual.shape == expected.shape and actual.strides == expected.strides
    assert actual.tolist() == expected.tolist()
    if actual.size:
        assert np.shares_memory(actual, e.numpy())
        assert actual.ctypes.data == function(e).data_ptr()
        if 0 not in actual.strides:
            actual[(0,) * actual.ndim] = 99
            expected[(0,) * expected.ndim] = 99
            assert e.tolist() == t.tolist()


@pytest.mark.parametrize("dtype", ["bool", "uint8", "int32", "int64", "float16", "float64",
                                   "complex64"])
def test_numpy_dtypes(dtype):
    t, e = pair((2, 3), dtype)
    assert e.numpy().dtype == t.numpy().dtype
    assert e.numpy().tolist() == t.numpy().tolist()


def test_numpy_of_requires_grad_raises():
    for m in (torch, ember):
        leaf = m.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError, match="Can't call numpy\\(\\) on Tensor that requires "
                                               "grad. Use tensor.detach\\(\\).numpy\\(\\) "
                                               "instead."):
            leaf.numpy()
        assert leaf.detach().numpy().tolist() == [1.0, 1.0]
        assert leaf.numpy(force=True).tolist() == [1.0, 1.0]
    assert_same_error(lambda x, m: x.numpy(), (torch.ones(2, dtype=torch.bfloat16), torch),
                      (ember.ones(2, dtype=ember.bfloat16), ember))


def test_numpy_of_a_view_of_requires_grad_raises():
    with pytest.raises(RuntimeError, match="Can't call numpy"):
        ember.ones(2, requires_grad=True)[0].numpy()


def test_numpy_round_trip_shares_memory():
    array = np.arange(6.0)
    assert np.shares_memory(ember.from_numpy(array).numpy(), array)
    assert np.shares_memory(ember.from_numpy(array)[1::2].numpy(), array)
    tensor = ember.as_tensor(array)
    tensor[0] = 5
    assert array[0] == 5


@pytest.mark.parametrize("values, dtype", [([1.5, 2.0, 3.0], "float32"), ([1, 2], "int32"),
                                           ([], "float32"), ([True, False], "bool")])
def test_storage_reprs_match(values, dtype):
    for make in (lambda lib: _typed(lib.tensor(values, dtype=getattr(lib, dtype))),
                 lambda lib: lib.tensor(values, dtype=getattr(lib, dtype)).untyped_storage()):
        assert repr(make(ember)) == repr(make(torch))
