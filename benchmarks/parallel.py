"""How TCNRegressor's fit time grows with sequence length and number of samples.

Fits one fixed small network (16 filters, kernel 3, dilations 1..128, receptive
field 1021 steps) on the adding problem at every combination of sequence length
and number of samples, for a few epochs each, and times every epoch with a Keras
callback. The first epoch also traces the training graph, so it is left out;
the figure per cell is the fastest of the later epochs over ``--rounds``
interleaved passes over the grid (on a shared machine the fastest epoch is the
least disturbed one). A warm-up fit runs before the table. Then times ``predict`` on one series
against batches of series.

Usage: python benchmarks/parallel.py [--lengths 64 128 256 512] [--sizes 500 1000 2000]
                                    [--epochs 4] [--rounds 2] [--quick]
"""

import argparse
import os
import platform
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

from _common import epoch_timer  # noqa: E402

from sktcn import TCNRegressor  # noqa: E402
from sktcn._forward import EAGER_CALLS  # noqa: E402
from sktcn.datasets import make_adding_problem  # noqa: E402

ARCH = dict(nb_filters=16, kernel_size=3, dilations=(1, 2, 4, 8, 16, 32, 64, 128))
BATCH_SIZE = 32

def fit_seconds(n_samples, n_timesteps, epochs):
    """(seconds of each epoch after the first, seconds of the first epoch, the estimator, X)."""
    X, y = make_adding_problem(n_samples=n_samples, n_timesteps=n_timesteps, random_state=0)
    timer, epoch_seconds = epoch_timer()
    reg = TCNRegressor(**ARCH, epochs=epochs, batch_size=BATCH_SIZE, callbacks=[timer], random_state=0)
    reg.fit(X, y)
    first, later = epoch_seconds[0], epoch_seconds[1:]
    return later, first, reg, X


def mean_seconds(function, calls):
    # sktcn runs a model's first EAGER_CALLS forward passes eagerly and traces at
    # the next one: warm up past the trace, so that the timed calls are steady ones.
    for _ in range(EAGER_CALLS + 1):
        function()
    start = time.perf_counter()
    for _ in range(calls):
        function()
    return (time.perf_counter() - start) / calls


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=[64, 128, 256, 512])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 1000, 2000])
    parser.add_argument("--epochs", type=int, default=4, help="epochs per fit (at least 2; default 4)")
    parser.add_argument("--rounds", type=int, default=2, help="passes over the grid (default 2)")
    parser.add_argument("--quick", action="store_true", help="tiny grid, for a fast check")
    args = parser.parse_args()
    if args.quick:
        args.lengths, args.sizes, args.epochs, args.rounds = [32, 64], [128, 256], 2, 1
    if args.epochs < 2:
        parser.error("--epochs must be at least 2: the first epoch includes tracing")

    threads = tf.config.threading.get_intra_op_parallelism_threads() or "TF default"
    print(f"# sktcn fit time vs sequence length and samples, {platform.node()} ({os.cpu_count()} CPUs, "
          f"intra-op threads: {threads}), TF {tf.__version__}, Keras {keras.__version__}, "
          f"GPUs: {len(tf.config.list_physical_devices('GPU'))}")
    print(f"# adding problem (2 features), TCN {ARCH}, batch {BATCH_SIZE}, {args.epochs} epochs per fit; "
          f"seconds per epoch = fastest of epochs 2..n over {args.rounds} rounds; load average {os.getloadavg()}")
    start = time.perf_counter()
    fit_seconds(64, 32, 2)  # warm-up: TensorFlow's one-time start-up costs land outside the table
    epochs = {}
    for round_ in range(args.rounds):
        for length in args.lengths:
            for size in args.sizes:
                later, first, reg, X = fit_seconds(size, length, args.epochs)
                epochs.setdefault((length, size), []).extend(later)
                print(f"  round {round_ + 1}, length {length:4d}, {size:5d} samples: epochs "
                      f"{', '.join(f'{t:.2f}' for t in later)} s; first epoch {first:.2f} s", flush=True)
    table = {cell: min(times) for cell, times in epochs.items()}
    last = reg, X
    for (length, size), per_epoch in table.items():
        print(f"  length {length:4d}, {size:5d} samples: {per_epoch:6.2f} s/epoch ({size / per_epoch:7.0f} samples/s, "
              f"{1e6 * per_epoch / (size * length):5.2f} us per sample-step; median epoch "
              f"{statistics.median(epochs[length, size]):.2f} s)")

    print("\nseconds per epoch (samples per second)")
    print("| length \\ samples | " + " | ".join(str(s) for s in args.sizes) + " |")
    print("| --- | " + " | ".join("---" for _ in args.sizes) + " |")
    for length in args.lengths:
        cells = [f"{table[length, s]:.2f} ({s / table[length, s]:.0f})" for s in args.sizes]
        print(f"| {length} | " + " | ".join(cells) + " |")
    lo, hi = (args.lengths[0], args.sizes[0]), (args.lengths[-1], args.sizes[-1])
    work = (hi[0] * hi[1]) / (lo[0] * lo[1])
    print(f"largest / smallest cell: {table[hi] / table[lo]:.1f}x the time for {work:.0f}x the sample-steps")

    reg, X = last
    calls = 20 if args.quick else 200
    print(f"\npredict latency, network fit on length {X.shape[1]} (mean per call)")
    print("| series per call | ms per call | ms per series |")
    print("| --- | --- | --- |")
    for batch in sorted({1, 32, 256, len(X)}):
        batch = min(batch, len(X))
        seconds = mean_seconds(lambda: reg.predict(X[:batch]), max(3, calls // batch) if batch > 1 else calls)
        print(f"| {batch} | {1000 * seconds:.2f} | {1000 * seconds / batch:.3f} |")
    print(f"\ntotal {time.perf_counter() - start:.0f} s, load average at the end {os.getloadavg()}")


if __name__ == "__main__":
    main()
