"""DLPack: sharing tensor memory with NumPy, PyTorch and other array libraries, zero-copy.

Note [DLPack through NumPy]
A CPU tensor's values are a strided NumPy view over its storage (``Tensor._data``), so NumPy's
own DLPack support does the exchange: exporting hands out NumPy's capsule for that view
(whose deleter keeps the view, hence the storage, alive), importing wraps the array that
``numpy.from_dlpack`` builds (which keeps the producer's capsule alive). Strides and the
first element's address travel unchanged, so writes show on both sides. NumPy has no
bfloat16 in DLPack: such tensors travel as int16 whose capsule's type code is rewritten
(kDLInt <-> kDLBfloat, both 16 bits wide) before anyone reads it.
"""

from __future__ import annotations

import ctypes
import enum

import numpy

from ember import _dtype
from ember._device import _as_device
from ember._tensor import Tensor, _make

__all__ = ["DLDeviceType", "from_dlpack", "to_dlpack"]


class DLDeviceType(enum.IntEnum):
    """Device codes of the DLPack standard (what ``__dlpack_device__`` returns first)."""

    kDLCPU = 1
    kDLCUDA = 2
    kDLCUDAHost = 3
    kDLOpenCL = 4
    kDLVulkan = 7
    kDLMetal = 8
    kDLVPI = 9
    kDLROCM = 10
    kDLROCMHost = 11
    kDLExtDev = 12
    kDLCUDAManaged = 13
    kDLOneAPI = 14
    kDLWebGPU = 15
    kDLHexagon = 16
    kDLMAIA = 17


def to_dlpack(tensor: Tensor):
    """A DLPack capsule sharing ``tensor``'s memory, for a consumer's ``from_dlpack``.

    Example::

        >>> t = ember.arange(3)
        >>> numpy_array = numpy.from_dlpack(t)  # or torch.from_dlpack(to_dlpack(t))
    """
    return _export(tensor)  # unlike __dlpack__, this accepts tensors that require grad


def from_dlpack(ext_tensor, *, device=None, copy: bool | None = None) -> Tensor:
    """A tensor sharing the memory of ``ext_tensor``: an object with ``__dlpack__`` and
    ``__dlpack_device__`` (a NumPy array, a PyTorch tensor, ...) or a DLPack capsule.

    Args:
        ext_tensor: the producer.
        device: where the tensor goes; ember computes on the CPU only.
        copy: True copies the values; False or None shares memory (always possible on the
            CPU).

    Example::

        >>> array = numpy.zeros(3)
        >>> from_dlpack(array).add_(1)
        tensor([1., 1., 1.], dtype=torch.float64)
        >>> array
        array([1., 1., 1.])
    """
    # ember.utils loads before ember.ops (autograd needs its hooks), hence the late import
    from ember.ops.creation import _check_numpy_strides

    _as_device(device)
    source = _Relabeling(ext_tensor)
    array = numpy.from_dlpack(source)
    if source.carried_bfloat16:
        array = array.view(_dtype.bfloat16._np)
    _check_numpy_strides(array)
    try:
        dtype = _dtype._from_np(array.dtype)
    except TypeError:
        raise TypeError(f"from_dlpack: ember has no dtype for {array.dtype} data") from None
    return _make(array.copy() if copy else array, dtype)


# --- the Tensor protocol ------------------------------------------------------------------


def _tensor_dlpack(self, *, stream=-1, max_version=None, dl_device=None, copy=None):
    """A DLPack capsule over this tensor's memory (a copy's if ``copy`` is True); see the
    array API standard for the arguments. Tensors that require grad refuse."""
    if self._requires_grad:
        raise BufferError("Can't export tensors that require gradient, use tensor.detach()")
    if stream is not None and stream != -1:
        raise AssertionError("stream should be None on cpu.")
    return _export(self, max_version=max_version, dl_device=dl_device, copy=copy)


def _export(tensor: Tensor, **request):
    """NumPy's capsule for the tensor's array, see Note [DLPack through NumPy]."""
    if tensor._dtype is not _dtype.bfloat16:
        return tensor._data.__dlpack__(**request)
    capsule = tensor._data.view(numpy.int16).__dlpack__(**request)
    _dl_tensor(capsule).dtype.code = _DL_BFLOAT
    return capsule


def _tensor_dlpack_device(self) -> tuple[DLDeviceType, int]:
    return DLDeviceType.kDLCPU, 0


Tensor.__dlpack__ = _tensor_dlpack
Tensor.__dlpack_device__ = _tensor_dlpack_device


# --- capsules -----------------------------------------------------------------------------

# DLPack's C structures, read and patched in place through ctypes.
_DL_INT, _DL_BFLOAT = 0, 4  # DLDataTypeCode values
_LEGACY, _VERSIONED = b"dltensor", b"dltensor_versioned"


class _DLDevice(ctypes.Structure):
    _fields_ = [("device_type", ctypes.c_int32), ("device_id", ctypes.c_int32)]


class _DLDataType(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint8), ("bits", ctypes.c_uint8), ("lanes", ctypes.c_uint16)]


class _DLTensor(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("device", _DLDevice), ("ndim", ctypes.c_int32),
                ("dtype", _DLDataType), ("shape", ctypes.c_void_p), ("strides", ctypes.c_void_p),
                ("byte_offset", ctypes.c_uint64)]


class _DLManagedTensorVersionedHead(ctypes.Structure):
    """What precedes the DLTensor in a versioned capsule (the legacy one starts with it)."""

    _fields_ = [("major", ctypes.c_uint32), ("minor", ctypes.c_uint32),
                ("manager_ctx", ctypes.c_void_p), ("deleter", ctypes.c_void_p),
                ("flags", ctypes.c_uint64)]


_capsule_pointer = ctypes.pythonapi.PyCapsule_GetPointer
_capsule_pointer.restype = ctypes.c_void_p
_capsule_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
_capsule_is_valid = ctypes.pythonapi.PyCapsule_IsValid
_capsule_is_valid.restype = ctypes.c_int
_capsule_is_valid.argtypes = [ctypes.py_object, ctypes.c_char_p]


def _capsule_name(obj) -> bytes | None:
    """The DLPack name of ``obj`` if it is an unconsumed DLPack capsule, else None."""
    for name in (_LEGACY, _VERSIONED):
        if _capsule_is_valid(obj, name):
            return name
    return None


def _dl_tensor(capsule) -> _DLTensor:
    """The DLTensor inside an unconsumed capsule, as a live ctypes view."""
    name = _capsule_name(capsule)
    if name is None:
        raise RuntimeError(f"__dlpack__ returned {type(capsule).__name__}, not a DLPack capsule")
    address = _capsule_pointer(capsule, name)
    if name == _VERSIONED:
        address += ctypes.sizeof(_DLManagedTensorVersionedHead)
    return _DLTensor.from_address(address)


class _Relabeling:
    """A DLPack producer standing for ``producer`` (an object with ``__dlpack__`` or a
    capsule) that hands NumPy a bfloat16 capsule as int16, see Note [DLPack through NumPy]."""

    def __init__(self, producer):
        self.carried_bfloat16 = False
        if hasattr(producer, "__dlpack__"):
            self._producer, self._capsule = producer, None
            return
        if _capsule_name(producer) is None:
            if any(_capsule_is_valid(producer, b"used_" + name) for name in (_LEGACY, _VERSIONED)):
                raise RuntimeError("from_dlpack received an invalid capsule. Note that DLTensor "
                                   "capsules can be consumed only once, so you might have "
                                   "already constructed a tensor from it once.")
            raise RuntimeError(f"from_dlpack expects an object with __dlpack__ or a DLPack "
                               f"capsule, got {type(producer).__name__}")
        self._producer, self._capsule = None, producer

    def __dlpack_device__(self):
        if self._capsule is None:
            return self._producer.__dlpack_device__()
        device = _dl_tensor(self._capsule).device
        return device.device_type, device.device_id

    def __dlpack__(self, **kwargs):
        capsule = self._capsule or self._producer.__dlpack__(**kwargs)
        dtype = _dl_tensor(capsule).dtype
        if dtype.code == _DL_BFLOAT and dtype.bits == 16:
            dtype.code = _DL_INT
            self.carried_bfloat16 = True
        return capsule
