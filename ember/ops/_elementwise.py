"""How elementwise ops are declared: ``binary`` and ``unary`` turn a backend kernel, a type
promotion kind and backward formulas into the function, the method, the in-place method and
the ``out=`` form (see Note [Output layout] in _layout.py for where results go)."""

from __future__ import annotations

from ember import _dtype
from ember._tensor import _make
from ember.autograd import grad_mode
from ember.backends import cpu as _cpu
from ember.ops._autograd import check_out_allowed, inplace_with_grad, needs_grad, record_op
from ember.ops._common import (
    ALWAYS_BOOL,
    COMPLEX_TO_FLOAT,
    DEFAULT,
    INT_TO_FLOAT,
    Tensor,
    broadcast_error,
    broadcast_shape,
    check_inplace,
    check_same_device,
    compute_dtype,
    finish,
    operand,
    result_dtype,
    shape_of,
    write_out,
)
from ember.ops._layout import _in_layout

_promote = _dtype._result_dtype
_grad_state = grad_mode.state
_HALF_TYPES = (_dtype.float16, _dtype.bfloat16)
_FLOAT_PRECISE = frozenset({_dtype.float32, _dtype.float64})
_PYTHON_REALS = (float, int)
_ndarray = _cpu.ndarray


def _zero_grad(grad):
    return grad * 0


def _finish_pointwise(data, dtype, tensors, numbers=False):
    """``finish`` for the result of an elementwise op over ``tensors`` (a non-empty list)
    and Python ``numbers`` if any, in PyTorch's layout."""
    if data.__class__ is not _ndarray:
        data = _cpu.asarray(data)
    if not data.size:
        data = _in_layout(data, tensors, numbers)
    else:
        for t in tensors:
            if not t._data.flags.c_contiguous:
                data = _in_layout(data, tensors, numbers)
                break
    return finish(data, dtype, tensors[0]._device)


def _check_out_dtype(out, expected):
    if out._dtype is not expected:
        raise RuntimeError(f"Found dtype {out._dtype._legacy_name} but expected "
                           f"{expected._legacy_name}")


def _not_implemented(kernel_name, complex_message=None, complex_error=NotImplementedError):
    """The error PyTorch raises when its kernel ``kernel_name`` has no loop for a dtype (or
    ``complex_message``, for ops that say why complex numbers make no sense)."""

    def refuse(dtype):
        if complex_message is not None and dtype.is_complex:
            return complex_error(complex_message)
        return NotImplementedError(f'"{kernel_name}" not implemented for '
                                   f"'{dtype._legacy_name}'")

    return refuse


def _run_binary(kernel, input, other, kind, dtypes, refuse, opmath, inplace=False,
                unrounded_scalar=False):
    """Promote ``input`` and ``other`` as PyTorch does, then run ``kernel`` on backend
    arrays; the result tensor (or ``input``, updated, when ``inplace``). ``dtypes`` are the
    computation dtypes the kernel has loops for; ``refuse(dtype)`` is the error otherwise.
    Half-precision inputs are computed in float32 when ``opmath``, else in their dtype;
    with ``unrounded_scalar`` a number or 0-dim ``other`` enters that computation as it is,
    not rounded to half precision first (PyTorch's mul and div kernels read it so)."""
    check_same_device(input, other)
    promoted = _promote(input, other)
    dtype = result_dtype(promoted, kind)
    computed = promoted if kind is ALWAYS_BOOL else dtype
    compute = compute_dtype(computed)._np if opmath else computed._np
    if inplace:
        check_inplace(input, dtype, broadcast_shape(input._data.shape, shape_of(other)))
        if computed not in dtypes:
            raise refuse(computed)
        a, b = _operands(input, other, computed._np, compute, unrounded_scalar)
        if compute is input._dtype._np:
            kernel(a, b, out=input._data)
        else:
            _cpu.copyto(input._data, kernel(a, b), casting="unsafe")
        input._bump_version()
        return input
    if computed not in dtypes:
        broadcast_shape(shape_of(input), shape_of(other))  # a shape error comes first
        raise refuse(computed)
    common = computed._np
    if common is compute:
        a = operand(input, compute)
        b = operand(other, compute)
    else:
        a, b = _operands(input, other, common, compute, unrounded_scalar)
    try:
        data = kernel(a, b)
    except ValueError:
        raise broadcast_error(shape_of(input), shape_of(other)) from None
    if isinstance(other, Tensor):
        if isinstance(input, Tensor):
            return _finish_pointwise(data, dtype, (input, other))
        return _finish_pointwise(data, dtype, (other,), numbers=True)
    return _finish_pointwise(data, dtype, (input,), numbers=True)


def _operand(value, common, compute):
    """``value`` as a backend value of ``compute``. Half-precision ops compute in float32 (see
    ``compute_dtype``), but PyTorch first casts every operand to the ``common`` dtype, so a
    wider operand is rounded to half precision on the way."""
    if common is compute:
        return operand(value, compute)
    return operand(value, common).astype(compute, copy=False)


def _operands(input, other, common, compute, unrounded_scalar=False):
    if unrounded_scalar and (not isinstance(other, Tensor) or not other._data.ndim):
        return _operand(input, common, compute), operand(other, compute)
    return _operand(input, common, compute), _operand(other, common, compute)


_ALL_DTYPES = frozenset(_dtype.ALL_DTYPES)


def binary(kernel, kind=DEFAULT, *, name, inplace=True, method=True, check=None,
           check_numbers_only=False, dtypes=_ALL_DTYPES, refuse=None, scalar_input=True,
           scalar_other=True, opmath=True, unrounded_scalar=False, grad_fn=None,
           derivatives=None):
    """Declare a binary op over the backend ufunc ``kernel``: returns the function, with the
    in-place form as its ``inplace`` attribute, and (if ``method``) attaches the methods
    ``name`` and (if ``inplace``) ``name_``. ``check(input, other)``
    raises for operands PyTorch refuses (if ``check_numbers_only``, it has nothing to say
    about two tensors); ``dtypes`` are the computation dtypes PyTorch has
    a kernel for, and ``refuse(dtype)`` the error it raises for others (by default, its
    "not implemented" error for the kernel ``name_cpu``). ``scalar_input`` /
    ``scalar_other`` say whether that operand may be a Python number. ``opmath`` False
    keeps half-precision computation in half precision (see ``compute_dtype``);
    ``unrounded_scalar`` is as for ``_run_binary``.

    ``derivatives`` are the backward formulas for ``input`` and ``other`` (see
    ``record_op``; they may read ``input``, ``other`` and ``result``), recorded as the node
    ``grad_fn`` (a name, or a function of the operands giving one)."""
    dtypes = frozenset(dtypes)
    numbers_refused = not (scalar_input and scalar_other)

    def record(result, input, other):
        node_name = grad_fn if grad_fn.__class__ is str else grad_fn(input, other)
        record_op(node_name, derivatives, (input, other), (result,),
                  {"input": input, "other": other, "result": result})

    def require_tensors(input, other, function_name=name, other_position=2):
        if not scalar_input and not isinstance(input, Tensor):
            raise TypeError(f"{function_name}(): argument 'input' (position 1) must be Tensor, "
                            f"not {type(input).__name__}")
        if not scalar_other and not isinstance(other, Tensor):
            raise TypeError(f"{function_name}(): argument 'other' (position {other_position}) "
                            f"must be Tensor, not {type(other).__name__}")

    refuse = refuse or _not_implemented(name + "_cpu")
    # Operands of one of these dtypes skip promotion (as does a float32 or float64 tensor with
    # a bool one, a mask); the others take _run_binary.
    fast_dtypes = frozenset() if kind is INT_TO_FLOAT or (
        check is not None and not check_numbers_only) else dtypes.difference(_HALF_TYPES)
    # A float tensor with a Python number on the right skips promotion too, where the
    # number needs no check (checks of numbers only look at integer tensors).
    scalar_fast_dtypes = frozenset() if not scalar_other or (
        check is not None and not check_numbers_only) else dtypes & _FLOAT_PRECISE

    def op(input, other, *, out=None):
        if (input.__class__ is Tensor and other.__class__ is Tensor and out is None
                and input._dtype in fast_dtypes and (
                    input._dtype is other._dtype
                    or other._dtype is _dtype.bool and input._dtype in _FLOAT_PRECISE)):
            a = input._data
            b = other._data
            if b.dtype != a.dtype:  # a bool mask, promoted to the float type
                b = b.astype(a.dtype)
            try:
                data = kernel(a, b)
            except ValueError:
                raise broadcast_error(a.shape, b.shape) from None
            if data.__class__ is not _ndarray:
                data = _cpu.asarray(data)
            if not (a.flags.c_contiguous and b.flags.c_contiguous) or not data.size:
                data = _in_layout(data, (input, other))
            result = _make(data, _dtype.bool if kind is ALWAYS_BOOL else input._dtype,
                           input._device)
            if derivatives is not None and (input._requires_grad or other._requires_grad) and (
                    _grad_state.enabled):
                record(result, input, other)
            return result
        if (other.__class__ in _PYTHON_REALS and input.__class__ is Tensor and out is None
                and input._dtype in scalar_fast_dtypes):
            # A float tensor and a Python number: the tensor's dtype computes and results
            a = input._data
            data = kernel(a, input._dtype._np.type(other))
            if data.__class__ is not _ndarray:
                data = _cpu.asarray(data)
            if not a.flags.c_contiguous or not data.size:
                data = _in_layout(data, (input,), numbers=True)
            result = _make(data, _dtype.bool if kind is ALWAYS_BOOL else input._dtype,
                           input._device)
            if derivatives is not None and input._requires_grad and _grad_state.enabled:
                record(result, input, other)
            return result
        if numbers_refused:
            require_tensors(input, other)
        if check is not None:
            check(input, other)
        result = _run_binary(kernel, input, other, kind, dtypes, refuse, opmath,
                             unrounded_scalar=unrounded_scalar)
        if out is not None:
            check_out_allowed(name, input, other)
            return write_out(out, result)
        if derivatives is not None and needs_grad(input, other):
            record(result, input, other)
        return result

    def op_(self, other):
        if (other.__class__ is Tensor and self.__class__ is Tensor
                and self._dtype is other._dtype and self._dtype in fast_dtypes
                and self._data.shape == other._data.shape and kind is DEFAULT
                and 0 not in self._data.strides  # broadcast targets take check_inplace
                and not (_grad_state.enabled and (self._requires_grad or other._requires_grad))):
            # The common update (optimizers, gradient accumulation): no promotion, no graph
            kernel(self._data, other._data, out=self._data)
            self._bump_version()
            return self
        if numbers_refused:
            require_tensors(self, other, name + "_", 1)
        if check is not None:
            check(self, other)
        if derivatives is not None and needs_grad(self, other):
            return inplace_with_grad(self, lambda old: op(old, other))
        if kind is ALWAYS_BOOL and grad_fn is not None and needs_grad(self, other):
            # a comparison in place keeps the dtype, and PyTorch gives it a zero gradient
            return inplace_with_grad(self, lambda old: _zero_gradient_result(
                op(old, other), old, other, grad_fn(old, other)))
        return _run_binary(kernel, self, other, kind, dtypes, refuse, opmath, inplace=True,
                           unrounded_scalar=unrounded_scalar)

    return _declare(op, op_, name, inplace, method)


def _declare(op, op_, name, inplace, method):
    """Name the function and its in-place form, and attach them to Tensor if ``method``."""
    op.__name__ = name
    op_.__name__ = name + "_"
    if inplace:
        op.inplace = op_
    if method:
        setattr(Tensor, name, op)
        if inplace:
            setattr(Tensor, name + "_", op_)
    return op


def _zero_gradient_result(result, input, other, name):
    """``result`` in ``input``'s dtype, recorded as the node ``name`` with zero
    gradients."""
    result = result.to(input._dtype)
    record_op(name, (_zero_grad, _zero_grad), (input, other), (result,))
    return result


def unary(kernel, kind=DEFAULT, *, name, inplace=True, out=True, method=True, check=None,
          dtypes=_ALL_DTYPES, refuse=None, bool_out=False, grad_fn=None, derivative=None):
    """Declare a unary op over the backend ufunc ``kernel``: returns the function and
    attaches the method ``name`` (if ``method``) and ``name_`` (if ``inplace``); the
    function takes ``out=`` (which must be bool if ``bool_out``) if ``out``. ``check``,
    ``dtypes`` and ``refuse`` are as for ``binary``, ``dtypes`` naming input dtypes.

    Ops that keep their input's dtype (``DEFAULT``) want an ``out=`` of exactly that dtype,
    as PyTorch's do. ``derivative`` is the backward formula (it may read ``input`` and
    ``result``), recorded as the node ``grad_fn``."""
    refuse = refuse or _not_implemented(name + "_cpu")

    def run(input, inplace):
        try:
            input_dtype = input._dtype
        except AttributeError:
            raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                            f"{type(input).__name__}") from None
        if check is not None:
            check(input)
        dtype = result_dtype(input_dtype, kind)
        if inplace:
            check_inplace(input, dtype, input._data.shape)
        if input_dtype not in dtypes:
            raise refuse(input_dtype)
        # Comparisons and abs read the input in its own dtype; the rest compute in the result's.
        compute = compute_dtype(input_dtype if kind is ALWAYS_BOOL or kind is COMPLEX_TO_FLOAT
                                else dtype)._np
        source = operand(input, compute)
        if inplace:
            if compute is input_dtype._np:
                kernel(source, out=input._data)
            else:
                _cpu.copyto(input._data, kernel(source), casting="unsafe")
            input._bump_version()
            return input
        data = kernel(source)
        if not input._data.flags.c_contiguous:
            data = _in_layout(_cpu.asarray(data), (input,))
        result = finish(data, dtype, input._device)
        if derivative is not None and input._requires_grad and _grad_state.enabled:
            record_op(grad_fn, (derivative,), (input,), (result,),
                      {"input": input, "result": result})
        return result

    if out:
        def op(input, *, out=None):
            result = run(input, False)
            if out is None:
                return result
            check_out_allowed(name, input)
            if isinstance(out, Tensor):
                if bool_out and out._dtype is not _dtype.bool:
                    raise RuntimeError(f"{name} does not support non-boolean outputs.")
                if kind is COMPLEX_TO_FLOAT and input._dtype.is_complex:
                    if not out._dtype.is_complex:
                        # computed, then copied into a plainly resized out
                        return write_out(out, result.contiguous())
                    _check_out_dtype(out, input._dtype)
                elif kind is DEFAULT or kind is COMPLEX_TO_FLOAT:
                    _check_out_dtype(out, input._dtype)
            return write_out(out, result)
    else:
        def op(input):
            return run(input, False)

    def op_(self):
        if derivative is not None and needs_grad(self):
            return inplace_with_grad(self, lambda old: run(old, False))
        return run(self, True)

    return _declare(op, op_, name, inplace, method)
