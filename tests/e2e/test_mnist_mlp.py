"""End to end on real data: examples/mnist_mlp.py trains an MLP on the MNIST split (first 8,000
train, last 2,000 held out) to >= 95% held-out accuracy (the brief's bar; the training labels
never see the held-out images). The first steps are checked against PyTorch doing the same
training (same weights, same batches, SGD with momentum, float64) so a pass cannot come from a
different algorithm.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from conftest import MNIST, ROOT, data_or_skip, load_script

import autograd_nn as ag
from autograd_nn.datasets import mnist_split
from autograd_nn.serialization import to_torch_state_dict


def _example():
    return load_script(ROOT / "examples" / "mnist_mlp.py")


def _root():
    return data_or_skip(MNIST)


@pytest.mark.slow
def test_mnist_mlp_reaches_95_percent():
    root = _root()
    t0 = time.perf_counter()
    out = _example().train(root, epochs=6, log=False)
    seconds = time.perf_counter() - t0
    print(f"held-out accuracy {out['accuracy']:.4f}, losses {out['losses']}, {seconds:.1f} s")
    assert out["accuracy"] >= 0.95, f"accuracy {out['accuracy']:.4f}"
    assert out["losses"][-1] < out["losses"][0] / 4, out["losses"]  # learned, not a lucky init
    # (its time, ~8 s alone on 2 cores, is printed, not asserted: a loaded CI machine is slower)


def test_first_steps_match_torch_float64():
    torch = pytest.importorskip("torch")
    root = _root()
    ex = _example()
    ag.manual_seed(0)
    x_train, y_train, _, _ = mnist_split(root)
    x_train, y_train = x_train[:640].double(), y_train[:640]
    ours = ex.make_model(64).double()
    theirs = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 64), torch.nn.ReLU(),
                                 torch.nn.Linear(64, 32), torch.nn.ReLU(),
                                 torch.nn.Linear(32, 10)).double()
    theirs.load_state_dict(to_torch_state_dict(ours))
    # torch's side steps by hand (SGD with momentum, PyTorch's rule): torch.optim's first use
    # imports its compiler stack (~6 s); ag.optim itself is checked against torch.optim elsewhere
    opt = ag.optim.SGD(ours.parameters(), lr=0.05, momentum=0.9)
    bufs = [None] * len(list(theirs.parameters()))
    loader = ag.utils.data.DataLoader(ag.utils.data.TensorDataset(x_train, y_train),
                                      batch_size=64, shuffle=True,
                                      generator=ag.Generator().manual_seed(1))
    for _ in range(2):  # 20 steps
        for xb, yb in loader:
            opt.zero_grad()
            loss = ag.nn.functional.cross_entropy(ours(xb), yb)
            loss.backward()
            opt.step()
            theirs.zero_grad()
            tloss = torch.nn.functional.cross_entropy(theirs(torch.from_numpy(xb.numpy())),
                                                      torch.from_numpy(yb.numpy()))
            tloss.backward()
            with torch.no_grad():
                for i, p in enumerate(theirs.parameters()):
                    bufs[i] = p.grad.clone() if bufs[i] is None else 0.9 * bufs[i] + p.grad
                    p -= 0.05 * bufs[i]
            np.testing.assert_allclose(loss.item(), tloss.item(), rtol=1e-10)
    for k, v in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[k].numpy(), v.numpy(), rtol=1e-10,
                                   atol=1e-10)
