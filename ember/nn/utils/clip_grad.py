"""Clipping gradients by norm or value.

The total norm is torch's "norm of norms": each tensor's p-norm first, then the p-norm of
the stacked per-tensor norms, so the rounding is the same as torch's.
"""

from __future__ import annotations

import types
import warnings
from collections.abc import Iterable

import ember
from ember._tensor import Tensor

__all__ = ["clip_grad_norm", "clip_grad_norm_", "clip_grad_value_", "clip_grads_with_norm_",
           "get_total_norm"]


def _as_list(tensors) -> list:
    return [tensors] if isinstance(tensors, Tensor) else list(tensors)


def _grouped_by_device_and_dtype(tensors) -> dict:
    """Tensors grouped by ``(device, dtype)``, groups in order of first appearance (torch
    stacks the per-tensor norms in this order)."""
    groups: dict = {}
    for tensor in tensors:
        groups.setdefault((tensor.device, tensor.dtype), []).append(tensor)
    return groups


def get_total_norm(tensors: Tensor | Iterable[Tensor], norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """The ``norm_type``-norm of all ``tensors`` together, as if concatenated into one vector.

    Args:
        tensors: a tensor or an iterable of tensors
        norm_type: the order of the p-norm; ``inf`` for the largest absolute value
        error_if_nonfinite: raise if the total norm is ``nan`` or ``inf``
        foreach: accepted for torch's signature; ember's devices all take the same loop
    """
    tensors = _as_list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return ember.tensor(0.0)
    first_device = tensors[0].device
    with ember.no_grad():
        norms = []
        for group in _grouped_by_device_and_dtype(tensors).values():
            norms.extend(ember.linalg.vector_norm(tensor, norm_type) for tensor in group)
        total_norm = ember.linalg.vector_norm(
            ember.stack([norm.to(first_device) for norm in norms]), norm_type)
    if error_if_nonfinite and ember.logical_or(total_norm.isnan(), total_norm.isinf()):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            "non-finite, so it cannot be clipped. To disable this error and scale the "
            "gradients by the non-finite norm anyway, set `error_if_nonfinite=False`")
    return total_norm


def clip_grads_with_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float,
                          total_norm: Tensor, foreach: bool | None = None) -> None:
    """Scales the gradients in place by ``min(max_norm / (total_norm + 1e-6), 1)``.

    Args:
        parameters: a tensor or an iterable of tensors whose ``.grad`` is scaled
        max_norm: the largest norm the gradients may have afterwards
        total_norm: their total norm (from :func:`get_total_norm`)
        foreach: accepted for torch's signature
    """
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    grads = [p.grad for p in parameters if p.grad is not None]
    max_norm = float(max_norm)
    if not grads:
        return
    with ember.no_grad():
        # always multiplied, even by 1: no branch on the coefficient's value
        clip_coef = ember.clamp(max_norm / (total_norm + 1e-6), max=1.0)
        for grad in grads:
            grad.mul_(clip_coef.to(grad.device))


def clip_grad_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float,
                    norm_type: float = 2.0, error_if_nonfinite: bool = False,
                    foreach: bool | None = None) -> Tensor:
    """Scales the gradients of ``parameters`` in place so that their total norm is at most
    ``max_norm``; returns the total norm from before the clipping.

    Args:
        parameters: a tensor or an iterable of tensors (gradients that are None are skipped)
        max_norm: the largest norm allowed
        norm_type: the order of the p-norm; ``inf`` for the largest absolute value
        error_if_nonfinite: raise if the total norm is ``nan`` or ``inf``
        foreach: accepted for torch's signature

    Example::

        >>> p = ember.nn.Parameter(ember.ones(4))
        >>> p.grad = ember.full((4,), 3.0)
        >>> ember.nn.utils.clip_grad_norm_([p], max_norm=1.0)
        tensor(6.)
    """
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    else:
        is_generator = isinstance(parameters, types.GeneratorType)
        parameters = list(parameters)  # a generator is read once, here
        if is_generator and not parameters:
            warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.",
                          stacklevel=2)
    grads = [p.grad for p in parameters if p.grad is not None]
    total_norm = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total_norm, foreach)
    return total_norm


def clip_grad_norm(parameters: Tensor | Iterable[Tensor], max_norm: float,
                   norm_type: float = 2.0, error_if_nonfinite: bool = False,
                   foreach: bool | None = None) -> Tensor:
    """Deprecated: use :func:`clip_grad_norm_`."""
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
                  "`torch.nn.utils.clip_grad_norm_`.", FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float,
                     foreach: bool | None = None) -> None:
    """Clamps each gradient of ``parameters`` in place to ``[-clip_value, clip_value]``.

    Args:
        parameters: a tensor or an iterable of tensors (gradients that are None are skipped)
        clip_value: the largest absolute value a gradient element may keep
        foreach: accepted for torch's signature
    """
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    clip_value = float(clip_value)
    grads = [p.grad for p in parameters if p.grad is not None]
    with ember.no_grad():
        for grad in grads:
            grad.clamp_(min=-clip_value, max=clip_value)


# the private names torch.nn.utils.clip_grad defines them under
_get_total_norm = get_total_norm
_clip_grads_with_norm_ = clip_grads_with_norm_
