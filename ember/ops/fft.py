"""Discrete Fourier transforms (``ember.fft``), computed by NumPy's pocketfft.

Note [Three FFT primitives]
As in PyTorch, every transform is made of three primitives, each a graph node of its own:
``_c2c`` (complex to complex, either direction), ``_r2c`` (real to complex, the forward
direction, one-sided or not) and ``_c2r`` (one-sided complex to real, the backward
direction). Each takes its dims and a normalization mode: "none", "by_root_n" or "by_n" of
the signal size. The backward of each is another of them, so double backward works, and
their formulas take complex gradients as PyTorch's do (see Note [Complex gradients]).
A result is laid out as PyTorch's kernels lay it out: the dims not transformed outermost,
then the transformed ones, each group ordered by the input's strides (the one-sided dim of
r2c and c2r innermost)."""

from __future__ import annotations

from ember import _dtype
from ember.autograd import grad_mode
from ember.backends import cpu as _cpu
from ember.ops._autograd import check_out_allowed, record_op
from ember.ops._common import Tensor, _wrap_dim, finish, write_out
from ember.ops._elementwise import _check_out_dtype

_grad_state = grad_mode.state

_NONE, _BY_ROOT_N, _BY_N = "none", "by_root_n", "by_n"
# NumPy's ``norm=`` that gives each mode, for the forward and the backward direction.
_NUMPY_NORM = {True: {_NONE: "backward", _BY_ROOT_N: "ortho", _BY_N: "forward"},
               False: {_NONE: "forward", _BY_ROOT_N: "ortho", _BY_N: "backward"}}
_COMPLEX_OF = {_dtype.float32: _dtype.complex64, _dtype.float64: _dtype.complex128}


def _norm_mode(norm, forward: bool) -> str:
    if norm is None or norm == "backward":
        return _NONE if forward else _BY_N
    if norm == "forward":
        return _BY_N if forward else _NONE
    if norm == "ortho":
        return _BY_ROOT_N
    raise RuntimeError(f'Invalid normalization mode: "{norm}"')


def _laid_out(data, input, dims, onesided_last=False):
    """``data`` (a transform of ``input`` over ``dims``) in PyTorch's layout: see
    Note [Three FFT primitives]."""
    strides = input._data.strides
    by_stride = lambda group: sorted(group, key=lambda d: -strides[d])  # noqa: E731
    kept = by_stride([d for d in range(data.ndim) if d not in dims])
    transformed = list(dims[:-1]) if onesided_last else list(dims)
    order = kept + by_stride(transformed) + ([dims[-1]] if onesided_last else [])
    if order == list(range(data.ndim)):
        return _cpu.ascontiguousarray(data)
    inverse = [0] * data.ndim
    for position, dim in enumerate(order):
        inverse[dim] = position
    return _cpu.ascontiguousarray(data.transpose(order)).transpose(inverse)


def _record(name, formula, input, result, values):
    if input._requires_grad and _grad_state.enabled:
        record_op(name, (formula,), (input,), (result,), values)
    return result


# --- the three primitives ----------------------------------------------------------------


def _c2c(input, dims, mode, forward):
    """The complex transform of ``input`` over ``dims``."""
    dims = tuple(dims)
    if dims:
        transform = _cpu.fft.fftn if forward else _cpu.fft.ifftn
        data = transform(input._data, axes=dims, norm=_NUMPY_NORM[forward][mode])
    else:
        data = input._data.copy()
    result = finish(_laid_out(data, input, dims), input._dtype, input._device)
    return _record("FftC2CBackward0", _c2c_grad, input, result,
                   {"dims": dims, "mode": mode, "forward": forward})


def _c2c_grad(grad, dims, mode, forward):
    return _c2c(grad, dims, mode, not forward)


def _r2c(input, dims, mode, onesided):
    """The forward transform of real ``input`` over ``dims``, only the non-negative
    frequencies of the last dim if ``onesided``."""
    dims = tuple(dims)
    norm = _NUMPY_NORM[True][mode]
    if onesided:
        data = _cpu.fft.rfftn(input._data, axes=dims, norm=norm)
    else:
        data = _cpu.fft.fftn(input._data, axes=dims, norm=norm)
    dtype = _COMPLEX_OF[input._dtype]
    result = finish(_laid_out(data, input, dims, onesided), dtype, input._device)
    return _record("FftR2CBackward0", _r2c_grad, input, result,
                   {"dims": dims, "mode": mode, "onesided": onesided,
                    "last_size": input.shape[dims[-1]]})


def _r2c_grad(grad, dims, mode, onesided, last_size):
    # a one-sided transform dropped the upper half: its gradient there is zero
    if onesided and grad.shape[dims[-1]] < last_size:
        grad = _resized(grad, dims[-1], last_size)
    return _c2c(grad, dims, mode, False).real


def _c2r(input, dims, mode, last_size):
    """The backward transform of one-sided ``input`` over ``dims`` to a real signal whose
    last dim has ``last_size`` points."""
    dims = tuple(dims)
    sizes = [input.shape[d] for d in dims[:-1]] + [last_size]
    data = _cpu.fft.irfftn(input._data, s=sizes, axes=dims, norm=_NUMPY_NORM[False][mode])
    dtype = input._dtype.to_real()
    result = finish(_laid_out(data, input, dims, True), dtype, input._device)
    return _record("FftC2RBackward0", _c2r_grad, input, result, {"dims": dims, "mode": mode})


def _c2r_grad(grad, dims, mode):
    # the frequencies that stand for two (their mirror images were left out) count twice
    result = _r2c(grad, dims, mode, True)
    last = dims[-1]
    doubled = grad.shape[last] - result.shape[last]
    if doubled <= 0:
        return result
    weights = _cpu.ones(result.shape[last], grad._dtype._np)
    weights[1:1 + doubled] = 2
    shape = [1] * result.ndim
    shape[last] = result.shape[last]
    return result * finish(weights.reshape(shape), grad._dtype, grad._device)


# --- shared argument handling --------------------------------------------------------------


def _resized(input, dim, size):
    """``input`` cut or zero-padded to ``size`` points along ``dim`` (differentiable)."""
    current = input.shape[dim]
    if current == size:
        return input
    if current > size:
        return input.narrow(dim, 0, size)
    from ember.ops.creation import zeros
    from ember.ops.joining import cat

    shape = list(input.shape)
    shape[dim] = size - current
    return cat([input, zeros(shape, dtype=input.dtype, device=input.device)], dim)


def _promoted(input, name, require_complex):
    """``input`` in the dtype the transform computes in, as PyTorch's promote_type_fft."""
    dtype = input._dtype
    if dtype.is_complex:
        return input
    if not dtype.is_floating_point:
        dtype = _dtype.get_default_dtype()
    if dtype not in _COMPLEX_OF:
        raise RuntimeError(f"Unsupported dtype {dtype._legacy_name}")
    if require_complex:
        dtype = _COMPLEX_OF[dtype]
    return input if dtype is input._dtype else input.to(dtype)


def _check_size(n):
    if n < 1:
        raise RuntimeError(f"Invalid number of data points ({n}) specified")


def _check_input(input):
    if not isinstance(input, Tensor):
        raise TypeError(f"argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    if input._data.size == 0:
        raise RuntimeError(f"Invalid number of data points (0) specified for an input of "
                           f"shape {list(input.shape)}")


def _one_dim(input, dim):
    if input._data.ndim == 0:
        raise IndexError("Dimension specified as -1 but tensor has no dimensions")
    return _wrap_dim(dim, input._data.ndim)


def _shape_and_dims(input, s, dim):
    """PyTorch's canonical (sizes, dims) of an n-dim transform."""
    ndim = input._data.ndim
    if isinstance(dim, int):
        dim = (dim,)
    if isinstance(s, int):
        s = (s,)
    dims = None
    if dim is not None:
        dims = [_wrap_dim(d, ndim) for d in dim]
        if len(set(dims)) != len(dims):
            raise RuntimeError("FFT dims must be unique")
    if s is not None:
        if dims is not None and len(dims) != len(s):
            raise RuntimeError("When given, dim and shape arguments must have the same length")
        _check_shape_length(input, s)
        if dims is None:
            dims = list(range(ndim - len(s), ndim))
        sizes = [input.shape[d] if n == -1 else n for n, d in zip(s, dims)]
    elif dims is None:
        dims, sizes = list(range(ndim)), list(input.shape)
    else:
        sizes = [input.shape[d] for d in dims]
    for n in sizes:
        _check_size(n)
    return sizes, dims


def _check_shape_length(input, s):
    if s is not None and len(s) > input._data.ndim:
        raise RuntimeError(f"Got shape with {len(s)} values but input tensor only has "
                           f"{input._data.ndim} dimensions.")


def _resized_all(input, dims, sizes):
    for dim, size in zip(dims, sizes):
        input = _resized(input, dim, size)
    return input


def _finish_out(name, result, out, inputs, real_out=False, keep_layout=False):
    if out is None:
        return result
    check_out_allowed(name, *inputs)
    if real_out and out._dtype.is_complex:
        raise RuntimeError(f"{name} expects a floating point output tensor, but got "
                           f"{out._dtype._legacy_name}")
    if not real_out and not out._dtype.is_complex:
        raise RuntimeError(f"{name} expects a complex output tensor, but got "
                           f"{out._dtype._legacy_name}")
    # PyTorch's transforms fill an out= row-major; its conj_physical_out keeps the layout
    return write_out(out, result if keep_layout else result.contiguous())


def _out_context(out):
    return grad_mode.no_grad() if out is not None else _NoContext()


class _NoContext:
    def __enter__(self):
        return None

    def __exit__(self, *exc_info):
        return False


# --- one-dim transforms ---------------------------------------------------------------------


def _fft_c2c_or_r2c(name, input, n, dim, norm, out, forward):
    _check_input(input)
    if input._dtype.is_complex:
        dim = _one_dim(input, dim)
        size = input.shape[dim] if n is None else n
        _check_size(size)
        mode = _norm_mode(norm, forward)
        with _out_context(out):
            result = _c2c(_resized(input, dim, size), (dim,), mode, forward)
        return _finish_out(name, result, out, (input,))
    return _real_to_complex(name, input, n, dim, norm, out, forward, onesided=False)


def _real_to_complex(name, input, n, dim, norm, out, forward, onesided):
    _check_input(input)
    if input._dtype.is_complex:
        raise RuntimeError(f"{name} expects a real input tensor, but got "
                           f"{input._dtype._legacy_name}")
    promoted = _promoted(input, name, False)
    dim = _one_dim(promoted, dim)
    size = promoted.shape[dim] if n is None else n
    _check_size(size)
    mode = _norm_mode(norm, forward)
    with _out_context(out):
        result = _r2c(_resized(promoted, dim, size), (dim,), mode, onesided)
        if not forward:
            result = result.conj()
    if out is not None and not forward and out._dtype.is_complex:
        _check_out_dtype(out, result._dtype)  # PyTorch's conj_physical_out wants its dtype
    return _finish_out(name, result, out, (input,), keep_layout=not forward)


def _complex_to_real(name, input, n, dim, norm, out, forward):
    _check_input(input)
    if out is not None and out._dtype.is_complex:
        raise RuntimeError(f"{name} expects a floating point output tensor, but got "
                           f"{out._dtype._legacy_name}")
    promoted = _promoted(input, name, True)
    dim = _one_dim(promoted, dim)
    size = 2 * (promoted.shape[dim] - 1) if n is None else n
    _check_size(size)
    mode = _norm_mode(norm, forward)
    with _out_context(out):
        if n is not None:
            promoted = _resized(promoted, dim, size // 2 + 1)
        if forward:
            promoted = promoted.conj()
        result = _c2r(promoted, (dim,), mode, size)
    return _finish_out(name, result, out, (input,), real_out=True)


def fft(input, n=None, dim=-1, norm=None, *, out=None) -> Tensor:
    """The one-dimensional discrete Fourier transform of ``input`` along ``dim``, of ``n``
    points (``input`` cut or zero-padded), normalized by ``norm``: "backward" (the
    default: no scaling), "ortho" (by ``1/sqrt(n)``) or "forward" (by ``1/n``).

    Example::

        >>> ember.fft.fft(ember.tensor([1., 0., 0., 0.]))
        tensor([1.+0.j, 1.+0.j, 1.+0.j, 1.+0.j])
    """
    return _fft_c2c_or_r2c("fft", input, n, dim, norm, out, True)


def ifft(input, n=None, dim=-1, norm=None, *, out=None) -> Tensor:
    """The inverse of :func:`fft`."""
    return _fft_c2c_or_r2c("ifft", input, n, dim, norm, out, False)


def rfft(input, n=None, dim=-1, norm=None, *, out=None) -> Tensor:
    """The transform of a real signal: its non-negative frequencies."""
    return _real_to_complex("rfft", input, n, dim, norm, out, True, onesided=True)


def irfft(input, n=None, dim=-1, norm=None, *, out=None) -> Tensor:
    """The inverse of :func:`rfft`: ``n`` (by default ``2 * (size - 1)``) real points."""
    return _complex_to_real("irfft", input, n, dim, norm, out, False)


def hfft(input, n=None, dim=-1, norm=None, *, out=None) -> Tensor:
    """The transform of a signal whose one-sided half is ``input`` (Hermitian symmetric in
    time): a real result of ``n`` points."""
    return _complex_to_real("hfft", input, n, dim, norm, out, True)


def ihfft(input, n=None, dim=-1, norm=None, *, out=None) -> Tensor:
    """The inverse of :func:`hfft`: the one-sided inverse transform of a real signal."""
    return _real_to_complex("ihfft", input, n, dim, norm, out, False, onesided=True)


# --- n-dim transforms -----------------------------------------------------------------------


def _fftn_c2c(name, input, s, dim, norm, out, forward):
    _check_input(input)
    sizes, dims = _shape_and_dims(input, s, dim)
    promoted = _promoted(input, name, True)
    with _out_context(out):
        result = _c2c(_resized_all(promoted, dims, sizes), dims, _norm_mode(norm, forward),
                      forward)
    return _finish_out(name, result, out, (input,))


def _rfftn(name, input, s, dim, norm, out):
    _check_input(input)
    if input._dtype.is_complex:
        raise RuntimeError(f"rfftn expects a real-valued input tensor, but got "
                           f"{input._dtype._legacy_name}")
    sizes, dims = _shape_and_dims(input, s, dim)
    if not dims:
        raise RuntimeError("rfftn must transform at least one axis")
    promoted = _promoted(input, name, False)
    with _out_context(out):
        result = _r2c(_resized_all(promoted, dims, sizes), dims, _norm_mode(norm, True), True)
    return _finish_out(name, result, out, (input,))


def _c2r_shape_and_dims(name, input, s, dim):
    sizes, dims = _shape_and_dims(input, s, dim)
    if not dims:
        raise RuntimeError(f"{name} must transform at least one axis")
    if s is None or (s if not isinstance(s, int) else (s,))[-1] == -1:
        last_size = 2 * (input.shape[dims[-1]] - 1)
    else:
        last_size = sizes[-1]
    _check_size(last_size)
    sizes[-1] = last_size // 2 + 1
    return sizes, dims, last_size


def _irfftn(name, input, s, dim, norm, out, hermitian):
    _check_input(input)
    if out is not None and out._dtype.is_complex:
        raise RuntimeError(f"{name} expects a floating point output tensor, but got "
                           f"{out._dtype._legacy_name}")
    sizes, dims, last_size = _c2r_shape_and_dims(name, input, s, dim)
    promoted = _promoted(input, name, True)
    mode = _norm_mode(norm, hermitian)
    with _out_context(out):
        x = _resized_all(promoted, dims, sizes)
        if hermitian:
            if len(dims) > 1:
                x = _c2c(x, dims[:-1], mode, True)
            x = x.conj()
            dims = dims[-1:]
        result = _c2r(x, dims, mode, last_size)
    return _finish_out(name, result, out, (input,), real_out=True)


def _ihfftn(name, input, s, dim, norm, out):
    _check_input(input)
    if input._dtype.is_complex:
        raise RuntimeError(f"Only supports floating-point dtypes, but found: "
                           f"{input._dtype._legacy_name}")
    sizes, dims = _shape_and_dims(input, s, dim)
    if not dims:
        raise RuntimeError("ihfftn must transform at least one axis")
    promoted = _promoted(input, name, False)
    mode = _norm_mode(norm, False)
    with _out_context(out):
        x = _r2c(_resized_all(promoted, dims, sizes), dims[-1:], mode, True)
        result = x.conj()
        if len(dims) > 1:
            result = _c2c(result, dims[:-1], mode, False)
    return _finish_out(name, result, out, (input,))


def fftn(input, s=None, dim=None, norm=None, *, out=None) -> Tensor:
    """The n-dimensional transform over ``dim`` (all dims by default), of sizes ``s``."""
    return _fftn_c2c("fftn", input, s, dim, norm, out, True)


def ifftn(input, s=None, dim=None, norm=None, *, out=None) -> Tensor:
    """The inverse of :func:`fftn`."""
    return _fftn_c2c("ifftn", input, s, dim, norm, out, False)


def rfftn(input, s=None, dim=None, norm=None, *, out=None) -> Tensor:
    """The n-dimensional transform of a real signal, one-sided in the last of ``dim``."""
    return _rfftn("rfftn", input, s, dim, norm, out)


def irfftn(input, s=None, dim=None, norm=None, *, out=None) -> Tensor:
    """The inverse of :func:`rfftn`."""
    return _irfftn("irfftn", input, s, dim, norm, out, False)


def hfftn(input, s=None, dim=None, norm=None, *, out=None) -> Tensor:
    """The n-dimensional :func:`hfft`: a real result from a one-sided input."""
    return _irfftn("hfftn", input, s, dim, norm, out, True)


def ihfftn(input, s=None, dim=None, norm=None, *, out=None) -> Tensor:
    """The inverse of :func:`hfftn`."""
    return _ihfftn("ihfftn", input, s, dim, norm, out)


def fft2(input, s=None, dim=(-2, -1), norm=None, *, out=None) -> Tensor:
    """:func:`fftn` over the last two dims."""
    _check_shape_length(input, s)
    return fftn(input, s, dim, norm, out=out)


def ifft2(input, s=None, dim=(-2, -1), norm=None, *, out=None) -> Tensor:
    """:func:`ifftn` over the last two dims."""
    _check_shape_length(input, s)
    return ifftn(input, s, dim, norm, out=out)


def rfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None) -> Tensor:
    """:func:`rfftn` over the last two dims."""
    _check_shape_length(input, s)
    return rfftn(input, s, dim, norm, out=out)


def irfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None) -> Tensor:
    """:func:`irfftn` over the last two dims."""
    _check_shape_length(input, s)
    return irfftn(input, s, dim, norm, out=out)


def hfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None) -> Tensor:
    """:func:`hfftn` over the last two dims."""
    _check_shape_length(input, s)
    return hfftn(input, s, dim, norm, out=out)


def ihfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None) -> Tensor:
    """:func:`ihfftn` over the last two dims."""
    _check_shape_length(input, s)
    return ihfftn(input, s, dim, norm, out=out)


# --- frequencies and shifts -----------------------------------------------------------------


def _frequencies(values, n, d, out, dtype, device, requires_grad, name):
    if out is not None:
        dtype = out._dtype
    elif dtype is None:
        dtype = _dtype.get_default_dtype()
    if not (dtype.is_floating_point or dtype.is_complex):
        raise RuntimeError(f"{name} requires a floating point or complex dtype")
    if dtype.is_complex:
        raise NotImplementedError(f"\"arange_cpu\" not implemented for '{dtype._legacy_name}'")
    compute = dtype._np if dtype not in (_dtype.float16, _dtype.bfloat16) else (
        _cpu.dtype(_cpu.float32))
    # PyTorch multiplies by the reciprocal, rounded to the tensor's dtype
    reciprocal = 1.0 / (n * d) if n * d else float("inf")
    data = values.astype(compute) * compute.type(reciprocal)
    result = finish(data, dtype)
    if device is not None:
        result = result.to(device)
    if out is not None:
        return write_out(out, result)
    if requires_grad:
        result.requires_grad_()
    return result


def fftfreq(n: int, d: float = 1.0, *, out=None, dtype=None, layout=None, device=None,
            requires_grad: bool = False) -> Tensor:
    """The sample frequencies of :func:`fft` on ``n`` points spaced ``d`` apart."""
    values = _cpu.arange(n, dtype=_cpu.int64)
    values[(n + 1) // 2:] = _cpu.arange(-(n // 2), 0)
    return _frequencies(values, n, d, out, dtype, device, requires_grad, "fftfreq")


def rfftfreq(n: int, d: float = 1.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad: bool = False) -> Tensor:
    """The sample frequencies of :func:`rfft` on ``n`` points spaced ``d`` apart."""
    values = _cpu.arange(n // 2 + 1, dtype=_cpu.int64)
    return _frequencies(values, n, d, out, dtype, device, requires_grad, "rfftfreq")


def _shifted(input, dim, shift_of):
    from ember.ops.shaping import roll

    ndim = input._data.ndim
    if dim is None:
        dims = list(range(ndim))
    else:
        dims = [_wrap_dim(d, ndim) for d in ((dim,) if isinstance(dim, int) else dim)]
    return roll(input, [shift_of(input.shape[d]) for d in dims], dims)


def fftshift(input, dim=None) -> Tensor:
    """``input`` rolled so that the zero frequency is at the center of ``dim``."""
    return _shifted(input, dim, lambda n: n // 2)


def ifftshift(input, dim=None) -> Tensor:
    """The inverse of :func:`fftshift`."""
    return _shifted(input, dim, lambda n: (n + 1) // 2)


__all__ = [
    "fft", "fft2", "fftfreq", "fftn", "fftshift", "hfft", "hfft2", "hfftn", "ifft", "ifft2",
    "ifftn", "ifftshift", "ihfft", "ihfft2", "ihfftn", "irfft", "irfft2", "irfftn", "rfft",
    "rfft2", "rfftfreq", "rfftn",
]
