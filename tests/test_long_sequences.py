"""Long recordings: training on crops with context, and predicting in chunks with the outputs of one pass."""

import keras
import numpy as np
import pytest
from conftest import TINY
from sklearn.model_selection import GridSearchCV

from sktcn import TCNClassifier, TCNRegressor
from sktcn._crops import CropBatches, crop_starts, crop_window, time_chunks


def _recordings(n=3, T=400, lag=5, seed=0):
    """Per-step targets: the value ``lag`` steps earlier (0 before the start)."""
    X = np.random.RandomState(seed).normal(size=(n, T, 1)).astype(np.float32)
    y = np.zeros((n, T), np.float32)
    y[:, lag:] = X[:, :-lag, 0]
    return X, y


# -------------------------------------------------------------- pure functions
@pytest.mark.parametrize("T, length, context", [(1000, 50, 30), (100, 100, 20), (120, 7, 200), (64, 16, 0)])
def test_every_crop_trains_outputs_with_full_context_or_the_true_start(T, length, context):
    rng = np.random.default_rng(0)
    for sampling in ("random", "stride"):
        starts = crop_starts(T, length, sampling, rng)
        assert len(starts) == -(-T // length) and starts.min() >= 0 and starts.max() <= T - length
        for start in starts:
            first, offset = crop_window(int(start), length, context, T)
            width = min(context + length, T)
            assert 0 <= first and first + width <= T
            assert first + offset == start and offset + length <= width
            # Every trained output sees its whole receptive field inside the window, or step 0.
            assert first == 0 or offset >= context


def test_stride_crops_tile_the_recording_and_random_ones_change_every_epoch():
    assert sorted({s + k for s in crop_starts(10, 4, "stride", None) for k in range(4)}) == list(range(10))
    rng = np.random.default_rng(1)
    assert not np.array_equal(crop_starts(1000, 10, "random", rng), crop_starts(1000, 10, "random", rng))


@pytest.mark.parametrize("T, chunk, context", [(10, 4, 3), (100_000, 7_000, 500), (50, 100, 10), (9, 1, 0)])
def test_time_chunks_keep_every_output_once_with_its_context(T, chunk, context):
    kept = []
    for start, stop, drop in time_chunks(T, chunk, context):
        assert 0 <= start < stop <= T and stop - start <= chunk + context
        assert start == 0 or drop == context  # a kept output sees its context, or the true start
        kept += list(range(start + drop, stop))
    assert kept == list(range(T))


def test_crop_batches_mask_the_context_out_of_the_loss():
    X, y = _recordings(n=2, T=300)
    weights = np.full(y.shape, 2.0, np.float32)
    data = CropBatches(X, y, weights, length=20, context=30, batch_size=8, sampling="random", seed=0)
    assert data.crops_per_epoch() == 2 * 15 and len(data) == 4
    for index in range(len(data)):
        x, target, w = data[index]
        assert x.shape[1:] == (50, 1) and target.shape[1:] == (50,) and w.shape == target.shape
        # 20 trained steps per crop, at the window's end (or wherever it is when a crop starts at step 0)
        assert np.all(w.sum(axis=1) == 2.0 * 20)
        assert set(np.unique(w)) <= {0.0, 2.0}
    again = CropBatches(X, y, weights, length=20, context=30, batch_size=8, sampling="random", seed=0)
    np.testing.assert_array_equal(again[0][0], data[0][0])  # seeded
    first = data[0][0].copy()
    data.on_epoch_end()
    assert not np.array_equal(first, data[0][0])  # fresh crops next epoch


def test_context_outputs_never_reach_the_loss():
    # The loss of a batch of crops does not change when the targets of its
    # context steps do: their weight is zero.
    X, y = _recordings(n=2, T=200)
    reg = TCNRegressor(**TINY, return_sequences=True, subsequence_length=16, dilations=(1, 2), random_state=0)
    reg.fit(X, y)
    assert reg.receptive_field_ == 13
    targets = reg.target_encoder_.transform(y)
    data = CropBatches(X, targets, np.ones(targets.shape[:-1], np.float32), length=16, context=12,
                       batch_size=32, sampling="stride", seed=0)
    x, t, w = data[0]
    garbage = np.where(w[..., None] == 0, 1e3, t)
    loss = keras.losses.MeanSquaredError()
    prediction = reg.model_(x)
    assert w.min() == 0  # the batch has context steps
    np.testing.assert_allclose(loss(t, prediction, sample_weight=w), loss(garbage, prediction, sample_weight=w),
                               rtol=1e-6)
    assert not np.isclose(loss(t, prediction), loss(garbage, prediction))  # the control: unweighted, it does


# ------------------------------------------------------------------ estimators
def test_chunked_predict_equals_one_pass_on_a_long_sequence():
    X, y = _recordings(n=2, T=300)
    reg = TCNRegressor(**TINY, return_sequences=True, subsequence_length=32, random_state=0).fit(X, y)
    long = np.random.RandomState(1).normal(size=(1, 100_000, 1)).astype(np.float32)
    context = reg._causal_context()
    assert context == reg.receptive_field_ - 1
    whole = reg._predict_function(long)
    chunked = reg._predict_in_time_chunks(long, context, chunk=7_000)
    np.testing.assert_allclose(chunked, whole, rtol=1e-5, atol=1e-6)


def test_predict_switches_to_time_chunks_for_sequences_longer_than_the_limit(monkeypatch):
    import sktcn._base as base

    X, y = _recordings(n=2, T=300)
    reg = TCNRegressor(**TINY, return_sequences=True, subsequence_length=32, random_state=0).fit(X, y)
    expected = reg.predict(X)
    monkeypatch.setattr(base, "_PREDICT_CHUNK_STEPS", 64)
    calls = []
    original = reg._predict_in_time_chunks
    monkeypatch.setattr(reg, "_predict_in_time_chunks", lambda *a, **k: calls.append(1) or original(*a, **k))
    np.testing.assert_allclose(reg.predict(X), expected, rtol=1e-5, atol=1e-6)
    assert len(calls) == 2  # one per recording


def test_series_scaling_trains_on_crops_and_predicts_each_sequence_in_one_pass(monkeypatch):
    import sktcn._base as base

    X, y = _recordings(n=2, T=300)
    X = X * 40 + np.float32([[[500.0]], [[-80.0]]])  # a level and a scale of each recording's own
    reg = TCNRegressor(**TINY, return_sequences=True, subsequence_length=32, random_state=0,
                       input_scaling="series").fit(X, y)
    expected = reg.predict(X)
    # Every output depends on the whole sequence, through its statistics: chunks would each have their own.
    assert reg._causal_context() is None
    chunked = reg._predict_in_time_chunks(X[:1], reg.receptive_field_ - 1, chunk=64)
    assert np.abs(chunked - reg._predict_function(X[:1])).max() > 1e-4
    monkeypatch.setattr(base, "_PREDICT_CHUNK_STEPS", 64)
    monkeypatch.setattr(reg, "_predict_in_time_chunks", None)  # not called
    np.testing.assert_array_equal(reg.predict(X), expected)


def test_a_network_with_series_scaling_predicts_each_sequence_in_one_pass_whatever_the_parameter_says(monkeypatch):
    import sktcn._base as base

    X, y = _recordings(n=2, T=300)
    X = X + np.linspace(0, 50, 300, dtype=np.float32)[None, :, None]  # a trend: chunks would each have their own mean
    reg = TCNRegressor(**TINY, return_sequences=True, random_state=0, input_scaling="series", warm_start=True).fit(X, y)
    # The network, and with it its SeriesStandardization layer, decides, not the parameter set since
    # (which a warm start refuses to train with: tests/test_estimators.py).
    reg.set_params(input_scaling="auto")
    assert reg._causal_context() is None
    expected = reg.predict(X)
    monkeypatch.setattr(base, "_PREDICT_CHUNK_STEPS", 64)
    np.testing.assert_array_equal(reg.predict(X), expected)


def test_crops_learn_a_per_step_task_and_cover_the_subsequence():
    X, y = _recordings(n=4, T=300, lag=3)
    reg = TCNRegressor(nb_filters=8, epochs=60, learning_rate=0.01, return_sequences=True, subsequence_length=30,
                       random_state=0).fit(X, y)
    # dilations=None covers the crop (30 steps), not the 300-step recordings.
    assert 30 <= reg.receptive_field_ < 300
    X_test, y_test = _recordings(n=2, T=300, lag=3, seed=1)
    predicted = reg.predict(X_test)
    assert predicted.shape == y_test.shape
    # R² pooled over all steps (score() averages per-step columns of 2 recordings).
    assert 1 - np.mean((predicted - y_test) ** 2) / np.var(y_test) > 0.8


def test_search_over_subsequence_length_and_dilations():
    X, y = _recordings(n=4, T=120)
    grid = {"subsequence_length": [20, 50], "dilations": [(1, 2), (1, 2, 4)]}
    # refit=False: the candidates' fits are what this checks (a refit is one more fit).
    search = GridSearchCV(TCNRegressor(**TINY, return_sequences=True, random_state=0), grid, cv=2, refit=False)
    search.fit(X, y)
    assert len(search.cv_results_["params"]) == 4
    assert search.best_params_["subsequence_length"] in (20, 50)


@pytest.mark.parametrize("params, X_shape, match", [
    (dict(subsequence_length=1), (3, 50, 1), "'subsequence_length' parameter"),
    (dict(subsequence_length=60, return_sequences=True), (3, 50, 1), "longer than the sequences \\(50 steps\\)"),
    (dict(subsequence_length=20), (3, 50, 1), "need return_sequences=True"),
    (dict(subsequence_sampling="every"), (3, 50, 1), "'subsequence_sampling' parameter"),
])
def test_bad_subsequence_settings_are_refused_and_leave_nothing(params, X_shape, match):
    X = np.zeros(X_shape, np.float32)
    y = np.zeros(X_shape[:2] if params.get("return_sequences") else X_shape[:1], np.float32)
    reg = TCNRegressor(**TINY, **params)
    with pytest.raises(ValueError, match=match):
        reg.fit(X, y)
    assert not hasattr(reg, "model_")


def test_classifier_trains_on_crops_too():
    X, _ = _recordings(n=3, T=200)
    labels = np.where(np.roll(X[:, :, 0], 3, axis=1) > 0, "up", "down")
    clf = TCNClassifier(**TINY, return_sequences=True, subsequence_length=40, random_state=0).fit(X, labels)
    assert clf.predict(X).shape == labels.shape and set(np.unique(clf.predict(X))) <= {"up", "down"}
