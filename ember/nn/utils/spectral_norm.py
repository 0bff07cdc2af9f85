"""Spectral normalization by hooks (the older interface): ``w = w_orig / sigma(w_orig)``.

``sigma`` is the largest singular value of the weight seen as a matrix (``dim`` first, the
other dimensions flattened), estimated by power iteration on the vectors ``u`` and ``v``
kept as buffers. Before and after each training forward, ``u = normalize(W @ v)``.
"""

from __future__ import annotations

from typing import Any, TypeVar

import ember
import ember.nn.functional as F
from ember._tensor import Tensor
from ember.nn.modules.conv import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from ember.nn.modules.module import Module
from ember.nn.parameter import Parameter, UninitializedParameter

__all__ = ["SpectralNorm", "SpectralNormLoadStateDictPreHook", "SpectralNormStateDictHook",
           "spectral_norm", "remove_spectral_norm"]


def _default_dim(module: Module) -> int:
    """The output dimension of a weight: 1 for transposed convolutions, else 0."""
    transposed = isinstance(module, (ConvTranspose1d, ConvTranspose2d, ConvTranspose3d))
    return 1 if transposed else 0


def _check_power_iterations(n_power_iterations: int) -> None:
    if n_power_iterations <= 0:
        raise ValueError(f"Expected n_power_iterations to be positive, but got "
                         f"n_power_iterations={n_power_iterations}")


def _random_unit_vectors(weight_mat: Tensor, eps: float) -> tuple[Tensor, Tensor]:
    """``u`` and ``v`` drawn from N(0, 1) (``u`` first, as torch) and normalized."""
    height, width = weight_mat.size()
    u = F.normalize(weight_mat.new_empty(height).normal_(0, 1), dim=0, eps=eps)
    v = F.normalize(weight_mat.new_empty(width).normal_(0, 1), dim=0, eps=eps)
    return u, v


class SpectralNorm:
    """The forward pre-hook that recomputes ``module.<name>`` from ``<name>_orig`` and the
    buffers ``<name>_u``, ``<name>_v`` before each forward."""

    # version 1: the weight is no longer a buffer, ``v`` is one, and eval mode computes
    # ``sigma = u @ W_orig @ v`` instead of reading a stored weight
    _version: int = 1
    name: str
    dim: int
    n_power_iterations: int
    eps: float

    def __init__(self, name: str = "weight", n_power_iterations: int = 1, dim: int = 0,
                 eps: float = 1e-12) -> None:
        _check_power_iterations(n_power_iterations)
        self.name = name
        self.dim = dim
        self.n_power_iterations = n_power_iterations
        self.eps = eps

    def reshape_weight_to_matrix(self, weight: Tensor) -> Tensor:
        if self.dim != 0:
            weight = weight.permute(self.dim, *[d for d in range(weight.dim()) if d != self.dim])
        return weight.reshape(weight.size(0), -1)

    def compute_weight(self, module: Module, do_power_iteration: bool) -> Tensor:
        weight = getattr(module, self.name + "_orig")
        u = getattr(module, self.name + "_u")
        v = getattr(module, self.name + "_v")
        weight_mat = self.reshape_weight_to_matrix(weight)
        if do_power_iteration:
            with ember.no_grad():
                # in place, so that the buffers the module holds are the ones updated
                for _ in range(self.n_power_iterations):
                    v = F.normalize(ember.mv(weight_mat.t(), u), dim=0, eps=self.eps, out=v)
                    u = F.normalize(ember.mv(weight_mat, v), dim=0, eps=self.eps, out=u)
                # copies, so that the next power iteration does not modify tensors that
                # this forward's graph saved (two forwards, one backward: GAN training)
                u = u.clone()
                v = v.clone()
        sigma = ember.dot(u, ember.mv(weight_mat, v))
        return weight / sigma

    def remove(self, module: Module) -> None:
        with ember.no_grad():
            weight = self.compute_weight(module, do_power_iteration=False)
        delattr(module, self.name)
        delattr(module, self.name + "_u")
        delattr(module, self.name + "_v")
        delattr(module, self.name + "_orig")
        module.register_parameter(self.name, Parameter(weight.detach()))

    def __call__(self, module: Module, inputs: Any) -> None:
        setattr(module, self.name,
                self.compute_weight(module, do_power_iteration=module.training))

    def _solve_v_and_rescale(self, weight_mat: Tensor, u: Tensor, target_sigma) -> Tensor:
        """A ``v`` with ``u = normalize(W @ v)`` and ``u @ W @ v = target_sigma``
        (a pseudo-inverse, in case ``W^T W`` is singular)."""
        v = ember.linalg.multi_dot([weight_mat.t().mm(weight_mat).pinverse(), weight_mat.t(),
                                    u.unsqueeze(1)]).squeeze(1)
        return v.mul_(target_sigma / ember.dot(u, ember.mv(weight_mat, v)))

    @staticmethod
    def apply(module: Module, name: str, n_power_iterations: int, dim: int,
              eps: float) -> SpectralNorm:
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, SpectralNorm) and hook.name == name:
                raise RuntimeError(f"Cannot register two spectral_norm hooks on the same "
                                   f"parameter {name}")
        fn = SpectralNorm(name, n_power_iterations, dim, eps)
        weight = module._parameters[name]
        if weight is None:
            raise ValueError(f"`SpectralNorm` cannot be applied as parameter `{name}` is None")
        if isinstance(weight, UninitializedParameter):
            raise ValueError("The module passed to `SpectralNorm` can't have uninitialized "
                             "parameters. Make sure to run the dummy forward before applying "
                             "spectral normalization")
        with ember.no_grad():
            u, v = _random_unit_vectors(fn.reshape_weight_to_matrix(weight), fn.eps)
        delattr(module, fn.name)
        module.register_parameter(fn.name + "_orig", weight)
        # ``name`` stays readable (code that initializes weights expects it) as a plain
        # attribute: assigning the Parameter itself would register it again
        setattr(module, fn.name, weight.data)
        module.register_buffer(fn.name + "_u", u)
        module.register_buffer(fn.name + "_v", v)
        module.register_forward_pre_hook(fn)
        module._register_state_dict_hook(SpectralNormStateDictHook(fn))
        module._register_load_state_dict_pre_hook(SpectralNormLoadStateDictPreHook(fn))
        return fn


class SpectralNormLoadStateDictPreHook:
    """Upgrades a state dict saved before version 1 (which stored ``W`` and no ``v``): it
    solves for the ``v`` that gives the stored ``W``."""

    def __init__(self, fn: SpectralNorm) -> None:
        self.fn = fn

    def __call__(self, state_dict, prefix, local_metadata, strict, missing_keys,
                 unexpected_keys, error_msgs) -> None:
        fn = self.fn
        version = local_metadata.get("spectral_norm", {}).get(fn.name + ".version", None)
        if version is not None and version >= 1:
            return
        weight_key = prefix + fn.name
        if (version is None and weight_key not in state_dict
                and all(weight_key + s in state_dict for s in ("_orig", "_u", "_v"))):
            return  # a current state dict that only lacks its metadata
        missing = [weight_key + s for s in ("_orig", "", "_u") if weight_key + s not in state_dict]
        if missing:
            if strict:
                missing_keys.extend(missing)
            return
        with ember.no_grad():
            weight_orig = state_dict[weight_key + "_orig"]
            weight = state_dict.pop(weight_key)
            sigma = (weight_orig / weight).mean()
            weight_mat = fn.reshape_weight_to_matrix(weight_orig)
            u = state_dict[weight_key + "_u"]
            state_dict[weight_key + "_v"] = fn._solve_v_and_rescale(weight_mat, u, sigma)


class SpectralNormStateDictHook:
    """Writes the spectral norm's version into the state dict's metadata."""

    def __init__(self, fn: SpectralNorm) -> None:
        self.fn = fn

    def __call__(self, module, state_dict, prefix, local_metadata) -> None:
        versions = local_metadata.setdefault("spectral_norm", {})
        key = self.fn.name + ".version"
        if key in versions:
            raise RuntimeError(f"Unexpected key in metadata['spectral_norm']: {key}")
        versions[key] = self.fn._version


T_module = TypeVar("T_module", bound=Module)


def spectral_norm(module: T_module, name: str = "weight", n_power_iterations: int = 1,
                  eps: float = 1e-12, dim: int | None = None) -> T_module:
    """Divides the parameter ``name`` of ``module`` by its spectral norm before every
    forward (see :func:`ember.nn.utils.parametrizations.spectral_norm` for the newer form).

    Args:
        module: the module holding the parameter
        name: the parameter's name
        n_power_iterations: power iterations per training forward
        eps: added to norms for numerical stability
        dim: the output dimension (default 0; 1 for transposed convolutions)

    Example::

        >>> m = spectral_norm(ember.nn.Linear(20, 40))
        >>> m.weight_u.size()
        torch.Size([40])
    """
    if dim is None:
        dim = _default_dim(module)
    SpectralNorm.apply(module, name, n_power_iterations, dim, eps)
    return module


def _remove_state_dict_hook(hooks: dict, hook_type: type, name: str) -> None:
    for key, hook in hooks.items():
        if isinstance(hook, hook_type) and hook.fn.name == name:
            del hooks[key]
            return


def remove_spectral_norm(module: T_module, name: str = "weight") -> T_module:
    """Undoes :func:`spectral_norm`: ``name`` becomes a plain parameter again, holding the
    current normalized weight."""
    for key, hook in module._forward_pre_hooks.items():
        if isinstance(hook, SpectralNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[key]
            break
    else:
        raise ValueError(f"spectral_norm of '{name}' not found in {module}")
    _remove_state_dict_hook(module._state_dict_hooks, SpectralNormStateDictHook, name)
    _remove_state_dict_hook(module._load_state_dict_pre_hooks,
                            SpectralNormLoadStateDictPreHook, name)
    return module
