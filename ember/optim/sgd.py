"""SGD: stochastic gradient descent with momentum, dampening, Nesterov and weight decay."""

from __future__ import annotations

from ember.ops import foreach
from ember.ops.foreach import dense_lists
from ember.optim.optimizer import (
    Optimizer,
    _check_options,
    _closure_loss,
    _to_scalar,
    _use_grad_for_differentiable,
)

__all__ = ["SGD", "sgd"]


class SGD(Optimizer):
    """Stochastic gradient descent (optionally with momentum), as ``torch.optim.SGD``."""

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0,
                 nesterov=False, *, maximize=False, foreach=None, differentiable=False,
                 fused=None) -> None:
        _check_options(lr, momentum=momentum, weight_decay=weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening,
                    "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize,
                    "foreach": foreach, "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)

    @_use_grad_for_differentiable
    def step(self, closure=None):
        loss = _closure_loss(closure)
        for group in self.param_groups:
            params, grads, states = self._with_grads(group)
            momentum = group["momentum"]
            buffers = [state.get("momentum_buffer") for state in states] if momentum else []
            sgd(params, grads, buffers, weight_decay=group["weight_decay"], momentum=momentum,
                lr=group["lr"], dampening=group["dampening"], nesterov=group["nesterov"],
                maximize=group["maximize"], foreach=group["foreach"])
            if momentum:  # the buffers made by the first step
                for state, buffer in zip(states, buffers):
                    state["momentum_buffer"] = buffer
        return loss


def sgd(params, d_p_list, momentum_buffer_list, *, weight_decay, momentum, lr, dampening,
        nesterov, maximize, foreach=None, has_sparse_grad=False, grad_scale=None,
        found_inf=None) -> None:
    """The SGD update of ``params`` in place; new momentum buffers are stored into
    ``momentum_buffer_list``. ``foreach`` (None: where it applies) updates all parameters
    with ops over lists (Note [Foreach ops]); the results are the same."""
    lr = _to_scalar(lr)
    if foreach is not False and dense_lists(params, d_p_list):
        _multi_tensor_sgd(params, d_p_list, momentum_buffer_list, weight_decay, momentum, lr,
                          dampening, nesterov, maximize)
        return
    for i, param in enumerate(params):
        grad = -d_p_list[i] if maximize else d_p_list[i]
        if weight_decay != 0:
            grad = grad.add(param, alpha=weight_decay)
        if momentum != 0:
            buffer = momentum_buffer_list[i]
            if buffer is None:
                buffer = momentum_buffer_list[i] = grad.clone().detach()
            else:
                buffer.mul_(momentum).add_(grad, alpha=1 - dampening)
            grad = grad.add(buffer, alpha=momentum) if nesterov else buffer
        param.add_(grad, alpha=-lr)


def _multi_tensor_sgd(params, grads, buffers, weight_decay, momentum, lr, dampening, nesterov,
                      maximize):
    """The loop of ``sgd`` turned inside out: each step over all parameters at once."""
    if maximize:
        grads = foreach._foreach_neg(grads)
    if weight_decay != 0:
        grads = foreach._foreach_add(grads, params, alpha=weight_decay)
    if momentum != 0:
        old = [i for i, buffer in enumerate(buffers) if buffer is not None]
        if len(old) == len(buffers) and foreach.dense_lists(buffers):
            foreach._foreach_mul_(buffers, momentum)
            foreach._foreach_add_(buffers, grads, alpha=1 - dampening)
        else:
            for i, buffer in enumerate(buffers):
                if buffer is None:
                    buffers[i] = grads[i].clone().detach()
                else:
                    buffer.mul_(momentum).add_(grads[i], alpha=1 - dampening)
        grads = foreach._foreach_add(grads, buffers, alpha=momentum) if nesterov else buffers
    foreach._foreach_add_(params, grads, alpha=-lr)
