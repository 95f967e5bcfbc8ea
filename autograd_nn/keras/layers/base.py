"""The Keras ``Layer`` on top of ``nn.Module``, symbolic ``KerasTensor``s and ``Input``.

A Layer is an ``nn.Module`` (its weights are Parameters, its ``forward`` runs ``call``), so
``draw_graph``, ``summary``, hooks and ``state_dict`` work on Keras models. Keras's additions:

- lazy building: weights are created by ``build(input_shape)`` on the first call, from the
  shape of the first input, unless ``input_shape=`` / ``input_dim=`` was given;
- weights in Keras's layout and order (``get_weights``/``set_weights``), with initializers and
  regularizers, and a ``trainable`` switch;
- calls on ``KerasTensor``s (from ``keras.Input``) record the graph of the functional API;
- ``training`` and ``mask`` arguments, as Keras passes them; calling a layer outside ``fit``
  runs it in inference mode (Dropout off, BatchNormalization on its moving statistics).
"""

from __future__ import annotations

import inspect
import re
from typing import Any, Iterator, Sequence

import numpy as np

from ...autograd import inplace
from ...autograd.grad_mode import no_grad
from ...nn.modules.module import Module
from ...nn.parameter import Buffer, Parameter
from ...tensor import Tensor
from .. import activations
from .. import constraints as _constraints
from .. import initializers as _initializers
from .. import regularizers as _regularizers
from ..backend import (
    _NAME_COUNTS,
    _to_dtype,
    floatx,
    get_keras_mask,
    set_constraint,
    set_keras_mask,
    to_tensor,
)

__all__ = ["Layer", "KerasTensor", "InputLayer", "Input", "Node", "serialize", "deserialize"]

Shape = tuple  # a shape with None for unknown dims, batch first

_NP_DTYPES: dict[str, np.dtype] = {}
# The layer classes of autograd_nn.keras by name, for deserialize: each registers itself when
# defined (Model, Sequential, Functional too); keras.layers adds its aliases (AvgPool2D, ...).
_CLASSES: dict[str, type] = {}
_PACKAGE = __name__.rsplit(".", 2)[0]  # autograd_nn.keras
_TRAINING_CTX: list[bool] = []  # the training flags of the layer calls in progress


def _snake_case(name: str) -> str:
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", s).lower()


def unique_name(base: str) -> str:
    """``base``, then ``base_1``, ``base_2``... (Keras's automatic layer names)."""
    n = _NAME_COUNTS[base]
    _NAME_COUNTS[base] += 1
    return base if n == 0 else f"{base}_{n}"


def shape_str(shape: Any) -> str:
    if isinstance(shape, list):
        return "[" + ", ".join(shape_str(s) for s in shape) + "]"
    if isinstance(shape, tuple):
        return "(" + ", ".join("None" if d is None else str(d) for d in shape) + \
            ("," if len(shape) == 1 else "") + ")"
    return "?"


class KerasTensor:
    """A symbolic tensor of the functional API: a shape (batch dim None), a dtype and the
    layer call that produced it. ``keras.Input(shape=(20,))`` makes one; calling a layer on it
    returns another; ``keras.Model(inputs, outputs)`` runs the recorded graph."""

    def __init__(self, shape: Shape, dtype: str = "float32", node: Node | None = None,
                 index: int = 0, name: str | None = None, sparse: bool = False) -> None:
        self.shape = tuple(shape)
        self.dtype = dtype
        self.node = node
        self.index = index
        self.name = name

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"

    def __bool__(self) -> bool:
        raise TypeError("A symbolic KerasTensor has no value: it cannot be used as a Python "
                        "bool (build the model, then call it on data)")


class Node:
    """One layer call in a functional graph: ``outputs = layer(*args, **kwargs)``."""

    def __init__(self, layer: Layer, args: tuple, kwargs: dict,
                 outputs: list[KerasTensor]) -> None:
        self.layer = layer
        self.args = args
        self.kwargs = kwargs
        self.outputs = outputs

    @property
    def input_tensors(self) -> list[KerasTensor]:
        return [t for t in _flatten((self.args, self.kwargs)) if isinstance(t, KerasTensor)]


def _flatten(obj: Any) -> Iterator[Any]:
    if isinstance(obj, (list, tuple)):
        for o in obj:
            yield from _flatten(o)
    elif isinstance(obj, dict):
        for o in obj.values():
            yield from _flatten(o)
    else:
        yield obj


def map_structure(fn: Any, obj: Any) -> Any:
    if isinstance(obj, list):
        return [map_structure(fn, o) for o in obj]
    if isinstance(obj, tuple):
        return tuple(map_structure(fn, o) for o in obj)
    if isinstance(obj, dict):
        return {k: map_structure(fn, v) for k, v in obj.items()}
    return fn(obj)


def _shape_of(x: Any) -> Any:
    """The shape (batch dim None) of a tensor or KerasTensor, or a list of them."""
    if isinstance(x, (list, tuple)):
        return [_shape_of(v) for v in x]
    if isinstance(x, KerasTensor):
        return x.shape
    return (None,) + tuple(x.shape[1:])


class Layer(Module):
    """Base class of Keras layers (subclass it with ``build`` and ``call``, as in Keras).

    Args:
        name: the layer's name (default: the class name in snake case, made unique).
        trainable: whether the weights are updated by ``fit``.
        dtype: the weights' dtype (default floatx, 'float32').
        input_shape / batch_input_shape / input_dim: build the layer (and a ``Sequential``
            starting with it) at once, as tf.keras did.
        activity_regularizer: a penalty on the layer's output, added to the loss.
    """

    supports_masking = False
    _call_takes_training = False
    _call_takes_mask = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__module__.startswith(_PACKAGE + ".") and not cls.__name__.startswith("_"):
            _CLASSES.setdefault(cls.__name__, cls)
        try:
            params = inspect.signature(cls.call).parameters
        except (TypeError, ValueError):  # pragma: no cover
            params = {}
        cls._call_takes_training = "training" in params
        cls._call_takes_mask = "mask" in params
        # record the constructor arguments (the outermost __init__) for get_config
        init = cls.__dict__.get("__init__")
        if init is not None and not getattr(init, "_records_config", False):
            def recording_init(self: Layer, *args: Any, __init=init, **kw: Any) -> None:
                if "_config_args" not in self.__dict__:
                    try:
                        bound = inspect.signature(__init).bind(self, *args, **kw)
                        cfg = dict(bound.arguments)
                        cfg.pop("self", None)
                        extra = cfg.pop("kwargs", {})
                        cfg.update(extra)
                    except TypeError:
                        cfg = {}
                    object.__setattr__(self, "_config_args", cfg)
                __init(self, *args, **kw)
            recording_init._records_config = True  # type: ignore[attr-defined]
            recording_init.__wrapped__ = init  # type: ignore[attr-defined]
            recording_init.__doc__ = init.__doc__
            cls.__init__ = recording_init  # type: ignore[method-assign]

    def __init__(self, *, name: str | None = None, trainable: bool = True,
                 dtype: Any = None, input_shape: Sequence[int | None] | None = None,
                 batch_input_shape: Sequence[int | None] | None = None,
                 input_dim: int | None = None, activity_regularizer: Any = None,
                 **kwargs: Any) -> None:
        super().__init__()
        kwargs.pop("autocast", None)
        if kwargs:
            raise TypeError(f"{type(self).__name__}: unrecognized keyword arguments: "
                            f"{sorted(kwargs)}")
        if name is not None and not isinstance(name, str):
            raise TypeError(f"{type(self).__name__}: name must be a string, got {name!r}")
        self.name = name or unique_name(_snake_case(type(self).__name__))
        self.built = False
        self._trainable = bool(trainable)
        self.dtype = str(dtype) if dtype is not None else floatx()
        self.activity_regularizer = _regularizers.get(activity_regularizer)
        self._weight_order: list[str] = []  # attribute names, in creation order
        self._regularized: list[tuple[str, Any]] = []
        self._added_losses: list[Tensor] = []
        self._inbound_nodes: list[Node] = []
        self._build_input_shape: Any = None
        self._output_shape: Any = None
        if batch_input_shape is not None:
            self._input_shape_arg: Shape | None = tuple(batch_input_shape)
        elif input_shape is not None:
            self._input_shape_arg = (None,) + tuple(input_shape)
        elif input_dim is not None:
            self._input_shape_arg = (None, int(input_dim))
        else:
            self._input_shape_arg = None
        # Keras calls layers in inference mode unless fit (or training=True) says otherwise
        self.training = False

    # ---------------------------------------------------------------- building and weights
    def build(self, input_shape: Any) -> None:
        """Create the weights for inputs of ``input_shape`` (override in subclasses)."""
        self.built = True

    def compute_output_shape(self, input_shape: Any) -> Any:
        """The output shape for ``input_shape`` (batch dim None). The default runs the layer
        once on zeros; layers override it with the closed form."""
        return self._probe_output_shape(input_shape)

    def _probe_output_shape(self, input_shape: Any) -> Any:
        def zeros(shape: Any) -> Tensor:
            return Tensor._wrap(np.zeros([2 if d is None else d for d in shape], floatx()))

        x = [zeros(s) for s in input_shape] if isinstance(input_shape, list) else \
            zeros(input_shape)
        with no_grad():
            out = self.call(x) if not self._call_takes_training else self.call(x, training=False)
        return map_structure(lambda t: (None,) + tuple(t.shape[1:]), out)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """The mask of the outputs: the input mask for masking-aware layers, else None."""
        return mask if self.supports_masking else None

    def add_weight(self, name: str, shape: Sequence[int], initializer: Any = "glorot_uniform",
                   regularizer: Any = None, trainable: bool = True, dtype: Any = None,
                   constraint: Any = None) -> Tensor:
        """Create a weight ``self.<name>`` of ``shape`` (a Parameter, or a buffer when not
        trainable, such as BatchNormalization's moving statistics) and return it."""
        init = _initializers.get(initializer)
        value = np.asarray(init(tuple(shape), dtype or self.dtype), dtype=dtype or self.dtype)
        if trainable:
            w: Tensor = Parameter(Tensor._wrap(value), requires_grad=self._trainable)
            setattr(self, name, w)
        else:
            w = Buffer(Tensor._wrap(value))
            setattr(self, name, w)
            w = getattr(self, name)
        self._weight_order.append(name)
        if not trainable:
            self.__dict__.setdefault("_non_trainable_names", set()).add(name)
        reg = _regularizers.get(regularizer)
        if reg is not None:
            self._regularized.append((name, reg))
        if constraint is not None:
            set_constraint(w, _constraints.get(constraint))  # the optimizer applies it
        return w

    def _own_weight(self, name: str) -> Tensor:
        return self._parameters[name] if name in self._parameters else self._buffers[name]

    def _own_weights(self, trainable: bool | None = None) -> list[Tensor]:
        nt = self.__dict__.get("_non_trainable_names", set())
        train = [self._own_weight(n) for n in self._weight_order if n not in nt]
        non_train = [self._own_weight(n) for n in self._weight_order if n in nt]
        if trainable is None:
            return train + non_train
        if trainable:
            return train if self._trainable else []
        return non_train if self._trainable else train + non_train

    def _sublayers(self) -> list[Layer]:
        return [m for m in self._modules.values() if isinstance(m, Layer)]

    def _collect(self, trainable: bool | None) -> list[Tensor]:
        seen: set[int] = set()
        out: list[Tensor] = []
        for w in self._own_weights(trainable):
            if id(w) not in seen:
                seen.add(id(w))
                out.append(w)
        for layer in self._sublayers():
            ws = layer._collect(trainable) if self._trainable or trainable is None else (
                [] if trainable else layer._collect(None))
            for w in ws:
                if id(w) not in seen:
                    seen.add(id(w))
                    out.append(w)
        return out

    @property
    def weights(self) -> list[Tensor]:
        """All weights, Keras's order: this layer's (trainable first), then each sublayer's."""
        return self._collect(None)

    @property
    def trainable_weights(self) -> list[Tensor]:
        return self._collect(True)

    @property
    def non_trainable_weights(self) -> list[Tensor]:
        return self._collect(False)

    variables = weights
    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = bool(value)
        for layer in self._sublayers():
            layer.trainable = value
        for n in self._weight_order:
            if n in self._parameters:
                self._parameters[n].requires_grad = bool(value)

    def get_weights(self) -> list[np.ndarray]:
        """Copies of the weights as NumPy arrays, in Keras's order and shapes."""
        return [np.array(w._data, copy=True) for w in self.weights]

    def set_weights(self, weights: Sequence[Any]) -> None:
        """Load ``weights`` (arrays in ``get_weights`` order and shapes) into the layer."""
        own = self.weights
        weights = list(weights)
        if len(weights) != len(own):
            raise ValueError(f"{type(self).__name__} '{self.name}': you called set_weights(weights)"
                             f" on a layer that expects {len(own)} weight(s), but the passed "
                             f"weights list has {len(weights)} element(s)")
        for w, v in zip(own, weights):
            arr = np.asarray(v.numpy() if isinstance(v, Tensor) else v)
            if tuple(arr.shape) != tuple(w.shape):
                raise ValueError(f"{type(self).__name__} '{self.name}': weight shape "
                                 f"{tuple(w.shape)} is not compatible with provided weight "
                                 f"shape {tuple(arr.shape)}")
            with no_grad():
                w._data[...] = arr.astype(w._data.dtype)
                inplace.bump_version(w)

    def count_params(self) -> int:
        """The number of scalars in the weights (trainable and not)."""
        if not self.built:
            raise ValueError(f"You tried to call count_params on layer '{self.name}', but the "
                             f"layer isn't built. You can build it manually via: "
                             f"`layer.build(input_shape)`.")
        return int(sum(int(np.prod(w.shape)) for w in self.weights))

    # ------------------------------------------------------------------------------ losses
    @property
    def losses(self) -> list[Tensor]:
        """Losses added during the last call (activity regularizers, ``add_loss``) and the
        weight regularization penalties, of this layer and its sublayers."""
        out = list(self._added_losses)
        for layer in self._sublayers():
            out.extend(layer.losses)
        for name, reg in self._regularized:
            if self._trainable:
                out.append(reg(self._own_weight(name)))
        return out

    def add_loss(self, loss: Any) -> None:
        self._added_losses.append(loss if isinstance(loss, Tensor) else to_tensor(loss))

    def _clear_losses(self) -> None:
        self._added_losses.clear()
        for layer in self._sublayers():
            layer._clear_losses()

    # ----------------------------------------------------------------------------- calling
    def call(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        """The computation (override in subclasses); ``inputs`` are Tensors."""
        return inputs

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        return self.call(*args, **kwargs)

    def _kernel_layer_options(self, activation: Any, use_bias: bool, kernel_initializer: Any,
                              bias_initializer: Any, kernel_regularizer: Any,
                              bias_regularizer: Any, kernel_constraint: Any,
                              bias_constraint: Any) -> None:
        """Store the options Dense and the convolutions share (a kernel, an optional bias, an
        activation), then build at once if an input shape was given."""
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer, self.bias_initializer = kernel_initializer, bias_initializer
        self.kernel_regularizer, self.bias_regularizer = kernel_regularizer, bias_regularizer
        self.kernel_constraint, self.bias_constraint = kernel_constraint, bias_constraint
        if self._input_shape_arg is not None:
            self._maybe_build(self._input_shape_arg)

    def _maybe_build(self, input_shape: Any) -> None:
        if not self.built:
            self._build_input_shape = input_shape
            self.build(input_shape)
            self.built = True

    def __call__(self, *args: Any, training: bool | None = None, mask: Any = None,
                 **kwargs: Any) -> Any:
        if not args:
            raise TypeError(f"{type(self).__name__} '{self.name}' was called without inputs")
        inputs, rest = args[0], args[1:]
        if not (isinstance(inputs, Tensor) and not rest and not kwargs) and any(
                isinstance(t, KerasTensor) for t in _flatten((inputs, rest, kwargs))):
            return self._symbolic_call(inputs, rest, kwargs, mask)
        inputs = self._convert_input(inputs) if isinstance(inputs, Tensor) else \
            map_structure(self._convert_input, inputs)
        self._maybe_build(_shape_of(inputs))
        if mask is None and self._call_takes_mask:
            mask = map_structure(get_keras_mask, inputs) if isinstance(inputs, list) else \
                get_keras_mask(inputs)
            if isinstance(mask, list) and all(m is None for m in mask):
                mask = None
        if self._call_takes_mask:
            kwargs["mask"] = mask
        # Keras's call context: an outermost call without `training` runs in inference mode,
        # a nested one inherits its caller's mode
        training = bool(training) if training is not None else (
            _TRAINING_CTX[-1] if _TRAINING_CTX else False)
        prev_mode = self.training
        if training != prev_mode:
            self.train(training)
        _TRAINING_CTX.append(training)
        try:
            if self._call_takes_training:
                kwargs["training"] = training
            outputs = Module.__call__(self, inputs, *rest, **kwargs)
        finally:
            _TRAINING_CTX.pop()
            if training != prev_mode:
                self.train(prev_mode)
        if self.activity_regularizer is not None:
            for out in _flatten(outputs):
                if isinstance(out, Tensor):
                    penalty = self.activity_regularizer(out)
                    if out.ndim > 0:
                        penalty = penalty / out.shape[0]
                    self._added_losses.append(penalty)
        out_mask = self.compute_mask(inputs, mask)
        if out_mask is not None:
            if isinstance(outputs, (list, tuple)):
                masks = out_mask if isinstance(out_mask, (list, tuple)) else \
                    [out_mask] + [None] * (len(outputs) - 1)
                for o, m in zip(outputs, masks):
                    if isinstance(o, Tensor):
                        set_keras_mask(o, m)
            elif isinstance(outputs, Tensor):
                set_keras_mask(outputs, out_mask)
        # plain attribute write (Module.__setattr__ would cost more than the layer itself)
        self.__dict__["_output_shape"] = (None,) + tuple(outputs.shape[1:]) if isinstance(
            outputs, Tensor) else map_structure(lambda t: (None,) + tuple(t.shape[1:])
                                                if isinstance(t, Tensor) else None, outputs)
        return outputs

    def _convert_input(self, x: Any) -> Any:
        """Arrays and lists become Tensors; float data is cast to the layer's dtype."""
        if x is None or isinstance(x, (bool, str)):
            return x
        if isinstance(x, Tensor):
            dt = x._data.dtype
            if dt.kind == "f" and dt != _NP_DTYPES.setdefault(self.dtype, np.dtype(self.dtype)):
                return x.to(_to_dtype(self.dtype))
            return x
        if isinstance(x, (np.ndarray, list, tuple, int, float, np.generic)):
            return to_tensor(x, self.dtype if np.asarray(x).dtype.kind == "f" else None)
        return x

    def _symbolic_call(self, inputs: Any, rest: tuple, kwargs: dict, mask: Any) -> Any:
        shapes = _shape_of(inputs)
        self._maybe_build(shapes)
        out_shape = self.compute_output_shape(shapes)
        out_dtype = self._output_dtype(inputs)
        node = Node(self, (inputs,) + tuple(rest), dict(kwargs), [])
        if isinstance(out_shape, list) or (isinstance(out_shape, tuple) and out_shape and
                                           isinstance(out_shape[0], tuple)):
            outs = [KerasTensor(s, out_dtype, node, i) for i, s in enumerate(out_shape)]
            node.outputs = outs
            result: Any = list(outs) if isinstance(out_shape, list) else tuple(outs)
        else:
            out = KerasTensor(out_shape, out_dtype, node, 0)
            node.outputs = [out]
            result = out
        self._inbound_nodes.append(node)
        self._output_shape = out_shape
        return result

    def _output_dtype(self, inputs: Any) -> str:
        return self.dtype

    # --------------------------------------------------------------------------- config
    def get_config(self) -> dict[str, Any]:
        """The constructor arguments (JSON-serialisable: activations, initializers and
        regularizers by name/config), enough to re-create the layer with ``from_config``."""
        cfg = dict(self.__dict__.get("_config_args", {}))
        cfg["name"] = self.name
        cfg["trainable"] = self._trainable
        out = {}
        for k, v in cfg.items():
            out[k] = _serialize_value(k, v, self)
        return out

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Layer:
        return cls(**config)

    def extra_repr(self) -> str:
        return f"name={self.name!r}"

    @property
    def output_shape(self) -> Any:
        if self._output_shape is None:
            raise AttributeError(f"The layer '{self.name}' has never been called and thus has "
                                 f"no defined output shape.")
        return self._output_shape

    @property
    def input(self) -> Any:
        if not self._inbound_nodes:
            raise AttributeError(f"Layer '{self.name}' is not connected, no input to return.")
        args = self._inbound_nodes[0].args
        return args[0]

    @property
    def output(self) -> Any:
        if not self._inbound_nodes:
            raise AttributeError(f"Layer '{self.name}' has no inbound nodes.")
        outs = self._inbound_nodes[0].outputs
        return outs[0] if len(outs) == 1 else outs


def _serialize_value(key: str, v: Any, layer: Layer) -> Any:
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, (list, tuple)):
        return [_serialize_value(key, x, layer) for x in v]
    if isinstance(v, dict):
        return {k: _serialize_value(k, x, layer) for k, x in v.items()}
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, Layer):
        return {"class_name": type(v).__name__, "config": v.get_config()}
    if isinstance(v, _initializers.Initializer):
        return _initializers.serialize(v)
    if isinstance(v, _regularizers.Regularizer):
        return _regularizers.serialize(v)
    if isinstance(v, _constraints.Constraint):
        return _constraints.serialize(v)
    if callable(v):
        return activations.serialize(v)
    raise ValueError(f"{type(layer).__name__} '{layer.name}': cannot serialise argument "
                     f"{key}={v!r} into the model config")


def register_classes(classes: dict[str, type]) -> None:
    """Make ``classes`` (name -> Layer class) known to :func:`deserialize`."""
    for name, cls in classes.items():
        _CLASSES.setdefault(name, cls)


def registered_class(name: str) -> type | None:
    """The Layer class of autograd_nn.keras named ``name`` (``Dense``, ``Sequential``, ...)."""
    return _CLASSES.get(name)


def serialize(layer: Layer) -> dict[str, Any]:
    """``{"class_name": ..., "config": ...}`` of a layer (to save a model's architecture)."""
    return {"class_name": type(layer).__name__, "config": layer.get_config()}


def deserialize(config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> Layer:
    """Re-create a layer from ``serialize``'s output (``custom_objects`` adds classes)."""
    name = config["class_name"]
    cls = (custom_objects or {}).get(name) or _CLASSES.get(name)
    if cls is None:
        raise ValueError(f"keras.layers.deserialize: unknown layer class {name!r}; pass it in "
                         f"custom_objects={{'{name}': {name}}}")
    return cls.from_config(dict(config["config"]))


class InputLayer(Layer):
    """The entry of a functional model: holds the input shape and dtype; identity on data."""

    def __init__(self, shape: Sequence[int | None] | None = None, batch_size: int | None = None,
                 dtype: Any = None, sparse: bool = False, batch_shape: Any = None,
                 input_tensor: Any = None, name: str | None = None, **kwargs: Any) -> None:
        if "input_shape" in kwargs:
            shape = kwargs.pop("input_shape")
        if "batch_input_shape" in kwargs:
            batch_shape = kwargs.pop("batch_input_shape")
        super().__init__(name=name, dtype=dtype, **kwargs)
        if batch_shape is None:
            if shape is None:
                raise ValueError("InputLayer: you must pass a `shape` argument")
            if isinstance(shape, int):
                shape = (shape,)
            batch_shape = (batch_size,) + tuple(shape)
        self.batch_shape = tuple(batch_shape)
        self.built = True
        self._output_shape = self.batch_shape
        self.output_tensor = KerasTensor(self.batch_shape, self.dtype, None, 0, name=self.name)
        node = Node(self, (), {}, [self.output_tensor])
        self.output_tensor.node = node
        self._inbound_nodes.append(node)

    def call(self, inputs: Any) -> Any:
        return inputs

    def get_config(self) -> dict[str, Any]:
        return {"batch_shape": list(self.batch_shape), "dtype": self.dtype, "name": self.name}


def Input(shape: Sequence[int | None] | None = None, batch_size: int | None = None,  # noqa: N802
          dtype: Any = None, sparse: bool = False, batch_shape: Any = None,
          name: str | None = None, tensor: Any = None) -> KerasTensor:
    """A symbolic input of the functional API: ``x = keras.Input(shape=(20,))`` (the batch
    dim is left out of ``shape``). Returns a :class:`KerasTensor` of shape (None, *shape)."""
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, batch_shape=batch_shape,
                       name=name)
    return layer.output_tensor
