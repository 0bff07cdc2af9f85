"""repr(tensor) compared with PyTorch's, character for character: every dtype, shape and print
option, summarization, wrapping and the dtype / device / autograd suffixes."""

import math
import warnings

import ml_dtypes
import numpy as np
import pytest
import torch

import ember
import ember._dtype as ember_dtype
from ember._device import _CPU
from ember._tensor_str import _element_strings, tensor_repr

nan, inf = math.nan, math.inf

FLOAT_DTYPES = ["float16", "bfloat16", "float32", "float64"]
INT_DTYPES = ["uint8", "int8", "int16", "int32", "int64"]
ALL_DTYPES = [*FLOAT_DTYPES, "complex64", "complex128", *INT_DTYPES, "bool"]


class _FakeNode:
    def __init__(self, name):
        self._name = name

    def name(self):
        return self._name


class _FakeTensor:
    """Stands in for an ember tensor where a real one cannot be made here: on a GPU, or with
    a given grad_fn. It has just the attributes that printing reads."""

    def __init__(self, array, requires_grad=False, grad_fn=None, device=_CPU):
        self._data = array
        self._dtype = ember_dtype._from_np(array.dtype)
        self._device = device
        self.requires_grad = requires_grad
        self.grad_fn = grad_fn
        self.is_leaf = grad_fn is None

    __repr__ = __str__ = tensor_repr


def make(array):
    return ember.from_numpy(array.copy())


def numpy_array(values, dtype):
    np_dtype = np.dtype(ml_dtypes.bfloat16 if dtype == "bfloat16" else dtype)
    if np_dtype.kind in "iu":
        return np.array(values, dtype=np.int64).astype(np_dtype)
    with np.errstate(over="ignore"):  # float16 overflow to inf is part of what is tested
        return np.array(values, dtype=np.complex128 if np_dtype.kind == "c" else None).astype(
            np_dtype
        )


def to_torch(array):
    if array.dtype == ml_dtypes.bfloat16:
        # torch.from_numpy has no bfloat16; widening and narrowing back is exact.
        return torch.from_numpy(array.astype(np.float32)).to(torch.bfloat16)
    return torch.from_numpy(array.copy())


def fake_from_torch(t):
    """A stand-in ember tensor with the values, dtype and autograd state of torch tensor ``t``."""
    grad_fn = None if t.grad_fn is None else _FakeNode(t.grad_fn.name())
    return _FakeTensor(t.detach().numpy(), requires_grad=t.requires_grad, grad_fn=grad_fn)


def assert_same_repr(array):
    expected = repr(to_torch(array))
    tensor = make(array)
    assert repr(tensor) == expected
    assert str(tensor) == expected


def set_both(**options):
    torch.set_printoptions(**options)
    ember.set_printoptions(**options)


@pytest.fixture(autouse=True)
def _restore_defaults():
    yield
    set_both(profile="default")
    torch.set_default_dtype(torch.float32)
    ember.set_default_dtype(ember.float32)


FLOAT_VALUES = {
    "integral": [1.0, 2.0, -3.0, 0.0],
    "fraction": [0.5, -1.25, 3.14159, 0.0],
    "small_sci": [1e-5, 1.0, 2.5],
    "large_sci": [1e10, -2.0, 3.0],
    "wide_ratio": [0.01, 20.0],
    "ratio_just_fixed": [0.01, 9.0],
    "ratio_exactly_1000": [1.0, 1000.0],
    "big_integral": [123456789.0, 1.0],
    "below_sci_limit": [99999.0, 1.5],
    "nonfinite": [nan, inf, -inf, 1.5],
    "only_nonfinite": [nan, -inf, 0.0],
    "negative_zero": [-0.0, 0.0, 2.0],
    "all_zero": [0.0, 0.0],
    "tiny": [1e-30, -4e-8],
    "huge": [3e38, -1e-3],
    "rounding": [0.00005, 0.99995, 2.00004],
    "mixed_signs": [-1000.5, 0.001, 7.0],
}


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("values", list(FLOAT_VALUES.values()), ids=list(FLOAT_VALUES))
def test_floating(dtype, values):
    assert_same_repr(numpy_array(values, dtype))


COMPLEX_VALUES = {
    "simple": [1 + 2j, 3 - 4j],
    "fraction": [0.5 - 0.25j, -1j, 2.0],
    "sci": [1e-6 + 1j, 1e6 + 0j],
    "nonfinite": [complex(nan, 1), complex(1, inf), complex(-inf, nan)],
    "signed_zero": [complex(-0.0, -0.0), complex(0.0, -0.0), complex(1, 0.0)],
    "imag_sci_only": [1 + 1e-7j, 2 + 3j],
}


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
@pytest.mark.parametrize("values", list(COMPLEX_VALUES.values()), ids=list(COMPLEX_VALUES))
def test_complex(dtype, values):
    assert_same_repr(numpy_array(values, dtype))


@pytest.mark.parametrize("dtype", INT_DTYPES)
@pytest.mark.parametrize("kind", ["small", "extremes", "mixed"])
def test_integer(dtype, kind):
    info = np.iinfo(dtype)
    values = {
        "small": [0, 1, 2, 3],
        "extremes": [int(info.min), int(info.max), 0],
        "mixed": [int(info.min) // 3, 7, int(info.max) // 5, 0],
    }[kind]
    assert_same_repr(numpy_array(values, dtype))


@pytest.mark.parametrize("values", [[True, False], [True, True], [False], [False, True, True]])
def test_bool(values):
    assert_same_repr(np.array(values))


SCALARS = {
    "float16": 0.1,
    "bfloat16": -2.5,
    "float32": 3.0,
    "float64": 1e-9,
    "complex64": 1 - 2j,
    "complex128": complex(nan, -0.0),
    "uint8": 255,
    "int8": -128,
    "int16": 300,
    "int32": -7,
    "int64": 2**63 - 1,
    "bool": False,
}


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_zero_dim(dtype):
    assert_same_repr(numpy_array(SCALARS[dtype], dtype))


@pytest.mark.parametrize("value", [nan, -inf, -0.0, 0.0, 1e20, 12345.678])
def test_zero_dim_special(value):
    assert_same_repr(np.array(value, dtype=np.float32))


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "complex64", "bool"])
@pytest.mark.parametrize(
    "shape", [(1, 1), (3, 1), (2, 3), (2, 3, 4), (2, 1, 3, 2), (1, 2, 1, 1, 2)]
)
def test_shapes(dtype, shape):
    values = (np.arange(math.prod(shape)) - 5) * (0.75 if dtype.startswith(("float", "c")) else 1)
    assert_same_repr(numpy_array(values % 2 if dtype == "bool" else values, dtype).reshape(shape))


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "bool", "complex64", "uint8"])
@pytest.mark.parametrize("shape", [(0,), (0, 3), (2, 0, 4)])
def test_empty(dtype, shape):
    assert_same_repr(numpy_array(np.zeros(shape), dtype))


def test_views():
    # Transposed and strided views print their logical order, not their memory order.
    values = np.arange(24, dtype=np.float32).reshape(4, 6) / 4
    view, expected = ember.from_numpy(values.copy()), torch.from_numpy(values.copy())
    assert repr(view.t()) == repr(expected.t())
    assert repr(view[::2, 1::3]) == repr(expected[::2, 1::3])


SUMMARIZED = {
    "vector": (2000,),
    "just_over": (1001,),
    "matrix_wide": (3, 2000),
    "matrix_tall": (2000, 3),
    "cube": (10, 11, 12),
    "five_dims": (4, 4, 4, 4, 4),
}


@pytest.mark.parametrize("dtype", ["float32", "int64", "complex64", "bool", "float16"])
@pytest.mark.parametrize("shape", list(SUMMARIZED.values()), ids=list(SUMMARIZED))
def test_summarized(dtype, shape):
    values = np.random.default_rng(len(shape)).normal(size=shape) * 100
    if dtype == "complex64":
        values = values + 1j * values[..., ::-1]
    elif dtype == "bool":
        values = values > 0
    assert_same_repr(numpy_array(values, dtype))


def test_summary_hides_outliers():
    # Only the shown values choose the notation: the huge middle value is never printed.
    values = np.ones(2000, dtype=np.float32)
    values[1000] = 1e20
    assert_same_repr(values)


WRAPPED = {
    "floats": (np.arange(50) * 1.5 - 20, "float32"),
    "ints": (np.arange(90).reshape(3, 30) * 37 - 1000, "int64"),
    "complex": (np.arange(30) * (0.5 - 1j), "complex64"),
    "sci": (np.geomspace(1e-8, 1e8, 40), "float64"),
    "bools": (np.arange(40) % 3 == 0, "bool"),
    "nested": (np.arange(120).reshape(2, 3, 20) / 7, "float32"),
}


@pytest.mark.parametrize("values, dtype", list(WRAPPED.values()), ids=list(WRAPPED))
def test_wrapping(values, dtype):
    assert_same_repr(numpy_array(values, dtype))


OPTIONS = {
    "precision_0": {"precision": 0},
    "precision_2": {"precision": 2},
    "precision_8": {"precision": 8},
    "profile_full": {"profile": "full"},
    "profile_short": {"profile": "short"},
    "profile_full_overridden": {"profile": "full", "threshold": 10},
    "sci_on": {"sci_mode": True},
    "sci_off": {"sci_mode": False},
    "edgeitems_0": {"edgeitems": 0},
    "edgeitems_1": {"edgeitems": 1},
    "threshold_5": {"threshold": 5},
    "threshold_0": {"threshold": 0},
    "linewidth_40": {"linewidth": 40},
    "linewidth_200": {"linewidth": 200},
    "linewidth_5": {"linewidth": 5},
}

OPTION_INPUTS = {
    "fractions": np.linspace(-3, 3, 13, dtype=np.float32),
    "sci": np.array([1e-7, 1.0, 5e9], dtype=np.float64),
    "integral": np.arange(2000, dtype=np.float32).reshape(40, 50),
    "long_vector": np.linspace(0, 1, 1500),
    "ints": np.arange(-10, 10, dtype=np.int32),
    "complex": np.array([1.125 + 2j, -3e-5 - 4j], dtype=np.complex64),
    "scalar": np.array(2.0 / 3.0),
}


@pytest.mark.parametrize("options", list(OPTIONS.values()), ids=list(OPTIONS))
@pytest.mark.parametrize("array", list(OPTION_INPUTS.values()), ids=list(OPTION_INPUTS))
def test_print_options(options, array):
    set_both(**options)
    assert_same_repr(array)


@pytest.mark.parametrize(
    "calls",
    [
        [{}],
        [{"precision": 2}, {"linewidth": 60}],
        [{"profile": "full"}],
        [{"profile": "short", "edgeitems": 5}],
        [{"sci_mode": True}],
        [{"sci_mode": False}, {"precision": 3}],
        [{"profile": "unknown"}],
        [{"threshold": 7}, {"profile": "default"}],
    ],
)
def test_get_printoptions(calls):
    for options in calls:
        set_both(**options)
    assert ember.get_printoptions() == torch._tensor_str.get_printoptions()
    assert list(ember.get_printoptions()) == list(torch._tensor_str.get_printoptions())


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("empty", [False, True], ids=["filled", "empty"])
def test_default_float64_suffixes(dtype, empty):
    torch.set_default_dtype(torch.float64)
    ember.set_default_dtype(ember.float64)
    assert_same_repr(numpy_array(np.zeros((0, 2)) if empty else [1, 0], dtype))


def test_default_float16_suffixes():
    torch.set_default_dtype(torch.float16)
    ember.set_default_dtype(ember.float16)
    for dtype in ["float16", "float32", "complex64", "complex128"]:
        assert_same_repr(numpy_array([1.5, 2.0], dtype))


AUTOGRAD_CASES = {
    "requires_grad": lambda: torch.tensor([1.0, 2.0], requires_grad=True),
    "scalar_requires_grad": lambda: torch.tensor(3.5, requires_grad=True),
    "grad_fn": lambda: torch.tensor([1.0, 2.0], requires_grad=True) * 2,
    "grad_fn_and_dtype": lambda: torch.ones(3, dtype=torch.float64, requires_grad=True).sum(),
    "suffix_wraps": lambda: torch.arange(26.0, requires_grad=True) + 0.5,
    "dtype_and_grad_wrap": lambda: (torch.arange(7.0) / 3).half().requires_grad_(),
    "summarized": lambda: torch.linspace(0, 1, 2000).requires_grad_().exp(),
    "empty": lambda: torch.zeros(0, 2, requires_grad=True).t(),
    "namespaced_node": lambda: torch.floor_divide(torch.ones(2, requires_grad=True), 2.0),
    "copy_slices": lambda: (torch.ones(2, requires_grad=True) * 1).index_fill_(0, torch.tensor(0),
                                                                              5.0),
}


@pytest.mark.parametrize("build", list(AUTOGRAD_CASES.values()), ids=list(AUTOGRAD_CASES))
def test_autograd_suffixes(build):
    t = build()
    assert repr(fake_from_torch(t)) == repr(t)


@pytest.mark.parametrize(
    "tensor, expected",
    [
        (
            _FakeTensor(np.array([1.0, 2.0], np.float32), device=ember.device("cuda:0")),
            "tensor([1., 2.], device='cuda:0')",
        ),
        (
            _FakeTensor(np.array([1, 2], np.int32), device=ember.device("cuda", 1)),
            "tensor([1, 2], device='cuda:1', dtype=torch.int32)",
        ),
        (
            _FakeTensor(
                np.zeros((0, 2), np.float32), device=ember.device("cuda:0"), requires_grad=True
            ),
            "tensor([], device='cuda:0', size=(0, 2), requires_grad=True)",
        ),
    ],
)
def test_device_suffix(tensor, expected):
    # No CUDA build of torch runs here: these strings are what torch prints on a GPU
    # machine (the device suffix comes first).
    assert repr(tensor) == expected


STORAGE_VALUES = {
    "float32": [0.1, 1.0, -2.5],
    "float64": [1e-20, 3.0],
    "float16": [0.1, 65504.0],
    "bfloat16": [0.1, -3.0],
    "complex64": [1 + 2j, -0.5j],
    "int32": [1, -2, 3],
    "uint8": [0, 255],
    "bool": [True, False],
}


@pytest.mark.parametrize("dtype", list(STORAGE_VALUES))
def test_storage_element_strings(dtype):
    array = numpy_array(STORAGE_VALUES[dtype], dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # TypedStorage is deprecated in torch
        storage_repr = repr(to_torch(array).storage())
    assert " " + "\n ".join(_element_strings(make(array))) == storage_repr.rsplit("\n", 1)[0]


def _random_case(seed):
    """A random array (dtype, shape and magnitudes) and random print options."""
    rng = np.random.default_rng(seed)
    dtype = str(rng.choice(ALL_DTYPES))
    shape = tuple(int(n) for n in rng.integers(1, 9, size=int(rng.integers(0, 4))))
    if dtype == "bool":
        values = rng.random(shape) < 0.5
    elif dtype in INT_DTYPES:
        info = np.iinfo(dtype)
        values = rng.integers(info.min, info.max, size=shape, endpoint=True) // int(
            10 ** rng.integers(0, 18)
        )
    else:
        low, high = sorted(rng.uniform(-10, 10, size=2))
        values = 10.0 ** rng.uniform(low, high, size=shape) * rng.choice([-1.0, 1.0], size=shape)
        if rng.random() < 0.3:
            values = np.round(values)
        values = np.where(rng.random(shape) < 0.1, rng.choice([nan, inf, -inf, 0.0]), values)
        if dtype.startswith("complex"):
            parts = np.empty(shape, dtype=np.complex128)
            parts.real = values
            parts.imag = np.round(rng.permutation(values.ravel()), int(rng.integers(0, 4))).reshape(
                shape
            )
            values = parts
    options = {}
    if rng.random() < 0.5:
        options = {
            "precision": int(rng.integers(0, 7)),
            "threshold": int(rng.integers(3, 100)),
            "edgeitems": int(rng.integers(0, 4)),
            "linewidth": int(rng.integers(20, 120)),
            "sci_mode": [None, True, False][int(rng.integers(0, 3))],
        }
    return numpy_array(values, dtype), options


@pytest.mark.parametrize("seed", range(150))
def test_random(seed):
    array, options = _random_case(seed)
    set_both(**options)
    assert_same_repr(array)
