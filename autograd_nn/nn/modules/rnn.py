"""Recurrent layers ``RNN``, ``LSTM``, ``GRU`` and cells ``RNNCell``, ``LSTMCell``, ``GRUCell``.

Parameter names, shapes, gate order (LSTM i, f, g, o; GRU r, z, n with b_hn inside
r * (W_hn h + b_hn)) and init U(-1/sqrt(H), 1/sqrt(H)) are PyTorch's, so a PyTorch state dict
loads as it is. All layers share one implementation (``_functional.rnn``), parameterised by
``mode``; each layer-direction is a single scan op over the time steps.
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

import numpy as np

from ... import _creation
from ..._ops.indexing import IndexPut
from ..._ops.rnn import GATES
from ...tensor import Tensor
from .. import init
from .._functional.rnn import rnn_cell, rnn_stack
from ..parameter import Parameter
from ..utils.rnn import PackedSequence, _layout
from .module import Module

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]


def _check_dtype(name: str, x: Tensor, w: Tensor) -> None:
    if x._data.dtype != w._data.dtype:
        raise RuntimeError(f"{name}: input must have the type {w.dtype} (the parameters' dtype), "
                           f"got type {x.dtype} for input of shape {list(x.shape)}")


class RNNBase(Module):
    """Base of ``RNN``, ``LSTM`` and ``GRU``: parameters and the common forward.

    ``mode`` is one of 'RNN_TANH', 'RNN_RELU', 'LSTM', 'GRU'.
    """

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        name = type(self).__name__
        if mode not in GATES:
            raise ValueError(f"{name}: unrecognized RNN mode {mode!r}; expected one of "
                             f"{list(GATES)}")
        if not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1 or \
                isinstance(dropout, bool):
            raise ValueError(f"{name}: dropout should be a number in range [0, 1] representing "
                             f"the probability of an element being zeroed, got {dropout!r}")
        if dropout > 0 and num_layers == 1:
            warnings.warn(f"dropout option adds dropout after all but last recurrent layer, so "
                          f"non-zero dropout expects num_layers greater than 1, but got "
                          f"dropout={dropout} and num_layers={num_layers}", stacklevel=2)
        for arg, v in (("hidden_size", hidden_size), ("num_layers", num_layers)):
            if not isinstance(v, int) or isinstance(v, bool) or v <= 0:
                raise ValueError(f"{name}: {arg} must be a positive integer, got {v!r}")
        if proj_size < 0:
            raise ValueError(f"{name}: proj_size should be a non-negative integer, got "
                             f"{proj_size}")
        if proj_size >= hidden_size:
            raise ValueError(f"{name}: proj_size has to be smaller than hidden_size "
                             f"({proj_size} >= {hidden_size})")
        if proj_size and mode != "LSTM":
            raise ValueError(f"{name}: proj_size argument is only supported for LSTM, not RNN "
                             f"or GRU")
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        dirs = 2 if bidirectional else 1
        gate = GATES[mode] * hidden_size
        real = proj_size if proj_size > 0 else hidden_size
        self._flat_weights_names: list[str] = []
        self._all_weights: list[list[str]] = []
        for layer in range(num_layers):
            for d in range(dirs):
                in_size = input_size if layer == 0 else real * dirs
                shapes = [("weight_ih", (gate, in_size)), ("weight_hh", (gate, real))]
                if bias:
                    shapes += [("bias_ih", (gate,)), ("bias_hh", (gate,))]
                if proj_size > 0:
                    shapes.append(("weight_hr", (proj_size, hidden_size)))
                suffix = "_reverse" if d == 1 else ""
                names = []
                for base, shape in shapes:
                    pname = f"{base}_l{layer}{suffix}"
                    setattr(self, pname, Parameter(_creation.empty(*shape, dtype=dtype,
                                                                   device=device)))
                    names.append(pname)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for p in self.parameters():
            init.uniform_(p, -stdv, stdv)

    def flatten_parameters(self) -> None:
        """No-op (kept for PyTorch compatibility: there is no cuDNN weight buffer here)."""

    @property
    def _flat_weights(self) -> list:
        return [getattr(self, n) for n in self._flat_weights_names]

    @property
    def all_weights(self) -> list:
        return [[getattr(self, n) for n in names] for names in self._all_weights]

    def _layer_weights(self) -> list:
        """One (w_ih, w_hh, b_ih, b_hh, w_hr) per layer-direction, absent ones None."""
        res = []
        for names in self._all_weights:
            ws = {n.split("_l")[0]: getattr(self, n) for n in names}
            res.append(tuple(ws.get(k) for k in ("weight_ih", "weight_hh", "bias_ih",
                                                   "bias_hh", "weight_hr")))
        return res

    def _check_hidden(self, h: Tensor, expected: tuple, what: str) -> None:
        if tuple(h.shape) != expected:
            raise RuntimeError(f"{type(self).__name__}: expected {what} size {list(expected)}, "
                               f"got {list(h.shape)}")

    def forward(self, input: Any, hx: Any = None) -> tuple:  # noqa: A002
        """input (L, N, H_in) ((N, L, H_in) with ``batch_first``; (L, H_in) unbatched) or a
        PackedSequence; hx: h_0 (D*num_layers, N, H_out) (LSTM: a tuple (h_0, c_0) with c_0
        (D*num_layers, N, H_cell)), zeros when None. H_out = proj_size or hidden_size.

        Returns (output, h_n) (LSTM: (output, (h_n, c_n))): output (L, N, D*H_out) (or
        batch_first / unbatched / packed like the input); h_n always (D*num_layers, N, H_out).
        """
        name = type(self).__name__
        lstm = self.mode == "LSTM"
        dirs = 2 if self.bidirectional else 1
        P = self.proj_size or self.hidden_size
        packed = isinstance(input, PackedSequence)
        if not packed and isinstance(input, Tensor) and input.ndim in (2, 3) and \
                input.shape[1 if self.batch_first and input.ndim == 3 else 0] == 0:
            raise RuntimeError(f"{name}: Expected sequence length to be larger than 0 in RNN "
                               f"(input shape {list(input.shape)})")
        w0 = getattr(self, self._flat_weights_names[0])
        mask = None
        if packed:
            data = input.data
            if data.ndim != 2:
                raise ValueError(f"{name}: expected packed data of shape (N, {self.input_size})"
                                 f", got {list(data.shape)}")
            T, B, lens, t_idx, b_idx = _layout(input.batch_sizes._data)
            x = IndexPut.apply(np.zeros((T, B, data.shape[1]), data._data.dtype), data,
                               idx=(t_idx, b_idx))
            if lens.min() < T:
                mask = np.arange(T)[:, None] < lens[None, :]
            batched = True
        else:
            x = input
            if not isinstance(x, Tensor):
                raise TypeError(f"{name}: input must be a Tensor or PackedSequence, got "
                                f"{type(x).__name__}")
            if x.ndim not in (2, 3):
                raise ValueError(f"{name}: Expected input to be 2D or 3D, got {x.ndim}D tensor "
                                 f"instead (shape {list(x.shape)})")
            batched = x.ndim == 3
            if not batched:
                x = x.unsqueeze(1)
            elif self.batch_first:
                x = x.transpose(0, 1)
            T, B = x.shape[:2]
        if x.shape[-1] != self.input_size:
            raise RuntimeError(f"{name}: input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {x.shape[-1]}")
        _check_dtype(name, x, w0)
        h0 = c0 = None
        if hx is not None:
            if lstm:
                if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                    raise TypeError(f"{name}: hx must be a tuple (h_0, c_0), got "
                                    f"{type(hx).__name__}")
                h0, c0 = hx
            else:
                if not isinstance(hx, Tensor):
                    raise TypeError(f"{name}: hx must be a Tensor, got {type(hx).__name__}")
                h0 = hx
            hs = [h0] + ([c0] if lstm else [])
            dims = [P] + ([self.hidden_size] if lstm else [])
            for k, (h, hd) in enumerate(zip(hs, dims)):
                if batched:
                    exp = (self.num_layers * dirs, B, hd)
                else:
                    exp = (self.num_layers * dirs, hd)
                    if h.ndim != 2:
                        raise RuntimeError(f"{name}: for unbatched 2-D input, hx should also "
                                           f"be 2-D but got {h.ndim}-D tensor")
                self._check_hidden(h, exp, "hidden" if k == 0 else "cell state")
                _check_dtype(name, h, w0)
            if not batched:
                h0 = h0.unsqueeze(1)
                c0 = c0.unsqueeze(1) if lstm else None
            if packed and input.sorted_indices is not None:
                h0 = h0.index_select(1, input.sorted_indices)
                c0 = c0.index_select(1, input.sorted_indices) if lstm else None
        out, h_n, c_n = rnn_stack(self.mode, x, h0, c0, self._layer_weights(), self.num_layers,
                                  self.bidirectional, self.hidden_size, self.dropout,
                                  self.training, mask)
        if packed:
            out = input._with_data(out[t_idx, b_idx])
            if input.unsorted_indices is not None:
                h_n = h_n.index_select(1, input.unsorted_indices)
                c_n = c_n.index_select(1, input.unsorted_indices) if lstm else None
        elif not batched:
            out, h_n = out.squeeze(1), h_n.squeeze(1)
            c_n = c_n.squeeze(1) if lstm else None
        elif self.batch_first:
            out = out.transpose(0, 1)
        return (out, (h_n, c_n)) if lstm else (out, h_n)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s


def _nonlinearity_mode(nonlinearity: str, who: str) -> str:
    if nonlinearity == "tanh":
        return "RNN_TANH"
    if nonlinearity == "relu":
        return "RNN_RELU"
    raise ValueError(f"{who}: unknown nonlinearity {nonlinearity!r}; expected 'tanh' or "
                     f"'relu'")


class RNN(RNNBase):
    """Elman RNN: ``h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)``, act tanh or relu.

    ``RNN(input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True,
    batch_first=False, dropout=0.0, bidirectional=False)``. Shapes as :meth:`RNNBase.forward`.
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, batch_first: bool = False,
                 dropout: float = 0.0, bidirectional: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(_nonlinearity_mode(nonlinearity, "RNN"), input_size, hidden_size,
                         num_layers, bias, batch_first, dropout, bidirectional, 0, device, dtype)
        self.nonlinearity = nonlinearity


class LSTM(RNNBase):
    """Long short-term memory (gates i, f, g, o), optionally with a projection of h
    (``proj_size``). Returns (output, (h_n, c_n)); shapes as :meth:`RNNBase.forward`."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, proj_size, device, dtype)


class GRU(RNNBase):
    """Gated recurrent unit (gates r, z, n; ``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))``,
    ``h' = (1 - z) * n + z * h``). Shapes as :meth:`RNNBase.forward`."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, device: Any = None, dtype: Any = None) -> None:
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, 0, device, dtype)


class RNNCellBase(Module):
    """Base of the single-step cells: ``weight_ih`` (G*H, input_size), ``weight_hh``
    (G*H, H), ``bias_ih``/``bias_hh`` (G*H,), all U(-1/sqrt(H), 1/sqrt(H))."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, bias: bool,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        gate = GATES[mode] * hidden_size
        self.weight_ih = Parameter(_creation.empty(gate, input_size, dtype=dtype, device=device))
        self.weight_hh = Parameter(_creation.empty(gate, hidden_size, dtype=dtype,
                                                   device=device))
        if bias:
            self.bias_ih = Parameter(_creation.empty(gate, dtype=dtype, device=device))
            self.bias_hh = Parameter(_creation.empty(gate, dtype=dtype, device=device))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    reset_parameters = RNNBase.reset_parameters

    def forward(self, input: Tensor, hx: Any = None) -> Any:  # noqa: A002
        """input (N, input_size) or (input_size,); hx (N, H) (LSTMCell: a tuple (h, c)),
        zeros when None. Returns h' (N, H) (LSTMCell: (h', c')), unbatched like the input."""
        name = type(self).__name__
        lstm = self.mode == "LSTM"
        if not isinstance(input, Tensor) or input.ndim not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got "
                             f"{getattr(input, 'ndim', type(input).__name__)}D instead")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"{name}: input has inconsistent input_size: got "
                               f"{input.shape[-1]} expected {self.input_size}")
        _check_dtype(name, input, self.weight_ih)
        batched = input.ndim == 2
        x = input if batched else input.unsqueeze(0)
        h = c = None
        if hx is not None:
            h, c = (hx if lstm else (hx, None))
            for s in (h, c) if lstm else (h,):
                exp = (x.shape[0], self.hidden_size) if batched else (self.hidden_size,)
                if tuple(s.shape) != exp:
                    raise RuntimeError(f"{name}: expected hidden size {list(exp)}, got "
                                       f"{list(s.shape)}")
                _check_dtype(name, s, self.weight_ih)
            if not batched:
                h = h.unsqueeze(0)
                c = c.unsqueeze(0) if lstm else None
        w = (self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh, None)
        h2, c2 = rnn_cell(self.mode, x, h, c, w, self.hidden_size)
        if not batched:
            h2 = h2.squeeze(0)
            c2 = c2.squeeze(0) if lstm else None
        return (h2, c2) if lstm else h2

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        nl = getattr(self, "nonlinearity", "tanh")
        if nl != "tanh":
            s += f", nonlinearity={nl!r}"
        return s


class RNNCell(RNNCellBase):
    """One Elman RNN step: ``h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh)``."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device: Any = None, dtype: Any = None) -> None:
        super().__init__(_nonlinearity_mode(nonlinearity, "RNNCell"), input_size, hidden_size,
                         bias, device, dtype)
        self.nonlinearity = nonlinearity


class LSTMCell(RNNCellBase):
    """One LSTM step; ``forward(input, (h, c)) -> (h', c')``."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__("LSTM", input_size, hidden_size, bias, device, dtype)


class GRUCell(RNNCellBase):
    """One GRU step; ``forward(input, h) -> h'``."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__("GRU", input_size, hidden_size, bias, device, dtype)
