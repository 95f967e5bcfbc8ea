"""The nn ops PyTorch exposes at the top level (``torch.conv2d``, ``torch.dropout``,
``torch.batch_norm``, ``torch.lstm_cell``...), as ``autograd_nn.<name>``.

They are nn.functional's implementations: most names are the same function; where PyTorch's
top-level signature differs from nn.functional's (ATen's: ``train`` positional and required in
``torch.dropout(input, p, train)``, losses taking ``reduction`` as an int -- 0 none, 1 mean,
2 sum --, ``torch.embedding(weight, indices)``, ``torch.max_pool1d`` always returning one
tensor and ``torch.adaptive_max_pool1d`` a (values, indices) pair...), a thin adapter below
maps the call onto nn.functional. Nothing is computed here.

This module sits above ``nn`` (it imports ``nn.functional``), so ``autograd_nn.__getattr__``
loads it on first use of one of its names (``autograd_nn._NN_TOP``): ``import autograd_nn``
stays light and ``nn`` never imports the package top level while it is half initialised.
``hardshrink`` and ``prelu`` are Tensor methods too, so they are op-table rows instead.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from . import _NN_TOP
from .nn import functional as F
from .nn._functional.dropout import feature_dropout as _feature_dropout
from .nn._functional.rnn import rnn_cell as _rnn_cell
from .nn._functional.rnn import rnn_stack as _rnn_stack
from .tensor import Tensor

# same function, same signature as nn.functional's
adaptive_avg_pool1d = F.adaptive_avg_pool1d
avg_pool1d = F.avg_pool1d
bilinear = F.bilinear
channel_shuffle = F.channel_shuffle
conv1d, conv2d, conv3d = F.conv1d, F.conv2d, F.conv3d
conv_transpose1d, conv_transpose2d = F.conv_transpose1d, F.conv_transpose2d
conv_transpose3d = F.conv_transpose3d
pixel_shuffle, pixel_unshuffle = F.pixel_shuffle, F.pixel_unshuffle
rms_norm = F.rms_norm
threshold, threshold_ = F.threshold, F.threshold_
selu_, celu_ = F.selu_, F.celu_

__all__ = sorted(_NN_TOP)  # the names autograd_nn.__getattr__ routes here

def _reduction(reduction: int, op: str) -> str:
    """ATen's int reduction (its Reduction enum) as nn.functional's string: 1 mean, 2 sum, any
    other int unreduced (as ATen's apply_loss_reduction). PyTorch 2.13's top-level losses
    default to 0 (unreduced), not to nn.functional's 'mean'."""
    if isinstance(reduction, bool) or not isinstance(reduction, int):
        raise TypeError(f"{op}: reduction must be an int (0 none, 1 mean, 2 sum), got "
                        f"{type(reduction).__name__}")
    return {1: "mean", 2: "sum"}.get(reduction, "none")


# ---------------------------------------------------------------------------- activations
def celu(input: Tensor, alpha: float = 1.0) -> Tensor:  # noqa: A002
    """``nn.functional.celu``: max(0, x) + min(0, alpha (exp(x / alpha) - 1))."""
    return F.celu(input, alpha)


def selu(input: Tensor) -> Tensor:  # noqa: A002
    """``nn.functional.selu``."""
    return F.selu(input)


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,  # noqa: A002
          training: bool = False, generator: Any = None) -> Tensor:
    """``nn.functional.rrelu`` (the slopes are drawn from the global generator)."""
    return F.rrelu(input, lower, upper, training)


def rrelu_(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,  # noqa: A002
           training: bool = False, generator: Any = None) -> Tensor:
    """In-place :func:`rrelu`."""
    return F.rrelu(input, lower, upper, training, True)


# ------------------------------------------------------------------- dropout (train required)
def dropout(input: Tensor, p: float, train: bool) -> Tensor:  # noqa: A002
    """``nn.functional.dropout(input, p, training=train)``."""
    return F.dropout(input, p, train)


def dropout_(input: Tensor, p: float, train: bool) -> Tensor:  # noqa: A002
    """In-place :func:`dropout`."""
    return F.dropout(input, p, train, True)


def alpha_dropout(input: Tensor, p: float, train: bool) -> Tensor:  # noqa: A002
    """``nn.functional.alpha_dropout(input, p, training=train)``."""
    return F.alpha_dropout(input, p, train)


def alpha_dropout_(input: Tensor, p: float, train: bool) -> Tensor:  # noqa: A002
    """In-place :func:`alpha_dropout`."""
    return F.alpha_dropout(input, p, train, True)


def feature_alpha_dropout(input: Tensor, p: float, train: bool) -> Tensor:  # noqa: A002
    """``nn.functional.feature_alpha_dropout(input, p, training=train)``: input (N, C, *)."""
    return F.feature_alpha_dropout(input, p, train)


def feature_alpha_dropout_(input: Tensor, p: float, train: bool) -> Tensor:  # noqa: A002
    """In-place :func:`feature_alpha_dropout`."""
    return F.feature_alpha_dropout(input, p, train, True)


def feature_dropout(input: Tensor, p: float, train: bool) -> Tensor:  # noqa: A002
    """Dropout of whole channels of an (N, C, *) input: one draw per (N, C)."""
    return _feature_dropout(input, p, train, False)


def feature_dropout_(input: Tensor, p: float, train: bool) -> Tensor:  # noqa: A002
    """In-place :func:`feature_dropout`."""
    return _feature_dropout(input, p, train, True)


# ------------------------------------------------------------------------- normalisation
def batch_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None,  # noqa: A002
               running_mean: Tensor | None, running_var: Tensor | None, training: bool,
               momentum: float, eps: float, cudnn_enabled: bool) -> Tensor:
    """``nn.functional.batch_norm`` with ATen's argument order (all required)."""
    return F.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def instance_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None,  # noqa: A002
                  running_mean: Tensor | None, running_var: Tensor | None,
                  use_input_stats: bool, momentum: float, eps: float,
                  cudnn_enabled: bool) -> Tensor:
    """``nn.functional.instance_norm`` with ATen's argument order (all required)."""
    return F.instance_norm(input, running_mean, running_var, weight, bias, use_input_stats,
                           momentum, eps)


def layer_norm(input: Tensor, normalized_shape: int | Sequence[int],  # noqa: A002
               weight: Tensor | None = None, bias: Tensor | None = None, eps: float = 1e-5,
               cudnn_enable: bool = True) -> Tensor:
    """``nn.functional.layer_norm`` (``cudnn_enable`` is accepted and ignored)."""
    return F.layer_norm(input, normalized_shape, weight, bias, eps)


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,  # noqa: A002
               bias: Tensor | None = None, eps: float = 1e-5,
               cudnn_enabled: bool = True) -> Tensor:
    """``nn.functional.group_norm`` (``cudnn_enabled`` is accepted and ignored)."""
    return F.group_norm(input, num_groups, weight, bias, eps)


# --------------------------------------------------------------------------------- pooling
def _stride(stride: Any) -> Any:
    """ATen's empty stride (its default) means the kernel size: nn.functional's None."""
    return None if stride is None or (isinstance(stride, (list, tuple)) and not stride) \
        else stride


def max_pool1d(input: Tensor, kernel_size: Any, stride: Any = (), padding: Any = 0,  # noqa: A002
               dilation: Any = 1, ceil_mode: bool = False) -> Tensor:
    """``nn.functional.max_pool1d`` (values only)."""
    return F.max_pool1d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode)


def max_pool1d_with_indices(input: Tensor, kernel_size: Any, stride: Any = (),  # noqa: A002
                            padding: Any = 0, dilation: Any = 1,
                            ceil_mode: bool = False) -> tuple:
    """``nn.functional.max_pool1d_with_indices``: (values, int64 indices)."""
    return F.max_pool1d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode,
                        return_indices=True)


def max_pool2d(input: Tensor, kernel_size: Any, stride: Any = (), padding: Any = 0,  # noqa: A002
               dilation: Any = 1, ceil_mode: bool = False) -> Tensor:
    """``nn.functional.max_pool2d`` (values only)."""
    return F.max_pool2d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode)


def max_pool3d(input: Tensor, kernel_size: Any, stride: Any = (), padding: Any = 0,  # noqa: A002
               dilation: Any = 1, ceil_mode: bool = False) -> Tensor:
    """``nn.functional.max_pool3d`` (values only)."""
    return F.max_pool3d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode)


def adaptive_max_pool1d(input: Tensor, output_size: Any) -> tuple:  # noqa: A002
    """``nn.functional.adaptive_max_pool1d_with_indices``: (values, int64 indices)."""
    return F.adaptive_max_pool1d(input, output_size, return_indices=True)


# ---------------------------------------------------------------------------------- sparse
def embedding(weight: Tensor, indices: Tensor, padding_idx: int = -1,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """``nn.functional.embedding(indices, weight, ...)``; ``padding_idx`` < 0 is none (ATen's
    convention: nn.functional has already turned a negative index into a row)."""
    return F.embedding(indices, weight, padding_idx if padding_idx >= 0 else None,
                       scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)


_BAG_MODES = ("sum", "mean", "max")


def embedding_bag(weight: Tensor, indices: Tensor, offsets: Tensor,
                  scale_grad_by_freq: bool = False, mode: int = 0, sparse: bool = False,
                  per_sample_weights: Tensor | None = None, include_last_offset: bool = False,
                  padding_idx: int | None = None) -> tuple:
    """``nn.functional.embedding_bag`` of 1-D ``indices`` with ATen's int ``mode`` (0 sum,
    1 mean, 2 max) and its four results: (output (B, D), offset2bag (the bag of each index;
    empty where ATen's fast sum path skips it: float32/float16 weights, no padding_idx),
    bag_size (B,) (entries that are not padding; zeros for sum), max_indices (zeros (B,) for
    sum, bag_size for mean, the arg-max rows (B, D) for max))."""
    if isinstance(mode, bool) or mode not in (0, 1, 2):
        raise ValueError(f"embedding_bag: mode has to be 0 (sum), 1 (mean) or 2 (max), got "
                         f"{mode!r}")
    idx = np.asarray(indices._data if isinstance(indices, Tensor) else indices)
    if idx.ndim != 1:
        raise RuntimeError(f"embedding_bag: expected 1-D indices with offsets, got shape "
                           f"{list(idx.shape)}")
    pad = padding_idx if padding_idx is not None and padding_idx >= 0 else None
    out = F.embedding_bag(indices, weight, offsets, scale_grad_by_freq=scale_grad_by_freq,
                          mode=_BAG_MODES[mode], sparse=sparse,
                          per_sample_weights=per_sample_weights,
                          include_last_offset=include_last_offset, padding_idx=pad)
    starts = np.asarray(offsets._data if isinstance(offsets, Tensor) else offsets,
                        dtype=np.int64)
    starts = starts[:-1] if include_last_offset else starts
    B, n = len(starts), idx.size
    bag = (np.searchsorted(starts, np.arange(n), side="right") - 1 if B
           else np.zeros(n, dtype=np.int64))
    keep = idx != pad if pad is not None else np.ones(n, dtype=bool)
    fast_sum = mode == 0 and pad is None and weight._data.dtype in (np.float32, np.float16)
    offset2bag = np.zeros(0, dtype=np.int64) if fast_sum else bag.astype(np.int64)
    bag_size = (np.zeros(B, dtype=np.int64) if mode == 0
                else np.bincount(bag[keep], minlength=B).astype(np.int64))
    if mode == 0:
        max_indices = np.zeros(B, dtype=np.int64)
    elif mode == 1:
        max_indices = bag_size.copy()
    else:
        w = weight._data
        max_indices = np.zeros((B, w.shape[1]), dtype=np.int64)
        for b in range(B):
            rows = idx[(bag == b) & keep]
            if rows.size:  # the first maximum, as ATen's strict '>' scan
                max_indices[b] = rows[w[rows].argmax(axis=0)]
    return (out, Tensor._wrap(offset2bag), Tensor._wrap(bag_size), Tensor._wrap(max_indices))


# ------------------------------------------------------------------------ losses (int reduction)
def binary_cross_entropy_with_logits(input: Tensor, target: Tensor,  # noqa: A002
                                     weight: Tensor | None = None,
                                     pos_weight: Tensor | None = None,
                                     reduction: int = 0) -> Tensor:
    """``nn.functional.binary_cross_entropy_with_logits``."""
    op = "binary_cross_entropy_with_logits"
    return F.binary_cross_entropy_with_logits(input, target, weight,
                                              reduction=_reduction(reduction, op),
                                              pos_weight=pos_weight)


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                          reduction: int = 0) -> Tensor:
    """``nn.functional.cosine_embedding_loss``."""
    return F.cosine_embedding_loss(input1, input2, target, margin,
                                   reduction=_reduction(reduction, "cosine_embedding_loss"))


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0,  # noqa: A002
                         reduction: int = 0) -> Tensor:
    """``nn.functional.hinge_embedding_loss``."""
    return F.hinge_embedding_loss(input, target, margin,
                                  reduction=_reduction(reduction, "hinge_embedding_loss"))


def kl_div(input: Tensor, target: Tensor, reduction: int = 0, *,  # noqa: A002
           log_target: bool = False) -> Tensor:
    """``nn.functional.kl_div``; reduction 1 is the mean over all elements (as ATen's, without
    nn.functional's warning about 'batchmean')."""
    red = _reduction(reduction, "kl_div")
    loss = F.kl_div(input, target, reduction="none", log_target=log_target)
    return loss if red == "none" else loss.mean() if red == "mean" else loss.sum()


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                        reduction: int = 0) -> Tensor:
    """``nn.functional.margin_ranking_loss``."""
    return F.margin_ranking_loss(input1, input2, target, margin,
                                 reduction=_reduction(reduction, "margin_ranking_loss"))


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool, full: bool,  # noqa: A002
                     eps: float, reduction: int) -> Tensor:
    """``nn.functional.poisson_nll_loss`` (every argument required, as ATen's)."""
    return F.poisson_nll_loss(input, target, log_input, full, eps=eps,
                              reduction=_reduction(reduction, "poisson_nll_loss"))


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0,
                        p: float = 2, eps: float = 1e-6, swap: bool = False,
                        reduction: int = 0) -> Tensor:
    """``nn.functional.triplet_margin_loss``."""
    return F.triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap,
                                 reduction=_reduction(reduction, "triplet_margin_loss"))


def ctc_loss(log_probs: Tensor, targets: Tensor, input_lengths: Any, target_lengths: Any,
             blank: int = 0, reduction: int = 0, zero_infinity: bool = False) -> Tensor:
    """``nn.functional.ctc_loss``."""
    return F.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank,
                      _reduction(reduction, "ctc_loss"), zero_infinity)


# ------------------------------------------------------------------------- recurrent cells
def _cell(mode: str, input: Tensor, hx: Any, w_ih: Tensor, w_hh: Tensor,  # noqa: A002
          b_ih: Tensor | None, b_hh: Tensor | None) -> tuple:
    op = f"{mode.lower()}_cell"
    h, c = (hx[0], hx[1]) if mode == "LSTM" else (hx, None)
    if input.ndim != 2 or h.ndim != 2 or (c is not None and c.ndim != 2):
        raise RuntimeError(f"{op}: expected a 2-D input (batch, input_size) and 2-D states, got "
                           f"input {list(input.shape)}, hx {list(h.shape)}")
    H = w_hh.shape[1]
    if w_ih.shape[1] != input.shape[1] or h.shape != (input.shape[0], H):
        raise RuntimeError(f"{op}: input {list(input.shape)} and hx {list(h.shape)} do not fit "
                           f"w_ih {list(w_ih.shape)}, w_hh {list(w_hh.shape)}")
    return _rnn_cell(mode, input, h, c, (w_ih, w_hh, b_ih, b_hh, None), H)


def lstm_cell(input: Tensor, hx: Sequence[Tensor], w_ih: Tensor, w_hh: Tensor,  # noqa: A002
              b_ih: Tensor | None = None, b_hh: Tensor | None = None) -> tuple:
    """One LSTM step: input (B, F), hx = (h, c) each (B, H), w_ih (4H, F), w_hh (4H, H);
    returns (h', c')."""
    if len(hx) != 2:
        raise RuntimeError(f"lstm_cell: expected hx to be (h, c), got {len(hx)} tensors")
    return _cell("LSTM", input, hx, w_ih, w_hh, b_ih, b_hh)


def gru_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor,  # noqa: A002
             b_ih: Tensor | None = None, b_hh: Tensor | None = None) -> Tensor:
    """One GRU step: input (B, F), hx (B, H), w_ih (3H, F), w_hh (3H, H); returns h'."""
    return _cell("GRU", input, hx, w_ih, w_hh, b_ih, b_hh)[0]


def rnn_tanh_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor,  # noqa: A002
                  b_ih: Tensor | None = None, b_hh: Tensor | None = None) -> Tensor:
    """One Elman step tanh(x w_ih^T + b_ih + h w_hh^T + b_hh): (B, F), (B, H) -> (B, H)."""
    return _cell("RNN_TANH", input, hx, w_ih, w_hh, b_ih, b_hh)[0]


def rnn_relu_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor,  # noqa: A002
                  b_ih: Tensor | None = None, b_hh: Tensor | None = None) -> Tensor:
    """One Elman step with relu: (B, F), (B, H) -> (B, H)."""
    return _cell("RNN_RELU", input, hx, w_ih, w_hh, b_ih, b_hh)[0]


# --------------------------------------------------------------- recurrent layers, whole sequence
_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


def _stack(mode: str, input: Tensor, h0: Tensor, c0: Tensor | None,  # noqa: A002
           params: Sequence[Tensor], has_biases: bool, num_layers: int, dropout: float,
           train: bool, bidirectional: bool, batch_first: bool) -> tuple:
    """ATen's flat ``params`` (per layer and direction: w_ih, w_hh[, b_ih, b_hh][, w_hr])
    onto nn's recurrent stack; input (T, B, F) or (B, T, F) with ``batch_first``."""
    op = mode.lower()
    if not isinstance(input, Tensor) or input.ndim != 3:
        raise RuntimeError(f"{op}: expected a 3-D input tensor (the packed-sequence form is not "
                           f"supported), got "
                           f"{list(input.shape) if isinstance(input, Tensor) else input!r}")
    dirs = 2 if bidirectional else 1
    per = len(params) // (num_layers * dirs) if num_layers > 0 else 0
    base = 4 if has_biases else 2
    if num_layers < 1 or per * num_layers * dirs != len(params) or per not in (base, base + 1):
        raise RuntimeError(f"{op}: expected {base} (or {base + 1} with projections) weights per "
                           f"layer and direction for {num_layers} layer(s), {dirs} "
                           f"direction(s), got {len(params)}")
    weights = []
    for k in range(num_layers * dirs):
        w = list(params[k * per:(k + 1) * per])
        w_ih, w_hh = w[0], w[1]
        b_ih, b_hh = (w[2], w[3]) if has_biases else (None, None)
        w_hr = w[base] if per == base + 1 else None
        weights.append((w_ih, w_hh, b_ih, b_hh, w_hr))
    x = input.transpose(0, 1) if batch_first else input
    hidden = weights[0][1].shape[0] // _GATES[mode]
    out, h_n, c_n = _rnn_stack(mode, x, h0, c0, weights, num_layers, bidirectional, hidden,
                               dropout, train)
    return (out.transpose(0, 1) if batch_first else out), h_n, c_n


def lstm(input: Tensor, hx: Sequence[Tensor], params: Sequence[Tensor],  # noqa: A002
         has_biases: bool, num_layers: int, dropout: float, train: bool, bidirectional: bool,
         batch_first: bool) -> tuple:
    """A multi-layer LSTM over a sequence with ATen's flat ``params``: hx = (h0 (L*D, B, P),
    c0 (L*D, B, H)); returns (output, h_n, c_n)."""
    if len(hx) != 2:
        raise RuntimeError(f"lstm: expected hx to be (h0, c0), got {len(hx)} tensors")
    out, h_n, c_n = _stack("LSTM", input, hx[0], hx[1], params, has_biases, num_layers,
                           dropout, train, bidirectional, batch_first)
    return out, h_n, c_n


def gru(input: Tensor, hx: Tensor, params: Sequence[Tensor], has_biases: bool,  # noqa: A002
        num_layers: int, dropout: float, train: bool, bidirectional: bool,
        batch_first: bool) -> tuple:
    """A multi-layer GRU over a sequence with ATen's flat ``params``: returns (output, h_n)."""
    return _stack("GRU", input, hx, None, params, has_biases, num_layers, dropout, train,
                  bidirectional, batch_first)[:2]


def rnn_tanh(input: Tensor, hx: Tensor, params: Sequence[Tensor], has_biases: bool,  # noqa: A002
             num_layers: int, dropout: float, train: bool, bidirectional: bool,
             batch_first: bool) -> tuple:
    """A multi-layer Elman RNN (tanh) over a sequence: returns (output, h_n)."""
    return _stack("RNN_TANH", input, hx, None, params, has_biases, num_layers, dropout, train,
                  bidirectional, batch_first)[:2]


def rnn_relu(input: Tensor, hx: Tensor, params: Sequence[Tensor], has_biases: bool,  # noqa: A002
             num_layers: int, dropout: float, train: bool, bidirectional: bool,
             batch_first: bool) -> tuple:
    """A multi-layer Elman RNN (relu) over a sequence: returns (output, h_n)."""
    return _stack("RNN_RELU", input, hx, None, params, has_biases, num_layers, dropout, train,
                  bidirectional, batch_first)[:2]
