"""Modules: the Module base class and the layers built on it."""

from ember.nn import modules as _modules
from ember.nn.modules.activation import *  # noqa: F403
from ember.nn.modules.attention import *  # noqa: F403
from ember.nn.modules.batchnorm import *  # noqa: F403
from ember.nn.modules.container import *  # noqa: F403
from ember.nn.modules.conv import *  # noqa: F403
from ember.nn.modules.distance import *  # noqa: F403
from ember.nn.modules.dropout import *  # noqa: F403
from ember.nn.modules.flatten import *  # noqa: F403
from ember.nn.modules.fold import *  # noqa: F403
from ember.nn.modules.instancenorm import *  # noqa: F403
from ember.nn.modules.linear import *  # noqa: F403
from ember.nn.modules.loss import *  # noqa: F403
from ember.nn.modules.module import *  # noqa: F403
from ember.nn.modules.normalization import *  # noqa: F403
from ember.nn.modules.padding import *  # noqa: F403
from ember.nn.modules.pixelshuffle import *  # noqa: F403
from ember.nn.modules.pooling import *  # noqa: F403
from ember.nn.modules.rnn import *  # noqa: F403
from ember.nn.modules.sparse import *  # noqa: F403
from ember.nn.modules.transformer import *  # noqa: F403
from ember.nn.modules.upsampling import *  # noqa: F403

__all__ = [
    *_modules.module.__all__,
    *_modules.container.__all__,
    *_modules.distance.__all__,
    *_modules.flatten.__all__,
    *_modules.linear.__all__,
    *_modules.conv.__all__,
    *_modules.fold.__all__,
    *_modules.pooling.__all__,
    *_modules.upsampling.__all__,
    *_modules.pixelshuffle.__all__,
    *_modules.padding.__all__,
    *_modules.batchnorm.__all__,
    *_modules.instancenorm.__all__,
    *_modules.normalization.__all__,
    *_modules.dropout.__all__,
    *_modules.sparse.__all__,
    *_modules.activation.__all__,
    *_modules.loss.__all__,
    *_modules.rnn.__all__,
    *_modules.attention.__all__,
    *_modules.transformer.__all__,
]
