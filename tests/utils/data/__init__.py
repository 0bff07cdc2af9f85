"""Oracle helpers of the ember.utils.data tests: the same code runs with ``lib`` set to torch
and to ember, and the results are compared after :func:`plain`."""

from collections.abc import Mapping, Sequence

import numpy as np
import pytest
import torch

import ember

LIBS = (torch, ember)


def plain(value):
    """A comparable form of a nested result: tensors become (dtype, shape, values); every
    container keeps its type name, so that a list never equals a tuple."""
    if isinstance(value, (torch.Tensor, ember.Tensor)):
        return ("tensor", str(value.dtype), tuple(value.shape), value.tolist())
    if isinstance(value, np.ndarray):
        return ("ndarray", str(value.dtype), value.tolist())
    if isinstance(value, Mapping):
        return (type(value).__name__, {key: plain(value[key]) for key in value})
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        return (type(value).__name__, [plain(item) for item in value])
    return (type(value).__name__, value)


def same_under_seed(run, seed=0):
    """``run(lib)`` gives the same result for torch and ember after ``manual_seed(seed)``, and
    leaves the default generator in the same state."""
    results = []
    for lib in LIBS:
        lib.manual_seed(seed)
        results.append((plain(run(lib)), lib.rand(3).tolist()))
    assert results[0] == results[1]
    return results[0][0]


def same_error(run, error, match):
    """``run(lib)`` raises ``error`` with a message matching ``match`` in torch and ember."""
    for lib in LIBS:
        with pytest.raises(error, match=match):
            run(lib)
