"""swa_utils against torch: averaged weights, SWALR rates, recomputed batch-norm
statistics."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import ember


def _model(lib):
    lib.manual_seed(0)
    nn = lib.nn
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))


def _train(lib, averaged_options, steps=6):
    model = _model(lib)
    swa = lib.optim.swa_utils
    options = {key: (getattr(swa, value[0])(*value[1:]) if isinstance(value, tuple) else value)
               for key, value in averaged_options.items()}
    averaged = swa.AveragedModel(model, **options)
    optimizer = lib.optim.SGD(model.parameters(), lr=0.1)
    scheduler = swa.SWALR(optimizer, swa_lr=0.05, anneal_epochs=3)
    rates = []
    x = lib.tensor(np.random.default_rng(0).standard_normal((8, 3)), dtype=lib.float32)
    for _ in range(steps):
        optimizer.zero_grad()
        model(x).square().mean().backward()
        optimizer.step()
        scheduler.step()
        averaged.update_parameters(model)
        rates.append(scheduler.get_last_lr())
    swa.update_bn([(x[:4],), (x[4:],)], averaged)
    state = {k: v.detach().numpy().copy() for k, v in averaged.state_dict().items()}
    return rates, state


@pytest.mark.parametrize("options", [
    {}, {"use_buffers": True}, {"avg_fn": ("get_ema_avg_fn", 0.9)},
    {"multi_avg_fn": ("get_ema_multi_avg_fn", 0.8)}, {"multi_avg_fn": ("get_swa_multi_avg_fn",)},
    {"avg_fn": ("get_swa_avg_fn",), "use_buffers": True},
], ids=str)
def test_averaged_model_matches_torch(options):
    mine_rates, mine = _train(ember, options)
    their_rates, theirs = _train(torch, options)
    assert mine_rates == their_rates
    assert list(mine) == list(theirs)
    for key in mine:
        np.testing.assert_allclose(mine[key], theirs[key], rtol=1e-5, atol=1e-6, err_msg=key)


@pytest.mark.parametrize("strategy, epochs", [("cos", 3), ("linear", 4), ("cos", 0)])
def test_swalr_matches_torch(strategy, epochs):
    def rates(lib):
        optimizer = lib.optim.SGD([lib.nn.Parameter(lib.ones(1))], lr=0.5)
        scheduler = lib.optim.swa_utils.SWALR(optimizer, 0.1, anneal_epochs=epochs,
                                              anneal_strategy=strategy)
        result = []
        for _ in range(7):
            optimizer.step()
            scheduler.step()
            result.append(scheduler.get_last_lr()[0])
        return result, sorted(scheduler.state_dict())
    assert rates(ember) == rates(torch)


@pytest.mark.parametrize("case", [
    lambda swa, o: swa.SWALR(o, 0.1, anneal_strategy="step"),
    lambda swa, o: swa.SWALR(o, 0.1, anneal_epochs=-1),
    lambda swa, o: swa.get_ema_avg_fn(1.5),
    lambda swa, o: swa.get_ema_multi_avg_fn(-0.1),
])
def test_errors_match_torch(case):
    def outcome(lib):
        optimizer = lib.optim.SGD([lib.nn.Parameter(lib.ones(1))], lr=0.5)
        try:
            case(lib.optim.swa_utils, optimizer)
        except Exception as error:  # noqa: BLE001  (the exception is what is compared)
            return type(error).__name__, str(error)
        return "ok"
    assert outcome(ember) == outcome(torch)
