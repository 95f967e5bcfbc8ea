"""Saving Keras models and weights in autograd_nn's safe format under Keras's file names.

``save_weights('m.weights.h5')`` and ``save('m.keras')`` write one safetensors file through
``autograd_nn.save`` (arrays + JSON metadata; loading never unpickles). These are not Keras's
own HDF5 / zip formats: Keras itself cannot read them, but they keep Keras's names so code
written for Keras runs unchanged. A ``.keras`` file holds the architecture (layer configs),
the weights, and the compile arguments when they are built-in names or objects.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ... import serialization
from ...autograd import inplace
from .. import losses, metrics, optimizers
from ..layers.base import registered_class

__all__ = ["save_weights", "load_weights", "save_model", "load_model"]

_FORMAT = "autograd_nn.keras"


def _check_path(path: Any, suffix: str, what: str) -> str:
    path = os.fspath(path)
    if not path.endswith(suffix):
        raise ValueError(f"The filename must end in `{suffix}` ({what}). Received: "
                         f"filepath={path}")
    return path


def _check_overwrite(path: str, overwrite: bool) -> None:
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"{path} exists and overwrite=False")


def save_weights(model: Any, filepath: Any, overwrite: bool = True) -> None:
    path = _check_path(filepath, ".weights.h5", "Keras weights")
    _check_overwrite(path, overwrite)
    serialization.save({"format": _FORMAT, "kind": "weights",
                        "names": [_weight_name(model, w) for w in model.weights],
                        "weights": [np.array(w._data) for w in model.weights]}, path)


def _weight_name(model: Any, w: Any) -> str:
    for name, t in model.state_dict(keep_vars=True).items():
        if t is w:
            return name
    return ""


def _read(filepath: Any) -> dict[str, Any]:
    path = os.fspath(filepath)
    if not os.path.exists(path):
        raise FileNotFoundError(f"No such file: {path}")
    try:
        obj = serialization.load(path)
    except Exception as e:  # a real Keras HDF5 / zip file, or garbage
        raise ValueError(f"{path} is not a file written by autograd_nn.keras (save / "
                         f"save_weights write autograd_nn's safetensors format under Keras's "
                         f"names; Keras's own .h5/.keras files cannot be read): {e}") from None
    if not isinstance(obj, dict) or obj.get("format") != _FORMAT:
        raise ValueError(f"{path} was not written by autograd_nn.keras save/save_weights")
    return obj


def load_weights(model: Any, filepath: Any, skip_mismatch: bool = False) -> None:
    obj = _read(filepath)
    weights = [np.asarray(w._data if hasattr(w, "_data") else w) for w in obj["weights"]]
    if not model.built and weights:
        raise ValueError(f"Model '{model.name}' is not built: call it on data (or build(shape)) "
                         f"before load_weights")
    own = model.weights
    if len(own) != len(weights):
        if not skip_mismatch:
            raise ValueError(f"load_weights: the file holds {len(weights)} weights, model "
                             f"'{model.name}' has {len(own)}")
    if skip_mismatch:
        for w, v in zip(own, weights):
            if tuple(w.shape) == v.shape:
                w._data[...] = v
                inplace.bump_version(w)
        return
    model.set_weights(weights)


def save_model(model: Any, filepath: Any, overwrite: bool = True) -> None:
    path = _check_path(filepath, ".keras", "Keras model")
    _check_overwrite(path, overwrite)
    compile_cfg = None
    if getattr(model, "compiled", False):
        try:
            cc = model.get_compile_config()
            compile_cfg = {
                "optimizer": optimizers.serialize(model.optimizer),
                "loss": _map(cc["loss"], lambda v: losses.serialize(
                    v if isinstance(v, str) else losses.get(v))),
                "loss_weights": cc["loss_weights"],
                "metrics": _map(cc["metrics"], metrics.serialize),
                "weighted_metrics": _map(cc["weighted_metrics"], metrics.serialize)}
        except ValueError:
            compile_cfg = None  # custom objects: the model is saved uncompiled
    serialization.save({"format": _FORMAT, "kind": "model",
                        "class_name": type(model).__name__, "config": model.get_config(),
                        "compile": compile_cfg,
                        "weights": [np.array(w._data) for w in model.weights]}, path)


def _map(v: Any, fn: Any) -> Any:
    """Apply ``fn`` to the leaves of a loss/metrics argument (None, a leaf, lists, dicts)."""
    if v is None:
        return None
    if isinstance(v, dict) and "class_name" not in v:  # a serialised object is a leaf
        return {k: _map(x, fn) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_map(x, fn) for x in v]
    return fn(v)


def load_model(filepath: Any, custom_objects: dict[str, Any] | None = None,
               compile: bool = True, safe_mode: bool = True) -> Any:  # noqa: A002
    """Re-create a model saved by ``model.save('....keras')``: architecture, weights and (with
    ``compile``) its compile arguments."""
    obj = _read(filepath)
    if obj.get("kind") != "model":
        raise ValueError(f"{os.fspath(filepath)} holds weights only: build the model and call "
                         f"load_weights")
    # models.model defines them (and imports this module's users): found by name
    builtin = (registered_class("Sequential"), registered_class("Functional"))
    classes = {"Sequential": builtin[0], "Functional": builtin[1], **(custom_objects or {})}
    cls = classes.get(obj["class_name"])
    if cls is None:
        raise ValueError(f"load_model: unknown model class {obj['class_name']!r}; pass it in "
                         f"custom_objects")
    model = cls.from_config(obj["config"], custom_objects) if cls in builtin else \
        cls.from_config(obj["config"])
    weights = [np.asarray(w._data if hasattr(w, "_data") else w) for w in obj["weights"]]
    if weights:
        model.set_weights(weights)
    cc = obj.get("compile")
    if compile and cc:
        model.compile(optimizer=_deser_opt(cc["optimizer"]),
                      loss=_map(cc["loss"], _deser_loss),
                      loss_weights=cc.get("loss_weights"),
                      metrics=_map(cc["metrics"], _deser_metric),
                      weighted_metrics=_map(cc["weighted_metrics"], _deser_metric))
    return model


def _deser_opt(cfg: dict[str, Any]) -> Any:
    return optimizers.get(cfg)


def _deser_loss(v: Any) -> Any:
    return v if isinstance(v, str) else losses.get(v)


def _deser_metric(m: Any) -> Any:
    if isinstance(m, str):
        return m
    return metrics._CLASSES[m["class_name"]](**m["config"])
