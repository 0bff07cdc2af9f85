"""Ops over lists of tensors, as ``torch._foreach_*``: what an optimizer does to every
parameter of a group, in one call.

Note [Foreach ops]
Each op gives exactly what the single-tensor op gives for every tensor of its lists (the
same backend kernels on the same operands, scalars rounded to the tensors' dtype as those
ops round them), so an optimizer may take either path. Where every tensor is a float32 or
float64 tensor laid out densely, the lists agree in shape and dtype and no graph is to be
recorded, one Python loop over backend arrays does the work, in place where the op is, with
no dispatch per tensor; anything else goes through the single-tensor op.

The update runs on the calling thread. Splitting it with a second thread was slower within
a training step: the step's matrix products leave the BLAS library's threads spinning on
the other core, and the update mostly waits on memory the backward pass has evicted."""

from __future__ import annotations

from ember.autograd import grad_mode
from ember.backends import cpu as _cpu
from ember.ops._elementwise import _FLOAT_PRECISE
from ember.ops.pointwise import maximum

__all__ = ["_foreach_neg", "_foreach_add", "_foreach_add_", "_foreach_mul_", "_foreach_div_",
           "_foreach_sqrt", "_foreach_lerp_", "_foreach_addcmul_", "_foreach_addcdiv_",
           "_foreach_maximum_"]

_grad_state = grad_mode.state


def dense_lists(*lists) -> bool:
    """Whether the fast path applies to these lists of tensors (see Note [Foreach ops])."""
    first = lists[0]
    for tensors in lists:
        if len(tensors) != len(first):
            return False
    recording = _grad_state.enabled
    for index, leader in enumerate(first):
        dtype, shape = leader._dtype, leader._data.shape
        if dtype not in _FLOAT_PRECISE:
            return False
        for tensors in lists:
            tensor = tensors[index]
            data = tensor._data
            if (tensor._dtype is not dtype or data.shape != shape
                    or not (data.flags.c_contiguous or data.flags.f_contiguous)
                    or recording and tensor._requires_grad):
                return False
    return True


def _scalars(scalars, count):
    return scalars if isinstance(scalars, list | tuple) else [scalars] * count


def _tensor_list(value):
    return isinstance(value, list | tuple) and bool(value) and hasattr(value[0], "_data")


def _done(tensors):
    for tensor in tensors:
        tensor._bump_version()


def _foreach_neg(tensors):
    if not dense_lists(tensors):
        return [-t for t in tensors]
    return [_wrap(_cpu.negative(t._data), t) for t in tensors]


def _wrap(data, like):
    from ember._tensor import _make

    return _make(data, like._dtype, like._device)


def _plus_scaled(array, other, alpha, out=None):
    """``array + alpha * other`` as ``add`` computes it (Note [Fused multiply-add])."""
    if alpha == 1:
        return _cpu.add(array, other, out=out)
    return _cpu.add_scaled(array, other, alpha, out=out)


def _foreach_add(tensors, others, *, alpha=1):
    """``tensors[i] + alpha * others[i]``, new tensors."""
    if not dense_lists(tensors, others):
        return [t.add(o, alpha=alpha) for t, o in zip(tensors, others)]
    return [_wrap(_plus_scaled(t._data, o._data, alpha), t) for t, o in zip(tensors, others)]


def _foreach_add_(tensors, other, *, alpha=1):
    """``tensors[i] += alpha * other`` for a list of tensors, or ``+= other`` (a number or a
    list of numbers)."""
    if _tensor_list(other):
        if not dense_lists(tensors, other):
            for t, o in zip(tensors, other):
                t.add_(o, alpha=alpha)
            return
        for t, o in zip(tensors, other):
            _plus_scaled(t._data, o._data, alpha, out=t._data)
        _done(tensors)
        return
    _scalar_update(tensors, other, _cpu.add, "add_")


def _scalar_update(tensors, scalars, kernel, method):
    scalars = _scalars(scalars, len(tensors))
    if not dense_lists(tensors):
        for t, s in zip(tensors, scalars):
            getattr(t, method)(s)
        return
    for t, s in zip(tensors, scalars):
        data = t._data
        kernel(data, data.dtype.type(s), out=data)
    _done(tensors)


def _foreach_mul_(tensors, scalars):
    """``tensors[i] *= scalar`` (one number, or one per tensor)."""
    _scalar_update(tensors, scalars, _cpu.multiply, "mul_")


def _foreach_div_(tensors, scalars):
    """``tensors[i] /= scalar`` (one number, or one per tensor)."""
    _scalar_update(tensors, scalars, _cpu.true_divide, "div_")


def _foreach_sqrt(tensors):
    if not dense_lists(tensors):
        return [t.sqrt() for t in tensors]
    return [_wrap(_cpu.sqrt(t._data), t) for t in tensors]


def _foreach_lerp_(tensors, ends, weight):
    """``tensors[i] += weight * (ends[i] - tensors[i])`` for a number ``weight``, as
    ``lerp`` computes it."""
    if not dense_lists(tensors, ends):
        for t, e in zip(tensors, ends):
            t.lerp_(e, weight)
        return
    for t, e in zip(tensors, ends):
        _cpu.lerp(t._data, e._data, weight, out=t._data)
    _done(tensors)


def _addc_update(name, tensors, tensors1, tensors2, scalars):
    scalars = _scalars(scalars, len(tensors))
    if not dense_lists(tensors, tensors1, tensors2):
        for t, a, b, s in zip(tensors, tensors1, tensors2, scalars):
            getattr(t, name)(a, b, value=s)
        return
    combine = _cpu.multiply if name == "addcmul_" else _cpu.true_divide
    for t, a, b, s in zip(tensors, tensors1, tensors2, scalars):
        data = t._data
        scaled = _cpu.multiply(data.dtype.type(s), a._data)
        _cpu.add(data, combine(scaled, b._data, out=scaled), out=data)
    _done(tensors)


def _foreach_addcmul_(tensors, tensors1, tensors2, scalars=1):
    """``tensors[i] += scalar * tensors1[i] * tensors2[i]``."""
    _addc_update("addcmul_", tensors, tensors1, tensors2, scalars)


def _foreach_addcdiv_(tensors, tensors1, tensors2, scalars=1):
    """``tensors[i] += scalar * tensors1[i] / tensors2[i]``."""
    _addc_update("addcdiv_", tensors, tensors1, tensors2, scalars)


def _foreach_maximum_(tensors, others):
    """``tensors[i] = maximum(tensors[i], others[i])`` (NaN wins, as in ``maximum``)."""
    if not dense_lists(tensors, others):
        for t, o in zip(tensors, others):
            maximum(t, o, out=t)
        return
    for t, o in zip(tensors, others):
        _cpu.maximum(t._data, o._data, out=t._data)
    _done(tensors)
