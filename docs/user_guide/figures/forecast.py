"""Airline passengers: a tiny TCNForecaster's forecast with its 90 % conformal interval.

A quick illustration drawn by the documentation build (seconds on a CPU): one small
network for the point forecast (n_networks=1) and the three calibration networks that
give the interval, 15 epochs each. The measured accuracy and coverage of the defaults
are in benchmarks/RESULTS.md.
"""

import warnings

import matplotlib.pyplot as plt
from sktime.datasets import load_airline

from sktcn import TCNForecaster

y = load_airline()
y_train, y_test = y[:-12], y[-12:]
with warnings.catch_warnings():
    # sktime 1.2 announces a change of default on every forecaster; nothing here depends on it.
    warnings.filterwarnings("ignore", category=FutureWarning, message=".*remember_data")
    forecaster = TCNForecaster(window_length=24, nb_filters=8, epochs=15, n_networks=1, random_state=0)
    forecaster.fit(y_train, fh=range(1, 13))
    y_pred = forecaster.predict()
    interval = forecaster.predict_interval(coverage=0.9)

lower, upper = interval.iloc[:, 0], interval.iloc[:, 1]
time = lambda series: series.index.to_timestamp()  # noqa: E731 - PeriodIndex to dates for matplotlib
fig, ax = plt.subplots(figsize=(8, 4))
ax.plot(time(y_train[-48:]), y_train[-48:], color="black", label="training data")
ax.plot(time(y_test), y_test, color="grey", linestyle="--", label="held out")
ax.fill_between(time(y_pred), lower, upper, alpha=0.3, label="90 % interval")
ax.plot(time(y_pred), y_pred, label="forecast")
ax.set(ylabel="passengers (thousands)", title="Airline passengers, 12 months ahead")
ax.legend(loc="upper left")
fig.tight_layout()
