"""``ember.nn.functional``: the functions behind the layers, as ``torch.nn.functional``.

Built from ember ops. Where PyTorch computes a function in one C++ kernel with its own
backward node (GeluBackward0, MseLossBackward0, NllLossBackward0, ...), the forward runs
without grad and the node is recorded under torch's name with its backward written in
ember ops, so that gradients are differentiable again."""

from ember.nn import _functional
from ember.nn._functional.activation import *  # noqa: F403
from ember.nn._functional.attention import *  # noqa: F403
from ember.nn._functional.attention import (  # noqa: F401  (private, but called by torch code)
    _canonical_mask,
    _none_or_dtype,
)
from ember.nn._functional.conv import *  # noqa: F403
from ember.nn._functional.distance import *  # noqa: F403
from ember.nn._functional.dropout import *  # noqa: F403
from ember.nn._functional.linear import *  # noqa: F403
from ember.nn._functional.loss import *  # noqa: F403
from ember.nn._functional.normalization import *  # noqa: F403
from ember.nn._functional.padding import *  # noqa: F403
from ember.nn._functional.pooling import *  # noqa: F403
from ember.nn._functional.sparse import *  # noqa: F403
from ember.nn._functional.vision import *  # noqa: F403

__all__ = [
    *_functional.activation.__all__,
    *_functional.attention.__all__,
    *_functional.conv.__all__,
    *_functional.distance.__all__,
    *_functional.dropout.__all__,
    *_functional.linear.__all__,
    *_functional.loss.__all__,
    *_functional.normalization.__all__,
    *_functional.padding.__all__,
    *_functional.pooling.__all__,
    *_functional.sparse.__all__,
    *_functional.vision.__all__,
]
