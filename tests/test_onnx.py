"""est.export_onnx: ONNX Runtime reproduces predict / predict_proba, and bad calls fail clearly.

The output head of an sktcn network starts at zero, so a barely trained
network predicts (nearly) the same for every series, and a comparison of
constants could not fail. Every fitted network here gets a random head first,
and each comparison checks that the outputs differ between series.
"""

import sys

import keras
import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sktime.datasets import load_airline

from sktcn import TCNClassifier, TCNForecaster, TCNRegressor, _onnx
from sktcn._ensemble import member_networks
from sktcn._simple_forecasts import forecast_at

from conftest import TINY_FORECASTER, global_policy

onnxruntime = pytest.importorskip("onnxruntime", reason="ONNX export tests need onnxruntime (pip install sktcn[onnx])")
onnx = pytest.importorskip("onnx", reason="ONNX export tests need onnx (pip install sktcn[onnx])")
pytest.importorskip("tf2onnx", reason="ONNX export tests need tf2onnx (pip install sktcn[onnx])")

# Tiny networks, one epoch: the tests compare two runtimes, not accuracy.
NET = dict(nb_filters=4, epochs=1, dilations=[1, 2], batch_size=16, random_state=0)
TOLERANCE = dict(rtol=1e-5, atol=1e-5)


def series(n, length, seed=0):
    """Two features; the second in raw units (mean 50, sd 20), so input scaling ("auto") is in the graph."""
    X = np.random.RandomState(seed).normal(size=(n, length, 2)).astype(np.float32)
    X[:, :, 1] = 50 + 20 * X[:, :, 1]
    return X


X_TRAIN = series(24, 12)


def randomise_heads(est):
    """Random output-head weights for ``est``'s network (each member's, for an ensemble); returns est."""
    rng = np.random.RandomState(1)
    for network in member_networks(est.model_) or [est.model_]:
        head = network.get_layer("head")
        head.set_weights([rng.normal(scale=1.0, size=w.shape).astype(np.float32) for w in head.get_weights()])
    return est


def onnx_output(path, X):
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (out,) = session.run(["output"], {"series": X})
    return out


def decode_regression(reg, out, shape):
    """The export_onnx docstring's decoding: standardised outputs back to the units of y, shaped as predict's."""
    return (out * reg.target_encoder_.scale_ + reg.target_encoder_.mean_).reshape(shape)


def assert_varies(values):
    flat = np.asarray(values).reshape(len(values), -1)
    assert np.ptp(flat, axis=0).max() > 1e-2, "outputs hardly differ between series: the comparison could not fail"


def fitted(est, y, X=X_TRAIN):
    return randomise_heads(est.fit(X, y))


# ------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def regressor():
    return fitted(TCNRegressor(**NET), X_TRAIN[:, 0, 0] + X_TRAIN[:, -1, 0])


@pytest.fixture(scope="module")
def regressor_file(regressor, tmp_path_factory):
    return regressor.export_onnx(tmp_path_factory.mktemp("onnx") / "regressor.onnx")


@pytest.fixture(scope="module")
def sequence_regressor():
    # Weight normalisation here too: each fit costs seconds, and this one is the only per-step network.
    return fitted(TCNRegressor(**NET, return_sequences=True, use_weight_norm=True), np.cumsum(X_TRAIN[:, :, 0], axis=1))


# --------------------------------------------------------------- equalities
# "last" is the regressor's (below); "mean" is the classifier's default.
@pytest.mark.parametrize("pooling", ["mean", "max"])
def test_classifier_probabilities(pooling, tmp_path):
    labels = np.array(["a", "b", "c"])[np.arange(len(X_TRAIN)) % 3]
    clf = fitted(TCNClassifier(**NET, pooling=pooling), labels)
    X = series(7, 12, seed=1)
    proba = onnx_output(clf.export_onnx(tmp_path / "clf.onnx"), X)
    expected = clf.predict_proba(X)
    assert_varies(expected)
    np.testing.assert_allclose(proba, expected, **TOLERANCE)
    np.testing.assert_array_equal(clf.classes_[proba.argmax(-1)], clf.predict(X))


def test_regressor_single_output_at_two_lengths(regressor, regressor_file):
    assert regressor.pooling_ == "last"
    # One file, series of the training length and of a longer one: the time axis is free.
    for length in (12, 30):
        X = series(6, length, seed=length)
        expected = regressor.predict(X)
        assert_varies(expected)
        out = onnx_output(regressor_file, X)
        assert out.shape == (6, 1)
        np.testing.assert_allclose(decode_regression(regressor, out, expected.shape), expected, **TOLERANCE)


def test_file_is_valid_onnx_with_named_dynamic_axes(regressor_file):
    model = onnx.load(str(regressor_file))
    onnx.checker.check_model(model)
    (inp,), (out,) = model.graph.input, model.graph.output
    assert (inp.name, out.name) == ("series", "output")
    dims = [d.dim_param or d.dim_value for d in inp.type.tensor_type.shape.dim]
    assert dims == ["batch", "time", 2]


def test_regressor_multi_output_fit_on_2d_keeps_the_time_axis_fixed(tmp_path):
    X2 = X_TRAIN[:, :, 0]
    reg = fitted(TCNRegressor(**NET), np.stack([X2[:, -1], 3 * X2[:, 0] + 5], axis=1), X=X2)
    path = reg.export_onnx(tmp_path / "multi.onnx")
    dims = [d.dim_param or d.dim_value for d in onnx.load(str(path)).graph.input[0].type.tensor_type.shape.dim]
    assert dims == ["batch", 12, 1]  # predict, too, takes 12 steps only
    X = series(6, 12, seed=2)[:, :, 0]
    expected = reg.predict(X)
    assert_varies(expected)
    out = onnx_output(path, X[..., None])
    assert out.shape == expected.shape == (6, 2)
    np.testing.assert_allclose(decode_regression(reg, out, expected.shape), expected, **TOLERANCE)


def test_return_sequences_and_weight_norm_at_two_lengths(sequence_regressor, tmp_path):
    path = sequence_regressor.export_onnx(tmp_path / "sequences.onnx")
    for length in (12, 20):
        X = series(5, length, seed=length)
        expected = sequence_regressor.predict(X)
        assert_varies(expected)
        out = onnx_output(path, X)
        assert out.shape == (5, length, 1)
        np.testing.assert_allclose(decode_regression(sequence_regressor, out, expected.shape), expected, **TOLERANCE)


def test_ensemble_exports_the_average(tmp_path):
    reg = fitted(TCNRegressor(**NET, n_networks=2), X_TRAIN[:, -1, 0])
    X = series(6, 12, seed=4)
    expected = reg.predict(X)
    members = reg.predict_members(X)
    assert_varies(expected)
    assert not np.allclose(members[0], members[1])  # an average of two different networks
    out = onnx_output(reg.export_onnx(tmp_path / "ens.onnx"), X)
    np.testing.assert_allclose(decode_regression(reg, out, expected.shape), expected, **TOLERANCE)


def forecast_with_onnx(forecaster, paths, y):
    """The user guide's route (docs/user_guide/onnx.rst): univariate y, no X, scaling="standard"."""
    window = y[-forecaster.window_length_:]
    offset, scale = window.mean(), window.std()
    scale = scale if scale > 1e-8 * max(1.0, abs(offset)) else 1.0
    inputs = ((window - offset) / scale).astype(np.float32)[None, :, None]
    total = 0.0
    for reg, path in zip(forecaster.regressors_, paths):
        out = onnx_output(path, inputs) * reg.target_encoder_.scale_ + reg.target_encoder_.mean_
        total = total + (out[:, -1] if reg.return_sequences else out).reshape(-1)  # forking: the last step's
    baseline = forecast_at(forecaster.baseline_, y[:, None], [len(y) - 1], forecaster.horizon_, forecaster.sp_)[0, :, 0]
    baseline = (baseline - offset) / scale if forecaster.baseline_ is not None else baseline
    # correction_weight_: 0 when the fit's backtest dropped the networks' correction.
    return (baseline + forecaster.correction_weight_ * total / len(paths)) * scale + offset


@pytest.mark.parametrize("baseline", ["auto", None])
def test_forecaster_route(tmp_path, baseline):
    y = load_airline()
    # One network: the route's loop averages any number (the default is 3), and each costs a fit.
    forecaster = TCNForecaster(**dict(TINY_FORECASTER, epochs=1, calibration_size=0.0, dilations=[1, 2]),
                               baseline=baseline)
    forecaster.fit(y, fh=[1, 2, 3])
    for reg in forecaster.regressors_:
        randomise_heads(reg)
    paths = [reg.export_onnx(tmp_path / f"network_{k}.onnx") for k, reg in enumerate(forecaster.regressors_)]
    expected = forecaster.predict().to_numpy()
    assert np.ptp(expected) > 1e-2
    np.testing.assert_allclose(forecast_with_onnx(forecaster, paths, y.to_numpy()), expected.ravel(), rtol=1e-5)


# ------------------------------------------------------------------- errors
def test_unfitted_estimator_raises_not_fitted(tmp_path):
    with pytest.raises(NotFittedError):
        TCNRegressor().export_onnx(tmp_path / "never.onnx")
    assert not (tmp_path / "never.onnx").exists()


@pytest.mark.parametrize("missing", ["tf2onnx", "onnx", "onnxruntime"])
def test_missing_converter_names_the_extra(missing, regressor, tmp_path, monkeypatch):
    # A None entry in sys.modules makes `import` fail as for an absent package.
    for name in [n for n in sys.modules if n == missing or n.startswith(missing + ".")] + [missing]:
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(ImportError, match=r"pip install sktcn\[onnx\]"):
        regressor.export_onnx(tmp_path / "model.onnx")
    assert not (tmp_path / "model.onnx").exists()


def test_bad_paths_raise_value_error(regressor, tmp_path):
    with pytest.raises(ValueError, match="must end with '.onnx'"):
        regressor.export_onnx(tmp_path / "model.keras")
    (tmp_path / "folder.onnx").mkdir()
    with pytest.raises(ValueError, match="is a directory"):
        regressor.export_onnx(tmp_path / "folder.onnx")
    with pytest.raises(ValueError, match="does not exist"):
        regressor.export_onnx(tmp_path / "absent" / "model.onnx")
    with pytest.raises(ValueError, match="file name"):
        regressor.export_onnx(42)


def test_a_float64_network_is_refused_naming_floatx(keras_globals, tmp_path):
    # Networks follow keras.config.floatx(); ONNX Runtime has no float64 convolution.
    keras_globals("float64")
    reg = TCNRegressor(**NET).fit(X_TRAIN, X_TRAIN[:, -1, 0])
    with pytest.raises(ValueError, match=r"float64 .*keras\.config\.floatx\(\)"):
        reg.export_onnx(tmp_path / "model.onnx")
    assert not (tmp_path / "model.onnx").exists()


def test_a_bfloat16_network_is_refused_naming_the_policy(tmp_path):
    # Its weights are float32, but ONNX Runtime has no bfloat16 convolution to run what it computes.
    with global_policy("mixed_bfloat16"):
        reg = TCNRegressor(**NET).fit(X_TRAIN, X_TRAIN[:, -1, 0])
    with pytest.raises(ValueError, match=r"bfloat16 .*'mixed_bfloat16'.*'mixed_float16'"):
        reg.export_onnx(tmp_path / "model.onnx")
    assert not (tmp_path / "model.onnx").exists()


def test_a_mismatching_conversion_is_refused(regressor, tmp_path, monkeypatch):
    # The self-check can fail: convert another network (twice the outputs) than the one it compares with.
    frozen_graph = _onnx._frozen_graph

    def other_network(model, n_timesteps):
        series = keras.Input(shape=model.input_shape[1:])
        return frozen_graph(keras.Model(series, keras.layers.Rescaling(2.0)(model(series))), n_timesteps)

    monkeypatch.setattr(_onnx, "_frozen_graph", other_network)
    with pytest.raises(RuntimeError, match="differ from TensorFlow"):
        regressor.export_onnx(tmp_path / "wrong.onnx")
    assert not (tmp_path / "wrong.onnx").exists()


def test_ragged_fit_padded_as_documented_gives_predicts_numbers(tmp_path):
    # predict pads a series shorter than the longest training series in front to ragged_fit_length_;
    # the file runs series as given, so the docs say to pad first.
    rng = np.random.RandomState(0)
    X = [series(1, n, seed=i)[0] for i, n in enumerate([12, 5, 9, 3] * 6)]
    clf = fitted(TCNClassifier(**NET), np.arange(len(X)) % 2, X=X)
    assert clf.ragged_fit_length_ == 12
    assert TCNClassifier(**NET).fit(X_TRAIN, np.arange(len(X_TRAIN)) % 2).ragged_fit_length_ is None
    with pytest.raises(AttributeError, match="not fitted"):
        TCNClassifier().ragged_fit_length_
    path = clf.export_onnx(tmp_path / "ragged.onnx")
    tests = [series(1, n, seed=50 + n)[0] for n in (3, 7, 15)]
    proba = []
    for x in tests:
        n = max(len(x), clf.ragged_fit_length_ or 0)
        padded = np.concatenate([np.zeros((n - len(x), x.shape[1]), np.float32), x])
        proba.append(onnx_output(path, padded[None])[0])
    expected = clf.predict_proba(tests)
    np.testing.assert_allclose(proba, expected, **TOLERANCE)
    # Unpadded, the short series gets other numbers: the comparison could fail.
    assert np.abs(onnx_output(path, tests[0][None])[0] - expected[0]).max() > 1e-4


def test_series_scaling_is_in_the_file_padding_and_constant_series_included(tmp_path):
    X = [series(1, n, seed=i)[0] * (i + 1) + 10 * i for i, n in enumerate([12, 5, 9, 3] * 6)]
    clf = fitted(TCNClassifier(**NET, input_scaling="series"), np.arange(len(X)) % 2, X=X)
    path = clf.export_onnx(tmp_path / "series.onnx")
    # Padded in front as predict pads them, a constant series, and one of zeros only.
    tests = np.stack([series(1, 12, seed=7)[0] * 30 - 500, np.full((12, 2), 7.5, np.float32),
                      np.zeros((12, 2), np.float32)])
    tests[0, :4] = 0.0
    proba = onnx_output(path, tests)
    expected = clf.predict_proba(tests)
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba, expected, **TOLERANCE)
    # The padding is left out of the statistics: the padded series' level does not count.
    moved = tests[:1].copy()
    moved[0, 4:] += 1000.0
    np.testing.assert_allclose(onnx_output(path, moved), proba[:1], rtol=1e-4, atol=1e-4)


def test_multi_output_classifier_decoded_as_documented(tmp_path):
    labels = np.column_stack([np.array(["a", "b"])[np.arange(24) % 2], np.array(["c", "d", "e"])[np.arange(24) % 3]])
    clf = fitted(TCNClassifier(**NET), labels)
    X = series(7, 12, seed=1)
    proba = onnx_output(clf.export_onnx(tmp_path / "multi.onnx"), X)
    union = np.unique(np.concatenate(clf.classes_))
    assert proba.shape == (7, 2, len(union))
    columns = [proba[:, k, np.searchsorted(union, classes)] for k, classes in enumerate(clf.classes_)]
    proba_k = [c / c.sum(-1, keepdims=True) for c in columns]
    expected = clf.predict_proba(X)
    for got, want in zip(proba_k, expected, strict=True):
        np.testing.assert_allclose(got, want, **TOLERANCE)
    decoded = np.column_stack([classes[p.argmax(-1)] for classes, p in zip(clf.classes_, proba_k)])
    np.testing.assert_array_equal(decoded, clf.predict(X))


def test_an_export_beside_a_first_prediction_in_another_thread(tmp_path):
    # keras-tcn's layers keep working lists while called: an export (a trace and
    # an eager self-check) beside a first, eager prediction mixed their tensors
    # (a wrong or failed prediction, and a failed self-check).
    import pickle
    import threading

    X = np.random.RandomState(0).normal(size=(40, 60, 2)).astype(np.float32)  # within the field of 61
    fitted = TCNRegressor(nb_filters=8, kernel_size=3, dilations=(1, 2, 4, 8), epochs=1, random_state=0)
    fitted.fit(X, X[:, -3:, 0].sum(1))
    big = np.repeat(X, 100, axis=0)
    expected, blob = fitted.predict(big), pickle.dumps(fitted)
    for attempt in range(2):
        reg, outputs = pickle.loads(blob), []

        def predict(reg=reg, outputs=outputs):
            try:
                outputs.extend(reg.predict(big) for _ in range(3))
            except Exception as error:  # noqa: BLE001 - the race raised several kinds
                outputs.append(error)

        thread = threading.Thread(target=predict)
        thread.start()
        reg.export_onnx(tmp_path / f"m{attempt}.onnx")
        thread.join()
        assert len(outputs) == 3
        for output in outputs:
            np.testing.assert_allclose(output, expected, rtol=1e-5, atol=1e-6)
