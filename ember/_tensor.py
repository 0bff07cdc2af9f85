"""Tensor: a strided view over a storage, see Note [Storage and views] in _storage.py."""

from __future__ import annotations

import builtins
import operator
import warnings

from ember import _device as _device_module
from ember import _dtype
from ember._device import _CPU, _as_device
from ember._size import Size, contiguous_format
from ember._storage import TypedStorage, UntypedStorage, _warn_typed_storage
from ember.autograd.grad_mode import state as _grad_state

__all__ = ["Tensor"]


class Tensor:
    """A multi-dimensional array of one dtype on one device.

    ``Tensor(data)`` is the legacy constructor: it builds a tensor of the default dtype from
    a sequence, or an uninitialized tensor from sizes. Prefer ``ember.tensor``.
    """

    # The autograd slots _output_nr, _grad_accumulator and _backward_hooks are written only
    # for tensors that take part in a graph (see Note [The autograd graph]).
    __slots__ = ("_data", "_dtype", "_device", "_storage", "_offset", "_base",
                 "_version_counter", "_requires_grad", "_grad", "_grad_fn", "_output_nr",
                 "_grad_accumulator", "_backward_hooks", "_retains_grad",
                 "_post_accumulate_grad_hooks", "_view_version", "__weakref__")
    __array_priority__ = 1000

    def __new__(cls, *args, device=None):
        from ember.ops.creation import _legacy_new

        return _legacy_new(cls, _dtype.get_default_dtype(), args, device)

    # --- metadata -----------------------------------------------------------------------

    @property
    def dtype(self):
        return self._dtype

    @property
    def device(self):
        return self._device

    @property
    def shape(self) -> Size:
        return tuple.__new__(Size, self._data.shape)  # a backend shape: ints already

    def size(self, dim: int | None = None):
        if dim is None:
            return tuple.__new__(Size, self._data.shape)
        return self._data.shape[_wrap_dim_of_sizes(dim, self._data.ndim)]

    def stride(self, dim: int | None = None):
        itemsize = self._data.itemsize
        if dim is None:
            return tuple(s // itemsize for s in self._data.strides)
        return self._data.strides[_wrap_dim_of_sizes(dim, self._data.ndim)] // itemsize

    def dim(self) -> int:
        return self._data.ndim

    ndimension = dim

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def numel(self) -> int:
        return self._data.size

    nelement = numel

    def element_size(self) -> int:
        return self._dtype.itemsize

    @property
    def itemsize(self) -> int:
        return self._dtype.itemsize

    @property
    def nbytes(self) -> int:
        return self._data.size * self._dtype.itemsize

    @property
    def is_cuda(self) -> bool:
        return self._device.type == "cuda"

    @property
    def is_cpu(self) -> bool:
        return self._device.type == "cpu"

    @property
    def is_meta(self) -> bool:
        return False

    @property
    def is_sparse(self) -> bool:
        return False

    @property
    def is_quantized(self) -> bool:
        return False

    @property
    def layout(self):
        from ember._size import strided

        return strided

    def is_floating_point(self) -> bool:
        return self._dtype.is_floating_point

    def is_complex(self) -> bool:
        return self._dtype.is_complex

    def is_signed(self) -> bool:
        return self._dtype.is_signed

    def is_same_size(self, other) -> bool:
        return self._data.shape == other._data.shape

    def get_device(self) -> int:
        return -1 if self._device.type == "cpu" else self._device.index

    # --- storage ------------------------------------------------------------------------

    def untyped_storage(self) -> UntypedStorage:
        owner = self._storage
        if owner is None:
            owner = self._storage = UntypedStorage._wrap(
                self._device._backend.byte_span(self._data), self._device)
            return owner
        if owner.__class__ is UntypedStorage:
            return owner
        return owner.untyped_storage()

    def storage(self) -> TypedStorage:
        _warn_typed_storage()
        return TypedStorage(wrap_storage=self.untyped_storage(), dtype=self._dtype,
                            _internal=True)

    def _typed_storage(self) -> TypedStorage:
        return TypedStorage(wrap_storage=self.untyped_storage(), dtype=self._dtype,
                            _internal=True)

    def share_memory_(self) -> Tensor:
        """Move this tensor's storage into memory other processes can map (a no-op when it is
        there already); see Note [Shared memory lifetime] in _storage.py."""
        self.untyped_storage().share_memory_()
        return self

    def is_shared(self) -> builtins.bool:
        return self.untyped_storage().is_shared()

    def storage_offset(self) -> int:
        if self._offset is None:
            backend = self._device._backend
            distance = (backend.data_pointer(self._data)
                        - backend.data_pointer(self.untyped_storage()._bytes))
            self._offset = distance // self._dtype.itemsize
        return self._offset

    def data_ptr(self) -> int:
        if not self._data.size:
            return 0  # PyTorch gives no address for a tensor without elements
        return self._device._backend.data_pointer(self._data)

    def is_contiguous(self, memory_format=None) -> bool:
        if memory_format is None or memory_format is contiguous_format:
            return _is_contiguous(self._data.shape, self.stride())
        from ember.ops.copying import _is_contiguous_in_format

        return _is_contiguous_in_format(self, memory_format)

    def is_set_to(self, other: Tensor) -> bool:
        return self.untyped_storage() is other.untyped_storage() and (
            self.storage_offset() == other.storage_offset()
            and self._data.shape == other._data.shape and self.stride() == other.stride())

    @property
    def _version(self) -> int:
        counter = self._version_counter
        if counter is _INFERENCE_VERSIONS:
            raise RuntimeError("Inference tensors do not track version counter.")
        return 0 if counter is None else counter[0]

    def _bump_version(self):
        counter = self._version_counter
        if counter is None:
            self._version_counter = [1]
        elif counter is _INFERENCE_VERSIONS:
            if not _grad_state.inference:  # PyTorch refuses it here too, after the write
                raise RuntimeError(
                    "Inplace update to inference tensor outside InferenceMode is not allowed."
                    "You can make a clone to get a normal tensor before doing inplace update."
                    "See https://github.com/pytorch/rfcs/pull/17 for more details.")
        else:
            counter[0] += 1

    def is_inference(self) -> bool:
        """Whether this tensor was made in inference mode (Note [Inference tensors])."""
        return self._version_counter is _INFERENCE_VERSIONS

    def _shared_version_counter(self):
        counter = self._version_counter
        if counter is None:
            counter = self._version_counter = [0]
        return counter

    def _is_view(self) -> bool:
        return self._base is not None

    def _set_layout(self, storage: UntypedStorage, offset: int, size, stride):
        """Point this tensor at (storage, offset, size, stride), growing the storage if it is
        too small, as set_ and resize_ do."""
        if offset < 0:
            raise RuntimeError(f"Tensor: invalid storage offset {offset}")
        if any(n < 0 for n in size):
            raise RuntimeError("numel: integer multiplication overflow")
        needed = 0 if 0 in size else (offset + 1 + builtins.sum(
            (n - 1) * s for n, s in zip(size, stride))) * self._dtype.itemsize
        if needed > len(storage):
            # Other tensors on this storage keep the old memory: see the xfail in
            # tests/test_storage.py.
            grown = self._device._backend.empty_bytes(needed)
            grown[: len(storage)] = storage._bytes
            storage._bytes = grown
        backend = self._device._backend
        if needed:
            self._data = backend.strided_view(storage._bytes, self._dtype._np, tuple(size),
                                              tuple(stride), offset)
        else:  # empty: it may start past the end of the storage, where NumPy cannot point
            self._data = backend.strided_view(backend.empty_bytes(0), self._dtype._np,
                                              tuple(size), tuple(stride), 0)
        self._storage = storage
        self._offset = offset

    def set_(self, source=None, storage_offset: int = 0, size=None, stride=None):
        """Make this tensor a view of ``source`` (a tensor or a storage): all of it, or
        ``size`` elements ``stride`` apart from ``storage_offset``."""
        if source is None:
            source, size = UntypedStorage(0, device=self._device), (0,)
        if isinstance(source, Tensor):
            if source._dtype is not self._dtype:
                raise RuntimeError(f"Could not set tensor of type {source._dtype._cpp_name} "
                                   f"to a tensor of type {self._dtype._cpp_name}")
            if size is None:
                storage_offset, size, stride = (source.storage_offset(), source.shape,
                                                source.stride())
            storage = source.untyped_storage()
        else:
            if isinstance(source, TypedStorage):
                if source.dtype is not self._dtype:
                    raise RuntimeError(f"Expected a Storage of type {self._dtype._cpp_name} "
                                       "or an UntypedStorage, but got type "
                                       f"{source.dtype._legacy_name} for argument 1 'storage'")
                source = source.untyped()
            storage = source
            if size is None:
                size = (len(source) // self._dtype.itemsize - storage_offset,)
        size = tuple(size)
        if stride is None:
            stride = _contiguous_strides(size)
        elif len(stride) != len(size):
            raise RuntimeError(f"unequal size length ({len(size)}) and stride length "
                               f"({len(stride)})")
        self._set_layout(storage, storage_offset, size, tuple(stride))
        self._bump_version()
        return self

    def resize_(self, *sizes, memory_format=None) -> Tensor:
        """Give this tensor ``sizes``, row-major from its storage offset, growing the storage
        when it is too small; the elements already there keep their values."""
        if self._requires_grad:
            raise RuntimeError("cannot resize variables that require grad")
        size = _sizes_from_args(sizes)
        if size == self._data.shape:
            return self
        self._set_layout(self.untyped_storage(), self.storage_offset(), size,
                         _contiguous_strides(size))
        self._bump_version()
        return self

    def resize_as_(self, other: Tensor) -> Tensor:
        return self.resize_(other.shape)

    # --- autograd state (the engine itself lives in ember.autograd) ----------------------

    @property
    def requires_grad(self) -> bool:
        if self._base is not None:
            _refresh_view(self)
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool):
        self._set_requires_grad(value, "attribute")

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        return self._set_requires_grad(requires_grad, "method")

    def _set_requires_grad(self, requires_grad: bool, caller: str) -> Tensor:
        """requires_grad_ for ``caller`` ("method", "attribute" or "factory"): PyTorch words
        the refusal of an integer tensor differently from each."""
        if self._grad_fn is not None:
            if not requires_grad:
                raise RuntimeError(
                    "you can only change requires_grad flags of leaf variables. If you want to "
                    "use a computed variable in a subgraph that doesn't require "
                    "differentiation use var_no_grad = var.detach().")
            return self
        if requires_grad and not (self._dtype.is_floating_point or self._dtype.is_complex):
            raise RuntimeError(_NOT_DIFFERENTIABLE[caller])
        if requires_grad and self._version_counter is _INFERENCE_VERSIONS and (
                not _grad_state.inference):
            raise RuntimeError("Setting requires_grad=True on inference tensor outside "
                               "InferenceMode is not allowed.")
        if requires_grad and not self._requires_grad:
            self._output_nr = 0
            self._grad_accumulator = getattr(self, "_grad_accumulator", None)
            self._backward_hooks = getattr(self, "_backward_hooks", None)
        self._requires_grad = requires_grad
        return self

    @property
    def grad(self):
        if self._grad_fn is not None and not getattr(self, "_retains_grad", False):
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. "
                "Its .grad attribute won't be populated during autograd.backward(). If you "
                "indeed want the .grad field to be populated for a non-leaf Tensor, use "
                ".retain_grad() on the non-leaf Tensor. If you access the non-leaf Tensor by "
                "mistake, make sure you access the leaf Tensor instead. See "
                "github.com/pytorch/pytorch/pull/30531 for more information. (Triggered "
                "internally at /pytorch/build/aten/src/ATen/core/TensorBody.h:489.)",
                UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad "
                                f"of type {type(value).__name__}")
            if value._dtype is not self._dtype:
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{value._dtype._cpp_name}' "
                    f"to a tensor with grad_dtype '{self._dtype._legacy_name}'. The gradient "
                    "must match the tensor's grad_dtype (defaults to the tensor's dtype). You "
                    "can set the tensor's grad_dtype attribute with a specific dtype, or None "
                    "to allow any dtype. Set grad_dtype with caution. Diverging the dtypes of "
                    "a tensor and its gradient may break downstream systems that assume they "
                    "match.")
            if value._device != self._device:
                raise RuntimeError(
                    f"attempting to assign a gradient with device type '{value._device.type}' "
                    f"to a tensor with device type '{self._device.type}'. Please ensure that "
                    "the gradient and the tensor are on the same device")
            if value._data.shape != self._data.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{list(value._data.shape)}' to a "
                    f"tensor of size '{list(self._data.shape)}'. Please ensure that the "
                    "gradient and the tensor are the same size")
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    @property
    def grad_fn(self):
        if self._base is not None:
            _refresh_view(self, check_no_grad_view=True)
        return self._grad_fn

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def output_nr(self) -> int:
        return self._output_nr if self._grad_fn is not None else 0

    @property
    def retains_grad(self) -> bool:
        return self._grad_fn is not None and getattr(self, "_retains_grad", False)

    def retain_grad(self) -> None:
        """Keep this non-leaf tensor's gradient in ``.grad`` during backward."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self._grad_fn is None or getattr(self, "_retains_grad", False):
            return
        self._retains_grad = True
        self._grad_fn._register_retain_grad(self._output_nr, self)

    def register_hook(self, hook):
        """``hook(grad)`` runs when this tensor's gradient is computed; it may return a
        replacement gradient. Returns a handle whose ``remove()`` unregisters it."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require "
                               "gradient")
        if self._grad_fn is not None:
            return self._grad_fn._register_tensor_hook(self._output_nr, hook)
        from ember.autograd.graph import _add_hook

        if self._backward_hooks is None:
            self._backward_hooks = {}
        return _add_hook(self._backward_hooks, hook)

    def register_post_accumulate_grad_hook(self, hook):
        """``hook(tensor)`` runs after a gradient has been accumulated into this leaf's
        ``.grad``. Returns a handle whose ``remove()`` unregisters it."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require "
                               "gradient")
        if self._grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf "
                               "tensors")
        from ember.autograd.graph import _add_hook

        hooks = getattr(self, "_post_accumulate_grad_hooks", None)
        if hooks is None:
            hooks = self._post_accumulate_grad_hooks = {}
        return _add_hook(hooks, hook)

    def backward(self, gradient=None, retain_graph=None, create_graph: bool = False,
                 inputs=None) -> None:
        """Accumulate the gradient of this tensor into the ``.grad`` of graph leaves."""
        from ember.autograd.engine import backward

        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    @property
    def data(self) -> Tensor:
        # Unlike detach(), changes made through .data are invisible to autograd's version
        # checks: PyTorch gives it a version counter of its own.
        data = self.detach()
        if not data.is_inference():  # an inference tensor's .data is one too
            data._version_counter = None
        return data

    @data.setter
    def data(self, value: Tensor):
        # The tensor takes over ``value``'s memory and type, keeping its autograd identity.
        self._data = value._data
        self._dtype = value._dtype
        self._device = value._device
        self._storage = value if value._storage is None else value._storage
        self._offset = value._offset

    # --- conversion ---------------------------------------------------------------------

    def numpy(self, *, force: bool = False):
        if self._requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. "
                               "Use tensor.detach().numpy() instead.")
        if self._device.type != "cpu":
            raise TypeError(f"can't convert {self._device.type}:{self._device.index or 0} "
                            "device type tensor to numpy. Use Tensor.cpu() to copy the "
                            "tensor to host memory first.")
        if self._dtype is _dtype.bfloat16:
            raise TypeError("Got unsupported ScalarType BFloat16")
        if not self._data.size:  # NumPy's own empty arrays, with all-zero strides
            return self._device._backend.empty(self._data.shape, self._data.dtype)
        return self._data.view()

    def __array__(self, dtype=None, copy=None):
        # NumPy sees the tensor's memory, under numpy()'s rules (no grad, no bfloat16).
        array = self.numpy()
        if dtype is not None and array.dtype != dtype:
            return array.astype(dtype)
        return array.copy() if copy else array

    def tolist(self):
        data = self._data
        if self._dtype.itemsize == 2 and self._dtype.is_floating_point:
            data = data.astype("f4")
        return data.tolist()

    def item(self):
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be "
                               "converted to Scalar")
        value = self._data.reshape(()).item()
        if self._dtype.itemsize == 2 and self._dtype.is_floating_point:
            value = builtins.float(value)
        return value

    def __bool__(self):
        if self._data.size != 1:
            amount = "no values" if not self._data.size else "more than one value"
            raise RuntimeError(f"Boolean value of Tensor with {amount} is ambiguous")
        return builtins.bool(self._data.reshape(()).item())

    is_nonzero = __bool__

    def _python_scalar(self):
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self.item()

    def __float__(self):
        value = self._python_scalar()
        if isinstance(value, builtins.complex):
            raise RuntimeError("value cannot be converted to type double without overflow")
        return builtins.float(value)

    def __int__(self):
        value = self._python_scalar()
        if isinstance(value, builtins.complex):
            value = value.real  # PyTorch keeps the real part here
        return builtins.int(value)

    def __complex__(self):
        return builtins.complex(self._python_scalar())

    def __index__(self):
        if self._dtype.is_floating_point or self._dtype.is_complex or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to "
                            "an index")
        return builtins.int(self.item())

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __hash__(self):
        return id(self)

    def __format__(self, format_spec):
        if self._data.ndim == 0:
            return self.item().__format__(format_spec)
        if format_spec:
            raise TypeError("unsupported format string passed to Tensor.__format__")
        return str(self)

    def __repr__(self):
        from ember._tensor_str import tensor_repr

        return tensor_repr(self)

    __str__ = __repr__

    def __reduce_ex__(self, protocol):
        from ember.ops.creation import _rebuild_from_array

        return _rebuild_from_array, (self._data.copy(), self._dtype._name)

    def __deepcopy__(self, memo):
        copied = self.clone()
        memo[id(self)] = copied
        return copied

    def __setstate__(self, state):
        raise RuntimeError("Tensor state cannot be set directly")

    def type(self, dtype=None, non_blocking: bool = False, **kwargs):
        if kwargs:
            raise TypeError(f"type() got an unexpected keyword argument '{next(iter(kwargs))}'")
        if dtype is None:
            return f"torch.{self._dtype._legacy_name}Tensor"
        if not isinstance(dtype, _dtype.dtype):
            dtype = _dtype_from_type_name(dtype)
        return self.to(dtype)

    def to(self, *args, **kwargs) -> Tensor:
        device, dtype, copy = _parse_to(args, kwargs)
        # A device given with an index (even "cpu:0") is not the tensor's device, so
        # PyTorch copies.
        if (dtype is None or dtype is self._dtype) and (device is None
                                                        or device == self._device):
            return self.clone() if copy else self
        from ember.ops.creation import _converted

        return _converted(self, dtype or self._dtype, _as_device(device or self._device))

    def cpu(self, memory_format=None) -> Tensor:
        return self.to("cpu")

    def cuda(self, device=None, non_blocking: bool = False) -> Tensor:
        return self.to("cuda" if device is None else device)

    def float(self) -> Tensor:
        return self.to(_dtype.float32)

    def double(self) -> Tensor:
        return self.to(_dtype.float64)

    def half(self) -> Tensor:
        return self.to(_dtype.float16)

    def bfloat16(self) -> Tensor:
        return self.to(_dtype.bfloat16)

    def long(self) -> Tensor:
        return self.to(_dtype.int64)

    def int(self) -> Tensor:
        return self.to(_dtype.int32)

    def short(self) -> Tensor:
        return self.to(_dtype.int16)

    def char(self) -> Tensor:
        return self.to(_dtype.int8)

    def byte(self) -> Tensor:
        return self.to(_dtype.uint8)

    def bool(self) -> Tensor:
        return self.to(_dtype.bool)

    def cfloat(self) -> Tensor:
        return self.to(_dtype.complex64)

    def cdouble(self) -> Tensor:
        return self.to(_dtype.complex128)

    def type_as(self, other: Tensor) -> Tensor:
        return self.to(other._dtype)


# Note [Inference tensors]
# A tensor made in inference mode is an inference tensor, as in PyTorch: it keeps no version
# count (all inference tensors hold the counter below, which never moves), and outside
# inference mode it may be neither changed in place, nor saved for backward, nor made to
# require grad. Its views share the counter, so they are inference tensors too; a view made
# in inference mode of a normal tensor is a normal tensor.
_INFERENCE_VERSIONS = [0]


def _make(data, dtype, device=_CPU) -> Tensor:
    """A tensor that owns ``data``, a fresh backend array: the hot path of every op."""
    if not data.size and data.ndim and not any(data.strides):
        # NumPy gives empty arrays all-zero strides; PyTorch's fresh tensors are row-major
        backend = device._backend
        data = backend.strided_view(backend.empty_bytes(0), data.dtype, data.shape,
                                    _contiguous_strides(data.shape), 0)
    t = _new_tensor(Tensor)
    t._data = data
    t._dtype = dtype
    t._device = device
    t._storage = None
    t._offset = 0
    t._base = None
    t._version_counter = _INFERENCE_VERSIONS if _grad_state.inference else None
    t._requires_grad = False
    t._grad = None
    t._grad_fn = None
    return t


def _make_view(base: Tensor, data, offset: int | None = None) -> Tensor:
    """A view of ``base`` whose values are ``data``, an array over ``base``'s memory with
    PyTorch's strides. ``offset`` is in elements; None means derive it when asked."""
    t = _new_tensor(Tensor)
    t._data = data
    t._dtype = base._dtype
    t._device = base._device
    t._storage = base if base._storage is None else base._storage
    t._offset = offset
    t._base = base if base._base is None else base._base
    t._version_counter = counter = base._shared_version_counter()
    enabled = _grad_state.enabled
    t._view_version = (counter[0], enabled)  # see Note [View histories]
    t._requires_grad = False
    t._grad = None
    t._grad_fn = None
    if not enabled and base._requires_grad:
        t._set_requires_grad(True, "method")  # a leaf of its own, as in PyTorch
    return t


_new_tensor = object.__new__


def _product(sizes) -> int:
    result = 1
    for n in sizes:
        result *= n
    return result


def _contiguous_strides(sizes) -> tuple:
    strides = []
    step = 1
    for n in reversed(sizes):
        strides.append(step)
        step *= max(n, 1)
    return tuple(reversed(strides))


def _is_contiguous(sizes, strides) -> bool:
    if 0 in sizes:
        return True
    expected = 1
    for n, s in zip(reversed(sizes), reversed(strides)):
        if n != 1:
            if s != expected:
                return False
            expected *= n
    return True


def _refresh_view(view, check_no_grad_view=False):
    from ember.ops._autograd import refresh_view

    refresh_view(view, check_no_grad_view)


_NOT_DIFFERENTIABLE = {
    "method": "only Tensors of floating point dtype can require gradients",
    "attribute": "only Tensors of floating point and complex dtype can require gradients",
    "factory": "Only Tensors of floating point and complex dtype can require gradients",
}

def _check_in_bounds(storage, dtype, offset, size, stride):
    if offset < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {offset}")
    if any(n == 0 for n in size):
        return
    last = offset + builtins.sum((n - 1) * s for n, s in zip(size, stride))
    needed = (last + 1) * dtype.itemsize
    if needed > len(storage):
        raise RuntimeError(
            f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset "
            f"{offset}, and itemsize {dtype.itemsize} requiring a storage size of {needed} "
            f"are out of bounds for storage of size {len(storage)}")


def _wrap_dim_of_sizes(dim: int, ndim: int) -> int:
    """``_wrap_dim`` for ``size(dim)`` / ``stride(dim)``, which a 0-dim tensor refuses."""
    if ndim == 0 and isinstance(dim, builtins.int):
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    return _wrap_dim(dim, ndim)


def _wrap_dim(dim: int, ndim: int) -> int:
    """``dim`` made non-negative; 0-dim tensors accept dims -1 and 0, as in PyTorch."""
    bound = ndim if ndim else 1
    if not -bound <= dim < bound:
        if not isinstance(dim, builtins.int):
            raise TypeError(f"dim must be an int, not {type(dim).__name__}")
        raise IndexError(f"Dimension out of range (expected to be in range of "
                         f"[{-bound}, {bound - 1}], but got {dim})")
    return dim + bound if dim < 0 else dim


def _sizes_from_args(args) -> tuple:
    """Sizes given either as ``f(2, 3)`` or ``f((2, 3))`` / ``f(Size([2, 3]))``."""
    if len(args) == 1 and not isinstance(args[0], builtins.int):
        args = args[0]
        if args.__class__ is not builtins.tuple:
            args = tuple(args) if hasattr(args, "__iter__") else (args,)
    for n in args:
        if n.__class__ is not builtins.int:
            break
    else:
        return args  # the fast path: Python ints already
    try:
        return tuple(operator.index(n) for n in args)
    except TypeError:
        raise TypeError(f"expected a sequence of integers, got {args!r}") from None


_TYPE_NAMES = {f"torch.{d._legacy_name}Tensor": d for d in _dtype.ALL_DTYPES}


def _dtype_from_type_name(name):
    """The dtype named by a legacy tensor type: a class like ``FloatTensor`` or its name
    ``'torch.FloatTensor'``; ``Tensor`` means the default dtype."""
    if isinstance(name, builtins.type):
        if name is Tensor:
            return _dtype.get_default_dtype()
        legacy = getattr(name, "_legacy_dtype", None)
        if legacy is not None:
            return legacy
        name = name.__name__
    if name == "torch.Tensor":
        return _dtype.get_default_dtype()
    if isinstance(name, str) and name.startswith("torch.cuda."):
        raise RuntimeError("Torch not compiled with CUDA enabled")
    try:
        return _TYPE_NAMES[name]
    except (KeyError, TypeError):
        raise ValueError(f"invalid type: '{name}'") from None


_TO_KEYWORDS = ("device", "dtype", "non_blocking", "copy", "memory_format")


def _to_error(args, kwargs) -> TypeError:
    names = [type(a).__name__ for a in args] + [f"{k}={type(v).__name__}"
                                                 for k, v in kwargs.items()]
    return TypeError(f"to() received an invalid combination of arguments - got "
                     f"({', '.join(names)}), but expected one of: (device, dtype, "
                     "non_blocking, copy), (dtype, non_blocking, copy) or (tensor, "
                     "non_blocking, copy)")


def _parse_to(args, kwargs):
    """Unpack the overloads of ``Tensor.to`` into (device, dtype, copy); the device is as
    given, not yet checked for a backend. The overloads are (device=None, dtype=None,
    non_blocking=False, copy=False), (dtype, non_blocking=False, copy=False) and
    (tensor, non_blocking=False, copy=False)."""
    for key in kwargs:
        if key not in _TO_KEYWORDS:
            raise TypeError(f"to() got an unexpected keyword argument '{key}'")
    device = kwargs.get("device")
    dtype = kwargs.get("dtype")
    rest = args
    if args:
        first = args[0]
        if isinstance(first, _dtype.dtype):
            if "dtype" in kwargs or "device" in kwargs:
                raise _to_error(args, kwargs)
            dtype, rest = first, args[1:]
        elif isinstance(first, Tensor):
            if "dtype" in kwargs or "device" in kwargs:
                raise _to_error(args, kwargs)
            device, dtype, rest = first._device, first._dtype, args[1:]
        elif not isinstance(first, builtins.bool):
            if "device" in kwargs:
                raise _to_error(args, kwargs)
            device, rest = first, args[1:]
            if rest and (rest[0] is None or isinstance(rest[0], _dtype.dtype)):
                if "dtype" in kwargs:
                    raise _to_error(args, kwargs)
                dtype, rest = rest[0], rest[1:]
    flags = ("non_blocking", "copy")
    if len(rest) > 2 or not builtins.all(isinstance(f, builtins.bool) for f in rest) or any(
            name in kwargs for name in flags[: len(rest)]):
        raise _to_error(args, kwargs)
    copy = rest[1] if len(rest) == 2 else kwargs.get("copy", False)
    if device is not None:
        device = _device_module.device(device)
    return device, dtype, copy


# Messages of PyTorch's once-per-process warnings that have been given in this process.
_WARNINGS_GIVEN = set()


def _warn_once(message: str, stacklevel: int = 2):
    """Warn as PyTorch's TORCH_WARN_ONCE does: the first time only."""
    if message not in _WARNINGS_GIVEN:
        _WARNINGS_GIVEN.add(message)
        warnings.warn(message, UserWarning, stacklevel=stacklevel + 1)


def is_tensor(obj) -> builtins.bool:
    return isinstance(obj, Tensor)


def is_storage(obj) -> builtins.bool:
    return isinstance(obj, UntypedStorage | TypedStorage)


def is_floating_point(input: Tensor) -> builtins.bool:
    return input._dtype.is_floating_point


def is_complex(input: Tensor) -> builtins.bool:
    return input._dtype.is_complex


def numel(input: Tensor) -> builtins.int:
    return input._data.size


def is_nonzero(input: Tensor) -> builtins.bool:
    return input.is_nonzero()


def is_same_size(input: Tensor, other: Tensor) -> builtins.bool:
    return input.is_same_size(other)


def is_signed(input: Tensor) -> builtins.bool:
    return input._dtype.is_signed


def typename(obj) -> str:
    """The legacy type name of a tensor (``"torch.FloatTensor"``); for anything else its
    qualified name if it has one (classes, functions, modules), else its type's."""
    if isinstance(obj, Tensor):
        return obj.type()
    name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None)
    if name is not None:
        module = getattr(obj, "__module__", None) or ""
    else:
        module, name = type(obj).__module__, type(obj).__qualname__
    return name if module in ("", "builtins") else f"{module}.{name}"
