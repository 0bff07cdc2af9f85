"""Rprop: resilient backpropagation, steps sized by the signs of successive gradients."""

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

__all__ = ["Rprop", "rprop"]


class Rprop(Optimizer):
    """Rprop (Riedmiller and Braun), as ``torch.optim.Rprop``."""

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *,
                 capturable=False, foreach=None, maximize=False,
                 differentiable=False) -> None:
        _check_options(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = {"lr": lr, "etas": etas, "step_sizes": step_sizes, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
        super().__init__(params, defaults)

    @_use_grad_for_differentiable
    def step(self, closure=None):
        loss = _closure_loss(closure)
        for group in self.param_groups:
            def new_state(param, group=group):
                lr = _to_scalar(group["lr"])
                return {"step": ember.zeros((), dtype=_scalar_dtype()),
                        "prev": ember.zeros_like(param),
                        "step_size": ember.full_like(
                            param.grad, complex(lr, lr) if param.is_complex() else lr)}
            params, grads, states = self._with_grads(group, new_state)
            etaminus, etaplus = group["etas"]
            step_size_min, step_size_max = group["step_sizes"]
            rprop(params, grads, [s["prev"] for s in states], [s["step_size"] for s in states],
                  [s["step"] for s in states], step_size_min=step_size_min,
                  step_size_max=step_size_max, etaminus=etaminus, etaplus=etaplus,
                  maximize=group["maximize"])
        return loss


def rprop(params, grads, prevs, step_sizes, state_steps, *, step_size_min, step_size_max,
          etaminus, etaplus, maximize=False, foreach=None, capturable=False,
          differentiable=False, has_complex=False) -> None:
    """The Rprop update, in place: each step size grows while its gradient keeps its
    sign and shrinks when it flips (and that coordinate then rests for one step)."""
    for i, param in enumerate(params):
        grad = -grads[i] if maximize else grads[i]
        state_steps[i] += 1
        param, grad, prev, step_size = _real_views(param, param, grad, prevs[i],
                                                   step_sizes[i])
        sign = grad.mul(prev).sign()
        sign = sign.masked_fill(sign > 0, etaplus).masked_fill(sign < 0, etaminus)
        sign = sign.masked_fill(sign == 0, 1)
        step_size.mul_(sign).clamp_(step_size_min, step_size_max)
        grad = grad.masked_fill(sign == etaminus, 0)
        param.addcmul_(grad.sign(), step_size, value=-1)
        prev.copy_(grad)
