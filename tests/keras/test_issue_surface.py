"""Issue 14's bullets not covered elsewhere, each against Keras 3 (torch backend) or a hand count:
the public paths the issue lists, the Callback hook points, Dense's callable activation and
initializers, the probability losses' clipping, the default batch size and the validation split
taken before shuffling, the progress output of fit/evaluate/predict, MobileNetV2's options,
TerminateOnNaN(raise_error) and files that are never unpickled."""

from __future__ import annotations

import importlib
import io
import math
import pickle
import re
import sys
import types

import numpy as np
import pytest

from autograd_nn import keras

F32 = dict(rtol=2e-5, atol=2e-6)

# every public path the issue names (relative to `keras`); all but the Tokenizer (which Keras 3
# dropped) exist in Keras 3 too, which keeps this list to Keras's own names
PATHS = """
models.Sequential Sequential Model Input layers optimizers losses metrics callbacks regularizers
initializers utils utils.to_categorical utils.pad_sequences utils.set_random_seed
preprocessing.sequence.pad_sequences preprocessing.image.load_img preprocessing.image.img_to_array
preprocessing.image.array_to_img applications.MobileNetV2 applications.mobilenet_v2.preprocess_input
applications.mobilenet_v2.decode_predictions models.load_model
layers.Dense layers.Dropout layers.Flatten layers.Activation layers.Input layers.InputLayer
layers.Conv2D layers.MaxPooling2D layers.AveragePooling2D layers.GlobalAveragePooling2D
layers.BatchNormalization layers.Embedding layers.LSTM layers.GRU layers.SimpleRNN
layers.Bidirectional layers.Concatenate layers.Add
Model.compile Model.fit Model.evaluate Model.predict Model.train_on_batch Model.summary
Model.count_params Model.get_weights Model.set_weights Model.save_weights Model.load_weights
Model.save
callbacks.Callback callbacks.History callbacks.EarlyStopping callbacks.ModelCheckpoint
callbacks.ReduceLROnPlateau callbacks.LearningRateScheduler callbacks.CSVLogger
callbacks.TerminateOnNaN callbacks.LambdaCallback callbacks.ProgbarLogger
optimizers.Adam optimizers.RMSprop optimizers.SGD
losses.MeanSquaredError losses.MeanAbsoluteError losses.BinaryCrossentropy
losses.CategoricalCrossentropy losses.SparseCategoricalCrossentropy losses.Huber losses.Hinge
losses.binary_crossentropy losses.categorical_crossentropy losses.sparse_categorical_crossentropy
losses.huber losses.hinge metrics.BinaryAccuracy metrics.CategoricalAccuracy
metrics.SparseCategoricalAccuracy regularizers.l1 regularizers.l2 regularizers.L1L2
initializers.GlorotUniform initializers.Orthogonal initializers.Zeros
""".split()


def _resolve(root, path: str):
    obj = root
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def test_issue_public_paths_resolve(kref):
    for path in PATHS:
        assert _resolve(keras, path) is not None, path
        assert _resolve(kref, path) is not None, f"not a Keras 3 name: {path}"
    # the import statements users type, each module importable by its dotted name
    for module, names in (("layers", ["Dense", "Dropout", "Embedding", "LSTM"]),
                          ("models", ["Sequential"]), ("optimizers", ["Adam"]),
                          ("callbacks", ["EarlyStopping"]), ("applications", ["MobileNetV2"]),
                          ("applications.mobilenet_v2", ["preprocess_input",
                                                         "decode_predictions"]),
                          ("preprocessing", ["image"]), ("preprocessing.text", ["Tokenizer"]),
                          ("preprocessing.sequence", ["pad_sequences"])):
        mod = importlib.import_module(f"autograd_nn.keras.{module}")
        assert all(hasattr(mod, n) for n in names), module


def test_callback_hook_points_equal_keras(kref):
    def hooks(cls):
        return sorted(n for n in dir(cls) if n.startswith(("on_", "set_")))
    assert hooks(keras.callbacks.Callback) == hooks(kref.callbacks.Callback)


def test_dense_callable_activation_and_initializers_match_keras(kref, rng):
    """Deterministic initializers by name and object, an activation given as a function: the
    output equals Keras's with no weights copied."""
    x = rng.standard_normal((4, 5)).astype("float32")
    for make in (lambda k: dict(activation=k.activations.tanh, kernel_initializer="ones",
                                bias_initializer=k.initializers.Constant(0.25)),
                 lambda k: dict(activation=lambda t: t * 2.0,
                                kernel_initializer=k.initializers.Constant(-0.5)),
                 lambda k: dict(kernel_initializer="identity", use_bias=False)):
        ours, ref = keras.layers.Dense(5, **make(keras)), kref.layers.Dense(5, **make(kref))
        got = ours(x).detach().numpy()
        want = kref.ops.convert_to_numpy(ref(x))
        np.testing.assert_allclose(got, want, **F32)
    # random initializers by name: the spread of a large kernel equals Keras's
    for name in ("he_normal", "lecun_uniform", "glorot_normal", "random_normal"):
        ours, ref = keras.layers.Dense(300, kernel_initializer=name), \
            kref.layers.Dense(300, kernel_initializer=name)
        ours.build((None, 400))
        ref.build((None, 400))
        got, want = ours.get_weights()[0].std(), ref.get_weights()[0].std()
        assert got == pytest.approx(want, rel=0.03), name


def test_probability_losses_clip_at_keras_epsilon(kref):
    """Probabilities of exactly 0 and 1 are clipped to [1e-7, 1 - 1e-7] as Keras does (finite
    losses, equal values)."""
    yt = np.array([[0.0], [1.0], [1.0], [0.0]], "float32")
    yp = np.array([[0.0], [0.0], [1.0], [1.0]], "float32")
    onehot = np.eye(3, dtype="float32")[[0, 1, 2]]
    probs = np.array([[0, 1, 0], [0, 1, 0], [0.2, 0.3, 0.5]], "float32")
    for name, cls, a, b in (
            ("binary_crossentropy", "BinaryCrossentropy", yt, yp),
            ("categorical_crossentropy", "CategoricalCrossentropy", onehot, probs),
            ("sparse_categorical_crossentropy", "SparseCategoricalCrossentropy",
             np.array([0, 1, 2]), probs)):
        got = np.asarray(getattr(keras.losses, name)(a, b).detach().numpy())
        want = kref.ops.convert_to_numpy(getattr(kref.losses, name)(a, b))
        assert np.isfinite(got).all()
        np.testing.assert_allclose(got, want, **F32)
        got_obj = float(getattr(keras.losses, cls)()(a, b).detach().numpy())
        assert got_obj == pytest.approx(float(getattr(kref.losses, cls)()(a, b)), rel=1e-6)


def test_default_batch_size_and_validation_split_before_shuffling(kref, rng):
    """batch_size defaults to 32; validation_split holds out the last rows although the
    training rows are shuffled (shuffle=True is the default)."""
    x = rng.standard_normal((70, 5)).astype("float32")
    y = x[:, :2].sum(1)
    for k in (keras, kref):
        k.utils.set_random_seed(0)
        m = k.Sequential([k.Input(shape=(5,)), k.layers.Dense(4, activation="relu"),
                          k.layers.Dense(1)])
        m.compile("adam", "mse")
        h = m.fit(x, y, epochs=1, validation_split=0.2, verbose=0)
        assert int(m.optimizer.iterations) == math.ceil(56 / 32)  # 56 training rows
        held_out = m.evaluate(x[56:], y[56:], verbose=0)
        assert h.history["val_loss"][0] == pytest.approx(held_out, rel=1e-5), k.__name__


def _final_lines(text: str) -> list[str]:
    """What a console shows: the last redraw of each line, Keras's colours removed; times and
    values replaced (they differ run to run), step counts kept."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", text).replace("\x08", "")
    lines = [ln.split("\r")[-1].rstrip() for ln in text.split("\n")]
    return [re.sub(r"\d+\.\d+(e[-+]\d+)?", "V", re.sub(r"\b\d+(us|ms|s)\b", "T", ln))
            for ln in lines]


@pytest.mark.parametrize("verbose", [1, 2])
def test_fit_evaluate_predict_progress_lines_equal_keras(kref, rng, capsys, verbose):
    x = rng.standard_normal((40, 4)).astype("float32")
    y = x.sum(1)
    outs = []
    for k in (kref, keras):
        m = k.Sequential([k.Input(shape=(4,)), k.layers.Dense(1)])
        m.compile("adam", "mse", metrics=["mae"])
        capsys.readouterr()
        m.fit(x, y, epochs=2, batch_size=10, verbose=verbose, validation_split=0.25)
        m.evaluate(x, y, verbose=verbose)
        m.predict(x, verbose=verbose)
        outs.append(_final_lines(capsys.readouterr().out))
    assert outs[1] == outs[0]
    assert "3/3" in outs[1][1] and "val_mae: V" in outs[1][1]


class _Console(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_verbose_auto_is_a_bar_in_a_terminal_and_quiet_on_a_pipe(rng, capsys, monkeypatch):
    """The issue's rule: 'auto' is 1 in a terminal (a bar redrawn each batch with the step count,
    the ETA and the running loss) or a notebook, and 0 otherwise."""
    x = rng.standard_normal((40, 4)).astype("float32")
    m = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
    m.compile("adam", "mse")
    m.fit(x, x.sum(1), epochs=1, batch_size=10)
    m.evaluate(x, x.sum(1))
    assert capsys.readouterr().out == ""  # pytest's captured stdout is not a terminal
    console = _Console()
    monkeypatch.setattr("sys.stdout", console)
    m.fit(x, x.sum(1), epochs=1, batch_size=10)
    text = console.getvalue()
    draws = text.split("\r")[1:]
    assert re.match(r"1/4 ━{5}─{15} \d+s \d+(us|ms|s)/step - loss: \d+\.\d{4}", draws[0])
    assert draws[-1].startswith("4/4 ━━━━━━━━━━━━━━━━━━━━ ") and text.endswith("\n")
    # in a notebook (an IPython kernel is loaded) 'auto' is 1 too: the final bar of the epoch
    monkeypatch.undo()
    monkeypatch.setitem(sys.modules, "ipykernel", types.ModuleType("ipykernel"))
    capsys.readouterr()
    m.fit(x, x.sum(1), epochs=1, batch_size=10)
    assert capsys.readouterr().out.startswith("4/4 ━━━━━━━━━━━━━━━━━━━━ ")


def test_mobilenetv2_options_match_keras(kref, tmp_path):
    for kw in (dict(include_top=False, input_shape=(96, 96, 3)),
               dict(include_top=False, input_shape=(96, 96, 3), pooling="avg", alpha=0.5),
               dict(input_shape=(64, 64, 3), alpha=0.35, classes=7,
                    classifier_activation=None)):
        keras.backend.clear_session()
        kref.backend.clear_session()
        ours = keras.applications.MobileNetV2(weights=None, **kw)
        ref = kref.applications.MobileNetV2(weights=None, **kw)
        assert ours.count_params() == ref.count_params(), kw
        assert tuple(ours.output_shape) == tuple(ref.output_shape), kw
    # weights=<path>: a file written by save_weights
    path = tmp_path / "mine.weights.h5"
    ours.save_weights(path)
    again = keras.applications.MobileNetV2(weights=str(path), input_shape=(64, 64, 3),
                                           alpha=0.35, classes=7, classifier_activation=None)
    for a, b in zip(again.get_weights(), ours.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_terminate_on_nan_raise_error_matches_keras(kref, rng):
    x = rng.standard_normal((16, 3)).astype("float32")
    y = x.sum(1) * 1e20
    for k in (kref, keras):
        m = k.Sequential([k.Input(shape=(3,)), k.layers.Dense(1)])
        m.compile(k.optimizers.SGD(learning_rate=1e10), "mse")
        ended: list = []
        cleanup = k.callbacks.LambdaCallback(on_train_end=lambda logs, e=ended: e.append(1))
        with pytest.raises(RuntimeError, match="NaN or Inf loss encountered at batch"):
            m.fit(x, y, epochs=3, batch_size=4, verbose=0,
                  callbacks=[k.callbacks.TerminateOnNaN(raise_error=True), cleanup])
        assert ended == [], k.__name__  # raised past the other callbacks' cleanup


class _Payload:
    def __reduce__(self):
        return (open, ("UNPICKLED", "w"))


@pytest.mark.parametrize("name", ["m.keras", "m.weights.h5"])
def test_loading_never_unpickles(tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    (tmp_path / name).write_bytes(pickle.dumps({"weights": _Payload()}))
    m = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match="not a file written by autograd_nn.keras"):
        if name.endswith(".keras"):
            keras.models.load_model(name)
        else:
            m.load_weights(name)
    assert not (tmp_path / "UNPICKLED").exists()


MOBILENET_SHAPES = [
    dict(include_top=False, weights=None, alpha=0.35),  # no top, no shape: any size
    dict(include_top=False, weights=None, input_shape=(64, 80, 3), alpha=0.35),
    dict(weights=None, input_shape=(64, 80, 1), alpha=0.35, classes=4),
    dict(weights=None, input_shape=(64, 80, 5), alpha=0.35, classes=4),  # warns
    dict(weights=None, alpha=0.35, input_shape=(None, None, 3)),  # the top needs a size
    dict(input_shape=(96, 128, 3)), dict(input_shape=(100, 100, 3)),  # imagenet's top sizes
    dict(input_shape=(96, 96, 1)), dict(include_top=False, input_shape=(96, 96, 1)),
    dict(weights=None, input_shape=(96, 96)), dict(input_shape=(31, 64, 3), weights=None),
    dict(classes=10), dict(alpha=0.3), dict(weights="no/such.weights.h5"),
]


@pytest.mark.parametrize("kw", MOBILENET_SHAPES, ids=[str(i) for i in range(len(MOBILENET_SHAPES))])
def test_mobilenetv2_input_shapes_as_keras(kref, kw):
    """Keras's input-shape rules: the model's name, input and output shapes and size, or the
    same ValueError, and the same channel warning."""
    import warnings

    results = []
    for k in (kref, keras):
        k.backend.clear_session()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                m = k.applications.MobileNetV2(**kw)
                results.append((m.name, tuple(m.input_shape), tuple(m.output_shape),
                                m.count_params()))
            except ValueError as e:
                results.append(("ValueError", " ".join(str(e).split())))
        results[-1] += (any("input channels" in str(w.message) for w in caught),)
    assert results[1] == results[0]


def test_mobilenetv2_imagenet_without_top_loads_the_224_weights(tmp_path, monkeypatch):
    """Without the top, an input size Keras has no weights for loads the 224 ones (a warning),
    as Keras does."""
    monkeypatch.setenv("AUTOGRAD_NN_KERAS_WEIGHTS", str(tmp_path))
    path = keras.applications.mobilenet_v2.weights_path(0.35, 224, include_top=False)
    with pytest.warns(UserWarning, match="Weights for input shape \\(224, 224\\)"):
        with pytest.raises(FileNotFoundError, match=re.escape(path)):
            keras.applications.MobileNetV2(include_top=False, input_shape=(100, 120, 3),
                                           alpha=0.35)
    source = keras.applications.MobileNetV2(include_top=False, alpha=0.35, weights=None)
    source.save_weights(path)
    with pytest.warns(UserWarning, match="non-square"):
        m = keras.applications.MobileNetV2(include_top=False, input_shape=(100, 120, 3),
                                           alpha=0.35)
    assert m.output_shape == (None, 4, 4, 1280)
    for a, b in zip(m.get_weights(), source.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_converted_keras_weights_load_as_imagenet(kref, tmp_path, monkeypatch, capsys):
    """The conversion command on Keras's model (here Keras's own weights=None model standing in
    for the ImageNet download), then weights='imagenet' reads the file: Keras's predictions."""
    from autograd_nn.keras.applications import mobilenet_v2

    monkeypatch.setenv("AUTOGRAD_NN_KERAS_WEIGHTS", str(tmp_path))
    kw = dict(input_shape=(96, 96, 3), alpha=0.35)
    ref = kref.applications.MobileNetV2(weights=None, **kw)
    asked = []

    def download(**args):
        asked.append(args)
        return ref
    monkeypatch.setattr(kref.applications, "MobileNetV2", download)
    assert mobilenet_v2._main(["--convert", "--alpha", "0.35", "--rows", "96"]) == 0
    assert asked == [dict(weights="imagenet", include_top=True, **kw)]
    path = mobilenet_v2.weights_path(0.35, 96, True)
    assert capsys.readouterr().out.strip() == path
    ours = keras.applications.MobileNetV2(**kw)  # weights='imagenet'
    x = np.random.default_rng(2).uniform(-1, 1, (2, 96, 96, 3)).astype("float32")
    np.testing.assert_allclose(ours.predict(x, verbose=0), ref.predict(x, verbose=0),
                               rtol=1e-4, atol=1e-6)

    def offline(**args):
        raise Exception("URL fetch failure on https://storage.googleapis.com/x.h5: None --\n"
                        "[Errno -2] Name or service not known")
    monkeypatch.setattr(kref.applications, "MobileNetV2", offline)
    assert mobilenet_v2._main(["--convert", "--no-top", "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: cannot convert") and \
        "Name or service not known" in err


ACCURACY_CASES = [  # (loss, outputs, activation, labels): which accuracy 'accuracy' becomes
    ("mse", 1, None, "binary"), ("mse", 1, None, "binary_2d"),
    ("sparse_categorical_crossentropy", 3, "softmax", "ids_2d"),
    ("sparse_categorical_crossentropy", 3, "softmax", "ids_float"),
    ("mse", 3, "softmax", "onehot"), ("binary_crossentropy", 3, "sigmoid", "onehot"),
    ("binary_crossentropy", 1, "sigmoid", "binary_int"), ("logits", 1, None, "binary"),
]


@pytest.mark.parametrize("loss, units, act, labels", ACCURACY_CASES,
                         ids=[f"{c[0]}-{c[3]}" for c in ACCURACY_CASES])
def test_accuracy_name_resolves_as_keras(kref, rng, loss, units, act, labels):
    """'accuracy' (and 'acc') becomes binary, sparse categorical or categorical accuracy from
    the loss and the shapes: the History equals Keras's."""
    x = rng.standard_normal((40, 5)).astype("float32")
    ids = np.digitize(x[:, 0], [-0.5, 0.5])
    y = {"binary": (x[:, 0] > 0).astype("float32"),
         "binary_2d": (x[:, :1] > 0).astype("float32"),
         "binary_int": (x[:, 0] > 0).astype(int), "ids_2d": ids[:, None],
         "ids_float": ids.astype("float32"), "onehot": np.eye(3)[ids]}[labels]
    histories = []
    for k in (kref, keras):
        m = k.Sequential([k.Input(shape=(5,)), k.layers.Dense(units, activation=act)])
        if k is kref:
            weights = m.get_weights()
        m.set_weights(weights)
        m.compile("sgd", k.losses.BinaryCrossentropy(from_logits=True) if loss == "logits"
                  else loss, metrics=["accuracy", "acc"])
        histories.append(m.fit(x, y, epochs=2, batch_size=10, shuffle=False, verbose=0).history)
    assert sorted(histories[1]) == sorted(histories[0]) == ["acc", "accuracy", "loss"]
    for key in histories[0]:
        np.testing.assert_allclose(histories[1][key], histories[0][key], rtol=2e-5, atol=1e-6)


def _twin_models(kref, loss="mse", metrics=("mae",), units=1, act=None, lr=0.05):
    models = []
    for k in (kref, keras):
        m = k.Sequential([k.Input(shape=(4,)), k.layers.Dense(units, activation=act)])
        if k is kref:
            weights = m.get_weights()
        m.set_weights(weights)
        m.compile(k.optimizers.SGD(learning_rate=lr), loss, metrics=list(metrics))
        models.append(m)
    return models


def test_csv_logger_file_equals_keras(kref, rng, tmp_path):
    """Columns, separator, NA for absent validation, append across two fits."""
    x = rng.standard_normal((40, 4)).astype("float32")
    y = x.sum(1)
    rows = []
    for k, m in zip((kref, keras), _twin_models(kref)):
        path = tmp_path / f"{k.__name__}.csv"
        for split in (0.0, 0.25):
            m.fit(x, y, epochs=2, batch_size=10, shuffle=False, verbose=0, validation_split=split,
                  callbacks=[k.callbacks.CSVLogger(path, separator=";", append=True)])
        rows.append([line.split(";") for line in path.read_text().splitlines()])
    want, got = rows
    assert got[0] == want[0] == ["epoch", "loss", "mae", "val_loss", "val_mae"]
    assert len(got) == len(want) == 5  # append: the second fit adds 2 rows, no second header
    for g, w in zip(got[1:], want[1:]):
        assert g[0] == w[0] and (g[3] == "NA") == (w[3] == "NA")
        nums = [(float(a), float(b)) for a, b in zip(g[1:], w[1:]) if b != "NA"]
        np.testing.assert_allclose(*zip(*nums), rtol=2e-5)


@pytest.mark.parametrize("monitor, mode", [("val_loss", "auto"), ("val_accuracy", "max"),
                                           ("loss", "min")])
def test_model_checkpoint_saves_the_epochs_keras_saves(kref, rng, tmp_path, monitor, mode):
    x = rng.standard_normal((48, 4)).astype("float32")
    y = (x[:, 0] + 0.7 * rng.standard_normal(48) > 0).astype("float32")
    saved, best = [], []
    for k, m in zip((kref, keras), _twin_models(kref, "binary_crossentropy", ["accuracy"],
                                                act="sigmoid", lr=0.3)):
        folder = tmp_path / k.__name__
        folder.mkdir()
        ck = k.callbacks.ModelCheckpoint(str(folder / "w-{epoch:02d}.weights.h5"),
                                         monitor=monitor, mode=mode, save_best_only=True,
                                         save_weights_only=True)
        m.fit(x, y, epochs=8, batch_size=8, shuffle=False, verbose=0, validation_split=0.25,
              callbacks=[ck])
        saved.append(sorted(p.name for p in folder.iterdir()))
        m.load_weights(folder / saved[-1][-1])  # the last improvement's weights
        best.append(m.get_weights())
    assert saved[1] == saved[0] and saved[0]
    for a, b in zip(*best):
        np.testing.assert_allclose(b, a, rtol=2e-4, atol=2e-6)


def _recorder(k, events: list, hooks: list[str]):
    """A Callback of namespace ``k`` logging (hook, batch/epoch, sorted logs keys, params)
    for ``hooks``."""
    def make(hook):
        if "batch" in hook or "epoch" in hook:
            def fn(self, i, logs=None):
                events.append((hook, i, sorted(logs) if isinstance(logs, dict) else logs))
        else:  # train/test/predict begin and end: self.params too
            def fn(self, logs=None):
                events.append((hook, sorted(logs) if isinstance(logs, dict) else logs,
                               dict(self.params)))
        return fn
    return type("Recorder", (k.callbacks.Callback,), {h: make(h) for h in hooks})()


@pytest.mark.parametrize("which", ["all", "tf_keras_names"])
def test_callback_hooks_calls_and_logs_equal_keras(kref, rng, which):
    """Every hook, in Keras's order, with a logs dict ({} where nothing is logged) and Keras's
    ``self.params``; a callback
    written with tf.keras's on_batch_begin/on_batch_end gets them through on_train_batch_*."""
    x = rng.standard_normal((20, 4)).astype("float32")
    y = x.sum(1)
    hooks = sorted(n for n in dir(kref.callbacks.Callback) if n.startswith("on_"))
    if which == "tf_keras_names":
        hooks = [h for h in hooks if not h.startswith("on_train_batch")]
    runs = []
    for k, m in zip((kref, keras), _twin_models(kref)):
        events: list = []
        m.fit(x, y, epochs=2, batch_size=10, validation_split=0.5, verbose=0,
              callbacks=[_recorder(k, events, hooks)])
        m.evaluate(x, y, batch_size=10, verbose=0, callbacks=[_recorder(k, events, hooks)])
        m.predict(x, batch_size=10, verbose=0, callbacks=[_recorder(k, events, hooks)])
        runs.append(events)
    assert runs[1] == runs[0]
    assert ("on_batch_end" in str(runs[0])) == (which == "tf_keras_names")


DEFAULT_INIT_LAYERS = [("Dense", (300,), (None, 400)), ("Conv2D", (64, 3), (None, 9, 9, 32)),
                       ("Embedding", (1000, 16), None), ("LSTM", (32,), (None, 5, 48)),
                       ("GRU", (32,), (None, 5, 48)), ("SimpleRNN", (48,), (None, 5, 64)),
                       ("BatchNormalization", (), (None, 8))]


@pytest.mark.parametrize("cls, args, shape", DEFAULT_INIT_LAYERS,
                         ids=[c[0] for c in DEFAULT_INIT_LAYERS])
def test_default_initializers_are_keras(kref, cls, args, shape):
    """Keras's defaults, not PyTorch's: each weight's constant value or spread equals Keras's
    (glorot_uniform kernels, zero biases, LSTM's forget bias 1, U(-0.05, 0.05) embeddings),
    recurrent kernels orthogonal."""
    ours, ref = getattr(keras.layers, cls)(*args), getattr(kref.layers, cls)(*args)
    if shape is None:  # Embedding builds from its arguments
        ours(np.zeros((1, 2), "int64"))
        ref(np.zeros((1, 2), "int64"))
    else:
        ours.build(shape)
        ref.build(shape)
    got, want = ours.get_weights(), ref.get_weights()
    assert [w.shape for w in got] == [w.shape for w in want]
    for g, w in zip(got, want):
        if w.std() == 0 or w.size < 64 or "Normalization" in cls:  # biases, gates, BN: exact
            np.testing.assert_array_equal(g, w)
        else:
            assert g.std() == pytest.approx(w.std(), rel=0.05)
            assert np.abs(g).max() <= np.abs(w).max() * 1.25
    if cls in ("LSTM", "GRU", "SimpleRNN"):
        rk = got[1]  # (units, gates * units): orthonormal rows, as Keras's
        np.testing.assert_allclose(rk @ rk.T, np.eye(rk.shape[0]), atol=1e-5)


@pytest.mark.parametrize("labels", ["ids", "ids_2d", "onehot"])
def test_class_weight_as_keras_3(kref, rng, labels):
    """A class missing from class_weight weighs 1 (Keras 3; tf.keras raised), in fit and
    train_on_batch; class_weight with sample_weight is an error in both."""
    x = rng.standard_normal((40, 5)).astype("float32")
    ids = np.digitize(x[:, 0], [-0.5, 0.5])
    y = {"ids": ids, "ids_2d": ids[:, None].astype("float32"), "onehot": np.eye(3)[ids]}[labels]
    loss = "categorical_crossentropy" if labels == "onehot" else \
        "sparse_categorical_crossentropy"
    cw = {0: 3.0, 2: 0.5}  # class 1 left out
    results = []
    for k in (kref, keras):
        m = k.Sequential([k.Input(shape=(5,)), k.layers.Dense(3, activation="softmax")])
        if k is kref:
            weights = m.get_weights()
        m.set_weights(weights)
        m.compile(k.optimizers.SGD(learning_rate=0.1), loss, weighted_metrics=["accuracy"])
        h = m.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0, class_weight=cw)
        step = m.train_on_batch(x[:8], y[:8], class_weight=cw, return_dict=True)
        results.append((h.history, step))
        with pytest.raises(ValueError, match="class_weight"):
            m.fit(x, y, class_weight=cw, sample_weight=np.ones(40), verbose=0)
        with pytest.raises(ValueError, match="class_weight"):
            m.train_on_batch(x[:8], y[:8], class_weight=cw, sample_weight=np.ones(8))
    (h_ref, s_ref), (h_ours, s_ours) = results
    for key in h_ref:
        np.testing.assert_allclose(h_ours[key], h_ref[key], rtol=2e-5, atol=1e-6)
    for key in s_ref:
        assert s_ours[key] == pytest.approx(float(s_ref[key]), rel=2e-5)
