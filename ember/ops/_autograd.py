"""How ops record themselves in the autograd graph (see Note [The autograd graph]).

An op declares its backward as one formula per differentiable input, each a function of
``(grad, *saved)`` written in ember ops, so that gradients are differentiable again."""

from __future__ import annotations

from ember.autograd import grad_mode
from ember.autograd.graph import Node, _short_name, attach, edge_of

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
    names = _PARAMETERS.get(code)
    if names is None:
        names = _PARAMETERS[code] = code.co_varnames[1:code.co_argcount]
    return names


_PARAMETERS = {}  # by code object, which the closures of one formula share


# Note [Complex gradients]
# PyTorch's gradient of a function of complex numbers is the conjugate Wirtinger one:
# for a holomorphic f it is grad * conj(f'(z)). Formulas are written as for real numbers
# (grad * f'(z)), so when the incoming gradient is complex a node applies its formulas as
# conj(formula(conj(grad))), which is grad * conj(f'(z)) for every formula linear in grad.
# A real-valued output of a complex input (abs, angle) gets a real gradient and no
# conjugation; the formulas below (their nodes' names) are written in PyTorch's convention
# already: they take the complex gradient as it is.
_CONJUGATE_CONVENTION = frozenset({
    "ComplexBackward0", "PolarBackward0", "ViewAsComplexBackward0", "SgnBackward0",
    "FftC2CBackward0", "FftR2CBackward0", "FftC2RBackward0",
})


def _apply_formulas(ctx, grad):
    if grad._dtype.is_complex and ctx._name not in _CONJUGATE_CONVENTION:
        return tuple(None if g is None else g.conj()
                     for g in _formulas_applied(ctx, grad.conj()))
    return _formulas_applied(ctx, grad)


def _formulas_applied(ctx, grad):
    saved = ctx.saved_tensors if ctx._saved else ()
    grads = []
    for formula, reads in zip(ctx.formulas, ctx._reads):
        if reads is None:  # no formula, or its input needs no gradient
            grads.append(None)
        else:
            grads.append(formula(grad, *[saved[position] for position in reads]))
    return tuple(grads)


def record_op(name: str, formulas, inputs, outputs, values=None):
    """Record the node ``name`` for ``outputs`` computed from ``inputs``, with one backward
    formula per input (None where the input is not differentiable). A formula is
    ``formula(grad, a, b, ...)``: its parameters after ``grad`` name entries of ``values``,
    which the node saves (tensors as SavedTensor, version-checked) only for the formulas
    of inputs that need a gradient."""
    node = Node(name, _apply_formulas, inputs)
    node.formulas = formulas
    names, operands, node._reads = _saved_names(formulas, node.needs_input_grad)
    if values:
        node._save([values[n] for n in names], outputs)
        # PyTorch saves a number operand of a binary op as a tensor, which backward frees too.
        for value_name in operands:
            if not hasattr(values[value_name], "_version"):
                node._frees_saved = True
    attach(node, outputs)
    return node


def _saved_names(formulas, needs):
    """What a node keeps for the formulas of the inputs that need a gradient: the names of
    the values they read, those of them that are a binary op's operands, and for each
    formula the positions of its values among the saved ones (None where it is not run)."""
    key = (tuple([f and f.__code__ for f in formulas]), needs)
    found = _SAVED_NAMES.get(key)
    if found is None:
        names = []
        for formula, needed in zip(formulas, needs):
            if formula is not None and needed:
                names.extend(n for n in _parameters(formula) if n not in names)
        reads = tuple(tuple(names.index(n) for n in _parameters(formula))
                      if formula is not None and needed else None
                      for formula, needed in zip(formulas, needs))
        found = _SAVED_NAMES[key] = (tuple(names), tuple(n for n in names if n in _OPERANDS),
                                     reads)
    return found


_SAVED_NAMES = {}  # by the formulas' code objects, which the closures of one formula share
_OPERANDS = ("input", "other")


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


_NO_GRAD_VIEW = (
    "A view was created in no_grad mode and {}. Given that this use case is ambiguous and "
    "error-prone, it is forbidden. You can clarify your code by moving both the view and the "
    "inplace either both inside the no_grad block (if you don't want the inplace to be "
    "tracked) or both outside (if you want the inplace to be tracked).")


def refresh_view(view, check_no_grad_view=False) -> None:
    """Note [View histories]
    A view records, when made, the version of its memory and whether grad mode was on
    (``_view_version``). When an in-place op has changed that memory since (through the base
    or another view), the view's recorded history is stale: as PyTorch does, it is rebuilt
    as AsStridedBackward0 of the base's current history, the first time the view's history
    is read (grad_fn, requires_grad, or as an op's input). A view made in no_grad mode keeps
    no history; PyTorch forbids reading one after an in-place op with grad mode on."""
    meta = getattr(view, "_view_version", None)
    if meta is None:
        return
    version = view._version_counter[0]
    if meta[0] == version:
        return
    base = view._base
    if not meta[1]:
        if check_no_grad_view and base._grad_fn is not None:
            raise RuntimeError(_NO_GRAD_VIEW.format(
                "its base or another view of its base has been modified inplace with grad "
                "mode enabled"))
        return
    view._view_version = (version, True)
    if base._requires_grad:
        from ember.ops._strided import memory_positions

        positions = memory_positions(view, base)
        record("AsStridedBackward0", _scatter_back, (base,), (view,),
               read=lambda _: positions, shape=base._data.shape)


def check_inplace_allowed(tensor) -> None:
    """PyTorch refuses in-place ops on leaves that require grad, and on views of them."""
    if not _state.enabled:
        return
    if tensor._base is not None and not getattr(tensor, "_view_version", (0, True))[1] and (
            tensor._requires_grad):
        raise RuntimeError(_NO_GRAD_VIEW.format("is being modified inplace with grad mode "
                                                "enabled"))
    base = tensor._base
    if base is not None and base._grad_fn is None and (base._requires_grad
                                                       or tensor._requires_grad):
        # a view of a leaf that requires grad, or a view made to require grad itself
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                           "in-place operation.")
    if tensor._requires_grad and tensor._grad_fn is None:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                           "operation.")




# --- views and in-place ops -------------------------------------------------------------


def record_view(view, input, name: str, formula=None, read=None):
    """Record ``view`` (a view or an indexing result of ``input``) in the graph. Its
    backward is ``formula(grad)`` when given; else the gradient is scattered back to where
    ``read`` (the op as a function of a tensor) took each element from, or, without
    ``read``, to where ``view`` lies in ``input``'s memory. A view of an inference tensor
    is not recorded: as in PyTorch it neither requires grad nor leads to its base."""
    if view._base is not None and input.is_inference():
        return
    if formula is not None:
        record_op(name, (formula,), (input,), (view,))
        return
    if read is None:
        from ember.ops._strided import memory_positions

        positions = memory_positions(view, input)
        read = lambda _: positions  # noqa: E731
    node = record(name, _scatter_back, (input,), (view,), read=read, shape=input._data.shape)
    # An advanced index copies (no base): PyTorch saves its index tensors, freed by backward.
    node._frees_saved = view._base is None


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


def _check_view_rebase(view):
    """PyTorch refuses to record an in-place op on a view made in no_grad mode, and on one
    output of an op that returns several views."""
    node = view._grad_fn
    meta = getattr(view, "_view_version", None)
    if meta is not None and not meta[1]:
        raise RuntimeError(_NO_GRAD_VIEW.format("is being modified inplace with grad mode "
                                                "enabled"))
    if node is not None and len(node._output_metadata) > 1:
        raise RuntimeError(
            f"Output {view._output_nr} of {_short_name(node)} is a view and "
            "is being modified inplace. This view is the output of a function that returns "
            "multiple views. Such functions do not allow the output views to be modified "
            "inplace. You should replace the inplace operation by an out-of-place one.")


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
    tensor._view_version = (tensor._version_counter[0], True)


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


def inplace_with_grad(tensor, compute, check_overlap=True):
    """Run an in-place op on ``tensor`` with autograd: ``compute(old)`` is the op's
    out-of-place form (recorded in the graph) applied to ``tensor``'s current value
    (``check_overlap``: see check_inplace)."""
    from ember.ops._common import check_inplace

    check_inplace_allowed(tensor)
    if tensor._base is not None:
        refresh_view(tensor)
    result = compute(_snapshot(tensor))
    check_inplace(tensor, result._dtype, result._data.shape, check_overlap)
    if result._grad_fn is not None and tensor._base is not None:
        _check_view_rebase(tensor)
    tensor._device._backend.copyto(tensor._data, result._data, casting="unsafe")
    tensor._bump_version()
    if result._grad_fn is not None:
        old_node, old_output_nr = tensor._grad_fn, getattr(tensor, "_output_nr", 0)
        _rebase_history(tensor, result._grad_fn)
        if old_node is not None and getattr(tensor, "_retains_grad", False):
            # .grad follows the tensor's new value, as in PyTorch
            old_node._retained.pop(old_output_nr, None)
            tensor._grad_fn._register_retain_grad(tensor._output_nr, tensor)
    return tensor


__all__ = ["check_inplace_allowed", "check_out_allowed", "edge_of", "inplace_with_grad",
           "needs_grad", "record", "record_op", "record_view"]
