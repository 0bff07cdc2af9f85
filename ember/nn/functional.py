"""``ember.nn.functional``: the functions behind the layers, as ``torch.nn.functional``.

Built from ember ops. Where PyTorch computes a function in one C++ kernel with its own
backward node (GeluBackward0, MseLossBackward0, NllLossBackward0, ...), the forward runs
without grad and the node is recorded under torch's name with its backward written in
ember ops, so that gradients are differentiable again."""

from __future__ import annotations

import math
import warnings

import ember
from ember.ops._autograd import inplace_with_grad, needs_grad, record_op

__all__ = [
    "linear", "bilinear", "relu", "relu_", "relu6", "leaky_relu", "elu", "selu", "celu", "gelu",
    "silu", "mish", "softplus", "softsign", "hardtanh", "hardsigmoid", "hardswish",
    "logsigmoid", "tanhshrink", "softshrink", "hardshrink", "threshold", "glu", "sigmoid",
    "tanh", "softmax", "log_softmax", "softmin", "normalize", "mse_loss", "l1_loss",
    "smooth_l1_loss", "huber_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
    "nll_loss", "cross_entropy", "kl_div", "dropout", "dropout1d", "dropout2d", "dropout3d",
    "alpha_dropout", "feature_alpha_dropout", "scaled_dot_product_attention", "one_hot", "pad",
    "layer_norm", "rms_norm", "group_norm", "batch_norm",
    "embedding", "prelu",
    "pairwise_distance", "cosine_similarity", "margin_ranking_loss", "hinge_embedding_loss",
    "soft_margin_loss", "poisson_nll_loss", "gaussian_nll_loss", "cosine_embedding_loss",
    "multilabel_soft_margin_loss", "triplet_margin_loss", "multi_margin_loss",
]


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


# ---------------------------------------------------------------- linear layers

def linear(input, weight, bias=None):
    """``input @ weight.T + bias``."""
    if bias is None:
        return ember.matmul(input, weight.t())
    if input.dim() == 2:
        return ember.addmm(bias, input, weight.t())
    flat = input.reshape(-1, input.shape[-1]) if input.dim() else input
    return ember.addmm(bias, flat, weight.t()).view(*input.shape[:-1], weight.shape[0])


def bilinear(input1, input2, weight, bias=None):
    """``x1^T A x2 + b`` for each output feature."""
    result = ember.einsum("...i,oij,...j->...o", input1, weight, input2)
    return result if bias is None else result + bias


# ---------------------------------------------------------------- activations

def relu(input, inplace=False):
    return input.relu_() if inplace else ember.relu(input)


def relu_(input):
    return input.relu_()


def _activation(input, inplace, name, forward, derivative, inplace_name=None):
    """A pointwise activation and its ``inplace=True`` form, whose node is
    ``inplace_name`` (torch's in-place kernels save the result: ``...Backward1``)."""
    if not inplace:
        return _pointwise(name, input, forward, derivative)
    if needs_grad(input):
        return inplace_with_grad(input, lambda old: _pointwise(inplace_name or name, old,
                                                               forward, derivative))
    with ember.no_grad():
        return input.copy_(forward(input))


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _activation(input, inplace, "HardtanhBackward0",
                       lambda x: x.clamp(min_val, max_val).to(x.dtype),
                       lambda x: ((x > min_val) & (x < max_val)).to(x.dtype))


def relu6(input, inplace=False):
    return hardtanh(input, 0.0, 6.0, inplace)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    return _activation(input, inplace, "LeakyReluBackward0",
                       lambda x: ember.where(x > 0, x, x * negative_slope),
                       lambda x: ember.where(x > 0, ember.ones_like(x),
                                             ember.full_like(x, negative_slope)),
                       "LeakyReluBackward1")


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


def celu(input, alpha=1.0, inplace=False):
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    return _elu(input, alpha, 1.0, 1.0 / alpha, "CeluBackward", inplace)


_SQRT1_2 = 0.70710678118654752440
_KAPPA = 0.79788456080286535588  # sqrt(2 / pi)
_GELU_C = 0.044715


def gelu(input, approximate="none"):
    if approximate == "none":
        def forward(x):
            return x * 0.5 * (1 + ember.erf(x * _SQRT1_2))

        def derivative(x):
            return (0.5 * (1 + ember.erf(x * _SQRT1_2))
                    + x * ember.exp(x * x * -0.5) * (_KAPPA * 0.5))
    elif approximate == "tanh":
        def forward(x):
            return 0.5 * x * (1 + ember.tanh(_KAPPA * (x + _GELU_C * x * x * x)))

        def derivative(x):
            t = ember.tanh(_KAPPA * (x + _GELU_C * x * x * x))
            return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * _KAPPA * (1 + 3 * _GELU_C * x * x)
    else:
        raise RuntimeError("approximate argument must be either none or tanh.")
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
    return _activation(input, inplace, "ThresholdBackward0",
                       lambda x: ember.where(x > threshold, x, value).to(x.dtype),
                       lambda x: (x > threshold).to(x.dtype), "ThresholdBackward1")


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


# ---------------------------------------------------------------- losses

_REDUCTIONS = ("none", "mean", "sum")


def _reduction(reduction, size_average=None, reduce=None):
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = "none" if not reduce else ("mean" if size_average else "sum")
        warnings.warn(f"size_average and reduce args will be deprecated, please use "
                      f"reduction='{reduction}' instead.", stacklevel=3)
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _scaled(grad, reduction, numel):
    return grad / numel if reduction == "mean" else grad


def _same_size(input, target, stacklevel=3):
    if target.shape != input.shape:
        warnings.warn(
            f"Using a target size ({target.size()}) that is different to the input size "
            f"({input.size()}). This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size.", stacklevel=stacklevel)
        input, target = ember.broadcast_tensors(input, target)
    return input, target


def _pointwise_loss(name, input, target, reduction, forward, derivative):
    """A loss ``reduce(forward(input - target))`` with torch's single node: the gradient
    of ``input`` is ``grad * derivative(input - target)``, that of ``target`` its negative."""
    _check_floating(name, ember.promote_types(input.dtype, target.dtype))
    with ember.no_grad():
        result = _reduce(forward(input - target), reduction)
    numel = input.numel()

    def input_formula(grad, input, target):
        return _scaled(grad, reduction, numel) * derivative(input - target)

    def target_formula(grad, input, target):
        return -(_scaled(grad, reduction, numel) * derivative(input - target))
    return _recorded(name, result, (input, target), (input_formula, target_formula),
                     {"input": input, "target": target})


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    reduction = _reduction(reduction, size_average, reduce)
    input, target = _same_size(input, target)
    return _pointwise_loss("MseLossBackward0", input, target, reduction, lambda d: d * d,
                           lambda d: 2 * d)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    reduction = _reduction(reduction, size_average, reduce)
    input, target = _same_size(input, target)
    return _reduce(ember.abs(input - target), reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean",
                   beta=1.0):
    reduction = _reduction(reduction, size_average, reduce)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    input, target = _same_size(input, target)
    if beta == 0:
        return _reduce(ember.abs(input - target), reduction)
    return _pointwise_loss(
        "SmoothL1LossBackward0", input, target, reduction,
        lambda d: ember.where(d.abs() < beta, 0.5 * d * d / beta, d.abs() - 0.5 * beta),
        lambda d: ember.where(d.abs() < beta, d / beta, ember.sign(d)))


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    reduction = _reduction(reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    input, target = _same_size(input, target)
    return _pointwise_loss(
        "HuberLossBackward0", input, target, reduction,
        lambda d: ember.where(d.abs() < delta, 0.5 * d * d, delta * (d.abs() - 0.5 * delta)),
        lambda d: d.clamp(-delta, delta))


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    reduction = _reduction(reduction, size_average, reduce)
    if target.size() != input.size():
        raise ValueError(f"Using a target size ({target.size()}) that is different to the "
                         f"input size ({input.size()}) is deprecated. Please ensure they have "
                         "the same size.")
    _not_differentiable("binary_cross_entropy", "weight", weight)
    with ember.no_grad():
        if ((input < 0) | (input > 1)).any():
            raise RuntimeError("all elements of input should be between 0 and 1")
        log_x = ember.log(input).clamp_min(-100)
        log_1mx = ember.log(1 - input).clamp_min(-100)
        loss = (target - 1) * log_1mx - target * log_x
        if weight is not None:
            loss = loss * weight
        result = _reduce(loss, reduction)
    numel = input.numel()
    w = 1.0 if weight is None else weight

    def input_formula(grad, input, target):
        return _scaled(grad, reduction, numel) * (
            w * (input - target) / ((1 - input) * input).clamp_min(1e-12))

    def target_formula(grad, input, target):
        return _scaled(grad, reduction, numel) * (
            w * (ember.log(1 - input).clamp_min(-100) - ember.log(input).clamp_min(-100)))
    return _recorded("BinaryCrossEntropyBackward0", result, (input, target),
                     (input_formula, target_formula), {"input": input, "target": target})


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None,
                                     reduce=None, reduction="mean", pos_weight=None):
    reduction = _reduction(reduction, size_average, reduce)
    if target.size() != input.size():
        raise ValueError(f"Target size ({target.size()}) must be the same as input size "
                         f"({input.size()})")
    _not_differentiable("binary_cross_entropy_with_logits", "weight", weight)
    _not_differentiable("binary_cross_entropy_with_logits", "pos_weight", pos_weight)
    with ember.no_grad():
        softplus_neg = ember.log1p(ember.exp(-input.abs())) + (-input).clamp_min(0)
        if pos_weight is not None:
            loss = (1 - target) * input + (1 + (pos_weight - 1) * target) * softplus_neg
        else:
            loss = (1 - target) * input + softplus_neg
        if weight is not None:
            loss = loss * weight
        result = _reduce(loss, reduction)
    numel = input.numel()
    w = 1.0 if weight is None else weight

    def input_formula(grad, input, target):
        if pos_weight is not None:
            t = pos_weight * target
            g = (t + 1 - target) * ember.sigmoid(input) - t
        else:
            g = ember.sigmoid(input) - target
        return _scaled(grad, reduction, numel) * (w * g)

    def target_formula(grad, input, target):
        if pos_weight is not None:
            g = logsigmoid(-input) - logsigmoid(input) * pos_weight
        else:
            g = -input
        return _scaled(grad, reduction, numel) * (w * g)
    return _recorded("BinaryCrossEntropyWithLogitsBackward0", result, (input, target),
                     (input_formula, target_formula), {"input": input, "target": target})


def _class_shape(input, target):
    """Checks of an (N, C, d1, ...) / (C,) input against its class-index target."""
    if input.dim() < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {input.dim()})")
    if input.dim() == 1:
        if target.dim() != 0:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        return
    if input.shape[0] != target.shape[0]:
        raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target "
                         f"batch_size ({target.shape[0]}).")
    if target.dim() != input.dim() - 1 or (input.dim() > 2
                                           and target.shape[1:] != input.shape[2:]):
        if input.dim() == 2:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        expected = (input.shape[0], *input.shape[2:])
        raise RuntimeError(f"Expected target size {expected}, got {target.shape}")


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    reduction = _reduction(reduction, size_average, reduce)
    _class_shape(input, target)
    if target.dtype not in (ember.int64, ember.uint8):
        raise RuntimeError("expected target dtype to be Long or Byte, but got "
                           f"{target.dtype._legacy_name}")
    classes = input.shape[0] if input.dim() == 1 else input.shape[1]
    if weight is not None and weight.numel() != classes:
        raise RuntimeError(f"weight tensor should be defined either for all {classes} classes "
                           f"or no classes but got weight tensor of shape: {list(weight.shape)}")
    if input.dim() == 3 or input.dim() > 4:
        # as torch: through the 2-d kernel on an (N, C, 1, -1) view
        n, c = input.shape[:2]
        out_size = (n, *input.shape[2:])
        if input.numel() == 0 or target.numel() == 0:
            raise NotImplementedError("nll_loss of an empty K-dimensional batch")
        result = nll_loss(input.contiguous().view(n, c, 1, -1),
                          target.contiguous().view(n, 1, -1), weight, None, ignore_index,
                          None, reduction)
        return result.view(out_size) if reduction == "none" else result
    _not_differentiable("nll_loss_forward", "weight", weight)
    class_dim = 0 if input.dim() == 1 else 1
    ignored = target == ignore_index
    safe = ember.where(ignored, 0, target)
    bad = ~ignored & ((target < 0) | (target >= classes))
    if bad.any():
        raise IndexError(f"Target {target[bad].flatten()[0].item()} is out of bounds.")
    index = safe.unsqueeze(class_dim)
    with ember.no_grad():
        w = (ember.ones(classes, dtype=input.dtype) if weight is None else weight)[safe]
        w = ember.where(ignored, 0.0, w).to(input.dtype)
        loss = -input.gather(class_dim, index).squeeze(class_dim) * w
        if reduction == "none":
            result = loss
        elif reduction == "sum":
            result = loss.sum()
        else:
            total = w.sum()
            result = loss.sum() / total
    name = "NllLoss2DBackward0" if input.dim() == 4 else "NllLossBackward0"

    def formula(grad, input):
        if reduction == "mean":
            grad = grad / total
        share = (-grad * w).unsqueeze(class_dim)
        return ember.zeros_like(input).scatter(class_dim, index, share)
    return _recorded(name, result, (input,), (formula,), {"input": input})


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100,
                  reduce=None, reduction="mean", label_smoothing=0.0):
    reduction = _reduction(reduction, size_average, reduce)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: "
                           f"{label_smoothing}")
    class_dim = 0 if input.dim() == 1 else 1
    classes = input.shape[class_dim]
    logp = ember.log_softmax(input, class_dim)
    weight_shape = [1] * input.dim()
    weight_shape[class_dim] = classes
    if target.dtype.is_floating_point:
        if target.shape != input.shape:
            raise RuntimeError(f"Expected target size {tuple(input.shape)}, got "
                               f"{tuple(target.shape)}")
        if label_smoothing > 0:
            target = target * (1 - label_smoothing) + label_smoothing / classes
        product = logp * target
        if weight is not None:
            product = product * weight.view(weight_shape)
        if reduction == "mean":
            return _divided(-product.sum(), input.numel() / classes)
        if reduction == "sum":
            return -product.sum()
        return -product.sum(class_dim)
    loss = nll_loss(logp, target, weight, None, ignore_index, None, reduction)
    if label_smoothing <= 0:
        return loss
    ignored = target == ignore_index
    if weight is not None:
        smooth = -(logp * weight.view(weight_shape)).sum(class_dim)
    else:
        smooth = -logp.sum(class_dim)
    smooth = smooth.masked_fill(ignored, 0.0)
    if reduction == "mean":
        if weight is not None:
            smooth = smooth.sum() / weight.gather(0, target[~ignored].flatten()).sum()
        else:
            smooth = smooth.sum() / (~ignored).sum()
    elif reduction == "sum":
        smooth = smooth.sum()
    return (1 - label_smoothing) * loss + smooth * (label_smoothing / classes)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean",
           log_target=False):
    if size_average is not None or reduce is not None:
        reduction = _reduction(reduction, size_average, reduce)
    elif reduction == "mean":
        warnings.warn(
            "reduction: 'mean' divides the total loss by both the batch size and the support "
            "size.'batchmean' divides only by the batch size, and aligns with the KL div math "
            "definition.'mean' will be changed to behave the same as 'batchmean' in the next "
            "major release.", stacklevel=2)
    if reduction not in _REDUCTIONS + ("batchmean",):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if log_target:
        loss = ember.exp(target) * (target - input)
    else:
        loss = ember.xlogy(target, target) - target * input
    if reduction == "batchmean":
        return loss.sum() / input.size(0) if input.dim() != 0 else loss.sum()
    return _reduce(loss, reduction)


# ---------------------------------------------------------------- more layers' functions

def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


_ALPHA = 1.7580993408473766


def _dropout(input, p, train, feature, alpha, inplace):
    """ATen's dropout: a ``bernoulli_(1 - p)`` mask from the global generator (one draw
    per channel for feature dropout), scaled, multiplied in (``alpha``: SELU-preserving)."""
    if p == 0 or not train or input.numel() == 0:
        return input
    if p == 1:
        zero = ember.zeros((), dtype=input.dtype)
        return input.mul_(zero) if inplace else input * zero
    if feature:
        if input.dim() < 2:
            raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
        noise = ember.empty((input.shape[0], input.shape[1]) + (1,) * (input.dim() - 2),
                            dtype=input.dtype)
    else:
        noise = ember.empty_like(input)
    noise.bernoulli_(1 - p)
    if alpha:
        a = 1.0 / math.sqrt((_ALPHA * _ALPHA * p + 1) * (1 - p))
        b = noise.add(-1).mul_(_ALPHA * a).add_(_ALPHA * a * p)
        noise.mul_(a)
        result = input.mul_(noise) if inplace else input * noise
        return result.add_(b)
    noise.div_(1 - p)
    return input.mul_(noise) if inplace else input * noise


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability ``p`` and scale the rest by ``1 / (1 - p)``."""
    _check_p(p)
    return _dropout(input, p, training, False, False, inplace)


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    _check_p(p)
    return _dropout(input, p, training, False, True, inplace)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    _check_p(p)
    return _dropout(input, p, training, True, True, inplace)


def dropout1d(input, p=0.5, training=True, inplace=False):
    _check_p(p)
    inp_dim = input.dim()
    if inp_dim not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {inp_dim}D input. "
            "Note that dropout1d exists to provide channel-wise dropout on inputs with 1 "
            "spatial dimension, a channel dimension, and an optional batch dimension "
            "(i.e. 2D or 3D inputs).")
    is_batched = inp_dim == 3
    if not is_batched:
        input = input.unsqueeze_(0) if inplace else input.unsqueeze(0)
    result = _dropout(input, p, training, True, False, inplace)
    if not is_batched:
        result = result.squeeze_(0) if inplace else result.squeeze(0)
    return result


def dropout2d(input, p=0.5, training=True, inplace=False):
    _check_p(p)
    inp_dim = input.dim()
    if inp_dim not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {inp_dim}-D input to dropout2d, which is deprecated "
            "and will result in an error in a future release. To retain the behavior "
            "and silence this warning, please use dropout instead. Note that dropout2d "
            "exists to provide channel-wise dropout on inputs with 2 spatial dimensions, "
            "a channel dimension, and an optional batch dimension (i.e. 3D or 4D inputs).",
            stacklevel=2)
    if inp_dim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise "
            "1D dropout behavior is desired - input is interpreted as shape (N, C, L), where C "
            "is the channel dim. This behavior will change in a future release to interpret "
            "the input as one without a batch dimension, i.e. shape (C, H, W). To maintain the "
            "1D channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=2)
    return _dropout(input, p, training, True, False, inplace)


def dropout3d(input, p=0.5, training=True, inplace=False):
    _check_p(p)
    inp_dim = input.dim()
    if inp_dim not in (4, 5):
        warnings.warn(
            f"dropout3d: Received a {inp_dim}-D input to dropout3d, which is deprecated "
            "and will result in an error in a future release. To retain the behavior "
            "and silence this warning, please use dropout instead. Note that dropout3d "
            "exists to provide channel-wise dropout on inputs with 3 spatial dimensions, "
            "a channel dimension, and an optional batch dimension (i.e. 4D or 5D inputs).",
            stacklevel=2)
    is_batched = inp_dim == 5
    if not is_batched:
        input = input.unsqueeze_(0) if inplace else input.unsqueeze(0)
    result = _dropout(input, p, training, True, False, inplace)
    if not is_batched:
        result = result.squeeze_(0) if inplace else result.squeeze(0)
    return result


def one_hot(tensor, num_classes=-1):
    if tensor.dtype != ember.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if tensor.numel() and (tensor < 0).any():
        raise RuntimeError("Class values must be non-negative.")
    if num_classes == -1:
        num_classes = int(tensor.max().item()) + 1 if tensor.numel() else 0
    elif tensor.numel() and (tensor >= num_classes).any():
        raise RuntimeError("Class values must be smaller than num_classes.")
    return (tensor.unsqueeze(-1) == ember.arange(num_classes)).to(ember.int64)


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """Rows of ``weight`` picked by ``input``; the row ``padding_idx`` gets no gradient."""
    rows = weight.shape[0]
    if padding_idx is not None:
        if padding_idx > 0:
            if padding_idx >= rows:
                raise AssertionError("Padding_idx must be within num_embeddings")
        elif padding_idx < 0:
            if padding_idx < -rows:
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx = rows + padding_idx
    if scale_grad_by_freq or sparse:
        raise NotImplementedError("embedding: scale_grad_by_freq and sparse are not supported")
    if input.numel() and ((input < 0) | (input >= rows)).any():
        raise IndexError("index out of range in self")
    if max_norm is not None:
        with ember.no_grad():
            picked = input.flatten().unique()
            norms = weight[picked].norm(norm_type, 1, keepdim=True)
            scale = ember.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
            weight[picked] = weight[picked] * scale.to(weight.dtype)
    with ember.no_grad():
        result = weight[input]
    flat = input.flatten()
    keep = None if padding_idx is None else (flat != padding_idx).unsqueeze(1)
    shape = weight.shape

    def formula(grad):
        rows_grad = grad.reshape(-1, shape[1])
        if keep is not None:
            rows_grad = rows_grad * keep
        return ember.zeros(shape, dtype=grad.dtype).index_add(0, flat, rows_grad)
    return _recorded("EmbeddingBackward0", result, (weight,), (formula,), None)


def prelu(input, weight):
    if input.dim() == 0:
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


def _norm(input, p, dim, keepdim):
    """``input.norm(p, dim, keepdim)`` recorded as torch's NormBackward1."""
    with ember.no_grad():
        result = input.norm(p, dim, keepdim=keepdim)

    def formula(grad, input, result):
        if not keepdim:
            grad, result = grad.unsqueeze(dim), result.unsqueeze(dim)
        if p == 0:
            return ember.zeros_like(input)
        if p == 1:
            return ember.sign(input) * grad
        if p == math.inf:
            hit = (input.abs() == result).to(input.dtype)
            return ember.sign(input) * hit * grad / hit.sum(dim, keepdim=True)
        if p == 2:
            scale = grad / result
        else:
            scale = input.abs().pow(p - 2) * grad / result.pow(p - 1)
        return ember.where(result == 0, ember.zeros_like(input), input * scale)
    return _recorded("NormBackward1", result, (input,), (formula,),
                     {"input": input, "result": result})


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    dim = max(x1.dim(), x2.dim()) - 1
    return _norm(x1 - x2 + eps, p, dim, keepdim)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    x1, x2 = ember.broadcast_tensors(x1, x2)
    norm1 = ember.linalg.vector_norm(x1, 2, dim, keepdim=True).clone()
    norm2 = ember.linalg.vector_norm(x2, 2, dim, keepdim=True).clone()
    with ember.no_grad():
        norm1.clamp_min_(eps)
        norm2.clamp_min_(eps)
    return ((x1 / norm1) * (x2 / norm2)).sum(dim)


def margin_ranking_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None,
                        reduction="mean"):
    reduction = _reduction(reduction, size_average, reduce)
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same "
                           f"dimension but got sizes: input1: {input1.size()}, input2: "
                           f"{input2.size()}, target: {target.size()} ")
    return _reduce((-target * (input1 - input2) + margin).clamp_min(0), reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None,
                         reduction="mean"):
    reduction = _reduction(reduction, size_average, reduce)
    zeros = ember.zeros_like(input)
    margin_clamp = (margin - input).clamp_min(0)
    output_margin = ember.where(target != 1, margin_clamp, zeros)
    output_self = ember.where(target != -1, input, zeros)
    return _reduce(output_margin + output_self, reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    reduction = _reduction(reduction, size_average, reduce)
    with ember.no_grad():
        result = _reduce(ember.log1p(ember.exp(-input * target)), reduction)
    numel = input.numel()

    def formula(grad, input, target):
        return _scaled(grad, reduction, numel) * (-target * ember.sigmoid(-input * target))
    return _recorded("SoftMarginLossBackward0", result, (input, target), (formula, None),
                     {"input": input, "target": target})


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8,
                     reduce=None, reduction="mean"):
    reduction = _reduction(reduction, size_average, reduce)
    if log_input:
        loss = ember.exp(input) - target * input
    else:
        loss = input - target * ember.log(input + eps)
    if full:
        stirling = (target * ember.log(target) - target
                    + 0.5 * ember.log(2 * math.pi * target))
        loss = loss + stirling.masked_fill(target <= 1, 0)
    return _reduce(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    if isinstance(var, int | float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = var * ember.ones_like(input)
    elif ember.any(var < 0):
        raise ValueError("var has negative entry/entries")
    if var.size() != input.size():
        if input.size()[:-1] == var.size():
            var = ember.unsqueeze(var, -1)
        elif input.ndim == var.ndim and sum(
                y for x, y in zip(input.size(), var.size(), strict=True) if x != y) == 1:
            pass
        else:
            raise ValueError("var is of incorrect size")
    if reduction not in _REDUCTIONS:
        raise ValueError(reduction + " is not valid")
    var = var.clone()
    with ember.no_grad():
        var.clamp_(min=eps)
    loss = 0.5 * (ember.log(var) + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


_EPSILON = 1e-12


def cosine_embedding_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None,
                          reduction="mean"):
    reduction = _reduction(reduction, size_average, reduce)
    targ_dim = target.dim()
    if targ_dim not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if targ_dim == 1 and (input1.dim() != 2 or input2.dim() != 2):
        raise RuntimeError(f"1D target tensor expects 2D input tensors, but found inputs with "
                           f"sizes {list(input1.shape)} and {list(input2.shape)}.")
    if targ_dim == 0 and (input1.dim() != 1 or input2.dim() != 1):
        raise RuntimeError(f"0D target tensor expects 1D input tensors, but found inputs with "
                           f"sizes {list(input1.shape)} and {list(input2.shape)}.")
    prod_sum = (input1 * input2).sum(targ_dim)
    mag_square1 = (input1 * input1).sum(targ_dim) + _EPSILON
    mag_square2 = (input2 * input2).sum(targ_dim) + _EPSILON
    denom = (mag_square1 * mag_square2).sqrt()
    cos = prod_sum / denom
    zeros = ember.zeros_like(cos)
    pos = 1 - cos
    neg = (cos - margin).clamp_min(0)
    output = ember.where(target == 1, pos, zeros) + ember.where(target == -1, neg, zeros)
    return _reduce(output, reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction="mean"):
    reduction = _reduction(reduction, size_average, reduce)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.dim() - 1
    loss = loss.sum(dim=class_dim) / input.size(class_dim)
    return _reduce(loss, reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                        size_average=None, reduce=None, reduction="mean"):
    reduction = _reduction(reduction, size_average, reduce)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    dims = (anchor.dim(), positive.dim(), negative.dim())
    if len(set(dims)) != 1:
        raise RuntimeError(
            f"The anchor, positive, and negative tensors are expected to have the same number "
            f"of dimensions, but got: anchor {dims[0]}D, positive {dims[1]}D, and negative "
            f"{dims[2]}D inputs")
    dist_pos = pairwise_distance(anchor, positive, p, eps)
    dist_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        dist_neg = ember.minimum(dist_neg, pairwise_distance(positive, negative, p, eps))
    return _reduce((margin + dist_pos - dist_neg).clamp_min(0), reduction)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None,
                      reduce=None, reduction="mean"):
    reduction = _reduction(reduction, size_average, reduce)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    _not_differentiable("multi_margin_loss", "weight", weight)
    if input.dim() > 2:
        raise RuntimeError(f"Expected non-empty vector or matrix with optional 0-dim batch "
                           f"size, but got: {list(input.shape)}")
    x = input.reshape(-1, input.shape[-1]) if input.dim() else input.reshape(1, 1)
    classes = x.shape[1]
    t = target.reshape(-1)
    if t.shape[0] != x.shape[0]:
        raise RuntimeError(f"inconsistent target size, expected {x.shape[0]} but got "
                           f"{list(target.shape)}")
    if t.numel() and ((t < 0) | (t >= classes)).any():
        raise RuntimeError("target out of range")
    index = t.unsqueeze(1)
    other = ember.arange(classes) != index
    w = None if weight is None else weight[t].unsqueeze(1)

    def hinge(x):
        return (margin - x.gather(1, index) + x).clamp_min(0) * other

    with ember.no_grad():
        h = hinge(x)
        terms = h if p == 1 else h * h
        if w is not None:
            terms = terms * w
        loss = terms.sum(1) / classes
        if reduction == "none":
            result = loss.reshape(target.shape) if input.dim() == 2 else loss.reshape(())
        else:
            result = _reduce(loss, reduction)
    numel = x.shape[0]

    def formula(grad, input):
        x = input.reshape(-1, classes) if input.dim() else input.reshape(1, 1)
        h = hinge(x)
        slope = (h > 0).to(x.dtype) if p == 1 else 2 * h
        if w is not None:
            slope = slope * w
        g = _scaled(grad, reduction, numel).reshape(-1, 1) * slope / classes
        g = g - ember.zeros_like(g).scatter(1, index, g.sum(1, keepdim=True))
        return g.reshape(input.shape)
    return _recorded("MultiMarginLossBackward0", result, (input,), (formula,),
                     {"input": input})


def _safe_softmax(x, dim):
    """Softmax whose fully masked rows (all -inf) give zeros instead of NaN."""
    masked_rows = (x == -math.inf).all(dim, keepdim=True)
    out = ember.softmax(ember.where(masked_rows, ember.zeros_like(x), x), dim)
    return ember.where(masked_rows, ember.zeros_like(out), out)


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, scale=None, enable_gqa=False):
    """``softmax(Q K^T * scale + mask) V``, as torch's math backend computes it."""
    if is_causal and attn_mask is not None:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be "
                           "set when is_causal=True")
    if query.dim() < 2 or key.dim() < 2 or value.dim() < 2:
        raise RuntimeError("scaled_dot_product_attention: expected query, key and value to "
                           "have at least 2 dimensions")
    embed = query.shape[-1]
    scaling_factor = math.sqrt(1.0 / math.sqrt(embed) if scale is None else abs(scale))
    query = query * (-scaling_factor if scale is not None and scale < 0 else scaling_factor)
    if is_causal:
        length, source = query.shape[-2], key.shape[-2]
        attn_mask = ember.ones(length, source, dtype=ember.bool).tril()
    if attn_mask is not None and attn_mask.dtype == ember.bool:
        attn_mask = ember.where(attn_mask.logical_not(), -math.inf,
                                ember.zeros((), dtype=query.dtype))
    if enable_gqa and query.dim() >= 3 and key.shape[-3] != query.shape[-3]:
        repeats = query.shape[-3] // key.shape[-3]
        key = key.repeat_interleave(repeats, -3)
        value = value.repeat_interleave(repeats, -3)
    attn = ember.matmul(query, key.transpose(-2, -1) * scaling_factor)
    if attn_mask is not None:
        attn = attn + attn_mask
    attn = _safe_softmax(attn, -1)
    if dropout_p > 0.0:
        attn = _dropout(attn, dropout_p, True, False, False, False)
    return ember.matmul(attn, value)


def _pairs(pad, ndim):
    """``pad`` (last dimension first) as ``{dim: (left, right)}``."""
    return {ndim - 1 - i: (pad[2 * i], pad[2 * i + 1]) for i in range(len(pad) // 2)}


def _constant_pad(input, pad, value):
    pairs = _pairs(pad, input.dim())
    shape = list(input.shape)
    for dim, (left, right) in pairs.items():
        shape[dim] += left + right
        if shape[dim] < 0:
            raise RuntimeError("narrow(): length must be non-negative.")
    with ember.no_grad():
        result = ember.full(shape, value, dtype=input.dtype)
        source, target = input, result
        for dim, (left, right) in pairs.items():
            source = source.narrow(dim, max(-left, 0),
                                   input.shape[dim] - max(-left, 0) - max(-right, 0))
            target = target.narrow(dim, max(left, 0), source.shape[dim])
        target.copy_(source)
    negated = [-p for p in pad]
    return _recorded("ConstantPadNdBackward0", result, (input,),
                     (lambda grad: _constant_pad(grad, negated, 0),), None)


def _index_pad(input, pad, mode):
    pairs = _pairs(pad, input.dim())
    indices = {}
    for dim, (left, right) in pairs.items():
        n = input.shape[dim]
        if mode == "reflect" and (left >= n or right >= n):
            raise RuntimeError(f"Argument #4: Padding size should be less than the "
                               f"corresponding input dimension, but got: padding ({left}, "
                               f"{right}) at dimension {dim} of input {list(input.shape)}")
        if mode == "replicate" and n == 0:
            raise RuntimeError("input tensor must have non-zero size in padded dimensions")
        positions = ember.arange(-left, n + right)
        if mode == "reflect":
            positions = positions.abs()
            positions = ember.where(positions > n - 1, 2 * (n - 1) - positions, positions)
        else:
            positions = positions.clamp(0, n - 1)
        indices[dim] = positions
    with ember.no_grad():
        result = input
        for dim, positions in indices.items():
            result = result.index_select(dim, positions)
    shape = input.shape

    def formula(grad):
        for dim in reversed(list(indices)):
            sizes = list(grad.shape)
            sizes[dim] = shape[dim]
            grad = ember.zeros(sizes, dtype=grad.dtype).index_add(dim, indices[dim], grad)
        return grad
    kind = "ReflectionPad" if mode == "reflect" else "ReplicationPad"
    return _recorded(f"{kind}{len(pairs)}DBackward0", result, (input,), (formula,), None)


def _circular_pad(input, pad):
    pairs = _pairs(pad, input.dim())
    out_shape = list(input.shape)
    for dim, (left, right) in pairs.items():
        if left > input.shape[dim] or right > input.shape[dim]:
            raise RuntimeError("Padding value causes wrapping around more than once.")
        out_shape[dim] += left + right
    out = ember.empty(out_shape, dtype=input.dtype)
    out_slice, in_slice = out, input
    for dim, (left, right) in pairs.items():
        out_slice = out_slice.narrow(dim, max(left, 0),
                                     out_shape[dim] - max(left, 0) - max(right, 0))
        in_slice = in_slice.narrow(dim, max(-left, 0),
                                   input.shape[dim] - max(-left, 0) - max(-right, 0))
    out_slice.copy_(in_slice)
    for dim in sorted(pairs, reverse=True):
        left, right = pairs[dim]
        size = out_shape[dim]
        if left > 0:
            out.narrow(dim, 0, left).copy_(
                out.narrow(dim, size - left - max(right, 0), left))
        if right > 0:
            out.narrow(dim, size - right, right).copy_(out.narrow(dim, max(left, 0), right))
    return out


def pad(input, pad, mode="constant", value=None):
    """Pad the last ``len(pad) // 2`` dimensions: constant, reflect, replicate or circular."""
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input.dim():
        raise RuntimeError(f"Padding length should be less than or equal to two times the "
                           f"input dimension but got padding length {len(pad)} and input of "
                           f"dimension {input.dim()}")
    if mode == "constant":
        return _constant_pad(input, list(pad), 0.0 if value is None else value)
    if value is not None and value != 0:
        raise RuntimeError(f"Padding mode \"{mode}\" doesn't take in value argument")
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    count = len(pad) // 2
    if not (1 <= count <= 3 and count + 1 <= input.dim() <= count + 2):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {input.dim()}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    if mode == "circular":
        return _circular_pad(input, list(pad))
    return _index_pad(input, list(pad), mode)


# ---------------------------------------------------------------- normalization

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
