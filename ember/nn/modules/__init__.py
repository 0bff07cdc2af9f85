"""Modules: the Module base class and the layers built on it."""

from ember.nn.modules.container import *  # noqa: F403
from ember.nn.modules.container import __all__ as _container_all
from ember.nn.modules.module import *  # noqa: F403
from ember.nn.modules.module import __all__ as _module_all

__all__ = [*_module_all, *_container_all]
