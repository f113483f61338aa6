import re
import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin

from sktcn import TCNClassifier, TCNRegressor
from sktcn.datasets import (
    FirstPlusLastStream,
    load_sequential_digits,
    make_adding_problem,
    make_copy_memory,
    make_first_plus_last,
    make_first_plus_last_stream,
    make_two_sines,
)
from sktcn.inspection import blinding_probe, change_probe, effective_memory


@pytest.mark.parametrize(
    "make, kwargs",
    [
        (make_adding_problem, dict(n_samples=20, n_timesteps=30)),
        (make_copy_memory, dict(n_samples=20, n_blanks=7, n_digits=4)),
        (make_first_plus_last, dict(n_samples=20, n_timesteps=9)),
        (make_two_sines, dict(n_series=20)),
    ],
)
def test_generators_are_seeded(make, kwargs):
    a, b = make(**kwargs, random_state=3), make(**kwargs, random_state=3)
    c = make(**kwargs, random_state=4)
    for left, right in zip(a, b):
        np.testing.assert_array_equal(left, right)
    assert not np.array_equal(a[0], c[0])


def test_shapes_and_targets():
    X, y = make_adding_problem(n_samples=50, n_timesteps=30, random_state=0)
    assert X.shape == (50, 30, 2) and y.shape == (50,)
    assert (X[..., 1].sum(axis=1) == 2).all()
    first_half, second_half = X[:, :15, 1].sum(axis=1), X[:, 15:, 1].sum(axis=1)
    assert (first_half == 1).all() and (second_half == 1).all()
    X, y = make_copy_memory(n_samples=5, n_blanks=7, n_digits=4, random_state=0)
    assert X.shape == (5, 16, 1) and y.shape == (5, 16)
    assert (X[:, 11, 0] == 9).all() and (y[:, :-4] == 0).all() and set(np.unique(y[:, -4:])) <= set(range(1, 9))
    X, future = make_two_sines(n_series=4, n_timesteps=50, horizon=10, random_state=0)
    assert X.shape == (4, 50) and future.shape == (4, 10) and np.abs(X).max() < 0.8
    X, y = load_sequential_digits()
    assert X.shape == (1797, 64, 1) and 0 <= X.min() and X.max() <= 1 and y.shape == (1797,)


def test_first_plus_last_stream_batches():
    stream = make_first_plus_last_stream(n_timesteps=7, batch_size=5, n_batches=3, random_state=0)
    assert isinstance(stream, FirstPlusLastStream) and len(stream) == stream.num_batches == 3
    for index in range(3):
        X, y = stream[index]
        assert X.shape == (5, 7) and y.shape == (5,)
        assert X.dtype == np.float32 and y.dtype == np.float32
        np.testing.assert_array_equal(y, X[:, 0] + X[:, -1])
    assert abs(np.concatenate([stream[i][0] for i in range(3)]).std() - 1) < 0.3  # standard normal
    with pytest.raises(IndexError):
        stream[3]


def test_first_plus_last_stream_is_fresh_and_reproducible():
    stream = FirstPlusLastStream(n_timesteps=6, batch_size=4, n_batches=3, random_state=7)
    epoch0 = [stream[i][0] for i in range(3)]
    np.testing.assert_array_equal(stream[1][0], epoch0[1])  # asking again: the same batch
    stream.on_epoch_end()
    epoch1 = [stream[i][0] for i in range(3)]
    batches = epoch0 + epoch1
    for i in range(len(batches)):
        for j in range(i):
            assert not np.any(batches[i] == batches[j]), (i, j)  # no series, not even a value, repeats
    # The batch depends on (seed, epoch, index) only, not on the order of the requests.
    again = FirstPlusLastStream(n_timesteps=6, batch_size=4, n_batches=3, random_state=7)
    np.testing.assert_array_equal(again.batch(2, epoch=1)[0], epoch1[2])
    np.testing.assert_array_equal(again[0][0], epoch0[0])
    other = FirstPlusLastStream(n_timesteps=6, batch_size=4, n_batches=3, random_state=8)
    assert not np.array_equal(other[0][0], epoch0[0])
    # random_state=None draws the seed once: the stream itself is still repeatable.
    unseeded = FirstPlusLastStream(n_timesteps=6, batch_size=4, n_batches=3)
    np.testing.assert_array_equal(unseeded[0][0], unseeded[0][0])


def test_first_plus_last_stream_passes_pydataset_options():
    stream = FirstPlusLastStream(n_timesteps=4, batch_size=2, n_batches=1, random_state=0, workers=2,
                                 max_queue_size=3)
    assert stream.workers == 2 and stream.max_queue_size == 3 and not stream.use_multiprocessing


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(n_timesteps=1), "n_timesteps >= 2"),
        (dict(batch_size=0), "batch_size to at least 1"),
        (dict(n_batches=0), "n_batches to at least 1"),
        (dict(n_batches=2.5), "n_batches to at least 1"),
        (dict(random_state=-1), "int >= 0"),
    ],
)
def test_first_plus_last_stream_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_first_plus_last_stream(**kwargs)


@pytest.mark.parametrize(
    "make, kwargs, match",
    [
        (make_adding_problem, dict(n_timesteps=1), "n_timesteps >= 2"),
        (make_adding_problem, dict(n_samples=-1), "n_samples to at least 1"),
        (make_adding_problem, dict(n_timesteps=10.0), "n_timesteps >= 2"),
        (make_two_sines, dict(horizon=-1), "horizon to at least 1"),
        (make_two_sines, dict(n_timesteps=0), "n_timesteps to at least 1"),
        (make_copy_memory, dict(n_blanks=-1), "n_blanks to 0 or more"),
        (make_copy_memory, dict(n_digits=0), "n_digits to at least 1"),
        (make_first_plus_last, dict(n_timesteps=1), "n_timesteps >= 2"),
        (make_first_plus_last, dict(n_samples=0), "n_samples to at least 1"),
    ],
)
def test_generators_reject_sizes_that_break_their_task(make, kwargs, match):
    with pytest.raises(ValueError, match=match):
        make(**kwargs)


def test_regressor_fits_a_first_plus_last_stream():
    class Recorded(FirstPlusLastStream):
        def batch(self, index, epoch=None):
            self.requests.append((self.epoch if epoch is None else epoch, index))
            return super().batch(index, epoch)

    stream = Recorded(n_timesteps=8, batch_size=16, n_batches=3, random_state=0)
    stream.requests = []
    reg = TCNRegressor(nb_filters=4, epochs=2, random_state=0).fit(stream)
    assert len(reg.history_["loss"]) == 2
    # What is read before training (sktcn's pass over the targets, the shape
    # of the first batch) is epoch 0; every training epoch gets batches of its
    # own (Keras 3 ends an "epoch" as its fit starts, so they are epochs 1 and
    # 2), each read once.
    before = stream.requests[: stream.requests.index((1, 0)) if (1, 0) in stream.requests else None]
    assert {epoch for epoch, _ in before} == {0} and {i for _, i in before} == {0, 1, 2}
    trained = [request for request in stream.requests if request[0] > 0]
    assert sorted(trained) == [(e, i) for e in (1, 2) for i in range(3)]
    assert stream.epoch == 3
    assert reg.predict(stream[0][0]).shape == (16,)
    # Seeded: the same stream and estimator give the same network.
    again = TCNRegressor(nb_filters=4, epochs=2, random_state=0).fit(
        FirstPlusLastStream(n_timesteps=8, batch_size=16, n_batches=3, random_state=0))
    np.testing.assert_array_equal(reg.predict(stream[0][0]), again.predict(stream[0][0]))


@pytest.fixture(scope="module")
def first_plus_last():
    X, y = make_first_plus_last(n_samples=600, n_timesteps=16, random_state=0)
    remembers = TCNRegressor(nb_filters=16, epochs=20, learning_rate=0.005, random_state=0).fit(X, y)
    forgets = TCNRegressor(nb_filters=16, epochs=20, learning_rate=0.005, dilations=(1, 2), random_state=0)
    with pytest.warns(UserWarning, match="receptive field"):
        forgets.fit(X, y)  # receptive field 13 < 16: x[0] is out of reach
    return X, remembers, forgets


def test_change_probe_tells_a_model_that_remembers_from_one_that_cannot(first_plus_last):
    X, remembers, forgets = first_plus_last
    assert change_probe(forgets, X, step=0) == 0.0
    assert change_probe(remembers, X, step=0) > 0.5
    assert change_probe(forgets, X, step=-1) > 0.5


def test_blinding_probe(first_plus_last):
    X, remembers, forgets = first_plus_last
    remembered, forgotten = blinding_probe(remembers, X), blinding_probe(forgets, X)
    assert remembered < 0.3 < forgotten


def test_effective_memory_is_zero_beyond_the_receptive_field(first_plus_last):
    X, _, forgets = first_plus_last
    curve = effective_memory(forgets, X[:50])
    assert curve.shape == (16,)
    assert np.all(curve[forgets.receptive_field_:] == 0) and curve[0] > 0


def test_effective_memory_of_a_classifier_follows_its_probabilities():
    # String labels cannot be subtracted: the probe reads predict_proba. The
    # classifier pools by default, so steps beyond its receptive field count too.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(32, 12))
    y = np.where(X.mean(axis=1) > 0, "up", "down")
    clf = TCNClassifier(nb_filters=4, dilations=(1,), epochs=2, random_state=0).fit(X, y)
    curve = effective_memory(clf, X[:8])
    assert clf.pooling_ == "mean" and clf.receptive_field_ == 5
    assert curve.shape == (12,) and np.all(np.isfinite(curve))
    assert np.all(curve[clf.receptive_field_:] > 0)


def test_effective_memory_refuses_a_perturbation_that_is_not_positive(first_plus_last):
    # epsilon=0 gave an all-NaN curve, a negative one negative responses.
    X, remembers, _ = first_plus_last
    for epsilon in (0, -0.1, float("nan")):
        with pytest.raises(ValueError, match="'epsilon' parameter of effective_memory"):
            effective_memory(remembers, X[:5], epsilon=epsilon)


def test_probes_keep_the_feature_names_a_model_was_fitted_with():
    # The probes passed a bare array to predict: scikit-learn warned that X had no feature names.
    import pandas as pd

    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(30, 6)), columns=[f"t{i}" for i in range(6)])
    reg = TCNRegressor(nb_filters=2, kernel_size=2, dilations=(1, 2), epochs=1, random_state=0).fit(X, X.sum(axis=1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert change_probe(reg, X, step=-1) > 0
        assert blinding_probe(reg, X) >= 0
        curve = effective_memory(reg, X)
    assert curve.shape == (6,)
    np.testing.assert_array_equal(curve, effective_memory(reg, X.to_numpy()))  # the same numbers either way


def test_probes_reject_bad_shapes(first_plus_last):
    _, remembers, _ = first_plus_last
    with pytest.raises(ValueError, match="dimensions"):
        change_probe(remembers, np.ones(5))


class _Linear(RegressorMixin, BaseEstimator):
    """A regressor whose prediction is ``sum(weights[step] * x[step])``: known responses."""

    def __init__(self, weights=None):
        self.weights = weights

    def fit(self, X, y=None):
        return self

    def predict(self, X):
        X = np.asarray(X, dtype=np.float64)
        return sum(weight * X[:, step] for step, weight in self.weights.items())


@pytest.mark.parametrize("probe, kwargs, message", [
    (change_probe, dict(change=float("nan")), "The 'change' parameter of change_probe"),
    (change_probe, dict(change=float("inf")), "The 'change' parameter of change_probe"),
    (change_probe, dict(change="half"), "The 'change' parameter of change_probe"),
    (blinding_probe, dict(values=np.ones(3)), r"values have shape \(3,\), but X has 20 series"),
    (blinding_probe, dict(values=np.r_[np.ones(19), np.nan]), "values hold NaN or infinite numbers"),
], ids=["change-nan", "change-inf", "change-str", "values-length", "values-nan"])
def test_probes_name_their_own_bad_arguments(probe, kwargs, message):
    # A NaN reached predict as a NaN in X, whose message blamed X; values of
    # another length failed in NumPy's broadcasting, naming neither.
    X = np.random.RandomState(0).normal(size=(20, 6))
    with pytest.raises((ValueError, TypeError), match=message):
        probe(_Linear({-1: 1.0}), X, **kwargs)


def test_effective_memory_divides_by_the_perturbation_float32_applied():
    # X is perturbed in float32: on 1e6-scale values x + 0.1 rounds to x + 0.125
    # or x + 0.0625, and dividing by the nominal 0.1 gave 2.5 where the answer is 2.
    model = _Linear({-1: 2.0, -3: 3.0})
    X = np.random.RandomState(0).normal(size=(20, 6))
    expected = [2, 0, 3, 0, 0, 0]
    np.testing.assert_allclose(effective_memory(model, X), expected, rtol=1e-5)
    np.testing.assert_allclose(effective_memory(model, X + 1e6), expected, rtol=1e-5)


@pytest.mark.parametrize("offset, epsilon, magnitude", [(1e7, 0.1, "1e+07"), (0.0, 1e-9, "1.91")])
def test_effective_memory_refuses_a_perturbation_float32_cannot_hold(offset, epsilon, magnitude):
    # The curve was all zeros ("the model ignores every step").
    X = np.random.RandomState(0).normal(size=(20, 6)) + offset
    message = rf"epsilon={epsilon!r} changed no value .*up to {re.escape(magnitude)}\).*larger epsilon"
    with pytest.raises(ValueError, match=message):
        effective_memory(_Linear({-1: 2.0}), X, epsilon=epsilon)
    assert effective_memory(_Linear({-1: 2.0}), X, epsilon=8.0)[0] == pytest.approx(2.0)


def test_change_probe_of_a_step_that_is_zero_everywhere_is_nan():
    # Scaling a zero moves nothing: 0.0 read as "the model ignores the step" for 10 * x[2].
    X = np.random.RandomState(0).normal(size=(20, 6))
    X[:, 2] = 0.0
    model = _Linear({2: 10.0})
    assert np.isnan(change_probe(model, X, step=2))
    assert change_probe(model, X, step=3) == 0.0  # a step that does change, and is ignored
    assert effective_memory(model, X)[3] == pytest.approx(10.0)  # what measures that step


@pytest.mark.parametrize("probe, position, message", [
    (change_probe, dict(step=6), r"'step' parameter of change_probe must be an int in the range \[-6, 5\]\. Got 6"),
    (change_probe, dict(step=-7), r"'step' parameter of change_probe must be an int in the range \[-6, 5\]"),
    (change_probe, dict(feature=1), r"'feature' parameter of change_probe must be an int in the range \[-1, 0\]"),
    (blinding_probe, dict(blinded_step=50), r"'blinded_step' parameter of blinding_probe .* range \[-6, 5\]"),
    (blinding_probe, dict(probe_step=-7), r"'probe_step' parameter of blinding_probe .* range \[-6, 5\]"),
])
def test_probes_refuse_a_step_or_feature_x_does_not_have(probe, position, message):
    # NumPy's IndexError ("index 6 is out of bounds for axis 1 with size 6") named neither the parameter nor the range.
    X = np.random.RandomState(0).normal(size=(20, 6))
    with pytest.raises(ValueError, match=message):
        probe(_Linear({-1: 2.0}), X, **position)
    # The ends of the range are probed.
    model = _Linear({0: 1.0, -1: 1.0})
    assert change_probe(model, X, step=-6) == pytest.approx(1.0)
    assert change_probe(model, X, step=5) == pytest.approx(1.0)
    assert blinding_probe(model, X, blinded_step=5, probe_step=-6) == pytest.approx(0.0, abs=1e-10)


def test_change_and_blinding_probes_refuse_a_classifier():
    # String labels gave NumPy's "could not convert string to float", 0/1 labels the rate of flips.
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    rng = np.random.RandomState(0)
    X = rng.normal(size=(24, 6))
    clf = TCNClassifier(nb_filters=2, kernel_size=2, dilations=(1, 2), epochs=1, random_state=0)
    clf.fit(X, np.where(X[:, -1] > 0, "up", "down"))
    for estimator in (clf, make_pipeline(FunctionTransformer(), clf)):
        for probe in (change_probe, blinding_probe):
            with pytest.raises(TypeError, match=rf"{probe.__name__} needs a regressor .*effective_memory"):
                probe(estimator, X)
    # Regressors, in a pipeline and with several outputs, are still probed.
    reg = TCNRegressor(nb_filters=2, kernel_size=2, dilations=(1, 2), epochs=1, random_state=0)
    reg = make_pipeline(FunctionTransformer(), reg).fit(X, np.c_[X[:, -1], X[:, -2]])
    assert change_probe(reg, X, step=-1) > 0 and blinding_probe(reg, X) >= 0
