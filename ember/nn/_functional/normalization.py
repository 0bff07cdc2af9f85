"""Normalization: layer, RMS, group and batch norm."""

from __future__ import annotations

import ember
from ember.nn._functional._common import (
    _recorded,
)

__all__ = ["layer_norm", "rms_norm", "group_norm", "batch_norm"]


def _normalized(x, axes, eps):
    """``(x - mean) * rstd`` over ``axes`` (biased variance), and ``rstd``."""
    mean = x.mean(axes, keepdim=True)
    centred = x - mean
    rstd = ember.rsqrt((centred * centred).mean(axes, keepdim=True) + eps)
    return centred * rstd, rstd


def _normalization_grad(grad_hat, x, axes, eps):
    """The gradient of ``x`` through ``_normalized(x, axes, eps)``, given that of its
    output, in ember ops (differentiable again)."""
    x_hat, rstd = _normalized(x, axes, eps)
    return rstd * (grad_hat - grad_hat.mean(axes, keepdim=True)
                   - x_hat * (grad_hat * x_hat).mean(axes, keepdim=True))


def _affine_formulas(axes_for_params, param_view, param_shape, normalize, normalize_grad):
    """Formulas for (input, weight, bias) of ``normalize(input) * weight + bias``."""
    def input_formula(grad, input, weight):
        grad_hat = grad if weight is None else grad * weight.reshape(param_view)
        return normalize_grad(grad_hat, input)

    def weight_formula(grad, input):
        total = (grad * normalize(input))
        return (total.sum(axes_for_params) if axes_for_params else total).reshape(param_shape)

    def bias_formula(grad):
        return (grad.sum(axes_for_params) if axes_for_params else grad).reshape(param_shape)
    return input_formula, weight_formula, bias_formula


def _affine_normalization(name, input, weight, bias, param_view, param_axes, normalize,
                          normalize_grad):
    with ember.no_grad():
        result = normalize(input)
        if weight is not None:
            result = result * weight.reshape(param_view)
        if bias is not None:
            result = result + bias.reshape(param_view)
    param_shape = (weight if weight is not None else bias).shape if (
        weight is not None or bias is not None) else ()
    input_formula, weight_formula, bias_formula = _affine_formulas(
        param_axes, param_view, param_shape, normalize, normalize_grad)
    inputs = [input]
    formulas = [input_formula]
    if weight is not None:
        inputs.append(weight)
        formulas.append(weight_formula)
    if bias is not None:
        inputs.append(bias)
        formulas.append(bias_formula)
    return _recorded(name, result, tuple(inputs), tuple(formulas),
                     {"input": input, "weight": weight})


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    normalized_shape = tuple(normalized_shape)
    k = len(normalized_shape)
    if k == 0 or tuple(input.shape[input.dim() - k:]) != normalized_shape:
        raise RuntimeError(
            f"Given normalized_shape={list(normalized_shape)}, expected input with shape "
            f"[*, {', '.join(str(n) for n in normalized_shape)}], but got input of size"
            f"{list(input.shape)}")
    axes = list(range(input.dim() - k, input.dim()))
    batch_axes = list(range(input.dim() - k)) or None

    def normalize(x):
        return _normalized(x, axes, eps)[0]

    def normalize_grad(grad_hat, x):
        return _normalization_grad(grad_hat, x, axes, eps)
    if batch_axes is None:
        batch_axes = []
    return _affine_normalization("NativeLayerNormBackward0", input, weight, bias,
                                 normalized_shape, batch_axes, normalize, normalize_grad)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    k = len(normalized_shape)
    if eps is None:
        eps = float(ember.finfo(input.dtype).eps)
    axes = list(range(input.dim() - k, input.dim()))
    result = input * ember.rsqrt((input * input).mean(axes, keepdim=True) + eps)
    return result if weight is None else (result * weight).contiguous()


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    if input.dim() < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received "
                           f"{input.dim()}")
    n, c = input.shape[:2]
    if c % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by "
                           f"num_groups, but got input of shape {list(input.shape)} and "
                           f"num_groups={num_groups}")
    shape = input.shape
    grouped = (n, num_groups, -1)

    def normalize(x):
        return _normalized(x.reshape(grouped), [2], eps)[0].reshape(shape)

    def normalize_grad(grad_hat, x):
        return _normalization_grad(grad_hat.reshape(grouped), x.reshape(grouped), [2],
                                   eps).reshape(shape)
    view = (1, c) + (1,) * (input.dim() - 2)
    param_axes = [d for d in range(input.dim()) if d != 1]
    return _affine_normalization("NativeGroupNormBackward0", input, weight, bias, view,
                                 param_axes, normalize, normalize_grad)


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    if input.dim() < 2:
        raise ValueError(f"Expected 2D or 3D input (got {input.dim()}D input)")
    c = input.shape[1]
    axes = [d for d in range(input.dim()) if d != 1]
    view = (1, c) + (1,) * (input.dim() - 2)
    if training:
        count = input.numel() // c
        if count == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got "
                             f"input size {input.size()}")
        if running_mean is not None or running_var is not None:
            with ember.no_grad():
                mean = input.mean(axes)
                var = input.var(axes, correction=1)
                if running_mean is not None:
                    running_mean.mul_(1 - momentum).add_(mean * momentum)
                if running_var is not None:
                    running_var.mul_(1 - momentum).add_(var * momentum)

        def normalize(x):
            return _normalized(x, axes, eps)[0]

        def normalize_grad(grad_hat, x):
            return _normalization_grad(grad_hat, x, axes, eps)
    else:
        if running_mean is None or running_var is None:
            raise RuntimeError("running_mean and running_var must be defined in evaluation "
                               "mode")
        mean = running_mean.detach().reshape(view)
        rstd = ember.rsqrt(running_var.detach().reshape(view) + eps)

        def normalize(x):
            return (x - mean) * rstd

        def normalize_grad(grad_hat, x):
            return grad_hat * rstd
    return _affine_normalization("NativeBatchNormBackward0", input, weight, bias, view, axes,
                                 normalize, normalize_grad)
