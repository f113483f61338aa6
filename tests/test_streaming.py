"""Training on data streamed in batches: memory maps, keras PyDatasets, tf.data."""

import tracemalloc

import keras
import numpy as np
import pytest
import tensorflow as tf
from sklearn.base import clone

from sktcn import TCNClassifier, TCNRegressor
from sktcn._streaming import RowBatches, WeightTally, raise_stream_failure, stream_mean_weight, worker_error

from conftest import TINY

# Same batches in the same order as an in-memory fit: the streamed fit must match it.
ORDERED = dict(TINY, shuffle=False, random_state=0)


@pytest.fixture
def data(rng):
    X = rng.normal(size=(48, 10, 2)).astype(np.float32)
    return X, 3.0 + 2.0 * (X[:, 0, 0] + X[:, -1, 1])


class Batches(keras.utils.PyDataset):
    """A user's PyDataset: batches (x, y) cut from arrays."""

    def __init__(self, X, y, batch_size):
        super().__init__()
        self.X, self.y, self.batch_size = X, y, batch_size

    def __len__(self):
        return -(-len(self.X) // self.batch_size)

    def __getitem__(self, i):
        rows = slice(i * self.batch_size, (i + 1) * self.batch_size)
        return self.X[rows], self.y[rows]


def test_pydataset_fit_matches_in_memory_fit(data):
    X, y = data
    expected = TCNRegressor(**ORDERED).fit(X, y)
    streamed = TCNRegressor(**ORDERED).fit(Batches(X, y, TINY["batch_size"]))
    # Same target scaling (from the one pass over the batches), same updates.
    np.testing.assert_allclose(streamed.target_encoder_.mean_, expected.target_encoder_.mean_, rtol=1e-5)
    np.testing.assert_allclose(streamed.history_["loss"], expected.history_["loss"], rtol=1e-4)
    np.testing.assert_allclose(streamed.predict(X), expected.predict(X), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(streamed.predict(Batches(X, y, 7)), streamed.predict(X), rtol=1e-6)


def test_tf_data_classifier_with_string_labels(data):
    X, y = data
    labels = np.where(y > 3.0, "up", "down")
    dataset = tf.data.Dataset.from_tensor_slices((X, labels)).batch(TINY["batch_size"])
    clf = TCNClassifier(**ORDERED).fit(dataset)
    expected = TCNClassifier(**ORDERED).fit(X, labels)
    assert clf.classes_.tolist() == ["down", "up"]
    np.testing.assert_allclose(clf.history_["loss"], expected.history_["loss"], rtol=1e-4)
    assert clf.predict(dataset).tolist() == clf.predict(X).tolist()


def test_memory_map_is_read_batch_by_batch(tmp_path):
    rng = np.random.RandomState(1)
    # float64 on disk: 32 MiB, 16 MiB once converted to float32. Large enough that
    # the ~4 MiB of Python objects from tracing the first model in a fresh process
    # stay well under the bound below.
    X = rng.normal(size=(8192, 64, 8))
    y = X[:, -1, 0]
    np.save(tmp_path / "X.npy", X)
    X_map = np.load(tmp_path / "X.npy", mmap_mode="r")
    del X
    reg = TCNRegressor(nb_filters=2, kernel_size=2, dilations=(1,), epochs=1, batch_size=64, random_state=0)
    tracemalloc.start()  # NumPy reports its buffers to tracemalloc
    try:
        with pytest.warns(UserWarning, match="receptive field"):
            reg.fit(X_map, y)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Copying or converting the whole array would take 16-32 MiB; a batch is 256 KiB
    # (the rest of the peak is Python objects of Keras' graph tracing).
    assert peak < X_map.nbytes / 4, f"peak {peak} bytes while fitting a {X_map.nbytes}-byte memory map"
    assert len(reg.history_["loss"]) == 1 and np.isfinite(reg.history_["loss"]).all()
    assert reg.predict(X_map).shape == (len(X_map),)


def test_row_batches_slice_without_copying_the_array():
    X = np.arange(10 * 3).reshape(10, 3)
    batches = RowBatches(X, np.arange(10), batch_size=4)
    assert len(batches) == 3
    x, y, w = batches[2]
    assert x.tolist() == X[8:].tolist() and y.tolist() == [8, 9] and w is None


def test_streamed_sample_weights_and_warm_start(data):
    X, y = data
    weights = np.linspace(0.5, 1.5, len(X)).astype(np.float32)
    dataset = tf.data.Dataset.from_tensor_slices((X, y, weights)).batch(16)
    expected = TCNRegressor(**ORDERED).fit(X, y, sample_weight=weights)
    reg = TCNRegressor(**ORDERED).fit(dataset)
    np.testing.assert_allclose(reg.history_["loss"], expected.history_["loss"], rtol=1e-4)
    reg.set_params(warm_start=True, epochs=1).fit(dataset)
    assert len(reg.history_["loss"]) == TINY["epochs"] + 1


@pytest.mark.parametrize("source", ["memory map", "tf.data", "class_weight"])
def test_a_streams_weights_count_by_their_ratios_only(data, source, monkeypatch):
    # As in memory (tests/test_training.py), a fit divides its weights by their mean, here over the
    # whole stream (one more pass before training): weights of ~1e-4 stopped epochs="auto" after its
    # first epoch. Scaled by a power of two, which float32 keeps exactly, they train identically.
    from sktcn import _training

    monkeypatch.setattr(_training, "TARGET_STEPS", 24)
    monkeypatch.setattr(_training, "MIN_PASSES", 2)
    X, y = data
    params = dict(ORDERED, epochs="auto")
    weights = np.linspace(0.5, 1.5, len(X))

    def fitted(scale):
        if source == "memory map":
            return TCNRegressor(**params).fit(X.view(np.memmap), y, sample_weight=weights * scale)
        if source == "tf.data":
            w = (weights * scale).astype(np.float32)
            return TCNRegressor(**params).fit(tf.data.Dataset.from_tensor_slices((X, y, w)).batch(16))
        labels = np.where(y > 3.0, "up", "down")  # a constant class weight: as none
        class_weight = None if scale == 1 else {"up": scale, "down": scale}
        dataset = tf.data.Dataset.from_tensor_slices((X, labels)).batch(16)
        return TCNClassifier(**params, class_weight=class_weight).fit(dataset)

    a, b = fitted(1), fitted(2.0**-14)
    assert len(a.history_["loss"]) > 1
    assert a.history_["loss"] == b.history_["loss"]
    np.testing.assert_array_equal(a.predict(X), b.predict(X))


@pytest.mark.parametrize("source", ["PyDataset", "tf.data"])
def test_streamed_weights_below_float32s_range_train_as_their_ratios_say(data, source):
    # Each batch's weights were cast to float32 before the division by the stream's mean: weights of
    # 1e-50 became 0, and the fit was refused as "every sample of this fit weighs 0".
    X, y = data
    weights = np.arange(1.0, len(X) + 1)
    tiny = weights * 1e-50
    if source == "PyDataset":
        stream = WeightedBatches(X, y, tiny, TINY["batch_size"])
    else:
        stream = tf.data.Dataset.from_tensor_slices((X, y, tiny)).batch(TINY["batch_size"])
    streamed = TCNRegressor(**ORDERED).fit(stream)
    expected = TCNRegressor(**ORDERED).fit(X, y, sample_weight=weights)
    np.testing.assert_allclose(streamed.history_["loss"], expected.history_["loss"], rtol=1e-4)
    np.testing.assert_allclose(streamed.predict(X), expected.predict(X), rtol=1e-4, atol=1e-5)


def test_streamed_targets_too_small_to_square_are_refused_over_the_whole_stream(data):
    # Batch by batch the spread is a sum of squares, which underflows below about 1e-162: the
    # scale fell back to 1 and every prediction was the mean. In memory fit recomputes it.
    X, y = data
    dataset = tf.data.Dataset.from_tensor_slices((X, y.astype(np.float64) * 1e-200)).batch(16)
    with pytest.raises(ValueError, match=r"at most .*e-200 in magnitude, too small .* multiply it by 1e199"):
        TCNRegressor(**TINY).fit(dataset)
    constant = tf.data.Dataset.from_tensor_slices((X, np.full(len(X), 3e-200))).batch(16)
    assert TCNRegressor(**TINY).fit(constant).target_encoder_.scale_ == 1.0
    # Checked over the whole stream: a first batch of zeros and 1e-170, whose squares underflow,
    # was refused as soon as it was read, although the batches after it vary by units.
    targets = np.r_[np.tile([0.0, 1e-170], 8), y[16:]].astype(np.float64)
    tiny_first = tf.data.Dataset.from_tensor_slices((X, targets)).batch(16)
    assert TCNRegressor(**TINY).fit(tiny_first).target_encoder_.scale_ == pytest.approx(targets.std(), rel=1e-6)


def test_streamed_input_errors(data):
    X, y = data
    dataset = tf.data.Dataset.from_tensor_slices((X, y)).batch(16)
    with pytest.raises(ValueError, match="without y"):
        TCNRegressor(**TINY).fit(dataset, y)
    with pytest.raises(ValueError, match="validation_split"):
        TCNRegressor(**TINY, validation_split=0.2).fit(dataset)
    with pytest.raises(ValueError, match="infinite"):
        TCNRegressor(**TINY).fit(dataset.repeat())
    with pytest.raises(ValueError, match=r"tuple \(x, y\)"):
        TCNRegressor(**TINY).fit(tf.data.Dataset.from_tensor_slices(X).batch(16))
    with pytest.raises(ValueError, match="needs y"):
        TCNRegressor(**TINY).fit(X.view(np.memmap))  # a memory map without its y


class WeightedBatches(Batches):
    """A PyDataset of batches (x, y, w)."""

    def __init__(self, X, y, w, batch_size):
        super().__init__(X, y, batch_size)
        self.w = w

    def __getitem__(self, i):
        rows = slice(i * self.batch_size, (i + 1) * self.batch_size)
        return self.X[rows], self.y[rows], self.w[rows]


def _weights(kind, n):
    w = np.ones(n, np.float32)
    if kind == "nan":
        w[n // 2] = np.nan
    elif kind == "negative":
        w[n // 2] = -1.0
    elif kind == "zeros":
        w[:] = 0.0
    return w


@pytest.mark.parametrize(
    "weights",
    [_weights("nan", 48), _weights("negative", 48), _weights("zeros", 48), np.ones((48, 3)), np.ones(47)],
    ids=["nan", "negative", "zeros", "2d", "short"],
)
def test_memory_mapped_X_checks_sample_weight_as_in_memory(data, tmp_path, weights):
    X, y = data
    np.save(tmp_path / "X.npy", X)
    X_map = np.load(tmp_path / "X.npy", mmap_mode="r")
    with pytest.raises(ValueError) as in_memory:
        TCNRegressor(**TINY).fit(X, y, sample_weight=weights)
    with pytest.raises(ValueError) as streamed:
        TCNRegressor(**TINY).fit(X_map, y, sample_weight=weights)
    assert str(streamed.value) == str(in_memory.value)
    # A scalar weighs every sample, as in memory.
    np.testing.assert_array_equal(
        TCNRegressor(**ORDERED).fit(X_map, y, sample_weight=2.0).predict(X),
        TCNRegressor(**ORDERED).fit(X_map, y, sample_weight=np.full(len(y), 2.0)).predict(X),
    )


@pytest.mark.parametrize("source", ["pydataset", "tf.data"])
@pytest.mark.parametrize(
    "kind, match",
    [("nan", "invalid sample weights: Input sample_weight contains NaN"),
     ("negative", "invalid sample weights: Negative values in data passed to `sample_weight`"),
     ("zeros", "Sample weights must contain at least one non-zero number")],
)
def test_streamed_batches_check_their_sample_weights(data, source, kind, match):
    X, y = data
    w = _weights(kind, len(X))
    if source == "pydataset":
        stream = WeightedBatches(X, y, w, 16)
    else:
        stream = tf.data.Dataset.from_tensor_slices((X, y, w)).batch(16)
    with pytest.raises(ValueError, match=match):  # was "Training diverged", or a silent fit on nothing
        TCNRegressor(**TINY).fit(stream)
    # A warm start on such a stream leaves the fitted network as it was.
    reg = TCNRegressor(**ORDERED).fit(X, y)
    before = reg.predict(X)
    weights = [variable.numpy() for variable in reg.model_.weights]
    with pytest.raises(ValueError, match=match):
        reg.partial_fit(stream, None)
    for variable, value in zip(reg.model_.weights, weights, strict=True):
        np.testing.assert_array_equal(variable.numpy(), value)
    np.testing.assert_array_equal(reg.predict(X), before)


def test_a_partial_fit_batch_whose_weights_float32_cannot_hold_names_the_stream(data):
    # partial_fit uses a batch's weights as given; 1e-50 rounds to 0 in float32, in every batch here.
    X, y = data
    stream = WeightedBatches(X, y, np.full(len(X), 1e-50), 16)
    with pytest.raises(ValueError, match="^The streamed X weighs nothing in training: Sample weights "
                                         "of at most 1e-50 all round to 0 in float32"):
        TCNRegressor(**TINY).partial_fit(stream, None)


def test_a_partial_fit_batch_whose_weights_float32_rounds_to_0_weighs_nothing(data):
    # It was refused as if the call's weights all rounded to 0, where the other batches weigh 1:
    # it weighs nothing, as a batch of zero weights does.
    X, y = data
    tiny, zero = np.ones(len(X)), np.ones(len(X))
    tiny[:16], zero[:16] = 1e-50, 0.0  # the first batch
    fits = [TCNRegressor(**ORDERED).partial_fit(WeightedBatches(X, y, w, 16), None) for w in (tiny, zero)]
    assert fits[0].history_["loss"] == fits[1].history_["loss"]
    np.testing.assert_array_equal(fits[0].predict(X), fits[1].predict(X))


def test_a_batch_may_weigh_nothing_if_the_stream_weighs_something(data):
    X, y = data
    w = np.ones(len(X), np.float32)
    w[:16] = 0.0  # the first batch
    reg = TCNRegressor(**TINY).fit(WeightedBatches(X, y, w, 16))
    assert np.isfinite(reg.history_["loss"]).all()


@pytest.mark.parametrize("weighed_by", ["sample_weight", "class_weight"])
def test_batches_encoded_in_worker_processes_count_in_the_streams_weight(data, weighed_by):
    # With use_multiprocessing=True Keras' workers encode the batches, and the tally of the
    # weights they saw stayed in them: a stream whose first batches weigh 0 was refused.
    X, y = data
    rows = [slice(start, start + 16) for start in range(0, len(X), 16)]
    if weighed_by == "sample_weight":
        w = np.r_[np.zeros(32), np.ones(16)].astype(np.float32)
        batches = [(X[r], y[r], w[r]) for r in rows]
        estimator = TCNRegressor(**TINY)
    else:
        labels = np.where(np.arange(len(X)) < 32, "a", np.where(np.arange(len(X)) % 2, "a", "b"))
        batches = [(X[r], labels[r]) for r in rows]
        estimator = TCNClassifier(**TINY, class_weight={"a": 0.0})
    estimator.fit(Listed(batches, workers=2, use_multiprocessing=True))
    assert np.isfinite(estimator.history_["loss"]).all()
    # A stream that weighs nothing is still refused, as when this process encodes it.
    if weighed_by == "sample_weight":
        nothing = [(x, target, np.zeros_like(weights)) for x, target, weights in batches]
        match = "Sample weights must contain at least one non-zero number: every batch"
    else:  # sample weights keep only class "a", which class_weight leaves out
        nothing = [(x, target, (target == "a").astype(np.float32)) for x, target in batches]
        match = "class_weight and sample_weight together give every sample"
    with pytest.raises(ValueError, match=match):
        clone(estimator).fit(Listed(nothing, workers=2, use_multiprocessing=True))


class Listed(keras.utils.PyDataset):
    """A PyDataset that serves the given batches as they are."""

    def __init__(self, batches, **kwargs):
        super().__init__(**kwargs)
        self.batches = batches

    def __len__(self):
        return len(self.batches)

    def __getitem__(self, i):
        return self.batches[i]


def test_empty_streams_raise_value_error(data, tmp_path):
    X, y = data
    np.save(tmp_path / "empty.npy", X[:0])
    empty_map = np.load(tmp_path / "empty.npy", mmap_mode="r")
    empty_sources = [Listed([]), tf.data.Dataset.from_tensor_slices((X[:0], y[:0])).batch(16)]
    for empty in [*empty_sources, (empty_map, y[:0])]:
        args = empty if isinstance(empty, tuple) else (empty,)
        with pytest.raises(ValueError, match="holds no batches"):  # was a bare StopIteration
            TCNRegressor(**TINY).fit(*args)
    # A StopIteration would end the map silently, after one estimator.
    with pytest.raises(ValueError, match="holds no batches"):
        list(map(lambda stream: TCNRegressor(**TINY).fit(stream), [Listed([]), Batches(X, y, 16)]))
    reg = TCNRegressor(**TINY).fit(X, y)
    for empty in empty_sources:
        with pytest.raises(ValueError, match="holds no batches"):
            reg.predict(empty)
    with pytest.raises(ValueError, match="0 sample"):  # as in memory
        reg.predict(empty_map)


class NumBatches(Batches):
    """Batches with Keras 3's num_batches property instead of __len__ (kept for backward compatibility only)."""

    __len__ = None

    @property
    def num_batches(self):
        return -(-len(self.X) // self.batch_size)


def test_pydataset_with_num_batches_and_no_len(data):
    X, y = data
    stream = NumBatches(X, y, TINY["batch_size"])
    with pytest.raises(TypeError):
        len(stream)
    reg = TCNRegressor(**ORDERED).fit(stream)  # was TypeError: no len()
    expected = TCNRegressor(**ORDERED).fit(Batches(X, y, TINY["batch_size"]))
    np.testing.assert_array_equal(reg.predict(X), expected.predict(X))
    np.testing.assert_array_equal(reg.predict(stream), expected.predict(X))


class HookedBatches(Batches):
    """Batches that count the epoch hooks Keras calls."""

    def __init__(self, X, y, batch_size):
        super().__init__(X, y, batch_size)
        self.begins = self.ends = 0

    def on_epoch_begin(self):
        self.begins += 1

    def on_epoch_end(self):
        self.ends += 1


def test_pydataset_epoch_hooks_are_called_as_keras_calls_them(data):
    X, y = data
    stream = HookedBatches(X, y, TINY["batch_size"])
    TCNRegressor(**TINY).fit(stream)
    # Keras' own fit calls on_epoch_begin once per epoch, on_epoch_end once more (as it starts).
    assert (stream.begins, stream.ends) == (TINY["epochs"], TINY["epochs"] + 1)  # on_epoch_begin was never called


class MissingFileFromEpoch(HookedBatches):
    """Batches whose third one cannot be read from Keras' epoch ``epoch`` (from 1; 0: also before training) on."""

    def __init__(self, X, y, batch_size, epoch):
        super().__init__(X, y, batch_size)
        self.epoch = epoch

    def __getitem__(self, i):
        if self.begins >= self.epoch and i == 2:
            raise FileNotFoundError(2, "No such file or directory", f"batch-{i}.npy")
        return super().__getitem__(i)


@pytest.mark.parametrize("epoch", [0, 1, 2])
def test_a_pydatasets_own_error_is_raised_as_itself_in_every_epoch(data, epoch):
    # Before training, sktcn reads the targets in Python, where the error came
    # through; training reads the batches inside TensorFlow, which raised its
    # UnknownError in place of the user's error.
    X, y = data
    reg = TCNRegressor(**TINY)
    with pytest.raises(FileNotFoundError, match="batch-2.npy"):
        reg.fit(MissingFileFromEpoch(X, y, TINY["batch_size"], epoch))
    assert not hasattr(reg, "model_")


class ExhaustedFromEpoch(MissingFileFromEpoch):
    """Batches whose third one raises StopIteration (an exhausted iterator read again) from epoch ``epoch`` on."""

    def __getitem__(self, i):
        if self.begins >= self.epoch and i == 2:
            raise StopIteration
        return super().__getitem__(i)


@pytest.mark.parametrize("epoch", [1, 2])
def test_a_stop_iteration_in_a_batch_does_not_end_the_callers_loop(data, epoch):
    # Raised as itself, StopIteration made list(map(fit, ...)) return [] without an error.
    X, y = data

    def fit(_):
        return TCNRegressor(**TINY).fit(ExhaustedFromEpoch(X, y, TINY["batch_size"], epoch))

    with pytest.raises(RuntimeError, match="StopIteration.*every epoch"):
        list(map(fit, [0, 1]))


@pytest.fixture
def ragged_stream(rng):
    """Per-step targets in batches of series of 8 and 12 steps."""
    short, long = rng.normal(size=(8, 8, 1)), rng.normal(size=(8, 12, 1))
    return [(short, short[..., 0]), (long, long[..., 0])]


def test_classifier_trains_on_per_step_labels_of_batches_of_different_lengths(ragged_stream):
    batches = [(x, np.where(y > 0, "up", "down")) for x, y in ragged_stream]
    clf = TCNClassifier(**TINY, return_sequences=True, class_weight="balanced").fit(Listed(batches))  # was numpy's error
    assert clf.classes_.tolist() == ["down", "up"]
    labels = np.concatenate([y.ravel() for _, y in batches])
    weights = dict(zip(*clf._resolved_class_weight(Listed(batches), None)))
    assert weights["up"] == len(labels) / (2 * np.sum(labels == "up"))
    assert clf.predict(Listed(batches)).shape == (16, 12)


def test_per_step_predictions_of_batches_of_different_lengths(ragged_stream):
    reg = TCNRegressor(**TINY, return_sequences=True).fit(Listed(ragged_stream))
    series = [x for x, _ in ragged_stream]
    # Laid out as the same series of an in-memory list (was numpy's concatenate error).
    np.testing.assert_array_equal(reg.predict(Listed(ragged_stream)), reg.predict(list(series[0]) + list(series[1])))


@pytest.fixture
def start_method(request):
    """multiprocessing's start method for the test (``request.param``), restored after it."""
    import multiprocessing

    if request.param not in multiprocessing.get_all_start_methods():
        pytest.skip(f"the platform has no {request.param!r} start method")
    from keras.src.trainers.data_adapters import py_dataset_adapter

    def start_anew(method):
        multiprocessing.set_start_method(method, force=True)
        # Keras keeps one queue for its workers' ids per process, made in the start method of its
        # first pool, which processes of another cannot share: a program uses one start method.
        py_dataset_adapter._WORKER_ID_QUEUE = None

    before = multiprocessing.get_start_method(allow_none=True)
    start_anew(request.param)
    yield request.param
    start_anew(before)


@pytest.mark.parametrize("start_method", ["fork", "spawn"], indirect=True)
def test_a_worker_process_error_is_raised_as_its_value_error(data, start_method):
    X, y = data
    X = X.copy()
    X[-1, 2, 0] = np.nan  # in the last batch
    batches = [(X[i : i + 16], y[i : i + 16]) for i in range(0, len(X), 16)]
    stream = Listed(batches, workers=2, use_multiprocessing=True)
    # Was TensorFlow's InvalidArgumentError.
    with pytest.raises(ValueError, match="Input X contains NaN. The networks take no missing"):
        TCNRegressor(**TINY).fit(stream)


@pytest.mark.parametrize("start_method", ["spawn"], indirect=True)
def test_worker_processes_that_receive_the_stream_by_pickle_train_as_threads_do(data, start_method):
    # Under spawn and forkserver (macOS', Windows' and, from Python 3.14, Linux's default) Keras
    # pickles the dataset for its workers, and with it sktcn's encoding of the batches: a
    # closure once, which failed inside TensorFlow ("Can't pickle local object").
    import threading

    class Locked(keras.callbacks.Callback):  # holds a lock, and is defined here: it pickles neither way
        def __init__(self):
            super().__init__()
            self.lock = threading.Lock()

    def relu(x):  # a local function as a parameter of the network
        return keras.activations.relu(x)

    X, y = data
    w = np.linspace(0.5, 2.0, len(X)).astype(np.float32)
    labels = np.where(y > np.median(y), "high", "low")
    per_step = np.cumsum(X[..., 0], axis=1)
    rows = [slice(i, i + 16) for i in range(0, len(X), 16)]
    for make, batches in [  # made anew for each fit: clone would deep-copy the lock
        (lambda: TCNRegressor(**ORDERED, callbacks=[Locked()], activation=relu), [(X[r], y[r], w[r]) for r in rows]),
        (lambda: TCNClassifier(**ORDERED, class_weight="balanced"), [(X[r], labels[r]) for r in rows]),
        (lambda: TCNRegressor(**ORDERED, return_sequences=np.True_), [(X[r], per_step[r]) for r in rows]),
    ]:
        in_processes = make().fit(Listed(batches, workers=2, use_multiprocessing=True))
        in_threads = make().fit(Listed(batches, workers=2))
        np.testing.assert_array_equal(in_processes.predict(X), in_threads.predict(X))


@pytest.mark.parametrize("start_method", ["spawn"], indirect=True)
def test_a_stream_worker_processes_cannot_receive_is_refused_before_training(data, start_method):
    X, y = data

    class Local(Listed):  # a class defined in a function does not pickle
        pass

    reg = TCNRegressor(**TINY)
    with pytest.raises(TypeError, match=r"X is a Local with use_multiprocessing=True, .* 'spawn' start method .* "
                                        r"cannot be pickled: .*set use_multiprocessing=False"):
        reg.fit(Local([(X[:16], y[:16])], workers=2, use_multiprocessing=True))
    assert not hasattr(reg, "model_")
    # Its threads need no pickle.
    assert np.isfinite(reg.fit(Local([(X[:16], y[:16])], workers=2)).history_["loss"]).all()


@pytest.mark.parametrize("start_method", ["spawn"], indirect=True)
def test_an_encoding_worker_processes_cannot_receive_is_refused_before_training(data, start_method, monkeypatch):
    # What the encoding carries is the estimator's fitted state and plain parameters; should any of it not
    # pickle, the fit says so rather than fail in Keras' thread.
    from sktcn import _stream_encoding

    X, y = data
    copy = _stream_encoding._encoding_copy

    def unpicklable_copy(estimator):
        made = copy(estimator)
        made.n_timesteps_in_ = lambda: None
        return made

    monkeypatch.setattr(_stream_encoding, "_encoding_copy", unpicklable_copy)
    reg = TCNRegressor(**TINY)
    with pytest.raises(TypeError, match=r"X is a Listed with use_multiprocessing=True, .* a parameter of "
                                        r"TCNRegressor cannot be pickled: .*set use_multiprocessing=False"):
        reg.fit(Listed([(X[:16], y[:16])], workers=2, use_multiprocessing=True))
    assert not hasattr(reg, "model_")


def test_memory_map_predict_checks_its_shape_as_in_memory(data, tmp_path):
    X, y = data
    reg = TCNRegressor(**TINY).fit(X[:, :, 0], y)
    for shape in [(10,), (3, 0)]:
        np.save(tmp_path / "X.npy", np.zeros(shape, np.float32))
        with pytest.raises(ValueError) as in_memory:
            reg.predict(np.zeros(shape, np.float32))
        with pytest.raises(ValueError) as streamed:  # was IndexError, ZeroDivisionError
            reg.predict(np.load(tmp_path / "X.npy", mmap_mode="r"))
        # (The array scikit-learn quotes is the memory map's first row only.)
        assert str(streamed.value).splitlines()[0] == str(in_memory.value).splitlines()[0]


def test_unbatched_tf_data_is_refused_with_a_hint(data):
    X, y = data
    unbatched = tf.data.Dataset.from_tensor_slices((X, y))
    with pytest.raises(ValueError, match=r"single series.*\.batch\(batch_size\)"):
        TCNRegressor(**TINY).fit(unbatched)
    with pytest.raises(ValueError, match=r"single series.*\.batch\(batch_size\)"):
        TCNClassifier(**TINY).fit(tf.data.Dataset.from_tensor_slices((X, y > 3.0)))
    reg = TCNRegressor(**TINY).fit(X, y)
    with pytest.raises(ValueError, match=r"single series.*\.batch\(batch_size\)"):  # was: transpose X
        reg.predict(tf.data.Dataset.from_tensor_slices(X))
    # One feature: a series (n_timesteps, 1) would pass for n_timesteps series of one step, but its y is one value.
    reg = TCNRegressor(**TINY).fit(X[:, :, :1], y)
    with pytest.raises(ValueError, match=r"single series.*\.batch\(batch_size\)"):
        reg.predict(tf.data.Dataset.from_tensor_slices((X[:, :, :1], y)))


def test_a_pydataset_of_single_series_gets_advice_a_pydataset_can_follow(data):
    # It was told to call .batch(batch_size), which only a tf.data.Dataset has.
    X, y = data
    advice = r"single series\. A Listed \(a keras\.utils\.PyDataset\) must return a whole batch from __getitem__\(i\)"
    reg = TCNRegressor(**TINY)
    with pytest.raises(ValueError, match=advice) as raised:
        reg.fit(Listed([(x, target) for x, target in zip(X, y)]))
    assert ".batch(" not in str(raised.value) and not hasattr(reg, "model_")
    reg.fit(X, y)
    with pytest.raises(ValueError, match=advice) as raised:
        reg.predict(Listed([x for x in X]))
    assert ".batch(" not in str(raised.value)


def test_validation_data_with_a_stream_names_what_streamed_fits_do(data):
    X, y = data
    with pytest.raises(TypeError, match="validation_data") as refused:
        TCNRegressor(**TINY).fit(Batches(X, y, 16), validation_data=(X, y))
    # Not validation_split, which a streamed X refuses too.
    assert "validation_split" not in str(refused.value)
    assert "early_stopping then watches the training loss" in str(refused.value)


def test_predict_refuses_batches_that_are_lists_of_series(data):
    X, y = data
    reg = TCNRegressor(**TINY).fit(X, y)
    with pytest.raises(ValueError, match="got list of 16"):  # predicted the first series of each batch
        reg.predict(Listed([list(X[:16]), list(X[16:32])]))
    # (x,), (x, y) and (x, y, w) batches and bare arrays are read.
    stream = Listed([(X[:16],), (X[16:32], y[16:32]), (X[32:], y[32:], np.ones(16)), X])
    np.testing.assert_array_equal(reg.predict(stream), reg.predict(np.concatenate([X, X])))


def test_predict_reads_batches_whose_target_is_none(data):
    # A dataset shared with training yields (x, None) in predict mode; Keras reads it as x.
    X, y = data
    reg = TCNRegressor(**TINY).fit(X, y)
    stream = Listed([(X[:16], None), (X[16:32], None, None), (X[32:], y[32:], None)])
    np.testing.assert_array_equal(reg.predict(stream), reg.predict(X))


# What TensorFlow's OpError says when a batch fails in a worker process: the
# final exception, then the worker's traceback, chained exceptions first.
_WORKER_MESSAGE = '''Graph execution error:

Detected at node PyFunc defined at (most recent call last):
<stack traces unavailable>
{final}
multiprocessing.pool.RemoteTraceback:
"""
Traceback (most recent call last):
  File "/data/shards.py", line 15, in __getitem__
    int("shard-%d" % i)
ValueError: invalid literal for int() with base 10: 'shard-1'

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "/usr/lib/python3.11/multiprocessing/pool.py", line 125, in worker
    result = (True, func(*args, **kwds))
                    ^^^^^^^^^^^^^^^^^^^^
  File "/data/shards.py", line 17, in __getitem__
    {statement}
{final}
"""


The above exception was the direct cause of the following exception:


Traceback (most recent call last):

  File "/usr/lib/python3.11/multiprocessing/pool.py", line 774, in get
    raise self._value

  File "/data/shards.py", line 17, in __getitem__
    {statement}
    ^^^^^^^^^^^^^^^^^

{final}


\t [[{{{{node PyFunc}}}}]]
\t [[IteratorGetNext]] [Op:__inference_multi_step_on_iterator_675]'''


@pytest.mark.parametrize("final, statement, expected", [
    ("KeyError: 'shard 1 is missing'", 'raise KeyError("shard 1 is missing")', None),
    ("ValueError: Input contains NaN.", "raise ValueError(msg_err)", ValueError("Input contains NaN.")),
    ("TypeError: bad batch: a list", 'raise TypeError("bad batch: a list")', TypeError("bad batch: a list")),
    ("mylib.errors.StoreError: shard 1: gone", 'raise StoreError("shard 1: gone")', None),
])
def test_a_worker_process_error_is_rebuilt_only_if_it_ended_the_worker(final, statement, expected):
    # A KeyError raised while handling a ValueError was once rebuilt as that ValueError.
    got = worker_error(RuntimeError(_WORKER_MESSAGE.format(final=final, statement=statement)))
    assert type(got) is type(expected) and str(got) == str(expected)


def test_a_batch_failure_is_raised_as_itself_and_an_unknown_one_left_to_the_caller():
    opaque = RuntimeError("Graph execution error: nothing rebuildable")
    own = ValueError("batch 3: Input contains NaN.")
    with pytest.raises(ValueError, match="batch 3") as raised:
        raise_stream_failure(opaque, [own])
    assert raised.value is own
    with pytest.raises(RuntimeError, match="__getitem__ must return its batch") as raised:
        raise_stream_failure(opaque, [StopIteration()])
    assert isinstance(raised.value.__cause__, StopIteration)
    rebuilt = RuntimeError(_WORKER_MESSAGE.format(final="TypeError: bad batch", statement="raise TypeError()"))
    with pytest.raises(TypeError, match="bad batch"):
        raise_stream_failure(rebuilt, [])
    assert raise_stream_failure(opaque, []) is None  # the caller raises the OpError


def test_a_streams_mean_weight_counts_every_batch_and_refuses_a_weightless_stream():
    batches = [(None, None, np.array([1.0, 3.0])), (None, None, np.array([0.0, 0.0, 8.0]))]

    def weigh(x, y, w):
        tally.record(w, w, w)
        return x, y, w

    tally = WeightTally("weighs nothing", str)
    assert stream_mean_weight(batches, weigh, tally) == pytest.approx(12.0 / 5)
    tally = WeightTally("weighs nothing", str)
    with pytest.raises(ValueError, match="at least one non-zero"):
        stream_mean_weight([(None, None, np.zeros(3))], weigh, tally)
