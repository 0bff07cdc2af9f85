"""Anomaly detection: record each node's forward stack and fail on NaN gradients."""

from __future__ import annotations

import warnings

from ember.autograd.graph import _anomaly

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled",
           "is_anomaly_check_nan_enabled"]


def is_anomaly_enabled() -> bool:
    return _anomaly["enabled"]


def is_anomaly_check_nan_enabled() -> bool:
    return _anomaly["enabled"] and _anomaly["check_nan"]


class set_detect_anomaly:
    """Turn anomaly detection on or off, at once and (as a context manager) for a block."""

    def __init__(self, mode: bool, check_nan: bool = True):
        self._previous = dict(_anomaly)
        _anomaly.update(enabled=bool(mode), check_nan=check_nan)

    def __enter__(self):
        pass

    def __exit__(self, *exc_info):
        _anomaly.update(self._previous)


class detect_anomaly(set_detect_anomaly):
    """Anomaly detection for a block (PyTorch's is no decorator)."""

    def __init__(self, check_nan: bool = True):
        self._check_nan = check_nan
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the "
                      "runtime and should only be enabled for debugging.", UserWarning,
                      stacklevel=2)

    def __enter__(self):
        self._previous = dict(_anomaly)
        _anomaly.update(enabled=True, check_nan=self._check_nan)
