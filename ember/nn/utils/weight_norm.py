"""Weight normalization by hooks (the older interface): ``w = g * v / ||v||``.

The norm is taken over every dimension but ``dim`` (over all of them for ``dim=None``).
"""

from __future__ import annotations

import warnings
from typing import Any, TypeVar

import ember
from ember._tensor import Tensor
from ember.nn._functional._common import _recorded
from ember.nn.modules.module import Module
from ember.nn.parameter import Parameter, UninitializedParameter

__all__ = ["WeightNorm", "weight_norm", "remove_weight_norm"]


def _norm_except_dim(v: Tensor, pow: float, dim: int) -> Tensor:
    """The ``pow``-norm of ``v`` over every dimension but ``dim``, kept as size-1 dimensions
    (one norm of everything, 0-dim, for ``dim=-1``): torch's ``norm_except_dim``."""
    if dim == -1:
        return v.norm(pow)
    shape = [1] * v.dim()
    shape[dim] = v.size(dim)
    # the same layouts as torch, for the same order of summation: the last dimension is
    # reduced down the columns; any other is moved to the front and reduced along rows
    if dim == v.dim() - 1:
        norms = ember.linalg.vector_norm(v.reshape(-1, v.size(dim)), pow, dim=0)
    else:
        norms = ember.linalg.vector_norm(v.transpose(0, dim).reshape(v.size(dim), -1), pow,
                                         dim=1)
    return norms.reshape(shape)


def _weight_norm(v: Tensor, g: Tensor, dim: int = 0) -> Tensor:
    """``v * (g / norm_except_dim(v, 2, dim))``: torch's ``_weight_norm``."""
    if dim not in (0, v.dim() - 1):
        return v * (g / _norm_except_dim(v, 2, dim))
    # torch's fused kernel for the first or last dimension: one node for both inputs
    other_dims = [d for d in range(v.dim()) if d != dim]
    with ember.no_grad():
        result = v * (g / _norm_except_dim(v, 2, dim))

    # the formulas recompute the norm from ``v``, so that their own gradients see it
    def projection(grad, v):
        """``grad`` along each normalized row of ``v``, and the rows' norms."""
        norm = _norm_except_dim(v, 2, dim)
        return (grad * v).sum(other_dims, keepdim=True) / norm, norm

    def v_formula(grad, v, g):
        along, norm = projection(grad, v)
        return (g / norm) * (grad - v * (along / norm))

    def g_formula(grad, v, g):
        return projection(grad, v)[0].reshape(g.shape)

    return _recorded("WeightNormInterfaceBackward0", result, (v, g), (v_formula, g_formula),
                     {"v": v, "g": g})


class WeightNorm:
    """The forward pre-hook that recomputes ``module.<name>`` from ``<name>_g`` and
    ``<name>_v`` before each forward."""

    name: str
    dim: int

    def __init__(self, name: str, dim: int) -> None:
        self.name = name
        self.dim = -1 if dim is None else dim

    def compute_weight(self, module: Module) -> Tensor:
        return _weight_norm(getattr(module, self.name + "_v"), getattr(module, self.name + "_g"),
                            self.dim)

    @staticmethod
    def apply(module: Module, name: str, dim: int) -> WeightNorm:
        warnings.warn("`torch.nn.utils.weight_norm` is deprecated in favor of "
                      "`torch.nn.utils.parametrizations.weight_norm`.", FutureWarning,
                      stacklevel=2)
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, WeightNorm) and hook.name == name:
                raise RuntimeError(f"Cannot register two weight_norm hooks on the same "
                                   f"parameter {name}")
        fn = WeightNorm(name, dim)
        weight = getattr(module, name)
        if isinstance(weight, UninitializedParameter):
            raise ValueError("The module passed to `WeightNorm` can't have uninitialized "
                             "parameters. Make sure to run the dummy forward before applying "
                             "weight normalization")
        del module._parameters[name]
        module.register_parameter(name + "_g",
                                  Parameter(_norm_except_dim(weight, 2, fn.dim).data))
        module.register_parameter(name + "_v", Parameter(weight.data))
        setattr(module, name, fn.compute_weight(module))
        module.register_forward_pre_hook(fn)
        return fn

    def remove(self, module: Module) -> None:
        weight = self.compute_weight(module)
        delattr(module, self.name)
        del module._parameters[self.name + "_g"]
        del module._parameters[self.name + "_v"]
        setattr(module, self.name, Parameter(weight.data))

    def __call__(self, module: Module, inputs: Any) -> None:
        setattr(module, self.name, self.compute_weight(module))


T_module = TypeVar("T_module", bound=Module)


def weight_norm(module: T_module, name: str = "weight", dim: int = 0) -> T_module:
    """Replaces the parameter ``name`` of ``module`` by a magnitude ``<name>_g`` and a
    direction ``<name>_v``, recombined before every forward (deprecated: use
    :func:`ember.nn.utils.parametrizations.weight_norm`).

    Args:
        module: the module holding the parameter
        name: the parameter's name
        dim: the dimension that keeps one norm per entry (``None``: one norm overall)

    Example::

        >>> m = weight_norm(ember.nn.Linear(20, 40), name="weight")
        >>> m.weight_g.size()
        torch.Size([40, 1])
    """
    WeightNorm.apply(module, name, dim)
    return module


def remove_weight_norm(module: T_module, name: str = "weight") -> T_module:
    """Undoes :func:`weight_norm`: ``name`` becomes a plain parameter again, holding the
    current normalized weight."""
    for key, hook in module._forward_pre_hooks.items():
        if isinstance(hook, WeightNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[key]
            return module
    raise ValueError(f"weight_norm of '{name}' not found in {module}")
