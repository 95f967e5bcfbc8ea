"""``nn.AdaptiveLogSoftmaxWithLoss``: the efficient softmax approximation of Grave et al. (a
head over the frequent classes plus one cluster token per tail cluster, each cluster a
low-rank projection), as PyTorch's."""

from __future__ import annotations

import itertools
from collections import namedtuple
from typing import Any, Sequence

import numpy as np

from ..._ops.shape import cat
from ...tensor import Tensor
from .._functional.activation import log_softmax
from .container import ModuleList, Sequential
from .linear import Linear
from .module import Module

__all__ = ["AdaptiveLogSoftmaxWithLoss"]

_ASMoutput = namedtuple("_ASMoutput", ["output", "loss"])


class AdaptiveLogSoftmaxWithLoss(Module):
    """Adaptive softmax over ``n_classes`` split at ``cutoffs``: classes below cutoffs[0] live
    in the head; each later range is a cluster whose probability is the head's cluster token
    times a softmax over a (in_features // div_value^(i+1))-rank projection.

    ``forward(input (N, in_features) or (in_features,), target (N,) or ())`` returns
    ``(output, loss)``: the target log-probabilities (N,) and their negative mean."""

    def __init__(self, in_features: int, n_classes: int, cutoffs: Sequence[int],
                 div_value: float = 4.0, head_bias: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        cutoffs = list(cutoffs)
        if len(cutoffs) == 0:
            raise ValueError("cutoffs should be a sequence of length larger than 0")
        if (cutoffs != sorted(cutoffs)) or min(cutoffs) <= 0 or max(cutoffs) > n_classes - 1 \
                or len(set(cutoffs)) != len(cutoffs) or any(int(c) != c for c in cutoffs):
            raise ValueError("cutoffs should be a sequence of unique, positive integers sorted "
                             "in an increasing order, where each value is between 1 and "
                             "n_classes-1")
        kw = dict(device=device, dtype=dtype)
        self.in_features = in_features
        self.n_classes = n_classes
        self.cutoffs = cutoffs + [n_classes]
        self.div_value = div_value
        self.head_bias = head_bias
        self.shortlist_size = self.cutoffs[0]
        self.n_clusters = len(self.cutoffs) - 1
        self.head_size = self.shortlist_size + self.n_clusters
        self.head = Linear(in_features, self.head_size, bias=head_bias, **kw)
        self.tail = ModuleList()
        for i in range(self.n_clusters):
            hsz = int(in_features // (div_value ** (i + 1)))
            osz = self.cutoffs[i + 1] - self.cutoffs[i]
            self.tail.append(Sequential(Linear(in_features, hsz, bias=False, **kw),
                                        Linear(hsz, osz, bias=False, **kw)))

    def reset_parameters(self) -> None:
        self.head.reset_parameters()
        for i2h, h2o in self.tail:
            i2h.reset_parameters()
            h2o.reset_parameters()

    def forward(self, input_: Tensor, target_: Tensor) -> _ASMoutput:
        tdim = target_.ndim
        if tdim == 1:
            if input_.shape[0] != target_.shape[0]:
                raise RuntimeError("Input and target should have the same size in the batch "
                                   "dimension.")
            if input_.ndim != 2:
                raise RuntimeError(f"1D target tensor expects 2D input tensors, but found "
                                   f"inputs with size {input_.shape}")
        elif tdim == 0:
            if input_.ndim != 1:
                raise RuntimeError(f"0D target tensor expects 1D input tensors, but found "
                                   f"inputs with size {input_.shape}")
        else:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        batched = tdim > 0
        input = input_ if batched else input_.unsqueeze(0)  # noqa: A001
        target = (target_._data if batched else target_._data[None]).astype(np.int64)
        B = target.shape[0]
        gather_inds = np.empty(B, dtype=np.int64)
        rows_seen, pieces = [], []  # tail rows and their cluster log-probabilities
        bounds = [0] + self.cutoffs
        for i in range(len(bounds) - 1):
            lo, hi = bounds[i], bounds[i + 1]
            rows = np.nonzero((target >= lo) & (target < hi))[0]
            if rows.size == 0:
                continue
            if i == 0:
                gather_inds[rows] = target[rows]
                continue
            gather_inds[rows] = self.shortlist_size + i - 1
            cluster = log_softmax(self.tail[i - 1](input.index_select(0, Tensor._wrap(rows))),
                                  dim=1)
            rel = Tensor._wrap((target[rows] - lo)[:, None])
            rows_seen.append(rows)
            pieces.append(cluster.gather(1, rel).squeeze(1))
        used = sum(int(((target >= bounds[i]) & (target < bounds[i + 1])).sum())
                   for i in range(len(bounds) - 1))
        if used != B:
            raise RuntimeError(f"Target values should be in [0, {self.n_classes - 1}], but "
                               f"values in range [{target.min()}, {target.max()}] were found. ")
        head_logprob = log_softmax(self.head(input), dim=1)
        output = head_logprob.gather(1, Tensor._wrap(gather_inds[:, None])).squeeze(1)
        if pieces:
            # the tail terms in batch order: head rows take a zero, the rest their cluster term
            tail_rows = np.concatenate(rows_seen)
            zero = output[:1].detach() * 0
            order = np.full(B, len(tail_rows), dtype=np.int64)
            order[tail_rows] = np.arange(len(tail_rows))
            output = output + cat(pieces + [zero]).index_select(0, Tensor._wrap(order))
        loss = (-output).mean()
        return _ASMoutput(output if batched else output.squeeze(0), loss)

    def _get_full_log_prob(self, input: Tensor, head_output: Tensor) -> Tensor:  # noqa: A002
        head_logprob = log_softmax(head_output, dim=1)
        parts = [head_logprob[:, :self.shortlist_size]]
        for i, _ in enumerate(itertools.pairwise(self.cutoffs)):
            cluster_logprob = log_softmax(self.tail[i](input), dim=1)
            parts.append(cluster_logprob + head_logprob[:, self.shortlist_size + i].unsqueeze(1))
        return cat(parts, dim=1)

    def log_prob(self, input: Tensor) -> Tensor:  # noqa: A002
        """Log-probabilities of all n_classes: (N, in_features) -> (N, n_classes)."""
        return self._get_full_log_prob(input, self.head(input))

    def predict(self, input: Tensor) -> Tensor:  # noqa: A002
        """The most probable class per row: (N, in_features) -> (N,) int64 (as
        ``log_prob(input).argmax(dim=1)``)."""
        head_output = self.head(input)
        output = head_output.argmax(dim=1)
        not_short = output._data >= self.shortlist_size
        if not not_short.any():
            return output
        full = self._get_full_log_prob(input, head_output).argmax(dim=1)
        return Tensor._wrap(np.where(not_short, full._data, output._data))
