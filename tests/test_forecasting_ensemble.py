"""TCNForecaster's n_networks: the point forecast averages networks trained from different seeds."""

import copy
import json
import pickle
import warnings

import keras
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from sktcn import TCNForecaster, load
from sktcn._windows import series_arrays, window_rows
from sktcn.persistence import save
from conftest import TINY_FORECASTER

# n_networks is each test's own; three epochs so that seeds give clearly different networks.
TINY = dict({k: v for k, v in TINY_FORECASTER.items() if k != "n_networks"}, epochs=3, calibration_size=0.0)


@pytest.fixture(scope="module")
def series():
    rng = np.random.RandomState(0)
    return pd.Series(np.sin(np.arange(80) / 3.0) + 0.2 * rng.normal(size=80) + 5.0)


@pytest.fixture(scope="module")
def ensemble(series):
    return TCNForecaster(**TINY, n_networks=3).fit(series, fh=[1, 2, 3])


def _unscaled(forecaster, standardised):
    """Scaled network outputs (one row per window) added to the baseline and mapped back to the series' units."""
    _, baselines, means, scales, _ = forecaster._forecast_windows(None)
    standardised = standardised.reshape(1, forecaster.horizon_, -1) + baselines
    return (standardised * scales[:, None, :] + means[:, None, :]).ravel()


def _member_forecasts(forecaster):
    """Each network's forecast: the ensemble regressor's predict_members on the latest window."""
    windows = forecaster._forecast_windows(None)[0]
    members = forecaster.regressor_.predict_members(windows)
    return [_unscaled(forecaster, m[:, -1] if forecaster._forking() else m) for m in members]


def test_the_networks_train_as_one_ensemble_whose_average_is_the_forecast(ensemble):
    assert len(ensemble.regressors_) == 1 and ensemble.regressor_.n_networks == 3
    assert ensemble.regressor_.random_state == 0
    members = _member_forecasts(ensemble)
    # Different seeds, different networks.
    assert not np.allclose(members[0], members[1]) and not np.allclose(members[1], members[2])
    np.testing.assert_allclose(ensemble.predict().to_numpy(), np.mean(members, axis=0), rtol=1e-5)


def test_first_member_is_the_single_network_of_the_same_seed(series, ensemble):
    # Member 0 has seed 0's initialisation and seed 0's batch order, as the single network.
    single = TCNForecaster(**TINY, n_networks=1).fit(series, fh=[1, 2, 3])
    np.testing.assert_allclose(single.predict().to_numpy(), _member_forecasts(ensemble)[0], rtol=1e-5)


def test_in_sample_residuals_are_the_average_forecasts(series, ensemble):
    # calibration_size=0: the intervals come from the averaged forecast's own training errors.
    arrays = series_arrays(ensemble._y, None)
    rows, _ = window_rows([len(y) for _, y, _ in arrays], ensemble.window_length_, ensemble.horizon_)
    inputs, targets = ensemble._windows_at(arrays, rows, fit_targets=False)
    average = ensemble._network_forecast(ensemble.regressors_, inputs)
    np.testing.assert_allclose(ensemble.residual_quantile_source_, targets - average.reshape(targets.shape),
                               rtol=1e-4, atol=1e-5)


def test_ensemble_round_trip_and_older_files(series, ensemble, tmp_path):
    restored = load(ensemble.save(tmp_path / "three"))
    assert restored.n_networks == 3 and restored.regressor_.n_networks == 3
    pd.testing.assert_series_equal(restored.predict(), ensemble.predict())
    # Files of format 1 held one single-network regressor per network.
    singles = [TCNForecaster(**dict(TINY, random_state=seed), n_networks=1).fit(series, fh=[1, 2, 3])
               for seed in range(3)]
    legacy = singles[0]
    legacy.regressors_ = [s.regressor_ for s in singles]
    legacy.n_networks = 3
    expected = legacy.predict().to_numpy()
    old_three = load(legacy.save(tmp_path / "legacy"))
    assert len(old_three.regressors_) == 3
    np.testing.assert_allclose(old_three.predict().to_numpy(), expected, rtol=1e-5)
    # A file written before n_networks existed: one "regressor", no n_networks parameter.
    single = singles[1]
    path = save(single, tmp_path / "old")  # the directory layout, to edit in place
    manifest = json.loads((path / "manifest.json").read_text())
    (path / "regressor_0.keras").rename(path / "regressor.keras")
    manifest["files"] = {"regressor.keras": manifest["files"].pop("regressor_0.keras")}
    manifest["regressor"] = dict(manifest.pop("regressors")[0], model_file="regressor.keras")
    manifest["params"].pop("n_networks")
    (path / "manifest.json").write_text(json.dumps(manifest))
    old = load(path)
    assert old.n_networks == 1
    pd.testing.assert_series_equal(old.predict(), single.predict())


def test_forecasts_and_intervals_are_bit_for_bit_alike_eagerly_and_traced(series):
    # The fit's residuals and the first predict run the networks eagerly, later
    # calls their traced graph: its division by the number of networks had
    # become a multiplication by the reciprocal, changing forecasts in the last bits.
    forecaster = TCNForecaster(**TINY, n_networks=3).fit(series, fh=[1, 2, 3])
    forecasts = [forecaster.predict() for _ in range(3)]
    intervals = [forecaster.predict_interval(coverage=0.9) for _ in range(2)]
    for later in forecasts[1:]:
        pd.testing.assert_series_equal(later, forecasts[0], check_exact=True)
    pd.testing.assert_frame_equal(intervals[1], intervals[0], check_exact=True)
    # The same forecaster's intervals from an eager call: its first after the fit.
    eager = TCNForecaster(**TINY, n_networks=3).fit(series, fh=[1, 2, 3]).predict_interval(coverage=0.9)
    pd.testing.assert_frame_equal(eager, intervals[0], check_exact=True)


def test_a_short_receptive_field_warns_once_per_fit_and_refit(series):
    # The backtest's network and each of the forecast's networks warned: four times in one fit.
    forecaster = TCNForecaster(**dict(TINY, calibration_size=0.2, epochs=1), kernel_size=2, dilations=(1,),
                               n_networks=3)
    for fit in (lambda: forecaster.fit(series[:70], fh=[1, 2, 3]), lambda: forecaster.update(series[70:])):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fit()
        field = [w for w in caught if "receptive field (3 steps)" in str(w.message)]
        assert len(field) == 1 and field[0].filename == __file__
    assert forecaster.interval_calibration_ == "backtest"


def test_a_fitted_ensemble_with_callbacks_pickles_copies_and_clones(series):
    # Its callbacks kept the networks' joint training model, which Keras cannot
    # rebuild: pickle, deepcopy and clone failed, sktime's save(serialization_format="pickle")
    # wrote a file its load refused, and sktime's evaluate (a clone per window) scored NaN.
    stop = keras.callbacks.EarlyStopping(monitor="loss", patience=1)
    forecaster = TCNForecaster(**TINY, n_networks=2, callbacks=[stop]).fit(series, fh=[1, 2])
    for copied in (pickle.loads(pickle.dumps(forecaster)), copy.deepcopy(forecaster)):
        pd.testing.assert_series_equal(copied.predict(), forecaster.predict(), check_exact=True)
    assert clone(forecaster).fit(series, fh=[1, 2]).predict().shape == (2,)
    assert stop.model is None  # Keras gives it the model for the fit only


@pytest.mark.parametrize("value", [0, -1, 2.5, "3"])
def test_bad_n_networks_is_refused(series, value):
    f = TCNForecaster(**TINY, n_networks=value)
    with pytest.raises(ValueError, match="'n_networks' parameter of TCNForecaster"):
        f.fit(series, fh=[1, 2])
    assert not f.is_fitted
