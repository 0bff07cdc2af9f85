"""LazyModuleMixin: modules whose parameters take their shapes from the first input."""

from __future__ import annotations

import itertools

from ember.autograd.grad_mode import no_grad
from ember.nn.parameter import is_lazy

__all__ = []  # torch.nn does not export it either: torch.nn.modules.lazy.LazyModuleMixin


class LazyModuleMixin:
    """Mixed in before a Module class: parameters and buffers may be
    ``UninitializedParameter`` / ``UninitializedBuffer`` until the first call, when
    ``initialize_parameters(*args, **kwargs)`` materializes them from the input; then the
    module turns into ``cls_to_become`` (e.g. LazyLinear into Linear). Loading a state dict
    materializes them with the loaded shapes."""

    cls_to_become = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._load_hook = self._register_load_state_dict_pre_hook(self._lazy_load_hook)
        self._initialize_hook = self.register_forward_pre_hook(self._infer_parameters,
                                                               with_kwargs=True)

    def _save_to_state_dict(self, destination, prefix, keep_vars) -> None:
        super()._save_to_state_dict(destination, prefix, keep_vars)
        # detach() would make an uninitialized tensor a plain empty one: keep it as it is
        for name, tensor in self._lazy_members():
            if prefix + name in destination:
                destination[prefix + name] = tensor

    def _lazy_members(self):
        return [(name, tensor) for name, tensor in itertools.chain(
            self._parameters.items(), self._buffers.items()) if is_lazy(tensor)]

    def _lazy_load_hook(self, state_dict, prefix, local_metadata, strict, missing_keys,
                        unexpected_keys, error_msgs) -> None:
        for name, tensor in self._lazy_members():
            loaded = state_dict.get(prefix + name)
            if loaded is not None and not is_lazy(loaded):
                with no_grad():
                    tensor.materialize(loaded.shape)

    def initialize_parameters(self, *args, **kwargs) -> None:
        """Materialize the uninitialized parameters from the first input."""
        raise NotImplementedError(f"initialize_parameters is not implemented for "
                                  f"{self.__class__.__name__}")

    def has_uninitialized_params(self) -> bool:
        """Whether some parameter or buffer has no shape yet."""
        return bool(self._lazy_members())

    def _infer_parameters(self, module, args, kwargs=None):
        """The forward pre-hook of the first call: initialize, then become
        ``cls_to_become``."""
        module.initialize_parameters(*args, **(kwargs or {}))
        if module.has_uninitialized_params():
            raise RuntimeError(f"module {self._get_name()} has not been fully initialized")
        # removed by id from this module's own dicts: the handles of a deep copy still
        # point at the dicts of the module it was copied from
        for hooks in (module._forward_pre_hooks, module._forward_pre_hooks_with_kwargs):
            hooks.pop(module._initialize_hook.id, None)
        module._load_state_dict_pre_hooks.pop(module._load_hook.id, None)
        del module._initialize_hook
        del module._load_hook
        if module.cls_to_become is not None:
            module.__class__ = module.cls_to_become

    def _replicate_for_data_parallel(self):
        raise RuntimeError("Modules with uninitialized parameters can't be used with "
                           "`DataParallel`. Run a dummy forward pass to correctly initialize "
                           "the modules")
