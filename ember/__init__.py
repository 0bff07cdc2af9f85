"""ember: PyTorch rebuilt in Python. ``import ember as torch`` and PyTorch code runs."""

from ember import (
    accelerator,
    autograd,
    backends,
    cuda,
    fft,
    linalg,
    multiprocessing,
    nn,
    optim,
    profiler,
    random,
    return_types,
    serialization,
    special,
    utils,
)
from ember import ops as _ops  # noqa: F401  (attaches the Tensor methods)
from ember._device import device, get_default_device, set_default_device
from ember._dtype import (
    bfloat16,
    bool,
    can_cast,
    cdouble,
    cfloat,
    complex64,
    complex128,
    double,
    dtype,
    finfo,
    float,
    float16,
    float32,
    float64,
    get_default_dtype,
    half,
    iinfo,
    int,
    int8,
    int16,
    int32,
    int64,
    long,
    promote_types,
    result_type,
    set_default_dtype,
    short,
    uint8,
)
from ember._parallel import (
    get_num_interop_threads,
    get_num_threads,
    set_num_interop_threads,
    set_num_threads,
)
from ember._size import (
    Size,
    channels_last,
    channels_last_3d,
    contiguous_format,
    layout,
    memory_format,
    preserve_format,
    strided,
)
from ember._storage import TypedStorage, UntypedStorage
from ember._tensor import (
    Tensor,
    is_complex,
    is_floating_point,
    is_nonzero,
    is_same_size,
    is_signed,
    is_storage,
    is_tensor,
    numel,
    typename,
)
from ember._tensor_str import get_printoptions, set_printoptions
from ember.autograd import profiler as _autograd_profiler  # torch.autograd.profiler
from ember.autograd.anomaly_mode import is_anomaly_check_nan_enabled, is_anomaly_enabled
from ember.autograd.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from ember.backends import cudnn as _cudnn  # noqa: F401  (ember.backends.cudnn)
from ember.backends import mps as _mps  # noqa: F401  (ember.backends.mps)
from ember.ops.added_products import *  # noqa: F403
from ember.ops.binary_functions import *  # noqa: F403
from ember.ops.combining import *  # noqa: F403
from ember.ops.complex import *  # noqa: F403
from ember.ops.convolution import *  # noqa: F403
from ember.ops.copying import *  # noqa: F403
from ember.ops.creation import (
    BFloat16Tensor,
    BoolTensor,
    ByteTensor,
    CharTensor,
    DoubleTensor,
    FloatTensor,
    HalfTensor,
    IntTensor,
    LongTensor,
    ShortTensor,
    as_tensor,
    asarray,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    ones,
    ones_like,
    tensor,
    zeros,
    zeros_like,
)
from ember.ops.einsum import *  # noqa: F403
from ember.ops.elementary import *  # noqa: F403
from ember.ops.foreach import *  # noqa: F403
from ember.ops.indexed import *  # noqa: F403
from ember.ops.indexing import *  # noqa: F403
from ember.ops.inplace_functions import *  # noqa: F403
from ember.ops.joining import cat, concat, concatenate, hstack, row_stack, stack, vstack
from ember.ops.linalg import (
    _torch_cholesky as cholesky,
)
from ember.ops.linalg import (
    _torch_lu as lu,
)
from ember.ops.linalg import (
    _torch_qr as qr,
)
from ember.ops.linalg import (
    _torch_slogdet as slogdet,
)
from ember.ops.linalg import (
    _torch_svd as svd,
)
from ember.ops.linalg import (
    cholesky_inverse,
    cholesky_solve,
    det,
    inverse,
    logdet,
    matrix_exp,
    pinverse,
    triangular_solve,
)
from ember.ops.matmul import *  # noqa: F403
from ember.ops.normalization import *  # noqa: F403
from ember.ops.norms import *  # noqa: F403
from ember.ops.numerical import *  # noqa: F403
from ember.ops.pointwise import *  # noqa: F403
from ember.ops.pooling import *  # noqa: F403
from ember.ops.random_tensors import *  # noqa: F403
from ember.ops.ranges import arange, linspace, logspace, range
from ember.ops.reduction import *  # noqa: F403
from ember.ops.resampling import *  # noqa: F403
from ember.ops.sampling import *  # noqa: F403
from ember.ops.scans import *  # noqa: F403
from ember.ops.scatter import *  # noqa: F403
from ember.ops.shaping import *  # noqa: F403
from ember.ops.sorting import *  # noqa: F403
from ember.ops.special import *  # noqa: F403
from ember.ops.statistics import *  # noqa: F403
from ember.ops.ternary import *  # noqa: F403
from ember.ops.views import *  # noqa: F403
from ember.ops.windows import *  # noqa: F403
from ember.random import (
    Generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    seed,
    set_rng_state,
)
from ember.serialization import *  # noqa: F403
from ember.utils.dlpack import from_dlpack

__version__ = "0.1.0"
