"""Automatic differentiation: a one-layer logistic model, grad_fn, backward, disabling
tracking, Jacobian-vector products.
Modelled on pytorch/tutorials beginner_source/basics/autogradqs_tutorial.py."""
import torch
from _sync import sync

x = torch.ones(5)
y = torch.zeros(3)
w = sync(torch.randn(5, 3, requires_grad=True))
b = sync(torch.randn(3, requires_grad=True))
z = torch.matmul(x, w) + b
loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
print(f"loss {loss.item():.6f}")
print(f"Gradient function for z = {type(z.grad_fn).__name__ is not None}")
print(f"Gradient function for loss = {loss.grad_fn is not None}")

loss.backward()
print(w.grad)
print(b.grad)

z = torch.matmul(x, w) + b
print(z.requires_grad)
with torch.no_grad():
    z = torch.matmul(x, w) + b
print(z.requires_grad)
z = torch.matmul(x, w) + b
z_det = z.detach()
print(z_det.requires_grad)

inp = torch.eye(4, 5, requires_grad=True)
out = (inp + 1).pow(2).t()
out.backward(torch.ones_like(out), retain_graph=True)
print(f"First call\n{inp.grad}")
out.backward(torch.ones_like(out), retain_graph=True)
print(f"\nSecond call\n{inp.grad}")
inp.grad.zero_()
out.backward(torch.ones_like(out), retain_graph=True)
print(f"\nCall after zeroing gradients\n{inp.grad}")
