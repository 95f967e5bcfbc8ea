"""Functional affine layers: ``linear``, ``bilinear``."""

from __future__ import annotations

from ..._ops.linear import Linear as _LinearOp
from ..._ops.linear import linear_node_name
from ...autograd.engine import name_node
from ...tensor import Tensor

__all__ = ["linear", "bilinear"]


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:  # noqa: A002
    """``input @ weight.T + bias`` as one fused op.

    Shapes: input (*, in_features), weight (out_features, in_features), bias (out_features,)
    -> (*, out_features).
    """
    xs, ws = input._data.shape, weight._data.shape
    if len(ws) != 2 or not xs or xs[-1] != ws[1]:
        raise RuntimeError(f"linear: input of shape {list(xs)} cannot be multiplied by weight.T "
                           f"of weight shape {list(ws)}: expected weight (out_features, "
                           f"{xs[-1] if xs else '?'}) and input (*, in_features)")
    if input._data.dtype != weight._data.dtype:
        raise RuntimeError(f"linear: mat1 and mat2 must have the same dtype, but got "
                           f"{input.dtype} and {weight.dtype}")
    if bias is None:
        out = _LinearOp.apply(input, weight)
        return name_node(out, linear_node_name(len(xs), False)) if out._node else out
    if bias._data.shape not in ((ws[0],), ()) and bias._data.shape != (1,):
        raise RuntimeError(f"linear: bias must have shape ({ws[0]},) to match weight "
                           f"{list(ws)}, got {list(bias._data.shape)}")
    out = _LinearOp.apply(input, weight, bias)
    return name_node(out, linear_node_name(len(xs), True)) if len(xs) != 2 else out


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor,
             bias: Tensor | None = None) -> Tensor:
    """``y[..., k] = input1 @ weight[k] @ input2 + bias[k]``.

    Shapes: input1 (*, in1), input2 (*, in2), weight (out, in1, in2), bias (out,) -> (*, out).
    """
    if weight.ndim != 3:
        raise RuntimeError(f"bilinear: weight must be 3-D (out, in1, in2), got shape "
                           f"{list(weight.shape)}")
    out_f, in1, in2 = weight.shape
    if input1.shape[-1] != in1 or input2.shape[-1] != in2 or \
            input1.shape[:-1] != input2.shape[:-1]:
        raise RuntimeError(f"bilinear: input1 {list(input1.shape)} and input2 "
                           f"{list(input2.shape)} must agree on batch dims and have last dims "
                           f"{in1} and {in2} (weight {list(weight.shape)})")
    # (*, in1) @ (in1, out*in2) -> (*, out, in2), then contract in2 with input2
    t = input1.matmul(weight.permute(1, 0, 2).reshape(in1, out_f * in2))
    t = t.reshape(*input1.shape[:-1], out_f, in2)
    y = (t * input2.unsqueeze(-2)).sum(-1)
    return y if bias is None else y + bias
