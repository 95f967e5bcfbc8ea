"""Under- and over-fitting: fit polynomials of degree 1, 3 and 15 to 20 noisy samples of sin(x).
Degree 1 underfits (high error everywhere), degree 3 fits, degree 15 overfits (lowest training
error, huge error on held-out points between and beyond the training samples).

The features are polynomials orthonormalised on the training set (QR), which makes the
mean-squared-error surface perfectly round: plain gradient descent then converges to the
least-squares fit in a few dozen steps whatever the degree.

    python examples/deck/04_fitting.py
"""

from __future__ import annotations

import numpy as np

import autograd_nn as torch
from autograd_nn import nn


def make_data(n_train: int = 20, n_test: int = 500, noise: float = 0.1, seed: int = 0):
    """x in [0, 5], y = sin(x) + noise; returns (x_train, y_train, x_test, y_test) arrays."""
    rng = np.random.default_rng(seed)
    x = np.sort(5 * rng.random(n_train))
    xt = 5 * rng.random(n_test)
    return x, np.sin(x) + rng.normal(0, noise, n_train), xt, np.sin(xt) + rng.normal(0, noise,
                                                                                   n_test)


def poly_features(x: np.ndarray, degree: int) -> np.ndarray:
    """Chebyshev polynomials T_0..T_degree of x mapped from [0, 5] to [-1, 1]: (N, degree+1)."""
    return np.polynomial.chebyshev.chebvander(x / 2.5 - 1, degree)


def fit_polynomial(x: np.ndarray, y: np.ndarray, degree: int, steps: int = 60):
    """Least-squares polynomial fit by gradient descent on the MSE. Returns ``predict(x)``."""
    q, r = np.linalg.qr(poly_features(x, degree))  # orthonormal training features
    model = nn.Linear(degree + 1, 1, bias=False).double()
    # MSE = |Qw - y|^2 / N has Hessian 2 I / N: lr = N / 4 halves the error every step
    optimizer = torch.optim.SGD(model.parameters(), lr=len(x) / 4)
    inputs, targets = torch.tensor(q), torch.tensor(y).unsqueeze(1)
    for _ in range(steps):
        optimizer.zero_grad()
        nn.functional.mse_loss(model(inputs), targets).backward()
        optimizer.step()

    def predict(x_new: np.ndarray) -> np.ndarray:
        feats = torch.tensor(np.linalg.solve(r.T, poly_features(x_new, degree).T).T)
        with torch.no_grad():
            return model(feats).squeeze(1).numpy()

    return predict


def rmse(pred: np.ndarray, y: np.ndarray) -> float:
    return float(np.sqrt(np.mean((pred - y) ** 2)))


def compare_degrees(degrees=(1, 3, 15), seed: int = 0) -> dict[int, tuple[float, float]]:
    """{degree: (training RMSE, held-out RMSE)}."""
    x, y, xt, yt = make_data(seed=seed)
    out = {}
    for d in degrees:
        predict = fit_polynomial(x, y, d)
        out[d] = (rmse(predict(x), y), rmse(predict(xt), yt))
    return out


def main() -> None:
    for d, (tr, te) in compare_degrees().items():
        verdict = {1: "underfits", 3: "good fit", 15: "overfits"}.get(d, "")
        print(f"degree {d:2d}: train RMSE {tr:.4f}  held-out RMSE {te:10.4f}  {verdict}")


if __name__ == "__main__":
    main()
