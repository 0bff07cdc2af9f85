"""Higher-level derivatives of functions: jacobian, hessian, vjp, jvp, hvp, vhp."""

from __future__ import annotations

from ember.autograd import grad_mode
from ember.autograd.engine import grad as autograd_grad

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]


def _as_tuple(values):
    return (tuple(values), True) if isinstance(values, list | tuple) else ((values,), False)


def _outputs(values, function_name):
    """The user function's outputs as a tuple, refused unless tensors, as PyTorch does."""
    outputs, is_tuple = _as_tuple(values)
    for output in outputs if is_tuple else (values,):
        if not hasattr(output, "_requires_grad"):
            raise TypeError(f"The outputs of the user-provided function given to "
                            f"{function_name} must be either a Tensor or a tuple of Tensors but "
                            f"the given outputs of the user-provided function has type "
                            f"{type(values if not is_tuple else output)}.")
    return outputs, is_tuple


def _check_v(v, outputs):
    for vector, output in zip(v, outputs):
        if vector._data.shape != output._data.shape:
            raise RuntimeError(f"v has invalid size: should be torch.Size("
                               f"{list(output._data.shape)}) but got torch.Size("
                               f"{list(vector._data.shape)}).")


def _prepare(inputs, create_graph):
    """Inputs as fresh leaves that require grad (kept in the graph with create_graph)."""
    return tuple(x if create_graph and x._requires_grad else x.detach().requires_grad_()
                 for x in inputs)


def _check_strict_outputs(outputs, strict):
    for index, output in enumerate(outputs):
        if strict and not output._requires_grad:
            raise RuntimeError(f"Output {index} of the user-provided function does not require "
                               "gradients. The outputs must be computed in a differentiable "
                               "manner from the input when running in strict mode.")


def _grads(outputs, inputs, seeds, create_graph, independent=None):
    """Gradients of ``outputs`` (seeded) for ``inputs``, zeros where unused; in strict mode
    ``independent(index)`` is the error for an input no output depends on."""
    from ember.ops.creation import zeros_like

    differentiable = [o for o in outputs if o._requires_grad]
    used_seeds = [s for o, s in zip(outputs, seeds) if o._requires_grad]
    if not differentiable:
        return tuple(zeros_like(x) for x in inputs)
    with grad_mode.enable_grad():
        grads = autograd_grad(differentiable, inputs, used_seeds, retain_graph=True,
                              create_graph=create_graph, allow_unused=True)
    if independent:
        for index, grad in enumerate(grads):
            if grad is None:
                raise RuntimeError(independent(index))
    return tuple(zeros_like(x) if g is None else g for g, x in zip(grads, inputs))


def _finish(values, is_tuple, create_graph):
    values = tuple(v if create_graph else v.detach() for v in values)
    return values if is_tuple else values[0]


def vjp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), v^T J)``."""
    from ember.ops.creation import ones_like

    inputs, inputs_tuple = _as_tuple(inputs)
    with grad_mode.enable_grad():
        inputs = _prepare(inputs, create_graph)
        outputs, outputs_tuple = _outputs(func(*inputs), "vjp")
    if v is None:
        if len(outputs) != 1 or outputs[0]._data.size != 1:
            raise RuntimeError("The vector v can only be None if the user-provided function "
                               "returns a single Tensor with a single element.")
        v = ones_like(outputs[0])
    seeds, _ = _as_tuple(v)
    _check_v(seeds, outputs)
    _check_strict_outputs(outputs, strict)
    grads = _grads(outputs, inputs, seeds, create_graph, strict and (
        lambda index: f"The output of the user-provided function is independent of input "
                      f"{index}. This is not allowed in strict mode."))
    return (_finish(outputs, outputs_tuple, create_graph),
            _finish(grads, inputs_tuple, create_graph))


def jvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), J v)``, through two vector-Jacobian products."""
    from ember.ops.creation import ones_like, zeros_like

    inputs, inputs_tuple = _as_tuple(inputs)
    with grad_mode.enable_grad():
        inputs = _prepare(inputs, create_graph)
        outputs, outputs_tuple = _outputs(func(*inputs), "jvp")
        if v is None:
            if len(inputs) != 1 or inputs[0]._data.size != 1:
                raise RuntimeError("The vector v can only be None if the input to the "
                                   "user-provided function is a single Tensor with a single "
                                   "element.")
            v = ones_like(inputs[0])
        tangents, _ = _as_tuple(v)
        dummies = [zeros_like(o).requires_grad_() for o in outputs]
        back = _grads(outputs, inputs, dummies, create_graph=True)
        forward = _grads(back, dummies, tangents, create_graph)
    return (_finish(outputs, outputs_tuple, create_graph),
            _finish(forward, outputs_tuple, create_graph))


def jacobian(func, inputs, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode"):
    """The Jacobian of ``func`` at ``inputs``: for one input and one output a tensor of
    shape output.shape + input.shape, else nested tuples of such tensors."""
    from ember.ops.creation import zeros_like
    from ember.ops.joining import stack

    inputs, inputs_tuple = _as_tuple(inputs)
    with grad_mode.enable_grad():
        inputs = _prepare(inputs, create_graph)
        outputs, outputs_tuple = _outputs(func(*inputs), "jacobian")
    _check_strict_outputs(outputs, strict)
    blocks = []
    for output_index, output in enumerate(outputs):
        independent = strict and (
            lambda index, output_index=output_index: f"Output {output_index} of the "
            f"user-provided function is independent of input {index}. This is not allowed in "
            "strict mode.")
        rows = []
        for element in range(output._data.size):
            seed = zeros_like(output)
            seed._data.reshape(-1)[element] = 1
            rows.append(_grads((output,), inputs, (seed,), create_graph, independent))
        per_input = []
        for index, x in enumerate(inputs):
            if rows:
                block = stack([row[index] for row in rows]).reshape(
                    tuple(output._data.shape) + tuple(x._data.shape))
            else:
                block = zeros_like(x).reshape((0,) + tuple(x._data.shape)).reshape(
                    tuple(output._data.shape) + tuple(x._data.shape))
            per_input.append(block if create_graph else block.detach())
        blocks.append(tuple(per_input) if inputs_tuple else per_input[0])
    return tuple(blocks) if outputs_tuple else blocks[0]


def hessian(func, inputs, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode"):
    """The Hessian of the scalar function ``func`` at ``inputs``."""
    inputs_tuple = isinstance(inputs, list | tuple)

    def gradient(*values):
        with grad_mode.enable_grad():
            output = func(*values)
            if output._data.size != 1:
                raise RuntimeError("The Tensor returned by the function given to hessian "
                                   "should contain a single element")
            grads = _grads((output,), values, (_ones(output),),
                           create_graph=True)
        return grads if inputs_tuple else grads[0]

    return jacobian(gradient, inputs, create_graph=create_graph)


def _ones(tensor):
    from ember.ops.creation import ones_like

    return ones_like(tensor)


def vhp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), v^T H)``."""
    inputs, inputs_tuple = _as_tuple(inputs)
    with grad_mode.enable_grad():
        inputs = _prepare(inputs, True)
        output = func(*inputs)
        gradient = _grads((output,), inputs, (_ones(output),), create_graph=True)
        seeds, _ = _as_tuple(v)
        product = _grads(gradient, inputs, seeds, create_graph)
    return (output if create_graph else output.detach(),
            _finish(product, inputs_tuple, create_graph))


def hvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), H v)``; equal to vhp for the symmetric Hessian of a smooth
    function."""
    return vhp(func, inputs, v, create_graph, strict)
