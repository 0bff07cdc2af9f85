"""Convolution as an op: conv1d/2d/3d and conv_transpose1d/2d/3d over im2col and BLAS.

Note [Convolution as three kernels]
A convolution is bilinear in its input and weight, and so are its two gradients; all three
are one generic N-d kernel each (d spatial dims), over backend arrays:
- ``_forward``: im2col as a strided view of the zero-padded input, copied once into the
  matrices ``(groups, C/g * prod(K), prod(P) * N)``, then one matrix product per group with
  the weight; one more pass writes the output contiguous (N, O, *P) and adds the bias.
- ``_input_gradient`` (the transposed convolution): the weight's transpose times the
  gradient gives every kernel position's block, which is added back where im2col took it
  from (a loop of prod(K) strided slice additions instead of a scatter).
- ``_weight_gradient``: the im2col matrices times the gradient, one product per group
  contracting over positions and batch together.
Inside the kernels the channels come first and the batch either last, (C, *S, N), or
right after them, (C, N, *S). Batch-last makes the strided windows of im2col and of the
additions run over whole rows of N values (a 3x3 kernel over a 14x14 image and a batch of
32 copies runs of 448 values, not of 14: about three times faster), but the output and the
gradient must then be transposed element by element; ``_batch_inner`` picks it when the
taps per output channel (the im2col copy) outnumber the output channels (the transposes).
Each kernel is recorded with formulas that call the other two at the ember level, so
gradients of any order exist. conv_transpose is ``_input_gradient`` run forward."""

from __future__ import annotations

import itertools
import math
import threading
import warnings

from ember import _dtype
from ember.backends import cpu as _cpu
from ember.ops._autograd import needs_grad, record_op
from ember.ops._common import Tensor, compute_dtype, finish

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d", "convolution"]

# --- kernels over backend arrays (see Note [Convolution as three kernels]) -----------------

# Note [Convolution workspace]
# The kernels' big temporaries (padded input, im2col matrices, products before their
# transpose) live in per-thread buffers reused from call to call: a fresh array of a few MB
# costs a page fault per 4 KB on its first write, which was as slow as the arithmetic.
# A kernel takes each buffer by its role and is done with it before returning; results are
# always fresh arrays. Temporaries past _WORKSPACE_LIMIT elements are not kept.
_workspace = threading.local()
_WORKSPACE_LIMIT = 1 << 22


def _scratch(role, shape, dtype):
    """A temporary array of ``shape`` for ``role`` (see Note [Convolution workspace])."""
    size = math.prod(shape)
    if size > _WORKSPACE_LIMIT:
        return _cpu.empty(shape, dtype)
    key = (role, dtype)
    buffers = _workspace.__dict__
    buffer = buffers.get(key)
    if buffer is None or buffer.size < size:
        buffer = buffers[key] = _cpu.empty(size, dtype)
    return buffer[:size].reshape(shape)


def _padded_size(size, pads):
    return tuple(n + low + high for n, (low, high) in zip(size, pads))


def _interior(size, pads):
    """The slices of a padded array's spatial dims that hold the unpadded values."""
    return tuple(slice(low, low + n) for n, (low, _) in zip(size, pads))


def _batch_inner(taps, outputs):
    """Whether the kernels work in layout (C, *S, N) rather than (C, N, *S) (see Note
    [Convolution as three kernels]): when there are more taps per output channel than output
    channels, im2col's copies outweigh the transposes of the output and gradient that the
    batch-last layout costs."""
    return taps > outputs


def _working_axes(ndim, inner):
    """The axes of (N, C, *S) in the working layout: (C, *S, N) or (C, N, *S)."""
    return (*range(1, ndim), 0) if inner else (1, 0, *range(2, ndim))


def _working(data, pads, inner):
    """``data`` (N, C, *S) in the working layout, zeros in ``pads`` ((low, high) per
    spatial dim) around its spatial dims, in the workspace."""
    size = data.shape[2:]
    padded = _padded_size(size, pads)
    shape = (data.shape[1], *padded, data.shape[0]) if inner else (*data.shape[1::-1], *padded)
    result = _scratch("padded", shape, data.dtype)
    if padded != tuple(size):
        result.fill(0)
    lead = (slice(None),) * (1 if inner else 2)
    _cpu.copyto(result[lead + _interior(size, pads)],
                data.transpose(_working_axes(data.ndim, inner)))
    return result


def _windows(array, first, geometry, kernel, out):
    """The strided view of ``array`` whose spatial dims (from axis ``first`` on) become
    ``(*kernel, *out)``: the value each kernel tap meets at each output position."""
    stride, _, dilation, _ = geometry
    spatial = len(kernel)
    strides = array.strides[first:first + spatial]
    shape = array.shape[:first] + tuple(kernel) + tuple(out) + array.shape[first + spatial:]
    strides = (array.strides[:first] + tuple(s * d for s, d in zip(strides, dilation))
               + tuple(s * step for s, step in zip(strides, stride))
               + array.strides[first + spatial:])
    return _cpu.as_strided(array, shape, strides, writeable=False)


def _columns(data, geometry, kernel, out, inner):
    """The im2col matrices ``(groups, C/groups * prod(kernel), N * prod(out))`` of ``data``
    (N, C, *S), columns in the working layout's order, in the workspace."""
    groups = geometry[3]
    view = _windows(_working(data, geometry[1], inner), 1 if inner else 2, geometry, kernel,
                    out)
    if not inner:  # (C, N, *K, *P) -> (C, *K, N, *P)
        spatial = len(kernel)
        view = view.transpose(0, *range(2, 2 + spatial), 1, *range(2 + spatial, view.ndim))
    result = _scratch("columns", view.shape, data.dtype)
    _cpu.copyto(result, view)
    taps = data.shape[1] // groups * math.prod(kernel)
    return result.reshape(groups, taps, math.prod(out) * data.shape[0])


def _rows(grad, groups, inner):
    """``grad`` (N, O, *P) as the matrices (groups, O/groups, N * prod(P)), columns in the
    working layout's order, in the workspace."""
    view = grad.transpose(_working_axes(grad.ndim, inner))
    result = _scratch("rows", view.shape, grad.dtype)
    _cpu.copyto(result, view)
    return result.reshape(groups, grad.shape[1] // groups,
                          math.prod(grad.shape[2:]) * grad.shape[0])


def _batch_first(data, bias, batch, channels, spatial, inner):
    """``data`` (channels, *spatial, batch) or (channels, batch, *spatial) as a fresh
    (batch, channels, *spatial) array, plus ``bias`` (channels, or None), in one pass."""
    result = _cpu.empty((batch, channels, *spatial), data.dtype)
    ndim = len(spatial) + 2
    if inner:
        data = data.reshape(channels, *spatial, batch).transpose(ndim - 1, *range(ndim - 1))
    else:
        data = data.reshape(channels, batch, *spatial).transpose(1, 0, *range(2, ndim))
    if bias is None:
        _cpu.copyto(result, data)
    else:
        _cpu.add(data, bias.reshape((-1,) + (1,) * len(spatial)), out=result)
    return result


def _forward(data, weight, bias, geometry, out):
    """The convolution of ``data`` (N, C, *S) with ``weight`` (O, C/g, *K), plus ``bias``
    (O, or None), at output size ``out``: (N, O, *out), contiguous."""
    groups = geometry[3]
    out_channels, per_group, *kernel = weight.shape
    taps = per_group * math.prod(kernel)
    inner = _batch_inner(taps, out_channels // groups)
    columns = _columns(data, geometry, kernel, out, inner)
    matrices = weight.reshape(groups, out_channels // groups, taps)
    product = _scratch("product", (groups, out_channels // groups, columns.shape[2]),
                       columns.dtype)
    _cpu.matmul(matrices, columns, out=product)
    return _batch_first(product, bias, data.shape[0], out_channels, out, inner)


def _input_gradient(grad, weight, bias, geometry, size):
    """The transposed convolution: the gradient of ``_forward`` with respect to its input of
    spatial ``size``, given ``grad`` (N, O, *P); plus ``bias`` (C, or None)."""
    pads, groups = geometry[1], geometry[3]
    batch, out_channels, *out = grad.shape
    _, per_group, *kernel = weight.shape
    positions = math.prod(kernel)
    inner = _batch_inner(per_group * positions, out_channels // groups)
    # rows ordered (kernel position, channel): each position's block is one slab
    matrices = weight.reshape(groups, out_channels // groups, per_group, positions)
    matrices = matrices.transpose(0, 3, 2, 1).reshape(groups, positions * per_group,
                                                      out_channels // groups)
    rows = _rows(grad, groups, inner)
    columns = _scratch("columns", (groups, positions * per_group, rows.shape[2]), rows.dtype)
    _cpu.matmul(matrices, rows, out=columns)
    padded = _padded_size(size, pads)
    if inner:
        columns = columns.reshape(groups, positions, per_group, *out, batch)
        target = _scratch("padded", (groups, per_group, *padded, batch), rows.dtype)
    else:
        columns = columns.reshape(groups, positions, per_group, batch, *out)
        target = _scratch("padded", (groups, per_group, batch, *padded), rows.dtype)
    target.fill(0)
    first = 2 if inner else 3
    _add_blocks(target, first, (columns[:, p] for p in range(positions)), geometry, kernel,
                out)
    target = target.reshape(groups * per_group, *target.shape[2:])
    target = target[(slice(None),) * (first - 1) + _interior(size, pads)]
    return _batch_first(target, bias, batch, groups * per_group, size, inner)


def _add_blocks(target, first, blocks, geometry, kernel, out):
    """Add each kernel position's block of ``blocks`` back into ``target``, whose spatial
    dims (from axis ``first`` on) are padded, where im2col took it from."""
    stride, _, dilation, _ = geometry
    lead = (slice(None),) * first
    for offsets, block in zip(itertools.product(*map(range, kernel)), blocks):
        window = tuple(slice(k * d, k * d + s * (n - 1) + 1, s)
                       for k, d, s, n in zip(offsets, dilation, stride, out))
        target[lead + window] += block


def _weight_gradient(data, grad, geometry, kernel):
    """The gradient of ``_forward`` with respect to its weight of spatial ``kernel``, given
    its input ``data`` (N, C, *S) and ``grad`` (N, O, *P)."""
    groups = geometry[3]
    out_channels, out = grad.shape[1], grad.shape[2:]
    per_group = data.shape[1] // groups
    inner = _batch_inner(per_group * math.prod(kernel), out_channels // groups)
    columns = _columns(data, geometry, kernel, out, inner)
    # BLAS is faster at columns @ grad.T than at grad @ columns.T
    result = _cpu.matmul(columns, _rows(grad, groups, inner).transpose(0, 2, 1))
    return _cpu.ascontiguousarray(result.transpose(0, 2, 1)).reshape(out_channels, per_group,
                                                                     *kernel)


# --- the recorded ops ---------------------------------------------------------------------


def _compute(tensor):
    """``tensor``'s values in the dtype its kernel computes in (half types in float32)."""
    dtype = compute_dtype(tensor._dtype)
    return tensor._data if dtype is tensor._dtype else tensor._data.astype(dtype._np)


def _bias_data(bias, dtype):
    """``bias``'s values in the kernel's ``dtype`` (a transposed convolution takes a bias of
    another dtype)."""
    return None if bias is None else bias._data.astype(dtype, copy=False)


def _bias_gradient(grad):
    return grad.sum([0, *range(2, grad.dim())])


def _convolve(input, weight, bias, geometry, out):
    """The convolution (N, C, *S) x (O, C/g, *K) -> (N, O, *out), recorded."""
    data = _compute(input)
    data = _forward(data, _compute(weight), _bias_data(bias, data.dtype), geometry, out)
    result = finish(data, input._dtype, input._device)
    if needs_grad(input, weight, bias):
        size, kernel = input._data.shape[2:], weight._data.shape[2:]
        formulas = (
            lambda grad, weight: _transposed(grad, weight, None, geometry, size),
            lambda grad, input: _weight_grad(input, grad, geometry, kernel),
            _bias_gradient,
        )
        record_op("ConvolutionBackward0", formulas, (input, weight, bias), (result,),
                  {"input": input, "weight": weight})
    return result


def _transposed(input, weight, bias, geometry, size):
    """The transposed convolution (N, O, *P) x (O, C/g, *K) -> (N, C, *size), recorded."""
    data = _compute(input)
    data = _input_gradient(data, _compute(weight), _bias_data(bias, data.dtype), geometry,
                           size)
    result = finish(data, input._dtype, input._device)
    if needs_grad(input, weight, bias):
        out, kernel = input._data.shape[2:], weight._data.shape[2:]
        formulas = (
            lambda grad, weight: _convolve(grad, weight, None, geometry, out),
            lambda grad, input: _weight_grad(grad, input, geometry, kernel),
            _bias_gradient,
        )
        record_op("ConvolutionBackward0", formulas, (input, weight, bias), (result,),
                  {"input": input, "weight": weight})
    return result


def _weight_grad(input, grad_output, geometry, kernel):
    """The weight gradient of the convolution of ``input`` that gave ``grad_output``'s
    shape, recorded (it appears in a graph only under double backward)."""
    data = _weight_gradient(_compute(input), _compute(grad_output), geometry, kernel)
    result = finish(data, input._dtype, input._device)
    if needs_grad(input, grad_output):
        size, out = input._data.shape[2:], grad_output._data.shape[2:]
        formulas = (
            lambda grad, grad_output: _transposed(grad_output, grad, None, geometry, size),
            lambda grad, input: _convolve(input, grad, None, geometry, out),
        )
        record_op("ConvolutionBackwardBackward0", formulas, (input, grad_output), (result,),
                  {"input": input, "grad_output": grad_output})
    return result


def _padded(data, first, pads):
    """A fresh ``data`` with ``pads`` zeros around its spatial dims (from axis ``first``)."""
    size = data.shape[first:first + len(pads)]
    result = _cpu.zeros(data.shape[:first] + _padded_size(size, pads), data.dtype)
    result[(slice(None),) * first + _interior(size, pads)] = data
    return result


def im2col(input, geometry, kernel, out):
    """The sliding blocks of ``input`` (N, C, *S) or (C, *S) as columns
    (N, C * prod(kernel), prod(out)), recorded (F.unfold's kernel; ``geometry`` is
    (stride, pads, dilation, 1))."""
    first = input._data.ndim - len(kernel)
    size = input._data.shape[first:]
    view = _windows(_padded(input._data, first, geometry[1]), first, geometry, kernel, out)
    columns = _cpu.empty(view.shape, view.dtype)
    _cpu.copyto(columns, view)
    shape = (*input._data.shape[:first - 1], input._data.shape[first - 1] * math.prod(kernel),
             math.prod(out))
    result = finish(columns.reshape(shape), input._dtype, input._device)
    if needs_grad(input):
        record_op("Im2ColBackward0", (lambda grad: col2im(grad, geometry, kernel, size, out),),
                  (input,), (result,))
    return result


def col2im(input, geometry, kernel, size, out):
    """Columns (N, C * prod(kernel), prod(out)) or (C * prod(kernel), prod(out)) summed back
    into (N, C, *size) or (C, *size) where :func:`im2col` took them from, recorded (F.fold's
    kernel)."""
    pads = geometry[1]
    *lead, rows = input._data.shape[:-1]
    channels = rows // math.prod(kernel)
    columns = input._data.reshape(*lead, channels, math.prod(kernel), *out)
    first = len(lead) + 1
    target = _cpu.zeros((*lead, channels) + _padded_size(size, pads), columns.dtype)
    blocks = (columns[(slice(None),) * first + (p,)] for p in range(columns.shape[first]))
    _add_blocks(target, first, blocks, geometry, kernel, out)
    data = _cpu.ascontiguousarray(target[(slice(None),) * first + _interior(size, pads)])
    result = finish(data, input._dtype, input._device)
    if needs_grad(input):
        record_op("Col2ImBackward0", (lambda grad: im2col(grad, geometry, kernel, out),),
                  (input,), (result,))
    return result


# --- arguments and torch's errors -----------------------------------------------------------


def _int_list(function, name, value, spatial):
    """``value`` (an int or a sequence of ints) as a tuple, an int or a 1-element sequence
    repeated ``spatial`` times, as torch's argument parser does."""
    if isinstance(value, int) and not isinstance(value, bool):
        return (value,) * spatial
    if isinstance(value, tuple | list) and all(
            isinstance(n, int) and not isinstance(n, bool) for n in value):
        return tuple(value) * spatial if len(value) == 1 else tuple(value)
    raise TypeError(f"{function}(): argument '{name}' must be tuple of ints, not "
                    f"{type(value).__name__}")


def _int(function, name, value):
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{function}(): argument '{name}' must be int, not "
                        f"{type(value).__name__}")
    return value


def _check_length(name, values, spatial):
    if len(values) != spatial:
        raise RuntimeError(f"expected {name} to be a single integer value or a list of "
                           f"{spatial} values to match the convolution dimensions, but got "
                           f"{name}={list(values)}")


def _kernel_name(dtype, transposed, spatial, dilation):
    """The CPU kernel torch would run, named in its errors for dtypes it lacks (None when
    it has a loop for ``dtype``)."""
    if transposed:
        name = f"slow_conv_transpose{3 if spatial == 3 else 2}d_out_cpu"
    elif any(d != 1 for d in dilation):
        name = "slow_conv_dilated<>"
    else:
        name = "compute_columns3d" if spatial == 3 else "slow_conv2d_cpu"
    if dtype is _dtype.bool:
        return name
    if (dtype.is_floating_point or dtype.is_complex or dtype is _dtype.int64
            or name in ("slow_conv2d_cpu", "compute_columns3d")):
        return None
    return name


def _tensor_type(dtype):
    return f"torch.{dtype._legacy_name}Tensor"


def _mkldnn_error(input, other, name):
    return RuntimeError(f"Input type ({_tensor_type(input._dtype)}) and {name} type "
                        f"({_tensor_type(other._dtype)}) should be the same or input should be "
                        f"a MKLDNN tensor and {name} is a dense tensor")


def _check_dtypes(input, weight, bias, transposed, spatial, dilation):
    """torch's dtype errors, which depend on the kernel it picks: oneDNN's for float32
    inputs, the slow kernels' otherwise; transposed kernels accept another bias dtype,
    except a float64 bias with float32 input."""
    dtype = input._dtype
    if not transposed and bias is not None and bias._dtype is not dtype:
        raise RuntimeError(f"Input type ({dtype._cpp_name}) and bias type "
                           f"({bias._dtype._cpp_name}) should be the same")
    if weight._dtype is not dtype:
        if dtype is _dtype.float32:
            raise _mkldnn_error(input, weight, "weight")
        raise RuntimeError(f"expected scalar type {dtype._legacy_name} but found "
                           f"{weight._dtype._legacy_name}")
    if transposed and bias is not None and dtype is _dtype.float32 and (
            bias._dtype is _dtype.float64):
        raise _mkldnn_error(input, bias, "bias")
    kernel = _kernel_name(dtype, transposed, spatial, dilation)
    if kernel is not None:
        raise NotImplementedError(f'"{kernel}" not implemented for \'{dtype._legacy_name}\'')


def _check_shapes(input, weight, bias, transposed, groups):
    weight_shape = weight._data.shape
    if weight._data.shape[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} "
                           f"at dimension 0, but got weight of size [{list(weight_shape)}] instead")
    channels = input._data.shape[1]
    if transposed:
        expected, given = weight._data.shape[0], "transposed=1"
        outputs = weight._data.shape[1] * groups
    else:
        expected, given = weight.shape[1] * groups, f"groups={groups}"
        outputs = weight._data.shape[0]
    if channels != expected:
        raise RuntimeError(f"Given {given}, weight of size {list(weight_shape)}, expected "
                           f"input{list(input.shape)} to have {expected} channels, but got "
                           f"{channels} channels instead")
    if bias is not None and (bias._data.ndim != 1 or bias._data.shape[0] != outputs):
        prefix = "Given transposed=1, weight" if transposed else "Given weight"
        raise RuntimeError(f"{prefix} of size {list(weight_shape)}, expected bias to be "
                           f"1-dimensional with {outputs} elements, but got bias of size "
                           f"{list(bias.shape)} instead")


def _sizes_text(sizes, spatial):
    # torch runs 1-d convolutions as 2-d ones over a height of 1, and names that height
    return " x ".join(str(n) for n in ((1,) if spatial == 1 else ()) + tuple(sizes))


def _same_padding(weight, stride, dilation):
    """torch's padding='same': the total padding d*(k-1) split, the odd one out at the end."""
    if any(s != 1 for s in stride):
        raise RuntimeError("padding='same' is not supported for strided convolutions")
    pads = []
    for k, d in zip(weight._data.shape[2:], dilation):
        total = d * (k - 1)
        pads.append((total // 2, total - total // 2))
    if any(low != high for low, high in pads):
        _warn_even_same()
    return tuple(pads)


_WARNED = []


def _warn_even_same():
    """torch warns once per process about the asymmetric padding of 'same'."""
    if not _WARNED:
        _WARNED.append(True)
        warnings.warn("Using padding='same' with even kernel lengths and odd dilation may "
                      "require a zero-padded copy of the input be created", UserWarning,
                      stacklevel=6)


def _output_size(input, weight, pads, stride, dilation, spatial):
    sizes = input._data.shape[2:]
    padded = _padded_size(sizes, pads)
    kernel = [d * (k - 1) + 1 for k, d in zip(weight._data.shape[2:], dilation)]
    if any(k > n for k, n in zip(kernel, padded)):
        raise RuntimeError(f"Calculated padded input size per channel: "
                           f"({' x '.join(map(str, padded))}). Kernel size: "
                           f"({' x '.join(map(str, kernel))}). Kernel size can't be greater "
                           "than actual input size")
    return tuple((n - k) // s + 1 for n, k, s in zip(padded, kernel, stride))


def _transposed_size(input, weight, padding, output_padding, stride, dilation, spatial):
    names = ("depth", "height", "width")[-max(spatial, 2):]
    padded_output = output_padding if spatial > 1 else (0,) + output_padding
    padded_stride = stride if spatial > 1 else (1,) + stride
    padded_dilation = dilation if spatial > 1 else (1,) + dilation
    if any(o >= s and o >= d for o, s, d in zip(output_padding, stride, dilation)):
        parts = [f"output_padding_{n}: {o}" for n, o in zip(names, padded_output)]
        parts += [f"stride_{n}: {s}" for n, s in zip(names, padded_stride)]
        parts += [f"dilation_{n}: {d}" for n, d in zip(names, padded_dilation)]
        raise RuntimeError("output padding must be smaller than either stride or dilation, "
                           f"but got {' '.join(parts)}")
    sizes = tuple((n - 1) * s - 2 * p + d * (k - 1) + o + 1 for n, s, p, d, k, o in zip(
        input._data.shape[2:], stride, padding, dilation, weight._data.shape[2:], output_padding))
    if any(n <= 0 for n in sizes):
        raise RuntimeError(f"Given input size per channel: "
                           f"({_sizes_text(input.shape[2:], spatial)}). Calculated output size "
                           f"per channel: ({_sizes_text(sizes, spatial)}). Output size is too "
                           "small")
    return sizes


def _check_tensor(function, name, value, position):
    if not isinstance(value, Tensor):
        raise TypeError(f"{function}(): argument '{name}' (position {position}) must be "
                        f"Tensor, not {type(value).__name__}")


def _run(function, spatial, input, weight, bias, stride, padding, dilation, groups,
         transposed=False, output_padding=0):
    """Check the arguments as torch does, then run the (transposed) convolution, batching an
    unbatched input."""
    _check_tensor(function, "input", input, 1)
    _check_tensor(function, "weight", weight, 2)
    if bias is not None:
        _check_tensor(function, "bias", bias, 3)
    if input._data.ndim not in (spatial + 1, spatial + 2):
        raise RuntimeError(f"Expected {spatial + 1}D (unbatched) or {spatial + 2}D (batched) "
                           f"input to {function}, but got input of size: {list(input.shape)}")
    if transposed and isinstance(padding, str):
        raise TypeError(f"{function}(): argument 'padding' must be tuple of ints, not str")
    if isinstance(padding, str) and padding not in ("same", "valid"):
        raise RuntimeError(f"Invalid padding string: '{padding}'")
    unbatched = input._data.ndim == spatial + 1
    if unbatched:
        input = input.unsqueeze(0)
    result = _convolution(input, weight, bias, _int_list(function, "stride", stride, spatial),
                          padding if isinstance(padding, str) else
                          _int_list(function, "padding", padding, spatial),
                          _int_list(function, "dilation", dilation, spatial), transposed,
                          _int_list(function, "output_padding", output_padding, spatial),
                          _int(function, "groups", groups))
    return result.squeeze(0) if unbatched else result


def _convolution(input, weight, bias, stride, padding, dilation, transposed, output_padding,
                 groups):
    """torch.convolution over batched input with argument lists already made."""
    spatial = weight._data.ndim - 2
    same = padding == "same"
    if isinstance(padding, str):
        padding = (0,) * spatial
    for name, values in (("stride", stride), ("padding", padding), ("dilation", dilation)):
        _check_length(name, values, spatial)
    if transposed:
        _check_length("output_padding", output_padding, spatial)
    if input._data.ndim != weight._data.ndim:
        raise RuntimeError(f"Expected {weight.dim()}-dimensional input for {weight.dim()}-"
                           f"dimensional weight {list(weight.shape)}, but got {input.dim()}-"
                           f"dimensional input of size {list(input.shape)} instead")
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("non-positive dilation is not supported")
    if transposed and any(o < 0 for o in output_padding):
        raise RuntimeError("negative output_padding is not supported")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    _check_shapes(input, weight, bias, transposed, groups)
    _check_dtypes(input, weight, bias, transposed, spatial, dilation)
    pads = _same_padding(weight, stride, dilation) if same else tuple((p, p) for p in padding)
    geometry = (stride, pads, dilation, groups)
    if transposed:
        size = _transposed_size(input, weight, padding, output_padding, stride, dilation,
                                spatial)
        return _transposed(input, weight, bias, geometry, size)
    out = _output_size(input, weight, pads, stride, dilation, spatial)
    return _convolve(input, weight, bias, geometry, out)


# --- the public functions ---------------------------------------------------------------


def convolution(input, weight, bias, stride, padding, dilation, transposed: bool,
                output_padding, groups: int):
    """The convolution behind every conv* and conv_transpose* function, on a batched input."""
    spatial = weight._data.ndim - 2 if isinstance(weight, Tensor) else 0
    lists = [_int_list("convolution", name, value, spatial) for name, value in
             (("stride", stride), ("padding", padding), ("dilation", dilation),
              ("output_padding", output_padding))]
    return _convolution(input, weight, bias, lists[0], lists[1], lists[2], transposed,
                        lists[3], _int("convolution", "groups", groups))


def _convolution_function(spatial):
    name = f"conv{spatial}d"

    def function(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
        return _run(name, spatial, input, weight, bias, stride, padding, dilation, groups)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = (
        f"The {spatial}-d convolution (cross-correlation) of ``input`` (N, C, *S) or (C, *S) "
        f"with ``weight`` (O, C/groups, *K), plus ``bias`` (O).\n\n"
        "``padding`` is an int, a tuple, 'valid' (none) or 'same' (output size = input "
        "size; stride 1 only).")
    return function


def _transposed_function(spatial):
    name = f"conv_transpose{spatial}d"

    def function(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                 dilation=1):
        return _run(name, spatial, input, weight, bias, stride, padding, dilation, groups,
                    transposed=True, output_padding=output_padding)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = (
        f"The {spatial}-d transposed convolution (the gradient of conv{spatial}d with respect "
        f"to its input) of ``input`` (N, C, *S) or (C, *S) with ``weight`` "
        f"(C, O/groups, *K), plus ``bias`` (O).")
    return function


conv1d = _convolution_function(1)
conv2d = _convolution_function(2)
conv3d = _convolution_function(3)
conv_transpose1d = _transposed_function(1)
conv_transpose2d = _transposed_function(2)
conv_transpose3d = _transposed_function(3)
