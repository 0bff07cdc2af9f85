"""Resampling images: interpolate (and the deprecated upsample functions), pixel and channel
shuffles, grid_sample and affine_grid."""

from __future__ import annotations

import math
import warnings

import ember
from ember.nn._functional._common import _recorded
from ember.ops.resampling import (
    channel_shuffle,
    cubic_slopes,
    cubic_weights,
    interpolation_matrix,
    interpolation_taps,
    nearest_indices,
    pixel_shuffle,
    pixel_unshuffle,
    resample_uint8,
)

__all__ = ["interpolate", "upsample", "upsample_nearest", "upsample_bilinear", "pixel_shuffle",
           "pixel_unshuffle", "channel_shuffle", "native_channel_shuffle", "grid_sample",
           "affine_grid"]

native_channel_shuffle = channel_shuffle

_MODES = "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact"
# (input dim, mode) -> the kernel's name in torch's nodes ("UpsampleBilinear2DBackward0")
_KERNELS = {
    (3, "nearest"): "Nearest1D", (4, "nearest"): "Nearest2D", (5, "nearest"): "Nearest3D",
    (3, "nearest-exact"): "NearestExact1D", (4, "nearest-exact"): "NearestExact2D",
    (5, "nearest-exact"): "NearestExact3D", (3, "linear"): "Linear1D",
    (4, "bilinear"): "Bilinear2D", (4, "bicubic"): "Bicubic2D", (5, "trilinear"): "Trilinear3D",
    (4, "lanczos"): "Lanczos2D",
}
_LINEAR_DIMS = {"linear": 3, "bilinear": 4, "trilinear": 5}
_AXIS_NAMES = ("D", "H", "W")


def _is_integer(value) -> bool:
    if isinstance(value, ember.Tensor):
        return not (value.dtype.is_floating_point or value.dtype.is_complex)
    return isinstance(value, int)


def _output_size_and_scales(input, size, scale_factor, dims):
    """torch's rules: exactly one of ``size`` and ``scale_factor``, one entry per spatial
    dimension (a single number is repeated)."""
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        if not isinstance(size, list | tuple | ember.Size):
            return [size] * dims, None
        if len(size) != dims:
            raise ValueError(
                f"Input and output must have the same number of spatial dimensions, but got "
                f"input with spatial dimensions of {list(input.shape[2:])} and output size of "
                f"{size}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and "
                f"output size in (o1, o2, ...,oK) format.")
        if not all(_is_integer(s) for s in size):
            raise TypeError(f"expected size to be one of int or Tuple[int] or Tuple[int, int] or "
                            f"Tuple[int, int, int], but got size with types "
                            f"{[type(s) for s in size]}")
        return [int(s) for s in size], None
    if scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    if not isinstance(scale_factor, list | tuple):
        return None, [scale_factor] * dims
    if len(scale_factor) != dims:
        raise ValueError(
            f"Input and scale_factor must have the same number of spatial dimensions, but got "
            f"input with spatial dimensions of {list(input.shape[2:])} and scale_factor of "
            f"shape {scale_factor}. Please provide input tensor in (N, C, d1, d2, ...,dK) "
            f"format and scale_factor in (s1, s2, ...,sK) format.")
    return None, list(scale_factor)


def _unsupported_dimensions(input, mode):
    wanted = _LINEAR_DIMS.get(mode)
    if wanted is not None and input.dim() in (3, 4, 5):
        return NotImplementedError(f"Got {input.dim()}D input, but {mode} mode needs "
                                   f"{wanted}D input")
    return NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got "
                               f"{input.dim()}D) for the modes: {_MODES} (got {mode})")


def _check_sizes(input, output_size, kernel):
    spatial = list(input.shape[2:])
    names = _AXIS_NAMES[3 - len(spatial):]
    if min(spatial + output_size) <= 0:
        def describe(sizes):
            return ", ".join(f"{n}: {s}" for n, s in zip(names, sizes))
        joiner = " and output" if len(spatial) == 1 else " output"
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input "
                           f"({describe(spatial)}){joiner} ({describe(output_size)})")
    if 0 in input.shape[1:]:
        raise RuntimeError(f"Non-empty {input.dim()}D data tensor expected but got a tensor "
                           f"with sizes {list(input.shape)}")
    dtype = input.dtype
    nearest = kernel.startswith("Nearest")
    if dtype.is_floating_point or (dtype is ember.uint8 and (nearest or input.dim() == 4)):
        return
    # the torch kernel that refuses the dtype, named in its message
    if kernel in ("Nearest2D", "NearestExact2D", "Bilinear2D"):
        name = f"upsample_{'nearest' if nearest else 'bilinear'}2d_channels_last"
    elif kernel == "Bicubic2D":
        name = "compute_indices_weights_cubic"
    else:
        name = f"compute_indices_weights_{'nearest' if nearest else 'linear'}"
    raise NotImplementedError(f'"{name}" not implemented for \'{dtype._legacy_name}\'')


def _along(tensor, axis, matrix):
    """``matrix`` (out, n) applied along ``axis`` of ``tensor`` (size n there), as one
    matrix product over all the other dimensions (batched products are far slower)."""
    shape = tuple(tensor.shape)
    rest = math.prod(shape[:axis]) * math.prod(shape[axis + 1:])
    if axis == tensor.dim() - 1:
        flat = tensor.reshape(rest, shape[axis]) @ matrix.mT
        return flat.view(*shape[:-1], matrix.shape[0])
    moved = tensor.movedim(axis, 0)
    flat = matrix @ moved.reshape(shape[axis], rest)
    return flat.view(matrix.shape[0], *moved.shape[1:]).movedim(0, axis)


def _gathered_along(tensor, axis, indices, weights):
    """The taps (indices and weights, (taps, out)) read along ``axis``: sum of gathers."""
    shape = [1] * tensor.dim()
    shape[axis] = indices.shape[1]
    result = None
    for index, weight in zip(indices, weights):
        term = tensor.index_select(axis, index) * weight.view(shape)
        result = term if result is None else result + term
    return result


def _scattered_along(grad, axis, indices, weights, size):
    """The transpose of :func:`_gathered_along` (``size`` input positions along ``axis``)."""
    shape = [1] * grad.dim()
    shape[axis] = indices.shape[1]
    sizes = list(grad.shape)
    sizes[axis] = size
    total = ember.zeros(sizes, dtype=grad.dtype)
    for index, weight in zip(indices, weights):
        total = total.index_add(axis, index, grad * weight.view(shape))
    return total


# past this many input positions a dense interpolation matrix does more work than its taps
_DENSE_LIMIT = 256


def _interpolation_step(size, out, mode, align_corners, scale, antialias, dtype):
    """One dimension's resampling as (forward, backward) functions of (tensor, axis)."""
    if size <= _DENSE_LIMIT:
        matrix = interpolation_matrix(size, out, mode, align_corners, scale, antialias, dtype)
        return (lambda tensor, axis: _along(tensor, axis, matrix),
                lambda grad, axis: _along(grad, axis, matrix.mT))
    indices, weights = interpolation_taps(size, out, mode, align_corners, scale, antialias,
                                          dtype)
    return (lambda tensor, axis: _gathered_along(tensor, axis, indices, weights),
            lambda grad, axis: _scattered_along(grad, axis, indices, weights, size))


def _resampled_nearest(input, output_size, scales, kernel):
    exact = kernel.startswith("NearestExact")
    # torch's 2-d kernel takes its own index rule for small outputs (as measured)
    small_2d = input.dim() == 4 and sum(output_size) <= 128
    plan = [(axis, nearest_indices(input.shape[axis], out, scale, exact, input.dtype, small_2d))
            for axis, out, scale in zip(range(2, input.dim()), output_size, scales)]
    with ember.no_grad():
        result = input
        for axis, indices in plan:
            result = result.index_select(axis, indices)
    shape = tuple(input.shape)

    def formula(grad):
        for axis, indices in plan:
            sizes = list(grad.shape)
            sizes[axis] = shape[axis]
            grad = ember.zeros(sizes, dtype=grad.dtype).index_add(axis, indices, grad)
        return grad
    return _recorded(f"Upsample{kernel}Backward0", result, (input,), (formula,), None)


def _resampled_linear(input, output_size, scales, kernel, align_corners, antialias):
    mode = {"Bicubic2D": "bicubic", "Lanczos2D": "lanczos"}.get(kernel, "linear")
    dtype = input.dtype
    if dtype is ember.uint8:
        return resample_uint8(input, output_size, scales, mode, align_corners, antialias)
    compute = ember.float32 if dtype in (ember.float16, ember.bfloat16) else dtype
    # torch's separable kernels leave a dimension of unchanged size as it is, except bicubic
    skip_same = mode == "linear" or antialias
    plan = [(axis, *_interpolation_step(input.shape[axis], out, mode, align_corners, scale,
                                        antialias, compute))
            for axis, out, scale in zip(range(2, input.dim()), output_size, scales)
            if not (skip_same and out == input.shape[axis])]
    with ember.no_grad():
        result = input.to(compute)
        for axis, forward, _ in reversed(plan):
            result = forward(result, axis)
        result = result.to(dtype).contiguous()
        if not plan:  # every dimension keeps its size: still a new tensor
            result = result.clone()

    def formula(grad):
        grad = grad.to(compute)
        for axis, _, backward in plan:
            grad = backward(grad, axis)
        return grad.to(dtype)
    name = f"Upsample{kernel}{'Aa' if antialias else ''}Backward0"
    return _recorded(name, result, (input,), (formula,), None)


def _area(input, output_size):
    # area interpolation is adaptive average pooling, imported when used so that the two
    # functional families load in any order
    from ember.nn._functional import pooling

    pool = getattr(pooling, f"adaptive_avg_pool{input.dim() - 2}d")
    return pool(input, output_size if input.dim() > 3 else output_size[0])


def interpolate(input, size=None, scale_factor=None, mode: str = "nearest",
                align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
                antialias: bool = False):
    """Resize the spatial dimensions of ``(N, C, *spatial)`` to ``size`` or by
    ``scale_factor``.

    Args:
        size: output spatial size (one int or one per dimension)
        scale_factor: multiplier of the spatial size (one or one per dimension)
        mode: ``'nearest'``, ``'nearest-exact'``, ``'linear'`` (3-D), ``'bilinear'``,
            ``'bicubic'``, ``'lanczos'`` (4-D, antialias only), ``'trilinear'`` (5-D) or
            ``'area'``
        align_corners: for the linear and cubic modes, map the corner pixels' centres onto
            each other instead of the corners' edges
        recompute_scale_factor: compute the positions from the output size rather than
            from ``scale_factor``
        antialias: low-pass filter when shrinking (bilinear, bicubic and lanczos)

    Example::

        >>> ember.nn.functional.interpolate(ember.ones(1, 1, 2, 2), scale_factor=2).shape
        torch.Size([1, 1, 4, 4])
    """
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating "
                             "modes: linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    dims = input.dim() - 2
    output_size, scales = _output_size_and_scales(input, size, scale_factor, dims)
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if (recompute_scale_factor or mode == "area") and output_size is None:
        output_size = [int(input.shape[2 + i] * scales[i]) for i in range(dims)]
        scales = None
    if antialias and not (mode in ("bilinear", "bicubic", "lanczos") and input.dim() == 4):
        raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos "
                         "modes and requires a 4-D tensor as input")
    if mode == "area" and input.dim() in (3, 4, 5):
        return _area(input, output_size)
    if mode == "lanczos" and input.dim() == 4:
        if align_corners:
            raise ValueError("Lanczos mode does not support align_corners=True")
        if not antialias:
            raise ValueError("Lanczos mode requires antialias=True")
    kernel = _KERNELS.get((input.dim(), mode))
    if kernel is None:
        raise _unsupported_dimensions(input, mode)
    if output_size is None:  # as torch: the product truncated, the scale kept for positions
        output_size = [int(input.shape[2 + i] * scales[i]) for i in range(dims)]
    scales = [None] * dims if scales is None else [float(s) for s in scales]
    _check_sizes(input, output_size, kernel)
    if kernel.startswith("Nearest"):
        return _resampled_nearest(input, output_size, scales, kernel)
    return _resampled_linear(input, output_size, scales, kernel, align_corners, antialias)


def _deprecated(name):
    warnings.warn(f"`nn.functional.{name}` is deprecated. Use `nn.functional.interpolate` "
                  f"instead.", stacklevel=3)


def upsample(input, size=None, scale_factor=None, mode: str = "nearest",
             align_corners: bool | None = None):
    """Deprecated: :func:`interpolate`."""
    _deprecated("upsample")
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """Deprecated: ``interpolate(..., mode='nearest')``."""
    _deprecated("upsample_nearest")
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """Deprecated: ``interpolate(..., mode='bilinear', align_corners=True)``."""
    _deprecated("upsample_bilinear")
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# ---------------------------------------------------------------- grid_sample

_ALIGN_WARNING = ("Default grid_sample and affine_grid behavior has changed to "
                  "align_corners=False since 1.3.0. Please specify align_corners=True if the "
                  "old behavior is desired. See the documentation of grid_sample for details.")


def _check_grid_sampler(input, grid, mode):
    if input.dtype != grid.dtype:
        raise RuntimeError(f"expected scalar type {input.dtype._legacy_name} but found "
                           f"{grid.dtype._legacy_name}")
    if input.shape[0] != grid.shape[0]:
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same batch size, "
                           f"but got input with sizes {list(input.shape)} and grid with sizes "
                           f"{list(grid.shape)}")
    if grid.shape[-1] != input.dim() - 2:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {input.dim() - 2} in "
                           f"last dimension, but got grid with sizes {list(grid.shape)}")
    for dim in range(2, input.dim()):
        if input.shape[dim] == 0:
            raise RuntimeError(f"grid_sampler(): expected input to have non-empty spatial "
                               f"dimensions, but input has sizes {list(input.shape)} with "
                               f"dimension {dim} being empty")
    dims = 2 if input.dim() == 4 else 3
    if input.dim() != dims + 2 or grid.dim() != input.dim():
        raise RuntimeError(f"grid_sampler(): expected {dims + 2}D input and grid with same "
                           f"number of dimensions, but got input with sizes "
                           f"{list(input.shape)} and grid with sizes {list(grid.shape)}")
    if mode == "bicubic" and dims == 3:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    if not input.dtype.is_floating_point:
        kernel = "grid_sampler_2d_cpu_kernel_impl" if dims == 2 else "grid_sampler_3d_cpu"
        raise NotImplementedError(f'"{kernel}" not implemented for '
                                  f"'{input.dtype._legacy_name}'")


def _clipped(coordinate, size):
    """Clamp to [0, size - 1]; the derivative is 0 at and past the ends (torch's rule)."""
    inside = (coordinate > 0) & (coordinate < size - 1)
    return coordinate.clamp(0, size - 1), inside.to(coordinate.dtype)


def _reflected(coordinate, low, high):
    """Reflect into [low / 2, high / 2] (bounds given doubled) and the derivative's sign."""
    if low == high:
        return ember.zeros_like(coordinate), ember.zeros_like(coordinate)
    start, span = low / 2, (high - low) / 2
    shifted = coordinate - start
    sign = ember.where(shifted < 0, -1.0, 1.0).to(coordinate.dtype)
    shifted = shifted.abs()
    extra = shifted.fmod(span)
    even = (shifted / span).floor().remainder(2) == 0
    reflected = ember.where(even, extra + start, span - extra + start)
    return reflected, ember.where(even, sign, -sign)


def _padded(coordinate, size, padding_mode, align_corners):
    """The coordinate moved inside by the padding mode, and its derivative."""
    if padding_mode == "border":
        return _clipped(coordinate, size)
    if padding_mode == "reflection":
        if align_corners:
            reflected, sign = _reflected(coordinate, 0, 2 * (size - 1))
        else:
            reflected, sign = _reflected(coordinate, -1, 2 * size - 1)
        clipped, inside = _clipped(reflected, size)
        return clipped, sign * inside
    return coordinate, ember.ones_like(coordinate)


_WEIGHTS = {
    "bilinear": (lambda t: [1 - t, t],
                 lambda t: [-ember.ones_like(t), ember.ones_like(t)]),
    "bicubic": (cubic_weights, cubic_slopes),
}


class _GridPlan:
    """Where each output point of grid_sample reads: per input spatial axis (D, H, W order)
    the tap indices, their in-bounds masks, the fraction ``t`` past the first tap and the
    derivative of the source coordinate by the grid value. Taps of all axes combine into
    one flat list of (N, taps, P) so that a single gather reads them all."""

    def __init__(self, input, grid, mode, padding_mode, align_corners):
        batch, dims = input.shape[0], input.dim() - 2
        self.mode, self.sizes = mode, tuple(input.shape[2:])
        self.points = grid.reshape(batch, math.prod(grid.shape[1:-1]), dims)
        self.fractions, self.derivatives, taps, masks = [], [], [], []
        for axis, size in enumerate(self.sizes):
            component = self.points[..., dims - 1 - axis]
            if align_corners:
                scale = (size - 1) / 2
                coordinate = (component + 1) / 2 * (size - 1)
            else:
                scale = size / 2
                # (x + 1) * size - 1 rounded once, as torch's fused multiply-add does: exact
                # in float64 for float32 grids
                shifted = (component + 1).double()
                coordinate = (shifted * size - 1).to(grid.dtype) / 2
            if mode != "bicubic":
                coordinate, derivative = _padded(coordinate, size, padding_mode, align_corners)
            else:
                derivative = ember.ones_like(coordinate)
            self.derivatives.append(derivative * scale)
            if mode == "nearest":
                positions = [coordinate.round()]
            else:
                first = coordinate.floor()
                self.fractions.append(coordinate - first)
                offsets = (0, 1) if mode == "bilinear" else (-1, 0, 1, 2)
                positions = [first + offset for offset in offsets]
            if mode == "bicubic":
                positions = [_padded(p, size, padding_mode, align_corners)[0]
                             for p in positions]
            taps.append([p.clamp(0, size - 1).long() for p in positions])
            masks.append([((p >= 0) & (p <= size - 1)).to(input.dtype) for p in positions])
        self.index = self._outer([ember.stack(t, 1) for t in taps], self.sizes)
        # rows of the input seen as (N * spatial, C): each point's taps in its own image
        first_rows = ember.arange(batch).mul_(math.prod(self.sizes)).view(batch, 1, 1)
        self.rows = (self.index + first_rows).reshape(-1)
        self.mask = self._outer([ember.stack(m, 1) for m in masks])

    @staticmethod
    def _outer(per_axis, sizes=None):
        """Every combination of the axes' taps, (N, taps, P) each to (N, all taps, P): the
        products of their weights, or with ``sizes`` the flat index of their positions."""
        result = per_axis[0]
        for axis, tensor in enumerate(per_axis[1:], 1):
            outer, inner = result[:, :, None], tensor[:, None]
            combined = outer * sizes[axis] + inner if sizes else outer * inner
            result = combined.flatten(1, 2)
        return result

    def weights(self, grid, derivative_axis=None):
        """The taps' weights (N, taps, P), differentiable in ``grid``; with
        ``derivative_axis``, their derivative by that axis' fraction instead."""
        if self.mode == "nearest":
            return self.mask
        weight, slope = _WEIGHTS[self.mode]
        points = grid.reshape(self.points.shape)
        per_axis = []
        for axis, fraction in enumerate(self.fractions):
            component = points[..., len(self.sizes) - 1 - axis]
            # the fraction's value, with the grid's derivative (constant pieces of the map)
            t = fraction + self.derivatives[axis] * (component - component.detach())
            function = slope if axis == derivative_axis else weight
            per_axis.append(ember.stack(function(t), 1))
        return self._outer(per_axis) * self.mask

    def gathered(self, input):
        """The input values at every tap, channels last: (N, taps, P, C)."""
        batch, channels = input.shape[:2]
        spatial = math.prod(self.sizes)
        rows = input.reshape(batch, channels, spatial).transpose(1, 2)
        rows = rows.reshape(batch * spatial, channels)
        return rows.index_select(0, self.rows).view(*self.index.shape, channels)

    def scattered(self, values, input_shape):
        """The transpose of :meth:`gathered`: (N, taps, P, C) summed into the input."""
        batch, channels = input_shape[:2]
        spatial = math.prod(self.sizes)
        total = ember.zeros(batch * spatial, channels, dtype=values.dtype)
        total = total.index_add(0, self.rows, values.reshape(self.rows.shape[0], channels))
        return total.view(batch, spatial, channels).transpose(1, 2).reshape(input_shape)


def _grid_sampled(input, grid, mode, padding_mode, align_corners):
    batch, channels = input.shape[:2]
    with ember.no_grad():
        plan = _GridPlan(input, grid, mode, padding_mode, align_corners)
        result = (plan.gathered(input) * plan.weights(grid)[..., None]).sum(1)
        result = result.transpose(1, 2).reshape(batch, channels, *grid.shape[1:-1])
    input_shape = tuple(input.shape)

    def channels_last(grad):  # (N, C, *out) to (N, 1, P, C), against the taps
        return grad.reshape(batch, channels, plan.points.shape[1]).transpose(1, 2)[:, None]

    def input_formula(grad, grid):
        values = channels_last(grad) * plan.weights(grid)[..., None]
        return plan.scattered(values, input_shape)

    def grid_formula(grad, input, grid):
        if mode == "nearest":
            return ember.zeros_like(grid)
        products = (channels_last(grad) * plan.gathered(input)).sum(-1)
        dims = len(plan.sizes)
        slopes = [(products * plan.weights(grid, axis)).sum(1) * plan.derivatives[axis]
                  for axis in range(dims)]
        return ember.stack(slopes[::-1], -1).view(grid.shape)
    name = f"GridSampler{input.dim() - 2}DBackward0"
    return _recorded(name, result, (input, grid), (input_formula, grid_formula),
                     {"input": input, "grid": grid})


def grid_sample(input, grid, mode: str = "bilinear", padding_mode: str = "zeros",
                align_corners: bool | None = None):
    """Sample ``input`` (N, C, H, W) or (N, C, D, H, W) at the normalized positions of
    ``grid`` (N, H_out, W_out, 2) or (N, D_out, H_out, W_out, 3), in [-1, 1] from the
    left/top edge to the right/bottom one (their pixel centres with ``align_corners``).

    Args:
        mode: ``'bilinear'``, ``'nearest'`` or ``'bicubic'`` (4-D only)
        padding_mode: the values outside: ``'zeros'``, ``'border'`` or ``'reflection'``
    """
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', "
                         f"'nearest' or 'bicubic', but got: '{mode}'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', "
                         f"'border', or 'reflection', but got: '{padding_mode}'")
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    _check_grid_sampler(input, grid, mode)
    return _grid_sampled(input, grid, mode, padding_mode, align_corners)


def _base_grid(spatial, align_corners, dtype):
    """The normalized coordinates of every output point with a trailing 1: (P, dims + 1),
    columns x, y(, z), 1."""
    axes = []
    for steps in spatial:
        if steps <= 1:
            axes.append(ember.zeros(max(steps, 1), dtype=dtype))
            continue
        line = ember.linspace(-1, 1, steps, dtype=dtype)
        axes.append(line if align_corners else line * (steps - 1) / steps)
    mesh = ember.meshgrid(*axes, indexing="ij")
    columns = [m.reshape(-1) for m in mesh[::-1]]
    return ember.stack([*columns, ember.ones_like(columns[0])], 1)


def affine_grid(theta, size, align_corners: bool | None = None):
    """The sampling grid of a batch of affine maps ``theta`` (N, 2, 3) or (N, 3, 4) for an
    output of ``size`` (N, C, H, W) or (N, C, D, H, W), to give to :func:`grid_sample`."""
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    if len(size) not in (4, 5):
        raise NotImplementedError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D "
                                  f"affine transforms, respectively. Got size {size}.")
    dims = len(size) - 2
    if theta.dim() != 3 or tuple(theta.shape[-2:]) != (dims, dims + 1):
        raise ValueError(f"Expected a batch of {dims}D affine matrices of shape "
                         f"Nx{dims}x{dims + 1} for size {size}. Got {theta.shape}.")
    spatial = list(size[2:])
    if align_corners and min(spatial) == 1:
        warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size "
                      "grids when align_corners=True. This is not an intended use case of "
                      "affine_grid. See the documentation of affine_grid for details.",
                      stacklevel=2)
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    if theta.shape[0] != size[0]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{size[0]}, {dims + 1}] but got: [{theta.shape[0]}, "
                           f"{dims + 1}].")
    base = _base_grid(spatial, align_corners, theta.dtype)
    with ember.no_grad():
        grid = (base @ theta.mT).view(size[0], *spatial, dims)

    def formula(grad):
        return grad.reshape(size[0], base.shape[0], dims).mT @ base
    return _recorded("AffineGridGeneratorBackward0", grid, (theta,), (formula,), None)

