"""Kernels of losses whose composite form would dispatch many small ops per call.

nll_loss over class indices is in every classifier's training step (through cross_entropy):
its common case, every target a class of unit weight, is one gather of the backend array
forward and one node whose backward scatters the gradient back."""

from __future__ import annotations

import ember
from ember.backends import cpu as _cpu
from ember.ops._autograd import needs_grad, record_op
from ember.ops._common import finish

__all__ = []


def targets_are_classes(target, classes: int, ignore_index: int) -> bool:
    """Whether every target is a class in ``range(classes)`` and none is ``ignore_index``."""
    data = target._data
    low, high = int(data.min()), int(data.max())
    return 0 <= low and high < classes and not low <= ignore_index <= high


def class_nll(input, target, class_dim: int, reduction: str):
    """nll_loss of ``input`` where every target is a class of unit weight (checked first with
    :func:`targets_are_classes`): ``-input`` at each target's class, reduced."""
    data = input._data
    count = target._data.size
    index = _cpu.expand_dims(target._data, class_dim)
    loss = _cpu.negative(_cpu.take_along_axis(data, index, class_dim)).squeeze(class_dim)
    if reduction != "none":
        loss = _cpu.add.reduce(loss, axis=None)
        if reduction == "mean":
            loss = loss / data.dtype.type(count)
    result = finish(loss, input._dtype, input._device)
    if needs_grad(input):
        index_tensor = target.unsqueeze(class_dim)

        def formula(grad, input):
            if reduction == "mean":
                grad = grad / count
            share = (-grad).expand(target.shape).unsqueeze(class_dim)
            return ember.zeros_like(input).scatter(class_dim, index_tensor, share)

        name = "NllLoss2DBackward0" if data.ndim == 4 else "NllLossBackward0"
        record_op(name, (formula,), (input,), (result,), {"input": input})
    return result
