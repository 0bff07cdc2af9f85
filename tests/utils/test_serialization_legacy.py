"""ember.save(_use_new_zipfile_serialization=False) against torch's legacy format: each reads
the other's files."""

import io
import os
import pickle
import warnings

import pytest
import torch

import ember
from tests.utils.test_serialization import (
    assert_same,
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

