"""Keras optimizers (SGD, Adam, AdamW, RMSprop, Adagrad) with Keras 3's update formulas.

They are ``autograd_nn.optim.Optimizer``s (param groups, per-parameter state, ``zero_grad``,
``step``, ``state_dict``), created without parameters as in Keras and built on the model's
trainable weights at the first step. Keras's conventions, which differ from PyTorch's:

- Adam: ``p -= lr * sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps)``, eps 1e-7;
- RMSprop: ``rho=0.9``, eps inside the root: ``p -= lr * g / sqrt(v + eps)``;
- Adagrad: accumulator starting at 0.1, ``p -= lr * g / sqrt(acc + eps)``;
- SGD momentum: ``v = momentum * v - lr * g; p += v`` (Nesterov: ``p += momentum * v - lr g``);
- ``weight_decay`` is decoupled for all (``p -= p * wd * lr`` before the update);
- ``clipnorm`` (per weight), ``clipvalue`` and ``global_clipnorm`` clip the gradients.

``learning_rate`` is a float or a schedule (``keras.optimizers.schedules``), read and set as
``optimizer.learning_rate`` (the callbacks change it there).
"""

from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np

from ..autograd import inplace
from ..optim.optimizer import Optimizer as _TorchStyleOptimizer
from ..tensor import Tensor
from . import schedules
from .backend import get_constraint

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "get", "serialize",
           "schedules"]


class Optimizer(_TorchStyleOptimizer):
    """Base of the Keras optimizers: hyper-parameters now, parameters at ``build``.

    Args:
        learning_rate: a float or a ``LearningRateSchedule`` (called with the step count).
        weight_decay: decoupled decay rate (None/0: off).
        clipnorm, clipvalue, global_clipnorm: gradient clipping (at most one of them).
        name: the optimizer's name.
    """

    _defaults: dict[str, Any] = {}
    _slots: tuple = ()

    def __init__(self, learning_rate: Any = 0.001, weight_decay: float | None = None,
                 clipnorm: float | None = None, clipvalue: float | None = None,
                 global_clipnorm: float | None = None, use_ema: bool = False,
                 ema_momentum: float = 0.99, ema_overwrite_frequency: Any = None,
                 loss_scale_factor: Any = None, gradient_accumulation_steps: Any = None,
                 name: str | None = None, **kwargs: Any) -> None:
        if kwargs:
            raise TypeError(f"{type(self).__name__}: unrecognized keyword arguments: "
                            f"{sorted(kwargs)}")
        if sum(v is not None for v in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError("Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be "
                             f"set. Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
                             f"global_clipnorm={global_clipnorm}")
        if use_ema or gradient_accumulation_steps or loss_scale_factor:
            raise NotImplementedError(f"{type(self).__name__}: use_ema, "
                                      f"gradient_accumulation_steps and loss_scale_factor are "
                                      f"not supported")
        self.name = name or _snake(type(self).__name__)
        self._learning_rate = self._check_lr(learning_rate)
        self.weight_decay = weight_decay
        self.clipnorm, self.clipvalue, self.global_clipnorm = clipnorm, clipvalue, \
            global_clipnorm
        self.iterations = 0
        self.built = False
        self.defaults = {}
        self.param_groups = []
        self.state = {}
        self._exclude: set[int] = set()

    @staticmethod
    def _check_lr(lr: Any) -> Any:
        if isinstance(lr, schedules.LearningRateSchedule) or callable(lr):
            return lr
        if not isinstance(lr, (int, float, np.floating)) or isinstance(lr, bool) or lr < 0:
            raise ValueError(f"Argument `learning_rate` should be float, or an instance of "
                             f"LearningRateSchedule, or a callable. Received: "
                             f"learning_rate={lr}")
        return float(lr)

    # ------------------------------------------------------------------ learning rate
    @property
    def learning_rate(self) -> float:
        """The current learning rate (a schedule is evaluated at ``iterations``)."""
        lr = self._learning_rate
        if isinstance(lr, schedules.LearningRateSchedule):
            return float(lr(self.iterations))
        if callable(lr):
            return float(lr())
        return float(np.float32(lr))

    @learning_rate.setter
    def learning_rate(self, value: Any) -> None:
        self._learning_rate = self._check_lr(value)

    lr = property(lambda self: _no_lr())

    # ------------------------------------------------------------------------ building
    def build(self, variables: Iterable[Tensor]) -> None:
        """Create the per-weight state for ``variables`` (done at the first step by fit)."""
        params = [v for v in variables]
        _TorchStyleOptimizer.__init__(self, params, dict(self._defaults, maximize=False,
                                                         weight_decay=0))
        self.built = True

    def exclude_from_weight_decay(self, var_list: Any = None, var_names: Any = None) -> None:
        """Exempt the weights in ``var_list`` from ``weight_decay``."""
        if var_names:
            raise NotImplementedError("exclude_from_weight_decay: weights have no Keras "
                                      "variable names here; pass var_list=[layer.bias, ...]")
        for v in var_list or []:
            self._exclude.add(id(v))

    # ------------------------------------------------------------------------ updating
    def apply_gradients(self, grads_and_vars: Iterable[tuple[Any, Tensor]]) -> None:
        """Keras's entry point: set each variable's gradient and take one step."""
        pairs = list(grads_and_vars)
        if not self.built:
            self.build([v for _, v in pairs])
        for g, v in pairs:
            v.grad = None if g is None else (g if isinstance(g, Tensor) else
                                             Tensor._wrap(np.asarray(g, v._data.dtype)))
        self.step()

    def apply(self, grads: Iterable[Any], trainable_variables: Iterable[Tensor]) -> None:
        self.apply_gradients(zip(grads, trainable_variables))

    def step(self, closure: Any = None) -> Any:
        if not self.built:
            raise RuntimeError(f"{type(self).__name__}: build(variables) (or fit) must run "
                               f"before step()")
        lr = self.learning_rate
        self._lr_now = lr
        self._grads = self._clipped_grads()
        for group in self.param_groups:
            group["lr"] = lr
        out = super().step(closure)
        self.iterations += 1
        self._grads = {}
        return out

    def _clipped_grads(self) -> dict[int, np.ndarray]:
        grads = {}
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    g = p.grad._data
                    grads[id(p)] = g.astype(p._data.dtype) if g.dtype != p._data.dtype else g
        if self.clipvalue is not None:
            grads = {k: np.clip(g, -self.clipvalue, self.clipvalue) for k, g in grads.items()}
        elif self.clipnorm is not None:
            out = {}
            for k, g in grads.items():
                n = float(np.sqrt((g.astype(np.float64) ** 2).sum()))
                out[k] = g * (self.clipnorm / n) if n > self.clipnorm else g
            grads = out
        elif self.global_clipnorm is not None:
            n = math.sqrt(sum(float((g.astype(np.float64) ** 2).sum()) for g in grads.values()))
            if n > self.global_clipnorm:
                grads = {k: g * (self.global_clipnorm / n) for k, g in grads.items()}
        return grads

    def _update_group(self, group: dict[str, Any]) -> None:
        lr = self._lr_now
        for p, state, step in self._each_param(group, self._slot_specs()):
            g = self._grads[id(p)]
            x = p._data
            if self.weight_decay and id(p) not in self._exclude:
                x -= x * (self.weight_decay * lr)
            self._update(x, g, state, step, lr)
            constraint = get_constraint(p)
            if constraint is not None:  # Keras projects the weight after its update
                x[...] = constraint(x)
            inplace.bump_version(p)

    def _slot_specs(self) -> tuple:
        return self._slots

    def _update(self, x: np.ndarray, g: np.ndarray, state: dict, t: float, lr: float) -> None:
        raise NotImplementedError

    # -------------------------------------------------------------------------- config
    def get_config(self) -> dict[str, Any]:
        lr = self._learning_rate
        cfg = {"name": self.name, "learning_rate": lr if isinstance(lr, float) else
               schedules.serialize(lr), "weight_decay": self.weight_decay,
               "clipnorm": self.clipnorm, "clipvalue": self.clipvalue,
               "global_clipnorm": self.global_clipnorm}
        cfg.update(self._hyper())
        return cfg

    def _hyper(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Optimizer:
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.deserialize(config["learning_rate"])
        return cls(**config)

    def __repr__(self) -> str:
        return f"<keras.optimizers.{type(self).__name__} learning_rate={self.learning_rate}>"


def _no_lr() -> None:
    raise AttributeError("`optimizer.lr` is gone in Keras 3: use `optimizer.learning_rate`")


class SGD(Optimizer):
    """Gradient descent, optionally with (Nesterov) momentum. Default learning_rate 0.01."""

    def __init__(self, learning_rate: Any = 0.01, momentum: float = 0.0, nesterov: bool = False,
                 **kwargs: Any) -> None:
        if not isinstance(momentum, (int, float)) or not 0 <= momentum <= 1:
            raise ValueError(f"`momentum` must be a float between [0, 1]. Received: "
                             f"momentum={momentum} (of type {type(momentum)})")
        super().__init__(learning_rate, **kwargs)
        self.momentum, self.nesterov = float(momentum), nesterov

    def _slot_specs(self) -> tuple:
        return ("momentum",) if self.momentum else ()

    def _update(self, x: np.ndarray, g: np.ndarray, state: dict, t: float, lr: float) -> None:
        if not self.momentum:
            x -= lr * g
            return
        m = state["momentum"]._data
        m *= self.momentum
        m -= lr * g
        if self.nesterov:
            x += self.momentum * m - lr * g
        else:
            x += m

    def _hyper(self) -> dict[str, Any]:
        return {"momentum": self.momentum, "nesterov": self.nesterov}


class Adam(Optimizer):
    """Adam with Keras's epsilon placement (outside the root of the uncorrected v)."""

    _slots = ("momentum", "velocity")

    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, amsgrad: bool = False, **kwargs: Any) -> None:
        super().__init__(learning_rate, **kwargs)
        self.beta_1, self.beta_2, self.epsilon, self.amsgrad = beta_1, beta_2, epsilon, amsgrad

    def _slot_specs(self) -> tuple:
        return self._slots + (("velocity_hat",) if self.amsgrad else ())

    def _update(self, x: np.ndarray, g: np.ndarray, state: dict, t: float, lr: float) -> None:
        b1, b2 = self.beta_1, self.beta_2
        m, v = state["momentum"]._data, state["velocity"]._data
        m += (g - m) * (1 - b1)
        v += (g * g - v) * (1 - b2)
        alpha = lr * math.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        if self.amsgrad:
            vh = state["velocity_hat"]._data
            np.maximum(vh, v, out=vh)
            v = vh
        x -= (m * alpha) / (np.sqrt(v) + self.epsilon)

    def _hyper(self) -> dict[str, Any]:
        return {"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon,
                "amsgrad": self.amsgrad}


class AdamW(Adam):
    """Adam with decoupled weight decay (default 0.004, as Keras)."""

    def __init__(self, learning_rate: Any = 0.001, weight_decay: float = 0.004,
                 beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7,
                 amsgrad: bool = False, **kwargs: Any) -> None:
        if not weight_decay:
            raise ValueError("Argument `weight_decay` must be a float. Received: "
                             f"weight_decay={weight_decay}")
        super().__init__(learning_rate, beta_1, beta_2, epsilon, amsgrad,
                         weight_decay=weight_decay, **kwargs)


class RMSprop(Optimizer):
    """RMSprop, Keras's defaults: rho 0.9, eps 1e-7 inside the root; optional momentum and
    centering."""

    def __init__(self, learning_rate: Any = 0.001, rho: float = 0.9, momentum: float = 0.0,
                 epsilon: float = 1e-7, centered: bool = False, **kwargs: Any) -> None:
        super().__init__(learning_rate, **kwargs)
        self.rho, self.momentum, self.epsilon, self.centered = rho, momentum, epsilon, centered

    def _slot_specs(self) -> tuple:
        return ("velocity",) + (("momentum",) if self.momentum else ()) + \
            (("average_gradient",) if self.centered else ())

    def _update(self, x: np.ndarray, g: np.ndarray, state: dict, t: float, lr: float) -> None:
        rho = self.rho
        v = state["velocity"]._data
        v *= rho
        v += (1 - rho) * g * g
        if self.centered:
            ag = state["average_gradient"]._data
            ag *= rho
            ag += (1 - rho) * g
            denom = v - ag * ag + self.epsilon
        else:
            denom = v + self.epsilon
        increment = lr * g / np.sqrt(denom)
        if self.momentum:
            m = state["momentum"]._data
            m *= self.momentum
            m += increment
            x -= m
        else:
            x -= increment

    def _hyper(self) -> dict[str, Any]:
        return {"rho": self.rho, "momentum": self.momentum, "epsilon": self.epsilon,
                "centered": self.centered}


class Adagrad(Optimizer):
    """Adagrad: ``acc += g^2; p -= lr g / sqrt(acc + eps)``, acc starting at 0.1."""

    def __init__(self, learning_rate: Any = 0.001, initial_accumulator_value: float = 0.1,
                 epsilon: float = 1e-7, **kwargs: Any) -> None:
        super().__init__(learning_rate, **kwargs)
        self.initial_accumulator_value, self.epsilon = initial_accumulator_value, epsilon

    def _slot_specs(self) -> tuple:
        return (("accumulator", self.initial_accumulator_value),)

    def _update(self, x: np.ndarray, g: np.ndarray, state: dict, t: float, lr: float) -> None:
        acc = state["accumulator"]._data
        acc += g * g
        x -= lr * g / np.sqrt(acc + self.epsilon)

    def _hyper(self) -> dict[str, Any]:
        return {"initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}


_BY_NAME = {"sgd": SGD, "adam": Adam, "adamw": AdamW, "rmsprop": RMSprop, "adagrad": Adagrad}


def _snake(name: str) -> str:
    return name.lower()


def get(identifier: Any) -> Optimizer:
    """An optimizer from a name ('adam', 'sgd', 'rmsprop', 'adagrad', 'adamw'; Keras's
    defaults), a config dict or an Optimizer."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        cls = _BY_NAME.get(identifier.lower())
        if cls is None:
            raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}; known: "
                             f"{sorted(_BY_NAME)}")
        return cls()
    if isinstance(identifier, dict) and identifier.get("class_name", "").lower() in _BY_NAME:
        return _BY_NAME[identifier["class_name"].lower()].from_config(
            identifier.get("config", {}))
    if isinstance(identifier, _TorchStyleOptimizer):
        raise ValueError("compile(optimizer=...) takes a keras optimizer (keras.optimizers.Adam"
                         "...) or its name; an autograd_nn.optim optimizer belongs to a plain "
                         "training loop")
    raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}")


def serialize(opt: Optimizer) -> dict[str, Any]:
    return {"class_name": type(opt).__name__, "config": opt.get_config()}
