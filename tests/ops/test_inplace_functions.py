"""The top-level in-place functions (``torch.exp_(x)``) are the Tensor methods of the same
names, and there is one for each that torch has."""

from __future__ import annotations

import pytest
import torch

import ember
from ember.ops.inplace_functions import __all__ as NAMES


def test_every_top_level_inplace_function_of_torch_exists():
    expected = {name for name in dir(torch) if name.endswith("_") and not name.startswith("_")
                and hasattr(torch.Tensor, name)} - {"resize_as_sparse_"}
    assert set(NAMES) == expected


@pytest.mark.parametrize("name", NAMES)
def test_is_the_method(name):
    assert getattr(ember, name) is getattr(ember.Tensor, name)


@pytest.mark.parametrize("name, args", [("exp_", ()), ("clamp_", (0.0, 1.0)), ("fill_", (3,)),
                                        ("zero_", ()), ("sigmoid_", ()), ("xlogy_", (2.0,))])
def test_updates_in_place_like_torch(name, args):
    results = []
    for L in (torch, ember):
        x = L.tensor([0.5, -1.5, 2.0])
        assert getattr(L, name)(x, *args) is x
        results.append(x.tolist())
    assert results[0] == pytest.approx(results[1])
