"""Functional forms: conv1d/2d/3d and conv_transpose1d/2d/3d (one N-d implementation)."""

from __future__ import annotations

from typing import Any, Sequence, Union

from ..._ops.conv import Conv, ConvTranspose, Geom, out_size
from ...autograd.engine import name_node
from ...tensor import Tensor

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d"]

IntOrTuple = Union[int, Sequence[int]]


def ntuple(v: Any, n: int, name: str, op: str) -> tuple:
    """An int or an n-sequence of ints as an n-tuple, with a clear error otherwise."""
    if isinstance(v, int):
        return (v,) * n
    t = tuple(int(i) for i in v)
    if len(t) == 1:
        return t * n
    if len(t) != n:
        raise ValueError(f"{op}: expected {name} to be a single int or a tuple of {n} ints, "
                         f"got {v!r}")
    return t


def _check_input(op: str, x: Tensor, w: Tensor, nd: int) -> None:
    if not isinstance(x, Tensor) or not isinstance(w, Tensor):
        raise TypeError(f"{op}: input and weight must be Tensors, got {type(x).__name__} and "
                        f"{type(w).__name__}")
    if x.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"{op}: Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input, "
                           f"but got input of size: {list(x.shape)}")
    if w.ndim != nd + 2:
        raise RuntimeError(f"{op}: Expected {nd + 2}D weight, but got weight of size "
                           f"{list(w.shape)}")
    if x.dtype != w.dtype:
        raise RuntimeError(f"{op}: Input type ({x.dtype.name}) and weight type "
                           f"({w.dtype.name}) should be the same")


def _add_bias(y: Tensor, bias: Tensor | None, nd: int) -> Tensor:
    if bias is None:
        return y
    # one convolution node in PyTorch, the bias included
    return name_node(y + bias.reshape((-1,) + (1,) * nd), "ConvolutionBackward0")


def _convnd(op: str, nd: int, x: Tensor, weight: Tensor, bias: Tensor | None,
            stride: IntOrTuple, padding: IntOrTuple | str, dilation: IntOrTuple,
            groups: int) -> Tensor:
    _check_input(op, x, weight, nd)
    unbatched = x.ndim == nd + 1
    if unbatched:
        x = x.unsqueeze(0)
    stride = ntuple(stride, nd, "stride", op)
    dilation = ntuple(dilation, nd, "dilation", op)
    ksize = tuple(weight.shape[2:])
    C = x.shape[1]
    O, Cg = weight.shape[:2]
    if groups < 1 or C % groups or O % groups:
        raise ValueError(f"{op}: groups={groups} must be positive and divide both in_channels "
                         f"({C}) and out_channels ({O})")
    if Cg * groups != C:
        raise RuntimeError(f"{op}: Given groups={groups}, weight of size {list(weight.shape)}, "
                           f"expected input{list(x.shape)} to have {Cg * groups} channels, but "
                           f"got {C} channels instead")
    if min(stride) < 1 or min(dilation) < 1:
        raise ValueError(f"{op}: stride {stride} and dilation {dilation} must be positive")
    if isinstance(padding, str):
        if padding == "valid":
            pads = ((0, 0),) * nd
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise ValueError(f"{op}: padding='same' is not supported for strided "
                                 f"convolutions (stride={stride})")
            # PyTorch puts the odd extra pad on the high side
            tot = [d * (k - 1) for d, k in zip(dilation, ksize)]
            pads = tuple((t // 2, t - t // 2) for t in tot)
        else:
            raise ValueError(f"{op}: Invalid padding string {padding!r}, should be one of "
                             f"'valid', 'same'")
    else:
        p = ntuple(padding, nd, "padding", op)
        if min(p) < 0:
            raise ValueError(f"{op}: negative padding {p} is not supported")
        pads = tuple((i, i) for i in p)
    geom = Geom(stride, pads, dilation, groups, tuple(x.shape[2:]))
    osize = out_size(geom, ksize)
    if min(osize) < 1:
        padded = tuple(n + lo + hi for n, (lo, hi) in zip(geom.in_size, pads))
        eff = tuple(d * (k - 1) + 1 for d, k in zip(dilation, ksize))
        raise RuntimeError(f"{op}: Calculated padded input size per channel: {padded}. Kernel "
                           f"size (dilated): {eff}. Kernel size can't be greater than actual "
                           f"input size")
    y = _add_bias(Conv.apply(x, weight, geom=geom), bias, nd)
    return y.squeeze(0) if unbatched else y


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: IntOrTuple = 1,
           padding: IntOrTuple | str = 0, dilation: IntOrTuple = 1, groups: int = 1) -> Tensor:
    """1-D cross-correlation. input (N, C_in, L) or (C_in, L); weight (C_out, C_in/groups, k);
    bias (C_out,); returns (N, C_out, L_out). ``padding`` may be 'same' or 'valid'."""
    return _convnd("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: IntOrTuple = 1,
           padding: IntOrTuple | str = 0, dilation: IntOrTuple = 1, groups: int = 1) -> Tensor:
    """2-D cross-correlation. input (N, C_in, H, W) or (C_in, H, W); weight
    (C_out, C_in/groups, kH, kW); bias (C_out,); returns (N, C_out, H_out, W_out) with
    H_out = (H + 2 pad - dil (kH - 1) - 1) // stride + 1."""
    return _convnd("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def conv3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: IntOrTuple = 1,
           padding: IntOrTuple | str = 0, dilation: IntOrTuple = 1, groups: int = 1) -> Tensor:
    """3-D cross-correlation. input (N, C_in, D, H, W); weight (C_out, C_in/groups, kD, kH, kW)."""
    return _convnd("conv3d", 3, input, weight, bias, stride, padding, dilation, groups)


def _conv_transposend(op: str, nd: int, x: Tensor, weight: Tensor, bias: Tensor | None,
                      stride: IntOrTuple, padding: IntOrTuple, output_padding: IntOrTuple,
                      groups: int, dilation: IntOrTuple,
                      output_size: Sequence[int] | None = None) -> Tensor:
    _check_input(op, x, weight, nd)
    unbatched = x.ndim == nd + 1
    if unbatched:
        x = x.unsqueeze(0)
    stride = ntuple(stride, nd, "stride", op)
    dilation = ntuple(dilation, nd, "dilation", op)
    pad = ntuple(padding, nd, "padding", op)
    ksize = tuple(weight.shape[2:])
    C = x.shape[1]
    if groups < 1 or C % groups:
        raise ValueError(f"{op}: groups={groups} must be positive and divide in_channels ({C})")
    if weight.shape[0] != C:
        raise RuntimeError(f"{op}: Given transposed=1, weight of size {list(weight.shape)}, "
                           f"expected input{list(x.shape)} to have {weight.shape[0]} channels, "
                           f"but got {C} channels instead")
    base = tuple((i - 1) * s - 2 * p + d * (k - 1) + 1
                 for i, s, p, d, k in zip(x.shape[2:], stride, pad, dilation, ksize))
    if output_size is not None:
        want = tuple(int(v) for v in output_size)[-nd:]
        opad = tuple(w - b for w, b in zip(want, base))
        if any(not 0 <= o < max(s, d) for o, s, d in zip(opad, stride, dilation)):
            raise ValueError(f"{op}: requested an output size of {list(want)}, but valid sizes "
                             f"range from {list(base)} to "
                             f"{[b + max(s, d) - 1 for b, s, d in zip(base, stride, dilation)]}")
    else:
        opad = ntuple(output_padding, nd, "output_padding", op)
        if any(not 0 <= o < max(s, d) for o, s, d in zip(opad, stride, dilation)):
            raise ValueError(f"{op}: output padding {opad} must be smaller than either stride "
                             f"{stride} or dilation {dilation}")
    size = tuple(b + o for b, o in zip(base, opad))
    if min(size) < 1:
        raise RuntimeError(f"{op}: Given input size per channel: {list(x.shape[2:])}, calculated "
                           f"output size {list(size)} is too small")
    geom = Geom(stride, tuple((p, p) for p in pad), dilation, groups, size)
    y = _add_bias(ConvTranspose.apply(x, weight, geom=geom), bias, nd)
    return y.squeeze(0) if unbatched else y


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None,
                     stride: IntOrTuple = 1, padding: IntOrTuple = 0,
                     output_padding: IntOrTuple = 0, groups: int = 1,
                     dilation: IntOrTuple = 1) -> Tensor:
    """Transposed 1-D conv (the gradient of conv1d w.r.t. its input). input (N, C_in, L);
    weight (C_in, C_out/groups, k); returns (N, C_out, L_out) with
    L_out = (L - 1) stride - 2 pad + dil (k - 1) + output_padding + 1."""
    return _conv_transposend("conv_transpose1d", 1, input, weight, bias, stride, padding,
                             output_padding, groups, dilation)


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None,
                     stride: IntOrTuple = 1, padding: IntOrTuple = 0,
                     output_padding: IntOrTuple = 0, groups: int = 1,
                     dilation: IntOrTuple = 1) -> Tensor:
    """Transposed 2-D conv. input (N, C_in, H, W); weight (C_in, C_out/groups, kH, kW);
    returns (N, C_out, H_out, W_out), H_out = (H - 1) stride - 2 pad + dil (kH - 1) +
    output_padding + 1."""
    return _conv_transposend("conv_transpose2d", 2, input, weight, bias, stride, padding,
                             output_padding, groups, dilation)


def conv_transpose3d(input: Tensor, weight: Tensor, bias: Tensor | None = None,
                     stride: IntOrTuple = 1, padding: IntOrTuple = 0,
                     output_padding: IntOrTuple = 0, groups: int = 1,
                     dilation: IntOrTuple = 1) -> Tensor:
    """Transposed 3-D conv. input (N, C_in, D, H, W); weight (C_in, C_out/groups, kD, kH, kW)."""
    return _conv_transposend("conv_transpose3d", 3, input, weight, bias, stride, padding,
                             output_padding, groups, dilation)
