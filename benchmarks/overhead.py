"""sktcn's overhead against the same TCN written by hand with keras-tcn.

Fits the same network (same data, epochs, batch size, optimizer) three ways in
one process, interleaved over several rounds:

* keras-tcn by hand, ``jit_compile=False``;
* keras-tcn by hand, Keras' default ``jit_compile="auto"`` (XLA where possible);
* keras-tcn by hand, ``jit_compile=True`` (XLA forced);
* ``TCNRegressor`` with its defaults for compilation.

and prints each one's median fit time and sktcn's ratio to the faster hand-written
setting. Then times predicting one series: sktcn's ``predict``, a bare compiled
forward pass (``tf.function`` around the model) and Keras' ``model.predict``.

Usage: python benchmarks/overhead.py [--quick]
"""

import argparse
import os
import platform
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402
from tcn import TCN  # noqa: E402

from sktcn import TCNRegressor  # noqa: E402
from sktcn.datasets import make_adding_problem  # noqa: E402

ARCH = dict(nb_filters=32, kernel_size=3, dilations=(1, 2, 4, 8, 16, 32))


def hand_written(jit_compile, X, y, epochs, batch_size, seed):
    keras.utils.set_random_seed(seed)
    inputs = keras.Input(shape=(None, X.shape[2]))
    outputs = keras.layers.Dense(1)(TCN(**{**ARCH, "dilations": list(ARCH["dilations"])})(inputs))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="mse", jit_compile=jit_compile)
    model.fit(X, y, epochs=epochs, batch_size=batch_size, verbose=0)
    return model


def with_sktcn(X, y, epochs, batch_size, seed):
    return TCNRegressor(**ARCH, epochs=epochs, batch_size=batch_size, random_state=seed).fit(X, y)


def seconds(function, repeats=1):
    start = time.perf_counter()
    for _ in range(repeats):
        function()
    return (time.perf_counter() - start) / repeats


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for the tests")
    args = parser.parse_args()
    n, length, epochs, rounds, calls = (256, 64, 2, 1, 20) if args.quick else (2000, 200, 4, 5, 300)
    X, y = make_adding_problem(n_samples=n, n_timesteps=length, random_state=0)
    batch_size = 32
    print(f"# sktcn overhead, {platform.node()} ({os.cpu_count()} CPUs), TF {tf.__version__}, "
          f"Keras {keras.__version__}, GPUs: {len(tf.config.list_physical_devices('GPU'))}")
    print(f"# adding problem: {n} series x {length} steps x 2 features, {epochs} epochs, batch {batch_size}, "
          f"TCN {ARCH}, {rounds} interleaved rounds")

    no_xla, auto_xla, xla, sktcn = (
        "keras-tcn by hand, jit_compile=False",
        'keras-tcn by hand, jit_compile="auto"',
        "keras-tcn by hand, jit_compile=True",
        "sktcn TCNRegressor (defaults)",
    )
    setups = {
        no_xla: lambda: hand_written(False, X, y, epochs, batch_size, 0),
        auto_xla: lambda: hand_written("auto", X, y, epochs, batch_size, 0),
        xla: lambda: hand_written(True, X, y, epochs, batch_size, 0),
        sktcn: lambda: with_sktcn(X, y, epochs, batch_size, 0),
    }
    times = {name: [] for name in setups}
    fitted = {}
    for _ in range(rounds):
        for name, fit in setups.items():
            start = time.perf_counter()
            fitted[name] = fit()
            times[name].append(time.perf_counter() - start)
    print("\nfit time (median of rounds, seconds)")
    for name, values in times.items():
        print(f"  {name:<40} {statistics.median(values):7.2f}   (min {min(values):.2f}, max {max(values):.2f})")
    hand = {k: statistics.median(times[k]) for k in (no_xla, auto_xla, xla)}
    fastest = min(hand, key=hand.get)
    ratio = statistics.median(times[sktcn]) / hand[fastest]
    print(f"  sktcn / fastest hand-written ({fastest}): {ratio:.3f}")
    print(f"  hand-written, jit_compile='auto' / False: {hand[auto_xla] / hand[no_xla]:.2f}")
    print(f"  hand-written, jit_compile=True / False: {hand[xla] / hand[no_xla]:.2f}")

    estimator, model = fitted[sktcn], fitted[no_xla]
    one = X[:1]
    forward = tf.function(lambda x: model(x, training=False))
    forward(one), model.predict(one, verbose=0)  # trace and warm up
    for _ in range(3):  # sktcn's predict runs its first two calls eagerly, then traces
        estimator.predict(one)
    predict_times = {
        "sktcn predict (one series)": seconds(lambda: estimator.predict(one), calls),
        "bare compiled forward pass": seconds(lambda: forward(one).numpy(), calls),
        "Keras model.predict": seconds(lambda: model.predict(one, verbose=0), max(5, calls // 20)),
    }
    print("\npredict one series (mean per call, milliseconds)")
    for name, value in predict_times.items():
        print(f"  {name:<40} {1000 * value:8.3f}")
    print(f"  sktcn / bare forward: {predict_times['sktcn predict (one series)'] / predict_times['bare compiled forward pass']:.2f}")
    print(f"  model.predict / bare forward: "
          f"{predict_times['Keras model.predict'] / predict_times['bare compiled forward pass']:.1f}")


if __name__ == "__main__":
    main()
