"""Run a PyTorch program with ``torch`` resolved to ``autograd_nn`` (the import changed, the
program text not): ``python run_with_autograd_nn.py program.py``. Every ``torch`` or
``torch.x.y`` import resolves to ``autograd_nn`` / ``autograd_nn.x.y``."""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import runpy
import sys
from pathlib import Path


class _TorchIsAutogradNN(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name, path=None, target=None):
        if name == "torch" or name.startswith("torch."):
            return importlib.util.spec_from_loader(name, self)
        return None

    def create_module(self, spec):
        return importlib.import_module("autograd_nn" + spec.name[len("torch"):])

    def exec_module(self, module):
        pass


def main() -> None:
    prog = Path(sys.argv[1]).resolve()
    sys.meta_path.insert(0, _TorchIsAutogradNN())
    sys.argv = [str(prog)] + sys.argv[2:]
    sys.path.insert(0, str(prog.parent))
    runpy.run_path(str(prog), run_name="__main__")


if __name__ == "__main__":
    main()
