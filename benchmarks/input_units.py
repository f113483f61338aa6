"""The defaults on the same series in other units: does a feature's scale change what they learn?

Two synthetic tasks, 150 training and 150 test series of 50 steps (seed 1),
fitted with the estimators' defaults on every row (below):

* classification: a sine of 3 or 5 cycles (the class), random phase, noise of
  0.5; ``TCNClassifier()``, test accuracy;
* regression: ``y = |x[-1]| + x[-3] * x[-2]`` on standard normal series, a
  target the network must model nonlinearly; ``TCNRegressor()``, test R².

Each row is the series in other units, ``level + scale * X``, and fits three
input scalings: ``"auto"`` (the default), ``None`` (every feature as given:
what ``"auto"`` did with every feature within 10 until it also standardised
those within 0.1 and those on a level beyond 10 standard deviations) and ``"standard"`` (every
feature standardised, so about the same figure on every row).

    python benchmarks/input_units.py                  # the rows of RESULTS.md
    python benchmarks/input_units.py --rows 0:1e-4 5:0.1 --scalings auto None
"""

import argparse
import os
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
from _common import header  # noqa: E402

from sktcn import TCNClassifier, TCNRegressor  # noqa: E402

SCALINGS = ("auto", None, "standard")


def tasks(seed=1, n=300, steps=50):
    """{name: (estimator class, X, y, score name)}: the two tasks, half of each for training."""
    rng = np.random.default_rng(seed)
    time_axis = np.linspace(0, 1, steps)
    label = rng.integers(0, 2, n)
    phase = rng.uniform(0, 2 * np.pi, n)
    cycles = (3 + 2 * label)[:, None]
    sines = np.sin(2 * np.pi * cycles * time_axis + phase[:, None]) + 0.5 * rng.normal(size=(n, steps))
    series = rng.normal(size=(n, steps))
    target = np.abs(series[:, -1]) + series[:, -3] * series[:, -2]
    return {"classification": (TCNClassifier, sines, label, "accuracy"),
            "regression": (TCNRegressor, series, target, "R²")}


def _row(text):
    """``"LEVEL:SCALE"`` as a pair of floats."""
    level, scale = text.split(":")
    return float(level), float(scale)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=_row, nargs="+", metavar="LEVEL:SCALE",
                        default=[_row(row) for row in ("0:1", "0:0.1", "0:0.03", "0:0.01", "0:0.001", "0:0.0001",
                                                       "1:1", "3:1", "5:0.1")])
    parser.add_argument("--scalings", nargs="+", default=["auto", "None", "standard"],
                        choices=["auto", "None", "standard"])
    parser.add_argument("--quick", action="store_true", help=argparse.SUPPRESS)  # header() reads it
    args = parser.parse_args(argv)
    scalings = [None if name == "None" else name for name in args.scalings]
    header("Input units: the defaults at other scales of X", args)
    warnings.simplefilter("ignore", UserWarning)  # the receptive-field note of the default network
    for name, (estimator, X, y, score) in tasks().items():
        half = len(X) // 2
        print(f"\n## {name}: test {score} (fit seconds)\n")
        print("| level | scale | largest value | mean / std | "
              + " | ".join(f"input_scaling={s!r}" for s in scalings) + " |")
        print("|---|---|---|---|" + "---|" * len(scalings))
        for level, scale in args.rows:
            train, test = level + scale * X[:half], level + scale * X[half:]
            cells = []
            for scaling in scalings:
                start = time.perf_counter()
                model = estimator(random_state=0, input_scaling=scaling).fit(train, y[:half])
                seconds = time.perf_counter() - start
                cells.append(f"{model.score(test, y[half:]):.3f} ({seconds:.1f})")
            print(f"| {level:g} | {scale:g} | {np.abs(train).max():.3g} | {abs(train.mean()) / train.std():.2f} | "
                  + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
