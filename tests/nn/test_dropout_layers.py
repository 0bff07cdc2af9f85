"""Dropout layers against torch (see module_oracle): after the same seed the masks are
torch's in training mode; in eval mode every layer is the identity."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from tests.nn.module_oracle import check_module

RNG = np.random.default_rng(0)

# layer name -> input shapes it takes (batched and unbatched forms)
SHAPES = {
    "Dropout": [(4, 5), (2, 3, 4)],
    "Dropout1d": [(3, 4, 5), (4, 5)],
    "Dropout2d": [(2, 3, 4, 4), (3, 4, 4)],
    "Dropout3d": [(2, 3, 2, 2, 2), (3, 2, 2, 2)],
    "AlphaDropout": [(4, 5), (2, 3, 4)],
    "FeatureAlphaDropout": [(2, 6, 3), (2, 4, 2, 2)],
}
CASES = [(name, shape) for name, shapes in SHAPES.items() for shape in shapes]


def _dropout2d_of_3d_warns(name, shape):
    return name == "Dropout2d" and len(shape) == 3


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("p", [0.0, 0.3, 0.8, 1.0])
@pytest.mark.parametrize("name, shape", CASES)
def test_dropout_train_masks(name, shape, p, dtype):
    def run():
        check_module(lambda nn: getattr(nn, name)(p), RNG.standard_normal(shape), dtype=dtype)
    if _dropout2d_of_3d_warns(name, shape):
        with pytest.warns(UserWarning, match="Received a 3D input to dropout2d"):
            run()
    else:
        run()


@pytest.mark.parametrize("name, shape", CASES)
def test_dropout_inplace(name, shape):
    def run():
        check_module(lambda nn: getattr(nn, name)(0.4, inplace=True),
                     RNG.standard_normal(shape), forward=lambda module, x: module(x * 1))
    if _dropout2d_of_3d_warns(name, shape):
        with pytest.warns(UserWarning, match="Received a 3D input to dropout2d"):
            run()
    else:
        run()


@pytest.mark.parametrize("name", list(SHAPES))
def test_dropout_eval_is_identity(name):
    layer = getattr(ember.nn, name)(0.5).eval()
    x = ember.randn(*SHAPES[name][0])
    assert layer(x) is x
    check_module(lambda nn: getattr(nn, name)(0.5), RNG.standard_normal(SHAPES[name][0]),
                 training=False)


@pytest.mark.parametrize("p", [-0.1, 1.5])
@pytest.mark.parametrize("name", list(SHAPES))
def test_dropout_probability_range(name, p):
    with pytest.raises(ValueError, match=f"dropout probability has to be between 0 and 1, "
                                         f"but got {p}"):
        getattr(ember.nn, name)(p)


def test_dropout1d_rank_error():
    with pytest.raises(RuntimeError, match="dropout1d: Expected 2D or 3D input, but received "
                                           "a 4D input"):
        ember.nn.Dropout1d()(ember.ones(1, 2, 3, 4))
