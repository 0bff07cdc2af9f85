"""Kernels of losses whose composite form would dispatch many small ops per call.

nll_loss over class indices is in every classifier's training step (through cross_entropy):
its common case, every target a class of unit weight, is one gather of the backend array
forward and one node whose backward scatters the gradient back (a backward op, see Note
[Backward ops] in ember/ops/backward_ops.py)."""

from __future__ import annotations

from ember.backends import cpu as _cpu
from ember.ops._autograd import needs_grad, record_op
from ember.ops._common import compute_operand, finish

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
    loss = _cpu.negative(data[_class_positions(target._data, class_dim)])
    if reduction != "none":
        loss = _cpu.add.reduce(loss, axis=None)
        if reduction == "mean":
            loss = loss / data.dtype.type(count)
    result = finish(loss, input._dtype, input._device)
    if needs_grad(input):
        record_op(_nll_node_name(data.ndim),
                  (lambda grad, input: class_nll_backward(grad, input, target, class_dim,
                                                          reduction),),
                  (input,), (result,), {"input": input})
    return result


def _class_positions(target, class_dim):
    """The index of each target's class in the input: ``target`` along ``class_dim``, open
    ranges along the other dims (those of ``target``)."""
    ndim = target.ndim
    ranges = [_cpu.arange(n).reshape([n if d == dim else 1 for d in range(ndim)])
              for dim, n in enumerate(target.shape)]
    return (*ranges[:class_dim], target, *ranges[class_dim:])


def _nll_node_name(ndim):
    return "NllLoss2DBackward0" if ndim == 4 else "NllLossBackward0"


def class_nll_backward(grad_output, input, target, class_dim: int, reduction: str):
    """The gradient of ``class_nll``: ``-grad_output`` (over the count for "mean") at each
    target's class, 0 elsewhere."""
    share = _cpu.negative(compute_operand(grad_output))
    if reduction == "mean":
        share = share / share.dtype.type(target._data.size)
    data = _cpu.zeros(input._data.shape, share.dtype)
    data[_class_positions(target._data, class_dim)] = share
    result = finish(data, input._dtype, input._device)
    if needs_grad(grad_output, input):
        record_op(_nll_node_name(data.ndim).replace("Backward0", "BackwardBackward0"),
                  (lambda grad: class_nll(grad, target, class_dim, reduction),
                   lambda grad: grad.new_zeros(grad.shape)),
                  (grad_output, input), (result,))
    return result
