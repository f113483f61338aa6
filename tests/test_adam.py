"""Adam's update as one flat tensor (sktcn._adam, sktcn._compat.flatten_adam_update) is Keras' own, bit for bit."""

import keras
import numpy as np
import pytest
from conftest import TINY

from sktcn import TCNClassifier, TCNRegressor, _compat
from sktcn._adam import adam_update


def test_adam_update_is_keras_adam_bit_for_bit():
    rng = np.random.default_rng(0)
    shapes = [(3, 4, 5), (5,), (7, 2), (1,)]
    # Weights from zero: each step's change is then not rounded away in the sum.
    weights = [keras.Variable(np.zeros(shape, "float32")) for shape in shapes]
    optimizer = keras.optimizers.Adam(learning_rate=0.01)  # Keras' per-tensor update: never flattened here
    optimizer.build(weights)
    flat = np.concatenate([w.numpy().ravel() for w in weights])
    m = np.zeros_like(flat)
    v = np.zeros_like(flat)
    for step in range(1, 4):
        grads = [rng.normal(size=shape).astype("float32") for shape in shapes]
        optimizer.apply(grads, weights)
        m, v, delta = adam_update(np.concatenate([g.ravel() for g in grads]), m, v, learning_rate=0.01,
                                  beta_1=optimizer.beta_1, beta_2=optimizer.beta_2, epsilon=optimizer.epsilon,
                                  step=float(step))
        flat = flat - delta.numpy()
        np.testing.assert_array_equal(flat, np.concatenate([w.numpy().ravel() for w in weights]))
        np.testing.assert_array_equal(m, np.concatenate([s.numpy().ravel() for s in optimizer._momentums]))
        np.testing.assert_array_equal(v, np.concatenate([s.numpy().ravel() for s in optimizer._velocities]))


def _weights(estimator):
    return [w.copy() for w in estimator.model_.get_weights()]


@pytest.mark.parametrize("make", [
    lambda: TCNRegressor(**TINY, random_state=0),
    lambda: TCNRegressor(**TINY, n_networks=2, random_state=0),  # fused (sktcn._ensemble)
    lambda: TCNRegressor(**TINY, n_networks=2, use_layer_norm=True, random_state=0),  # side by side
    lambda: TCNClassifier(**TINY, use_batch_norm=True, random_state=0),
], ids=["regressor", "fused ensemble", "side-by-side ensemble", "batch-norm classifier"])
def test_fits_are_keras_own_bit_for_bit(make, series_3d, monkeypatch):
    X, y = series_3d
    target = y if isinstance(make(), TCNClassifier) else X[:, -1, 0]
    traced = []
    flat_update = _compat.adam_update
    monkeypatch.setattr(_compat, "adam_update", lambda *a, **k: traced.append(1) or flat_update(*a, **k))
    flat = make().fit(X, target)
    assert traced, "the flat update was not used: the comparison below would compare Keras with itself"
    monkeypatch.setattr(_compat, "flatten_adam_update", lambda optimizer: None)
    keras_own = make().fit(X, target)
    assert "_backend_update_step" not in vars(keras_own.model_.optimizer)
    for a, b in zip(_weights(flat), _weights(keras_own), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("optimizer", [
    keras.optimizers.SGD(), keras.optimizers.Adam(amsgrad=True), type("MyAdam", (keras.optimizers.Adam,), {})(),
], ids=["sgd", "amsgrad", "subclass"])
def test_other_optimizers_keep_keras_update(optimizer):
    _compat.flatten_adam_update(optimizer)
    assert "_backend_update_step" not in vars(optimizer)


def test_flattening_is_installed_once_on_the_instance():
    optimizer, other = keras.optimizers.Adam(), keras.optimizers.Adam()
    _compat.flatten_adam_update(optimizer)
    installed = vars(optimizer)["_backend_update_step"]
    _compat.flatten_adam_update(optimizer)
    assert vars(optimizer)["_backend_update_step"] is installed
    assert "_backend_update_step" not in vars(other)  # other Keras code in the process keeps Keras' update
