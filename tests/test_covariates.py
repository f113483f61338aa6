"""Calendar and static features of TCNForecaster: the pure channel functions, then their wiring."""

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from sktime.datasets import load_airline

import sktcn
from sktcn import TCNForecaster
from sktcn._covariates import (
    LocalClock,
    calendar_channels,
    covariate_channels,
    first_phase,
    standardise_static,
    static_statistics,
    static_values,
)
from sktcn._simple_forecasts import season_length
from sktcn._windows import series_of
from conftest import TINY_FORECASTER

POINT = dict(TINY_FORECASTER, calibration_size=0.0)


# ------------------------------------------------------------ pure functions
@pytest.mark.parametrize("index, sp, phase", [
    (pd.period_range("1949-01", periods=4, freq="M"), 12, 0),
    (pd.period_range("1949-11", periods=4, freq="M"), 12, 10),
    (pd.period_range("2001Q3", periods=4, freq="Q"), 4, 2),
    (pd.date_range("2020-01-01 05:00", periods=4, freq="h"), 24, 5),
    (pd.date_range("2020-03-01", periods=4, freq="MS"), 12, 2),  # a frequency pandas infers
    (pd.date_range("2020-01-01", periods=4, freq="QS"), 4, 0),  # the calendar quarters, as a "Q" PeriodIndex
    (pd.date_range("2020-05-01", periods=4, freq="QS-FEB"), 4, 1),
    (pd.date_range("2020-01-01 05:00", periods=4, freq="2h"), 12, 2),  # steps of 2 hours: 04:00-06:00 is step 2
    (pd.period_range("2001-07", periods=4, freq="2M"), 6, 3),  # July-August is the 4th pair of months
    (pd.Index([25, 26, 27, 28]), 7, 4),
])
def test_first_phase_counts_steps_of_the_index(index, sp, phase):
    assert first_phase(index, sp) == phase


def test_first_phase_of_days_follows_the_weekday():
    # The origin is arbitrary; one week apart is the same phase, one day apart the next.
    monday = pd.date_range("2024-01-01", periods=3, freq="D")
    assert first_phase(monday + pd.Timedelta(days=7), 7) == first_phase(monday, 7)
    assert first_phase(monday + pd.Timedelta(days=1), 7) == (first_phase(monday, 7) + 1) % 7


@pytest.mark.parametrize("index", [
    pd.date_range("2019-10-01", periods=9, freq="QS"),
    pd.date_range("2019-11-01", periods=9, freq="QS-FEB"),
    pd.date_range("2019-01-01", periods=9, freq="YS-JAN"),
    pd.date_range("2024-01-01 01:00", periods=30, freq="2h"),
    pd.date_range("2024-01-01", periods=30, freq="3h"),
    pd.date_range("2024-01-01", periods=30, freq="2D"),
    pd.date_range("2024-01-01", periods=30, freq="2MS"),
    pd.date_range("2024-01-07", periods=60, freq="2W"),
    pd.period_range("2001-01", periods=30, freq="2M"),
    pd.period_range("2001-01-01 00:00", periods=30, freq="2h"),
    # Business and semi-month dates count as the months (and halves of months) they fall in.
    pd.date_range("2024-01-01", periods=30, freq="BMS"),
    pd.date_range("2024-01-01", periods=30, freq="BME"),
    pd.date_range("2024-01-01", periods=30, freq="BQS"),
    pd.date_range("2024-01-01", periods=60, freq="SMS"),
    pd.date_range("2024-01-01", periods=60, freq="SME"),
    pd.date_range("2024-01-15", periods=60, freq="2SMS"),
], ids=lambda index: f"{type(index).__name__}-{index.freqstr}")
@pytest.mark.parametrize("sp", ["index", 3, 5])
def test_first_phase_counts_steps_so_every_series_gives_a_timestamp_one_phase(index, sp):
    # A series starting k steps later starts k phases later: a panel's series
    # that share a timestamp give it the same calendar channels, whatever the
    # multiplier or anchor of the frequency, and whether sp is the one the
    # index implies or one the user chose.
    sp = season_length(index) if sp == "index" else sp
    phase = first_phase(index, sp)
    assert [first_phase(index[k:], sp) for k in range(len(index) - 2)] == [
        (phase + k) % sp for k in range(len(index) - 2)]


def test_quarter_and_year_starts_count_their_quarters_and_years():
    # pandas has no period type for start-anchored offsets ("QS-JAN", "YS-JAN"):
    # they count as the quarters and years they start.
    quarters = pd.date_range("2020-01-01", periods=6, freq="QS")
    assert season_length(quarters) == 4
    assert [first_phase(quarters[k:], 4) for k in range(4)] == [0, 1, 2, 3]
    assert first_phase(quarters + pd.DateOffset(months=3), 4) == 1  # one quarter later
    assert first_phase(pd.date_range("2021-01-01", periods=4, freq="YS"), 3) == (
        first_phase(pd.date_range("2020-01-01", periods=4, freq="YS"), 3) + 1) % 3


@pytest.mark.parametrize("index, sp, phase", [
    (pd.date_range("2024-03-01", periods=3, freq="BMS"), 12, 2),  # March (its first business day is the 1st)
    (pd.date_range("2024-06-01", periods=3, freq="BMS"), 12, 5),  # June, from Monday the 3rd
    (pd.date_range("2024-03-01", periods=3, freq="BME"), 12, 2),
    (pd.date_range("2024-01-01", periods=3, freq="SMS"), 24, 0),  # the 1st of January
    (pd.date_range("2024-01-02", periods=3, freq="SMS"), 24, 1),  # from the 15th
    (pd.date_range("2024-02-01", periods=3, freq="SME"), 24, 2),  # the 15th of February
    (pd.date_range("2024-02-16", periods=3, freq="SME"), 24, 3),  # from its last day
])
def test_business_and_semi_month_dates_count_their_months(index, sp, phase):
    # sp="auto" found their season, but calendar_features refused them: "cannot count steps of frequency 'BMS'".
    assert season_length(index) == sp and first_phase(index, sp) == phase


def test_two_hourly_steps_repeat_the_same_hour_every_day():
    index = pd.date_range("2024-01-01 06:00", periods=36, freq="2h")
    sp = season_length(index)
    assert sp == 12  # steps in a day
    channels = calendar_channels(first_phase(index, sp), np.array([0]), len(index), sp)[0]
    # 06:00 on the next day, and the day after, has the channels of 06:00 today.
    np.testing.assert_allclose(channels[12:24], channels[:12], atol=1e-12)
    np.testing.assert_allclose(channels[24:], channels[:12], atol=1e-12)
    # 18:00 is half a day away from 06:00: the opposite point of the circle.
    np.testing.assert_allclose(channels[6], -channels[0], atol=1e-12)


def test_first_phase_rejects_irregular_and_unplaceable_indices():
    irregular = pd.DatetimeIndex(["2020-01-01", "2020-01-03", "2020-01-04", "2020-01-10"])
    with pytest.raises(ValueError, match="regular"):
        first_phase(irregular, 7)
    with pytest.raises(ValueError, match="cannot place"):
        first_phase(pd.Index(["a", "b", "c"]), 3)


def test_calendar_channels_are_the_unit_circle_of_the_phase():
    channels = calendar_channels(phase=10, starts=np.array([0, 5]), length=4, sp=12)
    assert channels.shape == (2, 4, 2)
    np.testing.assert_allclose(np.hypot(channels[..., 0], channels[..., 1]), 1.0)
    # Step 2 of the first window (phase 0) is the first of the next season: (sin, cos) = (0, 1).
    np.testing.assert_allclose(channels[0, 2], [0.0, 1.0], atol=1e-12)
    # A window starting one season later reads the same channels.
    np.testing.assert_allclose(calendar_channels(10, np.array([12]), 4, 12), channels[:1])


def test_static_values_and_their_standardisation():
    index = pd.MultiIndex.from_product([["a", "b"], range(3)])
    X = pd.DataFrame({"size": [2.0] * 3 + [4.0] * 3, "price": np.arange(6.0)}, index=index)
    parts = dict(series_of(X))
    keys = [("a",), ("b",)]  # series keys as sktcn._windows.series_of gives them
    values = static_values(parts, ["size"], keys)
    assert {k: v.tolist() for k, v in values.items()} == {("a",): [2.0], ("b",): [4.0]}
    assert {k: v.tolist() for k, v in standardise_static(values, static_statistics(values)).items()} == {("a",): [-1.0], ("b",): [1.0]}
    # One series: nothing to tell apart, so the channel is 0 rather than a division by 0.
    one = {None: np.array([7.0])}
    assert standardise_static(one, static_statistics(one))[None].tolist() == [0.0]
    with pytest.raises(ValueError, match=r"\['price'\] change over time"):
        static_values(parts, ["size", "price"], keys)
    with pytest.raises(ValueError, match="does not have"):
        static_values(parts, ["region"], keys)
    with pytest.raises(ValueError, match="does not have"):
        static_values(None, ["size"], [None])


def test_covariate_channels_order_calendar_then_static():
    channels = covariate_channels(3, 12, np.array([0.5, -1.0]), np.array([0, 1]), 5)
    assert channels.shape == (2, 5, 4)
    np.testing.assert_allclose(channels[..., :2], calendar_channels(3, np.array([0, 1]), 5, 12))
    assert (channels[..., 2] == 0.5).all() and (channels[..., 3] == -1.0).all()
    assert covariate_channels(None, 12, None, np.array([0]), 5).shape == (1, 5, 0)


# ------------------------------------------------------------------ wiring
@pytest.fixture(scope="module")
def airline():
    return load_airline()


@pytest.fixture(scope="module")
def calendar_forecaster(airline):
    return TCNForecaster(**POINT, calendar_features=True).fit(airline, fh=[1, 2, 3])


def test_calendar_channels_reach_the_network(airline, calendar_forecaster):
    f = calendar_forecaster
    assert f.sp_ == 12 and f.covariates_ == {None: (0, None)}  # airline starts in January
    windows = f._forecast_windows(None)[0]
    L = f.window_length_
    assert windows.shape == (1, L, 3)  # y, sin, cos
    # The forecast window ends in December 1960: its channels are the phases of its months.
    expected = calendar_channels(0, np.array([len(airline) - L]), L, 12)[0]
    np.testing.assert_allclose(windows[0, :, 1:], expected, atol=1e-6)
    np.testing.assert_allclose(windows[0, -1, 1:], [np.sin(2 * np.pi * 11 / 12), np.cos(2 * np.pi * 11 / 12)],
                               atol=1e-6)
    # Training windows too: the window starting at step s has the phases of steps s, s+1, ...
    rows = np.array([[0, 0], [0, 7]])
    inputs = f._windows_at(f._arrays(f._y, f._X), rows, fit_targets=False)[0]
    np.testing.assert_allclose(inputs[:, :, 1:], calendar_channels(0, np.array([0, 7]), L, 12), atol=1e-6)
    assert f.predict().notna().all()


def test_calendar_features_off_by_default(airline):
    f = TCNForecaster(**POINT).fit(airline, fh=[1])
    assert f.covariates_ is None and f._forecast_windows(None)[0].shape[-1] == 1


def test_calendar_phase_follows_where_the_series_starts(airline):
    f = TCNForecaster(**POINT, calendar_features=True).fit(airline.iloc[2:], fh=[1])
    assert f.covariates_ == {None: (2, None)}  # March


def test_calendar_features_need_a_season():
    y = pd.Series(np.sin(np.arange(60.0)))
    with pytest.raises(ValueError, match="needs a season.*give y a PeriodIndex or DatetimeIndex with a frequency"):
        TCNForecaster(**POINT, calendar_features=True).fit(y, fh=[1])
    with pytest.raises(ValueError, match="needs a season of at least 2 steps, and sp=1 gives none; pass a longer sp"):
        TCNForecaster(**POINT, calendar_features=True, sp=1).fit(y, fh=[1])
    # An index with a frequency was told to get one: the season is what sktcn does not know.
    for freq, name in [("YE", "YE-DEC"), ("s", "s")]:  # a day of seconds is too long a season (15min has one now, 96)
        dated = y.set_axis(pd.date_range("2000-01-01", periods=60, freq=freq))
        with pytest.raises(ValueError, match=f"knows no season of whole steps for y's frequency '{name}' "
                                             r"\(sp='auto' gave 1\); pass sp"):
            TCNForecaster(**POINT, calendar_features=True).fit(dated, fh=[1])
    f = TCNForecaster(**POINT, calendar_features=True, sp=6).fit(y, fh=[1])  # integers count with a given sp
    assert f.covariates_ == {None: (0, None)}
    assert not hasattr(TCNForecaster(**POINT, calendar_features=True), "covariates_")


def test_calendar_forecaster_saves_and_loads(tmp_path, calendar_forecaster):
    path = calendar_forecaster.save(tmp_path / "calendar")
    loaded = sktcn.load(path)
    assert loaded.calendar_features is True and loaded.covariates_ == calendar_forecaster.covariates_
    pd.testing.assert_series_equal(loaded.predict(), calendar_forecaster.predict())


@pytest.fixture(scope="module")
def panel():
    index = pd.MultiIndex.from_product([["a", "b", "c"], pd.period_range("2000-01", periods=48, freq="M")],
                                       names=["store", "month"])
    rng = np.random.default_rng(0)
    y = pd.DataFrame({"sales": rng.normal(size=len(index)).cumsum()}, index=index)
    X = pd.DataFrame({"size": np.repeat([1.0, 2.0, 6.0], 48), "price": rng.normal(size=len(index))}, index=index)
    return y, X


def test_static_features_are_constant_channels(panel):
    y, X = panel
    f = TCNForecaster(**POINT, static_features=["size"]).fit(y, X=X[["size"]], fh=[1, 2])
    sizes = {key[0]: static[0] for key, (phase, static) in f.covariates_.items()}
    np.testing.assert_allclose(list(sizes.values()), (np.array([1, 2, 6]) - 3) / np.std([1, 2, 6]))
    # Only static columns: the windows hold no exogenous data, so forking
    # sequences stay on and predict needs no X.
    assert f._forking()
    windows = f._forecast_windows(None)[0]
    assert windows.shape == (3, f.window_length_, 2)
    np.testing.assert_allclose(windows[:, :, 1], np.repeat(list(sizes.values()), f.window_length_).reshape(3, -1),
                               rtol=1e-6)
    assert f.predict().shape == (6, 1)


def test_static_features_beside_exogenous_x(panel, tmp_path):
    y, X = panel
    f = TCNForecaster(**POINT, static_features=["size"], calendar_features=True).fit(y, X=X, fh=[1, 2])
    assert not f._forking()  # "price" enters the windows over the horizon
    future = X.groupby(level=0).tail(2)
    future.index = pd.MultiIndex.from_product([["a", "b", "c"], pd.period_range("2004-01", periods=2, freq="M")],
                                              names=["store", "month"])
    # y, price, horizon flag, sin, cos, size; over the window and the horizon.
    assert f._forecast_windows(future)[0].shape == (3, f.window_length_ + 2, 6)
    pred = f.predict(X=future)
    assert pred.shape == (6, 1) and pred.notna().all().all()
    with pytest.raises(ValueError, match="needs X for the forecast horizon"):
        f.predict()
    loaded = sktcn.load(f.save(tmp_path / "panel"))
    pd.testing.assert_frame_equal(loaded.predict(X=future), pred)


@pytest.mark.parametrize("X_columns, static, message", [
    (["size"], ["region"], "does not have"),
    (None, ["size"], "does not have"),
    (["size", "price"], ["price"], "change over time"),
])
def test_bad_static_features_fail_clearly_and_leave_nothing(panel, X_columns, static, message):
    y, X = panel
    f = TCNForecaster(**POINT, static_features=static)
    with pytest.raises(ValueError, match=message):
        f.fit(y, X=None if X_columns is None else X[X_columns], fh=[1])
    assert not hasattr(f, "covariates_") and not hasattr(f, "regressors_")


def test_bad_covariate_parameter_types():
    with pytest.raises((TypeError, ValueError), match="calendar_features"):
        TCNForecaster(**POINT, calendar_features="yes").fit(load_airline(), fh=[1])
    with pytest.raises((TypeError, ValueError), match="static_features"):
        TCNForecaster(**POINT, static_features="size").fit(load_airline(), fh=[1])


def test_first_phase_of_business_days_skips_weekends():
    friday = pd.bdate_range("2024-01-05", periods=3)
    monday = pd.bdate_range("2024-01-08", periods=3)
    assert first_phase(monday, 5) == (first_phase(friday, 5) + 1) % 5
    assert first_phase(pd.bdate_range("2024-01-12", periods=3), 5) == first_phase(friday, 5)


def test_two_hourly_panel_gives_a_timestamp_the_same_channels_in_every_series():
    # Series "b" starts one step (2 hours) after series "a": its phase is one more.
    times = {"a": pd.date_range("2024-01-01 00:00", periods=60, freq="2h"),
             "b": pd.date_range("2024-01-01 02:00", periods=59, freq="2h")}
    index = pd.MultiIndex.from_tuples([(key, t) for key, steps in times.items() for t in steps])
    y = pd.DataFrame({"load": np.sin(np.arange(len(index)) * np.pi / 6)}, index=index)
    f = TCNForecaster(**POINT, calendar_features=True).fit(y, fh=[1])
    assert f.sp_ == 12
    phase_a, phase_b = f.covariates_[("a",)][0], f.covariates_[("b",)][0]
    assert phase_b == (phase_a + 1) % 12
    # Every timestamp of "b" is step k + 1 of "a": both series give it the same channels.
    channels_a = calendar_channels(phase_a, np.array([1]), 59, 12)
    np.testing.assert_allclose(calendar_channels(phase_b, np.array([0]), 59, 12), channels_a, atol=1e-12)


# ---------------------------------------------- series first seen in update
def _as_series(part, key):
    """A panel's part ``part`` (one series, or several) relabelled as series ``key``."""
    return part.rename(index=lambda _: key, level=0)


def test_a_series_first_seen_in_update_without_refit_gets_its_calendar_phase(panel):
    y, _ = panel
    f = TCNForecaster(**POINT, window_length=8, calendar_features=True).fit(y.loc[["a", "b"]], fh=[1, 2])
    before = f.predict()
    # "c" is b whole; "d" is b from its third month: its phase, read from its own
    # index as fit reads every series', is two months on, so its windows and
    # forecast are b's. (Before, every predict failed on a KeyError.)
    new = pd.concat([_as_series(y.loc[["b"]], "c"), _as_series(y.loc[["b"]].iloc[2:], "d")])
    f.update(new, update_params=False)
    assert f.covariates_[("d",)][0] == (f.covariates_[("b",)][0] + 2) % 12
    after = f.predict()
    pd.testing.assert_frame_equal(after.loc[["a", "b"]], before, check_exact=True)  # the known series as before
    for key in ["c", "d"]:
        np.testing.assert_allclose(after.loc[key].to_numpy(), before.loc["b"].to_numpy(), rtol=1e-6)
    assert f.predict_interval(coverage=0.9).notna().all().all()


def test_a_series_first_seen_in_update_without_refit_takes_its_static_features_from_x(panel, tmp_path):
    y, X = panel
    known = ["a", "b"]
    f = TCNForecaster(**POINT, window_length=8, static_features=["size"]).fit(
        y.loc[known], X=X.loc[known, ["size"]], fh=[1, 2])
    before = f.predict()
    # "c" is b with b's size, "d" b with size 6: standardised as fit did a's 1 and b's 2 (mean 1.5, scale 0.5).
    new = pd.concat([_as_series(y.loc[["b"]], "c"), _as_series(y.loc[["b"]], "d")])
    new_X = pd.DataFrame({"size": np.repeat([2.0, 6.0], 48)}, index=new.index)
    f.update(new, X=new_X, update_params=False)
    assert f.covariates_[("c",)][1].tolist() == [1.0] and f.covariates_[("d",)][1].tolist() == [9.0]
    after = f.predict()
    pd.testing.assert_frame_equal(after.loc[known], before, check_exact=True)
    np.testing.assert_allclose(after.loc["c"].to_numpy(), before.loc["b"].to_numpy(), rtol=1e-6)
    assert not np.allclose(after.loc["d"].to_numpy(), before.loc["b"].to_numpy(), rtol=1e-6)
    # A saved file keeps fit's statistics: loaded, no series is standardised over the new ones.
    path = sktcn.persistence.save(f, tmp_path / "updated")
    pd.testing.assert_frame_equal(sktcn.load(path).predict(), after, check_exact=True)
    manifest = json.loads((path / "manifest.json").read_text())
    manifest["state"]["static_statistics"] = manifest["state"]["static_statistics"][:1]
    (path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(sktcn.persistence.ModelFileError, match="static feature statistics"):
        sktcn.load(path)


@pytest.mark.parametrize("update_params", [False, True])
def test_a_new_series_without_its_static_features_is_refused_before_anything_changes(panel, update_params):
    y, X = panel
    f = TCNForecaster(**POINT, window_length=8, static_features=["size"]).fit(
        y.loc[["a", "b"]], X=X.loc[["a", "b"], ["size"]], fh=[1, 2])
    before, stored, cutoff, covariates = f.predict(), f._y, f.cutoff, f.covariates_
    # Before, update_params=False accepted it and every later predict failed on a KeyError.
    with pytest.raises(ValueError, match=r"series 'c', which fit did not see.*static_features \['size'\]"):
        f.update(_as_series(y.loc[["b"]], "c"), update_params=update_params)
    assert f._y is stored and f.cutoff.equals(cutoff) and f.covariates_ is covariates
    pd.testing.assert_frame_equal(f.predict(), before, check_exact=True)


def test_a_time_zone_panel_gives_an_instant_its_local_hour_in_every_series():
    # Across the change to summer time (Berlin, 2021-03-28 02:00 -> 03:00) the steps were counted from each
    # series' first local hour: the instant 07:00 got phase 6 in a series starting before it, 7 in one after;
    # and pandas warned that converting to periods drops the time zone.
    times = pd.date_range("2021-03-27 00:00", periods=74, freq="h", tz="Europe/Berlin")  # with the horizon
    index = pd.MultiIndex.from_tuples([("a", t) for t in times[:72]] + [("b", t) for t in times[30:72]])
    y = pd.DataFrame({"load": np.sin(np.arange(len(index)) / 4.0)}, index=index)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        f = TCNForecaster(**POINT, calendar_features=True).fit(y, fh=[1, 2])
    assert f.sp_ == 24
    clock_a, clock_b = f.covariates_[("a",)][0], f.covariates_[("b",)][0]
    hours = np.array([t.hour for t in times])  # 0, 1, 3, 4, ...: 02:00 does not happen
    channels_a = calendar_channels(clock_a, np.array([0]), 74, 24)[0]
    np.testing.assert_allclose(channels_a, calendar_channels(0, hours, 1, 24)[:, 0], atol=1e-12)
    np.testing.assert_allclose(calendar_channels(clock_b, np.array([0]), 44, 24)[0], channels_a[30:], atol=1e-12)
    # The forecast windows read them: both series end at the same instant.
    L = f.window_length_
    windows = f._forecast_windows(None)[0]
    np.testing.assert_allclose(windows[:, :, -2:], np.stack([channels_a[72 - L:72]] * 2), atol=1e-6)


def test_a_file_from_before_the_local_clock_keeps_counting_steps_as_its_networks_learnt(tmp_path):
    # Files written before time-zone calendars kept the local clock counted steps from the first local hour,
    # and their networks learnt that: loading one gave the new clock's channels instead, silently.
    times = pd.date_range("2021-03-26 00:00", periods=72, freq="h", tz="Europe/Berlin")
    y = pd.Series(np.sin(np.arange(72) / 4.0), index=times, name="load")
    f = TCNForecaster(**POINT, calendar_features=True).fit(y, fh=[1, 2])
    assert isinstance(f.covariates_[None][0], LocalClock)
    path = sktcn.persistence.save(f, tmp_path / "new")
    loaded = sktcn.load(path)
    assert isinstance(loaded.covariates_[None][0], LocalClock)
    pd.testing.assert_series_equal(loaded.predict(), f.predict(), check_exact=True)
    manifest = json.loads((path / "manifest.json").read_text())
    del manifest["state"]["calendar_local_clock"]  # as older files are
    (path / "manifest.json").write_text(json.dumps(manifest))
    old = sktcn.load(path)
    assert old.covariates_[None][0] == first_phase(times, 24)
    # Saved again, it stays as its networks learnt; a refit learns the local clock.
    again = sktcn.load(sktcn.persistence.save(old, tmp_path / "again"))
    assert again.covariates_ == old.covariates_
    assert isinstance(again.fit(y, fh=[1, 2]).covariates_[None][0], LocalClock)
