"""Normalization as fused ops: batch, layer, group and instance norm.

Note [Fused normalization]
Every normalization here is one kernel over a *work view* of the input: statistics (mean
and ``rstd = 1 / sqrt(var + eps)``) over ``stat_axes``, then ``x_hat * weight + bias`` with
the affine parameters broadcast from ``param_view``; their gradients reduce
``param_axes``. Batch norm of (N, C, H, W) is the input itself with statistics over
(0, 2, 3); layer norm reduces the trailing axes; group norm views (N, C, *) as
(N, G, C/G, S). The forward computes the statistics once and saves them; the backward
uses them in one fused NumPy formula. When the backward itself is recorded
(``create_graph=True``), the same gradients are written in ember ops instead, recomputing
the statistics from the input, so that they are differentiable again."""

from __future__ import annotations

import math

from ember._tensor import _make
from ember.autograd import grad_mode
from ember.backends import cpu as _cpu
from ember.ops._autograd import needs_grad, record
from ember.ops._common import compute_dtype
from ember.ops.elementary import rsqrt

__all__ = ["batch_norm", "layer_norm", "group_norm", "instance_norm", "rms_norm"]

_state = grad_mode.state


class _Layout:
    """Where a normalization reduces: see Note [Fused normalization]."""

    __slots__ = ("work_shape", "stat_axes", "param_axes", "param_view", "eps")

    def __init__(self, work_shape, stat_axes, param_axes, param_view, eps):
        self.work_shape = tuple(work_shape)
        self.stat_axes = tuple(stat_axes)
        self.param_axes = tuple(param_axes)
        self.param_view = tuple(param_view)
        self.eps = eps

    def count(self) -> int:
        """How many values each statistic summarizes."""
        return math.prod(self.work_shape[a] for a in self.stat_axes)


def _sum_of_products(a, b, axes):
    """``(a * b).sum(axes, keepdims=True)`` for same-shape arrays, without the product's
    temporary (einsum reads both in one pass)."""
    letters = "abcdefghijklmnopqrstuvwxyz"[:a.ndim]
    kept = "".join(letter for axis, letter in enumerate(letters) if axis not in axes)
    kept_shape = tuple(1 if axis in axes else n for axis, n in enumerate(a.shape))
    return _cpu.einsum(f"{letters},{letters}->{kept}", a, b).reshape(kept_shape)


def _statistics(data, layout):
    """Mean and (biased) variance over the statistics' axes (kept), and the centred data."""
    mean = data.mean(layout.stat_axes, keepdims=True)
    centred = data - mean
    return mean, _sum_of_products(centred, centred, layout.stat_axes) / layout.count(), centred


def _scaled_in_place(out, rstd, weight, bias):
    """``out * rstd * weight + bias`` written into ``out``; ``rstd * weight`` is formed
    once where it is small (per channel or per group), else applied in two passes."""
    if weight is not None and math.prod(_cpu.broadcast_shapes(rstd.shape, weight.shape)) * 2 \
            <= out.size:
        out *= rstd * weight
    else:
        out *= rstd
        if weight is not None:
            out *= weight
    if bias is not None:
        out += bias
    return out


def _param_array(param, layout, np_dtype):
    return None if param is None else param._data.astype(np_dtype, copy=False).reshape(
        layout.param_view)


def _normalize(name, input, weight, bias, layout, statistics=None):
    """The normalized input (in its own shape), recorded as node ``name``, and the batch's
    (mean, variance) arrays. ``statistics`` are fixed (mean, rstd) arrays broadcasting
    against the work shape (evaluation mode); without them they come from the input."""
    np_dtype = compute_dtype(input._dtype)._np
    data = input._data.astype(np_dtype, copy=False).reshape(layout.work_shape)
    w, b = _param_array(weight, layout, np_dtype), _param_array(bias, layout, np_dtype)
    variance = None
    if statistics is None:
        mean, variance, out = _statistics(data, layout)
        rstd = 1 / _cpu.sqrt(variance + layout.eps)
        out = _scaled_in_place(out, rstd, w, b)
    else:  # per-channel constants: one multiply and one add
        mean, rstd = statistics
        scale = rstd if w is None else rstd * w
        out = data * scale
        out -= mean * scale if b is None else mean * scale - b
    result = _make(out.astype(input._dtype._np, copy=False).reshape(input._data.shape),
                   input._dtype)
    if needs_grad(input, weight, bias):
        record(name, _normalization_backward, (input, weight, bias), (result,),
               saved=(input, weight), mean=mean, rstd=rstd, layout=layout,
               fixed_statistics=statistics is not None)
    return result, mean, variance


def _normalization_backward(ctx, grad):
    input, weight = ctx.saved_tensors
    if _state.enabled and needs_grad(grad, input, weight):
        return _composite_grads(ctx, grad, input, weight)
    return _fused_grads(ctx, grad, input, weight)


def _fused_grads(ctx, grad, input, weight):
    """The gradients of input, weight and bias in NumPy, from the saved statistics."""
    layout = ctx.layout
    mean, rstd = ctx.mean, ctx.rstd
    np_dtype = mean.dtype
    g = grad._data.astype(np_dtype, copy=False).reshape(layout.work_shape)
    w = _param_array(weight, layout, np_dtype)
    needs_input, needs_weight, needs_bias = ctx.needs_input_grad
    batch_input_grad = needs_input and not ctx.fixed_statistics
    if needs_weight or batch_input_grad:
        x_hat = input._data.astype(np_dtype, copy=False).reshape(layout.work_shape) - mean
        x_hat *= rstd
    # batch norm: the parameters' sums are the ones the input's gradient needs
    shared_sums = layout.param_axes == layout.stat_axes and batch_input_grad
    grad_bias = grad_weight = grad_input = None
    if needs_bias or shared_sums:
        grad_bias = g.sum(layout.param_axes, keepdims=True)
    if needs_weight or shared_sums:
        grad_weight = _sum_of_products(g, x_hat, layout.param_axes)
    if needs_input:
        count = layout.count()
        if ctx.fixed_statistics:
            grad_input = g * (rstd if w is None else rstd * w)
        elif shared_sums:
            # rstd * w * (g - sum(g) / count - x_hat * sum(g x_hat) / count)
            scale = rstd if w is None else rstd * w
            grad_input = g * scale
            x_hat *= scale * grad_weight / count
            grad_input -= x_hat
            grad_input -= scale * grad_bias / count
        else:
            grad_input = g * w if w is not None else g.copy()
            shift = grad_input.sum(layout.stat_axes, keepdims=True) / count
            x_hat *= _sum_of_products(grad_input, x_hat, layout.stat_axes) / count
            grad_input -= shift
            grad_input -= x_hat
            grad_input *= rstd
        grad_input = _make(grad_input.astype(input._dtype._np, copy=False).reshape(
            input._data.shape), input._dtype)
    return (grad_input, _param_grad(ctx, 1, grad_weight, needs_weight),
            _param_grad(ctx, 2, grad_bias, needs_bias))


def _param_grad(ctx, index, array, needed):
    """The gradient ``array`` of input ``index`` (weight or bias) in its shape and dtype."""
    if not needed:
        return None
    shape, dtype = ctx._input_metadata[index]
    return _make(array.astype(dtype._np, copy=False).reshape(shape), dtype)


def _composite_grads(ctx, grad, input, weight):
    """The gradients of input, weight and bias in ember ops (differentiable again)."""
    layout = ctx.layout
    x = input.reshape(layout.work_shape)
    g = grad.reshape(layout.work_shape)
    w = None if weight is None else weight.reshape(layout.param_view)
    g_hat = g if w is None else g * w
    if ctx.fixed_statistics:
        mean = _make(ctx.mean.astype(input._dtype._np), input._dtype)
        rstd = _make(ctx.rstd.astype(input._dtype._np), input._dtype)
        x_hat = (x - mean) * rstd
        grad_input = g_hat * rstd
    else:
        x_hat, rstd = _normalized(x, layout.stat_axes, layout.eps)
        grad_input = rstd * (g_hat - g_hat.mean(layout.stat_axes, keepdim=True)
                             - x_hat * (g_hat * x_hat).mean(layout.stat_axes, keepdim=True))
    needs_input, needs_weight, needs_bias = ctx.needs_input_grad
    grad_weight = grad_bias = None
    if needs_weight:
        grad_weight = (g * x_hat).sum(layout.param_axes).reshape(weight.shape)
    if needs_bias:
        grad_bias = g.sum(layout.param_axes).reshape(ctx._input_metadata[2][0])
    return (grad_input.reshape(input.shape) if needs_input else None), grad_weight, grad_bias


def _normalized(x, axes, eps):
    """``(x - mean) * rstd`` over ``axes`` (biased variance), and ``rstd``, in ember ops."""
    mean = x.mean(axes, keepdim=True)
    centred = x - mean
    rstd = rsqrt((centred * centred).mean(axes, keepdim=True) + eps)
    return centred * rstd, rstd


# --------------------------------------------------------------------------- checks

def _check_floating(kernel, input):
    if not (input._dtype.is_floating_point or input._dtype.is_complex):
        raise NotImplementedError(f'"{kernel}" not implemented for '
                                  f"'{input._dtype._legacy_name}'")


def _check_size(what, tensor, size):
    if tensor is not None and tensor.numel() != size:
        raise RuntimeError(f"{what} should contain {size} elements not {tensor.numel()}")


# --------------------------------------------------------------------------- the ops

def batch_norm(input, weight, bias, running_mean, running_var, training: bool,
               momentum: float, eps: float, cudnn_enabled: bool = False):
    """Batch normalization over all dims but 1 (channels); in training, the batch's
    statistics normalize and update ``running_mean`` / ``running_var`` in place
    (``momentum`` weighs the new batch); otherwise the running statistics normalize."""
    shape = input._data.shape
    channels = input.size(1)
    for what, tensor in (("running_mean", running_mean), ("running_var", running_var),
                         ("weight", weight), ("bias", bias)):
        _check_size(what, tensor, channels)
    _check_floating("batch_norm", input)
    axes = (0,) + tuple(range(2, len(shape)))
    view = (1, channels) + (1,) * (len(shape) - 2)
    layout = _Layout(shape, axes, axes, view, eps)
    if training:
        result, mean, variance = _normalize("NativeBatchNormBackward0", input, weight, bias,
                                            layout)
        count = layout.count()
        unbiased = variance * (count / (count - 1) if count > 1 else math.inf)
        for running, batch in ((running_mean, mean), (running_var, unbiased)):
            if running is not None:  # (1 - momentum) * running + momentum * batch
                data = running._data
                updated = data * (1 - momentum) + batch.reshape(data.shape) * momentum
                _cpu.copyto(data, updated.astype(data.dtype))
                running._bump_version()
        return result
    if running_mean is None:
        raise RuntimeError("running_mean must be defined in evaluation mode")
    if running_var is None:
        raise RuntimeError("running_var must be defined in evaluation mode")
    np_dtype = compute_dtype(input._dtype)._np
    mean = running_mean._data.astype(np_dtype).reshape(view)
    rstd = 1 / _cpu.sqrt(running_var._data.astype(np_dtype).reshape(view) + eps)
    return _normalize("NativeBatchNormBackward0", input, weight, bias, layout,
                      (mean, rstd))[0]


def _trailing_shape(function, input, normalized_shape, parameters, separator):
    """``normalized_shape`` as a tuple, checked against the input's trailing dims and the
    shapes of the ``(name, tensor)`` parameters; torch's messages for ``function``."""
    if not isinstance(normalized_shape, list | tuple):
        raise TypeError(f"{function}(): argument 'normalized_shape' (position 2) must be "
                        f"tuple of ints, not {type(normalized_shape).__name__}")
    normalized_shape = tuple(normalized_shape)
    if not normalized_shape:
        raise RuntimeError("Expected normalized_shape to be at least 1-dimensional, i.e., "
                           "containing at least one element, but got normalized_shape = []")
    for what, tensor in parameters:
        if tensor is not None and tuple(tensor.shape) != normalized_shape:
            raise RuntimeError(f"Expected {what} to be of same shape as normalized_shape, but "
                               f"got {what} of shape {list(tensor.shape)} and "
                               f"normalized_shape = {list(normalized_shape)}")
    shape = input._data.shape
    if shape[len(shape) - len(normalized_shape):] != normalized_shape:
        raise RuntimeError(
            f"Given normalized_shape={list(normalized_shape)}, expected input with shape "
            f"[*{separator}{', '.join(str(n) for n in normalized_shape)}], but got input of "
            f"size{list(shape)}")
    return normalized_shape


def layer_norm(input, normalized_shape, weight=None, bias=None, eps: float = 1e-5,
               cudnn_enable: bool = False):
    """Normalization over the trailing ``normalized_shape`` dims of each sample."""
    normalized_shape = _trailing_shape("layer_norm", input, normalized_shape,
                                       (("weight", weight), ("bias", bias)), ", ")
    shape = input._data.shape
    count = len(normalized_shape)
    _check_floating("LayerNormKernelImpl", input)
    rows = math.prod(shape[:len(shape) - count])
    layout = _Layout((rows, math.prod(normalized_shape)), (1,), (0,),
                     (math.prod(normalized_shape),), eps)
    return _normalize("NativeLayerNormBackward0", input, weight, bias, layout)[0]


def group_norm(input, num_groups: int, weight=None, bias=None, eps: float = 1e-5,
               cudnn_enabled: bool = False):
    """Normalization of each sample over groups of ``num_groups`` channels' values."""
    shape = input._data.shape
    if len(shape) < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received "
                           f"{len(shape)}")
    batch, channels = shape[:2]
    if channels % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by "
                           f"num_groups, but got input of shape {list(shape)} and "
                           f"num_groups={num_groups}")
    for what, tensor in (("weight", weight), ("bias", bias)):
        if tensor is not None and (tensor.dim() != 1 or tensor.numel() != channels):
            raise RuntimeError(f"Expected {what} to be a vector of size equal to the number "
                               f"of channels in input, but got {what} of shape "
                               f"{list(tensor.shape)} and input of shape {list(shape)}")
    _check_floating("GroupNormKernelImpl", input)
    per_group = channels // num_groups
    layout = _Layout((batch, num_groups, per_group, math.prod(shape[2:])), (2, 3), (0, 3),
                     (1, num_groups, per_group, 1), eps)
    return _normalize("NativeGroupNormBackward0", input, weight, bias, layout)[0]


def instance_norm(input, weight, bias, running_mean, running_var, use_input_stats: bool,
                  momentum: float, eps: float, cudnn_enabled: bool = False):
    """Normalization of each channel of each sample over its own values: batch norm of the
    input viewed as one sample of N * C channels, whose running statistics are averaged
    over the batch."""
    if not use_input_stats and (running_mean is None or running_var is None):
        raise RuntimeError("Expected running_mean and running_var to be defined when "
                           "use_input_stats is false")
    shape = input._data.shape
    batch, channels = shape[0], input.size(1)

    def repeated(tensor):
        return None if tensor is None else tensor.repeat(batch)
    running = [repeated(t) for t in (running_mean, running_var)]
    result = batch_norm(input.reshape((1, batch * channels) + shape[2:]), repeated(weight),
                        repeated(bias), *running, use_input_stats, momentum, eps)
    if use_input_stats:
        for target, updated in zip((running_mean, running_var), running):
            if target is not None:
                _cpu.copyto(target._data, updated._data.reshape(batch, channels).mean(0)
                            .astype(target._data.dtype))
                target._bump_version()
    return result.view(shape)



def rms_norm(input, normalized_shape, weight=None, eps: float | None = None):
    """``input`` divided by its root mean square over the trailing ``normalized_shape``
    dims, times ``weight``; ``eps`` None is the machine epsilon of the computation's dtype.
    Half-precision inputs are normalized in float32 (composite: differentiable again)."""
    normalized_shape = _trailing_shape("rms_norm", input, normalized_shape,
                                       (("weight", weight),), "")
    _check_floating("rms_norm", input)
    computed = compute_dtype(input._dtype)
    if eps is None:
        eps = float(_cpu.finfo(computed._np).eps)
    wide = input if computed is input._dtype else input.to(computed)
    axes = tuple(range(input.dim() - len(normalized_shape), input.dim()))
    result = wide * rsqrt((wide * wide).mean(axes, keepdim=True) + eps)
    if wide is not input:
        result = result.to(input._dtype)
    if weight is not None:
        result = result * weight
    return result.contiguous()  # torch's layout for inputs that are not contiguous
