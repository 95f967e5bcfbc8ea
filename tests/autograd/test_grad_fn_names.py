"""``grad_fn`` names as PyTorch prints them: every case of ``tests/_op_cases.py`` and a table of
nn layers, losses, indexing kinds and in-place ops run in both libraries on the same call, their
``grad_fn.name()``, ``repr`` and ``type(...).__name__`` compared (the oracle: PyTorch 2.13 on the
same call). The few calls whose names differ on purpose are listed in ``EXCEPTIONS`` with the
reason; each is checked to still differ, so the list cannot go stale."""

from __future__ import annotations

import re
from types import SimpleNamespace

import numpy as np
import pytest
from _op_cases import CASES, OURS

import autograd_nn as an

torch = pytest.importorskip("torch")

from _op_cases import _torch_ns  # noqa: E402

THEIRS = _torch_ns()


def _tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _names(outs) -> list:
    return [o.grad_fn.name() if o.grad_fn is not None else None for o in _tuple(outs)]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_op_case_names_match_torch(case):
    shapes, kw = case.example
    arrays = case.arrays(shapes, 7)
    ours = case.fn(OURS, *[an.tensor(a, requires_grad=True) for a in arrays], **kw)
    theirs = case.fn(THEIRS, *[torch.tensor(a, requires_grad=True) for a in arrays], **kw)
    assert _names(ours) == _names(theirs)


# ------------------------------------------------------------- layers, losses, indexing, in-place
def _ns(lib) -> SimpleNamespace:
    return SimpleNamespace(m=lib, F=lib.nn.functional, nn=lib.nn)


def _t(L, *shape, seed=0, grad=True):
    a = np.random.default_rng(seed).uniform(0.1, 0.9, shape).astype(np.float32)
    return L.m.tensor(a, requires_grad=grad)


def _idx(L, *values):
    return L.m.tensor(np.array(values, dtype=np.int64))


def _written(L, fn):
    """``fn`` applied in place to a non-leaf copy of a (2, 3) tensor."""
    y = _t(L, 2, 3) * 1.0
    fn(L, y)
    return y


def _setitem(idx_fn, value=1.0):
    def write(L, y):
        y[idx_fn(L)] = value
    return write


CALLS = {
    # linear: PyTorch's addmm / mm / matmul + view by input rank and bias
    "linear_1d": lambda L: L.F.linear(_t(L, 4), _t(L, 3, 4)),
    "linear_1d_bias": lambda L: L.F.linear(_t(L, 4), _t(L, 3, 4), _t(L, 3)),
    "linear_2d": lambda L: L.F.linear(_t(L, 2, 4), _t(L, 3, 4)),
    "linear_2d_bias": lambda L: L.nn.Linear(4, 3)(_t(L, 2, 4)),
    "linear_3d": lambda L: L.nn.Linear(4, 3, bias=False)(_t(L, 5, 2, 4)),
    "linear_3d_bias": lambda L: L.nn.Linear(4, 3)(_t(L, 5, 2, 4)),
    "linear_4d_bias": lambda L: L.F.linear(_t(L, 2, 2, 2, 4), _t(L, 3, 4), _t(L, 3)),
    "matmul_3d_2d": lambda L: _t(L, 2, 3, 4) @ _t(L, 4, 5),
    "matmul_2d_3d": lambda L: _t(L, 3, 4) @ _t(L, 2, 4, 5),
    "matmul_1d_3d": lambda L: _t(L, 4) @ _t(L, 2, 4, 5),
    "matmul_3d_1d": lambda L: _t(L, 2, 3, 4) @ _t(L, 4),
    "matmul_mv": lambda L: _t(L, 3, 4) @ _t(L, 4),
    "matmul_vm": lambda L: _t(L, 4) @ _t(L, 4, 3),
    "mm": lambda L: _t(L, 3, 4).mm(_t(L, 4, 2)),
    "bmm": lambda L: _t(L, 2, 3, 4).bmm(_t(L, 2, 4, 2)),
    "dot": lambda L: _t(L, 4).dot(_t(L, 4)),
    # convolution and pooling
    "conv2d": lambda L: L.nn.Conv2d(3, 4, 3)(_t(L, 2, 3, 6, 6)),
    "conv2d_no_bias": lambda L: L.nn.Conv2d(3, 4, 3, bias=False)(_t(L, 2, 3, 6, 6)),
    "conv2d_unbatched": lambda L: L.F.conv2d(_t(L, 2, 5, 5), _t(L, 3, 2, 3, 3)),
    "conv1d": lambda L: L.F.conv1d(_t(L, 1, 2, 5), _t(L, 3, 2, 3), _t(L, 3)),
    "conv_transpose2d": lambda L: L.nn.ConvTranspose2d(3, 2, 3)(_t(L, 2, 3, 6, 6)),
    "max_pool2d": lambda L: L.F.max_pool2d(_t(L, 2, 3, 4, 4), 2),
    "max_pool1d": lambda L: L.F.max_pool1d(_t(L, 2, 3, 6), 2),
    "max_pool3d": lambda L: L.F.max_pool3d(_t(L, 1, 2, 4, 4, 4), 2),
    "avg_pool2d": lambda L: L.F.avg_pool2d(_t(L, 2, 3, 4, 4), 2),
    "avg_pool1d": lambda L: L.F.avg_pool1d(_t(L, 2, 3, 6), 2),
    "adaptive_avg_pool2d": lambda L: L.F.adaptive_avg_pool2d(_t(L, 1, 2, 4, 4), 2),
    "adaptive_avg_pool2d_1": lambda L: L.F.adaptive_avg_pool2d(_t(L, 1, 2, 4, 4), 1),
    "adaptive_max_pool2d": lambda L: L.F.adaptive_max_pool2d(_t(L, 1, 2, 4, 4), 2),
    # normalisation
    "layer_norm": lambda L: L.nn.LayerNorm(4)(_t(L, 2, 4)),
    "batch_norm_train": lambda L: L.nn.BatchNorm2d(3)(_t(L, 2, 3, 4, 4)),
    "batch_norm_eval": lambda L: L.nn.BatchNorm2d(3).eval()(_t(L, 2, 3, 4, 4)),
    "group_norm": lambda L: L.nn.GroupNorm(1, 3)(_t(L, 2, 3, 4, 4)),
    "instance_norm": lambda L: L.F.instance_norm(_t(L, 2, 4, 3)),
    # losses
    "cross_entropy": lambda L: L.F.cross_entropy(_t(L, 2, 3), _idx(L, 0, 2)),
    "cross_entropy_none": lambda L: L.F.cross_entropy(_t(L, 2, 3), _idx(L, 0, 2),
                                                      reduction="none"),
    "cross_entropy_weight": lambda L: L.F.cross_entropy(_t(L, 2, 3), _idx(L, 0, 2),
                                                        weight=_t(L, 3, grad=False)),
    "cross_entropy_smoothing": lambda L: L.F.cross_entropy(_t(L, 2, 3), _idx(L, 0, 2),
                                                           label_smoothing=0.1),
    "cross_entropy_probs": lambda L: L.F.cross_entropy(_t(L, 2, 3), _t(L, 2, 3, grad=False)),
    "cross_entropy_probs_sum": lambda L: L.F.cross_entropy(_t(L, 2, 3), _t(L, 2, 3, grad=False),
                                                           reduction="sum"),
    "cross_entropy_image": lambda L: L.F.cross_entropy(_t(L, 2, 3, 4), _idx(L, [0, 1, 1, 2],
                                                                            [2, 1, 0, 0])),
    "nll_loss": lambda L: L.F.nll_loss(_t(L, 2, 3).log_softmax(1), _idx(L, 0, 2)),
    "mse_loss": lambda L: L.nn.MSELoss()(_t(L, 2, 3), _t(L, 2, 3, seed=1)),
    "mse_loss_sum": lambda L: L.F.mse_loss(_t(L, 3), _t(L, 3, seed=1), reduction="sum"),
    "mse_loss_none": lambda L: L.F.mse_loss(_t(L, 3), _t(L, 3, seed=1), reduction="none"),
    "l1_loss": lambda L: L.F.l1_loss(_t(L, 3), _t(L, 3, seed=1)),
    "smooth_l1_loss": lambda L: L.F.smooth_l1_loss(_t(L, 3), _t(L, 3, seed=1)),
    "huber_loss": lambda L: L.F.huber_loss(_t(L, 3), _t(L, 3, seed=1)),
    "binary_cross_entropy": lambda L: L.F.binary_cross_entropy(_t(L, 3), _t(L, 3, seed=1)),
    "bce_with_logits": lambda L: L.F.binary_cross_entropy_with_logits(_t(L, 3),
                                                                      _t(L, 3, seed=1)),
    # embedding and recurrent layers
    "embedding": lambda L: L.nn.Embedding(5, 3)(_idx(L, 1, 2, 2)),
    "lstm_output": lambda L: L.nn.LSTM(4, 3)(_t(L, 5, 2, 4))[0],
    "lstm_2_layers": lambda L: L.nn.LSTM(4, 3, num_layers=2)(_t(L, 5, 2, 4))[0],
    "lstm_h_n": lambda L: L.nn.LSTM(4, 3)(_t(L, 5, 2, 4))[1][0],
    "lstm_batch_first": lambda L: L.nn.LSTM(4, 3, batch_first=True)(_t(L, 2, 5, 4))[0],
    "lstm_bidirectional": lambda L: L.nn.LSTM(4, 3, bidirectional=True)(_t(L, 5, 2, 4))[0],
    "lstm_unbatched": lambda L: L.nn.LSTM(4, 3)(_t(L, 5, 4))[0],
    "gru_output": lambda L: L.nn.GRU(4, 3)(_t(L, 5, 2, 4))[0],
    "rnn_output": lambda L: L.nn.RNN(4, 3)(_t(L, 5, 2, 4))[0],
    "lstm_cell": lambda L: L.nn.LSTMCell(4, 3)(_t(L, 2, 4)),
    "gru_cell": lambda L: L.nn.GRUCell(4, 3)(_t(L, 2, 4)),
    "rnn_cell": lambda L: L.nn.RNNCell(4, 3)(_t(L, 2, 4)),
    "attention_4d": lambda L: L.F.scaled_dot_product_attention(*[_t(L, 2, 2, 3, 4)] * 3),
    "attention_3d": lambda L: L.F.scaled_dot_product_attention(*[_t(L, 2, 3, 4)] * 3),
    # activations written as compositions here, one kernel in PyTorch
    "selu": lambda L: L.F.selu(_t(L, 3)),
    "celu": lambda L: L.F.celu(_t(L, 3)),
    "mish": lambda L: L.F.mish(_t(L, 3)),
    "hardswish": lambda L: L.F.hardswish(_t(L, 3)),
    "hardsigmoid": lambda L: L.F.hardsigmoid(_t(L, 3)),
    "logsigmoid": lambda L: L.F.logsigmoid(_t(L, 3)),
    "prelu": lambda L: L.nn.PReLU()(_t(L, 2, 3)),
    "glu": lambda L: L.F.glu(_t(L, 2, 4)),
    "hardtanh": lambda L: L.F.hardtanh(_t(L, 3)),
    "relu6": lambda L: L.F.relu6(_t(L, 3)),
    "threshold": lambda L: L.F.threshold(_t(L, 3), 0.5, 0.0),
    "interpolate_nearest": lambda L: L.F.interpolate(_t(L, 1, 2, 4, 4), scale_factor=2),
    "interpolate_bilinear": lambda L: L.F.interpolate(_t(L, 1, 2, 4, 4), scale_factor=2,
                                                      mode="bilinear"),
    "interpolate_linear": lambda L: L.F.interpolate(_t(L, 1, 2, 4), scale_factor=2,
                                                    mode="linear"),
    "pixel_shuffle": lambda L: L.F.pixel_shuffle(_t(L, 1, 4, 2, 2), 2),
    "unfold": lambda L: L.F.unfold(_t(L, 1, 2, 4, 4), 2),
    "pad_reflect_2d": lambda L: L.F.pad(_t(L, 1, 2, 3, 3), (1, 1, 1, 1), mode="reflect"),
    "pad_replicate": lambda L: L.F.pad(_t(L, 1, 2, 3), (1, 1), mode="replicate"),
    # indexing kinds
    "index_select_int": lambda L: _t(L, 2, 3)[0],
    "index_slice": lambda L: _t(L, 2, 3)[:, 1:],
    "index_single_full_slice": lambda L: _t(L, 2, 3)[0:2],
    "index_full_slices": lambda L: _t(L, 2, 3)[:, 0:3],
    "index_ellipsis": lambda L: _t(L, 2, 3)[...],
    "index_none_last": lambda L: _t(L, 2, 3)[1:, None],
    "index_int_then_none": lambda L: _t(L, 2, 3)[0, None],
    "index_tensor_int": lambda L: _t(L, 2, 3)[_idx(L, 1).reshape(())],
    "index_list": lambda L: _t(L, 3, 2)[[0, 2]],
    "index_int_and_list": lambda L: _t(L, 2, 3)[0, [0, 2]],
    "index_mask": lambda L: (lambda x: x[x > 0.5])(_t(L, 2, 3)),
    "narrow": lambda L: _t(L, 2, 3).narrow(1, 0, 2),
    "select": lambda L: _t(L, 2, 3).select(1, 0),
    "unbind": lambda L: _t(L, 2, 3).unbind(0),
    "index_select": lambda L: _t(L, 2, 3).index_select(1, _idx(L, 2, 0)),
    "sort": lambda L: _t(L, 2, 3).sort(1)[0],
    "topk": lambda L: _t(L, 2, 3).topk(2)[0],
    "gather": lambda L: _t(L, 2, 3).gather(1, _idx(L, [0], [2])),
    "scatter_add": lambda L: _t(L, 2, 3).scatter_add(1, _idx(L, [0, 1, 2], [0, 0, 0]),
                                                     _t(L, 2, 3, seed=1)),
    # overloads and shapes
    "sum_all": lambda L: _t(L, 2, 3).sum(),
    "sum_dim": lambda L: _t(L, 2, 3).sum(0),
    "mean_all": lambda L: _t(L, 2, 3).mean(),
    "prod_all": lambda L: _t(L, 2, 3).prod(),
    "max_all": lambda L: _t(L, 2, 3).max(),
    "max_dim": lambda L: _t(L, 2, 3).max(dim=1, keepdim=True)[0],
    "min_dim": lambda L: _t(L, 2, 3).min(0).values,
    "max_binary": lambda L: _t(L, 2, 3).max(_t(L, 2, 3, seed=1)),
    "clamp_tensor": lambda L: _t(L, 2, 3).clamp(min=_t(L, 3, grad=False)),
    "clamp_min": lambda L: _t(L, 2, 3).clamp_min(0.5),
    "clamp_max": lambda L: _t(L, 2, 3).clamp_max(0.5),
    "pow_tensor": lambda L: _t(L, 3) ** _t(L, 3, seed=1),
    "pow_scalar_base": lambda L: 2.0 ** _t(L, 3),
    "square": lambda L: _t(L, 3).square(),
    "reciprocal": lambda L: _t(L, 3).reciprocal(),
    "lerp": lambda L: _t(L, 3).lerp(_t(L, 3, seed=1), 0.3),
    "rsub": lambda L: 1 - _t(L, 3),
    "rdiv": lambda L: 2 / _t(L, 3),
    "tril": lambda L: _t(L, 3, 3).tril(),
    "triu": lambda L: _t(L, 3, 3).triu(),
    "masked_fill_tensor": lambda L: _t(L, 2, 3).masked_fill(_t(L, 3, grad=False) > 0.5,
                                                            L.m.tensor(1.0)),
    "t": lambda L: _t(L, 2, 3).t(),
    "mT": lambda L: _t(L, 2, 2, 3).mT,
    "reshape_copy": lambda L: _t(L, 2, 3).t().reshape(6),
    "flatten_copy": lambda L: _t(L, 2, 3).t().flatten(),
    "view_as": lambda L: _t(L, 2, 3).view_as(_t(L, 3, 2)),
    "unflatten": lambda L: _t(L, 2, 6).unflatten(1, (2, 3)),
    "flatten_module": lambda L: L.nn.Flatten()(_t(L, 2, 3, 2)),
    "expand_as": lambda L: _t(L, 3).expand_as(_t(L, 2, 3)),
    "flip": lambda L: _t(L, 2, 3).flip(0),
    "cumsum": lambda L: _t(L, 2, 3).cumsum(1),
    "floor": lambda L: _t(L, 2, 3).floor(),
    "round": lambda L: _t(L, 2, 3).round(),
    "round_decimals": lambda L: _t(L, 2, 3).round(decimals=1),
    "to_float64": lambda L: _t(L, 2, 3).to(L.m.float64),
    "clone": lambda L: _t(L, 2, 3).clone(),
    "contiguous": lambda L: _t(L, 2, 3).t().contiguous(),
    "split_sizes": lambda L: _t(L, 2, 5).split([2, 3], 1),
    "linalg_inv": lambda L: L.m.linalg.inv(_t(L, 3, 3) + 3 * L.m.eye(3)),
    "linalg_det": lambda L: L.m.linalg.det(_t(L, 3, 3)),
    "linalg_solve": lambda L: L.m.linalg.solve(_t(L, 3, 3) + 3 * L.m.eye(3), _t(L, 3, 2)),
    "linalg_svd": lambda L: L.m.linalg.svd(_t(L, 3, 3))[1],
    "linalg_qr": lambda L: L.m.linalg.qr(_t(L, 3, 3))[0],
    "linalg_eigh": lambda L: L.m.linalg.eigh(_t(L, 3, 3))[0],
    # in-place ops on a non-leaf tensor
    "setitem_int": lambda L: _written(L, _setitem(lambda L: 0)),
    "setitem_slice": lambda L: _written(L, _setitem(lambda L: (slice(None), 1))),
    "setitem_tensor_value": lambda L: _written(L, _setitem(lambda L: 0, _t(L, 3, seed=2))),
    "setitem_advanced": lambda L: _written(L, _setitem(lambda L: _idx(L, 0, 1))),
    "copy_": lambda L: _written(L, lambda L, y: y.copy_(_t(L, 2, 3, seed=1))),
    "fill_": lambda L: _written(L, lambda L, y: y.fill_(1.0)),
    "zero_": lambda L: _written(L, lambda L, y: y.zero_()),
    "mul_": lambda L: _written(L, lambda L, y: y.mul_(2)),
    "add_": lambda L: _written(L, lambda L, y: y.add_(_t(L, 3), alpha=2)),
    "sub_": lambda L: _written(L, lambda L, y: y.sub_(_t(L, 3))),
    "addcmul_": lambda L: _written(L, lambda L, y: y.addcmul_(_t(L, 3), _t(L, 3, seed=1))),
    "masked_fill_": lambda L: _written(L, lambda L, y: y.masked_fill_(y > 0.5, 0.0)),
    "clamp_": lambda L: _written(L, lambda L, y: y.clamp_(0.2, 0.6)),
    "view_mul_": lambda L: _written(L, lambda L, y: y[0].mul_(2)),
}

# Calls whose names differ on purpose (checked to still differ: drop an entry once it matches)
EXCEPTIONS = {
    # PyTorch rewrites einsum into permutes, views and bmm (the outer node depends on the
    # equation); here it is one node
    "einsum": lambda L: L.m.einsum("ij,kj->ik", _t(L, 2, 3), _t(L, 4, 3)),
    # PyTorch's GRU with batch_first transposes in place (transpose_: TransposeBackward1)
    "gru_batch_first": lambda L: L.nn.GRU(4, 3, batch_first=True)(_t(L, 2, 5, 4))[0],
}

OURS_NS, THEIRS_NS = _ns(an), _ns(torch)


@pytest.mark.parametrize("name", list(CALLS))
def test_layer_and_call_names_match_torch(name):
    fn = CALLS[name]
    ours, theirs = _tuple(fn(OURS_NS)), _tuple(fn(THEIRS_NS))
    assert _names(ours) == _names(theirs)
    for o, t in zip(ours, theirs):  # what graph printers read: repr and the type's name
        if t.grad_fn is not None:
            assert type(o.grad_fn).__name__ == type(t.grad_fn).__name__
            assert re.sub(r" at 0x\w+", "", repr(o.grad_fn)) == \
                re.sub(r" at 0x\w+", "", repr(t.grad_fn))


@pytest.mark.parametrize("name", list(EXCEPTIONS))
def test_documented_exceptions_still_differ(name):
    fn = EXCEPTIONS[name]
    assert _names(fn(OURS_NS)) != _names(fn(THEIRS_NS))


def test_fused_cross_entropy_has_one_node_where_pytorch_has_two():
    """Documented in the README: cross_entropy prints PyTorch's outer name (NllLossBackward0)
    but is one node here; PyTorch's next node is the LogSoftmaxBackward0 it fused."""
    logits = {lib: _t(L, 2, 3) for lib, L in (("ours", OURS_NS), ("torch", THEIRS_NS))}
    o = OURS_NS.F.cross_entropy(logits["ours"], _idx(OURS_NS, 0, 2))
    t = THEIRS_NS.F.cross_entropy(logits["torch"], _idx(THEIRS_NS, 0, 2))
    assert o.grad_fn.name() == t.grad_fn.name() == "NllLossBackward0"
    assert t.grad_fn.next_functions[0][0].name() == "LogSoftmaxBackward0"
    assert type(o.grad_fn.next_functions[0][0]).__name__ == "AccumulateGrad"


def _chain(out, depth: int = 3) -> list:
    """The names along next_functions[0] from ``out``'s node (the 60-minute blitz prints it)."""
    node, names = out.grad_fn, []
    for _ in range(depth):
        names.append(type(node).__name__)
        if not node.next_functions:
            break
        node = node.next_functions[0][0]
    return names


@pytest.mark.parametrize("call", [
    lambda L: L.F.mse_loss(L.nn.Linear(4, 3)(_t(L, 2, 4)), _t(L, 2, 3, grad=False)),
    lambda L: L.F.mse_loss(_t(L, 3) * 2, _t(L, 3, seed=1), reduction="none"),
    lambda L: L.nn.Linear(4, 3)(L.F.relu(_t(L, 2, 4))).sum(),
    lambda L: L.F.linear(_t(L, 2, 4), _t(L, 3, 4)).sum(),
], ids=["mse_of_linear", "mse_none", "addmm_bias_first", "mm"])
def test_next_functions_chain_matches_torch(call):
    assert _chain(call(OURS_NS)) == _chain(call(THEIRS_NS))


def test_names_survive_backward_and_node_types_stay_nodes():
    """Names come from what a node keeps after backward frees its inputs; the named classes
    are Node subclasses the engine walks as before (the gradients equal PyTorch's)."""
    grads = []
    for lib in (an, torch):
        x = lib.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
        y = (x[0] * x.t().reshape(6)[:3]).sum()
        first = [y.grad_fn.name(), y.grad_fn.next_functions[0][0].name()]
        y.backward(retain_graph=True)
        assert [y.grad_fn.name(), y.grad_fn.next_functions[0][0].name()] == first == \
            ["SumBackward0", "MulBackward0"]
        y.backward()  # a second pass through the named (retyped) nodes
        grads.append(x.grad.numpy())
    np.testing.assert_array_equal(*grads)


def test_user_function_named_as_pytorch():
    class Twice(an.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    class TTwice(torch.autograd.Function):
        forward = Twice.forward
        backward = Twice.backward

    o = Twice.apply(an.ones(2, requires_grad=True))
    t = TTwice.apply(torch.ones(2, requires_grad=True))
    assert o.grad_fn.name() == "TwiceBackward" and t.grad_fn.name() == "TTwiceBackward"
    assert type(o.grad_fn).__name__ == "TwiceBackward"


def test_leaf_accumulate_grad_named_as_pytorch():
    o, t = an.ones(2, requires_grad=True), torch.ones(2, requires_grad=True)
    acc_o = (o * 2).grad_fn.next_functions[0][0]
    acc_t = (t * 2).grad_fn.next_functions[0][0]
    assert acc_o.name() == acc_t.name() == "torch::autograd::AccumulateGrad"
    assert type(acc_o).__name__ == type(acc_t).__name__ == "AccumulateGrad"
    assert acc_o.variable is o
