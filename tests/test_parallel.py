"""Scaling out and up: process and Dask searches, distribution strategies, mixed precision, memory."""

import gc
import json
import logging
import os
import pickle
import sys
import textwrap

import keras
import numpy as np
import pytest
import tensorflow as tf
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from tensorflow.python.framework.func_graph import FuncGraph

from sktime.datasets import load_airline

import sktcn
from sktcn import TCNClassifier, TCNForecaster, TCNRegressor
from sktcn._distribute import apply_thread_setting, picklable_strategy

from conftest import TINY, TINY_FORECASTER, global_policy, run_in_own_process


@pytest.fixture
def small_regression(rng):
    X = rng.normal(size=(48, 10)).astype(np.float32)
    return X, X[:, 0] + X[:, -1]


def _search(n_jobs):
    return GridSearchCV(TCNRegressor(**TINY, random_state=0), {"nb_filters": [2, 4]}, cv=2, n_jobs=n_jobs)


# ------------------------------------------------------------ process searches
@pytest.fixture(scope="module")
def sequential_scores():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(48, 10)).astype(np.float32)
    y = X[:, 0] + X[:, -1]
    return X, y, _search(n_jobs=None).fit(X, y).cv_results_["mean_test_score"]


def test_search_in_worker_processes_matches_sequential(sequential_scores):
    # loky pickles each estimator to a worker process, which imports
    # TensorFlow and fits there; seeded fits must give the sequential scores.
    X, y, expected = sequential_scores
    search = _search(n_jobs=2).fit(X, y)
    np.testing.assert_allclose(search.cv_results_["mean_test_score"], expected, rtol=1e-4)
    assert search.best_estimator_.predict(X[:3]).shape == (3,)


def test_search_on_a_dask_cluster(sequential_scores):
    distributed = pytest.importorskip("distributed")
    joblib = pytest.importorskip("joblib")
    X, y, expected = sequential_scores
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=logging.ERROR
    ) as cluster, distributed.Client(cluster) as client:
        with joblib.parallel_config(backend="dask"):
            search = _search(n_jobs=-1).fit(X, y)
        # The fits ran in the cluster's worker processes, which now hold TensorFlow.
        assert all(client.run(lambda: "tensorflow" in sys.modules).values())
    np.testing.assert_allclose(search.cv_results_["mean_test_score"], expected, rtol=1e-4)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the platform does not fork")
def test_a_process_forked_after_tensorflow_ran_refuses_to_fit_or_predict(small_regression):
    # joblib's "multiprocessing" backend and sktime's backend="multiprocessing"
    # fork their workers. TensorFlow's runtime does not survive a fork: a fit or
    # a prediction in such a worker once waited forever, without a word.
    import signal

    X, y = small_regression
    reg = TCNRegressor(**TINY, random_state=0).fit(X, y)  # TensorFlow has run in this process
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report what each call did, and never return into pytest
        try:
            signal.alarm(30)  # killed, rather than hang, on the old code
            outcomes = []
            for call in (lambda: reg.predict(X), lambda: clone(reg).fit(X, y)):
                try:
                    call()
                    outcomes.append("ran")
                except RuntimeError as error:
                    outcomes.append(str(error))
            os.write(write, json.dumps(outcomes).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        reported = pipe.read()
    os.waitpid(pid, 0)
    outcomes = json.loads(reported or "[]")
    assert len(outcomes) == 2, "the forked child hung"
    for outcome in outcomes:
        assert "forked" in outcome and "'loky'" in outcome
    # Keras' PyDataset workers, forked too, only read batches: such fits work.

    def fit(processes):
        batches = _Sixteens(X[:48], y[:48], workers=2, use_multiprocessing=processes)
        return TCNRegressor(**TINY, random_state=0, shuffle=False).fit(batches).predict(X)

    np.testing.assert_array_equal(fit(processes=True), fit(processes=False))


class _Sixteens(keras.utils.PyDataset):
    """Batches of 16 rows of ``(X, y)``: a class of a module's top level, which pickles for worker processes that
    do not fork (Python 3.14's default start method on Linux)."""

    def __init__(self, X, y, **kwargs):
        super().__init__(**kwargs)
        self.X, self.y = X, y

    def __len__(self):
        return len(self.X) // 16

    def __getitem__(self, index):
        return self.X[16 * index: 16 * (index + 1)], self.y[16 * index: 16 * (index + 1)]


def test_thread_setting_from_the_environment():
    assert apply_thread_setting({}) is None
    with pytest.raises(ValueError, match="SKTCN_TF_THREADS"):
        apply_thread_setting({"SKTCN_TF_THREADS": "zero"})


# ------------------------------------------------------- distribution strategy
# Two logical CPUs stand in for two GPUs (the configuration must precede
# TensorFlow's start); each script below starts so, then imports sktcn (which
# applies SKTCN_TF_THREADS at import) before it makes ``STRATEGY()``.
_ON_TWO_CPUS = textwrap.dedent(
    """
    import json, pickle
    import numpy as np
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    STRATEGY = lambda: tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    """
)

_TWO_CPUS = _ON_TWO_CPUS + textwrap.dedent(
    """
    from sktcn import TCNRegressor

    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 10, 2)).astype(np.float32)
    y = X[:, 0, 0] + X[:, -1, 1]
    strategy = STRATEGY()
    reg = TCNRegressor(nb_filters=4, epochs=2, batch_size=16, random_state=0, distribution_strategy=strategy)
    reg.fit(X, y)
    loaded = pickle.loads(pickle.dumps(reg))
    print(json.dumps({
        "replicas": strategy.num_replicas_in_sync,
        "variable_copies": len(reg.model_.trainable_variables[0].value.values),
        "loss": reg.history_["loss"],
        "prediction_finite": bool(np.isfinite(reg.predict(X)).all()),
        "loaded_strategy": loaded.distribution_strategy,
        "loaded_matches": bool(np.allclose(loaded.predict(X), reg.predict(X), atol=1e-6)),
        "intra_op_threads": tf.config.threading.get_intra_op_parallelism_threads(),
    }))
    """
)


def test_mirrored_strategy_on_two_logical_cpus():
    result = run_in_own_process(_TWO_CPUS, SKTCN_TF_THREADS="1")
    assert result["replicas"] == 2
    assert result["variable_copies"] == 2  # one mirrored copy of each weight per device
    assert len(result["loss"]) == 2 and np.all(np.isfinite(result["loss"]))
    assert result["prediction_finite"]
    assert result["loaded_strategy"] == "mirrored"
    assert result["loaded_matches"]
    assert result["intra_op_threads"] == 1  # SKTCN_TF_THREADS was applied at import


_SPLIT_BY_SKTCN_ON_TWO_CPUS = _ON_TWO_CPUS + textwrap.dedent(
    """
    import sktcn._base
    from sktcn import TCNRegressor

    strategy = STRATEGY()
    rng = np.random.RandomState(0)
    X = rng.normal(size=(64, 10, 1)).astype(np.float32)
    y = X[:, 0, 0] + X[:, -1, 0]
    tiny = dict(nb_filters=4, epochs=3, batch_size=16, random_state=0, validation_split=0.25)
    mirrored = TCNRegressor(**tiny, distribution_strategy=strategy).fit(X, y)
    alone = TCNRegressor(**tiny).fit(X, y)

    # An unseeded fit: the batches its replicas read, kept aside.
    made = []
    split = sktcn._base.replica_batches
    sktcn._base.replica_batches = lambda make, strategy: made.append(split(make, strategy)) or made[-1]
    X[:, 0, 0] = np.arange(64)  # each series' number
    TCNRegressor(nb_filters=4, epochs=1, batch_size=8, validation_split=0, distribution_strategy=strategy).fit(X, y)
    batches = iter(made[0])
    shares = []
    for step in range(16):  # two passes over the 64 series in batches of 8
        per_replica = strategy.experimental_local_results(next(batches)[0])
        shares.append([x[:, 0, 0].numpy().astype(int).tolist() for x in per_replica])

    print(json.dumps({
        "losses": [mirrored.history_["loss"], alone.history_["loss"]],
        "val_losses": [mirrored.history_["val_loss"], alone.history_["val_loss"]],
        "shares": shares,
        "iterator": type(batches._iterators[0]._iterator).__name__,
        # Keras' own split of a dataset, on the same strategy object afterwards.
        "keras_split": [[t.numpy().tolist() for t in strategy.experimental_local_results(batch)]
                        for batch in strategy.experimental_distribute_dataset(tf.data.Dataset.range(8).batch(4))],
    }))
    """
)


def test_sktcn_splits_its_batches_between_two_replicas_as_one_device_reads_them():
    # sktcn._distribute.replica_batches: arrays under a MirroredStrategy bypass
    # TensorFlow's MultiDeviceIterator, whose deletion can crash the process.
    result = run_in_own_process(_SPLIT_BY_SKTCN_ON_TWO_CPUS, SKTCN_TF_THREADS="1")
    # Each replica's half of the same batches: the fit trains as on one device.
    for mirrored, alone in (result["losses"], result["val_losses"]):
        np.testing.assert_allclose(mirrored, alone, rtol=2e-3)
    # Unseeded, the replicas' copies of the pipeline still shuffle alike: each
    # step's two halves are disjoint, and every pass reads each series once.
    shares = result["shares"]
    assert all(len(first) == len(second) == 4 for first, second in shares)
    for one_pass in (shares[:8], shares[8:]):
        assert sorted(n for step in one_pass for half in step for n in half) == list(range(64))
    assert shares[:8] != shares[8:]  # a new order each pass
    assert result["iterator"] == "OwnedIterator"  # not TensorFlow's MultiDeviceIterator
    assert result["keras_split"] == [[[0, 1], [2, 3]], [[4, 5], [6, 7]]]  # the strategy left as it was


_UNEVEN_BATCHES_ON_TWO_CPUS = _ON_TWO_CPUS + textwrap.dedent(
    """
    import keras
    import pandas as pd
    from sktcn import TCNClassifier, TCNForecaster, TCNRegressor

    strategy = STRATEGY()
    rng = np.random.RandomState(0)
    X = rng.normal(size=(35, 10, 1)).astype(np.float32)
    y = X[:, 0, 0] + X[:, -1, 0]
    tiny = dict(nb_filters=4, epochs=1, batch_size=32, random_state=0, distribution_strategy=strategy)

    class Uneven(keras.utils.PyDataset):
        def __len__(self):
            return 2

        def __getitem__(self, index):
            rows = slice(0, 17) if index == 0 else slice(17, 33)
            return X[rows], y[rows]

    def outcome(fit):
        try:
            fit()
            return "fitted"
        except Exception as error:
            # sktcn's refusals are ValueErrors (too few samples: a subclass of it).
            return f"{'ValueError' if isinstance(error, ValueError) else type(error).__name__}: {error}"

    print(json.dumps({
        # 33 series in batches of at most 32: 17 and 16, the first odd.
        "regressor": outcome(lambda: TCNRegressor(**tiny, validation_split=0).fit(X[:33], y[:33])),
        "ensemble": outcome(lambda: TCNRegressor(**tiny, n_networks=2, validation_split=0).fit(X[:33], y[:33])),
        "classifier": outcome(lambda: TCNClassifier(**tiny).fit(X[:33], y[:33] > 0)),
        # 7 series held out: Keras' own batches of them start with 7.
        "validation": outcome(lambda: TCNRegressor(**tiny, validation_split=0.2).fit(X, y)),
        "forecaster": outcome(lambda: TCNForecaster(**tiny, window_length=12).fit(
            pd.Series(np.sin(np.arange(80) / 4.0)), fh=[1, 2, 3])),
        # 5 series in batches of at most 2: 2 and 3, none leaving a replica empty (2, 2, 1 failed).
        "small batches": outcome(lambda: TCNRegressor(**dict(tiny, batch_size=2), validation_split=0).fit(
            X[:5], y[:5])),
        "streamed": outcome(lambda: TCNRegressor(**tiny, shuffle=False, validation_split=0).fit(Uneven())),
        # 3 series cannot be split into batches that each replica shares: refused, naming the replicas.
        "three series": outcome(lambda: TCNRegressor(**tiny, validation_split=0).fit(X[:3], y[:3])),
        # Crops of in-memory series in batches of 5: the message names subsequence_length, not a stream.
        "crops": outcome(lambda: TCNRegressor(**dict(tiny, batch_size=5), return_sequences=True,
                                              subsequence_length=10).fit(
            np.repeat(X[:8], 3, axis=1), np.cumsum(np.repeat(X[:8], 3, axis=1), axis=1)[..., 0])),
    }))
    """
)


def test_uneven_batches_under_a_two_replica_strategy():
    # Keras builds a distributed model from the fit's first batch averaged over
    # the replicas, which needs an even split; sktcn's own batches start with one.
    result = run_in_own_process(_UNEVEN_BATCHES_ON_TWO_CPUS, SKTCN_TF_THREADS="1")
    streamed, three, crops = result.pop("streamed"), result.pop("three series"), result.pop("crops")
    assert result == dict.fromkeys(result, "fitted")
    # The user's own batches: a clear error, not TensorFlow's AddN.
    assert streamed.startswith("ValueError") and "multiple of 2" in streamed, streamed
    assert three.startswith("ValueError") and "2 replicas" in three, three
    assert crops.startswith("ValueError") and "subsequence_length=10" in crops and "streamed" not in crops, crops


_TOO_FEW_SAMPLES_ON_TWO_CPUS = _ON_TWO_CPUS + textwrap.dedent(
    """
    import pandas as pd
    from sktcn import TCNForecaster, TCNRegressor

    strategy = STRATEGY()
    rng = np.random.RandomState(0)
    X = rng.normal(size=(9, 6, 1)).astype(np.float32)
    y = X[:, -1, 0]
    tiny = dict(nb_filters=4, kernel_size=2, dilations=(1,), epochs=2, batch_size=4, random_state=0,
                distribution_strategy=strategy)

    def error(fit):
        try:
            fit()
            return "fitted"
        except ValueError as caught:
            return str(caught)

    print(json.dumps({
        # 9 series: 6 to train on, 3 held out.
        "held out": error(lambda: TCNRegressor(**tiny, validation_split=0.3, early_stopping=True).fit(X, y)),
        # 5 series: 2 held out, 3 to train on.
        "kept": error(lambda: TCNRegressor(**tiny, validation_split=0.4).fit(X[:5], y[:5])),
        "partial_fit": error(lambda: TCNRegressor(**tiny).partial_fit(X[:3], y[:3])),
        # 29 windows of which the calibration's first network keeps every 8th of 22: 3, too few to share.
        "spaced windows": error(lambda: TCNForecaster(**dict(tiny, batch_size=32), n_networks=1, window_length=30,
                                                      max_windows_per_series=3).fit(
            pd.Series(np.sin(np.arange(60) / 3.0)), fh=[1, 2])),
    }))
    """
)


def test_too_few_samples_for_two_replicas_are_named_with_the_remedy_that_applies():
    # The error names the samples the replicas cannot share (the held-out ones,
    # those left to train on) and asks only for what would help.
    result = run_in_own_process(_TOO_FEW_SAMPLES_ON_TWO_CPUS, SKTCN_TF_THREADS="1")
    assert "the 3 samples that validation_split=0.3 holds out cannot make batches" in result["held out"], result
    assert "the 3 samples that validation_split=0.4 leaves to train on cannot make batches" in result["kept"], result
    assert "but 3 samples cannot make batches" in result["partial_fit"], result
    spaced = result.pop("spaced windows")
    assert "3 samples cannot make batches" in spaced and "These are the 3 of 22 training windows that " \
        "max_windows_per_series=3 kept: raise it, or set it to None" in spaced, spaced
    for message in result.values():
        assert "exactly 2 or at least 4 samples would do, or fewer replicas." in message, message
        assert "batch_size" not in message, message  # batch_size=4 already gives each replica one


def test_strategy_names_and_objects(small_regression):
    X, y = small_regression
    reg = TCNRegressor(**TINY, distribution_strategy="default", random_state=0).fit(X, y)
    plain = TCNRegressor(**TINY, random_state=0).fit(X, y)
    np.testing.assert_allclose(reg.predict(X), plain.predict(X), rtol=1e-5)
    with pytest.raises(ValueError, match="distribution_strategy"):
        TCNRegressor(**TINY, distribution_strategy="everywhere").fit(X, y)
    strategy = tf.distribute.MirroredStrategy(["/cpu:0"])
    assert isinstance(clone(TCNRegressor(distribution_strategy=strategy)).distribution_strategy,
                      tf.distribute.MirroredStrategy)
    assert picklable_strategy(strategy) == "mirrored"
    assert picklable_strategy(tf.distribute.get_strategy()) == "default"


_SIDE_BY_SIDE_MIRRORED = """
import json
import numpy as np
from sktcn import TCNRegressor
from sktcn._distribute import resolve_strategy

rng = np.random.RandomState(0)
X = rng.normal(size=(40, 10, 1)).astype(np.float32)
y = X[:, 0, 0] + X[:, -1, 0]
reg = TCNRegressor(**{tiny}, distribution_strategy="mirrored", use_layer_norm=True, n_networks=2,
                   random_state=0).fit(X, y)
print(json.dumps({{"members": len(reg.predict_members(X)), "finite": bool(np.isfinite(reg.predict(X)).all()),
                  "one_strategy": resolve_strategy("mirrored") is resolve_strategy("mirrored")}}))
"""


def test_mirrored_side_by_side_ensembles_train():
    # Layer norm keeps the members side by side (not fused): their joint model and
    # its optimizer are built apart from the members, under the same strategy.
    # In a process of its own (run_in_own_process: MirroredStrategy fits).
    result = run_in_own_process(_SIDE_BY_SIDE_MIRRORED.format(tiny=repr(TINY)))
    assert result == {"members": 2, "finite": True, "one_strategy": True}


# ------------------------------------------------------------- mixed precision
def test_mixed_precision_float16_body_float32_head(series_3d):
    X, labels = series_3d
    clf = TCNClassifier(**TINY, mixed_precision=True, random_state=0).fit(X, labels)
    tcn = clf.model_.get_layer("tcn")
    convolution = tcn.residual_blocks[0].layers[0]
    assert convolution.compute_dtype == "float16" and convolution.kernel.dtype == "float32"
    assert clf.model_.output.dtype == "float32"
    assert isinstance(clf.model_.optimizer, keras.optimizers.LossScaleOptimizer)
    proba = clf.predict_proba(X)
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
    # Only this model was mixed: the global policy and later models are untouched.
    assert keras.config.dtype_policy().name == "float32"
    plain = TCNClassifier(**TINY).fit(X, labels)
    assert plain.model_.get_layer("tcn").residual_blocks[0].layers[0].compute_dtype == "float32"
    loaded = pickle.loads(pickle.dumps(clf))
    assert loaded.model_.get_layer("tcn").residual_blocks[0].layers[0].compute_dtype == "float16"
    np.testing.assert_allclose(loaded.predict_proba(X), proba, rtol=1e-6)


@pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16"])
def test_keras_global_mixed_policy_keeps_input_scaling_and_head_float32(policy, rng):
    # Under Keras' global mixed policy every layer was mixed, the input scaling
    # included: raw inputs above float16's 65504 were infinite before they were
    # standardised ("Training diverged"), and probabilities came out as float16.
    X = (1e5 + 3e3 * rng.normal(size=(32, 10, 1))).astype(np.float32)
    labels = X[:, -1, 0] > X[:, 0, 0]
    params = dict(TINY, epochs=1, random_state=0)
    with global_policy(policy):
        clf = TCNClassifier(**params).fit(X, labels)
        proba = clf.predict_proba(X)
        ensemble = TCNClassifier(**params, n_networks=2).fit(X, labels)
    assert clf.model_.get_layer("tcn").dtype_policy.name == policy
    for name in ("input_scaling", "pooling", "head", "probabilities"):
        assert clf.model_.get_layer(name).compute_dtype == "float32", name
    assert clf.model_.output.dtype == "float32" and np.isfinite(proba).all()
    assert ensemble.model_.get_layer("average").compute_dtype == "float32"
    assert np.isfinite(ensemble.predict_proba(X)).all()
    if policy == "mixed_float16":
        # As mixed_precision=True builds it, with its loss scaling.
        assert isinstance(clf.model_.optimizer, keras.optimizers.LossScaleOptimizer)
        own = TCNClassifier(**params, mixed_precision=True).fit(X, labels)
        np.testing.assert_array_equal(proba, own.predict_proba(X))


# ---------------------------------------------------------------------- memory
def _live(kind):
    # type(), not isinstance(): isinstance asks a weakref proxy for its referent's
    # class, which raises ReferenceError once the referent is gone.
    return sum(issubclass(type(o), kind) for o in gc.get_objects())


def test_repeated_fits_do_not_accumulate_keras_state(small_regression):
    X, y = small_regression
    state = keras.src.backend.common.global_state.GLOBAL_STATE_TRACKER.__dict__

    def footprint():
        gc.collect()
        sizes = {key: len(value) for key, value in state.items() if hasattr(value, "__len__")}
        return _live(keras.Model), _live(TCNRegressor), _live(FuncGraph), sizes

    TCNRegressor(**TINY).fit(X, y).predict(X)  # first fit: one-time imports and caches
    before = footprint()
    for _ in range(4):
        TCNRegressor(**TINY).fit(X, y).predict(X)
    after = footprint()
    # Models, estimators, their traced TensorFlow graphs and Keras' global
    # bookkeeping (name counters, scopes) are released with the estimator;
    # nothing grows with the number of fits. (The graphs once stayed alive,
    # ~50 per fit: TensorFlow's gradient registry kept the all-reduce gradient
    # of every traced training step, see sktcn._distribute.)
    assert after == before


def test_fits_leave_no_all_reduce_gradient_registered(small_regression):
    from tensorflow.python.framework import ops

    X, y = small_regression
    registry = ops._gradient_registry._registry
    TCNRegressor(**TINY).fit(X, y)
    before = set(registry)
    reg = TCNRegressor(**TINY, warm_start=True).fit(X, y)
    reg.fit(X, y)  # a warm start retraces nothing but must not leak either
    TCNClassifier(**TINY).fit(X, y > 0)
    assert set(registry) - before == set()
    # Only the all-reduce entries are removed: a custom gradient of the
    # user's own stays registered and usable.

    @tf.custom_gradient
    def doubled_gradient(x):
        return tf.identity(x), lambda dy: 2 * dy

    @tf.function
    def gradient(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            value = doubled_gradient(x)
        return tape.gradient(value, x)

    gradient(tf.constant(1.0))  # traced: registers one custom gradient
    TCNRegressor(**TINY).fit(X, y)
    assert gradient(tf.constant(1.0)).numpy() == 2.0
    assert len(set(registry) - before) == 1


def test_streamed_fits_release_their_pipeline_and_model(small_regression, tmp_path):
    # Keras feeds a PyDataset through tf.data's from_generator, and sktcn encodes
    # a tf.data.Dataset's batches with a tf.numpy_function: TensorFlow keeps the
    # Python functions of both on the global graph for good (tensorflow#57690).
    # Every streamed fit, and every lazy-window forecaster fit, once kept its
    # model and data alive, about 13 MiB each; a tf.data fit, its estimator too.
    import weakref

    from sktime.datasets import load_airline

    from sktcn import TCNForecaster

    X, y = small_regression
    path = tmp_path / "X.npy"
    np.save(path, X)
    mapped = np.load(path, mmap_mode="r")  # streamed through a PyDataset of rows
    graph = tf.compat.v1.get_default_graph()
    airline = load_airline()

    def fits():
        TCNRegressor(**TINY).fit(mapped, y)
        TCNForecaster(nb_filters=2, epochs=1, n_networks=1, calibration_size=0.0, lazy_windows=True).fit(
            airline, fh=[1, 2]
        )

    def footprint():
        gc.collect()
        return _live(keras.Model), len(getattr(graph, "_py_funcs_used_in_graph", []))

    # Pipelines of the user's own, made before the fits, must survive them, also
    # one the fits train on (from_generator registers its functions there too).
    own = tf.data.Dataset.from_generator(lambda: iter(range(3)), output_signature=tf.TensorSpec((), tf.int64))
    batches = tf.data.Dataset.from_generator(
        lambda: iter([(X[:24], y[:24]), (X[24:], y[24:])]),
        output_signature=(tf.TensorSpec((None, X.shape[1]), tf.float32), tf.TensorSpec((None,), tf.float32)),
    ).apply(tf.data.experimental.assert_cardinality(2))
    fits()
    before = footprint()
    for _ in range(3):
        fits()
    assert footprint() == before
    assert [int(v) for v in own] == [0, 1, 2]
    # A fit on a tf.data.Dataset, and one that fails inside Keras' fit (NaN in
    # its last batch), free their estimator and model.
    regressor = TCNRegressor(**TINY).fit(batches)
    bad = X.copy()
    bad[-1, 0] = np.nan
    failed = TCNRegressor(**TINY)
    with pytest.raises(ValueError, match="NaN"):
        failed.fit(tf.data.Dataset.from_tensor_slices((bad, y)).batch(24))
    released = weakref.ref(regressor), weakref.ref(regressor.model_), weakref.ref(failed)
    del regressor, failed
    assert footprint() == before
    assert [ref() for ref in released] == [None, None, None]
    assert [len(x) for x, _ in batches] == [24, 24]


def test_seeded_fit_ignores_other_threads_drawing_from_random(small_regression):
    # A Dask worker's event loop draws from Python's global ``random`` while a
    # task fits; the seeded weights must not depend on it.
    import random
    import threading
    import time

    X, y = small_regression
    expected = TCNRegressor(**TINY, random_state=0).fit(X, y).predict(X)
    stop = threading.Event()

    def draw():
        while not stop.is_set():
            random.random()
            time.sleep(1e-4)  # let the fit run too

    thread = threading.Thread(target=draw, daemon=True)
    thread.start()
    try:
        busy = TCNRegressor(**TINY, random_state=0).fit(X, y).predict(X)
    finally:
        stop.set()
        thread.join()
    np.testing.assert_array_equal(busy, expected)


def test_a_seeded_fit_leaves_other_threads_draws_from_the_global_generators_alone(small_regression):
    # Unseeded scikit-learn code draws from NumPy's global generator. A seeded
    # fit in another thread once reseeded it (and Python's) with its seed, then
    # rewound it: the other thread drew seed 0's numbers, then its own again.
    import random
    import threading
    import time

    X, y = small_regression
    stop = threading.Event()
    draws = []

    def draw():
        while not stop.is_set():
            draws.append((np.random.random_sample(), random.random()))
            time.sleep(1e-4)  # let the fit run too

    thread = threading.Thread(target=draw, daemon=True)
    thread.start()
    try:
        TCNRegressor(**TINY, random_state=0).fit(X, y)
    finally:
        stop.set()
        thread.join()
    numpy_draws, python_draws = (np.array(column) for column in zip(*draws))
    seed_0 = random.Random(0)
    assert len(draws) > 10
    assert len(np.unique(numpy_draws)) == len(np.unique(python_draws)) == len(draws)  # nothing drawn twice
    assert not np.isin(numpy_draws, np.random.RandomState(0).random_sample(10**5)).any()
    assert not np.isin(python_draws, [seed_0.random() for _ in range(10**5)]).any()


def _in_threads_at_once(tasks):
    """The results of ``tasks`` (callables), each run in its own thread, all started together."""
    import threading

    start = threading.Barrier(len(tasks))
    results = [None] * len(tasks)

    def run(position):
        start.wait()
        results[position] = tasks[position]()

    threads = [threading.Thread(target=run, args=(position,)) for position in range(len(tasks))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_threads_predicting_with_one_fresh_estimator_get_the_sequential_predictions(small_regression):
    # Servers and joblib's threading backend (permutation_importance) share one
    # fitted estimator between threads. keras-tcn's layers keep working lists
    # while called eagerly, so eager calls at once added up each other's skip
    # connections, and a first trace made during another thread's eager call
    # kept that thread's tensors in the graph: wrong predictions from then on.
    X, y = small_regression
    Xa, Xb = X[:24], 3 * X[24:]
    params = dict(TINY, n_networks=2, dilations=(1, 2, 4, 8), random_state=0)
    reference = TCNRegressor(**params).fit(X, y)
    blob = pickle.dumps(reference)
    expected = [reference.predict(Xa), reference.predict(Xb), reference.predict_members(Xa)]
    # Fresh (eager, untraced) forward passes: a new fit's and unpickled copies'.
    for estimator in [TCNRegressor(**params).fit(X, y), pickle.loads(blob)]:
        calls = [lambda: estimator.predict(Xa), lambda: estimator.predict(Xb), lambda: estimator.predict_members(Xa)]
        got = _in_threads_at_once(calls * 2)
        for result, want in zip(got, expected * 2):
            np.testing.assert_allclose(np.asarray(result), np.asarray(want), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(estimator.predict(Xa), expected[0], rtol=1e-5, atol=1e-6)
        assert estimator.predict(X[:7]).shape == (7,)


# joblib's threading backend, sktime's backend="threading" and Dask workers with
# several task threads fit estimators side by side in one process. The seeding
# that random_state does is process-wide state (TensorFlow's generators, Keras'
# seed module, the global seed a tf.data shuffle reads when it is made; Python's
# and NumPy's generators in a streamed fit), so each seeded fit must give what it
# gives alone.
@pytest.mark.parametrize("n_networks", [1, 3])
def test_seeded_fits_in_threads_of_one_process_match_fits_one_after_another(small_regression, n_networks):
    X, y = small_regression
    estimators = [TCNRegressor(**TINY, n_networks=n_networks, random_state=seed) for seed in range(4)]
    alone = [clone(estimator).fit(X, y).predict(X) for estimator in estimators]
    side_by_side = _in_threads_at_once([lambda e=estimator: e.fit(X, y).predict(X) for estimator in estimators])
    for expected, got in zip(alone, side_by_side):
        np.testing.assert_array_equal(got, expected)


def test_seeded_forecasters_in_threads_match_forecasters_one_after_another():
    y = load_airline()[:72]
    forecasters = [TCNForecaster(**dict(TINY_FORECASTER, random_state=seed)) for seed in range(3)]
    alone = [clone(forecaster).fit(y, fh=[1, 2, 3]).predict() for forecaster in forecasters]
    side_by_side = _in_threads_at_once(
        [lambda f=forecaster: f.fit(y, fh=[1, 2, 3]).predict() for forecaster in forecasters])
    for expected, got in zip(alone, side_by_side):
        np.testing.assert_array_equal(got.to_numpy(), expected.to_numpy())


def test_a_load_in_a_streamed_fits_worker_thread_does_not_wait_for_the_fit(small_regression, tmp_path):
    # A PyDataset may load a saved model in __getitem__ (a pretrained feature
    # model, one per worker thread). Loads once took the lock every fit holds,
    # and waited for the fit, which waited for the batch: the fit hung.
    import threading

    X, y = small_regression
    X = X[..., None]
    path = TCNRegressor(**TINY, random_state=0).fit(X, y).save(tmp_path / "model")
    loaded = []

    class Batches(keras.utils.PyDataset):
        def __init__(self):
            super().__init__(workers=2, use_multiprocessing=False)

        def __len__(self):
            return 3

        def __getitem__(self, index):
            loaded.append(sktcn.load(path))
            rows = slice(16 * index, 16 * (index + 1))
            return X[rows], y[rows]

    fitted = []
    fit = threading.Thread(target=lambda: fitted.append(TCNRegressor(**TINY, random_state=0).fit(Batches())),
                           daemon=True)
    fit.start()
    fit.join(timeout=60)
    assert not fit.is_alive(), "the streamed fit waits for the loads in its worker threads"
    assert fitted and loaded
    np.testing.assert_array_equal(loaded[0].predict(X), loaded[-1].predict(X))


def test_a_seeded_fit_ignores_loads_in_other_threads(small_regression, tmp_path):
    # Loads take no lock: Keras must draw the loaded layers' seeds in the
    # loading thread, not from the seeded fit's private generator.
    import pickle
    import threading

    X, y = small_regression
    reg = TCNRegressor(**TINY, random_state=0).fit(X, y)
    expected = reg.predict(X)
    blob = pickle.dumps(TCNRegressor(**TINY, dropout_rate=0.1, random_state=1).fit(X, y))
    stop = threading.Event()

    def load():
        while not stop.is_set():
            pickle.loads(blob)

    thread = threading.Thread(target=load, daemon=True)
    thread.start()
    try:
        busy = [TCNRegressor(**TINY, random_state=0).fit(X, y).predict(X) for _ in range(2)]
    finally:
        stop.set()
        thread.join()
    for got in busy:
        np.testing.assert_array_equal(got, expected)


class _NumpyDrawingInitializer(keras.initializers.Initializer):
    """A user's initializer that draws from NumPy's global generator."""

    def __call__(self, shape, dtype=None):
        return keras.ops.convert_to_tensor(np.random.normal(scale=0.3, size=shape).astype("float32"))

    def get_config(self):
        return {}


def test_a_seeded_fit_with_the_users_own_initializer_repeats(small_regression):
    # Parameters holding the user's code seed NumPy's and Python's generators
    # as random_state always did; after the change above they went unseeded.
    X, y = small_regression
    predictions = []
    for perturb in (1, 2):
        np.random.seed(perturb)
        reg = TCNRegressor(**TINY, random_state=0, kernel_initializer=_NumpyDrawingInitializer())
        predictions.append(reg.fit(X, y).predict(X))
    np.testing.assert_array_equal(*predictions)
    assert reg._holds_user_code() and not TCNRegressor(kernel_initializer="he_normal")._holds_user_code()


_CRASHES_ON_FIRST_RUN = """
import ctypes, json, os
marker = os.environ["MARKER"]
if not os.path.exists(marker):
    open(marker, "w").close()
    ctypes.string_at(0)  # a segmentation fault, as TensorFlow's
print(json.dumps("second run"))
"""


def test_a_script_killed_by_sigsegv_runs_once_more_and_twice_fails(tmp_path):
    # run_in_own_process's answer to TensorFlow's rare crash under MirroredStrategy.
    with pytest.warns(UserWarning, match="SIGSEGV"):
        assert run_in_own_process(_CRASHES_ON_FIRST_RUN, MARKER=str(tmp_path / "ran")) == "second run"
    with pytest.warns(UserWarning, match="SIGSEGV"), pytest.raises(AssertionError, match="Segmentation fault"):
        run_in_own_process("import ctypes; ctypes.string_at(0)")
