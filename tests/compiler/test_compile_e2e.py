"""The issue's end-to-end runs compiled: a CNN on real MNIST images and an Embedding + LSTM on
real movie-review sentences, each a whole training run (Adam, a scheduler changing the learning
rate every epoch, gradient clipping, a short last batch), compiled and eager, bit for bit. The
oracle is the eager run of the same code; ``replays`` shows the compiled run really replayed."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import MNIST, RT_POLARITY, data_or_skip

import autograd_nn as torch
from autograd_nn.datasets import load_mnist
from autograd_nn.recipes import split_polarity

nn = torch.nn
F = torch.nn.functional


def _train(make_model, batches, epochs, compiled):
    """Adam + CosineAnnealingLR (stepped per epoch) + clip_grad_norm_; returns (losses,
    parameters, optimizer state arrays, the step function)."""
    torch.manual_seed(0)
    model = make_model()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)

    def step(xb, yb):
        opt.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return loss

    fn = torch.compile(step) if compiled else step
    losses = []
    for _ in range(epochs):
        for xb, yb in batches:
            losses.append(fn(xb, yb).item())
        sched.step()
    state = [np.array(v._data if isinstance(v, torch.Tensor) else v)
             for st in opt.state.values() for k, v in sorted(st.items())]
    return losses, [p._data.copy() for p in model.parameters()], state, fn


def _assert_bitwise(eager, comp):
    assert eager[0] == comp[0], "losses differ"
    for a, b in zip(eager[1], comp[1]):
        assert a.dtype == b.dtype and a.tobytes() == b.tobytes(), "parameters differ"
    assert len(eager[2]) == len(comp[2]) > 0
    for a, b in zip(eager[2], comp[2]):
        assert a.tobytes() == b.tobytes(), "optimizer state differs"
    assert comp[3].replays > 0


def test_mnist_cnn_compiled_bitwise_eager():
    images, labels = load_mnist(data_or_skip(MNIST))
    x = (images[:456].reshape(-1, 1, 28, 28).astype(np.float32) / 255.0 - 0.1307) / 0.3081
    y = labels[:456].astype(np.int64)
    batches = [(torch.from_numpy(x[i:i + 64]), torch.from_numpy(y[i:i + 64]))
               for i in range(0, len(y), 64)]  # 7 of 64, then a short one of 8

    def make_model():
        return nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Flatten(), nn.Linear(784, 10))
    eager = _train(make_model, batches, 2, compiled=False)
    comp = _train(make_model, batches, 2, compiled=True)
    _assert_bitwise(eager, comp)
    assert eager[0][-1] < eager[0][0]  # it learns


class _SentimentNet(nn.Module):
    def __init__(self, vocab: int, **emb_kw):
        super().__init__()
        self.emb = nn.Embedding(vocab, 16, **emb_kw)
        self.lstm = nn.LSTM(16, 24, batch_first=True)
        self.fc = nn.Linear(24, 2)

    def forward(self, ids):
        out, _ = self.lstm(self.emb(ids))
        return self.fc(out[:, -1])


@pytest.mark.parametrize("emb_kw", [{"padding_idx": 0}, {"scale_grad_by_freq": True}])
def test_polarity_lstm_compiled_bitwise_eager(emb_kw):
    """The embedding's gradient factors (zero at padding, 1/count) come from each batch's
    indices: re-computed at replay, not baked in from the recording."""
    (ids, _, labels), _, vocab = split_polarity(data_or_skip(RT_POLARITY), seed=0, max_len=12)
    ids, labels = ids[:360].astype(np.int64), labels[:360].astype(np.int64)
    batches = [(torch.from_numpy(ids[i:i + 64]), torch.from_numpy(labels[i:i + 64]))
               for i in range(0, len(labels), 64)]  # 5 of 64, then a short one of 40
    eager = _train(lambda: _SentimentNet(len(vocab), **emb_kw), batches, 2, compiled=False)
    comp = _train(lambda: _SentimentNet(len(vocab), **emb_kw), batches, 2, compiled=True)
    _assert_bitwise(eager, comp)
