"""n_networks (averaged networks from consecutive seeds) and input_scaling of TCNClassifier/TCNRegressor."""

import pickle

import numpy as np
import pytest
from conftest import TINY

import sktcn
from sktcn import TCNClassifier, TCNRegressor
from sktcn._network import UNIT_RANGE, channel_statistics, scaling_statistics


def test_an_ensemble_averages_the_networks_of_consecutive_seeds(series_2d):
    X, y = series_2d
    ensemble = TCNRegressor(**TINY, n_networks=2, random_state=5).fit(X, y)
    singles = [TCNRegressor(**TINY, random_state=seed).fit(X, y) for seed in (5, 6)]
    assert [m.random_state for m in ensemble.estimators_] == [5, 6]
    assert all(m.n_networks == 1 for m in ensemble.estimators_)
    for member, single in zip(ensemble.estimators_, singles):
        np.testing.assert_array_equal(member.predict(X), single.predict(X))
    np.testing.assert_allclose(ensemble.predict(X), np.mean([s.predict(X) for s in singles], axis=0), atol=1e-5)
    assert ensemble.history_ == singles[0].history_


def test_a_classifier_ensemble_averages_probabilities(series_3d):
    X, y = series_3d
    ensemble = TCNClassifier(**TINY, n_networks=2, random_state=0).fit(X, y)
    proba = np.mean([m.predict_proba(X) for m in ensemble.estimators_], axis=0)
    np.testing.assert_allclose(ensemble.predict_proba(X), proba, atol=1e-6)
    np.testing.assert_array_equal(ensemble.predict(X), ensemble.classes_[proba.argmax(axis=1)])
    ensemble.partial_fit(X, y)  # trains every member one more epoch
    assert all(len(m.history_["loss"]) == TINY["epochs"] + 1 for m in ensemble.estimators_)
    np.testing.assert_allclose(
        ensemble.predict_proba(X), np.mean([m.predict_proba(X) for m in ensemble.estimators_], axis=0), atol=1e-6
    )


def test_an_ensemble_survives_pickling_and_saving(series_2d, tmp_path):
    X, y = series_2d
    ensemble = TCNRegressor(**TINY, n_networks=2, random_state=0).fit(X, y)
    expected = ensemble.predict(X)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(ensemble)).predict(X), expected)
    ensemble.save(tmp_path / "model")
    np.testing.assert_array_equal(sktcn.load(tmp_path / "model").predict(X), expected)


@pytest.mark.parametrize("bad", [0, 1.5, "3"])
def test_n_networks_must_be_a_positive_integer(series_2d, bad):
    X, y = series_2d
    with pytest.raises((ValueError, TypeError), match="n_networks"):
        TCNRegressor(**TINY, n_networks=bad).fit(X, y)


def test_channel_statistics_are_per_feature_and_never_zero():
    X = np.zeros((4, 5, 2))
    X[..., 1] = np.arange(20).reshape(4, 5)
    mean, variance = channel_statistics(X)
    np.testing.assert_allclose(mean, [0.0, 9.5])
    np.testing.assert_allclose(variance, [1.0, np.var(np.arange(20))])


def test_input_scaling_makes_the_fit_independent_of_the_units(rng):
    X = rng.normal(size=(48, 10, 2)).astype(np.float32)
    y = X[:, 0, 0] + X[:, -1, 1]
    in_units = X * np.float32([2e4, 1e-3]) + np.float32([1e5, -3.0])
    params = dict(TINY, epochs=3, random_state=0, input_scaling="standard")
    standard = TCNRegressor(**params).fit(X, y)
    scaled = TCNRegressor(**params).fit(in_units, y)
    np.testing.assert_allclose(scaled.predict(in_units), standard.predict(X), rtol=1e-3, atol=1e-3)
    raw = TCNRegressor(**dict(params, input_scaling=None)).fit(in_units, y)
    assert "input_scaling" not in [layer.name for layer in raw.model_.layers]
    assert "input_scaling" in [layer.name for layer in scaled.model_.layers]


def test_input_scaling_is_checked(series_2d):
    X, y = series_2d
    with pytest.raises(ValueError, match="input_scaling"):
        TCNRegressor(**TINY, input_scaling="minmax").fit(X, y)


def test_auto_scaling_standardises_only_features_beyond_unit_range(rng):
    counts = rng.poisson(500, size=(30, 8)).astype(np.float32)
    marker = (rng.uniform(size=(30, 8)) < 0.1).astype(np.float32)
    X = np.stack([counts, marker], axis=-1)
    mean, variance = scaling_statistics(X, "auto")
    assert mean[0] == pytest.approx(counts.mean(), rel=1e-6) and variance[0] == pytest.approx(counts.var(), rel=1e-5)
    assert (mean[1], variance[1]) == (0.0, 1.0)  # the marker goes in as given
    assert np.abs(X[..., 1]).max() <= UNIT_RANGE < np.abs(X[..., 0]).max()
    standard_mean, _ = scaling_statistics(X, "standard")
    assert standard_mean[1] == pytest.approx(marker.mean())
    assert scaling_statistics(X, None) is None
    reg = TCNRegressor(**TINY, random_state=0).fit(X, counts[:, -1])
    assert reg.input_scaling == "auto"
    layer = reg.model_.get_layer("input_scaling")
    np.testing.assert_allclose(np.ravel(layer.mean), mean, rtol=1e-5)
