"""Conversions compared with PyTorch: Tensor.to and its overloads, type(), the dtype methods
(float(), long(), ...), item() / tolist(), the Python number protocols (bool, int, float,
index, len, iter, format), NumPy's view of a tensor, and torch.Size."""

import copy
import math
import operator
import pickle
import warnings

import numpy as np
import pytest
import torch

import ember

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32",
          "float64", "complex64", "complex128"]

# Values whose conversions PyTorch defines (no NaN or inf into integers; see make_source):
# negative and fractional floats, values that wrap narrower integers, values that round in
# 16-bit floats, and the 16-bit floats' limits.
SOURCE_VALUES = {
    "bool": [True, False, True],
    "uint8": [0, 1, 127, 128, 200, 255],
    "int8": [-128, -1, 0, 1, 127, 100],
    "int16": [-32768, -129, -1, 255, 256, 32767],
    "int32": [-(2**31), -70000, -1, 70000, 65519, 2**31 - 1],
    "int64": [-(2**62) - 1, -(2**53) - 1, -1, 2**24 + 1, 2**40, 2**63 - 1],
    "float16": [-2.69921875, -0.5, 0.0999755859375, 255.875, 65504.0, -65504.0],
    "bfloat16": [-2.703125, -0.5, 0.10009765625, 256.0, 70144.0, 3.3895313892515355e38],
    "float32": [-2.7, -1.5, -0.5, 0.1, 255.9, 65519.0, 65520.0, 1e-8, 3.39e38, 300.0,
                -300.0],
    "float64": [-2.7, 0.1, 1 / 3, 1e-40, 65519.0, 65520.0, 1e-8, 2.0**-25 * 1.5, 3.5e38,
                -300.0, 2.0**62],
    "complex64": [1 + 2j, -3.5 - 1j, 0.1 + 0.1j, 300 - 300j],
    "complex128": [1 + 2j, -3.5 - 1j, 1 / 3 + 0j, 65520 + 1e-8j],
}


def make_source(library, dtype, target=None):
    """The source values of ``dtype``; those a conversion to the integer ``target`` leaves
    undefined (beyond int32, where PyTorch's result depends on the machine) are left out."""
    values = SOURCE_VALUES[dtype]
    if target in ("uint8", "int8", "int16", "int32", "int64") and "float" in dtype:
        values = [v for v in values if abs(v) < 2**31]
    return library.tensor(values, dtype=getattr(library, dtype))


def values_of(t):
    return repr(t.tolist())


def same_tensor(got, expected):
    assert isinstance(got, ember.Tensor)
    assert str(got.dtype) == str(expected.dtype)
    assert tuple(got.shape) == tuple(expected.shape)
    assert got.stride() == expected.stride()
    assert values_of(got) == values_of(expected)


def check(make):
    """``make(library)`` under both libraries: the same result, or the same error."""
    try:
        expected = make(torch)
    except Exception as error:  # noqa: BLE001 - the oracle's exception type is the spec
        with pytest.raises(type(error)):
            make(ember)
        return
    got = make(ember)
    if isinstance(expected, torch.Tensor):
        same_tensor(got, expected)
    elif isinstance(expected, torch.dtype):
        assert str(got) == str(expected)
    else:
        assert got == expected or (got != got and expected != expected)
        assert type(got) is type(expected)


def quietly(function):
    """Run ``function`` with PyTorch's once-per-process complex-to-real warning silenced."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Casting complex values to real")
        return function()


# --- to(dtype) and the dtype methods ------------------------------------------------------------


@pytest.mark.parametrize("target", DTYPES)
@pytest.mark.parametrize("source", DTYPES)
def test_to_dtype_values(source, target):
    quietly(lambda: check(lambda lib: make_source(lib, source, target).to(getattr(lib, target))))


METHODS = {"float": "float32", "double": "float64", "half": "float16", "bfloat16": "bfloat16",
           "long": "int64", "int": "int32", "short": "int16", "char": "int8", "byte": "uint8",
           "bool": "bool", "cfloat": "complex64", "cdouble": "complex128"}


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("source", DTYPES)
def test_dtype_methods(source, method):
    quietly(lambda: check(lambda lib: getattr(make_source(lib, source, METHODS[method]),
                                              method)()))


@pytest.mark.parametrize("method", METHODS)
def test_dtype_method_of_the_same_dtype_returns_self(method):
    x = ember.zeros(2, dtype=getattr(ember, METHODS[method]))
    assert getattr(x, method)() is x
    assert x.to(x.dtype) is x


def test_float_to_integer_truncates_and_wraps():
    # Fractions truncate toward zero; values outside a narrow type wrap through int64
    # (-2.7 -> -2 -> 254 as uint8; 300.0 -> 44).
    values = [-2.7, -1.5, -0.5, 0.5, 1.5, 2.7, 255.9, 256.0, 300.0, -300.0]
    for dtype in ["uint8", "int8", "int16", "int32", "int64", "bool"]:
        check(lambda lib, d=dtype: lib.tensor(values).to(getattr(lib, d)))
        check(lambda lib, d=dtype: lib.tensor(values, dtype=lib.float64).to(getattr(lib, d)))


def test_complex_to_real_warns_once():
    # PyTorch warns once per process, so only ember's first warning can be asserted.
    source = ember.tensor([1 + 2j])
    ember.ops.creation._warned_complex_to_real = False
    with pytest.warns(UserWarning, match="discards the imaginary part"):
        assert source.float().tolist() == [1.0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert source.to(ember.float64).tolist() == [1.0]
        assert source.long().tolist() == [1]


def test_conversion_copies():
    for library in (torch, ember):
        x = library.tensor([1.0, 2.0])
        y = x.double()
        y[0] = 5
        assert x.tolist() == [1.0, 2.0]
        assert y.data_ptr() != x.data_ptr()


def test_conversion_keeps_layout():
    check(lambda lib: lib.arange(6.0).reshape(2, 3).T.to(lib.int64))
    check(lambda lib: lib.arange(12.0).reshape(3, 4)[:, ::2].double())
    check(lambda lib: lib.ones(2, 3, 4).permute(2, 0, 1).half())


# --- to(): overloads, copy, device --------------------------------------------------------------

TO_CALLS = {
    "dtype": lambda lib, x: x.to(lib.float64),
    "dtype_keyword": lambda lib, x: x.to(dtype=lib.int32),
    "device": lambda lib, x: x.to("cpu"),
    "device_object": lambda lib, x: x.to(lib.device("cpu")),
    "device_and_dtype": lambda lib, x: x.to("cpu", lib.float64),
    "device_and_dtype_keywords": lambda lib, x: x.to(device="cpu", dtype=lib.int64),
    "keywords_reversed": lambda lib, x: x.to(dtype=lib.int32, device=lib.device("cpu")),
    "none_device_and_dtype": lambda lib, x: x.to(None, lib.float64),
    "other_tensor": lambda lib, x: x.to(lib.zeros(1, dtype=lib.int64)),
    "positional_flags": lambda lib, x: x.to(lib.float64, False, True),
    "device_positional_flags": lambda lib, x: x.to(lib.device("cpu"), lib.int64, False, False),
    "non_blocking": lambda lib, x: x.to(lib.float64, non_blocking=True),
    "memory_format": lambda lib, x: x.to(lib.float64, memory_format=lib.contiguous_format),
    "copy_keyword": lambda lib, x: x.to(copy=True),
    "dtype_copy": lambda lib, x: x.to(lib.float32, copy=True),
    "no_arguments": lambda lib, x: x.to(),
    # errors
    "two_dtypes": lambda lib, x: x.to(lib.float64, lib.float32),
    "two_devices": lambda lib, x: x.to("cpu", "cpu"),
    "dtype_then_device": lambda lib, x: x.to(lib.float64, "cpu"),
    "dtype_twice": lambda lib, x: x.to(lib.float64, dtype=lib.float32),
    "device_twice": lambda lib, x: x.to("cpu", device="cpu"),
    "tensor_and_device": lambda lib, x: x.to(x, device="cpu"),
    "tensor_and_dtype": lambda lib, x: x.to(x, lib.float64),
    "tensor_and_dtype_keyword": lambda lib, x: x.to(x, dtype=lib.float64),
    "int_flag": lambda lib, x: x.to(lib.float64, 1),
    "too_many_flags": lambda lib, x: x.to(lib.float64, False, True, True),
    "unknown_keyword": lambda lib, x: x.to(lib.float64, bogus=1),
    "dtype_name_string": lambda lib, x: x.to("float64"),
    "bad_device_string": lambda lib, x: x.to("bogus"),
    "cuda": lambda lib, x: x.to("cuda"),
}


@pytest.mark.parametrize("call", TO_CALLS)
def test_to_overloads(call):
    check(lambda lib: TO_CALLS[call](lib, lib.tensor([1.5, -2.5])))


def test_to_returns_self_when_nothing_changes():
    x = ember.tensor([1.0, 2.0])
    for result in [x.to(ember.float32), x.to("cpu"), x.to(ember.device("cpu")), x.to(x),
                   x.to(None), x.to(), x.to(device="cpu", dtype=ember.float32), x.cpu(),
                   x.float(), x.type(ember.float32), x.type("torch.FloatTensor"),
                   x.type(ember.FloatTensor), x.type_as(x)]:
        assert result is x


def test_to_copy_makes_new_memory():
    for library in (torch, ember):
        x = library.tensor([1.0, 2.0])
        for copied in [x.to(copy=True), x.to(library.float32, copy=True),
                       x.to("cpu", copy=True), x.to(x, copy=True)]:
            assert copied is not x
            assert copied.data_ptr() != x.data_ptr()
            assert copied.tolist() == x.tolist()


def test_type_as():
    check(lambda lib: lib.tensor([1.7, -2.2]).type_as(lib.zeros(1, dtype=lib.int16)))


# --- type() -------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
def test_type_name(dtype):
    check(lambda lib: lib.zeros(1, dtype=getattr(lib, dtype)).type())


TYPE_CALLS = {
    "legacy_class": lambda lib, x: x.type(lib.DoubleTensor),
    "string": lambda lib, x: x.type("torch.IntTensor"),
    "dtype": lambda lib, x: x.type(lib.int8),
    "dtype_keyword": lambda lib, x: x.type(dtype="torch.IntTensor"),
    "half_class": lambda lib, x: x.type(lib.HalfTensor),
    "byte_name": lambda lib, x: x.type(lib.ByteTensor).type(),
    "tensor_class": lambda lib, x: x.double().type(lib.Tensor),
    "tensor_string": lambda lib, x: x.double().type("torch.Tensor"),
    "non_blocking": lambda lib, x: x.type(lib.float64, True),
    "non_blocking_keyword": lambda lib, x: x.type(lib.float64, non_blocking=True),
    # errors
    "short_name": lambda lib, x: x.type("float"),
    "dtype_string": lambda lib, x: x.type("torch.float64"),
    "python_type": lambda lib, x: x.type(int),
    "python_float": lambda lib, x: x.type(float),
    "unknown_keyword": lambda lib, x: x.type(lib.float64, bogus=1),
}


@pytest.mark.parametrize("call", TYPE_CALLS)
def test_type_conversions(call):
    check(lambda lib: TYPE_CALLS[call](lib, lib.tensor([1.5, -2.5])))


def test_type_to_a_cuda_type_fails_on_this_build():
    for library in (torch, ember):
        with pytest.raises(RuntimeError):
            library.ones(1).type("torch.cuda.FloatTensor")


# --- item / tolist ------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
def test_item_and_tolist(dtype):
    def item(lib):
        return make_source(lib, dtype)[1].item()

    check(item)
    check(lambda lib: make_source(lib, dtype).tolist())
    check(lambda lib: make_source(lib, dtype).reshape(-1, 1).tolist())
    check(lambda lib: make_source(lib, dtype)[0].tolist())  # 0-dim: a Python number
    for library in (torch, ember):
        value = make_source(library, dtype)[0].item()
        expected_type = {"bool": bool}.get(dtype, int if "int" in dtype else
                                           complex if "complex" in dtype else float)
        assert type(value) is expected_type


ITEM_CALLS = {
    "one_element_2d": lambda lib: lib.tensor([[3]]).item(),
    "two_elements": lambda lib: lib.tensor([1, 2]).item(),
    "empty": lambda lib: lib.tensor([]).item(),
    "bfloat16_value": lambda lib: lib.tensor(0.1, dtype=lib.bfloat16).item(),
    "float16_value": lambda lib: lib.tensor(0.1, dtype=lib.float16).item(),
    "float32_value": lambda lib: lib.tensor(0.1).item(),
    "nan": lambda lib: lib.tensor(math.nan).item(),
    "requires_grad": lambda lib: lib.tensor(2.5, requires_grad=True).item(),
    "view": lambda lib: lib.arange(6).reshape(2, 3)[1, 2].item(),
}


@pytest.mark.parametrize("call", ITEM_CALLS)
def test_item(call):
    check(ITEM_CALLS[call])


TOLIST_CALLS = {
    "empty_2d": lambda lib: lib.zeros(2, 0).tolist(),
    "empty_inner": lambda lib: lib.zeros(0, 3).tolist(),
    "transposed": lambda lib: lib.arange(6).reshape(2, 3).T.tolist(),
    "strided": lambda lib: lib.arange(10.0)[::3].tolist(),
    "expanded": lambda lib: lib.tensor([1, 2]).expand(2, 2).tolist(),
    "bfloat16_large": lambda lib: lib.tensor([0.1, 1e30], dtype=lib.bfloat16).tolist(),
    "float16_limits": lambda lib: lib.tensor([65504.0, 6e-8], dtype=lib.float16).tolist(),
    "requires_grad": lambda lib: lib.tensor([1.5], requires_grad=True).tolist(),
    "zero_dim_bool": lambda lib: lib.tensor(True).tolist(),
}


@pytest.mark.parametrize("call", TOLIST_CALLS)
def test_tolist(call):
    check(TOLIST_CALLS[call])


# --- Python number protocols --------------------------------------------------------------------

PROTOCOL_CALLS = {
    "bool_false": lambda lib: bool(lib.tensor([0.0])),
    "bool_true": lambda lib: bool(lib.tensor([[2]])),
    "bool_nan": lambda lib: bool(lib.tensor(math.nan)),
    "bool_complex": lambda lib: bool(lib.tensor(1j)),
    "bool_empty": lambda lib: bool(lib.tensor([])),
    "bool_two": lambda lib: bool(lib.tensor([1, 2])),
    "int_float": lambda lib: int(lib.tensor(2.7)),
    "int_negative_float": lambda lib: int(lib.tensor(-2.7)),
    "int_nested": lambda lib: int(lib.tensor([[5]])),
    "int_two": lambda lib: int(lib.tensor([1, 2])),
    "int_empty": lambda lib: int(lib.tensor([])),
    "int_complex": lambda lib: int(lib.tensor(1 + 0j)),
    "int_nan": lambda lib: int(lib.tensor(math.nan)),
    "int_inf": lambda lib: int(lib.tensor(math.inf)),
    "int_bool": lambda lib: int(lib.tensor(True)),
    "int_uint8": lambda lib: int(lib.tensor(200, dtype=lib.uint8)),
    "float_int": lambda lib: float(lib.tensor(3)),
    "float_half": lambda lib: float(lib.tensor(0.1, dtype=lib.float16)),
    "float_bfloat16": lambda lib: float(lib.tensor(0.1, dtype=lib.bfloat16)),
    "float_two": lambda lib: float(lib.tensor([1.0, 2.0])),
    "float_complex": lambda lib: float(lib.tensor(1 + 2j)),
    "complex_float": lambda lib: complex(lib.tensor(1.5)),
    "complex_two": lambda lib: complex(lib.tensor([1.5, 2.0])),
    "index_int": lambda lib: [10, 20, 30][lib.tensor(1)],
    "index_float": lambda lib: [10, 20, 30][lib.tensor(1.0)],
    "index_bool": lambda lib: [10, 20, 30][lib.tensor(True)],
    "index_one_element": lambda lib: [10, 20, 30][lib.tensor([1])],
    "index_nested": lambda lib: [10, 20, 30][lib.tensor([[1]])],
    "index_two": lambda lib: [10, 20, 30][lib.tensor([1, 2])],
    "index_complex": lambda lib: [10, 20, 30][lib.tensor(1j)],
    "operator_index_uint8": lambda lib: operator.index(lib.tensor(200, dtype=lib.uint8)),
    "range": lambda lib: list(range(lib.tensor(3))),
    "hex": lambda lib: hex(lib.tensor(255)),
    "slice_bounds": lambda lib: [0, 1, 2, 3][lib.tensor(1):lib.tensor(3)],
    "len": lambda lib: len(lib.zeros(3, 2)),
    "len_empty": lambda lib: len(lib.zeros(0, 2)),
    "len_zero_dim": lambda lib: len(lib.tensor(1)),
    "iter_zero_dim": lambda lib: list(lib.tensor(1)),
    "iter_rows": lambda lib: [row.tolist() for row in lib.arange(6).reshape(3, 2)],
    "iter_1d": lambda lib: [(row.shape, row.item()) for row in lib.arange(3)],
    "iter_empty": lambda lib: list(lib.zeros(0, 2)),
    "unpack": lambda lib: [v.item() for v in (lambda a, b: (b, a))(*lib.tensor([1, 2]))],
    "math_floor": lambda lib: math.floor(lib.tensor(2.7)),
    "round": lambda lib: round(float(lib.tensor(2.5))),
}


@pytest.mark.parametrize("call", PROTOCOL_CALLS)
def test_number_protocols(call):
    check(PROTOCOL_CALLS[call])


FORMAT_CALLS = {
    "float_precision": lambda lib: f"{lib.tensor(3.14159):.3f}",
    "int_width": lambda lib: f"{lib.tensor(42):5d}",
    "int_as_float": lambda lib: f"{lib.tensor(42):.2f}",
    "no_spec": lambda lib: f"{lib.tensor(2.5)}",
    "exponent": lambda lib: f"{lib.tensor(12345.678):e}",
    "requires_grad": lambda lib: f"{lib.tensor(2.5, requires_grad=True):.2f}",
    "bool": lambda lib: f"{lib.tensor(True)}",
    "bool_as_int": lambda lib: f"{lib.tensor(True):d}",
    "complex": lambda lib: f"{lib.tensor(1 + 2j):.1f}",
    "bfloat16": lambda lib: f"{lib.tensor(0.1, dtype=lib.bfloat16):.10f}",
    "half": lambda lib: f"{lib.tensor(0.1, dtype=lib.float16):.6f}",
    "format_builtin": lambda lib: format(lib.tensor(0.5), ".1%"),
    # a 1-D tensor takes no format spec
    "vector_spec": lambda lib: f"{lib.tensor([1.5, 2.5]):.3f}",
    "one_element_vector_spec": lambda lib: f"{lib.tensor([1.5]):.2f}",
}


@pytest.mark.parametrize("call", FORMAT_CALLS)
def test_format(call):
    check(FORMAT_CALLS[call])


def test_format_without_spec_is_str():
    x = ember.tensor([1.5, 2.5])
    assert f"{x}" == str(x)
    assert format(x) == str(x)


# --- NumPy's view of a tensor -------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [d for d in DTYPES if d != "bfloat16"])
def test_numpy_asarray_shares_memory(dtype):
    x = make_source(ember, dtype)
    array = np.asarray(x)
    expected = np.asarray(make_source(torch, dtype))
    assert array.dtype == expected.dtype
    assert array.shape == expected.shape
    assert array.tolist() == expected.tolist()
    array[0] = array[1]
    assert x[0].item() == x[1].item()


NUMPY_CALLS = {
    "asarray_dtype": lambda lib: np.asarray(lib.tensor([1.0, 2.0]), dtype=np.float64).tolist(),
    "asarray_zero_dim": lambda lib: np.asarray(lib.tensor(3)).shape,
    "asarray_transposed": lambda lib: np.asarray(lib.arange(6).reshape(2, 3).T).strides,
    "asarray_bfloat16": lambda lib: np.asarray(lib.tensor([1.0], dtype=lib.bfloat16)),
    "asarray_requires_grad": lambda lib: np.asarray(lib.tensor([1.0], requires_grad=True)),
    "numpy_bfloat16": lambda lib: lib.tensor([1.0], dtype=lib.bfloat16).numpy(),
    "numpy_requires_grad": lambda lib: lib.tensor([1.0], requires_grad=True).numpy(),
    "numpy_force": lambda lib: lib.tensor([1.0], requires_grad=True).numpy(force=True).tolist(),
    "numpy_scalar_times_tensor": lambda lib: (np.float64(2) * lib.tensor([1.0])).tolist(),
}


@pytest.mark.parametrize("call", NUMPY_CALLS)
def test_numpy_interop(call):
    check(NUMPY_CALLS[call])


def test_numpy_method_shares_memory():
    for library in (torch, ember):
        x = library.zeros(3)
        view = x.numpy()
        view[1] = 7
        assert x.tolist() == [0.0, 7.0, 0.0]


# --- torch.Size ---------------------------------------------------------------------------------

SIZE_CALLS = {
    "repr": lambda lib: repr(lib.Size([2, 3, 4])),
    "str": lambda lib: str(lib.Size([2, 3, 4])),
    "repr_empty": lambda lib: repr(lib.Size([])),
    "repr_one": lambda lib: repr(lib.Size([5])),
    "format": lambda lib: f"{lib.Size([2, 3])}",
    "numel": lambda lib: lib.Size([2, 3, 4]).numel(),
    "numel_empty": lambda lib: lib.Size([]).numel(),
    "numel_zero": lambda lib: lib.Size([2, 0]).numel(),
    "slice": lambda lib: repr(lib.Size([2, 3, 4])[1:]),
    "slice_step": lambda lib: repr(lib.Size([2, 3, 4])[::-1]),
    "index": lambda lib: lib.Size([2, 3, 4])[-1],
    "add": lambda lib: repr(lib.Size([2, 3]) + lib.Size([5])),
    "add_tuple": lambda lib: repr(lib.Size([2, 3]) + (5,)),
    "radd_tuple": lambda lib: repr((1,) + lib.Size([2, 3])),
    "add_list": lambda lib: lib.Size([2, 3]) + [5],
    "mul": lambda lib: repr(lib.Size([2, 3]) * 2),
    "rmul": lambda lib: repr(2 * lib.Size([2, 3])),
    "eq_tuple": lambda lib: lib.Size([2, 3]) == (2, 3),
    "eq_list": lambda lib: lib.Size([2, 3]) == [2, 3],
    "hash": lambda lib: hash(lib.Size([2, 3])) == hash((2, 3)),
    "less": lambda lib: lib.Size([1, 2]) < lib.Size([1, 3]),
    "contains": lambda lib: 3 in lib.Size([2, 3]),
    "count": lambda lib: lib.Size([2, 2, 3]).count(2),
    "index_method": lambda lib: lib.Size([2, 3]).index(3),
    "from_tuple": lambda lib: repr(lib.Size((1, 2))),
    "from_generator": lambda lib: repr(lib.Size(i for i in range(3))),
    "empty": lambda lib: repr(lib.Size()),
    "negative": lambda lib: repr(lib.Size([-1])),
    "bool_item": lambda lib: repr(lib.Size([True])),
    "tensor_item": lambda lib: repr(lib.Size([lib.tensor(3)])),
    "numpy_item": lambda lib: repr(lib.Size([np.int64(3)])),
    "float_item": lambda lib: lib.Size([1.5]),
    "string_item": lambda lib: lib.Size(["a"]),
    "none_item": lambda lib: lib.Size([None]),
    "not_iterable": lambda lib: lib.Size(3),
    "pickle": lambda lib: repr(pickle.loads(pickle.dumps(lib.Size([2, 3])))),
    "deepcopy": lambda lib: repr(copy.deepcopy(lib.Size([2, 3]))),
    "shape": lambda lib: repr(lib.zeros(2, 3).shape),
    "size": lambda lib: repr(lib.zeros(2, 3).size()),
    "size_dim": lambda lib: lib.zeros(2, 3).size(-1),
    "size_bad_dim": lambda lib: lib.zeros(2, 3).size(2),
    "shape_equals_tuple": lambda lib: lib.zeros(2, 3).shape == (2, 3),
    "unpack": lambda lib: (lambda a, b: a * b)(*lib.zeros(2, 3).shape),
}


@pytest.mark.parametrize("call", SIZE_CALLS)
def test_size(call):
    check(SIZE_CALLS[call])


def test_size_types():
    size = ember.Size([2, 3, 4])
    assert isinstance(size, tuple)
    for derived in [size[1:], size + (5,), (1,) + size, size * 2, 2 * size,
                    pickle.loads(pickle.dumps(size)), ember.zeros(2).shape]:
        assert type(derived) is ember.Size
    assert type(size[0]) is int
    assert all(type(n) is int for n in ember.Size([np.int64(2), True, ember.tensor(3)]))
