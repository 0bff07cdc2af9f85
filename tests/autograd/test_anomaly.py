"""Anomaly detection against torch: the warning on entering it, NaN gradients named by node."""

from __future__ import annotations

import warnings

import pytest
import torch

import ember
from tests.autograd.oracle import check


def enter_warns(lib):
    with lib.autograd.detect_anomaly():
        return [lib.is_anomaly_enabled(), lib.is_anomaly_check_nan_enabled()]


def set_detect_anomaly_is_silent(lib):
    with lib.autograd.set_detect_anomaly(True):
        inside = lib.is_anomaly_enabled()
    return [inside, lib.is_anomaly_enabled()]


def set_detect_anomaly_function(lib):
    lib.autograd.set_detect_anomaly(True, check_nan=False)
    try:
        return [lib.is_anomaly_enabled(), lib.is_anomaly_check_nan_enabled()]
    finally:
        lib.autograd.set_detect_anomaly(False)


def inf_is_no_anomaly(lib):
    x = lib.tensor([0.0, 1.0], requires_grad=True)
    with lib.autograd.set_detect_anomaly(True):
        x.sqrt().sum().backward()
    return x.grad


def check_nan_off(lib):
    x = lib.tensor([0.0, 1.0], requires_grad=True)
    with lib.autograd.set_detect_anomaly(True, check_nan=False):
        (x / x).sum().backward()
    return x.grad


def nan_without_anomaly_mode(lib):
    x = lib.tensor([0.0, 1.0], requires_grad=True)
    (x / x).sum().backward()
    return x.grad


def decorator(lib):
    @lib.autograd.detect_anomaly()
    def inside():
        return lib.is_anomaly_enabled()

    return [inside(), inside.__name__, lib.is_anomaly_enabled()]


@pytest.mark.parametrize("program", [
    enter_warns, set_detect_anomaly_is_silent, set_detect_anomaly_function, inf_is_no_anomaly,
    check_nan_off, nan_without_anomaly_mode, decorator,
], ids=lambda p: p.__name__)
def test_anomaly(program):
    check(program)


@pytest.mark.parametrize("case", ["div", "log"])
def test_nan_gradient_names_the_node(case):
    """The error and the first line of the warning (the forward traceback differs)."""
    outcomes = []
    for lib in (torch, ember):
        x = lib.tensor([0.0, 1.0], requires_grad=True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with pytest.raises(RuntimeError) as error:
                with lib.autograd.set_detect_anomaly(True):
                    y = x / x if case == "div" else (x - x).log() * 0
                    y.sum().backward()
        lines = [str(w.message).splitlines()[0] for w in caught]
        outcomes.append((str(error.value), lines))
    assert outcomes[1] == outcomes[0]
    assert not ember.is_anomaly_enabled()
