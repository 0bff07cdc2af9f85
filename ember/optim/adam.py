"""The Adam family: Adam (with AMSGrad, and AdamW's decoupled weight decay), Adamax,
NAdam and RAdam. Each is a class over a functional core that updates lists of tensors
in the order of operations torch uses, so results agree to the last bits."""

from __future__ import annotations

import ember
from ember._tensor import Tensor
from ember.ops import foreach as foreach_ops
from ember.optim.optimizer import (
    Optimizer,
    _check_options,
    _closure_loss,
    _real_views,
    _scalar_dtype,
    _to_scalar,
    _use_grad_for_differentiable,
)

__all__ = ["Adam", "Adamax", "NAdam", "RAdam", "adam", "adamax", "nadam", "radam"]


def _check_betas_kind(betas) -> None:
    if not (all(isinstance(b, float) for b in betas)
            or all(isinstance(b, Tensor) for b in betas)):
        raise ValueError("betas must be either both floats or both Tensors")


def _step_counter():
    return ember.tensor(0.0, dtype=_scalar_dtype())


def _moments(*names):
    """A new state: a step counter and zero tensors like the parameter for ``names``."""
    def new_state(param):
        return {"step": _step_counter(), **{name: ember.zeros_like(param) for name in names}}
    return new_state


def _decayed(param, grad, lr, weight_decay, decoupled):
    """Weight decay: shrink the parameter (decoupled) or add to the gradient (L2)."""
    if weight_decay != 0:
        if decoupled:
            param.mul_(1 - lr * weight_decay)
        else:
            grad = grad.add(param, alpha=weight_decay)
    return grad


class Adam(Optimizer):
    """Adam (Kingma and Ba), as ``torch.optim.Adam``; ``decoupled_weight_decay=True`` is
    AdamW."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False) -> None:
        _check_options(lr, betas, eps=eps, weight_decay=weight_decay)
        _check_betas_kind(betas)
        defaults = {"lr": lr, "betas": tuple(map(_to_scalar, betas)), "eps": eps,
                    "weight_decay": weight_decay, "amsgrad": amsgrad, "maximize": maximize,
                    "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable, "fused": fused,
                    "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)

    @_use_grad_for_differentiable
    def step(self, closure=None):
        loss = _closure_loss(closure)
        for group in self.param_groups:
            names = ("exp_avg", "exp_avg_sq") + (("max_exp_avg_sq",) if group["amsgrad"]
                                                 else ())
            params, grads, states = self._with_grads(group, _moments(*names))
            beta1, beta2 = group["betas"]
            adam(params, grads, [s["exp_avg"] for s in states],
                 [s["exp_avg_sq"] for s in states],
                 [s["max_exp_avg_sq"] for s in states] if group["amsgrad"] else [],
                 [s["step"] for s in states], amsgrad=group["amsgrad"], beta1=beta1,
                 beta2=beta2, lr=group["lr"], weight_decay=group["weight_decay"],
                 eps=group["eps"], maximize=group["maximize"],
                 decoupled_weight_decay=group["decoupled_weight_decay"],
                 foreach=group["foreach"], differentiable=group["differentiable"])
        return loss


def adam(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, state_steps, *, amsgrad,
         beta1, beta2, lr, weight_decay, eps, maximize, decoupled_weight_decay=False,
         foreach=None, capturable=False, differentiable=False, fused=None, grad_scale=None,
         found_inf=None, has_complex=False) -> None:
    """The Adam update of ``params`` and their running averages, in place. ``foreach``
    (None: where it applies) updates all parameters with ops over lists (Note [Foreach
    ops]); the results are the same."""
    lr, beta1, beta2 = _to_scalar(lr), _to_scalar(beta1), _to_scalar(beta2)
    if foreach is not False and not differentiable and foreach_ops.dense_lists(
            params, grads, exp_avgs, exp_avg_sqs, *([max_exp_avg_sqs] if amsgrad else [])):
        _multi_tensor_adam(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, state_steps,
                           amsgrad, beta1, beta2, lr, weight_decay, eps, maximize,
                           decoupled_weight_decay)
        return
    for i, param in enumerate(params):
        grad = -grads[i] if maximize else grads[i]
        step_t = state_steps[i]
        step_t += 1
        grad = _decayed(param, grad, lr, weight_decay, decoupled_weight_decay)
        param, grad, exp_avg, exp_avg_sq = _real_views(param, param, grad, exp_avgs[i],
                                                       exp_avg_sqs[i])
        exp_avg.lerp_(grad, 1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        step = step_t.item()
        bias_correction1 = 1 - beta1 ** step
        bias_correction2_sqrt = (1 - beta2 ** step) ** 0.5
        if amsgrad:
            (largest,) = _real_views(params[i], max_exp_avg_sqs[i])
            ember.maximum(largest, exp_avg_sq, out=largest)
            exp_avg_sq = largest
        denom = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)
        param.addcdiv_(exp_avg, denom, value=-(lr / bias_correction1))


def _multi_tensor_adam(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, state_steps,
                       amsgrad, beta1, beta2, lr, weight_decay, eps, maximize, decoupled):
    """The loop of ``adam`` turned inside out: each step over all parameters at once."""
    if maximize:
        grads = foreach_ops._foreach_neg(grads)
    foreach_ops._foreach_add_(state_steps, 1)
    if weight_decay != 0:
        if decoupled:
            foreach_ops._foreach_mul_(params, 1 - lr * weight_decay)
        else:
            grads = foreach_ops._foreach_add(grads, params, alpha=weight_decay)
    foreach_ops._foreach_lerp_(exp_avgs, grads, 1 - beta1)
    foreach_ops._foreach_mul_(exp_avg_sqs, beta2)
    foreach_ops._foreach_addcmul_(exp_avg_sqs, grads, grads, 1 - beta2)
    steps = [step_t.item() for step_t in state_steps]
    if amsgrad:
        foreach_ops._foreach_maximum_(max_exp_avg_sqs, exp_avg_sqs)
        exp_avg_sqs = max_exp_avg_sqs
    denominators = foreach_ops._foreach_sqrt(exp_avg_sqs)
    foreach_ops._foreach_div_(denominators, [(1 - beta2 ** step) ** 0.5 for step in steps])
    foreach_ops._foreach_add_(denominators, eps)
    foreach_ops._foreach_addcdiv_(params, exp_avgs, denominators,
                                  [-(lr / (1 - beta1 ** step)) for step in steps])


class Adamax(Optimizer):
    """Adam with the infinity norm in place of the second moment, as
    ``torch.optim.Adamax``."""

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 foreach=None, *, maximize=False, differentiable=False,
                 capturable=False) -> None:
        _check_options(lr, betas, eps=eps, weight_decay=weight_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    @_use_grad_for_differentiable
    def step(self, closure=None):
        loss = _closure_loss(closure)
        for group in self.param_groups:
            params, grads, states = self._with_grads(group, _moments("exp_avg", "exp_inf"))
            beta1, beta2 = group["betas"]
            adamax(params, grads, [s["exp_avg"] for s in states],
                   [s["exp_inf"] for s in states], [s["step"] for s in states],
                   eps=group["eps"], beta1=beta1, beta2=beta2, lr=group["lr"],
                   weight_decay=group["weight_decay"], maximize=group["maximize"])
        return loss


def adamax(params, grads, exp_avgs, exp_infs, state_steps, *, eps, beta1, beta2, lr,
           weight_decay, maximize, foreach=None, differentiable=False, capturable=False,
           has_complex=False) -> None:
    """The Adamax update, in place."""
    lr = _to_scalar(lr)
    for i, param in enumerate(params):
        grad = -grads[i] if maximize else grads[i]
        step_t = state_steps[i]
        step_t += 1
        grad = _decayed(param, grad, lr, weight_decay, False)
        param, grad, exp_avg, exp_inf = _real_views(param, param, grad, exp_avgs[i],
                                                    exp_infs[i])
        exp_avg.lerp_(grad, 1 - beta1)
        ember.maximum(exp_inf.mul_(beta2), grad.abs().add_(eps), out=exp_inf)
        step_size = lr / (1 - beta1 ** step_t.item())
        param.addcdiv_(exp_avg, exp_inf, value=-step_size)


class NAdam(Optimizer):
    """Adam with Nesterov momentum (Dozat), as ``torch.optim.NAdam``."""

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, *, foreach=None,
                 maximize=False, capturable=False, differentiable=False) -> None:
        _check_options(lr, betas, eps=eps, weight_decay=weight_decay,
                       momentum_decay=momentum_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "momentum_decay": momentum_decay,
                    "decoupled_weight_decay": decoupled_weight_decay, "maximize": maximize,
                    "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    @_use_grad_for_differentiable
    def step(self, closure=None):
        loss = _closure_loss(closure)

        def new_state(param):
            return {"step": _step_counter(),
                    "mu_product": ember.ones((), dtype=_scalar_dtype()),
                    "exp_avg": ember.zeros_like(param), "exp_avg_sq": ember.zeros_like(param)}
        for group in self.param_groups:
            params, grads, states = self._with_grads(group, new_state)
            beta1, beta2 = group["betas"]
            nadam(params, grads, [s["exp_avg"] for s in states],
                  [s["exp_avg_sq"] for s in states], [s["mu_product"] for s in states],
                  [s["step"] for s in states], beta1=beta1, beta2=beta2, lr=group["lr"],
                  weight_decay=group["weight_decay"], momentum_decay=group["momentum_decay"],
                  eps=group["eps"], decoupled_weight_decay=group["decoupled_weight_decay"],
                  maximize=group["maximize"])
        return loss


def nadam(params, grads, exp_avgs, exp_avg_sqs, mu_products, state_steps, *, beta1, beta2,
          lr, weight_decay, momentum_decay, eps, decoupled_weight_decay=False, maximize=False,
          foreach=None, capturable=False, differentiable=False, has_complex=False) -> None:
    """The NAdam update, in place; ``mu_products`` hold the running product of the
    momentum schedule."""
    lr = _to_scalar(lr)
    for i, param in enumerate(params):
        grad = -grads[i] if maximize else grads[i]
        mu_product, step_t = mu_products[i], state_steps[i]
        param, grad, exp_avg, exp_avg_sq = _real_views(param, param, grad, exp_avgs[i],
                                                       exp_avg_sqs[i])
        step_t += 1
        step = step_t.item()
        bias_correction2 = 1 - beta2 ** step
        grad = _decayed(param, grad, lr, weight_decay, decoupled_weight_decay)
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
        mu_product *= mu
        exp_avg.lerp_(grad, 1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        denom = exp_avg_sq.div(bias_correction2).sqrt().add_(eps)
        product = mu_product.item()
        param.addcdiv_(grad, denom, value=-lr * (1.0 - mu) / (1.0 - product))
        param.addcdiv_(exp_avg, denom, value=-lr * mu_next / (1.0 - product * mu_next))


class RAdam(Optimizer):
    """Adam with the variance of the adaptive rate rectified (Liu et al.), as
    ``torch.optim.RAdam``."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False,
                 capturable=False, differentiable=False) -> None:
        _check_options(lr, betas, eps=eps, weight_decay=weight_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "decoupled_weight_decay": decoupled_weight_decay,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    @_use_grad_for_differentiable
    def step(self, closure=None):
        loss = _closure_loss(closure)
        for group in self.param_groups:
            params, grads, states = self._with_grads(group, _moments("exp_avg", "exp_avg_sq"))
            beta1, beta2 = group["betas"]
            radam(params, grads, [s["exp_avg"] for s in states],
                  [s["exp_avg_sq"] for s in states], [s["step"] for s in states],
                  beta1=beta1, beta2=beta2, lr=group["lr"],
                  weight_decay=group["weight_decay"], eps=group["eps"],
                  decoupled_weight_decay=group["decoupled_weight_decay"],
                  maximize=group["maximize"])
        return loss


def radam(params, grads, exp_avgs, exp_avg_sqs, state_steps, *, beta1, beta2, lr,
          weight_decay, eps, decoupled_weight_decay=False, maximize=False, foreach=None,
          capturable=False, differentiable=False, has_complex=False) -> None:
    """The RAdam update, in place: plain momentum SGD until the variance estimate is
    reliable (rho_t > 5), rectified Adam after."""
    lr = _to_scalar(lr)
    for i, param in enumerate(params):
        grad = -grads[i] if maximize else grads[i]
        step_t = state_steps[i]
        param, grad, exp_avg, exp_avg_sq = _real_views(param, param, grad, exp_avgs[i],
                                                       exp_avg_sqs[i])
        step_t += 1
        step = step_t.item()
        grad = _decayed(param, grad, lr, weight_decay, decoupled_weight_decay)
        exp_avg.lerp_(grad, 1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        corrected = exp_avg / bias_correction1
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
        if rho_t > 5.0:
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf
                    / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            adaptive_lr = (bias_correction2 ** 0.5) / exp_avg_sq.sqrt().add_(eps)
            param.add_(corrected * lr * adaptive_lr * rect, alpha=-1.0)
        else:
            param.add_(corrected * lr, alpha=-1.0)
