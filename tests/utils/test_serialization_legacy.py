"""ember.save(_use_new_zipfile_serialization=False) against torch's legacy format: each reads
the other's files."""

import io
import os
import pickle
import warnings
from collections import OrderedDict

import pytest
import torch

import ember
from tests.utils.test_serialization import (
    DTYPES,
    assert_same,
    assert_same_state,
    build_model,
    optimizer_with_state,
    sample,
)
from tests.utils.test_serialization import ember_to_torch_to_ember as _ember_to_torch_to_ember
from tests.utils.test_serialization import torch_to_ember_to_torch as _torch_to_ember_to_torch

LEGACY = {"_use_new_zipfile_serialization": False}


def ember_to_torch_to_ember(obj, tmp_path):
    return _ember_to_torch_to_ember(obj, tmp_path, **LEGACY)


def torch_to_ember_to_torch(obj, tmp_path):
    return _torch_to_ember_to_torch(obj, tmp_path, **LEGACY)


class GlobalName(str):
    """A pickle's global, by name: calling it gives the name and the arguments."""

    def __call__(self, *args):
        return (str(self), *args)


class Skeleton(pickle.Unpickler):
    """Unpickles a legacy file's pickles without running them: a global becomes its name, a
    call its name and arguments, a persistent id itself."""

    def find_class(self, module, name):
        return GlobalName(f"{module}.{name}")

    def persistent_load(self, saved_id):
        return saved_id


def read_pickles(data: bytes, count: int):
    """The first ``count`` pickles of a legacy file, and the bytes after them."""
    stream = io.BytesIO(data)
    pickles = [Skeleton(stream).load() for _ in range(count)]
    return pickles, stream.read()


def torch_load(source, protocol: int):
    """torch.load of a file of pickles of ``protocol``: torch's weights-only loading reads
    only protocol 2 (FRAME of protocol 4 is beyond it, even in torch's own files)."""
    return torch.load(source, weights_only=protocol == 2)


# --- content kinds ------------------------------------------------------------------------


@pytest.mark.parametrize("dtype_name", DTYPES)
def test_each_dtype_both_ways(dtype_name, tmp_path):
    original = sample(ember, dtype_name)
    in_torch, back = ember_to_torch_to_ember(original, tmp_path)
    assert_same(original, in_torch)
    assert_same(back, in_torch)
    in_ember, in_torch = torch_to_ember_to_torch(sample(torch, dtype_name), tmp_path)
    assert_same(in_ember, in_torch)


def test_views_keep_their_layout_and_share_one_storage(tmp_path):
    base = ember.arange(24.0).reshape(4, 6)
    views = {"base": base, "slice": base[1:, 2:5:2], "transposed": base.t(),
             "column": base[:, 3], "empty": base[2:2]}
    in_torch, back = ember_to_torch_to_ember(views, tmp_path)
    _, keys = read_pickles((tmp_path / "ember.pt").read_bytes(), 5)[0][3:]
    assert len(keys) == 1  # one storage written, however many views
    pointer = in_torch["base"].untyped_storage().data_ptr()
    for name, view in views.items():
        assert_same(view, in_torch[name])
        assert_same(back[name], in_torch[name])
        assert in_torch[name].untyped_storage().data_ptr() == pointer
    assert all(back[name].untyped_storage() is back["base"].untyped_storage() for name in views)
    back["slice"][0, 0] = -1.0  # base[1, 2]
    assert back["base"][1, 2].item() == -1.0 and back["transposed"][2, 1].item() == -1.0


def test_parameters_and_requires_grad(tmp_path):
    values = {"param": ember.nn.Parameter(ember.ones(2, 3)),
              "frozen": ember.nn.Parameter(ember.zeros(3), requires_grad=False),
              "leaf": ember.ones(2, requires_grad=True), "plain": ember.ones(2)}
    in_torch, back = ember_to_torch_to_ember(values, tmp_path)
    assert type(in_torch["param"]) is torch.nn.Parameter
    for name, tensor in values.items():
        assert_same(tensor, in_torch[name])
        assert_same(back[name], in_torch[name])


def test_nested_containers_sizes_dtypes_devices(tmp_path):
    def content(module):
        return OrderedDict(
            nested={"list": [1, 2.5, None, "text", module.arange(3)], "tuple": (1, (2, [3]))},
            size=module.Size([2, 3]), dtype=module.bfloat16, device=module.device("cpu"),
            raw=b"\x00\x01", values={1, 2})

    def printed(value):
        return repr(value).replace("ember", "torch")

    in_torch, back = ember_to_torch_to_ember(content(ember), tmp_path)
    assert printed(in_torch) == printed(content(torch)) and type(in_torch["size"]) is torch.Size
    assert printed(back) == printed(content(ember)) and type(back["size"]) is ember.Size
    in_ember, in_torch = torch_to_ember_to_torch(content(torch), tmp_path)
    assert printed(in_ember) == printed(in_torch) == printed(content(torch))


def test_model_state_dict_both_ways(tmp_path):
    ember.manual_seed(0)
    ember_model, torch_model = build_model(ember.nn), build_model(torch.nn)
    ember.save(ember_model.state_dict(), tmp_path / "ember.pt", **LEGACY)
    torch_model.load_state_dict(torch.load(tmp_path / "ember.pt"))
    assert_same_state(ember_model.state_dict(), torch_model.state_dict())
    torch.manual_seed(1)
    torch_model = build_model(torch.nn)
    torch.save(torch_model.state_dict(), tmp_path / "torch.pt", **LEGACY)
    ember_model.load_state_dict(ember.load(tmp_path / "torch.pt"))
    assert_same_state(ember_model.state_dict(), torch_model.state_dict())


def test_optimizer_state_dict_both_ways(tmp_path):
    torch_optimizer = optimizer_with_state(torch, "Adam", lr=0.01)
    torch.save(torch_optimizer.state_dict(), tmp_path / "torch.pt", **LEGACY)
    ember_optimizer = ember.optim.Adam(ember.nn.Linear(2, 2).parameters())
    ember_optimizer.load_state_dict(ember.load(tmp_path / "torch.pt"))
    ember.save(ember_optimizer.state_dict(), tmp_path / "ember.pt", **LEGACY)
    fresh = torch.optim.Adam(torch.nn.Linear(2, 2).parameters())
    fresh.load_state_dict(torch.load(tmp_path / "ember.pt"))
    assert str(fresh.state_dict()) == str(torch_optimizer.state_dict())


def test_two_dtypes_on_one_storage_is_refused():
    tensor = ember.zeros(4)
    other_view = ember.tensor([0], dtype=ember.int32).set_(tensor.untyped_storage(), 0, (4,))
    with pytest.raises(RuntimeError, match="view the same data as different types"):
        ember.save([tensor, other_view], io.BytesIO(), **LEGACY)


def test_untyped_storages_go_under_torchs_name(tmp_path):
    storage = ember.arange(3, dtype=ember.int16).untyped_storage()
    ember.save(storage, tmp_path / "zip.pt")  # torch reads untyped storages only from zips
    with warnings.catch_warnings():  # torch's deprecation of TypedStorage
        warnings.simplefilter("ignore", UserWarning)
        assert torch.load(tmp_path / "zip.pt").tolist() == list(storage)
    ember.save(storage, tmp_path / "legacy.pt", **LEGACY)
    assert list(ember.load(tmp_path / "legacy.pt")) == list(storage)


# --- the file itself ----------------------------------------------------------------------


def test_the_layout_matches_torch(tmp_path):
    ember.save({"weight": ember.arange(3.0)}, tmp_path / "ember.pt", **LEGACY)
    torch.save({"weight": torch.arange(3.0)}, tmp_path / "torch.pt", **LEGACY)
    ember_headers, ember_rest = read_pickles((tmp_path / "ember.pt").read_bytes(), 3)
    torch_headers, torch_rest = read_pickles((tmp_path / "torch.pt").read_bytes(), 3)
    assert ember_headers == torch_headers  # magic number, version, system description
    saved, keys = read_pickles((tmp_path / "ember.pt").read_bytes(), 5)[0][3:]
    assert saved["weight"][:2] == ("torch._utils._rebuild_tensor_v2",
                                   ("storage", "torch.FloatStorage", keys[0], "cpu", 3, None))
    assert b"torch._utils\n_rebuild_tensor_v2" in ember_rest and b"ember" not in ember_rest
    # then the storage: its element count, then its bytes, at the very end
    storage = (3).to_bytes(8, "little") + torch.arange(3.0).numpy().tobytes()
    assert ember_rest.endswith(storage) and torch_rest.endswith(storage)


@pytest.mark.parametrize("protocol", [2, 4])
def test_file_objects_and_paths(protocol, tmp_path):
    buffer = io.BytesIO()
    ember.save({"weight": ember.arange(3)}, buffer, pickle_protocol=protocol, **LEGACY)
    buffer.seek(0)
    assert torch_load(buffer, protocol)["weight"].tolist() == [0, 1, 2]
    buffer.seek(0)
    assert ember.load(buffer)["weight"].tolist() == [0, 1, 2]

    class WriteOnly:  # no seek, no tell: the file is written front to back
        def __init__(self):
            self.chunks = []

        def write(self, data):
            self.chunks.append(bytes(data))

    stream = WriteOnly()
    ember.save([ember.ones(2)], stream, pickle_protocol=protocol, **LEGACY)
    assert torch_load(io.BytesIO(b"".join(stream.chunks)), protocol)[0].tolist() == [1.0, 1.0]
    with open(tmp_path / "file.pt", "wb") as file:
        ember.save([ember.ones(1)], file, pickle_protocol=protocol, **LEGACY)
    with open(tmp_path / "file.pt", "rb") as file:
        assert ember.load(file)[0].tolist() == [1.0]
    ember.save([ember.zeros(1)], str(tmp_path / "named.pt"), **LEGACY)
    assert torch.load(str(tmp_path / "named.pt"))[0].tolist() == [0.0]


# --- crash safety and damaged files -------------------------------------------------------


class FailsToPickle:
    def __reduce__(self):
        raise OSError("disk full")


def test_an_interrupted_save_leaves_the_old_file(tmp_path):
    path = tmp_path / "model.pt"
    ember.save({"version": ember.tensor([1.0])}, path, **LEGACY)
    with pytest.raises(OSError, match="disk full"):
        ember.save({"version": ember.tensor([2.0]), "other": FailsToPickle()}, path, **LEGACY)
    assert os.listdir(tmp_path) == ["model.pt"]
    assert ember.load(path)["version"].tolist() == [1.0]


@pytest.mark.parametrize("keep", [0.1, 0.5, 0.9, 0.99])
def test_truncated_files_raise(keep, tmp_path):
    path = tmp_path / "model.pt"
    ember.save({"weight": ember.arange(6.0), "bias": ember.ones(2)}, path, **LEGACY)
    data = path.read_bytes()
    path.write_bytes(data[:int(len(data) * keep)])
    with pytest.raises((RuntimeError, pickle.UnpicklingError), match="truncated"):
        ember.load(path)

