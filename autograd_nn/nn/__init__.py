"""Neural-network building blocks, as ``torch.nn``."""

from . import functional, init, parallel, utils  # noqa: F401
from .modules import *  # noqa: F403
from .parallel import DataParallel  # noqa: F401
from .parameter import *  # noqa: F403
