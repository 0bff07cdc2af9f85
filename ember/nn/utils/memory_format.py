"""Converting the weights of convolutions to another memory format (e.g. channels_last)."""

from __future__ import annotations

from typing import TypeVar

from ember.nn.modules.conv import Conv2d, Conv3d, ConvTranspose2d, ConvTranspose3d
from ember.nn.modules.module import Module

__all__ = ["convert_conv2d_weight_memory_format", "convert_conv3d_weight_memory_format"]

_M = TypeVar("_M", bound=Module)


def _convert_weights(module: Module, layer_types: tuple, memory_format) -> None:
    """Gives the weight of every layer of ``layer_types`` in the tree of ``module`` the
    strides of ``memory_format``; the Parameter objects stay the same."""
    if isinstance(module, layer_types):
        weight = module.weight.detach().clone(memory_format=memory_format)
        module.weight.data = weight.resize_(weight.size(), memory_format=memory_format)
    for child in module.children():
        _convert_weights(child, layer_types, memory_format)


def convert_conv2d_weight_memory_format(module: _M, memory_format) -> _M:
    """Converts the weights of the ``Conv2d`` and ``ConvTranspose2d`` layers in ``module``
    (itself included) to ``memory_format``, e.g. ``ember.channels_last``; returns
    ``module``."""
    _convert_weights(module, (Conv2d, ConvTranspose2d), memory_format)
    return module


def convert_conv3d_weight_memory_format(module: _M, memory_format) -> _M:
    """Converts the weights of the ``Conv3d`` and ``ConvTranspose3d`` layers in ``module``
    (itself included) to ``memory_format``, e.g. ``ember.channels_last_3d``; returns
    ``module``."""
    _convert_weights(module, (Conv3d, ConvTranspose3d), memory_format)
    return module
