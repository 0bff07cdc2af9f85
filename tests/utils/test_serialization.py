"""ember.save / ember.load against torch.save / torch.load: each reads the other's files."""

import io
import os
import pickle
import struct
import subprocess
import warnings
import zipfile
from collections import OrderedDict

import numpy as np
import pytest
import torch

import ember
import ember.serialization as serialization

DTYPES = ["float32", "float64", "float16", "bfloat16", "complex64", "complex128", "int8",
          "int16", "int32", "int64", "uint8", "bool"]


def sample(module, dtype_name, n=12):
    """The same values as a ``module`` (ember or torch) tensor of ``dtype_name``."""
    values = np.arange(n, dtype=np.float64) - 3.5
    if dtype_name.startswith("complex"):
        return module.tensor(values + 1j * values[::-1], dtype=getattr(module, dtype_name))
    return module.tensor(values.tolist()).to(getattr(module, dtype_name))


def storage_bytes(tensor) -> bytes:
    return bytes(tensor.untyped_storage().tolist())


def assert_same(ember_tensor, torch_tensor):
    """Same class, dtype, layout over the storage, storage bytes and requires_grad."""
    assert repr(ember_tensor.dtype) == repr(torch_tensor.dtype)
    assert tuple(ember_tensor.shape) == tuple(torch_tensor.shape)
    assert ember_tensor.stride() == torch_tensor.stride()
    assert ember_tensor.storage_offset() == torch_tensor.storage_offset()
    assert storage_bytes(ember_tensor) == storage_bytes(torch_tensor)
    assert ember_tensor.requires_grad == torch_tensor.requires_grad
    assert (type(ember_tensor).__name__ == "Parameter") == (
        type(torch_tensor).__name__ == "Parameter")


# The round trips that do not look into the file run in both of torch's formats: the zip
# archive and the legacy one (tests/utils/test_serialization_legacy.py has its own checks).
FORMATS = {"zip": {}, "legacy": {"_use_new_zipfile_serialization": False}}


@pytest.fixture(params=FORMATS.values(), ids=FORMATS)
def save_options(request):
    return request.param


def ember_to_torch_to_ember(obj, tmp_path, **save_options):
    ember.save(obj, tmp_path / "ember.pt", **save_options)
    from_torch = torch.load(tmp_path / "ember.pt")
    torch.save(from_torch, tmp_path / "torch.pt", **save_options)
    return from_torch, ember.load(tmp_path / "torch.pt")


def torch_to_ember_to_torch(obj, tmp_path, **save_options):
    torch.save(obj, tmp_path / "torch.pt", **save_options)
    from_ember = ember.load(tmp_path / "torch.pt")
    ember.save(from_ember, tmp_path / "ember.pt", **save_options)
    return from_ember, torch.load(tmp_path / "ember.pt")


# --- tensors -----------------------------------------------------------------------------


@pytest.mark.parametrize("dtype_name", DTYPES)
def test_each_dtype_both_ways(dtype_name, save_options, tmp_path):
    original = sample(ember, dtype_name)
    in_torch, back = ember_to_torch_to_ember(original, tmp_path, **save_options)
    assert_same(original, in_torch)
    assert_same(back, in_torch)
    in_ember, in_torch = torch_to_ember_to_torch(sample(torch, dtype_name), tmp_path,
                                                 **save_options)
    assert_same(in_ember, in_torch)


def test_views_keep_their_layout_and_share_one_storage(tmp_path):
    base = ember.arange(24.0).reshape(4, 6)
    views = {"base": base, "slice": base[1:, 2:5:2], "transposed": base.t(),
             "column": base[:, 3], "empty": base[2:2]}
    in_torch, back = ember_to_torch_to_ember(views, tmp_path)
    names = zipfile.ZipFile(tmp_path / "ember.pt").namelist()
    assert [name for name in names if "/data/" in name] == ["ember/data/0"]
    for name, view in views.items():
        assert_same(view, in_torch[name])
        assert_same(back[name], in_torch[name])
    storage = back["base"].untyped_storage()
    assert all(back[name].untyped_storage() is storage for name in views)
    back["slice"][0, 0] = -1.0  # base[1, 2]
    assert back["base"][1, 2].item() == -1.0 and back["transposed"][2, 1].item() == -1.0

    torch_base = torch.arange(10, dtype=torch.int64)
    in_ember, _ = torch_to_ember_to_torch([torch_base, torch_base[3:9:3]], tmp_path)
    assert_same(in_ember[1], torch_base[3:9:3])
    in_ember[1].add_(100)
    assert in_ember[0].tolist() == [0, 1, 2, 103, 4, 5, 106, 7, 8, 9]


def test_parameters_and_requires_grad(save_options, tmp_path):
    values = {"param": ember.nn.Parameter(ember.ones(2, 3)),
              "frozen": ember.nn.Parameter(ember.zeros(3), requires_grad=False),
              "leaf": ember.ones(2, requires_grad=True), "plain": ember.ones(2)}
    in_torch, back = ember_to_torch_to_ember(values, tmp_path, **save_options)
    assert type(in_torch["param"]) is torch.nn.Parameter
    for name, tensor in values.items():
        assert_same(tensor, in_torch[name])
        assert_same(back[name], in_torch[name])
    in_ember, _ = torch_to_ember_to_torch(torch.nn.Parameter(torch.ones(2)), tmp_path,
                                          **save_options)
    assert type(in_ember) is ember.nn.Parameter and in_ember.requires_grad


def test_containers_scalars_sizes_dtypes_devices(save_options, tmp_path):
    def content(module):
        return OrderedDict(
            nested={"list": [1, 2.5, None, "text", True], "tuple": (1, (2, [3]))},
            size=module.Size([2, 3]), dtype=module.bfloat16, other_dtype=module.int16,
            device=module.device("cpu"), raw=b"\x00\x01", numbers={1: -7, 2: 1e300},
            complex_number=1 + 2j, values={1, 2})

    in_torch, back = ember_to_torch_to_ember(content(ember), tmp_path, **save_options)
    assert in_torch == content(torch) and type(in_torch["size"]) is torch.Size
    assert back == content(ember) and type(back) is OrderedDict
    assert type(back["size"]) is ember.Size and back["dtype"] is ember.bfloat16
    in_ember, in_torch = torch_to_ember_to_torch(content(torch), tmp_path, **save_options)
    assert in_ember == content(ember) and in_torch == content(torch)


def test_the_pickle_names_pytorch(tmp_path):
    ember.save({"weight": ember.ones(2), "size": ember.Size([1])}, tmp_path / "names.pt")
    archive = zipfile.ZipFile(tmp_path / "names.pt")
    pickled = archive.read("names/data.pkl")
    for name in (b"torch._utils\n_rebuild_tensor_v2", b"torch\nFloatStorage", b"torch\nSize",
                 b"collections\nOrderedDict"):
        assert name in pickled
    assert b"ember" not in pickled
    assert archive.read("names/version") == b"3\n"
    assert archive.read("names/byteorder") == b"little"
    with open(tmp_path / "names.pt", "rb") as file:  # every record starts 64-byte aligned
        for info in archive.infolist():
            file.seek(info.header_offset + 26)
            name_length, extra_length = struct.unpack("<HH", file.read(4))
            assert (info.header_offset + 30 + name_length + extra_length) % 64 == 0


def test_zip64_records(tmp_path, monkeypatch):
    monkeypatch.setattr(serialization, "_ZIP64_LIMIT", 100)  # as if the tensors were huge
    ember.save([ember.arange(40.0), ember.ones(3)], tmp_path / "big.pt")
    assert torch.load(tmp_path / "big.pt")[0].tolist() == list(range(40))
    assert ember.load(tmp_path / "big.pt")[0].tolist() == list(range(40))


def test_storages_alone(tmp_path):
    ember.save(ember.arange(3.0)._typed_storage(), tmp_path / "storage.pt")
    with warnings.catch_warnings():  # torch's deprecation of TypedStorage
        warnings.simplefilter("ignore", UserWarning)
        assert torch.load(tmp_path / "storage.pt").tolist() == [0.0, 1.0, 2.0]
    torch.save(torch.arange(3.0).untyped_storage(), tmp_path / "untyped.pt")
    loaded = ember.load(tmp_path / "untyped.pt")
    assert loaded.dtype is ember.uint8 and loaded.tolist() == list(
        torch.arange(3.0).untyped_storage())


def test_two_dtypes_on_one_storage_is_refused(save_options):
    tensor = ember.zeros(4)
    other_view = ember.tensor([0], dtype=ember.int32).set_(tensor.untyped_storage(), 0, (4,))
    with pytest.raises(RuntimeError, match="view the same data as different types"):
        ember.save([tensor, other_view], io.BytesIO(), **save_options)


# --- models and optimizers ---------------------------------------------------------------


def assert_same_state(ember_state, torch_state):
    assert list(ember_state) == list(torch_state)
    for name, value in ember_state.items():
        assert_same(value, torch_state[name])


def build_model(nn):
    return nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))


def test_model_state_dict_both_ways(save_options, tmp_path):
    ember.manual_seed(0)
    ember_model = build_model(ember.nn)
    torch_model = build_model(torch.nn)
    ember.save(ember_model.state_dict(), tmp_path / "ember.pt", **save_options)
    torch_model.load_state_dict(torch.load(tmp_path / "ember.pt"))
    assert_same_state(ember_model.state_dict(), torch_model.state_dict())
    inputs = np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3)
    np.testing.assert_allclose(torch_model(torch.tensor(inputs)).detach().numpy(),
                               ember_model(ember.tensor(inputs)).detach().numpy(), rtol=1e-6)

    torch.manual_seed(1)
    torch_model = build_model(torch.nn)
    torch.save(torch_model.state_dict(), tmp_path / "torch.pt", **save_options)
    ember_model.load_state_dict(ember.load(tmp_path / "torch.pt"))
    assert_same_state(ember_model.state_dict(), torch_model.state_dict())


def optimizer_with_state(module, optimizer_class, **options):
    model = module.nn.Linear(2, 2)
    with module.no_grad():
        model.weight.copy_(module.tensor([[1.0, -2.0], [0.5, 3.0]]))
        model.bias.fill_(0.25)
    optimizer = getattr(module.optim, optimizer_class)(model.parameters(), **options)
    model(module.ones(3, 2)).pow(2).sum().backward()
    optimizer.step()
    return optimizer


@pytest.mark.parametrize("optimizer_class, options", [
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("Adam", {"lr": 0.01, "betas": (0.8, 0.9)}),
])
def test_optimizer_state_dict_both_ways(optimizer_class, options, save_options, tmp_path):
    torch_optimizer = optimizer_with_state(torch, optimizer_class, **options)
    torch.save(torch_optimizer.state_dict(), tmp_path / "torch.pt", **save_options)
    loaded = ember.load(tmp_path / "torch.pt")
    ember_optimizer = getattr(ember.optim, optimizer_class)(ember.nn.Linear(2, 2).parameters())
    ember_optimizer.load_state_dict(loaded)
    state = ember_optimizer.state_dict()
    assert state["param_groups"] == torch_optimizer.state_dict()["param_groups"]
    for index, torch_state in torch_optimizer.state_dict()["state"].items():
        for name, value in torch_state.items():
            assert_same(state["state"][index][name], value)

    ember.save(state, tmp_path / "ember.pt", **save_options)
    fresh = getattr(torch.optim, optimizer_class)(torch.nn.Linear(2, 2).parameters())
    fresh.load_state_dict(torch.load(tmp_path / "ember.pt"))
    assert str(fresh.state_dict()) == str(torch_optimizer.state_dict())


# --- weights-only loading ----------------------------------------------------------------


class RunsCommand:
    def __init__(self, command):
        self.command = command

    def __reduce__(self):
        return os.system, (self.command,)


class CallsGlobal:
    def __init__(self, function, *args):
        self.function, self.args = function, args

    def __reduce__(self):
        return self.function, self.args


class Point:
    def __init__(self, x):
        self.x = x

    def __eq__(self, other):
        return isinstance(other, Point) and other.x == self.x


@pytest.mark.parametrize("writer", [ember.save, torch.save])
def test_a_pickle_that_runs_a_command_is_refused(writer, tmp_path):
    marker = tmp_path / "marker"
    writer({"weight": ember.ones(1) if writer is ember.save else torch.ones(1),
            "payload": RunsCommand(f"touch {marker}")}, tmp_path / "evil.pt")
    with pytest.raises(pickle.UnpicklingError,
                       match=f"Unsupported global: GLOBAL {os.system.__module__}.system"):
        ember.load(tmp_path / "evil.pt")
    assert not marker.exists()


@pytest.mark.parametrize("payload, name", [
    (CallsGlobal(eval, "1 + 1"), "builtins.eval"),
    (CallsGlobal(subprocess.Popen, ["true"]), "subprocess.Popen"),
    (CallsGlobal(getattr, [], "append"), "builtins.getattr"),
    (Point(3), f"{__name__}.Point"),
])
def test_globals_outside_the_allowlist_are_refused(payload, name):
    buffer = io.BytesIO()
    ember.save([payload], buffer)
    buffer.seek(0)
    with pytest.raises(pickle.UnpicklingError, match=f"(?s)Weights only load failed.*GLOBAL {name}"):
        ember.load(buffer)


def test_safe_globals_allow_a_class(tmp_path):
    ember.save({"point": Point(5), "weight": ember.ones(1)}, tmp_path / "point.pt")
    with serialization.safe_globals([Point]):
        assert serialization.get_safe_globals() == [Point]
        assert ember.load(tmp_path / "point.pt")["point"] == Point(5)
    assert serialization.get_safe_globals() == []
    with pytest.raises(pickle.UnpicklingError):
        ember.load(tmp_path / "point.pt")
    serialization.add_safe_globals([(Point, f"{__name__}.Point")])
    try:
        assert ember.load(tmp_path / "point.pt")["point"] == Point(5)
    finally:
        serialization.clear_safe_globals()
    assert serialization.get_safe_globals() == []
    assert ember.load(tmp_path / "point.pt", weights_only=False)["point"] == Point(5)


def test_weights_only_false_reads_torch_objects_as_ember_ones(tmp_path):
    torch.save({"layer": torch.nn.Linear(2, 3)}, tmp_path / "module.pt")
    layer = ember.load(tmp_path / "module.pt", weights_only=False)["layer"]
    assert type(layer) is ember.nn.Linear and type(layer.weight) is ember.nn.Parameter
    with pytest.raises(RuntimeError, match="explicit pickle_module"):
        ember.load(tmp_path / "module.pt", pickle_module=pickle, weights_only=True)
    layer = ember.load(tmp_path / "module.pt", pickle_module=pickle)["layer"]
    assert layer.weight.shape == (3, 2)


# --- crash safety and damaged files ------------------------------------------------------


def test_an_interrupted_save_leaves_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "model.pt"
    ember.save({"version": ember.tensor([1.0])}, path)
    write_record = serialization._ZipWriter.write_record

    def failing_write(self, name, data):
        if name == "data/1":
            raise OSError("disk full")
        write_record(self, name, data)

    monkeypatch.setattr(serialization._ZipWriter, "write_record", failing_write)
    with pytest.raises(OSError, match="disk full"):
        ember.save({"version": ember.tensor([2.0]), "other": ember.zeros(2)}, path)
    assert os.listdir(tmp_path) == ["model.pt"]
    assert ember.load(path)["version"].tolist() == [1.0]


def test_saving_to_a_path_keeps_permissions_and_reports_missing_folders(tmp_path):
    path = tmp_path / "model.pt"
    ember.save([1], path)
    os.chmod(path, 0o600)
    ember.save([2], path)
    assert os.stat(path).st_mode & 0o777 == 0o600 and ember.load(path) == [2]
    with pytest.raises(RuntimeError, match="Parent directory .* does not exist"):
        ember.save([1], tmp_path / "missing" / "model.pt")


def rewrite_archive(source, target, change):
    """Copy the zip archive ``source`` to ``target``, records passed through ``change(name,
    data)``, which returns new bytes or None to drop the record."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            data = change(info.filename.split("/", 1)[1], old.read(info))
            if data is not None:
                new.writestr(info.filename, data)


@pytest.fixture
def checkpoint(tmp_path):
    path = tmp_path / "good.pt"
    ember.save({"weight": ember.arange(6.0), "bias": ember.ones(2)}, path)
    return path


@pytest.mark.parametrize("keep", [0.3, 0.9, 0.99])
def test_truncated_files_raise(checkpoint, keep):
    data = checkpoint.read_bytes()
    checkpoint.write_bytes(data[:int(len(data) * keep)])
    with pytest.raises(RuntimeError, match="truncated|corrupted"):
        ember.load(checkpoint)


@pytest.mark.parametrize("record", ["data.pkl", "data/0"])
def test_flipped_bits_are_caught_by_the_checksum(checkpoint, record):
    archive = zipfile.ZipFile(checkpoint)
    info = archive.getinfo(f"good/{record}")
    data = bytearray(checkpoint.read_bytes())
    start = info.header_offset + 30 + struct.unpack_from("<HH", data, info.header_offset + 26)[0]
    start += struct.unpack_from("<HH", data, info.header_offset + 26)[1]
    data[start + info.file_size // 2] ^= 0x10
    checkpoint.write_bytes(bytes(data))
    with pytest.raises(RuntimeError, match=f"CRC-32 check failed for record good/{record}"):
        ember.load(checkpoint)


def test_random_damage_raises_or_changes_nothing():
    buffer = io.BytesIO()
    base = ember.arange(12.0).reshape(3, 4)
    ember.save({"base": base, "view": base[1:, ::2], "param": ember.nn.Parameter(ember.ones(2)),
                "values": [1, "a", None, 2.5], "size": ember.Size([3])}, buffer)
    original = buffer.getvalue()
    expected = repr(ember.load(io.BytesIO(original)))
    rng = np.random.default_rng(0)
    for trial in range(300):
        damaged = bytearray(original)
        if trial % 2:
            del damaged[rng.integers(len(damaged)):]
        else:
            for position in rng.integers(len(damaged), size=2):
                damaged[position] ^= 1 << rng.integers(8)
        try:
            loaded = ember.load(io.BytesIO(bytes(damaged)))
        except (RuntimeError, pickle.UnpicklingError):
            continue
        assert repr(loaded) == expected  # the damage hit padding or unused fields


def test_missing_and_short_storage_records_raise(checkpoint, tmp_path):
    rewrite_archive(checkpoint, tmp_path / "missing.pt",
                    lambda name, data: None if name == "data/1" else data)
    with pytest.raises(RuntimeError, match="no record good/data/1"):
        ember.load(tmp_path / "missing.pt")
    rewrite_archive(checkpoint, tmp_path / "short.pt",
                    lambda name, data: data[:-4] if name == "data/0" else data)
    with pytest.raises(RuntimeError, match="data/0 holds 20 bytes but its storage needs 24"):
        ember.load(tmp_path / "short.pt")
    (tmp_path / "garbage.pt").write_bytes(b"not a checkpoint at all")
    with pytest.raises(pickle.UnpicklingError):
        ember.load(tmp_path / "garbage.pt")


def test_a_view_past_its_storage_raises(checkpoint, tmp_path):
    # the pickle claims 6 elements from offset 4 of a 6-element storage
    rewrite_archive(checkpoint, tmp_path / "past.pt", lambda name, data: data.replace(
        b"K\x00K\x06\x85", b"K\x04K\x06\x85") if name == "data.pkl" else data)
    with pytest.raises(RuntimeError, match="out of bounds for storage of size 24"):
        ember.load(tmp_path / "past.pt")


# --- mmap, map_location, file objects, legacy format -------------------------------------


def test_mmap_maps_the_storages(checkpoint):
    loaded = ember.load(checkpoint, mmap=True)
    assert isinstance(loaded["weight"].untyped_storage()._bytes, np.memmap)
    assert loaded["weight"].tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    loaded["weight"].fill_(7.0)  # copy-on-write: the file keeps its values
    assert ember.load(checkpoint)["weight"].tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    with pytest.raises(ValueError, match="f must be a file path"):
        ember.load(io.BytesIO(checkpoint.read_bytes()), mmap=True)


def test_map_location_forms(checkpoint, tmp_path):
    rewrite_archive(checkpoint, tmp_path / "cuda.pt", lambda name, data: data.replace(
        b"X\x03\x00\x00\x00cpu", b"X\x06\x00\x00\x00cuda:0") if name == "data.pkl" else data)
    with pytest.raises(RuntimeError, match="CUDA device but torch.cuda.is_available"):
        ember.load(tmp_path / "cuda.pt")
    seen = []

    def keep_on_cpu(storage, location):
        seen.append(location)
        return storage

    for map_location in ("cpu", ember.device("cpu"), {"cuda:0": "cpu"}, keep_on_cpu,
                         lambda storage, location: None if location == "cpu" else storage):
        loaded = ember.load(tmp_path / "cuda.pt", map_location=map_location)
        assert loaded["weight"].tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
        assert loaded["weight"].device == ember.device("cpu")
    assert seen == ["cuda:0", "cuda:0"]
    with pytest.raises(RuntimeError, match="should return a storage or None"):
        ember.load(checkpoint, map_location=lambda storage, location: "cpu")


def test_big_endian_files_are_byteswapped(checkpoint, tmp_path):
    def as_big_endian(name, data):
        if name == "byteorder":
            return b"big"
        if name.startswith("data/"):
            return np.frombuffer(data, np.float32).byteswap().tobytes()
        return data

    rewrite_archive(checkpoint, tmp_path / "big.pt", as_big_endian)
    loaded = ember.load(tmp_path / "big.pt")
    assert loaded["weight"].tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    assert loaded["bias"].tolist() == [1.0, 1.0]


def test_file_objects(tmp_path):
    buffer = io.BytesIO()
    ember.save({"weight": ember.arange(3)}, buffer)
    buffer.seek(0)
    assert torch.load(buffer)["weight"].tolist() == [0, 1, 2]
    buffer.seek(0)
    assert ember.load(buffer)["weight"].tolist() == [0, 1, 2]
    torch_buffer = io.BytesIO()
    torch.save(torch.arange(3.0), torch_buffer)
    torch_buffer.seek(0)
    assert ember.load(torch_buffer).tolist() == [0.0, 1.0, 2.0]
    class WriteOnly:  # no seek, no tell: the archive is written front to back
        def __init__(self):
            self.chunks = []

        def write(self, data):
            self.chunks.append(bytes(data))

    stream = WriteOnly()
    ember.save({"weight": ember.arange(3)}, stream)
    assert torch.load(io.BytesIO(b"".join(stream.chunks)))["weight"].tolist() == [0, 1, 2]
    with open(tmp_path / "file.pt", "wb") as file:
        ember.save([ember.ones(1)], file)
    with open(tmp_path / "file.pt", "rb") as file:
        assert ember.load(file)[0].tolist() == [1.0]


def test_legacy_format(tmp_path):
    base = torch.arange(6.0)
    torch.save({"base": base, "view": base[1:5:2], "int": torch.tensor([1, 2], dtype=torch.int16),
                "param": torch.nn.Parameter(torch.ones(2))}, tmp_path / "legacy.pt",
               _use_new_zipfile_serialization=False)
    loaded = ember.load(tmp_path / "legacy.pt")
    assert_same(loaded["view"], base[1:5:2])
    assert_same(loaded["int"], torch.tensor([1, 2], dtype=torch.int16))
    assert type(loaded["param"]) is ember.nn.Parameter
    loaded["view"][0] = -1.0
    assert loaded["base"][1].item() == -1.0
    data = (tmp_path / "legacy.pt").read_bytes()
    (tmp_path / "legacy.pt").write_bytes(data[:-10])
    with pytest.raises(RuntimeError, match="truncated"):
        ember.load(tmp_path / "legacy.pt")
    with pytest.raises(RuntimeError, match="mmap can only be used"):
        ember.load(tmp_path / "legacy.pt", mmap=True)
