"""Optimizers and learning-rate schedulers, as ``torch.optim``.

Every optimizer follows torch's ``_single_tensor_*`` update formulas, hyper-parameter defaults,
validation messages and per-parameter state layout, so ``state_dict()`` has torch's structure.
"""

from . import lr_scheduler
from ._stateless import swap_in_optimizer_params_and_state
from .adadelta import Adadelta
from .adafactor import Adafactor
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adamax import Adamax
from .asgd import ASGD
from .lbfgs import LBFGS
from .muon import Muon
from .nadam import NAdam
from .optimizer import Optimizer
from .radam import RAdam
from .rmsprop import RMSprop
from .rprop import Rprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax",
           "NAdam", "RAdam", "Rprop", "ASGD", "LBFGS", "Adafactor", "Muon", "lr_scheduler",
           "swap_in_optimizer_params_and_state"]
