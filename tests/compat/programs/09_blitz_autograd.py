"""60-minute blitz, autograd: gradients of a polynomial, external gradients, freezing a
network's parameters (finetuning).
Modelled on pytorch/tutorials beginner_source/blitz/autograd_tutorial.py. Changed: a small
MLP stands in for torchvision's resnet18."""
import torch
from _sync import sync
from torch import nn, optim

a = torch.tensor([2., 3.], requires_grad=True)
b = torch.tensor([6., 4.], requires_grad=True)
Q = 3 * a**3 - b**2
external_grad = torch.tensor([1., 1.])
Q.backward(gradient=external_grad)
print(9 * a**2 == a.grad)
print(-2 * b == b.grad)
print(a.grad, b.grad)

x = sync(torch.rand(5, 5))
y = sync(torch.rand(5, 5))
z = sync(torch.rand((5, 5), requires_grad=True))
a = x + y
print(f"Does `a` require gradients?: {a.requires_grad}")
b = x + z
print(f"Does `b` require gradients?: {b.requires_grad}")

model = sync(nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 8)))
data = sync(torch.rand(4, 16))
labels = sync(torch.rand(4, 8))
prediction = model(data)
loss = (prediction - labels).sum()
loss.backward()
optim_ = torch.optim.SGD(model.parameters(), lr=1e-2, momentum=0.9)
optim_.step()
print(f"{model(data).sum().item():.5f}")

for param in model.parameters():
    param.requires_grad = False
model[2] = sync(nn.Linear(32, 3))
optimizer = optim.SGD(model.parameters(), lr=1e-2, momentum=0.9)
out = model(data).sum()
out.backward()
print([p.grad is None for p in model.parameters()])
optimizer.step()
print(f"{model(data).sum().item():.5f}")
