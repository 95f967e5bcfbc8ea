"""W1-W3 in JAX: each training step one ``jax.jit`` (forward, gradient, SGD update), the
reference for what a tracing compiler with kernel fusion (XLA) does on one thread.

Same data, order and initial weights as ``workloads.py`` (whose figures the "same numbers" table
compares); the worker sets ``XLA_FLAGS`` for one thread before JAX loads. W4/W5 are not written
for JAX (reported as skipped).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import workloads as W


def _jax() -> Any:
    try:
        import jax
        import jax.numpy as jnp
    except ImportError as e:  # an optional extra
        raise W.UnavailableError("JAX is not installed (pip install autograd_nn[bench])") from e
    return jax, jnp


def w1(repeats: int) -> dict:
    jax, jnp = _jax()
    rng = np.random.default_rng(0)
    xa, wa = (rng.standard_normal((16, 16)).astype(W.F32) for _ in range(2))

    def chain(x: Any, w: Any) -> Any:
        h = x
        for _ in range(W.W1_BLOCKS):
            h = jnp.tanh(h * w + w) - h
        return h.sum()
    grad = jax.jit(jax.grad(chain, argnums=(0, 1)))
    x, w = jnp.asarray(xa), jnp.asarray(wa)

    def fwd_bwd() -> None:
        for _ in range(W.W1_ITERS):
            gx, gw = grad(x, w)
        gw.block_until_ready()
    times = W._timed(fwd_bwd, repeats, warmup=2)
    gx, gw = grad(x, w)
    rx, rw = W._w1_np(xa, wa)
    err = max(float(np.abs(np.asarray(gx) - rx).max() / (1 + np.abs(rx).max())),
              float(np.abs(np.asarray(gw) - rw).max() / (1 + np.abs(rw).max())))
    return {"times": [t / (W.W1_ITERS * W.W1_OPS) * 1e6 for t in times], "unit": "us/op",
            "grad_rel_err_vs_numpy": err}


def _mlp(jnp: Any, params: list, x: Any, hidden: str) -> Any:
    h = x
    n = len(params) // 2
    for i in range(n):
        h = h @ params[2 * i].T + params[2 * i + 1]
        if i < n - 1:
            h = jax_act(jnp, h, hidden)
    return h


def jax_act(jnp: Any, h: Any, kind: str) -> Any:
    return 1 / (1 + jnp.exp(-h)) if kind == "sigmoid" else jnp.maximum(h, 0)


def w2(repeats: int) -> dict:
    jax, jnp = _jax()
    x, y = W.w2_data()
    arrays = W.linear_init(np.random.default_rng(2), [2, 4, 1])
    perms = W.epoch_perms(len(x), W.W2_EPOCHS)

    def loss_fn(params: list, xb: Any, yb: Any) -> Any:
        p = 1 / (1 + jnp.exp(-_mlp(jnp, params, xb, "sigmoid")))
        lp = jnp.maximum(jnp.log(p), -100)
        lq = jnp.maximum(jnp.log(1 - p), -100)
        return -(yb * lp + (1 - yb) * lq).mean()

    @jax.jit
    def step(params: list, xb: Any, yb: Any) -> list:
        g = jax.grad(loss_fn)(params, xb, yb)
        return [p - W.W2_LR * gp for p, gp in zip(params, g)]
    res: dict = {}

    def run() -> None:
        params = [jnp.asarray(a) for a in arrays]
        for perm in perms:
            for i in range(0, len(x), W.W2_BATCH):
                idx = perm[i:i + W.W2_BATCH]
                params = step(params, x[idx], y[idx])
        p = 1 / (1 + np.exp(-np.asarray(_mlp(jnp, params, jnp.asarray(x), "sigmoid"))))
        res["p"] = p
    times = W._timed(run, repeats)
    p = res["p"]
    return {"times": times, "unit": "s", "final_loss": W._bce_np(p, y),
            "train_acc": float(((p > 0.5) == (y > 0.5)).mean())}


def w3(repeats: int) -> dict:
    jax, jnp = _jax()
    xtr, ytr, xte, yte = W.load_mnist()
    arrays = W.linear_init(np.random.default_rng(3), W.W3_SIZES)
    perms = W.epoch_perms(8000, W.W3_EPOCHS, seed=4)

    def loss_fn(params: list, xb: Any, yb: Any) -> Any:
        z = _mlp(jnp, params, xb, "relu")
        logp = z - jax.scipy.special.logsumexp(z, axis=1, keepdims=True)
        return -jnp.take_along_axis(logp, yb[:, None], axis=1).mean()

    @jax.jit
    def step(params: list, bufs: list, xb: Any, yb: Any) -> tuple:
        loss, g = jax.value_and_grad(loss_fn)(params, xb, yb)
        bufs = [W.W3_MOMENTUM * b + gp for b, gp in zip(bufs, g)]
        return [p - W.W3_LR * b for p, b in zip(params, bufs)], bufs, loss

    def train() -> tuple:
        params = [jnp.asarray(a) for a in arrays]
        bufs = [jnp.zeros_like(p) for p in params]  # PyTorch's first buffer is the gradient:
        ep_times, loss = [], None                     # 0.9 * 0 + g is the same
        for perm in perms:
            t0 = W.time.perf_counter()
            for i in range(0, len(perm), W.W3_BATCH):
                idx = perm[i:i + W.W3_BATCH]
                params, bufs, loss = step(params, bufs, xtr[idx], ytr[idx])
            loss.block_until_ready()
            ep_times.append(W.time.perf_counter() - t0)
        return params, float(np.mean(ep_times)), float(loss)
    train()  # warm-up (compiles both batch shapes)
    times, accs = [], []
    for _ in range(repeats):
        params, t, loss = train()
        times.append(t)
        accs.append(float((np.asarray(_mlp(jnp, params, jnp.asarray(xte), "relu")).argmax(1)
                           == yte).mean()))
    return {"times": times, "unit": "s/epoch", "test_acc": accs[-1], "last_loss": loss}


def unavailable(repeats: int) -> dict:
    raise W.UnavailableError("not written for JAX")


WORKLOADS: dict = {"w1": w1, "w2": w2, "w3": w3, "w4": unavailable, "w5": unavailable}
