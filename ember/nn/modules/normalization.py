"""Per-sample normalization layers: LayerNorm, GroupNorm, RMSNorm, LocalResponseNorm and
the legacy CrossMapLRN2d."""

from __future__ import annotations

import numbers

import ember
from ember.nn import functional as F
from ember.nn import init
from ember.nn._functional import normalization as _normalization
from ember.nn.modules.module import Module
from ember.nn.parameter import Parameter

__all__ = ["LocalResponseNorm", "CrossMapLRN2d", "LayerNorm", "GroupNorm", "RMSNorm"]


def _shape_tuple(normalized_shape) -> tuple:
    if isinstance(normalized_shape, numbers.Integral):
        return (normalized_shape,)
    return tuple(normalized_shape)


def _affine_parameters(module, shape, weight: bool, bias: bool, factory) -> None:
    """Registers ``weight`` and ``bias`` of ``shape`` (None where not wanted)."""
    if weight:
        module.weight = Parameter(ember.empty(shape, **factory))
    else:
        module.register_parameter("weight", None)
    if weight and bias:
        module.bias = Parameter(ember.empty(shape, **factory))
    else:
        module.register_parameter("bias", None)


def _reset_affine(module) -> None:
    """weight = 1, bias = 0: the layer starts as a plain normalization."""
    if module.weight is not None:
        init.ones_(module.weight)
    if module.bias is not None:
        init.zeros_(module.bias)


class _ChannelWindowNorm(Module):
    """What LocalResponseNorm and CrossMapLRN2d keep: a window of ``size`` channels and the
    constants of their scale, ``(k + alpha / size * sum of squares) ** beta``."""

    def __init__(self, size: int, alpha: float, beta: float, k: float) -> None:
        super().__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"


class LocalResponseNorm(_ChannelWindowNorm):
    """Each value divided by ``(k + alpha / size * sum of squares) ** beta``, the sum over
    ``size`` neighbouring channels (zero beyond the ends).

    Example::

        >>> lrn = ember.nn.LocalResponseNorm(2)
        >>> lrn(ember.randn(32, 5, 24, 24)).size()
        torch.Size([32, 5, 24, 24])
    """

    __constants__ = ["size", "alpha", "beta", "k"]

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75,
                 k: float = 1.0) -> None:
        super().__init__(size, alpha, beta, k)

    def forward(self, input):
        return F.local_response_norm(input, self.size, self.alpha, self.beta, self.k)


class CrossMapLRN2d(_ChannelWindowNorm):
    """The legacy local response normalization of 4-D inputs, as PyTorch's (its scale is a
    running sum along the channels; see ``ember.nn._functional.normalization``); prefer
    :class:`LocalResponseNorm`."""

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1) -> None:
        super().__init__(size, alpha, beta, k)

    def forward(self, input):
        return _normalization.CrossMapLRN2d.apply(input, self.size, self.alpha, self.beta,
                                                  self.k)


class LayerNorm(Module):
    """Normalizes each sample over its trailing ``normalized_shape`` dims, then applies a
    learned elementwise weight and bias.

    Args:
        normalized_shape: the trailing shape normalized over (an int: the last dim)
        eps: added to the variance (default 1e-5)
        elementwise_affine: whether to learn a weight (and bias) of ``normalized_shape``
        bias: whether to learn the bias (default True)

    Example::

        >>> m = ember.nn.LayerNorm(10)
        >>> m(ember.randn(20, 5, 10)).size()
        torch.Size([20, 5, 10])
    """

    __constants__ = ["normalized_shape", "eps", "elementwise_affine"]

    def __init__(self, normalized_shape, eps: float = 1e-5, elementwise_affine: bool = True,
                 bias: bool = True, device=None, dtype=None) -> None:
        super().__init__()
        self.normalized_shape = _shape_tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        _affine_parameters(self, self.normalized_shape, elementwise_affine, bias,
                           {"device": device, "dtype": dtype})
        self.reset_parameters()

    def reset_parameters(self) -> None:
        _reset_affine(self)

    def forward(self, input):
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}")


class GroupNorm(Module):
    """Normalizes each sample over groups of ``num_channels // num_groups`` channels, then
    applies a learned per-channel weight and bias.

    Example::

        >>> m = ember.nn.GroupNorm(3, 6)
        >>> m(ember.randn(20, 6, 10, 10)).size()
        torch.Size([20, 6, 10, 10])
    """

    __constants__ = ["num_groups", "num_channels", "eps", "affine"]

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5,
                 affine: bool = True, device=None, dtype=None, *, bias: bool = True) -> None:
        super().__init__()
        if num_channels % num_groups != 0:
            raise ValueError(f"num_channels ({num_channels}) must be divisible by num_groups "
                             f"({num_groups})")
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        _affine_parameters(self, num_channels, affine, bias, {"device": device, "dtype": dtype})
        self.reset_parameters()

    def reset_parameters(self) -> None:
        _reset_affine(self)

    def forward(self, input):
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, "
                f"affine={self.affine}, bias={self.bias is not None}")


class RMSNorm(Module):
    """Divides each sample by its root mean square over the trailing ``normalized_shape``
    dims (``eps`` None: the dtype's machine epsilon), then applies a learned weight.

    Example::

        >>> m = ember.nn.RMSNorm([2, 3])
        >>> m(ember.randn(2, 2, 3)).size()
        torch.Size([2, 2, 3])
    """

    __constants__ = ["normalized_shape", "eps", "elementwise_affine"]

    def __init__(self, normalized_shape, eps: float | None = None,
                 elementwise_affine: bool = True, device=None, dtype=None) -> None:
        super().__init__()
        self.normalized_shape = _shape_tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(ember.empty(self.normalized_shape, device=device,
                                                dtype=dtype))
        else:
            self.register_parameter("weight", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        if self.weight is not None:
            init.ones_(self.weight)

    def forward(self, input):
        return F.rms_norm(input, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")
