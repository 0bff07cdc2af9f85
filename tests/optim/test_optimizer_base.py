"""Optimizer's base behaviour against torch: parameter groups, state_dict layout and
loading, zero_grad, hooks, repr and errors."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import torch

import ember
from tests.optim.optim_oracle import normalized_state_dict, small_model, trajectory

LIBS = (torch, ember)


def _both(function):
    return [function(lib) for lib in LIBS]


def test_repr_and_groups_match_torch():
    def build(lib):
        model = small_model(lib)
        return lib.optim.SGD([{"params": model.hidden.parameters()},
                              {"params": model.output.parameters(), "lr": 0.5}], lr=0.1,
                             momentum=0.9)
    theirs, mine = _both(build)
    assert repr(mine) == repr(theirs)
    assert [sorted(g) for g in mine.param_groups] == [sorted(g) for g in theirs.param_groups]


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW"])
def test_state_dict_layout_matches_torch(name):
    def make(lib, model):
        options = {"momentum": 0.9} if name == "SGD" else {}
        return getattr(lib.optim, name)(model.parameters(), lr=0.01, **options)
    _, mine = trajectory(ember, make, steps=3)
    _, theirs = trajectory(torch, make, steps=3)
    assert normalized_state_dict(mine.state_dict()) == normalized_state_dict(
        theirs.state_dict())


@pytest.mark.parametrize("name", ["SGD", "Adam"])
def test_torch_state_dict_loads_and_continues_like_torch(name):
    def make(lib, model):
        options = {"momentum": 0.9} if name == "SGD" else {}
        return getattr(lib.optim, name)(model.parameters(), lr=0.01, **options)
    _, theirs = trajectory(torch, make, steps=3)
    saved = theirs.state_dict()
    converted = {"param_groups": saved["param_groups"],
                 "state": {k: {key: ember.tensor(v.numpy()) for key, v in s.items()}
                           for k, s in saved["state"].items()}}
    model = small_model(ember)
    optimizer = make(ember, model)
    optimizer.load_state_dict(converted)
    assert normalized_state_dict(optimizer.state_dict()) == normalized_state_dict(saved)


def test_load_state_dict_errors():
    model = small_model(ember)
    optimizer = ember.optim.SGD(model.parameters(), lr=0.1)
    other = ember.optim.SGD([{"params": model.hidden.parameters()},
                             {"params": model.output.parameters()}], lr=0.1)
    with pytest.raises(ValueError, match="different number of parameter groups"):
        optimizer.load_state_dict(other.state_dict())
    smaller = ember.optim.SGD(model.hidden.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="doesn't match the size"):
        optimizer.load_state_dict(smaller.state_dict())


@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad(set_to_none):
    def run(lib):
        model = small_model(lib)
        optimizer = lib.optim.SGD(model.parameters(), lr=0.1)
        model(lib.ones(1, 4)).sum().backward()
        optimizer.zero_grad(set_to_none=set_to_none)
        return [None if p.grad is None else p.grad.tolist() for p in model.parameters()]
    theirs, mine = _both(run)
    assert mine == theirs


def _outcome(function):
    try:
        function()
    except Exception as error:  # noqa: BLE001  (the exception is what is compared)
        return type(error).__name__, str(error)
    return "ok", None


@pytest.mark.parametrize("case", [
    lambda lib: lib.optim.SGD([], lr=0.1),
    lambda lib: lib.optim.SGD(lib.ones(2, requires_grad=True), lr=0.1),
    lambda lib: lib.optim.SGD([lib.ones(2, requires_grad=True) * 2], lr=0.1),
    lambda lib: lib.optim.SGD([1.0], lr=0.1),
    lambda lib: lib.optim.SGD({lib.ones(2, requires_grad=True)}, lr=0.1),
    lambda lib: lib.optim.SGD([lib.ones(2, requires_grad=True)], lr=-1),
    lambda lib: lib.optim.SGD([lib.ones(2, requires_grad=True)], momentum=-1),
    lambda lib: lib.optim.SGD([lib.ones(2, requires_grad=True)], weight_decay=-1),
    lambda lib: lib.optim.SGD([lib.ones(2, requires_grad=True)], nesterov=True),
    lambda lib: lib.optim.Adam([lib.ones(2, requires_grad=True)], betas=(1.0, 0.9)),
    lambda lib: lib.optim.Adam([lib.ones(2, requires_grad=True)], betas=(0.9, -0.1)),
    lambda lib: lib.optim.Adam([lib.ones(2, requires_grad=True)], eps=-1.0),
    lambda lib: lib.optim.Adam([lib.ones(2, requires_grad=True)], betas=(0.9, 1)),
])
def test_construction_errors_match_torch(case):
    assert _outcome(lambda: case(ember)) == _outcome(lambda: case(torch))


def test_add_param_group_rejects_overlap_and_fills_defaults():
    model = small_model(ember)
    optimizer = ember.optim.Adam(model.hidden.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="more than one parameter group"):
        optimizer.add_param_group({"params": model.hidden.weight})
    optimizer.add_param_group({"params": model.output.parameters(), "lr": 0.5})
    assert optimizer.param_groups[1]["lr"] == 0.5
    assert optimizer.param_groups[1]["betas"] == (0.9, 0.999)


def test_named_parameters_are_kept_as_param_names():
    for lib in LIBS:
        model = small_model(lib)
        optimizer = lib.optim.SGD(model.named_parameters(), lr=0.1)
        assert optimizer.param_groups[0]["param_names"] == [
            "hidden.weight", "hidden.bias", "output.weight", "output.bias"]
        assert optimizer.state_dict()["param_groups"][0]["param_names"][0] == "hidden.weight"


def test_step_hooks_run_in_order_and_can_be_removed():
    model = small_model(ember)
    optimizer = ember.optim.SGD(model.parameters(), lr=0.1)
    calls = []
    pre = optimizer.register_step_pre_hook(lambda opt, args, kwargs: calls.append("pre"))
    optimizer.register_step_post_hook(lambda opt, args, kwargs: calls.append("post"))
    handle = ember.optim.optimizer.register_optimizer_step_pre_hook(
        lambda opt, args, kwargs: calls.append("global"))
    optimizer.step()
    pre.remove()
    handle.remove()
    optimizer.step()
    assert calls == ["global", "pre", "post", "post"]


def test_step_runs_without_grad_and_closure_with_grad():
    model = small_model(ember)
    optimizer = ember.optim.SGD(model.parameters(), lr=0.1)

    def closure():
        assert ember.is_grad_enabled()
        loss = model(ember.ones(1, 4)).sum()
        loss.backward()
        return loss
    loss = optimizer.step(closure)
    assert loss.requires_grad
    assert all(not p.grad_fn for p in model.parameters())


def test_optimizer_pickles():
    model = small_model(ember)
    optimizer = ember.optim.Adam(model.parameters(), lr=0.1)
    model(ember.ones(1, 4)).sum().backward()
    optimizer.step()
    restored = pickle.loads(pickle.dumps(optimizer))
    assert restored.defaults == optimizer.defaults
    np.testing.assert_array_equal(
        list(restored.state.values())[0]["exp_avg"].numpy(),
        list(optimizer.state.values())[0]["exp_avg"].numpy())
