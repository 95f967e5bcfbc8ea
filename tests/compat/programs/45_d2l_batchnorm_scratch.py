"""Batch normalization from scratch: a batch_norm function with moving statistics (2-D and 4-D
inputs, torch.is_grad_enabled to tell training from prediction), a BatchNorm module holding
gamma/beta parameters and moving buffers, inside a small LeNet; then nn.BatchNorm2d/1d.
Modelled on d2l-ai/d2l-en chapter_convolutional-modern/batch-norm (PyTorch tab). Changed:
random 12x12 images, 3 training steps."""
import torch
from _sync import sync
from torch import nn


def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum):
    if not torch.is_grad_enabled():
        X_hat = (X - moving_mean) / torch.sqrt(moving_var + eps)
    else:
        assert len(X.shape) in (2, 4)
        if len(X.shape) == 2:
            mean = X.mean(dim=0)
            var = ((X - mean) ** 2).mean(dim=0)
        else:
            mean = X.mean(dim=(0, 2, 3), keepdim=True)
            var = ((X - mean) ** 2).mean(dim=(0, 2, 3), keepdim=True)
        X_hat = (X - mean) / torch.sqrt(var + eps)
        moving_mean = (1.0 - momentum) * moving_mean + momentum * mean
        moving_var = (1.0 - momentum) * moving_var + momentum * var
    Y = gamma * X_hat + beta
    return Y, moving_mean.data, moving_var.data


class BatchNorm(nn.Module):
    def __init__(self, num_features, num_dims):
        super().__init__()
        if num_dims == 2:
            shape = (1, num_features)
        else:
            shape = (1, num_features, 1, 1)
        self.gamma = nn.Parameter(torch.ones(shape))
        self.beta = nn.Parameter(torch.zeros(shape))
        self.moving_mean = torch.zeros(shape)
        self.moving_var = torch.ones(shape)

    def forward(self, X):
        if self.moving_mean.device != X.device:
            self.moving_mean = self.moving_mean.to(X.device)
            self.moving_var = self.moving_var.to(X.device)
        Y, self.moving_mean, self.moving_var = batch_norm(
            X, self.gamma, self.beta, self.moving_mean,
            self.moving_var, eps=1e-5, momentum=0.1)
        return Y


net = nn.Sequential(
    nn.Conv2d(1, 6, kernel_size=3), BatchNorm(6, num_dims=4), nn.Sigmoid(),
    nn.AvgPool2d(kernel_size=2, stride=2),
    nn.Conv2d(6, 8, kernel_size=3), BatchNorm(8, num_dims=4), nn.Sigmoid(),
    nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
    nn.Linear(8, 12), BatchNorm(12, num_dims=2), nn.Sigmoid(),
    nn.Linear(12, 10))
net = sync(net)
X = sync(torch.rand(size=(8, 1, 12, 12)))
y = torch.tensor([0, 1, 2, 3, 4, 5, 6, 7])
X2 = X
for layer in net:
    X2 = layer(X2)
    print(layer.__class__.__name__, 'output shape:\t', X2.shape)
opt = torch.optim.SGD(net.parameters(), lr=0.9)
loss = nn.CrossEntropyLoss()
for step in range(3):
    opt.zero_grad()
    l = loss(net(X), y)
    l.backward()
    opt.step()
    print(f'step {step}, loss {l.item():.5f}')
print(net[1].gamma.reshape((-1,)), net[1].beta.reshape((-1,)))
print(net[1].moving_mean.reshape((-1,)))
with torch.no_grad():
    print(net(X[:2]))

net2 = nn.Sequential(
    nn.Conv2d(1, 6, kernel_size=3), nn.BatchNorm2d(6), nn.Sigmoid(),
    nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
    nn.Linear(150, 12), nn.BatchNorm1d(12), nn.Sigmoid(), nn.Linear(12, 10))
net2 = sync(net2)
opt = torch.optim.SGD(net2.parameters(), lr=0.9)
for step in range(3):
    opt.zero_grad()
    l = loss(net2(X), y)
    l.backward()
    opt.step()
    print(f'step {step}, loss {l.item():.5f}')
print(net2[1].running_mean, net2[1].num_batches_tracked)
net2.eval()
print(net2(X[:2]).argmax(1))
