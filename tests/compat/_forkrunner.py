"""Runs corpus programs in forked children of one process that has imported PyTorch and
autograd_nn once (``import torch`` alone costs seconds of CPU; forking skips it per program).

Protocol: one JSON request per stdin line, ``{"program", "mode": "torch"|"autograd_nn", "cwd",
"env", "stdout", "stderr", "timeout"}``; one JSON reply per stdout line, ``{"returncode"}``.
Each program runs in its own forked child, as ``__main__``, with fresh ``sys.modules`` entries
for everything it imports besides the two libraries; in ``autograd_nn`` mode every ``torch`` /
``torch.x`` import resolves to ``autograd_nn`` / ``autograd_nn.x``.
"""

from __future__ import annotations

import json
import os
import sys

import numpy  # noqa: F401 - preloaded for the children
import torch  # noqa: F401
import torch.nn  # noqa: F401
import torch.utils.data  # noqa: F401

import autograd_nn  # noqa: F401
import autograd_nn.nn  # noqa: F401
import autograd_nn.optim  # noqa: F401
import autograd_nn.utils.data  # noqa: F401

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_with_autograd_nn import _TorchIsAutogradNN  # noqa: E402


def _child(req: dict) -> None:
    import atexit
    import runpy
    import signal

    signal.alarm(int(req.get("timeout", 120)))
    os.chdir(req["cwd"])
    os.environ.update(req["env"])
    out = os.open(req["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    err = os.open(req["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    os.dup2(out, 1)
    os.dup2(err, 2)
    if req["mode"] == "torch":
        # PyTorch seeds its generator randomly per process: fix it, so that the draws the
        # autograd_nn run replays (and so every comparison) are the same on every test run
        torch.manual_seed(0)
    if req["mode"] == "autograd_nn":
        for name in [m for m in sys.modules if m == "torch" or m.startswith("torch.")]:
            del sys.modules[name]
        sys.meta_path.insert(0, _TorchIsAutogradNN())
    prog = req["program"]
    sys.argv = [prog]
    sys.path.insert(0, os.path.dirname(prog))
    code = 0
    try:
        runpy.run_path(prog, run_name="__main__")
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except BaseException:  # noqa: BLE001 - reported through the exit code and stderr
        import traceback

        traceback.print_exc()
        code = 1
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main() -> None:
    for line in sys.stdin:
        req = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _child(req)
        _, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        sys.stdout.write(json.dumps({"returncode": code}) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
