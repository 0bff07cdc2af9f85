"""Lookups: one_hot, embedding, embedding_bag."""

from __future__ import annotations

import ember
from ember.nn._functional._common import (
    _recorded,
)

__all__ = ["one_hot", "embedding", "embedding_bag"]


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


def _check_indices(indices, function):
    if indices.dtype not in (ember.int64, ember.int32):
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got {indices.type()} instead (while checking "
            f"arguments for {function})")


def _check_sparse(sparse):
    if sparse:
        raise NotImplementedError("sparse=True is not supported: ember has no sparse "
                                  "tensors, so the weight's gradient is always dense")


def _renorm_rows(weight, indices, max_norm, norm_type):
    """torch's ``embedding_renorm_``: the rows of ``weight`` that ``indices`` picks and
    whose norm exceeds ``max_norm`` are scaled, in place, to norm ``max_norm``."""
    with ember.no_grad():
        picked = indices.flatten().unique()
        norms = weight[picked].norm(norm_type, 1, keepdim=True)
        scale = ember.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
        weight[picked] = weight[picked] * scale.to(weight.dtype)


def _frequency_scale(flat, rows):
    """``scale_grad_by_freq``: each looked-up row's gradient divided by how often it was
    looked up in the whole batch."""
    return 1.0 / ember.bincount(flat, minlength=rows)[flat]


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
    _check_sparse(sparse)
    _check_indices(input, "embedding")
    if input.numel() and ((input < 0) | (input >= rows)).any():
        raise IndexError("index out of range in self")
    if max_norm is not None:
        _renorm_rows(weight, input, max_norm, norm_type)
    with ember.no_grad():
        result = weight[input]
    flat = input.flatten().to(ember.int64)
    row_scale = None
    if padding_idx is not None:
        row_scale = (flat != padding_idx).to(weight.dtype)
    if scale_grad_by_freq and flat.numel():
        frequency = _frequency_scale(flat, rows).to(weight.dtype)
        row_scale = frequency if row_scale is None else row_scale * frequency
    shape = weight.shape

    def formula(grad):
        rows_grad = grad.reshape(-1, shape[1])
        if row_scale is not None:
            rows_grad = rows_grad * row_scale.unsqueeze(1)
        return ember.zeros(shape, dtype=grad.dtype).index_add(0, flat, rows_grad)
    return _recorded("EmbeddingBackward0", result, (weight,), (formula,), None)


_BAG_MODES = ("sum", "mean", "max")


def _bag_inputs(input, offsets, per_sample_weights):
    """``input``, ``offsets`` and ``per_sample_weights`` in the 1-D form: a 2-D input is a
    batch of equal-length bags."""
    if per_sample_weights is not None and input.size() != per_sample_weights.size():
        raise ValueError(f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) "
                         f"is not None, then it must have the same shape as the input "
                         f"({input.shape})")
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated "
                             "is a mini-batch of fixed length sequences. However, found "
                             f"offsets of type {type(offsets)}")
        offsets = ember.arange(0, input.numel(), input.size(1), dtype=input.dtype)
        input = input.reshape(-1)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension "
                         f"{input.dim()}")
    return input, offsets, per_sample_weights


def _bag_of_each_index(input, offsets, include_last_offset, padding_idx):
    """The bag of each entry of ``input`` (``bags`` where the entry takes no part: a
    padding index, or past the last offset with ``include_last_offset``) and the number of
    bags."""
    count = input.numel()
    if offsets.numel() and offsets[0].item() != 0:
        raise RuntimeError(f"offsets[0] has to be 0, i.e., the first sequence in the mini-batch "
                           f"has to start from position 0. However, got {offsets[0].item()}")
    if offsets.numel() and offsets[-1].item() > count:
        raise RuntimeError(f"offsets[-1] can not be greater than input's length {count} but "
                           f"got offsets[-1] of {offsets[-1].item()}")
    bags = offsets.numel() - 1 if include_last_offset else offsets.numel()
    bags = max(bags, 0)
    position = ember.arange(count)
    bag = ember.searchsorted(offsets[:bags].to(ember.int64), position, right=True) - 1
    # the last offset ends the last bag (torch's max kernel, and its sum kernel for
    # non-contiguous weights, run the last bag to the end of the input instead)
    excluded = position >= (offsets[-1].item() if include_last_offset else count)
    if padding_idx is not None:
        excluded = excluded | (input == padding_idx)
    return ember.where(excluded, bags, bag), bags


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2,
                  scale_grad_by_freq=False, mode="mean", sparse=False, per_sample_weights=None,
                  include_last_offset=False, padding_idx=None):
    """Sums, means or maxima of bags of embeddings, without building the looked-up rows'
    intermediate per-bag tensors: bag ``b`` holds ``input[offsets[b]:offsets[b + 1]]``
    (a 2-D ``input`` is one bag per row). ``per_sample_weights`` scale each looked-up row
    (``mode='sum'`` only); entries equal to ``padding_idx`` are left out of their bag."""
    if weight.dim() != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension "
                         f"{weight.dim()}")
    input, offsets, per_sample_weights = _bag_inputs(input, offsets, per_sample_weights)
    if mode not in _BAG_MODES:
        raise ValueError("mode has to be one of sum, mean or max")
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(
            f"embedding_bag: per_sample_weights was not None. per_sample_weights is only "
            f"supported for mode='sum' (got mode='{mode}'). Please open a feature request on "
            "GitHub.")
    _check_sparse(sparse)
    _check_indices(input, "embedding_bag")
    rows, features = weight.shape
    if padding_idx is not None:
        if not -rows <= padding_idx < rows:
            raise RuntimeError(f"padding_idx must be within the number of embeddings, -{rows} "
                               f"through {rows - 1}, but got {padding_idx}")
        padding_idx = padding_idx % rows
    out_of_range = ((input < 0) | (input >= rows)).nonzero()
    if out_of_range.numel():
        position = out_of_range[0, 0].item()
        raise RuntimeError(f"Index {position} of input takes value {input[position].item()} "
                           f"which is not in the valid range [0, {rows})")
    if max_norm is not None:
        _renorm_rows(weight, input, max_norm, norm_type)
    input = input.to(ember.int64)
    bag, bags = _bag_of_each_index(input, offsets, include_last_offset, padding_idx)
    if mode == "max":
        if scale_grad_by_freq:
            raise ValueError("max mode does not support scaling the gradient by the frequency")
        return _bag_maxima(input, weight, bag, bags)
    return _bag_sums(input, weight, bag, bags, mode, per_sample_weights, scale_grad_by_freq)


def _bag_sums(input, weight, bag, bags, mode, per_sample_weights, scale_grad_by_freq):
    """Sum and mean bags: one ``index_add`` of the weighted looked-up rows into the bags
    (plus a spare bag ``bags`` that collects the excluded entries and is dropped)."""
    kept = (bag < bags).to(weight.dtype)
    if mode == "mean":
        sizes = ember.bincount(bag, minlength=bags + 1).clamp_min(1)
        kept = kept / sizes.to(weight.dtype)[bag]
    grad_scale = kept
    if scale_grad_by_freq and input.numel():
        grad_scale = kept * _bag_frequency_scale(input, weight.shape[0]).to(weight.dtype)
    shape = (bags + 1, weight.shape[1])

    def bag_sums(weight, per_sample_weights):
        scale = kept if per_sample_weights is None else kept * per_sample_weights
        looked_up = weight[input] * scale.unsqueeze(1)
        return ember.zeros(shape, dtype=looked_up.dtype).index_add(0, bag, looked_up)[:bags]

    with ember.no_grad():
        result = bag_sums(weight, per_sample_weights)

    def weight_gradient(grad, per_sample_weights):
        scale = grad_scale if per_sample_weights is None else grad_scale * per_sample_weights
        spread = _spread(grad, bag) * scale.unsqueeze(1)
        return ember.zeros(weight.shape, dtype=grad.dtype).index_add(0, input, spread)

    if per_sample_weights is None:
        return _recorded("EmbeddingBagBackward0", result, (weight,),
                         (lambda grad: weight_gradient(grad, None),), None)

    def per_sample_weights_gradient(grad, weight):
        return (_spread(grad, bag) * weight[input]).sum(1) * kept

    return _recorded("EmbeddingBagBackward0", result, (weight, per_sample_weights),
                     (weight_gradient, per_sample_weights_gradient),
                     {"weight": weight, "per_sample_weights": per_sample_weights})


def _bag_frequency_scale(input, rows):
    """``scale_grad_by_freq`` as torch's CPU embedding_bag backward computes it: the k-th
    smallest distinct index is divided by the count of the k-th entry of the sorted indices
    (not of itself: a torch quirk, kept so that gradients agree)."""
    ordered = input.sort().values
    distinct = ordered.unique()
    counts = ember.bincount(input, minlength=rows)
    scale = ember.zeros(rows, dtype=ember.float64)
    scale[distinct] = 1.0 / counts[ordered[:distinct.numel()]].to(ember.float64)
    return scale[input]


def _spread(grad, bag):
    """Each entry's share of the gradient of its bag (zero for the spare bag)."""
    return ember.cat([grad, ember.zeros((1, grad.shape[1]), dtype=grad.dtype)])[bag]


def _bag_maxima(input, weight, bag, bags):
    """Max bags: a feature-wise ``amax`` scatter; the gradient goes to the row that gave
    each maximum (the first one in the bag), as torch's ``max_indices``."""
    count, features = input.numel(), weight.shape[1]
    slots = bag.unsqueeze(1).expand(count, features)
    with ember.no_grad():
        looked_up = weight[input]
        maxima = ember.zeros((bags + 1, features), dtype=weight.dtype).scatter_reduce(
            0, slots, looked_up, "amax", include_self=False)
        position = ember.arange(count).unsqueeze(1).expand(count, features)
        candidate = ember.where(looked_up == maxima[bag], position, count)
        first = ember.full((bags + 1, features), count, dtype=ember.int64).scatter_reduce(
            0, slots, candidate, "amin")[:bags]
        filled = first < count
        winner = (ember.where(filled, input[first.clamp_max(count - 1)], 0) if count
                  else ember.zeros_like(first))
        result = maxima[:bags]

    def formula(grad):
        return ember.zeros(weight.shape, dtype=grad.dtype).scatter_add(0, winner, grad * filled)
    return _recorded("EmbeddingBagBackward0", result, (weight,), (formula,), None)
