"""default_collate, default_convert and collate with custom maps against torch."""

import collections

import numpy as np
import pytest

from tests.utils.data import LIBS, plain, same_error

Point = collections.namedtuple("Point", ["x", "y"])


class _Row(collections.abc.Sequence):
    """An immutable sequence type that can be rebuilt from a list."""

    def __init__(self, items):
        self.items = list(items)

    def __getitem__(self, index):
        return self.items[index]

    def __len__(self):
        return len(self.items)


class _Frozen(collections.abc.Mapping):
    """A mapping that cannot be rebuilt from a dict (collate falls back to a dict)."""

    def __init__(self, **items):
        self.items = items

    def __getitem__(self, key):
        return self.items[key]

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)


def _same(make_batch, function="default_collate"):
    """The same result from torch's and ember's ``function`` on ``make_batch(lib)``."""
    results = [plain(getattr(lib.utils.data, function)(make_batch(lib))) for lib in LIBS]
    assert results[0] == results[1]


BATCHES = {
    "tensors": lambda lib: [lib.arange(6).view(2, 3) * k for k in range(3)],
    "float_tensors": lambda lib: [lib.ones(2, dtype=lib.float16), lib.zeros(2,
                                                                          dtype=lib.float16)],
    "scalar_tensors": lambda lib: [lib.tensor(1.5), lib.tensor(2.5)],
    "arrays": lambda lib: [np.arange(4, dtype=np.float32).reshape(2, 2), np.ones((2, 2),
                                                                               np.float32)],
    "int_arrays": lambda lib: [np.arange(3, dtype=np.int16), np.arange(3, dtype=np.int16)],
    "numpy_floats": lambda lib: [np.float32(1.5), np.float32(2)],
    "numpy_ints": lambda lib: [np.int32(1), np.int32(-2)],
    "numpy_bools": lambda lib: [np.bool_(True), np.bool_(False)],
    "floats": lambda lib: [1.5, 2.0, -3.25],
    "ints": lambda lib: [1, 2, 3],
    "bools": lambda lib: [True, False],
    "strings": lambda lib: ["a", "bc"],
    "numpy_strings": lambda lib: [np.str_("a"), np.str_("b")],
    "bytes": lambda lib: [b"a", b"b"],
    "dicts": lambda lib: [{"x": lib.tensor([k]), "label": k, "name": str(k)} for k in range(3)],
    "ordered_dicts": lambda lib: [collections.OrderedDict(b=k, a=float(k)) for k in range(2)],
    "frozen_mappings": lambda lib: [_Frozen(a=k) for k in range(2)],
    "namedtuples": lambda lib: [Point(lib.tensor([k, k]), float(k)) for k in range(3)],
    "tuples": lambda lib: [(lib.tensor(k), k) for k in range(3)],
    "lists": lambda lib: [[k, [k * 2.0, str(k)]] for k in range(3)],
    "sequences": lambda lib: [_Row([k, k + 1]) for k in range(2)],
    "nested": lambda lib: [{"pair": (np.array([k, 1]), [k])} for k in range(2)],
}


@pytest.mark.parametrize("name", BATCHES)
def test_default_collate(name):
    _same(BATCHES[name])


def test_default_collate_keeps_sequence_type():
    for lib in LIBS:
        collated = lib.utils.data.default_collate([_Row([1, 2]), _Row([3, 4])])
        assert type(collated) is _Row
        assert plain(collated.items) == plain([lib.tensor([1, 3]), lib.tensor([2, 4])])


@pytest.mark.parametrize("batch, error, match", [
    ([[1, 2], [3]], RuntimeError, "each element in list of batch should be of equal size"),
    ([np.array(["a"]), np.array(["b"])], TypeError,
     "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
     "found <U1"),
    ([object(), object()], TypeError, "found <class 'object'>"),
    ([None, None], TypeError, "found <class 'NoneType'>"),
    ([np.zeros(2), np.zeros(3)], RuntimeError, "stack expects each tensor to be equal size, "
                                               r"but got \[2\] at entry 0 and \[3\] at entry 1"),
])
def test_default_collate_errors(batch, error, match):
    same_error(lambda lib: lib.utils.data.default_collate(batch), error, match)


def test_default_collate_stacks_with_grad():
    for lib in LIBS:
        leaf = lib.ones(2, requires_grad=True)
        batch = lib.utils.data.default_collate([leaf, leaf * 2])
        assert batch.grad_fn.name() == "StackBackward0"


SAMPLES = {
    "tensor": lambda lib: lib.arange(3),
    "array": lambda lib: np.arange(4.0).reshape(2, 2),
    "string_array": lambda lib: np.array(["a", "b"]),
    "object_array": lambda lib: np.array([None, 1], dtype=object),
    "numpy_scalar": lambda lib: np.int64(5),
    "numpy_string": lambda lib: np.str_("text"),
    "number": lambda lib: 2.5,
    "string": lambda lib: "text",
    "dict": lambda lib: {"a": np.zeros(2), "b": [np.float64(1.0), "s"]},
    "frozen_mapping": lambda lib: _Frozen(a=np.ones(1)),
    "namedtuple": lambda lib: Point(np.int8(1), 2),
    "tuple": lambda lib: (np.ones(1), 1),
    "list": lambda lib: [np.ones(1, np.float32), (2, "x")],
    "sequence": lambda lib: _Row([np.ones(1)]),
}


@pytest.mark.parametrize("name", SAMPLES)
def test_default_convert(name):
    _same(SAMPLES[name], "default_convert")


def test_default_convert_shares_numpy_memory():
    import ember

    array = np.zeros(3)
    converted = ember.utils.data.default_convert(array)
    array[1] = 4.0
    assert converted.tolist() == [0.0, 4.0, 0.0]


def _sum_ints(batch, *, collate_fn_map):
    return sum(batch)


def _tagged(batch, *, collate_fn_map):
    return ("tagged", len(batch))


NUMBERS = [{"a": 1, "b": (2, [3])}, {"a": 4, "b": (5, [6])}]
MIXED = [{"a": 1, "b": ("s", b"x")}, {"a": 3, "b": ("t", b"y")}]


@pytest.mark.parametrize("make_map, batch", [
    (lambda lib: {int: _sum_ints}, NUMBERS),
    (lambda lib: {**lib.utils.data._utils.collate.default_collate_fn_map, int: _sum_ints},
     MIXED),
    (lambda lib: {(str, bytes): _tagged, int: _sum_ints}, MIXED),
    (lambda lib: {collections.abc.Mapping: _tagged}, MIXED),
])
def test_collate_with_custom_map(make_map, batch):
    results = [plain(lib.utils.data._utils.collate.collate(batch, collate_fn_map=make_map(lib)))
               for lib in LIBS]
    assert results[0] == results[1]


def test_collate_without_map_refuses_numbers():
    same_error(lambda lib: lib.utils.data._utils.collate.collate([1, 2]), TypeError,
               "found <class 'int'>")
