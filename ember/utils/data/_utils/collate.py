"""Turning a list of samples into a batch (``default_collate``) and converting single samples
(``default_convert``), as ``torch.utils.data._utils.collate``.

A batch keeps the structure of its samples: tensors, NumPy arrays and numbers are stacked
along a new first dimension; mappings, namedtuples and sequences are collated field by
field; strings are kept as a list.
"""

from __future__ import annotations

import collections.abc
import copy
import re
from collections.abc import Callable

import numpy as np

import ember
from ember._storage import UntypedStorage
from ember._tensor import Tensor
from ember.utils.data import _utils

__all__ = ["collate", "default_collate", "default_convert", "default_collate_fn_map",
           "collate_tensor_fn", "collate_numpy_array_fn", "collate_numpy_scalar_fn",
           "collate_float_fn", "collate_int_fn", "collate_str_fn"]

# NumPy dtype kinds that cannot become tensors: bytes, strings, unicode, objects.
np_str_obj_array_pattern = re.compile(r"[SaUO]")

default_collate_err_msg_format = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
    "found {}")

CollateFnMap = dict[type | tuple[type, ...], Callable]


def _rebuild_like(template, values: dict | list):
    """A container of ``template``'s type holding ``values`` (a dict for mappings, a list
    for sequences). Mutable containers are shallow-copied and filled in, so their other
    attributes survive; a type that cannot be rebuilt gives a plain dict or list."""
    try:
        if isinstance(template, collections.abc.MutableMapping):
            clone = copy.copy(template)
            clone.update(values)
            return clone
        if isinstance(template, collections.abc.MutableSequence):
            clone = copy.copy(template)
            for position, value in enumerate(values):
                clone[position] = value
            return clone
        return type(template)(values)
    except TypeError:
        return values


def _is_namedtuple(value) -> bool:
    return isinstance(value, tuple) and hasattr(value, "_fields")


def default_convert(data):
    """Convert one sample: NumPy arrays and scalars become tensors (sharing memory where
    possible), containers are converted element-wise, anything else is returned as is.
    This is the ``collate_fn`` of a DataLoader without automatic batching."""
    if isinstance(data, Tensor):
        return data
    data_type = type(data)
    if data_type.__module__ == "numpy" and data_type.__name__ not in ("str_", "string_"):
        is_text_array = (isinstance(data, np.ndarray)
                         and np_str_obj_array_pattern.search(data.dtype.str) is not None)
        return data if is_text_array else ember.as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        return _rebuild_like(data, {key: default_convert(data[key]) for key in data})
    if _is_namedtuple(data):
        return data_type(*(default_convert(field) for field in data))
    if isinstance(data, tuple):
        return [default_convert(item) for item in data]  # tuples become lists, as in PyTorch
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _rebuild_like(data, [default_convert(item) for item in data])
    return data


def _find_collate_fn(collate_fn_map: CollateFnMap, element):
    """The function registered for ``element``'s exact type, else the first registered type
    (in insertion order) that ``element`` is an instance of."""
    exact = collate_fn_map.get(type(element))
    if exact is not None:
        return exact
    for registered, function in collate_fn_map.items():
        if isinstance(element, registered):
            return function
    return None


def collate(batch, *, collate_fn_map: CollateFnMap | None = None):
    """Collate ``batch`` (a list of samples with the same structure), first through
    ``collate_fn_map`` (type -> ``fn(batch, *, collate_fn_map)``), then by the structure of
    the first sample: mappings by key, namedtuples by field, sequences by position.

    Example:
        >>> collate([(1, "a"), (2, "b")], collate_fn_map=default_collate_fn_map)
        [tensor([1, 2]), ('a', 'b')]
    """
    first = batch[0]
    if collate_fn_map is not None:
        collate_fn = _find_collate_fn(collate_fn_map, first)
        if collate_fn is not None:
            return collate_fn(batch, collate_fn_map=collate_fn_map)

    def collate_column(samples):
        return collate(samples, collate_fn_map=collate_fn_map)

    if isinstance(first, collections.abc.Mapping):
        return _rebuild_like(first, {key: collate_column([sample[key] for sample in batch])
                                     for key in first})
    if _is_namedtuple(first):
        return type(first)(*(collate_column(column) for column in zip(*batch)))
    if isinstance(first, collections.abc.Sequence):
        size = len(first)
        if any(len(sample) != size for sample in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        columns = [collate_column(column) for column in zip(*batch)]
        return columns if isinstance(first, tuple) else _rebuild_like(first, columns)
    raise TypeError(default_collate_err_msg_format.format(type(first)))


def collate_tensor_fn(batch, *, collate_fn_map: CollateFnMap | None = None):
    """Stack tensors along a new first dimension. In a DataLoader worker the stack is written
    straight into new shared memory, so that sending the batch to the main process copies
    nothing and has no tensors to re-point (see Note [Shared memory lifetime])."""
    out = None
    if _utils.get_worker_info() is not None:
        first = batch[0]
        nbytes = sum(tensor.numel() for tensor in batch) * first.element_size()
        storage = UntypedStorage._new_shared(nbytes, device=first.device)
        out = ember.empty(0, dtype=first.dtype, device=first.device).set_(
            storage, 0, (len(batch), *first.shape))
    return ember.stack(batch, 0, out=out)


def collate_numpy_array_fn(batch, *, collate_fn_map: CollateFnMap | None = None):
    """Stack NumPy arrays as tensors; arrays of strings or objects are refused."""
    dtype = batch[0].dtype
    if np_str_obj_array_pattern.search(dtype.str) is not None:
        raise TypeError(default_collate_err_msg_format.format(dtype))
    return collate([ember.as_tensor(array) for array in batch], collate_fn_map=collate_fn_map)


def collate_numpy_scalar_fn(batch, *, collate_fn_map: CollateFnMap | None = None):
    """NumPy scalars become a 1-D tensor of their dtype."""
    return ember.as_tensor(batch)


def collate_float_fn(batch, *, collate_fn_map: CollateFnMap | None = None):
    """Python floats become a float64 tensor (not the default dtype)."""
    return ember.tensor(batch, dtype=ember.float64)


def collate_int_fn(batch, *, collate_fn_map: CollateFnMap | None = None):
    """Python ints (and bools) become an int64 (bool) tensor."""
    return ember.tensor(batch)


def collate_str_fn(batch, *, collate_fn_map: CollateFnMap | None = None):
    """Strings and bytes stay a list."""
    return batch


default_collate_fn_map: CollateFnMap = {
    Tensor: collate_tensor_fn,
    np.ndarray: collate_numpy_array_fn,
    (np.bool_, np.number, np.object_): collate_numpy_scalar_fn,
    float: collate_float_fn,
    int: collate_int_fn,
    str: collate_str_fn,
    bytes: collate_str_fn,
}


def default_collate(batch):
    """The default ``collate_fn`` of a batching DataLoader: :func:`collate` with
    :data:`default_collate_fn_map`.

    Example:
        >>> default_collate([{"x": 1.0, "y": [1, 2]}, {"x": 2.0, "y": [3, 4]}])
        {'x': tensor([1., 2.], dtype=torch.float64), 'y': [tensor([1, 3]), tensor([2, 4])]}
    """
    return collate(batch, collate_fn_map=default_collate_fn_map)
