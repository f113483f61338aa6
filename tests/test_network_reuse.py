"""The forecaster's backtest networks share one Keras network (sktcn._network_reuse).

Reusing it must change nothing but the cost: every fit starts from the state a
newly built network of the same seed has, so forecasts and intervals equal
those of networks built one by one.
"""

import keras
import numpy as np
import pandas as pd
import pytest

import sktcn._network_pool
import sktcn.forecasting
from sktcn import TCNForecaster, TCNRegressor
from sktcn._network_reuse import ReusedNetwork
from conftest import TINY_FORECASTER


class BuildEveryTime:
    """A stand-in for ReusedNetwork that builds a new network for every fit, as before the reuse."""

    model = None

    def model_for(self, build, inputs):
        return build()


class BuildingPool(sktcn._network_pool.NetworkPool):
    """A pool (sktcn._network_pool) whose networks build anew for every fit."""

    def take(self, key):
        return BuildEveryTime()

    def give(self, key, network):
        pass


@pytest.fixture(scope="module")
def series():
    rng = np.random.RandomState(0)
    return pd.Series(np.sin(np.arange(90) / 3.0) + 0.2 * rng.normal(size=90) + 5.0)


@pytest.fixture
def builds(monkeypatch):
    """Number of Keras networks TCNRegressor builds during the test."""
    calls = []
    original = TCNRegressor._build_keras_model

    def counted(self):
        calls.append(1)
        return original(self)

    monkeypatch.setattr(TCNRegressor, "_build_keras_model", counted)
    return calls


@pytest.mark.parametrize("n_networks", [1, 2])
@pytest.mark.parametrize("dropout_rate", [0.0, 0.3], ids=["no-dropout", "dropout"])
def test_reused_network_forecasts_as_networks_built_one_by_one(monkeypatch, builds, series, n_networks,
                                                                dropout_rate):
    params = dict(TINY_FORECASTER, n_networks=n_networks, dropout_rate=dropout_rate, epochs=3,
                  calibration_size=0.3)
    reused = TCNForecaster(**params).fit(series, fh=[1, 2, 3])
    reused_builds = len(builds)
    monkeypatch.setattr(sktcn._network_pool, "POOL", BuildingPool())
    one_by_one = TCNForecaster(**params).fit(series, fh=[1, 2, 3])
    # Several backtest blocks, else there is nothing to reuse.
    n_blocks = len(builds) - reused_builds - 1
    assert n_blocks >= 2
    # The blocks build one network; a single averaged network reuses it too.
    assert reused_builds == (1 if n_networks == 1 else 2)
    np.testing.assert_array_equal(reused.residual_quantile_source_, one_by_one.residual_quantile_source_)
    np.testing.assert_array_equal(reused.predict().to_numpy(), one_by_one.predict().to_numpy())
    np.testing.assert_array_equal(reused.predict_interval(coverage=0.9).to_numpy(),
                                  one_by_one.predict_interval(coverage=0.9).to_numpy())
    # The fitted networks keep no link to the reuse (nor its copy of the initial state).
    assert all(regressor._network_reuse is None for regressor in reused.regressors_)


def _compiled_dense(seed):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    return model


def test_reused_network_restores_weights_and_optimizer_and_rebuilds_for_other_inputs():
    reuse = ReusedNetwork()
    model = reuse.model_for(lambda: _compiled_dense(0), inputs=(3,))
    built_with = model.get_weights()
    x, y = np.ones((8, 3), "float32"), np.zeros((8, 2), "float32")
    model.fit(x, y, epochs=2, verbose=0)
    assert int(model.optimizer.iterations) == 2
    assert not np.array_equal(model.get_weights()[0], built_with[0])

    again = reuse.model_for(lambda: pytest.fail("a reused network is not built again"), inputs=(3,))
    assert again is model
    for restored, initial in zip(again.get_weights(), built_with):
        np.testing.assert_array_equal(restored, initial)
    assert int(again.optimizer.iterations) == 0
    assert all(not np.any(keras.ops.convert_to_numpy(v)) for v in again.optimizer.variables
               if "momentum" in v.path or "velocity" in v.path)

    other = reuse.model_for(lambda: _compiled_dense(1), inputs=(4,))
    assert other is not model and reuse.inputs == (4,)
