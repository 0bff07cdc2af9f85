"""Helpers that run the same code on torch and on ember and compare what comes out: layout
(shape, strides, storage offset, contiguity), values, storage sharing and errors."""

import subprocess
import sys
import textwrap
import warnings

import numpy as np
import torch

import ember


def pair(shape, dtype="float32", *, start=0):
    """The same distinct values as a torch tensor and an ember tensor, each owning a copy."""
    values = np.arange(start, start + int(np.prod(shape)), dtype=np.int64).astype(dtype)
    # from a flat array, so that empty tensors get the strides of a fresh tensor
    return (torch.from_numpy(values).view(shape).clone(),
            ember.from_numpy(values).view(shape).clone())


def layout(tensor):
    return (tuple(tensor.shape), tensor.stride(), tensor.storage_offset(),
            tensor.is_contiguous(), str(tensor.dtype))


def assert_same(actual, expected, where=""):
    """An ember tensor matches a torch tensor in layout and values."""
    assert isinstance(actual, ember.Tensor), f"{where}: got {type(actual).__name__}"
    assert layout(actual) == layout(expected), f"{where}: {layout(actual)} != {layout(expected)}"
    assert actual.tolist() == expected.tolist(), f"{where}: values differ"


def assert_same_results(actual, expected, where=""):
    """Tensors, or tuples of tensors, match."""
    if isinstance(expected, tuple | list):
        assert isinstance(actual, tuple | list) and len(actual) == len(expected), where
        for i, (a, e) in enumerate(zip(actual, expected)):
            assert_same(a, e, f"{where}[{i}]")
    else:
        assert_same(actual, expected, where)


def outcome(function, *args):
    """What ``function(*args)`` gives: ("ok", result) or ("raise", type, message)."""
    try:
        return ("ok", function(*args))
    except Exception as error:  # the oracle decides which exceptions are right
        return ("raise", type(error), str(error).split("\nException raised from")[0])


def assert_same_error(function, torch_args, ember_args, *, message=True):
    """``function`` raises the same exception type (and message) on both libraries."""
    expected = outcome(function, *torch_args)
    actual = outcome(function, *ember_args)
    assert expected[0] == "raise", f"torch did not raise: {expected}"
    assert actual[0] == "raise", f"ember did not raise, torch raised {expected[1:]}"
    assert actual[1] is expected[1], f"{actual[1:]} != torch's {expected[1:]}"
    if message:
        assert actual[2] == expected[2], f"{actual[2]!r} != torch's {expected[2]!r}"


def shares_memory(view, base):
    return view.untyped_storage().data_ptr() == base.untyped_storage().data_ptr()


def byte_distance(view, base):
    return view.data_ptr() - base.data_ptr()


def quiet(function, *args):
    """``function(*args)`` with warnings ignored (for tests about something else)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(*args)


_WARNINGS_SCRIPT = """
import warnings
import {module} as lib

seen = []
for action in {actions!r}:
    for _ in range({repeat}):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            exec(action)
        seen.append((action, [(w.category.__name__,
                     str(w.message).split(" (Triggered internally")[0]) for w in caught]))
print(repr(seen))
"""


def warnings_in_fresh_process(module, actions, repeat=2):
    """The warnings that each statement of ``actions`` gives, each run ``repeat`` times in
    order, in a fresh process where ``lib`` is ``module`` (so that warnings given once per
    process show as they would in a user's program)."""
    script = textwrap.dedent(_WARNINGS_SCRIPT.format(module=module, actions=list(actions),
                                                     repeat=repeat))
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=True)
    return result.stdout
