"""One PyTorch-style training script, run twice: with ``import torch`` and with
``import autograd_nn as torch``. Only the weights' initial values are copied across (the two
libraries' random generators differ); everything else (model, DataLoader, losses, optimizer,
scheduler, clipping, a checkpoint save/load in the middle, eval) is the same code, and the
printed lines must be identical."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_nn

torch_ = pytest.importorskip("torch")

_R = np.random.default_rng(0)
X = _R.standard_normal((96, 6))
Y = (X[:, 0] * 2 - X[:, 1] + 0.5 * X[:, 2] ** 2 > 0.3).astype(np.int64) + \
    (X[:, 3] > 0.8).astype(np.int64)  # 3 classes


def script(torch, init: dict | None, tmp_path) -> tuple[list[str], dict, dict]:
    """The user's script; ``torch`` is whichever library was imported as torch. Returns the
    printed lines, the final and the initial state dict (as NumPy)."""
    nn, F = torch.nn, torch.nn.functional
    from collections import OrderedDict

    torch.manual_seed(0)
    model = nn.Sequential(OrderedDict([
        ("fc1", nn.Linear(6, 16)), ("act", nn.GELU(approximate="tanh")),
        ("drop", nn.Dropout(0.0)), ("fc2", nn.Linear(16, 16)), ("act2", nn.Tanh()),
        ("head", nn.Linear(16, 3)),
    ])).double()
    if init is not None:  # the one line that is not the user's: the other library's init
        model.load_state_dict({k: torch.tensor(v) for k, v in init.items()})
    first = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    ds = torch.utils.data.TensorDataset(torch.tensor(X), torch.tensor(Y))
    train, test = torch.utils.data.Subset(ds, range(72)), torch.utils.data.Subset(ds, range(72, 96))
    loader = torch.utils.data.DataLoader(train, batch_size=10, drop_last=False)
    opt = torch.optim.SGD([{"params": [p for n, p in model.named_parameters() if "bias" not in n],
                            "weight_decay": 1e-3},
                           {"params": [p for n, p in model.named_parameters() if "bias" in n]}],
                          lr=0.2, momentum=0.9, nesterov=True)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.05, weight=torch.tensor([1.0, 2.0, 1.5],
                                                                             dtype=torch.float64))
    lines = [f"batches/epoch {len(loader)}  params {sum(p.numel() for p in model.parameters())}"]
    for epoch in range(4):
        model.train()
        total, norms = 0.0, []
        for xb, yb in loader:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb) + 0.01 * F.mse_loss(model.fc1.weight,
                                                              torch.zeros_like(model.fc1.weight))
            loss.backward()
            norms.append(nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0).item())
            opt.step()
            total += loss.item() * len(yb)
        sched.step()
        if epoch == 1:  # checkpoint round trip through the library's own save/load
            path = tmp_path / f"ck_{torch.__name__}.pt"
            torch.save({"model": model.state_dict(), "opt": opt.state_dict(),
                        "sched": sched.state_dict()}, path, pickle_protocol=2)
            ck = torch.load(path, map_location="cpu", weights_only=True)
            model.load_state_dict(ck["model"])
            opt.load_state_dict(ck["opt"])
            sched.load_state_dict(ck["sched"])
        model.eval()
        with torch.no_grad():
            xt = torch.stack([test[i][0] for i in range(len(test))])
            yt = torch.stack([test[i][1] for i in range(len(test))])
            logits = model(xt)
            acc = (logits.argmax(dim=1) == yt).float().mean().item()
            nll = F.nll_loss(F.log_softmax(logits, dim=1), yt).item()
        lines.append(f"epoch {epoch}: loss {total / len(train):.10f} max-norm {max(norms):.10f} "
                     f"lr {sched.get_last_lr()[0]:.6f} test acc {acc:.4f} nll {nll:.10f}")
    return lines, {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}, first


def test_same_script_prints_the_same_numbers(tmp_path):
    ref, ref_sd, torch_init = script(torch_, None, tmp_path)
    got, got_sd, _ = script(autograd_nn, torch_init, tmp_path)
    assert got == ref, "\n".join(f"{a}\n{b}" for a, b in zip(got, ref))
    for k, v in ref_sd.items():
        np.testing.assert_allclose(got_sd[k], v, rtol=1e-9, atol=1e-12, err_msg=k)
    assert float(ref[-1].split("test acc ")[1].split()[0]) > 0.5  # it learned something
    assert float(ref[1].split("max-norm ")[1].split()[0]) > 1.0  # and clipping did clip


Z = _R.standard_normal((64, 5))
T = np.stack([(Z[:, 0] + Z[:, 1] > 0), (Z[:, 2] * Z[:, 3] > 0.2), (Z[:, 4] < -0.5)], 1)
T = T.astype(np.float64)


def script2(torch, init: dict | None) -> tuple[list[str], dict]:
    """Multi-label script: a custom Module with a buffer, a ParameterList and a forward hook,
    a map-style Dataset of dicts with NumPy values, BCEWithLogits with pos_weight, AdamW with a
    frozen layer, gradient accumulation over two batches, OneCycleLR then ReduceLROnPlateau."""
    nn = torch.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Sequential(nn.Linear(5, 12), nn.SiLU(), nn.LayerNorm(12))
            self.frozen = nn.Linear(12, 12)
            self.scales = nn.ParameterList([nn.Parameter(torch.ones(12, dtype=torch.float64))])
            self.out = nn.Linear(12, 3)
            self.register_buffer("calls", torch.zeros((), dtype=torch.int64))

        def forward(self, x):
            self.calls += 1
            h = self.body(x)
            return self.out(torch.tanh(self.frozen(h)) * self.scales[0] + h)

    class Records(torch.utils.data.Dataset):
        def __len__(self):
            return len(Z)

        def __getitem__(self, i):
            return {"x": Z[i], "y": T[i], "id": i}

    torch.manual_seed(0)
    model = Net().double()
    if init is not None:
        model.load_state_dict({k: torch.tensor(v) for k, v in init.items()})
    first = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    model.frozen.requires_grad_(False)
    seen = []
    model.out.register_forward_hook(lambda m, a, o: seen.append(float(o.detach().abs().max())))
    loader = torch.utils.data.DataLoader(Records(), batch_size=8,
                                         sampler=torch.utils.data.SequentialSampler(range(64)))
    trainable = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(trainable, lr=3e-3, weight_decay=0.05, amsgrad=True)
    cycle = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-2, total_steps=13,
                                                anneal_strategy="linear")
    plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="min", patience=0,
                                                         factor=0.5)
    loss_fn = nn.BCEWithLogitsLoss(pos_weight=torch.tensor([1.0, 3.0, 0.5], dtype=torch.float64))
    lines = [f"trainable {sum(p.numel() for p in trainable)} of "
             f"{sum(p.numel() for p in model.parameters())}, batches {len(loader)}"]
    for epoch in range(5):
        total = 0.0
        opt.zero_grad(set_to_none=True)
        for step, batch in enumerate(loader):
            loss = loss_fn(model(batch["x"]), batch["y"]) / 2
            loss.backward()  # accumulate two batches per update
            total += loss.item()
            if step % 2 == 1:
                opt.step()
                opt.zero_grad()
                if epoch < 3:
                    cycle.step()
        if epoch >= 3:
            plateau.step(total)
        with torch.no_grad():
            probs = torch.sigmoid(model(torch.tensor(Z)))
            acc = ((probs > 0.5).double() == torch.tensor(T)).double().mean().item()
        lines.append(f"epoch {epoch}: loss {total:.10f} lr {opt.param_groups[0]['lr']:.8e} "
                     f"acc {acc:.4f} calls {int(model.calls)} last-hook {seen[-1]:.8f}")
    return lines, first


def test_second_script_prints_the_same_numbers():
    ref, torch_init = script2(torch_, None)
    got, _ = script2(autograd_nn, torch_init)
    assert got == ref, "\n".join(f"{a}\n{b}" for a, b in zip(got, ref))
    assert float(ref[-1].split("acc ")[1].split()[0]) > 0.6


U = _R.standard_normal((80, 4))
V = np.c_[np.sin(U[:, 0]) + U[:, 1] ** 2, U[:, 2] * U[:, 3] - U[:, 0]]


def script3(torch, init: dict | None) -> tuple[list[str], dict]:
    """Regression with early stopping: deterministic custom init through ``apply``, RMSprop
    (centered, momentum), a layer unfrozen mid-run with ``add_param_group`` (its own lr and
    weight decay), MultiStepLR, clip_grad_value_, Huber + SmoothL1 + L1 losses, best-weights
    restore from a deep-copied state dict, and a non-strict load into a wider model."""
    import copy

    nn, F = torch.nn, torch.nn.functional

    def build():
        return nn.Sequential(nn.Linear(4, 10), nn.ELU(alpha=0.5), nn.Linear(10, 10),
                             nn.LeakyReLU(0.1), nn.Linear(10, 2)).double()

    torch.manual_seed(0)
    model = build()
    if init is not None:
        model.load_state_dict({k: torch.tensor(v) for k, v in init.items()})
    first = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}

    def custom_init(m):
        if isinstance(m, nn.Linear) and m.out_features == 10 and m.in_features == 10:
            nn.init.eye_(m.weight)
            nn.init.constant_(m.bias, 0.01)

    model.apply(custom_init)
    model[0].requires_grad_(False)
    opt = torch.optim.RMSprop([p for p in model.parameters() if p.requires_grad], lr=0.01,
                              momentum=0.5, centered=True)
    sched = torch.optim.lr_scheduler.MultiStepLR(opt, milestones=[4, 7], gamma=0.3)
    x, y = torch.tensor(U[:60]), torch.tensor(V[:60])
    xv, yv = torch.tensor(U[60:]), torch.tensor(V[60:])
    best, best_state, lines = float("inf"), None, []
    for epoch in range(10):
        if epoch == 3:  # unfreeze the first layer with its own options
            model[0].requires_grad_(True)
            opt.add_param_group({"params": list(model[0].parameters()), "lr": 0.003,
                                 "weight_decay": 0.01})
        model.train()
        for i in range(0, 60, 20):
            model.zero_grad(set_to_none=False)
            pred = model(x[i:i + 20])
            loss = F.huber_loss(pred, y[i:i + 20], delta=0.5) + \
                0.1 * F.smooth_l1_loss(pred, y[i:i + 20], beta=0.2) + \
                0.05 * nn.L1Loss(reduction="sum")(pred, y[i:i + 20]) / 20
            loss.backward()
            nn.utils.clip_grad_value_(model.parameters(), 0.5)
            opt.step()
        sched.step()
        model.eval()
        with torch.no_grad():
            val = F.mse_loss(model(xv), yv).item()
        if val < best:
            best, best_state = val, copy.deepcopy(model.state_dict())
        lines.append(f"epoch {epoch}: train {loss.item():.10f} val {val:.10f} "
                     f"lrs {[round(g['lr'], 10) for g in opt.param_groups]}")
    model.load_state_dict(best_state)
    with torch.no_grad():
        lines.append(f"restored val {F.mse_loss(model(xv), yv).item():.10f} (best {best:.10f})")
    wider = nn.Sequential(build(), nn.Tanh())
    res = wider.load_state_dict({"0." + k: v for k, v in best_state.items()} |
                                {"extra.w": torch.zeros(1)}, strict=False)
    lines.append(f"missing {res.missing_keys} unexpected {res.unexpected_keys}")
    return lines, first


def test_third_script_prints_the_same_numbers():
    ref, torch_init = script3(torch_, None)
    got, _ = script3(autograd_nn, torch_init)
    assert got == ref, "\n".join(f"{a}\n{b}" for a, b in zip(got, ref))
    vals = [float(line.split("val ")[1].split()[0]) for line in ref[:10]]
    assert min(vals) < 0.7 * vals[0]  # it learned
