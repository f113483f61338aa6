"""The estimators in scikit-learn's machinery: multi-output classes, routed and fit-time
arguments, parameter names, cloning, probabilities, copies of ensembles, and the user
guide's pipeline that adds first differences."""

import copy
import pathlib
import pickle
import textwrap
import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf
from conftest import TINY, TINY_LSTM
from sklearn.base import clone
from sklearn.metrics import get_scorer, log_loss
from sklearn.model_selection import GridSearchCV, KFold, cross_val_predict

import sktcn
from sktcn import TCNClassifier, TCNRegressor
from sktcn.baselines import LSTMClassifier, LSTMRegressor

SMALL = dict(TINY, kernel_size=2, dilations=(1, 2, 4), random_state=0)


class CountBatches(keras.callbacks.Callback):
    """Counts the training batches of a fit."""

    def on_train_begin(self, logs=None):
        self.batches = 0

    def on_train_batch_end(self, batch, logs=None):
        self.batches += 1


# ---------------------------------------------------------------- multi-output classes
@pytest.fixture
def two_labels(rng):
    X = rng.normal(size=(60, 8)).astype(np.float32)
    Y = np.c_[np.where(X[:, -1] > 0, "a", "b"), np.where(X[:, 0] > 0, "x", np.where(X[:, 1] > 0, "y", "z"))]
    return X, Y


def test_multi_output_classes_follow_scikit_learns_convention(two_labels, tmp_path):
    X, Y = two_labels
    clf = TCNClassifier(**SMALL).fit(X, Y)
    assert [c.tolist() for c in clf.classes_] == [["a", "b"], ["x", "y", "z"]] and clf.n_classes_ == [2, 3]
    proba, pred = clf.predict_proba(X), clf.predict(X)
    assert [p.shape for p in proba] == [(60, 2), (60, 3)] and pred.shape == (60, 2)
    for k in range(2):
        np.testing.assert_array_equal(clf.classes_[k][proba[k].argmax(axis=1)], pred[:, k])
        np.testing.assert_allclose(proba[k].sum(axis=1), 1.0, rtol=0, atol=1e-15)
    copies = [pickle.loads(pickle.dumps(clf)), copy.deepcopy(clf), sktcn.load(clf.save(tmp_path / "model"))]
    for other in copies:
        assert isinstance(other.classes_, list) and other.n_classes_ == [2, 3]
        np.testing.assert_array_equal(other.predict(X), pred)
        for mine, theirs in zip(proba, other.predict_proba(X)):
            np.testing.assert_array_equal(mine, theirs)
    # A label that output 0 never held (though output 1 did) is new to output 0.
    with pytest.raises(ValueError, match="not seen in the first fit"):
        clf.set_params(warm_start=True).fit(X, Y[:, ::-1])
    np.testing.assert_array_equal(clf.predict(X), pred)


def test_probability_scorers_and_cross_val_predict_work_on_multi_output_labels(rng):
    X = rng.normal(size=(60, 8)).astype(np.float32)
    Y = np.c_[X[:, -1] > 0, X[:, 0] > 0].astype(int)
    clf = TCNClassifier(**SMALL)
    assert np.isfinite(get_scorer("roc_auc")(clf.fit(X, Y), X, Y))
    with warnings.catch_warnings():
        # scikit-learn scores multi-label log loss on each output's positive column, rows that do not sum to 1.
        warnings.filterwarnings("ignore", message=".*sum to one")
        assert np.isfinite(get_scorer("neg_log_loss")(clf, X, Y))
    proba = cross_val_predict(clf, X, Y, cv=KFold(2), method="predict_proba")
    assert [p.shape for p in proba] == [(60, 2), (60, 2)]


def test_single_output_classes_stay_one_array(series_3d, tmp_path):
    X, y = series_3d
    clf = TCNClassifier(**SMALL).fit(X, y)
    assert isinstance(clf.classes_, np.ndarray) and clf.n_classes_ == 2
    loaded = sktcn.load(clf.save(tmp_path / "model"))
    assert isinstance(loaded.classes_, np.ndarray) and loaded.classes_.tolist() == ["neg", "pos"]
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


# ------------------------------------------------------------------------ probabilities
def test_probability_rows_sum_to_one_in_float64_and_keep_their_argmax(rng):
    X = rng.normal(size=(200, 16)).astype(np.float32)
    y = rng.randint(0, 7, 200)
    clf = TCNClassifier(**dict(SMALL, epochs=3), learning_rate=0.05).fit(X, y)
    proba = clf.predict_proba(X)
    assert proba.dtype == np.float64
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=4e-16)
    raw = clf.model_(X, training=False).numpy()
    np.testing.assert_array_equal(proba.argmax(axis=1), raw.argmax(axis=1))
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[raw.argmax(axis=1)])
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*sum to one")
        log_loss(y, proba)


# --------------------------------------------------------------- routed fit arguments
def test_routed_fit_arguments_reach_the_fit(series_2d, capsys):
    X, y = series_2d  # 40 series
    counter = CountBatches()
    TCNRegressor(**dict(SMALL, epochs=1), fit__batch_size=10).fit(X, y, callbacks=[counter])
    assert counter.batches == 4  # not the 3 batches of batch_size=16
    capsys.readouterr()
    TCNRegressor(**dict(SMALL, epochs=1), fit__verbose=2).fit(X, y)
    assert "loss" in capsys.readouterr().out
    reg = TCNRegressor(**dict(SMALL, epochs=2), validation_split=0.0, fit__validation_split=0.25,
                       fit__validation_freq=2).fit(X, y)
    assert len(reg.history_["val_loss"]) == 1  # validated every second epoch only


def test_keyword_arguments_of_fit_override_the_estimators_settings(series_2d, capsys):
    X, y = series_2d
    counter, own = CountBatches(), CountBatches()
    reg = TCNRegressor(**dict(SMALL, epochs=1), callbacks=[own], fit__batch_size=10, verbose=2)
    capsys.readouterr()
    reg.fit(X, y, batch_size=20, verbose=0, shuffle=False, callbacks=[counter])
    assert counter.batches == 2 and not hasattr(own, "batches") and capsys.readouterr().out == ""
    assert reg.batch_size == 16 and reg.verbose == 2 and not hasattr(reg, "_fit_args")


@pytest.mark.parametrize(("how", "message"), [
    (dict(fit__batch_sise=4), "not an argument of Keras' Model.fit. Did you mean fit__batch_size"),
    # A regressor has no class_weight parameter to point to.
    (dict(fit__class_weight={0: 1.0}), "class weights apply to classifiers only; weight the samples with fit's "
                                       "sample_weight"),
    (dict(fit__initial_epoch=3), "warm_start and partial_fit"),
    (dict(fit__batch_size=0), "'fit__batch_size' parameter"),
])
def test_unusable_routed_fit_arguments_are_refused_and_leave_the_fit_alone(series_2d, how, message):
    X, y = series_2d
    reg = TCNRegressor(**SMALL).fit(X, y)
    before = reg.predict(X)
    with pytest.raises((TypeError, ValueError), match=message):
        reg.set_params(**how).fit(X, y)
    np.testing.assert_array_equal(reg.predict(X), before)


@pytest.mark.parametrize("Estimator", [TCNClassifier, LSTMClassifier])
def test_keras_class_weight_given_to_a_classifiers_fit_points_to_its_own_parameter(series_3d, Estimator):
    # The advice named TCNClassifier's parameter, also to an LSTMClassifier.
    X, y = series_3d
    clf = Estimator(**(TINY_LSTM if Estimator is LSTMClassifier else SMALL))
    with pytest.raises(TypeError, match=r"class_weight cannot be given: .* use the estimator's class_weight "
                                        r"parameter \(set_params\(class_weight=\.\.\.\)\)") as raised:
        clf.fit(X, y, class_weight={"neg": 2.0})
    assert "TCNClassifier" not in str(raised.value) and not hasattr(clf, "model_")


@pytest.mark.parametrize("epochs", ["Auto", 0, 2.5])
def test_epochs_given_for_a_fit_are_checked_as_the_parameter(series_2d, epochs):
    # scikeras passed them on unchecked: "Auto" ran the epochs="auto" regime, 0
    # "fitted" an untrained network, 2.5 trained 2 epochs.
    X, y = series_2d
    reg = TCNRegressor(**SMALL, fit__epochs=epochs)
    with pytest.raises(ValueError, match=r"'fit__epochs' parameter of TCNRegressor must be an int in the range \[1"):
        reg.fit(X, y)
    assert not hasattr(reg, "model_")
    with pytest.raises(ValueError, match=r"'epochs' parameter of TCNRegressor must be an int in the range \[1"):
        reg.fit(X, y, epochs=epochs)
    # Valid ones still override: fit's keyword over fit__epochs over the parameter.
    assert reg.set_params(fit__epochs=np.int64(3)).fit(X, y).epochs_ == 3
    assert reg.fit(X, y, epochs=1).epochs_ == 1


@pytest.mark.parametrize(("how", "message"), [
    (dict(validation_data=None), "use validation_split"),
    (dict(verbosity=0), "Did you mean verbose"),
    (dict(callbacks=CountBatches), "list of keras.callbacks.Callback instances"),
])
def test_unusable_keyword_arguments_of_fit_are_refused(series_2d, how, message):
    X, y = series_2d
    with pytest.raises(TypeError, match=message):
        TCNRegressor(**SMALL).fit(X, y, **how)


# ------------------------------------------------------------------- parameter names
@pytest.mark.parametrize(("make", "message"), [
    (lambda: TCNClassifier(nb_filter=400), "'nb_filter'. Did you mean nb_filters"),
    (lambda: TCNRegressor(learning_rat=0.5), "'learning_rat'. Did you mean learning_rate"),
    (lambda: TCNRegressor(optimiser__momentum=0.9), "Did you mean optimizer__momentum"),
    (lambda: LSTMRegressor(unit=4), "Did you mean units"),
])
def test_misspelt_parameters_are_refused(make, message):
    with pytest.raises(TypeError, match=message):
        make()


@pytest.mark.parametrize("make, cls", [
    (lambda: TCNRegressor(**SMALL, loss="huber", loss__delta=0.1), "Huber"),
    (lambda: TCNClassifier(**SMALL, loss="sparse_categorical_crossentropy", loss__from_logits=False),
     "SparseCategoricalCrossentropy"),
])
def test_arguments_for_a_loss_given_by_name_point_to_its_class(series_2d, make, cls):
    """A name resolves to Keras' loss function, which scikeras cannot give arguments (its TypeError named no fix)."""
    X, y = series_2d
    estimator = make()
    with pytest.raises(ValueError, match=rf"pass its class, loss=keras\.losses\.{cls}, with it"):
        estimator.fit(X, y > 0 if cls != "Huber" else y)
    assert not hasattr(estimator, "model_")
    routed = {"loss": getattr(keras.losses, cls), **{k: v for k, v in estimator.get_params().items() if "__" in k}}
    estimator.set_params(**routed).fit(X, y > 0 if cls != "Huber" else y)
    assert isinstance(estimator.model_.loss, getattr(keras.losses, cls))


def test_every_routing_prefix_survives_get_params_set_params_and_clone():
    routed = dict(model__a=1, fit__batch_size=8, predict__verbose=0, compile__jit_compile=False,
                  optimizer__momentum=0.9, loss__reduction="sum", metrics__name="m",
                  callbacks__0__patience=2)
    est = TCNClassifier(callbacks=[keras.callbacks.EarlyStopping], **routed)
    assert {k: est.get_params()[k] for k in routed} == routed
    est.set_params(**{k: v for k, v in routed.items()})
    assert clone(est).get_params() == est.get_params()


def test_routed_callback_parameters_can_be_set_and_searched(series_2d):
    X, y = series_2d
    est = TCNRegressor(**SMALL, callbacks=[keras.callbacks.EarlyStopping], callbacks__0__monitor="loss",
                       callbacks__0__patience=0)
    assert est.set_params(callbacks__0__patience=3).get_params()["callbacks__0__patience"] == 3
    search = GridSearchCV(est, {"callbacks__0__patience": [0, 3]}, cv=2).fit(X, y)
    assert search.best_estimator_._fit_callbacks[0].patience in (0, 3)


def test_callbacks_set_after_a_fit_run_in_the_next_training_call(series_2d):
    X, y = series_2d
    calls = []

    def tagged(tag):
        return keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: calls.append(tag))

    reg = TCNRegressor(**SMALL, callbacks=[tagged("A")]).fit(X, y)
    assert calls == ["A", "A"]
    calls.clear()
    reg.set_params(callbacks=[tagged("B")]).partial_fit(X, y)
    assert calls == ["B"]
    calls.clear()
    reg.set_params(warm_start=True).fit(X, y)
    assert calls == ["B", "B"]
    calls.clear()
    reg.set_params(callbacks=None).fit(X, y)
    assert calls == []
    # Routed arguments of a callback class too.
    reg.set_params(callbacks=[keras.callbacks.LambdaCallback], callbacks__0__on_epoch_end=tagged("C").on_epoch_end)
    reg.partial_fit(X, y)
    reg.set_params(callbacks__0__on_epoch_end=tagged("D").on_epoch_end).partial_fit(X, y)
    assert calls == ["C", "D"]


def test_a_fitted_estimator_with_a_csv_logger_pickles_and_clones(series_2d, tmp_path):
    X, y = series_2d
    logger = keras.callbacks.CSVLogger(str(tmp_path / "log.csv"))
    reg = TCNRegressor(**SMALL, callbacks=[logger]).fit(X, y)
    assert len((tmp_path / "log.csv").read_text().splitlines()) == 1 + 2  # the header and both epochs
    # The logger ran as given; the closed file Keras left on it is dropped, so the fitted estimator pickles and clones.
    assert logger.csv_file is None and reg.get_params()["callbacks"][0] is logger
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(reg)).predict(X), reg.predict(X))
    copy.deepcopy(reg)
    assert isinstance(clone(reg).callbacks[0], keras.callbacks.CSVLogger)


def test_callbacks_run_as_given_and_keep_their_state_across_partial_fit(series_2d):
    import threading

    class Counter(keras.callbacks.Callback):
        """Epochs seen, across training calls; the lock cannot be copied."""

        def __init__(self):
            super().__init__()
            self.lock, self.epochs = threading.Lock(), 0

        def on_epoch_end(self, epoch, logs=None):
            self.epochs += 1

    X, y = series_2d
    counter, stopper = Counter(), keras.callbacks.EarlyStopping(monitor="loss", patience=0, min_delta=1e9)
    reg = TCNRegressor(**SMALL, callbacks=[counter, stopper]).fit(X, y)
    # The user's objects ran: their attributes say what happened.
    assert counter.epochs == 2 and stopper.stopped_epoch == 1  # stopped after the second epoch
    reg.partial_fit(X, y)
    assert counter.epochs == 3
    # Built from a class, the same instance continues across partial_fit (a ModelCheckpoint keeps its best);
    # a new network gets a new one.
    reg = TCNRegressor(**SMALL, callbacks=[Counter]).fit(X, y)
    built = reg._fit_callbacks[0]
    reg.partial_fit(X, y)
    reg.partial_fit(X, y)
    assert reg._fit_callbacks[0] is built and built.epochs == 2 + 1 + 1
    reg.fit(X, y)
    assert reg._fit_callbacks[0] is not built and reg._fit_callbacks[0].epochs == 2


def test_a_shallow_copy_of_a_fitted_estimator_shares_its_network(series_2d, two_labels):
    # copy.copy hands __getstate__'s state to __setstate__ unpickled.
    X, y = series_2d
    reg = TCNRegressor(**SMALL).fit(X, y)
    other = copy.copy(reg)
    assert other.model_ is reg.model_
    np.testing.assert_array_equal(other.predict(X), reg.predict(X))
    X, Y = two_labels
    clf = TCNClassifier(**SMALL).fit(X, Y[:, 0])
    np.testing.assert_array_equal(copy.copy(clf).predict_proba(X), clf.predict_proba(X))


# ------------------------------------------------------------------------- cloning
def test_clone_keeps_the_default_distribution_strategy(series_2d):
    X, y = series_2d
    strategy = tf.distribute.get_strategy()
    est = TCNRegressor(**SMALL, distribution_strategy=strategy)
    copy_ = clone(est)
    assert copy_.distribution_strategy is strategy
    copy_.fit(X, y)
    assert copy_.predict(X).shape == (40,)


# ----------------------------------------------------------------- numpy integers
def _numpy_ints(params):
    return {name: tuple(map(np.int64, value)) if isinstance(value, tuple) else np.int64(value)
            for name, value in params.items()}


def test_numpy_integer_parameters_train_as_python_ints(series_2d):
    # What GridSearchCV passes for a grid made with np.arange: numpy integers.
    X, y = series_2d
    ints = dict(nb_filters=4, kernel_size=2, nb_stacks=2, dilations=(1, 2), batch_size=16, epochs=1, n_networks=2)
    reg = TCNRegressor(**_numpy_ints(ints), random_state=0).fit(X, y)
    np.testing.assert_array_equal(reg.predict(X), TCNRegressor(**ints, random_state=0).fit(X, y).predict(X))
    assert type(reg.get_params()["kernel_size"]) is np.int64  # the parameters stay as given
    # nb_filters per dilation, and dilations as an array.
    clf = TCNClassifier(**_numpy_ints(dict(nb_filters=(4, 4), kernel_size=2, epochs=1)), dilations=np.arange(1, 3),
                        use_skip_connections=False, random_state=0).fit(X, y > 0)
    assert type(clf.receptive_field_) is int and clf.dilations_ == (1, 2)


# -------------------------------------------------------------- copies of ensembles
@pytest.mark.parametrize("how", ["deepcopy", "pickle", "save"])
def test_what_copies_keep_for_a_warm_start(series_2d, how, tmp_path):
    """docs/persistence.rst: one network keeps its optimizer state; an ensemble its members only."""
    X, y = series_2d
    duplicate = {"deepcopy": copy.deepcopy, "pickle": lambda m: pickle.loads(pickle.dumps(m)),
                 "save": lambda m: sktcn.load(m.save(tmp_path / "model"))}[how]
    for n_networks in (1, 2):
        original = TCNRegressor(**SMALL, n_networks=n_networks, learning_rate=0.05).fit(X, y)
        other = duplicate(original)
        np.testing.assert_array_equal(other.predict(X), original.predict(X))
        original.set_params(warm_start=True).fit(X, y)
        other.set_params(warm_start=True).fit(X, y)
        same_path = np.array_equal(other.predict(X), original.predict(X))
        assert same_path == (n_networks == 1)


# The ways scikit-learn's tools and users copy an estimator, by name.
COPIES = {"clone": clone, "deepcopy": copy.deepcopy, "pickle": lambda m: pickle.loads(pickle.dumps(m))}


@pytest.mark.parametrize("how", ["clone", "deepcopy", "pickle", "grid search"])
def test_copies_keep_every_argument_of_a_keras_loss(series_2d, how):
    """Keras' config of Huber drops delta, which scikeras copies by: copies trained delta=1.0 (sktcn._compat)."""
    X, y = series_2d
    reference = TCNRegressor(**SMALL, loss=keras.losses.Huber(delta=0.1)).fit(X, y)
    other = TCNRegressor(**SMALL, loss=keras.losses.Huber(delta=0.1))
    if how == "grid search":
        search = GridSearchCV(TCNRegressor(**SMALL), {"loss": [keras.losses.Huber(delta=0.1)]}, cv=2).fit(X, y)
        other = search.best_estimator_
    else:
        other = COPIES[how](other).fit(X, y)
    np.testing.assert_array_equal(other.predict(X), reference.predict(X))
    # Keras' default delta trains another network: the comparison can tell.
    default_delta = TCNRegressor(**SMALL, loss=keras.losses.Huber()).fit(X, y)
    assert not np.array_equal(default_delta.predict(X), reference.predict(X))


@pytest.mark.parametrize("how", ["deepcopy", "pickle"])
def test_a_fitted_copy_trains_on_with_its_losss_arguments(series_2d, how):
    """The network's Keras file keeps its loss's config only; the copy's warm start follows the original's."""
    X, y = series_2d
    original = TCNRegressor(**SMALL, loss=keras.losses.Huber(delta=0.1)).fit(X, y)
    other = COPIES[how](original)
    for model in (original, other):
        model.set_params(warm_start=True).fit(X, y)
    np.testing.assert_array_equal(other.predict(X), original.predict(X))


@pytest.mark.parametrize("how", ["clone", "pickle"])
def test_copies_of_an_optimizer_instance_stay_that_optimizer(series_2d, how):
    """scikeras copied an optimizer through Keras' registry, which made a Lamb the string 'Lamb'."""
    X, y = series_2d
    estimator = TCNRegressor(**SMALL, optimizer=keras.optimizers.Lamb(learning_rate=0.01))
    other = COPIES[how](estimator)
    assert type(other.optimizer) is keras.optimizers.Lamb
    assert other.optimizer.get_config() == estimator.optimizer.get_config()
    np.testing.assert_array_equal(other.fit(X, y).predict(X), estimator.fit(X, y).predict(X))


def test_dropout_continues_after_a_copy_as_in_the_original(series_2d, tmp_path):
    """Keras neither saves nor copies the dropout layers' seed states; sktcn keeps them (sktcn._random)."""
    X, y = series_2d
    original = TCNRegressor(**dict(SMALL, epochs=1), dropout_rate=0.3).fit(X, y)
    copies = [copy.deepcopy(original), pickle.loads(pickle.dumps(original)), sktcn.load(original.save(tmp_path / "m"))]
    for model in (original, *copies):
        model.set_params(warm_start=True).fit(X, y)
    for other in copies:
        np.testing.assert_array_equal(other.predict(X), original.predict(X))


# ------------------------------------------------------- the user guide's derived channels
def python_blocks(page):
    """The text of every ``.. code-block:: python`` of a docs page, unindented."""
    lines = (pathlib.Path(__file__).resolve().parents[1] / "docs" / page).read_text(encoding="utf-8").splitlines()
    blocks, i = [], 0
    while i < len(lines):
        if lines[i].strip() != ".. code-block:: python":
            i += 1
            continue
        i += 1
        body = []
        while i < len(lines) and (not lines[i].strip() or lines[i].startswith("    ")):
            body.append(lines[i])
            i += 1
        blocks.append(textwrap.dedent("\n".join(body)))
    return blocks


def test_the_first_differences_recipe_of_the_user_guide_runs(series_2d, series_3d):
    """docs/user_guide/regression.rst: the pipeline gives the network each channel, then its differences."""
    [block] = [block for block in python_blocks("user_guide/regression.rst") if "with_first_differences" in block]
    recipe = {}
    exec(block, recipe)
    ramps = np.array([[0.0, 1.0, 3.0, 6.0], [5.0, 5.0, 4.0, 4.0]])
    np.testing.assert_array_equal(recipe["with_first_differences"](ramps),
                                  np.stack([ramps, [[0, 1, 2, 3], [0, 0, -1, 0]]], axis=-1))
    assert recipe["with_first_differences"](series_3d[0]).shape == (40, 10, 6)
    X, y = series_2d
    model = recipe["model"].set_params(**{f"tcnregressor__{name}": value for name, value in TINY.items()})
    model.fit(X, y)
    assert model[-1].n_features_in_ == 2
    assert model.predict(X[:3]).shape == (3,)
