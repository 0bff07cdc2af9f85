"""Learning-rate schedulers against torch: the same rates (and cycled momenta) step by
step, the same state_dict, warnings and errors."""

from __future__ import annotations

import math
import warnings

import pytest
import torch

import ember

LIBS = (torch, ember)


def _optimizer(lib, name="SGD", groups=1, **options):
    lib.manual_seed(0)
    params = [lib.nn.Parameter(lib.randn(2)) for _ in range(groups)]
    options = {"lr": 0.1, "momentum": 0.9, **options} if name == "SGD" else {"lr": 0.1,
                                                                              **options}
    return getattr(lib.optim, name)([{"params": [p]} for p in params], **options)


def _sched(lib):
    return lib.optim.lr_scheduler


def _history(lib, build, epochs=25, metrics=None, optimizer_name="SGD", groups=1):
    """(lr, momentum or beta1) of every group after each epoch, and the scheduler."""
    optimizer = _optimizer(lib, optimizer_name, groups)
    scheduler = build(_sched(lib), optimizer)
    history = []
    for epoch in range(epochs):
        optimizer.step()
        if metrics is None:
            scheduler.step()
        else:
            scheduler.step(metrics[epoch])
        momentum = [g.get("momentum", g.get("betas", (None,))[0])
                    for g in optimizer.param_groups]
        history.append((list(scheduler.get_last_lr()), momentum))
    return history, scheduler


CASES = {
    "LambdaLR": lambda s, o: s.LambdaLR(o, lambda epoch: 0.95 ** epoch),
    "LambdaLR_groups": lambda s, o: s.LambdaLR(o, [lambda e: 1 / (e + 1), lambda e: 0.9 ** e]),
    "MultiplicativeLR": lambda s, o: s.MultiplicativeLR(o, lambda epoch: 0.97),
    "StepLR": lambda s, o: s.StepLR(o, step_size=4, gamma=0.5),
    "MultiStepLR": lambda s, o: s.MultiStepLR(o, milestones=[3, 7, 7, 15], gamma=0.3),
    "ConstantLR": lambda s, o: s.ConstantLR(o, factor=0.25, total_iters=6),
    "LinearLR": lambda s, o: s.LinearLR(o, start_factor=0.2, end_factor=0.9, total_iters=10),
    "ExponentialLR": lambda s, o: s.ExponentialLR(o, gamma=0.93),
    "PolynomialLR": lambda s, o: s.PolynomialLR(o, total_iters=12, power=2.0),
    "CosineAnnealingLR": lambda s, o: s.CosineAnnealingLR(o, T_max=7, eta_min=0.001),
    "CosineAnnealingWarmRestarts": lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=3,
                                                                              T_mult=2),
    "CyclicLR_triangular": lambda s, o: s.CyclicLR(o, 0.01, 0.1, step_size_up=4),
    "CyclicLR_triangular2": lambda s, o: s.CyclicLR(o, [0.01, 0.02], 0.1, step_size_up=3,
                                                    step_size_down=5, mode="triangular2"),
    "CyclicLR_exp_range": lambda s, o: s.CyclicLR(o, 0.01, 0.1, step_size_up=3,
                                                  mode="exp_range", gamma=0.9),
    "CyclicLR_custom": lambda s, o: s.CyclicLR(o, 0.01, 0.1, step_size_up=3,
                                               scale_fn=lambda x: 1 / (x + 1),
                                               scale_mode="iterations",
                                               cycle_momentum=False),
    "OneCycleLR_cos": lambda s, o: s.OneCycleLR(o, max_lr=1.0, total_steps=30),
    "OneCycleLR_linear_three_phase": lambda s, o: s.OneCycleLR(
        o, max_lr=[1.0, 0.5], epochs=3, steps_per_epoch=10, anneal_strategy="linear",
        three_phase=True, pct_start=0.25),
    "SequentialLR": lambda s, o: s.SequentialLR(o, [s.LinearLR(o, 0.1, total_iters=5),
                                                    s.ExponentialLR(o, 0.9),
                                                    s.StepLR(o, 3)], milestones=[5, 12]),
    "ChainedScheduler": lambda s, o: s.ChainedScheduler([s.ConstantLR(o, 0.5, 4),
                                                         s.ExponentialLR(o, 0.9)]),
}


PER_GROUP_CASES = ("LambdaLR_groups", "CyclicLR_triangular2", "OneCycleLR_linear_three_phase")


@pytest.mark.parametrize("name, groups", [(name, groups) for name in CASES for groups in (1, 2)
                                          if groups == 2 or name not in PER_GROUP_CASES])
def test_schedule_matches_torch(name, groups):
    mine, scheduler = _history(ember, CASES[name], epochs=29, groups=groups)
    theirs, expected = _history(torch, CASES[name], epochs=29, groups=groups)
    assert mine == theirs
    assert scheduler.state_dict().keys() == expected.state_dict().keys()


@pytest.mark.parametrize("optimizer_name", ["Adam", "SGD"])
def test_one_cycle_cycles_beta1_or_momentum(optimizer_name):
    build = CASES["OneCycleLR_cos"]
    mine, _ = _history(ember, build, 30, optimizer_name=optimizer_name)
    theirs, _ = _history(torch, build, 30, optimizer_name=optimizer_name)
    assert mine == theirs


@pytest.mark.parametrize("options", [
    {}, {"mode": "max"}, {"threshold_mode": "abs", "threshold": 0.05},
    {"patience": 2, "cooldown": 2, "factor": 0.5, "min_lr": 0.01},
    {"patience": 0, "min_lr": [0.02, 0.001], "eps": 0.005},
])
def test_reduce_on_plateau(options):
    metrics = [1.0, 0.9, 0.95, 0.95, 0.96, 0.9, 0.9, 0.89, 0.9, 0.91] * 3
    groups = 2 if isinstance(options.get("min_lr"), list) else 1

    def build(s, o):
        return s.ReduceLROnPlateau(o, **options)
    mine, scheduler = _history(ember, build, 30, metrics, groups=groups)
    theirs, expected = _history(torch, build, 30, metrics, groups=groups)
    assert mine == theirs
    assert scheduler.state_dict() == expected.state_dict()


def test_state_dict_round_trip_resumes_the_schedule():
    optimizer = _optimizer(ember)
    scheduler = ember.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=10)
    for _ in range(4):
        optimizer.step()
        scheduler.step()
    saved_optimizer, saved = optimizer.state_dict(), scheduler.state_dict()
    continued = []
    for _ in range(3):
        optimizer.step()
        scheduler.step()
        continued.append(scheduler.get_last_lr()[0])
    optimizer = _optimizer(ember)
    optimizer.load_state_dict(saved_optimizer)
    resumed = ember.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=10)
    resumed.load_state_dict(saved)
    again = []
    for _ in range(3):
        optimizer.step()
        resumed.step()
        again.append(resumed.get_last_lr()[0])
    assert again == continued


@pytest.mark.parametrize("name", ["StepLR", "MultiStepLR", "ExponentialLR", "LinearLR",
                                  "ConstantLR", "PolynomialLR", "CosineAnnealingLR"])
def test_explicit_epoch_uses_the_closed_form_and_warns(name):
    def run(lib):
        optimizer = _optimizer(lib)
        scheduler = CASES[name](_sched(lib), optimizer)
        optimizer.step()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            scheduler.step(7)
        return scheduler.get_last_lr(), [str(w.message)[:40] for w in caught]
    assert run(ember) == run(torch)


def _outcome(function):
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            function()
    except Exception as error:  # noqa: BLE001  (the exception is what is compared)
        return type(error).__name__, str(error).replace("torch.", "")
    return "ok", [str(w.message) for w in caught]


@pytest.mark.parametrize("case", [
    lambda s, o: s.StepLR(o, 2).step() or s.StepLR(o, 2),  # scheduler step before optimizer
    lambda s, o: s.StepLR(o, 2).get_lr(),
    lambda s, o: s.StepLR(object(), 2),
    lambda s, o: s.StepLR(o, 2, last_epoch=3),
    lambda s, o: s.ConstantLR(o, factor=2.0),
    lambda s, o: s.LinearLR(o, start_factor=0),
    lambda s, o: s.LinearLR(o, end_factor=1.5),
    lambda s, o: s.LambdaLR(o, [lambda e: 1, lambda e: 1]),
    lambda s, o: s.MultiplicativeLR(o, 0.5),
    lambda s, o: s.ReduceLROnPlateau(o, factor=1.0),
    lambda s, o: s.ReduceLROnPlateau(o, mode="middle"),
    lambda s, o: s.ReduceLROnPlateau(o, min_lr=[0.1, 0.2]),
    lambda s, o: s.CyclicLR(o, 0.1, 1.0, mode="sawtooth"),
    lambda s, o: s.CyclicLR(o, [0.1, 0.2], 1.0),
    lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=0),
    lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=0),
    lambda s, o: s.OneCycleLR(o, 1.0),
    lambda s, o: s.OneCycleLR(o, 1.0, total_steps=0),
    lambda s, o: s.OneCycleLR(o, 1.0, total_steps=10, pct_start=1),
    lambda s, o: s.OneCycleLR(o, 1.0, total_steps=10, anneal_strategy="square"),
    lambda s, o: s.SequentialLR(o, [], []),
    lambda s, o: s.SequentialLR(o, [s.StepLR(o, 2)], [3]),
    lambda s, o: s.ChainedScheduler([]),
])
def test_errors_and_warnings_match_torch(case):
    def run(lib):
        return _outcome(lambda: case(_sched(lib), _optimizer(lib)))
    assert run(ember) == run(torch)


def test_one_cycle_refuses_to_step_past_its_end():
    optimizer = _optimizer(ember)
    scheduler = ember.optim.lr_scheduler.OneCycleLR(optimizer, 1.0, total_steps=2)
    optimizer.step()
    scheduler.step()
    scheduler.step()
    with pytest.raises(ValueError, match="Tried to step 3 times"):
        scheduler.step()
    assert math.isfinite(scheduler.get_last_lr()[0])
