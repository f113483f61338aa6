"""``pooling``: how TCNClassifier and TCNRegressor read the TCN's output over time."""

import json
import warnings

import keras
import numpy as np
import pytest
from conftest import TINY

import sktcn
from sktcn import TCNClassifier, TCNRegressor
from sktcn._network import build_network
from sktcn.baselines import LSTMClassifier, LSTMRegressor


def _pooling_layers(model):
    return [
        layer for layer in model.layers
        if isinstance(layer, (keras.layers.GlobalAveragePooling1D, keras.layers.GlobalMaxPooling1D))
    ]


def test_auto_resolves_to_mean_for_the_classifier_and_last_for_the_regressor(series_3d):
    X, labels = series_3d
    assert TCNClassifier().pooling == TCNRegressor().pooling == "auto"
    clf = TCNClassifier(**TINY).fit(X, labels)
    reg = TCNRegressor(**TINY).fit(X, X[:, 0, 0] + X[:, -1, 0])
    assert clf.pooling_ == "mean" and reg.pooling_ == "last"
    assert isinstance(_pooling_layers(clf.model_)[0], keras.layers.GlobalAveragePooling1D)
    assert _pooling_layers(reg.model_) == []


@pytest.mark.parametrize("Estimator", [TCNClassifier, TCNRegressor])
@pytest.mark.parametrize(
    "pooling, layer", [("last", None), ("mean", keras.layers.GlobalAveragePooling1D),
                       ("max", keras.layers.GlobalMaxPooling1D)],
)
def test_explicit_pooling_builds_its_layer(Estimator, pooling, layer, series_3d):
    X, labels = series_3d
    y = labels if Estimator is TCNClassifier else X[:, :, 0].mean(axis=1)
    est = Estimator(**TINY, pooling=pooling).fit(X, y)
    assert est.pooling_ == pooling
    found = _pooling_layers(est.model_)
    assert [type(f) for f in found] == ([] if layer is None else [layer])
    # The TCN keeps its time axis exactly when something pools it.
    assert est.model_.get_layer("tcn").return_sequences is (layer is not None)
    # Trained on 10 steps, predicts any length (3D input), one prediction per series.
    assert est.predict(np.concatenate([X, X], axis=1)).shape == (len(X),)


def test_with_return_sequences_auto_means_no_pooling_and_explicit_pooling_is_refused(rng):
    X = rng.normal(size=(24, 6, 1)).astype(np.float32)
    y = np.cumsum(X[:, :, 0], axis=1)
    reg = TCNRegressor(**TINY, return_sequences=True).fit(X, y)
    assert reg.pooling_ is None and reg.predict(X).shape == (24, 6)
    for pooling in ("mean", "max", "last"):
        est = TCNRegressor(**TINY, return_sequences=True, pooling=pooling)
        with pytest.raises(ValueError, match=r"pooling='\w+'.*return_sequences=True.*Leave pooling='auto'"):
            est.fit(X, y)
        assert not hasattr(est, "model_")


@pytest.mark.parametrize("Estimator", [TCNClassifier, TCNRegressor])
def test_unknown_pooling_is_named(Estimator):
    with pytest.raises(ValueError, match=f"'pooling' parameter of {Estimator.__name__}"):
        Estimator(**TINY, pooling="median").fit(np.random.rand(8, 6), np.arange(8) % 2)


def _bump_anywhere(n, rng, length=40):
    """Noise with one 3-step bump, positive for class 1 and negative for class 0,
    never in the last 10 steps."""
    X = rng.normal(scale=0.3, size=(n, length, 1)).astype(np.float32)
    y = rng.randint(0, 2, size=n)
    starts = rng.randint(0, length - 10, size=n)
    for i, (start, label) in enumerate(zip(starts, y)):
        X[i, start : start + 3, 0] += 1.5 if label else -1.5
    return X, y


@pytest.mark.filterwarnings("ignore:The receptive field:UserWarning")
def test_mean_pooling_learns_a_pattern_the_last_step_cannot_see():
    # A receptive field of 3 steps: the last step sees only noise, while the
    # mean over every step finds the bump wherever it is (0.99 or more on
    # held-out series with seeds 0 to 3, against 0.45 to 0.52 for the last step).
    rng = np.random.RandomState(0)
    X_train, y_train = _bump_anywhere(256, rng)
    X_test, y_test = _bump_anywhere(256, rng)
    params = dict(nb_filters=8, kernel_size=2, dilations=(1,), epochs=15, batch_size=32, learning_rate=0.01,
                  random_state=0)
    scores = {
        pooling: TCNClassifier(**params, pooling=pooling).fit(X_train, y_train).score(X_test, y_test)
        for pooling in ("last", "mean")
    }
    assert scores["mean"] >= 0.95, scores
    assert scores["last"] <= 0.65, scores


def test_a_short_receptive_field_warns_only_without_pooling(series_3d):
    X, labels = series_3d
    with pytest.warns(UserWarning, match="receptive field"):
        TCNClassifier(**TINY, dilations=(1,), pooling="last").fit(X, labels)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        TCNClassifier(**TINY, dilations=(1,), pooling="mean").fit(X, labels)


def test_the_last_step_of_a_non_causal_network_is_refused(series_2d):
    # keras-tcn reads the middle step of a padding="same" TCN: the end of every series was ignored.
    X, y = series_2d
    reg = TCNRegressor(**TINY, random_state=0).fit(X, y)
    before = reg.predict(X)
    with pytest.raises(ValueError, match="padding='same' cannot be combined with pooling='last':.*pooling='mean'"):
        reg.set_params(padding="same", pooling="last").fit(X, y)
    np.testing.assert_array_equal(reg.predict(X), before)  # the refused fit left the model as it was
    # Pooled, every step reaches the prediction, the last ones included.
    pooled = TCNRegressor(**TINY, padding="same", pooling="mean", random_state=0).fit(X, y)
    assert pooled.pooling_ == "mean" and np.isfinite(pooled.predict(X)).all()


def test_auto_pooling_of_a_non_causal_regressor_is_the_mean(series_2d):
    # pooling="auto" reads the last step of a causal regressor; a non-causal one has no
    # such step to read (see above), so "auto" pools over every step there.
    X, y = series_2d
    auto = TCNRegressor(**TINY, padding="same", random_state=0).fit(X, y)
    mean = TCNRegressor(**TINY, padding="same", pooling="mean", random_state=0).fit(X, y)
    assert auto.pooling_ == "mean"
    np.testing.assert_array_equal(auto.predict(X), mean.predict(X))
    assert TCNRegressor(**TINY, random_state=0).fit(X, y).pooling_ == "last"


@pytest.mark.parametrize("Estimator, pooling", [(TCNClassifier, "max"), (TCNRegressor, "mean"), (TCNClassifier, "auto")])
def test_save_and_load_keep_pooling_and_predictions(Estimator, pooling, series_3d, tmp_path):
    X, labels = series_3d
    y = labels if Estimator is TCNClassifier else X[:, :, 0].mean(axis=1)
    est = Estimator(**TINY, pooling=pooling, random_state=0).fit(X, y)
    loaded = sktcn.load(est.save(tmp_path / "model"))
    assert loaded.pooling == pooling and loaded.pooling_ == est.pooling_
    np.testing.assert_array_equal(loaded.predict(X), est.predict(X))
    assert [type(f) for f in _pooling_layers(loaded.model_)] == [type(f) for f in _pooling_layers(est.model_)]


def test_a_model_saved_before_pooling_existed_loads_as_last_step(series_3d, tmp_path):
    X, labels = series_3d
    clf = TCNClassifier(**TINY, pooling="last", random_state=0).fit(X, labels)
    path = clf.save(tmp_path / "old")
    manifest = json.loads((path / "manifest.json").read_text())
    del manifest["params"]["pooling"], manifest["state"]["pooling_"]
    (path / "manifest.json").write_text(json.dumps(manifest))
    loaded = sktcn.load(path)
    # "auto" would now mean mean pooling, which is not the network in the file.
    assert loaded.pooling == "last" and loaded.pooling_ == "last"
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


def test_pooling_is_not_a_parameter_of_the_lstm_baselines():
    assert "pooling" in TCNClassifier().get_params() and "pooling" in TCNRegressor().get_params()
    assert "pooling" not in LSTMClassifier().get_params() and "pooling" not in LSTMRegressor().get_params()
    with pytest.raises(TypeError, match="pooling"):
        LSTMClassifier(pooling="mean")


def test_mixed_precision_pools_and_predicts_in_float32():
    model = build_network(
        n_channels=2, n_timesteps=None, output_shape=(), n_classes=3, mixed_precision=True, pooling="mean",
        tcn_params=dict(nb_filters=4, dilations=[1, 2]),
    )
    assert model.get_layer("tcn").compute_dtype == "float16"
    assert model.get_layer("pooling").compute_dtype == "float32"
    out = model(np.zeros((2, 9, 2), "float32"))
    assert out.dtype == "float32" and tuple(out.shape) == (2, 3)


def test_build_network_refuses_pooling_with_sequences_and_unknown_names():
    params = dict(nb_filters=4, dilations=[1, 2], return_sequences=True)
    with pytest.raises(ValueError, match="return_sequences=True"):
        build_network(n_channels=1, n_timesteps=None, output_shape=(5,), tcn_params=params, pooling="max")
    with pytest.raises(ValueError, match="not one of"):
        build_network(n_channels=1, n_timesteps=None, output_shape=(1,), tcn_params=dict(nb_filters=4),
                      pooling="median")
