"""Gather and scatter along a dim: gather and take_along_dim read ``input``, scatter,
scatter_add and scatter_reduce write into it, at the positions along ``dim`` that an index
tensor of its rank gives. The checks, the ``out=`` handling and the reductions (kernel and
gradients) that the ops of indexed.py share with these are here too, for indexed.py imports
them from this module.

Note [Gather and scatter kernels]
Each op here and in indexed.py turns its index into a NumPy key over the input's array: for
the ``dim`` ops (gather, scatter, take_along_dim) one integer array per dim, the index along
``dim`` and broadcast ranges elsewhere; for the ``index_*`` ops a slice per dim and the index
along ``dim``; for take / put the index into the row-major flattening; for the masked ops the
mask. Reads are ``data[key]``, writes ``data[key] = values`` (the last of repeated positions
wins, as in PyTorch's sequential CPU kernels) and accumulations ``ufunc.at`` (half precision
sums of the scatter kernels taken in float32, as PyTorch's are). Gradients are PyTorch's
formulas written with these same ops, so they can be differentiated again; they save what
PyTorch saves (the index among them), so backward catches those tensors modified in place.
"""

from __future__ import annotations

import builtins

from ember import _dtype
from ember._tensor import _warn_once, _wrap_dim
from ember.backends import cpu as _cpu
from ember.ops._autograd import check_out_allowed, inplace_with_grad, needs_grad, record_op
from ember.ops._common import (
    Tensor,
    broadcast_shape,
    check_no_internal_overlap,
    check_out_dtype,
    finish,
    method,
    write_out,
)
from ember.ops.copying import _OVERLAP_MESSAGE, _overlap
from ember.ops.creation import ones_like, zeros, zeros_like
from ember.ops.indexing import _scalar_value
from ember.ops.pointwise import where
from ember.ops.views import expand

_INT_INDEX = (_dtype.int64, _dtype.int32)


# --- checks shared with indexed.py ----------------------------------------------------------


def _index_data(index, message, dtypes=_INT_INDEX, error=RuntimeError):
    """``index``'s array, checked to be a tensor of one of ``dtypes``."""
    if not isinstance(index, Tensor):
        raise TypeError(f"index must be a Tensor, not {type(index).__name__}")
    if index._dtype not in dtypes:
        raise error(message.format(index._dtype._legacy_name))
    return index._data


def _out_of_bounds(indices, size):
    """The first of ``indices`` outside ``[0, size)``, or None."""
    if indices.size == 0:
        return None
    bad = (indices < 0) | (indices >= size)
    return builtins.int(indices.reshape(-1)[bad.reshape(-1).argmax()]) if bad.any() else None


def _same_dtype_out(out, result, message=None, sources=()):
    """``out=`` of ops that take an out of exactly the result's dtype (and must not overlap
    the tensors they read, ``sources``)."""
    check_out_dtype(out, result._dtype, message)
    if isinstance(out, Tensor):
        _check_no_overlap(out._data, sources)
    return write_out(out, result)


def _fresh(input):
    """A row-major copy of ``input`` to write the op's result into."""
    return finish(input._data.copy(order="C"), input._dtype, input._device)


def _at_least_1d(data):
    return data.reshape(1) if data.ndim == 0 else data


def _fill_value(self, value, name):
    """A fill value (a Python number or a 0-dim tensor) converted for ``self``."""
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(f"{name} only supports a 0-dimensional value tensor, but got "
                               f"tensor with {value._data.ndim} dimension(s).")
        value = value.item()
    value = _scalar_value(self, value)
    limit = _HALF_LIMITS.get(self._dtype)
    if limit is not None and not isinstance(value, complex) and limit < abs(value) < _INF:
        raise RuntimeError(f"value cannot be converted to type {self._dtype._cpp_name} "
                           "without overflow")
    return value


_HALF_LIMITS = {_dtype.float16: 65504.0, _dtype.bfloat16: 3.3895313892515355e38}
_INF = float("inf")


def _check_written(self, *sources):
    """PyTorch refuses to write in place into a tensor whose elements share memory, or
    one that overlaps a tensor the op reads."""
    check_no_internal_overlap(self)
    _check_no_overlap(self._data, sources)


def _check_no_overlap(target, sources):
    for source in sources:
        if isinstance(source, Tensor) and _cpu.may_share_memory(target, source._data) and (
                _overlap(target, source._data) in ("full", "partial")):
            raise RuntimeError(_OVERLAP_MESSAGE)


# --- gather and scatter along a dim ---------------------------------------------------------


def _dim_key(index_shape, dim, indices):
    """The NumPy key of ``indices`` along ``dim``, ranges over the other dims."""
    ndim = len(index_shape)
    key = []
    for d, size in enumerate(index_shape):
        if d == dim:
            key.append(indices)
        else:
            shape = [1] * ndim
            shape[d] = size
            key.append(_cpu.arange(size).reshape(shape))
    return builtins.tuple(key)


def _check_dim_index(name, input, dim, index, src=None, gather=False):
    """torch's checks of gather / scatter arguments; the wrapped dim and the (at least
    1-d) index array, or None for an empty index (which does nothing)."""
    indices = _index_data(index, f"{name}(): Expected dtype int32/int64 for index")
    shape = input._data.shape
    dim = _wrap_dim(dim, len(shape))
    if indices.size == 0:
        return dim, None
    self_shape = shape or (1,)
    index_shape = indices.shape or (1,)
    what = "input" if gather else "self"
    if len(index_shape) != len(self_shape):
        raise RuntimeError(f"Index tensor must have the same number of dimensions as {what} "
                           "tensor")
    src_shape = None
    if src is not None:
        src_shape = src._data.shape or (1,) * len(index_shape)
        if len(src_shape) < len(index_shape):  # torch reads src.size(d) for every d
            raise IndexError(f"Dimension out of range (expected to be in range of "
                             f"[{-len(src_shape)}, {len(src_shape) - 1}], but got "
                             f"{len(src_shape)})")
    for d, size in enumerate(index_shape):
        if gather and d != dim and size > self_shape[d]:
            raise RuntimeError(f"Size does not match at dimension {d} expected index "
                               f"{list(indices.shape)} to be no larger than self "
                               f"{list(shape)} apart from dimension {dim}")
        if not gather and (d != dim and size > self_shape[d]
                           or src_shape is not None and size > src_shape[d]):
            tail = (f" and to be no larger size than src {list(src._data.shape)}"
                    if src_shape is not None else "")
            raise RuntimeError(f"Expected index {list(indices.shape)} to be no larger than "
                               f"self {list(shape)} apart from dimension {dim}{tail}")
    if src_shape is not None and len(src_shape) != len(index_shape):
        raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
    bad = _out_of_bounds(indices, self_shape[dim])
    if bad is not None:
        raise RuntimeError(f"index {bad} is out of bounds for dimension {dim} with size "
                           f"{self_shape[dim]}")
    return dim, _at_least_1d(indices)


def _src_part(src, index_shape):
    """The part of ``src`` that an index of ``index_shape`` scatters."""
    data = _at_least_1d(src._data)
    return data[builtins.tuple(builtins.slice(0, n) for n in index_shape)]


@method("gather")
def gather(input, dim, index, *, sparse_grad: bool = False, out=None):
    """Values of ``input`` along ``dim`` at ``index``: ``out[i][j] = input[index[i][j]][j]``
    for ``dim=0``.

    Example::

        >>> ember.gather(ember.tensor([[1, 2], [3, 4]]), 1, ember.tensor([[0, 0], [1, 0]]))
        tensor([[1, 1],
                [4, 3]])
    """
    dim, indices = _check_dim_index("gather", input, dim, index, gather=True)
    if indices is None:
        data = _cpu.empty(index._data.shape, input._dtype._np)
    else:
        data = _at_least_1d(input._data)[_dim_key(indices.shape, dim, indices)]
        data = data.reshape(index._data.shape).copy(order="C")  # NumPy may lay it out else
    result = finish(data, input._dtype, input._device)
    if out is not None:
        check_out_allowed("gather", input)
        return _same_dtype_out(out, result, sources=(input, index))
    if needs_grad(input):
        record_op("GatherBackward0", (lambda grad, input, index: zeros(
            input._data.shape, dtype=grad._dtype).scatter_add(dim, index, grad),),
            (input,), (result,), {"input": input, "index": index})
    return result


@method("take_along_dim")
def take_along_dim(input, indices, dim=None, *, out=None):
    """Values of ``input`` at ``indices`` along ``dim``, the two broadcast against each
    other apart from ``dim`` (negative indices count from the end); without ``dim``, at
    ``indices`` of ``input`` flattened."""
    if not isinstance(indices, Tensor):
        raise TypeError("take_along_dim(): argument 'indices' (position 2) must be Tensor, "
                        f"not {type(indices).__name__}")
    if indices._dtype is not _dtype.int64:
        raise RuntimeError("torch.take_along_dim(): dtype of indices should be Long but got "
                           f"{indices._dtype._legacy_name}")
    if out is not None:
        check_out_allowed("take_along_dim", input)
    if dim is None:
        result = gather(input.reshape(-1), 0, indices.reshape(-1))
    else:
        ndim = input._data.ndim
        dim = _wrap_dim(dim, ndim)
        if ndim != indices._data.ndim:
            raise RuntimeError("torch.take_along_dim(): input and indices should have the same "
                               f"number of dimensions, but got {ndim} dimensions for input, "
                               f"and {indices._data.ndim} dimensions for indices")
        if not ndim:  # PyTorch reads indices.size(dim)
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        sizes = list(input._data.shape)
        sizes[dim] = indices._data.shape[dim]
        index_shape = broadcast_shape(builtins.tuple(sizes), indices._data.shape)
        shape = list(index_shape)
        size = shape[dim] = input._data.shape[dim]
        wrapped = indices._data
        if wrapped.size and wrapped.min() < 0:
            wrapped = _cpu.where(wrapped < 0, wrapped + size, wrapped)
        wrapped = finish(wrapped, _dtype.int64, indices._device)
        result = gather(expand(input, builtins.tuple(shape)), dim, wrapped.expand(index_shape))
    if out is not None:
        return _same_dtype_out(out, result)
    return result


def _scatter_into(self, dim, index, src, value, reduce, deprecated=True):
    """Write ``src`` (a tensor) or ``value`` (a number) into ``self`` along ``dim`` at
    ``index``, or add / multiply them in with ``reduce``."""
    dim, indices = _check_dim_index("scatter", self, dim, index, src)
    if src is not None and src._dtype is not self._dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    if reduce is not None:
        if reduce not in ("add", "multiply"):
            raise RuntimeError("reduce argument must be either add or multiply.")
        if src is not None and deprecated:
            _warn_once("The reduce argument of torch.scatter with Tensor src is deprecated and "
                       "will be removed in a future PyTorch release. Use torch.scatter_reduce "
                       "instead for more reduction options.", stacklevel=4)
    if indices is None:
        return
    if src is None:  # converted by the kernel, which an empty index skips
        value = _fill_value(self, value, "scatter")
    key = _dim_key(indices.shape, dim, indices)
    values = _src_part(src, indices.shape) if src is not None else value
    data = _at_least_1d(self._data)
    if reduce is None:
        data[key] = values
    else:
        if not isinstance(values, _cpu.ndarray):
            values = _cpu.full(indices.shape, values, data.dtype)
        _reduce_into(data, key, values, "sum" if reduce == "add" else "prod", True, True)


def _scatter_args(src, value):
    if src is not None and not isinstance(src, Tensor):
        return None, src  # a number in the place of src is the value overload
    if src is None and value is None:
        raise TypeError("scatter() missing required argument 'src' or 'value'")
    return src, value


def _record_scatter(result, input, dim, index, src, reduce):
    if reduce is not None:
        record_op("torch::autograd::NotImplemented", (_not_implemented, _not_implemented),
                  (input, src), (result,))
    elif src is not None:
        record_op("ScatterBackward0", (lambda grad, index: grad.scatter(dim, index, 0),
                                       lambda grad, index: grad.gather(dim, index)),
                  (input, src), (result,), {"index": index})
    else:
        record_op("ScatterBackward1", (lambda grad, index: grad.scatter(dim, index, 0),),
                  (input,), (result,), {"index": index})


def _not_implemented(grad):
    raise RuntimeError("derivative for aten::scatter is not implemented")


@method("scatter")
def scatter(input, dim, index, src=None, *, value=None, reduce=None, out=None):
    """``input`` with ``src`` (a tensor) or ``value`` (a number) written along ``dim`` at
    ``index``; ``reduce='add'|'multiply'`` combines instead of overwriting.

    Example::

        >>> ember.zeros(2, 3).scatter(0, ember.tensor([[1, 0, 1]]), 5.0)
        tensor([[0., 5., 0.],
                [5., 0., 5.]])
    """
    src, value = _scatter_args(src, value)
    result = _fresh(input)
    _scatter_into(result, dim, index, src, value, reduce)
    if out is not None:
        check_out_allowed("scatter", input, src)
        return _same_dtype_out(out, result)
    if needs_grad(input, src):
        _record_scatter(result, input, dim, index, src, reduce)
    return result


@method("scatter_")
def _scatter_inplace(self, dim, index, src=None, *, value=None, reduce=None):
    _check_written(self, src, index)
    src, value = _scatter_args(src, value)
    if needs_grad(self, src):
        return inplace_with_grad(self, lambda old: scatter(old, dim, index, src, value=value,
                                                           reduce=reduce))
    _scatter_into(self, dim, index, src, value, reduce)
    self._bump_version()
    return self


def _check_src(name, src):
    if not isinstance(src, Tensor):
        raise TypeError(f"{name}(): argument 'src' (position 4) must be Tensor, not "
                        f"{type(src).__name__}")


@method("scatter_add")
def scatter_add(input, dim, index, src, *, out=None):
    """``input`` with ``src`` added along ``dim`` at ``index`` (repeated positions add
    up)."""
    _check_src("scatter_add", src)
    result = _fresh(input)
    _scatter_into(result, dim, index, src, None, "add", False)
    if out is not None:
        check_out_allowed("scatter_add", input, src)
        return _same_dtype_out(out, result)
    if needs_grad(input, src):
        record_op("ScatterAddBackward0", (lambda grad: grad,
                                          lambda grad, index: grad.gather(dim, index)),
                  (input, src), (result,), {"index": index})
    return result


@method("scatter_add_")
def _scatter_add_inplace(self, dim, index, src):
    _check_written(self, src, index)
    _check_src("scatter_add_", src)
    if needs_grad(self, src):
        return inplace_with_grad(self, lambda old: scatter_add(old, dim, index, src))
    _scatter_into(self, dim, index, src, None, "add", False)
    self._bump_version()
    return self


# --- reductions into positions (scatter_reduce; index_add, index_reduce in indexed.py) ------

_REDUCE_UFUNCS = {"sum": _cpu.add, "mean": _cpu.add, "prod": _cpu.multiply,
                  "amax": _cpu.maximum, "amin": _cpu.minimum}


def _not_implemented_for(kernel, dtype):
    return NotImplementedError(f'"{kernel}" not implemented for \'{dtype._legacy_name}\'')


def _reduce_into(data, key, values, reduce, include_self, opmath=False):
    """Reduce ``values`` into ``data[key]`` (in place), as scatter_reduce does: without
    ``include_self`` the positions written to start from the first value written there.
    With ``opmath``, half precision sums and products are taken in float32 and rounded
    once, as PyTorch's scatter kernels take them."""
    if opmath and data.dtype.itemsize == 2 and data.dtype.kind not in "iu" and reduce in (
            "sum", "mean", "prod"):
        wide = data.astype(_cpu.float32)
        _reduce_into(wide, key, values.astype(_cpu.float32), reduce, include_self)
        data[...] = wide
        return
    ufunc = _REDUCE_UFUNCS[reduce]
    if reduce == "mean":
        counts = _cpu.ones(data.shape, _cpu.int64) if include_self else _cpu.zeros(
            data.shape, _cpu.int64)
        _cpu.add.at(counts, key, 1)
    if not include_self:
        if reduce in ("amax", "amin"):
            data[key] = values  # some value of each group: the reduction then gives theirs
        else:
            data[key] = 0 if reduce in ("sum", "mean") else 1
    if ufunc is _cpu.add and len(key) == 1 and key[0].ndim == 1:  # index_add along dim 0
        _cpu.add_rows(data, key[0], values)
    else:
        ufunc.at(data, key, values)
    if reduce == "mean":  # integers divide rounding down, as PyTorch's div_(count, "floor")
        counts = _cpu.maximum(counts, 1)
        if data.dtype.kind in "iu":
            data[...] = _cpu.floor_divide(data, counts)
        else:
            data[...] = data / counts


def _reduce_backward(grad, self, src, result, index, reduce, include_self, ops):
    """Gradients of a reduction of ``src`` into ``self`` at ``index`` (scatter_reduce,
    index_reduce): PyTorch's formulas, over ``ops``, the family's (select, add_into,
    fill_zero, again) as functions of their operands and the index: gather / index_select,
    scatter_add / index_add, zeroing the positions written to, and the same reduction of
    other operands."""
    select_at, add_at, fill_zero_at, again_at = ops

    def select(tensor):
        return select_at(tensor, index)

    def add_into(base, tensor):
        return add_at(base, tensor, index)

    if reduce == "sum":
        grad_self, grad_src = grad, select(grad)
    elif reduce == "mean":
        counts = ones_like(grad) if include_self else zeros_like(grad)
        counts = add_into(counts, ones_like(src))
        counts = counts.masked_fill(counts == 0, 1)
        grad_self = grad / counts
        grad_src = select(grad) / select(counts)
    elif reduce == "prod":
        masked_self = self.masked_fill(self == 0, 1)
        grad_self = grad * again_at(masked_self, src, index) / masked_self
        src_zero = src == 0
        src_zeros = select(add_into(zeros_like(self), src_zero.to(self._dtype)))
        single_zero = src_zero & (src_zeros == 1)
        masked_src_result = again_at(self, src.masked_fill(single_zero, 1), index)
        grad_src = where(single_zero, select(grad * masked_src_result),
                         select(grad * result) / src.masked_fill(src_zero, 1))
    else:  # amax, amin: shared evenly between the values that reach the result
        value = select(result)
        self_is_result = (self == result).to(self._dtype)
        src_is_result = (src == value).to(self._dtype)
        distributed = grad / add_into(self_is_result, src_is_result)
        grad_self = self_is_result * distributed
        grad_src = src_is_result * select(distributed)
    if not include_self:
        grad_self = fill_zero_at(grad_self, index)
    return grad_self, grad_src


def _record_reduce(name, result, input, src, index, reduce, include_self, *ops):
    def backward(which):
        def formula(grad, input, src, result, index):
            return _reduce_backward(grad, input, src, result, index, reduce, include_self,
                                    ops)[which]
        return formula

    record_op(name, (backward(0), backward(1)), (input, src), (result,),
              {"input": input, "src": src, "result": result, "index": index})


def _check_scatter_reduce(reduce):
    if reduce not in _REDUCE_UFUNCS:
        raise RuntimeError("reduce argument must be either sum, prod, mean, amax or amin, "
                           f"got {reduce}")


@method("scatter_reduce")
def scatter_reduce(input, dim, index, src, reduce, *, include_self: bool = True, out=None):
    """``input`` with ``src`` reduced into it along ``dim`` at ``index``: ``reduce`` is
    ``"sum"``, ``"prod"``, ``"mean"``, ``"amax"`` or ``"amin"``; without
    ``include_self`` the values of ``input`` at the positions written to are left out."""
    result = _fresh(input)
    _scatter_reduce_into(result, dim, index, src, reduce, include_self)
    if out is not None:
        check_out_allowed("scatter_reduce", input, src)
        return _same_dtype_out(out, result)
    if needs_grad(input, src):
        wrapped = _wrap_dim(dim, input._data.ndim)
        _record_reduce(
            "ScatterReduceBackward0", result, input, src, index, reduce, include_self,
            lambda t, i: t.gather(wrapped, i),
            lambda base, t, i: base.scatter_add(wrapped, i, t),
            lambda t, i: t.scatter(wrapped, i, 0),
            lambda s, t, i: s.scatter_reduce(wrapped, i, t, reduce, include_self=include_self))
    return result


def _scatter_reduce_into(self, dim, index, src, reduce, include_self):
    _check_src("scatter_reduce", src)
    _check_scatter_reduce(reduce)
    dim, indices = _check_dim_index("scatter", self, dim, index, src)
    if src._dtype is not self._dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    if reduce == "mean" and self._dtype is _dtype.bool:
        raise _not_implemented_for("scatter_gather_tensor_cpu_reduce_mean" if indices is not None
                                   else "div_floor_cpu", self._dtype)
    if indices is None:
        return
    if reduce in ("amax", "amin") and self._dtype.is_complex:
        raise _not_implemented_for(f"scatter_gather_tensor_cpu_reduce_{reduce}", self._dtype)
    _reduce_into(_at_least_1d(self._data), _dim_key(indices.shape, dim, indices),
                 _src_part(src, indices.shape), reduce, include_self, True)


@method("scatter_reduce_")
def _scatter_reduce_inplace(self, dim, index, src, reduce, *, include_self: bool = True):
    _check_written(self, src, index)
    if needs_grad(self, src):
        return inplace_with_grad(self, lambda old: scatter_reduce(
            old, dim, index, src, reduce, include_self=include_self))
    _scatter_reduce_into(self, dim, index, src, reduce, include_self)
    self._bump_version()
    return self


__all__ = [
    "gather", "scatter", "scatter_add", "scatter_reduce", "take_along_dim",
]
