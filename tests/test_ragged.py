"""Series of different lengths: a series' prediction is its own, whatever other series share the call."""

import pickle

import numpy as np
import pandas as pd
import pytest
import tensorflow as tf
from conftest import TINY
from sklearn.metrics import accuracy_score, r2_score

import sktcn
from sktcn import TCNClassifier, TCNRegressor
from sktcn._validation import as_array_like, in_input_order, pad_front, pad_ragged, padded_groups

# float32 last-bit noise: TensorFlow's kernels block by batch size (docs/design.md).
CLOSE = dict(rtol=1e-5, atol=1e-6)


def _series(rng, lengths, n_features=1):
    return [rng.normal(loc=rng.choice([-1.0, 1.0]), size=(n, n_features)) for n in lengths]


def _targets(Estimator, series):
    means = np.array([x.mean() for x in series])
    return (means > 0).astype(int) if Estimator is TCNClassifier else means


def _outputs(est, X):
    return est.predict_proba(X) if isinstance(est, TCNClassifier) else est.predict(X)


def _one_by_one(est, series):
    return np.concatenate([_outputs(est, [x]) for x in series])


# -- the padding rule, as pure functions


def test_each_series_is_padded_to_its_own_length_or_the_fits():
    groups = padded_groups([3, 9, 2, 9, 7], length=5)
    assert [(n, rows.tolist()) for n, rows in groups] == [(5, [0, 2]), (7, [4]), (9, [1, 3])]
    # A model fit on series of one length pads nothing: each series keeps its length.
    assert [(n, rows.tolist()) for n, rows in padded_groups([3, 9, 3], length=0)] == [(3, [0, 2]), (9, [1])]
    assert pad_ragged([[1.0], [2.0, 3.0]], length=3)[:, :, 0].tolist() == [[0, 0, 1], [0, 2, 3]]
    X = np.ones((2, 3, 1), np.float32)
    assert pad_front(X, 2) is X and pad_front(X, 5)[:, :, 0].tolist() == [[0, 0, 1, 1, 1]] * 2


def test_outputs_go_back_in_input_order_aligned_on_each_series_last_step():
    per_sample = [(np.array([1]), np.array([[1.0]])), (np.array([0, 2]), np.array([[5.0], [8.0]]))]
    assert in_input_order(per_sample, [3, 2, 3])[:, 0].tolist() == [5.0, 1.0, 8.0]
    per_step = [(np.array([1]), np.array([[[1.0], [2.0], [3.0], [4.0]]])),  # padded to 4 steps, 2 its own
                (np.array([0, 2]), np.array([[[5.0], [6.0], [7.0]], [[8.0], [9.0], [10.0]]]))]
    merged = in_input_order(per_step, [3, 2, 3], per_step=True, zero_outputs=lambda k: np.full((k, 1), -1.0))
    # The longest series sets the steps; the 2-step series' first step is the zeros' output.
    assert merged[:, :, 0].tolist() == [[5.0, 6.0, 7.0], [-1.0, 3.0, 4.0], [8.0, 9.0, 10.0]]


def test_an_object_array_of_series_is_the_list_of_its_series():
    series = [np.ones(3), np.ones(5)]
    assert [len(x) for x in as_array_like(pd.Series(series).to_numpy())] == [3, 5]
    assert [len(x) for x in as_array_like(pd.Series(series))] == [3, 5]
    numbers = np.array([1.0, 2.0], dtype=object)
    assert as_array_like(numbers) is numbers  # values, not series: refused later as 1D X


# -- trained on series of different lengths


@pytest.fixture(scope="module")
def ragged_fits():
    rng = np.random.RandomState(0)
    train = _series(rng, rng.randint(4, 21, size=24))
    fits = {Estimator: Estimator(**TINY, dilations=(1, 2, 4), random_state=0).fit(train, _targets(Estimator, train))
            for Estimator in (TCNClassifier, TCNRegressor)}
    # Shorter and longer than every training series, and lengths in between.
    test = _series(rng, [2, 3, 3, 7, 12, 20, 31, 60])
    return fits, train, test


@pytest.mark.parametrize("Estimator", [TCNClassifier, TCNRegressor])
def test_a_series_predicts_the_same_alone_as_with_other_series(ragged_fits, Estimator):
    fits, train, test = ragged_fits
    est = fits[Estimator]
    together = _outputs(est, test)
    np.testing.assert_allclose(together, _one_by_one(est, test), **CLOSE)
    assert est._ragged_fit_length == max(len(x) for x in train) == 20
    np.testing.assert_allclose(_outputs(est, test[::-1]), together[::-1], **CLOSE)
    # Next to a long series, or as a 3D array of series of one length.
    np.testing.assert_allclose(_outputs(est, [test[0], test[-1]])[0], together[0], **CLOSE)
    np.testing.assert_allclose(_outputs(est, np.stack(test[1:3])), together[1:3], **CLOSE)
    # score sees the predictions of the series one by one.
    y = _targets(Estimator, test)
    metric = accuracy_score if Estimator is TCNClassifier else r2_score
    assert est.score(test, y) == pytest.approx(metric(y, np.concatenate([est.predict([x]) for x in test])), abs=1e-6)


def test_a_short_series_is_padded_as_training_padded_it(ragged_fits):
    fits, _, test = ragged_fits
    reg = fits[TCNRegressor]
    padded = np.concatenate([np.zeros((20 - len(test[3]), 1)), test[3]])
    np.testing.assert_allclose(reg.predict([test[3]]), reg.predict([padded]), **CLOSE)


def test_a_model_fit_on_series_of_one_length_predicts_each_series_at_its_own_length(rng):
    X = rng.normal(size=(24, 10, 1))
    reg = TCNRegressor(**TINY, dilations=(1, 2), pooling="mean", random_state=0).fit(X, X.mean(axis=(1, 2)))
    test = _series(rng, [3, 10, 25])
    np.testing.assert_allclose(reg.predict(test), _one_by_one(reg, test), **CLOSE)
    np.testing.assert_allclose(reg.predict(test)[0], reg.predict(test[0][None])[0], **CLOSE)
    assert reg._ragged_fit_length is None


def test_per_step_outputs_of_a_series_do_not_depend_on_the_others(rng):
    train = _series(rng, [6, 9, 12, 12] * 4)
    targets = pad_ragged([np.cumsum(x) for x in train])[:, :, 0]  # one target per step, padded in front
    reg = TCNRegressor(**TINY, return_sequences=True, random_state=0).fit(train, targets)
    test = _series(rng, [4, 9, 16])
    together = reg.predict(test)
    assert together.shape == (3, 16)
    for row, x in zip(together, test):
        np.testing.assert_allclose(row[-len(x):], reg.predict([x])[0], **CLOSE)
    # Before a series starts: the network's outputs for as many zeros, the same for both shorter series.
    np.testing.assert_allclose(together[0, :7], together[1, :7], **CLOSE)
    assert np.isfinite(reg.score(test, pad_ragged([np.cumsum(x) for x in test])[:, :, 0]))
    # A later call's per-step targets have its own steps: its series are padded to its longest.
    short = _series(rng, [3, 5])
    reg.partial_fit(short, pad_ragged([np.cumsum(x) for x in short])[:, :, 0])
    assert reg.predict(short).shape == (2, 5)


def test_partial_fit_pads_shorter_batches_as_the_first_one(rng):
    first = _series(rng, [5, 8, 10, 10])
    clf = TCNClassifier(**TINY, random_state=0)
    clf.partial_fit(first, [0, 1, 0, 1])
    later = _series(rng, [3, 4])
    clf.partial_fit(later, [1, 0])
    np.testing.assert_allclose(clf.predict_proba(later + first), _one_by_one(clf, later + first), **CLOSE)
    assert clf._ragged_fit_length == 10  # set by the call that built the network


def test_the_fit_length_survives_save_load_and_pickle(ragged_fits, tmp_path):
    fits, _, test = ragged_fits
    reg = fits[TCNRegressor]
    for copy in (sktcn.load(reg.save(tmp_path / "ragged")), pickle.loads(pickle.dumps(reg))):
        assert copy._ragged_fit_length == 20
        np.testing.assert_array_equal(copy.predict(test[:4]), reg.predict(test[:4]))
        np.testing.assert_allclose(copy.predict([test[0]]), reg.predict(test)[:1], **CLOSE)


def test_series_as_an_object_array_fit_and_predict_as_the_list(rng):
    series = [x[:, 0] for x in _series(rng, [4, 7, 5, 9, 6, 8])]
    y = np.arange(6.0)
    as_list = TCNRegressor(**TINY, random_state=0).fit(series, y)
    as_array = TCNRegressor(**TINY, random_state=0).fit(pd.Series(series).to_numpy(), y)
    np.testing.assert_array_equal(as_array.predict(pd.Series(series).to_numpy()), as_list.predict(series))


def test_a_ragged_tensor_fits_and_predicts_as_the_list_of_its_rows(rng):
    # Its shape, (6, None), read it as a 2D array: NumPy's "setting an array element with a sequence".
    series = [x[:, 0] for x in _series(rng, [4, 7, 5, 9, 6, 8])]
    y = np.arange(6.0)
    ragged = tf.ragged.constant([x.tolist() for x in series], dtype=tf.float64)
    as_list = TCNRegressor(**TINY, random_state=0).fit(series, y)
    as_tensor = TCNRegressor(**TINY, random_state=0).fit(ragged, y)
    np.testing.assert_array_equal(as_tensor.predict(ragged), as_list.predict(series))
    # Rows of several features (ragged_rank=1 over (time, feature)) are series of those features.
    multivariate = tf.ragged.constant([np.ones((3, 2)).tolist(), np.ones((5, 2)).tolist()], ragged_rank=1)
    assert [x.shape for x in as_array_like(multivariate)] == [(3, 2), (5, 2)]


def test_plain_series_skip_check_array_with_the_same_arrays_and_messages(monkeypatch):
    # One check_array per series cost ~100 us: 10 s for 100,000 short series at every fit and predict.
    import sktcn._validation as validation

    series = [np.arange(4.0), np.arange(3, dtype=np.int64), np.ones((5, 1), np.float16), np.ones(2, np.float32)]
    expected = validation._checked_series(series)

    def per_series(X):
        raise AssertionError("check_array ran on plain series")

    with monkeypatch.context() as patch:
        patch.setattr(validation, "_checked_series", per_series)
        got = validation.ragged_series(series)
    assert [(x.dtype, x.shape) for x in got] == [(x.dtype, x.shape) for x in expected]
    assert all(np.array_equal(a, b) for a, b in zip(got, expected))
    assert got[3] is series[3][:, None].base or np.shares_memory(got[3], series[3])  # float32: not copied
    monkeypatch.setattr(validation, "_FINITE_CHECK_VALUES", 3)  # several finiteness checks
    for bad, message in [
        (np.array([1.0, np.nan]), r"Input X\[4\] contains NaN"),
        (np.array([1.0, np.inf]), r"Input X\[4\] contains infinity"),
        (np.array([1.0, 1e39]), r"X\[4\] holds values up to 1e\+39 in magnitude, beyond float32's range"),
        (np.ones((2, 0)), r"Found array with 0 feature\(s\) \(shape=\(2, 0\)\)"),
    ]:
        with pytest.raises(ValueError, match=message):
            validation.ragged_series(series + [bad])
    with pytest.raises(ValueError, match=r"different numbers of features \[1, 2\]"):
        validation.ragged_series(series + [np.ones((3, 2))])
