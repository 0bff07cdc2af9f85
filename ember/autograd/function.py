"""Custom differentiable ops: ``autograd.Function``, recorded as the same Node that
built-in ops record (see Note [The autograd graph])."""

from __future__ import annotations

import functools

from ember.autograd import grad_mode
from ember.autograd.graph import Node, attach

__all__ = ["Function", "FunctionCtx", "once_differentiable"]


class FunctionCtx:
    """The type of ``ctx``; ctx objects are the recorded nodes themselves."""


class Function:
    """Subclass with ``forward(ctx, *args)`` (or ``forward(*args)`` plus
    ``setup_context(ctx, inputs, output)``) and ``backward(ctx, *grad_outputs)``, then call
    ``apply``."""

    @staticmethod
    def forward(*args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for "
                                  "your custom autograd.Function to use it with backward "
                                  "mode AD.")

    vjp = backward

    @classmethod
    def apply(cls, *args, **kwargs):
        from ember._tensor import Tensor

        def run_backward(ctx, *grad_outputs):
            tensor_positions = ctx._tensor_outputs
            if tensor_positions is not None:  # non-tensor outputs get None gradients
                grads = [None] * ctx._output_count
                for position, grad in zip(tensor_positions, grad_outputs):
                    grads[position] = grad
                grad_outputs = grads
            return cls.backward(ctx, *grad_outputs)

        node_type = cls.__dict__.get("_backward_cls")
        if node_type is None:  # PyTorch's ctx is an instance of a class named so, too
            node_type = type(cls.__name__ + "Backward", (Node, FunctionCtx), {})
            cls._backward_cls = node_type
        ctx = node_type(cls.__name__ + "Backward", run_backward, args)
        ctx._to_save = ()
        ctx._tensor_outputs = None
        uses_setup_context = cls.setup_context is not Function.setup_context
        with grad_mode.no_grad():
            if uses_setup_context:
                outputs = cls.forward(*args, **kwargs)
            else:
                outputs = cls.forward(ctx, *args, **kwargs)
        if uses_setup_context:
            cls.setup_context(ctx, args, outputs)
        is_tuple = isinstance(outputs, tuple)
        results = outputs if is_tuple else (outputs,)
        if grad_mode.state.enabled and any(ctx.needs_input_grad):
            results = _connect(ctx, args, results, Tensor)
        elif getattr(ctx, "_dirty", ()):
            for tensor in ctx._dirty:
                tensor._bump_version()
        return results if is_tuple else results[0]


def _connect(ctx, inputs, outputs, tensor_type):
    """Record ``ctx`` as the grad_fn of the differentiable outputs."""
    dirty = {id(t) for t in getattr(ctx, "_dirty", ())}
    non_differentiable = {id(t) for t in ctx._non_differentiable}
    input_ids = {id(x) for x in inputs if isinstance(x, tensor_type)}
    connected = []
    for output in outputs:
        if isinstance(output, tensor_type):
            if id(output) in dirty:
                if output._requires_grad and output._grad_fn is None:
                    raise RuntimeError("a leaf Variable that requires grad has been used in an "
                                       "in-place operation.")
                output._bump_version()
            elif id(output) in input_ids:
                output = output.view_as(output)  # an input returned as is becomes an alias
        connected.append(output)
    differentiable = [o for o in connected if isinstance(o, tensor_type)
                      and id(o) not in non_differentiable]
    tensor_positions = [i for i, o in enumerate(connected) if isinstance(o, tensor_type)]
    if len(tensor_positions) != len(connected):
        ctx._tensor_outputs, ctx._output_count = tensor_positions, len(connected)
    ctx._save(ctx._to_save, differentiable)
    ctx._to_save = ()  # held as SavedTensor now; the outputs themselves would make a cycle
    attach(ctx, [o for o in connected if isinstance(o, tensor_type)])
    first = inputs[0] if inputs else None
    if isinstance(first, tensor_type) and first._base is not None and id(first) in dirty:
        from ember.ops._autograd import _rebase_history

        _rebase_history(first, ctx)  # a view changed in place: its base's history changes too
    for output in connected:
        if isinstance(output, tensor_type) and id(output) in non_differentiable:
            output._requires_grad = False
            output._grad_fn = None
    return tuple(connected)


def once_differentiable(backward):
    """Mark a backward as not itself differentiable: it runs without recording a graph."""

    @functools.wraps(backward)
    def wrapper(ctx, *grad_outputs):
        with grad_mode.no_grad():
            return backward(ctx, *grad_outputs)

    return wrapper
