"""Linear regression from scratch: synthetic data with torch.normal, a Python-shuffled
minibatch iterator, squared loss and minibatch SGD under no_grad.
Modelled on d2l-ai/d2l-en chapter_linear-regression/linear-regression-scratch (the PyTorch
tab of the 0.17 edition). Changed: 3 epochs."""
import random

import torch
from _sync import sync

random.seed(0)


def synthetic_data(w, b, num_examples):
    X = sync(torch.normal(0, 1, (num_examples, len(w))))
    y = torch.matmul(X, w) + b
    y += sync(torch.normal(0, 0.01, y.shape))
    return X, y.reshape((-1, 1))


true_w = torch.tensor([2, -3.4])
true_b = 4.2
features, labels = synthetic_data(true_w, true_b, 1000)
print('features:', features[0], '\nlabel:', labels[0])


def data_iter(batch_size, features, labels):
    num_examples = len(features)
    indices = list(range(num_examples))
    random.shuffle(indices)
    for i in range(0, num_examples, batch_size):
        batch_indices = torch.tensor(indices[i: min(i + batch_size, num_examples)])
        yield features[batch_indices], labels[batch_indices]


batch_size = 10
for X, y in data_iter(batch_size, features, labels):
    print(X, '\n', y)
    break
w = sync(torch.normal(0, 0.01, size=(2, 1), requires_grad=True))
b = torch.zeros(1, requires_grad=True)


def linreg(X, w, b):
    return torch.matmul(X, w) + b


def squared_loss(y_hat, y):
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


lr = 0.03
num_epochs = 3
net = linreg
loss = squared_loss
for epoch in range(num_epochs):
    for X, y in data_iter(batch_size, features, labels):
        ls = loss(net(X, w, b), y)
        ls.sum().backward()
        sgd([w, b], lr, batch_size)
    with torch.no_grad():
        train_l = loss(net(features, w, b), labels)
        print(f'epoch {epoch + 1}, loss {float(train_l.mean()):f}')
print(f'error in estimating w: {true_w - w.reshape(true_w.shape)}')
print(f'error in estimating b: {true_b - b}')
