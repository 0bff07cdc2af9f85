"""Grad modes: whether ops record the graph. Thread-local, as in PyTorch."""

from __future__ import annotations

import functools
import inspect
import threading
import warnings

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "inference_mode",
           "is_grad_enabled", "is_inference_mode_enabled"]


class _GradState(threading.local):
    enabled = True
    inference = False


state = _GradState()


def is_grad_enabled() -> bool:
    return state.enabled


def is_inference_mode_enabled() -> bool:
    return state.inference


class _GradModeContext:
    """A context manager that is also a decorator; subclasses set the mode in __enter__."""

    def __call__(self, function):
        if inspect.isclass(function):
            warnings.warn(
                "Decorating classes is deprecated and will be disabled in future versions. You "
                "should only decorate functions or methods. To preserve the current behavior "
                "of class decoration, you can directly decorate the `__init__` method and "
                "nothing else.", FutureWarning, stacklevel=2)

            def construct(*args, **kwargs):
                with self.clone():
                    return function(*args, **kwargs)

            return construct
        if inspect.isgeneratorfunction(function):
            @functools.wraps(function)
            def generator(*args, **kwargs):
                iterator = function(*args, **kwargs)
                with self.clone():
                    request = next(iterator)
                while True:
                    try:
                        response = yield request
                    except GeneratorExit:
                        iterator.close()
                        raise
                    with self.clone():
                        request = iterator.send(response)

            return generator

        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            with self.clone():
                return function(*args, **kwargs)

        return wrapper

    def clone(self):
        return type(self)()

    def __exit__(self, *exc_info):
        state.enabled, state.inference = self._previous


class no_grad(_GradModeContext):
    """Disable graph recording inside the block or the decorated function."""

    def __new__(cls, orig_func=None):
        self = super().__new__(cls)
        return self(orig_func) if callable(orig_func) else self

    def __enter__(self):
        self._previous = state.enabled, state.inference
        state.enabled = False


class enable_grad(_GradModeContext):
    """Enable graph recording inside the block, also within ``no_grad``."""

    def __new__(cls, orig_func=None):
        self = super().__new__(cls)
        return self(orig_func) if callable(orig_func) else self

    def __enter__(self):
        self._previous = state.enabled, state.inference
        state.enabled = True


class set_grad_enabled(_GradModeContext):
    """Set graph recording on or off; takes effect at once, and as a context manager
    restores the previous mode on exit."""

    def __init__(self, mode: bool):
        if mode.__class__ is not bool:
            raise TypeError("set_grad_enabled(): argument 'enabled' (position 1) must be bool, "
                            f"not {type(mode).__name__}")
        self._previous = state.enabled, state.inference
        self.mode = mode
        state.enabled = self.mode

    def __enter__(self):
        pass

    def clone(self):
        return set_grad_enabled(self.mode)


class inference_mode(_GradModeContext):
    """Like ``no_grad``, for code that never needs gradients: what it makes are inference
    tensors (Note [Inference tensors] in ember/_tensor.py). ``mode=False`` turns it off, and
    grad mode on, as PyTorch's does."""

    def __new__(cls, mode=True):
        self = super().__new__(cls)
        if callable(mode) and not isinstance(mode, bool):
            self.mode = True
            return self(mode)
        return self

    def __init__(self, mode=True):
        if not callable(mode) or isinstance(mode, bool):
            self.mode = bool(mode)

    def __enter__(self):
        self._previous = state.enabled, state.inference
        state.enabled, state.inference = not self.mode, self.mode

    def clone(self):
        return inference_mode(self.mode)
