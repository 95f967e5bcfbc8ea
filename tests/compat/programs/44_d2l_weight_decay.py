"""Weight decay: a high-dimensional linear regression with few examples, trained with an L2
penalty written by hand (torch.norm(w).pow(2) / 2) and then with SGD's weight_decay on the
weight only (parameter groups).
Modelled on d2l-ai/d2l-en chapter_linear-regression/weight-decay (PyTorch tab, 0.17 edition).
Changed: 40 epochs, d2l's synthetic_data and load_array written out."""
import torch
from _sync import sync
from torch import nn
from torch.utils import data

n_train, n_test, num_inputs, batch_size = 20, 100, 200, 5
true_w, true_b = torch.ones((num_inputs, 1)) * 0.01, 0.05


def synthetic_data(w, b, num_examples):
    X = sync(torch.normal(0, 1, (num_examples, len(w))))
    y = torch.matmul(X, w) + b
    y += sync(torch.normal(0, 0.01, y.shape))
    return X, y.reshape((-1, 1))


def load_array(data_arrays, batch_size, is_train=True):
    dataset = data.TensorDataset(*data_arrays)
    return data.DataLoader(dataset, batch_size, shuffle=is_train)


train_data = synthetic_data(true_w, true_b, n_train)
train_iter = load_array(train_data, batch_size, is_train=False)
test_data = synthetic_data(true_w, true_b, n_test)
test_iter = load_array(test_data, batch_size, is_train=False)


def init_params():
    w = sync(torch.normal(0, 1, size=(num_inputs, 1), requires_grad=True))
    b = torch.zeros(1, requires_grad=True)
    return [w, b]


def l2_penalty(w):
    return torch.sum(w.pow(2)) / 2


def linreg(X, w, b):
    return torch.matmul(X, w) + b


def squared_loss(y_hat, y):
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def evaluate_loss(net, data_iter, loss):
    total, n = 0.0, 0
    for X, y in data_iter:
        out = net(X)
        total += float(loss(out, y.reshape(out.shape)).sum())
        n += y.numel()
    return total / n


def train(lambd):
    w, b = init_params()
    net, loss = lambda X: linreg(X, w, b), squared_loss
    num_epochs, lr = 40, 0.003
    for epoch in range(num_epochs):
        for X, y in train_iter:
            l = loss(net(X), y) + lambd * l2_penalty(w)
            l.sum().backward()
            with torch.no_grad():
                for param in (w, b):
                    param -= lr * param.grad / batch_size
                    param.grad.zero_()
        if (epoch + 1) % 10 == 0:
            print(epoch + 1, evaluate_loss(net, train_iter, loss),
                  evaluate_loss(net, test_iter, loss))
    print('L2 norm of w:', torch.norm(w).item())


train(lambd=0)
train(lambd=3)


def train_concise(wd):
    net = nn.Sequential(nn.Linear(num_inputs, 1))
    for param in net.parameters():
        param.data.normal_()
    net = sync(net)
    loss = nn.MSELoss(reduction='none')
    num_epochs, lr = 40, 0.003
    trainer = torch.optim.SGD([{"params": net[0].weight, 'weight_decay': wd},
                               {"params": net[0].bias}], lr=lr)
    for epoch in range(num_epochs):
        for X, y in train_iter:
            trainer.zero_grad()
            l = loss(net(X), y)
            l.mean().backward()
            trainer.step()
        if (epoch + 1) % 20 == 0:
            print(epoch + 1, evaluate_loss(net, train_iter, loss),
                  evaluate_loss(net, test_iter, loss))
    print('L2 norm of w:', net[0].weight.norm().item())


train_concise(0)
train_concise(3)
