"""Every layer's output equals Keras 3's with the same weights (set_weights), float32."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograd_nn import keras

F32 = dict(rtol=2e-5, atol=2e-6)


def _ints(rng, shape, high, zero_tail=False):
    x = rng.integers(1, high, shape)
    if zero_tail:  # post-padding: the last steps of each row are 0
        for i, n in enumerate(rng.integers(1, shape[1], shape[0])):
            x[i, n:] = 0
    return x


CASES = [
    ("Dense", dict(units=4), (3, 5)),
    ("Dense", dict(units=4, activation="relu"), (3, 5)),
    ("Dense", dict(units=2, activation="softmax", use_bias=False), (3, 6)),
    ("Dense", dict(units=3, activation="tanh"), (2, 4, 5)),
    ("Flatten", {}, (2, 3, 4, 2)),
    ("Activation", dict(activation="sigmoid"), (3, 4)),
    ("Activation", dict(activation="gelu"), (3, 4)),
    ("Activation", dict(activation="hard_sigmoid"), (3, 4)),
    ("Activation", dict(activation="selu"), (3, 4)),
    ("Activation", dict(activation="softplus"), (3, 4)),
    ("Activation", dict(activation="swish"), (3, 4)),
    ("Dropout", dict(rate=0.5), (3, 4)),
    ("Conv2D", dict(filters=4, kernel_size=3), (2, 7, 6, 3)),
    ("Conv2D", dict(filters=4, kernel_size=3, strides=2, padding="same", activation="relu"),
     (2, 7, 6, 3)),
    ("Conv2D", dict(filters=4, kernel_size=(2, 3), strides=(1, 2), padding="same"),
     (2, 6, 8, 3)),
    ("Conv2D", dict(filters=2, kernel_size=3, dilation_rate=2, padding="same"), (1, 7, 7, 2)),
    ("DepthwiseConv2D", dict(kernel_size=3, strides=2, padding="same", depth_multiplier=2),
     (2, 8, 8, 3)),
    ("MaxPooling2D", {}, (2, 6, 7, 3)),
    ("MaxPooling2D", dict(pool_size=3, strides=2, padding="same"), (2, 7, 8, 2)),
    ("MaxPooling2D", dict(pool_size=3, strides=1, padding="same"), (2, 5, 5, 2)),
    ("AveragePooling2D", dict(pool_size=2), (2, 6, 7, 3)),
    ("AveragePooling2D", dict(pool_size=3, strides=1, padding="same"), (2, 5, 5, 2)),
    ("AveragePooling2D", dict(pool_size=2, strides=2, padding="same"), (2, 5, 5, 2)),
    ("GlobalAveragePooling2D", {}, (2, 4, 5, 3)),
    ("GlobalMaxPooling2D", {}, (2, 4, 5, 3)),
    ("ZeroPadding2D", dict(padding=((0, 1), (2, 1))), (2, 3, 3, 2)),
    ("Conv1D", dict(filters=4, kernel_size=3), (2, 7, 3)),
    ("Conv1D", dict(filters=4, kernel_size=2, strides=2, padding="same", activation="relu"),
     (2, 7, 3)),
    ("MaxPooling1D", dict(pool_size=2), (2, 7, 3)),
    ("AveragePooling1D", dict(pool_size=3, strides=1, padding="same"), (2, 6, 3)),
    ("GlobalAveragePooling1D", {}, (2, 5, 3)),
    ("GlobalMaxPooling1D", {}, (2, 5, 3)),
    ("ReLU", dict(max_value=6.0), (3, 4)),
    ("ReLU", dict(negative_slope=0.1, threshold=0.5, max_value=1.5), (3, 4)),
    ("LeakyReLU", dict(negative_slope=0.2), (3, 4)),
    ("Softmax", {}, (3, 4)),
    ("Reshape", dict(target_shape=(2, -1)), (3, 4, 2)),
    ("Rescaling", dict(scale=1 / 255, offset=-0.5), (3, 4)),
    ("Permute", dict(dims=(2, 1)), (3, 4, 2)),
    ("RepeatVector", dict(n=3), (3, 4)),
    ("BatchNormalization", {}, (4, 3)),
    ("BatchNormalization", {}, (2, 3, 3, 4)),
    ("LayerNormalization", {}, (3, 5)),
    ("SimpleRNN", dict(units=4), (2, 5, 3)),
    ("SimpleRNN", dict(units=4, return_sequences=True, activation="relu"), (2, 5, 3)),
    ("LSTM", dict(units=4), (2, 5, 3)),
    ("LSTM", dict(units=4, return_sequences=True, return_state=True), (2, 5, 3)),
    ("LSTM", dict(units=3, go_backwards=True, return_sequences=True), (2, 4, 3)),
    ("GRU", dict(units=4), (2, 5, 3)),
    ("LSTM", dict(units=3, activation="relu", recurrent_activation="hard_sigmoid",
                  return_sequences=True, return_state=True), (2, 5, 3)),
    ("GRU", dict(units=3, activation="softsign", go_backwards=True, return_state=True),
     (2, 4, 3)),
    ("SimpleRNN", dict(units=3, activation="sigmoid", use_bias=False), (2, 4, 3)),
    ("SimpleRNN", dict(units=3, return_sequences=True, return_state=True), (2, 4, 3)),
    ("GRU", dict(units=4, return_sequences=True, return_state=True), (2, 5, 3)),
]


def _pair(kref, cls, kw):
    return getattr(keras.layers, cls)(**kw), getattr(kref.layers, cls)(**kw)


def _np(x):
    return np.asarray(x.detach().cpu().numpy() if hasattr(x, "detach") else x.numpy()
                      if hasattr(x, "numpy") else x)


def _as_list(out):
    return [_np(o) for o in out] if isinstance(out, (list, tuple)) else [_np(out)]


@pytest.mark.parametrize("cls,kw,shape", CASES, ids=[f"{c[0]}-{i}" for i, c in
                                                     enumerate(CASES)])
def test_layer_matches_keras(kref, rng, cls, kw, shape):
    ours, ref = _pair(kref, cls, kw)
    x = rng.standard_normal(shape).astype("float32")
    expected = _as_list(ref(x))
    ours(x)  # builds
    ref_w = ref.get_weights()
    ws = [rng.uniform(0.5, 1.5, w.shape).astype("float32") if "Normalization" in cls
          else w for w in ref_w]
    ref.set_weights(ws)
    ours.set_weights(ws)
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in ref_w]
    expected = _as_list(ref(x))
    got = _as_list(ours(x))
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        assert g.shape == e.shape
        np.testing.assert_allclose(g, e, **F32)
    # the closed-form output shape agrees with the data
    out_shape = ours.compute_output_shape((None,) + shape[1:])
    shapes = out_shape if isinstance(out_shape, list) else [out_shape]
    for s, g in zip(shapes, got):
        assert tuple(s[1:]) == g.shape[1:]


@pytest.mark.parametrize("cls", ["BatchNormalization"])
def test_batchnorm_training_step_matches_keras(kref, rng, cls):
    ours, ref = _pair(kref, cls, dict(momentum=0.9))
    x = rng.standard_normal((6, 3, 3, 4)).astype("float32") * 2 + 1
    ref(x)
    ours(x)
    ours.set_weights(ref.get_weights())
    e = _np(ref(x, training=True))
    g = _np(ours(x, training=True))
    np.testing.assert_allclose(g, e, **F32)
    for a, b in zip(ours.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(a, b, **F32)


def test_embedding_mask_lstm_matches_keras(kref, rng):
    """Embedding(mask_zero) -> LSTM / GRU / Bidirectional skip the padded steps as Keras."""
    x = _ints(rng, (4, 6), 9, zero_tail=True)
    x[1, :2] = 0  # a pre-padded row too
    for rnn_kw in (dict(cls="LSTM", units=3), dict(cls="GRU", units=3, return_sequences=True),
                   dict(cls="SimpleRNN", units=2, return_sequences=True),
                   dict(cls="LSTM", units=3, activation="elu", return_sequences=True),
                   dict(cls="GRU", units=3, recurrent_activation="hard_sigmoid"),
                   dict(cls="GlobalAveragePooling1D")):
        kw = dict(rnn_kw)
        cls = kw.pop("cls")
        ours = keras.Sequential([keras.layers.Embedding(10, 4, mask_zero=True),
                                 getattr(keras.layers, cls)(**kw)])
        ref = kref.Sequential([kref.layers.Embedding(10, 4, mask_zero=True),
                               getattr(kref.layers, cls)(**kw)])
        ref(x)
        ours(x)
        ours.set_weights(ref.get_weights())
        np.testing.assert_allclose(_np(ours(x)), _np(ref(x)), **F32)


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "ave", "mul"])
def test_bidirectional_matches_keras(kref, rng, merge_mode):
    x = _ints(rng, (3, 5), 9, zero_tail=True)
    for seq in (False, True):
        ours = keras.Sequential([
            keras.layers.Embedding(10, 4, mask_zero=True),
            keras.layers.Bidirectional(keras.layers.LSTM(3, return_sequences=seq),
                                       merge_mode=merge_mode)])
        ref = kref.Sequential([
            kref.layers.Embedding(10, 4, mask_zero=True),
            kref.layers.Bidirectional(kref.layers.LSTM(3, return_sequences=seq),
                                      merge_mode=merge_mode)])
        ref(x)
        ours(x)
        assert [w.shape for w in ours.get_weights()] == [w.shape for w in ref.get_weights()]
        ours.set_weights(ref.get_weights())
        np.testing.assert_allclose(_np(ours(x)), _np(ref(x)), **F32)


@pytest.mark.parametrize("cls", ["Concatenate", "Add", "Subtract", "Multiply", "Average",
                                 "Maximum", "Minimum"])
def test_merge_layers_match_keras(kref, rng, cls):
    a, b = (rng.standard_normal((3, 4)).astype("float32") for _ in range(2))
    ours, ref = _pair(kref, cls, {})
    np.testing.assert_allclose(_np(ours([a, b])), _np(ref([a, b])), **F32)


def test_lstm_weight_layout_is_keras(kref):
    lstm = keras.layers.LSTM(5)
    lstm(np.zeros((1, 2, 3), "float32"))
    k, rk, b = lstm.get_weights()
    assert k.shape == (3, 20) and rk.shape == (5, 20) and b.shape == (20,)
    # unit_forget_bias: the f gate (second quarter) starts at 1, the others at 0
    np.testing.assert_array_equal(b, np.r_[np.zeros(5), np.ones(5), np.zeros(10)])
    # orthogonal recurrent kernel: rows orthonormal (u x 4u)
    np.testing.assert_allclose(rk @ rk.T, np.eye(5), atol=1e-5)
    gru = keras.layers.GRU(4)
    gru(np.zeros((1, 2, 3), "float32"))
    assert [w.shape for w in gru.get_weights()] == [(3, 12), (4, 12), (2, 12)]


def test_embedding_input_length_builds_at_once(kref):
    emb = keras.layers.Embedding(1000, 16, input_length=20)
    assert emb.built and emb.get_weights()[0].shape == (1000, 16)
    w = emb.get_weights()[0]
    assert np.abs(w).max() <= 0.05 and w.std() > 0.02  # U(-0.05, 0.05)


def test_glorot_uniform_default_has_keras_limit():
    d = keras.layers.Dense(300)
    d(np.zeros((1, 200), "float32"))
    k, b = d.get_weights()
    limit = np.sqrt(6 / (200 + 300))
    assert np.abs(k).max() <= limit and np.abs(k).max() > 0.99 * limit
    np.testing.assert_allclose(k.var(), limit ** 2 / 3, rtol=0.05)
    assert not b.any()


def test_layer_errors():
    d = keras.layers.Dense(3)
    d(np.zeros((2, 4), "float32"))
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 4"):
        d(np.zeros((2, 5), "float32"))
    with pytest.raises(ValueError, match="positive integer"):
        keras.layers.Dense(0)
    with pytest.raises(TypeError, match="unrecognized keyword arguments"):
        keras.layers.Dense(3, bogus=1)
    with pytest.raises(ValueError, match="expects 2 weight"):
        d.set_weights([np.zeros((4, 3))])
    with pytest.raises(ValueError, match=r"weight shape \(4, 3\) is not compatible"):
        d.set_weights([np.zeros((3, 3)), np.zeros(3)])
    with pytest.raises(ValueError, match="expected ndim=4"):
        keras.layers.Conv2D(2, 3)(np.zeros((2, 5, 5), "float32"))
    with pytest.raises(IndexError, match="out of range for input_dim=5"):
        keras.layers.Embedding(5, 2)(np.array([[1, 5]]))
    with pytest.raises(ValueError, match="padding"):
        keras.layers.Conv2D(2, 3, padding="full")


@pytest.mark.parametrize("cls", ["LSTM", "GRU", "SimpleRNN"])
def test_recurrent_dropout(kref, rng, cls):
    """Inference ignores the dropouts (equal to Keras); in training, a zero recurrent mask
    leaves only the input path: the output equals a recurrent kernel of zeros."""
    x = rng.standard_normal((3, 5, 4)).astype("float32")
    ours = getattr(keras.layers, cls)(3, dropout=0.3, recurrent_dropout=0.4)
    ref = getattr(kref.layers, cls)(3, dropout=0.3, recurrent_dropout=0.4)
    ref(x)
    ours(x)
    ours.set_weights(ref.get_weights())
    np.testing.assert_allclose(_np(ours(x)), _np(ref(x)), **F32)
    keras.utils.set_random_seed(3)
    a = _np(ours(x, training=True))
    keras.utils.set_random_seed(3)
    b = _np(ours(x, training=True))
    np.testing.assert_array_equal(a, b)  # seeded
    assert not np.allclose(a, _np(ours(x)))
    ours.dropout, ours.recurrent_dropout = 0.0, 1 - 1e-12  # the mask drops every unit
    w = ours.get_weights()
    no_rec = getattr(keras.layers, cls)(3)
    no_rec(x)
    no_rec.set_weights([w[0], np.zeros_like(w[1])] + w[2:])
    np.testing.assert_allclose(_np(ours(x, training=True)), _np(no_rec(x)), **F32)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(h=st.integers(3, 9), w=st.integers(3, 9), k=st.integers(1, 4), s=st.integers(1, 3),
       d=st.integers(1, 2), padding=st.sampled_from(["valid", "same"]),
       layer=st.sampled_from(["Conv2D", "DepthwiseConv2D", "MaxPooling2D",
                              "AveragePooling2D"]))
def test_drawn_spatial_layers_match_keras(kref, h, w, k, s, d, padding, layer):
    """Random sizes, kernels, strides, dilations and paddings (the 'same' padding split)."""
    if layer in ("MaxPooling2D", "AveragePooling2D"):
        kw = dict(pool_size=k, strides=s, padding=padding)
        d = 1
    else:
        kw = dict(kernel_size=k, padding=padding)
        kw.update(dilation_rate=d) if s == 1 else kw.update(strides=s)
        if layer == "Conv2D":
            kw["filters"] = 2
    if padding == "valid" and (min(h, w) < (k - 1) * d + 1):
        return
    x = np.random.default_rng(h * 100 + w).standard_normal((2, h, w, 3)).astype("float32")
    ours, ref = getattr(keras.layers, layer)(**kw), getattr(kref.layers, layer)(**kw)
    e = _np(ref(x))
    ours(x)
    ours.set_weights(ref.get_weights())
    g = _np(ours(x))
    assert g.shape == e.shape == (2,) + tuple(ours.compute_output_shape((None, h, w, 3))[1:])
    np.testing.assert_allclose(g, e, **F32)


def test_lambda_layer_in_functional_model(kref, rng):
    x = rng.standard_normal((3, 4)).astype("float32")
    i = keras.Input(shape=(4,))
    y = keras.layers.Lambda(lambda t: t[:, :2] * 2.0)(i)
    assert y.shape == (None, 2)
    m = keras.Model(i, keras.layers.Dense(1)(y))
    ri = kref.Input(shape=(4,))
    ref = kref.Model(ri, kref.layers.Dense(1)(kref.layers.Lambda(lambda t: t[:, :2] * 2.0)(ri)))
    m.set_weights(ref.get_weights())
    np.testing.assert_allclose(m.predict(x, verbose=0), ref.predict(x, verbose=0), **F32)


def test_public_names_resolve():
    for module in (keras, keras.layers, keras.losses, keras.metrics, keras.optimizers,
                   keras.callbacks, keras.initializers, keras.regularizers, keras.constraints,
                   keras.activations, keras.utils, keras.applications, keras.models):
        for name in module.__all__:
            assert getattr(module, name, None) is not None, f"{module.__name__}.{name}"


def test_time_distributed_matches_keras(kref, rng):
    x = rng.standard_normal((2, 5, 6, 6, 2)).astype("float32")

    def build(k):
        return k.Sequential([k.Input(shape=(5, 6, 6, 2)),
                             k.layers.TimeDistributed(k.layers.Conv2D(3, 3)),
                             k.layers.TimeDistributed(k.layers.Flatten()),
                             k.layers.TimeDistributed(k.layers.Dense(4, activation="relu")),
                             k.layers.LSTM(2)])
    ours, ref = build(keras), build(kref)
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in ref.get_weights()]
    ours.set_weights(ref.get_weights())
    np.testing.assert_allclose(ours.predict(x, verbose=0), ref.predict(x, verbose=0), **F32)
    assert ours.layers[2].compute_output_shape((None, 5, 48)) == (None, 5, 4)
