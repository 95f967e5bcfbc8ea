"""GRU from scratch: parameters drawn with randn * 0.01, the update/reset gates and candidate
state written with torch.sigmoid / torch.tanh and @, one-hot inputs, gradient clipping by the
global norm, perplexity; then nn.GRU on the same task.
Modelled on d2l-ai/d2l-en chapter_recurrent-modern/gru (PyTorch tab) and its rnn-scratch
helpers. Changed: a made-up periodic character sequence instead of The Time Machine, 40 steps."""
import math

import torch
from _sync import sync
from torch import nn
from torch.nn import functional as F

text = "the cat sat on the mat and the dog sat on the log " * 8
vocab = sorted(set(text))
stoi = {c: i for i, c in enumerate(vocab)}
corpus = torch.tensor([stoi[c] for c in text])
vocab_size, num_hiddens, num_steps, batch_size = len(vocab), 24, 10, 4


def batches(step):
    starts = [(step * 37 + 53 * k) % (len(corpus) - num_steps - 1) for k in range(batch_size)]
    X = torch.stack([corpus[s:s + num_steps] for s in starts])
    Y = torch.stack([corpus[s + 1:s + num_steps + 1] for s in starts])
    return X, Y


def get_params(vocab_size, num_hiddens):
    num_inputs = num_outputs = vocab_size

    def normal(shape):
        return sync(torch.randn(size=shape)) * 0.01

    def three():
        return (normal((num_inputs, num_hiddens)), normal((num_hiddens, num_hiddens)),
                torch.zeros(num_hiddens))

    W_xz, W_hz, b_z = three()
    W_xr, W_hr, b_r = three()
    W_xh, W_hh, b_h = three()
    W_hq = normal((num_hiddens, num_outputs))
    b_q = torch.zeros(num_outputs)
    params = [W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h, W_hq, b_q]
    for param in params:
        param.requires_grad_(True)
    return params


def init_gru_state(batch_size, num_hiddens):
    return (torch.zeros((batch_size, num_hiddens)), )


def gru(inputs, state, params):
    W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h, W_hq, b_q = params
    H, = state
    outputs = []
    for X in inputs:
        Z = torch.sigmoid((X @ W_xz) + (H @ W_hz) + b_z)
        R = torch.sigmoid((X @ W_xr) + (H @ W_hr) + b_r)
        H_tilda = torch.tanh((X @ W_xh) + ((R * H) @ W_hh) + b_h)
        H = Z * H + (1 - Z) * H_tilda
        Y = H @ W_hq + b_q
        outputs.append(Y)
    return torch.cat(outputs, dim=0), (H,)


def grad_clipping(params, theta):
    norm = torch.sqrt(sum(torch.sum((p.grad ** 2)) for p in params))
    if norm > theta:
        for param in params:
            param.grad[:] *= theta / norm
    return norm


params = get_params(vocab_size, num_hiddens)
loss = nn.CrossEntropyLoss()
lr = 1.0
for step in range(40):
    X, Y = batches(step)
    state = init_gru_state(batch_size, num_hiddens)
    y_hat, state = gru(F.one_hot(X.T, vocab_size).type(torch.float32), state, params)
    y = Y.T.reshape(-1)
    l = loss(y_hat, y.long()).mean()
    for p in params:
        p.grad = None
    l.backward()
    norm = grad_clipping(params, 1)
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad
    if step % 10 == 9:
        print(f'step {step + 1}: perplexity {math.exp(l.item()):.3f}, grad norm {float(norm):.4f}')


def predict(prefix, num_preds):
    state = init_gru_state(1, num_hiddens)
    outputs = [stoi[prefix[0]]]
    get_input = lambda: torch.tensor([outputs[-1]]).reshape((1, 1))  # noqa: E731
    for y in prefix[1:]:
        _, state = gru(F.one_hot(get_input().T, vocab_size).float(), state, params)
        outputs.append(stoi[y])
    for _ in range(num_preds):
        y, state = gru(F.one_hot(get_input().T, vocab_size).float(), state, params)
        outputs.append(int(y.argmax(dim=1).reshape(1)))
    return ''.join([vocab[i] for i in outputs])


print(predict('the ', 12))

gru_layer = sync(nn.GRU(vocab_size, num_hiddens))
head = sync(nn.Linear(num_hiddens, vocab_size))
opt = torch.optim.SGD(list(gru_layer.parameters()) + list(head.parameters()), lr=1.0)
for step in range(20):
    X, Y = batches(step)
    out, h = gru_layer(F.one_hot(X.T, vocab_size).float())
    l = loss(head(out.reshape(-1, num_hiddens)), Y.T.reshape(-1))
    opt.zero_grad()
    l.backward()
    nn.utils.clip_grad_norm_(list(gru_layer.parameters()) + list(head.parameters()), 1.0)
    opt.step()
print(f'nn.GRU perplexity {math.exp(l.item()):.3f}', h.shape)
