"""A fit traces Keras' train step once (sktcn._compat.build_optimizer).

Keras' TensorFlow trainer creates the optimizer's variables inside the first
trace of its train step unless they exist already, and TensorFlow then traces
the step a second time. Tracing dominates the cost of small fits. Also: when
predict traces the forward pass, and TensorFlow's retracing warning, which
sktcn's fits would trigger falsely (sktcn._compat.quiet_fit_retracing).
"""

import io
import logging
import threading

import keras
import numpy as np
import pytest
import tensorflow as tf
from tensorflow.python.eager.polymorphic_function import polymorphic_function

import sktcn._forward
from sktcn import TCNClassifier, TCNRegressor
from sktcn._compat import build_optimizer, quiet_fit_retracing
from sktcn._ensemble import mean_of_members


@pytest.fixture
def traces(monkeypatch):
    """Number of Python calls of Model.train_step during the test: one per trace."""
    calls = []
    original = keras.Model.train_step

    def counted(self, data):
        calls.append(1)
        return original(self, data)

    monkeypatch.setattr(keras.Model, "train_step", counted)
    return calls


@pytest.mark.parametrize("estimator", [
    TCNRegressor(nb_filters=4, dilations=(1, 2), epochs=2, batch_size=8, random_state=0),
    TCNRegressor(nb_filters=4, dilations=(1, 2), epochs=2, batch_size=8, random_state=0, n_networks=2),
    TCNClassifier(nb_filters=4, dilations=(1, 2), epochs=2, batch_size=8, random_state=0),
], ids=["regressor", "ensemble", "classifier"])
def test_fit_traces_the_train_step_once(traces, estimator):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 12, 1)).astype(np.float32)
    y = X[:, 0, 0] > 0
    estimator.fit(X, y if isinstance(estimator, TCNClassifier) else y.astype(np.float32))
    assert len(traces) == 1


def test_build_optimizer_creates_the_slots_once():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    assert not model.optimizer.built
    build_optimizer(model)
    assert model.optimizer.built
    n_variables = len(model.optimizer.variables)
    assert n_variables > len(model.trainable_variables)  # the step counter, moments and velocities
    build_optimizer(model)  # a second call leaves it as it is
    assert len(model.optimizer.variables) == n_variables


@pytest.fixture
def forward_traces(monkeypatch):
    """Number of traces of the estimators' forward pass during the test."""
    traced = []
    original = sktcn._forward.Forward.__call__

    def counted(self, x):
        traced.append(1)  # a Python call of the traced function: one per trace
        return original(self, x)

    monkeypatch.setattr(sktcn._forward.Forward, "__call__", counted)
    return traced


def test_predict_traces_the_forward_pass_only_when_called_again(forward_traces):
    # A fit followed by one or two predictions (a search's score) pays no trace;
    # from the third call on one traced graph serves every batch size.
    traced = forward_traces
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 12, 1)).astype(np.float32)
    reg = TCNRegressor(nb_filters=4, dilations=(1, 2), epochs=2, batch_size=8, random_state=0)
    reg.fit(X, X[:, 0, 0])
    eager = [reg.predict(X[:n]) for n in (20, 7)]
    assert len(traced) == 0
    graph = [reg.predict(X[:n]) for n in (20, 7, 3)]
    assert len(traced) == 1
    for a, b in zip(eager, graph):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("classifier", [False, True], ids=["regressor", "classifier"])
def test_an_ensemble_predicts_bit_for_bit_alike_eagerly_and_traced(forward_traces, classifier):
    # The first calls run eagerly, later ones the traced graph. Its Average
    # layer's division by 3 TensorFlow's optimiser made a multiplication by
    # 1/3, which changed predictions by ~1e-8 from the third call on; the
    # members' outputs are now averaged outside the graph, on both paths.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 12, 1)).astype(np.float32)
    y = X[:, 0, 0] + X[:, -1, 0]
    Estimator = TCNClassifier if classifier else TCNRegressor
    estimator = Estimator(nb_filters=4, dilations=(1, 2), epochs=2, batch_size=8, random_state=0, n_networks=3)
    estimator.fit(X, y > 0 if classifier else y)
    predict = estimator.predict_proba if classifier else estimator.predict
    calls = [predict(X) for _ in range(4)]
    assert len(forward_traces) == 1  # the third and fourth calls ran the graph
    for later in calls[1:]:
        assert np.array_equal(later, calls[0])


def test_mean_of_members_is_the_average_layers_eager_arithmetic():
    # The saved ensemble's Average layer and sktcn's predictions must agree bit for bit.
    rng = np.random.default_rng(0)
    outputs = [(rng.normal(size=(200, 7)) * 500).astype(np.float32) for _ in range(3)]
    mean = mean_of_members(outputs)
    assert mean.dtype == np.float32
    np.testing.assert_array_equal(mean, keras.layers.Average()(outputs).numpy())
    np.testing.assert_array_equal(mean, ((outputs[0] + outputs[1]) + outputs[2]) / np.float32(3))
    # Not the reciprocal's product, which a traced graph computes and rounds otherwise.
    assert not np.array_equal(mean, ((outputs[0] + outputs[1]) + outputs[2]) * np.float32(1 / 3))


@pytest.mark.parametrize("n_networks", [1, 2])
def test_partial_fit_and_warm_starts_keep_the_traced_forward_pass(forward_traces, n_networks):
    # They train the same network in place: its traced graph reads the new
    # weights, so it is kept (before, each such fit traced it again on the third
    # predict after it). A new network gets a new graph.
    traced = forward_traces
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 12, 1)).astype(np.float32)
    y = X[:, 0, 0]
    reg = TCNRegressor(nb_filters=4, dilations=(1, 2), epochs=2, batch_size=8, random_state=0, n_networks=n_networks)
    reg.fit(X, y)
    for _ in range(3):
        before = reg.predict(X)
        members = reg.predict_members(X)
    graphs = 1 + (n_networks if n_networks > 1 else 0)  # an ensemble's members have graphs of their own
    assert len(traced) == graphs
    reg.partial_fit(X, y)
    after = [reg.predict(X) for _ in range(3)]
    assert not np.allclose(after[0], before)  # the graph reads the trained weights
    eager = reg.target_encoder_.inverse_transform(reg.model_(X, training=False).numpy())
    np.testing.assert_allclose(after[0], eager, rtol=1e-5, atol=1e-6)
    assert not np.allclose(reg.predict_members(X)[0], members[0])
    reg.set_params(warm_start=True).fit(X, y)
    for _ in range(3):
        reg.predict(X)
        reg.predict_members(X)
    assert len(traced) == graphs
    reg.set_params(warm_start=False).fit(X, y)  # a new network
    for _ in range(3):
        reg.predict(X)
    assert len(traced) == graphs + 1


@pytest.fixture
def tensorflow_log(monkeypatch):
    """What TensorFlow's logger logs during the test, its retracing detector fresh (it warns twice a process)."""
    monkeypatch.setattr(polymorphic_function, "_frequent_tracing_detector_manager",
                        polymorphic_function._FrequentTracingDetectorManager())
    log = io.StringIO()
    handler = logging.StreamHandler(log)
    tf.get_logger().addHandler(handler)
    yield log
    tf.get_logger().removeHandler(handler)


def test_small_fits_do_not_log_tensorflow_retracing_warnings(tensorflow_log):
    # Each fit traces a new model's train function once, but TensorFlow's
    # detector sees one function (Keras' closure) retraced on every fit of a
    # step or two, and advised what the user cannot do.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 12, 1)).astype(np.float32)
    y = X[:, 0, 0] > 0
    filters = list(tf.get_logger().filters)
    for seed in range(6):
        TCNClassifier(nb_filters=4, dilations=(1, 2), epochs=1, random_state=seed).fit(X, y)
    assert "retracing" not in tensorflow_log.getvalue()
    assert tf.get_logger().filters == filters  # nothing left behind


def test_quiet_fit_retracing_drops_that_warning_only_in_its_thread(tensorflow_log):
    retracing = ("5 out of the last 6 calls to <function TensorFlowTrainer._make_function.<locals>."
                 "multi_step_on_iterator at 0x7f> triggered tf.function retracing.")
    users = "5 out of the last 6 calls to <function my_callback_step at 0x7f> triggered tf.function retracing."
    with quiet_fit_retracing():
        tf.get_logger().warning(retracing)
        tf.get_logger().warning("another warning")
        tf.get_logger().warning(users)  # the user's own function's: kept
        other = threading.Thread(target=tf.get_logger().warning, args=("other thread: " + retracing,))
        other.start()
        other.join()
    tf.get_logger().warning("after: " + retracing)
    assert tensorflow_log.getvalue().splitlines() == ["another warning", users, "other thread: " + retracing,
                                                      "after: " + retracing]
