"""input_noise: Gaussian noise on the inputs in training only (off by default)."""

import pickle
import warnings

import keras
import numpy as np
import pytest
from conftest import TINY

import sktcn
from sktcn import TCNClassifier, TCNRegressor
from sktcn._network import SERIES_SCALING, InputNoise, input_noise_of, noise_stddev

NET = dict(TINY, kernel_size=2, dilations=(1, 2, 4, 8), random_state=0)
NOISY = dict(NET, input_noise=0.2)


def _series(rng, n=40, length=20, scale=1.0):
    X = (scale * rng.normal(size=(n, length))).astype(np.float32)
    return X, (X[:, 0] > 0).astype(int)


def _fit_quietly(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # receptive field shorter than the series
        return estimator.fit(X, y)


def test_noise_stddev_is_a_fraction_of_each_features_spread_as_the_network_sees_it(rng):
    X = np.stack([rng.normal(size=(30, 8)) * 50.0, rng.normal(size=(30, 8)), np.full((30, 8), 3.0)], axis=-1)
    spread = X.reshape(-1, 3).std(axis=0)
    np.testing.assert_allclose(noise_stddev(X, 0.2, None), [0.2 * spread[0], 0.2 * spread[1], 0.0])
    # After standardising the first feature only (input_scaling="auto" on values beyond 10).
    scaled = ([X[..., 0].mean(), 0.0, 0.0], [spread[0] ** 2, 1.0, 1.0])
    np.testing.assert_allclose(noise_stddev(X, 0.2, scaled), [0.2, 0.2 * spread[1], 0.0])
    # Each series standardised by its own statistics: every varying feature's spread is 1.
    np.testing.assert_allclose(noise_stddev(X, 0.5, SERIES_SCALING), [0.5, 0.5, 0.0])
    # A feature constant within each series, at a level of its own per series, varies
    # over X; that scaling turns it into zeros, so it gets no noise.
    levels = np.repeat(np.arange(30.0)[:, None, None], 8, axis=1)
    np.testing.assert_allclose(noise_stddev(np.concatenate([X, levels], axis=-1), 0.5, SERIES_SCALING),
                               [0.5, 0.5, 0.0, 0.0])
    assert noise_stddev(X, 0.0, None) is None and noise_stddev(X, 0, scaled) is None


def test_the_layer_adds_noise_in_training_only_and_round_trips_its_config():
    layer = InputNoise([1.0, 0.0, 0.25])
    x = np.zeros((4000, 5, 3), np.float32)
    np.testing.assert_array_equal(layer(x).numpy(), x)
    noisy = layer(x, training=True).numpy()
    np.testing.assert_allclose(noisy.reshape(-1, 3).std(axis=0), [1.0, 0.0, 0.25], atol=0.02)
    assert not np.array_equal(noisy, layer(x, training=True).numpy())  # a new draw every call
    again = InputNoise.from_config(layer.get_config())
    assert again.stddev == [1.0, 0.0, 0.25] and again.name == layer.name


@pytest.mark.parametrize(
    "make, length, kwargs, expected",
    [
        # Off by default, for short series and long (batch normalisation), classifier and regressor.
        (TCNClassifier, 20, {}, None),
        (TCNClassifier, 64, {}, None),
        (TCNRegressor, 20, {}, None),
        (TCNClassifier, 20, dict(input_noise=0.2), 0.2),
        (TCNClassifier, 64, dict(input_noise=0.5), 0.5),
        (TCNRegressor, 20, dict(input_noise=0.1), 0.1),
    ],
)
def test_noise_only_where_asked_for(rng, make, length, kwargs, expected):
    X, y = _series(rng, length=length, scale=3.0)
    estimator = _fit_quietly(make(**NET, **kwargs), X, y if make is TCNClassifier else X[:, 0])
    stddev = input_noise_of(estimator.model_)
    if expected is None:
        assert stddev is None and "input_noise" not in [layer.name for layer in estimator.model_.layers]
    else:
        # Values within 10 go in unscaled ("auto" input scaling): the noise follows their spread of 3.
        np.testing.assert_allclose(stddev, [expected * X.std(dtype=np.float64)], rtol=1e-6)


def test_labels_per_step_train_with_the_noise_asked_for(rng):
    X = rng.normal(size=(30, 12, 1)).astype(np.float32)
    y = (X[..., 0] > 0).astype(int)
    estimator = _fit_quietly(TCNClassifier(**NOISY, return_sequences=True), X, y)
    np.testing.assert_allclose(input_noise_of(estimator.model_), [0.2 * X.std(dtype=np.float64)], rtol=1e-6)


def test_noise_changes_training_but_seeded_fits_repeat_and_predict_adds_none(rng):
    X, y = _series(rng)
    first = _fit_quietly(TCNClassifier(**NOISY), X, y)
    second = _fit_quietly(TCNClassifier(**NOISY), X, y)
    without = _fit_quietly(TCNClassifier(**NET), X, y)
    np.testing.assert_array_equal(first.predict_proba(X), second.predict_proba(X))
    assert not np.array_equal(first.predict_proba(X), without.predict_proba(X))
    np.testing.assert_array_equal(first.predict_proba(X), first.predict_proba(X))


@pytest.mark.parametrize("value, message", [(-0.1, "input_noise"), ("auto", "input_noise"), ([0.1], "input_noise")])
def test_bad_input_noise_is_refused_by_name_and_leaves_the_estimator_unfitted(rng, value, message):
    X, y = _series(rng)
    estimator = TCNClassifier(**NET, input_noise=value)
    with pytest.raises(ValueError, match=message):
        estimator.fit(X, y)
    assert not hasattr(estimator, "model_")


def test_files_pickles_and_warm_starts_keep_the_noise(rng, tmp_path):
    X, y = _series(rng)
    estimator = _fit_quietly(TCNClassifier(**NOISY), X, y)
    estimator.save(tmp_path / "noisy")
    loaded, copied = sktcn.load(tmp_path / "noisy"), pickle.loads(pickle.dumps(estimator))
    for other in (loaded, copied):
        assert input_noise_of(other.model_) == input_noise_of(estimator.model_)
        np.testing.assert_array_equal(other.predict_proba(X), estimator.predict_proba(X))
    # A single network keeps its optimizer and its noise's seed state: a warm start continues alike.
    expected = _fit_quietly(estimator.set_params(warm_start=True), X, y).predict_proba(X)
    for other in (loaded, copied):
        np.testing.assert_array_equal(_fit_quietly(other.set_params(warm_start=True), X, y).predict_proba(X),
                                      expected)


def test_an_ensembles_members_and_its_file_keep_the_noise(rng, tmp_path):
    X, y = _series(rng)
    estimator = _fit_quietly(TCNClassifier(**NOISY, n_networks=2), X, y)
    estimator.save(tmp_path / "ensemble")
    loaded = sktcn.load(tmp_path / "ensemble")
    assert loaded._input_noise_stddev == estimator._input_noise_stddev is not None
    np.testing.assert_array_equal(loaded.predict_proba(X), estimator.predict_proba(X))
    # The training model rebuilt for a warm start of the loaded copy (fused, or
    # the members side by side) adds the same noise.
    _fit_quietly(loaded.set_params(warm_start=True), X, y)
    noises = [layer for layer in loaded._trainer._flatten_layers() if isinstance(layer, InputNoise)]
    assert noises and all(layer.stddev == estimator._input_noise_stddev for layer in noises)


def test_the_noise_is_drawn_from_the_seeded_generator_the_estimator_keeps(rng):
    X, y = _series(rng)
    estimator = _fit_quietly(TCNClassifier(**NOISY), X, y)
    layer = estimator.model_.get_layer("input_noise")
    assert any(variable is layer.seed_generator.state for variable in estimator.model_.variables)
    state = keras.ops.convert_to_numpy(layer.seed_generator.state)
    assert state[1] > 0  # the counter moved: training drew from it
