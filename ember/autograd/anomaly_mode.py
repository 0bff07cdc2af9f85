"""Anomaly detection: record each node's forward stack and fail on NaN gradients."""

from __future__ import annotations

from ember.autograd.graph import _anomaly

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled"]


def is_anomaly_enabled() -> bool:
    return _anomaly["enabled"]


class set_detect_anomaly:
    """Turn anomaly detection on or off, at once and (as a context manager) for a block."""

    def __init__(self, mode: bool, check_nan: bool = True):
        self._previous = dict(_anomaly)
        _anomaly.update(enabled=bool(mode), check_nan=check_nan)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        _anomaly.update(self._previous)


class detect_anomaly(set_detect_anomaly):
    """Anomaly detection for a block or a decorated function."""

    def __init__(self, check_nan: bool = True):
        self._check_nan = check_nan

    def __enter__(self):
        self._previous = dict(_anomaly)
        _anomaly.update(enabled=True, check_nan=self._check_nan)
        return self

    def __call__(self, function):
        def wrapper(*args, **kwargs):
            with detect_anomaly(self._check_nan):
                return function(*args, **kwargs)

        return wrapper
