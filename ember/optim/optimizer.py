"""Optimizer: the base class of every optimizer, as ``torch.optim.Optimizer``.

An optimizer holds ``param_groups`` (dicts of parameters and their options, filled from
``defaults``) and ``state`` (per parameter: step counts and running averages). Its
``state_dict`` names parameters by their position across the groups, so a state saved
from one model loads into another built the same way."""

from __future__ import annotations

import functools
import warnings
from collections import OrderedDict, defaultdict
from collections.abc import Iterable
from copy import deepcopy
from itertools import chain

import ember
from ember._tensor import Tensor, typename
from ember.autograd import grad_mode
from ember.nn.modules.module import _zero_grads
from ember.utils.hooks import RemovableHandle

__all__ = ["Optimizer", "register_optimizer_step_pre_hook",
           "register_optimizer_step_post_hook"]


class _RequiredParameter:
    """The default of an option every group must give (SGD's ``lr`` once was)."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()

_global_step_pre_hooks: OrderedDict = OrderedDict()
_global_step_post_hooks: OrderedDict = OrderedDict()


def register_optimizer_step_pre_hook(hook) -> RemovableHandle:
    """``hook(optimizer, args, kwargs)`` before every optimizer's ``step``."""
    handle = RemovableHandle(_global_step_pre_hooks)
    _global_step_pre_hooks[handle.id] = hook
    return handle


def register_optimizer_step_post_hook(hook) -> RemovableHandle:
    """``hook(optimizer, args, kwargs)`` after every optimizer's ``step``."""
    handle = RemovableHandle(_global_step_post_hooks)
    _global_step_post_hooks[handle.id] = hook
    return handle


def _step_with_hooks(step):
    """``step`` between the global and the optimizer's own pre and post hooks; a pre hook
    may return ``(args, kwargs)`` to replace the arguments."""

    @functools.wraps(step)
    def hooked_step(*args, **kwargs):
        self = args[0]
        for hook in chain(_global_step_pre_hooks.values(),
                          self._optimizer_step_pre_hooks.values()):
            result = hook(self, args, kwargs)
            if result is not None:
                if not (isinstance(result, tuple) and len(result) == 2):
                    raise RuntimeError(f"{step} must return None or a tuple of (new_args, "
                                       f"new_kwargs), but got {result}.")
                args, kwargs = result
        out = step(*args, **kwargs)
        for hook in chain(self._optimizer_step_post_hooks.values(),
                          _global_step_post_hooks.values()):
            hook(self, args, kwargs)
        return out

    hooked_step.hooked = True
    return hooked_step


def _use_grad_for_differentiable(step):
    """Run ``step`` without recording a graph, unless the optimizer was built with
    ``differentiable=True`` (then the update itself can be differentiated)."""

    @functools.wraps(step)
    def step_in_grad_mode(self, *args, **kwargs):
        with grad_mode.set_grad_enabled(self.defaults["differentiable"]):
            return step(self, *args, **kwargs)

    return step_in_grad_mode


def _scalar_dtype():
    """The dtype of step counters: float64 when that is the default dtype, else float32."""
    return ember.float64 if ember.get_default_dtype() == ember.float64 else ember.float32


def _to_scalar(value):
    """A Python number from a number or a one-element tensor option (``lr=tensor(0.1)``)."""
    return value.item() if isinstance(value, Tensor) else value


def _closure_loss(closure):
    """The loss from ``closure`` (evaluated with grad enabled), or None."""
    if closure is None:
        return None
    with grad_mode.enable_grad():
        return closure()


# the names of the options that must not be negative, as torch's errors call them
_OPTION_NAMES = {"lr": "learning rate", "eps": "epsilon value", "momentum": "momentum value",
                 "weight_decay": "weight_decay value", "alpha": "alpha value",
                 "lr_decay": "lr_decay value", "momentum_decay": "momentum_decay value",
                 "initial_accumulator_value": "initial_accumulator_value value"}


def _check_options(lr, betas=None, **options) -> None:
    """Torch's checks of the common options, in its order: a one-element tensor ``lr``,
    nothing negative, and right after ``eps`` each beta in [0, 1)."""
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    for name, value in {"lr": lr, **options}.items():
        if not 0.0 <= value:
            raise ValueError(f"Invalid {_OPTION_NAMES[name]}: {value}")
        if name == "eps" and betas is not None:
            for index, beta in enumerate(betas):
                if not 0.0 <= beta < 1.0:
                    raise ValueError(f"Invalid beta parameter at index {index}: {beta}")


def _real_views(param, *tensors):
    """Complex tensors as pairs of reals (every optimizer treats them so), others as they
    are."""
    if param.is_complex():
        return tuple(ember.view_as_real(t) for t in tensors)
    return tensors


def _register(hooks: OrderedDict, hook, prepend: bool = False) -> RemovableHandle:
    handle = RemovableHandle(hooks)
    hooks[handle.id] = hook
    if prepend:
        hooks.move_to_end(handle.id, last=False)
    return handle


_HOOK_DICTS = ("_optimizer_step_pre_hooks", "_optimizer_step_post_hooks",
               "_optimizer_state_dict_pre_hooks", "_optimizer_state_dict_post_hooks",
               "_optimizer_load_state_dict_pre_hooks", "_optimizer_load_state_dict_post_hooks")


class Optimizer:
    """Base class of all optimizers.

    Args:
        params: an iterable of tensors, of ``(name, tensor)`` pairs, or of dicts (parameter
            groups: ``{"params": [...], "lr": ...}``) to optimize
        defaults: the options of a group that does not set them
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "step" in cls.__dict__ and not getattr(cls.step, "hooked", False):
            cls.step = _step_with_hooks(cls.step)

    def __init__(self, params, defaults: dict) -> None:
        self.defaults = defaults
        for name in _HOOK_DICTS:
            setattr(self, name, OrderedDict())
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            "Tensors or dicts, but got " + typename(params))
        self.state: defaultdict = defaultdict(dict)
        self.param_groups: list[dict] = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    def __getstate__(self) -> dict:
        return {"defaults": self.defaults, "state": self.state,
                "param_groups": self.param_groups}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        for name in _HOOK_DICTS:
            if name not in self.__dict__:
                setattr(self, name, OrderedDict())
        self.defaults.setdefault("differentiable", False)
        for group in self.param_groups:  # options added since the state was saved
            for key, default in self.defaults.items():
                group.setdefault(key, default)

    def __repr__(self) -> str:
        text = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            for key in sorted(group):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"

    # --- hooks ------------------------------------------------------------------------

    def register_step_pre_hook(self, hook) -> RemovableHandle:
        """``hook(optimizer, args, kwargs)`` before ``step``; may return new arguments."""
        return _register(self._optimizer_step_pre_hooks, hook)

    def register_step_post_hook(self, hook) -> RemovableHandle:
        """``hook(optimizer, args, kwargs)`` after ``step``."""
        return _register(self._optimizer_step_post_hooks, hook)

    def register_state_dict_pre_hook(self, hook, prepend: bool = False) -> RemovableHandle:
        """``hook(optimizer)`` before ``state_dict`` builds its result."""
        return _register(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook, prepend: bool = False) -> RemovableHandle:
        """``hook(optimizer, state_dict)``; may return a replacement state dict."""
        return _register(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook,
                                          prepend: bool = False) -> RemovableHandle:
        """``hook(optimizer, state_dict)`` before loading; may return a replacement."""
        return _register(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook,
                                           prepend: bool = False) -> RemovableHandle:
        """``hook(optimizer)`` after ``load_state_dict``."""
        return _register(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    # --- state ------------------------------------------------------------------------

    def state_dict(self) -> dict:
        """``{"state": {index: per-parameter state}, "param_groups": [options with
        "params" as indices]}``; parameters are numbered in order across the groups."""
        for hook in self._optimizer_state_dict_pre_hooks.values():
            hook(self)
        indices: dict[int, int] = {}
        start = 0
        param_groups = []
        for group in self.param_groups:
            packed = {key: value for key, value in group.items() if key != "params"}
            for index, p in enumerate(group["params"], start):
                indices.setdefault(id(p), index)
            packed["params"] = [indices[id(p)] for p in group["params"]]
            start += len(packed["params"])
            param_groups.append(packed)
        packed_state = {(indices[id(key)] if isinstance(key, Tensor) else key): value
                        for key, value in self.state.items()}
        state_dict = {"state": packed_state, "param_groups": param_groups}
        for hook in self._optimizer_state_dict_post_hooks.values():
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        return state_dict

    @staticmethod
    def _cast_state(param, value, key=None):
        """A loaded state tensor on the parameter's device and, for floating parameters,
        in its dtype; step counters keep theirs."""
        if key == "step":
            return value
        if param.is_floating_point():
            return value.to(dtype=param.dtype, device=param.device)
        return value.to(device=param.device)

    def load_state_dict(self, state_dict: dict) -> None:
        """Load a ``state_dict`` made by an optimizer of the same parameter layout."""
        state_dict = state_dict.copy()
        for hook in self._optimizer_load_state_dict_pre_hooks.values():
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match "
                             "the size of optimizer's group")
        id_map = dict(zip(chain.from_iterable(g["params"] for g in saved_groups),
                          chain.from_iterable(g["params"] for g in groups)))

        def cast(param, value, key=None):
            if isinstance(value, Tensor):
                return self._cast_state(param, value, key)
            if isinstance(value, dict):
                return {k: cast(param, v, k) for k, v in value.items()}
            if isinstance(value, Iterable) and not isinstance(value, str):
                return type(value)(cast(param, v) for v in value)
            return value

        state: defaultdict = defaultdict(dict)
        for key, value in state_dict["state"].items():
            if key in id_map:
                param = id_map[key]
                state[param] = cast(param, value)
            else:
                state[key] = value
        param_groups = []
        for group, new_group in zip(groups, saved_groups):
            new_group["params"] = group["params"]
            if "param_names" in group and "param_names" not in new_group:
                new_group["param_names"] = group["param_names"]
            param_groups.append(new_group)
        self.__setstate__({"state": state, "param_groups": param_groups})
        for hook in self._optimizer_load_state_dict_post_hooks.values():
            hook(self)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all parameters: to None (default) or to zeros."""
        _zero_grads((p for group in self.param_groups for p in group["params"]), set_to_none)

    def step(self, closure=None):
        """One optimization step; ``closure`` re-evaluates the model and returns the loss."""
        raise NotImplementedError

    def _with_grads(self, group, new_state=None):
        """The parameters of ``group`` that have a gradient, their gradients and their
        states, each state made by ``new_state(param)`` on first use."""
        params = [p for p in group["params"] if p.grad is not None]
        states = []
        for p in params:
            state = self.state[p]
            if not state and new_state is not None:
                state.update(new_state(p))
            states.append(state)
        return params, [p.grad for p in params], states

    def add_param_group(self, param_group: dict) -> None:
        """Add a group of parameters with its own options (e.g. a layer to unfreeze)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, "
                            "but the ordering of tensors in sets will change between runs. "
                            "Please use a list instead.")
        else:
            params = list(params)
        names = [p[0] for p in params if isinstance(p, tuple)]
        param_group["params"] = [p[1] if isinstance(p, tuple) else p for p in params]
        if names:
            if len(names) != len(params):
                raise ValueError("all optimizer params should be with/without names. Some "
                                 "param names are missing")
            param_group["param_names"] = names
        for param in param_group["params"]:
            if not isinstance(param, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params "
                                "is " + typename(param))
            if not self.defaults.get("differentiable", None) and not (
                    param.is_leaf or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            param_group.setdefault(name, default)
        params = param_group["params"]
        if len(params) != len(set(params)):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in "
                          "future, this will cause an error; see "
                          "github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)
        seen = set()
        for group in self.param_groups:
            seen.update(group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError(f"all optimizer param groups should be with/without names. "
                                 f"cannot add param group {which} to the optimizer")
        if not seen.isdisjoint(params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)
