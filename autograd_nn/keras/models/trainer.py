"""compile / fit / evaluate / predict / train_on_batch / summary / save for Keras models.

Each training step is the plain autograd_nn loop: forward in training mode, loss (plus the
layers' regularization losses), ``backward``, one optimizer step. Keras's semantics:

- the epoch's ``loss`` is the batch-size-weighted mean of the batch losses; metrics are running
  means over the samples, computed on each batch's predictions before its update;
- ``validation_split`` takes the last fraction of the rows, before any shuffling; the
  validation metrics are computed after the epoch, with the final weights, in inference mode;
- ``class_weight`` becomes per-sample weights (a class it lacks weighs 1; not together with
  ``sample_weight``, as Keras 3); ``sample_weight`` weights the loss (and the
  ``weighted_metrics``); ``metrics`` are unweighted, as in Keras 3;
- float data runs in float32; ``x``/``y`` may be NumPy arrays, lists, Tensors, a list/dict of
  them for several inputs, or a ``DataLoader`` (or any iterable) of (x, y[, sample_weight])
  batches.
"""

from __future__ import annotations

import math
import sys
from typing import Any, Iterable, Iterator, Sequence

import numpy as np

from ...autograd.grad_mode import no_grad
from ...random import _gen
from ...tensor import Tensor
from .. import callbacks as callbacks_module
from .. import losses as losses_module
from .. import metrics as metrics_module
from .. import optimizers as optimizers_module
from ..backend import to_numpy, to_tensor
from .saving import load_weights, save_model, save_weights
from .summary import summary_text

__all__ = ["Trainer"]


def _resolve_verbose(verbose: Any) -> int:
    if verbose == "auto":
        interactive = hasattr(sys.stdout, "isatty") and sys.stdout.isatty()
        return 1 if interactive or "ipykernel" in sys.modules else 0
    if verbose not in (0, 1, 2, True, False):
        raise ValueError(f"verbose must be 'auto', 0, 1 or 2, got {verbose!r}")
    return int(verbose)


def _as_array(x: Any) -> Any:
    """Arrays stay, Tensors become their arrays, lists of numbers become arrays; dicts and
    lists of arrays (several inputs) keep their structure."""
    if x is None:
        return None
    if isinstance(x, Tensor):
        return x._data
    if isinstance(x, np.ndarray):
        return x
    if isinstance(x, dict):
        return {k: _as_array(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        if x and all(isinstance(v, (np.ndarray, Tensor)) for v in x) and \
                len({np.shape(to_numpy(v)) for v in x}) >= 1 and \
                not all(np.ndim(to_numpy(v)) == 0 for v in x):
            return [_as_array(v) for v in x]
        return np.asarray(x)
    if np.isscalar(x):
        return np.asarray(x)
    return x


def _flat(x: Any) -> list[np.ndarray]:
    if isinstance(x, dict):
        return list(x.values())
    if isinstance(x, list):
        return x
    return [x]


def _num_rows(x: Any) -> int:
    return int(_flat(x)[0].shape[0])


def _take(x: Any, idx: Any) -> Any:
    if x is None:
        return None
    if isinstance(x, dict):
        return {k: v[idx] for k, v in x.items()}
    if isinstance(x, list):
        return [v[idx] for v in x]
    return x[idx]


def _class_sample_weights(y: Any, class_weight: dict[int, float]) -> np.ndarray:
    """Keras 3's per-sample weights from ``class_weight``: the class of a row is its label
    (rounded), or the argmax of a one-hot row; a class absent from the dict weighs 1."""
    if isinstance(y, (list, tuple, dict)):
        raise ValueError("`class_weight` is only supported for Models with a single output.")
    if not isinstance(y, np.ndarray):
        raise ValueError("`class_weight` needs array targets `y`")
    labels = y
    if labels.ndim > 1:
        labels = labels.argmax(-1) if labels.shape[-1] != 1 else labels[..., 0]
    labels = np.round(labels).astype(np.int64)
    return np.array([class_weight.get(int(c), 1.0) for c in labels], dtype=np.float32)


def _is_array_data(x: Any) -> bool:
    return isinstance(x, (np.ndarray, list, dict)) and not (
        isinstance(x, list) and x and not isinstance(x[0], np.ndarray))


class _ArrayBatches:
    """Batches of in-memory arrays, reshuffled each epoch when ``shuffle``."""

    def __init__(self, x: Any, y: Any, sw: Any, batch_size: int, shuffle: Any,
                 steps: int | None = None) -> None:
        self.x, self.y, self.sw = x, y, sw
        self.steps = steps
        self.n = _num_rows(x)
        for name, arr in (("y", y), ("sample_weight", sw)):
            if arr is not None and _num_rows(arr) != self.n:
                raise ValueError(f"Data cardinality is ambiguous: x sizes: {self.n}, {name} "
                                 f"sizes: {_num_rows(arr)}. Make sure all arrays contain the "
                                 f"same number of samples.")
        self.batch_size, self.shuffle = batch_size, shuffle

    def __len__(self) -> int:
        n = math.ceil(self.n / self.batch_size)
        return n if self.steps is None else min(n, self.steps)

    def __iter__(self) -> Iterator[tuple]:
        order = np.arange(self.n)
        if self.shuffle == "batch":
            starts = np.arange(0, self.n, self.batch_size)
            _gen().shuffle(starts)
            order = np.concatenate([order[s:s + self.batch_size] for s in starts])
        elif self.shuffle:
            order = _gen().permutation(self.n)
        for step, s in enumerate(range(0, self.n, self.batch_size)):
            if self.steps is not None and step >= self.steps:
                break
            idx = order[s:s + self.batch_size]
            if not self.shuffle:
                idx = slice(s, s + self.batch_size)
            yield _take(self.x, idx), _take(self.y, idx), _take(self.sw, idx)


class _IterableBatches:
    """Batches from a DataLoader or any re-iterable of (x,), (x, y) or (x, y, sample_weight)."""

    def __init__(self, data: Iterable[Any], steps: int | None = None) -> None:
        self.data, self.steps = data, steps

    def __len__(self) -> int:
        if self.steps is not None:
            return self.steps
        try:
            return len(self.data)  # type: ignore[arg-type]
        except TypeError:
            return 0

    def __iter__(self) -> Iterator[tuple]:
        for i, batch in enumerate(self.data):
            if self.steps is not None and i >= self.steps:
                break
            if isinstance(batch, (list, tuple)):
                parts = list(batch) + [None] * (3 - len(batch))
                x, y, sw = parts[:3]
            else:
                x, y, sw = batch, None, None
            yield _as_array(x), _as_array(y), _as_array(sw)


class Trainer:
    """The training API of :class:`~autograd_nn.keras.Model` (mixed into it)."""

    def __init__(self) -> None:
        self.optimizer: Any = None
        self.loss: Any = None
        self.compiled = False
        self.stop_training = False
        self.history: Any = None
        self._heads: list[_Head] | None = None
        self._head_losses: list[Any] = []
        self._loss_tracker = metrics_module.Mean(name="loss")
        self._compile_config: dict[str, Any] = {}

    # ----------------------------------------------------------------------------- compile
    def compile(self, optimizer: Any = "rmsprop", loss: Any = None, loss_weights: Any = None,
                metrics: Any = None, weighted_metrics: Any = None, run_eagerly: bool = False,
                steps_per_execution: int = 1, jit_compile: Any = "auto",
                auto_scale_loss: bool = True) -> None:
        """Set the optimizer (name or object), the loss (name, Loss or function) and the
        metrics (names, Metric objects or functions; 'accuracy' resolves to binary,
        categorical or sparse categorical accuracy from the loss and the shapes).

        A model with several outputs takes a loss per output (a list, or a dict keyed by the
        output layers' names; one loss applies to every output), ``loss_weights`` likewise,
        and metrics as a list of lists or a dict; the logs add ``<output>_loss`` and
        ``<output>_<metric>``."""
        self.optimizer = optimizers_module.get(optimizer)
        self.loss = loss
        for spec in (loss.values() if isinstance(loss, dict) else
                     loss if isinstance(loss, (list, tuple)) else [loss]):
            losses_module.get(spec)  # unknown names fail here, not at the first step
        self._loss_arg, self._loss_weights_arg = loss, loss_weights
        self._metrics_arg, self._weighted_arg = metrics, weighted_metrics
        self._heads: list[_Head] | None = None
        self.compiled = True
        self._compile_config = {"optimizer": optimizer, "loss": loss,
                                "loss_weights": loss_weights, "metrics": metrics,
                                "weighted_metrics": weighted_metrics}

    def _output_names(self, y_pred: Any) -> list[str] | None:
        if isinstance(y_pred, dict):
            return list(y_pred)
        if not isinstance(y_pred, (list, tuple)):
            return None
        outs = getattr(self, "_output_tensors", None)
        if outs is not None and len(outs) == len(y_pred):
            return [t.node.layer.name for t in outs]
        return [f"output_{i}" for i in range(len(y_pred))]

    def _build_heads(self, y_pred: Any) -> None:
        names = self._output_names(y_pred)
        if names is None:
            self._heads = [_Head(None, self._loss_arg, 1.0, _as_metric_list(self._metrics_arg),
                                 _as_metric_list(self._weighted_arg))]
            return

        def per_output(arg: Any, i: int, name: str, default: Any, nested: bool) -> Any:
            if isinstance(arg, dict):
                return arg.get(name, default)
            if isinstance(arg, (list, tuple)) and (not nested or all(
                    isinstance(a, (list, tuple)) or a is None for a in arg)):
                if len(arg) != len(names):
                    raise ValueError(f"compile: expected {len(names)} entries (one per "
                                     f"output {names}), got {len(arg)}: {arg!r}")
                return arg[i]
            return arg if arg is not None else default
        self._heads = []
        for i, name in enumerate(names):
            w = per_output(self._loss_weights_arg, i, name, 1.0, False)
            self._heads.append(_Head(
                name, per_output(self._loss_arg, i, name, None, False),
                1.0 if w is None else float(w),
                _as_metric_list(per_output(self._metrics_arg, i, name, None, True)),
                _as_metric_list(per_output(self._weighted_arg, i, name, None, True))))

    @property
    def metrics(self) -> list[Any]:
        out = [self._loss_tracker]
        for h in self._heads or []:
            if h.tracker is not None:
                out.append(h.tracker)
        for h in self._heads or []:
            out += h.metrics
        for h in self._heads or []:
            out += h.weighted
        return out

    @property
    def _compiled_metrics(self) -> list[Any]:
        return [m for h in self._heads or [] for m in h.metrics + h.weighted]

    @property
    def metrics_names(self) -> list[str]:
        return [m.name for m in self.metrics]

    def _reset_metrics(self) -> None:
        for m in self.metrics:
            m.reset_state()

    def _logs(self) -> dict[str, float]:
        logs = {"loss": float(self._loss_tracker.result())}
        counts: dict[str, int] = {}

        def unique(name: str) -> str:  # Keras's naming of repeated metric names
            if name not in counts:
                counts[name] = 1
                return name
            counts[name] += 1
            return f"{name}_{counts[name] - 1}"
        heads = self._heads or []
        for h in heads:
            if h.tracker is not None:
                logs[h.tracker.name] = float(h.tracker.result())
        for h in heads:
            for m in h.metrics:
                logs[unique(m.name)] = float(m.result())
        for h in heads:
            for m in h.weighted:
                name = m.name if m.name not in counts else h.prefix + "weighted_" + m.base_name
                logs[unique(name)] = float(m.result())
        return logs

    # --------------------------------------------------------------------------- steps
    def _check_compiled(self, what: str) -> None:
        if not self.compiled:
            raise RuntimeError(f"You must call `compile()` before using the model ({what}).")

    def _to_inputs(self, x: Any) -> Any:
        if isinstance(x, dict):
            return {k: to_tensor(v) for k, v in x.items()}
        if isinstance(x, list):
            return [to_tensor(v) for v in x]
        return to_tensor(x)

    def _pairs(self, y: Any, y_pred: Any) -> list[tuple[Any, Any]]:
        """(y_true, y_pred) per output head."""
        if self._heads is None:
            self._build_heads(y_pred)
        heads = self._heads
        if heads[0].name is None:
            return [(y, y_pred)]
        preds = [y_pred[h.name] for h in heads] if isinstance(y_pred, dict) else list(y_pred)
        if isinstance(y, dict):
            missing = [h.name for h in heads if h.loss_fn is not None and h.name not in y]
            if missing:
                raise ValueError(f"Model '{self.name}': no targets for the outputs {missing}; "
                                 f"y has keys {sorted(y)}")
            ys = [y.get(h.name) for h in heads]
        elif isinstance(y, (list, tuple)):
            if len(y) != len(heads):
                raise ValueError(f"Model '{self.name}' has {len(heads)} outputs "
                                 f"{[h.name for h in heads]} but y has {len(y)} arrays")
            ys = list(y)
        else:
            raise ValueError(f"Model '{self.name}' has {len(heads)} outputs: y must be a list "
                             f"or a dict of {len(heads)} arrays")
        return list(zip(ys, preds))

    def _compute_loss(self, y: Any, y_pred: Any, sw: Any) -> Tensor:
        if y is None:
            raise ValueError(f"Model '{self.name}': fit/evaluate got no targets `y`")
        pairs = self._pairs(y, y_pred)
        total: Any = None
        self._head_losses = []
        for h, (yt, yp) in zip(self._heads, pairs):
            if h.loss_fn is None:
                self._head_losses.append(None)
                continue
            value = h.loss_fn(yt if isinstance(yt, Tensor) else to_tensor(yt), yp,
                              sample_weight=sw)
            self._head_losses.append(float(value._data))
            term = value if h.weight == 1.0 else value * h.weight
            total = term if total is None else total + term
        if total is None:
            raise ValueError("No loss to compute. Provide a `loss` argument in `compile()`.")
        for extra in self.losses:
            total = total + extra.sum()
        return total

    def _update_metrics(self, loss: float, n: int, y: Any, y_pred: Any, sw: Any) -> None:
        _add_weighted(self._loss_tracker, loss, n)  # batch-size-weighted mean, as Keras
        for h, (yt, yp), hl in zip(self._heads, self._pairs(y, y_pred), self._head_losses):
            if h.tracker is not None and hl is not None:
                _add_weighted(h.tracker, hl, n)
            h.build_metrics(yt, yp)
            arr = yp._data
            for m in h.metrics:
                m.update_state(yt, arr)
            for m in h.weighted:
                m.update_state(yt, arr, sample_weight=sw)

    def _ensure_built(self, x: Any) -> None:
        if not self.built:
            first = _flat(x)[0]
            self.build((None,) + tuple(np.shape(first)[1:]))

    def _train_step(self, x: Any, y: Any, sw: Any) -> None:
        inputs = self._to_inputs(x)
        self._ensure_built(x)
        if not self.optimizer.built:
            self.optimizer.build(self.trainable_weights)
        self._clear_losses()
        y_pred = self(inputs, training=True)
        loss = self._compute_loss(y, y_pred, sw)
        self.optimizer.zero_grad(set_to_none=True)
        if self.trainable_weights:
            loss.backward()
            self.optimizer.step()
        self._update_metrics(float(loss._data), _num_rows(x), y, y_pred, sw)

    def _test_step(self, x: Any, y: Any, sw: Any) -> None:
        with no_grad():
            self._clear_losses()
            y_pred = self(self._to_inputs(x), training=False)
            loss = self._compute_loss(y, y_pred, sw)
        self._update_metrics(float(loss._data), _num_rows(x), y, y_pred, sw)

    # ----------------------------------------------------------------------------- data
    def _batches(self, x: Any, y: Any, sw: Any, batch_size: int | None, shuffle: Any,
                 steps: int | None, what: str) -> Any:
        if x is None:
            raise ValueError(f"{what}: x is required")
        xa = _as_array(x)
        if _is_array_data(xa):
            ya, swa = _as_array(y), _as_array(sw)
            return _ArrayBatches(xa, ya, swa, batch_size or 32, shuffle, steps)
        if batch_size is not None and not isinstance(x, Iterable):
            raise ValueError(f"{what}: unrecognized data type x={type(x)}")
        if y is not None:
            raise ValueError(f"{what}: `y` should not be passed when `x` is a dataset or "
                             f"DataLoader (it yields the targets)")
        return _IterableBatches(x, steps)

    # ------------------------------------------------------------------------------ fit
    def fit(self, x: Any = None, y: Any = None, batch_size: int | None = None, epochs: int = 1,
            verbose: Any = "auto", callbacks: Sequence[Any] | None = None,
            validation_split: float = 0.0, validation_data: Any = None, shuffle: Any = True,
            class_weight: dict[int, float] | None = None, sample_weight: Any = None,
            initial_epoch: int = 0, steps_per_epoch: int | None = None,
            validation_steps: int | None = None, validation_batch_size: int | None = None,
            validation_freq: int = 1) -> callbacks_module.History:
        """Train for ``epochs`` epochs; returns the :class:`History` of the epoch logs
        (``loss``, metrics, and ``val_*`` with validation data)."""
        self._check_compiled("fit")
        verbose = _resolve_verbose(verbose)
        xa, ya, swa = _as_array(x), _as_array(y), _as_array(sample_weight)
        if validation_split and validation_data is not None:
            validation_split = 0.0
        if validation_split:
            if not 0 < validation_split < 1:
                raise ValueError(f"validation_split must be in (0, 1), got {validation_split}")
            if not _is_array_data(xa):
                raise ValueError("`validation_split` is only supported for Tensors or NumPy "
                                 "arrays, found a dataset / DataLoader")
            n = _num_rows(xa)
            split = int(math.floor(n * (1.0 - validation_split)))
            if split == 0 or split == n:
                raise ValueError(f"Training data contains {n} samples, which is not sufficient "
                                 f"to split it into a validation and training set as specified "
                                 f"by `validation_split={validation_split}`. Either provide "
                                 f"more data, or a different value for the `validation_split` "
                                 f"argument.")
            validation_data = (_take(xa, slice(split, None)), _take(ya, slice(split, None)),
                               _take(swa, slice(split, None)))
            xa, ya, swa = (_take(xa, slice(0, split)), _take(ya, slice(0, split)),
                           _take(swa, slice(0, split)))
        if class_weight is not None:
            if swa is not None:
                raise ValueError("You cannot `class_weight` and `sample_weight` at the same "
                                 "time.")
            swa = _class_sample_weights(ya, class_weight)
        data = self._batches(xa if _is_array_data(xa) else x, ya if _is_array_data(xa) else y,
                             swa, batch_size, shuffle, steps_per_epoch, "fit")
        val = None
        if validation_data is not None:
            vd = list(validation_data) if isinstance(validation_data, tuple) else validation_data
            if isinstance(vd, list):
                vx, vy, vsw = (vd + [None] * 3)[:3]
                val = (vx, vy, vsw)
            else:
                val = (vd, None, None)
        history = callbacks_module.History()
        cbs = list(callbacks or [])
        if verbose and not any(isinstance(c, callbacks_module.ProgbarLogger) for c in cbs):
            cbs.append(callbacks_module.ProgbarLogger())
        cbs.append(history)
        params = {"verbose": verbose, "epochs": epochs, "steps": len(data) or None}
        cb = callbacks_module.CallbackList(cbs, self, params)
        self.stop_training = False
        self.history = history
        mode = self.training
        try:
            return self._fit_loop(cb, data, val, epochs, initial_epoch, batch_size,
                                  validation_batch_size, validation_steps, validation_freq,
                                  history)
        finally:
            self.train(mode)

    def _fit_loop(self, cb: Any, data: Any, val: Any, epochs: int, initial_epoch: int,
                  batch_size: Any, validation_batch_size: Any, validation_steps: Any,
                  validation_freq: int, history: Any) -> Any:
        cb.on_train_begin()
        logs: dict[str, float] = {}
        for epoch in range(initial_epoch, epochs):
            self._reset_metrics()
            cb.on_epoch_begin(epoch)
            self.train(True)  # once per epoch: the layers then see training=True unchanged
            for step, (bx, by, bsw) in enumerate(data):
                cb.on_train_batch_begin(step)
                self._train_step(bx, by, bsw)
                logs = self._logs()
                cb.on_train_batch_end(step, dict(logs))
                if self.stop_training:
                    break
            epoch_logs = dict(self._logs())
            if val is not None and (epoch + 1) % validation_freq == 0:
                val_logs = self.evaluate(val[0], val[1], sample_weight=val[2],
                                         batch_size=validation_batch_size or batch_size,
                                         steps=validation_steps, verbose=0, return_dict=True,
                                         _callbacks=cb)
                epoch_logs.update({"val_" + k: v for k, v in val_logs.items()})
            cb.on_epoch_end(epoch, epoch_logs)
            logs = epoch_logs
            if self.stop_training:
                break
        cb.on_train_end(logs)
        return history

    # ------------------------------------------------------------------------- evaluate
    def evaluate(self, x: Any = None, y: Any = None, batch_size: int | None = None,
                 verbose: Any = "auto", sample_weight: Any = None, steps: int | None = None,
                 callbacks: Sequence[Any] | None = None, return_dict: bool = False,
                 _callbacks: Any = None) -> Any:
        """The loss and metrics on (x, y): a float (loss only), a list [loss, *metrics], or a
        dict with ``return_dict``."""
        self._check_compiled("evaluate")
        verbose = _resolve_verbose(verbose)
        data = self._batches(x, y, sample_weight, batch_size, False, steps, "evaluate")
        if _callbacks is None:
            cbs = list(callbacks or [])
            if verbose:
                cbs.append(callbacks_module.ProgbarLogger())
            cb = callbacks_module.CallbackList(cbs, self, {"verbose": verbose, "epochs": 1,
                                                           "steps": len(data) or None})
        else:
            cb = _callbacks
        self._reset_metrics()
        mode = self.training
        self.train(False)
        try:
            cb.on_test_begin()
            for step, (bx, by, bsw) in enumerate(data):
                cb.on_test_batch_begin(step)
                self._test_step(bx, by, bsw)
                cb.on_test_batch_end(step, self._logs())
            logs = self._logs()
            cb.on_test_end(logs)
        finally:
            self.train(mode)
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    # -------------------------------------------------------------------------- predict
    def predict(self, x: Any, batch_size: int | None = None, verbose: Any = "auto",
                steps: int | None = None, callbacks: Sequence[Any] | None = None) -> Any:
        """The model's outputs on ``x`` as NumPy arrays, batch by batch, in inference mode."""
        verbose = _resolve_verbose(verbose)
        data = self._batches(x, None, None, batch_size, False, steps, "predict")
        cbs = list(callbacks or [])
        if verbose:
            cbs.append(callbacks_module.ProgbarLogger())
        cb = callbacks_module.CallbackList(cbs, self, {"verbose": verbose, "epochs": 1,
                                                       "steps": len(data) or None})
        outs: list[Any] = []
        cb.on_predict_begin()
        for step, (bx, _, _) in enumerate(data):
            cb.on_predict_batch_begin(step)
            self._ensure_built(bx)
            with no_grad():
                out = self(self._to_inputs(bx), training=False)
            outs.append(out)
            cb.on_predict_batch_end(step, {"outputs": out})
        cb.on_predict_end()
        if not outs:
            raise ValueError("predict: the data is empty")
        if isinstance(outs[0], (list, tuple)):
            return [np.concatenate([o[i]._data for o in outs]) for i in range(len(outs[0]))]
        if isinstance(outs[0], dict):
            return {k: np.concatenate([o[k]._data for o in outs]) for k in outs[0]}
        return np.concatenate([o._data for o in outs])

    # -------------------------------------------------------------------- single batches
    def train_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None,
                       class_weight: Any = None, return_dict: bool = False) -> Any:
        """One optimizer step on one batch; returns the loss (and metrics) of that batch."""
        self._check_compiled("train_on_batch")
        xa, ya, swa = _as_array(x), _as_array(y), _as_array(sample_weight)
        if class_weight is not None:
            if swa is not None:
                raise ValueError(f"Arguments `sample_weight` and `class_weight` cannot be "
                                 f"specified at the same time. Received: sample_weight="
                                 f"{sample_weight}, class_weight={class_weight}")
            swa = _class_sample_weights(ya, class_weight)
        self._reset_metrics()
        self._train_step(xa, ya, swa)
        return self._single_logs(return_dict)

    def test_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None,
                      return_dict: bool = False) -> Any:
        self._check_compiled("test_on_batch")
        self._reset_metrics()
        self._test_step(_as_array(x), _as_array(y), _as_array(sample_weight))
        return self._single_logs(return_dict)

    def predict_on_batch(self, x: Any) -> Any:
        return self.predict(x, batch_size=_num_rows(_as_array(x)), verbose=0)

    def _single_logs(self, return_dict: bool) -> Any:
        logs = self._logs()
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    # -------------------------------------------------------------------------- summary
    def summary(self, line_length: int | None = None, positions: Any = None,
                print_fn: Any = None, expand_nested: bool = False,
                show_trainable: bool = False, layer_range: Any = None) -> None:
        """Print Keras's table: layer (type), output shape, param #, and the totals."""
        text = summary_text(self, line_length)
        if print_fn is None:
            print(text)
        else:
            print_fn(text + "\n")  # Keras hands print_fn the whole text, newline-terminated

    # ------------------------------------------------------------------------- saving
    def save_weights(self, filepath: str, overwrite: bool = True) -> None:
        """Write the weights (``get_weights`` order) to ``filepath`` (must end in
        ``.weights.h5``) in autograd_nn's safe format (safetensors + JSON, no pickle)."""
        save_weights(self, filepath, overwrite)

    def load_weights(self, filepath: str, skip_mismatch: bool = False) -> None:
        """Load weights written by :meth:`save_weights` (or a ``.keras`` file)."""
        load_weights(self, filepath, skip_mismatch)

    def save(self, filepath: str, overwrite: bool = True, zipped: Any = None) -> None:
        """Write the architecture, weights and compile arguments to a ``.keras`` file (safe
        format; ``keras.models.load_model`` reads it back)."""
        save_model(self, filepath, overwrite)

    def get_compile_config(self) -> dict[str, Any]:
        return dict(self._compile_config)


def _as_metric_list(metrics: Any) -> list[Any]:
    if metrics is None:
        return []
    if isinstance(metrics, dict):
        raise NotImplementedError("compile: per-output metric dicts are not supported yet")
    if isinstance(metrics, (str, metrics_module.Metric)) or callable(metrics) and \
            not isinstance(metrics, (list, tuple)):
        return [metrics]
    return list(metrics)




def _add_weighted(tracker: Any, value: float, n: int) -> None:
    tracker.total += value * n
    tracker.count += n


class _Head:
    """One output's loss, weight, metrics and (for several outputs) its loss tracker."""

    def __init__(self, name: str | None, loss: Any, weight: float, metric_specs: list[Any],
                 weighted_specs: list[Any]) -> None:
        self.name = name
        self.prefix = f"{name}_" if name is not None else ""
        fn = losses_module.get(loss)
        if fn is not None and not isinstance(fn, losses_module.Loss):
            fn = losses_module.LossFunctionWrapper(fn, name=loss if isinstance(loss, str)
                                                   else getattr(fn, "__name__", None))
        self.loss_fn = fn
        self.weight = weight
        self.tracker = metrics_module.Mean(name=f"{name}_loss") if name is not None and \
            fn is not None else None
        self._specs = (metric_specs, weighted_specs)
        self.metrics: list[Any] = []
        self.weighted: list[Any] = []
        self._built = False

    def build_metrics(self, y_true: Any, y_pred: Any) -> None:
        if self._built:
            return

        def make(spec: Any) -> Any:
            if isinstance(spec, str) and spec.lower() in ("accuracy", "acc"):
                yt, yp = np.asarray(to_numpy(y_true)), to_numpy(y_pred)
                if yp.shape[-1] == 1:
                    m: Any = metrics_module.BinaryAccuracy(name=spec)
                elif yt.ndim < yp.ndim or (yt.shape[-1] == 1 and yp.shape[-1] > 1):
                    m = metrics_module.SparseCategoricalAccuracy(name=spec)
                else:
                    m = metrics_module.CategoricalAccuracy(name=spec)
            elif isinstance(spec, str) and spec.lower() in ("crossentropy", "ce"):
                loss_fn = getattr(self.loss_fn, "fn", None)
                cls = {losses_module.binary_crossentropy: metrics_module.BinaryCrossentropy,
                       losses_module.sparse_categorical_crossentropy:
                       metrics_module.SparseCategoricalCrossentropy}.get(
                    loss_fn, metrics_module.CategoricalCrossentropy)
                m = cls(name=spec)
            else:
                m = metrics_module.get(spec)
                if isinstance(spec, str):
                    m.name = spec
            m.base_name = m.name
            m.name = self.prefix + m.name
            return m
        self.metrics = [make(s) for s in self._specs[0]]
        self.weighted = [make(s) for s in self._specs[1]]
        self._built = True
