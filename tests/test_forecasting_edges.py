"""TCNForecaster at the edges of sktime's contract: panels that end apart, X at predict, files after update."""

import copy
import warnings

import numpy as np
import pandas as pd
import pytest
from conftest import TINY_FORECASTER
from sktime.datasets import load_airline
from sktime.forecasting.base import ForecastingHorizon
from sktime.forecasting.naive import NaiveForecaster
from sktime.split import ExpandingWindowSplitter

import sktcn
from sktcn import TCNForecaster
from sktcn.persistence import ModelFileError

POINT = dict(TINY_FORECASTER, calibration_size=0.0)


def _monthly(values, start):
    return pd.Series(values, index=pd.period_range(start, periods=len(values), freq="M"), dtype=float)


@pytest.fixture(scope="module")
def ragged_panel():
    """Series "a" ends 2004-12, series "b" ten months earlier; b climbs by 10 a month."""
    a = _monthly(100.0 + np.arange(60), "2000-01")
    b = _monthly(10.0 * np.arange(50), "2000-01")
    y = pd.concat({"a": a, "b": b}).to_frame("v")
    y.index.names = ["id", "t"]
    return y


@pytest.mark.parametrize("kind", ["period", "datetime", "integer"])
def test_each_series_of_a_panel_is_forecast_from_its_own_end(ragged_panel, kind):
    y = ragged_panel
    if kind != "period":
        times = y.index.levels[1].to_timestamp() if kind == "datetime" else np.arange(len(y.index.levels[1]))
        y = y.set_axis(y.index.set_levels(times, level=1))
    # The drift baseline is exact on straight lines: the forecast shows which steps were taken.
    f = TCNForecaster(**POINT, baseline="drift").fit(y, fh=[1, 2])
    naive = NaiveForecaster(strategy="drift").fit(y, fh=[1, 2])
    predicted, expected = f.predict(), naive.predict()
    pd.testing.assert_index_equal(predicted.index, expected.index)
    b_end = y.loc["b"].index[-1]
    assert predicted.loc["b"].index[0] > b_end and predicted.loc["b"].index[0] < y.loc["a"].index[-1]
    np.testing.assert_allclose(predicted.loc["b", "v"], [500.0, 510.0], rtol=0.05)
    intervals = f.predict_interval(coverage=0.9)
    pd.testing.assert_index_equal(intervals.index, expected.index)


def test_an_absolute_fh_counts_each_series_steps_from_its_own_end(ragged_panel):
    fh = ForecastingHorizon(pd.period_range("2005-01", periods=2, freq="M"), is_relative=False)
    f = TCNForecaster(**POINT, baseline="drift").fit(ragged_panel, fh=fh)
    assert f.horizon_ == 12  # b ends 2004-02: 2005-02 is its 12th step
    predicted = f.predict()
    assert predicted.loc["b"].index.tolist() == list(fh.to_pandas())
    np.testing.assert_allclose(predicted.loc["b", "v"], [590.0, 600.0], rtol=0.05)


def _without_freq(y):
    """``y`` with its monthly time level as dates read from a column: a DatetimeIndex level without a freq."""
    frame = y.reset_index()
    frame["t"] = frame["t"].dt.to_timestamp()
    y = frame.set_index(["id", "t"])
    assert isinstance(y.index.levels[-1], pd.DatetimeIndex) and y.index.levels[-1].freq is None
    return y


def _next(dates):
    """Series b's next points, at ``dates`` (a DatetimeIndex level without a freq)."""
    index = pd.MultiIndex.from_product([["b"], pd.DatetimeIndex(dates)], names=["id", "t"])
    return pd.DataFrame({"v": 500.0 + 10 * np.arange(len(dates))}, index=index)


def test_a_datetime_panel_without_freq_is_forecast_in_its_series_freq(ragged_panel):
    # sktime takes a panel's cutoff freq from its time level: without one, fit trained, then predict failed.
    y = _without_freq(ragged_panel)
    f = TCNForecaster(**POINT, baseline="drift").fit(y, fh=[1, 2])
    assert f.cutoff.freqstr == "MS" and y.index.levels[-1].freq is None  # the caller's y is left as it was
    predicted = f.predict()
    expected = TCNForecaster(**POINT, baseline="drift").fit(ragged_panel, fh=[1, 2]).predict()
    assert [(key, time.to_period("M")) for key, time in predicted.index] == expected.index.tolist()
    np.testing.assert_array_equal(predicted.to_numpy(), expected.to_numpy())
    assert f.predict_interval(coverage=0.9).index.equals(predicted.index)
    f.update(_next(["2004-03-01", "2004-04-01"]))
    assert f.predict().loc["b"].index.tolist() == list(pd.date_range("2004-05-01", periods=2, freq="MS"))


def test_a_datetime_panel_without_one_regular_freq_is_refused_before_training(ragged_panel, monkeypatch):
    y = _without_freq(ragged_panel)
    f = TCNForecaster(**POINT).fit(y, fh=[1, 2])
    before = f.predict()
    monkeypatch.setattr(TCNForecaster, "_fit_network", lambda *args, **kwargs: pytest.fail("it trained"))
    gap = y.drop(index=("b", pd.Timestamp("2001-06-01")))
    with pytest.raises(ValueError, match=r"series 'b' are not steps of series 'a''s frequency 'MS' "
                                         r"\(the first date off them: 2001-07-01.*PeriodIndex"):
        f.fit(gap, fh=[1, 2])
    mid_month = y.set_axis(y.index.set_levels(y.index.levels[-1] + pd.Timedelta(days=14), level=-1))
    with pytest.raises(ValueError, match=r"no frequency can be inferred from the dates of its longest series 'a'"):
        f.fit(mid_month, fh=[1, 2])
    with pytest.raises(ValueError, match="not steps of the forecaster's frequency 'MS'"):
        f.update(_next(["2004-03-15"]), update_params=False)
    pd.testing.assert_frame_equal(f.predict(), before)


def _dated_panel(dates_by_key):
    """Straight lines (the drift baseline forecasts them exactly) at the given dates, one series per key.

    Built as frames of MultiIndex.from_arrays concatenated, whose time level
    pandas gives the frequency of the merged dates, where it finds one, and
    sktime's cutoff with it.
    """
    parts = [pd.DataFrame({"v": 10.0 * np.arange(len(dates)) + 5.0 * i},
                          index=pd.MultiIndex.from_arrays([[key] * len(dates), dates], names=["id", "t"]))
             for i, (key, dates) in enumerate(dates_by_key.items())]
    return pd.concat(parts)


def test_a_datetime_panel_takes_its_frequency_from_its_series_not_from_their_merged_dates():
    # Every other day, b a day after a: the merged dates are daily, and pandas
    # and sktime read "D" from them. Before, a was forecast on b's days, with
    # a weekly season.
    y = _dated_panel({"a": pd.date_range("2000-01-01", periods=40, freq="2D"),
                      "b": pd.date_range("2000-01-02", periods=40, freq="2D")})
    f = TCNForecaster(**POINT, baseline="drift").fit(y, fh=[1, 2])
    assert f.cutoff.freqstr == "2D" and f.sp_ == 1
    predicted = f.predict()
    assert predicted.loc["a"].index.tolist() == list(pd.date_range("2000-03-21", periods=2, freq="2D"))
    assert predicted.loc["b"].index.tolist() == list(pd.date_range("2000-03-22", periods=2, freq="2D"))
    np.testing.assert_allclose(predicted.loc["a", "v"], [400.0, 410.0], rtol=0.05)


def test_a_series_with_a_missing_date_is_refused_beside_a_complete_one(monkeypatch):
    days = pd.date_range("2000-01-01", periods=50, freq="D")
    y = _dated_panel({"a": days, "b": days.delete(20)})
    monkeypatch.setattr(TCNForecaster, "_fit_network", lambda *args, **kwargs: pytest.fail("it trained"))
    f = TCNForecaster(**POINT)
    with pytest.raises(ValueError, match=r"the dates of series 'b' are not steps of series 'a''s frequency 'D' "
                                         r"\(the first date off them: 2000-01-22") as refused:
        f.fit(y, fh=[1, 2])
    assert not f.is_fitted
    # The time level has a frequency here (the merged dates'): the advice asks for regular dates instead.
    assert "without a frequency" not in str(refused.value) and "freq set" not in str(refused.value)
    assert "regular steps of one frequency" in str(refused.value)


def test_a_panel_of_series_too_short_to_infer_from_keeps_the_merged_frequency():
    y = _dated_panel({key: pd.date_range("2000-01-01", periods=2, freq="D") for key in "ab"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # a window of 1 step, said in its own test
        f = TCNForecaster(**POINT).fit(y, fh=[1])
    assert f.cutoff.freqstr == "D"
    assert f.predict().index.get_level_values(-1).tolist() == [pd.Timestamp("2000-01-03")] * 2



def test_a_datetime_panel_with_gaps_forecasts_an_absolute_fh(ragged_panel):
    # Forecasts at given dates need no frequency, as before the freq was inferred:
    # only a relative horizon, which must be counted in one, is refused.
    y = _without_freq(ragged_panel).drop(index=("b", pd.Timestamp("2001-06-01")))
    fh = ForecastingHorizon(pd.date_range("2005-01-01", periods=2, freq="MS"), is_relative=False)
    predicted = TCNForecaster(**POINT).fit(y, fh=fh).predict()
    assert predicted.loc["a"].index.tolist() == list(fh.to_pandas())
    assert np.isfinite(predicted.to_numpy()).all()
    with pytest.raises(ValueError, match="are not steps of series"):
        TCNForecaster(**POINT).fit(y, fh=[1, 2])


def _daily_with_gap():
    """60 days of a sine, with January and March but not February: a DatetimeIndex that has no frequency."""
    dates = pd.date_range("2000-01-01", periods=30, freq="D").append(pd.date_range("2000-03-01", periods=30, freq="D"))
    return pd.Series(np.sin(np.arange(60) / 3.0) + 5, index=dates, name="y")


def test_a_single_series_without_a_frequency_is_refused_before_training_as_a_panel_is(monkeypatch):
    # A relative fh trained fully, then every predict failed; an absolute fh of dates without a
    # frequency failed with pandas' "You must pass a freq argument".
    y = _daily_with_gap()
    fh = ForecastingHorizon(pd.date_range("2000-03-31", periods=2, freq="D"), is_relative=False)
    predicted = TCNForecaster(**POINT).fit(y, fh=fh).predict()  # counted in the horizon's own frequency
    assert predicted.index.equals(fh.to_pandas()) and np.isfinite(predicted.to_numpy()).all()
    monkeypatch.setattr(TCNForecaster, "_fit_network", lambda *args, **kwargs: pytest.fail("it trained"))
    with pytest.raises(ValueError, match=r"y's index is a DatetimeIndex without a frequency, and none can be "
                                         r"inferred from its dates \(60 dates from 2000-01-01.*to_period\('M'\)"):
        TCNForecaster(**POINT).fit(y, fh=[1, 2])
    with pytest.raises(ValueError, match="An absolute fh is counted in its own frequency instead, and its dates "
                                         "have none"):
        TCNForecaster(**POINT).fit(y, fh=pd.DatetimeIndex(["2000-03-31", "2000-04-01"]))


def test_a_single_series_missing_dates_is_refused_naming_the_first_missing_date():
    # A panel's message named the first date off the steps; a single series' did not.
    with pytest.raises(ValueError, match=r"from its dates \(60 dates from 2000-01-01 00:00:00; they begin in steps of "
                                         r"'D', the first date off them: 2000-03-01 00:00:00, where 2000-01-31 "
                                         r"00:00:00 was due\)"):
        TCNForecaster(**POINT).fit(_daily_with_gap(), fh=[1, 2])


@pytest.mark.parametrize("dropped, freq, off, due", [
    (5, "B", "2020-01-14", "2020-01-13"),  # a Monday: the weekdays before it read as daily, due on Saturday the 11th
    (7, "B", "2020-01-16", "2020-01-15"),  # a Wednesday
])
def test_business_days_missing_a_date_are_refused_naming_the_missing_date(dropped, freq, off, due):
    dates = pd.bdate_range("2020-01-06", periods=40).delete(dropped)
    with pytest.raises(ValueError, match=rf"they begin in steps of '{freq}', the first date off them: {off} 00:00:00, "
                                         rf"where {due} 00:00:00 was due"):
        TCNForecaster(**POINT).fit(pd.Series(np.arange(39.0), index=dates), fh=[1, 2])


def test_an_fh_of_timedeltas_counts_whole_steps_of_a_fixed_frequency(monkeypatch):
    # It failed with int()'s TypeError about a Timedelta.
    y = pd.Series(np.sin(np.arange(60) / 3.0), index=pd.date_range("2000-01-01", periods=60, freq="2h"))
    fh = ForecastingHorizon(pd.to_timedelta(["2h", "6h"]), is_relative=True)
    f = TCNForecaster(**POINT).fit(y, fh=fh)
    predicted, steps = f.predict(), TCNForecaster(**POINT).fit(y, fh=[1, 3]).predict()
    assert f.horizon_ == 3
    pd.testing.assert_index_equal(predicted.index, NaiveForecaster().fit(y, fh=fh).predict().index)
    np.testing.assert_array_equal(predicted.to_numpy(), steps.to_numpy())
    monkeypatch.setattr(TCNForecaster, "_fit_network", lambda *args, **kwargs: pytest.fail("it trained"))
    for deltas, index in [(["3h"], y.index), (["31D"], pd.date_range("2000-01-01", periods=60, freq="MS"))]:
        with pytest.raises(ValueError, match=r"fh holds \[Timedelta.*cannot count as steps of y's frequency.*"
                                             r"Give fh as integer steps"):
            TCNForecaster(**POINT).fit(y.set_axis(index), fh=ForecastingHorizon(pd.to_timedelta(deltas)))


def test_a_time_given_twice_is_refused_with_its_name():
    # sktime lets it through: the rows counted as consecutive steps, and X, looked up by time, gained a
    # row there and fell out of line with y; an update failed in sktime's pooling, predict in pandas' reindex.
    y = _monthly(np.sin(np.arange(40) / 3.0), "2000-01")
    X = pd.DataFrame({"x": np.cos(np.arange(42) / 3.0)}, index=pd.period_range("2000-01", periods=42, freq="M"))
    twice = y.iloc[[*range(21), 20, *range(21, 40)]]
    with pytest.raises(ValueError, match=r"^y has more than one row at the time Period\('2001-09', 'M'\); .*"
                                         r"y\[~y.index.duplicated\(keep='last'\)\]"):
        TCNForecaster(**POINT).fit(twice, fh=[1])
    with pytest.raises(ValueError, match=r"^X has more than one row at the time Period\('2001-09', 'M'\)"):
        TCNForecaster(**POINT).fit(y, X=X.iloc[[*range(21), 20, *range(21, 40)]], fh=[1])
    panel = pd.concat({"a": y, "b": twice}).to_frame("v")
    with pytest.raises(ValueError, match=r"^y of series 'b' has more than one row at the time"):
        TCNForecaster(**POINT).fit(panel, fh=[1])
    f = TCNForecaster(**POINT).fit(y.iloc[:36], X=X.iloc[:36], fh=[1, 2])
    before = f.predict(X=X.iloc[36:38])
    with pytest.raises(ValueError, match=r"^y has more than one row at the time Period\('2003-02', 'M'\)"):
        f.update(y.iloc[[36, 37, 37]], X=X.iloc[36:38])
    with pytest.raises(ValueError, match=r"^X has more than one row at the time Period\('2003-02', 'M'\)"):
        f.update(y.iloc[36:38], X=X.iloc[[36, 37, 37]])
    with pytest.raises(ValueError, match=r"^X has more than one row at the time Period\('2003-02', 'M'\)"):
        f.predict(X=X.iloc[[36, 37, 37]])
    assert f.cutoff[0] == y.index[35]
    pd.testing.assert_series_equal(f.predict(X=X.iloc[36:38]), before)
    pd.testing.assert_series_equal(f.predict(X=X.iloc[[35, 35, 36, 37]]), before)  # repeated rows not read


def test_an_update_may_leave_out_the_static_features_as_predict_may():
    times = pd.period_range("2000-01", periods=44, freq="M")
    index = pd.MultiIndex.from_product([["a", "b"], times], names=["id", "t"])
    y = pd.DataFrame({"v": np.sin(np.arange(88) / 3.0)}, index=index)
    X = pd.DataFrame({"size": np.repeat([1.0, 2.0], 44), "x": np.cos(np.arange(88) / 3.0)}, index=index)
    past = y.index.get_level_values("t") < times[40]
    future = pd.MultiIndex.from_product([["a", "b"], pd.period_range(times[-1] + 1, periods=1)], names=["id", "t"])
    X_future = pd.DataFrame({"x": [0.5, -0.5]}, index=future)
    for update_params in (False, True):
        given, left_out = (TCNForecaster(**POINT, static_features=["size"]).fit(y[past], X=X[past], fh=[1])
                           for _ in range(2))
        given.update(y[~past], X=X[~past], update_params=update_params)
        left_out.update(y[~past], X=X[~past][["x"]], update_params=update_params)
        pd.testing.assert_frame_equal(left_out._X, given._X)  # the stored values, not NaN
        pd.testing.assert_frame_equal(left_out.predict(X=X_future), given.predict(X=X_future))

@pytest.fixture(scope="module")
def with_X():
    y = _monthly(np.sin(np.arange(80) / 3.0) * 10 + np.arange(80), "2000-01")
    X = pd.DataFrame({"a": np.cos(np.arange(83) / 3.0), "b": np.arange(83) % 5.0},
                     index=pd.period_range("2000-01", periods=83, freq="M"))
    f = TCNForecaster(**POINT).fit(y, X=X.iloc[:80], fh=[1, 2, 3])
    return f, X


def test_predict_refuses_an_X_without_fits_columns(with_X):
    f, X = with_X
    with pytest.raises(ValueError, match=r"lacks the columns \['b'\]"):
        f.predict(X=X.iloc[80:][["a"]])
    with pytest.raises(ValueError, match=r"lacks the columns \['b'\]"):
        f.predict(X=X.iloc[80:].rename(columns={"b": "typo"}))


def test_predict_refuses_an_X_without_the_horizons_rows(with_X):
    f, X = with_X
    with pytest.raises(ValueError, match="no values for"):
        f.predict(X=X.iloc[:80])  # the training rows again
    with pytest.raises(ValueError, match="no values for"):
        f.predict(X=X.iloc[80:82])  # the third step missing
    assert np.isfinite(f.predict(X=X.iloc[80:]).to_numpy()).all()
    assert np.isfinite(f.predict(X=X).to_numpy()).all()  # past rows beside the horizon's are fine


def test_fit_and_update_refuse_a_panel_X_without_rows_of_y():
    # sktime checks that X's index holds y's for a single series only: a panel's gaps were bare KeyErrors.
    times = pd.period_range("2000-01", periods=44, freq="M")
    index = pd.MultiIndex.from_product([["a", "b"], times], names=["id", "t"])
    y = pd.DataFrame({"v": np.sin(np.arange(88) / 3.0)}, index=index)
    X = pd.DataFrame({"x": np.cos(np.arange(88) / 3.0), "size": np.repeat([1.0, 2.0], 44)}, index=index)
    past = y.index.get_level_values("t") < times[40]
    f = TCNForecaster(**POINT).fit(y[past], X=X[past], fh=[1])
    with pytest.raises(ValueError, match=r"X of series 'a' has no rows for \[Period\('2000-06', 'M'\), "
                                         r"Period\('2000-07', 'M'\)\], times of y"):
        TCNForecaster(**POINT).fit(y[past], X=X[past].drop(index=[("a", times[5]), ("a", times[6])]), fh=[1])
    for columns, static in [(["x", "size"], None), (["size"], ["size"])]:
        with pytest.raises(ValueError, match=r"X has no rows for series 'b' of y"):
            TCNForecaster(**POINT, static_features=static).fit(
                y[past], X=X[past][columns].drop(index="b", level="id"), fh=[1])
    before = f.predict(X=X[~past])
    for update_params in (False, True):
        with pytest.raises(ValueError, match=r"X of series 'a' has no rows for \[Period\('2003-07', 'M'\)\]"):
            f.update(y[~past], X=X[~past].drop(index=("a", times[42])), update_params=update_params)
    assert f.cutoff[0] == times[39] and len(f._y) == len(f._X) == 80
    pd.testing.assert_frame_equal(f.predict(X=X[~past]), before)


def test_steps_that_fh_skips_need_no_X():
    y = _monthly(np.arange(60.0), "2000-01")
    X = pd.DataFrame({"a": np.arange(67.0)}, index=pd.period_range("2000-01", periods=67, freq="M"))
    f = TCNForecaster(**POINT, window_length=6).fit(y, X=X.iloc[:60], fh=[2, 4])
    full, sparse = f.predict(X=X.iloc[60:64]), f.predict(X=X.iloc[[61, 63]])
    assert full.index.equals(sparse.index) and len(full) == 2


@pytest.mark.parametrize("update_params", [False, True])
def test_a_forecaster_saved_after_update_loads(tmp_path, update_params):
    # 40 points choose a 6-step window; after the update 60 would choose 10.
    y = _monthly(np.sin(np.arange(60) / 3.0) * 10 + np.arange(60), "2000-01")
    f = TCNForecaster(**POINT).fit(y.iloc[:40], fh=[1, 2, 3])
    f.update(y.iloc[40:], update_params=update_params)
    loaded = sktcn.load(f.save(tmp_path / "updated"))
    assert loaded.window_length_ == f.window_length_ == 6
    pd.testing.assert_series_equal(loaded.predict(), f.predict())


def test_a_forecaster_with_an_absolute_fh_saved_after_update_loads(tmp_path):
    y = _monthly(np.sin(np.arange(150) / 3.0) * 10 + np.arange(150), "2000-01")
    fh = ForecastingHorizon(y.index[132:135], is_relative=False)  # steps 3..5 of y[:130]
    f = TCNForecaster(**POINT, window_length=12).fit(y.iloc[:130], fh=fh)
    f.update(y.iloc[130:132], update_params=False)
    loaded = sktcn.load(f.save(tmp_path / "absolute"))
    assert loaded.horizon_ == f.horizon_ == 5
    pd.testing.assert_series_equal(loaded.predict(), f.predict())


def test_a_forecaster_on_parsed_timestamps_saves_and_loads(tmp_path, monkeypatch):
    # dateutil.parser's times carry a tzoffset, which the file stored as its repr: load refused it as altered.
    import dateutil.parser

    start = dateutil.parser.parse("2021-03-01 00:00 +0100")
    y = pd.Series(np.sin(np.arange(48) / 3.0), index=pd.date_range(start, periods=48, freq="h"))
    f = TCNForecaster(**POINT).fit(y, fh=[1, 2])
    predicted, loaded = f.predict(), sktcn.load(f.save(tmp_path / "parsed")).predict()
    np.testing.assert_array_equal(loaded.to_numpy(), predicted.to_numpy())
    np.testing.assert_array_equal(loaded.index.asi8, predicted.index.asi8)
    assert [t.utcoffset() for t in loaded.index] == [t.utcoffset() for t in predicted.index]
    # A zone whose name would not read back: refused before anything is written.
    monkeypatch.setattr(sktcn._codec, "_tz_to_json", lambda tz: "Mars/Olympus_Mons")
    with pytest.raises(TypeError, match="cannot store a DatetimeIndex with the time zone tzoffset"):
        f.save(tmp_path / "refused")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["parsed.zip"]


def _same_forecasts(f, reference, X=None):
    """``f`` and ``reference`` share their cutoff, and forecast, interval and variance bit for bit."""
    assert f.cutoff.equals(reference.cutoff)
    for method, kwargs in [("predict", {}), ("predict_interval", dict(coverage=0.9)), ("predict_var", {})]:
        got, expected = getattr(f, method)(X=X, **kwargs), getattr(reference, method)(X=X, **kwargs)
        assert got.index.equals(expected.index), method
        np.testing.assert_array_equal(got.to_numpy(), expected.to_numpy(), err_msg=method)


def test_update_predict_single_returns_the_type_of_y_and_forecasts_as_update_then_predict():
    # sktime's default called the public update with y in sktime's inner type,
    # so a Series user got DataFrames, from this call and every later predict.
    y = load_airline()
    f = TCNForecaster(**POINT).fit(y.iloc[:-6], fh=[1, 2, 3])
    reference = copy.deepcopy(f)
    got = f.update_predict_single(y.iloc[-6:-3], update_params=False)
    expected = reference.update(y.iloc[-6:-3], update_params=False).predict()
    assert isinstance(got, pd.Series) and isinstance(f.predict(), pd.Series)
    pd.testing.assert_series_equal(got, expected, check_exact=True)
    assert f.cutoff.equals(reference.cutoff)
    pd.testing.assert_frame_equal(f._y, reference._y)  # stored once, as update stores it
    # A refused call leaves the forecaster as it was: cutoff, data and forecasts.
    bad = y.iloc[-3:].copy()
    bad.iloc[1] = np.nan
    with pytest.raises(ValueError, match="y"):
        f.update_predict_single(bad, update_params=False)
    assert f.cutoff.equals(reference.cutoff)
    pd.testing.assert_series_equal(f.predict(), expected, check_exact=True)


def test_a_warm_update_predict_single_whose_forecast_fails_leaves_the_networks_as_they_were():
    # The update trains the networks in place; predict then refuses an X
    # without the horizon's rows: the networks kept that training before.
    times = pd.period_range("2000-01", periods=44, freq="M")
    y = pd.Series(np.sin(np.arange(44) / 3) * 10 + 50, index=times, name="v")
    X = pd.DataFrame({"x": np.cos(np.arange(44) / 3)}, index=times)
    f = TCNForecaster(**POINT, warm_start=True).fit(y.iloc[:40], X=X.iloc[:40], fh=[1, 2])
    before = f.predict(X=X.iloc[40:42])
    with pytest.raises(ValueError, match="X"):
        f.update_predict_single(y.iloc[40:42], X=X.iloc[40:42], update_params=True)
    assert str(f.cutoff[0]) == "2003-04"
    pd.testing.assert_series_equal(f.predict(X=X.iloc[40:42]), before, check_exact=True)


@pytest.mark.parametrize("warm_start", [False, True])
def test_an_update_with_earlier_data_forecasts_and_refits_from_the_cutoff_it_moves_back_to(warm_start):
    # sktime sets the cutoff at the end of update's y, behind later data stored
    # before: the forecast labelled 1960-08 was the one for 1960-09, made from
    # the window ending 1960-08, and a refit trained on data after the cutoff.
    y = load_airline()
    f = TCNForecaster(**POINT, window_length=24, warm_start=warm_start).fit(y.iloc[:-6], fh=[1, 2])
    reference = copy.deepcopy(f)  # updated only up to the cutoff
    # sktime's update_predict replays the cutoffs of its y on a copy, from before its first time.
    cv = ExpandingWindowSplitter(fh=[1, 2], initial_window=1)
    replayed = f.update_predict(y.iloc[-6:], cv=cv, update_params=False)
    f.update(y.iloc[-6:-4], update_params=False)  # to 1960-08
    pd.testing.assert_frame_equal(f.update_predict(y.iloc[-6:], cv=cv, update_params=False), replayed,
                                  check_exact=True)
    f.update(y.iloc[-6:-5], update_params=False)  # back to 1960-07
    reference.update(y.iloc[-6:-5], update_params=False)
    assert str(f.cutoff[0]) == "1960-07"
    _same_forecasts(f, reference)
    np.testing.assert_array_equal(replayed["1960-07"].dropna().to_numpy(), f.predict().to_numpy())
    # A refit (or a warm start's further training) reads the data up to the cutoff only.
    f.update(y.iloc[-6:-5], update_params=True)
    reference.update(y.iloc[-6:-5], update_params=True)
    _same_forecasts(f, reference)


def test_each_series_of_a_panel_is_forecast_from_the_cutoff_its_last_update_gave(ragged_panel, tmp_path):
    from test_correction_check import _rewrite_state

    # Series a and b end apart; X and the calendar channels are read at each series' cutoff too.
    y = ragged_panel
    times = y.index.get_level_values(-1)
    X = pd.DataFrame({"x": np.cos(np.arange(124) / 5.0)}, index=pd.MultiIndex.from_product(
        [["a", "b"], pd.period_range("2000-01", "2005-02", freq="M")], names=y.index.names))

    def rows(**spans):
        """y and X at the months from ``start`` to ``end`` of each series given as ``key=(start, end)``."""
        keep = np.zeros(len(y), dtype=bool)
        for key, (start, end) in spans.items():
            keep |= (y.index.get_level_values(0) == key) & (times >= pd.Period(start, "M")) & (
                times <= pd.Period(end, "M"))
        return y[keep], X.loc[y.index[keep]]

    f = TCNForecaster(**POINT, window_length=6, calendar_features=True).fit(
        *rows(a=("2000-01", "2004-06"), b=("2000-01", "2003-10")), fh=[1, 2])
    reference = copy.deepcopy(f)
    f.update(*rows(a=("2004-07", "2004-10"), b=("2003-11", "2004-02")), update_params=False)
    # Back to 2004-07 for a, 2003-11 for b; then b alone on to 2003-12, while a keeps 2004-07.
    for new in [rows(a=("2004-07", "2004-07"), b=("2003-11", "2003-11")), rows(b=("2003-12", "2003-12"))]:
        f.update(*new, update_params=False)
        reference.update(*new, update_params=False)
        _same_forecasts(f, reference, X=X)
    assert [str(t) for t in f.predict(X=X).index.get_level_values(-1)] == ["2004-08", "2004-09", "2004-01", "2004-02"]
    # A saved file keeps the cutoffs (fit of the stored data would put them at its end) and refuses altered ones.
    path = f.save(tmp_path / "moved_back")
    loaded = sktcn.load(path)
    _same_forecasts(loaded, f, X=X)
    new = rows(a=("2004-08", "2004-08"), b=("2004-01", "2004-01"))
    loaded.update(*new, update_params=False)
    f.update(*new, update_params=False)
    _same_forecasts(loaded, f, X=X)
    with pytest.raises(ModelFileError, match="cutoffs do not fit its stored data"):
        sktcn.load(_rewrite_state(path, lambda state: state.update(series_rows=[1, 100])))


def test_a_file_whose_cutoffs_leave_a_series_fewer_values_than_the_window_is_refused(ragged_panel, tmp_path):
    from test_correction_check import _rewrite_state

    # A series cut below window_length_ (in series_rows) loaded, then predict failed with NumPy's concatenate error.
    f = TCNForecaster(**POINT, window_length=6).fit(ragged_panel.groupby(level=0).head(40), fh=[1, 2])
    f.update(ragged_panel.groupby(level=0).nth(slice(40, 45)), update_params=False)
    f.update(ragged_panel.groupby(level=0).nth(slice(40, 41)), update_params=False)  # back: 41 rows each
    path = f.save(tmp_path / "moved_back")
    for rows, loads in [([5, 41], False), ([41, 1], False), ([6, 6], True)]:
        altered = _rewrite_state(path, lambda state: state.update(series_rows=rows))
        if not loads:
            with pytest.raises(ModelFileError, match="altered"):
                sktcn.load(altered)
            continue
        # As short as the window, as update allows: loads, and forecasts.
        assert np.isfinite(sktcn.load(altered).predict().to_numpy()).all()


def test_a_new_series_as_short_as_the_window_is_saved_and_loaded(ragged_panel, tmp_path):
    # update accepts a new series of window_length_ values without a refit; load refused the file it saved as altered.
    f = TCNForecaster(**POINT, window_length=6).fit(ragged_panel, fh=[1, 2, 3])
    new = _monthly(np.arange(6.0), "2004-07").to_frame("v")
    new.index = pd.MultiIndex.from_product([["c"], new.index], names=ragged_panel.index.names)
    f.update(new, update_params=False)
    loaded = sktcn.load(f.save(tmp_path / "new_series"))
    _same_forecasts(loaded, f)
    assert loaded.predict().loc["c"].index[0] == pd.Period("2005-01", "M")


def test_a_cutoff_moved_back_without_cutting_any_series_is_kept_by_save(ragged_panel, tmp_path):
    import json
    import zipfile

    # Updating b (which ends ten months before a) alone moves sktime's cutoff back to b's new end, while every
    # series keeps all its data: the file kept no cutoff, and load put it back at a's end.
    f = TCNForecaster(**POINT, window_length=6).fit(ragged_panel, fh=[1, 2])
    state = json.loads(zipfile.ZipFile(f.save(tmp_path / "fit")).read("manifest.json"))["state"]
    assert "cutoff" not in state and "series_rows" not in state  # the file of a plain fit is as it was
    b = _monthly([500.0, 510.0], "2004-03").to_frame("v")
    b.index = pd.MultiIndex.from_product([["b"], b.index], names=ragged_panel.index.names)
    f.update(b, update_params=False)
    assert str(f.cutoff[0]) == "2004-04"
    loaded = sktcn.load(f.save(tmp_path / "moved_back"))
    _same_forecasts(loaded, f)
    assert list(loaded.fh.to_absolute(loaded.cutoff)) == list(f.fh.to_absolute(f.cutoff))
    assert loaded._series_ends is None  # as in f: every series' cutoff is its end


@pytest.mark.parametrize("changes", [dict(horizon_=2), dict(horizon_=0), dict(window_length_=500),
                                     dict(window_length_="6"), dict(window_length_=0)])
def test_a_stored_window_or_horizon_that_does_not_fit_is_refused(tmp_path, changes):
    from test_correction_check import _rewrite_state

    y = _monthly(np.arange(60.0), "2000-01")
    f = TCNForecaster(**POINT).fit(y, fh=[1, 2, 3])
    with pytest.raises(ModelFileError, match="altered"):
        sktcn.load(_rewrite_state(f.save(tmp_path / "f"), lambda state: state.update(changes)))


def test_a_failed_refit_leaves_the_previous_fit():
    # sktime resets a forecaster before _fit; the previous fit must survive a failure all the same.
    y = _monthly(np.sin(np.arange(72.0)), "2000-01")
    f = TCNForecaster(**POINT, window_length=30).fit(y, fh=[1, 2, 3])
    before = f.predict()
    with pytest.raises(ValueError, match="too short"):
        f.fit(y.iloc[:20], fh=[1, 2, 3])
    assert f.is_fitted and f.window_length_ == 30
    pd.testing.assert_series_equal(f.predict(), before)


def test_a_failed_fit_predict_leaves_the_previous_fit():
    # sktime's fit_predict resets the forecaster and calls _fit itself, past fit's
    # snapshot: it left the forecaster unfitted, its data and cutoff moved.
    y = _monthly(np.sin(np.arange(72.0)), "2000-01")
    f = TCNForecaster(**POINT, window_length=30).fit(y, fh=[1, 2])
    before = f.predict()
    with pytest.raises(ValueError, match="too short"):
        f.fit_predict(y.iloc[:20], fh=[1, 2, 3])  # fails after the new horizon is set
    assert f.is_fitted and f.horizon_ == 2 and f.cutoff.equals(before.index[:0].append(y.index[-1:]))
    pd.testing.assert_series_equal(f.predict(), before)
    f.set_config(remember_data=False)  # as fit, refused
    with pytest.raises(ValueError, match="remember_data=True"):
        f.fit_predict(y.iloc[:60], fh=[1, 2])
    pd.testing.assert_series_equal(f.set_config(remember_data=True).predict(), before)
    # A successful one forecasts as fit, then predict.
    pd.testing.assert_series_equal(f.fit_predict(y.iloc[:60], fh=[1, 2]),
                                   TCNForecaster(**POINT, window_length=30).fit(y.iloc[:60], fh=[1, 2]).predict())


@pytest.mark.parametrize("n_networks", [1, 2])
def test_a_warm_update_failing_after_its_training_puts_back_the_networks(monkeypatch, n_networks):
    # A warm update trains the fitted networks in place: a failure after that (in
    # the residuals, where a MemoryError or Ctrl-C is likeliest) kept the
    # further-trained networks beside the residuals of the last fit.
    y = _monthly(np.sin(np.arange(72.0)), "2000-01")
    params = dict(POINT, n_networks=n_networks, dropout_rate=0.1, warm_start=True)
    f, twin = (TCNForecaster(**params).fit(y.iloc[:60], fh=[1, 2]) for _ in range(2))
    before, network = f.predict(), f.regressor_.model_
    weights, epochs = network.get_weights(), len(f.regressor_.history_["loss"])

    def out_of_memory(*args, **kwargs):
        raise MemoryError("stands for a failure after the networks trained")

    with monkeypatch.context() as patch:
        patch.setattr(sktcn.forecasting, "to_interval_units", out_of_memory)
        with pytest.raises(MemoryError):
            f.update(y.iloc[60:66])
    assert f.regressor_.model_ is network and len(f.regressor_.history_["loss"]) == epochs
    assert all(np.array_equal(now, then) for now, then in zip(network.get_weights(), weights))
    pd.testing.assert_series_equal(f.predict(), before)
    # Optimizer and dropout states too: the next warm update is the one that never failed.
    pd.testing.assert_series_equal(f.update(y.iloc[60:66]).predict(), twin.update(y.iloc[60:66]).predict())


def test_an_optimizer_instance_serves_every_network():
    import keras

    y = _monthly(np.sin(np.arange(72.0)), "2000-01")
    f = TCNForecaster(**dict(TINY_FORECASTER, n_networks=2), optimizer=keras.optimizers.Adam()).fit(y, fh=[1, 2])
    assert np.isfinite(f.predict().to_numpy()).all()


def test_without_remembered_data_fit_and_update_are_refused():
    y = _monthly(np.sin(np.arange(72.0)), "2000-01")
    with pytest.raises(ValueError, match="remember_data=True"):
        TCNForecaster(**POINT).set_config(remember_data=False).fit(y, fh=[1, 2])
    f = TCNForecaster(**POINT).fit(y.iloc[:-2], fh=[1, 2])
    before = f.predict()
    f.set_config(remember_data=False)
    with pytest.raises(ValueError, match="remember_data=True"):
        f.update(y.iloc[-2:])  # would move the cutoff and relabel the old forecast
    assert f.cutoff.equals(before.index[:0].append(y.index[-3:-2]))
    pd.testing.assert_series_equal(f.predict(), before)


@pytest.mark.parametrize("column", [pd.Categorical(["north", "south"] * 36), np.array(["north", "south"] * 36)])
def test_categorical_or_text_X_is_refused_by_sktime(column):
    y = _monthly(np.sin(np.arange(72.0)), "2000-01")
    X = pd.DataFrame({"region": column}, index=y.index)
    with pytest.raises(TypeError, match="categorical"):
        TCNForecaster(**POINT).fit(y, X=X, fh=[1, 2])


def test_big_endian_y_and_X_forecast_as_their_native_values():
    # Data read from a file written on a big-endian machine ('>f8'): pandas
    # cannot reindex or pool them, so a fit with such X and any update after a
    # fit on such y failed with "Big-endian buffer not supported".
    y = _monthly(10 + np.sin(np.arange(40) / 3.0), "2000-01")
    X = pd.DataFrame({"x": np.cos(np.arange(40) / 5.0)}, index=y.index)

    def run(y, X):
        f = TCNForecaster(**POINT, correction="always").fit(y[:30], X=X[:30], fh=[1, 2])
        first = f.predict(X=X[30:32])
        f.update(y[30:34], X=X[30:34])
        return f, [first, f.predict(X=X[34:36])]

    native, expected = run(y, X)
    swapped, got = run(y.astype(">f8"), X.astype(">f8"))
    for forecast, native_forecast in zip(got, expected):
        pd.testing.assert_series_equal(forecast, native_forecast, check_exact=True)
    # Stored in native order: later updates (of either order) pool into it.
    assert all(dtype.isnative for dtype in [*swapped._y.dtypes, *swapped._X.dtypes])
    swapped.update(y[34:36], X=X[34:36], update_params=False)
    native.update(y[34:36], X=X[34:36], update_params=False)
    pd.testing.assert_series_equal(swapped.predict(X=X[36:38]), native.predict(X=X[36:38]), check_exact=True)


# ------------------------------------------- windows whose past does not vary
def _walk_with_flat_stretch(level, sd, flat, n=100, seed=0):
    """A random walk at ``level`` with steps of ``sd``, whose values over ``flat`` (a slice) repeat."""
    values = level + sd * np.random.default_rng(seed).normal(size=n).cumsum()
    # A round number, as the tests of intervals were written with; any repeated value
    # is flat (see _windows.varying and the tests of non-round runs below).
    values[flat] = np.round(values[flat.start - 1])
    return pd.Series(values)


def _widths(forecaster, coverage=0.9):
    interval = forecaster.predict_interval(coverage=coverage)
    return (interval.iloc[:, 1] - interval.iloc[:, 0]).to_numpy()


@pytest.mark.parametrize("scaling", ["standard", "mean"])
def test_intervals_of_a_flat_last_window_follow_the_series_scale(scaling):
    # The last 12 values repeat (a stock-out, a stuck sensor): the window has no
    # scale of its own. Its intervals were about +-1 in y's units whatever its scale.
    base = 0.0 if scaling == "mean" else 100.0  # "mean" has no scale on a run of zeros
    y = _walk_with_flat_stretch(base, 1.0, slice(88, 100)) + (10.0 if scaling == "mean" else 0.0)
    if scaling == "mean":
        y.iloc[88:] = 0.0
    widths = [_widths(TCNForecaster(**TINY_FORECASTER, window_length=10, scaling=scaling).fit(y * factor,
                                                                                               fh=[1, 2, 3]))
              for factor in (1.0, 1e4)]
    assert np.all(widths[0] > 0)
    np.testing.assert_allclose(widths[1], 1e4 * widths[0], rtol=1e-3)


def test_intervals_of_a_window_flat_since_an_update_follow_the_series_scale():
    y = _walk_with_flat_stretch(100.0, 1.0, slice(88, 100))
    widths = []
    for factor in (1.0, 1e4):
        f = TCNForecaster(**TINY_FORECASTER, window_length=10).fit(y.iloc[:88] * factor, fh=[1, 2, 3])
        widths.append(_widths(f.update(y.iloc[88:] * factor, update_params=False)))
    np.testing.assert_allclose(widths[1], 1e4 * widths[0], rtol=1e-3)


@pytest.mark.parametrize("calibration_size", [0.2, 0.0])
def test_a_flat_stretch_among_the_calibration_windows_keeps_residuals_standardised(calibration_size):
    # 12 repeated values inside the newest 20 % of windows, at a level of 1e6 with
    # steps of 1e4: their raw-unit errors (~1e4) made every interval ~1e4 times too wide.
    y = _walk_with_flat_stretch(1e6, 1e4, slice(95, 107), n=120)
    f = TCNForecaster(**TINY_FORECASTER, window_length=10, calibration_size=calibration_size).fit(y, fh=[1, 2, 3])
    assert np.nanmax(np.abs(f.residual_quantile_source_)) < 50
    assert np.all(_widths(f) < 20 * 1e4 * np.sqrt(3))


@pytest.mark.parametrize("level, value, window_length", [
    (1e-3, 0.0012345, 6),  # a mean that rounds: standardised to ~1e-19, not 0
    (100.0, 123.456, 10),  # likewise, ~1e-14
    (1e-3, 2.0**-10, 6),  # a round value: exact zeros, flat before the fix too
])
def test_a_series_ending_in_a_run_of_one_value_forecasts_its_baseline(level, value, window_length):
    # The network's correction, in scaled units, would land in raw units on the
    # flat window: around 1e-3 it moved the forecast far from the series' level.
    y = level + 0.1 * level * pd.Series(np.random.default_rng(0).normal(size=60).cumsum())
    y.iloc[-12:] = value
    f = TCNForecaster(**POINT, window_length=window_length, baseline="naive", correction="always")
    predicted = f.fit(y, fh=[1, 2, 3]).predict().to_numpy()
    np.testing.assert_allclose(predicted, value, rtol=1e-12)


@pytest.fixture(scope="module")
def panel_with_dead_series():
    rng = np.random.default_rng(0)
    parts = {f"live{i}": 100 + rng.normal(0, 5, 60).cumsum() for i in range(2)}
    parts.update({f"dead{i}": np.zeros(60) for i in range(3)})
    y = pd.concat({key: pd.DataFrame({"y": values}) for key, values in parts.items()}, names=["id", "t"])
    return TCNForecaster(**TINY_FORECASTER, window_length=10).fit(y, fh=[1, 2, 3])


def test_series_that_never_vary_add_no_residuals_and_get_no_width(panel_with_dead_series):
    # Their exact-zero errors were pooled with the live series' and shrank those intervals.
    f = panel_with_dead_series
    residuals = f.residual_quantile_source_
    known = ~np.isnan(residuals).any(axis=(1, 2))
    assert known.sum() == len(residuals) * 2 // 5 and not np.any(residuals[known] == 0)
    interval = f.predict_interval(coverage=[0.8, 0.95])
    assert np.all(interval.loc[["dead0", "dead1", "dead2"]].to_numpy() == 0.0)
    widths = interval.iloc[:, 3] - interval.iloc[:, 2]
    assert np.all(widths.loc[["live0", "live1"]] > 0)


def test_residuals_of_series_that_never_vary_survive_saving_and_pickling(panel_with_dead_series, tmp_path):
    import pickle

    f = panel_with_dead_series
    expected = f.predict_interval(coverage=0.9)
    for copy in (sktcn.load(f.save(tmp_path / "dead")), pickle.loads(pickle.dumps(f))):
        np.testing.assert_array_equal(copy.residual_quantile_source_, f.residual_quantile_source_)
        pd.testing.assert_frame_equal(copy.predict_interval(coverage=0.9), expected)


def test_infinite_y_is_refused_with_the_reason_at_fit_and_update():
    # sktime lets infinity through (a LogTransformer over a zero makes one); Keras called it NaN.
    y = _monthly(10 + np.sin(np.arange(60) / 3.0), "2000-01")
    bad = y.copy()
    bad.iloc[30] = -np.inf
    with pytest.raises(ValueError, match="y holds infinite values.*LogTransformer"):
        TCNForecaster(**POINT).fit(bad, fh=[1, 2])
    f = TCNForecaster(**POINT).fit(y.iloc[:50], fh=[1, 2])
    before, cutoff = f.predict(), f.cutoff
    for update_params in (False, True):
        with pytest.raises(ValueError, match="y holds infinite values"):
            f.update(bad.iloc[25:55], update_params=update_params)
        assert f.cutoff.equals(cutoff) and len(f._y) == 50
        pd.testing.assert_series_equal(f.predict(), before)


@pytest.mark.parametrize("kind", ["period", "integer"])
def test_a_series_that_skips_steps_gets_a_warning_naming_the_gap(kind):
    # A PeriodIndex or integer index with a row missing (dropna over a NaN) was read as consecutive
    # steps, the values either side of the gap as neighbours, without a word.
    y = _monthly(10 + np.sin(np.arange(60) / 3.0), "2000-01").drop(pd.Period("2002-03", "M"))
    if kind == "integer":
        y.index = np.delete(np.arange(60), 26)
    first, due = ("2002-02", "2002-03") if kind == "period" else ("25", "26")
    fix = r"\. TCNForecaster reads each series' values as consecutive steps, .* fill the gaps, e\.g\."
    with pytest.warns(UserWarning, match=rf"y skips time steps \(y's index: {first} is followed by \S+, where {due} "
                                         rf"was due\){fix}"):
        f = TCNForecaster(**POINT).fit(y, fh=[1, 2])
    assert np.isfinite(f.predict().to_numpy()).all()  # forecast all the same, as sktime's others do
    complete = _monthly(np.arange(30.0), "2000-01")
    if kind == "integer":
        complete.index = np.arange(30)
    panel = pd.concat({"a": complete, "b": y.iloc[:40]}).to_frame("v")
    with pytest.warns(UserWarning, match=rf"y skips time steps \(series 'b': {first} is followed by"):
        TCNForecaster(**POINT).fit(panel, fh=[1, 2])
    # Regular steps of another size are steps; no warning.
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        TCNForecaster(**POINT).fit(pd.Series(np.arange(60.0), index=np.arange(0, 600, 10)), fh=[1, 2])


@pytest.mark.parametrize("kind", ["period", "datetime"])
def test_an_update_that_leaves_a_gap_after_the_cutoff_warns_once(kind):
    y = _monthly(10 + np.sin(np.arange(60) / 3.0), "2000-01")
    if kind == "datetime":
        y.index = pd.date_range("2000-01-01", periods=60, freq="MS")
    f = TCNForecaster(**POINT).fit(y.iloc[:40], fh=[1, 2])
    # 2003-05 and 2003-06 missing: 2003-04 is followed by 2003-07 (periods), the first date off the steps
    # is 2003-07 (dates).
    with pytest.warns(UserWarning, match=r"y skips time steps \(y's index: .*(2003-04.*2003-07|2003-07.*2003-05)"):
        f.update(y.iloc[42:50], update_params=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # the same gap: not again
        f.update(y.iloc[50:52], update_params=False)
    assert len(f._y) == 50 and np.isfinite(f.predict().to_numpy()).all()


def test_infinite_X_is_refused_with_the_reason_at_fit_update_and_predict():
    # Before, the windows scaled infinity to NaN and scikit-learn said "Input contains NaN".
    y = _monthly(10 + np.sin(np.arange(60) / 3.0), "2000-01")
    X = pd.DataFrame({"x": np.cos(np.arange(60) / 3.0)}, index=y.index)
    bad = X.copy()
    bad.iloc[30, 0] = np.inf
    with pytest.raises(ValueError, match="X holds infinite values.*2002-07"):
        TCNForecaster(**POINT).fit(y, X=bad, fh=[1, 2])
    f = TCNForecaster(**POINT).fit(y.iloc[:50], X=X.iloc[:50], fh=[1, 2])
    before, cutoff = f.predict(X=X.iloc[50:52]), f.cutoff
    with pytest.raises(ValueError, match="X holds infinite values"):
        f.update(y.iloc[50:55], X=bad.iloc[28:55], update_params=False)
    assert f.cutoff.equals(cutoff)
    future = X.iloc[50:52].copy()
    future.iloc[1, 0] = -np.inf
    with pytest.raises(ValueError, match="X holds infinite values"):
        f.predict(X=future)
    pd.testing.assert_series_equal(f.predict(X=X.iloc[50:52]), before)


@pytest.mark.parametrize("update_params", [False, True])
def test_an_unnamed_update_continues_the_named_series_it_was_fit_on(update_params):
    # sktime pools update's y into the stored one by column name: an unnamed Series
    # came in beside the named one, each half NaN, and the update failed with
    # "cannot convert float NaN to integer". sktime's Series-based forecasters
    # (NaiveForecaster) pool it by its index alone.
    y = _monthly(10 + np.sin(np.arange(40) / 3.0), "2000-01").rename("sales")
    new = _monthly([10.5, 9.5], "2003-05")
    f = TCNForecaster(**POINT).fit(y, fh=[1, 2])
    named = TCNForecaster(**POINT).fit(y, fh=[1, 2])
    f.update(new, update_params=update_params)
    named.update(new.rename("sales"), update_params=update_params)
    assert list(f._y.columns) == ["sales"] and len(f._y) == 42
    np.testing.assert_array_equal(f.predict().to_numpy(), named.predict().to_numpy())


def test_an_update_with_other_columns_is_refused_and_changes_nothing():
    Y = pd.DataFrame({"a": 10 + np.sin(np.arange(40) / 3.0), "b": 5 + np.cos(np.arange(40) / 3.0)},
                     index=pd.period_range("2000-01", periods=40, freq="M"))
    X = pd.DataFrame({"x": np.arange(42.0)}, index=pd.period_range("2000-01", periods=42, freq="M"))
    f = TCNForecaster(**POINT).fit(Y, X=X.iloc[:40], fh=[1])
    before, cutoff = f.predict(X=X.iloc[40:41]), f.cutoff
    new = Y.iloc[-1:].set_axis(pd.period_range("2003-05", periods=1, freq="M"))
    for bad_y, bad_X, message in [
        (new[["a"]], X.iloc[40:41], r"update's y has the columns \['a'\], but .* columns \['a', 'b'\]"),
        (new.set_axis(["c", "d"], axis=1), X.iloc[40:41], r"update's y has the columns \['c', 'd'\]"),
        (new, X.iloc[40:41].set_axis(["z"], axis=1), r"update's X has the columns \['z'\], but .* \['x'\]"),
    ]:
        with pytest.raises(ValueError, match=message):
            f.update(bad_y, X=bad_X, update_params=False)
        assert f.cutoff.equals(cutoff) and list(f._y.columns) == ["a", "b"] and len(f._y) == 40
        pd.testing.assert_frame_equal(f.predict(X=X.iloc[40:41]), before)
    # Fit's columns in another order are fit's columns.
    f.update(new[["b", "a"]], X=X.iloc[40:41], update_params=False)
    assert list(f._y.columns) == ["a", "b"]
    pd.testing.assert_frame_equal(f._y.iloc[-1:], new)


def test_a_non_causal_network_is_refused():
    # A padding="same" network's steps see the steps after them: trained on forking
    # sequences, its own targets; read from one step, keras-tcn takes the window's middle.
    y = _monthly(10 + np.sin(np.arange(40) / 3.0), "2000-01")
    X = pd.DataFrame({"x": np.cos(np.arange(40) / 3.0)}, index=y.index)
    for params, fit_X in [({}, None), ({}, X), ({"forking_sequences": False}, None)]:
        with pytest.raises(ValueError, match="padding='same' cannot forecast: a non-causal network"):
            TCNForecaster(**POINT, padding="same", **params).fit(y, X=fit_X, fh=[1, 2])


def test_a_forecaster_saved_with_same_padding_before_it_was_refused_still_loads(tmp_path, monkeypatch):
    # Files from before the refusal load and forecast as they did, with a warning, and refuse to train again.
    y = _monthly(10 + np.sin(np.arange(40) / 3.0), "2000-01")
    checked = TCNForecaster._check_params
    with monkeypatch.context() as patch, pytest.warns(UserWarning, match="trained with padding='same'"):
        # The fit of an earlier sktcn, which let padding="same" train.
        patch.setattr(TCNForecaster, "_check_params", lambda self, restoring=False: checked(self, restoring=True))
        old = TCNForecaster(**POINT, padding="same").fit(y, fh=[1, 2])
        path = old.save(tmp_path / "same")
    with pytest.warns(UserWarning, match="forecasts as before; refitting it"):
        loaded = sktcn.load(path)
    pd.testing.assert_series_equal(loaded.predict(), old.predict(), check_exact=True)
    with pytest.raises(ValueError, match="padding='same' cannot forecast"):
        loaded.update(y.iloc[-1:] + 0.5, update_params=True)


@pytest.mark.parametrize("params, refused", [
    (dict(loss="mape"), "loss='mape' needs targets in their own units"),
    (dict(metrics=["mae", "accuracy"]), r"metrics \['accuracy'\] are classification metrics"),
])
def test_a_forecaster_saved_with_a_loss_refused_since_still_loads(tmp_path, monkeypatch, params, refused):
    # Saved by an sktcn that took such losses and metrics, it failed to load: "the manifest does not
    # describe a valid fitted estimator". It loads and forecasts, with a warning, and refuses to train again.
    from sktcn import regressor

    y = _monthly(10 + np.sin(np.arange(40) / 3.0), "2000-01")
    with monkeypatch.context() as patch:
        patch.setattr(regressor, "check_loss_targets", lambda *args: None)  # the check of an earlier sktcn
        old = TCNForecaster(**POINT, **params).fit(y.iloc[:-1], fh=[1, 2])
        path = old.save(tmp_path / "old")
    with pytest.warns(UserWarning, match=f"trained with a loss or metrics that sktcn now refuses: {refused}"):
        loaded = sktcn.load(path)
    pd.testing.assert_series_equal(loaded.predict(), old.predict(), check_exact=True)
    loaded.update(y.iloc[-1:], update_params=False)  # moves the cutoff, trains nothing
    assert loaded.cutoff[0] == y.index[-1]
    before = loaded.predict()
    with pytest.raises(ValueError, match=refused):
        loaded.update(y.iloc[-1:] + 0.5, update_params=True)
    pd.testing.assert_series_equal(loaded.predict(), before, check_exact=True)
    with pytest.raises(ValueError, match=refused):
        loaded.fit(y, fh=[1, 2])


def test_y_too_large_to_standardise_is_refused_at_fit_and_update():
    # Beyond about 1e154 a window's standard deviation overflows: every forecast was NaN.
    y = _monthly(10 + np.sin(np.arange(60) / 3.0), "2000-01")
    with pytest.raises(ValueError, match=r"y holds values up to 1.1e\+160 in magnitude.*Rescale y"):
        TCNForecaster(**POINT).fit(y * 1e159, fh=[1, 2])
    # The mean scaling takes no squares: it forecasts such values.
    assert np.isfinite(TCNForecaster(**POINT, scaling="mean").fit(y * 1e159, fh=[1, 2]).predict()).all()
    f = TCNForecaster(**POINT).fit(y.iloc[:50], fh=[1, 2])
    before, cutoff = f.predict(), f.cutoff
    huge = y.iloc[50:55] * 1e159
    for update_params in (False, True):
        with pytest.raises(ValueError, match="y holds values up to .*Rescale y"):
            f.update(huge, update_params=update_params)
        assert f.cutoff.equals(cutoff) and len(f._y) == 50
        pd.testing.assert_series_equal(f.predict(), before)


def test_X_too_large_to_standardise_is_refused_at_fit_update_and_predict():
    # Every scaling standardises X per window; beyond about 1e154 a window's standard deviation
    # overflows and X was read as zeros (the forecasts of X * 0), with only NumPy's warning.
    y = _monthly(10 + np.sin(np.arange(60) / 3.0), "2000-01")
    X = pd.DataFrame({"x": np.cos(np.arange(60) / 3.0)}, index=y.index)
    with pytest.raises(ValueError, match=r"X holds values up to 1e\+200 in magnitude.*Rescale X.*predict's X"):
        TCNForecaster(**POINT, scaling="mean").fit(y, X=X * 1e200, fh=[1, 2])
    f = TCNForecaster(**POINT).fit(y.iloc[:50], X=X.iloc[:50], fh=[1, 2])
    before, cutoff = f.predict(X=X.iloc[50:52]), f.cutoff
    with pytest.raises(ValueError, match="X holds values up to .*Rescale X"):
        f.predict(X=X.iloc[50:52] * 1e200)  # the forecast window joins fit's X and these
    with pytest.raises(ValueError, match="X holds values up to .*Rescale X"):
        f.update(y.iloc[50:55], X=X.iloc[50:55] * 1e200, update_params=True)
    assert f.cutoff.equals(cutoff)
    pd.testing.assert_series_equal(f.predict(X=X.iloc[50:52]), before)


def test_fit_warns_about_a_series_that_varies_without_any_window_with_a_scale():
    # Below the documented threshold (a window's spread under 1e-8 times the larger of 1 and
    # its level) every window kept scale 1: the correction was learnt on nothing, silently.
    a = _monthly(10 + np.sin(np.arange(40) / 3.0), "2000-01")
    units = np.random.default_rng(0).integers(1, 500, size=40)
    price = a * 0.0 + 2.99 * units / units  # 2.99 give or take 9e-16: constant, not a series to rescale
    # ordinary, tiny, constant, constant up to float64 rounding
    y = pd.concat({"a": a, "b": a * 1e-12, "c": a * 0.0 + 5.0, "d": price}).to_frame("v")
    with pytest.warns(UserWarning, match=r"1 series of y \(the first: 'b'\) varies, but within every window "
                                         r"of window_length_=6 steps by less than 1e-8 .*Rescale y first"):
        TCNForecaster(**POINT, window_length=6).fit(y, fh=[1])
    from sktcn._window_scaling import get_scaling, lacks_scale

    values = np.column_stack([a * 1e-12, a, 1e9 + a, price])
    assert np.ptp(price) > 0
    assert lacks_scale(get_scaling("standard"), values, 6).tolist() == [True, False, True, False]
    assert lacks_scale(get_scaling("series"), values, 6).tolist() == [True, False, True, False]
    assert not lacks_scale(get_scaling("mean"), values, 6).any()  # a mean absolute value is a scale
    assert not lacks_scale(get_scaling("standard"), values, 1).any()  # one-step windows keep their corrections


def test_intervals_beyond_what_the_calibration_pool_supports_warn_once_per_call():
    # Split conformal's rank ceil(c (n + 1)) beyond n is capped at the largest error, whose
    # guarantee is n / (n + 1): a coverage of 0.999 from 30 errors was given silently.
    y = _monthly(50 + 10 * np.sin(np.arange(60) / 3.0) + np.random.default_rng(0).normal(size=60), "2000-01")
    f = TCNForecaster(**TINY_FORECASTER, window_length=12).fit(y, fh=[1, 2, 3])
    n = f.residual_quantile_source_.size  # windows times steps, one variable
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        f.predict_interval(coverage=[0.5, n / (n + 1)])  # within the pool's reach
    with pytest.warns(UserWarning) as caught:
        wide = f.predict_interval(coverage=[0.999, 0.9999, 0.9])
    messages = [str(w.message) for w in caught if "calibration errors" in str(w.message)]
    assert len(messages) == 1 and messages[0].startswith(
        f"An interval of coverage 0.9999 needs a pool of at least 9999 calibration errors, but fit's pool holds {n} ")
    assert f"supports a coverage of {n}/{n + 1} = {n / (n + 1):.3g} only" in messages[0]
    # Both are the widest error's interval: the cap the warning names.
    np.testing.assert_array_equal(wide.iloc[:, :2].to_numpy(), wide.iloc[:, 2:4].to_numpy())


@pytest.mark.filterwarnings("ignore:y varies, but within every window:UserWarning")  # the 1e9 series, as intended
@pytest.mark.parametrize("y, window_length", [
    (10.0 + np.random.default_rng(0).normal(size=40).cumsum(), 1),  # one-step windows have no spread
    (1e9 + 3.0 * np.random.default_rng(1).normal(size=40), 5),  # a spread tiny next to the level
])
def test_series_that_vary_without_any_own_scale_window_keep_their_intervals(y, window_length):
    # No window has a scale of its own, yet the series varies: its residuals stay in raw
    # units, as before windows were given a fallback scale (it was 0: all NaN, zero width).
    f = TCNForecaster(**TINY_FORECASTER, window_length=window_length).fit(pd.Series(y), fh=[1, 2])
    assert not np.isnan(f.residual_quantile_source_).any()
    assert np.all(_widths(f) > 0)


def test_an_update_without_refit_refuses_a_new_series_shorter_than_the_window(ragged_panel):
    # Accepted before, and then every forecast of every series failed with NumPy's concatenate message.
    f = TCNForecaster(**POINT, window_length=6).fit(ragged_panel, fh=[1])
    before = f.predict()
    short = _monthly(np.arange(3.0), "2001-01").to_frame(ragged_panel.columns[0])
    short.index = pd.MultiIndex.from_product([["new"], short.index], names=ragged_panel.index.names)
    with pytest.raises(ValueError, match=r"Series 'new' has 3 observations, fewer than .* window_length_=6"):
        f.update(short, update_params=False)
    pd.testing.assert_frame_equal(f.predict(), before, check_exact=True)
