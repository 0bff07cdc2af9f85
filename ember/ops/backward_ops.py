"""Ops that backward formulas call, as PyTorch's ``*_backward`` ops: the gradients of relu,
log_softmax and softmax, each one backend kernel in place of several ember ops (nll_loss's
and GELU's are beside their forward kernels, in ember/ops/losses.py and special.py).

Note [Backward ops]
A formula written as a chain of ember ops pays each op's dispatch, and records each as a
node when the graph of the gradient is kept (``create_graph``). These ops compute their
gradient in one kernel, and record one node, with formulas of their own for the
gradient of a gradient, under PyTorch's names (``ThresholdBackwardBackward0``, ...)."""

from __future__ import annotations

from ember.backends import cpu as _cpu
from ember.ops._autograd import needs_grad, record_op
from ember.ops._common import compute_operand, finish, sum_kept

__all__ = []


def threshold_backward(grad_output, input, threshold):
    """``grad_output`` where ``input > threshold`` (or NaN), 0 where ``input <= threshold``:
    relu's gradient from its result."""
    data = _cpu.zero_where(_cpu.less_equal(input._data, threshold), grad_output._data)
    result = finish(data, grad_output._dtype, grad_output._device)
    if needs_grad(grad_output, input):
        record_op("ThresholdBackwardBackward0",
                  (lambda grad, input: threshold_backward(grad, input, threshold),
                   lambda grad: grad.new_zeros(grad.shape)),
                  (grad_output, input), (result,), {"input": input})
    return result


def _array_sum_kept(data, axes):
    return _cpu.add.reduce(data, axis=axes, keepdims=True)


def log_softmax_backward_data(grad_output, output, axes):
    """The gradient of log_softmax over ``axes`` (None: a 0-d input) from its ``output``:
    ``grad_output - exp(output) * sum(grad_output)``."""
    grad, result = compute_operand(grad_output), compute_operand(output)
    data = grad - _cpu.exp(result) * _array_sum_kept(grad, axes)
    tensor = finish(data, grad_output._dtype, grad_output._device)
    if needs_grad(grad_output, output):
        record_op("LogSoftmaxBackwardDataBackward0",
                  (lambda grad, output: grad - sum_kept(grad * output.exp(), axes),
                   lambda grad, grad_output, output:
                   -sum_kept(grad_output, axes) * output.exp() * grad),
                  (grad_output, output), (tensor,),
                  {"grad_output": grad_output, "output": output})
    return tensor


def softmax_backward_data(grad_output, output, axes):
    """The gradient of softmax over ``axes`` from its ``output``:
    ``output * (grad_output - sum(grad_output * output))``."""
    grad, result = compute_operand(grad_output), compute_operand(output)
    data = result * (grad - _array_sum_kept(grad * result, axes))
    tensor = finish(data, grad_output._dtype, grad_output._device)
    if needs_grad(grad_output, output):
        record_op("SoftmaxBackwardDataBackward0",
                  (lambda grad, output: softmax_backward_data(grad, output, axes),
                   lambda grad, grad_output, output: grad_output * grad
                   - sum_kept(output * grad_output, axes) * grad
                   - grad_output * sum_kept(output * grad, axes)),
                  (grad_output, output), (tensor,),
                  {"grad_output": grad_output, "output": output})
    return tensor
