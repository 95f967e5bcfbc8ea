"""The ``autograd-nn`` command (``python -m autograd_nn``) and ``python -m autograd_nn.viz``, run
as subprocesses: every error path prints exactly one line on stderr and exits non-zero (never a
traceback); ``demo`` reaches 96% on the digits and writes what it says."""

from __future__ import annotations

import configparser
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str, cwd: Path, module: str = "autograd_nn", env: dict | None = None,
        timeout: float = 120) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1", **(env or {})}
    full_env.pop("AUTOGRAD_NN_DEBUG", None)
    return subprocess.run([sys.executable, "-m", module, *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=timeout)


def assert_one_line_error(r: subprocess.CompletedProcess, pattern: str) -> None:
    lines = r.stderr.splitlines()
    assert r.returncode != 0, (r.returncode, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    assert len(lines) == 1, r.stderr
    assert re.search(pattern, lines[0]), lines[0]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    """A folder with no ``../shared/data`` beside it, a garbage checkpoint and an empty folder."""
    d = tmp_path_factory.mktemp("cli") / "work"
    d.mkdir()
    (d / "garbage.safetensors").write_bytes(b"not a checkpoint at all")
    (d / "empty").mkdir()
    from autograd_nn import save
    from autograd_nn.recipes import make_net

    save(make_net("digits", "mlp").state_dict(), d / "digits.safetensors")
    return d


ERRORS = [
    # bad arguments (argparse): exit 2
    (("bogus",), r"^autograd-nn: error: .*invalid choice: 'bogus'"),
    (("train",), r"^autograd-nn train: error: .*required: --dataset, --model"),
    (("train", "--dataset", "cifar", "--model", "mlp"), r"invalid choice: 'cifar'"),
    (("train", "--dataset", "digits", "--model", "mlp", "--epochs", "0"),
     r"--epochs: expected a positive integer, got 0"),
    (("train", "--dataset", "digits", "--model", "mlp", "--lr", "fast"),
     r"--lr: expected a positive number, got 'fast'"),
    (("train", "--dataset", "mnist", "--model", "cnn", "--data-dir", "missing"),
     r"--data-dir: data folder 'missing' does not exist"),
    (("demo", "--epochs", "-3"), r"^autograd-nn demo: error: .*positive integer"),
    (("gradcheck", "--bogus-flag"), r"unrecognized arguments: --bogus-flag"),
    # bad requests at run time: exit 1
    (("train", "--dataset", "polarity", "--model", "cnn"),
     r"^autograd-nn: error: --dataset polarity has no --model cnn \(choose lstm\)$"),
    (("train", "--dataset", "mnist", "--model", "mlp", "--data-dir", "empty"),
     r"load_mnist: missing file empty/t10k-images-idx3-ubyte"),
    (("train", "--dataset", "polarity", "--model", "lstm", "--data-dir", "empty"),
     r"load_rt_polarity: missing file empty/rt-polarity.pos"),
    (("draw", "graph.txt"), r"cannot draw to 'graph.txt': .*\.svg, \.png, \.pdf or \.gv"),
    (("draw", "g.svg", "--weights", "nowhere.safetensors"),
     r"no such file or directory: nowhere.safetensors"),
    (("draw", "g.svg", "--weights", "garbage.safetensors"), r"garbage.safetensors"),
    (("draw", "g.svg", "--weights", "empty"), r"'empty' is a directory"),
    (("draw", "g.svg", "--dataset", "polarity", "--model", "lstm", "--weights",
      "digits.safetensors"), r"digits.safetensors holds no 'embedding.weight'"),
    (("draw", "g.svg", "--model", "cnn", "--weights", "digits.safetensors"),
     r"Error\(s\) in loading state_dict for Sequential: Missing key\(s\)"),
    (("draw", "no/such/folder/g.svg"), r"no such file or directory: no/such/folder/g.svg"),
    (("gradcheck", "nope"), r"no op named 'nope'; known ops: add, "),
]


@pytest.mark.parametrize("args, pattern", ERRORS, ids=[" ".join(a) for a, _ in ERRORS])
def test_error_paths_print_one_line(workdir, args, pattern):
    r = cli(*args, cwd=workdir)
    assert_one_line_error(r, pattern)
    assert r.returncode == (2 if "error: argument" in r.stderr or "required" in r.stderr
                            or "unrecognized" in r.stderr else 1)


def test_missing_data_folder_names_the_variable(workdir):
    """No --data-dir, no $AUTOGRAD_NN_DATA and no ../shared/data from the working directory."""
    r = cli("train", "--dataset", "mnist", "--model", "mlp", cwd=workdir,
            env={"AUTOGRAD_NN_DATA": ""})
    assert_one_line_error(r, r"no data folder: .*--data-dir.*AUTOGRAD_NN_DATA.*shared/data "
                             r"does not exist")


def test_viz_module_help_and_errors(workdir):
    r = cli("--help", cwd=workdir, module="autograd_nn.viz")
    assert r.returncode == 0 and "usage: python -m autograd_nn.viz" in r.stdout
    assert not (workdir / "--help").exists()  # it used to write a file named --help
    assert_one_line_error(cli("graph.jpg", cwd=workdir, module="autograd_nn.viz"),
                          r"cannot write a graph as 'graph.jpg'")
    assert_one_line_error(cli("a", "b", cwd=workdir, module="autograd_nn.viz"),
                          r"unrecognized arguments: b")


def test_every_command_has_help(workdir):
    for command in ("demo", "train", "draw", "gradcheck"):
        r = cli(command, "--help", cwd=workdir)
        assert r.returncode == 0 and r.stdout.startswith(f"usage: autograd-nn {command}")
    r = cli("--help", cwd=workdir)
    assert r.returncode == 0 and all(c in r.stdout for c in ("demo", "train", "draw",
                                                            "gradcheck"))


def test_draw_writes_each_format(workdir, tmp_path):
    pytest.importorskip("graphviz")
    r = cli("draw", str(tmp_path / "g.gv"), "--dataset", "mnist", "--model", "cnn",
            cwd=workdir)
    assert r.returncode == 0, r.stderr
    source = (tmp_path / "g.gv").read_text()
    assert source.startswith("digraph")
    # the small CNN's forward: 2 convolutions, 2 ReLUs, 1 linear layer, one box each
    for op, count in (("ConvolutionBackward0", 2), ("ReluBackward0", 2), ("AddmmBackward0", 1)):
        assert source.count(f'label="{op}') == count, op
    if shutil.which("dot") is None:
        assert_one_line_error(cli("draw", str(tmp_path / "g.svg"), cwd=workdir),
                              r"needs the Graphviz 'dot' program")
        return
    magic = {"png": b"\x89PNG\r\n\x1a\n", "pdf": b"%PDF-"}
    for fmt in ("svg", "png", "pdf"):
        out = tmp_path / f"g.{fmt}"
        r = cli("draw", str(out), "--dataset", "polarity", "--model", "lstm", cwd=workdir)
        assert r.returncode == 0 and r.stdout.strip() == f"wrote {out}", r.stderr
        if fmt == "svg":
            assert ET.parse(out).getroot().tag.endswith("svg")
        else:
            assert out.read_bytes().startswith(magic[fmt])
    png = tmp_path / "viz.png"  # python -m autograd_nn.viz used to crash on a .png target
    r = cli(str(png), cwd=workdir, module="autograd_nn.viz")
    assert r.returncode == 0 and png.read_bytes().startswith(magic["png"]), r.stderr


def test_gradcheck_command(workdir):
    r = cli("gradcheck", "mul", "soft*", "conv2d", cwd=workdir)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert [ln.split()[1] for ln in lines[:-1]] == ["mul", "softplus", "softmax", "conv2d"]
    assert all(ln.startswith("ok") and ln.endswith("1st+2nd") for ln in lines[:-1])
    assert lines[-1].startswith("4/4 ops passed")
    listed = cli("gradcheck", "--list", cwd=workdir).stdout.split()
    assert len(listed) >= 40 and {"lstm", "cross_entropy", "max_pool2d"} <= set(listed)


def test_summary_works_without_graphviz(workdir):
    """A bare install (NumPy only: no graphviz, matplotlib, tqdm, scikit-learn, Pillow, SciPy,
    PyTorch, Keras): summary works, for Keras models too; drawing names the extra."""
    code = (
        "import sys\n"
        "for m in ('graphviz matplotlib tqdm sklearn PIL scipy torch keras keras_preprocessing "
        "h5py safetensors ml_dtypes').split():\n    sys.modules[m] = None\n"
        "import autograd_nn as t\nfrom autograd_nn import nn\n"
        "m = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))\n"
        "print(t.summary(m, (2, 4)).total_params)\n"
        "from autograd_nn.viz import summary\nprint(summary(m, (2, 4)).trainable_params)\n"
        "from autograd_nn import keras\n"
        "k = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(16), "
        "keras.layers.Dense(3)])\nlines = []\nk.summary(print_fn=lines.append)\n"
        "print(lines[0].split('Total params: ')[1].split()[0])\n"
        "try:\n    from autograd_nn.viz import draw_graph\nexcept ImportError as e:\n"
        "    print(e)\n")
    r = subprocess.run([sys.executable, "-c", code], cwd=workdir, capture_output=True, text=True,
                       env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert r.returncode == 0, r.stderr
    n = 4 * 16 + 16 + 16 * 3 + 3  # hand count: 131
    assert r.stdout.splitlines() == [str(n), str(n), str(n), "drawing graphs needs the graphviz "
                                     "Python package: pip install 'autograd_nn[viz]'"]


def test_console_script_is_declared():
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    scripts = cfg["options.entry_points"]["console_scripts"].strip().splitlines()
    assert "autograd-nn = autograd_nn.cli:main" in [s.strip() for s in scripts]
    from autograd_nn.cli import main

    assert main(["gradcheck", "--list"]) == 0
    # the ImageNet class file is package data
    assert "*.json" in cfg["options.package_data"]["autograd_nn.keras.applications"]


def test_demo_reaches_96_percent_and_writes_its_outputs(workdir, tmp_path):
    pytest.importorskip("sklearn")
    out = tmp_path / "demo_out"
    r = cli("demo", "--out", str(out), "--no-progress", cwd=workdir, timeout=300)
    assert r.returncode == 0, r.stderr
    acc = float(re.search(r"final held-out accuracy ([0-9.]+)", r.stdout).group(1))
    assert acc >= 0.96, r.stdout
    assert f"outputs written to {out}" in r.stdout
    history = json.loads((out / "history.json").read_text())
    losses = history["losses"]
    assert len(losses) == 30 and losses[-1] < losses[0] / 10
    assert digits_mlp_accuracy(out / "model.safetensors") == pytest.approx(acc, abs=5e-4)
    if "curves.png" in r.stdout:
        assert (out / "curves.png").read_bytes().startswith(b"\x89PNG")
    graph = next(out.glob("graph.*"))
    assert graph.suffix in (".svg", ".gv") and graph.stat().st_size > 0


def digits_mlp_accuracy(weights: Path) -> float:
    """The held-out accuracy of saved digits-MLP weights in a hand-written NumPy forward pass
    over the held-out 20% (the split's indices from the seeded random_split)."""
    import autograd_nn as ag
    from autograd_nn.recipes import load_digits

    w = {k: v.numpy() for k, v in ag.load(weights).items()}
    data = load_digits()
    _, test = ag.utils.data.random_split(data, [0.8, 0.2],
                                         generator=ag.Generator().manual_seed(0))
    x, y = (t.numpy()[np.asarray(test.indices)] for t in data.tensors)
    logits = np.maximum(x @ w["fc1.weight"].T + w["fc1.bias"], 0) @ w["fc2.weight"].T \
        + w["fc2.bias"]
    return float((logits.argmax(1) == y).mean())


def test_train_writes_what_it_prints(workdir, tmp_path):
    pytest.importorskip("sklearn")
    out = tmp_path / "run"
    r = cli("train", "--dataset", "digits", "--model", "mlp", "--epochs", "2", "--out", str(out),
            "--no-progress", cwd=workdir)
    assert r.returncode == 0, r.stderr
    acc = float(re.search(r"held-out accuracy ([0-9.]+) after 2 epochs", r.stdout).group(1))
    history = json.loads((out / "history.json").read_text())
    assert len(history["losses"]) == 2
    assert history["held_out_accuracy"]["2"] == pytest.approx(acc, abs=5e-5)
    assert digits_mlp_accuracy(out / "model.safetensors") == pytest.approx(acc, abs=5e-5)
    assert f"outputs written to {out}" in r.stdout


def test_data_folder_comes_from_the_variable_before_shared_data(workdir, tmp_path):
    """$AUTOGRAD_NN_DATA wins over ../shared/data: pointed at an empty folder from a working
    directory that has ../shared/data beside it, train fails on the variable's folder."""
    cwd = tmp_path / "repo"
    (tmp_path / "shared" / "data" / "mnist-test").mkdir(parents=True)
    cwd.mkdir()
    r = cli("train", "--dataset", "mnist", "--model", "mlp", cwd=cwd,
            env={"AUTOGRAD_NN_DATA": str(workdir / "empty")})
    assert_one_line_error(r, rf"load_mnist: missing file {re.escape(str(workdir))}/empty/")
    # without the variable, ../shared/data is used
    r = cli("train", "--dataset", "mnist", "--model", "mlp", cwd=cwd,
            env={"AUTOGRAD_NN_DATA": ""})
    assert_one_line_error(r, r"load_mnist: missing file .*shared/data/mnist-test/t10k-images")
