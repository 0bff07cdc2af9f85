"""``ember.nn.utils``: gradient clipping, parameter vectors, weight and spectral norm,
parametrizations and packed sequences, as ``torch.nn.utils``."""

from ember.nn.utils import parametrizations, parametrize, rnn  # noqa: F401  (submodules)
from ember.nn.utils.clip_grad import *  # noqa: F403
from ember.nn.utils.convert_parameters import *  # noqa: F403
from ember.nn.utils.spectral_norm import *  # noqa: F403
from ember.nn.utils.weight_norm import *  # noqa: F403
