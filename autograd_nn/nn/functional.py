"""``autograd_nn.nn.functional``: stateless forms of the layers and losses (as torch's F)."""

from .._ops.indexing import one_hot  # noqa: F401
from .._ops.shape import pad  # noqa: F401
from .._search import pdist  # noqa: F401
from ._functional.activation import *  # noqa: F403
from ._functional.attention import *  # noqa: F403
from ._functional.conv import *  # noqa: F403
from ._functional.dropout import *  # noqa: F403
from ._functional.extra import *  # noqa: F403
from ._functional.grid import *  # noqa: F403
from ._functional.interpolate import *  # noqa: F403
from ._functional.linear import *  # noqa: F403
from ._functional.loss import *  # noqa: F403
from ._functional.normalization import *  # noqa: F403
from ._functional.pooling import *  # noqa: F403
from ._functional.rnn import *  # noqa: F403
from ._functional.sparse import *  # noqa: F403
