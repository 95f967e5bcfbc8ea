"""makemore part 1: a bigram character model by counting (an int32 count matrix, smoothing,
row normalisation, sampling with a seeded Generator, the negative log likelihood) and the
same model as a one-layer network trained by gradient descent on one-hot inputs.
Modelled on karpathy/nn-zero-to-hero lectures/makemore/makemore_part1_bigrams.ipynb.
Changed: 300 made-up names (Python's random) instead of names.txt, 30 descent steps."""
import random

import torch
import torch.nn.functional as F
from _sync import sync

random.seed(42)
syll = ["an", "el", "ia", "mar", "ka", "lo", "ri", "sa", "be", "th", "ol", "em", "ja", "ne"]
words = ["".join(random.choice(syll) for _ in range(random.randint(1, 3))) for _ in range(300)]
print(words[:10], len(words), min(len(w) for w in words), max(len(w) for w in words))

chars = sorted(list(set(''.join(words))))
stoi = {s: i + 1 for i, s in enumerate(chars)}
stoi['.'] = 0
itos = {i: s for s, i in stoi.items()}
V = len(stoi)
N = torch.zeros((V, V), dtype=torch.int32)
for w in words:
    chs = ['.'] + list(w) + ['.']
    for ch1, ch2 in zip(chs, chs[1:]):
        ix1 = stoi[ch1]
        ix2 = stoi[ch2]
        N[ix1, ix2] += 1
print(N[0, :8], N.sum().item(), N.max().item())
p = N[0].float()
p = p / p.sum()
print(p[:6])
g = torch.Generator().manual_seed(2147483647)
P = (N + 1).float()
P /= P.sum(1, keepdims=True)
print(P.shape, P[0].sum().item())
for i in range(5):
    out = []
    ix = 0
    while True:
        p = P[ix]
        ix = sync(torch.multinomial(p, num_samples=1, replacement=True, generator=g)).item()
        out.append(itos[ix])
        if ix == 0:
            break
    print(''.join(out))
log_likelihood = 0.0
n = 0
for w in words:
    chs = ['.'] + list(w) + ['.']
    for ch1, ch2 in zip(chs, chs[1:]):
        prob = P[stoi[ch1], stoi[ch2]]
        logprob = torch.log(prob)
        log_likelihood += logprob
        n += 1
print(f'{log_likelihood=}')
nll = -log_likelihood
print(f'{nll=}')
print(f'{nll/n}')

xs, ys = [], []
for w in words:
    chs = ['.'] + list(w) + ['.']
    for ch1, ch2 in zip(chs, chs[1:]):
        xs.append(stoi[ch1])
        ys.append(stoi[ch2])
xs = torch.tensor(xs)
ys = torch.tensor(ys)
num = xs.nelement()
print('number of examples: ', num)
g = torch.Generator().manual_seed(2147483647)
W = sync(torch.randn((V, V), generator=g, requires_grad=True))
for k in range(30):
    xenc = F.one_hot(xs, num_classes=V).float()
    logits = xenc @ W
    counts = logits.exp()
    probs = counts / counts.sum(1, keepdims=True)
    loss = -probs[torch.arange(num), ys].log().mean() + 0.01 * (W**2).mean()
    if k % 10 == 0:
        print(loss.item())
    W.grad = None
    loss.backward()
    W.data += -50 * W.grad
print(loss.item())
