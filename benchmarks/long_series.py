"""What the default ``TCNForecaster`` costs and scores on long series, which the tuning set lacks.

The forecaster's tuning set (``benchmarks/forecasting.py``: airline, seven other
bundled series, two sines) holds no series of more than a few hundred steps, so
no figure there says what a user with a year of daily or weeks of hourly data
waits for. Two synthetic series, drawn with fixed seeds, stand in:

* ``hourly``: eight weeks of hourly values plus the test horizons, level 50, a
  trend of 0.01 a step, a daily sine of amplitude 10, a weekend dip of 6 and
  noise of standard deviation 2; forecast 48 hours ahead from the last two
  origins 48 hours apart.
* ``daily``: two years of daily values, level 100, a trend of 0.05 a day, a
  weekly cycle (two harmonics, amplitudes 10 and 4) and noise of 3; forecast 14
  days ahead from the last three origins 14 days apart.

Each origin prints the default fit's seconds, its MAE beside seasonal naive's
(a week's season) and Theta's, the 90 % interval's coverage and width, the
series' training windows, and how many of them the forecast's networks trained
on (``max_windows_per_series``; the calibration's networks train on fewer, the
windows before their blocks). These series are a check of
the defaults, never a set to tune them on.

Usage: python benchmarks/long_series.py [--quick] [--cases hourly daily] [--seeds 0] [--params '{"...": ...}']

``--quick`` fits tiny networks (4 filters, 1 epoch, one network) from the last
origin only: a check that the script runs, not a measurement.
"""

import argparse
import json
import os
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

CASES = ("hourly", "daily")
QUICK = dict(nb_filters=4, epochs=1, n_networks=1)


def hourly_series():
    """(y, horizon, n_origins, week in steps) of the hourly case."""
    horizon, n_origins = 48, 2
    steps = np.arange(8 * 7 * 24 + horizon * (n_origins - 1) + horizon)
    weekend = (steps // 24) % 7 >= 5
    values = (50 + 0.01 * steps + 10 * np.sin(2 * np.pi * steps / 24) + np.where(weekend, -6.0, 2.4)
              + np.random.default_rng(2).normal(0, 2, len(steps)))
    return pd.Series(values, index=pd.date_range("2024-01-01", periods=len(steps), freq="h")), horizon, n_origins, 168


def daily_series():
    """(y, horizon, n_origins, week in steps) of the daily case."""
    horizon, n_origins = 14, 3
    steps = np.arange(730 + horizon * n_origins)
    values = (100 + 0.05 * steps + 10 * np.sin(2 * np.pi * steps / 7) + 4 * np.cos(4 * np.pi * steps / 7)
              + np.random.default_rng(1).normal(0, 3, len(steps)))
    return pd.Series(values, index=pd.date_range("2022-01-01", periods=len(steps), freq="D")), horizon, n_origins, 7


def mae(truth, forecast):
    return float(np.mean(np.abs(np.asarray(truth, float) - np.asarray(forecast, float))))


def origin_row(y, horizon, origin, week, params):
    from sktime.forecasting.naive import NaiveForecaster
    from sktime.forecasting.theta import ThetaForecaster

    from sktcn import TCNForecaster

    from sktcn._windows import window_rows

    train, test = y.iloc[:origin], y.iloc[origin:origin + horizon]
    fh = np.arange(1, horizon + 1)
    start = time.perf_counter()
    forecaster = TCNForecaster(**params).fit(train, fh=fh)
    fit_s = time.perf_counter() - start
    rows, _ = window_rows([len(train)], forecaster.window_length_, forecaster.horizon_)
    interval = forecaster.predict_interval(coverage=0.9)
    low, high = interval.iloc[:, 0].to_numpy(), interval.iloc[:, 1].to_numpy()
    truth = test.to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sktime's notices about its own defaults
        naive = NaiveForecaster(strategy="last", sp=week).fit(train, fh=fh).predict()
        theta = ThetaForecaster(sp=week).fit(train, fh=fh).predict()
    return {
        "origin": str(train.index[-1]),
        "fit_s": round(fit_s, 1),
        "tcn_mae": mae(truth, forecaster.predict()),
        "seasonal_naive_mae": mae(truth, naive),
        "theta_mae": mae(truth, theta),
        "coverage90": float(np.mean((truth >= low) & (truth <= high))),
        "width90": float(np.mean(high - low)),
        "window_length_": int(forecaster.window_length_),
        "sp_": int(forecaster.sp_),
        "baseline_": forecaster.baseline_,
        "correction_weight_": forecaster.correction_weight_,
        "windows": len(rows),
        "trained_on": len(forecaster._training_rows(rows)),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", choices=CASES, default=list(CASES))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    parser.add_argument("--params", default="{}", help="TCNForecaster parameters as JSON, beside random_state")
    parser.add_argument("--quick", action="store_true", help="tiny networks from the last origin: a smoke run")
    args = parser.parse_args(argv)
    extra = {**(QUICK if args.quick else {}), **json.loads(args.params)}
    makers = {"hourly": hourly_series, "daily": daily_series}
    for case in args.cases:
        y, horizon, n_origins, week = makers[case]()
        print(f"\n## {case}: {len(y)} steps, fh 1..{horizon}, {n_origins} origins, params {extra or 'defaults'}")
        print("| seed | origin | fit s | TCN MAE | seasonal naive | Theta | TCN / seasonal naive | 90 % coverage "
              "| width | window | sp_ | baseline | correction kept | windows | trained on |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        rows = []
        for seed in args.seeds:
            for k in range(1 if args.quick else n_origins, 0, -1):
                row = origin_row(y, horizon, len(y) - k * horizon, week, {"random_state": seed, **extra})
                rows.append(row)
                print(f"| {seed} | {row['origin']} | {row['fit_s']} | {row['tcn_mae']:.3f} | "
                      f"{row['seasonal_naive_mae']:.3f} | {row['theta_mae']:.3f} | "
                      f"{row['tcn_mae'] / row['seasonal_naive_mae']:.3f} | {row['coverage90']:.3f} | "
                      f"{row['width90']:.2f} | {row['window_length_']} | {row['sp_']} | {row['baseline_']} | "
                      f"{row['correction_weight_']:g} | {row['windows']} | {row['trained_on']} |",
                      flush=True)
        relative = [row["tcn_mae"] / row["seasonal_naive_mae"] for row in rows]
        print(f"mean fit s {np.mean([row['fit_s'] for row in rows]):.1f}; geometric mean TCN / seasonal naive "
              f"{np.exp(np.mean(np.log(relative))):.3f}; mean 90 % coverage "
              f"{np.mean([row['coverage90'] for row in rows]):.3f}", flush=True)


if __name__ == "__main__":
    main()
