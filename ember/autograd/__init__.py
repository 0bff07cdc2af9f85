"""ember.autograd: the dynamic graph engine (see Note [The autograd graph])."""

from ember.autograd import functional, graph
from ember.autograd.anomaly_mode import (
    detect_anomaly,
    is_anomaly_check_nan_enabled,
    is_anomaly_enabled,
    set_detect_anomaly,
)
from ember.autograd.engine import _is_checkpoint_valid as _is_checkpoint_valid  # torch._C name
from ember.autograd.engine import backward, grad
from ember.autograd.function import Function, FunctionCtx, once_differentiable
from ember.autograd.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from ember.autograd.gradcheck import gradcheck, gradgradcheck

__all__ = [
    "Function", "FunctionCtx", "backward", "detect_anomaly", "enable_grad", "functional",
    "grad", "gradcheck", "gradgradcheck", "graph",
    "inference_mode", "is_anomaly_check_nan_enabled", "is_anomaly_enabled", "is_grad_enabled",
    "is_inference_mode_enabled",
    "no_grad", "once_differentiable", "set_detect_anomaly", "set_grad_enabled",
]
