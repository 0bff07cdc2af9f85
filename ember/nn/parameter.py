"""Parameters and buffers: the tensors a Module registers by attribute assignment."""

from __future__ import annotations

from ember._tensor import Tensor

__all__ = ["Parameter", "Buffer", "UninitializedParameter", "UninitializedBuffer"]


def _share(cls, data: Tensor, requires_grad: bool) -> Tensor:
    """A leaf of class ``cls`` over ``data``'s memory and version counter."""
    source = data.detach()
    t = object.__new__(cls)
    for slot in ("_data", "_dtype", "_device", "_storage", "_offset", "_version_counter"):
        setattr(t, slot, getattr(source, slot))
    t._base = None
    t._grad = None
    t._grad_fn = None
    t._requires_grad = False
    if requires_grad:
        t._set_requires_grad(True, "factory")
    return t


class Parameter(Tensor):
    """A tensor that a Module lists among its parameters when assigned as an attribute.

    Like PyTorch's, it requires grad by default, even under ``no_grad``.
    """

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            from ember.ops.creation import empty

            data = empty(0)
        return _share(cls, data, requires_grad)

    def __init__(self, data=None, requires_grad=True):
        pass

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.data.clone(), self.requires_grad)
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, proto):
        return (Parameter, (self.data, self.requires_grad))

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__


class Buffer(Tensor):
    """A tensor that a Module lists among its buffers when assigned as an attribute.

    PyTorch returns a plain tensor flagged as a buffer; ember's tensors take no new
    attributes, so the buffer is an instance of this class (``isinstance(t, Buffer)`` holds
    alike) carrying ``persistent``.
    """

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            from ember.ops.creation import empty

            data = empty(0)
        t = _share(cls, data, data.requires_grad)
        t.persistent = persistent
        return t

    def __init__(self, data=None, *, persistent=True):
        pass

    def __reduce_ex__(self, proto):
        return (_rebuild_buffer, (self.data, self.persistent))


def _rebuild_buffer(data, persistent):
    return Buffer(data, persistent=persistent)


_UNINITIALIZED_SHAPE = (
    "Can't access the shape of an uninitialized parameter or buffer. This error usually "
    "happens in `load_state_dict` when trying to load an uninitialized parameter into an "
    "initialized one. Call `forward` to initialize the parameters before accessing their "
    "attributes.")


class UninitializedTensorMixin:
    """What uninitialized parameters and buffers share: no shape until ``materialize``
    gives them one, and with it the class they stand in for (``cls_to_become``)."""

    __slots__ = ()
    cls_to_become = None

    def materialize(self, shape, device=None, dtype=None) -> None:
        """Give the tensor memory of ``shape`` (uninitialized values) and become a
        ``cls_to_become`` in place."""
        from ember.ops.creation import empty

        device = self._device if device is None else device
        dtype = self._dtype if dtype is None else dtype
        self.data = empty(shape, device=device, dtype=dtype)
        self.__class__ = self.cls_to_become

    @property
    def shape(self):
        raise RuntimeError(_UNINITIALIZED_SHAPE)

    def numel(self):
        raise ValueError(
            "Attempted to use an uninitialized parameter in numel. This error happens when "
            "you are using a `LazyModule` or explicitly manipulating "
            "`torch.nn.parameter.UninitializedParameter` objects. When using LazyModules Call "
            "`forward` with a dummy batch to initialize the parameters before calling torch "
            "functions")

    def __repr__(self) -> str:
        return f"<{self.__class__.__name__}>"

    __str__ = __repr__

    def _converted(self, method: str, *args, **kwargs):
        """A conversion (``to``, ``double``, ...) keeps the tensor uninitialized: a new one
        of the converted dtype and device, as Module.to and friends expect."""
        converted = getattr(Tensor, method)(self.detach(), *args, **kwargs)
        if not isinstance(converted, Tensor):  # e.g. type() without arguments: the name
            return converted
        return type(self)(self.requires_grad, device=converted._device,
                          dtype=converted._dtype)

    def to(self, *args, **kwargs):
        return self._converted("to", *args, **kwargs)

    def double(self):
        return self._converted("double")

    def float(self):
        return self._converted("float")

    def half(self):
        return self._converted("half")

    def bfloat16(self):
        return self._converted("bfloat16")

    def cpu(self):
        return self._converted("cpu")

    def cuda(self, device=None, non_blocking=False):
        return self._converted("cuda", device, non_blocking)

    def type(self, dtype=None, non_blocking=False):
        return self._converted("type", dtype, non_blocking)

    def __reduce_ex__(self, proto):
        return (self.__class__, (self.requires_grad,))

    def __deepcopy__(self, memo):
        if id(self) not in memo:
            memo[id(self)] = type(self)(self.requires_grad, self._device, self._dtype)
        return memo[id(self)]


def _uninitialized(cls, requires_grad, device, dtype):
    from ember.ops.creation import empty

    return _share(cls, empty(0, device=device, dtype=dtype), requires_grad)


def is_lazy(tensor) -> bool:
    """Whether ``tensor`` is an uninitialized parameter or buffer."""
    return isinstance(tensor, UninitializedTensorMixin)


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """A parameter whose shape a lazy module infers from its first input.

    Example::

        >>> p = ember.nn.UninitializedParameter()
        >>> p.materialize((2, 3))
        >>> type(p).__name__, tuple(p.shape)
        ('Parameter', (2, 3))
    """

    cls_to_become = Parameter

    def __new__(cls, requires_grad=True, device=None, dtype=None):
        return _uninitialized(cls, requires_grad, device, dtype)

    def __init__(self, requires_grad=True, device=None, dtype=None):
        pass


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    """A buffer whose shape a lazy module infers from its first input; it becomes a plain
    tensor when materialized."""

    __slots__ = ()
    cls_to_become = Tensor

    def __new__(cls, requires_grad=False, device=None, dtype=None, persistent=True):
        return _uninitialized(cls, requires_grad, device, dtype)

    def __init__(self, requires_grad=False, device=None, dtype=None, persistent=True):
        pass
