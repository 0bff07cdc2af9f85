"""DLPack exchange with NumPy and PyTorch: zero-copy both ways (writes seen on the other side),
strides and offsets kept, every dtype, the producer's memory kept alive, and torch's refusals."""

import gc
import weakref

import numpy as np
import pytest
import torch

import ember
from ember.utils.dlpack import DLDeviceType, from_dlpack, to_dlpack

DTYPES = ["float64", "float32", "float16", "bfloat16", "int64", "int32", "int16", "int8",
          "uint8", "bool", "complex64", "complex128"]


def _pair(dtype: str):
    """The same 2x3 values as a torch and an ember tensor."""
    values = torch.arange(-3, 3).reshape(2, 3) * 1.5
    if dtype.startswith("complex"):
        values = values + 0.5j * values.flip(1)
    tensor = values.to(getattr(torch, dtype))
    return tensor, ember.tensor(tensor.tolist(), dtype=getattr(ember, dtype))


def _address(tensor) -> int:
    return tensor.data_ptr()


# --- every dtype, both ways ----------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
def test_ember_to_torch_shares_memory(dtype):
    expected, tensor = _pair(dtype)
    shared = torch.from_dlpack(tensor)
    assert shared.dtype == expected.dtype and torch.equal(shared, expected)
    assert shared.data_ptr() == tensor.data_ptr()
    shared[0, 0] = shared[1, 2]
    assert tensor[0, 0].tolist() == tensor[1, 2].tolist() == expected[1, 2].tolist()


@pytest.mark.parametrize("dtype", DTYPES)
def test_torch_to_ember_shares_memory(dtype):
    producer, expected = _pair(dtype)
    shared = from_dlpack(producer)
    assert shared.dtype == expected.dtype and shared.tolist() == expected.tolist()
    assert shared.data_ptr() == producer.data_ptr()
    shared[0, 0] = shared[1, 2]
    assert producer[0, 0].tolist() == producer[1, 2].tolist()


@pytest.mark.parametrize("dtype", [d for d in DTYPES if d != "bfloat16"])
def test_numpy_both_ways(dtype):
    _, tensor = _pair(dtype)
    array = np.from_dlpack(tensor)
    assert array.dtype == tensor.numpy().dtype and np.array_equal(array, tensor.numpy())
    array[0, 0] = array[1, 2]
    assert tensor[0, 0].tolist() == tensor[1, 2].tolist()
    back = from_dlpack(array)
    assert back.dtype == tensor.dtype and back.data_ptr() == tensor.data_ptr()
    back[1, 1] = back[0, 0]
    assert array[1, 1] == array[0, 0]


def test_bfloat16_round_trips_through_torch():
    # NumPy's DLPack lacks bfloat16; ember relabels the capsule's type code both ways.
    tensor = ember.tensor([1.5, -2.25, 3e38], dtype=ember.bfloat16)
    through_torch = torch.from_dlpack(tensor)
    assert through_torch.dtype == torch.bfloat16
    assert from_dlpack(through_torch).data_ptr() == tensor.data_ptr()
    assert from_dlpack(through_torch).tolist() == tensor.tolist()
    assert from_dlpack(tensor).dtype == ember.bfloat16


def test_ember_to_ember_shares_memory():
    tensor = ember.arange(6.0).reshape(2, 3).t()
    shared = from_dlpack(tensor)
    assert shared.stride() == tensor.stride() and shared.data_ptr() == tensor.data_ptr()
    shared.add_(1)
    assert tensor.tolist() == [[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]


# --- strides and offsets -------------------------------------------------------------------

VIEWS = {
    "transposed": lambda x: x.t(),
    "sliced": lambda x: x[1:, 2:],
    "stepped": lambda x: x[::2, 1::3],
    "transposed slice": lambda x: x.t()[1:3],
    "expanded": lambda x: x[:1].expand(3, 4, 6)[:, 0],
    "row": lambda x: x[2],
    "scalar": lambda x: x[1, 2],
    "empty": lambda x: x[:0],
}


@pytest.mark.parametrize("name", VIEWS)
def test_views_keep_strides_and_offsets(name):
    view = VIEWS[name](ember.arange(24.0).reshape(4, 6))
    expected = VIEWS[name](torch.arange(24.0).reshape(4, 6))
    exported = torch.from_dlpack(view)
    assert exported.shape == expected.shape and torch.equal(exported, expected)
    imported = from_dlpack(expected)
    assert imported.tolist() == expected.tolist()
    if expected.numel():  # (empty tensors have no address, and any strides)
        assert exported.stride() == view.stride() == expected.stride()
        assert imported.stride() == expected.stride()
        assert exported.data_ptr() == view.data_ptr()
        assert imported.data_ptr() == expected.data_ptr()


def test_writes_through_a_view_reach_the_base():
    base = ember.zeros(3, 4)
    torch.from_dlpack(base.t()[1:])[0, 2] = 7.0  # element (2, 1) of base
    assert base[2, 1].item() == 7.0
    torch_base = torch.zeros(3, 4)
    from_dlpack(torch_base[:, ::2])[1, 1] = 5.0  # element (1, 2)
    assert torch_base[1, 2].item() == 5.0


# --- lifetime ------------------------------------------------------------------------------


def test_torch_keeps_ember_memory_alive():
    tensor = ember.arange(1000.0)
    collected = weakref.ref(tensor)
    shared = torch.from_dlpack(tensor[10:])
    del tensor
    gc.collect()
    assert collected() is None
    torch.zeros(1000).add_(3)  # reuse freed memory, were it freed
    shared += 1
    assert torch.equal(shared, torch.arange(11.0, 1001.0))


def test_ember_keeps_torch_memory_alive():
    # (torch keeps a tensor's Python object while its memory lives: no weakref check here)
    producer = torch.arange(1000.0)
    shared = from_dlpack(producer[10:])
    del producer
    gc.collect()
    ember.zeros(1000).add_(3)
    shared.add_(1)
    assert shared.tolist() == list(np.arange(11.0, 1001.0))


# --- capsules and the protocol -------------------------------------------------------------


def test_capsules_both_ways():
    tensor = ember.arange(4)
    assert torch.equal(torch.from_dlpack(to_dlpack(tensor)), torch.arange(4))
    producer = torch.arange(4)
    assert from_dlpack(torch.utils.dlpack.to_dlpack(producer)).data_ptr() == producer.data_ptr()
    capsule = to_dlpack(tensor)
    from_dlpack(capsule)
    with pytest.raises(RuntimeError, match="consumed only once"):
        torch.from_dlpack(capsule)
    with pytest.raises(RuntimeError, match="consumed only once"):
        from_dlpack(capsule)


def test_protocol_matches_torch():
    tensor, expected = ember.ones(2), torch.ones(2)
    assert tensor.__dlpack_device__() == expected.__dlpack_device__()
    assert list(DLDeviceType.__members__.items()) == [
        (name, int(code)) for name, code in torch.utils.dlpack.DLDeviceType.__members__.items()]
    for max_version in (None, (0, 8), (1, 0)):
        name = str(expected.__dlpack__(max_version=max_version)).split('"')[1]
        assert f'"{name}"' in str(tensor.__dlpack__(max_version=max_version))
    assert torch.equal(torch.from_dlpack(tensor.__dlpack__(stream=None)), expected)


def test_copy_requests():
    tensor = ember.ones(3)
    copied = torch.from_dlpack(tensor.__dlpack__(copy=True))
    assert copied.data_ptr() != tensor.data_ptr() and torch.equal(copied, torch.ones(3))
    producer = torch.ones(3)
    for copy, shares in ((True, False), (False, True), (None, True)):
        imported = from_dlpack(producer, copy=copy)
        assert (imported.data_ptr() == producer.data_ptr()) is shares


# --- refusals ------------------------------------------------------------------------------


def _same_error(ember_call, torch_call):
    with pytest.raises(Exception) as expected:
        torch_call()
    with pytest.raises(expected.type, match=str(expected.value)):
        ember_call()


def test_tensors_that_require_grad_refuse_export():
    _same_error(lambda: torch.from_dlpack(ember.ones(2, requires_grad=True)),
                lambda: torch.from_dlpack(torch.ones(2, requires_grad=True)))
    _same_error(lambda: from_dlpack(torch.ones(2, requires_grad=True)),
                lambda: np.from_dlpack(torch.ones(2, requires_grad=True)))
    # to_dlpack exports them regardless, as torch's does
    weight = ember.ones(2, requires_grad=True)
    assert torch.equal(torch.from_dlpack(to_dlpack(weight)), torch.ones(2))
    assert torch.equal(
        torch.from_dlpack(torch.utils.dlpack.to_dlpack(torch.ones(2, requires_grad=True))),
        torch.ones(2))
    assert torch.equal(torch.from_dlpack(ember.ones(2, requires_grad=True).detach()),
                       torch.ones(2))


def test_streams_are_refused_on_the_cpu():
    _same_error(lambda: ember.ones(2).__dlpack__(stream=1),
                lambda: torch.ones(2).__dlpack__(stream=1))


def test_bad_producers_are_refused():
    with pytest.raises(RuntimeError, match="__dlpack__ or a DLPack capsule, got list"):
        from_dlpack([1, 2])
    class NotAProducer:
        def __dlpack__(self, **kwargs):
            return "capsule"

        def __dlpack_device__(self):
            return DLDeviceType.kDLCPU, 0

    with pytest.raises(RuntimeError, match="returned str, not a DLPack capsule"):
        from_dlpack(NotAProducer())
    with pytest.raises(ValueError, match="negative"):
        from_dlpack(np.arange(3)[::-1])
    with pytest.raises(TypeError, match="no dtype for uint16"):
        from_dlpack(torch.ones(2, dtype=torch.uint16))
    with pytest.raises(AssertionError, match="not compiled with CUDA"):
        from_dlpack(torch.ones(2), device="cuda")
    assert from_dlpack(torch.ones(2), device="cpu").tolist() == [1.0, 1.0]
