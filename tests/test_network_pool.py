"""Training networks kept between fits (sktcn._network_pool).

A pooled network must change nothing but the cost: a fit that takes one
computes, bit for bit, what it computes on a newly built network. And no two
live estimators may ever train the same network.
"""

import copy
import gc
import pickle

import keras
import numpy as np
import pandas as pd
import pytest
import tensorflow as tf
from conftest import TINY, TINY_FORECASTER

from sktcn import TCNClassifier, TCNForecaster, TCNRegressor
from sktcn._network_pool import NetworkPool, pool_key
from sktcn._network_reuse import ReusedNetwork


def _built(name):
    network = ReusedNetwork()
    network.model = name  # what model_for would build
    return network


def test_the_pool_keeps_at_most_max_idle_networks_and_drops_the_oldest():
    pool = NetworkPool(max_idle=2)
    a, b, c = _built("a"), _built("b"), _built("c")
    pool.give("x", a)
    pool.give("y", b)
    pool.give("x", c)
    assert len(pool) == 2
    assert pool.take("y") is b and pool.take("x") is c
    assert pool.take("x").model is None  # a left first
    pool.give("x", ReusedNetwork())  # nothing built: nothing kept
    pool.give(None, _built("d"))  # no key: never pooled
    assert len(pool) == 0 and pool.take(None).model is None
    NetworkPool(max_idle=0).give("x", a)


def test_a_lease_gives_its_network_back_once_dropped():
    pool = NetworkPool()
    lease = pool.lend("x")
    lease.network.model = "a network"
    network = lease.network
    assert len(pool) == 0
    del lease
    gc.collect()
    assert len(pool) == 1 and pool.take("x") is network


def test_pool_keys_follow_what_builds_the_network():
    inputs = (1, 12)
    key = pool_key(TCNRegressor(random_state=0, epochs=3, verbose=1), "trainer", inputs)
    assert key == pool_key(TCNRegressor(random_state=5, epochs=9), "trainer", inputs)
    for other in (dict(kernel_size=2), dict(nb_filters=8), dict(learning_rate=0.01), dict(n_networks=2)):
        assert key != pool_key(TCNRegressor(**other), "trainer", inputs)
    assert key != pool_key(TCNClassifier(), "trainer", inputs)
    assert key != pool_key(TCNRegressor(), "trainer", (1, 13))
    assert key != pool_key(TCNRegressor(), "calibration", inputs)
    # Strategies place variables: never pooled.
    assert pool_key(TCNRegressor(distribution_strategy="default"), "trainer", inputs) is None
    # Seed states (dropout) and built weights belong to a seed: keyed by it, and unseeded never pooled.
    dropout = pool_key(TCNRegressor(dropout_rate=0.1, random_state=0), "trainer", inputs)
    assert dropout is not None and dropout != pool_key(TCNRegressor(dropout_rate=0.1, random_state=1), "trainer",
                                                       inputs)
    assert pool_key(TCNRegressor(dropout_rate=0.1), "trainer", inputs) is None
    assert pool_key(TCNRegressor(), "calibration", inputs, trains_built_weights=True) is None
    assert pool_key(TCNRegressor(random_state=np.int64(3)), "calibration", inputs, trains_built_weights=True)


def test_no_network_is_pooled_under_a_strategy_entered_with_its_scope():
    # The strategy of ``with strategy.scope():`` has no value to key on: a
    # network built there (mirrored variables) must never serve a plain fit, nor
    # a plain one a fit there.
    inputs = (1, 20)
    assert pool_key(TCNRegressor(), "trainer", inputs) is not None
    with tf.distribute.OneDeviceStrategy("/cpu:0").scope():
        assert pool_key(TCNRegressor(), "trainer", inputs) is None
        assert pool_key(TCNForecaster(random_state=0), "calibration network", None, trains_built_weights=True) is None


def test_pool_keys_hold_values_never_addresses():
    # An object's default repr is its address, which a new object takes once the
    # first is freed: keyed on it, a new optimizer of another config got a freed
    # one's pooled network, trained with the old config.
    inputs = (1, 12)

    def key(**params):
        return pool_key(TCNRegressor(**params), "trainer", inputs)

    class AtOneAddress(keras.optimizers.SGD):
        def __repr__(self):  # as two optimizers made one after the other at one address
            return "<keras.src.optimizers.sgd.SGD object at 0x7f0000000000>"

    assert key(optimizer=AtOneAddress(momentum=0.0)) != key(optimizer=AtOneAddress(momentum=0.9))
    # Keras objects are keyed by class and config: equal ones share a network.
    sgd = key(optimizer=keras.optimizers.SGD(momentum=0.9))
    assert sgd is not None and sgd == key(optimizer=keras.optimizers.SGD(momentum=0.9))
    assert sgd != key(optimizer=keras.optimizers.Adam())
    assert key(optimizer="sgd", optimizer__momentum=0.9) not in (None, key(optimizer="sgd"))
    schedule = keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.9)
    assert key(optimizer=keras.optimizers.SGD(schedule)) == key(optimizer=keras.optimizers.SGD(copy.deepcopy(schedule)))
    # Huber's config leaves out its delta: Keras' own objects are keyed by their attributes.
    huber = key(loss=keras.losses.Huber(2.0))
    assert huber is not None and huber == key(loss=keras.losses.Huber(2.0)) != key(loss=keras.losses.Huber(1.0))
    seeded = key(kernel_initializer=keras.initializers.HeNormal(seed=1))
    assert seeded is not None and seeded == key(kernel_initializer=keras.initializers.HeNormal(seed=1))
    assert seeded != key(kernel_initializer=keras.initializers.HeNormal(seed=2))
    # An unseeded initializer draws its seed when made: a clone's is the same.
    unseeded = keras.initializers.HeNormal()
    assert key(kernel_initializer=unseeded) == key(kernel_initializer=copy.deepcopy(unseeded)) is not None
    assert key(activation=keras.activations.relu) == key(activation=keras.activations.relu) is not None

    # What has only an identity pools nothing.
    class Ones(keras.initializers.Initializer):  # the user's: its config may leave out what it computes with
        def __call__(self, shape, dtype=None):
            return keras.ops.ones(shape, dtype=dtype)

    def mse(y_true, y_pred):
        return keras.ops.mean((y_true - y_pred) ** 2, axis=-1)

    for params in (dict(activation=lambda x: x), dict(kernel_initializer=Ones()), dict(loss=mse), dict(metrics=[mse]),
                   dict(metrics=[keras.metrics.MeanAbsoluteError()]),  # it holds its variables
                   dict(optimizer=keras.optimizers.SGD(_Schedule()))):
        assert key(**params) is None, params


class _Schedule(keras.optimizers.schedules.LearningRateSchedule):
    """A schedule of the user's, with no config: shared by the networks' optimizers, it may not be pooled."""

    def __call__(self, step):
        return 0.01


def test_optimizer_instances_share_a_trainer_by_their_config(network_pool, data):
    X, y = data

    def fitted(momentum):
        optimizer = keras.optimizers.SGD(learning_rate=0.05, momentum=momentum)
        return TCNRegressor(**ENSEMBLE, random_state=0, optimizer=optimizer).fit(X, y)

    network_pool.max_idle = 0
    expected = {momentum: fitted(momentum).predict(X) for momentum in (0.5, 0.9)}
    network_pool.max_idle = 4
    first = fitted(0.9)
    trainer = first._trainer
    del first
    gc.collect()
    other = fitted(0.5)  # another config: another trainer
    assert other._trainer is not trainer
    np.testing.assert_array_equal(other.predict(X), expected[0.5])
    del other
    gc.collect()
    again = fitted(0.9)  # a new optimizer of the first one's config: its trainer
    assert again._trainer is trainer
    np.testing.assert_array_equal(again.predict(X), expected[0.9])


ENSEMBLE = dict(TINY, n_networks=2, epochs=3)


@pytest.fixture
def data(rng):
    X = rng.normal(size=(48, 12, 2)).astype(np.float32)
    return X, X[:, 0, 0] + X[:, -1, 1]


@pytest.mark.parametrize(
    "params",
    [
        {},
        dict(epochs="auto", validation_split=0.0, batch_size=24),
        dict(use_batch_norm=True),
        dict(dropout_rate=0.3),
        dict(input_noise=0.2),
        dict(optimizer="sgd", optimizer__momentum=0.9),
    ],
    ids=["fixed-epochs", "scheduled", "batch-norm", "dropout", "input-noise", "sgd-by-name"],
)
def test_a_pooled_trainer_trains_as_a_new_one(network_pool, data, params):
    X, y = data
    # Dropout's and input noise's seed states make the seed part of the key:
    # the network is pooled between fits of one seed only.
    seeds = (1, 1) if params.get("dropout_rate") or params.get("input_noise") else (0, 1)
    network_pool.max_idle = 0
    expected = TCNRegressor(**{**ENSEMBLE, **params}, random_state=seeds[1]).fit(X, y)
    network_pool.max_idle = 4
    first = TCNRegressor(**{**ENSEMBLE, **params}, random_state=seeds[0]).fit(X, y)
    trainer = first._trainer
    assert trainer.name == "sktcn_fused"
    del first
    gc.collect()
    assert len(network_pool) == 1
    pooled = TCNRegressor(**{**ENSEMBLE, **params}, random_state=seeds[1]).fit(X, y)
    assert pooled._trainer is trainer
    np.testing.assert_array_equal(pooled.predict(X), expected.predict(X))
    for a, b in zip(pooled.predict_members(X), expected.predict_members(X)):
        np.testing.assert_array_equal(a, b)
    assert pooled.history_ == expected.history_


def test_a_noisy_trainer_is_not_shared_between_seeds(network_pool, data):
    # The fused trainer's noise draws from a seed state made with it: shared
    # with another seed's fit, it replayed the noise of the fit that built it,
    # so a seeded fit depended on what the process had fitted before.
    X, y = data
    network_pool.max_idle = 0
    expected = TCNRegressor(**ENSEMBLE, input_noise=0.2, random_state=1).fit(X, y)
    network_pool.max_idle = 4
    first = TCNRegressor(**ENSEMBLE, input_noise=0.2, random_state=0).fit(X, y)
    trainer = first._trainer
    del first
    gc.collect()
    other = TCNRegressor(**ENSEMBLE, input_noise=0.2, random_state=1).fit(X, y)
    assert other._trainer is not trainer
    np.testing.assert_array_equal(other.predict(X), expected.predict(X))


def test_series_of_another_length_share_the_trainer_when_the_network_is_the_same(network_pool, data):
    X, y = data
    params = dict(ENSEMBLE, dilations=[1, 2], random_state=0)
    network_pool.max_idle = 0
    expected = TCNRegressor(**params).fit(X[:, 2:], y)
    network_pool.max_idle = 4
    first = TCNRegressor(**params).fit(X, y)
    trainer = first._trainer
    del first
    gc.collect()
    shorter = TCNRegressor(**params).fit(X[:, 2:], y)
    assert shorter._trainer is trainer
    np.testing.assert_array_equal(shorter.predict(X[:, 2:]), expected.predict(X[:, 2:]))
    # Other dilations: another network.
    del shorter
    gc.collect()
    assert TCNRegressor(**dict(params, dilations=[1, 2, 4])).fit(X, y)._trainer is not trainer


def test_live_estimators_never_share_a_trainer_and_warm_starts_keep_their_own(network_pool, data):
    X, y = data

    def warm_started(pool_size):
        network_pool.max_idle = pool_size
        network_pool.clear()
        kept = TCNRegressor(**ENSEMBLE, random_state=0).fit(X, y)
        trainer = kept._trainer
        for seed in (1, 2):  # others fit, and are dropped, while `kept` lives
            other = TCNRegressor(**ENSEMBLE, random_state=seed).fit(X, y)
            assert other._trainer is not trainer
            del other
            gc.collect()
        kept.set_params(warm_start=True).fit(X, y)
        assert kept._trainer is trainer  # its Adam moments go on
        return kept

    pooled, alone = warm_started(4), warm_started(0)
    np.testing.assert_array_equal(pooled.predict(X), alone.predict(X))
    # A copy has no lease: it trains a network of its own.
    copy = pickle.loads(pickle.dumps(pooled))
    assert not hasattr(copy, "_trainer_lease")
    copy.fit(X, y)
    assert copy._trainer is not pooled._trainer


def test_a_failed_fit_takes_no_network_from_a_live_estimator(network_pool, data):
    X, y = data
    kept = TCNRegressor(**ENSEMBLE, random_state=0).fit(X, y)
    with pytest.raises(ValueError):
        TCNRegressor(**ENSEMBLE, random_state=0).fit(X, y[:-1])
    kept.set_params(warm_start=True).fit(X, y)
    assert kept._trainer.name == "sktcn_fused"


def test_equal_forecasters_share_their_calibration_network(network_pool):
    rng = np.random.RandomState(0)
    series = pd.Series(np.sin(np.arange(90) / 3.0) + 0.2 * rng.normal(size=90) + 5.0)
    params = dict(TINY_FORECASTER, n_networks=2, epochs=3, calibration_size=0.3)
    first = TCNForecaster(**params).fit(series, fh=[1, 2, 3])
    # The calibration network went back; the ensemble's trainer stays with `first`.
    assert len(network_pool) == 1
    network_pool.max_idle = 0
    alone = TCNForecaster(**params).fit(series, fh=[1, 2, 3])
    network_pool.max_idle = 4
    pooled = TCNForecaster(**params).fit(series, fh=[1, 2, 3])
    assert pooled.interval_calibration_ == "backtest"
    np.testing.assert_array_equal(pooled.residual_quantile_source_, alone.residual_quantile_source_)
    np.testing.assert_array_equal(pooled.predict_interval(coverage=0.9).to_numpy(),
                                  alone.predict_interval(coverage=0.9).to_numpy())
    np.testing.assert_array_equal(pooled.predict().to_numpy(), first.predict().to_numpy())
    # A single network is the forecast's own: its calibration network is not given back.
    network_pool.clear()
    TCNForecaster(**dict(params, n_networks=1)).fit(series, fh=[1, 2, 3])
    assert len(network_pool) == 0
