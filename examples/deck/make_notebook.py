"""Build and execute notebooks/deck_walkthrough.ipynb from the deck lessons.

    python examples/deck/make_notebook.py   # needs nbformat, nbclient, ipykernel
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]

CELLS = [
    ("md", """# Iterating neural networks, on autograd_nn

A walk through the training-loop lessons of the "iterating neural networks" deck, written as
PyTorch code that runs on `autograd_nn` (`import autograd_nn as torch`). Each lesson has a
script in `examples/deck/` and an oracle test in `tests/e2e/test_deck_lessons.py`.

One correction first: an **iteration** is one parameter update on one mini-batch; an **epoch**
is one pass over the whole training set."""),
    ("code", """import importlib.util, math, os, sys
from pathlib import Path
import numpy as np
import matplotlib.pyplot as plt
%matplotlib inline

ROOT = Path.cwd() if (Path.cwd() / "examples").exists() else Path.cwd().parent
import autograd_nn as torch
from autograd_nn import nn
from autograd_nn.utils.data import DataLoader, TensorDataset

def lesson(stem):
    path = next((ROOT / "examples" / "deck").glob(stem + "*.py"))
    spec = importlib.util.spec_from_file_location("deck_" + stem, path)
    mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
    return mod"""),
    ("md", """## 1. Forward pass, loss, backward pass, update

The deck's 2-4-1 sigmoid network. `loss.backward()` computes every gradient by reverse-mode
autodiff; we check it against the chain rule written out by hand in NumPy."""),
    ("code", """L1 = lesson("01")
torch.manual_seed(0)
net = L1.TwoLayerNet().double()
X = np.array([[0., 0.], [0., 1.], [1., 0.], [1., 1.]]); Y = np.array([[0.], [1.], [1.], [0.]])
loss = nn.BCELoss()(net(torch.tensor(X)), torch.tensor(Y))
loss.backward()

sig = lambda z: 1 / (1 + np.exp(-z))
W1, b1 = net.hidden.weight.detach().numpy(), net.hidden.bias.detach().numpy()
W2, b2 = net.out.weight.detach().numpy(), net.out.bias.detach().numpy()
a1 = sig(X @ W1.T + b1); a2 = sig(a1 @ W2.T + b2)
dz2 = (a2 - Y) / len(X); dz1 = (dz2 @ W2) * a1 * (1 - a1)
print("loss", loss.item())
print("max |autograd - hand| for W1:", np.abs(net.hidden.weight.grad.numpy() - dz1.T @ X).max())
print("max |autograd - hand| for W2:", np.abs(net.out.weight.grad.numpy() - dz2.T @ a1).max())
print("losses:", L1.losses_demo())"""),
    ("md", """## 2. Mini-batch gradient descent: epochs vs iterations

With N samples and batch size B, `len(DataLoader)` is ceil(N / B) (floor with
`drop_last=True`)."""),
    ("code", """L2 = lesson("02")
data = L2.make_data(n=1000)
for b in (32, 100, 1000):
    print(f"B={b:4d}: {len(DataLoader(data, batch_size=b))} iterations/epoch, "
          f"{len(DataLoader(data, batch_size=b, drop_last=True))} with drop_last")
res = L2.train(data, batch_size=32, epochs=10)
print("iterations:", res["iterations"], " training accuracy:", round(res["accuracy"], 3))
plt.figure(figsize=(4, 2.5)); plt.plot(range(1, 11), res["losses"], marker="o")
plt.xlabel("epoch"); plt.ylabel("mean batch loss"); plt.title("mini-batch Adam"); plt.tight_layout()
plt.show()"""),
    ("md", """## 3. The learning rate

Gradient descent on f(x) = x^2 gives x_n = x_0 (1 - 2 lr)^n."""),
    ("code", """L3 = lesson("03")
plt.figure(figsize=(5, 3))
for lr in (0.01, 0.1, 0.5, 0.9, 1.0, 1.05):
    xs = L3.gradient_descent(5.0, lr, 20)
    err = max(abs(a - 5.0 * (1 - 2 * lr) ** n) for n, a in enumerate(xs))
    print(f"lr {lr:<5} x_20 = {xs[-1]: .4g}   max deviation from closed form {err:.1e}")
    plt.plot(xs, label=f"lr={lr}")
plt.ylim(-8, 8); plt.xlabel("step"); plt.ylabel("x"); plt.legend(fontsize=7); plt.tight_layout()
plt.show()"""),
    ("md", """## 4. Under- and over-fitting

Polynomials of degree 1, 3, 15 fitted to 20 noisy samples of sin(x) by gradient descent on
orthonormalised features (which makes the least-squares problem perfectly conditioned)."""),
    ("code", """L4 = lesson("04")
x, y, xt, yt = L4.make_data()
grid = np.linspace(0, 5, 400)
plt.figure(figsize=(5, 3)); plt.scatter(x, y, s=12, c="k", label="train")
for d in (1, 3, 15):
    f = L4.fit_polynomial(x, y, d)
    tr, te = L4.rmse(f(x), y), L4.rmse(f(xt), yt)
    print(f"degree {d:2d}: train RMSE {tr:.4f}   held-out RMSE {te:.4f}")
    plt.plot(grid, f(grid), label=f"degree {d}")
plt.ylim(-2, 2); plt.legend(fontsize=7); plt.tight_layout(); plt.show()"""),
    ("md", """## 5. L1 and L2 regularisation

An L2 penalty (lambda/2)|w|^2 in the loss is exactly `SGD(weight_decay=lambda)`; an L1 penalty
sets the 15 irrelevant weights to zero."""),
    ("code", """L5 = lesson("05")
x, y, xt, yt = L5.make_data()
pen = L5.train_linear(x, y, penalty="l2", lam=0.2, steps=100, anneal=False)
wd = L5.train_linear(x, y, weight_decay=0.2, steps=100, anneal=False)
diff = pen.weight.detach().numpy() - wd.weight.detach().numpy()
print("max |penalty - weight_decay|:", np.abs(diff).max())
w1 = L5.train_linear(x, y, penalty="l1", lam=0.2).weight.detach().numpy().ravel()
w2 = L5.train_linear(x, y, penalty="l2", lam=0.2).weight.detach().numpy().ravel()
plt.figure(figsize=(5, 2.5)); idx = np.arange(20)
plt.bar(idx - 0.2, np.abs(w2), 0.4, label="L2"); plt.bar(idx + 0.2, np.abs(w1), 0.4, label="L1")
plt.yscale("log"); plt.ylim(1e-8, 2); plt.xlabel("feature"); plt.ylabel("|w|"); plt.legend()
plt.tight_layout(); plt.show()
print("irrelevant |w|, L1 max:", np.abs(w1[5:]).max(), "  L2 min:", np.abs(w2[5:]).min())"""),
    ("md", """## 6. Dropout

Training mode zeroes units with probability p and scales the rest by 1/(1-p); eval mode is the
identity. On a small noisy data set it narrows the train/validation gap."""),
    ("code", """L6 = lesson("06")
tr, ev = L6.dropout_demo(p=0.5)
print("train:", tr); print("eval: ", ev)
for p in (0.0, 0.5):
    a, b = L6.train(p)
    print(f"dropout {p}: train loss {a:.4f}  validation loss {b:.4f}  gap {b - a:.4f}")"""),
    ("md", """## 7. Early stopping

Stop once validation loss has not improved for `patience` epochs and restore the best
weights."""),
    ("code", """L7 = lesson("07")
res = L7.train(patience=10)
s = res["stopper"]; h = np.array(res["history"])
print(f"stopped at epoch {s.stopped_epoch + 1}, best epoch {s.best_epoch + 1} "
      f"(val {s.best:.4f}); restored model val {res['final_val']:.4f}")
plt.figure(figsize=(5, 3)); plt.plot(h[:, 0], label="train"); plt.plot(h[:, 1], label="validation")
plt.axvline(s.best_epoch, ls="--", c="gray"); plt.yscale("log"); plt.xlabel("epoch"); plt.legend()
plt.tight_layout(); plt.show()"""),
    ("md", """## 8. Image classification and an LSTM sentiment model

These lessons use layers built elsewhere in the project: `examples/mnist_mlp.py` and
`examples/mnist_cnn.py` (MNIST), `autograd_nn/models/mobilenetv2.py` (the deck's MobileNetV2,
checked in `tests/nn/test_mobilenet.py`), and `nn.Embedding` + `nn.LSTM` (checked against PyTorch
in `tests/nn/test_embedding.py` and `tests/nn/test_rnn.py`) for sentiment models on rt-polarity."""),
]


def build(path: Path = ROOT / "notebooks" / "deck_walkthrough.ipynb") -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(src) if kind == "md" else
                nbformat.v4.new_code_cell(src) for kind, src in CELLS]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    path.parent.mkdir(exist_ok=True)
    nbformat.write(nb, path)


if __name__ == "__main__":
    build()
