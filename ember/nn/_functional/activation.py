"""Activation functions, softmax and its kin, normalize, prelu."""

from __future__ import annotations

import warnings

import ember
from ember.nn._functional._common import (
    _check_floating,
    _pointwise,
    _recorded,
)
from ember.ops._autograd import inplace_with_grad, needs_grad
from ember.ops.special import gelu_backward, gelu_with_cumulative

__all__ = [
    "relu", "relu_", "hardtanh", "relu6", "leaky_relu", "elu", "selu", "celu", "gelu", "silu",
    "mish", "softplus", "softsign", "hardsigmoid", "hardswish", "logsigmoid", "tanhshrink",
    "softshrink", "hardshrink", "threshold", "glu", "sigmoid", "tanh", "softmax",
    "log_softmax", "softmin", "normalize", "prelu", "rrelu", "rrelu_", "elu_", "selu_",
    "celu_", "leaky_relu_", "hardtanh_", "threshold_",
]


def relu(input, inplace=False):
    return input.relu_() if inplace else ember.relu(input)


def relu_(input):
    return input.relu_()


def _activation(input, inplace, name, forward, derivative, inplace_name=None,
                check_overlap=True):
    """A pointwise activation and its ``inplace=True`` form, whose node is
    ``inplace_name`` (torch's in-place kernels save the result: ``...Backward1``);
    ``check_overlap``: see check_inplace."""
    if not inplace:
        return _pointwise(name, input, forward, derivative)
    if needs_grad(input):
        return inplace_with_grad(input, lambda old: _pointwise(inplace_name or name, old,
                                                               forward, derivative),
                                 check_overlap)
    with ember.no_grad():
        if check_overlap:
            return input.copy_(forward(input))
        input._data[...] = forward(input)._data
        input._bump_version()
        return input


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _activation(input, inplace, "HardtanhBackward0",
                       lambda x: x.clamp(min_val, max_val).to(x.dtype),
                       lambda x: ((x > min_val) & (x < max_val)).to(x.dtype))


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input, inplace=False):
    return hardtanh(input, 0.0, 6.0, inplace)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    return _activation(input, inplace, "LeakyReluBackward0",
                       lambda x: ember.where(x > 0, x, x * negative_slope),
                       lambda x: ember.where(x > 0, ember.ones_like(x),
                                             ember.full_like(x, negative_slope)),
                       "LeakyReluBackward1")


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, inplace=True)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Leaky ReLU whose negative slope is drawn from ``U(lower, upper)`` per element in
    training (from the global generator, as torch) and is ``(lower + upper) / 2`` in eval."""
    if not training:
        slope = (lower + upper) / 2
        return _activation(input, inplace, "RreluWithNoiseBackward0",
                           lambda x: ember.where(x > 0, x, x * slope),
                           lambda x: ember.where(x > 0, 1.0, slope).to(x.dtype),
                           "RreluWithNoiseBackward1")
    with ember.no_grad():
        noise = _rrelu_noise(input, lower, upper)
    return _activation(input, inplace, "RreluWithNoiseBackward0", lambda x: x * noise,
                       lambda x: noise, "RreluWithNoiseBackward1")


def _rrelu_noise(input, lower, upper):
    """torch's CPU kernel draws one double ``U(lower, upper)`` per non-positive element in
    memory order, with ``lower`` and ``upper`` first rounded to the input's compute type
    (float for float32) and the draw computed without a fused multiply-add."""
    if input.dtype != ember.float64:
        lower, upper = (ember.tensor(bound, dtype=ember.float32).item()
                        for bound in (lower, upper))
    negative = input <= 0
    draws = ember.empty(int(negative.sum()), dtype=ember.float64).uniform_(0, 1)
    noise = ember.ones_like(input)
    noise[negative] = (draws * (upper - lower) + lower).to(input.dtype)
    return noise


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    return rrelu(input, lower, upper, training, inplace=True)


def _elu(input, alpha, scale, input_scale, name, inplace):
    def forward(x):
        return ember.where(x > 0, x * scale, (ember.exp(x * input_scale) - 1) * (alpha * scale))

    def derivative(x):
        return ember.where(x > 0, ember.full_like(x, scale),
                           ember.exp(x * input_scale) * (input_scale * alpha * scale))
    return _activation(input, inplace, name + "0", forward, derivative, name + "1")


def elu(input, alpha=1.0, inplace=False):
    return _elu(input, alpha, 1.0, 1.0, "EluBackward", inplace)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input, inplace=False):
    return _elu(input, _SELU_ALPHA, _SELU_SCALE, 1.0, "EluBackward", inplace)


def elu_(input, alpha=1.0):
    return elu(input, alpha, inplace=True)


def selu_(input):
    return selu(input, inplace=True)


def celu_(input, alpha=1.0):
    return celu(input, alpha, inplace=True)


def celu(input, alpha=1.0, inplace=False):
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    return _elu(input, alpha, 1.0, 1.0 / alpha, "CeluBackward", inplace)


_KAPPA = 0.79788456080286535588  # sqrt(2 / pi)
_GELU_C = 0.044715


def gelu(input, approximate="none"):
    if approximate == "none":
        _check_floating("GeluBackward0", input.dtype)
        result, cumulative = gelu_with_cumulative(input)
        return _recorded("GeluBackward0", result, (input,),
                         (lambda grad, input, cumulative: gelu_backward(grad, input,
                                                                         cumulative),),
                         {"input": input, "cumulative": cumulative})
    if approximate != "tanh":
        raise RuntimeError("approximate argument must be either none or tanh.")

    def forward(x):
        return 0.5 * x * (1 + ember.tanh(_KAPPA * (x + _GELU_C * x * x * x)))

    def derivative(x):
        t = ember.tanh(_KAPPA * (x + _GELU_C * x * x * x))
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * _KAPPA * (1 + 3 * _GELU_C * x * x)
    return _pointwise("GeluBackward0", input, forward, derivative)


def silu(input, inplace=False):
    def derivative(x):
        s = ember.sigmoid(x)
        return s * (1 + x * (1 - s))
    return _activation(input, inplace, "SiluBackward0", lambda x: x * ember.sigmoid(x),
                       derivative)


def _softplus(x, beta=1.0, threshold=20.0):
    return ember.where(x * beta > threshold, x, ember.log1p(ember.exp(x * beta)) / beta)


def mish(input, inplace=False):
    def derivative(x):
        t = ember.tanh(_softplus(x))
        return t + x * ember.sigmoid(x) * (1 - t * t)
    return _activation(input, inplace, "MishBackward0", lambda x: x * ember.tanh(_softplus(x)),
                       derivative)


def softplus(input, beta=1.0, threshold=20.0):
    def derivative(x):
        z = ember.exp(x * beta)
        return ember.where(x * beta > threshold, ember.ones_like(x), z / (z + 1))
    return _pointwise("SoftplusBackward0", input, lambda x: _softplus(x, beta, threshold),
                      derivative)


def softsign(input):
    return input / (input.abs() + 1)


def hardsigmoid(input, inplace=False):
    return _activation(input, inplace, "HardsigmoidBackward0", lambda x: (x + 3).clamp(0, 6) / 6,
                       lambda x: ((x > -3) & (x < 3)).to(x.dtype) * _ONE_SIXTH_FLOAT)


# torch's hardsigmoid backward multiplies by the float literal 1.0f / 6.0f, in every dtype
_ONE_SIXTH_FLOAT = 0.16666667163372040


def hardswish(input, inplace=False):
    def derivative(x):
        return ember.where(x < -3, ember.zeros_like(x),
                           ember.where(x <= 3, x / 3 + 0.5, ember.ones_like(x)))
    return _activation(input, inplace, "HardswishBackward0",
                       lambda x: x * (x + 3).clamp(0, 6) / 6, derivative)


def logsigmoid(input):
    return _pointwise("LogSigmoidBackward0", input,
                      lambda x: x.clamp(max=0) - ember.log1p(ember.exp(-x.abs())),
                      lambda x: ember.sigmoid(-x))


def tanhshrink(input):
    return input - input.tanh()


def softshrink(input, lambd=0.5):
    if lambd < 0:
        largest = float(ember.finfo(input.dtype).max)
        raise RuntimeError(f"lambda must be in range [0, {largest:g}] for input dtype "
                           f"{input.dtype._legacy_name}, but found {lambd:g}")
    return _pointwise(
        "SoftshrinkBackward0", input,
        lambda x: ember.where(x > lambd, x - lambd, ember.where(x < -lambd, x + lambd, 0.0)),
        lambda x: (x.abs() > lambd).to(x.dtype))


def hardshrink(input, lambd=0.5):
    return _pointwise("HardshrinkBackward0", input,
                      lambda x: ember.where(x.abs() > lambd, x, 0.0),
                      lambda x: (x.abs() > lambd).to(x.dtype))


def threshold(input, threshold, value, inplace=False):
    return _threshold(input, threshold, value, inplace)


def threshold_(input, threshold, value):
    return _threshold(input, threshold, value, True)


def _threshold(input, limit, value, inplace):
    # PyTorch's threshold_ writes into a tensor whose elements share memory
    return _activation(input, inplace, "ThresholdBackward0",
                       lambda x: ember.where(x > limit, x, value).to(x.dtype),
                       lambda x: (x > limit).to(x.dtype), "ThresholdBackward1",
                       check_overlap=False)


def glu(input, dim=-1):
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    dim = dim + input.dim() if dim < 0 else dim
    if input.shape[dim] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {dim} is size "
                           f"{input.shape[dim]}")
    _check_floating("GluBackward0", input.dtype)
    with ember.no_grad():
        a, b = input.chunk(2, dim)
        result = a * ember.sigmoid(b)

    def formula(grad, input):
        a, b = input.chunk(2, dim)
        s = ember.sigmoid(b)
        return ember.cat([grad * s, grad * a * s * (1 - s)], dim)
    return _recorded("GluBackward0", result, (input,), (formula,), {"input": input})


def sigmoid(input):
    return ember.sigmoid(input)


def tanh(input):
    return ember.tanh(input)


def _softmax_dim(name, ndim, stacklevel):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call "
                  "to include dim=X as an argument.", stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _softmax_dim("softmax", input.dim(), _stacklevel)
    return ember.softmax(input, dim, dtype=dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _softmax_dim("log_softmax", input.dim(), _stacklevel)
    return ember.log_softmax(input, dim, dtype=dtype)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _softmax_dim("softmin", input.dim(), _stacklevel)
    return ember.softmax(-input, dim, dtype=dtype)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    if out is None:
        return input / denom
    return ember.div(input, denom, out=out)


def prelu(input, weight):
    if input.dim() == 0 and weight.numel() != 1:
        raise RuntimeError("Not allow zero-dim input tensor.")
    channels = input.shape[1] if input.dim() >= 2 else 1
    if weight.numel() != 1 and weight.numel() != channels:
        raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found "
                           f"parameter numbers = {weight.numel()} and channel size = "
                           f"{channels}.")
    if weight.numel() == 1 or input.dim() < 2:
        w_shape, axes = (), None
    else:
        w_shape = (1, channels) + (1,) * (input.dim() - 2)
        axes = [d for d in range(input.dim()) if d != 1]
    weight_shape = weight.shape
    with ember.no_grad():
        result = ember.where(input > 0, input, weight.reshape(w_shape) * input)

    def input_formula(grad, input, weight):
        return ember.where(input > 0, grad, weight.reshape(w_shape) * grad)

    def weight_formula(grad, input, weight):
        share = ember.where(input > 0, ember.zeros_like(input), input * grad)
        total = share.sum() if axes is None else share.sum(axes)
        return total.reshape(weight_shape)
    return _recorded("PreluKernelBackward0", result, (input, weight),
                     (input_formula, weight_formula), {"input": input, "weight": weight})
