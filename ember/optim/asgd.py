"""ASGD: averaged stochastic gradient descent (Polyak and Juditsky)."""

from __future__ import annotations

import ember
from ember.optim.optimizer import (
    Optimizer,
    _check_options,
    _closure_loss,
    _real_views,
    _scalar_dtype,
    _to_scalar,
    _use_grad_for_differentiable,
)

__all__ = ["ASGD", "asgd"]


class ASGD(Optimizer):
    """SGD that keeps a running average ``ax`` of the iterates, as ``torch.optim.ASGD``."""

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0,
                 foreach=None, maximize=False, differentiable=False,
                 capturable=False) -> None:
        _check_options(lr, weight_decay=weight_decay)
        defaults = {"lr": lr, "lambd": lambd, "alpha": alpha, "t0": t0,
                    "weight_decay": weight_decay, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    @_use_grad_for_differentiable
    def step(self, closure=None):
        loss = _closure_loss(closure)
        for group in self.param_groups:
            def new_state(param, group=group):
                return {"step": ember.zeros((), dtype=_scalar_dtype()),
                        "eta": ember.tensor(_to_scalar(group["lr"]), dtype=_scalar_dtype()),
                        "mu": ember.ones((), dtype=_scalar_dtype()),
                        "ax": ember.zeros_like(param)}
            params, grads, states = self._with_grads(group, new_state)
            asgd(params, grads, [s["ax"] for s in states], [s["mu"] for s in states],
                 [s["eta"] for s in states], [s["step"] for s in states],
                 lambd=group["lambd"], lr=group["lr"], t0=group["t0"], alpha=group["alpha"],
                 weight_decay=group["weight_decay"], maximize=group["maximize"])
        return loss


def asgd(params, grads, axs, mus, etas, state_steps, *, lambd, lr, t0, alpha, weight_decay,
         maximize=False, foreach=None, capturable=False, differentiable=False,
         has_complex=False) -> None:
    """The ASGD update of ``params`` and of their averages ``axs``, in place; ``etas`` and
    ``mus`` (one-element tensors) follow the schedules of the rate and averaging weight."""
    lr = _to_scalar(lr)
    for i, param in enumerate(params):
        grad = -grads[i] if maximize else grads[i]
        mu, eta, step_t = mus[i], etas[i], state_steps[i]
        param, grad, ax = _real_views(param, param, grad, axs[i])
        step_t += 1
        if weight_decay != 0:
            grad = grad.add(param, alpha=weight_decay)
        eta_value = eta.item()
        param.mul_(1 - lambd * eta_value)
        param.add_(grad, alpha=-eta_value)
        if mu.item() != 1:
            ax.add_(param.sub(ax).mul_(mu))
        else:
            ax.copy_(param)
        step = step_t.item()
        eta.copy_(ember.as_tensor(lr / ((1 + lambd * lr * step) ** alpha)))
        mu.copy_(ember.as_tensor(1 / max(1, step - t0)))
