"""device objects: where a tensor's storage lives."""

from __future__ import annotations

from ember.backends import cpu as _cpu_backend

__all__ = ["device"]

_KNOWN_TYPES = ("cpu", "cuda", "mps", "meta")


class device:
    """``device("cpu")``, ``device("cuda:1")`` or ``device("cuda", 1)``, as in PyTorch."""

    __slots__ = ("type", "index", "_backend")

    def __new__(cls, type, index: int | None = None):
        if isinstance(type, device):
            return type
        if isinstance(type, int) and index is None:
            type, index = "cuda", type
        if not isinstance(type, str):
            raise TypeError(f"device() received an invalid combination of arguments - got "
                            f"({type.__class__.__name__})")
        name, _, number = type.partition(":")
        if number:
            if index is not None:
                raise RuntimeError(f"type (string) must not include an index because index "
                                   f"was passed explicitly: {type}")
            if not number.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}'")
            index = int(number)
        if name not in _KNOWN_TYPES:
            raise RuntimeError(
                "Expected one of cpu, cuda, mps, meta device type at start of device "
                f"string: {type}"
            )
        if index is not None and index < 0:
            raise RuntimeError(f"Device index must not be negative, got {index}")
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
        if isinstance(other, str):
            other = device(other)
        return (isinstance(other, device) and self.type == other.type
                and self.index == other.index)

    def __hash__(self):
        return hash((self.type, self.index))

    def __reduce__(self):
        return device, (self.type, self.index)


def _unavailable_message(dev: device) -> str:
    if dev.type == "cuda":
        return "Torch not compiled with CUDA enabled"
    return f"ember has no backend for device type '{dev.type}'"


_CPU = None
_CPU = device("cpu")


def _as_device(value) -> device:
    """``value`` (a device, string, int or None) as a device; None means the CPU."""
    if value is None:
        return _CPU
    dev = device(value)
    if dev.type != "cpu":
        raise RuntimeError(_unavailable_message(dev))
    return _CPU if dev.index in (None, 0) else dev
