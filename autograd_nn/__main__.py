"""``python -m autograd_nn``: the ``autograd-nn`` command (see :mod:`autograd_nn.cli`)."""

import sys

from .cli import main

sys.exit(main())
