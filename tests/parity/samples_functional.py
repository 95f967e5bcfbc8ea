"""Parity samples for ``torch.nn.functional`` names that predate the sample tables:
activations, losses, pooling, convolutions, normalization, dropout (deterministic settings),
embedding, attention, resampling."""

import numpy as np
from parity_samples import A, I, S, V

F = "nn.functional."
X = A(2, 3, 4)       # a small batch of sequences (N, C, L)
IMG = A(2, 3, 5, 5)  # (N, C, H, W)

SAMPLES: dict = {}


def add(name: str, *samples: S) -> None:
    SAMPLES[F + name] = list(samples)


# --- activations
for _n in ("relu", "relu6", "sigmoid", "tanh", "silu", "mish", "softsign", "tanhshrink",
           "hardswish", "hardsigmoid", "logsigmoid", "selu"):
    add(_n, S(A(3, 4)), S(A(5, dtype="float32")))
add("gelu", S(A(3, 4)), S(A(3, 4), approximate="tanh"))
add("elu", S(A(3, 4)), S(A(3, 4), alpha=0.5))
add("celu", S(A(3, 4)), S(A(3, 4), alpha=2.0), S(A(3), alpha=0.0, raises=True))
add("leaky_relu", S(A(3, 4)), S(A(3, 4), 0.2))
add("hardtanh", S(A(3, 4)), S(A(3, 4), -0.5, 0.5), S(A(3), 1.0, -1.0, raises=True))
add("softplus", S(A(3, 4)), S(A(3, 4), beta=2.0, threshold=1.0))
add("softshrink", S(A(3, 4)), S(A(3, 4), 0.3))
add("hardshrink", S(A(3, 4)), S(A(3, 4), 0.3))
add("threshold", S(A(3, 4), 0.1, -1.0))
add("glu", S(A(3, 4)), S(A(4, 2), 0), S(A(3, 3), raises=True))
add("prelu", S(A(2, 3, 4), A(3)), S(A(2, 3), A(1)))
add("rrelu", S(A(3, 4)), S(A(3, 4), 0.1, 0.2, training=False))
for _n in ("softmax", "log_softmax", "softmin"):
    add(_n, S(A(3, 4), dim=1), S(A(2, 3, 4), dim=0), S(A(3, 4), dim=-1, dtype="dtype:float64"))
add("normalize", S(A(3, 4)), S(A(3, 4), p=1.0, dim=0), S(A(2, 3, 4), dim=-1))
add("one_hot", S(I(5, low=0, high=4)), S(I(2, 3, low=0, high=3), 5),
    S(I(3, low=0, high=5), 3, raises=True))
add("gumbel_softmax", S(A(3, 4), grad=False, check=lambda o, t: np.testing.assert_allclose(
    o.detach().numpy().sum(-1), 1.0, rtol=1e-6)))
add("relu_", S(A(3, 4)))
add("elu_", S(A(3, 4)))
add("leaky_relu_", S(A(3, 4), 0.1))
add("hardtanh_", S(A(3, 4)))
add("threshold_", S(A(3, 4), 0.1, -1.0))
add("rrelu_", S(A(3, 4), training=False))

# --- losses
_reds = ("mean", "sum", "none")
for _n in ("mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"):
    add(_n, *[S(A(3, 4), A(3, 4), reduction=r) for r in _reds])
add("soft_margin_loss", *[S(A(3, 4), A(3, 4, grad=False), reduction=r) for r in _reds],
    S(A(3, 4), A(3, 4), raises=True), S(A(3, 4, grad=False), A(3, 4), raises=True))
SAMPLES[F + "smooth_l1_loss"].append(S(A(3, 4), A(3, 4), beta=0.5))
SAMPLES[F + "huber_loss"].append(S(A(3, 4), A(3, 4), delta=0.5))
add("cross_entropy", S(A(4, 5), I(4, low=0, high=5)),
    S(A(4, 5), I(4, low=0, high=5), reduction="sum", label_smoothing=0.1),
    S(A(2, 5, 3), I(2, 3, low=0, high=5), ignore_index=1),
    S(A(4, 5), A(4, 5, domain="pos", grad=False)),
    S(A(4, 5), I(4, low=0, high=5), weight=A(5, domain="pos", grad=False)),
    S(A(4, 5), I(4, low=5, high=6), raises=True),
    S(A(4, 5), I(4, low=0, high=5), weight=A(5, domain="pos"), raises=True),
    S(A(4, 5), A(4, 5, domain="pos"), weight=A(5, domain="pos")))
add("nll_loss", S(A(4, 5), I(4, low=0, high=5)), S(A(4, 5), I(4, low=0, high=5),
                                                   reduction="none", ignore_index=2),
    S(A(2, 5, 3), I(2, 3, low=0, high=5), weight=A(5, domain="pos", grad=False)),
    S(A(4, 5), I(4, low=0, high=5), weight=A(5, domain="pos"), raises=True),
    S(A(2, 5, 3), I(2, 3, low=0, high=5), weight=A(5, domain="pos"), raises=True))
add("binary_cross_entropy", S(V(np.full((3, 4), 0.3), grad=True), V(np.eye(3, 4))),
    S(V(np.linspace(0.1, 0.9, 6), grad=True), V(np.linspace(0, 1, 6)), reduction="sum"),
    S(V(np.full((3, 4), 0.3), grad=True), V(np.full((3, 4), 0.6), grad=True)),
    S(V(np.full((3, 4), 0.3), grad=True), V(np.eye(3, 4)), weight=A(4, domain="pos"),
      raises=True))
add("binary_cross_entropy_with_logits", S(A(3, 4), V(np.eye(3, 4))),
    S(A(3, 4), V(np.eye(3, 4)), pos_weight=A(4, domain="pos", grad=False)),
    S(A(3, 4), V(np.eye(3, 4)), weight=A(4, domain="pos", grad=False), reduction="none"),
    S(A(3, 4), V(np.eye(3, 4)), pos_weight=A(4, domain="pos"), raises=True))
add("kl_div", S(A(3, 4), A(3, 4, domain="pos"), reduction="batchmean"),
    S(A(3, 4), A(3, 4), log_target=True, reduction="sum"))
add("gaussian_nll_loss", S(A(3, 4), A(3, 4), A(3, 4, domain="pos")),
    S(A(3, 4), A(3, 4), A(3, 1, domain="pos"), full=True, reduction="sum"))
add("poisson_nll_loss", S(A(3, 4), A(3, 4, domain="pos")),
    S(A(3, 4, domain="pos"), A(3, 4, domain="pos"), log_input=False, full=True))
add("hinge_embedding_loss", S(A(3, 4), V(np.where(np.eye(3, 4) > 0, 1.0, -1.0))))
add("margin_ranking_loss", S(A(4), A(4), V(np.array([1.0, -1.0, 1.0, -1.0])), margin=0.1))
add("cosine_embedding_loss", S(A(3, 4), A(3, 4), V(np.array([1.0, -1.0, 1.0]))))
add("multi_margin_loss", S(A(3, 4), I(3, low=0, high=4)), S(A(3, 4), I(3, low=0, high=4), p=2),
    S(A(3, 4), I(3, low=0, high=4), weight=A(4, domain="pos", grad=False)),
    S(A(3, 4), I(3, low=0, high=4), weight=A(4, domain="pos"), raises=True))
add("multilabel_margin_loss", S(A(2, 4), V(np.array([[3, 0, -1, 1], [1, 2, 3, -1]]))))
add("multilabel_soft_margin_loss", S(A(3, 4), V(np.eye(3, 4))))
add("triplet_margin_loss", S(A(3, 4), A(3, 4), A(3, 4)), S(A(3, 4), A(3, 4), A(3, 4), p=1.0,
                                                            swap=True))
add("triplet_margin_with_distance_loss", S(A(3, 4), A(3, 4), A(3, 4)))

# --- linear, bilinear, embedding
add("linear", S(A(3, 4), A(5, 4)), S(A(2, 3, 4), A(5, 4), A(5)), S(A(4), A(5, 4), A(5)),
    S(A(3, 4), A(5, 3), raises=True))
add("bilinear", S(A(3, 4), A(3, 2), A(5, 4, 2), A(5)))
add("embedding", S(I(2, 3, low=0, high=5), A(5, 4)),
    S(I(4, low=0, high=5), A(5, 4), padding_idx=1), S(I(3, low=0, high=9), A(5, 4), raises=True))
add("cosine_similarity", S(A(3, 4), A(3, 4)), S(A(3, 4), A(1, 4), dim=1))
add("pairwise_distance", S(A(3, 4), A(3, 4)), S(A(3, 4), A(3, 4), p=1.0, keepdim=True))
add("pdist", S(A(4, 3)))
add("pad", S(A(2, 3), (1, 2)), S(IMG, (1, 1, 2, 0), mode="reflect"),
    S(IMG, (1, 1, 1, 1), mode="replicate"), S(X, (2, 1), mode="circular"),
    S(A(2, 3), (1, 1), value=0.5))

# --- convolution, pooling, folding
add("conv1d", S(X, A(5, 3, 2)), S(X, A(6, 1, 3), A(6), padding=1, groups=3),
    S(X, A(5, 3, 2), stride=2, dilation=1, padding="valid"),
    S(X, A(5, 3, 3), padding="same"), S(X, A(5, 2, 2), raises=True))
add("conv2d", S(IMG, A(4, 3, 3, 3)), S(IMG, A(4, 3, 2, 2), A(4), stride=2, padding=1),
    S(IMG, A(6, 1, 3, 3), groups=3, dilation=2, padding=2))
add("conv3d", S(A(1, 2, 4, 4, 4), A(3, 2, 2, 2, 2)),
    S(A(1, 2, 4, 4, 4), A(3, 2, 3, 3, 3), A(3), padding=1))
add("conv_transpose1d", S(X, A(3, 5, 2)), S(X, A(3, 2, 3), A(2), stride=2, output_padding=1))
add("conv_transpose2d", S(IMG, A(3, 4, 3, 3)), S(IMG, A(3, 2, 2, 2), stride=2, padding=1))
add("conv_transpose3d", S(A(1, 2, 3, 3, 3), A(2, 3, 2, 2, 2)))
add("max_pool1d", S(X, 2), S(X, 3, 1, 1), S(X, 2, ceil_mode=True))
add("max_pool1d_with_indices", S(X, 2))
add("max_pool2d", S(IMG, 2), S(IMG, 3, 2, 1), S(IMG, 2, ceil_mode=True, dilation=2))
add("max_pool2d_with_indices", S(IMG, 2))
add("max_pool3d", S(A(1, 2, 4, 4, 4), 2))
add("max_pool3d_with_indices", S(A(1, 2, 4, 4, 4), 2))
add("avg_pool1d", S(X, 2), S(X, 3, 1, 1, count_include_pad=False))
add("avg_pool2d", S(IMG, 2), S(IMG, 3, 2, 1, ceil_mode=True), S(IMG, 2, divisor_override=3))
add("avg_pool3d", S(A(1, 2, 4, 4, 4), 2))
add("adaptive_avg_pool1d", S(X, 2), S(X, 3))
add("adaptive_avg_pool2d", S(IMG, 2), S(IMG, (3, 1)), S(IMG, (None, 2)))
add("adaptive_max_pool1d", S(X, 2))
add("adaptive_max_pool1d_with_indices", S(X, 3))
add("adaptive_max_pool2d", S(IMG, 2), S(IMG, (3, 1)))
add("adaptive_max_pool2d_with_indices", S(IMG, 2))
add("lp_pool1d", S(A(2, 3, 4, domain="pos"), 2, 2))
add("lp_pool2d", S(A(2, 3, 4, 4, domain="pos"), 2, 2))
add("lp_pool3d", S(A(1, 2, 4, 4, 4, domain="pos"), 2, 2))
add("unfold", S(IMG, 2), S(IMG, (2, 3), stride=2, padding=1))
add("fold", S(A(2, 12, 16), (5, 5), 2), S(A(1, 3 * 4, 9), (4, 4), 2, stride=1))
add("pixel_shuffle", S(A(1, 8, 2, 3), 2))
add("pixel_unshuffle", S(A(1, 2, 4, 6), 2))
add("channel_shuffle", S(A(1, 6, 2, 2), 3))
add("interpolate", S(IMG, scale_factor=2), S(IMG, size=(7, 3), mode="bilinear"),
    S(IMG, size=(4, 6), mode="bilinear", align_corners=True), S(X, size=7, mode="linear"),
    S(IMG, scale_factor=0.5, mode="area"), S(IMG, size=(8, 8), mode="bicubic"))
add("upsample", S(IMG, scale_factor=2))
add("upsample_nearest", S(IMG, scale_factor=2))
add("upsample_bilinear", S(IMG, size=(7, 7)))

# --- normalization, dropout (deterministic settings)
add("batch_norm", S(IMG, A(3, grad=False), A(3, domain="pos", grad=False)),
    S(IMG, A(3, grad=False), A(3, domain="pos", grad=False), A(3), A(3), training=True))
add("instance_norm", S(IMG), S(IMG, weight=A(3), bias=A(3)))
add("layer_norm", S(IMG, (5,)), S(IMG, (5, 5), A(5, 5), A(5, 5)), S(X, (4,), eps=1e-3))
add("group_norm", S(A(2, 6, 3), 3), S(A(2, 6, 3), 2, A(6), A(6)))
add("rms_norm", S(IMG, (5,)), S(IMG, (5, 5), A(5, 5)), S(X, (4,), eps=1e-3))
add("local_response_norm", S(IMG, 2), S(A(2, 4, 5), 3, alpha=1e-3))
for _n in ("dropout", "alpha_dropout", "feature_alpha_dropout", "dropout2d", "dropout3d"):
    add(_n, S(A(2, 3, 4, 4), 0.5, training=False), S(A(2, 3, 4, 4), 0.0, True))
add("dropout1d", S(A(2, 3, 4), 0.5, training=False), S(A(2, 3, 4), 0.0, True),
    S(A(2, 3, 4, 4), 0.5, raises=True))
SAMPLES[F + "dropout"].append(S(A(3, 4), 1.0, True))
SAMPLES[F + "dropout"].append(S(A(3, 4), 1.5, raises=True))

# --- attention
add("scaled_dot_product_attention", S(A(2, 3, 4), A(2, 5, 4), A(2, 5, 6)),
    S(A(2, 3, 4), A(2, 3, 4), A(2, 3, 4), is_causal=True),
    S(A(2, 3, 4), A(2, 5, 4), A(2, 5, 6), attn_mask=V(np.tril(np.ones((3, 5), bool)))),
    S(A(2, 3, 4), A(2, 5, 4), A(2, 5, 6), attn_mask=A(3, 5, grad=False), scale=0.3))
