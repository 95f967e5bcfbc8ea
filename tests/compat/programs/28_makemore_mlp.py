"""makemore part 2: an MLP character model (Bengio et al. 2003): an embedding table indexed
with a (N, 3) tensor, tanh hidden layer, cross-entropy, minibatches, a learning-rate sweep
tensor, train/dev/test splits, sampling.
Modelled on karpathy/nn-zero-to-hero lectures/makemore/makemore_part2_mlp.ipynb. Changed:
made-up names instead of names.txt, 300 steps."""
import random

import torch
import torch.nn.functional as F
from _sync import sync

random.seed(42)
syll = ["an", "el", "ia", "mar", "ka", "lo", "ri", "sa", "be", "th", "ol", "em", "ja", "ne"]
words = ["".join(random.choice(syll) for _ in range(random.randint(1, 3))) for _ in range(400)]
chars = sorted(list(set(''.join(words))))
stoi = {s: i + 1 for i, s in enumerate(chars)}
stoi['.'] = 0
itos = {i: s for s, i in stoi.items()}
vocab = len(itos)
block_size = 3


def build_dataset(words):
    X, Y = [], []
    for w in words:
        context = [0] * block_size
        for ch in w + '.':
            ix = stoi[ch]
            X.append(context)
            Y.append(ix)
            context = context[1:] + [ix]
    X = torch.tensor(X)
    Y = torch.tensor(Y)
    print(X.shape, Y.shape)
    return X, Y


random.shuffle(words)
n1 = int(0.8 * len(words))
n2 = int(0.9 * len(words))
Xtr, Ytr = build_dataset(words[:n1])
Xdev, Ydev = build_dataset(words[n1:n2])
Xte, Yte = build_dataset(words[n2:])
g = torch.Generator().manual_seed(2147483647)
C = sync(torch.randn((vocab, 10), generator=g))
W1 = sync(torch.randn((30, 200), generator=g))
b1 = sync(torch.randn(200, generator=g))
W2 = sync(torch.randn((200, vocab), generator=g))
b2 = sync(torch.randn(vocab, generator=g))
parameters = [C, W1, b1, W2, b2]
print(sum(p.nelement() for p in parameters))
for p in parameters:
    p.requires_grad = True
lre = torch.linspace(-3, 0, 1000)
lrs = 10**lre
print(lrs[0].item(), lrs[-1].item())
lri = []
lossi = []
stepi = []
for i in range(300):
    ix = sync(torch.randint(0, Xtr.shape[0], (32,)))
    emb = C[Xtr[ix]]
    h = torch.tanh(emb.view(-1, 30) @ W1 + b1)
    logits = h @ W2 + b2
    loss = F.cross_entropy(logits, Ytr[ix])
    for p in parameters:
        p.grad = None
    loss.backward()
    lr = 0.1 if i < 200 else 0.01
    for p in parameters:
        p.data += -lr * p.grad
    stepi.append(i)
    lossi.append(loss.log10().item())
print(loss.item(), sum(lossi) / len(lossi))
emb = C[Xtr]
h = torch.tanh(emb.view(-1, 30) @ W1 + b1)
logits = h @ W2 + b2
loss = F.cross_entropy(logits, Ytr)
print(loss)
emb = C[Xdev]
h = torch.tanh(emb.view(-1, 30) @ W1 + b1)
logits = h @ W2 + b2
loss = F.cross_entropy(logits, Ydev)
print(loss)
g = torch.Generator().manual_seed(2147483647 + 10)
for _ in range(5):
    out = []
    context = [0] * block_size
    while True:
        emb = C[torch.tensor([context])]
        h = torch.tanh(emb.view(1, -1) @ W1 + b1)
        logits = h @ W2 + b2
        probs = F.softmax(logits, dim=1)
        ix = sync(torch.multinomial(probs, num_samples=1, generator=g)).item()
        context = context[1:] + [ix]
        out.append(ix)
        if ix == 0:
            break
    print(''.join(itos[i] for i in out))
