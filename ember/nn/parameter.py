"""Parameters and buffers: the tensors a Module registers by attribute assignment."""

from __future__ import annotations

from ember._tensor import Tensor

__all__ = ["Parameter", "Buffer"]


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
