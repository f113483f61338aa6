"""The simple forecasts the forecaster's network corrects (sktcn._simple_forecasts): numerics, no training."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sktcn._simple_forecasts import (
    _SES_ALPHAS,
    _TIE,
    SIMPLE_FORECASTS,
    choose_baseline,
    choose_baseline_and_season,
    forecast_at,
    get_simple_forecast,
    relative_errors,
    season_length,
    season_lengths,
    seasonal_slope,
)
from sktcn._window_scaling import SCALINGS
from sktcn._windows import WindowSpec, varying, windows_at


def test_each_forecast_from_several_origins_matches_a_loop():
    rng = np.random.default_rng(0)
    y = rng.normal(size=(40, 2)).cumsum(axis=0)
    origins, horizon, sp = np.array([3, 17, 30]), 7, 4
    for origin, got in zip(origins, forecast_at("seasonal_drift", y, origins, horizon, sp)):
        # The mean seasonal difference per step; before a whole season (origin 3), the plain slope.
        differences = [y[t] - y[t - sp] for t in range(sp, origin + 1)]
        slope = np.mean(differences, axis=0) / sp if differences else (y[origin] - y[0]) / origin
        for h in range(1, horizon + 1):
            cycles = -(-h // sp)
            assert np.allclose(got[h - 1], y[origin + h - sp * cycles] + sp * cycles * slope)
    for origin, got in zip(origins, forecast_at("drift", y, origins, horizon, sp)):
        assert np.allclose(got, y[origin] + np.arange(1, horizon + 1)[:, None] * (y[origin] - y[0]) / origin)


@pytest.mark.parametrize("start", range(12))
def test_seasonal_drift_has_the_trend_whatever_step_the_series_starts_at(start):
    # Whole seasons plus a line: the change from the first step to the origin
    # also held the season's difference between them (slope 1.29 for a true 0.5).
    pattern = np.array([3.0, -2.0, 7.0, 1.0, 0.0, 5.0, -4.0, 2.0, 6.0, -1.0, 4.0, 8.0])
    t = np.arange(61)
    y = (pattern[(start + t) % 12] + 0.5 * t)[:, None]
    origins, horizon = np.array([12, 14, 23, 30, 47]), 13
    assert np.allclose(seasonal_slope(y, origins, 12), 0.5)
    truth = y[origins[:, None] + np.arange(1, horizon + 1)]
    assert np.allclose(forecast_at("seasonal_drift", y, origins, horizon, 12), truth)


def test_seasonal_slope_before_a_whole_season_is_the_plain_one():
    y = np.array([0.0, 4.0, 1.0, 9.0])[:, None]
    assert seasonal_slope(y, np.array([0, 2, 3]), 4)[:, 0].tolist() == [0.0, 0.5, 3.0]


def _smoothing_by_loop(y, origin):
    """Simple exponential smoothing of one channel up to ``origin``, alpha by least one-step squared error."""
    best = None
    for alpha in _SES_ALPHAS:
        level, sse = y[0], 0.0
        for value in y[1 : origin + 1]:
            sse += (value - level) ** 2
            level = alpha * value + (1 - alpha) * level
        if best is None or sse < best[0] * (1 - _TIE):
            best = (sse, level, alpha)
    return best[1], best[2]


def test_smoothing_and_theta_match_a_loop():
    rng = np.random.default_rng(2)
    y = rng.normal(size=(50, 2)).cumsum(axis=0) + np.arange(50.0)[:, None] * [0.3, -0.1]
    origins, horizon = np.array([0, 1, 9, 49]), 3
    ses = forecast_at("ses", y, origins, horizon, 1)
    theta = forecast_at("theta", y, origins, horizon, 1)
    for i, origin in enumerate(origins):
        for c in range(2):
            level, alpha = _smoothing_by_loop(y[:, c], origin)
            assert np.allclose(ses[i, :, c], level)
            n = origin + 1
            slope = np.polyfit(np.arange(n), y[:n, c], 1)[0] if n > 1 else 0.0
            steps = np.arange(1, horizon + 1)
            expected = level + slope / 2 * (steps - 1 + 1 / alpha - (1 - alpha) ** n / alpha)
            assert np.allclose(theta[i, :, c], expected)


def test_smoothing_of_values_whose_squares_overflow_keeps_the_last_value():
    # Every alpha's squared errors are inf, so none scores: the level was left at 0.
    y = np.array([1.0, 3.0, 2.0, 4.0, 3.0])[:, None] * 1e160
    ses = forecast_at("ses", y, np.array([4]), 2, 1)[0, :, 0]
    theta = forecast_at("theta", y, np.array([4]), 2, 1)[0, :, 0]
    np.testing.assert_allclose(ses / 1e160, [3.0, 3.0])  # alpha 1: the last value
    np.testing.assert_allclose(theta / 1e160, [3.25, 3.5])  # plus half the trend slope (0.5) per step


def test_no_forecast_looks_past_its_origin():
    rng = np.random.default_rng(3)
    y = rng.normal(size=(40, 1)).cumsum(axis=0)
    changed = y.copy()
    changed[21:] += 100.0
    for name in SIMPLE_FORECASTS:
        assert np.allclose(forecast_at(name, y, np.array([5, 20]), 4, 4),
                           forecast_at(name, changed, np.array([5, 20]), 4, 4)), name


def test_too_little_history_for_a_season_falls_back_to_the_last_value():
    y = np.arange(5.0)[:, None]
    # From step 1 with a season of 4: steps 1 and 2 would repeat steps -2 and -1; step 3 repeats step 0.
    assert forecast_at("seasonal_naive", y, np.array([1]), 3, sp=4)[0, :, 0].tolist() == [1.0, 1.0, 0.0]
    # The drift of a one-step history is zero: nothing to extrapolate.
    assert forecast_at("drift", y, np.array([0]), 2, sp=1)[0, :, 0].tolist() == [0.0, 0.0]


def test_simple_forecasts_are_affine_equivariant():
    # The windows scale the baseline after computing it on raw values: valid only if this holds.
    y = np.random.default_rng(1).normal(size=(30, 1)).cumsum(axis=0)
    origins = np.array([12, 29])
    for name in SIMPLE_FORECASTS:
        raw = forecast_at(name, y, origins, 5, 6)
        assert np.allclose(forecast_at(name, 3.0 * y - 7.0, origins, 5, 6), 3.0 * raw - 7.0), name


def test_choice_follows_the_series():
    t = np.arange(60.0)
    season = np.tile([0.0, 4.0, 1.0, 6.0], 15)
    assert choose_baseline([t[:, None]], 4, 1) == "drift"
    assert choose_baseline([season[:, None]], 4, 4) == "seasonal_naive"
    assert choose_baseline([(season + 0.5 * t)[:, None]], 4, 4) == "seasonal_drift"
    # Without a season, seasonal forecasts are not candidates.
    assert choose_baseline([season[:, None]], 4, 1) in {"naive", "drift", "ses", "theta"}
    # Pooled over series of different units: the errors are relative to each series' scale.
    errors = relative_errors([t[:, None], 1000 * t[:, None]], 4, 1)
    assert errors["drift"] == pytest.approx(0.0) and errors["naive"] == pytest.approx(2 * 2.5)


def test_unknown_baseline_names_the_choices():
    assert get_simple_forecast(None) is None
    with pytest.raises(ValueError, match="baseline='holt_winters' is not supported.*seasonal_drift.*theta"):
        get_simple_forecast("holt_winters")


def test_nothing_scored_is_no_choice_but_the_default():
    # 15 months and a horizon of 12: no origin has a season before it and a horizon after.
    y = (np.tile(np.arange(12.0), 2)[:15] + 0.5 * np.arange(15))[:, None]
    errors = relative_errors([y], 12, 12)
    assert all(np.isnan(error) for error in errors.values())  # were all 0, and "naive" came first
    assert choose_baseline([y], 12, 12) == "naive"  # fewer than two seasons
    # Two seasons, but no horizon of 19 after a season: seasonal naive.
    y30 = np.tile(np.array([0.0, 5.0, 1.0, 9.0, 2.0, 2.0, 8.0, 3.0, 1.0, 0.0, 4.0, 6.0]), 3)[:30, None]
    assert choose_baseline([y30], 19, 12) == "seasonal_naive"


def test_the_better_of_two_seasons_is_chosen_where_both_can_be_scored():
    rng = np.random.default_rng(0)
    t = np.arange(24 * 7 * 4)
    hours = 10 * np.sin(2 * np.pi * t / 24) + np.where((t // 24) % 7 >= 5, -8.0, 2.0) + rng.normal(0, 0.5, len(t))
    assert choose_baseline_and_season([hours[:, None]], 24, (24, 168)) == ("seasonal_naive", 168)
    # A daily shape alone keeps the day (the earlier season wins ties and noise favours the shorter).
    day = 10 * np.sin(2 * np.pi * t / 24) + rng.normal(0, 0.5, len(t))
    assert choose_baseline_and_season([day[:, None]], 24, (24, 168))[1] == 24
    # Too short to score a week (a week plus a horizon) in every series: the day only.
    assert choose_baseline_and_season([hours[:180, None], hours[:, None]], 24, (24, 168)) == ("seasonal_naive", 24)
    # One season behaves as choose_baseline.
    assert choose_baseline_and_season([hours[:, None]], 24, (24,)) == (choose_baseline([hours[:, None]], 24, 24), 24)


@pytest.mark.parametrize("freq, expected", [
    ("h", (24, 168)), ("2h", (12, 84)), ("5h", (1,)), ("30min", (48, 336)), ("15min", (96, 672)),
    ("min", (1440, 10080)), ("30s", (2880,)), ("s", (1,)), ("D", (7,)), ("B", (5,)), ("W", (52,)), ("ME", (12,)),
])
def test_steps_shorter_than_a_day_have_a_day_and_a_week(freq, expected):
    assert season_lengths(pd.date_range("2000-01-03", periods=5, freq=freq)) == expected


@pytest.mark.parametrize("index, expected", [
    (pd.period_range("2000-01", periods=5, freq="M"), 12),
    (pd.period_range("2000Q1", periods=5, freq="Q"), 4),
    (pd.date_range("2000-01-03", periods=10, freq="D"), 7),
    (pd.date_range("2000-01-03", periods=10, freq="h"), 24),
    (pd.DatetimeIndex(pd.date_range("2000-01-31", periods=6, freq="ME").to_numpy()), 12),  # inferred
    (pd.period_range("2000", periods=5, freq="Y"), 1),
    (pd.RangeIndex(10), 1),
    (pd.date_range("2000-01-01", periods=5, freq="QS"), 4),
    # sp counts steps: a multiplied frequency has the base season over the
    # multiplier, and none (1) when that is no whole number of steps.
    (pd.date_range("2000-01-03", periods=10, freq="2h"), 12),
    (pd.date_range("2000-01-03", periods=10, freq="3h"), 8),
    (pd.date_range("2000-01-03", periods=10, freq="5h"), 1),
    (pd.date_range("2000-01-03", periods=10, freq="2D"), 1),
    (pd.DatetimeIndex(pd.date_range("2000-01-03", periods=10, freq="2h").to_numpy()), 12),  # inferred
    (pd.period_range("2000-01", periods=5, freq="2M"), 6),
    (pd.period_range("2000-01", periods=5, freq="6M"), 2),
    (pd.date_range("2000-01-02", periods=5, freq="2W"), 26),
    # Business and semi-month frequencies are monthly and quarterly data too (they gave 1).
    *[(pd.date_range("2000-01-03", periods=5, freq=freq), 12) for freq in ("BME", "BMS", "CBME", "CBMS")],
    *[(pd.date_range("2000-01-03", periods=5, freq=freq), 4) for freq in ("BQE", "BQS", "BQE-MAR")],
    *[(pd.date_range("2000-01-03", periods=5, freq=freq), 24) for freq in ("SME", "SMS")],
    (pd.DatetimeIndex(pd.date_range("2000-01-03", periods=6, freq="BME").to_numpy()), 12),  # inferred
    (pd.date_range("2000-01-03", periods=5, freq="2BME"), 6),
])
def test_season_length_from_the_index(index, expected):
    assert season_length(index) == expected


@pytest.mark.parametrize("forking", [False, True])
def test_window_targets_are_what_the_baseline_gets_wrong(forking):
    y = np.random.default_rng(2).normal(size=(30, 1)).cumsum(axis=0)
    rows = np.array([[0, 0], [0, 5], [0, 9]])
    plain = WindowSpec(8, 3, SCALINGS["standard"], forking=forking)
    based = WindowSpec(8, 3, SCALINGS["standard"], forking=forking, baseline="drift")
    inputs, targets, fit_targets = windows_at(plain, [(None, y, None)], rows)
    inputs_b, targets_b, fit_targets_b = windows_at(based, [(None, y, None)], rows)
    assert np.array_equal(inputs, inputs_b)
    scale = y[:8].std()
    drift0 = forecast_at("drift", y, np.array([7]), 3, 1)[0, :, 0]
    # Window 0: its target minus the drift forecast from its last step, in the window's scale.
    assert np.allclose(targets_b[0, :, 0], targets[0, :, 0] - (drift0 - y[:8].mean()) / scale, atol=1e-5)
    if forking:
        # Step 2 of window 0 forecasts y[3:6]; its baseline is the drift from step 2.
        step = forecast_at("drift", y, np.array([2]), 3, 1)[0, :, 0]
        assert np.allclose(fit_targets_b[0, 2], fit_targets[0, 2] - (step - y[:8].mean()) / scale, atol=1e-5)
        assert np.allclose(fit_targets_b[:, -1], targets_b[..., 0], atol=1e-6)


def test_constant_windows_get_no_correction():
    spec = WindowSpec(3, 2, SCALINGS["standard"], baseline="naive")
    y = np.array([0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 2.0])[:, None]
    rows = np.array([[0, 0], [0, 2]])  # a window of zeros; one that varies
    inputs, targets, fit_targets = windows_at(spec, [(None, y, None)], rows)
    assert varying(spec, None, y[None, 0:3]).tolist() == [[False]] and varying(spec, None, y[None, 2:5]).all()
    # The constant window trains towards no correction, but its true error stays for calibration.
    assert not fit_targets[0].any() and fit_targets[1].any()
    assert targets[0, :, 0].tolist() == [0.0, 1.0]
    # A one-step window always "varies": every window's scale is 1 alike.
    single = WindowSpec(1, 2, SCALINGS["standard"], baseline="naive")
    assert varying(single, None, y[:, None]).all()


def test_the_revision_1_seasonal_drift_is_the_one_of_9939a45():
    # Forecasters fit before 892317f correct it: their forecasts must not move by a rounding.
    # Made by 9939a45's seasonal_drift (run with PYTHONPATH at that commit's code):
    #   y = np.random.default_rng(0).standard_normal((40, 2)).cumsum(axis=0) + np.arange(40.0)[:, None]
    #   origins = np.arange(33); np.savez(..., y=y, origins=origins,
    #                                     **{f"sp{sp}": seasonal_drift(y, origins, 7, sp) for sp in (1, 4, 12)})
    then = np.load(Path(__file__).parent / "data" / "9939a45" / "seasonal_drift.npz")
    for sp in (1, 4, 12):
        got = forecast_at("seasonal_drift", then["y"], then["origins"], 7, sp, revision=1)
        assert got.tobytes() == then[f"sp{sp}"].tobytes(), sp
        if sp > 1:  # the revision it replaced differs there
            assert not np.array_equal(forecast_at("seasonal_drift", then["y"], then["origins"], 7, sp), got)


def test_every_other_simple_forecast_is_the_same_at_every_revision():
    y = np.random.default_rng(3).standard_normal((30, 1)).cumsum(axis=0)
    for name in SIMPLE_FORECASTS:
        if name != "seasonal_drift":
            assert get_simple_forecast(name, 1) is get_simple_forecast(name, 2) is SIMPLE_FORECASTS[name], name
    assert np.array_equal(forecast_at("seasonal_drift", y, np.array([3, 20]), 4, 4, revision=2),
                          forecast_at("seasonal_drift", y, np.array([3, 20]), 4, 4))


@pytest.mark.parametrize("revision", [0, 3, True])
def test_an_unknown_baseline_revision_is_refused(revision):
    with pytest.raises(ValueError, match=r"baseline revision .* is not one sktcn knows; use one of \(1, 2\)"):
        get_simple_forecast("naive", revision)
