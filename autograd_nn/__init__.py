"""autograd_nn: a reverse-mode autodiff Tensor engine and a PyTorch-style deep-learning
framework on NumPy. ``import autograd_nn as torch`` runs PyTorch-style code."""

from __future__ import annotations

import importlib as _importlib
from typing import Any

# The engine first: every other module sits on it (autograd's own top modules -- functional,
# gradcheck, debug -- use the ops, which import only autograd.engine).
from . import (
    _dtype,
    autograd,  # noqa: I001
)
from ._creation import (
    arange,
    as_tensor,
    bernoulli,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    multinomial,
    normal,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from ._dtype import (
    bool,
    double,
    dtype,
    float,
    float16,
    float32,
    float64,
    get_default_dtype,
    half,
    int,
    int8,
    int16,
    int32,
    int64,
    long,
    set_default_dtype,
    short,
    uint8,
)
from ._linalg_top import *  # noqa: F403 - torch.det, inverse, svd ...; imports .linalg
from ._ops.common import is_tensor
from ._ops.table import functions as _op_functions
from ._search import *  # noqa: F403 - unique, histc, bincount, searchsorted, cdist ...
from .autograd import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .random import Generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state
from .tensor import Size, Tensor, device

# every op of the op table exported as autograd_nn.<name> (exp, sum, cat, where, ...)
globals().update(_op_functions())

__version__ = "0.1.0"

from . import functional  # noqa: E402
from . import random as random  # noqa: E402
from ._extras import *  # noqa: E402, F403
from ._legacy import (  # noqa: E402
    BoolTensor,
    ByteTensor,
    CharTensor,
    DoubleTensor,
    FloatTensor,
    HalfTensor,
    IntTensor,
    LongTensor,
    ShortTensor,
)
from ._torch_misc import *  # noqa: E402, F403 - range, strided, set_printoptions ...
from .amp import GradScaler, autocast, is_autocast_enabled  # noqa: E402
from .functional import (  # noqa: E402
    atleast_1d,
    atleast_2d,
    atleast_3d,
    block_diag,
    cartesian_prod,
    chain_matmul,
    meshgrid,
    tensordot,
    unravel_index,
)


def set_default_device(device: Any) -> None:
    """Accepts ``"cpu"`` (or None): the only device. Another device raises, since tensors
    could not be created there."""
    name = None if device is None else str(device).split(":")[0]
    if name not in (None, "cpu"):
        raise RuntimeError(f"set_default_device: autograd_nn computes on the CPU only "
                           f"(NumPy); got device {str(device)!r}")


def get_default_device() -> device:
    return device("cpu")


def _lazy(name: str):
    return _importlib.import_module(f".{name}", __name__)


# the nn ops PyTorch has at the top level (autograd_nn/_nn_top.py; a test checks this list)
_NN_TOP = frozenset((
    "adaptive_avg_pool1d", "adaptive_max_pool1d", "alpha_dropout", "alpha_dropout_",
    "avg_pool1d", "batch_norm", "bilinear", "binary_cross_entropy_with_logits", "celu", "celu_",
    "channel_shuffle", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
    "conv_transpose3d", "cosine_embedding_loss", "ctc_loss", "dropout", "dropout_", "embedding",
    "feature_alpha_dropout", "feature_alpha_dropout_", "feature_dropout", "feature_dropout_",
    "group_norm", "hinge_embedding_loss", "instance_norm", "kl_div", "layer_norm",
    "margin_ranking_loss", "max_pool1d", "max_pool1d_with_indices", "max_pool2d", "max_pool3d",
    "pixel_shuffle", "pixel_unshuffle", "poisson_nll_loss", "rms_norm", "rrelu", "rrelu_",
    "selu", "selu_", "threshold", "threshold_", "triplet_margin_loss", "lstm_cell", "gru_cell",
    "rnn_tanh_cell", "rnn_relu_cell", "lstm", "gru", "rnn_tanh", "rnn_relu", "embedding_bag"))


def __getattr__(name: str):
    # nn, optim, utils, viz, models load on first use so `import autograd_nn` stays light
    if name in ("nn", "optim", "utils", "viz", "models", "cuda", "backends", "amp",
                "distributed", "profiler", "accelerator", "fft", "special", "compiler"):
        return _lazy(name)
    if name in _NN_TOP:  # torch.conv2d, torch.dropout...: nn.functional's, loaded with nn
        globals()[name] = getattr(_lazy("_nn_top"), name)  # later lookups skip this hook
        return globals()[name]
    if name == "bfloat16":
        globals()["bfloat16"] = _dtype.get_bfloat16()  # ml_dtypes on first use
        return globals()["bfloat16"]
    if name == "BFloat16Tensor":  # its legacy constructor: only where bfloat16 is (ml_dtypes)
        bf16 = __getattr__("bfloat16")
        if isinstance(bf16, _dtype._MissingDtype):
            raise AttributeError("autograd_nn.BFloat16Tensor needs the ml_dtypes package")
        globals()[name] = _lazy("_legacy")._make(name, bf16)
        return globals()[name]
    if name == "compile":  # autograd_nn.compile (loads nn and optim: their calls are recorded)
        return _lazy("compiler").compile
    if name in ("save", "load"):
        return getattr(_lazy("serialization"), name)
    if name == "summary":
        return _lazy("viz").summary
    raise AttributeError(f"module 'autograd_nn' has no attribute {name!r}")


del annotations
