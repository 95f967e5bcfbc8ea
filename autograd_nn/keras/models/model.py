"""``keras.Model`` (functional API and subclassing) and ``keras.Sequential``.

A functional model records the layer calls made on ``keras.Input`` tensors and replays them
on data; its layers are its child modules, named by their Keras names (``dense``,
``dense_1``...), so ``state_dict`` keys read ``dense.kernel``. Training methods (compile, fit,
evaluate, predict...) come from :class:`~autograd_nn.keras.models.trainer.Trainer`.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ...autograd.grad_mode import no_grad
from ...tensor import Tensor
from ..backend import get_keras_mask
from ..layers import deserialize, serialize
from ..layers.base import (
    InputLayer,
    KerasTensor,
    Layer,
    Node,
    _flatten,
    map_structure,
    shape_str,
    unique_name,
)
from .trainer import Trainer

__all__ = ["Model", "Sequential", "Functional"]


class Model(Trainer, Layer):
    """A model: ``keras.Model(inputs, outputs)`` (functional) or a subclass defining ``call``.

    Functional: ``inputs``/``outputs`` are KerasTensors (or lists / dicts of them) from
    ``keras.Input`` and layer calls. Subclassed: assign layers in ``__init__`` (after
    ``super().__init__()``) and write ``call(inputs, training=None)``.
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> Model:
        if cls is Model and (args or "inputs" in kwargs):
            return super().__new__(Functional)
        return super().__new__(cls)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        name = kwargs.pop("name", None)
        trainable = kwargs.pop("trainable", True)
        Layer.__init__(self, name=name, trainable=trainable, **{
            k: v for k, v in kwargs.items() if k in ("dtype",)})
        Trainer.__init__(self)

    @property
    def layers(self) -> list[Layer]:
        return [m for m in self._modules.values() if isinstance(m, Layer)]

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """The layer called ``name`` (or at position ``index``)."""
        if index is not None:
            if index >= len(self.layers):
                raise ValueError(f"Was asked to retrieve layer at index {index} but model only "
                                 f"has {len(self.layers)} layers.")
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name}. Existing layers are: "
                         f"{[layer.name for layer in self.layers]}.")

    def build(self, input_shape: Any) -> None:
        """Build a subclassed model by calling it once on zeros of ``input_shape``."""
        if type(self).call is Model.call:
            return
        def zeros(s: Any) -> Tensor:
            return Tensor._wrap(np.zeros([1 if d is None else d for d in s], "float32"))
        x = [zeros(s) for s in input_shape] if isinstance(input_shape, list) else \
            zeros(input_shape)
        with no_grad():
            self.built = True
            self(x)

    def call(self, inputs: Any, training: bool = False, mask: Any = None) -> Any:
        raise NotImplementedError(f"Model {type(self).__name__}: subclasses must implement "
                                  f"call(inputs, training=None)")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


class Functional(Model):
    """A model defined by a graph of layer calls on ``keras.Input`` tensors."""

    def __init__(self, inputs: Any, outputs: Any, name: str | None = None,
                 trainable: bool = True, **kwargs: Any) -> None:
        super().__init__(name=name, trainable=trainable)
        self._inputs_struct = inputs
        self._outputs_struct = outputs
        self._input_tensors = [t for t in _flatten(inputs)]
        self._output_tensors = [t for t in _flatten(outputs)]
        for t in self._input_tensors + self._output_tensors:
            if not isinstance(t, KerasTensor):
                raise ValueError(f"keras.Model: inputs and outputs must be KerasTensors (from "
                                 f"keras.Input and layer calls), got {t!r}")
        self._nodes = self._topological_nodes()
        for node in self._nodes:
            layer = node.layer
            if layer.name not in self._modules:
                self.add_module(layer.name, layer)
            elif self._modules[layer.name] is not layer:
                raise ValueError(f"The name '{layer.name}' is used 2 times in the model. All "
                                 f"layer names should be unique.")
        self.built = True
        self._output_shape = map_structure(lambda t: t.shape, outputs)

    def _topological_nodes(self) -> list[Node]:
        order: list[Node] = []
        seen: set[int] = set()
        inputs = {id(t) for t in self._input_tensors}

        def visit(t: KerasTensor) -> None:
            node = t.node
            if node is None or id(node) in seen:
                return
            if id(t) not in inputs:
                if isinstance(node.layer, InputLayer):
                    raise ValueError(f"keras.Model: the graph depends on the input "
                                     f"'{node.layer.name}', which is not among the model's "
                                     f"inputs")
                for parent in node.input_tensors:
                    visit(parent)
            seen.add(id(node))
            order.append(node)
        for t in self._output_tensors:
            visit(t)
        for t in self._input_tensors:  # unused inputs still belong to the model
            if t.node is not None and id(t.node) not in seen:
                seen.add(id(t.node))
                order.insert(0, t.node)
        # the input layers first, in the order of the model's inputs (as Keras lists them)
        ins = [t.node for t in self._input_tensors if t.node is not None]
        rest = [n for n in order if n not in ins]
        return ins + rest

    @property
    def inputs(self) -> list[KerasTensor]:
        return list(self._input_tensors)

    @property
    def outputs(self) -> list[KerasTensor]:
        return list(self._output_tensors)

    @property
    def input_shape(self) -> Any:
        shapes = [t.shape for t in self._input_tensors]
        return shapes[0] if len(shapes) == 1 else shapes

    def call(self, inputs: Any, training: bool = False, mask: Any = None) -> Any:
        values: dict[int, Any] = {}
        flat_in = self._flatten_inputs(inputs)
        if len(flat_in) != len(self._input_tensors):
            raise ValueError(f"Model '{self.name}' expects {len(self._input_tensors)} input(s), "
                             f"but it received {len(flat_in)} input tensors")
        for kt, x in zip(self._input_tensors, flat_in):
            x = kt.node.layer._convert_input(x) if kt.node is not None else x
            _check_input_shape(self, kt, x)
            values[id(kt)] = x
        for node in self._nodes:
            if isinstance(node.layer, InputLayer):
                continue
            args = map_structure(lambda v: values[id(v)] if isinstance(v, KerasTensor) else v,
                                 node.args)
            kwargs = map_structure(lambda v: values[id(v)] if isinstance(v, KerasTensor)
                                   else v, node.kwargs)
            out = node.layer(*args, training=training, **kwargs)
            outs = out if isinstance(out, (list, tuple)) else [out]
            for kt, v in zip(node.outputs, outs):
                values[id(kt)] = v
        return map_structure(lambda t: values[id(t)], self._outputs_struct)

    def _flatten_inputs(self, inputs: Any) -> list[Any]:
        if isinstance(self._inputs_struct, dict) and isinstance(inputs, dict):
            return [inputs[k] for k in self._inputs_struct]
        if isinstance(inputs, (list, tuple)) and len(self._input_tensors) > 1:
            return list(inputs)
        if len(self._input_tensors) == 1 and isinstance(inputs, (list, tuple)) and \
                len(inputs) == 1 and not _looks_like_data(inputs):
            return [inputs[0]]
        return [inputs]

    def compute_output_shape(self, input_shape: Any) -> Any:
        return self._output_shape

    def get_config(self) -> dict[str, Any]:
        index = {id(n): i for i, n in enumerate(self._nodes)}

        def ref(v: Any) -> Any:
            if isinstance(v, KerasTensor):
                return {"__keras_tensor__": [index[id(v.node)], v.index]}
            return v
        nodes = []
        for n in self._nodes:
            nodes.append({"layer": serialize(n.layer),
                          "args": map_structure(ref, list(n.args)),
                          "kwargs": map_structure(ref, n.kwargs)})
        return {"name": self.name, "nodes": nodes,
                "inputs": map_structure(ref, _listify(self._inputs_struct)),
                "outputs": map_structure(ref, _listify(self._outputs_struct))}

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: Any = None) -> Functional:
        built: list[list[KerasTensor]] = []

        def deref(v: Any) -> Any:
            if isinstance(v, dict) and "__keras_tensor__" in v:
                i, j = v["__keras_tensor__"]
                return built[i][j]
            if isinstance(v, dict):
                return {k: deref(x) for k, x in v.items()}
            if isinstance(v, (list, tuple)):
                return type(v)(deref(x) for x in v)
            return v
        for spec in config["nodes"]:
            layer = deserialize(spec["layer"], custom_objects)
            if isinstance(layer, InputLayer):
                built.append([layer.output_tensor])
                continue
            args = deref(spec["args"])
            kwargs = deref(spec["kwargs"])
            out = layer(*args, **kwargs)
            built.append(list(out) if isinstance(out, (list, tuple)) else [out])
        return cls(deref(config["inputs"]), deref(config["outputs"]), name=config.get("name"))


def _listify(v: Any) -> Any:
    return list(v) if isinstance(v, tuple) else v


def _looks_like_data(v: Any) -> bool:
    return bool(v) and isinstance(v[0], (int, float, list))


def _check_input_shape(model: Model, kt: KerasTensor, x: Any) -> None:
    if not isinstance(x, Tensor):
        return
    exp = kt.shape
    if len(exp) != x.ndim or any(e is not None and e != g for e, g in zip(exp[1:],
                                                                             x.shape[1:])):
        raise ValueError(f"Input {kt.node.layer.name if kt.node else ''!s} of model "
                         f"'{model.name}' is incompatible with the layer: expected shape="
                         f"{shape_str(exp)}, found shape={tuple(x.shape)}")


class Sequential(Model):
    """A linear stack of layers: ``Sequential([Dense(64, activation='relu'), Dense(1)])``.

    Built from the first input (or at once when the first layer got ``input_shape`` or the
    list starts with ``keras.Input``/``InputLayer``); ``add``/``pop`` edit the stack.
    """

    def __init__(self, layers: Sequence[Any] | None = None, name: str | None = None,
                 trainable: bool = True, **kwargs: Any) -> None:
        super().__init__(name=name, trainable=trainable)
        self._input_spec: tuple | None = None
        self._input_dtype = "float32"
        for layer in layers or []:
            self.add(layer, rebuild=False)
        self._maybe_build_from_spec()

    @property
    def layers(self) -> list[Layer]:
        return [m for m in self._modules.values() if isinstance(m, Layer)]

    def add(self, layer: Any, rebuild: bool = True) -> None:
        """Append a layer (or set the input shape with ``keras.Input``/``InputLayer``)."""
        if isinstance(layer, KerasTensor):
            if layer.node is None or not isinstance(layer.node.layer, InputLayer):
                raise ValueError("Sequential.add: only keras.Input tensors can be added, got a "
                                 "layer output")
            layer = layer.node.layer
        if isinstance(layer, InputLayer):
            if self.layers:
                raise ValueError("Sequential: an Input/InputLayer must come first")
            self._input_spec = layer.batch_shape
            self._input_dtype = layer.dtype
            self._input_layer_name = layer.name
            return
        if not isinstance(layer, Layer):
            raise ValueError(f"Only instances of `keras.Layer` can be added to a Sequential "
                             f"model. Received: {layer!r} (of type {type(layer)})")
        if layer.name in self._modules:
            raise ValueError(f"All layers added to a Sequential model should have unique "
                             f"names. Name '{layer.name}' is already the name of a layer in "
                             f"this model. Update the `name` argument to pass a unique name.")
        if not self.layers and self._input_spec is None and layer._input_shape_arg is not None:
            self._input_spec = layer._input_shape_arg
        self.add_module(layer.name, layer)
        self.built = False
        if rebuild:
            self._maybe_build_from_spec()

    def pop(self) -> Layer:
        layers = self.layers
        if not layers:
            raise TypeError("There are no layers in the model.")
        last = layers[-1]
        del self._modules[last.name]
        self.built = False
        self._maybe_build_from_spec()
        return last

    def _maybe_build_from_spec(self) -> None:
        if self._input_spec is not None and self.layers:
            self.build(self._input_spec)

    def build(self, input_shape: Any = None) -> None:
        """Build every layer for inputs of ``input_shape`` (batch dim included)."""
        if input_shape is None:
            input_shape = self._input_spec
        if input_shape is None:
            raise ValueError("You must provide an `input_shape` argument.")
        shape = tuple(input_shape)
        if self._input_spec is None:
            self._input_spec = shape
        # Keras builds a Sequential as a functional model over an InputLayer, which uses up
        # the automatic names 'input_layer' (unless the user gave one) and 'functional'
        if not hasattr(self, "_input_layer_name"):
            self._input_layer_name = unique_name("input_layer")
        unique_name("functional")
        for layer in self.layers:
            layer._maybe_build(shape)
            shape = layer.compute_output_shape(shape)
            layer._output_shape = shape
            if isinstance(shape, list):  # e.g. an RNN returning states: the next gets output 0
                shape = shape[0]
        self._output_shape = shape
        self.built = True

    def call(self, inputs: Any, training: bool = False, mask: Any = None) -> Any:
        if not self.layers:
            raise ValueError(f"Sequential model '{self.name}' has no layers")
        x = inputs
        if mask is None and isinstance(x, Tensor):
            mask = get_keras_mask(x)
        for layer in self.layers:
            kwargs = {"mask": mask} if layer._call_takes_mask else {}
            x = layer(x, training=training, **kwargs)
            if isinstance(x, (list, tuple)):
                x = x[0]
            mask = get_keras_mask(x)
        return x

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not self.built and args and not isinstance(args[0], KerasTensor):
            x = self._convert_input(args[0])
            args = (x,) + args[1:]
            if isinstance(x, Tensor):
                self.build((None,) + tuple(x.shape[1:]))
        return super().__call__(*args, **kwargs)

    def compute_output_shape(self, input_shape: Any) -> Any:
        shape = tuple(input_shape)
        for layer in self.layers:
            shape = layer.compute_output_shape(shape)
            if isinstance(shape, list):
                shape = shape[0]
        return shape

    @property
    def input_shape(self) -> Any:
        if self._input_spec is None:
            raise AttributeError(f"Sequential model '{self.name}' has no defined input shape")
        return self._input_spec

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "layers": [serialize(layer) for layer in self.layers],
                "build_input_shape": None if self._input_spec is None else
                list(self._input_spec)}

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: Any = None) -> Sequential:
        model = cls(name=config.get("name"))
        for spec in config["layers"]:
            model.add(deserialize(spec, custom_objects), rebuild=False)
        if config.get("build_input_shape") is not None:
            model.build(tuple(config["build_input_shape"]))
        return model
