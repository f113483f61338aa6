"""TCNForecaster with its defaults against sktime's baselines, in one run.

* airline: the last 36 months held out, forecast 1..36 months ahead from the rest;
  NaiveForecaster (last value, seasonal last value), ThetaForecaster, AutoETS.
* two sines (Hands-On-ML): a panel of series of 50 steps, the next 10 steps
  forecast for every series; NaiveForecaster (last value) and the notes' linear
  baseline (a least-squares map from the 50 observed steps to the next 10,
  trained across series).
* the empirical coverage of TCNForecaster's 90 % intervals on an expanding-window
  backtest of airline.
* seven other real series bundled with sktime and statsmodels, none used to tune
  sktcn: a rolling-origin backtest (the last 4 horizons) of the point forecasts
  (MAE against seasonal naive, Theta and AutoETS) and of the 90 % intervals.

Usage: python benchmarks/forecasting.py [--quick]
"""

import argparse
import os
import platform
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.linear_model import LinearRegression  # noqa: E402
from sktime.datasets import load_airline  # noqa: E402
from sktime.forecasting.ets import AutoETS  # noqa: E402
from sktime.forecasting.naive import NaiveForecaster  # noqa: E402
from sktime.forecasting.theta import ThetaForecaster  # noqa: E402
from sktime.performance_metrics.forecasting import mean_absolute_percentage_error  # noqa: E402
from sktime.split import ExpandingWindowSplitter  # noqa: E402

from _common import airline_split, timed  # noqa: E402

from sktcn import TCNForecaster  # noqa: E402
from sktcn.datasets import make_two_sines  # noqa: E402


def airline(tcn_params):
    train, test, fh = airline_split()
    models = {
        "TCNForecaster (defaults)": TCNForecaster(**tcn_params),
        "NaiveForecaster (last)": NaiveForecaster(strategy="last"),
        "NaiveForecaster (seasonal, sp=12)": NaiveForecaster(strategy="last", sp=12),
        "ThetaForecaster (sp=12)": ThetaForecaster(sp=12),
        "AutoETS (auto, sp=12)": AutoETS(auto=True, sp=12, n_jobs=1),
    }
    print("\n## airline, last 36 months held out (MAPE, lower is better)")
    print("| model | MAPE | RMSE | fit + predict (s) |\n|---|---|---|---|")
    mapes = {}
    for name, model in models.items():
        pred, seconds = timed(lambda m=model: m.fit(train, fh=fh).predict())
        mape = mapes[name] = mean_absolute_percentage_error(test, pred)
        rmse = float(np.sqrt(np.mean((test.to_numpy() - pred.to_numpy()) ** 2)))
        print(f"| {name} | {mape:.4f} | {rmse:.1f} | {seconds:.1f} |")
    # One seed is one draw of the network's initialisation and batch order; the
    # spread over seeds says how much of the table's TCN figure is luck.
    seeds = range(5) if tcn_params.get("epochs") is None else range(2)
    snaive = mapes["NaiveForecaster (seasonal, sp=12)"]
    scores = [
        mean_absolute_percentage_error(
            test, TCNForecaster(**dict(tcn_params, random_state=seed, calibration_size=0.0)).fit(train, fh=fh).predict()
        )
        for seed in seeds
    ]
    print(f"\nTCNForecaster (defaults) MAPE over random_state {seeds.start}..{seeds.stop - 1}: "
          f"mean {np.mean(scores):.4f}, min {np.min(scores):.4f}, max {np.max(scores):.4f} "
          f"({sum(s < snaive for s in scores)} of {len(scores)} below seasonal naive's {snaive:.4f})")


def two_sines(n_series, tcn_params):
    observed, future = make_two_sines(n_series=n_series, random_state=42)
    index = pd.MultiIndex.from_product([range(n_series), range(observed.shape[1])], names=["series", "time"])
    y = pd.DataFrame({"value": observed.ravel()}, index=index)
    fh = np.arange(1, 11)
    print(f"\n## two sines, {n_series} series of 50 steps, next 10 steps (MSE, lower is better)")
    print("| model | MSE | fit + predict (s) |\n|---|---|---|")

    def sktime_forecast(model):
        return model.fit(y, fh=fh).predict()["value"].to_numpy().reshape(n_series, 10)

    tcn, seconds = timed(lambda: sktime_forecast(TCNForecaster(**tcn_params)))
    print(f"| TCNForecaster (defaults) | {np.mean((tcn - future) ** 2):.5f} | {seconds:.1f} |")
    naive, seconds = timed(lambda: sktime_forecast(NaiveForecaster(strategy="last")))
    print(f"| NaiveForecaster (last) | {np.mean((naive - future) ** 2):.5f} | {seconds:.1f} |")
    # The notes' linear baseline: one linear map from 50 observed steps to the
    # next 10, fit on separate training series (as many as evaluated ones).
    train_observed, train_future = make_two_sines(n_series=n_series, random_state=7)
    linear, seconds = timed(lambda: LinearRegression().fit(train_observed, train_future).predict(observed))
    print(f"| linear on the 50-step window (trained on {n_series} other series) | "
          f"{np.mean((linear - future) ** 2):.5f} | {seconds:.1f} |")


def interval_coverage(tcn_params, step_length):
    y = load_airline()
    splitter = ExpandingWindowSplitter(fh=np.arange(1, 13), initial_window=72, step_length=step_length)
    inside, total = 0, 0
    for train_index, test_index in splitter.split(y):
        train, test = y.iloc[train_index], y.iloc[test_index]
        forecaster = TCNForecaster(**tcn_params).fit(train, fh=np.arange(1, 13))
        interval = forecaster.predict_interval(coverage=0.9)
        lower, upper = interval.iloc[:, 0].to_numpy(), interval.iloc[:, 1].to_numpy()
        inside += int(((test.to_numpy() >= lower) & (test.to_numpy() <= upper)).sum())
        total += len(test)
    print(f"\n## 90 % interval coverage, airline, expanding window from 72 months, step {step_length}, fh 1..12")
    print(f"empirical coverage: {inside / total:.3f} ({inside} of {total} held-out points)")


def real_series():
    """(name, series, horizon, seasonal period) of the bundled series besides airline."""
    from sktime.datasets import load_lynx, load_macroeconomic, load_PBS_dataset, load_shampoo_sales, load_uschange

    macro = load_macroeconomic()
    return [
        ("lynx (annual)", load_lynx(), 10, 1),
        ("PBS (monthly)", load_PBS_dataset(), 12, 12),
        ("uschange consumption (quarterly)", load_uschange()[0], 8, 4),
        ("US real GDP (quarterly)", macro["realgdp"], 8, 4),
        ("US unemployment (quarterly)", macro["unemp"], 8, 4),
        ("US inflation (quarterly)", macro["infl"], 8, 4),
        ("shampoo sales (monthly)", load_shampoo_sales(), 6, 1),
    ]


def origins(y, horizon, n_origins):
    """(train, test values) for the last ``n_origins`` consecutive horizons of ``y``, oldest first."""
    for origin in [len(y) - horizon * k for k in range(n_origins, 0, -1)]:
        yield y.iloc[:origin], y.iloc[origin:origin + horizon].to_numpy()


def rolling_origin(tcn_params, n_origins):
    print(f"\n## other real series: rolling origin, the last {n_origins} horizons (MAE, lower is better)")
    print("| series | n | fh | TCN (defaults) | seasonal naive | Theta | AutoETS | TCN 90 % coverage |")
    print("|---|---|---|---|---|---|---|---|")
    inside_all = total_all = 0
    for name, y, horizon, sp in real_series():
        y = pd.Series(np.asarray(y, np.float64).ravel())
        fh = np.arange(1, horizon + 1)
        models = {
            "tcn": lambda: TCNForecaster(**tcn_params),
            "snaive": lambda: NaiveForecaster(strategy="last", sp=sp),
            # Theta deseasonalises multiplicatively: only for seasonal, positive series.
            "theta": lambda: ThetaForecaster(sp=sp, deseasonalize=sp > 1 and bool((y > 0).all())),
            "ets": lambda: AutoETS(auto=True, sp=sp, n_jobs=1),
        }
        errors = {key: [] for key in models}
        inside = 0
        for train, test in origins(y, horizon, n_origins):
            for key, make in models.items():
                model = make().fit(train, fh=fh)
                errors[key].append(np.mean(np.abs(model.predict().to_numpy() - test)))
                if key == "tcn":
                    interval = model.predict_interval(coverage=0.9).to_numpy()
                    inside += int(((test >= interval[:, 0]) & (test <= interval[:, 1])).sum())
        total = n_origins * horizon
        inside_all, total_all = inside_all + inside, total_all + total
        mae = {key: np.mean(value) for key, value in errors.items()}
        print(f"| {name} | {len(y)} | 1..{horizon} | {mae['tcn']:.4g} | {mae['snaive']:.4g} | {mae['theta']:.4g} | "
              f"{mae['ets']:.4g} | {inside / total:.3f} |")
    print(f"\nTCNForecaster 90 % intervals over all seven series: {inside_all / total_all:.3f} "
          f"({inside_all} of {total_all} held-out points)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for the tests")
    parser.add_argument("--only", nargs="+", choices=["airline", "sines", "coverage", "series"],
                        help="run only these parts")
    args = parser.parse_args()
    run = set(args.only or ["airline", "sines", "coverage", "series"])
    tcn_params = dict(random_state=0) if not args.quick else dict(random_state=0, epochs=2, nb_filters=4)
    print(f"# TCNForecaster accuracy, {platform.node()} ({os.cpu_count()} CPUs), "
          f"{'quick run' if args.quick else 'full run'}, {time.strftime('%Y-%m-%d')}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if "airline" in run:
            airline(tcn_params)
        if "sines" in run:
            two_sines(50 if args.quick else 1000, tcn_params)
        if "coverage" in run:
            interval_coverage(tcn_params, step_length=36 if args.quick else 12)
        if "series" in run:
            rolling_origin(tcn_params, n_origins=1 if args.quick else 4)


if __name__ == "__main__":
    main()
