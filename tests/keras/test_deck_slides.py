"""Slides 12 and 13 of the deck run on autograd_nn.keras with only the imports changed.

The code is read from ``../shared/seeds/000_*.txt`` (skipped when the deck is absent) and
executed with ``tensorflow.keras`` -> ``autograd_nn.keras`` and ``import tensorflow as tf`` ->
``import autograd_nn as tf``.
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


def run_slide(number: int) -> tuple[dict, str]:
    code = port(slide_code(number))
    assert "tensorflow" not in code
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


def test_slide_15_model_part_runs_with_list_labels():
    """Slide 15's model, compile and fit (list labels, as the deck passes them); the Tokenizer /
    pad_sequences part lives in keras.preprocessing (tested with it)."""
    code = port(slide_code(15))
    start = code.index("# Create the model")
    end = code.index("# Test the model")
    keras.utils.set_random_seed(0)
    padded = np.zeros((4, 20), dtype="int32")
    padded[:, :5] = np.arange(1, 21).reshape(4, 5)
    ns = {"padded": padded, "labels": [1, 0, 1, 0]}
    exec("from autograd_nn.keras.models import Sequential\n"
         "from autograd_nn.keras.layers import Embedding, LSTM, Dense\n" + code[start:end], ns)
    model = ns["model"]
    assert model.built and model.count_params() == 1000 * 16 + 4 * 32 * (16 + 32 + 1) + 33
    pred = model.predict(padded, verbose=0)
    assert pred.shape == (4, 1) and np.all((pred > 0) & (pred < 1))
