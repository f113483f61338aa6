"""Inputs, targets and the fitted state of TCNClassifier and TCNRegressor."""

import copy
import pickle
import random
import warnings

import keras
import numpy as np
import pandas as pd
import pytest
from conftest import TINY
from sklearn.base import clone

from sktcn import TCNClassifier, TCNRegressor, _compat, receptive_field
from sktcn.datasets import make_adding_problem, make_copy_memory


def test_regressor_on_2d_univariate_series(series_2d):
    X, y = series_2d
    reg = TCNRegressor(**TINY).fit(X, y)
    pred = reg.predict(X)
    assert pred.shape == (len(X),) and pred.dtype == np.float64
    assert reg.n_features_in_ == 12 and reg.n_timesteps_in_ == 12
    assert reg.dilations_ == (1, 2) and reg.receptive_field_ == receptive_field(3, (1, 2)) >= 12
    assert list(reg.history_) == ["loss"] and len(reg.history_["loss"]) == TINY["epochs"]


def test_classifier_on_3d_series_with_string_labels(series_3d):
    X, y = series_3d
    clf = TCNClassifier(**TINY).fit(X, y)
    assert list(clf.classes_) == ["neg", "pos"] and clf.n_classes_ == 2
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    pred = clf.predict(X)
    assert set(pred) <= {"neg", "pos"}
    np.testing.assert_array_equal(pred, clf.classes_[proba.argmax(axis=1)])
    assert clf.n_features_in_ == 3 and clf.n_timesteps_in_ is None


def test_predict_log_proba_is_the_log_of_predict_proba_in_its_shapes(series_3d):
    # scikit-learn's probabilistic classifiers offer it (BaggingClassifier and others call it when present).
    X, y = series_3d
    clf = TCNClassifier(**TINY, random_state=0).fit(X, y)
    np.testing.assert_allclose(clf.predict_log_proba(X), np.log(clf.predict_proba(X)))
    two_labels = np.column_stack([y, np.where(X[:, 0, 1] > 0, "up", "down")])
    multi = TCNClassifier(**TINY, random_state=0).fit(X, two_labels)
    logs, probas = multi.predict_log_proba(X), multi.predict_proba(X)
    assert isinstance(logs, list) and len(logs) == 2
    for log, proba in zip(logs, probas):
        np.testing.assert_allclose(log, np.log(proba))


def test_3d_fit_predicts_series_of_other_lengths(series_3d):
    X, y = series_3d
    clf = TCNClassifier(**TINY).fit(X, y)
    assert clf.predict(np.concatenate([X, X], axis=1)).shape == (len(X),)


def test_dataframe_input_records_feature_names(series_2d):
    X, y = series_2d
    frame = pd.DataFrame(X, columns=[f"t{i}" for i in range(X.shape[1])])
    reg = TCNRegressor(**TINY, random_state=0).fit(frame, y)
    np.testing.assert_array_equal(reg.feature_names_in_, frame.columns)
    np.testing.assert_allclose(reg.predict(frame), TCNRegressor(**TINY, random_state=0).fit(X, y).predict(X))


def test_ragged_list_is_pre_padded(rng):
    series = [rng.normal(size=(n, 2)) for n in (5, 9, 7, 12)]
    reg = TCNRegressor(**TINY, random_state=0).fit(series, [1.0, 2.0, 3.0, 4.0])
    assert reg.n_features_in_ == 2 and reg.dilations_ == (1, 2)
    # Pre-padding: a series predicts the same alone as padded in front with zeros.
    alone = reg.predict(np.asarray(series[1])[None])
    padded = reg.predict(np.concatenate([np.zeros((3, 2)), series[1]])[None])
    assert reg.predict(series).shape == (4,)
    assert np.isfinite(alone).all() and np.isfinite(padded).all()
    mixed = reg.predict([series[1], series[3]])
    np.testing.assert_allclose(mixed[0], padded[0], rtol=1e-5)


def test_multi_output_regression(series_2d):
    X, y = series_2d
    Y = np.column_stack([y, -y, 2 * y])
    reg = TCNRegressor(**TINY).fit(X, Y)
    assert reg.predict(X).shape == (len(X), 3)
    assert np.isfinite(reg.score(X, Y))


def test_targets_are_standardised_for_training_and_restored(series_2d):
    X, y = series_2d
    shifted = TCNRegressor(**TINY, random_state=0).fit(X, 1000 + 50 * y).predict(X)
    plain = TCNRegressor(**TINY, random_state=0).fit(X, y).predict(X)
    np.testing.assert_allclose(shifted, 1000 + 50 * plain, rtol=1e-4)


def test_targets_far_from_zero_keep_their_spread(series_2d):
    # float32 would turn 1e9 + y into a handful of values (its step there is 64).
    X, y = series_2d
    y = y.astype(np.float64)
    far = TCNRegressor(**TINY, random_state=0).fit(X, 1e9 + y)
    plain = TCNRegressor(**TINY, random_state=0).fit(X, y).predict(X)
    assert np.isclose(far.target_encoder_.scale_, y.std())
    np.testing.assert_allclose(far.predict(X) - 1e9, plain, atol=1e-3)
    constant = TCNRegressor(**TINY, random_state=0).fit(X, np.full(len(X), 1e9 + 7))
    np.testing.assert_array_equal(constant.predict(X[:3]), 1e9 + 7)


def test_targets_too_small_to_square_keep_their_spread(series_2d):
    # Below about 1e-162 the squares of y underflow float64: its standard deviation came out 0, the
    # scale fell back to 1, the standardised targets rounded to 0 and every prediction was the mean,
    # which r2_score's underflowing sums scored 1.0.
    X, y = series_2d
    y = y.astype(np.float64)
    plain = TCNRegressor(**TINY, random_state=0).fit(X, y)
    tiny = TCNRegressor(**TINY, random_state=0).fit(X, y * 1e-200)
    assert np.isclose(tiny.target_encoder_.scale_, y.std() * 1e-200)
    np.testing.assert_allclose(tiny.predict(X) * 1e200, plain.predict(X), atol=1e-3)
    score = tiny.score(X, y * 1e-200)
    assert score == pytest.approx(plain.score(X, y), abs=1e-3) and score < 0.99
    constant = TCNRegressor(**TINY, random_state=0).fit(X, np.full(len(X), 3e-200))
    assert constant.target_encoder_.scale_ == 1.0
    np.testing.assert_array_equal(constant.predict(X[:3]), 3e-200)


def test_score_reads_a_frame_of_nullable_columns_as_fit_does(series_2d):
    # np.asarray made a frame of Float64 columns an object array, which skipped score's rescaling of
    # tiny targets: r2_score's sums underflowed, and it scored 1.0 whatever the predictions.
    X, y = series_2d
    targets = np.c_[y, X[:, 0]].astype(np.float64) * 1e-200
    frame = pd.DataFrame(targets, columns=["a", "b"]).astype("Float64")
    reg = TCNRegressor(**TINY, random_state=0).fit(X, frame)
    score = reg.score(X, frame)
    assert score == pytest.approx(reg.score(X, targets), rel=1e-9) and score < 0.99


def test_initialized_estimators_predict(series_2d, series_3d):
    # scikeras' public initialize() promises "initialize(...).predict(...)".
    X, y = series_2d
    assert TCNRegressor(**TINY, random_state=0).initialize(X, y).predict(X).shape == (len(X),)
    X, labels = series_3d
    assert set(TCNClassifier(**TINY, random_state=0).initialize(X, labels).predict(X)) <= {"neg", "pos"}


def test_per_time_step_regression(series_3d):
    X, _ = series_3d
    reg = TCNRegressor(**TINY, return_sequences=True).fit(X, X[:, :, :2])
    assert reg.predict(X).shape == (len(X), 10, 2)
    reg = TCNRegressor(**TINY, return_sequences=True).fit(X, X[:, :, 0])
    assert reg.predict(X).shape == (len(X), 10)


def test_copy_memory_task_through_the_classifier():
    # keras-tcn's copy-memory task, scaled down to run fast: 4 digits, 6 blanks.
    digits = 4
    X, y = make_copy_memory(n_samples=200, n_blanks=6, n_digits=digits, random_state=0)
    n, length = y.shape
    clf = TCNClassifier(nb_filters=16, return_sequences=True, epochs=30, random_state=0).fit(X, y)
    assert clf.receptive_field_ >= length
    proba = clf.predict_proba(X)
    assert proba.shape == (n, length, len(clf.classes_))
    pred = clf.predict(X)
    assert pred.shape == (n, length)
    # The blanks are trivially right; the copied digits must beat chance (1/8)
    # clearly. (30 epochs on 200 series: 0.249 with the default input scaling,
    # 0.259 without; the network is far from done, so the bound leaves room.)
    copied = (pred[:, -digits:] == y[:, -digits:]).mean()
    assert copied > 0.2, copied


def test_receptive_field_warning_when_too_short(series_2d):
    X, y = series_2d
    with pytest.warns(UserWarning, match=r"receptive field \(5 steps\) is shorter .* \(12 steps\)") as caught:
        reg = TCNRegressor(**TINY, dilations=(1,)).fit(X, y)
    assert reg.receptive_field_ == 5
    # It points at the line that called fit, not at sktcn's internals.
    assert {w.filename for w in caught if "receptive field" in str(w.message)} == {__file__}
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        TCNRegressor(**TINY, dilations=(1, 2, 4)).fit(X, y)


@pytest.mark.parametrize("params", [dict(), dict(dilations=(1, 64), nb_stacks=2)])
def test_the_receptive_field_warning_of_kernel_size_one_advises_a_larger_kernel(series_2d, params):
    # A kernel of one step sees one step at any dilation: the usual advice (dilations, stacks) cannot help.
    X, y = series_2d
    advice = r"field \(1 step\) .* neither dilations nor nb_stacks .* kernel_size of 2"
    with pytest.warns(UserWarning, match=advice) as caught:
        reg = TCNRegressor(**TINY, kernel_size=1, **params).fit(X, y)
    assert reg.receptive_field_ == 1
    assert not any("dilations=None" in str(w.message) for w in caught)


def test_crops_are_what_the_receptive_field_must_cover(series_2d):
    X, _ = series_2d
    crops = dict(TINY, return_sequences=True, subsequence_length=4)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        TCNRegressor(**crops).fit(X, X)  # dilations=None covers the 4-step crops
    with pytest.warns(UserWarning, match=r"receptive field \(3 steps\) is shorter than the subsequence_length"):
        TCNRegressor(**crops, kernel_size=2, dilations=(1,)).fit(X, X)


def test_same_random_state_gives_identical_predictions(series_3d):
    X, y = series_3d
    params = dict(TINY, dropout_rate=0.1, validation_split=0.2, random_state=7)
    first = TCNClassifier(**params).fit(X, y).predict_proba(X)
    second = TCNClassifier(**params).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(first, second)
    other = TCNClassifier(**dict(params, random_state=8)).fit(X, y).predict_proba(X)
    assert not np.array_equal(first, other)


def test_ensembles_accept_every_random_state_up_to_two_to_the_32(series_2d):
    # Member k is seeded random_state + k, which passed NumPy's limit of 2**32 - 1.
    from sktcn._random import member_seeds

    X, y = series_2d
    reg = TCNRegressor(**TINY, n_networks=2, random_state=2**32 - 1).fit(X, y)
    assert np.isfinite(reg.predict(X)).all()
    assert member_seeds(2**32 - 1, 2) == [2**32 - 1, 0]
    assert member_seeds(7, 3) == [7, 8, 9]  # seeds below the wrap are unchanged


def test_unseeded_fits_work_after_seeded_ones_and_global_state_is_restored(series_2d):
    X, y = series_2d
    np.random.seed(123)
    expected = np.random.rand()
    np.random.seed(123)
    TCNRegressor(**TINY, random_state=0, dropout_rate=0.2).fit(X, y)
    assert np.random.rand() == expected  # NumPy's global stream untouched
    from tensorflow.python.framework import config  # where scikeras switches it on

    assert not config.is_op_determinism_enabled()
    a = TCNRegressor(**TINY, dropout_rate=0.2).fit(X, y).predict(X)
    b = TCNRegressor(**TINY, dropout_rate=0.2).fit(X, y).predict(X)
    assert not np.array_equal(a, b)  # unseeded fits still draw fresh weights


def test_a_seeded_fit_leaves_the_users_global_seeds_where_they_were(series_2d):
    # A user's keras.utils.set_random_seed makes their own Keras and TensorFlow
    # draws reproducible; a seeded fit in between must neither unset that seed
    # nor move the streams on, and the seed must not change the fit.
    import tensorflow as tf

    X, y = series_2d

    def draws():
        return (keras.random.normal((3,)).numpy(), tf.random.uniform((3,)).numpy(), np.random.rand(), random.random())

    before = _compat.global_seed_state()
    try:
        keras.utils.set_random_seed(42)
        draws()
        expected = draws()
        keras.utils.set_random_seed(42)
        draws()
        with_seed = TCNRegressor(**TINY, random_state=0).fit(X, y).predict(X)
        got = draws()
        for a, b in zip(got, expected):
            np.testing.assert_array_equal(a, b)
        keras.utils.set_random_seed(7)
        np.testing.assert_array_equal(TCNRegressor(**TINY, random_state=0).fit(X, y).predict(X), with_seed)
    finally:
        # As it was, for the tests that follow in this process.
        _compat.restore_global_seed_state(before)


def test_pickle_round_trip_predicts_identically(series_3d):
    X, y = series_3d
    clf = TCNClassifier(**TINY, use_weight_norm=True).fit(X, y)
    copy = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(copy.predict_proba(X), clf.predict_proba(X))
    np.testing.assert_array_equal(copy.classes_, clf.classes_)


class ModelWatcher(keras.callbacks.Callback):
    """Records, at the start of each fit, whether Keras gave it the model it trains."""

    def __init__(self):
        super().__init__()
        self.given = []

    def on_train_begin(self, logs=None):
        self.given.append(self.model is not None)


@pytest.mark.parametrize("n_networks", [1, 2])
def test_a_fitted_estimator_with_callbacks_clones_copies_and_pickles(series_2d, n_networks):
    # Keras' callbacks keep the model they trained: for an ensemble the joint
    # training model, which Keras could not rebuild, so clone failed, and
    # pickles and deep copies did not load; for one network a second copy of it.
    X, y = series_2d
    reg = TCNRegressor(**TINY, random_state=0, n_networks=n_networks, warm_start=True,
                       callbacks=[ModelWatcher()]).fit(X, y)
    assert clone(reg).fit(X, y).callbacks[0].given == [True, True]
    for restored in (pickle.loads(pickle.dumps(reg)), copy.deepcopy(reg)):
        np.testing.assert_array_equal(restored.predict(X), reg.predict(X))
        assert restored.callbacks[0] is restored._fit_callbacks[0]  # still one callback: a warm fit keeps it
        restored.fit(X, y)
        assert restored.callbacks[0].given == [True, True] and restored.callbacks[0].model is None
    assert reg.callbacks[0].given == [True] and reg.callbacks[0].model is None  # the model for the fit only

    def fail(epoch, logs):
        raise RuntimeError("the user's callback failed")

    # A failed fit takes the model back too.
    callbacks = [ModelWatcher(), keras.callbacks.LambdaCallback(on_epoch_end=fail)]
    failing = reg.set_params(warm_start=False, callbacks=callbacks)
    with pytest.raises(RuntimeError, match="the user's callback failed"):
        failing.fit(X, y)
    assert failing.callbacks[0].given == [True] and failing.callbacks[0].model is None
    assert type(clone(failing)) is TCNRegressor


@pytest.mark.parametrize("form", ["nested list", "dict of lists", "dict", "CallbackList"])
def test_callbacks_in_every_form_scikeras_takes_are_detached_after_a_fit(series_2d, tmp_path, form):
    # Nested lists (scikeras' "lists of callbacks") made every fit fail after training (TypeError from
    # vars()); a CallbackList kept the joint training model in its callbacks, so clone and pickle failed.
    X, y = series_2d
    watcher, logger = ModelWatcher(), keras.callbacks.CSVLogger(str(tmp_path / "log.csv"))
    callbacks = {"nested list": [[watcher], [logger]], "dict of lists": {"watch": [watcher], "log": [logger]},
                 "dict": {"watch": watcher, "log": logger},
                 "CallbackList": keras.callbacks.CallbackList([watcher, logger])}[form]
    reg = TCNRegressor(**TINY, random_state=0, n_networks=2, callbacks=callbacks).fit(X, y)
    assert watcher.given == [True] and watcher.model is None and logger.csv_file is None
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(reg)).predict(X), reg.predict(X))
    np.testing.assert_array_equal(copy.deepcopy(reg).predict(X), reg.predict(X))
    clone(reg).fit(X, y)


def test_validation_split_and_early_stopping(series_2d):
    X, y = series_2d
    reg = TCNRegressor(**dict(TINY, epochs=40), validation_split=0.25, early_stopping=True, patience=0,
                       learning_rate=0.5, random_state=0).fit(X, y)
    assert set(reg.history_) == {"loss", "val_loss"}
    # patience=0 with a huge learning rate stops long before 40 epochs.
    assert len(reg.history_["val_loss"]) < 40


def test_class_weight_changes_the_fit(series_3d):
    X, y = series_3d
    plain = TCNClassifier(**TINY, random_state=0).fit(X, y).predict_proba(X)
    weighted = TCNClassifier(**TINY, random_state=0, class_weight={"pos": 10.0, "neg": 1.0}).fit(X, y)
    assert not np.allclose(weighted.predict_proba(X), plain)
    balanced = TCNClassifier(**TINY, random_state=0, class_weight="balanced").fit(X, y)
    assert balanced.predict_proba(X).shape == plain.shape


def test_sample_weight_of_ones_equals_no_weight(series_2d):
    X, y = series_2d
    a = TCNRegressor(**TINY, random_state=0).fit(X, y).predict(X)
    b = TCNRegressor(**TINY, random_state=0).fit(X, y, sample_weight=np.ones(len(y))).predict(X)
    np.testing.assert_array_equal(a, b)


def test_warm_start_and_partial_fit_continue_training(series_2d):
    X, y = series_2d
    reg = TCNRegressor(**TINY, warm_start=True).fit(X, y)
    model = reg.model_
    reg.fit(X, y)
    assert reg.model_ is model and len(reg.history_["loss"]) == 2 * TINY["epochs"]
    reg.partial_fit(X, y)
    assert len(reg.history_["loss"]) == 2 * TINY["epochs"] + 1


@pytest.mark.parametrize("change, named", [
    (dict(nb_filters=8), "nb_filters from 4 to 8"),
    (dict(dilations=(1, 2)), r"dilations from None to \(1, 2\)"),
    (dict(dropout_rate=0.5), "dropout_rate from 0.0 to 0.5"),
    (dict(optimizer="sgd"), "optimizer from 'adam' to 'sgd'"),
    (dict(optimizer__beta_1=0.5), "optimizer__beta_1 from None to 0.5"),
    (dict(metrics=["mae"]), r"metrics from None to \['mae'\]"),  # ignored too, as the others were
    (dict(loss="mae"), "loss from None to 'mae'"),  # scikeras' "loss=mae but model compiled with mse"
])
def test_a_warm_start_refuses_a_parameter_of_the_built_network_that_changed(series_2d, change, named):
    # They were ignored without a word: the warm start trained the network built with the old ones.
    X, y = series_2d
    reg = TCNRegressor(**TINY, random_state=0, warm_start=True).fit(X, y)
    model, before = reg.model_, reg.predict(X)
    reg.set_params(**change)
    for warm_fit in (reg.fit, reg.partial_fit):
        with pytest.raises(ValueError, match=rf"Changed since the network was built: {named}\. A warm start "
                                             r".* fit with warm_start=False to build a new network, or set it back"):
            warm_fit(X, y)
        assert reg.model_ is model
        np.testing.assert_array_equal(reg.predict(X), before)
    reg.set_params(warm_start=False).fit(X, y)  # a new network, built with them
    assert reg.model_ is not model


@pytest.mark.parametrize("epochs", [2, "auto"])
def test_a_learning_rate_set_between_warm_starts_applies_to_the_optimizer_kept(series_2d, epochs):
    # set_params(learning_rate=...) between warm fits (to fine-tune) was ignored: the optimizer kept its rate.
    X, y = series_2d
    reg = TCNRegressor(**dict(TINY, epochs=epochs), random_state=0, warm_start=True).fit(X, y)
    before = reg.predict(X)
    reg.set_params(learning_rate=1e-9).fit(X, y)
    assert np.isclose(float(reg.model_.optimizer.learning_rate), 1e-9, rtol=1e-6) or epochs == "auto"
    # Steps of 1e-9 (and a schedule below it) leave the network where it was.
    np.testing.assert_allclose(reg.predict(X), before, atol=1e-5)
    assert not np.allclose(TCNRegressor(**dict(TINY, epochs=epochs), random_state=0, warm_start=True)
                           .fit(X, y).fit(X, y).predict(X), before, atol=1e-5)


@pytest.mark.parametrize("n_networks", [1, 3])
def test_a_failed_warm_start_leaves_the_networks_as_they_were(series_2d, n_networks):
    X, y = series_2d
    diverging = (X * 1e37).astype(np.float32)  # finite, but the loss overflows

    def fitted():
        return TCNRegressor(**TINY, random_state=0, n_networks=n_networks, warm_start=True).fit(X, y)

    reg = fitted()
    before, history = reg.predict(X), dict(reg.history_)
    weights = [variable.numpy() for variable in reg.model_.weights]
    for failing in (reg.fit, reg.partial_fit):
        with pytest.raises(ValueError, match="diverged"):
            failing(diverging, y)
        for variable, value in zip(reg.model_.weights, weights, strict=True):
            np.testing.assert_array_equal(variable.numpy(), value)
        # The same weights; a retraced prediction may round its last bit otherwise.
        np.testing.assert_allclose(reg.predict(X), before, rtol=1e-6)
        assert dict(reg.history_) == history
    # The optimizer's state came back too: training goes on as if nothing had failed.
    np.testing.assert_allclose(reg.fit(X, y).predict(X), fitted().fit(X, y).predict(X), rtol=1e-5)


def test_a_failed_warm_start_puts_back_the_dropout_draws(series_2d):
    # Keras' dropout draws its masks from seed-generator variables that are not
    # weights: a failed warm start must put them back too, or the next warm fit
    # draws other masks than one that never failed.
    X, y = series_2d
    diverging = (X * 1e37).astype(np.float32)

    def fitted():
        return TCNRegressor(**TINY, random_state=0, dropout_rate=0.3, warm_start=True).fit(X, y)

    reg = fitted()
    with pytest.raises(ValueError, match="diverged"):
        reg.fit(diverging, y)
    np.testing.assert_allclose(reg.fit(X, y).predict(X), fitted().fit(X, y).predict(X), rtol=1e-5)


def test_learning_rate_and_routed_optimizer_parameters(series_2d):
    X, y = series_2d
    reg = TCNRegressor(**TINY, optimizer="sgd", learning_rate=0.05, optimizer__momentum=0.5).fit(X, y)
    assert isinstance(reg.model_.optimizer, keras.optimizers.SGD)
    assert np.isclose(float(reg.model_.optimizer.learning_rate), 0.05)
    assert np.isclose(float(reg.model_.optimizer.momentum), 0.5)
    assert reg.get_params()["optimizer__momentum"] == 0.5


def test_an_optimizer_instance_serves_every_fit_and_stays_the_users(series_2d):
    X, y = series_2d
    optimizer = keras.optimizers.Adam(0.5)
    reg = TCNRegressor(**TINY, optimizer=optimizer, learning_rate=0.01, random_state=0)
    first = reg.fit(X, y).predict(X)
    np.testing.assert_array_equal(reg.fit(X, y).predict(X), first)  # a refit builds new variables
    assert np.isclose(float(reg.model_.optimizer.learning_rate), 0.01)
    assert reg.model_.optimizer is not optimizer and not optimizer.built
    assert np.isclose(float(optimizer.learning_rate), 0.5)
    TCNRegressor(**TINY, optimizer=optimizer, n_networks=2, random_state=0).fit(X, y)


def test_instances_of_unregistered_optimizer_and_schedule_classes_are_copied(series_2d):
    X, y = series_2d

    class OwnAdam(keras.optimizers.Adam):
        pass

    class Constant(keras.optimizers.schedules.LearningRateSchedule):
        def __call__(self, step):
            return 0.01

        def get_config(self):
            return {}

    optimizer = OwnAdam(learning_rate=0.02, beta_1=0.8)
    reg = TCNRegressor(**TINY, optimizer=optimizer, random_state=0).fit(X, y)
    copied = reg.model_.optimizer
    assert type(copied) is OwnAdam and copied is not optimizer and not optimizer.built
    assert np.isclose(float(copied.learning_rate), 0.02) and np.isclose(float(copied.beta_1), 0.8)
    schedule = Constant()
    reg = TCNRegressor(**TINY, optimizer=keras.optimizers.Adam(learning_rate=schedule), random_state=0).fit(X, y)
    assert reg.model_.optimizer._learning_rate is schedule
    # Wrapped for loss scaling: the inner optimizer is copied the same way.
    scaled = keras.optimizers.LossScaleOptimizer(OwnAdam(learning_rate=schedule), initial_scale=8.0)
    reg = TCNRegressor(**TINY, optimizer=scaled, random_state=0).fit(X, y)
    copied = reg.model_.optimizer
    assert type(copied.inner_optimizer) is OwnAdam and copied.inner_optimizer._learning_rate is schedule
    assert copied is not scaled


@pytest.mark.parametrize(
    "params",
    [
        dict(padding="same", pooling="mean"),
        dict(use_batch_norm=True),
        dict(use_layer_norm=True),
        dict(go_backwards=True),
        dict(nb_stacks=2, kernel_size=2),
        dict(nb_filters=[4, 6], dilations=(1, 2), use_skip_connections=False),
        dict(activation="tanh", kernel_initializer="glorot_uniform"),
    ],
)
def test_tcn_options_are_passed_to_keras_tcn(series_2d, params):
    X, y = series_2d
    reg = TCNRegressor(**{**TINY, **params}).fit(X, y)
    layer = reg.model_.get_layer("tcn")
    for name, value in params.items():
        if name == "pooling":  # sktcn's, not keras-tcn's
            continue
        expected = list(value) if name == "dilations" else value
        actual = layer.activation_name if name == "activation" else getattr(layer, name)
        assert actual == expected
    assert np.isfinite(reg.predict(X)).all()


def test_adding_problem_is_learned_better_than_the_mean():
    X, y = make_adding_problem(n_samples=1200, n_timesteps=20, random_state=0)
    reg = TCNRegressor(nb_filters=16, epochs=20, learning_rate=0.005, random_state=0).fit(X[:1000], y[:1000])
    mse = np.mean((reg.predict(X[1000:]) - y[1000:]) ** 2)
    baseline = np.mean((y[:1000].mean() - y[1000:]) ** 2)
    assert mse < 0.25 * baseline, (mse, baseline)
