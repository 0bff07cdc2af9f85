"""PyTorch's in-place functions at the top level (``torch.exp_(x)`` is ``x.exp_()``): the
Tensor methods of the same names, attached by the op modules."""

from __future__ import annotations

from ember._tensor import Tensor
from ember.ops import (  # noqa: F401  (the modules that attach these methods)
    complex,
    creation,
    elementary,
    indexed,
    matmul,
    pointwise,
    special,
    views,
)

_NAMES = (
    "abs_", "acos_", "acosh_", "addmv_", "arccos_", "arccosh_", "arcsin_", "arcsinh_",
    "arctan_", "arctanh_", "as_strided_", "asin_", "asinh_", "atan_", "atanh_", "ceil_",
    "clamp_", "clamp_max_", "clamp_min_", "clip_", "conj_physical_", "cos_", "cosh_",
    "deg2rad_", "detach_", "erf_", "erfc_", "exp2_", "exp_", "expm1_", "fill_", "fix_",
    "floor_", "frac_", "gcd_", "i0_", "index_put_", "lcm_", "ldexp_", "log10_", "log1p_",
    "log2_", "log_", "logit_", "nan_to_num_", "neg_", "negative_", "rad2deg_", "reciprocal_",
    "relu_", "resize_as_", "round_", "rsqrt_", "sigmoid_", "sin_", "sinc_", "sinh_", "sqrt_",
    "square_", "tan_", "tanh_", "trunc_", "xlogy_", "zero_",
)

globals().update({name: getattr(Tensor, name) for name in _NAMES})
__all__ = list(_NAMES)
