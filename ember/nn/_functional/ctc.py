"""Connectionist temporal classification loss (Graves et al., 2006) in log space.

The labels of each sequence are extended with blanks (``b l1 b l2 ... b``, length
``2 S + 1``). The alpha (forward) and beta (backward) recursions run over time in a Python
loop, each step vectorized over the batch and over all extended label positions."""

from __future__ import annotations

import ember
from ember.nn._functional._common import _recorded

__all__ = ["ctc_loss"]

_NEG_INF = float("-inf")


def _lengths(lengths):
    """Lengths given as a tensor, a sequence or an int, as a list of ints."""
    if isinstance(lengths, ember.Tensor):
        return [int(n) for n in lengths.reshape(-1).tolist()]
    if isinstance(lengths, int):
        return [lengths]
    return [int(n) for n in lengths]


def _padded_targets(targets, target_lengths, batch, blank):
    """Targets as an ``(N, S)`` tensor (entries past a sequence's length are ``blank``) from
    the padded ``(N, S)`` form or the concatenated 1-D form."""
    longest = max(target_lengths, default=0)
    lengths = ember.tensor(target_lengths)
    positions = ember.arange(longest)
    valid = positions < lengths.unsqueeze(1)
    if targets.dim() == 2:
        if targets.shape[1] < longest:
            raise RuntimeError(
                f"Expected tensor to have size at least {longest} at dimension 1, but got "
                f"size {targets.shape[1]} for argument #2 'targets' (while checking arguments "
                "for ctc_loss_allocate_outputs)")
        picked = targets[:, :longest]
    else:
        if targets.numel() < sum(target_lengths):
            raise RuntimeError("Expected the concatenated targets to hold "
                               f"{sum(target_lengths)} labels, but got {targets.numel()}")
        starts = ember.cumsum(lengths, 0) - lengths
        index = (starts.unsqueeze(1) + positions).clamp(0, max(targets.numel() - 1, 0))
        picked = targets[index] if targets.numel() else ember.zeros((batch, longest),
                                                                    dtype=ember.int64)
    return ember.where(valid, picked.to(ember.int64), blank)


def _shifted(values, steps):
    """``values`` moved ``steps`` positions along dim 1 (right if positive), ``-inf`` in."""
    width = values.shape[1]
    fill = ember.full((values.shape[0], min(abs(steps), width)), _NEG_INF, dtype=values.dtype)
    if steps > 0:
        return ember.cat([fill, values[:, :width - fill.shape[1]]], 1)
    return ember.cat([values[:, fill.shape[1]:], fill], 1)


def _log_add3(a, b, c):
    return ember.logsumexp(ember.stack([a, b, c]), 0)


def _alphas(emissions, can_skip, first):
    """Log forward variables ``(T, N, 2S+1)``: ``alpha[t, n, s]`` is the log probability of
    the paths through the first ``t + 1`` frames that end in extended label ``s``."""
    alpha = ember.where(first, emissions[0], _NEG_INF)
    alphas = [alpha]
    for step in range(1, emissions.shape[0]):
        skip = ember.where(can_skip, _shifted(alpha, 2), _NEG_INF)
        alpha = _log_add3(alpha, _shifted(alpha, 1), skip) + emissions[step]
        alphas.append(alpha)
    return ember.stack(alphas)


def _betas(emissions, can_skip, last, input_lengths):
    """Log backward variables ``(T, N, 2S+1)``, counting the emission at ``t`` as torch's
    kernel does (so ``alpha + beta`` counts it twice); ``-inf`` past each input length."""
    can_skip_ahead = _shifted(can_skip.to(emissions.dtype), -2) > 0
    final = (input_lengths - 1).unsqueeze(1)
    beta = ember.full(emissions.shape[1:], _NEG_INF, dtype=emissions.dtype)
    betas = [None] * emissions.shape[0]
    for step in range(emissions.shape[0] - 1, -1, -1):
        skip = ember.where(can_skip_ahead, _shifted(beta, -2), _NEG_INF)
        carried = _log_add3(beta, _shifted(beta, -1), skip) + emissions[step]
        beta = ember.where(final == step, ember.where(last, emissions[step], _NEG_INF),
                           ember.where(final > step, carried, _NEG_INF))
        betas[step] = beta
    return ember.stack(betas)


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean",
             zero_infinity=False):
    """The CTC loss of ``log_probs`` (``(T, N, C)`` or ``(T, C)``, log-softmax outputs)
    against ``targets`` (padded ``(N, S)`` or concatenated 1-D).

    As torch's kernel, the gradient it gives ``log_probs`` is the one that flows through a
    log-softmax: ``exp(log_probs) - posterior``, and ``reduction='mean'`` divides each loss
    by its target length before averaging over the batch."""
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    batched = log_probs.dim() == 3
    if not batched:
        log_probs = log_probs.unsqueeze(1)
        targets = targets.unsqueeze(0) if targets.dim() == 1 else targets
    frames, batch, classes = log_probs.shape
    input_lengths = _lengths(input_lengths)
    target_lengths = _lengths(target_lengths)
    if not 0 <= blank < classes:
        raise RuntimeError("blank must be in label range")
    if len(input_lengths) != batch:
        raise RuntimeError("input_lengths must be of size batch_size")
    if len(target_lengths) != batch:
        raise RuntimeError("target_lengths must be of size batch_size")
    for length in input_lengths:
        if length > frames:
            raise RuntimeError(f"Expected input_lengths to have value at most {frames}, but "
                               f"got value {length} (while checking arguments for "
                               "ctc_loss_allocate_outputs)")
    with ember.no_grad():
        labels = _padded_targets(targets, target_lengths, batch, blank)
        # the extended labels: a blank before, between and after the targets
        extended = ember.stack([ember.full_like(labels, blank), labels], 2)
        extended = ember.cat([extended.reshape(batch, -1),
                              ember.full((batch, 1), blank, dtype=ember.int64)], 1)
        position = ember.arange(extended.shape[1])
        lengths = ember.tensor(target_lengths).unsqueeze(1)
        # a label may follow the label two positions back when the blank between them
        # is skippable: they differ
        can_skip = (position % 2 == 1) & (extended != ember.roll(extended, 2, 1))
        can_skip[:, :2] = False
        first = (position == 0) | ((position == 1) & (lengths > 0))
        last = (position == 2 * lengths) | ((position == 2 * lengths - 1) & (lengths > 0))
        emissions = log_probs.gather(2, extended.expand(frames, batch, -1))
        alphas = _alphas(emissions, can_skip, first)
        frame_lengths = ember.tensor(input_lengths)
        final_alpha = alphas[(frame_lengths - 1).clamp_min(0), ember.arange(batch)]
        likelihood = ember.logsumexp(final_alpha.masked_fill(~last, _NEG_INF), 1)
        likelihood = ember.where(frame_lengths > 0, likelihood,
                                 ember.where(lengths.squeeze(1) == 0, 0.0, _NEG_INF))
        nll = -likelihood.to(log_probs.dtype)
        infinite = ember.isinf(nll)

    def formula(grad, log_probs):
        with ember.no_grad():
            betas = _betas(emissions, can_skip, last, frame_lengths)
            # posterior of each extended label at each frame, summed into its class
            occupancy = ember.exp(alphas + betas + nll.unsqueeze(1) - emissions)
            posterior = ember.zeros_like(log_probs).scatter_add(
                2, extended.expand(frames, batch, -1), occupancy)
            inside = ember.arange(frames).unsqueeze(1) < frame_lengths
            slope = ember.exp(log_probs) - posterior
            # an impossible alignment has no gradient: zero with zero_infinity, else NaN
            # in every class (as torch's kernel gets from -inf + inf)
            slope = slope.masked_fill(infinite.view(1, batch, 1),
                                      0.0 if zero_infinity else float("nan"))
            slope = slope.masked_fill(~inside.unsqueeze(2), 0.0)
        return grad.view(1, batch, 1) * slope

    losses = _recorded("CtcLossBackward0", nll, (log_probs,), (formula,),
                       {"log_probs": log_probs})
    if zero_infinity:
        losses = ember.where(infinite, ember.zeros((), dtype=losses.dtype), losses)
    if reduction == "mean":
        divisor = ember.tensor(target_lengths, dtype=losses.dtype).clamp_min(1)
        return (losses / divisor).mean()
    if reduction == "sum":
        return losses.sum()
    return losses if batched else losses.squeeze(0)
