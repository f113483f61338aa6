"""Files and pickles written by an earlier sktcn load, predict, train and save as that sktcn's models did.

The old files and pickles are today's with what commit ca4fc1c (the first with
``sktcn.load``, format 1) did not write taken out: its parameters and fitted
state are listed here as that commit had them, not read from the table under test.
"""

import inspect
import json
import pickle
import shutil
from pathlib import Path

import keras
import numpy as np
import pandas as pd
import pytest
from sktime.datasets import load_airline
from sktime.split import ExpandingWindowSplitter

import sktcn
from sktcn import TCNClassifier, TCNForecaster, TCNRegressor, persistence
from sktcn.baselines import LSTMRegressor

from conftest import TINY, TINY_LSTM

# The stored pickles were written under NumPy 2, whose arrays pickle as numpy._core
# objects that NumPy 1 (which pyproject allows) has no module for: a pickle read there
# fails in NumPy, before any of sktcn's code runs. Files (sktcn.load) have no such limit.
_NUMPY2_PICKLE = pytest.mark.skipif(np.lib.NumpyVersion(np.__version__) < "2.0.0",
                                    reason="the stored pickle was written by NumPy 2, which NumPy 1 cannot read")

# The parameters of ca4fc1c's estimators (kwargs aside).
_NETWORK_PARAMS_THEN = {
    "nb_filters", "kernel_size", "nb_stacks", "dilations", "padding", "use_skip_connections", "dropout_rate",
    "return_sequences", "activation", "kernel_initializer", "use_batch_norm", "use_layer_norm", "use_weight_norm",
    "go_backwards", "optimizer", "learning_rate", "loss", "metrics", "epochs", "batch_size", "validation_split",
    "early_stopping", "patience", "callbacks", "shuffle", "warm_start", "random_state", "verbose",
}
PARAMS_THEN = {
    TCNClassifier: _NETWORK_PARAMS_THEN | {"class_weight"},
    TCNRegressor: _NETWORK_PARAMS_THEN,
    TCNForecaster: _NETWORK_PARAMS_THEN - {"return_sequences"} | {"window_length", "scaling", "calibration_size"},
}
# The fitted state ca4fc1c saved.
_NETWORK_STATE_THEN = {"_fit_timesteps", "_n_channels", "_output_shape", "_random_state", "dilations_", "history_",
                       "n_features_in_", "n_timesteps_in_", "receptive_field_"}
_FORECASTER_STATE_THEN = {"X", "fh", "horizon_", "residual_quantile_source_", "window_length_", "y", "y_mtype",
                          "y_name"}
# What a pickle of ca4fc1c lacks of today's fitted estimator, besides the parameters added since.
_NETWORK_UNPICKLED = {"_callbacks_built_from", "_configured_learning_rate", "_history_epochs", "_input_statistics",
                      "epochs_", "pooling_", "_ragged_fit_length", "_seed_states"}
_FORECASTER_UNPICKLED = {"_freq_problem", "_series_ends", "_static_statistics", "baseline_", "baseline_revision_",
                         "correction_weight_", "covariates_", "interval_calibration_", "series_scale_", "sp_"}

# Today's estimators as those of ca4fc1c behaved (not today's defaults).
OLD_NETWORK = dict(TINY, random_state=0, pooling="last", n_networks=1, input_scaling=None, input_noise=0.0)
OLD_FORECASTER = dict(TINY, random_state=0, n_networks=1, forking_sequences=False, baseline=None, correction="always",
                      lazy_windows=False, calibration_size=0.0, max_windows_per_series=None)


@pytest.mark.parametrize("Estimator", [TCNClassifier, TCNRegressor, TCNForecaster])
def test_every_parameter_added_since_format_1_has_its_earlier_behaviour(Estimator):
    from sktcn._earlier_versions import ADDED

    # A parameter added without an entry would take today's default in an old
    # file, and be missing from an old pickle altogether.
    assert set(ADDED[Estimator.__name__].params) == _parameter_names(Estimator) - PARAMS_THEN[Estimator]


def _parameter_names(cls):
    """The names of the constructor parameters of ``cls``."""
    return set(inspect.signature(cls.__init__).parameters) - {"self", "kwargs"}


def _series():
    return load_airline().iloc[:48]


def _written_then(description, cls, state_then):
    """Leave a manifest's ``description`` of a ``cls`` the parameters and state ca4fc1c wrote."""
    description["params"] = {k: v for k, v in description["params"].items() if k in PARAMS_THEN[cls]}
    description["state"] = {k: v for k, v in description["state"].items() if k in state_then}
    return description


def _forecaster_as_written_then(path):
    """Rewrite the forecaster saved at ``path`` as ca4fc1c wrote it: its parameters, state and layout."""
    manifest = _written_then(json.loads((path / "manifest.json").read_text()), TCNForecaster, _FORECASTER_STATE_THEN)
    # One network, in "regressor" / regressor.keras.
    (part,) = manifest.pop("regressors")
    manifest["regressor"] = dict(_written_then(part, TCNRegressor, _NETWORK_STATE_THEN), model_file="regressor.keras")
    (path / "regressor_0.keras").rename(path / "regressor.keras")
    manifest["files"] = {"regressor.keras": manifest["files"].pop("regressor_0.keras")}
    (path / "manifest.json").write_text(json.dumps(manifest))
    return path


def test_a_forecaster_saved_before_forking_sequences_forecasts_as_it_did(tmp_path):
    # It loaded with forking_sequences=True, today's default, and forecast other numbers (a panel's failed).
    y = _series()
    f = TCNForecaster(**OLD_FORECASTER).fit(y, fh=[1, 2, 3])
    old = sktcn.load(_forecaster_as_written_then(persistence.save(f, tmp_path / "old")))
    pd.testing.assert_series_equal(old.predict(), f.predict())
    pd.testing.assert_frame_equal(old.predict_interval(coverage=0.8), f.predict_interval(coverage=0.8))
    assert (old.forking_sequences, old.baseline, old.n_networks, old.lazy_windows) == (False, None, 1, False)


@pytest.mark.parametrize("Estimator", [TCNClassifier, TCNRegressor])
def test_a_network_saved_before_input_scaling_refits_without_it(Estimator, series_3d, tmp_path):
    X, labels = series_3d
    y = labels if Estimator is TCNClassifier else X[:, :, 0].mean(axis=1)
    est = Estimator(**OLD_NETWORK).fit(X, y)
    path = est.save(tmp_path / "old")
    manifest = _written_then(json.loads((path / "manifest.json").read_text()), Estimator, _NETWORK_STATE_THEN)
    (path / "manifest.json").write_text(json.dumps(manifest))
    old = sktcn.load(path)
    # Its sktcn fed the inputs as given: a refit must not scale them ("auto" would).
    assert (old.input_scaling, old.pooling, old.pooling_, old.n_networks) == (None, "last", "last", 1)
    np.testing.assert_array_equal(old.predict(X), est.predict(X))


class _PickledThen:
    """Pickles as ``estimator`` did under ca4fc1c: without the attributes ``missing``."""

    def __init__(self, estimator, missing, **replaced):
        self.estimator, self.missing, self.replaced = estimator, missing, replaced

    def __reduce__(self):
        state = {k: v for k, v in self.estimator.__reduce_ex__(2)[2].items() if k not in self.missing}
        return object.__new__, (type(self.estimator),), {**state, **self.replaced}


def _network_pickled_then(est):
    added = set(_parameter_names(type(est))) - PARAMS_THEN[type(est)]
    return _PickledThen(est, added | _NETWORK_UNPICKLED)


@pytest.mark.parametrize("Estimator", [TCNClassifier, TCNRegressor])
def test_a_network_pickled_before_format_1_grew_trains_on(Estimator, series_3d, tmp_path):
    # partial_fit and a warm fit raised AttributeError: no attribute 'distribution_strategy'.
    X, labels = series_3d
    y = labels if Estimator is TCNClassifier else X[:, :, 0].mean(axis=1)
    est = Estimator(**OLD_NETWORK).fit(X, y)
    old = pickle.loads(pickle.dumps(_network_pickled_then(est)))
    np.testing.assert_array_equal(old.predict(X), est.predict(X))
    old.partial_fit(X, y)
    old.set_params(warm_start=True).fit(X, y)
    assert old.get_params() == dict(est.get_params(), warm_start=True)
    again = sktcn.load(old.save(tmp_path / "again"))
    np.testing.assert_array_equal(again.predict(X), old.predict(X))


def test_a_forecaster_pickled_before_format_1_grew_forecasts_updates_and_saves(tmp_path):
    # It could not predict ('series_scale_'), save ('baseline') nor update ('static_features').
    y = _series()
    f = TCNForecaster(**OLD_FORECASTER).fit(y.iloc[:-2], fh=[1, 2])
    added = set(_parameter_names(TCNForecaster)) - PARAMS_THEN[TCNForecaster]
    (regressor,) = f.regressors_
    then = _PickledThen(f, added | _FORECASTER_UNPICKLED | {"regressors_"},
                        regressor_=_network_pickled_then(regressor))
    old = pickle.loads(pickle.dumps(then))
    pd.testing.assert_series_equal(old.predict(), f.predict())
    pd.testing.assert_frame_equal(old.predict_interval(coverage=0.8), f.predict_interval(coverage=0.8))
    old.update(y.iloc[-2:], update_params=False)
    f.update(y.iloc[-2:], update_params=False)
    pd.testing.assert_series_equal(old.predict(), f.predict())
    pd.testing.assert_series_equal(sktcn.load(old.save(tmp_path / "again")).predict(), f.predict())
    old.update(y.iloc[-2:], update_params=True)  # trains the network on
    assert old.get_params() == f.get_params()


def test_a_pickled_lstm_baseline_gains_no_tcn_state(series_3d):
    # Unpickled, it gained pooling_ ("last"): a fitted attribute of pooling, a parameter it does not take.
    X, _ = series_3d
    lstm = LSTMRegressor(**TINY_LSTM).fit(X, X[:, -1, 0])
    assert not hasattr(lstm, "pooling_")
    assert set(vars(pickle.loads(pickle.dumps(lstm)))) == set(vars(lstm))


def test_an_unfitted_estimator_pickled_then_gains_parameters_only():
    old = pickle.loads(pickle.dumps(_PickledThen(TCNClassifier(), {"pooling", "distribution_strategy"})))
    assert (old.pooling, old.distribution_strategy) == ("last", None)
    assert not hasattr(old, "pooling_")


def test_parameters_a_file_has_but_this_sktcn_lacks_point_to_a_newer_sktcn(series_3d, tmp_path):
    X, labels = series_3d
    path = TCNClassifier(**TINY).fit(X, labels).save(tmp_path / "newer")
    manifest = json.loads((path / "manifest.json").read_text())
    manifest["params"]["attention"] = True
    (path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(persistence.ModelFileError, match=r"parameters it does not have: \['attention'\]\. The model may "
                                                         r"have been saved by a newer sktcn .*upgrade sktcn"):
        sktcn.load(path)


@_NUMPY2_PICKLE
def test_a_network_pickled_under_a_global_mixed_policy_unpickles_as_it_loads_from_a_file():
    # Made by the code of f542a65 (every layer then followed Keras' global policy):
    #   X = np.random.default_rng(0).standard_normal((12, 8, 1)).astype(np.float32); y = X[:, -1, 0]
    #   keras.config.set_dtype_policy("mixed_float16")
    #   reg = TCNRegressor(nb_filters=4, kernel_size=2, dilations=(1,), epochs=1, batch_size=6, random_state=0,
    #                      verbose=0).fit(X, y)
    #   pickle.dump(reg, ...); np.savez(..., X=X, y=y, predictions=reg.predict(X))
    # Its pickle records no policy: it was rebuilt under the loading thread's
    # (float32), a float16 encoder then trained on without loss scaling, while
    # sktcn.load rebuilds a file's network under the policy of its layers.
    saved = Path(__file__).parent / "data" / "f542a65"
    data = np.load(saved / "mixed_float16_regressor.npz")
    with open(saved / "mixed_float16_regressor.pkl", "rb") as file:
        old = pickle.load(file)
    assert keras.config.dtype_policy().name == "float32"  # put back after the rebuild
    assert old.model_.dtype_policy.name == "mixed_float16"
    assert isinstance(old.model_.optimizer, keras.optimizers.LossScaleOptimizer)
    np.testing.assert_array_equal(old.predict(data["X"]), data["predictions"])
    old.partial_fit(data["X"], data["y"])
    assert isinstance(old.model_.optimizer, keras.optimizers.LossScaleOptimizer)


def test_a_pickled_network_keeps_the_reduction_earlier_versions_read(series_3d):
    # f542a65's _unpickle_model(rebuild, args) took two arguments: a third (the
    # policy, now read from the network's bytes) made today's pickles unreadable there.
    from sktcn._base import _PickledModel, _unpickle_model

    X, _ = series_3d
    reg = TCNRegressor(**TINY, random_state=0).fit(X, X[:, -1, 0])
    unpickle, arguments = _PickledModel(reg.model_).__reduce__()
    assert unpickle is _unpickle_model and len(arguments) == 2


# Made by the code of 9939a45, before 892317f changed seasonal_drift's slope
# (from the first observation to the origin, now the mean seasonal difference),
# run from outside any checkout with PYTHONPATH at that commit's code:
#   y = load_airline().iloc[:36]
#   f = TCNForecaster(nb_filters=4, kernel_size=2, dilations=(1, 2), epochs=2, batch_size=16, n_networks=1,
#                     random_state=0, baseline="seasonal_drift", calibration_size=0.0).fit(y, fh=[1, 2, 3])
#   persistence.save(f, ".../seasonal_drift_forecaster"); pickle.dump(f, ...)
#   np.savez(".../seasonal_drift_forecaster.npz", predictions=f.predict().to_numpy(),
#            intervals=f.predict_interval(coverage=0.8).to_numpy())
_BEFORE_SEASONAL_SLOPE = Path(__file__).parent / "data" / "9939a45"


def _forecaster_fit_before_seasonal_slope(tmp_path, how):
    """The forecaster 9939a45 fit, read back from its file (``how="file"``) or its pickle."""
    if how == "file":
        return sktcn.load(shutil.copytree(_BEFORE_SEASONAL_SLOPE / "seasonal_drift_forecaster", tmp_path / "old"))
    with open(_BEFORE_SEASONAL_SLOPE / "seasonal_drift_forecaster.pkl", "rb") as file:
        return pickle.load(file)


@pytest.mark.parametrize("how", ["file", pytest.param("pickle", marks=_NUMPY2_PICKLE)])
def test_a_forecaster_fit_before_the_seasonal_slope_forecasts_as_it_did(how, tmp_path):
    # Its networks learnt to correct the old seasonal drift: today's code added
    # their correction to the new one, and its forecasts moved (162.38 -> 165.61).
    old = _forecaster_fit_before_seasonal_slope(tmp_path, how)
    then = np.load(_BEFORE_SEASONAL_SLOPE / "seasonal_drift_forecaster.npz")
    np.testing.assert_array_equal(old.predict().to_numpy(), then["predictions"])
    np.testing.assert_array_equal(old.predict_interval(coverage=0.8).to_numpy(), then["intervals"])
    assert (old.baseline_, old.baseline_revision_) == ("seasonal_drift", 1)


def test_a_forecaster_fit_before_the_seasonal_slope_keeps_it_through_updates_and_saves(tmp_path):
    old = _forecaster_fit_before_seasonal_slope(tmp_path, "file")
    y = load_airline()
    old.update(y.iloc[36:38], update_params=False)
    moved = old.predict()
    again = sktcn.load(old.save(tmp_path / "again"))
    assert again.baseline_revision_ == 1
    pd.testing.assert_series_equal(again.predict(), moved)
    again.baseline_revision_ = 2  # its forecasts read the revision: today's would move them
    assert not np.allclose(again.predict(), moved)
    # Training again (from scratch, or on with warm_start) corrects the baseline the networks corrected.
    old.update(y.iloc[38:40], update_params=True)
    assert (old.baseline_revision_, old._window_spec().baseline_revision) == (1, 1)
    cv = ExpandingWindowSplitter(fh=[1, 2, 3], initial_window=1)
    old.update_predict(y.iloc[40:45], cv=cv, reset_forecaster=False)  # updates it, training at each cutoff
    assert old.baseline_revision_ == 1
    assert old.fit(y.iloc[:40], fh=[1, 2, 3]).baseline_revision_ == 2  # a new fit: today's baseline
    path = shutil.copytree(_BEFORE_SEASONAL_SLOPE / "seasonal_drift_forecaster", tmp_path / "warm")
    manifest = json.loads((path / "manifest.json").read_text())
    manifest["params"]["warm_start"] = True
    (path / "manifest.json").write_text(json.dumps(manifest))
    warm = sktcn.load(path).update(y.iloc[36:38], update_params=True)
    assert (warm.baseline_revision_, warm._window_spec().baseline_revision) == (1, 1)


def test_a_new_fit_saves_and_pickles_its_baseline_revision(tmp_path):
    f = TCNForecaster(**TINY, random_state=0, n_networks=1, baseline="seasonal_drift").fit(
        load_airline().iloc[:48], fh=[1, 2])
    assert f.baseline_revision_ == 2
    for loaded in (sktcn.load(f.save(tmp_path / "new")), pickle.loads(pickle.dumps(f))):
        assert loaded.baseline_revision_ == 2
        pd.testing.assert_series_equal(loaded.predict(), f.predict())


@pytest.mark.parametrize("revision", [3, 0, "2", 2.0, True, None])
def test_an_altered_baseline_revision_is_refused(revision, tmp_path):
    path = shutil.copytree(_BEFORE_SEASONAL_SLOPE / "seasonal_drift_forecaster", tmp_path / "altered")
    manifest = json.loads((path / "manifest.json").read_text())
    manifest["state"]["baseline_revision_"] = revision
    (path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(persistence.ModelFileError, match=r"baseline_revision_ .*: it was altered"):
        sktcn.load(path)
