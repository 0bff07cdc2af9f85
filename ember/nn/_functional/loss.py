"""Loss functions, every ``reduction``."""

from __future__ import annotations

import math
import warnings

import ember
from ember.nn._functional._common import (
    _check_floating,
    _divided,
    _not_differentiable,
    _recorded,
)
from ember.nn._functional.activation import logsigmoid
from ember.nn._functional.ctc import ctc_loss
from ember.nn._functional.distance import pairwise_distance
from ember.ops.losses import class_nll, targets_are_classes

__all__ = [
    "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "nll_loss", "cross_entropy", "kl_div",
    "margin_ranking_loss", "hinge_embedding_loss", "soft_margin_loss", "poisson_nll_loss",
    "gaussian_nll_loss", "cosine_embedding_loss", "multilabel_soft_margin_loss",
    "triplet_margin_loss", "multi_margin_loss", "triplet_margin_with_distance_loss",
    "multilabel_margin_loss", "ctc_loss",
]


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
        expected = [input.shape[0], *input.shape[2:]]
        raise RuntimeError(f"Expected target size {expected}, got {list(target.shape)}")


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
    if (weight is None and input.dtype.is_floating_point and input.dtype.itemsize >= 4
            and 0 < target.numel() < _EXACT_COUNT
            and targets_are_classes(target, classes, ignore_index)):
        return class_nll(input, target, class_dim, reduction)
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


# Below 2**24 targets, their count is exact in float32 and float64 (the floating dtypes of
# four bytes or more): it is the sum of their unit weights, which class_nll divides by.
_EXACT_COUNT = 1 << 24


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
    # a target of the input's shape holds class probabilities; any other, class indices
    if target.shape == input.shape:
        if not target.dtype.is_floating_point:
            raise RuntimeError("Expected floating point type for target with class "
                               f"probabilities, got {target.dtype._legacy_name}")
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
    return _triplet_loss(anchor, positive, negative,
                         lambda a, b: pairwise_distance(a, b, p, eps), margin, swap, reduction)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None,
                                      margin=1.0, swap=False, reduction="mean"):
    """The triplet loss under any ``distance_function`` (default: ``pairwise_distance``)."""
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return _triplet_loss(anchor, positive, negative, distance_function or pairwise_distance,
                         margin, swap, reduction)


def _triplet_loss(anchor, positive, negative, distance, margin, swap, reduction):
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    dims = (anchor.dim(), positive.dim(), negative.dim())
    if len(set(dims)) != 1:
        raise RuntimeError(
            f"The anchor, positive, and negative tensors are expected to have the same number "
            f"of dimensions, but got: anchor {dims[0]}D, positive {dims[1]}D, and negative "
            f"{dims[2]}D inputs")
    dist_pos = distance(anchor, positive)
    dist_neg = distance(anchor, negative)
    if swap:
        dist_neg = ember.minimum(dist_neg, distance(positive, negative))
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


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Hinge loss between each target class of a sample (its ``target`` row up to the first
    ``-1``) and each non-target class, divided by the number of classes."""
    reduction = _reduction(reduction, size_average, reduce)
    if input.dim() > 2 or (input.dim() == 2 and input.shape[1] == 0):
        raise RuntimeError(f"Expected non-empty vector or matrix with optional 0-dim batch "
                           f"size, but got: {list(input.shape)}")
    x = input.reshape(-1, input.shape[-1]) if input.dim() else input.reshape(1, 1)
    classes = x.shape[1]
    if target.dim() > 2 or target.numel() != x.numel() or (
            input.dim() == 2 and target.shape != input.shape):
        raise RuntimeError(f"inconsistent target size: {list(target.shape)} for input of "
                           f"size: {list(input.shape)}")
    labels = target.reshape(x.shape)
    if ((labels < -1) | (labels >= classes)).any():
        raise RuntimeError("argument #2 'target' is out of range")
    # a sample's targets are the entries before its first -1
    listed = (labels == -1).to(ember.int64).cumsum(1) == 0
    index = labels.clamp_min(0)
    is_target = ember.zeros(x.shape, dtype=ember.int64).scatter_add(
        1, index, listed.to(ember.int64)) > 0
    # pairs (target j, other class i): rows j index the targets, columns i the classes
    pairs = listed.unsqueeze(2) & ~is_target.unsqueeze(1)

    def hinge(x):
        return (1 - x.gather(1, index).unsqueeze(2) + x.unsqueeze(1)).clamp_min(0) * pairs

    with ember.no_grad():
        loss = hinge(x).sum((1, 2)) / classes
        if reduction == "none":
            result = loss.reshape(input.shape[:-1]) if input.dim() else loss.reshape(())
        else:
            result = _reduce(loss, reduction)
    samples = x.shape[0]

    def formula(grad, input):
        x = input.reshape(-1, classes) if input.dim() else input.reshape(1, 1)
        slope = (hinge(x) > 0).to(x.dtype) / classes
        slope = _scaled(grad, reduction, samples).reshape(-1, 1, 1) * slope
        gradient = slope.sum(1) - ember.zeros_like(x).scatter_add(1, index, slope.sum(2))
        return gradient.reshape(input.shape)
    return _recorded("MultilabelMarginLossBackward0", result, (input,), (formula,),
                     {"input": input})
