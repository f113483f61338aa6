"""Bad input gets a clear ValueError/TypeError, and a failed fit leaves nothing behind."""

import re
import warnings

import keras
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import sklearn
import tensorflow as tf
from conftest import TINY
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.exceptions import NotFittedError

from sktcn import TCNClassifier, TCNForecaster, TCNRegressor
from sktcn.baselines import LSTMClassifier, LSTMRegressor

ESTIMATORS = [TCNClassifier, TCNRegressor]


def _targets(estimator, n):
    return np.arange(n) % 2 if estimator is TCNClassifier else np.linspace(0, 1, n)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize(
    "X, error, match",
    [
        (np.full((6, 5), np.nan), ValueError, "NaN"),
        (np.full((6, 5), np.inf), ValueError, "infinity"),
        # scikit-learn's message suggested reshape(-1, 1): six series of one step each.
        (np.ones(6), ValueError, r"X is one-dimensional \(6 values\).* for one series use X\.reshape\(1, -1\)"),
        (np.ones((6, 5, 2, 2)), ValueError, "4 dimensions"),
        (sp.csr_matrix(np.ones((6, 5))), TypeError, "sparse"),
        (np.ones((0, 5)), ValueError, "0 sample"),
        (np.ones((6, 0)), ValueError, "0 feature"),
        (np.ones((6, 0, 2)), ValueError, "at least one time step"),
        (np.array([["a"] * 5] * 6), ValueError, "could not convert"),
        (np.ones((6, 5)) + 1j, ValueError, "Complex data not supported"),
        ([np.ones((3, 2)), np.ones((4, 3))] * 3, ValueError, "different numbers of features"),
        ([[1.0, 2.0], [3.0, "x"]] * 3, ValueError, "could not convert"),
        (np.ones((6, 5, 0)), ValueError, "one feature"),
        (np.full((6, 5), 1e39), ValueError, "float32"),  # finite in float64, infinite in float32
    ],
)
def test_bad_X_in_fit(Estimator, X, error, match):
    est = Estimator(**TINY)
    with pytest.raises(error, match=match):
        est.fit(X, _targets(Estimator, 6))
    assert not hasattr(est, "model_") and not hasattr(est, "n_features_in_")


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_bad_y_in_fit(Estimator):
    X = np.ones((6, 5))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        Estimator(**TINY).fit(X, _targets(Estimator, 5))
    with pytest.raises(ValueError, match="requires y to be passed"):
        Estimator(**TINY).fit(X, None)
    with pytest.raises(ValueError, match="return_sequences=True"):
        Estimator(**TINY).fit(np.ones((6, 5, 1)), np.zeros((6, 5, 1)))
    with pytest.raises(ValueError, match=r"one target per time step, shape \(n_samples, 5"):
        Estimator(**TINY, return_sequences=True).fit(X, _targets(Estimator, 6))


def test_missing_values_in_X_are_refused_by_name_with_the_fix(series_2d):
    # Was scikit-learn's bare "Input contains NaN.", naming neither X nor what to do.
    X, y = series_2d
    reg = TCNRegressor(**TINY).fit(X, y)
    gappy = X.copy()
    gappy[1, 3] = np.nan
    nullable = pd.DataFrame(X).astype("Float64")
    nullable.iloc[2, 0] = pd.NA
    fix = r"Input X contains NaN\. The networks take no missing or infinite values in X: fill the gaps first"
    for bad in (gappy, gappy[:, :, None], nullable):
        with pytest.raises(ValueError, match=fix):
            TCNRegressor(**TINY).fit(bad, y)
        with pytest.raises(ValueError, match=fix):
            reg.predict(bad)
    with pytest.raises(ValueError, match=r"Input X\[1\] contains NaN\. .* missing or infinite values in X\[1\]"):
        reg.predict([X[0], gappy[1, 2:]])


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_assume_finite_lets_no_nan_or_infinity_reach_the_network(Estimator):
    # Under sklearn's assume_finite=True, NaN in X failed the fit as "Training diverged ... Scale X and y",
    # NaN in predict's X gave NaN predictions silently, and a NaN sample weight was refused as a sum too large.
    X, y = np.random.default_rng(0).normal(size=(6, 5)), _targets(Estimator, 6)
    fitted = Estimator(**TINY).fit(X, y)
    fix = "The networks take no missing or infinite values in X: fill the gaps first"
    with sklearn.config_context(assume_finite=True):
        for bad, what in ((np.nan, "NaN"), (np.inf, "infinity")):
            gappy = X.copy()
            gappy[2, 1] = bad
            est = Estimator(**TINY)
            with pytest.raises(ValueError, match=f"Input X contains {what}.*{fix}"):
                est.fit(gappy, y)
            assert not hasattr(est, "model_") and not hasattr(est, "n_features_in_")
            with pytest.raises(ValueError, match=f"Input X contains {what}.*{fix}"):
                fitted.predict(gappy)
        weights = np.ones(6)
        weights[1] = np.nan
        with pytest.raises(ValueError, match="Input sample_weight contains NaN"):
            Estimator(**TINY).fit(X, y, sample_weight=weights)
        if Estimator is TCNRegressor:
            with pytest.raises(ValueError, match="Input y contains NaN. The estimators need a finite target"):
                Estimator(**TINY).fit(X, np.where(np.arange(6) == 3, np.nan, y))


def test_regressor_rejects_nan_and_text_targets():
    fix = r"The estimators need a finite target for every series: leave the others out of X and y \(for example keep"
    with pytest.raises(ValueError, match=r"Input y contains NaN\. " + fix):
        TCNRegressor(**TINY).fit(np.ones((6, 5)), [1, 2, np.nan, 4, 5, 6])
    with pytest.raises(ValueError, match=r"Input y contains infinity.*" + fix):
        TCNRegressor(**TINY).fit(np.ones((6, 5)), [1, 2, np.inf, 4, 5, 6])
    with pytest.raises(ValueError, match="could not convert"):
        TCNRegressor(**TINY).fit(np.ones((6, 5)), list("abcdef"))


def test_non_finite_float32_targets_get_the_fix_that_removes_them():
    # float32 targets skipped the regressor's float64 reading and were advised as a classifier's
    # labels ("keep = pandas.notna(y)"), which keeps an infinity; a classifier's infinite label too.
    X = np.ones((6, 5), dtype=np.float32)
    isfinite = r"The estimators need a finite (target|label) for every series: .*keep = np\.isfinite\(y\)"
    for bad in (np.nan, np.inf):
        y = np.array([1, 2, bad, 4, 5, 6], dtype=np.float32)
        with pytest.raises(ValueError, match=r"Input y contains (NaN|infinity).*" + isfinite):
            TCNRegressor(**TINY).fit(X, y)
    with pytest.raises(ValueError, match=r"Input y contains infinity.*" + isfinite):
        TCNClassifier(**TINY).fit(X, np.array([0, 1, np.inf, 0, 1, 0], dtype=np.float32))


def test_classifier_rejects_continuous_targets():
    with pytest.raises(ValueError, match="Unknown label type"):
        TCNClassifier(**TINY).fit(np.ones((6, 5)), np.linspace(0, 1, 6))


def test_classifier_names_missing_labels_and_the_fix():
    # Were scikit-learn's "'<' not supported between instances of 'NoneType' and 'str'" and a bare "Input contains NaN".
    fix = r"leave .* out of X and y \(for example keep = pandas\.notna\(y\)"
    labels = np.array(list("abcabc"), dtype=object)
    labels[[1, 4]] = None
    with pytest.raises(ValueError, match=r"y has no label \(None or NaN\) for sample\(s\) \[1, 4\]\. .*" + fix):
        TCNClassifier(**TINY).fit(np.ones((6, 5)), labels)
    labels[[1, 4]] = np.nan
    with pytest.raises(ValueError, match=r"Input y contains NaN\. The estimators need a label .*" + fix):
        TCNClassifier(**TINY).fit(np.ones((6, 5)), labels)
    with pytest.raises(ValueError, match=r"(y has no label|Input y contains NaN).*" + fix):  # pandas reads None as NaN
        TCNClassifier(**TINY).fit(np.ones((6, 5)), pd.Series(["a", "b", None, "a", "b", "a"]))


def test_an_sktime_multiindex_panel_gets_its_conversion_named():
    # A pd-multiindex panel is read as the table it also is (sktime's global reductions fit on such
    # tables); with a label per instance the length check said only "inconsistent numbers of samples".
    index = pd.MultiIndex.from_product([range(6), range(5)], names=["instance", "time"])
    panel = pd.DataFrame({"x": np.arange(30.0)}, index=index)
    with pytest.raises(ValueError, match=r"X is a DataFrame of 30 rows under a MultiIndex.*y has 6 targets.*"
                                         r"convert_to\(X, to_type='nested_univ'\)"):
        TCNClassifier(**TINY).fit(panel, list("ababab"))
    from sktime.datatypes import convert_to

    nested = convert_to(panel, to_type="nested_univ")
    clf = TCNClassifier(**TINY).fit(nested, list("ababab"))
    assert clf.n_features_in_ == 1
    # Fit on series, the network would read the panel's 30 rows as 30 series of one step: it says so.
    with pytest.warns(UserWarning, match=r"read as 30 series of 1 step\(s\), one per row.*convert_to"):
        assert clf.predict(panel).shape == (30,)
    assert clf.predict(nested).shape == (6,)
    # As many targets as rows: a table, fitted as before.
    assert TCNRegressor(**TINY).fit(panel, np.arange(30.0)).n_timesteps_in_ == 1


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize(
    "params, error, match",
    [
        (dict(epochs=0), ValueError, "'epochs' parameter"),
        (dict(epochs=1.5), TypeError, "'epochs' parameter"),
        (dict(kernel_size=0), ValueError, "'kernel_size' parameter"),
        (dict(dilations=()), ValueError, "dilations is empty"),
        (dict(dilations=(1, 0)), ValueError, "positive integers"),
        (dict(padding="valid"), ValueError, "'padding' parameter"),
        (dict(use_batch_norm=True, use_layer_norm=True), ValueError, "use_batch_norm and use_layer_norm"),
        (dict(use_layer_norm=True, use_weight_norm=True), ValueError, "choose at most one normalisation"),
        (dict(dropout_rate=1.0), ValueError, "'dropout_rate' parameter"),
        (dict(batch_size=0), ValueError, "'batch_size' parameter"),
        (dict(validation_split=1.0), ValueError, "'validation_split' parameter"),
        (dict(learning_rate=0.0), ValueError, "'learning_rate' parameter"),
        (dict(nb_filters=[4, 8], dilations=(1, 2)), ValueError, "use_skip_connections"),
        (dict(nb_filters=[4, 4, 4], dilations=(1, 2)), ValueError, "one number of filters per dilation"),
        (dict(activation="no-such-activation"), ValueError, "no-such-activation"),
    ],
)
def test_invalid_hyperparameters(Estimator, params, error, match):
    est = Estimator(**{**TINY, **params})
    with pytest.raises(error, match=match):
        est.fit(np.random.rand(8, 6), _targets(Estimator, 8))
    assert not hasattr(est, "model_")


def _decay():
    return keras.optimizers.schedules.ExponentialDecay(1e-3, decay_steps=10, decay_rate=0.9)


@pytest.mark.parametrize(
    "make",
    [lambda: TCNClassifier(**TINY, learning_rate=_decay()), lambda: TCNRegressor(**TINY, learning_rate=_decay()),
     lambda: TCNRegressor(**TINY, learning_rate=lambda: 1e-3),
     lambda: LSTMRegressor(units=4, epochs=1, learning_rate=_decay()),
     lambda: TCNForecaster(**TINY, learning_rate=_decay())],
    ids=["classifier", "regressor", "callable", "lstm", "forecaster"],
)
def test_a_learning_rate_schedule_is_refused_with_where_it_goes(make):
    # scikit-learn's constraint said only "must be a float ... or None", though the optimizer takes a schedule.
    est = make()
    with pytest.raises(TypeError, match=r"learning_rate takes a number or None, not the schedule .*"
                                        r"optimizer=keras\.optimizers\.Adam\(learning_rate=schedule\)"):
        if isinstance(est, TCNForecaster):
            est.fit(pd.Series(np.random.rand(30)), fh=[1])
        else:
            est.fit(np.random.rand(8, 6), np.arange(8) % 2)
    assert not est.is_fitted if isinstance(est, TCNForecaster) else not hasattr(est, "model_")


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(loss="categorical_crossentropy"), "loss='categorical_crossentropy' compares the probabilities"),
        (dict(loss="binary_crossentropy"), "sparse_categorical_crossentropy"),
        (dict(loss=keras.losses.CategoricalCrossentropy(label_smoothing=0.1)), "one-hot targets"),
        (dict(loss=keras.losses.CategoricalCrossentropy, loss__label_smoothing=0.1), "one-hot targets"),
        (dict(metrics=[keras.metrics.AUC()]), "roc_auc_score"),
        (dict(metrics=["accuracy", "categorical_accuracy"]), r"metrics \['categorical_accuracy'\]"),
        (dict(metrics=keras.metrics.Precision), "sparse_categorical_accuracy"),
        # Losses comparing the probabilities with masks of their shape: a graph InvalidArgumentError.
        (dict(loss="dice"), "loss='dice' compares the probabilities with one-hot targets"),
        (dict(loss=keras.losses.Tversky()), "one-hot targets, but .* trains on class indices"),
    ],
)
def test_the_classifier_refuses_losses_and_metrics_of_one_hot_targets(series_3d, params, match):
    X, y = series_3d
    clf = TCNClassifier(**TINY, **params)
    with pytest.raises(ValueError, match=match):
        clf.fit(X, y)
    assert not hasattr(clf, "model_")
    # The LSTM baseline classifier too, which checks its own parameters, not the TCN's,
    # and in its own name (the message named TCNClassifier).
    lstm = LSTMClassifier(units=4, epochs=1, **params)
    with pytest.raises(ValueError, match=match) as raised:
        lstm.fit(X, y)
    assert "but LSTMClassifier trains on class indices" in str(raised.value)
    assert "TCNClassifier" not in str(raised.value)


@pytest.mark.parametrize(
    "Estimator, loss, match",
    [
        (TCNClassifier, "mse", "loss='mse' is a regression loss, but TCNClassifier"),
        (TCNClassifier, "mean_absolute_error", "sparse_categorical_crossentropy"),
        (TCNClassifier, "huber", "a regressor"),
        (TCNRegressor, "sparse_categorical_crossentropy", "is a classification loss, but TCNRegressor"),
        (TCNRegressor, "binary_crossentropy", '"mse" \\(the default'),
        (LSTMRegressor, "categorical_crossentropy", "is a classification loss, but LSTMRegressor"),
        # Not cross-entropies, they trained on a meaningless loss (train R² 0.000 for kl_divergence, hinge flat at 1).
        (TCNRegressor, "hinge", "loss='hinge' is a classification loss, but TCNRegressor"),
        (TCNRegressor, "kl_divergence", "is a classification loss"),
        (TCNRegressor, "dice", "is a classification loss"),
        (TCNRegressor, keras.losses.SquaredHinge(), "is a classification loss"),
        # A class or an instance of Keras' regression losses as its name is: a graph error.
        (TCNClassifier, keras.losses.MeanSquaredError(), "is a regression loss, but TCNClassifier"),
        (TCNClassifier, keras.losses.Huber, "is a regression loss"),
    ],
)
def test_a_loss_named_for_the_other_task_is_refused(series_2d, Estimator, loss, match):
    # TensorFlow failed with a graph error, or trained on a meaningless loss.
    X, y = series_2d
    params = dict(units=4, epochs=1) if Estimator is LSTMRegressor else TINY
    est = Estimator(**params, loss=loss)
    with pytest.raises(ValueError, match=match):
        est.fit(X, y > 0 if Estimator is TCNClassifier else y)
    assert not hasattr(est, "model_")


@pytest.mark.parametrize(
    "Estimator, metrics, match",
    [
        (TCNClassifier, ["accuracy", "mse"], r"metrics \['mse'\] are regression metrics, but TCNClassifier"),
        (TCNClassifier, "mae", r"metrics \['mae'\] are regression metrics"),
        (TCNRegressor, ["sparse_categorical_crossentropy"], "are classification metrics, but TCNRegressor"),
        # Keras' metric-only regression metrics: a graph InvalidArgumentError, or "R2Score expects 2D inputs".
        (TCNClassifier, ["accuracy", "root_mean_squared_error", "r2_score"],
         r"metrics \['root_mean_squared_error', 'r2_score'\] are regression metrics, but TCNClassifier"),
        (TCNClassifier, ["pearson_correlation", "concordance_correlation"], "are regression metrics"),
        (TCNClassifier, [keras.metrics.R2Score], "are regression metrics"),
        # Recorded 0.0 every epoch.
        (TCNRegressor, ["mae", "accuracy", "auc", "binary_accuracy"],
         r"metrics \['accuracy', 'auc', 'binary_accuracy'\] are classification metrics, but TCNRegressor"),
        (TCNRegressor, ["acc"], "are classification metrics"),
        (TCNRegressor, [keras.metrics.AUC()], "are classification metrics"),
    ],
)
def test_a_metric_named_for_the_other_task_is_refused(series_2d, Estimator, metrics, match):
    # As the loss: TensorFlow failed with a graph error.
    X, y = series_2d
    est = Estimator(**TINY, metrics=metrics)
    with pytest.raises(ValueError, match=match):
        est.fit(X, y > 0 if Estimator is TCNClassifier else y)
    assert not hasattr(est, "model_")


def test_the_forecaster_refuses_a_classification_loss_in_its_own_name():
    # The inner regressor's message named TCNRegressor and TCNClassifier, which the user did not make.
    from sktime.datasets import load_airline

    from sktcn import TCNForecaster

    f = TCNForecaster(**TINY, loss="binary_crossentropy")
    with pytest.raises(ValueError, match="classification loss, but TCNForecaster predicts numbers") as raised:
        f.fit(load_airline()[:40], fh=[1])
    assert "TCNClassifier" not in str(raised.value) and not f.is_fitted


@pytest.mark.parametrize("loss", ["hinge", "kl_divergence", keras.losses.Dice()])
def test_the_forecaster_refuses_every_classification_loss_as_the_regressor_does(loss):
    # Only cross-entropies were refused: loss="hinge" trained the forecaster on a loss flat at 1.
    from sktime.datasets import load_airline

    f = TCNForecaster(**TINY, loss=loss)
    with pytest.raises(ValueError, match="is a classification loss, but TCNForecaster predicts numbers"):
        f.fit(load_airline()[:40], fh=[1])
    assert not f.is_fitted


def test_losses_and_metrics_for_the_estimators_targets_are_accepted_by_name_class_or_instance(series_2d):
    # The check of the other task's losses and metrics reads Keras' names, classes and instances alike.
    X, y = series_2d
    metrics = ["mae", "root_mean_squared_error", keras.metrics.R2Score]
    reg = TCNRegressor(**TINY, loss=keras.losses.Huber(), metrics=metrics)
    assert {"mean_absolute_error", "root_mean_squared_error", "r2_score"} <= set(reg.fit(X, y).history_)
    for loss in ("log_cosh", "mae", "huber"):
        TCNRegressor(**TINY, loss=loss)._check_loss()
    # MeanIoU with sparse_y_pred=False takes the probabilities' argmax, and class indices.
    clf = TCNClassifier(**TINY, loss=keras.losses.SparseCategoricalCrossentropy(),
                        metrics=["acc", "sparse_categorical_accuracy", "sparse_top_k_categorical_accuracy",
                                 keras.metrics.MeanIoU(num_classes=2, sparse_y_pred=False)])
    history = clf.fit(X, y > 0).history_
    assert {"acc", "sparse_categorical_accuracy"} <= set(history)
    assert any(name.startswith("mean_io_u") for name in history)  # Keras numbers a name made twice


@pytest.mark.parametrize("metric", [
    keras.metrics.Accuracy(), keras.metrics.Accuracy, keras.metrics.MeanIoU(num_classes=2),
    keras.metrics.IoU(num_classes=2, target_class_ids=[1]),
])
def test_the_classifier_refuses_metrics_that_take_its_outputs_for_labels(series_3d, metric):
    # Filed with the string "accuracy" (Keras' compile makes that the sparse accuracy), they passed and
    # compared the probabilities with the labels element by element: the fit failed inside TensorFlow's
    # graph (InvalidArgumentError at its Equal or LogicalAnd node).
    X, y = series_3d
    clf = TCNClassifier(**TINY, metrics=["accuracy", metric])
    match = r'compare predicted labels with the targets .* use the string "accuracy" .*SparseCategoricalAccuracy'
    with pytest.raises(ValueError, match=match):
        clf.fit(X, y)
    assert not hasattr(clf, "model_")
    # A regressor's outputs are no labels either: refused as before.
    with pytest.raises(ValueError, match="are classification metrics, but TCNRegressor"):
        TCNRegressor(**TINY, metrics=[metric])._check_loss()


@pytest.mark.parametrize("loss", ["cosine_similarity", keras.losses.CosineSimilarity()])
def test_cosine_similarity_is_refused_by_the_regressor_and_the_forecaster(loss):
    # It compares the outputs' direction alone: for one output, their signs. It passed, and learned
    # nothing (test R² 0.025 against 0.943 with "mse", see KERAS_TARGETS).
    from sktime.datasets import load_airline

    with pytest.raises(ValueError, match="compares only the direction of each sample's outputs.* learns nothing"):
        TCNRegressor(**TINY, loss=loss)._check_loss()
    with pytest.raises(ValueError, match=r"metrics \['cosine_similarity'\] compare only the direction"):
        TCNRegressor(**TINY, metrics=["mae", "cosine_similarity"])._check_loss()
    f = TCNForecaster(**TINY, loss=loss)
    with pytest.raises(ValueError, match="compares only the direction"):
        f.fit(load_airline()[:40], fh=[1])
    assert not f.is_fitted
    with pytest.raises(ValueError, match="is a regression loss"):
        TCNClassifier(**TINY, loss=loss)._check_loss()


def test_the_forecaster_refuses_a_classification_metric_up_front_in_its_own_name(monkeypatch):
    # Only the inner regressor's fit refused it, after the windowing and the choice of
    # baseline, in the name of TCNRegressor, which the user did not make.
    from sktime.datasets import load_airline

    from sktcn import TCNForecaster, forecasting

    def no_training(*args, **kwargs):
        raise AssertionError("the forecaster trained a network")

    monkeypatch.setattr(forecasting.TCNRegressor, "fit", no_training)
    f = TCNForecaster(**TINY, metrics=["mae", "binary_crossentropy"])
    match = r"metrics \['binary_crossentropy'\] are classification metrics, but TCNForecaster predicts numbers"
    with pytest.raises(ValueError, match=match):
        f.fit(load_airline()[:40], fh=[1])
    assert not f.is_fitted


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(activation="rellu"),
         r"activation='rellu' is not a name Keras knows .* Did you mean 'relu'\? .*dir\(keras.activations\)"),
        (dict(activation="Relu"), r"activation='Relu' is not a name Keras knows .* Did you mean 'relu'\?"),
        (dict(kernel_initializer="he_normall"),
         r"kernel_initializer='he_normall' is not a name Keras knows .* Did you mean 'he_normal'\?"),
        # They got Keras' bare "Could not interpret optimizer identifier: adamm" when scikeras compiled.
        (dict(optimizer="adamm"), r"optimizer='adamm' is not a name Keras knows .* Did you mean 'adam'\? .*"
                                  r"dir\(keras.optimizers\) .* or pass a keras.optimizers.Optimizer instance"),
        (dict(loss="msee"), r"loss='msee' is not a name Keras knows .* Did you mean 'mse'\? .*dir\(keras.losses\)"),
        (dict(loss="huber_loss"), r"loss='huber_loss' is not a name Keras knows .* Did you mean 'huber'\?"),
        # A base class Keras cannot make from its name is not suggested.
        (dict(optimizer="Optimizer"), r"optimizer='Optimizer' is not a name Keras knows \(keras.optimizers.get "
                                      r"refuses it\)\. Use the name"),
        # Nor one it makes, but which computes nothing: they passed, and training failed with a bare
        # NotImplementedError.
        (dict(loss="Loss"), r"loss='Loss' names Keras' abstract base class keras.losses.Loss, which computes "
                            r"nothing\. Use the name of one in keras.losses"),
        (dict(kernel_initializer="initializer"),
         r"kernel_initializer='initializer' names Keras' abstract base class keras.initializers.Initializer"),
        # Metrics got Keras' bare "Could not interpret metric identifier: rmse" when scikeras compiled.
        (dict(metrics=["mae", "rmse"]), r"metrics holds 'rmse', which is not a name Keras knows "
                                        r"\(keras.metrics.get refuses it\)\. Did you mean 'mse'\? "
                                        r".*dir\(keras.metrics\)"),
        (dict(metrics={"output_0": ["r2"]}), r"metrics holds 'r2', which is not a name Keras knows"),
        (dict(metrics="Metric"),
         r"metrics holds 'Metric', which names Keras' abstract base class keras.metrics.Metric"),
    ],
)
def test_unknown_keras_names_are_refused_by_the_parameter_check(series_2d, params, match):
    X, y = series_2d
    reg = TCNRegressor(**TINY, **params)
    with pytest.raises(ValueError, match=match):
        reg.fit(X, y)
    assert not hasattr(reg, "model_")
    # The forecaster, before it makes any window.
    with pytest.raises(ValueError, match=match):
        TCNForecaster(**TINY, **params).fit(pd.Series(np.arange(40.0)), fh=[1])


def test_the_name_check_passes_every_metric_name_keras_compiles():
    # "accuracy" and "acc" in any case Keras' compile reads itself; the others keras.metrics.get resolves.
    from sktcn._param_checks import check_keras_names

    names = ["accuracy", "ACC", "mse", "mean_absolute_error", "RootMeanSquaredError", "r2_score", "AUC"]
    check_keras_names(TCNRegressor(metrics=names))
    check_keras_names(TCNRegressor(metrics={"output_0": names[2:], "output_1": "mae"}))
    check_keras_names(TCNRegressor(metrics=[keras.metrics.MeanSquaredError(), lambda y, p: y - p]))


@pytest.mark.parametrize("param, name", [("loss", "MyLoss"), ("loss", "Lossy"), ("loss", "Los"), ("loss", "loss"),
                                         ("kernel_initializer", "Initialiser"), ("optimizer", "Optimiser")])
def test_abstract_base_classes_are_never_suggested(param, name):
    # "Did you mean 'Loss'?" sent the user to a class that computes nothing.
    from sktcn._param_checks import check_keras_names

    with pytest.raises(ValueError, match=f"{param}={name!r} is not a name Keras knows") as refused:
        check_keras_names(TCNRegressor(**{param: name}))
    for base in ("Loss", "loss", "Initializer", "initializer", "Optimizer", "optimizer"):
        assert f"Did you mean {base!r}" not in str(refused.value)


@pytest.mark.parametrize("param, module", [("loss", keras.losses), ("optimizer", keras.optimizers)])
def test_the_name_check_passes_every_name_keras_resolves_and_every_object(param, module):
    # Aliases ("mse", "mae") and any case Keras takes ("MSE", "ADAM") included; objects and callables as they are.
    from sktcn._param_checks import check_keras_names
    from sktcn._compat import keras_identifiers

    names = set(keras_identifiers(module)) | {name for name in dir(module) if not name.startswith("_")}
    for name in sorted(names | {"mse", "MSE", "mae", "sparse_categorical_crossentropy", "ADAM", "Adam", "sgd"}):
        try:
            made = module.get(name)
        except (ValueError, TypeError, KeyError):
            continue
        if type(made) in (keras.losses.Loss, keras.optimizers.Optimizer):
            continue  # an abstract base class, which computes nothing: refused (see above)
        check_keras_names(TCNRegressor(**{param: name}))
    objects = {"loss": [keras.losses.Huber(delta=2.0), keras.losses.Huber, lambda y, p: keras.ops.abs(y - p)],
               "optimizer": [keras.optimizers.SGD(0.1), keras.optimizers.SGD]}
    for value in objects[param]:
        check_keras_names(TCNRegressor(**{param: value}))


@pytest.mark.parametrize("optimizer", [None, 0.01, {"class_name": "Adam", "config": {}}, int])
def test_the_optimizer_is_checked_as_the_other_parameters(series_2d, optimizer):
    # None and numbers failed with an AttributeError from inside sktcn, a dict from inside Keras.
    X, y = series_2d
    reg = TCNRegressor(**TINY, optimizer=optimizer)
    with pytest.raises(ValueError, match="The 'optimizer' parameter of TCNRegressor must be an instance of 'str'") as e:
        reg.fit(X, y)
    assert not hasattr(reg, "model_")
    # Keras' public path, not the private keras.src one where its classes live.
    assert "or a subclass of 'keras.optimizers.Optimizer'" in str(e.value) and "keras.src" not in str(e.value)


def test_an_optimizer_by_name_class_or_instance_is_taken(series_2d):
    X, y = series_2d
    for optimizer, routed in [("sgd", dict(optimizer__momentum=0.5)), (keras.optimizers.SGD, dict(optimizer__momentum=0.5)),
                              (keras.optimizers.SGD(momentum=0.5), {})]:
        reg = TCNRegressor(**dict(TINY, epochs=1), optimizer=optimizer, **routed).fit(X, y)
        assert type(reg.model_.optimizer) is keras.optimizers.SGD and float(reg.model_.optimizer.momentum) == 0.5


def test_the_classifier_takes_sparse_label_losses_and_metrics(series_3d):
    X, y = series_3d
    clf = TCNClassifier(**dict(TINY, epochs=1), loss=keras.losses.SparseCategoricalCrossentropy(),
                        metrics=["accuracy", "sparse_top_k_categorical_accuracy"]).fit(X, y)
    assert {"accuracy", "sparse_top_k_categorical_accuracy"} <= set(clf.history_)


def test_failed_refit_restores_the_fitted_estimator(series_2d):
    X, y = series_2d
    reg = TCNRegressor(**TINY).fit(X, y)
    before = dict(vars(reg))
    expected = reg.predict(X)
    with pytest.raises(ValueError, match="NaN"):
        reg.fit(np.full_like(X, np.nan), y)
    reg.set_params(kernel_size=0)
    with pytest.raises(ValueError, match="kernel_size"):
        reg.fit(X, y)
    reg.set_params(kernel_size=3)
    assert vars(reg).keys() == before.keys() and reg.model_ is before["model_"]
    np.testing.assert_array_equal(reg.predict(X), expected)


def test_a_failed_initialize_leaves_the_fitted_estimator(series_2d):
    # scikeras' initialize sets the classes and encoders before it builds the
    # network: a failure there left 3 classes beside the 2-class network.
    X, y = series_2d
    clf = TCNClassifier(**TINY, random_state=0).fit(X, y > 0)
    expected = clf.predict_proba(X)
    clf.set_params(optimizer="no_such_optimizer")
    before = dict(vars(clf))
    with pytest.raises(ValueError, match="no_such_optimizer"):
        clf.initialize(X[:, :6], np.arange(len(X)) % 3)
    assert vars(clf).keys() == before.keys() and all(vars(clf)[name] is value for name, value in before.items())
    assert clf.n_classes_ == 2 and clf._fit_timesteps == 12
    np.testing.assert_array_equal(clf.predict_proba(X), expected)


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(nb_filters="4"), "'nb_filters' parameter of TCNRegressor"),
        (dict(learning_rate=-1.0), "'learning_rate' parameter of TCNRegressor"),
        (dict(use_layer_norm=True, use_weight_norm=True), "choose at most one normalisation"),
    ],
)
def test_initialize_checks_the_parameters_as_fit_does(series_2d, params, match):
    # It built the network unchecked: deep errors from keras-tcn, or a learning rate of -1.
    X, y = series_2d
    reg = TCNRegressor(**{**TINY, **params})
    with pytest.raises(ValueError, match=match):
        reg.initialize(X, y)
    assert not hasattr(reg, "model_")


def test_initialize_starts_new_curves_and_refuses_what_it_cannot_build_from(series_2d):
    X, y = series_2d
    reg = TCNRegressor(**TINY, random_state=0).fit(X, y)
    assert reg.initialize(X, y) is reg
    # The new, untrained network has no epochs yet: partial_fit starts its own curve.
    assert len(reg.history_["loss"]) == 0 and not hasattr(reg, "epochs_")
    assert len(reg.partial_fit(X, y).history_["loss"]) == 1
    with pytest.raises(ValueError, match="requires y to be passed"):
        TCNRegressor(**TINY).initialize(X)
    with pytest.raises(TypeError, match="initialize builds the network from series held in memory"):
        TCNRegressor(**TINY).initialize(tf.data.Dataset.from_tensor_slices((X, y)).batch(8))


def test_diverging_training_is_an_error_and_leaves_nothing():
    X = np.random.RandomState(0).normal(size=(32, 6)) * 1e18
    # Raw inputs of 1e18 (input_scaling would standardise them) and a huge step:
    # the loss overflows. Seeded, so it does on every run.
    reg = TCNRegressor(**TINY, learning_rate=1e6, input_scaling=None, random_state=0)
    with pytest.raises(ValueError, match="Training diverged"):
        reg.fit(X, np.arange(32.0))
    assert not hasattr(reg, "model_")


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_predict_checks(Estimator, rng):
    with pytest.raises(NotFittedError):
        Estimator(**TINY).predict(np.ones((2, 5)))
    est = Estimator(**TINY).fit(rng.rand(8, 5), _targets(Estimator, 8))
    # The time steps of the 2D X were named in the message for lists of series only.
    with pytest.raises(ValueError, match=r"X has 4 features, but .* is expecting 5 features as input \(the time "
                                         r"steps of the 2D X it was fit on; fit on 3D input"):
        est.predict(rng.rand(3, 4))
    with pytest.raises(ValueError, match=r"X is one-dimensional \(5 values\).* X\.reshape\(1, -1\)"):
        est.predict(rng.rand(5))
    with pytest.raises(ValueError, match="NaN"):
        est.predict(np.full((3, 5), np.nan))
    with pytest.raises(TypeError, match="sparse"):
        est.predict(sp.csr_matrix(np.ones((3, 5))))
    est3d = Estimator(**TINY).fit(rng.rand(8, 5, 2), _targets(Estimator, 8))
    with pytest.raises(ValueError, match="X has 3 features per time step, but .* expecting 2"):
        est3d.predict(rng.rand(3, 5, 3))
    with pytest.raises(ValueError, match="float32"):  # not a silent NaN or class from an infinite input
        est.predict(np.full((3, 5), 1e39))


# -- property-based: whatever is thrown at fit/predict, failures are clear errors

CLEAR_ERRORS = (ValueError, TypeError)

_SHAPES = hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=6)
arrays = st.one_of(
    hnp.arrays(
        dtype=st.sampled_from([np.float64, np.float32, np.int64, np.int8, np.bool_, np.complex64]),
        shape=_SHAPES,
        elements=None,
    ),
    # Object arrays get their elements named: hypothesis 6.100 (pyproject's lowest) infers
    # none for the object dtype, and these are what such arrays hold in practice.
    hnp.arrays(dtype=np.object_, shape=_SHAPES,
               elements=st.one_of(st.floats(), st.integers(), st.text(max_size=3), st.none())),
    st.lists(st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=0, max_size=5), max_size=5),
)


def _assert_clear(call):
    try:
        call()
    except CLEAR_ERRORS as error:
        assert str(error), f"{type(error).__name__} without a message"
        return False
    return True


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(X=arrays, y=arrays, Estimator=st.sampled_from(ESTIMATORS))
def test_random_inputs_fail_only_with_clear_errors(X, y, Estimator):
    est = Estimator(nb_filters=2, epochs=1, batch_size=8)
    fitted = _assert_clear(lambda: est.fit(X, y))
    if not fitted:
        assert not hasattr(est, "model_")
        return
    assert _assert_clear(lambda: est.predict(X)) is True
    _assert_clear(lambda: est.predict(np.asarray(X)[:, :1] if np.ndim(X) >= 2 else X))


# -- sktime's layouts: DataFrame panels are read as their series; a transposed array is flagged


def _panel(rng, n=6, n_timesteps=7, n_channels=2):
    """(n, time, channels) values and the same series as sktime's numpy3D (n, channels, time)."""
    X = rng.rand(n, n_timesteps, n_channels)
    return X, X.transpose(0, 2, 1)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_sktime_nested_frames_give_the_predictions_of_their_series(Estimator, rng):
    from sktime.datatypes import convert_to

    X, numpy3d = _panel(rng)
    nested = convert_to(numpy3d, to_type="nested_univ")
    est = Estimator(**TINY, random_state=0).fit(X, _targets(Estimator, len(X)))
    expected = est.predict(X)
    # Names where the fit had none, and none where it had some: scikit-learn's warnings.
    with pytest.warns(UserWarning, match="X has feature names, but .* was fitted without feature names"):
        np.testing.assert_array_equal(est.predict(nested), expected)
    fitted_on_frame = Estimator(**TINY, random_state=0).fit(nested, _targets(Estimator, len(X)))
    assert fitted_on_frame.n_features_in_ == X.shape[2]
    np.testing.assert_array_equal(fitted_on_frame.feature_names_in_, nested.columns)
    np.testing.assert_array_equal(fitted_on_frame.predict(nested), expected)
    with pytest.warns(UserWarning, match="X does not have valid feature names, but .* was fitted with feature names"):
        np.testing.assert_array_equal(fitted_on_frame.predict(X), expected)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_nested_frames_columns_are_checked_by_name(Estimator, rng):
    import pandas as pd

    X, _ = _panel(rng, n=8, n_timesteps=6, n_channels=2)
    nested = pd.DataFrame({name: [pd.Series(x) for x in X[:, :, k]] for k, name in enumerate(["temp", "pressure"])})
    est = Estimator(**TINY, random_state=0).fit(nested, _targets(Estimator, 8))
    assert est.feature_names_in_.tolist() == ["temp", "pressure"]
    # Swapped channels would be read by position, silently: refused as scikit-learn refuses a 2D frame's.
    with pytest.raises(ValueError, match="Feature names must be in the same order as they were in fit"):
        est.predict(nested[["pressure", "temp"]])
    with pytest.raises(ValueError, match="Feature names unseen at fit time:\n- humidity"):
        est.predict(nested.rename(columns={"pressure": "humidity"}))
    # Unequal lengths (a list of series once read) keep the names and their check.
    ragged = pd.DataFrame({name: [pd.Series(np.arange(n, dtype=float)) for n in (4, 6)]
                           for name in ["temp", "pressure"]})
    with pytest.raises(ValueError, match="same order"):
        est.predict(ragged[["pressure", "temp"]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        est.predict(ragged)
    # Refit on an array: the names go, as scikit-learn's estimators drop them.
    assert not hasattr(est.fit(X, _targets(Estimator, 8)), "feature_names_in_")


def test_nested_frames_of_unequal_lengths_are_padded_like_ragged_lists():
    import pandas as pd

    from sktcn._validation import as_series_array, from_panel_frame

    short, long = np.array([1.0, 2.0]), np.array([3.0, 4.0, 5.0])
    nested = pd.DataFrame({"a": [pd.Series(short), pd.Series(long)]})
    np.testing.assert_array_equal(as_series_array(from_panel_frame(nested))[0], as_series_array([short, long])[0])


def test_numeric_dataframes_stay_tables_whatever_their_index():
    import pandas as pd

    from sktcn._validation import from_panel_frame

    table = pd.DataFrame(np.ones((3, 4)))
    # A row index of (subject, trial) looks like sktime's pd-multiindex panel;
    # it was, and stays, a table of one series per row.
    two_level = table.set_axis(pd.MultiIndex.from_tuples([("a", 0), ("a", 1), ("b", 0)]))
    assert from_panel_frame(table) is table and from_panel_frame(two_level) is two_level


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_a_table_with_a_two_level_row_index_gives_a_prediction_per_row(Estimator, rng):
    import pandas as pd

    X = pd.DataFrame(rng.rand(8, 5), index=pd.MultiIndex.from_product([range(4), range(2)]))
    est = Estimator(**TINY).fit(X, _targets(Estimator, 8))
    assert len(est.predict(X)) == 8


def test_sktime_global_reduction_hands_the_regressor_a_two_level_table():
    # make_reduction(pooling="global") fits its regressor on lags of every
    # series at once, a table indexed by (series, time): refusing such frames
    # broke this workflow.
    from sktime.forecasting.compose import make_reduction
    from sktime.utils._testing.hierarchical import _make_hierarchical

    y = _make_hierarchical(hierarchy_levels=(2,), min_timepoints=20, max_timepoints=20, random_state=0)
    forecaster = make_reduction(TCNRegressor(**TINY), window_length=4, strategy="recursive", pooling="global")
    prediction = forecaster.fit(y, fh=[1, 2]).predict()
    assert prediction.shape == (4, 1) and np.isfinite(prediction.to_numpy()).all()


@pytest.mark.parametrize(
    "cells, match",
    [
        (["series", "scalar"], "other than a 1D series"),
        (["series", "short series"], "different lengths"),
    ],
)
def test_bad_nested_rows_name_the_row_and_the_fix(cells, match):
    import pandas as pd

    from sktcn._validation import from_panel_frame

    make = {"series": pd.Series([1.0, 2.0, 3.0]), "short series": pd.Series([1.0]), "scalar": 1.0}
    good = {f"c{k}": [pd.Series([0.0, 0.0, 0.0])] for k in range(len(cells))}
    bad = {f"c{k}": [make[cell]] for k, cell in enumerate(cells)}
    frame = pd.concat([pd.DataFrame(good), pd.DataFrame(bad)], ignore_index=True)
    with pytest.raises(ValueError, match=f"Row 1 of the nested DataFrame X .*{match}"):
        from_panel_frame(frame)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_fit_warns_when_3d_X_looks_like_sktimes_numpy3d(Estimator, rng):
    X, numpy3d = _panel(rng, n_timesteps=9, n_channels=2)
    y = _targets(Estimator, len(X))
    message = r"\(6, 2, 9\), read as 2 time step\(s\) of 9 features.*transpose\(0, 2, 1\)"
    with pytest.warns(UserWarning, match=message) as caught:
        est = Estimator(**TINY).fit(numpy3d, y)
    # It points at the caller's line, not at sktcn's or scikeras' internals.
    assert {w.filename for w in caught if "read as" in str(w.message)} == {__file__}
    # Predicting in the other layout than the fit's: the error says how to mend it.
    with pytest.raises(ValueError, match=r"expecting 9 features per time step.*transpose\(0, 2, 1\)"):
        est.predict(X)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*read as")
        Estimator(**TINY).fit(X, y)  # (n, time, channels): no warning


def test_the_forecasters_own_windows_raise_no_layout_warning():
    import pandas as pd

    from sktcn import TCNForecaster

    index = pd.period_range("2000-01", periods=40, freq="M")
    y = pd.Series(np.sin(np.arange(40) / 3.0) + 5.0, index=index)
    X = pd.DataFrame(np.random.RandomState(0).normal(size=(40, 5)), index=index)
    with warnings.catch_warnings():
        # Windows of 3 steps with 6 channels (the series and 5 covariates) are
        # (window, step, channel) by construction.
        warnings.filterwarnings("error", message=".*read as")
        TCNForecaster(window_length=3, epochs=1, nb_filters=2, n_networks=1, calibration_size=0,
                      random_state=0).fit(y, X=X, fh=[1, 2])


def _fitted_state(est):
    """What a failed call must leave as it was: attributes, weights, history."""
    return dict(vars(est)), [variable.numpy() for variable in est.model_.weights], dict(est.history_)


def _assert_unchanged(est, state, X, before):
    attributes, weights, history = state
    assert vars(est).keys() == attributes.keys() and est.model_ is attributes["model_"]
    for variable, value in zip(est.model_.weights, weights, strict=True):
        np.testing.assert_array_equal(variable.numpy(), value)
    assert dict(est.history_) == history
    np.testing.assert_array_equal(est.predict(X), before)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("warm", ["partial_fit", "warm_start"])
@pytest.mark.parametrize("first_outputs, then_outputs", [(1, 2), (2, 1)])
def test_warm_starts_refuse_targets_with_other_outputs(Estimator, warm, first_outputs, then_outputs, rng):
    X = rng.normal(size=(20, 8))
    y = _targets(Estimator, 20)
    shaped = {1: y, 2: np.c_[y, y[::-1]]}
    est = Estimator(**TINY, random_state=0, warm_start=warm == "warm_start").fit(X, shaped[first_outputs])
    before, state = est.predict(X), _fitted_state(est)
    train = est.partial_fit if warm == "partial_fit" else est.fit
    match = rf"y of shape .* has {then_outputs} output\(s\), but the fitted network .* has {first_outputs}.*warm_start=False"
    with pytest.raises(ValueError, match=match):
        train(X, shaped[then_outputs])
    # Two samples of one target are not one sample of two (the old code read them so).
    with pytest.raises(ValueError, match="output"):
        train(X[:2], shaped[then_outputs][:2])
    _assert_unchanged(est, state, X, before)
    train(X, shaped[first_outputs])  # the same outputs train on


def test_a_column_vector_y_is_one_label_per_sample(rng):
    from sklearn.exceptions import DataConversionWarning

    X = rng.normal(size=(20, 8))
    labels = np.array(["a", "b"] * 10)
    clf = TCNClassifier(**TINY, random_state=0)
    with pytest.warns(DataConversionWarning, match="column-vector y") as record:
        clf.fit(X, labels[:, None])
    assert record[0].filename == __file__  # the warning names the caller's line
    assert clf.predict(X).shape == (20,) and clf.predict_proba(X).shape == (20, 2)
    assert clf.predict_proba(X)[:, 1].shape == (20,)
    with pytest.warns(DataConversionWarning):
        clf.partial_fit(X, labels[:, None])  # the same single output as y (n,)
    clf.partial_fit(X, labels)
    # The regressor keeps a column of targets as one output column, as Ridge does.
    assert TCNRegressor(**TINY).fit(X, X[:, -1:]).predict(X).shape == (20, 1)


@pytest.mark.parametrize("dtype", ["Int64", "boolean"])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_score_reads_a_frame_of_nullable_labels_as_fit_does(rng, dtype, return_sequences):
    # np.asarray made several such columns an object array, which accuracy_score
    # called "unknown" targets, though fit and predict took them.
    X = rng.normal(size=(20, 6))
    labels = (X > 0).astype(int) if return_sequences else np.c_[np.arange(20) % 3, X[:, 0] > 0]
    y = pd.DataFrame(labels).astype(dtype if dtype != "boolean" else int)
    if dtype == "boolean":
        y = (y > 0).astype("boolean")
    clf = TCNClassifier(**TINY, random_state=0, return_sequences=return_sequences).fit(X, y)
    plain = y.to_numpy(dtype=int if dtype == "Int64" else bool)
    assert clf.score(X, y) == clf.score(X, plain) == np.mean(clf.predict(X) == plain)


@pytest.mark.parametrize("classes", [{"a", "b", "c"}, {"a": 0, "b": 1, "c": 2}.keys(), "abc"])
def test_declared_classes_in_a_set_or_a_dict_view_are_refused_as_not_array_like(rng, classes):
    # np.unique read a set as one object: "classes=[{'a', 'b', 'c'}] declares one class only".
    X, y = rng.normal(size=(9, 8)), np.array(list("abc") * 3)
    clf = TCNClassifier(**TINY)
    with pytest.raises(ValueError, match=r"classes should be an array-like of labels .*got a (set|dict_keys|str)\. "
                                         r"Pass the labels as a list"):
        clf.partial_fit(X, y, classes=classes)
    assert not hasattr(clf, "model_") and not hasattr(clf, "_declared_classes")


def test_declared_classes_too_few_are_named_as_the_problem(rng):
    X, y = rng.normal(size=(20, 8)), np.array([0, 1] * 10)
    with pytest.raises(ValueError, match=r"classes=\[0\] declares one class only.*y also holds \[1\], missing from classes"):
        TCNClassifier(**TINY).partial_fit(X, y, classes=[0])
    with pytest.raises(ValueError, match=r"classes=\[0\] declares one class only; .* Declare in classes"):
        TCNClassifier(**TINY).partial_fit(X, np.zeros(20, int), classes=[0])


def test_scaling_variance_beyond_float32_is_refused():
    from sktcn._network import check_scaling_variance, scaling_statistics

    X = np.random.RandomState(0).normal(size=(20, 8, 2))
    X[..., 1] *= 1e20  # finite in float32, but its variance (1e40) is not
    with pytest.raises(ValueError, match=r"X.s feature 1 has a standard deviation of 9\.81e\+19.*Rescale X, e\.g\. divide it by 1e19"):
        scaling_statistics(X, "auto")
    assert scaling_statistics(X / 1e2, "auto")[1][1] < np.finfo(np.float32).max
    check_scaling_variance(np.array([np.finfo(np.float32).max]))  # the largest that float32 holds


def test_inputs_too_large_for_the_input_scaling_fail_the_fit(series_2d):
    X, y = series_2d
    reg = TCNRegressor(**TINY).fit(X, y)
    before = reg.predict(X)
    with pytest.raises(ValueError, match="too large for the input scaling.*Rescale X"):
        reg.fit(X * 1e20, y)  # was: a constant prediction, silently
    np.testing.assert_array_equal(reg.predict(X), before)


def test_input_scaling_warns_about_features_below_the_least_it_divides_by(rng):
    # Keras' Normalization divides by max(std, 1e-7): a smaller feature stayed tiny, and the
    # network learnt nothing from it, silently (R^2 0.74 at scale 1, 0.14 at 1e-9, 0 at 1e-12).
    from sktcn._network import scaling_statistics

    X = rng.normal(size=(40, 12, 2))
    X[..., 1] *= 1e-9
    with pytest.warns(UserWarning, match=r"input_scaling='standard' cannot standardise X's feature \[1\]: its "
                                         r"standard deviation \([\d.]+e-(09|10)\) is below 1e-07.*Multiply it by"):
        TCNRegressor(**TINY, input_scaling="standard").fit(X, X[:, -1, 0])
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        scaling_statistics(X * [1.0, 1e3], "standard")  # a std of 1e-6: divided by it
        scaling_statistics(X * [1.0, 1e3], "auto")  # values up to ~3e-6, standardised: a std of 1e-6, divided by
        scaling_statistics(np.ones((4, 5, 1)), "standard")  # constant: nothing to scale
        scaling_statistics(np.full((4, 5, 1), 1e-9), "auto")  # constant and tiny: centred, nothing to scale
        # Rounding residue about a constant (intervals from np.diff of float times) is no variation to scale up.
        scaling_statistics(np.diff(np.arange(40 * 13.0).reshape(40, 13) * 0.1, axis=1)[..., None] * 1e3, "standard")


def test_input_scaling_auto_warns_about_small_features_it_cannot_standardise(rng):
    # A strain of 1e-12 went in at 1e-12 and the network learnt nothing from it (test R^2 0.94
    # at scale 1, 0.00 at 1e-12), silently. "auto" standardises features that small, but the
    # scaling layer divides by at least 1e-7, so this one stays small: fit says so.
    X = rng.normal(size=(40, 12, 2))
    X[..., 1] *= 1e-12
    with pytest.warns(UserWarning, match=r"input_scaling='auto' cannot standardise X's feature \[1\]: its standard "
                                         r"deviation \([\d.]+e-1[23]\) is below 1e-07.*by a constant \(e\.g\. 1e1[23]\)"):
        TCNRegressor(**TINY).fit(X, X[:, -1, 0])


def test_float64_X_whose_variation_float32_rounds_away_is_named(rng):
    # The network reads float32: X + 1e8 became one repeated value (R^2 0, silently), X + 1e7
    # seven values (R^2 0.69 against 0.74). y gets float64 care (regressor.float32_keeps_spread).
    X = rng.normal(size=(40, 12))
    reg = TCNRegressor(**TINY)
    with pytest.raises(ValueError, match=r"X's feature \[0\] \(a mean of 1e\+08 .*becomes constant when cast to "
                                         r"float32.*Centre X in float64 first"):
        reg.fit(X + 1e8, X[:, -1])
    assert not hasattr(reg, "model_")
    with pytest.warns(UserWarning, match=r"X's feature \[0\] .*loses much of its variation when cast to float32"):
        reg.fit(X + 1e7, X[:, -1])
    from sktcn._validation import check_float32_spread

    X3 = np.stack([X, X + 1e7, X + 1e8], axis=-1)  # one feature left: a warning names the others
    with pytest.warns(UserWarning, match=r"X's features \[1, 2\] \(the first: a mean of 1e\+07"):
        check_float32_spread(X3, X3.astype(np.float32))
    with pytest.raises(ValueError, match=r"becomes constant.*Rescale X first, e\.g\. multiply it by 1e4"):
        check_float32_spread(X * 1e-46, (X * 1e-46).astype(np.float32)[:, :, None])  # underflows to 0
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        for ordinary in (X + 1e4, np.full((3, 4), 1e8 + 0.5), (X * 1000).astype(np.int64)):
            check_float32_spread(ordinary, ordinary.astype(np.float32)[:, :, None])
        reg.predict(X + 1e8)  # predictions are not checked (a fit warns once)


def test_X_constant_up_to_float64_rounding_fits_without_a_warning(rng):
    # 2.99 * units / units is 2.99 give or take 9e-16: fit took that for variation float32
    # rounds away and refused X (a regression: sktime's make_reduction fitted it before), and
    # intervals from np.diff of float times (100 +- 1e-11) were "losing their variation".
    from sktime.forecasting.compose import make_reduction

    from sktcn._validation import check_float32_spread

    units = rng.randint(1, 500, size=48)
    price = pd.Series(2.99 * units / units, index=pd.period_range("2000-01", periods=48, freq="M"))
    assert np.ptp(price.to_numpy()) > 0  # not exactly constant
    interval = np.diff(np.arange(40 * 13.0).reshape(40, 13) * 0.1, axis=1) * 1e3
    X = np.stack([rng.normal(size=(40, 12)), interval], axis=-1)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        check_float32_spread(X, X.astype(np.float32))
        check_float32_spread(interval, interval.astype(np.float32)[..., None])
        forecaster = make_reduction(TCNRegressor(**TINY, dilations=(1, 2)), window_length=6, strategy="recursive")
        prediction = forecaster.fit(price, fh=[1, 2]).predict()
    np.testing.assert_allclose(prediction.to_numpy(), 2.99, rtol=1e-6)


def test_float32_check_reads_the_variation_within_each_series(rng):
    # With a level of its own per series (1e8-2e8: a device's offset) the spread over all
    # series is the levels', and the cast's rounding of the variation within the series
    # (test R^2 -0.02 against 0.94) went unnoticed.
    from sktcn._validation import check_float32_spread

    x = rng.normal(size=(60, 12, 1))
    levels = rng.uniform(1e8, 2e8, size=(60, 1, 1))
    message = (r"X's feature \[0\] \(a typical standard deviation within a series of [\d.]+, on levels from "
               r"[\d.]+e\+08 to [\d.]+e\+08\) loses much of its variation within most series"
               r".*Subtract each series' own level")
    for X in (levels + x, (levels + x)[..., 0]):  # 3D and 2D X
        with pytest.warns(UserWarning, match=message):
            check_float32_spread(X, X.astype(np.float32).reshape(60, 12, 1))
    ragged = [(levels[i] + x[i, : 8 + i % 4]) for i in range(60)]
    with pytest.warns(UserWarning, match=message):
        check_float32_spread(ragged, [s.astype(np.float32) for s in ragged])
    static = np.concatenate([x, np.broadcast_to(levels, x.shape)], axis=-1)  # a level per series, constant in each
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        check_float32_spread(static, static.astype(np.float32))
        check_float32_spread(levels * 1e-5 + x, (levels * 1e-5 + x).astype(np.float32))  # levels of 1e3: kept


def _spread_verdict(given, single):
    """check_float32_spread's warnings and error on (given, single), as texts."""
    from sktcn._validation import check_float32_spread

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            check_float32_spread(given, single)
            error = None
        except ValueError as exc:
            error = str(exc)
    return [str(w.message) for w in caught], error


def test_float32_screen_and_blocks_give_the_exact_checks_verdicts(rng, monkeypatch):
    # The check reads min and max first and runs the exact check (in blocks of series) only
    # where they cannot clear X: the verdicts, features and figures must be the single pass's.
    import sktcn._validation as validation

    cases = []
    for factor in (0.3, 0.8, 1.0, 1.25, 3.0):  # rounding error about tolerance x std, either side
        level = 2.0**24  # float32's step there is 2
        X = level + rng.normal(size=(13, 9, 2)) * 2 * factor / validation._X_FLOAT32_TOLERANCE / 2
        X[:, :, 1] -= level  # a feature the screen clears
        cases.append((X, X.astype(np.float32)))
        levels = level * rng.uniform(1, 2, size=(13, 1, 1))  # levels of their own: the check within series
        within = levels + X[..., :1] - level
        cases.append((within[..., 0], within.astype(np.float32)))
        ragged = [within[i, : 5 + i % 4] for i in range(13)]
        cases.append((ragged, [x.astype(np.float32) for x in ragged]))
    constant = np.full((5, 4, 1), 0.1)  # rounded by float32, but no spread to lose
    cases.append((constant, constant.astype(np.float32)))
    verdicts = [_spread_verdict(*case) for case in cases]
    assert any(verdict != ([], None) for verdict in verdicts) and ([], None) in verdicts
    monkeypatch.setattr(validation, "_SPREAD_BLOCK", 2)
    assert [_spread_verdict(*case) for case in cases] == verdicts
    monkeypatch.setattr(validation, "_float32_surely_keeps_spread", lambda *args: False)
    assert [_spread_verdict(*case) for case in cases] == verdicts


def test_float32_check_sums_over_series_in_the_order_of_X_layout(monkeypatch):
    # The blocks' statistics went into C-ordered arrays, so an F-ordered X's overall mean (the
    # sum over series) added in another order than series.mean(axis=1)'s: "a mean of 1.23e+08",
    # not 1.24e+08, for a mean of 1.235e8. Either rounding is fair; a change of layout was not.
    import sktcn._validation as validation

    X = np.empty((24, 4, 2))
    X[:] = 1.235e8 + np.array([1.0, -1.0, 1.0, -1.0])[None, :, None]  # float32 rounds +-1 away
    wide = np.asfortranarray(np.concatenate([X, X], axis=2))
    seen = []
    varies = validation.varies_beyond_rounding
    monkeypatch.setattr(validation, "varies_beyond_rounding", lambda std, mean: seen.append(mean) or varies(std, mean))
    layouts = [
        ("1.23", X),  # C order: adds series after series
        ("1.24", np.asfortranarray(X)),  # the series adjacent: adds them pairwise
        ("1.24", wide[:, :, ::2]),
        ("1.24", X.transpose(1, 2, 0).copy().transpose(2, 0, 1)),
    ]
    for mean, series in layouts:
        seen.clear()
        with pytest.raises(ValueError, match=rf"a mean of {mean}e\+08 and a standard deviation of 1\)"):
            validation.check_float32_spread(series, series.astype(np.float32))
        expected = (np.full((len(series), 1), 1 / len(series)) * series.mean(axis=1)).sum(axis=0)
        assert seen[0].tobytes() == expected.tobytes()


def test_extremes_over_time_are_each_series_min_and_max(rng):
    import sktcn._validation as validation

    for shape in [(3, 30, 1), (3, 64, 1), (3, 64, 2), (3, 100, 2), (3, 7, 3), (2, 96, 5)]:
        x = rng.normal(size=shape)
        for series in (x, np.asfortranarray(x)):
            low, high = validation._extremes_over_time(series)
            assert np.array_equal(low, series.min(axis=1)) and np.array_equal(high, series.max(axis=1))


def test_float32_check_of_ordinary_X_reads_min_and_max_only(rng, monkeypatch):
    # The exact check made ~40 passes and 2 GiB of temporaries over a 1 GiB X before training,
    # where float32 provably keeps the spread.
    import sktcn._validation as validation

    def exact(*args):
        raise AssertionError("the exact check ran")

    monkeypatch.setattr(validation, "_within_series_statistics", exact)
    X = rng.normal(size=(20, 30, 3)) + [0.0, 1e3, -5.0]
    validation.check_float32_spread(X, X.astype(np.float32))
    ragged = [X[i, : 10 + i] for i in range(20)]
    validation.check_float32_spread(ragged, [x.astype(np.float32) for x in ragged])


def test_plain_y_is_read_as_check_array_reads_it():
    # score read even a plain float array through check_array (~70 us, most of a small score).
    from sklearn.utils.validation import check_array

    from sktcn._validation import target_array

    for y, dtype in [
        (np.array([1.5, 2.0]), None),
        (np.array([[1], [2]]), np.float64),
        (np.array([True, False]), None),
        (np.arange(12.0).reshape(2, 3, 2), np.float64),
    ]:
        expected = check_array(y, ensure_2d=False, allow_nd=True, dtype=dtype, input_name="y")
        got = target_array(y, dtype)
        assert got.dtype == expected.dtype and np.array_equal(got, expected)
    for y in (np.array([1.0, np.nan]), np.array([np.inf]), np.empty(0)):
        with pytest.raises(ValueError) as expected:
            check_array(y, ensure_2d=False, allow_nd=True, dtype=np.float64, input_name="y")
        with pytest.raises(ValueError, match=re.escape(str(expected.value))):
            target_array(y, np.float64)


@pytest.mark.skipif(np.finfo(np.longdouble).max <= np.finfo(np.float64).max, reason="longdouble is float64 here")
def test_longdouble_y_beyond_float64_warns_of_the_overflow_once():
    # The fast path's cast warned "overflow encountered in cast", then check_array again.
    from sktcn._validation import target_array

    y = np.array([1.0, 2.0], dtype=np.longdouble) * np.longdouble(10) ** 400
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ValueError, match=r"Input y contains infinity or a value too large"):
            target_array(y, np.float64)
    assert [str(w.message) for w in caught] == ["overflow encountered in cast"]


@pytest.mark.parametrize("dtype, level", [("Float64", 1e9), ("Int64", 10**10)])
def test_float32_check_reads_pandas_nullable_dtypes(rng, dtype, level):
    # DataFrame.convert_dtypes() gives Float64 / Int64 columns, which NumPy reads as objects:
    # the check was skipped, and X that float32 turns into one value fitted silently.
    X = pd.DataFrame((rng.normal(size=(40, 12)) * 3).round() + level).astype(dtype)
    reg = TCNRegressor(**TINY)
    with pytest.raises(ValueError, match=r"X's feature \[0\] .*becomes constant when cast to float32"):
        reg.fit(X, np.arange(40.0))
    assert not hasattr(reg, "model_")


def test_X_beyond_float32_is_refused_by_name_without_numpy_warnings(series_2d):
    # Was scikit-learn's "Input contains infinity or a value too large for dtype('float32')",
    # with NumPy's "overflow encountered in cast" and "invalid value encountered in reduce".
    X, y = series_2d
    reg = TCNRegressor(**TINY).fit(X, y)
    huge = X.astype(np.float64) * 1e39
    message = r"X holds values up to .*e\+39 in magnitude, beyond float32's range.*must fit it \(at most about 3\.4e38"
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(ValueError, match=message):
            TCNRegressor(**TINY).fit(huge, y)
        with pytest.raises(ValueError, match=message):
            reg.predict(huge)
        with pytest.raises(ValueError, match="Input X contains infinity.*no missing or infinite values in X: fill"):
            reg.predict(np.where(X > 0, np.inf, X))
        # Series of different lengths (a list, a nested frame) got scikit-learn's message and NumPy's warnings.
        ragged = [x[: len(x) - i % 3] for i, x in enumerate(huge)]
        with pytest.raises(ValueError, match=message.replace("X holds", r"X\[0\] holds")):
            TCNRegressor(**TINY).fit(ragged, y)
        with pytest.raises(ValueError, match=message.replace("X holds", r"X\[0\] holds")):
            reg.predict(ragged)


def test_weights_that_became_non_finite_fail_the_fit(rng):
    X = rng.normal(size=(20, 8))
    params = dict(nb_filters=4, kernel_size=2, dilations=(1, 2), epochs=1, batch_size=16, random_state=0,
                  input_scaling=None)
    reg = TCNRegressor(**params).fit(X, X[:, -1])
    before, state = reg.predict(X), _fitted_state(reg)
    # Raw inputs of 1e25: the last step's update overflows after the epoch's loss was read.
    with pytest.raises(ValueError, match="Training diverged: the network's weights became NaN or infinite"):
        reg.fit(X * 1e25, X[:, -1])
    _assert_unchanged(reg, state, X, before)


def test_float32_targets_are_read_without_a_float64_copy(series_2d, monkeypatch):
    # float32 keeps its own spread: the check in float64 cost the forecaster's forking targets
    # 6.6 times their size at peak. Other targets still get it; non-finite float32 ones are still refused.
    from sktcn import regressor

    X, y = series_2d
    checked = []
    keeps = regressor.float32_keeps_spread
    monkeypatch.setattr(regressor, "float32_keeps_spread", lambda *args: checked.append(1) or keeps(*args))
    single = np.asarray(y, np.float32)
    read = TCNRegressor()._as_target_array(single)
    assert read is single and not checked
    assert TCNRegressor()._as_target_array(single.astype(np.float64)).dtype == np.float32 and checked == [1]
    with pytest.raises(ValueError, match="NaN|infinity"):
        TCNRegressor()._as_target_array(np.array([1.0, np.inf], np.float32))
    a = TCNRegressor(**TINY, random_state=0).fit(X, single)
    b = TCNRegressor(**TINY, random_state=0).fit(X, single.astype(np.float64))
    np.testing.assert_array_equal(a.predict(X), b.predict(X))


def test_targets_beyond_float_range_get_a_message_about_y(series_2d):
    from sktcn.regressor import finite_statistics, float32_keeps_spread

    X, y = series_2d
    huge = y.astype(np.float64) * 1e200
    with pytest.raises(ValueError, match=r"y holds values up to .*e\+200 in magnitude.*Rescale y"):
        TCNRegressor(**TINY).fit(X, huge)
    # Beyond float32, within float64's spread: trained in float64.
    with np.errstate(over="ignore"):
        assert not float32_keeps_spread(huge / 1e100, (huge / 1e100).astype(np.float32))
    reg = TCNRegressor(**TINY, random_state=0).fit(X, huge / 1e100)
    assert reg.target_encoder_.scale_.dtype == np.float64 and np.isfinite(reg.predict(X)).all()
    finite_statistics(np.float64(1.0), np.float64(1.0), huge)
    # NaN statistics from NaN targets are named, not taken for an overflow (int(log10(nan)) raised).
    missing = np.array([1.0, np.nan])
    with pytest.raises(ValueError, match="y holds NaN or infinite values.*drop or impute"), np.errstate(invalid="ignore"):
        finite_statistics(missing.mean(), missing.std(), missing)
    # A warm start's targets far off the first fit's scale: named, the estimator unchanged.
    reg = TCNRegressor(**TINY, random_state=0).fit(X, y)
    before, state = reg.predict(X), _fitted_state(reg)
    with pytest.raises(ValueError, match="y holds values up to .*beyond float32's range.*warm_start=False"):
        reg.partial_fit(X, y.astype(np.float64) * 1e100)
    _assert_unchanged(reg, state, X, before)


def test_negative_sample_weights_are_refused():
    X = np.random.RandomState(0).normal(size=(8, 5))
    with pytest.raises(ValueError, match="Negative values in data passed to `sample_weight`"):
        TCNRegressor(**TINY).fit(X, np.arange(8.0), sample_weight=[1.0] * 7 + [-1.0])


def test_sample_weights_are_checked_without_the_keyword_older_scikit_learn_lacks(monkeypatch):
    # scikit-learn 1.6 and 1.7 (which pyproject allows) have no allow_all_zero_weights keyword;
    # the all-zero check is sktcn's own there, with scikit-learn's message.
    import sktcn._validation as validation

    check = validation._check_sample_weight

    def check_of_sklearn_17(sample_weight, X, *, dtype=None, ensure_non_negative=False, copy=False):
        return check(sample_weight, X, dtype=dtype, ensure_non_negative=ensure_non_negative, copy=copy,
                     allow_all_zero_weights=True)

    if validation._takes_all_zero_keyword(check):  # scikit-learn 1.8 on: stand in 1.7's signature
        monkeypatch.setattr(validation, "_check_sample_weight", check_of_sklearn_17)
    X = np.zeros((3, 5))
    assert validation.checked_sample_weight([1.0, 0.0, 2.0], X).tolist() == [1.0, 0.0, 2.0]
    assert validation.checked_sample_weight(np.zeros(3), X, allow_all_zero=True).tolist() == [0.0] * 3
    with pytest.raises(ValueError, match="Sample weights must contain at least one non-zero number"):
        validation.checked_sample_weight(np.zeros(3), X)
    with pytest.raises(ValueError, match="Negative values"):
        validation.checked_sample_weight([1.0, -1.0, 1.0], X)


def test_warm_starts_name_both_shapes_when_only_the_layout_of_the_outputs_differs(rng):
    X = rng.normal(size=(20, 8))
    labels = (X > 0).astype(int)
    clf = TCNClassifier(**TINY, random_state=0, return_sequences=True).fit(X, labels)
    match = r"y has shape \(20, 8, 1\), but the fitted network of TCNClassifier was built for y of shape \(n_samples, n_timesteps\): .*warm_start=False"
    with pytest.raises(ValueError, match=match):
        clf.partial_fit(X, labels[..., None])


def test_set_params_with_a_misspelt_name_lists_the_valid_parameters():
    # scikeras' message advised TCNRegressor(nb_filter=3), which sktcn refuses.
    with pytest.raises(ValueError, match=r"Invalid parameter 'nb_filter' for estimator TCNRegressor.*Valid parameters are: \[.*'nb_filters'") as info:
        TCNRegressor().set_params(nb_filter=3)
    assert "constructor" not in str(info.value)
    reg = TCNRegressor().set_params(nb_filters=3, fit__shuffle=False, callbacks__0__patience=2, optimizer__beta_1=0.8)
    assert reg.nb_filters == 3 and reg.get_params()["fit__shuffle"] is False and reg.optimizer__beta_1 == 0.8


@pytest.mark.parametrize("loss", ["mape", "msle", "poisson", keras.losses.MeanAbsolutePercentageError()])
def test_losses_for_positive_numbers_in_their_own_units_are_refused_on_standardised_targets(loss):
    # They passed: on standardised targets (mean 0) "mape" and "msle" scored test R² about 0,
    # and "poisson" diverged with a message blaming X and y.
    from sktime.datasets import load_airline

    with pytest.raises(ValueError, match="needs targets in their own units .* standardised targets"):
        TCNRegressor(**TINY, loss=loss)._check_loss()
    f = TCNForecaster(**TINY, loss=loss)
    with pytest.raises(ValueError, match="needs targets in their own units"):
        f.fit(load_airline()[:40], fh=[1])
    assert not f.is_fitted
    with pytest.raises(ValueError, match="is a regression loss"):
        TCNClassifier(**TINY, loss=loss)._check_loss()


def test_metrics_for_positive_numbers_in_their_own_units_are_refused_on_standardised_targets():
    with pytest.raises(ValueError, match=r"metrics \['mape', 'msle'\] compare targets in their own units"):
        TCNRegressor(**TINY, metrics=["mae", "mape", "msle"])._check_loss()


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_sktimes_pipelines_that_flatten_several_channels_warn(Estimator):
    # sktime's `transformer * estimator` gives a scikit-learn estimator one row
    # per series, its channels one after another: the network would read the
    # 3 channels of 10 steps as one series of 30.
    from sktime.transformations.series.exponent import ExponentTransformer

    X = np.random.default_rng(0).normal(size=(12, 3, 10))  # sktime's numpy3D: (n, channels, steps)
    y = _targets(Estimator, len(X))
    pipeline = ExponentTransformer(power=1) * Estimator(**TINY)
    with pytest.warns(UserWarning, match="flattened a panel of 3 channels into one row of 30 values") as record:
        pipeline.fit(X, y)
    assert record[0].filename == __file__  # the user's line
    assert pipeline.predict(X).shape == (12,)


@pytest.mark.parametrize("case", ["one channel", "features"])
def test_sktimes_pipelines_that_flatten_nothing_to_regret_do_not_warn(case):
    from sktime.transformations.series.exponent import ExponentTransformer
    from sktime.transformations.series.summarize import SummaryTransformer

    if case == "one channel":  # flattening loses nothing
        transformer, X = ExponentTransformer(power=1), np.random.default_rng(0).normal(size=(12, 1, 10))
    else:  # features (sktime's Primitives), rightly a table
        transformer, X = SummaryTransformer(), np.random.default_rng(0).normal(size=(12, 3, 10))
    y = np.arange(len(X)) % 2
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*flattened a panel")
        (transformer * TCNClassifier(**TINY)).fit(X, y)
        # Outside such a pipeline, a 2D X is a table of univariate series.
        TCNClassifier(**TINY).fit(X.reshape(len(X), -1), y)


_STAMPS = pd.date_range("2024-01-01", periods=48, freq="D")


@pytest.mark.parametrize("X, message", [
    (_STAMPS.to_numpy().reshape(6, 8), r"X holds dates or times \(datetime64\[.*\]\): the networks read numbers"),
    (_STAMPS.to_numpy().reshape(6, 4, 2), r"X holds dates or times"),
    ((_STAMPS - _STAMPS[0]).to_numpy().reshape(6, 8),
     r"X holds durations \(timedelta64\[.*\]\).*np.timedelta64\(1, 's'\)"),
    (pd.DataFrame({"date": _STAMPS[:6].tz_localize("UTC"), **{f"t{i}": np.arange(6.0) + i for i in range(7)}}),
     r"X holds dates or times \(datetime64\[.*, UTC\]\) in column 'date'"),
], ids=["datetime64", "datetime64-3d", "timedelta64", "frame-with-a-date-column"])
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_dates_and_durations_in_X_are_refused_not_read_as_nanoseconds(Estimator, X, message):
    # An array of them was fit as nanoseconds since 1970, silently; a frame with
    # a date column failed with NumPy's DTypePromotionError, naming no column.
    est = Estimator(**TINY)
    with pytest.raises(TypeError, match=message):
        est.fit(X, np.arange(6) % 2)
    assert not hasattr(est, "model_")
    fitted = Estimator(**TINY, random_state=0).fit(np.zeros((6, 8)), np.arange(6) % 2)
    with pytest.raises(TypeError, match=message):
        fitted.predict(X)
