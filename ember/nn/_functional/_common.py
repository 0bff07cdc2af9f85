"""What the functional modules share: recording a result under torch's node name."""

from __future__ import annotations

import ember
from ember.ops._autograd import needs_grad, record_op


def _divided(tensor, number):
    """``tensor / number`` recorded as torch's division by a scalar (DivBackward1)."""
    with ember.no_grad():
        result = tensor / number
    return _recorded("DivBackward1", result, (tensor,), (lambda grad: grad / number,), None)


def _recorded(name, result, inputs, formulas, values):
    """``result`` (computed without grad) recorded as node ``name`` of ``inputs``."""
    if needs_grad(*inputs):
        record_op(name, formulas, inputs, (result,), values)
    return result


def _not_differentiable(function, argument, tensor):
    if tensor is not None and needs_grad(tensor):
        raise RuntimeError(f"The function '{function}' is not differentiable with respect to "
                           f"argument '{argument}'. This input cannot have requires_grad True.")


# torch's CPU kernels behind the nodes, named in their errors for integer inputs
_KERNELS = {
    "GeluBackward0": "GeluKernelImpl", "SoftplusBackward0": "softplus_cpu",
    "EluBackward0": "elu_cpu", "EluBackward1": "elu_cpu", "CeluBackward0": "elu_cpu",
    "CeluBackward1": "elu_cpu", "SiluBackward0": "silu_cpu", "LogSigmoidBackward0":
    "log_sigmoid_cpu", "LeakyReluBackward0": "leaky_relu_cpu", "LeakyReluBackward1":
    "leaky_relu_cpu", "MishBackward0": "mish_cpu", "HardsigmoidBackward0": "hardsigmoid_cpu",
    "HardswishBackward0": "hardswish_cpu", "SoftshrinkBackward0": "softshrink_check",
    "HardshrinkBackward0": "hardshrink_cpu", "GluBackward0": "glu_cpu",
    "MseLossBackward0": "mse_cpu", "SmoothL1LossBackward0": "smooth_l1_cpu",
    "HuberLossBackward0": "huber_cpu",
}


def _check_floating(name, dtype):
    kernel = _KERNELS.get(name)
    if kernel is not None and not (dtype.is_floating_point or dtype.is_complex):
        raise NotImplementedError(f'"{kernel}" not implemented for \'{dtype._legacy_name}\'')


def _pointwise(name, input, forward, derivative, **values):
    """A one-input function: ``forward(input)``, gradient ``grad * derivative(input)``."""
    _check_floating(name, input.dtype)
    with ember.no_grad():
        result = forward(input)
    return _recorded(name, result, (input,), (lambda grad, input: grad * derivative(input),),
                     {"input": input, **values})
