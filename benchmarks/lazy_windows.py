"""Peak memory and time of a TCNForecaster fit with lazy and with in-memory windows.

One long random-walk series (``--length`` steps, default 100 000) is forecast
``--horizon`` steps ahead (24) from windows of ``--window`` steps (72). With
forking sequences every training window carries ``window x horizon`` targets,
so the windows as arrays are far larger than the series. Each setting runs in
its own Python process (so one's peak cannot hide the other's) and trains on
every window (``max_windows_per_series=None``; the default trains a series this
long on a few hundred, evenly spaced). It prints:

* ``arrays MiB``: what the windows take as float32 arrays (inputs + targets);
* ``peak RSS MiB``: the process' peak resident memory (``ru_maxrss``) after
  the fit, and ``before fit``, its peak after TensorFlow and the data loaded;
* ``fit s``: wall time of the fit (``--epochs``, default 3; point forecasts only).

Usage: python benchmarks/lazy_windows.py [--length N] [--window L] [--horizon H] [--epochs E]
"""

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def one_fit(lazy, length, window, horizon, epochs):
    """Fit once in this process and return the figures as a dict."""
    import numpy as np
    import pandas as pd

    from sktcn import TCNForecaster

    y = pd.Series(np.random.RandomState(0).normal(size=length).cumsum())
    before = peak_rss_mib()
    forecaster = TCNForecaster(
        window_length=window, nb_filters=8, epochs=epochs, batch_size=256, calibration_size=0.0,
        random_state=0, lazy_windows=lazy,
        # Every window, as the figures in RESULTS.md were measured: the default
        # max_windows_per_series=256 trains a series this long on a few hundred.
        max_windows_per_series=None,
    )
    start = time.perf_counter()
    forecaster.fit(y, fh=range(1, horizon + 1))
    seconds = time.perf_counter() - start
    n_windows = length - window - horizon + 1
    arrays = n_windows * 4 * (window + window * horizon + horizon)  # inputs, forking targets, targets
    return {
        "lazy": lazy, "arrays_mib": arrays / 2**20, "peak_before_fit_mib": before,
        "peak_mib": peak_rss_mib(), "fit_s": seconds, "loss": forecaster.regressor_.history_["loss"][-1],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--length", type=int, default=100_000)
    parser.add_argument("--window", type=int, default=72)
    parser.add_argument("--horizon", type=int, default=24)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--child", choices=["lazy", "memory"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(one_fit(args.child == "lazy", args.length, args.window, args.horizon, args.epochs)))
        return
    print(f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {platform.node()}, "
          f"{os.cpu_count()} CPUs; series of {args.length} steps, window {args.window}, horizon {args.horizon}, "
          f"{args.epochs} epochs")
    print(f"{'windows':>8} {'arrays MiB':>11} {'before fit':>11} {'peak RSS MiB':>13} {'fit s':>7} {'loss':>7}")
    for child in ("lazy", "memory"):
        out = subprocess.run(
            [sys.executable, __file__, "--child", child, "--length", str(args.length), "--window", str(args.window),
             "--horizon", str(args.horizon), "--epochs", str(args.epochs)],
            capture_output=True, text=True, check=True,
        ).stdout
        r = json.loads(out.strip().splitlines()[-1])
        print(f"{child:>8} {r['arrays_mib']:11.0f} {r['peak_before_fit_mib']:11.0f} {r['peak_mib']:13.0f} "
              f"{r['fit_s']:7.1f} {r['loss']:7.4f}")


if __name__ == "__main__":
    main()
