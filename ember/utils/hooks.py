"""``RemovableHandle``: what every ``register_*_hook`` returns, as ``torch.utils.hooks``."""

from __future__ import annotations

import itertools
import weakref

__all__ = ["RemovableHandle"]


def _reference(hooks: dict):
    """A weak reference to ``hooks`` where the dict type allows one (OrderedDict does, a
    plain dict does not), so a handle never keeps its owner's hooks alive."""
    try:
        return weakref.ref(hooks)
    except TypeError:
        return lambda: hooks


class RemovableHandle:
    """``remove()`` unregisters the hook from its dict and from the extra dicts that flag
    it (with kwargs, always called); usable as a context manager."""

    _ids = itertools.count()

    def __init__(self, hooks_dict: dict, *, extra_dict=None) -> None:
        self.hooks_dict_ref = _reference(hooks_dict)
        self.id = next(RemovableHandle._ids)
        if extra_dict is None:
            extra_dict = ()
        elif not isinstance(extra_dict, list | tuple):
            extra_dict = (extra_dict,)
        self.extra_dict_ref = tuple(_reference(d) for d in extra_dict)

    def remove(self) -> None:
        for ref in (self.hooks_dict_ref, *self.extra_dict_ref):
            hooks = ref()
            if hooks is not None:
                hooks.pop(self.id, None)

    def __getstate__(self):
        # the dicts themselves: a deep copy of a module then points its handles at the
        # copy's hook dicts, not the original's
        return (self.hooks_dict_ref(), self.id,
                tuple(ref() for ref in self.extra_dict_ref))

    def __setstate__(self, state) -> None:
        hooks, self.id, extra = state
        self.hooks_dict_ref = _reference({} if hooks is None else hooks)
        self.extra_dict_ref = tuple(_reference(d) for d in extra if d is not None)
        RemovableHandle._ids = itertools.count(max(next(RemovableHandle._ids), self.id + 1))

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.remove()
