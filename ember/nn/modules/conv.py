"""Convolution layers: Conv1d/2d/3d, ConvTranspose1d/2d/3d."""

from __future__ import annotations

import math

import ember
from ember.nn import functional as F
from ember.nn import init
from ember.nn.modules.module import Module
from ember.nn.parameter import Parameter

__all__ = ["Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d",
           "ConvTranspose3d"]

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _tuple(value, spatial):
    """An int repeated ``spatial`` times, or a sequence as a tuple."""
    if isinstance(value, int):
        return (value,) * spatial
    return tuple(value)


class _ConvNd(Module):
    """What the convolution layers share: arguments, parameters, initialization and repr.
    Subclasses set ``_spatial`` (number of spatial dims) and ``_transposed``."""

    __constants__ = ["stride", "padding", "dilation", "groups", "padding_mode",
                     "output_padding", "in_channels", "out_channels", "kernel_size"]
    _spatial = 0
    _transposed = False

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 output_padding=0, device=None, dtype=None) -> None:
        super().__init__()
        spatial = self._spatial
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        kernel_size = _tuple(kernel_size, spatial)
        stride = _tuple(stride, spatial)
        dilation = _tuple(dilation, spatial)
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"Invalid padding string {padding!r}, should be one of "
                                 "{'same', 'valid'}")
            if padding == "same" and any(s != 1 for s in stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
        else:
            padding = _tuple(padding, spatial)
        if padding_mode not in _PADDING_MODES:
            raise ValueError("padding_mode must be one of {'zeros', 'reflect', 'replicate', "
                             f"'circular'}}, but got padding_mode='{padding_mode}'")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = kernel_size
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.transposed = self._transposed
        self.output_padding = _tuple(output_padding, spatial)
        self.groups = groups
        self.padding_mode = padding_mode
        self._reversed_padding_repeated_twice = self._padding_for_pad()
        channels = ((in_channels, out_channels // groups) if self._transposed
                    else (out_channels, in_channels // groups))
        self.weight = Parameter(ember.empty((*channels, *kernel_size), device=device,
                                            dtype=dtype))
        if bias:
            self.bias = Parameter(ember.empty(out_channels, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def _padding_for_pad(self):
        """The padding as F.pad takes it (last dim first, (left, right) each), for the padding
        modes other than zeros."""
        if self.padding == "valid":
            return [0, 0] * self._spatial
        if self.padding == "same":
            pairs = []
            for d, k in zip(reversed(self.dilation), reversed(self.kernel_size)):
                total = d * (k - 1)
                pairs += [total // 2, total - total // 2]
            return pairs
        return tuple(p for p in reversed(self.padding) for _ in range(2))

    def reset_parameters(self) -> None:
        # kaiming_uniform_ with a=sqrt(5) is U(-1/sqrt(fan_in), 1/sqrt(fan_in))
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def extra_repr(self) -> str:
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")
        spatial = len(self.kernel_size)
        if self.padding != (0,) * spatial:
            text += f", padding={self.padding}"
        if self.dilation != (1,) * spatial:
            text += f", dilation={self.dilation}"
        if self.output_padding != (0,) * spatial:
            text += f", output_padding={self.output_padding}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        if self.padding_mode != "zeros":
            text += f", padding_mode={self.padding_mode}"
        return text


class _Conv(_ConvNd):
    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device=None, dtype=None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device=device, dtype=dtype)

    def _conv_forward(self, input, weight, bias):
        if self.padding_mode != "zeros":
            padded = F.pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode)
            return self._function(padded, weight, bias, self.stride, 0, self.dilation,
                                  self.groups)
        return self._function(input, weight, bias, self.stride, self.padding, self.dilation,
                              self.groups)

    def forward(self, input):
        return self._conv_forward(input, self.weight, self.bias)


class Conv1d(_Conv):
    """A 1-d convolution over an input of shape (N, C_in, L) or (C_in, L).

    Args:
        in_channels, out_channels: channels of the input and of the output
        kernel_size, stride, dilation: ints or 1-tuples
        padding: an int, a 1-tuple, 'valid' or 'same'
        groups: blocked connections from input to output channels
        bias: whether to learn an additive bias
        padding_mode: 'zeros', 'reflect', 'replicate' or 'circular'
    """

    _spatial = 1
    _function = staticmethod(F.conv1d)


class Conv2d(_Conv):
    """A 2-d convolution over an input of shape (N, C_in, H, W) or (C_in, H, W); arguments as
    :class:`Conv1d`'s, with pairs.

    Example::

        >>> m = ember.nn.Conv2d(16, 33, 3, stride=2)
        >>> m(ember.randn(20, 16, 50, 100)).shape
        torch.Size([20, 33, 24, 49])
    """

    _spatial = 2
    _function = staticmethod(F.conv2d)


class Conv3d(_Conv):
    """A 3-d convolution over an input of shape (N, C_in, D, H, W) or (C_in, D, H, W);
    arguments as :class:`Conv1d`'s, with triples."""

    _spatial = 3
    _function = staticmethod(F.conv3d)


class _ConvTranspose(_ConvNd):
    _transposed = True

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 output_padding=0, groups: int = 1, bias: bool = True, dilation=1,
                 padding_mode: str = "zeros", device=None, dtype=None) -> None:
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for '
                             f"{self.__class__.__name__}")
        # torch makes a tuple of any padding here, of the characters of a string too
        padding = _tuple(padding, self._spatial)
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, output_padding, device=device, dtype=dtype)

    def _output_padding(self, input, output_size):
        """The output padding that gives ``output_size`` (None: the layer's own)."""
        if output_size is None:
            return self.output_padding
        spatial = self._spatial
        leading = 2 if input.dim() == spatial + 2 else 1
        if len(output_size) == leading + spatial:
            output_size = output_size[leading:]
        if len(output_size) != spatial:
            raise ValueError(f"ConvTranspose{spatial}D: for {input.dim()}D input, output_size "
                             f"must have {spatial} or {leading + spatial} elements (got "
                             f"{len(output_size)})")
        smallest = [(input.size(i + leading) - 1) * self.stride[i] - 2 * self.padding[i]
                    + self.dilation[i] * (self.kernel_size[i] - 1) + 1 for i in range(spatial)]
        largest = [n + s - 1 for n, s in zip(smallest, self.stride)]
        for wanted, low, high in zip(output_size, smallest, largest):
            if not low <= wanted <= high:
                raise ValueError(f"requested an output size of {output_size}, but valid sizes "
                                 f"range from {smallest} to {largest} (for an input of "
                                 f"{input.size()[2:]})")
        return tuple(wanted - low for wanted, low in zip(output_size, smallest))

    def forward(self, input, output_size=None):
        output_padding = self._output_padding(input, output_size)
        return self._function(input, self.weight, self.bias, self.stride, self.padding,
                              output_padding, self.groups, self.dilation)


class ConvTranspose1d(_ConvTranspose):
    """The 1-d transposed convolution (the gradient of Conv1d with respect to its input) over
    an input of shape (N, C_in, L) or (C_in, L); ``forward(input, output_size=None)`` picks
    the output padding that gives ``output_size``."""

    _spatial = 1
    _function = staticmethod(F.conv_transpose1d)


class ConvTranspose2d(_ConvTranspose):
    """The 2-d transposed convolution over (N, C_in, H, W) or (C_in, H, W); see
    :class:`ConvTranspose1d`."""

    _spatial = 2
    _function = staticmethod(F.conv_transpose2d)


class ConvTranspose3d(_ConvTranspose):
    """The 3-d transposed convolution over (N, C_in, D, H, W) or (C_in, D, H, W); see
    :class:`ConvTranspose1d`."""

    _spatial = 3
    _function = staticmethod(F.conv_transpose3d)
