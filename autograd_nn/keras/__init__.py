"""``autograd_nn.keras``: Keras 3's API on the autograd_nn engine.

Replace ``from tensorflow import keras`` (or ``import keras``) with
``from autograd_nn import keras``: ``keras.Sequential``, ``keras.Model`` with ``keras.Input``,
``keras.layers``, ``keras.optimizers``, ``keras.losses``, ``keras.metrics``,
``keras.callbacks``, ``keras.regularizers``, ``keras.initializers``, ``keras.utils``,
``keras.applications``. Layers are ``nn.Module``s, training runs autograd_nn's tensors and
``backward``; the numbers are Keras 3's (its defaults, formulas and History), float32.

Files written by ``save``/``save_weights``/``ModelCheckpoint`` use Keras's names
(``.keras``, ``.weights.h5``) but autograd_nn's safe format (safetensors + JSON; no pickle):
Keras itself cannot read them.
"""

from . import (  # noqa: F401
               activations,
               applications,
               backend,
               callbacks,
               constraints,
               initializers,
               layers,
               losses,
               metrics,
               models,
               optimizers,
               preprocessing,
               regularizers,
               utils,
)
from .layers import Input, InputLayer, Layer  # noqa: F401
from .models import Model, Sequential, load_model  # noqa: F401
from .schedules import LearningRateSchedule  # noqa: F401

__version__ = "3.15.1"  # the Keras API version followed

__all__ = ["activations", "applications", "backend", "callbacks", "constraints", "initializers",
           "layers", "losses", "metrics", "models", "optimizers", "preprocessing", "regularizers",
           "utils", "Input", "InputLayer", "Layer", "Model", "Sequential", "load_model"]
