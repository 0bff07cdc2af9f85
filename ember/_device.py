"""device objects: where a tensor's storage lives."""

from __future__ import annotations

from ember.backends import cpu as _cpu_backend

__all__ = ["device", "get_default_device", "set_default_device"]

# Every device type PyTorch's parser knows; ember computes only on "cpu".
_KNOWN_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve",
                "fpga", "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia",
                "privateuseone")

_NO_ACCELERATOR = "Cannot access accelerator device when none is available."


def _parse_index(text: str, string: str) -> int:
    """The index after the colon of a device string: digits without a leading zero."""
    if not text.isascii() or not text.isdigit() or (len(text) > 1 and text[0] == "0"):
        raise RuntimeError(f"Invalid device string: '{string}'")
    return int(text)


class device:
    """``device("cpu")``, ``device("cuda:1")`` or ``device("cuda", 1)``, as in PyTorch.

    Used as a context manager, it is the default device of factory functions inside the
    ``with`` block.
    """

    __slots__ = ("type", "index", "_backend", "_previous")

    def __new__(cls, type, index: int | None = None):
        if isinstance(type, device):
            return type
        if isinstance(type, int) and not isinstance(type, bool) and index is None:
            # A bare index means the current accelerator's device; ember has none.
            if type < 0:
                raise RuntimeError("Device index must not be negative")
            raise RuntimeError(_NO_ACCELERATOR)
        if not isinstance(type, str):
            raise TypeError(f"device() received an invalid combination of arguments - got "
                            f"({type.__class__.__name__})")
        if index is not None and (not isinstance(index, int) or isinstance(index, bool)):
            raise TypeError(f"device(): argument 'index' (position 2) must be int, not "
                            f"{index.__class__.__name__}")
        if not type:
            raise RuntimeError("Device string must not be empty")
        name, colon, number = type.partition(":")
        if colon:
            number = _parse_index(number, type)
            if index is not None:
                raise RuntimeError(f"type (string) must not include an index because index "
                                   f"was passed explicitly: {type}")
            index = number
        if name not in _KNOWN_TYPES:
            if not name.isalnum():
                raise RuntimeError(f"Invalid device string: '{type}'")
            raise RuntimeError(f"Expected one of {', '.join(_KNOWN_TYPES)} device type at "
                               f"start of device string: {type}")
        if index is not None and index < 0:
            raise RuntimeError("Device index must not be negative")
        if name == "cpu" and index is None and _CPU is not None:
            return _CPU
        self = object.__new__(cls)
        self.type = name
        self.index = index
        self._backend = _cpu_backend if name == "cpu" else None
        return self

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        # Only devices compare equal to devices: device("cpu") == "cpu" is False in PyTorch.
        if not isinstance(other, device):
            return NotImplemented
        return self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))

    def __reduce__(self):
        return device, (self.type, self.index)

    def __enter__(self):
        global _default_device
        self._previous = _default_device
        _default_device = self
        return self

    def __exit__(self, *exc_info):
        global _default_device
        _default_device = self._previous


def _unavailable(dev: device) -> Exception:
    """The error PyTorch's CPU-only build raises for a tensor on ``dev``."""
    if dev.type in ("cuda", "xpu"):
        name = "CUDA" if dev.type == "cuda" else "XPU"
        return AssertionError(f"Torch not compiled with {name} enabled")
    if dev.type == "mps":
        return RuntimeError("PyTorch is not linked with support for mps devices")
    return RuntimeError(f"ember has no backend for device type '{dev.type}'")


_CPU = None
_CPU = device("cpu")
_default_device = None  # None: the CPU, unless a device context or set_default_device says


def _as_device(value) -> device:
    """``value`` (a device, string, int or None) as a device ember can compute on; None
    means the CPU. Every CPU index names the one CPU, as in PyTorch."""
    if value is None:
        return _CPU
    dev = device(value)
    if dev.type != "cpu":
        raise _unavailable(dev)
    return _CPU


def _factory_device(value) -> device:
    """The device of a new tensor: ``value``, or the default device when it is None."""
    return _as_device(_default_device if value is None else value)


def get_default_device() -> device:
    """The device factory functions use when given none."""
    if _default_device is None:
        return _CPU
    if _default_device.index is None:
        # PyTorch finds the index by making a tensor there, which fails without a backend.
        return _as_device(_default_device)
    return _default_device


def set_default_device(value) -> None:
    """Make ``value`` (a device, a string or None for the CPU) the default device of factory
    functions."""
    global _default_device
    _default_device = None if value is None else device(value)
