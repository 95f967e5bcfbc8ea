"""Fit a cubic with torch.optim.RMSprop.
Modelled on pytorch/tutorials beginner_source/examples_nn/polynomial_optim.py.
Changed: 500 steps instead of 2000."""
# compat: rtol=1e-4 atol=2e-3
# (RMSprop divides by the running RMS of the gradient: on the x^2 coefficient, whose gradient
# hovers around 0, each step is about +-lr whatever the gradient's size, so float32 summation
# order, which differs between the libraries and even between runs of NumPy with different
# array alignment, moves that coefficient by up to ~1e-3; the losses agree to 1e-4.)
import math

import torch
from _sync import sync

x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)
p = torch.tensor([1, 2, 3])
xx = x.unsqueeze(-1).pow(p)
model = sync(torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1)))
loss_fn = torch.nn.MSELoss(reduction='sum')
learning_rate = 1e-3
optimizer = torch.optim.RMSprop(model.parameters(), lr=learning_rate)
for t in range(500):
    y_pred = model(xx)
    loss = loss_fn(y_pred, y)
    if t % 100 == 99:
        print(t, loss.item())
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
linear_layer = model[0]
print(f'Result: y = {linear_layer.bias.item()} + {linear_layer.weight[:, 0].item()} x + '
      f'{linear_layer.weight[:, 1].item()} x^2 + {linear_layer.weight[:, 2].item()} x^3')
