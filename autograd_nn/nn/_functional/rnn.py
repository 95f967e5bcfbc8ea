"""Functional forms: the multi-layer, bi-directional recurrent stack shared by RNN/LSTM/GRU.

``torch.nn.functional`` has no public RNN functions, so nothing is exported; the modules in
``nn.modules.rnn`` call :func:`rnn_stack` and :func:`rnn_cell`.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ..._ops.rnn import RecurrentScan
from ..._ops.shape import cat, stack
from ...autograd.engine import name_node
from ...tensor import Tensor
from .dropout import dropout as _dropout
from .linear import linear

__all__: list[str] = []

# One layer-direction's weights: (w_ih, w_hh, b_ih, b_hh, w_hr), the biases and w_hr maybe None.
Weights = Sequence["Tensor | None"]


def _project(x: Tensor, w_ih: Tensor, b_ih: Tensor | None) -> Tensor:
    """x (T, B, F) -> x @ w_ih^T + b_ih, (T, B, G*H), for all time steps in one matmul.

    Done on x as one (T*B, F) matrix: a single BLAS call each way, where a 3-D (often
    transposed, batch_first) x would make NumPy loop over T small products; the reshape copies
    x only when it is a strided view, and x is narrower than the result."""
    T, B, F = x.shape
    return linear(x.reshape(T * B, F), w_ih, b_ih).reshape(T, B, -1)


def _scan(mode: str, xp: Tensor, s0: Tensor | np.ndarray, w: Weights, hidden_size: int,
          mask: np.ndarray | None, reverse: bool) -> Tensor:
    _, w_hh, _, b_hh, w_hr = w
    extra = [t for t in (b_hh, w_hr) if t is not None]
    return RecurrentScan.apply(xp, s0, w_hh, *extra, mode=mode, hidden_size=hidden_size,
                               has_bias=b_hh is not None, has_proj=w_hr is not None,
                               mask=mask, reverse=reverse)


def rnn_stack(mode: str, x: Tensor, h0: Tensor | None, c0: Tensor | None,
              weights: Sequence[Weights], num_layers: int, bidirectional: bool,
              hidden_size: int, dropout: float = 0.0, training: bool = False,
              mask: np.ndarray | None = None) -> tuple:
    """Run a stacked (bi)directional recurrence on time-major ``x`` (T, B, F).

    ``weights`` holds one (w_ih, w_hh, b_ih, b_hh, w_hr) per layer and direction (layer-major,
    as ``_flat_weights``). ``h0`` (L*D, B, P) and ``c0`` (L*D, B, H, LSTM only) may be None
    (zeros). ``mask`` (T, B) bool marks the valid steps of variable-length sequences.
    Dropout (probability ``dropout``, in training) is applied to every layer's output except
    the last one's. Returns (output (T, B, D*P), h_n (L*D, B, P), c_n (L*D, B, H) or None).
    """
    T, B, _ = x.shape
    lstm = mode == "LSTM"
    dirs = 2 if bidirectional else 1
    P = weights[0][1].shape[1]
    dtype = x._data.dtype
    h_n, c_n = [], []
    for layer in range(num_layers):
        outs = []
        for d in range(dirs):
            k = layer * dirs + d
            w = weights[k]
            xp = _project(x, w[0], w[2])
            h = h0[k] if h0 is not None else np.zeros((B, P), dtype)
            if lstm:
                c = c0[k] if c0 is not None else np.zeros((B, hidden_size), dtype)
                if isinstance(h, Tensor) or isinstance(c, Tensor):
                    s0 = cat([Tensor._wrap(h) if not isinstance(h, Tensor) else h,
                              Tensor._wrap(c) if not isinstance(c, Tensor) else c], dim=1)
                else:
                    s0 = np.concatenate([h, c], axis=1)
            else:
                s0 = h
            states = _scan(mode, xp, s0, w, hidden_size, mask, reverse=d == 1)
            # PyTorch's CPU LSTM layer is one MkldnnRnnLayer node (its RNN/GRU: a stack)
            outs.append(name_node(states[:, :, :P], "MkldnnRnnLayerBackward0") if lstm else
                        states)
            last = states[0] if d == 1 else states[T - 1]
            h_n.append(last[:, :P] if lstm else last)
            if lstm:
                c_n.append(last[:, P:])
        x = outs[0] if dirs == 1 else cat(outs, dim=2)
        if dropout > 0 and training and layer < num_layers - 1:
            x = _dropout(x, dropout, training=True)
    return x, stack(h_n), (stack(c_n) if lstm else None)


def rnn_cell(mode: str, x: Tensor, h: Tensor | None, c: Tensor | None, weights: Weights,
             hidden_size: int) -> tuple:
    """One step of a cell on batched x (B, F) with state h (B, H) (and c for LSTM); the same
    scan as the layers, run for one step. Returns (h', c' or None)."""
    B = x.shape[0]
    dtype = x._data.dtype
    lstm = mode == "LSTM"
    hh = h if h is not None else Tensor._wrap(np.zeros((B, hidden_size), dtype))
    if lstm:
        cc = c if c is not None else Tensor._wrap(np.zeros((B, hidden_size), dtype))
        s0 = cat([hh, cc], dim=1)
    else:
        s0 = hh
    xp = _project(x.unsqueeze(0), weights[0], weights[2])
    state = _scan(mode, xp, s0, weights, hidden_size, None, reverse=False)[0]
    # PyTorch's cells end in h' = o * tanh(c') (c' = f * c + i * g), h' = (1 - z) * n + z * h
    # (GRU), h' = tanh(...) or relu(...)
    if lstm:
        return (name_node(state[:, :hidden_size], "MulBackward0"),
                name_node(state[:, hidden_size:], "AddBackward0"))
    return name_node(state, _CELL_NAMES[mode]), None


_CELL_NAMES = {"GRU": "AddBackward0", "RNN_TANH": "TanhBackward0", "RNN_RELU": "ReluBackward0"}
