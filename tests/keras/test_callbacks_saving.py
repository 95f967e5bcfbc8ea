"""Callbacks' files and hooks, save/load round trips, progress output and error messages."""

import csv
import math
import re
import sys

import numpy as np
import pytest

from autograd_nn import keras


def _model(seed=0):
    keras.utils.set_random_seed(seed)
    m = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(6, activation="relu"),
                          keras.layers.Dense(1)])
    m.compile(optimizer="adam", loss="mse", metrics=["mae"])
    return m


@pytest.fixture
def xy(rng):
    x = rng.standard_normal((40, 4)).astype("float32")
    return x, x.sum(1, keepdims=True)


def test_csv_logger_writes_keras_rows_with_na(tmp_path, xy):
    path = tmp_path / "log.csv"
    h = _model().fit(*xy, epochs=2, verbose=0, callbacks=[keras.callbacks.CSVLogger(path)])
    rows = list(csv.DictReader(open(path)))
    assert list(rows[0]) == ["epoch", "loss", "mae", "val_loss", "val_mae"]
    assert [r["epoch"] for r in rows] == ["0", "1"] and rows[1]["val_loss"] == "NA"
    assert float(rows[1]["loss"]) == pytest.approx(h.history["loss"][1])


def test_model_checkpoint_best_only_and_weights_only(tmp_path, xy):
    x, y = xy
    m = _model()
    ck = keras.callbacks.ModelCheckpoint(tmp_path / "best.keras", monitor="val_loss",
                                         save_best_only=True)
    wk = keras.callbacks.ModelCheckpoint(str(tmp_path / "w-{epoch:02d}.weights.h5"),
                                         save_weights_only=True, monitor="loss")
    h = m.fit(x, y, epochs=3, validation_split=0.25, verbose=0, callbacks=[ck, wk])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["best.keras", "w-01.weights.h5",
                                                          "w-02.weights.h5", "w-03.weights.h5"]
    best = keras.models.load_model(tmp_path / "best.keras")
    assert best.evaluate(x[30:], y[30:], verbose=0)[0] == pytest.approx(
        min(h.history["val_loss"]), rel=1e-5)
    with pytest.raises(ValueError, match=r"must end in `\.keras`"):
        keras.callbacks.ModelCheckpoint(tmp_path / "x.h5")
    with pytest.raises(ValueError, match=r"must end in `\.weights\.h5`"):
        keras.callbacks.ModelCheckpoint(tmp_path / "x.keras", save_weights_only=True)


def test_save_load_model_and_weights_round_trip(tmp_path, xy):
    x, y = xy
    m = _model()
    m.fit(x, y, epochs=1, verbose=0)
    m.save(tmp_path / "m.keras")
    m.save_weights(tmp_path / "m.weights.h5")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), m.predict(x, verbose=0))
    assert loaded.compiled and loaded.loss == "mse" and loaded.metrics_names == ["loss"]
    other = _model(seed=1)
    other.load_weights(tmp_path / "m.weights.h5")
    np.testing.assert_array_equal(other.predict(x, verbose=0), m.predict(x, verbose=0))
    # files are safetensors, never pickles
    assert (tmp_path / "m.keras").read_bytes()[8:9] == b"{"
    with pytest.raises(ValueError, match="must end in"):
        m.save(tmp_path / "m.h5")


def test_functional_lstm_model_save_load(tmp_path, rng):
    inp = keras.Input(shape=(5,))
    h = keras.layers.Embedding(20, 4, mask_zero=True)(inp)
    h = keras.layers.Bidirectional(keras.layers.LSTM(3))(h)
    out = keras.layers.Dense(2, activation="softmax")(h)
    m = keras.Model(inp, out)
    m.compile("rmsprop", "sparse_categorical_crossentropy", metrics=["accuracy"])
    x = rng.integers(0, 20, (6, 5))
    m.save(tmp_path / "f.keras")
    loaded = keras.models.load_model(tmp_path / "f.keras")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), m.predict(x, verbose=0))


def test_terminate_on_nan_and_lambda_callback(xy):
    x, y = xy
    m = _model()
    m.compile(optimizer=keras.optimizers.SGD(learning_rate=1e6), loss="mse")
    seen = []
    cb = keras.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: seen.append(b))
    h = m.fit(x, y * 1e6, epochs=5, batch_size=4, verbose=0,
              callbacks=[keras.callbacks.TerminateOnNaN(), cb])
    assert len(h.history["loss"]) == 1 and len(seen) < 10
    assert not math.isfinite(h.history["loss"][0])


def test_callback_hook_order(xy):
    events = []

    class Rec(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            events.append("train_begin")
            assert self.model is m and self.params["epochs"] == 2

        def on_epoch_begin(self, epoch, logs=None):
            events.append(f"epoch_begin{epoch}")

        def on_train_batch_end(self, batch, logs=None):
            events.append(f"batch{batch}")

        def on_test_begin(self, logs=None):
            events.append("test")

        def on_epoch_end(self, epoch, logs=None):
            events.append(f"epoch_end{epoch}:{sorted(logs)}")

        def on_train_end(self, logs=None):
            events.append("train_end")
    m = _model()
    m.fit(*xy, epochs=2, batch_size=20, validation_split=0.5, verbose=0, callbacks=[Rec()])
    keys = "['loss', 'mae', 'val_loss', 'val_mae']"
    assert events == ["train_begin", "epoch_begin0", "batch0", "test", f"epoch_end0:{keys}",
                      "epoch_begin1", "batch0", "test", f"epoch_end1:{keys}", "train_end"]


def test_history_plot(tmp_path, xy):
    pytest.importorskip("matplotlib")
    h = _model().fit(*xy, epochs=3, validation_split=0.25, verbose=0)
    ax = h.plot(path=tmp_path / "h.png")
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["loss", "val_loss", "mae", "val_mae"]
    np.testing.assert_allclose(ax.get_lines()[1].get_ydata(), h.history["val_loss"])
    assert (tmp_path / "h.png").stat().st_size > 0


def test_history_plot_without_matplotlib_names_the_extra(monkeypatch, xy):
    h = _model().fit(*xy, epochs=1, verbose=0)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r"^History.plot needs matplotlib: pip install "
                                          r"'autograd_nn\[plot\]'$"):
        h.plot()


@pytest.mark.parametrize("verbose", [0, 1, 2])
def test_progress_output(capsys, xy, verbose):
    _model().fit(*xy, epochs=2, batch_size=10, verbose=verbose)
    out = capsys.readouterr().out
    if verbose == 0:
        assert out == ""
    elif verbose == 1:
        assert "Epoch 1/2" in out and "4/4 ━━━━━━━━━━━━━━━━━━━━" in out and "- loss:" in out
    else:
        lines = [ln for ln in out.splitlines() if ln.startswith("4/4 - ")]
        assert len(lines) == 2
        num = r"\d+\.\d{4}"
        assert re.fullmatch(rf"4/4 - \d+s - \d+(us|ms|s)/step - loss: {num} - mae: {num}",
                            lines[0])


def test_fit_accepts_lists_tensors_and_dataloaders(xy):
    """Python lists, Tensors and a DataLoader of batches train exactly as the NumPy arrays do
    (the array path is checked against Keras in test_training.py)."""
    import autograd_nn as torch
    from autograd_nn.utils.data import DataLoader, TensorDataset

    x, y = xy

    def run(*data, **kw):
        return _model().fit(*data, epochs=2, shuffle=False, verbose=0, **kw).history  # seeded

    want = run(x, y, batch_size=8)
    for got in (run(x.tolist(), y[:, 0].tolist(), batch_size=8),
                run(torch.tensor(x), torch.tensor(y), batch_size=8),
                run(DataLoader(TensorDataset(torch.tensor(x), torch.tensor(y)), batch_size=8))):
        assert sorted(got) == sorted(want) == ["loss", "mae"]
        for key in want:
            np.testing.assert_allclose(got[key], want[key], rtol=1e-6, err_msg=key)


def test_errors_name_the_problem(xy):
    x, y = xy
    m = keras.Sequential([keras.layers.Dense(1)])
    with pytest.raises(RuntimeError, match="compile"):
        m.fit(x, y)
    m.compile("adam", "mse")
    with pytest.raises(ValueError, match="Data cardinality is ambiguous"):
        m.fit(x, y[:10], verbose=0)
    with pytest.raises(ValueError, match="Could not interpret loss identifier"):
        m.compile("adam", "msee")
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier"):
        m.compile("adamm", "mse")
    with pytest.raises(ValueError, match="cannot `class_weight` and `sample_weight`"):
        m.fit(x, (y > 0).astype(int), class_weight={0: 1.0}, sample_weight=np.ones(len(x)),
              verbose=0)
    with pytest.raises(ValueError, match="not sufficient to split"):
        m.fit(x[:1], y[:1], validation_split=0.5, verbose=0)
    with pytest.raises(ValueError, match="unique names"):
        keras.Sequential([keras.layers.Dense(1, name="d"), keras.layers.Dense(1, name="d")])


def test_layers_are_nn_modules_for_the_project_tools():
    from autograd_nn import nn

    m = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(2, name="hidden"),
                          keras.layers.Dense(1, name="out")])
    assert isinstance(m, nn.Module) and isinstance(m.layers[0], nn.Module)
    assert list(m.state_dict()) == ["hidden.kernel", "hidden.bias", "out.kernel", "out.bias"]
    assert sum(p.numel() for p in m.parameters()) == m.count_params() == 11


def test_project_tools_work_on_keras_models(rng):
    """draw_graph names the Keras layers, check_graph verifies the backward rules,
    autograd_nn.summary tabulates the modules."""
    import autograd_nn as torch

    x = rng.standard_normal((3, 6)).astype("float32")
    m = keras.Sequential([keras.Input(shape=(6,)), keras.layers.Dense(4, activation="tanh",
                                                                      name="hidden"),
                          keras.layers.Dense(2, activation="softmax", name="probs")])
    out = m(torch.tensor(x), training=True)
    report = torch.autograd.debug.check_graph(out.sum())
    assert report.ok, report
    pytest.importorskip("graphviz")
    dot = torch.viz.draw_graph(out, m).source
    assert "hidden" in dot and "probs" in dot
    table = str(torch.viz.summary(m, (1, 6)))
    assert "hidden" in table and "probs" in table


def test_detect_anomaly_names_the_keras_layer():
    """sqrt of Dense's -3s is NaN: anomaly mode stops there and names the Keras layer."""
    import autograd_nn as torch

    m = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(2),
                          keras.layers.Lambda(lambda t: t.sqrt(), name="root")])
    m.set_weights([-np.ones((3, 2), "float32"), np.zeros(2, "float32")])
    with pytest.raises(RuntimeError, match=r"(?s)SqrtBackward0.*NaN.*module 'root' \(Lambda\)"):
        with torch.autograd.detect_anomaly():
            m(torch.ones(2, 3), training=True).sum().backward()


def test_multi_output_model_save_load_keeps_compile(tmp_path, rng):
    i = keras.Input(shape=(3,))
    h = keras.layers.Dense(4)(i)
    m = keras.Model(i, [keras.layers.Dense(1, name="a")(h), keras.layers.Dense(2, name="b")(h)])
    m.compile("sgd", loss={"a": "mse", "b": keras.losses.Huber(delta=0.5)},
              loss_weights={"a": 2.0}, metrics={"a": ["mae"]})
    x = rng.standard_normal((8, 3)).astype("float32")
    y = {"a": rng.standard_normal(8), "b": rng.standard_normal((8, 2))}
    m.save(tmp_path / "two.keras")
    loaded = keras.models.load_model(tmp_path / "two.keras")
    assert loaded.evaluate(x, y, verbose=0) == pytest.approx(m.evaluate(x, y, verbose=0),
                                                            rel=1e-6)
    assert loaded.metrics_names == m.metrics_names == ["loss", "a_loss", "b_loss", "a_mae"]


def test_training_flag_follows_keras_call_context(rng):
    """Outside fit a call is inference (Dropout off); training=True turns it on; nested calls
    in a subclassed model inherit it; a callback calling the model during fit gets
    inference."""
    x = np.ones((4, 10), "float32")

    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.drop = keras.layers.Dropout(0.5)

        def call(self, inputs):
            return self.drop(inputs)
    net = Net()
    np.testing.assert_array_equal(net(x).detach().numpy(), x)
    y = net(x, training=True).detach().numpy()
    assert set(np.unique(y)) <= {0.0, 2.0} and (y == 0).any()
    m = keras.Sequential([keras.Input(shape=(10,)), keras.layers.Dropout(0.9),
                          keras.layers.Dense(1)])
    m.compile("sgd", "mse")
    seen = []
    cb = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda b, logs: seen.append(m(x).detach().numpy()))
    m.fit(x, np.zeros(4), epochs=1, verbose=0, callbacks=[cb])
    expected = m.predict(x, verbose=0)  # the weights did not change after that batch
    np.testing.assert_allclose(seen[0], expected, rtol=1e-6)
    assert not m.training


def test_steps_limit_the_batches(xy):
    x, y = xy
    m = _model()
    seen = []
    m.fit(x, y, batch_size=4, epochs=2, steps_per_epoch=3, verbose=0,
          callbacks=[keras.callbacks.LambdaCallback(
              on_train_batch_end=lambda b, logs: seen.append(b))])
    assert seen == [0, 1, 2, 0, 1, 2] and m.optimizer.iterations == 6
    full = m.evaluate(x[:8], y[:8], batch_size=4, verbose=0)
    assert m.evaluate(x, y, batch_size=4, steps=2, verbose=0) == pytest.approx(full)
