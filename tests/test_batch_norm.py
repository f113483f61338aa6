"""use_batch_norm: "auto" (the classifier's default) resolved, and the momentum of the moving statistics."""

import keras
import numpy as np
import pytest

from sktcn import TCNClassifier, TCNForecaster, TCNRegressor
from sktcn._base import POOLED_FIELD
from sktcn._network import BATCH_NORM_MOMENTUM
from conftest import TINY


def test_defaults_per_estimator():
    assert TCNClassifier().use_batch_norm == "auto"
    assert TCNRegressor().use_batch_norm is False and TCNForecaster().use_batch_norm is False


@pytest.mark.parametrize("params, expected", [
    ({}, True),  # one label per series (before a fit: its length decides, see below)
    ({"return_sequences": True}, False),  # labels per time step
    ({"use_layer_norm": True}, False),  # another normalisation asked for
    ({"use_weight_norm": True}, False),
    ({"use_batch_norm": False}, False),
    ({"use_batch_norm": True, "return_sequences": True}, True),
])
def test_classifier_auto_resolves(params, expected):
    assert TCNClassifier(**params)._tcn_flag("use_batch_norm") is expected


def test_classifier_auto_leaves_series_within_the_pooled_field_unnormalised():
    # ItalyPowerDemand's 24 steps lost accuracy with it; longer series gained.
    rng = np.random.default_rng(0)
    y = np.arange(16) % 2
    for n_timesteps, expected in [(POOLED_FIELD, False), (POOLED_FIELD + 1, True)]:
        X = rng.normal(size=(16, n_timesteps, 1)).astype(np.float32)
        clf = TCNClassifier(**TINY, random_state=0).fit(X, y)
        assert clf._tcn_flag("use_batch_norm") is expected
        assert bool(_batch_norm_layers(clf.model_)) is expected
    # An explicit choice holds whatever the length.
    X = rng.normal(size=(16, 12, 1)).astype(np.float32)
    assert _batch_norm_layers(TCNClassifier(**TINY, use_batch_norm=True, random_state=0).fit(X, y).model_)


def test_regressor_auto_means_off():
    assert TCNRegressor(use_batch_norm="auto")._tcn_flag("use_batch_norm") is False


def test_another_norm_beside_explicit_batch_norm_is_refused():
    X, y = np.zeros((8, 6, 1)), np.arange(8) % 2
    with pytest.raises(ValueError, match="use_batch_norm and use_layer_norm are both set"):
        TCNClassifier(**TINY, use_batch_norm=True, use_layer_norm=True).fit(X, y)
    # With "auto", asking for layer normalisation is enough.
    clf = TCNClassifier(**TINY, use_layer_norm=True, random_state=0).fit(X, y)
    assert not _batch_norm_layers(clf.model_)


def _batch_norm_layers(model):
    found = []
    for layer in model._flatten_layers(include_self=False, recursive=True):
        if isinstance(layer, keras.layers.BatchNormalization):
            found.append(layer)
    return found


def test_the_default_classifier_normalises_with_fast_moving_statistics():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(24, POOLED_FIELD + 4, 1)).astype(np.float32)
    y = (X[:, :, 0].mean(axis=1) > 0).astype(int)
    clf = TCNClassifier(**TINY, random_state=0).fit(X, y)
    layers = _batch_norm_layers(clf.model_)
    assert layers and all(layer.momentum == BATCH_NORM_MOMENTUM == 0.9 for layer in layers)
    # The moving statistics moved from their initial (0, 1) during the fit.
    assert any(not np.allclose(keras.ops.convert_to_numpy(layer.moving_mean), 0.0) for layer in layers)
    assert not _batch_norm_layers(TCNRegressor(**TINY, random_state=0).fit(X, y.astype(float)).model_)
