"""Fit time and accuracy of TCNForecaster against darts' TCNModel, same data and horizon.

Airline, the last 36 months held out, one model forecasting months 1..36. darts
needs PyTorch, which sktcn does not depend on, so darts runs in its own
interpreter: this script calls itself there with ``--darts-only``.

Usage::

    python -m venv /tmp/dvenv && /tmp/dvenv/bin/pip install torch==2.13.0 "u8darts[torch]"
    python benchmarks/compare_darts.py --darts-python /tmp/dvenv/bin/python

A row times Keras alone (a one-layer linear model fit on the same steps in a
fresh interpreter): the fixed cost any Keras fit pays, TCN or not.

Both libraries get TCNForecaster's default epochs (15) and 64 filters (darts'
defaults, 100 epochs and 3 filters, are also timed), a 41-month input window
(what TCNForecaster picks by itself for this horizon) and batch size 32. darts'
series is min-max scaled on the training months, as its documentation
recommends; TCNForecaster scales each window itself and gets airline with its
monthly index, as sktime users have it (its baseline reads the season from it).
"""

import argparse
import gc
import json
import os
import subprocess
import sys
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
from _common import airline_split  # noqa: E402

HORIZON, WINDOW = 36, 41


def sktcn_epochs():
    """TCNForecaster's default number of epochs, which darts' TCNModel gets too."""
    import inspect

    from sktcn import TCNForecaster

    return inspect.signature(TCNForecaster).parameters["epochs"].default


def airline_values():
    """The airline split of benchmarks/_common.py as float arrays (train, test)."""
    train, test, _ = airline_split()
    return train.to_numpy(np.float64), test.to_numpy(np.float64)


def mape(truth, forecast):
    return float(np.mean(np.abs(truth - forecast) / np.abs(truth)))


def darts_rows(train, test, epochs):
    """Fit darts' TCNModel in this interpreter; return (name, seconds, MAPE) rows."""
    import torch
    from darts import TimeSeries
    from darts.dataprocessing.transformers import Scaler
    from darts.models import TCNModel

    torch.set_num_threads(os.cpu_count())
    scaler = Scaler()
    series = scaler.fit_transform(TimeSeries.from_values(train))
    quiet = dict(pl_trainer_kwargs={"enable_progress_bar": False, "enable_model_summary": False, "logger": False})
    configs = {
        f"darts TCNModel, {epochs} epochs, 64 filters": dict(n_epochs=epochs, num_filters=64),
        "darts TCNModel, its defaults (100 epochs, 3 filters)": dict(),
    }
    rows = []
    for name, params in configs.items():
        model = TCNModel(input_chunk_length=WINDOW, output_chunk_length=HORIZON, batch_size=32, random_state=0,
                         **params, **quiet)
        start = time.perf_counter()
        model.fit(series, verbose=False)
        forecast = scaler.inverse_transform(model.predict(HORIZON, verbose=False)).values().ravel()
        rows.append((name, time.perf_counter() - start, mape(test, forecast)))
    return rows


def sktcn_rows():
    from sktcn import TCNForecaster, _network_pool

    train, test, fh = airline_split()
    rows = []
    configs = {
        # fh=1..36 leaves no windows that end before a calibration block, so the
        # default fit trains no calibration networks here (interval_calibration_ "in-sample").
        "sktcn TCNForecaster, defaults (3 averaged networks)": dict(),
        # The defaults again, after the first forecaster is gone: the fit of a
        # backtest's later fold or a search's later candidate, which takes the
        # ensemble's training network from the pool (sktcn._network_pool).
        "sktcn TCNForecaster, defaults, fitted again in the same process": dict(),
        "sktcn TCNForecaster, calibration_size=0 (3 averaged networks)": dict(calibration_size=0),
        # One network, like darts' one model: the like-for-like fit time.
        "sktcn TCNForecaster, calibration_size=0, n_networks=1 (one network)": dict(calibration_size=0, n_networks=1),
    }
    for name, params in configs.items():
        if "again" not in name:
            # Each of the others is a first fit of its kind: no network waits in the pool.
            _network_pool.POOL.clear()
        start = time.perf_counter()
        forecaster = TCNForecaster(random_state=0, **params).fit(train, fh=fh)
        forecast = forecaster.predict().to_numpy().ravel()
        rows.append((name, time.perf_counter() - start, mape(test.to_numpy(np.float64), forecast)))
        assert forecaster.window_length_ == WINDOW and forecaster.nb_filters == 64
        # What the first row's name says: no calibration networks were trained.
        assert params or forecaster.interval_calibration_ == "in-sample"
        del forecaster  # its training network goes back to the pool
        gc.collect()  # now, whatever reference cycles it is in
    return rows


def keras_floor_row(epochs):
    """Keras' fixed cost: a one-layer linear model's first fit and predict in this (fresh) interpreter.

    The same data shape and steps as the default forecaster's fit (15 epochs of
    one batch of 32 windows of 41 steps, a tf.data pipeline as sktcn gives
    Keras), but no TCN: what any Keras model pays for tracing its train step,
    TensorFlow's graph optimisation and the epochs' bookkeeping.
    """
    import keras
    import tensorflow as tf

    rng = np.random.default_rng(0)
    windows = rng.normal(size=(32, WINDOW, 1)).astype("float32")
    targets = rng.normal(size=(32, HORIZON)).astype("float32")
    start = time.perf_counter()
    model = keras.Sequential([keras.Input((WINDOW, 1)), keras.layers.Flatten(), keras.layers.Dense(HORIZON)])
    model.compile(optimizer="adam", loss="mse")
    batches = tf.data.Dataset.from_tensor_slices((windows, targets)).batch(32).repeat()
    model.fit(batches, epochs=epochs, steps_per_epoch=1, verbose=0)
    model.predict(windows[-1:], verbose=0)
    return ("Keras alone, no TCN: a one-layer linear model's first fit (the same 15 epochs of one batch) "
            "and predict, fresh process", time.perf_counter() - start, None)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--darts-python", help="an interpreter with darts and torch installed")
    parser.add_argument("--darts-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--keras-floor-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    if args.keras_floor_only:
        print(json.dumps(keras_floor_row(sktcn_epochs())))
        return
    if args.darts_only:  # the data come on stdin: darts' interpreter has no sktime
        data = json.loads(sys.stdin.read())
        print(json.dumps(darts_rows(np.asarray(data["train"]), np.asarray(data["test"]), data["epochs"])))
        return
    rows = sktcn_rows()
    floor = subprocess.run([sys.executable, __file__, "--keras-floor-only"], capture_output=True, text=True, check=True)
    rows.append(tuple(json.loads(floor.stdout.strip().splitlines()[-1])))
    if args.darts_python:
        train, test = airline_values()
        data = json.dumps({"train": train.tolist(), "test": test.tolist(), "epochs": sktcn_epochs()})
        done = subprocess.run([args.darts_python, __file__, "--darts-only"], input=data, capture_output=True,
                              text=True, check=True)
        rows += [tuple(row) for row in json.loads(done.stdout.strip().splitlines()[-1])]
    print(f"# airline, 108 months -> next 36, {time.strftime('%Y-%m-%d')}, {os.cpu_count()} CPUs")
    print("| model | fit + predict (s) | MAPE |\n|---|---|---|")
    for name, seconds, error in rows:
        print(f"| {name} | {seconds:.1f} | {'-' if error is None else f'{error:.4f}'} |")


if __name__ == "__main__":
    main()
