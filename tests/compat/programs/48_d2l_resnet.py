"""Residual networks: the Residual block (two 3x3 convolutions with batch norm, an optional
1x1 convolution on the shortcut), the stage builder, a small ResNet with global average
pooling; shapes printed layer by layer, then a few SGD steps.
Modelled on d2l-ai/d2l-en chapter_convolutional-modern/resnet (PyTorch tab, 0.17 edition).
Changed: fewer channels, 24x24 random inputs, 3 steps."""
import torch
from _sync import sync
from torch import nn
from torch.nn import functional as F


class Residual(nn.Module):
    def __init__(self, input_channels, num_channels, use_1x1conv=False, strides=1):
        super().__init__()
        self.conv1 = nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1,
                               stride=strides)
        self.conv2 = nn.Conv2d(num_channels, num_channels, kernel_size=3, padding=1)
        if use_1x1conv:
            self.conv3 = nn.Conv2d(input_channels, num_channels, kernel_size=1, stride=strides)
        else:
            self.conv3 = None
        self.bn1 = nn.BatchNorm2d(num_channels)
        self.bn2 = nn.BatchNorm2d(num_channels)

    def forward(self, X):
        Y = F.relu(self.bn1(self.conv1(X)))
        Y = self.bn2(self.conv2(Y))
        if self.conv3:
            X = self.conv3(X)
        Y += X
        return F.relu(Y)


blk = sync(Residual(3, 3))
X = sync(torch.rand(4, 3, 6, 6))
Y = blk(X)
print(Y.shape)
blk = sync(Residual(3, 6, use_1x1conv=True, strides=2))
print(blk(X).shape)

b1 = nn.Sequential(nn.Conv2d(1, 8, kernel_size=7, stride=2, padding=3),
                   nn.BatchNorm2d(8), nn.ReLU(),
                   nn.MaxPool2d(kernel_size=3, stride=2, padding=1))


def resnet_block(input_channels, num_channels, num_residuals, first_block=False):
    blk = []
    for i in range(num_residuals):
        if i == 0 and not first_block:
            blk.append(Residual(input_channels, num_channels, use_1x1conv=True, strides=2))
        else:
            blk.append(Residual(num_channels, num_channels))
    return blk


b2 = nn.Sequential(*resnet_block(8, 8, 2, first_block=True))
b3 = nn.Sequential(*resnet_block(8, 16, 2))
b4 = nn.Sequential(*resnet_block(16, 32, 2))
net = nn.Sequential(b1, b2, b3, b4, nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(),
                    nn.Linear(32, 10))
net = sync(net)
X = sync(torch.rand(size=(2, 1, 24, 24)))
for layer in net:
    X = layer(X)
    print(layer.__class__.__name__, 'output shape:\t', X.shape)
print(sum(p.numel() for p in net.parameters()))

X = sync(torch.rand(size=(6, 1, 24, 24)))
y = torch.tensor([1, 3, 5, 7, 9, 0])
trainer = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
loss = nn.CrossEntropyLoss()
net.train()
for step in range(3):
    trainer.zero_grad()
    l = loss(net(X), y)
    l.backward()
    trainer.step()
    print(f'step {step}: loss {l.item():.5f}')
net.eval()
with torch.no_grad():
    print(net(X).argmax(dim=1), net[1][0].bn1.running_var[:4])
