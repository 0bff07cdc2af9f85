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


def _parameters(formula):
    """The names of the values a formula ``formula(grad, ...)`` reads."""
    code = formula.__code__
    return code.co_varnames[1:code.co_argcount]


def _apply_formulas(ctx, grad):
    values = dict(zip(ctx._saved_names, ctx.saved_tensors))
    return tuple(
        formula(grad, *[values[name] for name in _parameters(formula)])
        if formula is not None and needed else None
        for formula, needed in zip(ctx.formulas, ctx.needs_input_grad))


def record_op(name: str, formulas, inputs, outputs, values=None):
    """Record the node ``name`` for ``outputs`` computed from ``inputs``, with one backward
    formula per input (None where the input is not differentiable). A formula is
    ``formula(grad, a, b, ...)``: its parameters after ``grad`` name entries of ``values``,
    which the node saves (tensors as SavedTensor, version-checked) only for the formulas
    of inputs that need a gradient."""
    node = Node(name, _apply_formulas, inputs)
    node.formulas = formulas
    names = []
    if values:
        for formula, needed in zip(formulas, node.needs_input_grad):
            if formula is not None and needed:
                names.extend(n for n in _parameters(formula) if n not in names)
    node._saved_names = names
    node._save([values[n] for n in names], outputs)
    # PyTorch saves a number operand of a binary op as a tensor, freed by backward too.
    node._saves_number = any(n in ("input", "other") and not hasattr(values[n], "_version")
                             for n in names)
    attach(node, outputs)
    return node


def record(name: str, backward, inputs, outputs, saved=(), **attributes):
    """Record a node named ``name`` for ``outputs`` computed from ``inputs``.

    ``saved`` lists what the backward needs: tensors are stored as SavedTensor (version
    checked), anything else as is. Extra ``attributes`` are set on the node (its ctx)."""
    node = Node(name, backward, inputs)
    node._save(saved, outputs)
    node.__dict__.update(attributes)
    attach(node, outputs)
    return node


def check_out_allowed(name, *values) -> None:
    """PyTorch refuses ``out=`` when autograd would need to record the op."""
    if needs_grad(*values):
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support "
                           "automatic differentiation, but one of the arguments requires grad.")


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


def record_view(view, input, name: str, formula=None, read=None):
    """Record ``view`` (a view or an indexing result of ``input``) in the graph. Its
    backward is ``formula(grad)`` when given; else the gradient is scattered back to where
    ``read`` (the op as a function of a tensor) took each element from, or, without
    ``read``, to where ``view`` lies in ``input``'s memory."""
    if formula is not None:
        return record_op(name, (formula,), (input,), (view,))
    if read is None:
        from ember.ops._strided import memory_positions

        positions = memory_positions(view, input)
        read = lambda _: positions  # noqa: E731
    return record(name, _scatter_back, (input,), (view,), read=read,
                  shape=input._data.shape)


def _scatter_back(ctx, grad):
    """Backward of an op that reads elements of its input (see _strided.py)."""
    from ember.ops._strided import replayed_positions, scatter

    return (scatter(grad, ctx.shape, replayed_positions(ctx.shape, ctx.read)),)


class CopySlices(Node):
    """The history of a base after an in-place op on one of its views: the op's node
    ``fn`` applies to the view's region, the rest of the base passes through."""

    def _release(self):
        self.fn._release()


def _copy_slices_backward(ctx, grad):
    from ember.ops._strided import gather, scatter

    shape, positions = grad._data.shape, ctx.positions
    region = gather(grad, positions)
    grads = ctx.fn._apply([region], grad_mode.state.enabled)
    base_grad = grad - scatter(region, shape, positions)
    if grads[0] is not None:
        base_grad = base_grad + scatter(grads[0], shape, positions)
    return (base_grad, *grads[1:])


def _rebase_history(tensor, node):
    """Make ``node`` (an in-place op whose input 0 was ``tensor``'s old value) the history
    of ``tensor``; for a view, the base's history becomes CopySlices of it."""
    base = tensor._base
    if base is None:
        attach(node, (tensor,))
        return
    from ember.ops._strided import memory_positions

    positions = memory_positions(tensor, base)
    copy_slices = CopySlices("torch::autograd::CopySlices", _copy_slices_backward, (base,))
    copy_slices.next_functions += node.next_functions[1:]
    copy_slices.needs_input_grad += node.needs_input_grad[1:]
    copy_slices._input_metadata += node._input_metadata[1:]
    copy_slices.fn = node
    copy_slices.positions = positions
    attach(copy_slices, (base,))
    record("AsStridedBackward0", _scatter_back, (base,), (tensor,),
           read=lambda _: positions, shape=base._data.shape)


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
    from ember.ops._common import check_inplace

    check_inplace_allowed(tensor)
    result = compute(_snapshot(tensor))
    check_inplace(tensor, result._dtype, result._data.shape)
    tensor._device._backend.copyto(tensor._data, result._data, casting="unsafe")
    tensor._bump_version()
    if result._grad_fn is not None:
        _rebase_history(tensor, result._grad_fn)
    return tensor


__all__ = ["check_inplace_allowed", "check_out_allowed", "edge_of", "inplace_with_grad",
           "needs_grad", "record", "record_op", "record_view"]
