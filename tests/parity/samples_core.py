"""Parity samples for ops that predate the sample tables (a few, as the format's examples)."""

from parity_samples import A, I, S

SAMPLES = {
    "lerp": [S(A(3, 4), A(3, 4), 0.3), S(A(2, 3), A(3), A(2, 1))],
    "mul": [S(A(3, 4), A(4), out=A(3, 4)), S(A(3, 4), A(4)), S(A(3), 2.5), S(I(2, 3), I(3)),
            S(I(3), A(3, dtype="float32"), rtol=1e-6), S(A(3), A(2), raises=True)],
    "Tensor.add_": [S(A(3, 4), A(4), alpha=2.0)],
    "gather": [S(A(3, 4), 1, I(3, 2, low=0, high=4))],
    "sort": [S(A(3, 4), dim=1, descending=True)],
    "abs": [S(I(3, low=-3, high=3))],
}
