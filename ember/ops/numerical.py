"""Numerical routines over samples: sample covariance and correlation, numerical gradients,
Vandermonde matrices, set membership and index unravelling.

PyTorch writes cov, corrcoef, vander and gradient as C++ compositions of other ops, so
their ``grad_fn`` is the last inner op's node (cov's SqueezeBackward0, corrcoef's
ClampBackward1, vander's FlipBackward0, gradient's CatBackward0): they are composed here
from ember ops in the same order, which gives the same nodes, values and gradients. See
Note [Scalar overloads in compositions] for the one place Python's operators differ."""

from __future__ import annotations

import builtins
import itertools
import operator
import warnings
from collections.abc import Sequence

from ember import _dtype
from ember._size import Size
from ember.autograd import grad_mode
from ember.backends import cpu as _cpu
from ember.ops._autograd import needs_grad, record_op
from ember.ops._common import Tensor, _wrap_dim, finish, method, reduction_dims
from ember.ops.complex import complex, imag, real
from ember.ops.creation import empty
from ember.ops.joining import cat
from ember.ops.matmul import mm
from ember.ops.pointwise import eq, ne, sqrt, true_divide
from ember.ops.scans import cumprod
from ember.ops.shaping import _write_same_dtype, flip

# Note [Scalar overloads in compositions]
# A C++ composite that combines a tensor with a number (``2 * t``, ``t / spacing``) calls the
# Scalar overload of the op, whose node PyTorch names *Backward1 (MulBackward1,
# DivBackward1); Python's operators wrap the number as a tensor and record *Backward0.
# Those steps of the compositions below go through ``_mul_scalar`` / ``_div_scalar``, which
# record the Scalar node's name.


def _scalar_op(name, compute, derivative):
    def op(input, number):
        with grad_mode.no_grad():
            result = compute(input, number)
        if needs_grad(input):
            record_op(name, (lambda grad: derivative(grad, number),), (input,), (result,))
        return result

    return op


_mul_scalar = _scalar_op("MulBackward1", operator.mul, operator.mul)
_div_scalar = _scalar_op("DivBackward1", operator.truediv, operator.truediv)


def _long_scalar(value, like):
    """A 0-dim int64 tensor on ``like``'s device (PyTorch's at::scalar_tensor(.., kLong))."""
    return finish(_cpu.asarray(value, _cpu.int64), _dtype.int64, like._device)


# --- covariance and correlation ------------------------------------------------------------

_NO_DEGREES_OF_FREEDOM = ("cov(): degrees of freedom is <= 0. Correction should be strictly "
                          "less than the number of observations.")


def _check_weights(name, weights, observations, integral):
    ndim = weights._data.ndim
    if ndim > 1:
        raise RuntimeError(f"cov(): expected {name} to have one or fewer dimensions but got "
                           f"{name} with {ndim} dimensions")
    dtype = weights._dtype
    if integral:
        right_kind = dtype is not _dtype.bool and not (dtype.is_floating_point or
                                                      dtype.is_complex)
        kind = "integral"
    else:
        right_kind = dtype.is_floating_point
        kind = "floating point"
    if not right_kind:
        raise RuntimeError(f"cov(): expected {name} to have {kind} dtype but got {name} with "
                           f"{dtype._legacy_name} dtype")
    if weights._data.size != observations:
        raise RuntimeError(f"cov(): expected {name} to have the same numel as there are "
                           f"observations in the input but got {weights._data.size} != "
                           f"{observations}")
    if observations and not (weights._data >= 0).all():
        raise RuntimeError(f"cov(): {name} cannot be negative")


@method("cov")
def cov(input, *, correction: int = 1, fweights=None, aweights=None) -> Tensor:
    """The covariance matrix of the variables in the rows of ``input`` (its columns are the
    observations), with ``correction`` subtracted from the number of observations (1: the
    unbiased estimate), each observation weighted by ``fweights`` (integer frequencies)
    times ``aweights`` (observation weights).

    Example::

        >>> torch.cov(torch.tensor([[0.0, 1.0, 2.0], [2.0, 1.0, 0.0]]))
        tensor([[ 1., -1.],
                [-1.,  1.]])
    """
    ndim = input._data.ndim
    if ndim > 2:
        raise RuntimeError(f"cov(): expected input to have two or fewer dimensions but got an "
                           f"input with {ndim} dimensions")
    if input._dtype is _dtype.bool:
        raise RuntimeError("cov(): bool dtype is not supported for input")
    observations = input if ndim == 2 else input.view(1, -1)
    count = observations._data.shape[1]
    weights = None
    if fweights is not None:
        _check_weights("fweights", fweights, count, integral=True)
        weights = fweights
    if aweights is not None:
        _check_weights("aweights", aweights, count, integral=False)
        weights = aweights if weights is None else weights * aweights
    if weights is None:
        weight_sum = _long_scalar(count, input)
    else:
        weight_sum = weights.sum()
        if not weight_sum._data.item():
            raise RuntimeError("cov(): weights sum to zero, can't be normalized")
    weighted = observations if weights is None else observations * weights
    average = weighted.sum(1) / weight_sum
    if weights is None:
        norm_factor = _long_scalar(count - correction, input)
    elif correction == 0:
        norm_factor = weight_sum
    elif aweights is None:
        norm_factor = weight_sum - correction
    elif fweights is None and count == 1 and correction == 1:
        norm_factor = _long_scalar(0, input)  # as numpy, without rounding error
    else:
        norm_factor = weight_sum - _mul_scalar((weights * aweights).sum(), correction) / (
            weight_sum)
    if norm_factor._data.item() <= 0:
        warnings.warn(_NO_DEGREES_OF_FREEDOM, UserWarning, stacklevel=2)
        norm_factor.zero_()
    if count == 1 and (fweights is None) != (aweights is None):
        # PyTorch's single observation with one kind of weights: the centered values are
        # zeroed in place, in the input's own memory (a leaf that requires grad refuses)
        centered = observations.zero_()
        if not (centered._dtype.is_floating_point or centered._dtype.is_complex):
            centered = centered.to(_dtype.float32)
    else:
        centered = observations - average.unsqueeze(1)
    other = centered if weights is None else centered * weights
    return true_divide(mm(centered, other.t().conj()), norm_factor).squeeze()


@method("corrcoef")
def corrcoef(input) -> Tensor:
    """Pearson's correlation coefficients of the variables in the rows of ``input``: the
    covariance matrix normalized by the standard deviations, clipped to [-1, 1] (real and
    imaginary parts apart)."""
    ndim = input._data.ndim
    if ndim > 2:
        raise RuntimeError(f"corrcoef(): expected input to have two or fewer dimensions but "
                           f"got an input with {ndim} dimensions")
    c = cov(input)
    if c._data.ndim == 0:  # one variable: nan where its variance is nan, inf or 0, else 1
        return c / c
    variances = c.diagonal()
    stddev = sqrt(real(variances) if variances._dtype.is_complex else variances)
    c = c / stddev.view(-1, 1)
    c = c / stddev.view(1, -1)
    if c._dtype.is_complex:
        if not c._data.size:  # nothing to clip (and ember.complex refuses empty parts)
            return c.clone()
        return complex(real(c).clip(-1, 1), imag(c).clip(-1, 1))
    return c.clip(-1, 1)


# --- Vandermonde matrices ------------------------------------------------------------------


def vander(x, N: int | None = None, increasing: bool = False) -> Tensor:
    """The Vandermonde matrix of the 1-D ``x``: ``N`` columns of its powers, decreasing from
    ``x ** (N - 1)`` unless ``increasing``. Integers give int64, as cumprod does.

    PyTorch fills the powers in place with cumprod, which saves the slice it then
    overwrites: its backward raises for N > 1 as PyTorch's does.

    Example::

        >>> torch.vander(torch.tensor([1, 2, 3]), N=3)
        tensor([[1, 1, 1],
                [4, 2, 1],
                [9, 3, 1]])
    """
    if x._data.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    rows = x._data.shape[0]
    columns = rows
    if N is not None:
        columns = operator.index(N)
        if columns < 0:
            raise RuntimeError("N must be non-negative.")
    dtype = _dtype.promote_types(x._dtype, _dtype.int64)
    result = empty((rows, columns), dtype=dtype, device=x._device)
    if columns > 0:
        result.fill_(1)
        if columns > 1:
            result[:, 1:].copy_(x.unsqueeze(1))
            result[:, 1:].copy_(cumprod(result[:, 1:], 1))
    return result if increasing else flip(result, (1,))


# --- numerical gradients -------------------------------------------------------------------


def _along(input, dim, start, stop=None):
    """``input[start:stop]`` along ``dim`` (PyTorch's at::slice)."""
    return input[(builtins.slice(None),) * dim + (builtins.slice(start, stop),)]


def _check_gradient(input, spacing_size, dims, edge_order):
    """PyTorch's pre_check_gradient: the checks before any computation."""
    ndim = input._data.ndim
    if input._dtype is _dtype.uint8:
        raise RuntimeError("torch.gradient does not support uint8 input.")
    if spacing_size is not None and dims is None and spacing_size != ndim:
        raise RuntimeError(
            f"torch.gradient expected spacing to be unspecified, a scalar, or a list of length "
            f"equal to 'self.dim() = {ndim}', since dim argument was not given, but got a "
            f"list of length {spacing_size}")
    if spacing_size is not None and dims is not None and spacing_size != len(dims):
        raise RuntimeError(
            "torch.gradient expected spacing to be unspecified, a scalar or it's spacing and "
            f"dim arguments to have the same length, but got a spacing argument of length "
            f"{spacing_size} and a dim argument of length {len(dims)}.")
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    if dims is not None:
        reduction_dims(dims, ndim)  # refuses dims out of range and repeated dims
    shape = input._data.shape
    for dim in range(ndim) if dims is None else dims:
        if shape[dim] < edge_order + 1:
            raise RuntimeError("torch.gradient expected each dimension size to be at least "
                               "edge_order+1")


def _gradient_uniform(input, spacing, dims, edge_order):
    """Central differences over uniform ``spacing`` (one number per dim), one-sided of
    ``edge_order`` at the edges."""
    results = []
    for step, dim in zip(spacing, dims):
        dim = _wrap_dim(dim, input._data.ndim)

        def part(start, stop=None):
            return _along(input, dim, start, stop)  # noqa: B023

        center = _div_scalar(part(2) - part(0, -2), step)
        if edge_order == 1:
            prepend = _div_scalar(part(1, 2) - part(0, 1), step)
            append = _div_scalar(part(-1) - part(-2, -1), step)
        else:
            prepend = _div_scalar(_mul_scalar(part(0, 1), -1.5) + _mul_scalar(part(1, 2), 2)
                                  - _mul_scalar(part(2, 3), 0.5), step)
            append = _div_scalar(_mul_scalar(part(-3, -2), 0.5) - _mul_scalar(part(-2, -1), 2)
                                 + _mul_scalar(part(-1), 1.5), step)
        results.append(cat([prepend, _div_scalar(center, 2), append], dim))
    return tuple(results)


def _gradient_coordinates(input, coordinates, dims, edge_order):
    """Second-order differences over samples at ``coordinates`` (a 1-D tensor per dim)."""
    ndim = input._data.ndim
    results = []
    for points, dim in zip(coordinates, dims):
        if points._data.ndim != 1:
            raise RuntimeError("torch.gradient expected each element of spacing to have one "
                               f"dimension, but got an element with {points._data.ndim} "
                               "dimensions!")
        dim = _wrap_dim(dim, ndim)
        shape = [1] * ndim
        shape[dim] = -1

        def part(start, stop=None):
            return _along(input, dim, start, stop)  # noqa: B023

        steps = points.diff(1, 0)
        before, after = steps[:-1], steps[1:]
        a = (-after / (before * (before + after))).reshape(shape)
        b = ((after - before) / (before * after)).reshape(shape)
        c = (before / (after * (before + after))).reshape(shape)
        center = a * part(0, -2) + b * part(1, -1) + c * part(2)
        if edge_order == 1:
            prepend = (part(1, 2) - part(0, 1)) / steps[0]
            append = (part(-1) - part(-2, -1)) / steps[-1]
        else:
            first, second = steps[0], steps[1]
            a = -(_mul_scalar(first, 2.0) + second) / (first * (first + second))
            b = (first + second) / (first * second)
            c = (-first) / (second * (first + second))
            prepend = a * part(0, 1) + b * part(1, 2) + c * part(2, 3)
            last, second_last = steps[-1], steps[-2]
            a = last / (second_last * (last + second_last))
            b = -(last + second_last) / (last * second_last)
            c = (_mul_scalar(last, 2) + second_last) / (last * (last + second_last))
            append = a * part(-3, -2) + b * part(-2, -1) + c * part(-1)
        results.append(cat([prepend, center, append], dim))
    return tuple(results)


def _is_number(value):
    return isinstance(value, builtins.int | builtins.float | builtins.complex) or (
        isinstance(value, Tensor) and value._data.ndim == 0)


def _number(value):
    return value._data.item() if isinstance(value, Tensor) else value


def gradient(input, *, spacing=None, dim=None, edge_order: int = 1) -> tuple:
    """Estimates of the derivatives of the function sampled by ``input`` along ``dim`` (all
    dims by default): central differences inside, one-sided differences of ``edge_order``
    (1 or 2) at the edges. ``spacing`` is the distance between samples (a number, one per
    dim) or the samples' coordinates (a 1-D tensor per dim). One tensor per dim.

    Example::

        >>> torch.gradient(torch.tensor([1.0, 4.0, 9.0, 16.0]))
        (tensor([3., 4., 6., 7.]),)
    """
    if dim is None or isinstance(dim, builtins.int):
        dim_list = None if dim is None else [dim]
        dims = list(range(input._data.ndim)) if dim is None else dim_list
    else:
        dim_list = dims = [operator.index(d) for d in dim]
    if spacing is None or _is_number(spacing):
        number = 1.0 if spacing is None else _number(spacing)
        spacing_size = None if spacing is None and dim is None else len(dims)
        _check_gradient(input, spacing_size, dim_list, edge_order)
        return _gradient_uniform(input, [number] * len(dims), dims, edge_order)
    if not isinstance(spacing, list | tuple):
        raise TypeError(f"gradient(): argument 'spacing' must be a number, a list of numbers "
                        f"or a list of tensors, not {type(spacing).__name__}")
    spacing = list(spacing)
    tensors = [isinstance(s, Tensor) for s in spacing]
    if any(tensors) and not all(tensors):
        position = tensors.index(False)
        raise TypeError(f"expected Tensor as element {position} in argument 1, but got "
                        f"{type(spacing[position]).__name__}")
    _check_gradient(input, len(spacing), dim_list, edge_order)
    if spacing and all(tensors):
        return _gradient_coordinates(input, spacing, dims, edge_order)
    return _gradient_uniform(input, spacing, dims, edge_order)


# --- set membership ------------------------------------------------------------------------


def _check_isin_dtype(value):
    if isinstance(value, Tensor):
        dtype = value._dtype
        unsupported = dtype is _dtype.bool or dtype.is_complex
        name = dtype._legacy_name
    else:  # a Python number: PyTorch names its Scalar type
        unsupported = isinstance(value, builtins.bool | builtins.complex)
        name = "Bool" if isinstance(value, builtins.bool) else "ComplexDouble"
    if unsupported:
        raise RuntimeError(f"Unsupported input type encountered for isin(): {name}")


def _membership(values, tests, invert):
    """Whether each of ``values`` equals one of ``tests`` (NaN equals nothing)."""
    tests = _cpu.sort(tests.reshape(-1))
    flat = values.reshape(-1)
    if tests.size:
        found = tests[_cpu.minimum(_cpu.searchsorted(tests, flat), tests.size - 1)] == flat
    else:
        found = _cpu.zeros(flat.shape, bool)
    return ~found if invert else found


def _sorted_membership(values, tests, invert):
    """PyTorch's sorting algorithm for ``assume_unique``: each element is found when the
    next one in a stable sort of elements and test elements is equal to it, which is
    membership only when both sides hold unique values."""
    joined = _cpu.concatenate([values.reshape(-1), tests.reshape(-1)])
    order = _cpu.argsort(joined, kind="stable")
    ordered = joined[order]
    duplicate = _cpu.empty(ordered.shape, bool)
    compare = _cpu.not_equal if invert else _cpu.equal
    duplicate[:-1] = compare(ordered[1:], ordered[:-1])
    duplicate[-1] = invert
    mask = _cpu.empty_like(duplicate)
    mask[order] = duplicate
    return mask[:values.size]


def isin(elements, test_elements, *, assume_unique: bool = False, invert: bool = False,
         out=None) -> Tensor:
    """Whether each of ``elements`` is in ``test_elements`` (either may be a number), as a
    bool tensor of ``elements``' shape; its negation with ``invert``. ``assume_unique``
    promises that both hold unique values.

    Example::

        >>> torch.isin(torch.tensor([[1, 2], [3, 4]]), torch.tensor([2, 3]))
        tensor([[False,  True],
                [ True, False]])
    """
    if not isinstance(elements, Tensor) and not isinstance(test_elements, Tensor):
        raise TypeError(f"isin() received an invalid combination of arguments - got "
                        f"({type(elements).__name__}, {type(test_elements).__name__}), but "
                        "expected one of:\n"
                        " * (Tensor elements, Tensor test_elements, *, bool assume_unique = "
                        "False, bool invert = False, Tensor out = None)\n"
                        " * (Number element, Tensor test_elements, *, bool assume_unique = "
                        "False, bool invert = False, Tensor out = None)\n"
                        " * (Tensor elements, Number test_element, *, bool assume_unique = "
                        "False, bool invert = False, Tensor out = None)\n")
    _check_isin_dtype(elements)
    _check_isin_dtype(test_elements)
    if not isinstance(test_elements, Tensor):  # one test element: a comparison
        with grad_mode.no_grad():
            compared = (ne if invert else eq)(elements, test_elements)
        result = finish(_cpu.ascontiguousarray(compared._data), _dtype.bool, elements._device)
    else:
        common = _dtype._result_dtype(elements, test_elements)
        # bfloat16 values compare exactly as float32
        common = _cpu.float32 if common is _dtype.bfloat16 else common._np
        tests = test_elements._data.astype(common)
        if isinstance(elements, Tensor):
            values, device = elements._data.astype(common), elements._device
        else:  # a number becomes a 0-dim tensor of the test elements' kind
            values = _cpu.asarray(elements).astype(common)
            device = test_elements._device
        count = values.size
        # PyTorch's choice of algorithm (numpy's heuristic); they differ only for inputs
        # that break the promise of assume_unique.
        if assume_unique and count and tests.size >= builtins.int(10.0 * count ** 0.145):
            found = _sorted_membership(values, tests, invert)
        else:
            found = _membership(values, tests, invert)
        result = finish(found.reshape(values.shape), _dtype.bool, device)
    if out is not None:
        return _write_same_dtype("isin", out, result)
    return result


# --- index unravelling ---------------------------------------------------------------------


def unravel_index(indices, shape) -> tuple:
    """The coordinates of flat ``indices`` into a tensor of ``shape``: one int64 tensor per
    dim of ``shape``, each of ``indices``' shape (views of one result, as PyTorch's).

    Example::

        >>> torch.unravel_index(torch.tensor([4, 1]), (3, 2))
        (tensor([2, 0]), tensor([0, 1]))
    """
    if not isinstance(indices, Tensor):  # PyTorch reads indices.is_complex() first
        raise AttributeError(f"'{type(indices).__name__}' object has no attribute 'is_complex'")
    dtype = indices._dtype
    if dtype is _dtype.bool or dtype.is_floating_point or dtype.is_complex:
        raise TypeError(f"expected 'indices' to be integer dtype, but got {dtype}")
    if isinstance(shape, builtins.int):
        shape = Size([shape])
    elif isinstance(shape, Sequence):
        for size in shape:
            if not isinstance(size, builtins.int):
                raise TypeError(f"expected 'shape' sequence to only contain ints, but got "
                                f"{type(size)}")
        shape = Size(shape)
    else:
        raise TypeError(f"expected 'shape' to be int or sequence of ints, but got "
                        f"{type(shape)}")
    if any(size < 0 for size in shape):
        raise ValueError(f"'shape' cannot have negative values, but got {tuple(shape)}")
    strides = list(itertools.accumulate(reversed((*shape[1:], 1)), operator.mul))[::-1]
    device = indices._device
    divisors = finish(_cpu.array(strides, _cpu.int64), _dtype.int64, device)
    sizes = finish(_cpu.array(shape, _cpu.int64), _dtype.int64, device)
    return (indices.unsqueeze(-1).floor_divide(divisors) % sizes).unbind(-1)


__all__ = ["corrcoef", "cov", "gradient", "isin", "unravel_index", "vander"]
