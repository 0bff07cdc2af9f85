"""Building a module without running its parameter initialization."""

from __future__ import annotations

import inspect

import ember
from ember.nn.modules.module import Module

__all__ = ["skip_init"]


def skip_init(module_cls, *args, **kwargs) -> Module:
    """``module_cls(*args, **kwargs)`` with its parameters and buffers left uninitialized,
    as if made by ``ember.empty``. The class must take a ``device`` argument.

    torch builds the module on the "meta" device, which draws no random numbers, then
    allocates it; ember has no meta device, so it builds the module as usual and puts the
    random generator back: the values are arbitrary and later draws are torch's.

    Example::

        >>> m = skip_init(ember.nn.Linear, 5, 1)
        >>> m.weight.shape
        torch.Size([1, 5])
    """
    if not issubclass(module_cls, Module):
        raise RuntimeError(f"Expected a Module; got {module_cls}")
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    kwargs.setdefault("device", "cpu")
    with ember.random.fork_rng():
        return module_cls(*args, **kwargs)
