"""check_graph pins a planted wrong backward to its node; explain matches hand derivations."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_nn as ag
from autograd_nn import nn
from autograd_nn.autograd import Function, check_graph, explain
from autograd_nn.autograd.engine import Op


class Cube(Function):
    """x ** 3 with a switchable backward: right (3 x^2) or planted wrong (2 x^2)."""

    wrong = False

    @staticmethod
    def forward(ctx, x, scale=1.0):
        ctx.save_for_backward(x)
        ctx.scale = scale
        return x * x * x * scale

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        k = 2.0 if Cube.wrong else 3.0
        return g * k * x * x * ctx.scale, None


class BadSoftsign(Op):
    """x / (1 + |x|) as an engine Op whose backward forgets the square: 1 / (1 + |x|)."""

    @staticmethod
    def forward(ctx, x, gain=1.0):
        return gain * x / (1 + np.abs(x))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.inputs
        return g * ctx.params["gain"] / (1 + abs(x))


class Act(nn.Module):
    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind

    def forward(self, x):
        if self.kind == "cube":
            return Cube.apply(x, 0.5)
        if self.kind == "softsign":
            return BadSoftsign.apply(x, gain=2.0)
        return x.tanh()


class Model(nn.Module):
    """~20 recorded ops: linear layers, broadcasting, reductions, softmax, a custom op."""

    def __init__(self, act_at: int, kind: str) -> None:
        super().__init__()
        self.l1 = nn.Linear(4, 6)
        self.l2 = nn.Linear(6, 6)
        self.l3 = nn.Linear(6, 3)
        self.acts = nn.ModuleList([Act(kind if i == act_at else "tanh") for i in range(3)])
        self.bias = nn.Parameter(ag.randn(1, 3, dtype=ag.float64))

    def forward(self, x):
        h = self.acts[0](self.l1(x))
        h = self.acts[1](self.l2(h) * 0.5 + h.exp().mean(dim=1, keepdim=True))
        z = self.acts[2](self.l3(h)) + self.bias
        return (z.log_softmax(dim=1) * z.sigmoid()).sum() / z.shape[0] + (h * h).mean().sqrt()


def _model(act_at: int, kind: str) -> tuple:
    ag.manual_seed(act_at)
    m = Model(act_at, kind).double()
    x = ag.randn(5, 4, dtype=ag.float64)
    return m, m(x)


@pytest.mark.parametrize("act_at", [0, 1, 2])
def test_wrong_function_backward_is_pinned(act_at, monkeypatch):
    monkeypatch.setattr(Cube, "wrong", True)
    m, y = _model(act_at, "cube")
    report = check_graph(y)
    assert report.n_nodes >= 20
    assert len(report.bad) == 1, str(report)
    bad = report.bad[0]
    assert bad.op == "CubeBackward" and bad.path == f"acts.{act_at}"
    # the very node: the grad_fn of what the module returned
    outs = []
    m.acts[act_at].register_forward_hook(lambda mod, a, o: outs.append(o))
    y2 = m(ag.randn(5, 4, dtype=ag.float64))
    assert check_graph(y2).bad[0].node is outs[0].grad_fn
    assert bad.input_shape == (5, 6 if act_at < 2 else 3)
    # 2 x^2 against 3 x^2: relative error exactly 1/3 everywhere
    assert abs(bad.max_rel_err - 1 / 3) < 1e-6
    assert abs(bad.analytical / bad.numerical - 2 / 3) < 1e-6
    text = str(report)
    assert "CubeBackward in 'acts." in text and "WRONG" in text and "rel err 0.333" in text


def test_correct_model_reports_nothing():
    m, y = _model(1, "cube")
    report = check_graph(y)
    assert report.ok and not report.bad and not report.skipped, str(report)
    ops = {c.op for c in report.checks}
    assert {"AddmmBackward0", "CubeBackward", "LogSoftmaxBackward0", "MeanBackward0",
            "MeanBackward1", "SqrtBackward0", "ExpBackward0", "SigmoidBackward0"} <= ops
    assert max(c.max_rel_err for c in report.checks) < 1e-5


def test_wrong_engine_op_is_pinned_with_params():
    m, y = _model(2, "softsign")
    report = check_graph(y)
    assert [(b.op, b.path) for b in report.bad] == [("BadSoftsignBackward", "acts.2")]
    # forward re-run with its recorded keyword argument gain=2: the analytic value is
    # 2 / (1 + |x|) against the true 2 / (1 + |x|)^2 (ratio 1 + |x|)
    b = report.bad[0]
    x = b.node.inputs[0][b.worst_index]
    assert abs(b.analytical / b.numerical - (1 + abs(x))) < 1e-5


def test_float32_graph_and_broadcasting_and_kinks():
    a = ag.tensor([[-1.0, 0.0, 2.0]], requires_grad=True)  # relu kink at exactly 0
    b = ag.randn(4, 1, requires_grad=True)
    y = ((a + b).relu() * b).amax(dim=0).sum() + (a.abs() * b.sum()).mean()
    report = check_graph(y)
    assert report.ok, str(report)
    assert sum(c.skipped_elements for c in report.checks) >= 1  # relu/abs at 0 skipped


def test_crashing_backward_is_reported():
    class Boom(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            raise ValueError("boom")

    x = ag.randn(3, requires_grad=True)
    report = check_graph((Boom.apply(x) * x).sum())
    assert [b.op for b in report.bad] == ["BoomBackward"]
    assert "ValueError: boom" in str(report)


def test_freed_graph_and_bad_input():
    x = ag.randn(3, requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        check_graph(y)
    with pytest.raises(TypeError, match="expected a Tensor"):
        check_graph(np.ones(3))


def test_explain_hand_derived():
    a = ag.tensor(2.0, requires_grad=True)
    b = ag.tensor(3.0, requires_grad=True)
    y = (a * b + a).sum()
    text = explain(y, {"a": a, "b": b})
    lines = text.splitlines()
    # d(ab + a)/da = b + 1 = 4 via two paths (3 through Mul, 1 through Add); d/db = a = 2
    assert "input 0 ('a'): local derivative 3.; passes gradient 3." in text
    assert "input 1 ('b'): local derivative 2.; passes gradient 2." in text
    assert lines[-2:] == ["    'a': 4.", "    'b': 2."]
    y.backward()
    assert float(a.grad) == 4.0 and float(b.grad) == 2.0


def test_explain_vector_matches_backward():
    v = ag.tensor([0.5, -1.0, 2.0], requires_grad=True)
    y = (v.exp() * v).sum()
    text = explain(y, {"v": v})
    assert "local derivative elementwise" in text and "Jacobian [[1., 1., 1.]]" in text
    y.backward()
    expect = np.exp([0.5, -1.0, 2.0]) * (1 + np.array([0.5, -1.0, 2.0]))
    np.testing.assert_allclose(v.grad.numpy(), expect, rtol=1e-5)
    shown = text.splitlines()[-1].split(": ", 1)[1]
    np.testing.assert_allclose(np.array(eval(shown)), expect, rtol=1e-3)
    with pytest.raises(RuntimeError, match="scalar"):
        explain(v * 2)


def test_pole_is_skipped_not_passed_silently():
    x = ag.tensor([0.0, 1.0, 2.0], dtype=ag.float64, requires_grad=True)
    report = check_graph((x.log() * 3).sum())
    log = next(c for c in report.checks if c.op == "LogBackward0")
    assert log.ok and log.skipped_elements == 1 and log.checked_elements == 2


def test_views_cached_results_and_layers_check_clean():
    # views (transpose, reshape, slicing) alias their input; max-pool passes its gathered values
    # as a cached result: both must be re-evaluated, not read back
    ag.manual_seed(0)
    m = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.BatchNorm2d(2), nn.ReLU(),
                      nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8, 3)).double()
    h = m(ag.randn(2, 1, 4, 4, dtype=ag.float64))
    y = (h.T.reshape(3, 2)[1:, :] ** 2).sum()
    report = check_graph(y)
    assert report.ok and not report.skipped, str(report)
    ops = {c.op for c in report.checks}
    assert {"PermuteBackward0", "ViewBackward0", "SliceBackward0",
            "MaxPool2DWithIndicesBackward0"} <= ops, ops
    assert all(c.checked_elements > 0 for c in report.checks)


class _MulHalfWrong(Function):
    """a * b whose backward is right for a and wrong for b (returns g * b for both)."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return g * b, g * b


def test_two_input_function_pins_the_wrong_input_only():
    ag.manual_seed(3)
    a = ag.randn(3, 2, dtype=ag.float64, requires_grad=True)
    b = ag.randn(3, 2, dtype=ag.float64, requires_grad=True)
    y = (_MulHalfWrong.apply(a.exp(), b.sin()) * a).sum()
    report = check_graph(y)
    assert [(r.op, r.input_index) for r in report.bad] == [("_MulHalfWrongBackward", 1)]
    checked = [(c.op, c.input_index) for c in report.checks if c.op == "_MulHalfWrongBackward"]
    assert sorted(checked) == [("_MulHalfWrongBackward", 0), ("_MulHalfWrongBackward", 1)]
    # elementwise op, so each entry is the probe v times the local derivative: the true
    # d(a' b')/db' = a' = exp(a), the planted one b' = sin(b); their ratio is v-free
    bad = report.bad[0]
    i = bad.worst_index
    assert bad.input_shape == (3, 2)
    expect = np.sin(b.detach().numpy())[i] / np.exp(a.detach().numpy())[i]
    assert bad.analytical / bad.numerical == pytest.approx(expect, rel=1e-6)


class _ZooModel(nn.Module):
    """Embedding (padding_idx, optionally scale_grad_by_freq), LSTM, GRU, norms, conv, pooling,
    bilinear, dropout and several losses in one graph; ``act`` is planted between GRU and
    LayerNorm."""

    def __init__(self, freq: bool) -> None:
        super().__init__()
        self.emb = nn.Embedding(10, 4, padding_idx=0, scale_grad_by_freq=freq)
        self.lstm = nn.LSTM(4, 5, batch_first=True, bidirectional=True)
        self.gru = nn.GRU(10, 3)
        self.act = Act("tanh")
        self.ln = nn.LayerNorm(3)
        self.conv = nn.Conv1d(3, 4, 2, padding=1)
        self.gn = nn.GroupNorm(2, 4)
        self.bn = nn.BatchNorm1d(4)
        self.pool = nn.AvgPool1d(2)
        self.fc = nn.Bilinear(4, 4, 3)
        self.drop = nn.Dropout(0.3)

    def forward(self, idx):
        h, _ = self.lstm(self.emb(idx))
        h, _ = self.gru(h.transpose(0, 1))
        h = self.ln(self.act(h)).permute(1, 2, 0)
        h = self.pool(self.bn(self.gn(self.conv(h))).relu())
        v = self.drop(h.mean(-1))
        out = self.fc(v, v.tanh())
        return (nn.functional.cross_entropy(out, ag.tensor([0, 2])) +
                nn.functional.mse_loss(out.softmax(1), ag.zeros(2, 3)) +
                out.logsumexp(1).sum() + nn.functional.gelu(out).pow(3).mean())


@pytest.mark.parametrize("freq", [False, True])
def test_layer_zoo_checks_clean_and_pins_planted_node(freq, monkeypatch):
    """No false alarm on ~50 nodes of real layers, including the embedding rows PyTorch
    *defines* differently (padding_idx: no gradient; scale_grad_by_freq: divided by count,
    here with repeated indices); then a planted wrong backward in the middle is pinned."""
    ag.manual_seed(0)
    m = _ZooModel(freq).double()
    idx = ag.tensor([[1, 2, 0, 2], [4, 2, 6, 0]])
    report = check_graph(m(idx))
    assert report.ok and not report.skipped and report.n_nodes >= 45, str(report)
    emb = [c for c in report.checks if c.op == "EmbeddingBackward0"]
    assert len(emb) == 1 and emb[0].checked_elements == 40
    m.act.kind = "cube"
    monkeypatch.setattr(Cube, "wrong", True)
    report = check_graph(m(idx))
    assert [(b.op, b.path) for b in report.bad] == [("CubeBackward", "act")], str(report)
