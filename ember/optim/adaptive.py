"""Per-coordinate learning rates from running sums of squared gradients: RMSprop,
Adagrad and Adadelta, each a class over a functional core in torch's order of
operations."""

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

__all__ = ["Adadelta", "Adagrad", "RMSprop", "adadelta", "adagrad", "rmsprop"]


def _l2(param, grad, weight_decay):
    return grad.add(param, alpha=weight_decay) if weight_decay != 0 else grad


class RMSprop(Optimizer):
    """RMSprop (Hinton), optionally centered and with momentum, as ``torch.optim.RMSprop``."""

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False) -> None:
        _check_options(lr, eps=eps, momentum=momentum, weight_decay=weight_decay, alpha=alpha)
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps,
                    "centered": centered, "weight_decay": weight_decay,
                    "capturable": capturable, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    @_use_grad_for_differentiable
    def step(self, closure=None):
        loss = _closure_loss(closure)
        for group in self.param_groups:
            def new_state(param, group=group):
                state = {"step": ember.zeros((), dtype=_scalar_dtype()),
                         "square_avg": ember.zeros_like(param)}
                if group["momentum"] > 0:
                    state["momentum_buffer"] = ember.zeros_like(param)
                if group["centered"]:
                    state["grad_avg"] = ember.zeros_like(param)
                return state
            params, grads, states = self._with_grads(group, new_state)
            rmsprop(params, grads, [s["square_avg"] for s in states],
                    [s.get("grad_avg") for s in states],
                    [s.get("momentum_buffer") for s in states], [s["step"] for s in states],
                    lr=group["lr"], alpha=group["alpha"], eps=group["eps"],
                    weight_decay=group["weight_decay"], momentum=group["momentum"],
                    centered=group["centered"], maximize=group["maximize"])
        return loss


def rmsprop(params, grads, square_avgs, grad_avgs, momentum_buffer_list, state_steps, *, lr,
            alpha, eps, weight_decay, momentum, centered, maximize=False, foreach=None,
            capturable=False, differentiable=False, has_complex=False) -> None:
    """The RMSprop update, in place."""
    lr = _to_scalar(lr)
    for i, param in enumerate(params):
        grad = -grads[i] if maximize else grads[i]
        state_steps[i] += 1
        grad = _l2(param, grad, weight_decay)
        real_param, grad, square_avg = _real_views(param, param, grad, square_avgs[i])
        square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
        if centered:
            (grad_avg,) = _real_views(param, grad_avgs[i])
            grad_avg.lerp_(grad, 1 - alpha)
            average = square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_()
        else:
            average = square_avg.sqrt()
        average = average.add_(eps)
        if momentum > 0:
            (buffer,) = _real_views(param, momentum_buffer_list[i])
            buffer.mul_(momentum).addcdiv_(grad, average)
            real_param.add_(buffer, alpha=-lr)
        else:
            real_param.addcdiv_(grad, average, value=-lr)


class Adagrad(Optimizer):
    """Adagrad (Duchi et al.), as ``torch.optim.Adagrad``: its state exists from
    construction on, the sums starting at ``initial_accumulator_value``."""

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0,
                 initial_accumulator_value=0, eps=1e-10, foreach=None, *, maximize=False,
                 differentiable=False, fused=None) -> None:
        _check_options(lr, lr_decay=lr_decay, weight_decay=weight_decay,
                       initial_accumulator_value=initial_accumulator_value, eps=eps)
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps,
                    "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value,
                    "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)
        for group in self.param_groups:
            for param in group["params"]:
                self.state[param].update(self._new_state(param, group))

    @staticmethod
    def _new_state(param, group):
        value = group["initial_accumulator_value"]
        if param.is_complex():
            value = complex(value, value)
        return {"step": ember.tensor(0.0, dtype=_scalar_dtype()),
                "sum": ember.full_like(param, value)}

    @_use_grad_for_differentiable
    def step(self, closure=None):
        loss = _closure_loss(closure)
        for group in self.param_groups:
            params, grads, states = self._with_grads(
                group, lambda param, group=group: self._new_state(param, group))
            adagrad(params, grads, [s["sum"] for s in states], [s["step"] for s in states],
                    lr=group["lr"], weight_decay=group["weight_decay"],
                    lr_decay=group["lr_decay"], eps=group["eps"], maximize=group["maximize"])
        return loss


def adagrad(params, grads, state_sums, state_steps, *, lr, weight_decay, lr_decay, eps,
            maximize=False, foreach=None, differentiable=False, fused=None,
            has_sparse_grad=False, has_complex=False, grad_scale=None,
            found_inf=None) -> None:
    """The Adagrad update, in place."""
    lr = _to_scalar(lr)
    for param, grad, state_sum, step_t in zip(params, grads, state_sums, state_steps):
        step_t += 1
        step = step_t.item()
        grad = _l2(param, -grad if maximize else grad, weight_decay)
        rate = lr / (1 + (step - 1) * lr_decay)
        param, grad, state_sum = _real_views(param, param, grad, state_sum)
        state_sum.addcmul_(grad, grad, value=1)
        param.addcdiv_(grad, state_sum.sqrt().add_(eps), value=-rate)


class Adadelta(Optimizer):
    """Adadelta (Zeiler), as ``torch.optim.Adadelta``."""

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *,
                 capturable=False, maximize=False, differentiable=False) -> None:
        _check_options(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        _check_options(lr, eps=eps, weight_decay=weight_decay)
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize, "capturable": capturable, "foreach": foreach,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    @_use_grad_for_differentiable
    def step(self, closure=None):
        loss = _closure_loss(closure)

        def new_state(param):
            return {"step": ember.zeros((), dtype=_scalar_dtype()),
                    "square_avg": ember.zeros_like(param),
                    "acc_delta": ember.zeros_like(param)}
        for group in self.param_groups:
            params, grads, states = self._with_grads(group, new_state)
            adadelta(params, grads, [s["square_avg"] for s in states],
                     [s["acc_delta"] for s in states], [s["step"] for s in states],
                     lr=group["lr"], rho=group["rho"], eps=group["eps"],
                     weight_decay=group["weight_decay"], maximize=group["maximize"])
        return loss


def adadelta(params, grads, square_avgs, acc_deltas, state_steps, *, lr, rho, eps,
             weight_decay, maximize=False, foreach=None, capturable=False,
             differentiable=False, has_complex=False) -> None:
    """The Adadelta update, in place."""
    lr = _to_scalar(lr)
    for param, grad, square_avg, acc_delta, step in zip(params, grads, square_avgs,
                                                         acc_deltas, state_steps):
        step += 1
        grad = _l2(param, -grad if maximize else grad, weight_decay)
        grad, square_avg, acc_delta = _real_views(param, grad, square_avg, acc_delta)
        square_avg.mul_(rho).addcmul_(grad, grad, value=1 - rho)
        std = square_avg.add(eps).sqrt_()
        delta = acc_delta.add(eps).sqrt_().div_(std).mul_(grad)
        acc_delta.mul_(rho).addcmul_(delta, delta, value=1 - rho)
        if param.is_complex():
            delta = ember.view_as_complex(delta)
        param.add_(delta, alpha=-lr)
