"""The short tour that ``sktcn demo``, ``make demo`` and ``examples/demo.py`` run.

On data that ships with the installed packages, each sktcn estimator is scored
next to the baselines a careful user would try first:

1. Time-series classification on GunPoint (a UCR data set bundled with sktime),
   against 1-nearest-neighbour and the majority class.
2. Regression on the adding problem (a memory task from the TCN paper, 50 steps), against
   predicting the mean and a ridge regression on the whole window.
3. Forecasting the airline passengers series two years ahead, against the
   seasonal naive forecast and the last value.

Plots (learning curves, the forecast with its 90 % interval) are written when
matplotlib is installed. ``quick=True`` shrinks data and training so the tour
finishes in seconds (its scores then mean nothing); the tests use it.
"""

import contextlib
import importlib.util
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.linear_model import RidgeCV
from sklearn.metrics import accuracy_score, mean_absolute_percentage_error, mean_squared_error
from sklearn.neighbors import KNeighborsClassifier

from sktime.datasets import load_airline
from sktime.forecasting.naive import NaiveForecaster

from sktcn import persistence
from sktcn.classifier import TCNClassifier
from sktcn.datasets import make_adding_problem
from sktcn.forecasting import TCNForecaster
from sktcn.regressor import TCNRegressor


def _report(task, rows, out):
    print(f"\n{task}", file=out)
    width = max(len(name) for name, _, _ in rows)
    for name, score, seconds in rows:
        print(f"  {name:<{width}}  {score:8.4f}   ({seconds:5.1f} s)", file=out)


def _timed(score, model, X_fit, y_fit, X_eval, y_eval):
    """Fit, predict and score one model; return the score and the seconds it took."""
    start = time.perf_counter()
    result = score(y_eval, model.fit(X_fit, y_fit).predict(X_eval))
    return result, time.perf_counter() - start


@contextlib.contextmanager
def _quiet_sktime():
    with warnings.catch_warnings():
        # sktime announces a future change of default on every forecaster it builds; noise here.
        warnings.filterwarnings("ignore", message="The default of config ``remember_data``")
        yield


def gunpoint(quick=False, out=sys.stdout):
    """Classify GunPoint; return the fitted TCNClassifier."""
    from sktime.datasets import load_gunpoint

    # sktime's 3D layout is (n, channels, time); Keras' (and sktcn's) is (n, time, channels).
    X_train, y_train = load_gunpoint(split="train", return_type="numpy3D")
    X_test, y_test = load_gunpoint(split="test", return_type="numpy3D")
    X_train, X_test = X_train.transpose(0, 2, 1), X_test.transpose(0, 2, 1)
    # The defaults, as a new user would call it (quick: a tiny network, two epochs).
    tcn = TCNClassifier(nb_filters=4, epochs=2, random_state=0) if quick else TCNClassifier(random_state=0)
    rows = []
    for name, model, X_fit, X_eval in [
        ("TCNClassifier", tcn, X_train, X_test),
        ("1-NN, Euclidean", KNeighborsClassifier(1), X_train[..., 0], X_test[..., 0]),
        ("majority class", DummyClassifier(), X_train[..., 0], X_test[..., 0]),
    ]:
        accuracy, seconds = _timed(accuracy_score, model, X_fit, y_train, X_eval, y_test)
        rows.append((name, accuracy, seconds))
    _report(
        f"GunPoint classification, test accuracy (higher is better); TCN receptive field "
        f"{tcn.receptive_field_} steps, features pooled over all {X_train.shape[1]}",
        rows,
        out,
    )
    return tcn


def adding_problem(quick=False, out=sys.stdout):
    """Regress the adding problem; return the fitted TCNRegressor."""
    n_samples, n_train = (300, 250) if quick else (3000, 2500)
    # 50 steps: with epochs="auto" a fit costs its ~4,000 gradient steps whatever the
    # number of series, and at 100 steps the tour would pass 3 minutes on 2 cores.
    X, y = make_adding_problem(n_samples=n_samples, n_timesteps=50, random_state=0)
    X_train, X_test, y_train, y_test = X[:n_train], X[n_train:], y[:n_train], y[n_train:]
    tcn = TCNRegressor(nb_filters=4, epochs=2, random_state=0) if quick else TCNRegressor(random_state=0)
    flat_train, flat_test = X_train.reshape(len(X_train), -1), X_test.reshape(len(X_test), -1)
    rows = []
    for name, model, X_fit, X_eval in [
        ("TCNRegressor", tcn, X_train, X_test),
        ("ridge on the window", RidgeCV(), flat_train, flat_test),
        ("predict the mean", DummyRegressor(), flat_train, flat_test),
    ]:
        mse, seconds = _timed(mean_squared_error, model, X_fit, y_train, X_eval, y_test)
        rows.append((name, mse, seconds))
    _report("Adding problem, 50 steps, test MSE (lower is better)", rows, out)
    return tcn


def airline(quick=False, out=sys.stdout):
    """Forecast airline two years ahead; return the fitted forecaster, the series and the split."""
    y = load_airline()
    y_train, y_test = y.iloc[:-24], y.iloc[-24:]
    fh = np.arange(1, 25)
    tcn = TCNForecaster(
        window_length=36,
        nb_filters=4 if quick else 16,
        epochs=2 if quick else 50,
        # quick: one network; otherwise three averaged, plus three that calibrate the intervals.
        calibration_size=0.0 if quick else 0.2,
        n_networks=1 if quick else 3,
        random_state=0,
    )
    rows = []
    for name, make in [
        ("TCNForecaster", lambda: tcn),
        ("seasonal naive (sp=12)", lambda: NaiveForecaster(strategy="last", sp=12)),
        ("last value", lambda: NaiveForecaster(strategy="last")),
    ]:
        start = time.perf_counter()
        # One block per model, built inside it: a forecaster's fit can put a
        # "default" filter for FutureWarning in front of ours (seen with sktime 1.2).
        with _quiet_sktime():
            predicted = make().fit(y_train, fh=fh).predict()
        rows.append((name, mean_absolute_percentage_error(y_test, predicted), time.perf_counter() - start))
    _report("Airline passengers, 24 months ahead, test MAPE (lower is better)", rows, out)
    return tcn, y_train, y_test


def _plots(classifier, regressor, forecast, plot_dir, out):
    """Learning curves and the airline forecast as PNG files in ``plot_dir``."""
    try:
        import matplotlib

        matplotlib.use("Agg")  # files only, no window
        import matplotlib.pyplot as plt
    except ImportError:
        print("\n(matplotlib is not installed: no plots written; pip install matplotlib)", file=out)
        return []
    plot_dir = Path(plot_dir)
    plot_dir.mkdir(parents=True, exist_ok=True)
    written = []

    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
    for ax, (title, model) in zip(axes, [("GunPoint classifier", classifier), ("Adding-problem regressor", regressor)]):
        ax.plot(np.arange(1, len(model.history_["loss"]) + 1), model.history_["loss"])
        ax.set(title=title, xlabel="epoch", ylabel="training loss", yscale="log")
    fig.tight_layout()
    written.append(plot_dir / "learning_curves.png")
    fig.savefig(written[-1], dpi=100)
    plt.close(fig)

    forecaster, y_train, y_test = forecast
    with _quiet_sktime():
        interval = forecaster.predict_interval(coverage=0.9)
        predicted = forecaster.predict()
    fig, ax = plt.subplots(figsize=(9, 3.2))
    time_axis = y_train.index.to_timestamp()
    future = y_test.index.to_timestamp()
    ax.plot(time_axis, y_train.to_numpy(), color="black", label="training data")
    ax.plot(future, y_test.to_numpy(), color="grey", label="held out")
    ax.plot(future, predicted.to_numpy(), color="tab:blue", label="TCNForecaster")
    ax.fill_between(future, interval.iloc[:, 0], interval.iloc[:, 1], color="tab:blue", alpha=0.2, label="90 % interval")
    ax.set(title="Airline passengers", ylabel="passengers (thousands)")
    ax.legend(loc="upper left")
    fig.tight_layout()
    written.append(plot_dir / "airline_forecast.png")
    fig.savefig(written[-1], dpi=100)
    plt.close(fig)
    print(f"\nPlots written: {', '.join(str(p) for p in written)}", file=out)
    return written


def _check_plot_dir(plot_dir):
    """OSError unless the plots can be written in ``plot_dir``: a folder, or one that can be created."""
    plot_dir = Path(plot_dir)
    if plot_dir.exists() and not plot_dir.is_dir():
        raise NotADirectoryError(f"{plot_dir} is a file, not a folder; choose a folder for the plots.")
    # The check of the folder above a model that sktcn fit saves: a file in the way, or no write permission.
    persistence._check_folder_above(plot_dir / "learning_curves.png")


def run(quick=False, plot_dir="demo-plots", out=sys.stdout):
    """Run the whole tour; ``plot_dir=None`` writes no plots. Returns the plot paths.

    A ``plot_dir`` where the plots cannot be written is refused (OSError) before
    the tour, which takes minutes.
    """
    if plot_dir is not None and importlib.util.find_spec("matplotlib") is not None:
        _check_plot_dir(plot_dir)
    classifier = gunpoint(quick, out)
    regressor = adding_problem(quick, out)
    forecast = airline(quick, out)
    if plot_dir is None:
        return []
    return _plots(classifier, regressor, forecast, plot_dir, out)
