"""The development corpus: PyTorch programs modelled on public tutorials and teaching code
(``tests/compat/README.md`` names each source), each run twice in a subprocess, once with
PyTorch and once with ``torch`` resolved to ``autograd_nn`` (``run_with_autograd_nn.py``; the
program text is the same). What they print must agree: text exactly, numbers to the program's
tolerance (default ``rtol=1e-4, atol=1e-6``; a program may declare its own in a
``# compat: rtol=... atol=...`` line). Random draws the output depends on are shared through
``programs/_sync.py`` (PyTorch's run records them, autograd_nn's replays them)."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("torch")

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
PROGRAMS = sorted((HERE / "programs").glob("[0-9][0-9]_*.py"))

# Programs that do not yet run (or print differently) under autograd_nn: the missing feature.
XFAIL: dict[str, str] = {}

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")  # object addresses differ from run to run
_NUM = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?|[-+]?inf|nan")


def _tolerance(src: str) -> tuple[float, float]:
    m = re.search(r"^# compat: rtol=(\S+) atol=(\S+)", src, re.M)
    return (float(m.group(1)), float(m.group(2))) if m else (1e-4, 1e-6)


@pytest.fixture(scope="module")
def runner():
    """One process per test worker that imported torch and autograd_nn; each program runs in a
    forked child of it (``_forkrunner.py``)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1")
    proc = subprocess.Popen([sys.executable, str(HERE / "_forkrunner.py")], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, env=env, cwd=HERE)
    yield proc
    proc.stdin.close()
    proc.wait(timeout=60)


def _run(runner, program: Path, mode: str, cwd: Path, sync_mode: str, sync_file: Path) -> str:
    cwd.mkdir()
    req = {"program": str(program), "mode": mode, "cwd": str(cwd), "timeout": 120,
           "env": {"COMPAT_SYNC": sync_mode, "COMPAT_SYNC_FILE": str(sync_file)},
           "stdout": str(cwd / "stdout.txt"), "stderr": str(cwd / "stderr.txt")}
    runner.stdin.write(json.dumps(req) + "\n")
    runner.stdin.flush()
    code = json.loads(runner.stdout.readline())["returncode"]
    if code != 0:
        raise AssertionError(f"{program.name} under {mode} exited with {code}:\n"
                             f"{(cwd / 'stderr.txt').read_text()[-3000:]}")
    return (cwd / "stdout.txt").read_text()


def assert_same_output(expected: str, got: str, rtol: float, atol: float) -> None:
    """Line by line: the text between numbers equal, the numbers within tolerance."""
    exp_lines = _ADDRESS.sub(" at 0x?", expected).splitlines()
    got_lines = _ADDRESS.sub(" at 0x?", got).splitlines()
    for i, (e, g) in enumerate(zip(exp_lines, got_lines)):
        if _NUM.sub("#", e) != _NUM.sub("#", g):
            raise AssertionError(f"line {i + 1} differs:\n  torch:       {e}\n  autograd_nn: {g}")
        for a, b in zip(_NUM.findall(e), _NUM.findall(g)):
            x, y = float(a), float(b)
            if not (x == y or (math.isnan(x) and math.isnan(y)) or
                    abs(x - y) <= atol + rtol * abs(x)):
                raise AssertionError(f"line {i + 1}: {a} vs {b} (rtol={rtol}, atol={atol})\n"
                                     f"  torch:       {e}\n  autograd_nn: {g}")
    if len(exp_lines) != len(got_lines):
        raise AssertionError(f"torch printed {len(exp_lines)} lines, autograd_nn "
                             f"{len(got_lines)}")


@pytest.mark.parametrize("program", [
    pytest.param(p, id=p.stem, marks=[pytest.mark.xfail(strict=True, reason=XFAIL[p.name])]
                 if p.name in XFAIL else []) for p in PROGRAMS])
def test_program_prints_what_pytorch_prints(runner, program: Path, tmp_path: Path) -> None:
    sync_file = tmp_path / "sync.npz"
    expected = _run(runner, program, "torch", tmp_path / "torch", "record", sync_file)
    assert expected.strip(), "the program printed nothing under PyTorch"
    got = _run(runner, program, "autograd_nn", tmp_path / "ours", "replay", sync_file)
    assert_same_output(expected, got, *_tolerance(program.read_text()))


def test_the_comparison_catches_differences():
    assert_same_output("loss 1.000000 at step 3", "loss 1.0000001 at step 3", 1e-4, 1e-6)
    for a, b in [("loss 1.0", "loss 1.1"), ("torch.float32", "autograd_nn.float32"),
                 ("a\nb", "a"), ("step 3", "step 4")]:
        with pytest.raises(AssertionError):
            assert_same_output(a, b, 1e-4, 1e-6)


def test_corpus_size():
    assert len(PROGRAMS) >= 30
