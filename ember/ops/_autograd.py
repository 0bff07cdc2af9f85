"""How ops record themselves in the autograd graph (see Note [The autograd graph]).

An op declares its backward as one formula per differentiable input, each a function of
``(grad, *saved)`` written in ember ops, so that gradients are differentiable again."""

from __future__ import annotations

from ember.autograd import grad_mode
from ember.autograd.graph import Node, attach, edge_of

_state = grad_mode.state


def needs_grad(*values) -> bool:
    """Whether an op on ``values`` must be recorded (grad mode on, some input requires grad)."""
    if not _state.enabled:
        return False
    for value in values:
        if getattr(value, "_requires_grad", False):
            return True
    return False


def formulas_backward(formulas):
    """A node backward that applies ``formulas`` (one per input; None where the input is
    not differentiable) to the node's saved values."""

    def backward(ctx, grad):
        saved = ctx.saved_tensors
        return tuple(
            formula(grad, *saved) if formula is not None and needed else None
            for formula, needed in zip(formulas, ctx.needs_input_grad))

    return backward


def record(name: str, backward, inputs, outputs, saved=(), **attributes):
    """Record a node named ``name`` for ``outputs`` computed from ``inputs``.

    ``saved`` lists what the backward needs: tensors are stored as SavedTensor (version
    checked), anything else as is. Extra ``attributes`` are set on the node (its ctx)."""
    node = Node(name, backward, inputs)
    node._save(saved, outputs)
    node.__dict__.update(attributes)
    attach(node, outputs)
    return node


def check_inplace_allowed(tensor) -> None:
    """PyTorch refuses in-place ops on leaves that require grad, and on views of them."""
    if not _state.enabled:
        return
    if tensor._requires_grad and tensor._grad_fn is None:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                           "operation.")
    base = tensor._base
    if base is not None and base._requires_grad and base._grad_fn is None:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                           "in-place operation.")


__all__ = ["check_inplace_allowed", "edge_of", "formulas_backward", "needs_grad", "record"]
