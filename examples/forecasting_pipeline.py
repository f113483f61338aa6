"""
An sktime forecasting pipeline with a TCN at its end, on the airline data
=========================================================================

``TransformedTargetForecaster``: log transform, then the TCN forecasts the next
``horizon`` months directly. Scored on held-out months against the seasonal naive
forecast; saves the forecast plot.

    python examples/forecasting_pipeline.py [--quick] [--out DIR]
"""

import warnings

import matplotlib.pyplot as plt
from sktime.datasets import load_airline
from sktime.forecasting.compose import TransformedTargetForecaster
from sktime.split import temporal_train_test_split
from sktime.forecasting.naive import NaiveForecaster
from sktime.performance_metrics.forecasting import mean_absolute_percentage_error
from sktime.transformations.series.boxcox import LogTransformer

from _common import main, png
from sktcn import TCNForecaster
from sktcn.plotting import save

FULL = dict(horizon=24, window_length=36, epochs=100, nb_filters=16)
QUICK = dict(horizon=6, window_length=24, epochs=2, nb_filters=4)


def run(out, horizon, window_length, epochs, nb_filters, random_state=0):
    with warnings.catch_warnings():
        # sktime 1.2 announces a change of default on every forecaster it builds
        # (and clones); nothing here depends on it.
        warnings.filterwarnings("ignore", category=FutureWarning, message=".*remember_data")
        return forecast(out, horizon, window_length, epochs, nb_filters, random_state)


def forecast(out, horizon, window_length, epochs, nb_filters, random_state):
    y = load_airline()
    y_train, y_test = temporal_train_test_split(y, test_size=horizon)
    fh = list(range(1, horizon + 1))
    pipeline = TransformedTargetForecaster([
        ("log", LogTransformer()),
        ("tcn", TCNForecaster(window_length=window_length, nb_filters=nb_filters, epochs=epochs,
                              random_state=random_state)),
    ])
    naive = NaiveForecaster(strategy="last", sp=12)
    forecasts = {"log + TCN": pipeline.fit(y_train, fh=fh).predict(), "seasonal naive": naive.fit(y_train, fh=fh).predict()}
    _, ax = plt.subplots(figsize=(8, 4))
    ax.plot(y_train.index.to_timestamp(), y_train.values, color="black", label="train")
    ax.plot(y_test.index.to_timestamp(), y_test.values, color="grey", label="held out")
    for name, forecast in forecasts.items():
        ax.plot(forecast.index.to_timestamp(), forecast.values, label=name)
    ax.set(title=f"Airline passengers, {horizon} months ahead", ylabel="passengers (thousands)")
    ax.legend()
    save(ax, png(out, "forecast.png"))
    figures = {f"{name} MAPE": float(mean_absolute_percentage_error(y_test, f)) for name, f in forecasts.items()}
    figures["horizon (months)"] = horizon
    return figures


if __name__ == "__main__":
    main(run, FULL, QUICK, "Forecasting pipeline on airline: log transform + TCNForecaster")
