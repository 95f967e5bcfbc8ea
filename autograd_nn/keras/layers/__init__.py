"""``keras.layers``: Keras layers as ``nn.Module``s (``from autograd_nn.keras.layers import
Dense``)."""

from __future__ import annotations

from typing import Any

from .base import Input, InputLayer, KerasTensor, Layer, deserialize, register_classes, serialize
from .conv import (
    AveragePooling1D,
    AveragePooling2D,
    AvgPool1D,
    AvgPool2D,
    Conv1D,
    Conv2D,
    DepthwiseConv2D,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalAvgPool1D,
    GlobalAvgPool2D,
    GlobalMaxPool1D,
    GlobalMaxPool2D,
    GlobalMaxPooling1D,
    GlobalMaxPooling2D,
    MaxPool1D,
    MaxPool2D,
    MaxPooling1D,
    MaxPooling2D,
    ZeroPadding2D,
)
from .core import (
    Activation,
    Dense,
    Dropout,
    Flatten,
    Identity,
    Lambda,
    LeakyReLU,
    Permute,
    ReLU,
    RepeatVector,
    Rescaling,
    Reshape,
    Softmax,
)
from .merge import (
    Add,
    Average,
    Concatenate,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
    add,
    average,
    concatenate,
    maximum,
    minimum,
    multiply,
    subtract,
)
from .normalization import BatchNormalization, LayerNormalization
from .recurrent import GRU, LSTM, Bidirectional, Embedding, SimpleRNN, TimeDistributed

__all__ = ["TimeDistributed", "Lambda", "Rescaling", "Permute", "RepeatVector", "Layer", "Input",
           "InputLayer",
           "KerasTensor", "Dense", "Dropout", "Flatten",
           "Activation", "Identity", "Reshape", "ReLU", "LeakyReLU", "Softmax", "Conv2D",
           "DepthwiseConv2D", "MaxPooling2D", "AveragePooling2D", "GlobalAveragePooling2D",
           "GlobalMaxPooling2D", "MaxPool2D", "AvgPool2D", "GlobalAvgPool2D", "GlobalMaxPool2D",
           "ZeroPadding2D", "Conv1D", "MaxPooling1D", "AveragePooling1D",
           "GlobalAveragePooling1D", "GlobalMaxPooling1D", "MaxPool1D", "AvgPool1D",
           "GlobalAvgPool1D", "GlobalMaxPool1D", "BatchNormalization", "LayerNormalization",
           "Embedding",
           "SimpleRNN", "LSTM", "GRU", "Bidirectional", "Concatenate", "Add", "Subtract",
           "Multiply", "Average", "Maximum", "Minimum", "concatenate", "add", "subtract",
           "multiply", "average", "maximum", "minimum", "serialize", "deserialize"]

# keras.layers' aliases (AvgPool2D, ...) deserialize too
register_classes({n: c for n, c in list(globals().items())
                  if isinstance(c, type) and issubclass(c, Layer)})
