"""``ember.special``: special functions, as ``torch.special``."""

from ember.ops.binary_functions import xlogy
from ember.ops.pointwise import exp2, expm1, log1p, round
from ember.ops.pointwise import sigmoid as expit
from ember.ops.reduction import log_softmax, logsumexp, softmax
from ember.ops.special import digamma, erf, erfc, erfinv, i0, logit, polygamma, sinc
from ember.ops.special import digamma as psi
from ember.ops.special import lgamma as gammaln
from ember.ops.special import mvlgamma as multigammaln
from ember.ops.special import special_entr as entr
from ember.ops.special import special_erfcx as erfcx
from ember.ops.special import special_i0e as i0e
from ember.ops.special import special_i1 as i1
from ember.ops.special import special_i1e as i1e
from ember.ops.special import special_log_ndtr as log_ndtr
from ember.ops.special import special_ndtr as ndtr
from ember.ops.special import special_ndtri as ndtri
from ember.ops.special import special_xlog1py as xlog1py
from ember.ops.special import special_zeta as zeta

__all__ = ["digamma", "entr", "erf", "erfc", "erfcx", "erfinv", "exp2", "expit", "expm1",
           "gammaln", "i0", "i0e", "i1", "i1e", "log1p", "log_ndtr", "log_softmax", "logit",
           "logsumexp", "multigammaln", "ndtr", "ndtri", "polygamma", "psi", "round", "sinc",
           "softmax", "xlog1py", "xlogy", "zeta"]
