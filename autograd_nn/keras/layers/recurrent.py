"""Embedding and the recurrent layers SimpleRNN, LSTM, GRU, Bidirectional, in Keras's layout.

Weights are Keras's: ``kernel`` (F, G*u), ``recurrent_kernel`` (u, G*u), ``bias`` (G*u) (GRU:
(2, 3u) with ``reset_after``), gates LSTM i, f, c, o and GRU z, r, h. The recurrence itself is
autograd_nn's scan op (``nn._functional.rnn.rnn_stack``, the one ``nn.LSTM`` runs), fed the
transposed (and for GRU gate-reordered) Keras weights, so gradients flow to the Keras-shaped
parameters. A mask (``Embedding(mask_zero=True)``) makes a masked step keep the previous state
and output, as Keras does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..._ops.shape import cat, stack
from ...nn import functional as F
from ...nn._functional.rnn import rnn_stack
from ...random import _gen
from ...tensor import Tensor
from .. import activations
from .. import initializers as _init
from .base import Layer, Shape, deserialize, serialize

__all__ = ["Embedding", "SimpleRNN", "LSTM", "GRU", "Bidirectional", "TimeDistributed"]


class Embedding(Layer):
    """Map integer indices (N, ...) in [0, input_dim) to vectors: (N, ..., output_dim).

    Weight: ``embeddings`` (input_dim, output_dim), initialised U(-0.05, 0.05).
    ``mask_zero=True`` marks index 0 as padding: the following layers see a mask.
    ``input_length`` (tf.keras) is accepted and builds the layer at once.
    """

    def __init__(self, input_dim: int, output_dim: int, embeddings_initializer: Any = "uniform",
                 embeddings_regularizer: Any = None, embeddings_constraint: Any = None,
                 mask_zero: bool = False, weights: Any = None, lora_rank: Any = None,
                 input_length: int | None = None, **kwargs: Any) -> None:
        if "input_shape" not in kwargs and "batch_input_shape" not in kwargs and \
                input_length is not None:
            kwargs["input_shape"] = (input_length,)
        super().__init__(**kwargs)
        if lora_rank:
            raise NotImplementedError("Embedding: lora_rank is not supported")
        for arg, v in (("input_dim", input_dim), ("output_dim", output_dim)):
            if not isinstance(v, (int, np.integer)) or v <= 0:
                raise ValueError(f"Embedding: `{arg}` must be a positive integer, got {v!r}")
        self.input_dim, self.output_dim = int(input_dim), int(output_dim)
        self.embeddings_initializer = "random_uniform" if embeddings_initializer == "uniform" \
            else embeddings_initializer
        self.embeddings_regularizer = embeddings_regularizer
        self.embeddings_constraint = embeddings_constraint
        self.mask_zero = mask_zero
        self.supports_masking = mask_zero
        self.input_length = input_length
        if self._input_shape_arg is not None or weights is not None:
            self._maybe_build(self._input_shape_arg or (None, None))
        if weights is not None:
            self.set_weights(weights)

    def build(self, input_shape: Shape) -> None:
        self.add_weight("embeddings", (self.input_dim, self.output_dim),
                        self.embeddings_initializer, self.embeddings_regularizer,
                        constraint=self.embeddings_constraint)

    def call(self, inputs: Tensor) -> Tensor:
        idx = inputs._data
        if idx.dtype.kind == "f":
            idx = idx.astype(np.int64)
        if idx.size and (idx.min() < 0 or idx.max() >= self.input_dim):
            bad = idx[(idx < 0) | (idx >= self.input_dim)][0]
            raise IndexError(f"Embedding '{self.name}': index {bad} is out of range for "
                             f"input_dim={self.input_dim} (valid: 0..{self.input_dim - 1})")
        return F.embedding(Tensor._wrap(idx.astype(np.int64, copy=False)), self.embeddings)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        if not self.mask_zero:
            return None
        return inputs._data != 0

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return tuple(input_shape) + (self.output_dim,)

    def _output_dtype(self, inputs: Any) -> str:
        return self.dtype


class _RNN(Layer):
    """Shared by SimpleRNN, LSTM and GRU: one direction, one layer, batch-major data."""

    _mode = "LSTM"
    _gates = 4
    _n_states = 1

    def __init__(self, units: int, activation: Any = "tanh", recurrent_activation: Any = None,
                 use_bias: bool = True, kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, recurrent_regularizer: Any = None,
                 bias_regularizer: Any = None, activity_regularizer: Any = None,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0,
                 return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, stateful: bool = False, unroll: bool = False,
                 zero_output_for_mask: bool = False, **kwargs: Any) -> None:
        kwargs.pop("time_major", None)
        kwargs.pop("seed", None)
        kwargs.pop("use_cudnn", None)
        self._weight_constraints = (kwargs.pop("kernel_constraint", None),
                                    kwargs.pop("recurrent_constraint", None),
                                    kwargs.pop("bias_constraint", None))
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        name = type(self).__name__
        if not isinstance(units, (int, np.integer)) or units <= 0:
            raise ValueError(f"Received an invalid value for argument `units`, expected a "
                             f"positive integer, got {units}.")
        if stateful:
            raise NotImplementedError(f"{name}: stateful=True is not supported by "
                                      f"autograd_nn.keras")
        for arg, v in (("dropout", dropout), ("recurrent_dropout", recurrent_dropout)):
            if not 0 <= v < 1:
                raise ValueError(f"{name}: {arg} must be in [0, 1), got {v}")
        self.recurrent_dropout = float(recurrent_dropout)
        self.units = int(units)
        self.activation = activation
        self.use_bias = use_bias
        self.kernel_initializer = kernel_initializer
        self.recurrent_initializer = recurrent_initializer
        self.bias_initializer = bias_initializer
        self.kernel_regularizer = kernel_regularizer
        self.recurrent_regularizer = recurrent_regularizer
        self.bias_regularizer = bias_regularizer
        self.dropout = float(dropout)
        self.return_sequences, self.return_state = return_sequences, return_state
        self.go_backwards = go_backwards
        self.zero_output_for_mask = zero_output_for_mask
        self.supports_masking = True
        self._scan_mode = self._check_activations(activation, recurrent_activation)
        if self._input_shape_arg is not None:
            self._maybe_build(self._input_shape_arg)

    def _check_activations(self, activation: Any, recurrent_activation: Any) -> str | None:
        """The fused scan's mode for Keras's default activations, else None (a step loop)."""
        self._act = activations.get(activation)
        self._rec_act = activations.get(recurrent_activation or "sigmoid")
        if activation == "tanh" and recurrent_activation in (None, "sigmoid"):
            return self._mode
        return None

    def build(self, input_shape: Shape) -> None:
        if len(input_shape) != 3:
            raise ValueError(f"Input 0 of layer '{self.name}' ({type(self).__name__}) is "
                             f"incompatible with the layer: expected ndim=3 (batch, timesteps, "
                             f"features), found ndim={len(input_shape)}. Full shape received: "
                             f"{input_shape}")
        g = self._gates * self.units
        kc, rc, bc = self._weight_constraints
        self.add_weight("kernel", (input_shape[-1], g), self.kernel_initializer,
                        self.kernel_regularizer, constraint=kc)
        self.add_weight("recurrent_kernel", (self.units, g), self.recurrent_initializer,
                        self.recurrent_regularizer, constraint=rc)
        if self.use_bias:
            self.add_weight("bias", self._bias_shape(), self._bias_init(),
                            self.bias_regularizer, constraint=bc)

    def _bias_shape(self) -> tuple[int, ...]:
        return (self._gates * self.units,)

    def _bias_init(self) -> Any:
        return self.bias_initializer

    def _scan_weights(self) -> tuple:
        """(w_ih, w_hh, b_ih, b_hh, w_hr) in autograd_nn's (PyTorch's) layout."""
        b = self.bias if self.use_bias else None
        return (self.kernel.t(), self.recurrent_kernel.t(), b, None, None)

    def call(self, inputs: Tensor, mask: Any = None, training: bool = False,
             initial_state: Any = None) -> Any:
        if inputs.ndim != 3:
            raise ValueError(f"{type(self).__name__} '{self.name}': expected input (batch, "
                             f"timesteps, features), got shape {tuple(inputs.shape)}")
        if inputs.shape[-1] != self.kernel.shape[0]:
            raise ValueError(f"Input 0 of layer '{self.name}' is incompatible with the layer: "
                             f"expected axis -1 of input shape to have value "
                             f"{self.kernel.shape[0]}, but received input with shape "
                             f"{tuple(inputs.shape)}")
        x = inputs
        if training and self.dropout > 0:
            keep = (_gen().random((x.shape[0], 1, x.shape[2])) >= self.dropout)
            x = x * Tensor._wrap((keep / (1 - self.dropout)).astype(x._data.dtype))
        xt = x.transpose(0, 1)  # (T, N, F)
        m = None if mask is None else np.asarray(mask, bool).T  # (T, N)
        if self.go_backwards:
            xt = xt.flip(0)
            m = None if m is None else m[::-1].copy()
        h0 = c0 = None
        if initial_state is not None:
            states = list(initial_state) if isinstance(initial_state, (list, tuple)) else \
                [initial_state]
            h0 = states[0].unsqueeze(0)
            if self._n_states == 2:
                c0 = states[1].unsqueeze(0)
        rec_keep = None
        if training and self.recurrent_dropout > 0:  # one mask on h for all steps, as Keras
            p = self.recurrent_dropout
            keep = _gen().random((x.shape[0], self.units)) >= p
            rec_keep = Tensor._wrap((keep / (1 - p)).astype(x._data.dtype))
        if self._scan_mode is None or rec_keep is not None:
            out, h_n, c_n = self._step_loop(xt, h0, c0, m, rec_keep)
        else:
            out, h_n, c_n = rnn_stack(self._scan_mode, xt, h0, c0, [self._scan_weights()], 1,
                                      False, self.units, mask=m)
        if self.return_sequences:
            seq = out.transpose(0, 1)
            if self.zero_output_for_mask and m is not None:
                keep = m.T[:, :, None].astype(seq._data.dtype)
                seq = seq * Tensor._wrap(keep)
            output = seq
        else:
            output = h_n[0]
        if not self.return_state:
            return output
        states = [h_n[0]] + ([c_n[0]] if self._n_states == 2 else [])
        return [output] + states

    def _step_loop(self, xt: Tensor, h0: Any, c0: Any, m: Any,
                   rec_keep: Tensor | None = None) -> tuple:
        """Keras's cell equations step by step (any activations; ``rec_keep`` the recurrent
        dropout mask on h); (T, N, F) time-major in, (outputs (T, N, u), h_n (1, N, u),
        c_n (1, N, u) or None) out, as ``rnn_stack``."""
        T, N, _ = xt.shape
        u = self.units
        zeros = Tensor._wrap(np.zeros((N, u), xt._data.dtype))
        h = h0[0] if h0 is not None else zeros
        c = c0[0] if c0 is not None else zeros
        xk = (xt.reshape(T * N, -1) @ self.kernel).reshape(T, N, -1)
        bias = self.bias if self.use_bias else None
        if bias is not None and self._mode != "GRU":
            xk = xk + bias
        outs = []
        for t in range(T):
            hr = h if rec_keep is None else h * rec_keep
            if self._mode == "LSTM":
                z = xk[t] + hr @ self.recurrent_kernel
                i, f = self._rec_act(z[:, :u]), self._rec_act(z[:, u:2 * u])
                c_new = f * c + i * self._act(z[:, 2 * u:3 * u])
                h_new = self._rec_act(z[:, 3 * u:]) * self._act(c_new)
            elif self._mode == "GRU":
                xz = xk[t] if bias is None else xk[t] + bias[0]
                hz = hr @ self.recurrent_kernel
                if bias is not None:
                    hz = hz + bias[1]
                zg = self._rec_act(xz[:, :u] + hz[:, :u])
                r = self._rec_act(xz[:, u:2 * u] + hz[:, u:2 * u])
                hh = self._act(xz[:, 2 * u:] + r * hz[:, 2 * u:])
                h_new, c_new = zg * h + (1.0 - zg) * hh, c
            else:
                h_new, c_new = self._act(xk[t] + hr @ self.recurrent_kernel), c
            if m is not None:  # a masked step keeps the previous state
                keep = Tensor._wrap(m[t][:, None].astype(xt._data.dtype))
                h_new = keep * h_new + (1.0 - keep) * h
                c_new = keep * c_new + (1.0 - keep) * c
            h, c = h_new, c_new
            outs.append(h)
        out = stack(outs)
        return out, h.unsqueeze(0), (c.unsqueeze(0) if self._mode == "LSTM" else None)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        out = mask if self.return_sequences else None
        if self.return_state:
            return [out] + [None] * self._n_states
        return out

    def compute_output_shape(self, input_shape: Shape) -> Any:
        n, t, _ = input_shape
        out = (n, t, self.units) if self.return_sequences else (n, self.units)
        if self.return_state:
            return [out] + [(n, self.units)] * self._n_states
        return out

    @property
    def state_size(self) -> Any:
        return [self.units] * self._n_states if self._n_states > 1 else self.units


class SimpleRNN(_RNN):
    """``h_t = activation(x_t W + h_{t-1} U + b)`` ('tanh' or 'relu').

    Weights: kernel (F, u), recurrent_kernel (u, u), bias (u,).
    """

    _mode, _gates, _n_states = "RNN_TANH", 1, 1

    def _check_activations(self, activation: Any, recurrent_activation: Any) -> str | None:
        self._act = activations.get(activation)
        if activation in ("tanh", "relu"):
            return "RNN_TANH" if activation == "tanh" else "RNN_RELU"
        return None


class LSTM(_RNN):
    """Long short-term memory, Keras's layout: gates i, f, c, o.

    Weights: kernel (F, 4u), recurrent_kernel (u, 4u) (orthogonal), bias (4u,) (the forget
    gate's part starts at 1 with ``unit_forget_bias``). Output (N, u), or (N, T, u) with
    ``return_sequences``; ``return_state`` adds the final h and c.
    """

    _mode, _gates, _n_states = "LSTM", 4, 2

    def __init__(self, units: int, activation: Any = "tanh",
                 recurrent_activation: Any = "sigmoid", use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 unit_forget_bias: bool = True, **kwargs: Any) -> None:
        self.unit_forget_bias = unit_forget_bias
        super().__init__(units, activation=activation,
                         recurrent_activation=recurrent_activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer, **kwargs)

    def _bias_init(self) -> Any:
        if not self.unit_forget_bias:
            return self.bias_initializer
        base = _init.get(self.bias_initializer)
        u = self.units

        def init(shape: tuple, dtype: Any = None) -> np.ndarray:
            return np.concatenate([base((u,), dtype), np.ones(u, dtype or "float32"),
                                   base((2 * u,), dtype)])
        return init


class GRU(_RNN):
    """Gated recurrent unit, Keras 3's default ``reset_after=True`` form: gates z, r, h.

    Weights: kernel (F, 3u), recurrent_kernel (u, 3u), bias (2, 3u) (input and recurrent
    biases). ``h = z * h_prev + (1 - z) * tanh(x W_h + b_h + r * (h_prev U_h + b'_h))``.
    """

    _mode, _gates, _n_states = "GRU", 3, 1

    def __init__(self, units: int, activation: Any = "tanh",
                 recurrent_activation: Any = "sigmoid", use_bias: bool = True,
                 reset_after: bool = True, **kwargs: Any) -> None:
        if not reset_after:
            raise NotImplementedError("GRU: reset_after=False (the tf.keras 1 variant) is not "
                                      "supported; Keras 3's default reset_after=True is")
        self.reset_after = reset_after
        super().__init__(units, activation=activation,
                         recurrent_activation=recurrent_activation, use_bias=use_bias, **kwargs)

    def _bias_shape(self) -> tuple[int, ...]:
        return (2, 3 * self.units)

    def _scan_weights(self) -> tuple:
        u = self.units

        def reorder(w: Tensor) -> Tensor:  # Keras z, r, h -> scan r, z, n along the last dim
            return cat([w[..., u:2 * u], w[..., :u], w[..., 2 * u:]], dim=-1)
        b_ih = b_hh = None
        if self.use_bias:
            b = reorder(self.bias)
            b_ih, b_hh = b[0], b[1]
        return (reorder(self.kernel).t(), reorder(self.recurrent_kernel).t(), b_ih, b_hh, None)


class _Wrapper(Layer):
    """A layer around another (``layer``): its config holds the inner layer's serialized."""

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Layer:
        config = dict(config)
        config["layer"] = deserialize(config["layer"])
        return cls(**config)


class Bidirectional(_Wrapper):
    """Run a recurrent layer forwards and a copy backwards, and merge their outputs.

    ``merge_mode``: 'concat' (default), 'sum', 'mul', 'ave' or None (a list of both).
    Weights: the forward layer's, then the backward layer's.
    """

    def __init__(self, layer: _RNN, merge_mode: str | None = "concat", weights: Any = None,
                 backward_layer: _RNN | None = None, **kwargs: Any) -> None:
        if not isinstance(layer, _RNN):
            raise ValueError(f"Please initialize `Bidirectional` layer with a recurrent layer "
                             f"(SimpleRNN, LSTM, GRU). Received: {layer!r}")
        if merge_mode not in ("sum", "mul", "ave", "concat", None):
            raise ValueError(f"Invalid merge mode. Received: {merge_mode}. Merge mode should "
                             f"be one of {{'sum', 'mul', 'ave', 'concat', None}}")
        super().__init__(**kwargs)
        cfg = dict(layer.__dict__.get("_config_args", {}))
        fwd_cfg = dict(cfg, name="forward_" + layer.name)
        self.forward_layer = type(layer)(**fwd_cfg)
        if backward_layer is None:
            bwd_cfg = dict(cfg, name="backward_" + layer.name,
                           go_backwards=not cfg.get("go_backwards", False))
            backward_layer = type(layer)(**bwd_cfg)
        self.backward_layer = backward_layer
        for sub in (self.forward_layer, self.backward_layer):
            sub.zero_output_for_mask = sub.return_sequences
        self.merge_mode = merge_mode
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.supports_masking = True
        if layer._input_shape_arg is not None:
            self._input_shape_arg = layer._input_shape_arg
        if self._input_shape_arg is not None:
            self._maybe_build(self._input_shape_arg)
        if weights is not None:
            self.set_weights(weights)

    def build(self, input_shape: Shape) -> None:
        self.forward_layer._maybe_build(input_shape)
        self.backward_layer._maybe_build(input_shape)

    def call(self, inputs: Tensor, mask: Any = None, training: bool = False,
             initial_state: Any = None) -> Any:
        fs = bs = None
        if initial_state is not None:
            half = len(initial_state) // 2
            fs, bs = initial_state[:half], initial_state[half:]
        f = self.forward_layer(inputs, mask=mask, training=training, initial_state=fs)
        b = self.backward_layer(inputs, mask=mask, training=training, initial_state=bs)
        f_states = b_states = []
        if self.return_state:
            f, f_states = f[0], f[1:]
            b, b_states = b[0], b[1:]
        if self.return_sequences:
            b = b.flip(1)
        if self.merge_mode == "concat":
            out: Any = cat([f, b], dim=-1)
        elif self.merge_mode == "sum":
            out = f + b
        elif self.merge_mode == "ave":
            out = (f + b) / 2
        elif self.merge_mode == "mul":
            out = f * b
        else:
            out = [f, b]
        if self.return_state:
            return (out if isinstance(out, list) else [out]) + list(f_states) + list(b_states)
        return out

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        out = mask if self.return_sequences else None
        if self.return_state:
            n = 2 * self.forward_layer._n_states
            return [out] + [None] * n
        return out

    def compute_output_shape(self, input_shape: Shape) -> Any:
        fshape = self.forward_layer.compute_output_shape(input_shape)
        states: list = []
        if self.return_state:
            fshape, states = fshape[0], fshape[1:]
            states = states + states
        if self.merge_mode == "concat":
            out: Any = fshape[:-1] + (fshape[-1] * 2,)
        elif self.merge_mode is None:
            out = [fshape, fshape]
        else:
            out = fshape
        if self.return_state:
            return (out if isinstance(out, list) else [out]) + states
        return out

    def get_config(self) -> dict[str, Any]:
        cfg = super().get_config()
        cfg["layer"] = {"class_name": type(self.forward_layer).__name__,
                        "config": dict(self.forward_layer.get_config(),
                                       name=self.forward_layer.name[len("forward_"):])}
        cfg.pop("backward_layer", None)
        cfg.pop("weights", None)
        return cfg



class TimeDistributed(_Wrapper):
    """Apply ``layer`` to every time step: (N, T, ...) -> (N, T, ...'), one set of weights."""

    supports_masking = True

    def __init__(self, layer: Layer, **kwargs: Any) -> None:
        if not isinstance(layer, Layer):
            raise ValueError(f"Please initialize `TimeDistributed` layer with a `keras.Layer` "
                             f"instance. Received: {layer!r}")
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape: Shape) -> None:
        if len(input_shape) < 3:
            raise ValueError(f"`TimeDistributed` Layer should be passed an `input_shape` with "
                             f"at least 3 dimensions, received: {input_shape}")
        self.layer._maybe_build((input_shape[0],) + tuple(input_shape[2:]))

    def call(self, inputs: Tensor, training: bool = False) -> Tensor:
        n, t = inputs.shape[0], inputs.shape[1]
        y = self.layer(inputs.reshape(n * t, *inputs.shape[2:]), training=training)
        return y.reshape(n, t, *y.shape[1:])

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        inner = self.layer.compute_output_shape((input_shape[0],) + tuple(input_shape[2:]))
        return (inner[0], input_shape[1]) + tuple(inner[1:])

    def get_config(self) -> dict[str, Any]:
        cfg = super().get_config()
        cfg["layer"] = serialize(self.layer)
        return cfg

