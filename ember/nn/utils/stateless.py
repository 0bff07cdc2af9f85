"""Calling a module with other tensors in place of its parameters and buffers."""

from __future__ import annotations

import contextlib
import warnings
from typing import Any

from ember._tensor import Tensor
from ember.nn.modules.module import Module

__all__ = ["functional_call"]

_MISSING: Any = object()  # marks a name the module did not have before the swap


def _untie_named_tensors_map(module: Module, parameters_and_buffers: dict) -> dict:
    """``parameters_and_buffers`` with a value given for one name of a tied tensor (one
    tensor reachable under several names) copied to all its names."""
    names_of: dict = {}
    for name, tensor in (*module.named_parameters(remove_duplicate=False),
                         *module.named_buffers(remove_duplicate=False)):
        names_of.setdefault(tensor, set()).add(name)
    tied = {name: names for names in names_of.values() if len(names) > 1 for name in names}
    given_tied = [name for name in parameters_and_buffers if name in tied]
    for name in given_tied:
        names = tied[name]
        if (len(names.intersection(given_tied)) > 1
                and len({parameters_and_buffers[n] for n in names if n in given_tied}) != 1):
            raise ValueError(f"functional_call got multiple values for keys {sorted(names)}, "
                             "which are tied. Consider using tie_weights=False")
    untied = dict(parameters_and_buffers)
    for name in given_tied:
        for tied_name in tied[name]:
            untied[tied_name] = parameters_and_buffers[name]
    return untied


def _owner_of(module: Module, path: str) -> tuple[Module, str]:
    """The submodule holding the tensor at ``path`` ("a.b.weight"), and the tensor's name."""
    prefix, _, name = path.rpartition(".")
    owner = module
    for attr in prefix.split(".") if prefix else ():
        try:
            child = getattr(owner, attr)
        except AttributeError as ex:
            raise AttributeError(f"{owner._get_name()} has no attribute `{attr}`") from ex
        if not isinstance(child, Module):
            raise TypeError(f"submodule `{prefix}`: {child} is not an instance of "
                            "torch.nn.Module")
        owner = child
    return owner, name


def _swap_tensor(module: Module, path: str, tensor):
    """Puts ``tensor`` (``_MISSING``: nothing) at ``path``; returns what was there."""
    if tensor is not _MISSING and tensor is not None and not isinstance(tensor, Tensor):
        raise TypeError(f"{tensor} is not an instance of torch.Tensor")
    owner, name = _owner_of(module, path)
    for members in (owner._parameters, owner._buffers):
        if name in members:
            original = members[name]
            if tensor is _MISSING:
                del members[name]
            else:
                members[name] = tensor
            return original
    original = getattr(owner, name, _MISSING)
    if original is not _MISSING and original is not None and not isinstance(original, Tensor):
        raise TypeError(f"attribute `{name}`: {original} is not an instance of torch.Tensor")
    if tensor is not _MISSING:
        setattr(owner, name, tensor)
    elif original is not _MISSING:
        delattr(owner, name)
    return original


def _check_keys(module: Module, keys) -> None:
    valid = {name for name, _ in (*module.named_parameters(remove_duplicate=False),
                                  *module.named_buffers(remove_duplicate=False))}
    unexpected = sorted(set(keys) - valid)
    missing = sorted(valid - set(keys))
    messages = []
    if unexpected:
        messages.append(f"Unexpected key(s): {', '.join(map(repr, unexpected))}.")
    if missing:
        messages.append(f"Missing key(s): {', '.join(map(repr, missing))}.")
    if messages:
        raise RuntimeError("Error(s) in reparametrizing for {}:\n\t{}".format(
            module._get_name(), "\n\t".join(messages)))


@contextlib.contextmanager
def _reparametrize_module(module: Module, parameters_and_buffers: dict,
                          tie_weights: bool = False, strict: bool = False):
    """Within the context, ``module`` holds ``parameters_and_buffers`` (by dotted name)
    in place of its own tensors; they are put back on exit, and the given dict receives
    what the module holds then (in case forward replaced a tensor)."""
    tensors = (_untie_named_tensors_map(module, parameters_and_buffers) if tie_weights
               else parameters_and_buffers)
    if strict:
        _check_keys(module, tensors)
    originals: dict = {}
    try:
        for name, tensor in tensors.items():
            originals[name] = _swap_tensor(module, name, tensor)
        yield
    finally:
        current = {name: _swap_tensor(module, name, original)
                   for name, original in originals.items()}
        parameters_and_buffers.update({name: current[name] for name in parameters_and_buffers
                                       if name in current})


def _functional_call(module: Module, parameters_and_buffers: dict, args=None, kwargs=None, *,
                     tie_weights: bool = True, strict: bool = False):
    if kwargs is None:
        kwargs = {}
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    with _reparametrize_module(module, parameters_and_buffers, tie_weights=tie_weights,
                               strict=strict):
        return module(*args, **kwargs)


def functional_call(module: Module, parameters_and_buffers: dict, args=None, kwargs=None, *,
                    tie_weights: bool = True, strict: bool = False):
    """``module(*args, **kwargs)`` computed with the tensors of ``parameters_and_buffers``
    (keyed by the names of ``named_parameters`` / ``named_buffers``) in place of the
    module's own; the module is unchanged afterwards. Deprecated in torch in favour of
    ``torch.func.functional_call``, which behaves the same.

    Args:
        module: the module to call
        parameters_and_buffers: replacement tensors by dotted name
        args: the positional arguments (one that is not a tuple is the only one)
        kwargs: the keyword arguments
        tie_weights: a value given for one name of a tensor the module holds under several
            names replaces it under all of them
        strict: the names given must be exactly the module's parameters and buffers
    """
    warnings.warn("`torch.nn.utils.stateless.functional_call` is deprecated as of PyTorch 2.0 "
                  "and will be removed in a future version of PyTorch. Please use "
                  "`torch.func.functional_call` instead which is a drop-in replacement.",
                  FutureWarning, stacklevel=2)
    return _functional_call(module, parameters_and_buffers, args, kwargs,
                            tie_weights=tie_weights, strict=strict)
