"""Make ``import torch`` resolve to ember, for running unmodified PyTorch scripts.

Note [torch alias]
While the alias is active:

- a ``sys.meta_path`` finder, placed ahead of every other finder (a real torch may be installed
  too), answers ``torch`` and ``torch.<sub>`` with the already imported ``ember`` /
  ``ember.<sub>`` module object itself, so ``torch.nn is ember.nn``, isinstance checks hold and
  pickles name ember's classes. A submodule ember lacks raises ModuleNotFoundError
  "ember does not implement torch.<sub>". Real torch modules imported earlier are set aside
  and put back when the alias ends.
- every ember module gets a module-level ``__getattr__``, which Python consults only when normal
  lookup misses, so hits cost nothing; a miss raises AttributeError "ember does not implement
  torch.<name>" (still an AttributeError, so hasattr / getattr with a default keep working).
  A submodule its package has not imported yet is imported instead, as torch imports its
  subpackages eagerly. Outside the alias the hook is absent and ``ember.foo`` fails with
  Python's usual message. (``from torch import foo`` stays Python's ImportError "cannot import
  name 'foo' from 'ember'": the interpreter replaces the AttributeError there.)
- multiprocessing: a forked child inherits all of this. A spawned (or forkserver) child starts a
  fresh interpreter and re-runs the parent's ``__main__`` script before it unpickles the process
  object, so ``import torch`` in the script must already resolve there. The alias wraps
  ``multiprocessing.spawn.get_preparation_data``: the data the parent sends first then carries
  an ``_AliasInChild`` token whose unpickling turns the alias on in the child, ahead of the
  script's re-run (no sitecustomize or environment variable involved).
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.abc
import importlib.util
import multiprocessing.spawn
import pkgutil
import sys
from collections.abc import Iterator
from types import ModuleType

__all__ = ["torch_alias"]

_ALIAS = "torch"
_TARGET = "ember"


def _is_aliased(name: str) -> bool:
    return name == _ALIAS or name.startswith(_ALIAS + ".")


def _is_ember(name: str) -> bool:
    return name == _TARGET or name.startswith(_TARGET + ".")


def _torch_name(ember_name: str) -> str:
    return _ALIAS + ember_name[len(_TARGET):]


class _ExistingModuleLoader(importlib.abc.Loader):
    """Hands an already imported ember module to the import system under its torch name."""

    def __init__(self, module: ModuleType) -> None:
        self._module = module
        self._ember_spec = module.__spec__

    def create_module(self, spec):
        return self._module

    def exec_module(self, module) -> None:
        # importlib stamped the alias spec on the module in between; ember keeps its own.
        module.__spec__ = self._ember_spec

    def __repr__(self) -> str:
        return f"<alias of {self._module.__name__!r}>"


class _TorchAliasFinder(importlib.abc.MetaPathFinder):
    """Resolves ``torch`` and ``torch.<sub>`` to ``ember`` and ``ember.<sub>``."""

    def find_spec(self, fullname, path=None, target=None):
        if not _is_aliased(fullname):
            return None
        ember_name = _TARGET + fullname[len(_ALIAS):]
        try:
            module = importlib.import_module(ember_name)
        except ModuleNotFoundError as error:
            if error.name != ember_name:
                raise  # an ember module failed to import something else: show that
            raise ModuleNotFoundError(f"ember does not implement {fullname}",
                                      name=fullname) from None
        _install_missing_name_hooks()
        return importlib.util.spec_from_loader(fullname, _ExistingModuleLoader(module),
                                               is_package=hasattr(module, "__path__"))


def _missing_name_hook(module: ModuleType):
    """A module ``__getattr__`` that names the torch attribute ember lacks."""
    ember_name = module.__name__
    # torch imports its subpackages eagerly; ember may not have imported one of these yet.
    submodules = {info.name for info in pkgutil.iter_modules(getattr(module, "__path__", []))}

    def __getattr__(name: str):
        if name in submodules:
            found = importlib.import_module(f"{ember_name}.{name}")
            _install_missing_name_hooks()
            return found
        if name.startswith("__") and name.endswith("__"):
            # Protocol probes (__path__, __wrapped__, ...) are not torch API.
            raise AttributeError(f"module {ember_name!r} has no attribute {name!r}")
        raise AttributeError(f"ember does not implement {_torch_name(ember_name)}.{name}",
                             name=name, obj=module)

    return __getattr__


class _AliasInChild:
    """Pickled into a spawned child's preparation data; unpickling turns the alias on."""

    def __reduce__(self):
        return _activate_for_good, ()


def _preparation_data_with_alias(name):
    data = _original_preparation_data(name)
    data["ember_torch_alias"] = _AliasInChild()
    return data


_original_preparation_data = multiprocessing.spawn.get_preparation_data
_finder = _TorchAliasFinder()
_depth = 0
_hooked_modules: list[ModuleType] = []
_set_aside_torch: dict[str, ModuleType] = {}


def _install_missing_name_hooks() -> None:
    """Gives every imported ember module without a ``__getattr__`` the missing-name hook."""
    for name, module in list(sys.modules.items()):
        if (_is_ember(name) and isinstance(module, ModuleType)
                and "__getattr__" not in vars(module)):
            module.__getattr__ = _missing_name_hook(module)
            _hooked_modules.append(module)


def _activate() -> None:
    global _depth
    importlib.import_module(_TARGET)
    _depth += 1
    if _depth > 1:
        return
    for name in [name for name in sys.modules if _is_aliased(name)]:
        _set_aside_torch[name] = sys.modules.pop(name)
    sys.meta_path.insert(0, _finder)
    _install_missing_name_hooks()
    multiprocessing.spawn.get_preparation_data = _preparation_data_with_alias


def _deactivate() -> None:
    global _depth
    _depth -= 1
    if _depth > 0:
        return
    multiprocessing.spawn.get_preparation_data = _original_preparation_data
    for module in _hooked_modules:
        del module.__getattr__
    _hooked_modules.clear()
    sys.meta_path.remove(_finder)
    for name in [name for name in sys.modules if _is_aliased(name)]:
        del sys.modules[name]
    sys.modules.update(_set_aside_torch)
    _set_aside_torch.clear()


def _activate_for_good() -> None:
    """Turns the alias on for the rest of the process (a spawned child of a shimmed script)."""
    if _depth == 0:
        _activate()


@contextlib.contextmanager
def torch_alias() -> Iterator[None]:
    """Within the block, ``import torch`` (and ``torch.<sub>``) imports ember.

    Nested uses are allowed; the outermost one undoes everything on exit. See
    Note [torch alias].

    Example::

        >>> import ember
        >>> with torch_alias():
        ...     import torch
        >>> torch is ember
        True
    """
    _activate()
    try:
        yield
    finally:
        _deactivate()
