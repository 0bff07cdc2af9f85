"""Device objects, the CUDA / MPS / accelerator queries and where tensors live, compared with
PyTorch. This machine's torch is a CPU-only build, whose answers are the specification."""

import pickle

import pytest
import torch

import ember

VALID_STRINGS = ["cpu", "cuda", "cuda:0", "cuda:1", "cuda:12", "cpu:0", "cpu:3", "mps", "meta",
                 "xpu", "mps:0"]
INVALID_STRINGS = ["", "gpu", "CPU", "Cuda", "cuda:", "cuda:-1", "cuda:x", "cuda:1:2", " cpu",
                   "cpu ", "cuda:01", "cuda: 1", "cuda:+1", ":1", "cuda:1.0", "cuda:１"]


def same_device(got, expected):
    assert isinstance(got, ember.device)
    assert repr(got) == repr(expected)
    assert str(got) == str(expected)
    assert got.type == expected.type
    assert got.index == expected.index


@pytest.mark.parametrize("string", VALID_STRINGS)
def test_parse_string(string):
    same_device(ember.device(string), torch.device(string))


@pytest.mark.parametrize("string", INVALID_STRINGS)
def test_parse_invalid_string(string):
    with pytest.raises(RuntimeError):
        torch.device(string)
    with pytest.raises(RuntimeError):
        ember.device(string)


@pytest.mark.parametrize("args", [("cuda", 1), ("cuda", 0), ("cpu", 0), ("cpu", None),
                                  ("cuda", None), ("mps", 0)])
def test_parse_type_and_index(args):
    same_device(ember.device(*args), torch.device(*args))


def test_keyword_arguments():
    same_device(ember.device(type="cuda", index=2), torch.device(type="cuda", index=2))


@pytest.mark.parametrize(("args", "error"), [
    (("cuda:1", 1), RuntimeError),  # index twice
    (("cuda", -1), RuntimeError),
    (("cuda", "1"), TypeError),
    (("cuda", 1.0), TypeError),
    (("cuda", True), TypeError),
    ((None,), TypeError),
    ((1.5,), TypeError),
    ((True,), TypeError),
    (([0],), TypeError),
    ((0,), RuntimeError),  # a bare index needs an accelerator, and there is none
    ((1,), RuntimeError),
])
def test_parse_invalid_arguments(args, error):
    with pytest.raises(error):
        torch.device(*args)
    with pytest.raises(error):
        ember.device(*args)


def test_device_from_device():
    original = ember.device("cuda:1")
    same_device(ember.device(original), torch.device(torch.device("cuda:1")))
    assert ember.device(original) == original


@pytest.mark.parametrize("first", VALID_STRINGS)
@pytest.mark.parametrize("second", VALID_STRINGS)
def test_equality_and_hash(first, second):
    expected = torch.device(first) == torch.device(second)
    assert (ember.device(first) == ember.device(second)) == expected
    assert (ember.device(first) != ember.device(second)) == (not expected)
    if expected:
        assert hash(ember.device(first)) == hash(ember.device(second))


@pytest.mark.parametrize("other", ["cpu", "cuda", 0, None, -1])
def test_devices_never_equal_other_objects(other):
    assert (torch.device("cpu") == other) == (ember.device("cpu") == other)
    assert (other == torch.device("cpu")) == (other == ember.device("cpu"))
    assert (torch.device("cpu") != other) == (ember.device("cpu") != other)


def test_devices_are_unordered():
    with pytest.raises(TypeError):
        torch.device("cpu") < torch.device("cuda")  # noqa: B015
    with pytest.raises(TypeError):
        ember.device("cpu") < ember.device("cuda")  # noqa: B015


def test_devices_as_dict_keys():
    table = {ember.device("cpu"): 1, ember.device("cuda", 0): 2}
    assert table[ember.device("cpu")] == 1
    assert table[ember.device("cuda:0")] == 2


@pytest.mark.parametrize("string", ["cpu", "cuda:1", "mps"])
def test_device_pickles(string):
    assert pickle.loads(pickle.dumps(ember.device(string))) == ember.device(string)


# --- what this machine offers -----------------------------------------------------------------


def test_cuda_queries():
    assert ember.cuda.is_available() is torch.cuda.is_available() is False
    assert ember.cuda.device_count() == torch.cuda.device_count() == 0
    assert ember.cuda.is_initialized() == torch.cuda.is_initialized()
    assert ember.cuda.is_bf16_supported() == torch.cuda.is_bf16_supported()
    for name in ["empty_cache", "memory_allocated", "max_memory_allocated", "memory_reserved",
                 "seed", "seed_all"]:
        assert getattr(ember.cuda, name)() == getattr(torch.cuda, name)(), name


@pytest.mark.parametrize("name", ["current_device", "synchronize", "get_device_name",
                                  "get_device_capability", "init", "initial_seed"])
def test_cuda_queries_that_need_a_device(name):
    with pytest.raises(AssertionError):
        getattr(torch.cuda, name)()
    with pytest.raises(AssertionError):
        getattr(ember.cuda, name)()


def test_cuda_get_device_properties():
    with pytest.raises(AssertionError):
        torch.cuda.get_device_properties(0)
    with pytest.raises(AssertionError):
        ember.cuda.get_device_properties(0)


@pytest.mark.parametrize("name", ["manual_seed", "manual_seed_all"])
def test_cuda_seeding_does_nothing(name):
    assert getattr(ember.cuda, name)(3) is getattr(torch.cuda, name)(3) is None
    before = ember.rand(3).tolist()
    ember.manual_seed(0)
    first = ember.rand(3).tolist()
    ember.manual_seed(0)
    getattr(ember.cuda, name)(5)
    assert ember.rand(3).tolist() == first
    assert len(before) == 3
    with pytest.raises(ValueError):
        getattr(torch.cuda, name)("a")
    with pytest.raises(ValueError):
        getattr(ember.cuda, name)("a")


def test_mps_queries():
    assert ember.backends.mps.is_available() == torch.backends.mps.is_available()
    assert ember.backends.mps.is_built() == torch.backends.mps.is_built()


def test_accelerator_queries():
    assert ember.accelerator.is_available() == torch.accelerator.is_available()
    assert ember.accelerator.current_accelerator() == torch.accelerator.current_accelerator()
    assert ember.accelerator.current_accelerator(check_available=True) is None
    assert ember.accelerator.device_count() == torch.accelerator.device_count()
    for name in ["current_device_index", "synchronize"]:
        with pytest.raises(RuntimeError):
            getattr(torch.accelerator, name)()
        with pytest.raises(RuntimeError):
            getattr(ember.accelerator, name)()


def test_device_selection_idiom():
    device = "cuda" if ember.cuda.is_available() else "cpu"
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert device == expected
    x = ember.tensor([1.0, 2.0], device=device)
    y = ember.zeros(2).to(device)
    assert str(x.device) == str(y.device) == expected
    assert (x + y).tolist() == [1.0, 2.0]
    dev = ember.device(device)
    assert ember.ones(2, device=dev).device == dev


# --- tensors and devices ----------------------------------------------------------------------


def test_tensor_device_attributes():
    x, t = ember.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0])
    same_device(x.device, t.device)
    assert x.get_device() == t.get_device() == -1
    assert x.is_cuda is t.is_cuda is False
    assert x.is_cpu is t.is_cpu is True
    assert x.cpu() is x
    assert x.to("cpu") is x
    assert x.to(ember.device("cpu")) is x
    assert x.to(device="cpu") is x
    assert x.to(None) is x


@pytest.mark.parametrize("device", ["cpu:0", "cpu:1", ember.device("cpu", 0)])
def test_to_cpu_with_an_index_copies(device):
    # The tensor lives on device("cpu"), which is not device("cpu:0"): PyTorch copies.
    x = ember.tensor([1.0, 2.0])
    t = torch.tensor([1.0, 2.0])
    torch_device = torch.device(str(device))
    assert (t.to(torch_device) is t) is False
    moved = x.to(device)
    assert moved is not x
    assert moved.data_ptr() != x.data_ptr()
    same_device(moved.device, t.to(torch_device).device)


@pytest.mark.parametrize("device", ["cpu", "cpu:0", "cpu:1", ember.device("cpu")])
@pytest.mark.parametrize("factory", ["tensor", "zeros", "ones", "empty", "full", "arange",
                                     "linspace", "eye", "rand", "randn", "randint"])
def test_factories_on_cpu(factory, device):
    args = {"tensor": ([1.0],), "full": ((2,), 1.0), "arange": (3,), "linspace": (0, 1, 3),
            "eye": (2,), "randint": (5, (2,))}.get(factory, (2,))
    torch_device = torch.device(str(device))
    got = getattr(ember, factory)(*args, device=device)
    expected = getattr(torch, factory)(*args, device=torch_device)
    same_device(got.device, expected.device)


@pytest.mark.parametrize("device", ["cuda", "cuda:0", "cuda:1", "xpu"])
@pytest.mark.parametrize("make", [
    lambda lib, dev: lib.tensor([1.0]).to(dev),
    lambda lib, dev: lib.tensor([1.0]).to(dev, lib.float64),
    lambda lib, dev: lib.tensor([1.0]).to(device=dev),
    lambda lib, dev: lib.tensor([1.0], device=dev),
    lambda lib, dev: lib.zeros(2, device=dev),
    lambda lib, dev: lib.ones(2, device=lib.device(dev)),
    lambda lib, dev: lib.arange(3, device=dev),
    lambda lib, dev: lib.rand(2, device=dev),
    lambda lib, dev: lib.zeros_like(lib.ones(2), device=dev),
    lambda lib, dev: lib.ones(2).new_zeros(2, device=dev),
])
def test_unavailable_device_raises_like_a_cpu_build(make, device):
    with pytest.raises(AssertionError):
        make(torch, device)
    with pytest.raises(AssertionError):
        make(ember, device)


def test_cuda_method_raises_like_a_cpu_build():
    with pytest.raises(AssertionError):
        torch.ones(2).cuda()
    with pytest.raises(AssertionError):
        ember.ones(2).cuda()
    with pytest.raises(RuntimeError):
        torch.ones(2).cuda(0)
    with pytest.raises(RuntimeError):
        ember.ones(2).cuda(0)


@pytest.mark.parametrize("make", [
    lambda lib: lib.ones(2).to("mps"),
    lambda lib: lib.tensor([1.0], device="mps"),
    lambda lib: lib.ones(2).to(1),
    lambda lib: lib.ones(2).to(-1),
    lambda lib: lib.ones(2).to("bogus"),
    lambda lib: lib.zeros(2, device="bogus"),
    lambda lib: lib.zeros(2, device=0),
])
def test_other_bad_devices_raise_runtime_error(make):
    with pytest.raises(RuntimeError):
        make(torch)
    with pytest.raises(RuntimeError):
        make(ember)


def test_generator_on_cuda_raises():
    with pytest.raises(RuntimeError):
        torch.Generator(device="cuda")
    with pytest.raises(RuntimeError):
        ember.Generator(device="cuda")


# --- the default device -----------------------------------------------------------------------


def test_default_device():
    same_device(ember.get_default_device(), torch.get_default_device())


def test_device_context_manager_sets_the_default_device():
    with ember.device("cpu"):
        assert ember.zeros(1).device == ember.device("cpu")
    with torch.device("cuda"), pytest.raises(AssertionError):
        torch.zeros(1)
    with ember.device("cuda"), pytest.raises(AssertionError):
        ember.zeros(1)
    with ember.device("cuda:1"):
        same_device(ember.get_default_device(), ember.device("cuda:1"))
    with torch.device("cuda"), pytest.raises(AssertionError):
        torch.get_default_device()
    with ember.device("cuda"), pytest.raises(AssertionError):
        ember.get_default_device()
    same_device(ember.get_default_device(), torch.get_default_device())
    assert ember.zeros(1).device == ember.device("cpu")


def test_set_default_device():
    try:
        torch.set_default_device("cuda")
        ember.set_default_device("cuda")
        with pytest.raises(AssertionError):
            torch.get_default_device()
        with pytest.raises(AssertionError):
            ember.get_default_device()
        with pytest.raises(AssertionError):
            torch.zeros(1)
        with pytest.raises(AssertionError):
            ember.tensor([1.0])
    finally:
        torch.set_default_device(None)
        ember.set_default_device(None)
    torch.set_default_device("cpu:1")
    ember.set_default_device("cpu:1")
    try:
        same_device(ember.get_default_device(), torch.get_default_device())
        same_device(ember.zeros(1).device, torch.zeros(1).device)
    finally:
        torch.set_default_device(None)
        ember.set_default_device(None)
    same_device(ember.get_default_device(), torch.get_default_device())
    assert ember.zeros(1).device == ember.device("cpu")
