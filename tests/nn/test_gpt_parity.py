"""A nanoGPT-style model (token + position embeddings, pre-norm blocks of causal
self-attention through F.scaled_dot_product_attention and a GELU MLP, weight tying) written
once against a module namespace and run under PyTorch and under autograd_nn with the same
weights: the loss and every parameter gradient agree (float64 1e-10), and three AdamW steps
follow PyTorch's trajectory."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_nn as an
from autograd_nn.serialization import from_torch_state_dict

torch = pytest.importorskip("torch")


def make_gpt(lib, vocab=11, block=8, n_embd=16, n_head=2, n_layer=2):
    nn, F = lib.nn, lib.nn.functional

    class CausalSelfAttention(nn.Module):
        def __init__(self):
            super().__init__()
            self.c_attn = nn.Linear(n_embd, 3 * n_embd)
            self.c_proj = nn.Linear(n_embd, n_embd)

        def forward(self, x):
            B, T, C = x.size()
            q, k, v = self.c_attn(x).split(n_embd, dim=2)
            q, k, v = (t.view(B, T, n_head, C // n_head).transpose(1, 2) for t in (q, k, v))
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=None, dropout_p=0.0,
                                               is_causal=True)
            return self.c_proj(y.transpose(1, 2).contiguous().view(B, T, C))

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln_1 = nn.LayerNorm(n_embd)
            self.attn = CausalSelfAttention()
            self.ln_2 = nn.LayerNorm(n_embd)
            self.mlp = nn.Sequential(nn.Linear(n_embd, 4 * n_embd), nn.GELU(),
                                     nn.Linear(4 * n_embd, n_embd))

        def forward(self, x):
            x = x + self.attn(self.ln_1(x))
            return x + self.mlp(self.ln_2(x))

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.wte = nn.Embedding(vocab, n_embd)
            self.wpe = nn.Embedding(block, n_embd)
            self.h = nn.ModuleList([Block() for _ in range(n_layer)])
            self.ln_f = nn.LayerNorm(n_embd)
            self.lm_head = nn.Linear(n_embd, vocab, bias=False)
            self.lm_head.weight = self.wte.weight  # weight tying, as nanoGPT

        def forward(self, idx, targets):
            pos = lib.arange(0, idx.shape[1], dtype=lib.long)
            x = self.wte(idx) + self.wpe(pos)
            for blk in self.h:
                x = blk(x)
            logits = self.lm_head(self.ln_f(x))
            return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))

    return GPT()


def test_gpt_loss_gradients_and_adamw_steps_match_torch(rng):
    torch.manual_seed(0)
    tm = make_gpt(torch).double()
    om = make_gpt(an).double()
    om.load_state_dict(from_torch_state_dict(tm))
    idx = rng.integers(0, 11, (3, 8))
    tgt = rng.integers(0, 11, (3, 8))
    o_opt = an.optim.AdamW(om.parameters(), lr=1e-2)
    t_opt = torch.optim.AdamW(tm.parameters(), lr=1e-2)
    for _ in range(3):
        o_opt.zero_grad()
        t_opt.zero_grad()
        lo = om(an.tensor(idx), an.tensor(tgt))
        lt = tm(torch.tensor(idx), torch.tensor(tgt))
        np.testing.assert_allclose(lo.item(), lt.item(), rtol=1e-10)
        lo.backward()
        lt.backward()
        tp = dict(tm.named_parameters())
        for name, p in om.named_parameters():
            np.testing.assert_allclose(p.grad.numpy(), tp[name].grad.numpy(), rtol=1e-9,
                                       atol=1e-10, err_msg=name)
        o_opt.step()
        t_opt.step()
