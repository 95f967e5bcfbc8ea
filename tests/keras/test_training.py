"""fit / evaluate / optimizers / callbacks equal Keras 3's with the same initial weights.

Each test builds the same model in both namespaces (``k`` is ours or Keras), copies Keras's
initial weights into ours with ``set_weights`` and trains both with ``shuffle=False``.
"""

import numpy as np
import pytest

from autograd_nn import keras

TOL = dict(rtol=2e-4, atol=2e-6)  # float32 arithmetic in a different order, over a few epochs


def _pair(kref, build, compile_kw, opt=None):
    ref = build(kref)
    ours = build(keras)
    ours.set_weights(ref.get_weights())
    ref.compile(optimizer=opt(kref) if opt else "adam", **compile_kw)
    ours.compile(optimizer=opt(keras) if opt else "adam", **compile_kw)
    return ours, ref


def _mlp(k, out=1, act=None, hidden=8):
    return k.Sequential([k.Input(shape=(5,)), k.layers.Dense(hidden, activation="relu"),
                         k.layers.Dense(out, activation=act)])


def _assert_history(h_ours, h_ref):
    assert sorted(h_ours.history) == sorted(h_ref.history)
    for key in h_ref.history:
        np.testing.assert_allclose(h_ours.history[key], h_ref.history[key], **TOL,
                                   err_msg=key)


@pytest.fixture
def data(rng):
    x = rng.standard_normal((70, 5)).astype("float32")
    y = (x[:, :2].sum(1) + 0.1 * rng.standard_normal(70)).astype("float32")
    return x, y


def test_fit_history_regression_matches_keras(kref, data):
    x, y = data
    ours, ref = _pair(kref, _mlp, dict(loss="mse", metrics=["mae", "mse"]))
    kw = dict(batch_size=16, epochs=3, validation_split=0.25, shuffle=False, verbose=0)
    _assert_history(ours.fit(x, y, **kw), ref.fit(x, y, **kw))
    for a, b in zip(ours.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(a, b, **TOL)
    np.testing.assert_allclose(ours.predict(x, verbose=0), ref.predict(x, verbose=0), **TOL)
    np.testing.assert_allclose(ours.evaluate(x, y, verbose=0), ref.evaluate(x, y, verbose=0),
                               **TOL)


@pytest.mark.parametrize("y_2d", [False, True])
def test_fit_binary_accuracy_sample_weight_matches_keras(kref, data, rng, y_2d):
    x, _ = data
    y = (x[:, 0] + x[:, 1] > 0).astype("float32")
    y = y[:, None] if y_2d else y
    sw = rng.uniform(0.2, 2.0, len(x)).astype("float32")
    ours, ref = _pair(kref, lambda k: _mlp(k, 1, "sigmoid"),
                      dict(loss="binary_crossentropy", metrics=["accuracy"],
                           weighted_metrics=["accuracy"]))
    kw = dict(batch_size=20, epochs=3, sample_weight=sw, shuffle=False, verbose=0,
              validation_data=(x[:20], y[:20]))
    _assert_history(ours.fit(x, y, **kw), ref.fit(x, y, **kw))


def test_fit_sparse_categorical_class_weight_matches_keras(kref, data):
    x, _ = data
    y = np.digitize(x[:, 0], [-0.5, 0.5])  # 3 classes
    ours, ref = _pair(kref, lambda k: _mlp(k, 3, "softmax"),
                      dict(loss="sparse_categorical_crossentropy",
                           metrics=["accuracy", "sparse_categorical_crossentropy"]))
    kw = dict(batch_size=32, epochs=2, class_weight={0: 2.0, 1: 0.5, 2: 1.0},
              validation_split=0.2, shuffle=False, verbose=0)
    _assert_history(ours.fit(x, y, **kw), ref.fit(x, y, **kw))


@pytest.mark.parametrize("loss", ["categorical_crossentropy", "huber", "hinge", "mae"])
def test_fit_categorical_losses_match_keras(kref, data, loss):
    x, _ = data
    y = keras.utils.to_categorical(np.digitize(x[:, 0], [-0.5, 0.5]), 3)
    assert y.dtype == np.float64
    act = "softmax" if loss == "categorical_crossentropy" else None
    ours, ref = _pair(kref, lambda k: _mlp(k, 3, act), dict(loss=loss, metrics=["accuracy"]))
    kw = dict(batch_size=25, epochs=2, shuffle=False, verbose=0)
    _assert_history(ours.fit(x, y, **kw), ref.fit(x, y, **kw))


def test_from_logits_loss_objects_and_regularizers_match_keras(kref, data):
    x, _ = data
    y = (x[:, 0] > 0).astype("float32")[:, None]

    def build(k):
        return k.Sequential([
            k.Input(shape=(5,)),
            k.layers.Dense(6, activation="tanh", kernel_regularizer=k.regularizers.l2(0.01),
                           activity_regularizer=k.regularizers.l1(0.001)),
            k.layers.Dense(1, bias_regularizer=k.regularizers.L1L2(0.01, 0.02))])
    ref, ours = build(kref), build(keras)
    ours.set_weights(ref.get_weights())
    ref.compile("sgd", kref.losses.BinaryCrossentropy(from_logits=True), metrics=["accuracy"])
    ours.compile("sgd", keras.losses.BinaryCrossentropy(from_logits=True), metrics=["accuracy"])
    kw = dict(batch_size=16, epochs=3, shuffle=False, verbose=0)
    _assert_history(ours.fit(x, y, **kw), ref.fit(x, y, **kw))


OPTIMIZERS = [
    ("SGD", {}), ("SGD", dict(learning_rate=0.05, momentum=0.9)),
    ("SGD", dict(learning_rate=0.05, momentum=0.9, nesterov=True)),
    ("Adam", {}), ("Adam", dict(learning_rate=0.01, amsgrad=True, beta_1=0.8)),
    ("AdamW", dict(learning_rate=0.01)), ("RMSprop", {}),
    ("RMSprop", dict(learning_rate=0.01, momentum=0.5, centered=True)), ("Adagrad", {}),
    ("Adagrad", dict(learning_rate=0.1)), ("Adam", dict(learning_rate=0.01, clipnorm=0.1)),
    ("SGD", dict(learning_rate=0.1, clipvalue=0.01)),
    ("SGD", dict(learning_rate=0.1, global_clipnorm=0.05, weight_decay=0.1)),
]


@pytest.mark.parametrize("name,kw", OPTIMIZERS, ids=[f"{n}-{i}" for i, (n, _) in
                                                     enumerate(OPTIMIZERS)])
def test_optimizer_trajectory_matches_keras(kref, data, name, kw):
    x, y = data
    ours, ref = _pair(kref, _mlp, dict(loss="mse"),
                      opt=lambda k: getattr(k.optimizers, name)(**kw))
    fit_kw = dict(batch_size=10, epochs=4, shuffle=False, verbose=0)
    h_ours, h_ref = ours.fit(x, y, **fit_kw), ref.fit(x, y, **fit_kw)
    _assert_history(h_ours, h_ref)
    for a, b in zip(ours.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(a, b, **TOL)
    assert ours.optimizer.iterations == int(ref.optimizer.iterations.numpy()) == 28


def test_string_optimizers_have_keras_defaults(kref):
    for name in ("sgd", "adam", "rmsprop", "adagrad", "adamw"):
        ours, ref = keras.optimizers.get(name), kref.optimizers.get(name)
        assert ours.learning_rate == pytest.approx(float(ref.learning_rate))
    assert keras.optimizers.Adam().epsilon == 1e-7
    assert keras.optimizers.RMSprop().rho == 0.9
    with pytest.raises(AttributeError, match="learning_rate"):
        _ = keras.optimizers.Adam().lr


def _noisy(rng, n=60):
    x = rng.standard_normal((n, 5)).astype("float32")
    y = (x[:, 0] + 0.8 * rng.standard_normal(n)).astype("float32")
    return x, y


@pytest.mark.parametrize("kw", [
    dict(patience=2, restore_best_weights=True),
    dict(patience=1, min_delta=0.01, restore_best_weights=True, start_from_epoch=2),
    dict(patience=3, baseline=0.5, restore_best_weights=True),
    dict(monitor="loss", patience=0, mode="min"),
    dict(monitor="val_loss", patience=2, mode="max", restore_best_weights=True),
])
def test_early_stopping_matches_keras(kref, rng, kw):
    x, y = _noisy(rng)
    xv, yv = _noisy(rng, 30)
    # SGD: Adam's normalisation would amplify float32 rounding in near-zero gradients
    ours, ref = _pair(kref, lambda k: _mlp(k, hidden=32), dict(loss="mse"),
                      opt=lambda k: k.optimizers.SGD(learning_rate=0.1, momentum=0.9))
    es_o, es_r = keras.callbacks.EarlyStopping(**kw), kref.callbacks.EarlyStopping(**kw)
    fit_kw = dict(batch_size=16, epochs=25, shuffle=False, verbose=0, validation_data=(xv, yv))
    h_o = ours.fit(x, y, callbacks=[es_o], **fit_kw)
    h_r = ref.fit(x, y, callbacks=[es_r], **fit_kw)
    assert len(h_o.history["loss"]) == len(h_r.history["loss"])
    assert es_o.stopped_epoch == es_r.stopped_epoch
    assert es_o.best_epoch == es_r.best_epoch
    _assert_history(h_o, h_r)
    for a, b in zip(ours.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(a, b, **TOL)


def test_early_stopping_restores_even_without_stopping(kref, rng):
    """Keras 3: restore_best_weights restores at the end of training even when patience was
    never exhausted."""
    x, y = _noisy(rng)
    ours, ref = _pair(kref, _mlp, dict(loss="mse"),
                      opt=lambda k: k.optimizers.SGD(learning_rate=0.05, momentum=0.5))
    es_o = keras.callbacks.EarlyStopping(monitor="loss", patience=100, restore_best_weights=True)
    es_r = kref.callbacks.EarlyStopping(monitor="loss", patience=100, restore_best_weights=True)
    snap = keras.callbacks.LambdaCallback(
        on_epoch_end=lambda e, logs: snaps.append(ours.get_weights()))
    snaps = []
    h_o = ours.fit(x, y, epochs=6, batch_size=8, shuffle=False, verbose=0,
                   callbacks=[es_o, snap])
    ref.fit(x, y, epochs=6, batch_size=8, shuffle=False, verbose=0, callbacks=[es_r])
    assert es_o.stopped_epoch == 0 and es_o.best_epoch == es_r.best_epoch
    best = int(np.argmin(h_o.history["loss"]))
    assert es_o.best_epoch == best
    for a, b, c in zip(ours.get_weights(), ref.get_weights(), snaps[best]):
        np.testing.assert_allclose(a, b, **TOL)
        np.testing.assert_array_equal(a, c)


def test_lr_callbacks_match_keras(kref, data):
    x, y = data

    def cbs(k):
        return [k.callbacks.LearningRateScheduler(lambda e, lr: lr * 0.5 if e % 2 else lr),
                k.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=0,
                                              min_delta=10.0, cooldown=1)]
    ours, ref = _pair(kref, _mlp, dict(loss="mse"),
                      opt=lambda k: k.optimizers.SGD(learning_rate=0.05, momentum=0.5))
    kw = dict(batch_size=16, epochs=5, shuffle=False, verbose=0)
    h_o, h_r = ours.fit(x, y, callbacks=cbs(keras), **kw), ref.fit(x, y, callbacks=cbs(kref),
                                                                   **kw)
    assert "learning_rate" in h_o.history
    _assert_history(h_o, h_r)


def test_train_on_batch_and_initial_epoch_match_keras(kref, data):
    x, y = data
    ours, ref = _pair(kref, _mlp, dict(loss="mse", metrics=["mae"]))
    for s in range(0, 40, 20):
        a = ours.train_on_batch(x[s:s + 20], y[s:s + 20])
        b = ref.train_on_batch(x[s:s + 20], y[s:s + 20])
        np.testing.assert_allclose(a, b, **TOL)
    h_o = ours.fit(x, y, epochs=3, initial_epoch=1, shuffle=False, verbose=0)
    h_r = ref.fit(x, y, epochs=3, initial_epoch=1, shuffle=False, verbose=0)
    assert h_o.epoch == h_r.epoch == [1, 2]
    _assert_history(h_o, h_r)


def test_functional_model_matches_keras(kref, rng):
    def build(k):
        a = k.Input(shape=(4,), name="a")
        b = k.Input(shape=(6,), name="b")
        h = k.layers.Concatenate()([k.layers.Dense(5, activation="relu")(a),
                                    k.layers.Dense(5, activation="tanh")(b)])
        h = k.layers.Add()([h, k.layers.Dense(10)(h)])
        return k.Model([a, b], k.layers.Dense(2, activation="softmax")(h))
    xa = rng.standard_normal((40, 4)).astype("float32")
    xb = rng.standard_normal((40, 6)).astype("float32")
    y = rng.integers(0, 2, 40)
    ours, ref = _pair(kref, build, dict(loss="sparse_categorical_crossentropy",
                                        metrics=["accuracy"]))
    assert ours.count_params() == ref.count_params()
    kw = dict(batch_size=8, epochs=2, shuffle=False, verbose=0)
    _assert_history(ours.fit([xa, xb], y, **kw), ref.fit([xa, xb], y, **kw))
    np.testing.assert_allclose(ours.predict([xa, xb], verbose=0),
                               ref.predict([xa, xb], verbose=0), **TOL)


@pytest.mark.parametrize("lstm_kw", [{}, dict(activation="relu")])  # fused scan, step loop
def test_lstm_text_classifier_fit_matches_keras(kref, rng, lstm_kw):
    x = rng.integers(0, 30, (24, 7))
    x[:5, 4:] = 0
    y = rng.integers(0, 2, 24)

    def build(k):
        return k.Sequential([k.Input(shape=(7,)), k.layers.Embedding(30, 6, mask_zero=True),
                             k.layers.LSTM(5, **lstm_kw),
                             k.layers.Dense(1, activation="sigmoid")])
    ours, ref = _pair(kref, build, dict(loss="binary_crossentropy", metrics=["accuracy"]))
    kw = dict(batch_size=8, epochs=2, shuffle=False, verbose=0)
    _assert_history(ours.fit(x, y, **kw), ref.fit(x, y, **kw))


def test_batchnorm_dropout_cnn_fit_matches_keras(kref, rng):
    x = rng.standard_normal((12, 6, 6, 2)).astype("float32")
    y = rng.integers(0, 3, 12)

    def build(k):
        return k.Sequential([k.Input(shape=(6, 6, 2)), k.layers.Conv2D(3, 3, padding="same",
                                                                  use_bias=False),
                             k.layers.BatchNormalization(), k.layers.ReLU(),
                             k.layers.MaxPooling2D(), k.layers.Flatten(),
                             k.layers.Dense(3, activation="softmax")])
    ours, ref = _pair(kref, build, dict(loss="sparse_categorical_crossentropy"),
                      opt=lambda k: k.optimizers.SGD(learning_rate=0.1))
    kw = dict(batch_size=4, epochs=2, shuffle=False, verbose=0)
    _assert_history(ours.fit(x, y, **kw), ref.fit(x, y, **kw))
    for a, b in zip(ours.get_weights(), ref.get_weights()):  # moving statistics included
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-5)


def test_summary_totals_equal_count_params(kref, capsys):
    for build in (_mlp, lambda k: _mlp(k, 3, "softmax", hidden=16)):
        ours, ref = build(keras), build(kref)
        assert ours.count_params() == ref.count_params()
        lines = []
        ours.summary(print_fn=lines.append)
        text = "\n".join(lines)
        total = int(text.split("Total params: ")[1].split(" ")[0].replace(",", ""))
        assert total == ours.count_params()
        assert f"dense ({'Dense'})" in text.replace(ours.layers[0].name, "dense")
    m = keras.Sequential([keras.layers.Dense(64, activation="relu", input_shape=(20,)),
                          keras.layers.Dropout(0.5), keras.layers.Dense(32, activation="relu"),
                          keras.layers.Dropout(0.5), keras.layers.Dense(1)])
    m.summary()
    out = capsys.readouterr().out
    assert "Total params: 3,457 (13.50 KB)" in out and "(None, 64)" in out


def test_mobilenetv2_layout_matches_keras(kref):
    keras.backend.clear_session()  # automatic names (global_average_pooling2d) from zero
    kref.backend.clear_session()
    ours = keras.applications.MobileNetV2(weights=None)
    assert ours.count_params() == 3_538_984
    ref = kref.applications.MobileNetV2(weights=None)
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in ref.get_weights()]
    assert [layer.name for layer in ours.layers] == [layer.name for layer in ref.layers]
    small_o = keras.applications.MobileNetV2(input_shape=(32, 32, 3), alpha=0.35, weights=None,
                                             classes=5)
    small_r = kref.applications.MobileNetV2(input_shape=(32, 32, 3), alpha=0.35, weights=None,
                                            classes=5)
    small_o.set_weights(small_r.get_weights())
    x = np.random.default_rng(1).uniform(-1, 1, (2, 32, 32, 3)).astype("float32")
    np.testing.assert_allclose(small_o.predict(x, verbose=0), small_r.predict(x, verbose=0),
                               rtol=1e-4, atol=1e-6)


def test_mobilenetv2_imagenet_weights_missing_is_one_clear_line(tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOGRAD_NN_KERAS_WEIGHTS", str(tmp_path))
    with pytest.raises(FileNotFoundError) as e:
        keras.applications.MobileNetV2(weights="imagenet")
    msg = str(e.value)
    assert "\n" not in msg and str(tmp_path) in msg and "--convert" in msg
    # a converted file is found there
    m = keras.applications.MobileNetV2(input_shape=(96, 96, 3), alpha=0.35, weights=None)
    m.save_weights(keras.applications.mobilenet_v2.weights_path(0.35, 96, True))
    m2 = keras.applications.MobileNetV2(input_shape=(96, 96, 3), alpha=0.35, weights="imagenet")
    for a, b in zip(m.get_weights(), m2.get_weights()):
        np.testing.assert_array_equal(a, b)


SUMMARY_MODELS = {
    "slide12-trained": lambda k: k.Sequential([
        k.layers.Dense(64, activation="relu", input_shape=(20,)), k.layers.Dropout(0.5),
        k.layers.Dense(32, activation="relu"), k.layers.Dropout(0.5), k.layers.Dense(1)]),
    "cnn": lambda k: k.Sequential([
        k.Input(shape=(28, 28, 1)), k.layers.Conv2D(8, 3, padding="same"),
        k.layers.BatchNormalization(), k.layers.MaxPooling2D(), k.layers.Flatten(),
        k.layers.Dense(10, activation="softmax")]),
    "text": lambda k: k.Sequential([
        k.Input(shape=(20,)), k.layers.Embedding(1000, 16),
        k.layers.Bidirectional(k.layers.LSTM(8, return_sequences=True)), k.layers.GRU(4),
        k.layers.Dense(1, activation="sigmoid")]),
    "functional": lambda k: (lambda i: k.Model(i, k.layers.Dense(2)(
        k.layers.Concatenate()([k.layers.Dense(4)(i), i]))))(k.Input(shape=(3,))),
}


@pytest.mark.parametrize("name", list(SUMMARY_MODELS))
def test_summary_text_equals_keras(kref, name, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")  # Keras sizes its table to the console
    texts = []
    for k in (kref, keras):
        k.backend.clear_session()
        m = SUMMARY_MODELS[name](k)
        if name.endswith("trained"):
            m.compile("adam", "mse")
            m.fit(np.zeros((4, 20), "float32"), np.zeros(4, "float32"), verbose=0)
        out = []
        m.summary(print_fn=out.append)
        texts.append(out)
    assert texts[1] == texts[0]


def test_constraints_match_keras(kref, data):
    x, y = data

    def build(k):
        return k.Sequential([
            k.Input(shape=(5,)),
            k.layers.Dense(8, activation="relu", kernel_constraint=k.constraints.MaxNorm(0.5),
                           bias_constraint=k.constraints.NonNeg()),
            k.layers.Dense(1, kernel_constraint=k.constraints.UnitNorm(axis=0))])
    ours, ref = _pair(kref, build, dict(loss="mse"),
                      opt=lambda k: k.optimizers.SGD(learning_rate=0.1))
    kw = dict(batch_size=10, epochs=2, shuffle=False, verbose=0)
    _assert_history(ours.fit(x, y, **kw), ref.fit(x, y, **kw))
    w = ours.get_weights()
    assert np.sqrt((w[0] ** 2).sum(0)).max() <= 0.5 + 1e-6 and w[1].min() >= 0
    np.testing.assert_allclose(np.sqrt((w[2] ** 2).sum(0)), 1.0, rtol=1e-5)
    for a, b in zip(w, ref.get_weights()):
        np.testing.assert_allclose(a, b, **TOL)


def _two_heads(k):
    i = k.Input(shape=(5,))
    h = k.layers.Dense(8, activation="relu")(i)
    return k.Model(i, [k.layers.Dense(1, name="reg")(h),
                       k.layers.Dense(3, activation="softmax", name="cls")(h)])


@pytest.mark.parametrize("style", ["list", "dict"])
def test_multi_output_fit_matches_keras(kref, data, rng, style):
    x, y = data
    labels = np.digitize(x[:, 1], [-0.5, 0.5])
    if style == "list":
        compile_kw = dict(loss=["mse", "sparse_categorical_crossentropy"],
                          loss_weights=[1.0, 0.5], metrics=[["mae"], ["accuracy"]])
        targets = [y, labels]
    else:
        compile_kw = dict(loss={"reg": "mse", "cls": "sparse_categorical_crossentropy"},
                          metrics={"cls": "accuracy"})
        targets = {"reg": y, "cls": labels}
    ours, ref = _pair(kref, _two_heads, compile_kw)
    kw = dict(batch_size=16, epochs=2, shuffle=False, verbose=0, validation_split=0.2)
    _assert_history(ours.fit(x, targets, **kw), ref.fit(x, targets, **kw))
    for a, b in zip(ours.predict(x, verbose=0), ref.predict(x, verbose=0)):
        np.testing.assert_allclose(a, b, **TOL)
