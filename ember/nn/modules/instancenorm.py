"""InstanceNorm1d/2d/3d: each channel of each sample normalized over its own values; their
lazy forms, which take ``num_features`` from the first input."""

from __future__ import annotations

import warnings

from ember.nn import functional as F
from ember.nn.modules.batchnorm import _check_rank, _LazyNormBase, _NormBase

__all__ = ["InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d", "LazyInstanceNorm1d",
           "LazyInstanceNorm2d", "LazyInstanceNorm3d"]


class _InstanceNorm(_NormBase):
    """Instance norm: the input's own statistics normalize unless the running ones are
    tracked and the module is in evaluation mode. Inputs may be unbatched."""

    _unbatched_rank = 0  # the rank of an unbatched input; a batched one has one more

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1,
                 affine: bool = False, track_running_stats: bool = False, device=None,
                 dtype=None, *, bias: bool = True) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device,
                         dtype, bias=bias)

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs) -> None:
        # checkpoints from before instance norm stopped tracking statistics by default
        if local_metadata.get("version") is None and not self.track_running_stats:
            keys = [prefix + name for name in ("running_mean", "running_var")
                    if prefix + name in state_dict]
            if keys:
                name = self.__class__.__name__
                quoted = " and ".join(f'"{key}"' for key in keys)
                error_msgs.append(
                    f"Unexpected running stats buffer(s) {quoted} for {name} with "
                    "track_running_stats=False. If state_dict is a checkpoint saved before "
                    f"0.4.0, this may be expected because {name} does not track running stats "
                    "by default since 0.4.0. Please remove these keys from state_dict. If the "
                    "running stats are actually needed, instead set track_running_stats=True "
                    f"in {name} to enable them. See the documentation of {name} for details.")
                for key in keys:
                    state_dict.pop(key)
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict,
                                      missing_keys, unexpected_keys, error_msgs)

    def _check_input_dim(self, input) -> None:
        rank = self._unbatched_rank
        _check_rank(input, (rank, rank + 1), f"{rank}D or {rank + 1}D")

    def _apply_instance_norm(self, input):
        return F.instance_norm(input, self.running_mean, self.running_var, self.weight,
                               self.bias, self.training or not self.track_running_stats,
                               0.0 if self.momentum is None else self.momentum, self.eps)

    def forward(self, input):
        self._check_input_dim(input)
        feature_dim = input.dim() - self._unbatched_rank
        size = input.size(feature_dim)
        if size != self.num_features:
            if self.affine:
                raise ValueError(f"expected input's size at dim={feature_dim} to match "
                                 f"num_features ({self.num_features}), but got: {size}.")
            warnings.warn(f"input's size at dim={feature_dim} does not match num_features. "
                          "You can silence this warning by not passing in num_features, "
                          "which is not used because affine=False", stacklevel=2)
        if input.dim() == self._unbatched_rank:
            return self._apply_instance_norm(input.unsqueeze(0)).squeeze(0)
        return self._apply_instance_norm(input)


class InstanceNorm1d(_InstanceNorm):
    """Instance norm of ``(N, C, L)`` or unbatched ``(C, L)`` inputs.

    Args:
        num_features: C
        eps: added to the variance (default 1e-5)
        momentum: weight of each new batch in the running statistics (default 0.1)
        affine: whether to learn a per-channel weight and bias (default False)
        track_running_stats: whether to keep running statistics for evaluation
            (default False)

    Example::

        >>> m = ember.nn.InstanceNorm1d(100)
        >>> m(ember.randn(20, 100, 40)).size()
        torch.Size([20, 100, 40])
    """

    _unbatched_rank = 2


class InstanceNorm2d(_InstanceNorm):
    """Instance norm of ``(N, C, H, W)`` or ``(C, H, W)`` inputs (see InstanceNorm1d)."""

    _unbatched_rank = 3


class InstanceNorm3d(_InstanceNorm):
    """Instance norm of ``(N, C, D, H, W)`` or ``(C, D, H, W)`` inputs (see
    InstanceNorm1d)."""

    _unbatched_rank = 4


class LazyInstanceNorm1d(_LazyNormBase, _InstanceNorm):
    """InstanceNorm1d taking ``num_features`` from the first input."""

    cls_to_become = InstanceNorm1d
    _unbatched_rank = 2


class LazyInstanceNorm2d(_LazyNormBase, _InstanceNorm):
    """InstanceNorm2d taking ``num_features`` from the first input."""

    cls_to_become = InstanceNorm2d
    _unbatched_rank = 3


class LazyInstanceNorm3d(_LazyNormBase, _InstanceNorm):
    """InstanceNorm3d taking ``num_features`` from the first input."""

    cls_to_become = InstanceNorm3d
    _unbatched_rank = 4
