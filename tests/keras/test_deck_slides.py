"""Slides 12-15 of the deck run on autograd_nn.keras with only the imports changed.

The code is read from ``../shared/seeds/000_*.txt`` (skipped when the deck is absent) and
executed with ``tensorflow.keras`` -> ``autograd_nn.keras`` and ``import tensorflow as tf`` ->
``import autograd_nn as tf`` (slide 14 also gets ``weights=None`` and a local image: the
ImageNet weights cannot be downloaded here).
"""

import contextlib
import io
import os
import re
from pathlib import Path

import numpy as np
import pytest

from autograd_nn import keras

ROOT = Path(__file__).resolve().parents[2]
SEEDS = Path(os.environ.get("AUTOGRAD_NN_SEEDS", ROOT.parent / "shared" / "seeds"))


def slide_code(number: int) -> str:
    decks = sorted(SEEDS.glob("000_*.txt")) if SEEDS.is_dir() else []
    if not decks:
        pytest.skip(f"the deck (../shared/seeds/000_*.txt) is not here: {SEEDS}")
    text = decks[0].read_text()
    start = text.index(f"Slide {number}:")
    block = re.search(r"```python\n(.*?)```", text[start:], re.S)
    assert block, f"slide {number} has no python block"
    return block.group(1)


def port(code: str) -> str:
    """Only the imports change."""
    code = code.replace("from tensorflow import keras", "from autograd_nn import keras")
    code = code.replace("tensorflow.keras", "autograd_nn.keras")
    return code.replace("import tensorflow as tf", "import autograd_nn as tf")


def run_slide(number: int, code: str | None = None) -> tuple[dict, str]:
    original = code if code is not None else slide_code(number)
    code = port(original)
    assert "tensorflow" not in code
    changed = [b for a, b in zip(original.splitlines(), code.splitlines()) if a != b]
    assert changed and all(line.startswith(("import ", "from ")) for line in changed), changed
    keras.utils.set_random_seed(0)
    keras.backend.clear_session()
    out = io.StringIO()
    ns: dict = {"__name__": f"slide{number}"}
    with contextlib.redirect_stdout(out):
        exec(compile(code, f"<slide {number}>", "exec"), ns)
    return ns, out.getvalue()


def test_slide_12_dropout_runs_and_learns():
    ns, out = run_slide(12)
    h = ns["history"].history
    assert len(h["loss"]) == len(h["val_loss"]) == 100
    # y = sum of 5 inputs + noise: variance 5; the network must explain nearly all of it
    final_val = float(out.split("Final validation loss:")[1].split()[0])
    assert final_val == pytest.approx(h["val_loss"][-1])
    assert final_val < 0.25 * np.var(ns["y"][800:])
    # validation_split took the last 200 rows, which were never trained on
    assert ns["model"].count_params() == 20 * 64 + 64 + 64 * 32 + 32 + 33


def test_slide_13_early_stopping_runs_and_restores_best():
    pytest.importorskip("sklearn")
    ns, out = run_slide(13)
    h = ns["history"].history
    n = len(h["loss"])
    es = ns["early_stopping"]
    assert f"Training stopped after {n} epochs" in out
    assert n < 1000 and es.stopped_epoch == n - 1
    assert es.best_epoch == int(np.argmin(h["val_loss"])) == n - 1 - 10  # patience 10
    # the restored weights are the best epoch's: evaluating them gives the best val loss
    best = min(h["val_loss"])
    assert ns["model"].evaluate(ns["X_val"], ns["y_val"], verbose=0) == pytest.approx(
        best, rel=1e-5)
    assert best < 0.1


def test_slide_14_image_classification_runs(tmp_path):
    """Slide 14 with a local image and weights=None (ImageNet weights cannot be downloaded)."""
    pil = pytest.importorskip("PIL.Image")
    img_path = tmp_path / "cat.png"
    rng = np.random.default_rng(0)
    pil.fromarray(rng.integers(0, 256, (300, 400, 3), dtype=np.uint8)).save(img_path)
    code = slide_code(14)
    assert "weights='imagenet'" in code and "'path/to/your/image.jpg'" in code
    code = code.replace("weights='imagenet'", "weights=None").replace(
        "'path/to/your/image.jpg'", repr(str(img_path)))
    ns, out = run_slide(14, code)
    assert ns["x"].shape == (1, 224, 224, 3) and -1 <= ns["x"].min() and ns["x"].max() <= 1
    preds = ns["preds"]
    assert preds.shape == (1, 1000)
    np.testing.assert_allclose(preds.sum(), 1.0, rtol=1e-5)
    lines = out.splitlines()
    assert lines[0] == "Top 3 predictions:" and len(lines) == 4
    top = np.argsort(preds[0])[::-1][:3]
    from autograd_nn.keras.applications import imagenet_utils

    names = imagenet_utils.class_index()
    for rank, (line, idx) in enumerate(zip(lines[1:], top), 1):
        assert line == f"{rank}: {names[str(idx)][1]} ({preds[0, idx]:.2f})"


def test_slide_15_text_classification_runs():
    ns, out = run_slide(15)
    assert ns["padded"].shape == (4, 20)
    model = ns["model"]
    assert model.count_params() == 1000 * 16 + 4 * 32 * (16 + 32 + 1) + 33
    p = float(ns["prediction"][0][0])
    assert 0 < p < 1
    assert out.strip() == f"Sentiment prediction: {'Positive' if p > 0.5 else 'Negative'}"
    # fit took the Python list of labels (tf.keras behaviour) and trained 10 epochs
    assert model.optimizer.iterations == 10
