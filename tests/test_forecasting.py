"""TCNForecaster: sktime's contract, windows, data shapes, intervals, bad input."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sktime.datasets import load_airline, load_longley
from sktime.forecasting.base import ForecastingHorizon
from sktime.forecasting.compose import MultiplexForecaster, TransformedTargetForecaster
from sktime.forecasting.model_evaluation import evaluate
from sktime.forecasting.model_selection import ForecastingGridSearchCV
from sktime.forecasting.naive import NaiveForecaster
from sktime.split import ExpandingWindowSplitter, SingleWindowSplitter
from sktime.transformations.series.detrend import Deseasonalizer, Detrender

from sktcn import TCNForecaster, TCNRegressor
from sktcn._conformal import pool_variance
from sktcn._windows import series_arrays, window_rows
from conftest import TINY_FORECASTER, run_in_own_process

# One network per fit (the default averages three; tests/test_forecasting_ensemble.py).
FAST = TINY_FORECASTER
# Point forecasts only: one network per fit instead of four (no interval calibration).
POINT = dict(FAST, calibration_size=0.0)


@pytest.fixture(scope="module")
def airline():
    return load_airline()


def test_numpy_integer_parameters_train_as_python_ints(airline):
    # What ForecastingGridSearchCV passes for a grid made with np.arange: numpy integers.
    ints = dict(nb_filters=4, kernel_size=2, nb_stacks=1, window_length=12, sp=12, n_networks=2, batch_size=16)
    given = {name: np.int64(value) for name, value in ints.items()}
    forecaster = TCNForecaster(**{**POINT, **given}).fit(airline, fh=[1, 2])
    expected = TCNForecaster(**{**POINT, **ints}).fit(airline, fh=[1, 2]).predict()
    pd.testing.assert_series_equal(forecaster.predict(), expected, check_exact=True)


def test_same_parameters_as_the_regressor():
    # pooling, n_networks, input_scaling, input_noise and the subsequence
    # parameters are TCNRegressor's own (the forecaster has its own n_networks,
    # scales and cuts its windows itself, and trains on them without noise).
    shared = set(TCNRegressor().get_params()) - {"return_sequences", "pooling", "n_networks", "input_scaling",
                                                 "input_noise", "subsequence_length", "subsequence_sampling"}
    params = TCNForecaster().get_params()
    assert shared <= set(params)
    assert set(params) - shared == {
        "window_length", "scaling", "forking_sequences", "calibration_size", "lazy_windows", "max_windows_per_series",
        "n_networks", "baseline", "sp", "calendar_features", "static_features", "correction",
    }
    # The same defaults, except epochs (the forecaster trains 15, its measured
    # figures) and validation_split (the regressor holds out a fifth of enough
    # series; the forecaster's windows overlap in time, so it holds none out).
    assert params["epochs"] == 15 and TCNRegressor().epochs == "auto"
    assert params["validation_split"] == 0.0 and TCNRegressor().validation_split == "auto"
    for name in shared - {"epochs", "validation_split"}:
        assert params[name] == TCNRegressor().get_params()[name], name


def test_univariate_forecast_keeps_the_index(airline):
    f = TCNForecaster(**POINT).fit(airline, fh=[1, 2, 3, 6])
    pred = f.predict()
    assert isinstance(pred, pd.Series) and pred.name == airline.name
    assert list(pred.index.astype(str)) == ["1961-01", "1961-02", "1961-03", "1961-06"]
    assert f.horizon_ == 6 and f.window_length_ == 18  # 3 x horizon
    assert f.regressor_.receptive_field_ >= f.window_length_
    assert pred.between(airline.min() * 0.3, airline.max() * 2).all()


def test_absolute_fh_and_window_length(airline):
    fh = ForecastingHorizon(pd.PeriodIndex(["1961-02", "1961-04"], freq="M"), is_relative=False)
    f = TCNForecaster(**POINT, window_length=24).fit(airline, fh=fh)
    pred = f.predict()
    assert list(pred.index.astype(str)) == ["1961-02", "1961-04"] and f.window_length_ == 24


@pytest.mark.parametrize("lazy", [False, True])
def test_a_long_series_trains_on_evenly_spaced_windows_and_scores_them_all(monkeypatch, lazy):
    # 400 observations, window 9 and horizon 3: 389 windows, of which the
    # calibration holds out the most recent fifth in three blocks.
    trained = []
    fit = TCNRegressor.fit

    def counted(regressor, X, *args, **kwargs):
        trained.append(len(X.rows) if lazy else len(X))  # lazy: WindowBatches of those rows
        return fit(regressor, X, *args, **kwargs)

    monkeypatch.setattr(TCNRegressor, "fit", counted)
    y = pd.Series(np.sin(np.arange(400) / 5.0))
    params = dict(TINY_FORECASTER, window_length=9, lazy_windows=lazy)
    every = TCNForecaster(**params, max_windows_per_series=None).fit(y, fh=[1, 2, 3])
    spaced = TCNForecaster(**params, max_windows_per_series=50).fit(y, fh=[1, 2, 3])
    all_trained, spaced_trained = trained[:len(trained) // 2], trained[len(trained) // 2:]
    assert all_trained[-1] == 389 and len(all_trained) == 4  # three calibration networks, then the forecast's
    # Every 8th window (389 / 50 rounded up), the calibration's from their own most recent.
    assert spaced_trained[-1] == 49 and all(n <= 50 for n in spaced_trained)
    assert all(n > 40 for n in spaced_trained)
    # The calibration scores every held-out window either way.
    assert len(spaced.residual_quantile_source_) == len(every.residual_quantile_source_) > 0
    assert np.isfinite(spaced.predict()).all()
    # Without forking sequences a window is one target: none is skipped.
    trained.clear()
    TCNForecaster(**dict(params, calibration_size=0), max_windows_per_series=50, forking_sequences=False).fit(
        y, fh=[1, 2, 3])
    assert trained == [389]


def test_too_few_spaced_windows_for_a_validation_split_name_max_windows_per_series():
    # 29 windows; the calibration's first network trains on 22, spaced down to 1, and a
    # fifth held out leaves none. The regressor's advice (more data) would not help.
    y = pd.Series(np.sin(np.arange(60) / 3.0))
    params = dict(TINY_FORECASTER, window_length=30, validation_split=0.2)
    with pytest.raises(ValueError, match=r"leaves no training sample out of 1; .* These are the 1 of 22 training "
                                         r"windows that max_windows_per_series=1 kept: raise it, or set it to None"):
        TCNForecaster(**params, max_windows_per_series=1).fit(y, fh=[1, 2])
    TCNForecaster(**params, max_windows_per_series=None).fit(y, fh=[1, 2])
    with pytest.raises(ValueError, match="leaves no training sample") as refused:  # none left out: as ever
        TCNForecaster(**dict(params, validation_split=0.99), max_windows_per_series=None).fit(y, fh=[1, 2])
    assert "max_windows_per_series" not in str(refused.value)


def test_windows_are_standardised_and_mapped_back():
    # A series and an affine copy of it give the same forecast up to that map.
    y = pd.Series(np.sin(np.arange(80) / 3.0) + np.arange(80) / 40.0)
    a = TCNForecaster(**POINT).fit(y, fh=[1, 2]).predict()
    b = TCNForecaster(**POINT).fit(1000 + 50 * y, fh=[1, 2]).predict()
    np.testing.assert_allclose(b.to_numpy(), 1000 + 50 * a.to_numpy(), rtol=1e-4)


def test_mean_scaling_is_equivariant_to_scale():
    # scaling="mean" divides each window by its mean absolute value: a multiple
    # of the series gives the same multiple of the forecast.
    y = pd.Series(10 + np.sin(np.arange(80) / 3.0) + np.arange(80) / 40.0)
    a = TCNForecaster(**POINT, scaling="mean").fit(y, fh=[1, 2]).predict()
    b = TCNForecaster(**POINT, scaling="mean").fit(50 * y, fh=[1, 2]).predict()
    np.testing.assert_allclose(b.to_numpy(), 50 * a.to_numpy(), rtol=1e-4)
    c = TCNForecaster(**POINT).fit(y, fh=[1, 2]).predict()
    assert not np.allclose(a.to_numpy(), c.to_numpy())  # the setting reaches the network


def test_forking_sequences_train_every_step():
    # Every step of a window learns the horizon that follows it; the last step's
    # horizon is the window's own target, and forecasts are read from it.
    # (No baseline: the targets are the series itself; tests/test_simple_forecasts.py has them with one.)
    y = pd.Series(np.arange(40, dtype=float) ** 1.5)
    f = TCNForecaster(**POINT, window_length=6, baseline=None).fit(y, fh=[1, 2, 3])
    assert f.regressor_.return_sequences
    arrays = series_arrays(f._y, f._X)
    inputs, targets, fit_targets = f._windows_at(arrays, window_rows([len(y)], 6, 3)[0])
    assert fit_targets.shape == (len(inputs), 6, 3)
    np.testing.assert_array_equal(fit_targets[:, -1], targets.reshape(len(targets), -1))
    mean, scale = y[:6].mean(), y[:6].std(ddof=0)  # the first window's own statistics
    np.testing.assert_allclose(fit_targets[0, 2], (y[3:6] - mean) / scale, rtol=1e-5)
    direct = TCNForecaster(**POINT, window_length=6, forking_sequences=False).fit(y, fh=[1, 2, 3])
    assert not direct.regressor_.return_sequences
    assert not np.allclose(direct.predict(), f.predict())
    # With exogenous X the windows include the horizon: the last step is read only.
    X = pd.DataFrame({"x": np.cos(np.arange(40.0))})
    with_x = TCNForecaster(**POINT, window_length=6).fit(y, X=X, fh=[1, 2, 3])
    assert not with_x.regressor_.return_sequences
    with pytest.raises(TypeError, match="forking_sequences"):
        TCNForecaster(**POINT, forking_sequences="yes").fit(y, fh=[1])


def test_series_scaling_maps_each_series_to_the_unit_range():
    index = pd.MultiIndex.from_product([["a", "b"], pd.RangeIndex(30)], names=["series", "time"])
    base = np.sin(np.arange(30) / 3.0) + np.arange(30) / 20.0
    y = pd.DataFrame({"v": np.concatenate([base, 100 + 7 * base])}, index=index)
    f = TCNForecaster(**POINT, scaling="series", window_length=6).fit(y, fh=[1, 2])
    stats = {key[0]: (mean, scale) for key, mean, scale in f.series_scale_}  # keys are index tuples
    np.testing.assert_allclose(stats["a"], [[base.min()], [np.ptp(base)]])
    np.testing.assert_allclose(stats["b"], [[100 + 7 * base.min()], [7 * np.ptp(base)]])
    pred = f.predict()
    # Equivariant to an increasing affine map of the series, as the window scalings are.
    single = pd.Series(base)
    a = TCNForecaster(**POINT, scaling="series").fit(single, fh=[1, 2]).predict()
    b = TCNForecaster(**POINT, scaling="series").fit(3 + 5 * single, fh=[1, 2]).predict()
    np.testing.assert_allclose(b.to_numpy(), 3 + 5 * a.to_numpy(), rtol=1e-4)
    assert not np.allclose(a.to_numpy(), TCNForecaster(**POINT).fit(single, fh=[1, 2]).predict().to_numpy())
    np.testing.assert_allclose(pred.xs("b").to_numpy(), 100 + 7 * pred.xs("a").to_numpy(), rtol=1e-4)


def test_multivariate_y():
    y = load_longley()[1][["GNP", "UNEMP"]]
    f = TCNForecaster(**FAST, window_length=4).fit(y, fh=[1, 2])
    pred = f.predict()
    assert list(pred.columns) == ["GNP", "UNEMP"] and len(pred) == 2


@pytest.mark.filterwarnings("ignore:These intervals come from in-sample residuals")
def test_a_multivariate_forecast_keeps_the_time_index_name():
    # sktime's forecasters name a multivariate y's forecast index after y's; TCNForecaster left it unnamed.
    index = pd.period_range("2000-01", periods=40, freq="M", name="month")
    y = pd.DataFrame({"a": np.sin(np.arange(40) / 3.0), "b": np.cos(np.arange(40) / 4.0)}, index=index)
    f, naive = TCNForecaster(**POINT).fit(y, fh=[1, 2]), NaiveForecaster().fit(y, fh=[1, 2])
    assert f.predict().index.name == naive.predict().index.name == "month"
    assert f.predict_interval().index.name == naive.predict_interval().index.name == "month"
    # A univariate one's index stays unnamed, as sktime's.
    assert TCNForecaster(**POINT).fit(y["a"], fh=[1]).predict().index.name is None


def test_exogenous_past_and_future():
    y, X = load_longley()
    y_train, X_train, X_future = y.iloc[:-2], X.iloc[:-2], X.iloc[-2:]
    f = TCNForecaster(**FAST, window_length=4).fit(y_train, X=X_train, fh=[1, 2])
    assert f.regressor_.n_features_in_ == 1 + X.shape[1] + 1  # y, X, future flag
    pred = f.predict(X=X_future)
    assert list(pred.index) == list(y.index[-2:])
    with pytest.raises(ValueError, match="needs X for the forecast horizon"):
        f.predict()


def test_panel_data_trains_one_global_model():
    index = pd.MultiIndex.from_product([["a", "b", "c"], pd.RangeIndex(40)], names=["series", "time"])
    values = np.concatenate([np.sin(np.arange(40) / 4 + phase) * scale for phase, scale in [(0, 1), (1, 5), (2, 10)]])
    y = pd.DataFrame({"value": values}, index=index)
    f = TCNForecaster(**FAST, window_length=8).fit(y, fh=[1, 2, 3])
    assert isinstance(f.regressor_, TCNRegressor)  # one network for all series
    pred = f.predict()
    assert pred.index.names == ["series", "time"]
    assert list(pred.index) == [(k, t) for k in "abc" for t in (40, 41, 42)]
    intervals = f.predict_interval(coverage=0.8)
    assert intervals.shape == (9, 2)


def test_hierarchical_data():
    index = pd.MultiIndex.from_product([["r1", "r2"], ["s1", "s2"], pd.RangeIndex(30)], names=["a", "b", "t"])
    y = pd.DataFrame({"v": np.tile(np.sin(np.arange(30) / 3), 4)}, index=index)
    pred = TCNForecaster(**POINT, window_length=6).fit(y, fh=[1]).predict()
    assert len(pred) == 4 and pred.index.nlevels == 3


def test_quantiles_are_ordered_and_intervals_contain_the_forecast(airline):
    f = TCNForecaster(**FAST).fit(airline, fh=range(1, 7))
    q = f.predict_quantiles(alpha=[0.05, 0.5, 0.95])
    assert (q.iloc[:, 0] <= q.iloc[:, 1]).all() and (q.iloc[:, 1] <= q.iloc[:, 2]).all()
    interval = f.predict_interval(coverage=0.9)
    point = f.predict()
    assert (interval.iloc[:, 0] <= point).all() and (point <= interval.iloc[:, 1]).all()
    assert f.residual_quantile_source_.shape[1:] == (6, 1)


def test_intervals_come_from_a_rolling_origin_backtest(airline):
    f = TCNForecaster(**FAST, window_length=12, calibration_size=0.2).fit(airline, fh=range(1, 5))
    n_windows = len(airline) - 12 - 4 + 1
    # Every window in the last 20 % is forecast by a network that never saw its targets.
    assert len(f.residual_quantile_source_) == int(np.ceil(0.2 * n_windows))
    widths = f.predict_interval(coverage=0.9).diff(axis=1).iloc[:, 1].to_numpy()
    assert np.all(np.diff(widths) >= -1e-6 * widths.max())  # uncertainty does not shrink further ahead


def _short_monthly(n):
    t = np.arange(n)
    values = 100 + 0.5 * t + 12 * np.sin(2 * np.pi * t / 12) + np.random.default_rng(1).normal(0, 3, n)
    return pd.Series(values, index=pd.period_range("2019-01", periods=n, freq="M"))


@pytest.mark.filterwarnings("ignore:The automatic window_length_")
def test_intervals_from_a_single_training_window_are_not_of_width_0():
    # 13 months, fh 1..12: one training window, which the network reproduced
    # exactly: every interval had width 0 (and coverage 0).
    f = TCNForecaster(**FAST).fit(_short_monthly(13), fh=range(1, 13))
    assert f.interval_calibration_ == "in-sample" and len(f.residual_quantile_source_) == 1
    with pytest.warns(UserWarning, match="in-sample residuals"):
        bounds = f.predict_interval(coverage=0.9).to_numpy()
    assert np.all(bounds[:, 1] - bounds[:, 0] > 1.0)


@pytest.mark.filterwarnings("ignore:The automatic window_length_")
def test_the_in_sample_warning_says_what_would_give_a_backtest():
    # It advised "a shorter window_length" with window_length_ already 1.
    f = TCNForecaster(**FAST).fit(_short_monthly(24), fh=range(1, 13))
    with pytest.warns(UserWarning, match="in-sample residuals") as caught:
        f.predict_interval(coverage=0.9)
    message, = [str(w.message) for w in caught if "in-sample" in str(w.message)]
    assert f.window_length_ == 1 and "window_length" not in message
    assert "A backtest needs 3 more observations of each series, or an fh reaching at most 10 steps ahead" in message
    # 27 months hold out two windows for it, and fh 1..10 does on the 24.
    assert TCNForecaster(**FAST).fit(_short_monthly(27), fh=range(1, 13)).interval_calibration_ == "backtest"
    assert TCNForecaster(**FAST).fit(_short_monthly(24), fh=range(1, 11)).interval_calibration_ == "backtest"
    # No shorter window gives one either (window_length_ 1 gives none above): it was advised all the same.
    longer = TCNForecaster(**FAST, window_length=4).fit(_short_monthly(24), fh=range(1, 13))
    with pytest.warns(UserWarning, match="in-sample residuals") as caught:
        longer.predict_interval(coverage=0.9)
    assert not any("window_length" in str(w.message) for w in caught)


def _in_sample_advice(forecaster):
    with pytest.warns(UserWarning, match="in-sample residuals") as caught:
        forecaster.predict_interval(coverage=0.9)
    message, = [str(w.message) for w in caught if "in-sample" in str(w.message)]
    return message


def test_the_in_sample_warning_names_a_window_length_that_gives_a_backtest():
    # 20 months, fh 3, window_length 16: it advised "a window_length shorter
    # than 16", though 13-15 give no backtest either.
    f = TCNForecaster(**FAST, window_length=16).fit(_short_monthly(20), fh=[1, 2, 3])
    assert "or a window_length of at most 12." in _in_sample_advice(f)
    assert TCNForecaster(**FAST, window_length=12).fit(_short_monthly(20), fh=[1, 2, 3]).interval_calibration_ == (
        "backtest")


@pytest.mark.filterwarnings("ignore:The automatic window_length_")
def test_the_in_sample_warning_after_an_update_without_a_refit_advises_a_refit():
    # Fit on 24 months, updated with 6 more without training: it asked for 1
    # more observation, though the 30 held already give a backtest.
    y = _short_monthly(30)
    f = TCNForecaster(**FAST).fit(y.iloc[:24], fh=range(1, 13))
    f.update(y.iloc[24:], update_params=False)
    message = _in_sample_advice(f)
    assert "The data it holds now would give one, with networks trained on all of it: fit again on it or update " \
           "with update_params=True." in message and "more observations" not in message
    assert TCNForecaster(**FAST).fit(y, fh=range(1, 13)).interval_calibration_ == "backtest"
    assert f.update(y.iloc[-1:], update_params=True).interval_calibration_ == "backtest"  # on all 30


@pytest.mark.filterwarnings("ignore:The automatic window_length_")
def test_the_in_sample_advice_is_searched_once_per_data(monkeypatch):
    # It was searched on every request of intervals, warning filtered or not:
    # 14.7 s a call on 2000 series of 110 observations with fh 100.
    from sktcn import forecasting
    calls = []
    search = forecasting.backtest_room
    monkeypatch.setattr(forecasting, "backtest_room", lambda *args: calls.append(1) or search(*args))
    y = _short_monthly(26)
    f = TCNForecaster(**FAST).fit(y.iloc[:24], fh=range(1, 13))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f.predict_interval(coverage=0.9)
        f.predict_interval(coverage=0.8)
        assert len(calls) == 1
        f.update(y.iloc[24:], update_params=False)
    assert "A backtest needs 1 more observation of each series" in _in_sample_advice(f) and len(calls) == 2


def test_an_automatic_window_capped_by_the_shortest_series_warns_naming_it():
    # A series of 14 months beside one of 120, fh 12: window_length_ 2. The
    # warning blamed the count of training windows and advised a longer
    # window_length, which fit refuses for the series of 14.
    dates = pd.period_range("2000-01", periods=120, freq="M")
    y = pd.concat({"long": _short_monthly(120).set_axis(dates), "short": _short_monthly(14).set_axis(dates[:14])},
                  names=["id", "t"]).to_frame("v")
    with pytest.warns(UserWarning, match="automatic window_length_ is 2 step") as caught:
        f = TCNForecaster(**POINT).fit(y, fh=range(1, 13))
    message, = [str(w.message) for w in caught if "automatic window_length_" in str(w.message)]
    assert f.window_length_ == 2 and "the shortest series, 'short', has 14 observations" in message
    assert "window_length," not in message and "training windows" not in message


def test_an_automatic_window_of_one_step_warns_once():
    # 36 months, fh 12: the window shrank to one step without a word.
    with pytest.warns(UserWarning, match="automatic window_length_ is 1 step") as caught:
        f = TCNForecaster(**FAST).fit(_short_monthly(36), fh=range(1, 13))
    assert f.window_length_ == 1 and sum("automatic window_length_" in str(w.message) for w in caught) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # chosen by the user: no warning
        TCNForecaster(**FAST, window_length=1).fit(_short_monthly(36), fh=range(1, 13))


def test_in_sample_intervals_warn_when_asked_for_not_when_fitting(airline):
    short = airline.iloc[:60]
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # fit and point forecasts stay silent
        f = TCNForecaster(**FAST, window_length=12, calibration_size=0.2).fit(short, fh=range(1, 37))
        f.predict()
    # 13 windows of 36 steps: no block's network could train on windows that end before it.
    assert f.interval_calibration_ == "in-sample"
    with pytest.warns(UserWarning, match="in-sample residuals") as from_interval:
        f.predict_interval(coverage=0.9)
    with pytest.warns(UserWarning, match="in-sample residuals") as from_quantiles:
        f.predict_quantiles(alpha=[0.1, 0.9])
    # Both point at the line that asked, not at sktime's or sktcn's internals.
    assert {w.filename for w in [*from_interval, *from_quantiles] if "in-sample" in str(w.message)} == {__file__}
    # Asked for in-sample residuals: no warning; with room for a backtest: none either.
    chosen = TCNForecaster(**POINT, window_length=12).fit(short, fh=range(1, 37))
    roomy = TCNForecaster(**FAST, window_length=12, calibration_size=0.2).fit(airline, fh=range(1, 5))
    assert (chosen.interval_calibration_, roomy.interval_calibration_) == ("in-sample", "backtest")
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        chosen.predict_interval(coverage=0.9)
        roomy.predict_interval(coverage=0.9)


def test_predict_var_and_predict_proba_are_the_conformal_errors_mean_square(airline):
    # sktime's fallback sized a Normal by the 50 % interval: on airline its 95 %
    # interval was about half the width of the conformal one. The variance is the
    # mean square of the pool the quantiles come from, in the forecast window's scale.
    y = airline.iloc[:84]
    f = TCNForecaster(**FAST, window_length=12).fit(y, fh=[1, 3])
    assert f.interval_calibration_ == "backtest"
    window = y.to_numpy()[-12:]  # it varies: its own standard deviation is its interval scale
    expected = pool_variance(f.residual_quantile_source_, np.array([0, 2]))[:, 0] * window.std() ** 2
    variance = f.predict_var()
    assert variance.index.equals(f.predict().index) and list(variance.columns) == [y.name]
    np.testing.assert_allclose(variance[y.name].to_numpy(), expected, rtol=1e-10)
    # predict_proba is a Normal about the point forecast with that variance (sktime's
    # own without skpro, and sktime warns so: see the user guide's "Prediction intervals").
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*skpro")
        proba = f.predict_proba()
    np.testing.assert_allclose(proba.var().to_numpy(), variance.to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(proba.mean().to_numpy()[:, 0], f.predict().to_numpy(), rtol=1e-12)
    with pytest.raises(NotImplementedError, match="marginal variances only"):
        f.predict_var(cov=True)


def test_an_untrained_correction_forecasts_the_baseline(airline):
    # The head starts at zero and a learning rate of 1e-12 keeps it there, so the
    # network outputs its targets' mean (the regressor standardises targets): the
    # forecast is the seasonal naive forecast with drift, computed by hand here,
    # plus the baseline's mean error on the training windows, in the last window's scale.
    f = TCNForecaster(**POINT, learning_rate=1e-12, baseline="seasonal_drift").fit(airline, fh=[1, 12, 13])
    y = airline.to_numpy()
    slope = np.mean(y[12:] - y[:-12]) / 12  # the mean seasonal difference per step
    baseline = np.array([y[-12] + 12 * slope, y[-1] + 12 * slope, y[-12] + 24 * slope])
    assert f.sp_ == 12 and f.baseline_ == "seasonal_drift"
    mean_error = f.regressor_.target_encoder_.mean_[[0, 11, 12]]
    window = y[-f.window_length_:]
    np.testing.assert_allclose((f.predict().to_numpy() - baseline) / window.std(), mean_error, rtol=1e-4, atol=1e-6)


def test_baseline_auto_and_sp_auto_follow_the_data(airline):
    f = TCNForecaster(**POINT).fit(airline, fh=[1, 2, 3])
    # Monthly data that grows with a season: the seasonal forecast with drift errs least.
    assert (f.sp_, f.baseline_) == (12, "seasonal_drift")
    ranged = airline.reset_index(drop=True)
    g = TCNForecaster(**POINT).fit(ranged, fh=[1, 2, 3])
    assert g.sp_ == 1 and g.baseline_ in {"naive", "drift", "ses", "theta"}  # no season without a frequency
    assert TCNForecaster(**POINT, sp=12).fit(ranged, fh=[1, 2, 3]).baseline_ == "seasonal_drift"
    # None: the network forecasts the series itself (the forecaster before baselines).
    assert TCNForecaster(**POINT, baseline=None).fit(airline, fh=[1]).baseline_ is None


def test_hourly_data_with_a_weekend_get_the_weekly_season():
    # "auto" read 24 for hours and lost the weekend; with two weeks and a horizon it scores 168 too.
    t = np.arange(24 * 7 * 3)
    values = 10 * np.sin(2 * np.pi * t / 24) + np.where((t // 24) % 7 >= 5, -8.0, 2.0)
    y = pd.Series(values + np.random.default_rng(0).normal(0, 0.5, len(t)),
                  index=pd.date_range("2024-01-01", periods=len(t), freq="h"))
    f = TCNForecaster(**POINT, window_length=24).fit(y, fh=np.arange(1, 25))
    assert (f.sp_, f.baseline_) == (168, "seasonal_naive")
    # A series too short to score a week (a week plus the horizon): the day, as before.
    assert TCNForecaster(**POINT, window_length=24).fit(y.iloc[:180], fh=np.arange(1, 25)).sp_ == 24


@pytest.mark.parametrize("params, message", [
    (dict(baseline="holt_winters"), "baseline"), (dict(sp=0), "sp"), (dict(sp="12"), "sp"),
])
def test_bad_baseline_parameters_are_named(airline, params, message):
    with pytest.raises(ValueError, match=message):
        TCNForecaster(**POINT, **params).fit(airline, fh=[1])


def test_a_series_that_stops_forecasts_the_baseline():
    # An intermittent series whose last windows are all zero: a correction learned
    # in other windows' scaled units would land in raw units there, so none is added.
    rng = np.random.default_rng(0)
    y = pd.Series(np.concatenate([rng.poisson(3.0, 60), np.zeros(20)]).astype(float))
    f = TCNForecaster(**POINT, baseline="naive", window_length=8).fit(y, fh=[1, 2, 3])
    assert f.predict().to_numpy().tolist() == [0.0, 0.0, 0.0]


def test_interval_width_matches_the_noise():
    # White noise of unit scale: a 90 % interval should be about +-1.64 wide.
    rng = np.random.default_rng(0)
    y = pd.Series(10.0 + rng.standard_normal(300))
    f = TCNForecaster(**FAST, window_length=10).fit(y, fh=[1, 2, 3])
    interval = f.predict_interval(coverage=0.9)
    half_width = interval.diff(axis=1).iloc[:, 1].to_numpy() / 2
    assert np.all((half_width > 1.1) & (half_width < 2.8)), half_width


def test_update_refits_or_moves_the_cutoff(airline):
    train, new = airline.iloc[:-12], airline.iloc[-12:]
    f = TCNForecaster(**POINT).fit(train, fh=[1, 2])
    first = f.regressor_
    f.update(new, update_params=False)
    assert f.regressor_ is first and str(f.predict().index[0]) == "1961-01"
    f.update(pd.Series([500.0], index=pd.PeriodIndex(["1961-01"], freq="M"), name=airline.name))
    assert f.regressor_ is not first and str(f.cutoff[0]) == "1961-01"
    warm = TCNForecaster(**POINT, warm_start=True).fit(train, fh=[1, 2])
    network = warm.regressor_.model_
    warm.update(new)
    assert warm.regressor_.model_ is network


def test_refitting_the_same_forecaster_gives_the_same_forecast(airline):
    # sktime's test_fit_idempotent, which make test leaves to make test-full.
    f = TCNForecaster(**POINT)
    first = f.fit(airline.iloc[:60], fh=[1, 2]).predict()
    pd.testing.assert_series_equal(f.fit(airline.iloc[:60], fh=[1, 2]).predict(), first)


def test_bad_input(airline):
    with pytest.raises(ValueError, match="too short for window_length=100"):
        TCNForecaster(**FAST, window_length=100).fit(airline.iloc[:50], fh=[1, 2])
    # A panel's refusal named no series ("The shortest series has 3 observations"), so that users
    # of hundreds had to look for it. The check runs before any training.
    keys = [("a", t) for t in range(30)] + [("b", t) for t in range(3)] + [("c", t) for t in range(2)]
    panel = pd.DataFrame({"v": np.arange(35.0)}, index=pd.MultiIndex.from_tuples(keys, names=["s", "t"]))
    with pytest.raises(ValueError, match=r"^2 of 3 series have fewer than 4 observations; the shortest, 'c', has "
                                         r"2, too short for window_length=1 plus a horizon of 3 steps\. .*"
                                         r"\(or leave the short ones out\)"):
        TCNForecaster(**FAST).fit(panel, fh=[1, 2, 3])
    with pytest.raises(ValueError, match="too short"):
        TCNForecaster(**FAST).fit(airline.iloc[:3], fh=[1, 2, 3])
    with pytest.raises(NotImplementedError, match="in-sample"):  # sktime's own check
        TCNForecaster(**FAST).fit(airline, fh=[0, 1])
    nan = airline.copy()
    nan.iloc[5] = np.nan
    f = TCNForecaster(**FAST)
    with pytest.raises(ValueError, match="(?i)missing|nan"):
        f.fit(nan, fh=[1])
    assert not f.is_fitted
    with pytest.raises(ValueError, match="'window_length' parameter of TCNForecaster"):
        TCNForecaster(**FAST, window_length=0).fit(airline, fh=[1])
    with pytest.raises(ValueError, match="'scaling' parameter of TCNForecaster"):
        TCNForecaster(**FAST, scaling="log").fit(airline, fh=[1])
    for bad in (0, -1, 2.5, "auto"):
        f = TCNForecaster(**FAST, max_windows_per_series=bad)
        with pytest.raises(ValueError, match=r"'max_windows_per_series' parameter of TCNForecaster must be an int "
                                             r"in the range \[1, inf\) or None"):
            f.fit(airline, fh=[1])
        assert not f.is_fitted
    with pytest.raises(TypeError, match="unexpected parameters"):
        TCNForecaster(class_weight="balanced")
    # The hint scikit-learn's estimators of sktcn give for a misspelt name.
    with pytest.raises(TypeError, match=r"parameters \['window_lenght'\]\. Did you mean window_length\?"):
        TCNForecaster(window_lenght=12)
    f = TCNForecaster(**FAST).fit(airline, fh=[1, 2])
    with pytest.raises(ValueError):
        f.predict(fh=[5])  # not the horizon declared in fit


def test_a_misspelt_routed_name_gets_the_hint_the_estimators_give():
    # TCNRegressor(optimiser__momentum=0.9) got "Did you mean optimizer__momentum?"; the forecaster gave
    # neither a hint nor the advice it gave for the correctly spelt optimizer__momentum.
    match = r"parameters \['optimiser__momentum'\]\. Did you mean optimizer\? Unlike TCNRegressor, .*configured object"
    with pytest.raises(TypeError, match=match):
        TCNForecaster(optimiser__momentum=0.9)
    with pytest.raises(ValueError, match=match):
        TCNForecaster().set_params(optimiser__momentum=0.9)
    # Each of several names gets its own hint.
    with pytest.raises(TypeError, match=r"Did you mean optimizer for optimiser__momentum, window_length for "
                                        r"window_lenght\? Unlike TCNRegressor"):
        TCNForecaster(window_lenght=12, optimiser__momentum=0.9)


def test_a_routed_name_gets_the_own_parameter_it_stands_for_and_advice_only_where_the_regressor_routes_it():
    # fit__shuffle got "Did you mean shuffle?", then advice to configure an object (there is none), and
    # foo__bar, which TCNRegressor refuses too, the advice "Unlike TCNRegressor, it takes no routed parameters".
    with pytest.raises(TypeError, match=r"\['fit__shuffle'\]\. Did you mean shuffle\? Unlike TCNRegressor, it takes "
                                        r"no routed parameters\.$"):
        TCNForecaster(fit__shuffle=False)
    with pytest.raises(TypeError, match=r"parameters \['foo__bar'\]\.$"):
        TCNForecaster(foo__bar=1)
    with pytest.raises(ValueError, match=r"Did you mean shuffle\?"):
        TCNForecaster().set_params(fit__shuffle=False)


def test_set_params_refuses_what_the_constructor_refuses(airline):
    # sktime's set_params read TCNRegressor's routed optimizer__momentum as a parameter of the
    # optimizer's value: AttributeError: 'str' object has no attribute 'set_params'. Now the
    # constructor's message, as the ValueError of scikit-learn's set_params for an invalid name.
    import keras

    for optimizer in ("sgd", keras.optimizers.SGD()):
        f = TCNForecaster(optimizer=optimizer, nb_filters=8)
        match = r"parameters \['optimizer__momentum'\]\. Did you mean optimizer\? .*configured object"
        with pytest.raises(ValueError, match=match):
            f.set_params(nb_filters=4, optimizer__momentum=0.9)
        assert f.nb_filters == 8 and f.optimizer is optimizer  # nothing was set
    with pytest.raises(ValueError, match=r"parameters \['window_lenght'\]\. Did you mean window_length\?"):
        TCNForecaster().set_params(window_lenght=12)
    # Every parameter sets as before, with sktime's reset of a fitted forecaster.
    f = TCNForecaster(**POINT).fit(airline.iloc[:48], fh=[1])
    assert f.set_params(**f.get_params()) is f and not f.is_fitted
    sgd = keras.optimizers.SGD(momentum=0.9)
    assert f.set_params(window_length=7, optimizer=sgd).get_params()["optimizer"] is sgd
    # And a composition's nested names reach the forecaster, the refusal too.
    pipe = TransformedTargetForecaster([("detrend", Detrender()), ("tcn", TCNForecaster())])
    assert pipe.set_params(tcn__epochs=3).get_params()["tcn__epochs"] == 3
    with pytest.raises(ValueError, match="optimizer__momentum"):
        pipe.set_params(tcn__optimizer__momentum=0.9)


def test_failed_fit_leaves_no_fitted_attributes(airline):
    f = TCNForecaster(**POINT)
    with pytest.raises(ValueError, match="too short"):
        f.fit(airline.iloc[:3], fh=[1, 2, 3])  # fails after the horizon is known
    assert not f.is_fitted
    assert [name for name in vars(f) if name.endswith("_") and not name.startswith("_")] == []


def test_inside_sktime_pipelines_and_tuning(airline):
    y = airline.iloc[:72]
    pipe = TransformedTargetForecaster(
        [("deseason", Deseasonalizer(sp=12)), ("detrend", Detrender()), ("tcn", TCNForecaster(**POINT))]
    )
    assert len(pipe.fit(y, fh=[1, 2, 3]).predict()) == 3

    cv = SingleWindowSplitter(fh=[1, 2, 3], window_length=48)
    # Point forecasts: the search scores them, and calibration would add three fits per candidate.
    grid = {"dilations": [(1, 2), (1, 2, 4)], "kernel_size": [2, 3]}
    search = ForecastingGridSearchCV(TCNForecaster(**POINT, window_length=6), cv=cv, param_grid=grid).fit(
        y, fh=[1, 2, 3])
    assert set(search.best_params_) == set(grid) and len(search.cv_results_) == 4

    results = evaluate(TCNForecaster(**POINT), ExpandingWindowSplitter(fh=[1, 2], initial_window=48, step_length=12), y)
    assert len(results) == 2 and np.isfinite(results.iloc[:, 0]).all()

    multiplex = MultiplexForecaster([("tcn", TCNForecaster(**POINT)), ("naive", NaiveForecaster())], selected_forecaster="tcn")
    assert len(multiplex.fit(y, fh=[1, 2]).predict()) == 2


_STRATEGY_PICKLES_BY_NAME = """
import pickle
import numpy as np
import pandas as pd
import tensorflow as tf
from sktcn import TCNForecaster

# As the regressors do: a Strategy object holds weak references, which do not pickle.
y = pd.Series(np.sin(np.arange(40) / 4.0))
for strategy, name in ((tf.distribute.OneDeviceStrategy("/cpu:0"), "default"),
                       (tf.distribute.MirroredStrategy(["/cpu:0"]), "mirrored")):
    forecaster = TCNForecaster(**{tiny}, window_length=8, distribution_strategy=strategy)
    assert pickle.loads(pickle.dumps(forecaster)).distribution_strategy == name
forecaster.fit(y, fh=[1, 2])
loaded = pickle.loads(pickle.dumps(forecaster))
assert loaded.distribution_strategy == "mirrored"
assert forecaster.distribution_strategy is strategy  # the fitted forecaster keeps its object
pd.testing.assert_series_equal(loaded.predict(), forecaster.predict())
"""


def test_a_forecaster_holding_a_strategy_object_pickles_it_by_name():
    # In a process of its own (run_in_own_process: MirroredStrategy fits); the script asserts.
    run_in_own_process(_STRATEGY_PICKLES_BY_NAME.format(tiny=repr(TINY_FORECASTER)))


def test_a_tuned_forecaster_keeps_every_argument_of_its_keras_loss(airline):
    """sktime's tuners clone each candidate: a Huber(delta=0.1) trained delta=1.0 in the copies (sktcn._compat)."""
    import keras

    loss = keras.losses.Huber(delta=0.1)
    search = ForecastingGridSearchCV(TCNForecaster(**FAST, window_length=12), param_grid={"loss": [loss]},
                                     cv=SingleWindowSplitter(fh=[1, 2], window_length=60))
    search.fit(airline[:72], fh=[1, 2])
    direct = TCNForecaster(**FAST, window_length=12, loss=keras.losses.Huber(delta=0.1)).fit(airline[:72], fh=[1, 2])
    pd.testing.assert_series_equal(search.predict(), direct.predict())

    # The forecasts may be the baseline's alone (a correction the backtest drops): the networks tell.
    def weights(forecaster):
        return np.concatenate([w.ravel() for w in forecaster.regressors_[0].model_.get_weights()])

    np.testing.assert_array_equal(weights(search.best_forecaster_), weights(direct))
    default_delta = TCNForecaster(**FAST, window_length=12, loss=keras.losses.Huber()).fit(airline[:72], fh=[1, 2])
    assert not np.array_equal(weights(default_delta), weights(direct))
