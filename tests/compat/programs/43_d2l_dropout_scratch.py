"""Dropout from scratch: a dropout_layer built from a uniform mask, an MLP that applies it only
in training, trained with CrossEntropyLoss(reduction='none') and SGD; then the concise version
with nn.Dropout in eval mode.
Modelled on d2l-ai/d2l-en chapter_multilayer-perceptrons/dropout (PyTorch tab). Changed:
synthetic 20-class data instead of Fashion-MNIST, 4 epochs of 5 batches."""
import torch
from _sync import sync
from torch import nn


def dropout_layer(X, dropout):
    assert 0 <= dropout <= 1
    if dropout == 1:
        return torch.zeros_like(X)
    if dropout == 0:
        return X
    mask = (sync(torch.rand(X.shape)) > dropout).float()
    return mask * X / (1.0 - dropout)


X = torch.arange(16, dtype=torch.float32).reshape((2, 8))
print(dropout_layer(X, 0.))
print(dropout_layer(X, 0.5))
print(dropout_layer(X, 1.))

num_inputs, num_outputs, num_hiddens1, num_hiddens2 = 24, 10, 32, 16
dropout1, dropout2 = 0.2, 0.5


class Net(nn.Module):
    def __init__(self, num_inputs, num_outputs, num_hiddens1, num_hiddens2, is_training=True):
        super(Net, self).__init__()
        self.num_inputs = num_inputs
        self.training = is_training
        self.lin1 = nn.Linear(num_inputs, num_hiddens1)
        self.lin2 = nn.Linear(num_hiddens1, num_hiddens2)
        self.lin3 = nn.Linear(num_hiddens2, num_outputs)
        self.relu = nn.ReLU()

    def forward(self, X):
        H1 = self.relu(self.lin1(X.reshape((-1, self.num_inputs))))
        if self.training:
            H1 = dropout_layer(H1, dropout1)
        H2 = self.relu(self.lin2(H1))
        if self.training:
            H2 = dropout_layer(H2, dropout2)
        return self.lin3(H2)


net = sync(Net(num_inputs, num_outputs, num_hiddens1, num_hiddens2))
features = sync(torch.randn(100, 4, 6))
labels = (features.sum(dim=(1, 2)) * 3).long().clamp(-5, 4) + 5
loss = nn.CrossEntropyLoss(reduction='none')
trainer = torch.optim.SGD(net.parameters(), lr=0.5)
for epoch in range(4):
    total, correct = 0.0, 0
    for i in range(0, 100, 20):
        Xb, yb = features[i:i + 20], labels[i:i + 20]
        l = loss(net(Xb), yb)
        trainer.zero_grad()
        l.mean().backward()
        trainer.step()
        total += float(l.sum())
        correct += int((net(Xb).argmax(axis=1) == yb).sum())
    print(f'epoch {epoch + 1}, loss {total / 100:.4f}, train acc {correct / 100:.2f}')

net2 = nn.Sequential(nn.Flatten(), nn.Linear(24, 32), nn.ReLU(), nn.Dropout(dropout1),
                     nn.Linear(32, 16), nn.ReLU(), nn.Dropout(dropout2), nn.Linear(16, 10))


def init_weights(m):
    if type(m) == nn.Linear:  # noqa: E721 (as the source writes it)
        nn.init.normal_(m.weight, std=0.01)


net2.apply(init_weights)
net2 = sync(net2)
net2.eval()
print(net2)
print(net2(features[:3]).shape, net2.training, net2[3].training)
