"""Resident memory across many fits in one process.

Two workloads, each run in this one Python process:

* ``search``: a ``GridSearchCV`` over a small ``TCNRegressor`` (sequential, so
  every fit happens here); the resident set size (RSS) is read after each
  fit-and-score of the search;
* ``forecaster``: repeated fits of a small ``TCNForecaster`` with its
  rolling-origin calibration (four networks per fit) and a ``predict_interval``
  after each;
* ``lazy``: repeated fits of a one-network ``TCNForecaster`` with
  ``lazy_windows=True``, so that Keras trains from a PyDataset (the path of
  every streamed fit) and a ``predict`` after each.

For each it prints RSS after every fit and the growth per fit over the last two
thirds of the fits (a least-squares slope; the first third is warm-up:
TensorFlow's kernels, Keras' caches and the allocator's arenas fill then).

RSS is read from ``/proc/self/status`` (Linux); elsewhere ``psutil`` is used if
it is installed.

``--without-release`` switches off sktcn's release of the all-reduce gradients
that TensorFlow's gradient registry would keep (``sktcn._distribute``) and of
the tf.data generator functions TensorFlow keeps on its global graph for a
PyDataset (``sktcn._streaming``), to show the memory growth they prevent.

Usage: python benchmarks/memory.py [--fits N] [--only search|forecaster|lazy]
                                   [--clear-session] [--without-release] [--quick]
"""

import argparse
import contextlib
import gc
import os
import platform
import sys
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402

from sktcn import TCNForecaster, TCNRegressor  # noqa: E402
from sktcn.datasets import make_adding_problem  # noqa: E402


def rss_mib():
    """Resident set size of this process in MiB."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    try:
        import psutil
    except ImportError:
        sys.exit("No /proc/self/status and no psutil: cannot read the resident memory here.")
    return psutil.Process().memory_info().rss / 2**20


class Recorder:
    """RSS after each fit, optionally after a gc or a Keras clear_session."""

    def __init__(self, label, clear_session):
        self.label, self.clear_session, self.values = label, clear_session, []

    def __call__(self):
        if self.clear_session:
            keras.backend.clear_session()
        gc.collect()
        self.values.append(rss_mib())
        n = len(self.values)
        print(f"  {self.label} fit {n:3d}: RSS {self.values[-1]:8.1f} MiB", flush=True)

    def summary(self):
        values = np.asarray(self.values)
        start = len(values) // 3
        tail = values[start:]
        slope = np.polyfit(np.arange(len(tail)), tail, 1)[0] if len(tail) > 1 else float("nan")
        return {
            "fits": len(values),
            "first": values[0],
            "warm": values[start],
            "last": values[-1],
            "max": values.max(),
            "slope": slope,
        }


# A search recorder is a module global so that clones made by GridSearchCV find it.
RECORDER = None


class RecordedTCNRegressor(TCNRegressor):
    """TCNRegressor that records RSS after each ``score`` (GridSearchCV fits, then scores)."""

    def score(self, X, y, sample_weight=None):
        result = super().score(X, y, sample_weight=sample_weight)
        RECORDER()
        return result


def run_search(n_fits, clear_session, quick):
    global RECORDER
    RECORDER = Recorder("search", clear_session)
    n_timesteps = 32 if quick else 64
    X, y = make_adding_problem(n_samples=200 if quick else 400, n_timesteps=n_timesteps, random_state=0)
    cv = 3
    grid = {
        "nb_filters": [4, 8],
        "kernel_size": [2, 3, 4],
        "learning_rate": [1e-3, 3e-3],
    }
    n_candidates = int(np.prod([len(v) for v in grid.values()]))
    while n_candidates * cv < n_fits:  # more seeds until the grid is large enough
        grid.setdefault("random_state", [0])
        grid["random_state"] = list(range(len(grid["random_state"]) + 1))
        n_candidates = int(np.prod([len(v) for v in grid.values()]))
    base = RecordedTCNRegressor(epochs=2, batch_size=32, random_state=0)
    print(f"\n# search: GridSearchCV, {n_candidates} candidates x {cv} folds = {n_candidates * cv} fits, "
          f"adding problem {X.shape}, grid {grid}")
    start = time.perf_counter()
    GridSearchCV(base, grid, cv=cv, refit=False).fit(X, y)
    return RECORDER.summary(), time.perf_counter() - start


def repeat_forecaster_fits(label, n_fits, clear_session, params, after, after_name):
    """Fit ``TCNForecaster(**params, random_state=i)`` on airline ``n_fits`` times, calling ``after`` on each."""
    from sktime.datasets import load_airline

    recorder = Recorder(label, clear_session)
    y = load_airline()
    fh = np.arange(1, 13)
    shown = ", ".join(f"{name}={value!r}" for name, value in params.items())
    print(f"\n# {label}: {n_fits} fits of TCNForecaster({shown}) on airline ({len(y)} months), fh 1..12, "
          f"{after_name} after each")
    start = time.perf_counter()
    for i in range(n_fits):
        forecaster = TCNForecaster(**params, random_state=i)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            after(forecaster.fit(y, fh=fh))
        del forecaster
        recorder()
    return recorder.summary(), time.perf_counter() - start


def run_forecaster(n_fits, clear_session, quick):
    return repeat_forecaster_fits("forecaster", n_fits, clear_session,
                                  dict(nb_filters=8, epochs=2, calibration_size=0.2),
                                  lambda f: f.predict_interval(coverage=0.9), "predict_interval")


def run_lazy(n_fits, clear_session, quick):
    # One network and no calibration: every fit trains from a PyDataset once.
    return repeat_forecaster_fits("lazy", n_fits, clear_session,
                                  dict(nb_filters=8, epochs=2, n_networks=1, calibration_size=0.0, lazy_windows=True),
                                  lambda f: f.predict(), "predict")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fits", type=int, default=36, help="fits per workload (default 36)")
    parser.add_argument("--only", choices=("search", "forecaster", "lazy"), help="run one workload")
    parser.add_argument("--clear-session", action="store_true",
                        help="call keras.backend.clear_session() after every fit (for comparison)")
    parser.add_argument("--without-release", action="store_true",
                        help="switch off sktcn's releases of TensorFlow registries (shows the leaks they fix)")
    parser.add_argument("--quick", action="store_true", help="smaller data, for a fast check")
    args = parser.parse_args()
    if args.without_release:
        import sktcn._base

        sktcn._base.releasing_all_reduce_gradients = contextlib.nullcontext
        sktcn._base.releasing_generator_functions = contextlib.nullcontext

    print(f"# sktcn memory across fits, {platform.node()} ({os.cpu_count()} CPUs), Python "
          f"{platform.python_version()}, TF {tf.__version__}, Keras {keras.__version__}; "
          f"clear_session after each fit: {args.clear_session}; sktcn's releases: {not args.without_release}")
    print(f"# RSS at start (after imports): {rss_mib():.1f} MiB")
    results = {}
    if args.only in (None, "search"):
        results["search (TCNRegressor, GridSearchCV)"] = run_search(args.fits, args.clear_session, args.quick)
    if args.only in (None, "forecaster"):
        results["forecaster (TCNForecaster + calibration)"] = run_forecaster(args.fits, args.clear_session,
                                                                              args.quick)
    if args.only in (None, "lazy"):
        results["lazy (TCNForecaster, lazy windows)"] = run_lazy(args.fits, args.clear_session, args.quick)

    print("\n| workload | fits | RSS after fit 1 (MiB) | after warm-up (MiB) | last (MiB) | max (MiB) "
          "| growth per fit, last 2/3 (MiB) | seconds |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, (s, seconds) in results.items():
        print(f"| {name} | {s['fits']} | {s['first']:.0f} | {s['warm']:.0f} | {s['last']:.0f} | {s['max']:.0f} "
              f"| {s['slope']:+.2f} | {seconds:.0f} |")


if __name__ == "__main__":
    main()
