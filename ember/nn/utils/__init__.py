"""``ember.nn.utils``: gradient clipping, parameter vectors, weight and spectral norm,
parametrizations, fusion, stateless calls and packed sequences, as ``torch.nn.utils``."""

from ember.nn.utils import (  # noqa: F401  (submodules)
    init,
    parametrizations,
    parametrize,
    rnn,
    stateless,
)
from ember.nn.utils.clip_grad import *  # noqa: F403
from ember.nn.utils.convert_parameters import *  # noqa: F403
from ember.nn.utils.fusion import *  # noqa: F403
from ember.nn.utils.init import skip_init  # noqa: F401
from ember.nn.utils.memory_format import *  # noqa: F403
from ember.nn.utils.spectral_norm import *  # noqa: F403
from ember.nn.utils.weight_norm import *  # noqa: F403
