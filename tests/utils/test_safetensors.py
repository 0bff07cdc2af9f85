"""ember.utils.safetensors against the safetensors package: files written by one read by the
other for every dtype, the exact bytes of the reference writer, and the same refusals of bad
input and malformed files."""

import json
import os
import struct

import numpy as np
import pytest
import safetensors
import safetensors.numpy
import safetensors.torch
import torch

import ember
from ember.utils import safetensors as st

DTYPES = ["float64", "float32", "float16", "bfloat16", "int64", "int32", "int16", "int8",
          "uint8", "bool", "complex64"]


def _pair(dtype: str, shape=(2, 3)):
    """The same values as a torch and an ember tensor."""
    values = torch.arange(-3, 3).reshape(2, 3) * 1.5
    if dtype == "complex64":
        values = values + 0.5j * values.flip(1)
    tensor = values.to(getattr(torch, dtype))[: shape[0], : shape[1]].reshape(shape)
    return tensor, ember.tensor(tensor.tolist(), dtype=getattr(ember, dtype))


def _as_torch(tensor):
    dtype = getattr(torch, str(tensor.dtype)[6:])
    return torch.tensor(tensor.tolist(), dtype=dtype).reshape(tuple(tensor.shape))


def _assert_same(ember_tensors, torch_tensors):
    assert list(ember_tensors) == list(torch_tensors)
    for name, expected in torch_tensors.items():
        actual = ember_tensors[name]
        assert str(actual.dtype) == str(expected.dtype), name
        assert tuple(actual.shape) == tuple(expected.shape), name
        assert torch.equal(_as_torch(actual), expected), name


def _collection():
    """Every dtype plus an empty and a 0-dim tensor, as torch and ember dicts."""
    pairs = {f"t_{dtype}": _pair(dtype) for dtype in DTYPES}
    pairs["empty"] = torch.zeros(0, 3), ember.zeros(0, 3)
    pairs["scalar"] = torch.tensor(2.5), ember.tensor(2.5)
    pairs["unicode é"] = torch.ones(1, dtype=torch.int8), ember.ones(1, dtype=ember.int8)
    return ({name: pair[0] for name, pair in pairs.items()},
            {name: pair[1] for name, pair in pairs.items()})


METADATA = {"format": "pt", "note": 'quotes " and\nnewlines, ü'}


# --- ember writes, the package reads -------------------------------------------------------


def test_bytes_are_the_reference_writers():
    torch_tensors, ember_tensors = _collection()
    assert st.save(ember_tensors) == safetensors.torch.save(torch_tensors)
    # one entry: the package orders metadata at random (a hash map), ember as given
    metadata = {"note": METADATA["note"]}
    assert (st.save(ember_tensors, metadata=metadata)
            == safetensors.torch.save(torch_tensors, metadata=metadata))
    assert st.save({}) == safetensors.torch.save({})
    # (for no tensors and empty metadata the package writes invalid JSON: '{},"__metadata__"')
    assert safetensors.torch.load(st.save({}, metadata={})) == {}


def test_save_file_reads_back_with_the_package(tmp_path):
    torch_tensors, ember_tensors = _collection()
    path = tmp_path / "model.safetensors"
    st.save_file(ember_tensors, path, metadata=METADATA)
    loaded = safetensors.torch.load_file(path)
    assert set(loaded) == set(torch_tensors)
    for name, tensor in torch_tensors.items():
        assert loaded[name].dtype == tensor.dtype and torch.equal(loaded[name], tensor), name
    with safetensors.safe_open(path, framework="np") as file:
        assert file.metadata() == METADATA
        assert np.array_equal(file.get_tensor("t_float16"), ember_tensors["t_float16"].numpy())


@pytest.mark.parametrize("make_view", [
    lambda x: x.t(),
    lambda x: x[:, ::2],
    lambda x: x[1:, 1:],
    lambda x: x[:1].expand(4, 3),
], ids=["transposed", "stepped", "offset", "expanded"])
def test_non_contiguous_tensors_are_saved_contiguous(make_view):
    base = ember.arange(6.0).reshape(2, 3)
    view = make_view(base)
    loaded = safetensors.numpy.load(st.save({"view": view}))["view"]
    assert loaded.shape == tuple(view.shape) and np.array_equal(loaded, view.numpy())


def test_tensors_that_require_grad_are_saved():
    weight = ember.ones(2, requires_grad=True)
    loaded = safetensors.torch.load(st.save({"weight": weight}))["weight"]
    assert torch.equal(loaded, torch.ones(2))


# --- the package writes, ember reads -------------------------------------------------------


def test_load_file_reads_the_packages_files(tmp_path):
    torch_tensors, _ = _collection()
    path = tmp_path / "model.safetensors"
    safetensors.torch.save_file(torch_tensors, path, metadata=METADATA)
    loaded = st.load_file(path)
    # the package's load_file gives the tensors in the order of their data
    _assert_same(loaded, safetensors.torch.load_file(path))
    assert set(loaded) == set(torch_tensors)


def test_load_reads_bytes():
    torch_tensors, _ = _collection()
    loaded = st.load(safetensors.torch.save(torch_tensors))
    _assert_same(loaded, {name: torch_tensors[name] for name in loaded})
    assert set(loaded) == set(torch_tensors)


def test_loaded_tensors_are_writable_and_independent(tmp_path):
    path = str(tmp_path / "model.safetensors")
    st.save_file({"a": ember.ones(2, 2), "b": ember.zeros(3)}, path)
    loaded = st.load_file(path)
    loaded["a"].add_(1)
    loaded["b"][0] = 5
    assert loaded["a"].tolist() == [[2.0, 2.0], [2.0, 2.0]]
    assert st.load_file(path)["a"].tolist() == [[1.0, 1.0], [1.0, 1.0]]
    # each tensor owns its memory, so the loaded dict can be saved again as it is
    assert st.load(st.save(loaded))["b"].tolist() == [5.0, 0.0, 0.0]


def test_load_file_refuses_devices_ember_lacks(tmp_path):
    path = tmp_path / "x.safetensors"
    st.save_file({"a": ember.ones(1)}, path)
    assert st.load_file(path, device=ember.device("cpu"))["a"].device.type == "cpu"
    with pytest.raises(AssertionError, match="not compiled with CUDA"):
        st.load_file(path, device="cuda")


def test_unsupported_dtype_in_a_valid_file_is_named():
    blob = safetensors.torch.save({"u": torch.ones(2, dtype=torch.uint16)})
    with pytest.raises(st.SafetensorError, match="U16"):
        st.load(blob)


# --- refusals when saving ------------------------------------------------------------------


def test_tensors_sharing_memory_are_refused():
    x, torch_x = ember.zeros(4), torch.zeros(4)
    message = "Some tensors share memory"
    with pytest.raises(RuntimeError, match=message):
        safetensors.torch.save({"a": torch_x, "b": torch_x[:2], "c": torch.zeros(2)})
    with pytest.raises(RuntimeError, match=rf"{message}.*\{{'a', 'b'\}}"):
        st.save({"a": x, "b": x[:2], "c": ember.zeros(2)})
    with pytest.raises(RuntimeError, match=message):
        st.save({"a": x, "b": x})
    array = np.zeros(3)
    with pytest.raises(RuntimeError, match=message):
        st.save({"a": ember.from_numpy(array), "b": ember.from_numpy(array[1:])})
    # disjoint parts of one storage, and empty views, are fine (as in the package)
    halves = {"a": x[:2], "b": x[2:], "c": x[:0]}
    assert st.save(halves) == safetensors.torch.save(
        {"a": torch.zeros(4)[:2], "b": torch.zeros(4)[2:], "c": torch.zeros(0)})


@pytest.mark.parametrize("tensors, metadata, error, match", [
    ([ember.ones(1)], None, ValueError, "Expected a dict"),
    ({"a": 3}, None, ValueError, "Key `a` is invalid, expected torch.Tensor"),
    ({1: ember.ones(1)}, None, TypeError, "names must be str"),
    ({"__metadata__": ember.ones(1)}, None, ValueError, "reserved"),
    ({"a": ember.ones(1)}, {"k": 1}, TypeError, "metadata must map str to str"),
    ({"a": ember.ones(1)}, ["k"], TypeError, "metadata must be a dict"),
    ({"a": ember.ones(1, dtype=ember.complex128)}, None, st.SafetensorError,
     "Unknown dtype torch.complex128"),
])
def test_bad_input_is_refused(tmp_path, tensors, metadata, error, match):
    with pytest.raises(error, match=match):
        st.save(tensors, metadata)
    path = tmp_path / "out.safetensors"
    with pytest.raises(error, match=match):
        st.save_file(tensors, path, metadata)
    assert os.listdir(tmp_path) == []


# --- crash-safe writing --------------------------------------------------------------------


def test_failed_write_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "model.safetensors"
    st.save_file({"old": ember.ones(2)}, path)

    def fail_midway(stream, header, ordered):
        stream.write(header)
        raise OSError("disk full")

    monkeypatch.setattr(st, "_write", fail_midway)
    with pytest.raises(OSError, match="disk full"):
        st.save_file({"new": ember.zeros(2)}, path)
    assert os.listdir(tmp_path) == ["model.safetensors"]
    assert list(st.load_file(path)) == ["old"]


def test_saved_file_gets_the_usual_permissions(tmp_path):
    umask = os.umask(0o022)
    os.umask(umask)
    path = tmp_path / "model.safetensors"
    st.save_file({"a": ember.ones(1)}, path)
    assert os.stat(path).st_mode & 0o777 == 0o666 & ~umask


# --- malformed files -----------------------------------------------------------------------


def _file(header=None, data=b"", raw=None):
    encoded = json.dumps(header).encode() if raw is None else raw
    return struct.pack("<Q", len(encoded)) + encoded + data


def _f32(count, begin=0):
    return {"dtype": "F32", "shape": [count], "data_offsets": [begin, begin + 4 * count]}


MALFORMED = {
    "header too small": (b"\x01\x02", "header too small"),
    "header too large": (struct.pack("<Q", 10**9) + b"{}", "header too large"),
    "header longer than file": (struct.pack("<Q", 100) + b"{}", "invalid header length"),
    "invalid json": (_file(raw=b"{not json"), "invalid JSON"),
    "trailing characters": (_file(raw=b"{}x"), "invalid JSON"),
    "not an object": (_file(raw=b"[1, 2]"), "invalid JSON"),
    "invalid utf-8": (_file(raw=b'{"\xff": 1}'), "invalid UTF-8"),
    "offsets past the end": (_file({"a": _f32(2)}, b"\0" * 4), "not fully covered"),
    "data left over": (_file({"a": _f32(1)}, b"\0" * 8), "not fully covered"),
    "gap before data": (_file({"a": _f32(1, begin=4)}, b"\0" * 8), "invalid offset .*`a`"),
    "overlapping data": (_file({"a": _f32(2), "b": _f32(1, begin=4)}, b"\0" * 8),
                         "invalid offset .*`b`"),
    "reversed offsets": (_file({"a": {"dtype": "F32", "shape": [0], "data_offsets": [4, 0]}},
                               b"\0" * 4), "invalid offset .*`a`"),
    "shape and size disagree": (_file({"a": {**_f32(2), "shape": [3]}}, b"\0" * 8),
                                "invalid shape, data type, or offset"),
    "unknown dtype": (_file({"a": {**_f32(2), "dtype": "F128"}}, b"\0" * 8), "F128"),
    "missing field": (_file({"a": {"dtype": "F32", "shape": [1]}}, b"\0" * 4),
                      "needs dtype, shape and data_offsets"),
    "negative size": (_file({"a": {**_f32(1), "shape": [-1]}}, b"\0" * 4), "shape"),
    "float size": (_file({"a": {**_f32(1), "shape": [1.0]}}, b"\0" * 4), "shape"),
    "one offset": (_file({"a": {**_f32(1), "data_offsets": [0]}}, b"\0" * 4), "data_offsets"),
    "metadata not text": (_file({"__metadata__": {"k": 1}}), "__metadata__"),
}


@pytest.mark.parametrize("name", MALFORMED)
def test_malformed_files_are_refused_like_the_package(tmp_path, name):
    blob, match = MALFORMED[name]
    with pytest.raises(safetensors.SafetensorError):
        safetensors.torch.load(blob)
    with pytest.raises(st.SafetensorError, match=match):
        st.load(blob)
    path = tmp_path / "bad.safetensors"
    path.write_bytes(blob)
    with pytest.raises(st.SafetensorError, match=match):
        st.load_file(path)


@pytest.mark.parametrize("blob", [
    _file({}),
    _file(raw=b' {}  \n'),
    _file({"__metadata__": None}),
    _file({"a": {**_f32(1), "extra": 1}}, b"\0\0\x80?"),
    _file({"b": _f32(1, begin=4), "a": {"dtype": "I8", "shape": [2, 2],
                                        "data_offsets": [0, 4]}}, bytes(range(8))),
    _file({"a": {"dtype": "I8", "shape": [1], "data_offsets": [0, 1]},
           "b": {"dtype": "F32", "shape": [1], "data_offsets": [1, 5]}}, b"\7\0\0\x80?"),
], ids=["empty", "whitespace", "null metadata", "extra field", "data out of name order",
        "misaligned data"])
def test_unusual_but_valid_files_load_like_the_package(tmp_path, blob):
    path = tmp_path / "odd.safetensors"
    path.write_bytes(blob)
    expected = safetensors.torch.load_file(path)
    _assert_same(st.load_file(path), expected)
    loaded = st.load(blob)
    _assert_same(loaded, {name: expected[name] for name in loaded})
    assert set(loaded) == set(expected)


def test_loaded_tensors_survive_the_file_being_replaced(tmp_path):
    path = tmp_path / "model.safetensors"
    st.save_file({"a": ember.ones(3)}, path)
    loaded = st.load_file(path)
    st.save_file({"a": ember.zeros(3)}, path)
    assert loaded["a"].tolist() == [1.0, 1.0, 1.0]
    assert st.load_file(path)["a"].tolist() == [0.0, 0.0, 0.0]
