"""draw_graph / summary: DOT checked structurally against independent traversals and PyTorch,
rendering with the real ``dot``."""

from __future__ import annotations

import re
import shutil
import time
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import autograd_nn as ag
from autograd_nn import nn
from autograd_nn.autograd import Function, check_graph
from autograd_nn.viz import draw_graph, summary

NODE_RE = re.compile(r'^\s*"?([\w.]+)"? \[label="((?:[^"\\]|\\.)*)"(.*)\]$', re.M)
EDGE_RE = re.compile(r'^\s*(\w+) -> (\w+)', re.M)
CLUSTER_RE = re.compile(r'subgraph "?cluster_([^" {]+)"? \{\s*graph \[([^\]]*)\]')


def parse(src: str) -> tuple[dict, list]:
    nodes = {m.group(1): (m.group(2), m.group(3)) for m in NODE_RE.finditer(src)}
    return nodes, EDGE_RE.findall(src)


def by_prefix(nodes: dict, p: str) -> dict:
    return {k: v for k, v in nodes.items() if k.startswith(p)}


def traced(out) -> tuple[set, set, set]:
    """Independent count via the PyTorch-style API (grad_fn.next_functions): op nodes, leaves,
    (producer, consumer) pairs."""
    ops, leaves, pairs = set(), set(), set()
    keep = []  # PyTorch makes node wrappers on access: keep them alive so ids stay unique
    stack = [out.grad_fn]
    while stack:
        fn = stack.pop()
        keep.append(fn)
        if id(fn) in ops:
            continue
        ops.add(id(fn))
        for nxt, _ in fn.next_functions:
            if nxt is None:
                continue
            if type(nxt).__name__ == "AccumulateGrad":
                keep.append(nxt)
                leaves.add(id(nxt.variable))
                pairs.add((id(nxt.variable), id(fn)))
            else:
                pairs.add((id(nxt), id(fn)))
                stack.append(nxt)
    return ops, leaves, pairs


class Block(nn.Module):
    def __init__(self, d: int) -> None:
        super().__init__()
        self.fc = nn.Linear(d, d)
        self.out = nn.Linear(d, d)

    def forward(self, x):
        return self.out(self.fc(x).tanh()) + x


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.inp = nn.Linear(4, 8)
        self.blocks = nn.ModuleList([Block(8) for _ in range(3)])
        self.head = nn.Linear(8, 2)
        self.scale = nn.Parameter(ag.ones(2))

    def forward(self, x):
        h = self.inp(x).relu()
        for b in self.blocks:
            h = b(h)
        return self.head(h) * self.scale


@pytest.fixture
def net_out():
    ag.manual_seed(0)
    m = Net()
    x = ag.randn(5, 4)
    return m, x, m(x).sum()


def test_counts_match_traced_graph(net_out):
    m, x, y = net_out
    nodes, edges = parse(draw_graph(y, m).source)
    ops, leaves, pairs = traced(y)
    # Sum Mul Relu, 2 Linear, 3 x (Linear Tanh Linear Add)
    assert len(by_prefix(nodes, "n")) == len(ops) == 17
    assert len(by_prefix(nodes, "t")) == len(leaves) + 1  # + the input x
    assert len(by_prefix(nodes, "o")) == 1
    assert len(edges) == len(pairs) + 1 + 1  # + input edge + output edge
    assert len(set(edges)) == len(edges)
    labels = [lab for lab, _ in nodes.values()]
    for name, p in m.named_parameters():
        assert any(lab.startswith(name + "\\n" + str(tuple(p.shape)).replace(",)", ")"))
                   for lab in labels), name


def test_clusters_named_after_module_paths(net_out):
    m, x, y = net_out
    src = draw_graph(y, m).source
    clusters = dict(CLUSTER_RE.findall(src))
    expect = {"__root__": "Net", "inp": "inp (Linear)", "head": "head (Linear)",
              "blocks": "blocks (ModuleList)", "blocks.0": "blocks.0 (Block)",
              "blocks.2.out": "blocks.2.out (Linear)"}
    for name, label in expect.items():
        assert name in clusters and f'label="{label}"' in clusters[name] or \
            f"label={label}" in clusters[name]
    # nesting: blocks.1.fc's cluster sits inside blocks.1's, which sits inside blocks
    i_b, i_b1, i_fc = (src.index(f'cluster_{p}') for p in ("blocks", "blocks.1", "blocks.1.fc"))
    assert i_b < i_b1 < i_fc
    assert src[i_b1:i_fc].count("}") == 0


def test_depth_collapses_modules_with_param_counts(net_out):
    m, x, y = net_out
    nodes, edges = parse(draw_graph(y, m, depth=1).source)
    boxes = {lab.split("\\n")[0]: lab for lab, _ in by_prefix(nodes, "m").values()}
    # hand counts: Linear(4, 8) = 4*8+8; 3 blocks of two Linear(8, 8) = 3*2*72; Linear(8, 2)
    assert boxes["inp"] == "inp\\nLinear\\n40 params"
    assert boxes["blocks"] == "blocks\\nModuleList\\n432 params"
    assert boxes["head"] == "head\\nLinear\\n18 params"
    ops = [lab.split("\\n")[0] for lab, _ in by_prefix(nodes, "n").values()]
    assert sorted(ops) == ["MulBackward0", "ReluBackward0", "SumBackward0"]
    assert len(by_prefix(nodes, "t")) == 2  # scale (the root's own) and the input
    assert len(edges) == 8
    whole = parse(draw_graph(y, m, depth=0).source)[0]
    (lab, _), = by_prefix(whole, "m").values()
    assert lab == "Net\\n492 params"
    with pytest.raises(ValueError, match="depth must be >= 0"):
        draw_graph(y, m, depth=-1)


def test_collapse_repeats(net_out):
    m, x, y = net_out
    nodes, edges = parse(draw_graph(y, m, collapse_repeats=True).source)
    (lab, _), = by_prefix(nodes, "m").values()
    assert lab == "blocks.0 ... blocks.2\\nBlock x3\\n144 params each"
    assert not any("blocks.1" in lab for lab, _ in nodes.values())
    assert len(by_prefix(nodes, "n")) == 17 - 3 * 4  # each Block: Linear, Tanh, Linear, Add


def test_op_names_match_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    a_np, b_np = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))

    def f(lib, a, b):
        c = a * b + a.exp()
        return (c.tanh() - b).sum()

    a, b = ag.tensor(a_np, requires_grad=True), ag.tensor(b_np, requires_grad=True)
    ta, tb = torch.tensor(a_np, requires_grad=True), torch.tensor(b_np, requires_grad=True)
    nodes, edges = parse(draw_graph(f(ag, a, b), {"a": a, "b": b}).source)
    ops, _, pairs = traced(f(torch, ta, tb))
    seen, stack, names, keep = set(), [f(torch, ta, tb).grad_fn], [], []
    while stack:
        fn = stack.pop()
        keep.append(fn)
        if fn is None or id(fn) in seen or fn.name() == "torch::autograd::AccumulateGrad":
            continue
        seen.add(id(fn))
        names.append(fn.name())
        stack.extend(n for n, _ in fn.next_functions)
    ours = [lab.split("\\n")[0] for lab, _ in by_prefix(nodes, "n").values()]
    assert sorted(ours) == sorted(names)
    assert len(edges) == len(pairs) + 1
    assert {lab.split("\\n")[0] for lab, _ in by_prefix(nodes, "t").values()} == {"a", "b"}


def test_nan_inf_and_highlight_in_red():
    x = ag.tensor([0.0, 1.0], requires_grad=True)
    y = (x.log() * 2).sum()
    nodes, _ = parse(draw_graph(y, {"x": x}).source)
    red = [lab for lab, rest in nodes.values() if "color=red" in rest]
    assert sorted(lab.split("\\n")[0] for lab in red) == ["LogBackward0", "MulBackward0",
                                                          "SumBackward0", "output"]
    assert all("Inf" in lab for lab in red)
    nodes, _ = parse(draw_graph((x * 2).sum(), highlight="MulBackward0").source)
    assert [lab.split("\\n")[0] for lab, rest in nodes.values() if "penwidth=3" in rest] == \
        ["MulBackward0"]


class Wrong(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * x  # should be 2 * g * x


def test_highlight_from_check_graph_report():
    x = ag.randn(3, 2, dtype=ag.float64, requires_grad=True)
    y = (Wrong.apply(x.sin()).exp()).sum()
    report = check_graph(y)
    nodes, _ = parse(draw_graph(y, highlight=report).source)
    assert [lab.split("\\n")[0] for lab, rest in nodes.values() if "penwidth=3" in rest] == \
        ["WrongBackward"]


def test_saved_tensors_and_grad_norm():
    w = ag.tensor([[3.0, 4.0]], requires_grad=True)
    x = ag.tensor([[1.0, 2.0]])
    y = (w * x).tanh().sum()
    y.backward(retain_graph=True)
    nodes, edges = parse(draw_graph(y, {"w": w, "x": x}, show_saved=True,
                                    show_grad_norm=True).source)
    saved = sorted(lab for lab, _ in by_prefix(nodes, "s").values())
    # Mul saves both inputs (the drawn w and x: dashed edges, no copies), Tanh its output
    assert saved == ["saved output\\n(1, 2) float32\\n8 B"]
    ids = {lab.split("\\n")[0]: k for k, (lab, _) in nodes.items()}
    src = draw_graph(y, {"w": w, "x": x}, show_saved=True).source
    for leaf in ("w", "x"):
        assert re.search(rf"{ids[leaf]} -> {ids['MulBackward0']} \[.*style=dashed", src)
    wlab = next(lab for lab, _ in nodes.values() if lab.startswith("w\\n"))
    expect = np.linalg.norm((1 - np.tanh(np.array([3.0, 8.0])) ** 2) * [1.0, 2.0])
    got = float(re.search(r"grad norm ([\d.e+-]+)", wlab).group(1))
    assert abs(got - expect) <= 1e-3 * expect + 1e-12  # label shows 4 significant digits
    assert "saved for backward: 8 B" in draw_graph(y, show_saved=True).source
    h = (w * 2).exp()  # Mul saves an input constant; Exp saves its output: 8 B, counted once
    assert "saved for backward: 8 B" in draw_graph((h * h).sum(), show_saved=True).source


def test_freed_graph_raises_clear_error():
    x = ag.randn(3, requires_grad=True)
    y = (x * 2).sum()
    y.backward()
    with pytest.raises(RuntimeError, match=r"freed.*retain_graph=True"):
        draw_graph(y)
    with pytest.raises(TypeError, match="expected a Tensor"):
        draw_graph([y, 3])


def test_multiple_outputs_and_function_node():
    x = ag.randn(2, 3, requires_grad=True)
    a = Wrong.apply(x)
    b = a.sum(dim=0)
    nodes, edges = parse(draw_graph([a, b], {"x": x, "a": a}).source)
    assert sorted(lab.split("\\n")[0] for lab in (v[0] for v in by_prefix(nodes, "o").values())) \
        == ["a", "output 1"]
    assert sorted(lab.split("\\n")[0] for lab, _ in by_prefix(nodes, "n").values()) == \
        ["SumBackward1", "WrongBackward"]
    assert len(edges) == 4


def test_large_graph_draws_fast():
    x = ag.randn(2, requires_grad=True)
    h = x
    for _ in range(5000):
        h = h * 1.0001
    t0 = time.perf_counter()
    g = draw_graph(h.sum())
    src = g.source
    elapsed = time.perf_counter() - t0
    nodes, edges = parse(src)
    assert len(by_prefix(nodes, "n")) == 5001 and len(edges) == 5002
    assert elapsed < 5.0, elapsed


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` binary not installed")
def test_render_svg_png(tmp_path, net_out):
    m, x, y = net_out
    g = draw_graph(y, m, depth=1)
    svg_path = g.render(tmp_path / "g", format="svg")
    root = ET.parse(svg_path).getroot()
    texts = {t.text for t in root.iter("{http://www.w3.org/2000/svg}text")}
    assert {"blocks", "ModuleList", "432 params", "MulBackward0", "output"} <= texts
    png = g.render(tmp_path / "g2", format="png")
    with open(png, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    bundle = g._repr_mimebundle_()
    assert bundle["image/svg+xml"].lstrip().startswith("<?xml")
    assert "<svg" in g._repr_svg_()


def test_summary_table(net_out):
    m, x, _ = net_out
    s = summary(m, (5, 4))
    assert s.total_params == sum(p.numel() for p in m.parameters()) == 492
    assert s.trainable_params == 492 and s.non_trainable_params == 0
    rows = {r.path: r for r in s.rows}
    assert rows["inp"].output_shape == [5, 8] and rows["inp"].params == 40
    assert rows["head"].output_shape == [5, 2] and rows[""].params == 2
    assert rows["blocks.1.fc"].cls == "Linear" and rows["blocks.1"].params == 0
    text = str(s)
    assert "Total params: 492" in text and "blocks.2.out" in text
    m.scale.requires_grad_(False)
    s2 = ag.summary(m, ag.randn(1, 4))
    assert s2.non_trainable_params == 2 and rows["inp"].output_shape == [5, 8]
    with pytest.raises(TypeError, match="summary: expected a Tensor"):
        summary(m, "x")


def test_loss_module_gets_its_own_cluster(net_out):
    m, x, _ = net_out
    loss = nn.MSELoss()(m(x), ag.zeros(5, 2))
    for params in (m, None):  # model given, or the main tree found as the one with most ops
        src = draw_graph(loss, params).source
        clusters = dict(CLUSTER_RE.findall(src))
        assert "label=MSELoss" in clusters["MSELoss"] and "label=Net" in clusters["__root__"]
        i_loss = src.index("cluster_MSELoss")
        body = src[i_loss:src.index("}", i_loss)]
        # mse_loss is one op (PyTorch's MseLossBackward0): exactly it sits in the loss's cluster
        assert re.findall(r'label="(\w+)Backward', body) == ["MseLoss"]
        assert "cluster_inp" in src and "cluster_MSELoss.inp" not in src


def test_highlight_and_nan_inside_collapsed_box():
    class Act(nn.Module):
        def forward(self, x):
            return Wrong.apply(x).log()

    class M(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.a, self.b = nn.Linear(2, 2), Act()

        def forward(self, x):
            return self.b(self.a(x))

    ag.manual_seed(0)
    m = M()
    with ag.no_grad():
        m.a.weight.zero_()  # a's output is 0 + bias; make one entry 0 so log gives -inf
        m.a.bias.copy_(ag.tensor([0.0, 1.0]))
    y = m(ag.randn(3, 2)).sum()
    report = check_graph(y)
    assert [b.op for b in report.bad] == ["WrongBackward"]
    nodes, _ = parse(draw_graph(y, m, depth=1, highlight=report).source)
    boxes = {lab.split("\\n")[0]: (lab, rest) for lab, rest in by_prefix(nodes, "m").values()}
    lab, rest = boxes["b"]
    assert "NaN/Inf inside" in lab and "highlighted: WrongBackward" in lab and "penwidth=3" in rest
    assert "color=red" not in boxes["a"][1]


def test_thousands_of_nodes_in_nested_clusters_draw_and_render_fast(tmp_path):
    """200 nested blocks: 800 drawn nodes in 601 clusters; the DOT text in well under a second
    (the cluster nesting is one pass, not one scan per cluster), and ``dot`` lays it out in
    seconds."""
    ag.manual_seed(0)
    n = 200
    m = nn.Sequential(*[nn.Sequential(nn.Linear(3, 3), nn.Tanh()) for _ in range(n)])
    y = m(ag.randn(2, 3)).sum()
    t0 = time.perf_counter()
    src = draw_graph(y, m).source
    elapsed = time.perf_counter() - t0
    nodes, edges = parse(src)
    ops, leaves, pairs = traced(y)
    assert len(by_prefix(nodes, "n")) == len(ops) == 2 * n + 1
    assert len(by_prefix(nodes, "t")) == len(leaves) + 1 == 2 * n + 1
    assert len(edges) == len(pairs) + 2
    clusters = dict(CLUSTER_RE.findall(src))
    assert len(clusters) == 1 + n + 2 * n  # the root, each block, each block's two layers
    assert "199.1 (Tanh)" in clusters["199.1"]
    assert elapsed < 3.0, elapsed
    if shutil.which("dot") is None:
        pytest.skip("Graphviz `dot` binary not installed")
    t0 = time.perf_counter()
    svg = draw_graph(y, m).render(tmp_path / "big", format="svg")
    assert time.perf_counter() - t0 < 20.0
    texts = [t.text for t in ET.parse(svg).getroot().iter("{http://www.w3.org/2000/svg}text")]
    assert texts.count("TanhBackward0") == n and texts.count("AddmmBackward0") == n


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` binary not installed")
def test_render_pdf_and_source_without_dot(tmp_path, net_out, monkeypatch):
    m, x, y = net_out
    pdf = draw_graph(y, m, depth=1).render(tmp_path / "g", format="pdf")
    with open(pdf, "rb") as f:
        assert f.read(5) == b"%PDF-"
    # the DOT text needs no binary: with `dot` off the PATH, .source still works
    monkeypatch.setenv("PATH", str(tmp_path))
    assert shutil.which("dot") is None
    src = draw_graph(y, m).source
    assert src.startswith("digraph") and "cluster_blocks" in src


def test_committed_mlp_picture_and_notebook_show_the_graph():
    """The README's docs/mlp_graph.svg is well-formed SVG of the 4-16-3 MLP with its loss, and
    the notebook holds drawn graphs as SVG outputs."""
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    svg = ET.parse(root / "docs" / "mlp_graph.svg").getroot()
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    texts = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    for label in ("0 (Linear)", "1 (ReLU)", "2 (Linear)", "CrossEntropyLoss", "0.weight",
                  "(16, 4) float32", "2.bias", "NllLossBackward0"):
        assert label in texts, label
    assert texts.count("AddmmBackward0") == 2 and sum("grad norm" in t for t in texts) == 4
    nb = json.loads((root / "notebooks" / "graph_visualization.ipynb").read_text())
    svgs = [o["data"]["image/svg+xml"] for c in nb["cells"] if c["cell_type"] == "code"
            for o in c.get("outputs", []) if "image/svg+xml" in o.get("data", {})]
    assert len(svgs) >= 1
    for s in svgs:
        ET.fromstring("".join(s) if isinstance(s, list) else s)  # each one parses as XML


def test_torchviz_make_dot_signature(net_out):
    from autograd_nn.viz import make_dot

    m, x, y = net_out
    g = make_dot(y, params=dict(m.named_parameters()), show_attrs=True, show_saved=True,
                 max_attr_chars=30)
    assert g.source == draw_graph(y, dict(m.named_parameters()), show_attrs=True,
                                  show_saved=True).source
    nodes, _ = parse(g.source)
    assert {"inp.weight", "blocks.2.out.bias", "scale"} <= \
        {lab.split("\\n")[0] for lab, _ in by_prefix(nodes, "t").values()}


def test_collapse_repeats_work_grows_linearly_with_the_number_of_blocks():
    """collapse_repeats once compared every module path with every other (30 s at 20,000
    nodes). Counted, not timed: the Python calls draw_graph makes (a profile hook counts every
    call and generator resume) must grow linearly with the model."""
    import sys

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 3)

        def forward(self, x):
            return self.fc(x).tanh() + x

    def python_calls(n_blocks: int) -> int:
        m = nn.Sequential(*[Block() for _ in range(n_blocks)])
        out = m(ag.randn(2, 3)).sum()
        calls = [0]

        def count(frame, event, arg):
            if event == "call":
                calls[0] += 1

        sys.setprofile(count)
        try:
            src = draw_graph(out, m, collapse_repeats=True).source
        finally:
            sys.setprofile(None)
        assert f"x{n_blocks}" in src  # the repeats really were collapsed into one box
        return calls[0]

    small, large = python_calls(100), python_calls(400)
    assert large < 4.6 * small, (small, large)  # quadratic work would be ~16x
