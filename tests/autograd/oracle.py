"""Run one autograd program under torch and under ember and compare what comes out.

A program is a function of the library module (``torch`` or ``ember``). Its result is made
plain for comparison: tensors become (dtype, values, requires_grad, grad_fn name), nodes
their names, exceptions their type and message, warnings their category and message.
"""

from __future__ import annotations

import warnings

import numpy as np
import torch

import ember

LIBRARIES = (torch, ember)


# torch gives this warning once per process, so which program sees it depends on test order;
# test_engine.py checks ember's separately.
_ONCE_PER_PROCESS = "Using backward() with create_graph=True"


def plain(value):
    """``value`` with tensors and nodes turned into comparable Python data."""
    if isinstance(value, torch.Tensor | ember.Tensor):
        node = value.grad_fn
        return ("tensor", str(value.dtype).split(".")[-1], tuple(value.shape),
                np.asarray(value.detach().tolist()), value.requires_grad,
                None if node is None else node.name())
    if isinstance(value, list | tuple):
        return type(value)(plain(v) for v in value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if hasattr(value, "name") and hasattr(value, "next_functions"):
        return ("node", value.name())
    return value


def outcome(program, message=True):
    """What ``program`` does under each library: ("ok", result, warnings) or
    ("error", type name, message, warnings)."""
    results = []
    for lib in LIBRARIES:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                result = ("ok", plain(program(lib)))
            except Exception as error:  # noqa: BLE001 - every error is compared
                text = _first_line_block(str(error)) if message else None
                result = ("error", type(error).__name__, text)
        seen = [(w.category.__name__, _first_line_block(str(w.message)) if message else None)
                for w in caught if not str(w.message).startswith(_ONCE_PER_PROCESS)]
        results.append((*result, seen))
    return results


def _first_line_block(text):
    # torch appends C++ origins ("(Triggered internally at ...)") that ember need not copy
    return text.split(" (Triggered internally at")[0].strip()


def assert_same(actual, expected, path="result"):
    if isinstance(expected, np.ndarray):
        assert isinstance(actual, np.ndarray), f"{path}: {actual!r} vs {expected!r}"
        assert actual.shape == expected.shape, f"{path}: {actual} vs {expected}"
        np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-6, equal_nan=True,
                                   err_msg=path)
    elif isinstance(expected, list | tuple):
        assert isinstance(actual, type(expected)) and len(actual) == len(expected), (
            f"{path}: {actual!r} vs {expected!r}")
        for index, (a, e) in enumerate(zip(actual, expected)):
            assert_same(a, e, f"{path}[{index}]")
    elif isinstance(expected, dict):
        assert actual.keys() == expected.keys(), f"{path}: {actual!r} vs {expected!r}"
        for key in expected:
            assert_same(actual[key], expected[key], f"{path}[{key!r}]")
    else:
        assert actual == expected, f"{path}: ember {actual!r} vs torch {expected!r}"


def check(program, message=True):
    """Assert ``program`` gives the same result, error and warnings in both libraries."""
    expected, actual = outcome(program, message)
    assert expected[:2] != ("error", "NameError"), f"the program itself is broken: {expected}"
    assert_same(actual, expected)
