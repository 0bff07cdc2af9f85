"""Each optimizer's trajectory against torch's over 20 steps, for its options."""

from __future__ import annotations

import itertools

import pytest

from tests.optim.optim_oracle import assert_same_trajectory


def _grid(**options):
    names = list(options)
    return [dict(zip(names, values)) for values in itertools.product(*options.values())]


SGD_OPTIONS = _grid(momentum=[0, 0.9], dampening=[0, 0.1], nesterov=[False, True],
                    weight_decay=[0, 0.1], maximize=[False, True])
SGD_OPTIONS = [o for o in SGD_OPTIONS
               if not (o["nesterov"] and (o["momentum"] == 0 or o["dampening"] != 0))]


@pytest.mark.parametrize("options", SGD_OPTIONS, ids=str)
def test_sgd(options):
    # a small rate: maximizing diverges, and growing weights would magnify rounding
    assert_same_trajectory(lambda lib, model: lib.optim.SGD(model.parameters(), lr=0.02,
                                                            **options))


ADAM_OPTIONS = _grid(amsgrad=[False, True], weight_decay=[0, 0.1], maximize=[False, True],
                     decoupled_weight_decay=[False, True])


@pytest.mark.parametrize("options", ADAM_OPTIONS, ids=str)
def test_adam(options):
    assert_same_trajectory(lambda lib, model: lib.optim.Adam(model.parameters(), lr=0.01,
                                                             betas=(0.8, 0.99), **options))


@pytest.mark.parametrize("options", _grid(amsgrad=[False, True], weight_decay=[0.01, 0.5]),
                         ids=str)
def test_adamw(options):
    assert_same_trajectory(lambda lib, model: lib.optim.AdamW(model.parameters(), lr=0.01,
                                                              **options))


def test_per_group_options():
    def make(lib, model):
        return lib.optim.Adam([{"params": model.hidden.parameters(), "lr": 0.1},
                               {"params": model.output.parameters(), "weight_decay": 0.2}],
                              lr=0.01)
    assert_same_trajectory(make)


def test_tensor_learning_rate():
    assert_same_trajectory(lambda lib, model: lib.optim.SGD(model.parameters(),
                                                            lr=lib.tensor(0.05), momentum=0.5))
