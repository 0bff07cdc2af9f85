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




# --- views and in-place ops -------------------------------------------------------------


def record_view(view, input, name: str, formula=None):
    """Record ``view`` (a view of ``input``) in the graph. Its backward is ``formula(grad)``
    when given, else the generic scatter of the gradient into ``input``'s layout."""
    if formula is None:
        from ember.ops._strided import geometry_of

        record(name, _generic_view_backward, (input,), (view,),
               base_geometry=geometry_of(input), view_geometry=geometry_of(view, input))
    else:
        record(name, formulas_backward((formula,)), (input,), (view,))
    return view


def _generic_view_backward(ctx, grad):
    from ember.ops._strided import view_scatter

    return (view_scatter(grad, ctx.base_geometry, ctx.view_geometry),)


class CopySlices(Node):
    """The history of a base after an in-place op on one of its views: the op's node
    ``fn`` applies to the view's region, the rest of the base passes through."""

    def _release(self):
        self.fn._release()


def _copy_slices_backward(ctx, grad):
    from ember.ops._strided import view_gather, view_scatter

    region = view_gather(grad, ctx.base_geometry, ctx.view_geometry)
    grads = ctx.fn._apply([region], grad_mode.state.enabled)
    base_grad = grad - view_scatter(region, ctx.base_geometry, ctx.view_geometry)
    if grads[0] is not None:
        base_grad = base_grad + view_scatter(grads[0], ctx.base_geometry, ctx.view_geometry)
    return (base_grad, *grads[1:])


def _rebase_history(tensor, node):
    """Make ``node`` (an in-place op whose input 0 was ``tensor``'s old value) the history
    of ``tensor``; for a view, the base's history becomes CopySlices of it."""
    base = tensor._base
    if base is None:
        attach(node, (tensor,))
        return
    from ember.ops._strided import geometry_of

    copy_slices = CopySlices("CopySlices", _copy_slices_backward, (base,))
    copy_slices.next_functions += node.next_functions[1:]
    copy_slices.needs_input_grad += node.needs_input_grad[1:]
    copy_slices._input_metadata += node._input_metadata[1:]
    copy_slices.fn = node
    copy_slices.base_geometry = geometry_of(base)
    copy_slices.view_geometry = geometry_of(tensor, base)
    attach(copy_slices, (base,))
    record("AsStridedBackward0", _generic_view_backward, (base,), (tensor,),
           base_geometry=copy_slices.base_geometry, view_geometry=copy_slices.view_geometry)


def _snapshot(tensor):
    """A copy of ``tensor``'s values that stands for it in the graph (same history)."""
    from ember._tensor import _make

    old = _make(tensor._data.copy(), tensor._dtype, tensor._device)
    if tensor._requires_grad:
        old._requires_grad = True
        old._grad_fn = tensor._grad_fn
        old._output_nr = tensor._output_nr
        old._grad_accumulator = getattr(tensor, "_grad_accumulator", None)
        old._backward_hooks = None
    return old


def inplace_with_grad(tensor, compute):
    """Run an in-place op on ``tensor`` with autograd: ``compute(old)`` is the op's
    out-of-place form (recorded in the graph) applied to ``tensor``'s current value."""
    check_inplace_allowed(tensor)
    result = compute(_snapshot(tensor))
    tensor._device._backend.copyto(tensor._data, result._data, casting="unsafe")
    tensor._bump_version()
    if result._grad_fn is not None:
        _rebase_history(tensor, result._grad_fn)
    return tensor


__all__ = ["check_inplace_allowed", "edge_of", "formulas_backward", "inplace_with_grad",
           "needs_grad", "record", "record_view"]
