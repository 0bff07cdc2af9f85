"""Parametrizations: a tensor of a module computed from others on each access.

Note [Parametrized modules]
``register_parametrization(module, "weight", p)`` moves the tensor to
``module.parametrizations.weight.original`` (a ParametrizationList inside a ModuleDict) and
swaps the module's class for a generated subclass, ``Parametrized<Class>``, that has a
property ``weight``: reading it runs the parametrizations on the originals, assigning to it
runs their ``right_inverse`` in reverse order and stores the result in the originals.
A property lives on a class, hence one generated class per parametrized module; removing
the last parametrization restores the original class.
"""

from __future__ import annotations

import collections.abc
import copy
import copyreg
import types
from collections.abc import Sequence
from contextlib import contextmanager

import ember
from ember._tensor import Tensor
from ember.nn.modules.container import ModuleDict, ModuleList
from ember.nn.modules.module import Module
from ember.nn.parameter import Parameter

__all__ = ["cached", "ParametrizationList", "register_parametrization", "is_parametrized",
           "remove_parametrizations", "type_before_parametrizations",
           "transfer_parametrizations_and_params"]

_cache_enabled = 0
_cache: dict[tuple[int, str], Tensor] = {}


@contextmanager
def cached():
    """Within this context each parametrized tensor is computed once, on its first access,
    and reused until the outermost ``cached()`` exits.

    Example::

        >>> with ember.nn.utils.parametrize.cached():
        ...     output = model(inputs)  # doctest: +SKIP
    """
    global _cache, _cache_enabled
    _cache_enabled += 1
    try:
        yield
    finally:
        _cache_enabled -= 1
        if not _cache_enabled:
            _cache = {}


def _register_parameter_or_buffer(module: Module, name: str, value: Tensor) -> None:
    if isinstance(value, Parameter):
        module.register_parameter(name, value)
    else:
        module.register_buffer(name, value)


def _set_in_place(dest: Tensor, source: Tensor) -> None:
    """``dest`` takes ``source``'s data, staying the same object (an optimizer holding it
    sees the change)."""
    with ember.no_grad():
        dest.set_(source)


def _right_inverse_or_identity(module: Module, value):
    if hasattr(module, "right_inverse"):
        try:
            return module.right_inverse(value)
        except NotImplementedError:
            pass
    return value


class ParametrizationList(ModuleList):
    """The parametrizations of one tensor and the tensors they start from: ``original``, or
    ``original0``, ``original1``, ... when the first parametrization's ``right_inverse``
    returns several tensors. Made by :func:`register_parametrization`, not by users.

    Args:
        modules: the parametrizations, applied in order
        original: the parameter or buffer being parametrized
        unsafe: allow the parametrizations to change the tensor's shape and dtype
    """

    original: Tensor
    unsafe: bool

    def __init__(self, modules: Sequence[Module], original: Tensor,
                 unsafe: bool = False) -> None:
        if len(modules) == 0:
            raise ValueError("ParametrizationList requires one or more modules.")
        super().__init__(modules)
        self.unsafe = unsafe
        # set_ below may change ``original``: the checks compare with it as it was
        before = types.SimpleNamespace(dtype=original.dtype, shape=original.shape)
        with ember.no_grad():
            new = original
            for module in reversed(self):
                new = _right_inverse_or_identity(module, new)
        if not isinstance(new, (Tensor, Sequence)):
            raise ValueError("'right_inverse' must return a Tensor or a Sequence of tensors "
                             f"(list, tuple...). Got {type(new).__name__}")
        self.is_tensor = isinstance(new, Tensor)
        self.ntensors = 1 if self.is_tensor else len(new)
        if self.is_tensor:
            if original.dtype != new.dtype:
                raise ValueError(
                    "When `right_inverse` outputs one tensor, it may not change the dtype.\n"
                    f"original.dtype: {original.dtype}\n"
                    f"right_inverse(original).dtype: {new.dtype}")
            if original.device != new.device:
                raise ValueError(
                    "When `right_inverse` outputs one tensor, it may not change the device.\n"
                    f"original.device: {original.device}\n"
                    f"right_inverse(original).device: {new.device}")
            # the original tensor object stays (an optimizer may hold it), with new data
            _set_in_place(original, new)
            _register_parameter_or_buffer(self, "original", original)
        else:
            for i, tensor in enumerate(new):
                if not isinstance(tensor, Tensor):
                    raise ValueError(
                        "'right_inverse' must return a Tensor or a Sequence of tensors "
                        f"(list, tuple...). Got element {i} of the sequence with type "
                        f"{type(tensor).__name__}.")
                if isinstance(original, Parameter):
                    tensor = Parameter(tensor, original.requires_grad)
                tensor.requires_grad_(original.requires_grad)
                _register_parameter_or_buffer(self, f"original{i}", tensor)
        if not self.unsafe:
            # the parametrized tensor must look like the tensor it replaces
            value = self()
            if not isinstance(value, Tensor):
                raise ValueError(
                    f"A parametrization must return a tensor. Got {type(value).__name__}.")
            _check_like(before, value, "Registering a parametrization may not change the {} "
                        "of the tensor, unless `unsafe` flag is enabled.", "unparametrized {}",
                        "parametrized {}")

    def right_inverse(self, value: Tensor) -> None:
        """Runs the ``right_inverse`` of each parametrization, last first, on ``value`` and
        stores the result in the original tensor(s)."""
        with ember.no_grad():
            for module in reversed(self):
                if not hasattr(module, "right_inverse"):
                    raise RuntimeError(f"parametrization {type(module).__name__} does not "
                                       "implement right_inverse.")
                value = module.right_inverse(value)
            if self.is_tensor:
                if not isinstance(value, Tensor):
                    raise ValueError(f"`right_inverse` should return a tensor. Got "
                                     f"{type(value).__name__}")
                if value.dtype != self.original.dtype:
                    raise ValueError(f"The tensor returned by `right_inverse` has dtype "
                                     f"{value.dtype} while `original` has dtype "
                                     f"{self.original.dtype}")
                _set_in_place(self.original, value)
                return
            if not isinstance(value, collections.abc.Sequence):
                raise ValueError(f"'right_inverse' must return a sequence of tensors. Got "
                                 f"{type(value).__name__}.")
            if len(value) != self.ntensors:
                raise ValueError(f"'right_inverse' must return a sequence of tensors of "
                                 f"length {self.ntensors}. Got a sequence of length "
                                 f"{len(value)}.")
            for i, tensor in enumerate(value):
                if not isinstance(tensor, Tensor):
                    raise ValueError(f"'right_inverse' must return a sequence of tensors or "
                                     f"reference-type opaques. Got element {i} of type "
                                     f"{type(tensor).__name__}.")
                original_i = getattr(self, f"original{i}")
                if original_i.dtype != tensor.dtype:
                    raise ValueError(f"Tensor {i} returned by `right_inverse` has dtype "
                                     f"{tensor.dtype} while `original{i}` has dtype "
                                     f"{original_i.dtype}")
                _set_in_place(original_i, tensor)

    def forward(self) -> Tensor:
        if self.is_tensor:
            value = self[0](self.original)
        else:
            value = self[0](*(getattr(self, f"original{i}") for i in range(self.ntensors)))
        for parametrization in list(self)[1:]:
            value = parametrization(value)
        return value


def _deepcopy_parametrized(self, memo):
    """``copy.deepcopy`` of a parametrized module whose class defines no ``__deepcopy__``:
    the generated class must be kept, which the default (through ``__reduce_ex__`` and the
    refusing ``__getstate__``) would not do."""
    replica = memo.get(id(self))
    if replica is not None:
        return replica
    replica = self.__new__(self.__class__)
    memo[id(self)] = replica
    replica.__dict__ = copy.deepcopy(self.__dict__, memo)
    for slot in copyreg._slotnames(self.__class__):
        if hasattr(self, slot):
            setattr(replica, slot, copy.deepcopy(getattr(self, slot), memo))
    return replica


def _refuse_pickling(self):
    raise RuntimeError(
        "Serialization of parametrized modules is only supported through state_dict(). See:\n"
        "https://pytorch.org/tutorials/beginner/saving_loading_models.html"
        "#saving-loading-a-general-checkpoint-for-inference-and-or-resuming-training")


def _inject_new_class(module: Module) -> None:
    """Swaps ``module``'s class for a new subclass ``Parametrized<Class>`` (see
    Note [Parametrized modules])."""
    cls = module.__class__
    namespace = {"__getstate__": _refuse_pickling, "__module__": __name__}
    if not hasattr(cls, "__deepcopy__"):
        namespace["__deepcopy__"] = _deepcopy_parametrized
    module.__class__ = type(f"Parametrized{cls.__name__}", (cls,), namespace)


def _inject_property(module: Module, tensor_name: str) -> None:
    """Adds the property ``tensor_name`` to the module's generated class."""
    if hasattr(module, tensor_name):
        raise AssertionError(f"Module already has an attribute named '{tensor_name}'")

    def get_parametrized(self) -> Tensor:
        parametrization = self.parametrizations[tensor_name]
        if not _cache_enabled:
            return parametrization()
        key = (id(self), tensor_name)
        tensor = _cache.get(key)
        if tensor is None:
            tensor = _cache[key] = parametrization()
        return tensor

    def set_original(self, value: Tensor) -> None:
        self.parametrizations[tensor_name].right_inverse(value)

    setattr(module.__class__, tensor_name, property(get_parametrized, set_original))


def _check_like(before, after: Tensor, headline: str, before_label: str,
                after_label: str) -> None:
    """Raises unless ``after`` has the dtype and shape of ``before`` (a tensor, or anything
    with those two attributes); ``headline`` and the labels are formatted with the
    attribute's name."""
    for attribute in ("dtype", "shape"):
        if getattr(after, attribute) != getattr(before, attribute):
            raise ValueError(f"{headline.format(attribute)}\n"
                             f"{before_label.format(attribute)}: {getattr(before, attribute)}\n"
                             f"{after_label.format(attribute)}: {getattr(after, attribute)}")


def _check_chained(name: str, current: Tensor, parametrization: Module) -> None:
    """Checks a parametrization chained after others: on the current value it must keep
    the dtype and shape, and so must its ``right_inverse``."""
    value = parametrization(current)
    if not isinstance(value, Tensor):
        raise ValueError(f"A parametrization must return a tensor. Got {type(value).__name__}.")
    _check_like(current, value, "Registering a parametrization may not change the {} of the "
                "tensor, unless the `unsafe` flag is enabled.", f"module.{name}.{{}}",
                f"parametrization(module.{name}).{{}}")
    if not hasattr(parametrization, "right_inverse"):
        return
    try:
        inverse = parametrization.right_inverse(value)
    except NotImplementedError:
        return
    if not isinstance(inverse, Tensor):
        raise ValueError(f"parametrization.right_inverse must return a tensor. Got: "
                         f"{type(inverse).__name__}")
    _check_like(current, inverse, "The tensor returned by parametrization.right_inverse must "
                f"have the same {{}} as module.{name}, unless the `unsafe` flag is enabled.",
                f"module.{name}.{{}}", "returned {}")


def register_parametrization(module: Module, tensor_name: str, parametrization: Module, *,
                             unsafe: bool = False) -> Module:
    """Makes ``module.<tensor_name>`` the output of ``parametrization`` on the original
    tensor (kept in ``module.parametrizations.<tensor_name>.original``); a second
    registration on the same name chains the new parametrization after the first.

    ``parametrization`` may define ``right_inverse(X)``: it gives the original from a
    value (run at registration, and when assigning ``module.<tensor_name> = X``); returning
    a sequence of tensors makes them ``original0``, ``original1``, ... .

    Args:
        module: the module owning the parameter or buffer
        tensor_name: the parameter's or buffer's name
        parametrization: a module whose ``forward`` computes the tensor
        unsafe: allow a parametrization that changes the tensor's shape or dtype (then
            nothing is checked)

    Example::

        >>> class Symmetric(ember.nn.Module):
        ...     def forward(self, X):
        ...         return X.triu() + X.triu(1).T
        >>> m = register_parametrization(ember.nn.Linear(3, 3), "weight", Symmetric())
        >>> bool((m.weight == m.weight.T).all())
        True
    """
    parametrization.train(module.training)
    if is_parametrized(module, tensor_name):
        if not unsafe:
            _check_chained(tensor_name, getattr(module, tensor_name), parametrization)
        module.parametrizations[tensor_name].append(parametrization)
        module.parametrizations[tensor_name].unsafe |= unsafe
    elif tensor_name in module._buffers or tensor_name in module._parameters:
        original = getattr(module, tensor_name)
        parametrizations = ParametrizationList([parametrization], original, unsafe=unsafe)
        delattr(module, tensor_name)
        if not is_parametrized(module):
            _inject_new_class(module)
            module.parametrizations = ModuleDict()
        _inject_property(module, tensor_name)
        module.parametrizations[tensor_name] = parametrizations
    else:
        raise ValueError(f"Module '{module}' does not have a parameter, a buffer, or a "
                         f"parametrized element with name '{tensor_name}'")
    return module


def is_parametrized(module: Module, tensor_name: str | None = None) -> bool:
    """Whether ``module`` has a parametrization on ``tensor_name`` (on anything, for None)."""
    parametrizations = getattr(module, "parametrizations", None)
    if not isinstance(parametrizations, ModuleDict):
        return False
    if tensor_name is None:
        return len(parametrizations) > 0
    return tensor_name in parametrizations


def remove_parametrizations(module: Module, tensor_name: str,
                            leave_parametrized: bool = True) -> Module:
    """Removes the parametrizations on ``tensor_name``, which becomes a plain parameter or
    buffer again: holding its current parametrized value (``leave_parametrized=True``), or
    the original tensor (only possible when there is one original).

    Raises:
        ValueError: if ``tensor_name`` is not parametrized, or if ``leave_parametrized`` is
            False and the parametrization has several originals
    """
    if not is_parametrized(module, tensor_name):
        raise ValueError(f"Module {module} does not have a parametrization on {tensor_name}")
    parametrizations = module.parametrizations[tensor_name]
    if parametrizations.is_tensor:
        original = parametrizations.original
        if leave_parametrized:
            with ember.no_grad():
                value = getattr(module, tensor_name)
            _set_in_place(original, value)
    elif leave_parametrized:
        value = getattr(module, tensor_name)
        original = Parameter(value) if value.requires_grad else value
    else:
        raise ValueError("Cannot leave unparametrized (`leave_parametrized=False`) a tensor "
                         "that is parametrized in terms of a sequence of tensors.")
    delattr(module.__class__, tensor_name)
    del module.parametrizations[tensor_name]
    _register_parameter_or_buffer(module, tensor_name, original)
    if not is_parametrized(module):
        delattr(module, "parametrizations")
        module.__class__ = module.__class__.__bases__[0]
    return module


def type_before_parametrizations(module: Module) -> type:
    """The module's class from before it was parametrized (its class if it is not)."""
    if is_parametrized(module):
        return module.__class__.__bases__[0]
    return type(module)


def transfer_parametrizations_and_params(from_module: Module, to_module: Module,
                                         tensor_name: str | None = None) -> Module:
    """Registers ``from_module``'s parametrizations (all, or those of ``tensor_name``) on
    ``to_module`` too, sharing the original tensors; a tensor ``to_module`` lacks is
    created first as a parameter holding ``from_module``'s current value."""
    if not is_parametrized(from_module):
        return to_module
    names = list(from_module.parametrizations) if tensor_name is None else [tensor_name]
    for name in names:
        if not hasattr(to_module, name):
            setattr(to_module, name, Parameter(getattr(from_module, name)))
        source = from_module.parametrizations[name]
        for parametrization in source:
            register_parametrization(to_module, name, parametrization)
        target = to_module.parametrizations[name]
        if hasattr(source, "original"):
            target.original = source.original
        else:
            i = 0
            while hasattr(source, f"original{i}"):
                setattr(target, f"original{i}", getattr(source, f"original{i}"))
                i += 1
    return to_module
