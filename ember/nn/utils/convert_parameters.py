"""Parameters flattened into one vector and back."""

from __future__ import annotations

from collections.abc import Iterable

import ember
from ember._tensor import Tensor, typename

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def _check_param_device(param: Tensor, first_device: int | None) -> int:
    """The device index of ``param`` (-1 for the CPU); raises if it differs from
    ``first_device``, the index of the first parameter (None while there is none)."""
    device = param.get_device() if param.device.type == "cuda" else -1
    if first_device is not None and device != first_device:
        raise TypeError("Found two parameters on different devices, this is currently not "
                        "supported.")
    return device


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All ``parameters`` flattened and concatenated into one vector.

    Example::

        >>> m = ember.nn.Linear(2, 3)
        >>> ember.nn.utils.parameters_to_vector(m.parameters()).shape
        torch.Size([9])
    """
    device = None
    pieces = []
    for param in parameters:
        device = _check_param_device(param, device)
        pieces.append(param.view(-1))
    return ember.cat(pieces)


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copies consecutive slices of ``vec`` into ``parameters`` (each takes the slice as its
    ``.data``, shaped like itself)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {typename(vec)}")
    device = None
    offset = 0
    for param in parameters:
        device = _check_param_device(param, device)
        count = param.numel()
        param.data = vec[offset:offset + count].view_as(param).data
        offset += count
